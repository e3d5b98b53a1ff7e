//! # xtask — Termdee's two commands, and the chores around them
//!
//! `cargo xtask run` and `cargo xtask test` are the only two commands a newcomer needs on a fresh
//! Debian 12 machine: each one installs what it is missing (Debian packages with apt — as root
//! directly, otherwise through sudo —, the UI's npm packages, `tauri-driver`), then does its job.
//! Nothing may depend on something installed by hand, so every prerequisite is checked here.
//!
//! Subcommands:
//! - `run [--release]`: build the UI, launch the desktop app (under Xvfb when there is no display).
//! - `test`: fmt check, clippy `-D warnings`, every Rust test, the UI type check, the browser
//!   tests (headless Chromium, IPC mocked) and the desktop end-to-end tests (the real app under
//!   Xvfb, driven by tauri-driver and WebKitWebDriver).
//! - `screenshot`: screenshots of the app under Xvfb into `docs/screenshots/`.
//! - `bench [promptpay|ledger|sale|callbacks|hub]`: the benchmarks against their targets (all of them,
//!   or one group): criterion benchmarks compared with the reference node packages in the same
//!   run, the ledger's, and the end-to-end sale and callback-listener benchmarks.
//! - `bench-desktop`: the release app's start to interactive and idle memory, on Xvfb.
//! - `fuzz [SECONDS]`: run every cargo-fuzz target (nightly) for a while.
//! - `bindings`: regenerate the TypeScript IPC types and the UI test fixtures from Rust.
//!
//! The key decision: plain `std::process::Command` calls, printed before they run, so a failure
//! names the exact command to repeat by hand.

mod bench;
mod startup;

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Debian packages the desktop app needs to build and run.
const BUILD_PACKAGES: &[&str] = &["build-essential", "pkg-config", "libwebkit2gtk-4.1-dev"];
/// Debian packages the tests need on top: a virtual display, the WebKit WebDriver, Chromium for
/// the browser tests, ImageMagick for screenshots, and PostgreSQL's server binaries for the fleet
/// hub's tests (each test runs its own throwaway server with `initdb` / `pg_ctl`).
const TEST_PACKAGES: &[&str] = &[
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "chromium",
    "imagemagick",
    "postgresql",
];
/// The screen size for Xvfb: the app window's default size, so a root-window screenshot is
/// exactly the window (there is no window manager to draw decorations).
const XVFB_SCREEN: &str = "-screen 0 1024x720x24";

