//! The wePAY simulator over real HTTP: wire format, state, money, callbacks, faults.

mod common;

use std::time::Duration;

use common::{wait_until, Receiver};
use md5::{Digest, Md5};
use serde_json::Value;
use termdee_domain::Satang;
use termdee_sim::wepay::WepayAccount;
use termdee_sim::{
    Applied, CallbackPlan, ExecutionKind, Fate, Fault, Op, Outcome, RandomFaults, WepayConfig,
    WepaySim,
};

fn md5_hex(text: &str) -> String {
    hex::encode(Md5::digest(text.as_bytes()))
}

fn client() -> reqwest::Client {
    termdee_providers::http_client_builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
}

async fn api(sim: &WepaySim, fields: &[(&str, &str)]) -> reqwest::Result<reqwest::Response> {
    let hash = md5_hex("demo1234");
    let mut form: Vec<(&str, &str)> = vec![("username", "demo"), ("password_hash", hash.as_str())];
    form.extend_from_slice(fields);
    client()
        .post(format!("{}/client_api.json.php", sim.base_url()))
        .form(&form)
        .send()
        .await
}

async fn api_json(sim: &WepaySim, fields: &[(&str, &str)]) -> Value {
    api(sim, fields)
        .await
        .expect("send")
        .json()
        .await
        .expect("json reply")
}

async fn order(sim: &WepaySim, dest_ref: &str, amount: &str, phone: &str, url: &str) -> Value {
    api_json(
        sim,
        &[
            ("type", "mtopup"),
            ("dest_ref", dest_ref),
            ("resp_url", url),
            ("pay_to_company", "TRMV"),
            ("pay_to_amount", amount),
            ("pay_to_ref1", phone),
        ],
    )
    .await
}

async fn start() -> WepaySim {
    WepaySim::start(WepayConfig::fast())
        .await
        .expect("start wepay sim")
}

fn demo_balance(sim: &WepaySim) -> Satang {
    sim.balance("demo").expect("demo account")
}

#[tokio::test]
async fn balance_accepts_md5_hash_plain_password_and_md5_in_password() {
    let sim = start().await;
    let reply = api_json(&sim, &[("type", "balance_inquiry")]).await;
    assert_eq!(reply["code"], "00000");
    assert_eq!(
        reply["ledger_balance"], "10000.00",
        "ledger is a string, as in the seed"
    );
    assert!(
        reply["available_balance"].is_number(),
        "available is a number, as in the seed"
    );

    let url = format!("{}/client_api.json.php", sim.base_url());
    for password in ["demo1234", md5_hex("demo1234").as_str()] {
        let reply: Value = client()
            .post(&url)
            .form(&[
                ("username", "demo"),
                ("password", password),
                ("type", "balance_inquiry"),
            ])
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        assert_eq!(
            reply["code"], "00000",
            "password {password} must be accepted"
        );
    }
    let json: Value = client()
        .post(&url)
        .json(&serde_json::json!({"username":"demo","password_hash":md5_hex("demo1234"),"type":"balance_inquiry"}))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(json["code"], "00000", "a JSON body works as in the seed");
    let wrong: Value = client()
        .post(&url)
        .form(&[
            ("username", "demo"),
            ("password", "nope"),
            ("type", "balance_inquiry"),
        ])
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(wrong["code"], "20003");
    let missing: Value = client()
        .post(&url)
        .form(&[("username", "demo"), ("type", "balance_inquiry")])
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(missing["code"], "20001");
}

#[tokio::test]
async fn ip_outside_the_whitelist_gets_20005() {
    let mut account = WepayAccount::demo();
    account.allowed_ips = vec!["10.1.2.3".parse().expect("ip")];
    let sim = WepaySim::start(WepayConfig {
        accounts: vec![account],
        ..WepayConfig::fast()
    })
    .await
    .expect("start");
    let reply = api_json(&sim, &[("type", "balance_inquiry")]).await;
    assert_eq!(reply["code"], "20005");
}

