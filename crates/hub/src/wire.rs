//! What travels between a register and the hub, and between the hub and an owner's screen.
//!
//! Declared once here and used by both sides: the hub's server (feature `server`) and the
//! register's sender and relay client in `termdee-app` (which depends on this crate without that
//! feature). Every request is authenticated by a bearer token: a register's own token for the
//! sync and relay endpoints, an owner token for the owner endpoints (see [`crate::token`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use termdee_domain::report::{ReportDimension, ReportRow};
use termdee_domain::{BusinessDay, Satang, UnixMillis};

/// `POST`: a register pushes a [`PushBatch`], the hub answers a [`PushReply`].
pub const PUSH_PATH: &str = "/api/sync/push";
/// `GET ?after=<id>&wait_ms=<ms>`: a register long-polls for [`RelayBatch`].
pub const RELAY_PATH: &str = "/api/relay";
/// `GET ?from=&to=&by=[&register=]`: the fleet report ([`FleetReport`]), owner token.
pub const OWNER_REPORT_PATH: &str = "/api/owner/report";
/// `GET`: every register's health ([`FleetHealth`]), owner token.
pub const OWNER_HEALTH_PATH: &str = "/api/owner/health";
/// `GET ?open=true`: relayed callbacks ([`CallbackView`]), owner token.
pub const OWNER_CALLBACKS_PATH: &str = "/api/owner/callbacks";
/// `GET`: the owner's page (HTML, Thai and English), owner token as HTTP Basic password.
pub const OWNER_PAGE_PATH: &str = "/owner";

/// `POST` a [`RelayAck`] for relayed callback `id`.
pub fn relay_ack_path(id: i64) -> String {
    format!("{RELAY_PATH}/{id}/ack")
}

/// Where providers call back for `register`, relative to the hub's public address: the base to
/// give `termdee_app::engine::callbacks::callback_url`, which appends
/// `callback/<provider>/<callback token>`.
pub fn relay_base_path(register: &str) -> String {
    format!("relay/{register}/")
}

/// Whether `id` can name a register: 1 to 64 of `A-Z a-z 0-9 . _ -` (it appears in URLs).
pub fn valid_register_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// What an outbox entry is about (the ledger's `outbox.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A register row of the ledger.
    Register,
    /// An operator row.
    Operator,
    /// A sale row.
    Sale,
    /// An event row (append-only).
    Event,
}

/// One outbox entry: "this row changed", numbered in the register's commit order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushEntry {
    /// The register's outbox sequence number (1, 2, 3, … without holes).
    pub seq: i64,
    /// What changed.
    pub kind: EntryKind,
    /// Which row.
    pub key: String,
}

/// The current state of one row named by a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRow {
    /// Which table.
    pub kind: EntryKind,
    /// Which row.
    pub key: String,
    /// Every column by name, as of the batch's `head_seq` (`None`: the row is missing).
    pub row: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A batch of a register's outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushBatch {
    /// The register's newest outbox `seq` when the batch was read; every row snapshot shows the
    /// register's ledger as of that `seq`.
    pub head_seq: i64,
    /// Entries in `seq` order (the hub sorts them anyway); may be empty (a heartbeat).
    pub entries: Vec<PushEntry>,
    /// The rows the entries name, once each.
    pub rows: Vec<PushRow>,
    /// What the register reports about itself, when it has something new to say.
    #[serde(default)]
    pub report: Option<RegisterReport>,
}

/// A register's own figures, sent with a push.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RegisterReport {
    /// The providers' balances as last read by the register.
    pub balances: Vec<ProviderBalance>,
    /// The register's software version.
    pub version: Option<String>,
}

/// One provider balance, as a register read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderBalance {
    /// The provider (`wepay`, `easysoft`).
    pub provider: String,
    /// The available balance, when the read succeeded.
    pub available: Option<Satang>,
    /// When it was read (register clock).
    pub checked_at: UnixMillis,
    /// Why it could not be read.
    pub error: Option<String>,
}

/// The hub's answer to a push.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushReply {
    /// Every entry up to this `seq` is stored: the register may record it as acknowledged.
    pub applied_through: i64,
    /// Set when the batch held entries past a hole: send again from this `seq`.
    pub missing_from: Option<i64>,
}

/// Callbacks the hub holds for a register.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RelayBatch {
    /// Oldest first.
    pub callbacks: Vec<RelayedCallback>,
}

/// One provider callback as the hub received it, byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayedCallback {
    /// The hub's id (ack with [`relay_ack_path`]).
    pub id: i64,
    /// The provider path it came in on (`wepay`, `easysoft`, `bluepay`, `deposit_qr`).
    pub provider: String,
    /// Its `Content-Type`.
    pub content_type: Option<String>,
    /// The exact body, base64 (standard alphabet, padded).
    pub body_base64: String,
    /// When the hub stored it (hub clock).
    pub received_at: UnixMillis,
}

