//! Plumbing every simulator shares: binding, serving until shut down, the network switch,
//! the fault steps around a handler, and the `/_sim` control endpoints.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use serde::Deserialize;
use termdee_domain::Satang;
use tokio::sync::oneshot;

use crate::controls::{Controls, Fate, Fault, Op, RandomFaults};

/// A bound, serving HTTP server; shuts down when dropped.
#[derive(Debug)]
pub(crate) struct Running {
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// Binds `addr` and serves `router` (with peer addresses) in the background.
pub(crate) async fn serve(addr: SocketAddr, router: Router) -> std::io::Result<Running> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (shutdown, stopped) = oneshot::channel::<()>();
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move {
        let served = axum::serve(listener, service)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await;
        if let Err(error) = served {
            tracing::warn!(%error, "simulator server stopped");
        }
    });
    Ok(Running {
        addr,
        shutdown: Some(shutdown),
    })
}

/// A finished reply, kept as bytes so a fault can still truncate or withhold it.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn new(content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Reply {
            status: StatusCode::OK,
            content_type,
            body: body.into(),
        }
    }

    pub fn json(body: String) -> Self {
        Reply::new("application/json; charset=utf-8", body)
    }

    pub fn text(body: String) -> Self {
        Reply::new("text/plain; charset=utf-8", body)
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        (
            self.status,
            [(header::CONTENT_TYPE, self.content_type)],
            self.body,
        )
            .into_response()
    }
}

/// A response whose body fails at once: hyper aborts the connection, so the client sees a
/// dropped connection instead of a reply.
pub(crate) fn dropped_connection() -> Response {
    let failing = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "simulated dropped connection",
        ))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_LENGTH, "1000")
        .body(Body::from_stream(failing))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

fn html(status: StatusCode, title: &str) -> Response {
    let page = format!(
        "<!DOCTYPE html>\n<html><head><title>{title}</title></head>\
         <body><h1>{title}</h1><p>cloudflare</p></body></html>\n"
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=UTF-8")],
        page,
    )
        .into_response()
}

/// What the handler should do after the fault steps that come before execution.
pub(crate) enum Before {
    /// Execute; then call [`after`] with the fault (if any) that is still pending.
    Execute(Option<Fault>),
    /// Answer with this response at once, without executing.
    Answer(Response),
    /// Answer with the provider's own refusal for this fault, without executing.
    Refuse(Fault),
}

/// Draws the fault for this request and applies the steps that come before execution.
pub(crate) async fn before(controls: &Controls, op: Op) -> Before {
    match controls.next_fault(op) {
        None => Before::Execute(None),
        Some(Fault::Delay { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Before::Execute(None)
        }
        Some(Fault::ServerError { status }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            Before::Answer(html(
                status,
                &format!("{} {}", status.as_u16(), "Bad Gateway"),
            ))
        }
        Some(Fault::Html) => Before::Answer(html(
            StatusCode::FORBIDDEN,
            "Attention Required! | Cloudflare",
        )),
        Some(fault @ (Fault::InsufficientBalance | Fault::IpNotAllowed | Fault::ProviderError)) => {
            Before::Refuse(fault)
        }
        Some(fault) => Before::Execute(Some(fault)),
    }
}

/// Applies the steps that come after execution: hold, drop, truncate, or the internal error.
pub(crate) async fn after(fault: Option<Fault>, reply: Reply, internal_error: Reply) -> Response {
    match fault {
        Some(Fault::ExecuteThenHold { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            reply.into_response()
        }
        Some(Fault::ExecuteThenDrop) => dropped_connection(),
        Some(Fault::ExecuteThenError) => internal_error.into_response(),
        Some(Fault::Malformed) => {
            let mut reply = reply;
            let keep = reply.body.len() / 2;
            reply.body.truncate(keep.max(1));
            reply.into_response()
        }
        _ => reply.into_response(),
    }
}

/// Middleware: while the network is off, API requests get their connection dropped.
pub(crate) async fn network_gate(
    State(controls): State<Arc<Controls>>,
    request: Request,
    next: Next,
) -> Response {
    if !controls.network_online() && !request.uri().path().starts_with("/_sim") {
        return dropped_connection();
    }
    next.run(request).await
}

/// The provider-specific half of the control API.
pub(crate) trait Wallets: Send + Sync + 'static {
    /// Sets the balance of `username` (or of the first account); false if there is none.
    fn set_balance(&self, username: Option<&str>, balance: Satang) -> bool;
    /// Sets the result-callback URL (Easysoft's back-office setting); false if unsupported.
    fn set_callback_url(&self, username: Option<&str>, url: Option<String>) -> bool;
    /// Accounts, balances and transactions, as JSON.
    fn snapshot(&self) -> serde_json::Value;
}

#[derive(Clone)]
struct ControlState {
    controls: Arc<Controls>,
    wallets: Arc<dyn Wallets>,
}

#[derive(Deserialize)]
struct ScriptBody {
    #[serde(default = "any_op")]
    op: Op,
    fault: Fault,
}

fn any_op() -> Op {
    Op::Any
}

#[derive(Deserialize)]
struct NetworkBody {
    online: bool,
}

#[derive(Deserialize)]
struct BalanceBody {
    #[serde(default)]
    username: Option<String>,
    /// Baht, e.g. "100.00".
    balance: String,
}

#[derive(Deserialize)]
struct CallbackUrlBody {
    #[serde(default)]
    username: Option<String>,
    url: Option<String>,
}

type Answer = (StatusCode, Json<serde_json::Value>);

fn ok() -> Answer {
    (StatusCode::OK, Json(serde_json::json!({"ok": true})))
}

fn refused(why: &str) -> Answer {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({"ok": false, "error": why})),
    )
}

