//! Storing a register's outbox: idempotent, in order, gaps detected.
//!
//! One push is one PostgreSQL transaction that first locks the register's row (`FOR UPDATE`), so
//! two pushes of one register — a replay racing the original — are applied one after the other,
//! while different registers never wait for each other. Inside it:
//!
//! 1. entries are sorted by `seq`; those at or below the register's `applied_seq` are
//!    duplicates and skipped; then entries are accepted while each is exactly the next `seq`;
//!    the first hole stops it, and the reply names where to resume (`missing_from`);
//! 2. the accepted entries are recorded in `received` (primary key (register, seq): a duplicate
//!    cannot slip in even through a bug above);
//! 3. the rows they name are upserted from the batch's snapshots, guarded by the snapshot's
//!    `head_seq`: an older snapshot never overwrites a newer one, so replayed and reordered
//!    batches converge to the register's current state;
//! 4. `applied_seq` moves to the last accepted entry, and only then does the transaction commit.
//!
//! A hub killed anywhere before the commit stores nothing of the batch; the register, which has
//! no acknowledgement, sends it again. A register whose outbox is shorter than what the hub
//! already holds of it (its ledger restored from a backup, or a new machine with the old token)
//! is refused with a conflict rather than have its new entries mistaken for replays. Every snapshot is validated before the transaction
//! starts; a batch with a row this hub cannot read (an unknown sale state, a sale of another
//! register) is refused whole, with a message, and nothing is written.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Map, Value};
use termdee_domain::{BusinessDay, SaleState, UnixMillis};

use crate::error::{HubError, Result};
use crate::store::Store;
use crate::wire::{EntryKind, PushBatch, PushEntry, PushReply};

/// A pause point inside the push transaction, before it commits (tests kill the hub there).
pub trait IngestHook: Send + Sync + std::fmt::Debug {
    /// Called with the transaction open and every row written.
    fn before_commit(&self, register_id: &str) -> futures::future::BoxFuture<'_, ()>;
}

/// No pause (production).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHook;

impl IngestHook for NoHook {
    fn before_commit(&self, _register_id: &str) -> futures::future::BoxFuture<'_, ()> {
        Box::pin(std::future::ready(()))
    }
}

/// A sale snapshot, read and checked.
#[derive(Debug, Serialize)]
struct SaleRecord {
    id: String,
    operator_id: String,
    network: String,
    payment_method: String,
    provider: Option<String>,
    state: String,
    day: String,
    amount: i64,
    received: i64,
    delivered: i64,
    refunded: i64,
    cost: i64,
    attention: Option<String>,
    created_at: i64,
    updated_at: i64,
    snapshot: Value,
}

#[derive(Debug, Serialize)]
struct OperatorRecord {
    id: String,
    name: String,
    /// Owner, cashier or kiosk (the ledger's `role`; `kind` before ledger migration 2).
    role: String,
    active: bool,
    snapshot: Value,
}

#[derive(Debug, Serialize)]
struct EventRecord {
    seq: i64,
    sale_id: Option<String>,
    at: i64,
    actor_kind: String,
    actor_id: String,
    kind: String,
    from_state: Option<String>,
    to_state: Option<String>,
    snapshot: Value,
}

fn invalid(kind: EntryKind, key: &str, what: impl std::fmt::Display) -> HubError {
    HubError::Invalid(format!("{} {key}: {what}", kind_code(kind)))
}

fn text(row: &Map<String, Value>, kind: EntryKind, key: &str, name: &str) -> Result<String> {
    match row.get(name) {
        Some(Value::String(text)) => Ok(text.clone()),
        Some(Value::Number(number)) => Ok(number.to_string()),
        _ => Err(invalid(kind, key, format!("no text column {name}"))),
    }
}

fn optional_text(row: &Map<String, Value>, name: &str) -> Option<String> {
    match row.get(name) {
        Some(Value::String(text)) => Some(text.clone()),
        Some(Value::Number(number)) => Some(number.to_string()),
        _ => None,
    }
}

fn integer(row: &Map<String, Value>, kind: EntryKind, key: &str, name: &str) -> Result<i64> {
    row.get(name)
        .and_then(Value::as_i64)
        .ok_or_else(|| invalid(kind, key, format!("no integer column {name}")))
}

