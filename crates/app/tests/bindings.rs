//! The checked-in TypeScript bindings and UI fixture must equal what the Rust side generates.
//!
//! With `TERMDEE_WRITE_BINDINGS=1` (what `cargo xtask bindings` sets) these tests write the files
//! instead of comparing them: the generator lives here, so the `xtask` crate does not depend on
//! the app (which would compile the app's whole dependency tree a second time, with `xtask`'s
//! own feature set, before any test could start on a cold machine).

use std::path::{Path, PathBuf};

fn checked_in(relative: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join(relative)
}

/// Compares `generated` with the checked-in file, or writes it when asked to.
fn check_or_write(relative: &str, generated: &str, what: &str) {
    let path = checked_in(relative);
    if std::env::var_os("TERMDEE_WRITE_BINDINGS").is_some_and(|value| value == "1") {
        if let Err(error) = std::fs::write(&path, generated) {
            panic!("cannot write {}: {error}", path.display());
        }
        println!("wrote {}", path.display());
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "{} is out of date with {what}: run `cargo xtask bindings` and commit it",
        path.display()
    );
}

#[test]
fn checked_in_typescript_bindings_match_the_rust_types() {
    check_or_write(
        termdee_app::bindings::BINDINGS_PATH,
        &termdee_app::bindings::typescript(),
        "the Rust IPC types",
    );
}

#[test]
fn checked_in_ui_fixture_matches_what_the_backend_answers() {
    check_or_write(
        termdee_app::fixtures::UI_QR_FIXTURE_PATH,
        &termdee_app::fixtures::ui_qr_fixture(),
        "the backend's replies",
    );
}
