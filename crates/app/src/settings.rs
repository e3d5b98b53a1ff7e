//! The shop's preferences: a small JSON file in the app's config folder, with env overrides.

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{AppError, ErrorCode};

/// The environment variable that overrides [`Settings::qr_countdown_seconds`] (used by tests and
/// by a kiosk image that wants a different countdown without a settings file).
pub const QR_COUNTDOWN_ENV: &str = "TERMDEE_QR_COUNTDOWN_SECONDS";

/// The shortest countdown a QR may have: a customer needs time to open a banking app.
pub const MIN_QR_COUNTDOWN_SECONDS: u32 = 5;
/// The longest countdown a QR may have: a provider QR rarely lives longer than 30 minutes.
pub const MAX_QR_COUNTDOWN_SECONDS: u32 = 30 * 60;

/// The shop's preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// How long a QR stays payable on screen before it is shown as expired (default 5 minutes).
    pub qr_countdown_seconds: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            qr_countdown_seconds: 300,
        }
    }
}

impl Settings {
    /// Reads the settings file if it exists (defaults otherwise), then applies the environment
    /// overrides, then checks every value is in range.
    pub fn load(file: &Path) -> Result<Settings, AppError> {
        let mut settings = match std::fs::read_to_string(file) {
            Ok(text) => serde_json::from_str(&text).map_err(|error| {
                AppError::new(
                    ErrorCode::InvalidSettings,
                    format!("the settings file {} is not valid: {error}", file.display()),
                )
            })?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Settings::default(),
            Err(error) => {
                return Err(AppError::new(
                    ErrorCode::InvalidSettings,
                    format!(
                        "the settings file {} cannot be read: {error}",
                        file.display()
                    ),
                ))
            }
        };
        if let Ok(value) = std::env::var(QR_COUNTDOWN_ENV) {
            settings.qr_countdown_seconds = value.trim().parse().map_err(|_| {
                AppError::new(
                    ErrorCode::InvalidSettings,
                    format!("{QR_COUNTDOWN_ENV}={value:?} is not a whole number of seconds"),
                )
            })?;
        }
        settings.validate()?;
        Ok(settings)
    }

    /// Checks every value is in its allowed range.
    pub fn validate(&self) -> Result<(), AppError> {
        let range = MIN_QR_COUNTDOWN_SECONDS..=MAX_QR_COUNTDOWN_SECONDS;
        if !range.contains(&self.qr_countdown_seconds) {
            return Err(AppError::new(
                ErrorCode::InvalidSettings,
                format!(
                    "the QR countdown must be between {MIN_QR_COUNTDOWN_SECONDS} and \
                     {MAX_QR_COUNTDOWN_SECONDS} seconds, not {}",
                    self.qr_countdown_seconds
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_gives_the_defaults() {
        let folder = tempfile::tempdir().unwrap();
        let settings = Settings::load(&folder.path().join("settings.json")).unwrap();
        assert_eq!(
            settings.qr_countdown_seconds, 300,
            "the default countdown is 5 minutes"
        );
    }

    #[test]
    fn the_file_sets_the_countdown_and_bad_values_are_refused() {
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("settings.json");
        std::fs::write(&file, r#"{"qr_countdown_seconds": 120}"#).unwrap();
        assert_eq!(Settings::load(&file).unwrap().qr_countdown_seconds, 120);

        std::fs::write(&file, r#"{"qr_countdown_seconds": 1}"#).unwrap();
        let error = Settings::load(&file).unwrap_err();
        assert_eq!(error.code, ErrorCode::InvalidSettings);

        std::fs::write(&file, r#"{"qr_countdown": 120}"#).unwrap();
        let error = Settings::load(&file).unwrap_err();
        assert!(
            error.message.contains("not valid"),
            "a misspelt key is refused: {error}"
        );
    }
}
