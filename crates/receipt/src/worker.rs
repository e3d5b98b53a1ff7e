//! The worker that empties the [`PrintQueue`] into a [`Printer`], in the background.

use std::future::Future;
use std::time::Duration;

use crate::printer::{PrintError, Printer, PrinterStatus};
use crate::queue::{JobId, PrintQueue, QueueError};

/// The longest the worker sleeps without looking at the queue, as a safety net: it is woken
/// at once by new jobs and retries, and sleeps exactly until the next backoff ends otherwise.
const IDLE_WAIT: Duration = Duration::from_secs(30);

/// What one pass over the queue did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pass {
    /// Jobs the printer confirmed.
    pub printed: Vec<JobId>,
    /// The job that failed, which ended the pass, and why.
    pub failed: Option<(JobId, PrintError)>,
    /// The printer's status after the last confirmed job (paper near end…).
    pub status: Option<PrinterStatus>,
}

/// Sends due jobs, oldest first, to one printer.
#[derive(Debug, Clone)]
pub struct PrintWorker {
    queue: PrintQueue,
    printer: Printer,
}

impl PrintWorker {
    /// A worker for `queue` printing on `printer`.
    pub fn new(queue: PrintQueue, printer: Printer) -> Self {
        PrintWorker { queue, printer }
    }

    /// Prints every job due now, oldest first. The first failure ends the pass: the printer
    /// is off or out of paper, and hammering it with every waiting receipt would only add
    /// failures to each of them.
    pub async fn print_due(&self) -> Result<Pass, QueueError> {
        let mut pass = Pass::default();
        while let Some((id, bytes)) = self.queue.claim_due(self.queue.clock().now())? {
            match self.printer.print(&bytes).await {
                Ok(status) => {
                    self.queue.mark_printed(id)?;
                    pass.printed.push(id);
                    pass.status = Some(status);
                }
                Err(error) => {
                    tracing::warn!(job = id.0, printer = %self.printer.address(), %error, "print failed; the job stays queued");
                    self.queue.mark_failed(id, &error.to_string())?;
                    pass.failed = Some((id, error));
                    break;
                }
            }
        }
        Ok(pass)
    }

    /// Runs until `stop` completes: prints what is due, then sleeps until a job is added or
    /// retried, or the next backoff ends. A queue error (disk full) is logged and retried
    /// after a pause; it never ends the worker.
    pub async fn run_until(self, stop: impl Future<Output = ()>) {
        tokio::pin!(stop);
        loop {
            let wait = match self.print_due().await {
                Ok(pass) => match self.queue.next_due_at() {
                    Ok(due) => {
                        let now = self.queue.clock().now();
                        let mut millis = due.map_or(i64::MAX, |due| due.saturating_sub(now));
                        if pass.failed.is_some() {
                            // Other jobs may be due, but the printer just failed: give it the
                            // first backoff before trying any of them.
                            millis = millis.max(self.queue.policy().first_delay_ms);
                        }
                        Duration::from_millis(u64::try_from(millis.max(0)).unwrap_or(0))
                            .min(IDLE_WAIT)
                    }
                    Err(error) => {
                        tracing::error!(%error, "the print queue failed; trying again shortly");
                        IDLE_WAIT
                    }
                },
                Err(error) => {
                    tracing::error!(%error, "the print queue failed; trying again shortly");
                    IDLE_WAIT
                }
            };
            tokio::select! {
                () = &mut stop => return,
                () = self.queue.wake().notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    }
}
