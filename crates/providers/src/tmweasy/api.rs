//! Tmweasy requests and reply parsers: pure functions, no I/O.

use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;
use termdee_domain::Satang;
use url::Url;

use crate::error::ProviderError;
use crate::outcome::{RejectKind, Rejection, UnknownReason};
use crate::payments::{
    read_json, Countdown, QrCancelOutcome, QrCreateOutcome, QrCreated, QrDisplay, QrExpiry,
    QrNextStep, QrPaid, QrPaymentStatus, QrUnknown,
};
use crate::transport::{Body, FormField, HttpReply, HttpRequest, Method};
use crate::wire::{baht_to_satang, WireScalar};

/// The production endpoint (tmweasy.md §1).
pub const TMWEASY_PRODUCTION_URL: &str = "https://tmwallet.thaighost.net/api_mn.php";

/// A Tmweasy account. `Debug` prints the password and `con_id` as `***`.
#[derive(Clone)]
pub struct TmweasyConfig {
    /// The FULL endpoint URL. Default: [`TMWEASY_PRODUCTION_URL`].
    pub endpoint: Url,
    /// The Tmweasy login (`username`, §2).
    pub username: String,
    /// The password: it travels in the URL (§2), masked in every log.
    pub password: SecretString,
    /// The Mae Manee connection id (`con_id`, §2), masked in logs too.
    pub con_id: SecretString,
    /// The customer's IP sent as `ip` on `confirm` (§3.3); a kiosk sends its own public IP.
    pub customer_ip: String,
}

impl std::fmt::Debug for TmweasyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TmweasyConfig")
            .field("endpoint", &self.endpoint.as_str())
            .field("username", &self.username)
            .field("password", &"***")
            .field("con_id", &"***")
            .field("customer_ip", &self.customer_ip)
            .finish()
    }
}

impl Default for TmweasyConfig {
    /// The production endpoint, empty credentials, `customer_ip` `127.0.0.1`.
    fn default() -> Self {
        TmweasyConfig {
            endpoint: crate::wepay::api::production_url(TMWEASY_PRODUCTION_URL),
            username: String::new(),
            password: SecretString::from(String::new()),
            con_id: SecretString::from(String::new()),
            customer_ip: "127.0.0.1".to_owned(),
        }
    }
}

/// The bill as `detail_pay` describes it (§3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TmweasyBill {
    /// `id_pay`.
    pub id_pay: String,
    /// `ref1` as echoed.
    pub ref1: Option<String>,
    /// `amount`: what the customer must transfer.
    pub amount: Option<Satang>,
    /// `urlpay`: the Mae Manee bill page.
    pub urlpay: Option<String>,
    /// `time_out`: seconds remaining when the reply was made (negative = expired).
    pub time_out: Option<i64>,
    /// `qr_base64_image` (or the sibling spelling `qr_image_base64`, §1).
    pub qr_base64_image: Option<String>,
}

impl TmweasyBill {
    /// The offer to show, for our `reference` and the `requested` amount. The amount shown is
    /// the bill's own (`requested` when the bill has none).
    pub fn into_created(self, reference: &str, requested: Satang) -> QrCreated {
        let expiry = match self.time_out {
            Some(seconds) => QrExpiry::Remaining { seconds },
            None => QrExpiry::Unknown { raw: None },
        };
        QrCreated {
            reference: reference.to_owned(),
            provider_ref: self.id_pay,
            requested,
            amount: self.amount.unwrap_or(requested),
            display: QrDisplay {
                image_base64: self.qr_base64_image,
                image_url: None,
                link: self.urlpay,
            },
            expiry,
            qr_check: None,
            amount_mismatch: None,
        }
    }

    /// A countdown from `time_out`, read at the monotonic `observed_at`.
    pub fn countdown(&self, observed_at: Duration) -> Option<Countdown> {
        self.time_out
            .map(|seconds| Countdown::from_remaining(seconds, observed_at))
    }
}

