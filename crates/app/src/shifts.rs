//! Shifts at a counter: open with a cash float, close with a blind count.
//!
//! A cashier opens their own shift on the register they are logged in at (one open shift per
//! register, one per person). While it is open they see the float and how many sales they made,
//! never the expected cash: at closing they count the drawer first, and only the reply to
//! [`Shifts::close`] shows expected against counted. The ledger computes expected cash in the
//! same transaction that records the count ([`termdee_ledger::Ledger::close_shift`]), so nothing
//! sold between the two can be missed.
//!
//! Provider and payment-method settings must not change under an open shift (the drawer's
//! figures would mix two set-ups): [`Shifts::ensure_none_open`] is the guard the settings code
//! calls.

use termdee_domain::{Clock, Satang};
use termdee_ledger::{Ledger, Shift};

use crate::auth::{from_ledger, require, Permission, Session};
use crate::error::{AppError, ErrorCode};
use crate::shop::views::{CloseShift, OpenShift, Role, ShiftClosed, ShiftView};

/// Shifts over the ledger and a clock.
#[derive(Debug, Clone, Copy)]
pub struct Shifts<'a> {
    ledger: &'a Ledger,
    clock: &'a dyn Clock,
}

impl<'a> Shifts<'a> {
    /// The service.
    pub fn new(ledger: &'a Ledger, clock: &'a dyn Clock) -> Self {
        Shifts { ledger, clock }
    }

    /// Opens the session operator's shift on their register with the float typed in baht.
    pub fn open(&self, session: &Session, request: &OpenShift) -> Result<ShiftView, AppError> {
        require(session, Permission::OwnShift)?;
        let float = baht(&request.opening_float, "opening float")?;
        if !self
            .ledger
            .has_register(&session.register_id)
            .map_err(from_ledger)?
        {
            return Err(AppError::new(
                ErrorCode::InvalidRequest,
                format!("register {} is not set up", session.register_id),
            ));
        }
        self.refuse_if_open(session)?;
        let shift = self
            .ledger
            .open_shift(
                &session.operator.id,
                &session.register_id,
                float,
                self.clock.now(),
                &session.actor(),
            )
            .map_err(|error| {
                // A second screen may have opened one in between (the unique index refused).
                match self.refuse_if_open(session) {
                    Err(open) => open,
                    Ok(()) => from_ledger(error),
                }
            })?;
        self.view(&shift)
    }

    /// Closes the register's open shift with the cash counted (baht as typed), and only now
    /// shows what was expected. A cashier closes their own shift; the owner may close anyone's.
    pub fn close(&self, session: &Session, request: &CloseShift) -> Result<ShiftClosed, AppError> {
        require(session, Permission::OwnShift)?;
        let shift = self
            .ledger
            .open_shift_of(&session.register_id)
            .map_err(from_ledger)?
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::ShiftNotOpen,
                    format!("no shift is open on {}", session.register_id),
                )
            })?;
        if shift.operator_id != session.operator.id && session.role() != Role::Owner {
            return Err(AppError::new(
                ErrorCode::NotPermitted,
                format!(
                    "the open shift is {}'s; they or the owner close it",
                    shift.operator_id
                ),
            ));
        }
        let counted = baht(&request.counted_cash, "counted cash")?;
        let closed = self
            .ledger
            .close_shift(shift.id, counted, self.clock.now(), &session.actor())
            .map_err(from_ledger)?;
        closed_view(&closed)
    }

    /// The open shift on this register, as its cashier (or the owner) may see it: no expected
    /// figure. `None` when no shift is open here, or the open one is another cashier's.
    pub fn current(&self, session: &Session) -> Result<Option<ShiftView>, AppError> {
        require(session, Permission::OwnShift)?;
        let Some(shift) = self
            .ledger
            .open_shift_of(&session.register_id)
            .map_err(from_ledger)?
        else {
            return Ok(None);
        };
        if shift.operator_id != session.operator.id && session.role() != Role::Owner {
            return Ok(None);
        }
        self.view(&shift).map(Some)
    }

    /// [`ErrorCode::ShiftOpen`] while any shift is open: provider and payment-method settings
    /// wait until every drawer is counted.
    pub fn ensure_none_open(&self) -> Result<(), AppError> {
        if self.ledger.any_shift_open().map_err(from_ledger)? {
            Err(AppError::new(
                ErrorCode::ShiftOpen,
                "close every open shift before changing providers or payment methods",
            ))
        } else {
            Ok(())
        }
    }

    fn refuse_if_open(&self, session: &Session) -> Result<(), AppError> {
        if let Some(open) = self
            .ledger
            .open_shift_of(&session.register_id)
            .map_err(from_ledger)?
        {
            return Err(AppError::new(
                ErrorCode::ShiftOpen,
                format!(
                    "{}'s shift is already open on {}; it must be closed first",
                    open.operator_id, session.register_id
                ),
            ));
        }
        if let Some(open) = self
            .ledger
            .open_shift_of_operator(&session.operator.id)
            .map_err(from_ledger)?
        {
            return Err(AppError::new(
                ErrorCode::ShiftOpen,
                format!(
                    "{} already has a shift open on {}",
                    session.operator.id, open.register_id
                ),
            ));
        }
        Ok(())
    }

    fn view(&self, shift: &Shift) -> Result<ShiftView, AppError> {
        Ok(ShiftView {
            id: shift.id,
            operator_id: shift.operator_id.clone(),
            opened_at: shift.opened_at,
            opening_float: shift.opening_float,
            opening_float_display: shift.opening_float.to_string(),
            sales_count: self
                .ledger
                .shift_sales_count(shift.id)
                .map_err(from_ledger)?,
        })
    }
}

/// A closed shift as the reply to the blind count.
fn closed_view(shift: &Shift) -> Result<ShiftClosed, AppError> {
    let (Some(close), Some(counted), Some(closed_at)) =
        (shift.close, shift.counted_cash, shift.closed_at)
    else {
        return Err(AppError::new(
            ErrorCode::Internal,
            format!("shift {} closed without its figures", shift.id),
        ));
    };
    Ok(ShiftClosed {
        shift_id: shift.id,
        operator_id: shift.operator_id.clone(),
        opening_float: shift.opening_float,
        cash_sales: close.cash_sales,
        cash_refunds: close.cash_refunds,
        expected: close.expected,
        counted,
        variance: close.variance,
        closed_at,
    })
}

fn baht(text: &str, what: &str) -> Result<Satang, AppError> {
    Satang::parse_baht(text)
        .map_err(|e| AppError::new(ErrorCode::InvalidAmount, format!("{what}: {e}")))
}
