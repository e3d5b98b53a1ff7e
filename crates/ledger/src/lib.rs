//! # termdee-ledger — the shop's book of record
//!
//! Every sale Termdee makes is written here, in a local SQLite file, before and after anything
//! that can move money. The ledger is what lets the app promise that a paid sale is topped up
//! exactly once or refunded, through crashes and power cuts:
//!
//! - **Durable before it acts.** The database runs in WAL mode with `synchronous=FULL` and
//!   foreign keys on; [`Ledger::open`] runs a self-check (journal mode, synchronous, foreign
//!   keys, schema version, `PRAGMA integrity_check`) and refuses to open — so the app refuses to
//!   sell — when any of it fails.
//! - **One transaction per transition.** Each public method is one `BEGIN IMMEDIATE`
//!   transaction that checks the sale is in the state the caller expected (compare and swap),
//!   moves it, adjusts the money columns and appends an event saying who caused it (cashier,
//!   kiosk, callback, poller, owner). Events are append-only: triggers refuse UPDATE and DELETE.
//! - **Rules in the schema too.** The sale state machine of [`termdee_domain::SaleState`] is
//!   also a table and a trigger; a sale has at most one delivered top-up and never a second
//!   top-up request while one is unsettled (partial unique indexes); every idempotency key ever
//!   sent is unique forever; `delivered + refunded ≤ received` is a CHECK. A bug in the engine
//!   hits a constraint instead of moving money twice.
//! - **Raw evidence.** Callbacks are stored byte for byte — never after what they apply: alone
//!   before it, or in the same transaction — and provider exchanges are kept (with
//!   secrets already masked by the transport) for reconciliation.
//! - **Reports from the ledger.** [`Ledger::report`] sums the sales of a range of Bangkok days
//!   per operator, network, provider, payment method or register — one `GROUP BY key, state`
//!   folded by [`termdee_domain::report::fold`], exactly as the fleet hub does — from one
//!   covering index; each delivered sale carries its provider's cost, so the margin is there too.
//! - **People and drawers.** Operators have a role (owner, cashier, kiosk), an argon2id PIN hash
//!   and a lockout counter ([`OperatorAccount`]); the rules that must survive concurrent writers
//!   (one first owner, never zero active owners) are checked inside the writing transaction.
//!   Shifts are closed blind: the count comes in and the expected cash is computed from the sales
//!   in the same transaction ([`Ledger::close_shift`]).
//! - **An outbox to the fleet hub.** Triggers queue every change of a sale, operator or register
//!   and every event in the same transaction ([`OutboxBatch`], [`Ledger::outbox_batch`]); the
//!   register's sender pushes them and records the hub's acknowledgement.
//!
//! The API is synchronous and blocking. Writes share fsyncs by **group commit**: transactions of
//! concurrent callers run as savepoints of one `BEGIN IMMEDIATE`, one `COMMIT` makes them all
//! durable, and each caller returns only after it (see the `group` module; a failing member
//! rolls back only itself, a failing `COMMIT` fails them all). Reads use a second connection, so
//! they never wait for a commit's fsync, and each read is one snapshot. The write-ahead log is
//! checkpointed by a thread of the ledger's own, so no group waits behind a checkpoint (see the
//! `checkpoint` module). Writes that always follow
//! each other are made one transaction by [`Ledger::atomically`] (one fsync instead of several);
//! [`Ledger::tally_transactions`] counts the committed transactions by name, which is how the
//! benchmarks show what a sale or a callback costs.
#![deny(missing_docs)]

mod callbacks;
mod checkpoint;
mod error;
mod events;
mod exchanges;
mod group;
mod migrations;
mod operators;
mod outbox;
mod payments;
mod registers;
mod report;
mod sales;
mod shifts;
mod topups;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use rusqlite::Connection;

