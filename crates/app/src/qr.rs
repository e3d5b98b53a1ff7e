//! The "show a PromptPay QR" use case: from what the cashier typed to what the screen shows.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use termdee_domain::Satang;
use termdee_promptpay::{render, Target, TargetKind};
use ts_rs::TS;

use crate::error::{AppError, ErrorCode};
use crate::settings::Settings;

/// What the QR screen sends: the PromptPay ID and the amount exactly as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QrRequest {
    /// A mobile number (`081-234-5678`, `+66812345678`), a 13-digit national or tax ID, or a
    /// 15-digit e-wallet ID.
    pub promptpay_id: String,
    /// The amount in baht as typed (`150`, `150.50`); empty for a QR where the payer types it.
    pub amount: String,
}

/// The kind of PromptPay account the QR pays into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PayeeKind {
    /// A mobile number registered with PromptPay.
    Mobile,
    /// A 13-digit national ID or tax ID.
    NationalId,
    /// A 15-digit e-wallet ID.
    EWallet,
    /// A biller ID with references (bill payment, tag 30).
    Bill,
}

impl From<TargetKind> for PayeeKind {
    fn from(kind: TargetKind) -> Self {
        match kind {
            TargetKind::Mobile => PayeeKind::Mobile,
            TargetKind::NationalId => PayeeKind::NationalId,
            TargetKind::EWallet => PayeeKind::EWallet,
            TargetKind::Bill => PayeeKind::Bill,
        }
    }
}

/// What the QR screen shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QrScreen {
    /// The EMVCo payload the QR encodes (ends with its CRC).
    pub payload: String,
    /// The QR rendered in Rust: a `data:image/png;base64,…` URL, error correction M, quiet zone
    /// of 4 modules.
    pub png_data_url: String,
    /// The kind of account paid into.
    pub payee_kind: PayeeKind,
    /// The account as a person reads it (`081-234-5678`).
    pub payee_display: String,
    /// The amount in satang, or `null` for a QR where the payer types the amount.
    pub amount_satang: Option<i64>,
    /// The amount as a person reads it (`1,500.00`), or `null`.
    pub amount_display: Option<String>,
    /// How long the QR stays payable, in seconds; the UI counts down on a monotonic clock.
    pub valid_for_seconds: u32,
}

/// Pixels per QR module in the PNG: large enough to stay sharp when the UI scales it to fit.
const MODULE_PIXELS: u32 = 8;

/// Builds the payload for the typed ID and amount, renders it, and says how long it is valid.
///
/// Bad input gives an [`AppError`] naming the field and the problem; nothing is rendered then.
pub fn prepare_qr(request: &QrRequest, settings: &Settings) -> Result<QrScreen, AppError> {
    let target = Target::parse_id(&request.promptpay_id)
        .map_err(|error| AppError::new(ErrorCode::InvalidPromptpayId, error.to_string()))?;
    let amount = parse_amount(&request.amount)?;
    let payload = termdee_promptpay::payload(&target, amount)
        .map_err(|error| AppError::new(ErrorCode::InvalidAmount, error.to_string()))?;
    let png_data_url = png_data_url(&payload)?;
    Ok(QrScreen {
        payee_kind: target.kind().into(),
        payee_display: target.display(),
        amount_satang: amount.map(Satang::as_satang),
        amount_display: amount.map(|amount| amount.to_string()),
        valid_for_seconds: settings.qr_countdown_seconds,
        png_data_url,
        payload,
    })
}

/// A QR of a payment link (BluePay WebPay's `payUrl`), for the customer's phone to open.
///
/// The link is shown as the provider gave it, never rewritten; an empty link or one too long for
/// a QR code is an error rather than a QR that cannot be scanned.
pub fn link_qr(link: &str) -> Result<String, AppError> {
    if link.trim().is_empty() {
        return Err(AppError::new(
            ErrorCode::Internal,
            "the payment link is empty",
        ));
    }
    png_data_url(link)
}

/// The shop's own PromptPay QR for one payment (the cashier confirms the transfer): the
/// payload for `promptpay_id` and exactly `amount`, rendered as a PNG data URL.
pub fn payment_qr(promptpay_id: &str, amount: Satang) -> Result<String, AppError> {
    let target = Target::parse_id(promptpay_id)
        .map_err(|error| AppError::new(ErrorCode::InvalidPromptpayId, error.to_string()))?;
    let payload = termdee_promptpay::payload(&target, Some(amount))
        .map_err(|error| AppError::new(ErrorCode::InvalidAmount, error.to_string()))?;
    png_data_url(&payload)
}

/// Renders `text` as a QR code in a `data:image/png;base64,…` URL.
fn png_data_url(text: &str) -> Result<String, AppError> {
    let options = render::RenderOptions {
        module_px: MODULE_PIXELS,
        ..Default::default()
    };
    let png = render::png(text, &options)
        .map_err(|error| AppError::new(ErrorCode::Internal, error.to_string()))?;
    let png_base64 = base64::engine::general_purpose::STANDARD.encode(png);
    Ok(format!("data:image/png;base64,{png_base64}"))
}

/// An empty amount means "the payer types it" (a static QR); anything else must be a positive
/// number of baht with at most two decimals.
fn parse_amount(typed: &str) -> Result<Option<Satang>, AppError> {
    if typed.trim().is_empty() {
        return Ok(None);
    }
    let amount = Satang::parse_baht(typed)
        .map_err(|error| AppError::new(ErrorCode::InvalidAmount, error.to_string()))?;
    if amount.as_satang() <= 0 {
        return Err(AppError::new(
            ErrorCode::InvalidAmount,
            format!("the amount must be more than zero, not {typed:?}"),
        ));
    }
    Ok(Some(amount))
}