#[tokio::test]
async fn order_is_accepted_debited_then_succeeds_with_an_acknowledged_callback() {
    let sim = start().await;
    let receiver = Receiver::start().await;
    let reply = order(&sim, "ORDER1", "5", "0812345678", &receiver.url).await;
    assert_eq!(reply["code"], "00000");
    assert_eq!(
        reply["total_amount"].to_string(),
        "4.84",
        "TRMV 5 THB costs 4.84 (3.2 %)"
    );
    assert_eq!(reply["balance"], "9995.16");
    assert!(reply["transaction_id"].is_string());
    assert!(reply["bill_id"].is_number() && reply["queue_id"].is_number());
    assert_eq!(demo_balance(&sim), Satang::new(999_516));

    wait_until("the callback is acknowledged", || {
        sim.controls().callbacks().iter().any(|c| c.acked)
    })
    .await;
    let callbacks = receiver.received();
    assert_eq!(callbacks.len(), 1);
    assert_eq!(Receiver::field(&callbacks[0], "dest_ref"), "ORDER1");
    assert_eq!(Receiver::field(&callbacks[0], "status"), "2");
    assert!(!Receiver::field(&callbacks[0], "operator_trxnsid").is_empty());

    let id = reply["transaction_id"].as_str().expect("id").to_owned();
    let output = api_json(&sim, &[("type", "get_output"), ("transaction_id", &id)]).await;
    assert_eq!(output["code"], "00000");
    let fields: Vec<(String, String)> =
        serde_urlencoded::from_str(output["output"].as_str().expect("output")).expect("urlencoded");
    assert_eq!(Receiver::field(&fields, "status"), "2");
    assert_eq!(Receiver::field(&fields, "transaction_id"), id);
    assert_eq!(sim.controls().debits_per_key().get("ORDER1"), Some(&1));
}

#[tokio::test]
async fn failed_order_is_recredited_and_reported_with_status_4() {
    let sim = start().await;
    let receiver = Receiver::start().await;
    let reply = order(&sim, "FAIL1", "10", "0812340004", &receiver.url).await;
    assert_eq!(
        reply["code"], "00000",
        "a failing number is still accepted first"
    );
    wait_until("the failure callback", || !receiver.received().is_empty()).await;
    assert_eq!(Receiver::field(&receiver.received()[0], "status"), "4");
    assert_eq!(
        demo_balance(&sim),
        Satang::new(1_000_000),
        "status 4 re-credits the wallet"
    );
    let kinds: Vec<ExecutionKind> = sim.controls().executions().iter().map(|e| e.kind).collect();
    assert_eq!(kinds, vec![ExecutionKind::Debit, ExecutionKind::ReCredit]);
}

#[tokio::test]
async fn get_output_says_30004_while_processing_and_30003_for_unknown_ids() {
    let sim = start().await;
    sim.controls().script_fate(Fate {
        result_delay_ms: Some(60_000),
        ..Fate::default()
    });
    let reply = order(&sim, "SLOW1", "10", "0812345678", "http://127.0.0.1:9/cb").await;
    let id = reply["transaction_id"].as_str().expect("id").to_owned();
    let output = api_json(&sim, &[("type", "get_output"), ("transaction_id", &id)]).await;
    assert_eq!(output["code"], "30004");
    let unknown = api_json(&sim, &[("type", "get_output"), ("transaction_id", "1")]).await;
    assert_eq!(unknown["code"], "30003");
    let malformed = api_json(&sim, &[("type", "get_output"), ("transaction_id", "abc")]).await;
    assert_eq!(malformed["code"], "30002");
}

#[tokio::test]
async fn duplicate_dest_ref_gets_30016_and_moves_no_money() {
    let sim = start().await;
    let first = order(&sim, "DUP1", "10", "0812345678", "http://127.0.0.1:9/cb").await;
    assert_eq!(first["code"], "00000");
    let balance = demo_balance(&sim);
    let second = order(&sim, "DUP1", "10", "0812345678", "http://127.0.0.1:9/cb").await;
    assert_eq!(second["code"], "30016");
    assert!(
        second.get("transaction_id").is_none(),
        "[U] switch off by default"
    );
    assert_eq!(demo_balance(&sim), balance);
    assert_eq!(sim.controls().debits_per_key().get("DUP1"), Some(&1));
}

