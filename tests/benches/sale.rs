//! Issue 5: the app's own time on a whole sale, and complete sales per second on one ledger.
//!
//! The real [`Engine`] over a real file ledger (WAL, `synchronous=FULL`, on the target
//! directory's disk) with the real wePAY client against the wePAY simulator on 127.0.0.1
//! ([`World`]), its callback listener included. One sale is what a cashier does: start a cash
//! sale of 50 baht of AIS credit, confirm the cash, and wait until the sale is `Completed` —
//! which happens when wePAY's result callback comes in and is verified by a `get_output` pull.
//!
//! **App overhead.** The simulator decides each order at once (a scripted zero result delay, so
//! the provider's deliberate "the real service takes seconds" wait is not counted) and runs on a
//! runtime of its own. Every call to the provider (the order, the verifying pull, any status
//! query) is timed by a wrapper around the top-up port ([`common::TimedTopups`]); app overhead
//! is the sale's wall time minus that provider time. What stays in it: the ledger's durable
//! transactions (each with its fsync; the run prints them by name, per sale), the engine's reads, the callback's
//! trip over loopback and through our listener. Measured one customer at a time; target p99 ≤
//! 20 ms.
//!
//! **Throughput.** The same sale by 1, 8 and 32 concurrent customers on one ledger for a fixed
//! time; complete sales per second; target ≥ 200/s. Concurrency is what a group commit in the
//! ledger (several transactions under one fsync) will speed up.
//!
//! **Why it is slow, when it is.** The disk's fsync latency is probed first, and (unless
//! `--no-memory`) the latency run is repeated on a ledger in `/dev/shm`, where an fsync costs
//! nothing: the difference is the disk's share.
//!
//! Prints a human table on stderr and one JSON line on stdout (read by `cargo xtask bench`);
//! exits 1 when a sale fails or a money invariant breaks (not when a target is missed: that is
//! for xtask to judge).

mod common;

use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use hdrhistogram::Histogram;
use termdee_app::engine::routing::default_backoff;
use termdee_app::engine::{Engine, EngineEvent, NoCrash, SaleRequest};
use termdee_domain::{Actor, ActorKind, Network, PaymentMethod, SaleState, Satang};
use termdee_ledger::GroupCommits;
use termdee_scenarios::{check, open_ledger, EngineOptions, Faults, Running, World};
use termdee_sim::{CallbackPlan, Fate};
use tokio::sync::broadcast::{self, error::RecvError};

use common::{histogram, line, record, summary, ProviderTime, Runtimes, TimedTopups};

/// The app's own time on a whole sale, and complete sales per second.
#[derive(Debug, Parser)]
struct Args {
    /// Sales in the one-customer latency run (at most).
    #[arg(long, default_value_t = 2000)]
    sales: u64,
    /// Longest the one-customer latency run may take, in seconds.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// Concurrent customers of the throughput runs (the latency run is the one-customer run).
    #[arg(long, value_delimiter = ',', default_values_t = [8_usize, 32])]
    customers: Vec<usize>,
    /// How long each throughput run lasts, in seconds.
    #[arg(long, default_value_t = 15)]
    throughput_seconds: u64,
    /// Sales of the in-memory comparison run (0 skips it).
    #[arg(long, default_value_t = 500)]
    memory_sales: u64,
    /// Sales made before measuring (connections, SQLite's page cache).
    #[arg(long, default_value_t = 30)]
    warm_up: u64,
    /// Worker threads of the engine's runtime (default: one per core, like the app's). The
    /// ledger blocks a worker for each commit, so this bounds how many commits can be in flight.
    #[arg(long)]
    app_workers: Option<usize>,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

/// Most sales a throughput run may make, whatever its time (bounds the scripted fates).
const MAX_THROUGHPUT_SALES: u64 = 40_000;
/// Longest a sale may take before the bench calls it failed.
const SALE_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a sale waits for its callback before driving it as the app's poller would.
const POLLER_AFTER: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy)]
struct Phase {
    customers: usize,
    max_sales: u64,
    max_time: Duration,
}

/// What one sale took.
#[derive(Debug, Clone, Copy)]
struct SaleTiming {
    start: Duration,
    confirm: Duration,
    wait: Duration,
    total: Duration,
    provider: Duration,
    polled: bool,
}

