//! Operators and shifts: the first owner, the last owner, the PIN lockout counter, and the blind
//! close of a shift with its cash arithmetic (worked examples and a property test).

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Barrier};

use common::{actor_of, callback, day_zero, event_kinds, owner, shop, wepay_topup};
use proptest::prelude::*;
use termdee_domain::{Actor, ActorKind, PaymentMethod, Satang, UnixMillis};
use termdee_ledger::{
    Ledger, LedgerError, Operator, OperatorRole, PinChange, PinLockout, TopupState,
};

/// Not a real hash of anything: the ledger only checks it is an argon2id PHC string.
const HASH: &str = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";
const LOCKOUT: PinLockout = PinLockout {
    after: 5,
    for_ms: 900_000,
};

fn person(id: &str, role: OperatorRole, active: bool) -> Operator {
    Operator {
        id: id.into(),
        name: id.to_uppercase(),
        role,
        easysoft_users: id.into(),
        active,
    }
}

fn boss() -> Actor {
    Actor::new(ActorKind::Owner, "boss")
}

#[test]
fn the_first_owner_is_created_once() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    assert!(!shop.ledger.has_owner().unwrap());
    shop.ledger
        .create_first_owner(&person("boss", OperatorRole::Owner, true), HASH, at)
        .unwrap();
    assert!(shop.ledger.has_owner().unwrap());
    let account = shop.ledger.operator_account("boss").unwrap().unwrap();
    assert_eq!(account.operator.role, OperatorRole::Owner);
    assert_eq!(account.pin_hash.as_deref(), Some(HASH));
    assert!(!format!("{account:?}").contains("argon2"), "{account:?}");
    assert_eq!(
        shop.ledger.last_event().unwrap().unwrap().kind,
        "owner_created"
    );

    let again = shop
        .ledger
        .create_first_owner(&person("boss2", OperatorRole::Owner, true), HASH, at)
        .unwrap_err();
    assert!(matches!(again, LedgerError::OwnerExists), "{again:?}");
    assert!(shop.ledger.operator("boss2").unwrap().is_none());
    let not_owner = shop
        .ledger
        .create_first_owner(&person("c", OperatorRole::Cashier, true), HASH, at)
        .unwrap_err();
    assert!(
        matches!(not_owner, LedgerError::Invalid(_)),
        "{not_owner:?}"
    );
}

#[test]
fn two_screens_racing_through_the_first_start_make_one_owner() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    let ledgers: Vec<Arc<Ledger>> = (0..4)
        .map(|_| Arc::new(Ledger::open(&shop.path).unwrap()))
        .collect();
    let barrier = Arc::new(Barrier::new(ledgers.len()));
    let handles: Vec<_> = ledgers
        .into_iter()
        .enumerate()
        .map(|(n, ledger)| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                ledger.create_first_owner(
                    &person(&format!("owner-{n}"), OperatorRole::Owner, true),
                    HASH,
                    at,
                )
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .all(|e| matches!(e, LedgerError::OwnerExists)));
    let owners = shop
        .ledger
        .operators()
        .unwrap()
        .into_iter()
        .filter(|o| o.role == OperatorRole::Owner)
        .count();
    assert_eq!(owners, 1);
}