#[tokio::test]
async fn order_validation_follows_the_documented_codes() {
    let sim = start().await;
    let cases = [
        (
            ("NOPE", "10", "0812345678", "http://127.0.0.1:9/cb", "A1"),
            "30001",
        ),
        (("TRMV", "10", "0812345678", "not a url", "A2"), "30005"),
        (
            (
                "TRMV",
                "10",
                "0812345678",
                "http://127.0.0.1:9/cb",
                "has-hyphen",
            ),
            "30006",
        ),
        (
            (
                "TRMV",
                "10",
                "0812345678",
                "http://127.0.0.1:9/cb",
                "A23456789012345678901",
            ),
            "30006",
        ),
        (
            ("TRMV", "11", "0812345678", "http://127.0.0.1:9/cb", "A3"),
            "30007",
        ),
        (
            ("TRMV", "10", "0212345678", "http://127.0.0.1:9/cb", "A4"),
            "30009",
        ),
    ];
    for ((company, amount, phone, url, dest_ref), code) in cases {
        let reply = api_json(
            &sim,
            &[
                ("type", "mtopup"),
                ("dest_ref", dest_ref),
                ("resp_url", url),
                ("pay_to_company", company),
                ("pay_to_amount", amount),
                ("pay_to_ref1", phone),
            ],
        )
        .await;
        assert_eq!(
            reply["code"], code,
            "{company} {amount} {phone} {url} {dest_ref}"
        );
        assert!(reply["desc"].is_string());
    }
    sim.set_balance("demo", Satang::new(500));
    let poor = order(&sim, "POOR1", "10", "0812345678", "http://127.0.0.1:9/cb").await;
    assert_eq!(poor["code"], "30019");
    assert!(
        sim.controls().executions().is_empty(),
        "no refused order moves money"
    );
}

#[tokio::test]
async fn callback_is_resent_until_the_exact_acknowledgement() {
    let sim = start().await;
    let receiver = Receiver::start().await;
    receiver.answer_first(&["OK", "SUCCEED|ORDER_ID=WRONG"]);
    order(&sim, "RETRY1", "10", "0812345678", &receiver.url).await;
    wait_until("acknowledged", || {
        sim.controls().callbacks().iter().any(|c| c.acked)
    })
    .await;
    let attempts = sim.controls().callbacks();
    assert_eq!(
        attempts.len(),
        3,
        "two wrong replies, then the exact one: {attempts:?}"
    );
    assert_eq!(
        attempts.iter().map(|a| a.attempt).collect::<Vec<_>>(),
        vec![0, 1, 2]
    );
    assert_eq!(receiver.received().len(), 3);
}

#[tokio::test]
async fn error_ack_stops_resends_when_the_switch_says_so() {
    let config = WepayConfig {
        resend_on_error_ack: false,
        ..WepayConfig::fast()
    };
    let sim = WepaySim::start(config).await.expect("start");
    let receiver = Receiver::start().await;
    receiver.answer_first(&["ERROR|DB_ERROR"]);
    order(&sim, "ERRACK1", "10", "0812345678", &receiver.url).await;
    wait_until("one attempt", || !sim.controls().callbacks().is_empty()).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(sim.controls().callbacks().len(), 1);
}

#[tokio::test]
async fn lenient_ack_switch_accepts_any_succeed_prefix() {
    let sim = WepaySim::start(WepayConfig {
        lenient_ack: true,
        ..WepayConfig::fast()
    })
    .await
    .expect("start");
    let receiver = Receiver::start().await;
    receiver.answer_first(&["SUCCEED|12345"]);
    order(&sim, "LENIENT1", "10", "0812345678", &receiver.url).await;
    wait_until("acked", || {
        sim.controls().callbacks().iter().any(|c| c.acked)
    })
    .await;
    assert_eq!(sim.controls().callbacks().len(), 1);
}

