//! Forgotten, reset and changed passwords.

use super::{ChangePasswordRequest, ForgotPasswordRequest, ResetPasswordRequest, State};
use crate::{
    domain::Email,
    passwords::check_policy,
    store::{audit, password_resets, users},
    tokens::{hash_secret, new_secret},
};
use actix_web::HttpResponse;
use contracts::events::auth::PasswordResetRequested;
use kernel::{events::publish_with_id, validation::ValidJson, ApiError, ApiResult, Caller};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use secrecy::SecretString;
use std::time::Duration;
use uuid::Uuid;

const FORGOT_PER_HOUR: u64 = 5;

/// Starts a reset: always 202, whether or not the email is known (no account enumeration).
/// For an active account, a one-time token is mailed by the notification module.
#[utoipa::path(post, path = "/api/v1/auth/password/forgot", tag = "auth", request_body = ForgotPasswordRequest,
    responses((status = 202, description = "If the account exists, a reset mail is on its way")))]
pub async fn forgot(
    state: State,
    body: ValidJson<ForgotPasswordRequest>,
) -> ApiResult<HttpResponse> {
    let accepted = HttpResponse::Accepted().finish();
    let Ok(email) = Email::parse(&body.email) else {
        return Ok(accepted);
    };
    let (count, _) = state
        .cache
        .increment(
            &format!("password:forgot:{}", email.as_str()),
            Duration::from_secs(3600),
        )
        .await
        .map_err(ApiError::internal)?;
    if count > FORGOT_PER_HOUR {
        return Ok(accepted);
    }
    let Some(user) = users::find_by_email(state.db.conn(), email.as_str())
        .await?
        .filter(|u| u.active)
    else {
        return Ok(accepted);
    };
    let (raw, hash) = new_secret();
    let now = chrono::Utc::now();
    let expires_at = now
        + chrono::Duration::seconds(
            i64::try_from(state.settings.auth.password_reset_ttl_secs).unwrap_or(3600),
        );
    // The token leaves auth only sealed to its event: the outbox, the broker and dead letters
    // hold nothing that resets a password.
    let event_id = Uuid::now_v7();
    let sealed_reset_token = state.sealer.seal(
        &SecretString::from(raw),
        &PasswordResetRequested::sealing_context(event_id),
    );
    let mut txn = state.db.begin().await?;
    password_resets::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user.id),
        token_hash: Set(hash),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
    }
    .insert(&*txn)
    .await?;
    let event = PasswordResetRequested {
        user_id: user.id,
        email: user.email,
        name: user.name,
        sealed_reset_token,
        expires_at,
    };
    publish_with_id(&mut txn, event_id, &event).await?;
    txn.commit().await?;
    Ok(accepted)
}

/// Sets a new password with a reset token; the token works once and every session ends.
#[utoipa::path(post, path = "/api/v1/auth/password/reset", tag = "auth", request_body = ResetPasswordRequest,
    responses((status = 204, description = "Password changed"),
        (status = 422, description = "Invalid or expired token, or a weak password", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn reset(state: State, body: ValidJson<ResetPasswordRequest>) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let invalid = || ApiError::invalid_field("token", "is invalid or expired");
    let reset = password_resets::Entity::find()
        .filter(password_resets::Column::TokenHash.eq(hash_secret(&body.token)))
        .one(state.db.conn())
        .await?
        .filter(|r| r.used_at.is_none() && r.expires_at > chrono::Utc::now())
        .ok_or_else(invalid)?;
    let user = users::Entity::find_by_id(reset.user_id)
        .one(state.db.conn())
        .await?
        .filter(|u| u.active)
        .ok_or_else(invalid)?;
    check_policy("newPassword", &body.new_password, &user.email).map_err(ApiError::validation)?;
    let hash = state
        .hasher
        .hash(SecretString::from(body.new_password))
        .await?;
    let txn = state.db.begin().await?;
    // Claim the token inside the transaction so two resets with it cannot both succeed.
    let claimed = password_resets::Entity::update_many()
        .col_expr(
            password_resets::Column::UsedAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now()),
        )
        .filter(password_resets::Column::Id.eq(reset.id))
        .filter(password_resets::Column::UsedAt.is_null())
        .exec(&*txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(invalid());
    }
    set_password(&txn, user.clone(), hash).await?;
    state
        .revoke_all_sessions(&*txn, user.id, "password_reset")
        .await?;
    audit::record(
        &*txn,
        audit::Kind::PasswordReset,
        audit::Record {
            user_id: Some(user.id),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Changes the caller's password; other sessions end, this one stays.
#[utoipa::path(post, path = "/api/v1/auth/password/change", tag = "auth", security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses((status = 204, description = "Password changed"),
        (status = 422, description = "Wrong current password or a weak new one", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn change(
    state: State,
    caller: Caller,
    body: ValidJson<ChangePasswordRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let user = users::Entity::find_by_id(caller.subject)
        .one(state.db.conn())
        .await?
        .ok_or_else(|| ApiError::unauthorized("unknown user"))?;
    let current_ok = state
        .hasher
        .verify(
            SecretString::from(body.current_password),
            Some(user.password_hash.clone()),
        )
        .await?;
    if !current_ok {
        return Err(ApiError::invalid_field("currentPassword", "is incorrect"));
    }
    check_policy("newPassword", &body.new_password, &user.email).map_err(ApiError::validation)?;
    let hash = state
        .hasher
        .hash(SecretString::from(body.new_password))
        .await?;
    let txn = state.db.begin().await?;
    let user_id = user.id;
    set_password(&txn, user, hash).await?;
    let others: Vec<Uuid> = crate::store::sessions::active_for_user(&*txn, user_id)
        .await?
        .into_iter()
        .map(|s| s.id)
        .filter(|id| Some(*id) != caller.session_id)
        .collect();
    state
        .revoke_sessions(&*txn, &others, "password_changed")
        .await?;
    audit::record(
        &*txn,
        audit::Kind::PasswordChanged,
        audit::Record {
            user_id: Some(user_id),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn set_password(txn: &kernel::WriteTxn, user: users::Model, hash: String) -> ApiResult<()> {
    let version = user.version;
    let mut active: users::ActiveModel = user.into();
    active.password_hash = Set(hash);
    active.updated_at = Set(chrono::Utc::now());
    active.version = Set(version + 1);
    active.update(&**txn).await?;
    Ok(())
}
