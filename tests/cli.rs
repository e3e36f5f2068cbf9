//! The `evdms` command line, run as a process.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kernel::testing::TestDatabase;
use std::process::{Command, Output};

/// The repository's configuration directory.
const REPO_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config");

/// `evdms` started as a user would outside the repository: from an empty directory, with only
/// the variables given (so the overlays built into the binary apply unless `EVDMS_CONFIG_DIR`
/// or `--config-dir` names a directory).
fn outside(args: &[&str]) -> (Command, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_evdms"));
    command
        .args(args)
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    (command, dir)
}

fn evdms(database: &TestDatabase, args: &[&str], extra: &[(&str, &str)]) -> Output {
    let (mut command, _dir) = outside(args);
    command
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("EVDMS_ENV", "test")
        .env("EVDMS__DATABASE__URL", &database.url)
        .env("EVDMS__DATA__DIR", &database.data_dir);
    for (key, value) in extra {
        command.env(key, value);
    }
    command.output().expect("evdms runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
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
        &[
            ("EVDMS_ENV", "production"),
            ("EVDMS_CONFIG_DIR", REPO_CONFIG),
        ],
    );
    assert!(!production.status.success());
    assert!(String::from_utf8_lossy(&production.stderr).contains("auth.signing_key_file"));
    // With a signing key, the key sealing the password-reset token is still missing.
    let production = evdms(
        &database,
        &["config", "check"],
        &[
            ("EVDMS_ENV", "production"),
            ("EVDMS_CONFIG_DIR", REPO_CONFIG),
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
                ("EVDMS_CONFIG_DIR", REPO_CONFIG),
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

/// `evdms routes | head -1`: the reader goes away before the output is written. The command ends
/// quietly (no panic message, success) instead of panicking on the broken pipe.
#[tokio::test]
async fn output_into_a_closed_pipe_ends_quietly() {
    for args in [&["routes"][..], &["openapi"][..]] {
        let (mut command, _dir) = outside(args);
        let mut child = command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Close the read end at once, like `head` after its line.
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let stderr = stderr(&output);
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "{args:?}: {stderr}"
        );
        assert!(output.status.success(), "{args:?}: {:?}", output.status);
    }
}

#[tokio::test]
async fn outside_the_repository_the_embedded_overlays_apply_and_say_so() {
    // Development: the embedded overlay seeds the demo data; `config check` says what it read.
    let (mut command, _dir) = outside(&["config", "check"]);
    let output = command.output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("environment development"), "{text}");
    assert!(
        text.contains("read       embedded default.toml, embedded development.toml"),
        "{text}"
    );
    assert!(
        text.contains("not found  config/development.toml"),
        "{text}"
    );
    assert!(text.contains("demo data on start"), "{text}");

    // Test: the same, with a warning that its file was not found.
    let (mut command, _dir) = outside(&["config", "check"]);
    let output = command.env("EVDMS_ENV", "test").output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("embedded test.toml"));
    let warning = stderr(&output);
    assert!(
        warning.contains("WARN") && warning.contains("config/test.toml` not found"),
        "{warning}"
    );

    // A configuration directory (variable or flag): its files are read, and an environment's
    // file replaces the embedded overlay (this one does not seed).
    let (mut command, _dir) = outside(&["config", "check"]);
    let output = command
        .env("EVDMS_ENV", "test")
        .env("EVDMS_CONFIG_DIR", REPO_CONFIG)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "",
        "nothing missing, nothing to warn about"
    );
    assert!(stdout(&output).contains(&format!("{REPO_CONFIG}/test.toml")));
    let own = tempfile::tempdir().unwrap();
    std::fs::write(
        own.path().join("development.toml"),
        "[server]\nport = 9123\n",
    )
    .unwrap();
    let dir = own.path().to_str().unwrap();
    let (mut command, _dir) = outside(&["--config-dir", dir, "config", "check"]);
    let output = command.output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("listen     127.0.0.1:9123"), "{text}");
    assert!(text.contains("none on start"), "{text}");
    assert!(
        text.contains(&format!("{dir}/development.toml")) && !text.contains("not found"),
        "{text}"
    );
}

/// `evdms serve` in development from an empty directory: it logs what it read, seeds the demo
/// accounts and serves them.
#[tokio::test]
async fn development_serves_the_demo_data_from_any_directory() {
    use std::io::BufRead;
    let (mut command, dir) = outside(&["serve"]);
    let mut child = command
        .env("EVDMS__SERVER__PORT", "0")
        .env("EVDMS__SERVER__WORKERS", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let _stop = KillOnDrop(child.id());
    let (lines, received) = std::sync::mpsc::channel::<String>();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut log = Vec::new();
    let port = loop {
        let line = received
            .recv_timeout(std::time::Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no port logged: {log:#?}"));
        log.push(line.clone());
        let Some(rest) = line.split("EVDMS listening on port ").nth(1) else {
            continue;
        };
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        break digits.parse::<u16>().unwrap();
    };
    let read = log
        .iter()
        .find(|l| l.contains("configuration: development environment from"))
        .unwrap_or_else(|| panic!("the configuration is logged: {log:#?}"));
    assert!(
        read.contains("embedded default.toml, embedded development.toml"),
        "{read}"
    );
    assert!(log.iter().any(|l| l.contains("development accounts")));
    let login = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/api/v1/auth/login"))
        .json(&serde_json::json!({ "email": "admin@evdms.dev", "password": "ChangeMe-123!" }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200, "the demo accounts were seeded");
    assert!(dir.path().join("data").is_dir(), "data under ./data");
    // Nothing on stdout: the server's output is its log, on stderr.
    drop(_stop);
    let output = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), "");
}

/// Kills a process when the test ends, also on failure.
struct KillOnDrop(u32);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", &self.0.to_string()])
            .status();
    }
}
