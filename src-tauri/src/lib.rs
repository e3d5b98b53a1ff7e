//! # termdee-desktop — the window around Termdee
//!
//! The only crate that depends on tauri. It opens the window, loads the UI from `ui/dist`, holds
//! one [`termdee_app::shop::Shop`] and exposes commands that are one-line calls into it; no
//! business rule lives here, so everything the window can do is also testable without one.
//!
//! What the shell adds is desktop plumbing only:
//! - sale changes from the engine are pushed to the window as the event `sale-updated`
//!   (the UI never polls a sale);
//! - one instance per machine (a second start focuses the first: two engines must never drive
//!   one ledger), the window's size and place remembered, and kiosk mode full screen;
//! - logs go to `termdee.log` in the app's data folder (daily files), never to the screen.
//!
//! Errors cross IPC as `termdee_app::AppError` (`{ code, message }`); the request and response
//! types are generated as TypeScript into `ui/src/platform/bindings.ts`.

mod commands;
pub mod single_instance;

use std::path::PathBuf;
use std::sync::Arc;

use tauri::{Emitter, Manager, Runtime};
use termdee_app::shop::views::AppMode;
use termdee_app::shop::{Shop, ShopOptions, ShopPaths};
use termdee_app::{AppError, ErrorCode};
use termdee_domain::SystemClock;

/// The event the window listens to for sale changes.
pub const SALE_UPDATED: &str = "sale-updated";

/// What the commands share: the shop, or why it could not open (reported by every command).
#[derive(Debug)]
pub struct ShellState {
    /// The shop, or the error that stopped it from opening.
    pub shop: Result<Arc<Shop>, AppError>,
}

impl ShellState {
    /// The shop, or the reason there is none.
    pub fn shop(&self) -> Result<&Shop, AppError> {
        self.shop.as_deref().map_err(Clone::clone)
    }
}

/// Adds Termdee's commands to a tauri builder (the real one, or `tauri::test::mock_builder()`).
pub fn with_commands<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        commands::status,
        commands::setup_owner,
        commands::login_choices,
        commands::login,
        commands::logout,
        commands::offer,
        commands::start_sale,
        commands::sale,
        commands::confirm_payment,
        commands::cancel_sale,
        commands::check_again,
        commands::resolve_sale,
        commands::recent_sales,
        commands::attention,
        commands::demo_pay,
        commands::enter_kiosk,
        commands::leave_kiosk,
        commands::open_shift,
        commands::close_shift,
        commands::report,
        commands::save_report_csv,
        commands::fleet_report,
        commands::save_fleet_report_csv,
        commands::fleet_health,
        commands::balances,
        commands::reconcile,
        commands::operators,
        commands::save_operator,
        commands::unlock_operator,
        commands::settings_view,
        commands::save_settings,
        commands::test_connection,
        commands::receipt_preview,
        commands::print_receipt,
        commands::print_test_page,
        commands::print_jobs,
        commands::retry_print,
    ])
}

