//! # termdee-desktop — the window around Termdee
//!
//! The only crate that depends on tauri. It opens the window, loads the UI from `ui/dist`, and
//! exposes commands that are one-line calls into `termdee-app`; no business rule lives here, so
//! everything the window can do is also testable without one.
//!
//! Errors cross IPC as `termdee_app::AppError` (`{ code, message }`); the request and response
//! types are generated as TypeScript into `ui/src/platform/bindings.ts`.

mod commands;

use std::path::PathBuf;

use tauri::{Manager, Runtime};
use termdee_app::settings::Settings;
use termdee_app::AppError;

/// What the commands share: the settings read at start-up (or why they could not be read, which
/// every command then reports instead of acting on a guess).
#[derive(Debug)]
pub struct ShellState {
    /// The settings, or the error that stopped them from loading.
    pub settings: Result<Settings, AppError>,
}

/// Adds Termdee's commands to a tauri builder (the real one, or `tauri::test::mock_builder()`).
pub fn with_commands<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        commands::prepare_qr,
        commands::settings
    ])
}

/// Runs the desktop app until its window closes.
pub fn run() {
    let result = with_commands(tauri::Builder::default())
        .setup(|app| {
            let settings_file = settings_file(app.path().app_config_dir().ok());
            app.manage(ShellState {
                settings: Settings::load(&settings_file),
            });
            Ok(())
        })
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(error) = result {
        eprintln!("termdee-desktop: the app could not start: {error}");
        std::process::exit(1);
    }
}

/// `settings.json` in the app's config folder (`~/.config/th.termdee.pos/` on Linux).
fn settings_file(config_dir: Option<PathBuf>) -> PathBuf {
    config_dir
        .unwrap_or_else(|| PathBuf::from("."))
        .join("settings.json")
}
