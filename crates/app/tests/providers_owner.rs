//! The owner's provider views against the simulators over real HTTP on 127.0.0.1: sales made by
//! the real engine (wePAY and Easysoft clients, a real ledger), then the day reconciled — once
//! when everything agrees, once after tampering with the ledger or letting the simulator's books
//! disagree, so that every kind of difference shows up — and the balances with the low-balance
//! alert and Easysoft's network status.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use termdee_app::auth::{Operators, PinCost, Session};
use termdee_app::engine::ports::{EasysoftPort, WepayPort};
use termdee_app::engine::{
    Backoff, Engine, EngineConfig, PaymentPort, Routing, SaleRequest, TopupPort,
};
use termdee_app::error::ErrorCode;
use termdee_app::reports;
use termdee_app::shifts::Shifts;
use termdee_app::shop::views::{
    CloseShift, LoginRequest, OpenShift, OperatorUpdate, OwnerSetup, ReconciliationDifference,
    ReportRequest, Role,
};
use termdee_domain::report::ReportDimension;
use termdee_domain::{BusinessDay, Clock, ManualClock, Network, PaymentMethod, SaleState, Satang};
use termdee_ledger::{Ledger, Register, RegisterKind, TopupState};
use termdee_providers::transport::TransportConfig;
use termdee_providers::{EasysoftClient, EasysoftConfig, Transport, WepayClient, WepayConfig};
use termdee_sim::easysoft::EasysoftConfig as EasysoftSimConfig;
use termdee_sim::wepay::{WepayConfig as WepaySimConfig, WepayStatus};
use termdee_sim::{EasysoftSim, WepaySim};
use url::Url;

const REGISTER: &str = "counter-1";
const HOUR: i64 = 3_600_000;

struct World {
    wepay: WepaySim,
    easysoft: EasysoftSim,
    ledger: Arc<Ledger>,
    path: std::path::PathBuf,
    clock: ManualClock,
    engine: Engine,
    ports: Vec<Arc<dyn TopupPort>>,
    owner: Session,
    cashier: Session,
    _dir: tempfile::TempDir,
}

/// The two top-up simulators, the real clients and engine over a fresh ledger (AIS and dtac
/// through wePAY, TrueMove H through Easysoft), an owner and a cashier.
async fn world(easysoft: EasysoftSimConfig) -> World {
    let wepay = WepaySim::start(WepaySimConfig::fast())
        .await
        .expect("the test world starts");
    let easysoft = EasysoftSim::start(easysoft)
        .await
        .expect("the test world starts");
    let transport = Transport::new(TransportConfig {
        connect_timeout: Duration::from_millis(500),
        total_timeout: Duration::from_secs(2),
        ..TransportConfig::default()
    })
    .expect("test setup");
    let wepay_client = WepayClient::new(
        WepayConfig {
            base_url: Url::parse(&format!("{}/", wepay.base_url())).expect("the test world starts"),
            username: "demo".into(),
            password: SecretString::from("demo1234"),
            password_is_md5: false,
            // Nobody listens there: results are pulled, as after a lost callback.
            callback_url: Some(
                Url::parse("http://127.0.0.1:9/wepay").expect("the test world starts"),
            ),
        },
        transport.clone(),
    );
    let easysoft_client = EasysoftClient::new(
        EasysoftConfig {
            endpoint: Url::parse(&easysoft.url()).expect("the test world starts"),
            username: "demo".into(),
            password: SecretString::from("demo1234"),
            users: None,
        },
        transport,
    );
    let ports: Vec<Arc<dyn TopupPort>> = vec![
        Arc::new(WepayPort(wepay_client)),
        Arc::new(EasysoftPort(easysoft_client)),
    ];
    let dir = tempfile::tempdir().expect("the test world starts");
    let path = dir.path().join("ledger.sqlite");
    let ledger = Arc::new(Ledger::open(&path).expect("the test world starts"));
    let clock = ManualClock::at(
        BusinessDay::parse("2026-03-01")
            .expect("the test world starts")
            .start()
            + 9 * HOUR,
    );
    ledger
        .upsert_register(
            &Register {
                id: REGISTER.into(),
                name: "Counter".into(),
                kind: RegisterKind::Counter,
            },
            clock.now(),
        )
        .expect("test setup");
    let operators = Operators::new(&ledger, &clock, PinCost::TESTS_ONLY);
    operators
        .setup_owner(&OwnerSetup {
            name: "Owner".into(),
            pin: "9999".into(),
            shop_name: "Shop".into(),
        })
        .expect("test setup");
    let login = |id: &str, pin: &str| {
        operators
            .login(
                &LoginRequest {
                    operator_id: id.into(),
                    pin: pin.into(),
                },
                REGISTER,
            )
            .expect("test setup")
    };
    let owner = login("owner", "9999");
    operators
        .save(
            &owner,
            &OperatorUpdate {
                id: "cash-a".into(),
                name: "Cashier A".into(),
                role: Role::Cashier,
                pin: Some("1111".into()),
                active: true,
            },
        )
        .expect("test setup");
    let cashier = login("cash-a", "1111");
    let mut config = EngineConfig::for_register(REGISTER);
    let mut routing = Routing::default();
    routing.routes.insert(Network::Ais, vec!["wepay".into()]);
    routing.routes.insert(Network::Dtac, vec!["wepay".into()]);
    routing
        .routes
        .insert(Network::TrueMove, vec!["easysoft".into()]);
    config.routing = routing;
    config.backoff = BTreeMap::from([
        ("wepay".to_owned(), Backoff::fast()),
        ("easysoft".to_owned(), Backoff::fast()),
    ]);
    let engine = Engine::new(
        ledger.clone(),
        Arc::new(clock.clone()),
        ports.clone(),
        BTreeMap::<PaymentMethod, Arc<dyn PaymentPort>>::new(),
        config,
    );
    engine.refresh_catalogues().await;
    World {
        wepay,
        easysoft,
        ledger,
        path,
        clock,
        engine,
        ports,
        owner,
        cashier,
        _dir: dir,
    }
}

