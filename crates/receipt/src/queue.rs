//! The reprint queue: every receipt is written to SQLite before any printer is tried.
//!
//! A sale only ever *enqueues* its receipt, which is one local insert; the
//! [`PrintWorker`](crate::PrintWorker) sends it later. So a printer that is off, out of paper
//! or slow can never block or lose a sale: the receipt waits here, with the last error, until
//! the printer takes it or a person drops it.
//!
//! The queue is its own small SQLite file (e.g. `print-queue.sqlite` in the app's data folder)
//! in WAL mode with `synchronous=FULL`, like the ledger, so a job that was acknowledged
//! survives a power cut. It stores the rendered ESC/POS bytes — printing later needs neither
//! the fonts nor the sale — and, for receipts, the [`Receipt`] fields as JSON for the UI's
//! preview.
//!
//! States: `queued` → `printing` → `printed`, or → `failed` (with the last error) and back to
//! `printing` when its retry is due. Retries back off exponentially; after
//! [`RetryPolicy::max_attempts`] the job stays `failed` with no retry planned until a person
//! retries or drops it, which bounds the paper a printer that eats jobs without confirming them
//! can waste. A job found `printing` when the queue opens was cut off by a crash or a kill: it
//! goes back to `queued` and may print twice, which beats never.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};
use rusqlite_migration::{Migrations, M};
use serde::{Deserialize, Serialize};
use termdee_domain::{Clock, UnixMillis};
use tokio::sync::{watch, Notify};

use crate::receipt::Receipt;
use crate::render::{PaperWidth, RenderError};

/// A job's id in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JobId(pub i64);

impl std::fmt::Display for JobId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Where a job is, for the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for the printer.
    Queued,
    /// Being sent now.
    Printing,
    /// The printer confirmed it.
    Printed,
    /// The last attempt failed (see `last_error`); retried at `next_attempt_at`, or waiting
    /// for a person when that is empty.
    Failed,
}

impl JobState {
    fn code(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Printing => "printing",
            JobState::Printed => "printed",
            JobState::Failed => "failed",
        }
    }

    fn from_code(code: &str) -> Option<JobState> {
        [
            JobState::Queued,
            JobState::Printing,
            JobState::Printed,
            JobState::Failed,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// A job as the UI lists it (without its bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrintJob {
    /// The job's id.
    pub id: JobId,
    /// What staff see in the list, e.g. "Receipt S-000123".
    pub title: String,
    /// The sale the receipt belongs to, if it is a receipt.
    pub sale_id: Option<String>,
    /// The receipt's fields, for the preview, if it is a receipt.
    pub receipt: Option<Receipt>,
    /// Where it is.
    pub state: JobState,
    /// Attempts since it was queued (or last retried by a person).
    pub attempts: u32,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: UnixMillis,
    /// When the worker tries it next; `None` when printed or given up.
    pub next_attempt_at: Option<UnixMillis>,
    /// When the printer confirmed it.
    pub printed_at: Option<UnixMillis>,
}

/// How failed jobs are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait after the first failure, in milliseconds; it doubles with each failure.
    pub first_delay_ms: i64,
    /// The longest wait between attempts, in milliseconds.
    pub max_delay_ms: i64,
    /// Attempts after which the worker stops and a person decides.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    /// 2 s, 4 s, 8 s … up to a minute, for 30 attempts (about 25 minutes): long enough to
    /// change a paper roll or restart a printer, short enough not to print a forgotten
    /// receipt hours later.
    fn default() -> Self {
        RetryPolicy {
            first_delay_ms: 2_000,
            max_delay_ms: 60_000,
            max_attempts: 30,
        }
    }
}

impl RetryPolicy {
    /// The wait after `attempts` failed attempts, or `None` when it is time to give up.
    pub fn delay_after(&self, attempts: u32) -> Option<i64> {
        if attempts >= self.max_attempts {
            return None;
        }
        let doublings = attempts.saturating_sub(1).min(40);
        Some(
            self.first_delay_ms
                .saturating_mul(1i64 << doublings)
                .min(self.max_delay_ms),
        )
    }
}

