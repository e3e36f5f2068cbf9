//! `Application::build`: connect, migrate, start modules, check the wiring, start relays, bind.

use crate::{modules::EnabledModule, openapi, routes};
use actix_web::{dev::Server, middleware::from_fn, web, App, HttpServer};
use anyhow::Context;
use kernel::{
    auth::Authenticator,
    config::{Environment, Settings},
    db::Db,
    events::{self, EventHandler},
    http,
    metrics::Metrics,
    migrate,
    module::{AppContext, RoutesFn},
    ops::Ops,
    RouteTable,
};
use secrecy::ExposeSecret;
use std::{net::TcpListener, sync::Arc, time::Duration};
use tokio::{sync::watch, task::JoinHandle};
use utoipa_swagger_ui::SwaggerUi;

pub struct Application {
    port: u16,
    server: Server,
    shutdown: watch::Sender<bool>,
    draining: watch::Sender<bool>,
    background: Vec<JoinHandle<()>>,
}

/// Stops a running [`Application`]: first ends its long-lived responses (event streams), then
/// stops the HTTP server (gracefully: in-flight requests finish).
#[derive(Clone)]
pub struct StopHandle {
    server: actix_web::dev::ServerHandle,
    draining: watch::Sender<bool>,
}

impl StopHandle {
    pub async fn stop(&self, graceful: bool) {
        self.draining.send_replace(true);
        self.server.stop(graceful).await;
    }
}

/// What the HTTP workers share.
#[derive(Clone)]
struct HttpState {
    settings: Arc<Settings>,
    ops: web::Data<Ops>,
    /// For kernel middleware that needs the database (Idempotency-Key).
    db: Option<web::Data<Db>>,
    metrics: web::Data<Metrics>,
    rate_limiter: web::Data<kernel::rate_limit::RateLimiter>,
    authenticator: Option<web::Data<dyn Authenticator>>,
    module_routes: Vec<RoutesFn>,
    local_modules: Vec<&'static str>,
    openapi: utoipa::openapi::OpenApi,
    #[cfg(feature = "gateway")]
    gateway: Option<web::Data<crate::gateway::Gateway>>,
}

impl Application {
    /// Builds everything and binds the listener (port 0 picks a free port).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let settings = Arc::new(settings);
        let modules = crate::modules::hosted(&settings);
        let metrics = Metrics::new().context("registering metrics")?;
        let (shutdown, shutdown_rx) = watch::channel(false);
        let (draining, draining_rx) = watch::channel(false);
        let mut background = Vec::new();

        let schemas: Vec<&'static str> = modules.iter().map(EnabledModule::name).collect();
        let db = connect_and_migrate(&settings, &modules).await?;
        let strict_cache = kernel::cache::connect_with(
            settings.cache.redis_url.expose_secret(),
            &settings.cache.key_prefix,
            settings.cache.timeout(),
        )
        .await?;
        // Modules get the cache that fails open while Redis is down (see kernel::cache).
        let cache: Arc<dyn kernel::cache::Cache> = Arc::new(kernel::cache::FailOpen::new(
            strict_cache.clone(),
            Some(metrics.cache_errors.clone()),
        ));

