//! wePAY requests and reply parsers: pure functions, no I/O.

use md5::{Digest, Md5};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use termdee_domain::Satang;
use url::Url;

use super::codes::{WepayCode, WepayCodeClass};
use super::wire::{
    WepayBalanceReply, WepayCatalogue, WepayEnvelope, WepayGetOutputReply, WepayOrderReply,
    WepayServiceInfo,
};
use crate::error::{CallbackError, ProviderError};
use crate::outcome::{
    Balance, CallbackReply, CatalogueEntry, NextStep, RefundOutcome, RejectKind, Rejection,
    TopupAccepted, TopupOutcome, TopupResult, TopupStatus, UnknownOutcome, UnknownReason,
};
use crate::transport::{Body, FormField, HttpReply, HttpRequest, Method};
use crate::wire::baht_to_satang;

/// The production base URL (wepay.md §1).
pub const WEPAY_PRODUCTION_URL: &str = "https://www.wepay.in.th/";

/// Endpoints and credentials of a wePAY account. `Debug` prints the password as `***`.
#[derive(Clone)]
pub struct WepayConfig {
    /// Base URL; the paths `client_api.json.php`, `comp_export.php` and
    /// `mtopup_refund_api.php` are joined to it. Default: [`WEPAY_PRODUCTION_URL`].
    pub base_url: Url,
    /// The wePAY username.
    pub username: String,
    /// The account password (hashed with MD5 for `password_hash`, §2). Debug prints `***`.
    pub password: SecretString,
    /// Set when `password` already holds the lowercase hex MD5 ("already MD5, do not hash
    /// again", §2).
    pub password_is_md5: bool,
    /// The `resp_url` sent with orders and refunds (§4.4, §7). Orders are refused before
    /// sending when it is not set.
    pub callback_url: Option<Url>,
}

impl std::fmt::Debug for WepayConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WepayConfig")
            .field("base_url", &self.base_url.as_str())
            .field("username", &self.username)
            .field("password", &"***")
            .field("password_is_md5", &self.password_is_md5)
            .field("callback_url", &self.callback_url.as_ref().map(Url::as_str))
            .finish()
    }
}

impl Default for WepayConfig {
    /// The production URL, empty credentials, no callback URL.
    fn default() -> Self {
        WepayConfig {
            base_url: production_url(WEPAY_PRODUCTION_URL),
            username: String::new(),
            password: SecretString::from(String::new()),
            password_is_md5: false,
            callback_url: None,
        }
    }
}

/// Parses one of this crate's constant URLs.
pub(crate) fn production_url(text: &str) -> Url {
    Url::parse(text).expect("the production URL constants are valid URLs")
}

/// A wePAY `mtopup` order (wepay.md §4.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WepayOrderRequest {
    /// Merchant reference: 1–20 ASCII letters and digits, unique forever per account. Persist it
    /// before sending.
    pub dest_ref: String,
    /// `pay_to_company`, e.g. `TRMV` (from the catalogue; `TMVH` is legacy).
    pub company: String,
    /// `pay_to_amount`, sent with exactly two decimals.
    pub amount: Satang,
    /// `pay_to_ref1`: the mobile number, 10 digits starting 06, 08 or 09.
    pub phone: String,
}

/// A wePAY refund request (wepay.md §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WepayRefundRequest {
    /// The original order's `transaction_id`.
    pub transaction_id: String,
    /// A new unique `dest_ref` for the refund request.
    pub dest_ref: String,
    /// The original `pay_to_company`.
    pub company: String,
}

/// Checks a `dest_ref`: 1–20 ASCII letters and digits (wepay.md §4.4, code `30006` otherwise).
///
/// Uniqueness cannot be checked here: the ledger's unique constraint owns it.
pub fn validate_dest_ref(dest_ref: &str) -> Result<(), ProviderError> {
    if dest_ref.is_empty() || dest_ref.len() > 20 {
        return Err(ProviderError::InvalidRequest(format!(
            "dest_ref {dest_ref:?} must be 1 to 20 letters and digits"
        )));
    }
    if !dest_ref.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ProviderError::InvalidRequest(format!(
            "dest_ref {dest_ref:?} may contain only letters A-Z, a-z and digits 0-9"
        )));
    }
    Ok(())
}

