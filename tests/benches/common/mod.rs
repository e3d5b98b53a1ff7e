//! What the two end-to-end benchmarks share: the runtimes, the clock on the provider calls, the
//! latency histograms, the disk probe and the JSON they print for `cargo xtask bench`.
//!
//! Timings are wall-clock `Instant`s recorded in microseconds into HDR histograms (3 significant
//! digits), so p50/p99/max are read from the whole distribution, not estimated from a mean.
//! Floats appear only on timings and rates, never on money.

// Each bench binary uses its own part of this module.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use hdrhistogram::Histogram;
use termdee_app::engine::ports::TopupCallbackClaim;
use termdee_app::engine::{Resend, TopupCall, TopupPort};
use termdee_domain::Network;
use termdee_ledger::TransactionTally;
use termdee_providers::{
    Balance, CallbackReply, CatalogueEntry, NetworkAvailability, ProviderError, TopupOutcome,
    TopupStatus, Verification,
};

/// Prints the durable transactions a run committed, by name, each per `unit` (a sale, a
/// callback) over `units`: which ledger writes the run cost, and which were merged (`a + b`).
pub fn print_transactions(tally: &TransactionTally, units: u64, unit: &str) {
    eprintln!(
        "  durable transactions: {} in all, {:.2} per {unit}",
        tally.total(),
        ratio(tally.total(), units)
    );
    for (name, count) in &tally.counts {
        eprintln!(
            "    {:>6.2} per {unit}  {name}  ({count})",
            ratio(*count, units)
        );
    }
}

/// The same, for the JSON line: `{ name: count }` and the total per unit.
#[allow(clippy::float_arithmetic)]
pub fn transactions_json(tally: &TransactionTally, units: u64) -> serde_json::Value {
    serde_json::json!({
        "total": tally.total(),
        "per_unit": (ratio(tally.total(), units) * 100.0).round() / 100.0,
        "by_name": tally
            .counts
            .iter()
            .map(|(name, count)| (name.clone(), serde_json::json!(count)))
            .collect::<serde_json::Map<_, _>>(),
    })
}

/// Counts per unit, for printing (float arithmetic on counts, never on money).
#[allow(clippy::float_arithmetic)]
fn ratio(count: u64, units: u64) -> f64 {
    count as f64 / units.max(1) as f64
}

/// The three runtimes of a benchmark.
///
/// The ledger's calls are synchronous (a mutex around one SQLite connection, an fsync per
/// commit) and the engine makes them on its runtime's worker threads, so a commit blocks that
/// worker. The simulators (the "providers") and the load generator run on runtimes of their
/// own, so that a blocked engine worker shows up as engine time and does not also stall the
/// other side of the wire. All of them still share the machine's cores.
pub struct Runtimes {
    /// The simulators.
    pub sim: tokio::runtime::Runtime,
    /// The engine and its callback listener, configured like the app's (one worker per core).
    pub app: tokio::runtime::Runtime,
    /// The customers or the load generator.
    pub load: tokio::runtime::Runtime,
    /// The engine's provider calls, when timed ([`TimedTopups`]).
    pub io: tokio::runtime::Runtime,
}

impl Runtimes {
    /// Builds the three runtimes; `app_workers` overrides the engine's worker threads (default:
    /// one per core, as the app's runtime has).
    pub fn new(app_workers: Option<usize>) -> std::io::Result<Runtimes> {
        let build = |name: &str, workers: Option<usize>| {
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            builder.enable_all().thread_name(name);
            if let Some(workers) = workers {
                builder.worker_threads(workers);
            }
            builder.build()
        };
        Ok(Runtimes {
            sim: build("sim", Some(2))?,
            app: build("app", app_workers)?,
            load: build("load", Some(2))?,
            io: build("provider-io", Some(1))?,
        })
    }
}

/// Where the benchmark ledgers go: the target directory's scratch folder (a real disk, so the
/// fsyncs are what they are), else the system's temporary folder.
pub fn scratch() -> PathBuf {
    option_env!("CARGO_TARGET_TMPDIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
}

/// A folder in memory (no fsync cost), for the "what is left without the disk" comparison.
pub fn memory_scratch() -> Option<PathBuf> {
    let shm = Path::new("/dev/shm");
    shm.is_dir().then(|| shm.to_path_buf())
}

/// A latency histogram in microseconds, from 1 µs to 10 minutes.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 600_000_000, 3).expect("constant, valid bounds")
}

/// Records one duration (saturating at the histogram's top).
pub fn record(histogram: &mut Histogram<u64>, took: Duration) {
    let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX).max(1);
    histogram.saturating_record(micros);
}

/// Milliseconds from microseconds, for printing.
#[allow(clippy::float_arithmetic)]
pub fn ms(micros: u64) -> f64 {
    // Timings only: precision to the microsecond is plenty.
    micros as f64 / 1000.0
}

