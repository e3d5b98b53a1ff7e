//! The Easysoft TOPUP v2 simulator: one form-POST endpoint answering `<TOPUP>` XML, as
//! `../shared/providers/easysoft.md` documents it.
//!
//! A refill is accepted with an `ORDERID` (wallet debited `cash − DISCOUNT` at once) and decided
//! after [`EasysoftConfig::result_delay`] (≥ 10 s for real): `STATUS_REFILL=1`, or
//! `STATUS_CANCEL=1` with the debit re-credited. `mobile=return` cancels a pending order after
//! [`EasysoftConfig::cancel_delay`] or reverses a successful one after
//! [`EasysoftConfig::reversal_delay`]. When the account has a callback URL (a back-office
//! setting, so `/_sim/callback_url` here), each terminal change is POSTed to it.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde::Serialize;
use termdee_domain::Satang;

use crate::callback::{Ack, Courier, Delivery};
use crate::controls::{CallbackPlan, Controls, ExecutionKind, Fault, Op, Outcome, RandomFaults};
use crate::server::{self, field, Before, Reply, Running, Wallets};

/// `DETAIL` texts. The real list is unknown `[U]`; these are invented except
/// [`detail::INVALID_DATA`], which is the seed document's own example.
pub mod detail {
    /// Wrong username or password (invented).
    pub const BAD_LOGIN: &str = "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง";
    /// Invalid data (from the seed document).
    pub const INVALID_DATA: &str = "ข้อมูลไม่ถูกต้อง";
    /// Insufficient balance (invented).
    pub const INSUFFICIENT: &str = "ยอดเงินคงเหลือไม่เพียงพอ";
    /// The network is closed (invented).
    pub const NETWORK_CLOSED: &str = "เครือข่ายนี้ปิดให้บริการชั่วคราว";
    /// Invalid phone number (invented).
    pub const BAD_NUMBER: &str = "หมายเลขโทรศัพท์ไม่ถูกต้อง";
    /// Invalid amount (invented).
    pub const BAD_AMOUNT: &str = "จำนวนเงินไม่ถูกต้อง";
    /// Unknown order (invented).
    pub const NO_ORDER: &str = "ไม่พบรายการ";
    /// Duplicate client `orderid`, when honoured (invented).
    pub const DUPLICATE: &str = "รหัสทำรายการซ้ำ";
    /// Already cancelled (invented).
    pub const ALREADY_CANCELLED: &str = "รายการนี้ถูกยกเลิกแล้ว";
    /// IP not allowed (invented; Easysoft documents no whitelist).
    pub const IP_NOT_ALLOWED: &str = "IP นี้ไม่ได้รับอนุญาต";
    /// System error (invented).
    pub const SYSTEM_ERROR: &str = "ระบบขัดข้อง กรุณาลองใหม่อีกครั้ง";
    /// Top-up done (invented callback `detail`).
    pub const DONE: &str = "เติมเงินสำเร็จ";
    /// Top-up cancelled (invented callback `detail`).
    pub const CANCELLED: &str = "ยกเลิกรายการแล้ว";
}

/// Network codes 1–7 and their `online=1` element names.
pub const NETWORKS: [&str; 7] = ["AIS", "DTAC", "TRUE", "TOT", "MY", "FEELS", "PENGUIN"];

/// An Easysoft agent account.
#[derive(Debug, Clone)]
pub struct EasysoftAccount {
    /// Login name.
    pub username: String,
    /// Plain-text password.
    pub password: String,
    /// Wallet balance.
    pub balance: Satang,
    /// The back-office "URL ตอบกลับผลการเติมเงิน"; `None` sends no callbacks.
    pub callback_url: Option<String>,
}

impl EasysoftAccount {
    /// The demo account: `demo` / `demo1234`, 10,000 THB, no callback URL.
    pub fn demo() -> Self {
        EasysoftAccount {
            username: "demo".to_owned(),
            password: "demo1234".to_owned(),
            balance: Satang::new(1_000_000),
            callback_url: None,
        }
    }
}

