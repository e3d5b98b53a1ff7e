//! The Easysoft simulator over real HTTP: XML replies, refill/update/return, money, callbacks.

mod common;

use std::time::Duration;

use common::{wait_until, xml_field, Receiver};
use termdee_domain::Satang;
use termdee_sim::easysoft::{detail, EasysoftAck};
use termdee_sim::{
    CallbackPlan, EasysoftConfig, EasysoftSim, ExecutionKind, Fate, Fault, Op, Outcome,
};

async fn post(sim: &EasysoftSim, fields: &[(&str, &str)]) -> String {
    let mut form = vec![("username", "demo"), ("password", "demo1234")];
    form.extend_from_slice(fields);
    termdee_providers::http_client()
        .post(sim.url())
        .form(&form)
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("text")
}

async fn refill(sim: &EasysoftSim, number: &str, cash: &str) -> String {
    post(
        sim,
        &[
            ("mobile", "refill"),
            ("network", "3"),
            ("number", number),
            ("cash", cash),
        ],
    )
    .await
}

async fn update(sim: &EasysoftSim, orderid: &str) -> String {
    post(sim, &[("mobile", "update"), ("orderid", orderid)]).await
}

async fn start(config: EasysoftConfig) -> (EasysoftSim, Receiver) {
    let sim = EasysoftSim::start(config)
        .await
        .expect("start easysoft sim");
    let receiver = Receiver::start().await;
    sim.set_callback_url("demo", Some(receiver.url.clone()));
    (sim, receiver)
}

fn balance(sim: &EasysoftSim) -> Satang {
    sim.balance("demo").expect("demo")
}

#[tokio::test]
async fn balance_online_and_bad_login() {
    let mut config = EasysoftConfig::fast();
    config.networks_open[3] = false;
    let (sim, _) = start(config).await;
    let reply = post(&sim, &[("amount", "1")]).await;
    assert_eq!(
        reply,
        "<TOPUP><STATUS>1</STATUS><AMOUNT>10000.00</AMOUNT></TOPUP>"
    );
    let online = post(&sim, &[("online", "1")]).await;
    assert_eq!(xml_field(&online, "AIS").as_deref(), Some("1"));
    assert_eq!(xml_field(&online, "TOT").as_deref(), Some("0"));
    assert_eq!(xml_field(&online, "PENGUIN").as_deref(), Some("1"));
    let bad = termdee_providers::http_client()
        .post(sim.url())
        .form(&[("username", "demo"), ("password", "x"), ("amount", "1")])
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("text");
    assert_eq!(xml_field(&bad, "STATUS").as_deref(), Some("0"));
    assert_eq!(
        xml_field(&bad, "DETAIL").as_deref(),
        Some(detail::BAD_LOGIN)
    );
    let closed = post(
        &sim,
        &[
            ("mobile", "refill"),
            ("network", "4"),
            ("number", "0812345678"),
            ("cash", "10"),
        ],
    )
    .await;
    assert_eq!(
        xml_field(&closed, "DETAIL").as_deref(),
        Some(detail::NETWORK_CLOSED)
    );
    for path in termdee_sim::easysoft::PATHS {
        let text = termdee_providers::http_client()
            .post(format!("{}{path}", sim.base_url()))
            .form(&[
                ("username", "demo"),
                ("password", "demo1234"),
                ("amount", "1"),
            ])
            .send()
            .await
            .expect("send")
            .text()
            .await
            .expect("text");
        assert!(text.contains("<STATUS>1</STATUS>"), "{path}");
    }
}