/// A register's word on a relayed callback it has handled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayAck {
    /// What the register's engine made of it (`applied`, `duplicate`, `unknown_order`, …).
    pub verdict: String,
    /// The sale it belonged to, if any.
    pub sale_id: Option<String>,
}

/// The fleet report: the same lines as one register's report, over every register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetReport {
    /// First Bangkok day (inclusive).
    pub from: BusinessDay,
    /// Last Bangkok day (inclusive).
    pub to: BusinessDay,
    /// What the lines are broken down by.
    pub by: ReportDimension,
    /// Only this register, when asked.
    pub register: Option<String>,
    /// One line per key, ordered by key.
    pub rows: Vec<ReportRow>,
    /// The sum of the lines.
    pub total: ReportRow,
    /// Display names of the keys where known (operator and register names).
    pub labels: BTreeMap<String, String>,
    /// The days of the range that had sales, each day's lines added up (`key` is the day,
    /// `YYYY-MM-DD`), in order: the owner screen's chart. Absent from an older hub.
    #[serde(default)]
    pub days: Vec<ReportRow>,
}

/// How one register is doing, as the hub sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterHealth {
    /// The register.
    pub register_id: String,
    /// Its name.
    pub name: String,
    /// Last authenticated contact (push or relay poll), hub clock.
    pub last_seen_at: Option<UnixMillis>,
    /// Last push, hub clock.
    pub last_push_at: Option<UnixMillis>,
    /// Entries stored (the register's outbox up to this `seq`).
    pub applied_seq: i64,
    /// The register's newest outbox `seq` it last told of.
    pub head_seq: i64,
    /// Entries the register had and the hub did not, at the last contact.
    pub backlog: i64,
    /// Provider balances as the register last read them.
    pub balances: Vec<ProviderBalance>,
    /// Sales waiting for a person (needs attention, refund due, or flagged).
    pub unresolved: i64,
    /// Sales still being worked on by the register's engine.
    pub in_progress: i64,
    /// Relayed callbacks the register has not yet picked up and handled.
    pub callbacks_waiting: i64,
    /// Relayed callbacks the register refused (unknown order, malformed, bad signature, …).
    pub callbacks_refused: i64,
}

/// Every register's health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetHealth {
    /// When this was computed (hub clock).
    pub at: UnixMillis,
    /// One per enrolled register, by id.
    pub registers: Vec<RegisterHealth>,
}

/// A relayed callback as the owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackView {
    /// The hub's id.
    pub id: i64,
    /// The register it was addressed to.
    pub register_id: String,
    /// The provider path.
    pub provider: String,
    /// When stored (hub clock).
    pub received_at: UnixMillis,
    /// The provider's order reference, when the body could be read.
    pub order_ref: Option<String>,
    /// Why the body could not be read, when it could not.
    pub parse_error: Option<String>,
    /// The HTTP status the hub answered the provider.
    pub reply_status: i32,
    /// How many times it was handed to the register.
    pub deliveries: i32,
    /// When the register reported handling it.
    pub acked_at: Option<UnixMillis>,
    /// The register's verdict.
    pub verdict: Option<String>,
    /// The sale, per the register.
    pub sale_id: Option<String>,
    /// The start of the body, as text (for a person to read).
    pub body_preview: String,
}

/// Relayed callbacks.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CallbackList {
    /// Newest first.
    pub callbacks: Vec<CallbackView>,
}

/// The body of every error answer: a code to branch on and an English message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorReply {
    /// `unauthorized`, `forbidden`, `invalid`, `not_found`, `unavailable`.
    pub code: String,
    /// What went wrong.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_ids_are_safe_in_a_url_path() {
        for id in ["kiosk-1", "counter_2", "shop.a.3", "K"] {
            assert!(valid_register_id(id), "{id}");
        }
        let long = "x".repeat(65);
        for id in ["", "a/b", "a b", "../x", "ก", "a?b", long.as_str()] {
            assert!(!valid_register_id(id), "{id:?} must be refused");
        }
    }

    #[test]
    fn an_empty_push_is_a_heartbeat_and_round_trips() {
        let batch = PushBatch {
            head_seq: 7,
            entries: vec![],
            rows: vec![],
            report: None,
        };
        let text = serde_json::to_string(&batch).unwrap();
        assert_eq!(serde_json::from_str::<PushBatch>(&text).unwrap(), batch);
        // An older register that sends no `report` key is read the same way.
        let bare: PushBatch =
            serde_json::from_str(r#"{"head_seq":7,"entries":[],"rows":[]}"#).unwrap();
        assert_eq!(bare, batch);
        // A kind this hub does not know is refused, not guessed.
        assert!(
            serde_json::from_str::<PushEntry>(r#"{"seq":1,"kind":"shift","key":"1"}"#).is_err()
        );
    }

    #[test]
    fn paths() {
        assert_eq!(relay_ack_path(42), "/api/relay/42/ack");
        assert_eq!(relay_base_path("kiosk-1"), "relay/kiosk-1/");
    }
}
