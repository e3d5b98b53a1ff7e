//! `termdee report`: the owner's daily totals, read from a ledger file.
//!
//! `termdee report --db PATH --day YYYY-MM-DD --by operator [--format json|csv]` prints, for one
//! Bangkok business day, each operator's sales counted by how they ended and the money of each
//! outcome (satang), exactly as [`termdee_ledger::Ledger::daily_by_operator`] computes them:
//!
//! - `json` (default): one document, `{"day":"2026-03-01","operators":[{"operator_id":...,
//!   "sales":{"count":..,"satang":..},"received":{..},"completed":{..},"refunded":{..},
//!   "refund_due":{..},"needs_attention":{..},"in_progress":{..},"unpaid":{..}}, ...]}`;
//! - `csv`: a header line, then one line per operator with a `_count` and a `_satang` column
//!   for each of those outcomes.
//!
//! The ledger must already exist: a report never creates an empty one. A missing file or a bad
//! day is exit 2; a ledger that cannot be opened or read (failed self-check) is exit 1.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde::Serialize;
use termdee_domain::BusinessDay;
use termdee_ledger::{Ledger, OperatorTotals, OutcomeTotals};

/// Arguments of `termdee report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The ledger file (it must exist).
    #[arg(long, value_name = "PATH")]
    db: PathBuf,
    /// The Bangkok business day, YYYY-MM-DD.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    day: BusinessDay,
    /// How the totals are grouped.
    #[arg(long, value_enum, default_value = "operator")]
    by: GroupBy,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
}

/// How the totals are grouped (only per operator for now).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GroupBy {
    /// One line per cashier login or kiosk.
    Operator,
}

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// One JSON document.
    Json,
    /// A header line and one line per operator.
    Csv,
}

fn parse_day(text: &str) -> Result<BusinessDay, String> {
    BusinessDay::parse(text).map_err(|e| e.to_string())
}

/// The JSON document.
#[derive(Debug, Serialize)]
struct DayReport<'a> {
    day: BusinessDay,
    operators: &'a [OperatorTotals],
}

/// Runs `termdee report` and returns the process exit code.
pub fn run(args: &ReportArgs) -> ExitCode {
    // Ledger::open creates a missing file; a report must not.
    if !args.db.is_file() {
        eprintln!("termdee: no ledger at {}", args.db.display());
        return ExitCode::from(2);
    }
    let totals = match Ledger::open(&args.db).and_then(|ledger| match args.by {
        GroupBy::Operator => ledger.daily_by_operator(args.day),
    }) {
        Ok(totals) => totals,
        Err(error) => {
            eprintln!("termdee: ledger {}: {error}", args.db.display());
            return ExitCode::from(1);
        }
    };
    match args.format {
        Format::Json => match render_json(args.day, &totals) {
            Ok(text) => println!("{text}"),
            Err(error) => {
                eprintln!("termdee: cannot write the report as JSON: {error}");
                return ExitCode::from(1);
            }
        },
        Format::Csv => print!("{}", render_csv(&totals)),
    }
    ExitCode::SUCCESS
}

/// `{"day":"YYYY-MM-DD","operators":[...]}` on one line.
fn render_json(day: BusinessDay, totals: &[OperatorTotals]) -> serde_json::Result<String> {
    serde_json::to_string(&DayReport {
        day,
        operators: totals,
    })
}

/// The outcomes, in column order, with how to read each from the totals.
/// Reads one outcome's totals from an operator's row.
type Pick = fn(&OperatorTotals) -> &OutcomeTotals;

const OUTCOMES: [(&str, Pick); 8] = [
    ("sales", |t| &t.sales),
    ("received", |t| &t.received),
    ("completed", |t| &t.completed),
    ("refunded", |t| &t.refunded),
    ("refund_due", |t| &t.refund_due),
    ("needs_attention", |t| &t.needs_attention),
    ("in_progress", |t| &t.in_progress),
    ("unpaid", |t| &t.unpaid),
];

/// A header line and one line per operator; every line ends with `\n`.
fn render_csv(totals: &[OperatorTotals]) -> String {
    let mut out = String::from("operator_id");
    for (name, _) in OUTCOMES {
        out.push_str(&format!(",{name}_count,{name}_satang"));
    }
    out.push('\n');
    for operator in totals {
        out.push_str(&csv_field(&operator.operator_id));
        for (_, outcome) in OUTCOMES {
            let outcome = outcome(operator);
            out.push_str(&format!(
                ",{},{}",
                outcome.count,
                outcome.satang.as_satang()
            ));
        }
        out.push('\n');
    }
    out
}

/// Quotes a field when it holds a comma, a quote or a line break (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use termdee_domain::Satang;

    #[test]
    fn csv_has_a_count_and_a_satang_column_per_outcome() {
        let totals = OperatorTotals {
            operator_id: "op,\"a\"".into(),
            sales: OutcomeTotals {
                count: 2,
                satang: Satang::new(7_000),
            },
            unpaid: OutcomeTotals {
                count: 1,
                satang: Satang::ZERO,
            },
            ..OperatorTotals::default()
        };
        let text = render_csv(&[totals]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].split(',').count(), 17);
        assert_eq!(
            lines[1],
            "\"op,\"\"a\"\"\",2,7000,0,0,0,0,0,0,0,0,0,0,0,0,1,0"
        );
    }
}
