//! Deposit-QR requests, reply and callback parsers: pure functions, no I/O.

use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use termdee_domain::Satang;
use url::Url;

use crate::error::ProviderError;
use crate::outcome::{CallbackReply, RejectKind, Rejection, UnknownReason};
use crate::payments::{
    parse_datetime, snippet, QrCallbackError, QrCallbackEvent, QrCancelOutcome, QrCreateOutcome,
    QrCreated, QrDisplay, QrExpiry, QrNextStep, QrPaid, QrPaymentStatus, QrUnknown,
};
use crate::transport::{Body, FormField, HttpReply, HttpRequest, Method};
use crate::wire::WireScalar;

/// The default base URL: RichPay's, the operator with the real example (deposit_qr.md §1).
/// The platform is white-label: set the contracted operator's URL.
pub const DEPOSIT_PRODUCTION_URL: &str = "https://service.richpay.io/";

/// Thailand's offset, for times written without a zone.
const BANGKOK_OFFSET: i64 = 7 * 3600;

/// A Deposit-QR merchant account. `Debug` prints the token and keys as `***`.
#[derive(Clone)]
pub struct DepositConfig {
    /// Base URL; `api/v1/client/...` is joined to it. Default: [`DEPOSIT_PRODUCTION_URL`].
    pub base_url: Url,
    /// `Authorization: Bearer <token>` (§2).
    pub token: SecretString,
    /// `x-api-key` (§2).
    pub api_key: SecretString,
    /// The SECRET_KEY inside `x-signature` (§2).
    pub secret_key: SecretString,
    /// `callback_url` sent per order; `None` uses the merchant profile's default (§3.1).
    pub callback_url: Option<Url>,
    /// `ref_account`: the payer's account (§3.1) — unknown for walk-in customers \[U\].
    pub ref_account: String,
    /// `ref_bank_code`: 3-digit bank code (§7).
    pub ref_bank_code: String,
    /// `ref_name_th`.
    pub ref_name_th: String,
    /// `ref_name_en` (optional).
    pub ref_name_en: Option<String>,
    /// `ref_user_id` (clients send `""`, §3.1).
    pub ref_user_id: String,
}

impl std::fmt::Debug for DepositConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DepositConfig")
            .field("base_url", &self.base_url.as_str())
            .field("token", &"***")
            .field("api_key", &"***")
            .field("secret_key", &"***")
            .field("callback_url", &self.callback_url.as_ref().map(Url::as_str))
            .field("ref_account", &self.ref_account)
            .field("ref_bank_code", &self.ref_bank_code)
            .field("ref_name_th", &self.ref_name_th)
            .field("ref_name_en", &self.ref_name_en)
            .field("ref_user_id", &self.ref_user_id)
            .finish()
    }
}

impl Default for DepositConfig {
    /// RichPay's URL, empty credentials and payer fields (create is refused until the payer
    /// fields are set).
    fn default() -> Self {
        DepositConfig {
            base_url: crate::wepay::api::production_url(DEPOSIT_PRODUCTION_URL),
            token: SecretString::from(String::new()),
            api_key: SecretString::from(String::new()),
            secret_key: SecretString::from(String::new()),
            callback_url: None,
            ref_account: String::new(),
            ref_bank_code: String::new(),
            ref_name_th: String::new(),
            ref_name_en: None,
            ref_user_id: String::new(),
        }
    }
}

/// The order id of attempt `attempt` of a sale: `"<sale>-<attempt>"` (deposit_qr.md §8).
///
/// Deposit-QR refuses a repeated `order_id` and has no query by it, so after a timeout the
/// same sale is created again with the next attempt (`S123-1`, then `S123-2`), and only the
/// newest QR is shown. [`sale_of`] reads the sale back from any of them, so a paid callback
/// for an orphan order is still recognised as the sale's (apply it once per sale).
/// The sale id: 1–48 ASCII letters, digits or `_`/`-`.
pub fn order_id(sale: &str, attempt: u32) -> Result<String, ProviderError> {
    let ok = !sale.is_empty()
        && sale.len() <= 48
        && sale
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !ok {
        return Err(ProviderError::InvalidRequest(format!(
            "sale id {sale:?} must be 1 to 48 letters, digits, '_' or '-'"
        )));
    }
    Ok(format!("{sale}-{attempt}"))
}

