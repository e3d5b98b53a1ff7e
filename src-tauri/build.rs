//! The Tauri config lives at the workspace root (see ../shared/DESIGN.md), so point tauri-build
//! at it; `generate_context!` in lib.rs takes the same path.

/// Every command of `src/commands.rs` (a test checks the two lists agree).
const COMMANDS: [&str; 37] = [
    "status",
    "setup_owner",
    "login_choices",
    "login",
    "logout",
    "offer",
    "start_sale",
    "sale",
    "confirm_payment",
    "cancel_sale",
    "check_again",
    "resolve_sale",
    "recent_sales",
    "attention",
    "demo_pay",
    "enter_kiosk",
    "leave_kiosk",
    "open_shift",
    "close_shift",
    "report",
    "save_report_csv",
    "fleet_report",
    "save_fleet_report_csv",
    "fleet_health",
    "balances",
    "reconcile",
    "operators",
    "save_operator",
    "unlock_operator",
    "settings_view",
    "save_settings",
    "test_connection",
    "receipt_preview",
    "print_receipt",
    "print_test_page",
    "print_jobs",
    "retry_print",
];

fn main() {
    // Declaring the app's commands makes each one need a permission in a capability
    // (capabilities/default.json), so the window can call exactly these and nothing else.
    let commands = tauri_build::AppManifest::new().commands(&COMMANDS);
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(commands);
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {error:#}");
    }
}
