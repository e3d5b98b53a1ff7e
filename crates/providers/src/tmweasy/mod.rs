//! Tmweasy "API แม่มณี พร้อมเพย์" (SCB Mae Manee PromptPay bill, `api_mn.php`; spec:
//! `providers/tmweasy.md`).
//!
//! - [`TmweasyApi`] builds the four GET requests (everything, password included, in the query
//!   string, §2) and [`api`]'s free functions read the JSON replies, without I/O;
//! - [`TmweasyClient`] sends them through the shared [`crate::Transport`].
//!
//! Key rules: whole baht only (a satang amount is refused before sending, §3.1); `status` is
//! `1`/`"1"` or `0`/`"0"` (§2); `confirm` with `status=0` means "not (yet) found", never failure
//! (§3.3), so poll while the [`crate::Countdown`] runs; `cancel` only after `time_out` went
//! negative (§3.4); there is no callback and no idempotency key, so an unknown `create_pay` is
//! settled by creating again (§6).
//!
//! Unknowns \[U\] and the safe choice made here:
//! - the `msg` texts (§5): kept verbatim, never interpreted;
//! - `status=1` on confirm without a readable amount: [`crate::QrPaymentStatus::Unknown`]
//!   (not terminal: a person looks), never paid with a guessed amount;
//! - the `ip` sent on confirm (§3.3): [`TmweasyConfig::customer_ip`], default `127.0.0.1`;
//! - the image format (§3.2, PNG \[I\]): only PNG is decoded for the amount check.

pub mod api;
#[cfg(feature = "transport")]
mod client;

pub use api::{TmweasyApi, TmweasyBill, TmweasyConfig, TMWEASY_PRODUCTION_URL};
#[cfg(feature = "transport")]
pub use client::TmweasyClient;
