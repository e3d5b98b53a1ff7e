//! BluePay WebPay requests, replies and notifications: pure functions, no I/O.

use base64::Engine as _;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use termdee_domain::Satang;
use url::Url;

use crate::error::ProviderError;
use crate::outcome::{CallbackReply, RejectKind, Rejection, UnknownReason};
use crate::payments::{
    parse_datetime, read_json, satang_integer, QrCallbackError, QrCallbackEvent, QrCreateOutcome,
    QrCreated, QrDisplay, QrExpiry, QrNextStep, QrPaid, QrPaymentRequest, QrPaymentStatus,
    QrUnknown,
};
use crate::transport::{Body, FormField, HttpReply, HttpRequest, Method};
use crate::wire::WireScalar;

/// The exact acknowledgement of a notification (bluepay_webpay.md §6: "fixed value").
pub const BLUEPAY_ACK: &str = r#"{"code":10000,"message":"Success"}"#;

/// Thailand's offset: `expiresTime` has no zone (§4, \[U\]).
const BANGKOK_OFFSET: i64 = 7 * 3600;

/// A BluePay merchant. No `Default`: the `{domain}` is issued per merchant (§1), and the keys
/// are required. `Debug` prints the private key as `***`.
#[derive(Clone)]
pub struct BluePayConfig {
    /// Base URL (`{domain}`); `open-api/webpay/...` is joined to it.
    pub base_url: Url,
    /// `appId` (§2.1).
    pub app_id: String,
    /// Our RSA private key: base64 of the PKCS#8 DER (`MIIE…`, as BluePay's Java sample prints
    /// it) or a PEM `-----BEGIN PRIVATE KEY-----` block.
    pub merchant_private_key: SecretString,
    /// BluePay's public key for notifications: base64 of the X.509 SubjectPublicKeyInfo DER
    /// (`MIIB…`) or a PEM `-----BEGIN PUBLIC KEY-----` block.
    pub bluepay_public_key: String,
    /// `notifyUrl` (§4).
    pub notify_url: Url,
    /// `redirectUrl` (§4).
    pub redirect_url: Url,
    /// `channelCode`, e.g. `TRUEMONEY_URL` (§4).
    pub channel_code: String,
    /// `customerName` (≤ 100).
    pub customer_name: String,
    /// `email`.
    pub email: String,
    /// `mobile`: `0[689]` and 8 digits (§4).
    pub mobile: String,
    /// `expireSeconds` (30–3600; BluePay's default 3600 when `None`).
    pub expire_seconds: Option<u32>,
}

impl std::fmt::Debug for BluePayConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BluePayConfig")
            .field("base_url", &self.base_url.as_str())
            .field("app_id", &self.app_id)
            .field("merchant_private_key", &"***")
            .field("bluepay_public_key", &self.bluepay_public_key)
            .field("notify_url", &self.notify_url.as_str())
            .field("redirect_url", &self.redirect_url.as_str())
            .field("channel_code", &self.channel_code)
            .field("customer_name", &self.customer_name)
            .field("email", &self.email)
            .field("mobile", &self.mobile)
            .field("expire_seconds", &self.expire_seconds)
            .finish()
    }
}

/// The DER bytes of a key written as base64 DER or as PEM (header lines dropped).
fn key_der(text: &str) -> Result<Vec<u8>, ProviderError> {
    let body: String = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("-----"))
        .flat_map(|line| line.chars())
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body.as_bytes())
        .map_err(|_| ProviderError::Config("BluePay key is not base64 / PEM".to_owned()))
}

/// Checks a `mchOrderId`: 1–32 ASCII letters and digits (§4).
pub fn validate_mch_order_id(id: &str) -> Result<(), ProviderError> {
    if id.is_empty() || id.len() > 32 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ProviderError::InvalidRequest(format!(
            "mchOrderId {id:?} must be 1 to 32 letters and digits (bluepay_webpay.md §4)"
        )));
    }
    Ok(())
}

