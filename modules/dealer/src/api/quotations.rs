//! Quotations: priced server-side from the local catalog copy and promotions; draft → sent →
//! accepted | rejected | expired → converted into a sales order.

use super::{orders, State};
use crate::domain::{lifecycle, pricing};
use crate::store::{
    catalog_variants, dealer_promotions, dealers, known_customers, oem_promotions, quotations,
};
use actix_web::{web, HttpResponse};
use contracts::{events::dealer::QuotationSent, Money};
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiError, ApiResult, Caller, Role,
};
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, Order,
    QueryFilter, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OptionInput {
    #[validate(length(min = 1, max = 120))]
    pub name: String,
    #[validate(range(min = 0))]
    pub price: i64,
}

/// What is being priced.
pub struct VehicleSpec<'a> {
    pub dealer: &'a dealers::Model,
    pub customer_id: Uuid,
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub options: &'a [OptionInput],
    pub manual_discount_bp: i64,
}

/// Checks the sale is possible (active dealer, a customer of this dealer, a variant on sale in
/// that colour, a discount within the caller's limit) and prices it.
pub async fn price_vehicle(
    db: &impl ConnectionTrait,
    caller: &Caller,
    spec: &VehicleSpec<'_>,
) -> Result<pricing::Breakdown, ApiError> {
    if spec.dealer.status != "active" {
        return Err(ApiError::conflict(format!(
            "dealer {} is {}: no new sales",
            spec.dealer.code, spec.dealer.status
        ))
        .with_code(kernel::error::ErrorCode::DealerNotActive));
    }
    let customer = known_customers::Entity::find_by_id(spec.customer_id)
        .one(db)
        .await?;
    if customer.is_none_or(|c| c.dealer_id != spec.dealer.id) {
        return Err(ApiError::invalid_field(
            "customerId",
            "not a customer of this dealer",
        ));
    }
    let variant = catalog_variants::Entity::find_by_id(spec.variant_id)
        .one(db)
        .await?
        .filter(catalog_variants::Model::sellable)
        .ok_or_else(|| ApiError::invalid_field("variantId", "no such variant on sale"))?;
    let colour = variant
        .colour_list()
        .into_iter()
        .find(|c| c.colour_id == spec.colour_id)
        .ok_or_else(|| ApiError::invalid_field("colourId", "not a colour of this variant"))?;
    let cap = if caller.has_role(&[Role::Admin, Role::DealerManager]) {
        crate::domain::discounts::MANAGER_DISCOUNT_CAP_BP
    } else {
        crate::domain::discounts::STAFF_DISCOUNT_CAP_BP
    };
    if !(0..=cap).contains(&spec.manual_discount_bp) {
        return Err(ApiError::invalid_field(
            "manualDiscountBp",
            format!("your role may give at most {cap} basis points"),
        ));
    }
    let now = chrono::Utc::now();
    let applies = |variants: &serde_json::Value| {
        let list: Vec<Uuid> = serde_json::from_value(variants.clone()).unwrap_or_default();
        list.is_empty() || list.contains(&spec.variant_id)
    };
    let oem: Vec<pricing::Promotion> = oem_promotions::Entity::find()
        .filter(oem_promotions::Column::AppliesTo.eq("retail"))
        .filter(oem_promotions::Column::Active.eq(true))
        .filter(oem_promotions::Column::StartsAt.lte(now))
        .filter(oem_promotions::Column::EndsAt.gt(now))
        .all(db)
        .await?
        .into_iter()
        .filter(|p| applies(&p.variant_ids))
        .filter(|p| {
            let dealers: Vec<Uuid> =
                serde_json::from_value(p.dealer_ids.clone()).unwrap_or_default();
            dealers.is_empty() || dealers.contains(&spec.dealer.id)
        })
        .map(|p| pricing::Promotion {
            id: p.promotion_id,
            name: p.name,
            kind: p
                .kind
                .parse()
                .unwrap_or(crate::domain::promotions::PromotionKind::Amount),
            value: p.value,
            stackable: p.stackable,
        })
        .collect();
    let own: Vec<pricing::Promotion> = dealer_promotions::Entity::find()
        .filter(dealer_promotions::Column::DealerId.eq(spec.dealer.id))
        .filter(dealer_promotions::Column::Active.eq(true))
        .filter(dealer_promotions::Column::StartsAt.lte(now))
        .filter(dealer_promotions::Column::EndsAt.gt(now))
        .all(db)
        .await?
        .into_iter()
        .filter(|p| applies(&p.variant_ids))
        .map(|p| pricing::Promotion {
            id: p.id,
            name: p.name,
            kind: p
                .kind
                .parse()
                .unwrap_or(crate::domain::promotions::PromotionKind::Amount),
            value: p.value,
            stackable: true,
        })
        .collect();
    let options: Vec<pricing::OptionLine> = spec
        .options
        .iter()
        .map(|o| pricing::OptionLine {
            name: o.name.clone(),
            price: Money(o.price),
        })
        .collect();
    pricing::price(&pricing::PriceInput {
        msrp: Money(variant.msrp),
        colour_surcharge: colour.surcharge,
        options: &options,
        oem_promotions: &oem,
        dealer_promotions: &own,
        manual_discount_bp: spec.manual_discount_bp,
        tax_rate_bp: i64::from(spec.dealer.tax_rate_bp),
    })
    .ok_or_else(|| ApiError::invalid_field("options", "amounts too large"))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuotationDto {
    pub id: Uuid,
    pub number: String,
    pub dealer_id: Uuid,
    pub branch_id: Option<Uuid>,
    pub customer_id: Uuid,
    pub staff_id: Uuid,
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    pub breakdown: pricing::Breakdown,
    pub total: Money,
    pub manual_discount_bp: i32,
    /// draft | sent | accepted | rejected | expired | converted
    pub status: String,
    pub allowed_actions: Vec<String>,
    pub valid_until: chrono::NaiveDate,
    pub sales_order_id: Option<Uuid>,
    pub version: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A sent quotation whose validity has passed is expired, whether or not anyone wrote it down.
pub fn effective_status(q: &quotations::Model) -> String {
    if q.status == "sent" && q.valid_until < chrono::Utc::now().date_naive() {
        "expired".to_owned()
    } else {
        q.status.clone()
    }
}

fn dto(q: quotations::Model) -> Result<QuotationDto, ApiError> {
    let status = effective_status(&q);
    Ok(QuotationDto {
        allowed_actions: lifecycle::quotation_allowed(&status)
            .iter()
            .map(|a| (*a).to_owned())
            .collect(),
        status,
        breakdown: serde_json::from_value(q.breakdown).map_err(ApiError::internal)?,
        id: q.id,
        number: q.number,
        dealer_id: q.dealer_id,
        branch_id: q.branch_id,
        customer_id: q.customer_id,
        staff_id: q.staff_id,
        variant_id: q.variant_id,
        colour_id: q.colour_id,
        total: Money(q.total),
        manual_discount_bp: q.manual_discount_bp,
        valid_until: q.valid_until,
        sales_order_id: q.sales_order_id,
        version: q.version,
        created_at: q.created_at,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct QuotationFilter {
    pub status: Option<String>,
    pub customer_id: Option<Uuid>,
    pub dealer_id: Option<Uuid>,
}

/// Quotations: dealer staff see their own, managers their dealer's.
#[utoipa::path(get, path = "/api/v1/quotations", tag = "dealer", security(("bearer" = [])), params(ListParams, QuotationFilter),
    responses((status = 200, body = Page<QuotationDto>)))]
pub async fn list(
    db: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<QuotationFilter>,
) -> ApiResult<HttpResponse> {
    use quotations::Column as C;
    let mut select = quotations::Entity::find();
    if caller.dealer_id.is_some() || filter.dealer_id.is_some() {
        select = select.filter(C::DealerId.eq(caller.acting_dealer(filter.dealer_id)?));
    }
    if !caller.sees_all_of_dealer() {
        select = select.filter(C::StaffId.eq(caller.subject));
    }
    if let Some(s) = &filter.status {
        select = select.filter(C::Status.eq(s.as_str()));
    }
    if let Some(c) = filter.customer_id {
        select = select.filter(C::CustomerId.eq(c));
    }
    let sortable = [
        ("createdAt", C::CreatedAt),
        ("total", C::Total),
        ("validUntil", C::ValidUntil),
    ];
    let page = query
        .fetch(
            db.conn(),
            select,
            &sortable,
            (C::CreatedAt, Order::Desc),
            C::Id,
        )
        .await?;
    let items: Result<Vec<_>, _> = page.items.into_iter().map(dto).collect();
    Ok(HttpResponse::Ok().json(Page {
        items: items?,
        page: page.page,
        page_size: page.page_size,
        total: page.total,
    }))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateQuotation {
    /// Admins name the dealer; dealer roles quote for their own.
    pub dealer_id: Option<Uuid>,
    pub branch_id: Option<Uuid>,
    pub customer_id: Uuid,
    pub variant_id: Uuid,
    pub colour_id: Uuid,
    #[serde(default)]
    #[validate(length(max = 20), nested)]
    pub options: Vec<OptionInput>,
    /// Basis points of the subtotal, within the role's limit.
    #[serde(default)]
    pub manual_discount_bp: i64,
    /// Defaults to 14 days from today.
    pub valid_until: Option<chrono::NaiveDate>,
}

/// Drafts a quotation, priced server-side.
#[utoipa::path(post, path = "/api/v1/quotations", tag = "dealer", security(("bearer" = [])), request_body = CreateQuotation,
    responses((status = 201, body = QuotationDto), (status = 409, description = "Dealer suspended", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    db: State,
    caller: Caller,
    body: ValidJson<CreateQuotation>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let dealer_id = caller.acting_dealer(body.dealer_id)?;
    let dealer = dealers::Entity::find_by_id(dealer_id)
        .one(db.conn())
        .await?
        .ok_or_else(|| ApiError::invalid_field("dealerId", "no such dealer"))?;
    let today = chrono::Utc::now().date_naive();
    let valid_until = body.valid_until.unwrap_or(today + chrono::Days::new(14));
    if valid_until < today {
        return Err(ApiError::invalid_field(
            "validUntil",
            "must not be in the past",
        ));
    }
    let spec = VehicleSpec {
        dealer: &dealer,
        customer_id: body.customer_id,
        variant_id: body.variant_id,
        colour_id: body.colour_id,
        options: &body.options,
        manual_discount_bp: body.manual_discount_bp,
    };
    let breakdown = price_vehicle(db.conn(), &caller, &spec).await?;
    let now = chrono::Utc::now();
    let id = Uuid::now_v7();
    let txn = db.begin().await?;
    let q = quotations::ActiveModel {
        id: Set(id),
        number: Set(orders::document_number("QT", id)),
        dealer_id: Set(dealer.id),
        branch_id: Set(body.branch_id.or(caller.branch_id)),
        customer_id: Set(body.customer_id),
        staff_id: Set(caller.subject),
        variant_id: Set(body.variant_id),
        colour_id: Set(body.colour_id),
        options: Set(serde_json::to_value(&body.options).map_err(ApiError::internal)?),
        breakdown: Set(serde_json::to_value(&breakdown).map_err(ApiError::internal)?),
        total: Set(breakdown.total.0),
        manual_discount_bp: Set(i32::try_from(body.manual_discount_bp).unwrap_or(0)),
        status: Set("draft".into()),
        valid_until: Set(valid_until),
        sales_order_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(dto(q)?))
}

pub async fn visible(db: &State, caller: &Caller, id: Uuid) -> Result<quotations::Model, ApiError> {
    let q = quotations::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .ok_or_else(|| ApiError::not_found("no such quotation"))?;
    caller.ensure_document_visible(q.dealer_id, q.staff_id)?;
    Ok(q)
}

/// One quotation with its price breakdown.
#[utoipa::path(get, path = "/api/v1/quotations/{id}", tag = "dealer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = QuotationDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(dto(visible(&db, &caller, *id).await?)?))
}

/// Moves a quotation if it is still in the status read (a racing change makes this a 409).
pub async fn advance(
    txn: &kernel::WriteTxn,
    q: &quotations::Model,
    action: &str,
) -> Result<&'static str, ApiError> {
    let status = effective_status(q);
    let next = lifecycle::quotation_next(&status, action)?;
    let moved = quotations::Entity::update_many()
        .col_expr(quotations::Column::Status, Expr::value(next))
        .col_expr(
            quotations::Column::UpdatedAt,
            Expr::value(chrono::Utc::now()),
        )
        .col_expr(
            quotations::Column::Version,
            Expr::col(quotations::Column::Version).add(1),
        )
        .filter(quotations::Column::Id.eq(q.id))
        .filter(quotations::Column::Status.eq(q.status.as_str()))
        .exec(&**txn)
        .await?
        .rows_affected;
    if moved != 1 {
        return Err(ApiError::conflict(
            "the quotation changed while this request ran; reload it",
        ));
    }
    Ok(next)
}

async fn act(db: State, caller: Caller, id: Uuid, action: &str) -> ApiResult<HttpResponse> {
    let q = visible(&db, &caller, id).await?;
    let mut txn = db.begin().await?;
    advance(&txn, &q, action).await?;
    if action == "send" {
        let event = QuotationSent {
            quotation_id: q.id,
            quotation_number: q.number.clone(),
            dealer_id: q.dealer_id,
            branch_id: q.branch_id,
            customer_id: q.customer_id,
            staff_id: q.staff_id,
            variant_id: q.variant_id,
            colour_id: q.colour_id,
            total: Money(q.total),
            valid_until: q.valid_until,
        };
        kernel::events::publish(&mut txn, &event).await?;
    }
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(dto(visible(&db, &caller, id).await?)?))
}

/// Sends the quotation to the customer.
#[utoipa::path(post, path = "/api/v1/quotations/{id}/send", tag = "dealer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = QuotationDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn send(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    act(db, caller, *id, "send").await
}

/// The customer accepted (before it expired).
#[utoipa::path(post, path = "/api/v1/quotations/{id}/accept", tag = "dealer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = QuotationDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn accept(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    act(db, caller, *id, "accept").await
}