/// Checks a mobile number: 10 digits starting `06`, `08` or `09` (wepay.md §4.4).
pub fn validate_phone(phone: &str) -> Result<(), ProviderError> {
    let ok = phone.len() == 10
        && phone.bytes().all(|b| b.is_ascii_digit())
        && (phone.starts_with("06") || phone.starts_with("08") || phone.starts_with("09"));
    if ok {
        Ok(())
    } else {
        Err(ProviderError::InvalidRequest(format!(
            "phone {phone:?} must be 10 digits starting 06, 08 or 09"
        )))
    }
}

fn validate_id(name: &str, value: &str) -> Result<(), ProviderError> {
    if value.is_empty() || value.len() > 64 || !value.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ProviderError::InvalidRequest(format!(
            "{name} {value:?} must be 1 to 64 letters and digits"
        )));
    }
    Ok(())
}

/// Lowercase hex MD5 of a password, as `password_hash` (wepay.md §2).
pub fn md5_hex(password: &str) -> String {
    hex::encode(Md5::digest(password.as_bytes()))
}

/// Builds wePAY requests and parses its replies. Pure: no I/O anywhere.
#[derive(Debug, Clone)]
pub struct WepayApi {
    config: WepayConfig,
}

impl WepayApi {
    /// An API description for this account.
    pub fn new(config: WepayConfig) -> Self {
        WepayApi { config }
    }

    /// The configuration.
    pub fn config(&self) -> &WepayConfig {
        &self.config
    }

    fn url(&self, path: &str) -> Result<Url, ProviderError> {
        self.config
            .base_url
            .join(path)
            .map_err(|error| ProviderError::Config(format!("wePAY base URL: {error}")))
    }

    fn credentials(&self) -> Vec<FormField> {
        let hash = if self.config.password_is_md5 {
            self.config
                .password
                .expose_secret()
                .trim()
                .to_ascii_lowercase()
        } else {
            md5_hex(self.config.password.expose_secret())
        };
        vec![
            FormField::plain("username", self.config.username.clone()),
            FormField::secret("password_hash", SecretString::from(hash)),
        ]
    }

    fn client_api(
        &self,
        operation: &'static str,
        fields: Vec<FormField>,
    ) -> Result<HttpRequest, ProviderError> {
        let mut body = self.credentials();
        body.extend(fields);
        Ok(HttpRequest {
            operation,
            method: Method::Post,
            url: self.url("client_api.json.php")?,
            headers: vec![FormField::plain("accept", "application/json")],
            body: Body::Form(body),
        })
    }

    fn resp_url(&self) -> Result<String, ProviderError> {
        self.config
            .callback_url
            .as_ref()
            .map(|url| url.to_string())
            .ok_or_else(|| {
                ProviderError::Config("wePAY callback_url (resp_url) is not configured".to_owned())
            })
    }

    /// `type=balance_inquiry` (§4.1).
    pub fn balance_request(&self) -> Result<HttpRequest, ProviderError> {
        self.client_api(
            "wepay.balance",
            vec![FormField::plain("type", "balance_inquiry")],
        )
    }

    /// `type=mtopup&pay_to_company=<company>&payee_info=true` (§4.2).
    pub fn service_info_request(&self, company: &str) -> Result<HttpRequest, ProviderError> {
        validate_company(company)?;
        self.client_api(
            "wepay.payee_info",
            vec![
                FormField::plain("type", "mtopup"),
                FormField::plain("pay_to_company", company),
                FormField::plain("payee_info", "true"),
            ],
        )
    }

    /// `GET comp_export.php?json`, no authentication (§4.3).
    pub fn catalogue_request(&self) -> Result<HttpRequest, ProviderError> {
        let mut url = self.url("comp_export.php")?;
        url.set_query(Some("json"));
        Ok(HttpRequest {
            operation: "wepay.catalogue",
            method: Method::Get,
            url,
            headers: vec![FormField::plain("accept", "application/json")],
            body: Body::None,
        })
    }

