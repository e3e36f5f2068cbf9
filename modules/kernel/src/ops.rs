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
#[utoipa::path(get, path = "/health", operation_id = "getHealth", tag = "operations", responses((status = 200, body = Health)))]
pub async fn health(ops: web::Data<Ops>) -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        uptime_secs: ops.started_at.elapsed().as_secs(),
    })
}

/// Readiness: the database and every configured dependency answer, and outboxes keep up.
#[utoipa::path(get, path = "/ready", operation_id = "getReadiness", tag = "operations", responses(
    (status = 200, body = Readiness), (status = 503, body = Readiness)))]
///
/// Each check says `up` or `down`; its detail (error text, outbox counts) is shown only when
/// `ops.ready_details` is on or an administrator asks.
pub async fn ready(ops: web::Data<Ops>, req: actix_web::HttpRequest) -> HttpResponse {
    let mut checks = BTreeMap::new();
    if let Some(db) = &ops.db {
        database_checks(db, &ops, &mut checks).await;
    }
    for check in &ops.extra_checks {
        checks.insert(check.name(), check.check().await);
    }
    dependency_checks(&ops, &mut checks).await;
    if !ops.settings.ops.ready_details && !crate::http::caller_is_admin(&req).await {
        for check in checks.values_mut() {
            if check.status == "down" {
                if let Some(detail) = &check.detail {
                    tracing::warn!(detail = %detail, "readiness check down");
                }
            }
            check.detail = None;
        }
    }
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
    let amqp = settings.bus.amqp_url.expose_secret();
    if !amqp.trim().is_empty() && !checks.contains_key("rabbitmq") {
        checks.insert("rabbitmq".to_owned(), reachable(amqp).await);
    }
    let mongo = settings.analytics.mongo_url.expose_secret();
    if !mongo.trim().is_empty() && !checks.contains_key("mongodb") {
        checks.insert(
            "mongodb".to_owned(),
            mongo_ping_within(mongo, settings.analytics.mongo_timeout()).await,
        );
    }
}

/// MongoDB answers a `ping` command (a TCP connect would pass for anything listening). One
/// client per URL is kept for the life of the process: a client holds its pool and server
/// monitoring, so each `/ready` does not connect anew.
pub async fn mongo_ping(url: &str) -> CheckResult {
    mongo_ping_within(url, Duration::from_secs(2)).await
}

/// [`mongo_ping`] with the server selection and connect timeout of the settings
/// (`analytics.mongo_timeout_ms`); the whole check gives up a second later.
pub async fn mongo_ping_within(url: &str, wait: Duration) -> CheckResult {
    static CLIENTS: std::sync::OnceLock<std::sync::Mutex<BTreeMap<String, mongodb::Client>>> =
        std::sync::OnceLock::new();
    let clients = CLIENTS.get_or_init(Default::default);
    let ping = async {
        let known = clients.lock().ok().and_then(|c| c.get(url).cloned());
        let client = match known {
            Some(client) => client,
            None => {
                let mut options = mongodb::options::ClientOptions::parse(url).await?;
                options.server_selection_timeout = Some(wait);
                options.connect_timeout = Some(wait);
                options
                    .app_name
                    .get_or_insert_with(|| "evdms-ready".to_owned());
                let client = mongodb::Client::with_options(options)?;
                if let Ok(mut c) = clients.lock() {
                    c.insert(url.to_owned(), client.clone());
                }
                client
            }
        };
        client
            .database("admin")
            .run_command(mongodb::bson::doc! { "ping": 1 })
            .await?;
        anyhow::Ok(())
    };
    let limit = wait + Duration::from_secs(1);
    match tokio::time::timeout(limit, ping).await {
        Ok(Ok(())) => pass(Some("ping answered".to_owned())),
        Ok(Err(e)) => fail(format!("ping: {e}")),
        Err(_) => fail(format!("ping: no answer within {} ms", limit.as_millis())),
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
/// this with a protocol-level check when it has a client for it (MongoDB: [`mongo_ping`]).
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
#[utoipa::path(get, path = "/metrics", operation_id = "getMetrics", tag = "operations", responses(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_mongodb_check_fails_fast_when_nothing_answers() {
        let started = std::time::Instant::now();
        let result = mongo_ping("mongodb://127.0.0.1:1").await;
        assert_eq!(result.status, "down", "{:?}", result.detail);
        assert!(started.elapsed() < Duration::from_secs(4));
    }

    #[tokio::test]
    async fn a_mongodb_check_is_not_fooled_by_a_listening_port() {
        // Anything accepting TCP passed the old reachability check; a ping needs MongoDB.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accept = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        assert_eq!(
            reachable(&format!("mongodb://127.0.0.1:{port}"))
                .await
                .status,
            "up"
        );
        let result = mongo_ping(&format!("mongodb://127.0.0.1:{port}")).await;
        assert_eq!(result.status, "down", "{:?}", result.detail);
        accept.abort();
    }

    #[tokio::test]
    async fn a_mongodb_check_passes_when_the_server_answers_ping() {
        let Some(url) = crate::testing::service_url("EVDMS_TEST_MONGO_URL") else {
            eprintln!("skipped: EVDMS_TEST_MONGO_URL not set");
            return;
        };
        let result = mongo_ping(&url).await;
        assert_eq!(result.status, "up", "{:?}", result.detail);
        // The second check reuses the client.
        assert_eq!(mongo_ping(&url).await.status, "up");
    }
}