/// The histograms of a run.
#[derive(Debug)]
struct Run {
    customers: usize,
    completed: u64,
    polled: u64,
    elapsed: Duration,
    total: Histogram<u64>,
    app: Histogram<u64>,
    provider: Histogram<u64>,
    start: Histogram<u64>,
    confirm: Histogram<u64>,
    wait: Histogram<u64>,
    /// The disk's fsync latency just before the run (the disk is shared and its speed drifts).
    fsync: Option<Histogram<u64>>,
    // Ledger transactions in the run and the group commits (fsyncs) that made them durable.
    commits: GroupCommits,
    failures: Vec<String>,
}

impl Run {
    fn new(customers: usize) -> Run {
        Run {
            customers,
            completed: 0,
            polled: 0,
            elapsed: Duration::ZERO,
            total: histogram(),
            app: histogram(),
            provider: histogram(),
            start: histogram(),
            confirm: histogram(),
            wait: histogram(),
            fsync: None,
            commits: GroupCommits::default(),
            failures: Vec::new(),
        }
    }

    fn add(&mut self, timing: SaleTiming) {
        self.completed += 1;
        self.polled += u64::from(timing.polled);
        record(&mut self.total, timing.total);
        record(&mut self.app, timing.total.saturating_sub(timing.provider));
        record(&mut self.provider, timing.provider);
        record(&mut self.start, timing.start);
        record(&mut self.confirm, timing.confirm);
        record(&mut self.wait, timing.wait);
    }

    fn merge(&mut self, other: Run) -> Result<(), String> {
        self.completed += other.completed;
        self.polled += other.polled;
        for (mine, theirs) in [
            (&mut self.total, &other.total),
            (&mut self.app, &other.app),
            (&mut self.provider, &other.provider),
            (&mut self.start, &other.start),
            (&mut self.confirm, &other.confirm),
            (&mut self.wait, &other.wait),
        ] {
            mine.add(theirs).map_err(|e| format!("histogram: {e}"))?;
        }
        self.failures.extend(other.failures);
        Ok(())
    }

    fn per_second(&self) -> f64 {
        common::per_second(self.completed, self.elapsed)
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "customers": self.customers,
            "sales": self.completed,
            "seconds": self.elapsed.as_secs_f64(),
            "per_second": self.per_second().round(),
            "completed_by_poller": self.polled,
            "failures": self.failures.len(),
            "total": summary(&self.total),
            "app_overhead": summary(&self.app),
            "provider": summary(&self.provider),
            "start_sale": summary(&self.start),
            "confirm_payment": summary(&self.confirm),
            "callback_wait": summary(&self.wait),
            "fsync_before": self.fsync.as_ref().map(summary),
            "ledger_transactions": self.commits.transactions,
            "ledger_commits": self.commits.groups,
        })
    }

    fn print(&self, title: &str) {
        eprintln!(
            "{title}: {} sales in {:.1} s = {:.0} sales/s{}{}",
            self.completed,
            self.elapsed.as_secs_f64(),
            self.per_second(),
            if self.polled > 0 {
                format!(" ({} completed by the poller)", self.polled)
            } else {
                String::new()
            },
            self.fsync
                .as_ref()
                .map(|probe| format!("; {}", fsync_line(probe)))
                .unwrap_or_default()
        );
        eprintln!("  whole sale       {}", line(&self.total));
        eprintln!("  app overhead     {}", line(&self.app));
        eprintln!("  provider calls   {}", line(&self.provider));
        eprintln!("  start_sale       {}", line(&self.start));
        eprintln!("  confirm_payment  {}", line(&self.confirm));
        eprintln!("  callback wait    {}", line(&self.wait));
        eprintln!(
            "  ledger           {} transactions in {} group commits",
            self.commits.transactions, self.commits.groups
        );
        for failure in self.failures.iter().take(5) {
            eprintln!("  FAILED: {failure}");
        }
    }
}

/// A started simulator world and engine, over a ledger in `folder`.
struct Shop {
    world: World,
    running: Running,
    time: Arc<ProviderTime>,
    _folder: tempfile::TempDir,
}

