//! The owner's daily report against an independent count: random days of sales, driven through
//! the API to every outcome, must add up the same whether summed by the ledger's SQL or one sale
//! at a time here; and every sale keeps `received = delivered + refunded + outstanding`.

mod common;

use std::collections::BTreeMap;

use common::{
    actor_of, callback, create, day_zero, owner, shop, wepay_topup, TestResult, OPERATORS,
};
use proptest::prelude::*;
use termdee_domain::{Actor, BusinessDay, PaymentMethod, SaleState, Satang, UnixMillis};
use termdee_ledger::{
    Ledger, NewPayment, OperatorTotals, OutcomeTotals, PaymentEnd, Sale, TopupState,
};

const DAY_MS: i64 = 86_400_000;
const AMOUNTS: [i64; 4] = [2_000, 5_000, 10_000, 15_050];

/// Every way a sale can end up, as a script of API calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Awaiting,
    Expired,
    Cancelled,
    Paid,
    TopupPending,
    TopupUnknown,
    Completed,
    OverpaidCompleted,
    LatePaymentCompleted,
    Underpaid,
    UnderpaidRefunded,
    Failed,
    FailedRefunded,
    NeedsAttention,
    ResolvedDelivered,
    ResolvedNotDelivered,
    RejectedThenCompleted,
    RejectedThenRefundDue,
    PaidTwiceCompleted,
}

const OUTCOMES: [Outcome; 19] = [
    Outcome::Awaiting,
    Outcome::Expired,
    Outcome::Cancelled,
    Outcome::Paid,
    Outcome::TopupPending,
    Outcome::TopupUnknown,
    Outcome::Completed,
    Outcome::OverpaidCompleted,
    Outcome::LatePaymentCompleted,
    Outcome::Underpaid,
    Outcome::UnderpaidRefunded,
    Outcome::Failed,
    Outcome::FailedRefunded,
    Outcome::NeedsAttention,
    Outcome::ResolvedDelivered,
    Outcome::ResolvedNotDelivered,
    Outcome::RejectedThenCompleted,
    Outcome::RejectedThenRefundDue,
    Outcome::PaidTwiceCompleted,
];

/// One generated sale.
#[derive(Debug, Clone)]
struct Plan {
    operator: usize,
    day: i64,
    offset: i64,
    amount: i64,
    method: PaymentMethod,
    outcome: Outcome,
}

/// What the sale must look like afterwards: (state, received, delivered, refunded).
type Expected = (SaleState, i64, i64, i64);

fn plan() -> impl Strategy<Value = Plan> {
    (
        0..OPERATORS.len(),
        0i64..3,
        // Mostly anywhere in the day, sometimes in the last seconds before Bangkok midnight
        // (later steps of the sale then happen the next day; it still counts on the first).
        prop_oneof![0..DAY_MS, (DAY_MS - 5_000)..DAY_MS],
        prop::sample::select(AMOUNTS.to_vec()),
        prop::sample::select(PaymentMethod::ALL.to_vec()),
        prop::sample::select(OUTCOMES.to_vec()),
    )
        .prop_map(|(operator, day, offset, amount, method, outcome)| Plan {
            operator,
            day,
            offset,
            amount,
            method,
            outcome,
        })
}

