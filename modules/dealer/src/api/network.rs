//! A dealer's branches, staff, sales targets and own promotions.

use super::{dealers::visible_dealer, State};
use crate::store::{branches, dealer_promotions, sales_targets, staff};
use actix_web::{web, HttpResponse};
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiError, ApiResult, Caller,
};
use sea_orm::{
    sea_query::OnConflict, ActiveModelTrait, ColumnTrait, EntityTrait, Order, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BranchDto {
    pub id: Uuid,
    pub dealer_id: Uuid,
    pub name: String,
    pub city: String,
    pub address: String,
}

/// The dealer's branches.
#[utoipa::path(get, path = "/api/v1/dealers/{id}/branches", tag = "dealer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = [BranchDto]), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn list_branches(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let dealer = visible_dealer(&db, &caller, *id).await?;
    let rows = branches::Entity::find()
        .filter(branches::Column::DealerId.eq(dealer.id))
        .order_by_asc(branches::Column::Name)
        .all(db.conn())
        .await?;
    let out: Vec<BranchDto> = rows
        .into_iter()
        .map(|b| BranchDto {
            id: b.id,
            dealer_id: b.dealer_id,
            name: b.name,
            city: b.city,
            address: b.address,
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateBranch {
    #[validate(length(min = 1, max = 120))]
    pub name: String,
    #[validate(length(min = 1, max = 80))]
    pub city: String,
    #[validate(length(min = 1, max = 240))]
    pub address: String,
}

/// Opens a branch (OEM staff, or the dealer's manager).
#[utoipa::path(post, path = "/api/v1/dealers/{id}/branches", tag = "dealer", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = CreateBranch,
    responses((status = 201, body = BranchDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create_branch(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<CreateBranch>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let dealer = visible_dealer(&db, &caller, *id).await?;
    let mut txn = db.begin().await?;
    let b = branches::ActiveModel {
        id: Set(Uuid::now_v7()),
        dealer_id: Set(dealer.id),
        name: Set(body.name.trim().to_owned()),
        city: Set(body.city.trim().to_owned()),
        address: Set(body.address.trim().to_owned()),
        created_at: Set(chrono::Utc::now()),
    }
    .insert(&*txn)
    .await?;
    let opened = contracts::events::dealer::BranchOpened {
        branch_id: b.id,
        dealer_id: b.dealer_id,
        name: b.name.clone(),
        city: b.city.clone(),
    };
    kernel::events::publish(&mut txn, &opened).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(BranchDto {
        id: b.id,
        dealer_id: b.dealer_id,
        name: b.name,
        city: b.city,
        address: b.address,
    }))
}

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

/// The dealer's staff (kept in step with user accounts).
#[utoipa::path(get, path = "/api/v1/dealers/{id}/staff", tag = "dealer", security(("bearer" = [])), params(("id" = Uuid, Path), ListParams),
    responses((status = 200, body = Page<StaffDto>)))]
pub async fn list_staff(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<ListParams>,
) -> ApiResult<HttpResponse> {
    let dealer = visible_dealer(&db, &caller, *id).await?;
    let mut select = staff::Entity::find().filter(staff::Column::DealerId.eq(dealer.id));
    if let Some(q) = query.query() {
        select = select.filter(staff::Column::Name.contains(q));
    }
    let page = query
        .fetch(
            db.conn(),
            select,
            &[("name", staff::Column::Name)],
            (staff::Column::Name, Order::Asc),
            staff::Column::UserId,
        )
        .await?;
    Ok(HttpResponse::Ok().json(page.map(|s| StaffDto {
        user_id: s.user_id,
        branch_id: s.branch_id,
        name: s.name,
        email: s.email,
        role: s.role,
        active: s.active,
    })))
}

#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TargetDto {
    /// `YYYY-MM`
    #[validate(length(equal = 7))]
    pub period: String,
    #[validate(range(min = 0, max = 100000))]
    pub target_units: i32,
    #[validate(range(min = 0))]
    pub target_revenue: i64,
}

/// Sales targets by month.
#[utoipa::path(get, path = "/api/v1/dealers/{id}/targets", tag = "dealer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = [TargetDto])))]
pub async fn list_targets(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let dealer = visible_dealer(&db, &caller, *id).await?;
    let rows = sales_targets::Entity::find()
        .filter(sales_targets::Column::DealerId.eq(dealer.id))
        .order_by_asc(sales_targets::Column::Period)
        .all(db.conn())
        .await?;
    let out: Vec<TargetDto> = rows
        .into_iter()
        .map(|t| TargetDto {
            period: t.period,
            target_units: t.target_units,
            target_revenue: t.target_revenue,
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// Sets the target of one month (OEM staff).
#[utoipa::path(put, path = "/api/v1/dealers/{id}/targets", tag = "dealer", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = TargetDto,
    responses((status = 200, body = TargetDto), (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn set_target(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<TargetDto>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    if chrono::NaiveDate::parse_from_str(&format!("{}-01", body.period), "%Y-%m-%d").is_err() {
        return Err(ApiError::invalid_field("period", "must be YYYY-MM"));
    }
    let dealer = visible_dealer(&db, &caller, *id).await?;
    let mut txn = db.begin().await?;
    sales_targets::Entity::insert(sales_targets::ActiveModel {
        id: Set(Uuid::now_v7()),
        dealer_id: Set(dealer.id),
        period: Set(body.period.clone()),
        target_units: Set(body.target_units),
        target_revenue: Set(body.target_revenue),
    })
    .on_conflict(
        OnConflict::columns([
            sales_targets::Column::DealerId,
            sales_targets::Column::Period,
        ])
        .update_columns([
            sales_targets::Column::TargetUnits,
            sales_targets::Column::TargetRevenue,
        ])
        .to_owned(),
    )
    .exec(&*txn)
    .await?;
    let target = contracts::events::dealer::SalesTargetSet {
        dealer_id: dealer.id,
        period: body.period.clone(),
        target_units: body.target_units,
        target_revenue: contracts::Money(body.target_revenue),
    };
    kernel::events::publish(&mut txn, &target).await?;
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DealerPromotionDto {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub value: i64,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub ends_at: chrono::DateTime<chrono::Utc>,
    pub variant_ids: Vec<Uuid>,
    pub active: bool,
}

fn promotion_dto(p: dealer_promotions::Model) -> DealerPromotionDto {
    DealerPromotionDto {
        variant_ids: serde_json::from_value(p.variant_ids).unwrap_or_default(),
        id: p.id,
        name: p.name,
        kind: p.kind,
        value: p.value,
        starts_at: p.starts_at,
        ends_at: p.ends_at,
        active: p.active,
    }
}

/// The dealer's own promotions.
#[utoipa::path(get, path = "/api/v1/dealers/{id}/promotions", tag = "dealer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = [DealerPromotionDto])))]
pub async fn list_promotions(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let dealer = visible_dealer(&db, &caller, *id).await?;
    let rows = dealer_promotions::Entity::find()
        .filter(dealer_promotions::Column::DealerId.eq(dealer.id))
        .order_by_desc(dealer_promotions::Column::StartsAt)
        .all(db.conn())
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(promotion_dto).collect::<Vec<_>>()))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatePromotion {
    #[validate(length(min = 1, max = 120))]
    pub name: String,
    /// percent (basis points) | amount (minor units)
    pub kind: String,
    pub value: i64,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub ends_at: chrono::DateTime<chrono::Utc>,
    /// Empty = every variant.
    #[serde(default)]
    pub variant_ids: Vec<Uuid>,
}

/// Creates a dealer promotion (the dealer's manager).
#[utoipa::path(post, path = "/api/v1/dealers/{id}/promotions", tag = "dealer", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = CreatePromotion,
    responses((status = 201, body = DealerPromotionDto), (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create_promotion(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<CreatePromotion>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let valid = match body.kind.as_str() {
        "percent" => (1..=10_000).contains(&body.value),
        "amount" => body.value > 0,
        _ => false,
    };
    if !valid {
        return Err(ApiError::invalid_field(
            "value",
            "percent: 1–10000 basis points; amount: positive minor units",
        ));
    }
    if body.ends_at <= body.starts_at {
        return Err(ApiError::invalid_field("endsAt", "must be after startsAt"));
    }
    let dealer = visible_dealer(&db, &caller, *id).await?;
    let txn = db.begin().await?;
    let p = dealer_promotions::ActiveModel {
        id: Set(Uuid::now_v7()),
        dealer_id: Set(dealer.id),
        name: Set(body.name.trim().to_owned()),
        kind: Set(body.kind),
        value: Set(body.value),
        starts_at: Set(body.starts_at),
        ends_at: Set(body.ends_at),
        variant_ids: Set(serde_json::json!(body.variant_ids)),
        active: Set(true),
        created_at: Set(chrono::Utc::now()),
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(promotion_dto(p)))
}
