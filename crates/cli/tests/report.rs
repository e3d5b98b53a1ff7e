//! `termdee report` run as a real process against a ledger filled through the ledger's API.

use std::path::Path;
use std::process::{Command, Output};

use termdee_domain::{Actor, ActorKind, BusinessDay, Msisdn, Network, PaymentMethod, Satang};
use termdee_ledger::{
    Ledger, NewPayment, NewSale, NewTopup, Operator, OperatorRole, Register, RegisterKind,
    TopupState,
};

fn termdee(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_termdee"))
        .args(args)
        .output()
        .expect("the termdee binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

const DAY: &str = "2026-03-01";
const NEXT_DAY: &str = "2026-03-02";

/// How a test sale ends.
#[derive(Debug, Clone, Copy)]
enum End {
    Unpaid,
    Completed,
    RefundDue,
}

/// A sale of the test ledger.
struct Planned {
    id: &'static str,
    operator: &'static str,
    register: &'static str,
    network: Network,
    method: PaymentMethod,
    amount: i64,
    end: End,
    day: i64,
    provider: &'static str,
    /// What the provider said it debited, if it said.
    cost: Option<i64>,
}

/// A ledger on `path` with, on [`DAY`], op-alpha at the counter: two completed sales (50 baht
/// of dtac in cash through wePAY at 48.50, 100 baht of AIS by local QR through Easysoft, cost
/// unknown) and one cancelled; kiosk-1: one refund-due (20 baht of AIS by Tmweasy, wePAY); and on
/// [`NEXT_DAY`], one completed 150 baht dtac cash sale of op-alpha through wePAY at 145.50.
fn fill(path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let ledger = Ledger::open(path)?;
    let start = BusinessDay::parse(DAY)?.start();
    for (id, kind) in [
        ("counter-1", RegisterKind::Counter),
        ("kiosk-1", RegisterKind::Kiosk),
    ] {
        ledger.upsert_register(
            &Register {
                id: id.into(),
                name: id.into(),
                kind,
            },
            start,
        )?;
    }
    for (id, role) in [
        ("op-alpha", OperatorRole::Cashier),
        ("kiosk-1", OperatorRole::Kiosk),
    ] {
        ledger.upsert_operator(
            &Operator {
                id: id.into(),
                name: id.into(),
                role,
                easysoft_users: id.into(),
                active: true,
            },
            start,
        )?;
    }
    let sales = [
        Planned {
            id: "A1",
            operator: "op-alpha",
            register: "counter-1",
            network: Network::Dtac,
            method: PaymentMethod::Cash,
            amount: 5_000,
            end: End::Completed,
            day: 0,
            provider: "wepay",
            cost: Some(4_850),
        },
        Planned {
            id: "A2",
            operator: "op-alpha",
            register: "counter-1",
            network: Network::Ais,
            method: PaymentMethod::PromptPayLocal,
            amount: 10_000,
            end: End::Completed,
            day: 0,
            provider: "easysoft",
            cost: None,
        },
        Planned {
            id: "A3",
            operator: "op-alpha",
            register: "counter-1",
            network: Network::Dtac,
            method: PaymentMethod::Cash,
            amount: 5_000,
            end: End::Unpaid,
            day: 0,
            provider: "wepay",
            cost: None,
        },
        Planned {
            id: "K1",
            operator: "kiosk-1",
            register: "kiosk-1",
            network: Network::Ais,
            method: PaymentMethod::Tmweasy,
            amount: 2_000,
            end: End::RefundDue,
            day: 0,
            provider: "wepay",
            cost: Some(1_940),
        },
        Planned {
            id: "B1",
            operator: "op-alpha",
            register: "counter-1",
            network: Network::Dtac,
            method: PaymentMethod::Cash,
            amount: 15_000,
            end: End::Completed,
            day: 1,
            provider: "wepay",
            cost: Some(14_550),
        },
    ];
    for sale in sales {
        let at = start + sale.day * 86_400_000 + 3_600_000;
        let actor = Actor::new(ActorKind::Cashier, sale.operator);
        let (_, payment) = ledger.create_sale(
            &NewSale {
                id: sale.id.into(),
                register_id: sale.register.into(),
                operator_id: sale.operator.into(),
                shift_id: None,
                network: sale.network,
                phone: Msisdn::parse("0912345678")?,
                amount: Satang::new(sale.amount),
                method: sale.method,
                at,
            },
            &NewPayment {
                method: sale.method,
                reference: sale.id.into(),
                amount: Satang::new(sale.amount),
            },
            &actor,
        )?;
        if matches!(sale.end, End::Unpaid) {
            ledger.cancel_unpaid(sale.id, at + 1, &actor)?;
            continue;
        }
        ledger.payment_received(payment.id, Satang::new(sale.amount), at + 1, &actor)?;
        let topup = ledger.begin_topup(
            sale.id,
            &NewTopup {
                provider: sale.provider.into(),
                reference: format!("k-{}", sale.id),
                product: "HAPPY".into(),
                amount: Satang::new(sale.amount),
                users: None,
            },
            at + 2,
            &Actor::poller(),
        )?;
        ledger.topup_progress(
            topup.id,
            TopupState::Pending,
            None,
            sale.cost.map(Satang::new),
            "",
            at + 3,
            &Actor::poller(),
        )?;
        match sale.end {
            End::Completed => {
                ledger.topup_succeeded(topup.id, None, "ok", at + 4, &Actor::poller())?;
            }
            _ => {
                ledger.topup_failed(topup.id, "failed", at + 4, &Actor::poller())?;
            }
        }
    }
    Ok(())
}

fn filled() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("ledger.sqlite");
    fill(&path).expect("fill the ledger");
    let text = path.to_str().expect("utf-8 path").to_owned();
    (dir, text)
}

#[test]
fn json_is_one_document_with_the_range_and_each_operators_line() {
    let (_dir, db) = filled();
    let output = termdee(&[
        "report", "--db", &db, "--day", DAY, "--by", "operator", "--format", "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(output.stderr.is_empty(), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["from"], DAY);
    assert_eq!(report["to"], DAY);
    assert_eq!(report["by"], "operator");
    let rows = report["rows"].as_array().unwrap();
    let keys: Vec<&str> = rows.iter().map(|o| o["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["kiosk-1", "op-alpha"]);
    let alpha = &rows[1];
    let pair =
        |v: &serde_json::Value| (v["count"].as_i64().unwrap(), v["satang"].as_i64().unwrap());
    assert_eq!(pair(&alpha["sales"]), (3, 20_000));
    assert_eq!(pair(&alpha["received"]), (2, 15_000));
    assert_eq!(pair(&alpha["completed"]), (2, 15_000));
    assert_eq!(pair(&alpha["unpaid"]), (1, 0));
    assert_eq!(pair(&alpha["refund_due"]), (0, 0));
    assert_eq!(alpha["cost"], 4_850);
    assert_eq!(alpha["margin"], 15_000 - 4_850);
    let kiosk = &rows[0];
    assert_eq!(pair(&kiosk["refund_due"]), (1, 2_000));
    assert_eq!(pair(&kiosk["completed"]), (0, 0));
    // A cost said for a top-up that then failed is not a cost of the shop.
    assert_eq!(kiosk["cost"], 0);
    assert_eq!(pair(&report["total"]["sales"]), (4, 22_000));

    // Exactly the ledger's own figures, in ReportRow's serde form.
    let ledger = Ledger::open(&db).unwrap();
    let rows = ledger
        .daily_by_operator(BusinessDay::parse(DAY).unwrap())
        .unwrap();
    assert_eq!(report["rows"], serde_json::to_value(&rows).unwrap());
    assert_eq!(
        report["total"],
        serde_json::to_value(termdee_domain::report::total(&rows)).unwrap()
    );
}

#[test]
fn json_is_the_default_format_and_by_operator_the_default_grouping() {
    let (_dir, db) = filled();
    let explicit = termdee(&[
        "report", "--db", &db, "--day", NEXT_DAY, "--by", "operator", "--format", "json",
    ]);
    let implicit = termdee(&["report", "--db", &db, "--day", NEXT_DAY]);
    assert_eq!(implicit.status.code(), Some(0), "{}", stderr(&implicit));
    assert_eq!(stdout(&implicit), stdout(&explicit));
    let report: serde_json::Value = serde_json::from_str(&stdout(&implicit)).unwrap();
    assert_eq!(report["rows"].as_array().unwrap().len(), 1);
    assert_eq!(report["rows"][0]["completed"]["satang"], 15_000);
}

#[test]
fn a_day_is_the_same_report_as_a_range_of_that_one_day() {
    let (_dir, db) = filled();
    let day = termdee(&["report", "--db", &db, "--day", DAY, "--by", "network"]);
    let range = termdee(&[
        "report", "--db", &db, "--from", DAY, "--to", DAY, "--by", "network",
    ]);
    assert_eq!(range.status.code(), Some(0), "{}", stderr(&range));
    assert_eq!(stdout(&day), stdout(&range));
}

#[test]
fn csv_has_a_header_one_line_per_operator_and_the_total_in_baht() {
    let (_dir, db) = filled();
    let output = termdee(&[
        "report", "--db", &db, "--day", DAY, "--by", "operator", "--format", "csv",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(output.stderr.is_empty());
    assert_eq!(
        stdout(&output),
        "line,operator,sales_count,sales_baht,received_count,received_baht,\
         completed_count,completed_baht,refunded_count,refunded_baht,\
         refund_due_count,refund_due_baht,needs_attention_count,needs_attention_baht,\
         in_progress_count,in_progress_baht,unpaid_count,unpaid_baht,cost_baht,margin_baht\n\
         row,kiosk-1,1,20.00,1,20.00,0,0.00,0,0.00,1,20.00,0,0.00,0,0.00,0,0.00,0.00,0.00\n\
         row,op-alpha,3,200.00,2,150.00,2,150.00,0,0.00,0,0.00,0,0.00,0,0.00,1,0.00,48.50,101.50\n\
         total,,4,220.00,3,170.00,2,150.00,0,0.00,1,20.00,0,0.00,0,0.00,1,0.00,48.50,101.50\n"
    );
}

/// The `key` and (sales count, completed satang, cost) of each line of a JSON report.
fn lines(output: &Output) -> Vec<(String, i64, i64, i64)> {
    assert_eq!(output.status.code(), Some(0), "{}", stderr(output));
    let report: serde_json::Value =
        serde_json::from_str(&stdout(output)).expect("the report is JSON");
    let number = |v: &serde_json::Value| v.as_i64().expect("a number");
    report["rows"]
        .as_array()
        .expect("rows is a list")
        .iter()
        .map(|r| {
            (
                r["key"].as_str().expect("a key").to_owned(),
                number(&r["sales"]["count"]),
                number(&r["completed"]["satang"]),
                number(&r["cost"]),
            )
        })
        .collect()
}

#[test]
fn every_breakdown_over_a_range_of_days() {
    let (_dir, db) = filled();
    let run = |by: &str| {
        lines(&termdee(&[
            "report", "--db", &db, "--from", DAY, "--to", NEXT_DAY, "--by", by,
        ]))
    };
    let owned = |rows: &[(&str, i64, i64, i64)]| -> Vec<(String, i64, i64, i64)> {
        rows.iter()
            .map(|(k, a, b, c)| ((*k).to_owned(), *a, *b, *c))
            .collect()
    };
    assert_eq!(
        run("operator"),
        owned(&[("kiosk-1", 1, 0, 0), ("op-alpha", 4, 30_000, 19_400)])
    );
    assert_eq!(
        run("network"),
        owned(&[("ais", 2, 10_000, 0), ("dtac", 3, 20_000, 19_400)])
    );
    // The cancelled sale never reached a provider: its key is "".
    assert_eq!(
        run("provider"),
        owned(&[
            ("", 1, 0, 0),
            ("easysoft", 1, 10_000, 0),
            ("wepay", 3, 20_000, 19_400)
        ])
    );
    assert_eq!(
        run("method"),
        owned(&[
            ("cash", 3, 20_000, 19_400),
            ("promptpay_local", 1, 10_000, 0),
            ("tmweasy", 1, 0, 0)
        ])
    );
    assert_eq!(
        run("register"),
        owned(&[("counter-1", 4, 30_000, 19_400), ("kiosk-1", 1, 0, 0)])
    );
}

#[test]
fn a_day_without_sales_is_an_empty_report_not_an_error() {
    let (_dir, db) = filled();
    let json = termdee(&[
        "report",
        "--db",
        &db,
        "--day",
        "2026-03-09",
        "--by",
        "operator",
    ]);
    assert_eq!(json.status.code(), Some(0), "{}", stderr(&json));
    let report: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(report["rows"], serde_json::json!([]));
    assert_eq!(report["total"]["sales"]["count"], 0);
    let csv = termdee(&[
        "report",
        "--db",
        &db,
        "--day",
        "2026-03-09",
        "--by",
        "operator",
        "--format",
        "csv",
    ]);
    assert_eq!(csv.status.code(), Some(0));
    let text = stdout(&csv);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.starts_with("line,operator,"));
    assert!(text.lines().nth(1).unwrap().starts_with("total,,0,0.00,"));
}

#[test]
fn a_missing_ledger_is_an_error_and_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nowhere.sqlite");
    let db = path.to_str().unwrap();
    let output = termdee(&["report", "--db", db, "--day", DAY, "--by", "operator"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let message = stderr(&output);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(message.contains("nowhere.sqlite"), "{message}");
    assert!(!path.exists(), "the report created a ledger");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_file_that_is_not_a_ledger_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(
        &path,
        "not a database, just some notes that are long enough\n".repeat(100),
    )
    .unwrap();
    let output = termdee(&["report", "--db", path.to_str().unwrap(), "--day", DAY]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));
}

#[test]
fn a_bad_day_is_refused_with_exit_code_2() {
    let (_dir, db) = filled();
    for (flag, day) in [
        ("--day", "2026-02-30"),
        ("--day", "2026-3-01"),
        ("--day", "yesterday"),
        ("--day", ""),
        ("--from", "2026-13-01"),
    ] {
        let mut args = vec!["report", "--db", &db, flag, day];
        if flag == "--from" {
            args.extend(["--to", DAY]);
        }
        let output = termdee(&args);
        assert_eq!(output.status.code(), Some(2), "{day}: {}", stderr(&output));
        assert!(output.stdout.is_empty(), "{day}");
        assert!(stderr(&output).contains(flag), "{day}: {}", stderr(&output));
    }
}

#[test]
fn a_range_must_have_both_ends_in_order_and_not_with_a_day() {
    let (_dir, db) = filled();
    let cases: [&[&str]; 5] = [
        &["--from", DAY],
        &["--to", DAY],
        &["--day", DAY, "--from", DAY, "--to", DAY],
        &["--from", NEXT_DAY, "--to", DAY],
        &[],
    ];
    for args in cases {
        let mut all = vec!["report", "--db", &db];
        all.extend(args);
        let output = termdee(&all);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(!stderr(&output).is_empty(), "{args:?}");
    }
    let reversed = termdee(&["report", "--db", &db, "--from", NEXT_DAY, "--to", DAY]);
    assert!(
        stderr(&reversed).contains("before it starts"),
        "{}",
        stderr(&reversed)
    );
}

#[test]
fn unknown_groupings_and_formats_are_refused() {
    let (_dir, db) = filled();
    for args in [["--by", "shift"], ["--format", "xml"]] {
        let mut all = vec!["report", "--db", &db, "--day", DAY];
        all.extend(args);
        let output = termdee(&all);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty());
    }
}
