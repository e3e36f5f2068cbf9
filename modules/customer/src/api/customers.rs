//! Customers of a dealer: create with duplicate detection, search, read, update, timeline.

use super::{
    matching::{check_kind, ensure_unique, parse_contact, search},
    State,
};
use crate::domain::contact;
use crate::store::customers;
use actix_web::{web, HttpResponse};
use contracts::events::customer::{CustomerContact, CustomerCreated, CustomerUpdated};
use kernel::{
    pagination::{ListParams, Page},
    validation::ValidJson,
    ApiError, ApiResult, Caller,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, Order, QueryFilter, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerDto {
    pub id: Uuid,
    pub dealer_id: Uuid,
    /// individual | corporate
    pub kind: String,
    pub full_name: String,
    pub company_name: Option<String>,
    pub tax_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub date_of_birth: Option<chrono::NaiveDate>,
    pub notes: Option<String>,
    pub consent_email: bool,
    pub consent_sms: bool,
    /// active | erased
    pub status: String,
    pub created_by: Uuid,
    /// The salesperson who looks after the customer.
    pub owner_id: Uuid,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub erased_at: Option<chrono::DateTime<chrono::Utc>>,
    pub version: i32,
}

impl From<customers::Model> for CustomerDto {
    fn from(c: customers::Model) -> Self {
        Self {
            id: c.id,
            dealer_id: c.dealer_id,
            kind: c.kind,
            full_name: c.full_name,
            company_name: c.company_name,
            tax_number: c.tax_number,
            phone: c.phone,
            email: c.email,
            address: c.address,
            date_of_birth: c.date_of_birth,
            notes: c.notes,
            consent_email: c.consent_email,
            consent_sms: c.consent_sms,
            status: c.status,
            created_by: c.created_by,
            owner_id: c.owner_id,
            created_at: c.created_at,
            updated_at: c.updated_at,
            erased_at: c.erased_at,
            version: c.version,
        }
    }
}

/// A customer the caller may see, or 404 (another dealer's customer is not revealed).
pub async fn visible(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
) -> Result<customers::Model, ApiError> {
    super::find_visible::<customers::Entity>(db, id, "customer", |row| {
        caller.ensure_document_visible(row.dealer_id, row.owner_id)
    })
    .await
}

/// An active (not erased) customer of `dealer_id` the caller looks after (managers: any), for
/// leads, test drives and feedback.
pub async fn active_of_dealer(
    db: &impl ConnectionTrait,
    caller: &Caller,
    dealer_id: Uuid,
    id: Uuid,
) -> Result<customers::Model, ApiError> {
    customers::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|c| c.dealer_id == dealer_id && c.status == "active")
        .filter(|c| caller.sees_all_of_dealer() || c.owner_id == caller.subject)
        .ok_or_else(|| {
            ApiError::invalid_field("customerId", "not an active customer of this dealer")
        })
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct CustomerFilter {
    pub dealer_id: Option<Uuid>,
    /// individual | corporate
    pub kind: Option<String>,
    /// active | erased
    pub status: Option<String>,
}

/// Customers; `q` searches by the start of the name, email or phone number.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customer", security(("bearer" = [])), params(ListParams, CustomerFilter),
    responses((status = 200, body = Page<CustomerDto>)))]
