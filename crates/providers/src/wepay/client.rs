//! The wePAY client: the pure [`WepayApi`] plus the shared [`Transport`].

use super::api::{
    self, WepayApi, WepayCallback, WepayConfig, WepayOrderRequest, WepayRefundRequest,
};
use super::wire::WepayServiceInfo;
use crate::capability::{Callbacks, RefundRequest, TopupOrder, Topups, Verification};
use crate::error::{CallbackError, ProviderError};
use crate::outcome::{
    Balance, CallbackReply, CatalogueEntry, NetworkAvailability, NextStep, RefundOutcome,
    TopupOutcome, TopupStatus, UnknownOutcome,
};
use crate::transport::Transport;

/// A wePAY account client. Every method is exactly one HTTP exchange; nothing retries.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use termdee_providers::{Transport, TransportConfig, WepayClient, WepayConfig};
/// let config = WepayConfig {
///     username: "shop".into(),
///     password: "secret".to_owned().into(),
///     ..WepayConfig::default()
/// };
/// let client = WepayClient::new(config, Transport::new(TransportConfig::default())?);
/// let balance = client.balance().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct WepayClient {
    api: WepayApi,
    transport: Transport,
}

impl WepayClient {
    /// A client for this account over this transport.
    pub fn new(config: WepayConfig, transport: Transport) -> Self {
        WepayClient {
            api: WepayApi::new(config),
            transport,
        }
    }

    /// The pure request builder / parser behind this client.
    pub fn api(&self) -> &WepayApi {
        &self.api
    }

    /// `balance_inquiry` (§4.1).
    pub async fn balance(&self) -> Result<Balance, ProviderError> {
        let request = self.api.balance_request()?;
        api::parse_balance_reply(&self.transport.send(&request).await?)
    }

    /// `comp_export.php?json` (§4.3): the `mtopup` companies.
    pub async fn catalogue(&self) -> Result<Vec<CatalogueEntry>, ProviderError> {
        let request = self.api.catalogue_request()?;
        api::parse_catalogue_reply(&self.transport.send(&request).await?)
    }

    /// `payee_info=true` for one company (§4.2; needs the whitelisted IP).
    pub async fn service_info(&self, company: &str) -> Result<WepayServiceInfo, ProviderError> {
        let request = self.api.service_info_request(company)?;
        api::parse_service_info_reply(&self.transport.send(&request).await?)
    }

    /// Submits an `mtopup` order (§4.4). `Err` only when nothing was sent (invalid `dest_ref`,
    /// phone, amount, or no callback URL). A timeout, a dropped connection, a 5xx, HTML or an
    /// unknown code is `Ok(TopupOutcome::Unknown)` with [`NextStep::ResendSameReference`]:
    /// resend the identical order with the same `dest_ref` (a `30016` reply then means it
    /// already exists; §9). Never resend with a new `dest_ref`.
    pub async fn order(&self, order: &WepayOrderRequest) -> Result<TopupOutcome, ProviderError> {
        let request = self.api.order_request(order)?;
        Ok(match self.transport.send(&request).await {
            Ok(reply) => api::parse_order_reply(&reply, &order.dest_ref),
            Err(error) => TopupOutcome::Unknown(UnknownOutcome::from_transport(
                &error,
                NextStep::ResendSameReference,
            )),
        })
    }

    /// `get_output` (§6): the status of a transaction. `30004` is [`TopupStatus::Pending`].
    pub async fn get_output(&self, transaction_id: &str) -> Result<TopupStatus, ProviderError> {
        let request = self.api.get_output_request(transaction_id)?;
        api::parse_get_output_reply(&self.transport.send(&request).await?)
    }

    /// Requests a refund of a successful top-up (§7). Transport trouble is an unknown outcome:
    /// resend with the same refund `dest_ref`.
    pub async fn refund(
        &self,
        refund: &WepayRefundRequest,
    ) -> Result<RefundOutcome, ProviderError> {
        let request = self.api.refund_request(refund)?;
        Ok(match self.transport.send(&request).await {
            Ok(reply) => api::parse_refund_reply(&reply),
            Err(error) => RefundOutcome::Unknown(UnknownOutcome::from_transport(
                &error,
                NextStep::ResendSameReference,
            )),
        })
    }
}

impl Topups for WepayClient {
    async fn catalogue(&self) -> Result<Vec<CatalogueEntry>, ProviderError> {
        WepayClient::catalogue(self).await
    }

    async fn top_up(&self, order: &TopupOrder) -> Result<TopupOutcome, ProviderError> {
        self.order(&WepayOrderRequest {
            dest_ref: order.reference.clone(),
            company: order.product.clone(),
            amount: order.amount,
            phone: order.phone.clone(),
        })
        .await
    }

    async fn query(&self, provider_ref: &str) -> Result<TopupStatus, ProviderError> {
        self.get_output(provider_ref).await
    }

    async fn balance(&self) -> Result<Balance, ProviderError> {
        WepayClient::balance(self).await
    }

    async fn network_status(&self) -> Result<Vec<NetworkAvailability>, ProviderError> {
        Err(ProviderError::Unsupported(
            "wePAY has no network status call",
        ))
    }

    async fn refund(&self, request: &RefundRequest) -> Result<RefundOutcome, ProviderError> {
        WepayClient::refund(
            self,
            &WepayRefundRequest {
                transaction_id: request.provider_ref.clone(),
                dest_ref: request.reference.clone(),
                company: request.product.clone(),
            },
        )
        .await
    }
}

impl Callbacks for WepayClient {
    type Callback = WepayCallback;

    fn parse_callback(
        &self,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<WepayCallback, CallbackError> {
        api::parse_callback(content_type, body)
    }

    /// Confirms a top-up callback with `get_output` (§5: callbacks are unsigned). Refund
    /// callbacks cannot be confirmed by a documented query ([`ProviderError::Unsupported`]).
    async fn verify_callback(
        &self,
        callback: &WepayCallback,
    ) -> Result<Verification, ProviderError> {
        let WepayCallback::Topup(topup) = callback else {
            return Err(ProviderError::Unsupported(
                "wePAY has no query for refund results",
            ));
        };
        let claimed = topup.fields.topup_status();
        let provider = self.get_output(&topup.transaction_id).await?;
        let agrees = match (&claimed, &provider) {
            (TopupStatus::Succeeded(_), TopupStatus::Succeeded(_))
            | (TopupStatus::Failed(_), TopupStatus::Failed(_))
            | (TopupStatus::Pending, TopupStatus::Pending) => true,
            (TopupStatus::Unknown { .. }, _)
            | (TopupStatus::Succeeded(_), _)
            | (TopupStatus::Failed(_), _)
            | (TopupStatus::Pending, _) => false,
        };
        Ok(if agrees {
            Verification::Confirmed(provider)
        } else {
            Verification::Contradicted {
                callback: claimed,
                provider,
            }
        })
    }

    fn acknowledge(&self, callback: &WepayCallback) -> CallbackReply {
        api::acknowledge(callback.dest_ref())
    }
}
