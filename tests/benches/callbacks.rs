//! Issue 5: the callback listener under a loopback load generator.
//!
//! The engine's real listener (`POST /callback/{provider}/{token}`, axum) over a real file ledger
//! (WAL, `synchronous=FULL`, on the target directory's disk) holding many pending wePAY top-ups,
//! hammered by concurrent HTTP/1.1 keep-alive connections from a load generator in the same
//! process (on a runtime of its own: one bare hyper HTTP/1.1 connection per worker, no pool,
//! like `wrk`, so that the generator takes as little as it can of the CPU it shares with the
//! listener).
//!
//! 1. **Pending top-ups, placed for real.** `--topups` cash sales go through the real engine and
//!    the real wePAY client to the wePAY simulator, which accepts each order, decides it
//!    (success) a moment later and — scripted — sends no callback of its own. This part is set
//!    up on a ledger in `/dev/shm` (when there is one) so that it takes seconds, and the ledger is
//!    then copied (`VACUUM INTO`) to the disk, where a fresh engine and listener take over.
//! 2. **The load.** Each top-up's callback, built exactly as the simulator builds it (urlencoded
//!    `dest_ref`, `transaction_id`, `status`, `sms`, `operator_trxnsid`; `crates/sim/src/wepay.rs`
//!    `output_fields`), is sent `--copies` times: the first is verified by a `get_output` pull
//!    and applied, the repeats are deduplicated. Mixed in: callbacks for orders we never placed,
//!    callbacks naming one of our keys with another wePAY id (forged), unreadable bodies, and
//!    requests on a wrong token. The copies of a top-up are `--topups` requests apart, as a
//!    provider's re-sends are, so a repeat does not race its first.
//! 3. **The check.** Every reply is the one the provider (or the forger) must get; every sale is
//!    completed with exactly one `topup_succeeded` event; the `callbacks` table holds one row per
//!    request on the right token with the expected verdict counts; one pull per top-up; and the
//!    money invariants of `termdee_scenarios::check` hold.
//!
//! Reports callbacks per second (the genuine ones — verified or deduplicated — over the whole
//! run's time, forged ones included in that time) and per-request latency at the client (p50,
//! p99, max; also per kind). Targets: ≥ 5,000/s and p99 ≤ 10 ms. Prints a table on stderr and one
//! JSON line on stdout for `cargo xtask bench`; exits 1 when a check fails.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use hdrhistogram::Histogram;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use termdee_app::engine::routing::default_backoff;
use termdee_app::engine::{Engine, NoCrash, SaleRequest};
use termdee_domain::{Actor, ActorKind, Network, PaymentMethod, SaleState, Satang};
use termdee_ledger::{Ledger, TopupState};
use termdee_scenarios::{check, open_ledger, EngineOptions, Faults, World, CALLBACK_TOKEN};
use termdee_sim::wepay::{WepayStatus, WepayTransaction};
use termdee_sim::{CallbackPlan, Fate};

use common::{histogram, line, record, summary, ProviderTime, Runtimes, TimedTopups};

/// The callback listener under load.
#[derive(Debug, Parser)]
struct Args {
    /// Pending wePAY top-ups to place before the load.
    #[arg(long, default_value_t = 1000)]
    topups: usize,
    /// Times each top-up's callback is sent (the first applies, the rest are duplicates).
    #[arg(long, default_value_t = 3)]
    copies: usize,
    /// Concurrent keep-alive connections of the load generator.
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// Seed of the order of the requests.
    #[arg(long, default_value_t = 5)]
    seed: u64,
    /// Worker threads of the engine's runtime (default: one per core, like the app's). The
    /// ledger blocks a worker for each commit, so this bounds how many commits can be in flight.
    #[arg(long)]
    app_workers: Option<usize>,
    /// Put the ledger under load in `/dev/shm` too (a diagnostic: what is left when an fsync
    /// costs nothing).
    #[arg(long)]
    memory: bool,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

/// Customers placing the pending top-ups at once.
const PLACING_CUSTOMERS: usize = 8;
/// How long after its order the simulator decides a top-up: a status query by the placing
/// engine (none is due before 3 s with the production schedule) would still find it in
/// progress, so every top-up stays pending for the load.
const RESULT_DELAY_MS: u64 = 500;

/// What a request of the load is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// A top-up's first callback: verified by a pull, applied.
    First,
    /// A re-send: deduplicated.
    Repeat,
    /// A well-formed callback for an order we never placed.
    UnknownOrder,
    /// One of our keys with another wePAY transaction id.
    Forged,
    /// Not readable as a wePAY callback.
    Malformed,
    /// On the wrong secret path: not stored at all.
    WrongToken,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::First => "first",
            Kind::Repeat => "repeat",
            Kind::UnknownOrder => "unknown_order",
            Kind::Forged => "forged",
            Kind::Malformed => "malformed",
            Kind::WrongToken => "wrong_token",
        }
    }

    fn genuine(self) -> bool {
        matches!(self, Kind::First | Kind::Repeat)
    }
}

