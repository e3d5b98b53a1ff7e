//! The courier: POSTs result callbacks as a provider does, and re-sends them until the
//! receiver answers with the acknowledgement that provider expects.

use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use crate::controls::{CallbackAttempt, CallbackPlan, Controls};

/// The HTTP client every courier of the process sends with (clones share one pool). Building a
/// reqwest client reads and parses the system's root certificates, milliseconds of CPU; the
/// soak starts a fresh set of simulators for each of its thousand seeds, and a client per
/// courier was about 7 % of its CPU time. The timeout is set per request instead.
fn shared_client() -> reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            // reqwest is built without a TLS crypto provider (see `termdee_providers::
            // http_client_builder`, which this crate does not depend on); `Err` only says one
            // is installed already.
            let _ = rustls::crypto::ring::default_provider().install_default();
            reqwest::Client::new()
        })
        .clone()
}

/// What reply counts as "processed" for a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ack {
    /// The body, trimmed of surrounding whitespace, must equal this text (wePAY strict).
    Exact(String),
    /// The body must start with this text (wePAY lenient switch).
    Prefix(String),
    /// Any 2xx status (Easysoft default: its acknowledgement is unknown).
    Http2xx,
    /// A 2xx status and this exact body, trimmed (Easysoft switch).
    Http2xxBody(String),
    /// A 2xx status and a JSON body equal to this value (BluePay: exactly
    /// `{"code":10000,"message":"Success"}`, whatever the whitespace or key order).
    Json(serde_json::Value),
}

impl Ack {
    fn accepts(&self, status: u16, body: &str) -> bool {
        let ok = (200..300).contains(&status);
        match self {
            Ack::Exact(text) => ok && body.trim() == text,
            Ack::Prefix(text) => ok && body.trim_start().starts_with(text.as_str()),
            Ack::Http2xx => ok,
            Ack::Http2xxBody(text) => ok && body.trim() == text,
            Ack::Json(expected) => {
                ok && serde_json::from_str::<serde_json::Value>(body).is_ok_and(|v| &v == expected)
            }
        }
    }
}

/// One callback to deliver.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub url: String,
    pub form: Vec<(String, String)>,
    pub ack: Ack,
    /// Waits before each re-send; empty means a single attempt.
    pub schedule: Vec<Duration>,
    /// A reply starting with this text ends the delivery without re-sends (a switch for the
    /// unknown "does `ERROR|...` cause a re-send" question); `None` re-sends on any non-ack.
    pub stop_on: Option<String>,
    /// Send the fields as a JSON object instead of a urlencoded form.
    pub json: bool,
    /// Send exactly this JSON text instead of `form` (payment providers with nested or
    /// numeric fields, and signed envelopes whose bytes must not change).
    pub raw_json: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attempt {
    Acked,
    Stop,
    Retry,
}

#[derive(Debug)]
struct Parked {
    id: u64,
    delivery: Delivery,
}

/// Sends callbacks for one simulator.
#[derive(Debug)]
pub(crate) struct Courier {
    client: reqwest::Client,
    timeout: Duration,
    controls: Arc<Controls>,
    parked: Mutex<Vec<Parked>>,
    park_limit: Duration,
}

impl Courier {
    pub fn new(controls: Arc<Controls>, timeout: Duration, park_limit: Duration) -> Self {
        Courier {
            client: shared_client(),
            timeout,
            controls,
            parked: Mutex::new(Vec::new()),
            park_limit,
        }
    }

    /// Delivers according to `plan`; for `BeforeReply` callers await [`Courier::first_then_rest`].
    pub async fn run(self: Arc<Self>, delivery: Delivery, plan: CallbackPlan) {
        match plan {
            CallbackPlan::None => {}
            CallbackPlan::Normal | CallbackPlan::BeforeReply => self.deliver(&delivery).await,
            CallbackPlan::Duplicate => {
                self.deliver(&delivery).await;
                self.deliver(&delivery).await;
            }
            CallbackPlan::Late { ms } => {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                self.deliver(&delivery).await;
            }
            CallbackPlan::OutOfOrder => {
                let id = self.controls.new_delivery_id();
                self.lock_parked().push(Parked { id, delivery });
                tokio::time::sleep(self.park_limit).await;
                let mine = {
                    let mut parked = self.lock_parked();
                    parked
                        .iter()
                        .position(|p| p.id == id)
                        .map(|i| parked.remove(i))
                };
                if let Some(parked) = mine {
                    self.deliver(&parked.delivery).await;
                }
            }
        }
    }

