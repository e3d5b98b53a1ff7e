//! What the engine needs from the providers, as object-safe ports.
//!
//! The provider clients expose `async fn` traits (`Topups`, `QrPayments`), which cannot be boxed;
//! the engine holds an ordered, configurable list of providers, so it talks to them through these
//! small dyn-compatible ports instead. Each adapter is a few lines over a client, and tests can
//! put a scripted fake behind the same port.

use futures::future::BoxFuture;
use termdee_domain::{Network, Satang};
use termdee_providers::easysoft::api::EasysoftNetwork;
use termdee_providers::easysoft::EasysoftRefillRequest;
use termdee_providers::tmweasy::TmweasyClient;
use termdee_providers::wepay::{WepayCallback, WepayOrderRequest};
use termdee_providers::{
    Balance, CallbackReply, Callbacks, CatalogueEntry, EasysoftClient, NetworkAvailability,
    ProviderError, TopupOutcome, TopupStatus, Topups, Verification, WepayClient,
};
use termdee_providers::{
    BluePayClient, DepositClient, QrCallbackError, QrCallbackEvent, QrCallbacks, QrCancelOutcome,
    QrCreateOutcome, QrPaymentRef, QrPaymentRequest, QrPaymentStatus, QrPayments,
};

/// How a top-up provider's requests may be repeated when their outcome is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resend {
    /// The provider deduplicates on our reference (wePAY `dest_ref`, `30016`): sending the same
    /// reference again is safe and is how an unknown outcome is settled.
    SameReference,
    /// No key (Easysoft): never send again; an unknown outcome goes to a person.
    Never,
}

/// One top-up order as the engine asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopupCall {
    /// Our key.
    pub reference: String,
    /// The provider's product code for the network.
    pub product: String,
    /// The number.
    pub phone: String,
    /// The credit.
    pub amount: Satang,
    /// Easysoft `users` (the operator).
    pub users: Option<String>,
}

/// A parsed, not yet verified, top-up callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopupCallbackClaim {
    /// Our reference, when the provider echoes it (wePAY).
    pub reference: Option<String>,
    /// The provider's id.
    pub provider_ref: String,
    /// The reply the provider expects once the state is durable.
    pub ack: CallbackReply,
    /// The parsed callback, kept for verification.
    pub(crate) raw: ClaimBody,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ClaimBody {
    Wepay(Box<WepayCallback>),
    Easysoft(Box<termdee_providers::easysoft::api::EasysoftCallback>),
}

/// A top-up provider.
pub trait TopupPort: Send + Sync + std::fmt::Debug {
    /// `wepay` or `easysoft`: stored in the ledger and used in callback paths.
    fn name(&self) -> &str;
    /// How an unknown outcome may be settled.
    fn resend(&self) -> Resend;
    /// The product code for a network, if this provider sells it.
    fn product_for(&self, network: Network) -> Option<String>;
    /// Sends an order.
    fn top_up<'a>(
        &'a self,
        call: &'a TopupCall,
    ) -> BoxFuture<'a, Result<TopupOutcome, ProviderError>>;
    /// Asks for the status of an accepted order.
    fn query<'a>(
        &'a self,
        provider_ref: &'a str,
    ) -> BoxFuture<'a, Result<TopupStatus, ProviderError>>;
    /// The wallet balance.
    fn balance(&self) -> BoxFuture<'_, Result<Balance, ProviderError>>;
    /// What it sells (products, amounts).
    fn catalogue(&self) -> BoxFuture<'_, Result<Vec<CatalogueEntry>, ProviderError>>;
    /// Which networks are open (Easysoft `online=1`); `Unsupported` elsewhere.
    fn network_status(&self) -> BoxFuture<'_, Result<Vec<NetworkAvailability>, ProviderError>>;
    /// Reads a callback (no I/O).
    fn parse_callback(
        &self,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<TopupCallbackClaim, String>;
    /// Confirms a callback with the provider (a pull: callbacks are unsigned).
    fn verify_callback<'a>(
        &'a self,
        claim: &'a TopupCallbackClaim,
    ) -> BoxFuture<'a, Result<Verification, ProviderError>>;
    /// The refusal reply for a callback we cannot take now (the provider will send it again).
    fn refuse_callback(&self) -> CallbackReply;
}

