//! Sales: the row every other table hangs from, and the one place their state moves.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use termdee_domain::{
    Actor, BusinessDay, Msisdn, Network, PaymentMethod, SaleState, Satang, UnixMillis,
};

use crate::payments::{insert_payment, NewPayment, Payment};
use crate::{events, Ledger, LedgerError, Result};

/// A sale to write: everything checked by the caller (phone for the network, amount in the
/// catalogue) before it gets here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSale {
    /// Our id (also the local PromptPay / cash reference).
    pub id: String,
    /// Where.
    pub register_id: String,
    /// Who sells (a cashier login or the kiosk).
    pub operator_id: String,
    /// The open shift, if any.
    pub shift_id: Option<i64>,
    /// The network the customer chose.
    pub network: Network,
    /// The number to top up.
    pub phone: Msisdn,
    /// The credit bought (= what the customer pays).
    pub amount: Satang,
    /// How the customer pays.
    pub method: PaymentMethod,
    /// When.
    pub at: UnixMillis,
}

/// A sale as the ledger holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sale {
    /// Our id.
    pub id: String,
    /// Where.
    pub register_id: String,
    /// Who.
    pub operator_id: String,
    /// The shift.
    pub shift_id: Option<i64>,
    /// The network.
    pub network: Network,
    /// The number.
    pub phone: Msisdn,
    /// The credit bought.
    pub amount: Satang,
    /// How the customer pays.
    pub method: PaymentMethod,
    /// Where it stands.
    pub state: SaleState,
    /// Money received from the customer.
    pub received: Satang,
    /// Credit delivered.
    pub delivered: Satang,
    /// Money handed back.
    pub refunded: Satang,
    /// When the engine looks at it next.
    pub next_check_at: Option<UnixMillis>,
    /// Why a person must look, beyond the state.
    pub attention: Option<String>,
    /// The Bangkok day it was made.
    pub day: BusinessDay,
    /// When it was made.
    pub created_at: UnixMillis,
    /// When it last changed.
    pub updated_at: UnixMillis,
    /// The top-up provider last asked (`""` if none was).
    pub provider: String,
    /// What the provider debited for the credit delivered (zero when it did not say).
    pub cost: Satang,
    /// The shift of the person who handed the money back, for a refund given during one.
    pub refund_shift_id: Option<i64>,
}

impl Sale {
    /// Money received and neither delivered nor handed back: what is still owed to the customer
    /// (or held while an outcome is unknown).
    pub fn outstanding(&self) -> Satang {
        Satang::new(
            self.received.as_satang() - self.delivered.as_satang() - self.refunded.as_satang(),
        )
    }
}

pub(crate) const SALE_COLUMNS: &str = "id, register_id, operator_id, shift_id, network, phone, \
    amount, payment_method, state, received, delivered, refunded, next_check_at, attention, day, \
    created_at, updated_at, provider, cost, refund_shift_id";

