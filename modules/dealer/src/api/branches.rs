//! `/dealers/{id}/branches`: a dealer's showrooms and service points.

use super::State;
use crate::app::network::{self as use_case, NewBranch};
use crate::store::branches;
use actix_web::{web, HttpResponse};
use kernel::{validation::ValidJson, ApiResult, Caller};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BranchDto {
    pub id: Uuid,
    pub dealer_id: Uuid,
    pub name: String,
    pub city: String,
    pub address: String,
}

impl From<branches::Model> for BranchDto {
    fn from(b: branches::Model) -> Self {
        Self {
            id: b.id,
            dealer_id: b.dealer_id,
            name: b.name,
            city: b.city,
            address: b.address,
        }
    }
}

/// The dealer's branches.
#[utoipa::path(get, path = "/api/v1/dealers/{id}/branches", tag = "dealer", operation_id = "listDealerBranches", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = [BranchDto]), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn list(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let rows = use_case::branches(&state, &caller, *id).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(BranchDto::from).collect::<Vec<_>>()))
}

/// Opens a branch (OEM staff, or the dealer's manager).
#[utoipa::path(post, path = "/api/v1/dealers/{id}/branches", tag = "dealer", operation_id = "openDealerBranch", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = NewBranch,
    responses((status = 201, body = BranchDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<NewBranch>,
) -> ApiResult<HttpResponse> {
    let branch = use_case::open_branch(&state, &caller, *id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(BranchDto::from(branch)))
}
