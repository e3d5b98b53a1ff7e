//! Whole sales through the public API: the happy paths, every way a sale can go wrong, and the
//! guarantees around them (idempotent repeats write nothing, a refused call writes nothing).

mod common;

use common::{
    actor_of, callback, create, day_zero, event_count, event_kinds, owner, raw, shop, wepay_topup,
    Shop,
};
use termdee_domain::{Actor, ActorKind, PaymentMethod, SaleState, Satang, UnixMillis};
use termdee_ledger::{
    Applied, LedgerError, NewPayment, NewTopup, PaymentEnd, PaymentState, TopupState,
};

const PRICE: i64 = 5_000; // 50 baht

fn poller() -> Actor {
    Actor::poller()
}

/// Creates a cash sale and takes the money at the counter: the sale is `Paid`.
fn paid_cash_sale(shop: &Shop, id: &str, at: UnixMillis) -> common::TestResult {
    let (_, payment) = create(&shop.ledger, id, "op-alpha", PRICE, PaymentMethod::Cash, at)?;
    let applied = shop.ledger.payment_received(
        payment.id,
        Satang::new(PRICE),
        at + 1,
        &actor_of("op-alpha"),
    )?;
    assert_eq!(applied, Applied::Now);
    assert_eq!(shop.ledger.sale(id)?.state, SaleState::Paid);
    Ok(())
}

fn money(shop: &Shop, id: &str) -> (i64, i64, i64, i64) {
    let sale = shop.ledger.sale(id).expect("the sale exists");
    (
        sale.received.as_satang(),
        sale.delivered.as_satang(),
        sale.refunded.as_satang(),
        sale.outstanding().as_satang(),
    )
}

fn conflict_found(error: &LedgerError) -> Option<SaleState> {
    match error {
        LedgerError::Conflict { found, .. } => Some(*found),
        _ => None,
    }
}

