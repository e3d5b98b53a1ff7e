//! The Tmweasy Mae Manee simulator over real HTTP: wire, state, expiry, controls, faults.

mod common;

use std::time::Duration;

use serde_json::Value;
use termdee_domain::Satang;
use termdee_sim::tmweasy::TmweasyState;
use termdee_sim::{ExecutionKind, Fate, Fault, Op, Outcome, TmweasyConfig, TmweasySim};

fn client() -> reqwest::Client {
    termdee_providers::http_client_builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
}

async fn call(sim: &TmweasySim, params: &[(&str, &str)]) -> reqwest::Response {
    let mut query: Vec<(&str, &str)> = vec![
        ("username", "demo"),
        ("password", "demo1234"),
        ("con_id", "100001"),
    ];
    query.extend_from_slice(params);
    client()
        .get(format!("{}/api_mn.php", sim.base_url()))
        .query(&query)
        .send()
        .await
        .expect("send")
}

async fn json(sim: &TmweasySim, params: &[(&str, &str)]) -> Value {
    call(sim, params).await.json().await.expect("json reply")
}

async fn create(sim: &TmweasySim, amount: &str) -> String {
    let reply = json(
        sim,
        &[
            ("method", "create_pay"),
            ("amount", amount),
            ("ref1", "kiosk1"),
        ],
    )
    .await;
    assert_eq!(reply["status"], 1, "create_pay succeeds: {reply}");
    reply["id_pay"].as_str().expect("id_pay string").to_owned()
}

async fn start() -> TmweasySim {
    TmweasySim::start(TmweasyConfig::fast())
        .await
        .expect("start tmweasy sim")
}

#[tokio::test]
async fn create_detail_confirm_after_the_customer_pays() {
    let sim = start().await;
    let id = create(&sim, "50").await;
    let detail = json(
        &sim,
        &[("method", "detail_pay"), ("id_pay", &id), ("qr", "1")],
    )
    .await;
    assert_eq!(detail["status"], 1);
    assert_eq!(detail["amount"], 50, "amount is whole baht");
    assert_eq!(detail["ref1"], "kiosk1");
    let time_out = detail["time_out"].as_i64().expect("time_out");
    assert!(
        (599..=600).contains(&time_out),
        "a fresh bill has ~600 s: {time_out}"
    );
    assert!(detail["urlpay"]
        .as_str()
        .expect("urlpay")
        .ends_with(&format!("/maemanee/bill/{id}")));
    let png = base64_decode(detail["qr_base64_image"].as_str().expect("qr"));
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "the QR is a PNG");

    let not_yet = json(
        &sim,
        &[("method", "confirm"), ("id_pay", &id), ("ip", "1.2.3.4")],
    )
    .await;
    assert_eq!(not_yet["status"], 0);
    assert_eq!(not_yet["msg"], "ยังไม่พบยอดโอน");

    sim.pay(&id, None).expect("pay");
    let paid = json(
        &sim,
        &[("method", "confirm"), ("id_pay", &id), ("ip", "1.2.3.4")],
    )
    .await;
    assert_eq!(paid["status"], 1, "{paid}");
    assert_eq!(paid["amount"], 50);
    let again = json(
        &sim,
        &[("method", "confirm"), ("id_pay", &id), ("ip", "1.2.3.4")],
    )
    .await;
    assert_eq!(again["status"], 1, "repeat_confirm defaults to true");
    let executions = sim.controls().executions();
    assert_eq!(executions.len(), 1);
    assert_eq!(executions[0].kind, ExecutionKind::Payment);
    assert_eq!(executions[0].amount, Satang::new(5000));
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("base64")
}

