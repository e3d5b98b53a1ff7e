//! Shifts: one operator at one register from opening to closing — the cash float, the blind
//! count, and what the drawer should have held.
//!
//! Closing is blind: the caller passes only the counted cash, and the expected figure is computed
//! in the same transaction that records the count, from the sales rows themselves:
//!
//! ```text
//! expected = opening float
//!          + cash received for the shift's cash sales
//!          − cash handed back, during this shift, for refunds of cash sales
//! variance = counted − expected        (negative: cash is missing)
//! ```
//!
//! A refund belongs to the shift of the person who handed the money back ([`Ledger::refund_given`]
//! records it), not to the shift of the sale: the cash left *that* drawer. A refund of a sale
//! paid by QR is assumed to go back the way it came (a transfer), so it does not move drawer cash.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use termdee_domain::{Actor, Satang, UnixMillis};

use crate::sales::{row_to_sale, SALE_COLUMNS};
use crate::{events, Ledger, LedgerError, Result, Sale};

/// One shift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shift {
    /// Row id.
    pub id: i64,
    /// Who.
    pub operator_id: String,
    /// Where.
    pub register_id: String,
    /// When it opened.
    pub opened_at: UnixMillis,
    /// When it closed, if it has.
    pub closed_at: Option<UnixMillis>,
    /// Cash in the drawer at opening.
    pub opening_float: Satang,
    /// Cash counted at closing.
    pub counted_cash: Option<Satang>,
    /// The drawer's figures at closing (`None` while open, and for shifts closed before the
    /// ledger recorded them).
    pub close: Option<ShiftCash>,
    /// Who counted (an actor id), once closed.
    pub closed_by: Option<String>,
}

/// What a shift's drawer should hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ShiftCash {
    /// Cash received for the shift's cash sales.
    pub cash_sales: Satang,
    /// Cash handed back during the shift for refunds of cash sales.
    pub cash_refunds: Satang,
    /// Float + cash sales − cash refunds.
    pub expected: Satang,
    /// Counted − expected (zero while the shift is open: nothing is counted yet).
    pub variance: Satang,
}

const SHIFT_COLUMNS: &str = "id, operator_id, register_id, opened_at, closed_at, opening_float, \
    counted_cash, cash_sales, cash_refunds, expected_cash, variance, closed_by";

fn row_to_shift(r: &rusqlite::Row<'_>) -> rusqlite::Result<Shift> {
    let satang = |index: usize| -> rusqlite::Result<Option<Satang>> {
        Ok(r.get::<_, Option<i64>>(index)?.map(Satang::new))
    };
    let close = match (satang(7)?, satang(8)?, satang(9)?, satang(10)?) {
        (Some(cash_sales), Some(cash_refunds), Some(expected), Some(variance)) => Some(ShiftCash {
            cash_sales,
            cash_refunds,
            expected,
            variance,
        }),
        _ => None,
    };
    Ok(Shift {
        id: r.get(0)?,
        operator_id: r.get(1)?,
        register_id: r.get(2)?,
        opened_at: r.get(3)?,
        closed_at: r.get(4)?,
        opening_float: Satang::new(r.get(5)?),
        counted_cash: satang(6)?,
        close,
        closed_by: r.get(11)?,
    })
}

fn load_shift(c: &Connection, id: i64) -> Result<Option<Shift>> {
    Ok(
        c.prepare_cached(&format!("SELECT {SHIFT_COLUMNS} FROM shifts WHERE id = ?1"))?
            .query_row([id], row_to_shift)
            .optional()?,
    )
}

/// The drawer's cash movements of a shift so far, from the sales rows.
fn cash_of(c: &Connection, shift_id: i64) -> Result<(i64, i64)> {
    let cash_sales: i64 = c
        .prepare_cached(
            "SELECT COALESCE(SUM(received), 0) FROM sales
             WHERE shift_id = ?1 AND payment_method = 'cash'",
        )?
        .query_row([shift_id], |r| r.get(0))?;
    let cash_refunds: i64 = c
        .prepare_cached(
            "SELECT COALESCE(SUM(refunded), 0) FROM sales
             WHERE refund_shift_id = ?1 AND payment_method = 'cash'",
        )?
        .query_row([shift_id], |r| r.get(0))?;
    Ok((cash_sales, cash_refunds))
}

/// The open shift of an operator, if any (the newest, should there be several registers).
pub(crate) fn open_shift_id_of_operator(c: &Connection, operator_id: &str) -> Result<Option<i64>> {
    Ok(c.prepare_cached(
        "SELECT id FROM shifts WHERE operator_id = ?1 AND closed_at IS NULL
             ORDER BY opened_at DESC, id DESC LIMIT 1",
    )?
    .query_row([operator_id], |r| r.get(0))
    .optional()?)
}

