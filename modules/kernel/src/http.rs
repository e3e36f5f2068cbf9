//! HTTP edge shared by every module: request id, the per-request span and metrics, extractor
//! configuration that turns bad input into problem+json, and the 404/405 fallbacks.

use crate::{
    error::{ApiError, ErrorKind},
    metrics::Metrics,
};
use actix_web::{
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    error::{JsonPayloadError, PathError, QueryPayloadError},
    http::header::{HeaderName, HeaderValue},
    middleware::Next,
    web, HttpRequest, HttpResponse,
};
use std::time::Instant;
use tracing::Instrument;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// What error responses need to know about the request being served.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub request_id: String,
    pub path: String,
}

tokio::task_local! {
    static REQUEST_CONTEXT: RequestContext;
}

/// The request being served by this task, if any.
pub fn request_context() -> Option<RequestContext> {
    REQUEST_CONTEXT.try_with(Clone::clone).ok()
}

/// The current request id, for events and outgoing calls.
pub fn current_request_id() -> Option<String> {
    REQUEST_CONTEXT.try_with(|c| c.request_id.clone()).ok()
}

/// Accepts a sane incoming `X-Request-Id` or makes one; echoes it; opens the request span;
/// records the request in the metrics under its route template.
pub async fn observe_request(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let request_id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let span = tracing::info_span!(
        "http_request",
        request_id = %request_id,
        method = %method,
        route = tracing::field::Empty,
        status = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
    );
    let context = RequestContext {
        request_id: request_id.clone(),
        path,
    };
    let started = Instant::now();
    let result = REQUEST_CONTEXT
        .scope(context, next.call(req).instrument(span.clone()))
        .await;
    let elapsed = started.elapsed();
    let mut response = match result {
        Ok(response) => response,
        Err(error) => return Err(error),
    };
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let status = response.status().as_u16();
    span.record("route", route.as_str());
    span.record("status", status);
    span.record("latency_ms", elapsed.as_secs_f64() * 1000.0);
    span.in_scope(|| {
        if status >= 500 {
            tracing::error!("request served");
        } else {
            tracing::info!("request served");
        }
    });
    if let Some(metrics) = metrics {
        metrics.observe_http(&method, &route, status, elapsed);
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    Ok(response)
}

/// JSON bodies: malformed → 400, wrong content type → 415, too large → 413, wrong shape → 422.
pub fn json_config(limit_bytes: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit_bytes)
        .content_type_required(true)
        .error_handler(|error, _req| json_error(error).into())
}

fn json_error(error: JsonPayloadError) -> ApiError {
    match error {
        JsonPayloadError::ContentType => ApiError::new(
            ErrorKind::UnsupportedMediaType,
            "the body must be JSON (Content-Type: application/json)",
        ),
        JsonPayloadError::OverflowKnownLength { length, limit } => ApiError::new(
            ErrorKind::PayloadTooLarge,
            format!("the body has {length} bytes; the limit is {limit}"),
        ),
        JsonPayloadError::Overflow { limit } => ApiError::new(
            ErrorKind::PayloadTooLarge,
            format!("the body exceeds the limit of {limit} bytes"),
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => ApiError::new(
            ErrorKind::Validation,
            format!("the body does not match the expected shape: {e}"),
        ),
        JsonPayloadError::Deserialize(e) => ApiError::bad_request(format!("malformed JSON: {e}")),
        other => ApiError::bad_request(format!("unreadable body: {other}")),
    }
}

/// Query strings that do not parse → 400 naming the problem.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error: QueryPayloadError, _req| {
        ApiError::bad_request(format!("invalid query: {error}")).into()
    })
}

/// Path parameters that do not parse (e.g. a malformed id) → 404: no such resource can exist.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_error: PathError, _req| {
        ApiError::not_found("no resource at this path").into()
    })
}

/// Fallback for unmatched routes.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found(format!(
        "no route for {} {}",
        req.method(),
        req.path()
    )))
}

/// Used as the default of a resource to answer 405 instead of 404 for a known path. Prefer
/// [`method_not_allowed_for`], which names the allowed methods in `Allow` (RFC 9110 §15.5.6).
pub async fn method_not_allowed(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::new(
        ErrorKind::MethodNotAllowed,
        format!("{} is not allowed on {}", req.method(), req.path()),
    ))
}

