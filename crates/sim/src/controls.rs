//! What a test (or a person, through `/_sim/...`) can script, and what the simulator records.
//!
//! Shared by every simulator: the fault queue, the fates of the next orders, seeded random
//! faults, the network switch, the record of executions (money that moved) and of callback
//! attempts.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use termdee_domain::Satang;

/// The kind of request a scripted [`Fault`] applies to, named the same for every provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Any request to the provider's API (not the `/_sim` control endpoints).
    Any,
    /// The call that moves money: wePAY `type=mtopup` order, Easysoft `mobile=refill`.
    Order,
    /// The status pull: wePAY `get_output`, Easysoft `mobile=update`.
    Query,
    /// The balance: wePAY `balance_inquiry`, Easysoft `amount=1`.
    Balance,
    /// The reversal: wePAY `mtopup_refund_api.php`, Easysoft `mobile=return`.
    Refund,
    /// Everything else: catalogue, service info, network status.
    Other,
}

impl Op {
    fn covers(self, actual: Op) -> bool {
        self == Op::Any || self == actual
    }
}

/// A fault applied to one request. Scripted ones are consumed by the first request they match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Wait this long, then handle the request normally.
    Delay {
        /// Milliseconds to wait.
        ms: u64,
    },
    /// Execute the request (money moves), then hold the reply this long: longer than the
    /// client's timeout, this is the "timeout after execution" case.
    ExecuteThenHold {
        /// Milliseconds to hold the finished reply.
        ms: u64,
    },
    /// Execute the request, then drop the connection before a complete reply.
    ExecuteThenDrop,
    /// Execute the request, then answer with the provider's internal error (wePAY `10004`,
    /// Easysoft `STATUS=0`): the order exists although the reply says otherwise.
    ExecuteThenError,
    /// Execute the request, then send a malformed (truncated) body.
    Malformed,
    /// Answer with this HTTP status and a gateway error page, without executing.
    ServerError {
        /// The HTTP status, e.g. 502.
        status: u16,
    },
    /// Answer with an HTML page (HTTP 403, the Cloudflare block), without executing.
    Html,
    /// Refuse as if the wallet were empty (wePAY `30019`, Easysoft `STATUS=0`).
    InsufficientBalance,
    /// Refuse as if the caller's IP were not whitelisted (wePAY `20005`, Easysoft `STATUS=0`).
    IpNotAllowed,
    /// Refuse with the provider's internal error without executing (wePAY `10001`).
    ProviderError,
}

/// How an order finally ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Topped up (wePAY status 2, Easysoft `STATUS_REFILL=1`).
    Success,
    /// Failed and re-credited (wePAY status 4, Easysoft `STATUS_CANCEL=1`).
    Failure,
}

/// What happens to the result callback of one order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CallbackPlan {
    /// Sent once the result is decided, re-sent until acknowledged.
    #[default]
    Normal,
    /// Never sent.
    None,
    /// Sent twice (two complete deliveries with the same data).
    Duplicate,
    /// The result is decided at once and the callback's first attempt is made before the
    /// order's HTTP reply is sent.
    BeforeReply,
    /// Sent this long after the result was decided (after a `get_output`/`update` has seen it).
    Late {
        /// Milliseconds of extra delay.
        ms: u64,
    },
    /// Held back until the next callback of this simulator has been sent, so the two arrive in
    /// the opposite order to the results (released anyway after the configured park limit).
    OutOfOrder,
}

/// The scripted fate of the next order: consumed by the next order created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Fate {
    /// The final status; `None` keeps the simulator's rule (phone number, failure rate).
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// What happens to the callback.
    #[serde(default)]
    pub callback: CallbackPlan,
    /// Milliseconds until the result is decided; `None` keeps the configured delay.
    #[serde(default)]
    pub result_delay_ms: Option<u64>,
}

/// Faults drawn at random from a seeded ChaCha8 generator: the same seed and the same
/// sequence of requests give the same faults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RandomFaults {
    /// The seed of the generator.
    pub seed: u64,
    /// Chance, per thousand requests, that a request gets a fault from `menu`.
    #[serde(default)]
    pub request_fault_per_mille: u16,
    /// The faults to draw from (uniformly).
    #[serde(default = "default_menu")]
    pub menu: Vec<Fault>,
    /// Chance, per thousand orders, that an order fails.
    #[serde(default)]
    pub failure_per_mille: u16,
    /// Chance, per thousand orders, that the callback gets a plan other than normal.
    #[serde(default)]
    pub callback_fault_per_mille: u16,
}

