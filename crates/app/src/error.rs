//! The one error shape that crosses IPC: `{ code, message }`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What went wrong, as the small set of cases the UI acts on differently.
///
/// Each code has a Thai and an English sentence in the UI (`ui/src/i18n.ts`) for the person in
/// front of the screen; adding a code here without adding its sentences fails the UI type check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The PromptPay ID is not a mobile number, national/tax ID or e-wallet ID.
    InvalidPromptpayId,
    /// The amount is not a positive number of baht with at most two decimals, or is too large.
    InvalidAmount,
    /// A setting is out of range or the settings file cannot be read.
    InvalidSettings,
    /// The phone number is not a Thai mobile number.
    InvalidPhone,
    /// No routed top-up provider sells this amount for this network.
    AmountNotSold,
    /// The operator is unknown or not allowed to sell.
    UnknownOperator,
    /// The chosen payment method is not set up on this machine.
    PaymentMethodUnavailable,
    /// The request does not fit the sale's state (e.g. cancelling a paid sale).
    InvalidRequest,
    /// Only an owner (or a cashier) may do this.
    NotPermitted,
    /// The ledger failed its start-up self-check: the machine must not sell.
    LedgerUnavailable,
    /// Nobody is logged in (or the session ended): log in first.
    NotLoggedIn,
    /// The PIN is not 4 to 8 digits.
    InvalidPin,
    /// The PIN does not match.
    WrongPin,
    /// Too many wrong PINs: the account is locked for a while (an owner can unlock a cashier).
    OperatorLocked,
    /// The first start was already done: there is an owner.
    SetupAlreadyDone,
    /// This needs an open shift (selling cash at a counter, closing a shift).
    ShiftNotOpen,
    /// This cannot happen while a shift is open (changing providers or payment methods).
    ShiftOpen,
    /// A day or range of days is not `YYYY-MM-DD`, or ends before it starts.
    InvalidDay,
    /// A provider could not be reached or refused (test connection, balance, reconciliation).
    ProviderUnavailable,
    /// The receipt printer is off, out of paper or unreachable (the receipt stays queued).
    PrinterUnavailable,
    /// The fleet hub could not be reached or refused.
    HubUnavailable,
    /// The fleet view needs the hub's URL and an owner token in the settings.
    FleetNotSetUp,
    /// This only exists in demo mode (acting as the paying customer).
    DemoOnly,
    /// Something that should not happen; the message has the detail for support.
    Internal,
}

/// An error for the UI: a code to branch on and an English message with the detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    /// The case, for the UI to branch on and translate.
    pub code: ErrorCode,
    /// The detail, in English, naming the problem (e.g. which field and why).
    pub message: String,
}

impl AppError {
    /// An error with a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError {
            code,
            message: message.into(),
        }
    }
}
