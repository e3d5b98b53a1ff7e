//! The Deposit-QR simulator (the white-label `create_deposit` platform of RichPay, CCoop v2, …):
//! `POST /api/v1/client/create_deposit`, `cancel_deposit`, `resend_callback_for_transaction`,
//! `GET /api/v1/client/get_balance`, as `../shared/providers/deposit_qr.md` documents them.
//!
//! Every call must carry `Authorization: Bearer <token>` (401 otherwise), `x-api-key` (403) and
//! `x-signature = base64(SECRET:order_id:amount)` (401 `{"detail":"Invalid signature"}`,
//! invented; checked per [`SignatureMode`]). Errors are FastAPI-shaped: 422 with a `detail`
//! list, other statuses with `{"detail":"…"}`.
//!
//! A deposit is `CREATED` with a PromptPay QR of the amount to pay, which may be adjusted by a
//! few satang ([`AmountAdjust`]). When the customer pays (control [`DepositQrSim::pay`],
//! `POST /_sim/pay`, or the page `GET /deposit/{ref_id}`), the callback URL gets `PROCESSING`
//! (switch) then `AUTO_SUCCESS`; [`DepositQrSim::manual_success`] sends `SUCCESS` (operator
//! staff); [`DepositQrSim::fail`] and expiry send `FAILED`. Callbacks are JSON POSTs, re-sent on
//! [`DepositQrConfig::callback_schedule`] until acknowledged per [`DepositAck`].
//!
//! Faults: [`Op::Order`] is `create_deposit`, [`Op::Query`] is `resend_callback_for_transaction`,
//! [`Op::Balance`] is `get_balance`, [`Op::Other`] is `cancel_deposit`.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;
use serde_json::value::RawValue;
use termdee_domain::Satang;

use crate::callback::{Ack, Courier, Delivery};
use crate::controls::{CallbackPlan, Controls, ExecutionKind, Fault, Op, Outcome, RandomFaults};
use crate::payments::{self, object, Customer, Forgery, SimClock, J};
use crate::server::{self, Before, Reply, Running, Wallets};

/// The merchant's credentials, as the operator issues them.
#[derive(Debug, Clone)]
pub struct DepositMerchant {
    /// The `Authorization: Bearer` token.
    pub token: String,
    /// The `x-api-key`.
    pub api_key: String,
    /// The SECRET_KEY inside `x-signature`.
    pub secret_key: String,
    /// The merchant-profile callback URL, used when an order gives no `callback_url`.
    pub callback_url: Option<String>,
}

impl DepositMerchant {
    /// The demo merchant `termdee sim` prints.
    pub fn demo() -> Self {
        DepositMerchant {
            token: "demo-bearer-token".to_owned(),
            api_key: "0a1b2c3d4e5f60718293a4".to_owned(),
            secret_key: "demo-secret-key".to_owned(),
            callback_url: None,
        }
    }
}

/// How `x-signature` is checked on `create_deposit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureMode {
    /// Secret equal, `order_id` equal, amount numerically equal (`1000` = `1000.00`).
    Strict,
    /// Only the secret part is checked (as for the endpoints without an order).
    SecretOnly,
    /// Not checked at all.
    Off,
}

/// `[U]` Whether and how the platform adjusts the amount to pay ("the system may adjust the
/// value slightly to match with the QR code").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AmountAdjust {
    /// Never: the amount to pay is the amount asked.
    Never,
    /// When another open deposit from the same payer account has the same amount, add the
    /// smallest satang offset (1…99) that makes it unique (the spec's rule).
    OnClash,
    /// Always add this many satang (a test switch to make the adjustment visible).
    Always {
        /// The offset in satang.
        satang: i64,
    },
}

/// `[U]` What reply acknowledges a callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DepositAck {
    /// Any 2xx (default: public receivers answer 200 with arbitrary text).
    Http2xx,
    /// A 2xx with exactly this body, trimmed.
    Body(String),
}

/// Everything a Deposit-QR simulator is started with; `[U]` fields are switches for unknowns.
#[derive(Debug, Clone)]
pub struct DepositQrConfig {
    /// Where to listen (port 0 picks a free one).
    pub addr: SocketAddr,
    /// The merchant.
    pub merchant: DepositMerchant,
    /// How `x-signature` is checked on `create_deposit`.
    pub signature_mode: SignatureMode,
    /// `[U]` The amount adjustment (default [`AmountAdjust::OnClash`]).
    pub amount_adjust: AmountAdjust,
    /// Deposit lifetime (15 min in the real example).
    pub ttl: Duration,
    /// `deposit_channel`: `PROMPTPAY` (QR + bank info) or `BANK_TRANSFER` (no QR).
    pub deposit_channel: String,
    /// The account the customer pays into: bank code, number, name.
    pub dest_bank: (String, String, String),
    /// The PromptPay id the QR picture pays.
    pub promptpay_id: String,
    /// Send a `PROCESSING` callback before `AUTO_SUCCESS` (default true).
    pub send_processing: bool,
    /// `[U]` On expiry, send a `FAILED` callback (default true) or stay silent.
    pub expire_sends_failed: bool,
    /// `[U]` The acknowledgement (default any 2xx).
    pub callback_ack: DepositAck,
    /// `[U]` Waits before each callback re-send (default none: one attempt).
    pub callback_schedule: Vec<Duration>,
    /// Timeout of one callback POST.
    pub callback_timeout: Duration,
    /// Longest an out-of-order callback waits for the next one.
    pub callback_park_limit: Duration,
    /// `[U]` A bank-statement line ([`DepositQrSim::statement`]) whose payer account matches
    /// no open deposit is matched by amount alone (default false: only by payer account and
    /// amount). How walk-in payers are matched is the spec's main open question.
    pub match_amount_only: bool,
    /// The fee in basis points (`mdr_amount`; 135 = 1.35 %, as the RichPay sample).
    pub mdr_bp: i64,
    /// Delay before a deposit whose fate has an outcome is paid or failed by itself.
    pub auto_pay_delay: Duration,
    /// How often expiry is checked in real time.
    pub sweep_every: Duration,
    /// Seeded random faults, if any.
    pub random: Option<RandomFaults>,
}