        let mut module_routes = Vec::new();
        let mut handlers: Vec<Arc<dyn EventHandler>> = Vec::new();
        let mut authenticator: Option<Arc<dyn Authenticator>> = None;
        let mut docs = Vec::new();
        let mut bus_readiness = Vec::new();
        if let Some(db) = &db {
            let ctx = AppContext {
                settings: settings.clone(),
                db: db.clone(),
                metrics: metrics.clone(),
                cache: cache.clone(),
                shutdown: shutdown_rx.clone(),
                draining: draining_rx.clone(),
            };
            for enabled in &modules {
                let module = &enabled.module;
                let runtime = module
                    .start(&ctx)
                    .await
                    .with_context(|| format!("starting module {}", module.name()))?;
                let doc = module.openapi();
                let mut table = RouteTable::new();
                (runtime.routes)(&mut table);
                openapi::check_module_routes(module.name(), &table.specs(), &doc)?;
                docs.push(doc);
                module_routes.push(runtime.routes);
                handlers.extend(runtime.handlers);
                background.extend(runtime.tasks);
                if runtime.authenticator.is_some() {
                    authenticator = runtime.authenticator;
                }
            }
            check_events(&modules, &handlers)?;
            if settings.seed.on_start && settings.env == Environment::Development {
                seed(&ctx, &modules).await?;
            }
            let bus =
                crate::bus::start(&settings, &modules, db, &handlers, &metrics, &shutdown_rx)?;
            background.extend(bus.tasks);
            bus_readiness = bus.readiness;
            let admin = web::Data::new(crate::admin::AdminState {
                db: db.clone(),
                schemas: schemas.clone(),
                broker: bus.broker,
                lags: bus.lags,
            });
            let doc = <crate::admin::ApiDoc as utoipa::OpenApi>::openapi();
            let admin_routes: RoutesFn =
                Arc::new(move |routes| crate::admin::routes(routes, admin.clone()));
            let mut table = RouteTable::new();
            admin_routes(&mut table);
            openapi::check_module_routes(routes::PLATFORM, &table.specs(), &doc)?;
            docs.push(doc);
            module_routes.push(admin_routes);
        }

        if authenticator.is_none() {
            // A service without the auth module verifies tokens with the auth service's JWKS.
            if let Some(auth) = settings.services.get(contracts::modules::AUTH) {
                let url = format!(
                    "{}/api/v1/auth/.well-known/jwks.json",
                    auth.url.trim_end_matches('/')
                );
                let revocations = remote_revocations(&settings, &auth.url)?;
                background.push(
                    revocations.spawn(settings.auth.revocation_refresh(), shutdown_rx.clone()),
                );
                let verifier = kernel::tokens::TokenVerifier::new(
                    &settings.auth.issuer,
                    &settings.auth.audience,
                    cache.clone(),
                )
                .with_remote_jwks(url)
                .with_revocations(revocations);
                authenticator = Some(Arc::new(verifier));
            }
        }

        #[cfg(feature = "gateway")]
        let gateway =
            crate::gateway::Gateway::from_settings(&settings, &schemas)?.map(web::Data::new);
        let mut ops = Ops {
            settings: settings.clone(),
            db: db.clone(),
            metrics: metrics.clone(),
            schemas: schemas.clone(),
            started_at: std::time::Instant::now(),
            extra_checks: Vec::new(),
        };
        ops.extra_checks.extend(bus_readiness);
        if cache.backend() == "redis" {
            ops.extra_checks
                .push(Arc::new(kernel::cache::CacheCheck(strict_cache.clone())));
        }
        #[cfg(feature = "gateway")]
        if let Some(gateway) = &gateway {
            ops.extra_checks.extend(gateway.readiness_checks());
        }
        let state = HttpState {
            settings: settings.clone(),
            ops: web::Data::new(ops),
            db: db.clone().map(web::Data::new),
            metrics: web::Data::new(metrics),
            rate_limiter: web::Data::new(kernel::rate_limit::RateLimiter {
                cache: cache.clone(),
                per_ip: settings.server.rate_limit_per_ip,
                per_user: settings.server.rate_limit_per_user,
                window: Duration::from_secs(settings.server.rate_limit_window_secs.max(1)),
                trust_forwarded_for: settings.server.trust_forwarded_for,
            }),
            authenticator: authenticator.map(web::Data::from),
            module_routes,
            local_modules: schemas,
            openapi: openapi::document(&docs),
            #[cfg(feature = "gateway")]
            gateway,
        };

