//! # termdee-providers — talking to the top-up providers
//!
//! Termdee sells mobile credit by buying it from a top-up provider: **wePAY** ([`wepay`]) and
//! **Easysoft** ([`easysoft`]). This crate is the only place that knows their wire formats. It
//! turns a sale's intent into provider requests, and provider replies and callbacks into a small
//! set of explicit outcomes the app can reason about.
//!
//! ## Main types
//!
//! - [`WepayClient`] and [`EasysoftClient`]: one per provider account, built from a config
//!   ([`WepayConfig`], [`EasysoftConfig`], production URLs as `Default`) and a shared
//!   [`Transport`].
//! - Capability traits [`Topups`] (catalogue, top up, query, balance, network status, refund)
//!   and [`Callbacks`] (parse, verify, acknowledge), implemented by each client where the provider
//!   supports it, instead of one big trait full of "not implemented".
//! - Outcomes: [`TopupOutcome`] (accepted, already exists, rejected with a code, unknown),
//!   [`TopupStatus`] (pending, succeeded, failed, unknown), [`RefundOutcome`], and the error type
//!   [`ProviderError`].
//! - [`config`]: a JSON config file with credentials, and the functions behind
//!   `termdee balance` / `termdee catalogue`.
//!
//! - QR payment collection (issue 4): [`tmweasy`] (Mae Manee), [`deposit_qr`] and [`bluepay`]
//!   (WebPay) behind the [`QrPayments`] / [`QrCallbacks`] traits, with outcomes
//!   [`QrCreateOutcome`] / [`QrPaymentStatus`], the injected-clock [`Countdown`], the QR amount
//!   check [`check_qr_image`] and [`SaleOrders::match_event`] for callbacks.
//!
//! ## Key decisions
//!
//! **No I/O in a provider module.** [`wepay::WepayApi`] and [`easysoft::EasysoftApi`] build a
//! request *description* ([`HttpRequest`]: method, URL, headers, a closed [`Body`] enum) and the
//! free functions in `wepay::api` / `easysoft::api` parse a reply ([`HttpReply`]: status, headers,
//! bytes) into an outcome. Parsers are therefore unit-tested from fixtures, property-tested and
//! fuzzed without a network. One [`Transport`] (reqwest + rustls on tokio) sends, applies the
//! connect and total timeouts, and logs through `tracing` with every secret masked: credentials
//! are [`secrecy::SecretString`] and travel in [`FieldValue::Secret`] fields, which print `***`.
//!
//! **Unknown is not failure.** A timeout, a dropped connection, a 5xx, an HTML page (the
//! Cloudflare block), an unreadable body or an undocumented code is [`TopupOutcome::Unknown`],
//! carrying the [`NextStep`] that settles it: resend the same `dest_ref` (wePAY, which refuses
//! duplicates with `30016` = [`TopupOutcome::AlreadyExists`]), or manual reconciliation
//! (Easysoft, which has no idempotency key: an unknown refill is never retried). Only an explicit
//! provider answer is terminal, and `00000` on a wePAY order means *accepted*, not succeeded.
//! Every provider code goes through one exhaustive mapping (`WepayCode::class`,
//! `easysoft::api::map_refill_status`), each arm citing its spec section.
//!
//! **Money in satang.** Amounts are [`termdee_domain::Satang`]. wePAY sends decimal baht as
//! strings or JSON numbers; both are read from their exact text (never through `f64`).
//!
//! //! **Feature `transport`** (default): the reqwest/tokio [`Transport`], the clients and [`config`].
//! Without it only the pure request builders and parsers remain (the fuzz targets build that way).
//!
//! **No retries inside.** Each method is one exchange; the caller (the app's reconciler) owns
//! the retry policy because only it knows that the idempotency key is durably stored.
#![deny(missing_docs)]

mod capability;
#[cfg(feature = "transport")]
pub mod config;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod outcome;
pub mod transport;
mod wire;

pub mod easysoft;
pub mod wepay;

pub use capability::{Callbacks, RefundRequest, TopupOrder, Topups, Verification};
#[cfg(feature = "transport")]
pub use easysoft::EasysoftClient;
pub use easysoft::EasysoftConfig;
pub use error::{CallbackError, ProviderError};
pub use outcome::{
    Balance, CallbackReply, CatalogueEntry, NetworkAvailability, NextStep, RefundOutcome,
    RejectKind, Rejection, TopupAccepted, TopupOutcome, TopupResult, TopupStatus, UnknownOutcome,
    UnknownReason,
};
#[cfg(feature = "transport")]
pub use transport::{http_client, http_client_builder, Transport};
pub use transport::{
    Body, FieldValue, FormField, HttpReply, HttpRequest, Method, TransportConfig, TransportError,
};
#[cfg(feature = "transport")]
pub use wepay::WepayClient;
pub use wepay::WepayConfig;
pub use wire::{baht_to_satang, WireScalar};

pub mod bluepay;
pub mod deposit_qr;
mod payments;
pub mod tmweasy;

#[cfg(feature = "transport")]
pub use bluepay::BluePayClient;
pub use bluepay::BluePayConfig;
#[cfg(feature = "transport")]
pub use deposit_qr::DepositClient;
pub use deposit_qr::DepositConfig;
#[doc(hidden)]
pub use payments::fuzzing as payments_fuzzing;
pub use payments::{
    check_qr_image, parse_datetime, CallbackMismatch, Countdown, CountdownPhase, ExpectedOrder,
    QrCallbackError, QrCallbackEvent, QrCallbacks, QrCancelOutcome, QrCreateOutcome, QrCreated,
    QrDisplay, QrExpiry, QrImageCheck, QrNextStep, QrPaid, QrPaymentRef, QrPaymentRequest,
    QrPaymentStatus, QrPayments, QrUnknown, SaleOrders,
};
#[cfg(feature = "transport")]
pub use tmweasy::TmweasyClient;
pub use tmweasy::TmweasyConfig;
