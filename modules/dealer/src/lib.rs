//! Dealers, branches, staff, VIN inventory, quotations, sales orders, contracts, payments and
//! deliveries.
//!
//! Owns the `dealer` schema. Talks to other modules only through `contracts` events; keeps local
//! copies of the catalog, OEM promotions and customer ids, so it sells while they are down.

pub mod api;
pub mod domain;
pub mod events;
mod seed;
pub mod store;

use actix_web::web;
use contracts::{events::dealer as published, IntegrationEvent};
use kernel::{AppContext, Module, ModuleRuntime};
use std::{sync::Arc, time::Duration};

pub struct DealerModule;

/// The module as the binary mounts it.
pub fn module() -> Arc<dyn Module> {
    Arc::new(DealerModule)
}

/// How often instalments are checked for being overdue (also runnable on demand).
const OVERDUE_SWEEP_PERIOD: Duration = Duration::from_secs(3600);

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
        let db = ctx.db.clone();
        tokio::spawn(async move {
            let start = tokio::time::Instant::now() + OVERDUE_SWEEP_PERIOD;
            let mut ticks = tokio::time::interval_at(start, OVERDUE_SWEEP_PERIOD);
            loop {
                ticks.tick().await;
                if let Err(error) = api::settlement::flag_overdue_instalments(&db, None).await {
                    tracing::warn!(?error, "overdue instalment sweep failed");
                }
            }
        });
        let db = web::Data::new(ctx.db.clone());
        Ok(
            ModuleRuntime::routes(move |routes| api::routes(routes, db.clone())).with_handlers(
                vec![
                    Arc::new(events::StaffDirectory),
                    Arc::new(events::CatalogCopy),
                    Arc::new(events::InventoryArrivals),
                    Arc::new(events::CustomerDirectory),
                ],
            ),
        )
    }

    async fn seed(&self, ctx: &AppContext) -> anyhow::Result<()> {
        seed::run(&ctx.db).await
    }
}
