//! Dependency rules from docs/architecture.md ("Dependency rules"), read from `cargo metadata`.

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
