//! The gateway (feature `gateway`): prefixes of the routing table whose module this process does
//! not host are proxied to `services.<module>.url`, keeping the Authorization header and the
//! request id. Token checks stay in the services. Response bodies are streamed through, so
//! event streams (`Accept: text/event-stream`, which have no time limit) pass as they come.

use crate::routes::{PrefixRoute, API_PREFIX};
use actix_web::{web, HttpRequest, HttpResponse};
use anyhow::Context;
use kernel::config::Settings;
use kernel::{
    error::ErrorKind,
    ops::{fail, pass, CheckResult, ReadinessCheck},
    ApiError,
};
use std::{collections::BTreeMap, sync::Arc, time::Duration};

/// Headers that describe one hop, not the message (RFC 9110 §7.6.1), plus ones we recompute.
/// Longest wait for an upstream's whole answer (event streams excepted).
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(30);

const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
];

pub struct Gateway {
    client: reqwest::Client,
    services: BTreeMap<String, url::Url>,
}

impl Gateway {
    /// A gateway for the configured services this process does not host; `None` if there are none.
    pub fn from_settings(settings: &Settings, local: &[&str]) -> anyhow::Result<Option<Self>> {
        let mut services = BTreeMap::new();
        for (module, endpoint) in &settings.services {
            if local.contains(&module.as_str()) {
                continue;
            }
            let url =
                url::Url::parse(&endpoint.url).with_context(|| format!("services.{module}.url"))?;
            services.insert(module.clone(), url);
        }
        if services.is_empty() {
            return Ok(None);
        }
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Some(Self { client, services }))
    }

    pub fn serves(&self, module: &str) -> bool {
        self.services.contains_key(module)
    }

    /// `/ready` of the gateway asks each upstream's `/health`.
    pub fn readiness_checks(&self) -> Vec<Arc<dyn ReadinessCheck>> {
        self.services
            .iter()
            .map(|(module, url)| {
                Arc::new(UpstreamCheck {
                    module: module.clone(),
                    url: url.clone(),
                    client: self.client.clone(),
                }) as Arc<dyn ReadinessCheck>
            })
            .collect()
    }
}

struct UpstreamCheck {
    module: String,
    url: url::Url,
    client: reqwest::Client,
}

#[async_trait::async_trait]
impl ReadinessCheck for UpstreamCheck {
    fn name(&self) -> String {
        format!("service.{}", self.module)
    }

    async fn check(&self) -> CheckResult {
        let Ok(url) = self.url.join("/health") else {
            return fail("bad service URL".to_owned());
        };
        match self
            .client
            .get(url)
            .timeout(Duration::from_secs(3))
            .send()
            .await
        {
            Ok(r) if r.status().is_success() => pass(None),
            Ok(r) => fail(format!("health answered {}", r.status())),
            Err(e) => fail(e.to_string()),
        }
    }
}

/// Mounts the proxy for one prefix (the prefix itself and everything below it).
pub fn mount(cfg: &mut web::ServiceConfig, prefix: &PrefixRoute, gateway: web::Data<Gateway>) {
    let module = prefix.module;
    for path in [
        prefix.prefix.to_owned(),
        format!("{}/{{tail:.*}}", prefix.prefix),
    ] {
        let gateway = gateway.clone();
        cfg.route(
            &path,
            web::route().to(move |req: HttpRequest, body: web::Bytes| {
                let gateway = gateway.clone();
                async move { forward(&gateway, module, req, body).await }
            }),
        );
    }
}

async fn forward(
    gateway: &Gateway,
    module: &str,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let base = gateway.services.get(module).ok_or_else(|| {
        ApiError::new(
            ErrorKind::ServiceUnavailable,
            format!("no service URL for {module}"),
        )
    })?;
    let mut url = base.clone();
    url.set_path(req.path());
    url.set_query(req.uri().query());
    debug_assert!(req.path().starts_with(API_PREFIX));
    let method = reqwest::Method::from_bytes(req.method().as_str().as_bytes())
        .map_err(|_| ApiError::bad_request("unsupported method"))?;
    let mut upstream = gateway.client.request(method, url);
    if !wants_event_stream(&req) {
        upstream = upstream.timeout(UPSTREAM_TIMEOUT);
    }
    for (name, value) in req.headers() {
        if !HOP_BY_HOP.contains(&name.as_str()) {
            upstream = upstream.header(name.as_str(), value.as_bytes());
        }
    }
    if let Some(id) = kernel::http::current_request_id() {
        upstream = upstream.header(kernel::http::REQUEST_ID_HEADER, id);
    }
    if let Some(peer) = req.peer_addr() {
        upstream = upstream.header("x-forwarded-for", peer.ip().to_string());
    }
    let response = upstream.body(body.to_vec()).send().await.map_err(|e| {
        tracing::warn!(module, error = %e, "upstream unreachable");
        ApiError::new(
            ErrorKind::BadGateway,
            format!("the {module} service did not answer"),
        )
    })?;
    let status = actix_web::http::StatusCode::from_u16(response.status().as_u16())
        .map_err(|e| ApiError::internal(anyhow::anyhow!("upstream status: {e}")))?;
    let mut builder = HttpResponse::build(status);
    for (name, value) in response.headers() {
        if !HOP_BY_HOP.contains(&name.as_str()) && name.as_str() != kernel::http::REQUEST_ID_HEADER
        {
            builder.append_header((name.as_str(), value.as_bytes()));
        }
    }
    let module = module.to_owned();
    let body = futures_util::StreamExt::map(response.bytes_stream(), move |chunk| {
        chunk.map_err(|e| {
            tracing::warn!(module, error = %e, "upstream broke off");
            actix_web::error::ErrorBadGateway(format!("the {module} service broke off"))
        })
    });
    Ok(builder.streaming(body))
}

/// Whether the client asks for an event stream (browsers' EventSource always says so).
fn wants_event_stream(req: &HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/event-stream"))
}