/// Drives one sale through the API to its outcome; returns what it must look like.
fn drive(ledger: &Ledger, id: &str, plan: &Plan, first_day: UnixMillis) -> TestResult<Expected> {
    let operator = OPERATORS[plan.operator];
    let seller = actor_of(operator);
    let engine = Actor::poller();
    let a = plan.amount;
    let mut at = first_day + plan.day * DAY_MS + plan.offset;
    let mut tick = || {
        at += 1_000;
        at
    };
    let (_, payment) = create(ledger, id, operator, a, plan.method, tick())?;
    let pay = |amount: i64, at: UnixMillis| -> TestResult {
        ledger.payment_received(payment.id, Satang::new(amount), at, &callback("payer"))?;
        Ok(())
    };
    let key = |n: u32| format!("wp-{id}-{n}");
    let begin = |n: u32, at: UnixMillis| -> TestResult<i64> {
        Ok(ledger
            .begin_topup(id, &wepay_topup(&key(n), a), at, &engine)?
            .id)
    };
    let deliver = |topup: i64, at: UnixMillis| -> TestResult {
        ledger.topup_progress(topup, TopupState::Pending, Some("T"), "", at, &engine)?;
        ledger.topup_succeeded(topup, None, "ok", at + 1, &callback("wepay"))?;
        Ok(())
    };
    use Outcome::*;
    use SaleState as S;
    Ok(match plan.outcome {
        Awaiting => (S::AwaitingPayment, 0, 0, 0),
        Expired => {
            ledger.payment_ended(payment.id, PaymentEnd::Expired, tick(), &engine)?;
            (S::PaymentExpired, 0, 0, 0)
        }
        Cancelled => {
            ledger.cancel_unpaid(id, tick(), &seller)?;
            (S::PaymentCancelled, 0, 0, 0)
        }
        Paid => {
            pay(a, tick())?;
            (S::Paid, a, 0, 0)
        }
        TopupPending | TopupUnknown => {
            pay(a, tick())?;
            let topup = begin(1, tick())?;
            let state = if plan.outcome == TopupPending {
                TopupState::Pending
            } else {
                TopupState::Unknown
            };
            ledger.topup_progress(topup, state, None, "", tick(), &engine)?;
            (S::TopupPending, a, 0, 0)
        }
        Completed => {
            pay(a, tick())?;
            let topup = begin(1, tick())?;
            deliver(topup, tick())?;
            (S::Completed, a, a, 0)
        }
        OverpaidCompleted => {
            pay(a + 700, tick())?;
            let topup = begin(1, tick())?;
            deliver(topup, tick())?;
            (S::Completed, a + 700, a, 0)
        }
        LatePaymentCompleted => {
            ledger.payment_ended(payment.id, PaymentEnd::Expired, tick(), &engine)?;
            pay(a, tick())?;
            let topup = begin(1, tick())?;
            deliver(topup, tick())?;
            (S::Completed, a, a, 0)
        }
        Underpaid => {
            pay(a - 100, tick())?;
            (S::RefundDue, a - 100, 0, 0)
        }
        UnderpaidRefunded => {
            pay(a - 100, tick())?;
            ledger.refund_given(id, "cash back", tick(), &owner())?;
            (S::Refunded, a - 100, 0, a - 100)
        }
        Failed | FailedRefunded => {
            pay(a, tick())?;
            let topup = begin(1, tick())?;
            ledger.topup_failed(topup, "failed", tick(), &engine)?;
            if plan.outcome == Failed {
                (S::RefundDue, a, 0, 0)
            } else {
                ledger.refund_given(id, "cash back", tick(), &owner())?;
                (S::Refunded, a, 0, a)
            }
        }
        NeedsAttention | ResolvedDelivered | ResolvedNotDelivered => {
            pay(a, tick())?;
            let topup = begin(1, tick())?;
            ledger.topup_needs_person(topup, "no answer", tick(), &engine)?;
            match plan.outcome {
                NeedsAttention => (S::NeedsAttention, a, 0, 0),
                ResolvedDelivered => {
                    ledger.resolve_topup(id, true, "arrived", tick(), &owner())?;
                    (S::Completed, a, a, 0)
                }
                _ => {
                    ledger.resolve_topup(id, false, "never arrived", tick(), &owner())?;
                    (S::RefundDue, a, 0, 0)
                }
            }
        }
        RejectedThenCompleted | RejectedThenRefundDue => {
            pay(a, tick())?;
            let topup = begin(1, tick())?;
            ledger.topup_rejected(topup, "no balance", tick(), &engine)?;
            if plan.outcome == RejectedThenCompleted {
                let topup = begin(2, tick())?;
                deliver(topup, tick())?;
                (S::Completed, a, a, 0)
            } else {
                ledger.mark_refund_due(id, "every provider refused", tick(), &engine)?;
                (S::RefundDue, a, 0, 0)
            }
        }
        PaidTwiceCompleted => {
            let second = ledger.new_payment_attempt(
                id,
                &NewPayment {
                    method: plan.method,
                    reference: format!("second-{id}"),
                    amount: Satang::new(a),
                },
                tick(),
                &engine,
            )?;
            ledger.payment_received(second.id, Satang::new(a), tick(), &callback("payer"))?;
            pay(a, tick())?;
            let topup = begin(1, tick())?;
            deliver(topup, tick())?;
            (S::Completed, 2 * a, a, 0)
        }
    })
}

