//! Command line: `evdms serve | migrate up|down|status | seed | routes | openapi | config check`.

use crate::{modules, routes, startup::Application};
use clap::{Parser, Subcommand};
use kernel::{config::Settings, migrate};
use std::{
    io::{self, Write},
    path::PathBuf,
    process::ExitCode,
};

#[derive(Parser)]
#[command(
    name = "evdms",
    version,
    about = "Electric Vehicle Dealer Management System backend"
)]
struct Cli {
    /// Directory of `default.toml` and `{EVDMS_ENV}.toml` (default: `EVDMS_CONFIG_DIR`, else
    /// `./config`). Without them the overlays built into the binary apply (not in production).
    #[arg(long, global = true, value_name = "DIR")]
    config_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply, revert or list the migrations of each module schema.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Write the demo data (never in production).
    Seed,
    /// Print the routing table and where each prefix is served.
    Routes,
    /// Print the OpenAPI document.
    Openapi,
    /// Configuration tools.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
}

#[derive(Subcommand)]
enum MigrateAction {
    /// Apply pending migrations.
    Up {
        #[arg(long)]
        module: Option<String>,
        #[arg(long)]
        steps: Option<u32>,
    },
    /// Revert applied migrations (one per schema unless --steps).
    Down {
        #[arg(long)]
        module: Option<String>,
        #[arg(long)]
        steps: Option<u32>,
    },
    /// List every migration and whether it is applied.
    Status {
        #[arg(long)]
        module: Option<String>,
    },
}

#[derive(Subcommand)]
enum ConfigAction {
    /// Load and validate the configuration; print a summary.
    Check,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load_in(cli.config_dir.as_deref()) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    kernel::telemetry::init(&settings.log);
    let command = cli.command.unwrap_or(Command::Serve);
    if matches!(
        command,
        Command::Serve | Command::Seed | Command::Migrate { .. }
    ) {
        settings.log_sources();
    } else {
        settings.warn_missing_overlay();
    }
    let serving = matches!(command, Command::Serve);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: starting the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    // actix-web's server needs a LocalSet-aware system; `actix_web::rt::System` provides it.
    let result = actix_web::rt::System::with_tokio_rt(|| runtime).block_on(run(command, settings));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of our output went away (`evdms routes | head -1`): nothing more to say.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) if serving => {
            tracing::error!(
                error = format!("{error:#}"),
                "the server stopped on an error"
            );
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Writes a command's result to stdout, reporting a closed pipe as an error instead of
/// panicking like `println!` (see [`is_broken_pipe`]).
macro_rules! out {
    ($($arg:tt)*) => {
        writeln!(io::stdout().lock(), $($arg)*)?
    };
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve => {
            let app = Application::build(settings).await?;
            let port = app.port();
            tracing::info!(port, "EVDMS listening on port {port}");
            app.run_until_stopped().await
        }
        Command::Migrate { action } => migrate_command(settings, action).await,
        Command::Seed => {
            crate::startup::seed_all(settings).await?;
            out!("seeded");
            Ok(())
        }
        Command::Routes => print_routes(&settings),
        Command::Openapi => {
            let docs: Vec<_> = modules::hosted(&settings)
                .iter()
                .map(|m| m.module.openapi())
                .collect();
            out!("{}", crate::openapi::document(&docs).to_pretty_json()?);
            Ok(())
        }
        Command::Config {
            action: ConfigAction::Check,
        } => {
            out!("configuration OK (environment {})", settings.env.as_str());
            out!("  read       {}", settings.sources.describe());
            if let Some(missing) = &settings.sources.missing {
                out!("  not found  {}", missing.display());
            }
            out!("  listen     {}", settings.listen_address());
            out!("  database   {}", settings.database_kind()?);
            out!("  bus        {:?}", settings.bus.transport);
            out!(
                "  seed       {}",
                if settings.seed.on_start {
                    "demo data on start"
                } else {
                    "none on start"
                }
            );
            out!(
                "  modules    {}",
                modules::hosted(&settings)
                    .iter()
                    .map(|m| m.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            Ok(())
        }
    }
}

fn selected(
    settings: &Settings,
    module: Option<&str>,
) -> anyhow::Result<Vec<modules::EnabledModule>> {
    let all = modules::hosted(settings);
    match module {
        None => Ok(all),
        Some(name) => {
            let chosen: Vec<_> = all.into_iter().filter(|m| m.name() == name).collect();
            anyhow::ensure!(!chosen.is_empty(), "module `{name}` is not in this build");
            Ok(chosen)
        }
    }
}

async fn migrate_command(settings: Settings, action: MigrateAction) -> anyhow::Result<()> {
    let module = match &action {
        MigrateAction::Up { module, .. }
        | MigrateAction::Down { module, .. }
        | MigrateAction::Status { module } => module.clone(),
    };
    let chosen = selected(&settings, module.as_deref())?;
    let schemas: Vec<&str> = modules::hosted(&settings)
        .iter()
        .map(|m| m.name())
        .collect();
    let db = kernel::db::connect(&settings.database_kind()?, &settings.database, &schemas).await?;
    for m in &chosen {
        match &action {
            MigrateAction::Up { steps, .. } => {
                let applied = migrate::up(&db, &m.migrations, *steps).await?;
                out!("{}: applied {} migration(s)", m.name(), applied.len());
                for name in applied {
                    out!("  + {name}");
                }
            }
            MigrateAction::Down { steps, .. } => {
                let reverted = migrate::down(&db, &m.migrations, *steps).await?;
                out!("{}: reverted {} migration(s)", m.name(), reverted.len());
                for name in reverted {
                    out!("  - {name}");
                }
            }
            MigrateAction::Status { .. } => {
                out!(
                    "{} (history in \"{}\".\"seaql_migrations\")",
                    m.name(),
                    m.name()
                );
                for status in migrate::status(&db, &m.migrations).await? {
                    let state = match status
                        .applied_at
                        .and_then(chrono::DateTime::from_timestamp_millis)
                    {
                        Some(at) => format!("applied {}", at.format("%Y-%m-%d %H:%M:%S UTC")),
                        None => "pending".to_owned(),
                    };
                    out!("  {:<48} {state}", status.name);
                }
            }
        }
    }
    Ok(())
}

fn print_routes(settings: &Settings) -> anyhow::Result<()> {
    let enabled = modules::hosted(settings);
    let local: Vec<&str> = enabled.iter().map(|m| m.name()).collect();
    out!("{:<28} {:<14} served", "prefix", "module");
    for route in routes::TABLE {
        let served = if local.contains(&route.module) {
            "in this process".to_owned()
        } else if let (true, Some(service)) = (
            cfg!(feature = "gateway"),
            settings.services.get(route.module),
        ) {
            format!("proxied to {}", service.url)
        } else {
            "unavailable (503)".to_owned()
        };
        out!(
            "{:<28} {:<14} {served}",
            format!("{}{}", routes::API_PREFIX, route.prefix),
            route.module
        );
    }
    Ok(())
}
