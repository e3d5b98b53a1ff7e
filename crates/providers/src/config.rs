//! Provider configuration from a JSON file (plus environment overrides), and the functions
//! behind `termdee balance --provider …` and `termdee catalogue --provider …`.
//!
//! The file (every key optional; the URLs default to production):
//!
//! ```json
//! {
//!   "transport": { "connect_timeout_secs": 10, "total_timeout_secs": 30 },
//!   "wepay": { "base_url": "https://www.wepay.in.th/", "username": "shop",
//!              "password": "…", "password_is_md5": false,
//!              "callback_url": "https://shop.example/wepay/callback" },
//!   "easysoft": { "endpoint": "https://api.easysoft.in.th/topup/v2.php",
//!                 "username": "shop", "password": "…", "users": "kiosk-1" }
//! }
//! ```
//!
//! Environment overrides (applied after the file): `TERMDEE_WEPAY_URL`,
//! `TERMDEE_WEPAY_USERNAME`, `TERMDEE_WEPAY_PASSWORD`, `TERMDEE_EASYSOFT_URL`,
//! `TERMDEE_EASYSOFT_USERNAME`, `TERMDEE_EASYSOFT_PASSWORD`, `TERMDEE_EASYSOFT_USERS`.
//! Passwords belong in the OS keyring in the app; this file is for support tools and tests.

use std::fmt::Write as _;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;
use url::Url;

use crate::easysoft::{EasysoftClient, EasysoftConfig};
use crate::error::ProviderError;
use crate::outcome::{Balance, CatalogueEntry};
use crate::transport::{Transport, TransportConfig};
use crate::wepay::{WepayClient, WepayConfig};

/// The environment variable naming a config file when no path is given.
pub const CONFIG_ENV: &str = "TERMDEE_PROVIDERS_CONFIG";

/// Which top-up provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderName {
    /// wePAY.
    Wepay,
    /// Easysoft.
    Easysoft,
}