/// One request of the load and the reply it must get.
#[derive(Debug, Clone)]
struct Request {
    kind: Kind,
    path: String,
    body: bytes::Bytes,
    status: u16,
    reply: String,
}

/// A placed top-up, pending in the ledger, decided at the simulator.
#[derive(Debug, Clone)]
struct Pending {
    sale_id: String,
    transaction: WepayTransaction,
}

/// The callback body exactly as the wePAY simulator sends it (`output_fields`, urlencoded).
fn callback_body(transaction: &WepayTransaction) -> String {
    let status = match transaction.status {
        WepayStatus::Succeeded => "2",
        WepayStatus::Failed => "4",
        WepayStatus::Processing => "1",
    };
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("dest_ref", &transaction.dest_ref)
        .append_pair("transaction_id", &transaction.transaction_id)
        .append_pair("status", status)
        .append_pair("sms", &transaction.sms)
        .append_pair("operator_trxnsid", &transaction.operator_trxnsid)
        .finish()
}

/// The requests in the order they are sent.
fn plan(pending: &[Pending], args: &Args) -> Vec<Request> {
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let good = format!("/callback/wepay/{CALLBACK_TOKEN}");
    let bad = "/callback/wepay/not-the-token".to_owned();
    let mut order: Vec<usize> = (0..pending.len()).collect();
    order.shuffle(&mut rng);
    // (position, request): the copies of one top-up are exactly `topups` positions apart;
    // forged requests fall anywhere in between.
    let mut keyed: Vec<(usize, usize, Request)> = Vec::new();
    for copy in 0..args.copies {
        for (slot, &index) in order.iter().enumerate() {
            let transaction = &pending[index].transaction;
            keyed.push((
                copy * pending.len() + slot,
                keyed.len(),
                Request {
                    kind: if copy == 0 { Kind::First } else { Kind::Repeat },
                    path: good.clone(),
                    body: callback_body(transaction).into(),
                    status: 200,
                    reply: format!("SUCCEED|ORDER_ID={}", transaction.dest_ref),
                },
            ));
        }
    }
    let span = (args.copies * pending.len()).max(1);
    let forged_each = pending.len() / 10;
    let odd_each = pending.len() / 20;
    let kinds = [
        (Kind::UnknownOrder, forged_each),
        (Kind::Forged, forged_each),
        (Kind::Malformed, odd_each),
        (Kind::WrongToken, odd_each),
    ];
    for (kind, count) in kinds {
        for n in 0..count {
            let victim = &pending[rng.random_range(0..pending.len().max(1))].transaction;
            let request = match kind {
                Kind::UnknownOrder => Request {
                    kind,
                    path: good.clone(),
                    body: bytes::Bytes::from(callback_body(&WepayTransaction {
                        dest_ref: format!("ZZ{n:010}"),
                        transaction_id: format!("{}", 900_000_000 + n),
                        ..victim.clone()
                    })),
                    status: 404,
                    reply: "not found".to_owned(),
                },
                Kind::Forged => Request {
                    kind,
                    path: good.clone(),
                    body: bytes::Bytes::from(callback_body(&WepayTransaction {
                        transaction_id: format!("{}", 800_000_000 + n),
                        ..victim.clone()
                    })),
                    status: 404,
                    reply: "not found".to_owned(),
                },
                Kind::Malformed => Request {
                    kind,
                    path: good.clone(),
                    // No dest_ref: not a wePAY callback (wepay.md §5 requires it).
                    body: format!("transaction_id={}&status=2", victim.transaction_id).into(),
                    status: 400,
                    reply: "malformed".to_owned(),
                },
                Kind::WrongToken | Kind::First | Kind::Repeat => Request {
                    kind: Kind::WrongToken,
                    path: bad.clone(),
                    body: callback_body(victim).into(),
                    status: 404,
                    reply: String::new(),
                },
            };
            keyed.push((rng.random_range(0..span), keyed.len(), request));
        }
    }
    keyed.sort_by_key(|(position, tie, _)| (*position, *tie));
    keyed.into_iter().map(|(_, _, request)| request).collect()
}

