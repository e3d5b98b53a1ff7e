//! Easysoft requests and reply parsers: pure functions, no I/O.

use secrecy::SecretString;
use termdee_domain::Satang;
use url::Url;

use super::wire::EasysoftReply;
use crate::error::{CallbackError, ProviderError};
use crate::outcome::{
    Balance, CallbackReply, CatalogueEntry, NetworkAvailability, NextStep, RefundOutcome,
    RejectKind, Rejection, TopupAccepted, TopupOutcome, TopupResult, TopupStatus, UnknownOutcome,
    UnknownReason,
};
use crate::transport::{Body, FormField, HttpReply, HttpRequest, Method};
use crate::wepay::api::production_url;
use crate::wire::baht_to_satang;

/// The production endpoint used by the doc's sample code and public clients (easysoft.md §1).
/// The doc table also names `https://easysoft.in.th/topup/api/v2.php`; the real one is issued
/// after KYC, so it is configurable.
pub const EASYSOFT_PRODUCTION_URL: &str = "https://api.easysoft.in.th/topup/v2.php";

/// The "test" endpoint. It performs REAL top-ups (easysoft.md §1); never a sandbox.
pub const EASYSOFT_TEST_URL_REAL_MONEY: &str = "https://easysoft.in.th/topup/api/v2test.php";

/// Endpoint and credentials of an Easysoft account. `Debug` prints the password as `***`.
#[derive(Clone)]
pub struct EasysoftConfig {
    /// The full endpoint URL (one URL for every operation). Default: [`EASYSOFT_PRODUCTION_URL`].
    pub endpoint: Url,
    /// The username.
    pub username: String,
    /// The password, sent in plain text in every request (§1). Debug prints `***`.
    pub password: SecretString,
    /// The default `users` value: the operator / kiosk id for per-machine reports (§3.1).
    /// `None` lets Easysoft use the username.
    pub users: Option<String>,
}

impl std::fmt::Debug for EasysoftConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EasysoftConfig")
            .field("endpoint", &self.endpoint.as_str())
            .field("username", &self.username)
            .field("password", &"***")
            .field("users", &self.users)
            .finish()
    }
}

impl Default for EasysoftConfig {
    /// The production URL, empty credentials, no `users`.
    fn default() -> Self {
        EasysoftConfig {
            endpoint: production_url(EASYSOFT_PRODUCTION_URL),
            username: String::new(),
            password: SecretString::from(String::new()),
            users: None,
        }
    }
}

/// The Easysoft `network` numbers (§3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EasysoftNetwork {
    /// 1 = AIS
    Ais,
    /// 2 = DTAC
    Dtac,
    /// 3 = TRUE H (TrueMove H)
    TrueH,
    /// 4 = TOT 3G
    Tot,
    /// 5 = MY by CAT
    My,
    /// 6 = FEELS
    Feels,
    /// 7 = PENGUIN
    Penguin,
}

impl EasysoftNetwork {
    /// Every network, in number order.
    pub const ALL: [EasysoftNetwork; 7] = [
        EasysoftNetwork::Ais,
        EasysoftNetwork::Dtac,
        EasysoftNetwork::TrueH,
        EasysoftNetwork::Tot,
        EasysoftNetwork::My,
        EasysoftNetwork::Feels,
        EasysoftNetwork::Penguin,
    ];

    /// The `network` number (§3.1).
    pub fn number(self) -> u8 {
        match self {
            EasysoftNetwork::Ais => 1,
            EasysoftNetwork::Dtac => 2,
            EasysoftNetwork::TrueH => 3,
            EasysoftNetwork::Tot => 4,
            EasysoftNetwork::My => 5,
            EasysoftNetwork::Feels => 6,
            EasysoftNetwork::Penguin => 7,
        }
    }

