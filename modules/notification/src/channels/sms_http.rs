//! SMS through an HTTP provider: `POST {base}/messages` with JSON `{to, from, text, reference}`,
//! a bearer API key, an `Idempotency-Key` (the delivery id, so a retried request after a lost
//! response is not sent twice) and `X-Signature: sha256=<hex>` — HMAC-SHA256 of the exact body
//! with the shared signing secret, so the provider can tell the request is ours and unaltered.

use super::{OutgoingMessage, Provider, SendError};
use anyhow::Context;
use hmac::{Hmac, Mac};
use kernel::config::NotificationSettings;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use std::time::Duration;

pub struct HttpSmsProvider {
    client: reqwest::Client,
    endpoint: String,
    api_key: SecretString,
    signing_secret: SecretString,
    sender: String,
}

/// `sha256=<lowercase hex of HMAC-SHA256(secret, body)>`.
pub fn signature(secret: &[u8], body: &[u8]) -> Result<String, hmac::digest::InvalidLength> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)?;
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("sha256={hex}"))
}

impl HttpSmsProvider {
    pub fn new(settings: &NotificationSettings) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(settings.sms_timeout_secs.max(1)))
            .build()
            .context("building the SMS HTTP client")?;
        Ok(Self {
            client,
            endpoint: format!("{}/messages", settings.sms_base_url.trim_end_matches('/')),
            api_key: settings.sms_api_key.clone(),
            signing_secret: settings.sms_signing_secret.clone(),
            sender: settings.sms_sender.clone(),
        })
    }
}

#[async_trait::async_trait]
impl Provider for HttpSmsProvider {
    fn name(&self) -> &'static str {
        "sms_http"
    }

    async fn send(&self, message: &OutgoingMessage) -> Result<String, SendError> {
        let reference = message.delivery_id.to_string();
        let body = serde_json::to_vec(&serde_json::json!({
            "to": message.to, "from": self.sender, "text": message.text, "reference": reference,
        }))
        .map_err(|e| SendError::Permanent(format!("encoding the request: {e}")))?;
        let signed = signature(self.signing_secret.expose_secret().as_bytes(), &body)
            .map_err(|e| SendError::Permanent(format!("signing the request: {e}")))?;
        let response = self
            .client
            .post(&self.endpoint)
            .bearer_auth(self.api_key.expose_secret())
            .header("content-type", "application/json")
            .header("idempotency-key", &reference)
            .header("x-signature", signed)
            .body(body)
            .send()
            .await
            .map_err(|e| SendError::Transient(format!("SMS provider unreachable: {e}")))?;
        let status = response.status();
        if status.is_success() {
            let answer: serde_json::Value = response.json().await.unwrap_or_default();
            let id = answer["id"].as_str().map_or(reference, str::to_owned);
            return Ok(id);
        }
        let text = response.text().await.unwrap_or_default();
        let detail = format!(
            "SMS provider answered {status}: {}",
            text.chars().take(300).collect::<String>()
        );
        // Throttling and server errors pass; other refusals (bad number, bad key) do not.
        if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408 {
            Err(SendError::Transient(detail))
        } else {
            Err(SendError::Permanent(detail))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_a_known_hmac_sha256() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?").unwrap(),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