fn add(totals: &mut OutcomeTotals, satang: Satang) {
    totals.count += 1;
    totals.satang = Satang::new(totals.satang.as_satang() + satang.as_satang());
}

/// The report computed one sale at a time from `all_sales()`.
fn expected_report(sales: &[Sale], day: BusinessDay) -> Vec<OperatorTotals> {
    let mut by_operator: BTreeMap<&str, OperatorTotals> = BTreeMap::new();
    for sale in sales.iter().filter(|s| s.day == day) {
        let totals = by_operator
            .entry(sale.operator_id.as_str())
            .or_insert_with(|| OperatorTotals {
                operator_id: sale.operator_id.clone(),
                ..OperatorTotals::default()
            });
        add(&mut totals.sales, sale.amount);
        if sale.received > Satang::ZERO {
            add(&mut totals.received, sale.received);
        }
        let bucket = match sale.state {
            SaleState::Completed => (&mut totals.completed, sale.delivered),
            SaleState::Refunded => (&mut totals.refunded, sale.refunded),
            SaleState::RefundDue => (&mut totals.refund_due, sale.outstanding()),
            SaleState::NeedsAttention => (&mut totals.needs_attention, sale.outstanding()),
            SaleState::AwaitingPayment | SaleState::Paid | SaleState::TopupPending => {
                (&mut totals.in_progress, sale.outstanding())
            }
            SaleState::PaymentExpired | SaleState::PaymentCancelled => {
                (&mut totals.unpaid, Satang::ZERO)
            }
        };
        add(bucket.0, bucket.1);
    }
    by_operator.into_values().collect()
}

