//! The wePAY simulator: `POST /client_api.json.php`, `GET /comp_export.php`,
//! `POST /mtopup_refund_api.php`, as `../shared/providers/wepay.md` documents them.
//!
//! Orders are accepted with `00000` (wallet debited at once), then decided after
//! [`WepayConfig::result_delay`]: status 2 (success) or 4 (failure, `total_amount` re-credited).
//! The result is POSTed (form) to the order's `resp_url` and re-sent on the
//! [`WepayConfig::callback_schedule`] until the reply is `SUCCEED|ORDER_ID=<dest_ref>`.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use md5::{Digest, Md5};
use serde::Serialize;
use termdee_domain::Satang;

use crate::callback::{Ack, Courier, Delivery};
use crate::controls::{CallbackPlan, Controls, ExecutionKind, Fault, Op, Outcome, RandomFaults};
use crate::server::{self, field, Before, Reply, Running, Wallets};

/// A wePAY agent account.
#[derive(Debug, Clone)]
pub struct WepayAccount {
    /// Login name.
    pub username: String,
    /// The password; clients send `password_hash = md5(password)`, `password` or `md5` of it.
    pub password: String,
    /// Whitelisted caller IPs; empty allows every IP.
    pub allowed_ips: Vec<IpAddr>,
    /// Wallet balance.
    pub balance: Satang,
}

impl WepayAccount {
    /// The demo account the `termdee sim` command prints: `demo` / `demo1234`, 10,000 THB,
    /// whitelisted for 127.0.0.1 and ::1.
    pub fn demo() -> Self {
        WepayAccount {
            username: "demo".to_owned(),
            password: "demo1234".to_owned(),
            allowed_ips: vec![
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(Ipv6Addr::LOCALHOST),
            ],
            balance: Satang::new(1_000_000),
        }
    }
}

/// A mobile top-up company of the catalogue.
#[derive(Debug, Clone)]
pub struct WepayCompany {
    /// `company_id`, the `pay_to_company` value (e.g. `TRMV`).
    pub id: String,
    /// Thai display name.
    pub name: String,
    /// Smallest amount.
    pub min: Satang,
    /// Largest amount.
    pub max: Satang,
    /// Whether `mtopup_refund_api.php` accepts it.
    pub refundable: bool,
    /// Allowed `pay_to_amount` values.
    pub denominations: Vec<Satang>,
    /// Agent discount in basis points (320 = 3.2 %): `total_amount = amount − discount`.
    pub discount_bp: i64,
}

fn baht(whole: i64) -> Satang {
    Satang::new(whole * 100)
}

fn company(
    id: &str,
    name: &str,
    min: i64,
    max: i64,
    refundable: bool,
    bp: i64,
    list: Vec<Satang>,
) -> WepayCompany {
    WepayCompany {
        id: id.to_owned(),
        name: name.to_owned(),
        min: baht(min),
        max: baht(max),
        refundable,
        denominations: list,
        discount_bp: bp,
    }
}

/// The mobile top-up catalogue of the Dec 2025 snapshot (wepay.md §4.3). Only TRMV's 3.2 %
/// discount is evidenced; the others are invented (3 % for top-ups, 0 for packages).
pub fn default_catalogue() -> Vec<WepayCompany> {
    let list = |values: &[i64]| values.iter().map(|v| baht(*v)).collect::<Vec<_>>();
    let mut trmv = vec![baht(5)];
    trmv.extend((1..=100).map(|i| baht(i * 10)));
    vec![
        company(
            "12CALL",
            "เอไอเอส วัน-ทู-คอล!",
            10,
            1500,
            true,
            300,
            list(&[
                10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 150, 200, 250, 300, 350, 400, 450, 500,
                600, 700, 800, 900, 1000, 1500,
            ]),
        ),
        company(
            "HAPPY",
            "ดีแทคเติมเงิน",
            10,
            800,
            true,
            300,
            list(&[10, 20, 30, 40, 50, 60, 100, 200, 300, 500, 800]),
        ),
        company("TRMV", "ทรูมูฟเฮช", 5, 1000, true, 320, trmv),
        company(
            "MY",
            "my by NT",
            10,
            500,
            true,
            300,
            list(&[10, 20, 50, 70, 100, 200, 300, 500]),
        ),
        company(
            "12CALL-AOP",
            "เอไอเอสแพ็กเกจ",
            1,
            9999,
            false,
            0,
            vec![Satang::new(2354), Satang::new(10593)],
        ),
        company(
            "HAPPY-AOP",
            "โปรเสริมดีแทคเติมเงิน",
            1,
            10000,
            false,
            0,
            vec![
                Satang::new(28000),
                Satang::new(28001),
                Satang::new(28002),
                Satang::new(28003),
            ],
        ),
    ]
}