/// Builds Tmweasy requests. Pure: no I/O.
#[derive(Debug, Clone)]
pub struct TmweasyApi {
    config: TmweasyConfig,
}

fn validate_id_pay(id_pay: &str) -> Result<(), ProviderError> {
    if id_pay.is_empty() || id_pay.len() > 64 || !id_pay.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(ProviderError::InvalidRequest(format!(
            "id_pay {id_pay:?} must be 1 to 64 letters and digits"
        )));
    }
    Ok(())
}

impl TmweasyApi {
    /// An API description for this account.
    pub fn new(config: TmweasyConfig) -> Self {
        TmweasyApi { config }
    }

    /// The configuration.
    pub fn config(&self) -> &TmweasyConfig {
        &self.config
    }

    /// `GET <endpoint>?username=&password=&con_id=&method=<method>&<fields>` (§2).
    fn request(
        &self,
        operation: &'static str,
        method: &str,
        fields: Vec<FormField>,
    ) -> HttpRequest {
        let mut query = vec![
            FormField::plain("username", self.config.username.clone()),
            FormField::secret("password", self.config.password.clone()),
            FormField::secret("con_id", self.config.con_id.clone()),
            FormField::plain("method", method),
        ];
        query.extend(fields);
        HttpRequest {
            operation,
            method: Method::Get,
            url: self.config.endpoint.clone(),
            headers: vec![FormField::plain("accept", "application/json")],
            body: Body::Query(query),
        }
    }

    /// `method=create_pay&amount=<whole baht>&ref1=<reference>` (§3.1). A satang amount
    /// (e.g. 50.50) or a non-positive one is refused before sending: the API takes whole baht
    /// only ("จำนวนเต็มไม่มีทศนิยม").
    pub fn create_pay_request(
        &self,
        reference: &str,
        amount: Satang,
    ) -> Result<HttpRequest, ProviderError> {
        if amount.as_satang() <= 0 {
            return Err(ProviderError::InvalidRequest(format!(
                "amount {} must be positive",
                amount.to_baht_string()
            )));
        }
        if !amount.is_whole_baht() {
            return Err(ProviderError::InvalidRequest(format!(
                "Tmweasy takes whole baht only (tmweasy.md §3.1): {} has satang",
                amount.to_baht_string()
            )));
        }
        let reference = reference.trim();
        if reference.is_empty() || reference.chars().count() > 100 {
            return Err(ProviderError::InvalidRequest(
                "ref1 must be 1 to 100 characters".to_owned(),
            ));
        }
        Ok(self.request(
            "tmweasy.create_pay",
            "create_pay",
            vec![
                FormField::plain("amount", (amount.as_satang() / 100).to_string()),
                FormField::plain("ref1", reference),
            ],
        ))
    }

    /// `method=detail_pay&id_pay=<id>&qr=1` (§3.2): always asks for the QR image.
    pub fn detail_pay_request(&self, id_pay: &str) -> Result<HttpRequest, ProviderError> {
        validate_id_pay(id_pay)?;
        Ok(self.request(
            "tmweasy.detail_pay",
            "detail_pay",
            vec![
                FormField::plain("id_pay", id_pay),
                FormField::plain("qr", "1"),
            ],
        ))
    }

    /// `method=confirm&id_pay=<id>&ip=<customer_ip>` (§3.3): the polling primitive.
    pub fn confirm_request(&self, id_pay: &str) -> Result<HttpRequest, ProviderError> {
        validate_id_pay(id_pay)?;
        Ok(self.request(
            "tmweasy.confirm",
            "confirm",
            vec![
                FormField::plain("id_pay", id_pay),
                FormField::plain("ip", self.config.customer_ip.clone()),
            ],
        ))
    }

