//! The delivery ledger (admins): every message with its status, attempts, provider id and last
//! error; filtered by status, channel and event; resend puts one back in line.

use super::State;
use crate::app::deliveries as use_case;
use crate::domain::DeliveryStatus;
use crate::store::deliveries::{self, DeliveryFilter};
use actix_web::{web, HttpResponse};
use kernel::{
    pagination::{ListParams, Page},
    ApiResult,
};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryDto {
    pub id: Uuid,
    pub event_id: String,
    pub event: String,
    pub category: String,
    /// `user:<id>` or `customer:<id>`.
    pub recipient: String,
    pub user_id: Option<Uuid>,
    pub channel: String,
    pub locale: String,
    pub address: Option<String>,
    pub subject: Option<String>,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_error: Option<String>,
    pub provider: Option<String>,
    pub provider_message_id: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<deliveries::Model> for DeliveryDto {
    fn from(d: deliveries::Model) -> Self {
        let pending = d
            .status
            .parse::<DeliveryStatus>()
            .is_ok_and(DeliveryStatus::is_pending);
        Self {
            id: d.id,
            event_id: d.event_id,
            event: d.event_name,
            category: d.category,
            recipient: d.recipient,
            user_id: d.user_id,
            channel: d.channel,
            locale: d.locale,
            address: d.address,
            subject: d.subject,
            status: d.status,
            attempts: d.attempts,
            next_attempt_at: pending
                .then(|| chrono::DateTime::from_timestamp_millis(d.next_attempt_at))
                .flatten(),
            last_error: d.last_error,
            provider: d.provider,
            provider_message_id: d.provider_message_id,
            created_at: d.created_at,
            sent_at: d.sent_at,
        }
    }
}

/// The ledger, newest first.
#[utoipa::path(get, path = "/api/v1/admin/notifications/deliveries", operation_id = "listNotificationDeliveries", tag = "notification", security(("bearer" = [])), params(ListParams, DeliveryFilter),
    responses((status = 200, body = Page<DeliveryDto>)))]
pub async fn list(
    state: State,
    query: web::Query<ListParams>,
    filter: web::Query<DeliveryFilter>,
) -> ApiResult<HttpResponse> {
    let page = use_case::list(&state, &filter, &query).await?;
    Ok(HttpResponse::Ok().json(page.map(DeliveryDto::from)))
}

/// One delivery.
#[utoipa::path(get, path = "/api/v1/admin/notifications/deliveries/{id}", operation_id = "getNotificationDelivery", tag = "notification", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = DeliveryDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get(state: State, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let delivery = use_case::get(&state, *id).await?;
    Ok(HttpResponse::Ok().json(DeliveryDto::from(delivery)))
}

/// Sends a delivery again (failed, dead, or sent): back in line with fresh attempts. In-app
/// messages are already in the inbox → 409.
#[utoipa::path(post, path = "/api/v1/admin/notifications/deliveries/{id}/resend", operation_id = "resendNotificationDelivery", tag = "notification", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 202, body = DeliveryDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn resend(state: State, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let delivery = use_case::resend(&state, *id).await?;
    Ok(HttpResponse::Accepted().json(DeliveryDto::from(delivery)))
}
