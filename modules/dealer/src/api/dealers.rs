//! Dealers: the OEM manages them; dealer roles read their own.

use super::State;
use crate::store::dealers;
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
pub struct DealerDto {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub region: String,
    pub city: String,
    pub tax_number: String,
    pub status: String,
    pub tax_rate_bp: i32,
    /// IANA time zone (e.g. `Asia/Ho_Chi_Minh`); none = the system default.
    pub time_zone: Option<String>,
    pub version: i32,
}

impl From<dealers::Model> for DealerDto {
    fn from(d: dealers::Model) -> Self {
        Self {
            id: d.id,
            code: d.code,
            name: d.name,
            region: d.region,
            city: d.city,
            tax_number: d.tax_number,
            status: d.status,
            tax_rate_bp: d.tax_rate_bp,
            time_zone: d.time_zone,
            version: d.version,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct DealerFilter {
    pub status: Option<String>,
    pub region: Option<String>,
}

/// Dealers; a dealer role sees only its own.
#[utoipa::path(get, path = "/api/v1/dealers", tag = "dealer", security(("bearer" = [])), params(ListParams, DealerFilter),
    responses((status = 200, body = Page<DealerDto>)))]
pub async fn list(
    db: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<DealerFilter>,
) -> ApiResult<HttpResponse> {
    use dealers::Column as C;
    let mut select = dealers::Entity::find();
    if let Some(own) = caller.dealer_id {
        select = select.filter(C::Id.eq(own));
    }
    if let Some(s) = &filter.status {
        select = select.filter(C::Status.eq(s.as_str()));
    }
    if let Some(r) = &filter.region {
        select = select.filter(C::Region.eq(r.as_str()));
    }
    if let Some(q) = query.query() {
        select = select.filter(C::Name.contains(q));
    }
    let sortable = [
        ("name", C::Name),
        ("code", C::Code),
        ("region", C::Region),
        ("createdAt", C::CreatedAt),
    ];
    let page = query
        .fetch(db.conn(), select, &sortable, (C::Name, Order::Asc), C::Id)
        .await?;
    Ok(HttpResponse::Ok().json(page.map(DealerDto::from)))
}

pub const STATUSES: [&str; 3] = ["active", "suspended", "inactive"];

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateDealer {
    #[validate(length(min = 2, max = 16))]
    pub code: String,
    #[validate(length(min = 1, max = 160))]
    pub name: String,
    #[validate(length(min = 1, max = 80))]
    pub region: String,
    #[validate(length(min = 1, max = 80))]
    pub city: String,
    #[validate(length(min = 5, max = 32))]
    pub tax_number: String,
    /// VAT in basis points (1000 = 10%).
    #[validate(range(min = 0, max = 5000))]
    pub tax_rate_bp: Option<i32>,
    /// IANA time zone of the dealer's local time (SMS quiet hours), e.g. `Asia/Ho_Chi_Minh`.
    pub time_zone: Option<String>,
}

/// The zone named in a request, or 422 naming `timeZone`.
fn time_zone_field(input: &str) -> Result<Option<String>, ApiError> {
    crate::domain::time_zone::parse(input).map_err(|e| ApiError::invalid_field("timeZone", e))
}

/// Registers a dealer (OEM staff).
#[utoipa::path(post, path = "/api/v1/dealers", tag = "dealer", security(("bearer" = [])), request_body = CreateDealer,
    responses((status = 201, body = DealerDto), (status = 409, description = "Code taken", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create(db: State, body: ValidJson<CreateDealer>) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let time_zone = match body.time_zone.as_deref() {
        Some(zone) => time_zone_field(zone)?,
        None => None,
    };
    let now = chrono::Utc::now();
    let mut txn = db.begin().await?;
    let dealer = dealers::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(body.code.trim().to_uppercase()),
        name: Set(body.name.trim().to_owned()),
        region: Set(body.region.trim().to_owned()),
        city: Set(body.city.trim().to_owned()),
        tax_number: Set(body.tax_number.trim().to_owned()),
        status: Set("active".into()),
        tax_rate_bp: Set(body.tax_rate_bp.unwrap_or(1000)),
        time_zone: Set(time_zone),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*txn)
    .await?;
    kernel::events::publish(&mut txn, &profile_event(&dealer)).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(DealerDto::from(dealer)))
}

/// The dealer if the caller may see it (404 otherwise).
pub async fn visible_dealer(
    db: &State,
    caller: &Caller,
    id: Uuid,
) -> Result<dealers::Model, ApiError> {
    caller.ensure_dealer(id)?;
    dealers::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .ok_or_else(|| ApiError::not_found("no such dealer"))
}

/// One dealer.
#[utoipa::path(get, path = "/api/v1/dealers/{id}", tag = "dealer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = DealerDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(DealerDto::from(visible_dealer(&db, &caller, *id).await?)))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateDealer {
    #[validate(length(min = 1, max = 160))]
    pub name: Option<String>,
    #[validate(length(min = 1, max = 80))]
    pub region: Option<String>,
    #[validate(length(min = 1, max = 80))]
    pub city: Option<String>,
    /// active | suspended (blocks new sales) | inactive
    pub status: Option<String>,
    #[validate(range(min = 0, max = 5000))]
    pub tax_rate_bp: Option<i32>,
    /// IANA time zone; an empty string removes it (the system default applies).
    pub time_zone: Option<String>,
    pub version: i32,
}

/// Changes a dealer, e.g. suspends it (optimistic on `version`).
#[utoipa::path(patch, path = "/api/v1/dealers/{id}", tag = "dealer", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = UpdateDealer,
    responses((status = 200, body = DealerDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn update(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<UpdateDealer>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let dealer = visible_dealer(&db, &caller, *id).await?;
    if dealer.version != body.version {
        return Err(ApiError::conflict(format!(
            "stale version {}; the dealer is at version {}",
            body.version, dealer.version
        )));
    }
    let mut update = dealer.into_active_model();
    if let Some(status) = body.status {
        if !STATUSES.contains(&status.as_str()) {
            return Err(ApiError::invalid_field(
                "status",
                "must be active, suspended or inactive",
            ));
        }
        update.status = Set(status);
    }
    if let Some(v) = body.name {
        update.name = Set(v.trim().to_owned());
    }
    if let Some(v) = body.region {
        update.region = Set(v.trim().to_owned());
    }
    if let Some(v) = body.city {
        update.city = Set(v.trim().to_owned());
    }
    if let Some(v) = body.tax_rate_bp {
        update.tax_rate_bp = Set(v);
    }
    if let Some(zone) = body.time_zone.as_deref() {
        update.time_zone = Set(time_zone_field(zone)?);
    }
    update.version = Set(body.version + 1);
    update.updated_at = Set(chrono::Utc::now());
    let mut txn = db.begin().await?;
    let dealer = update.update(&*txn).await?;
    kernel::events::publish(&mut txn, &profile_event(&dealer)).await?;
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(DealerDto::from(dealer)))
}

/// What other modules learn of a dealer when it is registered or changed.
pub fn profile_event(d: &dealers::Model) -> contracts::events::dealer::DealerProfileChanged {
    contracts::events::dealer::DealerProfileChanged {
        dealer_id: d.id,
        code: d.code.clone(),
        name: d.name.clone(),
        region: d.region.clone(),
        city: d.city.clone(),
        status: d.status.clone(),
        time_zone: d.time_zone.clone(),
    }
}
