//! The OpenAPI document: operations endpoints plus every module compiled into this build.
//! Start-up also checks each module's routes against its documented paths.

use crate::routes::{owner_of, API_PREFIX};
use kernel::routing::RouteSpec;
use std::collections::BTreeSet;
use utoipa::{
    openapi::{
        path::Operation,
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
        ContentBuilder, OpenApi as Document, Ref, RefOr, ResponseBuilder,
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
    document_auth_failures(&mut doc);
    doc
}

/// Every operation that needs a token can answer 401 (no, invalid, expired or revoked token) and
/// 403 (the caller's role, tenant or scopes don't allow it): the kernel's `Caller` extractor and
/// access rules give those answers, so they are documented here once rather than on each handler.
fn document_auth_failures(doc: &mut Document) {
    let problem = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build(),
        )
    };
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.patch,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            if !needs_token(operation) {
                continue;
            }
            let responses = &mut operation.responses.responses;
            responses.entry("401".to_owned()).or_insert_with(|| {
                problem("No valid access token: missing, malformed, expired or revoked")
            });
            responses.entry("403".to_owned()).or_insert_with(|| {
                problem("The caller's role, dealer or scopes do not allow this operation")
            });
        }
    }
}

/// Whether an operation declares a security requirement and none of its alternatives is the empty
/// one (`{}` means "or no token at all").
fn needs_token(operation: &Operation) -> bool {
    operation.security.as_ref().is_some_and(|requirements| {
        !requirements.is_empty()
            && requirements.iter().all(|requirement| {
                serde_json::to_value(requirement)
                    .is_ok_and(|value| value.as_object().is_some_and(|o| !o.is_empty()))
            })
    })
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