/// `[U]` What the callback's `realamount` carries: the doc labels it both ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RealAmount {
    /// The amount deducted for the order (as `update`'s `REALAMOUNT`). Default.
    Deducted,
    /// The remaining balance (the callback table's label).
    Remaining,
}

/// `[U]` What reply acknowledges an Easysoft callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EasysoftAck {
    /// Any 2xx. Default.
    Http2xx,
    /// A 2xx with exactly this body.
    Body(String),
}

/// Everything an Easysoft simulator is started with; `[U]` marks switches for unknowns.
#[derive(Debug, Clone)]
pub struct EasysoftConfig {
    /// Where to listen.
    pub addr: SocketAddr,
    /// The accounts.
    pub accounts: Vec<EasysoftAccount>,
    /// Refill → result (real: at least 10 s).
    pub result_delay: Duration,
    /// `return` on a pending order → cancelled (real: at least 1 min).
    pub cancel_delay: Duration,
    /// `return` on a successful order → reversed (real: 6–24 h; default 2 min).
    pub reversal_delay: Duration,
    /// Open/closed per network 1–7.
    pub networks_open: [bool; 7],
    /// Discount per network in basis points; `DISCOUNT` is reported in THB `[U]`.
    pub discount_bp: [i64; 7],
    /// Allowed `cash` values.
    pub denominations: Vec<Satang>,
    /// Phone numbers ending with this always fail (cancelled, re-credited).
    pub failing_number_suffix: String,
    /// `[U]` Start replies with `<?xml version="1.0" encoding="..."?>` (default false).
    pub xml_declaration: bool,
    /// `[U]` Encode replies in TIS-620 instead of UTF-8 (default false).
    pub tis620: bool,
    /// `[U]` Honour a client `orderid` on refill as an idempotency key (default false:
    /// ignored, a re-send tops up again). When on, a repeated `orderid` is refused with
    /// `DETAIL` [`detail::DUPLICATE`] and nothing moves.
    pub honour_client_orderid: bool,
    /// `[U]` The callback acknowledgement (default any 2xx).
    pub callback_ack: EasysoftAck,
    /// `[U]` Callback re-sends (default none: one attempt, logged).
    pub callback_schedule: Vec<Duration>,
    /// `[U]` Whether the later cancel/reversal result is also pushed (default true).
    pub callback_on_cancel: bool,
    /// `[U]` Send the callback as a JSON object instead of a urlencoded form (default false).
    pub callback_json: bool,
    /// `[U]` Report `DISCOUNT` as a percent (e.g. `3.00`) instead of THB (default false: THB).
    pub discount_percent: bool,
    /// `[U]` What `realamount` means in the callback.
    pub callback_realamount: RealAmount,
    /// Timeout of one callback POST.
    pub callback_timeout: Duration,
    /// Longest an out-of-order callback waits for the next one.
    pub callback_park_limit: Duration,
    /// Seeded random faults.
    pub random: Option<RandomFaults>,
}

impl Default for EasysoftConfig {
    fn default() -> Self {
        EasysoftConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            accounts: vec![EasysoftAccount::demo()],
            result_delay: Duration::from_secs(10),
            cancel_delay: Duration::from_secs(60),
            reversal_delay: Duration::from_secs(120),
            networks_open: [true; 7],
            discount_bp: [300; 7],
            denominations: [
                10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 150, 200, 300, 500, 1000,
            ]
            .map(|b| Satang::new(b * 100))
            .to_vec(),
            failing_number_suffix: "0004".to_owned(),
            xml_declaration: false,
            tis620: false,
            honour_client_orderid: false,
            callback_ack: EasysoftAck::Http2xx,
            callback_schedule: Vec::new(),
            callback_on_cancel: true,
            callback_realamount: RealAmount::Deducted,
            callback_json: false,
            discount_percent: false,
            callback_timeout: Duration::from_secs(10),
            callback_park_limit: Duration::from_secs(30),
            random: None,
        }
    }
}

