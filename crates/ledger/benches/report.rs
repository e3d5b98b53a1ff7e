//! The ledger's two speeds that matter to a shop:
//!
//! - `report/daily_by_operator_1m`: the owner's daily report for one day of a ledger holding a
//!   year of sales (1,000,000 sales over 365 days and 8 operators, every outcome, network,
//!   method and provider mixed in); target ≤ 20 ms. The ledger is built once (schema by
//!   `Ledger::open`, rows by raw inserts in large transactions) and cached under the target
//!   directory, keyed by schema version and generator.
//! - `report/month_by_network_1m`, `report/month_by_provider_1m`: a 30-day range of the same
//!   ledger broken down another way (no target; for the README).
//! - `ledger/complete_cash_sale`: the whole write path of one cash sale (create, payment
//!   received, top-up intent, accepted, succeeded: five `BEGIN IMMEDIATE` transactions, each
//!   with its fsync under `synchronous=FULL`) on a file-backed ledger; target ≥ 200 sales/s.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use rusqlite::params;
use termdee_domain::{
    Actor, ActorKind, BusinessDay, Msisdn, Network, PaymentMethod, Satang, UnixMillis,
};
use termdee_ledger::{
    Ledger, NewPayment, NewSale, NewTopup, Operator, OperatorRole, Register, RegisterKind,
    TopupState,
};
use termdee_ledger::{ReportDimension, ReportScope};

const SALES: u64 = 1_000_000;
const DAYS: u64 = 365;
const OPERATORS: u64 = 8;
/// Bump when the generated data changes, so an old cached file is not reused.
const GENERATOR: u32 = 2;
const FIRST_DAY: &str = "2025-01-01";
const DAY_MS: i64 = 86_400_000;
/// The day the report benchmark asks for (in the middle of the year).
const REPORT_DAY: i64 = 180;

