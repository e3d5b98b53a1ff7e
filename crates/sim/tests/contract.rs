//! The provider contract suite: the production clients of `termdee-providers` against their
//! simulators, over real HTTP on 127.0.0.1:0.
//!
//! Every scenario is written once as a generic function over [`Harness`] and instantiated for
//! each provider by the `contract!` macro at the bottom. A scenario that needs a capability
//! the provider lacks (an idempotency key: Easysoft has none) checks `H::KEYED` and asserts the
//! documented behaviour instead.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use secrecy::SecretString;
use termdee_domain::Satang;
use termdee_providers::easysoft::EasysoftCallback;
use termdee_providers::wepay::WepayCallback;
use termdee_providers::{
    Callbacks, EasysoftClient, NextStep, ProviderError, RefundOutcome, RefundRequest, RejectKind,
    TopupOrder, TopupOutcome, TopupStatus, Topups, Transport, TransportConfig, UnknownReason,
    Verification, WepayClient,
};
use termdee_sim::{
    CallbackPlan, Controls, EasysoftConfig, EasysoftSim, Fate, Fault, Op, WepayConfig, WepaySim,
};
use url::Url;

/// The client's whole-request timeout; the "timeout after execution" fault holds longer.
const TIMEOUT: Duration = Duration::from_millis(750);

/// A received callback: content type and raw body.
type RawCallback = (Option<String>, Vec<u8>);

type Responder = Box<dyn Fn(Option<&str>, &[u8]) -> (u16, String) + Send + Sync>;

/// A merchant callback endpoint: records raw callbacks, answers with the client's own reply.
#[derive(Clone, Default)]
struct Merchant {
    raw: Arc<Mutex<Vec<RawCallback>>>,
    responder: Arc<OnceLock<Responder>>,
    url: String,
}

impl Merchant {
    async fn start() -> Merchant {
        let mut merchant = Merchant::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        merchant.url = format!("http://{}/callback", listener.local_addr().expect("addr"));
        let app = Router::new()
            .route("/callback", post(receive))
            .with_state(merchant.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        merchant
    }

    fn callbacks(&self) -> Vec<RawCallback> {
        self.raw.lock().expect("lock").clone()
    }
}

async fn receive(
    State(merchant): State<Merchant>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> (StatusCode, String) {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    merchant
        .raw
        .lock()
        .expect("lock")
        .push((content_type.clone(), body.to_vec()));
    match merchant.responder.get() {
        Some(respond) => {
            let (status, text) = respond(content_type.as_deref(), &body);
            (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), text)
        }
        None => (StatusCode::SERVICE_UNAVAILABLE, "no responder".to_owned()),
    }
}

fn transport() -> Transport {
    Transport::new(TransportConfig {
        connect_timeout: Duration::from_millis(300),
        total_timeout: TIMEOUT,
        ..TransportConfig::default()
    })
    .expect("transport")
}

/// One provider: its simulator, its client, and what differs between providers.
trait Harness: Sized {
    type Client: Topups + Callbacks + Clone + Send + Sync + 'static;
    /// Whether the provider has an idempotency key (wePAY `dest_ref`; Easysoft none).
    const KEYED: bool;
    /// The product code of a plain top-up.
    const PRODUCT: &'static str;
    async fn start(merchant: &Merchant, password: &str) -> Self;
    fn client(&self) -> &Self::Client;
    fn controls(&self) -> &Controls;
    fn sim_balance(&self) -> Satang;
    fn set_sim_balance(&self, balance: Satang);
    /// The provider reference (transaction id / ORDERID) a callback carries.
    fn callback_ref(callback: &<Self::Client as Callbacks>::Callback) -> String;
    /// The rejection kind the client gives for a refusal family, where the provider tells.
    fn kind_for(family: Family) -> RejectKind;
}

#[derive(Debug, Clone, Copy)]
enum Family {
    Credentials,
    Balance,
    Ip,
    Amount,
}

struct WepayHarness {
    sim: WepaySim,
    client: WepayClient,
}

impl Harness for WepayHarness {
    type Client = WepayClient;
    const KEYED: bool = true;
    const PRODUCT: &'static str = "TRMV";

