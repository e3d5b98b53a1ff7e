//! Raw provider exchanges, kept for reconciliation (secrets masked before they get here).

use rusqlite::params;
use serde::Serialize;
use termdee_domain::UnixMillis;

use crate::{Ledger, Result};

/// One request and what came of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exchange {
    /// The sale, if any.
    pub sale_id: Option<String>,
    /// `wepay`, `easysoft`, `tmweasy`, ...
    pub provider: String,
    /// `order`, `query`, `create`, ...
    pub operation: String,
    /// When it was sent.
    pub at: UnixMillis,
    /// The request as sent, secrets masked.
    pub request: String,
    /// What came back (outcome summary or raw reply).
    pub outcome: String,
}

impl Ledger {
    /// Keeps one exchange.
    pub fn record_exchange(&self, exchange: &Exchange) -> Result<()> {
        self.write("record_exchange", |tx| {
            tx.prepare_cached(
                "INSERT INTO exchanges (sale_id, provider, operation, at, request, outcome)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                exchange.sale_id,
                exchange.provider,
                exchange.operation,
                exchange.at,
                exchange.request,
                exchange.outcome
            ])?;
            Ok(())
        })
    }

    /// The exchanges of one sale, oldest first.
    pub fn exchanges_of(&self, sale_id: &str) -> Result<Vec<Exchange>> {
        self.read(|c| {
            let mut statement = c.prepare_cached(
                "SELECT sale_id, provider, operation, at, request, outcome FROM exchanges
                 WHERE sale_id = ?1 ORDER BY id",
            )?;
            let rows = statement
                .query_map([sale_id], |r| {
                    Ok(Exchange {
                        sale_id: r.get(0)?,
                        provider: r.get(1)?,
                        operation: r.get(2)?,
                        at: r.get(3)?,
                        request: r.get(4)?,
                        outcome: r.get(5)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }
}
