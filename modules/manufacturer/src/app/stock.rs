//! OEM stock by VIN: registering and receiving units, levels per variant × colour, low-stock
//! thresholds and the announcement when a level falls to its threshold.

use crate::domain::{
    lifecycle::StockUnitStatus,
    stock::{parse_vins, LowStock},
};
use crate::store::{oem_stock, stock, stock_ledger};
use contracts::events::manufacturer::OemStockLow;
use kernel::{
    error::FieldError,
    pagination::{ListParams, Page},
    Caller, Db, DomainError, DomainResult, ErrorCode, WriteTxn,
};
use uuid::Uuid;

pub use crate::store::stock::UnitFilter;

/// Where units are kept when the request names no location.
pub const DEFAULT_LOCATION: &str = "Main plant warehouse";

/// A unit; a single read adds its ledger.
pub struct UnitView {
    pub unit: oem_stock::Model,
    pub ledger: Option<Vec<stock_ledger::Model>>,
}

impl From<oem_stock::Model> for UnitView {
    fn from(unit: oem_stock::Model) -> Self {
        Self { unit, ledger: None }
    }
}

/// Units by VIN (`q` = VIN prefix).
pub async fn list(
    db: &Db,
    filter: &UnitFilter,
    params: &ListParams,
) -> DomainResult<Page<UnitView>> {
    Ok(stock::list(db.conn(), filter, params)
        .await?
        .map(UnitView::from))
}

async fn find(db: &Db, vin: &str) -> DomainResult<oem_stock::Model> {
    stock::find(db.conn(), &vin.trim().to_uppercase())
        .await?
        .ok_or(DomainError::NotFound("VIN in OEM stock"))
}

/// One unit with its ledger.
pub async fn get(db: &Db, vin: &str) -> DomainResult<UnitView> {
    let unit = find(db, vin).await?;
    let ledger = stock::ledger_of(db.conn(), &unit.vin).await?;
    Ok(UnitView {
        unit,
        ledger: Some(ledger),
    })
}

pub struct NewUnits {
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub vins: Vec<String>,
    /// `in_production` or `in_warehouse` (the default).
    pub status: Option<String>,
    pub location: Option<String>,
}

fn collect<T>(result: DomainResult<T>, errors: &mut Vec<FieldError>) -> DomainResult<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(DomainError::Invalid(found)) => {
            errors.extend(found);
            Ok(None)
        }
        Err(other) => Err(other),
    }
}

/// Registers produced units. Every VIN is checked (one 422 naming each bad field); a VIN
/// already known is a 409 `duplicate_vin` and nothing is added.
pub async fn add_units(
    db: &Db,
    caller: &Caller,
    new: NewUnits,
) -> DomainResult<Vec<oem_stock::Model>> {
    let mut errors = Vec::new();
    let vins = collect(parse_vins(&new.vins, "vins"), &mut errors)?.unwrap_or_default();
    let initial = collect(
        StockUnitStatus::registered(new.status.as_deref()),
        &mut errors,
    )?
    .unwrap_or(StockUnitStatus::InWarehouse);
    let variant_model = stock::model_of_variant(db.conn(), new.variant_id).await?;
    let colour_model = stock::model_of_colour(db.conn(), new.colour_id).await?;
    match (variant_model, colour_model) {
        (None, _) => errors.push(FieldError::new("variantId", "no such variant")),
        (Some(v), Some(c)) if v == c => {}
        _ => errors.push(FieldError::new(
            "colourId",
            "not a colour of this variant's model",
        )),
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let now = chrono::Utc::now();
    let location = new.location.unwrap_or_else(|| DEFAULT_LOCATION.to_owned());
    let mut txn = db.begin().await?;
    let mut created = Vec::new();
    for vin in vins {
        let unit = stock::insert(
            &*txn,
            oem_stock::Model {
                vin: vin.to_string(),
                variant_id: new.variant_id,
                colour_id: new.colour_id,
                status: initial,
                order_id: None,
                location: location.clone(),
                unit_price: 0,
                created_at: now,
                updated_at: now,
            },
        )
        .await
        .map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => DomainError::conflict(
                ErrorCode::DuplicateVin,
                format!("VIN {vin} is already in stock"),
            ),
            _ => DomainError::from(e),
        })?;
        stock::record_move(
            &*txn,
            &unit.vin,
            initial.registration_movement(),
            None,
            initial,
            None,
            Some(caller.subject),
        )
        .await?;
        created.push(unit);
    }
    recheck_low_stock(&mut txn, new.variant_id, new.colour_id).await?;
    txn.commit().await?;
    Ok(created)
}

