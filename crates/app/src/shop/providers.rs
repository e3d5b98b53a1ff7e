//! From settings and secrets to provider clients behind the engine's ports.
//!
//! Each provider has a short list of fields ([`fields`]): plain ones are kept in
//! `settings.json`, secret ones in the secret store under `<provider>.<key>`. [`build_ports`]
//! turns the enabled, complete providers into the engine's [`TopupPort`]s and [`PaymentPort`]s;
//! a provider with a missing required field is not built, and [`missing_fields`] says what is
//! missing so the settings screen can show it. URLs default to production, and the callback URL
//! each provider is given is always derived from the public base URL and the secret callback
//! token, never typed per provider.

use std::collections::BTreeMap;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use termdee_domain::PaymentMethod;
use termdee_providers::transport::TransportConfig;
use termdee_providers::{
    BluePayClient, BluePayConfig, DepositClient, DepositConfig, EasysoftClient, EasysoftConfig,
    TmweasyClient, TmweasyConfig, Transport, WepayClient, WepayConfig,
};
use url::Url;

use super::secrets::SecretStore;
use super::views::{ProviderField, ProviderId, ProviderSettingsView};
use crate::engine::callbacks;
use crate::engine::ports::{BluePayPort, DepositQrPort, EasysoftPort, TmweasyPort, WepayPort};
use crate::engine::{PaymentPort, TopupPort};
use crate::error::{AppError, ErrorCode};
use crate::settings::{ProviderSettings, Settings};

/// One field of a provider's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// The key in settings (plain) or the secret store (`<provider>.<key>`).
    pub key: &'static str,
    /// Kept in the secret store, never shown back.
    pub secret: bool,
    /// Must be set for the provider to be used.
    pub required: bool,
    /// The value when none is set (production URLs, documented defaults).
    pub default: &'static str,
}

const fn plain(key: &'static str, required: bool, default: &'static str) -> FieldSpec {
    FieldSpec {
        key,
        secret: false,
        required,
        default,
    }
}

const fn secret(key: &'static str) -> FieldSpec {
    FieldSpec {
        key,
        secret: true,
        required: true,
        default: "",
    }
}

impl ProviderId {
    /// Every provider, in the settings screen's order.
    pub const ALL: [ProviderId; 5] = [
        ProviderId::Wepay,
        ProviderId::Easysoft,
        ProviderId::Tmweasy,
        ProviderId::DepositQr,
        ProviderId::Bluepay,
    ];

    /// The name used in the ledger, callback paths and secret names.
    pub fn code(self) -> &'static str {
        match self {
            ProviderId::Wepay => "wepay",
            ProviderId::Easysoft => "easysoft",
            ProviderId::Tmweasy => "tmweasy",
            ProviderId::DepositQr => "deposit_qr",
            ProviderId::Bluepay => "bluepay",
        }
    }

    /// Whether it sells top-ups (else it collects payments).
    pub fn sells_topups(self) -> bool {
        matches!(self, ProviderId::Wepay | ProviderId::Easysoft)
    }

    /// The payment method it collects, for payment providers.
    pub fn payment_method(self) -> Option<PaymentMethod> {
        match self {
            ProviderId::Tmweasy => Some(PaymentMethod::Tmweasy),
            ProviderId::DepositQr => Some(PaymentMethod::DepositQr),
            ProviderId::Bluepay => Some(PaymentMethod::BluePay),
            ProviderId::Wepay | ProviderId::Easysoft => None,
        }
    }
}

