//! Handlers for the events the dealer module consumes. Each runs inside its inbox transaction
//! (so a redelivery has no second effect) and is written as an upsert anyway.

use crate::store::{catalog_variants, inventory_units, known_customers, oem_promotions, staff};
use contracts::{
    events::{auth, customer, manufacturer},
    IntegrationEvent,
};
use kernel::{events::EventEnvelope, events::EventHandler, WriteTxn};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ColumnTrait, EntityTrait, QueryFilter, Set,
};

const SCHEMA: &str = contracts::modules::DEALER;

/// Staff assignments follow auth's users: dealer users become staff of their dealer.
pub struct StaffDirectory;

#[async_trait::async_trait]
impl EventHandler for StaffDirectory {
    fn name(&self) -> &'static str {
        "dealer.staff_directory"
    }
    fn schema(&self) -> &'static str {
        SCHEMA
    }
    fn events(&self) -> &'static [&'static str] {
        &[auth::UserRegistered::NAME, auth::UserDeactivated::NAME]
    }
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()> {
        if event.name == auth::UserDeactivated::NAME {
            let user: auth::UserDeactivated = event.decode()?;
            staff::Entity::update_many()
                .col_expr(staff::Column::Active, Expr::value(false))
                .col_expr(staff::Column::UpdatedAt, Expr::value(chrono::Utc::now()))
                .filter(staff::Column::UserId.eq(user.user_id))
                .exec(&**txn)
                .await?;
            return Ok(());
        }
        let user: auth::UserRegistered = event.decode()?;
        let Some(dealer_id) = user.dealer_id else {
            return Ok(()); // OEM staff and admins belong to no dealer
        };
        upsert_staff(
            txn,
            user.user_id,
            dealer_id,
            user.branch_id,
            &user.name,
            &user.email,
            &user.role,
        )
        .await
    }
}

pub async fn upsert_staff(
    txn: &WriteTxn,
    user_id: uuid::Uuid,
    dealer_id: uuid::Uuid,
    branch_id: Option<uuid::Uuid>,
    name: &str,
    email: &str,
    role: &str,
) -> anyhow::Result<()> {
    staff::Entity::insert(staff::ActiveModel {
        user_id: Set(user_id),
        dealer_id: Set(dealer_id),
        branch_id: Set(branch_id),
        name: Set(name.to_owned()),
        email: Set(email.to_owned()),
        role: Set(role.to_owned()),
        active: Set(true),
        updated_at: Set(chrono::Utc::now()),
    })
    .on_conflict(
        OnConflict::column(staff::Column::UserId)
            .update_columns([
                staff::Column::DealerId,
                staff::Column::BranchId,
                staff::Column::Name,
                staff::Column::Email,
                staff::Column::Role,
                staff::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec(&**txn)
    .await?;
    Ok(())
}

/// The local copy of the catalog and OEM promotions, so quoting works without the manufacturer.
pub struct CatalogCopy;

#[async_trait::async_trait]
impl EventHandler for CatalogCopy {
    fn name(&self) -> &'static str {
        "dealer.catalog_copy"
    }
    fn schema(&self) -> &'static str {
        SCHEMA
    }
    fn events(&self) -> &'static [&'static str] {
        &[
            manufacturer::VariantPublished::NAME,
            manufacturer::PriceChanged::NAME,
            manufacturer::PromotionChanged::NAME,
        ]
    }
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()> {
        match event.name.as_str() {
            manufacturer::VariantPublished::NAME => upsert_variant(txn, &event.decode()?).await,
            manufacturer::PriceChanged::NAME => {
                let change: manufacturer::PriceChanged = event.decode()?;
                catalog_variants::Entity::update_many()
                    .col_expr(catalog_variants::Column::Msrp, Expr::value(change.msrp.0))
                    .col_expr(
                        catalog_variants::Column::UpdatedAt,
                        Expr::value(chrono::Utc::now()),
                    )
                    .filter(catalog_variants::Column::VariantId.eq(change.variant_id))
                    .exec(&**txn)
                    .await?;
                Ok(())
            }
            _ => upsert_promotion(txn, &event.decode()?).await,
        }
    }
}