#[test]
fn the_last_active_owner_cannot_be_demoted_or_deactivated() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    let ledger = &shop.ledger;
    ledger
        .create_first_owner(&person("boss", OperatorRole::Owner, true), HASH, at)
        .unwrap();
    for change in [
        person("boss", OperatorRole::Cashier, true),
        person("boss", OperatorRole::Owner, false),
        person("boss", OperatorRole::Kiosk, true),
    ] {
        let error = ledger
            .save_operator(&change, &PinChange::Keep, at, &boss())
            .unwrap_err();
        assert!(
            matches!(error, LedgerError::LastOwner),
            "{change:?}: {error:?}"
        );
        let error = ledger.upsert_operator(&change, at).unwrap_err();
        assert!(
            matches!(error, LedgerError::LastOwner),
            "{change:?}: {error:?}"
        );
    }
    assert_eq!(
        ledger.operator("boss").unwrap().unwrap(),
        person("boss", OperatorRole::Owner, true)
    );
    // A second owner with a PIN: now the first may step down.
    ledger
        .save_operator(
            &person("partner", OperatorRole::Owner, true),
            &PinChange::Set(HASH.into()),
            at,
            &boss(),
        )
        .unwrap();
    ledger
        .save_operator(
            &person("boss", OperatorRole::Cashier, true),
            &PinChange::Keep,
            at,
            &boss(),
        )
        .unwrap();
    let account = ledger.operator_account("boss").unwrap().unwrap();
    assert_eq!(account.operator.role, OperatorRole::Cashier);
    assert_eq!(account.pin_hash.as_deref(), Some(HASH), "the PIN is kept");
    let error = ledger
        .save_operator(
            &person("partner", OperatorRole::Owner, false),
            &PinChange::Keep,
            at,
            &boss(),
        )
        .unwrap_err();
    assert!(matches!(error, LedgerError::LastOwner), "{error:?}");
}

#[test]
fn saving_a_kiosk_clears_its_pin_and_a_new_owner_needs_one() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    let ledger = &shop.ledger;
    ledger
        .save_operator(
            &person("op-alpha", OperatorRole::Cashier, true),
            &PinChange::Set(HASH.into()),
            at,
            &boss(),
        )
        .unwrap();
    assert!(ledger
        .operator_account("op-alpha")
        .unwrap()
        .unwrap()
        .pin_hash
        .is_some());
    ledger
        .save_operator(
            &person("op-alpha", OperatorRole::Kiosk, true),
            &PinChange::Set(HASH.into()),
            at,
            &boss(),
        )
        .unwrap();
    assert_eq!(
        ledger
            .operator_account("op-alpha")
            .unwrap()
            .unwrap()
            .pin_hash,
        None
    );
    // An owner without a PIN is refused by the schema.
    assert!(ledger
        .save_operator(
            &person("nopin", OperatorRole::Owner, true),
            &PinChange::Keep,
            at,
            &boss(),
        )
        .is_err());
    assert!(ledger.operator("nopin").unwrap().is_none());
    // Two saves, two events; the refused one left none.
    let c = common::raw(&shop).unwrap();
    let mut statement = c
        .prepare("SELECT kind FROM events WHERE sale_id IS NULL ORDER BY seq")
        .unwrap();
    let kinds: Vec<String> = statement
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(kinds, ["operator_saved", "operator_saved"]);
    // A blank Easysoft users value is refused before writing.
    let mut blank = person("x", OperatorRole::Cashier, true);
    blank.easysoft_users = " ".into();
    assert!(matches!(
        ledger.save_operator(&blank, &PinChange::Set(HASH.into()), at, &boss()),
        Err(LedgerError::Invalid(_))
    ));
}

#[test]
fn five_wrong_pins_in_a_row_lock_and_a_right_one_or_an_unlock_starts_again() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    let ledger = &shop.ledger;
    let who = actor_of("op-alpha");
    for n in 1..=4 {
        let failure = ledger
            .pin_failed("op-alpha", LOCKOUT, at + n, &who)
            .unwrap();
        assert_eq!(failure.failed_pins, n);
        assert_eq!(failure.locked_until, None);
    }
    ledger.pin_succeeded("op-alpha", at + 5).unwrap();
    assert_eq!(
        ledger
            .operator_account("op-alpha")
            .unwrap()
            .unwrap()
            .failed_pins,
        0
    );
    for n in 1..=4 {
        ledger
            .pin_failed("op-alpha", LOCKOUT, at + 10 + n, &who)
            .unwrap();
    }
    let fifth = ledger
        .pin_failed("op-alpha", LOCKOUT, at + 20, &who)
        .unwrap();
    assert_eq!(fifth.locked_until, Some(at + 20 + 900_000));
    assert_eq!(fifth.failed_pins, 0, "the count starts again after a lock");
    let account = ledger.operator_account("op-alpha").unwrap().unwrap();
    assert!(account.is_locked(at + 20));
    assert!(account.is_locked(at + 20 + 899_999));
    assert!(!account.is_locked(at + 20 + 900_000));
    let locked = ledger.last_event().unwrap().unwrap();
    assert_eq!(locked.kind, "operator_locked");
    assert_eq!(locked.actor_id, "op-alpha");

    ledger
        .unlock_operator("op-alpha", at + 30, &owner())
        .unwrap();
    let account = ledger.operator_account("op-alpha").unwrap().unwrap();
    assert!(!account.is_locked(at + 30));
    assert_eq!(
        ledger.last_event().unwrap().unwrap().kind,
        "operator_unlocked"
    );

    assert!(matches!(
        ledger.pin_failed("nobody", LOCKOUT, at, &who),
        Err(LedgerError::NotFound { .. })
    ));
    assert!(matches!(
        ledger.unlock_operator("nobody", at, &owner()),
        Err(LedgerError::NotFound { .. })
    ));
}