#[tokio::test]
async fn refill_debits_then_succeeds_via_update_and_callback() {
    let (sim, receiver) = start(EasysoftConfig::fast()).await;
    // Long enough for the first `update` to see the order pending even on a loaded machine.
    sim.controls().script_fate(Fate {
        result_delay_ms: Some(300),
        ..Fate::default()
    });
    let reply = refill(&sim, "0812345678", "10").await;
    assert_eq!(xml_field(&reply, "STATUS").as_deref(), Some("1"));
    assert_eq!(xml_field(&reply, "DISCOUNT").as_deref(), Some("0.30"));
    let orderid = xml_field(&reply, "ORDERID").expect("orderid");
    assert_eq!(
        balance(&sim),
        Satang::new(1_000_000 - 970),
        "cash − discount debited"
    );
    let pending = update(&sim, &orderid).await;
    assert_eq!(xml_field(&pending, "STATUS_REFILL").as_deref(), Some("0"));
    assert_eq!(xml_field(&pending, "STATUS_CANCEL").as_deref(), Some("0"));
    wait_until("callback", || !receiver.received().is_empty()).await;
    let done = update(&sim, &orderid).await;
    assert_eq!(xml_field(&done, "STATUS_REFILL").as_deref(), Some("1"));
    assert_eq!(xml_field(&done, "REALAMOUNT").as_deref(), Some("9.70"));
    assert_eq!(xml_field(&done, "AMOUNT").as_deref(), Some("9990.30"));
    let callback = &receiver.received()[0];
    assert_eq!(Receiver::field(callback, "orderid"), orderid);
    assert_eq!(Receiver::field(callback, "status_refill"), "1");
    assert_eq!(Receiver::field(callback, "status_cancel"), "0");
    assert!(
        sim.controls().callbacks()[0].acked,
        "HTTP 200 acknowledges by default"
    );
}

#[tokio::test]
async fn failed_refill_is_cancelled_and_recredited() {
    let (sim, receiver) = start(EasysoftConfig::fast()).await;
    let reply = refill(&sim, "0812340004", "20").await;
    let orderid = xml_field(&reply, "ORDERID").expect("orderid");
    wait_until("callback", || !receiver.received().is_empty()).await;
    let done = update(&sim, &orderid).await;
    assert_eq!(xml_field(&done, "STATUS_CANCEL").as_deref(), Some("1"));
    assert_eq!(balance(&sim), Satang::new(1_000_000));
    let kinds: Vec<ExecutionKind> = sim.controls().executions().iter().map(|e| e.kind).collect();
    assert_eq!(kinds, vec![ExecutionKind::Debit, ExecutionKind::ReCredit]);
}

#[tokio::test]
async fn return_cancels_pending_and_reverses_succeeded_orders() {
    let (sim, receiver) = start(EasysoftConfig::fast()).await;
    sim.controls().script_fate(Fate {
        result_delay_ms: Some(60_000),
        ..Fate::default()
    });
    let pending = xml_field(&refill(&sim, "0812345678", "10").await, "ORDERID").expect("id");
    let accepted = post(&sim, &[("mobile", "return"), ("orderid", &pending)]).await;
    assert_eq!(accepted, "<TOPUP><STATUS>1</STATUS></TOPUP>");
    wait_until("cancelled", || receiver.received().len() == 1).await;
    assert_eq!(
        xml_field(&update(&sim, &pending).await, "STATUS_CANCEL").as_deref(),
        Some("1")
    );

    let done = xml_field(&refill(&sim, "0812345678", "10").await, "ORDERID").expect("id");
    wait_until("succeeded", || receiver.received().len() == 2).await;
    post(&sim, &[("mobile", "return"), ("orderid", &done)]).await;
    wait_until("reversed", || receiver.received().len() == 3).await;
    let reversed = update(&sim, &done).await;
    assert_eq!(xml_field(&reversed, "STATUS_REFILL").as_deref(), Some("1"));
    assert_eq!(xml_field(&reversed, "STATUS_CANCEL").as_deref(), Some("1"));
    assert_eq!(balance(&sim), Satang::new(1_000_000), "both re-credited");
    let again = post(&sim, &[("mobile", "return"), ("orderid", &done)]).await;
    assert_eq!(
        xml_field(&again, "DETAIL").as_deref(),
        Some(detail::ALREADY_CANCELLED)
    );
    let unknown = update(&sim, "999").await;
    assert_eq!(
        xml_field(&unknown, "DETAIL").as_deref(),
        Some(detail::NO_ORDER)
    );
}

