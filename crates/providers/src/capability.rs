//! Small capability traits that a provider implements, or not.

use std::future::Future;

use termdee_domain::Satang;

use crate::error::{CallbackError, ProviderError};
use crate::outcome::{
    Balance, CallbackReply, CatalogueEntry, NetworkAvailability, RefundOutcome, TopupOutcome,
    TopupStatus,
};

/// A top-up order, provider-neutral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopupOrder {
    /// Our idempotency key, persisted before sending (wePAY `dest_ref`: 1–20 letters and digits).
    /// Easysoft has no such field; its client ignores it (it is still yours to persist).
    pub reference: String,
    /// The product: wePAY `company_id` (`TRMV`), Easysoft network `1`–`7` or its name (`AIS`).
    pub product: String,
    /// The phone number, 10 digits (`0812345678`).
    pub phone: String,
    /// The amount to top up.
    pub amount: Satang,
}

/// A request to refund / reverse an earlier top-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    /// The provider's id of the original top-up (wePAY `transaction_id`, Easysoft `ORDERID`).
    pub provider_ref: String,
    /// A new unique reference for the refund (wePAY `dest_ref`; ignored by Easysoft).
    pub reference: String,
    /// The original product (wePAY `pay_to_company`; ignored by Easysoft).
    pub product: String,
}

/// Selling mobile credit.
///
/// Every method is one request; none retries on its own (retry policy belongs to the caller,
/// who knows whether the idempotency key was persisted). Money-moving methods ([`Topups::top_up`],
/// [`Topups::refund`]) return `Err` only when nothing was sent, and an [`TopupOutcome::Unknown`]
/// for any doubt.
pub trait Topups {
    /// The products on sale.
    fn catalogue(&self) -> impl Future<Output = Result<Vec<CatalogueEntry>, ProviderError>> + Send;
    /// Submits a top-up order.
    fn top_up(
        &self,
        order: &TopupOrder,
    ) -> impl Future<Output = Result<TopupOutcome, ProviderError>> + Send;
    /// Asks for the status of an order by the provider's id.
    fn query(
        &self,
        provider_ref: &str,
    ) -> impl Future<Output = Result<TopupStatus, ProviderError>> + Send;
    /// The wallet balance.
    fn balance(&self) -> impl Future<Output = Result<Balance, ProviderError>> + Send;
    /// Which networks are open now ([`ProviderError::Unsupported`] where the provider cannot say).
    fn network_status(
        &self,
    ) -> impl Future<Output = Result<Vec<NetworkAvailability>, ProviderError>> + Send;
    /// Requests a refund / reversal ([`ProviderError::Unsupported`] where there is none).
    fn refund(
        &self,
        request: &RefundRequest,
    ) -> impl Future<Output = Result<RefundOutcome, ProviderError>> + Send;
}

/// How a callback was checked against the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// The provider's status query agrees with the callback.
    Confirmed(TopupStatus),
    /// The query says something else: trust the query, keep the callback as a hint.
    Contradicted {
        /// What the callback claimed.
        callback: TopupStatus,
        /// What the provider says now.
        provider: TopupStatus,
    },
}

/// Receiving a provider's push callbacks. Neither wePAY nor Easysoft signs them, so
/// verification is a status query.
pub trait Callbacks {
    /// The parsed callback.
    type Callback;
    /// Reads a callback body (pure: no I/O). `content_type` is the request's header, if any.
    fn parse_callback(
        &self,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<Self::Callback, CallbackError>;
    /// Confirms a callback with a status query (the callback alone is only a hint).
    fn verify_callback(
        &self,
        callback: &Self::Callback,
    ) -> impl Future<Output = Result<Verification, ProviderError>> + Send;
    /// The exact answer the provider expects once the callback is durably stored.
    fn acknowledge(&self, callback: &Self::Callback) -> CallbackReply;
}
