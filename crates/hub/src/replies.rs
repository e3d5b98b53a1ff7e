//! What the hub answers a provider's callback, once the raw body is stored.
//!
//! The hub holds no provider credentials: it cannot verify a callback (the register does that,
//! by pull or signature, when the callback is relayed to it). What it must do is answer exactly
//! as each provider expects once the body is durable, or the provider keeps re-sending. The
//! answers come from the provider clients' own parsers and acknowledgements in
//! `termdee-providers`, so the hub and a register's local listener can never answer differently:
//!
//! - wePAY: `SUCCEED|ORDER_ID=<dest_ref>` (wepay.md §5), which needs the `dest_ref` read from
//!   the body;
//! - Easysoft: `OK` (easysoft.md §4);
//! - BluePay: `{"code":10000,"message":"Success"}` (bluepay_webpay.md §6) — the signature is
//!   checked by the register, which has the key; a forged notification is stored, answered, and
//!   refused by the register (visible to the owner as `bad_signature`);
//! - Deposit-QR: `200 {"status":"ok"}` (deposit_qr.md §4).
//!
//! A body the parser cannot read is still stored (and relayed, and shown); it gets the same
//! `400 malformed` a register's own listener gives. A provider path the hub does not know gets
//! `404` — stored too, since the path's secret was right.

use termdee_providers::{bluepay, deposit_qr, easysoft, wepay, CallbackReply};

/// The hub's answer to one callback, and what it could read of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relayed {
    /// The reply to send once the body is stored.
    pub reply: CallbackReply,
    /// The provider's order reference, when the body could be read.
    pub order_ref: Option<String>,
    /// Why the body could not be read, when it could not.
    pub parse_error: Option<String>,
}

fn malformed(error: impl std::fmt::Display) -> Relayed {
    Relayed {
        reply: CallbackReply {
            status: 400,
            content_type: "text/plain",
            body: "malformed".to_owned(),
        },
        order_ref: None,
        parse_error: Some(error.to_string()),
    }
}

fn acknowledged(reply: CallbackReply, order_ref: &str) -> Relayed {
    Relayed {
        reply,
        order_ref: Some(order_ref.to_owned()),
        parse_error: None,
    }
}

/// Reads a callback that came in on `provider`'s path and says what to answer once stored.
pub fn reply_for(provider: &str, content_type: Option<&str>, body: &[u8]) -> Relayed {
    match provider {
        "wepay" => match wepay::api::parse_callback(content_type, body) {
            Ok(callback) => acknowledged(
                wepay::api::acknowledge(callback.dest_ref()),
                callback.dest_ref(),
            ),
            Err(error) => malformed(error),
        },
        "easysoft" => match easysoft::api::parse_callback(content_type, body) {
            Ok(callback) => acknowledged(easysoft::api::acknowledge(), &callback.order_id),
            Err(error) => malformed(error),
        },
        "bluepay" => match bluepay::api::split_notification(body)
            .and_then(|(_, param)| bluepay::api::parse_notification_param(&param))
        {
            Ok(notification) => {
                acknowledged(bluepay::api::acknowledge(), &notification.mch_order_id)
            }
            Err(error) => malformed(error),
        },
        "deposit_qr" => match deposit_qr::api::parse_callback(body) {
            Ok(callback) => acknowledged(deposit_qr::api::acknowledge(), &callback.order_id),
            Err(error) => malformed(error),
        },
        other => Relayed {
            reply: CallbackReply {
                status: 404,
                content_type: "text/plain",
                body: "not found".to_owned(),
            },
            order_ref: None,
            parse_error: Some(format!("no provider {other:?} sends callbacks")),
        },
    }
}

/// The answer when the body could not be stored, so that the provider sends it again: wePAY
/// re-sends on `ERROR|…` (wepay.md §5, §9.5), the others on any non-2xx status.
pub fn try_again(provider: &str) -> CallbackReply {
    match provider {
        "wepay" => wepay::api::refuse("DB_ERROR"),
        _ => CallbackReply {
            status: 503,
            content_type: "text/plain",
            body: "try again".to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wepay_is_answered_with_its_dest_ref() {
        let body = b"dest_ref=S123ABC&transaction_id=991&status=2&sms=&operator_trxnsid=x";
        let relayed = reply_for("wepay", Some("application/x-www-form-urlencoded"), body);
        assert_eq!(relayed.reply.status, 200);
        assert_eq!(relayed.reply.body, "SUCCEED|ORDER_ID=S123ABC");
        assert_eq!(relayed.order_ref.as_deref(), Some("S123ABC"));
        assert_eq!(relayed.parse_error, None);
    }

    #[test]
    fn easysoft_deposit_and_bluepay_get_their_documented_acknowledgements() {
        let easysoft = reply_for("easysoft", None, b"orderid=778&status_refill=1");
        assert_eq!(
            (easysoft.reply.status, easysoft.reply.body.as_str()),
            (200, "OK")
        );
        assert_eq!(easysoft.order_ref.as_deref(), Some("778"));

        let deposit = reply_for(
            "deposit_qr",
            Some("application/json"),
            br#"{"type":"DEPOSIT","status":"SUCCESS","amount":"100.00","txn_ref_order_id":"dq-S1-1"}"#,
        );
        assert_eq!(deposit.reply.status, 200);
        assert_eq!(deposit.reply.body, r#"{"status":"ok"}"#);
        assert_eq!(deposit.order_ref.as_deref(), Some("dq-S1-1"));

        // Not verified here (the register has the key), but read for the order reference.
        let param = r#"{"mchOrderId":"bp-S1-1","transactionStatus":"COMPLETED","amount":10000}"#;
        let body = serde_json::json!({ "sign": "c2lnbg==", "param": param }).to_string();
        let bluepay = reply_for("bluepay", Some("application/json"), body.as_bytes());
        assert_eq!(bluepay.reply.body, bluepay::BLUEPAY_ACK);
        assert_eq!(bluepay.order_ref.as_deref(), Some("bp-S1-1"));
    }

    #[test]
    fn an_unreadable_body_or_unknown_provider_is_refused_but_explained() {
        let wepay = reply_for("wepay", None, b"\xff\xfe garbage");
        assert_eq!(wepay.reply.status, 400);
        assert!(wepay.parse_error.is_some());
        let bluepay = reply_for("bluepay", None, b"{}");
        assert_eq!(bluepay.reply.status, 400);
        let unknown = reply_for("tmweasy", None, b"x=1");
        assert_eq!(unknown.reply.status, 404);
        assert!(unknown.parse_error.unwrap().contains("tmweasy"));
    }

    #[test]
    fn when_storing_fails_each_provider_is_told_to_send_again() {
        assert_eq!(try_again("wepay").body, "ERROR|DB_ERROR");
        assert_eq!(try_again("wepay").status, 200);
        assert_eq!(try_again("bluepay").status, 503);
    }
}
