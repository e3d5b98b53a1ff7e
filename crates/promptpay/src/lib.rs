//! # termdee-promptpay — Thai PromptPay QR payloads
//!
//! Termdee collects money by showing a PromptPay QR: the customer scans it with any Thai banking
//! app, which reads the payee and the amount from it. This crate makes that QR, reads one back,
//! and draws it. It does no I/O and knows nothing of sales; the app crate decides what to charge.
//!
//! A PromptPay QR holds an EMVCo merchant-presented payload (EMV QR Code Specification for
//! Payment Systems, Merchant-Presented Mode 1.1) profiled by the Bank of Thailand's Thai QR Code
//! standard: a flat list of data objects, each a two-digit tag, a two-digit length and a value,
//! ending in a CRC-16 over everything before it.
//!
//! ## Main types
//!
//! - [`Target`]: who is paid — a mobile number, a national/tax ID, an e-wallet ID (tag 29,
//!   "credit transfer") or a biller with references (tag 30, "bill payment").
//!   [`Target::parse_id`] recognises what a person typed.
//! - [`payload`]: `Target` + optional [`Satang`] amount → payload text.
//! - [`decode`]: any payload text → [`Decoded`] (every data object, the CRC verdict, and the
//!   PromptPay target and amount when present).
//! - [`render`]: payload → PNG bytes or SVG text.
//! - [`PayloadError`], [`DecodeError`], [`render::RenderError`]: what went wrong, named.
//!
//! ## Key decisions
//!
//! - **Money is integer satang.** Tag 54 is written from and read into [`Satang`] with integer
//!   arithmetic; no float ever holds an amount, so 4.22 baht is exactly `4.22`.
//! - **Refuse, never repair.** A builder input that does not fit the standard (a 12-digit ID, a
//!   zero amount, a 21-character bill reference, Thai letters in a reference) is an error that
//!   names the problem. A payload this crate returns is always well formed.
//! - **Ascending tag order.** EMVCo fixes only tag 00 first and tag 63 last; we write the rest in
//!   ascending order. Other implementations differ (promptpay-qr: `…29 58 53 54`; promptparse:
//!   `…29 53 58 54`); the standard allows any order and decoders (ours included) read any order.
//!   The tests check that, apart from the order, our data objects are byte-identical to theirs.
//! - **A bad CRC is a verdict, not an error.** [`decode`] returns `Err` only when the text is not
//!   an EMVCo payload at all; a well-formed payload with a wrong checksum comes back with
//!   `crc_ok: false`, so tools can show what it claims while refusing to pay it.
//! - **Decoding never panics.** It is fed arbitrary strings by proptest and by a cargo-fuzz target
//!   (`fuzz/`), whose seed corpus is replayed by an ordinary test on stable Rust.
//! - **Fast PNGs.** Rendering writes 1-bit PNGs directly from the module grid and picks the QR
//!   mask with a faster (but identical in result) scorer than the `qrcode` crate's; see [`render`].

#![deny(missing_docs)]

mod crc;
mod decode;
mod error;
mod payload;
pub mod render;
mod target;

pub use termdee_domain::Satang;

pub use crate::crc::crc16_ccitt_false;
pub use crate::decode::{decode, DataObject, Decoded};
pub use crate::error::{DecodeError, PayloadError};
pub use crate::payload::{payload, AID_BILL_PAYMENT, AID_CREDIT_TRANSFER, MAX_AMOUNT};
pub use crate::target::{Target, TargetKind};
