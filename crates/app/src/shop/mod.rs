//! The shop: everything one machine runs, behind the desktop app's commands.
//!
//! A [`Shop`] owns the ledger, the sale engine and its providers, the secret store, the
//! settings, the callback listener and who is logged in. The desktop shell (`src-tauri`) holds
//! one and turns each IPC command into one call here, so every command — and every role check —
//! can be tested without a window.
//!
//! Key decisions:
//!
//! - **Roles are checked here, on every command** (`crate::auth`), whatever the UI shows. A
//!   kiosk sells by QR only; a cashier sells and settles their own shift; the owner does the rest.
//! - **Demo mode is decided, not configured.** With no top-up provider enabled and complete, the
//!   shop starts the simulators ([`demo`]) and sells on them, on a ledger file of its own, and
//!   [`ShopStatus::demo`] makes the screen say so. Configuring a real provider ends the demo.
//! - **Settings are applied by restarting the engine.** The engine keeps nothing the ledger does
//!   not hold, so saving settings stops the running engine (and its listener) and starts a new
//!   one over the same ledger; open sales simply resume.
//! - **A machine that must not sell says why.** A ledger that fails its self-check, invalid
//!   settings or no usable provider become [`ShopStatus::problems`], and every sale is refused
//!   with the matching code while the owner can still log in and fix the settings.
//!
//! [`views`] is the contract with the screens: every request and reply, generated as TypeScript.

pub mod demo;
pub mod fleet_view;
pub mod providers;
mod receipts;
pub mod secrets;
mod selling;
pub mod views;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use termdee_domain::{Clock, UnixMillis};
use termdee_ledger::{Ledger, Register, RegisterKind};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

use crate::auth::{self, Operators, Permission, Session};
use crate::engine::{callbacks, Backoff, Engine, EngineConfig};
use crate::error::{AppError, ErrorCode};
use crate::fleet::{self, FleetConfig, FleetHandle, HubSettings};
use crate::settings::Settings;
use demo::DemoProviders;
use providers::{CallbackTarget, Ports};
use secrets::SecretStore;
use views::{
    AppMode, ConnectionTest, LoginRequest, OperatorUpdate, OperatorView, OwnerSetup, ProviderId,
    SaleUpdated, SettingsUpdate, SettingsView, ShopStatus,
};

/// The secret path token of the callback listener (`/callback/<provider>/<token>`).
const CALLBACK_TOKEN_SECRET: &str = "callback.token";
/// The fleet hub's register token.
const HUB_TOKEN_SECRET: &str = "hub.token";

/// Where the shop keeps its files.
#[derive(Debug, Clone)]
pub struct ShopPaths {
    /// `settings.json`.
    pub config_dir: PathBuf,
    /// The ledgers, the sealed secrets, the print queue, the logs.
    pub data_dir: PathBuf,
}

impl ShopPaths {
    /// `settings.json` in the config folder.
    pub fn settings_file(&self) -> PathBuf {
        self.config_dir.join("settings.json")
    }

    /// The ledger: `ledger.sqlite`, or `demo.sqlite` for demo sales, never mixed.
    pub fn ledger_file(&self, demo: bool) -> PathBuf {
        self.data_dir
            .join(if demo { "demo.sqlite" } else { "ledger.sqlite" })
    }
}

/// How the shop runs its engine (tests shorten the timings).
#[derive(Debug, Clone)]
pub struct ShopOptions {
    /// How often the engine looks at open sales.
    pub tick: Duration,
    /// Argon2 cost for PINs (tests use a light one).
    pub pin_cost: auth::PinCost,
    /// Start the simulators when no provider is configured (the app); tests of a configured
    /// shop turn it off to see the "no provider" problem instead.
    pub demo_allowed: bool,
}

impl Default for ShopOptions {
    fn default() -> Self {
        ShopOptions {
            tick: Duration::from_millis(1_000),
            pin_cost: auth::PinCost::OWASP,
            demo_allowed: true,
        }
    }
}

/// The engine and everything started with it, replaced as a whole when settings change.
#[derive(Debug)]
struct Running {
    engine: Arc<Engine>,
    demo: Option<DemoProviders>,
    ports: Ports,
    problems: Vec<AppError>,
    tasks: Vec<JoinHandle<()>>,
    /// The outbox sender and relay client, when a hub is set (stopped when dropped).
    _fleet: Option<FleetHandle>,
}