#[test]
fn a_provider_qr_sale_from_creation_to_completed() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap() + 9 * 3_600_000;
    let (sale, payment) = create(
        &shop.ledger,
        "S1",
        "kiosk-1",
        PRICE,
        PaymentMethod::Tmweasy,
        at,
    )
    .unwrap();
    assert_eq!(sale.state, SaleState::AwaitingPayment);
    assert_eq!(sale.day.to_string(), "2026-03-01");
    assert_eq!(money(&shop, "S1"), (0, 0, 0, 0));
    assert_eq!(payment.state, PaymentState::Intent);
    assert_eq!(payment.attempt, 1);
    assert_eq!(payment.reference, "tmweasy-S1-1");

    let opened = shop
        .ledger
        .payment_opened(
            payment.id,
            Some("TW-778"),
            Satang::new(PRICE),
            Some(at + 600_000),
            Some(r#"{"qr":"000201"}"#),
            at + 10,
            &actor_of("kiosk-1"),
        )
        .unwrap();
    assert_eq!(opened.state, PaymentState::Open);
    assert_eq!(opened.provider_ref.as_deref(), Some("TW-778"));
    assert_eq!(opened.expires_at, Some(at + 600_000));
    assert_eq!(
        shop.ledger
            .payment_by_reference(PaymentMethod::Tmweasy, "tmweasy-S1-1")
            .unwrap(),
        Some(opened.clone())
    );
    assert_eq!(shop.ledger.open_sales().unwrap().len(), 1);

    let tmweasy = callback("tmweasy");
    assert_eq!(
        shop.ledger
            .payment_received(payment.id, Satang::new(PRICE), at + 20, &tmweasy)
            .unwrap(),
        Applied::Now
    );
    assert_eq!(shop.ledger.sale("S1").unwrap().state, SaleState::Paid);
    assert_eq!(money(&shop, "S1"), (PRICE, 0, 0, PRICE));
    let paid = shop.ledger.payment(payment.id).unwrap();
    assert_eq!(paid.state, PaymentState::Paid);
    assert_eq!(paid.paid_amount, Some(Satang::new(PRICE)));
    assert_eq!(paid.paid_at, Some(at + 20));

    // A duplicate callback: applied once, nothing written.
    let events = event_count(&shop).unwrap();
    assert_eq!(
        shop.ledger
            .payment_received(payment.id, Satang::new(PRICE), at + 21, &poller())
            .unwrap(),
        Applied::Already
    );
    assert_eq!(event_count(&shop).unwrap(), events);
    assert_eq!(money(&shop, "S1"), (PRICE, 0, 0, PRICE));

    let topup = shop
        .ledger
        .begin_topup("S1", &wepay_topup("wp-S1-1", PRICE), at + 30, &poller())
        .unwrap();
    assert_eq!(topup.state, TopupState::Intent);
    assert_eq!(topup.attempt, 1);
    assert_eq!(
        shop.ledger.sale("S1").unwrap().state,
        SaleState::TopupPending
    );

    assert_eq!(
        shop.ledger
            .topup_progress(
                topup.id,
                TopupState::Pending,
                Some("T-9"),
                None,
                "accepted",
                at + 40,
                &poller()
            )
            .unwrap(),
        Applied::Now
    );
    let pending = shop.ledger.topup(topup.id).unwrap();
    assert_eq!(pending.state, TopupState::Pending);
    assert_eq!(pending.provider_ref.as_deref(), Some("T-9"));
    assert_eq!(
        shop.ledger.topup_by_provider_ref("wepay", "T-9").unwrap(),
        Some(pending)
    );

    let wepay = callback("wepay");
    assert_eq!(
        shop.ledger
            .topup_succeeded(topup.id, None, "delivered", at + 50, &wepay)
            .unwrap(),
        Applied::Now
    );
    let done = shop.ledger.sale("S1").unwrap();
    assert_eq!(done.state, SaleState::Completed);
    assert_eq!(done.next_check_at, None);
    assert_eq!(done.attention, None);
    assert_eq!(money(&shop, "S1"), (PRICE, PRICE, 0, 0));
    let succeeded = shop.ledger.topup(topup.id).unwrap();
    assert_eq!(succeeded.state, TopupState::Succeeded);
    assert_eq!(
        succeeded.provider_ref.as_deref(),
        Some("T-9"),
        "kept when not repeated"
    );

    // Repeats of the success, and late progress, write nothing.
    let events = event_count(&shop).unwrap();
    assert_eq!(
        shop.ledger
            .topup_succeeded(topup.id, Some("T-9"), "again", at + 60, &poller())
            .unwrap(),
        Applied::Already
    );
    assert_eq!(
        shop.ledger
            .topup_progress(
                topup.id,
                TopupState::Pending,
                None,
                None,
                "late",
                at + 61,
                &poller()
            )
            .unwrap(),
        Applied::Already
    );
    assert_eq!(event_count(&shop).unwrap(), events);
    assert_eq!(
        shop.ledger.topup(topup.id).unwrap().detail.as_deref(),
        Some("delivered")
    );

    let log = shop.ledger.events_of("S1").unwrap();
    #[allow(clippy::type_complexity)]
    let summary: Vec<(&str, &str, &str, Option<&str>, Option<&str>)> = log
        .iter()
        .map(|e| {
            (
                e.kind.as_str(),
                e.actor_kind.as_str(),
                e.actor_id.as_str(),
                e.from_state.as_deref(),
                e.to_state.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                "sale_created",
                "kiosk",
                "kiosk-1",
                None,
                Some("awaiting_payment")
            ),
            (
                "payment_opened",
                "kiosk",
                "kiosk-1",
                Some("awaiting_payment"),
                Some("awaiting_payment")
            ),
            (
                "payment_received",
                "callback",
                "tmweasy",
                Some("awaiting_payment"),
                Some("paid")
            ),
            (
                "topup_requested",
                "poller",
                "engine",
                Some("paid"),
                Some("topup_pending")
            ),
            (
                "topup_accepted",
                "poller",
                "engine",
                Some("topup_pending"),
                Some("topup_pending")
            ),
            (
                "topup_succeeded",
                "callback",
                "wepay",
                Some("topup_pending"),
                Some("completed")
            ),
        ]
    );
    let times: Vec<UnixMillis> = log.iter().map(|e| e.at).collect();
    assert_eq!(times, vec![at, at + 10, at + 20, at + 30, at + 40, at + 50]);
    assert!(log.windows(2).all(|w| w[0].seq < w[1].seq));
    // The full number never goes into the event log.
    assert!(
        log.iter().all(|e| !e.detail.contains("0812345678")),
        "{log:?}"
    );
    assert!(log[0].detail.contains("081-xxx-5678"), "{}", log[0].detail);

    assert!(shop.ledger.open_sales().unwrap().is_empty());
    assert!(shop.ledger.sales_needing_person().unwrap().is_empty());
}

#[test]
fn a_cash_sale_from_creation_to_completed() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    let cashier = actor_of("op-bravo");
    let (_, payment) = create(
        &shop.ledger,
        "C1",
        "op-bravo",
        PRICE,
        PaymentMethod::Cash,
        at,
    )
    .unwrap();
    assert_eq!(payment.reference, "C1", "cash is keyed by the sale id");
    assert_eq!(
        shop.ledger
            .payment_received(payment.id, Satang::new(PRICE), at + 1, &cashier)
            .unwrap(),
        Applied::Now
    );
    let topup = shop
        .ledger
        .begin_topup("C1", &wepay_topup("wp-C1", PRICE), at + 2, &cashier)
        .unwrap();
    shop.ledger
        .topup_progress(
            topup.id,
            TopupState::Pending,
            Some("T-1"),
            None,
            "ok",
            at + 3,
            &poller(),
        )
        .unwrap();
    assert_eq!(
        shop.ledger
            .topup_succeeded(topup.id, Some("T-1"), "ok", at + 4, &poller())
            .unwrap(),
        Applied::Now
    );
    assert_eq!(shop.ledger.sale("C1").unwrap().state, SaleState::Completed);
    assert_eq!(money(&shop, "C1"), (PRICE, PRICE, 0, 0));
    assert_eq!(
        event_kinds(&shop.ledger, "C1").unwrap(),
        [
            "sale_created",
            "payment_received",
            "topup_requested",
            "topup_accepted",
            "topup_succeeded"
        ]
    );
    let actors: Vec<String> = shop
        .ledger
        .events_of("C1")
        .unwrap()
        .into_iter()
        .map(|e| format!("{}:{}", e.actor_kind, e.actor_id))
        .collect();
    assert_eq!(
        actors,
        [
            "cashier:op-bravo",
            "cashier:op-bravo",
            "cashier:op-bravo",
            "poller:engine",
            "poller:engine"
        ]
    );
}

