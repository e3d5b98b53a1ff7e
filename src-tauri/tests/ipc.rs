//! The commands over tauri's real IPC path (mock runtime, no display): arguments deserialise
//! with the names the UI sends, replies serialise, errors arrive as `{ code, message }`, and the
//! capabilities let the bundled UI call exactly the shop's commands and nothing else.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::Manager;
use termdee_app::auth::PinCost;
use termdee_app::shop::{Shop, ShopOptions, ShopPaths};
use termdee_app::{AppError, ErrorCode};
use termdee_desktop::{with_commands, ShellState};
use termdee_domain::SystemClock;

struct Window {
    window: tauri::WebviewWindow<tauri::test::MockRuntime>,
    _folder: tempfile::TempDir,
}

fn app_with(shop: Result<Arc<Shop>, AppError>, folder: tempfile::TempDir) -> Window {
    let app = with_commands(mock_builder())
        // The real context: the real capabilities decide which commands the window may call.
        .build(tauri::generate_context!("../tauri.conf.json", test = true))
        .expect("the mock app builds");
    app.manage(ShellState { shop });
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("the mock window opens");
    Window {
        window,
        _folder: folder,
    }
}

/// A fresh machine in demo mode.
fn fresh_app() -> Window {
    std::env::set_var(termdee_app::shop::secrets::SECRET_STORE_ENV, "file");
    let folder = tempfile::tempdir().expect("a temporary folder");
    let paths = ShopPaths {
        config_dir: folder.path().to_path_buf(),
        data_dir: folder.path().to_path_buf(),
    };
    let shop = tauri::async_runtime::block_on(Shop::open(
        paths,
        Arc::new(SystemClock),
        ShopOptions {
            tick: Duration::from_millis(200),
            pin_cost: PinCost::TESTS_ONLY,
            demo_allowed: true,
        },
    ));
    app_with(shop, folder)
}

fn invoke(window: &Window, command: &str, body: Value) -> Result<Value, Value> {
    // The origin the embedded UI has on Linux; the capability grants "local" URLs only.
    invoke_from(window, "tauri://localhost", command, body)
}

fn invoke_from(window: &Window, origin: &str, command: &str, body: Value) -> Result<Value, Value> {
    get_ipc_response(
        &window.window,
        InvokeRequest {
            cmd: command.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: origin.parse().expect("a valid URL"),
            body: InvokeBody::Json(body),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|reply| reply.deserialize::<Value>().expect("a JSON reply"))
}

#[test]
fn a_fresh_machine_reports_demo_mode_and_asks_for_its_owner() {
    let app = fresh_app();
    let status = invoke(&app, "status", json!({})).expect("status");
    assert_eq!(status["demo"], true);
    assert_eq!(status["setup_needed"], true);
    assert_eq!(status["mode"], "counter");
    assert_eq!(status["operator"], Value::Null);
}

#[test]
fn the_first_start_logs_the_owner_in_and_errors_arrive_with_a_code() {
    let app = fresh_app();
    let error = invoke(
        &app,
        "setup_owner",
        json!({ "setup": { "name": "เจ้าของ", "pin": "12", "shop_name": "ร้าน" } }),
    )
    .expect_err("a two-digit PIN is refused");
    assert_eq!(error["code"], "invalid_pin");
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));

    let status = invoke(
        &app,
        "setup_owner",
        json!({ "setup": { "name": "เจ้าของ", "pin": "2580", "shop_name": "ร้านเติมดี" } }),
    )
    .expect("the owner is created");
    assert_eq!(status["operator"]["role"], "owner");
    assert_eq!(status["shop_name"], "ร้านเติมดี");

    // The UI's camelCase argument names reach the commands' snake_case parameters.
    let error = invoke(&app, "sale", json!({ "saleId": "S-NONE" })).expect_err("no such sale");
    assert_eq!(error["code"], "invalid_request");
    let status = invoke(&app, "logout", json!({})).expect("logout");
    assert_eq!(status["operator"], Value::Null);
    let error = invoke(
        &app,
        "login",
        json!({ "request": { "operator_id": status_owner_id(&app), "pin": "0000" } }),
    )
    .expect_err("a wrong PIN");
    assert_eq!(error["code"], "wrong_pin");
}

fn status_owner_id(app: &Window) -> String {
    let choices = invoke(app, "login_choices", json!({})).expect("login choices");
    choices[0]["id"].as_str().expect("an owner id").to_owned()
}

#[test]
fn a_shop_that_could_not_open_reports_why_on_every_command() {
    let broken = AppError::new(
        ErrorCode::InvalidSettings,
        "the secrets file is not readable",
    );
    let app = app_with(Err(broken), tempfile::tempdir().expect("folder"));
    for command in ["status", "offer", "recent_sales", "settings_view"] {
        let error = invoke(&app, command, json!({})).expect_err("nothing works");
        assert_eq!(error["code"], "invalid_settings", "{command}");
    }
}

#[test]
fn a_command_the_capabilities_do_not_grant_is_refused() {
    let app = fresh_app();
    let error = invoke(
        &app,
        "plugin:fs|read_file",
        json!({ "path": "/etc/passwd" }),
    )
    .expect_err("no plugin command is granted");
    assert!(
        error.is_string(),
        "refused by the IPC layer, not by a command: {error}"
    );
}

#[test]
fn a_remote_page_cannot_call_the_commands() {
    let app = fresh_app();
    let error = invoke_from(&app, "https://example.com", "status", json!({}))
        .expect_err("only the bundled UI may call commands");
    assert!(
        error.as_str().is_some_and(|e| e.contains("not allowed")),
        "{error}"
    );
}

/// The three lists of commands — the handlers, the build script's manifest (which makes each
/// one need a permission) and the capability granting them — must agree: a command added to one
/// and not the others is either unreachable or ungoverned.
#[test]
fn handlers_manifest_and_capability_name_the_same_commands() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"));
    let read = |path: &str| std::fs::read_to_string(format!("{root}/{path}")).expect(path);
    let commands_rs = read("src/commands.rs");
    let mut handlers: Vec<String> = commands_rs
        .split("#[tauri::command]")
        .skip(1)
        .filter_map(|chunk| {
            let after = chunk.split("fn ").nth(1)?;
            Some(after.split(['(', '<']).next()?.trim().to_owned())
        })
        .collect();
    let build_rs = read("build.rs");
    let manifest_block = build_rs
        .split("const COMMANDS")
        .nth(1)
        .and_then(|rest| rest.split("];").next())
        .expect("COMMANDS in build.rs");
    let mut manifest: Vec<String> = manifest_block
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    let capability: Value =
        serde_json::from_str(&read("capabilities/default.json")).expect("capability JSON");
    let mut granted: Vec<String> = capability["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .filter_map(Value::as_str)
        .filter_map(|p| p.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();
    handlers.sort();
    manifest.sort();
    granted.sort();
    assert_eq!(handlers, manifest, "src/commands.rs and build.rs");
    assert_eq!(
        handlers, granted,
        "src/commands.rs and capabilities/default.json"
    );
}
