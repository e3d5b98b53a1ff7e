//! The IPC commands: each one line over `termdee_app::shop::Shop`.
//!
//! Kept in a module of their own: a `#[tauri::command] pub fn` at the root of lib.rs collides
//! with the macro's generated items (E0255). Every role check happens inside the shop, so the
//! commands stay one-liners; their names and argument names are the contract with
//! `ui/src/platform/index.ts`.

use tauri::{AppHandle, Runtime, State};
use termdee_app::shop::views::*;
use termdee_app::AppError;

use crate::ShellState;

type Reply<T> = Result<T, AppError>;

/// Where the machine stands: demo, first start, who is logged in, problems.
#[tauri::command]
pub fn status(state: State<'_, ShellState>) -> Reply<ShopStatus> {
    let status = state.shop()?.status();
    // The UI asks for the status as soon as its script runs; the answer is what it needs for its
    // first real screen, so this is where the app becomes interactive.
    crate::mark_interactive();
    Ok(status)
}

/// The first start: the owner account (no default PIN).
#[tauri::command]
pub async fn setup_owner(state: State<'_, ShellState>, setup: OwnerSetup) -> Reply<ShopStatus> {
    state.shop()?.setup_owner(&setup).await
}

/// Who can log in here.
#[tauri::command]
pub fn login_choices(state: State<'_, ShellState>) -> Reply<Vec<OperatorView>> {
    state.shop()?.login_choices()
}

/// Log in with a PIN.
#[tauri::command]
pub fn login(state: State<'_, ShellState>, request: LoginRequest) -> Reply<ShopStatus> {
    state.shop()?.login(&request)
}

/// Log out.
#[tauri::command]
pub fn logout(state: State<'_, ShellState>) -> Reply<ShopStatus> {
    state.shop()?.logout()
}

/// What can be sold now.
#[tauri::command]
pub fn offer(state: State<'_, ShellState>) -> Reply<Offer> {
    state.shop()?.offer()
}

/// Start a sale.
#[tauri::command]
pub async fn start_sale(state: State<'_, ShellState>, input: SaleInput) -> Reply<SaleView> {
    state.shop()?.start_sale(&input).await
}

/// One sale.
#[tauri::command]
pub fn sale(state: State<'_, ShellState>, sale_id: String) -> Reply<SaleView> {
    state.shop()?.sale(&sale_id)
}

/// Cash taken / transfer seen.
#[tauri::command]
pub async fn confirm_payment(state: State<'_, ShellState>, sale_id: String) -> Reply<SaleView> {
    state.shop()?.confirm_payment(&sale_id).await
}

/// Cancel an unpaid sale.
#[tauri::command]
pub async fn cancel_sale(state: State<'_, ShellState>, sale_id: String) -> Reply<SaleView> {
    state.shop()?.cancel_sale(&sale_id).await
}

/// Ask the provider again now.
#[tauri::command]
pub async fn check_again(state: State<'_, ShellState>, sale_id: String) -> Reply<SaleView> {
    state.shop()?.check_again(&sale_id).await
}

/// A person settles a sale.
#[tauri::command]
pub async fn resolve_sale(
    state: State<'_, ShellState>,
    resolution: SaleResolution,
) -> Reply<SaleView> {
    state.shop()?.resolve_sale(&resolution).await
}

/// The newest sales this operator may see.
#[tauri::command]
pub fn recent_sales(state: State<'_, ShellState>) -> Reply<Vec<SaleView>> {
    state.shop()?.recent_sales()
}

/// Sales waiting for a person.
#[tauri::command]
pub fn attention(state: State<'_, ShellState>) -> Reply<Vec<SaleView>> {
    state.shop()?.attention_list()
}

/// Demo mode: act as the paying customer.
#[tauri::command]
pub async fn demo_pay(state: State<'_, ShellState>, sale_id: String) -> Reply<SaleView> {
    state.shop()?.demo_pay(&sale_id).await
}

/// Turn this machine into a kiosk (owner), full screen.
#[tauri::command]
pub async fn enter_kiosk<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, ShellState>,
) -> Reply<ShopStatus> {
    let status = state.shop()?.enter_kiosk().await?;
    crate::apply_mode(&app, status.mode);
    Ok(status)
}

/// Leave kiosk mode with the owner PIN.
#[tauri::command]
pub async fn leave_kiosk<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, ShellState>,
    pin: String,
) -> Reply<ShopStatus> {
    let status = state.shop()?.leave_kiosk(&pin).await?;
    crate::apply_mode(&app, status.mode);
    Ok(status)
}