#[test]
fn a_second_topup_while_one_is_unsettled_is_refused_and_writes_nothing() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    paid_cash_sale(&shop, "S1", at).unwrap();
    let first = shop
        .ledger
        .begin_topup("S1", &wepay_topup("wp-1", PRICE), at + 10, &poller())
        .unwrap();
    let events = event_count(&shop).unwrap();

    let error = shop
        .ledger
        .begin_topup("S1", &wepay_topup("wp-2", PRICE), at + 11, &poller())
        .unwrap_err();
    assert_eq!(
        conflict_found(&error),
        Some(SaleState::TopupPending),
        "{error:?}"
    );
    let error = shop
        .ledger
        .begin_topup("S1", &wepay_topup("wp-1", PRICE), at + 12, &poller())
        .unwrap_err();
    assert_eq!(
        conflict_found(&error),
        Some(SaleState::TopupPending),
        "{error:?}"
    );

    assert_eq!(event_count(&shop).unwrap(), events);
    assert_eq!(shop.ledger.topups_of("S1").unwrap(), vec![first.clone()]);
    // The refused key was not spent: it is still free once the first attempt is settled.
    shop.ledger
        .topup_rejected(first.id, "no balance", at + 20, &poller())
        .unwrap();
    let second = shop
        .ledger
        .begin_topup("S1", &wepay_topup("wp-2", PRICE), at + 21, &poller())
        .unwrap();
    assert_eq!(second.attempt, 2);

    // The schema backs the rule even without the API: a second live attempt is a constraint error.
    let error = raw(&shop)
        .unwrap()
        .execute(
            "INSERT INTO topups (sale_id, attempt, provider, reference, product, amount, state,
                 created_at, updated_at)
             VALUES ('S1', 3, 'easysoft', 'es-3', 'x', 5000, 'intent', 0, 0)",
            [],
        )
        .unwrap_err();
    assert!(error.to_string().contains("UNIQUE"), "{error}");
}

#[test]
fn a_reused_key_is_refused_and_writes_nothing() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    paid_cash_sale(&shop, "S1", at).unwrap();
    paid_cash_sale(&shop, "S2", at + 100).unwrap();
    shop.ledger
        .begin_topup("S1", &wepay_topup("wp-K", PRICE), at + 200, &poller())
        .unwrap();
    let events = event_count(&shop).unwrap();

    let error = shop
        .ledger
        .begin_topup("S2", &wepay_topup("wp-K", PRICE), at + 201, &poller())
        .unwrap_err();
    match &error {
        LedgerError::KeyReused { provider, key } => {
            assert_eq!((provider.as_str(), key.as_str()), ("wepay", "wp-K"))
        }
        other => panic!("expected KeyReused, got {other:?}"),
    }
    assert_eq!(shop.ledger.sale("S2").unwrap().state, SaleState::Paid);
    assert!(shop.ledger.topups_of("S2").unwrap().is_empty());
    assert_eq!(event_count(&shop).unwrap(), events);

    // Keys are per provider: the same text with another provider is a different key.
    let easysoft = NewTopup {
        provider: "easysoft".into(),
        users: Some("users-op-alpha".into()),
        ..wepay_topup("wp-K", PRICE)
    };
    shop.ledger
        .begin_topup("S2", &easysoft, at + 202, &poller())
        .unwrap();

    // A payment reference is a key too: a new sale reusing one is not written at all.
    let (sale, payment) =
        common::new_sale("S3", "op-alpha", PRICE, PaymentMethod::Cash, at + 300).unwrap();
    let reused = NewPayment {
        reference: "S1".into(),
        ..payment
    };
    let events = event_count(&shop).unwrap();
    let error = shop
        .ledger
        .create_sale(&sale, &reused, &actor_of("op-alpha"))
        .unwrap_err();
    assert!(matches!(error, LedgerError::KeyReused { .. }), "{error:?}");
    assert!(matches!(
        shop.ledger.sale("S3").unwrap_err(),
        LedgerError::NotFound { .. }
    ));
    assert_eq!(event_count(&shop).unwrap(), events);
    // The same sale id cannot be written twice either.
    let (again, payment) =
        common::new_sale("S1", "op-alpha", PRICE, PaymentMethod::Tmweasy, at + 301).unwrap();
    assert!(shop
        .ledger
        .create_sale(&again, &payment, &actor_of("op-alpha"))
        .is_err());
    assert_eq!(event_count(&shop).unwrap(), events);
}

