//! Tmweasy Mae Manee: exact requests, parsers over fixtures (tests/fixtures/tmweasy), the
//! countdown / cancel-after-expiry rule with an injected clock, and the QR amount check.

use std::time::Duration;

use base64::Engine as _;
use secrecy::SecretString;
use termdee_domain::Satang;
use termdee_providers::tmweasy::api::{
    parse_cancel_reply, parse_confirm_reply, parse_create_pay_reply, parse_detail_pay_reply,
};
use termdee_providers::tmweasy::{TmweasyApi, TmweasyConfig, TMWEASY_PRODUCTION_URL};
use termdee_providers::{
    Countdown, CountdownPhase, HttpReply, ProviderError, QrCancelOutcome, QrCreateOutcome,
    QrExpiry, QrImageCheck, QrNextStep, QrPaymentStatus, RejectKind, UnknownReason,
};
use url::Url;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/tmweasy/");

fn fixture(name: &str) -> HttpReply {
    let body = std::fs::read(format!("{FIXTURES}{name}")).expect("fixture exists");
    HttpReply::new(200, body)
}

fn api() -> TmweasyApi {
    TmweasyApi::new(TmweasyConfig {
        endpoint: Url::parse("http://127.0.0.1:9/api_mn.php").expect("url"),
        username: "shop".into(),
        password: SecretString::from("pw&1"),
        con_id: SecretString::from("C99"),
        customer_ip: "203.0.113.7".into(),
    })
}

#[test]
fn default_config_is_production_and_hides_secrets() {
    let config = TmweasyConfig {
        password: SecretString::from("hunter2"),
        con_id: SecretString::from("conn-secret"),
        ..TmweasyConfig::default()
    };
    assert_eq!(config.endpoint.as_str(), TMWEASY_PRODUCTION_URL);
    let debug = format!("{config:?}");
    assert!(
        !debug.contains("hunter2") && !debug.contains("conn-secret"),
        "{debug}"
    );
}

#[test]
fn create_pay_sends_whole_baht_in_the_query() {
    let request = api()
        .create_pay_request("S1001", Satang::new(5000))
        .expect("valid");
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(
        request.full_url().as_str(),
        "http://127.0.0.1:9/api_mn.php?username=shop&password=pw%261&con_id=C99&method=create_pay&amount=50&ref1=S1001"
    );
    assert_eq!(
        request.redacted_url(),
        "http://127.0.0.1:9/api_mn.php?username=shop&password=***&con_id=***&method=create_pay&amount=50&ref1=S1001"
    );
}

#[test]
fn satang_amounts_are_refused_before_sending() {
    let error = api()
        .create_pay_request("S1001", Satang::new(5050))
        .expect_err("50.50 has satang");
    assert!(
        matches!(&error, ProviderError::InvalidRequest(message) if message.contains("whole baht")),
        "{error}"
    );
    assert!(api().create_pay_request("S1001", Satang::ZERO).is_err());
    assert!(api().create_pay_request("", Satang::new(5000)).is_err());
}

#[test]
fn detail_confirm_and_cancel_requests_are_exact() {
    let api = api();
    assert_eq!(
        api.detail_pay_request("123456").expect("valid").full_url().as_str(),
        "http://127.0.0.1:9/api_mn.php?username=shop&password=pw%261&con_id=C99&method=detail_pay&id_pay=123456&qr=1"
    );
    assert_eq!(
        api.confirm_request("123456").expect("valid").full_url().as_str(),
        "http://127.0.0.1:9/api_mn.php?username=shop&password=pw%261&con_id=C99&method=confirm&id_pay=123456&ip=203.0.113.7"
    );
    let countdown = Countdown::from_remaining(600, Duration::from_secs(100));
    let expired_at = Duration::from_secs(701);
    assert_eq!(
        api.cancel_request("123456", &countdown, expired_at)
            .expect("expired")
            .full_url()
            .as_str(),
        "http://127.0.0.1:9/api_mn.php?username=shop&password=pw%261&con_id=C99&method=cancel&id_pay=123456"
    );
    assert!(
        api.confirm_request("12&x=1").is_err(),
        "id_pay is validated"
    );
}

