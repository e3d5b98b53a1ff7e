//! Kiosk ledgers → hub, against a real PostgreSQL: every entry stored once, in order, through
//! kills, replays, reordering, restarts, two registers at once and a week offline; and the hub's
//! totals equal the sum of the registers' ledgers.
// Test code throughout (helpers included): a failed unwrap is a failed test. clippy's
// allow-unwrap-in-tests covers only the #[test] functions themselves.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{
    eventually, fast, first_day, sum_of_ledgers, Database, PauseBeforeCommit, RunningHub, Shop,
};
use termdee_app::engine::{CrashHook, Crashed};
use termdee_app::fleet::{FleetError, PushOutcome};
use termdee_domain::report::{total, ReportDimension};
use termdee_domain::{Actor, BusinessDay, Clock, Satang};
use termdee_hub::wire::{EntryKind, PushBatch, PushEntry, PushReply, PushRow, PUSH_PATH};
use termdee_hub::Store;
use termdee_ledger::OutboxBatch;

const DAY_MS: i64 = 86_400_000;

fn day(offset: i64) -> BusinessDay {
    BusinessDay::of(first_day() + offset * DAY_MS)
}

/// Pushes until the sender has nothing more to send.
async fn drain(sender: &termdee_app::fleet::OutboxSender) {
    for _ in 0..10_000 {
        match sender.push_once().await.expect("the hub takes the push") {
            PushOutcome::Pushed { more: true, .. } => {}
            PushOutcome::Pushed { .. } | PushOutcome::Idle => return,
        }
    }
    panic!("the sender never finished");
}

/// No duplicate, no gap: the hub holds exactly 1..=head of the register's outbox, and every
/// sale exactly as the ledger holds it.
async fn assert_mirrors(store: &Store, shop: &Shop) {
    let head = shop.ledger.outbox_status().unwrap().head_seq;
    let seqs = store.received_seqs(&shop.id).await.unwrap();
    let expected: Vec<i64> = (1..=head).collect();
    assert_eq!(
        seqs, expected,
        "register {}: each entry once, none missing",
        shop.id
    );
    assert_eq!(store.applied_seq(&shop.id).await.unwrap(), head);
    assert_eq!(shop.ledger.outbox_status().unwrap().acked_seq, head);
    let from = day(-1);
    let to = day(30);
    let hub = store
        .report(from, to, ReportDimension::Operator, Some(&shop.id))
        .await
        .unwrap();
    let ledger = sum_of_ledgers(&[shop], from, to);
    assert_eq!(
        hub.rows, ledger,
        "register {}: hub report = ledger report",
        shop.id
    );
    let sales = shop.ledger.all_sales().unwrap().len() as i64;
    assert_eq!(hub.total.sales.count, sales);
}

