//! Top-up attempts: the intent written before the request leaves, and what came of it.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use termdee_domain::{Actor, BusinessDay, SaleState, Satang, UnixMillis};

use crate::sales::{load, move_sale};
use crate::{Applied, Ledger, LedgerError, Result};

/// Where a top-up attempt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TopupState {
    /// Written; the request may or may not have left (a crash here is settled by a query).
    Intent,
    /// Accepted by the provider; the result is not final.
    Pending,
    /// The request's outcome is unknown: settle by query, callback or a person, never by a
    /// request with a new key.
    Unknown,
    /// Only a person can settle it (an Easysoft refill with no answer).
    Manual,
    /// Delivered.
    Succeeded,
    /// Executed and failed (the provider returned the money to our balance).
    Failed,
    /// Refused before anything was executed (insufficient balance, bad product): safe to try
    /// another provider.
    Rejected,
}

impl TopupState {
    /// The code stored in the ledger (and shown to support staff).
    pub fn code(self) -> &'static str {
        match self {
            TopupState::Intent => "intent",
            TopupState::Pending => "pending",
            TopupState::Unknown => "unknown",
            TopupState::Manual => "manual",
            TopupState::Succeeded => "succeeded",
            TopupState::Failed => "failed",
            TopupState::Rejected => "rejected",
        }
    }

    fn parse(code: &str) -> Option<Self> {
        Some(match code {
            "intent" => TopupState::Intent,
            "pending" => TopupState::Pending,
            "unknown" => TopupState::Unknown,
            "manual" => TopupState::Manual,
            "succeeded" => TopupState::Succeeded,
            "failed" => TopupState::Failed,
            "rejected" => TopupState::Rejected,
            _ => return None,
        })
    }

    /// Whether the outcome is still open.
    pub fn is_live(self) -> bool {
        matches!(
            self,
            TopupState::Intent | TopupState::Pending | TopupState::Unknown | TopupState::Manual
        )
    }
}

/// A top-up request about to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTopup {
    /// `wepay` or `easysoft`.
    pub provider: String,
    /// Our key (wePAY `dest_ref`); Easysoft has none, we still record ours.
    pub reference: String,
    /// The provider's product code.
    pub product: String,
    /// The credit.
    pub amount: Satang,
    /// Easysoft `users` (the operator).
    pub users: Option<String>,
}

/// A top-up attempt as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Topup {
    /// Row id.
    pub id: i64,
    /// The sale.
    pub sale_id: String,
    /// 1, 2, ... within the sale.
    pub attempt: i64,
    /// Which provider.
    pub provider: String,
    /// Our key.
    pub reference: String,
    /// The provider's id (wePAY `transaction_id`, Easysoft `orderid`).
    pub provider_ref: Option<String>,
    /// The product.
    pub product: String,
    /// The credit.
    pub amount: Satang,
    /// Easysoft `users`.
    pub users: Option<String>,
    /// Where it stands.
    pub state: TopupState,
    /// How many status queries were made.
    pub checks: i64,
    /// The last word from the provider.
    pub detail: Option<String>,
    /// When the intent was written.
    pub created_at: UnixMillis,
    /// What the provider said it debited when it accepted the order, if it said.
    pub cost: Option<Satang>,
}

const TOPUP_COLUMNS: &str = "id, sale_id, attempt, provider, reference, provider_ref, product, \
    amount, users, state, checks, detail, created_at, cost";

fn row_to_topup(r: &rusqlite::Row<'_>) -> rusqlite::Result<Topup> {
    let state: String = r.get(9)?;
    Ok(Topup {
        id: r.get(0)?,
        sale_id: r.get(1)?,
        attempt: r.get(2)?,
        provider: r.get(3)?,
        reference: r.get(4)?,
        provider_ref: r.get(5)?,
        product: r.get(6)?,
        amount: Satang::new(r.get(7)?),
        users: r.get(8)?,
        state: TopupState::parse(&state).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                9,
                rusqlite::types::Type::Text,
                format!("unexpected {state:?}").into(),
            )
        })?,
        checks: r.get(10)?,
        detail: r.get(11)?,
        created_at: r.get(12)?,
        cost: r.get::<_, Option<i64>>(13)?.map(Satang::new),
    })
}

fn load_topup(c: &Connection, id: i64) -> Result<Topup> {
    c.prepare_cached(&format!("SELECT {TOPUP_COLUMNS} FROM topups WHERE id = ?1"))?
        .query_row([id], row_to_topup)
        .optional()?
        .ok_or_else(|| LedgerError::NotFound {
            what: "top-up",
            id: id.to_string(),
        })
}