/// Where benchmark files live: the target directory's scratch folder, else the system's.
fn scratch() -> PathBuf {
    option_env!("CARGO_TARGET_TMPDIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir)
}

fn operator_id(n: u64) -> String {
    format!("op-{n}")
}

/// Registers one counter and the operators through the API.
fn set_up_shop(ledger: &Ledger, operators: u64, at: UnixMillis) -> termdee_ledger::Result<()> {
    ledger.upsert_register(
        &Register {
            id: "counter-1".into(),
            name: "Counter".into(),
            kind: RegisterKind::Counter,
        },
        at,
    )?;
    for n in 0..operators {
        ledger.upsert_operator(
            &Operator {
                id: operator_id(n),
                name: format!("Operator {n}"),
                role: OperatorRole::Cashier,
                easysoft_users: operator_id(n),
                active: true,
            },
            at,
        )?;
    }
    Ok(())
}

/// splitmix64: a fixed, dependency-free stream of numbers, so every build is the same ledger.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A state and its money columns (received, delivered, refunded) that satisfy the schema's
/// `delivered + refunded <= received` and the ledger's own invariants for that state.
fn outcome(roll: u64, amount: i64) -> (&'static str, i64, i64, i64) {
    match roll {
        0..=79 => ("completed", amount, amount, 0),
        80..=84 => ("refunded", amount, 0, amount),
        85..=87 => ("refund_due", amount, 0, 0),
        88 => ("needs_attention", amount, 0, 0),
        89 => ("topup_pending", amount, 0, 0),
        90 => ("paid", amount, 0, 0),
        91 => ("awaiting_payment", 0, 0, 0),
        92..=95 => ("payment_expired", 0, 0, 0),
        _ => ("payment_cancelled", 0, 0, 0),
    }
}

/// The year-long ledger, built on first use and cached; returns its path.
fn year_ledger() -> Result<PathBuf, Box<dyn std::error::Error>> {
    // The schema version of this build, from a throwaway ledger.
    let probe = tempfile::tempdir_in(scratch())?;
    let version = Ledger::open(probe.path().join("probe.sqlite"))?
        .self_check()
        .schema_version;
    let path = scratch().join(format!(
        "termdee-bench-1m-schema{version}-gen{GENERATOR}.sqlite"
    ));
    if path.is_file() {
        return Ok(path);
    }
    eprintln!("building {} (once; cached for later runs)", path.display());
    let partial = path.with_extension("partial");
    for stale in ["partial", "partial-wal", "partial-shm"] {
        let _ = std::fs::remove_file(path.with_extension(stale));
    }
    let first = BusinessDay::parse(FIRST_DAY)?.start();
    {
        let ledger = Ledger::open(&partial)?;
        set_up_shop(&ledger, OPERATORS, first)?;
    }
    let mut connection = rusqlite::Connection::open(&partial)?;
    // Building a benchmark fixture: durability does not matter here, speed does.
    connection.pragma_update(None, "synchronous", "OFF")?;
    connection.pragma_update(None, "cache_size", -262_144)?; // 256 MiB
    let methods = [
        "cash",
        "promptpay_local",
        "tmweasy",
        "deposit_qr",
        "bluepay",
    ];
    let networks = ["ais", "dtac", "true_move", "my"];
    let providers = ["wepay", "easysoft"];
    let amounts = [1_000, 2_000, 5_000, 10_000, 20_000, 30_000, 50_000];
    let mut mix = Mix(0x7E12_D0EE);
    let per_day = SALES / DAYS;
    let mut written = 0u64;
    for day in 0..DAYS {
        // The last day takes the remainder, so the total is exactly SALES.
        let count = if day + 1 == DAYS {
            SALES - written
        } else {
            per_day
        };
        let tx = connection.transaction()?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO sales (id, register_id, operator_id, network, phone, amount,
                     payment_method, state, received, delivered, refunded, day, created_at,
                     updated_at, provider, cost)
                 VALUES (?1, 'counter-1', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,
                     ?14, ?15)",
            )?;
            let day_start = first + i64::try_from(day)? * DAY_MS;
            let day_text = BusinessDay::of(day_start).to_string();
            for n in 0..count {
                // Spread over the shop's opening hours, 07:00 to 22:00, in order.
                let at = day_start
                    + 7 * 3_600_000
                    + i64::try_from(n)? * (15 * 3_600_000) / i64::try_from(count)?;
                let amount = amounts[usize::try_from(mix.below(7))?];
                let (state, received, delivered, refunded) = outcome(mix.below(100), amount);
                // Paid sales went to a provider; delivered ones cost 96.8 % (wePAY's TRMV rate).
                let provider = if received == 0 {
                    ""
                } else {
                    providers[usize::try_from(mix.below(2))?]
                };
                let cost = delivered - delivered * 32 / 1_000;
                insert.execute(params![
                    format!("Y{day:03}-{n:05}"),
                    operator_id(mix.below(OPERATORS)),
                    networks[usize::try_from(mix.below(4))?],
                    format!("08{:08}", mix.below(100_000_000)),
                    amount,
                    methods[usize::try_from(mix.below(5))?],
                    state,
                    received,
                    delivered,
                    refunded,
                    day_text,
                    at,
                    at + 30_000,
                    provider,
                    cost,
                ])?;
            }
        }
        tx.commit()?;
        written += count;
    }
    connection.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;")?;
    drop(connection);
    std::fs::rename(&partial, &path)?;
    for stale in ["partial-wal", "partial-shm"] {
        let _ = std::fs::remove_file(path.with_extension(stale));
    }
    Ok(path)
}

