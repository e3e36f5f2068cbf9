//! Staff users' preferences: per category × channel, on unless the user turned it off; security
//! messages are locked on. Emails of chosen categories may be held for a daily digest instead of
//! going one by one. Customers have consent flags instead (kept from customer events).

use super::{
    routing::{self, category, Audience, ROUTED},
    samples::sample_payload,
    Channel,
};
use kernel::Role;
use std::collections::BTreeSet;

/// Categories no one may turn off or hold back (a password reset must arrive).
pub const LOCKED: &[&str] = &[category::SECURITY];

pub fn is_locked(category: &str) -> bool {
    LOCKED.contains(&category)
}

/// Messages about the person's own account, which reach every role.
const PERSONAL: &[&str] = &[category::ACCOUNT, category::SECURITY];

/// What happens to one message for one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Turned off: no ledger row at all.
    Skip,
    /// Sent as soon as it may be.
    Send,
    /// Held for the daily digest email.
    Digest,
}

/// A user's choices, holding only what differs from the defaults (everything on, no digest).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choices {
    pub disabled: BTreeSet<(String, Channel)>,
    pub digest: BTreeSet<String>,
}

impl Choices {
    pub fn enabled(&self, category: &str, channel: Channel) -> bool {
        is_locked(category) || !self.disabled.contains(&(category.to_owned(), channel))
    }

    pub fn digested(&self, category: &str, channel: Channel) -> bool {
        channel == Channel::Email && !is_locked(category) && self.digest.contains(category)
    }

    pub fn plan(&self, category: &str, channel: Channel) -> Plan {
        if !self.enabled(category, channel) {
            Plan::Skip
        } else if self.digested(category, channel) {
            Plan::Digest
        } else {
            Plan::Send
        }
    }
}

/// The roles a group of recipients can hold.
fn roles_reached(audience: Audience, category: &str) -> &'static [Role] {
    use Role::{Admin, DealerManager, DealerStaff, EvmStaff};
    match audience {
        Audience::DealerManagers(_) => &[DealerManager],
        Audience::EvmStaff => &[EvmStaff],
        Audience::User(_) if PERSONAL.contains(&category) => {
            &[Admin, EvmStaff, DealerManager, DealerStaff]
        }
        // The salesperson of a sale, the assignee of a complaint: people of a dealer.
        Audience::User(_) => &[DealerManager, DealerStaff],
        Audience::Customer(_) => &[],
    }
}

/// The categories routed to `role`, in [`category::ALL`] order, each with the channels it uses.
pub fn routed_to(role: Role) -> Vec<(&'static str, Vec<Channel>)> {
    let mut used: Vec<(&'static str, Channel)> = Vec::new();
    for (event, category, _) in ROUTED {
        let Some(payload) = sample_payload(event) else {
            continue;
        };
        let Ok(Some(route)) = routing::route(event, &payload) else {
            continue;
        };
        for recipients in &route.recipients {
            if roles_reached(recipients.audience, category).contains(&role) {
                used.extend(recipients.channels.iter().map(|c| (*category, *c)));
            }
        }
    }
    category::ALL
        .iter()
        .filter_map(|category| {
            let channels: Vec<Channel> = Channel::ALL
                .into_iter()
                .filter(|c| used.contains(&(*category, *c)))
                .collect();
            (!channels.is_empty()).then_some((*category, channels))
        })
        .collect()
}

/// A requested setting of one category × channel, as received.
#[derive(Debug, Clone)]
pub struct Requested {
    pub category: String,
    pub channel: String,
    pub enabled: bool,
}

/// A checked change of a user's choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub channels: Vec<(&'static str, Channel, bool)>,
    /// The new digest categories; `None` = unchanged.
    pub digest: Option<BTreeSet<&'static str>>,
}

/// Which part of a request is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Category(usize),
    Channel(usize),
    Enabled(usize),
    DigestCategory(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub part: Part,
    pub message: String,
}

fn known_category(name: &str) -> Option<&'static str> {
    category::ALL.iter().copied().find(|c| *c == name)
}

fn unknown_category(name: &str) -> String {
    format!("unknown category `{name}` ({})", category::ALL.join(", "))
}

