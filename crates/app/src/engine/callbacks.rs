//! The callback listener: one path per provider with a secret token (money rule 5).
//!
//! `POST /callback/<provider>/<token>` with `<provider>` one of `wepay`, `easysoft`, `bluepay`,
//! `deposit_qr`. The order of work is the rule: check the token, parse, find our order, verify
//! it, apply it once, and only then — with the state durable — reply exactly what the provider
//! expects. The raw request is stored whatever becomes of it: never after what it applies (in the
//! same transaction when it is verified here; alone, before the pull, when the provider must be
//! asked), and always before the reply.
//!
//! - Top-ups (wePAY, Easysoft: unsigned callbacks) are verified by a pull from the provider
//!   (`get_output`, `update`); the pull's answer is what is applied. A callback that cannot be
//!   verified now gets the provider's "try again" reply and changes nothing; the poller settles
//!   the sale anyway.
//! - Payments: a BluePay notification's SHA256withRSA signature is checked over the raw bytes
//!   before anything is read. Deposit-QR does not sign and cannot be queried (deposit_qr.md
//!   §4), so its push is applied only when it matches one of the sale's orders exactly
//!   (order id, RichPay `ref_id`, amount) on the secret path. Paid is applied once (a repeat is
//!   a duplicate), and the sale is then driven to its top-up at once.
//!
//! Without a listener, the engine just polls.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use termdee_domain::{Actor, ActorKind, UnixMillis};
use termdee_providers::{CallbackReply, ProviderError, TopupStatus, Verification};

use super::ports::PaymentCallbackRefusal;
use super::{durably, Engine, EngineError};
use termdee_domain::PaymentMethod;
use termdee_ledger::{Applied, LedgerError, PaymentEnd, TopupState};
use termdee_providers::{ExpectedOrder, QrPaymentStatus, SaleOrders};

/// What became of one callback (stored as its verdict).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackVerdict {
    /// A new state, verified and applied.
    Applied,
    /// Verified, but the top-up was already in that state.
    Duplicate,
    /// Verified, but the provider still says "in progress".
    StillPending,
    /// The provider's pull said something else than the callback; the pull was applied.
    Contradicted,
    /// Not readable.
    Malformed,
    /// Not one of our orders.
    UnknownOrder,
    /// The provider could not be asked; nothing applied, the provider is told to try again.
    Unverified,
    /// The signature over the raw bytes does not verify (BluePay): forged or altered.
    BadSignature,
    /// An order of ours, but the amount or the provider id differs: not applied.
    Mismatch,
}

impl CallbackVerdict {
    /// The verdict as the ledger (and the hub, for relayed callbacks) stores it.
    pub(crate) fn code(self) -> &'static str {
        match self {
            CallbackVerdict::Applied => "applied",
            CallbackVerdict::Duplicate => "duplicate",
            CallbackVerdict::StillPending => "still_pending",
            CallbackVerdict::Contradicted => "contradicted",
            CallbackVerdict::Malformed => "malformed",
            CallbackVerdict::UnknownOrder => "unknown_order",
            CallbackVerdict::Unverified => "unverified",
            CallbackVerdict::BadSignature => "bad_signature",
            CallbackVerdict::Mismatch => "mismatch",
        }
    }
}

fn not_found() -> CallbackReply {
    CallbackReply {
        status: 404,
        content_type: "text/plain",
        body: "not found".to_owned(),
    }
}

/// A callback as it came in, before anything was made of it.
struct RawCallback<'a> {
    provider: &'a str,
    content_type: Option<&'a str>,
    body: &'a [u8],
    received: UnixMillis,
}

impl Engine {
    /// Stores a callback judged without asking the provider together with its verdict: one
    /// transaction, durable before the reply.
    fn store_judged(
        &self,
        raw: &RawCallback<'_>,
        verdict: CallbackVerdict,
        sale: Option<&str>,
    ) -> Result<(), EngineError> {
        durably(|| {
            self.ledger.store_handled_callback(
                raw.provider,
                raw.content_type,
                raw.body,
                raw.received,
                verdict.code(),
                sale,
                self.now(),
            )
        })?;
        self.hit("callback.apply.after_write")?;
        Ok(())
    }

