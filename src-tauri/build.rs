//! The Tauri config lives at the workspace root (see ../shared/DESIGN.md), so point tauri-build
//! at it; `generate_context!` in lib.rs takes the same path.

fn main() {
    // Declaring the app's commands makes each one need a permission in a capability
    // (capabilities/default.json), so the window can call exactly these and nothing else.
    let commands = tauri_build::AppManifest::new().commands(&["prepare_qr", "settings"]);
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(commands);
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {error:#}");
    }
}