impl Default for DepositQrConfig {
    fn default() -> Self {
        DepositQrConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            merchant: DepositMerchant::demo(),
            signature_mode: SignatureMode::Strict,
            amount_adjust: AmountAdjust::OnClash,
            ttl: Duration::from_secs(15 * 60),
            deposit_channel: "PROMPTPAY".to_owned(),
            dest_bank: (
                "014".to_owned(),
                "4051234567".to_owned(),
                "บจ. เติมดี เดโม".to_owned(),
            ),
            promptpay_id: "0812345678".to_owned(),
            send_processing: true,
            expire_sends_failed: true,
            callback_ack: DepositAck::Http2xx,
            callback_schedule: Vec::new(),
            callback_timeout: Duration::from_secs(10),
            callback_park_limit: Duration::from_secs(30),
            match_amount_only: false,
            mdr_bp: 135,
            auto_pay_delay: Duration::from_secs(5),
            sweep_every: Duration::from_secs(1),
            random: None,
        }
    }
}

impl DepositQrConfig {
    /// A configuration for tests: auto results after 20 ms, callbacks re-sent after 10, 20,
    /// 40 ms.
    pub fn fast() -> Self {
        DepositQrConfig {
            callback_schedule: [10, 20, 40].map(Duration::from_millis).to_vec(),
            callback_timeout: Duration::from_secs(2),
            callback_park_limit: Duration::from_secs(2),
            auto_pay_delay: Duration::from_millis(20),
            sweep_every: Duration::from_millis(50),
            ..DepositQrConfig::default()
        }
    }
}

/// Where a deposit stands (the callback statuses, plus the platform's own states).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DepositState {
    /// Waiting for the transfer.
    Created,
    /// A transfer was seen, being matched.
    Processing,
    /// Matched automatically: paid.
    AutoSuccess,
    /// Confirmed by operator staff: paid.
    Success,
    /// Failed or expired.
    Failed,
    /// Cancelled by `cancel_deposit`.
    Cancelled,
}

impl DepositState {
    fn terminal(self) -> bool {
        matches!(
            self,
            DepositState::AutoSuccess | DepositState::Success | DepositState::Failed
        )
    }

    fn wire(self) -> &'static str {
        match self {
            DepositState::Created => "CREATED",
            DepositState::Processing => "PROCESSING",
            DepositState::AutoSuccess => "AUTO_SUCCESS",
            DepositState::Success => "SUCCESS",
            DepositState::Failed => "FAILED",
            DepositState::Cancelled => "CANCELLED",
        }
    }
}

/// A simulated deposit.
#[derive(Debug, Clone, Serialize)]
pub struct Deposit {
    /// The platform's `ref_id`.
    pub ref_id: String,
    /// The merchant's `order_id`.
    pub order_id: String,
    /// The amount the merchant asked for.
    pub requested: Satang,
    /// The amount to pay (after any adjustment).
    pub amount: Satang,
    /// The amount received, once paid.
    pub received: Option<Satang>,
    /// The state.
    pub state: DepositState,
    /// Payer's bank code, account, Thai and English names.
    pub payer: (String, String, String, String),
    /// `ref_user_id`, `ref1`, `ref2`.
    pub refs: (String, String, String),
    /// Where callbacks go.
    pub callback_url: Option<String>,
    /// `create_time` (ISO, +07:00).
    pub create_time: String,
    /// `expire_time` (ISO, +07:00).
    pub expire_time: String,
    /// Simulated-clock expiry.
    #[serde(skip)]
    pub expires_at: Duration,
    /// The callback plan drawn at creation.
    #[serde(skip)]
    pub plan: CallbackPlan,
}

#[derive(Debug)]
struct Book {
    deposits: BTreeMap<String, Deposit>,
    next_id: u64,
    amount_adjust: AmountAdjust,
    default_callback_url: Option<String>,
}

#[derive(Debug)]
struct Shared {
    config: DepositQrConfig,
    book: Mutex<Book>,
    controls: Arc<Controls>,
    courier: Arc<Courier>,
    clock: SimClock,
    base_url: Mutex<String>,
}

