//! `/dealers/{id}/targets`: monthly sales targets the OEM sets.

use super::State;
use crate::app::network::{self as use_case, Target};
use crate::store::sales_targets;
use actix_web::{web, HttpResponse};
use contracts::Money;
use kernel::{validation::ValidJson, ApiResult, Caller};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TargetDto {
    /// `YYYY-MM`
    pub period: String,
    pub target_units: i32,
    pub target_revenue: Money,
}

impl From<sales_targets::Model> for TargetDto {
    fn from(t: sales_targets::Model) -> Self {
        Self {
            period: t.period,
            target_units: t.target_units,
            target_revenue: Money(t.target_revenue),
        }
    }
}

/// Sales targets by month.
#[utoipa::path(get, path = "/api/v1/dealers/{id}/targets", tag = "dealer", operation_id = "listDealerTargets", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = [TargetDto]), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn list(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let rows = use_case::targets(&state, &caller, *id).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(TargetDto::from).collect::<Vec<_>>()))
}

/// Sets the target of one month (OEM staff).
#[utoipa::path(put, path = "/api/v1/dealers/{id}/targets", tag = "dealer", operation_id = "setDealerTarget", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = Target,
    responses((status = 200, body = TargetDto), (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn set(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<Target>,
) -> ApiResult<HttpResponse> {
    let target = use_case::set_target(&state, &caller, *id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(TargetDto::from(target)))
}
