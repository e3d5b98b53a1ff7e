//! The shop as the desktop app drives it, in demo mode on the real simulators over HTTP:
//! first start, roles, shifts, every way to pay, failures ending as refund due, kiosk mode,
//! settings and secrets. Each test is one machine in a temporary folder.

use std::sync::Arc;
use std::time::Duration;

use termdee_app::auth::PinCost;
use termdee_app::shop::views::*;
use termdee_app::shop::{Shop, ShopOptions, ShopPaths};
use termdee_app::ErrorCode;
use termdee_domain::{Network, PaymentMethod, SaleState, SystemClock};

struct Machine {
    shop: Arc<Shop>,
    folder: tempfile::TempDir,
}

async fn machine() -> Machine {
    std::env::set_var(termdee_app::shop::secrets::SECRET_STORE_ENV, "file");
    let folder = tempfile::tempdir().expect("a temporary folder");
    let shop = open(folder.path()).await;
    Machine { shop, folder }
}

async fn open(folder: &std::path::Path) -> Arc<Shop> {
    Shop::open(
        ShopPaths {
            config_dir: folder.to_path_buf(),
            data_dir: folder.to_path_buf(),
        },
        Arc::new(SystemClock),
        ShopOptions {
            tick: Duration::from_millis(100),
            pin_cost: PinCost::TESTS_ONLY,
            demo_allowed: true,
        },
    )
    .await
    .expect("the shop opens")
}

const OWNER_PIN: &str = "2580";
const CASHIER_PIN: &str = "1357";

/// First start, a cashier, and the owner logged in with an open shift.
async fn shop_with_people(machine: &Machine) {
    let shop = &machine.shop;
    assert!(
        shop.status().setup_needed,
        "a new machine asks for its owner"
    );
    shop.setup_owner(&OwnerSetup {
        name: "เจ้าของ".into(),
        pin: OWNER_PIN.into(),
        shop_name: "ร้านเติมดี".into(),
    })
    .await
    .expect("the owner is created");
    shop.save_operator(&OperatorUpdate {
        id: "cashier-a".into(),
        name: "แคชเชียร์ เอ".into(),
        role: Role::Cashier,
        pin: Some(CASHIER_PIN.into()),
        active: true,
    })
    .expect("the owner adds a cashier");
}

fn login(shop: &Shop, operator: &str, pin: &str) -> ShopStatus {
    shop.logout().expect("logout");
    shop.login(&LoginRequest {
        operator_id: operator.into(),
        pin: pin.into(),
    })
    .expect("login")
}

fn sale_input(network: Network, phone: &str, amount: &str, method: PaymentMethod) -> SaleInput {
    SaleInput {
        network,
        phone: phone.into(),
        amount: amount.into(),
        method,
    }
}

