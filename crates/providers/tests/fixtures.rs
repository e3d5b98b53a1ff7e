//! Every wire fixture under tests/fixtures/{wepay,easysoft} through its parser, with the outcome
//! it must give. A fixture file without an entry here fails `every_fixture_is_covered`.

use termdee_domain::Satang;
use termdee_providers::easysoft::api as easysoft;
use termdee_providers::wepay::api as wepay;
use termdee_providers::wepay::{WepayCallback, WepayResultStatus};
use termdee_providers::{
    HttpReply, NextStep, ProviderError, RefundOutcome, RejectKind, TopupOutcome, TopupStatus,
    UnknownReason,
};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures");

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{path}")).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

fn ok(path: &str) -> HttpReply {
    HttpReply::new(200, fixture(path))
}

/// Every fixture file this test file exercises (checked against the directory listing).
const COVERED: &[&str] = &[
    "wepay/balance_ok.json",
    "wepay/balance_strings.json",
    "wepay/order_accepted.json",
    "wepay/order_accepted_numeric_id.json",
    "wepay/order_accepted_without_transaction_id.json",
    "wepay/order_duplicate_30016.json",
    "wepay/order_insufficient_balance_30019.json",
    "wepay/order_ip_not_allowed_20005.json",
    "wepay/order_invalid_resp_url_30005.json",
    "wepay/order_invalid_phone_30009.json",
    "wepay/order_internal_error_10004.json",
    "wepay/order_rate_limited_10003.json",
    "wepay/order_undocumented_code_30014.json",
    "wepay/get_output_succeeded.json",
    "wepay/get_output_failed.json",
    "wepay/get_output_undocumented_status.json",
    "wepay/get_output_processing_30004.json",
    "wepay/get_output_not_found_30003.json",
    "wepay/catalogue.json",
    "wepay/payee_info.json",
    "wepay/refund_succeed.txt",
    "wepay/refund_error.txt",
    "wepay/refund_ip_not_allowed.json",
    "wepay/callback_succeeded.form",
    "wepay/callback_failed.form",
    "wepay/callback_succeeded.json",
    "wepay/callback_refund.form",
    "wepay/callback_missing_transaction_id.form",
    "wepay/callback_undocumented_status.form",
    "wepay/cloudflare_403.html",
    "wepay/truncated.json",
    "wepay/empty.txt",
    "easysoft/refill_accepted.xml",
    "easysoft/refill_accepted_pretty_declared.xml",
    "easysoft/refill_rejected_thai_detail.xml",
    "easysoft/refill_accepted_without_orderid.xml",
    "easysoft/refill_undocumented_status.xml",
    "easysoft/refill_rejected_tis620.xml",
    "easysoft/update_pending.xml",
    "easysoft/update_succeeded.xml",
    "easysoft/update_cancelled.xml",
    "easysoft/update_undocumented_value.xml",
    "easysoft/update_query_error.xml",
    "easysoft/return_accepted.xml",
    "easysoft/return_rejected.xml",
    "easysoft/balance_ok.xml",
    "easysoft/balance_bad_credentials.xml",
    "easysoft/online_ok.xml",
    "easysoft/html_error_page.html",
    "easysoft/truncated.xml",
    "easysoft/json_instead_of_xml.json",
    "easysoft/callback_succeeded.form",
    "easysoft/callback_cancelled.form",
    "easysoft/callback_missing_orderid.form",
];

#[test]
fn every_fixture_is_covered() {
    for provider in ["wepay", "easysoft"] {
        for entry in std::fs::read_dir(format!("{FIXTURES}/{provider}")).expect("fixture dir") {
            let name = entry
                .expect("dir entry")
                .file_name()
                .into_string()
                .expect("utf-8 name");
            let path = format!("{provider}/{name}");
            assert!(
                COVERED.contains(&path.as_str()),
                "fixture {path} has no test in fixtures.rs"
            );
        }
    }
}

fn unknown_reason(outcome: &TopupOutcome) -> &UnknownReason {
    match outcome {
        TopupOutcome::Unknown(unknown) => &unknown.reason,
        other => panic!("expected unknown, got {other:?}"),
    }
}

// ------------------------------------------------------------------------------ wePAY

