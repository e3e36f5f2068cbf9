//! Dealers, branches, staff, VIN inventory, quotations, sales orders, contracts, payments and
//! deliveries.
//!
//! Owns the `dealer` schema. Talks to other modules only through `contracts` events; keeps local
//! copies of the catalog, OEM promotions and customer ids, so it sells while they are down.

pub mod api;
pub mod app;
pub mod domain;
pub mod events;
mod seed;
pub mod store;

use actix_web::web;
use contracts::{events::dealer as published, IntegrationEvent};
use kernel::{AppContext, Module, ModuleRuntime};
use std::sync::Arc;

pub struct DealerModule;

/// The module as the binary mounts it.
pub fn module() -> Arc<dyn Module> {
    Arc::new(DealerModule)
}

#[async_trait::async_trait]
impl Module for DealerModule {
    fn name(&self) -> &'static str {
        contracts::modules::DEALER
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        <api::ApiDoc as utoipa::OpenApi>::openapi()
    }

    fn publishes(&self) -> &'static [&'static str] {
        &[
            published::QuotationSent::NAME,
            published::SalesOrderCreated::NAME,
            published::SalesOrderApproved::NAME,
            published::ContractSigned::NAME,
            published::PaymentReceived::NAME,
            published::InstalmentOverdue::NAME,
            published::VehicleDelivered::NAME,
            published::SalesOrderCancelled::NAME,
            published::DealerStockLow::NAME,
            published::BranchOpened::NAME,
            published::DealerProfileChanged::NAME,
            published::SalesTargetSet::NAME,
        ]
    }

    async fn start(&self, ctx: &AppContext) -> anyhow::Result<ModuleRuntime> {
        // Overdue instalments are announced hourly (and on demand); the sweep stops with the
        // process.
        let sweep = tokio::spawn(app::overdue::every(
            ctx.db.clone(),
            app::overdue::SWEEP_PERIOD,
            ctx.shutdown.clone(),
        ));
        let services = web::Data::new(app::Services { db: ctx.db.clone() });
        Ok(
            ModuleRuntime::routes(move |routes| api::routes(routes, services.clone()))
                .with_handlers(vec![
                    Arc::new(events::StaffDirectory),
                    Arc::new(events::CatalogCopy),
                    Arc::new(events::InventoryArrivals),
                    Arc::new(events::CustomerDirectory),
                ])
                .with_tasks(vec![sweep]),
        )
    }

    async fn seed(&self, ctx: &AppContext) -> anyhow::Result<()> {
        seed::run(&ctx.db).await
    }
}
