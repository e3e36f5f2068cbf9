//! Logging: pretty in development, JSON in production; `RUST_LOG` overrides `log.level`.

use crate::config::{LogFormat, LogSettings};
use tracing_subscriber::{fmt, EnvFilter};

/// Installs the global subscriber once; later calls (e.g. from tests) are ignored.
pub fn init(settings: &LogSettings) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&settings.level));
    let result = match settings.format {
        LogFormat::Json => fmt()
            .json()
            .with_env_filter(filter)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Pretty => fmt().with_env_filter(filter).compact().try_init(),
    };
    // An already-installed subscriber (tests) is fine.
    drop(result);
}