    /// The display name as in the doc (§3.1).
    pub fn name(self) -> &'static str {
        match self {
            EasysoftNetwork::Ais => "AIS",
            EasysoftNetwork::Dtac => "DTAC",
            EasysoftNetwork::TrueH => "TRUE H",
            EasysoftNetwork::Tot => "TOT 3G",
            EasysoftNetwork::My => "MY by CAT",
            EasysoftNetwork::Feels => "FEELS",
            EasysoftNetwork::Penguin => "PENGUIN",
        }
    }

    /// A network from its number (`1`–`7`) or its status element name (`AIS`, `DTAC`, `TRUE`,
    /// `TOT`, `MY`, `FEELS`, `PENGUIN`, any case).
    pub fn parse(product: &str) -> Option<Self> {
        match product.trim().to_ascii_uppercase().as_str() {
            "1" | "AIS" => Some(EasysoftNetwork::Ais),
            "2" | "DTAC" => Some(EasysoftNetwork::Dtac),
            "3" | "TRUE" | "TRUE H" | "TRUEH" => Some(EasysoftNetwork::TrueH),
            "4" | "TOT" | "TOT 3G" => Some(EasysoftNetwork::Tot),
            "5" | "MY" | "MY BY CAT" => Some(EasysoftNetwork::My),
            "6" | "FEELS" => Some(EasysoftNetwork::Feels),
            "7" | "PENGUIN" => Some(EasysoftNetwork::Penguin),
            _ => None,
        }
    }

    fn status_of(self, reply: &EasysoftReply) -> Option<&String> {
        // §3.5: 1→AIS, 2→DTAC, 3→TRUE, 4→TOT, 5→MY, 6→FEELS, 7→PENGUIN.
        match self {
            EasysoftNetwork::Ais => reply.AIS.as_ref(),
            EasysoftNetwork::Dtac => reply.DTAC.as_ref(),
            EasysoftNetwork::TrueH => reply.TRUE.as_ref(),
            EasysoftNetwork::Tot => reply.TOT.as_ref(),
            EasysoftNetwork::My => reply.MY.as_ref(),
            EasysoftNetwork::Feels => reply.FEELS.as_ref(),
            EasysoftNetwork::Penguin => reply.PENGUIN.as_ref(),
        }
    }
}

/// An Easysoft refill (§3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EasysoftRefillRequest {
    /// The network.
    pub network: EasysoftNetwork,
    /// The phone number, 10 digits starting with 0.
    pub number: String,
    /// The amount: whole baht only (decimals are \[U\], so they are refused before sending).
    pub cash: Satang,
    /// The operator / kiosk id (`users`); `None` uses the config's default.
    pub users: Option<String>,
}

/// Builds Easysoft requests and parses its replies. Pure: no I/O anywhere.
#[derive(Debug, Clone)]
pub struct EasysoftApi {
    config: EasysoftConfig,
}

impl EasysoftApi {
    /// An API description for this account.
    pub fn new(config: EasysoftConfig) -> Self {
        EasysoftApi { config }
    }

    /// The configuration.
    pub fn config(&self) -> &EasysoftConfig {
        &self.config
    }

    fn request(&self, operation: &'static str, fields: Vec<FormField>) -> HttpRequest {
        let mut body = vec![
            FormField::plain("username", self.config.username.clone()),
            FormField::secret("password", self.config.password.clone()),
        ];
        body.extend(fields);
        HttpRequest {
            operation,
            method: Method::Post,
            url: self.config.endpoint.clone(),
            headers: Vec::new(),
            body: Body::Form(body),
        }
    }

    /// `mobile=refill` (§3.1), after validating the number and the amount.
    pub fn refill_request(
        &self,
        refill: &EasysoftRefillRequest,
    ) -> Result<HttpRequest, ProviderError> {
        let number_ok = refill.number.len() == 10
            && refill.number.starts_with('0')
            && refill.number.bytes().all(|b| b.is_ascii_digit());
        if !number_ok {
            return Err(ProviderError::InvalidRequest(format!(
                "number {:?} must be 10 digits starting with 0",
                refill.number
            )));
        }
        // [U] decimals in `cash`: refuse them rather than risk a misread amount.
        if refill.cash.as_satang() <= 0 || !refill.cash.is_whole_baht() {
            return Err(ProviderError::InvalidRequest(format!(
                "cash {} must be a positive whole number of baht",
                refill.cash.to_baht_string()
            )));
        }
        let mut fields = vec![
            FormField::plain("mobile", "refill"),
            FormField::plain("network", refill.network.number().to_string()),
            FormField::plain("number", refill.number.clone()),
            FormField::plain("cash", (refill.cash.as_satang() / 100).to_string()),
        ];
        if let Some(users) = refill.users.as_ref().or(self.config.users.as_ref()) {
            validate_users(users)?;
            fields.push(FormField::plain("users", users.clone()));
        }
        // `orderid` is not sent on refill: whether it is honoured is [U] (§3.1, §7).
        Ok(self.request("easysoft.refill", fields))
    }