#[test]
fn a_rejected_topup_returns_the_sale_to_paid_and_the_next_provider_can_deliver() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    paid_cash_sale(&shop, "S1", at).unwrap();
    let first = shop
        .ledger
        .begin_topup("S1", &wepay_topup("wp-1", PRICE), at + 10, &poller())
        .unwrap();
    assert_eq!(
        shop.ledger
            .topup_rejected(first.id, "insufficient balance", at + 11, &poller())
            .unwrap(),
        Applied::Now
    );
    assert_eq!(shop.ledger.sale("S1").unwrap().state, SaleState::Paid);
    assert_eq!(
        shop.ledger.topup(first.id).unwrap().state,
        TopupState::Rejected
    );
    let events = event_count(&shop).unwrap();
    assert_eq!(
        shop.ledger
            .topup_rejected(first.id, "again", at + 12, &poller())
            .unwrap(),
        Applied::Already
    );
    assert_eq!(event_count(&shop).unwrap(), events);
    // A settled attempt cannot succeed or fail afterwards without a person.
    assert!(matches!(
        shop.ledger
            .topup_succeeded(first.id, None, "late", at + 13, &poller())
            .unwrap_err(),
        LedgerError::Invalid(_)
    ));
    // The rejected attempt's key is spent forever.
    assert!(matches!(
        shop.ledger
            .begin_topup("S1", &wepay_topup("wp-1", PRICE), at + 14, &poller())
            .unwrap_err(),
        LedgerError::KeyReused { .. }
    ));

    let second = shop
        .ledger
        .begin_topup("S1", &wepay_topup("wp-2", PRICE), at + 20, &poller())
        .unwrap();
    assert_eq!(second.attempt, 2);
    shop.ledger
        .topup_progress(
            second.id,
            TopupState::Pending,
            Some("T-2"),
            None,
            "",
            at + 21,
            &poller(),
        )
        .unwrap();
    shop.ledger
        .topup_succeeded(second.id, None, "ok", at + 22, &poller())
        .unwrap();
    assert_eq!(shop.ledger.sale("S1").unwrap().state, SaleState::Completed);
    assert_eq!(money(&shop, "S1"), (PRICE, PRICE, 0, 0));
    assert_eq!(shop.ledger.topups_of("S1").unwrap().len(), 2);
    assert_eq!(
        event_kinds(&shop.ledger, "S1").unwrap(),
        [
            "sale_created",
            "payment_received",
            "topup_requested",
            "topup_rejected",
            "topup_requested",
            "topup_accepted",
            "topup_succeeded"
        ]
    );
}

#[test]
fn a_failed_topup_makes_the_sale_refund_due_until_a_person_hands_the_money_back() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    paid_cash_sale(&shop, "S1", at).unwrap();
    let topup = shop
        .ledger
        .begin_topup("S1", &wepay_topup("wp-1", PRICE), at + 10, &poller())
        .unwrap();
    shop.ledger
        .topup_progress(
            topup.id,
            TopupState::Pending,
            Some("T-1"),
            None,
            "",
            at + 11,
            &poller(),
        )
        .unwrap();
    assert_eq!(
        shop.ledger
            .topup_failed(topup.id, "number not found", at + 12, &callback("wepay"))
            .unwrap(),
        Applied::Now
    );
    assert_eq!(shop.ledger.sale("S1").unwrap().state, SaleState::RefundDue);
    assert_eq!(money(&shop, "S1"), (PRICE, 0, 0, PRICE));
    let events = event_count(&shop).unwrap();
    assert_eq!(
        shop.ledger
            .topup_failed(topup.id, "again", at + 13, &poller())
            .unwrap(),
        Applied::Already
    );
    assert_eq!(event_count(&shop).unwrap(), events);
    let waiting: Vec<String> = shop
        .ledger
        .sales_needing_person()
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(waiting, ["S1"]);

    shop.ledger
        .refund_given("S1", "cash back at the counter", at + 20, &owner())
        .unwrap();
    let sale = shop.ledger.sale("S1").unwrap();
    assert_eq!(sale.state, SaleState::Refunded);
    assert_eq!(sale.refunded, sale.received);
    assert_eq!(money(&shop, "S1"), (PRICE, 0, PRICE, 0));
    assert!(shop.ledger.sales_needing_person().unwrap().is_empty());
    let last = shop.ledger.last_event().unwrap().unwrap();
    assert_eq!(
        (last.kind.as_str(), last.actor_kind.as_str()),
        ("refunded", "owner")
    );

    // Refunded is final: a second refund is a conflict and changes no money.
    let error = shop
        .ledger
        .refund_given("S1", "twice", at + 30, &owner())
        .unwrap_err();
    assert_eq!(conflict_found(&error), Some(SaleState::Refunded));
    assert_eq!(money(&shop, "S1"), (PRICE, 0, PRICE, 0));
}