#[tokio::test]
async fn refill_validation_and_insufficient_balance() {
    let (sim, _) = start(EasysoftConfig::fast()).await;
    let bad_number = refill(&sim, "12345", "10").await;
    assert_eq!(
        xml_field(&bad_number, "DETAIL").as_deref(),
        Some(detail::BAD_NUMBER)
    );
    let bad_cash = refill(&sim, "0812345678", "11").await;
    assert_eq!(
        xml_field(&bad_cash, "DETAIL").as_deref(),
        Some(detail::BAD_AMOUNT)
    );
    let bad_network = post(
        &sim,
        &[
            ("mobile", "refill"),
            ("network", "9"),
            ("number", "0812345678"),
            ("cash", "10"),
        ],
    )
    .await;
    assert_eq!(
        xml_field(&bad_network, "DETAIL").as_deref(),
        Some(detail::INVALID_DATA)
    );
    sim.set_balance("demo", Satang::new(100));
    let poor = refill(&sim, "0812345678", "10").await;
    assert_eq!(
        xml_field(&poor, "DETAIL").as_deref(),
        Some(detail::INSUFFICIENT)
    );
    assert!(sim.controls().executions().is_empty());
}

#[tokio::test]
async fn client_orderid_is_ignored_unless_the_switch_honours_it() {
    let (sim, _) = start(EasysoftConfig::fast()).await;
    for _ in 0..2 {
        post(
            &sim,
            &[
                ("mobile", "refill"),
                ("network", "1"),
                ("number", "0812345678"),
                ("cash", "10"),
                ("orderid", "K1"),
            ],
        )
        .await;
    }
    assert_eq!(
        sim.controls().executions().len(),
        2,
        "default: no idempotency, a re-send tops up again"
    );

    let config = EasysoftConfig {
        honour_client_orderid: true,
        ..EasysoftConfig::fast()
    };
    let (sim, _) = start(config).await;
    let first = post(
        &sim,
        &[
            ("mobile", "refill"),
            ("network", "1"),
            ("number", "0812345678"),
            ("cash", "10"),
            ("orderid", "K1"),
        ],
    )
    .await;
    assert_eq!(xml_field(&first, "STATUS").as_deref(), Some("1"));
    let second = post(
        &sim,
        &[
            ("mobile", "refill"),
            ("network", "1"),
            ("number", "0812345678"),
            ("cash", "10"),
            ("orderid", "K1"),
        ],
    )
    .await;
    assert_eq!(
        xml_field(&second, "DETAIL").as_deref(),
        Some(detail::DUPLICATE)
    );
    assert_eq!(sim.controls().debits_per_key().get("K1"), Some(&1));
}

#[tokio::test]
async fn encoding_switches_declaration_and_tis620() {
    let config = EasysoftConfig {
        xml_declaration: true,
        tis620: true,
        ..EasysoftConfig::fast()
    };
    let (sim, _) = start(config).await;
    let bytes = termdee_providers::http_client()
        .post(sim.url())
        .form(&[("username", "demo"), ("password", "bad")])
        .send()
        .await
        .expect("send")
        .bytes()
        .await
        .expect("bytes");
    assert!(bytes.starts_with(b"<?xml version=\"1.0\" encoding=\"TIS-620\"?><TOPUP>"));
    assert!(
        String::from_utf8(bytes.to_vec()).is_err(),
        "Thai DETAIL is TIS-620, not UTF-8"
    );
    assert!(bytes.contains(&0xAA), "ช (U+0E0A) is byte 0xAA in TIS-620");
}

