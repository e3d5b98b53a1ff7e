//! The callback relay's storage: callbacks kept for a register until it says it handled them.
//!
//! A register behind a shop's NAT cannot be called by a provider. The provider calls the hub,
//! which stores the raw callback ([`Store::store_callback`]), answers, and wakes the register's
//! long poll ([`Waiters`]). The register fetches everything unacknowledged after the last id it
//! saw ([`Store::pending_callbacks`]), feeds each one to its engine's callback handlers — the
//! same verification path as a local callback — and reports the verdict
//! ([`Store::callback_handled`]). Nothing is ever deleted: a callback for an unknown order, an
//! unreadable one or a forged one stays, with the register's verdict, on the owner's page.
//!
//! Delivery is at least once: a register that crashes after applying a callback and before
//! acknowledging it gets it again after its restart, and its engine answers "duplicate" (a
//! terminal state is applied once, by the ledger's constraints).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine as _;
use termdee_domain::UnixMillis;
use tokio::sync::Notify;

use crate::error::{HubError, Result};
use crate::replies::Relayed;
use crate::store::Store;
use crate::wire::{CallbackView, RelayAck, RelayedCallback};

/// Verdicts of a register that mean "not applied, a person may want to look".
pub const REFUSED_VERDICTS: [&str; 5] = [
    "unknown_order",
    "malformed",
    "bad_signature",
    "mismatch",
    "contradicted",
];

/// Wakes a register's long poll when a callback for it arrives (within this hub process; other
/// hub processes find it at their next re-check, within a second).
#[derive(Debug, Default)]
pub struct Waiters {
    by_register: Mutex<HashMap<String, Arc<Notify>>>,
}

impl Waiters {
    /// The register's wake-up signal.
    pub fn of(&self, register_id: &str) -> Arc<Notify> {
        self.by_register
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(register_id.to_owned())
            .or_default()
            .clone()
    }

    /// Wakes every poll of the register.
    pub fn wake(&self, register_id: &str) {
        self.of(register_id).notify_waiters();
    }
}

impl Store {
    /// Stores a callback as received, with the reply about to be sent; returns its id. The
    /// insert commits before this returns: the provider is answered only after.
    #[allow(clippy::too_many_arguments)]
    pub async fn store_callback(
        &self,
        register_id: &str,
        provider: &str,
        content_type: Option<&str>,
        body: &[u8],
        relayed: &Relayed,
        now: UnixMillis,
    ) -> Result<i64> {
        let row = self
            .client()
            .await?
            .query_one(
                "INSERT INTO relayed_callbacks (register_id, provider, content_type, body,
                     received_at, order_ref, parse_error, reply_status, reply_body)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                &[
                    &register_id,
                    &provider,
                    &content_type,
                    &body,
                    &now,
                    &relayed.order_ref,
                    &relayed.parse_error,
                    &i32::from(relayed.reply.status),
                    &relayed.reply.body,
                ],
            )
            .await?;
        Ok(row.get(0))
    }

    /// Unacknowledged callbacks of a register with an id above `after`, oldest first, at most
    /// `limit`; each is counted as delivered once more.
    pub async fn pending_callbacks(
        &self,
        register_id: &str,
        after: i64,
        limit: i64,
        now: UnixMillis,
    ) -> Result<Vec<RelayedCallback>> {
        let rows = self
            .client()
            .await?
            .query(
                "UPDATE relayed_callbacks SET deliveries = deliveries + 1, last_delivered_at = $4
                 WHERE id IN (SELECT id FROM relayed_callbacks
                              WHERE register_id = $1 AND acked_at IS NULL AND id > $2
                              ORDER BY id LIMIT $3)
                 RETURNING id, provider, content_type, body, received_at",
                &[&register_id, &after, &limit, &now],
            )
            .await?;
        let mut callbacks: Vec<RelayedCallback> = rows
            .into_iter()
            .map(|row| {
                let body: Vec<u8> = row.get(3);
                RelayedCallback {
                    id: row.get(0),
                    provider: row.get(1),
                    content_type: row.get(2),
                    body_base64: base64::engine::general_purpose::STANDARD.encode(body),
                    received_at: row.get(4),
                }
            })
            .collect();
        // RETURNING does not keep the subquery's order.
        callbacks.sort_by_key(|c| c.id);
        Ok(callbacks)
    }

    /// Records a register's verdict on one of its callbacks. A register can acknowledge only its
    /// own: another's id is "not found".
    pub async fn callback_handled(
        &self,
        register_id: &str,
        id: i64,
        ack: &RelayAck,
        now: UnixMillis,
    ) -> Result<()> {
        let updated = self
            .client()
            .await?
            .execute(
                "UPDATE relayed_callbacks SET acked_at = COALESCE(acked_at, $3), verdict = $4,
                     sale_id = $5
                 WHERE id = $1 AND register_id = $2",
                &[&id, &register_id, &now, &ack.verdict, &ack.sale_id],
            )
            .await?;
        if updated == 0 {
            return Err(HubError::NotFound(format!(
                "callback {id} of register {register_id}"
            )));
        }
        Ok(())
    }

    /// Relayed callbacks for the owner, newest first: all of them, or only the ones still open
    /// (not handled yet, or refused by the register).
    pub async fn callbacks(&self, open_only: bool, limit: i64) -> Result<Vec<CallbackView>> {
        let refused: Vec<String> = REFUSED_VERDICTS.iter().map(|v| (*v).to_owned()).collect();
        let rows = self
            .client()
            .await?
            .query(
                "SELECT id, register_id, provider, received_at, order_ref, parse_error,
                     reply_status, deliveries, acked_at, verdict, sale_id,
                     substring(body FROM 1 FOR 300)
                 FROM relayed_callbacks
                 WHERE NOT $1 OR acked_at IS NULL OR verdict = ANY($2)
                 ORDER BY id DESC LIMIT $3",
                &[&open_only, &refused, &limit],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let preview: Vec<u8> = row.get(11);
                CallbackView {
                    id: row.get(0),
                    register_id: row.get(1),
                    provider: row.get(2),
                    received_at: row.get(3),
                    order_ref: row.get(4),
                    parse_error: row.get(5),
                    reply_status: row.get(6),
                    deliveries: row.get(7),
                    acked_at: row.get(8),
                    verdict: row.get(9),
                    sale_id: row.get(10),
                    body_preview: String::from_utf8_lossy(&preview).into_owned(),
                }
            })
            .collect())
    }
}