impl Drop for Running {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// One machine's shop.
#[derive(Debug)]
pub struct Shop {
    paths: ShopPaths,
    clock: Arc<dyn Clock>,
    options: ShopOptions,
    secrets: Arc<dyn SecretStore>,
    settings: RwLock<Result<Settings, AppError>>,
    ledger: RwLock<Result<Arc<Ledger>, AppError>>,
    running: RwLock<Option<Arc<Running>>>,
    session: Mutex<Option<Session>>,
    updates: broadcast::Sender<SaleUpdated>,
    print_queue: Result<termdee_receipt::PrintQueue, AppError>,
    // Serialises reconfiguration: two saves never build two engines at once.
    reconfiguring: tokio::sync::Mutex<()>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}

/// Writes `text` into `folder` as `<stem>.csv`, or `<stem>-2.csv`, `-3`, ... when that name is
/// taken (an owner's earlier export is never overwritten), synced to disk; returns the path.
fn save_new_file(folder: &Path, stem: &str, text: &str) -> Result<PathBuf, AppError> {
    let cannot = |error: std::io::Error| {
        AppError::new(
            ErrorCode::Internal,
            format!("cannot save the report in {}: {error}", folder.display()),
        )
    };
    std::fs::create_dir_all(folder).map_err(cannot)?;
    for attempt in 1..=1000 {
        let name = if attempt == 1 {
            format!("{stem}.csv")
        } else {
            format!("{stem}-{attempt}.csv")
        };
        let path = folder.join(name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut file) => {
                use std::io::Write;
                file.write_all(text.as_bytes()).map_err(cannot)?;
                file.sync_all().map_err(cannot)?;
                return Ok(path);
            }
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(cannot(error)),
        }
    }
    Err(AppError::new(
        ErrorCode::Internal,
        format!(
            "too many saved reports named {stem} in {}",
            folder.display()
        ),
    ))
}

/// The hub's URL from the settings, or `None` when none is set (the register's sender and the
/// owner's fleet view both start from it).
fn hub_url(settings: &Settings) -> Result<Option<url::Url>, AppError> {
    let url = settings.hub_url.trim();
    if url.is_empty() {
        return Ok(None);
    }
    url::Url::parse(url).map(Some).map_err(|error| {
        AppError::new(
            ErrorCode::InvalidSettings,
            format!("the hub URL {url:?}: {error}"),
        )
    })
}

pub(crate) fn internal(error: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorCode::Internal, error.to_string())
}

impl Shop {
    /// Opens the shop: settings, secrets, ledger, and starts the engine (or the demo). Never
    /// fails for a problem a person can fix from the screen: those become `problems`.
    pub async fn open(
        paths: ShopPaths,
        clock: Arc<dyn Clock>,
        options: ShopOptions,
    ) -> Result<Arc<Shop>, AppError> {
        std::fs::create_dir_all(&paths.data_dir).map_err(|error| {
            internal(format!(
                "cannot create {}: {error}",
                paths.data_dir.display()
            ))
        })?;
        let secrets: Arc<dyn SecretStore> = Arc::from(secrets::open_store(&paths.data_dir)?);
        let settings = Settings::load(&paths.settings_file());
        let (updates, _) = broadcast::channel(256);
        let print_queue = receipts::open_queue(&paths.data_dir, clock.clone());
        let shop = Arc::new(Shop {
            paths,
            clock,
            options,
            secrets,
            settings: RwLock::new(settings),
            ledger: RwLock::new(Err(AppError::new(
                ErrorCode::LedgerUnavailable,
                "the ledger is not open yet",
            ))),
            running: RwLock::new(None),
            session: Mutex::new(None),
            updates,
            print_queue,
            reconfiguring: tokio::sync::Mutex::new(()),
        });
        shop.restart().await;
        Ok(shop)
    }

    /// Sale changes for the screens (the Tauri event `sale-updated`).
    pub fn subscribe(&self) -> broadcast::Receiver<SaleUpdated> {
        self.updates.subscribe()
    }

    fn now(&self) -> UnixMillis {
        self.clock.now()
    }

    fn settings(&self) -> Result<Settings, AppError> {
        read(&self.settings).clone()
    }

    /// The settings in force, or the defaults where the file was refused (for screens that must
    /// still show something, e.g. the language).
    fn settings_or_default(&self) -> Settings {
        self.settings().unwrap_or_default()
    }

