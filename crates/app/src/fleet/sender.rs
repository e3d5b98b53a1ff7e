//! The outbox sender: the ledger's outbox to the hub, acknowledged entry by entry.

use std::sync::Arc;
use std::time::Duration;

use termdee_domain::{Clock, UnixMillis};
use termdee_hub::wire::{
    EntryKind, ProviderBalance, PushBatch, PushEntry, PushReply, PushRow, RegisterReport,
};
use termdee_ledger::{Ledger, OutboxBatch, OutboxKind};
use tokio::sync::{broadcast, watch};

use super::{FleetConfig, FleetError, HubClient, SyncStatus};
use crate::engine::{CrashHook, EngineEvent, NoCrash, TopupPort};

/// What one push did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushOutcome {
    /// Nothing to send and no heartbeat due.
    Idle,
    /// A batch went out and the hub answered.
    Pushed {
        /// Entries in the batch.
        sent: usize,
        /// The hub's acknowledgement, now recorded in the ledger.
        reply: PushReply,
        /// Whether more entries wait in the outbox.
        more: bool,
    },
}

fn wire_kind(kind: OutboxKind) -> EntryKind {
    match kind {
        OutboxKind::Register => EntryKind::Register,
        OutboxKind::Operator => EntryKind::Operator,
        OutboxKind::Sale => EntryKind::Sale,
        OutboxKind::Event => EntryKind::Event,
    }
}

/// Turns a ledger batch into what the hub reads.
pub(crate) fn to_wire(batch: OutboxBatch, report: Option<RegisterReport>) -> PushBatch {
    PushBatch {
        head_seq: batch.head_seq,
        entries: batch
            .entries
            .into_iter()
            .map(|entry| PushEntry {
                seq: entry.seq,
                kind: wire_kind(entry.kind),
                key: entry.key,
            })
            .collect(),
        rows: batch
            .rows
            .into_iter()
            .map(|row| PushRow {
                kind: wire_kind(row.kind),
                key: row.key,
                row: row.row,
            })
            .collect(),
        report,
    }
}

/// Pushes the ledger's outbox to the hub.
#[derive(Debug)]
pub struct OutboxSender {
    ledger: Arc<Ledger>,
    client: HubClient,
    clock: Arc<dyn Clock>,
    config: FleetConfig,
    crash: Arc<dyn CrashHook>,
    ports: Vec<Arc<dyn TopupPort>>,
    status: Option<watch::Sender<SyncStatus>>,
    last_push: std::sync::Mutex<Option<UnixMillis>>,
    balances_read: std::sync::Mutex<Option<UnixMillis>>,
}

impl OutboxSender {
    /// A sender of `ledger`'s outbox through `client`.
    pub fn new(
        ledger: Arc<Ledger>,
        client: HubClient,
        clock: Arc<dyn Clock>,
        config: FleetConfig,
    ) -> Self {
        OutboxSender {
            ledger,
            client,
            clock,
            config,
            crash: Arc::new(NoCrash),
            ports: Vec::new(),
            status: None,
            last_push: std::sync::Mutex::new(None),
            balances_read: std::sync::Mutex::new(None),
        }
    }

    /// Crash points `fleet.push.before_send`, `fleet.push.after_send` (the hub stored the batch,
    /// its acknowledgement is not recorded yet) and `fleet.push.after_ack` (tests).
    pub fn with_crash_hook(mut self, crash: Arc<dyn CrashHook>) -> Self {
        self.crash = crash;
        self
    }

    /// Top-up providers whose balances go to the hub every `balance_every`.
    pub fn with_balances(mut self, ports: Vec<Arc<dyn TopupPort>>) -> Self {
        self.ports = ports;
        self
    }

    /// Where to publish the status.
    pub fn with_status(mut self, status: watch::Sender<SyncStatus>) -> Self {
        self.status = Some(status);
        self
    }

    fn millis(duration: Duration) -> i64 {
        i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
    }

