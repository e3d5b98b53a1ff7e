//! Raw callbacks: stored byte for byte, before anything they say is applied and before the
//! reply (money rule 5).

use rusqlite::params;
use serde::Serialize;
use termdee_domain::UnixMillis;

use crate::{Ledger, Result};

/// A callback as received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredCallback {
    /// Row id.
    pub id: i64,
    /// Which provider's path it came in on.
    pub provider: String,
    /// When.
    pub received_at: UnixMillis,
    /// Its `Content-Type`.
    pub content_type: Option<String>,
    /// The exact bytes.
    pub body: Vec<u8>,
    /// What we made of it (`applied`, `duplicate`, `bad_signature`, ...), once handled.
    pub verdict: Option<String>,
    /// The sale it belonged to, if any.
    pub sale_id: Option<String>,
}

impl Ledger {
    /// Stores a callback as received; returns its id.
    pub fn store_callback(
        &self,
        provider: &str,
        content_type: Option<&str>,
        body: &[u8],
        at: UnixMillis,
    ) -> Result<i64> {
        self.write("store_callback", |tx| {
            tx.prepare_cached(
                "INSERT INTO callbacks (provider, received_at, content_type, body)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![provider, at, content_type, body])?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// Stores a callback as received together with what was made of it, in one write: for a
    /// callback judged without asking anyone (unreadable, not ours, a repeat, a bad signature),
    /// where the raw bytes and the verdict are durable together, before the reply.
    #[allow(clippy::too_many_arguments)]
    pub fn store_handled_callback(
        &self,
        provider: &str,
        content_type: Option<&str>,
        body: &[u8],
        received_at: UnixMillis,
        verdict: &str,
        sale_id: Option<&str>,
        handled_at: UnixMillis,
    ) -> Result<i64> {
        self.write("store_handled_callback", |tx| {
            tx.prepare_cached(
                "INSERT INTO callbacks (provider, received_at, content_type, body, verdict, sale_id,
                     handled_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                provider,
                received_at,
                content_type,
                body,
                verdict,
                sale_id,
                handled_at
            ])?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// Records what was made of a stored callback.
    pub fn callback_handled(
        &self,
        id: i64,
        verdict: &str,
        sale_id: Option<&str>,
        at: UnixMillis,
    ) -> Result<()> {
        self.write("callback_handled", |tx| {
            tx.prepare_cached(
                "UPDATE callbacks SET verdict = ?2, sale_id = ?3, handled_at = ?4 WHERE id = ?1",
            )?
            .execute(params![id, verdict, sale_id, at])?;
            Ok(())
        })
    }

    /// Callbacks stored but not handled (a crash between storing and handling), oldest first.
    pub fn unhandled_callbacks(&self) -> Result<Vec<StoredCallback>> {
        self.callbacks_where("handled_at IS NULL ORDER BY id")
    }

    /// Every stored callback, oldest first.
    pub fn all_callbacks(&self) -> Result<Vec<StoredCallback>> {
        self.callbacks_where("1 ORDER BY id")
    }

    fn callbacks_where(&self, clause: &str) -> Result<Vec<StoredCallback>> {
        self.read(|c| {
            let mut statement = c.prepare_cached(&format!(
                "SELECT id, provider, received_at, content_type, body, verdict, sale_id
                 FROM callbacks WHERE {clause}"
            ))?;
            let rows = statement
                .query_map([], |r| {
                    Ok(StoredCallback {
                        id: r.get(0)?,
                        provider: r.get(1)?,
                        received_at: r.get(2)?,
                        content_type: r.get(3)?,
                        body: r.get(4)?,
                        verdict: r.get(5)?,
                        sale_id: r.get(6)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }
}
