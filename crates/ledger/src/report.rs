//! The owner's reports: per operator, network, provider, payment method or register, over a
//! range of Bangkok days — how many sales ended which way, the money, the providers' cost and
//! the margin.
//!
//! Every report is one `SELECT <key>, state, COUNT(*), SUM(...) ... GROUP BY <key>, state` over
//! the `sales` rows of the range, folded into lines by [`termdee_domain::report::fold`] — the
//! same query shape the fleet hub runs in PostgreSQL, so a shop's screen and the hub agree to the
//! satang. The `sales_report` covering index holds every column these queries read, so a report
//! never touches the table itself.

use termdee_domain::report::{fold, ReportDimension, ReportRow, SalesGroup};
use termdee_domain::{BusinessDay, SaleState};

use crate::{Ledger, LedgerError, Result};

/// Whose sales a report adds up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportScope<'a> {
    /// Every sale of the shop (the owner's view).
    Shop,
    /// Only this operator's sales (a cashier's own view): nobody else's row is ever read.
    Operator(&'a str),
}

/// The sales column a dimension groups by. A fixed list, never text from the caller.
fn key_column(by: ReportDimension) -> &'static str {
    match by {
        ReportDimension::Operator => "operator_id",
        ReportDimension::Network => "network",
        ReportDimension::Provider => "provider",
        ReportDimension::Method => "payment_method",
        ReportDimension::Register => "register_id",
    }
}

impl Ledger {
    /// One line per `by` key for the sales started from `from` to `to` (Bangkok days, both
    /// included), ordered by key.
    pub fn report(
        &self,
        from: BusinessDay,
        to: BusinessDay,
        by: ReportDimension,
        scope: ReportScope<'_>,
    ) -> Result<Vec<ReportRow>> {
        self.grouped(key_column(by), from, to, scope)
    }

    /// Per day, every key added up: one line per day that has sales, oldest first (for charts).
    pub fn report_days(
        &self,
        from: BusinessDay,
        to: BusinessDay,
        scope: ReportScope<'_>,
    ) -> Result<Vec<(BusinessDay, ReportRow)>> {
        self.grouped("day", from, to, scope)?
            .into_iter()
            .map(|row| {
                let day = BusinessDay::parse(&row.key).map_err(|_| LedgerError::Corrupt {
                    column: "sales.day",
                    value: row.key.clone(),
                })?;
                Ok((day, row))
            })
            .collect()
    }

    /// Totals per operator for one Bangkok day (sales are counted on the day they started): the
    /// report owners ask for first.
    pub fn daily_by_operator(&self, day: BusinessDay) -> Result<Vec<ReportRow>> {
        self.report(day, day, ReportDimension::Operator, ReportScope::Shop)
    }

    fn grouped(
        &self,
        key: &'static str,
        from: BusinessDay,
        to: BusinessDay,
        scope: ReportScope<'_>,
    ) -> Result<Vec<ReportRow>> {
        if to < from {
            return Err(LedgerError::Invalid(format!(
                "the report ends ({to}) before it starts ({from})"
            )));
        }
        let operator_filter = match scope {
            ReportScope::Shop => "",
            ReportScope::Operator(_) => " AND operator_id = ?3",
        };
        // `day` is TEXT `YYYY-MM-DD`, so text comparison is date order.
        let sql = format!(
            "SELECT {key}, state, COUNT(*), SUM(amount), SUM(received), SUM(delivered),
                    SUM(refunded), SUM(cost), SUM(received > 0)
             FROM sales WHERE day BETWEEN ?1 AND ?2{operator_filter}
             GROUP BY {key}, state"
        );
        self.read(|c| {
            let mut statement = c.prepare_cached(&sql)?;
            let (from, to) = (from.to_string(), to.to_string());
            let mut rows = match scope {
                ReportScope::Shop => statement.query(rusqlite::params![from, to])?,
                ReportScope::Operator(operator) => {
                    statement.query(rusqlite::params![from, to, operator])?
                }
            };
            let mut groups = Vec::new();
            while let Some(row) = rows.next()? {
                let state: String = row.get(1)?;
                let state: SaleState = state.parse().map_err(|_| LedgerError::Corrupt {
                    column: "sales.state",
                    value: state.clone(),
                })?;
                groups.push(SalesGroup {
                    key: row.get(0)?,
                    state,
                    count: row.get(2)?,
                    amount: row.get(3)?,
                    received: row.get(4)?,
                    delivered: row.get(5)?,
                    refunded: row.get(6)?,
                    cost: row.get(7)?,
                    paid_count: row.get(8)?,
                });
            }
            Ok(fold(groups))
        })
    }
}
