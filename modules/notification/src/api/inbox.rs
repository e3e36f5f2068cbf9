//! The caller's in-app inbox. Every query is scoped to the caller: no one sees another's items.

use super::{InboxItemDto, State};
use crate::store::inbox;
use actix_web::{web, HttpResponse};
use kernel::{
    pagination::{bool_or_string, ListParams, Page},
    ApiError, ApiResult, Caller,
};
use sea_orm::Order;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct InboxFilter {
    /// Only unread items.
    #[serde(default, deserialize_with = "bool_or_string")]
    pub unread: Option<bool>,
    /// The archive instead of the inbox.
    #[serde(default, deserialize_with = "bool_or_string")]
    pub archived: Option<bool>,
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", operation_id = "listNotifications", tag = "notification", security(("bearer" = [])), params(ListParams, InboxFilter),
    responses((status = 200, body = Page<InboxItemDto>)))]
pub async fn list(
    state: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<InboxFilter>,
) -> ApiResult<HttpResponse> {
    let select = inbox::of_user(
        caller.subject,
        filter.unread.unwrap_or(false),
        filter.archived.unwrap_or(false),
    );
    let sortable = [("createdAt", inbox::Column::CreatedAt)];
    let page = query
        .fetch(
            state.db.conn(),
            select,
            &sortable,
            (inbox::Column::CreatedAt, Order::Desc),
            inbox::Column::Id,
        )
        .await?;
    Ok(HttpResponse::Ok().json(page.map(InboxItemDto::from)))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnreadCount {
    pub unread: u64,
}

/// How many of the caller's notifications are unread (archived ones excluded).
#[utoipa::path(get, path = "/api/v1/notifications/unread-count", operation_id = "getUnreadNotificationCount", tag = "notification", security(("bearer" = [])),
    responses((status = 200, body = UnreadCount)))]
pub async fn unread_count(state: State, caller: Caller) -> ApiResult<HttpResponse> {
    let unread = inbox::unread_count(state.db.conn(), caller.subject).await?;
    Ok(HttpResponse::Ok().json(UnreadCount { unread }))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MarkedAll {
    pub marked: u64,
}

/// Marks every notification of the caller read.
#[utoipa::path(post, path = "/api/v1/notifications/read-all", operation_id = "markAllNotificationsRead", tag = "notification", security(("bearer" = [])),
    responses((status = 200, body = MarkedAll)))]
pub async fn read_all(state: State, caller: Caller) -> ApiResult<HttpResponse> {
    let marked = crate::app::inbox::mark_all_read(&state.db, caller.subject).await?;
    Ok(HttpResponse::Ok().json(MarkedAll { marked }))
}

async fn respond(state: &State, caller: &Caller, id: Uuid) -> ApiResult<HttpResponse> {
    let item = inbox::find_own(state.db.conn(), caller.subject, id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such notification"))?;
    Ok(HttpResponse::Ok().json(InboxItemDto::from(item)))
}

async fn mark(state: State, caller: Caller, id: Uuid, read: bool) -> ApiResult<HttpResponse> {
    let found = crate::app::inbox::mark(&state.db, caller.subject, id, read).await?;
    if !found {
        return Err(ApiError::not_found("no such notification"));
    }
    respond(&state, &caller, id).await
}

/// Marks one of the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", operation_id = "markNotificationRead", tag = "notification", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = InboxItemDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn read(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    mark(state, caller, *id, true).await
}

/// Marks one of the caller's notifications unread.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/unread", operation_id = "markNotificationUnread", tag = "notification", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = InboxItemDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn unread(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    mark(state, caller, *id, false).await
}

/// Moves one of the caller's notifications to the archive (read).
#[utoipa::path(post, path = "/api/v1/notifications/{id}/archive", operation_id = "archiveNotification", tag = "notification", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = InboxItemDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn archive(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let found = crate::app::inbox::archive(&state.db, caller.subject, *id).await?;
    if !found {
        return Err(ApiError::not_found("no such notification"));
    }
    respond(&state, &caller, *id).await
}
