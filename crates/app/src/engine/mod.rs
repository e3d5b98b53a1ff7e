//! The sale engine: from "customer paid" to "credit delivered", through crashes.
//!
//! Every step has the same shape: read the sale from the ledger, decide, commit the intent,
//! call the provider, commit what came back. Nothing is remembered in memory that the ledger
//! does not hold, so a restart is just "drive every open sale again" ([`Engine::resume`]).
//!
//! - **Payment.** A sale is written awaiting payment with its first payment attempt. Cash and
//!   the local PromptPay QR are confirmed by the cashier ([`Engine::confirm_payment`]); a QR
//!   provider's bill is created through a [`PaymentPort`], shown until its expiry, and settled
//!   by status queries (or callbacks). An unknown create is repeated the way the provider allows
//!   ([`Recreate`]); a bill that expires gets a last query, so a payment made at the last second
//!   still counts.
//! - **Top-up.** A paid sale is routed ([`routing`]) to the first provider of its network that
//!   is not offline, out of balance or failing. The intent (key and state) is committed before
//!   the request leaves. An accepted order is settled by status queries with the provider's
//!   backoff ([`Backoff`]; Easysoft answers ≥ 10 s after a refill), or by a verified callback.
//!   An unknown outcome is settled by resending the *same* key where the provider deduplicates
//!   (wePAY `dest_ref`), and by a person where it does not (Easysoft): never by a new key. A
//!   definite refusal before execution moves on to the next provider; a top-up that executed
//!   and failed makes the sale refund-due.
//! - **People.** Refund-due and needs-attention sales stay in [`Engine::needing_person`] until an
//!   owner resolves them; each resolution is an event with the actor.

pub mod callbacks;
pub mod crash;
pub mod ports;
pub mod routing;

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::Serialize;
use termdee_domain::{
    Actor, ActorKind, Clock, Msisdn, Network, PaymentMethod, SaleState, Satang, UnixMillis,
};
use termdee_ledger::{
    Applied, Ledger, LedgerError, NewPayment, NewSale, NewTopup, Payment, PaymentEnd, PaymentState,
    Sale, Topup, TopupState,
};
use termdee_providers::{NextStep, ProviderError, RejectKind, TopupOutcome, TopupStatus};
use termdee_providers::{
    QrCreateOutcome, QrExpiry, QrNextStep, QrPaymentRef, QrPaymentRequest, QrPaymentStatus,
};
use tokio::sync::broadcast;

use crate::error::{AppError, ErrorCode};
pub use crash::{CrashHook, Crashed, KillAtHit, NoCrash, PauseForKill, CRASH_POINTS};
pub use ports::{PaymentPort, Recreate, Resend, TopupCall, TopupPort};
pub use routing::{Backoff, Routing};

/// Why an engine call failed.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The request was refused; nothing was written.
    #[error(transparent)]
    Refused(#[from] AppError),
    /// The ledger failed; the step did not happen (it will be retried from the ledger's state).
    #[error("ledger: {0}")]
    Ledger(#[from] LedgerError),
    /// Injected kill (tests only).
    #[error(transparent)]
    Crashed(#[from] Crashed),
}

/// What the engine tells the screens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EngineEvent {
    /// Which kind of change.
    pub kind: EngineEventKind,
    /// The sale.
    pub sale_id: String,
    /// Its state after the change.
    pub state: SaleState,
}

/// Kinds of [`EngineEvent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EngineEventKind {
    /// A sale was written.
    SaleCreated,
    /// A payment attempt opened, was paid, expired or was cancelled.
    PaymentUpdated,
    /// A top-up was requested, accepted or settled.
    TopupUpdated,
    /// A person must act (refund due, outcome needing reconciliation).
    NeedsAttention,
}

/// What a cashier or kiosk asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleRequest {
    /// Who sells.
    pub operator_id: String,
    /// The network chosen.
    pub network: Network,
    /// The number as typed.
    pub phone: String,
    /// The credit.
    pub amount: Satang,
    /// How the customer pays.
    pub method: PaymentMethod,
}

/// What can be sold of one network now (see [`Engine::network_offer`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkOffer {
    /// Every denomination a routed provider lists, ascending (empty: any whole baht in range).
    pub amounts: Vec<Satang>,
    /// The smallest amount any routed provider sells.
    pub min: Option<Satang>,
    /// The largest amount any routed provider sells.
    pub max: Option<Satang>,
    /// Whether a routed provider can sell it now (not offline, not skipped after failures).
    pub available: bool,
}

/// Engine settings.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// This machine's register.
    pub register_id: String,
    /// Which top-up providers sell which network, in order.
    pub routing: Routing,
    /// Status-query schedule per top-up provider name.
    pub backoff: BTreeMap<String, Backoff>,
    /// How often an open QR is asked about.
    pub payment_poll: Duration,
    /// How long after a QR's expiry a payment is still looked for.
    pub payment_grace: Duration,
    /// How long the local PromptPay QR is shown.
    pub local_qr_lifetime: Duration,
    /// How many times an unknown QR create is repeated before the sale is cancelled.
    pub max_payment_attempts: i64,
}

impl EngineConfig {
    /// Production defaults for a register.
    pub fn for_register(register_id: impl Into<String>) -> Self {
        EngineConfig {
            register_id: register_id.into(),
            routing: Routing::default(),
            backoff: routing::default_backoff(),
            payment_poll: Duration::from_secs(3),
            payment_grace: Duration::from_secs(30),
            local_qr_lifetime: Duration::from_secs(180),
            max_payment_attempts: 3,
        }
    }
}

/// The sale engine of one register.
#[derive(Debug)]
pub struct Engine {
    ledger: Arc<Ledger>,
    clock: Arc<dyn Clock>,
    topups: Vec<Arc<dyn TopupPort>>,
    payments: BTreeMap<PaymentMethod, Arc<dyn PaymentPort>>,
    config: EngineConfig,
    crash: Arc<dyn CrashHook>,
    health: routing::Health,
    events: broadcast::Sender<EngineEvent>,
    in_flight: Mutex<HashSet<String>>,
    // Payment intents this engine wrote and has not sent yet: any other intent may have
    // reached the provider before a crash.
    fresh_intents: Mutex<HashSet<i64>>,
    // When each watched late-payment QR is asked about next (a restart just asks at once).
    late_watch: Mutex<std::collections::HashMap<i64, UnixMillis>>,
}

/// Releases a sale's "being driven" mark.
struct Driving<'a> {
    engine: &'a Engine,
    sale_id: String,
}

impl Drop for Driving<'_> {
    fn drop(&mut self) {
        self.engine
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.sale_id);
    }
}

/// Runs a ledger write without holding up the async runtime. A write blocks until its group
/// commit's fsync (milliseconds on a real disk); on a multi-thread runtime `block_in_place` hands
/// this worker's other tasks to another thread first, so other sales and callbacks keep running
/// and reach the ledger in time to share that fsync. On a current-thread runtime (tests) or
/// outside a runtime the write just runs.
pub(crate) fn durably<T>(write: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(write)
        }
        _ => write(),
    }
}

