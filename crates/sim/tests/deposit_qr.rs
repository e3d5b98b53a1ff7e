//! The Deposit-QR simulator over real HTTP: auth and signature, state, amount adjustment,
//! callbacks with retry, expiry, forged callbacks, faults, seeded randomness.

mod common;

use std::time::Duration;

use common::{wait_until, JsonReceiver};
use serde_json::{json, Value};
use termdee_domain::Satang;
use termdee_sim::deposit_qr::{AmountAdjust, DepositState};
use termdee_sim::{
    Applied, CallbackPlan, DepositQrConfig, DepositQrSim, ExecutionKind, Fate, Fault, Forgery, Op,
    RandomFaults,
};

fn b64(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

struct Call<'a> {
    token: &'a str,
    api_key: &'a str,
    signature: String,
}

fn good(order_id: &str, amount: &str) -> Call<'static> {
    Call {
        token: "demo-bearer-token",
        api_key: "0a1b2c3d4e5f60718293a4",
        signature: b64(&format!("demo-secret-key:{order_id}:{amount}")),
    }
}

async fn post(sim: &DepositQrSim, path: &str, call: &Call<'_>, body: &Value) -> reqwest::Response {
    termdee_providers::http_client_builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
        .post(format!("{}/api/v1/client/{path}", sim.base_url()))
        .bearer_auth(call.token)
        .header("x-api-key", call.api_key)
        .header("x-signature", &call.signature)
        .json(body)
        .send()
        .await
        .expect("send")
}

fn order(order_id: &str, amount: f64, callback: &str) -> Value {
    json!({
        "order_id": order_id, "amount": amount, "ref_account": "1448702118",
        "ref_bank_code": "004", "ref_name_th": "สมชาย ใจดี", "ref_user_id": "",
        "callback_url": callback,
    })
}

async fn create(sim: &DepositQrSim, order_id: &str, callback: &str) -> Value {
    let reply = post(
        sim,
        "create_deposit",
        &good(order_id, "100.00"),
        &order(order_id, 100.0, callback),
    )
    .await;
    assert_eq!(reply.status(), 200, "create succeeds");
    reply.json().await.expect("json")
}

async fn start() -> DepositQrSim {
    DepositQrSim::start(DepositQrConfig::fast())
        .await
        .expect("start deposit-qr sim")
}

#[tokio::test]
async fn auth_headers_and_the_signature_rule() {
    let sim = start().await;
    let body = order("A1", 100.0, "http://127.0.0.1:9/x");
    let mut bad = good("A1", "100.00");
    bad.token = "nope";
    assert_eq!(
        post(&sim, "create_deposit", &bad, &body).await.status(),
        401
    );
    let mut bad = good("A1", "100.00");
    bad.api_key = "nope";
    assert_eq!(
        post(&sim, "create_deposit", &bad, &body).await.status(),
        403
    );
    let mut bad = good("A1", "100.00");
    bad.signature = b64("wrong-secret:A1:100.00");
    let refused = post(&sim, "create_deposit", &bad, &body).await;
    assert_eq!(refused.status(), 401);
    let detail: Value = refused.json().await.expect("json");
    assert_eq!(detail["detail"], "Invalid signature");
    assert_eq!(
        post(&sim, "create_deposit", &good("A1", "99.00"), &body)
            .await
            .status(),
        401,
        "strict: the signed amount must equal the body's"
    );
    assert_eq!(
        post(&sim, "create_deposit", &good("B2", "100.00"), &body)
            .await
            .status(),
        401,
        "strict: the signed order_id must equal the body's"
    );
    assert_eq!(
        post(&sim, "create_deposit", &good("A1", "100"), &body)
            .await
            .status(),
        200,
        "amounts compare numerically: 100 = 100.00"
    );
}

