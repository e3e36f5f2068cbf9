//! Read models and reports fed by events.
//!
//! Owns the `report` schema. Talks to other modules only through `contracts` events.

pub mod domain;
use kernel::{AppContext, Module, ModuleRuntime};
use std::sync::Arc;

pub struct ReportModule;

/// The module as the binary mounts it.
pub fn module() -> Arc<dyn Module> {
    Arc::new(ReportModule)
}

#[derive(utoipa::OpenApi)]
#[openapi(tags((name = "report", description = "Read models and reports fed by events.")))]
struct ApiDoc;

#[async_trait::async_trait]
impl Module for ReportModule {
    fn name(&self) -> &'static str {
        contracts::modules::REPORT
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        <ApiDoc as utoipa::OpenApi>::openapi()
    }

    async fn start(&self, _ctx: &AppContext) -> anyhow::Result<ModuleRuntime> {
        Ok(ModuleRuntime::routes(|_routes| {}))
    }
}