    /// Stores a callback and applies it in one transaction (`apply` gets the stored row's id).
    /// If that transaction fails, nothing of it was applied and the caller answers with an
    /// error (the provider sends again); the raw bytes are still stored, alone, as the record of
    /// what came in.
    fn store_and_apply<T>(
        &self,
        raw: &RawCallback<'_>,
        apply: impl FnOnce(i64) -> Result<T, LedgerError>,
    ) -> Result<T, EngineError> {
        let store = || {
            self.ledger
                .store_callback(raw.provider, raw.content_type, raw.body, raw.received)
        };
        let applied = durably(|| {
            self.ledger.atomically(|| {
                let stored = store()?;
                apply(stored)
            })
        });
        match applied {
            Ok(value) => {
                self.hit("callback.apply.after_write")?;
                Ok(value)
            }
            Err(error) => {
                durably(store)?;
                Err(error.into())
            }
        }
    }

    /// Handles one top-up callback that came in on `provider`'s path. Returns the reply to send
    /// and the verdict (also stored with the raw callback).
    ///
    /// Durable steps. A callback judged from the ledger alone — unreadable, not one of our
    /// orders, another provider id than ours, a repeat for a settled top-up — is stored with its
    /// verdict in ONE transaction before the reply: nothing else is written for it and nothing is
    /// asked, so "store first, then the verdict" would only add an fsync. A callback that needs
    /// the provider's word (wePAY and Easysoft do not sign: the pull is the verification) is
    /// stored alone BEFORE the pull, as money rule 5 asks — the evidence is on record whatever
    /// the pull does — and what the pull says is then applied with the callback's verdict in one
    /// transaction, before the reply.
    pub async fn handle_topup_callback(
        &self,
        provider: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<(CallbackReply, CallbackVerdict), EngineError> {
        let Some(port) = self.topup_port(provider).cloned() else {
            return Ok((not_found(), CallbackVerdict::UnknownOrder));
        };
        let actor = Actor::new(ActorKind::Callback, port.name());
        let raw = RawCallback {
            provider: port.name(),
            content_type,
            body,
            received: self.now(),
        };
        self.hit("callback.store.before_write")?;
        let judged = |verdict: CallbackVerdict, sale: Option<&str>, reply: CallbackReply| {
            self.store_judged(&raw, verdict, sale)?;
            Ok::<_, EngineError>((reply, verdict))
        };
        let claim = match port.parse_callback(content_type, body) {
            Ok(claim) => claim,
            Err(_) => {
                let reply = CallbackReply {
                    status: 400,
                    content_type: "text/plain",
                    body: "malformed".to_owned(),
                };
                return judged(CallbackVerdict::Malformed, None, reply);
            }
        };
        let by_reference = match &claim.reference {
            Some(reference) => self.ledger.topup_by_reference(port.name(), reference)?,
            None => None,
        };
        let topup = match by_reference {
            Some(topup) => Some(topup),
            None => self
                .ledger
                .topup_by_provider_ref(port.name(), &claim.provider_ref)?,
        };
        let Some(topup) = topup else {
            return judged(CallbackVerdict::UnknownOrder, None, not_found());
        };
        // A callback naming our reference with another provider id than the one we hold is not
        // about our order.
        if topup
            .provider_ref
            .as_deref()
            .is_some_and(|known| known != claim.provider_ref)
        {
            return judged(
                CallbackVerdict::UnknownOrder,
                Some(&topup.sale_id),
                not_found(),
            );
        }
        if !topup.state.is_live() {
            return judged(
                CallbackVerdict::Duplicate,
                Some(&topup.sale_id),
                claim.ack.clone(),
            );
        }
        let stored = durably(|| {
            self.ledger
                .store_callback(raw.provider, content_type, body, raw.received)
        })?;
        self.hit("callback.store.after_write")?;
        let finish = |verdict: CallbackVerdict, sale: Option<&str>, reply: CallbackReply| {
            durably(|| {
                self.ledger
                    .callback_handled(stored, verdict.code(), sale, self.now())
            })?;
            self.hit("callback.apply.after_write")?;
            Ok::<_, EngineError>((reply, verdict))
        };
        self.hit("callback.verify.before_call")?;
        let verification = port.verify_callback(&claim).await;
        self.hit("callback.verify.after_call")?;
        let (status, contradicted) = match verification {
            Ok(Verification::Confirmed(status)) => (status, false),
            Ok(Verification::Contradicted { provider, .. }) => (provider, true),
            Err(_) => {
                return finish(
                    CallbackVerdict::Unverified,
                    Some(&topup.sale_id),
                    port.refuse_callback(),
                )
            }
        };
        if let TopupStatus::Succeeded(result) | TopupStatus::Failed(result) = &status {
            if result
                .reference
                .as_deref()
                .is_some_and(|r| r != topup.reference)
            {
                return finish(
                    CallbackVerdict::UnknownOrder,
                    Some(&topup.sale_id),
                    not_found(),
                );
            }
        }
        let status: Result<TopupStatus, ProviderError> = Ok(status);
        let verdict = if super::settles(&status) {
            if contradicted {
                CallbackVerdict::Contradicted
            } else {
                CallbackVerdict::Applied
            }
        } else if contradicted {
            CallbackVerdict::Contradicted
        } else {
            CallbackVerdict::StillPending
        };
        // What the pull says, the provider id it brings, a contradiction's note and the
        // callback's verdict always go together: one transaction, before the reply.
        let now = self.now();
        let settled = durably(|| {
            self.ledger.atomically(|| {
                if contradicted {
                    self.ledger.note(
                        Some(&topup.sale_id),
                        now,
                        &actor,
                        "callback_contradicted",
                        &serde_json::json!({
                            "callback": stored,
                            "provider_says": format!("{status:?}"),
                        }),
                    )?;
                }
                if topup.provider_ref.is_none() {
                    // wePAY after 30016: the callback (now verified by get_output) brings the id.
                    self.ledger.topup_progress(
                        topup.id,
                        TopupState::Pending,
                        Some(&claim.provider_ref),
                        None,
                        "provider id from a verified callback",
                        now,
                        &actor,
                    )?;
                }
                let settled = self.write_topup_status(&topup, &status, &actor, now)?;
                self.ledger
                    .callback_handled(stored, verdict.code(), Some(&topup.sale_id), now)?;
                Ok(settled)
            })
        })?;
        if settled {
            self.hit("topup.settled.after_write")?;
            self.emit(super::EngineEventKind::TopupUpdated, &topup.sale_id);
        }
        self.hit("callback.apply.after_write")?;
        Ok((claim.ack.clone(), verdict))
    }
}

impl Engine {
    /// Handles one payment callback (BluePay notification, Deposit-QR push) for `method`.
    /// Returns the reply, the verdict, and the sale to drive on (its top-up) when one was paid.
    ///
    /// Both are verified here, with nothing asked of the provider (BluePay's signature over the
    /// raw bytes; Deposit-QR's exact match on the secret path), so a callback is stored, applied
    /// and given its verdict in ONE transaction, durable before the reply: the raw bytes are
    /// still never missing from an applied payment, and an unreadable or refused callback is
    /// still stored, with its verdict.
    pub async fn handle_payment_callback(
        &self,
        method: PaymentMethod,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<(CallbackReply, CallbackVerdict, Option<String>), EngineError> {
        let Some(port) = self.payments.get(&method).cloned() else {
            return Ok((not_found(), CallbackVerdict::UnknownOrder, None));
        };
        let actor = Actor::new(ActorKind::Callback, method.code());
        let raw = RawCallback {
            provider: method.code(),
            content_type,
            body,
            received: self.now(),
        };
        self.hit("callback.store.before_write")?;
        let judged = |verdict: CallbackVerdict, sale: Option<&str>, reply: CallbackReply| {
            self.store_judged(&raw, verdict, sale)?;
            Ok::<_, EngineError>((reply, verdict, None))
        };
        let claim = match port.parse_callback(content_type, body) {
            Ok(claim) => claim,
            Err(PaymentCallbackRefusal::BadSignature) => {
                let reply = CallbackReply {
                    status: 401,
                    content_type: "text/plain",
                    body: "bad signature".to_owned(),
                };
                return judged(CallbackVerdict::BadSignature, None, reply);
            }
            Err(PaymentCallbackRefusal::Malformed(_)) => {
                let reply = CallbackReply {
                    status: 400,
                    content_type: "text/plain",
                    body: "malformed".to_owned(),
                };
                return judged(CallbackVerdict::Malformed, None, reply);
            }
            Err(PaymentCallbackRefusal::Unsupported) => {
                return judged(CallbackVerdict::UnknownOrder, None, not_found())
            }
        };
        let Some(payment) = self
            .ledger
            .payment_by_reference(method, &claim.event.reference)?
        else {
            return judged(CallbackVerdict::UnknownOrder, None, not_found());
        };
        // Every attempt of the sale is an order it may be paid through (issue 4's SaleOrders):
        // an unknown order, another provider id or another amount is never applied.
        let orders = SaleOrders {
            sale: payment.sale_id.clone(),
            orders: self
                .ledger
                .payments_of(&payment.sale_id)?
                .into_iter()
                .map(|p| ExpectedOrder {
                    reference: p.reference,
                    provider_ref: p.provider_ref,
                    amount: p.amount,
                })
                .collect(),
        };
        if let QrPaymentStatus::Paid(_) = &claim.event.status {
            if orders.match_event(&claim.event).is_err() {
                let reply = CallbackReply {
                    status: 400,
                    content_type: "text/plain",
                    body: "does not match the order".to_owned(),
                };
                return judged(CallbackVerdict::Mismatch, Some(&payment.sale_id), reply);
            }
        }
        let now = self.now();
        let sale = Some(payment.sale_id.as_str());
        let verdict = match &claim.event.status {
            QrPaymentStatus::Paid(paid) => self.store_and_apply(&raw, |stored| {
                let verdict =
                    match self
                        .ledger
                        .payment_received(payment.id, paid.amount, now, &actor)?
                    {
                        Applied::Now => CallbackVerdict::Applied,
                        Applied::Already => CallbackVerdict::Duplicate,
                    };
                self.ledger
                    .callback_handled(stored, verdict.code(), sale, now)?;
                Ok(verdict)
            })?,
            QrPaymentStatus::Expired
            | QrPaymentStatus::Cancelled
            | QrPaymentStatus::Failed { .. } => {
                let end = match &claim.event.status {
                    QrPaymentStatus::Expired => PaymentEnd::Expired,
                    QrPaymentStatus::Cancelled => PaymentEnd::Cancelled,
                    _ => PaymentEnd::Failed,
                };
                self.store_and_apply(&raw, |stored| {
                    let verdict = match self.ledger.payment_ended(payment.id, end, now, &actor)? {
                        Applied::Now => CallbackVerdict::Applied,
                        Applied::Already => CallbackVerdict::Duplicate,
                    };
                    self.ledger
                        .callback_handled(stored, verdict.code(), sale, now)?;
                    Ok(verdict)
                })?
            }
            QrPaymentStatus::Pending { .. } | QrPaymentStatus::Unknown { .. } => {
                self.store_judged(&raw, CallbackVerdict::StillPending, sale)?;
                CallbackVerdict::StillPending
            }
        };
        if verdict == CallbackVerdict::Applied {
            self.emit(super::EngineEventKind::PaymentUpdated, &payment.sale_id);
        }
        Ok((claim.ack, verdict, Some(payment.sale_id)))
    }
}

#[derive(Clone)]
struct ListenerState {
    engine: Arc<Engine>,
    token: Arc<str>,
}

/// Compares without leaking, through timing, how much of the token matched.
fn same_token(given: &str, expected: &str) -> bool {
    let (a, b) = (given.as_bytes(), expected.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The listener's routes: `POST /callback/{provider}/{token}`.
pub fn router(engine: Arc<Engine>, token: &str) -> Router {
    Router::new()
        .route("/callback/{provider}/{token}", post(receive))
        .with_state(ListenerState {
            engine,
            token: Arc::from(token),
        })
}

async fn receive(
    State(state): State<ListenerState>,
    Path((provider, token)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !same_token(&token, &state.token) {
        // Not a provider of ours: nothing stored, nothing said.
        return StatusCode::NOT_FOUND.into_response();
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let handled = match provider.parse::<PaymentMethod>() {
        Ok(method) if method.is_provider() => state
            .engine
            .handle_payment_callback(method, content_type, &body)
            .await
            .map(|(reply, _, sale)| {
                if let Some(sale) = sale {
                    // The customer paid: top up now rather than at the next tick.
                    let engine = state.engine.clone();
                    tokio::spawn(async move {
                        let _ = engine.drive(&sale).await;
                    });
                }
                reply
            }),
        _ => state
            .engine
            .handle_topup_callback(&provider, content_type, &body)
            .await
            .map(|(reply, _)| reply),
    };
    match handled {
        Ok(reply) => (
            StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK),
            [(header::CONTENT_TYPE, reply.content_type)],
            reply.body,
        )
            .into_response(),
        Err(error) => {
            tracing::warn!(%error, provider, "callback not handled; the provider will resend");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// The URL a provider should call back, under a public base URL.
pub fn callback_url(
    base: &url::Url,
    provider: &str,
    token: &str,
) -> Result<url::Url, url::ParseError> {
    base.join(&format!("callback/{provider}/{token}"))
}

/// Serves the listener on `listener` until the task is dropped.
pub async fn serve(
    engine: Arc<Engine>,
    listener: tokio::net::TcpListener,
    token: String,
) -> std::io::Result<()> {
    axum::serve(listener, router(engine, &token)).await
}

/// Binds the listener address (settings `callback_listen`, e.g. `0.0.0.0:8787`).
pub async fn bind(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr).await
}
