//! `termdee hub`: the fleet hub on PostgreSQL, and the owner's chores around it.
//!
//! - `termdee hub serve [--listen 127.0.0.1:8780]`: migrates the database, then serves the sync,
//!   relay and owner endpoints (plain HTTP: put a TLS-terminating proxy in front). Prints one
//!   JSON line `{"listen":"127.0.0.1:8780"}` once listening, then logs to stderr
//!   (`TERMDEE_LOG=debug` for more) until Ctrl-C or SIGTERM.
//! - `termdee hub enroll --register kiosk-1 [--name "Kiosk 1"]`: issues (or rotates) the
//!   register's token and prints it once, as JSON, with the callback URLs to give each provider
//!   when `--public-url` is known.
//! - `termdee hub owner-token [--label phone]`: issues an owner token (printed once) for the
//!   owner's page and JSON.
//! - `termdee hub migrate`: brings the schema up to date and exits.
//!
//! Every subcommand reads the database from `--database-url` or `TERMDEE_HUB_DATABASE_URL`
//! (libpq `key=value` or `postgres://user:password@host/db`). Bad input exits 2, a database
//! failure exits 1.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand};
use termdee_domain::{Clock, SystemClock};
use termdee_hub::{Hub, Store};

/// `termdee hub …`.
#[derive(Debug, Subcommand)]
pub enum HubCommand {
    /// Serve the hub (sync, callback relay, owner page and JSON).
    Serve(ServeArgs),
    /// Issue (or rotate) a register's token; prints it once.
    Enroll(EnrollArgs),
    /// Issue an owner token for the page and the JSON; prints it once.
    OwnerToken(OwnerTokenArgs),
    /// Bring the database schema up to date.
    Migrate(DatabaseArgs),
}

/// Where the hub's PostgreSQL is.
#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// PostgreSQL connection string.
    #[arg(
        long,
        env = "TERMDEE_HUB_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    database_url: String,
}

/// Arguments of `termdee hub serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// Address to listen on (the proxy forwards here).
    #[arg(long, env = "TERMDEE_HUB_LISTEN", default_value = "127.0.0.1:8780")]
    listen: SocketAddr,
    /// Most PostgreSQL connections to hold.
    #[arg(long, env = "TERMDEE_HUB_POOL", default_value_t = 16)]
    pool: usize,
}

/// Arguments of `termdee hub enroll`.
#[derive(Debug, Args)]
pub struct EnrollArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// The register's id, as in its ledger (e.g. `kiosk-1`).
    #[arg(long, value_name = "ID")]
    register: String,
    /// The name shown to the owner (default: the id; a rotation keeps the current name).
    #[arg(long)]
    name: Option<String>,
    /// The hub's public HTTPS address, to print the providers' callback URLs.
    #[arg(long, env = "TERMDEE_HUB_PUBLIC_URL", value_name = "URL")]
    public_url: Option<url::Url>,
}

/// Arguments of `termdee hub owner-token`.
#[derive(Debug, Args)]
pub struct OwnerTokenArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// A note to tell tokens apart (e.g. whose phone).
    #[arg(long, default_value = "owner")]
    label: String,
}

/// The providers that call back (the callback URLs `enroll` prints).
const CALLBACK_PROVIDERS: [&str; 4] = ["wepay", "easysoft", "bluepay", "deposit_qr"];

/// Runs `termdee hub …` and returns the exit code.
pub fn run(command: HubCommand) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("termdee hub: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        match command {
            HubCommand::Serve(args) => serve(args).await,
            HubCommand::Enroll(args) => enroll(args).await,
            HubCommand::OwnerToken(args) => owner_token(args).await,
            HubCommand::Migrate(args) => migrate(&args).await.map(|_| ExitCode::SUCCESS),
        }
        .unwrap_or_else(|code| code)
    })
}

/// Opens and migrates the store; a failure is reported and becomes the exit code.
async fn migrate(args: &DatabaseArgs) -> Result<Store, ExitCode> {
    let store = Store::connect(&args.database_url, 4).map_err(|error| {
        eprintln!("termdee hub: bad database URL: {error}");
        ExitCode::from(2)
    })?;
    store.migrate().await.map_err(|error| {
        eprintln!("termdee hub: cannot prepare the database: {error}");
        ExitCode::FAILURE
    })?;
    Ok(store)
}

fn print_json(value: &serde_json::Value) -> Result<(), ExitCode> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{value}")
        .and_then(|()| stdout.flush())
        .map_err(|_| ExitCode::FAILURE)
}

async fn serve(args: ServeArgs) -> Result<ExitCode, ExitCode> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TERMDEE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let store = {
        let migrated = migrate(&args.database).await?;
        migrated.close();
        Store::connect(&args.database.database_url, args.pool).map_err(|error| {
            eprintln!("termdee hub: bad database URL: {error}");
            ExitCode::from(2)
        })?
    };
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|error| {
            eprintln!("termdee hub: cannot listen on {}: {error}", args.listen);
            ExitCode::FAILURE
        })?;
    let address = listener.local_addr().map_err(|_| ExitCode::FAILURE)?;
    print_json(&serde_json::json!({ "listen": address.to_string() }))?;
    tracing::info!(%address, "termdee hub serving");
    let hub = Arc::new(Hub::new(store, Arc::new(SystemClock)));
    tokio::select! {
        served = hub.serve(listener) => {
            if let Err(error) = served {
                eprintln!("termdee hub: {error}");
                return Err(ExitCode::FAILURE);
            }
        }
        _ = stopped() => {}
    }
    Ok(ExitCode::SUCCESS)
}

async fn enroll(args: EnrollArgs) -> Result<ExitCode, ExitCode> {
    let store = migrate(&args.database).await?;
    let enrolment = store
        .enroll(&args.register, args.name.as_deref(), SystemClock.now())
        .await
        .map_err(|error| {
            eprintln!("termdee hub: {error}");
            match error {
                termdee_hub::HubError::Invalid(_) => ExitCode::from(2),
                _ => ExitCode::FAILURE,
            }
        })?;
    let mut out = serde_json::json!({
        "register": enrolment.register_id,
        "token": enrolment.token,
    });
    if let Some(public) = &args.public_url {
        let mut base = public.clone();
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let mut urls = serde_json::Map::new();
        for provider in CALLBACK_PROVIDERS {
            let url = base
                .join(&termdee_hub::wire::relay_base_path(&enrolment.register_id))
                .and_then(|b| b.join(&format!("callback/{provider}/{}", enrolment.callback_token)))
                .map_err(|error| {
                    eprintln!("termdee hub: bad public URL: {error}");
                    ExitCode::from(2)
                })?;
            urls.insert(provider.to_owned(), url.to_string().into());
        }
        out["callback_urls"] = serde_json::Value::Object(urls);
    }
    print_json(&out)?;
    Ok(ExitCode::SUCCESS)
}

async fn owner_token(args: OwnerTokenArgs) -> Result<ExitCode, ExitCode> {
    let store = migrate(&args.database).await?;
    let token = store
        .issue_owner_token(&args.label, SystemClock.now())
        .await
        .map_err(|error| {
            eprintln!("termdee hub: {error}");
            ExitCode::FAILURE
        })?;
    print_json(&serde_json::json!({ "owner_token": token, "label": args.label }))?;
    Ok(ExitCode::SUCCESS)
}

/// Resolves on Ctrl-C, or on SIGTERM.
async fn stopped() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