/// A running Deposit-QR simulator. Stops when dropped.
#[derive(Debug)]
pub struct DepositQrSim {
    shared: Arc<Shared>,
    running: Running,
}

impl DepositQrSim {
    /// Binds and starts serving.
    pub async fn start(config: DepositQrConfig) -> std::io::Result<DepositQrSim> {
        let controls = Arc::new(Controls::new(config.random.clone()));
        let courier = Arc::new(Courier::new(
            Arc::clone(&controls),
            config.callback_timeout,
            config.callback_park_limit,
        ));
        let shared = Arc::new(Shared {
            book: Mutex::new(Book {
                deposits: BTreeMap::new(),
                next_id: 1,
                amount_adjust: config.amount_adjust,
                default_callback_url: config.merchant.callback_url.clone(),
            }),
            config,
            controls: Arc::clone(&controls),
            courier,
            clock: SimClock::new(),
            base_url: Mutex::new(String::new()),
        });
        let api = Router::new()
            .route("/api/v1/client/create_deposit", post(create_deposit))
            .route("/api/v1/client/cancel_deposit", post(cancel_deposit))
            .route(
                "/api/v1/client/resend_callback_for_transaction",
                post(resend_callback),
            )
            .route("/api/v1/client/get_balance", get(get_balance))
            .route("/qr/{file}", get(qr_png))
            .route("/deposit/{ref_id}", get(deposit_page))
            .route("/deposit/{ref_id}/pay", post(deposit_pay))
            .route(
                "/_sim/manual_success/{id}",
                post(
                    |State(s): State<Arc<Shared>>, Path(id): Path<String>| async move {
                        match s.settle(&id, DepositState::Success, None) {
                            Ok(()) => (StatusCode::OK, "{\"ok\":true}".to_owned()),
                            Err(e) => (StatusCode::BAD_REQUEST, object(&[("error", J::S(e))])),
                        }
                    },
                ),
            )
            .route("/_sim/statement", post(statement_route))
            .with_state(Arc::clone(&shared));
        let wallets: Arc<dyn Wallets> = Arc::new(DepositHandle(Arc::clone(&shared)));
        let customer: Arc<dyn Customer> = Arc::new(DepositHandle(Arc::clone(&shared)));
        let router = api
            .merge(server::control_routes(Arc::clone(&controls), wallets))
            .merge(payments::customer_routes(customer))
            .layer(axum::middleware::from_fn_with_state(
                controls,
                server::network_gate,
            ));
        let running = server::serve(shared.config.addr, router).await?;
        *shared
            .base_url
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = format!("http://{}", running.addr);
        let weak = Arc::downgrade(&shared);
        tokio::spawn(sweeper(weak, shared.config.sweep_every));
        Ok(DepositQrSim { shared, running })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.running.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.running.addr
    }

    /// Scripting and records.
    pub fn controls(&self) -> &Controls {
        &self.shared.controls
    }

    /// The customer pays deposit `id` (`order_id` or `ref_id`), the amount to pay or `amount`:
    /// `PROCESSING` (switch) then `AUTO_SUCCESS`.
    pub fn pay(&self, id: &str, amount: Option<Satang>) -> Result<(), String> {
        self.shared.settle(id, DepositState::AutoSuccess, amount)
    }

    /// A transfer appears on the receiving account's statement: it is matched to an open
    /// deposit by payer account and amount (or by amount alone, see
    /// [`DepositQrConfig::match_amount_only`]), which is then paid. The matched `ref_id`.
    pub fn statement(&self, from_acc: &str, amount: Satang) -> Result<String, String> {
        self.shared.statement(from_acc, amount)
    }

    /// Operator staff mark deposit `id` paid: a `SUCCESS` callback (also after `FAILED`).
    pub fn manual_success(&self, id: &str) -> Result<(), String> {
        self.shared.settle(id, DepositState::Success, None)
    }

    /// Deposit `id` fails: a `FAILED` callback.
    pub fn fail(&self, id: &str) -> Result<(), String> {
        self.shared.settle(id, DepositState::Failed, None)
    }

    /// Deposit `id` expires now (a `FAILED` callback unless switched off).
    pub fn expire(&self, id: &str) -> Result<(), String> {
        self.shared.expire_now(id)
    }

    /// Moves the simulated clock forward and expires what is due.
    pub fn advance(&self, by: Duration) {
        self.shared.clock.advance(by);
        self.shared.sweep();
    }

    /// Sends a forged callback about deposit `id` to its callback URL (one attempt).
    pub fn forge(&self, id: &str, forgery: Forgery) -> Result<(), String> {
        self.shared.forge(id, forgery)
    }

    /// Switches the amount adjustment.
    pub fn set_amount_adjust(&self, adjust: AmountAdjust) {
        self.shared.lock().amount_adjust = adjust;
    }

    /// Every deposit so far.
    pub fn deposits(&self) -> Vec<Deposit> {
        self.shared.lock().deposits.values().cloned().collect()
    }

