//! How customers are found and told apart: prefix search by name, phone or email, and
//! duplicate detection by normalised phone and email within a dealer.

use crate::domain::contact;
use crate::store::customers;
use kernel::ApiError;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// `column` starts with `prefix`: a range over the byte-wise search keys, which both backends
/// answer from a btree index, with bound parameters (see the customers migration).
fn starts_with(column: customers::Column, prefix: &str) -> Condition {
    Condition::all()
        .add(column.gte(prefix))
        .add(column.lt(format!("{prefix}\u{10FFFF}")))
}

/// What `q` matches, by its shape, so each search is one index range (an OR of two ranges
/// makes Postgres walk the name index filtering, measured 88 ms instead of 1 ms over 150,000):
/// digits (and phone punctuation) → the start of the phone number; text with `@` or `.` (names
/// have neither) → the start of the email; anything else → the start of the name.
pub fn search(q: &str) -> Option<Condition> {
    use customers::Column as C;
    let q = q.trim();
    if q.is_empty() {
        return None;
    }
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    let phone_like = q
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '.' | '(' | ')'));
    if phone_like && !digits.is_empty() {
        let digits = digits
            .strip_prefix("00")
            .map(str::to_owned)
            .unwrap_or(digits);
        return Some(starts_with(C::PhoneNormalized, &digits));
    }
    if q.contains(['@', '.']) {
        return Some(starts_with(C::EmailNormalized, &q.to_lowercase()));
    }
    Some(starts_with(C::SearchName, &contact::search_key(q)))
}

/// Contact details checked and normalised; at least one way to reach the customer.
pub struct Contact {
    pub phone: Option<(String, String)>,
    pub email: Option<(String, String)>,
}

pub fn parse_contact(phone: Option<&str>, email: Option<&str>) -> Result<Contact, ApiError> {
    let mut errors = Vec::new();
    let phone = phone.filter(|p| !p.trim().is_empty()).and_then(|p| {
        contact::normalize_phone(p)
            .map_err(|m| errors.push(kernel::error::FieldError::new("phone", m)))
            .ok()
            .map(|n| (p.trim().to_owned(), n))
    });
    let email = email.filter(|e| !e.trim().is_empty()).and_then(|e| {
        contact::normalize_email(e)
            .map_err(|m| errors.push(kernel::error::FieldError::new("email", m)))
            .ok()
            .map(|n| (e.trim().to_owned(), n))
    });
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    Ok(Contact { phone, email })
}

/// 409 naming the customer of `dealer_id` who already has this phone or email (not `except`).
pub async fn ensure_unique(
    db: &impl ConnectionTrait,
    dealer_id: Uuid,
    contact: &Contact,
    except: Option<Uuid>,
) -> Result<(), ApiError> {
    use customers::Column as C;
    let mut same = Condition::any();
    if let Some((_, phone)) = &contact.phone {
        same = same.add(C::PhoneNormalized.eq(phone.as_str()));
    }
    if let Some((_, email)) = &contact.email {
        same = same.add(C::EmailNormalized.eq(email.as_str()));
    }
    if contact.phone.is_none() && contact.email.is_none() {
        return Ok(());
    }
    let mut select = customers::Entity::find()
        .filter(C::DealerId.eq(dealer_id))
        .filter(same);
    if let Some(except) = except {
        select = select.filter(C::Id.ne(except));
    }
    match select.one(db).await? {
        Some(existing) => Err(ApiError::duplicate(
            "a customer of this dealer already has this phone number or email",
            existing.id,
        )),
        None => Ok(()),
    }
}

pub fn check_kind(kind: &str, company_name: Option<&str>) -> Result<(), ApiError> {
    match kind {
        "individual" => Ok(()),
        "corporate" if company_name.is_some_and(|c| !c.trim().is_empty()) => Ok(()),
        "corporate" => Err(ApiError::invalid_field(
            "companyName",
            "required for a corporate customer",
        )),
        _ => Err(ApiError::invalid_field(
            "kind",
            "must be individual or corporate",
        )),
    }
}