impl Ledger {
    /// The intent (money rule 2): a paid sale becomes top-up pending and the attempt, with its key,
    /// is committed before the request is sent. Fails with `KeyReused` if the key was ever used,
    /// and with a constraint error if another top-up of the sale is still live.
    pub fn begin_topup(
        &self,
        sale_id: &str,
        topup: &NewTopup,
        at: UnixMillis,
        actor: &Actor,
    ) -> Result<Topup> {
        self.write("begin_topup", |tx| {
            let sale = load(tx, sale_id)?;
            if topup.amount != sale.amount {
                return Err(LedgerError::Invalid(format!(
                    "top-up of {} for a sale of {}",
                    topup.amount, sale.amount
                )));
            }
            let attempt: i64 = tx
                .prepare_cached(
                    "SELECT COALESCE(MAX(attempt), 0) + 1 FROM topups WHERE sale_id = ?1",
                )?
                .query_row([sale_id], |r| r.get(0))?;
            move_sale(
                tx,
                sale_id,
                &[SaleState::Paid],
                SaleState::TopupPending,
                at,
                actor,
                "topup_requested",
                &serde_json::json!({
                    "attempt": attempt, "provider": topup.provider, "reference": topup.reference,
                    "product": topup.product, "users": topup.users,
                }),
            )?;
            let key_taken = tx
                .prepare_cached(
                    "INSERT INTO idempotency_keys (provider, key, purpose, sale_id, created_at)
                     VALUES (?1, ?2, 'topup', ?3, ?4) ON CONFLICT DO NOTHING",
                )?
                .execute(params![topup.provider, topup.reference, sale_id, at])?
                == 0;
            if key_taken {
                return Err(LedgerError::KeyReused {
                    provider: topup.provider.clone(),
                    key: topup.reference.clone(),
                });
            }
            tx.prepare_cached("UPDATE sales SET provider = ?2 WHERE id = ?1")?
                .execute(params![sale_id, topup.provider])?;
            tx.prepare_cached(
                "INSERT INTO topups (sale_id, attempt, provider, reference, product, amount, users,
                     state, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'intent', ?8, ?8)",
            )?
            .execute(params![
                sale_id,
                attempt,
                topup.provider,
                topup.reference,
                topup.product,
                topup.amount.as_satang(),
                topup.users,
                at
            ])?;
            load_topup(tx, tx.last_insert_rowid())
        })
    }

    /// One top-up attempt.
    pub fn topup(&self, id: i64) -> Result<Topup> {
        self.read(|c| load_topup(c, id))
    }

    /// Every attempt of a sale, oldest first.
    pub fn topups_of(&self, sale_id: &str) -> Result<Vec<Topup>> {
        self.read(|c| {
            let mut statement = c.prepare_cached(&format!(
                "SELECT {TOPUP_COLUMNS} FROM topups WHERE sale_id = ?1 ORDER BY attempt"
            ))?;
            let rows = statement
                .query_map([sale_id], row_to_topup)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// Every top-up attempt of the sales of one Bangkok day (the day the sale started), by
    /// provider, sale and attempt: what reconciliation asks the providers about.
    pub fn topups_of_day(&self, day: BusinessDay) -> Result<Vec<Topup>> {
        self.read(|c| {
            let columns = TOPUP_COLUMNS
                .split(", ")
                .map(|column| format!("t.{column}"))
                .collect::<Vec<_>>()
                .join(", ");
            let mut statement = c.prepare_cached(&format!(
                "SELECT {columns} FROM sales s JOIN topups t ON t.sale_id = s.id
                 WHERE s.day = ?1 ORDER BY t.provider, t.sale_id, t.attempt"
            ))?;
            let rows = statement
                .query_map([day.to_string()], row_to_topup)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// The attempt with our key.
    pub fn topup_by_reference(&self, provider: &str, reference: &str) -> Result<Option<Topup>> {
        self.read(|c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {TOPUP_COLUMNS} FROM topups WHERE provider = ?1 AND reference = ?2"
            ))?
            .query_row(params![provider, reference], row_to_topup)
            .optional()?)
        })
    }

    /// The attempt with the provider's id.
    pub fn topup_by_provider_ref(
        &self,
        provider: &str,
        provider_ref: &str,
    ) -> Result<Option<Topup>> {
        self.read(|c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {TOPUP_COLUMNS} FROM topups WHERE provider = ?1 AND provider_ref = ?2"
            ))?
            .query_row(params![provider, provider_ref], row_to_topup)
            .optional()?)
        })
    }

    /// The request left and the provider accepted it (`Pending`, with its id) or we cannot tell
    /// (`Unknown`). Only an open attempt moves; a settled one is left alone. `cost` is what the
    /// provider says it debited for the order (wePAY `total_amount`), kept for the sale's cost
    /// once delivered; `None` keeps what is known.
    #[allow(clippy::too_many_arguments)]
    pub fn topup_progress(
        &self,
        topup_id: i64,
        state: TopupState,
        provider_ref: Option<&str>,
        cost: Option<Satang>,
        detail: &str,
        at: UnixMillis,
        actor: &Actor,
    ) -> Result<Applied> {
        if !matches!(state, TopupState::Pending | TopupState::Unknown) {
            return Err(LedgerError::Invalid(format!(
                "progress cannot be {state:?}"
            )));
        }
        self.write("topup_progress", |tx| {
            let topup = load_topup(tx, topup_id)?;
            if !matches!(
                topup.state,
                TopupState::Intent | TopupState::Pending | TopupState::Unknown
            ) {
                return Ok(Applied::Already);
            }
            let kind = if state == TopupState::Pending {
                "topup_accepted"
            } else {
                "topup_unknown"
            };
            if cost.is_some_and(|c| c.as_satang() < 0) {
                return Err(LedgerError::Invalid(format!(
                    "top-up {topup_id} cannot cost a negative amount"
                )));
            }
            tx.prepare_cached(
                "UPDATE topups SET state = ?2, provider_ref = COALESCE(?3, provider_ref),
                     detail = ?4, updated_at = ?5, cost = COALESCE(?6, cost) WHERE id = ?1",
            )?
            .execute(params![
                topup_id,
                state.code(),
                provider_ref,
                detail,
                at,
                cost.map(Satang::as_satang)
            ])?;
            move_sale(
                tx,
                &topup.sale_id,
                &[SaleState::TopupPending],
                SaleState::TopupPending,
                at,
                actor,
                kind,
                &serde_json::json!({
                    "topup": topup_id, "provider_ref": provider_ref, "detail": detail,
                    "cost": cost.map(Satang::as_satang),
                }),
            )?;
            Ok(Applied::Now)
        })
    }

    /// Counts a status query (for the backoff), without an event.
    pub fn topup_checked(&self, topup_id: i64, at: UnixMillis) -> Result<()> {
        self.write("topup_checked", |tx| {
            tx.prepare_cached(
                "UPDATE topups SET checks = checks + 1, updated_at = ?2 WHERE id = ?1",
            )?
            .execute(params![topup_id, at])?;
            Ok(())
        })
    }

    /// Delivered: the sale completes. Applied once (a unique index backs it).
    pub fn topup_succeeded(
        &self,
        topup_id: i64,
        provider_ref: Option<&str>,
        detail: &str,
        at: UnixMillis,
        actor: &Actor,
    ) -> Result<Applied> {
        self.write("topup_succeeded", |tx| {
            let topup = load_topup(tx, topup_id)?;
            if topup.state == TopupState::Succeeded {
                return Ok(Applied::Already);
            }
            if !topup.state.is_live() {
                return Err(LedgerError::Invalid(format!(
                    "top-up {topup_id} is already {:?}; a success now needs a person",
                    topup.state
                )));
            }
            tx.prepare_cached(
                "UPDATE topups SET state = 'succeeded', provider_ref = COALESCE(?2, provider_ref),
                     detail = ?3, updated_at = ?4 WHERE id = ?1",
            )?
            .execute(params![topup_id, provider_ref, detail, at])?;
            move_sale(
                tx,
                &topup.sale_id,
                &[SaleState::TopupPending, SaleState::NeedsAttention],
                SaleState::Completed,
                at,
                actor,
                "topup_succeeded",
                &serde_json::json!({ "topup": topup_id, "provider_ref": provider_ref, "detail": detail }),
            )?;
            // The sale's cost is the delivering attempt's (zero when the provider did not say).
            tx.prepare_cached(
                "UPDATE sales SET delivered = amount, next_check_at = NULL,
                     cost = COALESCE((SELECT cost FROM topups WHERE id = ?2), 0)
                 WHERE id = ?1",
            )?
            .execute(params![topup.sale_id, topup_id])?;
            Ok(Applied::Now)
        })
    }

    /// Refused before anything was executed: the sale is paid again and may be routed to the next
    /// provider.
    pub fn topup_rejected(
        &self,
        topup_id: i64,
        detail: &str,
        at: UnixMillis,
        actor: &Actor,
    ) -> Result<Applied> {
        self.settle_unsuccessful(
            topup_id,
            TopupState::Rejected,
            SaleState::Paid,
            "topup_rejected",
            detail,
            at,
            actor,
        )
    }

    /// Executed and failed: the customer paid and got nothing, so the sale becomes refund-due.
    pub fn topup_failed(
        &self,
        topup_id: i64,
        detail: &str,
        at: UnixMillis,
        actor: &Actor,
    ) -> Result<Applied> {
        self.settle_unsuccessful(
            topup_id,
            TopupState::Failed,
            SaleState::RefundDue,
            "topup_failed",
            detail,
            at,
            actor,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn settle_unsuccessful(
        &self,
        topup_id: i64,
        state: TopupState,
        sale_to: SaleState,
        kind: &'static str,
        detail: &str,
        at: UnixMillis,
        actor: &Actor,
    ) -> Result<Applied> {
        self.write(kind, |tx| {
            let topup = load_topup(tx, topup_id)?;
            if topup.state == state {
                return Ok(Applied::Already);
            }
            if !topup.state.is_live() {
                return Err(LedgerError::Invalid(format!(
                    "top-up {topup_id} is already {:?}",
                    topup.state
                )));
            }
            tx.prepare_cached(
                "UPDATE topups SET state = ?2, detail = ?3, updated_at = ?4 WHERE id = ?1",
            )?
            .execute(params![topup_id, state.code(), detail, at])?;
            move_sale(
                tx,
                &topup.sale_id,
                &[SaleState::TopupPending, SaleState::NeedsAttention],
                sale_to,
                at,
                actor,
                kind,
                &serde_json::json!({ "topup": topup_id, "detail": detail }),
            )?;
            tx.prepare_cached("UPDATE sales SET next_check_at = NULL WHERE id = ?1")?
                .execute([&topup.sale_id])?;
            Ok(Applied::Now)
        })
    }

    /// Only a person can settle this top-up (money rule 3: an Easysoft refill with no answer).
    pub fn topup_needs_person(
        &self,
        topup_id: i64,
        reason: &str,
        at: UnixMillis,
        actor: &Actor,
    ) -> Result<Applied> {
        self.write("topup_needs_person", |tx| {
            let topup = load_topup(tx, topup_id)?;
            if topup.state == TopupState::Manual {
                return Ok(Applied::Already);
            }
            if !topup.state.is_live() {
                return Ok(Applied::Already);
            }
            tx.prepare_cached(
                "UPDATE topups SET state = 'manual', detail = ?2, updated_at = ?3 WHERE id = ?1",
            )?
            .execute(params![topup_id, reason, at])?;
            move_sale(
                tx,
                &topup.sale_id,
                &[SaleState::TopupPending],
                SaleState::NeedsAttention,
                at,
                actor,
                "needs_attention",
                &serde_json::json!({ "topup": topup_id, "reason": reason }),
            )?;
            tx.prepare_cached("UPDATE sales SET next_check_at = NULL WHERE id = ?1")?
                .execute([&topup.sale_id])?;
            Ok(Applied::Now)
        })
    }

    /// A person checked with the provider and says whether the credit arrived (owner actor).
    pub fn resolve_topup(
        &self,
        sale_id: &str,
        delivered: bool,
        note: &str,
        at: UnixMillis,
        actor: &Actor,
    ) -> Result<()> {
        self.write("resolve_topup", |tx| {
            let topup_id: i64 = tx
                .prepare_cached("SELECT id FROM topups WHERE sale_id = ?1 AND state = 'manual'")?
                .query_row([sale_id], |r| r.get(0))
                .optional()?
                .ok_or_else(|| LedgerError::NotFound {
                    what: "top-up awaiting a person for sale",
                    id: sale_id.to_owned(),
                })?;
            let (state, to, kind) = if delivered {
                ("succeeded", SaleState::Completed, "resolved_delivered")
            } else {
                ("failed", SaleState::RefundDue, "resolved_not_delivered")
            };
            tx.prepare_cached(
                "UPDATE topups SET state = ?2, detail = ?3, updated_at = ?4 WHERE id = ?1",
            )?
            .execute(params![topup_id, state, note, at])?;
            move_sale(
                tx,
                sale_id,
                &[SaleState::NeedsAttention],
                to,
                at,
                actor,
                kind,
                &serde_json::json!({ "topup": topup_id, "note": note }),
            )?;
            if delivered {
                tx.prepare_cached(
                    "UPDATE sales SET delivered = amount,
                         cost = COALESCE((SELECT cost FROM topups WHERE id = ?2), 0)
                     WHERE id = ?1",
                )?
                .execute(params![sale_id, topup_id])?;
            }
            Ok(())
        })
    }
}
