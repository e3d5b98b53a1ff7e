//! `cargo xtask bench [promptpay|ledger|sale|callbacks|hub]`: the benchmarks against their targets
//! (all of them, or one group).
//!
//! 1. runs the criterion bench `termdee-promptpay/benches/promptpay.rs`;
//! 2. reads each benchmark's mean from criterion's `estimates.json`;
//! 3. installs `promptpay-qr` and `qrcode` from npm into a fresh temporary folder and runs
//!    `crates/promptpay/benches/node/compare.mjs`, which times the same inputs;
//! 4. prints a table of both and the ratios, and fails when a target is missed:
//!    payload ≥ 10× promptpay-qr, payload + PNG ≥ 20× promptpay-qr + qrcode.toBuffer;
//! 5. runs the criterion bench `termdee-ledger/benches/report.rs` and checks its targets: the
//!    daily report on a 1,000,000-sale ledger ≤ 20 ms, one whole cash sale (five durable
//!    transactions, `synchronous=FULL`) ≤ 5 ms, i.e. ≥ 200 sales/s;
//! 6. runs the end-to-end benchmarks of `termdee-scenarios` (`tests/benches/sale.rs`,
//!    `tests/benches/callbacks.rs`: the real engine, listener and ledger against the simulators),
//!    reads the JSON line each prints, and checks issue 5's targets: app overhead of a whole sale
//!    p99 ≤ 20 ms, ≥ 200 complete sales/s on one ledger, the callback listener ≥ 5,000 verified
//!    or deduplicated callbacks/s with p99 ≤ 10 ms. A benchmark whose own checks fail (a sale
//!    not completed, a callback applied twice, a wrong reply) is an error, not a missed target;
//! 7. runs the fleet hub's benchmarks (`crates/hub/benches`, each on a PostgreSQL cluster of its
//!    own with fsync on): the ingest rate of 50 registers pushing at once, and the fleet's daily
//!    per-operator report over 10,000,000 sales (target ≤ 200 ms).
//!
//! Both sides of the PromptPay comparison run in the same invocation on the same machine, so the
//! ratio is meaningful even where absolute times are not (shared CI runners). The end-to-end
//! figures are absolute and depend on the disk's fsync latency, which each benchmark prints.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Criterion groups and the speed-up over node each must reach.
const GROUPS: [(&str, &str, f64); 2] = [
    ("payload", "promptpay-qr", 10.0),
    ("payload_png", "promptpay-qr + qrcode", 20.0),
];
/// Benchmark ids within each group; the same keys appear in compare.mjs's output.
const INPUTS: [&str; 3] = ["mobile_amount", "national_id_amount", "ewallet_static"];
/// The npm packages compare.mjs needs.
const NPM_PACKAGES: [&str; 2] = ["promptpay-qr", "qrcode"];
/// The ledger's criterion benchmarks (group, id) and the most time one iteration may take, in ns.
const LEDGER: [(&str, &str, f64, &str); 2] = [
    ("report", "daily_by_operator_1m", 20_000_000.0, "≤ 20 ms"),
    ("ledger", "complete_cash_sale", 5_000_000.0, "≥ 200/s"),
];

/// The groups `cargo xtask bench` can run alone.
const BENCH_GROUPS: [&str; 5] = ["promptpay", "ledger", "sale", "callbacks", "hub"];