#[tokio::test]
async fn create_then_paid_sends_processing_then_auto_success() {
    let sim = start().await;
    let receiver = JsonReceiver::start("ok").await;
    let reply = create(&sim, "T1", &receiver.url).await;
    assert_eq!(reply["status"], "CREATED");
    assert_eq!(reply["order_id"], "T1");
    assert_eq!(reply["amount"], 100, "whole amounts come back as integers");
    assert_eq!(reply["deposit_channel"], "PROMPTPAY");
    assert!(
        reply["qr_image"]
            .as_str()
            .expect("qr")
            .starts_with("iVBORw0KGgo"),
        "a PNG"
    );
    let create_time = reply["create_time"].as_str().expect("create_time");
    assert!(create_time.ends_with("+07:00"), "{create_time}");
    let png = termdee_providers::http_client()
        .get(reply["qr_image_link"].as_str().expect("link"))
        .send()
        .await
        .expect("get png")
        .bytes()
        .await
        .expect("bytes");
    assert_eq!(&png[..4], b"\x89PNG");

    let ref_id = reply["ref_id"].as_str().expect("ref_id").to_owned();
    sim.pay("T1", None).expect("pay");
    wait_until("two callbacks", || receiver.bodies().len() == 2).await;
    let callbacks = receiver.json();
    assert_eq!(callbacks[0]["status"], "PROCESSING");
    assert_eq!(callbacks[1]["status"], "AUTO_SUCCESS");
    assert_eq!(callbacks[1]["type"], "DEPOSIT");
    assert_eq!(callbacks[1]["txn_ref_id"], ref_id.as_str());
    assert_eq!(callbacks[1]["txn_ref_order_id"], "T1");
    assert_eq!(callbacks[1]["amount"], 100);
    assert_eq!(callbacks[1]["mdr_amount"], 1.35);
    assert_eq!(
        callbacks[1]["txn_ref_user_id"],
        Value::Null,
        "empty echoes are null"
    );
    assert_eq!(
        sim.deposit("T1").expect("deposit").state,
        DepositState::AutoSuccess
    );
    let executions = sim.controls().executions();
    assert_eq!(executions.len(), 1);
    assert_eq!(executions[0].kind, ExecutionKind::Payment);
    assert_eq!(executions[0].key, "T1");
    let resent = post(
        &sim,
        "resend_callback_for_transaction",
        &good("", ""),
        &json!({"ref_id": ref_id}),
    )
    .await;
    assert_eq!(resent.status(), 200);
    wait_until("the resent callback", || receiver.bodies().len() == 3).await;
    assert_eq!(receiver.json()[2]["status"], "AUTO_SUCCESS");
    let balance: Value = termdee_providers::http_client()
        .get(format!("{}/api/v1/client/get_balance", sim.base_url()))
        .bearer_auth("demo-bearer-token")
        .header("x-api-key", "0a1b2c3d4e5f60718293a4")
        .header("x-signature", b64("demo-secret-key::"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(balance["current_deposit_balance"], 98.65);
}

#[tokio::test]
async fn duplicate_missing_fields_and_cancel() {
    let sim = start().await;
    create(&sim, "D1", "http://127.0.0.1:9/x").await;
    let again = post(
        &sim,
        "create_deposit",
        &good("D1", "100.00"),
        &order("D1", 100.0, ""),
    )
    .await;
    assert_eq!(again.status(), 409);
    let missing = post(
        &sim,
        "create_deposit",
        &good("D2", "100.00"),
        &json!({"order_id": "D2"}),
    )
    .await;
    assert_eq!(missing.status(), 422);
    let detail: Value = missing.json().await.expect("json");
    assert_eq!(detail["detail"][0]["msg"], "field required");
    assert_eq!(detail["detail"][0]["loc"][0], "body");
    let ref_id = sim.deposit("D1").expect("deposit").ref_id;
    let early = post(
        &sim,
        "resend_callback_for_transaction",
        &good("", ""),
        &json!({"ref_id": ref_id}),
    )
    .await;
    assert_eq!(early.status(), 400, "resend only for terminal states");
    let cancel: Value = post(
        &sim,
        "cancel_deposit",
        &good("", ""),
        &json!({"ref_id": ref_id}),
    )
    .await
    .json()
    .await
    .expect("json");
    assert_eq!(cancel["is_cancel_success"], true);
    assert!(
        sim.pay("D1", None).is_err(),
        "a cancelled deposit cannot be paid"
    );
    let unknown = post(
        &sim,
        "cancel_deposit",
        &good("", ""),
        &json!({"ref_id": "nope"}),
    )
    .await;
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn amount_adjustment_switch() {
    let sim = start().await;
    let first = create(&sim, "M1", "").await;
    assert_eq!(first["amount"], 100);
    let second = create(&sim, "M2", "").await;
    assert_eq!(
        second["amount"], 100.01,
        "on clash: same payer, same amount, +1 satang"
    );
    sim.set_amount_adjust(AmountAdjust::Always { satang: 7 });
    let third = create(&sim, "M3", "").await;
    assert_eq!(third["amount"], 100.07);
    sim.set_amount_adjust(AmountAdjust::Never);
    let fourth = create(&sim, "M4", "").await;
    assert_eq!(fourth["amount"], 100);
    assert_eq!(
        sim.deposit("M3").expect("deposit").requested,
        Satang::new(10_000)
    );
}

#[tokio::test]
async fn expiry_on_the_simulated_clock_sends_failed() {
    let sim = start().await;
    let receiver = JsonReceiver::start("ok").await;
    create(&sim, "E1", &receiver.url).await;
    sim.advance(Duration::from_secs(15 * 60 + 1));
    wait_until("the FAILED callback", || receiver.bodies().len() == 1).await;
    assert_eq!(receiver.json()[0]["status"], "FAILED");
    assert!(sim.pay("E1", None).is_err(), "expired cannot auto-match");
    sim.manual_success("E1")
        .expect("staff may still confirm late money");
    wait_until("the SUCCESS callback", || receiver.bodies().len() == 2).await;
    assert_eq!(receiver.json()[1]["status"], "SUCCESS");
}

#[tokio::test]
async fn callbacks_are_retried_until_acknowledged() {
    let sim = start().await;
    let receiver = JsonReceiver::start("ok").await;
    receiver.answer_first(&[(500, "down"), (502, "down")]);
    create(&sim, "R1", &receiver.url).await;
    sim.fail("R1").expect("fail");
    wait_until("three attempts", || receiver.bodies().len() == 3).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let attempts = sim.controls().callbacks();
    assert_eq!(attempts.len(), 3, "no more once acknowledged");
    assert!(!attempts[0].acked && !attempts[1].acked && attempts[2].acked);
}

#[tokio::test]
async fn forged_callbacks_on_request() {
    let sim = start().await;
    let receiver = JsonReceiver::start("ok").await;
    let reply = create(&sim, "F1", &receiver.url).await;
    for forgery in [
        Forgery::BadSignature,
        Forgery::WrongAmount,
        Forgery::UnknownOrder,
    ] {
        sim.forge("F1", forgery).expect("forge");
    }
    wait_until("three forged callbacks", || receiver.bodies().len() == 3).await;
    let forged = receiver.json();
    let find = |f: &dyn Fn(&Value) -> bool| forged.iter().any(f);
    assert!(find(
        &|c| c["txn_ref_order_id"] == "F1" && c["txn_ref_id"] != reply["ref_id"]
    ));
    assert!(find(
        &|c| c["txn_ref_order_id"] == "F1" && c["amount"] == 101
    ));
    assert!(find(&|c| c["txn_ref_order_id"] == "FORGEDF1"));
    assert!(forged.iter().all(|c| c["status"] == "AUTO_SUCCESS"));
    assert_eq!(
        sim.deposit("F1").expect("deposit").state,
        DepositState::Created,
        "forgeries change nothing"
    );
}

#[tokio::test]
async fn callback_plans_none_and_duplicate() {
    let sim = start().await;
    let receiver = JsonReceiver::start("ok").await;
    sim.controls().script_fate(Fate {
        callback: CallbackPlan::None,
        ..Fate::default()
    });
    sim.controls().script_fate(Fate {
        callback: CallbackPlan::Duplicate,
        ..Fate::default()
    });
    create(&sim, "P1", &receiver.url).await;
    create(&sim, "P2", &receiver.url).await;
    sim.fail("P1").expect("fail");
    sim.fail("P2").expect("fail");
    wait_until("the duplicated callback", || receiver.bodies().len() == 2).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let callbacks = receiver.json();
    assert_eq!(callbacks.len(), 2);
    assert!(
        callbacks.iter().all(|c| c["txn_ref_order_id"] == "P2"),
        "P1's is missing"
    );
}

#[tokio::test]
async fn faults_html_5xx_malformed_and_timeout_after_create() {
    let sim = start().await;
    sim.controls()
        .script(Op::Order, Fault::ServerError { status: 503 });
    let body = order("X1", 100.0, "");
    assert_eq!(
        post(&sim, "create_deposit", &good("X1", "100.00"), &body)
            .await
            .status(),
        503
    );
    sim.controls().script(Op::Order, Fault::Html);
    let html = post(&sim, "create_deposit", &good("X1", "100.00"), &body).await;
    assert!(html.text().await.expect("text").contains("<html>"));
    assert!(sim.deposits().is_empty());
    sim.controls().script(Op::Order, Fault::Malformed);
    let text = post(&sim, "create_deposit", &good("X1", "100.00"), &body)
        .await
        .text()
        .await
        .expect("text");
    assert!(serde_json::from_str::<Value>(&text).is_err());
    assert_eq!(sim.deposits().len(), 1, "created anyway");
    sim.controls()
        .script(Op::Order, Fault::ExecuteThenHold { ms: 500 });
    let short = termdee_providers::http_client_builder()
        .timeout(Duration::from_millis(100))
        .build()
        .expect("client");
    let timed_out = short
        .post(format!("{}/api/v1/client/create_deposit", sim.base_url()))
        .bearer_auth("demo-bearer-token")
        .header("x-api-key", "0a1b2c3d4e5f60718293a4")
        .header("x-signature", b64("demo-secret-key:X2:100.00"))
        .json(&order("X2", 100.0, ""))
        .send()
        .await;
    assert!(timed_out.is_err());
    assert!(sim.deposit("X2").is_some(), "the orphan exists");
    sim.controls().script(Op::Order, Fault::ExecuteThenError);
    let error = post(
        &sim,
        "create_deposit",
        &good("X3", "100.00"),
        &order("X3", 100.0, ""),
    )
    .await;
    assert_eq!(error.status(), 500);
    assert!(sim.deposit("X3").is_some());
}

async fn seeded_run(seed: u64) -> Vec<Applied> {
    let mut random = RandomFaults::new(seed);
    random.request_fault_per_mille = 400;
    random.menu = vec![
        Fault::ServerError { status: 502 },
        Fault::Html,
        Fault::Delay { ms: 1 },
    ];
    random.failure_per_mille = 300;
    random.callback_fault_per_mille = 300;
    let sim = DepositQrSim::start(DepositQrConfig {
        random: Some(random),
        ..DepositQrConfig::fast()
    })
    .await
    .expect("start");
    for i in 0..12 {
        let id = format!("S{i}");
        post(
            &sim,
            "create_deposit",
            &good(&id, "100.00"),
            &order(&id, 100.0, ""),
        )
        .await;
    }
    sim.controls().applied()
}

#[tokio::test]
async fn seeded_random_faults_are_reproducible() {
    let first = seeded_run(42).await;
    let second = seeded_run(42).await;
    assert!(!first.is_empty(), "some faults were drawn");
    assert_eq!(first, second, "same seed, same requests, same faults");
    assert_ne!(first, seeded_run(43).await, "another seed differs");
}

#[tokio::test]
async fn http_controls_pay_and_forge() {
    let sim = start().await;
    let receiver = JsonReceiver::start("ok").await;
    create(&sim, "H1", &receiver.url).await;
    let http = termdee_providers::http_client();
    let paid = http
        .post(format!("{}/_sim/pay", sim.base_url()))
        .json(&json!({"id": "H1"}))
        .send()
        .await
        .expect("pay");
    assert!(paid.status().is_success());
    wait_until("paid", || receiver.bodies().len() == 2).await;
    let forged = http
        .post(format!("{}/_sim/forge", sim.base_url()))
        .json(&json!({"id": "H1", "kind": "unknown_order"}))
        .send()
        .await
        .expect("forge");
    assert!(forged.status().is_success());
    wait_until("forged", || receiver.bodies().len() == 3).await;
    let state: Value = http
        .get(format!("{}/_sim/state", sim.base_url()))
        .send()
        .await
        .expect("state")
        .json()
        .await
        .expect("json");
    assert_eq!(state["provider"]["deposits"][0]["state"], "AUTO_SUCCESS");
}

#[tokio::test]
async fn statement_lines_match_by_payer_and_amount() {
    let sim = start().await;
    create(&sim, "ST1", "").await;
    create(&sim, "ST2", "").await;
    assert_eq!(
        sim.deposit("ST2").expect("deposit").amount,
        Satang::new(10_001)
    );
    let matched = sim
        .statement("1448702118", Satang::new(10_001))
        .expect("match");
    assert_eq!(
        matched,
        sim.deposit("ST2").expect("deposit").ref_id,
        "the adjusted amount tells them apart"
    );
    assert!(
        sim.statement("999", Satang::new(10_000)).is_err(),
        "another payer: no match by default"
    );
    let reply = termdee_providers::http_client()
        .post(format!("{}/_sim/statement", sim.base_url()))
        .json(&json!({"from_acc": "1448702118", "amount": "100.00"}))
        .send()
        .await
        .expect("statement");
    assert!(reply.status().is_success());
    assert_eq!(
        sim.deposit("ST1").expect("deposit").state,
        DepositState::AutoSuccess
    );
}
