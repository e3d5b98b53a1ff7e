//! Upgrading a shop's ledger: a file written by the first release (schema V1, built here from
//! V1's own SQL and filled with raw inserts as that release wrote them) opened by this build.

mod common;

use common::{actor_of, owner, TestResult};
use termdee_domain::{BusinessDay, Msisdn, Network, PaymentMethod, SaleState, Satang};
use termdee_ledger::{Ledger, NewPayment, NewSale, OperatorRole, ReportScope};

const DAY: &str = "2026-03-01";

/// A V1 ledger at `path`: registers, a cashier and a kiosk, a closed and an open shift, and
/// sales in several outcomes with their top-ups, keys and events.
fn write_v1(path: &std::path::Path) -> TestResult<i64> {
    let v1 = termdee_ledger::migration_sql(1).expect("V1 is known");
    assert!(termdee_ledger::migration_sql(4).is_none());
    let c = rusqlite::Connection::open(path)?;
    c.pragma_update(None, "journal_mode", "wal")?;
    c.pragma_update(None, "foreign_keys", "ON")?;
    c.execute_batch(v1)?;
    c.pragma_update(None, "user_version", 1)?;
    let at = BusinessDay::parse(DAY)?.start() + 3_600_000;
    c.execute_batch(&format!(
        "INSERT INTO registers VALUES ('counter-1', 'Counter', 'counter', {at}),
                                      ('kiosk-1', 'Kiosk', 'kiosk', {at});
         INSERT INTO operators VALUES ('op-alpha', 'Alpha', 'cashier', 'alpha', 1, {at}),
                                      ('kiosk-1', 'Kiosk 1', 'kiosk', 'kiosk-1', 1, {at}),
                                      ('op-gone', 'Gone', 'cashier', 'gone', 0, {at});
         INSERT INTO shifts (id, operator_id, register_id, opened_at, closed_at, opening_float,
                             counted_cash)
             VALUES (1, 'op-alpha', 'counter-1', {at}, {at} + 1000, 100000, 105000),
                    (2, 'op-alpha', 'counter-1', {at} + 2000, NULL, 50000, NULL);
         INSERT INTO sales (id, register_id, operator_id, shift_id, network, phone, amount,
                            payment_method, state, received, delivered, refunded, day,
                            created_at, updated_at)
             VALUES ('S1', 'counter-1', 'op-alpha', 1, 'ais', '0812345678', 5000, 'cash',
                     'completed', 5000, 5000, 0, '{DAY}', {at}, {at}),
                    ('S2', 'kiosk-1', 'kiosk-1', NULL, 'dtac', '0812345678', 2000, 'tmweasy',
                     'refunded', 2000, 0, 2000, '{DAY}', {at}, {at}),
                    ('S3', 'kiosk-1', 'kiosk-1', NULL, 'dtac', '0812345678', 1000, 'tmweasy',
                     'payment_expired', 0, 0, 0, '{DAY}', {at}, {at}),
                    ('S4', 'counter-1', 'op-alpha', 2, 'ais', '0812345678', 3000, 'cash',
                     'paid', 3000, 0, 0, '{DAY}', {at}, {at});
         INSERT INTO topups (sale_id, attempt, provider, reference, provider_ref, product, amount,
                             state, created_at, updated_at)
             VALUES ('S1', 1, 'easysoft', 'S1T1', NULL, '1', 5000, 'rejected', {at}, {at}),
                    ('S1', 2, 'wepay', 'S1T2', 'TX-1', '12CALL', 5000, 'succeeded', {at}, {at}),
                    ('S2', 1, 'easysoft', 'S2T1', '77', '2', 2000, 'failed', {at}, {at});
         INSERT INTO idempotency_keys VALUES ('wepay', 'S1T2', 'topup', 'S1', {at});
         INSERT INTO events (sale_id, at, actor_kind, actor_id, kind, detail)
             VALUES ('S1', {at}, 'cashier', 'op-alpha', 'sale_created', '{{}}'),
                    ('S2', {at}, 'kiosk', 'kiosk-1', 'sale_created', '{{}}'),
                    (NULL, {at}, 'owner', 'owner', 'settings_changed', '{{}}');"
    ))?;
    Ok(at)
}

