//! wePAY (www.wepay.in.th): mobile top-up aggregator (spec: `providers/wepay.md`).
//!
//! - [`WepayApi`] builds every request and [`api`]'s free functions parse every reply and
//!   callback, without I/O;
//! - [`WepayClient`] sends them through the shared [`crate::Transport`];
//! - [`WepayCode`] is the one mapping of reply codes (§3).
//!
//! Key rules: `00000` on an order means *accepted*, not succeeded; `30016` means the `dest_ref`
//! already exists (never a failure); any doubt is an unknown outcome settled by resending the
//! same `dest_ref`; the callback is unsigned, so confirm it with `get_output`, then answer exactly
//! `SUCCEED|ORDER_ID=<dest_ref>`.
//!
//! Unknowns \[U\] and the safe choice made here:
//! - callback retries (§5): we always answer `SUCCEED|ORDER_ID=<dest_ref>` exactly (not a
//!   lenient variant), and [`api::refuse`] only when storage failed;
//! - status values other than 2/4 (§5): [`crate::TopupStatus::Unknown`], not terminal;
//! - `30004` on an order (undocumented there): unknown, resend the same `dest_ref`;
//! - `00000` without `transaction_id`: unknown, wait for the callback (it carries the id);
//! - refund result status (§7): the refund callback is kept raw, no status is inferred;
//! - `TMVH` as an alias (§4.3): not assumed; product codes come from the catalogue.

pub mod api;
#[cfg(feature = "transport")]
mod client;
mod codes;
pub mod wire;

pub use api::{
    WepayApi, WepayCallback, WepayConfig, WepayOrderRequest, WepayRefundCallback,
    WepayRefundRequest, WepayResultFields, WepayResultStatus, WepayTopupCallback,
    WEPAY_PRODUCTION_URL,
};
#[cfg(feature = "transport")]
pub use client::WepayClient;
pub use codes::{WepayCode, WepayCodeClass};