fn sale_record(register_id: &str, key: &str, row: &Map<String, Value>) -> Result<SaleRecord> {
    let kind = EntryKind::Sale;
    let id = text(row, kind, key, "id")?;
    if id != key {
        return Err(invalid(kind, key, format!("the row is sale {id}")));
    }
    let owner = text(row, kind, key, "register_id")?;
    if owner != register_id {
        // A register writes only its own rows.
        return Err(HubError::Forbidden(format!(
            "sale {key} belongs to register {owner}, not to {register_id}"
        )));
    }
    let state = text(row, kind, key, "state")?;
    if state.parse::<SaleState>().is_err() {
        return Err(invalid(
            kind,
            key,
            format!("state {state:?} is unknown to this hub (upgrade the hub first)"),
        ));
    }
    let day = text(row, kind, key, "day")?;
    BusinessDay::parse(&day).map_err(|e| invalid(kind, key, e))?;
    let money = |name: &str| -> Result<i64> {
        let value = integer(row, kind, key, name)?;
        if value < 0 {
            return Err(invalid(kind, key, format!("{name} is negative")));
        }
        Ok(value)
    };
    Ok(SaleRecord {
        operator_id: text(row, kind, key, "operator_id")?,
        network: text(row, kind, key, "network")?,
        payment_method: text(row, kind, key, "payment_method")?,
        // Columns another release adds: read when present, absent otherwise (cost 0).
        provider: optional_text(row, "provider"),
        cost: row.get("cost").and_then(Value::as_i64).unwrap_or(0),
        state,
        day,
        amount: money("amount")?,
        received: money("received")?,
        delivered: money("delivered")?,
        refunded: money("refunded")?,
        attention: optional_text(row, "attention"),
        created_at: integer(row, kind, key, "created_at")?,
        updated_at: integer(row, kind, key, "updated_at")?,
        snapshot: Value::Object(row.clone()),
        id,
    })
}

fn operator_record(key: &str, row: &Map<String, Value>) -> Result<OperatorRecord> {
    let kind = EntryKind::Operator;
    let id = text(row, kind, key, "id")?;
    if id != key {
        return Err(invalid(kind, key, format!("the row is operator {id}")));
    }
    Ok(OperatorRecord {
        name: text(row, kind, key, "name")?,
        role: optional_text(row, "role")
            .or_else(|| optional_text(row, "kind"))
            .unwrap_or_default(),
        active: row.get("active").and_then(Value::as_i64).unwrap_or(1) != 0,
        snapshot: Value::Object(row.clone()),
        id,
    })
}

fn event_record(key: &str, row: &Map<String, Value>) -> Result<EventRecord> {
    let kind = EntryKind::Event;
    let seq = integer(row, kind, key, "seq")?;
    if seq.to_string() != key {
        return Err(invalid(kind, key, format!("the row is event {seq}")));
    }
    let mut snapshot = row.clone();
    // The ledger keeps `detail` as JSON text; store it as JSON where it is.
    if let Some(Value::String(detail)) = row.get("detail") {
        if let Ok(parsed) = serde_json::from_str::<Value>(detail) {
            snapshot.insert("detail".to_owned(), parsed);
        }
    }
    Ok(EventRecord {
        seq,
        sale_id: optional_text(row, "sale_id"),
        at: integer(row, kind, key, "at")?,
        actor_kind: text(row, kind, key, "actor_kind")?,
        actor_id: text(row, kind, key, "actor_id")?,
        kind: text(row, kind, key, "kind")?,
        from_state: optional_text(row, "from_state"),
        to_state: optional_text(row, "to_state"),
        snapshot: Value::Object(snapshot),
    })
}

/// The batch, checked: its entries in order and its rows by (kind, key).
struct Checked {
    entries: Vec<PushEntry>,
    rows: BTreeMap<(EntryKind, String), Option<Map<String, Value>>>,
}

fn check(batch: PushBatch) -> Result<Checked> {
    let mut entries = batch.entries;
    entries.sort_by_key(|entry| entry.seq);
    let mut unique: Vec<PushEntry> = Vec::with_capacity(entries.len());
    for entry in entries {
        if entry.seq < 1 {
            return Err(HubError::Invalid(format!("entry seq {} < 1", entry.seq)));
        }
        if entry.seq > batch.head_seq {
            return Err(HubError::Invalid(format!(
                "entry seq {} is past the batch's head {}",
                entry.seq, batch.head_seq
            )));
        }
        match unique.last() {
            Some(last) if last.seq == entry.seq => {
                if *last != entry {
                    return Err(HubError::Invalid(format!(
                        "two different entries with seq {}",
                        entry.seq
                    )));
                }
            }
            _ => unique.push(entry),
        }
    }
    let mut rows = BTreeMap::new();
    for row in batch.rows {
        rows.insert((row.kind, row.key), row.row);
    }
    for entry in &unique {
        if !rows.contains_key(&(entry.kind, entry.key.clone())) {
            return Err(HubError::Invalid(format!(
                "entry {} names {:?} {} but the batch does not carry that row",
                entry.seq, entry.kind, entry.key
            )));
        }
    }
    Ok(Checked {
        entries: unique,
        rows,
    })
}

