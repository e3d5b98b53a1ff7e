//! Group commit: many writers' transactions under one `COMMIT`, so one fsync.
//!
//! With `synchronous=FULL` every `COMMIT` waits for an fsync of the WAL (milliseconds on a real
//! disk), and SQLite has one writer: committed one by one, transitions queue behind each other's
//! fsyncs. Here the writers that arrive while a group is open join it instead:
//!
//! - The first writer opens a group with `BEGIN IMMEDIATE`. Each writer runs its work in a
//!   `SAVEPOINT` of that transaction, holding the connection only for its own statements; work
//!   that fails is rolled back to its savepoint and returns its error at once (nothing of it is
//!   in the group), without touching the other members' changes.
//! - A writer whose work succeeded waits for the group's end. When no other writer is on its way
//!   in (or the group is full), one waiting member commits for all: one `COMMIT`, one fsync.
//!   Writers that arrive during that fsync form the next group.
//! - Every member returns only after that `COMMIT` returned, so "returned `Ok`" still means
//!   "durable". A failing `COMMIT` (or SQLite rolling the whole transaction back, e.g. on a full
//!   disk) fails every member that was waiting, with [`LedgerError::GroupFailed`]; a crash before
//!   the `COMMIT` loses the whole group, which no member had been told was written.
//!
//! A writer alone commits at once, so a quiet shop pays nothing for this.

use std::cell::RefCell;
use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use rusqlite::Connection;

use crate::checkpoint::{self, CheckpointRequests};
use crate::{LedgerError, Result};

thread_local! {
    // The writing connection while a member's work runs on this thread, with its writer's id:
    // a write made from inside that work (`Ledger::atomically`) runs as a nested savepoint of the
    // same member instead of waiting for the group it is itself holding open.
    static RUNNING: RefCell<Option<(u64, Connection)>> = const { RefCell::new(None) };
    // The names of the writes made inside the member running on this thread (the parts of an
    // `atomically`), for the transaction tally.
    static PARTS: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
}

static WRITERS: AtomicU64 = AtomicU64::new(1);

/// At most this many transactions in one group: a steady stream of writers still commits.
const MOST_MEMBERS: usize = 256;

/// Called just before a group's `COMMIT` with the number of its members (crash tests).
pub(crate) type BeforeCommit = Box<dyn Fn(usize) + Send + Sync>;

/// How many groups were committed and how many transactions they held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GroupCommits {
    /// `COMMIT`s that succeeded.
    pub groups: u64,
    /// Transactions in those groups.
    pub transactions: u64,
}

/// Committed transactions counted by name, in the order each name first committed (see
/// [`crate::Ledger::tally_transactions`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TransactionTally {
    /// `(name, count)`: a transaction's name is its ledger method (`create_sale`), or the names of
    /// the writes it joined with ` + ` (`payment_received + begin_topup`, from `atomically`).
    pub counts: Vec<(String, u64)>,
}

impl TransactionTally {
    fn add(&mut self, name: String) {
        match self.counts.iter_mut().find(|(known, _)| *known == name) {
            Some((_, count)) => *count += 1,
            None => self.counts.push((name, 1)),
        }
    }

    /// Every transaction counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().map(|(_, count)| count).sum()
    }
}

/// The writing connection and its open group.
pub(crate) struct Writer {
    id: u64,
    state: Mutex<State>,
    changed: Condvar,
    // Writers between "I want to write" and holding the state lock: the group waits for them.
    arriving: AtomicUsize,
    groups: AtomicU64,
    transactions: AtomicU64,
    // `Some` while transactions are tallied by name (benchmarks; off in the shop).
    tally: Mutex<Option<TransactionTally>>,
    tallying: AtomicBool,
    // Where to ask for a checkpoint when a commit leaves the log long (see `checkpoint`).
    checkpoints: CheckpointRequests,
}

struct State {
    // `None` only while a member's work runs on its thread (it is in `RUNNING` then).
    connection: Option<Connection>,
    open: Option<Group>,
    last_number: u64,
    // The number of the last group that ended; groups end in the order they opened.
    ended: u64,
    failures: HashMap<u64, Failure>,
    before_commit: Option<BeforeCommit>,
}