// ----- shifts ------------------------------------------------------------------------------------

/// A cash sale of `amount` in `shift`, paid and topped up (or left as `end` says).
#[allow(clippy::too_many_arguments)]
fn cash_sale(
    ledger: &Ledger,
    id: &str,
    operator: &str,
    shift: Option<i64>,
    method: PaymentMethod,
    amount: i64,
    end: End,
    at: UnixMillis,
) {
    let (mut sale, payment) =
        common::new_sale(id, operator, amount, method, at).expect("the test sale is written");
    sale.shift_id = shift;
    let (_, payment) = ledger
        .create_sale(&sale, &payment, &actor_of(operator))
        .expect("the test sale is written");
    if end == End::Unpaid {
        ledger
            .cancel_unpaid(id, at + 1, &actor_of(operator))
            .expect("the test sale is written");
        return;
    }
    ledger
        .payment_received(payment.id, Satang::new(amount), at + 1, &actor_of(operator))
        .expect("the test sale is written");
    let topup = ledger
        .begin_topup(
            id,
            &wepay_topup(&format!("k{id}"), amount),
            at + 2,
            &Actor::poller(),
        )
        .expect("test setup");
    ledger
        .topup_progress(
            topup.id,
            TopupState::Pending,
            Some("T"),
            Some(Satang::new(amount * 97 / 100)),
            "",
            at + 3,
            &Actor::poller(),
        )
        .expect("test setup");
    match end {
        End::Delivered => {
            ledger
                .topup_succeeded(topup.id, None, "ok", at + 4, &callback("wepay"))
                .expect("the test sale is written");
        }
        End::RefundDue => {
            ledger
                .topup_failed(topup.id, "failed", at + 4, &Actor::poller())
                .expect("the test sale is written");
        }
        End::Unpaid => {}
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Unpaid,
    Delivered,
    RefundDue,
}

#[test]
fn a_blind_close_computes_expected_cash_from_the_shifts_sales_and_refunds() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    let ledger = &shop.ledger;
    let alpha = actor_of("op-alpha");
    let earlier = ledger
        .open_shift(
            "op-bravo",
            common::COUNTER,
            Satang::new(20_000),
            at,
            &actor_of("op-bravo"),
        )
        .unwrap();
    // A cash sale of bravo's shift that fails; alpha will hand the money back in her shift.
    cash_sale(
        ledger,
        "E1",
        "op-bravo",
        Some(earlier.id),
        PaymentMethod::Cash,
        3_000,
        End::RefundDue,
        at,
    );
    ledger
        .close_shift(
            earlier.id,
            Satang::new(23_000),
            at + 50,
            &actor_of("op-bravo"),
        )
        .unwrap();

    let shift = ledger
        .open_shift(
            "op-alpha",
            common::COUNTER,
            Satang::new(100_000),
            at + 100,
            &alpha,
        )
        .unwrap();
    assert_eq!(
        ledger.open_shift_of_operator("op-alpha").unwrap(),
        Some(shift.clone())
    );
    assert!(ledger.any_shift_open().unwrap());
    let s = Some(shift.id);
    cash_sale(
        ledger,
        "C1",
        "op-alpha",
        s,
        PaymentMethod::Cash,
        5_000,
        End::Delivered,
        at + 200,
    );
    cash_sale(
        ledger,
        "C2",
        "op-alpha",
        s,
        PaymentMethod::Cash,
        10_000,
        End::Delivered,
        at + 300,
    );
    cash_sale(
        ledger,
        "C3",
        "op-alpha",
        s,
        PaymentMethod::Cash,
        2_000,
        End::RefundDue,
        at + 400,
    );
    cash_sale(
        ledger,
        "C4",
        "op-alpha",
        s,
        PaymentMethod::Cash,
        4_000,
        End::Unpaid,
        at + 500,
    );
    cash_sale(
        ledger,
        "Q1",
        "op-alpha",
        s,
        PaymentMethod::Tmweasy,
        7_000,
        End::Delivered,
        at + 600,
    );
    cash_sale(
        ledger,
        "Q2",
        "op-alpha",
        s,
        PaymentMethod::PromptPayLocal,
        8_000,
        End::RefundDue,
        at + 700,
    );
    // Alpha hands back C3 (her shift), E1 (bravo's sale, from her drawer) and Q2 (a transfer).
    ledger
        .refund_given("C3", "cash back", at + 800, &alpha)
        .unwrap();
    ledger
        .refund_given("E1", "cash back", at + 810, &alpha)
        .unwrap();
    ledger
        .refund_given("Q2", "transfer back", at + 820, &alpha)
        .unwrap();
    assert_eq!(ledger.sale("E1").unwrap().refund_shift_id, Some(shift.id));
    assert_eq!(ledger.shift_sales_count(shift.id).unwrap(), 6);
    assert_eq!(ledger.sales_of_shift(shift.id).unwrap().len(), 6);

    let running = ledger.shift_cash(shift.id).unwrap();
    assert_eq!(running.cash_sales, Satang::new(5_000 + 10_000 + 2_000));
    assert_eq!(running.cash_refunds, Satang::new(2_000 + 3_000));
    assert_eq!(running.expected, Satang::new(100_000 + 17_000 - 5_000));

    let closed = ledger
        .close_shift(shift.id, Satang::new(111_500), at + 900, &alpha)
        .unwrap();
    let close = closed.close.unwrap();
    assert_eq!(close.expected, Satang::new(112_000));
    assert_eq!(close.variance, Satang::new(-500), "50 baht missing");
    assert_eq!(closed.counted_cash, Some(Satang::new(111_500)));
    assert_eq!(closed.closed_at, Some(at + 900));
    assert_eq!(closed.closed_by.as_deref(), Some("op-alpha"));
    assert_eq!(ledger.shift(shift.id).unwrap(), Some(closed.clone()));
    assert_eq!(
        ledger.shift_cash(shift.id).unwrap(),
        close,
        "frozen once closed"
    );
    let event = ledger.last_event().unwrap().unwrap();
    assert_eq!(event.kind, "shift_closed");
    assert!(
        event.detail.contains("\"variance\":-500"),
        "{}",
        event.detail
    );

    // A refund after the close, by the owner who has no shift, touches no drawer.
    cash_sale(
        ledger,
        "L1",
        "op-alpha",
        s,
        PaymentMethod::Cash,
        1_000,
        End::RefundDue,
        at + 1_000,
    );
    ledger
        .refund_given("L1", "from the safe", at + 1_100, &owner())
        .unwrap();
    assert_eq!(ledger.sale("L1").unwrap().refund_shift_id, None);
    assert!(!ledger.any_shift_open().unwrap());

    // Closing again, or with a negative count, is refused and changes nothing.
    assert!(matches!(
        ledger.close_shift(shift.id, Satang::ZERO, at + 1_200, &alpha),
        Err(LedgerError::NotFound { .. })
    ));
    assert!(matches!(
        ledger.close_shift(earlier.id, Satang::new(-1), at + 1_200, &alpha),
        Err(LedgerError::Invalid(_))
    ));
    assert_eq!(ledger.shift(shift.id).unwrap(), Some(closed));
    assert_eq!(
        event_kinds(ledger, "C3")
            .unwrap()
            .last()
            .map(String::as_str),
        Some("refunded")
    );
}