    /// `mobile=update&orderid=<id>` (§3.2).
    pub fn update_request(&self, order_id: &str) -> Result<HttpRequest, ProviderError> {
        validate_order_id(order_id)?;
        Ok(self.request(
            "easysoft.update",
            vec![
                FormField::plain("mobile", "update"),
                FormField::plain("orderid", order_id),
            ],
        ))
    }

    /// `mobile=return&orderid=<id>` (§3.3): request a cancellation / reversal.
    pub fn return_request(&self, order_id: &str) -> Result<HttpRequest, ProviderError> {
        validate_order_id(order_id)?;
        Ok(self.request(
            "easysoft.return",
            vec![
                FormField::plain("mobile", "return"),
                FormField::plain("orderid", order_id),
            ],
        ))
    }

    /// `amount=1` (§3.4).
    pub fn balance_request(&self) -> HttpRequest {
        self.request("easysoft.balance", vec![FormField::plain("amount", "1")])
    }

    /// `online=1` (§3.5).
    pub fn network_status_request(&self) -> HttpRequest {
        self.request("easysoft.online", vec![FormField::plain("online", "1")])
    }
}

fn validate_order_id(order_id: &str) -> Result<(), ProviderError> {
    if order_id.is_empty()
        || order_id.len() > 64
        || !order_id.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(ProviderError::InvalidRequest(format!(
            "orderid {order_id:?} must be 1 to 64 letters and digits"
        )));
    }
    Ok(())
}

