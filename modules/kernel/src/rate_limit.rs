//! Request rate limits per client address (at the edge) and per user (after authentication),
//! counted in the cache (Redis when configured, so every process shares the budget).
//! Over the limit: 429 with Retry-After. Operations endpoints are exempt.

use crate::{cache::Cache, error::ApiError};
use actix_web::{
    body::{EitherBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
    web,
};
use std::{sync::Arc, time::Duration};

pub struct RateLimiter {
    pub cache: Arc<dyn Cache>,
    pub per_ip: u64,
    pub per_user: u64,
    pub window: Duration,
    pub trust_forwarded_for: bool,
}

impl RateLimiter {
    async fn spend(&self, key: &str, limit: u64) -> Result<(), ApiError> {
        if limit == 0 {
            return Ok(());
        }
        let (count, left) = self
            .cache
            .increment(key, self.window)
            .await
            .map_err(ApiError::internal)?;
        if count > limit {
            return Err(ApiError::too_many_requests(left.as_secs().max(1))
                .with_code(crate::error::ErrorCode::RateLimited));
        }
        Ok(())
    }

    /// Charges one request to the caller's per-user budget.
    pub async fn charge_user(&self, subject: uuid::Uuid) -> Result<(), ApiError> {
        self.spend(&format!("rate:user:{}", subject.simple()), self.per_user)
            .await
    }

    fn client_ip(&self, req: &ServiceRequest) -> Option<String> {
        if self.trust_forwarded_for {
            let forwarded = req
                .headers()
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok());
            if let Some(first) =
                forwarded.and_then(|f| f.split(',').map(str::trim).find(|s| !s.is_empty()))
            {
                return Some(first.chars().take(64).collect());
            }
        }
        req.peer_addr().map(|a| a.ip().to_string())
    }
}

/// Edge middleware: the per-address budget.
pub async fn limit_per_address(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let exempt = matches!(req.path(), "/health" | "/ready" | "/metrics");
    if let (false, Some(limiter)) = (exempt, req.app_data::<web::Data<RateLimiter>>().cloned()) {
        if let Some(ip) = limiter.client_ip(&req) {
            if let Err(error) = limiter
                .spend(&format!("rate:ip:{ip}"), limiter.per_ip)
                .await
            {
                return Ok(req.error_response(error).map_into_right_body());
            }
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}
