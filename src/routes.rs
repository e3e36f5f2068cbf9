//! THE routing table: every `/api/v1` prefix and the module that owns it. The monolith serves
//! every prefix in-process; a split build serves its own and (with `gateway`) proxies the rest
//! to `services.<module>.url`. One table for both modes.

/// An API prefix (under `/api/v1`) and its owning module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrefixRoute {
    pub prefix: &'static str,
    pub module: &'static str,
}

const fn route(prefix: &'static str, module: &'static str) -> PrefixRoute {
    PrefixRoute { prefix, module }
}

use contracts::modules::{AUTH, CUSTOMER, DEALER, MANUFACTURER, NOTIFICATION, REPORT};

pub const API_PREFIX: &str = "/api/v1";

pub const TABLE: &[PrefixRoute] = &[
    route("/auth", AUTH),
    route("/users", AUTH),
    route("/service-clients", AUTH),
    route("/dealers", DEALER),
    route("/quotations", DEALER),
    route("/sales-orders", DEALER),
    route("/customers", CUSTOMER),
    route("/leads", CUSTOMER),
    route("/test-drives", CUSTOMER),
    route("/feedback", CUSTOMER),
    route("/manufacturers", MANUFACTURER),
    route("/catalog", MANUFACTURER),
    route("/oem-stock", MANUFACTURER),
    route("/dealer-orders", MANUFACTURER),
    route("/dealer-contracts", MANUFACTURER),
    route("/dealer-invoices", MANUFACTURER),
    route("/dealer-payments", MANUFACTURER),
    route("/reports", REPORT),
    route("/notifications", NOTIFICATION),
    // The notification delivery ledger: a module's admin resource, served where that module is
    // (unlike the rest of `/admin`, which is about each process's own event pipeline).
    route("/admin/notifications", NOTIFICATION),
];

/// Prefixes every process serves itself (about its own event pipeline); never proxied.
pub const PLATFORM: &str = "platform";
pub const PLATFORM_PREFIXES: &[&str] = &["/admin"];

fn under(path: &str, prefix: &str) -> bool {
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The owner of `path` (relative to `/api/v1`), matching whole segments only. A module prefix
/// inside a platform prefix (`/admin/notifications`) belongs to the module.
pub fn owner_of(path: &str) -> Option<&'static str> {
    if let Some(route) = TABLE.iter().find(|r| under(path, r.prefix)) {
        return Some(route.module);
    }
    PLATFORM_PREFIXES
        .iter()
        .any(|p| under(path, p))
        .then_some(PLATFORM)
}

/// The prefixes one module owns.
pub fn prefixes_of(module: &str) -> impl Iterator<Item = &'static str> + '_ {
    TABLE
        .iter()
        .filter(move |r| r.module == module)
        .map(|r| r.prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_module_owns_a_prefix_and_prefixes_are_unique() {
        for module in contracts::modules::ALL {
            assert!(
                prefixes_of(module).next().is_some(),
                "{module} owns no prefix"
            );
        }
        let mut prefixes: Vec<_> = TABLE.iter().map(|r| r.prefix).collect();
        prefixes.sort_unstable();
        prefixes.dedup();
        assert_eq!(prefixes.len(), TABLE.len());
    }

    #[test]
    fn ownership_matches_whole_segments() {
        assert_eq!(owner_of("/users/me"), Some(AUTH));
        assert_eq!(owner_of("/dealer-orders/1/approve"), Some(MANUFACTURER));
        assert_eq!(owner_of("/dealers/1"), Some(DEALER));
        assert_eq!(owner_of("/usersx"), None);
        assert_eq!(owner_of("/admin/outbox"), Some(PLATFORM));
        assert_eq!(
            owner_of("/admin/notifications/deliveries"),
            Some(NOTIFICATION)
        );
    }
}
