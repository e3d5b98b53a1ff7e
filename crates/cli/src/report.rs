//! `termdee report`: the owner's totals, read from a ledger file.
//!
//! ```text
//! termdee report --db PATH (--day D | --from D --to D)
//!                [--by operator|network|provider|method|register] [--format json|csv]
//! ```
//!
//! prints, for one Bangkok business day or a range of them (both ends included), one line per
//! operator (the default), network, top-up provider, payment method or register: the sales
//! counted by how they ended, the money of each outcome, the providers' cost and the margin —
//! exactly as [`termdee_ledger::Ledger::report`] computes them, which is what the owner's screen
//! shows too ([`termdee_app::reports::report_view`]):
//!
//! - `json` (default): one line, `{"from":"2026-03-01","to":"2026-03-01","by":"operator",
//!   "rows":[{"key":...,"sales":{"count":..,"satang":..},"received":{..},"completed":{..},
//!   "refunded":{..},"refund_due":{..},"needs_attention":{..},"in_progress":{..},"unpaid":{..},
//!   "cost":..,"margin":..}, ...],"total":{...}}` (money in satang);
//! - `csv`: the owner's export ([`termdee_app::reports::render_csv`]): a header, one `row` line
//!   per key and a `total` line, amounts in baht with two decimals.
//!
//! Reading the file is the owner's privilege: whoever holds the ledger file sees everything.
//! The ledger must already exist: a report never creates an empty one. A missing file, a bad day
//! or a range that ends before it starts is exit 2; a ledger that cannot be opened or read
//! (failed self-check) is exit 1.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde::Serialize;
use termdee_app::reports::{self, MAX_REPORT_DAYS};
use termdee_app::shop::views::ReportRequest;
use termdee_domain::report::{ReportDimension, ReportRow};
use termdee_domain::BusinessDay;
use termdee_ledger::{Ledger, ReportScope};

/// Arguments of `termdee report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The ledger file (it must exist).
    #[arg(long, value_name = "PATH")]
    db: PathBuf,
    /// One Bangkok business day, YYYY-MM-DD (the same as --from D --to D).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day,
          conflicts_with_all = ["from", "to"], required_unless_present = "from")]
    day: Option<BusinessDay>,
    /// The first day of a range, YYYY-MM-DD.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day, requires = "to")]
    from: Option<BusinessDay>,
    /// The last day of a range (included), YYYY-MM-DD.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day, requires = "from")]
    to: Option<BusinessDay>,
    /// What one line is.
    #[arg(long, value_enum, default_value = "operator")]
    by: GroupBy,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
}

/// What one line of the report is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GroupBy {
    /// A cashier login, the owner, or a kiosk.
    Operator,
    /// A mobile network.
    Network,
    /// The top-up provider last asked ("" for sales never sent to one).
    Provider,
    /// How the customer paid.
    Method,
    /// A counter or kiosk terminal.
    Register,
}

impl GroupBy {
    fn dimension(self) -> ReportDimension {
        match self {
            GroupBy::Operator => ReportDimension::Operator,
            GroupBy::Network => ReportDimension::Network,
            GroupBy::Provider => ReportDimension::Provider,
            GroupBy::Method => ReportDimension::Method,
            GroupBy::Register => ReportDimension::Register,
        }
    }
}

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// One JSON document, money in satang.
    Json,
    /// The owner's CSV export, money in baht.
    Csv,
}

fn parse_day(text: &str) -> Result<BusinessDay, String> {
    BusinessDay::parse(text).map_err(|e| e.to_string())
}

/// The JSON document.
#[derive(Debug, Serialize)]
struct Report<'a> {
    from: BusinessDay,
    to: BusinessDay,
    by: ReportDimension,
    rows: &'a [ReportRow],
    total: &'a ReportRow,
}

/// Runs `termdee report` and returns the process exit code.
pub fn run(args: &ReportArgs) -> ExitCode {
    let (from, to) = match (args.day, args.from, args.to) {
        (Some(day), _, _) => (day, day),
        (None, Some(from), Some(to)) => (from, to),
        // clap requires --day or both --from and --to.
        _ => {
            eprintln!("termdee: give --day, or --from and --to");
            return ExitCode::from(2);
        }
    };
    let request = ReportRequest {
        from: from.to_string(),
        to: to.to_string(),
        by: args.by.dimension(),
    };
    if let Err(error) = reports::parse_range(&request.from, &request.to) {
        eprintln!(
            "termdee: --from {from} --to {to}: {} (at most {MAX_REPORT_DAYS} days)",
            error.message
        );
        return ExitCode::from(2);
    }
    // Ledger::open creates a missing file; a report must not.
    if !args.db.is_file() {
        eprintln!("termdee: no ledger at {}", args.db.display());
        return ExitCode::from(2);
    }
    let ledger = match Ledger::open(&args.db) {
        Ok(ledger) => ledger,
        Err(error) => {
            eprintln!("termdee: ledger {}: {error}", args.db.display());
            return ExitCode::from(1);
        }
    };
    let view = match reports::report_view(&ledger, ReportScope::Shop, &request) {
        Ok(view) => view,
        Err(error) => {
            eprintln!("termdee: ledger {}: {}", args.db.display(), error.message);
            return ExitCode::from(1);
        }
    };
    let text = match args.format {
        Format::Json => serde_json::to_string(&Report {
            from,
            to,
            by: request.by,
            rows: &view.rows,
            total: &view.total,
        })
        .map(|json| format!("{json}\n"))
        .map_err(|e| e.to_string()),
        Format::Csv => reports::render_csv(&view).map_err(|e| e.message),
    };
    match text {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("termdee: cannot write the report: {error}");
            ExitCode::from(1)
        }
    }
}
