//! GDPR-style rights: everything held about a customer in one document, and erasure that
//! anonymises every personal field in the schema while keeping the aggregates.

use super::{customers::visible, Services};
use crate::domain::timeline::TimelineEntry;
use crate::store::{customers, feedback, lead_stage_history, leads, test_drives};
use contracts::{
    events::customer::{CustomerCreated, CustomerErased, CustomerUpdated},
    IntegrationEvent,
};
use kernel::{Caller, DomainError, DomainResult, ErrorCode};
use std::collections::HashMap;
use uuid::Uuid;

/// Everything held about a customer.
pub struct CustomerRecord {
    pub customer: customers::Model,
    pub leads: Vec<(leads::Model, Vec<lead_stage_history::Model>)>,
    pub test_drives: Vec<test_drives::Model>,
    pub feedback: Vec<feedback::Model>,
    pub timeline: Vec<TimelineEntry>,
}

/// The customer's data (managers; the customer's right of access).
pub async fn export(
    services: &Services,
    caller: &Caller,
    id: Uuid,
) -> DomainResult<CustomerRecord> {
    let db = services.db.conn();
    let customer = visible(db, caller, id).await?;
    let lead_rows = leads::of_customer(db, customer.id).await?;
    let mut history: HashMap<Uuid, Vec<lead_stage_history::Model>> =
        lead_stage_history::of_leads(db, lead_rows.iter().map(|l| l.id)).await?;
    let leads = lead_rows
        .into_iter()
        .map(|lead| {
            let changes = history.remove(&lead.id).unwrap_or_default();
            (lead, changes)
        })
        .collect();
    let test_drives = test_drives::of_customer(db, customer.id).await?;
    let feedback = feedback::of_customer(db, customer.id).await?;
    // The whole timeline, page by page.
    let mut timeline = Vec::new();
    for page in 1.. {
        let batch = services
            .timeline
            .list(customer.id, page, kernel::pagination::MAX_PAGE_SIZE)
            .await?;
        let fetched = batch.items.len();
        timeline.extend(batch.items);
        if fetched == 0 || timeline.len() as u64 >= batch.total {
            break;
        }
    }
    Ok(CustomerRecord {
        customer,
        leads,
        test_drives,
        feedback,
        timeline,
    })
}

/// Removes the contact details from a directory event's payload (ids stay, consents false).
fn forget_contact(payload: &mut serde_json::Value) {
    if let Some(fields) = payload.as_object_mut() {
        for key in ["fullName", "email", "phone", "locale"] {
            fields.remove(key);
        }
        for key in ["consentEmail", "consentSms"] {
            fields.insert(key.into(), serde_json::Value::Bool(false));
        }
    }
}

/// Anonymises the customer: name, contact details, address, birth date, tax number and every
/// free-text note in the schema that could describe them. Leads, drives and feedback stay (with
/// their stages, times and ratings) so reports keep their counts. Cannot be undone.
pub async fn erase(
    services: &Services,
    caller: &Caller,
    id: Uuid,
) -> DomainResult<customers::Model> {
    let already =
        || DomainError::conflict(ErrorCode::CustomerErased, "the customer is already erased");
    let customer = visible(services.db.conn(), caller, id).await?;
    if customer.status == crate::domain::customers::CustomerStatus::Erased {
        return Err(already());
    }
    let mut txn = services.db.begin().await?;
    if !customers::erase(&*txn, customer.id).await? {
        return Err(already());
    }
    leads::forget_notes_of_customer(&*txn, customer.id).await?;
    lead_stage_history::forget_reasons_of_customer(&*txn, customer.id).await?;
    test_drives::forget_notes_of_customer(&*txn, customer.id).await?;
    feedback::forget_text_of_customer(&*txn, customer.id).await?;
    // The directory events carried the contact details: take them out of the outbox as well
    // (the consumers' copies are deleted on `customer_erased`).
    kernel::events::outbox::rewrite_payloads(
        &*txn,
        contracts::modules::CUSTOMER,
        &customer.id.to_string(),
        &[CustomerCreated::NAME, CustomerUpdated::NAME],
        forget_contact,
    )
    .await?;
    let event = CustomerErased {
        customer_id: customer.id,
        dealer_id: customer.dealer_id,
    };
    kernel::events::publish(&mut txn, &event).await?;
    txn.commit().await?;
    tracing::info!(customer = %customer.id, by = %caller.subject, "customer erased");
    visible(services.db.conn(), caller, id).await
}
