//! The owner's reports, the CSV export, provider balances, and the daily reconciliation.
//!
//! - [`report`]: one line per operator / network / provider / payment method / register over a
//!   range of Bangkok days, the total, and every day of the range for the chart. The owner sees
//!   everything. A cashier may ask only `by = operator`, and the ledger then reads only their own
//!   sales ([`ReportScope::Operator`]): another cashier's figures are never even loaded. Any
//!   other breakdown is refused with [`ErrorCode::NotPermitted`] (a per-network line of one
//!   cashier would be harmless, but "only your own line" is a rule a cashier can understand).
//! - [`report_csv`] / [`render_csv`]: a header, one line per key and the total, amounts in baht
//!   with two decimals (`1234.50`, no grouping), for a spreadsheet; [`read_csv`] reads it back.
//! - [`balances`]: each top-up provider's wallet, flagged below the low-balance alert, with
//!   Easysoft's per-network status.
//! - [`reconcile`]: for every top-up attempt of a day's sales, what the provider says now
//!   against what the ledger says, with every disagreement listed.
//!
//! Cost and margin come from what each provider says it debited when it accepted the order
//! ([`provider_cost`]): wePAY's `total_amount` (wepay.md §4.4), Easysoft's price minus
//! `DISCOUNT` read as baht (easysoft.md §3.1 leaves the unit open; the simulator and the
//! reconciliation's `REALAMOUNT` check agree with baht). Where the provider says nothing the cost
//! is recorded as 0, so the margin of such sales is their full price: the README says so.

use std::collections::BTreeMap;
use std::sync::Arc;

use termdee_domain::report::{total, ReportDimension, ReportRow};
use termdee_domain::{BusinessDay, Network, Satang};
use termdee_ledger::{Ledger, ReportScope, Topup, TopupState};
use termdee_providers::{baht_to_satang, ProviderError, RejectKind, TopupAccepted, TopupStatus};

use crate::auth::{from_ledger, require, Permission, Session};
use crate::engine::TopupPort;
use crate::error::{AppError, ErrorCode};
use crate::shop::views::{
    DayTotals, NetworkStatus, ProviderBalance, ProviderReconciliation, ReconciliationDifference,
    ReconciliationView, ReportRequest, ReportView, Role,
};

/// The longest range a report covers (ten years of days): the chart has one point per day.
pub const MAX_REPORT_DAYS: i64 = 3_660;

/// The report a session asked for: everything for the owner, only their own line for a cashier.
pub fn report(
    ledger: &Ledger,
    session: &Session,
    request: &ReportRequest,
) -> Result<ReportView, AppError> {
    if require(session, Permission::ViewAllReports).is_ok() {
        return report_view(ledger, ReportScope::Shop, request);
    }
    if session.role() != Role::Cashier {
        return Err(AppError::new(
            ErrorCode::NotPermitted,
            "a kiosk has no reports",
        ));
    }
    if request.by != ReportDimension::Operator {
        return Err(AppError::new(
            ErrorCode::NotPermitted,
            "a cashier sees only their own line (by operator); the owner sees the rest",
        ));
    }
    report_view(ledger, ReportScope::Operator(&session.operator.id), request)
}

/// The same report as CSV (see [`render_csv`]).
pub fn report_csv(
    ledger: &Ledger,
    session: &Session,
    request: &ReportRequest,
) -> Result<String, AppError> {
    render_csv(&report(ledger, session, request)?)
}

/// A report over `scope`, with no role check: for callers that already hold the ledger file
/// itself (the `termdee report` command line).
pub fn report_view(
    ledger: &Ledger,
    scope: ReportScope<'_>,
    request: &ReportRequest,
) -> Result<ReportView, AppError> {
    let (from, to) = parse_range(&request.from, &request.to)?;
    let rows = ledger
        .report(from, to, request.by, scope)
        .map_err(from_ledger)?;
    let by_day = ledger
        .report_days(from, to, scope)
        .map_err(from_ledger)?
        .into_iter()
        .map(|(day, totals)| (day.to_string(), totals))
        .collect();
    let days = every_day(from, to, by_day);
    // Operator names for the lines (an id alone means little to an owner).
    let labels = match request.by {
        ReportDimension::Operator => ledger
            .operators()
            .map_err(from_ledger)?
            .into_iter()
            .filter(|operator| rows.iter().any(|row| row.key == operator.id))
            .map(|operator| (operator.id, operator.name))
            .collect(),
        _ => BTreeMap::new(),
    };
    Ok(ReportView {
        request: request.clone(),
        total: total(&rows),
        rows,
        days,
        labels,
    })
}

