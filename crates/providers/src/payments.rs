//! Collecting a customer's payment by QR: the capability traits and outcomes shared by the
//! payment providers (Tmweasy Mae Manee, Deposit-QR, BluePay WebPay).
//!
//! The rules are the top-up rules (DESIGN.md, money rules 3 and 5): a timeout, a 5xx, an HTML
//! page or an unknown code is [`QrCreateOutcome::Unknown`], never a failure, and carries the
//! [`QrNextStep`] that settles it; a callback is applied only once it is verified (BluePay
//! signature) and matched to a sale's order and amount ([`SaleOrders::match_event`]).
//!
//! Time is injected: [`Countdown`] reads a monotonic `now` (a [`Duration`] since any fixed
//! origin, supplied by the app's clock) and never sleeps.

use std::future::Future;
use std::io::Cursor;
use std::time::Duration;

use base64::Engine as _;
use termdee_domain::Satang;

use crate::error::ProviderError;
use crate::outcome::{CallbackReply, Rejection, UnknownReason};

/// A request to collect a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrPaymentRequest {
    /// Our key, persisted before sending: Tmweasy `ref1`, Deposit-QR `order_id` (see
    /// [`crate::deposit_qr::order_id`]), BluePay `mchOrderId`.
    pub reference: String,
    /// The amount of the sale.
    pub amount: Satang,
}

/// A payment at a provider, by our key and the provider's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrPaymentRef {
    /// Our key (`ref1` / `order_id` / `mchOrderId`).
    pub reference: String,
    /// The provider's id (Tmweasy `id_pay`, Deposit-QR `ref_id`, BluePay `transactionId`).
    pub provider_ref: Option<String>,
}

/// What to show the customer. Shown as given: never re-encoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QrDisplay {
    /// A base64 image of the QR (Tmweasy `qr_base64_image`, Deposit-QR `qr_image`).
    pub image_base64: Option<String>,
    /// A URL of the same image (Deposit-QR `qr_image_link`).
    pub image_url: Option<String>,
    /// A link to render as a QR for the customer's phone (BluePay `payUrl`) or to show as the
    /// bill page (Tmweasy `urlpay`).
    pub link: Option<String>,
}

/// When the payment offer ends, as the provider said it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QrExpiry {
    /// Seconds remaining when the reply was read (Tmweasy `time_out`; negative = expired).
    Remaining {
        /// The seconds left.
        seconds: i64,
    },
    /// A wall-clock deadline (Deposit-QR `expire_time`, BluePay `expiresTime`).
    At {
        /// Unix seconds (UTC).
        unix_seconds: i64,
        /// The text as received.
        raw: String,
    },
    /// Not given or not readable.
    Unknown {
        /// The text as received, if any.
        raw: Option<String>,
    },
}

/// What decoding a provider's QR image found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QrImageCheck {
    /// An EMVCo (PromptPay) payload.
    Emv {
        /// The payload text.
        payload: String,
        /// Whether its CRC is right.
        crc_ok: bool,
        /// Its amount (tag 54), if any.
        amount: Option<Satang>,
    },
    /// A QR that is not an EMVCo payload (e.g. a URL).
    NotEmv {
        /// The decoded text.
        text: String,
    },
    /// The image could not be read or held no QR (JPEG is not decoded: PNG only).
    Undecodable {
        /// Why.
        reason: String,
    },
}

impl QrImageCheck {
    /// `(expected, found)` when the QR is an EMVCo payload whose amount differs from `expected`.
    pub fn amount_mismatch(&self, expected: Satang) -> Option<(Satang, Satang)> {
        match self {
            QrImageCheck::Emv {
                amount: Some(found),
                ..
            } if *found != expected => Some((expected, *found)),
            QrImageCheck::Emv { .. }
            | QrImageCheck::NotEmv { .. }
            | QrImageCheck::Undecodable { .. } => None,
        }
    }
}

