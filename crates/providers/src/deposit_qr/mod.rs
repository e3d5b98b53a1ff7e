//! The "create_deposit" QR deposit API of a white-label platform (RichPay, CCoop v2, …; spec:
//! `providers/deposit_qr.md`).
//!
//! - [`DepositApi`] builds the JSON requests with the three headers (`Authorization: Bearer`,
//!   `x-api-key`, `x-signature`, §2) and [`api`]'s free functions read the replies and the
//!   callback, without I/O;
//! - [`DepositClient`] sends them through the shared [`crate::Transport`].
//!
//! Key rules: the provider may adjust the amount, so [`crate::QrCreated::amount`] (the reply's
//! `amount`) is what the customer is shown (§3.1); `order_id` must never repeat and there is no
//! query by it, so an unknown create is settled by a NEW order id ([`order_id`] with the next
//! attempt) and a paid callback for ANY order id of the sale is accepted once (§8,
//! [`sale_of`], [`crate::SaleOrders`]). The callback is unsigned (§4): it is matched against
//! the stored order and amount before it is applied.
//!
//! Unknowns \[U\] and the safe choice made here:
//! - `amount` is sent as the JSON string `"100.00"`, the same text as in the signature (RichPay
//!   does this, §2/§5) — never through a float;
//! - the payer fields (§3.1: walk-in customers have no declared account) come from the config;
//! - duplicate / auth error bodies (§3.1): any 4xx with a readable JSON body is a rejection
//!   with code `HTTP <status>` (the order id is burnt: use the next attempt); 408/429, 5xx,
//!   HTML and unreadable bodies are unknown;
//! - the callback acknowledgement (§4): `200 {"status":"ok"}`;
//! - cancel/resend signature (§2): `base64(SECRET_KEY + "::")`, as go-ccoop sends it.

pub mod api;
#[cfg(feature = "transport")]
mod client;

pub use api::{
    order_id, sale_of, DepositApi, DepositCallback, DepositConfig, DEPOSIT_PRODUCTION_URL,
};
#[cfg(feature = "transport")]
pub use client::DepositClient;