/// Everything a wePAY simulator is started with. Fields marked `[U]` are switches for what the
/// spec leaves unknown.
#[derive(Debug, Clone)]
pub struct WepayConfig {
    /// Where to listen (port 0 picks a free one).
    pub addr: SocketAddr,
    /// The accounts.
    pub accounts: Vec<WepayAccount>,
    /// The catalogue.
    pub catalogue: Vec<WepayCompany>,
    /// From accepted order to final status (the real service takes seconds).
    pub result_delay: Duration,
    /// From accepted refund request to the refund callback. `[U]` (default 60 s)
    pub refund_delay: Duration,
    /// Waits before each callback re-send. `[U]`: the default (1 min, 5 min, 15 min, 1 h, 6 h) is
    /// invented.
    pub callback_schedule: Vec<Duration>,
    /// Timeout of one callback POST.
    pub callback_timeout: Duration,
    /// Longest an out-of-order callback waits for the next one.
    pub callback_park_limit: Duration,
    /// `[U]` Accept any reply starting `SUCCEED` as the acknowledgement (default: strict
    /// `SUCCEED|ORDER_ID=<dest_ref>`).
    pub lenient_ack: bool,
    /// `[U]` Whether an `ERROR|...` acknowledgement makes wePAY re-send (default true).
    pub resend_on_error_ack: bool,
    /// `[U]` Whether the `30016` duplicate reply carries the original `transaction_id`
    /// (default false).
    pub duplicate_returns_transaction_id: bool,
    /// `[U]` Whether `TMVH` is accepted as an alias of `TRMV` (default false: `30001`).
    pub accept_tmvh_alias: bool,
    /// `[U]` Whether amounts within min–max but not in the denomination list are accepted
    /// (default false: `30007`).
    pub accept_unlisted_amounts: bool,
    /// `[U]` Whether the refund callback carries `status=2` (default false).
    pub refund_callback_status: bool,
    /// `[U]` Whether `get_output` also finds a transaction by `dest_ref` when no
    /// `transaction_id` is sent (default false: `30002`, no lookup by your key).
    pub lookup_by_dest_ref: bool,
    /// `[U]` Whether the plain password is still accepted in `password` (default true; the
    /// MD5 forms are always accepted).
    pub accept_plain_password: bool,
    /// Orders to phone numbers ending with this suffix always fail (status 4).
    pub failing_number_suffix: String,
    /// Seeded random faults, if any.
    pub random: Option<RandomFaults>,
}

impl Default for WepayConfig {
    fn default() -> Self {
        WepayConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            accounts: vec![WepayAccount::demo()],
            catalogue: default_catalogue(),
            result_delay: Duration::from_secs(5),
            refund_delay: Duration::from_secs(60),
            callback_schedule: [60, 300, 900, 3600, 21600]
                .map(Duration::from_secs)
                .to_vec(),
            callback_timeout: Duration::from_secs(10),
            callback_park_limit: Duration::from_secs(30),
            lenient_ack: false,
            resend_on_error_ack: true,
            duplicate_returns_transaction_id: false,
            accept_tmvh_alias: false,
            accept_unlisted_amounts: false,
            refund_callback_status: false,
            lookup_by_dest_ref: false,
            accept_plain_password: true,
            failing_number_suffix: "0004".to_owned(),
            random: None,
        }
    }
}

impl WepayConfig {
    /// A configuration for tests: results after 20 ms, callbacks re-sent after 10, 20, 40 ms.
    pub fn fast() -> Self {
        WepayConfig {
            result_delay: Duration::from_millis(20),
            refund_delay: Duration::from_millis(20),
            callback_schedule: [10, 20, 40].map(Duration::from_millis).to_vec(),
            callback_timeout: Duration::from_secs(2),
            callback_park_limit: Duration::from_secs(2),
            ..WepayConfig::default()
        }
    }
}

/// Where a wePAY transaction stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WepayStatus {
    /// Accepted, not decided (`get_output` → `30004`).
    Processing,
    /// Status 2.
    Succeeded,
    /// Status 4; the wallet was re-credited.
    Failed,
}

