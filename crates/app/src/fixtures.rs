//! Replies the UI's browser tests get from their mocked IPC, produced by the real use cases.
//!
//! The browser tests run without a backend; if their canned replies were written by hand they
//! could drift from what Rust really sends. `cargo xtask bindings` writes them from the real code,
//! and `crates/app/tests/bindings.rs` fails when the checked-in copy differs.

use serde_json::json;

use crate::qr::{prepare_qr, QrRequest};
use crate::settings::Settings;

/// Where the fixture lives, relative to the workspace root.
pub const UI_QR_FIXTURE_PATH: &str = "ui/tests/fixtures/qr.json";

/// The requests the browser tests make, and what the real backend answers to each.
pub fn ui_qr_fixture() -> String {
    let settings = Settings::default();
    let cases = [
        ("mobile_with_amount", "081-234-5678", "150.50"),
        ("national_id_static", "1234567890123", ""),
        ("invalid_id", "12345", "10"),
        ("invalid_amount", "0812345678", "12.345"),
        ("zero_amount", "0812345678", "0"),
    ];
    let mut fixture = serde_json::Map::new();
    for (name, promptpay_id, amount) in cases {
        let request = QrRequest {
            promptpay_id: promptpay_id.into(),
            amount: amount.into(),
        };
        let reply = match prepare_qr(&request, &settings) {
            Ok(screen) => json!({ "ok": screen }),
            Err(error) => json!({ "err": error }),
        };
        fixture.insert(name.into(), json!({ "request": request, "reply": reply }));
    }
    let mut text = serde_json::to_string_pretty(&fixture).unwrap_or_default();
    text.push('\n');
    text
}
