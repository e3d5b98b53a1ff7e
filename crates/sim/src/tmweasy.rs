//! The Tmweasy Mae Manee simulator: `GET /api_mn.php?method=create_pay|detail_pay|confirm|cancel`
//! as `../shared/providers/tmweasy.md` documents it (also served at `/api_pph.php` and
//! `/apipp.php`, with the same behaviour).
//!
//! Pull only: there is no callback. A bill lives `ttl` seconds on the simulated clock;
//! `detail_pay` reports `time_out` = remaining seconds (negative once expired); `confirm` answers
//! `status=1` once the customer paid (control [`TmweasySim::pay`], `POST /_sim/pay`, or the
//! hosted bill page `GET /maemanee/bill/{id_pay}`); `cancel` succeeds only after expiry.
//!
//! Faults: [`Op::Order`] is `create_pay`, [`Op::Query`] is `detail_pay` and `confirm`,
//! [`Op::Other`] is `cancel` and the connection check. A refusal fault answers `status=0` with
//! the invented "API credit exhausted" text; `ExecuteThenError` creates the bill, then answers
//! `status=0`.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;
use termdee_domain::Satang;

use crate::controls::{Controls, ExecutionKind, Op, Outcome, RandomFaults};
use crate::payments::{self, object, Customer, Forgery, SimClock, J};
use crate::server::{self, Before, Reply, Running, Wallets};

/// A Tmweasy account with Mae Manee enabled.
#[derive(Debug, Clone)]
pub struct TmweasyAccount {
    /// `username` (alias `tmweasy_user`).
    pub username: String,
    /// `password`.
    pub password: String,
    /// `con_id` (alias `conid`).
    pub con_id: String,
}

impl TmweasyAccount {
    /// The demo account `termdee sim` prints: `demo` / `demo1234`, con_id `100001`.
    pub fn demo() -> Self {
        TmweasyAccount {
            username: "demo".to_owned(),
            password: "demo1234".to_owned(),
            con_id: "100001".to_owned(),
        }
    }
}

/// Everything a Tmweasy simulator is started with; `[U]` fields are switches for unknowns.
#[derive(Debug, Clone)]
pub struct TmweasyConfig {
    /// Where to listen (port 0 picks a free one).
    pub addr: SocketAddr,
    /// The accounts.
    pub accounts: Vec<TmweasyAccount>,
    /// `[U]` The bill lifetime (default 600 s, as the pph sibling's example).
    pub ttl: Duration,
    /// The merchant's PromptPay id the QR picture pays (a mobile number or 13-digit id).
    pub promptpay_id: String,
    /// `[U]` Send `status` as the string `"1"`/`"0"` instead of a number (default false).
    pub status_as_string: bool,
    /// `[U]` A second `confirm` after a successful one repeats `status=1` (default true);
    /// false answers `status=0` "already confirmed".
    pub repeat_confirm: bool,
    /// `[U]` A payment after expiry is accepted and reported by `confirm` (default true).
    pub accept_late_payment: bool,
    /// The banks' maintenance window (00:00–02:00): while on, `confirm` answers `status=0`
    /// whatever the bill's state. Also settable with [`TmweasySim::set_maintenance`].
    pub maintenance: bool,
    /// Delay before a bill whose fate is `Outcome::Success` is paid by itself.
    pub auto_pay_delay: Duration,
    /// Seeded random faults, if any.
    pub random: Option<RandomFaults>,
}

impl Default for TmweasyConfig {
    fn default() -> Self {
        TmweasyConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            accounts: vec![TmweasyAccount::demo()],
            ttl: Duration::from_secs(600),
            promptpay_id: "0812345678".to_owned(),
            status_as_string: false,
            repeat_confirm: true,
            accept_late_payment: true,
            maintenance: false,
            auto_pay_delay: Duration::from_secs(5),
            random: None,
        }
    }
}

impl TmweasyConfig {
    /// A configuration for tests: scripted auto-payments after 20 ms.
    pub fn fast() -> Self {
        TmweasyConfig {
            auto_pay_delay: Duration::from_millis(20),
            ..TmweasyConfig::default()
        }
    }
}

