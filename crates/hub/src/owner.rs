//! The owner's view across registers: reports and health.
//!
//! A fleet report is computed exactly as one register computes its own: one `GROUP BY key,
//! state` over the sales rows summing the money columns, then
//! [`termdee_domain::report::fold`] in Rust. The outcome rules therefore live in one place, and
//! the fleet's line for an operator is the sum of that operator's lines on every register.

use std::collections::BTreeMap;

use termdee_domain::report::{fold, total, ReportDimension, SalesGroup};
use termdee_domain::{BusinessDay, SaleState, UnixMillis};

use crate::error::{HubError, Result};
use crate::relay::REFUSED_VERDICTS;
use crate::store::Store;
use crate::wire::{FleetHealth, FleetReport, ProviderBalance, RegisterHealth};

/// The SQL expression of a report key (never user text: one fixed string per dimension).
fn key_column(by: ReportDimension) -> &'static str {
    match by {
        ReportDimension::Operator => "operator_id",
        ReportDimension::Network => "network",
        ReportDimension::Provider => "COALESCE(provider, '')",
        ReportDimension::Method => "payment_method",
        ReportDimension::Register => "register_id",
    }
}

/// The sales of Bangkok days `from..=to` (of one register, or all) grouped by `key` (one of
/// the fixed SQL expressions above, never user text) and state, and by day and state, with the
/// money summed: the report's lines and its chart's days, in one pass over the rows (grouping
/// sets), not two.
async fn groups(
    client: &deadpool_postgres::Object,
    key: &str,
    from: BusinessDay,
    to: BusinessDay,
    register: Option<&str>,
) -> Result<(Vec<SalesGroup>, Vec<SalesGroup>)> {
    let sql = format!(
        "SELECT GROUPING({key}) = 1 AS per_day,
                CASE WHEN GROUPING({key}) = 1 THEN day::text ELSE {key} END AS key,
                state, COUNT(*), SUM(amount)::int8, SUM(received)::int8,
                SUM(delivered)::int8, SUM(refunded)::int8, SUM(cost)::int8,
                COUNT(*) FILTER (WHERE received > 0)
         FROM sales
         WHERE day BETWEEN CAST($1::text AS date) AND CAST($2::text AS date)
           AND ($3::text IS NULL OR register_id = $3)
         GROUP BY GROUPING SETS (({key}, state), (day, state))"
    );
    let rows = client
        .query(&sql, &[&from.to_string(), &to.to_string(), &register])
        .await?;
    let (mut by_key, mut by_day) = (Vec::new(), Vec::new());
    for row in rows {
        let state: String = row.get(2);
        let state: SaleState = state
            .parse()
            .map_err(|_| HubError::Invalid(format!("a stored sale is in state {state:?}")))?;
        let group = SalesGroup {
            key: row.get(1),
            state,
            count: row.get(3),
            amount: row.get(4),
            received: row.get(5),
            delivered: row.get(6),
            refunded: row.get(7),
            cost: row.get(8),
            paid_count: row.get(9),
        };
        if row.get::<_, bool>(0) {
            by_day.push(group);
        } else {
            by_key.push(group);
        }
    }
    Ok((by_key, by_day))
}

/// A sale that waits for a person, for the owner's page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnresolvedSale {
    /// Where.
    pub register_id: String,
    /// Which sale.
    pub sale_id: String,
    /// Who sold it.
    pub operator_id: String,
    /// Its state.
    pub state: String,
    /// The price (satang).
    pub amount: i64,
    /// Money received and neither delivered nor handed back (satang).
    pub outstanding: i64,
    /// Why a person must look, beyond the state.
    pub attention: Option<String>,
    /// When it last changed (register clock).
    pub updated_at: UnixMillis,
}

