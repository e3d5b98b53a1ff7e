//! BluePay WebPay: the signed envelope (SHA256withRSA over the exact `param`), parsers over
//! fixtures (tests/fixtures/bluepay), and notifications verified before they are trusted.
//!
//! RSA keys are generated in the test, once per test binary (a `OnceLock`): 2048-bit, as the
//! BluePay examples' signatures are (dependencies are built with opt-level 2, so this takes
//! about a second).

use std::sync::OnceLock;

use base64::Engine as _;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};
use secrecy::SecretString;
use sha2::Sha256;
use termdee_domain::Satang;
use termdee_providers::bluepay::api::{
    acknowledge, parse_detail_reply, parse_generate_reply, validate_mch_order_id,
};
use termdee_providers::bluepay::{BluePayApi, BluePayConfig, BLUEPAY_ACK};
use termdee_providers::{
    Body, CallbackMismatch, ExpectedOrder, HttpReply, ProviderError, QrCallbackError,
    QrCreateOutcome, QrExpiry, QrNextStep, QrPaymentRequest, QrPaymentStatus, RejectKind,
    SaleOrders, UnknownReason,
};
use url::Url;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/bluepay/");

struct Keys {
    merchant: RsaPrivateKey,
    bluepay: RsaPrivateKey,
    stranger: RsaPrivateKey,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut rng = rsa::rand_core::OsRng;
        let mut key = || RsaPrivateKey::new(&mut rng, 2048).expect("RSA key generation");
        Keys {
            merchant: key(),
            bluepay: key(),
            stranger: key(),
        }
    })
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn config() -> BluePayConfig {
    let keys = keys();
    BluePayConfig {
        base_url: Url::parse("http://127.0.0.1:9/").expect("url"),
        app_id: "6e2d4b6f926c44f8ab4e0f5c76cdec69".into(),
        merchant_private_key: SecretString::from(b64(keys
            .merchant
            .to_pkcs8_der()
            .expect("pkcs8")
            .as_bytes())),
        bluepay_public_key: b64(RsaPublicKey::from(&keys.bluepay)
            .to_public_key_der()
            .expect("spki")
            .as_bytes()),
        notify_url: Url::parse("http://127.0.0.1:8/bluepay").expect("url"),
        redirect_url: Url::parse("http://127.0.0.1:8/done").expect("url"),
        channel_code: "TRUEMONEY_URL".into(),
        customer_name: "Termdee kiosk".into(),
        email: "kiosk@example.com".into(),
        mobile: "0812345678".into(),
        expire_seconds: Some(600),
    }
}

fn api() -> BluePayApi {
    BluePayApi::new(config()).expect("keys load")
}

fn text(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}{name}")).expect("fixture exists")
}

fn fixture(name: &str) -> HttpReply {
    HttpReply::new(200, text(name).into_bytes())
}

/// A notification body signed by `key` over `param`.
fn signed(param: &str, key: &RsaPrivateKey) -> Vec<u8> {
    let signature = SigningKey::<Sha256>::new(key.clone()).sign(param.as_bytes());
    serde_json::to_vec(&serde_json::json!({"sign": b64(&signature.to_bytes()), "param": param}))
        .expect("json")
}

#[test]
fn generate_is_a_signed_envelope_over_the_exact_param() {
    let request = api()
        .generate_request(
            &QrPaymentRequest {
                reference: "S1001".into(),
                amount: Satang::new(5000),
            },
            1_715_099_419_000,
        )
        .expect("valid");
    assert_eq!(
        request.url.as_str(),
        "http://127.0.0.1:9/open-api/webpay/generate"
    );
    let Body::Json(json) = &request.body else {
        panic!("JSON body expected");
    };
    assert_eq!(json["appId"], "6e2d4b6f926c44f8ab4e0f5c76cdec69");
    let param = json["param"].as_str().expect("param is a JSON string");
    assert_eq!(
        param,
        r#"{"timestamp":1715099419000,"channelCode":"TRUEMONEY_URL","mchOrderId":"S1001","amount":5000,"notifyUrl":"http://127.0.0.1:8/bluepay","redirectUrl":"http://127.0.0.1:8/done","customerName":"Termdee kiosk","email":"kiosk@example.com","mobile":"0812345678","expireSeconds":600}"#
    );
    let sign = base64::engine::general_purpose::STANDARD
        .decode(json["sign"].as_str().expect("sign"))
        .expect("base64 sign");
    assert_eq!(sign.len(), 256, "a 2048-bit signature");
    let verifying = VerifyingKey::<Sha256>::new(RsaPublicKey::from(&keys().merchant));
    let signature = Signature::try_from(sign.as_slice()).expect("signature");
    verifying
        .verify(param.as_bytes(), &signature)
        .expect("SHA256withRSA over the exact param bytes");
    assert!(
        verifying
            .verify(format!("{param} ").as_bytes(), &signature)
            .is_err(),
        "one byte more and it no longer verifies"
    );
}