/// Why the queue could not do something.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// SQLite failed (disk full, file unreadable).
    #[error("the print queue database failed: {0}")]
    Database(#[from] rusqlite::Error),
    /// The schema could not be brought up to date.
    #[error("the print queue database could not be migrated: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// The receipt could not be rendered.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// No job with that id.
    #[error("there is no print job {0}")]
    NotFound(JobId),
    /// The job is being sent right now; try again in a moment.
    #[error("print job {0} is printing now")]
    Printing(JobId),
}

/// A job to add: what to print and how to list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    /// What staff see in the list.
    pub title: String,
    /// The sale, for a receipt.
    pub sale_id: Option<String>,
    /// The receipt's fields, for the preview.
    pub receipt: Option<Receipt>,
    /// The ESC/POS bytes to send.
    pub escpos: Vec<u8>,
}

/// The persistent queue. Clones share the same database and wake the same worker.
#[derive(Debug, Clone)]
pub struct PrintQueue {
    connection: Arc<Mutex<Connection>>,
    clock: Arc<dyn Clock>,
    policy: RetryPolicy,
    wake: Arc<Notify>,
    changes: Arc<watch::Sender<u64>>,
}

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![M::up(
        "CREATE TABLE print_jobs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            title TEXT NOT NULL,
            sale_id TEXT,
            receipt_json TEXT,
            escpos BLOB NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('queued', 'printing', 'printed', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
            last_error TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            next_attempt_at INTEGER,
            printed_at INTEGER,
            CHECK ((state = 'printed') = (printed_at IS NOT NULL))
        );
        CREATE INDEX print_jobs_due ON print_jobs (state, next_attempt_at);
        CREATE INDEX print_jobs_sale ON print_jobs (sale_id);",
    )])
}

const JOB_COLUMNS: &str = "id, title, sale_id, receipt_json, state, attempts, last_error, \
                           created_at, next_attempt_at, printed_at";

impl PrintQueue {
    /// Opens (or creates) the queue file, and puts back in line any job a crash cut off.
    pub fn open(path: impl AsRef<Path>, clock: Arc<dyn Clock>) -> Result<Self, QueueError> {
        PrintQueue::open_with_policy(path, clock, RetryPolicy::default())
    }

