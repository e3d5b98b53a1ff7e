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
//! Around it:
//! - [`Msisdn`]: a Thai mobile number, typed loosely (`+66 81-234-5678`) and kept in national
//!   form; [`Network`]: the networks sold, with each provider's code for them.
//! - [`SaleState`]: the sale state machine of DESIGN.md, whose transitions the ledger refuses to
//!   break; [`PaymentMethod`] and [`Actor`] (who caused a change: cashier, kiosk, callback,
//!   poller, owner).
//! - [`Clock`]: injected time (money rule 8), and [`BusinessDay`], the Bangkok calendar day the
//!   owner's reports are cut by.
//! - [`report`]: the owner's report lines (per operator, network, provider, method or register)
//!   and the one rule that turns grouped sales into them, shared by the ledger and the hub.
//!
//! The types the screens show derive `ts_rs::TS` (a compile-time code generator, no I/O), so the
//! TypeScript the UI is written against is generated from these very declarations.
#![deny(missing_docs)]

mod clock;
mod money;
mod network;
mod phone;
pub mod report;
mod sale;

pub use clock::{
    BadDay, BusinessDay, Clock, ManualClock, SystemClock, UnixMillis, BANGKOK_OFFSET_MS,
};
pub use money::{MoneyError, Satang};
pub use network::{Network, UnknownNetwork};
pub use phone::{Msisdn, PhoneError};
pub use sale::{Actor, ActorKind, IllegalTransition, PaymentMethod, SaleState, UnknownCode};
