//! The BluePay WebPay simulator over real HTTP: envelope and signatures both ways, codes,
//! notifications with the exact acknowledgement, expiry, forged notifications, faults.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{wait_until, JsonReceiver};
use serde_json::{json, Value};
use termdee_sim::bluepay::{
    BluepayExpiry, BluepayStatus, DEMO_MERCHANT_PRIVATE_KEY_PEM, DEMO_PROVIDER_PRIVATE_KEY_PEM,
    DEMO_PROVIDER_PUBLIC_KEY_PEM,
};
use termdee_sim::{
    BluepayConfig, BluepaySim, CallbackPlan, ExecutionKind, Fate, Fault, Forgery, Op,
};

const APP_ID: &str = "6e2d4b6f926c44f8ab4e0f5c76cdec69";
const ACK: &str = r#"{"code":10000,"message":"Success"}"#;

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_millis() as u64
}

fn envelope(param: &Value, key: &str, app_id: &str) -> Value {
    let param = param.to_string();
    let sign = BluepaySim::sign_as_merchant(key, &param).expect("sign");
    json!({"appId": app_id, "sign": sign, "param": param})
}

async fn send(sim: &BluepaySim, path: &str, body: &Value) -> Value {
    termdee_providers::http_client_builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
        .post(format!("{}/open-api/webpay/{path}", sim.base_url()))
        .json(body)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json")
}

fn create_param(id: &str, amount: i64, notify: &str) -> Value {
    json!({
        "timestamp": now_ms(), "channelCode": "TRUEMONEY_URL", "mchOrderId": id,
        "amount": amount, "notifyUrl": notify, "redirectUrl": "http://127.0.0.1/done",
        "customerName": "Somchai", "email": "s@example.com", "mobile": "0812345678",
    })
}

async fn generate(sim: &BluepaySim, id: &str, amount: i64, notify: &str) -> Value {
    let body = envelope(
        &create_param(id, amount, notify),
        DEMO_MERCHANT_PRIVATE_KEY_PEM,
        APP_ID,
    );
    send(sim, "generate", &body).await
}

async fn detail(sim: &BluepaySim, id: &str) -> Value {
    let param = json!({"timestamp": now_ms(), "mchOrderId": id});
    send(
        sim,
        "detail",
        &envelope(&param, DEMO_MERCHANT_PRIVATE_KEY_PEM, APP_ID),
    )
    .await
}

async fn start() -> BluepaySim {
    BluepaySim::start(BluepayConfig::fast())
        .await
        .expect("start bluepay sim")
}

fn verified(notification: &Value) -> bool {
    BluepaySim::verify_signature(
        DEMO_PROVIDER_PUBLIC_KEY_PEM,
        notification["param"].as_str().expect("param is a string"),
        notification["sign"].as_str().expect("sign"),
    )
}

#[tokio::test]
async fn generate_detail_pay_and_signed_notification() {
    let sim = start().await;
    let receiver = JsonReceiver::start(ACK).await;
    let created = generate(&sim, "ORDER1", 5000, &receiver.url).await;
    assert_eq!(created["code"], 10000, "{created}");
    let data = &created["data"];
    assert_eq!(data["mchOrderId"], "ORDER1");
    let transaction_id = data["transactionId"].as_str().expect("transactionId");
    assert_eq!(transaction_id.len(), 20);
    assert!(transaction_id.starts_with('C'));
    assert!(data["payUrl"]
        .as_str()
        .expect("payUrl")
        .contains("/cashier/"));
    assert_eq!(data["expiresTime"].as_str().expect("expiresTime").len(), 19);
    let pending = detail(&sim, "ORDER1").await;
    assert_eq!(pending["data"]["transactionStatus"], "PENDING");
    assert_eq!(pending["data"]["amount"], 5000, "satang");

    sim.pay("ORDER1", None).expect("pay");
    wait_until("the notification", || receiver.bodies().len() == 1).await;
    let notification = &receiver.json()[0];
    assert!(
        notification.get("appId").is_none(),
        "notifications carry no appId"
    );
    assert!(verified(notification), "signed with the provider's key");
    let param: Value =
        serde_json::from_str(notification["param"].as_str().expect("param")).expect("json");
    assert_eq!(param["eventName"], "order.payment.success");
    assert_eq!(param["transactionStatus"], "COMPLETED");
    assert_eq!(param["amount"], 5000);
    assert_eq!(param["transactionId"], transaction_id);
    assert!(sim.controls().callbacks()[0].acked);
    let completed = detail(&sim, "ORDER1").await;
    assert_eq!(completed["data"]["transactionStatus"], "COMPLETED");
    assert_eq!(sim.controls().executions()[0].kind, ExecutionKind::Payment);
}