/// A payment offer the provider created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrCreated {
    /// Our key.
    pub reference: String,
    /// The provider's id: persist it.
    pub provider_ref: String,
    /// The amount we asked for.
    pub requested: Satang,
    /// The amount the provider will collect: show this one (Deposit-QR may adjust it,
    /// deposit_qr.md §3.1).
    pub amount: Satang,
    /// What to show.
    pub display: QrDisplay,
    /// When it ends.
    pub expiry: QrExpiry,
    /// What decoding the QR image found, when it was checked ([`QrCreated::with_qr_check`]).
    pub qr_check: Option<QrImageCheck>,
    /// `(expected, found)`: the QR's EMVCo amount differs from [`QrCreated::amount`]. Do not
    /// show such a QR without a person looking at it.
    pub amount_mismatch: Option<(Satang, Satang)>,
}

impl QrCreated {
    /// Decodes the QR image (if any) and fills [`QrCreated::qr_check`] and
    /// [`QrCreated::amount_mismatch`] against [`QrCreated::amount`].
    pub fn with_qr_check(mut self) -> Self {
        if let Some(image) = &self.display.image_base64 {
            let check = check_qr_image(image);
            self.amount_mismatch = check.amount_mismatch(self.amount);
            self.qr_check = Some(check);
        }
        self
    }
}

/// What settles an unknown outcome of a payment call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QrNextStep {
    /// Create a new offer with the same reference (Tmweasy: an orphan `id_pay` was never shown,
    /// so it expires harmlessly, tmweasy.md §6).
    CreateAgain,
    /// Create with a NEW reference (Deposit-QR: `order_id` must never repeat; use
    /// [`crate::deposit_qr::order_id`] with the next attempt) and show only that QR
    /// (deposit_qr.md §8). Accept a paid callback for any order of the sale, once.
    CreateWithNewReference,
    /// Send the same request with the same reference (BluePay `mchOrderId`; a duplicate answers
    /// `21007`, bluepay_webpay.md §9).
    ResendSameReference,
    /// Ask the provider for the status.
    QueryStatus,
    /// Wait for the provider's callback.
    WaitForCallback,
}

/// An outcome that is not known: the offer may or may not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrUnknown {
    /// Why.
    pub reason: UnknownReason,
    /// Detail for logs (no secrets).
    pub detail: String,
    /// How to settle it.
    pub next_step: QrNextStep,
    /// The provider's id, when it is known (Tmweasy: created, but `detail_pay` failed).
    pub provider_ref: Option<String>,
}

impl QrUnknown {
    /// From a transport error.
    pub fn from_transport(error: &crate::TransportError, next_step: QrNextStep) -> Self {
        let unknown = crate::UnknownOutcome::from_transport(error, crate::NextStep::QueryStatus);
        QrUnknown {
            reason: unknown.reason,
            detail: unknown.detail,
            next_step,
            provider_ref: None,
        }
    }
}

/// The outcome of creating a payment offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QrCreateOutcome {
    /// Created: show [`QrCreated::display`] and count down to [`QrCreated::expiry`].
    Created(QrCreated),
    /// Our reference already exists (BluePay `21007`): query it (the client does).
    AlreadyExists {
        /// Our reference.
        reference: String,
    },
    /// A definite refusal: nothing to pay.
    Rejected(Rejection),
    /// Not known whether an offer exists.
    Unknown(QrUnknown),
}

/// A payment received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrPaid {
    /// Our key, when the provider echoes it.
    pub reference: Option<String>,
    /// The provider's id, when given.
    pub provider_ref: Option<String>,
    /// The amount paid, as the provider reports it.
    pub amount: Satang,
    /// The provider's fee, when it says (Deposit-QR `mdr_amount`).
    pub fee: Option<Satang>,
}

/// The state of a payment at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QrPaymentStatus {
    /// Not paid yet (Tmweasy confirm `status=0`, Deposit-QR `PROCESSING`, BluePay `PENDING`).
    Pending {
        /// The provider's message, verbatim.
        message: Option<String>,
    },
    /// Paid: terminal; apply once.
    Paid(QrPaid),
    /// The offer expired.
    Expired,
    /// The offer was cancelled.
    Cancelled,
    /// The provider says the payment failed (Deposit-QR `FAILED`, BluePay `FAILED`).
    Failed {
        /// The provider's failure code, if any.
        code: Option<String>,
        /// Its message.
        message: String,
    },
    /// A status this client does not know: not terminal.
    Unknown {
        /// The raw status.
        raw: String,
    },
}