impl EasysoftConfig {
    /// For tests: results after 20 ms, cancel and reversal after 20 ms.
    pub fn fast() -> Self {
        EasysoftConfig {
            result_delay: Duration::from_millis(20),
            cancel_delay: Duration::from_millis(20),
            reversal_delay: Duration::from_millis(20),
            callback_timeout: Duration::from_secs(2),
            callback_park_limit: Duration::from_secs(2),
            ..EasysoftConfig::default()
        }
    }
}

/// A simulated Easysoft order.
#[derive(Debug, Clone, Serialize)]
pub struct EasysoftOrder {
    /// `ORDERID`.
    pub orderid: String,
    /// The client's `orderid`, when sent.
    pub client_orderid: Option<String>,
    /// The account.
    pub username: String,
    /// `users` (kiosk id; defaults to the username).
    pub users: String,
    /// Network code 1–7.
    pub network: u8,
    /// Phone number.
    pub number: String,
    /// `cash`.
    pub cash: Satang,
    /// `DISCOUNT`.
    pub discount: Satang,
    /// Debited (`REALAMOUNT`).
    pub realamount: Satang,
    /// `STATUS_REFILL`.
    pub status_refill: u8,
    /// `STATUS_CANCEL`.
    pub status_cancel: u8,
    /// A `return` was requested.
    pub return_requested: bool,
}

#[derive(Debug)]
struct Book {
    accounts: Vec<EasysoftAccount>,
    orders: BTreeMap<u64, EasysoftOrder>,
    next_id: u64,
}

#[derive(Debug)]
struct Shared {
    config: EasysoftConfig,
    book: Mutex<Book>,
    controls: Arc<Controls>,
    courier: Arc<Courier>,
}

/// The paths the endpoint answers on (doc table, doc "test" URL, doc sample code).
pub const PATHS: [&str; 3] = [
    "/topup/api/v2.php",
    "/topup/api/v2test.php",
    "/topup/v2.php",
];

/// A running Easysoft simulator. Stops when dropped.
#[derive(Debug)]
pub struct EasysoftSim {
    shared: Arc<Shared>,
    running: Running,
}