/// The customer declined.
#[utoipa::path(post, path = "/api/v1/quotations/{id}/reject", tag = "dealer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = QuotationDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn reject(db: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    act(db, caller, *id, "reject").await
}

/// Converts an accepted quotation into a sales order at the quoted price (reserving a VIN).
#[utoipa::path(post, path = "/api/v1/quotations/{id}/convert", tag = "dealer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = orders::PaymentPlanInput,
    responses((status = 201, body = orders::OrderDto), (status = 409, description = "Not accepted, already converted, or out of stock", body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn convert(
    db: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<orders::PaymentPlanInput>,
) -> ApiResult<HttpResponse> {
    let q = visible(&db, &caller, *id).await?;
    lifecycle::quotation_next(&effective_status(&q), "convert")?;
    let dealer = dealers::Entity::find_by_id(q.dealer_id)
        .one(db.conn())
        .await?
        .ok_or_else(|| ApiError::not_found("no such dealer"))?;
    if dealer.status != "active" {
        return Err(ApiError::conflict(format!(
            "dealer {} is {}: no new sales",
            dealer.code, dealer.status
        ))
        .with_code(kernel::error::ErrorCode::DealerNotActive));
    }
    let breakdown: pricing::Breakdown =
        serde_json::from_value(q.breakdown.clone()).map_err(ApiError::internal)?;
    let order = orders::NewOrder {
        dealer_id: q.dealer_id,
        branch_id: q.branch_id,
        customer_id: q.customer_id,
        staff_id: q.staff_id,
        quotation: Some(&q),
        variant_id: q.variant_id,
        colour_id: q.colour_id,
        vin: None,
        breakdown,
        manual_discount_bp: i64::from(q.manual_discount_bp),
        plan: body.into_inner(),
    };
    let created = orders::create_order(&db, &caller, order).await?;
    Ok(HttpResponse::Created().json(created))
}
