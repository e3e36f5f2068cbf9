//! Templates per event × channel × locale (admins): the shipped defaults and their overrides,
//! checked on save (an unknown variable → 422), and previews with a sample payload.

use super::State;
use crate::app::templates::{self as app, TemplateProblem};
use crate::domain::{defaults::TemplateParts, rendering::allowed_variables, Channel};
use actix_web::{web, HttpResponse};
use kernel::{error::FieldError, ApiError, ApiResult, Caller};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateDto {
    pub event: String,
    pub channel: Channel,
    pub locale: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    /// `default` (shipped) or `custom` (an admin's override).
    pub source: String,
    pub version: Option<i32>,
    pub updated_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The variables this event's templates may use.
    pub variables: Vec<String>,
}

impl From<app::Slot> for TemplateDto {
    fn from(slot: app::Slot) -> Self {
        Self {
            event: slot.event.to_owned(),
            channel: slot.channel,
            locale: slot.locale.to_owned(),
            subject: slot.parts.subject,
            text: slot.parts.text,
            html: slot.parts.html,
            source: if slot.custom.is_some() {
                "custom"
            } else {
                "default"
            }
            .to_owned(),
            version: slot.custom.as_ref().map(|c| c.version),
            updated_at: slot.custom.as_ref().map(|c| c.updated_at),
            variables: allowed_variables(slot.event).into_iter().collect(),
        }
    }
}

impl From<TemplateProblem> for ApiError {
    fn from(problem: TemplateProblem) -> Self {
        match problem {
            TemplateProblem::UnknownEvent(_) => {
                ApiError::invalid_field("event", problem.to_string())
            }
            TemplateProblem::ChannelNotRouted { .. } => {
                ApiError::invalid_field("channel", problem.to_string())
            }
            TemplateProblem::UnknownLocale(_) => {
                ApiError::invalid_field("locale", problem.to_string())
            }
            TemplateProblem::Invalid(errors) => ApiError::validation(
                errors
                    .into_iter()
                    .map(|e| FieldError::new(e.part, e.message))
                    .collect(),
            ),
            TemplateProblem::Database(error) => error.into(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TemplateFilter {
    pub event: Option<String>,
    pub channel: Option<Channel>,
    pub locale: Option<String>,
}

/// Every template slot (routed event × channel × locale) with the template in force.
#[utoipa::path(get, path = "/api/v1/notifications/templates", operation_id = "listNotificationTemplates", tag = "notification", security(("bearer" = [])), params(TemplateFilter),
    responses((status = 200, body = Vec<TemplateDto>)))]
pub async fn list(state: State, filter: web::Query<TemplateFilter>) -> ApiResult<HttpResponse> {
    let slots: Vec<TemplateDto> = app::all_slots(state.db.conn())
        .await?
        .into_iter()
        .filter(|s| filter.event.as_deref().is_none_or(|e| e == s.event))
        .filter(|s| filter.channel.is_none_or(|c| c == s.channel))
        .filter(|s| filter.locale.as_deref().is_none_or(|l| l == s.locale))
        .map(TemplateDto::from)
        .collect();
    Ok(HttpResponse::Ok().json(slots))
}

fn slot_key(path: &(String, String, String)) -> Result<(String, Channel, String), ApiError> {
    let (event, channel, locale) = path;
    let channel: Channel = channel
        .parse()
        .map_err(|e: String| ApiError::invalid_field("channel", e))?;
    app::check_key(event, channel, locale).map_err(ApiError::from)?;
    Ok((event.clone(), channel, locale.clone()))
}

async fn respond(
    state: &State,
    event: &str,
    channel: Channel,
    locale: &str,
) -> ApiResult<HttpResponse> {
    let slot = app::all_slots(state.db.conn())
        .await?
        .into_iter()
        .find(|s| s.event == event && s.channel == channel && s.locale == locale)
        .ok_or_else(|| ApiError::not_found("no such template"))?;
    Ok(HttpResponse::Ok().json(TemplateDto::from(slot)))
}

/// The template in force for one event, channel and locale.
#[utoipa::path(get, path = "/api/v1/notifications/templates/{event}/{channel}/{locale}", operation_id = "getNotificationTemplate", tag = "notification", security(("bearer" = [])),
    params(("event" = String, Path), ("channel" = String, Path), ("locale" = String, Path)),
    responses((status = 200, body = TemplateDto), (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get(
    state: State,
    path: web::Path<(String, String, String)>,
) -> ApiResult<HttpResponse> {
    let (event, channel, locale) = slot_key(&path)?;
    respond(&state, &event, channel, &locale).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateInput {
    /// Email subject; in-app title.
    pub subject: String,
    /// Email text part; in-app body; SMS text.
    pub text: String,
    /// Email HTML part (variables are HTML-escaped).
    pub html: Option<String>,
}

impl From<TemplateInput> for TemplateParts {
    fn from(input: TemplateInput) -> Self {
        Self {
            subject: input.subject,
            text: input.text,
            html: input.html,
        }
    }
}

/// Overrides the template of one event, channel and locale. A template that does not compile
/// or uses a variable its event does not provide → 422.
#[utoipa::path(put, path = "/api/v1/notifications/templates/{event}/{channel}/{locale}", operation_id = "putNotificationTemplate", tag = "notification", security(("bearer" = [])),
    params(("event" = String, Path), ("channel" = String, Path), ("locale" = String, Path)), request_body = TemplateInput,
    responses((status = 200, body = TemplateDto), (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn put(
    state: State,
    caller: Caller,
    path: web::Path<(String, String, String)>,
    body: web::Json<TemplateInput>,
) -> ApiResult<HttpResponse> {
    let (event, channel, locale) = slot_key(&path)?;
    app::save(
        &state.db,
        &event,
        channel,
        &locale,
        &body.into_inner().into(),
        caller.subject,
    )
    .await?;
    respond(&state, &event, channel, &locale).await
}

/// Removes the override: the shipped template applies again.
#[utoipa::path(delete, path = "/api/v1/notifications/templates/{event}/{channel}/{locale}", operation_id = "deleteNotificationTemplate", tag = "notification", security(("bearer" = [])),
    params(("event" = String, Path), ("channel" = String, Path), ("locale" = String, Path)),
    responses((status = 200, body = TemplateDto), (status = 404, description = "No override", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn delete(
    state: State,
    path: web::Path<(String, String, String)>,
) -> ApiResult<HttpResponse> {
    let (event, channel, locale) = slot_key(&path)?;
    let existed = app::remove_override(&state.db, &event, channel, &locale).await?;
    if !existed {
        return Err(ApiError::not_found("this template has no override"));
    }
    respond(&state, &event, channel, &locale).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreviewInput {
    pub event: String,
    pub channel: Channel,
    pub locale: String,
    /// A draft to preview; absent = the template in force.
    pub template: Option<TemplateInput>,
    /// The event payload to render with; absent = a sample of the event.
    #[schema(value_type = Option<Object>)]
    pub payload: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreviewDto {
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

/// Renders a template (a draft or the one in force) with a payload (given or a sample).
#[utoipa::path(post, path = "/api/v1/notifications/templates/preview", operation_id = "previewNotificationTemplate", tag = "notification", security(("bearer" = [])), request_body = PreviewInput,
    responses((status = 200, body = PreviewDto), (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn preview(state: State, body: web::Json<PreviewInput>) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let rendered = app::preview(
        state.db.conn(),
        &body.event,
        body.channel,
        &body.locale,
        body.template.map(TemplateParts::from),
        body.payload,
    )
    .await?;
    Ok(HttpResponse::Ok().json(PreviewDto {
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
    }))
}
