//! WAL checkpoints off the writer's path.
//!
//! In WAL mode every commit appends pages to the `-wal` file; a *checkpoint* copies them back
//! into the database file (and, with `synchronous=FULL`, fsyncs it) so the log can start over.
//! SQLite's default runs one inside the `COMMIT` that takes the log past 1,000 pages, on the
//! committing connection — here, inside a group commit, with every writer of the next group
//! waiting behind it: a few milliseconds of copying and an extra fsync, once every hundred or so
//! groups under load, and each time the slowest commits of a callback burst.
//!
//! So the writing connection does not checkpoint by itself. Its WAL hook (called in `COMMIT`
//! with the log's size, <https://www.sqlite.org/c3ref/wal_hook.html>; installing one turns the
//! automatic checkpoint off) lets the committing thread know how long the log is, and:
//!
//! - past [`BACKGROUND_PAGES`], it asks a thread of the ledger's own to run a `PASSIVE`
//!   checkpoint on a connection of its own, which copies what it can without taking the write
//!   lock, so groups keep committing meanwhile;
//! - past [`INLINE_PAGES`], the committing thread checkpoints itself, as SQLite would have.
//!   The log starts over only once a checkpoint has copied all of it, and under a steady
//!   stream of writes the background one never quite does (pages keep coming while it copies).
//!   By then it has copied nearly everything, so this one copies only the last few pages, and
//!   the next write starts the log over: the log stays under about 16 MB.
//!
//! A checkpoint only moves pages that are already durable in the log: whether it runs, fails or
//! is killed half-way changes nothing a commit promised (SQLite recovers the log on open).

use std::cell::Cell;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;

use rusqlite::Connection;

use crate::Result;

/// Log size (pages) from which the background thread is asked to checkpoint: SQLite's own
/// automatic checkpoint threshold.
pub(crate) const BACKGROUND_PAGES: i32 = 1_000;
/// Log size (pages) from which the committing thread checkpoints itself: 16 MB of log with
/// 4 KiB pages.
pub(crate) const INLINE_PAGES: i32 = 4_000;

thread_local! {
    // The log's size after the last commit on this thread, set by the writing connection's WAL
    // hook (it runs inside `COMMIT`, on the committing thread).
    static LOG_PAGES: Cell<i32> = const { Cell::new(0) };
}

/// Installs the hook that reports the log's size after each commit of `connection` (and so
/// turns SQLite's automatic checkpoint off on it).
pub(crate) fn watch_log(connection: &Connection) {
    connection.wal_hook(Some(|_, pages| {
        LOG_PAGES.with(|log| log.set(pages));
        Ok(())
    }));
}

/// The log's size in pages after the last commit on this thread (0 once read).
pub(crate) fn take_log_pages() -> i32 {
    LOG_PAGES.with(Cell::take)
}

#[derive(Debug, Default)]
struct Wanted {
    requested: bool,
    closing: bool,
}

#[derive(Debug, Default)]
struct Shared {
    wanted: Mutex<Wanted>,
    wake: Condvar,
    done: AtomicU64,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Wanted> {
        self.wanted.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Asks the background thread for a checkpoint; cheap, and requests made while one runs
/// collapse into the next.
#[derive(Debug, Clone)]
pub(crate) struct CheckpointRequests(Arc<Shared>);

impl CheckpointRequests {
    pub(crate) fn request(&self) {
        self.0.lock().requested = true;
        self.0.wake.notify_one();
    }
}

/// The background checkpoint thread; stopped (and joined) when dropped.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Opens a connection of its own on `path` and starts the thread.
    pub(crate) fn start(path: &Path) -> Result<Checkpointer> {
        let connection = Connection::open(path)?;
        crate::configure(&connection)?;
        let shared = Arc::new(Shared::default());
        let worker = shared.clone();
        let thread = std::thread::Builder::new()
            .name("ledger-checkpoint".to_owned())
            .spawn(move || run(&connection, &worker))
            .map_err(|e| crate::LedgerError::Invalid(format!("checkpoint thread: {e}")))?;
        Ok(Checkpointer {
            shared,
            thread: Some(thread),
        })
    }

    pub(crate) fn requests(&self) -> CheckpointRequests {
        CheckpointRequests(self.shared.clone())
    }

    /// Checkpoints the background thread has run.
    pub(crate) fn done(&self) -> u64 {
        self.shared.done.load(Ordering::Relaxed)
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.shared.lock().closing = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(connection: &Connection, shared: &Shared) {
    loop {
        {
            let mut wanted = shared.lock();
            while !wanted.requested && !wanted.closing {
                wanted = shared
                    .wake
                    .wait(wanted)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            if wanted.closing {
                return;
            }
            wanted.requested = false;
        }
        // A failure (the disk, a busy database) is left to the next request, and to the
        // committing thread's own checkpoint past INLINE_PAGES.
        if passive_checkpoint(connection).is_ok() {
            shared.done.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The committing thread's own checkpoint, past [`INLINE_PAGES`] (see the module's text).
pub(crate) fn checkpoint_inline(connection: &Connection) {
    // Like SQLite's automatic checkpoint, whose failure never fails the commit it follows.
    let _ = passive_checkpoint(connection);
}

/// `PASSIVE`: copies what no reader still needs; never waits for a writer nor blocks one.
fn passive_checkpoint(connection: &Connection) -> rusqlite::Result<()> {
    connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
}