impl Ledger {
    /// Opens a shift; a register has at most one open shift (a unique index says so, so two
    /// racing openings cannot both succeed).
    pub fn open_shift(
        &self,
        operator_id: &str,
        register_id: &str,
        opening_float: Satang,
        at: UnixMillis,
        actor: &Actor,
    ) -> Result<Shift> {
        if opening_float.as_satang() < 0 {
            return Err(LedgerError::Invalid(
                "the opening float cannot be negative".into(),
            ));
        }
        self.write("open_shift", |tx| {
            tx.prepare_cached(
                "INSERT INTO shifts (operator_id, register_id, opened_at, opening_float)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                operator_id,
                register_id,
                at,
                opening_float.as_satang()
            ])?;
            let id = tx.last_insert_rowid();
            events::append(
                tx,
                None,
                at,
                actor,
                "shift_opened",
                None,
                None,
                &serde_json::json!({
                    "shift": id, "operator": operator_id, "register": register_id,
                    "opening_float": opening_float.as_satang(),
                }),
            )?;
            load_shift(tx, id)?.ok_or_else(|| LedgerError::NotFound {
                what: "shift",
                id: id.to_string(),
            })
        })
    }

    /// Closes an open shift with the blind count: expected cash and the variance are computed
    /// from the sales in this same transaction and stored with the count and who counted.
    pub fn close_shift(
        &self,
        shift_id: i64,
        counted_cash: Satang,
        at: UnixMillis,
        actor: &Actor,
    ) -> Result<Shift> {
        if counted_cash.as_satang() < 0 {
            return Err(LedgerError::Invalid(
                "the counted cash cannot be negative".into(),
            ));
        }
        self.write("close_shift", |tx| {
            let shift = load_shift(tx, shift_id)?
                .filter(|s| s.closed_at.is_none())
                .ok_or_else(|| LedgerError::NotFound {
                    what: "open shift",
                    id: shift_id.to_string(),
                })?;
            let (cash_sales, cash_refunds) = cash_of(tx, shift_id)?;
            let expected = shift.opening_float.as_satang() + cash_sales - cash_refunds;
            let variance = counted_cash.as_satang() - expected;
            tx.prepare_cached(
                "UPDATE shifts SET closed_at = ?2, counted_cash = ?3, cash_sales = ?4,
                     cash_refunds = ?5, expected_cash = ?6, variance = ?7, closed_by = ?8
                 WHERE id = ?1 AND closed_at IS NULL",
            )?
            .execute(params![
                shift_id,
                at,
                counted_cash.as_satang(),
                cash_sales,
                cash_refunds,
                expected,
                variance,
                actor.id
            ])?;
            events::append(
                tx,
                None,
                at,
                actor,
                "shift_closed",
                None,
                None,
                &serde_json::json!({
                    "shift": shift_id, "operator": shift.operator_id,
                    "counted": counted_cash.as_satang(), "expected": expected,
                    "variance": variance,
                }),
            )?;
            load_shift(tx, shift_id)?.ok_or_else(|| LedgerError::NotFound {
                what: "shift",
                id: shift_id.to_string(),
            })
        })
    }

    /// One shift.
    pub fn shift(&self, id: i64) -> Result<Option<Shift>> {
        self.read(|c| load_shift(c, id))
    }

    /// The open shift of a register, if any.
    pub fn open_shift_of(&self, register_id: &str) -> Result<Option<Shift>> {
        self.read(|c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {SHIFT_COLUMNS} FROM shifts WHERE register_id = ?1 AND closed_at IS NULL"
            ))?
            .query_row([register_id], row_to_shift)
            .optional()?)
        })
    }

    /// The open shift of an operator, if any.
    pub fn open_shift_of_operator(&self, operator_id: &str) -> Result<Option<Shift>> {
        self.read(|c| match open_shift_id_of_operator(c, operator_id)? {
            Some(id) => load_shift(c, id),
            None => Ok(None),
        })
    }

    /// Whether any shift is open anywhere (provider and payment settings wait until none is).
    pub fn any_shift_open(&self) -> Result<bool> {
        self.read(|c| {
            Ok(
                c.prepare_cached("SELECT 1 FROM shifts WHERE closed_at IS NULL LIMIT 1")?
                    .query_row([], |_| Ok(()))
                    .optional()?
                    .is_some(),
            )
        })
    }

    /// The drawer's figures of a shift as they stand now (for the owner; the cashier sees them
    /// only after counting).
    pub fn shift_cash(&self, shift_id: i64) -> Result<ShiftCash> {
        self.read(|c| {
            let shift = load_shift(c, shift_id)?.ok_or_else(|| LedgerError::NotFound {
                what: "shift",
                id: shift_id.to_string(),
            })?;
            if let Some(close) = shift.close {
                return Ok(close);
            }
            let (cash_sales, cash_refunds) = cash_of(c, shift_id)?;
            Ok(ShiftCash {
                cash_sales: Satang::new(cash_sales),
                cash_refunds: Satang::new(cash_refunds),
                expected: Satang::new(shift.opening_float.as_satang() + cash_sales - cash_refunds),
                variance: Satang::ZERO,
            })
        })
    }

    /// How many sales were made in a shift.
    pub fn shift_sales_count(&self, shift_id: i64) -> Result<i64> {
        self.read(|c| {
            Ok(
                c.prepare_cached("SELECT COUNT(*) FROM sales WHERE shift_id = ?1")?
                    .query_row([shift_id], |r| r.get(0))?,
            )
        })
    }

    /// Every sale of a shift, oldest first.
    pub fn sales_of_shift(&self, shift_id: i64) -> Result<Vec<Sale>> {
        self.read(|c| {
            let mut statement = c.prepare_cached(&format!(
                "SELECT {SALE_COLUMNS} FROM sales WHERE shift_id = ?1 ORDER BY created_at, id"
            ))?;
            let rows = statement
                .query_map([shift_id], row_to_sale)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows.into_iter().collect()
        })
    }
}