    /// The `mtopup` order (§4.4), after validating `dest_ref`, phone, amount and company.
    pub fn order_request(&self, order: &WepayOrderRequest) -> Result<HttpRequest, ProviderError> {
        validate_dest_ref(&order.dest_ref)?;
        validate_phone(&order.phone)?;
        validate_company(&order.company)?;
        if order.amount.as_satang() <= 0 {
            return Err(ProviderError::InvalidRequest(format!(
                "amount {} must be positive",
                order.amount.to_baht_string()
            )));
        }
        let resp_url = self.resp_url()?;
        self.client_api(
            "wepay.order",
            vec![
                FormField::plain("type", "mtopup"),
                FormField::plain("dest_ref", order.dest_ref.clone()),
                FormField::plain("resp_url", resp_url),
                FormField::plain("pay_to_company", order.company.clone()),
                FormField::plain("pay_to_amount", order.amount.to_baht_string()),
                FormField::plain("pay_to_ref1", order.phone.clone()),
            ],
        )
    }

    /// `type=get_output&transaction_id=<id>` (§6).
    pub fn get_output_request(&self, transaction_id: &str) -> Result<HttpRequest, ProviderError> {
        validate_id("transaction_id", transaction_id)?;
        self.client_api(
            "wepay.get_output",
            vec![
                FormField::plain("type", "get_output"),
                FormField::plain("transaction_id", transaction_id),
            ],
        )
    }

    /// `POST mtopup_refund_api.php` (§7).
    pub fn refund_request(
        &self,
        refund: &WepayRefundRequest,
    ) -> Result<HttpRequest, ProviderError> {
        validate_id("transaction_id", &refund.transaction_id)?;
        validate_dest_ref(&refund.dest_ref)?;
        validate_company(&refund.company)?;
        let resp_url = self.resp_url()?;
        let mut body = self.credentials();
        body.extend([
            FormField::plain("transaction_id", refund.transaction_id.clone()),
            FormField::plain("dest_ref", refund.dest_ref.clone()),
            FormField::plain("pay_to_company", refund.company.clone()),
            FormField::plain("resp_url", resp_url),
        ]);
        Ok(HttpRequest {
            operation: "wepay.refund",
            method: Method::Post,
            url: self.url("mtopup_refund_api.php")?,
            headers: Vec::new(),
            body: Body::Form(body),
        })
    }
}

fn validate_company(company: &str) -> Result<(), ProviderError> {
    let ok = !company.is_empty()
        && company.len() <= 40
        && company
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ProviderError::InvalidRequest(format!(
            "company {company:?} is not a wePAY company_id"
        )))
    }
}

// ---------------------------------------------------------------------------------------------
// Reply parsing
// ---------------------------------------------------------------------------------------------

/// Why a reply could not be read as a wePAY JSON reply.
struct Unreadable {
    reason: UnknownReason,
    detail: String,
}

impl Unreadable {
    fn into_unknown(self, next_step: NextStep) -> UnknownOutcome {
        UnknownOutcome {
            reason: self.reason,
            detail: self.detail,
            next_step,
        }
    }

    fn into_error(self) -> ProviderError {
        ProviderError::UnexpectedReply(self.detail)
    }
}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(120)]);
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Reads the JSON envelope and the operation's fields, classifying HTTP-level trouble:
/// 5xx → unknown; HTML / non-JSON → unknown (the Cloudflare case, §2); a 4xx with a readable
/// `{code, desc}` body is still read (wepay-rs does the same, §2).
fn read_json<T: DeserializeOwned>(reply: &HttpReply) -> Result<(WepayCode, String, T), Unreadable> {
    if reply.status >= 500 {
        return Err(Unreadable {
            reason: UnknownReason::ServerError {
                status: reply.status,
            },
            detail: format!("HTTP {} from wePAY: {}", reply.status, snippet(&reply.body)),
        });
    }
    let unreadable = |what: &str| {
        let reason = if (200..300).contains(&reply.status) {
            UnknownReason::UnexpectedBody
        } else {
            UnknownReason::UnexpectedStatus {
                status: reply.status,
            }
        };
        Unreadable {
            reason,
            detail: format!("HTTP {}, {what}: {}", reply.status, snippet(&reply.body)),
        }
    };
    let envelope: WepayEnvelope =
        serde_json::from_slice(&reply.body).map_err(|_| unreadable("not a wePAY JSON reply"))?;
    let code = envelope
        .code
        .ok_or_else(|| unreadable("JSON without a code"))?;
    if !(200..300).contains(&reply.status) && code.text() == "00000" {
        return Err(unreadable("success code with an error status"));
    }
    let fields: T =
        serde_json::from_slice(&reply.body).map_err(|_| unreadable("malformed wePAY fields"))?;
    let message = envelope.desc.or(envelope.message).unwrap_or_default();
    Ok((WepayCode::parse(code.text()), message, fields))
}

