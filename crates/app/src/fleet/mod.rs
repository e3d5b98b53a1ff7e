//! The register's side of the fleet hub: the outbox sender and the callback relay client.
//!
//! A register sells from its own ledger whatever the network does; the hub (`termdee hub`) is
//! where the owner sees every register, and where providers call back when the register sits
//! behind a shop's NAT. Two background tasks connect the two, both over the register's own
//! outbound HTTPS connection, both authenticated by the register token the owner issued:
//!
//! - [`OutboxSender`] reads the ledger's outbox after the last acknowledged `seq`, pushes a
//!   batch, and records the hub's acknowledgement — only after the hub's reply, never before.
//!   While the hub is unreachable it backs off (doubling up to a ceiling) and the outbox simply
//!   grows; days offline cost nothing but a longer catch-up.
//! - [`RelayClient`] long-polls the hub for callbacks addressed to this register and feeds each
//!   one to the engine's own handlers ([`Engine::handle_topup_callback`],
//!   [`Engine::handle_payment_callback`]): the same store-verify-apply-once path as the local
//!   listener. It tells the hub the verdict; a callback the engine could not verify now (the
//!   provider unreachable) is retried later, and one never acknowledged comes back after a
//!   restart.
//!
//! [`spawn`] starts both from [`HubSettings`] (what the desktop app's settings hold: the hub's
//! URL and the register token) and returns a [`FleetHandle`] that stops them when dropped.
//! [`HubSettings::callback_url`] gives the URL to configure at each provider so its callbacks go
//! through the hub. [`owner::FleetView`] is the desktop owner screen's read of the fleet.

pub mod owner;
mod relay;
mod sender;

use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use termdee_domain::Clock;
use termdee_hub::wire::ErrorReply;
use tokio::sync::watch;
use url::Url;

use crate::engine::{Crashed, Engine, EngineError, NoCrash, TopupPort};

pub use relay::{HandledCallback, RelayClient};
pub use sender::{OutboxSender, PushOutcome};

/// Where the register's hub is, and how it proves who it is.
#[derive(Debug, Clone)]
pub struct HubSettings {
    /// The hub's public address, e.g. `https://hub.example.com/`.
    pub url: Url,
    /// The register token the owner issued (`termdee hub enroll`).
    pub register_token: SecretString,
}

impl HubSettings {
    /// The hub settings.
    pub fn new(url: Url, register_token: SecretString) -> Self {
        HubSettings {
            url,
            register_token,
        }
    }

    /// The secret in this register's callback URLs (derived from the register token).
    pub fn callback_token(&self) -> String {
        termdee_hub::token::callback_token(self.register_token.expose_secret())
    }

    /// Where providers should call back for `register_id` to reach it through the hub: the base
    /// URL to hand to [`crate::engine::callbacks::callback_url`] with [`Self::callback_token`].
    pub fn callback_base(&self, register_id: &str) -> Result<Url, url::ParseError> {
        with_slash(&self.url).join(&termdee_hub::wire::relay_base_path(register_id))
    }

    /// The full callback URL for `provider` (`wepay`, `easysoft`, `bluepay`, `deposit_qr`).
    pub fn callback_url(&self, register_id: &str, provider: &str) -> Result<Url, url::ParseError> {
        crate::engine::callbacks::callback_url(
            &self.callback_base(register_id)?,
            provider,
            &self.callback_token(),
        )
    }
}

fn with_slash(url: &Url) -> Url {
    let mut url = url.clone();
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url
}

