//! # termdee-scenarios — whole sales against the simulators, and the money invariants
//!
//! The unit tests of each crate prove the parts; this crate proves the promise: every paid sale
//! is topped up exactly once or refunded, through faults and crashes. It starts the provider
//! simulators of `termdee-sim` on 127.0.0.1 ([`World`]), builds the real [`Engine`] of
//! `termdee-app` over a real SQLite ledger and real HTTP clients ([`World::engine`]), drives
//! customers through it, and then compares three views of the truth:
//!
//! - the ledger (what the shop believes),
//! - the simulators' books (what the providers actually did: debits per key, orders per phone),
//! - the money identities (received = delivered + refunded + owed + held).
//!
//! [`soak::run`] is `termdee soak`: a seeded scenario with the simulators' random faults and,
//! with `--crash`, kills at random crash points followed by restarts. [`check`] holds the
//! invariants both the soak and the SIGKILL crash tests use.
#![deny(missing_docs)]

pub mod check;
pub mod soak;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use termdee_app::engine::callbacks;
use termdee_app::engine::ports::{
    BluePayPort, DepositQrPort, EasysoftPort, TmweasyPort, WepayPort,
};
use termdee_app::engine::{Backoff, CrashHook, Engine, EngineConfig, PaymentPort, TopupPort};
use termdee_domain::{Clock, PaymentMethod, SystemClock};
use termdee_ledger::{Ledger, Operator, OperatorRole, Register, RegisterKind};
use termdee_providers::{
    BluePayClient, BluePayConfig, DepositClient, DepositConfig, EasysoftClient, EasysoftConfig,
    TmweasyClient, TmweasyConfig, Transport, WepayClient, WepayConfig,
};
use termdee_sim::bluepay::{DEMO_MERCHANT_PRIVATE_KEY_PEM, DEMO_PROVIDER_PUBLIC_KEY_PEM};
use termdee_sim::RandomFaults;
use termdee_sim::{BluepaySim, DepositQrSim};
use termdee_sim::{EasysoftSim, TmweasySim, WepaySim};
use url::Url;

/// The register every scenario sells from.
pub const REGISTER: &str = "kiosk-1";
/// The operators of the scenarios: two cashiers and a kiosk.
pub const OPERATORS: [&str; 3] = ["cashier-a", "cashier-b", "kiosk-1"];
/// The callback listener's token in scenarios.
pub const CALLBACK_TOKEN: &str = "scenario-token";

/// How the simulators misbehave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Faults {
    /// Seed of the simulators' random faults.
    pub seed: u64,
    /// Requests that get a fault from the simulators' menu (per mille).
    pub request_per_mille: u16,
    /// Orders that fail at the provider (per mille).
    pub failure_per_mille: u16,
    /// Callbacks that are lost, duplicated, early or out of order (per mille).
    pub callback_per_mille: u16,
}

impl Faults {
    /// No faults.
    pub fn none() -> Self {
        Faults {
            seed: 0,
            request_per_mille: 0,
            failure_per_mille: 0,
            callback_per_mille: 0,
        }
    }

    fn random(&self) -> Option<RandomFaults> {
        if self.request_per_mille == 0
            && self.failure_per_mille == 0
            && self.callback_per_mille == 0
        {
            return None;
        }
        let mut random = RandomFaults::new(self.seed);
        random.request_fault_per_mille = self.request_per_mille;
        random.failure_per_mille = self.failure_per_mille;
        random.callback_fault_per_mille = self.callback_per_mille;
        Some(random)
    }
}

/// The simulators of one scenario, and where the engine's callback listener lives.
#[derive(Debug)]
pub struct World {
    /// wePAY.
    pub wepay: WepaySim,
    /// Easysoft.
    pub easysoft: EasysoftSim,
    /// Tmweasy Mae Manee.
    pub tmweasy: TmweasySim,
    /// BluePay WebPay.
    pub bluepay: BluepaySim,
    /// Deposit-QR (RichPay).
    pub deposit: DepositQrSim,
    /// The callback listener's address (kept across engine restarts).
    pub listen: SocketAddr,
    /// The listening socket, held for the world's life so no other run takes the port while an
    /// engine restarts.
    socket: Option<std::net::TcpListener>,
}