/// Runs the benchmarks (`only`: one group) and prints them against their targets; `Err` when a
/// step fails or a target is missed.
pub fn run(workspace_root: &Path, only: Option<&str>) -> Result<(), String> {
    if let Some(group) = only.filter(|g| *g != "all") {
        if !BENCH_GROUPS.contains(&group) {
            return Err(format!(
                "unknown benchmark group {group} (one of {})",
                BENCH_GROUPS.join(", ")
            ));
        }
    }
    let wanted = |group: &str| only.is_none_or(|g| g == "all" || g == group);
    let target_dir = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace_root.join(dir), // join keeps an absolute path as it is
        None => workspace_root.join("target"),
    };
    let mut all_met = true;
    if wanted("promptpay") {
        all_met &= promptpay_benches(workspace_root, &target_dir)?;
    }
    if wanted("ledger") {
        all_met &= ledger_benches(workspace_root, &target_dir)?;
    }
    let mut end_to_end = Vec::new();
    if wanted("sale") {
        let report = scenario_bench(workspace_root, "sale")?;
        end_to_end.extend(sale_targets(&report)?);
    }
    if wanted("callbacks") {
        let report = scenario_bench(workspace_root, "callbacks")?;
        end_to_end.extend(callback_targets(&report)?);
    }
    if wanted("hub") {
        end_to_end.extend(hub_targets(workspace_root)?);
    }
    if !end_to_end.is_empty() {
        all_met &= print_targets(&end_to_end);
    }
    if all_met {
        println!("every target met");
        Ok(())
    } else {
        Err("a benchmark target was missed (see ✗ above)".into())
    }
}

/// The PromptPay criterion benchmarks against the node packages; `Ok(false)` when a ratio is
/// missed.
fn promptpay_benches(workspace_root: &Path, target_dir: &Path) -> Result<bool, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());

    eprintln!("xtask bench: cargo bench -p termdee-promptpay --bench promptpay");
    let status = Command::new(cargo)
        .args(["bench", "-p", "termdee-promptpay", "--bench", "promptpay"])
        .current_dir(workspace_root)
        .status()
        .map_err(|e| format!("cannot run cargo bench: {e}"))?;
    if !status.success() {
        return Err(format!("cargo bench failed ({status})"));
    }

    let mut rust = Vec::new();
    for (group, _, _) in GROUPS {
        for input in INPUTS {
            rust.push(criterion_mean_ns(target_dir, group, input)?);
        }
    }

    let node = node_timings(workspace_root)?;

    println!();
    println!(
        "{:<12} {:<20} {:>10} {:>10} {:>8}  {:<8} node side",
        "group", "input", "rust", "node", "ratio", "target"
    );
    let mut all_met = true;
    for (group_index, (group, node_name, target)) in GROUPS.iter().enumerate() {
        for (input_index, input) in INPUTS.iter().enumerate() {
            let rust_ns = rust[group_index * INPUTS.len() + input_index];
            let node_ns = json_number(&node, &[group, input])
                .ok_or_else(|| format!("compare.mjs printed no {group}.{input}"))?;
            let ratio = speed_up(node_ns, rust_ns);
            let met = ratio >= *target;
            all_met &= met;
            println!(
                "{group:<12} {input:<20} {:>10} {:>10} {:>7.1}×  {:<8} {node_name}",
                format_ns(rust_ns),
                format_ns(node_ns),
                ratio,
                format!("{} ≥{target}×", if met { "✓" } else { "✗" }),
            );
        }
    }
    let versions = node
        .get("versions")
        .map(|v| v.to_string())
        .unwrap_or_default();
    println!("node side: {versions}");
    Ok(all_met)
}

/// Runs the ledger's benchmarks and prints them against their targets; `Ok(false)` when one is
/// missed.
fn ledger_benches(workspace_root: &Path, target_dir: &Path) -> Result<bool, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("xtask bench: cargo bench -p termdee-ledger --bench report");
    let status = Command::new(cargo)
        .args(["bench", "-p", "termdee-ledger", "--bench", "report"])
        .current_dir(workspace_root)
        .status()
        .map_err(|e| format!("cannot run cargo bench: {e}"))?;
    if !status.success() {
        return Err(format!("cargo bench -p termdee-ledger failed ({status})"));
    }
    println!();
    println!(
        "{:<34} {:>10} {:>12}  target",
        "ledger benchmark", "mean", "per second"
    );
    let mut all_met = true;
    for (group, id, limit_ns, target) in LEDGER {
        let mean_ns = criterion_mean_ns(target_dir, group, id)?;
        let met = mean_ns <= limit_ns;
        all_met &= met;
        println!(
            "{:<34} {:>10} {:>12.0}  {} {target}",
            format!("{group}/{id}"),
            format_ns(mean_ns),
            per_second(mean_ns),
            if met { "✓" } else { "✗" },
        );
    }
    Ok(all_met)
}