    /// `method=cancel&id_pay=<id>` (§3.4), only once the bill has expired at `now` (monotonic):
    /// "allowed only when `time_out` has gone negative". Before that it is refused with
    /// [`ProviderError::InvalidRequest`] and nothing is sent.
    pub fn cancel_request(
        &self,
        id_pay: &str,
        countdown: &Countdown,
        now: Duration,
    ) -> Result<HttpRequest, ProviderError> {
        validate_id_pay(id_pay)?;
        if !countdown.is_expired(now) {
            return Err(ProviderError::InvalidRequest(format!(
                "Tmweasy bill {id_pay} cannot be cancelled before it expires ({} s left; tmweasy.md §3.4)",
                countdown.remaining_seconds(now)
            )));
        }
        Ok(self.request(
            "tmweasy.cancel",
            "cancel",
            vec![FormField::plain("id_pay", id_pay)],
        ))
    }
}

/// Every field any `api_mn` reply carries (§3), all optional, scalars as exact text.
#[derive(Debug, Deserialize)]
struct TmweasyReply {
    status: Option<WireScalar>,
    msg: Option<WireScalar>,
    id_pay: Option<WireScalar>,
    ref1: Option<WireScalar>,
    amount: Option<WireScalar>,
    urlpay: Option<String>,
    time_out: Option<WireScalar>,
    qr_base64_image: Option<String>,
    /// The sibling APIs' spelling (§1, §3.2): accepted too.
    qr_image_base64: Option<String>,
}

/// The `status` field: 1 or 0, as a number or a string, or anything numerically equal (§2).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Status {
    Success,
    Error,
    Other(String),
}

impl TmweasyReply {
    fn status(&self) -> Status {
        let Some(status) = &self.status else {
            return Status::Other("(no status)".to_owned());
        };
        match baht_to_satang(status.text()).map(Satang::as_satang) {
            Some(100) => Status::Success,
            Some(0) => Status::Error,
            _ => Status::Other(status.text().to_owned()),
        }
    }

    fn message(&self) -> String {
        self.msg
            .as_ref()
            .map(|msg| msg.text().to_owned())
            .unwrap_or_default()
    }

    fn rejection(&self) -> Rejection {
        Rejection {
            code: "status=0".to_owned(),
            kind: RejectKind::Unclassified,
            message: self.message(),
        }
    }
}

fn text(scalar: &Option<WireScalar>) -> Option<String> {
    scalar
        .as_ref()
        .map(|value| value.text().trim().to_owned())
        .filter(|value| !value.is_empty())
}

fn read(reply: &HttpReply) -> Result<TmweasyReply, crate::payments::Unreadable> {
    read_json(reply, "Tmweasy")
}

/// Reads the `create_pay` reply (§3.1). Never fails: anything not understood is unknown, and
/// the unknown is settled by creating again ([`QrNextStep::CreateAgain`], §6). The outcome's
/// display and expiry are empty: `detail_pay` fills them.
pub fn parse_create_pay_reply(
    reply: &HttpReply,
    reference: &str,
    requested: Satang,
) -> QrCreateOutcome {
    let fields = match read(reply) {
        Ok(fields) => fields,
        Err(unreadable) => {
            return QrCreateOutcome::Unknown(unreadable.into_unknown(QrNextStep::CreateAgain))
        }
    };
    match fields.status() {
        Status::Success => match text(&fields.id_pay) {
            Some(id_pay) => QrCreateOutcome::Created(QrCreated {
                reference: reference.to_owned(),
                provider_ref: id_pay,
                requested,
                amount: requested,
                display: QrDisplay::default(),
                expiry: QrExpiry::Unknown { raw: None },
                qr_check: None,
                amount_mismatch: None,
            }),
            None => QrCreateOutcome::Unknown(QrUnknown {
                reason: UnknownReason::UnexpectedBody,
                detail: "status=1 without an id_pay".to_owned(),
                next_step: QrNextStep::CreateAgain,
                provider_ref: None,
            }),
        },
        Status::Error => QrCreateOutcome::Rejected(fields.rejection()),
        Status::Other(raw) => QrCreateOutcome::Unknown(QrUnknown {
            reason: UnknownReason::UnknownCode { code: raw },
            detail: fields.message(),
            next_step: QrNextStep::CreateAgain,
            provider_ref: None,
        }),
    }
}

