//! The schema and the start-up self-check: what `Ledger::open` builds, what it refuses to open,
//! and the rules the database itself enforces when the engine is bypassed with raw SQL.

mod common;

use std::collections::BTreeSet;

use common::{create, day_zero, event_count, raw, shop, TestResult};
use termdee_domain::{PaymentMethod, SaleState};
use termdee_ledger::{Ledger, LedgerError};

const TABLES: [&str; 13] = [
    "registers",
    "operators",
    "shifts",
    "sales",
    "payments",
    "topups",
    "idempotency_keys",
    "events",
    "exchanges",
    "callbacks",
    "sale_transitions",
    "outbox",
    "outbox_cursor",
];

/// The schema version this build writes (one per migration).
const VERSION: i64 = 3;

fn user_tables(connection: &rusqlite::Connection) -> TestResult<BTreeSet<String>> {
    let mut statement = connection.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )?;
    let names = statement
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<BTreeSet<String>>>()?;
    Ok(names)
}

fn schema_sql(connection: &rusqlite::Connection) -> TestResult<Vec<String>> {
    let mut statement =
        connection.prepare("SELECT COALESCE(sql, '') FROM sqlite_master ORDER BY type, name")?;
    let rows = statement
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(rows)
}

#[test]
fn open_on_an_empty_file_builds_every_table_and_passes_the_self_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.sqlite");
    assert!(!path.exists());
    let ledger = Ledger::open(&path).unwrap();
    assert!(path.exists());

    let check = ledger.self_check().clone();
    assert_eq!(check.schema_version, VERSION);
    assert_eq!(check.journal_mode, "wal");
    assert_eq!(check.synchronous, 2);
    assert_eq!(check.foreign_keys, 1);
    assert_eq!(check.integrity, "ok");
    assert_eq!(ledger.recheck().unwrap(), check);

    let connection = rusqlite::Connection::open(&path).unwrap();
    let expected: BTreeSet<String> = TABLES.iter().map(|t| (*t).to_owned()).collect();
    assert_eq!(user_tables(&connection).unwrap(), expected);
    let version: i64 = connection
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, VERSION);
    // WAL is a property of the file: a second, unconfigured connection sees it too.
    let mode: String = connection
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn reopening_an_existing_ledger_keeps_its_data_and_changes_no_schema() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    create(
        &shop.ledger,
        "S1",
        "op-alpha",
        5_000,
        PaymentMethod::Cash,
        at,
    )
    .unwrap();
    let before = schema_sql(&raw(&shop).unwrap()).unwrap();
    let events_before = event_count(&shop).unwrap();
    let common::Shop { ledger, path, dir } = shop;
    drop(ledger);

    for _ in 0..2 {
        let ledger = Ledger::open(&path).unwrap();
        assert_eq!(ledger.self_check().schema_version, VERSION);
        assert_eq!(ledger.sale("S1").unwrap().state, SaleState::AwaitingPayment);
        assert_eq!(ledger.all_sales().unwrap().len(), 1);
    }
    let connection = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(schema_sql(&connection).unwrap(), before);
    let events: i64 = connection
        .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(events, events_before);
    drop(dir);
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.sqlite");
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 + 13) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();

    let error = Ledger::open(&path).unwrap_err();
    assert!(matches!(error, LedgerError::Sqlite(_)), "{error:?}");
    assert_eq!(std::fs::read(&path).unwrap(), garbage);
}

#[test]
fn a_database_from_a_newer_build_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.sqlite");
    {
        let connection = rusqlite::Connection::open(&path).unwrap();
        connection
            .execute_batch("CREATE TABLE from_the_future (x INTEGER); PRAGMA user_version = 99;")
            .unwrap();
    }
    let error = Ledger::open(&path).unwrap_err();
    assert!(
        matches!(error, LedgerError::Migration(_) | LedgerError::SelfCheck(_)),
        "{error:?}"
    );
    // Nothing was migrated "down" or over it.
    let connection = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = connection
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, 99);
    assert!(!user_tables(&connection).unwrap().contains("sales"));
}

#[test]
fn a_ledger_whose_version_was_moved_ahead_is_refused() {
    let shop = shop().unwrap();
    raw(&shop)
        .unwrap()
        .pragma_update(None, "user_version", VERSION + 1)
        .unwrap();
    let common::Shop { ledger, path, dir } = shop;
    drop(ledger);
    let error = Ledger::open(&path).unwrap_err();
    assert!(
        matches!(error, LedgerError::Migration(_) | LedgerError::SelfCheck(_)),
        "{error:?}"
    );
    drop(dir);
}

#[test]
fn a_corrupted_index_page_fails_the_integrity_check() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    for n in 0..20 {
        let id = format!("S{n:02}");
        create(
            &shop.ledger,
            &id,
            "op-alpha",
            5_000,
            PaymentMethod::Cash,
            at + n,
        )
        .unwrap();
    }
    let (root, page_size): (i64, i64) = {
        let connection = raw(&shop).unwrap();
        let root = connection
            .query_row(
                "SELECT rootpage FROM sqlite_master WHERE name = 'sales_report'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let page_size = connection
            .pragma_query_value(None, "page_size", |r| r.get(0))
            .unwrap();
        (root, page_size)
    };
    let common::Shop { ledger, path, dir } = shop;
    drop(ledger); // the last connection checkpoints the WAL into the main file
    assert!(!path.with_extension("sqlite-wal").exists());

    // Change one operator id inside the index's page: the table and the index now disagree.
    let mut bytes = std::fs::read(&path).unwrap();
    let start = usize::try_from((root - 1) * page_size).unwrap();
    let end = start + usize::try_from(page_size).unwrap();
    let page = &mut bytes[start..end];
    let needle = b"op-alpha";
    let offset = page
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("the index page holds the operator id");
    page[offset + needle.len() - 1] = b'z';
    std::fs::write(&path, &bytes).unwrap();

    let error = Ledger::open(&path).unwrap_err();
    match error {
        LedgerError::SelfCheck(message) => {
            assert!(message.contains("integrity_check"), "{message}")
        }
        other => panic!("expected an integrity failure, got {other:?}"),
    }
    drop(dir);
}

