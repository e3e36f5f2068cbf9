//! The caller's notification preferences: every category routed to their role on every channel
//! (on unless turned off; security locked on), and the categories whose emails they take as a
//! daily digest.

use super::State;
use crate::app::preferences::{self as app, PreferenceProblem};
use crate::domain::{
    digest,
    preferences::{is_locked, routed_to, Choices, Part, Requested},
    Channel,
};
use actix_web::{web, HttpResponse};
use kernel::{error::FieldError, ApiError, ApiResult, Caller};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChannelPreferenceDto {
    pub category: String,
    pub channel: Channel,
    pub enabled: bool,
    /// Cannot be turned off (security messages).
    pub locked: bool,
    /// Whether messages of this category reach the caller's role on this channel today.
    pub in_use: bool,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreferencesDto {
    pub preferences: Vec<ChannelPreferenceDto>,
    /// Categories whose emails wait for the daily digest instead of going one by one.
    pub digest_categories: Vec<String>,
    /// Categories that may be put in the digest (routed to the caller by email; never security).
    pub digestible_categories: Vec<String>,
    /// Hour (UTC) of the daily digest; none when it is only sent on demand.
    pub digest_hour_utc: Option<u32>,
}

fn view(state: &State, caller: &Caller, choices: &Choices) -> PreferencesDto {
    let routed = routed_to(caller.role);
    let preferences = routed
        .iter()
        .flat_map(|(category, in_use)| {
            Channel::ALL
                .into_iter()
                .map(|channel| ChannelPreferenceDto {
                    category: (*category).to_owned(),
                    channel,
                    enabled: choices.enabled(category, channel),
                    locked: is_locked(category),
                    in_use: in_use.contains(&channel),
                })
        })
        .collect();
    let digestible_categories = routed
        .iter()
        .filter(|(category, channels)| !is_locked(category) && channels.contains(&Channel::Email))
        .map(|(category, _)| (*category).to_owned())
        .collect();
    let hour = state.settings.digest_hour_utc;
    PreferencesDto {
        preferences,
        digest_categories: choices.digest.iter().cloned().collect(),
        digestible_categories,
        digest_hour_utc: digest::next_run(chrono::Utc::now(), hour).map(|_| hour),
    }
}

/// The caller's preferences (defaults where they chose nothing).
#[utoipa::path(get, path = "/api/v1/notifications/preferences", tag = "notification", security(("bearer" = [])),
    operation_id = "getNotificationPreferences",
    responses((status = 200, body = PreferencesDto)))]
pub async fn get(state: State, caller: Caller) -> ApiResult<HttpResponse> {
    let choices = app::read(&state, caller.subject).await?;
    Ok(HttpResponse::Ok().json(view(&state, &caller, &choices)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChannelPreferenceInput {
    pub category: String,
    /// email | sms | in_app
    pub channel: String,
    pub enabled: bool,
}

/// Settings to change; what is not named stays as it is (a GET's body may be sent back).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreferencesInput {
    #[serde(default)]
    pub preferences: Vec<ChannelPreferenceInput>,
    /// The complete list of digest categories; absent = unchanged, `[]` = no digest.
    pub digest_categories: Option<Vec<String>>,
}

impl From<PreferenceProblem> for ApiError {
    fn from(problem: PreferenceProblem) -> Self {
        match problem {
            PreferenceProblem::Invalid(errors) => ApiError::validation(
                errors
                    .into_iter()
                    .map(|e| {
                        let field = match e.part {
                            Part::Category(i) => format!("preferences[{i}].category"),
                            Part::Channel(i) => format!("preferences[{i}].channel"),
                            Part::Enabled(i) => format!("preferences[{i}].enabled"),
                            Part::DigestCategory(i) => format!("digestCategories[{i}]"),
                        };
                        FieldError::new(field, e.message)
                    })
                    .collect(),
            ),
            PreferenceProblem::Database(error) => error.into(),
        }
    }
}

/// Changes the caller's preferences, all or nothing: an unknown category or channel, or turning
/// security messages off (or into the digest) → 422 naming the field, and nothing changes.
#[utoipa::path(put, path = "/api/v1/notifications/preferences", tag = "notification", security(("bearer" = [])),
    operation_id = "updateNotificationPreferences", request_body = PreferencesInput,
    responses((status = 200, body = PreferencesDto), (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn put(
    state: State,
    caller: Caller,
    body: web::Json<PreferencesInput>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let requested: Vec<Requested> = body
        .preferences
        .into_iter()
        .map(|p| Requested {
            category: p.category,
            channel: p.channel,
            enabled: p.enabled,
        })
        .collect();
    let choices = app::update(
        &state,
        caller.subject,
        &requested,
        body.digest_categories.as_deref(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(view(&state, &caller, &choices)))
}
