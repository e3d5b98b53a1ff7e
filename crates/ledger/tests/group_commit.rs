//! Group commit: concurrent writers share one `COMMIT`; each returns only once it is durable; a
//! failing member undoes only its own writes; a crash before the `COMMIT` loses the whole group
//! and nothing half-done.
//!
//! To make groups form on purpose, the first `COMMIT` is held back (the test hook sleeps) while
//! the other writers arrive; they then join one group behind it.

mod common;

use std::process::Command;
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::Duration;

use common::{actor_of, create, day_zero, new_sale, raw, shop, Shop, TestResult};
use termdee_domain::{PaymentMethod, SaleState, Satang};
use termdee_ledger::{Applied, Ledger, LedgerError, NewPayment};

const PRICE: i64 = 5_000;
const CRASH_CHILD: &str = "TERMDEE_GROUP_CRASH_LEDGER";

/// Records every group's size; holds the first `COMMIT` back so the others gather behind it.
fn record_groups(ledger: &Ledger) -> Arc<Mutex<Vec<usize>>> {
    let sizes = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&sizes);
    ledger.before_group_commit(move |size| {
        let first = {
            let mut sizes = seen.lock().expect("sizes");
            sizes.push(size);
            sizes.len() == 1
        };
        if first {
            thread::sleep(Duration::from_millis(300));
        }
    });
    sizes
}

fn sales_in_file(shop: &Shop) -> TestResult<i64> {
    Ok(raw(shop)?.query_row("SELECT COUNT(*) FROM sales", [], |r| r.get(0))?)
}

#[test]
fn concurrent_writers_share_commits_and_all_see_their_writes_durable() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap() + 9 * 3_600_000;
    let sizes = record_groups(&shop.ledger);
    let before = shop.ledger.group_commits();
    let writers = 16;
    let sales_each = 5;
    let start = Barrier::new(writers);
    thread::scope(|scope| {
        for writer in 0..writers {
            let (ledger, start, path) = (&shop.ledger, &start, &shop.path);
            scope.spawn(move || {
                start.wait();
                for n in 0..sales_each {
                    let id = format!("W{writer}-{n}");
                    let (sale, payment) =
                        create(ledger, &id, "op-alpha", PRICE, PaymentMethod::Cash, at)
                            .expect("the sale is written");
                    assert_eq!(sale.state, SaleState::AwaitingPayment);
                    let applied = ledger
                        .payment_received(
                            payment.id,
                            Satang::new(PRICE),
                            at + 1,
                            &actor_of("op-alpha"),
                        )
                        .expect("the cash is written");
                    assert_eq!(applied, Applied::Now);
                    // Returned means committed: a fresh connection to the file sees it.
                    let state: String = rusqlite::Connection::open(path)
                        .expect("a second connection")
                        .query_row("SELECT state FROM sales WHERE id = ?1", [&id], |r| r.get(0))
                        .expect("the sale is in the file");
                    assert_eq!(state, SaleState::Paid.code());
                }
            });
        }
    });
    let writes = u64::try_from(writers * sales_each * 2).unwrap();
    let commits = shop.ledger.group_commits();
    assert_eq!(commits.transactions - before.transactions, writes);
    let groups = commits.groups - before.groups;
    assert!(
        groups < writes,
        "{writes} transactions took {groups} commits: no group formed"
    );
    let sizes = sizes.lock().unwrap().clone();
    assert_eq!(
        sizes.iter().sum::<usize>(),
        usize::try_from(writes).unwrap()
    );
    assert!(sizes.iter().any(|&size| size > 1), "group sizes {sizes:?}");

    // Reopened from the file (self-check included), every sale is there and paid.
    let path = shop.path.clone();
    let Shop { ledger, dir, .. } = shop;
    drop(ledger);
    let reopened = Ledger::open(&path).unwrap();
    for writer in 0..writers {
        for n in 0..sales_each {
            let sale = reopened.sale(&format!("W{writer}-{n}")).unwrap();
            assert_eq!(sale.state, SaleState::Paid);
            assert_eq!(sale.received, Satang::new(PRICE));
        }
    }
    drop(dir);
}

