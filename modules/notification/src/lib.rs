//! Notification module: turns integration events into messages for people (email, SMS, in-app),
//! recorded in the notification log.
//!
//! Owns the `notification` schema. Talks to other modules only through `contracts` events.

pub mod api;
pub mod events;
pub mod store;

use actix_web::web;
use kernel::{config::Environment, AppContext, Module, ModuleRuntime};
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
        let db = web::Data::new(ctx.db.clone());
        let development = ctx.settings.env == Environment::Development;
        Ok(
            ModuleRuntime::routes(move |routes| api::routes(routes, db.clone())).with_handlers(
                vec![
                    Arc::new(events::WelcomeMail),
                    Arc::new(events::PasswordResetMail { development }),
                ],
            ),
        )
    }
}
