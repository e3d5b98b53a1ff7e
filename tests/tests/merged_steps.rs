//! The engine's merged durable steps (issue 5), each on its happy path and its failure path.
//!
//! Several ledger writes that always follow each other are one transaction (one fsync): the
//! cashier's "paid" with the top-up intent, a callback's raw bytes with its verdict and what it
//! applies, a refused QR's end with its note. Each test here checks what the merged transaction
//! writes, and — by making the ledger refuse part of it with a trigger installed from outside,
//! as a full disk or a constraint would — that a failing merged transaction writes none of it,
//! that no order leaves when the intent could not be written, and that a callback whose
//! transaction failed gets no success reply (and is applied when the provider sends it again).

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use termdee_app::engine::{
    CrashHook, Crashed, Engine, EngineError, NoCrash, PaymentPort, Recreate, SaleRequest,
};
use termdee_domain::{Actor, ActorKind, Network, PaymentMethod, SaleState, Satang};
use termdee_ledger::{Ledger, PaymentState, TopupState};
use termdee_providers::{
    ProviderError, QrCancelOutcome, QrCreateOutcome, QrPaymentRef, QrPaymentRequest,
    QrPaymentStatus, RejectKind, Rejection,
};
use termdee_scenarios::{open_ledger, EngineOptions, Faults, Running, World, CALLBACK_TOKEN};
use termdee_sim::wepay::{WepayStatus, WepayTransaction};
use termdee_sim::{CallbackPlan, Fate, Outcome};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn cashier() -> Actor {
    Actor::new(ActorKind::Cashier, "cashier-a")
}

fn sale_of(method: PaymentMethod, phone: &str) -> SaleRequest {
    SaleRequest {
        operator_id: "cashier-a".to_owned(),
        network: Network::Ais,
        phone: phone.to_owned(),
        amount: Satang::new(5_000),
        method,
    }
}

async fn shop(
    folder: &Path,
    crash: Arc<dyn CrashHook>,
    options: &EngineOptions,
) -> Result<(World, Arc<Ledger>, Running), Box<dyn std::error::Error>> {
    let world = World::start(Faults::none()).await?;
    let ledger = open_ledger(&folder.join("ledger.sqlite"))?;
    let running = world.engine_with(ledger.clone(), crash, options).await?;
    Ok((world, ledger, running))
}

/// A trigger that makes the ledger refuse one write, installed from another connection (as a
/// constraint or a full disk would refuse it), and removed again.
struct Refusal {
    file: std::path::PathBuf,
}

impl Refusal {
    fn install(ledger: &Ledger, on: &str) -> Result<Refusal, rusqlite::Error> {
        let file = ledger.path().to_path_buf();
        rusqlite::Connection::open(&file)?.execute_batch(&format!(
            "CREATE TRIGGER injected_refusal {on} BEGIN SELECT RAISE(ABORT, 'injected refusal'); END;"
        ))?;
        Ok(Refusal { file })
    }

    fn remove(self) -> Result<(), rusqlite::Error> {
        rusqlite::Connection::open(&self.file)?.execute_batch("DROP TRIGGER injected_refusal;")
    }
}

/// Polls (the simulators answer on their own tasks) until `done` or 10 s.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn until_state(engine: &Engine, sale_id: &str, state: SaleState) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = engine.ledger().sale(sale_id).expect("the sale").state;
        if now == state {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "sale {sale_id} is {now}, never became {state}"
        );
        engine.tick().await.expect("a tick");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// What a fresh connection to the ledger file saw when the top-up order was about to leave.
#[derive(Debug, Default)]
struct SeenBeforeOrder {
    file: Mutex<Option<std::path::PathBuf>>,
    seen: Mutex<Vec<(String, String, String)>>,
}

