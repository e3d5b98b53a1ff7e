//! Payment attempts of a sale: the QR shown (or the cash expected), and what came of it.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use termdee_domain::{Actor, PaymentMethod, SaleState, Satang, UnixMillis};

use crate::sales::{load, move_sale};
use crate::{events, Applied, Ledger, LedgerError, Result};

/// Where a payment attempt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    /// Written; the request to the provider may or may not have left.
    Intent,
    /// The QR is on screen (or the cash is expected).
    Open,
    /// The create request's outcome is unknown.
    Unknown,
    /// The money arrived.
    Paid,
    /// The QR expired.
    Expired,
    /// Cancelled.
    Cancelled,
    /// The provider says it failed.
    Failed,
}

impl PaymentState {
    /// The code stored in the ledger (and shown to support staff).
    pub fn code(self) -> &'static str {
        match self {
            PaymentState::Intent => "intent",
            PaymentState::Open => "open",
            PaymentState::Unknown => "unknown",
            PaymentState::Paid => "paid",
            PaymentState::Expired => "expired",
            PaymentState::Cancelled => "cancelled",
            PaymentState::Failed => "failed",
        }
    }

    fn parse(code: &str) -> Option<Self> {
        Some(match code {
            "intent" => PaymentState::Intent,
            "open" => PaymentState::Open,
            "unknown" => PaymentState::Unknown,
            "paid" => PaymentState::Paid,
            "expired" => PaymentState::Expired,
            "cancelled" => PaymentState::Cancelled,
            "failed" => PaymentState::Failed,
            _ => return None,
        })
    }

    /// Whether the attempt may still be paid (the customer may have the QR).
    pub fn is_live(self) -> bool {
        matches!(
            self,
            PaymentState::Intent | PaymentState::Open | PaymentState::Unknown
        )
    }
}

/// How an unpaid attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentEnd {
    /// The QR's time ran out.
    Expired,
    /// Cancelled (by the customer, the cashier, or because the create failed definitely).
    Cancelled,
    /// The provider says it failed.
    Failed,
}

/// A payment attempt to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayment {
    /// How.
    pub method: PaymentMethod,
    /// Our key for it (Tmweasy `ref1`, Deposit-QR `order_id`, BluePay `mchOrderId`, the sale id).
    pub reference: String,
    /// What the customer is asked to pay.
    pub amount: Satang,
}

/// A payment attempt as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payment {
    /// Row id.
    pub id: i64,
    /// The sale.
    pub sale_id: String,
    /// 1, 2, ... within the sale.
    pub attempt: i64,
    /// How.
    pub method: PaymentMethod,
    /// Our key.
    pub reference: String,
    /// The provider's id for it.
    pub provider_ref: Option<String>,
    /// What is asked.
    pub amount: Satang,
    /// Where it stands.
    pub state: PaymentState,
    /// When the QR expires.
    pub expires_at: Option<UnixMillis>,
    /// What to show again after a restart (JSON).
    pub display: Option<String>,
    /// What arrived.
    pub paid_amount: Option<Satang>,
    /// When.
    pub paid_at: Option<UnixMillis>,
    /// When the attempt was written (its QR shown soon after).
    pub created_at: UnixMillis,
}

const PAYMENT_COLUMNS: &str = "id, sale_id, attempt, method, reference, provider_ref, amount, \
    state, expires_at, display, paid_amount, paid_at, created_at";

fn row_to_payment(r: &rusqlite::Row<'_>) -> rusqlite::Result<Payment> {
    let method: String = r.get(3)?;
    let state: String = r.get(7)?;
    let bad = |index: usize, value: String| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Text,
            format!("unexpected {value:?}").into(),
        )
    };
    Ok(Payment {
        id: r.get(0)?,
        sale_id: r.get(1)?,
        attempt: r.get(2)?,
        method: method.parse().map_err(|_| bad(3, method.clone()))?,
        reference: r.get(4)?,
        provider_ref: r.get(5)?,
        amount: Satang::new(r.get(6)?),
        state: PaymentState::parse(&state).ok_or_else(|| bad(7, state.clone()))?,
        expires_at: r.get(8)?,
        display: r.get(9)?,
        paid_amount: r.get::<_, Option<i64>>(10)?.map(Satang::new),
        paid_at: r.get(11)?,
        created_at: r.get(12)?,
    })
}