/// Wraps a top-up port before the engine gets it (the benchmarks time the provider calls this
/// way, without touching the engine).
pub type TopupWrap = Arc<dyn Fn(Arc<dyn TopupPort>) -> Arc<dyn TopupPort> + Send + Sync>;

/// Wraps a QR payment port before the engine gets it (tests that make a provider refuse).
pub type PaymentWrap =
    Arc<dyn Fn(PaymentMethod, Arc<dyn PaymentPort>) -> Arc<dyn PaymentPort> + Send + Sync>;

/// Changes to the engine [`World::engine`] builds; the default is the scenarios' engine.
#[derive(Clone, Default)]
pub struct EngineOptions {
    /// Applied to every top-up port, in routing order.
    pub wrap_topup: Option<TopupWrap>,
    /// Applied to every QR payment port.
    pub wrap_payment: Option<PaymentWrap>,
    /// Status-query schedules per top-up provider (`None`: [`Backoff::fast`] for both, which
    /// makes the engine ask for a result 5 ms after acceptance).
    pub backoff: Option<BTreeMap<String, Backoff>>,
}

impl std::fmt::Debug for EngineOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineOptions")
            .field("wrap_topup", &self.wrap_topup.is_some())
            .field("wrap_payment", &self.wrap_payment.is_some())
            .field("backoff", &self.backoff)
            .finish()
    }
}