/// wePAY behind the port.
#[derive(Debug, Clone)]
pub struct WepayPort(pub WepayClient);

impl TopupPort for WepayPort {
    fn name(&self) -> &str {
        "wepay"
    }
    fn resend(&self) -> Resend {
        Resend::SameReference
    }
    fn product_for(&self, network: Network) -> Option<String> {
        network.wepay_company().map(str::to_owned)
    }
    fn top_up<'a>(
        &'a self,
        call: &'a TopupCall,
    ) -> BoxFuture<'a, Result<TopupOutcome, ProviderError>> {
        Box::pin(async move {
            self.0
                .order(&WepayOrderRequest {
                    dest_ref: call.reference.clone(),
                    company: call.product.clone(),
                    amount: call.amount,
                    phone: call.phone.clone(),
                })
                .await
        })
    }
    fn query<'a>(
        &'a self,
        provider_ref: &'a str,
    ) -> BoxFuture<'a, Result<TopupStatus, ProviderError>> {
        Box::pin(self.0.get_output(provider_ref))
    }
    fn balance(&self) -> BoxFuture<'_, Result<Balance, ProviderError>> {
        Box::pin(self.0.balance())
    }
    fn catalogue(&self) -> BoxFuture<'_, Result<Vec<CatalogueEntry>, ProviderError>> {
        Box::pin(Topups::catalogue(&self.0))
    }
    fn network_status(&self) -> BoxFuture<'_, Result<Vec<NetworkAvailability>, ProviderError>> {
        Box::pin(async { Err(ProviderError::Unsupported("wePAY has no network status")) })
    }
    fn parse_callback(
        &self,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<TopupCallbackClaim, String> {
        let callback = self
            .0
            .parse_callback(content_type, body)
            .map_err(|e| e.to_string())?;
        let WepayCallback::Topup(topup) = &callback else {
            return Err("a refund result; Termdee does not ask wePAY for refunds".to_owned());
        };
        Ok(TopupCallbackClaim {
            reference: Some(topup.dest_ref.clone()),
            provider_ref: topup.transaction_id.clone(),
            ack: self.0.acknowledge(&callback),
            raw: ClaimBody::Wepay(Box::new(callback)),
        })
    }
    fn verify_callback<'a>(
        &'a self,
        claim: &'a TopupCallbackClaim,
    ) -> BoxFuture<'a, Result<Verification, ProviderError>> {
        Box::pin(async move {
            match &claim.raw {
                ClaimBody::Wepay(callback) => self.0.verify_callback(callback).await,
                ClaimBody::Easysoft(_) => Err(ProviderError::Unsupported("not a wePAY callback")),
            }
        })
    }
    fn refuse_callback(&self) -> CallbackReply {
        termdee_providers::wepay::api::refuse("TRY_AGAIN")
    }
}

/// Easysoft behind the port.
#[derive(Debug, Clone)]
pub struct EasysoftPort(pub EasysoftClient);

fn easysoft_network(network: Network) -> Option<EasysoftNetwork> {
    EasysoftNetwork::ALL
        .into_iter()
        .find(|n| n.number() == network.easysoft_network())
}