/// The sale and attempt of an order id made by [`order_id`]; `None` for any other shape.
pub fn sale_of(order_id: &str) -> Option<(&str, u32)> {
    let (sale, attempt) = order_id.rsplit_once('-')?;
    if sale.is_empty() || attempt.is_empty() || !attempt.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((sale, attempt.parse().ok()?))
}

fn validate_order_id(order_id: &str) -> Result<(), ProviderError> {
    let ok = !order_id.is_empty()
        && order_id.len() <= 64
        && order_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(ProviderError::InvalidRequest(format!(
            "order_id {order_id:?} must be 1 to 64 letters, digits, '_' or '-'"
        )))
    }
}

fn validate_ref_id(ref_id: &str) -> Result<(), ProviderError> {
    let ok = !ref_id.is_empty()
        && ref_id.len() <= 128
        && ref_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
    if ok {
        Ok(())
    } else {
        Err(ProviderError::InvalidRequest(format!(
            "ref_id {ref_id:?} is not a Deposit-QR reference"
        )))
    }
}

/// Builds Deposit-QR requests. Pure: no I/O.
#[derive(Debug, Clone)]
pub struct DepositApi {
    config: DepositConfig,
}

impl DepositApi {
    /// An API description for this account.
    pub fn new(config: DepositConfig) -> Self {
        DepositApi { config }
    }

    /// The configuration.
    pub fn config(&self) -> &DepositConfig {
        &self.config
    }

    /// `x-signature = base64("SECRET_KEY:order_id:amount")`, standard base64 with padding
    /// (deposit_qr.md §2: not a MAC; it discloses the secret, so TLS only and never logged).
    pub fn signature(&self, order_id: &str, amount: &str) -> SecretString {
        let text = format!(
            "{}:{order_id}:{amount}",
            self.config.secret_key.expose_secret()
        );
        SecretString::from(base64::engine::general_purpose::STANDARD.encode(text.as_bytes()))
    }

    fn post(
        &self,
        operation: &'static str,
        path: &str,
        signature: &SecretString,
        body: serde_json::Value,
    ) -> Result<HttpRequest, ProviderError> {
        let url = self
            .config
            .base_url
            .join(path)
            .map_err(|error| ProviderError::Config(format!("Deposit-QR base URL: {error}")))?;
        Ok(HttpRequest {
            operation,
            method: Method::Post,
            url,
            headers: vec![
                FormField::secret(
                    "authorization",
                    format!("Bearer {}", self.config.token.expose_secret()).into(),
                ),
                FormField::secret("x-api-key", self.config.api_key.clone()),
                FormField::secret("x-signature", signature.clone()),
                FormField::plain("accept", "application/json"),
            ],
            body: Body::Json(body),
        })
    }

    /// `POST api/v1/client/create_deposit` (§3.1). The amount is sent as the string `"100.00"`,
    /// the exact text signed.
    pub fn create_deposit_request(
        &self,
        order_id: &str,
        amount: Satang,
    ) -> Result<HttpRequest, ProviderError> {
        validate_order_id(order_id)?;
        if amount.as_satang() <= 0 {
            return Err(ProviderError::InvalidRequest(format!(
                "amount {} must be positive",
                amount.to_baht_string()
            )));
        }
        let config = &self.config;
        if config.ref_account.trim().is_empty()
            || config.ref_bank_code.trim().is_empty()
            || config.ref_name_th.trim().is_empty()
        {
            return Err(ProviderError::Config(
                "Deposit-QR needs ref_account, ref_bank_code and ref_name_th (deposit_qr.md §3.1)"
                    .to_owned(),
            ));
        }
        let amount_text = amount.to_baht_string();
        let mut body = serde_json::Map::new();
        let mut put = |key: &str, value: &str| {
            body.insert(key.to_owned(), serde_json::Value::String(value.to_owned()));
        };
        put("order_id", order_id);
        put("amount", &amount_text);
        put("ref_account", &config.ref_account);
        put("ref_bank_code", &config.ref_bank_code);
        put("ref_name_th", &config.ref_name_th);
        if let Some(name) = &config.ref_name_en {
            put("ref_name_en", name);
        }
        put("ref_user_id", &config.ref_user_id);
        if let Some(url) = &config.callback_url {
            put("callback_url", url.as_str());
        }
        let signature = self.signature(order_id, &amount_text);
        self.post(
            "deposit_qr.create_deposit",
            "api/v1/client/create_deposit",
            &signature,
            serde_json::Value::Object(body),
        )
    }