/// Reads the `detail_pay` reply (§3.2) for `id_pay`.
pub fn parse_detail_pay_reply(
    reply: &HttpReply,
    id_pay: &str,
) -> Result<TmweasyBill, ProviderError> {
    let fields = read(reply).map_err(crate::payments::Unreadable::into_error)?;
    match fields.status() {
        Status::Success => {}
        Status::Error => return Err(ProviderError::Rejected(fields.rejection())),
        Status::Other(raw) => {
            return Err(ProviderError::UnexpectedReply(format!(
                "detail_pay status {raw:?}"
            )))
        }
    }
    let time_out = match &fields.time_out {
        None => None,
        Some(value) => Some(value.text().trim().parse::<i64>().map_err(|_| {
            ProviderError::UnexpectedReply(format!(
                "time_out {:?} is not whole seconds",
                value.text()
            ))
        })?),
    };
    let amount = match &fields.amount {
        None => None,
        Some(value) => Some(value.satang().ok_or_else(|| {
            ProviderError::UnexpectedReply(format!("amount {:?} is not baht", value.text()))
        })?),
    };
    let image = fields
        .qr_base64_image
        .or(fields.qr_image_base64)
        .filter(|image| !image.trim().is_empty());
    Ok(TmweasyBill {
        id_pay: text(&fields.id_pay).unwrap_or_else(|| id_pay.to_owned()),
        ref1: text(&fields.ref1),
        amount,
        urlpay: fields.urlpay.filter(|url| !url.trim().is_empty()),
        time_out,
        qr_base64_image: image,
    })
}

/// Reads the `confirm` reply (§3.3): `status=1` is paid with `amount`; `status=0` is
/// [`QrPaymentStatus::Pending`] ("not yet found, expired or an error": no code tells them
/// apart, so keep polling until the countdown and its grace period are over). HTML, 5xx or
/// malformed replies are `Err` (safe to ask again).
pub fn parse_confirm_reply(
    reply: &HttpReply,
    id_pay: &str,
) -> Result<QrPaymentStatus, ProviderError> {
    let fields = read(reply).map_err(crate::payments::Unreadable::into_error)?;
    Ok(match fields.status() {
        Status::Success => match fields.amount.as_ref().and_then(WireScalar::satang) {
            Some(amount) => QrPaymentStatus::Paid(QrPaid {
                reference: text(&fields.ref1),
                provider_ref: Some(text(&fields.id_pay).unwrap_or_else(|| id_pay.to_owned())),
                amount,
                fee: None,
            }),
            None => QrPaymentStatus::Unknown {
                raw: format!(
                    "status=1 without a readable amount ({:?})",
                    fields.amount.as_ref().map(WireScalar::text)
                ),
            },
        },
        Status::Error => QrPaymentStatus::Pending {
            message: Some(fields.message()).filter(|m| !m.is_empty()),
        },
        Status::Other(raw) => QrPaymentStatus::Unknown {
            raw: format!("status {raw:?}"),
        },
    })
}

/// Reads the `cancel` reply (§3.4).
pub fn parse_cancel_reply(reply: &HttpReply) -> QrCancelOutcome {
    let fields = match read(reply) {
        Ok(fields) => fields,
        Err(unreadable) => {
            return QrCancelOutcome::Unknown(unreadable.into_unknown(QrNextStep::QueryStatus))
        }
    };
    match fields.status() {
        Status::Success => QrCancelOutcome::Cancelled,
        Status::Error => QrCancelOutcome::Rejected(fields.rejection()),
        Status::Other(raw) => QrCancelOutcome::Unknown(QrUnknown {
            reason: UnknownReason::UnknownCode { code: raw },
            detail: fields.message(),
            next_step: QrNextStep::QueryStatus,
            provider_ref: None,
        }),
    }
}