fn validate_users(users: &str) -> Result<(), ProviderError> {
    if users.is_empty() || users.chars().count() > 64 || users.chars().any(char::is_control) {
        return Err(ProviderError::InvalidRequest(format!(
            "users {users:?} must be 1 to 64 printable characters"
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reply parsing
// ---------------------------------------------------------------------------------------------

/// Decodes TIS-620 / windows-874 (the \[U\] fallback encoding of §2) into text. ASCII maps to
/// itself, 0xA1–0xFB to U+0E01–U+0E5B (Thai), anything else to U+FFFD.
pub fn decode_tis620(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x00..=0x7F => char::from(b),
            0xA1..=0xFB => char::from_u32(0x0E00 + u32::from(b) - 0xA0).unwrap_or('\u{FFFD}'),
            _ => '\u{FFFD}',
        })
        .collect()
}

/// The body as text: UTF-8 when valid (BOM stripped), otherwise TIS-620 (§2 \[U\]).
fn body_text(body: &[u8]) -> String {
    match std::str::from_utf8(body) {
        Ok(text) => text.trim_start_matches('\u{feff}').to_owned(),
        Err(_) => decode_tis620(body),
    }
}

fn snippet(text: &str) -> String {
    text.chars()
        .take(120)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Why a reply is not a readable `<TOPUP>` document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EasysoftUnreadable {
    /// The reason, as an unknown-outcome reason.
    pub reason: UnknownReason,
    /// Detail for logs.
    pub detail: String,
}

/// What `STATUS` said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EasysoftStatus {
    /// `1`: processed (§2).
    Processed,
    /// `0`: error, with the `DETAIL` text verbatim (§2).
    Error(String),
    /// Missing or another value: not documented.
    Other(String),
}

/// Reads any reply into the `<TOPUP>` fields: 5xx, a non-XML or HTML body, or another root
/// element are unreadable (→ unknown).
pub fn read_reply(reply: &HttpReply) -> Result<EasysoftReply, EasysoftUnreadable> {
    let text = body_text(&reply.body);
    if reply.status >= 500 {
        return Err(EasysoftUnreadable {
            reason: UnknownReason::ServerError {
                status: reply.status,
            },
            detail: format!("HTTP {} from Easysoft: {}", reply.status, snippet(&text)),
        });
    }
    let unreadable = |what: &str| EasysoftUnreadable {
        reason: if (200..300).contains(&reply.status) {
            UnknownReason::UnexpectedBody
        } else {
            UnknownReason::UnexpectedStatus {
                status: reply.status,
            }
        },
        detail: format!("HTTP {}, {what}: {}", reply.status, snippet(&text)),
    };
    if !(200..300).contains(&reply.status) {
        return Err(unreadable("unexpected HTTP status"));
    }
    if !has_topup_root(&text) {
        return Err(unreadable("not a <TOPUP> XML reply"));
    }
    let parsed: EasysoftReply =
        quick_xml::de::from_str(&text).map_err(|_| unreadable("malformed <TOPUP> XML"))?;
    Ok(trimmed(parsed))
}

/// True when the first element of the document is `<TOPUP>` (skipping a declaration, comments
/// and whitespace).
fn has_topup_root(text: &str) -> bool {
    let mut rest = text.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("<?") {
            match after.find("?>") {
                Some(end) => rest = after[end + 2..].trim_start(),
                None => return false,
            }
        } else if let Some(after) = rest.strip_prefix("<!--") {
            match after.find("-->") {
                Some(end) => rest = after[end + 3..].trim_start(),
                None => return false,
            }
        } else {
            return rest.starts_with("<TOPUP>") || rest.starts_with("<TOPUP ");
        }
    }
}

fn trimmed(reply: EasysoftReply) -> EasysoftReply {
    let t = |value: Option<String>| value.map(|v| v.trim().to_owned());
    EasysoftReply {
        STATUS: t(reply.STATUS),
        // DETAIL is kept verbatim apart from surrounding whitespace (Thai text untouched).
        DETAIL: t(reply.DETAIL),
        ORDERID: t(reply.ORDERID),
        DISCOUNT: t(reply.DISCOUNT),
        AMOUNT: t(reply.AMOUNT),
        REALAMOUNT: t(reply.REALAMOUNT),
        STATUS_REFILL: t(reply.STATUS_REFILL),
        STATUS_CANCEL: t(reply.STATUS_CANCEL),
        AIS: t(reply.AIS),
        DTAC: t(reply.DTAC),
        TRUE: t(reply.TRUE),
        TOT: t(reply.TOT),
        MY: t(reply.MY),
        FEELS: t(reply.FEELS),
        PENGUIN: t(reply.PENGUIN),
    }
}

/// The one mapping of `STATUS` (§2).
pub fn status_of(reply: &EasysoftReply) -> EasysoftStatus {
    match reply.STATUS.as_deref() {
        Some("1") => EasysoftStatus::Processed, // §2: processed
        Some("0") => EasysoftStatus::Error(reply.DETAIL.clone().unwrap_or_default()), // §2, §6
        Some(other) => EasysoftStatus::Other(other.to_owned()), // undocumented → unknown
        None => EasysoftStatus::Other(String::new()),
    }
}

fn rejection(detail: String) -> Rejection {
    // §6: no machine codes; DETAIL is free Thai text and is not classified by its words.
    Rejection {
        code: "STATUS=0".to_owned(),
        kind: RejectKind::Unclassified,
        message: detail,
    }
}

/// Reads the refill reply (§3.1). Never fails; anything not understood is
/// [`TopupOutcome::Unknown`] with [`NextStep::ManualReconciliation`]: Easysoft has no idempotency
/// key, so an unknown refill must never be resent (§7).
pub fn parse_refill_reply(reply: &HttpReply) -> TopupOutcome {
    let unknown = |reason, detail| {
        TopupOutcome::Unknown(UnknownOutcome {
            reason,
            detail,
            next_step: NextStep::ManualReconciliation,
        })
    };
    let parsed = match read_reply(reply) {
        Ok(parsed) => parsed,
        Err(unreadable) => return unknown(unreadable.reason, unreadable.detail),
    };
    match status_of(&parsed) {
        EasysoftStatus::Processed => match parsed.ORDERID.filter(|id| !id.is_empty()) {
            Some(order_id) => TopupOutcome::Accepted(TopupAccepted {
                provider_ref: order_id,
                debited: None,
                balance_after: None,
                discount_raw: parsed.DISCOUNT,
            }),
            None => unknown(
                UnknownReason::UnexpectedBody,
                "STATUS=1 without ORDERID".to_owned(),
            ),
        },
        // §3.1: failure, nothing created [I].
        EasysoftStatus::Error(detail) => TopupOutcome::Rejected(rejection(detail)),
        EasysoftStatus::Other(status) => unknown(
            UnknownReason::UnknownCode {
                code: format!("STATUS={status}"),
            },
            "undocumented STATUS on refill".to_owned(),
        ),
    }
}

/// The one mapping of `STATUS_REFILL` × `STATUS_CANCEL` (§3.2 table, from a kiosk client \[C\]):
/// cancel `1` → failed/cancelled; refill `1` & cancel `0` → succeeded; both `0` → pending;
/// anything else → [`TopupStatus::Unknown`] (not terminal: keep polling, alert after a timeout).
pub fn map_refill_status(
    status_refill: Option<&str>,
    status_cancel: Option<&str>,
    result: TopupResult,
) -> TopupStatus {
    match (status_refill.map(str::trim), status_cancel.map(str::trim)) {
        // §3.2: "any | 1 → cancelled / reversed", balance re-credited [I].
        (_, Some("1")) => TopupStatus::Failed(result),
        // §3.2: "1 | 0 → top-up succeeded".
        (Some("1"), Some("0")) => TopupStatus::Succeeded(result),
        // §3.2: "0 | 0 → pending".
        (Some("0"), Some("0")) => TopupStatus::Pending,
        // §3.2: other values are [U]; explicitly unknown, never a failure.
        (refill, cancel) => TopupStatus::Unknown {
            raw: format!(
                "STATUS_REFILL={} STATUS_CANCEL={}",
                refill.unwrap_or("-"),
                cancel.unwrap_or("-")
            ),
        },
    }
}

/// Reads the `update` reply (§3.2). `STATUS=0` is an error of the *query* (unknown order,
/// credentials): re-query rather than conclude anything about the top-up.
pub fn parse_update_reply(reply: &HttpReply, order_id: &str) -> Result<TopupStatus, ProviderError> {
    let parsed = read_reply(reply).map_err(|e| ProviderError::UnexpectedReply(e.detail))?;
    match status_of(&parsed) {
        EasysoftStatus::Processed => Ok(map_refill_status(
            parsed.STATUS_REFILL.as_deref(),
            parsed.STATUS_CANCEL.as_deref(),
            TopupResult {
                provider_ref: Some(order_id.to_owned()),
                reference: None,
                operator_ref: None,
                message: parsed.DETAIL,
                amount_raw: parsed.REALAMOUNT,
            },
        )),
        EasysoftStatus::Error(detail) => Err(ProviderError::Rejected(rejection(detail))),
        EasysoftStatus::Other(status) => Err(ProviderError::UnexpectedReply(format!(
            "undocumented STATUS={status} on update"
        ))),
    }
}

/// Reads the `return` reply (§3.3): `STATUS=1` means the cancellation was *requested*.
pub fn parse_return_reply(reply: &HttpReply) -> RefundOutcome {
    let unknown = |reason, detail| {
        // `return` is presumably idempotent per orderid [I]; settle by `update`.
        RefundOutcome::Unknown(UnknownOutcome {
            reason,
            detail,
            next_step: NextStep::QueryStatus,
        })
    };
    let parsed = match read_reply(reply) {
        Ok(parsed) => parsed,
        Err(unreadable) => return unknown(unreadable.reason, unreadable.detail),
    };
    match status_of(&parsed) {
        EasysoftStatus::Processed => RefundOutcome::Accepted { refund_id: None },
        EasysoftStatus::Error(detail) => RefundOutcome::Rejected(rejection(detail)),
        EasysoftStatus::Other(status) => unknown(
            UnknownReason::UnknownCode {
                code: format!("STATUS={status}"),
            },
            "undocumented STATUS on return".to_owned(),
        ),
    }
}

/// Reads the balance reply (§3.4).
pub fn parse_balance_reply(reply: &HttpReply) -> Result<Balance, ProviderError> {
    let parsed = read_reply(reply).map_err(|e| ProviderError::UnexpectedReply(e.detail))?;
    match status_of(&parsed) {
        EasysoftStatus::Processed => {
            let amount = parsed.AMOUNT.unwrap_or_default();
            let available = baht_to_satang(&amount).ok_or_else(|| {
                ProviderError::UnexpectedReply(format!("balance AMOUNT {amount:?} is not baht"))
            })?;
            Ok(Balance {
                available,
                ledger: None,
            })
        }
        EasysoftStatus::Error(detail) => Err(ProviderError::Rejected(rejection(detail))),
        EasysoftStatus::Other(status) => Err(ProviderError::UnexpectedReply(format!(
            "undocumented STATUS={status} on balance"
        ))),
    }
}

/// Reads the network status reply (§3.5): `1` open, `0` closed, anything else `None`.
pub fn parse_network_status_reply(
    reply: &HttpReply,
) -> Result<Vec<NetworkAvailability>, ProviderError> {
    let parsed = read_reply(reply).map_err(|e| ProviderError::UnexpectedReply(e.detail))?;
    match status_of(&parsed) {
        EasysoftStatus::Processed => Ok(EasysoftNetwork::ALL
            .iter()
            .map(|network| NetworkAvailability {
                product: network.number().to_string(),
                name: network.name().to_owned(),
                available: match network.status_of(&parsed).map(String::as_str) {
                    Some("1") => Some(true),  // §3.5: 1 = available
                    Some("0") => Some(false), // §3.5: 0 = closed
                    Some(_) | None => None,   // undocumented: unknown
                },
            })
            .collect()),
        EasysoftStatus::Error(detail) => Err(ProviderError::Rejected(rejection(detail))),
        EasysoftStatus::Other(status) => Err(ProviderError::UnexpectedReply(format!(
            "undocumented STATUS={status} on online"
        ))),
    }
}

/// Easysoft has no catalogue call: the seven networks of §3.1, without denominations.
pub fn static_catalogue() -> Vec<CatalogueEntry> {
    EasysoftNetwork::ALL
        .iter()
        .map(|network| CatalogueEntry {
            product: network.number().to_string(),
            name: network.name().to_owned(),
            min: None,
            max: None,
            denominations: Vec::new(),
            refundable: None,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Callback (§4)
// ---------------------------------------------------------------------------------------------

/// A result pushed by Easysoft (§4). Unsigned: a hint until confirmed by `update`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EasysoftCallback {
    /// Easysoft's order id.
    pub order_id: String,
    /// `status_refill` as sent.
    pub status_refill: Option<String>,
    /// `status_cancel` as sent.
    pub status_cancel: Option<String>,
    /// `realamount` as sent: its meaning conflicts in the doc (§4), so never used for accounting.
    pub realamount_raw: Option<String>,
    /// `detail`, verbatim.
    pub detail: Option<String>,
}

impl EasysoftCallback {
    /// The status this callback claims (same mapping as `update`).
    pub fn topup_status(&self) -> TopupStatus {
        map_refill_status(
            self.status_refill.as_deref(),
            self.status_cancel.as_deref(),
            TopupResult {
                provider_ref: Some(self.order_id.clone()),
                reference: None,
                operator_ref: None,
                message: self.detail.clone(),
                amount_raw: self.realamount_raw.clone(),
            },
        )
    }
}

/// Reads a callback body: `application/x-www-form-urlencoded` assumed (§4, content type \[U\]);
/// non-UTF-8 bytes are decoded as TIS-620.
pub fn parse_callback(
    _content_type: Option<&str>,
    body: &[u8],
) -> Result<EasysoftCallback, CallbackError> {
    let text = body_text(body);
    let mut order_id = None;
    let mut status_refill = None;
    let mut status_cancel = None;
    let mut realamount_raw = None;
    let mut detail = None;
    for (name, value) in url::form_urlencoded::parse(text.as_bytes()) {
        let slot = match name.as_ref() {
            "orderid" => &mut order_id,
            "status_refill" => &mut status_refill,
            "status_cancel" => &mut status_cancel,
            "realamount" => &mut realamount_raw,
            "detail" => &mut detail,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(value.into_owned());
        }
    }
    let order_id = order_id
        .map(|id| id.trim().to_owned())
        .filter(|id| !id.is_empty())
        .ok_or(CallbackError::MissingField("orderid"))?;
    Ok(EasysoftCallback {
        order_id,
        status_refill,
        status_cancel,
        realamount_raw,
        detail,
    })
}

/// The answer to a callback: HTTP 200 `OK` (§4: the expected acknowledgement is \[U\]).
pub fn acknowledge() -> CallbackReply {
    CallbackReply {
        status: 200,
        content_type: "text/plain",
        body: "OK".to_owned(),
    }
}
