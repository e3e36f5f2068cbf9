//! Templates, notifications, in-app inbox and preferences.
//!
//! Owns the `notification` schema. Talks to other modules only through `contracts` events.

use kernel::{AppContext, Module, ModuleRuntime};
use std::sync::Arc;

pub struct NotificationModule;

/// The module as the binary mounts it.
pub fn module() -> Arc<dyn Module> {
    Arc::new(NotificationModule)
}

#[derive(utoipa::OpenApi)]
#[openapi(tags((name = "notification", description = "Templates, notifications, in-app inbox and preferences.")))]
struct ApiDoc;

#[async_trait::async_trait]
impl Module for NotificationModule {
    fn name(&self) -> &'static str {
        contracts::modules::NOTIFICATION
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        <ApiDoc as utoipa::OpenApi>::openapi()
    }

    async fn start(&self, _ctx: &AppContext) -> anyhow::Result<ModuleRuntime> {
        Ok(ModuleRuntime::routes(|_routes| {}))
    }
}