/// Waits (on real time: the simulators answer in real time) until the sale reaches `state`.
async fn until_state(shop: &Shop, sale_id: &str, state: SaleState) -> SaleView {
    let mut updates = shop.subscribe();
    for _ in 0..200 {
        let sale = shop.sale(sale_id).expect("the sale");
        if sale.state == state {
            return sale;
        }
        let _ = tokio::time::timeout(Duration::from_millis(100), updates.recv()).await;
    }
    panic!(
        "sale {sale_id} never became {state}: {:?}",
        shop.sale(sale_id).map(|s| s.state)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_new_machine_runs_in_demo_mode_and_sells_for_cash_after_the_first_start() {
    let machine = machine().await;
    let shop = &machine.shop;
    let status = shop.status();
    assert!(status.demo, "no provider configured: demo mode");
    assert!(status.problems.is_empty(), "{:?}", status.problems);
    assert_eq!(
        shop.offer().unwrap_err().code,
        ErrorCode::NotLoggedIn,
        "nothing is offered before anyone logs in"
    );
    shop_with_people(&machine).await;
    let offer = shop.offer().expect("the owner sees the offer");
    let ais = offer
        .networks
        .iter()
        .find(|n| n.network == Network::Ais)
        .expect("AIS is sold");
    assert!(ais.available && !ais.amounts.is_empty(), "{ais:?}");

    let input = sale_input(Network::Ais, "081-234-5678", "50", PaymentMethod::Cash);
    assert_eq!(
        shop.start_sale(&input).await.unwrap_err().code,
        ErrorCode::ShiftNotOpen,
        "counter sales need an open shift"
    );
    shop.open_shift(&OpenShift {
        opening_float: "1000".into(),
    })
    .expect("a shift opens");
    let sale = shop.start_sale(&input).await.expect("a cash sale starts");
    assert_eq!(sale.state, SaleState::AwaitingPayment);
    assert_eq!(sale.phone_display, "081-234-5678");
    assert!(sale.actions.contains(&SaleAction::ConfirmPayment));
    shop.confirm_payment(&sale.id).await.expect("cash taken");
    let done = until_state(shop, &sale.id, SaleState::Completed).await;
    assert_eq!(done.topup.expect("a top-up").state, "succeeded");
    let recent = shop.recent_sales().expect("recent sales");
    assert_eq!(recent[0].id, sale.id, "newest first");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_qr_sale_is_paid_by_the_simulated_customer_and_topped_up() {
    let machine = machine().await;
    let shop = &machine.shop;
    shop_with_people(&machine).await;
    shop.open_shift(&OpenShift {
        opening_float: "0".into(),
    })
    .unwrap();
    for method in [
        PaymentMethod::Tmweasy,
        PaymentMethod::BluePay,
        PaymentMethod::DepositQr,
    ] {
        let sale = shop
            .start_sale(&sale_input(Network::Dtac, "0891112222", "20", method))
            .await
            .unwrap_or_else(|e| panic!("{method:?}: {e:?}"));
        let payment = sale.payment.clone().expect("a payment");
        assert_eq!(payment.state, "open", "{method:?}");
        assert!(
            payment
                .qr_png_data_url
                .as_deref()
                .is_some_and(|url| url.starts_with("data:image/")),
            "{method:?} shows a QR image"
        );
        assert!(payment.seconds_left.is_some_and(|s| s > 0), "{payment:?}");
        shop.demo_pay(&sale.id).await.expect("the customer pays");
        until_state(shop, &sale.id, SaleState::Completed).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_top_up_becomes_refund_due_and_only_the_right_people_settle_it() {
    let machine = machine().await;
    let shop = &machine.shop;
    shop_with_people(&machine).await;
    shop.open_shift(&OpenShift {
        opening_float: "500".into(),
    })
    .unwrap();
    // The simulators fail every top-up to a number ending in 0004.
    let sale = shop
        .start_sale(&sale_input(
            Network::TrueMove,
            "0812340004",
            "50",
            PaymentMethod::Cash,
        ))
        .await
        .unwrap();
    shop.confirm_payment(&sale.id).await.unwrap();
    let due = until_state(shop, &sale.id, SaleState::RefundDue).await;
    assert_eq!(due.actions, [SaleAction::MarkRefunded]);
    assert!(shop
        .attention_list()
        .unwrap()
        .iter()
        .any(|s| s.id == sale.id));
    let resolution = SaleResolution {
        sale_id: sale.id.clone(),
        action: SaleAction::MarkRefunded,
        note: String::new(),
    };
    assert_eq!(
        shop.resolve_sale(&resolution).await.unwrap_err().code,
        ErrorCode::InvalidRequest,
        "money settled by hand needs a note"
    );
    // The owner's shift is not the cashier's: a cashier cannot settle it.
    login(shop, "cashier-a", CASHIER_PIN);
    assert!(shop.attention_list().unwrap().is_empty());
    let refused = shop
        .resolve_sale(&SaleResolution {
            note: "cash back".into(),
            ..resolution.clone()
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code, ErrorCode::NotPermitted);
    login(shop, "owner", OWNER_PIN);
    let refunded = shop
        .resolve_sale(&SaleResolution {
            note: "50 baht handed back".into(),
            ..resolution
        })
        .await
        .unwrap();
    assert_eq!(refunded.state, SaleState::Refunded);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_kiosk_sells_by_qr_only_and_leaving_needs_the_owner_pin() {
    let machine = machine().await;
    let shop = &machine.shop;
    shop_with_people(&machine).await;
    let status = shop
        .enter_kiosk()
        .await
        .expect("the owner makes it a kiosk");
    assert_eq!(status.mode, AppMode::Kiosk);
    assert_eq!(
        status.operator.expect("the kiosk operator").role,
        Role::Kiosk
    );
    let offer = shop.offer().unwrap();
    assert!(
        offer.methods.iter().all(|m| m.method.is_provider()),
        "{:?}",
        offer.methods
    );
    let cash = shop
        .start_sale(&sale_input(
            Network::Ais,
            "0812345678",
            "10",
            PaymentMethod::Cash,
        ))
        .await
        .unwrap_err();
    assert_eq!(cash.code, ErrorCode::PaymentMethodUnavailable);
    let sale = shop
        .start_sale(&sale_input(
            Network::Ais,
            "0812345678",
            "10",
            PaymentMethod::Tmweasy,
        ))
        .await
        .expect("a kiosk QR sale, no shift needed");
    let cancelled = shop
        .cancel_sale(&sale.id)
        .await
        .expect("the customer walked away");
    assert_eq!(cancelled.state, SaleState::PaymentCancelled);
    assert_eq!(
        shop.settings_view().unwrap_err().code,
        ErrorCode::NotPermitted
    );
    assert_eq!(shop.logout().unwrap_err().code, ErrorCode::NotPermitted);
    assert_eq!(
        shop.leave_kiosk("0000").await.unwrap_err().code,
        ErrorCode::WrongPin
    );
    let status = shop.leave_kiosk(OWNER_PIN).await.expect("the owner PIN");
    assert_eq!(status.mode, AppMode::Counter);
    assert!(status.operator.is_none(), "back to the login screen");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn settings_keep_secrets_out_of_sight_and_refuse_changes_during_a_shift() {
    let machine = machine().await;
    let shop = &machine.shop;
    shop_with_people(&machine).await;
    let mut update = SettingsUpdate {
        shop_name: "ร้านเติมดี สาขา 2".into(),
        promptpay_id: "0812345678".into(),
        register_name: "Counter 1".into(),
        language: Language::Th,
        qr_countdown_seconds: 240,
        kiosk_idle_seconds: 45,
        callback_listen: String::new(),
        public_url: String::new(),
        low_balance_alert: termdee_domain::Satang::new(100_000),
        routing: Vec::new(),
        providers: vec![ProviderSettingsUpdate {
            provider: ProviderId::Easysoft,
            enabled: false,
            values: vec![("username".into(), "shop".into())],
            secrets: vec![("password".into(), Some("very-secret-easysoft-pw".into()))],
        }],
        printer: String::new(),
        printer_width_dots: 384,
        hub_url: String::new(),
        hub_token: None,
        hub_owner_token: None,
    };
    let view = shop.save_settings(&update).await.expect("saved");
    assert_eq!(view.qr_countdown_seconds, 240);
    let shown = serde_json::to_string(&view).unwrap();
    assert!(!shown.contains("very-secret"), "{shown}");
    let on_disk = std::fs::read_to_string(machine.folder.path().join("settings.json")).unwrap();
    assert!(!on_disk.contains("very-secret"), "{on_disk}");
    let mut files = String::new();
    for entry in std::fs::read_dir(machine.folder.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            files.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
        }
    }
    assert!(
        !files.contains("very-secret-easysoft-pw"),
        "no file of the machine holds the secret in clear"
    );

    shop.open_shift(&OpenShift {
        opening_float: "0".into(),
    })
    .unwrap();
    update.providers[0].secrets = vec![("password".into(), Some("another".into()))];
    assert_eq!(
        shop.save_settings(&update).await.unwrap_err().code,
        ErrorCode::ShiftOpen
    );
    update.providers.clear();
    update.qr_countdown_seconds = 2;
    assert_eq!(
        shop.save_settings(&update).await.unwrap_err().code,
        ErrorCode::InvalidSettings
    );
    login(shop, "cashier-a", CASHIER_PIN);
    assert_eq!(
        shop.settings_view().unwrap_err().code,
        ErrorCode::NotPermitted
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_restart_resumes_open_sales_and_keeps_the_people() {
    let machine = machine().await;
    shop_with_people(&machine).await;
    machine
        .shop
        .open_shift(&OpenShift {
            opening_float: "0".into(),
        })
        .unwrap();
    let sale = machine
        .shop
        .start_sale(&sale_input(
            Network::Ais,
            "0812345678",
            "20",
            PaymentMethod::Cash,
        ))
        .await
        .unwrap();
    machine.shop.shut_down();
    drop(machine.shop);
    let shop = open(machine.folder.path()).await;
    assert!(!shop.status().setup_needed, "the owner is still there");
    assert!(
        shop.status().operator.is_none(),
        "a restart asks who is there"
    );
    login(&shop, "owner", OWNER_PIN);
    assert_eq!(
        shop.sale(&sale.id).unwrap().state,
        SaleState::AwaitingPayment
    );
    shop.confirm_payment(&sale.id).await.unwrap();
    until_state(&shop, &sale.id, SaleState::Completed).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_owner_saves_a_report_as_csv_without_overwriting_and_bad_requests_write_nothing() {
    let machine = machine().await;
    let shop = &machine.shop;
    shop_with_people(&machine).await;
    let exports = machine.folder.path().join("exports");
    let request = ReportRequest {
        from: "2026-11-01".into(),
        to: "2026-11-30".into(),
        by: termdee_domain::report::ReportDimension::Network,
    };
    let first = shop
        .save_report_csv(&request, &exports)
        .expect("the owner saves the report");
    assert_eq!(
        first.file_name().and_then(|n| n.to_str()),
        Some("termdee-network-2026-11-01-2026-11-30.csv")
    );
    let written = std::fs::read_to_string(&first).expect("the file is there");
    assert_eq!(
        written,
        shop.report_csv(&request).expect("the same report"),
        "the file is exactly the report's CSV"
    );
    let second = shop.save_report_csv(&request, &exports).expect("again");
    assert_ne!(first, second, "a second save never overwrites the first");
    assert!(second.to_string_lossy().ends_with("-2.csv"), "{second:?}");

    let bad = ReportRequest {
        from: "../../etc".into(),
        ..request.clone()
    };
    assert_eq!(
        shop.save_report_csv(&bad, &exports).unwrap_err().code,
        ErrorCode::InvalidDay
    );
    login(shop, "cashier-a", CASHIER_PIN);
    let by_network = shop.save_report_csv(&request, &exports);
    assert!(
        by_network.is_err(),
        "a cashier cannot export the shop's report"
    );
    let files = std::fs::read_dir(&exports).expect("exports").count();
    assert_eq!(files, 2, "refused requests wrote nothing");
}