/// Checks a request whole: any mistake refuses all of it.
pub fn check(requested: &[Requested], digest: Option<&[String]>) -> Result<Change, Vec<Invalid>> {
    let mut errors = Vec::new();
    let mut channels = Vec::new();
    for (i, r) in requested.iter().enumerate() {
        let category = known_category(&r.category);
        if category.is_none() {
            errors.push(Invalid {
                part: Part::Category(i),
                message: unknown_category(&r.category),
            });
        }
        let channel = r.channel.parse::<Channel>();
        if let Err(message) = &channel {
            errors.push(Invalid {
                part: Part::Channel(i),
                message: message.clone(),
            });
        }
        if let (Some(category), Ok(channel)) = (category, channel) {
            if is_locked(category) && !r.enabled {
                errors.push(Invalid {
                    part: Part::Enabled(i),
                    message: format!("{category} messages cannot be turned off"),
                });
            }
            channels.push((category, channel, r.enabled));
        }
    }
    let digest = digest.map(|names| {
        let mut chosen = BTreeSet::new();
        for (i, name) in names.iter().enumerate() {
            match known_category(name) {
                None => errors.push(Invalid {
                    part: Part::DigestCategory(i),
                    message: unknown_category(name),
                }),
                Some(category) if is_locked(category) => errors.push(Invalid {
                    part: Part::DigestCategory(i),
                    message: format!("{category} messages are never held for a digest"),
                }),
                Some(category) => {
                    chosen.insert(category);
                }
            }
        }
        chosen
    });
    if errors.is_empty() {
        Ok(Change { channels, digest })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Channel::{Email, InApp};

    fn requested(category: &str, channel: &str, enabled: bool) -> Requested {
        Requested {
            category: category.into(),
            channel: channel.into(),
            enabled,
        }
    }

    #[test]
    fn everything_is_on_until_turned_off_and_security_stays_on() {
        let mut choices = Choices::default();
        assert_eq!(choices.plan("stock", Email), Plan::Send);
        choices.disabled.insert(("stock".into(), Email));
        choices.disabled.insert(("security".into(), Email));
        assert_eq!(choices.plan("stock", Email), Plan::Skip);
        assert_eq!(choices.plan("stock", InApp), Plan::Send);
        assert_eq!(choices.plan("security", Email), Plan::Send);
    }

    #[test]
    fn only_emails_of_chosen_categories_wait_for_the_digest() {
        let choices = Choices {
            digest: ["stock".to_owned(), "security".to_owned()].into(),
            ..Choices::default()
        };
        assert_eq!(choices.plan("stock", Email), Plan::Digest);
        assert_eq!(choices.plan("stock", InApp), Plan::Send);
        assert_eq!(choices.plan("finance", Email), Plan::Send);
        assert_eq!(choices.plan("security", Email), Plan::Send);
    }

    #[test]
    fn a_request_with_any_mistake_is_refused_whole_naming_each() {
        let errors = check(
            &[
                requested("stock", "email", false),
                requested("weather", "email", false),
                requested("stock", "fax", true),
                requested("security", "email", false),
            ],
            Some(&["finance".into(), "security".into(), "nope".into()]),
        )
        .unwrap_err();
        let parts: Vec<Part> = errors.iter().map(|e| e.part).collect();
        assert_eq!(
            parts,
            [
                Part::Category(1),
                Part::Channel(2),
                Part::Enabled(3),
                Part::DigestCategory(1),
                Part::DigestCategory(2),
            ]
        );
        let ok = check(
            &[
                requested("stock", "email", false),
                requested("security", "email", true),
            ],
            None,
        )
        .unwrap();
        assert_eq!(
            ok.channels,
            [("stock", Email, false), ("security", Email, true)]
        );
        assert_eq!(ok.digest, None);
    }

    #[test]
    fn each_role_sees_the_categories_routed_to_it() {
        let manager = routed_to(Role::DealerManager);
        assert!(manager.contains(&("stock", vec![Email, InApp])));
        assert!(manager.contains(&("security", vec![Email])));
        assert!(manager.contains(&("feedback", vec![Email, InApp])));
        let evm: Vec<&str> = routed_to(Role::EvmStaff).iter().map(|c| c.0).collect();
        assert_eq!(evm, ["account", "security", "dealer_orders", "stock"]);
        let admin: Vec<&str> = routed_to(Role::Admin).iter().map(|c| c.0).collect();
        assert_eq!(admin, ["account", "security"]);
        let staff: Vec<&str> = routed_to(Role::DealerStaff).iter().map(|c| c.0).collect();
        assert_eq!(
            staff,
            ["account", "security", "sales", "test_drives", "feedback"]
        );
    }
}
