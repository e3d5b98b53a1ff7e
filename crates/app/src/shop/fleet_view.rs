//! The owner screen's fleet panel: the hub's report and register health, read with the owner
//! token.
//!
//! A machine pointed at a hub (its URL in the settings) and given an owner token (`termdee hub
//! owner-token`, stored as the secret `hub.owner_token`) can show the owner every register: the
//! same report as this machine's own — the hub computes its lines with the same rule
//! ([`termdee_domain::report::fold`]), so a fleet line is the sum of the registers' lines — and
//! each register's health. Nothing here writes: the fleet panel only reads the hub.
//!
//! The owner token is separate from the register token (`hub.token`): the register token lets
//! this machine push its own ledger and nothing more; the owner token reads every register, so
//! a kiosk is never given one, and only the owner's session may use it here.

use std::path::{Path, PathBuf};

use termdee_domain::report::total;
use termdee_domain::Satang;

use super::views::{
    FleetHealthView, RegisterBalanceView, RegisterHealthView, ReportRequest, ReportView,
};
use super::Shop;
use crate::auth::{self, Permission};
use crate::error::{AppError, ErrorCode};
use crate::fleet::owner::FleetView;
use crate::fleet::FleetError;

/// The secret holding the hub's owner token.
pub(super) const HUB_OWNER_TOKEN_SECRET: &str = "hub.owner_token";

/// A register not heard from for this long is shown as silent. Its sender pushes within
/// seconds of a sale and its relay long poll reconnects about every 25 s, so five minutes of
/// silence means the machine, its network or the app is down.
pub const SILENT_AFTER_MS: i64 = 5 * 60 * 1000;

impl Shop {
    /// The report over every register the hub holds (owner only).
    pub async fn fleet_report(&self, request: &ReportRequest) -> Result<ReportView, AppError> {
        let view = self.fleet_view()?;
        let (from, to) = crate::reports::parse_range(&request.from, &request.to)?;
        let report = view
            .report(from, to, request.by, None)
            .await
            .map_err(fleet_error)?;
        let days = crate::reports::every_day(
            from,
            to,
            report
                .days
                .into_iter()
                .map(|row| (row.key.clone(), row))
                .collect(),
        );
        // The hub sums its own lines; check the sum here as well, so a hub that disagreed with
        // itself would show as an error, not as a wrong total.
        if total(&report.rows) != report.total {
            return Err(AppError::new(
                ErrorCode::HubUnavailable,
                "the hub's total is not the sum of its lines",
            ));
        }
        Ok(ReportView {
            request: request.clone(),
            rows: report.rows,
            total: report.total,
            days,
            labels: report.labels,
        })
    }

    /// Writes the fleet report's CSV into `folder`, as [`Shop::save_report_csv`] does for this
    /// machine's report (named `termdee-fleet-<by>-<from>-<to>.csv`).
    pub async fn save_fleet_report_csv(
        &self,
        request: &ReportRequest,
        folder: &Path,
    ) -> Result<PathBuf, AppError> {
        let view = self.fleet_report(request).await?;
        let csv = crate::reports::render_csv(&view)?;
        let stem = format!(
            "termdee-fleet-{}-{}-{}",
            request.by.code(),
            request.from,
            request.to
        );
        super::save_new_file(folder, &stem, &csv)
    }

    /// Every register's health as the hub sees it (owner only).
    pub async fn fleet_health(&self) -> Result<FleetHealthView, AppError> {
        let view = self.fleet_view()?;
        let health = view.health().await.map_err(fleet_error)?;
        let low = self.settings_or_default().low_balance_alert;
        Ok(FleetHealthView {
            at: health.at,
            registers: health
                .registers
                .into_iter()
                .map(|register| RegisterHealthView {
                    silent: register
                        .last_seen_at
                        .is_none_or(|seen| health.at - seen > SILENT_AFTER_MS),
                    register_id: register.register_id,
                    name: register.name,
                    last_seen_at: register.last_seen_at,
                    backlog: register.backlog,
                    unresolved: register.unresolved,
                    in_progress: register.in_progress,
                    callbacks_waiting: register.callbacks_waiting,
                    callbacks_refused: register.callbacks_refused,
                    balances: register
                        .balances
                        .into_iter()
                        .map(|balance| RegisterBalanceView {
                            balance_display: balance.available.map(|b| b.to_string()),
                            low: balance.available.is_some_and(|b: Satang| b < low),
                            balance: balance.available,
                            provider: balance.provider,
                            error: balance.error,
                            checked_at: balance.checked_at,
                        })
                        .collect(),
                })
                .collect(),
        })
    }

    /// The hub as the owner reads it, once the owner is logged in and the hub is set up.
    fn fleet_view(&self) -> Result<FleetView, AppError> {
        auth::require(&self.session()?, Permission::ViewAllReports)?;
        let url = super::hub_url(&self.settings_or_default())?;
        let token = self.secrets.get(HUB_OWNER_TOKEN_SECRET)?;
        let (Some(url), Some(token)) = (url, token) else {
            return Err(AppError::new(
                ErrorCode::FleetNotSetUp,
                "set the hub URL and the owner token (termdee hub owner-token) in the settings",
            ));
        };
        FleetView::new(&url, token).map_err(fleet_error)
    }
}

/// What the owner is told when the hub does not give the fleet.
fn fleet_error(error: FleetError) -> AppError {
    match error {
        FleetError::Refused { status: 401, .. } | FleetError::Refused { status: 403, .. } => {
            AppError::new(
                ErrorCode::NotPermitted,
                format!(
                    "the hub refused the owner token ({error}): issue a new one with \
                     `termdee hub owner-token` and set it in the settings"
                ),
            )
        }
        FleetError::Refused {
            status: 400 | 422, ..
        } => AppError::new(ErrorCode::InvalidRequest, error.to_string()),
        other => AppError::new(ErrorCode::HubUnavailable, other.to_string()),
    }
}
