//! Reports: sales, inventory, funnel, debts, targets, promotions, the dashboard and demand
//! forecasts, from read models fed only by events.
//!
//! Owns the `report` schema. Talks to other modules only through `contracts` events: every
//! consumed event becomes facts in a queue (inside the inbox transaction), and a projector
//! applies them to the store — SQL in the module's schema.

pub mod api;
pub mod app;
pub mod domain;
pub mod events;
mod seed;
pub mod store;

use actix_web::web;
use kernel::{AppContext, Module, ModuleRuntime};
use std::sync::Arc;
use store::ReportStore;
use tokio::sync::Notify;

pub struct ReportModule;

/// The module as the binary mounts it.
pub fn module() -> Arc<dyn Module> {
    Arc::new(ReportModule)
}

fn store(ctx: &AppContext) -> Arc<dyn ReportStore> {
    Arc::new(store::sql::SqlReports::new(ctx.db.clone()))
}

#[async_trait::async_trait]
impl Module for ReportModule {
    fn name(&self) -> &'static str {
        contracts::modules::REPORT
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        <api::ApiDoc as utoipa::OpenApi>::openapi()
    }

    async fn start(&self, ctx: &AppContext) -> anyhow::Result<ModuleRuntime> {
        let store = store(ctx);
        tracing::info!(store = store.backend(), "report store");
        let wake = Arc::new(Notify::new());
        let projector = app::projector::Projector {
            db: ctx.db.clone(),
            store: store.clone(),
            wake: wake.clone(),
        };
        let mut tasks = vec![tokio::spawn(projector.run(ctx.shutdown.clone()))];
        if ctx.settings.analytics.forecast_hour_utc < 24 {
            tasks.push(tokio::spawn(app::forecasting::nightly(
                ctx.db.clone(),
                store.clone(),
                ctx.settings.analytics.forecast_hour_utc,
                ctx.shutdown.clone(),
            )));
        }
        let state = web::Data::new(app::Reports {
            db: ctx.db.clone(),
            store,
            currency: ctx.settings.analytics.currency.clone(),
        });
        Ok(
            ModuleRuntime::routes(move |routes| api::routes(routes, state.clone()))
                .with_handlers(vec![Arc::new(events::FactFeed { wake })])
                .with_tasks(tasks),
        )
    }

    async fn seed(&self, ctx: &AppContext) -> anyhow::Result<()> {
        seed::run(
            &ctx.db,
            store(ctx).as_ref(),
            chrono::Utc::now().date_naive(),
        )
        .await
    }
}
