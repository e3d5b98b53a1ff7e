//! Shifts: one operator at one register from opening to closing (the cash float and the count).

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use termdee_domain::{Satang, UnixMillis};

use crate::{Ledger, LedgerError, Result};

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
}

impl Ledger {
    /// Opens a shift; a register has at most one open shift (a unique index says so).
    pub fn open_shift(
        &self,
        operator_id: &str,
        register_id: &str,
        opening_float: Satang,
        at: UnixMillis,
    ) -> Result<Shift> {
        if opening_float.as_satang() < 0 {
            return Err(LedgerError::Invalid(
                "the opening float cannot be negative".into(),
            ));
        }
        self.write(|tx| {
            tx.execute(
                "INSERT INTO shifts (operator_id, register_id, opened_at, opening_float)
                 VALUES (?1, ?2, ?3, ?4)",
                params![operator_id, register_id, at, opening_float.as_satang()],
            )?;
            Ok(Shift {
                id: tx.last_insert_rowid(),
                operator_id: operator_id.to_owned(),
                register_id: register_id.to_owned(),
                opened_at: at,
                closed_at: None,
                opening_float,
                counted_cash: None,
            })
        })
    }

    /// Closes a register's open shift with the counted cash.
    pub fn close_shift(&self, shift_id: i64, counted_cash: Satang, at: UnixMillis) -> Result<()> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE shifts SET closed_at = ?2, counted_cash = ?3
                 WHERE id = ?1 AND closed_at IS NULL",
                params![shift_id, at, counted_cash.as_satang()],
            )?;
            if changed == 1 {
                Ok(())
            } else {
                Err(LedgerError::NotFound {
                    what: "open shift",
                    id: shift_id.to_string(),
                })
            }
        })
    }

    /// The open shift of a register, if any.
    pub fn open_shift_of(&self, register_id: &str) -> Result<Option<Shift>> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT id, operator_id, register_id, opened_at, closed_at, opening_float, counted_cash
                 FROM shifts WHERE register_id = ?1 AND closed_at IS NULL",
                [register_id],
                |r| {
                    Ok(Shift {
                        id: r.get(0)?,
                        operator_id: r.get(1)?,
                        register_id: r.get(2)?,
                        opened_at: r.get(3)?,
                        closed_at: r.get(4)?,
                        opening_float: Satang::new(r.get(5)?),
                        counted_cash: r.get::<_, Option<i64>>(6)?.map(Satang::new),
                    })
                },
            )
            .optional()?)
        })
    }
}
