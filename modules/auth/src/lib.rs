//! Auth module: users, roles, sessions with rotating refresh tokens, Ed25519 access tokens with
//! a JWKS, service clients, password reset, login throttling and the security audit trail.
//!
//! Owns the `auth` schema. Talks to other modules only through `contracts` events.

pub mod api;
pub mod app;
pub mod domain;
pub mod events;
pub mod keys;
pub mod passwords;
pub mod store;
pub mod throttle;
pub mod tokens;

use actix_web::web;
use contracts::events::{auth as published, IntegrationEvent};
use kernel::{AppContext, Module, ModuleRuntime};
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;

pub struct AuthModule;

/// The module as the binary mounts it.
pub fn module() -> Arc<dyn Module> {
    Arc::new(AuthModule)
}

const PUBLISHES: &[&str] = &[
    published::UserRegistered::NAME,
    published::PasswordResetRequested::NAME,
    published::UserDeactivated::NAME,
];

async fn services(ctx: &AppContext) -> anyhow::Result<web::Data<app::Services>> {
    let services =
        app::Services::new(ctx.db.clone(), ctx.settings.clone(), ctx.cache.clone()).await?;
    Ok(web::Data::new(services))
}

#[async_trait::async_trait]
impl Module for AuthModule {
    fn name(&self) -> &'static str {
        contracts::modules::AUTH
    }

    fn openapi(&self) -> utoipa::openapi::OpenApi {
        <api::ApiDoc as utoipa::OpenApi>::openapi()
    }

    fn publishes(&self) -> &'static [&'static str] {
        PUBLISHES
    }

    async fn start(&self, ctx: &AppContext) -> anyhow::Result<ModuleRuntime> {
        let state = services(ctx).await?;
        // Revocations recorded before this start (or by other processes) are refused from the
        // first request on, and learnt within `auth.revocation_refresh_ms` afterwards.
        state.revocations.refresh().await?;
        let tasks = vec![
            state
                .revocations
                .spawn(ctx.settings.auth.revocation_refresh(), ctx.shutdown.clone()),
            tokio::spawn(app::revocations::prune_job(
                ctx.db.clone(),
                ctx.shutdown.clone(),
            )),
        ];
        let authenticator: Arc<dyn kernel::auth::Authenticator> = state.verifier.clone();
        let mut runtime = ModuleRuntime::routes(move |routes| api::routes(routes, state.clone()))
            .with_handlers(vec![Arc::new(events::BranchDirectory)])
            .with_tasks(tasks);
        runtime.authenticator = Some(authenticator);
        Ok(runtime)
    }

    /// The six demo accounts (docs/architecture.md, "Data": seed; idempotent), printed with
    /// their password.
    async fn seed(&self, ctx: &AppContext) -> anyhow::Result<()> {
        let services = services(ctx).await?;
        let password =
            SecretString::from(ctx.settings.seed.dev_password.expose_secret().to_owned());
        // The demo branches, as `dealer.branch_opened.v1` will tell (the demo users work there).
        let txn = services.db.begin().await?;
        for (branch, dealer) in [
            (
                contracts::seed::DEALER_A_MAIN_BRANCH,
                contracts::seed::DEALER_A,
            ),
            (
                contracts::seed::DEALER_B_MAIN_BRANCH,
                contracts::seed::DEALER_B,
            ),
        ] {
            app::directory::branch_opened(&*txn, branch, dealer).await?;
        }
        txn.commit().await?;
        let mut created = 0;
        for ((email, name, role, dealer, branch), id) in contracts::seed::DEMO_USERS
            .into_iter()
            .zip(contracts::seed::DEMO_USER_IDS)
        {
            let role: kernel::Role = role.parse().map_err(anyhow::Error::msg)?;
            let demo = app::users::DemoUser {
                id,
                email,
                name,
                role,
                dealer_id: dealer,
                branch_id: branch,
            };
            if app::users::seed(&services, demo, password.clone()).await? {
                created += 1;
            }
        }
        tracing::info!(created, "seeded demo users");
        if ctx.settings.env == kernel::config::Environment::Development {
            let accounts: Vec<String> = contracts::seed::DEMO_USERS
                .iter()
                .map(|(email, _, role, _, _)| format!("{email} ({role})"))
                .collect();
            tracing::info!(
                "development accounts, password `{}`: {}",
                ctx.settings.seed.dev_password.expose_secret(),
                accounts.join(", ")
            );
        }
        Ok(())
    }
}
