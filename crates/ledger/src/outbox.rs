//! The transactional outbox to the fleet hub.
//!
//! A register keeps selling from this ledger when the hub or the network is down, for days if
//! need be; what it did reaches the hub later, in order, exactly once. The outbox is how.
//!
//! **Written in the same transaction as the change, by the schema.** Migration 3 puts triggers
//! on `registers`, `operators`, `sales` (insert and update) and `events` (insert) that append a
//! row `(seq, kind, key)` to `outbox`. A trigger runs inside the statement that fired it, so the
//! outbox row commits or rolls back with the sale transition itself; no code path, present or
//! future, can change a sale and forget to queue it. `seq` is `AUTOINCREMENT`: it only grows,
//! is never reused, and — since every insert that is rolled back also rolls back the counter —
//! the committed rows are numbered 1, 2, 3, … without holes, which is what lets the hub detect
//! a gap. Under the ledger's group commit a transition is a savepoint of a shared transaction:
//! its outbox row is written in that savepoint, a member that fails is rolled back to it (its
//! outbox row and the `AUTOINCREMENT` counter with it, so the next member reuses the number),
//! and the group's rows become visible together at its one `COMMIT`.
//!
//! **The row names what changed, not its columns.** Another migration may add columns to
//! `sales` (a provider, a cost) or to `operators`; a trigger that copied a column list would go
//! stale silently. Instead the sender reads the *current* row when it sends
//! ([`Ledger::outbox_batch_after`]), generically, as JSON of all its columns (`SELECT *`), in one
//! read transaction on the ledger's reading connection together with the entries and the newest
//! `seq` at that moment (`head_seq`); that snapshot holds whole committed groups only.
//! Every snapshot in a batch therefore shows the row exactly as of `head_seq`, which the hub uses
//! to never let an older snapshot overwrite a newer one, however batches are replayed. Columns whose
//! name says they hold a secret (`pin`, `password`, `secret`, `token`, `hash`, `salt` as a word
//! of the name, e.g. a future `pin_hash`) never leave the machine (money rule 7).
//!
//! **Acknowledged by the hub only.** `outbox_cursor.acked_seq` is the highest `seq` the hub said
//! it has stored; the sender moves it with [`Ledger::outbox_acknowledged`] after the hub's
//! reply, never before. A sender killed between sending and recording the ack simply sends the
//! same rows again, and the hub, which deduplicates on (register, seq), answers with the same
//! acknowledgement. Rows are kept after acknowledgement, so a hub restored from an older backup
//! can ask for them again.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use termdee_domain::{UnixMillis, UnknownCode};

use crate::{Ledger, LedgerError, Result};

/// What an outbox row is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxKind {
    /// A register (kiosk machine or counter); the key is its id.
    Register,
    /// An operator (cashier login or kiosk); the key is its id.
    Operator,
    /// A sale; the key is its id.
    Sale,
    /// An event of the append-only log; the key is its `seq`.
    Event,
}

impl OutboxKind {
    /// Every kind.
    pub const ALL: [OutboxKind; 4] = [
        OutboxKind::Register,
        OutboxKind::Operator,
        OutboxKind::Sale,
        OutboxKind::Event,
    ];

    /// The code stored in `outbox.kind` and sent on the wire.
    pub fn code(self) -> &'static str {
        match self {
            OutboxKind::Register => "register",
            OutboxKind::Operator => "operator",
            OutboxKind::Sale => "sale",
            OutboxKind::Event => "event",
        }
    }

    /// The table the row lives in, and its key column.
    fn table(self) -> (&'static str, &'static str) {
        match self {
            OutboxKind::Register => ("registers", "id"),
            OutboxKind::Operator => ("operators", "id"),
            OutboxKind::Sale => ("sales", "id"),
            OutboxKind::Event => ("events", "seq"),
        }
    }
}

impl fmt::Display for OutboxKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for OutboxKind {
    type Err = UnknownCode;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        OutboxKind::ALL
            .into_iter()
            .find(|kind| kind.code() == text)
            .ok_or_else(|| UnknownCode(text.to_owned()))
    }
}

/// One outbox row: "this changed", in commit order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// Position in the register's sequence (1, 2, 3, … without holes).
    pub seq: i64,
    /// What changed.
    pub kind: OutboxKind,
    /// Which one (an id, or an event's `seq`).
    pub key: String,
}

