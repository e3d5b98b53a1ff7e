//! BluePay WebPay (`/open-api/webpay/*`): TrueMoney / WeChat Pay payment links (spec:
//! `providers/bluepay_webpay.md`).
//!
//! - [`BluePayApi`] builds the signed envelopes `{appId, sign, param}` (SHA256withRSA over the
//!   exact `param` string, §2.1), reads the replies and verifies the signed notifications
//!   (§2.2, §6), without I/O;
//! - [`BluePayClient`] sends them through the shared [`crate::Transport`].
//!
//! Key rules: amounts are integer satang (§4); `mchOrderId` (≤ 32 letters and digits) is the
//! idempotency key, so an unknown `generate` is settled by resending the SAME `mchOrderId`, and
//! `21007` (duplicate) leads to `detail` (§9); a notification is verified over the exact bytes
//! of its `param` string with BluePay's public key BEFORE any field is read, a bad signature is
//! refused and never applied, and the answer is exactly `{"code":10000,"message":"Success"}`.
//! The `payUrl` is returned for rendering as a QR for the customer's phone.
//!
//! Unknowns \[U\] and the safe choice made here:
//! - the timestamp (§4): epoch milliseconds as a JSON number;
//! - the digest (§2.1, \[I\]): SHA-256 (PKCS#1 v1.5);
//! - `expiresTime` zone (§4): Asia/Bangkok (+07:00);
//! - codes outside the table, `21000`, `21011`, `21020`: unknown, resend the same
//!   `mchOrderId` (always safe: a duplicate answers `21007`);
//! - a notification whose `eventName` contradicts its `transactionStatus`: unknown status.

pub mod api;
#[cfg(feature = "transport")]
mod client;

pub use api::{BluePayApi, BluePayConfig, BluePayNotification, BluePayOrder, BLUEPAY_ACK};
#[cfg(feature = "transport")]
pub use client::BluePayClient;