/// Issue 5's end-to-end targets.
const SALE_APP_OVERHEAD_P99_MS: f64 = 20.0;
const SALES_PER_SECOND: f64 = 200.0;
const CALLBACKS_PER_SECOND: f64 = 5_000.0;
const CALLBACK_P99_MS: f64 = 10.0;

/// One end-to-end figure against its target.
struct Target {
    name: String,
    measured: String,
    target: &'static str,
    met: bool,
    detail: String,
}

/// Runs one bench of `termdee-scenarios` (its table goes to the terminal) and returns the JSON
/// line it prints; `Err` when it fails its own checks or prints no report.
fn scenario_bench(workspace_root: &Path, name: &str) -> Result<serde_json::Value, String> {
    let (output, stdout) = run_bench(workspace_root, "termdee-scenarios", name)?;
    let report: Option<serde_json::Value> = stdout
        .lines()
        .rev()
        .find(|line| line.starts_with('{'))
        .and_then(|line| serde_json::from_str(line).ok());
    match report {
        Some(report) if output.status.success() => Ok(report),
        Some(report) => Err(format!(
            "the {name} benchmark measured but its own checks failed ({}): {}",
            output.status,
            report
                .get("problems")
                .or_else(|| report.get("ledger_check"))
                .map(|v| v.to_string())
                .unwrap_or_default()
        )),
        None => Err(format!(
            "cargo bench --bench {name} failed ({}) without a report",
            output.status
        )),
    }
}

/// `cargo bench -p <package> --bench <name>`, its stderr to the terminal; its status and stdout.
fn run_bench(
    workspace_root: &Path,
    package: &str,
    name: &str,
) -> Result<(std::process::Output, String), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("xtask bench: cargo bench -p {package} --bench {name}");
    let output = Command::new(cargo)
        .args(["bench", "-p", package, "--bench", name])
        .current_dir(workspace_root)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo bench: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    Ok((output, stdout))
}

/// The hub's benchmarks: the ingest rate (no target in the issue: reported) and the fleet's
/// daily report over 10,000,000 sales (p95 ≤ 200 ms, every register, one day).
fn hub_targets(workspace_root: &Path) -> Result<Vec<Target>, String> {
    let lines = |stdout: &str| -> Vec<serde_json::Value> {
        stdout
            .lines()
            .filter(|line| line.starts_with('{'))
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()
    };
    let (output, stdout) = run_bench(workspace_root, "termdee-hub", "ingest")?;
    let ingest = lines(&stdout)
        .into_iter()
        .find(|line| line["bench"] == "hub_ingest")
        .filter(|_| output.status.success())
        .ok_or_else(|| format!("the hub ingest benchmark failed ({})", output.status))?;
    let mut targets = vec![Target {
        name: "hub ingest, 50 registers at once".into(),
        measured: format!("{:.0}/s", number(&ingest, &["entries_per_second"])?),
        target: "(reported)",
        met: true,
        detail: format!(
            "{} outbox entries of {} sales in {} s: {:.0} sales/s",
            ingest["entries"],
            ingest["sales"],
            ingest["seconds"],
            number(&ingest, &["sales_per_second"])?
        ),
    }];
    // The report bench exits 1 when it misses its target, after printing every case.
    let (_, stdout) = run_bench(workspace_root, "termdee-hub", "report")?;
    let cases = lines(&stdout);
    if cases.is_empty() {
        return Err("the hub report benchmark printed no result".into());
    }
    for case in cases {
        let p95 = number(&case, &["p95_ms"])?;
        let daily = case["case"] == "one day, every register";
        targets.push(Target {
            name: format!("hub report: {}", case["case"].as_str().unwrap_or("?")),
            measured: format!("{p95:.1} ms"),
            target: if daily {
                "p95 ≤ 200 ms"
            } else {
                "(reported)"
            },
            met: !daily || p95 <= 200.0,
            detail: format!(
                "{} of {} sales, median {} ms, first {} ms",
                case["sales_in_report"], case["table_sales"], case["median_ms"], case["first_ms"]
            ),
        });
    }
    Ok(targets)
}