/// Where a bill stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TmweasyState {
    /// Created, not paid (may be past its `time_out`).
    Awaiting,
    /// The customer paid.
    Paid,
    /// Cancelled after expiry.
    Cancelled,
}

/// A simulated Mae Manee bill.
#[derive(Debug, Clone, Serialize)]
pub struct TmweasyBill {
    /// `id_pay`.
    pub id_pay: String,
    /// The account.
    pub username: String,
    /// `ref1`.
    pub ref1: String,
    /// The amount asked for (whole baht).
    pub amount: Satang,
    /// The amount paid, once paid.
    pub paid_amount: Option<Satang>,
    /// The state.
    pub state: TmweasyState,
    /// Simulated-clock time of creation.
    #[serde(skip)]
    pub created: Duration,
    /// Forced expiry (control).
    pub expired_by_control: bool,
    /// Number of `confirm` calls that answered `status=1`.
    pub confirmations: u32,
}

#[derive(Debug)]
struct Book {
    bills: BTreeMap<u64, TmweasyBill>,
    next_id: u64,
    maintenance: bool,
}

#[derive(Debug)]
struct Shared {
    config: TmweasyConfig,
    book: Mutex<Book>,
    controls: Arc<Controls>,
    clock: SimClock,
    base_url: Mutex<String>,
}

/// A running Tmweasy simulator. Stops when dropped.
#[derive(Debug)]
pub struct TmweasySim {
    shared: Arc<Shared>,
    running: Running,
}

impl TmweasySim {
    /// Binds and starts serving.
    pub async fn start(config: TmweasyConfig) -> std::io::Result<TmweasySim> {
        let controls = Arc::new(Controls::new(config.random.clone()));
        let shared = Arc::new(Shared {
            book: Mutex::new(Book {
                bills: BTreeMap::new(),
                next_id: 123_456,
                maintenance: config.maintenance,
            }),
            config,
            controls: Arc::clone(&controls),
            clock: SimClock::new(),
            base_url: Mutex::new(String::new()),
        });
        let api = Router::new()
            .route("/api_mn.php", get(api))
            .route("/api_pph.php", get(api))
            .route("/apipp.php", get(api))
            .route("/maemanee/bill/{id}", get(bill_page))
            .route("/maemanee/bill/{id}/pay", post(bill_pay))
            .with_state(Arc::clone(&shared));
        let wallets: Arc<dyn Wallets> = Arc::new(TmweasyWallets(Arc::clone(&shared)));
        let customer: Arc<dyn Customer> = Arc::new(TmweasyWallets(Arc::clone(&shared)));
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
        Ok(TmweasySim { shared, running })
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

    /// The customer pays bill `id_pay` (the full amount, or `amount`).
    pub fn pay(&self, id_pay: &str, amount: Option<Satang>) -> Result<(), String> {
        self.shared.pay(id_pay, amount)
    }

    /// Bill `id_pay` expires now.
    pub fn expire(&self, id_pay: &str) -> Result<(), String> {
        self.shared.expire(id_pay)
    }

    /// Moves the simulated clock forward.
    pub fn advance(&self, by: Duration) {
        self.shared.clock.advance(by);
    }

    /// Turns the banks' maintenance window on or off (`confirm` always `status=0` while on).
    pub fn set_maintenance(&self, on: bool) {
        self.shared.lock().maintenance = on;
    }

    /// Every bill so far.
    pub fn bills(&self) -> Vec<TmweasyBill> {
        self.shared.lock().bills.values().cloned().collect()
    }

    /// Base URL, API URL, the demo credentials and the "customer paid" control, as JSON.
    pub fn describe(&self) -> serde_json::Value {
        let account = self.shared.config.accounts.first();
        serde_json::json!({
            "base_url": self.base_url(),
            "api_url": format!("{}/api_mn.php", self.base_url()),
            "username": account.map(|a| a.username.clone()),
            "password": account.map(|a| a.password.clone()),
            "con_id": account.map(|a| a.con_id.clone()),
            "pay_url": format!("{}/_sim/pay", self.base_url()),
            "pay_body": r#"{"id":"<id_pay>"}"#,
        })
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn time_out(&self, bill: &TmweasyBill) -> i64 {
        if bill.expired_by_control {
            return -1;
        }
        let ttl = i64::try_from(self.config.ttl.as_secs()).unwrap_or(i64::MAX);
        let elapsed = self.clock.elapsed().saturating_sub(bill.created);
        ttl - i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
    }

    fn find<'a>(book: &'a mut Book, id: &str) -> Result<&'a mut TmweasyBill, String> {
        id.trim()
            .parse::<u64>()
            .ok()
            .and_then(|id| book.bills.get_mut(&id))
            .ok_or_else(|| format!("no bill {id}"))
    }