type Result<T = (), E = String> = std::result::Result<T, E>;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let root = workspace_root();
    let outcome = match args.first().map(String::as_str) {
        Some("run") => run(&root, args.iter().any(|a| a == "--release")),
        Some("test") => test(&root),
        Some("screenshot") => screenshot(&root),
        Some("bench") => bench::run(&root, args.get(1).map(String::as_str)),
        Some("bench-desktop") => bench_desktop(&root),
        Some("fuzz") => fuzz(&root, args.get(1).map(String::as_str).unwrap_or("60")),
        Some("bindings") => bindings(&root),
        _ => {
            eprintln!(
                "usage: cargo xtask <run [--release] | test | screenshot | bench [promptpay|ledger|sale|callbacks|hub] | bench-desktop | fuzz [SECONDS] | bindings>"
            );
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

// ---------------------------------------------------------------------------------------------
// The two commands

fn run(root: &Path, release: bool) -> Result {
    ensure_debian_packages(BUILD_PACKAGES)?;
    ensure_node()?;
    build_ui(root)?;
    let binary = build_desktop(root, release)?;
    let mut app = Command::new(&binary);
    if env::var_os("DISPLAY").is_none() && env::var_os("WAYLAND_DISPLAY").is_none() {
        ensure_debian_packages(&["xvfb", "xauth"])?;
        println!("xtask: no display found: running the app under Xvfb (a virtual screen)");
        app = Command::new("xvfb-run");
        app.args(["-a", "--server-args", XVFB_SCREEN]).arg(&binary);
    }
    status(app.current_dir(root))
}

fn test(root: &Path) -> Result {
    step("prerequisites");
    ensure_debian_packages(BUILD_PACKAGES)?;
    ensure_debian_packages(TEST_PACKAGES)?;
    ensure_node()?;
    let tauri_driver = ensure_tauri_driver()?;
    npm_install(root)?;

    step("format");
    status(cargo(root).args(["fmt", "--all", "--", "--check"]))?;
    // Clippy and the desktop crate's build script need the UI's dist folder to exist.
    build_ui(root)?;
    step("clippy -D warnings, while building every test");
    // One build lints and compiles. `cargo clippy` is `cargo check` with clippy-driver as the
    // workspace members' compiler; checking alone would analyse every dependency once more
    // (metadata only) before `cargo test` compiles them for real — over five minutes of a
    // cold build on two cores. Here clippy-driver, a complete rustc, compiles the workspace
    // members for the tests and lints them as it goes, exactly as `cargo clippy` would
    // (`CLIPPY_ARGS` is how cargo-clippy hands it `-D warnings`); the dependencies are built
    // once, by plain rustc. `--all-targets` also compiles the benchmarks and examples, so they
    // are linted too; they are not run.
    status(linted(cargo(root))?.args(["test", "--workspace", "--all-targets", "--no-run"]))?;
    step("rust tests");
    // This also built the desktop app and the command line the end-to-end tests drive: both
    // crates have integration tests, so cargo builds their binaries with the same features as
    // the tests. A separate `cargo build -p ...` would unify features differently and rebuild
    // half the dependency tree (minutes on a cold machine).
    // Not `--all-targets`: that would also *run* the benchmarks and examples (a harness-less
    // bench is just a program to cargo test), i.e. the end-to-end sale and callback runs and the
    // hub's 10,000,000-sale report. The same compiler settings reuse the build above.
    status(linted(cargo(root))?.args(["test", "--workspace", "--lib", "--bins", "--tests"]))?;
    step("doc tests");
    status(linted(cargo(root))?.args(["test", "--workspace", "--doc"]))?;
    step("browser tests (headless Chromium, IPC mocked)");
    status(npm(root).args(["run", "test:browser"]))?;
    step("desktop end-to-end tests (the real app under Xvfb)");
    let binary = target_dir(root).join("debug").join("termdee-desktop");
    if !binary.exists() {
        return Err(format!(
            "{} was not built by the Rust tests",
            binary.display()
        ));
    }
    desktop_e2e(root, &binary, &tauri_driver, None)?;
    step("all tests passed");
    Ok(())
}

fn bench_desktop(root: &Path) -> Result {
    ensure_debian_packages(BUILD_PACKAGES)?;
    ensure_debian_packages(&["xvfb"])?;
    ensure_node()?;
    build_ui(root)?;
    let binary = build_desktop(root, true)?;
    step("start to interactive and idle memory of the release app");
    startup::run(&binary)
}

fn screenshot(root: &Path) -> Result {
    ensure_debian_packages(BUILD_PACKAGES)?;
    ensure_debian_packages(TEST_PACKAGES)?;
    ensure_node()?;
    let tauri_driver = ensure_tauri_driver()?;
    npm_install(root)?;
    build_ui(root)?;
    let binary = build_desktop(root, false)?;
    let folder = root.join("docs").join("screenshots");
    std::fs::create_dir_all(&folder)
        .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    desktop_e2e(root, &binary, &tauri_driver, Some(&folder))?;
    println!("xtask: screenshots written to {}", folder.display());
    Ok(())
}

fn fuzz(root: &Path, seconds: &str) -> Result {
    if !has_command("cargo-fuzz") {
        status(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]))?;
    }
    let targets = [
        ("crates/promptpay/fuzz", "decode"),
        ("crates/providers/fuzz", "wepay_reply"),
        ("crates/providers/fuzz", "wepay_callback"),
        ("crates/providers/fuzz", "easysoft_reply"),
        ("crates/providers/fuzz", "easysoft_callback"),
    ];
    for (folder, target) in targets {
        if !root
            .join(folder)
            .join("fuzz_targets")
            .join(format!("{target}.rs"))
            .exists()
        {
            continue;
        }
        step(&format!("fuzz {target} for {seconds} s"));
        status(
            Command::new("cargo")
                .args([
                    "+nightly",
                    "fuzz",
                    "run",
                    target,
                    "--",
                    &format!("-max_total_time={seconds}"),
                ])
                .current_dir(root.join(folder)),
        )?;
    }
    Ok(())
}

fn bindings(root: &Path) -> Result {
    // The generator is the drift test itself, told to write instead of compare: xtask stays free
    // of the app's dependency tree (see crates/app/tests/bindings.rs).
    status(
        cargo(root)
            .args([
                "test",
                "-p",
                "termdee-app",
                "--test",
                "bindings",
                "--",
                "--nocapture",
            ])
            .env("TERMDEE_WRITE_BINDINGS", "1"),
    )
}

// ---------------------------------------------------------------------------------------------
// Steps

fn build_ui(root: &Path) -> Result {
    npm_install(root)?;
    step("build the UI");
    status(npm(root).args(["run", "build"]))
}

/// Builds the desktop binary and returns its path. Debug builds embed the UI from `ui/dist` too
/// (there is no dev server URL), so the tests run the same UI a release ships.
fn build_desktop(root: &Path, release: bool) -> Result<PathBuf> {
    step("build the desktop app");
    let mut build = cargo(root);
    // The command line comes along: the end-to-end tests read the ledger with `termdee sales`.
    build.args([
        "build",
        "--package",
        "termdee-desktop",
        "--package",
        "termdee-cli",
    ]);
    if release {
        build.args(["--release", "--features", "termdee-desktop/custom-protocol"]);
    }
    status(&mut build)?;
    let profile = if release { "release" } else { "debug" };
    Ok(target_dir(root).join(profile).join("termdee-desktop"))
}