    /// `POST api/v1/client/cancel_deposit` `{"ref_id"}` (§3.2).
    pub fn cancel_deposit_request(&self, ref_id: &str) -> Result<HttpRequest, ProviderError> {
        validate_ref_id(ref_id)?;
        self.post(
            "deposit_qr.cancel_deposit",
            "api/v1/client/cancel_deposit",
            &self.signature("", ""),
            serde_json::json!({ "ref_id": ref_id }),
        )
    }

    /// `POST api/v1/client/resend_callback_for_transaction` `{"ref_id"}` (§3.3): asks for the
    /// latest terminal status to be sent to the callback URL again.
    pub fn resend_callback_request(&self, ref_id: &str) -> Result<HttpRequest, ProviderError> {
        validate_ref_id(ref_id)?;
        self.post(
            "deposit_qr.resend_callback",
            "api/v1/client/resend_callback_for_transaction",
            &self.signature("", ""),
            serde_json::json!({ "ref_id": ref_id }),
        )
    }
}

#[derive(Debug, Deserialize)]
struct CreateReply {
    status: Option<String>,
    ref_id: Option<WireScalar>,
    order_id: Option<WireScalar>,
    amount: Option<WireScalar>,
    qr_image: Option<String>,
    qr_image_link: Option<String>,
    expire_time: Option<String>,
}

