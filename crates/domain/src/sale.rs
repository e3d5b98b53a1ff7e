//! The sale state machine, the ways to pay, and who causes a change.
//!
//! ```text
//! AwaitingPayment ──► Paid ──► TopupPending ──► Completed
//!   │                  │          │  ▲  └──► NeedsAttention ──► Completed | RefundDue
//!   ├► PaymentExpired  │          │  └ (definite refusal: next provider)
//!   └► PaymentCancelled└──────────┴──► RefundDue ──► Refunded
//! ```
//!
//! DESIGN.md's `Draft` is never stored (a sale is written once it has been checked and a payment
//! is being collected), and `TopupSucceeded → Completed` is one step because nothing happens in
//! between. A payment found late — the customer paid just as the QR expired, or after a cashier
//! cancelled — still moves an expired or cancelled sale to `Paid`: money that arrived is never
//! ignored (money rule 4).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where a sale stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SaleState {
    /// Written; the customer has not paid yet (QR on screen, or cash not yet confirmed).
    AwaitingPayment,
    /// The QR expired unpaid.
    PaymentExpired,
    /// Cancelled before any payment.
    PaymentCancelled,
    /// The money is in; no top-up has been asked for yet (or the last provider refused).
    Paid,
    /// A top-up request is recorded (intent) and its outcome is not final yet.
    TopupPending,
    /// A top-up's outcome cannot be settled by the machine (an Easysoft refill with no answer):
    /// a person must check with the provider and say whether the credit arrived.
    NeedsAttention,
    /// The credit was delivered.
    Completed,
    /// The customer paid but got no credit: money must go back, and a person must say when it has.
    RefundDue,
    /// The money went back to the customer.
    Refunded,
}

/// A transition the state machine does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a sale cannot go from {from} to {to}")]
pub struct IllegalTransition {
    /// The state the sale is in.
    pub from: SaleState,
    /// The state asked for.
    pub to: SaleState,
}

impl SaleState {
    /// Every state.
    pub const ALL: [SaleState; 9] = [
        SaleState::AwaitingPayment,
        SaleState::PaymentExpired,
        SaleState::PaymentCancelled,
        SaleState::Paid,
        SaleState::TopupPending,
        SaleState::NeedsAttention,
        SaleState::Completed,
        SaleState::RefundDue,
        SaleState::Refunded,
    ];

    /// The code stored in the ledger.
    pub fn code(self) -> &'static str {
        match self {
            SaleState::AwaitingPayment => "awaiting_payment",
            SaleState::PaymentExpired => "payment_expired",
            SaleState::PaymentCancelled => "payment_cancelled",
            SaleState::Paid => "paid",
            SaleState::TopupPending => "topup_pending",
            SaleState::NeedsAttention => "needs_attention",
            SaleState::Completed => "completed",
            SaleState::RefundDue => "refund_due",
            SaleState::Refunded => "refunded",
        }
    }

    /// Whether `self → to` is allowed.
    pub fn can_become(self, to: SaleState) -> bool {
        use SaleState::*;
        matches!(
            (self, to),
            (AwaitingPayment, Paid | PaymentExpired | PaymentCancelled)
                | (PaymentExpired | PaymentCancelled, Paid)
                | (Paid, TopupPending | RefundDue)
                | (TopupPending, Completed | RefundDue | NeedsAttention | Paid)
                | (NeedsAttention, Completed | RefundDue)
                | (RefundDue, Refunded)
        )
    }

    /// `Ok(to)` when the transition is allowed.
    pub fn transition(self, to: SaleState) -> Result<SaleState, IllegalTransition> {
        if self.can_become(to) {
            Ok(to)
        } else {
            Err(IllegalTransition { from: self, to })
        }
    }

    /// Whether the engine still has work to do on its own (wait for payment, ask for or settle a
    /// top-up). States that wait for a person are not "open" for the engine.
    pub fn engine_drives(self) -> bool {
        matches!(
            self,
            SaleState::AwaitingPayment | SaleState::Paid | SaleState::TopupPending
        )
    }

    /// Whether a person must act (reconcile a top-up, hand money back).
    pub fn needs_person(self) -> bool {
        matches!(self, SaleState::NeedsAttention | SaleState::RefundDue)
    }

    /// Whether the customer's money is in (or was, for a refund).
    pub fn money_received(self) -> bool {
        matches!(
            self,
            SaleState::Paid
                | SaleState::TopupPending
                | SaleState::NeedsAttention
                | SaleState::Completed
                | SaleState::RefundDue
                | SaleState::Refunded
        )
    }
}