/// Open a shift with the cash float.
#[tauri::command]
pub fn open_shift(state: State<'_, ShellState>, request: OpenShift) -> Reply<ShopStatus> {
    state.shop()?.open_shift(&request)
}

/// Close the shift with a blind cash count.
#[tauri::command]
pub fn close_shift(state: State<'_, ShellState>, request: CloseShift) -> Reply<ShiftClosed> {
    state.shop()?.close_shift(&request)
}

/// An owner report.
#[tauri::command]
pub fn report(state: State<'_, ShellState>, request: ReportRequest) -> Reply<ReportView> {
    state.shop()?.report(&request)
}

/// An owner report saved as a CSV file; the answer is where it went.
#[tauri::command]
pub fn save_report_csv<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, ShellState>,
    request: ReportRequest,
) -> Reply<String> {
    let folder = crate::exports_folder(&app)?;
    let path = state.shop()?.save_report_csv(&request, &folder)?;
    Ok(path.display().to_string())
}

/// The owner report over every register, from the fleet hub.
#[tauri::command]
pub async fn fleet_report(
    state: State<'_, ShellState>,
    request: ReportRequest,
) -> Reply<ReportView> {
    state.shop()?.fleet_report(&request).await
}

/// The fleet report saved as a CSV file; the answer is where it went.
#[tauri::command]
pub async fn save_fleet_report_csv<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, ShellState>,
    request: ReportRequest,
) -> Reply<String> {
    let folder = crate::exports_folder(&app)?;
    let path = state
        .shop()?
        .save_fleet_report_csv(&request, &folder)
        .await?;
    Ok(path.display().to_string())
}

/// Every register's health, from the fleet hub.
#[tauri::command]
pub async fn fleet_health(state: State<'_, ShellState>) -> Reply<FleetHealthView> {
    state.shop()?.fleet_health().await
}

/// Provider balances and network status.
#[tauri::command]
pub async fn balances(state: State<'_, ShellState>) -> Reply<Vec<ProviderBalance>> {
    state.shop()?.balances().await
}

/// A day reconciled against the providers.
#[tauri::command]
pub async fn reconcile(state: State<'_, ShellState>, day: String) -> Reply<ReconciliationView> {
    state.shop()?.reconcile(&day).await
}

/// The owner's operator list.
#[tauri::command]
pub fn operators(state: State<'_, ShellState>) -> Reply<Vec<OperatorView>> {
    state.shop()?.operators_list()
}

/// Add or change an operator.
#[tauri::command]
pub fn save_operator(state: State<'_, ShellState>, update: OperatorUpdate) -> Reply<OperatorView> {
    state.shop()?.save_operator(&update)
}

/// Unlock an operator.
#[tauri::command]
pub fn unlock_operator(state: State<'_, ShellState>, operator_id: String) -> Reply<OperatorView> {
    state.shop()?.unlock_operator(&operator_id)
}

/// The settings screen.
#[tauri::command]
pub fn settings_view(state: State<'_, ShellState>) -> Reply<SettingsView> {
    state.shop()?.settings_view()
}

/// Save the settings screen.
#[tauri::command]
pub async fn save_settings(
    state: State<'_, ShellState>,
    update: SettingsUpdate,
) -> Reply<SettingsView> {
    state.shop()?.save_settings(&update).await
}

/// Test a provider's connection.
#[tauri::command]
pub async fn test_connection(
    state: State<'_, ShellState>,
    provider: ProviderId,
) -> Reply<ConnectionTest> {
    state.shop()?.test_connection(provider).await
}

/// A receipt rendered for the screen.
#[tauri::command]
pub fn receipt_preview(state: State<'_, ShellState>, sale_id: String) -> Reply<ReceiptPreview> {
    state.shop()?.receipt_preview(&sale_id)
}

/// Print (or reprint) a sale's receipt.
#[tauri::command]
pub fn print_receipt(state: State<'_, ShellState>, sale_id: String) -> Reply<PrintJobView> {
    state.shop()?.print_receipt(&sale_id)
}

/// Print a test page.
#[tauri::command]
pub fn print_test_page(state: State<'_, ShellState>) -> Reply<PrintJobView> {
    state.shop()?.print_test_page()
}

/// The print queue.
#[tauri::command]
pub fn print_jobs(state: State<'_, ShellState>) -> Reply<Vec<PrintJobView>> {
    state.shop()?.print_jobs()
}

/// Try a queued receipt again.
#[tauri::command]
pub fn retry_print(state: State<'_, ShellState>, job_id: i64) -> Reply<PrintJobView> {
    state.shop()?.retry_print(job_id)
}
