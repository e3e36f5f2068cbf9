//! Sealed secrets at the module's two edges: an event written before sealing is sealed on
//! arrival (so the ledger never holds a token in clear), and a ledger row is opened only for the
//! render that is sent.

use crate::domain::sealed;
use contracts::events::auth::PasswordResetRequested;
use contracts::IntegrationEvent;
use kernel::{events::EventEnvelope, secrets::Sealer};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use std::borrow::Cow;

/// `event` as this module stores it: a `.v1` password-reset event from before sealing (its
/// token in clear as `resetToken`, e.g. redriven from a dead letter) gets the token sealed to
/// the event and the clear field removed; every other event is returned as it is.
pub fn seal_legacy<'a>(sealer: &Sealer, event: &'a EventEnvelope) -> Cow<'a, EventEnvelope> {
    if event.name != PasswordResetRequested::NAME {
        return Cow::Borrowed(event);
    }
    let mut upgraded = event.clone();
    let Some(fields) = upgraded.payload.as_object_mut() else {
        return Cow::Borrowed(event);
    };
    if fields.contains_key("sealedResetToken") {
        return Cow::Borrowed(event);
    }
    let Some(Value::String(clear)) = fields.remove("resetToken") else {
        return Cow::Borrowed(event);
    };
    let sealed = sealer.seal(
        &SecretString::from(clear),
        &PasswordResetRequested::sealing_context(event.id),
    );
    fields.insert("sealedResetToken".into(), Value::from(sealed));
    tracing::info!(event = %event.id, "sealed the reset token of an event written before sealing");
    Cow::Owned(upgraded)
}

/// The render context of a ledger row: its sealed secrets opened (in memory only). A secret
/// that does not open (another key, tampering, another event) makes the message unsendable.
pub fn opened(
    sealer: &Sealer,
    event_name: &str,
    event_id: &str,
    context: &Value,
) -> Result<Value, String> {
    if sealed::fields_of(event_name).next().is_none() {
        return Ok(context.clone());
    }
    let aad = event_id
        .parse()
        .ok()
        .and_then(|id| sealed::context_of(event_name, id))
        .ok_or_else(|| format!("event id {event_id} cannot carry a sealed secret"))?;
    sealed::replace_sealed(event_name, context, |value| {
        sealer
            .open(value, &aad)
            .map(|secret| secret.expose_secret().to_owned())
            .map_err(|error| {
                format!("{error} (is secrets.notification_seal_key the same as auth's?)")
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reset_event(payload: Value) -> EventEnvelope {
        EventEnvelope {
            id: uuid::Uuid::now_v7(),
            name: PasswordResetRequested::NAME.into(),
            occurred_at: chrono::Utc::now(),
            source: "auth".into(),
            aggregate_id: "u".into(),
            correlation_id: None,
            payload,
        }
    }

    #[test]
    fn a_legacy_clear_token_is_sealed_on_arrival_and_opens_for_sending() {
        let sealer = Sealer::new(&[9; 32]);
        let event = reset_event(json!({ "resetToken": "clear-token", "email": "a@b.c" }));
        let stored = seal_legacy(&sealer, &event);
        assert!(!stored.payload.to_string().contains("clear-token"));
        let opened = opened(
            &sealer,
            &stored.name,
            &stored.id.to_string(),
            &stored.payload,
        )
        .unwrap();
        assert_eq!(opened["resetToken"], "clear-token");
        assert!(opened.get("sealedResetToken").is_none());
        // Already sealed events pass unchanged.
        let again = seal_legacy(&sealer, &stored);
        assert_eq!(again.payload, stored.payload);
    }

    #[test]
    fn a_token_sealed_to_another_event_does_not_open() {
        let sealer = Sealer::new(&[9; 32]);
        let event = reset_event(json!({ "resetToken": "clear-token" }));
        let stored = seal_legacy(&sealer, &event);
        let other = uuid::Uuid::now_v7().to_string();
        assert!(opened(&sealer, &stored.name, &other, &stored.payload).is_err());
        let wrong_key = Sealer::new(&[8; 32]);
        let error = opened(
            &wrong_key,
            &stored.name,
            &stored.id.to_string(),
            &stored.payload,
        )
        .unwrap_err();
        assert!(error.contains("notification_seal_key"), "{error}");
    }
}
