//! Property tests: no parser panics on arbitrary input, and the money/unknown rules hold for
//! generated replies.

use proptest::prelude::*;
use termdee_domain::Satang;
use termdee_providers::easysoft::api as easysoft;
use termdee_providers::fuzzing;
use termdee_providers::wepay::api as wepay;
use termdee_providers::{baht_to_satang, HttpReply, RefundOutcome, TopupOutcome};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_parser_panics_on_bytes(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        fuzzing::wepay_reply(&data);
        fuzzing::wepay_callback(&data);
        fuzzing::easysoft_reply(&data);
        fuzzing::easysoft_callback(&data);
    }

    #[test]
    fn no_parser_panics_on_text(text in ".{0,300}", status in 100u16..600) {
        let reply = HttpReply::new(status, text.clone().into_bytes());
        let _ = wepay::parse_order_reply(&reply, "A");
        let _ = wepay::parse_refund_reply(&reply);
        let _ = easysoft::parse_refill_reply(&reply);
        fuzzing::wepay_callback(text.as_bytes());
        fuzzing::easysoft_callback(text.as_bytes());
    }

    #[test]
    fn no_parser_panics_on_near_valid_json(
        code in "[0-9]{5}|[0-9]{0,6}",
        id in "[0-9a-z\"]{0,12}",
        amount in "-?[0-9]{0,8}(\\.[0-9]{0,4})?(e[0-9])?",
        tail in ".{0,40}",
    ) {
        let body = format!(
            r#"{{"code":"{code}","transaction_id":"{id}","total_amount":{amount},"balance":"{amount}","available_balance":{amount},"output":"{tail}"}}"#
        );
        let reply = HttpReply::new(200, body.into_bytes());
        let _ = wepay::parse_order_reply(&reply, "A");
        let _ = wepay::parse_balance_reply(&reply);
        let _ = wepay::parse_get_output_reply(&reply);
    }

    #[test]
    fn no_parser_panics_on_near_valid_xml(
        status in "[0-9]{0,2}",
        refill in "[0-9]{0,2}",
        cancel in "[0-9]{0,2}",
        detail in ".{0,40}",
        junk in "[<>/A-Z&;]{0,10}",
    ) {
        let body = format!(
            "<?xml version=\"1.0\"?><TOPUP><STATUS>{status}</STATUS><STATUS_REFILL>{refill}</STATUS_REFILL><STATUS_CANCEL>{cancel}</STATUS_CANCEL><DETAIL>{detail}</DETAIL>{junk}</TOPUP>"
        );
        fuzzing::easysoft_reply(body.as_bytes());
    }

    /// Unknown is never failure: a 5xx, whatever its body, is an unknown outcome.
    #[test]
    fn server_errors_are_always_unknown(status in 500u16..600, body in proptest::collection::vec(any::<u8>(), 0..200)) {
        let reply = HttpReply::new(status, body);
        prop_assert!(wepay::parse_order_reply(&reply, "A").is_unknown());
        prop_assert!(easysoft::parse_refill_reply(&reply).is_unknown());
        let refund_unknown = matches!(wepay::parse_refund_reply(&reply), RefundOutcome::Unknown(_));
        prop_assert!(refund_unknown);
    }

    /// Bodies that are not JSON never become a wePAY rejection or acceptance.
    #[test]
    fn non_json_order_replies_are_unknown(text in "[^{\\[\"0-9 \t\r\nntf-]{1}.{0,100}") {
        let outcome = wepay::parse_order_reply(&HttpReply::new(200, text.into_bytes()), "A");
        prop_assert!(matches!(outcome, TopupOutcome::Unknown(_)));
    }

    /// Satang survive the trip through decimal text and JSON number tokens exactly.
    #[test]
    fn baht_text_round_trips(satang in 0i64..10_000_000_000) {
        let amount = Satang::new(satang);
        prop_assert_eq!(baht_to_satang(&amount.to_baht_string()), Some(amount));
        let body = format!(r#"{{"code":"00000","ledger_balance":"{0}","available_balance":{0}}}"#, amount.to_baht_string());
        let balance = wepay::parse_balance_reply(&HttpReply::new(200, body.into_bytes()));
        prop_assert_eq!(balance.map(|b| b.available), Ok(amount));
    }
}
