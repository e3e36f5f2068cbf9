//! Customers of a dealer: create with duplicate detection, read, change.

use super::{references, Services};
use crate::domain::{
    contact,
    customers::{check_new, Contact, CustomerKind, CustomerStatus},
};
use crate::store::{customers, Visibility};
use contracts::events::customer::{CustomerContact, CustomerCreated, CustomerUpdated};
use kernel::{
    pagination::{ListParams, Page},
    Caller, DomainError, DomainResult, ErrorCode,
};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

pub use crate::store::customers::CustomerFilter;

/// A customer the caller may see (dealer staff: the ones they look after), or 404: another
/// dealer's customer is not revealed.
pub async fn visible(
    db: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
) -> DomainResult<customers::Model> {
    kernel::store::find_visible::<customers::Entity>(db, id, "customer", |c| {
        caller.can_see_document(c.dealer_id, c.owner_id)
    })
    .await
}

/// An active (not erased) customer of `dealer_id` the caller looks after (managers: any), for
/// leads, test drives and feedback; otherwise 422 on `customerId`.
pub async fn active_of_dealer(
    db: &impl ConnectionTrait,
    caller: &Caller,
    dealer_id: Uuid,
    id: Uuid,
) -> DomainResult<customers::Model> {
    customers::find(db, id)
        .await?
        .filter(|c| c.dealer_id == dealer_id && c.status == CustomerStatus::Active)
        .filter(|c| caller.sees_all_of_dealer() || c.owner_id == caller.subject)
        .ok_or_else(|| DomainError::invalid("customerId", "not an active customer of this dealer"))
}

/// Who a new or reassigned record goes to: the caller, or whom a manager names.
pub fn assignee(caller: &Caller, requested: Option<Uuid>) -> DomainResult<Uuid> {
    match requested {
        Some(other) if other != caller.subject && !caller.sees_all_of_dealer() => {
            Err(DomainError::Forbidden(
                "only a manager assigns customers and leads to someone else".into(),
            ))
        }
        Some(other) => Ok(other),
        None => Ok(caller.subject),
    }
}