#[test]
fn a_topup_only_a_person_can_settle_waits_in_needs_attention() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    let owner = owner();
    for (id, delivered) in [("D1", true), ("D2", false)] {
        paid_cash_sale(&shop, id, at).unwrap();
        let refill = NewTopup {
            provider: "easysoft".into(),
            reference: format!("es-{id}"),
            product: "1".into(),
            amount: Satang::new(PRICE),
            users: Some("users-op-alpha".into()),
        };
        let topup = shop
            .ledger
            .begin_topup(id, &refill, at + 10, &poller())
            .unwrap();
        assert_eq!(
            shop.ledger
                .topup_progress(
                    topup.id,
                    TopupState::Unknown,
                    None,
                    None,
                    "timeout",
                    at + 11,
                    &poller()
                )
                .unwrap(),
            Applied::Now
        );
        assert_eq!(
            shop.ledger.topup(topup.id).unwrap().state,
            TopupState::Unknown
        );
        assert_eq!(
            shop.ledger
                .topup_needs_person(topup.id, "refill with no answer", at + 12, &poller())
                .unwrap(),
            Applied::Now
        );
        assert_eq!(
            shop.ledger.sale(id).unwrap().state,
            SaleState::NeedsAttention
        );
        assert_eq!(
            shop.ledger.topup(topup.id).unwrap().state,
            TopupState::Manual
        );
        let events = event_count(&shop).unwrap();
        assert_eq!(
            shop.ledger
                .topup_needs_person(topup.id, "again", at + 13, &poller())
                .unwrap(),
            Applied::Already
        );
        // Not the engine's to drive any more.
        assert!(shop.ledger.open_sales().unwrap().iter().all(|s| s.id != id));
        assert_eq!(event_count(&shop).unwrap(), events);
        assert_eq!(money(&shop, id), (PRICE, 0, 0, PRICE));

        shop.ledger
            .resolve_topup(
                id,
                delivered,
                "checked the provider's site",
                at + 20,
                &owner,
            )
            .unwrap();
        let topup = shop.ledger.topup(topup.id).unwrap();
        if delivered {
            assert_eq!(shop.ledger.sale(id).unwrap().state, SaleState::Completed);
            assert_eq!(topup.state, TopupState::Succeeded);
            assert_eq!(money(&shop, id), (PRICE, PRICE, 0, 0));
        } else {
            assert_eq!(shop.ledger.sale(id).unwrap().state, SaleState::RefundDue);
            assert_eq!(topup.state, TopupState::Failed);
            assert_eq!(money(&shop, id), (PRICE, 0, 0, PRICE));
            shop.ledger
                .refund_given(id, "cash back", at + 30, &owner)
                .unwrap();
            assert_eq!(money(&shop, id), (PRICE, 0, PRICE, 0));
        }
        // Nothing is left for a person to resolve.
        assert!(matches!(
            shop.ledger
                .resolve_topup(id, true, "again", at + 40, &owner)
                .unwrap_err(),
            LedgerError::NotFound { .. }
        ));
    }
    let kinds = event_kinds(&shop.ledger, "D1").unwrap();
    assert_eq!(
        kinds[2..],
        [
            "topup_requested",
            "topup_unknown",
            "needs_attention",
            "resolved_delivered"
        ]
    );
    let resolved = shop.ledger.events_of("D2").unwrap();
    let resolved = resolved
        .iter()
        .find(|e| e.kind == "resolved_not_delivered")
        .expect("the resolution is in the log");
    assert_eq!(resolved.actor_kind, "owner");
    assert_eq!(resolved.to_state.as_deref(), Some("refund_due"));
}

#[test]
fn a_provider_answer_after_needs_attention_still_settles_the_sale_once() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    paid_cash_sale(&shop, "S1", at).unwrap();
    let topup = shop
        .ledger
        .begin_topup("S1", &wepay_topup("wp-1", PRICE), at + 10, &poller())
        .unwrap();
    shop.ledger
        .topup_needs_person(topup.id, "no answer", at + 11, &poller())
        .unwrap();
    assert_eq!(
        shop.ledger
            .topup_succeeded(
                topup.id,
                Some("T-1"),
                "late callback",
                at + 12,
                &callback("wepay")
            )
            .unwrap(),
        Applied::Now
    );
    assert_eq!(shop.ledger.sale("S1").unwrap().state, SaleState::Completed);
    assert_eq!(money(&shop, "S1"), (PRICE, PRICE, 0, 0));
    assert!(matches!(
        shop.ledger
            .resolve_topup("S1", false, "too late", at + 13, &owner())
            .unwrap_err(),
        LedgerError::NotFound { .. }
    ));
}

#[test]
fn a_payment_that_arrives_after_the_qr_expired_still_makes_the_sale_paid() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    let (_, payment) = create(
        &shop.ledger,
        "S1",
        "kiosk-1",
        PRICE,
        PaymentMethod::DepositQr,
        at,
    )
    .unwrap();
    shop.ledger
        .payment_opened(
            payment.id,
            None,
            Satang::new(PRICE),
            Some(at + 1_000),
            None,
            at + 1,
            &poller(),
        )
        .unwrap();
    assert_eq!(
        shop.ledger
            .payment_ended(payment.id, PaymentEnd::Expired, at + 1_000, &poller())
            .unwrap(),
        Applied::Now
    );
    assert_eq!(
        shop.ledger.sale("S1").unwrap().state,
        SaleState::PaymentExpired
    );
    assert_eq!(
        shop.ledger.payment(payment.id).unwrap().state,
        PaymentState::Expired
    );
    let events = event_count(&shop).unwrap();
    assert_eq!(
        shop.ledger
            .payment_ended(payment.id, PaymentEnd::Expired, at + 1_001, &poller())
            .unwrap(),
        Applied::Already
    );
    assert_eq!(event_count(&shop).unwrap(), events);
    assert!(shop.ledger.open_sales().unwrap().is_empty());

    // The customer paid at the last second; the callback comes late.
    assert_eq!(
        shop.ledger
            .payment_received(
                payment.id,
                Satang::new(PRICE),
                at + 5_000,
                &callback("deposit_qr")
            )
            .unwrap(),
        Applied::Now
    );
    let sale = shop.ledger.sale("S1").unwrap();
    assert_eq!(sale.state, SaleState::Paid);
    assert_eq!(sale.received, Satang::new(PRICE));
    let last = shop.ledger.last_event().unwrap().unwrap();
    assert_eq!(last.kind, "payment_received");
    assert_eq!(last.from_state.as_deref(), Some("payment_expired"));
    assert_eq!(last.to_state.as_deref(), Some("paid"));
    assert_eq!(shop.ledger.open_sales().unwrap().len(), 1);
}

