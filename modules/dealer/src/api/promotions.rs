//! `/dealers/{id}/promotions`: the dealer's own promotions.

use super::State;
use crate::app::promotions::{self as use_case, NewPromotion};
use crate::domain::promotions::PromotionKind;
use crate::store::dealer_promotions;
use actix_web::{web, HttpResponse};
use kernel::{validation::ValidJson, ApiResult, Caller};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DealerPromotionDto {
    pub id: Uuid,
    pub name: String,
    pub kind: PromotionKind,
    /// Basis points (percent) or minor units (amount).
    pub value: i64,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub ends_at: chrono::DateTime<chrono::Utc>,
    /// Empty = every variant.
    pub variant_ids: Vec<Uuid>,
    pub active: bool,
}

impl From<dealer_promotions::Model> for DealerPromotionDto {
    fn from(p: dealer_promotions::Model) -> Self {
        Self {
            id: p.id,
            name: p.name,
            kind: p.kind,
            value: p.value,
            starts_at: p.starts_at,
            ends_at: p.ends_at,
            variant_ids: p.variant_ids.0,
            active: p.active,
        }
    }
}

/// The dealer's own promotions.
#[utoipa::path(get, path = "/api/v1/dealers/{id}/promotions", tag = "dealer", operation_id = "listDealerPromotions", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = [DealerPromotionDto]), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn list(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let rows = use_case::list(&state, &caller, *id).await?;
    Ok(HttpResponse::Ok().json(
        rows.into_iter()
            .map(DealerPromotionDto::from)
            .collect::<Vec<_>>(),
    ))
}

/// Creates a dealer promotion (the dealer's manager).
#[utoipa::path(post, path = "/api/v1/dealers/{id}/promotions", tag = "dealer", operation_id = "createDealerPromotion", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = NewPromotion,
    responses((status = 201, body = DealerPromotionDto), (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<NewPromotion>,
) -> ApiResult<HttpResponse> {
    let promotion = use_case::create(&state, &caller, *id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(DealerPromotionDto::from(promotion)))
}
