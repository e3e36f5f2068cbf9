//! Catalog, pricing, OEM stock, dealer orders, contracts and invoices.
//!
//! Owns the `manufacturer` schema. Talks to other modules only through `contracts` events.

use kernel::{AppContext, Module, ModuleRuntime};
use std::sync::Arc;

pub struct ManufacturerModule;

/// The module as the binary mounts it.
pub fn module() -> Arc<dyn Module> {
    Arc::new(ManufacturerModule)
}

#[derive(utoipa::OpenApi)]
#[openapi(tags((name = "manufacturer", description = "Catalog, pricing, OEM stock, dealer orders, contracts and invoices.")))]
struct ApiDoc;

#[async_trait::async_trait]
impl Module for ManufacturerModule {
    fn name(&self) -> &'static str {
        contracts::modules::MANUFACTURER
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        <ApiDoc as utoipa::OpenApi>::openapi()
    }

    async fn start(&self, _ctx: &AppContext) -> anyhow::Result<ModuleRuntime> {
        Ok(ModuleRuntime::routes(|_routes| {}))
    }
}
