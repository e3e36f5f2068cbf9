//! The `evdms` command line, run as a process.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kernel::testing::TestDatabase;
use std::process::{Command, Output};

fn evdms(database: &TestDatabase, args: &[&str], extra: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_evdms"));
    command
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("EVDMS_ENV", "test")
        .env("EVDMS__DATABASE__URL", &database.url)
        .env("EVDMS__DATA__DIR", &database.data_dir);
    for (key, value) in extra {
        command.env(key, value);
    }
    command.output().expect("evdms runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn invalid_configuration_exits_non_zero_with_one_line_naming_the_key() {
    let database = TestDatabase::create().await;
    let cases = [
        (
            "EVDMS__DATABASE__URL",
            "mysql://localhost/x",
            "database.url",
        ),
        ("EVDMS__BUS__AMQP_URL", "::::", "bus.amqp_url"),
        ("EVDMS__SERVER__PORT", "http", "server.port"),
        ("EVDMS_ENV", "staging", "EVDMS_ENV"),
    ];
    for (key, value, named) in cases {
        let output = evdms(&database, &["config", "check"], &[(key, value)]);
        assert!(!output.status.success(), "{key}={value} accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
        assert!(stderr.contains(named), "{stderr} names {named}");
    }
    let production = evdms(
        &database,
        &["config", "check"],
        &[("EVDMS_ENV", "production")],
    );
    assert!(!production.status.success());
    assert!(String::from_utf8_lossy(&production.stderr).contains("auth.signing_key_file"));
    // With a signing key, the key sealing the password-reset token is still missing.
    let production = evdms(
        &database,
        &["config", "check"],
        &[
            ("EVDMS_ENV", "production"),
            (
                "EVDMS__AUTH__SIGNING_KEY_FILE",
                "/run/secrets/jwt_ed25519.pem",
            ),
        ],
    );
    assert!(!production.status.success());
    let stderr = String::from_utf8_lossy(&production.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("secrets.notification_seal_key"), "{stderr}");

    // Started outside the repository, production does not fall back to the embedded
    // (development) defaults: it refuses, naming where it looked.
    let outside = tempfile::tempdir().unwrap();
    let production = Command::new(env!("CARGO_BIN_EXE_evdms"))
        .args(["config", "check"])
        .current_dir(outside.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("EVDMS_ENV", "production")
        .env(
            "EVDMS__AUTH__SIGNING_KEY_FILE",
            "/run/secrets/jwt_ed25519.pem",
        )
        .env(
            "EVDMS__SECRETS__NOTIFICATION_SEAL_KEY",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        )
        .output()
        .unwrap();
    assert!(!production.status.success());
    let stderr = String::from_utf8_lossy(&production.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains("EVDMS_CONFIG_DIR") && stderr.contains("production.toml"),
        "{stderr}"
    );
    // The development CORS origins and the published demo password are refused too.
    for (key, value, named) in [
        (
            "EVDMS__SERVER__CORS_ORIGINS",
            "http://localhost:5173",
            "server.cors_origins",
        ),
        (
            "EVDMS__SEED__DEV_PASSWORD",
            "ChangeMe-123!",
            "seed.dev_password",
        ),
    ] {
        let production = evdms(
            &database,
            &["config", "check"],
            &[
                ("EVDMS_ENV", "production"),
                (
                    "EVDMS__AUTH__SIGNING_KEY_FILE",
                    "/run/secrets/jwt_ed25519.pem",
                ),
                (
                    "EVDMS__SECRETS__NOTIFICATION_SEAL_KEY",
                    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
                ),
                (key, value),
            ],
        );
        assert!(!production.status.success(), "{key}={value} accepted");
        let stderr = String::from_utf8_lossy(&production.stderr);
        assert!(
            stderr.contains(named) && !stderr.contains("ChangeMe"),
            "{stderr}"
        );
    }

    let ok = evdms(&database, &["config", "check"], &[]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

#[tokio::test]
async fn migrate_up_status_down_per_module() {
    let database = TestDatabase::create().await;
    let status = evdms(&database, &["migrate", "status"], &[]);
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let text = stdout(&status);
    for module in contracts::modules::ALL {
        assert!(
            text.contains(&format!(
                "{module} (history in \"{module}\".\"seaql_migrations\")"
            )),
            "{text}"
        );
    }
    assert!(text.contains("pending"));

    let up = evdms(&database, &["migrate", "up"], &[]);
    assert!(
        up.status.success(),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );
    let status = stdout(&evdms(&database, &["migrate", "status"], &[]));
    assert!(!status.contains("pending"), "{status}");

    let down = evdms(&database, &["migrate", "down", "--module", "report"], &[]);
    assert!(
        down.status.success(),
        "{}",
        String::from_utf8_lossy(&down.stderr)
    );
    let report = stdout(&evdms(
        &database,
        &["migrate", "status", "--module", "report"],
        &[],
    ));
    assert!(report.contains("pending"), "{report}");
    let others = stdout(&evdms(
        &database,
        &["migrate", "status", "--module", "auth"],
        &[],
    ));
    assert!(
        !others.contains("pending"),
        "only report was reverted: {others}"
    );

    let unknown = evdms(
        &database,
        &["migrate", "status", "--module", "billing"],
        &[],
    );
    assert!(!unknown.status.success());
}

#[tokio::test]
async fn routes_prints_the_table_and_where_each_prefix_is_served() {
    let database = TestDatabase::create().await;
    let output = evdms(&database, &["routes"], &[]);
    assert!(output.status.success());
    let text = stdout(&output);
    for (prefix, module) in [
        ("/api/v1/dealer-orders", "manufacturer"),
        ("/api/v1/users", "auth"),
        ("/api/v1/leads", "customer"),
    ] {
        let line = text
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix} listed"));
        assert!(
            line.contains(module) && line.contains("in this process"),
            "{line}"
        );
    }
}

#[tokio::test]
async fn openapi_prints_the_document() {
    let database = TestDatabase::create().await;
    let output = evdms(&database, &["openapi"], &[]);
    assert!(output.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON document");
    assert!(doc["paths"]["/health"].is_object());
}