fn refused(code: ErrorCode, message: impl Into<String>) -> EngineError {
    EngineError::Refused(AppError::new(code, message))
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

impl Engine {
    /// An engine over a ledger, its providers and a clock.
    pub fn new(
        ledger: Arc<Ledger>,
        clock: Arc<dyn Clock>,
        topups: Vec<Arc<dyn TopupPort>>,
        payments: BTreeMap<PaymentMethod, Arc<dyn PaymentPort>>,
        config: EngineConfig,
    ) -> Self {
        let (events, _) = broadcast::channel(256);
        Engine {
            ledger,
            clock,
            topups,
            payments,
            config,
            crash: Arc::new(NoCrash),
            health: routing::Health::default(),
            events,
            in_flight: Mutex::new(HashSet::new()),
            fresh_intents: Mutex::new(HashSet::new()),
            late_watch: Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// Installs a crash hook (tests and the soak).
    pub fn with_crash_hook(mut self, crash: Arc<dyn CrashHook>) -> Self {
        self.crash = crash;
        self
    }

    /// The ledger.
    pub fn ledger(&self) -> &Arc<Ledger> {
        &self.ledger
    }

    /// The settings.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Changes the screens can follow.
    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.events.subscribe()
    }

    fn now(&self) -> UnixMillis {
        self.clock.now()
    }

    fn hit(&self, point: &'static str) -> Result<(), EngineError> {
        Ok(self.crash.hit(point)?)
    }

    fn emit(&self, kind: EngineEventKind, sale_id: &str) {
        if let Ok(sale) = self.ledger.sale(sale_id) {
            let kind = if sale.state.needs_person() {
                EngineEventKind::NeedsAttention
            } else {
                kind
            };
            // No receiver is fine: nobody is watching (a CLI run, a test).
            let _ = self.events.send(EngineEvent {
                kind,
                sale_id: sale_id.to_owned(),
                state: sale.state,
            });
        }
    }

    fn topup_port(&self, name: &str) -> Option<&Arc<dyn TopupPort>> {
        self.topups.iter().find(|p| p.name() == name)
    }

    /// Checks a request and writes the sale; for a QR provider, creates the QR too. Bad input
    /// is refused with a code and nothing is written.
    pub async fn start_sale(
        &self,
        request: &SaleRequest,
        actor: &Actor,
    ) -> Result<Sale, EngineError> {
        let phone = Msisdn::parse(&request.phone)
            .map_err(|e| refused(ErrorCode::InvalidPhone, e.to_string()))?;
        if request.amount.as_satang() <= 0 {
            return Err(refused(
                ErrorCode::InvalidAmount,
                "the amount must be positive",
            ));
        }
        let operator = self
            .ledger
            .operator(&request.operator_id)?
            .filter(|o| o.active)
            .ok_or_else(|| {
                refused(
                    ErrorCode::UnknownOperator,
                    format!("operator {} is not an active operator", request.operator_id),
                )
            })?;
        if !self.routing_sells(request.network, request.amount) {
            return Err(refused(
                ErrorCode::AmountNotSold,
                format!(
                    "no provider sells {} baht of {} credit",
                    request.amount,
                    request.network.display_name()
                ),
            ));
        }
        if request.method.is_provider() && !self.payments.contains_key(&request.method) {
            return Err(refused(
                ErrorCode::PaymentMethodUnavailable,
                format!("{} is not set up on this machine", request.method),
            ));
        }
        let at = self.now();
        let sale_id = new_sale_id(at);
        let sale = NewSale {
            id: sale_id.clone(),
            register_id: self.config.register_id.clone(),
            operator_id: operator.id.clone(),
            shift_id: self
                .ledger
                .open_shift_of(&self.config.register_id)?
                .map(|s| s.id),
            network: request.network,
            phone,
            amount: request.amount,
            method: request.method,
            at,
        };
        let payment = NewPayment {
            method: request.method,
            reference: payment_reference(&sale_id, request.method, 1),
            amount: request.amount,
        };
        // Hold the sale from before it exists until its payment is open, so that a tick never
        // drives it halfway through (it would take the fresh intent for a crash's leftover).
        self.in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(sale_id.clone());
        let _driving = Driving {
            engine: self,
            sale_id: sale_id.clone(),
        };
        self.hit("sale.create.before_write")?;
        let payment = if request.method.needs_cashier() {
            // Cash and the shop's own QR are open as soon as the sale exists: the two writes
            // always follow each other and nothing leaves the machine in between, so they are
            // one transaction (one fsync), and no sale is ever left with an unopened cash payment.
            let expires_at = (request.method == PaymentMethod::PromptPayLocal)
                .then(|| at + millis(self.config.local_qr_lifetime));
            durably(|| {
                self.ledger.atomically(|| {
                    let (_, payment) = self.ledger.create_sale(&sale, &payment, actor)?;
                    self.ledger.payment_opened(
                        payment.id,
                        None,
                        request.amount,
                        expires_at,
                        None,
                        at,
                        actor,
                    )
                })
            })?
        } else {
            durably(|| self.ledger.create_sale(&sale, &payment, actor))?.1
        };
        self.hit("sale.create.after_write")?;
        self.emit(EngineEventKind::SaleCreated, &sale_id);
        if !request.method.needs_cashier() {
            self.fresh_intents
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(payment.id);
            self.step_payment(&self.ledger.sale(&sale_id)?, actor)
                .await?;
        }
        Ok(self.ledger.sale(&sale_id)?)
    }

    /// Whether some routed provider for the network sells this amount (catalogue and
    /// denominations, as last read by [`Engine::refresh_catalogues`]).
    pub fn routing_sells(&self, network: Network, amount: Satang) -> bool {
        self.config
            .routing
            .providers_for(network)
            .iter()
            .filter_map(|name| self.topup_port(name))
            .any(|port| {
                port.product_for(network).is_some_and(|product| {
                    self.health.catalogue_allows(port.name(), &product, amount)
                })
            })
    }

    /// What can be sold of a network now, merged over its routed providers: the amounts for
    /// quick buttons (every listed denomination), the smallest and largest amount, and whether
    /// any provider can sell it now. `None` when no routed provider lists the network.
    pub fn network_offer(&self, network: Network) -> Option<NetworkOffer> {
        let now = self.now();
        let mut merged: Option<NetworkOffer> = None;
        for name in self.config.routing.providers_for(network) {
            let Some(port) = self.topup_port(name) else {
                continue;
            };
            let Some(product) = port.product_for(network) else {
                continue;
            };
            let Some(offer) = self.health.product_offer(port.name(), &product, now) else {
                continue;
            };
            let entry = merged.get_or_insert_with(|| NetworkOffer {
                amounts: Vec::new(),
                min: None,
                max: None,
                available: false,
            });
            entry.amounts.extend(offer.denominations);
            entry.min = match (entry.min, offer.min) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            entry.max = match (entry.max, offer.max) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
            entry.available |= offer.usable;
        }
        if let Some(offer) = merged.as_mut() {
            offer.amounts.sort();
            offer.amounts.dedup();
        }
        merged
    }

    /// Reads each provider's catalogue (and Easysoft's network status) for amount checks and
    /// routing. Failures leave the previous view in place.
    pub async fn refresh_catalogues(&self) {
        for port in &self.topups {
            if let Ok(entries) = port.catalogue().await {
                self.health.set_catalogue(port.name(), entries);
            }
            match port.network_status().await {
                Ok(status) => self.health.set_networks(port.name(), status),
                Err(ProviderError::Unsupported(_)) => {}
                Err(_) => self.health.note_failure(port.name(), self.now()),
            }
        }
    }

    /// The cashier confirms cash received or the local PromptPay transfer seen; then the sale
    /// is topped up.
    pub async fn confirm_payment(&self, sale_id: &str, actor: &Actor) -> Result<Sale, EngineError> {
        let sale = self.ledger.sale(sale_id)?;
        if !sale.method.needs_cashier() {
            return Err(refused(
                ErrorCode::InvalidRequest,
                "only cash and the shop's own PromptPay QR are confirmed by hand",
            ));
        }
        let payment = self
            .ledger
            .payments_of(sale_id)?
            .into_iter()
            .rev()
            .find(|p| p.state.is_live() || p.state == PaymentState::Paid)
            .ok_or_else(|| refused(ErrorCode::InvalidRequest, "no payment to confirm"))?;
        self.confirm_and_route(&sale, &payment, actor).await?;
        self.drive(sale_id).await?;
        Ok(self.ledger.sale(sale_id)?)
    }

    /// Writes the cashier's "paid" and, when the sale goes straight on to its top-up, the top-up
    /// intent in the same transaction, then sends the order.
    ///
    /// Why one transaction is safe: the intent (key and state) is still durable before the order
    /// leaves (money rule 2), and "paid" is durable no later than before — with it, not after
    /// it. A kill before the write loses the confirmation, which the cashier was never shown (the
    /// sale still awaits payment, confirmed again after the restart); a kill after it leaves
    /// exactly the state a kill after a separate intent left (a fresh intent, resent with the
    /// same key, or given to a person where the provider has no key). The sale is held ("being
    /// driven") from before the write until the order's reply is recorded, so a tick never takes
    /// the fresh intent for a crash's leftover and sends it twice.
    ///
    /// The two stay separate (paid alone, then [`Engine::drive`]) when the sale does not go
    /// straight on — it is driven elsewhere, the payment does not cover the price, no provider
    /// can sell it now (refund-due) — and when the merged transaction fails: nothing of it was
    /// written and nothing was sent, and "paid" is then written alone as before, so the cash
    /// taken stays on record even while the intent cannot be written.
    async fn confirm_and_route(
        &self,
        sale: &Sale,
        payment: &Payment,
        actor: &Actor,
    ) -> Result<(), EngineError> {
        let held = {
            let mut in_flight = self
                .in_flight
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            in_flight.insert(sale.id.clone())
        };
        let _driving = held.then(|| Driving {
            engine: self,
            sale_id: sale.id.clone(),
        });
        let now = self.now();
        let straight_on = held
            && sale.state == SaleState::AwaitingPayment
            && payment.state.is_live()
            && payment.amount >= sale.amount;
        let route = if straight_on {
            self.choose_topup(sale, now).await?
        } else {
            None
        };
        self.hit("payment.confirm.before_write")?;
        if let Some((port, intent)) = route {
            let poller = Actor::poller();
            let merged = durably(|| {
                self.ledger.atomically(|| {
                    self.ledger
                        .payment_received(payment.id, payment.amount, now, actor)?;
                    self.ledger.begin_topup(&sale.id, &intent, now, &poller)
                })
            });
            match merged {
                Ok(topup) => {
                    self.hit("payment.confirm.after_write")?;
                    self.emit(EngineEventKind::PaymentUpdated, &sale.id);
                    self.emit(EngineEventKind::TopupUpdated, &sale.id);
                    let sale = self.ledger.sale(&sale.id)?;
                    return self.send_topup(&sale, &topup, port.as_ref(), &poller).await;
                }
                Err(error) => {
                    tracing::warn!(%error, sale = %sale.id, "paid and top-up intent not written together; writing paid alone");
                }
            }
        }
        durably(|| {
            self.ledger
                .payment_received(payment.id, payment.amount, now, actor)
        })?;
        self.hit("payment.confirm.after_write")?;
        self.emit(EngineEventKind::PaymentUpdated, &sale.id);
        Ok(())
    }

    /// Ends an unpaid sale: the customer walked away, or the QR's time on screen ran out. A
    /// provider QR is asked about one last time first — a payment made at the last second is
    /// taken and topped up, never dropped — and then cancelled at the provider, best effort. The
    /// sale ends as expired when its QR's time was up, else as cancelled; either way, a payment
    /// that still arrives later counts ([`Engine::tick`] watches such QRs until the provider's
    /// own expiry).
    pub async fn cancel_sale(&self, sale_id: &str, actor: &Actor) -> Result<Sale, EngineError> {
        let sale = self.ledger.sale(sale_id)?;
        if sale.state != SaleState::AwaitingPayment {
            return Err(refused(
                ErrorCode::InvalidRequest,
                format!(
                    "sale {sale_id} is {}, it can no longer be cancelled",
                    sale.state
                ),
            ));
        }
        let live: Vec<Payment> = self
            .ledger
            .payments_of(sale_id)?
            .into_iter()
            .filter(|p| p.state.is_live())
            .collect();
        if let Some(port) = self.payments.get(&sale.method).cloned() {
            for payment in live.iter().filter(|p| p.state == PaymentState::Open) {
                if port.can_query() {
                    self.hit("payment.query.before_call")?;
                    let status = port.query(&payment_ref(payment)).await;
                    self.hit("payment.query.after_call")?;
                    if let Ok(QrPaymentStatus::Paid(paid)) = status {
                        durably(|| {
                            self.ledger
                                .payment_received(payment.id, paid.amount, self.now(), actor)
                        })?;
                        self.hit("payment.received.after_write")?;
                        self.emit(EngineEventKind::PaymentUpdated, sale_id);
                        self.drive(sale_id).await?;
                        return Ok(self.ledger.sale(sale_id)?);
                    }
                }
                let _ = port.cancel(&payment_ref(payment)).await;
            }
        }
        let now = self.now();
        let time_up = live.iter().all(|p| {
            let shown_until = p.created_at + millis(self.config.local_qr_lifetime);
            now >= shown_until || p.expires_at.is_some_and(|at| now >= at)
        });
        if time_up && !live.is_empty() {
            for payment in &live {
                durably(|| {
                    self.ledger
                        .payment_ended(payment.id, PaymentEnd::Expired, now, actor)
                })?;
            }
        } else {
            durably(|| self.ledger.cancel_unpaid(sale_id, now, actor))?;
        }
        self.emit(EngineEventKind::PaymentUpdated, sale_id);
        Ok(self.ledger.sale(sale_id)?)
    }

    /// The owner hands the money back for a refund-due sale.
    pub fn refund_given(
        &self,
        sale_id: &str,
        note: &str,
        actor: &Actor,
    ) -> Result<Sale, EngineError> {
        require_person(actor)?;
        durably(|| self.ledger.refund_given(sale_id, note, self.now(), actor))?;
        self.emit(EngineEventKind::NeedsAttention, sale_id);
        Ok(self.ledger.sale(sale_id)?)
    }

    /// The owner checked with the provider whether the credit of a needs-attention sale arrived.
    pub fn resolve_topup(
        &self,
        sale_id: &str,
        delivered: bool,
        note: &str,
        actor: &Actor,
    ) -> Result<Sale, EngineError> {
        require_person(actor)?;
        durably(|| {
            self.ledger
                .resolve_topup(sale_id, delivered, note, self.now(), actor)
        })?;
        self.emit(EngineEventKind::TopupUpdated, sale_id);
        Ok(self.ledger.sale(sale_id)?)
    }

    /// A person asks for a fresh look now: an open sale is driven at once (its next status
    /// query is not waited for), and a top-up waiting for a person is asked about at the
    /// provider once more where it has an id there — a definite answer settles it, anything else
    /// leaves it with the person.
    pub async fn check_again(&self, sale_id: &str, actor: &Actor) -> Result<Sale, EngineError> {
        let sale = self.ledger.sale(sale_id)?;
        if sale.state.engine_drives() {
            durably(|| self.ledger.schedule_check(sale_id, Some(self.now())))?;
            self.drive(sale_id).await?;
        } else if sale.state == SaleState::NeedsAttention {
            let manual = self
                .ledger
                .topups_of(sale_id)?
                .into_iter()
                .find(|t| t.state == TopupState::Manual);
            if let Some(topup) = manual {
                if let (Some(port), Some(provider_ref)) = (
                    self.topup_port(&topup.provider).cloned(),
                    topup.provider_ref.clone(),
                ) {
                    self.hit("topup.query.before_call")?;
                    let status = port.query(&provider_ref).await;
                    self.hit("topup.query.after_call")?;
                    self.apply_topup_status(&topup, status, actor)?;
                }
            }
        }
        Ok(self.ledger.sale(sale_id)?)
    }

    /// Sales waiting for a person.
    pub fn needing_person(&self) -> Result<Vec<Sale>, EngineError> {
        Ok(self.ledger.sales_needing_person()?)
    }

    /// On start: drives every open sale (oldest first) before new sales are taken.
    pub async fn resume(&self) -> Result<usize, EngineError> {
        let open = self.ledger.open_sales()?;
        let count = open.len();
        for sale in open {
            self.drive(&sale.id).await?;
        }
        Ok(count)
    }

    /// Drives every open sale whose next check is due, and looks for late payments of QRs
    /// that ended unpaid on our side. Call it from a timer.
    pub async fn tick(&self) -> Result<usize, EngineError> {
        let now = self.now();
        let mut driven = 0;
        for sale in self.ledger.open_sales()? {
            if sale.next_check_at.is_none_or(|at| at <= now) {
                self.drive(&sale.id).await?;
                driven += 1;
            }
        }
        self.watch_late_payments().await?;
        Ok(driven)
    }

    /// A QR that expired on screen, or whose sale was cancelled, may still be paid until the
    /// provider's own expiry (Tmweasy cancels only after expiry, tmweasy.md §3). Each is asked
    /// about every `payment_poll × 10` until then; a payment found moves the sale to paid and
    /// on to its top-up. Providers that only push (Deposit-QR) are covered by their callback.
    async fn watch_late_payments(&self) -> Result<(), EngineError> {
        let now = self.now();
        let grace = millis(self.config.payment_grace);
        let every = millis(self.config.payment_poll).saturating_mul(10).max(1);
        let watched = self.ledger.payments_to_watch(now, grace)?;
        let due: Vec<Payment> = {
            let mut schedule = self
                .late_watch
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            schedule.retain(|id, _| watched.iter().any(|p| p.id == *id));
            watched
                .into_iter()
                .filter(|p| {
                    let next = schedule.entry(p.id).or_insert(now);
                    if *next <= now {
                        *next = now + every;
                        true
                    } else {
                        false
                    }
                })
                .collect()
        };
        for payment in due {
            let Some(port) = self.payments.get(&payment.method).cloned() else {
                continue;
            };
            if !port.can_query() {
                continue;
            }
            self.hit("payment.query.before_call")?;
            let status = port.query(&payment_ref(&payment)).await;
            self.hit("payment.query.after_call")?;
            if let Ok(QrPaymentStatus::Paid(paid)) = status {
                let poller = Actor::poller();
                durably(|| {
                    self.ledger
                        .payment_received(payment.id, paid.amount, self.now(), &poller)
                })?;
                self.hit("payment.received.after_write")?;
                self.emit(EngineEventKind::PaymentUpdated, &payment.sale_id);
                self.drive(&payment.sale_id).await?;
            }
        }
        Ok(())
    }

    /// Runs [`Engine::tick`] forever, every `period` (the desktop app and `termdee serve`).
    pub async fn run(self: Arc<Self>, period: Duration) -> Result<(), EngineError> {
        self.resume().await?;
        let mut timer = tokio::time::interval(period);
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            timer.tick().await;
            match self.tick().await {
                Ok(_) => {}
                Err(EngineError::Crashed(c)) => return Err(EngineError::Crashed(c)),
                Err(error) => tracing::warn!(%error, "engine tick failed; retrying next tick"),
            }
        }
    }

    /// Moves one sale as far as it can go now. Safe to call at any time from anywhere: a sale
    /// already being driven is left to its driver, and every write is a compare-and-swap.
    pub async fn drive(&self, sale_id: &str) -> Result<(), EngineError> {
        {
            let mut in_flight = self
                .in_flight
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if !in_flight.insert(sale_id.to_owned()) {
                return Ok(());
            }
        }
        let _driving = Driving {
            engine: self,
            sale_id: sale_id.to_owned(),
        };
        let poller = Actor::poller();
        // A handful of steps settles any state; the bound guards against a livelock bug.
        for _ in 0..16 {
            let sale = self.ledger.sale(sale_id)?;
            let progressed = match sale.state {
                SaleState::AwaitingPayment => self.step_payment(&sale, &poller).await?,
                SaleState::Paid => self.step_route(&sale, &poller).await?,
                SaleState::TopupPending => self.step_topup(&sale, &poller).await?,
                _ => false,
            };
            if !progressed {
                break;
            }
        }
        Ok(())
    }

    // ----- payment -------------------------------------------------------------------------

    /// Returns whether the sale moved (so the driver should look again).
    async fn step_payment(&self, sale: &Sale, actor: &Actor) -> Result<bool, EngineError> {
        let now = self.now();
        let payments = self.ledger.payments_of(&sale.id)?;
        let Some(payment) = payments.iter().rev().find(|p| p.state.is_live()).cloned() else {
            return Ok(false);
        };
        if sale.method.needs_cashier() {
            // Waiting for the cashier; the local QR still expires.
            if payment.expires_at.is_some_and(|at| now > at) {
                durably(|| {
                    self.ledger
                        .payment_ended(payment.id, PaymentEnd::Expired, now, actor)
                })?;
                self.emit(EngineEventKind::PaymentUpdated, &sale.id);
                return Ok(true);
            }
            // Waiting for the cashier writes nothing new on every tick: only a changed time.
            let next_check = payment.expires_at.map(|at| at + 1);
            if sale.next_check_at != next_check {
                durably(|| self.ledger.schedule_check(&sale.id, next_check))?;
            }
            return Ok(false);
        }
        let Some(port) = self.payments.get(&sale.method).cloned() else {
            return Ok(false);
        };
        match payment.state {
            PaymentState::Intent | PaymentState::Unknown => {
                self.create_payment(sale, &payment, port.as_ref(), actor)
                    .await
            }
            PaymentState::Open => {
                self.check_payment(sale, &payment, port.as_ref(), actor)
                    .await
            }
            _ => Ok(false),
        }
    }

    async fn create_payment(
        &self,
        sale: &Sale,
        payment: &Payment,
        port: &dyn PaymentPort,
        actor: &Actor,
    ) -> Result<bool, EngineError> {
        let now = self.now();
        // An attempt whose create may already have reached the provider (an intent this engine
        // did not write — left over from a crash —, or an unknown reply) is repeated only the
        // way the provider allows: with its own reference where the provider deduplicates
        // (BluePay), else as a new attempt (the old bill was never shown; Deposit-QR's order
        // id is burnt).
        let written_here = self
            .fresh_intents
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&payment.id);
        let maybe_sent = payment.state == PaymentState::Unknown || !written_here;
        if maybe_sent && port.recreate() == Recreate::NewAttempt {
            return self.next_payment_attempt(sale, payment, actor);
        }
        let request = QrPaymentRequest {
            reference: payment.reference.clone(),
            amount: payment.amount,
        };
        self.hit("payment.create.before_call")?;
        let outcome = port.create(&request).await;
        self.hit("payment.create.after_call")?;
        let now_after = self.now();
        match outcome {
            Ok(QrCreateOutcome::Created(created)) => {
                // Deposit-QR may add a few satang so that transfers can be told apart
                // (deposit_qr.md §3.1): the customer is shown and pays that amount. Anything
                // else — less than the price, more than a baht above it, or a QR image whose
                // EMVCo amount disagrees with the provider — must never be shown.
                let adjustment = created.amount.as_satang() - payment.amount.as_satang();
                if created.amount_mismatch.is_some() || !(0..=100).contains(&adjustment) {
                    durably(|| {
                        self.ledger
                            .payment_ended(payment.id, PaymentEnd::Failed, now_after, actor)
                    })?;
                    self.emit(EngineEventKind::PaymentUpdated, &sale.id);
                    return Ok(true);
                }
                let expires_at = match created.expiry {
                    QrExpiry::Remaining { seconds } => Some(now_after + seconds * 1000),
                    QrExpiry::At { unix_seconds, .. } => Some(unix_seconds * 1000),
                    QrExpiry::Unknown { .. } => Some(now + millis(self.config.local_qr_lifetime)),
                };
                let display = serde_json::json!({
                    "image_base64": created.display.image_base64,
                    "image_url": created.display.image_url,
                    "link": created.display.link,
                })
                .to_string();
                // The open QR and its first status query always go together: one transaction.
                durably(|| {
                    self.ledger.atomically(|| {
                        self.ledger.payment_opened(
                            payment.id,
                            Some(&created.provider_ref),
                            created.amount,
                            expires_at,
                            Some(&display),
                            now_after,
                            actor,
                        )?;
                        self.ledger.schedule_check(
                            &sale.id,
                            Some(now_after + millis(self.config.payment_poll)),
                        )
                    })
                })?;
                self.hit("payment.open.after_write")?;
                self.emit(EngineEventKind::PaymentUpdated, &sale.id);
                Ok(false)
            }
            Ok(QrCreateOutcome::AlreadyExists { .. }) | Ok(QrCreateOutcome::Unknown(_)) => {
                let next = match &outcome {
                    Ok(QrCreateOutcome::Unknown(unknown)) => unknown.next_step,
                    _ => QrNextStep::ResendSameReference,
                };
                let create_again = matches!(
                    next,
                    QrNextStep::CreateAgain | QrNextStep::CreateWithNewReference
                );
                // Kept for a status query: the unknown and that query's time go together, in one
                // transaction. Created again: the unknown is durable alone before the next
                // attempt's intent, so a kill in between leaves this attempt marked unknown.
                durably(|| {
                    self.ledger.atomically(|| {
                        self.ledger.payment_unknown(
                            payment.id,
                            &format!("{outcome:?}"),
                            now_after,
                            actor,
                        )?;
                        if create_again {
                            return Ok(());
                        }
                        self.ledger.schedule_check(
                            &sale.id,
                            Some(now_after + millis(self.config.payment_poll)),
                        )
                    })
                })?;
                self.hit("payment.unknown.after_write")?;
                if create_again {
                    self.next_payment_attempt(sale, payment, actor)
                } else {
                    Ok(false)
                }
            }
            Ok(QrCreateOutcome::Rejected(rejection)) => {
                self.end_payment_with_note(
                    payment,
                    now_after,
                    actor,
                    "payment_rejected",
                    &serde_json::json!({ "code": rejection.code, "message": rejection.message }),
                )?;
                self.emit(EngineEventKind::PaymentUpdated, &sale.id);
                Ok(true)
            }
            Err(error) => {
                // Nothing was sent (bad configuration): the QR cannot be made.
                self.end_payment_with_note(
                    payment,
                    now_after,
                    actor,
                    "payment_refused_locally",
                    &serde_json::json!({ "error": error.to_string() }),
                )?;
                self.emit(EngineEventKind::PaymentUpdated, &sale.id);
                Ok(true)
            }
        }
    }

    /// Ends a payment attempt as failed with a note saying why: one transaction, since the two
    /// always go together (the note is the only record of the provider's refusal).
    fn end_payment_with_note(
        &self,
        payment: &Payment,
        at: UnixMillis,
        actor: &Actor,
        kind: &str,
        detail: &serde_json::Value,
    ) -> Result<(), EngineError> {
        durably(|| {
            self.ledger.atomically(|| {
                self.ledger
                    .payment_ended(payment.id, PaymentEnd::Failed, at, actor)?;
                self.ledger
                    .note(Some(&payment.sale_id), at, actor, kind, detail)
            })
        })?;
        Ok(())
    }

    fn next_payment_attempt(
        &self,
        sale: &Sale,
        payment: &Payment,
        actor: &Actor,
    ) -> Result<bool, EngineError> {
        let now = self.now();
        if payment.attempt >= self.config.max_payment_attempts {
            durably(|| {
                self.ledger
                    .payment_ended(payment.id, PaymentEnd::Failed, now, actor)
            })?;
            self.emit(EngineEventKind::PaymentUpdated, &sale.id);
            return Ok(true);
        }
        let attempt = payment.attempt + 1;
        let next = durably(|| {
            self.ledger.new_payment_attempt(
                &sale.id,
                &NewPayment {
                    method: sale.method,
                    reference: payment_reference(&sale.id, sale.method, attempt),
                    amount: sale.amount,
                },
                now,
                actor,
            )
        })?;
        self.fresh_intents
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(next.id);
        self.hit("payment.retry.after_write")?;
        Ok(true)
    }

    async fn check_payment(
        &self,
        sale: &Sale,
        payment: &Payment,
        port: &dyn PaymentPort,
        actor: &Actor,
    ) -> Result<bool, EngineError> {
        let now = self.now();
        let grace = millis(self.config.payment_grace);
        let past_expiry = payment.expires_at.is_some_and(|at| now > at);
        if !port.can_query() {
            // Deposit-QR: only its callback says "paid"; after expiry and grace, give up.
            if payment.expires_at.is_some_and(|at| now > at + grace) {
                durably(|| {
                    self.ledger
                        .payment_ended(payment.id, PaymentEnd::Expired, now, actor)
                })?;
                self.emit(EngineEventKind::PaymentUpdated, &sale.id);
                return Ok(true);
            }
            durably(|| {
                self.ledger
                    .schedule_check(&sale.id, Some(now + millis(self.config.payment_poll)))
            })?;
            return Ok(false);
        }
        self.hit("payment.query.before_call")?;
        let status = port.query(&payment_ref(payment)).await;
        self.hit("payment.query.after_call")?;
        let now = self.now();
        match status {
            Ok(QrPaymentStatus::Paid(paid)) => {
                durably(|| {
                    self.ledger
                        .payment_received(payment.id, paid.amount, now, actor)
                })?;
                self.hit("payment.received.after_write")?;
                self.emit(EngineEventKind::PaymentUpdated, &sale.id);
                Ok(true)
            }
            Ok(QrPaymentStatus::Expired)
            | Ok(QrPaymentStatus::Cancelled)
            | Ok(QrPaymentStatus::Failed { .. }) => {
                let end = match status {
                    Ok(QrPaymentStatus::Expired) => PaymentEnd::Expired,
                    Ok(QrPaymentStatus::Cancelled) => PaymentEnd::Cancelled,
                    _ => PaymentEnd::Failed,
                };
                durably(|| self.ledger.payment_ended(payment.id, end, now, actor))?;
                self.emit(EngineEventKind::PaymentUpdated, &sale.id);
                Ok(true)
            }
            Ok(QrPaymentStatus::Pending { .. }) | Ok(QrPaymentStatus::Unknown { .. }) | Err(_) => {
                if past_expiry && payment.expires_at.is_some_and(|at| now > at + grace) {
                    // The last query after the grace still saw no payment: cancel the bill
                    // (best effort) and end the attempt. A late payment still counts if it
                    // shows up later (callback or owner).
                    let _ = port.cancel(&payment_ref(payment)).await;
                    durably(|| {
                        self.ledger
                            .payment_ended(payment.id, PaymentEnd::Expired, now, actor)
                    })?;
                    self.emit(EngineEventKind::PaymentUpdated, &sale.id);
                    return Ok(true);
                }
                durably(|| {
                    self.ledger
                        .schedule_check(&sale.id, Some(now + millis(self.config.payment_poll)))
                })?;
                Ok(false)
            }
        }
    }

    /// Applies a verified "paid" for one of our payment references (callback or owner).
    pub fn apply_payment(
        &self,
        method: PaymentMethod,
        reference: &str,
        amount: Satang,
        actor: &Actor,
    ) -> Result<Applied, EngineError> {
        let payment = self
            .ledger
            .payment_by_reference(method, reference)?
            .ok_or_else(|| refused(ErrorCode::InvalidRequest, format!("no payment {reference}")))?;
        let applied = durably(|| {
            self.ledger
                .payment_received(payment.id, amount, self.now(), actor)
        })?;
        if applied == Applied::Now {
            self.emit(EngineEventKind::PaymentUpdated, &payment.sale_id);
        }
        Ok(applied)
    }

    // ----- top-up --------------------------------------------------------------------------

    async fn step_route(&self, sale: &Sale, actor: &Actor) -> Result<bool, EngineError> {
        let now = self.now();
        if sale.received < sale.amount {
            durably(|| {
                self.ledger
                    .mark_refund_due(&sale.id, "received less than the price", now, actor)
            })?;
            return Ok(true);
        }
        let Some((port, intent)) = self.choose_topup(sale, now).await? else {
            self.hit("topup.refund_due.before_write")?;
            durably(|| {
                self.ledger.mark_refund_due(
                &sale.id,
                "no top-up provider could sell this (offline, out of balance, failing or refused)",
                now,
                actor,
            )
            })?;
            self.hit("topup.refund_due.after_write")?;
            self.emit(EngineEventKind::NeedsAttention, &sale.id);
            return Ok(true);
        };
        self.hit("topup.intent.before_write")?;
        let topup = match durably(|| self.ledger.begin_topup(&sale.id, &intent, now, actor)) {
            Ok(topup) => topup,
            // Someone else (a callback, another driver) moved the sale first.
            Err(LedgerError::Conflict { .. }) => return Ok(true),
            Err(error) => return Err(error.into()),
        };
        self.hit("topup.intent.after_write")?;
        self.emit(EngineEventKind::TopupUpdated, &sale.id);
        self.send_topup(sale, &topup, port.as_ref(), actor).await?;
        Ok(true)
    }

    /// The first routed provider of the sale's network that was not tried on it yet and can
    /// sell it now, with the intent to write for it (the attempt's key); `None` when none can.
    async fn choose_topup(
        &self,
        sale: &Sale,
        now: UnixMillis,
    ) -> Result<Option<(Arc<dyn TopupPort>, NewTopup)>, EngineError> {
        let earlier = self.ledger.topups_of(&sale.id)?;
        let tried: HashSet<&str> = earlier.iter().map(|t| t.provider.as_str()).collect();
        let mut chosen = None;
        for name in self.config.routing.providers_for(sale.network) {
            let Some(port) = self.topup_port(name) else {
                continue;
            };
            if tried.contains(port.name()) {
                continue;
            }
            let Some(product) = port.product_for(sale.network) else {
                continue;
            };
            if !self
                .health
                .usable(port.as_ref(), &product, sale.amount, now)
                .await
            {
                continue;
            }
            chosen = Some((port.clone(), product));
            break;
        }
        let Some((port, product)) = chosen else {
            return Ok(None);
        };
        let attempt = i64::try_from(earlier.len()).unwrap_or(i64::MAX) + 1;
        let users = self
            .ledger
            .operator(&sale.operator_id)?
            .map(|o| o.easysoft_users);
        let intent = NewTopup {
            provider: port.name().to_owned(),
            reference: topup_reference(&sale.id, attempt),
            product,
            amount: sale.amount,
            users: if port.resend() == Resend::Never {
                users
            } else {
                None
            },
        };
        Ok(Some((port, intent)))
    }

    async fn send_topup(
        &self,
        sale: &Sale,
        topup: &Topup,
        port: &dyn TopupPort,
        actor: &Actor,
    ) -> Result<(), EngineError> {
        let call = TopupCall {
            reference: topup.reference.clone(),
            product: topup.product.clone(),
            phone: sale.phone.as_str().to_owned(),
            amount: topup.amount,
            users: topup.users.clone(),
        };
        self.hit("topup.order.before_call")?;
        let outcome = port.top_up(&call).await;
        self.hit("topup.order.after_call")?;
        let now = self.now();
        let exchange = termdee_ledger::Exchange {
            sale_id: Some(sale.id.clone()),
            provider: port.name().to_owned(),
            operation: "top_up".to_owned(),
            at: now,
            request: format!(
                "reference={} product={} phone={} amount={} users={:?}",
                call.reference,
                call.product,
                sale.phone.masked(),
                call.amount,
                call.users
            ),
            outcome: format!("{outcome:?}"),
        };
        self.apply_topup_outcome(sale, topup, port, outcome, &exchange, actor)
    }

    fn apply_topup_outcome(
        &self,
        sale: &Sale,
        topup: &Topup,
        port: &dyn TopupPort,
        outcome: Result<TopupOutcome, ProviderError>,
        exchange: &termdee_ledger::Exchange,
        actor: &Actor,
    ) -> Result<(), EngineError> {
        let now = self.now();
        let backoff = self.backoff(port.name());
        match outcome {
            Ok(TopupOutcome::Accepted(accepted)) => {
                self.health
                    .note_success(port.name(), accepted.balance_after);
                // The reply's record, the acceptance and the next check always go together:
                // one transaction, so one fsync instead of three on every sale.
                self.record_reply(exchange, || {
                    self.ledger.topup_progress(
                        topup.id,
                        TopupState::Pending,
                        Some(&accepted.provider_ref),
                        crate::reports::provider_cost(&accepted, topup.amount),
                        "accepted",
                        now,
                        actor,
                    )?;
                    self.ledger
                        .schedule_check(&sale.id, Some(now + backoff.delay(0)))
                })?;
                self.hit("topup.accepted.after_write")?;
            }
            Ok(TopupOutcome::AlreadyExists { .. }) => {
                // wePAY 30016: our key exists there. Its id comes with the callback (or a later
                // resend when the provider returns it); keep waiting. Recorded with its next
                // check, as an acceptance is.
                self.record_reply(exchange, || {
                    self.ledger.topup_progress(
                        topup.id,
                        TopupState::Pending,
                        None,
                        None,
                        "already exists at the provider",
                        now,
                        actor,
                    )?;
                    self.ledger
                        .schedule_check(&sale.id, Some(now + backoff.delay(topup.checks)))
                })?;
                self.hit("topup.accepted.after_write")?;
            }
            Ok(TopupOutcome::Rejected(rejection)) => {
                let definite = rejection.kind != RejectKind::Unclassified
                    || port.resend() == Resend::SameReference;
                if definite {
                    if rejection.kind == RejectKind::InsufficientBalance {
                        self.health.note_out_of_balance(port.name(), now);
                    }
                    self.record_reply(exchange, || {
                        self.ledger.topup_rejected(
                            topup.id,
                            &format!("{}: {}", rejection.code, rejection.message),
                            now,
                            actor,
                        )
                    })?;
                } else {
                    // Easysoft `STATUS=0` on a refill: the spec cannot rule out that it executed
                    // (easysoft.md, inferred), so it is an unknown outcome for a person, never a
                    // reason to try the next provider.
                    self.record_reply(exchange, || {
                        self.ledger.topup_needs_person(
                            topup.id,
                            &format!(
                                "unclassified refusal {}: {}",
                                rejection.code, rejection.message
                            ),
                            now,
                            actor,
                        )
                    })?;
                }
                self.hit("topup.settled.after_write")?;
            }
            Ok(TopupOutcome::Unknown(unknown)) => {
                self.health.note_failure(port.name(), now);
                if unknown.next_step == NextStep::ManualReconciliation
                    || port.resend() == Resend::Never
                {
                    self.record_reply(exchange, || {
                        self.ledger.topup_needs_person(
                            topup.id,
                            &format!("outcome unknown: {}", unknown.detail),
                            now,
                            actor,
                        )
                    })?;
                } else {
                    self.record_reply(exchange, || {
                        self.ledger.topup_progress(
                            topup.id,
                            TopupState::Unknown,
                            None,
                            None,
                            &unknown.detail,
                            now,
                            actor,
                        )?;
                        self.ledger
                            .schedule_check(&sale.id, Some(now + backoff.delay(topup.checks)))
                    })?;
                }
                self.hit("topup.unknown.after_write")?;
            }
            Err(error) => {
                // Refused before sending (bad number for the provider, no callback URL...):
                // nothing left the machine, so the next provider may try.
                self.record_reply(exchange, || {
                    self.ledger
                        .topup_rejected(topup.id, &format!("not sent: {error}"), now, actor)
                })?;
                self.hit("topup.settled.after_write")?;
            }
        }
        self.emit(EngineEventKind::TopupUpdated, &sale.id);
        Ok(())
    }

    /// Records a provider's reply and applies it in one transaction (one fsync): the two always
    /// follow each other. If applying fails, the reply is still recorded, alone, before the error
    /// is returned (the sale is driven again from what the ledger holds).
    fn record_reply<T>(
        &self,
        exchange: &termdee_ledger::Exchange,
        apply: impl FnOnce() -> Result<T, LedgerError>,
    ) -> Result<T, EngineError> {
        durably(|| {
            self.ledger.atomically(|| {
                self.ledger.record_exchange(exchange)?;
                apply()
            })
        })
        .or_else(|error| {
            durably(|| self.ledger.record_exchange(exchange))?;
            Err(error.into())
        })
    }

    fn backoff(&self, provider: &str) -> Backoff {
        self.config
            .backoff
            .get(provider)
            .copied()
            .unwrap_or_default()
    }

    async fn step_topup(&self, sale: &Sale, actor: &Actor) -> Result<bool, EngineError> {
        let now = self.now();
        if sale.next_check_at.is_some_and(|at| at > now) {
            return Ok(false);
        }
        let Some(topup) = self
            .ledger
            .topups_of(&sale.id)?
            .into_iter()
            .find(|t| t.state.is_live())
        else {
            return Ok(false);
        };
        let Some(port) = self.topup_port(&topup.provider).cloned() else {
            durably(|| {
                self.ledger.topup_needs_person(
                    topup.id,
                    &format!("provider {} is no longer configured", topup.provider),
                    now,
                    actor,
                )
            })?;
            return Ok(true);
        };
        let backoff = self.backoff(port.name());
        match (topup.state, topup.provider_ref.as_deref()) {
            (TopupState::Manual, _) => Ok(false),
            // The intent is written but we cannot know whether the request left (a crash), or
            // the reply was lost: resend the same key where that is safe, else ask a person.
            (TopupState::Intent, _) | (TopupState::Unknown, None) | (TopupState::Pending, None) => {
                if port.resend() == Resend::Never {
                    durably(|| {
                        self.ledger.topup_needs_person(
                            topup.id,
                            "the request may have reached the provider, which has no key to check",
                            now,
                            actor,
                        )
                    })?;
                    self.hit("topup.unknown.after_write")?;
                    self.emit(EngineEventKind::NeedsAttention, &sale.id);
                    return Ok(true);
                }
                if topup.checks >= backoff.max_checks {
                    durably(|| {
                        self.ledger.topup_needs_person(
                            topup.id,
                            "no result after every status check",
                            now,
                            actor,
                        )
                    })?;
                    self.emit(EngineEventKind::NeedsAttention, &sale.id);
                    return Ok(true);
                }
                durably(|| self.ledger.topup_checked(topup.id, now))?;
                let topup = Topup {
                    checks: topup.checks + 1,
                    ..topup
                };
                self.send_topup(sale, &topup, port.as_ref(), actor).await?;
                Ok(true)
            }
            (TopupState::Succeeded | TopupState::Failed | TopupState::Rejected, None) => Ok(false),
            (_, Some(provider_ref)) => {
                self.hit("topup.query.before_call")?;
                let status = port.query(provider_ref).await;
                self.hit("topup.query.after_call")?;
                let now = self.now();
                // The query's count, what its answer settles and the next check (or the hand-over
                // to a person) always go together: one transaction, one fsync.
                let checked = durably(|| {
                    self.ledger.atomically(|| {
                        self.ledger.topup_checked(topup.id, now)?;
                        if self.write_topup_status(&topup, &status, actor, now)? {
                            return Ok(Checked::Settled);
                        }
                        if topup.checks + 1 >= backoff.max_checks {
                            self.ledger.topup_needs_person(
                                topup.id,
                                "no result after every status check",
                                now,
                                actor,
                            )?;
                            return Ok(Checked::ToPerson);
                        }
                        self.ledger.schedule_check(
                            &sale.id,
                            Some(now + backoff.delay(topup.checks + 1)),
                        )?;
                        Ok(Checked::Waiting)
                    })
                })?;
                match checked {
                    Checked::Settled => {
                        self.hit("topup.settled.after_write")?;
                        self.emit(EngineEventKind::TopupUpdated, &sale.id);
                        Ok(true)
                    }
                    Checked::ToPerson => {
                        self.emit(EngineEventKind::NeedsAttention, &sale.id);
                        Ok(true)
                    }
                    Checked::Waiting => Ok(false),
                }
            }
        }
    }

    /// Applies a top-up status a person asked for ([`Engine::check_again`]). Returns whether it
    /// settled.
    fn apply_topup_status(
        &self,
        topup: &Topup,
        status: Result<TopupStatus, ProviderError>,
        actor: &Actor,
    ) -> Result<bool, EngineError> {
        if !settles(&status) {
            return Ok(false);
        }
        let now = self.now();
        durably(|| self.write_topup_status(topup, &status, actor, now))?;
        self.hit("topup.settled.after_write")?;
        self.emit(EngineEventKind::TopupUpdated, &topup.sale_id);
        Ok(true)
    }

    /// The ledger write of a top-up status from a query or a verified callback: a success or a
    /// failure settles the top-up (once: a repeat is a no-op); anything else writes nothing.
    /// Returns whether the status settles it. Inside [`Ledger::atomically`] it is part of the
    /// caller's transaction.
    pub(crate) fn write_topup_status(
        &self,
        topup: &Topup,
        status: &Result<TopupStatus, ProviderError>,
        actor: &Actor,
        now: UnixMillis,
    ) -> Result<bool, LedgerError> {
        match status {
            Ok(TopupStatus::Succeeded(result)) => {
                self.ledger.topup_succeeded(
                    topup.id,
                    result.provider_ref.as_deref(),
                    result.message.as_deref().unwrap_or("succeeded"),
                    now,
                    actor,
                )?;
                Ok(true)
            }
            Ok(TopupStatus::Failed(result)) => {
                self.ledger.topup_failed(
                    topup.id,
                    result.message.as_deref().unwrap_or("failed"),
                    now,
                    actor,
                )?;
                Ok(true)
            }
            Ok(TopupStatus::Pending) | Ok(TopupStatus::Unknown { .. }) | Err(_) => Ok(false),
        }
    }
}