pub(crate) fn row_to_sale(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Sale>> {
    let network: String = r.get(4)?;
    let phone: String = r.get(5)?;
    let method: String = r.get(7)?;
    let state: String = r.get(8)?;
    let day: String = r.get(14)?;
    let corrupt = |column: &'static str, value: String| LedgerError::Corrupt { column, value };
    let sale = (|| {
        Ok(Sale {
            id: r.get(0)?,
            register_id: r.get(1)?,
            operator_id: r.get(2)?,
            shift_id: r.get(3)?,
            network: network
                .parse()
                .map_err(|_| corrupt("sales.network", network.clone()))?,
            phone: Msisdn::parse(&phone).map_err(|_| corrupt("sales.phone", phone.clone()))?,
            amount: Satang::new(r.get(6)?),
            method: method
                .parse()
                .map_err(|_| corrupt("sales.payment_method", method.clone()))?,
            state: state
                .parse()
                .map_err(|_| corrupt("sales.state", state.clone()))?,
            received: Satang::new(r.get(9)?),
            delivered: Satang::new(r.get(10)?),
            refunded: Satang::new(r.get(11)?),
            next_check_at: r.get(12)?,
            attention: r.get(13)?,
            day: BusinessDay::parse(&day).map_err(|_| corrupt("sales.day", day.clone()))?,
            created_at: r.get(15)?,
            updated_at: r.get(16)?,
            provider: r.get(17)?,
            cost: Satang::new(r.get(18)?),
            refund_shift_id: r.get(19)?,
        })
    })();
    match sale {
        Ok(sale) => Ok(Ok(sale)),
        Err(SaleReadError::Sqlite(e)) => Err(e),
        Err(SaleReadError::Ledger(e)) => Ok(Err(e)),
    }
}

enum SaleReadError {
    Sqlite(rusqlite::Error),
    Ledger(LedgerError),
}

impl From<rusqlite::Error> for SaleReadError {
    fn from(e: rusqlite::Error) -> Self {
        SaleReadError::Sqlite(e)
    }
}

impl From<LedgerError> for SaleReadError {
    fn from(e: LedgerError) -> Self {
        SaleReadError::Ledger(e)
    }
}

pub(crate) fn load(c: &Connection, id: &str) -> Result<Sale> {
    c.prepare_cached(&format!("SELECT {SALE_COLUMNS} FROM sales WHERE id = ?1"))?
        .query_row([id], row_to_sale)
        .optional()?
        .ok_or_else(|| LedgerError::NotFound {
            what: "sale",
            id: id.to_owned(),
        })?
}

/// Moves a sale from one of `expected` to `to`, checking the state machine, and appends the
/// event. Returns the state it came from. `from == to` is allowed (an event with no move).
#[allow(clippy::too_many_arguments)]
pub(crate) fn move_sale(
    c: &Connection,
    sale_id: &str,
    expected: &[SaleState],
    to: SaleState,
    at: UnixMillis,
    actor: &Actor,
    kind: &str,
    detail: &serde_json::Value,
) -> Result<SaleState> {
    let from = current_state(c, sale_id)?;
    if !expected.contains(&from) {
        return Err(LedgerError::Conflict {
            sale: sale_id.to_owned(),
            expected: expected
                .iter()
                .map(|s| s.code())
                .collect::<Vec<_>>()
                .join(" or "),
            found: from,
        });
    }
    if from != to {
        from.transition(to)?;
        c.prepare_cached("UPDATE sales SET state = ?2, updated_at = ?3 WHERE id = ?1")?
            .execute(params![sale_id, to.code(), at])?;
    }
    events::append(
        c,
        Some(sale_id),
        at,
        actor,
        kind,
        Some(from),
        Some(to),
        detail,
    )?;
    Ok(from)
}

pub(crate) fn current_state(c: &Connection, sale_id: &str) -> Result<SaleState> {
    let state: String = c
        .prepare_cached("SELECT state FROM sales WHERE id = ?1")?
        .query_row([sale_id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| LedgerError::NotFound {
            what: "sale",
            id: sale_id.to_owned(),
        })?;
    state.parse().map_err(|_| LedgerError::Corrupt {
        column: "sales.state",
        value: state,
    })
}

impl Ledger {
    /// Writes a new sale awaiting payment, with its first payment attempt and that attempt's key,
    /// and the `sale_created` event — one transaction.
    pub fn create_sale(
        &self,
        sale: &NewSale,
        payment: &NewPayment,
        actor: &Actor,
    ) -> Result<(Sale, Payment)> {
        if sale.amount.as_satang() <= 0 {
            return Err(LedgerError::Invalid(
                "a sale needs a positive amount".into(),
            ));
        }
        self.write("create_sale", |tx| {
            tx.prepare_cached(
                "INSERT INTO sales (id, register_id, operator_id, shift_id, network, phone, amount,
                     payment_method, state, day, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
            )?
            .execute(params![
                sale.id,
                sale.register_id,
                sale.operator_id,
                sale.shift_id,
                sale.network.code(),
                sale.phone.as_str(),
                sale.amount.as_satang(),
                sale.method.code(),
                SaleState::AwaitingPayment.code(),
                BusinessDay::of(sale.at).to_string(),
                sale.at,
            ])?;
            events::append(
                tx,
                Some(&sale.id),
                sale.at,
                actor,
                "sale_created",
                None,
                Some(SaleState::AwaitingPayment),
                &serde_json::json!({
                    "network": sale.network.code(),
                    "phone": sale.phone.masked(),
                    "amount": sale.amount.as_satang(),
                    "method": sale.method.code(),
                }),
            )?;
            let payment = insert_payment(tx, &sale.id, 1, payment, sale.at)?;
            Ok((load(tx, &sale.id)?, payment))
        })
    }

    /// One sale, or `NotFound`.
    pub fn sale(&self, id: &str) -> Result<Sale> {
        self.read(|c| load(c, id))
    }

    /// Sales the engine still drives (awaiting payment, paid, top-up pending), oldest first.
    pub fn open_sales(&self) -> Result<Vec<Sale>> {
        self.sales_where(
            "state IN ('awaiting_payment', 'paid', 'topup_pending') ORDER BY created_at, id",
            [],
        )
    }

    /// Sales waiting for a person (needs attention, refund due, or flagged), oldest first.
    pub fn sales_needing_person(&self) -> Result<Vec<Sale>> {
        self.sales_where(
            "state IN ('needs_attention', 'refund_due') OR attention IS NOT NULL
             ORDER BY created_at, id",
            [],
        )
    }

    /// Every sale of one operator on one day, oldest first.
    pub fn sales_of_day(&self, day: BusinessDay) -> Result<Vec<Sale>> {
        self.sales_where("day = ?1 ORDER BY created_at, id", [day.to_string()])
    }

    /// The newest sales, newest first: of one operator, or of everyone (`None`).
    pub fn recent_sales(&self, operator_id: Option<&str>, limit: u32) -> Result<Vec<Sale>> {
        match operator_id {
            Some(operator) => self.sales_where(
                "operator_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2",
                params![operator, limit],
            ),
            None => self.sales_where(
                "1 ORDER BY created_at DESC, id DESC LIMIT ?1",
                params![limit],
            ),
        }
    }

    /// Every sale (for audits and the soak's invariants), oldest first.
    pub fn all_sales(&self) -> Result<Vec<Sale>> {
        self.sales_where("1 ORDER BY created_at, id", [])
    }

    fn sales_where(&self, clause: &str, args: impl rusqlite::Params) -> Result<Vec<Sale>> {
        self.read(|c| {
            let mut statement =
                c.prepare_cached(&format!("SELECT {SALE_COLUMNS} FROM sales WHERE {clause}"))?;
            let rows = statement
                .query_map(args, row_to_sale)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows.into_iter().collect()
        })
    }

    /// When the engine should look at a sale again (status-query backoff); not an event.
    pub fn schedule_check(&self, sale_id: &str, at: Option<UnixMillis>) -> Result<()> {
        self.write("schedule_check", |tx| {
            tx.prepare_cached("UPDATE sales SET next_check_at = ?2 WHERE id = ?1")?
                .execute(params![sale_id, at])?;
            Ok(())
        })
    }

    /// A paid sale nobody could top up (every routed provider refused): money goes back.
    pub fn mark_refund_due(
        &self,
        sale_id: &str,
        reason: &str,
        at: UnixMillis,
        actor: &Actor,
    ) -> Result<()> {
        self.write("mark_refund_due", |tx| {
            move_sale(
                tx,
                sale_id,
                &[SaleState::Paid],
                SaleState::RefundDue,
                at,
                actor,
                "refund_due",
                &serde_json::json!({ "reason": reason }),
            )?;
            Ok(())
        })
    }

    /// A person handed the money back (cash at the counter, or a provider refund they made).
    /// The refund is recorded in the open shift of that person (`actor.id`), if they have one,
    /// so that cash handed back comes out of the right drawer at the count.
    pub fn refund_given(
        &self,
        sale_id: &str,
        note: &str,
        at: UnixMillis,
        actor: &Actor,
    ) -> Result<()> {
        self.write("refund_given", |tx| {
            let sale = load(tx, sale_id)?;
            let owed = sale.outstanding();
            move_sale(
                tx,
                sale_id,
                &[SaleState::RefundDue],
                SaleState::Refunded,
                at,
                actor,
                "refunded",
                &serde_json::json!({ "note": note, "amount": owed.as_satang() }),
            )?;
            let shift = crate::shifts::open_shift_id_of_operator(tx, &actor.id)?;
            tx.prepare_cached(
                "UPDATE sales SET refunded = refunded + ?2, attention = NULL, refund_shift_id = ?3
                 WHERE id = ?1",
            )?
            .execute(params![sale_id, owed.as_satang(), shift])?;
            Ok(())
        })
    }

    /// Cancels a sale that has not been paid (the customer walked away).
    pub fn cancel_unpaid(&self, sale_id: &str, at: UnixMillis, actor: &Actor) -> Result<()> {
        self.write("cancel_unpaid", |tx| {
            move_sale(
                tx,
                sale_id,
                &[SaleState::AwaitingPayment],
                SaleState::PaymentCancelled,
                at,
                actor,
                "payment_cancelled",
                &serde_json::json!({}),
            )?;
            tx.prepare_cached(
                "UPDATE payments SET state = 'cancelled', updated_at = ?2
                 WHERE sale_id = ?1 AND state IN ('intent', 'open', 'unknown')",
            )?
            .execute(params![sale_id, at])?;
            Ok(())
        })
    }
}
