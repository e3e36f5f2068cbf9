//! Dependency rules from docs/architecture.md ("Dependency rules"), read from `cargo metadata`,
//! and the module anatomy ("Module anatomy"), read from the sources of every module.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

const MODULES: [&str; 6] = [
    "auth",
    "dealer",
    "customer",
    "manufacturer",
    "report",
    "notification",
];

fn workspace_dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let members: BTreeSet<String> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|package| {
            let deps = package["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                // Dev-dependencies (e.g. a crate's own test features) are not architecture.
                .filter(|d| d["kind"].is_null())
                .map(|d| d["name"].as_str().unwrap().to_owned())
                .filter(|name| members.contains(name))
                .collect();
            (package["name"].as_str().unwrap().to_owned(), deps)
        })
        .collect()
}

#[test]
fn module_crates_depend_only_on_kernel_and_contracts() {
    let deps = workspace_dependencies();
    let allowed: BTreeSet<String> = ["kernel", "contracts"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    for module in MODULES {
        let own = deps
            .get(module)
            .unwrap_or_else(|| panic!("{module} is a workspace member"));
        let forbidden: Vec<_> = own.difference(&allowed).collect();
        assert!(forbidden.is_empty(), "{module} depends on {forbidden:?}");
    }
}

#[test]
fn kernel_and_contracts_depend_on_no_module() {
    let deps = workspace_dependencies();
    for platform in ["kernel", "contracts", "migration"] {
        let own = &deps[platform];
        for module in MODULES {
            assert!(!own.contains(module), "{platform} depends on {module}");
        }
    }
    assert!(
        deps["contracts"].is_empty(),
        "contracts depends on {:?}",
        deps["contracts"]
    );
}

#[test]
fn only_the_binary_knows_every_module() {
    let deps = workspace_dependencies();
    for (package, own) in &deps {
        if package == "evdms" {
            for module in MODULES {
                assert!(own.contains(module), "the binary must know {module}");
            }
            continue;
        }
        let known: Vec<_> = MODULES.iter().filter(|m| own.contains(**m)).collect();
        assert!(known.is_empty(), "{package} knows modules {known:?}");
    }
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
    found.sort();
    found
}

fn module_src(module: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("modules")
        .join(module)
        .join("src")
}

/// The code of a file without its comments (a comment may name what the code must not do).
fn code_of(path: &std::path::Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn api_files_hold_no_query_statement_or_transaction() {
    const FORBIDDEN: [&str; 15] = [
        ".begin()",
        "Statement",
        "::find()",
        "::find_by_id(",
        ".exec(",
        "ActiveModel",
        "query_all",
        "query_one",
        ".execute(",
        "ConnectionTrait",
        "TransactionTrait",
        "EntityTrait",
        "QueryFilter",
        "WriteTxn",
        "DatabaseTransaction",
    ];
    let mut found = Vec::new();
    for module in MODULES {
        for file in rust_files(&module_src(module).join("api")) {
            let code = code_of(&file);
            for pattern in FORBIDDEN {
                if code.contains(pattern) {
                    found.push(format!("{}: {pattern}", file.display()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "api/ must call app/, not the database: {found:#?}"
    );
}

#[test]
fn domain_code_knows_no_http_error() {
    let mut found = Vec::new();
    for module in MODULES {
        let src = module_src(module);
        let mut files = rust_files(&src.join("domain"));
        files.push(src.join("domain.rs"));
        for file in files.iter().filter(|f| f.exists()) {
            if code_of(file).contains("ApiError") {
                found.push(file.display().to_string());
            }
        }
    }
    assert!(
        found.is_empty(),
        "domain/ returns its own errors: {found:#?}"
    );
}

#[test]
fn no_api_file_imports_another() {
    let mut found = Vec::new();
    for module in MODULES {
        let api = module_src(module).join("api");
        let files = rust_files(&api);
        let resources: Vec<String> = files
            .iter()
            .filter_map(|f| f.file_stem()?.to_str().map(str::to_owned))
            .filter(|stem| stem != "mod")
            .collect();
        for file in &files {
            let code = code_of(file);
            for other in &resources {
                for path in [format!("super::{other}::"), format!("crate::api::{other}")] {
                    if code.contains(&path) {
                        found.push(format!("{} uses {path}", file.display()));
                    }
                }
                // `use super::{a, other::Item}` in a grouped import.
                let grouped = code.split("use super::{").skip(1).any(|rest| {
                    rest.split('}')
                        .next()
                        .is_some_and(|group| group.contains(&format!("{other}::")))
                });
                if grouped {
                    found.push(format!("{} imports api/{other}", file.display()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "api files share only api/mod.rs: {found:#?}"
    );
}

#[test]
fn jobs_event_handlers_and_use_cases_never_call_the_http_layer() {
    let mut found = Vec::new();
    for module in MODULES {
        let src = module_src(module);
        for file in rust_files(&src) {
            if file.starts_with(src.join("api")) {
                continue;
            }
            let code = code_of(&file)
                .replace("api::routes", "")
                .replace("api::ApiDoc", "");
            // `api::` as a path of its own (not the end of e.g. `utoipa::openapi::`).
            let calls_api = code.match_indices("api::").any(|(at, _)| {
                !code[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
            });
            if calls_api {
                found.push(file.display().to_string());
            }
        }
    }
    assert!(
        found.is_empty(),
        "only lib.rs mounts api/ (routes, OpenAPI): {found:#?}"
    );
}