    async fn start(merchant: &Merchant, password: &str) -> Self {
        let sim = WepaySim::start(WepayConfig::fast())
            .await
            .expect("wepay sim");
        let client = WepayClient::new(
            termdee_providers::WepayConfig {
                base_url: Url::parse(&format!("{}/", sim.base_url())).expect("url"),
                username: "demo".into(),
                password: SecretString::from(password.to_owned()),
                password_is_md5: false,
                callback_url: Some(Url::parse(&merchant.url).expect("url")),
            },
            transport(),
        );
        WepayHarness { sim, client }
    }
    fn client(&self) -> &WepayClient {
        &self.client
    }
    fn controls(&self) -> &Controls {
        self.sim.controls()
    }
    fn sim_balance(&self) -> Satang {
        self.sim.balance("demo").expect("demo")
    }
    fn set_sim_balance(&self, balance: Satang) {
        self.sim.set_balance("demo", balance);
    }
    fn callback_ref(callback: &WepayCallback) -> String {
        match callback {
            WepayCallback::Topup(topup) => topup.transaction_id.clone(),
            WepayCallback::Refund(refund) => refund.transaction_id.clone().unwrap_or_default(),
        }
    }
    fn kind_for(family: Family) -> RejectKind {
        match family {
            Family::Credentials => RejectKind::Credentials,
            Family::Balance => RejectKind::InsufficientBalance,
            Family::Ip => RejectKind::IpNotAllowed,
            Family::Amount => RejectKind::InvalidAmount,
        }
    }
}

struct EasysoftHarness {
    sim: EasysoftSim,
    client: EasysoftClient,
}

impl Harness for EasysoftHarness {
    type Client = EasysoftClient;
    const KEYED: bool = false;
    const PRODUCT: &'static str = "3";

    async fn start(merchant: &Merchant, password: &str) -> Self {
        let sim = EasysoftSim::start(EasysoftConfig::fast())
            .await
            .expect("easysoft sim");
        sim.set_callback_url("demo", Some(merchant.url.clone()));
        let client = EasysoftClient::new(
            termdee_providers::EasysoftConfig {
                endpoint: Url::parse(&sim.url()).expect("url"),
                username: "demo".into(),
                password: SecretString::from(password.to_owned()),
                users: Some("kiosk-1".into()),
            },
            transport(),
        );
        EasysoftHarness { sim, client }
    }
    fn client(&self) -> &EasysoftClient {
        &self.client
    }
    fn controls(&self) -> &Controls {
        self.sim.controls()
    }
    fn sim_balance(&self) -> Satang {
        self.sim.balance("demo").expect("demo")
    }
    fn set_sim_balance(&self, balance: Satang) {
        self.sim.set_balance("demo", balance);
    }
    fn callback_ref(callback: &EasysoftCallback) -> String {
        callback.order_id.clone()
    }
    fn kind_for(_family: Family) -> RejectKind {
        // Easysoft signals every refusal as STATUS=0 with free Thai text (easysoft.md §6).
        RejectKind::Unclassified
    }
}

async fn start<H: Harness>() -> (H, Merchant) {
    let merchant = Merchant::start().await;
    let harness = H::start(&merchant, "demo1234").await;
    let client = harness.client().clone();
    let responder: Responder =
        Box::new(
            move |content_type, body| match client.parse_callback(content_type, body) {
                Ok(callback) => {
                    let reply = client.acknowledge(&callback);
                    (reply.status, reply.body)
                }
                Err(error) => (400, format!("ERROR|{error}")),
            },
        );
    let _ = merchant.responder.set(responder);
    (harness, merchant)
}

fn order<H: Harness>(reference: &str, phone: &str, baht: i64) -> TopupOrder {
    TopupOrder {
        reference: reference.to_owned(),
        product: H::PRODUCT.to_owned(),
        phone: phone.to_owned(),
        amount: Satang::new(baht * 100),
    }
}

/// Queries until a terminal status (the simulators decide after 20 ms).
async fn settle<H: Harness>(harness: &H, provider_ref: &str) -> TopupStatus {
    for _ in 0..400 {
        match harness.client().query(provider_ref).await {
            Ok(status) if status.is_terminal() => return status,
            Ok(_) | Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
        }
    }
    panic!("{provider_ref} never settled");
}

async fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..1500 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    panic!("timed out waiting until {what}");
}