fn rejection(code: &WepayCode, kind: RejectKind, message: String) -> Rejection {
    let message = if message.trim().is_empty() {
        code.description().to_owned()
    } else {
        message
    };
    Rejection {
        code: code.as_str().to_owned(),
        kind,
        message,
    }
}

/// A code met where it makes no sense (e.g. `30016` on a balance query).
fn out_of_place(code: &WepayCode, message: &str) -> ProviderError {
    ProviderError::UnexpectedReply(format!(
        "code {} ({}) {message}",
        code.as_str(),
        code.description()
    ))
}

/// Maps the code of a read-only call to an error, for every class but success.
fn read_error(code: &WepayCode, message: String) -> ProviderError {
    match code.class() {
        WepayCodeClass::Rejected(kind) => ProviderError::Rejected(rejection(code, kind, message)),
        WepayCodeClass::Success
        | WepayCodeClass::InProgress
        | WepayCodeClass::Duplicate
        | WepayCodeClass::Unknown(_) => out_of_place(code, &message),
    }
}

/// Reads the reply to an order (§4.4, §9). Never fails: every reply is an outcome, and anything
/// not understood is [`TopupOutcome::Unknown`] (resend the same `dest_ref` to settle it).
pub fn parse_order_reply(reply: &HttpReply, dest_ref: &str) -> TopupOutcome {
    let (code, message, fields) = match read_json::<WepayOrderReply>(reply) {
        Ok(read) => read,
        Err(unreadable) => {
            return TopupOutcome::Unknown(unreadable.into_unknown(NextStep::ResendSameReference))
        }
    };
    match code.class() {
        WepayCodeClass::Success => match fields.transaction_id {
            Some(id) if !id.text().trim().is_empty() => TopupOutcome::Accepted(TopupAccepted {
                provider_ref: id.text().trim().to_owned(),
                debited: fields.total_amount.and_then(|amount| amount.satang()),
                balance_after: fields.balance.and_then(|amount| amount.satang()),
                discount_raw: None,
            }),
            // Accepted but we cannot query it: the callback carries the transaction_id.
            _ => TopupOutcome::Unknown(UnknownOutcome {
                reason: UnknownReason::UnexpectedBody,
                detail: "00000 without a transaction_id".to_owned(),
                next_step: NextStep::WaitForCallback,
            }),
        },
        WepayCodeClass::Duplicate => TopupOutcome::AlreadyExists {
            reference: dest_ref.to_owned(),
        },
        WepayCodeClass::Rejected(kind) => TopupOutcome::Rejected(rejection(&code, kind, message)),
        // 30004 on an order is not documented: unknown, resend the same dest_ref.
        WepayCodeClass::InProgress => TopupOutcome::Unknown(UnknownOutcome {
            reason: UnknownReason::UnknownCode {
                code: code.as_str().to_owned(),
            },
            detail: format!("{} on an order", code.description()),
            next_step: NextStep::ResendSameReference,
        }),
        WepayCodeClass::Unknown(reason) => TopupOutcome::Unknown(UnknownOutcome {
            reason,
            detail: format!(
                "code {}: {}",
                code.as_str(),
                if message.is_empty() {
                    code.description()
                } else {
                    message.as_str()
                }
            ),
            next_step: NextStep::ResendSameReference,
        }),
    }
}

/// Reads the balance reply (§4.1): both balances accepted as string or number, exactly.
pub fn parse_balance_reply(reply: &HttpReply) -> Result<Balance, ProviderError> {
    let (code, message, fields) =
        read_json::<WepayBalanceReply>(reply).map_err(Unreadable::into_error)?;
    if code != WepayCode::Success {
        return Err(read_error(&code, message));
    }
    let ledger = fields
        .ledger_balance
        .as_ref()
        .and_then(|amount| amount.satang());
    let available = fields
        .available_balance
        .as_ref()
        .and_then(|amount| amount.satang())
        .or(ledger)
        .ok_or_else(|| {
            ProviderError::UnexpectedReply("balance reply without a readable balance".to_owned())
        })?;
    Ok(Balance { available, ledger })
}

