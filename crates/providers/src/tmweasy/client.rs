//! The Tmweasy client: the pure [`TmweasyApi`] plus the shared [`Transport`].

use std::time::Duration;

use super::api::{self, TmweasyApi, TmweasyBill, TmweasyConfig};
use crate::error::ProviderError;
use crate::payments::{
    Countdown, QrCancelOutcome, QrCreateOutcome, QrNextStep, QrPaymentRef, QrPaymentRequest,
    QrPaymentStatus, QrPayments, QrUnknown,
};
use crate::transport::Transport;

/// A Tmweasy Mae Manee account client. Every method is one HTTP exchange, except
/// [`QrPayments::create`] (`create_pay` then `detail_pay`) and [`QrPayments::cancel`]
/// (`detail_pay` then `cancel`).
#[derive(Debug, Clone)]
pub struct TmweasyClient {
    api: TmweasyApi,
    transport: Transport,
}

impl TmweasyClient {
    /// A client for this account over this transport.
    pub fn new(config: TmweasyConfig, transport: Transport) -> Self {
        TmweasyClient {
            api: TmweasyApi::new(config),
            transport,
        }
    }

    /// The pure request builder behind this client.
    pub fn api(&self) -> &TmweasyApi {
        &self.api
    }

    /// `create_pay` (§3.1): the id only (display and expiry come from [`Self::detail_pay`]).
    /// `Err` only when nothing was sent (satang amount, empty reference).
    pub async fn create_pay(
        &self,
        request: &QrPaymentRequest,
    ) -> Result<QrCreateOutcome, ProviderError> {
        let http = self
            .api
            .create_pay_request(&request.reference, request.amount)?;
        Ok(match self.transport.send(&http).await {
            Ok(reply) => api::parse_create_pay_reply(&reply, &request.reference, request.amount),
            Err(error) => {
                QrCreateOutcome::Unknown(QrUnknown::from_transport(&error, QrNextStep::CreateAgain))
            }
        })
    }

    /// `detail_pay&qr=1` (§3.2).
    pub async fn detail_pay(&self, id_pay: &str) -> Result<TmweasyBill, ProviderError> {
        let http = self.api.detail_pay_request(id_pay)?;
        api::parse_detail_pay_reply(&self.transport.send(&http).await?, id_pay)
    }

    /// `confirm` (§3.3): `Pending` until paid; poll it while the countdown runs.
    pub async fn confirm(&self, id_pay: &str) -> Result<QrPaymentStatus, ProviderError> {
        let http = self.api.confirm_request(id_pay)?;
        api::parse_confirm_reply(&self.transport.send(&http).await?, id_pay)
    }

    /// `cancel` (§3.4), refused before sending unless `countdown` has expired at `now`.
    pub async fn cancel_bill(
        &self,
        id_pay: &str,
        countdown: &Countdown,
        now: Duration,
    ) -> Result<QrCancelOutcome, ProviderError> {
        let http = self.api.cancel_request(id_pay, countdown, now)?;
        Ok(match self.transport.send(&http).await {
            Ok(reply) => api::parse_cancel_reply(&reply),
            Err(error) => {
                QrCancelOutcome::Unknown(QrUnknown::from_transport(&error, QrNextStep::QueryStatus))
            }
        })
    }
}

fn id_pay(payment: &QrPaymentRef) -> Result<&str, ProviderError> {
    payment
        .provider_ref
        .as_deref()
        .ok_or_else(|| ProviderError::InvalidRequest("Tmweasy needs the id_pay".to_owned()))
}

impl QrPayments for TmweasyClient {
    /// `create_pay`, then `detail_pay&qr=1` for the QR, amount and `time_out`, then the QR
    /// amount check. When `detail_pay` fails the bill exists but was never shown: unknown,
    /// create again (§6), with the orphan's `id_pay` for the record.
    async fn create(&self, request: &QrPaymentRequest) -> Result<QrCreateOutcome, ProviderError> {
        let created = match self.create_pay(request).await? {
            QrCreateOutcome::Created(created) => created,
            other => return Ok(other),
        };
        Ok(match self.detail_pay(&created.provider_ref).await {
            Ok(bill) => QrCreateOutcome::Created(
                bill.into_created(&request.reference, request.amount)
                    .with_qr_check(),
            ),
            Err(error) => QrCreateOutcome::Unknown(QrUnknown {
                reason: crate::UnknownReason::UnexpectedBody,
                detail: format!("created, but detail_pay failed: {error}"),
                next_step: QrNextStep::CreateAgain,
                provider_ref: Some(created.provider_ref),
            }),
        })
    }

    async fn query(&self, payment: &QrPaymentRef) -> Result<QrPaymentStatus, ProviderError> {
        self.confirm(id_pay(payment)?).await
    }

    /// Reads a fresh `time_out` with `detail_pay` and cancels only when it is negative; before
    /// that, `Err(InvalidRequest)` with the seconds left.
    async fn cancel(&self, payment: &QrPaymentRef) -> Result<QrCancelOutcome, ProviderError> {
        let id_pay = id_pay(payment)?;
        let bill = self.detail_pay(id_pay).await?;
        let countdown = bill.countdown(Duration::ZERO).ok_or_else(|| {
            ProviderError::UnexpectedReply("detail_pay without time_out: expiry unknown".to_owned())
        })?;
        self.cancel_bill(id_pay, &countdown, Duration::ZERO).await
    }
}