#[tokio::test]
async fn envelope_errors_by_code() {
    let sim = start().await;
    let param = create_param("E1", 100, "http://127.0.0.1:9/n");
    let wrong_key = envelope(&param, DEMO_PROVIDER_PRIVATE_KEY_PEM, APP_ID);
    assert_eq!(
        send(&sim, "generate", &wrong_key).await["code"],
        21001,
        "bad sign"
    );
    let mut tampered = envelope(&param, DEMO_MERCHANT_PRIVATE_KEY_PEM, APP_ID);
    tampered["param"] = json!(param.to_string().replace("100", "101"));
    assert_eq!(
        send(&sim, "generate", &tampered).await["code"],
        21001,
        "param changed after signing"
    );
    let unknown = envelope(&param, DEMO_MERCHANT_PRIVATE_KEY_PEM, "ffff");
    assert_eq!(send(&sim, "generate", &unknown).await["code"], 21003);
    let mut old = param.clone();
    old["timestamp"] = json!(now_ms() - 3_600_000);
    let stale = envelope(&old, DEMO_MERCHANT_PRIVATE_KEY_PEM, APP_ID);
    assert_eq!(send(&sim, "generate", &stale).await["code"], 21009);
    let mut seconds = param.clone();
    seconds["timestamp"] = json!((now_ms() / 1000).to_string());
    let ok = send(
        &sim,
        "generate",
        &envelope(&seconds, DEMO_MERCHANT_PRIVATE_KEY_PEM, APP_ID),
    )
    .await;
    assert_eq!(ok["code"], 10000, "seconds as a string are accepted: {ok}");
    let duplicate = send(
        &sim,
        "generate",
        &envelope(&param, DEMO_MERCHANT_PRIVATE_KEY_PEM, APP_ID),
    )
    .await;
    assert_eq!(duplicate["code"], 21007);
    assert_eq!(duplicate["message"], "Duplicate merchant order id");
    assert_eq!(detail(&sim, "NOPE").await["code"], 21006);
    let mut bad_mobile = create_param("E2", 100, "http://127.0.0.1:9/n");
    bad_mobile["mobile"] = json!("0212345678");
    assert_eq!(
        send(
            &sim,
            "generate",
            &envelope(&bad_mobile, DEMO_MERCHANT_PRIVATE_KEY_PEM, APP_ID)
        )
        .await["code"],
        21002
    );
    let mut channel = create_param("E3", 100, "http://127.0.0.1:9/n");
    channel["channelCode"] = json!("PROMPTPAY_QR");
    assert_eq!(
        send(
            &sim,
            "generate",
            &envelope(&channel, DEMO_MERCHANT_PRIVATE_KEY_PEM, APP_ID)
        )
        .await["code"],
        21005
    );
    let big = create_param("E4", 100_000_000, "http://127.0.0.1:9/n");
    assert_eq!(
        send(
            &sim,
            "generate",
            &envelope(&big, DEMO_MERCHANT_PRIVATE_KEY_PEM, APP_ID)
        )
        .await["code"],
        21010
    );
    let nested = json!({"appId": APP_ID, "sign": "x", "param": {"a": 1}});
    assert_eq!(
        send(&sim, "generate", &nested).await["code"],
        21002,
        "param must be a string"
    );
}

