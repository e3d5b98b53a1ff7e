//! The payment-provider contract suite: the real `termdee-providers` clients (Tmweasy,
//! Deposit-QR, BluePay) against their simulators over real HTTP on 127.0.0.1.
//!
//! Each provider: create → pending → paid (by the simulator's control) → query says paid or the
//! callback verifies; expiry → cancel / failed; timeout after create → unknown → settled;
//! duplicates; HTML / 5xx / malformed → unknown; forged callbacks rejected.

mod common;

use std::time::Duration;

use common::{wait_until, JsonReceiver};
use secrecy::SecretString;
use termdee_domain::Satang;
use termdee_providers::bluepay::{BluePayClient, BluePayConfig};
use termdee_providers::deposit_qr::{self, DepositClient, DepositConfig};
use termdee_providers::tmweasy::{TmweasyClient, TmweasyConfig};
use termdee_providers::{
    CallbackMismatch, ExpectedOrder, ProviderError, QrCallbackError, QrCallbacks, QrCancelOutcome,
    QrCreateOutcome, QrCreated, QrExpiry, QrNextStep, QrPaymentRef, QrPaymentRequest,
    QrPaymentStatus, QrPayments, SaleOrders, Transport, TransportConfig,
};
use termdee_sim::bluepay::{DEMO_MERCHANT_PRIVATE_KEY_PEM, DEMO_PROVIDER_PUBLIC_KEY_PEM};
use termdee_sim::deposit_qr::AmountAdjust;
use termdee_sim::tmweasy::TmweasyState;
use termdee_sim::{
    BluepayConfig, BluepaySim, DepositQrConfig, DepositQrSim, Fault, Forgery, Op,
    TmweasyConfig as TmweasySimConfig, TmweasySim,
};
use url::Url;

const BLUEPAY_ACK: &str = r#"{"code":10000,"message":"Success"}"#;

fn transport() -> Transport {
    Transport::new(TransportConfig {
        connect_timeout: Duration::from_secs(2),
        total_timeout: Duration::from_millis(800),
        ..TransportConfig::default()
    })
    .expect("transport")
}

fn url(text: &str) -> Url {
    Url::parse(text).expect("url")
}

fn request(reference: &str, satang: i64) -> QrPaymentRequest {
    QrPaymentRequest {
        reference: reference.to_owned(),
        amount: Satang::new(satang),
    }
}

fn created(outcome: QrCreateOutcome) -> QrCreated {
    match outcome {
        QrCreateOutcome::Created(created) => created,
        other => panic!("expected Created, got {other:?}"),
    }
}

fn unknown_step(outcome: &QrCreateOutcome) -> QrNextStep {
    match outcome {
        QrCreateOutcome::Unknown(unknown) => unknown.next_step,
        other => panic!("expected Unknown, got {other:?}"),
    }
}

fn payment_ref(created: &QrCreated) -> QrPaymentRef {
    QrPaymentRef {
        reference: created.reference.clone(),
        provider_ref: Some(created.provider_ref.clone()),
    }
}

fn paid_amount(status: &QrPaymentStatus) -> Satang {
    match status {
        QrPaymentStatus::Paid(paid) => paid.amount,
        other => panic!("expected Paid, got {other:?}"),
    }
}

/// The create faults that must all come back as an unknown outcome.
fn unknown_faults() -> Vec<Fault> {
    vec![
        Fault::ServerError { status: 502 },
        Fault::Html,
        Fault::Malformed,
        Fault::ExecuteThenDrop,
        Fault::ExecuteThenHold { ms: 1500 },
    ]
}

// ---------------------------------------------------------------------------------------------
// Tmweasy

async fn tmweasy() -> (TmweasySim, TmweasyClient) {
    let sim = TmweasySim::start(TmweasySimConfig::fast())
        .await
        .expect("start tmweasy sim");
    let client = TmweasyClient::new(
        TmweasyConfig {
            endpoint: url(&format!("{}/api_mn.php", sim.base_url())),
            username: "demo".to_owned(),
            password: SecretString::from("demo1234"),
            con_id: SecretString::from("100001"),
            customer_ip: "203.0.113.7".to_owned(),
        },
        transport(),
    );
    (sim, client)
}