/// A simulated wePAY order, as the simulator holds it.
#[derive(Debug, Clone, Serialize)]
pub struct WepayTransaction {
    /// wePAY's id.
    pub transaction_id: String,
    /// The account.
    pub username: String,
    /// The merchant reference.
    pub dest_ref: String,
    /// The callback URL.
    pub resp_url: String,
    /// The company.
    pub company: String,
    /// `pay_to_amount`.
    pub amount: Satang,
    /// What was debited.
    pub total_amount: Satang,
    /// The phone number.
    pub ref1: String,
    /// The status.
    pub status: WepayStatus,
    /// Operator transaction id once succeeded.
    pub operator_trxnsid: String,
    /// Operator text.
    pub sms: String,
    /// Refund id, once a refund was requested.
    pub refund_id: Option<String>,
    /// Whether the refund was completed (wallet re-credited).
    pub refunded: bool,
}

#[derive(Debug)]
struct Book {
    accounts: Vec<WepayAccount>,
    orders: BTreeMap<String, WepayTransaction>,
    /// `(username, dest_ref)` of orders and refunds → transaction id.
    dest_refs: HashMap<(String, String), String>,
    next_id: u64,
    /// Copy of [`WepayConfig::accept_plain_password`].
    accept_plain: bool,
}

#[derive(Debug)]
struct Shared {
    config: WepayConfig,
    book: Mutex<Book>,
    controls: Arc<Controls>,
    courier: Arc<Courier>,
}

/// A running wePAY simulator. Stops when dropped.
#[derive(Debug)]
pub struct WepaySim {
    shared: Arc<Shared>,
    running: Running,
}

impl WepaySim {
    /// Binds and starts serving.
    pub async fn start(config: WepayConfig) -> std::io::Result<WepaySim> {
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
                dest_refs: HashMap::new(),
                next_id: 394_209_456,
                accept_plain: config.accept_plain_password,
            }),
            config,
            controls: Arc::clone(&controls),
            courier,
        });
        let api = Router::new()
            .route("/client_api.json.php", post(client_api))
            .route("/comp_export.php", get(comp_export))
            .route("/mtopup_refund_api.php", post(refund_api))
            .with_state(Arc::clone(&shared));
        let wallets: Arc<dyn Wallets> = Arc::new(WepayWallets(Arc::clone(&shared)));
        let router = api
            .merge(server::control_routes(Arc::clone(&controls), wallets))
            .layer(axum::middleware::from_fn_with_state(
                controls,
                server::network_gate,
            ));
        let running = server::serve(shared.config.addr, router).await?;
        Ok(WepaySim { shared, running })
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

    /// Sets an account's balance.
    pub fn set_balance(&self, username: &str, balance: Satang) -> bool {
        self.shared.set_balance(Some(username), balance)
    }

    /// An account's balance.
    pub fn balance(&self, username: &str) -> Option<Satang> {
        let book = self.shared.lock();
        book.accounts
            .iter()
            .find(|a| a.username == username)
            .map(|a| a.balance)
    }

    /// Every transaction so far.
    pub fn transactions(&self) -> Vec<WepayTransaction> {
        self.shared.lock().orders.values().cloned().collect()
    }

    /// The transaction with this `dest_ref`, if any.
    pub fn transaction_by_dest_ref(&self, dest_ref: &str) -> Option<WepayTransaction> {
        self.shared
            .lock()
            .orders
            .values()
            .find(|t| t.dest_ref == dest_ref)
            .cloned()
    }

    /// The first account's credentials, as `termdee sim` prints them.
    pub fn describe(&self) -> serde_json::Value {
        let account = self.shared.config.accounts.first();
        serde_json::json!({
            "base_url": self.base_url(),
            "api_url": format!("{}/client_api.json.php", self.base_url()),
            "username": account.map(|a| a.username.clone()),
            "password": account.map(|a| a.password.clone()),
        })
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn set_balance(&self, username: Option<&str>, balance: Satang) -> bool {
        let mut book = self.lock();
        let account = match username {
            Some(name) => book.accounts.iter_mut().find(|a| a.username == name),
            None => book.accounts.first_mut(),
        };
        match account {
            Some(account) => {
                account.balance = balance;
                true
            }
            None => false,
        }
    }
}

#[derive(Debug)]
struct WepayWallets(Arc<Shared>);

impl Wallets for WepayWallets {
    fn set_balance(&self, username: Option<&str>, balance: Satang) -> bool {
        self.0.set_balance(username, balance)
    }

