//! The owner's report model, shared by the shop's ledger (SQLite) and the fleet hub (PostgreSQL).
//!
//! A report line is "for this key (an operator, a network, ...), how many sales ended which way,
//! and the money". Both stores answer a report the same way: one `GROUP BY key, state` over their
//! sales rows, summing the money columns, and then [`fold`] turns those groups into lines. The
//! outcome rules live here once, so a kiosk's own screen and the owner's fleet view can never
//! disagree about what "refund due" or "margin" means.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{SaleState, Satang, UnknownCode};

/// What a report is broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReportDimension {
    /// The cashier login or kiosk machine that sold (the report owners ask for first).
    Operator,
    /// The mobile network.
    Network,
    /// The top-up provider that was last asked to deliver (none for unpaid sales).
    Provider,
    /// How the customer paid.
    Method,
    /// The counter or kiosk terminal.
    Register,
}

impl ReportDimension {
    /// Every dimension.
    pub const ALL: [ReportDimension; 5] = [
        ReportDimension::Operator,
        ReportDimension::Network,
        ReportDimension::Provider,
        ReportDimension::Method,
        ReportDimension::Register,
    ];

    /// The code used on the command line and over IPC.
    pub fn code(self) -> &'static str {
        match self {
            ReportDimension::Operator => "operator",
            ReportDimension::Network => "network",
            ReportDimension::Provider => "provider",
            ReportDimension::Method => "method",
            ReportDimension::Register => "register",
        }
    }
}

impl fmt::Display for ReportDimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for ReportDimension {
    type Err = UnknownCode;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ReportDimension::ALL
            .into_iter()
            .find(|d| d.code() == text)
            .ok_or_else(|| UnknownCode(text.to_owned()))
    }
}

/// A count of sales and their money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct OutcomeTotals {
    /// How many sales.
    pub count: i64,
    /// How much (satang): credit delivered, money refunded, money owed, money held.
    pub satang: Satang,
}

impl OutcomeTotals {
    fn add(&mut self, count: i64, satang: i64) {
        self.count += count;
        self.satang = Satang::new(self.satang.as_satang() + satang);
    }

    fn merge(&mut self, other: OutcomeTotals) {
        self.add(other.count, other.satang.as_satang());
    }
}

/// One line of a report: every outcome for one key.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct ReportRow {
    /// The operator id, network code, provider name, method code or register id (`""` where a
    /// sale has none, e.g. the provider of a sale that was never paid).
    pub key: String,
    /// Every sale started (count), and the price of them all.
    pub sales: OutcomeTotals,
    /// Money received from customers.
    pub received: OutcomeTotals,
    /// Topped up: credit delivered.
    pub completed: OutcomeTotals,
    /// Money handed back.
    pub refunded: OutcomeTotals,
    /// Paid, not delivered, not yet handed back: owed to customers.
    pub refund_due: OutcomeTotals,
    /// Paid, top-up outcome waiting for a person (unresolved): money held.
    pub needs_attention: OutcomeTotals,
    /// Still being worked on by the engine (awaiting payment, paid, top-up pending): money held.
    pub in_progress: OutcomeTotals,
    /// Never paid (QR expired, cancelled): count only.
    pub unpaid: OutcomeTotals,
    /// What the top-up providers charged for the credit delivered (their discount taken off).
    pub cost: Satang,
    /// Credit delivered minus its cost: what the shop earned on top-ups.
    pub margin: Satang,
}

impl ReportRow {
    /// Adds another line's figures to this one (for an "all" line).
    pub fn merge(&mut self, other: &ReportRow) {
        self.sales.merge(other.sales);
        self.received.merge(other.received);
        self.completed.merge(other.completed);
        self.refunded.merge(other.refunded);
        self.refund_due.merge(other.refund_due);
        self.needs_attention.merge(other.needs_attention);
        self.in_progress.merge(other.in_progress);
        self.unpaid.merge(other.unpaid);
        self.cost = Satang::new(self.cost.as_satang() + other.cost.as_satang());
        self.margin = Satang::new(self.margin.as_satang() + other.margin.as_satang());
    }
}

/// One `GROUP BY key, state` row of a store: the sums of the sales' money columns (satang).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesGroup {
    /// The report key.
    pub key: String,
    /// The sales' state.
    pub state: SaleState,
    /// How many sales.
    pub count: i64,
    /// `SUM(amount)`: the prices.
    pub amount: i64,
    /// `SUM(received)`.
    pub received: i64,
    /// `SUM(delivered)`.
    pub delivered: i64,
    /// `SUM(refunded)`.
    pub refunded: i64,
    /// `SUM(cost)`: what the providers charged for delivered credit.
    pub cost: i64,
    /// How many of these sales received any money (`COUNT(*) FILTER (WHERE received > 0)`).
    pub paid_count: i64,
}

