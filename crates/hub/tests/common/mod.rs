//! A fleet for tests: a real PostgreSQL, a hub that can be killed like a process, and registers
//! that sell through their real ledgers.
#![allow(dead_code)] // each test binary uses a different part of this module

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use secrecy::SecretString;
use termdee_app::fleet::{FleetConfig, HubClient, HubSettings, OutboxSender};
use termdee_domain::report::{fold, ReportRow, SalesGroup};
use termdee_domain::{
    Actor, ActorKind, BusinessDay, Clock, ManualClock, Msisdn, Network, PaymentMethod, Satang,
    SystemClock, UnixMillis,
};
use termdee_hub::cluster::Cluster;
use termdee_hub::{Hub, HubOptions, IngestHook, NoHook, Store};
use termdee_ledger::{
    Ledger, NewPayment, NewSale, NewTopup, Operator, OperatorRole, Register, RegisterKind,
};

/// A PostgreSQL server of its own and the hub's database on it, migrated.
pub struct Database {
    pub cluster: Cluster,
    pub url: String,
    /// A store for the test's own checks (on the test's runtime).
    pub store: Store,
}

impl Database {
    pub async fn start() -> Database {
        // Not a skip: without the server binaries this test fails and says what to install.
        let cluster = Cluster::start().expect("a throwaway PostgreSQL server");
        let url = cluster
            .database("termdee_hub")
            .await
            .expect("the hub's database");
        let store = Store::connect(&url, 4).expect("a pool");
        store.migrate().await.expect("the hub's schema");
        Database {
            cluster,
            url,
            store,
        }
    }
}

/// A hub serving on its own runtime, so that dropping it kills it like a process: every task,
/// every open transaction and every PostgreSQL connection goes at once.
pub struct RunningHub {
    pub addr: SocketAddr,
    runtime: Option<tokio::runtime::Runtime>,
}

/// Hub options for tests: short long polls.
pub fn test_options() -> HubOptions {
    HubOptions {
        long_poll_max: Duration::from_secs(5),
        long_poll_recheck: Duration::from_millis(200),
        ..HubOptions::default()
    }
}

impl RunningHub {
    /// Starts a hub on `addr` (port 0: any free port) over `url`.
    pub fn start(url: &str, addr: SocketAddr, hook: Arc<dyn IngestHook>) -> RunningHub {
        let socket = bind(addr);
        let addr = socket.local_addr().expect("an address");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("the hub's runtime");
        let store = Store::connect(url, 16).expect("a pool");
        let hub = Arc::new(
            Hub::new(store, Arc::new(SystemClock))
                .with_options(test_options())
                .with_ingest_hook(hook),
        );
        {
            let _inside = runtime.enter();
            let listener = tokio::net::TcpListener::from_std(socket).expect("a tokio listener");
            runtime.spawn(async move {
                let _ = hub.serve(listener).await;
            });
        }
        RunningHub {
            addr,
            runtime: Some(runtime),
        }
    }

    pub fn plain(url: &str) -> RunningHub {
        RunningHub::start(url, "127.0.0.1:0".parse().unwrap(), Arc::new(NoHook))
    }

    pub fn url(&self) -> url::Url {
        url::Url::parse(&format!("http://{}/", self.addr)).unwrap()
    }