#[test]
fn a_payment_after_a_cancellation_still_makes_the_sale_paid() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    let (_, payment) = create(
        &shop.ledger,
        "S1",
        "op-alpha",
        PRICE,
        PaymentMethod::PromptPayLocal,
        at,
    )
    .unwrap();
    shop.ledger
        .cancel_unpaid("S1", at + 1, &actor_of("op-alpha"))
        .unwrap();
    assert_eq!(
        shop.ledger.sale("S1").unwrap().state,
        SaleState::PaymentCancelled
    );
    assert_eq!(
        shop.ledger.payment(payment.id).unwrap().state,
        PaymentState::Cancelled
    );
    let error = shop
        .ledger
        .cancel_unpaid("S1", at + 2, &actor_of("op-alpha"))
        .unwrap_err();
    assert_eq!(conflict_found(&error), Some(SaleState::PaymentCancelled));

    shop.ledger
        .payment_received(
            payment.id,
            Satang::new(PRICE),
            at + 3,
            &actor_of("op-alpha"),
        )
        .unwrap();
    assert_eq!(shop.ledger.sale("S1").unwrap().state, SaleState::Paid);
    assert_eq!(
        event_kinds(&shop.ledger, "S1").unwrap(),
        ["sale_created", "payment_cancelled", "payment_received"]
    );
}

#[test]
fn an_underpaid_sale_goes_to_refund_due_and_the_whole_amount_goes_back() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    let (_, payment) = create(
        &shop.ledger,
        "S1",
        "kiosk-1",
        PRICE,
        PaymentMethod::BluePay,
        at,
    )
    .unwrap();
    let short = PRICE - 1_000;
    assert_eq!(
        shop.ledger
            .payment_received(payment.id, Satang::new(short), at + 1, &callback("bluepay"))
            .unwrap(),
        Applied::Now
    );
    assert_eq!(shop.ledger.sale("S1").unwrap().state, SaleState::RefundDue);
    assert_eq!(money(&shop, "S1"), (short, 0, 0, short));
    assert_eq!(
        event_kinds(&shop.ledger, "S1").unwrap(),
        ["sale_created", "payment_received", "refund_due"]
    );
    // No top-up for a sale that is owed back.
    let error = shop
        .ledger
        .begin_topup("S1", &wepay_topup("wp-1", PRICE), at + 2, &poller())
        .unwrap_err();
    assert_eq!(conflict_found(&error), Some(SaleState::RefundDue));

    shop.ledger
        .refund_given("S1", "BluePay refund", at + 3, &owner())
        .unwrap();
    let sale = shop.ledger.sale("S1").unwrap();
    assert_eq!(sale.state, SaleState::Refunded);
    assert_eq!(sale.refunded, sale.received);
    assert_eq!(money(&shop, "S1"), (short, 0, short, 0));
}

#[test]
fn an_overpaid_or_twice_paid_sale_keeps_all_the_money_and_asks_a_person() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    // Overpaid cash: topped up for the price, the change is outstanding and flagged.
    let (_, cash) = create(
        &shop.ledger,
        "O1",
        "op-alpha",
        PRICE,
        PaymentMethod::Cash,
        at,
    )
    .unwrap();
    shop.ledger
        .payment_received(
            cash.id,
            Satang::new(PRICE + 500),
            at + 1,
            &actor_of("op-alpha"),
        )
        .unwrap();
    let sale = shop.ledger.sale("O1").unwrap();
    assert_eq!(sale.state, SaleState::Paid);
    assert!(
        sale.attention
            .as_deref()
            .unwrap_or("")
            .contains("overpaid by 500"),
        "{sale:?}"
    );

    // Two QR attempts both paid.
    let (_, first) = create(
        &shop.ledger,
        "T1",
        "kiosk-1",
        PRICE,
        PaymentMethod::Tmweasy,
        at,
    )
    .unwrap();
    shop.ledger
        .payment_unknown(first.id, "timeout", at + 1, &poller())
        .unwrap();
    assert_eq!(
        shop.ledger.payment(first.id).unwrap().state,
        PaymentState::Unknown
    );
    let second = shop
        .ledger
        .new_payment_attempt(
            "T1",
            &NewPayment {
                method: PaymentMethod::Tmweasy,
                reference: "tmweasy-T1-2".into(),
                amount: Satang::new(PRICE),
            },
            at + 2,
            &poller(),
        )
        .unwrap();
    assert_eq!(second.attempt, 2);
    assert_eq!(
        shop.ledger.payment(first.id).unwrap().state,
        PaymentState::Cancelled
    );
    assert_eq!(
        shop.ledger.sale("T1").unwrap().state,
        SaleState::AwaitingPayment
    );
    shop.ledger
        .payment_received(second.id, Satang::new(PRICE), at + 3, &callback("tmweasy"))
        .unwrap();
    shop.ledger
        .payment_received(first.id, Satang::new(PRICE), at + 4, &callback("tmweasy"))
        .unwrap();
    let sale = shop.ledger.sale("T1").unwrap();
    assert_eq!(sale.state, SaleState::Paid);
    assert_eq!(sale.received, Satang::new(2 * PRICE));
    assert!(sale.attention.is_some());
    assert_eq!(
        shop.ledger.last_event().unwrap().unwrap().kind,
        "payment_received_again"
    );
    let topup = shop
        .ledger
        .begin_topup("T1", &wepay_topup("wp-T1", PRICE), at + 5, &poller())
        .unwrap();
    shop.ledger
        .topup_succeeded(topup.id, None, "ok", at + 6, &poller())
        .unwrap();
    assert_eq!(money(&shop, "T1"), (2 * PRICE, PRICE, 0, PRICE));
    let flagged: Vec<String> = shop
        .ledger
        .sales_needing_person()
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(flagged, ["O1", "T1"]);
}