impl Store {
    /// The report over Bangkok days `from..=to`, by `by`, over every register or only one.
    pub async fn report(
        &self,
        from: BusinessDay,
        to: BusinessDay,
        by: ReportDimension,
        register: Option<&str>,
    ) -> Result<FleetReport> {
        if to < from {
            return Err(HubError::Invalid(format!("{to} is before {from}")));
        }
        let client = self.client().await?;
        let (by_key, by_day) = groups(&client, key_column(by), from, to, register).await?;
        let lines = fold(by_key);
        // The chart's points: the same fold keyed by day (`YYYY-MM-DD` sorts as the days do).
        let days = fold(by_day);
        let all = total(&lines);
        let labels = match by {
            ReportDimension::Operator => {
                client
                    .query("SELECT id, min(name) FROM operators GROUP BY id", &[])
                    .await?
            }
            ReportDimension::Register => {
                client.query("SELECT id, name FROM registers", &[]).await?
            }
            _ => Vec::new(),
        }
        .into_iter()
        .map(|row| (row.get::<_, String>(0), row.get::<_, String>(1)))
        .collect::<BTreeMap<_, _>>();
        Ok(FleetReport {
            from,
            to,
            by,
            register: register.map(str::to_owned),
            rows: lines,
            total: all,
            labels,
            days,
        })
    }

    /// Every register's health: contact, sync backlog, balances, unfinished sales, callbacks.
    pub async fn health(&self, now: UnixMillis) -> Result<FleetHealth> {
        let refused: Vec<String> = REFUSED_VERDICTS.iter().map(|v| (*v).to_owned()).collect();
        let rows = self
            .client()
            .await?
            .query(
                "SELECT r.id, r.name, r.last_seen_at, r.last_push_at, r.applied_seq, r.head_seq,
                     r.report,
                     (SELECT COUNT(*) FROM sales s WHERE s.register_id = r.id
                        AND (s.state IN ('needs_attention', 'refund_due')
                             OR s.attention IS NOT NULL)),
                     (SELECT COUNT(*) FROM sales s WHERE s.register_id = r.id
                        AND s.state IN ('awaiting_payment', 'paid', 'topup_pending')),
                     (SELECT COUNT(*) FROM relayed_callbacks c WHERE c.register_id = r.id
                        AND c.acked_at IS NULL),
                     (SELECT COUNT(*) FROM relayed_callbacks c WHERE c.register_id = r.id
                        AND c.verdict = ANY($1))
                 FROM registers r ORDER BY r.id",
                &[&refused],
            )
            .await?;
        let registers = rows
            .into_iter()
            .map(|row| {
                let applied_seq: i64 = row.get(4);
                let head_seq: i64 = row.get(5);
                let report: serde_json::Value = row.get(6);
                let balances: Vec<ProviderBalance> = report
                    .get("balances")
                    .cloned()
                    .and_then(|b| serde_json::from_value(b).ok())
                    .unwrap_or_default();
                RegisterHealth {
                    register_id: row.get(0),
                    name: row.get(1),
                    last_seen_at: row.get(2),
                    last_push_at: row.get(3),
                    applied_seq,
                    head_seq,
                    backlog: (head_seq - applied_seq).max(0),
                    balances,
                    unresolved: row.get(7),
                    in_progress: row.get(8),
                    callbacks_waiting: row.get(9),
                    callbacks_refused: row.get(10),
                }
            })
            .collect();
        Ok(FleetHealth { at: now, registers })
    }

    /// Sales waiting for a person across the fleet, oldest change first.
    pub async fn unresolved_sales(&self, limit: i64) -> Result<Vec<UnresolvedSale>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT register_id, id, operator_id, state, amount,
                     received - delivered - refunded, attention, updated_at
                 FROM sales
                 WHERE state IN ('needs_attention', 'refund_due') OR attention IS NOT NULL
                 ORDER BY updated_at, register_id, id LIMIT $1",
                &[&limit],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| UnresolvedSale {
                register_id: row.get(0),
                sale_id: row.get(1),
                operator_id: row.get(2),
                state: row.get(3),
                amount: row.get(4),
                outstanding: row.get(5),
                attention: row.get(6),
                updated_at: row.get(7),
            })
            .collect())
    }
}