/// Every day of `from..=to` with its totals from `by_day` (keyed `YYYY-MM-DD`), empty ones too,
/// so the chart's axis has no holes. Shared by this machine's report and the fleet's.
pub(crate) fn every_day(
    from: BusinessDay,
    to: BusinessDay,
    mut by_day: BTreeMap<String, ReportRow>,
) -> Vec<DayTotals> {
    let mut days = Vec::new();
    let mut day = from;
    while day <= to {
        let key = day.to_string();
        let mut totals = by_day.remove(&key).unwrap_or_default();
        totals.key = key.clone();
        days.push(DayTotals { day: key, totals });
        day = BusinessDay::of(day.end());
    }
    days
}

/// Reads a `from`–`to` range of `YYYY-MM-DD` days (CE, Bangkok), or [`ErrorCode::InvalidDay`].
pub fn parse_range(from: &str, to: &str) -> Result<(BusinessDay, BusinessDay), AppError> {
    let day = |text: &str| {
        BusinessDay::parse(text).map_err(|e| AppError::new(ErrorCode::InvalidDay, e.to_string()))
    };
    let (from, to) = (day(from)?, day(to)?);
    if to < from {
        return Err(AppError::new(
            ErrorCode::InvalidDay,
            format!("the range ends ({to}) before it starts ({from})"),
        ));
    }
    let days = (to.start() - from.start()) / 86_400_000 + 1;
    if days > MAX_REPORT_DAYS {
        return Err(AppError::new(
            ErrorCode::InvalidDay,
            format!("{days} days is longer than a report covers ({MAX_REPORT_DAYS})"),
        ));
    }
    Ok((from, to))
}

/// The outcome columns of the CSV, in order, each a count and an amount.
const CSV_OUTCOMES: [&str; 8] = [
    "sales",
    "received",
    "completed",
    "refunded",
    "refund_due",
    "needs_attention",
    "in_progress",
    "unpaid",
];

fn outcomes(row: &ReportRow) -> [&termdee_domain::report::OutcomeTotals; 8] {
    [
        &row.sales,
        &row.received,
        &row.completed,
        &row.refunded,
        &row.refund_due,
        &row.needs_attention,
        &row.in_progress,
        &row.unpaid,
    ]
}

fn outcomes_mut(row: &mut ReportRow) -> [&mut termdee_domain::report::OutcomeTotals; 8] {
    [
        &mut row.sales,
        &mut row.received,
        &mut row.completed,
        &mut row.refunded,
        &mut row.refund_due,
        &mut row.needs_attention,
        &mut row.in_progress,
        &mut row.unpaid,
    ]
}

fn csv_header(by: ReportDimension) -> Vec<String> {
    let mut header = vec!["line".to_owned(), by.code().to_owned()];
    for name in CSV_OUTCOMES {
        header.push(format!("{name}_count"));
        header.push(format!("{name}_baht"));
    }
    header.push("cost_baht".to_owned());
    header.push("margin_baht".to_owned());
    header
}

fn csv_record(line: &str, row: &ReportRow) -> Vec<String> {
    let mut record = vec![line.to_owned(), row.key.clone()];
    for outcome in outcomes(row) {
        record.push(outcome.count.to_string());
        record.push(outcome.satang.to_baht_string());
    }
    record.push(row.cost.to_baht_string());
    record.push(row.margin.to_baht_string());
    record
}

/// The report as CSV: a header (`line`, the dimension, then `<outcome>_count` and
/// `<outcome>_baht` for sales, received, completed, refunded, refund due, needs attention, in
/// progress and unpaid, then `cost_baht` and `margin_baht`), one `row` line per key and one
/// `total` line. The first column tells rows from the total, so no key (an operator could be
/// called "total") can be mistaken for it.
pub fn render_csv(view: &ReportView) -> Result<String, AppError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let write = |writer: &mut csv::Writer<Vec<u8>>, record: Vec<String>| {
        writer
            .write_record(&record)
            .map_err(|e| AppError::new(ErrorCode::Internal, format!("csv: {e}")))
    };
    write(&mut writer, csv_header(view.request.by))?;
    for row in &view.rows {
        write(&mut writer, csv_record("row", row))?;
    }
    write(&mut writer, csv_record("total", &view.total))?;
    let bytes = writer
        .into_inner()
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("csv: {e}")))?;
    String::from_utf8(bytes).map_err(|e| AppError::new(ErrorCode::Internal, format!("csv: {e}")))
}

/// A report read back from [`render_csv`]'s text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvReport {
    /// The breakdown named in the header.
    pub by: ReportDimension,
    /// The `row` lines.
    pub rows: Vec<ReportRow>,
    /// The `total` line.
    pub total: ReportRow,
}