impl fmt::Display for SaleState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A state code that is not one of [`SaleState::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown code {0:?}")]
pub struct UnknownCode(pub String);

impl FromStr for SaleState {
    type Err = UnknownCode;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        SaleState::ALL
            .into_iter()
            .find(|s| s.code() == text)
            .ok_or_else(|| UnknownCode(text.to_owned()))
    }
}

/// How the customer pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// Cash handed to a cashier (counter only).
    Cash,
    /// A PromptPay QR made in the app; the cashier confirms the transfer on the shop's phone.
    PromptPayLocal,
    /// Tmweasy Mae Manee (`create_pay` / `confirm`).
    Tmweasy,
    /// Deposit-QR (RichPay): pushed callbacks only.
    DepositQr,
    /// BluePay WebPay: signed notifications and `detail`.
    BluePay,
}

impl PaymentMethod {
    /// Every method.
    pub const ALL: [PaymentMethod; 5] = [
        PaymentMethod::Cash,
        PaymentMethod::PromptPayLocal,
        PaymentMethod::Tmweasy,
        PaymentMethod::DepositQr,
        PaymentMethod::BluePay,
    ];

    /// The code stored in the ledger.
    pub fn code(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::PromptPayLocal => "promptpay_local",
            PaymentMethod::Tmweasy => "tmweasy",
            PaymentMethod::DepositQr => "deposit_qr",
            PaymentMethod::BluePay => "bluepay",
        }
    }

    /// Whether a payment provider collects the money (a QR the app cannot confirm itself).
    pub fn is_provider(self) -> bool {
        matches!(
            self,
            PaymentMethod::Tmweasy | PaymentMethod::DepositQr | PaymentMethod::BluePay
        )
    }

    /// Whether a person at the counter confirms the payment.
    pub fn needs_cashier(self) -> bool {
        matches!(self, PaymentMethod::Cash | PaymentMethod::PromptPayLocal)
    }
}

impl fmt::Display for PaymentMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for PaymentMethod {
    type Err = UnknownCode;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        PaymentMethod::ALL
            .into_iter()
            .find(|m| m.code() == text)
            .ok_or_else(|| UnknownCode(text.to_owned()))
    }
}

/// What kind of party caused a change (money rule 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// A cashier logged in at a counter.
    Cashier,
    /// An unattended kiosk machine.
    Kiosk,
    /// A provider's callback (verified).
    Callback,
    /// The engine's own status queries and resumption after a restart.
    Poller,
    /// The shop owner (manual resolutions, settings).
    Owner,
}

impl ActorKind {
    /// The code stored in the ledger.
    pub fn code(self) -> &'static str {
        match self {
            ActorKind::Cashier => "cashier",
            ActorKind::Kiosk => "kiosk",
            ActorKind::Callback => "callback",
            ActorKind::Poller => "poller",
            ActorKind::Owner => "owner",
        }
    }
}

impl FromStr for ActorKind {
    type Err = UnknownCode;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        [
            ActorKind::Cashier,
            ActorKind::Kiosk,
            ActorKind::Callback,
            ActorKind::Poller,
            ActorKind::Owner,
        ]
        .into_iter()
        .find(|k| k.code() == text)
        .ok_or_else(|| UnknownCode(text.to_owned()))
    }
}

/// Who caused a change: a kind and an id (operator id, provider name, `poller`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Actor {
    /// The kind of party.
    pub kind: ActorKind,
    /// Which one: an operator id, a provider code, or the engine's name.
    pub id: String,
}

impl Actor {
    /// A party of `kind` named `id`.
    pub fn new(kind: ActorKind, id: impl Into<String>) -> Self {
        Actor {
            kind,
            id: id.into(),
        }
    }

    /// The engine's status queries and restart resumption.
    pub fn poller() -> Self {
        Actor::new(ActorKind::Poller, "engine")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for state in SaleState::ALL {
            assert_eq!(state.code().parse::<SaleState>(), Ok(state));
        }
        for method in PaymentMethod::ALL {
            assert_eq!(method.code().parse::<PaymentMethod>(), Ok(method));
        }
        assert!("lost".parse::<SaleState>().is_err());
    }

    #[test]
    fn a_paid_sale_can_never_go_back_to_unpaid_states() {
        for from in SaleState::ALL.into_iter().filter(|s| s.money_received()) {
            for to in SaleState::ALL.into_iter().filter(|s| !s.money_received()) {
                assert!(!from.can_become(to), "{from} -> {to}");
            }
        }
    }

    #[test]
    fn finished_states_go_nowhere_and_money_ends_delivered_or_returned() {
        for to in SaleState::ALL {
            assert!(!SaleState::Completed.can_become(to));
            assert!(!SaleState::Refunded.can_become(to));
        }
        assert_eq!(
            SaleState::TopupPending.transition(SaleState::AwaitingPayment),
            Err(IllegalTransition {
                from: SaleState::TopupPending,
                to: SaleState::AwaitingPayment
            })
        );
        // A late payment still counts.
        assert!(SaleState::PaymentExpired.can_become(SaleState::Paid));
        // Nothing skips the top-up: a paid sale is delivered only through TopupPending.
        assert!(!SaleState::Paid.can_become(SaleState::Completed));
    }
}