/// The fields of a provider, in display order.
pub fn fields(provider: ProviderId) -> &'static [FieldSpec] {
    const WEPAY: &[FieldSpec] = &[
        plain(
            "base_url",
            true,
            termdee_providers::wepay::WEPAY_PRODUCTION_URL,
        ),
        plain("username", true, ""),
        secret("password"),
    ];
    const EASYSOFT: &[FieldSpec] = &[
        plain(
            "endpoint",
            true,
            termdee_providers::easysoft::EASYSOFT_PRODUCTION_URL,
        ),
        plain("username", true, ""),
        secret("password"),
    ];
    const TMWEASY: &[FieldSpec] = &[
        plain(
            "endpoint",
            true,
            termdee_providers::tmweasy::TMWEASY_PRODUCTION_URL,
        ),
        plain("username", true, ""),
        secret("password"),
        secret("con_id"),
        // The shop's public IP, which Mae Manee records with each bill (tmweasy.md §2).
        plain("customer_ip", true, "127.0.0.1"),
    ];
    const DEPOSIT_QR: &[FieldSpec] = &[
        plain(
            "base_url",
            true,
            termdee_providers::deposit_qr::DEPOSIT_PRODUCTION_URL,
        ),
        secret("token"),
        secret("api_key"),
        secret("secret_key"),
        // The payer account the platform requires (deposit_qr.md §3.1, still open for walk-in
        // payers: the shop's own collection account is used).
        plain("ref_account", true, ""),
        plain("ref_bank_code", true, ""),
        plain("ref_name_th", true, ""),
        plain("ref_name_en", false, ""),
        plain("ref_user_id", false, ""),
    ];
    const BLUEPAY: &[FieldSpec] = &[
        // Per merchant: BluePay gives each merchant its own domain (bluepay_webpay.md §1).
        plain("base_url", true, ""),
        plain("app_id", true, ""),
        secret("merchant_private_key"),
        plain("bluepay_public_key", true, ""),
        plain("channel_code", true, "TRUEMONEY_URL"),
        plain("redirect_url", true, "https://termdee.invalid/done"),
        plain("customer_name", true, "Walk-in customer"),
        plain("email", true, ""),
        plain("mobile", true, ""),
        plain("expire_seconds", false, "900"),
    ];
    match provider {
        ProviderId::Wepay => WEPAY,
        ProviderId::Easysoft => EASYSOFT,
        ProviderId::Tmweasy => TMWEASY,
        ProviderId::DepositQr => DEPOSIT_QR,
        ProviderId::Bluepay => BLUEPAY,
    }
}

/// The name of a provider's secret in the store.
pub fn secret_name(provider: ProviderId, key: &str) -> String {
    format!("{}.{key}", provider.code())
}

/// The values of one provider: plain from settings (or defaults), secrets from the store.
#[derive(Debug, Clone)]
pub struct ProviderValues {
    provider: ProviderId,
    plain: BTreeMap<String, String>,
    secrets: BTreeMap<String, SecretString>,
}

impl ProviderValues {
    /// Reads a provider's values.
    pub fn read(
        provider: ProviderId,
        settings: &ProviderSettings,
        store: &dyn SecretStore,
    ) -> Result<Self, AppError> {
        let mut plain = BTreeMap::new();
        let mut secrets = BTreeMap::new();
        for field in fields(provider) {
            if field.secret {
                if let Some(value) = store.get(&secret_name(provider, field.key))? {
                    secrets.insert(field.key.to_owned(), value);
                }
            } else {
                let value = settings
                    .values
                    .get(field.key)
                    .map(|v| v.trim().to_owned())
                    .filter(|v| !v.is_empty())
                    .unwrap_or_else(|| field.default.to_owned());
                plain.insert(field.key.to_owned(), value);
            }
        }
        Ok(ProviderValues {
            provider,
            plain,
            secrets,
        })
    }

    /// Values given directly (demo mode: the simulators' addresses and demo credentials).
    pub fn given(provider: ProviderId, plain: &[(&str, &str)], secrets: &[(&str, &str)]) -> Self {
        let mut values = ProviderValues {
            provider,
            plain: BTreeMap::new(),
            secrets: BTreeMap::new(),
        };
        for field in fields(provider).iter().filter(|f| !f.secret) {
            values
                .plain
                .insert(field.key.to_owned(), field.default.to_owned());
        }
        for (key, value) in plain {
            values.plain.insert((*key).to_owned(), (*value).to_owned());
        }
        for (key, value) in secrets {
            values
                .secrets
                .insert((*key).to_owned(), SecretString::from(*value));
        }
        values
    }

    fn text(&self, key: &str) -> String {
        self.plain.get(key).cloned().unwrap_or_default()
    }

