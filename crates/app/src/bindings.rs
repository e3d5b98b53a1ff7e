//! The IPC types as TypeScript, generated from the Rust declarations.
//!
//! `cargo xtask bindings` writes [`typescript`]'s output to [`BINDINGS_PATH`]; the test
//! `crates/app/tests/bindings.rs` fails when the checked-in file differs, so the UI and the
//! backend cannot drift apart silently.

use ts_rs::{Config, TS};

use crate::error::{AppError, ErrorCode};
use crate::qr::{PayeeKind, QrRequest, QrScreen};
use crate::settings::Settings;

/// Where the generated TypeScript lives, relative to the workspace root.
pub const BINDINGS_PATH: &str = "ui/src/platform/bindings.ts";

/// Every IPC type, declared in TypeScript, in one module.
pub fn typescript() -> String {
    // Satang amounts fit comfortably in a JavaScript number (2^53 satang is ~90 trillion baht).
    let config = Config::new().with_large_int("number");
    let declarations = [
        ErrorCode::decl(&config),
        AppError::decl(&config),
        Settings::decl(&config),
        QrRequest::decl(&config),
        PayeeKind::decl(&config),
        QrScreen::decl(&config),
    ];
    let mut text = String::from(
        "// Generated from the Rust types in crates/app by `cargo xtask bindings`. Do not edit.\n",
    );
    for declaration in declarations {
        text.push_str("\nexport ");
        text.push_str(&declaration);
        text.push('\n');
    }
    text
}