fn assert_at_most_once(controls: &Controls) {
    let counts = controls.debits_per_key();
    assert!(
        counts.values().all(|n| *n <= 1),
        "a key was executed more than once: {counts:?}"
    );
}

fn expect_accepted(outcome: TopupOutcome) -> termdee_providers::TopupAccepted {
    match outcome {
        TopupOutcome::Accepted(accepted) => accepted,
        other => panic!("expected Accepted, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Scenarios

async fn success_is_accepted_then_settled<H: Harness>() {
    let (h, _merchant) = start::<H>().await;
    let before = h.sim_balance();
    let outcome = h
        .client()
        .top_up(&order::<H>("OK1", "0812345678", 10))
        .await;
    let accepted = expect_accepted(outcome.expect("sent"));
    let after = h.sim_balance();
    assert!(after < before, "the wallet is debited at acceptance");
    if let Some(debited) = accepted.debited {
        assert_eq!(before.as_satang() - debited.as_satang(), after.as_satang());
    }
    if let Some(balance_after) = accepted.balance_after {
        assert_eq!(balance_after, after, "the reported balance is the wallet's");
    }
    let status = settle(&h, &accepted.provider_ref).await;
    assert!(matches!(status, TopupStatus::Succeeded(_)), "{status:?}");
    let balance = h.client().balance().await.expect("balance");
    assert_eq!(balance.available, h.sim_balance());
    let catalogue = h.client().catalogue().await.expect("catalogue");
    assert!(
        catalogue.iter().any(|entry| entry.product == H::PRODUCT),
        "{} is in the catalogue: {catalogue:?}",
        H::PRODUCT
    );
    assert_at_most_once(h.controls());
}

async fn internal_error_after_execution<H: Harness>() {
    let (h, _merchant) = start::<H>().await;
    h.controls().script(Op::Order, Fault::ProviderError);
    let refused = h
        .client()
        .top_up(&order::<H>("INT0", "0812345678", 10))
        .await
        .expect("sent");
    if H::KEYED {
        assert!(
            refused.is_unknown(),
            "wePAY 10001 is an unknown outcome: {refused:?}"
        );
    } else {
        assert!(matches!(refused, TopupOutcome::Rejected(_)), "{refused:?}");
    }
    assert!(h.controls().executions().is_empty());
    h.controls().script(Op::Order, Fault::ExecuteThenError);
    let outcome = h
        .client()
        .top_up(&order::<H>("INT1", "0812345678", 10))
        .await
        .expect("sent");
    assert_eq!(
        h.controls().executions().len(),
        1,
        "the order exists despite the error reply"
    );
    if H::KEYED {
        // wePAY 10004: an internal error is an unknown outcome, settled with the same key.
        assert!(
            matches!(outcome, TopupOutcome::Unknown(ref u) if matches!(u.reason, UnknownReason::ProviderInternalError { .. })),
            "{outcome:?}"
        );
        let again = h
            .client()
            .top_up(&order::<H>("INT1", "0812345678", 10))
            .await
            .expect("sent");
        assert!(
            matches!(again, TopupOutcome::AlreadyExists { .. }),
            "{again:?}"
        );
    } else {
        // Easysoft: STATUS=0 reads as a rejection (easysoft.md §3.1 infers nothing was created),
        // so an execution behind it is only found by reconciliation (balance, callback).
        assert!(matches!(outcome, TopupOutcome::Rejected(_)), "{outcome:?}");
    }
    assert_at_most_once(h.controls());
}

async fn failure_is_settled_as_failed_and_recredited<H: Harness>() {
    let (h, _merchant) = start::<H>().await;
    let before = h.sim_balance();
    let outcome = h
        .client()
        .top_up(&order::<H>("FAIL1", "0812340004", 10))
        .await;
    let accepted = expect_accepted(outcome.expect("sent"));
    let status = settle(&h, &accepted.provider_ref).await;
    assert!(matches!(status, TopupStatus::Failed(_)), "{status:?}");
    assert_eq!(h.sim_balance(), before, "a failed top-up is re-credited");
}

async fn refusals_are_rejections_that_move_no_money<H: Harness>() {
    let merchant = Merchant::start().await;
    let wrong = H::start(&merchant, "not-the-password").await;
    let outcome = wrong
        .client()
        .top_up(&order::<H>("CRED1", "0812345678", 10))
        .await;
    match outcome.expect("sent") {
        TopupOutcome::Rejected(r) => assert_eq!(r.kind, H::kind_for(Family::Credentials), "{r:?}"),
        other => panic!("wrong password: {other:?}"),
    }
    assert!(matches!(
        wrong.client().balance().await,
        Err(ProviderError::Rejected(_))
    ));

    let (h, _merchant) = start::<H>().await;
    h.set_sim_balance(Satang::new(100));
    let poor = h
        .client()
        .top_up(&order::<H>("POOR1", "0812345678", 10))
        .await;
    match poor.expect("sent") {
        TopupOutcome::Rejected(r) => assert_eq!(r.kind, H::kind_for(Family::Balance), "{r:?}"),
        other => panic!("insufficient balance: {other:?}"),
    }
    h.set_sim_balance(Satang::new(1_000_000));

    h.controls().script(Op::Order, Fault::IpNotAllowed);
    let ip = h
        .client()
        .top_up(&order::<H>("IP1", "0812345678", 10))
        .await;
    match ip.expect("sent") {
        TopupOutcome::Rejected(r) => assert_eq!(r.kind, H::kind_for(Family::Ip), "{r:?}"),
        other => panic!("IP not allowed: {other:?}"),
    }

    match h
        .client()
        .top_up(&order::<H>("AMT1", "0812345678", 11))
        .await
    {
        Ok(TopupOutcome::Rejected(r)) => assert_eq!(r.kind, H::kind_for(Family::Amount), "{r:?}"),
        Err(ProviderError::InvalidRequest(_)) => {}
        other => panic!("invalid amount: {other:?}"),
    }
    match h.client().top_up(&order::<H>("PHONE1", "12345", 10)).await {
        Ok(TopupOutcome::Rejected(_)) | Err(ProviderError::InvalidRequest(_)) => {}
        other => panic!("invalid phone: {other:?}"),
    }
    let unknown_product = TopupOrder {
        product: "NOPE".to_owned(),
        ..order::<H>("PROD1", "0812345678", 10)
    };
    match h.client().top_up(&unknown_product).await {
        Ok(TopupOutcome::Rejected(r)) if H::KEYED => assert_eq!(r.kind, RejectKind::InvalidProduct),
        Err(ProviderError::InvalidRequest(_)) if !H::KEYED => {}
        other => panic!("unknown product: {other:?}"),
    }
    assert!(
        h.controls().executions().is_empty(),
        "no refusal moves money"
    );
}

async fn query_while_processing_is_pending<H: Harness>() {
    let (h, _merchant) = start::<H>().await;
    h.controls().script_fate(Fate {
        result_delay_ms: Some(60_000),
        ..Fate::default()
    });
    let outcome = h
        .client()
        .top_up(&order::<H>("PEND1", "0812345678", 10))
        .await;
    let accepted = expect_accepted(outcome.expect("sent"));
    let status = h
        .client()
        .query(&accepted.provider_ref)
        .await
        .expect("query");
    assert_eq!(status, TopupStatus::Pending);
    match h.client().query("999").await {
        Ok(TopupStatus::Pending) | Ok(TopupStatus::Unknown { .. }) | Err(_) => {}
        other => panic!("an unknown id is never terminal: {other:?}"),
    }
}

async fn timeout_after_execution_is_unknown_then_settled<H: Harness>() {
    let (h, merchant) = start::<H>().await;
    h.controls()
        .script(Op::Order, Fault::ExecuteThenHold { ms: 3_000 });
    let outcome = h
        .client()
        .top_up(&order::<H>("TIMEOUT1", "0812345678", 10))
        .await;
    let unknown = match outcome.expect("sent") {
        TopupOutcome::Unknown(unknown) => unknown,
        other => panic!("a timeout must be unknown, got {other:?}"),
    };
    assert_eq!(unknown.reason, UnknownReason::Timeout);
    assert_eq!(
        h.controls().executions().len(),
        1,
        "it executed before the timeout"
    );
    if H::KEYED {
        assert_eq!(unknown.next_step, NextStep::ResendSameReference);
        let again = h
            .client()
            .top_up(&order::<H>("TIMEOUT1", "0812345678", 10))
            .await;
        assert!(
            matches!(again.expect("sent"), TopupOutcome::AlreadyExists { .. }),
            "the same key again is recognised, not executed"
        );
    } else {
        assert_eq!(
            unknown.next_step,
            NextStep::ManualReconciliation,
            "never retry a refill"
        );
    }
    // Settle from the callback (it carries the provider reference), confirmed by a query.
    wait_until("the callback", || !merchant.callbacks().is_empty()).await;
    let (content_type, body) = merchant.callbacks()[0].clone();
    let callback = h
        .client()
        .parse_callback(content_type.as_deref(), &body)
        .expect("callback parses");
    let provider_ref = H::callback_ref(&callback);
    let status = settle(&h, &provider_ref).await;
    assert!(matches!(status, TopupStatus::Succeeded(_)), "{status:?}");
    assert_at_most_once(h.controls());
    assert_eq!(h.controls().executions().len(), 1);
}

async fn duplicate_key_is_recognised<H: Harness>() {
    let (h, _merchant) = start::<H>().await;
    expect_accepted(
        h.client()
            .top_up(&order::<H>("DUP1", "0812345678", 10))
            .await
            .expect("sent"),
    );
    let again = h
        .client()
        .top_up(&order::<H>("DUP1", "0812345678", 10))
        .await
        .expect("sent");
    if H::KEYED {
        assert!(
            matches!(again, TopupOutcome::AlreadyExists { ref reference } if reference == "DUP1"),
            "{again:?}"
        );
        assert_eq!(h.controls().executions().len(), 1);
        assert_at_most_once(h.controls());
    } else {
        // No idempotency key: the provider cannot tell, which is why the app never re-sends.
        assert!(matches!(again, TopupOutcome::Accepted(_)));
        assert_eq!(h.controls().executions().len(), 2);
    }
}

async fn callback_is_parsed_acknowledged_and_verified<H: Harness>() {
    let (h, merchant) = start::<H>().await;
    h.controls().script_fate(Fate {
        callback: CallbackPlan::Duplicate,
        ..Fate::default()
    });
    let accepted = expect_accepted(
        h.client()
            .top_up(&order::<H>("CB1", "0812345678", 10))
            .await
            .expect("sent"),
    );
    wait_until("both deliveries acknowledged", || {
        h.controls().callbacks().iter().filter(|c| c.acked).count() == 2
    })
    .await;
    assert_eq!(
        h.controls().callbacks().len(),
        2,
        "the client's reply is exactly the acknowledgement the provider expects"
    );
    let (content_type, body) = merchant.callbacks()[0].clone();
    let callback = h
        .client()
        .parse_callback(content_type.as_deref(), &body)
        .expect("parses");
    assert_eq!(H::callback_ref(&callback), accepted.provider_ref);
    match h.client().verify_callback(&callback).await.expect("verify") {
        Verification::Confirmed(TopupStatus::Succeeded(_)) => {}
        other => panic!("expected a confirmed success, got {other:?}"),
    }

    // A callback that arrives before the order's HTTP reply, for a failed order.
    h.controls().script_fate(Fate {
        outcome: Some(termdee_sim::Outcome::Failure),
        callback: CallbackPlan::BeforeReply,
        ..Fate::default()
    });
    let early = expect_accepted(
        h.client()
            .top_up(&order::<H>("CB2", "0812345678", 10))
            .await
            .expect("sent"),
    );
    assert_eq!(
        merchant.callbacks().len(),
        3,
        "the callback came before the reply"
    );
    let (content_type, body) = merchant.callbacks()[2].clone();
    let callback = h
        .client()
        .parse_callback(content_type.as_deref(), &body)
        .expect("parses");
    assert_eq!(H::callback_ref(&callback), early.provider_ref);
    assert!(h.controls().callbacks()[2].acked, "acknowledged");
    match h.client().verify_callback(&callback).await.expect("verify") {
        Verification::Confirmed(TopupStatus::Failed(_)) => {}
        other => panic!("expected a confirmed failure, got {other:?}"),
    }
}

/// How many debits the cases up to and including `reference` should have caused.
fn expected_debits(cases: &[(&str, Fault, bool)], reference: &str) -> usize {
    let upto = cases
        .iter()
        .position(|c| c.0 == reference)
        .map_or(0, |i| i + 1);
    cases[..upto].iter().filter(|c| c.2).count()
}

async fn malformed_and_foreign_replies_are_unknown<H: Harness>() {
    let (h, _merchant) = start::<H>().await;
    let cases = [
        ("MAL1", Fault::Malformed, true),
        ("HTML1", Fault::Html, false),
        ("GW1", Fault::ServerError { status: 502 }, false),
        ("DROP1", Fault::ExecuteThenDrop, true),
    ];
    for (reference, fault, executes) in cases.clone() {
        h.controls().script(Op::Order, fault.clone());
        let outcome = h
            .client()
            .top_up(&order::<H>(reference, "0812345678", 10))
            .await;
        assert!(
            matches!(outcome, Ok(TopupOutcome::Unknown(_))),
            "{fault:?} must be unknown, got {outcome:?}"
        );
        let moved = h.controls().debits_per_key().len();
        assert_eq!(
            moved,
            expected_debits(&cases, reference),
            "{fault:?} executes: {executes}"
        );
    }
    let debits = h.controls().executions().len();
    assert_eq!(
        debits, 2,
        "Malformed and ExecuteThenDrop executed; HTML and 502 did not"
    );

    h.controls().set_network_online(false);
    let offline = h
        .client()
        .top_up(&order::<H>("OFF1", "0812345678", 10))
        .await;
    assert!(
        matches!(offline, Ok(TopupOutcome::Unknown(_))),
        "{offline:?}"
    );
    h.controls().set_network_online(true);

    let accepted = expect_accepted(
        h.client()
            .top_up(&order::<H>("Q1", "0812345678", 10))
            .await
            .expect("sent"),
    );
    for fault in [
        Fault::Malformed,
        Fault::Html,
        Fault::ServerError { status: 503 },
    ] {
        h.controls().script(Op::Query, fault.clone());
        let status = h.client().query(&accepted.provider_ref).await;
        assert!(
            !matches!(status, Ok(ref s) if s.is_terminal()),
            "a broken status reply ({fault:?}) is never terminal: {status:?}"
        );
    }
    assert_at_most_once(h.controls());
}

async fn refund_of_a_success_is_accepted_and_recredited<H: Harness>() {
    let (h, _merchant) = start::<H>().await;
    let before = h.sim_balance();
    let accepted = expect_accepted(
        h.client()
            .top_up(&order::<H>("RF1", "0812345678", 10))
            .await
            .expect("sent"),
    );
    settle(&h, &accepted.provider_ref).await;
    let refund = h
        .client()
        .refund(&RefundRequest {
            provider_ref: accepted.provider_ref.clone(),
            reference: "RF1REFUND".to_owned(),
            product: H::PRODUCT.to_owned(),
        })
        .await
        .expect("sent");
    assert!(
        matches!(refund, RefundOutcome::Accepted { .. }),
        "{refund:?}"
    );
    wait_until("re-credited", || h.sim_balance() == before).await;
}

macro_rules! contract {
    ($($scenario:ident),* $(,)?) => {
        mod wepay {
            $(
                #[tokio::test]
                async fn $scenario() {
                    super::$scenario::<super::WepayHarness>().await;
                }
            )*
        }
        mod easysoft {
            $(
                #[tokio::test]
                async fn $scenario() {
                    super::$scenario::<super::EasysoftHarness>().await;
                }
            )*
        }
    };
}

contract!(
    success_is_accepted_then_settled,
    failure_is_settled_as_failed_and_recredited,
    refusals_are_rejections_that_move_no_money,
    timeout_after_execution_is_unknown_then_settled,
    duplicate_key_is_recognised,
    callback_is_parsed_acknowledged_and_verified,
    malformed_and_foreign_replies_are_unknown,
    refund_of_a_success_is_accepted_and_recredited,
    internal_error_after_execution,
    query_while_processing_is_pending,
);

// ---------------------------------------------------------------------------------------------
// Provider-specific contract checks (capabilities only one provider has).

/// Package prices told apart by satang (`280.00`–`280.03`) survive the catalogue exactly.
#[tokio::test]
async fn wepay_catalogue_keeps_satang_package_prices() {
    let (h, _merchant) = start::<WepayHarness>().await;
    let catalogue = h.client().catalogue().await.expect("catalogue");
    let packages = catalogue
        .iter()
        .find(|entry| entry.product == "HAPPY-AOP")
        .expect("HAPPY-AOP listed");
    for satang in [28_000, 28_001, 28_002, 28_003] {
        assert!(
            packages.denominations.contains(&Satang::new(satang)),
            "{satang} satang in {:?}",
            packages.denominations
        );
    }
}

/// The Thai `sms` text and an `&` in it survive the urlencoded callback and `get_output`.
#[tokio::test]
async fn wepay_thai_sms_survives_callback_and_get_output() {
    let (h, merchant) = start::<WepayHarness>().await;
    let outcome = h
        .client()
        .top_up(&order::<WepayHarness>("THAI1", "0812345678", 10))
        .await;
    let accepted = expect_accepted(outcome.expect("sent"));
    wait_until("callback", || !merchant.callbacks().is_empty()).await;
    let (content_type, body) = merchant.callbacks()[0].clone();
    let callback = h
        .client()
        .parse_callback(content_type.as_deref(), &body)
        .expect("parses");
    let TopupStatus::Succeeded(result) = settle(&h, &accepted.provider_ref).await else {
        panic!("not a success");
    };
    let message = result.message.unwrap_or_default();
    assert!(message.starts_with("เติมเงินสำเร็จ"), "{message}");
    assert!(message.contains("&& ref="), "{message}");
    assert_eq!(WepayHarness::callback_ref(&callback), accepted.provider_ref);
}

/// Easysoft replies in TIS-620 with an XML declaration (a `[U]` switch): still read, Thai intact.
#[tokio::test]
async fn easysoft_tis620_replies_are_decoded() {
    let config = EasysoftConfig {
        tis620: true,
        xml_declaration: true,
        ..EasysoftConfig::fast()
    };
    let sim = EasysoftSim::start(config).await.expect("sim");
    let client = |password: &str| {
        EasysoftClient::new(
            termdee_providers::EasysoftConfig {
                endpoint: Url::parse(&sim.url()).expect("url"),
                username: "demo".into(),
                password: SecretString::from(password.to_owned()),
                users: None,
            },
            transport(),
        )
    };
    let balance = client("demo1234").balance().await.expect("balance");
    assert_eq!(balance.available, Satang::new(1_000_000));
    match client("wrong")
        .top_up(&order::<EasysoftHarness>("X", "0812345678", 10))
        .await
    {
        Ok(TopupOutcome::Rejected(r)) => {
            assert_eq!(
                r.message,
                termdee_sim::easysoft::detail::BAD_LOGIN,
                "Thai DETAIL decoded"
            )
        }
        other => panic!("{other:?}"),
    }
}
