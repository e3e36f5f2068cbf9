//! OEM promotions and the wholesale price quote.

use super::{dealer_scope, State};
use crate::app::promotions::{self as use_case, PromotionInput};
use crate::domain::pricing::Quote;
use crate::domain::promotions::{PromotionAudience, PromotionKind};
use crate::store::promotions::{oem_promotions as promos, PromotionFilter};
use actix_web::{web, HttpResponse};
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiError, ApiResult, Caller,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PromotionDto {
    pub id: Uuid,
    pub name: String,
    pub applies_to: PromotionAudience,
    pub kind: PromotionKind,
    pub value: i64,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub ends_at: chrono::DateTime<chrono::Utc>,
    pub variant_ids: Vec<Uuid>,
    pub dealer_ids: Vec<Uuid>,
    pub stackable: bool,
    pub active: bool,
    pub version: i32,
}

impl From<promos::Model> for PromotionDto {
    fn from(p: promos::Model) -> Self {
        Self {
            variant_ids: p.variant_ids.0,
            dealer_ids: p.dealer_ids.0,
            id: p.id,
            name: p.name,
            applies_to: p.applies_to,
            kind: p.kind,
            value: p.value,
            starts_at: p.starts_at,
            ends_at: p.ends_at,
            stackable: p.stackable,
            active: p.active,
            version: p.version,
        }
    }
}

/// OEM promotions; dealer roles see the ones in force that are open to their dealer.
#[utoipa::path(get, path = "/api/v1/catalog/promotions", operation_id = "listCatalogPromotions", tag = "manufacturer", security(("bearer" = [])), params(ListParams, PromotionFilter),
    responses((status = 200, body = Page<PromotionDto>)))]
pub async fn list(
    db: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<PromotionFilter>,
) -> ApiResult<HttpResponse> {
    let page = use_case::list(&db, &caller, &filter, &query).await?;
    Ok(HttpResponse::Ok().json(page.map(PromotionDto::from)))
}

/// Creates a promotion and tells other modules (`promotion_changed`).
#[utoipa::path(post, path = "/api/v1/catalog/promotions", operation_id = "createCatalogPromotion", tag = "manufacturer", security(("bearer" = [])), request_body = PromotionInput,
    responses((status = 201, body = PromotionDto), (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create(db: State, body: ValidJson<PromotionInput>) -> ApiResult<HttpResponse> {
    let promotion = use_case::create(&db, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(PromotionDto::from(promotion)))
}

/// Replaces a promotion's terms (or ends it with `active: false`).
#[utoipa::path(patch, path = "/api/v1/catalog/promotions/{id}", operation_id = "updateCatalogPromotion", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = PromotionInput, responses((status = 200, body = PromotionDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn update(
    db: State,
    id: web::Path<Uuid>,
    body: ValidJson<PromotionInput>,
) -> ApiResult<HttpResponse> {
    let promotion = use_case::update(&db, *id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(PromotionDto::from(promotion)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct QuoteQuery {
    /// Dealer managers get their own dealer's price; OEM staff name the dealer.
    pub dealer_id: Option<Uuid>,
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    #[serde(default, deserialize_with = "kernel::pagination::number_or_string")]
    pub quantity: Option<u64>,
}

/// Line-by-line wholesale quote: price, colour surcharge, contract discount, promotions, total.
#[utoipa::path(get, path = "/api/v1/catalog/price-quote", operation_id = "getCatalogPriceQuote", tag = "manufacturer", security(("bearer" = [])), params(QuoteQuery),
    responses((status = 200, body = Quote), (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn price_quote(
    db: State,
    caller: Caller,
    query: web::Query<QuoteQuery>,
) -> ApiResult<HttpResponse> {
    let dealer_id = dealer_scope(&caller, query.dealer_id)?
        .ok_or_else(|| ApiError::invalid_field("dealerId", "name the dealer to quote for"))?;
    let quantity = query.quantity.unwrap_or(1);
    if !(1..=1000).contains(&quantity) {
        return Err(ApiError::invalid_field("quantity", "must be 1–1000"));
    }
    let quote = crate::app::pricing::quote_for(
        db.conn(),
        dealer_id,
        query.variant_id,
        query.colour_id,
        quantity as i64,
        "",
    )
    .await?;
    Ok(HttpResponse::Ok().json(quote))
}