impl EasysoftSim {
    /// Binds and starts serving.
    pub async fn start(config: EasysoftConfig) -> std::io::Result<EasysoftSim> {
        let controls = Arc::new(Controls::new(config.random.clone()));
        let courier = Arc::new(Courier::new(
            Arc::clone(&controls),
            config.callback_timeout,
            config.callback_park_limit,
        ));
        let shared = Arc::new(Shared {
            book: Mutex::new(Book {
                accounts: config.accounts.clone(),
                orders: BTreeMap::new(),
                next_id: 123_456,
            }),
            config,
            controls: Arc::clone(&controls),
            courier,
        });
        let mut api = Router::new();
        for path in PATHS {
            api = api.route(path, post(endpoint));
        }
        let wallets: Arc<dyn Wallets> = Arc::new(EasysoftWallets(Arc::clone(&shared)));
        let router = api
            .with_state(Arc::clone(&shared))
            .merge(server::control_routes(Arc::clone(&controls), wallets))
            .layer(axum::middleware::from_fn_with_state(
                controls,
                server::network_gate,
            ));
        let running = server::serve(shared.config.addr, router).await?;
        Ok(EasysoftSim { shared, running })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.running.addr)
    }

    /// The production-style endpoint URL, `<base>/topup/v2.php`.
    pub fn url(&self) -> String {
        format!("{}/topup/v2.php", self.base_url())
    }

    /// Scripting and records.
    pub fn controls(&self) -> &Controls {
        &self.shared.controls
    }

    /// Sets an account's balance.
    pub fn set_balance(&self, username: &str, balance: Satang) -> bool {
        self.shared.set_balance(Some(username), balance)
    }

    /// An account's balance.
    pub fn balance(&self, username: &str) -> Option<Satang> {
        self.shared
            .lock()
            .accounts
            .iter()
            .find(|a| a.username == username)
            .map(|a| a.balance)
    }

    /// Sets (or clears) an account's callback URL.
    pub fn set_callback_url(&self, username: &str, url: Option<String>) -> bool {
        self.shared.set_callback_url(Some(username), url)
    }

    /// Every order so far.
    pub fn orders(&self) -> Vec<EasysoftOrder> {
        self.shared.lock().orders.values().cloned().collect()
    }

    /// The first account's credentials and the endpoint, as `termdee sim` prints them.
    pub fn describe(&self) -> serde_json::Value {
        let account = self.shared.config.accounts.first();
        serde_json::json!({
            "base_url": self.base_url(),
            "api_url": self.url(),
            "username": account.map(|a| a.username.clone()),
            "password": account.map(|a| a.password.clone()),
        })
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn account_mut<'a>(
        book: &'a mut Book,
        username: Option<&str>,
    ) -> Option<&'a mut EasysoftAccount> {
        match username {
            Some(name) => book.accounts.iter_mut().find(|a| a.username == name),
            None => book.accounts.first_mut(),
        }
    }

    fn set_balance(&self, username: Option<&str>, balance: Satang) -> bool {
        let mut book = self.lock();
        Shared::account_mut(&mut book, username)
            .map(|a| a.balance = balance)
            .is_some()
    }

    fn set_callback_url(&self, username: Option<&str>, url: Option<String>) -> bool {
        let mut book = self.lock();
        Shared::account_mut(&mut book, username)
            .map(|a| a.callback_url = url)
            .is_some()
    }
}

#[derive(Debug)]
struct EasysoftWallets(Arc<Shared>);

impl Wallets for EasysoftWallets {
    fn set_balance(&self, username: Option<&str>, balance: Satang) -> bool {
        self.0.set_balance(username, balance)
    }

    fn set_callback_url(&self, username: Option<&str>, url: Option<String>) -> bool {
        self.0.set_callback_url(username, url)
    }

    fn snapshot(&self) -> serde_json::Value {
        let book = self.0.lock();
        let balances: BTreeMap<&str, String> = book
            .accounts
            .iter()
            .map(|a| (a.username.as_str(), a.balance.to_baht_string()))
            .collect();
        let orders: Vec<&EasysoftOrder> = book.orders.values().collect();
        serde_json::json!({"balances": balances, "orders": orders})
    }
}

// ---------------------------------------------------------------------------------------------
// Wire

/// Encodes text as TIS-620: ASCII as is, Thai U+0E01–U+0E5B to 0xA1–0xFB, others as `?`.
pub fn tis620(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c as u32 {
            code @ 0..=0x7F => code as u8,
            code @ 0x0E01..=0x0E5B => (code - 0x0E00 + 0xA0) as u8,
            _ => b'?',
        })
        .collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

impl Shared {
    fn xml(&self, elements: &[(&str, String)]) -> Reply {
        let mut text = String::new();
        if self.config.xml_declaration {
            let encoding = if self.config.tis620 {
                "TIS-620"
            } else {
                "UTF-8"
            };
            text.push_str(&format!("<?xml version=\"1.0\" encoding=\"{encoding}\"?>"));
        }
        text.push_str("<TOPUP>");
        for (name, value) in elements {
            text.push_str(&format!("<{name}>{}</{name}>", escape(value)));
        }
        text.push_str("</TOPUP>");
        if self.config.tis620 {
            Reply::new("text/xml; charset=TIS-620", tis620(&text))
        } else {
            Reply::new("text/xml; charset=UTF-8", text)
        }
    }

    fn fail(&self, detail: &str) -> Reply {
        self.xml(&[("STATUS", "0".to_owned()), ("DETAIL", detail.to_owned())])
    }
}

fn money(amount: Satang) -> String {
    amount.to_baht_string()
}