    /// The providers' balances, when a read is due.
    async fn report_due(&self, now: UnixMillis) -> Option<RegisterReport> {
        if self.ports.is_empty() {
            return None;
        }
        let due = self
            .balances_read
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_none_or(|at| now - at >= Self::millis(self.config.balance_every));
        if !due {
            return None;
        }
        let mut balances = Vec::with_capacity(self.ports.len());
        for port in &self.ports {
            let read = port.balance().await;
            balances.push(ProviderBalance {
                provider: port.name().to_owned(),
                available: read.as_ref().ok().map(|b| b.available),
                checked_at: self.clock.now(),
                error: read.err().map(|e| e.to_string()),
            });
        }
        *self
            .balances_read
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(now);
        Some(RegisterReport {
            balances,
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        })
    }

    /// Sends one batch after the acknowledged `seq` (or a heartbeat when one is due) and records
    /// the hub's acknowledgement.
    pub async fn push_once(&self) -> Result<PushOutcome, FleetError> {
        let now = self.clock.now();
        let batch = self.ledger.outbox_batch(self.config.batch_size)?;
        let heartbeat_due = self
            .last_push
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_none_or(|at| now - at >= Self::millis(self.config.heartbeat));
        let report = self.report_due(now).await;
        if batch.entries.is_empty() && !heartbeat_due && report.is_none() {
            return Ok(PushOutcome::Idle);
        }
        let sent = batch.entries.len();
        let last_sent = batch.entries.last().map(|e| e.seq);
        let head_seq = batch.head_seq;
        let acked_before = batch.acked_seq;
        let wire = to_wire(batch, report);
        self.crash.hit("fleet.push.before_send")?;
        let reply = self.client.push(&wire).await?;
        self.crash.hit("fleet.push.after_send")?;
        if reply.applied_through != acked_before {
            // A ledger write waits for its group commit's fsync: off the async worker, as the
            // engine's writes are, so it can share that commit with a sale.
            crate::engine::durably(|| {
                self.ledger
                    .outbox_acknowledged(reply.applied_through, self.clock.now())
            })?;
        }
        self.crash.hit("fleet.push.after_ack")?;
        *self
            .last_push
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(now);
        let moved = reply.applied_through != acked_before;
        if sent > 0 && !moved {
            // Entries went out and none was stored: pushing again at once would spin.
            return Err(FleetError::Refused {
                status: 200,
                code: "no_progress".into(),
                message: format!(
                    "the hub stored none of seq {}..={} (it expects {:?})",
                    acked_before + 1,
                    last_sent.unwrap_or(acked_before),
                    reply.missing_from
                ),
            });
        }
        let more = moved && reply.applied_through < head_seq;
        Ok(PushOutcome::Pushed { sent, reply, more })
    }

    fn publish(&self, error: Option<&FleetError>) {
        let Some(status) = &self.status else { return };
        let backlog = self
            .ledger
            .outbox_status()
            .map(|s| s.backlog)
            .unwrap_or_default();
        status.send_modify(|s| {
            s.backlog = backlog;
            match error {
                Some(error) => s.last_error = Some(error.to_string()),
                None => {
                    s.last_error = None;
                    s.last_success_at = Some(self.clock.now());
                }
            }
        });
    }

    /// Pushes until the task is dropped: at once while entries wait, then whenever the engine
    /// reports a change (`wake`) or `idle` passes; backs off while the hub is unreachable. Ends
    /// only at an injected crash.
    pub async fn run(
        self,
        mut wake: Option<broadcast::Receiver<EngineEvent>>,
    ) -> Result<(), FleetError> {
        let mut backoff = self.config.backoff_min;
        loop {
            match self.push_once().await {
                Ok(PushOutcome::Pushed { more: true, .. }) => {
                    backoff = self.config.backoff_min;
                    self.publish(None);
                    continue;
                }
                Ok(outcome) => {
                    backoff = self.config.backoff_min;
                    if matches!(outcome, PushOutcome::Pushed { .. }) {
                        self.publish(None);
                    }
                    let idle = tokio::time::sleep(self.config.idle);
                    match wake.as_mut() {
                        Some(events) => {
                            tokio::select! {
                                _ = idle => {}
                                _ = events.recv() => {}
                            }
                        }
                        None => idle.await,
                    }
                }
                Err(FleetError::Crashed(crashed)) => return Err(FleetError::Crashed(crashed)),
                Err(error) => {
                    tracing::info!(%error, wait_ms = backoff.as_millis(), "hub push failed");
                    self.publish(Some(&error));
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(self.config.backoff_max);
                }
            }
        }
    }
}