#[test]
fn wepay_balance_number_and_string() {
    let balance = wepay::parse_balance_reply(&ok("wepay/balance_ok.json")).expect("balance");
    assert_eq!(balance.available, Satang::new(29_998_774));
    assert_eq!(balance.ledger, Some(Satang::new(29_998_774)));
    let balance = wepay::parse_balance_reply(&ok("wepay/balance_strings.json")).expect("balance");
    assert_eq!(balance.available, Satang::new(16_224));
}

#[test]
fn wepay_order_accepted_is_not_success() {
    for path in [
        "wepay/order_accepted.json",
        "wepay/order_accepted_numeric_id.json",
    ] {
        match wepay::parse_order_reply(&ok(path), "ORDER1") {
            TopupOutcome::Accepted(accepted) => {
                assert_eq!(accepted.provider_ref, "394209456");
                assert_eq!(
                    accepted.debited,
                    Some(Satang::new(484)),
                    "total_amount 4.84 exactly"
                );
                assert_eq!(accepted.balance_after, Some(Satang::new(16_224)));
            }
            other => panic!("{path}: expected accepted, got {other:?}"),
        }
    }
}

#[test]
fn wepay_order_accepted_without_id_waits_for_callback() {
    match wepay::parse_order_reply(
        &ok("wepay/order_accepted_without_transaction_id.json"),
        "A1",
    ) {
        TopupOutcome::Unknown(unknown) => assert_eq!(unknown.next_step, NextStep::WaitForCallback),
        other => panic!("expected unknown, got {other:?}"),
    }
}

#[test]
fn wepay_duplicate_is_already_exists_never_failure() {
    assert_eq!(
        wepay::parse_order_reply(&ok("wepay/order_duplicate_30016.json"), "ORDER1"),
        TopupOutcome::AlreadyExists {
            reference: "ORDER1".to_owned()
        }
    );
}

#[test]
fn wepay_rejections_carry_code_and_kind() {
    let cases = [
        (
            "wepay/order_insufficient_balance_30019.json",
            "30019",
            RejectKind::InsufficientBalance,
        ),
        (
            "wepay/order_ip_not_allowed_20005.json",
            "20005",
            RejectKind::IpNotAllowed,
        ),
        (
            "wepay/order_invalid_resp_url_30005.json",
            "30005",
            RejectKind::Configuration,
        ),
        (
            "wepay/order_invalid_phone_30009.json",
            "30009",
            RejectKind::InvalidRecipient,
        ),
    ];
    for (path, code, kind) in cases {
        match wepay::parse_order_reply(&ok(path), "ORDER1") {
            TopupOutcome::Rejected(rejection) => {
                assert_eq!(rejection.code, code, "{path}");
                assert_eq!(rejection.kind, kind, "{path}");
                assert!(
                    !rejection.message.is_empty(),
                    "{path}: message or description"
                );
            }
            other => panic!("{path}: expected rejected, got {other:?}"),
        }
    }
}

#[test]
fn wepay_internal_rate_limit_and_undocumented_codes_are_unknown() {
    let internal = wepay::parse_order_reply(&ok("wepay/order_internal_error_10004.json"), "A");
    assert_eq!(
        unknown_reason(&internal),
        &UnknownReason::ProviderInternalError {
            code: "10004".to_owned()
        }
    );
    let limited = wepay::parse_order_reply(&ok("wepay/order_rate_limited_10003.json"), "A");
    assert_eq!(
        unknown_reason(&limited),
        &UnknownReason::RateLimited {
            code: "10003".to_owned()
        }
    );
    let new = wepay::parse_order_reply(&ok("wepay/order_undocumented_code_30014.json"), "A");
    assert_eq!(
        unknown_reason(&new),
        &UnknownReason::UnknownCode {
            code: "30014".to_owned()
        }
    );
    match new {
        TopupOutcome::Unknown(unknown) => {
            assert_eq!(unknown.next_step, NextStep::ResendSameReference)
        }
        other => panic!("expected unknown, got {other:?}"),
    }
}

