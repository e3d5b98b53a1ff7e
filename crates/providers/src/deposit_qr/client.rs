//! The Deposit-QR client: the pure [`DepositApi`] plus the shared [`Transport`].

use super::api::{self, DepositApi, DepositCallback, DepositConfig};
use crate::error::ProviderError;
use crate::outcome::CallbackReply;
use crate::payments::{
    QrCallbackError, QrCallbackEvent, QrCallbacks, QrCancelOutcome, QrCreateOutcome, QrNextStep,
    QrPaymentRef, QrPaymentRequest, QrPaymentStatus, QrPayments, QrUnknown,
};
use crate::transport::Transport;

/// A Deposit-QR merchant client. Every method is exactly one HTTP exchange.
#[derive(Debug, Clone)]
pub struct DepositClient {
    api: DepositApi,
    transport: Transport,
}

impl DepositClient {
    /// A client for this account over this transport.
    pub fn new(config: DepositConfig, transport: Transport) -> Self {
        DepositClient {
            api: DepositApi::new(config),
            transport,
        }
    }

    /// The pure request builder behind this client.
    pub fn api(&self) -> &DepositApi {
        &self.api
    }

    /// `create_deposit` (§3.1) for `order_id` (see [`api::order_id`]), with the QR amount
    /// check. An unknown outcome is settled by a NEW order id, never by resending this one.
    pub async fn create_deposit(
        &self,
        order_id: &str,
        amount: termdee_domain::Satang,
    ) -> Result<QrCreateOutcome, ProviderError> {
        let http = self.api.create_deposit_request(order_id, amount)?;
        Ok(match self.transport.send(&http).await {
            Ok(reply) => match api::parse_create_deposit_reply(&reply, order_id, amount) {
                QrCreateOutcome::Created(created) => {
                    QrCreateOutcome::Created(created.with_qr_check())
                }
                other => other,
            },
            Err(error) => QrCreateOutcome::Unknown(QrUnknown::from_transport(
                &error,
                QrNextStep::CreateWithNewReference,
            )),
        })
    }

    /// `cancel_deposit` (§3.2) by `ref_id`.
    pub async fn cancel_deposit(&self, ref_id: &str) -> Result<QrCancelOutcome, ProviderError> {
        let http = self.api.cancel_deposit_request(ref_id)?;
        Ok(match self.transport.send(&http).await {
            Ok(reply) => api::parse_cancel_deposit_reply(&reply),
            Err(error) => QrCancelOutcome::Unknown(QrUnknown::from_transport(
                &error,
                QrNextStep::WaitForCallback,
            )),
        })
    }

    /// `resend_callback_for_transaction` (§3.3): terminal transactions only.
    pub async fn resend_callback(&self, ref_id: &str) -> Result<(), ProviderError> {
        let http = self.api.resend_callback_request(ref_id)?;
        api::parse_resend_callback_reply(&self.transport.send(&http).await?)
    }
}

impl QrPayments for DepositClient {
    async fn create(&self, request: &QrPaymentRequest) -> Result<QrCreateOutcome, ProviderError> {
        self.create_deposit(&request.reference, request.amount)
            .await
    }

    /// There is no status query (§3): the callback settles it ([`DepositClient::resend_callback`]
    /// asks for it again).
    async fn query(&self, _payment: &QrPaymentRef) -> Result<QrPaymentStatus, ProviderError> {
        Err(ProviderError::Unsupported(
            "Deposit-QR has no status query: wait for the callback or resend_callback",
        ))
    }

    async fn cancel(&self, payment: &QrPaymentRef) -> Result<QrCancelOutcome, ProviderError> {
        let ref_id = payment.provider_ref.as_deref().ok_or_else(|| {
            ProviderError::InvalidRequest("Deposit-QR cancel needs the ref_id".to_owned())
        })?;
        self.cancel_deposit(ref_id).await
    }
}

impl QrCallbacks for DepositClient {
    type Callback = DepositCallback;

    fn parse_callback(
        &self,
        _content_type: Option<&str>,
        raw_body: &[u8],
    ) -> Result<DepositCallback, QrCallbackError> {
        api::parse_callback(raw_body)
    }

    fn event(&self, callback: &DepositCallback) -> QrCallbackEvent {
        callback.event()
    }

    fn acknowledge(&self, _callback: &DepositCallback) -> CallbackReply {
        api::acknowledge()
    }
}
