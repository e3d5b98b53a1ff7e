//! The QR use case end to end: typed input → payload → PNG that a QR reader decodes.

use base64::Engine as _;
use termdee_app::qr::{prepare_qr, PayeeKind, QrRequest};
use termdee_app::settings::Settings;
use termdee_app::ErrorCode;

fn request(promptpay_id: &str, amount: &str) -> QrRequest {
    QrRequest {
        promptpay_id: promptpay_id.into(),
        amount: amount.into(),
    }
}

fn decode_png_data_url(data_url: &str) -> String {
    let encoded = data_url
        .strip_prefix("data:image/png;base64,")
        .expect("a PNG data URL");
    let png = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .expect("valid base64");
    let image = image::load_from_memory(&png)
        .expect("a valid PNG")
        .to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "exactly one QR code in the rendered image");
    grids[0].decode().expect("a readable QR").1
}

#[test]
fn a_mobile_number_and_amount_give_a_scannable_dynamic_qr() {
    let settings = Settings {
        qr_countdown_seconds: 120,
        ..Settings::default()
    };
    let screen = prepare_qr(&request("081-234-5678", "150.50"), &settings).unwrap();
    assert_eq!(screen.payee_kind, PayeeKind::Mobile);
    assert_eq!(screen.payee_display, "081-234-5678");
    assert_eq!(screen.amount_satang, Some(15_050));
    assert_eq!(screen.amount_display.as_deref(), Some("150.50"));
    assert_eq!(
        screen.valid_for_seconds, 120,
        "the countdown comes from the settings"
    );
    assert!(
        screen.payload.contains("01021"),
        "dynamic QR: {}",
        screen.payload
    );
    assert!(
        screen.payload.contains("0113006681234567"),
        "mobile as 0066 + 9 digits"
    );
    assert!(
        screen.payload.contains("5406150.50"),
        "amount with two decimals"
    );
    assert_eq!(decode_png_data_url(&screen.png_data_url), screen.payload);
}

#[test]
fn an_empty_amount_gives_a_static_qr() {
    let screen = prepare_qr(&request("1234567890123", " "), &Settings::default()).unwrap();
    assert_eq!(screen.payee_kind, PayeeKind::NationalId);
    assert_eq!(screen.amount_satang, None);
    assert!(
        screen.payload.starts_with("000201010211"),
        "static QR: {}",
        screen.payload
    );
    assert_eq!(decode_png_data_url(&screen.png_data_url), screen.payload);
}

#[test]
fn bad_input_names_the_field_and_renders_nothing() {
    let settings = Settings::default();
    for (id, amount, code) in [
        ("12345", "10", ErrorCode::InvalidPromptpayId),
        ("08123456ab", "10", ErrorCode::InvalidPromptpayId),
        ("", "10", ErrorCode::InvalidPromptpayId),
        ("0812345678", "abc", ErrorCode::InvalidAmount),
        ("0812345678", "1.234", ErrorCode::InvalidAmount),
        ("0812345678", "0", ErrorCode::InvalidAmount),
        ("0812345678", "0.00", ErrorCode::InvalidAmount),
        ("0812345678", "-5", ErrorCode::InvalidAmount),
        ("0812345678", "10000000000.00", ErrorCode::InvalidAmount),
    ] {
        let error = prepare_qr(&request(id, amount), &settings).unwrap_err();
        assert_eq!(error.code, code, "{id:?} / {amount:?} → {error}");
        assert!(!error.message.is_empty(), "the message names the problem");
    }
}

#[test]
fn a_payment_link_becomes_a_qr_that_reads_back_as_the_same_link() {
    let link = "https://webpay.bluepay.example/cashier/6e2d4b6f926c44f8ab4e0f5c76cdec69?t=S1001";
    let data_url = termdee_app::qr::link_qr(link).unwrap();
    assert_eq!(
        decode_png_data_url(&data_url),
        link,
        "the link is shown as given"
    );
    let error = termdee_app::qr::link_qr("  ").unwrap_err();
    assert_eq!(error.code, ErrorCode::Internal);
    let too_long = "x".repeat(5_000);
    assert!(
        termdee_app::qr::link_qr(&too_long).is_err(),
        "no unscannable QR"
    );
}