#[test]
fn wepay_html_truncated_empty_and_5xx_are_unknown() {
    let html = HttpReply::new(403, fixture("wepay/cloudflare_403.html"));
    assert_eq!(
        unknown_reason(&wepay::parse_order_reply(&html, "A")),
        &UnknownReason::UnexpectedStatus { status: 403 }
    );
    let html_200 = ok("wepay/cloudflare_403.html");
    assert_eq!(
        unknown_reason(&wepay::parse_order_reply(&html_200, "A")),
        &UnknownReason::UnexpectedBody
    );
    for path in ["wepay/truncated.json", "wepay/empty.txt"] {
        assert_eq!(
            unknown_reason(&wepay::parse_order_reply(&ok(path), "A")),
            &UnknownReason::UnexpectedBody
        );
    }
    let server_error = HttpReply::new(502, fixture("wepay/order_accepted.json"));
    assert_eq!(
        unknown_reason(&wepay::parse_order_reply(&server_error, "A")),
        &UnknownReason::ServerError { status: 502 },
        "a 5xx is unknown even with a success body"
    );
    assert!(wepay::parse_balance_reply(&html).is_err());
    assert!(wepay::parse_get_output_reply(&html_200).is_err());
}

#[test]
fn wepay_get_output_paths() {
    match wepay::parse_get_output_reply(&ok("wepay/get_output_succeeded.json")).expect("status") {
        TopupStatus::Succeeded(result) => {
            assert_eq!(result.reference.as_deref(), Some("ORDER12345"));
            assert_eq!(result.provider_ref.as_deref(), Some("3871249"));
            assert_eq!(result.operator_ref.as_deref(), Some("1933602087"));
            assert_eq!(result.message.as_deref(), Some("success..."));
        }
        other => panic!("expected succeeded, got {other:?}"),
    }
    match wepay::parse_get_output_reply(&ok("wepay/get_output_failed.json")).expect("status") {
        TopupStatus::Failed(result) => assert_eq!(result.message.as_deref(), Some("เติมไม่สำเร็จ")),
        other => panic!("expected failed, got {other:?}"),
    }
    assert_eq!(
        wepay::parse_get_output_reply(&ok("wepay/get_output_processing_30004.json")).expect("ok"),
        TopupStatus::Pending
    );
    assert!(matches!(
        wepay::parse_get_output_reply(&ok("wepay/get_output_undocumented_status.json")),
        Ok(TopupStatus::Unknown { .. })
    ));
    match wepay::parse_get_output_reply(&ok("wepay/get_output_not_found_30003.json")) {
        Err(ProviderError::Rejected(rejection)) => assert_eq!(rejection.kind, RejectKind::NotFound),
        other => panic!("expected not found, got {other:?}"),
    }
}

#[test]
fn wepay_catalogue_reads_exact_prices() {
    let entries = wepay::parse_catalogue_reply(&ok("wepay/catalogue.json")).expect("catalogue");
    assert_eq!(entries.len(), 2, "only mtopup companies");
    assert_eq!(entries[0].product, "TRMV");
    assert_eq!(entries[0].name, "ทรูมูฟเฮช");
    assert_eq!(entries[0].min, Some(Satang::new(500)));
    assert_eq!(entries[0].max, Some(Satang::new(100_000)));
    assert_eq!(entries[0].refundable, Some(true));
    assert_eq!(
        entries[0].denominations,
        vec![Satang::new(500), Satang::new(1000), Satang::new(2000)]
    );
    assert_eq!(
        entries[1].denominations,
        vec![
            Satang::new(28_000),
            Satang::new(28_001),
            Satang::new(28_002)
        ],
        "packages differ by satang"
    );
    assert_eq!(entries[1].refundable, Some(false));
}

#[test]
fn wepay_payee_info() {
    let info = wepay::parse_service_info_reply(&ok("wepay/payee_info.json")).expect("info");
    assert_eq!(info.service_name.as_deref(), Some("ทรูมูฟเฮช"));
    assert_eq!(info.discount.as_ref().map(|d| d.text()), Some("3.2"));
    assert_eq!(info.sof_defined_amounts.map(|a| a.len()), Some(3));
    assert!(info.ref1.is_some() && info.ref2.is_none());
}