    fn url(&self, key: &str) -> Result<Url, AppError> {
        let text = self.text(key);
        Url::parse(&text).map_err(|error| {
            AppError::new(
                ErrorCode::InvalidSettings,
                format!("{} {key} {text:?}: {error}", self.provider.code()),
            )
        })
    }

    fn secret(&self, key: &str) -> SecretString {
        self.secrets
            .get(key)
            .cloned()
            .unwrap_or_else(|| SecretString::from(""))
    }

    /// The required fields that are empty.
    pub fn missing(&self) -> Vec<&'static str> {
        fields(self.provider)
            .iter()
            .filter(|f| f.required)
            .filter(|f| {
                if f.secret {
                    self.secrets
                        .get(f.key)
                        .is_none_or(|s| s.expose_secret().is_empty())
                } else {
                    self.plain.get(f.key).is_none_or(|v| v.is_empty())
                }
            })
            .map(|f| f.key)
            .collect()
    }
}

/// The required fields a provider is missing (empty when it is complete).
pub fn missing_fields(
    provider: ProviderId,
    settings: &Settings,
    store: &dyn SecretStore,
) -> Result<Vec<&'static str>, AppError> {
    let own = settings
        .providers
        .get(&provider)
        .cloned()
        .unwrap_or_default();
    Ok(ProviderValues::read(provider, &own, store)?.missing())
}

/// The settings screen's view of every provider (secrets as hints only).
pub fn settings_views(
    settings: &Settings,
    store: &dyn SecretStore,
) -> Result<Vec<ProviderSettingsView>, AppError> {
    ProviderId::ALL
        .into_iter()
        .map(|provider| {
            let own = settings
                .providers
                .get(&provider)
                .cloned()
                .unwrap_or_default();
            let fields = fields(provider)
                .iter()
                .map(|field| {
                    let value = if field.secret {
                        store.hint(&secret_name(provider, field.key))?
                    } else {
                        own.values
                            .get(field.key)
                            .cloned()
                            .unwrap_or_else(|| field.default.to_owned())
                    };
                    Ok(ProviderField {
                        key: field.key.to_owned(),
                        secret: field.secret,
                        value,
                        required: field.required,
                    })
                })
                .collect::<Result<Vec<_>, AppError>>()?;
            Ok(ProviderSettingsView {
                provider,
                enabled: own.enabled,
                fields,
            })
        })
        .collect()
}

/// Where providers call back: a base URL and the secret token in every path.
#[derive(Debug, Clone)]
pub struct CallbackTarget {
    /// The base (`https://shop.example/`); `callback/<provider>/<token>` is joined to it.
    pub base: Url,
    /// The secret path token.
    pub token: SecretString,
}

impl CallbackTarget {
    fn url_for(&self, provider: ProviderId) -> Result<Url, AppError> {
        callbacks::callback_url(&self.base, provider.code(), self.token.expose_secret()).map_err(
            |error| {
                AppError::new(
                    ErrorCode::InvalidSettings,
                    format!("the callback URL for {}: {error}", provider.code()),
                )
            },
        )
    }
}

/// The engine's providers.
#[derive(Debug, Default, Clone)]
pub struct Ports {
    /// Top-up providers (wePAY, Easysoft).
    pub topups: Vec<Arc<dyn TopupPort>>,
    /// Payment providers by method.
    pub payments: BTreeMap<PaymentMethod, Arc<dyn PaymentPort>>,
}

/// The HTTP transport every client shares: production timeouts (wePAY and Easysoft answer in
/// seconds; 30 s covers a slow mobile network at the shop).
pub fn transport() -> Result<Transport, AppError> {
    Transport::new(TransportConfig::default())
        .map_err(|error| AppError::new(ErrorCode::Internal, error.to_string()))
}

