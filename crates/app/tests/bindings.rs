//! The checked-in TypeScript bindings must equal what the Rust types generate.

#[test]
fn checked_in_typescript_bindings_match_the_rust_types() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let path = std::path::Path::new(root).join(termdee_app::bindings::BINDINGS_PATH);
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == termdee_app::bindings::typescript(),
        "{} is out of date with the Rust IPC types: run `cargo xtask bindings` and commit it",
        path.display()
    );
}

#[test]
fn checked_in_ui_fixture_matches_what_the_backend_answers() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let path = std::path::Path::new(root).join(termdee_app::fixtures::UI_QR_FIXTURE_PATH);
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == termdee_app::fixtures::ui_qr_fixture(),
        "{} is out of date with the backend's replies: run `cargo xtask bindings` and commit it",
        path.display()
    );
}
