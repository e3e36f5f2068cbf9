//! Handlers for the events the customer module consumes. Each runs inside its inbox transaction,
//! so a redelivered event has no second effect.

use crate::domain::schedule::WeeklyHours;
use crate::store::{branch_hours, catalog_variants, lead_stage_history, leads};
use crate::timeline::{TimelineEntry, TimelineStore};
use contracts::{
    events::{customer, dealer, manufacturer},
    IntegrationEvent,
};
use kernel::{events::EventEnvelope, events::EventHandler, WriteTxn};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set,
};
use serde_json::Value;
use std::sync::Arc;
use uuid::Uuid;

const SCHEMA: &str = contracts::modules::CUSTOMER;

/// What can be test-driven: the manufacturer's published variants.
pub struct CatalogCopy;

#[async_trait::async_trait]
impl EventHandler for CatalogCopy {
    fn name(&self) -> &'static str {
        "customer.catalog_copy"
    }
    fn schema(&self) -> &'static str {
        SCHEMA
    }
    fn events(&self) -> &'static [&'static str] {
        &[manufacturer::VariantPublished::NAME]
    }
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()> {
        upsert_variant(txn, &event.decode()?).await
    }
}

pub async fn upsert_variant(
    txn: &WriteTxn,
    v: &manufacturer::VariantPublished,
) -> anyhow::Result<()> {
    use catalog_variants::Column as C;
    // Drivable while its model is on sale and it is built (a coming-soon trim has no demo car).
    let status = if v.model_status == "published" && v.status == "in_production" {
        "available"
    } else {
        "unavailable"
    };
    catalog_variants::Entity::insert(catalog_variants::ActiveModel {
        variant_id: Set(v.variant_id),
        model_name: Set(v.model_name.clone()),
        variant_name: Set(v.variant_name.clone()),
        status: Set(status.to_owned()),
        updated_at: Set(chrono::Utc::now()),
    })
    .on_conflict(
        OnConflict::column(C::VariantId)
            .update_columns([C::ModelName, C::VariantName, C::Status, C::UpdatedAt])
            .to_owned(),
    )
    .exec(&**txn)
    .await?;
    Ok(())
}

/// Which dealer each branch belongs to, so test drives are booked only at the caller's own
/// branches; a new branch starts with the default opening hours.
pub struct BranchDirectory;

#[async_trait::async_trait]
impl EventHandler for BranchDirectory {
    fn name(&self) -> &'static str {
        "customer.branch_directory"
    }
    fn schema(&self) -> &'static str {
        SCHEMA
    }
    fn events(&self) -> &'static [&'static str] {
        &[dealer::BranchOpened::NAME]
    }
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()> {
        let opened: dealer::BranchOpened = event.decode()?;
        know_branch(
            txn,
            opened.branch_id,
            opened.dealer_id,
            &WeeklyHours::default(),
        )
        .await
    }
}

/// Records a branch of a dealer with its hours, unless it is known already (hours set since stay).
pub async fn know_branch(
    txn: &WriteTxn,
    branch_id: Uuid,
    dealer_id: Uuid,
    hours: &WeeklyHours,
) -> anyhow::Result<()> {
    branch_hours::Entity::insert(branch_hours::ActiveModel {
        branch_id: Set(branch_id),
        dealer_id: Set(dealer_id),
        utc_offset_minutes: Set(hours.utc_offset_minutes),
        weekly: Set(serde_json::to_value(hours)?),
        updated_at: Set(chrono::Utc::now()),
    })
    .on_conflict(
        OnConflict::column(branch_hours::Column::BranchId)
            .do_nothing()
            .to_owned(),
    )
    .do_nothing()
    .exec(&**txn)
    .await?;
    Ok(())
}

/// The interaction timeline, from the dealer's sales events and this module's own.
pub struct TimelineFeed(pub Arc<dyn TimelineStore>);

#[async_trait::async_trait]
impl EventHandler for TimelineFeed {
    fn name(&self) -> &'static str {
        "customer.timeline"
    }
    fn schema(&self) -> &'static str {
        SCHEMA
    }
    fn events(&self) -> &'static [&'static str] {
        &[
            dealer::QuotationSent::NAME,
            dealer::SalesOrderCreated::NAME,
            dealer::ContractSigned::NAME,
            dealer::PaymentReceived::NAME,
            dealer::VehicleDelivered::NAME,
            dealer::SalesOrderCancelled::NAME,
            customer::LeadCreated::NAME,
            customer::LeadStageChanged::NAME,
            customer::TestDriveScheduled::NAME,
            customer::TestDriveCompleted::NAME,
            customer::ComplaintFiled::NAME,
        ]
    }
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()> {
        let Some(entry) = timeline_entry(event)? else {
            return Ok(()); // e.g. feedback not tied to a customer
        };
        self.0.append(txn, &entry).await
    }
}

fn money(value: &Value) -> String {
    let minor = value.as_i64().unwrap_or_default();
    format!("{}.{:02}", minor / 100, (minor % 100).abs())
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or("?")
}