async fn endpoint(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let fields = server::read_fields(content_type, &body);
    let op = match (
        field(&fields, "mobile"),
        field(&fields, "amount"),
        field(&fields, "online"),
    ) {
        (Some("refill"), _, _) => Op::Order,
        (Some("update"), _, _) => Op::Query,
        (Some("return"), _, _) => Op::Refund,
        (None, Some("1"), _) => Op::Balance,
        _ => Op::Other,
    };
    let fault = match server::before(&shared.controls, op).await {
        Before::Answer(response) => return response,
        Before::Refuse(fault) => {
            let detail = match fault {
                Fault::InsufficientBalance => detail::INSUFFICIENT,
                Fault::IpNotAllowed => detail::IP_NOT_ALLOWED,
                _ => detail::SYSTEM_ERROR,
            };
            return shared.fail(detail).into_response();
        }
        Before::Execute(fault) => fault,
    };
    let reply = match authenticate(&shared, &fields) {
        Err(reply) => reply,
        Ok(username) => match op {
            Op::Order => refill(&shared, &username, &fields).await,
            Op::Query => update(&shared, &username, &fields),
            Op::Refund => cancel(&shared, &username, &fields),
            Op::Balance => balance(&shared, &username),
            _ if field(&fields, "online") == Some("1") && field(&fields, "mobile").is_none() => {
                online(&shared)
            }
            _ => shared.fail(detail::INVALID_DATA),
        },
    };
    server::after(fault, reply, shared.fail(detail::SYSTEM_ERROR)).await
}

fn authenticate(shared: &Shared, fields: &[(String, String)]) -> Result<String, Reply> {
    let username = field(fields, "username").unwrap_or("");
    let password = field(fields, "password").unwrap_or("");
    let book = shared.lock();
    match book.accounts.iter().find(|a| a.username == username) {
        Some(account) if !password.is_empty() && account.password == password => {
            Ok(account.username.clone())
        }
        _ => Err(shared.fail(detail::BAD_LOGIN)),
    }
}

fn balance(shared: &Shared, username: &str) -> Reply {
    let balance = shared
        .lock()
        .accounts
        .iter()
        .find(|a| a.username == username)
        .map(|a| a.balance);
    shared.xml(&[
        ("STATUS", "1".to_owned()),
        ("AMOUNT", money(balance.unwrap_or(Satang::ZERO))),
    ])
}

fn online(shared: &Shared) -> Reply {
    let mut elements = vec![("STATUS", "1".to_owned())];
    for (name, open) in NETWORKS.iter().zip(shared.config.networks_open) {
        elements.push((name, if open { "1" } else { "0" }.to_owned()));
    }
    shared.xml(&elements)
}