impl CrashHook for SeenBeforeOrder {
    fn hit(&self, point: &'static str) -> Result<(), Crashed> {
        if point != "topup.order.before_call" {
            return Ok(());
        }
        let file = self
            .file
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(file) = file {
            let row = rusqlite::Connection::open(file)
                .and_then(|c| {
                    c.query_row(
                        "SELECT s.state, p.state, t.state FROM sales s
                         JOIN payments p ON p.sale_id = s.id JOIN topups t ON t.sale_id = s.id",
                        [],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                })
                .expect("the committed sale, payment and intent");
            self.seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(row);
        }
        Ok(())
    }
}

#[tokio::test]
async fn a_cash_sale_writes_paid_with_its_intent_in_one_transaction_durable_before_the_order(
) -> TestResult {
    let folder = tempfile::tempdir()?;
    let seen = Arc::new(SeenBeforeOrder::default());
    let (world, ledger, running) =
        shop(folder.path(), seen.clone(), &EngineOptions::default()).await?;
    *seen.file.lock().unwrap_or_else(PoisonError::into_inner) = Some(ledger.path().to_path_buf());
    let engine = running.engine.clone();

    ledger.tally_transactions(true);
    let sale = engine
        .start_sale(&sale_of(PaymentMethod::Cash, "0811110001"), &cashier())
        .await?;
    assert_eq!(
        ledger.transaction_tally().counts,
        vec![("create_sale + payment_opened".to_owned(), 1)],
        "a cash sale is written with its payment open, in one transaction"
    );
    ledger.tally_transactions(true);
    engine.confirm_payment(&sale.id, &cashier()).await?;
    let names: Vec<String> = ledger
        .transaction_tally()
        .counts
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        names.first().map(String::as_str),
        Some("payment_received + begin_topup"),
        "paid and the intent are one transaction: {names:?}"
    );
    assert!(
        !names
            .iter()
            .any(|n| n == "payment_received" || n == "begin_topup"),
        "neither is written alone: {names:?}"
    );
    // Money rule 2: when the order left, the intent and the paid sale were already committed.
    assert_eq!(
        *seen.seen.lock().unwrap_or_else(PoisonError::into_inner),
        vec![(
            SaleState::TopupPending.code().to_owned(),
            PaymentState::Paid.code().to_owned(),
            TopupState::Intent.code().to_owned()
        )]
    );
    until_state(&engine, &sale.id, SaleState::Completed).await;
    assert_eq!(world.wepay.transactions().len(), 1);
    Ok(())
}

#[tokio::test]
async fn when_the_intent_cannot_be_written_no_order_leaves_and_the_cash_stays_on_record(
) -> TestResult {
    let folder = tempfile::tempdir()?;
    let (world, ledger, running) =
        shop(folder.path(), Arc::new(NoCrash), &EngineOptions::default()).await?;
    let engine = running.engine.clone();
    let sale = engine
        .start_sale(&sale_of(PaymentMethod::Cash, "0811110002"), &cashier())
        .await?;

    let refusal = Refusal::install(&ledger, "BEFORE INSERT ON topups")?;
    let confirmed = engine.confirm_payment(&sale.id, &cashier()).await;
    assert!(
        matches!(confirmed, Err(EngineError::Ledger(_))),
        "the cashier is told: {confirmed:?}"
    );
    assert!(
        world.wepay.transactions().is_empty(),
        "no order leaves without its intent"
    );
    assert!(ledger.topups_of(&sale.id)?.is_empty());
    // The merged transaction wrote nothing; "paid" was then written alone: the cash taken is
    // on record, and the sale is routed again once the ledger takes the intent.
    assert_eq!(ledger.sale(&sale.id)?.state, SaleState::Paid);
    assert_eq!(ledger.sale(&sale.id)?.received, Satang::new(5_000));

    refusal.remove()?;
    until_state(&engine, &sale.id, SaleState::Completed).await;
    assert_eq!(world.wepay.transactions().len(), 1, "topped up once");
    Ok(())
}

