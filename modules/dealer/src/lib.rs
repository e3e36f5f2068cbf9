//! Dealers, branches, staff, VIN inventory and retail sales.
//!
//! Owns the `dealer` schema. Talks to other modules only through `contracts` events.

use kernel::{AppContext, Module, ModuleRuntime};
use std::sync::Arc;

pub struct DealerModule;

/// The module as the binary mounts it.
pub fn module() -> Arc<dyn Module> {
    Arc::new(DealerModule)
}

#[derive(utoipa::OpenApi)]
#[openapi(tags((name = "dealer", description = "Dealers, branches, staff, VIN inventory and retail sales.")))]
struct ApiDoc;

#[async_trait::async_trait]
impl Module for DealerModule {
    fn name(&self) -> &'static str {
        contracts::modules::DEALER
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        <ApiDoc as utoipa::OpenApi>::openapi()
    }

    async fn start(&self, _ctx: &AppContext) -> anyhow::Result<ModuleRuntime> {
        Ok(ModuleRuntime::routes(|_routes| {}))
    }
}