pub async fn list(
    state: State,
    caller: Caller,
    query: web::Query<ListParams>,
    filter: web::Query<CustomerFilter>,
) -> ApiResult<HttpResponse> {
    use customers::Column as C;
    let mut select = customers::Entity::find();
    if caller.dealer_id.is_some() || filter.dealer_id.is_some() {
        select = select.filter(C::DealerId.eq(caller.acting_dealer(filter.dealer_id)?));
    }
    if !caller.sees_all_of_dealer() {
        select = select.filter(C::OwnerId.eq(caller.subject));
    }
    if let Some(kind) = &filter.kind {
        select = select.filter(C::Kind.eq(kind.as_str()));
    }
    if let Some(status) = &filter.status {
        select = select.filter(C::Status.eq(status.as_str()));
    }
    if let Some(condition) = query.query().and_then(search) {
        select = select.filter(condition);
    }
    let sortable = [("createdAt", C::CreatedAt), ("name", C::SearchName)];
    let page = query
        .fetch(
            state.db.conn(),
            select,
            &sortable,
            (C::CreatedAt, Order::Desc),
            C::Id,
        )
        .await?;
    Ok(HttpResponse::Ok().json(page.map(CustomerDto::from)))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateCustomer {
    /// Admins name the dealer; dealer roles create for their own.
    pub dealer_id: Option<Uuid>,
    /// The salesperson who looks after the customer: the caller unless a manager names one.
    pub owner_id: Option<Uuid>,
    /// individual | corporate
    pub kind: String,
    #[validate(length(min = 1, max = 160))]
    pub full_name: String,
    /// Required for corporate customers.
    #[validate(length(min = 1, max = 160))]
    pub company_name: Option<String>,
    #[validate(length(min = 1, max = 32))]
    pub tax_number: Option<String>,
    #[validate(length(max = 32))]
    pub phone: Option<String>,
    #[validate(length(max = 254))]
    pub email: Option<String>,
    #[validate(length(max = 500))]
    pub address: Option<String>,
    pub date_of_birth: Option<chrono::NaiveDate>,
    #[validate(length(max = 2000))]
    pub notes: Option<String>,
    #[serde(default)]
    pub consent_email: bool,
    #[serde(default)]
    pub consent_sms: bool,
}

/// Creates a customer. The same phone or email twice within a dealer → 409 with `existingId`.
#[utoipa::path(post, path = "/api/v1/customers", tag = "customer", security(("bearer" = [])), request_body = CreateCustomer,
    responses((status = 201, body = CustomerDto),
        (status = 409, description = "Duplicate phone or email (existingId names the customer)", body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: State,
    caller: Caller,
    body: ValidJson<CreateCustomer>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let dealer_id = caller.acting_dealer(body.dealer_id)?;
    check_kind(&body.kind, body.company_name.as_deref())?;
    let contact = parse_contact(body.phone.as_deref(), body.email.as_deref())?;
    if contact.phone.is_none() && contact.email.is_none() {
        return Err(ApiError::invalid_field(
            "phone",
            "give a phone number or an email",
        ));
    }
    if body.full_name.trim().is_empty() {
        return Err(ApiError::invalid_field("fullName", "must not be blank"));
    }
    let owner_id = assignee(&caller, body.owner_id)?;
    ensure_unique(state.db.conn(), dealer_id, &contact, None).await?;
    let now = chrono::Utc::now();
    let id = Uuid::now_v7();
    let mut txn = state.db.begin().await?;
    let inserted = customers::ActiveModel {
        id: Set(id),
        dealer_id: Set(dealer_id),
        kind: Set(body.kind.clone()),
        full_name: Set(body.full_name.trim().to_owned()),
        search_name: Set(contact::search_key(&body.full_name)),
        company_name: Set(body.company_name.map(|c| c.trim().to_owned())),
        tax_number: Set(body.tax_number),
        phone: Set(contact.phone.as_ref().map(|p| p.0.clone())),
        phone_normalized: Set(contact.phone.as_ref().map(|p| p.1.clone())),
        email: Set(contact.email.as_ref().map(|e| e.0.clone())),
        email_normalized: Set(contact.email.as_ref().map(|e| e.1.clone())),
        address: Set(body.address),
        date_of_birth: Set(body.date_of_birth),
        notes: Set(body.notes),
        consent_email: Set(body.consent_email),
        consent_sms: Set(body.consent_sms),
        status: Set("active".into()),
        created_by: Set(caller.subject),
        owner_id: Set(owner_id),
        created_at: Set(now),
        updated_at: Set(now),
        erased_at: Set(None),
        version: Set(1),
    }
    .insert(&*txn)
    .await;
    let customer = match inserted {
        Ok(customer) => customer,
        Err(error)
            if matches!(
                error.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            // Lost a race with a request creating the same person: name the winner.
            txn.rollback().await?;
            ensure_unique(state.db.conn(), dealer_id, &contact, None).await?;
            return Err(error.into());
        }
        Err(error) => return Err(error.into()),
    };
    let event = CustomerCreated {
        customer_id: customer.id,
        dealer_id,
        kind: customer.kind.clone(),
        created_by: caller.subject,
        contact: contact_card(&customer),
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    Ok(HttpResponse::Created().json(CustomerDto::from(customer)))
}

/// The contact details and consents other modules may keep (the notification module writes to
/// the customer); erasure publishes `customer_erased` so those copies go too.
pub fn contact_card(customer: &customers::Model) -> CustomerContact {
    CustomerContact {
        full_name: Some(customer.full_name.clone()),
        email: customer.email.clone(),
        phone: customer.phone.clone(),
        locale: None,
        consent_email: customer.consent_email,
        consent_sms: customer.consent_sms,
        owner_id: Some(customer.owner_id),
    }
}

/// Who a new or reassigned record goes to: the caller, or whom a manager names.
pub fn assignee(caller: &Caller, requested: Option<Uuid>) -> Result<Uuid, ApiError> {
    match requested {
        Some(other) if other != caller.subject && !caller.sees_all_of_dealer() => Err(
            ApiError::forbidden("only a manager assigns customers and leads to someone else"),
        ),
        Some(other) => Ok(other),
        None => Ok(caller.subject),
    }
}

/// One customer.
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customer", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = CustomerDto), (status = 404, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn get(state: State, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let customer = visible(state.db.conn(), &caller, *id).await?;
    Ok(HttpResponse::Ok().json(CustomerDto::from(customer)))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateCustomer {
    #[validate(length(min = 1, max = 160))]
    pub full_name: Option<String>,
    #[validate(length(min = 1, max = 160))]
    pub company_name: Option<String>,
    #[validate(length(min = 1, max = 32))]
    pub tax_number: Option<String>,
    #[validate(length(max = 32))]
    pub phone: Option<String>,
    #[validate(length(max = 254))]
    pub email: Option<String>,
    #[validate(length(max = 500))]
    pub address: Option<String>,
    pub date_of_birth: Option<chrono::NaiveDate>,
    #[validate(length(max = 2000))]
    pub notes: Option<String>,
    pub consent_email: Option<bool>,
    pub consent_sms: Option<bool>,
    /// Hands the customer to another salesperson (managers).
    pub owner_id: Option<Uuid>,
    /// The version read; a newer one on the server → 409.
    pub version: i32,
}

/// Changes contact details or consents (optimistic on `version`; duplicates re-checked).
#[utoipa::path(patch, path = "/api/v1/customers/{id}", tag = "customer", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = UpdateCustomer,
    responses((status = 200, body = CustomerDto), (status = 409, body = kernel::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = kernel::error::Problem, content_type = "application/problem+json")))]
pub async fn update(
    state: State,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<UpdateCustomer>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let customer = visible(state.db.conn(), &caller, *id).await?;
    if customer.status != "active" {
        return Err(ApiError::conflict("an erased customer cannot be changed")
            .with_code(kernel::error::ErrorCode::CustomerErased));
    }
    if customer.version != body.version {
        return Err(ApiError::conflict(format!(
            "stale version {}; the customer is at version {}",
            body.version, customer.version
        ))
        .with_code(kernel::error::ErrorCode::StaleVersion));
    }
    let contact = parse_contact(body.phone.as_deref(), body.email.as_deref())?;
    ensure_unique(
        state.db.conn(),
        customer.dealer_id,
        &contact,
        Some(customer.id),
    )
    .await?;
    let mut update = customers::ActiveModel {
        id: Set(customer.id),
        ..Default::default()
    };
    if let Some(name) = body.full_name.filter(|n| !n.trim().is_empty()) {
        update.search_name = Set(contact::search_key(&name));
        update.full_name = Set(name.trim().to_owned());
    }
    if let Some(company) = body.company_name {
        update.company_name = Set(Some(company.trim().to_owned()));
    }
    if let Some(tax) = body.tax_number {
        update.tax_number = Set(Some(tax));
    }
    if let Some((raw, normalized)) = contact.phone {
        update.phone = Set(Some(raw));
        update.phone_normalized = Set(Some(normalized));
    }
    if let Some((raw, normalized)) = contact.email {
        update.email = Set(Some(raw));
        update.email_normalized = Set(Some(normalized));
    }
    if body.address.is_some() {
        update.address = Set(body.address);
    }
    if body.date_of_birth.is_some() {
        update.date_of_birth = Set(body.date_of_birth);
    }
    if body.notes.is_some() {
        update.notes = Set(body.notes);
    }
    if let Some(v) = body.consent_email {
        update.consent_email = Set(v);
    }
    if let Some(v) = body.consent_sms {
        update.consent_sms = Set(v);
    }
    if let Some(owner) = body.owner_id {
        update.owner_id = Set(assignee(&caller, Some(owner))?);
    }
    update.version = Set(customer.version + 1);
    update.updated_at = Set(chrono::Utc::now());
    let mut txn = state.db.begin().await?;
    // Only the version read may be replaced: a racing update makes this one a 409.
    let changed = customers::Entity::update_many()
        .set(update)
        .filter(customers::Column::Id.eq(customer.id))
        .filter(customers::Column::Version.eq(customer.version))
        .exec(&*txn)
        .await?
        .rows_affected;
    if changed != 1 {
        return Err(
            ApiError::conflict("the customer changed while this request ran; reload it")
                .with_code(kernel::error::ErrorCode::StaleVersion),
        );
    }
    let updated = visible(&*txn, &caller, *id).await?;
    let event = CustomerUpdated {
        customer_id: updated.id,
        dealer_id: updated.dealer_id,
        contact: contact_card(&updated),
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    Ok(HttpResponse::Ok().json(CustomerDto::from(updated)))
}
