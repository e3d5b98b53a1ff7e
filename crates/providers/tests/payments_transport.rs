//! The payment clients over real HTTP on 127.0.0.1 (the scripted server of `common`): the
//! multi-step flows (Tmweasy create = create_pay + detail_pay, cancel only after expiry;
//! BluePay 21007 → detail) and unknown outcomes on timeouts.

mod common;

use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine as _;
use common::{json, spawn, spawn_with, Behaviour};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey};
use rsa::{RsaPrivateKey, RsaPublicKey};
use secrecy::SecretString;
use termdee_domain::Satang;
use termdee_providers::{
    BluePayClient, BluePayConfig, DepositClient, DepositConfig, ProviderError, QrCreateOutcome,
    QrExpiry, QrNextStep, QrPaymentRef, QrPaymentRequest, QrPaymentStatus, QrPayments,
    TmweasyClient, TmweasyConfig, Transport, TransportConfig,
};

fn transport() -> Transport {
    Transport::new(TransportConfig {
        connect_timeout: Duration::from_secs(5),
        total_timeout: Duration::from_secs(10),
        ..TransportConfig::default()
    })
    .expect("transport")
}

fn tmweasy(server: &common::Server) -> TmweasyClient {
    TmweasyClient::new(
        TmweasyConfig {
            endpoint: server.url("api_mn.php"),
            username: "shop".into(),
            password: SecretString::from("pw"),
            con_id: SecretString::from("C1"),
            customer_ip: "203.0.113.7".into(),
        },
        transport(),
    )
}

fn request(reference: &str, satang: i64) -> QrPaymentRequest {
    QrPaymentRequest {
        reference: reference.into(),
        amount: Satang::new(satang),
    }
}

fn emv_png_base64(amount: Satang) -> String {
    let target = termdee_promptpay::Target::parse_id("0812345678").expect("mobile");
    let payload = termdee_promptpay::payload(&target, Some(amount)).expect("payload");
    let png = termdee_promptpay::render::png(&payload, &Default::default()).expect("png");
    base64::engine::general_purpose::STANDARD.encode(png)
}

