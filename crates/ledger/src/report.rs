//! The owner's daily report: per operator, how many sales ended which way, and the money.

use std::collections::BTreeMap;

use serde::Serialize;
use termdee_domain::{BusinessDay, SaleState, Satang};

use crate::{Ledger, LedgerError, Result};

/// A count of sales and their money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct OutcomeTotals {
    /// How many sales.
    pub count: i64,
    /// How much (satang): delivered credit, money refunded, money owed, money held.
    pub satang: Satang,
}

impl OutcomeTotals {
    fn add(&mut self, count: i64, satang: i64) {
        self.count += count;
        self.satang = Satang::new(self.satang.as_satang() + satang);
    }
}

/// One operator's day.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct OperatorTotals {
    /// The operator.
    pub operator_id: String,
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
    /// Paid, top-up outcome waiting for a person: money held.
    pub needs_attention: OutcomeTotals,
    /// Still being worked on by the engine (awaiting payment, paid, top-up pending): money held.
    pub in_progress: OutcomeTotals,
    /// Never paid (QR expired, cancelled): count only.
    pub unpaid: OutcomeTotals,
}

impl Ledger {
    /// Totals per operator for one Bangkok day (sales are counted on the day they started).
    /// Every figure is a sum over the `sales` rows, read from a covering index.
    pub fn daily_by_operator(&self, day: BusinessDay) -> Result<Vec<OperatorTotals>> {
        self.read(|c| {
            let mut statement = c.prepare_cached(
                "SELECT operator_id, state, COUNT(*), SUM(amount), SUM(received), SUM(delivered),
                        SUM(refunded)
                 FROM sales WHERE day = ?1 GROUP BY operator_id, state",
            )?;
            let mut rows = statement.query([day.to_string()])?;
            let mut by_operator: BTreeMap<String, OperatorTotals> = BTreeMap::new();
            while let Some(row) = rows.next()? {
                let operator: String = row.get(0)?;
                let state: String = row.get(1)?;
                let state: SaleState = state.parse().map_err(|_| LedgerError::Corrupt {
                    column: "sales.state",
                    value: state.clone(),
                })?;
                let count: i64 = row.get(2)?;
                let amount: i64 = row.get(3)?;
                let received: i64 = row.get(4)?;
                let delivered: i64 = row.get(5)?;
                let refunded: i64 = row.get(6)?;
                let totals =
                    by_operator
                        .entry(operator.clone())
                        .or_insert_with(|| OperatorTotals {
                            operator_id: operator,
                            ..OperatorTotals::default()
                        });
                totals.sales.add(count, amount);
                totals
                    .received
                    .add(if received > 0 { count } else { 0 }, received);
                let outstanding = received - delivered - refunded;
                match state {
                    SaleState::Completed => totals.completed.add(count, delivered),
                    SaleState::Refunded => totals.refunded.add(count, refunded),
                    SaleState::RefundDue => totals.refund_due.add(count, outstanding),
                    SaleState::NeedsAttention => totals.needs_attention.add(count, outstanding),
                    SaleState::AwaitingPayment | SaleState::Paid | SaleState::TopupPending => {
                        totals.in_progress.add(count, outstanding)
                    }
                    SaleState::PaymentExpired | SaleState::PaymentCancelled => {
                        totals.unpaid.add(count, outstanding)
                    }
                }
            }
            Ok(by_operator.into_values().collect())
        })
    }
}