struct Group {
    number: u64,
    // Members whose work is in the group (they wait for its COMMIT).
    waiting: usize,
    // Every member that joined, failed ones included.
    joined: usize,
    // Set when the transaction can no longer commit (SQLite rolled it back, a savepoint failed).
    broken: Option<String>,
}

struct Failure {
    message: String,
    unread: usize,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("groups", &self.groups.load(Ordering::Relaxed))
            .field("transactions", &self.transactions.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

enum Member<T> {
    Done(T),
    Failed(LedgerError),
    Panicked(Box<dyn std::any::Any + Send>),
}

impl Writer {
    /// The writer over `connection`, which must not checkpoint by itself
    /// ([`checkpoint::watch_log`]): it asks `checkpoints` when the log grows long.
    pub(crate) fn new(connection: Connection, checkpoints: CheckpointRequests) -> Writer {
        Writer {
            id: WRITERS.fetch_add(1, Ordering::Relaxed),
            state: Mutex::new(State {
                connection: Some(connection),
                open: None,
                last_number: 0,
                ended: 0,
                failures: HashMap::new(),
                before_commit: None,
            }),
            changed: Condvar::new(),
            arriving: AtomicUsize::new(0),
            groups: AtomicU64::new(0),
            transactions: AtomicU64::new(0),
            tally: Mutex::new(None),
            tallying: AtomicBool::new(false),
            checkpoints,
        }
    }

    /// Starts tallying committed transactions by name (from zero), or stops.
    pub(crate) fn set_tally(&self, on: bool) {
        let mut tally = self.tally.lock().unwrap_or_else(PoisonError::into_inner);
        *tally = on.then(TransactionTally::default);
        self.tallying.store(on, Ordering::SeqCst);
    }

    /// The tally so far (empty when not tallying).
    pub(crate) fn tally(&self) -> TransactionTally {
        self.tally
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .unwrap_or_default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Work runs under catch_unwind, so a poisoned lock only means a panic outside it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `work` on the connection between groups (self-check).
    pub(crate) fn with_connection<T>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T>,
    ) -> Result<T> {
        let state = self.lock();
        work(state.connection()?)
    }

    pub(crate) fn set_before_commit(&self, hook: Option<BeforeCommit>) {
        self.lock().before_commit = hook;
    }

    pub(crate) fn commits(&self) -> GroupCommits {
        GroupCommits {
            groups: self.groups.load(Ordering::Relaxed),
            transactions: self.transactions.load(Ordering::Relaxed),
        }
    }

    /// Runs `work` as one member of a group; returns once the group's `COMMIT` is durable.
    /// `name` names the transaction in the tally (the ledger method).
    pub(crate) fn write<T>(
        &self,
        name: &'static str,
        work: impl FnOnce(&Connection) -> Result<T>,
    ) -> Result<T> {
        let mut work = Some(work);
        let inside = RUNNING.with(|running| {
            let running = running.try_borrow().ok()?;
            match (running.as_ref(), work.take()) {
                (Some((id, connection)), Some(work)) if *id == self.id => {
                    let result = nested(connection, work);
                    if result.is_ok() {
                        PARTS.with(|parts| {
                            if let Ok(mut parts) = parts.try_borrow_mut() {
                                parts.push(name);
                            }
                        });
                    }
                    Some(result)
                }
                (_, unused) => {
                    work = unused;
                    None
                }
            }
        });
        if let Some(result) = inside {
            return result;
        }
        let Some(work) = work else {
            return Err(LedgerError::GroupFailed("a write ran twice".to_owned()));
        };
        self.arriving.fetch_add(1, Ordering::SeqCst);
        let mut state = self.lock();
        self.arriving.fetch_sub(1, Ordering::SeqCst);

        if state.open.is_none() {
            let begun = state
                .connection()
                .and_then(|c| Ok(c.execute_batch("BEGIN IMMEDIATE")?));
            if let Err(error) = begun {
                drop(state);
                self.changed.notify_all();
                return Err(error);
            }
            state.last_number += 1;
            let number = state.last_number;
            state.open = Some(Group {
                number,
                waiting: 0,
                joined: 0,
                broken: None,
            });
        }
        let number = state.open.as_ref().map_or(0, |g| g.number);

        PARTS.with(|parts| parts.borrow_mut().clear());
        let outcome = self.run_seated(&mut state, work);
        let parts = PARTS.with(|parts| std::mem::take(&mut *parts.borrow_mut()));
        let rolled_back = state
            .connection
            .as_ref()
            .is_none_or(Connection::is_autocommit);
        if let Some(group) = state.open.as_mut() {
            group.joined += 1;
            if rolled_back && group.broken.is_none() {
                group.broken = Some("SQLite rolled the group's transaction back".to_owned());
            }
            if let Member::Done(_) = outcome {
                group.waiting += 1;
            }
        }
        let value = match outcome {
            Member::Done(value) => value,
            Member::Failed(error) => {
                // Ending the group (if this member was the last one on the way) wakes its
                // members; otherwise the next to join will.
                self.leave_failed(&mut state);
                drop(state);
                return Err(error);
            }
            Member::Panicked(payload) => {
                // Ending the group (if this member was the last one on the way) wakes its
                // members; otherwise the next to join will.
                self.leave_failed(&mut state);
                drop(state);
                panic::resume_unwind(payload);
            }
        };
        // The member that joins last ends the group: nobody else on the way in (checked under
        // the state lock, which every arriving writer must take to join), or the group full.
        // The others sleep until then. (Waking every member at each join so that each could
        // check this for itself was a context switch per member per join, a quarter of the
        // ledger's CPU under a callback load.)
        let full = state
            .open
            .as_ref()
            .is_some_and(|g| g.joined >= MOST_MEMBERS || g.broken.is_some());
        if full || self.arriving.load(Ordering::SeqCst) == 0 {
            self.end_group(&mut state);
        }
        while state.ended < number {
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }

        if let Some(failure) = state.failures.get_mut(&number) {
            let message = failure.message.clone();
            failure.unread = failure.unread.saturating_sub(1);
            if failure.unread == 0 {
                state.failures.remove(&number);
            }
            return Err(LedgerError::GroupFailed(message));
        }
        drop(state);
        if self.tallying.load(Ordering::SeqCst) {
            let name = if parts.is_empty() {
                name.to_owned()
            } else {
                parts.join(" + ")
            };
            if let Some(tally) = self
                .tally
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .as_mut()
            {
                tally.add(name);
            }
        }
        Ok(value)
    }

    /// Runs a member's work with the connection seated in `RUNNING`, so writes made from inside
    /// the work join it; puts the connection back afterwards.
    fn run_seated<T>(
        &self,
        state: &mut State,
        work: impl FnOnce(&Connection) -> Result<T>,
    ) -> Member<T> {
        let Some(connection) = state.connection.take() else {
            return Member::Failed(LedgerError::GroupFailed(
                "the writing connection is missing".to_owned(),
            ));
        };
        // Another ledger's member already runs on this thread: this one runs unseated.
        let unseated = RUNNING.with(|running| match running.try_borrow_mut() {
            Ok(mut slot) if slot.is_none() => {
                *slot = Some((self.id, connection));
                None
            }
            _ => Some(connection),
        });
        if let Some(connection) = unseated {
            let outcome = run_member(&connection, work);
            state.connection = Some(connection);
            return outcome;
        }
        let outcome = RUNNING.with(|running| match running.try_borrow() {
            Ok(slot) => match slot.as_ref() {
                Some((_, connection)) => run_member(connection, work),
                None => Member::Failed(LedgerError::GroupFailed(
                    "the writing connection is missing".to_owned(),
                )),
            },
            Err(_) => Member::Failed(LedgerError::GroupFailed(
                "the writing connection is busy".to_owned(),
            )),
        });
        state.connection = RUNNING.with(|running| {
            running
                .try_borrow_mut()
                .ok()
                .and_then(|mut slot| slot.take())
                .map(|(_, connection)| connection)
        });
        outcome
    }

    /// A member whose work failed leaves. If nobody else is on the way in, it was the one to end
    /// the group, so it does: the members waiting are committed (or, when the group is broken,
    /// told it failed) and the transaction does not stay open.
    fn leave_failed(&self, state: &mut State) {
        let broken = state.open.as_ref().is_some_and(|g| g.broken.is_some());
        if broken || self.arriving.load(Ordering::SeqCst) == 0 {
            self.end_group(state);
        }
    }

    /// Commits the open group (or rolls it back if it is broken) and records the outcome.
    fn end_group(&self, state: &mut State) {
        let Some(group) = state.open.take() else {
            return;
        };
        let result = match group.broken {
            Some(reason) => Err(reason),
            None => {
                if let Some(hook) = &state.before_commit {
                    hook(group.joined);
                }
                match state.connection.as_ref() {
                    Some(connection) => connection
                        .execute_batch("COMMIT")
                        .map_err(|e| format!("COMMIT failed: {e}")),
                    None => Err("the writing connection is missing".to_owned()),
                }
            }
        };
        let log_pages = checkpoint::take_log_pages();
        match result {
            Ok(()) => {
                if log_pages >= checkpoint::INLINE_PAGES {
                    if let Some(connection) = state.connection.as_ref() {
                        checkpoint::checkpoint_inline(connection);
                    }
                } else if log_pages >= checkpoint::BACKGROUND_PAGES {
                    self.checkpoints.request();
                }
                self.groups.fetch_add(1, Ordering::Relaxed);
                self.transactions
                    .fetch_add(u64::try_from(group.waiting).unwrap_or(0), Ordering::Relaxed);
            }
            Err(message) => {
                if let Some(connection) = state.connection.as_ref() {
                    if !connection.is_autocommit() {
                        // Nothing of the group may stay; if even this fails the connection
                        // still holds the transaction and the next BEGIN fails loudly.
                        let _ = connection.execute_batch("ROLLBACK");
                    }
                }
                if group.waiting > 0 {
                    state.failures.insert(
                        group.number,
                        Failure {
                            message,
                            unread: group.waiting,
                        },
                    );
                }
            }
        }
        state.ended = group.number;
        self.changed.notify_all();
    }
}

impl State {
    fn connection(&self) -> Result<&Connection> {
        self.connection
            .as_ref()
            .ok_or_else(|| LedgerError::GroupFailed("the writing connection is missing".to_owned()))
    }
}

/// A write made from inside a member's work: a nested savepoint of that member, undone alone on
/// `Err` (the member decides whether its whole work fails).
fn nested<T>(connection: &Connection, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
    connection.execute_batch("SAVEPOINT nested")?;
    match work(connection) {
        Ok(value) => {
            connection.execute_batch("RELEASE nested")?;
            Ok(value)
        }
        Err(error) => {
            if !connection.is_autocommit() {
                connection.execute_batch("ROLLBACK TO nested; RELEASE nested")?;
            }
            Err(error)
        }
    }
}

/// Runs one member's work inside a savepoint; on failure only the savepoint is undone.
fn run_member<T>(
    connection: &Connection,
    work: impl FnOnce(&Connection) -> Result<T>,
) -> Member<T> {
    if let Err(error) = connection.execute_batch("SAVEPOINT member") {
        return Member::Failed(error.into());
    }
    let outcome = match panic::catch_unwind(AssertUnwindSafe(|| work(connection))) {
        Ok(Ok(value)) => Member::Done(value),
        Ok(Err(error)) => Member::Failed(error),
        Err(payload) => Member::Panicked(payload),
    };
    if connection.is_autocommit() {
        // SQLite already rolled the whole transaction back (e.g. SQLITE_FULL): the caller
        // sees the group broken.
        return match outcome {
            Member::Done(_) => Member::Failed(LedgerError::GroupFailed(
                "SQLite rolled the group's transaction back".to_owned(),
            )),
            other => other,
        };
    }
    let end = match outcome {
        Member::Done(_) => connection.execute_batch("RELEASE member"),
        _ => connection.execute_batch("ROLLBACK TO member; RELEASE member"),
    };
    match end {
        Ok(()) => outcome,
        Err(error) => {
            // The savepoint could not be closed: the transaction's content is unknown, so the
            // whole group is rolled back (`ROLLBACK` ends it; the group sees autocommit).
            let _ = connection.execute_batch("ROLLBACK");
            match outcome {
                Member::Panicked(payload) => Member::Panicked(payload),
                _ => Member::Failed(error.into()),
            }
        }
    }
}
