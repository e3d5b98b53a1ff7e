//! The owner's reports against an independent count: random days of sales, driven through the
//! API to every outcome on random networks, methods and providers, must add up the same whether
//! summed by the ledger's SQL (for every dimension, range and scope) or one sale at a time here;
//! and every sale keeps `received = delivered + refunded + outstanding`.

mod common;

use std::collections::BTreeMap;

use common::{actor_of, callback, create_on, day_zero, owner, shop, TestResult, OPERATORS};
use proptest::prelude::*;
use termdee_domain::{Actor, BusinessDay, Network, PaymentMethod, SaleState, Satang, UnixMillis};
use termdee_ledger::{
    Ledger, NewPayment, NewTopup, OutcomeTotals, PaymentEnd, ReportDimension, ReportRow,
    ReportScope, Sale, TopupState,
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

const PROVIDERS: [&str; 2] = ["wepay", "easysoft"];

/// One generated sale.
#[derive(Debug, Clone)]
struct Plan {
    operator: usize,
    day: i64,
    offset: i64,
    amount: i64,
    method: PaymentMethod,
    network: Network,
    /// The first provider asked (a second attempt asks the other one).
    provider: usize,
    /// The provider's discount in basis points, or `None` when it does not say what it debited.
    discount_bp: Option<i64>,
    outcome: Outcome,
}

/// What the sale must look like afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Expected {
    state: SaleState,
    received: i64,
    delivered: i64,
    refunded: i64,
    /// The provider last asked ("" when none was).
    provider: String,
    /// What the delivering provider debited (0 when unknown or not delivered).
    cost: i64,
}

fn plan() -> impl Strategy<Value = Plan> {
    (
        (
            0..OPERATORS.len(),
            0i64..3,
            // Mostly anywhere in the day, sometimes in the last seconds before Bangkok midnight
            // (later steps of the sale then happen the next day; it still counts on the first).
            prop_oneof![0..DAY_MS, (DAY_MS - 5_000)..DAY_MS],
            prop::sample::select(AMOUNTS.to_vec()),
        ),
        (
            prop::sample::select(PaymentMethod::ALL.to_vec()),
            prop::sample::select(Network::ALL.to_vec()),
            0..PROVIDERS.len(),
            prop::option::of(0i64..600),
            prop::sample::select(OUTCOMES.to_vec()),
        ),
    )
        .prop_map(
            |(
                (operator, day, offset, amount),
                (method, network, provider, discount_bp, outcome),
            )| {
                Plan {
                    operator,
                    day,
                    offset,
                    amount,
                    method,
                    network,
                    provider,
                    discount_bp,
                    outcome,
                }
            },
        )
}

