//! The append-only event log: every transition, with who caused it (money rule 6).

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use termdee_domain::{Actor, SaleState, UnixMillis};

use crate::{Ledger, Result};

/// One row of the event log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// Order of writing (gapless only within one process's life; use it to sort).
    pub seq: i64,
    /// The sale, if the event is about one.
    pub sale_id: Option<String>,
    /// When.
    pub at: UnixMillis,
    /// Who: `cashier`, `kiosk`, `callback`, `poller`, `owner`.
    pub actor_kind: String,
    /// Which one.
    pub actor_id: String,
    /// What happened (`sale_created`, `payment_received`, `topup_requested`, ...).
    pub kind: String,
    /// The sale's state before, for transitions.
    pub from_state: Option<String>,
    /// The sale's state after, for transitions.
    pub to_state: Option<String>,
    /// Details as JSON.
    pub detail: String,
}

/// Appends one event (inside the caller's transaction).
#[allow(clippy::too_many_arguments)]
pub(crate) fn append(
    c: &Connection,
    sale_id: Option<&str>,
    at: UnixMillis,
    actor: &Actor,
    kind: &str,
    from: Option<SaleState>,
    to: Option<SaleState>,
    detail: &serde_json::Value,
) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO events (sale_id, at, actor_kind, actor_id, kind, from_state, to_state, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        sale_id,
        at,
        actor.kind.code(),
        actor.id,
        kind,
        from.map(SaleState::code),
        to.map(SaleState::code),
        detail.to_string(),
    ])?;
    Ok(())
}

impl Ledger {
    /// Every event of one sale, in order.
    pub fn events_of(&self, sale_id: &str) -> Result<Vec<Event>> {
        self.read(|c| {
            let mut statement = c.prepare_cached(
                "SELECT seq, sale_id, at, actor_kind, actor_id, kind, from_state, to_state, detail
                 FROM events WHERE sale_id = ?1 ORDER BY seq",
            )?;
            let rows = statement
                .query_map([sale_id], row_to_event)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// Records something that is not a transition (a contradicted callback, a note).
    pub fn note(
        &self,
        sale_id: Option<&str>,
        at: UnixMillis,
        actor: &Actor,
        kind: &str,
        detail: &serde_json::Value,
    ) -> Result<()> {
        self.write("note", |tx| {
            append(tx, sale_id, at, actor, kind, None, None, detail)
        })
    }

    /// The newest event, if any.
    pub fn last_event(&self) -> Result<Option<Event>> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT seq, sale_id, at, actor_kind, actor_id, kind, from_state, to_state, detail
                 FROM events ORDER BY seq DESC LIMIT 1",
                [],
                row_to_event,
            )
            .optional()?)
        })
    }
}

fn row_to_event(r: &rusqlite::Row<'_>) -> rusqlite::Result<Event> {
    Ok(Event {
        seq: r.get(0)?,
        sale_id: r.get(1)?,
        at: r.get(2)?,
        actor_kind: r.get(3)?,
        actor_id: r.get(4)?,
        kind: r.get(5)?,
        from_state: r.get(6)?,
        to_state: r.get(7)?,
        detail: r.get(8)?,
    })
}
