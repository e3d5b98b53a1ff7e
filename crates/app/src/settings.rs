//! The shop's preferences: `settings.json` in the app's config folder, with env overrides.
//!
//! Only what is safe to read over a shoulder lives here: names, URLs, routing, timings. Every
//! secret (provider passwords, API keys, private keys, the hub token, the callback token) lives in
//! the secret store (`crate::shop::secrets`), never in this file. A value out of range is refused
//! with a message naming it, never silently replaced, and a machine whose settings are refused
//! does not sell (`ShopStatus::problems`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use termdee_domain::{Network, Satang};

use crate::engine::Routing;
use crate::error::{AppError, ErrorCode};
use crate::shop::views::{AppMode, Language, NetworkRoute, ProviderId};

/// The environment variable that overrides [`Settings::qr_countdown_seconds`] (used by tests and
/// by a kiosk image that wants a different countdown without a settings file).
pub const QR_COUNTDOWN_ENV: &str = "TERMDEE_QR_COUNTDOWN_SECONDS";

/// The shortest countdown a QR may have: a customer needs time to open a banking app.
pub const MIN_QR_COUNTDOWN_SECONDS: u32 = 5;
/// The longest countdown a QR may have: a provider QR rarely lives longer than 30 minutes.
pub const MAX_QR_COUNTDOWN_SECONDS: u32 = 30 * 60;
/// Kiosk idle timeout bounds: long enough to type a number, short enough that a walk-away
/// customer's screen does not stay up for the next person.
pub const KIOSK_IDLE_RANGE: std::ops::RangeInclusive<u32> = 10..=600;
/// Receipt widths the printers sold in Thailand use: 58 mm (384 dots) and 80 mm (576 dots).
pub const PRINTER_WIDTHS: [u32; 2] = [384, 576];

/// One provider's plain (non-secret) settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProviderSettings {
    /// Whether the app uses it.
    pub enabled: bool,
    /// Plain fields by key (`base_url`, `username`, ...); see `crate::shop::providers`.
    pub values: BTreeMap<String, String>,
}

/// The shop's preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// How long a QR stays payable on screen before it is shown as expired (default 5 minutes).
    pub qr_countdown_seconds: u32,
    /// The shop's name (receipts, kiosk attract screen).
    pub shop_name: String,
    /// The shop's own PromptPay ID for the local QR (cashier confirms), or empty.
    pub promptpay_id: String,
    /// This machine's register id: stable, never changed once sales exist.
    pub register_id: String,
    /// This machine's register name.
    pub register_name: String,
    /// Counter or kiosk.
    pub mode: AppMode,
    /// The screen language.
    pub language: Language,
    /// Kiosk idle timeout (seconds).
    pub kiosk_idle_seconds: u32,
    /// The callback listener's address (`0.0.0.0:8787`), or empty: the engine polls.
    pub callback_listen: String,
    /// The public base URL the providers call back, or empty.
    pub public_url: String,
    /// Below this a provider balance is shown as low (satang).
    pub low_balance_alert: Satang,
    /// Which top-up providers sell which network, in order.
    pub routing: Routing,
    /// Per provider, its plain settings.
    pub providers: BTreeMap<ProviderId, ProviderSettings>,
    /// The receipt printer (`tcp://host:9100` or a device path), or empty.
    pub printer: String,
    /// Receipt width in dots.
    pub printer_width_dots: u32,
    /// The fleet hub's URL, or empty.
    pub hub_url: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            qr_countdown_seconds: 300,
            shop_name: String::new(),
            promptpay_id: String::new(),
            register_id: "register-1".to_owned(),
            register_name: "Counter 1".to_owned(),
            mode: AppMode::Counter,
            language: Language::Th,
            kiosk_idle_seconds: 60,
            callback_listen: String::new(),
            public_url: String::new(),
            low_balance_alert: Satang::new(50_000),
            routing: Routing::default(),
            providers: BTreeMap::new(),
            printer: String::new(),
            printer_width_dots: 384,
            hub_url: String::new(),
        }
    }
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::InvalidSettings, message)
}