/// Opens the shop in the app's folders and forwards its sale changes to the window.
pub fn manage_shop<R: Runtime>(app: &tauri::AppHandle<R>, paths: ShopPaths, options: ShopOptions) {
    let shop = tauri::async_runtime::block_on(Shop::open(paths, Arc::new(SystemClock), options));
    if let Ok(shop) = &shop {
        let mut updates = shop.subscribe();
        let emitter = app.clone();
        tauri::async_runtime::spawn(async move {
            loop {
                match updates.recv().await {
                    Ok(update) => {
                        let _ = emitter.emit(SALE_UPDATED, update);
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        apply_mode(app, shop.status().mode);
    }
    app.manage(ShellState { shop });
}

/// Kiosk mode fills the screen; counter mode is a normal window.
pub fn apply_mode<R: Runtime>(app: &tauri::AppHandle<R>, mode: AppMode) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.set_fullscreen(mode == AppMode::Kiosk);
    }
}

/// Where the shop keeps its files: the OS's app folders, or `TERMDEE_DATA_DIR` (tests, kiosk
/// images) for both config and data.
fn shop_paths<R: Runtime>(app: &tauri::AppHandle<R>) -> Result<ShopPaths, AppError> {
    if let Some(folder) = std::env::var_os("TERMDEE_DATA_DIR") {
        let folder = PathBuf::from(folder);
        return Ok(ShopPaths {
            config_dir: folder.clone(),
            data_dir: folder,
        });
    }
    let unavailable = |error: tauri::Error| {
        AppError::new(
            ErrorCode::Internal,
            format!("the app's folders are unavailable: {error}"),
        )
    };
    Ok(ShopPaths {
        config_dir: app.path().app_config_dir().map_err(unavailable)?,
        data_dir: app.path().app_data_dir().map_err(unavailable)?,
    })
}

/// Where saved reports go: the owner's Downloads folder; `exports` in the data folder when the
/// machine has none or `TERMDEE_DATA_DIR` keeps everything in one place (tests, kiosk images).
pub fn exports_folder<R: Runtime>(app: &tauri::AppHandle<R>) -> Result<PathBuf, AppError> {
    if std::env::var_os("TERMDEE_DATA_DIR").is_none() {
        if let Ok(downloads) = app.path().download_dir() {
            return Ok(downloads);
        }
    }
    Ok(shop_paths(app)?.data_dir.join("exports"))
}

/// Logs to daily files in the data folder; the guard flushes them when the app ends.
fn start_logging(
    data_dir: &std::path::Path,
) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let folder = data_dir.join("logs");
    std::fs::create_dir_all(&folder).ok()?;
    let file = tracing_appender::rolling::daily(folder, "termdee.log");
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = tracing_subscriber::EnvFilter::try_from_env("TERMDEE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}

/// Notes, once, that the UI is up and has asked for its first screen: logged, and written to the
/// file `TERMDEE_READY_FILE` names when it is set, which is how `cargo xtask bench-desktop` times
/// start to interactive from outside the process.
pub fn mark_interactive() {
    static MARKED: std::sync::Once = std::sync::Once::new();
    MARKED.call_once(|| {
        tracing::info!("the UI is interactive");
        if let Some(path) = std::env::var_os("TERMDEE_READY_FILE") {
            if let Err(error) = std::fs::write(&path, b"ready") {
                tracing::warn!(%error, "cannot write the ready file");
            }
        }
    });
}

/// Makes this process the one app on `data_dir` (see [`single_instance`]). A second start
/// brings the open window forward and exits here; a folder that cannot be locked is the shop's
/// error, reported by every command.
fn hold_data_folder<R: Runtime>(
    app: &tauri::AppHandle<R>,
    data_dir: &std::path::Path,
) -> Result<(), AppError> {
    let knocked = app.clone();
    let claim = single_instance::claim(data_dir, move || {
        if let Some(window) = knocked.get_webview_window("main") {
            let _ = window.unminimize();
            let _ = window.show();
            let _ = window.set_focus();
        }
    });
    match claim {
        Ok(single_instance::Claim::First(instance)) => {
            app.manage(instance);
            Ok(())
        }
        Ok(single_instance::Claim::AlreadyRunning { knocked }) => {
            eprintln!(
                "termdee-desktop: already running on {} ({}); not starting a second one",
                data_dir.display(),
                if knocked {
                    "its window was brought forward"
                } else {
                    "it did not answer"
                }
            );
            std::process::exit(0);
        }
        Err(error) => Err(AppError::new(
            ErrorCode::Internal,
            format!(
                "cannot lock the data folder {}: {error}",
                data_dir.display()
            ),
        )),
    }
}

/// Runs the desktop app until its window closes.
pub fn run() {
    let result = with_commands(tauri::Builder::default())
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .setup(|app| {
            let handle = app.handle().clone();
            // First: one app per data folder, taken before anything touches the ledger.
            let paths = shop_paths(&handle)
                .and_then(|paths| hold_data_folder(&handle, &paths.data_dir).map(|()| paths));
            match paths {
                Ok(paths) => {
                    if let Some(guard) = start_logging(&paths.data_dir) {
                        app.manage(guard);
                    }
                    tracing::info!(data = %paths.data_dir.display(), "termdee starting");
                    manage_shop(&handle, paths, ShopOptions::default());
                }
                Err(error) => {
                    app.manage(ShellState { shop: Err(error) });
                }
            }
            Ok(())
        })
        .build(tauri::generate_context!("../tauri.conf.json"));
    match result {
        Ok(app) => app.run(|handle, event| {
            if let tauri::RunEvent::Exit = event {
                if let Some(state) = handle.try_state::<ShellState>() {
                    if let Ok(shop) = state.shop() {
                        shop.shut_down();
                    }
                }
            }
        }),
        Err(error) => {
            eprintln!("termdee-desktop: the app could not start: {error}");
            std::process::exit(1);
        }
    }
}