    fn pay(&self, id: &str, amount: Option<Satang>) -> Result<(), String> {
        let mut book = self.lock();
        let bill = Self::find(&mut book, id)?.clone();
        if bill.state != TmweasyState::Awaiting {
            return Err(format!("bill {id} is {:?}", bill.state));
        }
        if self.time_out(&bill) < 0 && !self.config.accept_late_payment {
            return Err(format!("bill {id} has expired"));
        }
        let paid = amount.unwrap_or(bill.amount);
        let bill = Self::find(&mut book, id)?;
        bill.state = TmweasyState::Paid;
        bill.paid_amount = Some(paid);
        self.controls.record_execution(
            ExecutionKind::Payment,
            &bill.ref1,
            &bill.id_pay,
            &bill.username,
            paid,
            paid,
        );
        Ok(())
    }

    fn expire(&self, id: &str) -> Result<(), String> {
        let mut book = self.lock();
        Self::find(&mut book, id)?.expired_by_control = true;
        Ok(())
    }
}

#[derive(Debug)]
struct TmweasyWallets(Arc<Shared>);

impl Wallets for TmweasyWallets {
    fn set_balance(&self, _username: Option<&str>, _balance: Satang) -> bool {
        false
    }
    fn set_callback_url(&self, _username: Option<&str>, _url: Option<String>) -> bool {
        false
    }
    fn snapshot(&self) -> serde_json::Value {
        let book = self.0.lock();
        let bills: Vec<serde_json::Value> = book
            .bills
            .values()
            .map(|b| {
                let mut value = serde_json::to_value(b).unwrap_or_default();
                value["time_out"] = self.0.time_out(b).into();
                value
            })
            .collect();
        serde_json::json!({"bills": bills, "maintenance": book.maintenance})
    }
}

impl Customer for TmweasyWallets {
    fn pay(&self, id: &str, amount: Option<Satang>) -> Result<(), String> {
        self.0.pay(id, amount)
    }
    fn fail(&self, _id: &str) -> Result<(), String> {
        Err("Tmweasy has no failed state: let the bill expire".to_owned())
    }
    fn expire(&self, id: &str) -> Result<(), String> {
        self.0.expire(id)
    }
    fn advance(&self, by: Duration) {
        self.0.clock.advance(by);
    }
    fn forge(&self, _id: &str, _forgery: Forgery) -> Result<(), String> {
        Err("Tmweasy Mae Manee sends no callbacks (pull only)".to_owned())
    }
}

// ---------------------------------------------------------------------------------------------
// Wire

const MSG_CREDENTIALS: &str = "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง";
const MSG_CON_ID: &str = "ไม่พบ con_id หรือยังไม่เปิดใช้งานระบบแม่มณี";
const MSG_AMOUNT: &str = "จำนวนเงินไม่ถูกต้อง";
const MSG_UNKNOWN: &str = "ไม่พบรายการ id_pay";
const MSG_NOT_YET: &str = "ยังไม่พบยอดโอน";
const MSG_EXPIRED: &str = "หมดเวลาชำระเงิน";
const MSG_TOO_EARLY: &str = "ยังไม่หมดเวลา ไม่สามารถยกเลิกได้";
const MSG_CREDIT: &str = "เครดิตใช้งาน API หมด";
const MSG_ALREADY: &str = "รายการนี้ยืนยันไปแล้ว";
const MSG_METHOD: &str = "ไม่รู้จัก method";
const MSG_INTERNAL: &str = "ระบบขัดข้อง กรุณาลองใหม่อีกครั้ง";