impl World {
    /// A cash sale by the cashier, confirmed: the engine sends the top-up, which the provider
    /// accepts; the result is not asked for yet. Returns the sale id.
    async fn sell(&self, network: Network, phone: &str, baht: i64) -> String {
        let actor = self.cashier.actor();
        let sale = self
            .engine
            .start_sale(
                &SaleRequest {
                    operator_id: self.cashier.operator.id.clone(),
                    network,
                    phone: phone.into(),
                    amount: Satang::from_baht(baht).expect("the engine takes the sale"),
                    method: PaymentMethod::Cash,
                },
                &actor,
            )
            .await
            .expect("test setup");
        let sale = self
            .engine
            .confirm_payment(&sale.id, &actor)
            .await
            .expect("the engine takes the sale");
        assert_eq!(sale.state, SaleState::TopupPending, "{sale:?}");
        sale.id
    }

    fn topup_of(&self, sale_id: &str) -> termdee_ledger::Topup {
        self.ledger
            .topups_of(sale_id)
            .expect("the sale has a top-up")
            .pop()
            .expect("the sale has a top-up")
    }

    /// Waits (real time: the simulators decide after 20 ms) until every order is decided.
    async fn providers_decide(&self) {
        for _ in 0..500 {
            let wepay_done = self
                .wepay
                .transactions()
                .iter()
                .all(|t| t.status != WepayStatus::Processing);
            let easysoft_done = self
                .easysoft
                .orders()
                .iter()
                .all(|o| o.status_refill == 1 || o.status_cancel == 1);
            if wepay_done && easysoft_done {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the simulators did not decide within 5 s");
    }

    /// Lets the engine ask for every result now.
    async fn settle(&self) {
        self.providers_decide().await;
        self.clock.advance(HOUR);
        self.engine.tick().await.expect("test setup");
    }

    fn raw(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.path).expect("the ledger file opens")
    }
}

fn day() -> String {
    "2026-03-01".into()
}

#[tokio::test]
async fn a_day_that_agrees_with_the_providers_has_no_differences() {
    let w = world(EasysoftSimConfig::fast()).await;
    let shifts = Shifts::new(&w.ledger, &w.clock);
    shifts
        .open(
            &w.cashier,
            &OpenShift {
                opening_float: "500".into(),
            },
        )
        .unwrap();
    let delivered_wepay = w.sell(Network::Ais, "0812345678", 50).await;
    let delivered_easysoft = w.sell(Network::TrueMove, "0812345679", 100).await;
    // Phone numbers ending 0004 always fail at both simulators.
    let failed = w.sell(Network::Dtac, "0812340004", 20).await;
    w.settle().await;
    let state = |id: &str| w.ledger.sale(id).unwrap().state;
    assert_eq!(state(&delivered_wepay), SaleState::Completed);
    assert_eq!(state(&delivered_easysoft), SaleState::Completed);
    assert_eq!(state(&failed), SaleState::RefundDue);

    // Each delivered sale carries what the provider debited: wePAY's total_amount, Easysoft's
    // price minus its DISCOUNT (baht).
    let wepay_sale = w.ledger.sale(&delivered_wepay).unwrap();
    let debited = w
        .wepay
        .transaction_by_dest_ref(&w.topup_of(&delivered_wepay).reference)
        .unwrap()
        .total_amount;
    assert!(debited < wepay_sale.amount, "{debited:?}");
    assert_eq!(wepay_sale.cost, debited);
    assert_eq!(wepay_sale.provider, "wepay");
    let order = w
        .easysoft
        .orders()
        .into_iter()
        .find(|o| o.number == "0812345679")
        .unwrap();
    let easysoft_sale = w.ledger.sale(&delivered_easysoft).unwrap();
    assert_eq!(easysoft_sale.cost, order.realamount);
    assert_eq!(easysoft_sale.provider, "easysoft");
    assert_eq!(w.ledger.sale(&failed).unwrap().cost, Satang::ZERO);

    let view = reports::reconcile(&w.ledger, &w.owner, &w.ports, &day())
        .await
        .unwrap();
    assert_eq!(view.day, "2026-03-01");
    let lines: Vec<(&str, i64, i64, Satang, usize)> = view
        .providers
        .iter()
        .map(|p| {
            (
                p.provider.as_str(),
                p.checked,
                p.matching,
                p.delivered,
                p.differences.len(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("easysoft", 1, 1, Satang::new(10_000), 0),
            ("wepay", 2, 2, Satang::new(5_000), 0)
        ]
    );

    // The owner's report shows the cost and the margin per provider.
    let report = reports::report(
        &w.ledger,
        &w.owner,
        &ReportRequest {
            from: day(),
            to: day(),
            by: ReportDimension::Provider,
        },
    )
    .unwrap();
    assert_eq!(
        report.total.cost,
        Satang::new(debited.as_satang() + order.realamount.as_satang())
    );
    assert_eq!(
        report.total.margin,
        Satang::new(15_000 - report.total.cost.as_satang())
    );

    // The shift's drawer: the float and the cash of three sales, 20 baht still owed back.
    let closed = shifts
        .close(
            &w.cashier,
            &CloseShift {
                counted_cash: "670".into(),
            },
        )
        .unwrap();
    assert_eq!(closed.cash_sales, Satang::new(17_000));
    assert_eq!(closed.expected, Satang::new(67_000));
    assert_eq!(closed.variance, Satang::ZERO);

    // Another day has nothing to reconcile.
    let empty = reports::reconcile(&w.ledger, &w.owner, &w.ports, "2026-03-02")
        .await
        .unwrap();
    assert!(empty.providers.iter().all(|p| p.checked == 0));
}

fn difference<'a>(
    view: &'a termdee_app::shop::views::ReconciliationView,
    sale: &str,
) -> &'a ReconciliationDifference {
    view.providers
        .iter()
        .flat_map(|p| p.differences.iter())
        .find(|d| d.sale_id == sale)
        .unwrap_or_else(|| panic!("no difference listed for {sale}: {view:?}"))
}

#[tokio::test]
async fn every_kind_of_difference_is_listed() {
    let w = world(EasysoftSimConfig::fast()).await;
    let poller = termdee_domain::Actor::poller();
    let fine = w.sell(Network::Ais, "0812345670", 50).await;
    // 1. Ours succeeded, theirs failed: the ledger took a success the provider never had (as a
    //    forged callback believed would); the simulator fails the order.
    let ours_ok = w.sell(Network::Ais, "0812340004", 50).await;
    w.ledger
        .topup_succeeded(
            w.topup_of(&ours_ok).id,
            None,
            "forged",
            w.clock.now(),
            &poller,
        )
        .unwrap();
    // 2. Ours needs a person, theirs succeeded.
    let ours_person = w.sell(Network::Dtac, "0812345671", 100).await;
    w.ledger
        .topup_needs_person(
            w.topup_of(&ours_person).id,
            "gave up",
            w.clock.now(),
            &poller,
        )
        .unwrap();
    // 3. Amounts differ: Easysoft deducted what it said, our book says 1 baht more.
    let amount = w.sell(Network::TrueMove, "0812345672", 100).await;
    // 4. Unknown at the provider: our book points at an order wePAY does not have.
    let unknown = w.sell(Network::Ais, "0812345673", 20).await;
    w.settle().await;
    for id in [&fine, &amount, &unknown] {
        assert_eq!(
            w.ledger.sale(id).unwrap().state,
            SaleState::Completed,
            "{id}"
        );
    }
    let raw = w.raw();
    raw.execute(
        "UPDATE topups SET cost = cost + 100 WHERE sale_id = ?1",
        [&amount],
    )
    .unwrap();
    raw.execute(
        "UPDATE topups SET provider_ref = '1' WHERE sale_id = ?1",
        [&unknown],
    )
    .unwrap();

    let view = reports::reconcile(&w.ledger, &w.owner, &w.ports, &day())
        .await
        .unwrap();
    let d = difference(&view, &ours_ok);
    assert_eq!(
        (d.ours.as_str(), d.theirs.as_str(), d.amount_differs),
        ("succeeded", "failed", false)
    );
    assert_eq!(d.reference, w.topup_of(&ours_ok).reference);
    let d = difference(&view, &ours_person);
    assert_eq!(
        (d.ours.as_str(), d.theirs.as_str(), d.amount_differs),
        ("needs_attention", "succeeded", false)
    );
    let d = difference(&view, &amount);
    assert_eq!(
        (d.ours.as_str(), d.theirs.as_str(), d.amount_differs),
        ("succeeded", "succeeded", true)
    );
    let d = difference(&view, &unknown);
    assert_eq!(d.ours, "succeeded");
    assert!(d.theirs.starts_with("unknown: not found"), "{}", d.theirs);
    let all: usize = view.providers.iter().map(|p| p.differences.len()).sum();
    assert_eq!(all, 4, "exactly the four tampered sales: {view:?}");
    let wepay = view
        .providers
        .iter()
        .find(|p| p.provider == "wepay")
        .unwrap();
    assert_eq!((wepay.checked, wepay.matching), (4, 1));
    assert_eq!(wepay.delivered, Satang::new(5_000 + 5_000 + 2_000));

    // A provider that cannot be reached: each of its top-ups is listed as unknown.
    w.easysoft.controls().set_network_online(false);
    let view = reports::reconcile(&w.ledger, &w.owner, &w.ports, &day())
        .await
        .unwrap();
    let d = difference(&view, &amount);
    assert!(d.theirs.starts_with("unknown: "), "{}", d.theirs);
    assert!(!d.amount_differs);
}

#[tokio::test]
async fn a_top_up_with_no_provider_id_is_listed_and_a_refused_one_is_skipped() {
    let w = world(EasysoftSimConfig::fast()).await;
    // Easysoft drops the connection after executing: no ORDERID, a person must settle it.
    w.easysoft
        .controls()
        .script(termdee_sim::Op::Order, termdee_sim::Fault::ExecuteThenDrop);
    let actor = w.cashier.actor();
    let sale = w
        .engine
        .start_sale(
            &SaleRequest {
                operator_id: "cash-a".into(),
                network: Network::TrueMove,
                phone: "0812345674".into(),
                amount: Satang::from_baht(50).unwrap(),
                method: PaymentMethod::Cash,
            },
            &actor,
        )
        .await
        .unwrap();
    let sale = w.engine.confirm_payment(&sale.id, &actor).await.unwrap();
    assert_eq!(sale.state, SaleState::NeedsAttention);
    // wePAY refuses an order for lack of balance: nothing was executed, nothing to confirm.
    w.wepay.controls().script(
        termdee_sim::Op::Order,
        termdee_sim::Fault::InsufficientBalance,
    );
    let refused = w
        .engine
        .start_sale(
            &SaleRequest {
                operator_id: "cash-a".into(),
                network: Network::Ais,
                phone: "0812345675".into(),
                amount: Satang::from_baht(50).unwrap(),
                method: PaymentMethod::Cash,
            },
            &actor,
        )
        .await
        .unwrap();
    let refused = w.engine.confirm_payment(&refused.id, &actor).await.unwrap();
    assert_eq!(refused.state, SaleState::RefundDue);
    assert_eq!(w.topup_of(&refused.id).state, TopupState::Rejected);

    let view = reports::reconcile(&w.ledger, &w.owner, &w.ports, &day())
        .await
        .unwrap();
    let d = difference(&view, &sale.id);
    assert_eq!(d.ours, "needs_attention");
    assert!(d.theirs.contains("no provider id"), "{}", d.theirs);
    let wepay = view
        .providers
        .iter()
        .find(|p| p.provider == "wepay")
        .unwrap();
    assert_eq!(
        wepay.checked, 0,
        "a refusal before execution is not reconciled"
    );
}

#[tokio::test]
async fn only_the_owner_reconciles_and_sees_balances() {
    let w = world(EasysoftSimConfig::fast()).await;
    let kiosk = Operators::new(&w.ledger, &w.clock, PinCost::TESTS_ONLY)
        .kiosk_operator("kiosk-1", "Kiosk")
        .unwrap();
    for session in [&w.cashier, &kiosk] {
        let error = reports::reconcile(&w.ledger, session, &w.ports, &day())
            .await
            .unwrap_err();
        assert_eq!(error.code, ErrorCode::NotPermitted);
        let error = reports::balances(session, &w.ports, Satang::ZERO)
            .await
            .unwrap_err();
        assert_eq!(error.code, ErrorCode::NotPermitted);
    }
    let error = reports::reconcile(&w.ledger, &w.owner, &w.ports, "2026-02-30")
        .await
        .unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidDay);
}