pub use callbacks::StoredCallback;
pub use error::{LedgerError, Result};
pub use events::Event;
pub use exchanges::Exchange;
pub use group::{GroupCommits, TransactionTally};
pub use operators::{Operator, OperatorAccount, OperatorRole, PinChange, PinFailure, PinLockout};
pub use outbox::{OutboxBatch, OutboxEntry, OutboxKind, OutboxRow, OutboxStatus};
pub use payments::{NewPayment, Payment, PaymentEnd, PaymentState};
pub use registers::{Register, RegisterKind};
pub use report::ReportScope;
pub use sales::{NewSale, Sale};
pub use shifts::{Shift, ShiftCash};
pub use termdee_domain::report::{OutcomeTotals, ReportDimension, ReportRow};
pub use topups::{NewTopup, Topup, TopupState};

/// Whether a write changed something or found it already done (idempotent repeats).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// This call made the change.
    Now,
    /// The change had already been made; nothing was written.
    Already,
}

/// What the self-check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelfCheck {
    /// `PRAGMA journal_mode` (must be `wal`).
    pub journal_mode: String,
    /// `PRAGMA synchronous` (must be 2, FULL).
    pub synchronous: i64,
    /// `PRAGMA foreign_keys` (must be 1).
    pub foreign_keys: i64,
    /// `PRAGMA integrity_check` (must be `ok`).
    pub integrity: String,
    /// The schema version (`user_version`).
    pub schema_version: i64,
}

/// The ledger: one SQLite file.
#[derive(Debug)]
pub struct Ledger {
    writer: group::Writer,
    reader: Mutex<Connection>,
    checkpointer: checkpoint::Checkpointer,
    check: SelfCheck,
    path: PathBuf,
}

impl Ledger {
    /// Opens (creating if needed) the ledger at `path`, migrates it, and runs the self-check.
    pub fn open(path: impl AsRef<Path>) -> Result<Ledger> {
        let mut connection = Connection::open(path.as_ref())?;
        configure(&connection)?;
        // Foreign keys are off while migrating, as SQLite's table-rebuild procedure requires
        // (https://www.sqlite.org/lang_altertable.html#otheralter); each migration runs
        // `PRAGMA foreign_key_check` before it commits, and enforcement is back on before use.
        connection.pragma_update(None, "foreign_keys", "OFF")?;
        migrations::migrations().to_latest(&mut connection)?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        let check = self_check(&connection)?;
        let reader = Connection::open(path.as_ref())?;
        configure(&reader)?;
        // The log is checkpointed by a thread of the ledger's own, not inside group commits.
        let checkpointer = checkpoint::Checkpointer::start(path.as_ref())?;
        checkpoint::watch_log(&connection);
        Ok(Ledger {
            writer: group::Writer::new(connection, checkpointer.requests()),
            reader: Mutex::new(reader),
            checkpointer,
            check,
            path: path.as_ref().to_path_buf(),
        })
    }

    /// The file the ledger lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What the start-up self-check found (it passed, or `open` would have failed).
    pub fn self_check(&self) -> &SelfCheck {
        &self.check
    }

    /// Runs the self-check again (e.g. from an owner's "check the ledger" button).
    pub fn recheck(&self) -> Result<SelfCheck> {
        self.writer.with_connection(self_check)
    }

    /// Runs several of this ledger's writes as ONE transaction: every write `work` makes (on
    /// this thread) is a nested savepoint of it, and they become durable together, in one
    /// group commit, or not at all when `work` returns `Err`. For writes that always follow each
    /// other (a provider's reply recorded and applied): one fsync instead of several. Reads made
    /// inside `work` do not see its writes yet (they use the reading connection).
    pub fn atomically<T>(&self, work: impl FnOnce() -> Result<T>) -> Result<T> {
        self.writer.write("atomically", |_| work())
    }

    /// Starts tallying this ledger's committed transactions by name, from zero (`false` stops):
    /// what the benchmarks print to show which durable transactions a sale or a callback costs.
    /// Costs a lock per transaction while on; off by default.
    pub fn tally_transactions(&self, on: bool) {
        self.writer.set_tally(on);
    }

    /// The committed transactions by name since [`Ledger::tally_transactions`] was turned on.
    pub fn transaction_tally(&self) -> TransactionTally {
        self.writer.tally()
    }

    /// How many group commits this ledger made and how many transactions they held.
    pub fn group_commits(&self) -> GroupCommits {
        self.writer.commits()
    }

