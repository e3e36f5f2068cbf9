//! `/dealers/{id}/staff`: who works for the dealer (kept in step with user accounts).

use super::State;
use crate::app::network as use_case;
use crate::store::staff;
use actix_web::{web, HttpResponse};
use kernel::{
    pagination::{ListParams, Page},
    ApiResult, Caller,
};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StaffDto {
    pub user_id: Uuid,
    pub branch_id: Option<Uuid>,
    pub name: String,
    pub email: String,
    pub role: String,
    pub active: bool,
}

impl From<staff::Model> for StaffDto {
    fn from(s: staff::Model) -> Self {
        Self {
            user_id: s.user_id,
            branch_id: s.branch_id,
            name: s.name,
            email: s.email,
            role: s.role,
            active: s.active,
        }
    }
}

/// The dealer's staff; `q` searches the name.
#[utoipa::path(get, path = "/api/v1/dealers/{id}/staff", tag = "dealer", operation_id = "listDealerStaff", security(("bearer" = [])), params(("id" = Uuid, Path), ListParams),
    responses((status = 200, body = Page<StaffDto>), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<ListParams>,
) -> ApiResult<HttpResponse> {
    let page = use_case::staff(&state, &caller, *id, &query).await?;
    Ok(HttpResponse::Ok().json(page.map(StaffDto::from)))
}
