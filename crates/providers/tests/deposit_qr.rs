//! Deposit-QR: exact headers and body, parsers over fixtures (tests/fixtures/deposit_qr), the
//! order-id-per-attempt helper, and callbacks matched to the sale (forged ones refused).

use secrecy::SecretString;
use termdee_domain::Satang;
use termdee_providers::deposit_qr::api::{
    acknowledge, parse_callback, parse_cancel_deposit_reply, parse_create_deposit_reply,
    parse_resend_callback_reply,
};
use termdee_providers::deposit_qr::{
    order_id, sale_of, DepositApi, DepositConfig, DEPOSIT_PRODUCTION_URL,
};
use termdee_providers::{
    Body, CallbackMismatch, ExpectedOrder, FormField, HttpReply, ProviderError, QrCallbackError,
    QrCancelOutcome, QrCreateOutcome, QrExpiry, QrNextStep, QrPaymentStatus, RejectKind,
    SaleOrders, UnknownReason,
};
use url::Url;

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/deposit_qr/"
);

fn body(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}{name}")).expect("fixture exists")
}

fn fixture(status: u16, name: &str) -> HttpReply {
    HttpReply::new(status, body(name))
}

fn config() -> DepositConfig {
    DepositConfig {
        base_url: Url::parse("http://127.0.0.1:9/").expect("url"),
        token: SecretString::from("TOKEN"),
        api_key: SecretString::from("APIKEY"),
        secret_key: SecretString::from("SECRET"),
        callback_url: Some(Url::parse("http://127.0.0.1:8/deposit").expect("url")),
        ref_account: "1448702118".into(),
        ref_bank_code: "004".into(),
        ref_name_th: "ลูกค้า หน้าร้าน".into(),
        ref_name_en: None,
        ref_user_id: String::new(),
    }
}

fn header<'a>(headers: &'a [FormField], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|header| header.name == name)
        .map(|header| header.value.expose())
}

#[test]
fn default_config_is_richpay_and_hides_secrets() {
    let config = DepositConfig::default();
    assert_eq!(config.base_url.as_str(), DEPOSIT_PRODUCTION_URL);
    let debug = format!("{:?}", self::config());
    assert!(
        !debug.contains("TOKEN") && !debug.contains("APIKEY") && !debug.contains("SECRET\""),
        "{debug}"
    );
}

#[test]
fn create_deposit_has_the_three_headers_and_the_signed_amount() {
    let request = DepositApi::new(config())
        .create_deposit_request("S1001-1", Satang::new(800_000))
        .expect("valid");
    assert_eq!(
        request.url.as_str(),
        "http://127.0.0.1:9/api/v1/client/create_deposit"
    );
    assert_eq!(
        header(&request.headers, "authorization"),
        Some("Bearer TOKEN")
    );
    assert_eq!(header(&request.headers, "x-api-key"), Some("APIKEY"));
    // base64("SECRET:S1001-1:8000.00")
    assert_eq!(
        header(&request.headers, "x-signature"),
        Some("U0VDUkVUOlMxMDAxLTE6ODAwMC4wMA==")
    );
    let Body::Json(json) = &request.body else {
        panic!("JSON body expected, got {:?}", request.body);
    };
    assert_eq!(
        json,
        &serde_json::json!({
            "order_id": "S1001-1",
            "amount": "8000.00",
            "ref_account": "1448702118",
            "ref_bank_code": "004",
            "ref_name_th": "ลูกค้า หน้าร้าน",
            "ref_user_id": "",
            "callback_url": "http://127.0.0.1:8/deposit",
        })
    );
}

#[test]
fn cancel_and_resend_sign_the_secret_alone() {
    let api = DepositApi::new(config());
    for request in [
        api.cancel_deposit_request("LMAJSG-1").expect("valid"),
        api.resend_callback_request("LMAJSG-1").expect("valid"),
    ] {
        // base64("SECRET::")
        assert_eq!(
            header(&request.headers, "x-signature"),
            Some("U0VDUkVUOjo=")
        );
        let Body::Json(json) = &request.body else {
            panic!("JSON body expected");
        };
        assert_eq!(json, &serde_json::json!({"ref_id": "LMAJSG-1"}));
    }
}

#[test]
fn create_is_refused_before_sending_when_it_cannot_be_right() {
    let api = DepositApi::new(config());
    assert!(matches!(
        api.create_deposit_request("S1 001", Satang::new(100)),
        Err(ProviderError::InvalidRequest(_))
    ));
    assert!(api.create_deposit_request("S1-1", Satang::ZERO).is_err());
    let unconfigured = DepositApi::new(DepositConfig::default());
    assert!(matches!(
        unconfigured.create_deposit_request("S1-1", Satang::new(100)),
        Err(ProviderError::Config(_))
    ));
}