/// Reads the `payee_info` reply (§4.2).
pub fn parse_service_info_reply(reply: &HttpReply) -> Result<WepayServiceInfo, ProviderError> {
    let (code, message, fields) =
        read_json::<WepayServiceInfo>(reply).map_err(Unreadable::into_error)?;
    if code != WepayCode::Success {
        return Err(read_error(&code, message));
    }
    Ok(fields)
}

/// Reads `comp_export.php?json` (§4.3) into the `mtopup` companies. Prices that are not exact
/// baht amounts are left out (they cannot be ordered exactly).
pub fn parse_catalogue_reply(reply: &HttpReply) -> Result<Vec<CatalogueEntry>, ProviderError> {
    if !(200..300).contains(&reply.status) {
        return Err(ProviderError::UnexpectedReply(format!(
            "HTTP {} for the catalogue: {}",
            reply.status,
            snippet(&reply.body)
        )));
    }
    let catalogue: WepayCatalogue = serde_json::from_slice(&reply.body).map_err(|error| {
        ProviderError::UnexpectedReply(format!("catalogue is not the expected JSON: {error}"))
    })?;
    Ok(catalogue
        .data
        .mtopup
        .into_iter()
        .map(|company| CatalogueEntry {
            product: company.company_id.text().to_owned(),
            name: company.company_name.unwrap_or_default(),
            min: company.minimum_amount.and_then(|amount| amount.satang()),
            max: company.maximum_amount.and_then(|amount| amount.satang()),
            denominations: company
                .denomination
                .iter()
                .filter_map(|denomination| denomination.price.satang())
                .collect(),
            refundable: company.refundable,
        })
        .collect())
}

/// Reads the `get_output` reply (§6): `00000` with `output` → the callback fields' status;
/// `30004` → pending; other codes → an error (the query failed, not the top-up).
pub fn parse_get_output_reply(reply: &HttpReply) -> Result<TopupStatus, ProviderError> {
    let (code, message, fields) =
        read_json::<WepayGetOutputReply>(reply).map_err(Unreadable::into_error)?;
    match code.class() {
        WepayCodeClass::Success => {
            let output = fields.output.ok_or_else(|| {
                ProviderError::UnexpectedReply("get_output 00000 without output".to_owned())
            })?;
            Ok(WepayResultFields::from_pairs(form_pairs(output.as_bytes())).topup_status())
        }
        // §6: "30004 transaction ID is being processed" = still pending [I].
        WepayCodeClass::InProgress => Ok(TopupStatus::Pending),
        WepayCodeClass::Rejected(_) | WepayCodeClass::Duplicate | WepayCodeClass::Unknown(_) => {
            Err(read_error(&code, message))
        }
    }
}

/// Reads the refund reply (§7): plain text `SUCCEED|RID=<id>` or `ERROR|<message>`. A JSON
/// envelope (e.g. `20005` from the IP check) is read with the code table; anything else is unknown.
pub fn parse_refund_reply(reply: &HttpReply) -> RefundOutcome {
    let unknown = |reason, detail| {
        RefundOutcome::Unknown(UnknownOutcome {
            reason,
            detail,
            next_step: NextStep::ResendSameReference,
        })
    };
    if reply.status >= 500 {
        return unknown(
            UnknownReason::ServerError {
                status: reply.status,
            },
            format!("HTTP {} from wePAY refund", reply.status),
        );
    }
    let text = String::from_utf8_lossy(&reply.body);
    let text = text.trim_start_matches('\u{feff}').trim();
    if (200..300).contains(&reply.status) {
        if let Some(rest) = text.strip_prefix("SUCCEED|") {
            let refund_id = rest
                .strip_prefix("RID=")
                .map(|id| id.trim().to_owned())
                .filter(|id| !id.is_empty());
            return RefundOutcome::Accepted { refund_id };
        }
        if let Some(message) = text.strip_prefix("ERROR|") {
            return RefundOutcome::Rejected(Rejection {
                code: "ERROR".to_owned(),
                kind: RejectKind::Unclassified,
                message: message.to_owned(),
            });
        }
    }
    if text.starts_with('{') {
        if let Ok((code, message, _)) = read_json::<serde::de::IgnoredAny>(reply) {
            return match code.class() {
                WepayCodeClass::Rejected(kind) => {
                    RefundOutcome::Rejected(rejection(&code, kind, message))
                }
                WepayCodeClass::Unknown(reason) => {
                    unknown(reason, format!("code {} on refund", code.as_str()))
                }
                WepayCodeClass::Success
                | WepayCodeClass::InProgress
                | WepayCodeClass::Duplicate => unknown(
                    UnknownReason::UnknownCode {
                        code: code.as_str().to_owned(),
                    },
                    format!("code {} on refund", code.as_str()),
                ),
            };
        }
    }
    let reason = if (200..300).contains(&reply.status) {
        UnknownReason::UnexpectedBody
    } else {
        UnknownReason::UnexpectedStatus {
            status: reply.status,
        }
    };
    unknown(
        reason,
        format!("unexpected refund reply: {}", snippet(&reply.body)),
    )
}