/// When someone was named as owner or assignee, they are an active person of `dealer_id` (else
/// 422 on `field`). Run inside the write's transaction, after its write.
pub async fn check_named(
    db: &impl ConnectionTrait,
    caller: &Caller,
    dealer_id: Uuid,
    field: &str,
    named: Option<Uuid>,
) -> DomainResult<()> {
    match named {
        Some(person) => references::person(db, caller, dealer_id, field, person)
            .await
            .map(|_| ()),
        None => Ok(()),
    }
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

/// 409 `duplicate` naming the customer of `dealer_id` who already has this phone or email.
async fn ensure_unique(
    db: &impl ConnectionTrait,
    dealer_id: Uuid,
    contact: &Contact,
    except: Option<Uuid>,
) -> DomainResult<()> {
    match customers::holder_of(db, dealer_id, contact, except).await? {
        Some(existing) => Err(DomainError::Duplicate {
            detail: "a customer of this dealer already has this phone number or email".into(),
            existing_id: existing.id,
        }),
        None => Ok(()),
    }
}

pub async fn list(
    services: &Services,
    caller: &Caller,
    filter: &CustomerFilter,
    params: &ListParams,
) -> DomainResult<Page<customers::Model>> {
    let scope = Visibility::of(caller, filter.dealer_id)?;
    customers::list(services.db.conn(), scope, filter, params).await
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewCustomer {
    /// Admins name the dealer; dealer roles create for their own.
    pub dealer_id: Option<Uuid>,
    /// The salesperson who looks after the customer: the caller unless a manager names one.
    pub owner_id: Option<Uuid>,
    pub kind: CustomerKind,
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

/// Creates a customer. The same phone or email twice within a dealer → 409 naming the holder.
pub async fn create(
    services: &Services,
    caller: &Caller,
    input: NewCustomer,
) -> DomainResult<customers::Model> {
    let contact = Contact::parse(input.phone.as_deref(), input.email.as_deref())?;
    check_new(
        input.kind,
        &input.full_name,
        input.company_name.as_deref(),
        &contact,
    )?;
    let dealer_id = references::acting_dealer(caller, input.dealer_id)?;
    let owner_id = assignee(caller, input.owner_id)?;
    ensure_unique(services.db.conn(), dealer_id, &contact, None).await?;
    let now = chrono::Utc::now();
    let mut txn = services.db.begin().await?;
    let inserted = customers::ActiveModel {
        id: Set(Uuid::now_v7()),
        dealer_id: Set(dealer_id),
        kind: Set(input.kind),
        full_name: Set(input.full_name.trim().to_owned()),
        search_name: Set(contact::search_key(&input.full_name)),
        company_name: Set(input.company_name.map(|c| c.trim().to_owned())),
        tax_number: Set(input.tax_number),
        phone: Set(contact.phone.as_ref().map(|p| p.0.clone())),
        phone_normalized: Set(contact.phone.as_ref().map(|p| p.1.clone())),
        email: Set(contact.email.as_ref().map(|e| e.0.clone())),
        email_normalized: Set(contact.email.as_ref().map(|e| e.1.clone())),
        address: Set(input.address),
        date_of_birth: Set(input.date_of_birth),
        notes: Set(input.notes),
        consent_email: Set(input.consent_email),
        consent_sms: Set(input.consent_sms),
        status: Set(CustomerStatus::Active),
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
            ensure_unique(services.db.conn(), dealer_id, &contact, None).await?;
            return Err(error.into());
        }
        Err(error) => return Err(error.into()),
    };
    references::dealer(&*txn, caller, dealer_id).await?;
    check_named(&*txn, caller, dealer_id, "ownerId", input.owner_id).await?;
    let event = CustomerCreated {
        customer_id: customer.id,
        dealer_id,
        kind: customer.kind.as_str().to_owned(),
        created_by: caller.subject,
        contact: contact_card(&customer),
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    Ok(customer)
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerChanges {
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
pub async fn update(
    services: &Services,
    caller: &Caller,
    id: Uuid,
    input: CustomerChanges,
) -> DomainResult<customers::Model> {
    let db = services.db.conn();
    let customer = visible(db, caller, id).await?;
    if customer.status != CustomerStatus::Active {
        return Err(DomainError::conflict(
            ErrorCode::CustomerErased,
            "an erased customer cannot be changed",
        ));
    }
    if customer.version != input.version {
        return Err(DomainError::conflict(
            ErrorCode::StaleVersion,
            format!(
                "stale version {}; the customer is at version {}",
                input.version, customer.version
            ),
        ));
    }
    let contact = Contact::parse(input.phone.as_deref(), input.email.as_deref())?;
    ensure_unique(db, customer.dealer_id, &contact, Some(customer.id)).await?;
    let mut changes = customers::ActiveModel {
        id: Set(customer.id),
        ..Default::default()
    };
    if let Some(name) = input.full_name.filter(|n| !n.trim().is_empty()) {
        changes.search_name = Set(contact::search_key(&name));
        changes.full_name = Set(name.trim().to_owned());
    }
    if let Some(company) = input.company_name {
        changes.company_name = Set(Some(company.trim().to_owned()));
    }
    if let Some(tax) = input.tax_number {
        changes.tax_number = Set(Some(tax));
    }
    if let Some((raw, normalized)) = contact.phone {
        changes.phone = Set(Some(raw));
        changes.phone_normalized = Set(Some(normalized));
    }
    if let Some((raw, normalized)) = contact.email {
        changes.email = Set(Some(raw));
        changes.email_normalized = Set(Some(normalized));
    }
    if input.address.is_some() {
        changes.address = Set(input.address);
    }
    if input.date_of_birth.is_some() {
        changes.date_of_birth = Set(input.date_of_birth);
    }
    if input.notes.is_some() {
        changes.notes = Set(input.notes);
    }
    if let Some(v) = input.consent_email {
        changes.consent_email = Set(v);
    }
    if let Some(v) = input.consent_sms {
        changes.consent_sms = Set(v);
    }
    if let Some(owner) = input.owner_id {
        changes.owner_id = Set(assignee(caller, Some(owner))?);
    }
    let mut txn = services.db.begin().await?;
    // Only the version read may be replaced: a racing update makes this one a 409.
    if !customers::update_at_version(&*txn, customer.id, customer.version, changes).await? {
        return Err(DomainError::conflict(
            ErrorCode::StaleVersion,
            "the customer changed while this request ran; reload it",
        ));
    }
    check_named(&*txn, caller, customer.dealer_id, "ownerId", input.owner_id).await?;
    let updated = visible(&*txn, caller, id).await?;
    let event = CustomerUpdated {
        customer_id: updated.id,
        dealer_id: updated.dealer_id,
        contact: contact_card(&updated),
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    Ok(updated)
}