impl Settings {
    /// Reads the settings file if it exists (defaults otherwise), then applies the environment
    /// overrides, then checks every value is in range.
    pub fn load(file: &Path) -> Result<Settings, AppError> {
        let mut settings = match std::fs::read_to_string(file) {
            Ok(text) => serde_json::from_str(&text).map_err(|error| {
                invalid(format!(
                    "the settings file {} is not valid: {error}",
                    file.display()
                ))
            })?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Settings::default(),
            Err(error) => {
                return Err(invalid(format!(
                    "the settings file {} cannot be read: {error}",
                    file.display()
                )))
            }
        };
        if let Ok(value) = std::env::var(QR_COUNTDOWN_ENV) {
            settings.qr_countdown_seconds = value.trim().parse().map_err(|_| {
                invalid(format!(
                    "{QR_COUNTDOWN_ENV}={value:?} is not a whole number of seconds"
                ))
            })?;
        }
        settings.validate()?;
        Ok(settings)
    }

    /// Writes the file atomically (a temporary file renamed over it), after checking it.
    pub fn save(&self, file: &Path) -> Result<(), AppError> {
        self.validate()?;
        let text = serde_json::to_string_pretty(self)
            .map_err(|error| AppError::new(ErrorCode::Internal, error.to_string()))?;
        if let Some(folder) = file.parent() {
            std::fs::create_dir_all(folder)
                .map_err(|error| invalid(format!("cannot create {}: {error}", folder.display())))?;
        }
        let temporary = file.with_extension("json.tmp");
        std::fs::write(&temporary, text)
            .and_then(|()| std::fs::rename(&temporary, file))
            .map_err(|error| invalid(format!("cannot write {}: {error}", file.display())))
    }

