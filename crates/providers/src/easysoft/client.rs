//! The Easysoft client: the pure [`EasysoftApi`] plus the shared [`Transport`].

use super::api::{
    self, EasysoftApi, EasysoftCallback, EasysoftConfig, EasysoftNetwork, EasysoftRefillRequest,
};
use crate::capability::{Callbacks, RefundRequest, TopupOrder, Topups, Verification};
use crate::error::{CallbackError, ProviderError};
use crate::outcome::{
    Balance, CallbackReply, CatalogueEntry, NetworkAvailability, NextStep, RefundOutcome,
    TopupOutcome, TopupStatus, UnknownOutcome,
};
use crate::transport::Transport;

/// An Easysoft account client. Every method is exactly one HTTP exchange; nothing retries.
///
/// **No retry of refills, ever.** Easysoft has no idempotency key (easysoft.md §7), so
/// [`EasysoftClient::refill`] exposes no retry and reports any doubt as
/// [`TopupOutcome::Unknown`] with [`NextStep::ManualReconciliation`]: reconcile by balance delta,
/// the back-office report (filtered by `users`) or a callback — never by sending it again.
#[derive(Debug, Clone)]
pub struct EasysoftClient {
    api: EasysoftApi,
    transport: Transport,
}

impl EasysoftClient {
    /// A client for this account over this transport.
    pub fn new(config: EasysoftConfig, transport: Transport) -> Self {
        EasysoftClient {
            api: EasysoftApi::new(config),
            transport,
        }
    }

    /// The pure request builder / parser behind this client.
    pub fn api(&self) -> &EasysoftApi {
        &self.api
    }

    /// `mobile=refill` (§3.1). `Err` only when nothing was sent (bad number, non-whole amount).
    /// A timeout, dropped connection, 5xx, HTML or malformed XML is `Ok(TopupOutcome::Unknown)`
    /// with [`NextStep::ManualReconciliation`]. Never call this again for the same sale after an
    /// unknown outcome: it could top up twice.
    pub async fn refill(
        &self,
        refill: &EasysoftRefillRequest,
    ) -> Result<TopupOutcome, ProviderError> {
        let request = self.api.refill_request(refill)?;
        Ok(match self.transport.send(&request).await {
            Ok(reply) => api::parse_refill_reply(&reply),
            Err(error) => TopupOutcome::Unknown(UnknownOutcome::from_transport(
                &error,
                NextStep::ManualReconciliation,
            )),
        })
    }

    /// `mobile=update` (§3.2): the status of an order. Safe to retry.
    pub async fn update(&self, order_id: &str) -> Result<TopupStatus, ProviderError> {
        let request = self.api.update_request(order_id)?;
        api::parse_update_reply(&self.transport.send(&request).await?, order_id)
    }

    /// `mobile=return` (§3.3): requests a cancellation; the result comes later via `update`.
    pub async fn cancel(&self, order_id: &str) -> Result<RefundOutcome, ProviderError> {
        let request = self.api.return_request(order_id)?;
        Ok(match self.transport.send(&request).await {
            Ok(reply) => api::parse_return_reply(&reply),
            Err(error) => RefundOutcome::Unknown(UnknownOutcome::from_transport(
                &error,
                NextStep::QueryStatus,
            )),
        })
    }

    /// `amount=1` (§3.4).
    pub async fn balance(&self) -> Result<Balance, ProviderError> {
        let request = self.api.balance_request();
        api::parse_balance_reply(&self.transport.send(&request).await?)
    }

    /// `online=1` (§3.5).
    pub async fn network_status(&self) -> Result<Vec<NetworkAvailability>, ProviderError> {
        let request = self.api.network_status_request();
        api::parse_network_status_reply(&self.transport.send(&request).await?)
    }
}

impl Topups for EasysoftClient {
    /// The seven networks (Easysoft has no catalogue call; no request is made).
    async fn catalogue(&self) -> Result<Vec<CatalogueEntry>, ProviderError> {
        Ok(api::static_catalogue())
    }

    /// A refill; `order.product` is the network number or name, `order.reference` is not sent.
    async fn top_up(&self, order: &TopupOrder) -> Result<TopupOutcome, ProviderError> {
        let network = EasysoftNetwork::parse(&order.product).ok_or_else(|| {
            ProviderError::InvalidRequest(format!(
                "product {:?} is not an Easysoft network (1-7)",
                order.product
            ))
        })?;
        self.refill(&EasysoftRefillRequest {
            network,
            number: order.phone.clone(),
            cash: order.amount,
            users: None,
        })
        .await
    }

    async fn query(&self, provider_ref: &str) -> Result<TopupStatus, ProviderError> {
        self.update(provider_ref).await
    }

    async fn balance(&self) -> Result<Balance, ProviderError> {
        EasysoftClient::balance(self).await
    }

    async fn network_status(&self) -> Result<Vec<NetworkAvailability>, ProviderError> {
        EasysoftClient::network_status(self).await
    }

    /// `mobile=return` for the order.
    async fn refund(&self, request: &RefundRequest) -> Result<RefundOutcome, ProviderError> {
        self.cancel(&request.provider_ref).await
    }
}

impl Callbacks for EasysoftClient {
    type Callback = EasysoftCallback;

    fn parse_callback(
        &self,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<EasysoftCallback, CallbackError> {
        api::parse_callback(content_type, body)
    }

    /// Confirms a callback with `update` (§4: callbacks are unsigned).
    async fn verify_callback(
        &self,
        callback: &EasysoftCallback,
    ) -> Result<Verification, ProviderError> {
        let claimed = callback.topup_status();
        let provider = self.update(&callback.order_id).await?;
        let agrees = matches!(
            (&claimed, &provider),
            (TopupStatus::Succeeded(_), TopupStatus::Succeeded(_))
                | (TopupStatus::Failed(_), TopupStatus::Failed(_))
                | (TopupStatus::Pending, TopupStatus::Pending)
        );
        Ok(if agrees {
            Verification::Confirmed(provider)
        } else {
            Verification::Contradicted {
                callback: claimed,
                provider,
            }
        })
    }

    fn acknowledge(&self, _callback: &EasysoftCallback) -> CallbackReply {
        api::acknowledge()
    }
}