fn check(plans: &[Plan]) -> TestResult {
    let shop = shop()?;
    let first_day = day_zero()?;
    let mut expected = BTreeMap::new();
    for (n, plan) in plans.iter().enumerate() {
        let id = format!("S{n:03}");
        expected.insert(id.clone(), drive(&shop.ledger, &id, plan, first_day)?);
    }

    let sales = shop.ledger.all_sales()?;
    assert_eq!(sales.len(), plans.len());
    for sale in &sales {
        let (state, received, delivered, refunded) = expected[&sale.id];
        let found = (
            sale.state,
            sale.received.as_satang(),
            sale.delivered.as_satang(),
            sale.refunded.as_satang(),
        );
        assert_eq!(found, (state, received, delivered, refunded), "{}", sale.id);
        // The money identity, and nothing negative.
        let outstanding = sale.outstanding().as_satang();
        assert_eq!(received, delivered + refunded + outstanding, "{}", sale.id);
        assert!(outstanding >= 0, "{sale:?}");
        assert!(
            delivered == 0 || delivered == sale.amount.as_satang(),
            "{sale:?}"
        );
        // Money waiting for a person or the engine is exactly what is outstanding.
        if matches!(
            sale.state,
            SaleState::RefundDue
                | SaleState::NeedsAttention
                | SaleState::Paid
                | SaleState::TopupPending
        ) {
            assert_eq!(outstanding, received, "{sale:?}");
        }
        if !sale.state.money_received() {
            assert_eq!((received, outstanding), (0, 0), "{sale:?}");
        }
    }

    let start = BusinessDay::of(first_day);
    for d in -1..=3 {
        let day = BusinessDay::of(start.start() + d * DAY_MS);
        let report = shop.ledger.daily_by_operator(day)?;
        assert_eq!(report, expected_report(&sales, day), "{day}");
        for totals in &report {
            let of_operator: Vec<&Sale> = sales
                .iter()
                .filter(|s| s.day == day && s.operator_id == totals.operator_id)
                .collect();
            // Every sale is in exactly one outcome.
            let counted = totals.completed.count
                + totals.refunded.count
                + totals.refund_due.count
                + totals.needs_attention.count
                + totals.in_progress.count
                + totals.unpaid.count;
            assert_eq!(counted, totals.sales.count);
            assert_eq!(totals.sales.count, of_operator.len() as i64);
            // Received money is delivered, handed back, or outstanding (owed or held, or
            // overpaid on a completed sale) — nothing else.
            let overpaid: i64 = of_operator
                .iter()
                .filter(|s| s.state == SaleState::Completed)
                .map(|s| s.outstanding().as_satang())
                .sum();
            assert_eq!(
                totals.received.satang.as_satang(),
                totals.completed.satang.as_satang()
                    + totals.refunded.satang.as_satang()
                    + totals.refund_due.satang.as_satang()
                    + totals.needs_attention.satang.as_satang()
                    + totals.in_progress.satang.as_satang()
                    + overpaid,
                "{totals:?}"
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn the_daily_report_adds_up_sale_by_sale(plans in prop::collection::vec(plan(), 1..24)) {
        check(&plans).unwrap();
    }
}

#[test]
fn every_outcome_once_for_every_operator() {
    let plans: Vec<Plan> = OUTCOMES
        .iter()
        .enumerate()
        .flat_map(|(n, outcome)| {
            (0..OPERATORS.len()).map(move |operator| Plan {
                operator,
                day: (n % 2) as i64,
                offset: 3_600_000 * (n as i64 % 24),
                amount: AMOUNTS[n % AMOUNTS.len()],
                method: PaymentMethod::ALL[(n + operator) % PaymentMethod::ALL.len()],
                outcome: *outcome,
            })
        })
        .collect();
    check(&plans).unwrap();
}

#[test]
fn a_day_without_sales_has_an_empty_report() {
    let shop = shop().unwrap();
    let day = BusinessDay::parse("2026-03-01").unwrap();
    assert!(shop.ledger.daily_by_operator(day).unwrap().is_empty());
}

#[test]
fn a_report_for_a_known_day_has_the_expected_figures() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    let plans = [
        (Outcome::Completed, 5_000),
        (Outcome::Completed, 10_000),
        (Outcome::FailedRefunded, 2_000),
        (Outcome::Underpaid, 5_000),
        (Outcome::Expired, 15_050),
    ];
    for (n, (outcome, amount)) in plans.into_iter().enumerate() {
        let plan = Plan {
            operator: 0,
            day: 0,
            offset: 0,
            amount,
            method: PaymentMethod::Cash,
            outcome,
        };
        drive(&shop.ledger, &format!("K{n}"), &plan, at).unwrap();
    }
    let report = shop
        .ledger
        .daily_by_operator(BusinessDay::parse("2026-03-01").unwrap())
        .unwrap();
    let totals = |count, satang| OutcomeTotals {
        count,
        satang: Satang::new(satang),
    };
    assert_eq!(
        report,
        vec![OperatorTotals {
            operator_id: "op-alpha".into(),
            sales: totals(5, 37_050),
            received: totals(4, 5_000 + 10_000 + 2_000 + 4_900),
            completed: totals(2, 15_000),
            refunded: totals(1, 2_000),
            refund_due: totals(1, 4_900),
            needs_attention: totals(0, 0),
            in_progress: totals(0, 0),
            unpaid: totals(1, 0),
        }]
    );
    assert!(shop
        .ledger
        .daily_by_operator(BusinessDay::parse("2026-03-02").unwrap())
        .unwrap()
        .is_empty());
}