#[tokio::test]
async fn satang_amounts_bad_credentials_and_aliases() {
    let sim = start().await;
    for amount in ["50.50", "0", "-5", "abc", ""] {
        let reply = json(
            &sim,
            &[("method", "create_pay"), ("amount", amount), ("ref1", "x")],
        )
        .await;
        assert_eq!(reply["status"], 0, "amount {amount:?} is refused");
        assert_eq!(reply["msg"], "จำนวนเงินไม่ถูกต้อง");
    }
    let bad: Value = client()
        .get(format!("{}/api_mn.php", sim.base_url()))
        .query(&[
            ("username", "demo"),
            ("password", "wrong"),
            ("con_id", "100001"),
        ])
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(bad["status"], 0);
    let aliases: Value = client()
        .get(format!("{}/api_mn.php", sim.base_url()))
        .query(&[
            ("tmweasy_user", "demo"),
            ("password", "demo1234"),
            ("conid", "100001"),
        ])
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(
        aliases["status"], 1,
        "no method = connection check, aliases accepted"
    );
    let con: Value = client()
        .get(format!("{}/api_mn.php", sim.base_url()))
        .query(&[
            ("username", "demo"),
            ("password", "demo1234"),
            ("con_id", "9"),
        ])
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(con["msg"], "ไม่พบ con_id หรือยังไม่เปิดใช้งานระบบแม่มณี");
}

#[tokio::test]
async fn expiry_on_the_simulated_clock_then_cancel() {
    let sim = start().await;
    let id = create(&sim, "20").await;
    let early = json(&sim, &[("method", "cancel"), ("id_pay", &id)]).await;
    assert_eq!(early["status"], 0, "cancel before expiry is refused");
    sim.advance(Duration::from_secs(601));
    let detail = json(&sim, &[("method", "detail_pay"), ("id_pay", &id)]).await;
    assert!(
        detail["time_out"].as_i64().expect("time_out") < 0,
        "{detail}"
    );
    let confirm = json(
        &sim,
        &[("method", "confirm"), ("id_pay", &id), ("ip", "1.1.1.1")],
    )
    .await;
    assert_eq!(confirm["msg"], "หมดเวลาชำระเงิน");
    let cancel = json(&sim, &[("method", "cancel"), ("id_pay", &id)]).await;
    assert_eq!(cancel["status"], 1);
    assert_eq!(sim.bills()[0].state, TmweasyState::Cancelled);
}

#[tokio::test(start_paused = true)]
async fn expiry_under_paused_tokio_time() {
    let sim = TmweasySim::start(TmweasyConfig::fast())
        .await
        .expect("start");
    let untimed = termdee_providers::http_client();
    let url = format!("{}/api_mn.php", sim.base_url());
    let base = [
        ("username", "demo"),
        ("password", "demo1234"),
        ("con_id", "100001"),
    ];
    let created: Value = untimed
        .get(&url)
        .query(&base)
        .query(&[("method", "create_pay"), ("amount", "10"), ("ref1", "p")])
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let id = created["id_pay"].as_str().expect("id").to_owned();
    tokio::time::advance(Duration::from_secs(700)).await;
    let detail: Value = untimed
        .get(&url)
        .query(&base)
        .query(&[("method", "detail_pay"), ("id_pay", id.as_str())])
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert!(
        detail["time_out"].as_i64().expect("time_out") < 0,
        "{detail}"
    );
}

#[tokio::test]
async fn switches_string_status_no_repeat_and_maintenance() {
    let sim = TmweasySim::start(TmweasyConfig {
        status_as_string: true,
        repeat_confirm: false,
        ..TmweasyConfig::fast()
    })
    .await
    .expect("start");
    let reply = json(
        &sim,
        &[("method", "create_pay"), ("amount", "5"), ("ref1", "s")],
    )
    .await;
    assert_eq!(reply["status"], "1", "status as a string");
    let id = reply["id_pay"].as_str().expect("id").to_owned();
    sim.pay(&id, None).expect("pay");
    sim.set_maintenance(true);
    let during = json(
        &sim,
        &[("method", "confirm"), ("id_pay", &id), ("ip", "1.1.1.1")],
    )
    .await;
    assert_eq!(during["status"], "0", "maintenance hides the payment");
    sim.set_maintenance(false);
    let first = json(
        &sim,
        &[("method", "confirm"), ("id_pay", &id), ("ip", "1.1.1.1")],
    )
    .await;
    assert_eq!(first["status"], "1");
    let second = json(
        &sim,
        &[("method", "confirm"), ("id_pay", &id), ("ip", "1.1.1.1")],
    )
    .await;
    assert_eq!(second["status"], "0", "repeat_confirm=false");
}

