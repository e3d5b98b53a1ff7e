//! `cargo xtask bench`: the PromptPay benchmarks, Rust against the npm packages people use, and
//! the ledger benchmarks against their targets.
//!
//! 1. runs the criterion bench `termdee-promptpay/benches/promptpay.rs`;
//! 2. reads each benchmark's mean from criterion's `estimates.json`;
//! 3. installs `promptpay-qr` and `qrcode` from npm into a fresh temporary folder and runs
//!    `crates/promptpay/benches/node/compare.mjs`, which times the same inputs;
//! 4. prints a table of both and the ratios, and fails when a target is missed:
//!    payload ≥ 10× promptpay-qr, payload + PNG ≥ 20× promptpay-qr + qrcode.toBuffer;
//! 5. runs the criterion bench `termdee-ledger/benches/report.rs` and checks its targets: the
//!    daily report on a 1,000,000-sale ledger ≤ 20 ms, one whole cash sale (five durable
//!    transactions, `synchronous=FULL`) ≤ 5 ms, i.e. ≥ 200 sales/s.
//!
//! Both sides run in the same invocation on the same machine, so the ratio is meaningful even
//! where absolute times are not (shared CI runners).

use std::path::{Path, PathBuf};
use std::process::Command;

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

/// Runs the benchmarks and prints the comparison; `Err` when a step fails or a target is missed.
pub fn run(workspace_root: &Path) -> Result<(), String> {
    let target_dir = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace_root.join(dir), // join keeps an absolute path as it is
        None => workspace_root.join("target"),
    };
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
            rust.push(criterion_mean_ns(&target_dir, group, input)?);
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
    all_met &= ledger_benches(workspace_root, &target_dir)?;
    if all_met {
        println!("targets met: payload ≥ 10× promptpay-qr, payload+PNG ≥ 20× promptpay-qr+qrcode");
        println!("targets met: daily report ≤ 20 ms on 1M sales, ≥ 200 cash sales/s");
        Ok(())
    } else {
        Err("a benchmark target was missed (see ✗ above)".into())
    }
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