        let listener = TcpListener::bind(settings.listen_address())
            .with_context(|| format!("binding {}", settings.listen_address()))?;
        let port = listener.local_addr()?.port();
        let workers = settings.server.workers;
        let shutdown_timeout = settings.server.shutdown_timeout_secs;
        // Signals are ours (see `run_until_stopped`): streams must end before the drain starts.
        let mut server = HttpServer::new(move || app(state.clone()))
            .shutdown_timeout(shutdown_timeout)
            .disable_signals()
            .listen(listener)?;
        if workers > 0 {
            server = server.workers(workers);
        }
        tracing::info!(port, env = settings.env.as_str(), database = %settings.database_kind()?, "listening");
        Ok(Self {
            port,
            server: server.run(),
            shutdown,
            draining,
            background,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server (graceful or not) from elsewhere, e.g. a test.
    pub fn handle(&self) -> StopHandle {
        StopHandle {
            server: self.server.handle(),
            draining: self.draining.clone(),
        }
    }

    /// Serves until SIGTERM/SIGINT (or a handle stops it), then stops the relays.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let handle = self.handle();
        let signals = tokio::spawn(async move {
            stop_signal().await;
            tracing::info!("stopping");
            handle.stop(true).await;
        });
        let result = self.server.await;
        signals.abort();
        self.draining.send_replace(true);
        self.shutdown.send_replace(true);
        for task in self.background {
            // A relay finishes its current delivery; a stuck one is abandoned (its lease expires).
            if tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .is_err()
            {
                tracing::warn!("a background task did not stop within 10 s");
            }
        }
        tracing::info!("stopped");
        Ok(result?)
    }
}

/// The auth service's revocation feed as this process's revocation list (a service that
/// verifies tokens without the auth module). Needs the deployment's internal key.
fn remote_revocations(
    settings: &Settings,
    auth_url: &str,
) -> anyhow::Result<Arc<kernel::revocation::RevocationList>> {
    let key = kernel::internal::key(settings).ok_or_else(|| {
        anyhow::anyhow!(
            "{}: this service verifies tokens without the auth module and reads revoked tokens from the auth service's feed, which needs the deployment's shared internal key",
            kernel::internal::CONFIG_KEY
        )
    })?;
    let url = format!("{}/api/v1/auth/revocations", auth_url.trim_end_matches('/'));
    let source = kernel::revocation::HttpRevocationSource::new(url, key);
    Ok(Arc::new(kernel::revocation::RevocationList::new(Arc::new(
        source,
    ))))
}

/// SIGINT (Ctrl-C) or, on Unix, SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn app(
    state: HttpState,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let cors = state
        .settings
        .server
        .cors_origins
        .iter()
        .fold(actix_cors::Cors::default(), |cors, origin| {
            cors.allowed_origin(origin)
        })
        .allow_any_method()
        .allow_any_header()
        .expose_headers(["x-request-id", "etag", "retry-after", "location"])
        .max_age(3600);
    // Innermost first: the input policy and the operations guard run only for requests the
    // limiter lets through; the limiter's 429s still get CORS headers, a request id and metrics;
    // every response, whoever made it, gets the security headers.
    let mut app = App::new()
        .wrap(from_fn(kernel::input::enforce))
        .wrap(from_fn(http::guard_operations))
        .wrap(from_fn(kernel::rate_limit::limit_per_address))
        .wrap(cors)
        .wrap(from_fn(http::observe_request))
        .wrap(from_fn(http::security_headers))
        .app_data(web::Data::new(http::EdgePolicy::from_settings(
            &state.settings,
        )))
        .app_data(web::Data::new(kernel::input::InputPolicy {
            json_limit_bytes: state.settings.server.json_limit_bytes,
        }))
        .app_data(state.rate_limiter.clone())
        .app_data(http::json_config(state.settings.server.json_limit_bytes))
        .app_data(http::query_config())
        .app_data(http::path_config())
        .app_data(state.ops.clone())
        .app_data(state.metrics.clone());
    if let Some(db) = &state.db {
        app = app.app_data(db.clone());
    }
    if let Some(authenticator) = &state.authenticator {
        app = app.app_data(authenticator.clone());
    }
    let module_routes = state.module_routes.clone();
    let local_modules = state.local_modules.clone();
    #[cfg(feature = "gateway")]
    let gateway = state.gateway.clone();
    app.route("/health", web::get().to(kernel::ops::health))
        .route("/ready", web::get().to(kernel::ops::ready))
        .route("/metrics", web::get().to(kernel::ops::metrics))
        .service(SwaggerUi::new("/docs/{_:.*}").url(http::OPENAPI_PATH, state.openapi.clone()))
        .service(web::scope(routes::API_PREFIX).configure(move |cfg| {
            for build in &module_routes {
                let mut table = RouteTable::new();
                build(&mut table);
                table.configure(cfg);
            }
            for prefix in routes::TABLE
                .iter()
                .filter(|r| !local_modules.contains(&r.module))
            {
                #[cfg(feature = "gateway")]
                if let Some(gateway) = &gateway {
                    if gateway.serves(prefix.module) {
                        crate::gateway::mount(cfg, prefix, gateway.clone());
                        continue;
                    }
                }
                mount_unavailable(cfg, prefix);
            }
        }))
        .default_service(web::to(http::not_found))
}