// ---------------------------------------------------------------------------------------------
// Callbacks (§5, §7)
// ---------------------------------------------------------------------------------------------

/// The value of `status` in a callback or `get_output` (§5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WepayResultStatus {
    /// `2`: success (§5 \[D\]).
    Succeeded,
    /// `4`: failed, money returned to the wePAY wallet (§5 \[D\]).
    Failed,
    /// Anything else: not documented; public clients treat it as still processing (§5 \[C\]).
    Other(String),
}

impl WepayResultStatus {
    /// Reads the status field.
    pub fn parse(status: &str) -> Self {
        match status.trim() {
            "2" => WepayResultStatus::Succeeded, // §5 [D]
            "4" => WepayResultStatus::Failed,    // §5 [D]
            other => WepayResultStatus::Other(other.to_owned()),
        }
    }
}

/// The fields of a result (callback body or `get_output`'s `output`), all optional as received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WepayResultFields {
    /// Our reference.
    pub dest_ref: Option<String>,
    /// wePAY transaction id.
    pub transaction_id: Option<String>,
    /// `2` / `4` / other.
    pub status: Option<String>,
    /// Operator message, verbatim.
    pub sms: Option<String>,
    /// Operator-side transaction id.
    pub operator_trxnsid: Option<String>,
    /// Refund id (refund callbacks, §7).
    pub refund_id: Option<String>,
    /// Amount clawed back (refund callbacks, §7).
    pub drawn_amount: Option<String>,
}

impl WepayResultFields {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut fields = WepayResultFields::default();
        for (name, value) in pairs {
            let slot = match name.as_str() {
                "dest_ref" => &mut fields.dest_ref,
                "transaction_id" => &mut fields.transaction_id,
                "status" => &mut fields.status,
                "sms" => &mut fields.sms,
                "operator_trxnsid" => &mut fields.operator_trxnsid,
                "refund_id" => &mut fields.refund_id,
                "drawn_amount" => &mut fields.drawn_amount,
                // cashcard_ref1/2 (PINs) and unknown fields are not kept.
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(value);
            }
        }
        fields
    }

    /// The top-up status these fields describe.
    pub fn topup_status(&self) -> TopupStatus {
        let result = TopupResult {
            provider_ref: self.transaction_id.clone(),
            reference: self.dest_ref.clone(),
            operator_ref: self.operator_trxnsid.clone(),
            message: self.sms.clone(),
            amount_raw: None,
        };
        match self.status.as_deref().map(WepayResultStatus::parse) {
            Some(WepayResultStatus::Succeeded) => TopupStatus::Succeeded(result),
            Some(WepayResultStatus::Failed) => TopupStatus::Failed(result),
            Some(WepayResultStatus::Other(raw)) => TopupStatus::Unknown {
                raw: format!("status={raw}"),
            },
            None => TopupStatus::Unknown {
                raw: "no status".to_owned(),
            },
        }
    }
}

/// A top-up result pushed to `resp_url` (§5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WepayTopupCallback {
    /// Our reference.
    pub dest_ref: String,
    /// wePAY transaction id.
    pub transaction_id: String,
    /// The result.
    pub status: WepayResultStatus,
    /// All fields as received.
    pub fields: WepayResultFields,
}

/// A refund result pushed to the refund's `resp_url` (§7; fields from one client \[C\]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WepayRefundCallback {
    /// The refund request's reference.
    pub dest_ref: String,
    /// The original transaction id, if sent.
    pub transaction_id: Option<String>,
    /// wePAY's refund id.
    pub refund_id: String,
    /// The amount actually clawed back, when readable exactly.
    pub drawn_amount: Option<Satang>,
    /// All fields as received.
    pub fields: WepayResultFields,
}