#[test]
fn moves_from_the_wrong_state_are_conflicts_that_write_nothing() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    create(
        &shop.ledger,
        "A1",
        "op-alpha",
        PRICE,
        PaymentMethod::Cash,
        at,
    )
    .unwrap();
    paid_cash_sale(&shop, "P1", at).unwrap();
    let events = event_count(&shop).unwrap();
    let who = actor_of("op-alpha");

    let error = shop
        .ledger
        .begin_topup("A1", &wepay_topup("wp-A1", PRICE), at + 1, &poller())
        .unwrap_err();
    match &error {
        LedgerError::Conflict {
            sale,
            expected,
            found,
        } => {
            assert_eq!(sale, "A1");
            assert_eq!(expected, "paid");
            assert_eq!(*found, SaleState::AwaitingPayment);
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    let error = shop.ledger.cancel_unpaid("P1", at + 2, &who).unwrap_err();
    assert_eq!(conflict_found(&error), Some(SaleState::Paid));
    let error = shop
        .ledger
        .mark_refund_due("A1", "nobody can", at + 3, &who)
        .unwrap_err();
    assert_eq!(conflict_found(&error), Some(SaleState::AwaitingPayment));
    let error = shop
        .ledger
        .refund_given("P1", "no", at + 4, &who)
        .unwrap_err();
    assert_eq!(conflict_found(&error), Some(SaleState::Paid));
    let error = shop
        .ledger
        .new_payment_attempt(
            "P1",
            &NewPayment {
                method: PaymentMethod::Tmweasy,
                reference: "tmweasy-P1-2".into(),
                amount: Satang::new(PRICE),
            },
            at + 5,
            &poller(),
        )
        .unwrap_err();
    assert_eq!(conflict_found(&error), Some(SaleState::Paid));
    assert_eq!(event_count(&shop).unwrap(), events);
    assert_eq!(
        shop.ledger.sale("A1").unwrap().state,
        SaleState::AwaitingPayment
    );
    assert_eq!(shop.ledger.sale("P1").unwrap().state, SaleState::Paid);
    assert!(shop.ledger.topups_of("A1").unwrap().is_empty());
    assert!(shop
        .ledger
        .payment_by_reference(PaymentMethod::Tmweasy, "tmweasy-P1-2")
        .unwrap()
        .is_none());

    // From the right state the same moves work.
    shop.ledger
        .mark_refund_due("P1", "every provider refused", at + 6, &poller())
        .unwrap();
    assert_eq!(shop.ledger.sale("P1").unwrap().state, SaleState::RefundDue);
    shop.ledger.cancel_unpaid("A1", at + 7, &who).unwrap();
    assert_eq!(
        shop.ledger.sale("A1").unwrap().state,
        SaleState::PaymentCancelled
    );
}

#[test]
fn unknown_ids_are_not_found() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    let not_found = |error: LedgerError| matches!(error, LedgerError::NotFound { .. });
    assert!(not_found(shop.ledger.sale("nope").unwrap_err()));
    assert!(not_found(shop.ledger.payment(42).unwrap_err()));
    assert!(not_found(shop.ledger.topup(42).unwrap_err()));
    assert!(not_found(
        shop.ledger
            .payment_received(42, Satang::new(PRICE), at, &poller())
            .unwrap_err()
    ));
    assert!(not_found(
        shop.ledger
            .begin_topup("nope", &wepay_topup("wp", PRICE), at, &poller())
            .unwrap_err()
    ));
    assert!(not_found(
        shop.ledger
            .topup_succeeded(42, None, "", at, &poller())
            .unwrap_err()
    ));
    assert_eq!(event_count(&shop).unwrap(), 0);
}

