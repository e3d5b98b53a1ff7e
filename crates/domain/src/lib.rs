//! # termdee-domain — the words Termdee speaks in
//!
//! This crate holds the pure types every other Termdee crate shares, with no I/O and no
//! dependency on any runtime: it can be unit-tested in microseconds and reasoned about alone.
//!
//! The first and most important type is [`Satang`]: an amount of Thai money as an integer number
//! of satang (1 baht = 100 satang). The design's first money rule is that money is never a float,
//! anywhere; every provider converts at its own edge (wePAY's decimal baht strings, Tmweasy's
//! whole baht, BluePay's satang), and the conversions live here so that there is exactly one
//! parser and one formatter for "12.50" in the whole program.
//!
//! Later issues add the phone number (`Msisdn`), the mobile networks, the sale / payment / top-up
//! state machines and the injected clock.
#![deny(missing_docs)]

mod money;

pub use money::{MoneyError, Satang};