#[tokio::test]
async fn tmweasy_create_pending_paid() {
    let (sim, client) = tmweasy().await;
    let bill = created(client.create(&request("SALE1", 5000)).await.expect("sent"));
    assert_eq!(bill.amount, Satang::new(5000));
    assert!(bill.display.image_base64.is_some(), "the QR picture");
    assert_eq!(
        bill.amount_mismatch, None,
        "the QR's tag 54 holds the amount"
    );
    assert!(
        matches!(bill.expiry, QrExpiry::Remaining { seconds } if (599..=600).contains(&seconds)),
        "{:?}",
        bill.expiry
    );
    let payment = payment_ref(&bill);
    let pending = client.query(&payment).await.expect("query");
    assert!(
        matches!(pending, QrPaymentStatus::Pending { .. }),
        "{pending:?}"
    );
    sim.pay(&bill.provider_ref, None).expect("customer pays");
    let paid = client.query(&payment).await.expect("query");
    assert_eq!(paid_amount(&paid), Satang::new(5000));
    let again = client.query(&payment).await.expect("query");
    assert_eq!(
        paid_amount(&again),
        Satang::new(5000),
        "confirm is repeatable"
    );
}

#[tokio::test]
async fn tmweasy_satang_amount_is_refused_before_sending() {
    let (sim, client) = tmweasy().await;
    let refused = client.create(&request("SALE2", 5050)).await;
    assert!(
        matches!(refused, Err(ProviderError::InvalidRequest(_))),
        "{refused:?}"
    );
    assert!(sim.bills().is_empty(), "nothing reached the provider");
}

#[tokio::test]
async fn tmweasy_expiry_then_cancel() {
    let (sim, client) = tmweasy().await;
    let bill = created(client.create(&request("SALE3", 2000)).await.expect("sent"));
    let payment = payment_ref(&bill);
    let early = QrPayments::cancel(&client, &payment).await;
    assert!(
        matches!(early, Err(ProviderError::InvalidRequest(_))),
        "the client refuses to cancel before expiry: {early:?}"
    );
    assert_eq!(sim.bills()[0].state, TmweasyState::Awaiting);
    sim.advance(Duration::from_secs(601));
    let late = client.query(&payment).await.expect("query");
    assert!(!matches!(late, QrPaymentStatus::Paid(_)), "{late:?}");
    let cancelled = QrPayments::cancel(&client, &payment).await.expect("cancel");
    assert!(
        matches!(cancelled, QrCancelOutcome::Cancelled),
        "{cancelled:?}"
    );
}

#[tokio::test]
async fn tmweasy_faults_are_unknown_and_create_again_settles() {
    let (sim, client) = tmweasy().await;
    for fault in unknown_faults() {
        sim.controls().script(Op::Order, fault.clone());
        let outcome = client.create(&request("SALE4", 1000)).await.expect("sent");
        assert_eq!(unknown_step(&outcome), QrNextStep::CreateAgain, "{fault:?}");
    }
    let bill = created(client.create(&request("SALE4", 1000)).await.expect("sent"));
    sim.pay(&bill.provider_ref, None).expect("pay");
    let paid = client.query(&payment_ref(&bill)).await.expect("query");
    assert_eq!(paid_amount(&paid), Satang::new(1000));
    assert_eq!(
        sim.controls().executions().len(),
        1,
        "orphans were never shown, so only the shown bill was paid"
    );
}

// ---------------------------------------------------------------------------------------------
// Deposit-QR

async fn deposit(callback: &str) -> (DepositQrSim, DepositClient) {
    let sim = DepositQrSim::start(DepositQrConfig {
        amount_adjust: AmountAdjust::Never,
        ..DepositQrConfig::fast()
    })
    .await
    .expect("start deposit-qr sim");
    let client = DepositClient::new(
        DepositConfig {
            base_url: url(&format!("{}/", sim.base_url())),
            token: SecretString::from("demo-bearer-token"),
            api_key: SecretString::from("0a1b2c3d4e5f60718293a4"),
            secret_key: SecretString::from("demo-secret-key"),
            callback_url: Some(url(callback)),
            ref_account: "1448702118".to_owned(),
            ref_bank_code: "004".to_owned(),
            ref_name_th: "ลูกค้า หน้าร้าน".to_owned(),
            ref_name_en: None,
            ref_user_id: String::new(),
        },
        transport(),
    );
    (sim, client)
}