    fn set_callback_url(&self, _username: Option<&str>, _url: Option<String>) -> bool {
        false
    }

    fn snapshot(&self) -> serde_json::Value {
        let book = self.0.lock();
        let balances: BTreeMap<&str, String> = book
            .accounts
            .iter()
            .map(|a| (a.username.as_str(), a.balance.to_baht_string()))
            .collect();
        let orders: Vec<&WepayTransaction> = book.orders.values().collect();
        serde_json::json!({"balances": balances, "transactions": orders})
    }
}

// ---------------------------------------------------------------------------------------------
// Wire helpers

/// JSON written by hand so that money is a decimal number without passing through a float.
enum J {
    S(String),
    N(String),
    Raw(String),
}

fn object(entries: &[(&str, J)]) -> String {
    let parts: Vec<String> = entries
        .iter()
        .map(|(key, value)| {
            let value = match value {
                J::S(text) => serde_json::Value::String(text.clone()).to_string(),
                J::N(number) | J::Raw(number) => number.clone(),
            };
            format!("{}:{}", serde_json::Value::String((*key).to_owned()), value)
        })
        .collect();
    format!("{{{}}}", parts.join(","))
}

/// A decimal JSON number: `10` for whole baht, `280.01` otherwise.
fn number(amount: Satang) -> String {
    if amount.is_whole_baht() {
        (amount.as_satang() / 100).to_string()
    } else {
        amount.to_baht_string()
    }
}

fn describe_code(code: &str) -> &'static str {
    match code {
        "10001" => "Internal error: database unreachable",
        "10003" => "Internal error: too many requests",
        "10004" => "Internal error: cannot create new transaction",
        "20001" | "20003" => "Invalid username or password format",
        "20004" => "Username is not allowed to use API",
        "20005" => "IP address not allowed",
        "30001" => "Company not found",
        "30002" => "Invalid transaction ID",
        "30003" => "Transaction ID not found",
        "30004" => "Transaction ID is being processed",
        "30005" => "Invalid callback URL",
        "30006" => "Invalid callback reference ID",
        "30007" => "Invalid amount",
        "30008" => "Invalid company",
        "30009" => "Invalid Ref.1",
        "30016" => "Duplicate callback reference ID",
        "30019" => "Insufficient balance",
        _ => "Error",
    }
}

fn error(code: &str) -> Reply {
    Reply::json(object(&[
        ("code", J::S(code.to_owned())),
        ("desc", J::S(describe_code(code).to_owned())),
    ]))
}

fn md5_hex(text: &str) -> String {
    hex::encode(Md5::digest(text.as_bytes()))
}

/// Checks credentials and IP; the account's username on success, the error code otherwise.
fn authenticate(
    book: &Book,
    fields: &[(String, String)],
    peer: IpAddr,
) -> Result<String, &'static str> {
    let username = field(fields, "username").unwrap_or("");
    let hash = field(fields, "password_hash");
    let password = field(fields, "password");
    if username.is_empty() || (hash.unwrap_or("").is_empty() && password.unwrap_or("").is_empty()) {
        return Err("20001");
    }
    let Some(account) = book.accounts.iter().find(|a| a.username == username) else {
        return Err("20003");
    };
    let expected = md5_hex(&account.password);
    let ok = hash.is_some_and(|h| h.eq_ignore_ascii_case(&expected))
        || password.is_some_and(|p| {
            (book.accept_plain && p == account.password) || p.eq_ignore_ascii_case(&expected)
        });
    if !ok {
        return Err("20003");
    }
    if !account.allowed_ips.is_empty() && !account.allowed_ips.contains(&peer) {
        return Err("20005");
    }
    Ok(account.username.clone())
}

fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn op_of(fields: &[(String, String)]) -> Op {
    match field(fields, "type") {
        Some("balance_inquiry") => Op::Balance,
        Some("get_output") => Op::Query,
        Some("mtopup") if field(fields, "payee_info").is_none() => Op::Order,
        _ => Op::Other,
    }
}

// ---------------------------------------------------------------------------------------------
// Handlers

