//! `/health`, `/ready` and `/metrics`.

use crate::{config::Settings, db::Db, events::outbox, metrics::Metrics};
use actix_web::{web, HttpResponse};
use secrecy::ExposeSecret;
use serde::Serialize;
use std::{collections::BTreeMap, sync::Arc, time::Duration};

/// State the operations endpoints read.
pub struct Ops {
    pub settings: Arc<Settings>,
    /// Absent in a gateway-only build.
    pub db: Option<Db>,
    pub metrics: Metrics,
    /// Further dependencies to check (e.g. the gateway's upstream services).
    pub extra_checks: Vec<Arc<dyn ReadinessCheck>>,
    /// Schemas whose outboxes this process relays.
    pub schemas: Vec<&'static str>,
    pub started_at: std::time::Instant,
}

/// A dependency `/ready` asks.
#[async_trait::async_trait]
pub trait ReadinessCheck: Send + Sync {
    fn name(&self) -> String;
    async fn check(&self) -> CheckResult;
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    pub status: &'static str,
    pub version: &'static str,
    pub uptime_secs: u64,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Readiness {
    pub status: &'static str,
    pub checks: BTreeMap<String, CheckResult>,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/health", tag = "operations", responses((status = 200, body = Health)))]
pub async fn health(ops: web::Data<Ops>) -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        uptime_secs: ops.started_at.elapsed().as_secs(),
    })
}

/// Readiness: the database and every configured dependency answer, and outboxes keep up.
#[utoipa::path(get, path = "/ready", tag = "operations", responses(
    (status = 200, body = Readiness), (status = 503, body = Readiness)))]
pub async fn ready(ops: web::Data<Ops>) -> HttpResponse {
    let mut checks = BTreeMap::new();
    if let Some(db) = &ops.db {
        database_checks(db, &ops, &mut checks).await;
    }
    for check in &ops.extra_checks {
        checks.insert(check.name(), check.check().await);
    }
    dependency_checks(&ops, &mut checks).await;
    respond(checks)
}

async fn database_checks(db: &Db, ops: &Ops, checks: &mut BTreeMap<String, CheckResult>) {
    let db_ok = match tokio::time::timeout(Duration::from_secs(3), db.conn().ping()).await {
        Ok(Ok(())) => pass(None),
        Ok(Err(e)) => fail(format!("{e}")),
        Err(_) => fail("no answer within 3 s".to_owned()),
    };
    let database_up = db_ok.status == "up";
    checks.insert("database".to_owned(), db_ok);
    if database_up {
        let max_lag = ops.settings.ops.max_outbox_lag_secs as i64;
        for schema in &ops.schemas {
            let result = match outbox::stats(db.conn(), schema).await {
                Ok(stats) if stats.oldest_pending_age_secs > max_lag => fail(format!(
                    "{} pending, oldest {} s (limit {max_lag} s)",
                    stats.pending, stats.oldest_pending_age_secs
                )),
                Ok(stats) => pass(Some(format!(
                    "{} pending, oldest {} s, {} dead letters",
                    stats.pending, stats.oldest_pending_age_secs, stats.dead
                ))),
                Err(e) => fail(format!("{e}")),
            };
            checks.insert(format!("outbox.{schema}"), result);
        }
    }
}

async fn dependency_checks(ops: &Ops, checks: &mut BTreeMap<String, CheckResult>) {
    let settings = &ops.settings;
    // Redis is checked with PING by the cache's own readiness check.
    for (name, url) in [
        ("rabbitmq", settings.bus.amqp_url.expose_secret()),
        ("mongodb", settings.analytics.mongo_url.expose_secret()),
    ] {
        if !url.trim().is_empty() && !checks.contains_key(name) {
            checks.insert(name.to_owned(), reachable(url).await);
        }
    }
}

fn respond(checks: BTreeMap<String, CheckResult>) -> HttpResponse {
    let all_up = checks.values().all(|c| c.status == "up");
    let body = Readiness {
        status: if all_up { "ready" } else { "not_ready" },
        checks,
    };
    if all_up {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

pub fn pass(detail: Option<String>) -> CheckResult {
    CheckResult {
        status: "up",
        detail,
    }
}

pub fn fail(detail: String) -> CheckResult {
    CheckResult {
        status: "down",
        detail: Some(detail),
    }
}

/// A TCP reachability check for a dependency URL. The module that uses the dependency replaces
/// this with a protocol-level check when it has a client for it.
async fn reachable(url: &str) -> CheckResult {
    let Ok(parsed) = url::Url::parse(url) else {
        return fail("malformed URL".to_owned());
    };
    let host = parsed.host_str().unwrap_or("localhost").to_owned();
    let port = parsed
        .port_or_known_default()
        .unwrap_or(match parsed.scheme() {
            "redis" | "rediss" => 6379,
            "amqp" => 5672,
            "amqps" => 5671,
            _ => 27017,
        });
    match tokio::time::timeout(
        Duration::from_secs(2),
        tokio::net::TcpStream::connect((host.as_str(), port)),
    )
    .await
    {
        Ok(Ok(_)) => pass(Some(format!("tcp {host}:{port} reachable"))),
        Ok(Err(e)) => fail(format!("tcp {host}:{port}: {e}")),
        Err(_) => fail(format!("tcp {host}:{port}: timed out")),
    }
}

/// Prometheus text exposition; stored-state gauges are refreshed per scrape.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses(
    (status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub async fn metrics(ops: web::Data<Ops>) -> HttpResponse {
    let metrics = &ops.metrics;
    if let Some(db) = &ops.db {
        for schema in &ops.schemas {
            if let Ok(stats) = outbox::stats(db.conn(), schema).await {
                metrics
                    .outbox_pending
                    .with_label_values(&[schema])
                    .set(stats.pending);
                metrics
                    .outbox_dead_letters
                    .with_label_values(&[schema])
                    .set(stats.dead);
                metrics
                    .outbox_oldest_age_seconds
                    .with_label_values(&[schema])
                    .set(stats.oldest_pending_age_secs);
            }
        }
        let (in_use, idle) = db.pool_state();
        metrics
            .db_pool_connections
            .with_label_values(&["in_use"])
            .set(i64::from(in_use));
        metrics
            .db_pool_connections
            .with_label_values(&["idle"])
            .set(i64::from(idle));
    }
    match metrics.render() {
        Ok(text) => HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .body(text),
        Err(e) => {
            use actix_web::ResponseError;
            crate::error::ApiError::internal(anyhow::anyhow!("rendering metrics: {e}"))
                .error_response()
        }
    }
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(health, ready, metrics),
    components(schemas(Health, Readiness, CheckResult))
)]
pub struct OpsApi;
