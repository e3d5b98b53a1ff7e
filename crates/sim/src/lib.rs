//! # termdee-sim — faithful local simulators of Termdee's providers
//!
//! Termdee moves real money through providers it cannot call in a test: wePAY and Easysoft
//! have no sandbox (Easysoft's "test" URL tops up for real), and the payment providers
//! (Tmweasy Mae Manee, Deposit-QR, BluePay WebPay) take real customers' money. This crate runs
//! each provider as
//! a small axum server on `127.0.0.1` that speaks the provider's wire format as the specs in
//! `../shared/providers/` document it — paths, form/JSON fields, the MD5 password check,
//! JSON and `<TOPUP>` XML replies, codes and Thai `DETAIL` messages — and keeps the state a
//! real service keeps: accounts with credentials and balances, the catalogue, and transactions
//! by id and by wePAY `dest_ref`.
//!
//! ## Main types
//!
//! - [`WepaySim`] / [`WepayConfig`] and [`EasysoftSim`] / [`EasysoftConfig`]: start one
//!   simulator (port 0 in tests) and read its state. They stop when dropped.
//! - [`Controls`] (from `sim.controls()`): script a [`Fault`] for the next request of an
//!   [`Op`], the [`Fate`] of the next order ([`Outcome`] and [`CallbackPlan`]), seeded
//!   [`RandomFaults`], the network switch; and read the record of every [`Execution`] (each
//!   time money moves: debit, re-credit, reversal) and every [`CallbackAttempt`].
//! - [`TmweasySim`], [`DepositQrSim`], [`BluepaySim`] (with their `*Config`): the payment
//!   providers. Each plays the customer too: `pay` / `fail` / `expire` / `advance` (the
//!   simulated clock) / `forge` (a [`Forgery`]: bad signature, wrong amount, unknown order,
//!   sent once for the client to reject). A payment received is an [`Execution`] of kind
//!   [`ExecutionKind::Payment`].
//! - [`start_lineup`]: every simulator at once, for `termdee sim`.
//!
//! ## The key decisions
//!
//! **Results are asynchronous, as in the real services.** An order is accepted (wePAY `00000`,
//! Easysoft `STATUS=1`) and the wallet is debited at once; the final status is decided by a
//! tokio task after a configurable delay (`result_delay`; the `fast()` configurations use
//! 20 ms), and a failure re-credits the wallet. Callbacks are really POSTed (form-encoded) and
//! re-sent on a configurable schedule until the provider's acknowledgement comes back (wePAY:
//! exactly `SUCCEED|ORDER_ID=<dest_ref>`). All waiting goes through `tokio::time`, so a test
//! may also run under paused time.
//!
//! **Money is recorded where it moves.** [`Controls::executions`] lists every debit and
//! re-credit with its key (wePAY `dest_ref`, Easysoft `ORDERID` or the honoured client
//! `orderid`), so a test asserts "executed at most once per key" with
//! [`Controls::debits_per_key`].
//!
//! **Faults are data.** A [`Fault`] is consumed by the first request it matches; it can delay,
//! execute then hold the reply past the client's timeout, execute then drop the connection,
//! execute then answer an internal error or a truncated body, answer a 5xx or an HTML page
//! without executing, or refuse as if the balance were short or the IP not whitelisted.
//! [`Controls::set_network_online`]`(false)` drops every API connection. The same faults are
//! JSON for the HTTP control API, so another process can script them.
//!
//! **Payments wait for a customer.** A payment simulator creates the bill / deposit / order and
//! then waits: a test (or a person, through `POST /_sim/pay`, or the simulator's own hosted
//! page — Tmweasy `urlpay`, Deposit-QR `/deposit/{ref_id}`, BluePay `payUrl`) pays it. A
//! scripted [`Fate`] with an [`Outcome`] pays or fails it by itself after a delay. Expiry runs
//! on a simulated clock (tokio time plus an offset that `advance` moves), so tests never sleep
//! for it. Callbacks (Deposit-QR JSON, BluePay `{sign,param}` signed SHA256withRSA with the
//! provider's key) go through the same courier, retries and [`CallbackPlan`]s as the top-ups;
//! BluePay's acknowledgement must be exactly `{"code":10000,"message":"Success"}`.
//!
//! **Unknowns are switches.** Where a spec marks behaviour unknown (`[U]`), the configuration has
//! a field documented with `[U]` and a default chosen from the evidence.
//!
//! ## HTTP control API (on every simulator, same port)
//!
//! | method and path | body | effect |
//! |---|---|---|
//! | `GET /_sim/state` | | balances, transactions, executions, callbacks, applied faults |
//! | `GET /_sim/executions` | | the execution record |
//! | `POST /_sim/script` | `{"op":"order","fault":{"kind":"execute_then_hold","ms":5000}}` | queue a fault |
//! | `POST /_sim/fate` | `{"outcome":"failure","callback":{"kind":"duplicate"}}` | fate of the next order |
//! | `POST /_sim/clear` | | drop queued faults and fates |
//! | `POST /_sim/random` | `{"seed":7,"request_fault_per_mille":100}` or `null` | seeded random faults |
//! | `POST /_sim/network` | `{"online":false}` | network switch |
//! | `POST /_sim/balance` | `{"username":"demo","balance":"100.00"}` | set a balance |
//! | `POST /_sim/callback_url` | `{"url":"http://..."}` | Easysoft's back-office callback URL; Deposit-QR's merchant-profile default |
//!
//! Payment simulators add:
//!
//! | method and path | body | effect |
//! |---|---|---|
//! | `POST /_sim/pay` | `{"id":"<id_pay / order_id or ref_id / mchOrderId>","amount":"50.00"}` | the customer pays (amount optional) |
//! | `POST /_sim/pay/{id}` | | the same, without a body |
//! | `POST /_sim/fail[/{id}]` | `{"id":...}` | the payment fails (Deposit-QR `FAILED`, BluePay `order.payment.failed`) |
//! | `POST /_sim/expire[/{id}]` | `{"id":...}` | the payment expires now |
//! | `POST /_sim/advance` | `{"secs":601}` | the simulated clock moves on (expiring what is due) |
//! | `POST /_sim/forge` | `{"id":...,"kind":"bad_signature"\|"wrong_amount"\|"unknown_order"}` | send a forged callback |
//! | `POST /_sim/manual_success/{id}` | | Deposit-QR only: operator staff confirm (`SUCCESS`) |
//! | `POST /_sim/statement` | `{"from_acc":"1448702118","amount":"100.01"}` | Deposit-QR only: a transfer on the statement, matched to an open deposit |
//! | `GET /_sim/pubkey` | | BluePay only: the provider public key (PEM) |

