//! Forgotten, reset and changed passwords.

use super::Services;
use crate::{
    domain::{AuthError, AuthResult, Email},
    store::{audit, password_resets, sessions, users},
    tokens::{hash_secret, new_secret},
};
use contracts::events::auth::PasswordResetRequested;
use kernel::{events::publish_with_id, Caller, DomainError, ErrorCode};
use secrecy::SecretString;
use std::time::Duration;
use uuid::Uuid;

/// Reset mails per email address and hour; past it, requests are accepted and ignored.
pub const FORGOT_PER_HOUR: u64 = 5;

/// Starts a reset. Always succeeds, whether or not the email is known (no account
/// enumeration); for an active account a one-time token is issued and published, sealed, for
/// the notification module to mail.
pub async fn forgot(services: &Services, email: &str) -> AuthResult<()> {
    let Ok(email) = Email::parse(email) else {
        return Ok(());
    };
    let (count, _) = services
        .cache
        .increment(
            &format!("password:forgot:{}", email.as_str()),
            Duration::from_secs(3600),
        )
        .await?;
    if count > FORGOT_PER_HOUR {
        return Ok(());
    }
    let Some(user) = users::find_by_email(services.db.conn(), email.as_str())
        .await?
        .filter(|u| u.active)
    else {
        return Ok(());
    };
    let (raw, hash) = new_secret();
    let now = chrono::Utc::now();
    let expires_at = now
        + chrono::Duration::seconds(
            i64::try_from(services.settings.auth.password_reset_ttl_secs).unwrap_or(3600),
        );
    // The token leaves auth only sealed to its event: the outbox, the broker and dead letters
    // hold nothing that resets a password.
    let event_id = Uuid::now_v7();
    let sealed_reset_token = services.sealer.seal(
        &SecretString::from(raw),
        &PasswordResetRequested::sealing_context(event_id),
    );
    let mut txn = services.db.begin().await?;
    password_resets::insert(&*txn, user.id, hash, now, expires_at).await?;
    let event = PasswordResetRequested {
        user_id: user.id,
        email: user.email,
        name: user.name,
        sealed_reset_token,
        expires_at,
    };
    publish_with_id(&mut txn, event_id, &event).await?;
    txn.commit().await?;
    Ok(())
}

/// Sets a new password with a reset token; the token works once and every session ends.
pub async fn reset(services: &Services, token: &str, new_password: String) -> AuthResult<()> {
    let invalid = || DomainError::invalid("token", "is invalid or expired");
    let reset = password_resets::find_by_hash(services.db.conn(), &hash_secret(token))
        .await?
        .filter(|r| r.used_at.is_none() && r.expires_at > chrono::Utc::now())
        .ok_or_else(invalid)?;
    let user = users::find(services.db.conn(), reset.user_id)
        .await?
        .filter(|u| u.active)
        .ok_or_else(invalid)?;
    services.check_password("newPassword", &new_password, &user.email)?;
    let hash = services
        .hasher
        .hash(SecretString::from(new_password))
        .await?;
    let txn = services.db.begin().await?;
    // Claim the token inside the transaction so two resets with it cannot both succeed.
    if !password_resets::claim(&*txn, reset.id).await? {
        return Err(invalid().into());
    }
    let user_id = user.id;
    users::set_password(&*txn, user, hash).await?;
    services
        .revoke_all_sessions(&*txn, user_id, "password_reset")
        .await?;
    let record = audit::Record {
        user_id: Some(user_id),
        ..Default::default()
    };
    audit::record(&*txn, audit::Kind::PasswordReset, record).await?;
    txn.commit().await?;
    Ok(())
}

/// Changes the caller's password; their other sessions end, this one stays.
pub async fn change(
    services: &Services,
    caller: &Caller,
    current_password: String,
    new_password: String,
) -> AuthResult<()> {
    let user = users::find(services.db.conn(), caller.subject)
        .await?
        .ok_or_else(|| AuthError::unauthorized(ErrorCode::Unauthorized, "unknown user"))?;
    let current_ok = services
        .hasher
        .verify(
            SecretString::from(current_password),
            Some(user.password_hash.clone()),
        )
        .await?;
    if !current_ok {
        return Err(DomainError::invalid("currentPassword", "is incorrect").into());
    }
    services.check_password("newPassword", &new_password, &user.email)?;
    let hash = services
        .hasher
        .hash(SecretString::from(new_password))
        .await?;
    let txn = services.db.begin().await?;
    let user_id = user.id;
    users::set_password(&*txn, user, hash).await?;
    let others: Vec<Uuid> = sessions::active_for_user(&*txn, user_id)
        .await?
        .into_iter()
        .map(|s| s.id)
        .filter(|id| Some(*id) != caller.session_id)
        .collect();
    services
        .revoke_sessions(&*txn, &others, "password_changed")
        .await?;
    let record = audit::Record {
        user_id: Some(user_id),
        ..Default::default()
    };
    audit::record(&*txn, audit::Kind::PasswordChanged, record).await?;
    txn.commit().await?;
    Ok(())
}