/// What the load generator saw.
#[derive(Debug)]
struct Load {
    elapsed: Duration,
    all: Histogram<u64>,
    by_kind: BTreeMap<Kind, Histogram<u64>>,
    sent: BTreeMap<Kind, u64>,
    wrong_replies: Vec<String>,
}

impl Load {
    fn new() -> Load {
        Load {
            elapsed: Duration::ZERO,
            all: histogram(),
            by_kind: BTreeMap::new(),
            sent: BTreeMap::new(),
            wrong_replies: Vec::new(),
        }
    }

    fn merge(&mut self, other: Load) -> Result<(), String> {
        self.all
            .add(&other.all)
            .map_err(|e| format!("histogram: {e}"))?;
        for (kind, times) in other.by_kind {
            self.by_kind
                .entry(kind)
                .or_insert_with(histogram)
                .add(&times)
                .map_err(|e| format!("histogram: {e}"))?;
        }
        for (kind, count) in other.sent {
            *self.sent.entry(kind).or_default() += count;
        }
        self.wrong_replies.extend(other.wrong_replies);
        Ok(())
    }

    fn genuine(&self) -> u64 {
        self.sent
            .iter()
            .filter(|(kind, _)| kind.genuine())
            .map(|(_, count)| count)
            .sum()
    }

    fn total(&self) -> u64 {
        self.sent.values().sum()
    }
}

/// One keep-alive HTTP/1.1 connection of the load generator.
struct LoadConnection {
    sender: hyper::client::conn::http1::SendRequest<http_body_util::Full<bytes::Bytes>>,
    host: String,
}

impl LoadConnection {
    async fn open(listener: std::net::SocketAddr) -> Result<LoadConnection, String> {
        let stream = tokio::net::TcpStream::connect(listener)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        stream
            .set_nodelay(true)
            .map_err(|e| format!("nodelay: {e}"))?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .map_err(|e| format!("handshake: {e}"))?;
        tokio::spawn(connection);
        Ok(LoadConnection {
            sender,
            host: listener.to_string(),
        })
    }

    /// POSTs `body` to `path`; the reply's status and body.
    async fn post(&mut self, path: &str, body: bytes::Bytes) -> Result<(u16, String), String> {
        use http_body_util::BodyExt;
        let request = hyper::Request::post(path)
            .header(hyper::header::HOST, &self.host)
            .header(
                hyper::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(http_body_util::Full::new(body))
            .map_err(|e| format!("request: {e}"))?;
        self.sender
            .ready()
            .await
            .map_err(|e| format!("connection: {e}"))?;
        let response = self
            .sender
            .send_request(request)
            .await
            .map_err(|e| format!("send: {e}"))?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("reply: {e}"))?
            .to_bytes();
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    }
}

