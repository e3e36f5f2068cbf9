//! Catalog, pricing, OEM stock, dealer orders, contracts and invoices.
//!
//! Owns the `manufacturer` schema. Talks to other modules only through `contracts` events
//! (it publishes; it consumes none).

pub mod api;
pub mod app;
pub mod domain;
mod seed;
pub mod store;

use actix_web::web;
use contracts::{events::manufacturer as events, IntegrationEvent};
use kernel::{AppContext, Module, ModuleRuntime};
use std::{sync::Arc, time::Duration};

pub struct ManufacturerModule;

/// The module as the binary mounts it.
pub fn module() -> Arc<dyn Module> {
    Arc::new(ManufacturerModule)
}

/// How often invoices are checked for being overdue (also runnable on demand over the API).
const OVERDUE_SWEEP_PERIOD: Duration = Duration::from_secs(3600);

#[async_trait::async_trait]
impl Module for ManufacturerModule {
    fn name(&self) -> &'static str {
        contracts::modules::MANUFACTURER
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        <api::ApiDoc as utoipa::OpenApi>::openapi()
    }

    fn publishes(&self) -> &'static [&'static str] {
        &[
            events::VariantPublished::NAME,
            events::PriceChanged::NAME,
            events::PromotionChanged::NAME,
            events::DealerOrderPlaced::NAME,
            events::DealerOrderApproved::NAME,
            events::VehiclesAllocated::NAME,
            events::DealerOrderShipped::NAME,
            events::DealerOrderDelivered::NAME,
            events::DealerOrderDisputed::NAME,
            events::OemStockLow::NAME,
            events::InvoiceOverdue::NAME,
            events::DealerPaymentRecorded::NAME,
        ]
    }

    async fn start(&self, ctx: &AppContext) -> anyhow::Result<ModuleRuntime> {
        let db = ctx.db.clone();
        tokio::spawn(async move {
            let start = tokio::time::Instant::now() + OVERDUE_SWEEP_PERIOD;
            let mut ticks = tokio::time::interval_at(start, OVERDUE_SWEEP_PERIOD);
            loop {
                ticks.tick().await;
                match api::finance::flag_overdue_invoices(&db).await {
                    Ok(flagged) if !flagged.is_empty() => {
                        tracing::info!(count = flagged.len(), "dealer invoices became overdue")
                    }
                    Ok(_) => {}
                    Err(error) => tracing::warn!(?error, "overdue invoice sweep failed"),
                }
            }
        });
        let db = web::Data::new(ctx.db.clone());
        Ok(ModuleRuntime::routes(move |routes| {
            api::routes(routes, db.clone())
        }))
    }

    async fn seed(&self, ctx: &AppContext) -> anyhow::Result<()> {
        seed::run(&ctx.db).await
    }
}
