//! Shared test helpers: a callback receiver and a wait loop.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::routing::post;
use axum::Router;

/// One received callback: its form fields.
pub type Fields = Vec<(String, String)>;

/// A local merchant endpoint that records callbacks and answers from a script.
#[derive(Debug, Clone, Default)]
pub struct Receiver {
    pub received: Arc<Mutex<Vec<Fields>>>,
    /// Replies to use first (one per callback); afterwards the correct acknowledgement.
    pub replies: Arc<Mutex<VecDeque<String>>>,
    pub url: String,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let mut receiver = Receiver::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind receiver");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        receiver.url = format!("http://{addr}/callback");
        let app = Router::new()
            .route("/callback", post(receive))
            .with_state(receiver.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        receiver
    }

    pub fn answer_first(&self, replies: &[&str]) {
        self.replies
            .lock()
            .expect("lock")
            .extend(replies.iter().map(|r| (*r).to_owned()));
    }

    pub fn received(&self) -> Vec<Fields> {
        self.received.lock().expect("lock").clone()
    }

    pub fn field(callback: &[(String, String)], name: &str) -> String {
        callback
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

async fn receive(State(receiver): State<Receiver>, body: String) -> String {
    let fields: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let dest_ref = Receiver::field(&fields, "dest_ref");
    receiver.received.lock().expect("lock").push(fields);
    let scripted = receiver.replies.lock().expect("lock").pop_front();
    scripted.unwrap_or_else(|| format!("SUCCEED|ORDER_ID={dest_ref}"))
}

/// Polls `check` every 2 ms for up to 3 s; panics with `what` if it never holds.
pub async fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..1500 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    panic!("timed out waiting until {what}");
}

/// The text of `<NAME>…</NAME>` in an Easysoft reply.
pub fn xml_field(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&close)? + start;
    Some(xml[start..end].to_owned())
}

/// A merchant endpoint for JSON callbacks (Deposit-QR, BluePay): records raw bodies and answers
/// scripted replies `(status, body)` first, then `default_reply` with 200.
#[derive(Debug, Clone, Default)]
pub struct JsonReceiver {
    pub bodies: Arc<Mutex<Vec<String>>>,
    pub replies: Arc<Mutex<VecDeque<(u16, String)>>>,
    pub default_reply: Arc<Mutex<String>>,
    pub url: String,
}

impl JsonReceiver {
    pub async fn start(default_reply: &str) -> JsonReceiver {
        let mut receiver = JsonReceiver::default();
        *receiver.default_reply.lock().expect("lock") = default_reply.to_owned();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind receiver");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        receiver.url = format!("http://{addr}/notify");
        let app = Router::new()
            .route("/notify", post(receive_json))
            .with_state(receiver.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        receiver
    }

    pub fn answer_first(&self, replies: &[(u16, &str)]) {
        self.replies
            .lock()
            .expect("lock")
            .extend(replies.iter().map(|(s, r)| (*s, (*r).to_owned())));
    }

    pub fn bodies(&self) -> Vec<String> {
        self.bodies.lock().expect("lock").clone()
    }

    pub fn json(&self) -> Vec<serde_json::Value> {
        self.bodies()
            .iter()
            .map(|b| serde_json::from_str(b).expect("callback body is JSON"))
            .collect()
    }
}

async fn receive_json(
    State(receiver): State<JsonReceiver>,
    body: String,
) -> (axum::http::StatusCode, String) {
    receiver.bodies.lock().expect("lock").push(body);
    let scripted = receiver.replies.lock().expect("lock").pop_front();
    let (status, reply) =
        scripted.unwrap_or_else(|| (200, receiver.default_reply.lock().expect("lock").clone()));
    (
        axum::http::StatusCode::from_u16(status).expect("status"),
        reply,
    )
}