#[tokio::test]
async fn tmweasy_create_reads_the_bill_and_checks_the_qr() {
    let image = emv_png_base64(Satang::new(5100));
    let server = spawn_with(move |received| {
        if received.request_line.contains("method=create_pay") {
            json(r#"{"status":"1","id_pay":77}"#)
        } else {
            json(&format!(
                r#"{{"status":1,"ref1":"S1","amount":50,"urlpay":"http://x/bill/77","time_out":600,"qr_base64_image":"{image}"}}"#
            ))
        }
    })
    .await;
    let outcome = tmweasy(&server)
        .create(&request("S1", 5000))
        .await
        .expect("sent");
    let QrCreateOutcome::Created(created) = outcome else {
        panic!("expected created, got {outcome:?}");
    };
    assert_eq!(created.provider_ref, "77");
    assert_eq!(created.expiry, QrExpiry::Remaining { seconds: 600 });
    assert_eq!(
        created.amount_mismatch,
        Some((Satang::new(5000), Satang::new(5100))),
        "the QR asks for 51.00 while the bill says 50.00"
    );
    let lines: Vec<String> = server
        .received()
        .into_iter()
        .map(|r| r.request_line)
        .collect();
    assert!(lines[0].starts_with("GET /api_mn.php?username=shop&password=pw&con_id=C1&method=create_pay&amount=50&ref1=S1 "), "{lines:?}");
    assert!(
        lines[1].contains("method=detail_pay&id_pay=77&qr=1"),
        "{lines:?}"
    );
}

#[tokio::test]
async fn tmweasy_cancel_before_expiry_sends_no_cancel() {
    let server = spawn(json(r#"{"status":1,"amount":50,"time_out":120}"#)).await;
    let payment = QrPaymentRef {
        reference: "S1".into(),
        provider_ref: Some("77".into()),
    };
    let error = tmweasy(&server)
        .cancel(&payment)
        .await
        .expect_err("not expired");
    assert!(matches!(error, ProviderError::InvalidRequest(_)), "{error}");
    let received = server.received();
    assert_eq!(received.len(), 1, "only detail_pay was sent");
    assert!(received[0].request_line.contains("method=detail_pay"));
}

#[tokio::test]
async fn tmweasy_cancel_after_expiry_and_confirm_not_yet() {
    let server = spawn_with(|received| {
        if received.request_line.contains("method=detail_pay") {
            json(r#"{"status":1,"amount":50,"time_out":-3}"#)
        } else if received.request_line.contains("method=confirm") {
            json(r#"{"status":0,"msg":"ยังไม่พบยอดโอน"}"#)
        } else {
            json(r#"{"status":1}"#)
        }
    })
    .await;
    let client = tmweasy(&server);
    let payment = QrPaymentRef {
        reference: "S1".into(),
        provider_ref: Some("77".into()),
    };
    assert!(matches!(
        client.query(&payment).await.expect("confirm"),
        QrPaymentStatus::Pending { .. }
    ));
    assert_eq!(
        client.cancel(&payment).await.expect("cancel"),
        termdee_providers::QrCancelOutcome::Cancelled
    );
}

#[tokio::test(start_paused = true)]
async fn a_create_that_times_out_is_unknown_with_the_provider_s_next_step() {
    let server = spawn(Behaviour::Hang).await;
    let outcome = tmweasy(&server)
        .create(&request("S1", 5000))
        .await
        .expect("sent");
    assert!(
        matches!(&outcome, QrCreateOutcome::Unknown(u) if u.next_step == QrNextStep::CreateAgain),
        "{outcome:?}"
    );
    let deposit = DepositClient::new(
        DepositConfig {
            base_url: server.url(""),
            token: SecretString::from("T"),
            api_key: SecretString::from("K"),
            secret_key: SecretString::from("S"),
            ref_account: "1".into(),
            ref_bank_code: "004".into(),
            ref_name_th: "ก".into(),
            ..DepositConfig::default()
        },
        transport(),
    );
    let outcome = deposit.create(&request("S1-1", 5000)).await.expect("sent");
    assert!(
        matches!(&outcome, QrCreateOutcome::Unknown(u) if u.next_step == QrNextStep::CreateWithNewReference),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn deposit_create_sends_the_three_headers() {
    let server = spawn(json(
        r#"{"status":"CREATED","ref_id":"R1","order_id":"S1-1","amount":50.37,"expire_time":"2025-07-01T13:41:57+07:00"}"#,
    ))
    .await;
    let deposit = DepositClient::new(
        DepositConfig {
            base_url: server.url(""),
            token: SecretString::from("T"),
            api_key: SecretString::from("K"),
            secret_key: SecretString::from("S"),
            ref_account: "1".into(),
            ref_bank_code: "004".into(),
            ref_name_th: "ก".into(),
            ..DepositConfig::default()
        },
        transport(),
    );
    let outcome = deposit.create(&request("S1-1", 5000)).await.expect("sent");
    assert!(
        matches!(&outcome, QrCreateOutcome::Created(c) if c.amount == Satang::new(5037)),
        "{outcome:?}"
    );
    let received = &server.received()[0];
    assert!(received
        .request_line
        .starts_with("POST /api/v1/client/create_deposit "));
    let headers = received.headers.to_ascii_lowercase();
    assert!(headers.contains("authorization: bearer t"), "{headers}");
    assert!(headers.contains("x-api-key: k"), "{headers}");
    // base64("S:S1-1:50.00")
    assert!(
        received.headers.contains("x-signature: UzpTMS0xOjUwLjAw"),
        "{}",
        received.headers
    );
    assert!(
        received.body.contains(r#""amount":"50.00""#),
        "{}",
        received.body
    );
}

fn keys() -> &'static (RsaPrivateKey, RsaPrivateKey) {
    static KEYS: OnceLock<(RsaPrivateKey, RsaPrivateKey)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut rng = rsa::rand_core::OsRng;
        (
            RsaPrivateKey::new(&mut rng, 2048).expect("key"),
            RsaPrivateKey::new(&mut rng, 2048).expect("key"),
        )
    })
}

#[tokio::test]
async fn bluepay_duplicate_leads_to_detail() {
    let server = spawn_with(|received| {
        if received.request_line.contains("/generate") {
            json(r#"{"code":21007,"message":"Duplicate merchant order id"}"#)
        } else {
            json(
                r#"{"code":10000,"message":"Success","data":{"mchOrderId":"S1","transactionId":"C1","amount":5000,"transactionStatus":"PENDING","payUrl":"https://pay.example/C1"}}"#,
            )
        }
    })
    .await;
    let (merchant, bluepay) = keys();
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let client = BluePayClient::new(
        BluePayConfig {
            base_url: server.url(""),
            app_id: "APP".into(),
            merchant_private_key: SecretString::from(b64(merchant
                .to_pkcs8_der()
                .expect("der")
                .as_bytes())),
            bluepay_public_key: b64(RsaPublicKey::from(bluepay)
                .to_public_key_der()
                .expect("der")
                .as_bytes()),
            notify_url: url::Url::parse("http://127.0.0.1:1/n").expect("url"),
            redirect_url: url::Url::parse("http://127.0.0.1:1/r").expect("url"),
            channel_code: "TRUEMONEY_URL".into(),
            customer_name: "Kiosk".into(),
            email: "k@example.com".into(),
            mobile: "0812345678".into(),
            expire_seconds: None,
        },
        transport(),
    )
    .expect("keys");
    let outcome = client.create(&request("S1", 5000)).await.expect("sent");
    assert!(
        matches!(&outcome, QrCreateOutcome::Created(c) if c.display.link.as_deref() == Some("https://pay.example/C1")),
        "{outcome:?}"
    );
    let received = server.received();
    assert_eq!(received.len(), 2);
    assert!(received[1]
        .request_line
        .starts_with("POST /open-api/webpay/detail "));
}