impl QrPaymentStatus {
    /// True for paid, expired, cancelled and failed.
    pub fn is_terminal(&self) -> bool {
        match self {
            QrPaymentStatus::Paid(_)
            | QrPaymentStatus::Expired
            | QrPaymentStatus::Cancelled
            | QrPaymentStatus::Failed { .. } => true,
            QrPaymentStatus::Pending { .. } | QrPaymentStatus::Unknown { .. } => false,
        }
    }
}

/// The outcome of cancelling an offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QrCancelOutcome {
    /// Cancelled.
    Cancelled,
    /// The provider refused (e.g. not expired yet, already paid).
    Rejected(Rejection),
    /// Not known.
    Unknown(QrUnknown),
}

/// A callback reduced to what the engine applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrCallbackEvent {
    /// Our key (`order_id` / `mchOrderId`).
    pub reference: String,
    /// The provider's id.
    pub provider_ref: Option<String>,
    /// The status it reports.
    pub status: QrPaymentStatus,
}

/// Why a payment callback was refused. A refused callback is never applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QrCallbackError {
    /// Not the expected encoding.
    #[error("unreadable callback body: {0}")]
    Malformed(String),
    /// A required field is missing or empty.
    #[error("callback field {0:?} is missing")]
    MissingField(&'static str),
    /// The signature is missing or does not verify (BluePay): forged or altered.
    #[error("the callback signature does not verify")]
    BadSignature,
}

/// Receiving a payment provider's push callbacks.
pub trait QrCallbacks {
    /// The parsed (and, where signed, verified) callback.
    type Callback;
    /// Reads (and verifies, where the provider signs) a callback from its raw body (pure).
    fn parse_callback(
        &self,
        content_type: Option<&str>,
        raw_body: &[u8],
    ) -> Result<Self::Callback, QrCallbackError>;
    /// The callback as an event for the engine.
    fn event(&self, callback: &Self::Callback) -> QrCallbackEvent;
    /// The exact answer the provider expects once the callback is durably stored.
    fn acknowledge(&self, callback: &Self::Callback) -> CallbackReply;
}

/// Collecting payments by QR. Each method is one logical call; none retries on its own.
pub trait QrPayments {
    /// Creates a payment offer. `Err` only when nothing was sent.
    fn create(
        &self,
        request: &QrPaymentRequest,
    ) -> impl Future<Output = Result<QrCreateOutcome, ProviderError>> + Send;
    /// Asks the provider for the status ([`ProviderError::Unsupported`] where there is no query).
    fn query(
        &self,
        payment: &QrPaymentRef,
    ) -> impl Future<Output = Result<QrPaymentStatus, ProviderError>> + Send;
    /// Cancels an offer ([`ProviderError::Unsupported`] where there is no cancel).
    fn cancel(
        &self,
        payment: &QrPaymentRef,
    ) -> impl Future<Output = Result<QrCancelOutcome, ProviderError>> + Send;
}

/// One order of a sale, as created (with the amount the provider said it will collect).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedOrder {
    /// Our key.
    pub reference: String,
    /// The provider's id, if known.
    pub provider_ref: Option<String>,
    /// The amount the provider said it will collect ([`QrCreated::amount`]).
    pub amount: Satang,
}

/// Every order created for one sale (Deposit-QR creates a new `order_id` per attempt).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleOrders {
    /// The sale id.
    pub sale: String,
    /// Its orders.
    pub orders: Vec<ExpectedOrder>,
}

/// Why a callback does not belong to a sale.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackMismatch {
    /// No order of the sale has this reference.
    #[error("no order {reference:?} in this sale")]
    UnknownOrder {
        /// The callback's reference.
        reference: String,
    },
    /// The provider id differs from the one stored.
    #[error("provider id {found:?} differs from {expected:?}")]
    ProviderRefDiffers {
        /// Stored.
        expected: String,
        /// In the callback.
        found: String,
    },
    /// A paid callback with another amount than the order's.
    #[error("paid {found} instead of {expected}")]
    WrongAmount {
        /// The order's amount.
        expected: Satang,
        /// The callback's amount.
        found: Satang,
    },
}