    /// The deposit with this `order_id` or `ref_id`.
    pub fn deposit(&self, id: &str) -> Option<Deposit> {
        self.shared.find(&self.shared.lock(), id)
    }

    /// Base URL, the demo credentials and the "customer paid" control, as JSON.
    pub fn describe(&self) -> serde_json::Value {
        let merchant = &self.shared.config.merchant;
        serde_json::json!({
            "base_url": self.base_url(),
            "api_url": format!("{}/api/v1/client/", self.base_url()),
            "bearer_token": merchant.token,
            "api_key": merchant.api_key,
            "secret_key": merchant.secret_key,
            "pay_url": format!("{}/_sim/pay", self.base_url()),
            "pay_body": r#"{"id":"<order_id or ref_id>"}"#,
        })
    }
}

async fn sweeper(shared: Weak<Shared>, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        match shared.upgrade() {
            Some(shared) => shared.sweep(),
            None => return,
        }
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn find(&self, book: &Book, id: &str) -> Option<Deposit> {
        book.deposits
            .get(id)
            .or_else(|| book.deposits.values().find(|d| d.order_id == id))
            .cloned()
    }

    fn callback_url(&self, deposit: &Deposit) -> Option<String> {
        deposit
            .callback_url
            .clone()
            .or_else(|| self.lock().default_callback_url.clone())
    }

    fn delivery(&self, url: String, body: String, retry: bool) -> Delivery {
        Delivery {
            url,
            form: Vec::new(),
            ack: match &self.config.callback_ack {
                DepositAck::Http2xx => Ack::Http2xx,
                DepositAck::Body(text) => Ack::Http2xxBody(text.clone()),
            },
            schedule: if retry {
                self.config.callback_schedule.clone()
            } else {
                Vec::new()
            },
            stop_on: None,
            json: true,
            raw_json: Some(body),
        }
    }

    fn callback_body(&self, d: &Deposit, status: DepositState, amount: Satang) -> String {
        let mdr = Satang::new(amount.as_satang() * self.config.mdr_bp / 10_000);
        let (bank, acc, name) = &self.config.dest_bank;
        let now = payments::bangkok_iso(self.clock.wall_micros());
        let paid = matches!(status, DepositState::AutoSuccess | DepositState::Success);
        let opt = |text: &str| {
            if text.is_empty() {
                J::Raw("null".to_owned())
            } else {
                J::S(text.to_owned())
            }
        };
        let desc = match status {
            DepositState::Processing => "DEPOSIT_PROCESSING",
            DepositState::AutoSuccess => "DEPOSIT_MATCH",
            DepositState::Success => "DEPOSIT_MANUAL",
            _ => "DEPOSIT_FAILED",
        };
        let stm = |text: String| {
            if paid {
                J::S(text)
            } else {
                J::Raw("null".to_owned())
            }
        };
        object(&[
            ("type", J::S("DEPOSIT".to_owned())),
            ("status", J::S(status.wire().to_owned())),
            ("status_desc", J::S(desc.to_owned())),
            ("amount", J::Raw(payments::baht_number(amount))),
            (
                "mdr_amount",
                J::Raw(payments::baht_number(if paid { mdr } else { Satang::ZERO })),
            ),
            ("txn_ref_id", J::S(d.ref_id.clone())),
            ("txn_ref_order_id", J::S(d.order_id.clone())),
            ("txn_ref_bank_code", J::S(d.payer.0.clone())),
            ("txn_ref_bank_acc_no", J::S(d.payer.1.clone())),
            ("txn_ref_bank_acc_name_th", J::S(d.payer.2.clone())),
            ("txn_ref_bank_acc_name_en", opt(&d.payer.3)),
            ("txn_ref_user_id", opt(&d.refs.0)),
            ("txn_ref1", opt(&d.refs.1)),
            ("txn_ref2", opt(&d.refs.2)),
            ("txn_timestamp", J::S(d.create_time.clone())),
            ("stm_timestamp", stm(now.clone())),
            ("stm_bank_code", stm(bank.clone())),
            ("stm_bank_acc_no", stm(acc.clone())),
            ("stm_bank_acc_name", stm(name.clone())),
            (
                "stm_desc",
                stm(format!(
                    "โอนเงินเข้าพร้อมเพย์ TR fr {}-{} {now}",
                    d.payer.0, d.payer.1
                )),
            ),
            ("stm_ref_id", stm(format!("SIM-SUCCESS-{}", d.ref_id))),
        ])
    }

    /// Moves deposit `id` to `to` (a paid state or `Failed`) and sends the callbacks.
    fn settle(
        self: &Arc<Self>,
        id: &str,
        to: DepositState,
        amount: Option<Satang>,
    ) -> Result<(), String> {
        let (deposit, from) = {
            let mut book = self.lock();
            let deposit = self
                .find(&book, id)
                .ok_or_else(|| format!("no deposit {id}"))?;
            let allowed = match to {
                // Operator staff may confirm a failed or expired deposit (late money).
                DepositState::Success => !matches!(
                    deposit.state,
                    DepositState::AutoSuccess | DepositState::Success
                ),
                _ => matches!(
                    deposit.state,
                    DepositState::Created | DepositState::Processing
                ),
            };
            if !allowed {
                return Err(format!("deposit {id} is {}", deposit.state.wire()));
            }
            let stored = book
                .deposits
                .get_mut(&deposit.ref_id)
                .ok_or_else(|| format!("no deposit {id}"))?;
            let from = stored.state;
            stored.state = to;
            if to != DepositState::Failed {
                stored.received = Some(amount.unwrap_or(stored.amount));
            }
            (stored.clone(), from)
        };
        if let Some(received) = deposit.received.filter(|_| to != DepositState::Failed) {
            self.controls.record_execution(
                ExecutionKind::Payment,
                &deposit.order_id,
                &deposit.ref_id,
                "merchant",
                received,
                received,
            );
        }
        let Some(url) = self.callback_url(&deposit) else {
            return Ok(());
        };
        let amount = deposit.received.unwrap_or(deposit.amount);
        let processing = (to == DepositState::AutoSuccess
            && from == DepositState::Created
            && self.config.send_processing)
            .then(|| {
                self.delivery(
                    url.clone(),
                    self.callback_body(&deposit, DepositState::Processing, amount),
                    true,
                )
            });
        let last = self.delivery(url, self.callback_body(&deposit, to, amount), true);
        let courier = Arc::clone(&self.courier);
        let plan = deposit.plan;
        tokio::spawn(async move {
            if let Some(processing) = processing {
                Arc::clone(&courier)
                    .run(processing, CallbackPlan::Normal)
                    .await;
            }
            courier.run(last, plan).await;
        });
        Ok(())
    }

    fn statement(self: &Arc<Self>, from_acc: &str, amount: Satang) -> Result<String, String> {
        let matched = {
            let book = self.lock();
            let open: Vec<&Deposit> = book
                .deposits
                .values()
                .filter(|d| {
                    matches!(d.state, DepositState::Created | DepositState::Processing)
                        && d.amount == amount
                })
                .collect();
            open.iter()
                .find(|d| d.payer.1 == from_acc)
                .or_else(|| open.first().filter(|_| self.config.match_amount_only))
                .map(|d| d.ref_id.clone())
        };
        let ref_id = matched.ok_or_else(|| "no open deposit matches the transfer".to_owned())?;
        self.settle(&ref_id, DepositState::AutoSuccess, Some(amount))?;
        Ok(ref_id)
    }

    fn expire_now(self: &Arc<Self>, id: &str) -> Result<(), String> {
        {
            let mut book = self.lock();
            let deposit = self
                .find(&book, id)
                .ok_or_else(|| format!("no deposit {id}"))?;
            if let Some(stored) = book.deposits.get_mut(&deposit.ref_id) {
                stored.expires_at = Duration::ZERO;
            }
        }
        self.sweep();
        Ok(())
    }

    /// Expires every open deposit past its `expire_time`.
    fn sweep(self: &Arc<Self>) {
        let now = self.clock.elapsed();
        let due: Vec<String> = self
            .lock()
            .deposits
            .values()
            .filter(|d| {
                matches!(d.state, DepositState::Created | DepositState::Processing)
                    && d.expires_at <= now
            })
            .map(|d| d.ref_id.clone())
            .collect();
        for ref_id in due {
            if self.config.expire_sends_failed {
                let _ = self.settle(&ref_id, DepositState::Failed, None);
            } else if let Some(d) = self.lock().deposits.get_mut(&ref_id) {
                d.state = DepositState::Failed;
            }
        }
    }

    fn forge(self: &Arc<Self>, id: &str, forgery: Forgery) -> Result<(), String> {
        let mut deposit = self
            .find(&self.lock(), id)
            .ok_or_else(|| format!("no deposit {id}"))?;
        let url = self
            .callback_url(&deposit)
            .ok_or_else(|| "the deposit has no callback URL".to_owned())?;
        let mut amount = deposit.amount;
        match forgery {
            Forgery::BadSignature => deposit.ref_id = format!("FORGED-{}", deposit.ref_id),
            Forgery::WrongAmount => amount = Satang::new(amount.as_satang() + 100),
            Forgery::UnknownOrder => {
                deposit.order_id = format!("FORGED{}", deposit.order_id);
                deposit.ref_id = format!("FORGED-{}", deposit.ref_id);
            }
        }
        let body = self.callback_body(&deposit, DepositState::AutoSuccess, amount);
        let delivery = self.delivery(url, body, false);
        tokio::spawn(Arc::clone(&self.courier).run(delivery, CallbackPlan::Normal));
        Ok(())
    }
}

