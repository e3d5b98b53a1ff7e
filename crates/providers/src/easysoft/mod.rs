//! Easysoft TOPUP API v2 (easysoft.in.th): mobile top-up over form POST with XML replies
//! (spec: `providers/easysoft.md`).
//!
//! - [`EasysoftApi`] builds every request and [`api`]'s free functions parse every reply and
//!   callback, without I/O (quick-xml serde into [`EasysoftReply`]);
//! - [`EasysoftClient`] sends them through the shared [`crate::Transport`].
//!
//! Key rules: `STATUS=1` on a refill means accepted (an `ORDERID` exists), not succeeded; the
//! result comes from `update` (`STATUS_REFILL` / `STATUS_CANCEL`) or the callback; `DETAIL` is
//! free Thai text kept verbatim and never parsed for meaning; **an unknown refill is never
//! retried** (no idempotency key, §7): it goes to manual reconciliation.
//!
//! Unknowns \[U\] and the safe choice made here:
//! - `cash` with decimals (§3.1): refused before sending (whole baht only);
//! - `orderid` on refill (§3.1): not sent;
//! - `STATUS_REFILL` / `STATUS_CANCEL` values other than 0/1 (§3.2): unknown, not terminal;
//! - `STATUS=0` on `update` (§3.2): an error of the query, not of the top-up;
//! - encoding (§2): UTF-8, falling back to TIS-620 / windows-874;
//! - callback content type and acknowledgement (§4): urlencoded, answered `200 OK`;
//! - `DISCOUNT` unit (§3.1) and callback `realamount` meaning (§4): kept raw, never used for
//!   accounting.

pub mod api;
#[cfg(feature = "transport")]
mod client;
pub mod wire;

pub use api::{
    EasysoftApi, EasysoftCallback, EasysoftConfig, EasysoftNetwork, EasysoftRefillRequest,
    EasysoftStatus, EASYSOFT_PRODUCTION_URL, EASYSOFT_TEST_URL_REAL_MONEY,
};
#[cfg(feature = "transport")]
pub use client::EasysoftClient;
pub use wire::EasysoftReply;
