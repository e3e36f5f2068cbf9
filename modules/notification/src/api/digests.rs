//! Running the daily digest now (admins): what the scheduled job does at
//! `notification.digest_hour_utc`, for operators and tests.

use super::State;
use actix_web::HttpResponse;
use kernel::ApiResult;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DigestRunDto {
    /// Digest emails sent.
    pub digests: usize,
    /// Held messages they carried (now `sent`, with the digest's provider message id).
    pub messages: usize,
    /// Users whose digest could not go now; their messages stay held for the next run.
    pub held_back: usize,
    /// Users whose digest was refused for good; their messages are `dead`.
    pub refused: usize,
}

/// Sends every pending digest now: one email per user with held messages. Safe to run while
/// the scheduled run or another process runs: each held message goes in one digest.
#[utoipa::path(post, path = "/api/v1/admin/notifications/digests/run", tag = "notification", security(("bearer" = [])),
    operation_id = "runNotificationDigests",
    responses((status = 200, body = DigestRunDto)))]
pub async fn run(state: State) -> ApiResult<HttpResponse> {
    let run = crate::app::digest::send_digests(&state, chrono::Utc::now())
        .await
        .map_err(kernel::ApiError::internal)?;
    Ok(HttpResponse::Ok().json(DigestRunDto {
        digests: run.digests,
        messages: run.messages,
        held_back: run.held_back,
        refused: run.refused,
    }))
}