    /// How many WAL checkpoints the ledger's background thread has run (see the `checkpoint`
    /// module: the log is copied back into the database off the writers' path).
    pub fn background_checkpoints(&self) -> u64 {
        self.checkpointer.done()
    }

    /// Calls `hook` with the group's size just before each group `COMMIT` (crash tests kill the
    /// process there to prove a group is lost whole or kept whole).
    #[doc(hidden)]
    pub fn before_group_commit(&self, hook: impl Fn(usize) + Send + Sync + 'static) {
        self.writer.set_before_commit(Some(Box::new(hook)));
    }

    /// Runs `work` as one transaction: a savepoint in the current group, kept on `Ok` and
    /// undone on `Err`; returns after the group's `COMMIT` is durable.
    fn write<T>(
        &self,
        name: &'static str,
        work: impl FnOnce(&Connection) -> Result<T>,
    ) -> Result<T> {
        self.writer.write(name, work)
    }

    /// Runs a read on the reading connection, in one read transaction (one snapshot).
    fn read<T>(&self, work: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let mut connection = self.reader.lock().unwrap_or_else(PoisonError::into_inner);
        let snapshot = connection.transaction()?;
        let value = work(&snapshot)?;
        snapshot.commit()?;
        Ok(value)
    }
}

fn configure(connection: &Connection) -> Result<()> {
    // WAL: readers never block the writer; FULL: a committed transition survives a power cut.
    connection.pragma_update(None, "journal_mode", "wal")?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    // Each member of a group commit is a savepoint, so its statements keep a sub-journal (the
    // pages' contents before the member, to undo it alone). In memory it costs a copy; on the
    // default temp store it spills to a temporary file past 64 KiB, which under load was a
    // write(2) per page and 6 % of the callback listener's CPU. It holds no durable state: a
    // crash loses the uncommitted group whatever it holds.
    connection.pragma_update(None, "temp_store", "MEMORY")?;
    connection.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

fn self_check(connection: &Connection) -> Result<SelfCheck> {
    let journal_mode: String = connection.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
    let synchronous: i64 = connection.pragma_query_value(None, "synchronous", |r| r.get(0))?;
    let foreign_keys: i64 = connection.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
    let integrity: String = connection.pragma_query_value(None, "integrity_check", |r| r.get(0))?;
    let schema_version: i64 = connection.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let check = SelfCheck {
        journal_mode,
        synchronous,
        foreign_keys,
        integrity,
        schema_version,
    };
    let expected_version = i64::try_from(migrations::count()).unwrap_or(i64::MAX);
    if !check.journal_mode.eq_ignore_ascii_case("wal") {
        return Err(LedgerError::SelfCheck(format!(
            "journal_mode is {} (need wal)",
            check.journal_mode
        )));
    }
    if check.synchronous != 2 {
        return Err(LedgerError::SelfCheck(format!(
            "synchronous is {} (need 2, FULL)",
            check.synchronous
        )));
    }
    if check.foreign_keys != 1 {
        return Err(LedgerError::SelfCheck("foreign keys are off".into()));
    }
    if check.integrity != "ok" {
        return Err(LedgerError::SelfCheck(format!(
            "integrity_check: {}",
            check.integrity
        )));
    }
    if check.schema_version != expected_version {
        return Err(LedgerError::SelfCheck(format!(
            "schema version {} (this build knows {expected_version})",
            check.schema_version
        )));
    }
    Ok(check)
}

/// The SQL of schema migration `version` (1-based), exactly as shipped: for tests that build a
/// ledger of an older release and open it with this one.
pub fn migration_sql(version: usize) -> Option<&'static str> {
    migrations::sql(version)
}

/// The sale transitions the ledger's trigger allows, as (from, to) codes; a test compares it with
/// [`termdee_domain::SaleState::can_become`].
pub fn schema_transitions(ledger: &Ledger) -> Result<Vec<(String, String)>> {
    ledger.read(|c| {
        let mut statement =
            c.prepare("SELECT from_state, to_state FROM sale_transitions ORDER BY 1, 2")?;
        let rows = statement
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    })
}
