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
use std::sync::Arc;

pub struct ManufacturerModule;

/// The module as the binary mounts it.
pub fn module() -> Arc<dyn Module> {
    Arc::new(ManufacturerModule)
}

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
        // Overdue invoices are flagged hourly (and on demand); the sweep stops with the process.
        let sweep = tokio::spawn(app::overdue::every(
            ctx.db.clone(),
            app::overdue::SWEEP_PERIOD,
            ctx.shutdown.clone(),
        ));
        let db = web::Data::new(ctx.db.clone());
        Ok(
            ModuleRuntime::routes(move |routes| api::routes(routes, db.clone()))
                .with_tasks(vec![sweep]),
        )
    }

    async fn seed(&self, ctx: &AppContext) -> anyhow::Result<()> {
        seed::run(&ctx.db).await
    }
}
