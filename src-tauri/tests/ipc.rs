//! The commands over tauri's real IPC path (mock runtime, no display): arguments deserialise,
//! replies serialise, and errors arrive as `{ code, message }`.

use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::Manager;
use termdee_app::settings::Settings;
use termdee_app::{AppError, ErrorCode};
use termdee_desktop::{with_commands, ShellState};

fn app_with(
    settings: Result<Settings, AppError>,
) -> tauri::WebviewWindow<tauri::test::MockRuntime> {
    let app = with_commands(mock_builder())
        // The real context: the real capabilities decide which commands the window may call.
        .build(tauri::generate_context!("../tauri.conf.json", test = true))
        .expect("the mock app builds");
    app.manage(ShellState { settings });
    tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("the mock window opens")
}

fn invoke(
    window: &tauri::WebviewWindow<tauri::test::MockRuntime>,
    command: &str,
    body: Value,
) -> Result<Value, Value> {
    // The origin the embedded UI has on Linux; the capability grants "local" URLs only.
    invoke_from(window, "tauri://localhost", command, body)
}

fn invoke_from(
    window: &tauri::WebviewWindow<tauri::test::MockRuntime>,
    origin: &str,
    command: &str,
    body: Value,
) -> Result<Value, Value> {
    get_ipc_response(
        window,
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
fn prepare_qr_returns_the_screen() {
    let window = app_with(Ok(Settings {
        qr_countdown_seconds: 90,
    }));
    let reply = invoke(
        &window,
        "prepare_qr",
        json!({ "request": { "promptpay_id": "0812345678", "amount": "99" } }),
    )
    .expect("a valid request succeeds");
    assert_eq!(reply["payee_kind"], "mobile");
    assert_eq!(reply["amount_satang"], 9900);
    assert_eq!(reply["amount_display"], "99.00");
    assert_eq!(reply["valid_for_seconds"], 90);
    let payload = reply["payload"].as_str().expect("a payload string");
    assert!(payload.starts_with("000201010212"), "{payload}");
    let png = reply["png_data_url"].as_str().expect("a data URL");
    assert!(png.starts_with("data:image/png;base64,"));
}

#[test]
fn bad_input_is_an_error_with_a_code() {
    let window = app_with(Ok(Settings::default()));
    let error = invoke(
        &window,
        "prepare_qr",
        json!({ "request": { "promptpay_id": "0812345678", "amount": "-1" } }),
    )
    .expect_err("a negative amount is refused");
    assert_eq!(error["code"], "invalid_amount");
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[test]
fn broken_settings_are_reported_instead_of_guessed() {
    let broken = AppError::new(ErrorCode::InvalidSettings, "the settings file is not valid");
    let window = app_with(Err(broken));
    let error = invoke(
        &window,
        "prepare_qr",
        json!({ "request": { "promptpay_id": "0812345678", "amount": "1" } }),
    )
    .expect_err("no QR on broken settings");
    assert_eq!(error["code"], "invalid_settings");
    let error = invoke(&window, "settings", json!({})).expect_err("settings report the error");
    assert_eq!(error["code"], "invalid_settings");
}

#[test]
fn a_command_the_capabilities_do_not_grant_is_refused() {
    let window = app_with(Ok(Settings::default()));
    let error = invoke(
        &window,
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
    let window = app_with(Ok(Settings::default()));
    let error = invoke_from(&window, "https://example.com", "settings", json!({}))
        .expect_err("only the bundled UI may call commands");
    assert!(
        error.as_str().is_some_and(|e| e.contains("not allowed")),
        "{error}"
    );
}

#[test]
fn settings_are_returned() {
    let window = app_with(Ok(Settings::default()));
    let reply = invoke(&window, "settings", json!({})).expect("settings load");
    assert_eq!(reply, json!({ "qr_countdown_seconds": 300 }));
}