impl FromStr for ProviderName {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "wepay" => Ok(ProviderName::Wepay),
            "easysoft" => Ok(ProviderName::Easysoft),
            other => Err(format!(
                "unknown provider {other:?}: expected wepay or easysoft"
            )),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    transport: Option<FileTransport>,
    wepay: Option<FileWepay>,
    easysoft: Option<FileEasysoft>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTransport {
    connect_timeout_secs: Option<u64>,
    total_timeout_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileWepay {
    base_url: Option<String>,
    username: Option<String>,
    password: Option<String>,
    password_is_md5: Option<bool>,
    callback_url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEasysoft {
    endpoint: Option<String>,
    username: Option<String>,
    password: Option<String>,
    users: Option<String>,
}

/// Every provider's configuration. `Default` is production URLs and no credentials.
#[derive(Debug, Clone, Default)]
pub struct ProvidersConfig {
    /// Timeouts.
    pub transport: TransportConfig,
    /// wePAY.
    pub wepay: WepayConfig,
    /// Easysoft.
    pub easysoft: EasysoftConfig,
}

impl ProvidersConfig {
    /// Reads a JSON config text over the defaults.
    pub fn from_json(text: &str) -> Result<Self, ProviderError> {
        let file: FileConfig = serde_json::from_str(text)
            .map_err(|error| ProviderError::Config(format!("config file: {error}")))?;
        let url = |name: &str, text: String| {
            Url::parse(&text).map_err(|error| ProviderError::Config(format!("{name}: {error}")))
        };
        let mut config = ProvidersConfig::default();
        if let Some(transport) = file.transport {
            if let Some(secs) = transport.connect_timeout_secs {
                config.transport.connect_timeout = Duration::from_secs(secs);
            }
            if let Some(secs) = transport.total_timeout_secs {
                config.transport.total_timeout = Duration::from_secs(secs);
            }
        }
        if let Some(wepay) = file.wepay {
            if let Some(text) = wepay.base_url {
                config.wepay.base_url = directory(url("wepay.base_url", text)?);
            }
            if let Some(username) = wepay.username {
                config.wepay.username = username;
            }
            if let Some(password) = wepay.password {
                config.wepay.password = SecretString::from(password);
            }
            if let Some(flag) = wepay.password_is_md5 {
                config.wepay.password_is_md5 = flag;
            }
            config.wepay.callback_url = wepay
                .callback_url
                .map(|text| url("wepay.callback_url", text))
                .transpose()?;
        }
        if let Some(easysoft) = file.easysoft {
            if let Some(text) = easysoft.endpoint {
                config.easysoft.endpoint = url("easysoft.endpoint", text)?;
            }
            if let Some(username) = easysoft.username {
                config.easysoft.username = username;
            }
            if let Some(password) = easysoft.password {
                config.easysoft.password = SecretString::from(password);
            }
            config.easysoft.users = easysoft.users;
        }
        Ok(config)
    }

    /// Reads a JSON config file.
    pub fn from_file(path: &Path) -> Result<Self, ProviderError> {
        let text = std::fs::read_to_string(path).map_err(|error| {
            ProviderError::Config(format!("cannot read {}: {error}", path.display()))
        })?;
        Self::from_json(&text)
    }

    /// Applies the `TERMDEE_*` overrides found by `lookup` (pass `|name| std::env::var(name).ok()`).
    pub fn apply_env(
        &mut self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<(), ProviderError> {
        let url = |name: &str, text: String| {
            Url::parse(&text).map_err(|error| ProviderError::Config(format!("{name}: {error}")))
        };
        if let Some(text) = lookup("TERMDEE_WEPAY_URL") {
            self.wepay.base_url = directory(url("TERMDEE_WEPAY_URL", text)?);
        }
        if let Some(username) = lookup("TERMDEE_WEPAY_USERNAME") {
            self.wepay.username = username;
        }
        if let Some(password) = lookup("TERMDEE_WEPAY_PASSWORD") {
            self.wepay.password = SecretString::from(password);
        }
        if let Some(text) = lookup("TERMDEE_EASYSOFT_URL") {
            self.easysoft.endpoint = url("TERMDEE_EASYSOFT_URL", text)?;
        }
        if let Some(username) = lookup("TERMDEE_EASYSOFT_USERNAME") {
            self.easysoft.username = username;
        }
        if let Some(password) = lookup("TERMDEE_EASYSOFT_PASSWORD") {
            self.easysoft.password = SecretString::from(password);
        }
        if let Some(users) = lookup("TERMDEE_EASYSOFT_USERS") {
            self.easysoft.users = Some(users);
        }
        Ok(())
    }

    /// The config the CLI uses: the file at `path` (or `$TERMDEE_PROVIDERS_CONFIG`, or none),
    /// then the environment overrides.
    pub fn load(path: Option<&Path>) -> Result<Self, ProviderError> {
        let from_env = std::env::var_os(CONFIG_ENV);
        let path = path.or(from_env.as_deref().map(Path::new));
        let mut config = match path {
            Some(path) => Self::from_file(path)?,
            None => ProvidersConfig::default(),
        };
        config.apply_env(|name| std::env::var(name).ok())?;
        Ok(config)
    }

    fn transport(&self) -> Result<Transport, ProviderError> {
        Ok(Transport::new(self.transport.clone())?)
    }

    /// A wePAY client over a new transport.
    pub fn wepay_client(&self) -> Result<WepayClient, ProviderError> {
        Ok(WepayClient::new(self.wepay.clone(), self.transport()?))
    }

    /// An Easysoft client over a new transport.
    pub fn easysoft_client(&self) -> Result<EasysoftClient, ProviderError> {
        Ok(EasysoftClient::new(
            self.easysoft.clone(),
            self.transport()?,
        ))
    }
}

/// A base URL must end in `/` for `join` to keep its last path segment.
fn directory(mut url: Url) -> Url {
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url
}

/// Asks one provider for its wallet balance.
pub async fn balance(
    config: &ProvidersConfig,
    provider: ProviderName,
) -> Result<Balance, ProviderError> {
    match provider {
        ProviderName::Wepay => config.wepay_client()?.balance().await,
        ProviderName::Easysoft => config.easysoft_client()?.balance().await,
    }
}

/// Asks one provider for its catalogue (Easysoft: the static network list).
pub async fn catalogue(
    config: &ProvidersConfig,
    provider: ProviderName,
) -> Result<Vec<CatalogueEntry>, ProviderError> {
    match provider {
        ProviderName::Wepay => config.wepay_client()?.catalogue().await,
        ProviderName::Easysoft => Ok(crate::easysoft::api::static_catalogue()),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, ProviderError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| ProviderError::Config(format!("cannot start the async runtime: {error}")))
}

/// [`balance`] for a synchronous caller (the CLI): runs its own small runtime.
pub fn balance_blocking(
    config: &ProvidersConfig,
    provider: ProviderName,
) -> Result<Balance, ProviderError> {
    runtime()?.block_on(balance(config, provider))
}

/// [`catalogue`] for a synchronous caller (the CLI).
pub fn catalogue_blocking(
    config: &ProvidersConfig,
    provider: ProviderName,
) -> Result<Vec<CatalogueEntry>, ProviderError> {
    runtime()?.block_on(catalogue(config, provider))
}

/// One line: `available 299987.74` and, when known, `ledger 299987.74`.
pub fn render_balance(balance: &Balance) -> String {
    match balance.ledger {
        Some(ledger) => format!(
            "available {}\nledger {}",
            balance.available.to_baht_string(),
            ledger.to_baht_string()
        ),
        None => format!("available {}", balance.available.to_baht_string()),
    }
}

/// One line per product, tab separated: code, name, `min-max` (or `-`), refundability and the
/// comma-separated denominations (or `-`).
pub fn render_catalogue(entries: &[CatalogueEntry]) -> String {
    let mut text = String::new();
    for entry in entries {
        let amount = |value: Option<termdee_domain::Satang>| {
            value
                .map(|v| v.to_baht_string())
                .unwrap_or_else(|| "-".to_owned())
        };
        let denominations = entry
            .denominations
            .iter()
            .map(|d| d.to_baht_string())
            .collect::<Vec<_>>()
            .join(",");
        let refundable = match entry.refundable {
            Some(true) => "refundable",
            Some(false) => "not-refundable",
            None => "-",
        };
        let range = match (entry.min, entry.max) {
            (None, None) => "-".to_owned(),
            (min, max) => format!("{}-{}", amount(min), amount(max)),
        };
        let _ = writeln!(
            text,
            "{}\t{}\t{}\t{}\t{}",
            entry.product,
            entry.name,
            range,
            refundable,
            if denominations.is_empty() {
                "-"
            } else {
                &denominations
            }
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;
    use termdee_domain::Satang;

    use super::*;

    #[test]
    fn defaults_are_production_urls() {
        let config = ProvidersConfig::default();
        assert_eq!(config.wepay.base_url.as_str(), "https://www.wepay.in.th/");
        assert_eq!(
            config.easysoft.endpoint.as_str(),
            "https://api.easysoft.in.th/topup/v2.php"
        );
    }

    #[test]
    fn file_and_env_override_defaults() {
        let mut config = ProvidersConfig::from_json(
            r#"{"wepay":{"base_url":"http://127.0.0.1:9/sub","username":"u","password":"p"},
                "easysoft":{"users":"kiosk-1"},"transport":{"total_timeout_secs":5}}"#,
        )
        .expect("valid config");
        assert_eq!(config.wepay.base_url.as_str(), "http://127.0.0.1:9/sub/");
        assert_eq!(config.wepay.password.expose_secret(), "p");
        assert_eq!(config.easysoft.users.as_deref(), Some("kiosk-1"));
        assert_eq!(config.transport.total_timeout, Duration::from_secs(5));
        config
            .apply_env(|name| {
                (name == "TERMDEE_EASYSOFT_URL").then(|| "http://127.0.0.1:1/e.php".to_owned())
            })
            .expect("valid env");
        assert_eq!(
            config.easysoft.endpoint.as_str(),
            "http://127.0.0.1:1/e.php"
        );
        assert!(
            !format!("{config:?}").contains("\"p\""),
            "Debug must not print the password"
        );
    }

    #[test]
    fn renders_for_the_cli() {
        let balance = Balance {
            available: Satang::new(123_450),
            ledger: None,
        };
        assert_eq!(render_balance(&balance), "available 1234.50");
        let lines = render_catalogue(&crate::easysoft::api::static_catalogue());
        assert!(lines.starts_with("1\tAIS\t-\t-\t-\n"), "{lines}");
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(ProvidersConfig::from_json(r#"{"wepay":{"pasword":"x"}}"#).is_err());
    }
}