    /// [`PrintQueue::open`] with a retry policy of your own.
    pub fn open_with_policy(
        path: impl AsRef<Path>,
        clock: Arc<dyn Clock>,
        policy: RetryPolicy,
    ) -> Result<Self, QueueError> {
        let mut connection = Connection::open(path)?;
        connection.pragma_update(None, "journal_mode", "wal")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations().to_latest(&mut connection)?;
        let now = clock.now();
        let resumed = connection.execute(
            "UPDATE print_jobs SET state = 'queued', next_attempt_at = ?1, updated_at = ?1
             WHERE state = 'printing'",
            params![now],
        )?;
        if resumed > 0 {
            tracing::warn!(resumed, "print jobs cut off by a restart are queued again");
        }
        let (changes, _) = watch::channel(0);
        Ok(PrintQueue {
            connection: Arc::new(Mutex::new(connection)),
            clock,
            policy,
            wake: Arc::new(Notify::new()),
            changes: Arc::new(changes),
        })
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite itself consistent (every change is one
        // statement or transaction), so the poisoned guard is safe to keep using.
        self.connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn changed(&self) {
        self.changes.send_modify(|version| *version += 1);
    }

    /// A receiver that changes whenever any job does: the UI refreshes its list on it.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// The retry policy.
    pub fn policy(&self) -> RetryPolicy {
        self.policy
    }

    pub(crate) fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    pub(crate) fn wake(&self) -> &Notify {
        &self.wake
    }

    /// Adds a job, due now, and wakes the worker.
    pub fn enqueue(&self, job: NewJob) -> Result<JobId, QueueError> {
        let now = self.clock.now();
        let receipt_json = match &job.receipt {
            Some(receipt) => Some(
                serde_json::to_string(receipt)
                    .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?,
            ),
            None => None,
        };
        let id = {
            let db = self.db();
            db.execute(
                "INSERT INTO print_jobs
                   (title, sale_id, receipt_json, escpos, state, created_at, updated_at,
                    next_attempt_at)
                 VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?5, ?5)",
                params![job.title, job.sale_id, receipt_json, job.escpos, now],
            )?;
            JobId(db.last_insert_rowid())
        };
        self.changed();
        self.wake.notify_one();
        Ok(id)
    }

    /// Renders a sale's receipt for `paper` and adds it. The rendering takes a few
    /// milliseconds; the sale is already durable in the ledger by then.
    pub fn enqueue_receipt(
        &self,
        receipt: &Receipt,
        paper: PaperWidth,
    ) -> Result<JobId, QueueError> {
        let escpos = receipt.print_job(paper)?;
        let title = match receipt.language {
            crate::Language::Thai => format!("ใบเสร็จ {}", receipt.sale_id),
            crate::Language::English => format!("Receipt {}", receipt.sale_id),
        };
        self.enqueue(NewJob {
            title,
            sale_id: Some(receipt.sale_id.clone()),
            receipt: Some(receipt.clone()),
            escpos,
        })
    }

    /// Every job, oldest first.
    pub fn list(&self) -> Result<Vec<PrintJob>, QueueError> {
        let db = self.db();
        let mut statement =
            db.prepare(&format!("SELECT {JOB_COLUMNS} FROM print_jobs ORDER BY id"))?;
        let jobs = statement
            .query_map([], row_to_job)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(jobs)
    }

    /// One job.
    pub fn get(&self, id: JobId) -> Result<PrintJob, QueueError> {
        self.db()
            .query_row(
                &format!("SELECT {JOB_COLUMNS} FROM print_jobs WHERE id = ?1"),
                params![id.0],
                row_to_job,
            )
            .optional()?
            .ok_or(QueueError::NotFound(id))
    }

    /// Jobs not yet printed (queued, printing or failed).
    pub fn pending(&self) -> Result<usize, QueueError> {
        let count: i64 = self.db().query_row(
            "SELECT count(*) FROM print_jobs WHERE state != 'printed'",
            [],
            |row| row.get(0),
        )?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// Tries a job again now, from the start of its retry budget: a failed job a person wants
    /// retried, or a printed receipt the customer wants again (a reprint).
    pub fn retry(&self, id: JobId) -> Result<(), QueueError> {
        let now = self.clock.now();
        let updated = self.db().execute(
            "UPDATE print_jobs
             SET state = 'queued', attempts = 0, next_attempt_at = ?2, printed_at = NULL,
                 updated_at = ?2
             WHERE id = ?1 AND state != 'printing'",
            params![id.0, now],
        )?;
        if updated == 0 {
            return Err(self.why_not(id));
        }
        self.changed();
        self.wake.notify_one();
        Ok(())
    }

    /// Removes a job for good (a person decided it is not needed).
    pub fn discard(&self, id: JobId) -> Result<(), QueueError> {
        let deleted = self.db().execute(
            "DELETE FROM print_jobs WHERE id = ?1 AND state != 'printing'",
            params![id.0],
        )?;
        if deleted == 0 {
            return Err(self.why_not(id));
        }
        self.changed();
        Ok(())
    }

    /// Deletes printed jobs printed before `before`, keeping the file small; returns how many.
    pub fn prune_printed(&self, before: UnixMillis) -> Result<usize, QueueError> {
        let deleted = self.db().execute(
            "DELETE FROM print_jobs WHERE state = 'printed' AND printed_at < ?1",
            params![before],
        )?;
        if deleted > 0 {
            self.changed();
        }
        Ok(deleted)
    }

    fn why_not(&self, id: JobId) -> QueueError {
        match self.get(id) {
            Ok(job) if job.state == JobState::Printing => QueueError::Printing(id),
            Ok(_) | Err(QueueError::NotFound(_)) => QueueError::NotFound(id),
            Err(other) => other,
        }
    }

    /// Takes the oldest job due at `now` and marks it printing.
    pub(crate) fn claim_due(
        &self,
        now: UnixMillis,
    ) -> Result<Option<(JobId, Vec<u8>)>, QueueError> {
        let claimed = {
            let mut db = self.db();
            let transaction = db.transaction()?;
            let due: Option<(i64, Vec<u8>)> = transaction
                .query_row(
                    "SELECT id, escpos FROM print_jobs
                     WHERE state IN ('queued', 'failed') AND next_attempt_at <= ?1
                     ORDER BY id LIMIT 1",
                    params![now],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            if let Some((id, _)) = &due {
                transaction.execute(
                    "UPDATE print_jobs SET state = 'printing', attempts = attempts + 1,
                            updated_at = ?2
                     WHERE id = ?1",
                    params![id, now],
                )?;
            }
            transaction.commit()?;
            due.map(|(id, bytes)| (JobId(id), bytes))
        };
        if claimed.is_some() {
            self.changed();
        }
        Ok(claimed)
    }

    /// Records a confirmed print, and makes every job waiting out a backoff due now: the
    /// printer works again, so older receipts should not wait behind newer ones.
    pub(crate) fn mark_printed(&self, id: JobId) -> Result<(), QueueError> {
        let now = self.clock.now();
        {
            let mut db = self.db();
            let transaction = db.transaction()?;
            transaction.execute(
                "UPDATE print_jobs SET state = 'printed', printed_at = ?2, last_error = NULL,
                        next_attempt_at = NULL, updated_at = ?2
                 WHERE id = ?1 AND state = 'printing'",
                params![id.0, now],
            )?;
            transaction.execute(
                "UPDATE print_jobs SET next_attempt_at = ?1
                 WHERE state = 'failed' AND next_attempt_at > ?1",
                params![now],
            )?;
            transaction.commit()?;
        }
        self.changed();
        Ok(())
    }

    /// Records a failed attempt and plans the next one (or none, past the retry budget).
    pub(crate) fn mark_failed(&self, id: JobId, error: &str) -> Result<(), QueueError> {
        let now = self.clock.now();
        {
            let db = self.db();
            let attempts: Option<u32> = db
                .query_row(
                    "SELECT attempts FROM print_jobs WHERE id = ?1 AND state = 'printing'",
                    params![id.0],
                    |row| row.get(0),
                )
                .optional()?;
            // Retried or discarded by a person meanwhile: their decision stands.
            let Some(attempts) = attempts else {
                return Ok(());
            };
            let next = self.policy.delay_after(attempts).map(|delay| now + delay);
            db.execute(
                "UPDATE print_jobs SET state = 'failed', last_error = ?2, next_attempt_at = ?3,
                        updated_at = ?4
                 WHERE id = ?1 AND state = 'printing'",
                params![id.0, error, next, now],
            )?;
        }
        self.changed();
        Ok(())
    }

    /// When the next retry is due, if any job waits for one.
    pub(crate) fn next_due_at(&self) -> Result<Option<UnixMillis>, QueueError> {
        Ok(self.db().query_row(
            "SELECT min(next_attempt_at) FROM print_jobs WHERE state IN ('queued', 'failed')",
            [],
            |row| row.get(0),
        )?)
    }
}

fn row_to_job(row: &rusqlite::Row<'_>) -> rusqlite::Result<PrintJob> {
    let state: String = row.get(4)?;
    let receipt_json: Option<String> = row.get(3)?;
    let bad = |column: usize, message: String| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Text,
            message.into(),
        )
    };
    Ok(PrintJob {
        id: JobId(row.get(0)?),
        title: row.get(1)?,
        sale_id: row.get(2)?,
        receipt: receipt_json
            .map(|json| serde_json::from_str(&json).map_err(|e| bad(3, e.to_string())))
            .transpose()?,
        state: JobState::from_code(&state).ok_or_else(|| bad(4, state.clone()))?,
        attempts: row.get(5)?,
        last_error: row.get(6)?,
        created_at: row.get(7)?,
        next_attempt_at: row.get(8)?,
        printed_at: row.get(9)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_then_gives_up() {
        let policy = RetryPolicy {
            first_delay_ms: 1_000,
            max_delay_ms: 5_000,
            max_attempts: 6,
        };
        let delays: Vec<Option<i64>> = (1..=6).map(|n| policy.delay_after(n)).collect();
        assert_eq!(
            delays,
            vec![
                Some(1_000),
                Some(2_000),
                Some(4_000),
                Some(5_000),
                Some(5_000),
                None
            ]
        );
        assert_eq!(RetryPolicy::default().delay_after(1_000), None);
        let long = RetryPolicy {
            max_attempts: u32::MAX,
            max_delay_ms: i64::MAX,
            ..policy
        };
        assert!(long.delay_after(200).is_some(), "no overflow on long runs");
    }

    #[test]
    fn the_schema_migrates_and_validates() {
        assert!(migrations().validate().is_ok());
    }
}