/// The current state of one row named by a batch's entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxRow {
    /// Which table.
    pub kind: OutboxKind,
    /// Which row.
    pub key: String,
    /// Every column by name (secrets withheld), as of the batch's `head_seq`; `None` when the
    /// row does not exist (rows are never deleted, so only a damaged ledger shows this).
    pub row: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Outbox rows to send, with the current state of every row they name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxBatch {
    /// The newest `seq` in the outbox when the batch was read: every snapshot in `rows` shows
    /// the ledger exactly as of this `seq`.
    pub head_seq: i64,
    /// The hub's acknowledgement when the batch was read.
    pub acked_seq: i64,
    /// The entries, in `seq` order, starting right after the requested `seq`.
    pub entries: Vec<OutboxEntry>,
    /// The current row of each distinct (kind, key) the entries name, once each.
    pub rows: Vec<OutboxRow>,
}

/// Where the outbox stands (for the register's health).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxStatus {
    /// The newest `seq` written.
    pub head_seq: i64,
    /// The newest `seq` the hub acknowledged.
    pub acked_seq: i64,
    /// Entries not yet acknowledged.
    pub backlog: i64,
    /// When the last acknowledgement was recorded.
    pub acked_at: Option<UnixMillis>,
}

/// Column names with one of these words never leave the machine.
const SECRET_WORDS: [&str; 7] = [
    "pin", "password", "passcode", "secret", "token", "hash", "salt",
];

fn is_secret_column(name: &str) -> bool {
    name.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| SECRET_WORDS.contains(&word))
}

/// Reads one row of `kind` by its key, every column by name.
fn read_row(
    c: &Connection,
    kind: OutboxKind,
    key: &str,
) -> Result<Option<serde_json::Map<String, serde_json::Value>>> {
    let (table, key_column) = kind.table();
    let mut statement =
        c.prepare_cached(&format!("SELECT * FROM {table} WHERE {key_column} = ?1"))?;
    let names: Vec<String> = statement
        .column_names()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let key_value: rusqlite::types::Value = if kind == OutboxKind::Event {
        rusqlite::types::Value::Integer(key.parse().map_err(|_| LedgerError::Corrupt {
            column: "outbox.key",
            value: key.to_owned(),
        })?)
    } else {
        rusqlite::types::Value::Text(key.to_owned())
    };
    let row = statement
        .query_row([key_value], |r| {
            let mut row = serde_json::Map::new();
            for (index, name) in names.iter().enumerate() {
                if is_secret_column(name) {
                    continue;
                }
                let value = match r.get_ref(index)? {
                    ValueRef::Null => serde_json::Value::Null,
                    ValueRef::Integer(n) => serde_json::Value::from(n),
                    ValueRef::Real(x) => serde_json::Number::from_f64(x)
                        .map_or(serde_json::Value::Null, serde_json::Value::Number),
                    ValueRef::Text(text) => {
                        serde_json::Value::String(String::from_utf8_lossy(text).into_owned())
                    }
                    // No synced table holds bytes; were one to, the hub has no use for them.
                    ValueRef::Blob(_) => serde_json::Value::Null,
                };
                row.insert(name.clone(), value);
            }
            Ok(row)
        })
        .optional()?;
    Ok(row)
}

fn acked(c: &Connection) -> Result<(i64, Option<UnixMillis>)> {
    Ok(
        c.prepare_cached("SELECT acked_seq, acked_at FROM outbox_cursor WHERE id = 1")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?,
    )
}

fn head(c: &Connection) -> Result<i64> {
    Ok(
        c.prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM outbox")?
            .query_row([], |r| r.get(0))?,
    )
}

