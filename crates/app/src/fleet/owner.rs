//! The owner screen's view of the fleet: the hub's report and health, read with an owner token.
//!
//! The desktop owner screen shows one register's report from its own ledger; pointed at a hub
//! (its URL and an owner token from `termdee hub owner-token`) it shows the same lines over
//! every register, because the hub computes them with the same rule
//! ([`termdee_domain::report::fold`]).

use secrecy::SecretString;
use termdee_domain::report::ReportDimension;
use termdee_domain::BusinessDay;
use termdee_hub::wire::{
    CallbackList, FleetHealth, FleetReport, OWNER_CALLBACKS_PATH, OWNER_HEALTH_PATH,
    OWNER_REPORT_PATH,
};
use url::Url;

use super::{FleetConfig, FleetError, HubClient};

/// A read-only connection to a hub as its owner.
#[derive(Debug, Clone)]
pub struct FleetView {
    client: HubClient,
}

impl FleetView {
    /// The hub at `url`, read with `owner_token`.
    pub fn new(url: &Url, owner_token: SecretString) -> Result<FleetView, FleetError> {
        Ok(FleetView {
            client: HubClient::new(url, owner_token, &FleetConfig::default())?,
        })
    }

    /// The report over Bangkok days `from..=to` by `by`, over every register or only one.
    pub async fn report(
        &self,
        from: BusinessDay,
        to: BusinessDay,
        by: ReportDimension,
        register: Option<&str>,
    ) -> Result<FleetReport, FleetError> {
        let mut query = vec![
            ("from", from.to_string()),
            ("to", to.to_string()),
            ("by", by.code().to_owned()),
        ];
        if let Some(register) = register {
            query.push(("register", register.to_owned()));
        }
        self.client.get(OWNER_REPORT_PATH, &query).await
    }

    /// Every register's health.
    pub async fn health(&self) -> Result<FleetHealth, FleetError> {
        self.client.get(OWNER_HEALTH_PATH, &[]).await
    }

    /// Relayed callbacks: all (newest first), or only those still open or refused.
    pub async fn callbacks(&self, open_only: bool) -> Result<CallbackList, FleetError> {
        self.client
            .get(OWNER_CALLBACKS_PATH, &[("open", open_only.to_string())])
            .await
    }
}