/// A unit leaves production and enters the warehouse.
pub async fn receive(db: &Db, caller: &Caller, vin: &str) -> DomainResult<oem_stock::Model> {
    let unit = find(db, vin).await?;
    let mut txn = db.begin().await?;
    if !stock::move_unit(
        &*txn,
        &unit.vin,
        StockUnitStatus::InProduction,
        StockUnitStatus::InWarehouse,
    )
    .await?
    {
        return Err(DomainError::illegal_transition(
            unit.status.as_str(),
            "receive",
            vec![],
        ));
    }
    stock::record_move(
        &*txn,
        &unit.vin,
        "receive",
        Some(StockUnitStatus::InProduction),
        StockUnitStatus::InWarehouse,
        None,
        Some(caller.subject),
    )
    .await?;
    recheck_low_stock(&mut txn, unit.variant_id, unit.colour_id).await?;
    txn.commit().await?;
    find(db, vin).await
}

/// Units of a variant × colour by status, with its threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockLevel {
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub in_production: i64,
    pub in_warehouse: i64,
    pub allocated: i64,
    pub in_transit: i64,
    pub delivered: i64,
    pub threshold: Option<i32>,
    pub low: bool,
}

/// Units per variant × colour and status, with thresholds, ordered by variant and colour.
pub async fn levels(db: &Db, variant_id: Option<Uuid>) -> DomainResult<Vec<StockLevel>> {
    let rows = stock::level_rows(db.conn(), variant_id).await?;
    let thresholds = stock::thresholds(db.conn()).await?;
    let mut levels: Vec<StockLevel> = Vec::new();
    for row in rows {
        let index = match levels
            .iter()
            .position(|l| l.variant_id == row.variant_id && l.colour_id == row.colour_id)
        {
            Some(i) => i,
            None => {
                let t = thresholds
                    .iter()
                    .find(|t| t.variant_id == row.variant_id && t.colour_id == row.colour_id);
                levels.push(StockLevel {
                    variant_id: row.variant_id,
                    colour_id: row.colour_id,
                    in_production: 0,
                    in_warehouse: 0,
                    allocated: 0,
                    in_transit: 0,
                    delivered: 0,
                    threshold: t.map(|t| t.threshold),
                    low: t.is_some_and(|t| t.low),
                });
                levels.len() - 1
            }
        };
        if let Some(level) = levels.get_mut(index) {
            let slot = match row.status {
                StockUnitStatus::InProduction => &mut level.in_production,
                StockUnitStatus::InWarehouse => &mut level.in_warehouse,
                StockUnitStatus::Allocated => &mut level.allocated,
                StockUnitStatus::InTransit => &mut level.in_transit,
                StockUnitStatus::Delivered => &mut level.delivered,
            };
            *slot = row.units;
        }
    }
    levels.sort_by_key(|l| (l.variant_id, l.colour_id));
    Ok(levels)
}

/// Sets the low-stock threshold of a variant × colour and re-evaluates its level.
pub async fn set_threshold(
    db: &Db,
    variant_id: Uuid,
    colour_id: Uuid,
    threshold: i32,
) -> DomainResult<()> {
    if stock::model_of_variant(db.conn(), variant_id)
        .await?
        .is_none()
    {
        return Err(DomainError::invalid("variantId", "no such variant"));
    }
    let mut txn = db.begin().await?;
    stock::upsert_threshold(&*txn, variant_id, colour_id, threshold).await?;
    recheck_low_stock(&mut txn, variant_id, colour_id).await?;
    txn.commit().await?;
    Ok(())
}

/// Re-evaluates the low-stock flag of a variant × colour after a move, in the move's
/// transaction: `stock_low` is published once when the warehouse level falls to its threshold,
/// and re-armed when it rises above. The conditional flip makes "once" hold under concurrent
/// moves.
pub async fn recheck_low_stock(
    txn: &mut WriteTxn,
    variant_id: Uuid,
    colour_id: Uuid,
) -> DomainResult<()> {
    let Some(threshold) = stock::threshold(&**txn, variant_id, colour_id).await? else {
        return Ok(());
    };
    let available = stock::count_in_warehouse(&**txn, variant_id, colour_id).await?;
    let decision = LowStock::evaluate(threshold.low, available, threshold.threshold);
    if decision.low == threshold.low {
        return Ok(());
    }
    let flipped = stock::flip_low(&**txn, variant_id, colour_id, decision.low).await?;
    if decision.announce && flipped {
        let event = OemStockLow {
            variant_id,
            colour_id,
            available,
            threshold: i64::from(threshold.threshold),
        };
        kernel::events::publish(txn, &event).await?;
    }
    Ok(())
}