/// A 405 handler for a resource serving `methods`: problem+json with an `Allow` header.
pub fn method_not_allowed_for(
    methods: &[actix_web::http::Method],
) -> impl Fn(HttpRequest) -> std::future::Ready<HttpResponse> + Clone + 'static {
    let mut names: Vec<&str> = methods
        .iter()
        .map(actix_web::http::Method::as_str)
        .collect();
    names.sort_unstable();
    names.dedup();
    let allow = names.join(", ");
    move |req: HttpRequest| {
        use actix_web::ResponseError;
        let error = ApiError::new(
            ErrorKind::MethodNotAllowed,
            format!(
                "{} is not allowed on {}; allowed: {allow}",
                req.method(),
                req.path()
            ),
        );
        let mut response = error.error_response();
        if let Ok(value) = HeaderValue::from_str(&allow) {
            response
                .headers_mut()
                .insert(actix_web::http::header::ALLOW, value);
        }
        std::future::ready(response)
    }
}

/// What the edge middleware takes from the settings (registered as app data by the binary).
#[derive(Debug, Clone, Default)]
pub struct EdgePolicy {
    /// `Strict-Transport-Security: max-age=…`; 0 sends none (only behind HTTPS, see config).
    pub hsts_max_age_secs: u64,
    /// `/docs/` and the OpenAPI document for anyone; otherwise for admins only.
    pub expose_docs: bool,
    /// `/metrics` for anyone; otherwise for admins only.
    pub expose_metrics: bool,
}

impl EdgePolicy {
    pub fn from_settings(settings: &crate::config::Settings) -> Self {
        Self {
            hsts_max_age_secs: settings.server.hsts_max_age_secs,
            expose_docs: settings.ops.expose_docs,
            expose_metrics: settings.ops.expose_metrics,
        }
    }
}

/// Where the API documentation is served.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

fn is_docs(path: &str) -> bool {
    path == "/docs" || path.starts_with("/docs/") || path == OPENAPI_PATH
}

/// Swagger UI loads its own scripts and the OpenAPI document from this origin and sets inline
/// styles; nothing may frame it.
const DOCS_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                        img-src 'self' data:; font-src 'self' data:; connect-src 'self'; \
                        frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
/// The API serves data, never documents to render.
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// Responses that carry credentials (tokens) and must never be stored by a cache.
fn carries_tokens(path: &str) -> bool {
    matches!(
        path,
        "/api/v1/auth/login" | "/api/v1/auth/refresh" | "/api/v1/auth/token"
    )
}

/// Security headers on every response: `X-Content-Type-Options`, `Referrer-Policy`,
/// `X-Frame-Options` and a CSP with `frame-ancestors` (one for Swagger UI, a strict one for the
/// rest), `Cache-Control: no-store` on token responses, HSTS when configured.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    use actix_web::http::header;
    let hsts = req
        .app_data::<web::Data<EdgePolicy>>()
        .map_or(0, |p| p.hsts_max_age_secs);
    let docs = is_docs(req.path());
    let tokens = carries_tokens(req.path());
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(if docs { DOCS_CSP } else { API_CSP }),
        );
    }
    if tokens {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    }
    if hsts > 0 {
        if let Ok(value) = HeaderValue::from_str(&format!("max-age={hsts}; includeSubDomains")) {
            headers.insert(header::STRICT_TRANSPORT_SECURITY, value);
        }
    }
    Ok(response)
}

/// Whether the request carries a valid token of an administrator.
pub async fn caller_is_admin(req: &HttpRequest) -> bool {
    let Some(token) = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_owned())
    else {
        return false;
    };
    let Some(authenticator) = req
        .app_data::<web::Data<dyn crate::auth::Authenticator>>()
        .cloned()
    else {
        return false;
    };
    authenticator
        .authenticate(&token)
        .await
        .is_ok_and(|caller| caller.role == crate::auth::Role::Admin)
}

/// Closes `/metrics`, `/docs/` and the OpenAPI document unless the settings open them (the
/// development default) or an administrator asks: 404, as if they did not exist.
pub async fn guard_operations(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let policy = req
        .app_data::<web::Data<EdgePolicy>>()
        .map(|p| p.get_ref().clone())
        .unwrap_or_default();
    let closed = match req.path() {
        "/metrics" => !policy.expose_metrics,
        path if is_docs(path) => !policy.expose_docs,
        _ => false,
    };
    if closed && !caller_is_admin(req.request()).await {
        let error = ApiError::not_found(format!("no route for {} {}", req.method(), req.path()));
        return Ok(req.error_response(error).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}