async fn refill(shared: &Arc<Shared>, username: &str, fields: &[(String, String)]) -> Reply {
    let config = &shared.config;
    let network: u8 = match field(fields, "network").and_then(|n| n.trim().parse().ok()) {
        Some(n @ 1..=7) => n,
        _ => return shared.fail(detail::INVALID_DATA),
    };
    if !config.networks_open[usize::from(network - 1)] {
        return shared.fail(detail::NETWORK_CLOSED);
    }
    let number = field(fields, "number").unwrap_or("").trim().to_owned();
    if number.len() != 10 || !number.starts_with('0') || !number.chars().all(|c| c.is_ascii_digit())
    {
        return shared.fail(detail::BAD_NUMBER);
    }
    let cash = match Satang::parse_baht(field(fields, "cash").unwrap_or("")) {
        Ok(cash) if config.denominations.contains(&cash) => cash,
        _ => return shared.fail(detail::BAD_AMOUNT),
    };
    let client_orderid = field(fields, "orderid")
        .filter(|o| !o.is_empty())
        .map(str::to_owned);
    let users = field(fields, "users")
        .filter(|u| !u.is_empty())
        .unwrap_or(username)
        .to_owned();
    let discount =
        Satang::new(cash.as_satang() * config.discount_bp[usize::from(network - 1)] / 10_000);
    let realamount = Satang::new(cash.as_satang() - discount.as_satang());
    let order = {
        let mut book = shared.lock();
        if config.honour_client_orderid {
            if let Some(key) = &client_orderid {
                let seen = book
                    .orders
                    .values()
                    .any(|o| o.username == username && o.client_orderid.as_ref() == Some(key));
                if seen {
                    drop(book);
                    return shared.fail(detail::DUPLICATE);
                }
            }
        }
        let Some(account) = book.accounts.iter_mut().find(|a| a.username == username) else {
            drop(book);
            return shared.fail(detail::BAD_LOGIN);
        };
        if account.balance < realamount {
            drop(book);
            return shared.fail(detail::INSUFFICIENT);
        }
        account.balance = Satang::new(account.balance.as_satang() - realamount.as_satang());
        let balance_after = account.balance;
        let id = book.next_id;
        book.next_id += 1;
        let order = EasysoftOrder {
            orderid: id.to_string(),
            client_orderid: client_orderid
                .clone()
                .filter(|_| config.honour_client_orderid),
            username: username.to_owned(),
            users,
            network,
            number,
            cash,
            discount,
            realamount,
            status_refill: 0,
            status_cancel: 0,
            return_requested: false,
        };
        book.orders.insert(id, order.clone());
        let key = order
            .client_orderid
            .clone()
            .unwrap_or_else(|| order.orderid.clone());
        shared.controls.record_execution(
            ExecutionKind::Debit,
            &key,
            &order.orderid,
            username,
            realamount,
            balance_after,
        );
        order
    };
    let discount_text = if config.discount_percent {
        money(Satang::new(config.discount_bp[usize::from(network - 1)]))
    } else {
        money(order.discount)
    };
    let reply = shared.xml(&[
        ("STATUS", "1".to_owned()),
        ("ORDERID", order.orderid.clone()),
        ("DISCOUNT", discount_text),
    ]);
    let fate = shared.controls.next_fate();
    let suffix = config.failing_number_suffix.as_str();
    let outcome = fate
        .outcome
        .unwrap_or(if !suffix.is_empty() && order.number.ends_with(suffix) {
            Outcome::Failure
        } else {
            Outcome::Success
        });
    let id: u64 = order.orderid.parse().unwrap_or(0);
    if fate.callback == CallbackPlan::BeforeReply {
        if let Some(delivery) = decide(shared, id, outcome, Step::Result) {
            shared.courier.first_then_rest(delivery).await;
        }
        return reply;
    }
    let delay = fate
        .result_delay_ms
        .map(Duration::from_millis)
        .unwrap_or(config.result_delay);
    let shared = Arc::clone(shared);
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        if let Some(delivery) = decide(&shared, id, outcome, Step::Result) {
            Arc::clone(&shared.courier)
                .run(delivery, fate.callback)
                .await;
        }
    });
    reply
}

/// Which decision is being applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The refill's own result.
    Result,
    /// A `return` requested while pending: cancels only if still pending.
    CancelPending,
    /// A `return` requested after success: reverses.
    Reverse,
}