/// Sends every request of `plan` over `connections` keep-alive connections, each worker taking
/// the next request as soon as its previous reply is in (a closed loop, like `wrk`).
async fn hammer(
    plan: Arc<Vec<Request>>,
    connections: usize,
    listener: std::net::SocketAddr,
) -> Result<Load, String> {
    let next = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(tokio::sync::Barrier::new(connections + 1));
    let mut workers = Vec::new();
    for _ in 0..connections {
        let (plan, next, barrier) = (plan.clone(), next.clone(), barrier.clone());
        workers.push(tokio::spawn(async move {
            // Open the connection before the clock starts (the wrong token stores nothing).
            let opened = match LoadConnection::open(listener).await {
                Ok(mut connection) => connection
                    .post(
                        "/callback/wepay/warm-up",
                        bytes::Bytes::from_static(b"warm-up"),
                    )
                    .await
                    .map(|_| connection),
                Err(error) => Err(error),
            };
            barrier.wait().await;
            let mut load = Load::new();
            let mut connection = match opened {
                Ok(connection) => connection,
                Err(error) => {
                    load.wrong_replies.push(format!("warm-up: {error}"));
                    return load;
                }
            };
            loop {
                let index = next.fetch_add(1, Ordering::SeqCst);
                let Some(request) = plan.get(index) else {
                    break;
                };
                let started = Instant::now();
                let reply = connection.post(&request.path, request.body.clone()).await;
                let took = started.elapsed();
                record(&mut load.all, took);
                record(
                    load.by_kind.entry(request.kind).or_insert_with(histogram),
                    took,
                );
                *load.sent.entry(request.kind).or_default() += 1;
                match reply {
                    Ok((status, body))
                        if status == request.status && body.trim() == request.reply => {}
                    Ok((status, body)) => load.wrong_replies.push(format!(
                        "{} request #{index}: got {status} {body:?}, expected {} {:?}",
                        request.kind.name(),
                        request.status,
                        request.reply
                    )),
                    Err(error) => {
                        load.wrong_replies
                            .push(format!("{} request #{index}: {error}", request.kind.name()));
                        // The connection may be gone: a fresh one for the next request.
                        match LoadConnection::open(listener).await {
                            Ok(fresh) => connection = fresh,
                            Err(error) => {
                                load.wrong_replies.push(format!("reconnect: {error}"));
                                break;
                            }
                        }
                    }
                }
            }
            load
        }));
    }
    barrier.wait().await;
    let began = Instant::now();
    let mut load = Load::new();
    for worker in workers {
        load.merge(worker.await.map_err(|e| format!("load worker: {e}"))?)?;
    }
    load.elapsed = began.elapsed();
    Ok(load)
}

/// Places `count` cash sales through the engine; returns their ids.
async fn place(engine: Arc<Engine>, count: usize) -> Result<Vec<String>, String> {
    let next = Arc::new(AtomicUsize::new(0));
    let mut customers = Vec::new();
    for _ in 0..PLACING_CUSTOMERS {
        let (engine, next) = (engine.clone(), next.clone());
        customers.push(tokio::spawn(async move {
            let cashier = Actor::new(ActorKind::Cashier, "cashier-b");
            let mut placed = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::SeqCst);
                if n >= count {
                    return Ok::<_, String>(placed);
                }
                let request = SaleRequest {
                    operator_id: "cashier-b".to_owned(),
                    network: Network::Ais,
                    phone: common::phone(u64::try_from(n).unwrap_or(u64::MAX)),
                    amount: Satang::new(5_000),
                    method: PaymentMethod::Cash,
                };
                let sale = engine
                    .start_sale(&request, &cashier)
                    .await
                    .map_err(|e| format!("start_sale: {e}"))?;
                let sale = engine
                    .confirm_payment(&sale.id, &cashier)
                    .await
                    .map_err(|e| format!("confirm_payment: {e}"))?;
                placed.push(sale.id);
            }
        }));
    }
    let mut placed = Vec::new();
    for customer in customers {
        placed.extend(customer.await.map_err(|e| format!("customer: {e}"))??);
    }
    Ok(placed)
}