/// Kills the sender at one named crash point.
#[derive(Debug)]
struct KillAt(&'static str);

impl CrashHook for KillAt {
    fn hit(&self, point: &'static str) -> Result<(), Crashed> {
        if point == self.0 {
            Err(Crashed(point))
        } else {
            Ok(())
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_register_catches_up_and_the_hub_mirrors_its_ledger() {
    let database = Database::start().await;
    let hub = RunningHub::plain(&database.url);
    let mut shop = Shop::open(&database, "kiosk-1", 1).await;
    shop.sell(300, 8 * 60);
    let sender = shop.sender(&hub.url(), fast());
    drain(&sender).await;
    assert_mirrors(&database.store, &shop).await;
    // Nothing new: the next push is idle, and the hub saw the register.
    assert_eq!(sender.push_once().await.unwrap(), PushOutcome::Idle);
    let health = database.store.health(0).await.unwrap();
    let kiosk = &health.registers[0];
    assert_eq!((kiosk.register_id.as_str(), kiosk.backlog), ("kiosk-1", 0));
    assert!(kiosk.last_push_at.is_some());
    let needing_person = shop.ledger.sales_needing_person().unwrap().len() as i64;
    assert_eq!(
        kiosk.unresolved, needing_person,
        "health counts the ledger's unresolved"
    );
    // More selling later the same day flows after it.
    shop.sell(40, 60);
    drain(&sender).await;
    assert_mirrors(&database.store, &shop).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_killed_between_send_and_acknowledgement_sends_again_and_nothing_doubles() {
    let database = Database::start().await;
    let hub = RunningHub::plain(&database.url);
    let mut shop = Shop::open(&database, "kiosk-1", 2).await;
    shop.sell(120, 120);
    let killed = shop
        .sender(&hub.url(), fast())
        .with_crash_hook(Arc::new(KillAt("fleet.push.after_send")));
    let error = killed.push_once().await.unwrap_err();
    assert!(matches!(error, FleetError::Crashed(_)), "{error}");
    drop(killed);
    // The hub stored the batch; the register never recorded the acknowledgement.
    let stored = database.store.applied_seq("kiosk-1").await.unwrap();
    assert_eq!(stored, fast().batch_size as i64);
    assert_eq!(shop.ledger.outbox_status().unwrap().acked_seq, 0);

    // After the restart the same entries go again; the hub keeps one copy and acknowledges.
    let sender = shop.sender(&hub.url(), fast());
    match sender.push_once().await.unwrap() {
        PushOutcome::Pushed { reply, .. } => assert_eq!(reply.applied_through, stored),
        PushOutcome::Idle => panic!("the unacknowledged batch must be sent again"),
    }
    assert_eq!(shop.ledger.outbox_status().unwrap().acked_seq, stored);
    drain(&sender).await;
    // Killed again, this time before anything left: nothing at the hub changes.
    shop.sell(10, 10);
    let before = database.store.applied_seq("kiosk-1").await.unwrap();
    let killed = shop
        .sender(&hub.url(), fast())
        .with_crash_hook(Arc::new(KillAt("fleet.push.before_send")));
    assert!(killed.push_once().await.is_err());
    assert_eq!(database.store.applied_seq("kiosk-1").await.unwrap(), before);
    drain(&sender).await;
    assert_mirrors(&database.store, &shop).await;
}

fn wire(batch: OutboxBatch) -> PushBatch {
    let kind = |k: termdee_ledger::OutboxKind| match k {
        termdee_ledger::OutboxKind::Register => EntryKind::Register,
        termdee_ledger::OutboxKind::Operator => EntryKind::Operator,
        termdee_ledger::OutboxKind::Sale => EntryKind::Sale,
        termdee_ledger::OutboxKind::Event => EntryKind::Event,
    };
    PushBatch {
        head_seq: batch.head_seq,
        entries: batch
            .entries
            .into_iter()
            .map(|e| PushEntry {
                seq: e.seq,
                kind: kind(e.kind),
                key: e.key,
            })
            .collect(),
        rows: batch
            .rows
            .into_iter()
            .map(|r| PushRow {
                kind: kind(r.kind),
                key: r.key,
                row: r.row,
            })
            .collect(),
        report: None,
    }
}

/// Sends `batch` with the register's own client, by hand (to replay and reorder).
async fn push(shop: &Shop, hub: &RunningHub, batch: &PushBatch) -> PushReply {
    let client = shop.client(&hub.url(), &fast());
    client.push(batch).await.expect("the hub answers")
}

async fn sale_state(store: &Store, register: &str, sale: &str) -> Option<String> {
    store
        .sale_snapshot(register, sale)
        .await
        .unwrap()
        .and_then(|row| row.get("state").and_then(|s| s.as_str()).map(str::to_owned))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replayed_and_reordered_batches_are_stored_once_in_order_and_never_regress() {
    let database = Database::start().await;
    let hub = RunningHub::plain(&database.url);
    let mut shop = Shop::open(&database, "kiosk-1", 3).await;
    shop.sell(60, 60);
    let head = shop.ledger.outbox_status().unwrap().head_seq;
    let third = head / 3;
    let b1 = wire(shop.ledger.outbox_batch_after(0, third as usize).unwrap());
    let b2 = wire(
        shop.ledger
            .outbox_batch_after(third, third as usize)
            .unwrap(),
    );
    let b3 = wire(shop.ledger.outbox_batch_after(2 * third, 10_000).unwrap());

    // The last batch first: nothing stored, the hole named.
    let reply = push(&shop, &hub, &b3).await;
    assert_eq!(
        reply,
        PushReply {
            applied_through: 0,
            missing_from: Some(1)
        }
    );
    assert_eq!(push(&shop, &hub, &b2).await.missing_from, Some(1));
    assert!(database
        .store
        .received_seqs("kiosk-1")
        .await
        .unwrap()
        .is_empty());
    // In order now, each replayed.
    assert_eq!(push(&shop, &hub, &b1).await.applied_through, third);
    assert_eq!(
        push(&shop, &hub, &b1).await,
        PushReply {
            applied_through: third,
            missing_from: None
        }
    );
    assert_eq!(
        push(&shop, &hub, &b3).await,
        PushReply {
            applied_through: third,
            missing_from: Some(third + 1)
        }
    );
    // A batch with its entries shuffled is read in seq order.
    let mut shuffled = b2.clone();
    shuffled.entries.reverse();
    assert_eq!(
        push(&shop, &hub, &shuffled).await.applied_through,
        2 * third
    );
    // Overlapping: the known part is skipped, the rest taken.
    let overlap = wire(shop.ledger.outbox_batch_after(third, 10_000).unwrap());
    assert_eq!(push(&shop, &hub, &overlap).await.applied_through, head);
    for batch in [&b1, &b2, &b3, &overlap] {
        assert_eq!(
            push(&shop, &hub, batch).await.applied_through,
            head,
            "replays change nothing"
        );
    }
    shop.ledger
        .outbox_acknowledged(head, shop.clock.now())
        .unwrap();
    assert_mirrors(&database.store, &shop).await;

    // A stale snapshot never overwrites a newer one. Batch A is read while sale X is paid;
    // then X becomes refund-due and batch B, a shorter read from the start, carries that.
    let late = Shop::open(&database, "kiosk-2", 4).await;
    let x = late.create_cash_sale("X", 5_000);
    late.ledger
        .payment_received(x, Satang::new(5_000), late.clock.now(), &Actor::poller())
        .unwrap();
    late.create_cash_sale("Y", 1_000);
    let a = wire(late.ledger.outbox_batch_after(0, 10_000).unwrap());
    let x_first = a.entries.iter().find(|e| e.key == "X").unwrap().seq;
    let x_later = a.entries.iter().filter(|e| e.key == "X").count();
    assert!(x_later >= 2, "A names X again after its first entry (paid)");
    late.ledger
        .mark_refund_due("X", "provider refused", late.clock.now(), &Actor::poller())
        .unwrap();
    let b = wire(late.ledger.outbox_batch_after(0, x_first as usize).unwrap());
    assert!(b.head_seq > a.head_seq);
    assert_eq!(b.entries.last().map(|e| e.key.as_str()), Some("X"));
    assert_eq!(push(&late, &hub, &b).await.applied_through, x_first);
    assert_eq!(
        sale_state(&database.store, "kiosk-2", "X").await.as_deref(),
        Some("refund_due")
    );
    // A's later entries are new to the hub and accepted, but its picture of X is older.
    assert_eq!(push(&late, &hub, &a).await.applied_through, a.head_seq);
    assert_eq!(
        sale_state(&database.store, "kiosk-2", "X").await.as_deref(),
        Some("refund_due"),
        "batch A's older snapshot (paid) must not overwrite B's newer one"
    );
    let sender = late.sender(&hub.url(), fast());
    drain(&sender).await;
    assert_mirrors(&database.store, &late).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_killed_mid_batch_stores_nothing_of_it_and_the_register_sends_it_again() {
    let database = Database::start().await;
    let pause = PauseBeforeCommit::armed();
    let hub = RunningHub::start(&database.url, "127.0.0.1:0".parse().unwrap(), pause.clone());
    let addr = hub.addr;
    let hub_url = hub.url();
    let mut shop = Shop::open(&database, "kiosk-1", 5).await;
    shop.sell(100, 100);
    let sender = Arc::new(shop.sender(&hub_url, fast()));
    let pushing = {
        let sender = sender.clone();
        tokio::spawn(async move { sender.push_once().await })
    };
    // Every row of the batch is written inside the hub's transaction; now the hub dies.
    tokio::time::timeout(Duration::from_secs(30), pause.reached.notified())
        .await
        .expect("the hub reached the middle of the batch");
    hub.kill();
    let outcome = pushing.await.unwrap();
    assert!(
        matches!(outcome, Err(FleetError::Unreachable(_))),
        "the register got no acknowledgement: {outcome:?}"
    );
    assert_eq!(shop.ledger.outbox_status().unwrap().acked_seq, 0);
    eventually(
        "the dead hub's transaction to roll back",
        Duration::from_secs(10),
        || async {
            database.store.applied_seq("kiosk-1").await.unwrap() == 0
                && database
                    .store
                    .received_seqs("kiosk-1")
                    .await
                    .unwrap()
                    .is_empty()
        },
    )
    .await;
    let report = database
        .store
        .report(day(-1), day(1), ReportDimension::Operator, None)
        .await
        .unwrap();
    assert_eq!(
        report.total.sales.count, 0,
        "no sale of the dead batch is visible"
    );

    // The hub comes back on the same address; the register sends the batch again.
    let hub = RunningHub::start(&database.url, addr, Arc::new(termdee_hub::NoHook));
    drain(&sender).await;
    assert_mirrors(&database.store, &shop).await;
    drop(hub);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_registers_push_at_once_and_each_writes_only_its_own_rows() {
    let database = Database::start().await;
    let hub = RunningHub::plain(&database.url);
    let mut one = Shop::open(&database, "kiosk-1", 6).await;
    let mut two = Shop::open(&database, "counter-2", 7).await;
    one.sell(250, 9 * 60);
    two.sell(250, 9 * 60);
    let (a, b) = (
        one.sender(&hub.url(), fast()),
        two.sender(&hub.url(), fast()),
    );
    // Both background loops at once, while both registers keep selling.
    let run_a = tokio::spawn(a.run(None));
    let run_b = tokio::spawn(b.run(None));
    one.sell(50, 60);
    two.sell(50, 60);
    for shop in [&one, &two] {
        let head = shop.ledger.outbox_status().unwrap().head_seq;
        eventually(
            "both registers to catch up",
            Duration::from_secs(60),
            || async {
                database.store.applied_seq(&shop.id).await.unwrap() == head
                    && shop.ledger.outbox_status().unwrap().acked_seq == head
            },
        )
        .await;
    }
    run_a.abort();
    run_b.abort();
    assert_mirrors(&database.store, &one).await;
    assert_mirrors(&database.store, &two).await;

    // The fleet's report by operator is the sum of both ledgers (cashiers work at both).
    let (from, to) = (day(-1), day(1));
    let fleet = database
        .store
        .report(from, to, ReportDimension::Operator, None)
        .await
        .unwrap();
    let expected = sum_of_ledgers(&[&one, &two], from, to);
    assert_eq!(fleet.rows, expected);
    assert_eq!(fleet.total, total(&expected));
    assert!(fleet.rows.iter().any(|r| r.key == "cashier-a"));
    assert_eq!(
        fleet.labels.get("cashier-a").map(String::as_str),
        Some("CASHIER-A")
    );
    let by_register = database
        .store
        .report(from, to, ReportDimension::Register, None)
        .await
        .unwrap();
    let keys: Vec<&str> = by_register.rows.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["counter-2", "kiosk-1"]);
    assert_eq!(by_register.total, fleet.total);

    // Register one cannot write register two's sale, even with a valid token of its own.
    let mut forged = wire(two.ledger.outbox_batch_after(0, 10_000).unwrap());
    forged.entries.retain(|e| e.kind == EntryKind::Sale);
    let next = database.store.applied_seq("kiosk-1").await.unwrap() + 1;
    for (n, entry) in forged.entries.iter_mut().enumerate() {
        entry.seq = next + n as i64;
    }
    forged.head_seq = next + forged.entries.len() as i64;
    let refused = one
        .client(&hub.url(), &fast())
        .push(&forged)
        .await
        .unwrap_err();
    match refused {
        FleetError::Refused { status, code, .. } => {
            assert_eq!((status, code.as_str()), (403, "forbidden"))
        }
        other => panic!("expected a refusal, got {other}"),
    }
    assert_mirrors(&database.store, &one).await;
    assert_mirrors(&database.store, &two).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_register_offline_for_a_week_catches_up_with_every_day_right() {
    let database = Database::start().await;
    // The hub's address is known but nothing listens there yet: the hub is down.
    let parked = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = parked.local_addr().unwrap();
    drop(parked);
    let hub_url = url::Url::parse(&format!("http://{addr}/")).unwrap();
    let mut shop = Shop::open(&database, "kiosk-1", 8).await;
    let sender = shop.sender(&hub_url, fast());
    // Seven simulated days of selling, the sender failing (and backing off) all along.
    for _ in 0..7 {
        shop.sell(300, 12 * 60);
        assert!(matches!(
            sender.push_once().await,
            Err(FleetError::Unreachable(_))
        ));
        shop.clock.advance(12 * 3_600_000);
    }
    let status = shop.ledger.outbox_status().unwrap();
    assert_eq!(status.acked_seq, 0);
    assert!(
        status.backlog > 7 * 300 * 2,
        "a week of outbox: {}",
        status.backlog
    );
    let running = tokio::spawn(sender.run(None));
    tokio::time::sleep(Duration::from_millis(50)).await; // a few failed attempts, backing off

    // The hub comes up; the register catches up on its own.
    let hub = RunningHub::start(&database.url, addr, Arc::new(termdee_hub::NoHook));
    let head = status.head_seq;
    eventually(
        "the week to reach the hub",
        Duration::from_secs(120),
        || async { shop.ledger.outbox_status().unwrap().acked_seq == head },
    )
    .await;
    running.abort();
    assert_mirrors(&database.store, &shop).await;
    for offset in 0..8 {
        let one_day = day(offset);
        let hub_day = database
            .store
            .report(one_day, one_day, ReportDimension::Operator, None)
            .await
            .unwrap();
        assert_eq!(
            hub_day.rows,
            sum_of_ledgers(&[&shop], one_day, one_day),
            "day {one_day}"
        );
    }
    let week = database
        .store
        .report(day(0), day(6), ReportDimension::Operator, None)
        .await
        .unwrap();
    assert_eq!(week.total.sales.count, 7 * 300);
    drop(hub);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushes_without_a_register_token_or_with_a_bad_batch_are_refused_and_change_nothing() {
    let database = Database::start().await;
    let hub = RunningHub::plain(&database.url);
    let mut shop = Shop::open(&database, "kiosk-1", 9).await;
    shop.sell(5, 5);
    let batch = wire(shop.ledger.outbox_batch_after(0, 100).unwrap());
    let http = termdee_providers::http_client();
    let url = hub.url().join(PUSH_PATH.trim_start_matches('/')).unwrap();
    let owner = database.store.issue_owner_token("owner", 0).await.unwrap();
    for auth in [None, Some("tdr_0000".to_owned()), Some(owner)] {
        let mut request = http.post(url.clone()).json(&batch);
        if let Some(token) = auth {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(
            response.status(),
            401,
            "an owner or unknown token cannot push"
        );
    }
    let client = shop.client(&hub.url(), &fast());
    // A sale state this hub does not know (a newer register): refused whole.
    let mut newer = batch.clone();
    for row in &mut newer.rows {
        if row.kind == EntryKind::Sale {
            if let Some(row) = row.row.as_mut() {
                row.insert("state".into(), "teleported".into());
            }
        }
    }
    assert!(matches!(
        client.push(&newer).await,
        Err(FleetError::Refused { status: 422, .. })
    ));
    // An entry whose row the batch does not carry: refused.
    let mut missing = batch.clone();
    missing.rows.retain(|r| r.kind != EntryKind::Sale);
    assert!(matches!(
        client.push(&missing).await,
        Err(FleetError::Refused { status: 422, .. })
    ));
    // Entries past the batch's own head: refused.
    let mut past = batch.clone();
    past.head_seq = 1;
    assert!(matches!(
        client.push(&past).await,
        Err(FleetError::Refused { status: 422, .. })
    ));
    assert!(database
        .store
        .received_seqs("kiosk-1")
        .await
        .unwrap()
        .is_empty());
    // The good batch still goes through.
    assert_eq!(
        client.push(&batch).await.unwrap().applied_through,
        batch.head_seq
    );

    // The same register again with a fresh ledger (a new machine, the register re-enrolled):
    // its first entries would look like replays; the hub refuses instead of dropping its sales.
    let replaced = Shop::open(&database, "kiosk-1", 10).await;
    let fresh = wire(replaced.ledger.outbox_batch_after(0, 3).unwrap());
    assert!(fresh.head_seq < batch.head_seq);
    match replaced.client(&hub.url(), &fast()).push(&fresh).await {
        Err(FleetError::Refused {
            status,
            code,
            message,
        }) => {
            assert_eq!((status, code.as_str()), (409, "conflict"));
            assert!(message.contains("restored or replaced"), "{message}");
        }
        other => panic!("a replaced ledger must be refused, got {other:?}"),
    }
    assert_eq!(
        database.store.received_seqs("kiosk-1").await.unwrap().len() as i64,
        batch.head_seq
    );
}
