//! `termdee report` run as a real process against a ledger filled through the ledger's API.

use std::path::Path;
use std::process::{Command, Output};

use termdee_domain::{Actor, ActorKind, BusinessDay, Msisdn, Network, PaymentMethod, Satang};
use termdee_ledger::{
    Ledger, NewPayment, NewSale, NewTopup, Operator, OperatorKind, Register, RegisterKind,
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

/// A ledger on `path` with, on [`DAY`], op-alpha: two completed sales (50 and 100 baht) and one
/// expired; kiosk-1: one refund-due (20 baht); and on [`NEXT_DAY`], one completed sale of op-alpha.
fn fill(path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let ledger = Ledger::open(path)?;
    let start = BusinessDay::parse(DAY)?.start();
    ledger.upsert_register(
        &Register {
            id: "counter-1".into(),
            name: "Counter".into(),
            kind: RegisterKind::Counter,
        },
        start,
    )?;
    for (id, kind) in [
        ("op-alpha", OperatorKind::Cashier),
        ("kiosk-1", OperatorKind::Kiosk),
    ] {
        ledger.upsert_operator(
            &Operator {
                id: id.into(),
                name: id.into(),
                kind,
                easysoft_users: id.into(),
                active: true,
            },
            start,
        )?;
    }
    let sales = [
        ("A1", "op-alpha", 5_000, End::Completed, 0),
        ("A2", "op-alpha", 10_000, End::Completed, 0),
        ("A3", "op-alpha", 5_000, End::Unpaid, 0),
        ("K1", "kiosk-1", 2_000, End::RefundDue, 0),
        ("B1", "op-alpha", 15_000, End::Completed, 1),
    ];
    for (id, operator, amount, end, day) in sales {
        let at = start + day * 86_400_000 + 3_600_000;
        let actor = Actor::new(ActorKind::Cashier, operator);
        let (_, payment) = ledger.create_sale(
            &NewSale {
                id: id.into(),
                register_id: "counter-1".into(),
                operator_id: operator.into(),
                shift_id: None,
                network: Network::Dtac,
                phone: Msisdn::parse("0912345678")?,
                amount: Satang::new(amount),
                method: PaymentMethod::Cash,
                at,
            },
            &NewPayment {
                method: PaymentMethod::Cash,
                reference: id.into(),
                amount: Satang::new(amount),
            },
            &actor,
        )?;
        if matches!(end, End::Unpaid) {
            ledger.cancel_unpaid(id, at + 1, &actor)?;
            continue;
        }
        ledger.payment_received(payment.id, Satang::new(amount), at + 1, &actor)?;
        let topup = ledger.begin_topup(
            id,
            &NewTopup {
                provider: "wepay".into(),
                reference: format!("wp-{id}"),
                product: "HAPPY".into(),
                amount: Satang::new(amount),
                users: None,
            },
            at + 2,
            &Actor::poller(),
        )?;
        ledger.topup_progress(
            topup.id,
            TopupState::Pending,
            None,
            "",
            at + 3,
            &Actor::poller(),
        )?;
        match end {
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
fn json_is_one_document_with_the_day_and_each_operators_totals() {
    let (_dir, db) = filled();
    let output = termdee(&[
        "report", "--db", &db, "--day", DAY, "--by", "operator", "--format", "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(output.stderr.is_empty(), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 1, "{text}");
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["day"], DAY);
    let operators = report["operators"].as_array().unwrap();
    let ids: Vec<&str> = operators
        .iter()
        .map(|o| o["operator_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["kiosk-1", "op-alpha"]);
    let alpha = &operators[1];
    let pair =
        |v: &serde_json::Value| (v["count"].as_i64().unwrap(), v["satang"].as_i64().unwrap());
    assert_eq!(pair(&alpha["sales"]), (3, 20_000));
    assert_eq!(pair(&alpha["received"]), (2, 15_000));
    assert_eq!(pair(&alpha["completed"]), (2, 15_000));
    assert_eq!(pair(&alpha["unpaid"]), (1, 0));
    assert_eq!(pair(&alpha["refund_due"]), (0, 0));
    let kiosk = &operators[0];
    assert_eq!(pair(&kiosk["refund_due"]), (1, 2_000));
    assert_eq!(pair(&kiosk["completed"]), (0, 0));

    // Exactly the ledger's own figures, in OperatorTotals' serde form.
    let ledger = Ledger::open(&db).unwrap();
    let totals = ledger
        .daily_by_operator(BusinessDay::parse(DAY).unwrap())
        .unwrap();
    assert_eq!(report["operators"], serde_json::to_value(&totals).unwrap());
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
    assert_eq!(report["operators"].as_array().unwrap().len(), 1);
    assert_eq!(report["operators"][0]["completed"]["satang"], 15_000);
}

#[test]
fn csv_has_a_header_and_one_line_per_operator() {
    let (_dir, db) = filled();
    let output = termdee(&[
        "report", "--db", &db, "--day", DAY, "--by", "operator", "--format", "csv",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(output.stderr.is_empty());
    assert_eq!(
        stdout(&output),
        "operator_id,sales_count,sales_satang,received_count,received_satang,\
         completed_count,completed_satang,refunded_count,refunded_satang,\
         refund_due_count,refund_due_satang,needs_attention_count,needs_attention_satang,\
         in_progress_count,in_progress_satang,unpaid_count,unpaid_satang\n\
         kiosk-1,1,2000,1,2000,0,0,0,0,1,2000,0,0,0,0,0,0\n\
         op-alpha,3,20000,2,15000,2,15000,0,0,0,0,0,0,0,0,1,0\n"
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
    assert_eq!(stdout(&json), "{\"day\":\"2026-03-09\",\"operators\":[]}\n");
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
    assert_eq!(stdout(&csv).lines().count(), 1);
    assert!(stdout(&csv).starts_with("operator_id,"));
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
    for day in ["2026-02-30", "2026-3-01", "yesterday", ""] {
        let output = termdee(&["report", "--db", &db, "--day", day, "--by", "operator"]);
        assert_eq!(output.status.code(), Some(2), "{day}: {}", stderr(&output));
        assert!(output.stdout.is_empty(), "{day}");
        assert!(
            stderr(&output).contains("--day"),
            "{day}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn only_operator_grouping_and_known_formats_are_accepted() {
    let (_dir, db) = filled();
    for args in [["--by", "register"], ["--format", "xml"]] {
        let mut all = vec!["report", "--db", &db, "--day", DAY];
        all.extend(args);
        let output = termdee(&all);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty());
    }
}