#[test]
fn detail_is_signed_too() {
    let request = api().detail_request("S1001", 1).expect("valid");
    let Body::Json(json) = &request.body else {
        panic!("JSON body expected");
    };
    assert_eq!(json["param"], r#"{"timestamp":1,"mchOrderId":"S1001"}"#);
    assert_eq!(request.url.path(), "/open-api/webpay/detail");
}

#[test]
fn mch_order_ids_are_validated() {
    assert!(validate_mch_order_id("S1001").is_ok());
    assert!(validate_mch_order_id(&"A".repeat(32)).is_ok());
    for bad in ["", "S-1001", "S 1", "ส1", &"A".repeat(33)] {
        assert!(
            matches!(
                validate_mch_order_id(bad),
                Err(ProviderError::InvalidRequest(_))
            ),
            "{bad:?}"
        );
        assert!(api()
            .generate_request(
                &QrPaymentRequest {
                    reference: bad.to_owned(),
                    amount: Satang::new(100)
                },
                1
            )
            .is_err());
    }
}

#[test]
fn keys_are_read_as_base64_der_or_pem_and_never_printed() {
    let keys = keys();
    let pem = config();
    let pem = BluePayConfig {
        merchant_private_key: SecretString::from(
            keys.merchant
                .to_pkcs8_pem(LineEnding::LF)
                .expect("pem")
                .to_string(),
        ),
        ..pem
    };
    let debug = format!("{pem:?}");
    assert!(
        !debug.contains("PRIVATE KEY") && debug.contains("***"),
        "{debug}"
    );
    let api = BluePayApi::new(pem).expect("PEM accepted");
    assert!(!format!("{api:?}").contains("PRIVATE"));
    let broken = BluePayConfig {
        merchant_private_key: SecretString::from("bm90IGEga2V5"),
        ..config()
    };
    assert!(matches!(
        BluePayApi::new(broken),
        Err(ProviderError::Config(_))
    ));
}

#[test]
fn generate_replies() {
    let amount = Satang::new(5000);
    match parse_generate_reply(&fixture("generate_ok.json"), "S1001", amount) {
        QrCreateOutcome::Created(created) => {
            assert_eq!(created.provider_ref, "C1218702956934697612");
            assert!(created
                .display
                .link
                .as_deref()
                .is_some_and(|url| url.starts_with("https://tmn-dev.app.link/")));
            assert_eq!(created.amount, amount);
            assert!(matches!(
                created.expiry,
                QrExpiry::At {
                    unix_seconds: 1_715_103_019,
                    ..
                }
            ));
        }
        other => panic!("expected created, got {other:?}"),
    }
    assert!(matches!(
        parse_generate_reply(&fixture("generate_ok_string_code_no_expiry.json"), "S1001", amount),
        QrCreateOutcome::Created(created) if created.expiry == QrExpiry::Unknown { raw: None }
    ));
    assert_eq!(
        parse_generate_reply(&fixture("generate_duplicate_21007.json"), "S1001", amount),
        QrCreateOutcome::AlreadyExists {
            reference: "S1001".into()
        }
    );
    for (name, kind) in [
        ("generate_sign_error_21001.json", RejectKind::Configuration),
        (
            "generate_amount_exceeds_21010.json",
            RejectKind::InvalidAmount,
        ),
    ] {
        assert!(
            matches!(parse_generate_reply(&fixture(name), "S1001", amount), QrCreateOutcome::Rejected(r) if r.kind == kind),
            "{name}"
        );
    }
    for name in [
        "generate_server_error_21000.json",
        "generate_rate_limited_21020.json",
        "generate_undocumented_21026.json",
        "generate_ok_without_pay_url.json",
        "html_502.html",
    ] {
        match parse_generate_reply(&fixture(name), "S1001", amount) {
            QrCreateOutcome::Unknown(unknown) => {
                assert_eq!(unknown.next_step, QrNextStep::ResendSameReference, "{name}")
            }
            other => panic!("{name}: expected unknown, got {other:?}"),
        }
    }
    let gateway = HttpReply::new(502, text("html_502.html").into_bytes());
    assert!(matches!(
        parse_generate_reply(&gateway, "S1001", amount),
        QrCreateOutcome::Unknown(unknown) if unknown.reason == UnknownReason::ServerError { status: 502 }
    ));
}

#[test]
fn detail_replies() {
    let completed = parse_detail_reply(&fixture("detail_completed.json")).expect("order");
    assert!(matches!(
        completed.status("S1001"),
        QrPaymentStatus::Paid(paid) if paid.amount == Satang::new(5000)
    ));
    let pending = parse_detail_reply(&fixture("detail_pending.json")).expect("order");
    assert!(matches!(
        pending.status("S1001"),
        QrPaymentStatus::Pending { .. }
    ));
    let created = pending
        .into_created("S1001", Satang::new(5000))
        .expect("a pending order is shown again after 21007");
    assert!(created.display.link.is_some());
    let failed = parse_detail_reply(&fixture("detail_failed.json")).expect("order");
    assert!(matches!(
        failed.status("S1001"),
        QrPaymentStatus::Failed { .. }
    ));
    assert!(matches!(
        parse_detail_reply(&fixture("detail_not_found_21006.json")),
        Err(ProviderError::Rejected(r)) if r.kind == RejectKind::NotFound
    ));
    assert!(parse_detail_reply(&fixture("html_502.html")).is_err());
}

#[test]
fn a_notification_signed_by_bluepay_is_accepted_and_acknowledged_exactly() {
    let param = text("notify_param_success.json");
    let notification = api()
        .verify_notification(&signed(&param, &keys().bluepay))
        .expect("verified");
    assert_eq!(
        notification.param, param,
        "the signed text is kept verbatim"
    );
    let event = notification.event();
    assert!(matches!(
        event.status,
        QrPaymentStatus::Paid(ref paid) if paid.amount == Satang::new(5000)
    ));
    let sale = SaleOrders {
        sale: "S1001".into(),
        orders: vec![ExpectedOrder {
            reference: "S1001".into(),
            provider_ref: None,
            amount: Satang::new(5000),
        }],
    };
    assert!(sale.match_event(&event).is_ok());
    let ack = acknowledge();
    assert_eq!(ack.body, r#"{"code":10000,"message":"Success"}"#);
    assert_eq!(ack.body, BLUEPAY_ACK);
    assert_eq!(ack.status, 200);

    let failed = api()
        .verify_notification(&signed(&text("notify_param_failed.json"), &keys().bluepay))
        .expect("verified");
    assert!(matches!(
        failed.status(),
        QrPaymentStatus::Failed { code: Some(ref code), .. } if code == "-10000"
    ));
}

#[test]
fn forged_notifications_are_refused() {
    let api = api();
    let param = text("notify_param_success.json");
    // Signed by someone else (or by us: only BluePay's key counts).
    for key in [&keys().stranger, &keys().merchant] {
        assert_eq!(
            api.verify_notification(&signed(&param, key)),
            Err(QrCallbackError::BadSignature)
        );
    }
    // A genuine signature over another param (amount altered after signing).
    let genuine: serde_json::Value =
        serde_json::from_slice(&signed(&param, &keys().bluepay)).expect("json");
    let altered = serde_json::json!({
        "sign": genuine["sign"],
        "param": param.replace("5000", "500000"),
    });
    assert_eq!(
        api.verify_notification(altered.to_string().as_bytes()),
        Err(QrCallbackError::BadSignature)
    );
    // Re-serialised param (same fields, other spacing) does not verify either: raw bytes only.
    let reserialised = serde_json::json!({
        "sign": genuine["sign"],
        "param": serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(&param).expect("json")).expect("json"),
    });
    assert_eq!(
        api.verify_notification(reserialised.to_string().as_bytes()),
        Err(QrCallbackError::BadSignature)
    );
    // No sign, garbage sign, param as an object.
    assert_eq!(
        api.verify_notification(serde_json::json!({"param": param}).to_string().as_bytes()),
        Err(QrCallbackError::BadSignature)
    );
    assert_eq!(
        api.verify_notification(
            serde_json::json!({"sign": "!!", "param": param})
                .to_string()
                .as_bytes()
        ),
        Err(QrCallbackError::BadSignature)
    );
    assert!(matches!(
        api.verify_notification(br#"{"sign":"AA==","param":{"mchOrderId":"S1001"}}"#),
        Err(QrCallbackError::Malformed(_))
    ));
}

#[test]
fn verified_notifications_with_a_wrong_amount_or_order_are_not_applied() {
    let sale = SaleOrders {
        sale: "S1001".into(),
        orders: vec![ExpectedOrder {
            reference: "S1001".into(),
            provider_ref: None,
            amount: Satang::new(5000),
        }],
    };
    let api = api();
    let wrong_amount = api
        .verify_notification(&signed(
            &text("notify_param_wrong_amount.json"),
            &keys().bluepay,
        ))
        .expect("verified");
    assert!(matches!(
        sale.match_event(&wrong_amount.event()),
        Err(CallbackMismatch::WrongAmount { .. })
    ));
    let unknown_order = api
        .verify_notification(&signed(
            &text("notify_param_unknown_order.json"),
            &keys().bluepay,
        ))
        .expect("verified");
    assert!(matches!(
        sale.match_event(&unknown_order.event()),
        Err(CallbackMismatch::UnknownOrder { .. })
    ));
}
