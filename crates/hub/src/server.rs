//! The hub's HTTP side (axum): sync, relay, owner JSON and the owner's page.
//!
//! | route | who | what |
//! |---|---|---|
//! | `POST /api/sync/push` | register token | store an outbox batch ([`crate::ingest`]) |
//! | `GET /api/relay?after=&wait_ms=` | register token | long-poll for relayed callbacks |
//! | `POST /api/relay/{id}/ack` | register token | the register's verdict on one |
//! | `POST /relay/{register}/callback/{provider}/{secret}` | a provider | store, then answer |
//! | `GET /api/owner/report?from=&to=&by=&register=` | owner token | fleet report (JSON) |
//! | `GET /api/owner/health` | owner token | every register's health (JSON) |
//! | `GET /api/owner/callbacks?open=` | owner token | relayed callbacks (JSON) |
//! | `GET /owner?from=&to=&by=` | owner token (HTTP Basic password) | the owner's page |
//! | `GET /healthz` | anyone | `ok` when PostgreSQL answers (for the proxy) |
//!
//! Tokens travel as `Authorization: Bearer <token>`; the owner's page also takes HTTP Basic with
//! the owner token as password, so a browser can open it with no script. The hub speaks plain
//! HTTP: TLS is terminated by the proxy in front of it (see the README).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use serde::Deserialize;
use termdee_domain::report::ReportDimension;
use termdee_domain::{BusinessDay, Clock};

use crate::error::{HubError, Result};
use crate::ingest::{IngestHook, NoHook};
use crate::relay::Waiters;
use crate::replies;
use crate::store::Store;
use crate::wire::{
    CallbackList, PushBatch, PushReply, RelayAck, RelayBatch, OWNER_CALLBACKS_PATH,
    OWNER_HEALTH_PATH, OWNER_PAGE_PATH, OWNER_REPORT_PATH, PUSH_PATH, RELAY_PATH,
};

/// Tunables of the hub's HTTP side.
#[derive(Debug, Clone)]
pub struct HubOptions {
    /// The longest a relay long poll is held open (a register asks for less or equal).
    pub long_poll_max: Duration,
    /// How often a waiting long poll looks at the database anyway (callbacks stored by another
    /// hub process do not wake this one).
    pub long_poll_recheck: Duration,
    /// The most callbacks handed out in one poll.
    pub relay_batch: i64,
    /// The largest push body accepted (bytes).
    pub max_push_bytes: usize,
}

impl Default for HubOptions {
    fn default() -> Self {
        HubOptions {
            long_poll_max: Duration::from_secs(25),
            long_poll_recheck: Duration::from_secs(1),
            relay_batch: 50,
            max_push_bytes: 16 * 1024 * 1024,
        }
    }
}

/// The hub: its database, its clock, and who is waiting for callbacks.
#[derive(Debug)]
pub struct Hub {
    store: Store,
    clock: Arc<dyn Clock>,
    options: HubOptions,
    waiters: Waiters,
    hook: Arc<dyn IngestHook>,
}

impl Hub {
    /// A hub over a (migrated) store.
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Hub {
        Hub {
            store,
            clock,
            options: HubOptions::default(),
            waiters: Waiters::default(),
            hook: Arc::new(NoHook),
        }
    }

    /// Other tunables.
    pub fn with_options(mut self, options: HubOptions) -> Hub {
        self.options = options;
        self
    }

    /// A pause point inside every push transaction (tests).
    pub fn with_ingest_hook(mut self, hook: Arc<dyn IngestHook>) -> Hub {
        self.hook = hook;
        self
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The routes.
    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route(
                PUSH_PATH,
                post(push).layer(DefaultBodyLimit::max(self.options.max_push_bytes)),
            )
            .route(RELAY_PATH, get(relay_poll))
            .route(&format!("{RELAY_PATH}/{{id}}/ack"), post(relay_ack))
            .route(
                "/relay/{register}/callback/{provider}/{secret}",
                post(relay_receive),
            )
            .route(OWNER_REPORT_PATH, get(owner_report))
            .route(OWNER_HEALTH_PATH, get(owner_health))
            .route(OWNER_CALLBACKS_PATH, get(owner_callbacks))
            .route(OWNER_PAGE_PATH, get(owner_page))
            .route("/", get(|| async { Redirect::to(OWNER_PAGE_PATH) }))
            .route("/healthz", get(healthz))
            .with_state(self.clone())
    }

    /// Serves on `listener` until the future is dropped.
    pub async fn serve(self: Arc<Self>, listener: tokio::net::TcpListener) -> std::io::Result<()> {
        axum::serve(listener, self.router()).await
    }