/// Why a CSV report could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum CsvReadError {
    /// Not CSV.
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    /// CSV, but not a Termdee report.
    #[error("not a Termdee report: {0}")]
    Shape(String),
}

/// Reads [`render_csv`]'s text back (the round-trip test, and anyone importing an export).
pub fn read_csv(text: &str) -> Result<CsvReport, CsvReadError> {
    let shape = |message: String| CsvReadError::Shape(message);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers()?.iter().map(str::to_owned).collect();
    let by: ReportDimension = header
        .get(1)
        .and_then(|name| name.parse().ok())
        .ok_or_else(|| shape(format!("no dimension in the header {header:?}")))?;
    if header != csv_header(by) {
        return Err(shape(format!("unexpected header {header:?}")));
    }
    let mut rows = Vec::new();
    let mut total_line = None;
    for record in reader.records() {
        let record = record?;
        let field = |index: usize| record.get(index).unwrap_or_default();
        let count = |index: usize| {
            field(index)
                .parse::<i64>()
                .map_err(|_| shape(format!("{:?} is not a count", field(index))))
        };
        let amount = |index: usize| {
            baht_to_satang(field(index))
                .ok_or_else(|| shape(format!("{:?} is not an amount of baht", field(index))))
        };
        let mut row = ReportRow {
            key: field(1).to_owned(),
            ..ReportRow::default()
        };
        for (n, outcome) in outcomes_mut(&mut row).into_iter().enumerate() {
            outcome.count = count(2 + 2 * n)?;
            outcome.satang = amount(3 + 2 * n)?;
        }
        let after = 2 + 2 * CSV_OUTCOMES.len();
        row.cost = amount(after)?;
        row.margin = amount(after + 1)?;
        match field(0) {
            "row" if total_line.is_none() => rows.push(row),
            "total" if total_line.is_none() => total_line = Some(row),
            other => return Err(shape(format!("unexpected line kind {other:?}"))),
        }
    }
    Ok(CsvReport {
        by,
        rows,
        total: total_line.ok_or_else(|| shape("no total line".to_owned()))?,
    })
}

/// What an accepted order cost us, as far as the provider says: wePAY's `total_amount` (the
/// amount debited, wepay.md §4.4), else Easysoft's price minus `DISCOUNT` read as baht (the
/// unit is undocumented, easysoft.md §3.1; a discount that is not an amount below the price is
/// ignored). `None` — recorded as unknown, a cost of 0 — when the provider says neither.
pub fn provider_cost(accepted: &TopupAccepted, amount: Satang) -> Option<Satang> {
    if let Some(debited) = accepted.debited {
        return (debited.as_satang() >= 0).then_some(debited);
    }
    let discount = baht_to_satang(accepted.discount_raw.as_deref()?)?;
    if discount.as_satang() < 0 || discount > amount {
        return None;
    }
    amount.checked_sub(discount)
}

/// Each top-up provider's wallet and health (owner only), in the order given. A provider that
/// cannot be read is listed with the error, never left out.
pub async fn balances(
    session: &Session,
    ports: &[Arc<dyn TopupPort>],
    low_alert: Satang,
) -> Result<Vec<ProviderBalance>, AppError> {
    require(session, Permission::ViewBalances)?;
    let mut out = Vec::with_capacity(ports.len());
    for port in ports {
        let balance = port.balance().await;
        let status = port.network_status().await;
        let mut error = None;
        let available = match balance {
            Ok(balance) => Some(balance.available),
            Err(e) => {
                error = Some(unavailable(port.name(), "balance", &e));
                None
            }
        };
        let networks = match status {
            Ok(list) => Network::ALL
                .into_iter()
                .filter_map(|network| {
                    let product = port.product_for(network)?;
                    let entry = list.iter().find(|entry| entry.product == product)?;
                    Some(NetworkStatus {
                        network,
                        online: entry.available == Some(true),
                    })
                })
                .collect(),
            Err(ProviderError::Unsupported(_)) => Vec::new(),
            Err(e) => {
                error.get_or_insert_with(|| unavailable(port.name(), "network status", &e));
                Vec::new()
            }
        };
        out.push(ProviderBalance {
            provider: port.name().to_owned(),
            balance: available,
            balance_display: available.map(|b| b.to_string()),
            low: available.is_some_and(|b| b < low_alert),
            error,
            networks,
        });
    }
    Ok(out)
}

fn unavailable(provider: &str, what: &str, error: &ProviderError) -> AppError {
    AppError::new(
        ErrorCode::ProviderUnavailable,
        format!("{provider} {what}: {error}"),
    )
}

/// How a top-up stands, on either side, for comparing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    Delivered,
    NotDelivered,
    InFlight,
    NeedsPerson,
    Unknown,
}