#[test]
fn each_attempt_gets_a_new_order_id_that_names_its_sale() {
    assert_eq!(order_id("S1001", 1).expect("valid"), "S1001-1");
    assert_eq!(order_id("S1001", 2).expect("valid"), "S1001-2");
    assert_eq!(sale_of("S1001-2"), Some(("S1001", 2)));
    assert_eq!(sale_of("2025-07-01-S9-3"), Some(("2025-07-01-S9", 3)));
    assert_eq!(sale_of("S1001"), None);
    assert_eq!(sale_of("S1001-x"), None);
    assert!(order_id("", 1).is_err());
    assert!(order_id("S 1", 1).is_err());
}

#[test]
fn create_replies() {
    let requested = Satang::new(803_200);
    match parse_create_deposit_reply(&fixture(200, "create_ok.json"), "S1001-1", requested) {
        QrCreateOutcome::Created(created) => {
            assert_eq!(
                created.provider_ref,
                "LMAJSG-1751351217947-20250701132657-bc0512"
            );
            assert_eq!(created.amount, requested);
            assert!(created.display.image_base64.is_some());
            assert!(created.display.image_url.is_some());
            assert_eq!(
                created.expiry,
                QrExpiry::At {
                    unix_seconds: 1_751_352_117,
                    raw: "2025-07-01T13:41:57.906176+07:00".into()
                }
            );
        }
        other => panic!("expected created, got {other:?}"),
    }
    match parse_create_deposit_reply(
        &fixture(200, "create_amount_adjusted.json"),
        "S1001-1",
        Satang::new(10_000),
    ) {
        QrCreateOutcome::Created(created) => {
            assert_eq!(created.requested, Satang::new(10_000));
            assert_eq!(
                created.amount,
                Satang::new(10_037),
                "the provider's adjusted amount is what the customer is shown (§3.1)"
            );
            assert_eq!(created.display.image_base64, None, "empty image dropped");
        }
        other => panic!("expected created, got {other:?}"),
    }
    assert!(matches!(
        parse_create_deposit_reply(&fixture(200, "create_bank_transfer_no_qr.json"), "S1001-1", Satang::new(10_000)),
        QrCreateOutcome::Created(created) if created.display.image_base64.is_none()
    ));
    // Echo of another order: never shown.
    assert!(matches!(
        parse_create_deposit_reply(&fixture(200, "create_ok.json"), "S1001-2", requested),
        QrCreateOutcome::Unknown(_)
    ));
}

#[test]
fn create_errors_are_rejections_or_unknown() {
    let cases = [
        (422, "create_422_validation.json", RejectKind::Configuration),
        (
            409,
            "create_409_duplicate.json",
            RejectKind::InvalidReference,
        ),
        (401, "create_401_bad_token.json", RejectKind::Credentials),
    ];
    for (status, name, kind) in cases {
        match parse_create_deposit_reply(&fixture(status, name), "S1001-1", Satang::new(100)) {
            QrCreateOutcome::Rejected(rejection) => {
                assert_eq!(rejection.kind, kind, "{name}");
                assert_eq!(rejection.code, format!("HTTP {status}"));
            }
            other => panic!("{name}: expected rejected, got {other:?}"),
        }
    }
    let unknowns = [
        (403, "cloudflare_403.html"),
        (502, "html_502.html"),
        (200, "html_502.html"),
        (200, "create_undocumented_status.json"),
        (429, "create_409_duplicate.json"),
    ];
    for (status, name) in unknowns {
        match parse_create_deposit_reply(&fixture(status, name), "S1001-1", Satang::new(100)) {
            QrCreateOutcome::Unknown(unknown) => assert_eq!(
                unknown.next_step,
                QrNextStep::CreateWithNewReference,
                "{name}: a new order_id settles it (§8)"
            ),
            other => panic!("{name} ({status}): expected unknown, got {other:?}"),
        }
    }
    assert!(matches!(
        parse_create_deposit_reply(&fixture(502, "html_502.html"), "S1-1", Satang::new(1)),
        QrCreateOutcome::Unknown(unknown) if unknown.reason == UnknownReason::ServerError { status: 502 }
    ));
}