pub(crate) fn insert_payment(
    c: &Connection,
    sale_id: &str,
    attempt: i64,
    payment: &NewPayment,
    at: UnixMillis,
) -> Result<Payment> {
    if payment.amount.as_satang() <= 0 {
        return Err(LedgerError::Invalid(
            "a payment needs a positive amount".into(),
        ));
    }
    let key_taken =
        c.prepare_cached(
            "INSERT INTO idempotency_keys (provider, key, purpose, sale_id, created_at)
             VALUES (?1, ?2, 'payment', ?3, ?4) ON CONFLICT DO NOTHING",
        )?
        .execute(params![
            payment.method.code(),
            payment.reference,
            sale_id,
            at
        ])? == 0;
    if key_taken {
        return Err(LedgerError::KeyReused {
            provider: payment.method.code().to_owned(),
            key: payment.reference.clone(),
        });
    }
    c.prepare_cached(
        "INSERT INTO payments (sale_id, attempt, method, reference, amount, state, created_at,
             updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'intent', ?6, ?6)",
    )?
    .execute(params![
        sale_id,
        attempt,
        payment.method.code(),
        payment.reference,
        payment.amount.as_satang(),
        at
    ])?;
    let id = c.last_insert_rowid();
    load_payment(c, id)
}

fn load_payment(c: &Connection, id: i64) -> Result<Payment> {
    c.prepare_cached(&format!(
        "SELECT {PAYMENT_COLUMNS} FROM payments WHERE id = ?1"
    ))?
    .query_row([id], row_to_payment)
    .optional()?
    .ok_or_else(|| LedgerError::NotFound {
        what: "payment",
        id: id.to_string(),
    })
}

impl Ledger {
    /// One payment attempt.
    pub fn payment(&self, id: i64) -> Result<Payment> {
        self.read(|c| load_payment(c, id))
    }