/// The text of a FastAPI-style `detail` (a string, or a list of `{msg}`), else a snippet.
fn detail_text(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let detail = value.get("detail")?;
    Some(match detail {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|item| {
                let field = item
                    .get("loc")
                    .and_then(|loc| loc.as_array())
                    .map(|loc| {
                        loc.iter()
                            .map(|part| {
                                part.as_str()
                                    .map_or_else(|| part.to_string(), str::to_owned)
                            })
                            .collect::<Vec<_>>()
                            .join(".")
                    })
                    .unwrap_or_default();
                let message = item
                    .get("msg")
                    .and_then(|msg| msg.as_str())
                    .unwrap_or("invalid");
                if field.is_empty() {
                    message.to_owned()
                } else {
                    format!("{field}: {message}")
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    })
}

/// A 4xx with a readable `{"detail": …}` body is a definite refusal (§3.1); anything else
/// non-2xx is unknown.
fn classify_error(reply: &HttpReply) -> Result<Rejection, (UnknownReason, String)> {
    let status = reply.status;
    let retryable = status >= 500 || status == 408 || status == 429 || status < 400;
    let detail = if retryable {
        None
    } else {
        detail_text(&reply.body)
    };
    match detail {
        Some(message) => {
            let kind = match status {
                401 | 403 => RejectKind::Credentials,
                404 => RejectKind::NotFound,
                409 => RejectKind::InvalidReference,
                422 => RejectKind::Configuration,
                _ => RejectKind::Unclassified,
            };
            Ok(Rejection {
                code: format!("HTTP {status}"),
                kind,
                message,
            })
        }
        None => {
            let reason = if status >= 500 {
                UnknownReason::ServerError { status }
            } else {
                UnknownReason::UnexpectedStatus { status }
            };
            Err((
                reason,
                format!("HTTP {status} from Deposit-QR: {}", snippet(&reply.body)),
            ))
        }
    }
}

fn unknown(reason: UnknownReason, detail: String, next_step: QrNextStep) -> QrUnknown {
    QrUnknown {
        reason,
        detail,
        next_step,
        provider_ref: None,
    }
}

/// Reads the `create_deposit` reply (§3.1) for our `order_id` and `requested` amount.
/// `CREATED` with a `ref_id` and a readable `amount` is created (the amount shown is the
/// reply's, which may differ slightly from `requested`); a 4xx `detail` is a rejection;
/// everything else is unknown, settled by creating with a NEW order id (§8).
pub fn parse_create_deposit_reply(
    reply: &HttpReply,
    order_id: &str,
    requested: Satang,
) -> QrCreateOutcome {
    let next = QrNextStep::CreateWithNewReference;
    if !(200..300).contains(&reply.status) {
        return match classify_error(reply) {
            Ok(rejection) => QrCreateOutcome::Rejected(rejection),
            Err((reason, detail)) => QrCreateOutcome::Unknown(unknown(reason, detail, next)),
        };
    }
    let fields: CreateReply = match serde_json::from_slice(&reply.body) {
        Ok(fields) => fields,
        Err(_) => {
            return QrCreateOutcome::Unknown(unknown(
                UnknownReason::UnexpectedBody,
                format!("not a Deposit-QR JSON reply: {}", snippet(&reply.body)),
                next,
            ))
        }
    };
    if fields.status.as_deref() != Some("CREATED") {
        return QrCreateOutcome::Unknown(unknown(
            UnknownReason::UnknownCode {
                code: fields.status.unwrap_or_else(|| "(no status)".to_owned()),
            },
            format!("create_deposit reply: {}", snippet(&reply.body)),
            next,
        ));
    }
    if let Some(echo) = &fields.order_id {
        if echo.text() != order_id {
            return QrCreateOutcome::Unknown(unknown(
                UnknownReason::UnexpectedBody,
                format!("reply for order {:?}, not {order_id:?}", echo.text()),
                next,
            ));
        }
    }
    let ref_id = fields
        .ref_id
        .as_ref()
        .map(|id| id.text().trim().to_owned())
        .filter(|id| !id.is_empty());
    let amount = fields.amount.as_ref().and_then(WireScalar::satang);
    let (Some(ref_id), Some(amount)) = (ref_id, amount) else {
        return QrCreateOutcome::Unknown(unknown(
            UnknownReason::UnexpectedBody,
            "CREATED without a ref_id or a readable amount".to_owned(),
            next,
        ));
    };
    let expiry = match fields.expire_time {
        Some(raw) => match parse_datetime(&raw, BANGKOK_OFFSET) {
            Some(unix_seconds) => QrExpiry::At { unix_seconds, raw },
            None => QrExpiry::Unknown { raw: Some(raw) },
        },
        None => QrExpiry::Unknown { raw: None },
    };
    QrCreateOutcome::Created(QrCreated {
        reference: order_id.to_owned(),
        provider_ref: ref_id,
        requested,
        amount,
        display: QrDisplay {
            image_base64: fields.qr_image.filter(|image| !image.trim().is_empty()),
            image_url: fields.qr_image_link.filter(|url| !url.trim().is_empty()),
            link: None,
        },
        expiry,
        qr_check: None,
        amount_mismatch: None,
    })
}

/// Reads the `cancel_deposit` reply (§3.2): `is_cancel_success: true` is cancelled.
pub fn parse_cancel_deposit_reply(reply: &HttpReply) -> QrCancelOutcome {
    let next = QrNextStep::WaitForCallback;
    if !(200..300).contains(&reply.status) {
        return match classify_error(reply) {
            Ok(rejection) => QrCancelOutcome::Rejected(rejection),
            Err((reason, detail)) => QrCancelOutcome::Unknown(unknown(reason, detail, next)),
        };
    }
    let value: Option<serde_json::Value> = serde_json::from_slice(&reply.body).ok();
    match value
        .as_ref()
        .and_then(|value| value.get("is_cancel_success"))
    {
        Some(serde_json::Value::Bool(true)) => QrCancelOutcome::Cancelled,
        Some(serde_json::Value::Bool(false)) => QrCancelOutcome::Rejected(Rejection {
            code: "is_cancel_success=false".to_owned(),
            kind: RejectKind::Unclassified,
            message: "the provider did not cancel the deposit".to_owned(),
        }),
        _ => QrCancelOutcome::Unknown(unknown(
            UnknownReason::UnexpectedBody,
            format!("cancel_deposit reply: {}", snippet(&reply.body)),
            next,
        )),
    }
}

/// Reads the `resend_callback_for_transaction` reply (§3.3): `Ok` when accepted (the status
/// arrives by callback; the reply's own `status` is ambiguous and not interpreted).
pub fn parse_resend_callback_reply(reply: &HttpReply) -> Result<(), ProviderError> {
    if (200..300).contains(&reply.status) {
        return Ok(());
    }
    match classify_error(reply) {
        Ok(rejection) => Err(ProviderError::Rejected(rejection)),
        Err((_, detail)) => Err(ProviderError::UnexpectedReply(detail)),
    }
}

/// A Deposit-QR callback (§4). Unsigned: match it to the stored order before applying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepositCallback {
    /// `type` (`DEPOSIT`).
    pub kind: Option<String>,
    /// `status`: `PROCESSING`, `AUTO_SUCCESS`, `SUCCESS`, `FAILED` (§4), verbatim.
    pub status: String,
    /// `status_desc`, e.g. `DEPOSIT_MATCH`.
    pub status_desc: Option<String>,
    /// `amount` received, when readable.
    pub amount: Option<Satang>,
    /// `mdr_amount`: the fee, when readable.
    pub mdr_amount: Option<Satang>,
    /// `txn_ref_id` = the `ref_id`.
    pub ref_id: Option<String>,
    /// `txn_ref_order_id` = our `order_id` (the lookup key).
    pub order_id: String,
}

#[derive(Debug, Deserialize)]
struct CallbackWire {
    #[serde(rename = "type")]
    kind: Option<String>,
    status: Option<String>,
    status_desc: Option<String>,
    amount: Option<WireScalar>,
    mdr_amount: Option<WireScalar>,
    txn_ref_id: Option<WireScalar>,
    txn_ref_order_id: Option<WireScalar>,
}

/// Reads a callback body (JSON, §4). Only `DEPOSIT` callbacks are accepted.
pub fn parse_callback(body: &[u8]) -> Result<DepositCallback, QrCallbackError> {
    let wire: CallbackWire = serde_json::from_slice(body).map_err(|error| {
        QrCallbackError::Malformed(format!("not a Deposit-QR callback: {error}"))
    })?;
    if let Some(kind) = &wire.kind {
        if kind != "DEPOSIT" {
            return Err(QrCallbackError::Malformed(format!(
                "callback type {kind:?} is not DEPOSIT"
            )));
        }
    }
    let order_id = wire
        .txn_ref_order_id
        .map(|id| id.text().trim().to_owned())
        .filter(|id| !id.is_empty())
        .ok_or(QrCallbackError::MissingField("txn_ref_order_id"))?;
    let status = wire
        .status
        .map(|status| status.trim().to_owned())
        .filter(|status| !status.is_empty())
        .ok_or(QrCallbackError::MissingField("status"))?;
    Ok(DepositCallback {
        kind: wire.kind,
        status,
        status_desc: wire.status_desc,
        amount: wire.amount.as_ref().and_then(WireScalar::satang),
        mdr_amount: wire.mdr_amount.as_ref().and_then(WireScalar::satang),
        ref_id: wire
            .txn_ref_id
            .map(|id| id.text().trim().to_owned())
            .filter(|id| !id.is_empty()),
        order_id,
    })
}

impl DepositCallback {
    /// The status it reports (§4): `PROCESSING` pending; `AUTO_SUCCESS` and `SUCCESS` paid
    /// (both mean paid); `FAILED` failed; anything else unknown (not terminal).
    pub fn status(&self) -> QrPaymentStatus {
        match self.status.as_str() {
            "PROCESSING" => QrPaymentStatus::Pending {
                message: self.status_desc.clone(),
            },
            "AUTO_SUCCESS" | "SUCCESS" => match self.amount {
                Some(amount) => QrPaymentStatus::Paid(QrPaid {
                    reference: Some(self.order_id.clone()),
                    provider_ref: self.ref_id.clone(),
                    amount,
                    fee: self.mdr_amount,
                }),
                None => QrPaymentStatus::Unknown {
                    raw: format!("{} without a readable amount", self.status),
                },
            },
            "FAILED" => QrPaymentStatus::Failed {
                code: self.status_desc.clone(),
                message: "the deposit failed".to_owned(),
            },
            other => QrPaymentStatus::Unknown {
                raw: other.to_owned(),
            },
        }
    }

    /// The callback as an engine event.
    pub fn event(&self) -> QrCallbackEvent {
        QrCallbackEvent {
            reference: self.order_id.clone(),
            provider_ref: self.ref_id.clone(),
            status: self.status(),
        }
    }

    /// The sale this callback's order belongs to ([`sale_of`]).
    pub fn sale(&self) -> Option<&str> {
        sale_of(&self.order_id).map(|(sale, _)| sale)
    }
}

/// The answer to a callback once it is stored: `200 {"status":"ok"}` (§4: the expected
/// acknowledgement is \[U\]; public receivers answer 200).
pub fn acknowledge() -> CallbackReply {
    CallbackReply {
        status: 200,
        content_type: "application/json",
        body: r#"{"status":"ok"}"#.to_owned(),
    }
}