#[test]
fn a_register_has_one_open_shift() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    let ledger = &shop.ledger;
    ledger
        .open_shift(
            "op-alpha",
            common::COUNTER,
            Satang::ZERO,
            at,
            &actor_of("op-alpha"),
        )
        .unwrap();
    assert!(ledger
        .open_shift(
            "op-bravo",
            common::COUNTER,
            Satang::ZERO,
            at,
            &actor_of("op-bravo")
        )
        .is_err());
    assert!(ledger.open_shift_of_operator("op-bravo").unwrap().is_none());
    // Another register may have its own.
    ledger
        .open_shift(
            "op-bravo",
            common::KIOSK,
            Satang::ZERO,
            at,
            &actor_of("op-bravo"),
        )
        .unwrap();
}

/// One sale of the property test: who, which method, how it ends, and who hands back.
#[derive(Debug, Clone)]
struct Step {
    in_shift: bool,
    method: PaymentMethod,
    amount: i64,
    end: End,
    /// For a refund-due sale: handed back by the shift's cashier (in the shift) or the owner.
    refunded_in_shift: Option<bool>,
}

fn step() -> impl Strategy<Value = Step> {
    (
        any::<bool>(),
        prop::sample::select(PaymentMethod::ALL.to_vec()),
        1i64..50_000,
        prop::sample::select(vec![End::Unpaid, End::Delivered, End::RefundDue]),
        prop::option::of(any::<bool>()),
    )
        .prop_map(|(in_shift, method, amount, end, refunded_in_shift)| Step {
            in_shift,
            method,
            amount,
            end,
            refunded_in_shift,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn expected_cash_is_float_plus_cash_in_minus_cash_handed_back(
        float in 0i64..1_000_000,
        counted in 0i64..2_000_000,
        steps in prop::collection::vec(step(), 0..16),
    ) {
        let shop = shop().unwrap();
        let at = day_zero().unwrap();
        let ledger = &shop.ledger;
        let alpha = actor_of("op-alpha");
        let shift = ledger
            .open_shift("op-alpha", common::COUNTER, Satang::new(float), at, &alpha)
            .unwrap();
        let mut cash_in = 0;
        let mut cash_out = 0;
        let mut refunded: BTreeMap<String, bool> = BTreeMap::new();
        for (n, step) in steps.iter().enumerate() {
            let id = format!("P{n:02}");
            let t = at + 1_000 * (n as i64 + 1);
            let shift_id = step.in_shift.then_some(shift.id);
            cash_sale(ledger, &id, "op-alpha", shift_id, step.method, step.amount, step.end, t);
            let cash = step.method == PaymentMethod::Cash;
            if cash && step.in_shift && step.end != End::Unpaid {
                cash_in += step.amount;
            }
            if let (End::RefundDue, Some(by_cashier)) = (step.end, step.refunded_in_shift) {
                let who = if by_cashier { alpha.clone() } else { owner() };
                ledger.refund_given(&id, "back", t + 10, &who).unwrap();
                refunded.insert(id, by_cashier);
                if cash && by_cashier {
                    cash_out += step.amount;
                }
            }
        }
        let closed = ledger
            .close_shift(shift.id, Satang::new(counted), at + 100_000, &alpha)
            .unwrap();
        let close = closed.close.unwrap();
        let expected = float + cash_in - cash_out;
        prop_assert_eq!(close.cash_sales.as_satang(), cash_in);
        prop_assert_eq!(close.cash_refunds.as_satang(), cash_out);
        prop_assert_eq!(close.expected.as_satang(), expected);
        prop_assert_eq!(close.variance.as_satang(), counted - expected);
        for (id, by_cashier) in refunded {
            let sale = ledger.sale(&id).unwrap();
            prop_assert_eq!(sale.refund_shift_id, by_cashier.then_some(shift.id));
        }
    }
}