#[tokio::test]
async fn when_not_even_paid_can_be_written_nothing_is_written_and_nothing_is_sent() -> TestResult {
    let folder = tempfile::tempdir()?;
    let (world, ledger, running) =
        shop(folder.path(), Arc::new(NoCrash), &EngineOptions::default()).await?;
    let engine = running.engine.clone();
    let sale = engine
        .start_sale(&sale_of(PaymentMethod::Cash, "0811110003"), &cashier())
        .await?;

    let refusal = Refusal::install(
        &ledger,
        "BEFORE UPDATE OF state ON payments WHEN NEW.state = 'paid'",
    )?;
    let confirmed = engine.confirm_payment(&sale.id, &cashier()).await;
    assert!(
        matches!(confirmed, Err(EngineError::Ledger(_))),
        "{confirmed:?}"
    );
    assert_eq!(ledger.sale(&sale.id)?.state, SaleState::AwaitingPayment);
    assert_eq!(ledger.sale(&sale.id)?.received, Satang::new(0));
    assert!(ledger.topups_of(&sale.id)?.is_empty());
    assert!(world.wepay.transactions().is_empty());

    // The cashier confirms again once the ledger works.
    refusal.remove()?;
    engine.confirm_payment(&sale.id, &cashier()).await?;
    until_state(&engine, &sale.id, SaleState::Completed).await;
    assert_eq!(world.wepay.transactions().len(), 1);
    Ok(())
}

/// The wePAY callback exactly as the simulator builds it (`output_fields`, urlencoded).
fn wepay_callback(transaction: &WepayTransaction) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("dest_ref", &transaction.dest_ref)
        .append_pair("transaction_id", &transaction.transaction_id)
        .append_pair("status", "2")
        .append_pair("sms", &transaction.sms)
        .append_pair("operator_trxnsid", &transaction.operator_trxnsid)
        .finish()
}

async fn post(
    world: &World,
    provider: &str,
    content_type: &str,
    body: String,
) -> Result<(u16, String), reqwest::Error> {
    let reply = termdee_providers::http_client()
        .post(format!(
            "http://{}/callback/{provider}/{CALLBACK_TOKEN}",
            world.listen
        ))
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await?;
    let status = reply.status().as_u16();
    Ok((status, reply.text().await?))
}