fn ours(topup: &Topup) -> (Standing, &'static str) {
    match topup.state {
        TopupState::Succeeded => (Standing::Delivered, "succeeded"),
        TopupState::Failed => (Standing::NotDelivered, "failed"),
        TopupState::Rejected => (Standing::NotDelivered, "rejected"),
        TopupState::Intent => (Standing::InFlight, "intent"),
        TopupState::Pending => (Standing::InFlight, "pending"),
        TopupState::Unknown => (Standing::InFlight, "unknown"),
        TopupState::Manual => (Standing::NeedsPerson, "needs_attention"),
    }
}

fn theirs(status: &Result<TopupStatus, ProviderError>) -> (Standing, String, Option<Satang>) {
    let amount = |raw: &Option<String>| raw.as_deref().and_then(baht_to_satang);
    match status {
        Ok(TopupStatus::Succeeded(result)) => (
            Standing::Delivered,
            "succeeded".to_owned(),
            amount(&result.amount_raw),
        ),
        Ok(TopupStatus::Failed(result)) => (
            Standing::NotDelivered,
            "failed".to_owned(),
            amount(&result.amount_raw),
        ),
        Ok(TopupStatus::Pending) => (Standing::InFlight, "pending".to_owned(), None),
        Ok(TopupStatus::Unknown { raw }) => (Standing::Unknown, format!("unknown: {raw}"), None),
        Err(ProviderError::Rejected(rejection)) if rejection.kind == RejectKind::NotFound => (
            Standing::Unknown,
            format!("unknown: not found at the provider ({})", rejection.code),
            None,
        ),
        Err(error) => (Standing::Unknown, format!("unknown: {error}"), None),
    }
}

/// Reconciles one day (owner only): every top-up attempt of the day's sales that reached a
/// provider is asked about ([`TopupPort::query`]) and compared with the ledger — state, and the
/// amount debited where the provider reports one (Easysoft `REALAMOUNT`) against the cost we
/// recorded. Every disagreement is listed: ours succeeded and theirs failed, ours waiting for a
/// person and theirs succeeded, amounts that differ, an order the provider does not know, or
/// one we cannot ask about (no provider id, provider not configured or unreachable). Attempts
/// refused before anything was sent are not the provider's to confirm and are skipped.
pub async fn reconcile(
    ledger: &Ledger,
    session: &Session,
    ports: &[Arc<dyn TopupPort>],
    day: &str,
) -> Result<ReconciliationView, AppError> {
    require(session, Permission::Reconcile)?;
    let day =
        BusinessDay::parse(day).map_err(|e| AppError::new(ErrorCode::InvalidDay, e.to_string()))?;
    let mut providers: BTreeMap<String, ProviderReconciliation> = ports
        .iter()
        .map(|port| (port.name().to_owned(), empty(port.name())))
        .collect();
    for topup in ledger.topups_of_day(day).map_err(from_ledger)? {
        if topup.state == TopupState::Rejected && topup.provider_ref.is_none() {
            continue;
        }
        let port = ports.iter().find(|p| p.name() == topup.provider);
        let (our_standing, our_code) = ours(&topup);
        let (their_standing, their_code, their_amount) = match (&topup.provider_ref, port) {
            (None, _) => (
                Standing::Unknown,
                "unknown: no provider id to ask with".to_owned(),
                None,
            ),
            (Some(_), None) => (
                Standing::Unknown,
                "unknown: the provider is not configured".to_owned(),
                None,
            ),
            (Some(provider_ref), Some(port)) => theirs(&port.query(provider_ref).await),
        };
        let amount_differs = match (their_amount, topup.cost) {
            (Some(theirs), Some(ours)) => theirs != ours,
            _ => false,
        };
        let line = providers
            .entry(topup.provider.clone())
            .or_insert_with(|| empty(&topup.provider));
        line.checked += 1;
        if topup.state == TopupState::Succeeded {
            line.delivered = Satang::new(line.delivered.as_satang() + topup.amount.as_satang());
        }
        if our_standing == their_standing && !amount_differs {
            line.matching += 1;
        } else {
            line.differences.push(ReconciliationDifference {
                sale_id: topup.sale_id.clone(),
                reference: topup.reference.clone(),
                ours: our_code.to_owned(),
                theirs: their_code,
                amount_differs,
            });
        }
    }
    Ok(ReconciliationView {
        day: day.to_string(),
        providers: providers.into_values().collect(),
    })
}

fn empty(provider: &str) -> ProviderReconciliation {
    ProviderReconciliation {
        provider: provider.to_owned(),
        checked: 0,
        matching: 0,
        delivered: Satang::ZERO,
        differences: Vec::new(),
    }
}