#[test]
fn a_v1_ledger_with_data_opens_migrated_to_the_latest_and_keeps_working() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.sqlite");
    let at = write_v1(&path).unwrap();

    let ledger = Ledger::open(&path).unwrap();
    assert_eq!(ledger.self_check().schema_version, 3);
    assert_eq!(ledger.self_check().integrity, "ok");

    // Operators keep their kind as their role, have no PIN, and are not locked.
    let accounts = ledger.operator_accounts().unwrap();
    let roles: Vec<(&str, OperatorRole, bool)> = accounts
        .iter()
        .map(|a| (a.operator.id.as_str(), a.operator.role, a.operator.active))
        .collect();
    assert_eq!(
        roles,
        [
            ("kiosk-1", OperatorRole::Kiosk, true),
            ("op-alpha", OperatorRole::Cashier, true),
            ("op-gone", OperatorRole::Cashier, false),
        ]
    );
    assert!(accounts
        .iter()
        .all(|a| a.pin_hash.is_none() && a.failed_pins == 0 && a.locked_until.is_none()));
    assert_eq!(
        ledger.operator("op-alpha").unwrap().unwrap().easysoft_users,
        "alpha"
    );
    assert!(
        !ledger.has_owner().unwrap(),
        "V1 had no owner: the first start must make one"
    );

    // Sales: the provider last asked is filled in from the top-ups; V1 never knew costs.
    let provider = |id: &str| ledger.sale(id).unwrap().provider;
    assert_eq!(provider("S1"), "wepay", "the second attempt's provider");
    assert_eq!(provider("S2"), "easysoft");
    assert_eq!(provider("S3"), "");
    for sale in ledger.all_sales().unwrap() {
        assert_eq!(sale.cost, Satang::ZERO, "{}", sale.id);
        assert_eq!(sale.refund_shift_id, None, "{}", sale.id);
    }
    assert!(ledger
        .topups_of("S1")
        .unwrap()
        .iter()
        .all(|t| t.cost.is_none()));

    // Shifts: the closed one keeps its count (no figures were recorded then); the open one can
    // be closed blind with this build.
    let closed = ledger.shift(1).unwrap().unwrap();
    assert_eq!(closed.counted_cash, Some(Satang::new(105_000)));
    assert_eq!(closed.close, None);
    let open = ledger.open_shift_of("counter-1").unwrap().unwrap();
    assert_eq!(open.id, 2);
    let counted = ledger
        .close_shift(2, Satang::new(80_000), at + 5_000, &actor_of("op-alpha"))
        .unwrap();
    let close = counted.close.unwrap();
    assert_eq!(close.cash_sales, Satang::new(3_000));
    assert_eq!(close.expected, Satang::new(53_000));
    assert_eq!(close.variance, Satang::new(27_000));

    // The report reads the migrated rows.
    let day = BusinessDay::parse(DAY).unwrap();
    let report = ledger.daily_by_operator(day).unwrap();
    let lines: Vec<(&str, i64, i64)> = report
        .iter()
        .map(|r| {
            (
                r.key.as_str(),
                r.sales.count,
                r.completed.satang.as_satang(),
            )
        })
        .collect();
    assert_eq!(lines, [("kiosk-1", 2, 0), ("op-alpha", 2, 5_000)]);
    assert_eq!(
        report[1].margin,
        Satang::new(5_000),
        "unknown cost counts as 0"
    );
    let by_provider = ledger
        .report(
            day,
            day,
            termdee_ledger::ReportDimension::Provider,
            ReportScope::Shop,
        )
        .unwrap();
    let keys: Vec<&str> = by_provider.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["", "easysoft", "wepay"]);

    // The rebuilt operators table still anchors sales and shifts, and the old rules still hold.
    ledger
        .create_sale(
            &NewSale {
                id: "S5".into(),
                register_id: "counter-1".into(),
                operator_id: "op-alpha".into(),
                shift_id: None,
                network: Network::Ais,
                phone: Msisdn::parse("0812345678").unwrap(),
                amount: Satang::new(5_000),
                method: PaymentMethod::Cash,
                at: at + 6_000,
            },
            &NewPayment {
                method: PaymentMethod::Cash,
                reference: "S5".into(),
                amount: Satang::new(5_000),
            },
            &actor_of("op-alpha"),
        )
        .unwrap();
    let orphan = ledger
        .create_sale(
            &NewSale {
                id: "S6".into(),
                register_id: "counter-1".into(),
                operator_id: "nobody".into(),
                shift_id: None,
                network: Network::Ais,
                phone: Msisdn::parse("0812345678").unwrap(),
                amount: Satang::new(5_000),
                method: PaymentMethod::Cash,
                at: at + 6_000,
            },
            &NewPayment {
                method: PaymentMethod::Cash,
                reference: "S6".into(),
                amount: Satang::new(5_000),
            },
            &actor_of("op-alpha"),
        )
        .unwrap_err();
    assert!(orphan.to_string().contains("FOREIGN KEY"), "{orphan}");
    assert!(ledger
        .refund_given("S1", "not refund-due", at + 7_000, &owner())
        .is_err());
    assert_eq!(ledger.sale("S4").unwrap().state, SaleState::Paid);
    drop(ledger);

    let c = rusqlite::Connection::open(&path).unwrap();
    let broken: i64 = c
        .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(broken, 0);
    let events: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM events WHERE kind IN ('sale_created', 'settings_changed')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(events, 4, "three V1 events and the new sale's");
    let triggers: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name NOT LIKE 'outbox_%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(triggers, 3, "the state machine and the append-only events");
    // Migration 3's outbox triggers, on the tables migration 2 rebuilt (operators) too.
    let outbox_triggers: Vec<String> = c
        .prepare("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'outbox_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        outbox_triggers,
        [
            "events",
            "operators",
            "operators",
            "registers",
            "registers",
            "sales",
            "sales"
        ]
    );
    let error = c
        .execute("UPDATE sales SET state = 'completed' WHERE id = 'S3'", [])
        .unwrap_err();
    assert!(
        error.to_string().contains("illegal sale transition"),
        "{error}"
    );
    drop(c);

    // Opening again changes nothing.
    let again = Ledger::open(&path).unwrap();
    assert_eq!(again.self_check().schema_version, 3);
    assert_eq!(again.all_sales().unwrap().len(), 5);
}