async fn client_api(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fields = server::read_fields(content_type(&headers), &body);
    let op = op_of(&fields);
    let fault = match server::before(&shared.controls, op).await {
        Before::Answer(response) => return response,
        Before::Refuse(fault) => {
            let code = match fault {
                Fault::InsufficientBalance => "30019",
                Fault::IpNotAllowed => "20005",
                _ => "10001",
            };
            return error(code).into_response();
        }
        Before::Execute(fault) => fault,
    };
    let reply = match op {
        Op::Balance => balance(&shared, &fields, peer.ip()),
        Op::Query => get_output(&shared, &fields, peer.ip()),
        Op::Order => order(&shared, &fields, peer.ip()).await,
        _ => service_info(&shared, &fields, peer.ip()),
    };
    server::after(fault, reply, error("10004")).await
}

fn balance(shared: &Shared, fields: &[(String, String)], peer: IpAddr) -> Reply {
    let book = shared.lock();
    let username = match authenticate(&book, fields, peer) {
        Ok(username) => username,
        Err(code) => return error(code),
    };
    let balance = book
        .accounts
        .iter()
        .find(|a| a.username == username)
        .map(|a| a.balance);
    let balance = balance.unwrap_or(Satang::ZERO);
    Reply::json(object(&[
        ("code", J::S("00000".to_owned())),
        ("ledger_balance", J::S(balance.to_baht_string())),
        ("available_balance", J::N(balance.to_baht_string())),
    ]))
}

fn find_company<'a>(config: &'a WepayConfig, id: &str) -> Option<&'a WepayCompany> {
    let id = if config.accept_tmvh_alias && id == "TMVH" {
        "TRMV"
    } else {
        id
    };
    config.catalogue.iter().find(|c| c.id == id)
}

fn service_info(shared: &Shared, fields: &[(String, String)], peer: IpAddr) -> Reply {
    {
        let book = shared.lock();
        if let Err(code) = authenticate(&book, fields, peer) {
            return error(code);
        }
    }
    if field(fields, "type") != Some("mtopup") {
        return error("30008");
    }
    let Some(company) = find_company(
        &shared.config,
        field(fields, "pay_to_company").unwrap_or(""),
    ) else {
        return error("30001");
    };
    let amounts: Vec<String> = company.denominations.iter().map(|a| number(*a)).collect();
    let discount = Satang::new(company.discount_bp);
    let ref1 = r#"{"title":"หมายเลขโทรศัพท์","min_length":10,"max_length":10}"#;
    Reply::json(object(&[
        ("code", J::S("00000".to_owned())),
        ("service_name", J::S(company.name.clone())),
        ("discount", J::N(number(discount))),
        ("fee", J::N("0".to_owned())),
        ("sof_min", J::N(number(company.min))),
        ("sof_max", J::N(number(company.max))),
        (
            "sof_defined_amounts",
            J::Raw(format!("[{}]", amounts.join(","))),
        ),
        ("ref1", J::Raw(ref1.to_owned())),
        ("ref2", J::Raw("null".to_owned())),
        ("ref3", J::Raw("null".to_owned())),
        ("ref4", J::Raw("null".to_owned())),
        ("ref5", J::Raw("null".to_owned())),
        ("ref6", J::Raw("null".to_owned())),
    ]))
}

fn valid_dest_ref(dest_ref: &str) -> bool {
    (1..=20).contains(&dest_ref.len()) && dest_ref.chars().all(|c| c.is_ascii_alphanumeric())
}

fn valid_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    rest.is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/') && !rest.contains(' '))
}

fn valid_mobile(number: &str) -> bool {
    number.len() == 10
        && number.chars().all(|c| c.is_ascii_digit())
        && (number.starts_with("06") || number.starts_with("08") || number.starts_with("09"))
}

