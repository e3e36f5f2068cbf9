//! Use cases of the auth module, one file per resource: each opens its transaction, checks the
//! rules (`domain/`), reads and writes through `store/`, records the audit trail and publishes
//! its events in the same transaction. HTTP handlers and the seed both come through here.

pub mod audit;
pub mod directory;
pub mod passwords;
pub mod refresh;
pub mod revocations;
pub mod service_clients;
pub mod sessions;
pub mod users;

use crate::{domain::AuthResult, keys::Keys, passwords::PasswordHasher, store};
use kernel::{
    cache::Cache,
    config::Settings,
    revocation::{RevocationKind, RevocationList},
    tokens::{revoked_session_key, revoked_token_key, TokenVerifier},
    Db,
};
use std::{sync::Arc, time::Duration};
use uuid::Uuid;

/// What the use cases share.
pub struct Services {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub hasher: PasswordHasher,
    pub keys: Arc<Keys>,
    pub cache: Arc<dyn Cache>,
    pub verifier: Arc<TokenVerifier>,
    /// This process's copy of `auth.revocations`, which the verifier checks.
    pub revocations: Arc<RevocationList>,
    /// Seals the password-reset token for the notification module.
    pub sealer: kernel::secrets::Sealer,
}

impl Services {
    /// Loads the signing keys (the verifier trusts every published one) and the hasher.
    pub async fn new(
        db: Db,
        settings: Arc<Settings>,
        cache: Arc<dyn Cache>,
    ) -> anyhow::Result<Self> {
        let keys = Arc::new(Keys::load(&settings)?);
        let revocations = Arc::new(RevocationList::new(Arc::new(
            revocations::StoredRevocations(db.clone()),
        )));
        let verifier = TokenVerifier::new(
            &settings.auth.issuer,
            &settings.auth.audience,
            cache.clone(),
        )
        .with_revocations(revocations.clone());
        for jwk in &keys.jwks.keys {
            verifier.add_key(jwk)?;
        }
        Ok(Self {
            hasher: PasswordHasher::new().await?,
            sealer: kernel::secrets::Sealer::notification(&settings)?,
            db,
            settings,
            keys,
            cache,
            verifier: Arc::new(verifier),
            revocations,
        })
    }

    /// The password policy (`passwords::check_policy`), refusing the published development
    /// password and the configured demo password (`seed.dev_password`) as well: only the seed
    /// sets those, never a user.
    pub fn check_password(
        &self,
        field: &str,
        password: &str,
        email: &str,
    ) -> Result<(), kernel::DomainError> {
        use secrecy::ExposeSecret;
        let published = [
            kernel::config::DEVELOPMENT_PASSWORD,
            self.settings.seed.dev_password.expose_secret(),
        ];
        crate::passwords::check_policy(field, password, email, &published)
            .map_err(kernel::DomainError::Invalid)
    }

    /// How long a revoked session's access tokens must stay denylisted: their whole lifetime.
    pub fn denylist_ttl(&self) -> Duration {
        Duration::from_secs(self.settings.auth.access_token_ttl_secs + kernel::tokens::LEEWAY_SECS)
    }

    /// Revokes sessions in `txn` and records the revocation of their access tokens, durably in
    /// `auth.revocations` (the truth every process reads), in this process's list at once, and
    /// in the cache (Redis: every process at once; best effort, an outage changes nothing).
    pub async fn revoke_sessions(
        &self,
        txn: &impl sea_orm::ConnectionTrait,
        ids: &[Uuid],
        reason: &str,
    ) -> AuthResult<()> {
        store::sessions::revoke(txn, ids, reason).await?;
        let expires_at = chrono::Utc::now() + self.denylist_ttl();
        let revoked = ids.iter().map(|id| {
            (
                RevocationKind::Session,
                id.to_string(),
                revoked_session_key(*id),
            )
        });
        self.revoke(txn, revoked.collect(), reason, expires_at)
            .await
    }

    /// Revokes one access token (by `jti`) until it expires (`exp`, unix seconds).
    pub async fn revoke_token(
        &self,
        txn: &impl sea_orm::ConnectionTrait,
        jti: &str,
        exp: i64,
        reason: &str,
    ) -> AuthResult<()> {
        let leeway = i64::try_from(kernel::tokens::LEEWAY_SECS).unwrap_or(30);
        let expires_at = chrono::DateTime::from_timestamp(exp.saturating_add(leeway), 0)
            .unwrap_or_else(|| chrono::Utc::now() + self.denylist_ttl());
        let revoked = vec![(
            RevocationKind::Token,
            jti.to_owned(),
            revoked_token_key(jti),
        )];
        self.revoke(txn, revoked, reason, expires_at).await
    }

    async fn revoke(
        &self,
        txn: &impl sea_orm::ConnectionTrait,
        revoked: Vec<(RevocationKind, String, String)>,
        reason: &str,
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> AuthResult<()> {
        let rows = revoked
            .iter()
            .map(|(kind, id, _)| store::revocations::NewRevocation {
                kind: kind.as_str(),
                subject: id.clone(),
                reason,
                expires_at,
            })
            .collect();
        store::revocations::insert(txn, rows).await?;
        self.revocations.insert(revoked.iter().map(|(kind, id, _)| {
            kernel::revocation::Revocation {
                kind: *kind,
                id: id.clone(),
                expires_at: expires_at.timestamp(),
            }
        }));
        let ttl = (expires_at - chrono::Utc::now())
            .to_std()
            .unwrap_or(Duration::from_secs(1));
        for (_, _, key) in &revoked {
            if let Err(error) = self.cache.set(key, reason, ttl).await {
                tracing::debug!(error = %format!("{error:#}"), "revocation not in the cache; other processes read it from the database");
            }
        }
        Ok(())
    }

    /// Revokes every active session of a user; how many.
    pub async fn revoke_all_sessions(
        &self,
        txn: &impl sea_orm::ConnectionTrait,
        user_id: Uuid,
        reason: &str,
    ) -> AuthResult<usize> {
        let ids: Vec<Uuid> = store::sessions::active_for_user(txn, user_id)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();
        self.revoke_sessions(txn, &ids, reason).await?;
        Ok(ids.len())
    }
}