/// Drives one sale through the API to its outcome; returns what it must look like.
fn drive(ledger: &Ledger, id: &str, plan: &Plan, first_day: UnixMillis) -> TestResult<Expected> {
    let operator = OPERATORS[plan.operator];
    let seller = actor_of(operator);
    let engine = Actor::poller();
    let a = plan.amount;
    let cost = plan.discount_bp.map(|bp| a - a * bp / 10_000);
    let mut at = first_day + plan.day * DAY_MS + plan.offset;
    let mut tick = || {
        at += 1_000;
        at
    };
    let (_, payment) = create_on(ledger, id, operator, a, plan.method, plan.network, tick())?;
    let pay = |amount: i64, at: UnixMillis| -> TestResult {
        ledger.payment_received(payment.id, Satang::new(amount), at, &callback("payer"))?;
        Ok(())
    };
    // Attempt n asks the planned provider first, then the other one.
    let provider = |n: u32| PROVIDERS[(plan.provider + n as usize - 1) % PROVIDERS.len()];
    let begin = |n: u32, at: UnixMillis| -> TestResult<i64> {
        let topup = NewTopup {
            provider: provider(n).into(),
            reference: format!("k-{id}-{n}"),
            product: "12CALL".into(),
            amount: Satang::new(a),
            users: None,
        };
        Ok(ledger.begin_topup(id, &topup, at, &engine)?.id)
    };
    let deliver = |topup: i64, at: UnixMillis| -> TestResult {
        ledger.topup_progress(
            topup,
            TopupState::Pending,
            Some("T"),
            cost.map(Satang::new),
            "",
            at,
            &engine,
        )?;
        ledger.topup_succeeded(topup, None, "ok", at + 1, &callback("wepay"))?;
        Ok(())
    };
    let expect = |state, received, delivered, refunded, asked: Option<u32>, cost: i64| Expected {
        state,
        received,
        delivered,
        refunded,
        provider: asked.map(|n| provider(n).to_owned()).unwrap_or_default(),
        cost,
    };
    let delivered_cost = cost.unwrap_or(0);
    use Outcome::*;
    use SaleState as S;
    Ok(match plan.outcome {
        Awaiting => expect(S::AwaitingPayment, 0, 0, 0, None, 0),
        Expired => {
            ledger.payment_ended(payment.id, PaymentEnd::Expired, tick(), &engine)?;
            expect(S::PaymentExpired, 0, 0, 0, None, 0)
        }
        Cancelled => {
            ledger.cancel_unpaid(id, tick(), &seller)?;
            expect(S::PaymentCancelled, 0, 0, 0, None, 0)
        }
        Paid => {
            pay(a, tick())?;
            expect(S::Paid, a, 0, 0, None, 0)
        }
        TopupPending | TopupUnknown => {
            pay(a, tick())?;
            let topup = begin(1, tick())?;
            let state = if plan.outcome == TopupPending {
                TopupState::Pending
            } else {
                TopupState::Unknown
            };
            // A cost said on acceptance is not the sale's cost until the credit is delivered.
            ledger.topup_progress(
                topup,
                state,
                None,
                cost.map(Satang::new),
                "",
                tick(),
                &engine,
            )?;
            expect(S::TopupPending, a, 0, 0, Some(1), 0)
        }
        Completed => {
            pay(a, tick())?;
            let topup = begin(1, tick())?;
            deliver(topup, tick())?;
            expect(S::Completed, a, a, 0, Some(1), delivered_cost)
        }
        OverpaidCompleted => {
            pay(a + 700, tick())?;
            let topup = begin(1, tick())?;
            deliver(topup, tick())?;
            expect(S::Completed, a + 700, a, 0, Some(1), delivered_cost)
        }
        LatePaymentCompleted => {
            ledger.payment_ended(payment.id, PaymentEnd::Expired, tick(), &engine)?;
            pay(a, tick())?;
            let topup = begin(1, tick())?;
            deliver(topup, tick())?;
            expect(S::Completed, a, a, 0, Some(1), delivered_cost)
        }
        Underpaid => {
            pay(a - 100, tick())?;
            expect(S::RefundDue, a - 100, 0, 0, None, 0)
        }
        UnderpaidRefunded => {
            pay(a - 100, tick())?;
            ledger.refund_given(id, "cash back", tick(), &owner())?;
            expect(S::Refunded, a - 100, 0, a - 100, None, 0)
        }
        Failed | FailedRefunded => {
            pay(a, tick())?;
            let topup = begin(1, tick())?;
            ledger.topup_failed(topup, "failed", tick(), &engine)?;
            if plan.outcome == Failed {
                expect(S::RefundDue, a, 0, 0, Some(1), 0)
            } else {
                ledger.refund_given(id, "cash back", tick(), &owner())?;
                expect(S::Refunded, a, 0, a, Some(1), 0)
            }
        }
        NeedsAttention | ResolvedDelivered | ResolvedNotDelivered => {
            pay(a, tick())?;
            let topup = begin(1, tick())?;
            ledger.topup_needs_person(topup, "no answer", tick(), &engine)?;
            match plan.outcome {
                NeedsAttention => expect(S::NeedsAttention, a, 0, 0, Some(1), 0),
                ResolvedDelivered => {
                    // The provider never said what it debited: the cost stays unknown (0).
                    ledger.resolve_topup(id, true, "arrived", tick(), &owner())?;
                    expect(S::Completed, a, a, 0, Some(1), 0)
                }
                _ => {
                    ledger.resolve_topup(id, false, "never arrived", tick(), &owner())?;
                    expect(S::RefundDue, a, 0, 0, Some(1), 0)
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
                expect(S::Completed, a, a, 0, Some(2), delivered_cost)
            } else {
                ledger.mark_refund_due(id, "every provider refused", tick(), &engine)?;
                expect(S::RefundDue, a, 0, 0, Some(1), 0)
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
            expect(S::Completed, 2 * a, a, 0, Some(1), delivered_cost)
        }
    })
}

fn add(totals: &mut OutcomeTotals, satang: Satang) {
    totals.count += 1;
    totals.satang = Satang::new(totals.satang.as_satang() + satang.as_satang());
}

/// A sale's key for a dimension.
fn key_of(sale: &Sale, by: ReportDimension) -> String {
    match by {
        ReportDimension::Operator => sale.operator_id.clone(),
        ReportDimension::Network => sale.network.code().to_owned(),
        ReportDimension::Provider => sale.provider.clone(),
        ReportDimension::Method => sale.method.code().to_owned(),
        ReportDimension::Register => sale.register_id.clone(),
    }
}

/// The report computed one sale at a time from `all_sales()`.
fn expected_report(sales: &[&Sale], key: impl Fn(&Sale) -> String) -> Vec<ReportRow> {
    let mut by_key: BTreeMap<String, ReportRow> = BTreeMap::new();
    for sale in sales {
        let row = by_key.entry(key(sale)).or_insert_with(|| ReportRow {
            key: key(sale),
            ..ReportRow::default()
        });
        add(&mut row.sales, sale.amount);
        if sale.received > Satang::ZERO {
            add(&mut row.received, sale.received);
        }
        let bucket = match sale.state {
            SaleState::Completed => (&mut row.completed, sale.delivered),
            SaleState::Refunded => (&mut row.refunded, sale.refunded),
            SaleState::RefundDue => (&mut row.refund_due, sale.outstanding()),
            SaleState::NeedsAttention => (&mut row.needs_attention, sale.outstanding()),
            SaleState::AwaitingPayment | SaleState::Paid | SaleState::TopupPending => {
                (&mut row.in_progress, sale.outstanding())
            }
            SaleState::PaymentExpired | SaleState::PaymentCancelled => {
                (&mut row.unpaid, Satang::ZERO)
            }
        };
        add(bucket.0, bucket.1);
        row.cost = Satang::new(row.cost.as_satang() + sale.cost.as_satang());
        row.margin = Satang::new(
            row.margin.as_satang() + sale.delivered.as_satang() - sale.cost.as_satang(),
        );
    }
    by_key.into_values().collect()
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
        let want = &expected[&sale.id];
        let found = Expected {
            state: sale.state,
            received: sale.received.as_satang(),
            delivered: sale.delivered.as_satang(),
            refunded: sale.refunded.as_satang(),
            provider: sale.provider.clone(),
            cost: sale.cost.as_satang(),
        };
        assert_eq!(&found, want, "{}", sale.id);
        // The money identity, and nothing negative.
        let outstanding = sale.outstanding().as_satang();
        assert_eq!(
            want.received,
            want.delivered + want.refunded + outstanding,
            "{}",
            sale.id
        );
        assert!(outstanding >= 0, "{sale:?}");
        assert!(
            want.delivered == 0 || want.delivered == sale.amount.as_satang(),
            "{sale:?}"
        );
        assert!(
            want.delivered > 0 || want.cost == 0,
            "cost without credit: {sale:?}"
        );
        // Money waiting for a person or the engine is exactly what is outstanding.
        if matches!(
            sale.state,
            SaleState::RefundDue
                | SaleState::NeedsAttention
                | SaleState::Paid
                | SaleState::TopupPending
        ) {
            assert_eq!(outstanding, want.received, "{sale:?}");
        }
        if !sale.state.money_received() {
            assert_eq!((want.received, outstanding), (0, 0), "{sale:?}");
        }
    }

    let start = BusinessDay::of(first_day);
    let day = |d: i64| BusinessDay::of(start.start() + d * DAY_MS);
    // Single days (one before, the three sold on, one after) and ranges across them.
    let ranges = [
        (-1, -1),
        (0, 0),
        (1, 1),
        (2, 2),
        (3, 3),
        (0, 2),
        (-1, 3),
        (1, 2),
    ];
    for (from, to) in ranges {
        let (from, to) = (day(from), day(to));
        let in_range: Vec<&Sale> = sales
            .iter()
            .filter(|s| s.day >= from && s.day <= to)
            .collect();
        for by in ReportDimension::ALL {
            let report = shop.ledger.report(from, to, by, ReportScope::Shop)?;
            assert_eq!(
                report,
                expected_report(&in_range, |s| key_of(s, by)),
                "{from}..{to} by {by}"
            );
            // Whatever the breakdown, the lines add up to the same total.
            let total = termdee_domain::report::total(&report);
            let by_operator =
                shop.ledger
                    .report(from, to, ReportDimension::Operator, ReportScope::Shop)?;
            assert_eq!(total, termdee_domain::report::total(&by_operator), "{by}");
        }
        // A cashier's own view holds their sales and nobody else's, for every dimension.
        for operator in OPERATORS {
            let theirs: Vec<&Sale> = in_range
                .iter()
                .copied()
                .filter(|s| s.operator_id == operator)
                .collect();
            for by in ReportDimension::ALL {
                let report = shop
                    .ledger
                    .report(from, to, by, ReportScope::Operator(operator))?;
                assert_eq!(
                    report,
                    expected_report(&theirs, |s| key_of(s, by)),
                    "{operator} {from}..{to} by {by}"
                );
            }
        }
        // Per day, every key added up.
        let days = shop.ledger.report_days(from, to, ReportScope::Shop)?;
        let expected_days: Vec<(BusinessDay, ReportRow)> =
            expected_report(&in_range, |s| s.day.to_string())
                .into_iter()
                .map(|row| {
                    (
                        BusinessDay::parse(&row.key).expect("a day the ledger wrote"),
                        row,
                    )
                })
                .collect();
        assert_eq!(days, expected_days, "{from}..{to} by day");
    }

    for d in -1..=3 {
        let day = day(d);
        let report = shop.ledger.daily_by_operator(day)?;
        for totals in &report {
            let of_operator: Vec<&Sale> = sales
                .iter()
                .filter(|s| s.day == day && s.operator_id == totals.key)
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
            assert_eq!(
                totals.margin.as_satang(),
                totals.completed.satang.as_satang() - totals.cost.as_satang()
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn every_report_adds_up_sale_by_sale(plans in prop::collection::vec(plan(), 1..24)) {
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
                network: Network::ALL[n % Network::ALL.len()],
                provider: (n + operator) % PROVIDERS.len(),
                discount_bp: (n % 3 != 0).then_some(300),
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
    for by in ReportDimension::ALL {
        assert!(shop
            .ledger
            .report(day, day, by, ReportScope::Shop)
            .unwrap()
            .is_empty());
    }
    assert!(shop
        .ledger
        .report_days(day, day, ReportScope::Operator("op-alpha"))
        .unwrap()
        .is_empty());
}

#[test]
fn a_range_that_ends_before_it_starts_is_refused() {
    let shop = shop().unwrap();
    let from = BusinessDay::parse("2026-03-02").unwrap();
    let to = BusinessDay::parse("2026-03-01").unwrap();
    let error = shop
        .ledger
        .report(from, to, ReportDimension::Network, ReportScope::Shop)
        .unwrap_err();
    assert!(
        matches!(error, termdee_ledger::LedgerError::Invalid(_)),
        "{error:?}"
    );
    assert!(shop
        .ledger
        .report_days(from, to, ReportScope::Shop)
        .is_err());
}

#[test]
fn a_report_for_a_known_day_has_the_expected_figures() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    // (outcome, amount, network, first provider, discount)
    let plans = [
        (Outcome::Completed, 5_000, Network::Ais, 0, Some(320)),
        (Outcome::Completed, 10_000, Network::Dtac, 1, None),
        (Outcome::FailedRefunded, 2_000, Network::Ais, 1, Some(300)),
        (Outcome::Underpaid, 5_000, Network::Ais, 0, None),
        (Outcome::Expired, 15_050, Network::Dtac, 0, None),
    ];
    for (n, (outcome, amount, network, provider, discount_bp)) in plans.into_iter().enumerate() {
        let plan = Plan {
            operator: 0,
            day: 0,
            offset: 0,
            amount,
            method: PaymentMethod::Cash,
            network,
            provider,
            discount_bp,
            outcome,
        };
        drive(&shop.ledger, &format!("K{n}"), &plan, at).unwrap();
    }
    let day = BusinessDay::parse("2026-03-01").unwrap();
    let report = shop.ledger.daily_by_operator(day).unwrap();
    let totals = |count, satang| OutcomeTotals {
        count,
        satang: Satang::new(satang),
    };
    // 50 baht at 3.2 % off costs 48.40; the 100 baht sale's provider said nothing (cost 0).
    assert_eq!(
        report,
        vec![ReportRow {
            key: "op-alpha".into(),
            sales: totals(5, 37_050),
            received: totals(4, 5_000 + 10_000 + 2_000 + 4_900),
            completed: totals(2, 15_000),
            refunded: totals(1, 2_000),
            refund_due: totals(1, 4_900),
            needs_attention: totals(0, 0),
            in_progress: totals(0, 0),
            unpaid: totals(1, 0),
            cost: Satang::new(4_840),
            margin: Satang::new(15_000 - 4_840),
        }]
    );
    let by_provider = shop
        .ledger
        .report(day, day, ReportDimension::Provider, ReportScope::Shop)
        .unwrap();
    let keys: Vec<(&str, i64, i64)> = by_provider
        .iter()
        .map(|r| (r.key.as_str(), r.sales.count, r.cost.as_satang()))
        .collect();
    // Unpaid and underpaid sales were never sent to a provider: their key is "".
    assert_eq!(keys, [("", 2, 0), ("easysoft", 2, 0), ("wepay", 1, 4_840)]);
    let by_network = shop
        .ledger
        .report(day, day, ReportDimension::Network, ReportScope::Shop)
        .unwrap();
    let keys: Vec<(&str, i64)> = by_network
        .iter()
        .map(|r| (r.key.as_str(), r.completed.satang.as_satang()))
        .collect();
    assert_eq!(keys, [("ais", 5_000), ("dtac", 10_000)]);
    assert!(shop
        .ledger
        .daily_by_operator(BusinessDay::parse("2026-03-02").unwrap())
        .unwrap()
        .is_empty());
    assert!(shop
        .ledger
        .report(
            day,
            day,
            ReportDimension::Operator,
            ReportScope::Operator("op-bravo")
        )
        .unwrap()
        .is_empty());
}
