//! The money invariants, checked against the ledger and the simulators' books.

use std::collections::BTreeMap;

use serde::Serialize;
use termdee_domain::{BusinessDay, SaleState, Satang};
use termdee_ledger::{Ledger, LedgerError, Sale};
use termdee_sim::wepay::WepayStatus;

use crate::World;

/// What one run ended with, and every broken invariant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Sales written.
    pub sales: usize,
    /// Sales whose money came in.
    pub paid: usize,
    /// Sales delivered.
    pub topped_up: usize,
    /// Sales refunded.
    pub refunded: usize,
    /// Sales owed back to the customer.
    pub refund_due: usize,
    /// Sales the engine still drives, or waiting for a person to reconcile.
    pub unresolved: usize,
    /// Phones credited more than once by the providers.
    pub double_topups: usize,
    /// Paid sales not ending topped up, refunded, refund-due or held for a person.
    pub lost_paid: usize,
    /// Every broken invariant, in words.
    pub violations: Vec<String>,
}

/// How many times the providers actually credited each phone (net of failures and reversals).
pub fn credits_per_phone(world: &World) -> BTreeMap<String, usize> {
    let mut credits: BTreeMap<String, usize> = BTreeMap::new();
    for transaction in world.wepay.transactions() {
        if transaction.status == WepayStatus::Succeeded && !transaction.refunded {
            *credits.entry(transaction.ref1.clone()).or_default() += 1;
        }
    }
    for order in world.easysoft.orders() {
        if order.status_refill == 1 && order.status_cancel == 0 {
            *credits.entry(order.number.clone()).or_default() += 1;
        }
    }
    credits
}

/// Per phone number, how many orders the providers are still processing (wePAY `Processing`,
/// Easysoft with neither `STATUS_REFILL` nor `STATUS_CANCEL` set): their outcome is not known
/// yet, at the provider either.
pub fn pending_per_phone(world: &World) -> BTreeMap<String, usize> {
    let mut pending: BTreeMap<String, usize> = BTreeMap::new();
    for transaction in world.wepay.transactions() {
        if transaction.status == WepayStatus::Processing {
            *pending.entry(transaction.ref1.clone()).or_default() += 1;
        }
    }
    for order in world.easysoft.orders() {
        if order.status_refill == 0 && order.status_cancel == 0 {
            *pending.entry(order.number.clone()).or_default() += 1;
        }
    }
    pending
}

/// Checks every invariant of DESIGN.md's money rules over a finished run. `settled` says the
/// run is over (no sale should still be driven by the engine).
pub fn tally(world: &World, ledger: &Ledger, settled: bool) -> Result<Tally, LedgerError> {
    let sales = ledger.all_sales()?;
    let credits = credits_per_phone(world);
    let mut tally = Tally {
        sales: sales.len(),
        ..Tally::default()
    };
    // 1. Executions per key ≤ 1 (wePAY deduplicates on dest_ref; a second debit is a bug).
    for (key, debits) in world.wepay.controls().debits_per_key() {
        if debits > 1 {
            tally
                .violations
                .push(format!("wePAY executed key {key} {debits} times"));
        }
    }
    let mut phones_seen: BTreeMap<&str, usize> = BTreeMap::new();
    for sale in &sales {
        *phones_seen.entry(sale.phone.as_str()).or_default() += 1;
    }
    for (phone, count) in &credits {
        if *count > 1 {
            tally.double_topups += 1;
            tally
                .violations
                .push(format!("phone {phone} was credited {count} times"));
        }
    }
    for sale in &sales {
        check_sale(sale, &credits, &mut tally, settled);
    }
    // 3. Per-operator totals equal the sum of the ledger.
    let mut days: Vec<BusinessDay> = sales.iter().map(|s| s.day).collect();
    days.dedup();
    for day in days {
        for totals in ledger.daily_by_operator(day)? {
            let mine: Vec<&Sale> = sales
                .iter()
                .filter(|s| s.day == day && s.operator_id == totals.key)
                .collect();
            let sum = |f: &dyn Fn(&Sale) -> i64| mine.iter().map(|s| f(s)).sum::<i64>();
            let expected_count = i64::try_from(mine.len()).unwrap_or(i64::MAX);
            if totals.sales.count != expected_count
                || totals.sales.satang.as_satang() != sum(&|s| s.amount.as_satang())
                || totals.received.satang.as_satang() != sum(&|s| s.received.as_satang())
                || totals.completed.satang.as_satang() != sum(&|s| s.delivered.as_satang())
                || totals.refunded.satang.as_satang() != sum(&|s| s.refunded.as_satang())
            {
                tally.violations.push(format!(
                    "report for {} on {day} disagrees with the ledger",
                    totals.key
                ));
            }
            // 4. Money in = delivered + refunded + refund-due + held (attention, in progress).
            let money_in = totals.received.satang.as_satang();
            let accounted = totals.completed.satang.as_satang()
                + totals.refunded.satang.as_satang()
                + totals.refund_due.satang.as_satang()
                + totals.needs_attention.satang.as_satang()
                + totals.in_progress.satang.as_satang()
                + totals.unpaid.satang.as_satang();
            let overpaid: i64 = mine
                .iter()
                .filter(|s| s.state == SaleState::Completed)
                .map(|s| s.outstanding().as_satang())
                .sum();
            if money_in != accounted + overpaid {
                tally.violations.push(format!(
                    "money in {money_in} ≠ delivered + refunded + owed + held {accounted} for {} on {day}",
                    totals.key
                ));
            }
        }
    }
    Ok(tally)
}

fn check_sale(sale: &Sale, credits: &BTreeMap<String, usize>, tally: &mut Tally, settled: bool) {
    let credited = credits.get(sale.phone.as_str()).copied().unwrap_or(0);
    if sale.received > Satang::ZERO {
        tally.paid += 1;
    }
    match sale.state {
        SaleState::Completed => {
            tally.topped_up += 1;
            if credited == 0 {
                tally.violations.push(format!(
                    "sale {} is completed but no provider credited {}",
                    sale.id, sale.phone
                ));
            }
        }
        SaleState::Refunded | SaleState::RefundDue => {
            if sale.state == SaleState::Refunded {
                tally.refunded += 1;
            } else {
                tally.refund_due += 1;
            }
            if credited > 0 {
                tally.violations.push(format!(
                    "sale {} is {} but {} was credited: refunded and delivered",
                    sale.id, sale.state, sale.phone
                ));
            }
        }
        SaleState::NeedsAttention => tally.unresolved += 1,
        SaleState::AwaitingPayment | SaleState::Paid | SaleState::TopupPending => {
            tally.unresolved += 1;
            if settled && sale.received > Satang::ZERO {
                tally.lost_paid += 1;
                tally.violations.push(format!(
                    "paid sale {} never settled (still {})",
                    sale.id, sale.state
                ));
            }
        }
        SaleState::PaymentExpired | SaleState::PaymentCancelled => {
            if credited > 0 {
                tally.violations.push(format!(
                    "unpaid sale {} was credited to {}",
                    sale.id, sale.phone
                ));
            }
        }
    }
    let money = sale.received.as_satang() - sale.delivered.as_satang() - sale.refunded.as_satang();
    if money < 0 {
        tally
            .violations
            .push(format!("sale {} gave out more than it took in", sale.id));
    }
}
