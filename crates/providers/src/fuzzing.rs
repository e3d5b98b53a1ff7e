//! Entry points shared by the cargo-fuzz targets (`crates/providers/fuzz`), the corpus replay
//! test and the property tests: each runs every parser of one family on arbitrary bytes. They
//! must never panic, whatever the input.

use crate::transport::HttpReply;
use crate::{easysoft, wepay};

/// Splits fuzz input into an HTTP status (first two bytes) and a body. Corpus files are plain
/// bodies, so inputs shorter than 2 bytes, or starting with a printable byte, are read as a
/// 200 reply with the whole input as body.
fn reply(data: &[u8]) -> HttpReply {
    match data {
        [a, b, rest @ ..] if !a.is_ascii_graphic() && !a.is_ascii_whitespace() => {
            HttpReply::new(100 + u16::from_be_bytes([*a, *b]) % 500, rest.to_vec())
        }
        _ => HttpReply::new(200, data.to_vec()),
    }
}

/// Every wePAY reply parser (order, balance, catalogue, payee_info, get_output, refund).
pub fn wepay_reply(data: &[u8]) {
    let reply = reply(data);
    let _ = wepay::api::parse_order_reply(&reply, "REF1");
    let _ = wepay::api::parse_balance_reply(&reply);
    let _ = wepay::api::parse_catalogue_reply(&reply);
    let _ = wepay::api::parse_service_info_reply(&reply);
    let _ = wepay::api::parse_get_output_reply(&reply);
    let _ = wepay::api::parse_refund_reply(&reply);
}

/// The wePAY callback parser, as form, as JSON and without a content type, plus the ack.
pub fn wepay_callback(data: &[u8]) {
    for content_type in [
        None,
        Some("application/x-www-form-urlencoded"),
        Some("application/json"),
    ] {
        if let Ok(callback) = wepay::api::parse_callback(content_type, data) {
            let _ = wepay::api::acknowledge(callback.dest_ref());
            if let wepay::WepayCallback::Topup(topup) = &callback {
                let _ = topup.fields.topup_status();
            }
        }
    }
}

/// Every Easysoft reply parser (refill, update, return, balance, online).
pub fn easysoft_reply(data: &[u8]) {
    let reply = reply(data);
    let _ = easysoft::api::parse_refill_reply(&reply);
    let _ = easysoft::api::parse_update_reply(&reply, "1");
    let _ = easysoft::api::parse_return_reply(&reply);
    let _ = easysoft::api::parse_balance_reply(&reply);
    let _ = easysoft::api::parse_network_status_reply(&reply);
}

/// The Easysoft callback parser.
pub fn easysoft_callback(data: &[u8]) {
    if let Ok(callback) = easysoft::api::parse_callback(None, data) {
        let _ = callback.topup_status();
    }
}
