//! OEM promotions and the wholesale price quote.

use super::{dealer_scope, is_oem, State};
use crate::domain::pricing::{DiscountKind, Quote};
use crate::store::promotions::{self, oem_promotions as promos};
use actix_web::{web, HttpResponse};
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiError, ApiResult, Caller,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, Order, QueryFilter, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PromotionDto {
    pub id: Uuid,
    pub name: String,
    pub applies_to: String,
    pub kind: String,
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
            variant_ids: p.variant_list(),
            dealer_ids: p.dealer_list(),
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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PromotionFilter {
    /// wholesale | retail
    pub applies_to: Option<String>,
    /// Only those in force now.
    #[serde(default, deserialize_with = "kernel::pagination::bool_or_string")]
    pub current: Option<bool>,
}

/// OEM promotions; dealer roles see the ones open to their dealer.
#[utoipa::path(get, path = "/api/v1/catalog/promotions", tag = "manufacturer", security(("bearer" = [])), params(ListParams, PromotionFilter),
    responses((status = 200, body = Page<PromotionDto>)))]
pub async fn list(
    db: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<PromotionFilter>,
) -> ApiResult<HttpResponse> {
    let now = chrono::Utc::now();
    let mut select = promos::Entity::find();
    if let Some(applies_to) = &filter.applies_to {
        select = select.filter(promos::Column::AppliesTo.eq(applies_to.as_str()));
    }
    if filter.current == Some(true) || !is_oem(&caller) {
        select = select
            .filter(promos::Column::Active.eq(true))
            .filter(promos::Column::StartsAt.lte(now))
            .filter(promos::Column::EndsAt.gt(now));
    }
    if let Some(q) = query.query() {
        select = select.filter(promos::Column::Name.contains(q));
    }
    let sortable = [
        ("startsAt", promos::Column::StartsAt),
        ("endsAt", promos::Column::EndsAt),
        ("name", promos::Column::Name),
    ];
    let mut page = query
        .fetch(
            db.conn(),
            select,
            &sortable,
            (promos::Column::StartsAt, Order::Desc),
            promos::Column::Id,
        )
        .await?;
    if let Some(own) = caller.dealer_id.filter(|_| !is_oem(&caller)) {
        // Promotions aimed at named dealers are private to them.
        page.items
            .retain(|p| p.dealer_list().is_empty() || p.dealer_list().contains(&own));
    }
    Ok(HttpResponse::Ok().json(page.map(PromotionDto::from)))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PromotionInput {
    #[validate(length(min = 1, max = 120))]
    pub name: String,
    /// wholesale (what dealers pay) | retail (an OEM-funded discount for customers)
    pub applies_to: String,
    /// percent (`value` in basis points, 500 = 5%) | amount (`value` in minor units)
    pub kind: String,
    pub value: i64,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub ends_at: chrono::DateTime<chrono::Utc>,
    #[serde(default)]
    pub variant_ids: Vec<Uuid>,
    #[serde(default)]
    pub dealer_ids: Vec<Uuid>,
    #[serde(default)]
    pub stackable: bool,
    /// Required when updating; a stale one is refused with 409.
    pub version: Option<i32>,
    pub active: Option<bool>,
}

impl PromotionInput {
    fn check(&self) -> Result<(), ApiError> {
        if !["wholesale", "retail"].contains(&self.applies_to.as_str()) {
            return Err(ApiError::invalid_field(
                "appliesTo",
                "must be wholesale or retail",
            ));
        }
        if DiscountKind::parse(&self.kind, self.value).is_none() {
            return Err(ApiError::invalid_field(
                "value",
                "percent: 1–10000 basis points; amount: a positive amount in minor units",
            ));
        }
        if self.ends_at <= self.starts_at {
            return Err(ApiError::invalid_field("endsAt", "must be after startsAt"));
        }
        Ok(())
    }
}

/// Creates a promotion and tells other modules (`promotion_changed`).
#[utoipa::path(post, path = "/api/v1/catalog/promotions", tag = "manufacturer", security(("bearer" = [])), request_body = PromotionInput,
    responses((status = 201, body = PromotionDto), (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create(db: State, body: ValidJson<PromotionInput>) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    body.check()?;
    let now = chrono::Utc::now();
    let mut txn = db.begin().await?;
    let promotion = promos::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(body.name.trim().to_owned()),
        applies_to: Set(body.applies_to),
        kind: Set(body.kind),
        value: Set(body.value),
        starts_at: Set(body.starts_at),
        ends_at: Set(body.ends_at),
        variant_ids: Set(serde_json::json!(body.variant_ids)),
        dealer_ids: Set(serde_json::json!(body.dealer_ids)),
        stackable: Set(body.stackable),
        active: Set(body.active.unwrap_or(true)),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*txn)
    .await?;
    kernel::events::publish(&mut txn, &promotions::changed_event(&promotion)).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(PromotionDto::from(promotion)))
}

/// Replaces a promotion's terms (or ends it with `active: false`).
#[utoipa::path(patch, path = "/api/v1/catalog/promotions/{id}", tag = "manufacturer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = PromotionInput, responses((status = 200, body = PromotionDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn update(
    db: State,
    id: web::Path<Uuid>,
    body: ValidJson<PromotionInput>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    body.check()?;
    let current = promos::Entity::find_by_id(*id)
        .one(db.conn())
        .await?
        .ok_or_else(|| ApiError::not_found("no such promotion"))?;
    let version = body
        .version
        .ok_or_else(|| ApiError::invalid_field("version", "required when updating"))?;
    if version != current.version {
        return Err(ApiError::conflict(format!(
            "stale version {version}; the promotion is at version {}",
            current.version
        )));
    }
    let mut update = current.into_active_model();
    update.name = Set(body.name.trim().to_owned());
    update.applies_to = Set(body.applies_to);
    update.kind = Set(body.kind);
    update.value = Set(body.value);
    update.starts_at = Set(body.starts_at);
    update.ends_at = Set(body.ends_at);
    update.variant_ids = Set(serde_json::json!(body.variant_ids));
    update.dealer_ids = Set(serde_json::json!(body.dealer_ids));
    update.stackable = Set(body.stackable);
    if let Some(active) = body.active {
        update.active = Set(active);
    }
    update.version = Set(version + 1);
    update.updated_at = Set(chrono::Utc::now());
    let mut txn = db.begin().await?;
    let promotion = update.update(&*txn).await?;
    kernel::events::publish(&mut txn, &promotions::changed_event(&promotion)).await?;
    txn.commit().await?;
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
#[utoipa::path(get, path = "/api/v1/catalog/price-quote", tag = "manufacturer", security(("bearer" = [])), params(QuoteQuery),
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
