//! HTTP API of the notification module: the caller's inbox (and its live stream), templates and
//! the delivery ledger (admins).

pub mod deliveries;
pub mod digests;
pub mod inbox;
pub mod preferences;
pub mod stream;
pub mod templates;

use crate::app::Notifications;
use crate::store::inbox as inbox_rows;
use actix_web::web;
use kernel::{Access, Role, RouteTable};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

pub type State = web::Data<Notifications>;

const ADMINS: &[Role] = &[Role::Admin];

pub fn routes(r: &mut RouteTable, state: State) {
    use Access::{Authenticated, Roles};
    r.app_data(state);
    r.get("/notifications", Authenticated, inbox::list)
        .get(
            "/notifications/unread-count",
            Authenticated,
            inbox::unread_count,
        )
        .get(
            "/notifications/stream",
            stream::STREAM_ACCESS,
            stream::stream,
        )
        .post(
            "/notifications/stream-tickets",
            Authenticated,
            stream::issue_ticket,
        )
        .post("/notifications/read-all", Authenticated, inbox::read_all)
        .post("/notifications/{id}/read", Authenticated, inbox::read)
        .post("/notifications/{id}/unread", Authenticated, inbox::unread)
        .post("/notifications/{id}/archive", Authenticated, inbox::archive)
        .get("/notifications/templates", Roles(ADMINS), templates::list)
        .post(
            "/notifications/templates/preview",
            Roles(ADMINS),
            templates::preview,
        )
        .get(
            "/notifications/templates/{event}/{channel}/{locale}",
            Roles(ADMINS),
            templates::get,
        )
        .put(
            "/notifications/templates/{event}/{channel}/{locale}",
            Roles(ADMINS),
            templates::put,
        )
        .delete(
            "/notifications/templates/{event}/{channel}/{locale}",
            Roles(ADMINS),
            templates::delete,
        )
        .get(
            "/admin/notifications/deliveries",
            Roles(ADMINS),
            deliveries::list,
        )
        .get(
            "/admin/notifications/deliveries/{id}",
            Roles(ADMINS),
            deliveries::get,
        )
        .post(
            "/admin/notifications/deliveries/{id}/resend",
            Roles(ADMINS),
            deliveries::resend,
        );
    // Preferences and the daily digest.
    r.get(
        "/notifications/preferences",
        Authenticated,
        preferences::get,
    )
    .put(
        "/notifications/preferences",
        Authenticated,
        preferences::put,
    )
    .post(
        "/admin/notifications/digests/run",
        Roles(ADMINS),
        digests::run,
    );
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        inbox::list, inbox::unread_count, inbox::read_all, inbox::read, inbox::unread, inbox::archive,
        stream::stream, stream::issue_ticket,
        templates::list, templates::preview, templates::get, templates::put, templates::delete,
        deliveries::list, deliveries::get, deliveries::resend,
        preferences::get, preferences::put, digests::run,
    ),
    components(schemas(crate::domain::Channel, crate::domain::DeliveryStatus)),
    tags((name = "notification", description = "The in-app inbox, templates and the delivery ledger."))
)]
pub struct ApiDoc;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InboxItemDto {
    pub id: Uuid,
    pub event: String,
    pub category: String,
    pub title: String,
    pub body: String,
    pub read: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub read_at: Option<chrono::DateTime<chrono::Utc>>,
    pub archived_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<inbox_rows::Model> for InboxItemDto {
    fn from(item: inbox_rows::Model) -> Self {
        Self {
            id: item.id,
            event: item.event_name,
            category: item.category,
            title: item.title,
            body: item.body,
            read: item.read_at.is_some(),
            created_at: item.created_at,
            read_at: item.read_at,
            archived_at: item.archived_at,
        }
    }
}
