//! `termdee promptpay` run as a real process: output streams, exit codes, files written.

use std::process::{Command, Output};

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

// Ascending tag order; the CRC was cross-checked with promptparse 1.6.0's withCrcTag.
const MOBILE_4_22: &str =
    "00020101021229370016A00000067701011101130066812345678530376454044.225802TH63042352";

#[test]
fn new_prints_only_the_payload() {
    let output = termdee(&["promptpay", "new", "081-234-5678", "--amount", "4.22"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), format!("{MOBILE_4_22}\n"));
    assert!(output.stderr.is_empty());
}

#[test]
fn new_without_amount_is_a_static_qr() {
    let output = termdee(&["promptpay", "new", "1234567890123"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output).starts_with("000201010211"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn new_bill_payment() {
    let output = termdee(&[
        "promptpay",
        "new",
        "--biller",
        "010753600010286",
        "--ref1",
        "INV12345",
        "--amount",
        "300",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("30510016A00000067701011201150107536000102860208INV12345"),
        "{text}"
    );
    assert!(text.contains("5406300.00"), "{text}");
}

#[test]
fn png_file_scans_back_to_the_printed_payload() {
    let folder = tempfile::tempdir().unwrap();
    let png_path = folder.path().join("qr.png");
    let svg_path = folder.path().join("qr.svg");
    let output = termdee(&[
        "promptpay",
        "new",
        "0812345678",
        "--amount",
        "4.22",
        "--png",
        png_path.to_str().unwrap(),
        "--svg",
        svg_path.to_str().unwrap(),
        "--ec",
        "H",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        format!("{MOBILE_4_22}\n"),
        "stdout holds the payload only"
    );

    let image = image::open(&png_path).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    let (meta, content) = grids[0].decode().unwrap();
    assert_eq!(content, MOBILE_4_22);
    assert_eq!(meta.ecc_level, 2, "--ec H was used (rqrr numbers H as 2)");
    assert!(std::fs::read_to_string(&svg_path)
        .unwrap()
        .starts_with("<svg"));
}

#[test]
fn decode_prints_json_with_every_tag_and_the_target() {
    let output = termdee(&["promptpay", "decode", MOBILE_4_22]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["crc_ok"], true);
    assert_eq!(report["target_kind"], "mobile");
    assert_eq!(report["target"], "0066812345678");
    assert_eq!(report["target_display"], "081-234-5678");
    assert_eq!(report["amount"], "4.22");
    assert_eq!(report["amount_satang"], 422);
    let tags: Vec<&str> = report["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tag"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["00", "01", "29", "53", "54", "58", "63"]);
    let nested = &report["tags"][2]["children"];
    assert_eq!(nested[0]["value"], "A000000677010111");
    assert_eq!(nested[1]["tag"], "01");
}

#[test]
fn decode_with_a_bad_crc_prints_the_json_and_exits_1() {
    let tampered = MOBILE_4_22.replace("54044.22", "54049.22");
    let output = termdee(&["promptpay", "decode", &tampered]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["crc_ok"], false);
    assert_eq!(report["amount"], "9.22");
    assert!(stderr(&output).contains("CRC"), "{}", stderr(&output));
}

#[test]
fn decode_of_a_broken_structure_exits_1_with_one_line() {
    let output = termdee(&["promptpay", "decode", "00020101021"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let message = stderr(&output);
    assert!(
        message.starts_with("termdee: invalid payload:"),
        "{message}"
    );
    assert_eq!(message.lines().count(), 1, "{message}");
}

#[test]
fn bad_input_is_one_line_naming_the_problem_and_exit_2() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["promptpay", "new", "0812345678", "--amount", "abc"],
            "termdee: invalid amount \"abc\":",
        ),
        (
            &["promptpay", "new", "0812345678", "--amount", "0"],
            "termdee: invalid amount \"0\":",
        ),
        (
            &["promptpay", "new", "0812345678", "--amount", "10000000000"],
            "termdee: invalid amount \"10000000000\":",
        ),
        (
            &["promptpay", "new", "12345"],
            "termdee: invalid PromptPay ID \"12345\":",
        ),
        (
            &["promptpay", "new", "08123x5678"],
            "termdee: invalid PromptPay ID \"08123x5678\":",
        ),
        (
            &[
                "promptpay",
                "new",
                "--biller",
                "010753600010286",
                "--ref1",
                "ใบแจ้งหนี้",
            ],
            "termdee: invalid bill payment:",
        ),
    ];
    for (args, expected) in cases {
        let output = termdee(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}: nothing on stdout");
        let message = stderr(&output);
        assert!(message.starts_with(expected), "{args:?}: {message}");
        assert_eq!(message.lines().count(), 1, "{args:?}: {message}");
    }
}

#[test]
fn unwritable_png_path_is_exit_2_and_prints_no_payload() {
    let output = termdee(&[
        "promptpay",
        "new",
        "0812345678",
        "--png",
        "/nonexistent-folder/qr.png",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(stderr(&output).starts_with("termdee: cannot write PNG /nonexistent-folder/qr.png:"));
}

#[test]
fn usage_errors_exit_2() {
    // An ID and --biller together, and neither, are refused by the argument parser.
    let both = termdee(&[
        "promptpay",
        "new",
        "0812345678",
        "--biller",
        "010753600010286",
        "--ref1",
        "X",
    ]);
    assert_eq!(both.status.code(), Some(2));
    let neither = termdee(&["promptpay", "new", "--amount", "1"]);
    assert_eq!(neither.status.code(), Some(2));
    let bad_ec = termdee(&["promptpay", "new", "0812345678", "--ec", "Q"]);
    assert_eq!(bad_ec.status.code(), Some(2));
}
