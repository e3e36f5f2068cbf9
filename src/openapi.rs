//! The OpenAPI document: operations endpoints plus every module compiled into this build.
//! Start-up also checks each module's routes against its documented paths.

use crate::routes::{owner_of, API_PREFIX};
use kernel::routing::RouteSpec;
use std::collections::BTreeSet;
use utoipa::{
    openapi::{
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
        OpenApi as Document,
    },
    OpenApi,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "EVDMS API", description = "Electric Vehicle Dealer Management System backend"),
    components(schemas(kernel::error::Problem, kernel::error::FieldError)),
    tags((name = "operations", description = "Health, readiness and metrics"))
)]
struct BaseApi;

/// Assembles the document from the base, operations and the given modules' documents.
pub fn document(modules: &[Document]) -> Document {
    let mut doc = BaseApi::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc.merge(kernel::ops::OpsApi::openapi());
    for module in modules {
        doc.merge(module.clone());
    }
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .build(),
        ),
    );
    doc
}

/// Operations (method, path) a document declares under `/api/v1`, with paths made relative.
fn documented(doc: &Document) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in &doc.paths.paths {
        let Some(relative) = path.strip_prefix(API_PREFIX) else {
            continue;
        };
        let methods = [
            ("GET", item.get.is_some()),
            ("POST", item.post.is_some()),
            ("PUT", item.put.is_some()),
            ("PATCH", item.patch.is_some()),
            ("DELETE", item.delete.is_some()),
        ];
        for (method, present) in methods {
            if present {
                out.insert((method.to_owned(), relative.to_owned()));
            }
        }
    }
    out
}

/// Refuses a module whose routes and documentation disagree, or whose routes stray outside the
/// prefixes the routing table gives it.
pub fn check_module_routes(
    module: &str,
    routes: &[RouteSpec],
    doc: &Document,
) -> anyhow::Result<()> {
    let routed: BTreeSet<(String, String)> = routes
        .iter()
        .map(|r| (r.method.to_string(), r.path.clone()))
        .collect();
    let documented = documented(doc);
    if let Some((method, path)) = routed.difference(&documented).next() {
        anyhow::bail!("module `{module}`: {method} {API_PREFIX}{path} is routed but missing from the OpenAPI document");
    }
    if let Some((method, path)) = documented.difference(&routed).next() {
        anyhow::bail!(
            "module `{module}`: {method} {API_PREFIX}{path} is documented but not routed"
        );
    }
    for route in routes {
        if owner_of(&route.path) != Some(module) {
            anyhow::bail!(
                "module `{module}`: {} {API_PREFIX}{} is outside the prefixes the routing table gives it",
                route.method,
                route.path
            );
        }
    }
    Ok(())
}
