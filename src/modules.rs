//! The modules compiled into this binary (Cargo features) with their migrators.

use kernel::{migrate::SchemaMigrations, Module};
use std::sync::Arc;

pub struct EnabledModule {
    pub module: Arc<dyn Module>,
    pub migrations: SchemaMigrations,
}

impl EnabledModule {
    pub fn name(&self) -> &'static str {
        self.module.name()
    }
}

/// Every module this build hosts, in start-up order.
// The pushes are feature-gated, so neither `vec![]` nor an immutable binding fits every build.
#[allow(unused_mut, clippy::vec_init_then_push)]
pub fn enabled() -> Vec<EnabledModule> {
    let mut modules: Vec<EnabledModule> = Vec::new();
    #[cfg(feature = "auth")]
    modules.push(EnabledModule {
        module: auth::module(),
        migrations: migration::auth::MIGRATIONS,
    });
    #[cfg(feature = "manufacturer")]
    modules.push(EnabledModule {
        module: manufacturer::module(),
        migrations: migration::manufacturer::MIGRATIONS,
    });
    #[cfg(feature = "dealer")]
    modules.push(EnabledModule {
        module: dealer::module(),
        migrations: migration::dealer::MIGRATIONS,
    });
    #[cfg(feature = "customer")]
    modules.push(EnabledModule {
        module: customer::module(),
        migrations: migration::customer::MIGRATIONS,
    });
    #[cfg(feature = "report")]
    modules.push(EnabledModule {
        module: report::module(),
        migrations: migration::report::MIGRATIONS,
    });
    #[cfg(feature = "notification")]
    modules.push(EnabledModule {
        module: notification::module(),
        migrations: migration::notification::MIGRATIONS,
    });
    modules
}

/// The compiled-in modules that `modules.enabled` selects (all when empty).
pub fn hosted(settings: &kernel::config::Settings) -> Vec<EnabledModule> {
    let wanted = &settings.modules.enabled;
    enabled()
        .into_iter()
        .filter(|m| wanted.is_empty() || wanted.iter().any(|w| w == m.name()))
        .collect()
}