#[tokio::test]
async fn a_pulled_callback_is_stored_before_the_pull_and_one_that_fails_gets_no_success_reply(
) -> TestResult {
    let folder = tempfile::tempdir()?;
    let (world, ledger, running) =
        shop(folder.path(), Arc::new(NoCrash), &EngineOptions::default()).await?;
    let engine = running.engine.clone();
    // wePAY decides at once and sends no callback of its own: the test sends it.
    world.wepay.controls().script_fate(Fate {
        outcome: Some(Outcome::Success),
        callback: CallbackPlan::None,
        result_delay_ms: Some(0),
    });
    let sale = engine
        .start_sale(&sale_of(PaymentMethod::Cash, "0811110004"), &cashier())
        .await?;
    engine.confirm_payment(&sale.id, &cashier()).await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !world
        .wepay
        .transactions()
        .first()
        .is_some_and(|t| t.status == WepayStatus::Succeeded)
    {
        assert!(
            Instant::now() < deadline,
            "wePAY never decided: {:?}; sale {:?}; topups {:?}",
            world.wepay.transactions(),
            ledger.sale(&sale.id)?,
            ledger.topups_of(&sale.id)?
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let transaction = world.wepay.transactions().remove(0);
    let body = wepay_callback(&transaction);
    let form = "application/x-www-form-urlencoded";
    let ack = format!("SUCCEED|ORDER_ID={}", transaction.dest_ref);

    let refusal = Refusal::install(
        &ledger,
        "BEFORE UPDATE OF state ON topups WHEN NEW.state = 'succeeded'",
    )?;
    let (status, reply) = post(&world, "wepay", form, body.clone()).await?;
    assert_eq!(status, 503, "no success reply: wePAY must send it again");
    assert_ne!(reply, ack);
    assert_eq!(ledger.sale(&sale.id)?.state, SaleState::TopupPending);
    let stored = ledger.all_callbacks()?;
    assert_eq!(stored.len(), 1, "the raw bytes are kept, alone: {stored:?}");
    assert_eq!(stored[0].body, body.as_bytes());
    assert_eq!(stored[0].verdict, None);

    refusal.remove()?;
    ledger.tally_transactions(true);
    let (status, reply) = post(&world, "wepay", form, body.clone()).await?;
    assert_eq!((status, reply.as_str()), (200, ack.as_str()));
    assert_eq!(ledger.sale(&sale.id)?.state, SaleState::Completed);
    assert_eq!(
        ledger.transaction_tally().counts,
        vec![
            ("store_callback".to_owned(), 1),
            ("topup_succeeded + callback_handled".to_owned(), 1)
        ],
        "stored first (before the pull), then settled and judged in one transaction"
    );

    // A repeat is judged from the ledger alone: stored with its verdict, one write.
    ledger.tally_transactions(true);
    let (status, reply) = post(&world, "wepay", form, body).await?;
    assert_eq!((status, reply.as_str()), (200, ack.as_str()));
    assert_eq!(
        ledger.transaction_tally().counts,
        vec![("store_handled_callback".to_owned(), 1)]
    );
    let verdicts: Vec<Option<String>> = ledger
        .all_callbacks()?
        .into_iter()
        .map(|c| c.verdict)
        .collect();
    assert_eq!(
        verdicts,
        vec![None, Some("applied".into()), Some("duplicate".into())]
    );
    let succeeded = ledger
        .events_of(&sale.id)?
        .iter()
        .filter(|e| e.kind == "topup_succeeded")
        .count();
    assert_eq!(succeeded, 1);
    Ok(())
}

#[tokio::test]
async fn a_deposit_qr_callback_whose_transaction_fails_gets_no_success_reply_and_counts_when_sent_again(
) -> TestResult {
    let folder = tempfile::tempdir()?;
    let (world, ledger, running) =
        shop(folder.path(), Arc::new(NoCrash), &EngineOptions::default()).await?;
    let engine = running.engine.clone();
    let sale = engine
        .start_sale(&sale_of(PaymentMethod::DepositQr, "0811110005"), &cashier())
        .await?;
    let payment = ledger.payments_of(&sale.id)?.remove(0);
    assert_eq!(payment.state, PaymentState::Open);

    let refusal = Refusal::install(
        &ledger,
        "BEFORE UPDATE OF state ON payments WHEN NEW.state = 'paid'",
    )?;
    world.deposit.pay(&payment.reference, None)?;
    // The simulator says "processing" (answered: nothing to apply), then "paid" and its
    // re-sends (fast schedule: three); every "paid" fails here.
    let paid = |attempt: &termdee_sim::CallbackAttempt| attempt.body.contains("AUTO_SUCCESS");
    until("Deposit-QR's paid callback and its re-sends", || {
        world
            .deposit
            .controls()
            .callbacks()
            .iter()
            .filter(|a| paid(a))
            .count()
            >= 4
    })
    .await;
    let attempts: Vec<_> = world
        .deposit
        .controls()
        .callbacks()
        .into_iter()
        .filter(|a| paid(a))
        .collect();
    assert!(
        attempts
            .iter()
            .all(|a| !a.acked && a.http_status == Some(503)),
        "no success reply while the payment cannot be written: {attempts:?}"
    );
    assert_eq!(ledger.payment(payment.id)?.state, PaymentState::Open);
    assert_eq!(ledger.sale(&sale.id)?.state, SaleState::AwaitingPayment);
    let unjudged = ledger
        .all_callbacks()?
        .into_iter()
        .filter(|c| c.verdict.is_none())
        .count();
    assert_eq!(
        unjudged,
        attempts.len(),
        "each failed one's raw bytes are kept, alone"
    );

    // The provider sends it again once the ledger works: stored, paid and judged at once.
    refusal.remove()?;
    ledger.tally_transactions(true);
    let (status, _) = post(
        &world,
        "deposit_qr",
        "application/json",
        attempts[0].body.clone(),
    )
    .await?;
    assert_eq!(status, 200);
    assert_eq!(ledger.payment(payment.id)?.state, PaymentState::Paid);
    assert_eq!(
        ledger.transaction_tally().counts.first(),
        Some(&(
            "store_callback + payment_received + callback_handled".to_owned(),
            1
        )),
        "{:?}",
        ledger.transaction_tally()
    );
    assert_eq!(
        ledger
            .all_callbacks()?
            .last()
            .and_then(|c| c.verdict.clone()),
        Some("applied".to_owned())
    );
    until_state(&engine, &sale.id, SaleState::Completed).await;
    Ok(())
}

/// A QR provider that refuses every create (as a provider refusing the merchant would).
#[derive(Debug)]
struct RefusingQr(Arc<dyn PaymentPort>);

impl PaymentPort for RefusingQr {
    fn recreate(&self) -> Recreate {
        self.0.recreate()
    }
    fn can_query(&self) -> bool {
        self.0.can_query()
    }
    fn create<'a>(
        &'a self,
        _request: &'a QrPaymentRequest,
    ) -> BoxFuture<'a, Result<QrCreateOutcome, ProviderError>> {
        Box::pin(async {
            Ok(QrCreateOutcome::Rejected(Rejection {
                code: "403".to_owned(),
                kind: RejectKind::NotPermitted,
                message: "merchant suspended".to_owned(),
            }))
        })
    }
    fn query<'a>(
        &'a self,
        payment: &'a QrPaymentRef,
    ) -> BoxFuture<'a, Result<QrPaymentStatus, ProviderError>> {
        self.0.query(payment)
    }
    fn cancel<'a>(
        &'a self,
        payment: &'a QrPaymentRef,
    ) -> BoxFuture<'a, Result<QrCancelOutcome, ProviderError>> {
        self.0.cancel(payment)
    }
}