fn number(report: &serde_json::Value, path: &[&str]) -> Result<f64, String> {
    json_number(report, path).ok_or_else(|| format!("the report has no {}", path.join(".")))
}

/// The sale benchmark's figures: app overhead p99 (one customer) and the best complete
/// sales/s.
fn sale_targets(report: &serde_json::Value) -> Result<Vec<Target>, String> {
    let p99 = number(report, &["latency", "app_overhead", "p99_ms"])?;
    let runs = report
        .get("throughput")
        .and_then(|t| t.as_array())
        .ok_or("the sale report has no throughput runs")?;
    let mut best = 0.0_f64;
    let mut by_customers = Vec::new();
    for run in runs {
        let rate = number(run, &["per_second"])?;
        let customers = number(run, &["customers"])?;
        best = best.max(rate);
        by_customers.push(format!("{customers:.0}: {rate:.0}/s"));
    }
    let memory = json_number(report, &["memory_ledger", "app_overhead", "p99_ms"])
        .map(|p99| format!("; ledger in memory: p99 {p99:.2} ms"))
        .unwrap_or_default();
    Ok(vec![
        Target {
            name: "sale: app overhead p99, one customer".into(),
            measured: format!("{p99:.2} ms"),
            target: "≤ 20 ms",
            met: p99 <= SALE_APP_OVERHEAD_P99_MS,
            detail: format!(
                "p50 {:.2} ms, max {:.2} ms over {:.0} sales; whole sale p99 {:.2} ms, provider \
                 calls p99 {:.2} ms; disk fsync p50 {:.2} ms{memory}",
                number(report, &["latency", "app_overhead", "p50_ms"])?,
                number(report, &["latency", "app_overhead", "max_ms"])?,
                number(report, &["latency", "sales"])?,
                number(report, &["latency", "total", "p99_ms"])?,
                number(report, &["latency", "provider", "p99_ms"])?,
                number(report, &["fsync", "p50_ms"])?,
            ),
        },
        Target {
            name: "sale: complete sales/s, one ledger (best)".into(),
            measured: format!("{best:.0}/s"),
            target: "≥ 200/s",
            met: best >= SALES_PER_SECOND,
            detail: format!("by concurrent customers: {}", by_customers.join(", ")),
        },
    ])
}

/// The callback benchmark's figures: verified or deduplicated callbacks/s and p99 latency.
fn callback_targets(report: &serde_json::Value) -> Result<Vec<Target>, String> {
    let rate = number(report, &["per_second"])?;
    let p99 = number(report, &["latency", "p99_ms"])?;
    let connections = number(report, &["connections"])?;
    Ok(vec![
        Target {
            name: "callbacks: verified or deduplicated/s".into(),
            measured: format!("{rate:.0}/s"),
            target: "≥ 5,000/s",
            met: rate >= CALLBACKS_PER_SECOND,
            detail: format!(
                "{:.0} genuine of {:.0} requests over {connections:.0} connections in {:.2} s",
                number(report, &["genuine"])?,
                number(report, &["requests"])?,
                number(report, &["seconds"])?,
            ),
        },
        Target {
            name: format!("callbacks: p99 latency, {connections:.0} connections"),
            measured: format!("{p99:.2} ms"),
            target: "≤ 10 ms",
            met: p99 <= CALLBACK_P99_MS,
            detail: format!(
                "p50 {:.2} ms, max {:.2} ms; first (pull + apply) p99 {:.2} ms, repeat p99 {:.2} \
                 ms; get_output pull p99 {:.2} ms; {:.0} ledger commits, {:.2} ms each",
                number(report, &["latency", "p50_ms"])?,
                number(report, &["latency", "max_ms"])?,
                number(report, &["by_kind", "first", "p99_ms"])?,
                number(report, &["by_kind", "repeat", "p99_ms"])?,
                number(report, &["pull", "p99_ms"])?,
                number(report, &["ledger_commits"])?,
                number(report, &["ms_per_commit"])?,
            ),
        },
    ])
}

