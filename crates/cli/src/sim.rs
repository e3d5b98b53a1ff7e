//! `termdee sim`: runs every provider simulator on 127.0.0.1 until stopped.
//!
//! Prints ONE JSON line on stdout, `{"wepay":{"base_url":...,"api_url":...,"username":...,
//! "password":...},"easysoft":{...},"tmweasy":{...},"deposit_qr":{...},"bluepay":{...}}`, then
//! serves until Ctrl-C or SIGTERM. Each simulator also answers its `/_sim/...` control API (see
//! the `termdee_sim` crate documentation).
//!
//! The payment simulators also print what a person needs to finish a demo sale by hand: the
//! demo credentials (Tmweasy `username`/`password`/`con_id`; Deposit-QR `bearer_token`,
//! `api_key`, `secret_key`; BluePay `app_id`, `merchant_private_key_pem` for the client and
//! `provider_public_key_pem` to verify notifications) and `pay_url`, the control that plays the
//! customer: `POST <pay_url>` with `{"id":"<id_pay | order_id | mchOrderId>"}`.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use clap::Args;

/// Arguments of `termdee sim`.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Fixed port for one simulator, e.g. `--port wepay=8001` (repeatable; default: a free
    /// port for each). Names: wepay, easysoft, tmweasy, deposit_qr, bluepay.
    #[arg(long = "port", value_name = "NAME=PORT", value_parser = parse_port)]
    ports: Vec<(String, u16)>,
}

fn parse_port(text: &str) -> Result<(String, u16), String> {
    let (name, port) = text
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=PORT, got {text:?}"))?;
    if !termdee_sim::LINEUP.contains(&name) {
        return Err(format!(
            "unknown simulator {name:?} (known: {})",
            termdee_sim::LINEUP.join(", ")
        ));
    }
    let port = port
        .parse()
        .map_err(|_| format!("{port:?} is not a port number"))?;
    Ok((name.to_owned(), port))
}

/// Runs the simulators until Ctrl-C or SIGTERM.
pub fn run(args: SimArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("termdee sim: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(serve(args))
}

async fn serve(args: SimArgs) -> ExitCode {
    let ports: BTreeMap<String, u16> = args.ports.into_iter().collect();
    let sims = match termdee_sim::start_lineup(&ports).await {
        Ok(sims) => sims,
        Err(error) => {
            eprintln!("termdee sim: cannot start the simulators: {error}");
            return ExitCode::FAILURE;
        }
    };
    let line = termdee_sim::describe_lineup(&sims).to_string();
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    drop(stdout);
    stopped().await;
    drop(sims);
    ExitCode::SUCCESS
}

/// Resolves on Ctrl-C, or on SIGTERM where there is one.
async fn stopped() {
    #[cfg(unix)]
    {
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
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
