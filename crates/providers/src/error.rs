//! The error type of provider calls.

use crate::outcome::Rejection;
use crate::transport::TransportError;

/// Why a provider call produced no usable answer.
///
/// Money-moving calls ([`crate::Topups::top_up`], refunds) report transport trouble as an
/// [`crate::UnknownOutcome`] inside `Ok`, never here; they return `Err` only when nothing was
/// sent ([`ProviderError::InvalidRequest`]). Read-only calls (balance, catalogue, status) report
/// everything here: they can be retried safely.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// The request was refused before sending (bad reference, phone, amount): nothing was sent.
    #[error("invalid request, nothing was sent: {0}")]
    InvalidRequest(String),
    /// The exchange did not complete.
    #[error("transport: {0}")]
    Transport(#[from] TransportError),
    /// The provider answered with a refusal.
    #[error("the provider refused ({}): {}", .0.code, .0.message)]
    Rejected(Rejection),
    /// The provider's answer could not be understood (HTML, 5xx, malformed, unknown code).
    #[error("unexpected reply: {0}")]
    UnexpectedReply(String),
    /// This provider does not offer the operation.
    #[error("not supported by this provider: {0}")]
    Unsupported(&'static str),
    /// The configuration is unusable.
    #[error("configuration: {0}")]
    Config(String),
}

/// Why a callback body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    /// The body is not in an accepted encoding.
    #[error("unreadable callback body: {0}")]
    Malformed(String),
    /// A required field is missing or empty.
    #[error("callback field {0:?} is missing")]
    MissingField(&'static str),
}