#[test]
fn wepay_refund_replies() {
    assert_eq!(
        wepay::parse_refund_reply(&ok("wepay/refund_succeed.txt")),
        RefundOutcome::Accepted {
            refund_id: Some("88123".to_owned())
        }
    );
    match wepay::parse_refund_reply(&ok("wepay/refund_error.txt")) {
        RefundOutcome::Rejected(rejection) => {
            assert_eq!(rejection.message, "Transaction not refundable")
        }
        other => panic!("expected rejected, got {other:?}"),
    }
    match wepay::parse_refund_reply(&ok("wepay/refund_ip_not_allowed.json")) {
        RefundOutcome::Rejected(rejection) => assert_eq!(rejection.kind, RejectKind::IpNotAllowed),
        other => panic!("expected rejected, got {other:?}"),
    }
    assert!(matches!(
        wepay::parse_refund_reply(&ok("wepay/cloudflare_403.html")),
        RefundOutcome::Unknown(_)
    ));
    assert!(matches!(
        wepay::parse_refund_reply(&ok("wepay/empty.txt")),
        RefundOutcome::Unknown(_)
    ));
}

#[test]
fn wepay_callbacks() {
    let form = Some("application/x-www-form-urlencoded");
    match wepay::parse_callback(form, &fixture("wepay/callback_succeeded.form")).expect("cb") {
        WepayCallback::Topup(cb) => {
            assert_eq!(cb.dest_ref, "ORDER12345");
            assert_eq!(cb.transaction_id, "3871249");
            assert_eq!(cb.status, WepayResultStatus::Succeeded);
            assert_eq!(
                wepay::acknowledge(&cb.dest_ref).body,
                "SUCCEED|ORDER_ID=ORDER12345"
            );
        }
        other => panic!("expected topup, got {other:?}"),
    }
    match wepay::parse_callback(form, &fixture("wepay/callback_failed.form")).expect("cb") {
        WepayCallback::Topup(cb) => {
            assert_eq!(cb.status, WepayResultStatus::Failed);
            assert!(matches!(cb.fields.topup_status(), TopupStatus::Failed(_)));
        }
        other => panic!("expected topup, got {other:?}"),
    }
    let json = wepay::parse_callback(
        Some("application/json"),
        &fixture("wepay/callback_succeeded.json"),
    );
    assert!(matches!(json, Ok(WepayCallback::Topup(ref cb)) if cb.transaction_id == "3871249"));
    match wepay::parse_callback(None, &fixture("wepay/callback_refund.form")).expect("cb") {
        WepayCallback::Refund(cb) => {
            assert_eq!(cb.refund_id, "88123");
            assert_eq!(cb.drawn_amount, Some(Satang::new(1000)));
            assert_eq!(cb.dest_ref, "REFUND0001");
        }
        other => panic!("expected refund, got {other:?}"),
    }
    assert!(
        wepay::parse_callback(form, &fixture("wepay/callback_missing_transaction_id.form"))
            .is_err()
    );
    match wepay::parse_callback(form, &fixture("wepay/callback_undocumented_status.form"))
        .expect("cb")
    {
        WepayCallback::Topup(cb) => {
            assert_eq!(cb.status, WepayResultStatus::Other("7".to_owned()));
            assert!(
                !cb.fields.topup_status().is_terminal(),
                "unknown status is not terminal"
            );
        }
        other => panic!("expected topup, got {other:?}"),
    }
}

// ------------------------------------------------------------------------------ Easysoft

#[test]
fn easysoft_refill_accepted() {
    for (path, id) in [
        ("easysoft/refill_accepted.xml", "123456"),
        ("easysoft/refill_accepted_pretty_declared.xml", "123457"),
    ] {
        match easysoft::parse_refill_reply(&ok(path)) {
            TopupOutcome::Accepted(accepted) => {
                assert_eq!(accepted.provider_ref, id);
                assert_eq!(accepted.discount_raw.as_deref(), Some("0.30"));
            }
            other => panic!("{path}: expected accepted, got {other:?}"),
        }
    }
}

#[test]
fn easysoft_refill_rejections_keep_thai_detail_verbatim() {
    for (path, detail) in [
        (
            "easysoft/refill_rejected_thai_detail.xml",
            "ยอดเงินคงเหลือไม่เพียงพอ",
        ),
        ("easysoft/refill_rejected_tis620.xml", "ระบบปิดปรับปรุง"),
    ] {
        match easysoft::parse_refill_reply(&ok(path)) {
            TopupOutcome::Rejected(rejection) => {
                assert_eq!(rejection.message, detail, "{path}");
                assert_eq!(rejection.code, "STATUS=0");
            }
            other => panic!("{path}: expected rejected, got {other:?}"),
        }
    }
}

