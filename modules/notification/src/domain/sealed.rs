//! Secrets that reach the module sealed (`kernel::secrets::Sealer`): which payload fields hold
//! them, what they bind to, and the template variable each one opens into. The ledger keeps the
//! sealed form; the dispatcher opens it only to render the message it sends.

use contracts::events::auth::PasswordResetRequested;
use contracts::IntegrationEvent;
use serde_json::Value;

/// A sealed payload field and the template variable that holds it opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealedField {
    pub event: &'static str,
    pub sealed: &'static str,
    pub opened: &'static str,
}

pub const SEALED_FIELDS: &[SealedField] = &[SealedField {
    event: PasswordResetRequested::NAME,
    sealed: "sealedResetToken",
    opened: "resetToken",
}];

/// What a preview shows in place of an opened secret: previews never open real ones.
pub const PLACEHOLDER: &str = "SAMPLE-ONE-TIME-TOKEN";

/// The sealed fields of `event`.
pub fn fields_of(event: &str) -> impl Iterator<Item = &'static SealedField> + '_ {
    SEALED_FIELDS.iter().filter(move |f| f.event == event)
}

/// The associated data `event`'s secrets are sealed to (its name and id).
pub fn context_of(event: &str, event_id: uuid::Uuid) -> Option<Vec<u8>> {
    (event == PasswordResetRequested::NAME)
        .then(|| PasswordResetRequested::sealing_context(event_id))
}

/// The name a template uses for a payload field: the opened name of a sealed one.
pub fn template_variable(event: &str, field: &str) -> String {
    fields_of(event)
        .find(|f| f.sealed == field)
        .map_or(field, |f| f.opened)
        .to_owned()
}

/// `context` with each sealed field of `event` replaced by its opened variable, holding what
/// `open` makes of the sealed value.
pub fn replace_sealed<E>(
    event: &str,
    context: &Value,
    mut open: impl FnMut(&str) -> Result<String, E>,
) -> Result<Value, E> {
    let mut context = context.clone();
    if let Some(map) = context.as_object_mut() {
        for field in fields_of(event) {
            if let Some(Value::String(sealed)) = map.remove(field.sealed) {
                map.insert(field.opened.into(), Value::from(open(&sealed)?));
            }
        }
    }
    Ok(context)
}

/// `context` as a preview renders it: every sealed field shown as [`PLACEHOLDER`].
pub fn with_placeholders(event: &str, context: &Value) -> Value {
    replace_sealed(event, context, |_| {
        Ok::<_, std::convert::Infallible>(PLACEHOLDER.to_owned())
    })
    .unwrap_or_else(|never| match never {})
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sealed_fields_become_their_template_variable() {
        let event = PasswordResetRequested::NAME;
        assert_eq!(template_variable(event, "sealedResetToken"), "resetToken");
        assert_eq!(template_variable(event, "email"), "email");
        let context = json!({ "sealedResetToken": "abc", "email": "a@b.c" });
        let opened =
            replace_sealed(event, &context, |s| Ok::<_, ()>(format!("open({s})"))).unwrap();
        assert_eq!(
            opened,
            json!({ "resetToken": "open(abc)", "email": "a@b.c" })
        );
        assert_eq!(
            with_placeholders(event, &context)["resetToken"],
            PLACEHOLDER
        );
        // Other events are left alone.
        assert_eq!(with_placeholders("x.y.v1", &context), context);
    }

    #[test]
    fn sealed_secrets_are_never_routed_in_app() {
        // In-app messages are rendered when queued and kept: a secret would stay readable.
        for field in SEALED_FIELDS {
            let (_, _, channels) = crate::domain::routing::ROUTED
                .iter()
                .find(|(event, _, _)| *event == field.event)
                .unwrap();
            assert!(!channels.contains(&crate::domain::Channel::InApp));
        }
    }

    #[test]
    fn secrets_are_bound_to_their_event() {
        let a = uuid::Uuid::now_v7();
        let b = uuid::Uuid::now_v7();
        let event = PasswordResetRequested::NAME;
        assert_ne!(context_of(event, a), context_of(event, b));
        assert_eq!(context_of("x.y.v1", a), None);
    }
}
