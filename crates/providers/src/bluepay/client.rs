//! The BluePay WebPay client: the pure [`BluePayApi`] plus the shared [`Transport`].

use std::time::{SystemTime, UNIX_EPOCH};

use super::api::{self, BluePayApi, BluePayConfig, BluePayNotification, BluePayOrder};
use crate::error::ProviderError;
use crate::outcome::{CallbackReply, UnknownReason};
use crate::payments::{
    QrCallbackError, QrCallbackEvent, QrCallbacks, QrCancelOutcome, QrCreateOutcome, QrNextStep,
    QrPaymentRef, QrPaymentRequest, QrPaymentStatus, QrPayments, QrUnknown,
};
use crate::transport::Transport;

/// A BluePay WebPay merchant client.
#[derive(Debug, Clone)]
pub struct BluePayClient {
    api: BluePayApi,
    transport: Transport,
}

/// Epoch milliseconds for the `timestamp` field (§4).
fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl BluePayClient {
    /// A client for this merchant; [`ProviderError::Config`] when a key is unusable.
    pub fn new(config: BluePayConfig, transport: Transport) -> Result<Self, ProviderError> {
        Ok(BluePayClient {
            api: BluePayApi::new(config)?,
            transport,
        })
    }

    /// The pure request builder behind this client.
    pub fn api(&self) -> &BluePayApi {
        &self.api
    }

    /// `generate` (§4), one exchange: [`QrCreateOutcome::AlreadyExists`] on `21007`.
    pub async fn generate(
        &self,
        request: &QrPaymentRequest,
    ) -> Result<QrCreateOutcome, ProviderError> {
        let http = self.api.generate_request(request, now_ms())?;
        Ok(match self.transport.send(&http).await {
            Ok(reply) => api::parse_generate_reply(&reply, &request.reference, request.amount),
            Err(error) => QrCreateOutcome::Unknown(QrUnknown::from_transport(
                &error,
                QrNextStep::ResendSameReference,
            )),
        })
    }

    /// `detail` (§5) by `mchOrderId`.
    pub async fn detail(&self, mch_order_id: &str) -> Result<BluePayOrder, ProviderError> {
        let http = self.api.detail_request(mch_order_id, now_ms())?;
        api::parse_detail_reply(&self.transport.send(&http).await?)
    }
}

impl QrPayments for BluePayClient {
    /// `generate`; on `21007` (duplicate, §9) `detail` gives the existing order's `payUrl`.
    async fn create(&self, request: &QrPaymentRequest) -> Result<QrCreateOutcome, ProviderError> {
        match self.generate(request).await? {
            QrCreateOutcome::AlreadyExists { reference } => {
                let unknown = |detail: String| {
                    QrCreateOutcome::Unknown(QrUnknown {
                        reason: UnknownReason::UnexpectedBody,
                        detail,
                        next_step: QrNextStep::QueryStatus,
                        provider_ref: None,
                    })
                };
                Ok(match self.detail(&reference).await {
                    Ok(order) => {
                        let status = order.status(&reference);
                        match order.into_created(&reference, request.amount) {
                            Some(created) => QrCreateOutcome::Created(created),
                            None => unknown(format!("21007, and detail says {status:?}")),
                        }
                    }
                    Err(error) => unknown(format!("21007, and detail failed: {error}")),
                })
            }
            other => Ok(other),
        }
    }

    async fn query(&self, payment: &QrPaymentRef) -> Result<QrPaymentStatus, ProviderError> {
        Ok(self
            .detail(&payment.reference)
            .await?
            .status(&payment.reference))
    }

    async fn cancel(&self, _payment: &QrPaymentRef) -> Result<QrCancelOutcome, ProviderError> {
        Err(ProviderError::Unsupported(
            "BluePay WebPay has no cancel: let it expire (expireSeconds)",
        ))
    }
}

impl QrCallbacks for BluePayClient {
    type Callback = BluePayNotification;

    /// Verifies the signature over the raw body's `param` first (§2.2).
    fn parse_callback(
        &self,
        _content_type: Option<&str>,
        raw_body: &[u8],
    ) -> Result<BluePayNotification, QrCallbackError> {
        self.api.verify_notification(raw_body)
    }

    fn event(&self, callback: &BluePayNotification) -> QrCallbackEvent {
        callback.event()
    }

    fn acknowledge(&self, _callback: &BluePayNotification) -> CallbackReply {
        api::acknowledge()
    }
}