/// A started engine and its listener task.
#[derive(Debug)]
pub struct Running {
    /// The engine.
    pub engine: Arc<Engine>,
    listener: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Stops the listener (the engine itself stops when dropped).
    pub fn stop(self) -> Arc<Engine> {
        self.listener.abort();
        self.engine.clone()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

/// Errors starting a scenario.
#[derive(Debug, thiserror::Error)]
pub enum WorldError {
    /// A simulator or the listener could not bind.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// A URL did not parse.
    #[error("url: {0}")]
    Url(#[from] url::ParseError),
    /// The HTTP transport could not be built.
    #[error("transport: {0}")]
    Transport(String),
    /// The ledger failed.
    #[error("ledger: {0}")]
    Ledger(#[from] termdee_ledger::LedgerError),
}

impl World {
    /// Starts the three simulators (fast timings) with the given faults; Tmweasy bills are paid
    /// only through [`TmweasySim::pay`].
    pub async fn start(faults: Faults) -> Result<World, WorldError> {
        World::start_with(faults, Duration::from_secs(3600)).await
    }

    /// As [`World::start`], with Tmweasy bills paid automatically `auto_pay` after creation.
    pub async fn start_with(faults: Faults, auto_pay: Duration) -> Result<World, WorldError> {
        let socket = std::net::TcpListener::bind("127.0.0.1:0")?;
        socket.set_nonblocking(true)?;
        let listen = socket.local_addr()?;
        let random = faults.random();
        let wepay = WepaySim::start(termdee_sim::wepay::WepayConfig {
            random: random.clone(),
            ..termdee_sim::wepay::WepayConfig::fast()
        })
        .await?;
        let easysoft = EasysoftSim::start(termdee_sim::easysoft::EasysoftConfig {
            random: random.clone().map(|r| RandomFaults {
                seed: r.seed.wrapping_add(1),
                ..r
            }),
            ..termdee_sim::easysoft::EasysoftConfig::fast()
        })
        .await?;
        let callback_base = Url::parse(&format!("http://{listen}/"))?;
        easysoft.set_callback_url(
            "demo",
            Some(callbacks::callback_url(&callback_base, "easysoft", CALLBACK_TOKEN)?.to_string()),
        );
        let tmweasy = TmweasySim::start(termdee_sim::tmweasy::TmweasyConfig {
            random: random.clone().map(|r| RandomFaults {
                seed: r.seed.wrapping_add(2),
                ..r
            }),
            auto_pay_delay: auto_pay,
            ..termdee_sim::tmweasy::TmweasyConfig::fast()
        })
        .await?;
        let bluepay = BluepaySim::start(termdee_sim::BluepayConfig {
            random: random.clone().map(|r| RandomFaults {
                seed: r.seed.wrapping_add(3),
                ..r
            }),
            auto_pay_delay: auto_pay,
            ..termdee_sim::BluepayConfig::fast()
        })
        .await?;
        let deposit = DepositQrSim::start(termdee_sim::DepositQrConfig {
            random: random.clone().map(|r| RandomFaults {
                seed: r.seed.wrapping_add(4),
                ..r
            }),
            auto_pay_delay: auto_pay,
            ..termdee_sim::DepositQrConfig::fast()
        })
        .await?;
        Ok(World {
            wepay,
            easysoft,
            tmweasy,
            bluepay,
            deposit,
            listen,
            socket: Some(socket),
        })
    }

    /// Opens (or reopens, after a crash) the ledger at `path` with the scenario's register and
    /// operators.
    pub fn open_ledger(&self, path: &std::path::Path) -> Result<Arc<Ledger>, WorldError> {
        open_ledger(path)
    }

    /// Closes the world's hold on the listener's port, so that an engine in a child process can
    /// bind it.
    pub fn release_listener(&mut self) {
        self.socket = None;
    }

    /// Where the simulators and the listener are (to hand to a child process).
    pub fn endpoints(&self) -> Endpoints {
        Endpoints {
            wepay: format!("{}/", self.wepay.base_url()),
            easysoft: self.easysoft.url(),
            tmweasy: format!("{}/api_mn.php", self.tmweasy.base_url()),
            bluepay: format!("{}/", self.bluepay.base_url()),
            deposit: format!("{}/", self.deposit.base_url()),
            listen: self.listen,
        }
    }

    /// Builds the real engine over real clients pointed at the simulators, and starts its
    /// callback listener on [`World::listen`].
    pub async fn engine(
        &self,
        ledger: Arc<Ledger>,
        crash: Arc<dyn CrashHook>,
    ) -> Result<Running, WorldError> {
        let socket = match &self.socket {
            Some(socket) => Some(tokio::net::TcpListener::from_std(socket.try_clone()?)?),
            None => None,
        };
        self.endpoints().engine_on(ledger, crash, socket).await
    }

    /// As [`World::engine`], but the providers call back at `callback_base` with
    /// `callback_token` (a fleet hub's relay) instead of the engine's own listener.
    pub async fn engine_relayed(
        &self,
        ledger: Arc<Ledger>,
        crash: Arc<dyn CrashHook>,
        callback_base: Url,
        callback_token: &str,
    ) -> Result<Running, WorldError> {
        let socket = match &self.socket {
            Some(socket) => Some(tokio::net::TcpListener::from_std(socket.try_clone()?)?),
            None => None,
        };
        self.endpoints()
            .engine_full(
                ledger,
                crash,
                socket,
                &EngineOptions::default(),
                Some((callback_base, callback_token)),
            )
            .await
    }

    /// As [`World::engine`], with [`EngineOptions`] (the benchmarks).
    pub async fn engine_with(
        &self,
        ledger: Arc<Ledger>,
        crash: Arc<dyn CrashHook>,
        options: &EngineOptions,
    ) -> Result<Running, WorldError> {
        let socket = match &self.socket {
            Some(socket) => Some(tokio::net::TcpListener::from_std(socket.try_clone()?)?),
            None => None,
        };
        self.endpoints()
            .engine_with(ledger, crash, socket, options)
            .await
    }
}

/// Opens (or reopens, after a crash) a scenario ledger with its register and operators.
pub fn open_ledger(path: &std::path::Path) -> Result<Arc<Ledger>, WorldError> {
    {
        let ledger = Ledger::open(path)?;
        let at = SystemClock.now();
        ledger.upsert_register(
            &Register {
                id: REGISTER.to_owned(),
                name: "Kiosk 1".to_owned(),
                kind: RegisterKind::Kiosk,
            },
            at,
        )?;
        for id in OPERATORS {
            ledger.upsert_operator(
                &Operator {
                    id: id.to_owned(),
                    name: id.to_owned(),
                    role: if id.starts_with("kiosk") {
                        OperatorRole::Kiosk
                    } else {
                        OperatorRole::Cashier
                    },
                    easysoft_users: id.to_owned(),
                    active: true,
                },
                at,
            )?;
        }
        Ok(Arc::new(ledger))
    }
}

/// The URLs of a [`World`], so that an engine in another process can use its simulators.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Endpoints {
    /// wePAY base URL.
    pub wepay: String,
    /// Easysoft endpoint.
    pub easysoft: String,
    /// Tmweasy endpoint.
    pub tmweasy: String,
    /// BluePay base URL.
    pub bluepay: String,
    /// Deposit-QR base URL.
    pub deposit: String,
    /// The engine's callback listener address.
    pub listen: SocketAddr,
}

impl Endpoints {
    /// Builds the real engine over real clients pointed at these simulators, and starts its
    /// callback listener.
    pub async fn engine(
        &self,
        ledger: Arc<Ledger>,
        crash: Arc<dyn CrashHook>,
    ) -> Result<Running, WorldError> {
        self.engine_on(ledger, crash, None).await
    }

    /// As [`Endpoints::engine`], serving callbacks on `socket` (else binding `listen`).
    pub async fn engine_on(
        &self,
        ledger: Arc<Ledger>,
        crash: Arc<dyn CrashHook>,
        socket: Option<tokio::net::TcpListener>,
    ) -> Result<Running, WorldError> {
        self.engine_with(ledger, crash, socket, &EngineOptions::default())
            .await
    }

    /// As [`Endpoints::engine_on`], with [`EngineOptions`].
    pub async fn engine_with(
        &self,
        ledger: Arc<Ledger>,
        crash: Arc<dyn CrashHook>,
        socket: Option<tokio::net::TcpListener>,
        options: &EngineOptions,
    ) -> Result<Running, WorldError> {
        self.engine_full(ledger, crash, socket, options, None).await
    }

    /// As [`Endpoints::engine_with`]; with `relay`, the providers call back at that base URL and
    /// token (a fleet hub) instead of the engine's own listener.
    async fn engine_full(
        &self,
        ledger: Arc<Ledger>,
        crash: Arc<dyn CrashHook>,
        socket: Option<tokio::net::TcpListener>,
        options: &EngineOptions,
        relay: Option<(Url, &str)>,
    ) -> Result<Running, WorldError> {
        let transport = Transport::new(termdee_providers::transport::TransportConfig {
            connect_timeout: Duration::from_millis(500),
            total_timeout: Duration::from_millis(400),
            ..termdee_providers::transport::TransportConfig::default()
        })
        .map_err(|e| WorldError::Transport(e.to_string()))?;
        let (callback_base, callback_token) = match relay {
            Some((base, token)) => (base, token),
            None => (
                Url::parse(&format!("http://{}/", self.listen))?,
                CALLBACK_TOKEN,
            ),
        };
        let wepay = WepayClient::new(
            WepayConfig {
                base_url: Url::parse(&self.wepay)?,
                username: "demo".to_owned(),
                password: SecretString::from("demo1234"),
                password_is_md5: false,
                callback_url: Some(callbacks::callback_url(
                    &callback_base,
                    "wepay",
                    callback_token,
                )?),
            },
            transport.clone(),
        );
        let easysoft = EasysoftClient::new(
            EasysoftConfig {
                endpoint: Url::parse(&self.easysoft)?,
                username: "demo".to_owned(),
                password: SecretString::from("demo1234"),
                users: None,
            },
            transport.clone(),
        );
        let tmweasy = TmweasyClient::new(
            TmweasyConfig {
                endpoint: Url::parse(&self.tmweasy)?,
                username: "demo".to_owned(),
                password: SecretString::from("demo1234"),
                con_id: SecretString::from("100001"),
                customer_ip: "127.0.0.1".to_owned(),
            },
            transport.clone(),
        );
        let bluepay = BluePayClient::new(
            BluePayConfig {
                base_url: Url::parse(&self.bluepay)?,
                app_id: termdee_sim::bluepay::BluepayMerchant::demo().app_id,
                merchant_private_key: SecretString::from(DEMO_MERCHANT_PRIVATE_KEY_PEM),
                bluepay_public_key: DEMO_PROVIDER_PUBLIC_KEY_PEM.to_owned(),
                notify_url: callbacks::callback_url(&callback_base, "bluepay", callback_token)?,
                redirect_url: Url::parse("http://127.0.0.1/done")?,
                channel_code: "TRUEMONEY_URL".to_owned(),
                customer_name: "Kiosk customer".to_owned(),
                email: "kiosk@example.com".to_owned(),
                mobile: "0812345678".to_owned(),
                expire_seconds: Some(600),
            },
            transport.clone(),
        )
        .map_err(|e| WorldError::Transport(e.to_string()))?;
        let deposit = DepositClient::new(
            DepositConfig {
                base_url: Url::parse(&self.deposit)?,
                token: SecretString::from("demo-bearer-token"),
                api_key: SecretString::from("0a1b2c3d4e5f60718293a4"),
                secret_key: SecretString::from("demo-secret-key"),
                callback_url: Some(callbacks::callback_url(
                    &callback_base,
                    "deposit_qr",
                    callback_token,
                )?),
                ref_account: "1448702118".to_owned(),
                ref_bank_code: "004".to_owned(),
                ref_name_th: "ลูกค้า หน้าร้าน".to_owned(),
                ref_name_en: None,
                ref_user_id: String::new(),
            },
            transport.clone(),
        );
        let mut topups: Vec<Arc<dyn TopupPort>> =
            vec![Arc::new(WepayPort(wepay)), Arc::new(EasysoftPort(easysoft))];
        if let Some(wrap) = &options.wrap_topup {
            topups = topups.into_iter().map(|port| wrap(port)).collect();
        }
        let mut payments: BTreeMap<PaymentMethod, Arc<dyn PaymentPort>> = BTreeMap::new();
        payments.insert(PaymentMethod::Tmweasy, Arc::new(TmweasyPort(tmweasy)));
        payments.insert(PaymentMethod::BluePay, Arc::new(BluePayPort(bluepay)));
        payments.insert(PaymentMethod::DepositQr, Arc::new(DepositQrPort(deposit)));
        if let Some(wrap) = &options.wrap_payment {
            payments = payments
                .into_iter()
                .map(|(method, port)| (method, wrap(method, port)))
                .collect();
        }
        let mut config = EngineConfig::for_register(REGISTER);
        config.backoff = options.backoff.clone().unwrap_or_else(|| {
            BTreeMap::from([
                ("wepay".to_owned(), Backoff::fast()),
                ("easysoft".to_owned(), Backoff::fast()),
            ])
        });
        config.payment_poll = Duration::from_millis(5);
        config.payment_grace = Duration::from_millis(200);
        let engine = Arc::new(
            Engine::new(ledger, Arc::new(SystemClock), topups, payments, config)
                .with_crash_hook(crash),
        );
        engine.refresh_catalogues().await;
        let listener = match socket {
            Some(socket) => socket,
            None => bind_again(self.listen).await?,
        };
        let serving = engine.clone();
        let listener = tokio::spawn(async move {
            let _ = callbacks::serve(serving, listener, CALLBACK_TOKEN.to_owned()).await;
        });
        Ok(Running { engine, listener })
    }
}

/// Binds the listener's address again after a restart (the old socket may linger a moment).
async fn bind_again(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let mut last = None;
    for _ in 0..50 {
        match tokio::net::TcpListener::bind(addr).await {
            Ok(listener) => return Ok(listener),
            Err(error) => last = Some(error),
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("could not bind")))
}