impl TopupPort for EasysoftPort {
    fn name(&self) -> &str {
        "easysoft"
    }
    fn resend(&self) -> Resend {
        Resend::Never
    }
    fn product_for(&self, network: Network) -> Option<String> {
        easysoft_network(network).map(|n| n.number().to_string())
    }
    fn top_up<'a>(
        &'a self,
        call: &'a TopupCall,
    ) -> BoxFuture<'a, Result<TopupOutcome, ProviderError>> {
        Box::pin(async move {
            let network = EasysoftNetwork::ALL
                .into_iter()
                .find(|n| n.number().to_string() == call.product)
                .ok_or_else(|| {
                    ProviderError::InvalidRequest(format!("no Easysoft network {}", call.product))
                })?;
            self.0
                .refill(&EasysoftRefillRequest {
                    network,
                    number: call.phone.clone(),
                    cash: call.amount,
                    users: call.users.clone(),
                })
                .await
        })
    }
    fn query<'a>(
        &'a self,
        provider_ref: &'a str,
    ) -> BoxFuture<'a, Result<TopupStatus, ProviderError>> {
        Box::pin(self.0.update(provider_ref))
    }
    fn balance(&self) -> BoxFuture<'_, Result<Balance, ProviderError>> {
        Box::pin(self.0.balance())
    }
    fn catalogue(&self) -> BoxFuture<'_, Result<Vec<CatalogueEntry>, ProviderError>> {
        Box::pin(Topups::catalogue(&self.0))
    }
    fn network_status(&self) -> BoxFuture<'_, Result<Vec<NetworkAvailability>, ProviderError>> {
        Box::pin(self.0.network_status())
    }
    fn parse_callback(
        &self,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<TopupCallbackClaim, String> {
        let callback = self
            .0
            .parse_callback(content_type, body)
            .map_err(|e| e.to_string())?;
        Ok(TopupCallbackClaim {
            reference: None,
            provider_ref: callback.order_id.clone(),
            ack: self.0.acknowledge(&callback),
            raw: ClaimBody::Easysoft(Box::new(callback)),
        })
    }
    fn verify_callback<'a>(
        &'a self,
        claim: &'a TopupCallbackClaim,
    ) -> BoxFuture<'a, Result<Verification, ProviderError>> {
        Box::pin(async move {
            match &claim.raw {
                ClaimBody::Easysoft(callback) => self.0.verify_callback(callback).await,
                ClaimBody::Wepay(_) => Err(ProviderError::Unsupported("not an Easysoft callback")),
            }
        })
    }
    fn refuse_callback(&self) -> CallbackReply {
        CallbackReply {
            status: 503,
            content_type: "text/plain",
            body: "TRY AGAIN".to_owned(),
        }
    }
}

/// How a QR provider's create may be repeated when its outcome is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recreate {
    /// Create again with the same reference (BluePay `mchOrderId`).
    SameReference,
    /// Create a new attempt with a new reference (Tmweasy: the orphan bill was never shown;
    /// Deposit-QR: the `order_id` is burnt).
    NewAttempt,
}

/// A parsed payment callback: what it says, and the reply the provider expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentCallbackClaim {
    /// Our reference, the provider's id and the status it reports.
    pub event: QrCallbackEvent,
    /// The acknowledgement, sent once the state is durable.
    pub ack: CallbackReply,
    /// Whether a signature over the raw bytes was verified (BluePay). Unsigned callbacks
    /// (Deposit-QR) are only trusted as far as they match an order of ours exactly.
    pub signed: bool,
}

/// Why a payment callback was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentCallbackRefusal {
    /// The signature does not verify: forged or altered.
    BadSignature,
    /// Not readable.
    Malformed(String),
    /// The provider sends no callbacks (Tmweasy).
    Unsupported,
}

/// A QR payment provider.
pub trait PaymentPort: Send + Sync + std::fmt::Debug {
    /// Reads a callback (verifying the signature where the provider signs).
    fn parse_callback(
        &self,
        _content_type: Option<&str>,
        _body: &[u8],
    ) -> Result<PaymentCallbackClaim, PaymentCallbackRefusal> {
        Err(PaymentCallbackRefusal::Unsupported)
    }
    /// How an unknown create is repeated.
    fn recreate(&self) -> Recreate;
    /// Whether the provider can be asked for a payment's status (Deposit-QR cannot).
    fn can_query(&self) -> bool;
    /// Creates the QR.
    fn create<'a>(
        &'a self,
        request: &'a QrPaymentRequest,
    ) -> BoxFuture<'a, Result<QrCreateOutcome, ProviderError>>;
    /// Asks whether it was paid.
    fn query<'a>(
        &'a self,
        payment: &'a QrPaymentRef,
    ) -> BoxFuture<'a, Result<QrPaymentStatus, ProviderError>>;
    /// Cancels an unpaid QR.
    fn cancel<'a>(
        &'a self,
        payment: &'a QrPaymentRef,
    ) -> BoxFuture<'a, Result<QrCancelOutcome, ProviderError>>;
}

/// Tmweasy Mae Manee behind the port.
#[derive(Debug, Clone)]
pub struct TmweasyPort(pub TmweasyClient);