pub async fn upsert_variant(
    txn: &WriteTxn,
    v: &manufacturer::VariantPublished,
) -> anyhow::Result<()> {
    use catalog_variants::Column as C;
    catalog_variants::Entity::insert(catalog_variants::ActiveModel {
        variant_id: Set(v.variant_id),
        model_id: Set(v.model_id),
        model_name: Set(v.model_name.clone()),
        variant_name: Set(v.variant_name.clone()),
        segment: Set(v.segment.clone()),
        status: Set(v.status.clone()),
        model_status: Set(v.model_status.clone()),
        msrp: Set(v.msrp.0),
        colours: Set(serde_json::to_value(&v.colours)?),
        updated_at: Set(chrono::Utc::now()),
    })
    .on_conflict(
        OnConflict::column(C::VariantId)
            .update_columns([
                C::ModelId,
                C::ModelName,
                C::VariantName,
                C::Segment,
                C::Status,
                C::ModelStatus,
                C::Msrp,
                C::Colours,
                C::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec(&**txn)
    .await?;
    Ok(())
}

async fn upsert_promotion(
    txn: &WriteTxn,
    p: &manufacturer::PromotionChanged,
) -> anyhow::Result<()> {
    use oem_promotions::Column as C;
    oem_promotions::Entity::insert(oem_promotions::ActiveModel {
        promotion_id: Set(p.promotion_id),
        name: Set(p.name.clone()),
        applies_to: Set(p.applies_to.clone()),
        kind: Set(p.kind.clone()),
        value: Set(p.value),
        starts_at: Set(p.starts_at),
        ends_at: Set(p.ends_at),
        variant_ids: Set(serde_json::to_value(&p.variant_ids)?),
        dealer_ids: Set(serde_json::to_value(&p.dealer_ids)?),
        stackable: Set(p.stackable),
        active: Set(p.active),
    })
    .on_conflict(
        OnConflict::column(C::PromotionId)
            .update_columns([
                C::Name,
                C::AppliesTo,
                C::Kind,
                C::Value,
                C::StartsAt,
                C::EndsAt,
                C::VariantIds,
                C::DealerIds,
                C::Stackable,
                C::Active,
            ])
            .to_owned(),
    )
    .exec(&**txn)
    .await?;
    Ok(())
}

/// Units shipped by the OEM arrive in transit; confirmed receipt puts them in stock.
pub struct InventoryArrivals;

#[async_trait::async_trait]
impl EventHandler for InventoryArrivals {
    fn name(&self) -> &'static str {
        "dealer.inventory_arrivals"
    }
    fn schema(&self) -> &'static str {
        SCHEMA
    }
    fn events(&self) -> &'static [&'static str] {
        &[
            manufacturer::DealerOrderShipped::NAME,
            manufacturer::DealerOrderDelivered::NAME,
        ]
    }
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()> {
        let now = chrono::Utc::now();
        if event.name == manufacturer::DealerOrderDelivered::NAME {
            let delivered: manufacturer::DealerOrderDelivered = event.decode()?;
            inventory_units::Entity::update_many()
                .col_expr(inventory_units::Column::Status, Expr::value("in_stock"))
                .col_expr(
                    inventory_units::Column::ReceivedAt,
                    Expr::value(delivered.delivered_at),
                )
                .col_expr(inventory_units::Column::UpdatedAt, Expr::value(now))
                .filter(inventory_units::Column::DealerId.eq(delivered.dealer_id))
                .filter(inventory_units::Column::Vin.is_in(delivered.vins))
                .filter(inventory_units::Column::Status.eq("in_transit"))
                .exec(&**txn)
                .await?;
            return Ok(());
        }
        let shipped: manufacturer::DealerOrderShipped = event.decode()?;
        for unit in shipped.units {
            inventory_units::Entity::insert(inventory_units::ActiveModel {
                vin: Set(unit.vin),
                dealer_id: Set(shipped.dealer_id),
                branch_id: Set(None),
                variant_id: Set(unit.variant_id),
                colour_id: Set(unit.colour_id),
                status: Set("in_transit".into()),
                cost: Set(unit.unit_price.0),
                dealer_order_id: Set(Some(shipped.order_id)),
                sales_order_id: Set(None),
                received_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .on_conflict(
                OnConflict::column(inventory_units::Column::Vin)
                    .do_nothing()
                    .to_owned(),
            )
            .do_nothing()
            .exec(&**txn)
            .await?;
        }
        Ok(())
    }
}

/// Which customers belong to which dealer (ids only).
pub struct CustomerDirectory;

#[async_trait::async_trait]
impl EventHandler for CustomerDirectory {
    fn name(&self) -> &'static str {
        "dealer.customer_directory"
    }
    fn schema(&self) -> &'static str {
        SCHEMA
    }
    fn events(&self) -> &'static [&'static str] {
        &[customer::CustomerCreated::NAME]
    }
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()> {
        let created: customer::CustomerCreated = event.decode()?;
        know_customer(txn, created.customer_id, created.dealer_id).await
    }
}

pub async fn know_customer(
    txn: &WriteTxn,
    customer_id: uuid::Uuid,
    dealer_id: uuid::Uuid,
) -> anyhow::Result<()> {
    known_customers::Entity::insert(known_customers::ActiveModel {
        customer_id: Set(customer_id),
        dealer_id: Set(dealer_id),
    })
    .on_conflict(
        OnConflict::column(known_customers::Column::CustomerId)
            .do_nothing()
            .to_owned(),
    )
    .do_nothing()
    .exec(&**txn)
    .await?;
    Ok(())
}
