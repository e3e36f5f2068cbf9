//! Login throttling: failures are counted per account and per client address in a window;
//! past the limit, logins answer 429 with Retry-After until the window ends.

use crate::domain::{AuthError, AuthResult};
use kernel::{cache::Cache, config::AuthSettings};
use std::time::Duration;

pub struct LoginThrottle<'a> {
    pub cache: &'a dyn Cache,
    pub settings: &'a AuthSettings,
}

fn account_key(email: &str) -> String {
    format!("login:fail:account:{email}")
}

fn ip_key(ip: &str) -> String {
    format!("login:fail:ip:{ip}")
}

impl LoginThrottle<'_> {
    fn window(&self) -> Duration {
        Duration::from_secs(self.settings.login_failure_window_secs)
    }

    /// 429 when the account or the address has used up its failures.
    pub async fn check(&self, email: &str, ip: Option<&str>) -> AuthResult<()> {
        let (count, left) = self.cache.count(&account_key(email)).await?;
        if count >= self.settings.login_max_failures_per_account {
            return Err(AuthError::Throttled {
                retry_after_secs: left.as_secs().max(1),
            });
        }
        if let Some(ip) = ip {
            let (count, left) = self.cache.count(&ip_key(ip)).await?;
            if count >= self.settings.login_max_failures_per_ip {
                return Err(AuthError::Throttled {
                    retry_after_secs: left.as_secs().max(1),
                });
            }
        }
        Ok(())
    }

    pub async fn failed(&self, email: &str, ip: Option<&str>) -> AuthResult<()> {
        self.cache
            .increment(&account_key(email), self.window())
            .await?;
        if let Some(ip) = ip {
            self.cache.increment(&ip_key(ip), self.window()).await?;
        }
        Ok(())
    }

    pub async fn succeeded(&self, email: &str) -> AuthResult<()> {
        self.cache
            .delete(&account_key(email))
            .await
            .map_err(AuthError::from)
    }
}