#[test]
fn the_transition_table_is_exactly_the_domain_state_machine() {
    let shop = shop().unwrap();
    let in_schema: Vec<(String, String)> =
        termdee_ledger::schema_transitions(&shop.ledger).unwrap();
    let from_domain: BTreeSet<(String, String)> = SaleState::ALL
        .into_iter()
        .flat_map(|from| SaleState::ALL.into_iter().map(move |to| (from, to)))
        .filter(|(from, to)| from.can_become(*to))
        .map(|(from, to)| (from.code().to_owned(), to.code().to_owned()))
        .collect();
    let as_set: BTreeSet<(String, String)> = in_schema.iter().cloned().collect();
    assert_eq!(as_set.len(), in_schema.len(), "no duplicates");
    assert_eq!(as_set, from_domain);
}

#[test]
fn events_cannot_be_updated_or_deleted_even_with_raw_sql() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    create(
        &shop.ledger,
        "S1",
        "op-alpha",
        5_000,
        PaymentMethod::Cash,
        at,
    )
    .unwrap();
    shop.ledger
        .cancel_unpaid("S1", at + 1, &common::actor_of("op-alpha"))
        .unwrap();
    let before = shop.ledger.events_of("S1").unwrap();
    assert_eq!(before.len(), 2);

    let connection = raw(&shop).unwrap();
    let update = connection
        .execute(
            "UPDATE events SET kind = 'rewritten' WHERE sale_id = 'S1'",
            [],
        )
        .unwrap_err();
    assert!(update.to_string().contains("append-only"), "{update}");
    let delete = connection
        .execute("DELETE FROM events WHERE sale_id = 'S1'", [])
        .unwrap_err();
    assert!(delete.to_string().contains("append-only"), "{delete}");
    let delete_all = connection.execute("DELETE FROM events", []).unwrap_err();
    assert!(
        delete_all.to_string().contains("append-only"),
        "{delete_all}"
    );

    assert_eq!(shop.ledger.events_of("S1").unwrap(), before);
}

#[test]
fn the_sale_trigger_refuses_an_illegal_transition_made_with_raw_sql() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    create(
        &shop.ledger,
        "S1",
        "op-alpha",
        5_000,
        PaymentMethod::Cash,
        at,
    )
    .unwrap();
    create(
        &shop.ledger,
        "S2",
        "op-alpha",
        5_000,
        PaymentMethod::Cash,
        at,
    )
    .unwrap();
    let connection = raw(&shop).unwrap();

    for sql in [
        "UPDATE sales SET state = 'completed' WHERE state = 'awaiting_payment'",
        "UPDATE sales SET state = 'refunded' WHERE id = 'S1'",
        "UPDATE sales SET state = 'lost' WHERE id = 'S1'",
    ] {
        let error = connection.execute(sql, []).unwrap_err();
        assert!(
            error.to_string().contains("illegal sale transition"),
            "{sql}: {error}"
        );
    }
    assert_eq!(
        shop.ledger.sale("S1").unwrap().state,
        SaleState::AwaitingPayment
    );
    assert_eq!(
        shop.ledger.sale("S2").unwrap().state,
        SaleState::AwaitingPayment
    );

    // The trigger is not a blanket refusal: a legal move and a same-state update pass.
    let moved = connection
        .execute(
            "UPDATE sales SET state = 'payment_cancelled' WHERE id = 'S2'",
            [],
        )
        .unwrap();
    assert_eq!(moved, 1);
    connection
        .execute(
            "UPDATE sales SET state = state, updated_at = 1 WHERE id = 'S1'",
            [],
        )
        .unwrap();
    assert_eq!(
        shop.ledger.sale("S2").unwrap().state,
        SaleState::PaymentCancelled
    );
}

#[test]
fn the_money_check_refuses_delivering_or_refunding_more_than_was_received() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    create(
        &shop.ledger,
        "S1",
        "op-alpha",
        5_000,
        PaymentMethod::Cash,
        at,
    )
    .unwrap();
    let connection = raw(&shop).unwrap();
    for sql in [
        "UPDATE sales SET delivered = amount WHERE id = 'S1'",
        "UPDATE sales SET refunded = 1 WHERE id = 'S1'",
        "UPDATE sales SET received = -1 WHERE id = 'S1'",
    ] {
        let error = connection.execute(sql, []).unwrap_err();
        assert!(error.to_string().contains("CHECK"), "{sql}: {error}");
    }
    let sale = shop.ledger.sale("S1").unwrap();
    assert_eq!(
        (
            sale.received.as_satang(),
            sale.delivered.as_satang(),
            sale.refunded.as_satang()
        ),
        (0, 0, 0)
    );
}

#[test]
fn foreign_keys_are_enforced_on_the_ledgers_connection() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    let error = create(&shop.ledger, "S1", "nobody", 5_000, PaymentMethod::Cash, at).unwrap_err();
    assert!(error.to_string().contains("FOREIGN KEY"), "{error}");
    assert!(shop.ledger.all_sales().unwrap().is_empty());
    assert_eq!(event_count(&shop).unwrap(), 0);
}
