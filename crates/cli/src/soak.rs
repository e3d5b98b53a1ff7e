//! `termdee soak`: seeded whole-sale runs against the simulators, with faults and kills.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;
use termdee_scenarios::soak::SoakReport;

/// Arguments of `termdee soak`.
#[derive(Debug, Args)]
pub struct SoakArgs {
    /// The seed (with --seeds, the first of a range).
    #[arg(long)]
    seed: u64,
    /// Customers per seed.
    #[arg(long, default_value_t = 20)]
    sales: usize,
    /// Kill the engine at random crash points and restart it.
    #[arg(long)]
    crash: bool,
    /// Keep the ledger at this path (one seed only); a temporary file otherwise.
    #[arg(long)]
    db: Option<PathBuf>,
    /// Run this many seeds (seed, seed+1, ...) and print one summary line.
    #[arg(long, default_value_t = 1)]
    seeds: u64,
    /// Seeds run at the same time.
    #[arg(long, default_value_t = 32)]
    jobs: usize,
}

#[derive(Debug, Default, Serialize)]
struct Summary {
    seeds: u64,
    crashes: usize,
    refused: usize,
    sales: usize,
    paid: usize,
    topped_up: usize,
    refunded: usize,
    refund_due: usize,
    unresolved: usize,
    double_topups: usize,
    lost_paid: usize,
    violations: Vec<String>,
}

impl Summary {
    fn add(&mut self, report: SoakReport) {
        self.seeds += 1;
        self.crashes += report.crashes;
        self.refused += report.refused;
        let t = report.tally;
        self.sales += t.sales;
        self.paid += t.paid;
        self.topped_up += t.topped_up;
        self.refunded += t.refunded;
        self.refund_due += t.refund_due;
        self.unresolved += t.unresolved;
        self.double_topups += t.double_topups;
        self.lost_paid += t.lost_paid;
        self.violations.extend(
            t.violations
                .into_iter()
                .map(|v| format!("seed {}: {v}", report.seed)),
        );
    }
}

/// Runs the soak; exit 1 on any violation, 2 on bad arguments or a run that could not start.
pub fn run(args: SoakArgs) -> ExitCode {
    if args.db.is_some() && args.seeds != 1 {
        eprintln!("termdee soak: --db takes one seed (drop --seeds)");
        return ExitCode::from(2);
    }
    // Ledger writes block their thread for an fsync (synchronous=FULL): enough threads keep the
    // simulators (same runtime) answering while many seeds write.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.jobs.clamp(4, 64))
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("termdee soak: {error}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async {
        let mut summary = Summary::default();
        let mut single = None;
        let seeds: Vec<u64> = (0..args.seeds).map(|i| args.seed.wrapping_add(i)).collect();
        let mut template = termdee_scenarios::soak::SoakOptions::new(args.seed, args.sales);
        template.crash = args.crash;
        template.db = args.db.clone();
        let reports = termdee_scenarios::soak::run_many(&seeds, &template, args.jobs)
            .await
            .map_err(|e| e.to_string())?;
        for report in reports {
            if args.seeds == 1 {
                single = Some(report.clone());
            }
            summary.add(report);
        }
        Ok::<_, String>((summary, single))
    });
    match result {
        Ok((summary, single)) => {
            let failed = !summary.violations.is_empty();
            let line = match single {
                Some(report) => serde_json::to_string(&report),
                None => serde_json::to_string(&summary),
            };
            match line {
                Ok(line) => println!("{line}"),
                Err(error) => {
                    eprintln!("termdee soak: {error}");
                    return ExitCode::from(2);
                }
            }
            if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(error) => {
            eprintln!("termdee soak: {error}");
            ExitCode::from(2)
        }
    }
}