#[derive(Debug)]
struct DepositHandle(Arc<Shared>);

impl Wallets for DepositHandle {
    fn set_balance(&self, _username: Option<&str>, _balance: Satang) -> bool {
        false
    }
    fn set_callback_url(&self, _username: Option<&str>, url: Option<String>) -> bool {
        self.0.lock().default_callback_url = url;
        true
    }
    fn snapshot(&self) -> serde_json::Value {
        let book = self.0.lock();
        let deposits: Vec<&Deposit> = book.deposits.values().collect();
        serde_json::json!({"deposits": deposits, "amount_adjust": book.amount_adjust})
    }
}

impl Customer for DepositHandle {
    fn pay(&self, id: &str, amount: Option<Satang>) -> Result<(), String> {
        self.0.settle(id, DepositState::AutoSuccess, amount)
    }
    fn fail(&self, id: &str) -> Result<(), String> {
        self.0.settle(id, DepositState::Failed, None)
    }
    fn expire(&self, id: &str) -> Result<(), String> {
        self.0.expire_now(id)
    }
    fn advance(&self, by: Duration) {
        self.0.clock.advance(by);
        self.0.sweep();
    }
    fn forge(&self, id: &str, forgery: Forgery) -> Result<(), String> {
        self.0.forge(id, forgery)
    }
}

