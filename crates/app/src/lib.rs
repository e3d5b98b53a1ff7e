//! # termdee-app — what Termdee does, without a window
//!
//! This crate holds Termdee's use cases: the operations a cashier, a kiosk or an owner asks for,
//! written over the library crates (`termdee-domain`, `termdee-promptpay`, and later the provider
//! clients and the ledger). It never depends on tauri: the desktop shell (`src-tauri`) and the
//! `termdee` command line are thin layers whose commands are one-line calls into this crate, so
//! every use case can be exercised by a plain `cargo test` with no display.
//!
//! Main types:
//! - [`qr::QrRequest`] → [`qr::QrScreen`]: what the "show a PromptPay QR" screen asks for and
//!   what it shows (payload, the QR rendered in Rust as a PNG, payee and amount as text, and the
//!   countdown length).
//! - [`settings::Settings`]: the shop's preferences, read from a JSON file with environment
//!   overrides (for now: the QR countdown).
//! - [`auth`]: operators with roles and PINs (argon2id, lockout), [`auth::Session`] and the
//!   permission check every use case runs; [`shifts`]: open with a float, close with a blind
//!   count; [`reports`]: the owner's reports, CSV export, provider balances, reconciliation.
//! - [`error::AppError`]: `{ code, message }`, the only error shape that crosses IPC. The code is
//!   a small enum the UI branches on (and translates into Thai or English); the message is the
//!   English detail for logs and support. The UI never matches on message text.
//!
//! - [`fleet`]: the register's side of the fleet hub (`termdee hub`): the outbox sender, the
//!   callback relay client, and the owner screen's read of the fleet.
//!
//! The request and response types derive [`ts_rs::TS`]; [`bindings::typescript`] writes them out
//! as TypeScript, checked in at `ui/src/platform/bindings.ts`, and a test fails when the two drift.
#![deny(missing_docs)]

pub mod auth;
pub mod bindings;
pub mod engine;
pub mod error;
pub mod fixtures;
pub mod fleet;
pub mod qr;
pub mod reports;
pub mod settings;
pub mod shifts;
pub mod shop;

pub use error::{AppError, ErrorCode};