fn desktop_e2e(
    root: &Path,
    binary: &Path,
    tauri_driver: &Path,
    screenshots: Option<&Path>,
) -> Result {
    let mut command = Command::new("xvfb-run");
    command
        .args(["-a", "--server-args", XVFB_SCREEN])
        .args(["npm", "run", "test:desktop"])
        .current_dir(root.join("ui"))
        .env("TERMDEE_DESKTOP_BIN", binary)
        .env(
            "TERMDEE_CLI_BIN",
            binary.with_file_name(format!("termdee{}", std::env::consts::EXE_SUFFIX)),
        )
        .env("TERMDEE_TAURI_DRIVER", tauri_driver)
        // Software rendering: there is no GPU under Xvfb, and compositing costs ~60 MiB.
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    if let Some(folder) = screenshots {
        command.env("TERMDEE_SCREENSHOT_DIR", folder);
    }
    status(&mut command)
}

// ---------------------------------------------------------------------------------------------
// Prerequisites

fn ensure_debian_packages(packages: &[&str]) -> Result {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| !debian_package_installed(p))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    step(&format!("install Debian packages: {}", missing.join(" ")));
    let as_root = is_root();
    let apt = |args: &[&str]| -> Result {
        let mut command = if as_root {
            Command::new("apt-get")
        } else {
            Command::new("sudo")
        };
        if !as_root {
            command.arg("apt-get");
        }
        command.env("DEBIAN_FRONTEND", "noninteractive").args(args);
        status(&mut command)
    };
    apt(&["update"])?;
    let mut install = vec!["install", "-y", "--no-install-recommends"];
    install.extend(&missing);
    apt(&install)
}

fn debian_package_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

fn ensure_node() -> Result {
    if has_command("node") && has_command("npm") {
        return Ok(());
    }
    ensure_debian_packages(&["nodejs", "npm"])
}

fn ensure_tauri_driver() -> Result<PathBuf> {
    let installed = cargo_home().join("bin").join("tauri-driver");
    if installed.exists() {
        return Ok(installed);
    }
    step("install tauri-driver");
    // `--debug`: a thin WebDriver proxy needs no optimising, and a cold machine (CI) builds it
    // in about half the time.
    status(Command::new("cargo").args([
        "install",
        "tauri-driver",
        "--version",
        "^2",
        "--locked",
        "--debug",
    ]))?;
    Ok(installed)
}

fn npm_install(root: &Path) -> Result {
    let ui = root.join("ui");
    let lock = ui.join("package-lock.json");
    let stamp = ui.join("node_modules").join(".package-lock.json");
    let fresh = match (modified(&lock), modified(&stamp)) {
        (Some(lock), Some(stamp)) => stamp >= lock,
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    step("install the UI's npm packages");
    // `npm install`, not `npm ci`: the lock file pins every version, but npm 11 leaves other
    // platforms' optional packages (rollup's native builds) out of it, and `npm ci` then refuses
    // the lock as out of sync. `npm install` installs the pinned versions all the same.
    status(npm(root).args(["install", "--no-audit", "--no-fund"]))
}

// ---------------------------------------------------------------------------------------------
// Small helpers

fn cargo(root: &Path) -> Command {
    let mut command = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(root);
    command
}

/// `command` with clippy-driver compiling the workspace members and denying every warning, as
/// `cargo clippy -- -D warnings` sets it up (the driver beside the toolchain's cargo).
fn linted(mut command: Command) -> Result<Command> {
    let cargo = PathBuf::from(env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    let beside = cargo.with_file_name("clippy-driver");
    let driver = if beside.is_file() {
        beside
    } else if has_command("clippy-driver") {
        PathBuf::from("clippy-driver")
    } else {
        return Err(
            "clippy-driver not found: install it with `rustup component add clippy`".into(),
        );
    };
    command.env("RUSTC_WORKSPACE_WRAPPER", driver).env(
        "CLIPPY_ARGS",
        "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__",
    );
    Ok(command)
}

fn npm(root: &Path) -> Command {
    let mut command = Command::new("npm");
    command.current_dir(root.join("ui"));
    command
}

fn target_dir(root: &Path) -> PathBuf {
    env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

fn cargo_home() -> PathBuf {
    env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env::var_os("HOME").unwrap_or_else(|| "/root".into())).join(".cargo")
        })
}

fn has_command(name: &str) -> bool {
    env::var_os("PATH")
        .map(|path| env::split_paths(&path).any(|dir| dir.join(name).is_file()))
        .unwrap_or(false)
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Prints a step's heading with the time since the command started, so a CI log shows where the
/// minutes go.
fn step(name: &str) {
    static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let elapsed = STARTED.get_or_init(std::time::Instant::now).elapsed();
    let (minutes, seconds) = (elapsed.as_secs() / 60, elapsed.as_secs() % 60);
    println!("\n==> [{minutes:>2}:{seconds:02}] {name}");
}

/// Runs a command, printing it first; a non-zero exit becomes an error naming the command.
fn status(command: &mut Command) -> Result {
    let shown = format!("{command:?}");
    println!("$ {shown}");
    let exit = command
        .status()
        .map_err(|e| format!("could not start {shown}: {e}"))?;
    if exit.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({exit})"))
    }
}