#[tokio::test]
async fn notifications_are_resent_until_the_exact_acknowledgement() {
    let sim = start().await;
    let receiver = JsonReceiver::start(ACK).await;
    receiver.answer_first(&[(200, r#"{"code":10000}"#), (200, "OK"), (500, ACK)]);
    generate(&sim, "R1", 100, &receiver.url).await;
    sim.pay("R1", None).expect("pay");
    wait_until("four attempts", || receiver.bodies().len() == 4).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let acked: Vec<bool> = sim.controls().callbacks().iter().map(|c| c.acked).collect();
    assert_eq!(acked, vec![false, false, false, true]);
    let bodies = receiver.bodies();
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "every re-send has the same bytes"
    );
}

#[tokio::test]
async fn expiry_fails_and_notifies_or_stays_pending() {
    let sim = start().await;
    let receiver = JsonReceiver::start(ACK).await;
    let mut param = create_param("X1", 100, &receiver.url);
    param["expireSeconds"] = json!(60);
    send(
        &sim,
        "generate",
        &envelope(&param, DEMO_MERCHANT_PRIVATE_KEY_PEM, APP_ID),
    )
    .await;
    sim.advance(Duration::from_secs(61));
    wait_until("the failed notification", || receiver.bodies().len() == 1).await;
    let param: Value =
        serde_json::from_str(receiver.json()[0]["param"].as_str().expect("param")).expect("json");
    assert_eq!(param["eventName"], "order.payment.failed");
    assert_eq!(param["transactionStatus"], "FAILED");
    assert!(sim.pay("X1", None).is_err());

    let stay = BluepaySim::start(BluepayConfig {
        expiry: BluepayExpiry::StayPending,
        ..BluepayConfig::fast()
    })
    .await
    .expect("start");
    generate(&stay, "X2", 100, &receiver.url).await;
    stay.advance(Duration::from_secs(3601));
    assert_eq!(
        detail(&stay, "X2").await["data"]["transactionStatus"],
        "PENDING"
    );
    assert!(
        stay.pay("X2", None).is_err(),
        "an expired order cannot be paid"
    );
    assert_eq!(
        stay.order("X2").expect("order").status,
        BluepayStatus::Pending
    );
}

#[tokio::test]
async fn forged_notifications_on_request() {
    let sim = start().await;
    let receiver = JsonReceiver::start(ACK).await;
    generate(&sim, "F1", 2300, &receiver.url).await;
    sim.forge("F1", Forgery::BadSignature).expect("forge");
    wait_until("1", || receiver.bodies().len() == 1).await;
    sim.forge("F1", Forgery::WrongAmount).expect("forge");
    wait_until("2", || receiver.bodies().len() == 2).await;
    sim.forge("F1", Forgery::UnknownOrder).expect("forge");
    wait_until("3", || receiver.bodies().len() == 3).await;
    let forged = receiver.json();
    let params: Vec<Value> = forged
        .iter()
        .map(|n| serde_json::from_str(n["param"].as_str().expect("param")).expect("json"))
        .collect();
    assert!(!verified(&forged[0]), "bad signature does not verify");
    assert!(
        verified(&forged[1]) && params[1]["amount"] == 2400,
        "wrong amount, signed"
    );
    assert!(
        verified(&forged[2]) && params[2]["mchOrderId"] == "FORGEDF1",
        "unknown order, signed"
    );
    assert_eq!(
        sim.order("F1").expect("order").status,
        BluepayStatus::Pending
    );
}

#[tokio::test]
async fn faults_and_plans() {
    let sim = start().await;
    let receiver = JsonReceiver::start(ACK).await;
    sim.controls()
        .script(Op::Order, Fault::ServerError { status: 502 });
    let http = termdee_providers::http_client();
    let body = envelope(
        &create_param("Q1", 100, &receiver.url),
        DEMO_MERCHANT_PRIVATE_KEY_PEM,
        APP_ID,
    );
    let url = format!("{}/open-api/webpay/generate", sim.base_url());
    assert_eq!(
        http.post(&url)
            .json(&body)
            .send()
            .await
            .expect("send")
            .status(),
        502
    );
    assert!(sim.orders().is_empty());
    sim.controls().script(Op::Order, Fault::ExecuteThenDrop);
    let dropped = async { http.post(&url).json(&body).send().await?.text().await }.await;
    assert!(dropped.is_err(), "the connection was dropped");
    assert_eq!(sim.orders().len(), 1, "created before the drop");
    let again = send(&sim, "generate", &body).await;
    assert_eq!(
        again["code"], 21007,
        "re-send with the same mchOrderId → duplicate"
    );
    assert!(
        detail(&sim, "Q1").await["data"]["payUrl"].is_string(),
        "detail recovers the payUrl"
    );
    sim.controls().script(Op::Query, Fault::Malformed);
    let text = http
        .post(format!("{}/open-api/webpay/detail", sim.base_url()))
        .json(&envelope(
            &json!({"timestamp": now_ms(), "mchOrderId": "Q1"}),
            DEMO_MERCHANT_PRIVATE_KEY_PEM,
            APP_ID,
        ))
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("text");
    assert!(serde_json::from_str::<Value>(&text).is_err());
    sim.controls().script_fate(Fate {
        callback: CallbackPlan::Duplicate,
        ..Fate::default()
    });
    generate(&sim, "Q2", 100, &receiver.url).await;
    sim.pay("Q2", None).expect("pay");
    wait_until("duplicate", || receiver.bodies().len() == 2).await;
    let pubkey = http
        .get(format!("{}/_sim/pubkey", sim.base_url()))
        .send()
        .await
        .expect("pubkey")
        .text()
        .await
        .expect("text");
    assert!(pubkey.contains("BEGIN PUBLIC KEY"));
}

async fn seeded_run(seed: u64) -> Vec<termdee_sim::Applied> {
    let mut random = termdee_sim::RandomFaults::new(seed);
    random.request_fault_per_mille = 500;
    random.menu = vec![
        Fault::ServerError { status: 502 },
        Fault::Html,
        Fault::Malformed,
    ];
    random.failure_per_mille = 300;
    random.callback_fault_per_mille = 300;
    let sim = BluepaySim::start(BluepayConfig {
        random: Some(random),
        ..BluepayConfig::fast()
    })
    .await
    .expect("start");
    for i in 0..10 {
        let body = envelope(
            &create_param(&format!("S{i}"), 100, "http://127.0.0.1:9/n"),
            DEMO_MERCHANT_PRIVATE_KEY_PEM,
            APP_ID,
        );
        let _ = termdee_providers::http_client()
            .post(format!("{}/open-api/webpay/generate", sim.base_url()))
            .json(&body)
            .send()
            .await
            .expect("send")
            .text()
            .await;
    }
    sim.controls().applied()
}

#[tokio::test]
async fn seeded_random_faults_are_reproducible() {
    let first = seeded_run(7).await;
    assert!(!first.is_empty(), "some faults were drawn");
    assert_eq!(first, seeded_run(7).await, "same seed, same faults");
}