fn validate_mobile(mobile: &str) -> bool {
    let bytes = mobile.as_bytes();
    bytes.len() == 10
        && bytes[0] == b'0'
        && matches!(bytes[1], b'6' | b'8' | b'9')
        && bytes.iter().all(u8::is_ascii_digit)
}

/// The `param` of `generate`, in a fixed field order (the string is signed as sent).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GenerateParam<'a> {
    timestamp: i64,
    channel_code: &'a str,
    mch_order_id: &'a str,
    amount: i64,
    notify_url: &'a str,
    redirect_url: &'a str,
    customer_name: &'a str,
    email: &'a str,
    mobile: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    expire_seconds: Option<u32>,
}

/// The `param` of `detail`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DetailParam<'a> {
    timestamp: i64,
    mch_order_id: &'a str,
}

/// Builds BluePay requests, signs them and verifies notifications. Pure: no I/O.
#[derive(Clone)]
pub struct BluePayApi {
    config: BluePayConfig,
    signing: SigningKey<Sha256>,
    verifying: VerifyingKey<Sha256>,
}

impl std::fmt::Debug for BluePayApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BluePayApi")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl BluePayApi {
    /// Reads both keys; [`ProviderError::Config`] when either is not a usable RSA key.
    pub fn new(config: BluePayConfig) -> Result<Self, ProviderError> {
        let private =
            RsaPrivateKey::from_pkcs8_der(&key_der(config.merchant_private_key.expose_secret())?)
                .map_err(|_| {
                ProviderError::Config(
                    "BluePay merchant_private_key is not a PKCS#8 RSA key".to_owned(),
                )
            })?;
        let public = RsaPublicKey::from_public_key_der(&key_der(&config.bluepay_public_key)?)
            .map_err(|_| {
                ProviderError::Config(
                    "BluePay bluepay_public_key is not an X.509 RSA public key".to_owned(),
                )
            })?;
        Ok(BluePayApi {
            config,
            signing: SigningKey::<Sha256>::new(private),
            verifying: VerifyingKey::<Sha256>::new(public),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &BluePayConfig {
        &self.config
    }

    /// `base64(SHA256withRSA(param))` over the exact UTF-8 bytes of `param` (§2.1).
    pub fn sign(&self, param: &str) -> String {
        let signature = self.signing.sign(param.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(signature.to_bytes())
    }

    /// True when `sign` (base64) is BluePay's SHA256withRSA signature of exactly `param`.
    pub fn verify(&self, param: &str, sign: &str) -> bool {
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(sign.trim().as_bytes())
        else {
            return false;
        };
        let Ok(signature) = Signature::try_from(bytes.as_slice()) else {
            return false;
        };
        self.verifying.verify(param.as_bytes(), &signature).is_ok()
    }

    fn envelope(
        &self,
        operation: &'static str,
        path: &str,
        param: String,
    ) -> Result<HttpRequest, ProviderError> {
        let url = self
            .config
            .base_url
            .join(path)
            .map_err(|error| ProviderError::Config(format!("BluePay base URL: {error}")))?;
        let sign = self.sign(&param);
        Ok(HttpRequest {
            operation,
            method: Method::Post,
            url,
            headers: vec![FormField::plain("accept", "application/json")],
            body: Body::Json(serde_json::json!({
                "appId": self.config.app_id,
                "sign": sign,
                "param": param,
            })),
        })
    }

    /// `POST open-api/webpay/generate` (§4) for `request` (amount in satang), stamped with
    /// `timestamp_ms` (epoch milliseconds, from the injected clock).
    pub fn generate_request(
        &self,
        request: &QrPaymentRequest,
        timestamp_ms: i64,
    ) -> Result<HttpRequest, ProviderError> {
        validate_mch_order_id(&request.reference)?;
        if request.amount.as_satang() <= 0 {
            return Err(ProviderError::InvalidRequest(format!(
                "amount {} must be positive",
                request.amount.to_baht_string()
            )));
        }
        let config = &self.config;
        if !validate_mobile(&config.mobile) {
            return Err(ProviderError::Config(format!(
                "BluePay mobile {:?} must match 0[689] and 8 digits (§4)",
                config.mobile
            )));
        }
        if config.customer_name.trim().is_empty() || config.customer_name.chars().count() > 100 {
            return Err(ProviderError::Config(
                "BluePay customer_name must be 1 to 100 characters (§4)".to_owned(),
            ));
        }
        if let Some(seconds) = config.expire_seconds {
            if !(30..=3600).contains(&seconds) {
                return Err(ProviderError::Config(format!(
                    "BluePay expire_seconds {seconds} must be 30 to 3600 (§4)"
                )));
            }
        }
        let param = serde_json::to_string(&GenerateParam {
            timestamp: timestamp_ms,
            channel_code: &config.channel_code,
            mch_order_id: &request.reference,
            amount: request.amount.as_satang(),
            notify_url: config.notify_url.as_str(),
            redirect_url: config.redirect_url.as_str(),
            customer_name: &config.customer_name,
            email: &config.email,
            mobile: &config.mobile,
            expire_seconds: config.expire_seconds,
        })
        .map_err(|error| ProviderError::InvalidRequest(error.to_string()))?;
        self.envelope("bluepay.generate", "open-api/webpay/generate", param)
    }

    /// `POST open-api/webpay/detail` (§5) by `mchOrderId`.
    pub fn detail_request(
        &self,
        mch_order_id: &str,
        timestamp_ms: i64,
    ) -> Result<HttpRequest, ProviderError> {
        validate_mch_order_id(mch_order_id)?;
        let param = serde_json::to_string(&DetailParam {
            timestamp: timestamp_ms,
            mch_order_id,
        })
        .map_err(|error| ProviderError::InvalidRequest(error.to_string()))?;
        self.envelope("bluepay.detail", "open-api/webpay/detail", param)
    }

    /// Verifies and reads a notification from its RAW body (§2.2, §6): the signature is
    /// checked over the exact bytes of the `param` string first; a missing or bad signature is
    /// [`QrCallbackError::BadSignature`] and nothing of the body is trusted.
    pub fn verify_notification(
        &self,
        raw_body: &[u8],
    ) -> Result<BluePayNotification, QrCallbackError> {
        let (sign, param) = split_notification(raw_body)?;
        if !self.verify(&param, &sign) {
            return Err(QrCallbackError::BadSignature);
        }
        parse_notification_param(&param)
    }
}

#[derive(Deserialize)]
struct NotificationEnvelope {
    sign: Option<String>,
    param: Option<serde_json::Value>,
}

/// Splits a notification body into `(sign, param)`; `param` must be a JSON string (§2.2), and
/// is returned exactly as sent (after JSON string unescaping), never re-serialised.
pub fn split_notification(raw_body: &[u8]) -> Result<(String, String), QrCallbackError> {
    let envelope: NotificationEnvelope = serde_json::from_slice(raw_body).map_err(|error| {
        QrCallbackError::Malformed(format!("not a BluePay notification: {error}"))
    })?;
    let param = match envelope.param {
        Some(serde_json::Value::String(param)) => param,
        Some(_) => {
            return Err(QrCallbackError::Malformed(
                "param is not a JSON string".to_owned(),
            ))
        }
        None => return Err(QrCallbackError::MissingField("param")),
    };
    let sign = envelope
        .sign
        .filter(|sign| !sign.trim().is_empty())
        .ok_or(QrCallbackError::BadSignature)?;
    Ok((sign, param))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NotificationWire {
    event_name: Option<String>,
    mch_order_id: Option<WireScalar>,
    transaction_id: Option<WireScalar>,
    amount: Option<WireScalar>,
    transaction_status: Option<String>,
    failed_code: Option<WireScalar>,
    failed_message: Option<String>,
}

/// A verified BluePay notification (§6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BluePayNotification {
    /// `eventName`: `order.payment.success` | `order.payment.failed`.
    pub event_name: Option<String>,
    /// `mchOrderId`.
    pub mch_order_id: String,
    /// `transactionId`.
    pub transaction_id: Option<String>,
    /// `amount` (integer satang), when readable.
    pub amount: Option<Satang>,
    /// `transactionStatus`: `PENDING` | `COMPLETED` | `FAILED`.
    pub transaction_status: Option<String>,
    /// `failedCode`.
    pub failed_code: Option<String>,
    /// `failedMessage`.
    pub failed_message: Option<String>,
    /// The signed `param` string, verbatim, for storage.
    pub param: String,
}

/// Reads a notification's `param` (call only after its signature verified).
pub fn parse_notification_param(param: &str) -> Result<BluePayNotification, QrCallbackError> {
    let wire: NotificationWire = serde_json::from_str(param).map_err(|error| {
        QrCallbackError::Malformed(format!("param is not the expected JSON: {error}"))
    })?;
    let mch_order_id = wire
        .mch_order_id
        .map(|id| id.text().trim().to_owned())
        .filter(|id| !id.is_empty())
        .ok_or(QrCallbackError::MissingField("mchOrderId"))?;
    Ok(BluePayNotification {
        event_name: wire.event_name,
        mch_order_id,
        transaction_id: wire.transaction_id.map(|id| id.text().to_owned()),
        amount: wire.amount.as_ref().and_then(|a| satang_integer(a.text())),
        transaction_status: wire.transaction_status,
        failed_code: wire.failed_code.map(|code| code.text().to_owned()),
        failed_message: wire.failed_message,
        param: param.to_owned(),
    })
}

/// Maps `transactionStatus` (§5, §6) to a payment status.
fn status_of(
    status: Option<&str>,
    mch_order_id: &str,
    transaction_id: Option<&String>,
    amount: Option<Satang>,
    failed_code: Option<&String>,
    failed_message: Option<&String>,
) -> QrPaymentStatus {
    match status {
        Some("PENDING") => QrPaymentStatus::Pending { message: None },
        Some("COMPLETED") => match amount {
            Some(amount) => QrPaymentStatus::Paid(QrPaid {
                reference: Some(mch_order_id.to_owned()),
                provider_ref: transaction_id.cloned(),
                amount,
                fee: None,
            }),
            None => QrPaymentStatus::Unknown {
                raw: "COMPLETED without a readable amount".to_owned(),
            },
        },
        Some("FAILED") => QrPaymentStatus::Failed {
            code: failed_code.cloned(),
            message: failed_message
                .cloned()
                .unwrap_or_else(|| "FAILED".to_owned()),
        },
        Some(other) => QrPaymentStatus::Unknown {
            raw: other.to_owned(),
        },
        None => QrPaymentStatus::Unknown {
            raw: "(no transactionStatus)".to_owned(),
        },
    }
}

impl BluePayNotification {
    /// The status it reports; an `eventName` that contradicts `transactionStatus` is unknown.
    pub fn status(&self) -> QrPaymentStatus {
        let status = status_of(
            self.transaction_status.as_deref(),
            &self.mch_order_id,
            self.transaction_id.as_ref(),
            self.amount,
            self.failed_code.as_ref(),
            self.failed_message.as_ref(),
        );
        let contradiction = match (self.event_name.as_deref(), &status) {
            (Some("order.payment.success"), QrPaymentStatus::Failed { .. })
            | (Some("order.payment.failed"), QrPaymentStatus::Paid(_)) => true,
            (Some(_) | None, _) => false,
        };
        if contradiction {
            QrPaymentStatus::Unknown {
                raw: format!(
                    "eventName {:?} with transactionStatus {:?}",
                    self.event_name, self.transaction_status
                ),
            }
        } else {
            status
        }
    }

    /// The notification as an engine event.
    pub fn event(&self) -> QrCallbackEvent {
        QrCallbackEvent {
            reference: self.mch_order_id.clone(),
            provider_ref: self.transaction_id.clone(),
            status: self.status(),
        }
    }
}

/// The answer once the notification is stored: exactly [`BLUEPAY_ACK`] (§6), also for
/// duplicates.
pub fn acknowledge() -> CallbackReply {
    CallbackReply {
        status: 200,
        content_type: "application/json",
        body: BLUEPAY_ACK.to_owned(),
    }
}

/// How a BluePay code is handled (§3), one arm per documented code.
enum CodeClass {
    Success,
    Duplicate,
    Rejected(RejectKind),
    Unknown(UnknownReason),
}

fn classify(code: &str) -> CodeClass {
    match code {
        "10000" => CodeClass::Success,
        // §3, §9: the mchOrderId exists already: call detail.
        "21007" => CodeClass::Duplicate,
        // §3: server error / network error: may have been created; resend the same id.
        "21000" | "21011" => CodeClass::Unknown(UnknownReason::ProviderInternalError {
            code: code.to_owned(),
        }),
        // §3 (jtdocs): too many requests.
        "21020" => CodeClass::Unknown(UnknownReason::RateLimited {
            code: code.to_owned(),
        }),
        "21001" | "21002" | "21008" | "21009" => CodeClass::Rejected(RejectKind::Configuration),
        "21003" => CodeClass::Rejected(RejectKind::Credentials),
        "21004" | "21005" | "21014" => CodeClass::Rejected(RejectKind::NotPermitted),
        "21006" => CodeClass::Rejected(RejectKind::NotFound),
        "21010" | "21021" => CodeClass::Rejected(RejectKind::InvalidAmount),
        "21015" => CodeClass::Rejected(RejectKind::InvalidReference),
        "21016" => CodeClass::Rejected(RejectKind::IpNotAllowed),
        "21019" => CodeClass::Rejected(RejectKind::InvalidProduct),
        // Any other code (21022–21028 are only partly documented): unknown, never failure.
        other => CodeClass::Unknown(UnknownReason::UnknownCode {
            code: other.to_owned(),
        }),
    }
}

#[derive(Deserialize)]
struct ReplyEnvelope {
    code: Option<WireScalar>,
    message: Option<String>,
    data: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct OrderData {
    mch_order_id: Option<WireScalar>,
    transaction_id: Option<WireScalar>,
    pay_url: Option<String>,
    expires_time: Option<String>,
    amount: Option<WireScalar>,
    transaction_status: Option<String>,
}

/// A WebPay order as `detail` reports it (§5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BluePayOrder {
    /// `mchOrderId`.
    pub mch_order_id: Option<String>,
    /// `transactionId`.
    pub transaction_id: Option<String>,
    /// `amount` (satang).
    pub amount: Option<Satang>,
    /// `transactionStatus`, verbatim.
    pub transaction_status: Option<String>,
    /// `payUrl`.
    pub pay_url: Option<String>,
}

impl BluePayOrder {
    /// The payment status (§5).
    pub fn status(&self, mch_order_id: &str) -> QrPaymentStatus {
        status_of(
            self.transaction_status.as_deref(),
            mch_order_id,
            self.transaction_id.as_ref(),
            self.amount,
            None,
            None,
        )
    }

    /// The offer to show after a duplicate (`21007` then `detail`): `None` without a
    /// `transactionId` and a `payUrl`, or when the order is no longer pending.
    pub fn into_created(self, mch_order_id: &str, requested: Satang) -> Option<QrCreated> {
        if self.transaction_status.as_deref() != Some("PENDING") {
            return None;
        }
        Some(QrCreated {
            reference: mch_order_id.to_owned(),
            provider_ref: self.transaction_id.filter(|id| !id.is_empty())?,
            requested,
            amount: self.amount.unwrap_or(requested),
            display: QrDisplay {
                image_base64: None,
                image_url: None,
                link: Some(self.pay_url.filter(|url| !url.is_empty())?),
            },
            expiry: QrExpiry::Unknown { raw: None },
            qr_check: None,
            amount_mismatch: None,
        })
    }
}

fn read_envelope(
    reply: &HttpReply,
) -> Result<(String, String, OrderData), crate::payments::Unreadable> {
    let envelope: ReplyEnvelope = read_json(reply, "BluePay")?;
    let code = envelope.code.ok_or_else(|| crate::payments::Unreadable {
        reason: UnknownReason::UnexpectedBody,
        detail: "BluePay reply without a code".to_owned(),
    })?;
    let data = match envelope.data {
        Some(value @ serde_json::Value::Object(_)) => {
            serde_json::from_value(value).map_err(|_| crate::payments::Unreadable {
                reason: UnknownReason::UnexpectedBody,
                detail: "BluePay data is not the expected object".to_owned(),
            })?
        }
        Some(_) | None => OrderData::default(),
    };
    Ok((
        code.text().to_owned(),
        envelope.message.unwrap_or_default(),
        data,
    ))
}

fn id_text(value: Option<WireScalar>) -> Option<String> {
    value
        .map(|value| value.text().trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// Reads the `generate` reply (§4) for our `mchOrderId` and amount. Never fails: anything not
/// understood is unknown, settled by resending the SAME `mchOrderId` (§9).
pub fn parse_generate_reply(
    reply: &HttpReply,
    mch_order_id: &str,
    requested: Satang,
) -> QrCreateOutcome {
    let next = QrNextStep::ResendSameReference;
    let (code, message, data) = match read_envelope(reply) {
        Ok(read) => read,
        Err(unreadable) => return QrCreateOutcome::Unknown(unreadable.into_unknown(next)),
    };
    let unknown = |reason: UnknownReason, detail: String| {
        QrCreateOutcome::Unknown(QrUnknown {
            reason,
            detail,
            next_step: next,
            provider_ref: None,
        })
    };
    match classify(&code) {
        CodeClass::Success => {
            if let Some(echo) = data.mch_order_id.as_ref() {
                if echo.text() != mch_order_id {
                    return unknown(
                        UnknownReason::UnexpectedBody,
                        format!("reply for {:?}, not {mch_order_id:?}", echo.text()),
                    );
                }
            }
            let transaction_id = id_text(data.transaction_id);
            let pay_url = data.pay_url.filter(|url| !url.trim().is_empty());
            let (Some(transaction_id), Some(pay_url)) = (transaction_id, pay_url) else {
                return unknown(
                    UnknownReason::UnexpectedBody,
                    "10000 without a transactionId or a payUrl".to_owned(),
                );
            };
            let expiry = match data.expires_time {
                Some(raw) => match parse_datetime(&raw, BANGKOK_OFFSET) {
                    Some(unix_seconds) => QrExpiry::At { unix_seconds, raw },
                    None => QrExpiry::Unknown { raw: Some(raw) },
                },
                None => QrExpiry::Unknown { raw: None },
            };
            QrCreateOutcome::Created(QrCreated {
                reference: mch_order_id.to_owned(),
                provider_ref: transaction_id,
                requested,
                amount: requested,
                display: QrDisplay {
                    image_base64: None,
                    image_url: None,
                    link: Some(pay_url),
                },
                expiry,
                qr_check: None,
                amount_mismatch: None,
            })
        }
        CodeClass::Duplicate => QrCreateOutcome::AlreadyExists {
            reference: mch_order_id.to_owned(),
        },
        CodeClass::Rejected(kind) => QrCreateOutcome::Rejected(Rejection {
            code,
            kind,
            message,
        }),
        CodeClass::Unknown(reason) => unknown(reason, format!("code {code}: {message}")),
    }
}

/// Reads the `detail` reply (§5). `21006` is `Err(Rejected(NotFound))`.
pub fn parse_detail_reply(reply: &HttpReply) -> Result<BluePayOrder, ProviderError> {
    let (code, message, data) =
        read_envelope(reply).map_err(crate::payments::Unreadable::into_error)?;
    match classify(&code) {
        CodeClass::Success => Ok(BluePayOrder {
            mch_order_id: id_text(data.mch_order_id),
            transaction_id: id_text(data.transaction_id),
            amount: data.amount.as_ref().and_then(|a| satang_integer(a.text())),
            transaction_status: data.transaction_status,
            pay_url: data.pay_url,
        }),
        CodeClass::Rejected(kind) => Err(ProviderError::Rejected(Rejection {
            code,
            kind,
            message,
        })),
        CodeClass::Duplicate | CodeClass::Unknown(_) => Err(ProviderError::UnexpectedReply(
            format!("detail: code {code}: {message}"),
        )),
    }
}