    /// Checks every value is in its allowed range.
    pub fn validate(&self) -> Result<(), AppError> {
        let range = MIN_QR_COUNTDOWN_SECONDS..=MAX_QR_COUNTDOWN_SECONDS;
        if !range.contains(&self.qr_countdown_seconds) {
            return Err(invalid(format!(
                "the QR countdown must be between {MIN_QR_COUNTDOWN_SECONDS} and \
                 {MAX_QR_COUNTDOWN_SECONDS} seconds, not {}",
                self.qr_countdown_seconds
            )));
        }
        if !KIOSK_IDLE_RANGE.contains(&self.kiosk_idle_seconds) {
            return Err(invalid(format!(
                "the kiosk idle timeout must be between {} and {} seconds, not {}",
                KIOSK_IDLE_RANGE.start(),
                KIOSK_IDLE_RANGE.end(),
                self.kiosk_idle_seconds
            )));
        }
        let id_ok = !self.register_id.is_empty()
            && self.register_id.len() <= 32
            && self
                .register_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !id_ok {
            return Err(invalid(format!(
                "the register id {:?} must be 1 to 32 letters, digits, '-' or '_'",
                self.register_id
            )));
        }
        if self.register_name.trim().is_empty() {
            return Err(invalid("the register needs a name"));
        }
        if self.shop_name.chars().count() > 80 {
            return Err(invalid("the shop name is longer than 80 characters"));
        }
        if !self.promptpay_id.trim().is_empty() {
            termdee_promptpay::Target::parse_id(&self.promptpay_id).map_err(|error| {
                AppError::new(
                    ErrorCode::InvalidPromptpayId,
                    format!("the shop's PromptPay ID: {error}"),
                )
            })?;
        }
        if !self.callback_listen.trim().is_empty()
            && self
                .callback_listen
                .trim()
                .parse::<std::net::SocketAddr>()
                .is_err()
        {
            return Err(invalid(format!(
                "the callback listener address {:?} is not HOST:PORT such as 0.0.0.0:8787",
                self.callback_listen
            )));
        }
        for (name, url) in [("public URL", &self.public_url), ("hub URL", &self.hub_url)] {
            if !url.trim().is_empty() {
                let parsed = url::Url::parse(url.trim())
                    .map_err(|error| invalid(format!("the {name} {url:?}: {error}")))?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(invalid(format!("the {name} {url:?} is not http(s)")));
                }
            }
        }
        if self.low_balance_alert.as_satang() < 0 {
            return Err(invalid("the low-balance alert cannot be negative"));
        }
        if !PRINTER_WIDTHS.contains(&self.printer_width_dots) {
            return Err(invalid(format!(
                "the printer width must be 384 (58 mm) or 576 (80 mm) dots, not {}",
                self.printer_width_dots
            )));
        }
        for (network, providers) in &self.routing.routes {
            for provider in providers {
                if !matches!(provider.as_str(), "wepay" | "easysoft") {
                    return Err(invalid(format!(
                        "routing for {network}: {provider:?} is not a top-up provider \
                         (wepay, easysoft)"
                    )));
                }
            }
        }
        Ok(())
    }

    /// Routing as the settings screen lists it: every network, in display order.
    pub fn routes(&self) -> Vec<NetworkRoute> {
        Network::ALL
            .into_iter()
            .map(|network| NetworkRoute {
                network,
                providers: self.routing.providers_for(network).to_vec(),
            })
            .collect()
    }

    /// Sets routing from the settings screen's list.
    pub fn set_routes(&mut self, routes: &[NetworkRoute]) {
        for route in routes {
            let mut providers: Vec<String> = Vec::new();
            for provider in &route.providers {
                if !providers.contains(provider) {
                    providers.push(provider.clone());
                }
            }
            self.routing.routes.insert(route.network, providers);
        }
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
        assert_eq!(settings.mode, AppMode::Counter);
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

    #[test]
    fn saving_writes_what_loading_reads_and_refuses_bad_values() {
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("nested").join("settings.json");
        let mut settings = Settings {
            shop_name: "ร้านเติมดี".into(),
            promptpay_id: "0812345678".into(),
            callback_listen: "0.0.0.0:8787".into(),
            public_url: "https://shop.example/".into(),
            ..Settings::default()
        };
        settings.providers.insert(
            ProviderId::Wepay,
            ProviderSettings {
                enabled: true,
                values: BTreeMap::from([("username".into(), "shop".into())]),
            },
        );
        settings.save(&file).unwrap();
        assert_eq!(Settings::load(&file).unwrap(), settings);

        for broken in [
            Settings {
                promptpay_id: "12345".into(),
                ..settings.clone()
            },
            Settings {
                callback_listen: "8787".into(),
                ..settings.clone()
            },
            Settings {
                public_url: "ftp://shop.example/".into(),
                ..settings.clone()
            },
            Settings {
                register_id: "kiosk 1".into(),
                ..settings.clone()
            },
            Settings {
                printer_width_dots: 400,
                ..settings.clone()
            },
        ] {
            assert!(broken.save(&file).is_err(), "{broken:?} must be refused");
        }
        assert_eq!(
            Settings::load(&file).unwrap(),
            settings,
            "a refused save changes nothing"
        );
    }

    #[test]
    fn routing_refuses_unknown_providers_and_drops_repeats() {
        let mut settings = Settings::default();
        settings.set_routes(&[NetworkRoute {
            network: Network::Ais,
            providers: vec!["easysoft".into(), "wepay".into(), "easysoft".into()],
        }]);
        assert_eq!(
            settings.routing.providers_for(Network::Ais),
            ["easysoft".to_owned(), "wepay".to_owned()]
        );
        settings.set_routes(&[NetworkRoute {
            network: Network::Dtac,
            providers: vec!["truemoney".into()],
        }]);
        assert_eq!(
            settings.validate().unwrap_err().code,
            ErrorCode::InvalidSettings
        );
    }
}
