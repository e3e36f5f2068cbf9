//! Customers: kinds, the active → erased lifecycle, and the contact details a customer needs.

use super::contact;
use kernel::{error::FieldError, DomainError, DomainResult};

kernel::text_enum! {
    pub enum CustomerKind {
        Individual = "individual",
        /// Needs a company name.
        Corporate = "corporate",
    }
}

kernel::text_enum! {
    pub enum CustomerStatus {
        Active = "active",
        /// Anonymised for good; kept for the counts.
        Erased = "erased",
    }
}

/// Contact details as given (trimmed) and as duplicate detection compares them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    /// (as given, normalised)
    pub phone: Option<(String, String)>,
    pub email: Option<(String, String)>,
}

impl Contact {
    /// Checks and normalises what was given; blank values count as absent.
    pub fn parse(phone: Option<&str>, email: Option<&str>) -> DomainResult<Self> {
        let mut errors = Vec::new();
        let phone = phone.filter(|p| !p.trim().is_empty()).and_then(|p| {
            contact::normalize_phone(p)
                .map_err(|m| errors.push(FieldError::new("phone", m)))
                .ok()
                .map(|n| (p.trim().to_owned(), n))
        });
        let email = email.filter(|e| !e.trim().is_empty()).and_then(|e| {
            contact::normalize_email(e)
                .map_err(|m| errors.push(FieldError::new("email", m)))
                .ok()
                .map(|n| (e.trim().to_owned(), n))
        });
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        Ok(Self { phone, email })
    }

    pub fn is_empty(&self) -> bool {
        self.phone.is_none() && self.email.is_none()
    }
}

/// What a new customer must have: a name, a way to reach them, a company name if corporate.
pub fn check_new(
    kind: CustomerKind,
    full_name: &str,
    company_name: Option<&str>,
    contact: &Contact,
) -> DomainResult<()> {
    if kind == CustomerKind::Corporate && company_name.is_none_or(|c| c.trim().is_empty()) {
        return Err(DomainError::invalid(
            "companyName",
            "required for a corporate customer",
        ));
    }
    if contact.is_empty() {
        return Err(DomainError::invalid(
            "phone",
            "give a phone number or an email",
        ));
    }
    if full_name.trim().is_empty() {
        return Err(DomainError::invalid("fullName", "must not be blank"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reachable() -> Contact {
        Contact::parse(Some("+84 90 123 4567"), None).unwrap()
    }

    #[test]
    fn a_customer_needs_a_name_a_contact_and_a_company_if_corporate() {
        assert!(check_new(CustomerKind::Individual, "An", None, &reachable()).is_ok());
        let refused = |r: DomainResult<()>| match r {
            Err(DomainError::Invalid(errors)) => errors[0].field.clone(),
            other => panic!("expected a refusal, got {other:?}"),
        };
        assert_eq!(
            refused(check_new(
                CustomerKind::Corporate,
                "An",
                Some(" "),
                &reachable()
            )),
            "companyName"
        );
        assert_eq!(
            refused(check_new(
                CustomerKind::Individual,
                "An",
                None,
                &Contact::default()
            )),
            "phone"
        );
        assert_eq!(
            refused(check_new(
                CustomerKind::Individual,
                "  ",
                None,
                &reachable()
            )),
            "fullName"
        );
    }

    #[test]
    fn bad_contact_details_are_named_together() {
        match Contact::parse(Some("12"), Some("nobody")) {
            Err(DomainError::Invalid(errors)) => {
                let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["phone", "email"]);
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        let blank = Contact::parse(Some(" "), Some("")).unwrap();
        assert!(blank.is_empty());
    }
}