/// Events per second. Float arithmetic on timings, never on money.
#[allow(clippy::float_arithmetic)]
pub fn per_second(count: u64, elapsed: Duration) -> f64 {
    let seconds = elapsed.as_secs_f64();
    if seconds > 0.0 {
        count as f64 / seconds
    } else {
        0.0
    }
}

/// p50 / p99 / max (and count and mean) of a histogram, as JSON, in milliseconds.
#[allow(clippy::float_arithmetic)]
pub fn summary(histogram: &Histogram<u64>) -> serde_json::Value {
    serde_json::json!({
        "count": histogram.len(),
        "mean_ms": round3(histogram.mean() / 1000.0),
        "p50_ms": round3(ms(histogram.value_at_quantile(0.50))),
        "p90_ms": round3(ms(histogram.value_at_quantile(0.90))),
        "p99_ms": round3(ms(histogram.value_at_quantile(0.99))),
        "max_ms": round3(ms(histogram.max())),
    })
}

/// One line for the human table: `p50 1.23 ms  p99 4.56 ms  max 7.89 ms  (n=1000)`.
pub fn line(histogram: &Histogram<u64>) -> String {
    format!(
        "p50 {:>8.2} ms   p99 {:>8.2} ms   max {:>8.2} ms   (n={})",
        ms(histogram.value_at_quantile(0.50)),
        ms(histogram.value_at_quantile(0.99)),
        ms(histogram.max()),
        histogram.len()
    )
}

#[allow(clippy::float_arithmetic)]
fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

/// How long the disk under `folder` takes to make a small write durable: a 4 KiB block of a
/// 256 KiB file overwritten in place and `fsync`ed, `rounds` times. That is what SQLite does per
/// commit in WAL mode with `synchronous=FULL` (the WAL's pages are reused after each checkpoint,
/// and the bundled SQLite calls `fsync`, not `fdatasync`), so it is the floor under every ledger
/// transaction.
pub fn fsync_probe(folder: &Path, rounds: usize) -> std::io::Result<Histogram<u64>> {
    use std::io::{Seek, SeekFrom};
    const BLOCKS: u64 = 64;
    let path = folder.join(format!("termdee-fsync-probe-{}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&path)?;
        let block = [0x5a_u8; 4096];
        for _ in 0..BLOCKS {
            file.write_all(&block)?;
        }
        file.sync_all()?;
        let mut times = histogram();
        for round in 0..rounds {
            let started = Instant::now();
            let at = u64::try_from(round).unwrap_or(0) % BLOCKS * 4096;
            file.seek(SeekFrom::Start(at))?;
            file.write_all(&block)?;
            file.sync_all()?;
            record(&mut times, started.elapsed());
        }
        Ok::<_, std::io::Error>(times)
    })();
    let _ = std::fs::remove_file(&path);
    result
}

