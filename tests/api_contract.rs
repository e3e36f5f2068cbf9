//! The API document as client generators read it: unique readable operationIds, closed sets as
//! `enum`s of their wire values, and the auth failures of every protected operation documented.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::spawn_app;
use serde_json::Value;
use std::collections::BTreeMap;

const METHODS: [&str; 5] = ["get", "put", "post", "patch", "delete"];

/// (method, path, operation) of every operation in the document.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                out.push((method.to_owned(), path.clone(), operation.clone()));
            }
        }
    }
    out
}

async fn document() -> Value {
    let app = spawn_app().await;
    app.get("/api/v1/openapi.json").await.json().await.unwrap()
}

#[tokio::test]
async fn every_operation_has_a_unique_readable_operation_id() {
    let doc = document().await;
    let operations = operations(&doc);
    assert!(operations.len() > 100, "the whole API is documented");
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (method, path, operation) in &operations {
        let id = operation["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
        assert!(
            id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && id.chars().all(|c| c.is_ascii_alphanumeric())
                && id.len() >= 5,
            "{method} {path}: operationId `{id}` is not a readable camelCase name"
        );
        if let Some(other) = seen.insert(id.to_owned(), format!("{method} {path}")) {
            panic!("operationId `{id}` is used by {other} and {method} {path}");
        }
    }
}

#[tokio::test]
async fn every_protected_operation_documents_401_and_403() {
    let doc = document().await;
    let mut protected = 0;
    for (method, path, operation) in operations(&doc) {
        let Some(security) = operation["security"].as_array() else {
            continue;
        };
        if security.is_empty() || security.iter().any(|s| s == &serde_json::json!({})) {
            continue;
        }
        protected += 1;
        for status in ["401", "403"] {
            let response = &operation["responses"][status];
            assert!(
                response.is_object(),
                "{method} {path} does not document {status}"
            );
        }
    }
    assert!(protected > 100, "{protected} protected operations");
    // Public operations stay public in the document.
    assert!(doc["paths"]["/api/v1/auth/login"]["post"]["responses"]["401"].is_object());
    assert!(doc["paths"]["/health"]["get"]["responses"]["401"].is_null());
}

/// Closed sets (statuses, roles, kinds) are enums whose values are what the API sends, not the
/// Rust variant names.
#[tokio::test]
async fn closed_sets_are_enums_of_their_wire_values() {
    let doc = document().await;
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let enums: Vec<(&String, Vec<&str>)> = schemas
        .iter()
        .filter_map(|(name, schema)| {
            let values = schema["enum"].as_array()?;
            Some((name, values.iter().filter_map(Value::as_str).collect()))
        })
        .collect();
    assert!(enums.len() >= 25, "{} enum schemas", enums.len());
    for (name, values) in &enums {
        for value in values {
            assert!(
                !value.starts_with(|c: char| c.is_ascii_uppercase()),
                "{name}: `{value}` is a Rust variant name, not the wire value ({values:?})"
            );
        }
    }
    let contract_status = enums
        .iter()
        .find(|(name, _)| name.as_str() == "ContractStatus")
        .map(|(_, values)| values.clone())
        .unwrap();
    assert!(contract_status.contains(&"signed"), "{contract_status:?}");
}