impl SaleOrders {
    /// The order this callback belongs to, after checking its provider id and, for a paid
    /// callback, its amount. Any order of the sale matches (deposit_qr.md §8: the customer may
    /// pay an orphan order); the engine applies the sale's paid state once.
    pub fn match_event(&self, event: &QrCallbackEvent) -> Result<&ExpectedOrder, CallbackMismatch> {
        let order = self
            .orders
            .iter()
            .find(|order| order.reference == event.reference)
            .ok_or_else(|| CallbackMismatch::UnknownOrder {
                reference: event.reference.clone(),
            })?;
        if let (Some(expected), Some(found)) = (&order.provider_ref, &event.provider_ref) {
            if expected != found {
                return Err(CallbackMismatch::ProviderRefDiffers {
                    expected: expected.clone(),
                    found: found.clone(),
                });
            }
        }
        if let QrPaymentStatus::Paid(paid) = &event.status {
            if paid.amount != order.amount {
                return Err(CallbackMismatch::WrongAmount {
                    expected: order.amount,
                    found: paid.amount,
                });
            }
        }
        Ok(order)
    }
}

/// Where a countdown stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountdownPhase {
    /// Still open: keep polling / showing the QR.
    Open {
        /// Seconds left (0 is still open: only negative is expired, tmweasy.md §3.2).
        remaining_seconds: i64,
    },
    /// Expired, within the grace period: a last status check may still find a late payment.
    Grace,
    /// Expired and past the grace period: do a final check, then cancel.
    Over,
}

/// A countdown to a provider's expiry, read against an injected monotonic clock.
///
/// `now` and `observed_at` are [`Duration`]s since the same arbitrary origin (the app's
/// monotonic clock): wall-clock changes on the kiosk do not move the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Countdown {
    /// The monotonic instant the offer expires at.
    deadline: Duration,
    /// True when the deadline lies before the clock's origin (`Duration::ZERO`): the offer had
    /// already expired by more than the clock has run.
    expired_before_origin: bool,
}

impl Countdown {
    /// From a remaining time read at `observed_at` (Tmweasy `time_out`, recomputed on every
    /// `detail_pay`, tmweasy.md §3.2).
    pub fn from_remaining(seconds: i64, observed_at: Duration) -> Self {
        if seconds >= 0 {
            Countdown {
                deadline: observed_at.saturating_add(Duration::from_secs(seconds.unsigned_abs())),
                expired_before_origin: false,
            }
        } else {
            let past = Duration::from_secs(seconds.unsigned_abs());
            match observed_at.checked_sub(past) {
                Some(deadline) => Countdown {
                    deadline,
                    expired_before_origin: false,
                },
                None => Countdown {
                    deadline: Duration::ZERO,
                    expired_before_origin: true,
                },
            }
        }
    }

    /// From a wall-clock deadline, translated to the monotonic clock once, at `observed_at`
    /// when the wall clock read `now_unix`.
    pub fn from_deadline(unix_deadline: i64, now_unix: i64, observed_at: Duration) -> Self {
        Countdown::from_remaining(unix_deadline.saturating_sub(now_unix), observed_at)
    }

    /// From a [`QrExpiry`]; `None` when the expiry is unknown.
    pub fn from_expiry(expiry: &QrExpiry, now_unix: i64, observed_at: Duration) -> Option<Self> {
        match expiry {
            QrExpiry::Remaining { seconds } => {
                Some(Countdown::from_remaining(*seconds, observed_at))
            }
            QrExpiry::At { unix_seconds, .. } => Some(Countdown::from_deadline(
                *unix_seconds,
                now_unix,
                observed_at,
            )),
            QrExpiry::Unknown { .. } => None,
        }
    }

    /// Whole seconds left at `now` (negative once expired; rounded down).
    pub fn remaining_seconds(&self, now: Duration) -> i64 {
        if self.expired_before_origin {
            return -1;
        }
        if now <= self.deadline {
            i64::try_from((self.deadline - now).as_secs()).unwrap_or(i64::MAX)
        } else {
            let past = now - self.deadline;
            // 0.5 s past the deadline is already expired: round away from zero.
            let secs = past.as_secs() + u64::from(past.subsec_nanos() > 0);
            i64::try_from(secs).map(|s| -s).unwrap_or(i64::MIN)
        }
    }

