//! Settings: `config/default.toml` → `config/{EVDMS_ENV}.toml` → `EVDMS__SECTION__KEY`.
//!
//! `default.toml` and the development and test overlays are compiled into the binary, so that it
//! runs from any directory; files on disk (in `EVDMS_CONFIG_DIR` or `--config-dir`, default
//! `./config`) take their place: `default.toml` on disk overlays the embedded one, and an
//! environment's file on disk replaces the embedded overlay. Production has no embedded overlay
//! and refuses to start without its file. [`Settings::sources`] says what was read, for the log
//! line at start. [`Settings::validate`] turns every mistake into one line naming the key.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::{collections::BTreeMap, fmt, path::PathBuf, str::FromStr};

const DEFAULT_TOML: &str = include_str!("../../../config/default.toml");
const DEVELOPMENT_TOML: &str = include_str!("../../../config/development.toml");
const TEST_TOML: &str = include_str!("../../../config/test.toml");

/// Where the configuration came from, in the order applied.
#[derive(Debug, Clone, Default)]
pub struct ConfigSources {
    /// The directory searched for files (`EVDMS_CONFIG_DIR`, `--config-dir` or `./config`).
    pub dir: PathBuf,
    /// What was read, e.g. `embedded default.toml`, `config/default.toml`.
    pub files: Vec<String>,
    /// The environment's own file, when it was not found in `dir`.
    pub missing: Option<PathBuf>,
    /// The `EVDMS__…` variables applied (names only: values may be secrets).
    pub variables: Vec<String>,
}

impl ConfigSources {
    /// One line for the log: `embedded default.toml, config/development.toml; EVDMS__SERVER__PORT`.
    pub fn describe(&self) -> String {
        let mut text = self.files.join(", ");
        if !self.variables.is_empty() {
            text.push_str("; variables ");
            text.push_str(&self.variables.join(", "));
        }
        text
    }
}

/// The CORS origins of the development defaults; production refuses them.
pub const DEVELOPMENT_CORS_ORIGINS: &[&str] = &["http://localhost:3000", "http://localhost:5173"];
/// The published password of the demo accounts (`seed.dev_password`); production refuses it.
pub const DEVELOPMENT_PASSWORD: &str = "ChangeMe-123!";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Test,
    Production,
}

impl FromStr for Environment {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "development" | "dev" => Ok(Self::Development),
            "test" => Ok(Self::Test),
            "production" | "prod" => Ok(Self::Production),
            other => Err(ConfigError::new(
                "EVDMS_ENV",
                format!("unknown environment `{other}` (expected development, test or production)"),
            )),
        }
    }
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Development => "development",
            Self::Test => "test",
            Self::Production => "production",
        }
    }
}

/// A configuration mistake, naming the offending key.
#[derive(Debug, Clone, thiserror::Error)]
#[error("invalid configuration `{key}`: {message}")]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

impl ConfigError {
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(skip, default = "default_env")]
    pub env: Environment,
    /// What the settings were read from (not a setting).
    #[serde(skip)]
    pub sources: ConfigSources,
    pub server: ServerSettings,
    pub data: DataSettings,
    pub database: DatabaseSettings,
    pub bus: BusSettings,
    pub cache: CacheSettings,
    pub analytics: AnalyticsSettings,
    pub auth: AuthSettings,
    pub seed: SeedSettings,
    pub log: LogSettings,
    pub ops: OpsSettings,
    pub modules: ModulesSettings,
    pub notification: NotificationSettings,
    pub secrets: SecretsSettings,
    #[serde(default)]
    pub services: BTreeMap<String, ServiceEndpoint>,
}