#[test]
fn cancel_is_refused_before_expiry() {
    let countdown = Countdown::from_remaining(600, Duration::from_secs(100));
    for now in [100, 400, 700] {
        let error = api()
            .cancel_request("123456", &countdown, Duration::from_secs(now))
            .expect_err("not expired yet");
        assert!(
            matches!(&error, ProviderError::InvalidRequest(message) if message.contains("before it expires")),
            "{error}"
        );
    }
}

#[test]
fn countdown_phases_drive_polling_without_sleeping() {
    let bill = parse_detail_pay_reply(&fixture("detail_pay_ok.json"), "123456").expect("bill");
    let start = Duration::from_secs(5_000);
    let countdown = bill.countdown(start).expect("time_out given");
    let grace = Duration::from_secs(60);
    assert_eq!(
        countdown.phase(start + Duration::from_secs(599), grace),
        CountdownPhase::Open {
            remaining_seconds: 1
        }
    );
    assert_eq!(
        countdown.phase(start + Duration::from_secs(630), grace),
        CountdownPhase::Grace,
        "after expiry a last confirm may still find a late payment (tmweasy.md §3.3)"
    );
    assert_eq!(
        countdown.phase(start + Duration::from_secs(661), grace),
        CountdownPhase::Over
    );
}

#[test]
fn create_pay_replies() {
    let amount = Satang::new(5000);
    match parse_create_pay_reply(&fixture("create_pay_ok.json"), "S1001", amount) {
        QrCreateOutcome::Created(created) => {
            assert_eq!(created.provider_ref, "123456");
            assert_eq!(created.amount, amount);
        }
        other => panic!("expected created, got {other:?}"),
    }
    match parse_create_pay_reply(
        &fixture("create_pay_ok_string_status_numeric_id.json"),
        "S1001",
        amount,
    ) {
        QrCreateOutcome::Created(created) => assert_eq!(created.provider_ref, "123457"),
        other => panic!("expected created, got {other:?}"),
    }
    for name in [
        "create_pay_bad_amount.json",
        "create_pay_no_credit_string_status.json",
    ] {
        match parse_create_pay_reply(&fixture(name), "S1001", amount) {
            QrCreateOutcome::Rejected(rejection) => {
                assert_eq!(rejection.kind, RejectKind::Unclassified);
                assert!(!rejection.message.is_empty(), "the Thai msg is kept");
            }
            other => panic!("{name}: expected rejected, got {other:?}"),
        }
    }
    for name in [
        "create_pay_undocumented_status.json",
        "html_error.html",
        "truncated.json",
    ] {
        match parse_create_pay_reply(&fixture(name), "S1001", amount) {
            QrCreateOutcome::Unknown(unknown) => {
                assert_eq!(unknown.next_step, QrNextStep::CreateAgain, "{name}")
            }
            other => panic!("{name}: expected unknown, got {other:?}"),
        }
    }
    let server_error = HttpReply::new(502, b"Bad Gateway".to_vec());
    assert!(matches!(
        parse_create_pay_reply(&server_error, "S1001", amount),
        QrCreateOutcome::Unknown(unknown) if unknown.reason == UnknownReason::ServerError { status: 502 }
    ));
}

#[test]
fn detail_pay_reads_both_image_spellings_and_time_out() {
    let bill = parse_detail_pay_reply(&fixture("detail_pay_ok.json"), "123456").expect("bill");
    assert_eq!(bill.time_out, Some(600));
    assert_eq!(bill.amount, Some(Satang::new(5000)));
    assert!(bill.qr_base64_image.is_some());
    let created = bill.into_created("S1001", Satang::new(5000));
    assert_eq!(created.expiry, QrExpiry::Remaining { seconds: 600 });
    assert!(created.display.link.is_some(), "urlpay is shown too");

    let sibling = parse_detail_pay_reply(
        &fixture("detail_pay_expired_sibling_spelling.json"),
        "123456",
    )
    .expect("bill");
    assert_eq!(sibling.time_out, Some(-5), "negative = expired (§3.2)");
    assert!(
        sibling.qr_base64_image.is_some(),
        "qr_image_base64 accepted"
    );
    assert!(sibling
        .countdown(Duration::from_secs(1))
        .expect("countdown")
        .is_expired(Duration::from_secs(1)));

    assert!(matches!(
        parse_detail_pay_reply(&fixture("detail_pay_unknown_id.json"), "1"),
        Err(ProviderError::Rejected(_))
    ));
    assert!(matches!(
        parse_detail_pay_reply(&fixture("html_error.html"), "1"),
        Err(ProviderError::UnexpectedReply(_))
    ));
}

