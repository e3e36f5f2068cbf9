//! Users, roles, sessions, tokens and service clients.
//!
//! Owns the `auth` schema. Talks to other modules only through `contracts` events.

use kernel::{AppContext, Module, ModuleRuntime};
use std::sync::Arc;

pub struct AuthModule;

/// The module as the binary mounts it.
pub fn module() -> Arc<dyn Module> {
    Arc::new(AuthModule)
}

#[derive(utoipa::OpenApi)]
#[openapi(tags((name = "auth", description = "Users, roles, sessions, tokens and service clients.")))]
struct ApiDoc;

#[async_trait::async_trait]
impl Module for AuthModule {
    fn name(&self) -> &'static str {
        contracts::modules::AUTH
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        <ApiDoc as utoipa::OpenApi>::openapi()
    }

    async fn start(&self, _ctx: &AppContext) -> anyhow::Result<ModuleRuntime> {
        Ok(ModuleRuntime::routes(|_routes| {}))
    }
}