// ---------------------------------------------------------------------------------------------
// Wire

fn detail(status: StatusCode, text: &str) -> Reply {
    let mut reply = Reply::json(object(&[("detail", J::S(text.to_owned()))]));
    reply.status = status;
    reply
}

fn unprocessable(problems: &[(&str, &str, &str)]) -> Reply {
    let list: Vec<String> = problems
        .iter()
        .map(|(field, msg, kind)| {
            object(&[
                (
                    "loc",
                    J::Raw(format!(
                        "[\"body\",{}]",
                        serde_json::Value::String((*field).to_owned())
                    )),
                ),
                ("msg", J::S((*msg).to_owned())),
                ("type", J::S((*kind).to_owned())),
            ])
        })
        .collect();
    let mut reply = Reply::json(format!("{{\"detail\":[{}]}}", list.join(",")));
    reply.status = StatusCode::UNPROCESSABLE_ENTITY;
    reply
}

fn internal_error() -> Reply {
    detail(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The parts of `x-signature`: `(secret, order_id, amount)`.
fn signature_parts(headers: &HeaderMap) -> Option<(String, String, String)> {
    let decoded = payments::unb64(header_text(headers, "x-signature"))?;
    let text = String::from_utf8(decoded).ok()?;
    let mut parts = text.splitn(3, ':');
    Some((
        parts.next()?.to_owned(),
        parts.next().unwrap_or("").to_owned(),
        parts.next().unwrap_or("").to_owned(),
    ))
}

/// Bearer, api key and (secret-only) signature; the 401/403 reply otherwise.
fn authenticate(shared: &Shared, headers: &HeaderMap, check_secret: bool) -> Result<(), Reply> {
    let merchant = &shared.config.merchant;
    let bearer = header_text(headers, "authorization");
    if bearer.strip_prefix("Bearer ").map(str::trim) != Some(merchant.token.as_str()) {
        return Err(detail(
            StatusCode::UNAUTHORIZED,
            "Invalid authentication credentials",
        ));
    }
    if header_text(headers, "x-api-key") != merchant.api_key {
        return Err(detail(StatusCode::FORBIDDEN, "Invalid API key"));
    }
    if check_secret && shared.config.signature_mode != SignatureMode::Off {
        match signature_parts(headers) {
            Some((secret, _, _)) if secret == merchant.secret_key => {}
            _ => return Err(detail(StatusCode::UNAUTHORIZED, "Invalid signature")),
        }
    }
    Ok(())
}

type Body = BTreeMap<String, Box<RawValue>>;

fn parse_body(body: &[u8]) -> Result<Body, Reply> {
    serde_json::from_slice(body)
        .map_err(|_| unprocessable(&[("body", "invalid json", "value_error.jsondecode")]))
}

fn text_field(body: &Body, name: &str) -> Option<String> {
    let raw = body.get(name)?;
    match serde_json::from_str::<serde_json::Value>(raw.get()).ok()? {
        serde_json::Value::String(text) => Some(text),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// Runs the fault steps, then `handle`, then the after-steps.
async fn with_faults(
    shared: &Arc<Shared>,
    op: Op,
    handle: impl FnOnce(&Arc<Shared>) -> Reply,
) -> Response {
    let fault = match server::before(&shared.controls, op).await {
        Before::Answer(response) => return response,
        Before::Refuse(Fault::IpNotAllowed) => {
            return detail(StatusCode::FORBIDDEN, "IP not allowed").into_response()
        }
        Before::Refuse(_) => return internal_error().into_response(),
        Before::Execute(fault) => fault,
    };
    let reply = handle(shared);
    server::after(fault, reply, internal_error()).await
}

async fn create_deposit(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    with_faults(&shared, Op::Order, |shared| {
        match create(shared, &headers, &body) {
            Ok(reply) | Err(reply) => reply,
        }
    })
    .await
}

fn create(shared: &Arc<Shared>, headers: &HeaderMap, body: &[u8]) -> Result<Reply, Reply> {
    authenticate(shared, headers, true)?;
    let body = parse_body(body)?;
    let required = [
        "order_id",
        "amount",
        "ref_account",
        "ref_bank_code",
        "ref_name_th",
        "ref_user_id",
    ];
    let missing: Vec<(&str, &str, &str)> = required
        .iter()
        .filter(|name| !body.contains_key(**name))
        .map(|name| (*name, "field required", "value_error.missing"))
        .collect();
    if !missing.is_empty() {
        return Err(unprocessable(&missing));
    }
    let order_id = text_field(&body, "order_id").unwrap_or_default();
    let amount = body
        .get("amount")
        .and_then(|raw| payments::parse_baht_json(raw))
        .filter(|a| a.as_satang() > 0)
        .ok_or_else(|| unprocessable(&[("amount", "invalid format", "value_error.number")]))?;
    let bank_code = text_field(&body, "ref_bank_code").unwrap_or_default();
    if bank_code.len() != 3 || !bank_code.chars().all(|c| c.is_ascii_digit()) {
        return Err(unprocessable(&[(
            "ref_bank_code",
            "invalid format",
            "value_error",
        )]));
    }
    if order_id.is_empty() {
        return Err(unprocessable(&[(
            "order_id",
            "invalid format",
            "value_error",
        )]));
    }
    if shared.config.signature_mode == SignatureMode::Strict {
        let ok = signature_parts(headers).is_some_and(|(_, signed_order, signed_amount)| {
            signed_order == order_id && Satang::parse_baht(&signed_amount).ok() == Some(amount)
        });
        if !ok {
            return Err(detail(StatusCode::UNAUTHORIZED, "Invalid signature"));
        }
    }
    let fate = shared.controls.next_fate();
    let deposit = {
        let mut book = shared.lock();
        if book.deposits.values().any(|d| d.order_id == order_id) {
            return Err(detail(StatusCode::CONFLICT, "order_id already exists"));
        }
        let account = text_field(&body, "ref_account").unwrap_or_default();
        let to_pay = match book.amount_adjust {
            AmountAdjust::Never => amount,
            AmountAdjust::Always { satang } => Satang::new(amount.as_satang() + satang),
            AmountAdjust::OnClash => {
                let taken: Vec<Satang> = book
                    .deposits
                    .values()
                    .filter(|d| {
                        d.payer.1 == account
                            && matches!(d.state, DepositState::Created | DepositState::Processing)
                    })
                    .map(|d| d.amount)
                    .collect();
                (0..100)
                    .map(|offset| Satang::new(amount.as_satang() + offset))
                    .find(|candidate| !taken.contains(candidate))
                    .unwrap_or(amount)
            }
        };
        let id = book.next_id;
        book.next_id += 1;
        let micros = shared.clock.wall_micros();
        let ttl_micros = i64::try_from(shared.config.ttl.as_micros()).unwrap_or(i64::MAX);
        let ref_id = format!("SIMDQR-{}-{id:06}", micros / 1000);
        let deposit = Deposit {
            ref_id: ref_id.clone(),
            order_id: order_id.clone(),
            requested: amount,
            amount: to_pay,
            received: None,
            state: DepositState::Created,
            payer: (
                bank_code,
                account,
                text_field(&body, "ref_name_th").unwrap_or_default(),
                text_field(&body, "ref_name_en").unwrap_or_default(),
            ),
            refs: (
                text_field(&body, "ref_user_id").unwrap_or_default(),
                text_field(&body, "ref1").unwrap_or_default(),
                text_field(&body, "ref2").unwrap_or_default(),
            ),
            callback_url: text_field(&body, "callback_url").filter(|u| !u.is_empty()),
            create_time: payments::bangkok_iso(micros),
            expire_time: payments::bangkok_iso(micros + ttl_micros),
            expires_at: shared.clock.elapsed() + shared.config.ttl,
            plan: fate.callback,
        };
        book.deposits.insert(ref_id, deposit.clone());
        deposit
    };
    if let Some(outcome) = fate.outcome {
        let delay = fate
            .result_delay_ms
            .map(Duration::from_millis)
            .unwrap_or(shared.config.auto_pay_delay);
        let shared = Arc::clone(shared);
        let ref_id = deposit.ref_id.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let to = match outcome {
                Outcome::Success => DepositState::AutoSuccess,
                Outcome::Failure => DepositState::Failed,
            };
            let _ = shared.settle(&ref_id, to, None);
        });
    }
    let base = shared
        .base_url
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let (bank, acc, name) = &shared.config.dest_bank;
    let mut entries = vec![
        ("status", J::S("CREATED".to_owned())),
        ("ref_id", J::S(deposit.ref_id.clone())),
        ("dest_bank_code", J::S(bank.clone())),
        ("dest_bank_acc_no", J::S(acc.clone())),
        ("dest_bank_acc_name", J::S(name.clone())),
        ("order_id", J::S(deposit.order_id.clone())),
        ("amount", J::Raw(payments::baht_number(deposit.amount))),
    ];
    if shared.config.deposit_channel == "PROMPTPAY" {
        let png = payments::promptpay_png(&shared.config.promptpay_id, deposit.amount);
        entries.push(("qr_image", J::S(payments::b64(&png))));
        entries.push((
            "qr_image_link",
            J::S(format!("{base}/qr/{}.png", deposit.ref_id)),
        ));
    }
    entries.push(("create_time", J::S(deposit.create_time.clone())));
    entries.push(("expire_time", J::S(deposit.expire_time.clone())));
    entries.push((
        "deposit_channel",
        J::S(shared.config.deposit_channel.clone()),
    ));
    Ok(Reply::json(object(&entries)))
}

fn ref_id_of(body: &[u8]) -> Result<String, Reply> {
    let body = parse_body(body)?;
    text_field(&body, "ref_id")
        .ok_or_else(|| unprocessable(&[("ref_id", "field required", "value_error.missing")]))
}

async fn cancel_deposit(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    with_faults(&shared, Op::Other, |shared| {
        let result = (|| {
            authenticate(shared, &headers, true)?;
            let ref_id = ref_id_of(&body)?;
            let mut book = shared.lock();
            let deposit = book
                .deposits
                .get_mut(&ref_id)
                .ok_or_else(|| detail(StatusCode::NOT_FOUND, "Transaction not found"))?;
            let cancelled = matches!(
                deposit.state,
                DepositState::Created | DepositState::Processing | DepositState::Cancelled
            );
            if cancelled {
                deposit.state = DepositState::Cancelled;
            }
            Ok(Reply::json(object(&[
                ("ref_id", J::S(ref_id)),
                ("is_cancel_success", J::Raw(cancelled.to_string())),
            ])))
        })();
        match result {
            Ok(reply) | Err(reply) => reply,
        }
    })
    .await
}

async fn resend_callback(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    with_faults(&shared, Op::Query, |shared| {
        let result = (|| {
            authenticate(shared, &headers, true)?;
            let ref_id = ref_id_of(&body)?;
            let deposit = shared
                .lock()
                .deposits
                .get(&ref_id)
                .cloned()
                .ok_or_else(|| detail(StatusCode::NOT_FOUND, "Transaction not found"))?;
            if !deposit.state.terminal() {
                return Err(detail(
                    StatusCode::BAD_REQUEST,
                    "transaction not in final state",
                ));
            }
            if let Some(url) = shared.callback_url(&deposit) {
                let amount = deposit.received.unwrap_or(deposit.amount);
                let body = shared.callback_body(&deposit, deposit.state, amount);
                let delivery = shared.delivery(url, body, true);
                tokio::spawn(Arc::clone(&shared.courier).run(delivery, CallbackPlan::Normal));
            }
            Ok(Reply::json(object(&[(
                "status",
                J::S("SUCCESS".to_owned()),
            )])))
        })();
        match result {
            Ok(reply) | Err(reply) => reply,
        }
    })
    .await
}

async fn get_balance(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    with_faults(&shared, Op::Balance, |shared| {
        if let Err(reply) = authenticate(shared, &headers, true) {
            return reply;
        }
        let total: i64 = shared
            .lock()
            .deposits
            .values()
            .filter_map(|d| {
                let received = d.received?.as_satang();
                Some(received - received * shared.config.mdr_bp / 10_000)
            })
            .sum();
        Reply::json(object(&[
            (
                "current_deposit_balance",
                J::Raw(Satang::new(total).to_baht_string()),
            ),
            ("current_withdraw_balance", J::Raw("0.0".to_owned())),
        ]))
    })
    .await
}

async fn qr_png(State(shared): State<Arc<Shared>>, Path(file): Path<String>) -> Response {
    let ref_id = file.trim_end_matches(".png");
    let deposit = shared.find(&shared.lock(), ref_id);
    match deposit {
        Some(d) => (
            [(header::CONTENT_TYPE, "image/png")],
            payments::promptpay_png(&shared.config.promptpay_id, d.amount),
        )
            .into_response(),
        None => detail(StatusCode::NOT_FOUND, "Not Found").into_response(),
    }
}

async fn deposit_page(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let deposit = shared.find(&shared.lock(), &id);
    match deposit {
        Some(d) => Html(payments::pay_page(
            "Deposit-QR — ฝากเงิน",
            &format!(
                "{} · order {} · {} บาท · {}",
                d.ref_id,
                d.order_id,
                d.amount.to_baht_string(),
                d.state.wire()
            ),
            &[(&format!("/deposit/{}/pay", d.ref_id), "โอนแล้ว (pay)")],
        ))
        .into_response(),
        None => detail(StatusCode::NOT_FOUND, "Not Found").into_response(),
    }
}

#[derive(serde::Deserialize)]
struct StatementBody {
    from_acc: String,
    /// Baht, e.g. "100.01".
    amount: String,
}

async fn statement_route(
    State(shared): State<Arc<Shared>>,
    axum::Json(body): axum::Json<StatementBody>,
) -> (StatusCode, String) {
    let result = Satang::parse_baht(&body.amount)
        .map_err(|e| e.to_string())
        .and_then(|amount| shared.statement(&body.from_acc, amount));
    match result {
        Ok(ref_id) => (
            StatusCode::OK,
            object(&[("ok", J::Raw("true".to_owned())), ("ref_id", J::S(ref_id))]),
        ),
        Err(error) => (StatusCode::BAD_REQUEST, object(&[("error", J::S(error))])),
    }
}

async fn deposit_pay(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let _ = shared.settle(&id, DepositState::AutoSuccess, None);
    Redirect::to(&format!("/deposit/{id}")).into_response()
}