#[test]
fn a_v1_ledger_whose_references_are_broken_is_not_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.sqlite");
    write_v1(&path).unwrap();
    {
        // A sale whose operator is missing, written with enforcement off (a hand edit).
        let c = rusqlite::Connection::open(&path).unwrap();
        c.pragma_update(None, "foreign_keys", "OFF").unwrap();
        c.execute_batch(&format!(
            "INSERT INTO sales (id, register_id, operator_id, network, phone, amount,
                 payment_method, state, day, created_at, updated_at)
             VALUES ('X', 'counter-1', 'ghost', 'ais', '0812345678', 100, 'cash',
                 'awaiting_payment', '{DAY}', 0, 0);"
        ))
        .unwrap();
    }
    let error = Ledger::open(&path).unwrap_err();
    assert!(
        matches!(error, termdee_ledger::LedgerError::Migration(_)),
        "{error:?}"
    );
    // Nothing was half-done: the file is still a V1 ledger.
    let c = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = c
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, 1);
    let kind: String = c
        .query_row(
            "SELECT kind FROM operators WHERE id = 'op-alpha'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kind, "cashier");
}

#[test]
fn the_schema_refuses_an_owner_without_a_pin_a_kiosk_with_one_and_a_pin_in_clear() {
    let shop = common::shop().unwrap();
    let at = common::day_zero().unwrap();
    common::create(
        &shop.ledger,
        "S1",
        "op-alpha",
        5_000,
        PaymentMethod::Cash,
        at,
    )
    .unwrap();
    let c = common::raw(&shop).unwrap();
    for sql in [
        "INSERT INTO operators (id, name, role, easysoft_users, created_at, updated_at)
         VALUES ('boss', 'Boss', 'owner', 'boss', 0, 0)",
        "INSERT INTO operators (id, name, role, easysoft_users, pin_hash, created_at, updated_at)
         VALUES ('k2', 'K2', 'kiosk', 'k2', '$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA', 0, 0)",
        "INSERT INTO operators (id, name, role, easysoft_users, pin_hash, created_at, updated_at)
         VALUES ('c2', 'C2', 'cashier', 'c2', '1234', 0, 0)",
        "INSERT INTO operators (id, name, role, easysoft_users, created_at, updated_at)
         VALUES ('m', 'M', 'manager', 'm', 0, 0)",
        "UPDATE sales SET cost = -1",
    ] {
        let error = c.execute(sql, []).unwrap_err();
        assert!(error.to_string().contains("CHECK"), "{sql}: {error}");
    }
}