    fn ledger(&self) -> Result<Arc<Ledger>, AppError> {
        read(&self.ledger).clone()
    }

    fn running(&self) -> Result<Arc<Running>, AppError> {
        read(&self.running).clone().ok_or_else(|| {
            AppError::new(
                ErrorCode::LedgerUnavailable,
                "the sale engine is not running (see the problems on screen)",
            )
        })
    }

    fn session(&self) -> Result<Session, AppError> {
        lock(&self.session)
            .clone()
            .ok_or_else(|| AppError::new(ErrorCode::NotLoggedIn, "nobody is logged in"))
    }

    fn operators<'a>(&'a self, ledger: &'a Ledger) -> Operators<'a> {
        Operators::new(ledger, self.clock.as_ref(), self.options.pin_cost)
    }

    fn is_demo(&self) -> bool {
        read(&self.running)
            .as_ref()
            .is_some_and(|running| running.demo.is_some())
    }

    /// Stops the running engine and starts it again from the settings in force.
    async fn restart(&self) {
        let _one_at_a_time = self.reconfiguring.lock().await;
        // Stop first: two engines must never drive the same ledger.
        let previous = write(&self.running).take();
        drop(previous);
        let settings = self.settings();
        let started = match settings {
            Ok(settings) => self.start(&settings).await,
            Err(problem) => Err(problem),
        };
        match started {
            Ok(running) => {
                *write(&self.running) = Some(Arc::new(running));
            }
            Err(problem) => {
                tracing::warn!(code = ?problem.code, message = %problem.message, "the shop cannot sell");
            }
        }
        self.resume_session_for_mode();
    }

    fn callback_token(&self) -> Result<SecretString, AppError> {
        if let Some(token) = self.secrets.get(CALLBACK_TOKEN_SECRET)? {
            return Ok(token);
        }
        let token = SecretString::from(random_token());
        self.secrets.set(CALLBACK_TOKEN_SECRET, &token)?;
        Ok(token)
    }