#[tokio::test]
async fn callback_plans_none_duplicate_late_and_out_of_order() {
    let sim = start().await;
    let receiver = Receiver::start().await;
    sim.controls().script_fate(Fate {
        callback: CallbackPlan::None,
        ..Fate::default()
    });
    order(&sim, "NONE1", "10", "0812345678", &receiver.url).await;
    sim.controls().script_fate(Fate {
        callback: CallbackPlan::Duplicate,
        ..Fate::default()
    });
    order(&sim, "DUPCB1", "10", "0812345678", &receiver.url).await;
    wait_until("two deliveries", || receiver.received().len() == 2).await;
    let refs: Vec<String> = receiver
        .received()
        .iter()
        .map(|c| Receiver::field(c, "dest_ref"))
        .collect();
    assert_eq!(
        refs,
        vec!["DUPCB1", "DUPCB1"],
        "NONE1 sends nothing, DUPCB1 twice"
    );

    sim.controls().script_fate(Fate {
        callback: CallbackPlan::OutOfOrder,
        ..Fate::default()
    });
    order(&sim, "FIRST1", "10", "0812345678", &receiver.url).await;
    sim.controls().script_fate(Fate {
        result_delay_ms: Some(40),
        ..Fate::default()
    });
    order(&sim, "SECOND1", "10", "0812345678", &receiver.url).await;
    wait_until("both", || receiver.received().len() == 4).await;
    let refs: Vec<String> = receiver
        .received()
        .iter()
        .map(|c| Receiver::field(c, "dest_ref"))
        .collect();
    assert_eq!(
        &refs[2..],
        ["SECOND1", "FIRST1"],
        "the held callback arrives after the next one"
    );

    sim.controls().script_fate(Fate {
        callback: CallbackPlan::Late { ms: 300 },
        ..Fate::default()
    });
    let reply = order(&sim, "LATE1", "10", "0812345678", &receiver.url).await;
    let id = reply["transaction_id"].as_str().expect("id").to_owned();
    wait_until("decided", || {
        sim.transaction_by_dest_ref("LATE1")
            .is_some_and(|t| t.status != termdee_sim::wepay::WepayStatus::Processing)
    })
    .await;
    let output = api_json(&sim, &[("type", "get_output"), ("transaction_id", &id)]).await;
    assert_eq!(
        output["code"], "00000",
        "get_output knows the result before the late callback"
    );
    assert_eq!(receiver.received().len(), 4, "late callback not yet sent");
    wait_until("late callback", || receiver.received().len() == 5).await;
}

#[tokio::test]
async fn callback_before_reply_arrives_before_the_order_reply() {
    let sim = start().await;
    let receiver = Receiver::start().await;
    sim.controls().script_fate(Fate {
        outcome: Some(Outcome::Failure),
        callback: CallbackPlan::BeforeReply,
        ..Fate::default()
    });
    let reply = order(&sim, "EARLY1", "10", "0812345678", &receiver.url).await;
    assert_eq!(reply["code"], "00000");
    let received = receiver.received();
    assert_eq!(received.len(), 1, "the callback came before the HTTP reply");
    assert_eq!(
        Receiver::field(&received[0], "status"),
        "4",
        "scripted failure"
    );
}

#[tokio::test]
async fn request_faults_around_execution() {
    let sim = start().await;
    let short = termdee_providers::http_client_builder()
        .timeout(Duration::from_millis(100))
        .build()
        .expect("client");
    let hash = md5_hex("demo1234");
    let form = |dest_ref: &'static str| {
        vec![
            ("username", "demo".to_owned()),
            ("password_hash", hash.clone()),
            ("type", "mtopup".to_owned()),
            ("dest_ref", dest_ref.to_owned()),
            ("resp_url", "http://127.0.0.1:9/cb".to_owned()),
            ("pay_to_company", "TRMV".to_owned()),
            ("pay_to_amount", "10".to_owned()),
            ("pay_to_ref1", "0812345678".to_owned()),
        ]
    };
    let url = format!("{}/client_api.json.php", sim.base_url());
    let normal = client();
    let send = |dest_ref: &'static str| normal.post(&url).form(&form(dest_ref)).send();

    sim.controls()
        .script(Op::Order, Fault::ExecuteThenHold { ms: 5_000 });
    let held = short.post(&url).form(&form("HOLD1")).send().await;
    assert!(held.expect_err("times out").is_timeout());
    assert_eq!(
        sim.controls().debits_per_key().get("HOLD1"),
        Some(&1),
        "executed before the timeout"
    );

    sim.controls().script(Op::Order, Fault::ExecuteThenDrop);
    let dropped = match send("DROP1").await {
        Err(_) => true,
        Ok(response) => response.text().await.is_err(),
    };
    assert!(dropped, "the connection is dropped");
    assert_eq!(sim.controls().debits_per_key().get("DROP1"), Some(&1));

    sim.controls()
        .script(Op::Order, Fault::ServerError { status: 502 });
    let response = send("GW1").await.expect("reply");
    assert_eq!(response.status().as_u16(), 502);
    assert!(!sim.controls().debits_per_key().contains_key("GW1"));

    sim.controls().script(Op::Order, Fault::Html);
    let response = send("HTML1").await.expect("reply");
    assert_eq!(response.status().as_u16(), 403);
    assert!(response.text().await.expect("body").contains("<html>"));

    sim.controls().script(Op::Order, Fault::Malformed);
    let body = send("BAD1")
        .await
        .expect("reply")
        .text()
        .await
        .expect("body");
    assert!(
        serde_json::from_str::<Value>(&body).is_err(),
        "truncated: {body}"
    );
    assert_eq!(sim.controls().debits_per_key().get("BAD1"), Some(&1));

    sim.controls().script(Op::Order, Fault::ExecuteThenError);
    let body: Value = send("INT1")
        .await
        .expect("reply")
        .json()
        .await
        .expect("json");
    assert_eq!(body["code"], "10004");
    assert_eq!(
        sim.controls().debits_per_key().get("INT1"),
        Some(&1),
        "10004 after the order exists"
    );

    sim.controls().script(Op::Order, Fault::InsufficientBalance);
    let body: Value = send("POOR1")
        .await
        .expect("reply")
        .json()
        .await
        .expect("json");
    assert_eq!(body["code"], "30019");
    sim.controls().script(Op::Any, Fault::IpNotAllowed);
    let body: Value = send("IP1")
        .await
        .expect("reply")
        .json()
        .await
        .expect("json");
    assert_eq!(body["code"], "20005");
    sim.controls().script(Op::Order, Fault::Delay { ms: 30 });
    let body: Value = send("LATE2")
        .await
        .expect("reply")
        .json()
        .await
        .expect("json");
    assert_eq!(body["code"], "00000");

    sim.controls().set_network_online(false);
    assert!(
        match send("OFF1").await {
            Err(_) => true,
            Ok(response) => response.text().await.is_err(),
        },
        "offline drops the connection"
    );
    sim.controls().set_network_online(true);
    let body: Value = send("ON1")
        .await
        .expect("reply")
        .json()
        .await
        .expect("json");
    assert_eq!(body["code"], "00000");
    let counts = sim.controls().debits_per_key();
    assert!(
        counts.values().all(|n| *n == 1),
        "no key executed twice: {counts:?}"
    );
}