#[tokio::test]
async fn a_refused_qr_ends_with_its_note_in_one_transaction_or_not_at_all() -> TestResult {
    let folder = tempfile::tempdir()?;
    let options = EngineOptions {
        wrap_payment: Some(Arc::new(|_, port| Arc::new(RefusingQr(port)))),
        ..EngineOptions::default()
    };
    let (_world, ledger, running) = shop(folder.path(), Arc::new(NoCrash), &options).await?;
    let engine = running.engine.clone();

    // The note cannot be written: the payment does not end without it.
    let refusal = Refusal::install(
        &ledger,
        "BEFORE INSERT ON events WHEN NEW.kind = 'payment_rejected'",
    )?;
    let started = engine
        .start_sale(&sale_of(PaymentMethod::Tmweasy, "0811110006"), &cashier())
        .await;
    assert!(
        matches!(started, Err(EngineError::Ledger(_))),
        "{started:?}"
    );
    let sale = ledger
        .all_sales()?
        .into_iter()
        .find(|s| s.phone.as_str() == "0811110006")
        .ok_or("the sale was written before its QR was asked for")?;
    assert_eq!(sale.state, SaleState::AwaitingPayment);
    assert!(
        ledger.payments_of(&sale.id)?[0].state.is_live(),
        "not ended without the note saying why"
    );
    assert!(!ledger
        .events_of(&sale.id)?
        .iter()
        .any(|e| e.kind == "payment_rejected"));

    // Without the refusal: ended and noted, one transaction.
    refusal.remove()?;
    ledger.tally_transactions(true);
    let sale = engine
        .start_sale(&sale_of(PaymentMethod::Tmweasy, "0811110007"), &cashier())
        .await?;
    assert_eq!(sale.state, SaleState::PaymentCancelled);
    assert!(
        ledger
            .transaction_tally()
            .counts
            .iter()
            .any(|(name, count)| name == "payment_ended + note" && *count == 1),
        "{:?}",
        ledger.transaction_tally()
    );
    assert!(ledger
        .events_of(&sale.id)?
        .iter()
        .any(|e| e.kind == "payment_rejected"));
    Ok(())
}