/// What a status query's transaction did.
enum Checked {
    /// The answer settled the top-up.
    Settled,
    /// No answer after every check: handed to a person.
    ToPerson,
    /// Still waiting: the next check is scheduled.
    Waiting,
}

/// Whether a top-up status settles the top-up (a definite success or failure).
pub(crate) fn settles(status: &Result<TopupStatus, ProviderError>) -> bool {
    matches!(
        status,
        Ok(TopupStatus::Succeeded(_)) | Ok(TopupStatus::Failed(_))
    )
}

fn require_person(actor: &Actor) -> Result<(), EngineError> {
    if matches!(actor.kind, ActorKind::Owner | ActorKind::Cashier) {
        Ok(())
    } else {
        Err(refused(
            ErrorCode::NotPermitted,
            "only an owner or a cashier can settle money by hand",
        ))
    }
}

fn payment_ref(payment: &Payment) -> QrPaymentRef {
    QrPaymentRef {
        reference: payment.reference.clone(),
        provider_ref: payment.provider_ref.clone(),
    }
}

/// A sale id: the time in base 36 and five random base-36 characters — unique across
/// registers and restarts, short enough that `<sale>T<attempt>` fits wePAY's 20 alphanumerics.
pub fn new_sale_id(at: UnixMillis) -> String {
    use rand::Rng;
    let mut id = String::from("S");
    id.push_str(&base36(u64::try_from(at.max(0)).unwrap_or(0)));
    let mut rng = rand::rng();
    for _ in 0..5 {
        let digit = rng.random_range(0..36u32);
        id.push(
            char::from_digit(digit, 36)
                .unwrap_or('0')
                .to_ascii_uppercase(),
        );
    }
    id
}