#[tokio::test]
async fn seeded_random_faults_are_reproducible() {
    async fn run(seed: u64) -> Vec<Applied> {
        let mut random = RandomFaults::new(seed);
        random.request_fault_per_mille = 400;
        random.menu = vec![
            Fault::ServerError { status: 503 },
            Fault::Html,
            Fault::Delay { ms: 1 },
        ];
        random.failure_per_mille = 500;
        let sim = WepaySim::start(WepayConfig {
            random: Some(random),
            ..WepayConfig::fast()
        })
        .await
        .expect("start");
        for i in 0..20 {
            let dest_ref = format!("R{i}");
            let fields = [
                ("type", "mtopup"),
                ("dest_ref", dest_ref.as_str()),
                ("resp_url", "http://127.0.0.1:9/cb"),
                ("pay_to_company", "TRMV"),
                ("pay_to_amount", "10"),
                ("pay_to_ref1", "0812345678"),
            ];
            let _ = api(&sim, &fields).await.expect("send").text().await;
        }
        sim.controls().applied()
    }
    let (a, b, c) = (run(7).await, run(7).await, run(8).await);
    assert!(!a.is_empty());
    assert_eq!(a, b, "same seed, same requests, same faults");
    assert_ne!(a, c, "another seed gives other faults");
}

#[tokio::test]
async fn service_info_and_catalogue() {
    let sim = start().await;
    let info = api_json(
        &sim,
        &[
            ("type", "mtopup"),
            ("pay_to_company", "TRMV"),
            ("payee_info", "true"),
        ],
    )
    .await;
    assert_eq!(info["code"], "00000");
    assert_eq!(info["discount"].to_string(), "3.2");
    assert_eq!(info["sof_min"], 5);
    let catalogue: Value = client()
        .get(format!("{}/comp_export.php?json", sim.base_url()))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let mtopup = catalogue["data"]["mtopup"].as_array().expect("mtopup");
    assert!(mtopup
        .iter()
        .any(|c| c["company_id"] == "TRMV" && c["refundable"] == true));
    let aop = mtopup
        .iter()
        .find(|c| c["company_id"] == "HAPPY-AOP")
        .expect("packages");
    assert!(aop["denomination"]
        .as_array()
        .expect("list")
        .iter()
        .any(|d| matches!(serde_json::to_string(&d["price"]), Ok(p) if p == "280.01")));
}

