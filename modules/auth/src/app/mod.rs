//! Use cases of the auth module, one file per resource: each opens its transaction, checks the
//! rules (`domain/`), reads and writes through `store/`, records the audit trail and publishes
//! its events in the same transaction. HTTP handlers and the seed both come through here.

pub mod audit;
pub mod directory;
pub mod passwords;
pub mod refresh;
pub mod service_clients;
pub mod sessions;
pub mod users;

use crate::{domain::AuthResult, keys::Keys, passwords::PasswordHasher, store};
use kernel::{
    cache::Cache, config::Settings, tokens::revoked_session_key, tokens::TokenVerifier, Db,
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
        let verifier = TokenVerifier::new(
            &settings.auth.issuer,
            &settings.auth.audience,
            cache.clone(),
        );
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

    /// Revokes sessions in `txn` and denylists their access tokens. Call before committing, so a
    /// failure to reach the cache changes nothing.
    pub async fn revoke_sessions(
        &self,
        txn: &impl sea_orm::ConnectionTrait,
        ids: &[Uuid],
        reason: &str,
    ) -> AuthResult<()> {
        store::sessions::revoke(txn, ids, reason).await?;
        for id in ids {
            self.cache
                .set(&revoked_session_key(*id), reason, self.denylist_ttl())
                .await?;
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