#[test]
fn invalid_amounts_are_refused_and_write_nothing() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    let who = actor_of("op-alpha");
    for amount in [0, -5_000] {
        let (sale, payment) =
            common::new_sale("Z", "op-alpha", amount, PaymentMethod::Cash, at).unwrap();
        let error = shop.ledger.create_sale(&sale, &payment, &who).unwrap_err();
        assert!(matches!(error, LedgerError::Invalid(_)), "{error:?}");
    }
    // A positive sale with a zero payment: refused inside the transaction, so no sale either.
    let (sale, payment) =
        common::new_sale("Z", "op-alpha", PRICE, PaymentMethod::Cash, at).unwrap();
    let zero = NewPayment {
        amount: Satang::ZERO,
        ..payment.clone()
    };
    let error = shop.ledger.create_sale(&sale, &zero, &who).unwrap_err();
    assert!(matches!(error, LedgerError::Invalid(_)), "{error:?}");
    assert!(shop.ledger.all_sales().unwrap().is_empty());
    assert_eq!(event_count(&shop).unwrap(), 0);

    let (_, payment) = shop.ledger.create_sale(&sale, &payment, &who).unwrap();
    let events = event_count(&shop).unwrap();
    for amount in [0, -1] {
        let error = shop
            .ledger
            .payment_received(payment.id, Satang::new(amount), at + 1, &who)
            .unwrap_err();
        assert!(matches!(error, LedgerError::Invalid(_)), "{error:?}");
    }
    assert_eq!(
        shop.ledger.payment(payment.id).unwrap().state,
        PaymentState::Intent
    );
    shop.ledger
        .payment_received(payment.id, Satang::new(PRICE), at + 2, &who)
        .unwrap();
    let events_paid = event_count(&shop).unwrap();
    assert!(events_paid > events);

    // A top-up must be for exactly the sale's amount.
    for amount in [PRICE - 1, PRICE + 1] {
        let error = shop
            .ledger
            .begin_topup("Z", &wepay_topup("wp-Z", amount), at + 3, &poller())
            .unwrap_err();
        assert!(matches!(error, LedgerError::Invalid(_)), "{error:?}");
    }
    assert_eq!(shop.ledger.sale("Z").unwrap().state, SaleState::Paid);
    let topup = shop
        .ledger
        .begin_topup("Z", &wepay_topup("wp-Z", PRICE), at + 4, &poller())
        .unwrap();
    // Progress is only pending or unknown.
    for state in [
        TopupState::Succeeded,
        TopupState::Failed,
        TopupState::Intent,
    ] {
        let error = shop
            .ledger
            .topup_progress(topup.id, state, None, None, "", at + 5, &poller())
            .unwrap_err();
        assert!(matches!(error, LedgerError::Invalid(_)), "{error:?}");
    }
    assert_eq!(
        shop.ledger.topup(topup.id).unwrap().state,
        TopupState::Intent
    );
    // Only an attempt waiting to be opened can be opened.
    let error = shop
        .ledger
        .payment_opened(
            payment.id,
            None,
            Satang::new(PRICE),
            None,
            None,
            at + 6,
            &poller(),
        )
        .unwrap_err();
    assert!(matches!(error, LedgerError::Invalid(_)), "{error:?}");
    assert!(matches!(
        shop.ledger
            .open_shift(
                "op-alpha",
                common::COUNTER,
                Satang::new(-1),
                at,
                &common::actor_of("op-alpha")
            )
            .unwrap_err(),
        LedgerError::Invalid(_)
    ));
    assert_eq!(
        event_count(&shop).unwrap(),
        events_paid + 1,
        "only the top-up request"
    );
}

#[test]
fn shifts_callbacks_and_exchanges_are_kept() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    let shift = shop
        .ledger
        .open_shift(
            "op-alpha",
            common::COUNTER,
            Satang::new(100_000),
            at,
            &common::actor_of("op-alpha"),
        )
        .unwrap();
    assert_eq!(
        shop.ledger.open_shift_of(common::COUNTER).unwrap(),
        Some(shift.clone())
    );
    assert!(shop
        .ledger
        .open_shift(
            "op-bravo",
            common::COUNTER,
            Satang::ZERO,
            at,
            &common::actor_of("op-bravo")
        )
        .is_err());
    shop.ledger
        .close_shift(
            shift.id,
            Satang::new(150_000),
            at + 1,
            &common::actor_of("op-alpha"),
        )
        .unwrap();
    assert!(shop
        .ledger
        .open_shift_of(common::COUNTER)
        .unwrap()
        .is_none());
    assert!(matches!(
        shop.ledger
            .close_shift(
                shift.id,
                Satang::ZERO,
                at + 2,
                &common::actor_of("op-alpha")
            )
            .unwrap_err(),
        LedgerError::NotFound { .. }
    ));

    let body = b"\x00{\"status\":\"ok\"}\xff";
    let id = shop
        .ledger
        .store_callback("wepay", Some("application/json"), body, at)
        .unwrap();
    assert_eq!(shop.ledger.unhandled_callbacks().unwrap().len(), 1);
    assert_eq!(shop.ledger.unhandled_callbacks().unwrap()[0].body, body);
    shop.ledger
        .callback_handled(id, "applied", None, at + 1)
        .unwrap();
    assert!(shop.ledger.unhandled_callbacks().unwrap().is_empty());
    assert_eq!(
        shop.ledger.all_callbacks().unwrap()[0].verdict.as_deref(),
        Some("applied")
    );

    let operator = shop.ledger.operator("op-alpha").unwrap().unwrap();
    assert_eq!(operator.easysoft_users, "users-op-alpha");
    assert!(shop.ledger.operator("nobody").unwrap().is_none());
    assert!(shop.ledger.has_register(common::KIOSK).unwrap());
    assert!(!shop.ledger.has_register("nowhere").unwrap());
    let actor = Actor::new(ActorKind::Owner, "owner");
    shop.ledger
        .note(None, at, &actor, "settings_changed", &serde_json::json!({}))
        .unwrap();
    assert_eq!(
        shop.ledger.last_event().unwrap().unwrap().kind,
        "settings_changed"
    );
}