#[test]
fn confirm_status_zero_is_not_yet_never_failure() {
    for name in ["confirm_paid.json", "confirm_paid_string_status.json"] {
        match parse_confirm_reply(&fixture(name), "123456").expect("readable") {
            QrPaymentStatus::Paid(paid) => {
                assert_eq!(paid.amount, Satang::new(5000), "{name}");
                assert_eq!(paid.provider_ref.as_deref(), Some("123456"));
                assert_eq!(paid.reference.as_deref(), Some("S1001"));
            }
            other => panic!("{name}: expected paid, got {other:?}"),
        }
    }
    for name in ["confirm_not_yet.json", "confirm_expired.json"] {
        let status = parse_confirm_reply(&fixture(name), "123456").expect("readable");
        assert!(
            matches!(status, QrPaymentStatus::Pending { .. }),
            "{name}: status 0 means not (yet) found, got {status:?}"
        );
    }
    for name in [
        "confirm_paid_without_amount.json",
        "confirm_undocumented_status.json",
    ] {
        let status = parse_confirm_reply(&fixture(name), "123456").expect("readable");
        assert!(
            matches!(status, QrPaymentStatus::Unknown { .. }),
            "{name}: {status:?}"
        );
        assert!(!status.is_terminal());
    }
    assert!(parse_confirm_reply(&fixture("html_error.html"), "1").is_err());
}

#[test]
fn cancel_replies() {
    assert_eq!(
        parse_cancel_reply(&fixture("cancel_ok.json")),
        QrCancelOutcome::Cancelled
    );
    assert!(matches!(
        parse_cancel_reply(&fixture("cancel_not_expired.json")),
        QrCancelOutcome::Rejected(_)
    ));
    assert!(matches!(
        parse_cancel_reply(&fixture("html_error.html")),
        QrCancelOutcome::Unknown(_)
    ));
}

fn promptpay_png_base64(amount: Satang) -> String {
    let target =
        termdee_promptpay::Target::parse_id("0812345678").expect("a valid PromptPay mobile");
    let payload = termdee_promptpay::payload(&target, Some(amount)).expect("payload");
    let png = termdee_promptpay::render::png(&payload, &Default::default()).expect("png");
    base64::engine::general_purpose::STANDARD.encode(png)
}

#[test]
fn an_emvco_qr_with_another_amount_is_flagged() {
    let image = promptpay_png_base64(Satang::new(6000));
    let body = format!(
        r#"{{"status":1,"ref1":"S1001","amount":50,"urlpay":"u","time_out":600,"qr_base64_image":"{image}"}}"#
    );
    let bill = parse_detail_pay_reply(&HttpReply::new(200, body.into_bytes()), "1").expect("bill");
    let created = bill
        .into_created("S1001", Satang::new(5000))
        .with_qr_check();
    assert!(
        matches!(
            created.qr_check,
            Some(QrImageCheck::Emv { crc_ok: true, .. })
        ),
        "{:?}",
        created.qr_check
    );
    assert_eq!(
        created.amount_mismatch,
        Some((Satang::new(5000), Satang::new(6000)))
    );
}

#[test]
fn an_emvco_qr_with_the_right_amount_passes_and_data_uris_are_read() {
    let image = format!(
        "data:image/png;base64,{}",
        promptpay_png_base64(Satang::new(5000))
    );
    let check = termdee_providers::check_qr_image(&image);
    assert!(
        matches!(check, QrImageCheck::Emv { amount: Some(found), .. } if found == Satang::new(5000)),
        "{check:?}"
    );
    assert_eq!(check.amount_mismatch(Satang::new(5000)), None);
    let bill = parse_detail_pay_reply(&fixture("detail_pay_ok.json"), "1").expect("bill");
    let created = bill
        .into_created("S1001", Satang::new(5000))
        .with_qr_check();
    assert!(matches!(
        created.qr_check,
        Some(QrImageCheck::Undecodable { .. })
    ));
    assert_eq!(created.amount_mismatch, None, "no QR, no claim");
}