impl PaymentPort for TmweasyPort {
    fn recreate(&self) -> Recreate {
        Recreate::NewAttempt
    }
    fn can_query(&self) -> bool {
        true
    }
    fn create<'a>(
        &'a self,
        request: &'a QrPaymentRequest,
    ) -> BoxFuture<'a, Result<QrCreateOutcome, ProviderError>> {
        Box::pin(self.0.create(request))
    }
    fn query<'a>(
        &'a self,
        payment: &'a QrPaymentRef,
    ) -> BoxFuture<'a, Result<QrPaymentStatus, ProviderError>> {
        Box::pin(self.0.query(payment))
    }
    fn cancel<'a>(
        &'a self,
        payment: &'a QrPaymentRef,
    ) -> BoxFuture<'a, Result<QrCancelOutcome, ProviderError>> {
        Box::pin(self.0.cancel(payment))
    }
}

fn refusal(error: QrCallbackError) -> PaymentCallbackRefusal {
    match error {
        QrCallbackError::BadSignature => PaymentCallbackRefusal::BadSignature,
        other => PaymentCallbackRefusal::Malformed(other.to_string()),
    }
}

/// Deposit-QR (RichPay) behind the port: no status query, unsigned pushed callbacks.
#[derive(Debug, Clone)]
pub struct DepositQrPort(pub DepositClient);

impl PaymentPort for DepositQrPort {
    fn parse_callback(
        &self,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<PaymentCallbackClaim, PaymentCallbackRefusal> {
        let callback = self.0.parse_callback(content_type, body).map_err(refusal)?;
        Ok(PaymentCallbackClaim {
            event: self.0.event(&callback),
            ack: self.0.acknowledge(&callback),
            signed: false,
        })
    }
    fn recreate(&self) -> Recreate {
        // An `order_id` that may have reached RichPay is burnt (deposit_qr.md §3.1).
        Recreate::NewAttempt
    }
    fn can_query(&self) -> bool {
        false
    }
    fn create<'a>(
        &'a self,
        request: &'a QrPaymentRequest,
    ) -> BoxFuture<'a, Result<QrCreateOutcome, ProviderError>> {
        Box::pin(self.0.create(request))
    }
    fn query<'a>(
        &'a self,
        payment: &'a QrPaymentRef,
    ) -> BoxFuture<'a, Result<QrPaymentStatus, ProviderError>> {
        Box::pin(self.0.query(payment))
    }
    fn cancel<'a>(
        &'a self,
        payment: &'a QrPaymentRef,
    ) -> BoxFuture<'a, Result<QrCancelOutcome, ProviderError>> {
        Box::pin(self.0.cancel(payment))
    }
}

/// BluePay WebPay behind the port: signed notifications, `detail` query, no cancel.
#[derive(Debug, Clone)]
pub struct BluePayPort(pub BluePayClient);

impl PaymentPort for BluePayPort {
    fn parse_callback(
        &self,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<PaymentCallbackClaim, PaymentCallbackRefusal> {
        let notification = self.0.parse_callback(content_type, body).map_err(refusal)?;
        Ok(PaymentCallbackClaim {
            event: self.0.event(&notification),
            ack: self.0.acknowledge(&notification),
            signed: true,
        })
    }
    fn recreate(&self) -> Recreate {
        // `mchOrderId` is deduplicated (21007 → detail): the same reference is safe.
        Recreate::SameReference
    }
    fn can_query(&self) -> bool {
        true
    }
    fn create<'a>(
        &'a self,
        request: &'a QrPaymentRequest,
    ) -> BoxFuture<'a, Result<QrCreateOutcome, ProviderError>> {
        Box::pin(self.0.create(request))
    }
    fn query<'a>(
        &'a self,
        payment: &'a QrPaymentRef,
    ) -> BoxFuture<'a, Result<QrPaymentStatus, ProviderError>> {
        Box::pin(self.0.query(payment))
    }
    fn cancel<'a>(
        &'a self,
        payment: &'a QrPaymentRef,
    ) -> BoxFuture<'a, Result<QrCancelOutcome, ProviderError>> {
        Box::pin(self.0.cancel(payment))
    }
}
