//! The callback relay with the provider simulators: providers call the hub (never the register),
//! the hub stores and answers exactly as each provider expects, and the register applies each
//! callback through its engine when it is online — also when it was offline when they came.
// Test code throughout (helpers included): a failed unwrap is a failed test. clippy's
// allow-unwrap-in-tests covers only the #[test] functions themselves.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{eventually, fast, Database, RunningHub};
use secrecy::SecretString;
use termdee_app::engine::callbacks::CallbackVerdict;
use termdee_app::engine::ports::WepayPort;
use termdee_app::engine::{Engine, NoCrash, SaleRequest, TopupPort};
use termdee_app::fleet::{self, HubClient, HubSettings, OutboxSender, PushOutcome, RelayClient};
use termdee_domain::report::ReportDimension;
use termdee_domain::{
    Actor, ActorKind, BusinessDay, Clock, Network, PaymentMethod, SaleState, Satang, SystemClock,
};
use termdee_hub::Store;
use termdee_ledger::Ledger;
use termdee_providers::{Transport, WepayClient, WepayConfig};
use termdee_scenarios::{Faults, World, REGISTER};

struct Register {
    settings: HubSettings,
    ledger: Arc<Ledger>,
    _dir: tempfile::TempDir,
}

async fn enrol(database: &Database, world: &World, hub: &RunningHub) -> Register {
    let enrolment = database
        .store
        .enroll(REGISTER, Some("Kiosk 1"), SystemClock.now())
        .await
        .unwrap();
    let settings = HubSettings::new(hub.url(), SecretString::from(enrolment.token));
    // Easysoft's callback address is set in its back office: the hub's, for this register.
    world.easysoft.set_callback_url(
        "demo",
        Some(
            settings
                .callback_url(REGISTER, "easysoft")
                .unwrap()
                .to_string(),
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let ledger = world
        .open_ledger(&dir.path().join("ledger.sqlite"))
        .unwrap();
    Register {
        settings,
        ledger,
        _dir: dir,
    }
}

async fn engine(world: &World, register: &Register) -> termdee_scenarios::Running {
    world
        .engine_relayed(
            register.ledger.clone(),
            Arc::new(NoCrash),
            register.settings.callback_base(REGISTER).unwrap(),
            &register.settings.callback_token(),
        )
        .await
        .unwrap()
}

fn kiosk() -> Actor {
    Actor::new(ActorKind::Kiosk, "kiosk-1")
}

fn request(method: PaymentMethod) -> SaleRequest {
    SaleRequest {
        operator_id: "kiosk-1".to_owned(),
        network: Network::Ais,
        phone: "0812345678".to_owned(),
        amount: Satang::new(5_000),
        method,
    }
}

async fn wait_for_state(engine: &Arc<Engine>, sale: &str, state: SaleState) {
    eventually(
        &format!("sale {sale} to be {state:?}"),
        Duration::from_secs(30),
        || async { engine.ledger().sale(sale).unwrap().state == state },
    )
    .await;
}

async fn open_callbacks(store: &Store) -> Vec<termdee_hub::wire::CallbackView> {
    store.callbacks(true, 100).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callbacks_received_while_the_register_is_offline_are_applied_when_it_comes_back() {
    let database = Database::start().await;
    let hub = RunningHub::plain(&database.url);
    let world = World::start(Faults::none()).await.unwrap();
    let register = enrol(&database, &world, &hub).await;

    // A kiosk sale paid by Deposit-QR, which cannot be queried: only its callback can say
    // "paid" (deposit_qr.md §4).
    let running = engine(&world, &register).await;
    let sale = running
        .engine
        .start_sale(&request(PaymentMethod::DepositQr), &kiosk())
        .await
        .unwrap();
    let payment = register.ledger.payments_of(&sale.id).unwrap().remove(0);
    // The register goes offline (shop's line down): no engine, no relay.
    drop(running);

    // The customer pays; Deposit-QR calls back — the hub, not the register.
    world.deposit.pay(&payment.reference, None).unwrap();
    // Deposit-QR says PROCESSING, then SUCCESS (the simulator's default, as the provider does):
    // wait for both, so the count below cannot race the second one.
    eventually(
        "the hub to hold both payment callbacks",
        Duration::from_secs(10),
        || async { open_callbacks(&database.store).await.len() >= 2 },
    )
    .await;
    let attempts = world.deposit.controls().callbacks();
    assert!(
        attempts
            .iter()
            .any(|a| a.acked && a.url.contains("/relay/kiosk-1/callback/deposit_qr/")),
        "Deposit-QR got its acknowledgement from the hub: {attempts:?}"
    );
    // Both held, neither handled yet.
    let held = open_callbacks(&database.store).await;
    assert_eq!(held.len(), 2, "{held:?}");
    assert!(held.iter().all(
        |c| c.order_ref.as_deref() == Some(payment.reference.as_str()) && c.verdict.is_none()
    ));
    let health = database.store.health(0).await.unwrap();
    assert_eq!(health.registers[0].callbacks_waiting, held.len() as i64);
    assert_eq!(
        register.ledger.sale(&sale.id).unwrap().state,
        SaleState::AwaitingPayment,
        "offline, the register knows nothing yet"
    );

    // Back online: the relay hands the callback to the engine, which verifies and applies it.
    let running = engine(&world, &register).await;
    let client = HubClient::new(
        &register.settings.url,
        register.settings.register_token.clone(),
        &fast(),
    )
    .unwrap();
    let mut relay = RelayClient::new(running.engine.clone(), client, fast(), Arc::new(NoCrash));
    let handled = relay.poll_once(Duration::from_secs(1)).await.unwrap();
    assert_eq!(
        handled.len(),
        held.len(),
        "everything held is handed over, oldest first"
    );
    let applied = handled.last().unwrap();
    assert_eq!(applied.verdict, Some(CallbackVerdict::Applied));
    assert_eq!(applied.sale_id.as_deref(), Some(sale.id.as_str()));
    // Paid: the engine (now ticking, as on a running register) tops up through wePAY, whose
    // result callback also comes through the hub.
    let ticking = tokio::spawn(running.engine.clone().run(Duration::from_millis(20)));
    for _ in 0..150 {
        if register.ledger.sale(&sale.id).unwrap().state == SaleState::Completed {
            break;
        }
        relay.poll_once(Duration::from_millis(100)).await.unwrap();
    }
    assert_eq!(
        register.ledger.sale(&sale.id).unwrap().state,
        SaleState::Completed
    );
    eventually(
        "wePAY's callback to reach the hub",
        Duration::from_secs(10),
        || async {
            world
                .wepay
                .controls()
                .callbacks()
                .iter()
                .any(|a| a.acked && a.url.contains("/relay/kiosk-1/callback/wepay/"))
        },
    )
    .await;
    let wepay_reply = world
        .wepay
        .controls()
        .callbacks()
        .into_iter()
        .find(|a| a.acked)
        .unwrap()
        .reply;
    assert!(
        wepay_reply.starts_with("SUCCEED|ORDER_ID="),
        "wePAY's exact acknowledgement: {wepay_reply}"
    );
    for _ in 0..20 {
        relay.poll_once(Duration::from_millis(200)).await.unwrap();
        if open_callbacks(&database.store).await.is_empty() {
            break;
        }
    }
    assert!(
        open_callbacks(&database.store).await.is_empty(),
        "every callback handled"
    );
    let all = database.store.callbacks(false, 100).await.unwrap();
    assert!(all.iter().all(|c| c.acked_at.is_some()));
    let verdicts: Vec<&str> = all.iter().filter_map(|c| c.verdict.as_deref()).collect();
    assert!(verdicts.contains(&"applied"), "{verdicts:?}");
    // The register's own ledger kept each relayed callback, byte for byte.
    let local = register.ledger.all_callbacks().unwrap();
    assert!(local
        .iter()
        .any(|c| c.provider == "deposit_qr" && c.sale_id.as_deref() == Some(sale.id.as_str())));

    // And the sale reaches the hub's books through the outbox: the hub equals the ledger.
    let sender = OutboxSender::new(
        register.ledger.clone(),
        HubClient::new(
            &register.settings.url,
            register.settings.register_token.clone(),
            &fast(),
        )
        .unwrap(),
        Arc::new(SystemClock),
        fast(),
    );
    while let PushOutcome::Pushed { more: true, .. } = sender.push_once().await.unwrap() {}
    let today = BusinessDay::of(SystemClock.now());
    let report = database
        .store
        .report(today, today, ReportDimension::Operator, None)
        .await
        .unwrap();
    assert_eq!(report.total.completed.count, 1);
    assert_eq!(report.total.completed.satang, Satang::new(5_000));
    ticking.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_unreadable_and_forged_callbacks_are_kept_and_shown_never_dropped() {
    let database = Database::start().await;
    let hub = RunningHub::plain(&database.url);
    let world = World::start(Faults::none()).await.unwrap();
    let register = enrol(&database, &world, &hub).await;
    let http = termdee_providers::http_client();
    let url = |provider: &str| register.settings.callback_url(REGISTER, provider).unwrap();

    // A wePAY result for an order this register never placed: stored, answered as wePAY
    // expects (the hub cannot know it is not ours), and shown once the register says so.
    let unknown = http
        .post(url("wepay"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("dest_ref=NOTOURS1&transaction_id=555&status=2&sms=ok")
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 200);
    assert_eq!(unknown.text().await.unwrap(), "SUCCEED|ORDER_ID=NOTOURS1");
    // An unreadable body: stored too, answered like the register's own listener would.
    let garbage = http
        .post(url("deposit_qr"))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400);
    // A BluePay notification with a signature that does not verify.
    let param = r#"{"mchOrderId":"bp-NOTOURS-1","transactionStatus":"COMPLETED","amount":5000}"#;
    let forged = serde_json::json!({ "sign": "Zm9yZ2Vk", "param": param }).to_string();
    let bluepay = http
        .post(url("bluepay"))
        .header("content-type", "application/json")
        .body(forged)
        .send()
        .await
        .unwrap();
    assert_eq!(bluepay.status(), 200);
    // The wrong secret: not a URL given to any provider; nothing stored.
    let mut wrong = url("wepay");
    wrong.set_path(&format!(
        "/relay/{REGISTER}/callback/wepay/00000000000000000000000000000000"
    ));
    let refused = http
        .post(wrong)
        .body("dest_ref=X&transaction_id=1&status=2")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 404);
    // And for a register that was never enrolled.
    let mut stranger = url("wepay");
    stranger.set_path(&format!(
        "/relay/kiosk-99/callback/wepay/{}",
        register.settings.callback_token()
    ));
    assert_eq!(
        http.post(stranger)
            .body("x=1")
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    let held = database.store.callbacks(false, 100).await.unwrap();
    assert_eq!(held.len(), 3, "three stored, the two unauthorised ones not");
    let garbage_view = held.iter().find(|c| c.provider == "deposit_qr").unwrap();
    assert!(garbage_view.parse_error.is_some());
    assert_eq!(garbage_view.reply_status, 400);
    assert_eq!(garbage_view.body_preview, "{not json");

    // The register comes online and gives its verdicts; every one stays visible.
    let running = engine(&world, &register).await;
    let client = HubClient::new(
        &register.settings.url,
        register.settings.register_token.clone(),
        &fast(),
    )
    .unwrap();
    let mut relay = RelayClient::new(running.engine.clone(), client, fast(), Arc::new(NoCrash));
    let handled = relay.poll_once(Duration::from_secs(1)).await.unwrap();
    let mut verdicts: Vec<(String, Option<CallbackVerdict>)> = handled
        .into_iter()
        .map(|h| (h.provider, h.verdict))
        .collect();
    verdicts.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        verdicts,
        [
            ("bluepay".to_owned(), Some(CallbackVerdict::BadSignature)),
            ("deposit_qr".to_owned(), Some(CallbackVerdict::Malformed)),
            ("wepay".to_owned(), Some(CallbackVerdict::UnknownOrder)),
        ]
    );
    // Nothing was applied to any sale, and all three stay on the owner's list as refused.
    assert!(register.ledger.all_sales().unwrap().is_empty());
    let open = open_callbacks(&database.store).await;
    assert_eq!(open.len(), 3, "refused callbacks stay visible: {open:?}");
    let mut shown: Vec<&str> = open.iter().filter_map(|c| c.verdict.as_deref()).collect();
    shown.sort_unstable();
    assert_eq!(shown, ["bad_signature", "malformed", "unknown_order"]);
    let health = database.store.health(0).await.unwrap();
    assert_eq!(health.registers[0].callbacks_refused, 3);
    assert_eq!(health.registers[0].callbacks_waiting, 0);

    // A register cannot acknowledge another register's callback.
    let other = database.store.enroll("kiosk-2", None, 0).await.unwrap();
    let intruder = termdee_providers::http_client()
        .post(
            hub.url()
                .join(&termdee_hub::wire::relay_ack_path(open[0].id)[1..])
                .unwrap(),
        )
        .bearer_auth(other.token)
        .json(&serde_json::json!({ "verdict": "applied", "sale_id": null }))
        .send()
        .await
        .unwrap();
    assert_eq!(intruder.status(), 404);
}

fn wepay_port(world: &World) -> Arc<dyn TopupPort> {
    let transport = Transport::new(termdee_providers::TransportConfig::default()).unwrap();
    Arc::new(WepayPort(WepayClient::new(
        WepayConfig {
            base_url: url::Url::parse(&format!("{}/", world.wepay.base_url())).unwrap(),
            username: "demo".to_owned(),
            password: SecretString::from("demo1234"),
            password_is_md5: false,
            callback_url: None,
        },
        transport,
    )))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_online_register_started_from_its_settings_applies_callbacks_as_they_come() {
    let database = Database::start().await;
    let hub = RunningHub::plain(&database.url);
    let world = World::start(Faults::none()).await.unwrap();
    let register = enrol(&database, &world, &hub).await;
    let running = engine(&world, &register).await;
    // What the desktop app does from its settings: one call starts the sender and the relay.
    let handle = fleet::spawn(
        &register.settings,
        running.engine.clone(),
        Arc::new(SystemClock),
        vec![wepay_port(&world)],
        fast(),
    )
    .unwrap();

    let sale = running
        .engine
        .start_sale(&request(PaymentMethod::BluePay), &kiosk())
        .await
        .unwrap();
    // Ticking starts once the sale's QR is open: a tick racing `start_sale` on the same sale
    // makes `start_sale` fail (an engine issue reported separately, not the hub's).
    let ticking = tokio::spawn(running.engine.clone().run(Duration::from_millis(20)));
    let payment = register.ledger.payments_of(&sale.id).unwrap().remove(0);
    // The customer pays; BluePay's signed notification goes to the hub, then to the register.
    world.bluepay.pay(&payment.reference, None).unwrap();
    wait_for_state(&running.engine, &sale.id, SaleState::Completed).await;
    let notification = world
        .bluepay
        .controls()
        .callbacks()
        .into_iter()
        .find(|a| a.url.contains("/relay/kiosk-1/callback/bluepay/"))
        .expect("BluePay called the hub");
    assert!(
        notification.acked,
        "BluePay got exactly its acknowledgement: {}",
        notification.reply
    );

    // The sale reaches the hub too, and the health page shows the register and its balance.
    let today = BusinessDay::of(SystemClock.now());
    eventually(
        "the completed sale at the hub",
        Duration::from_secs(20),
        || async {
            database
                .store
                .report(today, today, ReportDimension::Method, None)
                .await
                .unwrap()
                .rows
                .iter()
                .any(|r| r.key == "bluepay" && r.completed.count == 1)
        },
    )
    .await;
    eventually(
        "every relayed callback handled",
        Duration::from_secs(20),
        || async { open_callbacks(&database.store).await.is_empty() },
    )
    .await;
    let health = database.store.health(0).await.unwrap();
    let kiosk = &health.registers[0];
    assert!(kiosk.last_seen_at.is_some());
    let wepay = kiosk
        .balances
        .iter()
        .find(|b| b.provider == "wepay")
        .expect("a balance");
    assert!(wepay.available.is_some(), "{wepay:?}");
    eventually(
        "the sender to report no backlog",
        Duration::from_secs(20),
        || async { handle.status().backlog == 0 && handle.status().last_error.is_none() },
    )
    .await;
    drop(handle);
    ticking.abort();
}