fn sale_of(sale: &str, created: &[&QrCreated]) -> SaleOrders {
    SaleOrders {
        sale: sale.to_owned(),
        orders: created
            .iter()
            .map(|c| ExpectedOrder {
                reference: c.reference.clone(),
                provider_ref: Some(c.provider_ref.clone()),
                amount: c.amount,
            })
            .collect(),
    }
}

#[tokio::test]
async fn deposit_create_paid_callback_verified() {
    let receiver = JsonReceiver::start(r#"{"status":"ok"}"#).await;
    let (sim, client) = deposit(&receiver.url).await;
    let order_id = deposit_qr::order_id("S1", 1).expect("order id");
    let order = created(
        client
            .create(&request(&order_id, 10_000))
            .await
            .expect("sent"),
    );
    assert_eq!(order.amount, Satang::new(10_000));
    assert!(order.display.image_base64.is_some());
    assert!(
        matches!(order.expiry, QrExpiry::At { .. }),
        "{:?}",
        order.expiry
    );
    sim.pay(&order_id, None).expect("customer pays");
    wait_until("PROCESSING and AUTO_SUCCESS", || {
        receiver.bodies().len() == 2
    })
    .await;
    let sale = sale_of("S1", &[&order]);
    let mut statuses = Vec::new();
    for body in receiver.bodies() {
        let callback = client
            .parse_callback(Some("application/json"), body.as_bytes())
            .expect("a well-formed callback");
        let event = client.event(&callback);
        sale.match_event(&event)
            .expect("the callback belongs to the sale");
        statuses.push(event.status);
        assert_eq!(client.acknowledge(&callback).status, 200);
    }
    assert!(
        matches!(statuses[0], QrPaymentStatus::Pending { .. }),
        "{statuses:?}"
    );
    assert_eq!(paid_amount(&statuses[1]), Satang::new(10_000));
}

#[tokio::test]
async fn deposit_adjusted_amount_is_surfaced() {
    let (sim, client) = deposit("http://127.0.0.1:9/unused").await;
    sim.set_amount_adjust(AmountAdjust::Always { satang: 7 });
    let order = created(
        client
            .create(&request(
                &deposit_qr::order_id("S2", 1).expect("id"),
                10_000,
            ))
            .await
            .expect("sent"),
    );
    assert_eq!(order.requested, Satang::new(10_000));
    assert_eq!(
        order.amount,
        Satang::new(10_007),
        "show what the provider collects"
    );
    assert_eq!(
        order.amount_mismatch, None,
        "the QR asks for the adjusted amount"
    );
}

#[tokio::test]
async fn deposit_faults_unknown_then_a_new_order_id_duplicates_rejected() {
    let receiver = JsonReceiver::start("ok").await;
    let (sim, client) = deposit(&receiver.url).await;
    let mut attempt = 0;
    for fault in unknown_faults() {
        attempt += 1;
        sim.controls().script(Op::Order, fault.clone());
        let order_id = deposit_qr::order_id("S3", attempt).expect("id");
        let outcome = client
            .create(&request(&order_id, 5000))
            .await
            .expect("sent");
        assert_eq!(
            unknown_step(&outcome),
            QrNextStep::CreateWithNewReference,
            "{fault:?}"
        );
    }
    let replay = deposit_qr::order_id("S3", 3).expect("id");
    let duplicate = client.create(&request(&replay, 5000)).await.expect("sent");
    assert!(
        matches!(duplicate, QrCreateOutcome::Rejected(_)),
        "{duplicate:?}"
    );
    attempt += 1;
    let fresh = deposit_qr::order_id("S3", attempt).expect("id");
    let order = created(client.create(&request(&fresh, 5000)).await.expect("sent"));
    // The customer's transfer is matched to an orphan of the same sale: still the sale's.
    let orphan = sim.deposit(&replay).expect("the orphan exists");
    sim.pay(&orphan.ref_id, None).expect("pay");
    wait_until("callbacks", || receiver.bodies().len() == 2).await;
    let body = receiver.bodies().pop().expect("a body");
    let callback = client
        .parse_callback(Some("application/json"), body.as_bytes())
        .expect("parse");
    assert_eq!(
        callback.sale(),
        Some("S3"),
        "the orphan's order_id names the sale"
    );
    assert_eq!(order.reference, fresh);
}

#[tokio::test]
async fn deposit_expiry_fails_and_cancel() {
    let receiver = JsonReceiver::start("ok").await;
    let (sim, client) = deposit(&receiver.url).await;
    let first = created(
        client
            .create(&request(&deposit_qr::order_id("S4", 1).expect("id"), 3000))
            .await
            .expect("sent"),
    );
    let cancelled = client.cancel(&payment_ref(&first)).await.expect("cancel");
    assert!(
        matches!(cancelled, QrCancelOutcome::Cancelled),
        "{cancelled:?}"
    );
    let second = created(
        client
            .create(&request(&deposit_qr::order_id("S4", 2).expect("id"), 3000))
            .await
            .expect("sent"),
    );
    sim.advance(Duration::from_secs(15 * 60 + 1));
    wait_until("the FAILED callback", || receiver.bodies().len() == 1).await;
    let body = receiver.bodies().pop().expect("body");
    let callback = client
        .parse_callback(Some("application/json"), body.as_bytes())
        .expect("parse");
    let event = client.event(&callback);
    assert!(
        matches!(event.status, QrPaymentStatus::Failed { .. }),
        "{:?}",
        event.status
    );
    assert_eq!(event.reference, second.reference);
}

#[tokio::test]
async fn deposit_forged_callbacks_are_rejected() {
    let receiver = JsonReceiver::start("ok").await;
    let (sim, client) = deposit(&receiver.url).await;
    let order_id = deposit_qr::order_id("S5", 1).expect("id");
    let order = created(
        client
            .create(&request(&order_id, 2500))
            .await
            .expect("sent"),
    );
    let sale = sale_of("S5", &[&order]);
    for (forgery, expected) in [
        (Forgery::BadSignature, "provider ref"),
        (Forgery::WrongAmount, "amount"),
        (Forgery::UnknownOrder, "unknown"),
    ] {
        let before = receiver.bodies().len();
        sim.forge(&order_id, forgery).expect("forge");
        wait_until("the forged callback", || {
            receiver.bodies().len() == before + 1
        })
        .await;
        let body = receiver.bodies().pop().expect("body");
        let verdict = client
            .parse_callback(Some("application/json"), body.as_bytes())
            .map(|callback| sale.match_event(&client.event(&callback)).cloned());
        let mismatch = match verdict {
            Ok(Err(mismatch)) => mismatch,
            other => panic!("{forgery:?} must be rejected, got {other:?}"),
        };
        let matches = match mismatch {
            CallbackMismatch::ProviderRefDiffers { .. } => expected == "provider ref",
            CallbackMismatch::WrongAmount { .. } => expected == "amount",
            CallbackMismatch::UnknownOrder { .. } => expected == "unknown",
        };
        assert!(
            matches,
            "{forgery:?} rejected for the right reason: {mismatch:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// BluePay

async fn bluepay(notify: &str) -> (BluepaySim, BluePayClient) {
    let sim = BluepaySim::start(BluepayConfig::fast())
        .await
        .expect("start bluepay sim");
    let client = BluePayClient::new(
        BluePayConfig {
            base_url: url(&format!("{}/", sim.base_url())),
            app_id: "6e2d4b6f926c44f8ab4e0f5c76cdec69".to_owned(),
            merchant_private_key: SecretString::from(DEMO_MERCHANT_PRIVATE_KEY_PEM),
            bluepay_public_key: DEMO_PROVIDER_PUBLIC_KEY_PEM.to_owned(),
            notify_url: url(notify),
            redirect_url: url("http://127.0.0.1/done"),
            channel_code: "TRUEMONEY_URL".to_owned(),
            customer_name: "Kiosk customer".to_owned(),
            email: "kiosk@example.com".to_owned(),
            mobile: "0812345678".to_owned(),
            expire_seconds: Some(600),
        },
        transport(),
    )
    .expect("client");
    (sim, client)
}

#[tokio::test]
async fn bluepay_create_pending_paid_notification_verified() {
    let receiver = JsonReceiver::start(BLUEPAY_ACK).await;
    let (sim, client) = bluepay(&receiver.url).await;
    let order = created(client.create(&request("ORD1", 2300)).await.expect("sent"));
    assert_eq!(order.amount, Satang::new(2300));
    assert!(order
        .display
        .link
        .as_deref()
        .is_some_and(|l| l.contains("/cashier/")));
    let payment = payment_ref(&order);
    let pending = client.query(&payment).await.expect("query");
    assert!(
        matches!(pending, QrPaymentStatus::Pending { .. }),
        "{pending:?}"
    );
    sim.pay("ORD1", None).expect("customer pays");
    wait_until("the notification", || receiver.bodies().len() == 1).await;
    let body = receiver.bodies().pop().expect("body");
    let notification = client
        .parse_callback(Some("application/json"), body.as_bytes())
        .expect("the signature verifies");
    let event = client.event(&notification);
    sale_of("ORD1", &[&order])
        .match_event(&event)
        .expect("belongs to the sale");
    assert_eq!(paid_amount(&event.status), Satang::new(2300));
    let ack = client.acknowledge(&notification);
    let ack: serde_json::Value = serde_json::from_str(&ack.body).expect("json ack");
    assert_eq!(
        ack,
        serde_json::json!({"code": 10000, "message": "Success"})
    );
    assert!(sim.controls().callbacks()[0].acked);
    let paid = client.query(&payment).await.expect("query");
    assert_eq!(paid_amount(&paid), Satang::new(2300));
}

#[tokio::test]
async fn bluepay_duplicate_21007_recovers_through_detail() {
    let (sim, client) = bluepay("http://127.0.0.1:9/n").await;
    let first = created(client.create(&request("ORD2", 1000)).await.expect("sent"));
    let again = created(client.create(&request("ORD2", 1000)).await.expect("sent"));
    assert_eq!(
        again.provider_ref, first.provider_ref,
        "the same order, found by detail"
    );
    assert_eq!(again.display.link, first.display.link);
    assert_eq!(sim.orders().len(), 1);
}

#[tokio::test]
async fn bluepay_faults_unknown_then_resend_same_reference() {
    let (sim, client) = bluepay("http://127.0.0.1:9/n").await;
    for fault in unknown_faults() {
        sim.controls().script(Op::Order, fault.clone());
        let outcome = client.create(&request("ORD3", 1500)).await.expect("sent");
        assert_eq!(
            unknown_step(&outcome),
            QrNextStep::ResendSameReference,
            "{fault:?}"
        );
    }
    let order = created(client.create(&request("ORD3", 1500)).await.expect("sent"));
    assert_eq!(sim.orders().len(), 1, "one order for the one mchOrderId");
    assert_eq!(order.provider_ref, sim.orders()[0].transaction_id);
}

#[tokio::test]
async fn bluepay_expiry_is_failed() {
    let receiver = JsonReceiver::start(BLUEPAY_ACK).await;
    let (sim, client) = bluepay(&receiver.url).await;
    let order = created(client.create(&request("ORD4", 1000)).await.expect("sent"));
    sim.advance(Duration::from_secs(601));
    wait_until("the failed notification", || receiver.bodies().len() == 1).await;
    let body = receiver.bodies().pop().expect("body");
    let event = client.event(
        &client
            .parse_callback(Some("application/json"), body.as_bytes())
            .expect("verifies"),
    );
    assert!(
        matches!(event.status, QrPaymentStatus::Failed { .. }),
        "{:?}",
        event.status
    );
    let status = client.query(&payment_ref(&order)).await.expect("query");
    assert!(
        matches!(status, QrPaymentStatus::Failed { .. }),
        "{status:?}"
    );
}

#[tokio::test]
async fn bluepay_forged_notifications_are_rejected() {
    let receiver = JsonReceiver::start(BLUEPAY_ACK).await;
    let (sim, client) = bluepay(&receiver.url).await;
    let order = created(client.create(&request("ORD5", 2300)).await.expect("sent"));
    let sale = sale_of("ORD5", &[&order]);
    sim.forge("ORD5", Forgery::BadSignature).expect("forge");
    wait_until("1", || receiver.bodies().len() == 1).await;
    let body = receiver.bodies().pop().expect("body");
    let bad = client.parse_callback(Some("application/json"), body.as_bytes());
    assert!(matches!(bad, Err(QrCallbackError::BadSignature)), "{bad:?}");
    for (index, forgery) in [Forgery::WrongAmount, Forgery::UnknownOrder]
        .into_iter()
        .enumerate()
    {
        sim.forge("ORD5", forgery).expect("forge");
        wait_until("forged", || receiver.bodies().len() == index + 2).await;
        let body = receiver.bodies().pop().expect("body");
        let notification = client
            .parse_callback(Some("application/json"), body.as_bytes())
            .expect("correctly signed");
        let verdict = sale.match_event(&client.event(&notification));
        assert!(
            verdict.is_err(),
            "{forgery:?} must not be applied: {verdict:?}"
        );
    }
}