#[test]
fn easysoft_refill_doubt_goes_to_manual_reconciliation() {
    for path in [
        "easysoft/refill_accepted_without_orderid.xml",
        "easysoft/refill_undocumented_status.xml",
        "easysoft/html_error_page.html",
        "easysoft/truncated.xml",
        "easysoft/json_instead_of_xml.json",
    ] {
        match easysoft::parse_refill_reply(&ok(path)) {
            TopupOutcome::Unknown(unknown) => {
                assert_eq!(unknown.next_step, NextStep::ManualReconciliation, "{path}")
            }
            other => panic!("{path}: expected unknown, got {other:?}"),
        }
    }
    let bad_gateway = HttpReply::new(502, fixture("easysoft/html_error_page.html"));
    assert_eq!(
        unknown_reason(&easysoft::parse_refill_reply(&bad_gateway)),
        &UnknownReason::ServerError { status: 502 }
    );
}

#[test]
fn easysoft_update_paths() {
    assert_eq!(
        easysoft::parse_update_reply(&ok("easysoft/update_pending.xml"), "1").expect("status"),
        TopupStatus::Pending
    );
    match easysoft::parse_update_reply(&ok("easysoft/update_succeeded.xml"), "1").expect("status") {
        TopupStatus::Succeeded(result) => assert_eq!(result.amount_raw.as_deref(), Some("9.70")),
        other => panic!("expected succeeded, got {other:?}"),
    }
    assert!(matches!(
        easysoft::parse_update_reply(&ok("easysoft/update_cancelled.xml"), "1"),
        Ok(TopupStatus::Failed(_))
    ));
    assert!(matches!(
        easysoft::parse_update_reply(&ok("easysoft/update_undocumented_value.xml"), "1"),
        Ok(TopupStatus::Unknown { .. })
    ));
    match easysoft::parse_update_reply(&ok("easysoft/update_query_error.xml"), "1") {
        Err(ProviderError::Rejected(rejection)) => assert_eq!(rejection.message, "ไม่พบรายการ"),
        other => panic!("expected query error, got {other:?}"),
    }
    assert!(easysoft::parse_update_reply(&ok("easysoft/html_error_page.html"), "1").is_err());
}

#[test]
fn easysoft_return_balance_online() {
    assert_eq!(
        easysoft::parse_return_reply(&ok("easysoft/return_accepted.xml")),
        RefundOutcome::Accepted { refund_id: None }
    );
    assert!(matches!(
        easysoft::parse_return_reply(&ok("easysoft/return_rejected.xml")),
        RefundOutcome::Rejected(_)
    ));
    assert!(matches!(
        easysoft::parse_return_reply(&ok("easysoft/truncated.xml")),
        RefundOutcome::Unknown(_)
    ));
    let balance = easysoft::parse_balance_reply(&ok("easysoft/balance_ok.xml")).expect("balance");
    assert_eq!(balance.available, Satang::new(123_450));
    assert!(matches!(
        easysoft::parse_balance_reply(&ok("easysoft/balance_bad_credentials.xml")),
        Err(ProviderError::Rejected(_))
    ));
    let networks =
        easysoft::parse_network_status_reply(&ok("easysoft/online_ok.xml")).expect("online");
    let open: Vec<_> = networks
        .iter()
        .map(|n| (n.product.as_str(), n.available))
        .collect();
    assert_eq!(
        open,
        vec![
            ("1", Some(true)),
            ("2", Some(true)),
            ("3", Some(true)),
            ("4", Some(false)),
            ("5", Some(true)),
            ("6", Some(true)),
            ("7", Some(false))
        ]
    );
}

#[test]
fn easysoft_callbacks() {
    let cb =
        easysoft::parse_callback(None, &fixture("easysoft/callback_succeeded.form")).expect("cb");
    assert_eq!(cb.order_id, "123456");
    assert_eq!(cb.detail.as_deref(), Some("เติมสำเร็จ"));
    assert!(matches!(cb.topup_status(), TopupStatus::Succeeded(_)));
    let cb =
        easysoft::parse_callback(None, &fixture("easysoft/callback_cancelled.form")).expect("cb");
    assert!(matches!(cb.topup_status(), TopupStatus::Failed(_)));
    assert!(
        easysoft::parse_callback(None, &fixture("easysoft/callback_missing_orderid.form")).is_err()
    );
    assert_eq!(easysoft::acknowledge().body, "OK");
}
