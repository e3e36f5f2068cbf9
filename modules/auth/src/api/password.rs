//! `/auth/password/*`: forgotten, reset and changed passwords.

use super::State;
use crate::app::passwords as use_case;
use actix_web::HttpResponse;
use kernel::{validation::ValidJson, ApiResult, Caller};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ForgotPasswordRequest {
    #[validate(length(min = 1, max = 320))]
    pub email: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResetPasswordRequest {
    #[validate(length(min = 1, max = 200))]
    pub token: String,
    #[schema(format = Password)]
    pub new_password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangePasswordRequest {
    #[validate(length(min = 1, max = 1024))]
    #[schema(format = Password)]
    pub current_password: String,
    #[schema(format = Password)]
    pub new_password: String,
}

/// Starts a reset: always 202, whether or not the email is known (no account enumeration).
/// For an active account, a one-time token is mailed by the notification module.
#[utoipa::path(post, path = "/api/v1/auth/password/forgot", operation_id = "requestPasswordReset", tag = "auth", request_body = ForgotPasswordRequest,
    responses((status = 202, description = "If the account exists, a reset mail is on its way")))]
pub async fn forgot(
    state: State,
    body: ValidJson<ForgotPasswordRequest>,
) -> ApiResult<HttpResponse> {
    use_case::forgot(&state, &body.email).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Sets a new password with a reset token; the token works once and every session ends.
#[utoipa::path(post, path = "/api/v1/auth/password/reset", operation_id = "resetPassword", tag = "auth", request_body = ResetPasswordRequest,
    responses((status = 204, description = "Password changed"),
        (status = 422, description = "Invalid or expired token, or a weak password", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn reset(state: State, body: ValidJson<ResetPasswordRequest>) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    use_case::reset(&state, &body.token, body.new_password).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Changes the caller's password; other sessions end, this one stays.
#[utoipa::path(post, path = "/api/v1/auth/password/change", operation_id = "changePassword", tag = "auth", security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses((status = 204, description = "Password changed"),
        (status = 422, description = "Wrong current password or a weak new one", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn change(
    state: State,
    caller: Caller,
    body: ValidJson<ChangePasswordRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    use_case::change(&state, &caller, body.current_password, body.new_password).await?;
    Ok(HttpResponse::NoContent().finish())
}
