//! SIGKILL at every crash point: the engine runs in a child process (`termdee crash-worker`)
//! that stops dead at one crash point (the K-th hit of a named point, before or after a ledger
//! write or a provider call); the test kills it with SIGKILL, starts it again on the same
//! ledger, and checks that the sales converge with every money invariant intact — for every
//! crash point of the engine, and its first three hits where the script passes it more than once
//! (so the Easysoft sale is killed too, not only the wePAY ones).

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use termdee_app::engine::CRASH_POINTS;
use termdee_scenarios::check::tally;
use termdee_scenarios::{open_ledger, Faults, World};
use termdee_sim::{Fate, Outcome};

const TERMDEE: &str = env!("CARGO_BIN_EXE_termdee");

enum Ended {
    PausedAt,
    Done,
}

/// Runs the worker; returns where it paused (after killing it with SIGKILL) or that it finished.
fn run_worker(endpoints: &str, db: &std::path::Path, pause_at: Option<&str>) -> Ended {
    let mut command = Command::new(TERMDEE);
    command
        .args(["crash-worker", "--endpoints", endpoints, "--db"])
        .arg(db)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(point) = pause_at {
        command.args(["--pause-at", point]);
    }
    let mut child = command.spawn().expect("start the worker");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    if first.starts_with("CRASH-POINT ") {
        // std's Child::kill sends SIGKILL on Unix: no destructor, no flush, no rollback hook.
        child.kill().expect("SIGKILL the worker");
        let status = child.wait().expect("reap");
        assert!(!status.success(), "the worker was killed");
        return Ended::PausedAt;
    }
    let output = child.wait_with_output().expect("worker output");
    assert_eq!(
        first,
        "DONE",
        "worker failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success());
    Ended::Done
}

#[test]
fn a_kill_at_every_crash_point_converges_with_the_money_invariants() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut reached = BTreeSet::new();
    for point in CRASH_POINTS {
        for occurrence in 1..=3 {
            let target = format!("{point}#{occurrence}");
            let dir = tempfile::tempdir().expect("temp dir");
            let db = dir.path().join("ledger.sqlite");
            let mut world = runtime
                .block_on(World::start_with(Faults::none(), Duration::from_millis(20)))
                .expect("simulators");
            for _ in 0..4 {
                world.tmweasy.controls().script_fate(Fate {
                    outcome: Some(Outcome::Success),
                    ..Fate::default()
                });
            }
            world.release_listener();
            let endpoints = serde_json::to_string(&world.endpoints()).expect("endpoints");
            let ended = run_worker(&endpoints, &db, Some(&target));
            let paused = matches!(ended, Ended::PausedAt);
            if paused {
                reached.insert(point);
                // Restart on the same ledger: it must converge.
                assert!(
                    matches!(run_worker(&endpoints, &db, None), Ended::Done),
                    "restart after a kill at {target} did not finish"
                );
            }
            let ledger = open_ledger(&db).expect("ledger");
            let report = tally(&world, &ledger, true).expect("tally");
            assert!(
                report.violations.is_empty(),
                "kill at {target}: {:?}",
                report.violations
            );
            assert_eq!(report.sales, 3, "kill at {target}: {report:?}");
            assert_eq!(report.paid, 3, "kill at {target}: {report:?}");
            assert_eq!(report.double_topups, 0);
            assert_eq!(report.lost_paid, 0);
            // Only the Easysoft sale may wait for a person (a kill between its intent and its
            // reply: Easysoft has no key to ask about); the wePAY sales always complete.
            assert!(report.topped_up >= 2, "kill at {target}: {report:?}");
            assert_eq!(
                report.topped_up + report.unresolved,
                3,
                "kill at {target}: {report:?}"
            );
            if !paused {
                break;
            }
        }
    }
    for point in [
        "sale.create.before_write",
        "sale.create.after_write",
        "payment.create.before_call",
        "payment.create.after_call",
        // Either side of the cashier's "paid" written with the top-up intent (one transaction).
        "payment.confirm.before_write",
        "payment.confirm.after_write",
        "payment.received.after_write",
        "topup.intent.before_write",
        "topup.intent.after_write",
        "topup.order.before_call",
        "topup.order.after_call",
        "topup.accepted.after_write",
        "topup.query.before_call",
        "topup.query.after_call",
        "topup.settled.after_write",
        // A pulled callback is stored before the pull (the issue's "store the raw request
        // first"); one judged without the provider is stored with its verdict in one write.
        "callback.store.before_write",
        "callback.store.after_write",
        "callback.verify.before_call",
        "callback.verify.after_call",
        "callback.apply.after_write",
    ] {
        assert!(
            reached.contains(point),
            "never killed at {point}: {reached:?}"
        );
    }
}