/// Timings of the sender and the relay client.
#[derive(Debug, Clone)]
pub struct FleetConfig {
    /// Outbox entries per push.
    pub batch_size: usize,
    /// How long the sender waits for new sales before looking again.
    pub idle: Duration,
    /// How often the sender pushes even with nothing new (health, balances).
    pub heartbeat: Duration,
    /// First wait after a failure (doubles up to `backoff_max`).
    pub backoff_min: Duration,
    /// Longest wait between attempts while the hub is unreachable.
    pub backoff_max: Duration,
    /// How long a relay poll waits at the hub for a callback.
    pub long_poll: Duration,
    /// When a relayed callback could not be verified, how long before trying it again.
    pub unverified_retry: Duration,
    /// How often provider balances are read for the hub's health page.
    pub balance_every: Duration,
    /// Connect timeout of the HTTP client (requests also time out after the long poll + 15 s).
    pub connect_timeout: Duration,
}

impl Default for FleetConfig {
    fn default() -> Self {
        FleetConfig {
            batch_size: 500,
            idle: Duration::from_secs(5),
            heartbeat: Duration::from_secs(60),
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
            long_poll: Duration::from_secs(25),
            unverified_retry: Duration::from_secs(30),
            balance_every: Duration::from_secs(300),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// Why talking to the hub failed.
#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    /// The hub could not be reached or did not answer in time.
    #[error("hub unreachable: {0}")]
    Unreachable(String),
    /// The hub answered with an error.
    #[error("hub refused ({status} {code}): {message}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The hub's error code (`unauthorized`, `forbidden`, `invalid`, …).
        code: String,
        /// Its message.
        message: String,
    },
    /// The ledger failed.
    #[error("ledger: {0}")]
    Ledger(#[from] termdee_ledger::LedgerError),
    /// The engine failed handling a relayed callback.
    #[error("engine: {0}")]
    Engine(#[from] EngineError),
    /// Injected kill (tests).
    #[error(transparent)]
    Crashed(#[from] Crashed),
    /// A URL could not be built.
    #[error("url: {0}")]
    Url(#[from] url::ParseError),
}

/// The HTTP client both tasks share: the hub's URL and the bearer token.
#[derive(Debug, Clone)]
pub struct HubClient {
    http: reqwest::Client,
    base: Url,
    token: SecretString,
}

impl HubClient {
    /// A client for `base` with `token` (register or owner).
    pub fn new(
        base: &Url,
        token: SecretString,
        config: &FleetConfig,
    ) -> Result<HubClient, FleetError> {
        let http = termdee_providers::http_client_builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.long_poll + Duration::from_secs(15))
            .build()
            .map_err(|e| FleetError::Unreachable(e.to_string()))?;
        Ok(HubClient {
            http,
            base: with_slash(base),
            token,
        })
    }

    fn url(&self, path: &str) -> Result<Url, FleetError> {
        Ok(self.base.join(path.trim_start_matches('/'))?)
    }

    async fn send<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<Option<T>, FleetError> {
        let response = request
            .bearer_auth(self.token.expose_secret())
            .send()
            .await
            .map_err(|e| FleetError::Unreachable(e.to_string()))?;
        let status = response.status();
        if status == reqwest::StatusCode::NO_CONTENT {
            return Ok(None);
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| FleetError::Unreachable(e.to_string()))?;
        if status.is_success() {
            return serde_json::from_slice(&body)
                .map(Some)
                .map_err(|e| FleetError::Refused {
                    status: status.as_u16(),
                    code: "unreadable".into(),
                    message: format!("the hub's answer is not understood: {e}"),
                });
        }
        let error: Option<ErrorReply> = serde_json::from_slice(&body).ok();
        Err(match error {
            Some(error) => FleetError::Refused {
                status: status.as_u16(),
                code: error.code,
                message: error.message,
            },
            None if status.is_server_error() => {
                FleetError::Unreachable(format!("HTTP {status} from the hub (or its proxy)"))
            }
            None => FleetError::Refused {
                status: status.as_u16(),
                code: "http".into(),
                message: String::from_utf8_lossy(&body).chars().take(200).collect(),
            },
        })
    }

    /// Pushes one outbox batch; the hub's acknowledgement.
    pub async fn push(
        &self,
        batch: &termdee_hub::wire::PushBatch,
    ) -> Result<termdee_hub::wire::PushReply, FleetError> {
        self.post(termdee_hub::wire::PUSH_PATH, batch)
            .await?
            .ok_or_else(|| FleetError::Unreachable("the hub sent no acknowledgement".into()))
    }

    pub(crate) async fn post<B: serde::Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<Option<T>, FleetError> {
        let url = self.url(path)?;
        self.send(self.http.post(url).json(body)).await
    }

    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, FleetError> {
        let url = self.url(path)?;
        self.send(self.http.get(url).query(query))
            .await?
            .ok_or_else(|| FleetError::Refused {
                status: 204,
                code: "empty".into(),
                message: "the hub answered with no content".into(),
            })
    }
}

/// What the sender last managed (for a status line in the settings screen).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncStatus {
    /// When the hub last acknowledged a push (register clock).
    pub last_success_at: Option<i64>,
    /// The last failure, if the last attempt failed.
    pub last_error: Option<String>,
    /// Outbox entries not yet acknowledged.
    pub backlog: i64,
}

/// The running sender and relay client; both stop when this is dropped.
#[derive(Debug)]
pub struct FleetHandle {
    sender: tokio::task::JoinHandle<()>,
    relay: tokio::task::JoinHandle<()>,
    status: watch::Receiver<SyncStatus>,
}

impl FleetHandle {
    /// The sender's latest status.
    pub fn status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }

    /// Stops both tasks.
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for FleetHandle {
    fn drop(&mut self) {
        self.sender.abort();
        self.relay.abort();
    }
}

/// Starts the outbox sender and the relay client for `engine`'s register (call inside a tokio
/// runtime). `balances` are the top-up providers whose balances the hub's health page shows.
pub fn spawn(
    settings: &HubSettings,
    engine: Arc<Engine>,
    clock: Arc<dyn Clock>,
    balances: Vec<Arc<dyn TopupPort>>,
    config: FleetConfig,
) -> Result<FleetHandle, FleetError> {
    let client = HubClient::new(&settings.url, settings.register_token.clone(), &config)?;
    let (status_tx, status) = watch::channel(SyncStatus::default());
    let sender = OutboxSender::new(
        engine.ledger().clone(),
        client.clone(),
        clock,
        config.clone(),
    )
    .with_balances(balances)
    .with_status(status_tx);
    let wake = engine.subscribe();
    let sender = tokio::spawn(async move {
        if let Err(error) = sender.run(Some(wake)).await {
            tracing::warn!(%error, "the outbox sender stopped");
        }
    });
    let relay = RelayClient::new(engine, client, config, Arc::new(NoCrash));
    let relay = tokio::spawn(async move {
        if let Err(error) = relay.run().await {
            tracing::warn!(%error, "the relay client stopped");
        }
    });
    Ok(FleetHandle {
        sender,
        relay,
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_urls_go_through_the_hub_with_a_derived_secret() {
        let settings = HubSettings::new(
            Url::parse("https://hub.example.com/termdee").unwrap(),
            SecretString::from("tdr_secret"),
        );
        let url = settings.callback_url("kiosk-1", "wepay").unwrap();
        let token = termdee_hub::token::callback_token("tdr_secret");
        assert_eq!(
            url.as_str(),
            format!("https://hub.example.com/termdee/relay/kiosk-1/callback/wepay/{token}")
        );
        assert!(
            !url.as_str().contains("tdr_secret"),
            "the register token stays secret"
        );
    }

    #[test]
    fn the_token_never_shows_in_debug_output() {
        let settings = HubSettings::new(
            Url::parse("https://hub.example.com/").unwrap(),
            SecretString::from("tdr_very_secret"),
        );
        assert!(!format!("{settings:?}").contains("tdr_very_secret"));
        let client = HubClient::new(
            &settings.url,
            settings.register_token.clone(),
            &FleetConfig::default(),
        )
        .unwrap();
        assert!(!format!("{client:?}").contains("tdr_very_secret"));
    }
}