#![deny(missing_docs)]

pub mod bluepay;
mod callback;
mod controls;
pub mod deposit_qr;
pub mod easysoft;
mod payments;
mod server;
pub mod tmweasy;
pub mod wepay;

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};

pub use bluepay::{BluepayConfig, BluepaySim};
pub use controls::{
    Applied, CallbackAttempt, CallbackPlan, Controls, Execution, ExecutionKind, Fate, Fault, Op,
    Outcome, RandomFaults,
};
pub use deposit_qr::{DepositQrConfig, DepositQrSim};
pub use easysoft::{EasysoftConfig, EasysoftSim};
pub use payments::Forgery;
pub use tmweasy::{TmweasyConfig, TmweasySim};
pub use wepay::{WepayConfig, WepaySim};

/// A running simulator of any provider, as `termdee sim` sees it.
pub trait Simulator: std::fmt::Debug + Send + Sync {
    /// The provider's name in `termdee sim` output and `--port NAME=PORT` flags.
    fn name(&self) -> &'static str;
    /// Base URL, endpoint and demo credentials, as JSON.
    fn describe(&self) -> serde_json::Value;
    /// Scripting and records.
    fn controls(&self) -> &Controls;
}

impl Simulator for WepaySim {
    fn name(&self) -> &'static str {
        "wepay"
    }
    fn describe(&self) -> serde_json::Value {
        WepaySim::describe(self)
    }
    fn controls(&self) -> &Controls {
        WepaySim::controls(self)
    }
}