/// The entries with `seq > after` (at most `limit`) and the current rows they name, read on `c`
/// inside the caller's read transaction.
fn batch_after(c: &Connection, after: i64, limit: usize) -> Result<OutboxBatch> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let head_seq = head(c)?;
    let (acked_seq, _) = acked(c)?;
    let entries = c
        .prepare_cached("SELECT seq, kind, key FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2")?
        .query_map(params![after, limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|(seq, kind, key)| {
            let kind = kind.parse().map_err(|_| LedgerError::Corrupt {
                column: "outbox.kind",
                value: kind.clone(),
            })?;
            Ok(OutboxEntry { seq, kind, key })
        })
        .collect::<Result<Vec<_>>>()?;
    let named: BTreeSet<(OutboxKind, &str)> = entries
        .iter()
        .map(|entry| (entry.kind, entry.key.as_str()))
        .collect();
    let rows = named
        .into_iter()
        .map(|(kind, key)| {
            Ok(OutboxRow {
                kind,
                key: key.to_owned(),
                row: read_row(c, kind, key)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(OutboxBatch {
        head_seq,
        acked_seq,
        entries,
        rows,
    })
}

impl Ledger {
    /// Up to `limit` entries after the hub's acknowledgement, with the rows they name.
    pub fn outbox_batch(&self, limit: usize) -> Result<OutboxBatch> {
        // The acknowledgement, the entries after it and their rows from one snapshot.
        self.read(|c| {
            let (acked_seq, _) = acked(c)?;
            batch_after(c, acked_seq, limit)
        })
    }

    /// Up to `limit` entries with `seq > after`, with the current state of the rows they name —
    /// all read in one transaction, so the snapshots are exactly as of `head_seq`.
    pub fn outbox_batch_after(&self, after: i64, limit: usize) -> Result<OutboxBatch> {
        // `read` is one read transaction on the reading connection: the entries, the head and
        // the rows come from one snapshot, which holds only committed groups (never half of one).
        self.read(|c| batch_after(c, after, limit))
    }

    /// Records the hub's acknowledgement: it holds every entry up to `through`. The hub is the
    /// authority on what it holds, so this may also move back (a hub restored from a backup
    /// asks again from an older `seq`); it may not name a `seq` that was never written.
    pub fn outbox_acknowledged(&self, through: i64, at: UnixMillis) -> Result<()> {
        self.write("outbox_acknowledged", |tx| {
            let head_seq = head(tx)?;
            if through < 0 || through > head_seq {
                return Err(LedgerError::Invalid(format!(
                    "the hub acknowledged seq {through}, but the outbox holds 0..={head_seq}"
                )));
            }
            tx.prepare_cached(
                "UPDATE outbox_cursor SET acked_seq = ?1, acked_at = ?2 WHERE id = 1",
            )?
            .execute(params![through, at])?;
            Ok(())
        })
    }

    /// The newest entry, the acknowledgement and the backlog between them.
    pub fn outbox_status(&self) -> Result<OutboxStatus> {
        self.read(|c| {
            let head_seq = head(c)?;
            let (acked_seq, acked_at) = acked(c)?;
            Ok(OutboxStatus {
                head_seq,
                acked_seq,
                backlog: head_seq - acked_seq,
                acked_at,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use termdee_domain::{
        Actor, ActorKind, BusinessDay, Msisdn, Network, PaymentMethod, SaleState, Satang,
    };

    use crate::{NewPayment, NewSale, Operator, OperatorRole, Register, RegisterKind};

    fn at() -> UnixMillis {
        BusinessDay::parse("2026-03-01")
            .map(BusinessDay::start)
            .unwrap_or(0)
    }

    fn fresh() -> (tempfile::TempDir, Ledger) {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(dir.path().join("ledger.sqlite")).unwrap();
        (dir, ledger)
    }

    fn seed(ledger: &Ledger) {
        ledger
            .upsert_register(
                &Register {
                    id: "kiosk-1".into(),
                    name: "Kiosk".into(),
                    kind: RegisterKind::Kiosk,
                },
                at(),
            )
            .unwrap();
        ledger
            .upsert_operator(
                &Operator {
                    id: "op-a".into(),
                    name: "A".into(),
                    role: OperatorRole::Cashier,
                    easysoft_users: "a".into(),
                    active: true,
                },
                at(),
            )
            .unwrap();
    }

    fn sell(ledger: &Ledger, id: &str, amount: i64) {
        let sale = NewSale {
            id: id.into(),
            register_id: "kiosk-1".into(),
            operator_id: "op-a".into(),
            shift_id: None,
            network: Network::Ais,
            phone: Msisdn::parse("0812345678").unwrap(),
            amount: Satang::new(amount),
            method: PaymentMethod::Cash,
            at: at(),
        };
        let payment = NewPayment {
            method: PaymentMethod::Cash,
            reference: id.into(),
            amount: Satang::new(amount),
        };
        ledger
            .create_sale(&sale, &payment, &Actor::new(ActorKind::Cashier, "op-a"))
            .unwrap();
    }

    #[test]
    fn secret_columns_are_recognised_by_word() {
        for name in [
            "pin",
            "pin_hash",
            "PASSWORD",
            "api_token",
            "salt",
            "easysoft-secret",
        ] {
            assert!(is_secret_column(name), "{name} must be withheld");
        }
        for name in [
            "id",
            "shipping",
            "spinner",
            "tokens_sold",
            "easysoft_users",
            "phone",
        ] {
            assert!(!is_secret_column(name), "{name} is not a secret");
        }
    }

    #[test]
    fn an_owner_travels_with_its_role_but_never_its_pin_hash_and_a_sale_with_provider_and_cost() {
        let (_dir, ledger) = fresh();
        seed(&ledger);
        let owner = Operator {
            id: "owner".into(),
            name: "Owner".into(),
            role: OperatorRole::Owner,
            easysoft_users: "owner".into(),
            active: true,
        };
        let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";
        ledger.create_first_owner(&owner, hash, at()).unwrap();
        sell(&ledger, "S1", 5_000);
        let batch = ledger.outbox_batch(100).unwrap();
        let row = |kind: OutboxKind, key: &str| {
            batch
                .rows
                .iter()
                .find(|r| r.kind == kind && r.key == key)
                .and_then(|r| r.row.clone())
                .unwrap()
        };
        let owner_row = row(OutboxKind::Operator, "owner");
        assert_eq!(owner_row["role"], "owner");
        assert!(!owner_row.contains_key("pin_hash"), "{owner_row:?}");
        let text = serde_json::to_string(&batch).unwrap();
        assert!(
            !text.contains("argon2id"),
            "no PIN hash in the batch: {text}"
        );
        let sale = row(OutboxKind::Sale, "S1");
        assert_eq!(sale["provider"], "");
        assert_eq!(sale["cost"], 0);
    }

    #[test]
    fn a_sale_is_queued_in_the_transaction_that_writes_it_and_sent_as_its_current_row() {
        let (_dir, ledger) = fresh();
        seed(&ledger);
        sell(&ledger, "S1", 5_000);
        let batch = ledger.outbox_batch(100).unwrap();
        let kinds: Vec<(OutboxKind, &str)> = batch
            .entries
            .iter()
            .map(|e| (e.kind, e.key.as_str()))
            .collect();
        // Register, operator, then the sale and its creation event (one transaction; the event
        // is appended after the INSERT, the payment's own writes touch no synced table).
        assert_eq!(
            kinds,
            [
                (OutboxKind::Register, "kiosk-1"),
                (OutboxKind::Operator, "op-a"),
                (OutboxKind::Sale, "S1"),
                (OutboxKind::Event, "1"),
            ]
        );
        let seqs: Vec<i64> = batch.entries.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [1, 2, 3, 4], "numbered without holes");
        assert_eq!(batch.head_seq, 4);
        let sale = batch
            .rows
            .iter()
            .find(|r| r.kind == OutboxKind::Sale)
            .and_then(|r| r.row.clone())
            .unwrap();
        assert_eq!(sale["state"], "awaiting_payment");
        assert_eq!(sale["amount"], 5_000);
        assert_eq!(sale["day"], "2026-03-01");
        // The generic read carries every column, including ones this module never names.
        assert!(sale.contains_key("next_check_at") && sale.contains_key("payment_method"));
    }

    #[test]
    fn a_rolled_back_transition_queues_nothing_and_leaves_no_hole() {
        let (_dir, ledger) = fresh();
        seed(&ledger);
        sell(&ledger, "S1", 5_000);
        let before = ledger.outbox_status().unwrap().head_seq;
        // Refused by the state machine: the transaction rolls back with its outbox rows.
        let refused =
            ledger.mark_refund_due("S1", "test", at(), &Actor::new(ActorKind::Owner, "owner"));
        assert!(refused.is_err());
        assert_eq!(ledger.outbox_status().unwrap().head_seq, before);
        ledger
            .cancel_unpaid("S1", at() + 1, &Actor::new(ActorKind::Cashier, "op-a"))
            .unwrap();
        let batch = ledger.outbox_batch_after(before, 100).unwrap();
        let seqs: Vec<i64> = batch.entries.iter().map(|e| e.seq).collect();
        let expected: Vec<i64> = (before + 1..=batch.head_seq).collect();
        assert_eq!(
            seqs, expected,
            "the next committed rows follow without a hole"
        );
        let sale = batch.rows.iter().find(|r| r.kind == OutboxKind::Sale);
        assert_eq!(
            sale.and_then(|r| r.row.as_ref())
                .map(|r| r["state"].clone()),
            Some(SaleState::PaymentCancelled.code().into())
        );
    }

    #[test]
    fn under_group_commit_a_failing_member_leaves_no_hole_and_every_batch_is_one_snapshot() {
        let (_dir, ledger) = fresh();
        seed(&ledger);
        sell(&ledger, "S-dup", 1_000);
        let writers = 6;
        let per_writer = 12;
        let done = std::sync::atomic::AtomicBool::new(false);
        let start = std::sync::Barrier::new(writers + 1);
        let (refused, batches_read) = std::thread::scope(|scope| {
            let reader = scope.spawn(|| {
                start.wait();
                let mut read = 0;
                loop {
                    let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                    let batch = ledger.outbox_batch_after(0, usize::MAX).unwrap();
                    let seqs: Vec<i64> = batch.entries.iter().map(|e| e.seq).collect();
                    let expected: Vec<i64> = (1..=batch.head_seq).collect();
                    assert_eq!(seqs, expected, "a batch is a prefix without a hole");
                    for row in batch.rows.iter().filter(|r| r.kind == OutboxKind::Sale) {
                        assert!(
                            row.row.is_some(),
                            "the sale {} is queued and visible in the same snapshot",
                            row.key
                        );
                    }
                    read += 1;
                    if finished {
                        return read;
                    }
                }
            });
            let handles: Vec<_> = (0..writers)
                .map(|w| {
                    let (ledger, start) = (&ledger, &start);
                    scope.spawn(move || {
                        start.wait();
                        let mut refused = 0;
                        for i in 0..per_writer {
                            // Every third attempt reuses a sale id: that member fails inside
                            // a group whose other members commit.
                            let id = if i % 3 == 2 {
                                "S-dup".to_owned()
                            } else {
                                format!("S-{w}-{i}")
                            };
                            let sale = NewSale {
                                id: id.clone(),
                                register_id: "kiosk-1".into(),
                                operator_id: "op-a".into(),
                                shift_id: None,
                                network: Network::Ais,
                                phone: Msisdn::parse("0812345678").unwrap(),
                                amount: Satang::new(1_000),
                                method: PaymentMethod::Cash,
                                at: at(),
                            };
                            let payment = NewPayment {
                                method: PaymentMethod::Cash,
                                reference: id,
                                amount: Satang::new(1_000),
                            };
                            let actor = Actor::new(ActorKind::Cashier, "op-a");
                            if ledger.create_sale(&sale, &payment, &actor).is_err() {
                                refused += 1;
                            }
                        }
                        refused
                    })
                })
                .collect();
            let refused: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
            done.store(true, std::sync::atomic::Ordering::SeqCst);
            (refused, reader.join().unwrap())
        });
        assert_eq!(
            refused,
            writers * per_writer / 3,
            "every duplicate is refused"
        );
        assert!(batches_read >= 1);
        let batch = ledger.outbox_batch_after(0, usize::MAX).unwrap();
        let seqs: Vec<i64> = batch.entries.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, (1..=batch.head_seq).collect::<Vec<_>>());
        let dup_inserts = batch
            .entries
            .iter()
            .filter(|e| e.kind == OutboxKind::Sale && e.key == "S-dup")
            .count();
        assert_eq!(dup_inserts, 1, "the refused attempts queued nothing");
        let sales = batch
            .rows
            .iter()
            .filter(|r| r.kind == OutboxKind::Sale)
            .count();
        assert_eq!(sales, 1 + writers * per_writer * 2 / 3);
    }

    #[test]
    fn a_batch_names_each_row_once_and_respects_the_limit() {
        let (_dir, ledger) = fresh();
        seed(&ledger);
        sell(&ledger, "S1", 1_000);
        ledger
            .cancel_unpaid("S1", at() + 1, &Actor::new(ActorKind::Cashier, "op-a"))
            .unwrap();
        let all = ledger.outbox_batch(1_000).unwrap();
        let sale_entries = all
            .entries
            .iter()
            .filter(|e| e.kind == OutboxKind::Sale)
            .count();
        assert!(sale_entries >= 2, "insert and update are two entries");
        let sale_rows = all
            .rows
            .iter()
            .filter(|r| r.kind == OutboxKind::Sale)
            .count();
        assert_eq!(sale_rows, 1, "but one snapshot");
        let two = ledger.outbox_batch_after(1, 2).unwrap();
        assert_eq!(
            two.entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
            [2, 3]
        );
    }

    #[test]
    fn the_acknowledgement_moves_only_within_what_was_written() {
        let (_dir, ledger) = fresh();
        seed(&ledger);
        let status = ledger.outbox_status().unwrap();
        assert_eq!(
            (status.head_seq, status.acked_seq, status.backlog),
            (2, 0, 2)
        );
        ledger.outbox_acknowledged(2, at()).unwrap();
        let status = ledger.outbox_status().unwrap();
        assert_eq!((status.acked_seq, status.backlog), (2, 0));
        assert_eq!(status.acked_at, Some(at()));
        assert!(ledger.outbox_batch(10).unwrap().entries.is_empty());
        // Beyond the head, or negative: refused, nothing written.
        assert!(matches!(
            ledger.outbox_acknowledged(3, at()),
            Err(LedgerError::Invalid(_))
        ));
        assert!(ledger.outbox_acknowledged(-1, at()).is_err());
        assert_eq!(ledger.outbox_status().unwrap().acked_seq, 2);
        // Back: a hub restored from a backup asks again.
        ledger.outbox_acknowledged(1, at()).unwrap();
        assert_eq!(ledger.outbox_batch(10).unwrap().entries.len(), 1);
    }

    #[test]
    fn a_ledger_from_the_first_release_queues_its_history_when_upgraded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.sqlite");
        {
            // Exactly what release 1 wrote: migration 1 only, and some selling.
            let mut c = Connection::open(&path).unwrap();
            crate::migrations::first(1).to_latest(&mut c).unwrap();
            c.execute_batch(
                "INSERT INTO registers (id, name, kind, created_at) VALUES ('kiosk-1', 'K', 'kiosk', 1);
                 INSERT INTO operators (id, name, kind, easysoft_users, created_at)
                     VALUES ('op-a', 'A', 'cashier', 'a', 2);
                 INSERT INTO sales (id, register_id, operator_id, network, phone, amount,
                     payment_method, state, day, created_at, updated_at)
                 VALUES ('S2', 'kiosk-1', 'op-a', 'ais', '0812345678', 3000, 'cash',
                         'awaiting_payment', '2026-03-01', 20, 20),
                        ('S1', 'kiosk-1', 'op-a', 'ais', '0812345678', 2000, 'cash',
                         'awaiting_payment', '2026-03-01', 10, 10);
                 INSERT INTO events (sale_id, at, actor_kind, actor_id, kind)
                 VALUES ('S1', 10, 'cashier', 'op-a', 'sale_created'),
                        ('S2', 20, 'cashier', 'op-a', 'sale_created');",
            )
            .unwrap();
        }
        let ledger = Ledger::open(&path).unwrap();
        assert_eq!(ledger.self_check().schema_version, 3);
        let batch = ledger.outbox_batch(100).unwrap();
        let kinds: Vec<(OutboxKind, &str)> = batch
            .entries
            .iter()
            .map(|e| (e.kind, e.key.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (OutboxKind::Register, "kiosk-1"),
                (OutboxKind::Operator, "op-a"),
                (OutboxKind::Sale, "S1"),
                (OutboxKind::Sale, "S2"),
                (OutboxKind::Event, "1"),
                (OutboxKind::Event, "2"),
            ],
            "the history, oldest first"
        );
        // New changes queue after the history.
        sell(&ledger, "S3", 1_000);
        let status = ledger.outbox_status().unwrap();
        assert_eq!((status.head_seq, status.acked_seq), (8, 0));
    }
}