    /// True once the remaining time is negative (tmweasy.md §3.2: "negative = expired").
    pub fn is_expired(&self, now: Duration) -> bool {
        self.remaining_seconds(now) < 0
    }

    /// The phase at `now`, with a grace period after expiry for late payments.
    pub fn phase(&self, now: Duration, grace: Duration) -> CountdownPhase {
        let remaining = self.remaining_seconds(now);
        if remaining >= 0 {
            return CountdownPhase::Open {
                remaining_seconds: remaining,
            };
        }
        if self.expired_before_origin {
            return CountdownPhase::Over;
        }
        if now <= self.deadline.saturating_add(grace) {
            CountdownPhase::Grace
        } else {
            CountdownPhase::Over
        }
    }
}

/// Why a reply could not be read (shared by the payment providers' parsers).
pub(crate) struct Unreadable {
    pub(crate) reason: UnknownReason,
    pub(crate) detail: String,
}

impl Unreadable {
    pub(crate) fn into_unknown(self, next_step: QrNextStep) -> QrUnknown {
        QrUnknown {
            reason: self.reason,
            detail: self.detail,
            next_step,
            provider_ref: None,
        }
    }

    pub(crate) fn into_error(self) -> ProviderError {
        ProviderError::UnexpectedReply(self.detail)
    }
}

/// The start of a body, printable, for error details.
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(120)]);
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Reads a 2xx JSON reply: 5xx → server error, other non-2xx → unexpected status, a body that
/// is not the expected JSON (HTML, truncated) → unexpected body.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(
    reply: &crate::HttpReply,
    provider: &str,
) -> Result<T, Unreadable> {
    if reply.status >= 500 {
        return Err(Unreadable {
            reason: UnknownReason::ServerError {
                status: reply.status,
            },
            detail: format!(
                "HTTP {} from {provider}: {}",
                reply.status,
                snippet(&reply.body)
            ),
        });
    }
    if !(200..300).contains(&reply.status) {
        return Err(Unreadable {
            reason: UnknownReason::UnexpectedStatus {
                status: reply.status,
            },
            detail: format!(
                "HTTP {} from {provider}: {}",
                reply.status,
                snippet(&reply.body)
            ),
        });
    }
    serde_json::from_slice(&reply.body).map_err(|_| Unreadable {
        reason: UnknownReason::UnexpectedBody,
        detail: format!("not a {provider} JSON reply: {}", snippet(&reply.body)),
    })
}

/// Reads an integer number of satang written as a JSON integer or a string of digits
/// (BluePay amounts, bluepay_webpay.md §4).
pub(crate) fn satang_integer(text: &str) -> Option<Satang> {
    let text = text.trim();
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().map(Satang::new)
}

/// The largest base64 image accepted for checking (a QR PNG is a few KB).
const MAX_IMAGE_BASE64: usize = 2 * 1024 * 1024;

/// Decodes a provider's QR image (base64 PNG, with or without a `data:` prefix) and, when it
/// holds an EMVCo payload, decodes that with `termdee_promptpay` and compares its amount.
pub fn check_qr_image(image_base64: &str) -> QrImageCheck {
    let undecodable = |reason: String| QrImageCheck::Undecodable { reason };
    if image_base64.len() > MAX_IMAGE_BASE64 {
        return undecodable("image larger than 2 MiB".to_owned());
    }
    let data = match image_base64.split_once("base64,") {
        Some((prefix, rest)) if prefix.starts_with("data:") => rest,
        _ => image_base64,
    };
    let cleaned: String = data.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = match base64::engine::general_purpose::STANDARD.decode(cleaned.as_bytes()) {
        Ok(bytes) => bytes,
        Err(error) => return undecodable(format!("not base64: {error}")),
    };
    let mut reader = match image::ImageReader::new(Cursor::new(bytes)).with_guessed_format() {
        Ok(reader) => reader,
        Err(error) => return undecodable(format!("unreadable image: {error}")),
    };
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(4096);
    limits.max_image_height = Some(4096);
    limits.max_alloc = Some(64 * 1024 * 1024);
    reader.limits(limits);
    let picture = match reader.decode() {
        Ok(picture) => picture,
        Err(error) => return undecodable(format!("unreadable image: {error}")),
    };
    let mut prepared = rqrr::PreparedImage::prepare(picture.to_luma8());
    let grids = prepared.detect_grids();
    let Some(text) = grids
        .iter()
        .find_map(|grid| grid.decode().ok().map(|(_, text)| text))
    else {
        return undecodable("no QR code found in the image".to_owned());
    };
    match termdee_promptpay::decode(&text) {
        Ok(decoded) => QrImageCheck::Emv {
            payload: text,
            crc_ok: decoded.crc_ok,
            amount: decoded.amount,
        },
        Err(_) => QrImageCheck::NotEmv { text },
    }
}