/// A callback from wePAY. Unsigned (§5): a hint until confirmed by `get_output`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WepayCallback {
    /// A top-up result.
    Topup(WepayTopupCallback),
    /// A refund result.
    Refund(WepayRefundCallback),
}

impl WepayCallback {
    /// The `dest_ref` to acknowledge.
    pub fn dest_ref(&self) -> &str {
        match self {
            WepayCallback::Topup(callback) => &callback.dest_ref,
            WepayCallback::Refund(callback) => &callback.dest_ref,
        }
    }
}

fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn json_pairs(body: &[u8]) -> Result<Vec<(String, String)>, CallbackError> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|error| CallbackError::Malformed(format!("JSON: {error}")))?;
    let object = value
        .as_object()
        .ok_or_else(|| CallbackError::Malformed("JSON callback is not an object".to_owned()))?;
    Ok(object
        .iter()
        .filter_map(|(name, value)| {
            let text = match value {
                serde_json::Value::String(text) => text.clone(),
                serde_json::Value::Number(number) => number.to_string(),
                serde_json::Value::Bool(flag) => flag.to_string(),
                serde_json::Value::Null
                | serde_json::Value::Array(_)
                | serde_json::Value::Object(_) => return None,
            };
            Some((name.clone(), text))
        })
        .collect())
}

/// Reads a callback body (§5): urlencoded as documented, JSON tolerated. Multipart is not
/// supported (wePAY documents urlencoded; the caller can decode multipart into pairs and use
/// [`parse_callback_pairs`]).
pub fn parse_callback(
    content_type: Option<&str>,
    body: &[u8],
) -> Result<WepayCallback, CallbackError> {
    let content_type = content_type.unwrap_or("").to_ascii_lowercase();
    if content_type.starts_with("multipart/") {
        return Err(CallbackError::Malformed(
            "multipart callbacks are not supported".to_owned(),
        ));
    }
    let looks_like_json = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let pairs = if content_type.contains("json") || looks_like_json {
        json_pairs(body)?
    } else {
        form_pairs(body)
    };
    parse_callback_pairs(pairs)
}

/// Reads a callback from already-decoded name/value pairs (first occurrence of a name wins).
pub fn parse_callback_pairs(pairs: Vec<(String, String)>) -> Result<WepayCallback, CallbackError> {
    let fields = WepayResultFields::from_pairs(pairs);
    let required = |value: &Option<String>, name: &'static str| {
        value
            .as_ref()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .ok_or(CallbackError::MissingField(name))
    };
    let dest_ref = required(&fields.dest_ref, "dest_ref")?;
    if let Some(refund_id) = fields.refund_id.as_ref().filter(|id| !id.trim().is_empty()) {
        return Ok(WepayCallback::Refund(WepayRefundCallback {
            dest_ref,
            transaction_id: fields.transaction_id.clone(),
            refund_id: refund_id.trim().to_owned(),
            drawn_amount: fields.drawn_amount.as_deref().and_then(baht_to_satang),
            fields,
        }));
    }
    let transaction_id = required(&fields.transaction_id, "transaction_id")?;
    let status = WepayResultStatus::parse(&required(&fields.status, "status")?);
    Ok(WepayCallback::Topup(WepayTopupCallback {
        dest_ref,
        transaction_id,
        status,
        fields,
    }))
}

fn one_line(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

/// The acknowledgement wePAY expects once the callback is durably stored (§5 \[D\]):
/// exactly `SUCCEED|ORDER_ID=<dest_ref>`, `text/plain`, HTTP 200.
pub fn acknowledge(dest_ref: &str) -> CallbackReply {
    CallbackReply {
        status: 200,
        content_type: "text/plain",
        body: format!("SUCCEED|ORDER_ID={}", one_line(dest_ref)),
    }
}

/// The answer when the callback could not be stored, so that wePAY re-sends (§5, §9.5):
/// `ERROR|<REASON>`, e.g. `ERROR|DB_ERROR`.
pub fn refuse(reason: &str) -> CallbackReply {
    CallbackReply {
        status: 200,
        content_type: "text/plain",
        body: format!("ERROR|{}", one_line(reason).replace('|', "/")),
    }
}