fn open_shop(runtimes: &Runtimes, folder: &Path, fates: u64) -> Result<Shop, String> {
    let world = runtimes
        .sim
        .block_on(World::start(Faults::none()))
        .map_err(|e| format!("simulators: {e}"))?;
    // Enough credit for every sale of the run.
    world
        .wepay
        .set_balance("demo", Satang::new(100_000_000_000));
    for _ in 0..fates {
        world.wepay.controls().script_fate(Fate {
            outcome: None,
            callback: CallbackPlan::Normal,
            // The result (and its callback) at once: the provider's own wait is not ours.
            result_delay_ms: Some(0),
        });
    }
    let folder = tempfile::tempdir_in(folder).map_err(|e| format!("scratch folder: {e}"))?;
    let ledger =
        open_ledger(&folder.path().join("sales.sqlite")).map_err(|e| format!("ledger: {e}"))?;
    if ledger.self_check().synchronous != 2 {
        return Err("the ledger is not synchronous=FULL".to_owned());
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
        .block_on(world.engine_with(ledger, Arc::new(NoCrash), &options))
        .map_err(|e| format!("engine: {e}"))?;
    Ok(Shop {
        world,
        running,
        time,
        _folder: folder,
    })
}

/// One cashier's sale: start, confirm cash, wait for `Completed`.
async fn one_sale(
    engine: &Engine,
    time: &ProviderTime,
    phone: String,
    events: &mut broadcast::Receiver<EngineEvent>,
) -> Result<SaleTiming, String> {
    let cashier = Actor::new(ActorKind::Cashier, "cashier-a");
    let request = SaleRequest {
        operator_id: "cashier-a".to_owned(),
        network: Network::Ais,
        phone,
        amount: Satang::new(5_000),
        method: PaymentMethod::Cash,
    };
    let began = Instant::now();
    let sale = engine
        .start_sale(&request, &cashier)
        .await
        .map_err(|e| format!("start_sale: {e}"))?;
    let started = Instant::now();
    let confirmed = engine
        .confirm_payment(&sale.id, &cashier)
        .await
        .map_err(|e| format!("confirm_payment of {}: {e}", sale.id))?;
    let after_confirm = Instant::now();
    let polled = if confirmed.state == SaleState::Completed {
        false
    } else {
        wait_completed(engine, &sale.id, events).await?
    };
    let done = Instant::now();
    Ok(SaleTiming {
        start: started - began,
        confirm: after_confirm - started,
        wait: done - after_confirm,
        total: done - began,
        provider: time.take_sale(&sale.id),
        polled,
    })
}

/// Waits for the sale's `Completed` event. Returns whether the poller had to drive it (no
/// callback within [`POLLER_AFTER`]).
async fn wait_completed(
    engine: &Engine,
    sale_id: &str,
    events: &mut broadcast::Receiver<EngineEvent>,
) -> Result<bool, String> {
    let deadline = Instant::now() + SALE_TIMEOUT;
    let mut polled = false;
    loop {
        let state = match tokio::time::timeout(POLLER_AFTER, events.recv()).await {
            Ok(Ok(event)) if event.sale_id == sale_id => Some(event.state),
            Ok(Ok(_)) => None,
            Ok(Err(RecvError::Lagged(_))) => Some(ledger_state(engine, sale_id)?),
            Ok(Err(RecvError::Closed)) => return Err("the engine's events closed".to_owned()),
            Err(_) => {
                // No word for a while: drive it as the app's timer would.
                polled = true;
                engine
                    .drive(sale_id)
                    .await
                    .map_err(|e| format!("drive {sale_id}: {e}"))?;
                Some(ledger_state(engine, sale_id)?)
            }
        };
        match state {
            Some(SaleState::Completed) => return Ok(polled),
            Some(
                SaleState::TopupPending
                | SaleState::Paid
                | SaleState::AwaitingPayment
                | SaleState::NeedsAttention,
            )
            | None => {}
            Some(other) => return Err(format!("sale {sale_id} ended {other}")),
        }
        if Instant::now() > deadline {
            return Err(format!(
                "sale {sale_id} not completed after {SALE_TIMEOUT:?} (still {})",
                ledger_state(engine, sale_id)?
            ));
        }
    }
}

fn ledger_state(engine: &Engine, sale_id: &str) -> Result<SaleState, String> {
    engine
        .ledger()
        .sale(sale_id)
        .map(|s| s.state)
        .map_err(|e| format!("ledger: {e}"))
}

/// Runs `phase.customers` customers, each selling one sale after another, until the phase's
/// sales or time are used up.
async fn run_phase(
    engine: Arc<Engine>,
    time: Arc<ProviderTime>,
    phones: Arc<AtomicU64>,
    phase: Phase,
) -> Result<Run, String> {
    let taken = Arc::new(AtomicU64::new(0));
    let commits_before = engine.ledger().group_commits();
    let began = Instant::now();
    let deadline = began + phase.max_time;
    let mut customers = Vec::new();
    for _ in 0..phase.customers {
        let (engine, time, phones, taken) =
            (engine.clone(), time.clone(), phones.clone(), taken.clone());
        customers.push(tokio::spawn(async move {
            let mut run = Run::new(1);
            let mut events = engine.subscribe();
            while Instant::now() < deadline
                && taken.fetch_add(1, Ordering::SeqCst) < phase.max_sales
            {
                let phone = common::phone(phones.fetch_add(1, Ordering::SeqCst));
                match one_sale(&engine, &time, phone, &mut events).await {
                    Ok(timing) => run.add(timing),
                    Err(failure) => run.failures.push(failure),
                }
            }
            run
        }));
    }
    let mut run = Run::new(phase.customers);
    for customer in customers {
        let customer = customer.await.map_err(|e| format!("customer task: {e}"))?;
        run.merge(customer)?;
    }
    run.elapsed = began.elapsed();
    let commits = engine.ledger().group_commits();
    run.commits = GroupCommits {
        groups: commits.groups - commits_before.groups,
        transactions: commits.transactions - commits_before.transactions,
    };
    Ok(run)
}

/// A short fsync probe of the ledger's disk, taken before each run.
fn probe_disk(folder: &Path) -> Result<Histogram<u64>, String> {
    common::fsync_probe(folder, 100).map_err(|e| format!("fsync probe: {e}"))
}

fn fsync_line(probe: &Histogram<u64>) -> String {
    format!(
        "disk fsync (4 KiB): p50 {:.2} ms, p99 {:.2} ms",
        common::ms(probe.value_at_quantile(0.5)),
        common::ms(probe.value_at_quantile(0.99))
    )
}

fn main() -> ExitCode {
    match bench(Args::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("sale bench: {error}");
            ExitCode::FAILURE
        }
    }
}

