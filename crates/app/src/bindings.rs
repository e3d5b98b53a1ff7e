//! The IPC types as TypeScript, generated from the Rust declarations.
//!
//! `cargo xtask bindings` writes [`typescript`]'s output to [`BINDINGS_PATH`]; the test
//! `crates/app/tests/bindings.rs` fails when the checked-in file differs, so the UI and the
//! backend cannot drift apart silently.

use ts_rs::{Config, TS};

use crate::error::{AppError, ErrorCode};
use crate::qr::{PayeeKind, QrRequest, QrScreen};
use crate::shop::views::*;
use termdee_domain::report::{OutcomeTotals, ReportDimension, ReportRow};
use termdee_domain::{ActorKind, Network, PaymentMethod, SaleState, Satang};

/// Where the generated TypeScript lives, relative to the workspace root.
pub const BINDINGS_PATH: &str = "ui/src/platform/bindings.ts";

/// Every IPC type, declared in TypeScript, in one module.
pub fn typescript() -> String {
    // Satang amounts fit comfortably in a JavaScript number (2^53 satang is ~90 trillion baht).
    let config = Config::new().with_large_int("number");
    let declarations = [
        ErrorCode::decl(&config),
        AppError::decl(&config),
        QrRequest::decl(&config),
        PayeeKind::decl(&config),
        QrScreen::decl(&config),
        // Domain words the screens use.
        Satang::decl(&config),
        Network::decl(&config),
        PaymentMethod::decl(&config),
        SaleState::decl(&config),
        ActorKind::decl(&config),
        ReportDimension::decl(&config),
        OutcomeTotals::decl(&config),
        ReportRow::decl(&config),
        // The shop's commands.
        Role::decl(&config),
        OperatorView::decl(&config),
        OwnerSetup::decl(&config),
        LoginRequest::decl(&config),
        OperatorUpdate::decl(&config),
        AppMode::decl(&config),
        Language::decl(&config),
        ShiftView::decl(&config),
        ShopStatus::decl(&config),
        NetworkOffer::decl(&config),
        MethodOffer::decl(&config),
        Offer::decl(&config),
        SaleInput::decl(&config),
        SaleAction::decl(&config),
        PaymentView::decl(&config),
        TopupView::decl(&config),
        SaleView::decl(&config),
        SaleResolution::decl(&config),
        SaleUpdated::decl(&config),
        OpenShift::decl(&config),
        CloseShift::decl(&config),
        ShiftClosed::decl(&config),
        ReportRequest::decl(&config),
        DayTotals::decl(&config),
        ReportView::decl(&config),
        ProviderBalance::decl(&config),
        RegisterBalanceView::decl(&config),
        RegisterHealthView::decl(&config),
        FleetHealthView::decl(&config),
        NetworkStatus::decl(&config),
        ReconciliationDifference::decl(&config),
        ProviderReconciliation::decl(&config),
        ReconciliationView::decl(&config),
        ProviderId::decl(&config),
        ProviderField::decl(&config),
        ProviderSettingsView::decl(&config),
        NetworkRoute::decl(&config),
        SettingsView::decl(&config),
        ProviderSettingsUpdate::decl(&config),
        SettingsUpdate::decl(&config),
        ConnectionTest::decl(&config),
        ReceiptPreview::decl(&config),
        PrintJobView::decl(&config),
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
