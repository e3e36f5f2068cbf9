//! Templates: the effective one (an admin override, else the shipped default), saving an
//! override after checking it, and previews.

use crate::domain::{
    defaults::{default_template, slots, TemplateParts, FALLBACK_LOCALE, LOCALES},
    rendering::{self, Rendered, TemplateError},
    samples::sample_payload,
    Channel,
};
use crate::store::templates;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

/// Why a template operation is refused.
#[derive(Debug, thiserror::Error)]
pub enum TemplateProblem {
    #[error("`{0}` is not an event anyone is notified of")]
    UnknownEvent(String),
    #[error("`{event}` is not sent on {channel}")]
    ChannelNotRouted { event: String, channel: Channel },
    #[error("locale `{0}` is not supported")]
    UnknownLocale(String),
    #[error("the template is invalid")]
    Invalid(Vec<TemplateError>),
    #[error(transparent)]
    Database(#[from] sea_orm::DbErr),
}

/// Checks that (event, channel, locale) names a template slot.
pub fn check_key(event: &str, channel: Channel, locale: &str) -> Result<(), TemplateProblem> {
    let Some((_, channels)) = slots().find(|(e, _)| *e == event) else {
        return Err(TemplateProblem::UnknownEvent(event.to_owned()));
    };
    if !channels.contains(&channel) {
        return Err(TemplateProblem::ChannelNotRouted {
            event: event.to_owned(),
            channel,
        });
    }
    if !LOCALES.contains(&locale) {
        return Err(TemplateProblem::UnknownLocale(locale.to_owned()));
    }
    Ok(())
}

/// The template in force: the override, else the shipped one, else the shipped English one.
pub async fn effective(
    db: &impl ConnectionTrait,
    event: &str,
    channel: Channel,
    locale: &str,
) -> anyhow::Result<TemplateParts> {
    if let Some(custom) = templates::find(db, event, channel, locale).await? {
        return Ok(custom.parts());
    }
    default_template(event, channel, locale)
        .or_else(|| default_template(event, channel, FALLBACK_LOCALE))
        .ok_or_else(|| anyhow::anyhow!("no template for {event} on {channel}"))
}

/// One slot with the template in force there.
pub struct Slot {
    pub event: &'static str,
    pub channel: Channel,
    pub locale: &'static str,
    pub parts: TemplateParts,
    /// The override, if an admin made one.
    pub custom: Option<templates::Model>,
}

/// Every slot (routed event × channel × locale, and the digest email) with its effective template.
pub async fn all_slots(db: &impl ConnectionTrait) -> anyhow::Result<Vec<Slot>> {
    let overrides = templates::all(db).await?;
    let mut all = Vec::new();
    for (event, channels) in slots() {
        for channel in channels {
            for locale in LOCALES {
                let custom = overrides
                    .iter()
                    .find(|t| {
                        t.event == *event && t.channel == channel.as_str() && t.locale == *locale
                    })
                    .cloned();
                let parts = match &custom {
                    Some(t) => t.parts(),
                    None => default_template(event, *channel, locale).ok_or_else(|| {
                        anyhow::anyhow!("no default for {event} {channel} {locale}")
                    })?,
                };
                all.push(Slot {
                    event,
                    channel: *channel,
                    locale,
                    parts,
                    custom,
                });
            }
        }
    }
    Ok(all)
}

/// Saves an override after checking that it compiles and uses only the event's variables.
pub async fn save(
    db: &kernel::Db,
    event: &str,
    channel: Channel,
    locale: &str,
    parts: &TemplateParts,
    by: Uuid,
) -> Result<(), TemplateProblem> {
    check_key(event, channel, locale)?;
    if channel != Channel::Email && parts.html.is_some() {
        return Err(TemplateProblem::Invalid(vec![TemplateError {
            part: "html",
            message: "only email templates have an HTML part".into(),
        }]));
    }
    rendering::check(event, parts).map_err(TemplateProblem::Invalid)?;
    let txn = db.begin().await?;
    templates::upsert(&*txn, event, channel, locale, parts, by).await?;
    txn.commit().await?;
    Ok(())
}

/// Removes an override (the shipped template applies again); whether there was one.
pub async fn remove_override(
    db: &kernel::Db,
    event: &str,
    channel: Channel,
    locale: &str,
) -> Result<bool, sea_orm::DbErr> {
    let txn = db.begin().await?;
    let existed = templates::delete(&*txn, event, channel, locale).await?;
    txn.commit().await?;
    Ok(existed)
}

/// Renders `parts` (or the effective template) with `payload` (or the event's sample).
pub async fn preview(
    db: &impl ConnectionTrait,
    event: &str,
    channel: Channel,
    locale: &str,
    parts: Option<TemplateParts>,
    payload: Option<serde_json::Value>,
) -> Result<Rendered, TemplateProblem> {
    check_key(event, channel, locale)?;
    let parts = match parts {
        Some(parts) => {
            rendering::check(event, &parts).map_err(TemplateProblem::Invalid)?;
            parts
        }
        None => effective(db, event, channel, locale)
            .await
            .map_err(|e| TemplateProblem::Database(sea_orm::DbErr::Custom(e.to_string())))?,
    };
    let payload = payload
        .or_else(|| sample_payload(event))
        .unwrap_or_default();
    // A sealed secret in a pasted payload is never opened here: previews show a placeholder.
    let context = crate::domain::sealed::with_placeholders(
        event,
        &rendering::context(&payload, "Sample Recipient", "https://app.example"),
    );
    rendering::render(&parts, &context).map_err(|e| TemplateProblem::Invalid(vec![e]))
}