fn bench_report(c: &mut Criterion) {
    let path = year_ledger().expect("the year-long ledger can be built");
    let ledger = Ledger::open(&path).expect("the cached ledger opens and passes its self-check");
    let first = BusinessDay::parse(FIRST_DAY).expect("a valid day").start();
    let day = BusinessDay::of(first + REPORT_DAY * DAY_MS);
    let totals = ledger.daily_by_operator(day).expect("the report runs");
    assert_eq!(totals.len(), usize::try_from(OPERATORS).expect("small"));
    let sales: i64 = totals.iter().map(|t| t.sales.count).sum();
    assert_eq!(u64::try_from(sales).expect("positive"), SALES / DAYS);

    let month_end = BusinessDay::of(first + (REPORT_DAY + 29) * DAY_MS);
    let month = ledger
        .report(day, month_end, ReportDimension::Provider, ReportScope::Shop)
        .expect("the report runs");
    let sales: i64 = month.iter().map(|t| t.sales.count).sum();
    assert_eq!(u64::try_from(sales).expect("positive"), 30 * (SALES / DAYS));

    let mut group = c.benchmark_group("report");
    group.bench_function("daily_by_operator_1m", |b| {
        b.iter(|| {
            ledger
                .daily_by_operator(black_box(day))
                .expect("the report runs")
        })
    });
    for (name, by) in [
        ("month_by_network_1m", ReportDimension::Network),
        ("month_by_provider_1m", ReportDimension::Provider),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                ledger
                    .report(black_box(day), month_end, by, ReportScope::Shop)
                    .expect("the report runs")
            })
        });
    }
    group.finish();
}

/// Writes one cash sale from creation to completed; `n` makes its ids unique.
fn complete_cash_sale(ledger: &Ledger, n: u64, at: UnixMillis) -> termdee_ledger::Result<()> {
    let id = format!("B{n:09}");
    let cashier = Actor::new(ActorKind::Cashier, "op-0");
    let engine = Actor::poller();
    let amount = Satang::new(5_000);
    let phone = Msisdn::parse("0812345678").expect("a valid number");
    let (_, payment) = ledger.create_sale(
        &NewSale {
            id: id.clone(),
            register_id: "counter-1".into(),
            operator_id: "op-0".into(),
            shift_id: None,
            network: Network::Ais,
            phone,
            amount,
            method: PaymentMethod::Cash,
            at,
        },
        &NewPayment {
            method: PaymentMethod::Cash,
            reference: id.clone(),
            amount,
        },
        &cashier,
    )?;
    ledger.payment_received(payment.id, amount, at + 1, &cashier)?;
    let topup = ledger.begin_topup(
        &id,
        &NewTopup {
            provider: "wepay".into(),
            reference: format!("wp-{id}"),
            product: "12CALL".into(),
            amount,
            users: None,
        },
        at + 2,
        &engine,
    )?;
    ledger.topup_progress(
        topup.id,
        TopupState::Pending,
        Some("T"),
        None,
        "",
        at + 3,
        &engine,
    )?;
    ledger.topup_succeeded(topup.id, None, "ok", at + 4, &engine)?;
    Ok(())
}

fn fresh_ledger(folder: &Path) -> Ledger {
    let ledger = Ledger::open(folder.join("sales.sqlite")).expect("a fresh ledger opens");
    assert_eq!(
        ledger.self_check().synchronous,
        2,
        "the benchmark measures synchronous=FULL"
    );
    set_up_shop(&ledger, 1, 0).expect("the shop is set up");
    ledger
}

fn bench_sales(c: &mut Criterion) {
    // On the target directory's disk, not a tmpfs: the fsyncs are what is measured.
    let folder = tempfile::tempdir_in(scratch()).expect("a scratch folder");
    let ledger = fresh_ledger(folder.path());
    let at = BusinessDay::parse("2026-03-01")
        .expect("a valid day")
        .start();
    let mut n = 0u64;

    let mut group = c.benchmark_group("ledger");
    group.throughput(Throughput::Elements(1));
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("complete_cash_sale", |b| {
        b.iter(|| {
            n += 1;
            complete_cash_sale(&ledger, n, at).expect("the sale completes")
        })
    });
    group.finish();
    // Nothing ran when a filter left this benchmark out.
    if n > 0 {
        let sale = ledger
            .sale(&format!("B{n:09}"))
            .expect("the last sale is there");
        assert_eq!(sale.delivered, sale.amount);
    }
}

criterion_group!(benches, bench_report, bench_sales);
criterion_main!(benches);