/// Validates and creates the order; `Err` is a reply with nothing created.
fn create_order(
    shared: &Shared,
    fields: &[(String, String)],
    peer: IpAddr,
) -> Result<WepayTransaction, Reply> {
    let config = &shared.config;
    let mut book = shared.lock();
    let username = authenticate(&book, fields, peer).map_err(error)?;
    let company_id = field(fields, "pay_to_company").unwrap_or("");
    if company_id.is_empty() {
        return Err(error("30008"));
    }
    let company = find_company(config, company_id).ok_or_else(|| error("30001"))?;
    let resp_url = field(fields, "resp_url").unwrap_or("");
    if !valid_url(resp_url) {
        return Err(error("30005"));
    }
    let dest_ref = field(fields, "dest_ref").unwrap_or("");
    if !valid_dest_ref(dest_ref) {
        return Err(error("30006"));
    }
    if let Some(existing) = book.dest_refs.get(&(username.clone(), dest_ref.to_owned())) {
        let mut entries = vec![
            ("code", J::S("30016".to_owned())),
            ("desc", J::S(describe_code("30016").to_owned())),
        ];
        if config.duplicate_returns_transaction_id {
            entries.push(("transaction_id", J::S(existing.clone())));
        }
        return Err(Reply::json(object(&entries)));
    }
    let amount = Satang::parse_baht(field(fields, "pay_to_amount").unwrap_or(""))
        .map_err(|_| error("30007"))?;
    let listed = company.denominations.contains(&amount);
    let in_range = amount >= company.min && amount <= company.max;
    if !(listed || config.accept_unlisted_amounts && in_range) {
        return Err(error("30007"));
    }
    let ref1 = field(fields, "pay_to_ref1").unwrap_or("");
    if !valid_mobile(ref1) {
        return Err(error("30009"));
    }
    let discount = amount.as_satang() * company.discount_bp / 10_000;
    let total = Satang::new(amount.as_satang() - discount);
    let id = book.next_id;
    book.next_id += 1;
    let account = book
        .accounts
        .iter_mut()
        .find(|a| a.username == username)
        .ok_or_else(|| error("20003"))?;
    if account.balance < total {
        return Err(error("30019"));
    }
    account.balance = Satang::new(account.balance.as_satang() - total.as_satang());
    let balance_after = account.balance;
    let transaction = WepayTransaction {
        transaction_id: id.to_string(),
        username: username.clone(),
        dest_ref: dest_ref.to_owned(),
        resp_url: resp_url.to_owned(),
        company: company.id.clone(),
        amount,
        total_amount: total,
        ref1: ref1.to_owned(),
        status: WepayStatus::Processing,
        operator_trxnsid: String::new(),
        sms: String::new(),
        refund_id: None,
        refunded: false,
    };
    book.dest_refs.insert(
        (username.clone(), dest_ref.to_owned()),
        transaction.transaction_id.clone(),
    );
    book.orders
        .insert(transaction.transaction_id.clone(), transaction.clone());
    shared.controls.record_execution(
        ExecutionKind::Debit,
        dest_ref,
        &transaction.transaction_id,
        &username,
        total,
        balance_after,
    );
    Ok(transaction)
}

async fn order(shared: &Arc<Shared>, fields: &[(String, String)], peer: IpAddr) -> Reply {
    let transaction = match create_order(shared, fields, peer) {
        Ok(transaction) => transaction,
        Err(reply) => return reply,
    };
    let balance = shared
        .lock()
        .accounts
        .iter()
        .find(|a| a.username == transaction.username)
        .map(|a| a.balance);
    let id: u64 = transaction.transaction_id.parse().unwrap_or(0);
    let reply = Reply::json(object(&[
        ("bill_id", J::N((id - 83_152_000).to_string())),
        ("code", J::S("00000".to_owned())),
        ("transaction_id", J::S(transaction.transaction_id.clone())),
        ("queue_id", J::N((id - 41_025_831).to_string())),
        ("total_amount", J::N(number(transaction.total_amount))),
        (
            "balance",
            J::S(balance.unwrap_or(Satang::ZERO).to_baht_string()),
        ),
    ]));
    let fate = shared.controls.next_fate();
    let outcome = fate.outcome.unwrap_or_else(|| {
        if transaction
            .ref1
            .ends_with(shared.config.failing_number_suffix.as_str())
            && !shared.config.failing_number_suffix.is_empty()
        {
            Outcome::Failure
        } else {
            Outcome::Success
        }
    });
    if fate.callback == CallbackPlan::BeforeReply {
        if let Some(delivery) = finish(shared, &transaction.transaction_id, outcome) {
            shared.courier.first_then_rest(delivery).await;
        }
        return reply;
    }
    let delay = fate
        .result_delay_ms
        .map(Duration::from_millis)
        .unwrap_or(shared.config.result_delay);
    let shared = Arc::clone(shared);
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        if let Some(delivery) = finish(&shared, &transaction.transaction_id, outcome) {
            Arc::clone(&shared.courier)
                .run(delivery, fate.callback)
                .await;
        }
    });
    reply
}

fn output_fields(t: &WepayTransaction) -> Vec<(String, String)> {
    let status = match t.status {
        WepayStatus::Succeeded => "2",
        WepayStatus::Failed => "4",
        WepayStatus::Processing => "1",
    };
    vec![
        ("dest_ref".to_owned(), t.dest_ref.clone()),
        ("transaction_id".to_owned(), t.transaction_id.clone()),
        ("status".to_owned(), status.to_owned()),
        ("sms".to_owned(), t.sms.clone()),
        ("operator_trxnsid".to_owned(), t.operator_trxnsid.clone()),
    ]
}

