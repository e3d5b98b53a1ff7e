//! Crash injection: named points before and after every ledger write and provider call.
//!
//! The engine calls [`CrashHook::hit`] at each point. In production the hook does nothing. The
//! soak's `--crash` mode kills the engine in-process at a chosen point: from then on every hit
//! fails, the error unwinds every task of the engine, and the soak drops it — nothing after the
//! point runs, exactly as after a SIGKILL (no transaction is ever open at a point). The crash
//! tests use [`PauseForKill`] in a child process instead: it announces the point on stdout and
//! waits there until the parent sends a real SIGKILL.
//!
//! A point sits between durable steps, and some steps write several things in one transaction
//! (so a kill can never fall between them). After each `after_write` point, what is durable:
//!
//! - `sale.create.after_write`: the sale and its first payment — for cash and the shop's own
//!   QR already open (one transaction); for a provider QR an intent, `payment.open.after_write`
//!   once the QR exists (opened with its first status query's time).
//! - `payment.confirm.after_write`: the cashier's "paid" — together with the top-up intent
//!   (key, state `intent`) when the sale goes straight on to a provider, alone otherwise (then
//!   `topup.intent.*` follow, as after a QR payment found by a query,
//!   `payment.received.after_write`).
//! - `topup.accepted.after_write`, `topup.unknown.after_write`, `topup.settled.after_write`: the
//!   provider's reply recorded together with what it changed (and the next check's time).
//! - `callback.store.after_write`: a callback that needs the provider's word, stored alone before
//!   the pull. `callback.apply.after_write`: a callback's verdict — with the raw bytes in the same
//!   transaction when it was judged without a pull, with what it settled when it was pulled.

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

/// The engine was killed at a crash point (injected).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("killed at {0}")]
pub struct Crashed(pub &'static str);

/// Decides what happens at a crash point.
pub trait CrashHook: Send + Sync + fmt::Debug {
    /// Called at the point named `point`; `Err` kills the engine there.
    fn hit(&self, point: &'static str) -> Result<(), Crashed>;
}

/// Production: never crashes.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoCrash;

impl CrashHook for NoCrash {
    fn hit(&self, _point: &'static str) -> Result<(), Crashed> {
        Ok(())
    }
}

/// Kills the engine at the `n`-th point hit (counting from 1), and at every point after it.
#[derive(Debug)]
pub struct KillAtHit {
    remaining: AtomicU64,
    dead: AtomicBool,
    killed_at: Mutex<Option<&'static str>>,
}

impl KillAtHit {
    /// Kills at the `n`-th hit.
    pub fn new(n: u64) -> Self {
        KillAtHit {
            remaining: AtomicU64::new(n),
            dead: AtomicBool::new(false),
            killed_at: Mutex::new(None),
        }
    }

    /// Where it killed, once it has.
    pub fn killed_at(&self) -> Option<&'static str> {
        *self
            .killed_at
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether it has killed.
    pub fn is_dead(&self) -> bool {
        self.dead.load(Ordering::SeqCst)
    }
}

impl CrashHook for KillAtHit {
    fn hit(&self, point: &'static str) -> Result<(), Crashed> {
        if self.dead.load(Ordering::SeqCst) {
            return Err(Crashed(point));
        }
        let before = self
            .remaining
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(1)
            })
            .unwrap_or(0);
        if before == 1 {
            self.dead.store(true, Ordering::SeqCst);
            *self
                .killed_at
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(point);
            return Err(Crashed(point));
        }
        Ok(())
    }
}

/// For crash tests in a child process: at the `occurrence`-th hit of the point named `point`,
/// prints `CRASH-POINT <name>` on stdout and blocks the whole engine until the parent kills the
/// process with SIGKILL. Run the engine on a current-thread runtime so that nothing else of it
/// runs on while it waits.
#[derive(Debug)]
pub struct PauseForKill {
    point: String,
    remaining: AtomicU64,
}

impl PauseForKill {
    /// Pauses at the `occurrence`-th (1-based) hit of `point`.
    pub fn new(point: impl Into<String>, occurrence: u64) -> Self {
        PauseForKill {
            point: point.into(),
            remaining: AtomicU64::new(occurrence),
        }
    }
}

impl CrashHook for PauseForKill {
    fn hit(&self, point: &'static str) -> Result<(), Crashed> {
        if point != self.point {
            return Ok(());
        }
        let before = self
            .remaining
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(1)
            })
            .unwrap_or(0);
        if before == 1 {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "CRASH-POINT {point}");
            let _ = out.flush();
            // Hold the stdout lock and this thread: nothing else of the engine may run on.
            loop {
                std::thread::park();
            }
        }
        Ok(())
    }
}

/// Every crash point of the engine, for tests that want to kill at each one.
pub const CRASH_POINTS: [&str; 28] = [
    "sale.create.before_write",
    "sale.create.after_write",
    "payment.open.after_write",
    "payment.confirm.before_write",
    "payment.confirm.after_write",
    "payment.create.before_call",
    "payment.create.after_call",
    "payment.unknown.after_write",
    "payment.retry.after_write",
    "payment.query.before_call",
    "payment.query.after_call",
    "payment.received.after_write",
    "topup.refund_due.before_write",
    "topup.refund_due.after_write",
    "topup.intent.before_write",
    "topup.intent.after_write",
    "topup.order.before_call",
    "topup.order.after_call",
    "topup.accepted.after_write",
    "topup.settled.after_write",
    "topup.unknown.after_write",
    "topup.query.before_call",
    "topup.query.after_call",
    "callback.store.before_write",
    "callback.store.after_write",
    "callback.verify.before_call",
    "callback.verify.after_call",
    "callback.apply.after_write",
];