fn default_env() -> Environment {
    Environment::Development
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    pub json_limit_bytes: usize,
    pub shutdown_timeout_secs: u64,
    pub workers: usize,
    pub cors_origins: Vec<String>,
    /// Take the client address from X-Forwarded-For (only behind a trusted proxy or the gateway).
    pub trust_forwarded_for: bool,
    /// Requests per client address and per user in each window; 0 = no limit.
    pub rate_limit_per_ip: u64,
    pub rate_limit_per_user: u64,
    pub rate_limit_window_secs: u64,
    /// `Strict-Transport-Security` max-age in seconds; 0 = no header (set it only when every
    /// client reaches the service over HTTPS, e.g. behind a TLS-terminating proxy).
    pub hsts_max_age_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSettings {
    pub dir: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: SecretString,
    pub max_connections: u32,
    pub min_connections: u32,
    pub acquire_timeout_secs: u64,
    pub run_migrations: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TransportKind {
    Auto,
    InProcess,
    Rabbitmq,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusSettings {
    pub transport: TransportKind,
    pub amqp_url: SecretString,
    pub relay_enabled: bool,
    pub relay_batch_size: u32,
    pub relay_poll_interval_ms: u64,
    pub relay_lease_secs: u64,
    pub max_attempts: u32,
    pub backoff_base_ms: u64,
    pub backoff_max_ms: u64,
    /// Unacknowledged messages a RabbitMQ consumer may hold.
    pub prefetch: u16,
    /// Names of the exchanges and queues start with this (`<prefix>.events`, `<prefix>.<module>`).
    pub broker_prefix: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheSettings {
    pub redis_url: SecretString,
    /// Prefix of every key this deployment writes.
    pub key_prefix: String,
    /// Bound of one Redis operation, connecting included (ms); past it the operation fails and
    /// the cache degrades (see `kernel::cache::FailOpen`).
    pub timeout_ms: u64,
}

impl CacheSettings {
    /// [`Self::timeout_ms`] as a duration (at least 10 ms).
    pub fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.timeout_ms.max(10))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalyticsSettings {
    pub mongo_url: SecretString,
    /// ISO 4217 code of the deployment's money (reports state it; amounts are minor units).
    pub currency: String,
    /// Hour (UTC) of the nightly demand-forecast run; a value over 23 turns the nightly run off.
    pub forecast_hour_utc: u32,
    /// Seconds a dashboard's cards are served from the cache before they are read again (0: off).
    pub dashboard_cache_secs: u64,
    /// MongoDB server selection and connect timeout (ms): how long an operation waits for an
    /// absent server before failing (the driver's default is 30 s).
    pub mongo_timeout_ms: u64,
}

impl AnalyticsSettings {
    /// [`Self::mongo_timeout_ms`] as a duration (at least 100 ms).
    pub fn mongo_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.mongo_timeout_ms.max(100))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub issuer: String,
    pub audience: String,
    pub access_token_ttl_secs: u64,
    pub refresh_token_ttl_secs: u64,
    pub signing_key_file: String,
    /// Older keys still published in the JWKS during a rotation (PEM files).
    pub verification_key_files: Vec<String>,
    /// Presenting the refresh token rotated this long ago again returns the same new pair
    /// (two tabs, a retry after a timeout) instead of counting as reuse; 0 = no grace.
    pub refresh_reuse_grace_secs: u64,
    /// Failures of one account from one address before each further one delays that pair.
    pub login_free_failures_per_account_address: u64,
    /// Failures from one address (any accounts) before each further one delays the address.
    pub login_free_failures_per_address: u64,
    /// Failures of one account from all addresses after which every failing address is delayed
    /// for it from its first failure (a distributed guess); addresses that are not failing for
    /// the account are never delayed by it.
    pub login_account_attack_failures: u64,
    /// The first delay; each further failure doubles it, up to the maximum.
    pub login_delay_base_secs: u64,
    pub login_delay_max_secs: u64,
    /// How long failure counters live (from the first failure).
    pub login_failure_window_secs: u64,
    pub password_reset_ttl_secs: u64,
    /// How often every process refreshes its copy of the durable revocation list (ms): the
    /// longest a logout takes to reach another process when Redis is absent or down.
    pub revocation_refresh_ms: u64,
}

impl AuthSettings {
    /// [`Self::revocation_refresh_ms`] as a duration (at least 100 ms).
    pub fn revocation_refresh(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.revocation_refresh_ms.max(100))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedSettings {
    pub dev_password: SecretString,
    pub on_start: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    pub level: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpsSettings {
    pub max_outbox_lag_secs: u64,
    /// Swagger UI (`/docs/`) and the OpenAPI document for anyone; off: administrators only.
    pub expose_docs: bool,
    /// `/metrics` for anyone; off: administrators only.
    pub expose_metrics: bool,
    /// `/ready` shows each check's detail (errors, outbox counts) to anyone; off: up/down per
    /// dependency, details for administrators only.
    pub ready_details: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModulesSettings {
    /// Which of the compiled-in modules this process hosts; empty = all of them.
    pub enabled: Vec<String>,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text (a local relay or a test server only).
    None,
    /// Plain connection upgraded with STARTTLS (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettings {
    /// Sender of every email, e.g. `EVDMS <no-reply@example.com>`.
    pub email_from: String,
    /// SMTP server; empty = the `log` provider (recorded as sent and printed).
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_tls: SmtpTls,
    pub smtp_username: String,
    pub smtp_password: SecretString,
    pub smtp_timeout_secs: u64,
    /// HTTP SMS provider: `POST {sms_base_url}/messages`; empty = the `log` provider.
    pub sms_base_url: String,
    /// Sent as `Authorization: Bearer …`.
    pub sms_api_key: SecretString,
    /// Key of the `X-Signature: sha256=<hex HMAC-SHA256 of the body>` header.
    pub sms_signing_secret: SecretString,
    /// Sender id shown on the phone.
    pub sms_sender: String,
    pub sms_timeout_secs: u64,
    /// Language of people whose locale is unknown (templates exist for `en` and `vi`).
    pub default_locale: String,
    /// Where links in messages point (the web frontend).
    pub public_base_url: String,
    /// The dispatcher wakes on new messages and at least this often.
    pub dispatch_poll_interval_ms: u64,
    pub dispatch_batch_size: u32,
    /// A claimed message is retried by another dispatcher if not settled within the lease.
    pub dispatch_lease_secs: u64,
    /// Sending attempts before a message is dead; retries back off exponentially.
    pub max_attempts: u32,
    pub backoff_base_ms: u64,
    pub backoff_max_ms: u64,
    /// Hour (UTC, 0–23) of the daily digest email; 24 or more = no scheduled run (admins can
    /// still run it).
    pub digest_hour_utc: u32,
    /// SMS quiet hours in the recipient's dealer's local time, `HH:MM`; both empty = none. An SMS
    /// due inside the window waits for its end.
    pub sms_quiet_start: String,
    pub sms_quiet_end: String,
    /// IANA time zone of people whose dealer has none (and of OEM staff).
    pub default_time_zone: String,
    /// A comment line on every open live stream this often, so proxies keep it open.
    pub stream_heartbeat_secs: u64,
    /// How long a browser waits before reconnecting a dropped stream (the `retry:` hint).
    pub stream_retry_ms: u64,
    /// Live streams one user may hold open at once (per process); beyond it 429.
    pub stream_max_per_user: u32,
    /// Lifetime of a single-use stream ticket.
    pub stream_ticket_ttl_secs: u64,
    /// Reminders: an instalment this many days before it is due, a test drive this many hours
    /// before it starts; the sweep that sends due reminders runs this often.
    pub instalment_reminder_days: u32,
    pub test_drive_reminder_hours: u32,
    pub reminder_sweep_interval_ms: u64,
}

/// Keys shared between modules (see `kernel::secrets`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsSettings {
    /// 32 bytes, base64: seals the password-reset token from auth to notification. Empty outside
    /// production = a fixed development key; required in production.
    pub notification_seal_key: SecretString,
    /// Shared by the processes of a split deployment: authenticates internal calls between them
    /// (the revocation feed). Empty outside production = a fixed development key; in production
    /// empty closes those endpoints, and a service that needs them refuses to start.
    pub internal_key: SecretString,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceEndpoint {
    pub url: String,
}

impl NotificationSettings {
    /// The SMS quiet window (start, end) in local time; `None` when both ends are empty.
    pub fn sms_quiet_hours(
        &self,
    ) -> Result<Option<(chrono::NaiveTime, chrono::NaiveTime)>, ConfigError> {
        let time = |key: &str, value: &str| {
            chrono::NaiveTime::parse_from_str(value.trim(), "%H:%M").map_err(|_| {
                ConfigError::new(
                    key,
                    format!("`{value}` is not a time like 21:00 (leave both ends empty for none)"),
                )
            })
        };
        match (self.sms_quiet_start.trim(), self.sms_quiet_end.trim()) {
            ("", "") => Ok(None),
            (start, end) => {
                let start = time("notification.sms_quiet_start", start)?;
                let end = time("notification.sms_quiet_end", end)?;
                if start == end {
                    return Err(ConfigError::new(
                        "notification.sms_quiet_end",
                        "equals sms_quiet_start; leave both empty for no quiet hours",
                    ));
                }
                Ok(Some((start, end)))
            }
        }
    }

    /// [`Self::default_time_zone`] as a zone of the tz database.
    pub fn default_tz(&self) -> Result<chrono_tz::Tz, ConfigError> {
        self.default_time_zone.trim().parse().map_err(|_| {
            ConfigError::new(
                "notification.default_time_zone",
                format!(
                    "`{}` is not an IANA time zone like Asia/Ho_Chi_Minh",
                    self.default_time_zone
                ),
            )
        })
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.sms_quiet_hours()?;
        self.default_tz()?;
        if !self.smtp_host.trim().is_empty() && self.smtp_port == 0 {
            return Err(ConfigError::new("notification.smtp_port", "must be set"));
        }
        check_url(
            "notification.sms_base_url",
            &SecretString::from(self.sms_base_url.clone()),
            &["http", "https"],
        )?;
        if !self.email_from.contains('@') {
            return Err(ConfigError::new(
                "notification.email_from",
                "must be an address like `EVDMS <no-reply@example.com>`",
            ));
        }
        if self.max_attempts == 0 {
            return Err(ConfigError::new(
                "notification.max_attempts",
                "must be at least 1",
            ));
        }
        for (key, value) in [
            (
                "notification.reminder_sweep_interval_ms",
                self.reminder_sweep_interval_ms,
            ),
            (
                "notification.dispatch_batch_size",
                u64::from(self.dispatch_batch_size),
            ),
            (
                "notification.stream_heartbeat_secs",
                self.stream_heartbeat_secs,
            ),
            (
                "notification.stream_max_per_user",
                u64::from(self.stream_max_per_user),
            ),
            (
                "notification.stream_ticket_ttl_secs",
                self.stream_ticket_ttl_secs,
            ),
        ] {
            if value == 0 {
                return Err(ConfigError::new(key, "must be at least 1"));
            }
        }
        Ok(())
    }
}

/// Which SQL backend the settings select.
#[derive(Debug, Clone)]
pub enum DatabaseKind {
    /// SQLite: the main file; module schemas are sibling files ATTACHed under their names.
    Sqlite {
        main_file: PathBuf,
    },
    Postgres {
        url: SecretString,
    },
}

impl fmt::Display for DatabaseKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite { main_file } => write!(f, "sqlite ({})", main_file.display()),
            Self::Postgres { .. } => write!(f, "postgres"),
        }
    }
}

impl Settings {
    /// Loads settings for the environment named by `EVDMS_ENV` (default development), from the
    /// directory `EVDMS_CONFIG_DIR` (default `./config`).
    pub fn load() -> Result<Self, ConfigError> {
        Self::load_in(None)
    }

    /// Like [`Self::load`], with the configuration directory given (`--config-dir`) instead of
    /// `EVDMS_CONFIG_DIR`.
    pub fn load_in(dir: Option<&std::path::Path>) -> Result<Self, ConfigError> {
        let env = match std::env::var("EVDMS_ENV") {
            Ok(value) if !value.trim().is_empty() => value.parse()?,
            _ => Environment::Development,
        };
        let dir = match dir {
            Some(dir) => dir.to_owned(),
            None => std::env::var("EVDMS_CONFIG_DIR")
                .ok()
                .filter(|d| !d.trim().is_empty())
                .map_or_else(|| PathBuf::from("config"), PathBuf::from),
        };
        Self::load_from(env, &dir, std::env::vars())
    }

    /// The overlay compiled in for `env` (production has none).
    fn embedded_overlay(env: Environment) -> Option<&'static str> {
        match env {
            Environment::Development => Some(DEVELOPMENT_TOML),
            Environment::Test => Some(TEST_TOML),
            Environment::Production => None,
        }
    }

    /// Logs where the settings came from (call once logging is set up): one info line, and a
    /// warning when a test or production run found no file of its own.
    pub fn log_sources(&self) {
        let sources = &self.sources;
        tracing::info!(
            environment = self.env.as_str(),
            config_dir = %sources.dir.display(),
            "configuration: {} environment from {}",
            self.env.as_str(),
            sources.describe()
        );
        self.warn_missing_overlay();
    }

    /// A warning when the environment's file was not found, unless it is development (whose
    /// embedded overlay is the normal case outside the repository).
    pub fn warn_missing_overlay(&self) {
        if let (Some(missing), false) =
            (&self.sources.missing, self.env == Environment::Development)
        {
            tracing::warn!(
                environment = self.env.as_str(),
                "configuration: `{}` not found; using the overlay built into the binary \
                 (set EVDMS_CONFIG_DIR or --config-dir to the directory holding it)",
                missing.display()
            );
        }
    }

    /// Production runs only from its configuration directory: the embedded defaults are the
    /// development ones, so starting without `production.toml` would silently use them.
    fn check_config_dir(env: Environment, dir: &std::path::Path) -> Result<(), ConfigError> {
        if env != Environment::Production {
            return Ok(());
        }
        let file = dir.join("production.toml");
        if !file.is_file() {
            return Err(ConfigError::new(
                "EVDMS_CONFIG_DIR",
                format!(
                    "production needs its configuration directory, but `{}` does not exist \
                     (start from the directory holding config/ or set EVDMS_CONFIG_DIR)",
                    file.display()
                ),
            ));
        }
        Ok(())
    }

    /// Loads settings from the embedded defaults, the files in `dir` and the given variables.
    pub fn load_from(
        env: Environment,
        dir: &std::path::Path,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        Self::check_config_dir(env, dir)?;
        let vars: config::Map<String, String> = vars
            .into_iter()
            .filter(|(k, _)| k.starts_with("EVDMS__"))
            .collect();
        let mut sources = ConfigSources {
            dir: dir.to_owned(),
            files: vec!["embedded default.toml".to_owned()],
            missing: None,
            variables: vars.keys().cloned().collect(),
        };
        sources.variables.sort();
        let mut builder = config::Config::builder().add_source(config::File::from_str(
            DEFAULT_TOML,
            config::FileFormat::Toml,
        ));
        let default_file = dir.join("default.toml");
        if default_file.is_file() {
            sources.files.push(default_file.display().to_string());
            builder = builder.add_source(config::File::from(default_file));
        }
        let env_file = dir.join(env.as_str()).with_extension("toml");
        if env_file.is_file() {
            sources.files.push(env_file.display().to_string());
            builder = builder.add_source(config::File::from(env_file));
        } else {
            if let Some(embedded) = Self::embedded_overlay(env) {
                sources
                    .files
                    .push(format!("embedded {}.toml", env.as_str()));
                builder =
                    builder.add_source(config::File::from_str(embedded, config::FileFormat::Toml));
            }
            sources.missing = Some(env_file);
        }
        let builder = builder.add_source(
            config::Environment::with_prefix("EVDMS")
                .prefix_separator("__")
                .separator("__")
                .list_separator(",")
                .with_list_parse_key("server.cors_origins")
                .with_list_parse_key("auth.verification_key_files")
                .with_list_parse_key("modules.enabled")
                .try_parsing(true)
                .source(Some(vars)),
        );
        let raw = builder.build().map_err(config_error)?;
        let mut settings: Settings = raw.try_deserialize().map_err(config_error)?;
        settings.env = env;
        settings.sources = sources;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks what serde cannot: URLs, combinations, production secrets.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.database_kind()?;
        if self.database.max_connections == 0 {
            return Err(ConfigError::new(
                "database.max_connections",
                "must be at least 1",
            ));
        }
        if self.database.min_connections > self.database.max_connections {
            return Err(ConfigError::new(
                "database.min_connections",
                "exceeds database.max_connections",
            ));
        }
        check_url("bus.amqp_url", &self.bus.amqp_url, &["amqp", "amqps"])?;
        if self.bus.transport == TransportKind::Rabbitmq
            && self.bus.amqp_url.expose_secret().is_empty()
        {
            return Err(ConfigError::new(
                "bus.amqp_url",
                "required when bus.transport = \"rabbitmq\"",
            ));
        }
        if self.bus.max_attempts == 0 {
            return Err(ConfigError::new("bus.max_attempts", "must be at least 1"));
        }
        if self.bus.relay_batch_size == 0 {
            return Err(ConfigError::new(
                "bus.relay_batch_size",
                "must be at least 1",
            ));
        }
        check_url(
            "cache.redis_url",
            &self.cache.redis_url,
            &["redis", "rediss"],
        )?;
        check_url(
            "analytics.mongo_url",
            &self.analytics.mongo_url,
            &["mongodb", "mongodb+srv"],
        )?;
        for (name, service) in &self.services {
            let key = format!("services.{name}.url");
            if !contracts::modules::ALL.contains(&name.as_str()) {
                return Err(ConfigError::new(key, format!("`{name}` is not a module")));
            }
            check_url(
                &key,
                &SecretString::from(service.url.clone()),
                &["http", "https"],
            )?;
        }
        for origin in &self.server.cors_origins {
            if origin == "*" {
                return Err(ConfigError::new(
                    "server.cors_origins",
                    "list origins explicitly; `*` is not allowed",
                ));
            }
            check_url(
                "server.cors_origins",
                &SecretString::from(origin.clone()),
                &["http", "https"],
            )?;
        }
        self.notification.validate()?;
        if self.auth.access_token_ttl_secs == 0 {
            return Err(ConfigError::new(
                "auth.access_token_ttl_secs",
                "must be positive",
            ));
        }
        if self.auth.refresh_reuse_grace_secs > 300 {
            return Err(ConfigError::new(
                "auth.refresh_reuse_grace_secs",
                "must be at most 300 (a grace for concurrent clients, not a second lifetime)",
            ));
        }
        if self.auth.login_delay_base_secs == 0
            || self.auth.login_delay_max_secs < self.auth.login_delay_base_secs
        {
            return Err(ConfigError::new(
                "auth.login_delay_base_secs",
                "must be positive and at most auth.login_delay_max_secs",
            ));
        }
        if self.env == Environment::Production {
            if self.auth.signing_key_file.trim().is_empty() {
                return Err(ConfigError::new(
                    "auth.signing_key_file",
                    "production needs an Ed25519 signing key (PEM); development keys are refused",
                ));
            }
            if self.seed.on_start {
                return Err(ConfigError::new(
                    "seed.on_start",
                    "demo data is never seeded in production",
                ));
            }
            if let Some(origin) = self
                .server
                .cors_origins
                .iter()
                .find(|o| DEVELOPMENT_CORS_ORIGINS.contains(&o.trim_end_matches('/')))
            {
                return Err(ConfigError::new(
                    "server.cors_origins",
                    format!(
                        "`{origin}` is a development origin; production lists the web front end's own origins"
                    ),
                ));
            }
            if self.seed.dev_password.expose_secret() == DEVELOPMENT_PASSWORD {
                return Err(ConfigError::new(
                    "seed.dev_password",
                    "is the published development password; production sets it empty",
                ));
            }
        }
        crate::secrets::validate(self)?;
        crate::internal::validate(self)?;
        Ok(())
    }

    /// The SQL backend selected by `database.url`.
    pub fn database_kind(&self) -> Result<DatabaseKind, ConfigError> {
        let url = self.database.url.expose_secret().trim();
        if url.is_empty() {
            return Ok(DatabaseKind::Sqlite {
                main_file: self.data.dir.join("evdms.db"),
            });
        }
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = path.split('?').next().unwrap_or_default();
            if path.is_empty() || path.starts_with(":memory:") {
                return Err(ConfigError::new(
                    "database.url",
                    "SQLite needs a file path (module schemas are files beside it)",
                ));
            }
            return Ok(DatabaseKind::Sqlite {
                main_file: PathBuf::from(path),
            });
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            url::Url::parse(url)
                .map_err(|e| ConfigError::new("database.url", format!("malformed URL: {e}")))?;
            return Ok(DatabaseKind::Postgres {
                url: SecretString::from(url.to_owned()),
            });
        }
        let scheme = url.split(':').next().unwrap_or_default();
        Err(ConfigError::new(
            "database.url",
            format!("unknown database backend `{scheme}` (expected sqlite:// or postgres://)"),
        ))
    }

    /// The address to bind.
    pub fn listen_address(&self) -> String {
        format!("{}:{}", self.server.host, self.server.port)
    }
}

fn check_url(key: &str, value: &SecretString, schemes: &[&str]) -> Result<(), ConfigError> {
    let value = value.expose_secret().trim();
    if value.is_empty() {
        return Ok(());
    }
    let url =
        url::Url::parse(value).map_err(|e| ConfigError::new(key, format!("malformed URL: {e}")))?;
    if !schemes.contains(&url.scheme()) {
        return Err(ConfigError::new(
            key,
            format!(
                "unsupported scheme `{}` (expected {})",
                url.scheme(),
                schemes.join(" or ")
            ),
        ));
    }
    Ok(())
}

fn config_error(error: config::ConfigError) -> ConfigError {
    // The config crate names the key in its message ("... for key `server.port`").
    let message = error.to_string();
    let key = message
        .split("for key `")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .unwrap_or("config")
        .to_owned();
    ConfigError::new(key, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        load_env(Environment::Development, vars)
    }

    fn load_env(env: Environment, vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let vars = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned()));
        Settings::load_from(env, std::path::Path::new("/nonexistent"), vars)
    }

    #[test]
    fn defaults_need_no_services() {
        let settings = load(&[]).unwrap();
        assert_eq!(settings.server.port, 8080);
        assert!(matches!(
            settings.database_kind().unwrap(),
            DatabaseKind::Sqlite { .. }
        ));
        assert_eq!(settings.bus.transport, TransportKind::Auto);
        assert!(settings.cache.redis_url.expose_secret().is_empty());
    }

    #[test]
    fn environment_variables_override_files() {
        let settings = load(&[
            ("EVDMS__SERVER__PORT", "9999"),
            ("EVDMS__DATABASE__URL", "postgres://u@localhost/db"),
            (
                "EVDMS__SERVER__CORS_ORIGINS",
                "http://a.test,https://b.test",
            ),
            ("EVDMS__SERVICES__AUTH__URL", "http://auth:8080"),
        ])
        .unwrap();
        assert_eq!(settings.server.port, 9999);
        assert!(matches!(
            settings.database_kind().unwrap(),
            DatabaseKind::Postgres { .. }
        ));
        assert_eq!(
            settings.server.cors_origins,
            ["http://a.test", "https://b.test"]
        );
        assert_eq!(settings.services["auth"].url, "http://auth:8080");
    }

    #[test]
    fn mistakes_name_their_key() {
        let cases = [
            (("EVDMS__DATABASE__URL", "mysql://x"), "database.url"),
            (("EVDMS__DATABASE__URL", "postgres://[::1"), "database.url"),
            (("EVDMS__BUS__AMQP_URL", "not a url"), "bus.amqp_url"),
            (("EVDMS__BUS__TRANSPORT", "carrier-pigeon"), "bus.transport"),
            (("EVDMS__SERVER__PORT", "eighty"), "server.port"),
            (("EVDMS__CACHE__REDIS_URL", "http://x"), "cache.redis_url"),
            (
                ("EVDMS__SERVICES__BILLING__URL", "http://x"),
                "services.billing.url",
            ),
            (
                ("EVDMS__NOTIFICATION__SMS_QUIET_START", "9pm"),
                "notification.sms_quiet_start",
            ),
            (
                ("EVDMS__NOTIFICATION__SMS_QUIET_END", "21:00"),
                "notification.sms_quiet_end",
            ),
            (
                ("EVDMS__NOTIFICATION__DEFAULT_TIME_ZONE", "Saigon"),
                "notification.default_time_zone",
            ),
        ];
        for ((key, value), expected) in cases {
            let error = load(&[(key, value)]).unwrap_err();
            assert_eq!(error.key, expected, "{key}={value}: {error}");
        }
    }

    #[test]
    fn sms_quiet_hours_are_two_times_or_none() {
        let settings = load(&[]).unwrap();
        let (start, end) = settings.notification.sms_quiet_hours().unwrap().unwrap();
        assert_eq!(
            (start.to_string(), end.to_string()),
            ("21:00:00".into(), "08:00:00".into())
        );
        assert_eq!(
            settings.notification.default_tz().unwrap(),
            chrono_tz::Asia::Ho_Chi_Minh
        );
        let off = load(&[
            ("EVDMS__NOTIFICATION__SMS_QUIET_START", ""),
            ("EVDMS__NOTIFICATION__SMS_QUIET_END", ""),
        ])
        .unwrap();
        assert_eq!(off.notification.sms_quiet_hours().unwrap(), None);
        let half = load(&[("EVDMS__NOTIFICATION__SMS_QUIET_END", "")]).unwrap_err();
        assert_eq!(half.key, "notification.sms_quiet_end");
    }

    #[test]
    fn rabbitmq_transport_needs_a_url() {
        let error = load(&[("EVDMS__BUS__TRANSPORT", "rabbitmq")]).unwrap_err();
        assert_eq!(error.key, "bus.amqp_url");
    }

    /// The repository's own configuration directory.
    fn repo_config() -> PathBuf {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../config"))
    }

    const PRODUCTION_SECRETS: [(&str, &str); 2] = [
        ("EVDMS__AUTH__SIGNING_KEY_FILE", "/run/key.pem"),
        (
            "EVDMS__SECRETS__NOTIFICATION_SEAL_KEY",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        ),
    ];

    fn load_production(extra: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let vars = PRODUCTION_SECRETS
            .iter()
            .chain(extra)
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()));
        Settings::load_from(Environment::Production, &repo_config(), vars)
    }

    #[test]
    fn production_refuses_to_start_without_a_signing_key() {
        let vars: [(String, String); 0] = [];
        let error = Settings::load_from(Environment::Production, &repo_config(), vars).unwrap_err();
        assert_eq!(error.key, "auth.signing_key_file");
        let ok = load_production(&[]).unwrap();
        // Production closes the operations documents and /ready's details by default.
        assert!(!ok.ops.expose_docs && !ok.ops.expose_metrics && !ok.ops.ready_details);
        assert!(ok.seed.dev_password.expose_secret().is_empty());
    }

    #[test]
    fn production_refuses_to_start_without_its_config_directory() {
        let error = load_env(
            Environment::Production,
            &PRODUCTION_SECRETS.map(|(k, v)| (k, v)),
        )
        .unwrap_err();
        assert_eq!(error.key, "EVDMS_CONFIG_DIR");
        assert!(error.message.contains("production.toml"), "{error}");
        // Other environments run on the embedded defaults anywhere.
        assert!(load(&[]).is_ok());
    }

    #[test]
    fn production_refuses_the_development_cors_origins_and_password() {
        for origin in DEVELOPMENT_CORS_ORIGINS {
            let error = load_production(&[("EVDMS__SERVER__CORS_ORIGINS", origin)]).unwrap_err();
            assert_eq!(error.key, "server.cors_origins", "{origin}");
        }
        let mixed = "https://app.example.com,http://localhost:5173/";
        let error = load_production(&[("EVDMS__SERVER__CORS_ORIGINS", mixed)]).unwrap_err();
        assert_eq!(error.key, "server.cors_origins");
        assert!(
            load_production(&[("EVDMS__SERVER__CORS_ORIGINS", "https://app.example.com")]).is_ok()
        );

        let error =
            load_production(&[("EVDMS__SEED__DEV_PASSWORD", DEVELOPMENT_PASSWORD)]).unwrap_err();
        assert_eq!(error.key, "seed.dev_password");
        assert!(!error.to_string().contains(DEVELOPMENT_PASSWORD));
    }

    #[test]
    fn the_development_constants_match_the_defaults() {
        let settings = load(&[]).unwrap();
        assert_eq!(settings.server.cors_origins, DEVELOPMENT_CORS_ORIGINS);
        assert_eq!(
            settings.seed.dev_password.expose_secret(),
            DEVELOPMENT_PASSWORD
        );
        assert!(settings.ops.expose_docs && settings.ops.expose_metrics);
        assert_eq!(settings.server.hsts_max_age_secs, 0);
    }

    #[test]
    fn the_overlays_are_embedded_and_the_sources_say_which_were_read() {
        // Outside the repository: the embedded files, development's seeding included.
        let outside = load(&[("EVDMS__SERVER__PORT", "9000")]).unwrap();
        assert!(outside.seed.on_start, "the development overlay applies");
        assert_eq!(
            outside.sources.files,
            ["embedded default.toml", "embedded development.toml"]
        );
        assert_eq!(
            outside.sources.missing,
            Some(PathBuf::from("/nonexistent/development.toml"))
        );
        assert_eq!(outside.sources.variables, ["EVDMS__SERVER__PORT"]);
        let test = load_env(Environment::Test, &[]).unwrap();
        assert_eq!(test.server.port, 0, "the test overlay applies");
        assert_eq!(
            test.sources.files,
            ["embedded default.toml", "embedded test.toml"]
        );

        // In the repository: its files, nothing missing.
        let vars: [(String, String); 0] = [];
        let inside = Settings::load_from(Environment::Development, &repo_config(), vars).unwrap();
        assert_eq!(inside.sources.files.len(), 3, "{:?}", inside.sources.files);
        assert!(inside.sources.files[1].ends_with("default.toml"));
        assert!(inside.sources.files[2].ends_with("development.toml"));
        assert_eq!(inside.sources.missing, None);
        assert!(inside.sources.describe().contains("development.toml"));
    }
}