impl Shared {
    fn delivery(&self, dest_ref: &str, url: &str, form: Vec<(String, String)>) -> Delivery {
        let expected = format!("SUCCEED|ORDER_ID={dest_ref}");
        Delivery {
            url: url.to_owned(),
            form,
            ack: if self.config.lenient_ack {
                Ack::Prefix("SUCCEED".to_owned())
            } else {
                Ack::Exact(expected)
            },
            schedule: self.config.callback_schedule.clone(),
            stop_on: (!self.config.resend_on_error_ack).then(|| "ERROR|".to_owned()),
            json: false,
            raw_json: None,
        }
    }
}

/// Decides a processing order; the callback to send, or `None` if it was already decided.
fn finish(shared: &Shared, transaction_id: &str, outcome: Outcome) -> Option<Delivery> {
    let mut book = shared.lock();
    let order = book.orders.get_mut(transaction_id)?;
    if order.status != WepayStatus::Processing {
        return None;
    }
    let id: u64 = transaction_id.parse().unwrap_or(0);
    match outcome {
        Outcome::Success => {
            order.status = WepayStatus::Succeeded;
            order.operator_trxnsid = (1_933_602_087 + id % 1_000_000).to_string();
            order.sms = format!(
                "เติมเงินสำเร็จ {} บาท && ref={}",
                order.amount.to_baht_string(),
                order.ref1
            );
        }
        Outcome::Failure => {
            order.status = WepayStatus::Failed;
            order.sms = "failed: the operator refused the top-up".to_owned();
        }
    }
    let order = order.clone();
    if outcome == Outcome::Failure {
        let account = book
            .accounts
            .iter_mut()
            .find(|a| a.username == order.username)?;
        account.balance = Satang::new(account.balance.as_satang() + order.total_amount.as_satang());
        let balance_after = account.balance;
        shared.controls.record_execution(
            ExecutionKind::ReCredit,
            &order.dest_ref,
            &order.transaction_id,
            &order.username,
            order.total_amount,
            balance_after,
        );
    }
    Some(shared.delivery(&order.dest_ref, &order.resp_url, output_fields(&order)))
}

fn get_output(shared: &Shared, fields: &[(String, String)], peer: IpAddr) -> Reply {
    let book = shared.lock();
    let username = match authenticate(&book, fields, peer) {
        Ok(username) => username,
        Err(code) => return error(code),
    };
    let mut id = field(fields, "transaction_id").unwrap_or("");
    if id.is_empty() && shared.config.lookup_by_dest_ref {
        let dest_ref = field(fields, "dest_ref").unwrap_or("").to_owned();
        match book.dest_refs.get(&(username.clone(), dest_ref)) {
            Some(found) => id = found.as_str(),
            None => return error("30003"),
        }
    }
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        return error("30002");
    }
    match book.orders.get(id) {
        Some(order) if order.username == username => match order.status {
            WepayStatus::Processing => error("30004"),
            _ => {
                let output = serde_urlencoded::to_string(output_fields(order)).unwrap_or_default();
                Reply::json(object(&[
                    ("code", J::S("00000".to_owned())),
                    ("output", J::S(output)),
                ]))
            }
        },
        _ => error("30003"),
    }
}

async fn comp_export(State(shared): State<Arc<Shared>>) -> Response {
    let fault = match server::before(&shared.controls, Op::Other).await {
        Before::Answer(response) => return response,
        Before::Refuse(_) => return error("10001").into_response(),
        Before::Execute(fault) => fault,
    };
    let companies: Vec<String> = shared
        .config
        .catalogue
        .iter()
        .map(|c| {
            let denominations: Vec<String> = c
                .denominations
                .iter()
                .map(|d| {
                    object(&[
                        ("price", J::N(number(*d))),
                        ("description", J::Raw("null".to_owned())),
                    ])
                })
                .collect();
            object(&[
                ("company_id", J::S(c.id.clone())),
                ("company_name", J::S(c.name.clone())),
                ("fee", J::N("0".to_owned())),
                ("minimum_amount", J::N(number(c.min))),
                ("maximum_amount", J::N(number(c.max))),
                ("refundable", J::Raw(c.refundable.to_string())),
                (
                    "denomination",
                    J::Raw(format!("[{}]", denominations.join(","))),
                ),
            ])
        })
        .collect();
    let body = format!(
        "{{\"data\":{{\"mtopup\":[{}],\"cashcard\":[],\"gtopup\":[],\"billpay\":[]}}}}",
        companies.join(",")
    );
    server::after(fault, Reply::json(body), error("10001")).await
}

