//! Property tests for the payment providers: no parser panics on arbitrary input, unknown is
//! never failure, and whole-baht / satang conversions are exact.

use proptest::prelude::*;
use termdee_domain::Satang;
use termdee_providers::bluepay::api as bluepay;
use termdee_providers::deposit_qr::api as deposit;
use termdee_providers::tmweasy::api as tmweasy;
use termdee_providers::{payments_fuzzing, Countdown, HttpReply, QrCreateOutcome, QrPaymentStatus};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn no_parser_panics_on_bytes(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        payments_fuzzing::tmweasy_reply(&data);
        payments_fuzzing::deposit_qr_reply(&data);
        payments_fuzzing::deposit_qr_callback(&data);
        payments_fuzzing::bluepay_reply(&data);
        payments_fuzzing::bluepay_notification(&data);
        payments_fuzzing::qr_image(&data);
    }

    #[test]
    fn no_parser_panics_on_near_valid_json(
        status in "[0-9]{0,2}|\"[0-9a-z]{0,3}\"|null|true",
        amount in "-?[0-9]{0,9}(\\.[0-9]{0,4})?(e[0-9])?",
        id in "[0-9A-Za-z\\-]{0,12}",
        time in "[0-9 :T+\\-.Z]{0,34}",
        word in "[A-Z_]{0,14}",
    ) {
        let tm = format!(r#"{{"status":{status},"id_pay":"{id}","amount":{amount},"time_out":{amount},"qr_base64_image":"{id}"}}"#);
        payments_fuzzing::tmweasy_reply(tm.as_bytes());
        let dq = format!(r#"{{"status":"{word}","ref_id":"{id}","order_id":"S1-1","amount":{amount},"expire_time":"{time}","type":"DEPOSIT","txn_ref_order_id":"{id}","mdr_amount":"{amount}"}}"#);
        payments_fuzzing::deposit_qr_reply(dq.as_bytes());
        payments_fuzzing::deposit_qr_callback(dq.as_bytes());
        let bp = format!(r#"{{"code":{status},"message":"m","data":{{"mchOrderId":"S1","transactionId":"{id}","payUrl":"u","expiresTime":"{time}","amount":{amount},"transactionStatus":"{word}"}}}}"#);
        payments_fuzzing::bluepay_reply(bp.as_bytes());
        let param = format!(r#"{{"mchOrderId":"{id}","amount":{amount},"transactionStatus":"{word}","eventName":"order.payment.{word}"}}"#);
        payments_fuzzing::bluepay_notification(param.as_bytes());
        let _ = termdee_providers::parse_datetime(&time, 0);
    }

    /// Unknown is never failure: a 5xx, whatever its body, is an unknown create outcome.
    #[test]
    fn server_errors_are_always_unknown(status in 500u16..600, body in proptest::collection::vec(any::<u8>(), 0..200)) {
        let reply = HttpReply::new(status, body);
        let amount = Satang::new(5000);
        let unknown = |outcome: QrCreateOutcome| matches!(outcome, QrCreateOutcome::Unknown(_));
        prop_assert!(unknown(tmweasy::parse_create_pay_reply(&reply, "S1", amount)));
        prop_assert!(unknown(deposit::parse_create_deposit_reply(&reply, "S1-1", amount)));
        prop_assert!(unknown(bluepay::parse_generate_reply(&reply, "S1", amount)));
        prop_assert!(tmweasy::parse_confirm_reply(&reply, "1").is_err());
    }

    /// Tmweasy's "not yet" (status 0, any message) is pending, never failure or paid.
    #[test]
    fn confirm_status_zero_is_pending(msg in ".{0,40}", quoted in any::<bool>()) {
        let status = if quoted { serde_json::json!("0") } else { serde_json::json!(0) };
        let body = serde_json::json!({"status": status, "msg": msg}).to_string();
        let parsed = tmweasy::parse_confirm_reply(&HttpReply::new(200, body.into_bytes()), "1");
        let pending = matches!(parsed, Ok(QrPaymentStatus::Pending { .. }));
        prop_assert!(pending);
    }

    /// Whole baht go out exactly; any satang part is refused before sending.
    #[test]
    fn tmweasy_amounts_are_whole_baht(satang in 1i64..100_000_000) {
        let api = tmweasy::TmweasyApi::new(Default::default());
        let result = api.create_pay_request("S1", Satang::new(satang));
        if satang % 100 == 0 {
            let request = result.expect("whole baht accepted");
            let expected = format!("amount={}", satang / 100);
            prop_assert!(request.full_url().as_str().contains(&expected));
        } else {
            prop_assert!(result.is_err());
        }
    }

    /// BluePay amounts are integer satang both ways.
    #[test]
    fn bluepay_detail_amounts_are_satang(satang in 0i64..10_000_000_000) {
        let body = format!(r#"{{"code":10000,"data":{{"amount":{satang},"transactionStatus":"COMPLETED"}}}}"#);
        let order = bluepay::parse_detail_reply(&HttpReply::new(200, body.into_bytes())).expect("order");
        prop_assert_eq!(order.amount, Some(Satang::new(satang)));
    }

    /// A countdown never reports expired while remaining ≥ 0, and is monotonic.
    #[test]
    fn countdown_is_monotonic(remaining in -1000i64..100_000, start in 0u64..1_000_000, a in 0u64..200_000, b in 0u64..200_000) {
        let start = std::time::Duration::from_secs(start);
        let countdown = Countdown::from_remaining(remaining, start);
        let (early, late) = (a.min(b), a.max(b));
        let early = start + std::time::Duration::from_millis(early * 10);
        let late = start + std::time::Duration::from_millis(late * 10);
        prop_assert!(countdown.remaining_seconds(early) >= countdown.remaining_seconds(late));
        prop_assert_eq!(countdown.is_expired(early), countdown.remaining_seconds(early) < 0);
    }
}