#[test]
fn cancel_and_resend_replies() {
    assert_eq!(
        parse_cancel_deposit_reply(&fixture(200, "cancel_ok.json")),
        QrCancelOutcome::Cancelled
    );
    assert!(matches!(
        parse_cancel_deposit_reply(&fixture(200, "cancel_refused.json")),
        QrCancelOutcome::Rejected(_)
    ));
    assert!(matches!(
        parse_cancel_deposit_reply(&fixture(502, "html_502.html")),
        QrCancelOutcome::Unknown(_)
    ));
    assert_eq!(
        parse_resend_callback_reply(&fixture(200, "resend_ok.json")),
        Ok(())
    );
    assert!(matches!(
        parse_resend_callback_reply(&fixture(400, "resend_not_final_400.json")),
        Err(ProviderError::Rejected(_))
    ));
}

#[test]
fn callback_statuses() {
    let paid = parse_callback(&body("callback_auto_success.json")).expect("valid");
    match paid.status() {
        QrPaymentStatus::Paid(paid) => {
            assert_eq!(paid.amount, Satang::new(803_200));
            assert_eq!(paid.fee, Some(Satang::new(10_843)));
        }
        other => panic!("expected paid, got {other:?}"),
    }
    assert_eq!(paid.sale(), Some("S1001"));
    let manual =
        parse_callback(&body("callback_manual_success_orphan_attempt.json")).expect("valid");
    assert!(
        matches!(manual.status(), QrPaymentStatus::Paid(_)),
        "SUCCESS = paid too"
    );
    let processing = parse_callback(&body("callback_processing.json")).expect("valid");
    assert!(matches!(
        processing.status(),
        QrPaymentStatus::Pending { .. }
    ));
    let failed = parse_callback(&body("callback_failed.json")).expect("valid");
    assert!(matches!(failed.status(), QrPaymentStatus::Failed { .. }));
    let odd = parse_callback(&body("callback_undocumented_status.json")).expect("valid");
    assert!(matches!(odd.status(), QrPaymentStatus::Unknown { .. }));
    assert!(matches!(
        parse_callback(&body("callback_withdraw.json")),
        Err(QrCallbackError::Malformed(_))
    ));
    assert_eq!(
        parse_callback(&body("callback_missing_order_id.json")),
        Err(QrCallbackError::MissingField("txn_ref_order_id"))
    );
    assert!(parse_callback(b"<html>").is_err());
    let ack = acknowledge();
    assert_eq!((ack.status, ack.body.as_str()), (200, r#"{"status":"ok"}"#));
}

fn sale() -> SaleOrders {
    SaleOrders {
        sale: "S1001".into(),
        orders: vec![
            ExpectedOrder {
                reference: "S1001-1".into(),
                provider_ref: Some("LMAJSG-1751351217947-20250701132657-bc0512".into()),
                amount: Satang::new(803_200),
            },
            // The retry after a timeout: its ref_id was never seen (orphan, §8).
            ExpectedOrder {
                reference: "S1001-2".into(),
                provider_ref: None,
                amount: Satang::new(803_200),
            },
        ],
    }
}

#[test]
fn a_paid_callback_for_any_order_of_the_sale_is_recognised() {
    let sale = sale();
    for name in [
        "callback_auto_success.json",
        "callback_manual_success_orphan_attempt.json",
    ] {
        let event = parse_callback(&body(name)).expect("valid").event();
        let order = sale.match_event(&event).expect("belongs to the sale");
        assert_eq!(sale_of(&order.reference).map(|(s, _)| s), Some("S1001"));
    }
}

#[test]
fn forged_callbacks_are_refused() {
    let sale = sale();
    let wrong_amount = parse_callback(&body("callback_wrong_amount.json"))
        .expect("valid")
        .event();
    assert_eq!(
        sale.match_event(&wrong_amount),
        Err(CallbackMismatch::WrongAmount {
            expected: Satang::new(803_200),
            found: Satang::new(100)
        })
    );
    let unknown = parse_callback(&body("callback_unknown_order.json"))
        .expect("valid")
        .event();
    assert!(matches!(
        sale.match_event(&unknown),
        Err(CallbackMismatch::UnknownOrder { .. })
    ));
    let mut other_ref = parse_callback(&body("callback_auto_success.json"))
        .expect("valid")
        .event();
    other_ref.provider_ref = Some("FORGED".into());
    assert!(matches!(
        sale.match_event(&other_ref),
        Err(CallbackMismatch::ProviderRefDiffers { .. })
    ));
}

#[test]
fn debug_of_a_request_masks_the_secret_headers() {
    let request = DepositApi::new(config())
        .create_deposit_request("S1001-1", Satang::new(800_000))
        .expect("valid");
    let printed = format!("{request:?}");
    for secret in ["TOKEN", "APIKEY", "U0VDUkVUOlMxMDAxLTE6ODAwMC4wMA=="] {
        assert!(!printed.contains(secret), "{secret} leaked into {printed}");
    }
    assert!(
        printed.contains("***"),
        "secret headers print as ***: {printed}"
    );
}