    /// Makes the first attempt now and, when it is not acknowledged, re-sends in the
    /// background: the `BeforeReply` plan, where the HTTP reply waits for the first attempt.
    pub async fn first_then_rest(self: &Arc<Self>, delivery: Delivery) {
        let id = self.controls.new_delivery_id();
        let first = self.attempt(id, 0, &delivery).await;
        self.release_parked();
        if first != Attempt::Retry {
            return;
        }
        let courier = Arc::clone(self);
        tokio::spawn(async move { courier.resend(id, &delivery).await });
    }

    fn lock_parked(&self) -> std::sync::MutexGuard<'_, Vec<Parked>> {
        self.parked.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn release_parked(self: &Arc<Self>) {
        let parked: Vec<Parked> = std::mem::take(&mut *self.lock_parked());
        for p in parked {
            let courier = Arc::clone(self);
            tokio::spawn(async move { courier.deliver(&p.delivery).await });
        }
    }

    async fn deliver(self: &Arc<Self>, delivery: &Delivery) {
        let id = self.controls.new_delivery_id();
        let first = self.attempt(id, 0, delivery).await;
        self.release_parked();
        if first == Attempt::Retry {
            self.resend(id, delivery).await;
        }
    }

    async fn resend(&self, id: u64, delivery: &Delivery) {
        for (index, wait) in delivery.schedule.iter().enumerate() {
            tokio::time::sleep(*wait).await;
            let attempt = u32::try_from(index + 1).unwrap_or(u32::MAX);
            if self.attempt(id, attempt, delivery).await != Attempt::Retry {
                return;
            }
        }
    }

    async fn attempt(&self, id: u64, attempt: u32, delivery: &Delivery) -> Attempt {
        let (body, content_type) = if let Some(raw) = &delivery.raw_json {
            (raw.clone(), "application/json")
        } else if delivery.json {
            let object: serde_json::Map<String, serde_json::Value> = delivery
                .form
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect();
            (
                serde_json::Value::Object(object).to_string(),
                "application/json",
            )
        } else {
            let form = serde_urlencoded::to_string(&delivery.form).unwrap_or_default();
            (form, "application/x-www-form-urlencoded")
        };
        if !self.controls.network_online() {
            self.controls.record_callback(CallbackAttempt {
                delivery: id,
                attempt,
                url: delivery.url.clone(),
                body,
                http_status: None,
                reply: "network offline: not sent".to_owned(),
                acked: false,
            });
            return Attempt::Retry;
        }
        let sent = self
            .client
            .post(&delivery.url)
            .timeout(self.timeout)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body.clone())
            .send()
            .await;
        let (http_status, reply) = match sent {
            Ok(response) => {
                let status = response.status().as_u16();
                let text = response
                    .text()
                    .await
                    .unwrap_or_else(|e| format!("body error: {e}"));
                (Some(status), text)
            }
            Err(error) => (None, format!("transport error: {error}")),
        };
        let acked = http_status.is_some_and(|s| delivery.ack.accepts(s, &reply));
        let stop = delivery
            .stop_on
            .as_ref()
            .is_some_and(|prefix| reply.trim_start().starts_with(prefix.as_str()));
        tracing::debug!(url = %delivery.url, attempt, acked, "sim callback attempt");
        self.controls.record_callback(CallbackAttempt {
            delivery: id,
            attempt,
            url: delivery.url.clone(),
            body,
            http_status,
            reply,
            acked,
        });
        if acked {
            Attempt::Acked
        } else if stop {
            Attempt::Stop
        } else {
            Attempt::Retry
        }
    }
}