fn default_menu() -> Vec<Fault> {
    vec![
        Fault::Delay { ms: 20 },
        Fault::ExecuteThenHold { ms: 60_000 },
        Fault::ExecuteThenDrop,
        Fault::ServerError { status: 502 },
        Fault::Html,
        Fault::Malformed,
    ]
}

impl RandomFaults {
    /// No faults at all yet, with this seed; set the rates you want.
    pub fn new(seed: u64) -> Self {
        RandomFaults {
            seed,
            request_fault_per_mille: 0,
            menu: default_menu(),
            failure_per_mille: 0,
            callback_fault_per_mille: 0,
        }
    }
}

/// A fault or fate that was actually applied, in order: what a seeded run is compared on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "applied", rename_all = "snake_case")]
pub enum Applied {
    /// A request fault.
    Fault {
        /// The request it hit.
        op: Op,
        /// The fault.
        fault: Fault,
    },
    /// The fate of an order.
    Fate {
        /// The fate.
        fate: Fate,
    },
}

/// What moved money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExecutionKind {
    /// An order debited the wallet.
    Debit,
    /// A failed or cancelled order was re-credited.
    ReCredit,
    /// A successful order was reversed on request (wePAY refund, Easysoft `return`), re-credited.
    Reversal,
    /// A customer paid a payment provider's bill (Tmweasy, Deposit-QR, BluePay): money came in.
    Payment,
}

/// One movement of money in the simulated wallet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Execution {
    /// Sequence number within this simulator, from 1.
    pub seq: u64,
    /// What happened.
    pub kind: ExecutionKind,
    /// The idempotency key of the order: wePAY `dest_ref` (for a refund, the refund's own
    /// `dest_ref`); Easysoft the client `orderid` when honoured, else the `ORDERID`.
    pub key: String,
    /// The provider's transaction id (wePAY `transaction_id`, Easysoft `ORDERID`).
    pub transaction_id: String,
    /// The account.
    pub username: String,
    /// The amount that moved (always positive).
    pub amount: Satang,
    /// The wallet balance after it moved.
    pub balance_after: Satang,
}

/// One attempt to deliver a callback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackAttempt {
    /// The delivery this attempt belongs to (a duplicated callback is two deliveries).
    pub delivery: u64,
    /// 0 for the first attempt, then 1, 2, ... for re-sends.
    pub attempt: u32,
    /// Where it was POSTed.
    pub url: String,
    /// The form body sent.
    pub body: String,
    /// The HTTP status of the reply, `None` when the request itself failed.
    pub http_status: Option<u16>,
    /// The reply body (or the transport error).
    pub reply: String,
    /// Whether the reply was the acknowledgement the provider expects.
    pub acked: bool,
}

#[derive(Debug, Default)]
struct Book {
    faults: VecDeque<(Op, Fault)>,
    fates: VecDeque<Fate>,
    random: Option<(RandomFaults, ChaCha8Rng)>,
    applied: Vec<Applied>,
    executions: Vec<Execution>,
    callbacks: Vec<CallbackAttempt>,
}

/// The scripting and recording surface shared by every simulator.
#[derive(Debug)]
pub struct Controls {
    book: Mutex<Book>,
    online: AtomicBool,
    next_delivery: AtomicU64,
}

impl Controls {
    pub(crate) fn new(random: Option<RandomFaults>) -> Self {
        let controls = Controls {
            book: Mutex::new(Book::default()),
            online: AtomicBool::new(true),
            next_delivery: AtomicU64::new(1),
        };
        controls.set_random(random);
        controls
    }

    fn book(&self) -> MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues a fault for the next request of kind `op`.
    pub fn script(&self, op: Op, fault: Fault) {
        self.book().faults.push_back((op, fault));
    }

    /// Queues the fate of the next order.
    pub fn script_fate(&self, fate: Fate) {
        self.book().fates.push_back(fate);
    }