/// Prints the end-to-end figures; `false` when one misses its target.
fn print_targets(targets: &[Target]) -> bool {
    println!();
    println!("{:<44} {:>10}  target", "end-to-end benchmark", "measured");
    let mut all_met = true;
    for target in targets {
        all_met &= target.met;
        println!(
            "{:<44} {:>10}  {} {}",
            target.name,
            target.measured,
            if target.met { "✓" } else { "✗" },
            target.target
        );
        println!("    {}", target.detail);
    }
    all_met
}

/// Iterations per second from a mean in ns. Float arithmetic on timings, never on money.
#[allow(clippy::float_arithmetic)]
fn per_second(ns: f64) -> f64 {
    if ns > 0.0 {
        1e9 / ns
    } else {
        f64::INFINITY
    }
}

/// The mean point estimate, in ns, criterion stored for `group/input`.
fn criterion_mean_ns(target_dir: &Path, group: &str, input: &str) -> Result<f64, String> {
    let path: PathBuf = target_dir
        .join("criterion")
        .join(group)
        .join(input)
        .join("new")
        .join("estimates.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let estimates: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
    json_number(&estimates, &["mean", "point_estimate"])
        .ok_or_else(|| format!("{} has no mean.point_estimate", path.display()))
}

/// Installs the npm packages into a fresh temporary folder, runs compare.mjs, and returns the
/// JSON it prints. The folder is removed afterwards whatever happens.
fn node_timings(workspace_root: &Path) -> Result<serde_json::Value, String> {
    let folder = std::env::temp_dir().join(format!("termdee-bench-npm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder)
        .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    let result = install_and_compare(workspace_root, &folder);
    let _ = std::fs::remove_dir_all(&folder);
    result
}

fn install_and_compare(workspace_root: &Path, folder: &Path) -> Result<serde_json::Value, String> {
    eprintln!(
        "xtask bench: npm install {} into {}",
        NPM_PACKAGES.join(" "),
        folder.display()
    );
    let status = Command::new("npm")
        .args([
            "install",
            "--no-save",
            "--no-audit",
            "--no-fund",
            "--silent",
            "--prefix",
        ])
        .arg(folder)
        .args(NPM_PACKAGES)
        .status()
        .map_err(|e| format!("cannot run npm (is node installed?): {e}"))?;
    if !status.success() {
        return Err(format!("npm install failed ({status})"));
    }

    let script = workspace_root.join("crates/promptpay/benches/node/compare.mjs");
    eprintln!("xtask bench: node {}", script.display());
    let output = Command::new("node")
        .arg(&script)
        .arg(folder.join("node_modules"))
        .output()
        .map_err(|e| format!("cannot run node: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "compare.mjs failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|line| line.starts_with('{'))
        .ok_or("compare.mjs printed no JSON line")?;
    serde_json::from_str(line).map_err(|e| format!("compare.mjs printed invalid JSON: {e}"))
}

fn json_number(value: &serde_json::Value, path: &[&str]) -> Option<f64> {
    path.iter()
        .try_fold(value, |value, key| value.get(key))?
        .as_f64()
}

/// How many times faster Rust is. Float arithmetic on timings, never on money.
#[allow(clippy::float_arithmetic)]
fn speed_up(node_ns: f64, rust_ns: f64) -> f64 {
    if rust_ns > 0.0 {
        node_ns / rust_ns
    } else {
        f64::INFINITY
    }
}

/// `812 ns`, `45.3 µs`, `12.85 ms`.
#[allow(clippy::float_arithmetic)]
fn format_ns(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.0} ns")
    } else if ns < 1_000_000.0 {
        format!("{:.1} µs", ns / 1_000.0)
    } else {
        format!("{:.2} ms", ns / 1_000_000.0)
    }
}