    /// Kills the hub: no graceful shutdown, nothing after this point runs.
    pub fn kill(mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl Drop for RunningHub {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Binds `addr`, retrying while a killed hub's socket lingers.
fn bind(addr: SocketAddr) -> std::net::TcpListener {
    for _ in 0..100 {
        if let Ok(socket) = std::net::TcpListener::bind(addr) {
            socket.set_nonblocking(true).expect("non-blocking");
            return socket;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("cannot bind {addr}");
}

/// Stops inside the first push transaction, with every row written and nothing committed.
#[derive(Debug, Default)]
pub struct PauseBeforeCommit {
    armed: AtomicBool,
    pub reached: tokio::sync::Notify,
}

impl PauseBeforeCommit {
    pub fn armed() -> Arc<PauseBeforeCommit> {
        let pause = PauseBeforeCommit::default();
        pause.armed.store(true, Ordering::SeqCst);
        Arc::new(pause)
    }
}

impl IngestHook for PauseBeforeCommit {
    fn before_commit(&self, _register_id: &str) -> futures::future::BoxFuture<'_, ()> {
        if self.armed.swap(false, Ordering::SeqCst) {
            self.reached.notify_one();
            // Held here until the hub is killed.
            Box::pin(std::future::pending())
        } else {
            Box::pin(std::future::ready(()))
        }
    }
}

/// A register: its own ledger file, its clock, its enrolment at the hub.
pub struct Shop {
    pub id: String,
    pub ledger: Arc<Ledger>,
    pub path: PathBuf,
    pub clock: Arc<ManualClock>,
    pub token: SecretString,
    pub operators: Vec<String>,
    _dir: tempfile::TempDir,
    next: u64,
    rng: ChaCha8Rng,
}

/// 08:00 Bangkok on the first selling day of the tests.
pub fn first_day() -> UnixMillis {
    BusinessDay::parse("2026-03-02").unwrap().start() + 8 * 3_600_000
}

impl Shop {
    /// A register `id` with three operators (two cashiers shared across the fleet, one of its
    /// own), enrolled at the hub.
    pub async fn open(database: &Database, id: &str, seed: u64) -> Shop {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.sqlite");
        let ledger = Arc::new(Ledger::open(&path).unwrap());
        let clock = Arc::new(ManualClock::at(first_day()));
        ledger
            .upsert_register(
                &Register {
                    id: id.to_owned(),
                    name: format!("Register {id}"),
                    kind: RegisterKind::Kiosk,
                },
                clock.now(),
            )
            .unwrap();
        let operators = vec![
            "cashier-a".to_owned(),
            "cashier-b".to_owned(),
            format!("{id}-machine"),
        ];
        for operator in &operators {
            ledger
                .upsert_operator(
                    &Operator {
                        id: operator.clone(),
                        name: operator.to_uppercase(),
                        role: if operator.ends_with("machine") {
                            OperatorRole::Kiosk
                        } else {
                            OperatorRole::Cashier
                        },
                        easysoft_users: operator.clone(),
                        active: true,
                    },
                    clock.now(),
                )
                .unwrap();
        }
        let enrolment = database
            .store
            .enroll(id, Some(&format!("Register {id}")), SystemClock.now())
            .await
            .unwrap();
        Shop {
            id: id.to_owned(),
            ledger,
            path,
            clock,
            token: SecretString::from(enrolment.token),
            operators,
            _dir: dir,
            next: 0,
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    pub fn settings(&self, hub: &url::Url) -> HubSettings {
        HubSettings::new(hub.clone(), self.token.clone())
    }

    pub fn client(&self, hub: &url::Url, config: &FleetConfig) -> HubClient {
        HubClient::new(hub, self.token.clone(), config).unwrap()
    }

    pub fn sender(&self, hub: &url::Url, config: FleetConfig) -> OutboxSender {
        OutboxSender::new(
            self.ledger.clone(),
            self.client(hub, &config),
            self.clock.clone(),
            config,
        )
    }

    /// Writes a cash sale awaiting payment by the first operator; returns its payment's id.
    pub fn create_cash_sale(&self, id: &str, amount: i64) -> i64 {
        let operator = &self.operators[0];
        let (_, payment) = self
            .ledger
            .create_sale(
                &NewSale {
                    id: id.to_owned(),
                    register_id: self.id.clone(),
                    operator_id: operator.clone(),
                    shift_id: None,
                    network: Network::Ais,
                    phone: Msisdn::parse("0812345678").unwrap(),
                    amount: Satang::new(amount),
                    method: PaymentMethod::Cash,
                    at: self.clock.now(),
                },
                &NewPayment {
                    method: PaymentMethod::Cash,
                    reference: id.to_owned(),
                    amount: Satang::new(amount),
                },
                &Actor::new(ActorKind::Cashier, operator),
            )
            .unwrap();
        payment.id
    }

    /// Sells `count` sales over the next `minutes` of simulated time, each ending in a random
    /// outcome (completed most often; refunded, refund due, needs attention, in progress,
    /// unpaid), some of them settled minutes after they started.
    pub fn sell(&mut self, count: usize, minutes: i64) {
        let step = (minutes * 60_000) / i64::try_from(count.max(1)).unwrap();
        for _ in 0..count {
            self.clock.advance(step.max(1));
            self.sell_one();
        }
    }

    fn sell_one(&mut self) {
        self.next += 1;
        let id = format!("{}-S{:05}", self.id, self.next);
        let operator = self.operators[self.rng.random_range(0..self.operators.len())].clone();
        let amount = [1_000, 2_000, 5_000, 10_000, 30_000][self.rng.random_range(0..5)];
        let actor = if operator.ends_with("machine") {
            Actor::new(ActorKind::Kiosk, &operator)
        } else {
            Actor::new(ActorKind::Cashier, &operator)
        };
        let poller = Actor::poller();
        let at = self.clock.now();
        let (_, payment) = self
            .ledger
            .create_sale(
                &NewSale {
                    id: id.clone(),
                    register_id: self.id.clone(),
                    operator_id: operator.clone(),
                    shift_id: None,
                    network: Network::ALL[self.rng.random_range(0..Network::ALL.len())],
                    phone: Msisdn::parse("0812345678").unwrap(),
                    amount: Satang::new(amount),
                    method: PaymentMethod::Cash,
                    at,
                },
                &NewPayment {
                    method: PaymentMethod::Cash,
                    reference: id.clone(),
                    amount: Satang::new(amount),
                },
                &actor,
            )
            .unwrap();
        let roll = self.rng.random_range(0..100);
        if roll < 5 {
            self.ledger.cancel_unpaid(&id, at + 1, &actor).unwrap();
            return;
        }
        if roll < 8 {
            return; // awaiting payment
        }
        self.ledger
            .payment_received(payment.id, Satang::new(amount), at + 2, &actor)
            .unwrap();
        if roll < 10 {
            return; // paid, not yet sent
        }
        let topup = self
            .ledger
            .begin_topup(
                &id,
                &NewTopup {
                    provider: if roll % 2 == 0 { "wepay" } else { "easysoft" }.into(),
                    reference: format!("wp-{id}"),
                    product: "12CALL".into(),
                    amount: Satang::new(amount),
                    users: None,
                },
                at + 3,
                &actor,
            )
            .unwrap();
        // Some settle minutes later (still counted on the day the sale started).
        let later = at + 4 + self.rng.random_range(0..20) * 60_000;
        match roll {
            10..=12 => {} // top-up pending
            13..=16 => {
                self.ledger
                    .topup_failed(topup.id, "failed", later, &poller)
                    .unwrap();
            }
            17..=20 => {
                self.ledger
                    .topup_failed(topup.id, "failed", later, &poller)
                    .unwrap();
                self.ledger
                    .refund_given(&id, "cash back", later + 1, &actor)
                    .unwrap();
            }
            21..=23 => {
                self.ledger
                    .topup_needs_person(topup.id, "unknown outcome", later, &poller)
                    .unwrap();
            }
            _ => {
                self.ledger
                    .topup_succeeded(topup.id, Some("T"), "ok", later, &poller)
                    .unwrap();
            }
        }
    }

    /// The ledger's sales as `GROUP BY operator, state`, folded: what this register's own report
    /// says, computed from every sale in its ledger over `from..=to`.
    pub fn groups(&self, from: BusinessDay, to: BusinessDay) -> Vec<SalesGroup> {
        let mut groups: std::collections::BTreeMap<(String, &'static str), SalesGroup> =
            std::collections::BTreeMap::new();
        for sale in self.ledger.all_sales().unwrap() {
            if sale.day < from || sale.day > to {
                continue;
            }
            let group = groups
                .entry((sale.operator_id.clone(), sale.state.code()))
                .or_insert_with(|| SalesGroup {
                    key: sale.operator_id.clone(),
                    state: sale.state,
                    count: 0,
                    amount: 0,
                    received: 0,
                    delivered: 0,
                    refunded: 0,
                    cost: 0,
                    paid_count: 0,
                });
            group.count += 1;
            group.amount += sale.amount.as_satang();
            group.received += sale.received.as_satang();
            group.delivered += sale.delivered.as_satang();
            group.refunded += sale.refunded.as_satang();
            if sale.received.as_satang() > 0 {
                group.paid_count += 1;
            }
        }
        groups.into_values().collect()
    }
}

/// The sum of the registers' own reports by operator.
pub fn sum_of_ledgers(shops: &[&Shop], from: BusinessDay, to: BusinessDay) -> Vec<ReportRow> {
    fold(shops.iter().flat_map(|shop| shop.groups(from, to)))
}

/// Waits (really: the hub and the sender are real) until `check` holds, or panics.
pub async fn eventually<F, Fut>(what: &str, timeout: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if check().await {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A fast sender configuration.
pub fn fast() -> FleetConfig {
    FleetConfig {
        batch_size: 200,
        idle: Duration::from_millis(20),
        heartbeat: Duration::from_secs(3600),
        backoff_min: Duration::from_millis(10),
        backoff_max: Duration::from_millis(100),
        long_poll: Duration::from_secs(2),
        unverified_retry: Duration::from_millis(200),
        balance_every: Duration::from_secs(3600),
        connect_timeout: Duration::from_secs(2),
    }
}