#[test]
fn a_failing_member_undoes_only_its_own_writes() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap() + 9 * 3_600_000;
    // "TAKEN" is a key already used: a sale that reuses it fails after writing its sale row and
    // its first event, inside the group.
    create(
        &shop.ledger,
        "TAKEN",
        "op-alpha",
        PRICE,
        PaymentMethod::Cash,
        at,
    )
    .unwrap();
    let sizes = record_groups(&shop.ledger);
    let before = shop.ledger.group_commits();
    let writers = 12;
    let start = Barrier::new(writers);
    let outcomes: Vec<(String, Result<(), LedgerError>)> = thread::scope(|scope| {
        let handles: Vec<_> = (0..writers)
            .map(|writer| {
                let (ledger, start) = (&shop.ledger, &start);
                scope.spawn(move || {
                    let id = format!("F{writer}");
                    let (sale, mut payment) =
                        new_sale(&id, "op-alpha", PRICE, PaymentMethod::Cash, at).unwrap();
                    if writer % 3 == 1 {
                        payment = NewPayment {
                            reference: "TAKEN".into(),
                            ..payment
                        };
                    }
                    start.wait();
                    let result = ledger
                        .create_sale(&sale, &payment, &actor_of("op-alpha"))
                        .map(|_| ());
                    (id, result)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });

    let mut kept = 0;
    for (id, result) in &outcomes {
        let writer: usize = id[1..].parse().unwrap();
        if writer % 3 == 1 {
            assert!(
                matches!(result, Err(LedgerError::KeyReused { .. })),
                "{id}: {result:?}"
            );
        } else {
            assert!(result.is_ok(), "{id}: {result:?}");
            kept += 1;
        }
    }
    let sizes = sizes.lock().unwrap().clone();
    // The failing members were in groups (they count in the groups' sizes) ...
    assert_eq!(
        sizes.iter().sum::<usize>(),
        writers,
        "group sizes {sizes:?}"
    );
    assert!(sizes.iter().any(|&size| size > 1), "group sizes {sizes:?}");
    assert_eq!(
        shop.ledger.group_commits().transactions - before.transactions,
        u64::try_from(kept).unwrap()
    );
    // ... and left nothing behind: no sale row, no event; the others are whole.
    let connection = raw(&shop).unwrap();
    for (id, result) in &outcomes {
        let sales: i64 = connection
            .query_row("SELECT COUNT(*) FROM sales WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap();
        let events: i64 = connection
            .query_row(
                "SELECT COUNT(*) FROM events WHERE sale_id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        let payments: i64 = connection
            .query_row(
                "SELECT COUNT(*) FROM payments WHERE sale_id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        let expected = i64::from(result.is_ok());
        assert_eq!(
            (sales, events, payments),
            (expected, expected, expected),
            "{id}"
        );
    }
    assert_eq!(sales_in_file(&shop).unwrap(), i64::from(kept) + 1);
}

#[test]
fn a_member_failing_alone_ends_its_group() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap() + 9 * 3_600_000;
    create(
        &shop.ledger,
        "P1",
        "op-alpha",
        PRICE,
        PaymentMethod::Cash,
        at,
    )
    .unwrap();
    let (sale, payment) = new_sale("P2", "op-alpha", PRICE, PaymentMethod::Cash, at).unwrap();
    let reused = NewPayment {
        reference: "P1".into(),
        ..payment.clone()
    };
    assert!(matches!(
        shop.ledger
            .create_sale(&sale, &reused, &actor_of("op-alpha")),
        Err(LedgerError::KeyReused { .. })
    ));
    // Nobody else was in its group: the transaction is closed, not left holding the write lock.
    let other = raw(&shop).unwrap();
    other.busy_timeout(Duration::ZERO).unwrap();
    other.execute_batch("BEGIN IMMEDIATE; ROLLBACK").unwrap();
    shop.ledger
        .create_sale(&sale, &payment, &actor_of("op-alpha"))
        .unwrap();
    assert_eq!(sales_in_file(&shop).unwrap(), 2);
}

/// The child side of the crash test: writers gather into a group and the process dies just
/// before that group's `COMMIT`. Prints each committed group's size first.
fn crash_child(path: &str) {
    let ledger = Ledger::open(path).expect("the child opens the ledger");
    let at = day_zero().expect("day zero") + 9 * 3_600_000;
    let groups = Arc::new(Mutex::new(0_usize));
    let seen = Arc::clone(&groups);
    ledger.before_group_commit(move |size| {
        let mut count = seen.lock().expect("count");
        *count += 1;
        if size > 1 {
            println!("dying before a group of {size}");
            std::process::abort();
        }
        println!("committing a group of {size}");
        if *count == 1 {
            // Hold the first commit so the other writers gather into the next group.
            thread::sleep(Duration::from_millis(300));
        }
    });
    let writers = 8;
    let start = Barrier::new(writers);
    thread::scope(|scope| {
        for writer in 0..writers {
            let (ledger, start) = (&ledger, &start);
            scope.spawn(move || {
                start.wait();
                for n in 0..3 {
                    let id = format!("C{writer}-{n}");
                    if let Err(error) =
                        create(ledger, &id, "op-alpha", PRICE, PaymentMethod::Cash, at)
                    {
                        println!("write failed: {error}");
                    }
                }
            });
        }
    });
    println!("no group formed");
}

#[test]
fn a_crash_before_the_group_commit_loses_the_whole_group_and_nothing_half_done() {
    if let Ok(path) = std::env::var(CRASH_CHILD) {
        crash_child(&path);
        return;
    }
    let shop = shop().unwrap();
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "a_crash_before_the_group_commit_loses_the_whole_group_and_nothing_half_done",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CRASH_CHILD, &shop.path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "the child did not die: {stdout}");
    let committed: usize = stdout
        .lines()
        // (the first line also carries the test harness's "test … … ")
        .filter_map(|l| l.split_once("committing a group of ").map(|(_, n)| n))
        .map(|n| n.trim().parse::<usize>().unwrap())
        .sum();
    let lost: usize = stdout
        .lines()
        .find_map(|l| l.split_once("dying before a group of ").map(|(_, n)| n))
        .map(|n| n.trim().parse().unwrap())
        .expect("the child died before a group commit");
    assert!(lost > 1);

    // The ledger opens (self-check, integrity check) and holds exactly the committed groups.
    let path = shop.path.clone();
    let Shop { ledger, dir, .. } = shop;
    drop(ledger);
    let reopened = Ledger::open(&path).unwrap();
    assert_eq!(reopened.self_check().integrity, "ok");
    let connection = rusqlite::Connection::open(&path).unwrap();
    let sales: i64 = connection
        .query_row("SELECT COUNT(*) FROM sales", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sales, i64::try_from(committed).unwrap(), "{stdout}");
    // Nothing half-done: every sale has its payment and its creation event, and no event or
    // payment exists without its sale.
    let whole: i64 = connection
        .query_row(
            "SELECT COUNT(*) FROM sales s
             WHERE (SELECT COUNT(*) FROM payments p WHERE p.sale_id = s.id) = 1
               AND (SELECT COUNT(*) FROM events e WHERE e.sale_id = s.id
                    AND e.kind = 'sale_created') = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(whole, sales);
    let orphans: i64 = connection
        .query_row(
            "SELECT (SELECT COUNT(*) FROM events WHERE sale_id IS NOT NULL
                       AND sale_id NOT IN (SELECT id FROM sales))
                  + (SELECT COUNT(*) FROM payments WHERE sale_id NOT IN (SELECT id FROM sales))",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0);
    // And it takes new sales.
    let at = day_zero().unwrap() + 10 * 3_600_000;
    create(
        &reopened,
        "AFTER",
        "op-alpha",
        PRICE,
        PaymentMethod::Cash,
        at,
    )
    .unwrap();
    drop(dir);
}

#[test]
fn atomically_keeps_several_writes_together_or_writes_none() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap() + 9 * 3_600_000;
    let cashier = actor_of("op-alpha");
    let before = shop.ledger.group_commits();
    let (sale_a, payment_a) = new_sale("A1", "op-alpha", PRICE, PaymentMethod::Cash, at).unwrap();
    let (sale_b, payment_b) = new_sale("A2", "op-alpha", PRICE, PaymentMethod::Cash, at).unwrap();
    shop.ledger
        .atomically(|| {
            shop.ledger.create_sale(&sale_a, &payment_a, &cashier)?;
            shop.ledger.create_sale(&sale_b, &payment_b, &cashier)?;
            Ok(())
        })
        .unwrap();
    let after = shop.ledger.group_commits();
    assert_eq!(after.transactions - before.transactions, 1);
    assert_eq!(after.groups - before.groups, 1);
    assert_eq!(sales_in_file(&shop).unwrap(), 2);

    // The second write fails (its key is taken): the first is undone with it.
    let (sale_c, payment_c) = new_sale("A3", "op-alpha", PRICE, PaymentMethod::Cash, at).unwrap();
    let (sale_d, payment_d) = new_sale("A4", "op-alpha", PRICE, PaymentMethod::Cash, at).unwrap();
    let reused = NewPayment {
        reference: "A1".into(),
        ..payment_d.clone()
    };
    let result = shop.ledger.atomically(|| {
        shop.ledger.create_sale(&sale_c, &payment_c, &cashier)?;
        shop.ledger.create_sale(&sale_d, &reused, &cashier)?;
        Ok(())
    });
    assert!(
        matches!(result, Err(LedgerError::KeyReused { .. })),
        "{result:?}"
    );
    assert_eq!(sales_in_file(&shop).unwrap(), 2);
    assert!(shop.ledger.sale("A3").is_err());

    // A failure the work recovers from undoes only that write.
    shop.ledger
        .atomically(|| {
            assert!(shop.ledger.create_sale(&sale_d, &reused, &cashier).is_err());
            shop.ledger.create_sale(&sale_c, &payment_c, &cashier)?;
            Ok(())
        })
        .unwrap();
    assert_eq!(sales_in_file(&shop).unwrap(), 3);
    assert!(shop.ledger.sale("A4").is_err());
}

#[test]
fn the_transaction_tally_names_each_committed_transaction_and_skips_failed_ones() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap() + 9 * 3_600_000;
    let cashier = actor_of("op-alpha");
    let (sale_a, payment_a) = new_sale("T1", "op-alpha", PRICE, PaymentMethod::Cash, at).unwrap();
    // Nothing is counted before the tally is on.
    shop.ledger
        .create_sale(&sale_a, &payment_a, &cashier)
        .unwrap();
    assert!(shop.ledger.transaction_tally().counts.is_empty());

    shop.ledger.tally_transactions(true);
    let (sale_b, payment_b) = new_sale("T2", "op-alpha", PRICE, PaymentMethod::Cash, at).unwrap();
    let (_, opened) = shop
        .ledger
        .atomically(|| {
            let (sale, payment) = shop.ledger.create_sale(&sale_b, &payment_b, &cashier)?;
            shop.ledger.schedule_check(&sale.id, Some(at + 5))?;
            Ok((sale, payment))
        })
        .unwrap();
    shop.ledger
        .payment_received(opened.id, Satang::new(PRICE), at + 1, &cashier)
        .unwrap();
    // A write that fails is no transaction; neither is a failed part inside `atomically`.
    assert!(shop
        .ledger
        .create_sale(&sale_b, &payment_b, &cashier)
        .is_err());
    shop.ledger
        .atomically(|| {
            assert!(shop
                .ledger
                .create_sale(&sale_b, &payment_b, &cashier)
                .is_err());
            shop.ledger.schedule_check("T1", Some(at + 9))
        })
        .unwrap();

    let tally = shop.ledger.transaction_tally();
    assert_eq!(
        tally.counts,
        vec![
            ("create_sale + schedule_check".to_owned(), 1),
            ("payment_received".to_owned(), 1),
            ("schedule_check".to_owned(), 1),
        ],
        "names in the order they first committed, a merged transaction named by its parts"
    );
    assert_eq!(tally.total(), 3);
    shop.ledger.tally_transactions(false);
    shop.ledger.schedule_check("T1", None).unwrap();
    assert!(shop.ledger.transaction_tally().counts.is_empty());
}

/// The member that joins a group last ends it, also when its own work fails: the members
/// already waiting are committed, not left waiting for a `COMMIT` nobody runs. One good writer
/// and several failing ones gather behind a held `COMMIT`, so in most rounds a failing one
/// joins the next group last. (Were it to leave the group open, the good writer would wait
/// forever: the test fails on a deadline instead of hanging.)
#[test]
fn a_failing_member_that_joins_last_still_commits_the_waiting_members() {
    let Shop { ledger, path, dir } = shop().unwrap();
    let ledger = Arc::new(ledger);
    let at = day_zero().unwrap() + 9 * 3_600_000;
    create(&ledger, "USED", "op-alpha", PRICE, PaymentMethod::Cash, at).unwrap();
    let failing = 7;
    let rounds = 5;
    for round in 0..rounds {
        let sizes = record_groups(&ledger);
        let start = Arc::new(Barrier::new(failing + 2));
        let (done, finished) = std::sync::mpsc::channel();
        let mut threads = Vec::new();
        for writer in 0..failing + 2 {
            let (ledger, start, done) = (ledger.clone(), start.clone(), done.clone());
            threads.push(thread::spawn(move || {
                // Writer 0 opens a group whose COMMIT is held back; the good writer 1 and the
                // failing ones arrive meanwhile and form the next group.
                let id = format!("R{round}-{writer}");
                let (sale, mut payment) =
                    new_sale(&id, "op-alpha", PRICE, PaymentMethod::Cash, at).unwrap();
                if writer >= 2 {
                    payment = NewPayment {
                        reference: "USED".into(),
                        ..payment
                    };
                }
                start.wait();
                if writer != 0 {
                    thread::sleep(Duration::from_millis(50));
                }
                let result = ledger
                    .create_sale(&sale, &payment, &actor_of("op-alpha"))
                    .map(|_| ());
                let _ = done.send((writer, result));
            }));
        }
        drop(done);
        let mut results = Vec::new();
        for _ in 0..failing + 2 {
            match finished.recv_timeout(Duration::from_secs(20)) {
                Ok(outcome) => results.push(outcome),
                Err(_) => panic!("round {round}: a writer is still waiting; returned: {results:?}"),
            }
        }
        for (writer, result) in &results {
            if *writer < 2 {
                assert!(result.is_ok(), "round {round} writer {writer}: {result:?}");
            } else {
                assert!(
                    matches!(result, Err(LedgerError::KeyReused { .. })),
                    "round {round} writer {writer}: {result:?}"
                );
            }
        }
        // Every writer has answered; joining lets each drop its handle on the ledger.
        for thread in threads {
            thread.join().unwrap();
        }
        let sizes = sizes.lock().unwrap().clone();
        assert!(
            sizes.iter().any(|&size| size > 1),
            "round {round}: groups {sizes:?}"
        );
    }
    let shop = Shop {
        ledger: Arc::into_inner(ledger).expect("every writer is done"),
        path,
        dir,
    };
    assert_eq!(sales_in_file(&shop).unwrap(), 1 + 2 * rounds);
}

/// The write-ahead log is checkpointed by the ledger's background thread, not inside the
/// writers' commits, and still starts over: thousands of pages written one commit at a time
/// leave a log far shorter than what was written.
#[test]
fn the_log_is_checkpointed_in_the_background_and_starts_over() {
    let shop = shop().unwrap();
    let at = day_zero().unwrap();
    let body = vec![b'x'; 4_000];
    // Each write adds at least one 4 KiB page of the callbacks table to the log.
    let writes: i64 = 6_000;
    for n in 0..writes {
        shop.ledger
            .store_callback("wepay", None, &body, at + n)
            .unwrap();
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while shop.ledger.background_checkpoints() == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "no background checkpoint after {writes} writes"
        );
        thread::sleep(Duration::from_millis(20));
    }
    // (busy, pages in the log, pages checkpointed): a log that never started over would hold
    // every page written.
    let (_, log_pages, _): (i64, i64, i64) = raw(&shop)
        .unwrap()
        .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert!(
        log_pages < writes,
        "the log holds {log_pages} pages after {writes} one-page writes: it never started over"
    );
    let stored: i64 = raw(&shop)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM callbacks", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, writes);
}
