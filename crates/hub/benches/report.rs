//! The fleet's daily per-operator report over 10,000,000 sales (target ≤ 200 ms).
//!
//! `cargo bench -p termdee-hub --bench report [-- SALES]`
//!
//! The sales are generated once, with `generate_series`, into a PostgreSQL kept under
//! `<target>/hub-bench-pg-v2` (production durability), and reused by later runs: 50 registers,
//! 6 operators each (two cashiers shared by every register), 365 Bangkok days, every outcome
//! (about 80 % completed), amounts from 10 to 500 baht. The report timed is exactly the hub's:
//! [`termdee_hub::Store::report`] for one day by operator over every register (≈ 27,000 sales
//! of 10,000,000), then for 7 and 30 days, and one register's day.
// A benchmark stops at the first failure, and that is its report; its floats are timings and
// rates, never money.
#![allow(clippy::unwrap_used, clippy::float_arithmetic)]

use std::time::{Duration, Instant};

use termdee_domain::report::ReportDimension;
use termdee_domain::BusinessDay;
use termdee_hub::cluster::{Cluster, Durability};
use termdee_hub::Store;

const REGISTERS: i64 = 50;
const DAYS: i64 = 365;
const FIRST_DAY: &str = "2025-03-01";

/// Fills `sales` with `count` generated rows (and the registers and operators they name).
async fn generate(url: &str, count: i64) {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let started = Instant::now();
    client
        .batch_execute(
            "TRUNCATE sales, operators, received, events, relayed_callbacks;
             DELETE FROM registers;
             DROP INDEX IF EXISTS sales_report; DROP INDEX IF EXISTS sales_unresolved;",
        )
        .await
        .unwrap();
    client
        .execute(
            "INSERT INTO registers (id, name, token_hash, callback_hash, enrolled_at)
             SELECT 'kiosk-' || lpad(r::text, 2, '0'), 'Kiosk ' || r,
                    sha256(('bench' || r)::bytea), sha256(('cb' || r)::bytea), 0
             FROM generate_series(1, $1::int8) AS r",
            &[&REGISTERS],
        )
        .await
        .unwrap();
    client
        .execute(
            "INSERT INTO operators (register_id, id, name, role, active, snapshot, snapshot_seq)
             SELECT 'kiosk-' || lpad(r::text, 2, '0'),
                    CASE WHEN o <= 2 THEN 'cashier-' || o ELSE 'kiosk-' || r || '-op-' || o END,
                    'Operator ' || o, 'cashier', true, '{}'::jsonb, 0
             FROM generate_series(1, $1::int8) AS r, generate_series(1, 6) AS o",
            &[&REGISTERS],
        )
        .await
        .unwrap();
    // Deterministic pseudo-random columns from the row number g.
    client
        .execute(
            "INSERT INTO sales (register_id, id, operator_id, network, payment_method, provider,
                 state, day, amount, received, delivered, refunded, cost, attention,
                 created_at, updated_at, snapshot_seq, snapshot)
             SELECT register_id, 'S' || g, operator_id,
                    (ARRAY['ais','dtac','true_move','my','penguin','feels'])[1 + (h % 6)],
                    (ARRAY['cash','promptpay_local','tmweasy','deposit_qr','bluepay'])[1 + (h / 7 % 5)],
                    CASE WHEN state IN ('awaiting_payment','payment_expired','payment_cancelled')
                         THEN NULL ELSE (ARRAY['wepay','easysoft'])[1 + (h / 3 % 2)] END,
                    state, day, amount,
                    CASE WHEN state IN ('awaiting_payment','payment_expired','payment_cancelled')
                         THEN 0 ELSE amount END,
                    CASE WHEN state = 'completed' THEN amount ELSE 0 END,
                    CASE WHEN state = 'refunded' THEN amount ELSE 0 END,
                    CASE WHEN state = 'completed' THEN amount * 97 / 100 ELSE 0 END,
                    NULL, ts, ts, 1,
                    jsonb_build_object('id', 'S' || g, 'phone', '0812345678', 'state', state)
             FROM (
                 SELECT g, h,
                        'kiosk-' || lpad((1 + g / $4::int8 % $2::int8)::text, 2, '0') AS register_id,
                        CASE WHEN h % 6 < 2 THEN 'cashier-' || (1 + h % 6)
                             ELSE 'kiosk-' || (1 + g / $4::int8 % $2::int8) || '-op-' || (1 + h % 6) END
                             AS operator_id,
                        CAST($3::text AS date) + (g % $4::int8)::int AS day,
                        1000 * (1 + h % 50) AS amount,
                        CASE WHEN h % 100 < 80 THEN 'completed'
                             WHEN h % 100 < 85 THEN 'payment_expired'
                             WHEN h % 100 < 88 THEN 'payment_cancelled'
                             WHEN h % 100 < 92 THEN 'refunded'
                             WHEN h % 100 < 94 THEN 'refund_due'
                             WHEN h % 100 < 96 THEN 'needs_attention'
                             WHEN h % 100 < 97 THEN 'paid'
                             WHEN h % 100 < 98 THEN 'topup_pending'
                             ELSE 'awaiting_payment' END AS state,
                        1740787200000 + g * 3 AS ts
                 FROM (SELECT g, abs(hashint8(g)) AS h FROM generate_series(1, $1::int8) AS g) AS numbers
             ) AS generated",
            &[&count, &REGISTERS, &FIRST_DAY, &DAYS],
        )
        .await
        .unwrap();
    eprintln!(
        "report bench: {count} sales inserted in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

/// The hub's own indexes, exactly as its migration defines them (dropped for the bulk insert),
/// and fresh statistics. Each statement alone: a multi-statement batch is one transaction, and
/// VACUUM refuses to run inside one.
async fn index(url: &str) {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let started = Instant::now();
    for statement in [
        "CREATE INDEX IF NOT EXISTS sales_report ON sales (day, operator_id, state)
             INCLUDE (amount, received, delivered, refunded, cost, network, payment_method,
                      provider, register_id)",
        "CREATE INDEX IF NOT EXISTS sales_unresolved ON sales (register_id, state)
             WHERE state IN ('needs_attention', 'refund_due', 'awaiting_payment', 'paid',
                             'topup_pending')
                OR attention IS NOT NULL",
        "VACUUM (ANALYZE) sales",
    ] {
        client.simple_query(statement).await.unwrap();
    }
    eprintln!(
        "report bench: indexed and vacuumed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

fn stats(mut times: Vec<Duration>) -> (f64, f64, f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = ms(times[times.len() / 2]);
    let p95 = ms(times[(times.len() * 95 / 100).min(times.len() - 1)]);
    let worst = ms(times[times.len() - 1]);
    (median, p95, worst)
}

fn main() {
    let count: i64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000_000);
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    // v2: every register sells every day (v1 tied registers to days).
    let folder = target.join("hub-bench-pg-v2");
    let cluster = Cluster::open(&folder, Durability::Full).expect("the benchmark's PostgreSQL");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let url = cluster.database("hub_bench").await.unwrap();
        let store = Store::connect(&url, 4).unwrap();
        store.migrate().await.unwrap();
        let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        let have: i64 = client
            .query_one("SELECT count(*) FROM sales", &[])
            .await
            .unwrap()
            .get(0);
        if have != count {
            eprintln!("report bench: generating {count} sales once (found {have}) …");
            generate(&url, count).await;
        }
        index(&url).await;
        let first = BusinessDay::parse(FIRST_DAY).unwrap();
        let day = BusinessDay::of(first.start() + 200 * 86_400_000);
        let week_end = BusinessDay::of(day.start() + 6 * 86_400_000);
        let month_end = BusinessDay::of(day.start() + 29 * 86_400_000);
        let cases: [(&str, BusinessDay, Option<&str>); 4] = [
            ("one day, every register", day, None),
            ("7 days, every register", week_end, None),
            ("30 days, every register", month_end, None),
            ("one day, one register", day, Some("kiosk-07")),
        ];
        let mut target_met = true;
        for (name, to, register) in cases {
            let cold = Instant::now();
            let report = store
                .report(day, to, ReportDimension::Operator, register)
                .await
                .unwrap();
            let cold = cold.elapsed();
            let mut times = Vec::new();
            for _ in 0..30 {
                let started = Instant::now();
                let again = store
                    .report(day, to, ReportDimension::Operator, register)
                    .await
                    .unwrap();
                times.push(started.elapsed());
                assert_eq!(again, report);
            }
            let (median, p95, worst) = stats(times);
            println!(
                "{{\"bench\":\"hub_report\",\"case\":\"{name}\",\"table_sales\":{count},\
                 \"sales_in_report\":{},\"lines\":{},\"first_ms\":{:.1},\"median_ms\":{median:.1},\
                 \"p95_ms\":{p95:.1},\"worst_ms\":{worst:.1}}}",
                report.total.sales.count,
                report.rows.len(),
                cold.as_secs_f64() * 1000.0
            );
            if name.starts_with("one day, every") && p95 > 200.0 {
                target_met = false;
            }
        }
        if !target_met {
            eprintln!("report bench: the daily fleet report missed its 200 ms target");
            std::process::exit(1);
        }
    });
}