type Params = BTreeMap<String, String>;

fn param<'a>(params: &'a Params, names: &[&str]) -> &'a str {
    names
        .iter()
        .find_map(|n| params.get(*n))
        .map(String::as_str)
        .unwrap_or("")
}

impl Shared {
    fn status(&self, ok: bool) -> J {
        match (ok, self.config.status_as_string) {
            (true, true) => J::S("1".to_owned()),
            (false, true) => J::S("0".to_owned()),
            (true, false) => J::Raw("1".to_owned()),
            (false, false) => J::Raw("0".to_owned()),
        }
    }

    fn error(&self, msg: &str) -> Reply {
        Reply::json(object(&[
            ("status", self.status(false)),
            ("msg", J::S(msg.to_owned())),
        ]))
    }

    fn authenticate(&self, params: &Params) -> Result<String, Reply> {
        let username = param(params, &["username", "tmweasy_user"]);
        let password = param(params, &["password"]);
        let account = self
            .config
            .accounts
            .iter()
            .find(|a| a.username == username && a.password == password)
            .ok_or_else(|| self.error(MSG_CREDENTIALS))?;
        if param(params, &["con_id", "conid"]) != account.con_id {
            return Err(self.error(MSG_CON_ID));
        }
        Ok(account.username.clone())
    }
}

async fn api(State(shared): State<Arc<Shared>>, Query(params): Query<Params>) -> Response {
    let method = param(&params, &["method"]).to_owned();
    let op = match method.as_str() {
        "create_pay" => Op::Order,
        "detail_pay" | "confirm" => Op::Query,
        _ => Op::Other,
    };
    let fault = match server::before(&shared.controls, op).await {
        Before::Answer(response) => return response,
        Before::Refuse(_) => return shared.error(MSG_CREDIT).into_response(),
        Before::Execute(fault) => fault,
    };
    let reply = match shared.authenticate(&params) {
        Err(reply) => reply,
        Ok(username) => match method.as_str() {
            "" => Reply::json(object(&[("status", shared.status(true))])),
            "create_pay" => create_pay(&shared, &params, &username),
            "detail_pay" => detail_pay(&shared, &params, &username),
            "confirm" => confirm(&shared, &params, &username),
            "cancel" => cancel(&shared, &params, &username),
            _ => shared.error(MSG_METHOD),
        },
    };
    server::after(fault, reply, shared.error(MSG_INTERNAL)).await
}

fn create_pay(shared: &Arc<Shared>, params: &Params, username: &str) -> Reply {
    let amount = param(params, &["amount"]).trim();
    let whole: Option<i64> = if amount.chars().all(|c| c.is_ascii_digit()) {
        amount.parse().ok().filter(|a| *a > 0)
    } else {
        None
    };
    let Some(amount) = whole.and_then(Satang::from_baht) else {
        return shared.error(MSG_AMOUNT);
    };
    let ref1 = param(params, &["ref1"]).to_owned();
    let fate = shared.controls.next_fate();
    let id = {
        let mut book = shared.lock();
        let id = book.next_id;
        book.next_id += 1;
        book.bills.insert(
            id,
            TmweasyBill {
                id_pay: id.to_string(),
                username: username.to_owned(),
                ref1,
                amount,
                paid_amount: None,
                state: TmweasyState::Awaiting,
                created: shared.clock.elapsed(),
                expired_by_control: false,
                confirmations: 0,
            },
        );
        id
    };
    if fate.outcome == Some(Outcome::Success) {
        let delay = fate
            .result_delay_ms
            .map(Duration::from_millis)
            .unwrap_or(shared.config.auto_pay_delay);
        let shared = Arc::clone(shared);
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let _ = shared.pay(&id.to_string(), None);
        });
    }
    Reply::json(object(&[
        ("status", shared.status(true)),
        ("id_pay", J::S(id.to_string())),
    ]))
}