/// Builds one provider's port into `ports`.
pub fn build_port(
    values: &ProviderValues,
    callback: Option<&CallbackTarget>,
    transport: &Transport,
    ports: &mut Ports,
) -> Result<(), AppError> {
    let missing = values.missing();
    if !missing.is_empty() {
        return Err(AppError::new(
            ErrorCode::InvalidSettings,
            format!(
                "{} is missing {}",
                values.provider.code(),
                missing.join(", ")
            ),
        ));
    }
    let callback_url = |provider| callback.map(|c| c.url_for(provider)).transpose();
    match values.provider {
        ProviderId::Wepay => {
            let Some(resp_url) = callback_url(ProviderId::Wepay)? else {
                // wePAY refuses orders without `resp_url` (wepay.md §4.4).
                return Err(AppError::new(
                    ErrorCode::InvalidSettings,
                    "wePAY sends every result to a callback URL: set the public URL (or a hub)",
                ));
            };
            ports.topups.push(Arc::new(WepayPort(WepayClient::new(
                WepayConfig {
                    base_url: values.url("base_url")?,
                    username: values.text("username"),
                    password: values.secret("password"),
                    password_is_md5: false,
                    callback_url: Some(resp_url),
                },
                transport.clone(),
            ))));
        }
        ProviderId::Easysoft => {
            ports.topups.push(Arc::new(EasysoftPort(EasysoftClient::new(
                EasysoftConfig {
                    endpoint: values.url("endpoint")?,
                    username: values.text("username"),
                    password: values.secret("password"),
                    // Set per refill from the selling operator (the engine's TopupCall).
                    users: None,
                },
                transport.clone(),
            ))));
        }
        ProviderId::Tmweasy => {
            ports.payments.insert(
                PaymentMethod::Tmweasy,
                Arc::new(TmweasyPort(TmweasyClient::new(
                    TmweasyConfig {
                        endpoint: values.url("endpoint")?,
                        username: values.text("username"),
                        password: values.secret("password"),
                        con_id: values.secret("con_id"),
                        customer_ip: values.text("customer_ip"),
                    },
                    transport.clone(),
                ))),
            );
        }
        ProviderId::DepositQr => {
            let ref_name_en = Some(values.text("ref_name_en")).filter(|v| !v.is_empty());
            ports.payments.insert(
                PaymentMethod::DepositQr,
                Arc::new(DepositQrPort(DepositClient::new(
                    DepositConfig {
                        base_url: values.url("base_url")?,
                        token: values.secret("token"),
                        api_key: values.secret("api_key"),
                        secret_key: values.secret("secret_key"),
                        callback_url: callback_url(ProviderId::DepositQr)?,
                        ref_account: values.text("ref_account"),
                        ref_bank_code: values.text("ref_bank_code"),
                        ref_name_th: values.text("ref_name_th"),
                        ref_name_en,
                        ref_user_id: values.text("ref_user_id"),
                    },
                    transport.clone(),
                ))),
            );
        }
        ProviderId::Bluepay => {
            let Some(notify_url) = callback_url(ProviderId::Bluepay)? else {
                return Err(AppError::new(
                    ErrorCode::InvalidSettings,
                    "BluePay needs a notification URL: set the public URL (or a hub)",
                ));
            };
            let expire_text = values.text("expire_seconds");
            let expire_seconds = if expire_text.is_empty() {
                None
            } else {
                Some(expire_text.parse::<u32>().map_err(|_| {
                    AppError::new(
                        ErrorCode::InvalidSettings,
                        format!("bluepay expire_seconds {expire_text:?} is not a whole number"),
                    )
                })?)
            };
            let client = BluePayClient::new(
                BluePayConfig {
                    base_url: values.url("base_url")?,
                    app_id: values.text("app_id"),
                    merchant_private_key: values.secret("merchant_private_key"),
                    bluepay_public_key: values.text("bluepay_public_key"),
                    notify_url,
                    redirect_url: values.url("redirect_url")?,
                    channel_code: values.text("channel_code"),
                    customer_name: values.text("customer_name"),
                    email: values.text("email"),
                    mobile: values.text("mobile"),
                    expire_seconds,
                },
                transport.clone(),
            )
            .map_err(|error| {
                AppError::new(ErrorCode::InvalidSettings, format!("bluepay: {error}"))
            })?;
            ports
                .payments
                .insert(PaymentMethod::BluePay, Arc::new(BluePayPort(client)));
        }
    }
    Ok(())
}

