//! `termdee sales`: the sales of a ledger file, one JSON line each, for support and audits.
//!
//! `termdee sales --db PATH [--day YYYY-MM-DD] [--events]` prints, oldest first, each sale's id,
//! state, who sold it where, how it was paid, the money columns (satang), its payment and
//! top-up attempts, and with `--events` every event of its append-only log (who did what,
//! when). Phone numbers are masked (`081-xxx-5678`): this output goes into support tickets.
//! The ledger must exist; a missing file or a bad day is exit 2, an unreadable ledger exit 1.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;
use termdee_domain::BusinessDay;
use termdee_ledger::{Ledger, Sale};

/// Arguments of `termdee sales`.
#[derive(Debug, Args)]
pub struct SalesArgs {
    /// The ledger file (it must exist).
    #[arg(long, value_name = "PATH")]
    db: PathBuf,
    /// Only the sales of this Bangkok business day.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    day: Option<BusinessDay>,
    /// Include each sale's events (who did what, when).
    #[arg(long)]
    events: bool,
}

fn parse_day(text: &str) -> Result<BusinessDay, String> {
    BusinessDay::parse(text).map_err(|e| e.to_string())
}

fn line(ledger: &Ledger, sale: &Sale, events: bool) -> Result<serde_json::Value, String> {
    let payments = ledger.payments_of(&sale.id).map_err(|e| e.to_string())?;
    let topups = ledger.topups_of(&sale.id).map_err(|e| e.to_string())?;
    let mut value = json!({
        "id": sale.id,
        "state": sale.state,
        "day": sale.day.to_string(),
        "created_at": sale.created_at,
        "register_id": sale.register_id,
        "operator_id": sale.operator_id,
        "shift_id": sale.shift_id,
        "network": sale.network,
        "phone": sale.phone.masked(),
        "method": sale.method,
        "amount": sale.amount.as_satang(),
        "received": sale.received.as_satang(),
        "delivered": sale.delivered.as_satang(),
        "refunded": sale.refunded.as_satang(),
        "attention": sale.attention,
        "payments": payments.iter().map(|p| json!({
            "attempt": p.attempt,
            "reference": p.reference,
            "state": p.state.code(),
            "amount": p.amount.as_satang(),
            "paid_amount": p.paid_amount.map(|a| a.as_satang()),
        })).collect::<Vec<_>>(),
        "topups": topups.iter().map(|t| json!({
            "attempt": t.attempt,
            "provider": t.provider,
            "reference": t.reference,
            "provider_ref": t.provider_ref,
            "state": t.state.code(),
        })).collect::<Vec<_>>(),
    });
    if events {
        let events = ledger.events_of(&sale.id).map_err(|e| e.to_string())?;
        value["events"] = serde_json::to_value(events).map_err(|e| e.to_string())?;
    }
    Ok(value)
}

/// Runs `termdee sales`.
pub fn run(args: &SalesArgs) -> ExitCode {
    if !args.db.is_file() {
        eprintln!("termdee sales: no ledger at {}", args.db.display());
        return ExitCode::from(2);
    }
    let ledger = match Ledger::open(&args.db) {
        Ok(ledger) => ledger,
        Err(error) => {
            eprintln!("termdee sales: {error}");
            return ExitCode::FAILURE;
        }
    };
    let sales = match args.day {
        Some(day) => ledger.sales_of_day(day),
        None => ledger.all_sales(),
    };
    let sales = match sales {
        Ok(sales) => sales,
        Err(error) => {
            eprintln!("termdee sales: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    for sale in &sales {
        match line(&ledger, sale, args.events) {
            Ok(value) => {
                if writeln!(stdout, "{value}").is_err() {
                    return ExitCode::FAILURE;
                }
            }
            Err(error) => {
                eprintln!("termdee sales: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
