//! Customers, leads, test drives, feedback and the interaction timeline.
//!
//! Owns the `customer` schema. Talks to other modules only through `contracts` events: keeps a
//! local copy of the drivable catalog, builds each customer's timeline from the dealer's sales
//! events and its own, and wins leads when the dealer delivers a vehicle.

pub mod api;
pub mod app;
pub mod domain;
pub mod events;
mod seed;
pub mod store;

use actix_web::web;
use anyhow::Context;
use contracts::{events::customer as published, IntegrationEvent};
use kernel::{AppContext, Module, ModuleRuntime};
use secrecy::ExposeSecret;
use std::sync::Arc;
use store::timeline::{self, TimelineStore};

pub struct CustomerModule;

/// The module as the binary mounts it.
pub fn module() -> Arc<dyn Module> {
    Arc::new(CustomerModule)
}

/// The timeline store `analytics.mongo_url` selects: MongoDB when set, SQL otherwise.
async fn timeline_store(ctx: &AppContext) -> anyhow::Result<Arc<dyn TimelineStore>> {
    let url = ctx.settings.analytics.mongo_url.expose_secret();
    if url.trim().is_empty() {
        return Ok(Arc::new(timeline::sql::SqlTimeline::new(ctx.db.clone())));
    }
    // A MongoDB that does not answer yet does not stop the start: entries wait staged in SQL.
    let store = timeline::mongo::MongoTimeline::open(
        url,
        None,
        ctx.db.clone(),
        ctx.settings.analytics.mongo_timeout(),
    )
    .await
    .context("analytics.mongo_url is set, so the customer timeline needs MongoDB")?;
    if let Err(error) = store.ready().await {
        tracing::warn!(error = %format!("{error:#}"), "MongoDB does not answer yet; timeline entries stay staged until it does");
    }
    Ok(Arc::new(store))
}

#[async_trait::async_trait]
impl Module for CustomerModule {
    fn name(&self) -> &'static str {
        contracts::modules::CUSTOMER
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        <api::ApiDoc as utoipa::OpenApi>::openapi()
    }

    fn publishes(&self) -> &'static [&'static str] {
        &[
            published::CustomerCreated::NAME,
            published::CustomerUpdated::NAME,
            published::CustomerErased::NAME,
            published::LeadCreated::NAME,
            published::LeadStageChanged::NAME,
            published::TestDriveScheduled::NAME,
            published::TestDriveCancelled::NAME,
            published::TestDriveCompleted::NAME,
            published::ComplaintFiled::NAME,
            published::ComplaintAssigned::NAME,
        ]
    }

    async fn start(&self, ctx: &AppContext) -> anyhow::Result<ModuleRuntime> {
        let timeline = timeline_store(ctx).await?;
        tracing::info!(store = timeline.backend(), "customer timeline store");
        let services = web::Data::new(app::Services {
            db: ctx.db.clone(),
            timeline: timeline.clone(),
        });
        let mut tasks = Vec::new();
        if timeline.staged_signal().is_some() {
            tasks.push(tokio::spawn(app::timeline::forward_until_stopped(
                timeline.clone(),
                ctx.shutdown.clone(),
            )));
        }
        Ok(
            ModuleRuntime::routes(move |routes| api::routes(routes, services.clone()))
                .with_handlers(vec![
                    Arc::new(events::CatalogCopy),
                    Arc::new(events::BranchDirectory),
                    Arc::new(events::DealerDirectory),
                    Arc::new(events::VehicleDirectory),
                    Arc::new(events::PeopleDirectory),
                    Arc::new(events::TimelineFeed(timeline)),
                    Arc::new(events::LeadsWonOnDelivery),
                ])
                .with_tasks(tasks),
        )
    }

    async fn seed(&self, ctx: &AppContext) -> anyhow::Result<()> {
        seed::run(&ctx.db).await
    }
}