#[tokio::test]
async fn balances_flag_low_wallets_show_easysoft_networks_and_list_unreachable_ones() {
    let mut config = EasysoftSimConfig::fast();
    config.networks_open = [true, false, true, true, true, true, true];
    let w = world(config).await;
    w.wepay.set_balance("demo", Satang::new(5_000));
    let alert = Satang::new(100_000);
    let balances = reports::balances(&w.owner, &w.ports, alert).await.unwrap();
    let wepay = &balances[0];
    assert_eq!(wepay.provider, "wepay");
    assert_eq!(wepay.balance, Some(Satang::new(5_000)));
    assert_eq!(wepay.balance_display.as_deref(), Some("50.00"));
    assert!(wepay.low);
    assert!(wepay.networks.is_empty(), "wePAY has no network status");
    assert_eq!(wepay.error, None);
    let easysoft = &balances[1];
    assert_eq!(easysoft.provider, "easysoft");
    assert_eq!(easysoft.balance, Some(Satang::new(1_000_000)));
    assert_eq!(easysoft.balance_display.as_deref(), Some("10,000.00"));
    assert!(!easysoft.low);
    let online = |network: Network| {
        easysoft
            .networks
            .iter()
            .find(|n| n.network == network)
            .map(|n| n.online)
    };
    assert_eq!(online(Network::Ais), Some(true));
    assert_eq!(online(Network::Dtac), Some(false));
    assert_eq!(online(Network::TrueMove), Some(true));

    w.easysoft.controls().set_network_online(false);
    let balances = reports::balances(&w.owner, &w.ports, alert).await.unwrap();
    assert_eq!(
        balances.len(),
        2,
        "an unreachable provider is listed, not left out"
    );
    let easysoft = &balances[1];
    assert_eq!(easysoft.balance, None);
    assert!(!easysoft.low);
    assert_eq!(
        easysoft.error.as_ref().map(|e| e.code),
        Some(ErrorCode::ProviderUnavailable)
    );
    assert_eq!(balances[0].balance, Some(Satang::new(5_000)));
}