async fn refund_api(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fields = server::read_fields(content_type(&headers), &body);
    let fault = match server::before(&shared.controls, Op::Refund).await {
        Before::Answer(response) => return response,
        Before::Refuse(Fault::IpNotAllowed) => {
            return Reply::text("ERROR|IP_NOT_ALLOWED".to_owned()).into_response()
        }
        Before::Refuse(_) => return Reply::text("ERROR|DB_ERROR".to_owned()).into_response(),
        Before::Execute(fault) => fault,
    };
    let reply = match request_refund(&shared, &fields, peer.ip()) {
        Ok(reply) => reply,
        Err(reason) => Reply::text(format!("ERROR|{reason}")),
    };
    server::after(fault, reply, Reply::text("ERROR|DB_ERROR".to_owned())).await
}

/// Accepts a refund request; the reason text of `ERROR|<reason>` otherwise (invented texts).
fn request_refund(
    shared: &Arc<Shared>,
    fields: &[(String, String)],
    peer: IpAddr,
) -> Result<Reply, &'static str> {
    let mut book = shared.lock();
    let username = authenticate(&book, fields, peer).map_err(|code| match code {
        "20005" => "IP_NOT_ALLOWED",
        _ => "INVALID_USER",
    })?;
    let dest_ref = field(fields, "dest_ref").unwrap_or("").to_owned();
    let resp_url = field(fields, "resp_url").unwrap_or("").to_owned();
    if !valid_dest_ref(&dest_ref) {
        return Err("INVALID_DEST_REF");
    }
    if !valid_url(&resp_url) {
        return Err("INVALID_RESP_URL");
    }
    if book
        .dest_refs
        .contains_key(&(username.clone(), dest_ref.clone()))
    {
        return Err("DUPLICATE_DEST_REF");
    }
    let transaction_id = field(fields, "transaction_id").unwrap_or("").to_owned();
    let rid = book.next_id;
    let order = match book.orders.get_mut(&transaction_id) {
        Some(order) if order.username == username => order,
        _ => return Err("TRANSACTION_NOT_FOUND"),
    };
    let refundable = shared
        .config
        .catalogue
        .iter()
        .any(|c| c.id == order.company && c.refundable);
    if !refundable {
        return Err("COMPANY_NOT_REFUNDABLE");
    }
    if order.status != WepayStatus::Succeeded {
        return Err("TRANSACTION_NOT_SUCCEED");
    }
    if order.refund_id.is_some() {
        return Err("ALREADY_REFUNDED");
    }
    let refund_id = format!("R{rid}");
    order.refund_id = Some(refund_id.clone());
    book.next_id += 1;
    book.dest_refs
        .insert((username, dest_ref.clone()), transaction_id.clone());
    let shared = Arc::clone(shared);
    let reply = Reply::text(format!("SUCCEED|RID={refund_id}"));
    tokio::spawn(async move {
        tokio::time::sleep(shared.config.refund_delay).await;
        let delivery = {
            let mut book = shared.lock();
            let Some(order) = book.orders.get_mut(&transaction_id) else {
                return;
            };
            order.refunded = true;
            let order = order.clone();
            let Some(account) = book
                .accounts
                .iter_mut()
                .find(|a| a.username == order.username)
            else {
                return;
            };
            account.balance =
                Satang::new(account.balance.as_satang() + order.total_amount.as_satang());
            shared.controls.record_execution(
                ExecutionKind::Reversal,
                &dest_ref,
                &order.transaction_id,
                &order.username,
                order.total_amount,
                account.balance,
            );
            let mut form = vec![
                ("dest_ref".to_owned(), dest_ref.clone()),
                ("transaction_id".to_owned(), order.transaction_id.clone()),
                ("refund_id".to_owned(), refund_id.clone()),
                ("drawn_amount".to_owned(), order.amount.to_baht_string()),
            ];
            if shared.config.refund_callback_status {
                form.push(("status".to_owned(), "2".to_owned()));
            }
            shared.delivery(&dest_ref, &resp_url, form)
        };
        Arc::clone(&shared.courier)
            .run(delivery, CallbackPlan::Normal)
            .await;
    });
    Ok(reply)
}
