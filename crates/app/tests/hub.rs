//! The shop pointed at a fleet hub from its settings: once the owner sets the hub's URL and the
//! register token, the register pushes its ledger's outbox to the hub with that token (the
//! owner's PIN hash never travels), and with no public URL of its own its providers call back
//! through the hub. The hub here is a small stand-in on 127.0.0.1 that records what arrives and
//! acknowledges it as the real one does (the real hub is tested against PostgreSQL in
//! `crates/hub`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use termdee_app::auth::PinCost;
use termdee_app::shop::views::*;
use termdee_app::shop::{Shop, ShopOptions, ShopPaths};
use termdee_domain::SystemClock;
use termdee_hub::wire::{PushBatch, PushReply, RelayBatch, PUSH_PATH, RELAY_PATH};
use termdee_sim::wepay::{WepayConfig as WepaySimConfig, WepaySim};

const HUB_TOKEN: &str = "tdr_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const OWNER_PIN: &str = "2580";

/// What the stand-in hub received: the bearer token and the batch of every push.
#[derive(Default)]
struct Received {
    pushes: Mutex<Vec<(Option<String>, serde_json::Value)>>,
}

async fn push(
    State(received): State<Arc<Received>>,
    headers: HeaderMap,
    Json(body): Json<serde_json::Value>,
) -> Json<PushReply> {
    let batch: PushBatch = serde_json::from_value(body.clone()).expect("a push batch");
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    received
        .pushes
        .lock()
        .expect("not poisoned")
        .push((bearer, body));
    let through = batch.entries.iter().map(|e| e.seq).max().unwrap_or(0);
    Json(PushReply {
        applied_through: through,
        missing_from: None,
    })
}

async fn relay() -> Json<RelayBatch> {
    // Nothing to relay: hold the poll a little, as the real hub holds it until a callback.
    tokio::time::sleep(Duration::from_millis(200)).await;
    Json(RelayBatch::default())
}

async fn stand_in_hub() -> (String, Arc<Received>) {
    let received = Arc::new(Received::default());
    let app = Router::new()
        .route(PUSH_PATH, post(push))
        .route(RELAY_PATH, get(relay))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let url = format!("http://{}/", listener.local_addr().expect("an address"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, received)
}

fn settings(wepay_url: &str, hub_url: &str, hub_token: Option<String>) -> SettingsUpdate {
    SettingsUpdate {
        shop_name: "ร้านเติมดี".into(),
        promptpay_id: String::new(),
        register_name: "Counter 1".into(),
        language: Language::Th,
        qr_countdown_seconds: 300,
        kiosk_idle_seconds: 60,
        callback_listen: String::new(),
        // No public address of its own: behind the shop's NAT.
        public_url: String::new(),
        low_balance_alert: termdee_domain::Satang::new(100_000),
        routing: Vec::new(),
        providers: vec![ProviderSettingsUpdate {
            provider: ProviderId::Wepay,
            enabled: true,
            values: vec![
                ("base_url".into(), wepay_url.into()),
                ("username".into(), "demo".into()),
            ],
            secrets: vec![("password".into(), Some("demo1234".into()))],
        }],
        printer: String::new(),
        printer_width_dots: 384,
        hub_url: hub_url.into(),
        hub_token,
        hub_owner_token: None,
    }
}

fn wepay_problem(shop: &Shop) -> Option<String> {
    shop.status()
        .problems
        .iter()
        .map(|p| p.message.clone())
        .find(|m| m.contains("callback URL"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_register_set_to_a_hub_pushes_its_outbox_there_and_takes_callbacks_through_it() {
    std::env::set_var(termdee_app::shop::secrets::SECRET_STORE_ENV, "file");
    let folder = tempfile::tempdir().expect("a temporary folder");
    let shop = Shop::open(
        ShopPaths {
            config_dir: folder.path().to_path_buf(),
            data_dir: folder.path().to_path_buf(),
        },
        Arc::new(SystemClock),
        ShopOptions {
            tick: Duration::from_millis(100),
            pin_cost: PinCost::TESTS_ONLY,
            demo_allowed: true,
        },
    )
    .await
    .expect("the shop opens");
    shop.setup_owner(&OwnerSetup {
        name: "เจ้าของ".into(),
        pin: OWNER_PIN.into(),
        shop_name: "ร้านเติมดี".into(),
    })
    .await
    .expect("the owner is created");
    let wepay = WepaySim::start(WepaySimConfig::fast())
        .await
        .expect("the simulator starts");
    let wepay_url = format!("{}/", wepay.base_url());
    let (hub_url, received) = stand_in_hub().await;

    // wePAY without a public URL and without a hub: nowhere for its results to go.
    shop.save_settings(&settings(&wepay_url, "", None))
        .await
        .expect("saved");
    assert!(
        wepay_problem(&shop).is_some(),
        "{:?}",
        shop.status().problems
    );

    // The hub's URL alone is not enough: without the token nothing is sent.
    shop.save_settings(&settings(&wepay_url, &hub_url, None))
        .await
        .expect("saved");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(received.pushes.lock().expect("not poisoned").is_empty());

    shop.save_settings(&settings(&wepay_url, &hub_url, Some(HUB_TOKEN.into())))
        .await
        .expect("saved");
    assert_eq!(
        wepay_problem(&shop),
        None,
        "wePAY's callbacks go through the hub"
    );
    let register_id = shop.status().register_id;
    let mut owner_row = None;
    for _ in 0..100 {
        let pushes = received.pushes.lock().expect("not poisoned").clone();
        for (bearer, body) in &pushes {
            assert_eq!(
                bearer.as_deref(),
                Some(format!("Bearer {HUB_TOKEN}").as_str())
            );
            let text = body.to_string();
            assert!(!text.contains("argon2"), "no PIN hash leaves the register");
            assert!(!text.contains("pin_hash"), "{text}");
        }
        owner_row = pushes
            .iter()
            .flat_map(|(_, body)| body["rows"].as_array().cloned().unwrap_or_default())
            .find(|row| row["kind"] == "operator" && row["row"]["role"] == "owner");
        if owner_row.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let owner_row = owner_row.expect("the register pushed its owner to the hub");
    assert_eq!(owner_row["row"]["name"], "เจ้าของ");
    let pushes = received.pushes.lock().expect("not poisoned").clone();
    let register_row = pushes
        .iter()
        .flat_map(|(_, body)| body["rows"].as_array().cloned().unwrap_or_default())
        .find(|row| row["kind"] == "register")
        .expect("the register row is pushed");
    assert_eq!(register_row["key"], register_id.as_str());
}