    async fn start(&self, settings: &Settings) -> Result<Running, AppError> {
        let store = self.secrets.as_ref();
        let configured_topups = ProviderId::ALL
            .into_iter()
            .filter(|p| p.sells_topups())
            .filter(|p| settings.providers.get(p).is_some_and(|s| s.enabled))
            .count();
        let demo = configured_topups == 0 && self.options.demo_allowed;
        let ledger = self.open_ledger(demo, settings)?;
        let token = self.callback_token()?;
        let transport = providers::transport()?;
        // A demo sells on simulators: its sales never go to the owner's hub.
        let hub = if demo {
            None
        } else {
            self.hub_settings(settings)?
        };
        let mut tasks = Vec::new();
        let (ports, problems, demo_providers, listener) = if demo {
            let simulators = DemoProviders::start().await.map_err(internal)?;
            // Demo callbacks come from the simulators on this machine: listen on loopback.
            let listener = callbacks::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
                .await
                .map_err(internal)?;
            let base = url::Url::parse(&format!(
                "http://{}/",
                listener.local_addr().map_err(internal)?
            ))
            .map_err(internal)?;
            let target = CallbackTarget {
                base,
                token: token.clone(),
            };
            let mut ports = Ports::default();
            for values in simulators.values() {
                providers::build_port(&values, Some(&target), &transport, &mut ports)?;
            }
            (ports, Vec::new(), Some(simulators), Some(listener))
        } else {
            let listener = match settings.callback_listen.trim() {
                "" => None,
                address => {
                    let address: SocketAddr = address.parse().map_err(internal)?;
                    Some(callbacks::bind(address).await.map_err(|error| {
                        AppError::new(
                            ErrorCode::InvalidSettings,
                            format!("the callback listener cannot listen on {address}: {error}"),
                        )
                    })?)
                }
            };
            let target = match (settings.public_url.trim(), &hub) {
                // Reachable from the internet itself: providers call it directly.
                (base, _) if !base.is_empty() => Some(CallbackTarget {
                    base: url::Url::parse(base).map_err(internal)?,
                    token: token.clone(),
                }),
                // Behind the shop's NAT: providers call the hub, which relays to this register.
                (_, Some(hub)) => Some(CallbackTarget {
                    base: hub.callback_base(&settings.register_id).map_err(internal)?,
                    token: SecretString::from(hub.callback_token()),
                }),
                (_, None) => None,
            };
            let (ports, mut problems) =
                providers::build_ports(settings, store, target.as_ref(), &transport)?;
            if ports.topups.is_empty() {
                problems.push(AppError::new(
                    ErrorCode::InvalidSettings,
                    "no top-up provider is set up completely: nothing can be sold",
                ));
            }
            (ports, problems, None, listener)
        };
        let mut config = EngineConfig::for_register(settings.register_id.clone());
        config.routing = settings.routing.clone();
        config.local_qr_lifetime = Duration::from_secs(u64::from(settings.qr_countdown_seconds));
        if demo {
            // The simulators answer in about a second and a half: look often so a person sees
            // each step as it happens.
            let quick = Backoff {
                first_ms: 700,
                max_ms: 5_000,
                max_checks: 60,
            };
            config.backoff = [("wepay".to_owned(), quick), ("easysoft".to_owned(), quick)].into();
            config.payment_poll = Duration::from_millis(1_000);
        }
        let engine = Arc::new(Engine::new(
            ledger.clone(),
            self.clock.clone(),
            ports.topups.clone(),
            ports.payments.clone(),
            config,
        ));
        engine.refresh_catalogues().await;
        // Every open sale is resumed before a new one can be started: `run` resumes first, and
        // sales are refused until `running` is set below.
        engine.resume().await.map_err(|e| internal(e.to_string()))?;
        let looping = engine.clone();
        let tick = self.options.tick;
        tasks.push(tokio::spawn(async move {
            if let Err(error) = looping.run(tick).await {
                tracing::error!(%error, "the sale engine stopped");
            }
        }));
        let catalogue = engine.clone();
        tasks.push(tokio::spawn(async move {
            // Catalogues and network status change during the day (Easysoft `online`).
            let mut timer = tokio::time::interval(Duration::from_secs(300));
            timer.tick().await;
            loop {
                timer.tick().await;
                catalogue.refresh_catalogues().await;
            }
        }));
        if let Some(listener) = listener {
            let serving = engine.clone();
            let token = token.expose_secret().to_owned();
            tasks.push(tokio::spawn(async move {
                if let Err(error) = callbacks::serve(serving, listener, token).await {
                    tracing::error!(%error, "the callback listener stopped");
                }
            }));
        }
        tasks.push(self.forward_updates(&engine));
        if let Ok(queue) = &self.print_queue {
            tasks.extend(receipts::start_worker(queue, settings));
        }
        let fleet = match &hub {
            Some(hub) => Some(
                fleet::spawn(
                    hub,
                    engine.clone(),
                    self.clock.clone(),
                    ports.topups.clone(),
                    FleetConfig::default(),
                )
                .map_err(|error| {
                    AppError::new(
                        ErrorCode::InvalidSettings,
                        format!("the hub cannot be reached as set: {error}"),
                    )
                })?,
            ),
            None => None,
        };
        Ok(Running {
            engine,
            demo: demo_providers,
            ports,
            problems,
            tasks,
            _fleet: fleet,
        })
    }

    /// The hub this register sends to, when both its URL and the register token are set.
    fn hub_settings(&self, settings: &Settings) -> Result<Option<HubSettings>, AppError> {
        let Some(url) = hub_url(settings)? else {
            return Ok(None);
        };
        let Some(token) = self.secrets.get(HUB_TOKEN_SECRET)? else {
            return Ok(None);
        };
        Ok(Some(HubSettings::new(url, token)))
    }

    fn open_ledger(&self, demo: bool, settings: &Settings) -> Result<Arc<Ledger>, AppError> {
        let file = self.paths.ledger_file(demo);
        let current = self.ledger().ok();
        let ledger = match current {
            Some(ledger) if ledger.path() == file => ledger,
            _ => {
                std::fs::create_dir_all(&self.paths.data_dir).map_err(internal)?;
                let opened = Ledger::open(&file).map(Arc::new).map_err(|error| {
                    AppError::new(
                        ErrorCode::LedgerUnavailable,
                        format!("the ledger {} failed its check: {error}", file.display()),
                    )
                });
                if let (Ok(new), Some(previous)) = (&opened, self.ledger().ok()) {
                    // Leaving (or entering) the demo keeps the people: the owner set up in the
                    // demo is the owner of the real shop too.
                    new.copy_operators_from(&previous).map_err(internal)?;
                }
                *write(&self.ledger) = opened.clone();
                opened?
            }
        };
        ledger
            .upsert_register(
                &Register {
                    id: settings.register_id.clone(),
                    name: settings.register_name.clone(),
                    kind: match settings.mode {
                        AppMode::Kiosk => RegisterKind::Kiosk,
                        AppMode::Counter => RegisterKind::Counter,
                    },
                },
                self.now(),
            )
            .map_err(internal)?;
        Ok(ledger)
    }

