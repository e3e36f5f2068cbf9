//! The contract between the binary and a module crate.

use crate::{
    auth::Authenticator, cache::Cache, config::Settings, db::Db, events::EventHandler,
    metrics::Metrics, routing::RouteTable,
};
use std::sync::Arc;

/// What every module gets at start-up.
#[derive(Clone)]
pub struct AppContext {
    pub settings: Arc<Settings>,
    pub db: Db,
    pub metrics: Metrics,
    /// Denylist, throttling, short-lived shared state (Redis or in-process).
    pub cache: Arc<dyn Cache>,
    /// Turns `true` when the process stops: background jobs finish their step and return.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
    /// Turns `true` as soon as the server starts to stop (before in-flight requests drain):
    /// long-lived responses such as event streams end, so the graceful stop need not wait out
    /// its timeout for them.
    pub draining: tokio::sync::watch::Receiver<bool>,
}

/// Builds a module's routes; called once per HTTP worker.
pub type RoutesFn = Arc<dyn Fn(&mut RouteTable) + Send + Sync>;

/// A started module: its routes, its event handlers, and what it offers the kernel.
pub struct ModuleRuntime {
    pub routes: RoutesFn,
    pub handlers: Vec<Arc<dyn EventHandler>>,
    /// Set by the module that verifies tokens (auth); used by every route guard.
    pub authenticator: Option<Arc<dyn Authenticator>>,
    /// Background jobs the module spawned; awaited (bounded) on shutdown.
    pub tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl ModuleRuntime {
    /// A module with routes and nothing else.
    pub fn routes(routes: impl Fn(&mut RouteTable) + Send + Sync + 'static) -> Self {
        Self {
            routes: Arc::new(routes),
            handlers: Vec::new(),
            authenticator: None,
            tasks: Vec::new(),
        }
    }

    pub fn with_tasks(mut self, tasks: Vec<tokio::task::JoinHandle<()>>) -> Self {
        self.tasks = tasks;
        self
    }

    pub fn with_handlers(mut self, handlers: Vec<Arc<dyn EventHandler>>) -> Self {
        self.handlers = handlers;
        self
    }
}

#[async_trait::async_trait]
pub trait Module: Send + Sync {
    /// Module name; also its schema.
    fn name(&self) -> &'static str;

    /// The module's OpenAPI paths and schemas (paths relative to the server root).
    fn openapi(&self) -> utoipa::openapi::OpenApi;

    /// Registered event names this module publishes.
    fn publishes(&self) -> &'static [&'static str] {
        &[]
    }

    /// Builds the module's state, routes and handlers. Runs after migrations.
    async fn start(&self, ctx: &AppContext) -> anyhow::Result<ModuleRuntime>;

    /// Writes the demo data (development and `evdms seed` only). Must be idempotent.
    async fn seed(&self, _ctx: &AppContext) -> anyhow::Result<()> {
        Ok(())
    }
}