/// The machine's load average over the last minute (Linux), to print beside the figures.
pub fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    Some(
        text.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// The time our engine spent waiting on the top-up provider, per sale and per kind of call.
#[derive(Debug)]
pub struct ProviderTime {
    /// Sale id → time inside provider calls made for it.
    per_sale: Mutex<HashMap<String, Duration>>,
    /// wePAY `transaction_id` → sale id, for status queries (they name only the provider id).
    sale_of_provider_ref: Mutex<HashMap<String, String>>,
    /// Call kind → latencies.
    calls: Mutex<HashMap<&'static str, Histogram<u64>>>,
}

impl ProviderTime {
    /// Nothing recorded yet.
    pub fn new() -> Arc<ProviderTime> {
        Arc::new(ProviderTime {
            per_sale: Mutex::new(HashMap::new()),
            sale_of_provider_ref: Mutex::new(HashMap::new()),
            calls: Mutex::new(HashMap::new()),
        })
    }

    fn add(&self, sale: Option<String>, kind: &'static str, took: Duration) {
        if let Some(sale) = sale {
            *self
                .per_sale
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(sale)
                .or_default() += took;
        }
        record(
            self.calls
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(kind)
                .or_insert_with(histogram),
            took,
        );
    }

    /// The provider time of a finished sale (and forgets it).
    pub fn take_sale(&self, sale: &str) -> Duration {
        self.per_sale
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(sale)
            .unwrap_or_default()
    }

    /// The latencies of one kind of call (`order`, `query`, `verify`).
    pub fn calls(&self, kind: &str) -> Histogram<u64> {
        self.calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(kind)
            .cloned()
            .unwrap_or_else(histogram)
    }

    /// Forgets the latencies recorded so far (between phases).
    pub fn reset_calls(&self) {
        self.calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

/// The sale of a top-up key `<sale>T<attempt>` (engine::topup_reference).
fn sale_of_reference(reference: &str) -> Option<String> {
    reference.rsplit_once('T').map(|(sale, _)| sale.to_owned())
}

/// A top-up port that times every call to the provider it wraps: what "app overhead" leaves
/// out. Everything else passes straight through.
///
/// The calls run on a runtime of their own ([`Runtimes::io`]) and are timed there: on the
/// engine's runtime, a reply that has arrived waits for a worker that is not blocked in a
/// ledger fsync, and that wait is the app's, not the provider's. So the provider time here is
/// the loopback exchange and the simulator's work, and any wait for an engine worker stays in
/// the app overhead.
#[derive(Debug)]
pub struct TimedTopups {
    inner: Arc<dyn TopupPort>,
    time: Arc<ProviderTime>,
    io: tokio::runtime::Handle,
}

impl TimedTopups {
    /// Wraps `inner`; its calls run on `io`.
    pub fn wrap(
        inner: Arc<dyn TopupPort>,
        time: Arc<ProviderTime>,
        io: tokio::runtime::Handle,
    ) -> Arc<dyn TopupPort> {
        Arc::new(TimedTopups { inner, time, io })
    }

    /// Runs `call` on the I/O runtime and returns its value and how long it took there.
    fn on_io<T: Send + 'static>(
        &self,
        call: impl std::future::Future<Output = T> + Send + 'static,
    ) -> impl std::future::Future<Output = (T, Duration)> + Send + 'static {
        let task = self.io.spawn(async move {
            let started = Instant::now();
            let value = call.await;
            (value, started.elapsed())
        });
        async move {
            match task.await {
                Ok(done) => done,
                // A panic in a provider call is a bug to see, not an outcome to invent.
                Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
                Err(error) => panic!("a provider call was cancelled: {error}"),
            }
        }
    }
}

impl TopupPort for TimedTopups {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn resend(&self) -> Resend {
        self.inner.resend()
    }
    fn product_for(&self, network: Network) -> Option<String> {
        self.inner.product_for(network)
    }
    fn top_up<'a>(
        &'a self,
        call: &'a TopupCall,
    ) -> BoxFuture<'a, Result<TopupOutcome, ProviderError>> {
        let (inner, owned) = (self.inner.clone(), call.clone());
        let running = self.on_io(async move { inner.top_up(&owned).await });
        Box::pin(async move {
            let (outcome, took) = running.await;
            let sale = sale_of_reference(&call.reference);
            if let (Ok(TopupOutcome::Accepted(accepted)), Some(sale)) = (&outcome, &sale) {
                self.time
                    .sale_of_provider_ref
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(accepted.provider_ref.clone(), sale.clone());
            }
            self.time.add(sale, "order", took);
            outcome
        })
    }
    fn query<'a>(
        &'a self,
        provider_ref: &'a str,
    ) -> BoxFuture<'a, Result<TopupStatus, ProviderError>> {
        let (inner, owned) = (self.inner.clone(), provider_ref.to_owned());
        let running = self.on_io(async move { inner.query(&owned).await });
        Box::pin(async move {
            let (status, took) = running.await;
            let sale = self
                .time
                .sale_of_provider_ref
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(provider_ref)
                .cloned();
            self.time.add(sale, "query", took);
            status
        })
    }
    fn balance(&self) -> BoxFuture<'_, Result<Balance, ProviderError>> {
        let inner = self.inner.clone();
        let running = self.on_io(async move { inner.balance().await });
        Box::pin(async move { running.await.0 })
    }
    fn catalogue(&self) -> BoxFuture<'_, Result<Vec<CatalogueEntry>, ProviderError>> {
        let inner = self.inner.clone();
        let running = self.on_io(async move { inner.catalogue().await });
        Box::pin(async move { running.await.0 })
    }
    fn network_status(&self) -> BoxFuture<'_, Result<Vec<NetworkAvailability>, ProviderError>> {
        let inner = self.inner.clone();
        let running = self.on_io(async move { inner.network_status().await });
        Box::pin(async move { running.await.0 })
    }
    fn parse_callback(
        &self,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<TopupCallbackClaim, String> {
        self.inner.parse_callback(content_type, body)
    }
    fn verify_callback<'a>(
        &'a self,
        claim: &'a TopupCallbackClaim,
    ) -> BoxFuture<'a, Result<Verification, ProviderError>> {
        let (inner, owned) = (self.inner.clone(), claim.clone());
        let running = self.on_io(async move { inner.verify_callback(&owned).await });
        Box::pin(async move {
            let (verification, took) = running.await;
            let sale = claim.reference.as_deref().and_then(sale_of_reference);
            self.time.add(sale, "verify", took);
            verification
        })
    }
    fn refuse_callback(&self) -> CallbackReply {
        self.inner.refuse_callback()
    }
}

/// A unique mobile number per sale (the invariant checker flags a phone credited twice), never
/// ending in the wePAY simulator's failing suffix `0004`.
pub fn phone(n: u64) -> String {
    format!("08{:08}", 10_000_001 + n * 10)
}