fn base36(mut value: u64) -> String {
    let mut digits = Vec::new();
    loop {
        let digit = u32::try_from(value % 36).unwrap_or(0);
        digits.push(
            char::from_digit(digit, 36)
                .unwrap_or('0')
                .to_ascii_uppercase(),
        );
        value /= 36;
        if value == 0 {
            break;
        }
    }
    digits.iter().rev().collect()
}

/// The payment key of an attempt: Deposit-QR's `<sale>-<attempt>` form, else `<sale>P<attempt>`.
pub fn payment_reference(sale_id: &str, method: PaymentMethod, attempt: i64) -> String {
    match method {
        PaymentMethod::DepositQr => format!("{sale_id}-{attempt}"),
        _ => format!("{sale_id}P{attempt}"),
    }
}

/// The top-up key of an attempt (wePAY `dest_ref`, ≤ 20 alphanumerics).
pub fn topup_reference(sale_id: &str, attempt: i64) -> String {
    format!("{sale_id}T{attempt}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fit_wepay_dest_ref() {
        let id = new_sale_id(1_795_280_400_000);
        let key = topup_reference(&id, 9);
        assert!(key.len() <= 20, "{key}");
        assert!(key.bytes().all(|b| b.is_ascii_alphanumeric()), "{key}");
        assert_ne!(new_sale_id(1), new_sale_id(1));
    }
}
