//! Customers, leads, test drives, feedback and the interaction timeline.
//!
//! Owns the `customer` schema. Talks to other modules only through `contracts` events.

use kernel::{AppContext, Module, ModuleRuntime};
use std::sync::Arc;

pub struct CustomerModule;

/// The module as the binary mounts it.
pub fn module() -> Arc<dyn Module> {
    Arc::new(CustomerModule)
}

#[derive(utoipa::OpenApi)]
#[openapi(tags((name = "customer", description = "Customers, leads, test drives, feedback and the interaction timeline.")))]
struct ApiDoc;

#[async_trait::async_trait]
impl Module for CustomerModule {
    fn name(&self) -> &'static str {
        contracts::modules::CUSTOMER
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        <ApiDoc as utoipa::OpenApi>::openapi()
    }

    async fn start(&self, _ctx: &AppContext) -> anyhow::Result<ModuleRuntime> {
        Ok(ModuleRuntime::routes(|_routes| {}))
    }
}
