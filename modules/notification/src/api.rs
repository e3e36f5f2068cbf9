//! The caller's own notifications.

use crate::store::notifications;
use actix_web::{web, HttpResponse};
use kernel::{
    pagination::{ListParams, Page},
    Access, ApiResult, Caller, Db, RouteTable,
};
use sea_orm::{ColumnTrait, EntityTrait, Order, QueryFilter};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationDto {
    pub id: Uuid,
    pub channel: String,
    pub template: String,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<notifications::Model> for NotificationDto {
    fn from(n: notifications::Model) -> Self {
        Self {
            id: n.id,
            channel: n.channel,
            template: n.template,
            subject: n.subject,
            body: n.body,
            status: n.status,
            created_at: n.created_at,
            sent_at: n.sent_at,
        }
    }
}

pub fn routes(r: &mut RouteTable, db: web::Data<Db>) {
    r.app_data(db);
    r.get("/notifications", Access::Authenticated, list);
}

/// Notifications sent to the caller, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notification", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = Page<NotificationDto>)))]
pub async fn list(
    db: web::Data<Db>,
    caller: Caller,
    query: web::Query<ListParams>,
) -> ApiResult<HttpResponse> {
    let select = notifications::Entity::find()
        .filter(notifications::Column::RecipientUserId.eq(caller.subject));
    let sortable = [("createdAt", notifications::Column::CreatedAt)];
    let page = query
        .fetch(
            db.conn(),
            select,
            &sortable,
            (notifications::Column::CreatedAt, Order::Desc),
            notifications::Column::Id,
        )
        .await?;
    Ok(HttpResponse::Ok().json(page.map(NotificationDto::from)))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list), components(schemas(NotificationDto)),
    tags((name = "notification", description = "Templates, notifications, in-app inbox and preferences.")))]
pub struct ApiDoc;