#[tokio::test]
async fn http_controls_pay_expire_and_the_bill_page() {
    let sim = start().await;
    let id = create(&sim, "30").await;
    let http = client();
    let paid = http
        .post(format!("{}/_sim/pay", sim.base_url()))
        .json(&serde_json::json!({"id": id}))
        .send()
        .await
        .expect("pay");
    assert!(paid.status().is_success());
    assert_eq!(sim.bills()[0].state, TmweasyState::Paid);
    let id2 = create(&sim, "30").await;
    let page = http
        .get(format!("{}/maemanee/bill/{id2}", sim.base_url()))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(page.contains("<form"), "{page}");
    http.post(format!("{}/maemanee/bill/{id2}/pay", sim.base_url()))
        .send()
        .await
        .expect("pay button");
    assert_eq!(sim.bills()[1].state, TmweasyState::Paid);
    let id3 = create(&sim, "30").await;
    http.post(format!("{}/_sim/expire/{id3}", sim.base_url()))
        .send()
        .await
        .expect("expire");
    let detail = json(&sim, &[("method", "detail_pay"), ("id_pay", &id3)]).await;
    assert_eq!(detail["time_out"], -1);
}

#[tokio::test]
async fn faults_html_5xx_malformed_and_timeout_after_create() {
    let sim = start().await;
    sim.controls().script(Op::Order, Fault::Html);
    let html = call(
        &sim,
        &[("method", "create_pay"), ("amount", "5"), ("ref1", "f")],
    )
    .await;
    assert_eq!(html.status(), 403);
    sim.controls()
        .script(Op::Order, Fault::ServerError { status: 502 });
    let bad = call(
        &sim,
        &[("method", "create_pay"), ("amount", "5"), ("ref1", "f")],
    )
    .await;
    assert_eq!(bad.status(), 502);
    assert!(sim.bills().is_empty(), "neither created a bill");
    sim.controls().script(Op::Order, Fault::Malformed);
    let text = call(
        &sim,
        &[("method", "create_pay"), ("amount", "5"), ("ref1", "f")],
    )
    .await
    .text()
    .await
    .expect("text");
    assert!(
        serde_json::from_str::<Value>(&text).is_err(),
        "truncated: {text}"
    );
    assert_eq!(sim.bills().len(), 1, "malformed still created");
    sim.controls()
        .script(Op::Order, Fault::ExecuteThenHold { ms: 500 });
    let short = termdee_providers::http_client_builder()
        .timeout(Duration::from_millis(100))
        .build()
        .expect("client");
    let timed_out = short
        .get(format!("{}/api_mn.php", sim.base_url()))
        .query(&[
            ("username", "demo"),
            ("password", "demo1234"),
            ("con_id", "100001"),
            ("method", "create_pay"),
            ("amount", "5"),
            ("ref1", "f"),
        ])
        .send()
        .await;
    assert!(timed_out.is_err(), "the client times out");
    assert_eq!(sim.bills().len(), 2, "but the bill exists (an orphan)");
    sim.controls().script(Op::Query, Fault::ExecuteThenError);
    let id = create(&sim, "5").await;
    let err = json(&sim, &[("method", "detail_pay"), ("id_pay", &id)]).await;
    assert_eq!(err["status"], 0);
}

#[tokio::test]
async fn a_scripted_fate_pays_by_itself() {
    let sim = start().await;
    sim.controls().script_fate(Fate {
        outcome: Some(Outcome::Success),
        ..Fate::default()
    });
    let id = create(&sim, "40").await;
    common::wait_until("the bill is paid", || {
        sim.bills()
            .iter()
            .any(|b| b.id_pay == id && b.state == TmweasyState::Paid)
    })
    .await;
}