    async fn register(&self, headers: &HeaderMap) -> Result<String> {
        let token = credential(headers).ok_or(HubError::Unauthorized)?;
        let register = self
            .store
            .register_of_token(&token)
            .await?
            .ok_or(HubError::Unauthorized)?;
        Ok(register)
    }

    async fn owner(&self, headers: &HeaderMap) -> Result<()> {
        let token = credential(headers).ok_or(HubError::Unauthorized)?;
        if self.store.is_owner_token(&token).await? {
            Ok(())
        } else {
            Err(HubError::Unauthorized)
        }
    }
}

/// The token of a request: `Bearer <token>`, or the password of `Basic` (any user name).
fn credential(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, rest) = value.split_once(' ')?;
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(rest.to_owned()).filter(|t| !t.is_empty());
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(rest)
            .ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (_, password) = decoded.split_once(':')?;
        return Some(password.to_owned()).filter(|t| !t.is_empty());
    }
    None
}

async fn push(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<PushReply>> {
    let register = hub.register(&headers).await?;
    let batch: PushBatch = serde_json::from_slice(&body)
        .map_err(|e| HubError::Invalid(format!("not a push batch: {e}")))?;
    let reply = hub
        .store
        .push(&register, batch, hub.clock.now(), hub.hook.as_ref())
        .await?;
    Ok(Json(reply))
}

#[derive(Debug, Deserialize)]
struct PollQuery {
    #[serde(default)]
    after: i64,
    #[serde(default)]
    wait_ms: u64,
}

async fn relay_poll(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    Query(query): Query<PollQuery>,
) -> Result<Json<RelayBatch>> {
    let register = hub.register(&headers).await?;
    hub.store.seen(&register, hub.clock.now()).await?;
    let wait = Duration::from_millis(query.wait_ms).min(hub.options.long_poll_max);
    let deadline = tokio::time::Instant::now() + wait;
    let signal = hub.waiters.of(&register);
    loop {
        // Armed before looking, so a callback stored in between still wakes this poll.
        let notified = signal.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let callbacks = hub
            .store
            .pending_callbacks(
                &register,
                query.after,
                hub.options.relay_batch,
                hub.clock.now(),
            )
            .await?;
        let now = tokio::time::Instant::now();
        if !callbacks.is_empty() || now >= deadline {
            return Ok(Json(RelayBatch { callbacks }));
        }
        let nap = (deadline - now).min(hub.options.long_poll_recheck);
        let _ = tokio::time::timeout(nap, notified).await;
    }
}

async fn relay_ack(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(ack): Json<RelayAck>,
) -> Result<StatusCode> {
    let register = hub.register(&headers).await?;
    hub.store
        .callback_handled(&register, id, &ack, hub.clock.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn relay_receive(
    State(hub): State<Arc<Hub>>,
    Path((register, provider, secret)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match hub.store.callback_token_matches(&register, &secret).await {
        Ok(true) => {}
        // Not a URL we gave any provider: nothing stored, nothing said.
        Ok(false) => return StatusCode::NOT_FOUND.into_response(),
        Err(error) => {
            tracing::warn!(%error, register, provider, "callback not stored; asking to resend");
            return reply(replies::try_again(&provider));
        }
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let relayed = replies::reply_for(&provider, content_type, &body);
    match hub
        .store
        .store_callback(
            &register,
            &provider,
            content_type,
            &body,
            &relayed,
            hub.clock.now(),
        )
        .await
    {
        Ok(_) => {
            hub.waiters.wake(&register);
            reply(relayed.reply)
        }
        Err(error) => {
            tracing::warn!(%error, register, provider, "callback not stored; asking to resend");
            reply(replies::try_again(&provider))
        }
    }
}

fn reply(reply: termdee_providers::CallbackReply) -> Response {
    (
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK),
        [(header::CONTENT_TYPE, reply.content_type)],
        reply.body,
    )
        .into_response()
}

/// `?from=&to=&by=&register=`; days default to today (Bangkok), `by` to operator.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReportQuery {
    pub from: Option<String>,
    pub to: Option<String>,
    pub by: Option<String>,
    pub register: Option<String>,
}

pub(crate) struct ReportRequest {
    pub from: BusinessDay,
    pub to: BusinessDay,
    pub by: ReportDimension,
    pub register: Option<String>,
}

impl ReportQuery {
    pub(crate) fn read(&self, today: BusinessDay) -> Result<ReportRequest> {
        let day = |text: &Option<String>, fallback: BusinessDay| match text
            .as_deref()
            .filter(|t| !t.is_empty())
        {
            Some(text) => BusinessDay::parse(text).map_err(|e| HubError::Invalid(e.to_string())),
            None => Ok(fallback),
        };
        let from = day(&self.from, today)?;
        let to = day(&self.to, from)?;
        let by = match self.by.as_deref().filter(|t| !t.is_empty()) {
            Some(text) => text
                .parse()
                .map_err(|_| HubError::Invalid(format!("cannot report by {text:?}")))?,
            None => ReportDimension::Operator,
        };
        Ok(ReportRequest {
            from,
            to,
            by,
            register: self.register.clone().filter(|r| !r.is_empty()),
        })
    }
}

async fn owner_report(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    Query(query): Query<ReportQuery>,
) -> Result<Response> {
    hub.owner(&headers).await?;
    let request = query.read(BusinessDay::of(hub.clock.now()))?;
    let report = hub
        .store
        .report(
            request.from,
            request.to,
            request.by,
            request.register.as_deref(),
        )
        .await?;
    Ok(Json(report).into_response())
}

async fn owner_health(State(hub): State<Arc<Hub>>, headers: HeaderMap) -> Result<Response> {
    hub.owner(&headers).await?;
    Ok(Json(hub.store.health(hub.clock.now()).await?).into_response())
}

#[derive(Debug, Deserialize)]
struct CallbacksQuery {
    #[serde(default)]
    open: bool,
    #[serde(default = "default_limit")]
    limit: i64,
}

fn default_limit() -> i64 {
    200
}

async fn owner_callbacks(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    Query(query): Query<CallbacksQuery>,
) -> Result<Json<CallbackList>> {
    hub.owner(&headers).await?;
    let callbacks = hub
        .store
        .callbacks(query.open, query.limit.clamp(1, 1000))
        .await?;
    Ok(Json(CallbackList { callbacks }))
}

async fn owner_page(
    State(hub): State<Arc<Hub>>,
    headers: HeaderMap,
    Query(query): Query<ReportQuery>,
) -> Result<Html<String>> {
    hub.owner(&headers).await?;
    let now = hub.clock.now();
    let request = query.read(BusinessDay::of(now))?;
    let report = hub
        .store
        .report(
            request.from,
            request.to,
            request.by,
            request.register.as_deref(),
        )
        .await?;
    let health = hub.store.health(now).await?;
    let callbacks = hub.store.callbacks(true, 100).await?;
    let unresolved = hub.store.unresolved_sales(100).await?;
    Ok(Html(crate::page::render(
        &report,
        &health,
        &callbacks,
        &unresolved,
    )))
}

async fn healthz(State(hub): State<Arc<Hub>>) -> Response {
    match hub.store.ping().await {
        Ok(()) => "ok".into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, value.parse().unwrap());
        headers
    }

    #[test]
    fn credentials_come_from_bearer_or_the_basic_password() {
        assert_eq!(
            credential(&headers("Bearer tdo_abc")),
            Some("tdo_abc".into())
        );
        assert_eq!(
            credential(&headers("bearer  tdo_abc ")),
            Some("tdo_abc".into())
        );
        let basic = base64::engine::general_purpose::STANDARD.encode("owner:tdo_xyz");
        assert_eq!(
            credential(&headers(&format!("Basic {basic}"))),
            Some("tdo_xyz".into())
        );
        let empty = base64::engine::general_purpose::STANDARD.encode("owner:");
        assert_eq!(credential(&headers(&format!("Basic {empty}"))), None);
        assert_eq!(credential(&headers("Bearer ")), None);
        assert_eq!(credential(&headers("Digest abc")), None);
        assert_eq!(credential(&HeaderMap::new()), None);
    }

    #[test]
    fn report_queries_default_to_today_by_operator_and_refuse_nonsense() {
        let today = BusinessDay::parse("2026-03-05").unwrap();
        let request = ReportQuery::default().read(today).unwrap();
        assert_eq!((request.from, request.to), (today, today));
        assert_eq!(request.by, ReportDimension::Operator);
        let ranged = ReportQuery {
            from: Some("2026-03-01".into()),
            to: Some("2026-03-07".into()),
            by: Some("network".into()),
            register: Some("kiosk-1".into()),
        }
        .read(today)
        .unwrap();
        assert_eq!(ranged.by, ReportDimension::Network);
        assert_eq!(ranged.register.as_deref(), Some("kiosk-1"));
        assert!(ReportQuery {
            by: Some("shift".into()),
            ..ReportQuery::default()
        }
        .read(today)
        .is_err());
        assert!(ReportQuery {
            from: Some("2026-02-30".into()),
            ..ReportQuery::default()
        }
        .read(today)
        .is_err());
    }
}