/// Builds every enabled provider; returns the ports and, per provider that could not be built,
/// why (shown to the owner; the machine sells with what works).
pub fn build_ports(
    settings: &Settings,
    store: &dyn SecretStore,
    callback: Option<&CallbackTarget>,
    transport: &Transport,
) -> Result<(Ports, Vec<AppError>), AppError> {
    let mut ports = Ports::default();
    let mut problems = Vec::new();
    for provider in ProviderId::ALL {
        let Some(own) = settings.providers.get(&provider).filter(|p| p.enabled) else {
            continue;
        };
        let values = ProviderValues::read(provider, own, store)?;
        if let Err(problem) = build_port(&values, callback, transport, &mut ports) {
            problems.push(problem);
        }
    }
    Ok((ports, problems))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shop::secrets::MemoryStore;

    fn enabled(values: &[(&str, &str)]) -> ProviderSettings {
        ProviderSettings {
            enabled: true,
            values: values
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    fn target() -> CallbackTarget {
        CallbackTarget {
            base: Url::parse("https://shop.example/").unwrap(),
            token: SecretString::from("t0ken"),
        }
    }

    #[test]
    fn urls_default_to_production_and_secrets_come_from_the_store() {
        let store = MemoryStore::default();
        let values = ProviderValues::read(ProviderId::Easysoft, &enabled(&[]), &store).unwrap();
        assert_eq!(
            values.text("endpoint"),
            termdee_providers::easysoft::EASYSOFT_PRODUCTION_URL
        );
        assert_eq!(values.missing(), ["username", "password"]);
        store
            .set("easysoft.password", &SecretString::from("pw"))
            .unwrap();
        let values = ProviderValues::read(
            ProviderId::Easysoft,
            &enabled(&[("username", "shop")]),
            &store,
        )
        .unwrap();
        assert!(values.missing().is_empty());
    }

    #[test]
    fn only_enabled_complete_providers_are_built_and_the_rest_are_explained() {
        let store = MemoryStore::default();
        store
            .set("wepay.password", &SecretString::from("pw"))
            .unwrap();
        let mut settings = Settings::default();
        settings
            .providers
            .insert(ProviderId::Wepay, enabled(&[("username", "shop")]));
        // Enabled but incomplete: explained, not built.
        settings
            .providers
            .insert(ProviderId::Easysoft, enabled(&[]));
        // Complete but disabled: not built.
        settings.providers.insert(
            ProviderId::Tmweasy,
            ProviderSettings {
                enabled: false,
                ..enabled(&[("username", "u")])
            },
        );
        let (ports, problems) =
            build_ports(&settings, &store, Some(&target()), &transport().unwrap()).unwrap();
        assert_eq!(ports.topups.len(), 1);
        assert_eq!(ports.topups[0].name(), "wepay");
        assert!(ports.payments.is_empty());
        assert_eq!(problems.len(), 1);
        assert!(problems[0]
            .message
            .contains("easysoft is missing username, password"));

        // wePAY cannot take orders without a callback URL: refused with a reason, not built.
        let (ports, problems) =
            build_ports(&settings, &store, None, &transport().unwrap()).unwrap();
        assert!(ports.topups.is_empty());
        assert!(problems.iter().any(|p| p.message.contains("callback URL")));
    }

    #[test]
    fn the_settings_view_shows_hints_never_secrets() {
        let store = MemoryStore::default();
        store
            .set(
                "bluepay.merchant_private_key",
                &SecretString::from("-----BEGIN PRIVATE KEY-----MIIEvQIBADANBg"),
            )
            .unwrap();
        let views = settings_views(&Settings::default(), &store).unwrap();
        let text = serde_json::to_string(&views).unwrap();
        assert!(!text.contains("BEGIN PRIVATE KEY"), "{text}");
        let bluepay = views
            .iter()
            .find(|v| v.provider == ProviderId::Bluepay)
            .unwrap();
        let key = bluepay
            .fields
            .iter()
            .find(|f| f.key == "merchant_private_key")
            .unwrap();
        assert!(key.secret);
        assert_eq!(key.value, "••••••Bg");
    }
}
