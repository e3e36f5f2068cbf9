//! Notification module: turns integration events into messages for people — email (SMTP), SMS
//! and the in-app inbox — through templates, with a delivery ledger that sends each message
//! exactly once per event, recipient and channel, and retries through provider outages.
//!
//! Owns the `notification` schema. Talks to other modules only through `contracts` events.

pub mod api;
pub mod app;
pub mod channels;
pub mod domain;
pub mod events;
pub mod store;

use actix_web::web;
use kernel::{config::Environment, AppContext, Module, ModuleRuntime};
use secrecy::ExposeSecret;
use std::sync::Arc;

pub struct NotificationModule;

/// The module as the binary mounts it.
pub fn module() -> Arc<dyn Module> {
    Arc::new(NotificationModule)
}

#[async_trait::async_trait]
impl Module for NotificationModule {
    fn name(&self) -> &'static str {
        contracts::modules::NOTIFICATION
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        <api::ApiDoc as utoipa::OpenApi>::openapi()
    }

    async fn start(&self, ctx: &AppContext) -> anyhow::Result<ModuleRuntime> {
        let settings = ctx.settings.notification.clone();
        let development = ctx.settings.env == Environment::Development;
        let providers = channels::Providers::from_settings(&settings, development)?;
        tracing::info!(
            email = providers.email.name(),
            sms = providers.sms.name(),
            "notification providers"
        );
        // Live push reaches the streams of every process through Redis when it is configured.
        let (hub, mut tasks) = kernel::live::LiveHub::connect(
            ctx.settings.cache.redis_url.expose_secret(),
            &format!("{}notifications:live", ctx.settings.cache.key_prefix),
            ctx.shutdown.clone(),
        )?;
        tracing::info!(shared = hub.is_shared(), "notification live push");
        let (live, router) =
            app::live::LivePush::start(hub, settings.stream_max_per_user, ctx.shutdown.clone());
        tasks.push(router);
        let app = Arc::new(app::Notifications {
            db: ctx.db.clone(),
            settings,
            providers,
            wake: Arc::new(tokio::sync::Notify::new()),
            live,
            cache: ctx.cache.clone(),
            draining: ctx.draining.clone(),
            sealer: kernel::secrets::Sealer::notification(&ctx.settings)?,
        });
        tasks.push(tokio::spawn(app::dispatch::run(
            app.clone(),
            ctx.shutdown.clone(),
        )));
        if app.settings.digest_hour_utc < 24 {
            tasks.push(tokio::spawn(app::digest::daily(
                app.clone(),
                ctx.shutdown.clone(),
            )));
        }
        tasks.push(tokio::spawn(app::reminders::run(
            app.clone(),
            ctx.shutdown.clone(),
        )));
        let state = web::Data::from(app.clone());
        Ok(
            ModuleRuntime::routes(move |routes| api::routes(routes, state.clone()))
                .with_handlers(vec![Arc::new(events::Notifier(app))])
                .with_tasks(tasks),
        )
    }
}