/// Turns a store's groups into report lines, one per key, ordered by key.
pub fn fold(groups: impl IntoIterator<Item = SalesGroup>) -> Vec<ReportRow> {
    let mut by_key: BTreeMap<String, ReportRow> = BTreeMap::new();
    for group in groups {
        let row = by_key
            .entry(group.key.clone())
            .or_insert_with(|| ReportRow {
                key: group.key.clone(),
                ..ReportRow::default()
            });
        row.sales.add(group.count, group.amount);
        row.received.add(group.paid_count, group.received);
        let outstanding = group.received - group.delivered - group.refunded;
        match group.state {
            SaleState::Completed => row.completed.add(group.count, group.delivered),
            SaleState::Refunded => row.refunded.add(group.count, group.refunded),
            SaleState::RefundDue => row.refund_due.add(group.count, outstanding),
            SaleState::NeedsAttention => row.needs_attention.add(group.count, outstanding),
            SaleState::AwaitingPayment | SaleState::Paid | SaleState::TopupPending => {
                row.in_progress.add(group.count, outstanding)
            }
            SaleState::PaymentExpired | SaleState::PaymentCancelled => {
                row.unpaid.add(group.count, outstanding)
            }
        }
        row.cost = Satang::new(row.cost.as_satang() + group.cost);
        row.margin = Satang::new(row.margin.as_satang() + group.delivered - group.cost);
    }
    by_key.into_values().collect()
}

/// The "all" line of a report.
pub fn total(rows: &[ReportRow]) -> ReportRow {
    let mut all = ReportRow::default();
    for row in rows {
        all.merge(row);
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(key: &str, state: SaleState, count: i64, amount: i64) -> SalesGroup {
        let received = if state.money_received() { amount } else { 0 };
        let delivered = if state == SaleState::Completed {
            amount
        } else {
            0
        };
        let refunded = if state == SaleState::Refunded {
            amount
        } else {
            0
        };
        SalesGroup {
            key: key.to_owned(),
            state,
            count,
            amount,
            received,
            delivered,
            refunded,
            cost: delivered * 97 / 100,
            paid_count: if received > 0 { count } else { 0 },
        }
    }

    #[test]
    fn each_state_lands_in_exactly_one_outcome_and_money_balances() {
        let groups: Vec<SalesGroup> = SaleState::ALL
            .into_iter()
            .enumerate()
            .map(|(n, state)| group("op-1", state, 1 + n as i64, 1_000 * (1 + n as i64)))
            .collect();
        let rows = fold(groups.clone());
        assert_eq!(rows.len(), 1, "one key, one line");
        let row = &rows[0];
        let outcomes = row.completed.count
            + row.refunded.count
            + row.refund_due.count
            + row.needs_attention.count
            + row.in_progress.count
            + row.unpaid.count;
        assert_eq!(
            outcomes, row.sales.count,
            "every sale has exactly one outcome"
        );
        let held = row.completed.satang.as_satang()
            + row.refunded.satang.as_satang()
            + row.refund_due.satang.as_satang()
            + row.needs_attention.satang.as_satang()
            + row.in_progress.satang.as_satang();
        assert_eq!(
            held,
            row.received.satang.as_satang(),
            "money in = delivered + refunded + owed + held"
        );
        assert_eq!(
            row.margin.as_satang(),
            row.completed.satang.as_satang() - row.cost.as_satang()
        );
    }

    #[test]
    fn lines_are_per_key_in_order_and_the_total_adds_them_up() {
        let rows = fold(vec![
            group("op-b", SaleState::Completed, 2, 4_000),
            group("op-a", SaleState::Refunded, 1, 1_000),
            group("op-b", SaleState::PaymentExpired, 1, 500),
        ]);
        let keys: Vec<&str> = rows.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["op-a", "op-b"]);
        let all = total(&rows);
        assert_eq!(all.sales.count, 4);
        assert_eq!(all.sales.satang, Satang::new(5_500));
        assert_eq!(all.completed.satang, Satang::new(4_000));
        assert_eq!(all.refunded.count, 1);
        assert_eq!(all.unpaid.count, 1);
    }

    #[test]
    fn dimension_codes_round_trip() {
        for dimension in ReportDimension::ALL {
            assert_eq!(dimension.code().parse(), Ok(dimension));
        }
        assert!("shift".parse::<ReportDimension>().is_err());
    }
}