/// A prefix whose module is neither here nor reachable through the gateway: 503, not 404.
fn mount_unavailable(cfg: &mut web::ServiceConfig, prefix: &routes::PrefixRoute) {
    let module = prefix.module;
    let handler = move || async move {
        Err::<actix_web::HttpResponse, _>(kernel::ApiError::new(
            kernel::error::ErrorKind::ServiceUnavailable,
            format!("the {module} module is not served by this process"),
        ))
    };
    cfg.route(prefix.prefix, web::route().to(handler));
    cfg.route(
        &format!("{}/{{tail:.*}}", prefix.prefix),
        web::route().to(handler),
    );
}

/// Connects (if any module is hosted) and applies or checks migrations.
async fn connect_and_migrate(
    settings: &Settings,
    modules: &[EnabledModule],
) -> anyhow::Result<Option<Db>> {
    if modules.is_empty() {
        return Ok(None);
    }
    let schemas: Vec<&str> = modules.iter().map(EnabledModule::name).collect();
    let db = kernel::db::connect(&settings.database_kind()?, &settings.database, &schemas).await?;
    for module in modules {
        if settings.database.run_migrations {
            migrate::up(&db, &module.migrations, None).await?;
        } else {
            let status = migrate::status(&db, &module.migrations).await?;
            if let Some(pending) = status.iter().find(|m| m.applied_at.is_none()) {
                anyhow::bail!(
                    "schema {} has pending migration {} and database.run_migrations is off; run `evdms migrate up`",
                    module.name(),
                    pending.name
                );
            }
        }
    }
    Ok(Some(db))
}

fn check_events(
    modules: &[EnabledModule],
    handlers: &[Arc<dyn EventHandler>],
) -> anyhow::Result<()> {
    let publications: Vec<(&str, &[&str])> = modules
        .iter()
        .map(|m| (m.name(), m.module.publishes()))
        .collect();
    events::check_registrations(events::registry(), &publications, handlers)?;
    for handler in handlers {
        if !modules.iter().any(|m| m.name() == handler.schema()) {
            anyhow::bail!(
                "handler `{}` keeps its inbox in `{}`, which this build does not host",
                handler.name(),
                handler.schema()
            );
        }
    }
    Ok(())
}

async fn seed(ctx: &AppContext, modules: &[EnabledModule]) -> anyhow::Result<()> {
    for module in modules {
        module
            .module
            .seed(ctx)
            .await
            .with_context(|| format!("seeding {}", module.name()))?;
    }
    Ok(())
}

/// Seeds every hosted module (for `evdms seed`).
pub async fn seed_all(settings: Settings) -> anyhow::Result<()> {
    anyhow::ensure!(
        settings.env != Environment::Production,
        "demo data is never seeded in production"
    );
    let settings = Arc::new(settings);
    let modules = crate::modules::hosted(&settings);
    let Some(db) = connect_and_migrate(&settings, &modules).await? else {
        anyhow::bail!("this build hosts no module");
    };
    let cache = kernel::cache::connect(
        settings.cache.redis_url.expose_secret(),
        &settings.cache.key_prefix,
    )
    .await?;
    // Seeding runs no background jobs, so nothing ever signals this.
    let (_stop, shutdown) = watch::channel(false);
    let ctx = AppContext {
        settings,
        db,
        metrics: Metrics::new()?,
        cache,
        draining: shutdown.clone(),
        shutdown,
    };
    seed(&ctx, &modules).await
}
