//! The relay client: callbacks the hub received for this register, applied here.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use termdee_domain::PaymentMethod;
use termdee_hub::wire::{relay_ack_path, RelayAck, RelayBatch, RelayedCallback, RELAY_PATH};
use tokio::time::Instant;

use super::{FleetConfig, FleetError, HubClient};
use crate::engine::callbacks::CallbackVerdict;
use crate::engine::{CrashHook, Engine, EngineError};

/// What the register made of one relayed callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandledCallback {
    /// The hub's id.
    pub id: i64,
    /// The provider path it came in on.
    pub provider: String,
    /// The engine's verdict; `None` when the engine failed (it will be tried again).
    pub verdict: Option<CallbackVerdict>,
    /// The sale it paid, for payment callbacks.
    pub sale_id: Option<String>,
}

/// Feeds one callback to the engine exactly as the local listener does
/// (`engine::callbacks::receive`): payment providers by method, top-up providers by name.
async fn apply(
    engine: &Arc<Engine>,
    provider: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<(CallbackVerdict, Option<String>), EngineError> {
    match provider.parse::<PaymentMethod>() {
        Ok(method) if method.is_provider() => {
            let (_, verdict, sale) = engine
                .handle_payment_callback(method, content_type, body)
                .await?;
            if let Some(sale) = &sale {
                // The customer paid: top up now rather than at the next tick.
                let engine = engine.clone();
                let sale = sale.clone();
                tokio::spawn(async move {
                    let _ = engine.drive(&sale).await;
                });
            }
            Ok((verdict, sale))
        }
        _ => {
            let (_, verdict) = engine
                .handle_topup_callback(provider, content_type, body)
                .await?;
            Ok((verdict, None))
        }
    }
}

/// Long-polls the hub for this register's callbacks and applies them through the engine.
#[derive(Debug)]
pub struct RelayClient {
    engine: Arc<Engine>,
    client: HubClient,
    config: FleetConfig,
    crash: Arc<dyn CrashHook>,
    /// The highest callback id received in this run (after a restart, everything unacknowledged
    /// comes again).
    after: i64,
    /// Callbacks to apply again later (the engine could not verify them, or failed).
    retry: Vec<(Instant, RelayedCallback)>,
    /// Verdicts the hub has not taken yet (it was unreachable when they were sent).
    unsent: Vec<(i64, RelayAck)>,
}

impl RelayClient {
    /// A relay client for `engine`'s register. Crash points: `fleet.relay.before_apply`,
    /// `fleet.relay.after_apply` (applied, verdict not yet at the hub).
    pub fn new(
        engine: Arc<Engine>,
        client: HubClient,
        config: FleetConfig,
        crash: Arc<dyn CrashHook>,
    ) -> Self {
        RelayClient {
            engine,
            client,
            config,
            crash,
            after: 0,
            retry: Vec::new(),
            unsent: Vec::new(),
        }
    }

    /// Callbacks waiting for a retry (not verifiable yet, or the engine failed).
    pub fn retrying(&self) -> usize {
        self.retry.len()
    }

    async fn send_verdicts(&mut self) -> Result<(), FleetError> {
        while let Some((id, ack)) = self.unsent.first().cloned() {
            let sent: Result<Option<serde_json::Value>, FleetError> =
                self.client.post(&relay_ack_path(id), &ack).await;
            match sent {
                Ok(_) => {
                    self.unsent.remove(0);
                }
                // The hub no longer knows it (an owner cleaned up): nothing more to say.
                Err(FleetError::Refused { status: 404, .. }) => {
                    self.unsent.remove(0);
                }
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    async fn handle(&mut self, callback: RelayedCallback) -> Result<HandledCallback, FleetError> {
        let body = base64::engine::general_purpose::STANDARD
            .decode(&callback.body_base64)
            .map_err(|e| FleetError::Refused {
                status: 200,
                code: "unreadable".into(),
                message: format!("callback {} body is not base64: {e}", callback.id),
            })?;
        self.crash.hit("fleet.relay.before_apply")?;
        let applied = apply(
            &self.engine,
            &callback.provider,
            callback.content_type.as_deref(),
            &body,
        )
        .await;
        let (verdict, sale_id) = match applied {
            Ok((CallbackVerdict::Unverified, sale)) => {
                // The provider could not be asked now; as a provider would, send it again later
                // (the engine's poller may settle the sale first, then it is a duplicate).
                self.retry.push((
                    Instant::now() + self.config.unverified_retry,
                    callback.clone(),
                ));
                (Some(CallbackVerdict::Unverified), sale)
            }
            Ok((verdict, sale)) => {
                self.crash.hit("fleet.relay.after_apply")?;
                self.unsent.push((
                    callback.id,
                    RelayAck {
                        verdict: verdict.code().to_owned(),
                        sale_id: sale.clone(),
                    },
                ));
                (Some(verdict), sale)
            }
            Err(EngineError::Crashed(crashed)) => return Err(FleetError::Crashed(crashed)),
            Err(error) => {
                tracing::warn!(%error, id = callback.id, "relayed callback not applied; will retry");
                self.retry.push((
                    Instant::now() + self.config.unverified_retry,
                    callback.clone(),
                ));
                (None, None)
            }
        };
        Ok(HandledCallback {
            id: callback.id,
            provider: callback.provider,
            verdict,
            sale_id,
        })
    }

    /// One round: verdicts still owed to the hub, due retries, then one poll of up to `wait`
    /// and every callback it brings.
    pub async fn poll_once(&mut self, wait: Duration) -> Result<Vec<HandledCallback>, FleetError> {
        self.send_verdicts().await?;
        let mut handled = Vec::new();
        let now = Instant::now();
        let (due, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.retry)
            .into_iter()
            .partition(|(at, _)| *at <= now);
        self.retry = later;
        for (_, callback) in due {
            handled.push(self.handle(callback).await?);
        }
        // Do not sit in a long poll while a retry falls due.
        let wait = match self.retry.iter().map(|(at, _)| *at).min() {
            Some(next) => wait.min(next.saturating_duration_since(Instant::now())),
            None => wait,
        };
        let batch: RelayBatch = self
            .client
            .get(
                RELAY_PATH,
                &[
                    ("after", self.after.to_string()),
                    ("wait_ms", wait.as_millis().to_string()),
                ],
            )
            .await?;
        for callback in batch.callbacks {
            self.after = self.after.max(callback.id);
            handled.push(self.handle(callback).await?);
        }
        self.send_verdicts().await?;
        Ok(handled)
    }

    /// Polls until the task is dropped; backs off while the hub is unreachable. Ends only at an
    /// injected crash.
    pub async fn run(mut self) -> Result<(), FleetError> {
        let mut backoff = self.config.backoff_min;
        loop {
            match self.poll_once(self.config.long_poll).await {
                Ok(_) => backoff = self.config.backoff_min,
                Err(FleetError::Crashed(crashed)) => return Err(FleetError::Crashed(crashed)),
                Err(error) => {
                    tracing::info!(%error, wait_ms = backoff.as_millis(), "hub relay poll failed");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(self.config.backoff_max);
                }
            }
        }
    }
}
