//! The soak in the test run: a thousand seeds with faults and kills, and proof that the
//! checker itself catches a double top-up.

use std::path::Path;
use std::sync::Arc;

use termdee_app::engine::{NoCrash, SaleRequest};
use termdee_domain::{Actor, ActorKind, Network, PaymentMethod, Satang};
use termdee_providers::easysoft::api::EasysoftNetwork;
use termdee_providers::easysoft::EasysoftRefillRequest;
use termdee_providers::{EasysoftClient, EasysoftConfig, Transport};
use termdee_scenarios::check::tally;
use termdee_scenarios::soak::{run_many, SoakOptions};
use termdee_scenarios::{Faults, World};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(32)
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn a_thousand_seeds_with_faults_and_kills_keep_every_money_invariant() {
    let seeds: Vec<u64> = (1..=1000).collect();
    let mut template = SoakOptions::new(0, 4);
    template.crash = true;
    // The ledgers go in memory (tmpfs) where Linux has it. The soak's kills are simulated in
    // the process, so the page cache is never lost and an fsync proves nothing here (the SIGKILL
    // tests in crates/cli/tests/crash.rs kill real processes); on disk the thousand seeds' fsyncs
    // were a sixth of the soak's time on this 2-core machine.
    // Only with room to spare (a container's /dev/shm can be 64 MiB; a seed's ledger and log
    // take a few MiB, 32 at a time).
    let shm = Path::new("/dev/shm");
    let room = rustix::fs::statvfs(shm).map_or(0, |fs| fs.f_bavail.saturating_mul(fs.f_frsize));
    if room >= 1 << 30 {
        template.scratch_dir = Some(shm.to_path_buf());
    }
    let reports = runtime()
        .block_on(run_many(&seeds, &template, 32))
        .expect("soak runs");
    assert_eq!(reports.len(), 1000);
    let violations: Vec<String> = reports
        .iter()
        .flat_map(|r| {
            r.tally
                .violations
                .iter()
                .map(move |v| format!("seed {}: {v}", r.seed))
        })
        .collect();
    assert!(violations.is_empty(), "{violations:#?}");
    let sum = |f: &dyn Fn(&termdee_scenarios::soak::SoakReport) -> usize| {
        reports.iter().map(f).sum::<usize>()
    };
    assert_eq!(sum(&|r| r.tally.double_topups), 0);
    assert_eq!(sum(&|r| r.tally.lost_paid), 0);
    // Not vacuous: kills happened, and every ending was reached somewhere.
    assert!(sum(&|r| r.crashes) > 1000, "kills: {}", sum(&|r| r.crashes));
    assert!(sum(&|r| r.tally.topped_up) > 2000);
    assert!(sum(&|r| r.tally.refunded) > 0);
    assert!(sum(&|r| r.tally.refund_due) > 0);
    assert!(sum(&|r| r.tally.paid) > 3000);
}

#[test]
fn the_checker_catches_a_phone_credited_twice() {
    let runtime = runtime();
    runtime.block_on(async {
        let world = World::start(Faults::none()).await.expect("simulators");
        let dir = tempfile::tempdir().expect("temp dir");
        let ledger = world
            .open_ledger(&dir.path().join("l.sqlite"))
            .expect("ledger");
        let running = world
            .engine(ledger.clone(), Arc::new(NoCrash))
            .await
            .expect("engine");
        let cashier = Actor::new(ActorKind::Cashier, "cashier-a");
        let sale = running
            .engine
            .start_sale(
                &SaleRequest {
                    operator_id: "cashier-a".into(),
                    network: Network::Dtac,
                    phone: "0812223333".into(),
                    amount: Satang::new(2000),
                    method: PaymentMethod::Cash,
                },
                &cashier,
            )
            .await
            .expect("sale");
        running
            .engine
            .confirm_payment(&sale.id, &cashier)
            .await
            .expect("paid");
        for _ in 0..400 {
            running.engine.tick().await.expect("tick");
            if ledger.open_sales().expect("open").is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let clean = tally(&world, &ledger, true).expect("tally");
        assert!(clean.violations.is_empty(), "{:?}", clean.violations);
        assert_eq!(clean.topped_up, 1);
        // A buggy second top-up of the same number, straight to Easysoft.
        let easysoft = EasysoftClient::new(
            EasysoftConfig {
                endpoint: url::Url::parse(&world.easysoft.url()).expect("url"),
                username: "demo".into(),
                password: secrecy::SecretString::from("demo1234"),
                users: None,
            },
            Transport::new(Default::default()).expect("transport"),
        );
        easysoft
            .refill(&EasysoftRefillRequest {
                network: EasysoftNetwork::Dtac,
                number: "0812223333".into(),
                cash: Satang::new(2000),
                users: None,
            })
            .await
            .expect("refill");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let broken = tally(&world, &ledger, true).expect("tally");
        assert_eq!(broken.double_topups, 1, "{broken:?}");
        assert!(!broken.violations.is_empty());
    });
}