#[tokio::test]
async fn faults_and_callback_plans() {
    let config = EasysoftConfig {
        callback_ack: EasysoftAck::Body("OK".to_owned()),
        callback_schedule: vec![Duration::from_millis(10), Duration::from_millis(10)],
        ..EasysoftConfig::fast()
    };
    let (sim, receiver) = start(config).await;
    sim.controls().script(Op::Order, Fault::ExecuteThenError);
    let reply = refill(&sim, "0812345678", "10").await;
    assert_eq!(
        xml_field(&reply, "DETAIL").as_deref(),
        Some(detail::SYSTEM_ERROR)
    );
    assert_eq!(
        sim.controls().executions().len(),
        1,
        "executed although the reply says STATUS=0"
    );

    sim.controls().script(Op::Query, Fault::Malformed);
    let orderid = sim.orders()[0].orderid.clone();
    let broken = update(&sim, &orderid).await;
    assert!(!broken.ends_with("</TOPUP>"), "truncated: {broken}");

    sim.controls().script(Op::Order, Fault::Html);
    let page = refill(&sim, "0812345678", "10").await;
    assert!(page.contains("<html>"));
    assert_eq!(
        sim.controls().executions().len(),
        1,
        "an HTML page executes nothing"
    );

    // The receiver answers "SUCCEED|..." (not "OK") so every callback is re-sent twice.
    wait_until("three attempts", || sim.controls().callbacks().len() == 3).await;
    assert!(sim.controls().callbacks().iter().all(|c| !c.acked));

    receiver.answer_first(&["OK", "OK"]);
    sim.controls().script_fate(Fate {
        outcome: Some(Outcome::Failure),
        callback: CallbackPlan::BeforeReply,
        ..Fate::default()
    });
    let before = receiver.received().len();
    let reply = refill(&sim, "0812345678", "10").await;
    assert_eq!(xml_field(&reply, "STATUS").as_deref(), Some("1"));
    assert_eq!(
        receiver.received().len(),
        before + 1,
        "callback before the reply"
    );
    assert_eq!(
        Receiver::field(&receiver.received()[before], "status_cancel"),
        "1"
    );
}

/// The real-time default (result ≥ 10 s after a refill) runs instantly under paused tokio time.
#[tokio::test(start_paused = true)]
async fn default_ten_second_result_runs_under_paused_time() {
    let (sim, _) = start(EasysoftConfig::default()).await;
    let started = tokio::time::Instant::now();
    let reply = refill(&sim, "0812345678", "10").await;
    let orderid = xml_field(&reply, "ORDERID").expect("orderid");
    let pending = update(&sim, &orderid).await;
    assert_eq!(
        xml_field(&pending, "STATUS_REFILL").as_deref(),
        Some("0"),
        "not before 10 s"
    );
    tokio::time::sleep(Duration::from_secs(10)).await;
    wait_until("decided", || sim.orders()[0].status_refill == 1).await;
    assert!(started.elapsed() >= Duration::from_secs(10));
    let done = update(&sim, &orderid).await;
    assert_eq!(xml_field(&done, "STATUS_REFILL").as_deref(), Some("1"));
}

#[tokio::test]
async fn unknown_switches_json_callback_and_discount_percent() {
    let config = EasysoftConfig {
        callback_json: true,
        discount_percent: true,
        ..EasysoftConfig::fast()
    };
    let (sim, _receiver) = start(config).await;
    let reply = refill(&sim, "0812345678", "10").await;
    assert_eq!(
        xml_field(&reply, "DISCOUNT").as_deref(),
        Some("3.00"),
        "percent, by the switch"
    );
    assert_eq!(
        balance(&sim),
        Satang::new(1_000_000 - 970),
        "the debit is the same"
    );
    wait_until("callback", || !sim.controls().callbacks().is_empty()).await;
    let body: serde_json::Value =
        serde_json::from_str(&sim.controls().callbacks()[0].body).expect("a JSON callback");
    assert_eq!(body["status_refill"], "1");
}