impl Simulator for EasysoftSim {
    fn name(&self) -> &'static str {
        "easysoft"
    }
    fn describe(&self) -> serde_json::Value {
        EasysoftSim::describe(self)
    }
    fn controls(&self) -> &Controls {
        EasysoftSim::controls(self)
    }
}

impl Simulator for TmweasySim {
    fn name(&self) -> &'static str {
        "tmweasy"
    }
    fn describe(&self) -> serde_json::Value {
        TmweasySim::describe(self)
    }
    fn controls(&self) -> &Controls {
        TmweasySim::controls(self)
    }
}

impl Simulator for DepositQrSim {
    fn name(&self) -> &'static str {
        "deposit_qr"
    }
    fn describe(&self) -> serde_json::Value {
        DepositQrSim::describe(self)
    }
    fn controls(&self) -> &Controls {
        DepositQrSim::controls(self)
    }
}

impl Simulator for BluepaySim {
    fn name(&self) -> &'static str {
        "bluepay"
    }
    fn describe(&self) -> serde_json::Value {
        BluepaySim::describe(self)
    }
    fn controls(&self) -> &Controls {
        BluepaySim::controls(self)
    }
}

/// The names of every simulator [`start_lineup`] starts, in order.
pub const LINEUP: [&str; 5] = ["wepay", "easysoft", "tmweasy", "deposit_qr", "bluepay"];

/// Starts every simulator on 127.0.0.1 with its default (real-time) configuration; `ports`
/// maps a name of [`LINEUP`] to a fixed port (absent: ephemeral). To add a simulator, add its
/// name to [`LINEUP`] and one arm here.
pub async fn start_lineup(
    ports: &BTreeMap<String, u16>,
) -> std::io::Result<Vec<Box<dyn Simulator>>> {
    let addr =
        |name: &str| SocketAddr::from((Ipv4Addr::LOCALHOST, ports.get(name).copied().unwrap_or(0)));
    let mut sims: Vec<Box<dyn Simulator>> = Vec::new();
    for name in LINEUP {
        let sim: Box<dyn Simulator> = match name {
            "wepay" => Box::new(
                WepaySim::start(WepayConfig {
                    addr: addr(name),
                    ..WepayConfig::default()
                })
                .await?,
            ),
            "tmweasy" => Box::new(
                TmweasySim::start(TmweasyConfig {
                    addr: addr(name),
                    ..TmweasyConfig::default()
                })
                .await?,
            ),
            "deposit_qr" => Box::new(
                DepositQrSim::start(DepositQrConfig {
                    addr: addr(name),
                    ..DepositQrConfig::default()
                })
                .await?,
            ),
            "bluepay" => Box::new(
                BluepaySim::start(BluepayConfig {
                    addr: addr(name),
                    ..BluepayConfig::default()
                })
                .await?,
            ),
            _ => Box::new(
                EasysoftSim::start(EasysoftConfig {
                    addr: addr(name),
                    ..EasysoftConfig::default()
                })
                .await?,
            ),
        };
        sims.push(sim);
    }
    Ok(sims)
}

/// The one JSON line `termdee sim` prints: `{"<name>": describe(), ...}`.
pub fn describe_lineup(sims: &[Box<dyn Simulator>]) -> serde_json::Value {
    let map: serde_json::Map<String, serde_json::Value> = sims
        .iter()
        .map(|sim| (sim.name().to_owned(), sim.describe()))
        .collect();
    serde_json::Value::Object(map)
}