    /// Turns seeded random faults on (`Some`) or off (`None`); the generator restarts.
    pub fn set_random(&self, random: Option<RandomFaults>) {
        self.book().random = random.map(|r| {
            let rng = ChaCha8Rng::seed_from_u64(r.seed);
            (r, rng)
        });
    }

    /// Drops every scripted fault and fate not yet consumed.
    pub fn clear_script(&self) {
        let mut book = self.book();
        book.faults.clear();
        book.fates.clear();
    }

    /// Turns the simulated network on or off. Off, every API request (not `/_sim`) has its
    /// connection dropped without a reply, and callbacks are not sent.
    pub fn set_network_online(&self, online: bool) {
        self.online.store(online, Ordering::SeqCst);
    }

    /// Whether the simulated network is on.
    pub fn network_online(&self) -> bool {
        self.online.load(Ordering::SeqCst)
    }

    /// Every movement of money so far, in order.
    pub fn executions(&self) -> Vec<Execution> {
        self.book().executions.clone()
    }

    /// How many debits each key caused: a correct client never makes one exceed 1.
    pub fn debits_per_key(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for execution in self.book().executions.iter() {
            if execution.kind == ExecutionKind::Debit {
                *counts.entry(execution.key.clone()).or_insert(0) += 1;
            }
        }
        counts
    }

    /// Every callback attempt so far, in order.
    pub fn callbacks(&self) -> Vec<CallbackAttempt> {
        self.book().callbacks.clone()
    }

    /// Every fault and fate applied so far, in order.
    pub fn applied(&self) -> Vec<Applied> {
        self.book().applied.clone()
    }

    pub(crate) fn next_fault(&self, op: Op) -> Option<Fault> {
        let mut book = self.book();
        let position = book.faults.iter().position(|(on, _)| on.covers(op));
        let fault = match position.and_then(|index| book.faults.remove(index)) {
            Some((_, fault)) => Some(fault),
            None => match book.random.as_mut() {
                Some((random, rng)) if !random.menu.is_empty() => {
                    let roll: u16 = rng.random_range(0..1000);
                    let pick = rng.random_range(0..random.menu.len());
                    (roll < random.request_fault_per_mille).then(|| random.menu[pick].clone())
                }
                _ => None,
            },
        };
        if let Some(fault) = &fault {
            book.applied.push(Applied::Fault {
                op,
                fault: fault.clone(),
            });
        }
        fault
    }

    pub(crate) fn next_fate(&self) -> Fate {
        let mut book = self.book();
        let fate = match book.fates.pop_front() {
            Some(fate) => fate,
            None => match book.random.as_mut() {
                Some((random, rng)) => {
                    let fail: u16 = rng.random_range(0..1000);
                    let odd: u16 = rng.random_range(0..1000);
                    let pick: u8 = rng.random_range(0..5);
                    let outcome = (fail < random.failure_per_mille).then_some(Outcome::Failure);
                    let callback = if odd < random.callback_fault_per_mille {
                        match pick {
                            0 => CallbackPlan::None,
                            1 => CallbackPlan::Duplicate,
                            2 => CallbackPlan::BeforeReply,
                            3 => CallbackPlan::Late { ms: 50 },
                            _ => CallbackPlan::OutOfOrder,
                        }
                    } else {
                        CallbackPlan::Normal
                    };
                    Fate {
                        outcome,
                        callback,
                        result_delay_ms: None,
                    }
                }
                None => Fate::default(),
            },
        };
        if fate != Fate::default() {
            book.applied.push(Applied::Fate { fate });
        }
        fate
    }

    pub(crate) fn record_execution(
        &self,
        kind: ExecutionKind,
        key: &str,
        transaction_id: &str,
        username: &str,
        amount: Satang,
        balance_after: Satang,
    ) {
        let mut book = self.book();
        let seq = book.executions.len() as u64 + 1;
        book.executions.push(Execution {
            seq,
            kind,
            key: key.to_owned(),
            transaction_id: transaction_id.to_owned(),
            username: username.to_owned(),
            amount,
            balance_after,
        });
    }

    pub(crate) fn record_callback(&self, attempt: CallbackAttempt) {
        self.book().callbacks.push(attempt);
    }

    pub(crate) fn new_delivery_id(&self) -> u64 {
        self.next_delivery.fetch_add(1, Ordering::SeqCst)
    }
}