/// Every placed sale's top-up that is pending in the ledger with wePAY's id and decided at the
/// simulator; and the sales left out, with why. On a loaded machine an order's reply can miss
/// the scenarios' 400 ms transport timeout: that top-up is `Unknown` (the engine would settle it
/// later with the same key), has no wePAY id in the ledger, and is left out of the load.
fn pending_topups(
    world: &World,
    ledger: &Ledger,
    sales: &[String],
) -> Result<(Vec<Pending>, Vec<String>), String> {
    let mut transactions: BTreeMap<String, WepayTransaction> = world
        .wepay
        .transactions()
        .into_iter()
        .map(|t| (t.dest_ref.clone(), t))
        .collect();
    let mut pending = Vec::new();
    let mut left_out = Vec::new();
    for sale_id in sales {
        let sale = ledger.sale(sale_id).map_err(|e| e.to_string())?;
        let topups = ledger.topups_of(sale_id).map_err(|e| e.to_string())?;
        let [topup] = topups.as_slice() else {
            return Err(format!("sale {sale_id} has {} top-ups", topups.len()));
        };
        if sale.state != SaleState::TopupPending
            || topup.state != TopupState::Pending
            || topup.provider_ref.is_none()
        {
            left_out.push(format!(
                "sale {sale_id} is {} with its top-up {:?} ({})",
                sale.state,
                topup.state,
                topup.detail.as_deref().unwrap_or("")
            ));
            continue;
        }
        let transaction = transactions
            .remove(&topup.reference)
            .ok_or_else(|| format!("wePAY has no order {}", topup.reference))?;
        if topup.provider_ref.as_deref() != Some(transaction.transaction_id.as_str()) {
            return Err(format!("sale {sale_id}: the ledger holds another wePAY id"));
        }
        if transaction.status != WepayStatus::Succeeded {
            return Err(format!("wePAY has not decided {}", topup.reference));
        }
        pending.push(Pending {
            sale_id: sale_id.clone(),
            transaction,
        });
    }
    Ok((pending, left_out))
}

/// Copies a live ledger to `to` (a consistent snapshot, whatever the engine is doing).
fn copy_ledger(from: &Path, to: &Path) -> Result<(), String> {
    let connection = rusqlite::Connection::open(from).map_err(|e| e.to_string())?;
    connection
        .execute("VACUUM INTO ?1", [to.to_string_lossy()])
        .map_err(|e| format!("VACUUM INTO: {e}"))?;
    Ok(())
}

fn main() -> ExitCode {
    match bench(Args::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("callbacks bench: {error}");
            ExitCode::FAILURE
        }
    }
}

