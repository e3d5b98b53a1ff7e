//! Ingest rate: 50 registers pushing their outboxes to one hub at once.
//!
//! `cargo bench -p termdee-hub --bench ingest [-- REGISTERS SALES_PER_REGISTER]`
//!
//! Each register is a real SQLite ledger (on /dev/shm when it exists, so building them is quick)
//! filled through the ledger's API with whole cash sales (created, paid, top-up requested,
//! delivered: eight outbox entries per sale). A fresh PostgreSQL with its production durability
//! (fsync on) backs a hub on 127.0.0.1; then all registers' senders push at once, with the
//! production batch size, until every outbox is acknowledged. Prints the entries and sales
//! stored per second, and checks the hub holds exactly every entry.
// A benchmark stops at the first failure, and that is its report; its floats are timings and
// rates, never money.
#![allow(clippy::unwrap_used, clippy::float_arithmetic)]

use std::sync::Arc;
use std::time::Instant;

use secrecy::SecretString;
use termdee_app::fleet::{FleetConfig, HubClient, OutboxSender, PushOutcome};
use termdee_domain::{
    Actor, ActorKind, BusinessDay, ManualClock, Msisdn, Network, PaymentMethod, Satang, SystemClock,
};
use termdee_hub::cluster::{Cluster, Durability};
use termdee_hub::{Hub, Store};
use termdee_ledger::{
    Ledger, NewPayment, NewSale, NewTopup, Operator, OperatorRole, Register, RegisterKind,
};

fn build_register(folder: &std::path::Path, id: &str, sales: usize) -> Arc<Ledger> {
    let ledger = Ledger::open(folder.join(format!("{id}.sqlite"))).expect("a ledger");
    let start = BusinessDay::parse("2026-03-02").unwrap().start() + 8 * 3_600_000;
    let clock = ManualClock::at(start);
    ledger
        .upsert_register(
            &Register {
                id: id.to_owned(),
                name: id.to_owned(),
                kind: RegisterKind::Kiosk,
            },
            start,
        )
        .unwrap();
    let operator = format!("{id}-op");
    ledger
        .upsert_operator(
            &Operator {
                id: operator.clone(),
                name: operator.clone(),
                role: OperatorRole::Kiosk,
                easysoft_users: operator.clone(),
                active: true,
            },
            start,
        )
        .unwrap();
    let actor = Actor::new(ActorKind::Kiosk, &operator);
    for n in 0..sales {
        let at = {
            use termdee_domain::Clock;
            clock.advance(30_000);
            clock.now()
        };
        let sale_id = format!("{id}-{n:06}");
        let (_, payment) = ledger
            .create_sale(
                &NewSale {
                    id: sale_id.clone(),
                    register_id: id.to_owned(),
                    operator_id: operator.clone(),
                    shift_id: None,
                    network: Network::Ais,
                    phone: Msisdn::parse("0812345678").unwrap(),
                    amount: Satang::new(5_000),
                    method: PaymentMethod::Cash,
                    at,
                },
                &NewPayment {
                    method: PaymentMethod::Cash,
                    reference: sale_id.clone(),
                    amount: Satang::new(5_000),
                },
                &actor,
            )
            .unwrap();
        ledger
            .payment_received(payment.id, Satang::new(5_000), at + 1, &actor)
            .unwrap();
        let topup = ledger
            .begin_topup(
                &sale_id,
                &NewTopup {
                    provider: "wepay".into(),
                    reference: format!("wp-{sale_id}"),
                    product: "12CALL".into(),
                    amount: Satang::new(5_000),
                    users: None,
                },
                at + 2,
                &actor,
            )
            .unwrap();
        ledger
            .topup_succeeded(topup.id, Some("T"), "ok", at + 3, &Actor::poller())
            .unwrap();
    }
    Arc::new(ledger)
}

fn main() {
    // `cargo bench` passes `--bench`; the numbers, when given, come after `--`.
    let numbers: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let registers = numbers.first().copied().unwrap_or(50);
    let sales = numbers.get(1).copied().unwrap_or(200);

    let shm = std::path::Path::new("/dev/shm");
    let folder = if shm.is_dir() {
        tempfile::tempdir_in(shm)
    } else {
        tempfile::tempdir()
    }
    .expect("a folder for the ledgers");
    eprintln!("ingest bench: building {registers} ledgers × {sales} sales …");
    let built = Instant::now();
    let ids: Vec<String> = (1..=registers).map(|n| format!("kiosk-{n:02}")).collect();
    let ledgers: Vec<Arc<Ledger>> = std::thread::scope(|scope| {
        let handles: Vec<_> = ids
            .chunks(registers.div_ceil(2).max(1))
            .map(|chunk| {
                let folder = folder.path();
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|id| build_register(folder, id, sales))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a builder thread"))
            .collect()
    });
    let entries: i64 = ledgers
        .iter()
        .map(|l| l.outbox_status().unwrap().head_seq)
        .sum();
    eprintln!(
        "ingest bench: {entries} outbox entries built in {:.1} s",
        built.elapsed().as_secs_f64()
    );

    let cluster = Cluster::start_with(Durability::Full).expect("a PostgreSQL server");
    let hub_runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = runtime.block_on(cluster.database("hub_ingest")).unwrap();
    let setup = Store::connect(&url, 4).unwrap();
    runtime.block_on(setup.migrate()).unwrap();
    let tokens: Vec<String> = runtime.block_on(async {
        let mut tokens = Vec::new();
        for id in &ids {
            tokens.push(setup.enroll(id, None, 0).await.unwrap().token);
        }
        tokens
    });

    let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    socket.set_nonblocking(true).unwrap();
    let hub_url = url::Url::parse(&format!("http://{}/", socket.local_addr().unwrap())).unwrap();
    {
        let _inside = hub_runtime.enter();
        let listener = tokio::net::TcpListener::from_std(socket).unwrap();
        let hub = Arc::new(Hub::new(
            Store::connect(&url, 16).unwrap(),
            Arc::new(SystemClock),
        ));
        hub_runtime.spawn(async move {
            let _ = hub.serve(listener).await;
        });
    }

    let config = FleetConfig::default();
    let started = Instant::now();
    runtime.block_on(async {
        let mut tasks = Vec::new();
        for (ledger, token) in ledgers.iter().zip(&tokens) {
            let client =
                HubClient::new(&hub_url, SecretString::from(token.clone()), &config).unwrap();
            let sender = OutboxSender::new(
                ledger.clone(),
                client,
                Arc::new(SystemClock),
                config.clone(),
            );
            tasks.push(tokio::spawn(async move {
                while let PushOutcome::Pushed { more: true, .. } =
                    sender.push_once().await.expect("the hub takes the push")
                {}
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
    });
    let elapsed = started.elapsed().as_secs_f64();

    // Every entry stored once.
    runtime.block_on(async {
        for (id, ledger) in ids.iter().zip(&ledgers) {
            let head = ledger.outbox_status().unwrap().head_seq;
            assert_eq!(setup.applied_seq(id).await.unwrap(), head, "{id}");
            assert_eq!(
                setup.received_seqs(id).await.unwrap().len() as i64,
                head,
                "{id}"
            );
        }
    });
    let total_sales = (registers * sales) as f64;
    println!(
        "{{\"bench\":\"hub_ingest\",\"registers\":{registers},\"sales\":{},\"entries\":{entries},\
         \"seconds\":{elapsed:.2},\"entries_per_second\":{:.0},\"sales_per_second\":{:.0}}}",
        registers * sales,
        entries as f64 / elapsed,
        total_sales / elapsed
    );
    hub_runtime.shutdown_background();
}