/// Applies a result to an order; the callback to send (if a URL is set and something changed).
fn decide(shared: &Shared, id: u64, outcome: Outcome, step: Step) -> Option<Delivery> {
    let from_return = step != Step::Result;
    let mut book = shared.lock();
    let order = book.orders.get_mut(&id)?;
    let kind = match (order.status_refill, order.status_cancel, outcome) {
        (0, 0, Outcome::Success) => {
            order.status_refill = 1;
            None
        }
        (0, 0, Outcome::Failure) => {
            order.status_cancel = 1;
            Some(ExecutionKind::ReCredit)
        }
        (1, 0, Outcome::Failure) if step == Step::Reverse => {
            order.status_cancel = 1;
            Some(ExecutionKind::Reversal)
        }
        _ => return None,
    };
    let order = order.clone();
    let account = book
        .accounts
        .iter_mut()
        .find(|a| a.username == order.username)?;
    if let Some(kind) = kind {
        account.balance = Satang::new(account.balance.as_satang() + order.realamount.as_satang());
        let key = order
            .client_orderid
            .clone()
            .unwrap_or_else(|| order.orderid.clone());
        shared.controls.record_execution(
            kind,
            &key,
            &order.orderid,
            &order.username,
            order.realamount,
            account.balance,
        );
    }
    if from_return && !shared.config.callback_on_cancel {
        return None;
    }
    let url = account.callback_url.clone()?;
    let realamount = match shared.config.callback_realamount {
        RealAmount::Deducted => order.realamount,
        RealAmount::Remaining => account.balance,
    };
    let text = if order.status_cancel == 1 {
        detail::CANCELLED
    } else {
        detail::DONE
    };
    Some(Delivery {
        url,
        form: vec![
            ("orderid".to_owned(), order.orderid.clone()),
            ("status_refill".to_owned(), order.status_refill.to_string()),
            ("status_cancel".to_owned(), order.status_cancel.to_string()),
            ("realamount".to_owned(), money(realamount)),
            ("detail".to_owned(), text.to_owned()),
        ],
        ack: match &shared.config.callback_ack {
            EasysoftAck::Http2xx => Ack::Http2xx,
            EasysoftAck::Body(text) => Ack::Http2xxBody(text.clone()),
        },
        schedule: shared.config.callback_schedule.clone(),
        stop_on: None,
        json: shared.config.callback_json,
        raw_json: None,
    })
}

fn find_order(
    shared: &Shared,
    username: &str,
    fields: &[(String, String)],
) -> Option<EasysoftOrder> {
    let id: u64 = field(fields, "orderid")?.trim().parse().ok()?;
    let book = shared.lock();
    book.orders
        .get(&id)
        .filter(|o| o.username == username)
        .cloned()
}

fn update(shared: &Shared, username: &str, fields: &[(String, String)]) -> Reply {
    let Some(order) = find_order(shared, username, fields) else {
        return shared.fail(detail::NO_ORDER);
    };
    let balance = shared
        .lock()
        .accounts
        .iter()
        .find(|a| a.username == username)
        .map(|a| a.balance);
    shared.xml(&[
        ("STATUS", "1".to_owned()),
        ("AMOUNT", money(balance.unwrap_or(Satang::ZERO))),
        ("REALAMOUNT", money(order.realamount)),
        ("STATUS_REFILL", order.status_refill.to_string()),
        ("STATUS_CANCEL", order.status_cancel.to_string()),
    ])
}

fn cancel(shared: &Arc<Shared>, username: &str, fields: &[(String, String)]) -> Reply {
    let Some(order) = find_order(shared, username, fields) else {
        return shared.fail(detail::NO_ORDER);
    };
    if order.status_cancel == 1 {
        return shared.fail(detail::ALREADY_CANCELLED);
    }
    let id: u64 = order.orderid.parse().unwrap_or(0);
    {
        let mut book = shared.lock();
        let Some(stored) = book.orders.get_mut(&id) else {
            drop(book);
            return shared.fail(detail::NO_ORDER);
        };
        if stored.return_requested {
            drop(book);
            return shared.xml(&[("STATUS", "1".to_owned())]);
        }
        stored.return_requested = true;
    }
    let (delay, step) = if order.status_refill == 1 {
        (shared.config.reversal_delay, Step::Reverse)
    } else {
        (shared.config.cancel_delay, Step::CancelPending)
    };
    let task = Arc::clone(shared);
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        if let Some(delivery) = decide(&task, id, Outcome::Failure, step) {
            Arc::clone(&task.courier)
                .run(delivery, CallbackPlan::Normal)
                .await;
        }
    });
    shared.xml(&[("STATUS", "1".to_owned())])
}