#[tokio::test]
async fn refund_of_a_successful_order_recredits_and_calls_back() {
    let sim = start().await;
    let receiver = Receiver::start().await;
    let reply = order(&sim, "TOREFUND", "10", "0812345678", &receiver.url).await;
    let id = reply["transaction_id"].as_str().expect("id").to_owned();
    wait_until("success", || !receiver.received().is_empty()).await;
    let url = format!("{}/mtopup_refund_api.php", sim.base_url());
    let text = client()
        .post(&url)
        .form(&[
            ("username", "demo"),
            ("password_hash", md5_hex("demo1234").as_str()),
            ("transaction_id", id.as_str()),
            ("dest_ref", "REFUND1"),
            ("pay_to_company", "TRMV"),
            ("resp_url", receiver.url.as_str()),
        ])
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("text");
    assert!(text.starts_with("SUCCEED|RID="), "{text}");
    wait_until("refund callback", || receiver.received().len() == 2).await;
    let callback = &receiver.received()[1];
    assert_eq!(Receiver::field(callback, "dest_ref"), "REFUND1");
    assert_eq!(Receiver::field(callback, "drawn_amount"), "10.00");
    assert_eq!(demo_balance(&sim), Satang::new(1_000_000));
    let again = client()
        .post(&url)
        .form(&[
            ("username", "demo"),
            ("password_hash", md5_hex("demo1234").as_str()),
            ("transaction_id", id.as_str()),
            ("dest_ref", "REFUND2"),
            ("pay_to_company", "TRMV"),
            ("resp_url", receiver.url.as_str()),
        ])
        .send()
        .await
        .expect("send")
        .text()
        .await
        .expect("text");
    assert!(again.starts_with("ERROR|"), "{again}");
}

#[tokio::test]
async fn http_control_endpoint_scripts_faults_and_reports_state() {
    let sim = start().await;
    let control = |path: &str| format!("{}/_sim/{path}", sim.base_url());
    let ok = client()
        .post(control("script"))
        .json(&serde_json::json!({"op":"balance","fault":{"kind":"server_error","status":503}}))
        .send()
        .await
        .expect("send");
    assert!(ok.status().is_success());
    let response = api(&sim, &[("type", "balance_inquiry")])
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 503);
    client()
        .post(control("balance"))
        .json(&serde_json::json!({"username":"demo","balance":"12.34"}))
        .send()
        .await
        .expect("send");
    assert_eq!(demo_balance(&sim), Satang::new(1234));
    client()
        .post(control("network"))
        .json(&serde_json::json!({"online": false}))
        .send()
        .await
        .expect("send");
    assert!(!sim.controls().network_online());
    let state: Value = client()
        .get(control("state"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(
        state["online"], false,
        "the control API still answers while offline"
    );
    assert_eq!(state["provider"]["balances"]["demo"], "12.34");
}

#[tokio::test]
async fn multipart_bodies_are_accepted_too() {
    let sim = start().await;
    let boundary = "XyZ";
    let mut body = String::new();
    for (name, value) in [
        ("username", "demo"),
        ("password", "demo1234"),
        ("type", "balance_inquiry"),
    ] {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let reply: Value = client()
        .post(format!("{}/client_api.json.php", sim.base_url()))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(reply["code"], "00000");
}

#[tokio::test]
async fn unknown_switches_plain_password_and_lookup_by_dest_ref() {
    let config = WepayConfig {
        accept_plain_password: false,
        lookup_by_dest_ref: true,
        ..WepayConfig::fast()
    };
    let sim = WepaySim::start(config).await.expect("start");
    let url = format!("{}/client_api.json.php", sim.base_url());
    let plain: Value = client()
        .post(&url)
        .form(&[
            ("username", "demo"),
            ("password", "demo1234"),
            ("type", "balance_inquiry"),
        ])
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(
        plain["code"], "20003",
        "plain password refused by the switch"
    );
    sim.controls().script_fate(Fate {
        result_delay_ms: Some(0),
        ..Fate::default()
    });
    order(&sim, "BYREF1", "10", "0812345678", "http://127.0.0.1:9/cb").await;
    wait_until("decided", || {
        sim.transaction_by_dest_ref("BYREF1")
            .is_some_and(|t| t.status != termdee_sim::wepay::WepayStatus::Processing)
    })
    .await;
    let output = api_json(&sim, &[("type", "get_output"), ("dest_ref", "BYREF1")]).await;
    assert_eq!(output["code"], "00000", "found by dest_ref: {output}");
}