/// `Ok(false)`: measured, but a check failed.
fn bench(args: Args) -> Result<bool, String> {
    if args.topups == 0 || args.copies == 0 || args.connections == 0 {
        return Err("--topups, --copies and --connections must be positive".to_owned());
    }
    let load_before = common::load_average();
    let runtimes = Runtimes::new(args.app_workers).map_err(|e| format!("runtimes: {e}"))?;
    let root = match common::memory_scratch() {
        Some(memory) if args.memory => memory,
        _ => common::scratch(),
    };
    let disk = tempfile::tempdir_in(root).map_err(|e| e.to_string())?;

    // 1. Pending top-ups, placed through the real engine on a ledger in memory.
    let world = runtimes
        .sim
        .block_on(World::start(Faults::none()))
        .map_err(|e| format!("simulators: {e}"))?;
    world
        .wepay
        .set_balance("demo", Satang::new(100_000_000_000));
    for _ in 0..args.topups {
        world.wepay.controls().script_fate(Fate {
            outcome: None,
            callback: CallbackPlan::None,
            result_delay_ms: Some(RESULT_DELAY_MS),
        });
    }
    let staging_root: PathBuf = common::memory_scratch().unwrap_or_else(common::scratch);
    let staging = tempfile::tempdir_in(&staging_root).map_err(|e| e.to_string())?;
    let staging_file = staging.path().join("placing.sqlite");
    let placing_began = Instant::now();
    let sales = {
        let ledger = open_ledger(&staging_file).map_err(|e| e.to_string())?;
        let options = EngineOptions {
            wrap_topup: None,
            backoff: Some(default_backoff()),
            ..EngineOptions::default()
        };
        let running = runtimes
            .app
            .block_on(world.engine_with(ledger, Arc::new(NoCrash), &options))
            .map_err(|e| format!("engine: {e}"))?;
        let sales = runtimes
            .app
            .block_on(place(running.engine.clone(), args.topups))?;
        drop(running.stop());
        sales
    };
    // Let the first listener go, and the simulator decide every order.
    let decided_by =
        Instant::now() + Duration::from_millis(RESULT_DELAY_MS) + Duration::from_secs(30);
    loop {
        let undecided = world
            .wepay
            .transactions()
            .iter()
            .filter(|t| t.status == WepayStatus::Processing)
            .count();
        if undecided == 0 {
            break;
        }
        if Instant::now() > decided_by {
            return Err(format!(
                "{undecided} orders still undecided at the simulator"
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let ledger_file = disk.path().join("callbacks.sqlite");
    copy_ledger(&staging_file, &ledger_file)?;
    drop(staging);
    eprintln!(
        "callbacks bench: {} top-ups placed through the engine and pending, in {:.1} s",
        sales.len(),
        placing_began.elapsed().as_secs_f64()
    );

    // 2. The engine and its listener over the ledger on disk; the load.
    let ledger = open_ledger(&ledger_file).map_err(|e| e.to_string())?;
    if ledger.self_check().synchronous != 2 {
        return Err("the ledger is not synchronous=FULL".to_owned());
    }
    let (pending, left_out) = pending_topups(&world, &ledger, &sales)?;
    for sale in left_out.iter().take(5) {
        eprintln!("callbacks bench: left out of the load: {sale}");
    }
    // A few slow replies are the machine's load; many mean something is wrong.
    if left_out.len() * 20 > sales.len() {
        return Err(format!(
            "{} of {} placed top-ups are not pending with a wePAY id",
            left_out.len(),
            sales.len()
        ));
    }
    let time = ProviderTime::new();
    let (wrap_time, io) = (time.clone(), runtimes.io.handle().clone());
    let options = EngineOptions {
        wrap_topup: Some(Arc::new(move |port| {
            TimedTopups::wrap(port, wrap_time.clone(), io.clone())
        })),
        // Production schedules (wePAY's first status query 3 s after acceptance): the sale is
        // completed by the verified callback, as in the shop, not by an early query.
        backoff: Some(default_backoff()),
        ..EngineOptions::default()
    };
    let running = runtimes
        .app
        .block_on(world.engine_with(ledger.clone(), Arc::new(NoCrash), &options))
        .map_err(|e| format!("engine: {e}"))?;
    // The disk's speed drifts (it is shared): probe it just before the load.
    let probe = common::fsync_probe(disk.path(), 200).map_err(|e| format!("fsync probe: {e}"))?;
    eprintln!(
        "callbacks bench: ledger on {} — disk fsync (4 KiB overwrite) p50 {:.2} ms, p99 {:.2} ms; load average {}",
        disk.path().display(),
        common::ms(probe.value_at_quantile(0.5)),
        common::ms(probe.value_at_quantile(0.99)),
        common::load_average().as_deref().unwrap_or("?")
    );
    let requests = Arc::new(plan(&pending, &args));
    eprintln!(
        "callbacks bench: {} requests over {} connections ({} top-ups × {} copies, the rest forged or wrong)",
        requests.len(),
        args.connections,
        pending.len(),
        args.copies
    );
    let commits_before = ledger.group_commits();
    ledger.tally_transactions(true);
    let load = runtimes
        .load
        .block_on(hammer(requests.clone(), args.connections, world.listen))?;
    let genuine_per_second = common::per_second(load.genuine(), load.elapsed);
    let all_per_second = common::per_second(load.total(), load.elapsed);
    eprintln!(
        "callbacks: {} genuine of {} requests in {:.2} s = {:.0} verified or deduplicated callbacks/s ({:.0} requests/s)",
        load.genuine(),
        load.total(),
        load.elapsed.as_secs_f64(),
        genuine_per_second,
        all_per_second
    );
    eprintln!("  every request    {}", line(&load.all));
    for (kind, times) in &load.by_kind {
        eprintln!("  {:<16} {}", kind.name(), line(times));
    }
    let pulls = time.calls("verify");
    eprintln!("  get_output pull  {}", line(&pulls));
    // Which durable transactions the load cost, by name (a stored callback alone, a verdict, a
    // settlement, or several merged into one).
    let transactions = ledger.transaction_tally();
    ledger.tally_transactions(false);
    let stored = load.total() - load.sent.get(&Kind::WrongToken).copied().unwrap_or(0);
    common::print_transactions(&transactions, stored, "stored callback");

    // 3. The checks.
    let mut problems: Vec<String> = load.wrong_replies.iter().take(10).cloned().collect();
    if !load.wrong_replies.is_empty() {
        problems.push(format!("{} wrong replies in all", load.wrong_replies.len()));
    }
    let mut applied_events = 0usize;
    for topup in &pending {
        let sale = ledger.sale(&topup.sale_id).map_err(|e| e.to_string())?;
        let succeeded = ledger
            .events_of(&topup.sale_id)
            .map_err(|e| e.to_string())?
            .iter()
            .filter(|e| e.kind == "topup_succeeded")
            .count();
        applied_events += succeeded;
        if sale.state != SaleState::Completed || sale.delivered != sale.amount || succeeded != 1 {
            problems.push(format!(
                "sale {} is {} with {} delivered and {succeeded} topup_succeeded events",
                sale.id, sale.state, sale.delivered
            ));
        }
    }
    let mut verdicts: BTreeMap<String, u64> = BTreeMap::new();
    for callback in ledger.all_callbacks().map_err(|e| e.to_string())? {
        *verdicts
            .entry(callback.verdict.unwrap_or_else(|| "unhandled".to_owned()))
            .or_default() += 1;
    }
    let sent = |kind: Kind| load.sent.get(&kind).copied().unwrap_or(0);
    let expected: BTreeMap<String, u64> = [
        ("applied", sent(Kind::First)),
        ("duplicate", sent(Kind::Repeat)),
        (
            "unknown_order",
            sent(Kind::UnknownOrder) + sent(Kind::Forged),
        ),
        ("malformed", sent(Kind::Malformed)),
    ]
    .into_iter()
    .filter(|(_, count)| *count > 0)
    .map(|(verdict, count)| (verdict.to_owned(), count))
    .collect();
    if verdicts != expected {
        problems.push(format!(
            "callbacks table verdicts {verdicts:?}, expected {expected:?}"
        ));
    }
    if pulls.len() != u64::try_from(pending.len()).unwrap_or(0) {
        problems.push(format!(
            "{} get_output pulls for {} top-ups (one each expected)",
            pulls.len(),
            pending.len()
        ));
    }
    // The sales left out are still open on purpose: only then is "open" not a violation.
    let tally = check::tally(&world, &ledger, left_out.is_empty()).map_err(|e| e.to_string())?;
    problems.extend(tally.violations.iter().take(10).cloned());
    if tally.topped_up != pending.len() {
        problems.push(format!(
            "{} sales topped up, {} placed",
            tally.topped_up,
            pending.len()
        ));
    }
    // Durable transactions the load cost and the group commits (fsyncs) that carried them.
    let after = ledger.group_commits();
    let transactions_count = after.transactions - commits_before.transactions;
    let commits = after.groups - commits_before.groups;
    let per_commit_ms =
        common::ms(u64::try_from(load.elapsed.as_micros()).unwrap_or(u64::MAX) / commits.max(1));
    eprintln!(
        "callbacks bench: {transactions_count} ledger transactions in {commits} group commits in {:.2} s: {per_commit_ms:.2} ms per commit",
        load.elapsed.as_secs_f64()
    );
    eprintln!(
        "callbacks bench: ledger check: {} top-ups completed once each ({} topup_succeeded events), verdicts {verdicts:?}, {} problems",
        tally.topped_up,
        applied_events,
        problems.len()
    );
    for problem in &problems {
        eprintln!("callbacks bench: PROBLEM {problem}");
    }
    drop(running);

    let ok = problems.is_empty();
    let report = serde_json::json!({
        "bench": "callbacks",
        "ok": ok,
        "machine": {
            "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            "app_workers": args.app_workers,
            "load_before": load_before,
            "load_after": common::load_average(),
        },
        "fsync": summary(&probe),
        "ledger_in_memory": args.memory,
        "topups": pending.len(),
        "left_out": left_out.len(),
        "copies": args.copies,
        "connections": args.connections,
        "requests": load.total(),
        "genuine": load.genuine(),
        "seconds": load.elapsed.as_secs_f64(),
        "per_second": genuine_per_second.round(),
        "requests_per_second": all_per_second.round(),
        "latency": summary(&load.all),
        "by_kind": load
            .by_kind
            .iter()
            .map(|(kind, times)| (kind.name().to_owned(), summary(times)))
            .collect::<serde_json::Map<_, _>>(),
        "pull": summary(&pulls),
        "ledger_transactions": transactions_count,
        "transactions_per_stored_callback": common::transactions_json(&transactions, stored),
        "ledger_commits": commits,
        "ms_per_commit": per_commit_ms,
        "verdicts": verdicts,
        "problems": problems,
    });
    println!("{report}");
    Ok(ok)
}