    fn forward_updates(&self, engine: &Engine) -> JoinHandle<()> {
        let mut events = engine.subscribe();
        let updates = self.updates.clone();
        tokio::spawn(async move {
            loop {
                match events.recv().await {
                    Ok(event) => {
                        let _ = updates.send(SaleUpdated {
                            needs_attention: event.state.needs_person(),
                            sale_id: event.sale_id,
                            state: event.state,
                        });
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        })
    }

    /// In kiosk mode the machine is logged in as its kiosk operator; leaving kiosk mode (or a
    /// restart in counter mode) leaves nobody logged in.
    fn resume_session_for_mode(&self) {
        let settings = self.settings_or_default();
        let Ok(ledger) = self.ledger() else {
            *lock(&self.session) = None;
            return;
        };
        let mut session = lock(&self.session);
        match settings.mode {
            AppMode::Kiosk => {
                let kiosk = self
                    .operators(&ledger)
                    .kiosk_operator(&settings.register_id, &settings.register_name);
                *session = kiosk.ok();
            }
            AppMode::Counter => {
                if session
                    .as_ref()
                    .is_some_and(|s| s.operator.role == views::Role::Kiosk)
                {
                    *session = None;
                }
            }
        }
    }

    // ----- status and people ---------------------------------------------------------------

    /// Everything the shell needs to choose a screen.
    pub fn status(&self) -> ShopStatus {
        let settings = self.settings_or_default();
        let mut problems = Vec::new();
        if let Err(problem) = self.settings() {
            problems.push(problem);
        }
        let ledger = self.ledger();
        if let Err(problem) = &ledger {
            problems.push(problem.clone());
        }
        if let Some(running) = read(&self.running).as_ref() {
            problems.extend(running.problems.iter().cloned());
        }
        let session = lock(&self.session).clone();
        let (setup_needed, shift, attention_count) = match &ledger {
            Ok(ledger) => {
                let setup_needed = self.operators(ledger).setup_needed().unwrap_or(false);
                let shift = session
                    .as_ref()
                    .and_then(|s| self.shifts(ledger).current(s).ok().flatten());
                let attention = session
                    .as_ref()
                    .and_then(|s| selling::attention(ledger, s).ok())
                    .map_or(0, |sales| i64::try_from(sales.len()).unwrap_or(i64::MAX));
                (setup_needed, shift, attention)
            }
            Err(_) => (false, None, 0),
        };
        ShopStatus {
            demo: self.is_demo(),
            setup_needed,
            mode: settings.mode,
            shop_name: settings.shop_name.clone(),
            register_id: settings.register_id.clone(),
            register_name: settings.register_name.clone(),
            language: settings.language,
            operator: session.map(|s| s.operator),
            shift,
            problems,
            attention_count,
            kiosk_idle_seconds: settings.kiosk_idle_seconds,
        }
    }

    /// The first start: creates the owner (there is no default PIN) and logs them in.
    pub async fn setup_owner(&self, setup: &OwnerSetup) -> Result<ShopStatus, AppError> {
        let ledger = self.ledger()?;
        let owner = self.operators(&ledger).setup_owner(setup)?;
        let settings = self.settings()?;
        if setup.shop_name.trim() != settings.shop_name {
            let mut changed = settings.clone();
            changed.shop_name = setup.shop_name.trim().to_owned();
            changed.save(&self.paths.settings_file())?;
            *write(&self.settings) = Ok(changed);
        }
        *lock(&self.session) = Some(Session {
            operator: owner,
            register_id: settings.register_id,
        });
        Ok(self.status())
    }

    /// Who can log in here (no secrets).
    pub fn login_choices(&self) -> Result<Vec<OperatorView>, AppError> {
        let ledger = self.ledger()?;
        self.operators(&ledger).login_choices()
    }

    /// Logs an operator in with their PIN.
    pub fn login(&self, request: &LoginRequest) -> Result<ShopStatus, AppError> {
        let settings = self.settings_or_default();
        if settings.mode == AppMode::Kiosk {
            return Err(AppError::new(
                ErrorCode::InvalidRequest,
                "this machine is a kiosk: leave kiosk mode with the owner PIN first",
            ));
        }
        let ledger = self.ledger()?;
        let session = self
            .operators(&ledger)
            .login(request, &settings.register_id)?;
        *lock(&self.session) = Some(session);
        Ok(self.status())
    }

    /// Logs out (a kiosk cannot: it leaves kiosk mode with the owner PIN).
    pub fn logout(&self) -> Result<ShopStatus, AppError> {
        let mut session = lock(&self.session);
        if session
            .as_ref()
            .is_some_and(|s| s.operator.role == views::Role::Kiosk)
        {
            return Err(AppError::new(
                ErrorCode::NotPermitted,
                "a kiosk stays logged in: leave kiosk mode with the owner PIN",
            ));
        }
        *session = None;
        drop(session);
        Ok(self.status())
    }

    /// The owner's operator list.
    pub fn operators_list(&self) -> Result<Vec<OperatorView>, AppError> {
        let ledger = self.ledger()?;
        self.operators(&ledger).list(&self.session()?)
    }

    /// The owner adds or changes an operator.
    pub fn save_operator(&self, update: &OperatorUpdate) -> Result<OperatorView, AppError> {
        let ledger = self.ledger()?;
        self.operators(&ledger).save(&self.session()?, update)
    }

    /// The owner unlocks an operator locked by wrong PINs.
    pub fn unlock_operator(&self, operator_id: &str) -> Result<OperatorView, AppError> {
        let ledger = self.ledger()?;
        self.operators(&ledger)
            .unlock(&self.session()?, operator_id)
    }

    /// The owner turns this machine into an unattended kiosk.
    pub async fn enter_kiosk(&self) -> Result<ShopStatus, AppError> {
        auth::require(&self.session()?, Permission::ChangeSettings)?;
        self.set_mode(AppMode::Kiosk).await
    }

    /// Leaves kiosk mode with the owner's PIN.
    pub async fn leave_kiosk(&self, pin: &str) -> Result<ShopStatus, AppError> {
        let ledger = self.ledger()?;
        self.operators(&ledger).check_owner_pin(pin)?;
        self.set_mode(AppMode::Counter).await
    }

    async fn set_mode(&self, mode: AppMode) -> Result<ShopStatus, AppError> {
        let mut settings = self.settings()?;
        if settings.mode != mode {
            settings.mode = mode;
            settings.save(&self.paths.settings_file())?;
            // The register's kind follows the mode (reports by register tell them apart).
            self.open_ledger(self.is_demo(), &settings)?;
            *write(&self.settings) = Ok(settings);
        }
        *lock(&self.session) = None;
        self.resume_session_for_mode();
        Ok(self.status())
    }

    fn shifts<'a>(&'a self, ledger: &'a Ledger) -> crate::shifts::Shifts<'a> {
        crate::shifts::Shifts::new(ledger, self.clock.as_ref())
    }

    // ----- shifts and owner reports --------------------------------------------------------

    /// Opens the shift at this register with the cash float.
    pub fn open_shift(&self, request: &views::OpenShift) -> Result<ShopStatus, AppError> {
        let ledger = self.ledger()?;
        self.shifts(&ledger).open(&self.session()?, request)?;
        Ok(self.status())
    }

    /// Closes the shift with a blind count: the expected figure comes only with the result.
    pub fn close_shift(&self, request: &views::CloseShift) -> Result<views::ShiftClosed, AppError> {
        let ledger = self.ledger()?;
        self.shifts(&ledger).close(&self.session()?, request)
    }

    /// An owner report (a cashier gets only their own line).
    pub fn report(&self, request: &views::ReportRequest) -> Result<views::ReportView, AppError> {
        let ledger = self.ledger()?;
        crate::reports::report(&ledger, &self.session()?, request)
    }

    /// The same report as CSV.
    pub fn report_csv(&self, request: &views::ReportRequest) -> Result<String, AppError> {
        let ledger = self.ledger()?;
        crate::reports::report_csv(&ledger, &self.session()?, request)
    }

    /// Writes the report's CSV into `folder` (the owner's Downloads folder on a desktop) as
    /// `termdee-<by>-<from>-<to>.csv`, never over an existing file (`-2`, `-3`, ... are added), and
    /// returns where it went. A webview's blob download goes nowhere in WebKitGTK without a
    /// download handler, so the file is written by the backend, where the owner can be told
    /// exactly where it is.
    pub fn save_report_csv(
        &self,
        request: &views::ReportRequest,
        folder: &Path,
    ) -> Result<PathBuf, AppError> {
        let csv = self.report_csv(request)?;
        let stem = format!(
            "termdee-{}-{}-{}",
            request.by.code(),
            request.from,
            request.to
        );
        save_new_file(folder, &stem, &csv)
    }

    /// Every top-up provider's balance and network status, with the low-balance alert.
    pub async fn balances(&self) -> Result<Vec<views::ProviderBalance>, AppError> {
        let session = self.session()?;
        let running = self.running()?;
        let low = self.settings_or_default().low_balance_alert;
        crate::reports::balances(&session, &running.ports.topups, low).await
    }

    /// One day of our ledger against each provider's records.
    pub async fn reconcile(&self, day: &str) -> Result<views::ReconciliationView, AppError> {
        let session = self.session()?;
        let running = self.running()?;
        let ledger = self.ledger()?;
        crate::reports::reconcile(&ledger, &session, &running.ports.topups, day).await
    }

    // ----- settings ------------------------------------------------------------------------

    /// The settings screen (owner only; secrets as hints).
    pub fn settings_view(&self) -> Result<SettingsView, AppError> {
        auth::require(&self.session()?, Permission::ChangeSettings)?;
        let settings = self.settings_or_default();
        Ok(SettingsView {
            shop_name: settings.shop_name.clone(),
            promptpay_id: settings.promptpay_id.clone(),
            register_id: settings.register_id.clone(),
            register_name: settings.register_name.clone(),
            language: settings.language,
            qr_countdown_seconds: settings.qr_countdown_seconds,
            kiosk_idle_seconds: settings.kiosk_idle_seconds,
            callback_listen: settings.callback_listen.clone(),
            public_url: settings.public_url.clone(),
            low_balance_alert: settings.low_balance_alert,
            routing: settings.routes(),
            providers: providers::settings_views(&settings, self.secrets.as_ref())?,
            printer: settings.printer.clone(),
            printer_width_dots: settings.printer_width_dots,
            hub_url: settings.hub_url.clone(),
            hub_token_set: self.secrets.get(HUB_TOKEN_SECRET)?.is_some(),
            hub_owner_token_set: self
                .secrets
                .get(fleet_view::HUB_OWNER_TOKEN_SECRET)?
                .is_some(),
            secret_store: self.secrets.kind().to_owned(),
        })
    }

    /// Saves the settings screen (owner only). Checked in full before anything is written;
    /// provider, routing and payment settings cannot change while a shift is open.
    pub async fn save_settings(&self, update: &SettingsUpdate) -> Result<SettingsView, AppError> {
        let session = self.session()?;
        auth::require(&session, Permission::ChangeSettings)?;
        let current = self.settings_or_default();
        let mut next = current.clone();
        next.shop_name = update.shop_name.trim().to_owned();
        next.promptpay_id = update.promptpay_id.trim().to_owned();
        next.register_name = update.register_name.trim().to_owned();
        next.language = update.language;
        next.qr_countdown_seconds = update.qr_countdown_seconds;
        next.kiosk_idle_seconds = update.kiosk_idle_seconds;
        next.callback_listen = update.callback_listen.trim().to_owned();
        next.public_url = update.public_url.trim().to_owned();
        next.low_balance_alert = update.low_balance_alert;
        next.set_routes(&update.routing);
        next.printer = update.printer.trim().to_owned();
        next.printer_width_dots = update.printer_width_dots;
        next.hub_url = update.hub_url.trim().to_owned();
        let mut secret_changes: Vec<(String, SecretString)> = Vec::new();
        for provider_update in &update.providers {
            let provider = provider_update.provider;
            let own = next.providers.entry(provider).or_default();
            own.enabled = provider_update.enabled;
            for (key, value) in &provider_update.values {
                let spec = providers::fields(provider)
                    .iter()
                    .find(|f| f.key == key && !f.secret)
                    .ok_or_else(|| {
                        AppError::new(
                            ErrorCode::InvalidSettings,
                            format!("{} has no setting {key:?}", provider.code()),
                        )
                    })?;
                own.values
                    .insert(spec.key.to_owned(), value.trim().to_owned());
            }
            for (key, value) in &provider_update.secrets {
                let Some(value) = value else { continue };
                if !providers::fields(provider)
                    .iter()
                    .any(|f| f.key == key && f.secret)
                {
                    return Err(AppError::new(
                        ErrorCode::InvalidSettings,
                        format!("{} has no secret {key:?}", provider.code()),
                    ));
                }
                secret_changes.push((
                    providers::secret_name(provider, key),
                    SecretString::from(value.clone()),
                ));
            }
        }
        if let Some(token) = &update.hub_token {
            secret_changes.push((
                HUB_TOKEN_SECRET.to_owned(),
                SecretString::from(token.clone()),
            ));
        }
        // The owner token only reads the hub: changing it touches no money setting, so it does
        // not wait for the shift to close.
        let owner_token_change = update.hub_owner_token.as_ref().map(|token| {
            (
                fleet_view::HUB_OWNER_TOKEN_SECRET.to_owned(),
                SecretString::from(token.trim().to_owned()),
            )
        });
        next.validate()?;
        let money_settings_changed = next.providers != current.providers
            || next.routing != current.routing
            || next.promptpay_id != current.promptpay_id
            || !secret_changes.is_empty();
        if money_settings_changed {
            let ledger = self.ledger()?;
            self.shifts(&ledger).ensure_none_open()?;
        }
        for (name, value) in secret_changes.iter().chain(&owner_token_change) {
            self.secrets.set(name, value)?;
        }
        next.save(&self.paths.settings_file())?;
        *write(&self.settings) = Ok(next);
        self.restart().await;
        // The owner who saved stays logged in across the restart.
        if lock(&self.session).is_none() && self.settings_or_default().mode == AppMode::Counter {
            *lock(&self.session) = Some(session);
        }
        self.settings_view()
    }

    /// "Test connection": asks a provider for its balance (top-up providers) or checks its
    /// settings build a client (payment providers, which have no harmless query).
    pub async fn test_connection(&self, provider: ProviderId) -> Result<ConnectionTest, AppError> {
        auth::require(&self.session()?, Permission::ChangeSettings)?;
        let running = self.running()?;
        let failed = |error: AppError| ConnectionTest {
            provider,
            ok: false,
            balance_display: None,
            error: Some(error),
        };
        if provider.sells_topups() {
            let Some(port) = running
                .ports
                .topups
                .iter()
                .find(|p| p.name() == provider.code())
            else {
                let missing = providers::missing_fields(
                    provider,
                    &self.settings_or_default(),
                    self.secrets.as_ref(),
                )?;
                return Ok(failed(AppError::new(
                    ErrorCode::InvalidSettings,
                    if missing.is_empty() {
                        format!("{} is not enabled", provider.code())
                    } else {
                        format!("{} is missing {}", provider.code(), missing.join(", "))
                    },
                )));
            };
            return Ok(match port.balance().await {
                Ok(balance) => ConnectionTest {
                    provider,
                    ok: true,
                    balance_display: Some(balance.available.to_string()),
                    error: None,
                },
                Err(error) => failed(AppError::new(
                    ErrorCode::ProviderUnavailable,
                    error.to_string(),
                )),
            });
        }
        let method = provider
            .payment_method()
            .ok_or_else(|| internal("no method"))?;
        Ok(if running.ports.payments.contains_key(&method) {
            ConnectionTest {
                provider,
                ok: true,
                balance_display: None,
                error: None,
            }
        } else {
            let missing = providers::missing_fields(
                provider,
                &self.settings_or_default(),
                self.secrets.as_ref(),
            )?;
            failed(AppError::new(
                ErrorCode::InvalidSettings,
                format!("{} is missing {}", provider.code(), missing.join(", ")),
            ))
        })
    }

    /// Stops the engine and its tasks (the app is closing).
    pub fn shut_down(&self) {
        write(&self.running).take();
    }

    /// The folder the shop keeps its data in.
    pub fn data_dir(&self) -> &Path {
        &self.paths.data_dir
    }
}

/// A random 128-bit token as 32 hex characters.
fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