    /// Provider payments that ended unpaid on our side (expired on screen, cancelled) while the
    /// provider's own offer may still be paid: until `expires_at + grace`. A customer who pays
    /// at the last second must still get their credit (money rule 4), so these are watched.
    pub fn payments_to_watch(&self, now: UnixMillis, grace_ms: i64) -> Result<Vec<Payment>> {
        self.read(|c| {
            let mut statement = c.prepare_cached(&format!(
                "SELECT {PAYMENT_COLUMNS} FROM payments
                 WHERE state IN ('expired', 'cancelled')
                   AND method IN ('tmweasy', 'deposit_qr', 'bluepay')
                   AND expires_at IS NOT NULL AND expires_at + ?2 > ?1
                 ORDER BY id"
            ))?;
            let rows = statement
                .query_map(params![now, grace_ms], row_to_payment)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// Every attempt of a sale, oldest first.
    pub fn payments_of(&self, sale_id: &str) -> Result<Vec<Payment>> {
        self.read(|c| {
            let mut statement = c.prepare_cached(&format!(
                "SELECT {PAYMENT_COLUMNS} FROM payments WHERE sale_id = ?1 ORDER BY attempt"
            ))?;
            let rows = statement
                .query_map([sale_id], row_to_payment)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// The attempt with our key `reference` for `method`.
    pub fn payment_by_reference(
        &self,
        method: PaymentMethod,
        reference: &str,
    ) -> Result<Option<Payment>> {
        self.read(|c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {PAYMENT_COLUMNS} FROM payments WHERE method = ?1 AND reference = ?2"
            ))?
            .query_row(params![method.code(), reference], row_to_payment)
            .optional()?)
        })
    }

    /// A new attempt for a sale still awaiting payment (the previous create failed or its outcome
    /// is unknown and the provider says to create again); earlier live attempts are cancelled.
    pub fn new_payment_attempt(
        &self,
        sale_id: &str,
        payment: &NewPayment,
        at: UnixMillis,
        actor: &Actor,
    ) -> Result<Payment> {
        self.write("new_payment_attempt", |tx| {
            let attempt: i64 = tx
                .prepare_cached(
                    "SELECT COALESCE(MAX(attempt), 0) + 1 FROM payments WHERE sale_id = ?1",
                )?
                .query_row([sale_id], |r| r.get(0))?;
            move_sale(
                tx,
                sale_id,
                &[SaleState::AwaitingPayment],
                SaleState::AwaitingPayment,
                at,
                actor,
                "payment_retried",
                &serde_json::json!({ "attempt": attempt, "reference": payment.reference }),
            )?;
            tx.prepare_cached(
                "UPDATE payments SET state = 'cancelled', updated_at = ?2
                 WHERE sale_id = ?1 AND state IN ('intent', 'open', 'unknown')",
            )?
            .execute(params![sale_id, at])?;
            insert_payment(tx, sale_id, attempt, payment, at)
        })
    }

    /// The provider created the QR (or the cash is expected): show it until `expires_at`.
    #[allow(clippy::too_many_arguments)]
    pub fn payment_opened(
        &self,
        payment_id: i64,
        provider_ref: Option<&str>,
        amount: Satang,
        expires_at: Option<UnixMillis>,
        display: Option<&str>,
        at: UnixMillis,
        actor: &Actor,
    ) -> Result<Payment> {
        self.write("payment_opened", |tx| {
            let payment = load_payment(tx, payment_id)?;
            if !matches!(payment.state, PaymentState::Intent | PaymentState::Unknown) {
                return Err(LedgerError::Invalid(format!(
                    "payment {payment_id} is {:?}, not waiting to be opened",
                    payment.state
                )));
            }
            tx.prepare_cached(
                "UPDATE payments SET state = 'open', provider_ref = COALESCE(?2, provider_ref),
                     amount = ?3, expires_at = ?4, display = ?5, updated_at = ?6
                 WHERE id = ?1",
            )?
            .execute(params![
                payment_id,
                provider_ref,
                amount.as_satang(),
                expires_at,
                display,
                at
            ])?;
            let state = crate::sales::current_state(tx, &payment.sale_id)?;
            events::append(
                tx,
                Some(&payment.sale_id),
                at,
                actor,
                "payment_opened",
                Some(state),
                Some(state),
                &serde_json::json!({
                    "payment": payment_id, "provider_ref": provider_ref,
                    "amount": amount.as_satang(), "expires_at": expires_at,
                }),
            )?;
            load_payment(tx, payment_id)
        })
    }

    /// The create request's outcome is unknown (timeout, 5xx, ...): kept live, settled later.
    pub fn payment_unknown(
        &self,
        payment_id: i64,
        detail: &str,
        at: UnixMillis,
        actor: &Actor,
    ) -> Result<()> {
        self.write("payment_unknown", |tx| {
            let payment = load_payment(tx, payment_id)?;
            tx.prepare_cached(
                "UPDATE payments SET state = 'unknown', updated_at = ?2
                 WHERE id = ?1 AND state IN ('intent', 'unknown')",
            )?
            .execute(params![payment_id, at])?;
            events::append(
                tx,
                Some(&payment.sale_id),
                at,
                actor,
                "payment_unknown",
                None,
                None,
                &serde_json::json!({ "payment": payment_id, "detail": detail }),
            )
        })
    }

    /// The money arrived for `payment_id`. Applied once: a repeat (a duplicate callback, a poll
    /// racing a callback) returns [`Applied::Already`] and writes nothing. Money that arrives for
    /// an expired or cancelled sale still makes it paid; a second payment for a sale already paid
    /// is recorded and flagged for a person; less than the price sends the sale to refund-due.
    pub fn payment_received(
        &self,
        payment_id: i64,
        paid_amount: Satang,
        at: UnixMillis,
        actor: &Actor,
    ) -> Result<Applied> {
        if paid_amount.as_satang() <= 0 {
            return Err(LedgerError::Invalid(
                "a payment needs a positive amount".into(),
            ));
        }
        self.write("payment_received", |tx| {
            let payment = load_payment(tx, payment_id)?;
            if payment.state == PaymentState::Paid {
                return Ok(Applied::Already);
            }
            tx.prepare_cached(
                "UPDATE payments SET state = 'paid', paid_amount = ?2, paid_at = ?3, updated_at = ?3
                 WHERE id = ?1",
            )?
            .execute(params![payment_id, paid_amount.as_satang(), at])?;
            tx.prepare_cached("UPDATE sales SET received = received + ?2 WHERE id = ?1")?
                .execute(params![payment.sale_id, paid_amount.as_satang()])?;
            let sale = load(tx, &payment.sale_id)?;
            let detail = serde_json::json!({
                "payment": payment_id, "amount": paid_amount.as_satang(),
                "provider_ref": payment.provider_ref,
            });
            let unpaid = [
                SaleState::AwaitingPayment,
                SaleState::PaymentExpired,
                SaleState::PaymentCancelled,
            ];
            if unpaid.contains(&sale.state) {
                move_sale(
                    tx,
                    &sale.id,
                    &unpaid,
                    SaleState::Paid,
                    at,
                    actor,
                    "payment_received",
                    &detail,
                )?;
                if paid_amount < sale.amount {
                    move_sale(
                        tx,
                        &sale.id,
                        &[SaleState::Paid],
                        SaleState::RefundDue,
                        at,
                        actor,
                        "refund_due",
                        &serde_json::json!({ "reason": "underpaid", "expected": sale.amount.as_satang() }),
                    )?;
                } else if paid_amount > payment.amount {
                    // More than this attempt asked for (which may include a provider's
                    // small adjustment above the price): a person hands the excess back.
                    flag(
                        tx,
                        &sale.id,
                        &format!(
                            "overpaid by {} satang",
                            paid_amount.as_satang() - payment.amount.as_satang()
                        ),
                    )?;
                }
            } else {
                // Paid twice (two attempts both paid): keep the money on the books and ask a person.
                flag(tx, &sale.id, "a second payment arrived for this sale")?;
                events::append(
                    tx,
                    Some(&sale.id),
                    at,
                    actor,
                    "payment_received_again",
                    Some(sale.state),
                    Some(sale.state),
                    &detail,
                )?;
            }
            Ok(Applied::Now)
        })
    }

    /// An unpaid attempt ended. When no live attempt is left, a sale still awaiting payment
    /// becomes expired or cancelled.
    pub fn payment_ended(
        &self,
        payment_id: i64,
        end: PaymentEnd,
        at: UnixMillis,
        actor: &Actor,
    ) -> Result<Applied> {
        self.write("payment_ended", |tx| {
            let payment = load_payment(tx, payment_id)?;
            if !payment.state.is_live() {
                return Ok(Applied::Already);
            }
            let state = match end {
                PaymentEnd::Expired => PaymentState::Expired,
                PaymentEnd::Cancelled => PaymentState::Cancelled,
                PaymentEnd::Failed => PaymentState::Failed,
            };
            tx.prepare_cached("UPDATE payments SET state = ?2, updated_at = ?3 WHERE id = ?1")?
                .execute(params![payment_id, state.code(), at])?;
            let live: i64 = tx
                .prepare_cached(
                    "SELECT COUNT(*) FROM payments
                     WHERE sale_id = ?1 AND state IN ('intent', 'open', 'unknown')",
                )?
                .query_row([&payment.sale_id], |r| r.get(0))?;
            let sale_state = crate::sales::current_state(tx, &payment.sale_id)?;
            let detail = serde_json::json!({ "payment": payment_id, "end": state.code() });
            if live == 0 && sale_state == SaleState::AwaitingPayment {
                let to = match end {
                    PaymentEnd::Expired => SaleState::PaymentExpired,
                    PaymentEnd::Cancelled | PaymentEnd::Failed => SaleState::PaymentCancelled,
                };
                let kind = if to == SaleState::PaymentExpired {
                    "payment_expired"
                } else {
                    "payment_cancelled"
                };
                move_sale(
                    tx,
                    &payment.sale_id,
                    &[SaleState::AwaitingPayment],
                    to,
                    at,
                    actor,
                    kind,
                    &detail,
                )?;
            } else {
                events::append(
                    tx,
                    Some(&payment.sale_id),
                    at,
                    actor,
                    "payment_ended",
                    None,
                    None,
                    &detail,
                )?;
            }
            Ok(Applied::Now)
        })
    }
}

fn flag(c: &Connection, sale_id: &str, why: &str) -> Result<()> {
    c.prepare_cached(
        "UPDATE sales SET attention = CASE WHEN attention IS NULL THEN ?2 ELSE attention || '; ' || ?2 END
         WHERE id = ?1",
    )?
    .execute(params![sale_id, why])?;
    Ok(())
}