/// Reads an ISO-8601 / RFC 3339 date-time (`2025-07-01T13:41:57.906176+07:00`, `...Z`) or
/// `yyyy-MM-dd HH:mm:ss` with `default_offset_seconds` when it has no zone, into Unix seconds.
pub fn parse_datetime(text: &str, default_offset_seconds: i64) -> Option<i64> {
    let text = text.trim();
    let bytes = text.as_bytes();
    if bytes.len() < 19 || !text.is_ascii() {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = &text[range];
        if part.bytes().all(|b| b.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    if bytes[4] != b'-' || bytes[7] != b'-' || !matches!(bytes[10], b'T' | b't' | b' ') {
        return None;
    }
    if bytes[13] != b':' || bytes[16] != b':' {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    if second > 60 {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &fraction[digits..];
    }
    let offset = match rest {
        "" => default_offset_seconds,
        "Z" | "z" => 0,
        zone => {
            let zb = zone.as_bytes();
            if zb.len() != 6 || zb[3] != b':' {
                return None;
            }
            let sign = match zb[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let hours: i64 = zone[1..3].parse().ok()?;
            let minutes: i64 = zone[4..6].parse().ok()?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            sign * (hours * 3600 + minutes * 60)
        }
    };
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_are_read_with_their_offset() {
        assert_eq!(parse_datetime("1970-01-01T00:00:00Z", 0), Some(0));
        assert_eq!(
            parse_datetime("2025-07-01T13:41:57.906176+07:00", 0),
            Some(1_751_352_117)
        );
        assert_eq!(
            parse_datetime("2025-07-01 13:41:57", 7 * 3600),
            Some(1_751_352_117)
        );
        assert_eq!(parse_datetime("2025-13-01T00:00:00Z", 0), None);
        assert_eq!(parse_datetime("garbage", 0), None);
        assert_eq!(parse_datetime("2025-07-01T13:41:57+7", 0), None);
    }

    #[test]
    fn countdown_follows_the_injected_clock() {
        let start = Duration::from_secs(1000);
        let countdown = Countdown::from_remaining(600, start);
        assert_eq!(countdown.remaining_seconds(start), 600);
        assert_eq!(
            countdown.remaining_seconds(start + Duration::from_secs(600)),
            0
        );
        assert!(!countdown.is_expired(start + Duration::from_secs(600)));
        assert!(countdown.is_expired(start + Duration::from_millis(600_500)));
        let grace = Duration::from_secs(30);
        assert_eq!(
            countdown.phase(start + Duration::from_secs(10), grace),
            CountdownPhase::Open {
                remaining_seconds: 590
            }
        );
        assert_eq!(
            countdown.phase(start + Duration::from_secs(620), grace),
            CountdownPhase::Grace
        );
        assert_eq!(
            countdown.phase(start + Duration::from_secs(631), grace),
            CountdownPhase::Over
        );
    }

    #[test]
    fn already_expired_offers_count_as_expired() {
        let countdown = Countdown::from_remaining(-5, Duration::from_secs(2));
        assert!(countdown.is_expired(Duration::from_secs(2)));
        assert_eq!(
            countdown.phase(Duration::from_secs(2), Duration::ZERO),
            CountdownPhase::Over
        );
        let countdown = Countdown::from_remaining(-5, Duration::from_secs(100));
        assert_eq!(countdown.remaining_seconds(Duration::from_secs(100)), -5);
    }

    #[test]
    fn deadlines_translate_once_to_the_monotonic_clock() {
        let countdown = Countdown::from_deadline(1_000_900, 1_000_000, Duration::from_secs(5));
        assert_eq!(countdown.remaining_seconds(Duration::from_secs(5)), 900);
        assert!(countdown.is_expired(Duration::from_secs(906)));
    }
}

/// Entry points shared by the payment fuzz targets (`crates/providers/fuzz`), the corpus replay
/// test and the property tests: each runs every parser of one family on arbitrary bytes. They
/// must never panic, whatever the input.
#[doc(hidden)]
pub mod fuzzing {
    use base64::Engine as _;
    use termdee_domain::Satang;

    use crate::transport::HttpReply;
    use crate::{bluepay, deposit_qr, tmweasy};

    /// Same convention as `crate::fuzzing`: a leading non-printable byte pair is an HTTP
    /// status, otherwise the whole input is a 200 body (corpus files are plain bodies).
    fn reply(data: &[u8]) -> HttpReply {
        match data {
            [a, b, rest @ ..] if !a.is_ascii_graphic() && !a.is_ascii_whitespace() => {
                HttpReply::new(100 + u16::from_be_bytes([*a, *b]) % 500, rest.to_vec())
            }
            _ => HttpReply::new(200, data.to_vec()),
        }
    }

    /// Every Tmweasy reply parser.
    pub fn tmweasy_reply(data: &[u8]) {
        let reply = reply(data);
        let _ = tmweasy::api::parse_create_pay_reply(&reply, "S1", Satang::new(5000));
        if let Ok(bill) = tmweasy::api::parse_detail_pay_reply(&reply, "1") {
            let _ = bill.countdown(std::time::Duration::ZERO);
            let _ = bill.into_created("S1", Satang::new(5000));
        }
        let _ = tmweasy::api::parse_confirm_reply(&reply, "1");
        let _ = tmweasy::api::parse_cancel_reply(&reply);
    }

    /// Every Deposit-QR reply parser.
    pub fn deposit_qr_reply(data: &[u8]) {
        let reply = reply(data);
        let _ = deposit_qr::api::parse_create_deposit_reply(&reply, "S1-1", Satang::new(5000));
        let _ = deposit_qr::api::parse_cancel_deposit_reply(&reply);
        let _ = deposit_qr::api::parse_resend_callback_reply(&reply);
    }

    /// The Deposit-QR callback parser and its mapping.
    pub fn deposit_qr_callback(data: &[u8]) {
        if let Ok(callback) = deposit_qr::api::parse_callback(data) {
            let _ = callback.event();
            let _ = callback.sale();
        }
        if let Ok(text) = std::str::from_utf8(data) {
            let _ = deposit_qr::sale_of(text);
        }
    }

    /// Every BluePay reply parser.
    pub fn bluepay_reply(data: &[u8]) {
        let reply = reply(data);
        let _ = bluepay::api::parse_generate_reply(&reply, "S1", Satang::new(5000));
        if let Ok(order) = bluepay::api::parse_detail_reply(&reply) {
            let _ = order.status("S1");
            let _ = order.into_created("S1", Satang::new(5000));
        }
    }

    /// The BluePay notification envelope and `param` parsers (the signature check itself is
    /// the `rsa` crate's).
    pub fn bluepay_notification(data: &[u8]) {
        if let Ok((_, param)) = bluepay::api::split_notification(data) {
            if let Ok(notification) = bluepay::api::parse_notification_param(&param) {
                let _ = notification.event();
            }
        }
        if let Ok(text) = std::str::from_utf8(data) {
            if let Ok(notification) = bluepay::api::parse_notification_param(text) {
                let _ = notification.event();
            }
        }
    }

    /// The QR image check (as base64 text, and the bytes as an image) and the date parser.
    pub fn qr_image(data: &[u8]) {
        let text = String::from_utf8_lossy(data);
        let _ = super::check_qr_image(&text);
        let _ = super::parse_datetime(&text, 7 * 3600);
        let encoded = base64::engine::general_purpose::STANDARD.encode(data);
        let _ = super::check_qr_image(&encoded);
    }
}
