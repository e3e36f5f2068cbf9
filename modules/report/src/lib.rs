//! Reports: sales, inventory, funnel, debts, targets, promotions, the dashboard and demand
//! forecasts, from read models fed only by events.
//!
//! Owns the `report` schema. Talks to other modules only through `contracts` events: every
//! consumed event becomes facts in a queue (inside the inbox transaction), and a projector
//! applies them to the store — SQL in the module's schema, or MongoDB when
//! `analytics.mongo_url` is set.

pub mod api;
pub mod app;
pub mod domain;
pub mod events;
mod seed;
pub mod store;

use actix_web::web;
use kernel::{AppContext, Module, ModuleRuntime};
use secrecy::ExposeSecret;
use std::sync::Arc;
use store::ReportStore;
use tokio::sync::Notify;

pub struct ReportModule;

/// The module as the binary mounts it.
pub fn module() -> Arc<dyn Module> {
    Arc::new(ReportModule)
}

/// The store `analytics.mongo_url` selects: MongoDB when set, SQL otherwise. A MongoDB that
/// does not answer yet does not stop the start: facts wait in the SQL queue and the projector
/// retries (forecast runs are kept in SQL either way).
async fn store(ctx: &AppContext) -> anyhow::Result<Arc<dyn ReportStore>> {
    let url = ctx.settings.analytics.mongo_url.expose_secret();
    if url.trim().is_empty() {
        return Ok(Arc::new(store::sql::SqlReports::new(ctx.db.clone())));
    }
    let mongo = store::mongo::MongoReports::open_with_timeout(
        url,
        None,
        ctx.settings.analytics.mongo_timeout(),
    )
    .await?;
    if let Err(error) = mongo.ready().await {
        tracing::warn!(error = %format!("{error:#}"), "MongoDB does not answer yet; report facts stay queued until it does");
    }
    Ok(Arc::new(mongo))
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
        let store = store(ctx).await?;
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
            cache: ctx.cache.clone(),
            dashboard_ttl: std::time::Duration::from_secs(
                ctx.settings.analytics.dashboard_cache_secs,
            ),
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
            store(ctx).await?.as_ref(),
            chrono::Utc::now().date_naive(),
        )
        .await
    }
}