fn owned_bill(shared: &Shared, params: &Params, username: &str) -> Result<TmweasyBill, Reply> {
    let mut book = shared.lock();
    match Shared::find(&mut book, param(params, &["id_pay"])) {
        Ok(bill) if bill.username == username => Ok(bill.clone()),
        _ => Err(shared.error(MSG_UNKNOWN)),
    }
}

fn detail_pay(shared: &Shared, params: &Params, username: &str) -> Reply {
    let bill = match owned_bill(shared, params, username) {
        Ok(bill) => bill,
        Err(reply) => return reply,
    };
    let base = shared
        .base_url
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let mut entries = vec![
        ("status", shared.status(true)),
        ("ref1", J::S(bill.ref1.clone())),
        ("amount", J::Raw(payments::baht_number(bill.amount))),
        (
            "urlpay",
            J::S(format!("{base}/maemanee/bill/{}", bill.id_pay)),
        ),
        ("time_out", J::Raw(shared.time_out(&bill).to_string())),
    ];
    if param(params, &["qr"]) == "1" {
        let png = payments::promptpay_png(&shared.config.promptpay_id, bill.amount);
        entries.push(("qr_base64_image", J::S(payments::b64(&png))));
    }
    Reply::json(object(&entries))
}

fn confirm(shared: &Shared, params: &Params, username: &str) -> Reply {
    let bill = match owned_bill(shared, params, username) {
        Ok(bill) => bill,
        Err(reply) => return reply,
    };
    if shared.lock().maintenance {
        return shared.error(MSG_NOT_YET);
    }
    match bill.state {
        TmweasyState::Paid => {
            if bill.confirmations > 0 && !shared.config.repeat_confirm {
                return shared.error(MSG_ALREADY);
            }
            if let Ok(stored) = Shared::find(&mut shared.lock(), &bill.id_pay) {
                stored.confirmations += 1;
            }
            Reply::json(object(&[
                ("status", shared.status(true)),
                ("ref1", J::S(bill.ref1.clone())),
                (
                    "amount",
                    J::Raw(payments::baht_number(
                        bill.paid_amount.unwrap_or(bill.amount),
                    )),
                ),
            ]))
        }
        _ if shared.time_out(&bill) < 0 => shared.error(MSG_EXPIRED),
        _ => shared.error(MSG_NOT_YET),
    }
}

fn cancel(shared: &Shared, params: &Params, username: &str) -> Reply {
    let bill = match owned_bill(shared, params, username) {
        Ok(bill) => bill,
        Err(reply) => return reply,
    };
    if bill.state == TmweasyState::Paid || shared.time_out(&bill) >= 0 {
        return shared.error(MSG_TOO_EARLY);
    }
    if let Ok(stored) = Shared::find(&mut shared.lock(), &bill.id_pay) {
        stored.state = TmweasyState::Cancelled;
    }
    Reply::json(object(&[("status", shared.status(true))]))
}

async fn bill_page(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let bill = Shared::find(&mut shared.lock(), &id).map(|b| b.clone());
    match bill {
        Ok(bill) => Html(payments::pay_page(
            "แม่มณี — ชำระเงิน",
            &format!(
                "id_pay {} · {} บาท · {:?} · time_out {}",
                bill.id_pay,
                bill.amount.to_baht_string(),
                bill.state,
                shared.time_out(&bill)
            ),
            &[(&format!("/maemanee/bill/{id}/pay"), "จ่ายเงิน (pay)")],
        ))
        .into_response(),
        Err(error) => (
            axum::http::StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            error,
        )
            .into_response(),
    }
}

async fn bill_pay(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let _ = shared.pay(&id, None);
    Redirect::to(&format!("/maemanee/bill/{id}")).into_response()
}
