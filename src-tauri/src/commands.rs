//! The IPC commands: each one line over `termdee-app`.
//!
//! Kept in a module of their own: a `#[tauri::command] pub fn` at the root of lib.rs collides
//! with the macro's generated items (E0255).

use tauri::State;
use termdee_app::qr::{QrRequest, QrScreen};
use termdee_app::settings::Settings;
use termdee_app::AppError;

use crate::ShellState;

/// Builds and renders the PromptPay QR for the typed ID and amount.
#[tauri::command]
pub fn prepare_qr(state: State<'_, ShellState>, request: QrRequest) -> Result<QrScreen, AppError> {
    termdee_app::qr::prepare_qr(&request, state.settings.as_ref().map_err(Clone::clone)?)
}

/// The settings in force.
#[tauri::command]
pub fn settings(state: State<'_, ShellState>) -> Result<Settings, AppError> {
    state.settings.clone()
}