/// `Ok(false)`: the measurements are printed but a sale failed or an invariant broke.
fn bench(args: Args) -> Result<bool, String> {
    let load_before = common::load_average();
    let runtimes = Runtimes::new(args.app_workers).map_err(|e| format!("runtimes: {e}"))?;
    let disk = common::scratch();
    let probe = common::fsync_probe(&disk, 200).map_err(|e| format!("fsync probe: {e}"))?;
    eprintln!(
        "sale bench: ledger on {} — {}; load average {}",
        disk.display(),
        fsync_line(&probe),
        load_before.as_deref().unwrap_or("?")
    );

    let throughput_phases: Vec<Phase> = args
        .customers
        .iter()
        .map(|&customers| Phase {
            customers,
            max_sales: MAX_THROUGHPUT_SALES,
            max_time: Duration::from_secs(args.throughput_seconds),
        })
        .collect();
    let fates = args.warm_up
        + args.sales
        + MAX_THROUGHPUT_SALES * u64::try_from(throughput_phases.len()).unwrap_or(0)
        // A customer may start one sale past the count while others finish theirs.
        + 64;
    let shop = open_shop(&runtimes, &disk, fates)?;
    let engine = shop.running.engine.clone();
    let phones = Arc::new(AtomicU64::new(0));

    let warm_up = Phase {
        customers: 1,
        max_sales: args.warm_up,
        max_time: Duration::from_secs(60),
    };
    let warm = runtimes.app.block_on(run_phase(
        engine.clone(),
        shop.time.clone(),
        phones.clone(),
        warm_up,
    ))?;
    let mut failures = warm.failures.clone();
    shop.time.reset_calls();

    let latency_phase = Phase {
        customers: 1,
        max_sales: args.sales,
        max_time: Duration::from_secs(args.seconds),
    };
    let fsync = probe_disk(&disk)?;
    // Which durable transactions one sale costs: tallied by name over the one-customer run.
    engine.ledger().tally_transactions(true);
    let mut latency = runtimes.app.block_on(run_phase(
        engine.clone(),
        shop.time.clone(),
        phones.clone(),
        latency_phase,
    ))?;
    let transactions = engine.ledger().transaction_tally();
    engine.ledger().tally_transactions(false);
    latency.fsync = Some(fsync);
    latency.print("one customer (latency)");
    common::print_transactions(&transactions, latency.completed, "sale");
    let order_calls = shop.time.calls("order");
    let verify_calls = shop.time.calls("verify");
    let query_calls = shop.time.calls("query");
    eprintln!("  wePAY order      {}", line(&order_calls));
    eprintln!("  get_output pull  {}", line(&verify_calls));
    failures.extend(latency.failures.iter().cloned());

    let mut throughput = Vec::new();
    for phase in throughput_phases {
        let fsync = probe_disk(&disk)?;
        let mut run = runtimes.app.block_on(run_phase(
            engine.clone(),
            shop.time.clone(),
            phones.clone(),
            phase,
        ))?;
        run.fsync = Some(fsync);
        run.print(&format!("{} concurrent customers", phase.customers));
        failures.extend(run.failures.iter().cloned());
        throughput.push(run);
    }

    // Every sale completed, delivered once, and the books agree.
    let tally = check::tally(&shop.world, engine.ledger(), true).map_err(|e| e.to_string())?;
    let sold =
        warm.completed + latency.completed + throughput.iter().map(|r| r.completed).sum::<u64>();
    let mut ok = failures.is_empty() && tally.violations.is_empty();
    if u64::try_from(tally.topped_up).unwrap_or(0) != sold {
        ok = false;
        eprintln!(
            "sale bench: {} sales completed by the customers but the ledger has {} topped up",
            sold, tally.topped_up
        );
    }
    for violation in tally.violations.iter().take(10) {
        eprintln!("sale bench: VIOLATION {violation}");
    }
    eprintln!(
        "sale bench: ledger check: {} sales, {} topped up, {} violations, {} failed sales",
        tally.sales,
        tally.topped_up,
        tally.violations.len(),
        failures.len()
    );
    drop(shop);

    // The same latency run with the ledger in memory: what is left when an fsync is free.
    let memory = match common::memory_scratch() {
        Some(folder) if args.memory_sales > 0 => {
            let shop = open_shop(&runtimes, &folder, args.memory_sales + args.warm_up + 64)?;
            let engine = shop.running.engine.clone();
            let warm_up = Phase {
                customers: 1,
                max_sales: args.warm_up,
                max_time: Duration::from_secs(60),
            };
            let warm = runtimes.app.block_on(run_phase(
                engine.clone(),
                shop.time.clone(),
                phones.clone(),
                warm_up,
            ))?;
            let run = runtimes.app.block_on(run_phase(
                engine,
                shop.time.clone(),
                phones.clone(),
                Phase {
                    customers: 1,
                    max_sales: args.memory_sales,
                    max_time: Duration::from_secs(args.seconds),
                },
            ))?;
            run.print("one customer, ledger in /dev/shm (no fsync cost)");
            if !warm.failures.is_empty() || !run.failures.is_empty() {
                ok = false;
            }
            drop(shop);
            Some(run)
        }
        _ => None,
    };

    let load_after = common::load_average();
    let report = serde_json::json!({
        "bench": "sale",
        "ok": ok,
        "machine": {
            "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            "app_workers": args.app_workers,
            "load_before": load_before,
            "load_after": load_after,
        },
        "fsync": summary(&probe),
        "latency": latency.json(),
        "transactions_per_sale": common::transactions_json(&transactions, latency.completed),
        "provider_calls": {
            "order": summary(&order_calls),
            "verify": summary(&verify_calls),
            "query": summary(&query_calls),
        },
        "throughput": std::iter::once(&latency).chain(throughput.iter()).map(Run::json).collect::<Vec<_>>(),
        "memory_ledger": memory.as_ref().map(Run::json),
        "ledger_check": {
            "sales": tally.sales,
            "topped_up": tally.topped_up,
            "violations": tally.violations.len(),
            "failed_sales": failures.len(),
        },
    });
    println!("{report}");
    Ok(ok)
}
