//! `termdee crash-worker` (hidden): the engine as a child process for the SIGKILL crash tests.
//!
//! It runs a fixed script of three sales (cash through wePAY, the shop's QR through Easysoft, a
//! Tmweasy QR through wePAY) against simulators the parent started, on one thread. With
//! `--pause-at NAME#K` it stops dead at the K-th hit of that crash point, prints `CRASH-POINT <name>`, and waits
//! for the parent's SIGKILL. Started again on the same ledger, it resumes every open sale, starts
//! only the script's sales the ledger does not have yet, drives everything to rest, and prints
//! `DONE`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use termdee_app::engine::{CrashHook, NoCrash, PauseForKill, SaleRequest};
use termdee_domain::{Actor, ActorKind, Network, PaymentMethod, SaleState, Satang};
use termdee_scenarios::{open_ledger, Endpoints};

/// Arguments of `termdee crash-worker`.
#[derive(Debug, Args)]
pub struct CrashWorkerArgs {
    /// The simulators' endpoints, as JSON (`termdee_scenarios::Endpoints`).
    #[arg(long)]
    endpoints: String,
    /// The ledger file.
    #[arg(long)]
    db: PathBuf,
    /// Pause for SIGKILL at this crash point (`NAME` or `NAME#K` for its K-th hit).
    #[arg(long)]
    pause_at: Option<String>,
}

/// The script: operator, network, phone, baht, method.
pub const SCRIPT: [(&str, Network, &str, i64, PaymentMethod); 3] = [
    (
        "cashier-a",
        Network::Ais,
        "0911110001",
        20,
        PaymentMethod::Cash,
    ),
    (
        "kiosk-1",
        Network::Penguin,
        "0911110002",
        50,
        PaymentMethod::PromptPayLocal,
    ),
    (
        "cashier-b",
        Network::TrueMove,
        "0911110003",
        10,
        PaymentMethod::Tmweasy,
    ),
];

/// Runs the worker.
pub fn run(args: CrashWorkerArgs) -> ExitCode {
    let endpoints: Endpoints = match serde_json::from_str(&args.endpoints) {
        Ok(endpoints) => endpoints,
        Err(error) => {
            eprintln!("termdee crash-worker: --endpoints: {error}");
            return ExitCode::from(2);
        }
    };
    // One thread: a pause at a crash point stops the whole engine, as a kill would.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("termdee crash-worker: {error}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(work(&endpoints, &args)) {
        Ok(()) => {
            println!("DONE");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("termdee crash-worker: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn work(endpoints: &Endpoints, args: &CrashWorkerArgs) -> Result<(), String> {
    let crash: Arc<dyn CrashHook> = match &args.pause_at {
        Some(spec) => {
            let (point, occurrence) = match spec.split_once('#') {
                Some((point, k)) => (
                    point,
                    k.parse().map_err(|_| format!("bad --pause-at {spec}"))?,
                ),
                None => (spec.as_str(), 1),
            };
            Arc::new(PauseForKill::new(point, occurrence))
        }
        None => Arc::new(NoCrash),
    };
    let ledger = open_ledger(&args.db).map_err(|e| e.to_string())?;
    let running = endpoints
        .engine(ledger.clone(), crash)
        .await
        .map_err(|e| e.to_string())?;
    let engine = running.engine.clone();
    engine.resume().await.map_err(|e| e.to_string())?;
    for (operator, network, phone, baht, method) in SCRIPT {
        let existing = ledger
            .all_sales()
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|s| s.phone.as_str() == phone);
        let actor = Actor::new(
            if operator.starts_with("kiosk") {
                ActorKind::Kiosk
            } else {
                ActorKind::Cashier
            },
            operator,
        );
        let sale = match existing {
            Some(sale) => sale,
            None => engine
                .start_sale(
                    &SaleRequest {
                        operator_id: operator.to_owned(),
                        network,
                        phone: phone.to_owned(),
                        amount: Satang::new(baht * 100),
                        method,
                    },
                    &actor,
                )
                .await
                .map_err(|e| e.to_string())?,
        };
        if sale.state == SaleState::AwaitingPayment && method.needs_cashier() {
            engine
                .confirm_payment(&sale.id, &actor)
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while !ledger.open_sales().map_err(|e| e.to_string())?.is_empty() {
        if Instant::now() > deadline {
            return Err("sales still open after 20 s".to_owned());
        }
        engine.tick().await.map_err(|e| e.to_string())?;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    drop(running);
    Ok(())
}