/// The `/_sim` routes: see the crate documentation for the list.
pub(crate) fn control_routes(controls: Arc<Controls>, wallets: Arc<dyn Wallets>) -> Router {
    let state = ControlState { controls, wallets };
    Router::new()
        .route(
            "/_sim/state",
            get(|State(s): State<ControlState>| async move {
                Json(serde_json::json!({
                    "online": s.controls.network_online(),
                    "provider": s.wallets.snapshot(),
                    "executions": s.controls.executions(),
                    "callbacks": s.controls.callbacks(),
                    "applied": s.controls.applied(),
                }))
            }),
        )
        .route(
            "/_sim/executions",
            get(|State(s): State<ControlState>| async move { Json(s.controls.executions()) }),
        )
        .route(
            "/_sim/script",
            post(|State(s): State<ControlState>, Json(body): Json<ScriptBody>| async move {
                s.controls.script(body.op, body.fault);
                ok()
            }),
        )
        .route(
            "/_sim/fate",
            post(|State(s): State<ControlState>, Json(fate): Json<Fate>| async move {
                s.controls.script_fate(fate);
                ok()
            }),
        )
        .route(
            "/_sim/clear",
            post(|State(s): State<ControlState>| async move {
                s.controls.clear_script();
                ok()
            }),
        )
        .route(
            "/_sim/random",
            post(
                |State(s): State<ControlState>, Json(random): Json<Option<RandomFaults>>| async move {
                    s.controls.set_random(random);
                    ok()
                },
            ),
        )
        .route(
            "/_sim/network",
            post(|State(s): State<ControlState>, Json(body): Json<NetworkBody>| async move {
                s.controls.set_network_online(body.online);
                ok()
            }),
        )
        .route(
            "/_sim/balance",
            post(|State(s): State<ControlState>, Json(body): Json<BalanceBody>| async move {
                match Satang::parse_baht(&body.balance) {
                    Ok(balance) if s.wallets.set_balance(body.username.as_deref(), balance) => {
                        ok()
                    }
                    Ok(_) => refused("no such account"),
                    Err(error) => refused(&error.to_string()),
                }
            }),
        )
        .route(
            "/_sim/callback_url",
            post(|State(s): State<ControlState>, Json(body): Json<CallbackUrlBody>| async move {
                if s.wallets.set_callback_url(body.username.as_deref(), body.url) {
                    ok()
                } else {
                    refused("this provider takes the callback URL per request")
                }
            }),
        )
        .with_state(state)
}

/// Reads request fields from a JSON object, a urlencoded form or a multipart form.
pub(crate) fn read_fields(content_type: &str, body: &[u8]) -> Vec<(String, String)> {
    let original = content_type;
    let content_type = content_type.to_ascii_lowercase();
    if content_type.starts_with("application/json") {
        return match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(serde_json::Value::Object(map)) => map
                .into_iter()
                .map(|(key, value)| {
                    let text = match value {
                        serde_json::Value::String(text) => text,
                        other => other.to_string(),
                    };
                    (key, text)
                })
                .collect(),
            _ => Vec::new(),
        };
    }
    if content_type.starts_with("multipart/form-data") {
        let boundary = original
            .split(';')
            .filter_map(|part| part.trim().strip_prefix("boundary="))
            .next()
            .map(|b| b.trim_matches('"').to_owned());
        return match boundary {
            Some(boundary) => read_multipart(&String::from_utf8_lossy(body), &boundary),
            None => Vec::new(),
        };
    }
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

fn read_multipart(body: &str, boundary: &str) -> Vec<(String, String)> {
    let delimiter = format!("--{boundary}");
    let mut fields = Vec::new();
    for part in body.split(delimiter.as_str()) {
        let Some((head, value)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let name = head
            .split(';')
            .filter_map(|piece| piece.trim().strip_prefix("name=\""))
            .next()
            .and_then(|n| n.split('"').next())
            .map(str::to_owned);
        if let Some(name) = name {
            fields.push((name, value.trim_end_matches("\r\n").to_owned()));
        }
    }
    fields
}

/// The value of field `name`, if present.
pub(crate) fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}