/// The timeline entry an event makes (ids, stages, amounts: no personal data).
pub fn timeline_entry(event: &EventEnvelope) -> anyhow::Result<Option<TimelineEntry>> {
    let p = &event.payload;
    let id = |key: &str| p[key].as_str().and_then(|s| s.parse::<Uuid>().ok());
    let (Some(customer_id), Some(dealer_id)) = (id("customerId"), id("dealerId")) else {
        return Ok(None);
    };
    let (kind, summary) = match event.name.as_str() {
        dealer::QuotationSent::NAME => (
            "quotation_sent",
            format!(
                "Quotation {} sent, total {}",
                text(&p["quotationNumber"]),
                money(&p["total"])
            ),
        ),
        dealer::SalesOrderCreated::NAME => (
            "order_created",
            format!(
                "Sales order {} created for VIN {}",
                text(&p["orderNumber"]),
                text(&p["vin"])
            ),
        ),
        dealer::ContractSigned::NAME => (
            "contract_signed",
            format!(
                "Contract {} signed, total {}",
                text(&p["contractNumber"]),
                money(&p["total"])
            ),
        ),
        dealer::PaymentReceived::NAME => (
            "payment_received",
            format!(
                "Payment of {} received by {}, {} outstanding",
                money(&p["amount"]),
                text(&p["method"]),
                money(&p["outstanding"])
            ),
        ),
        dealer::VehicleDelivered::NAME => (
            "vehicle_delivered",
            format!(
                "Vehicle {} delivered (order {})",
                text(&p["vin"]),
                text(&p["orderNumber"])
            ),
        ),
        dealer::SalesOrderCancelled::NAME => (
            "order_cancelled",
            format!("Sales order {} cancelled", text(&p["orderNumber"])),
        ),
        customer::LeadCreated::NAME => (
            "lead_created",
            format!(
                "Lead opened (source {}, stage {})",
                text(&p["source"]),
                text(&p["stage"])
            ),
        ),
        customer::LeadStageChanged::NAME => (
            "lead_stage_changed",
            format!("Lead moved from {} to {}", text(&p["from"]), text(&p["to"])),
        ),
        customer::TestDriveScheduled::NAME => (
            "test_drive_scheduled",
            format!("Test drive booked for {}", text(&p["startsAt"])),
        ),
        customer::TestDriveCompleted::NAME => {
            ("test_drive_completed", "Test drive completed".to_owned())
        }
        customer::ComplaintFiled::NAME => (
            "feedback_filed",
            format!(
                "{} filed ({} severity, via {})",
                text(&p["kind"]),
                text(&p["severity"]),
                text(&p["channel"])
            ),
        ),
        other => anyhow::bail!("the timeline has no entry for {other}"),
    };
    Ok(Some(TimelineEntry {
        id: event.id,
        customer_id,
        dealer_id,
        kind: kind.to_owned(),
        summary,
        details: p.clone(),
        occurred_at: event.occurred_at,
    }))
}

/// A delivered vehicle wins the customer's open leads at that dealer.
pub struct LeadsWonOnDelivery;

#[async_trait::async_trait]
impl EventHandler for LeadsWonOnDelivery {
    fn name(&self) -> &'static str {
        "customer.leads_won_on_delivery"
    }
    fn schema(&self) -> &'static str {
        SCHEMA
    }
    fn events(&self) -> &'static [&'static str] {
        &[dealer::VehicleDelivered::NAME]
    }
    async fn handle(&self, txn: &mut WriteTxn, event: &EventEnvelope) -> anyhow::Result<()> {
        let delivered: dealer::VehicleDelivered = event.decode()?;
        let open = leads::Entity::find()
            .filter(leads::Column::CustomerId.eq(delivered.customer_id))
            .filter(leads::Column::DealerId.eq(delivered.dealer_id))
            .filter(leads::Column::Stage.is_in(crate::domain::lifecycle::OPEN_STAGES))
            .all(&**txn)
            .await?;
        let reason = format!("vehicle delivered (order {})", delivered.order_number);
        for lead in open {
            move_lead(txn, &lead, "won", Some(&reason), None).await?;
        }
        Ok(())
    }
}

/// Moves a lead if it is still in the stage read, records the history, publishes the change.
/// `Ok(false)` when a racing change got there first.
pub async fn move_lead(
    txn: &mut WriteTxn,
    lead: &leads::Model,
    to: &str,
    reason: Option<&str>,
    changed_by: Option<Uuid>,
) -> anyhow::Result<bool> {
    let now = chrono::Utc::now();
    let mut update = leads::Entity::update_many()
        .col_expr(leads::Column::Stage, Expr::value(to))
        .col_expr(leads::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            leads::Column::Version,
            Expr::col(leads::Column::Version).add(1),
        );
    if to == "lost" {
        update = update.col_expr(
            leads::Column::LostReason,
            Expr::value(reason.map(str::to_owned)),
        );
    }
    let moved = update
        .filter(leads::Column::Id.eq(lead.id))
        .filter(leads::Column::Stage.eq(lead.stage.as_str()))
        .exec(&**txn)
        .await?
        .rows_affected;
    if moved != 1 {
        return Ok(false);
    }
    lead_stage_history::ActiveModel {
        id: Set(Uuid::now_v7()),
        lead_id: Set(lead.id),
        from_stage: Set(Some(lead.stage.clone())),
        to_stage: Set(to.to_owned()),
        reason: Set(reason.map(str::to_owned)),
        changed_by: Set(changed_by),
        changed_at: Set(now),
    }
    .insert(&**txn)
    .await?;
    let event = customer::LeadStageChanged {
        lead_id: lead.id,
        dealer_id: lead.dealer_id,
        customer_id: lead.customer_id,
        owner_id: lead.owner_id,
        from: lead.stage.clone(),
        to: to.to_owned(),
        // A person's free text may describe the customer: it stays here, where erasure reaches.
        reason: changed_by
            .is_none()
            .then(|| reason.map(str::to_owned))
            .flatten(),
        changed_at: now,
    };
    kernel::events::publish(txn, &event).await?;
    Ok(true)
}