impl Store {
    /// Stores a register's batch (see the module notes) and says how far it now holds.
    pub async fn push(
        &self,
        register_id: &str,
        batch: PushBatch,
        now: UnixMillis,
        hook: &dyn IngestHook,
    ) -> Result<PushReply> {
        let head_seq = batch.head_seq;
        let report = match &batch.report {
            Some(report) => {
                Some(serde_json::to_value(report).map_err(|e| HubError::Invalid(e.to_string()))?)
            }
            None => None,
        };
        let checked = check(batch)?;
        // Every row is read and checked before the transaction: a bad one refuses the batch.
        let mut sales = Vec::new();
        let mut operators = Vec::new();
        let mut events = Vec::new();
        let mut info = None;
        for ((kind, key), row) in &checked.rows {
            let Some(row) = row else { continue };
            match kind {
                EntryKind::Sale => {
                    sales.push((key.clone(), to_json(sale_record(register_id, key, row)?)?))
                }
                EntryKind::Operator => {
                    operators.push((key.clone(), to_json(operator_record(key, row)?)?))
                }
                EntryKind::Event => events.push((key.clone(), to_json(event_record(key, row)?)?)),
                EntryKind::Register => {
                    // A ledger may list other registers; only its own row is kept.
                    if key == register_id {
                        info = Some(Value::Object(row.clone()));
                    }
                }
            }
        }

        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let applied: i64 = tx
            .query_opt(
                "SELECT applied_seq FROM registers WHERE id = $1 FOR UPDATE",
                &[&register_id],
            )
            .await?
            .ok_or_else(|| HubError::NotFound(format!("register {register_id}")))?
            .get(0);
        if head_seq < applied {
            // Its outbox is shorter than what the hub already holds of it: a ledger restored
            // from a backup or a new machine with the old token. Taking its entries as replays
            // would silently drop its new sales; refuse loudly instead.
            return Err(HubError::Conflict(format!(
                "register {register_id} says its outbox ends at {head_seq}, but the hub already \
                 holds {applied} entries of it: was its ledger restored or replaced? Enrol it \
                 under a new register id"
            )));
        }
        let mut next = applied + 1;
        let mut accepted: Vec<&PushEntry> = Vec::new();
        let mut missing_from = None;
        for entry in &checked.entries {
            if entry.seq < next {
                continue; // already stored: a replay
            }
            if entry.seq == next {
                accepted.push(entry);
                next += 1;
            } else {
                missing_from = Some(next);
                break;
            }
        }
        let applied_through = next - 1;

        if !accepted.is_empty() {
            let seqs: Vec<i64> = accepted.iter().map(|e| e.seq).collect();
            let kinds: Vec<String> = accepted
                .iter()
                .map(|e| kind_code(e.kind).to_owned())
                .collect();
            let keys: Vec<String> = accepted.iter().map(|e| e.key.clone()).collect();
            tx.execute(
                "INSERT INTO received (register_id, seq, kind, key, stored_at)
                 SELECT $1, s.seq, s.kind, s.key, $5
                 FROM UNNEST($2::int8[], $3::text[], $4::text[]) AS s(seq, kind, key)",
                &[&register_id, &seqs, &kinds, &keys, &now],
            )
            .await?;
            let touched: BTreeSet<(EntryKind, &str)> =
                accepted.iter().map(|e| (e.kind, e.key.as_str())).collect();
            let pick = |records: Vec<(String, Value)>, kind: EntryKind| -> Value {
                Value::Array(
                    records
                        .into_iter()
                        .filter(|(key, _)| touched.contains(&(kind, key.as_str())))
                        .map(|(_, record)| record)
                        .collect(),
                )
            };
            let sales = pick(sales, EntryKind::Sale);
            let operators = pick(operators, EntryKind::Operator);
            let events = pick(events, EntryKind::Event);
            tx.execute(
                "INSERT INTO sales (register_id, id, operator_id, network, payment_method,
                     provider, state, day, amount, received, delivered, refunded, cost,
                     attention, created_at, updated_at, snapshot_seq, snapshot)
                 SELECT $1, r.id, r.operator_id, r.network, r.payment_method, r.provider,
                     r.state, CAST(r.day AS date), r.amount, r.received, r.delivered,
                     r.refunded, r.cost, r.attention, r.created_at, r.updated_at, $3, r.snapshot
                 FROM jsonb_to_recordset($2::jsonb) AS r(id text, operator_id text,
                     network text, payment_method text, provider text, state text, day text,
                     amount int8, received int8, delivered int8, refunded int8, cost int8,
                     attention text, created_at int8, updated_at int8, snapshot jsonb)
                 ON CONFLICT (register_id, id) DO UPDATE SET
                     operator_id = EXCLUDED.operator_id, network = EXCLUDED.network,
                     payment_method = EXCLUDED.payment_method, provider = EXCLUDED.provider,
                     state = EXCLUDED.state, day = EXCLUDED.day, amount = EXCLUDED.amount,
                     received = EXCLUDED.received, delivered = EXCLUDED.delivered,
                     refunded = EXCLUDED.refunded, cost = EXCLUDED.cost,
                     attention = EXCLUDED.attention, created_at = EXCLUDED.created_at,
                     updated_at = EXCLUDED.updated_at, snapshot_seq = EXCLUDED.snapshot_seq,
                     snapshot = EXCLUDED.snapshot
                 WHERE sales.snapshot_seq <= EXCLUDED.snapshot_seq",
                &[&register_id, &sales, &head_seq],
            )
            .await?;
            tx.execute(
                "INSERT INTO operators (register_id, id, name, role, active, snapshot,
                     snapshot_seq)
                 SELECT $1, r.id, r.name, r.role, r.active, r.snapshot, $3
                 FROM jsonb_to_recordset($2::jsonb)
                     AS r(id text, name text, role text, active boolean, snapshot jsonb)
                 ON CONFLICT (register_id, id) DO UPDATE SET name = EXCLUDED.name,
                     role = EXCLUDED.role, active = EXCLUDED.active,
                     snapshot = EXCLUDED.snapshot, snapshot_seq = EXCLUDED.snapshot_seq
                 WHERE operators.snapshot_seq <= EXCLUDED.snapshot_seq",
                &[&register_id, &operators, &head_seq],
            )
            .await?;
            // Events never change: the first copy stored is the copy.
            tx.execute(
                "INSERT INTO events (register_id, seq, sale_id, at, actor_kind, actor_id, kind,
                     from_state, to_state, snapshot)
                 SELECT $1, r.seq, r.sale_id, r.at, r.actor_kind, r.actor_id, r.kind,
                     r.from_state, r.to_state, r.snapshot
                 FROM jsonb_to_recordset($2::jsonb) AS r(seq int8, sale_id text, at int8,
                     actor_kind text, actor_id text, kind text, from_state text,
                     to_state text, snapshot jsonb)
                 ON CONFLICT (register_id, seq) DO NOTHING",
                &[&register_id, &events],
            )
            .await?;
            if touched.contains(&(EntryKind::Register, register_id)) {
                if let Some(info) = &info {
                    tx.execute(
                        "UPDATE registers SET info = $2 WHERE id = $1",
                        &[&register_id, info],
                    )
                    .await?;
                }
            }
        }
        tx.execute(
            "UPDATE registers SET applied_seq = $2,
                 head_seq = GREATEST(head_seq, $3, $2),
                 last_seen_at = GREATEST(COALESCE(last_seen_at, 0), $4),
                 last_push_at = GREATEST(COALESCE(last_push_at, 0), $4),
                 report = COALESCE($5, report)
             WHERE id = $1",
            &[&register_id, &applied_through, &head_seq, &now, &report],
        )
        .await?;
        hook.before_commit(register_id).await;
        tx.commit().await?;
        Ok(PushReply {
            applied_through,
            missing_from,
        })
    }

    /// Every `seq` stored for a register, in order (for audits and the tests' "no duplicate,
    /// no gap" proof).
    pub async fn received_seqs(&self, register_id: &str) -> Result<Vec<i64>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT seq FROM received WHERE register_id = $1 ORDER BY seq",
                &[&register_id],
            )
            .await?;
        Ok(rows.into_iter().map(|row| row.get(0)).collect())
    }

    /// A sale as the hub holds it: the register's snapshot of its row, if any.
    pub async fn sale_snapshot(&self, register_id: &str, sale_id: &str) -> Result<Option<Value>> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT snapshot FROM sales WHERE register_id = $1 AND id = $2",
                &[&register_id, &sale_id],
            )
            .await?;
        Ok(row.map(|row| row.get(0)))
    }

    /// How far a register is stored.
    pub async fn applied_seq(&self, register_id: &str) -> Result<i64> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT applied_seq FROM registers WHERE id = $1",
                &[&register_id],
            )
            .await?
            .ok_or_else(|| HubError::NotFound(format!("register {register_id}")))?;
        Ok(row.get(0))
    }
}

fn to_json<T: Serialize>(record: T) -> Result<Value> {
    serde_json::to_value(record).map_err(|e| HubError::Invalid(e.to_string()))
}

fn kind_code(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Register => "register",
        EntryKind::Operator => "operator",
        EntryKind::Sale => "sale",
        EntryKind::Event => "event",
    }
}
