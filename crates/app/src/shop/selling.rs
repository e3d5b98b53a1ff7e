//! Selling through the shop: what is offered, starting a sale, what a sale looks like on screen,
//! and what a person may do with it.
//!
//! Role rules for sales live here, next to the commands they guard:
//! - a kiosk sells by provider QR only, sees only its own sales and settles nothing;
//! - at a counter, selling needs the register's shift to be open (the cash drawer is counted
//!   against it); a cashier sees their own sales and settles only sales of their own open shift;
//! - the owner sees and settles everything.

use termdee_domain::{Actor, ActorKind, Network, PaymentMethod, SaleState, Satang};
use termdee_ledger::{Ledger, LedgerError, Payment, PaymentState, Sale};

use super::views::{
    AppMode, MethodOffer, NetworkOffer, Offer, PaymentView, Role, SaleAction, SaleInput,
    SaleResolution, SaleView, TopupView,
};
use super::{internal, Running, Shop};
use crate::auth::Session;
use crate::engine::{EngineError, SaleRequest};
use crate::error::{AppError, ErrorCode};
use crate::settings::Settings;

/// How many sales the counter's "recent numbers" shows.
const RECENT: u32 = 20;
/// Quick buttons when a provider sells any whole baht in a range (Easysoft lists no
/// denominations): the amounts Thai shops sell most.
const COMMON_AMOUNTS_BAHT: [i64; 8] = [10, 20, 30, 50, 100, 200, 300, 500];

/// Most quick buttons a screen shows; any other allowed amount is typed.
const MOST_QUICK_AMOUNTS: usize = 12;

/// The quick-button amounts for a network. A catalogue with a long list of denominations (wePAY
/// sells TrueMove in every 10 baht up to 1,500) would bury the payment buttons under 60 amount
/// buttons, so a long list is cut to the common amounts it contains; a range with no list
/// (Easysoft) shows the common amounts inside the range. Typed amounts are still checked against
/// the whole catalogue by the engine.
fn quick_amounts(catalogue: &[Satang], min: Option<Satang>, max: Option<Satang>) -> Vec<Satang> {
    let common = COMMON_AMOUNTS_BAHT
        .iter()
        .filter_map(|baht| Satang::from_baht(*baht))
        .filter(|a| min.is_none_or(|min| *a >= min))
        .filter(|a| max.is_none_or(|max| *a <= max));
    if catalogue.is_empty() {
        return common.collect();
    }
    if catalogue.len() <= MOST_QUICK_AMOUNTS {
        return catalogue.to_vec();
    }
    let listed: Vec<Satang> = common.filter(|a| catalogue.contains(a)).collect();
    if listed.len() >= 4 {
        listed
    } else {
        catalogue[..MOST_QUICK_AMOUNTS].to_vec()
    }
}

/// An engine failure as the screen sees it.
pub(crate) fn engine_error(error: EngineError) -> AppError {
    match error {
        EngineError::Refused(error) => error,
        EngineError::Ledger(LedgerError::NotFound { what, id }) => AppError::new(
            ErrorCode::InvalidRequest,
            format!("{what} {id} does not exist"),
        ),
        EngineError::Ledger(
            error @ (LedgerError::Conflict { .. }
            | LedgerError::Illegal(_)
            | LedgerError::Invalid(_)),
        ) => AppError::new(ErrorCode::InvalidRequest, error.to_string()),
        EngineError::Ledger(error) => {
            AppError::new(ErrorCode::LedgerUnavailable, error.to_string())
        }
        EngineError::Crashed(crashed) => internal(crashed),
    }
}

/// Who the ledger says did it.
pub(crate) fn actor_of(session: &Session) -> Actor {
    let kind = match session.operator.role {
        Role::Owner => ActorKind::Owner,
        Role::Cashier => ActorKind::Cashier,
        Role::Kiosk => ActorKind::Kiosk,
    };
    Actor::new(kind, session.operator.id.clone())
}

/// The open shift of the session's register, if any (its id).
fn open_shift_id(ledger: &Ledger, session: &Session) -> Result<Option<i64>, AppError> {
    Ok(ledger
        .open_shift_of(&session.register_id)
        .map_err(internal)?
        .map(|shift| shift.id))
}

/// Whether the session may see this sale at all.
fn may_see(ledger: &Ledger, session: &Session, sale: &Sale) -> Result<bool, AppError> {
    Ok(match session.operator.role {
        Role::Owner => true,
        Role::Kiosk => sale.operator_id == session.operator.id,
        Role::Cashier => {
            sale.operator_id == session.operator.id
                || (sale.shift_id.is_some() && sale.shift_id == open_shift_id(ledger, session)?)
        }
    })
}

/// Whether the session may settle money of this sale by hand (refund given, credit checked):
/// the owner any sale, a cashier the sales of their own open shift (`auth::require_resolve`).
fn may_settle(ledger: &Ledger, session: &Session, sale: &Sale) -> Result<bool, AppError> {
    Ok(crate::auth::require_resolve(ledger, session, &sale.id).is_ok())
}

/// What the session may do with the sale now.
fn actions(ledger: &Ledger, session: &Session, sale: &Sale) -> Result<Vec<SaleAction>, AppError> {
    let kiosk = session.operator.role == Role::Kiosk;
    let settle = may_settle(ledger, session, sale)?;
    let own = sale.operator_id == session.operator.id;
    let mut actions = Vec::new();
    match sale.state {
        SaleState::AwaitingPayment => {
            if sale.method.needs_cashier() && !kiosk && (own || settle) {
                actions.push(SaleAction::ConfirmPayment);
            }
            if own || settle {
                actions.push(SaleAction::Cancel);
            }
            if sale.method.is_provider() && !kiosk {
                actions.push(SaleAction::CheckAgain);
            }
        }
        SaleState::Paid | SaleState::TopupPending => {
            if !kiosk {
                actions.push(SaleAction::CheckAgain);
            }
        }
        SaleState::NeedsAttention => {
            if settle {
                actions.extend([
                    SaleAction::CheckAgain,
                    SaleAction::MarkDelivered,
                    SaleAction::MarkNotDelivered,
                ]);
            }
        }
        SaleState::RefundDue => {
            if settle {
                actions.push(SaleAction::MarkRefunded);
            }
        }
        SaleState::PaymentExpired
        | SaleState::PaymentCancelled
        | SaleState::Completed
        | SaleState::Refunded => {}
    }
    Ok(actions)
}

fn payment_view(
    payment: &Payment,
    sale: &Sale,
    settings: &Settings,
    now: i64,
) -> Result<PaymentView, AppError> {
    let mut qr_png_data_url = None;
    let mut link = None;
    let live = payment.state.is_live();
    if live && sale.method == PaymentMethod::PromptPayLocal {
        qr_png_data_url = Some(crate::qr::payment_qr(
            &settings.promptpay_id,
            payment.amount,
        )?);
    } else if live {
        if let Some(display) = payment.display.as_deref() {
            let display: serde_json::Value = serde_json::from_str(display).map_err(internal)?;
            if let Some(image) = display["image_base64"].as_str() {
                qr_png_data_url = Some(if image.starts_with("data:") {
                    image.to_owned()
                } else {
                    format!("data:image/png;base64,{}", image.trim())
                });
            }
            if let Some(url) = display["link"].as_str() {
                if qr_png_data_url.is_none() {
                    qr_png_data_url = Some(crate::qr::link_qr(url)?);
                }
                link = Some(url.to_owned());
            }
        }
    }
    // A QR is shown for the shop's countdown at most, even when the provider would keep it
    // payable longer: a kiosk customer must not face a QR for ten minutes. The engine keeps
    // watching it until the provider's own expiry, so a late payment still counts.
    let expires_at = if sale.method == PaymentMethod::Cash {
        None
    } else {
        let shown_until = payment.created_at + i64::from(settings.qr_countdown_seconds) * 1_000;
        Some(
            payment
                .expires_at
                .map_or(shown_until, |at| at.min(shown_until)),
        )
    };
    Ok(PaymentView {
        state: payment.state.code().to_owned(),
        qr_png_data_url,
        link,
        amount: payment.amount,
        amount_display: payment.amount.to_string(),
        expires_at,
        seconds_left: expires_at.map(|at| ((at - now).max(0) + 999) / 1000),
    })
}

/// A sale as every screen shows it, with the actions this session may take.
pub(crate) fn sale_view(
    ledger: &Ledger,
    session: &Session,
    settings: &Settings,
    sale: &Sale,
    now: i64,
) -> Result<SaleView, AppError> {
    let payment = ledger
        .payments_of(&sale.id)
        .map_err(internal)?
        .into_iter()
        .max_by_key(|p| p.attempt);
    let topup = ledger
        .topups_of(&sale.id)
        .map_err(internal)?
        .into_iter()
        .max_by_key(|t| t.attempt);
    Ok(SaleView {
        id: sale.id.clone(),
        state: sale.state,
        network: sale.network,
        network_name: sale.network.display_name().to_owned(),
        phone_display: sale.phone.display(),
        amount: sale.amount,
        amount_display: sale.amount.to_string(),
        method: sale.method,
        operator_id: sale.operator_id.clone(),
        created_at: sale.created_at,
        payment: payment
            .map(|p| payment_view(&p, sale, settings, now))
            .transpose()?,
        topup: topup.map(|t| TopupView {
            provider: t.provider,
            state: t.state.code().to_owned(),
            reference: t.reference,
            provider_ref: t.provider_ref,
        }),
        attention: sale.attention.clone(),
        actions: actions(ledger, session, sale)?,
    })
}

/// The sales waiting for a person that this session may settle.
pub(crate) fn attention(ledger: &Ledger, session: &Session) -> Result<Vec<Sale>, AppError> {
    let mut sales = Vec::new();
    for sale in ledger.sales_needing_person().map_err(internal)? {
        if may_settle(ledger, session, &sale)? {
            sales.push(sale);
        }
    }
    Ok(sales)
}

impl Shop {
    fn selling(&self) -> Result<(Session, std::sync::Arc<Running>, Settings), AppError> {
        let session = self.session()?;
        let settings = self.settings()?;
        let running = self.running()?;
        Ok((session, running, settings))
    }

    fn view(
        &self,
        session: &Session,
        settings: &Settings,
        sale: &Sale,
    ) -> Result<SaleView, AppError> {
        let ledger = self.ledger()?;
        sale_view(&ledger, session, settings, sale, self.now())
    }

    pub(super) fn visible_sale(&self, session: &Session, sale_id: &str) -> Result<Sale, AppError> {
        let ledger = self.ledger()?;
        let sale = ledger.sale(sale_id).map_err(|error| match error {
            LedgerError::NotFound { .. } => {
                AppError::new(ErrorCode::InvalidRequest, format!("no sale {sale_id}"))
            }
            other => internal(other),
        })?;
        if !may_see(&ledger, session, &sale)? {
            return Err(AppError::new(
                ErrorCode::NotPermitted,
                format!("sale {sale_id} belongs to another operator"),
            ));
        }
        Ok(sale)
    }

    /// What can be sold here now.
    pub fn offer(&self) -> Result<Offer, AppError> {
        let (session, running, settings) = self.selling()?;
        let kiosk = session.operator.role == Role::Kiosk || settings.mode == AppMode::Kiosk;
        let networks = Network::ALL
            .into_iter()
            .filter_map(|network| {
                let offer = running.engine.network_offer(network)?;
                let amounts = quick_amounts(&offer.amounts, offer.min, offer.max);
                Some(NetworkOffer {
                    network,
                    name: network.display_name().to_owned(),
                    min: offer
                        .min
                        .or_else(|| amounts.first().copied())
                        .unwrap_or(Satang::ZERO),
                    max: offer
                        .max
                        .or_else(|| amounts.last().copied())
                        .unwrap_or(Satang::ZERO),
                    amounts,
                    available: offer.available,
                })
            })
            .collect();
        let methods = PaymentMethod::ALL
            .into_iter()
            .filter(|method| !(kiosk && method.needs_cashier()))
            .map(|method| MethodOffer {
                method,
                available: match method {
                    PaymentMethod::Cash => true,
                    PaymentMethod::PromptPayLocal => !settings.promptpay_id.trim().is_empty(),
                    provider => running.ports.payments.contains_key(&provider),
                },
            })
            .collect();
        Ok(Offer { networks, methods })
    }

    /// Starts a sale: checked in full (role, shift, method, phone, amount) before anything is
    /// written; for a QR provider, the QR is created before this returns.
    pub async fn start_sale(&self, input: &SaleInput) -> Result<SaleView, AppError> {
        let (session, running, settings) = self.selling()?;
        if let Some(problem) = running.problems.first() {
            if running.ports.topups.is_empty() {
                return Err(problem.clone());
            }
        }
        let ledger = self.ledger()?;
        match session.operator.role {
            Role::Kiosk => {
                if !input.method.is_provider() {
                    return Err(AppError::new(
                        ErrorCode::PaymentMethodUnavailable,
                        "a kiosk takes QR payments only: nobody is there to take cash",
                    ));
                }
            }
            Role::Owner | Role::Cashier => {
                crate::auth::require_sell(&session, input.method)?;
                if open_shift_id(&ledger, &session)?.is_none() {
                    return Err(AppError::new(
                        ErrorCode::ShiftNotOpen,
                        "open a shift (with the cash float) before selling at the counter",
                    ));
                }
            }
        }
        if input.method == PaymentMethod::PromptPayLocal && settings.promptpay_id.trim().is_empty()
        {
            return Err(AppError::new(
                ErrorCode::PaymentMethodUnavailable,
                "the shop's PromptPay ID is not set (settings)",
            ));
        }
        let amount = Satang::parse_baht(&input.amount)
            .map_err(|error| AppError::new(ErrorCode::InvalidAmount, error.to_string()))?;
        let request = SaleRequest {
            operator_id: session.operator.id.clone(),
            network: input.network,
            phone: input.phone.clone(),
            amount,
            method: input.method,
        };
        let sale = running
            .engine
            .start_sale(&request, &actor_of(&session))
            .await
            .map_err(engine_error)?;
        self.view(&session, &settings, &sale)
    }

    /// One sale as the screen shows it.
    pub fn sale(&self, sale_id: &str) -> Result<SaleView, AppError> {
        let session = self.session()?;
        let settings = self.settings_or_default();
        let sale = self.visible_sale(&session, sale_id)?;
        self.view(&session, &settings, &sale)
    }

    /// The cashier took the cash or saw the transfer; the top-up follows.
    pub async fn confirm_payment(&self, sale_id: &str) -> Result<SaleView, AppError> {
        self.act(sale_id, SaleAction::ConfirmPayment, "").await
    }

    /// Cancels an unpaid sale (and its QR at the provider).
    pub async fn cancel_sale(&self, sale_id: &str) -> Result<SaleView, AppError> {
        self.act(sale_id, SaleAction::Cancel, "").await
    }

    /// Asks the provider again now.
    pub async fn check_again(&self, sale_id: &str) -> Result<SaleView, AppError> {
        self.act(sale_id, SaleAction::CheckAgain, "").await
    }

    /// A person settles a sale; the note and who did it go into the ledger's event.
    pub async fn resolve_sale(&self, resolution: &SaleResolution) -> Result<SaleView, AppError> {
        self.act(&resolution.sale_id, resolution.action, &resolution.note)
            .await
    }

    async fn act(
        &self,
        sale_id: &str,
        action: SaleAction,
        note: &str,
    ) -> Result<SaleView, AppError> {
        let (session, running, settings) = self.selling()?;
        let sale = self.visible_sale(&session, sale_id)?;
        let ledger = self.ledger()?;
        if !actions(&ledger, &session, &sale)?.contains(&action) {
            return Err(AppError::new(
                if may_see(&ledger, &session, &sale)? && may_settle(&ledger, &session, &sale)? {
                    ErrorCode::InvalidRequest
                } else {
                    ErrorCode::NotPermitted
                },
                format!(
                    "{action:?} is not possible for sale {sale_id} ({})",
                    sale.state
                ),
            ));
        }
        let money_by_hand = matches!(
            action,
            SaleAction::MarkRefunded | SaleAction::MarkDelivered | SaleAction::MarkNotDelivered
        );
        if money_by_hand && note.trim().is_empty() {
            return Err(AppError::new(
                ErrorCode::InvalidRequest,
                "say what was checked or done (the note is kept with who did it)",
            ));
        }
        let actor = actor_of(&session);
        let engine = &running.engine;
        let sale = match action {
            SaleAction::ConfirmPayment => engine.confirm_payment(sale_id, &actor).await,
            SaleAction::Cancel => engine.cancel_sale(sale_id, &actor).await,
            SaleAction::CheckAgain => engine.check_again(sale_id, &actor).await,
            SaleAction::MarkRefunded => engine.refund_given(sale_id, note.trim(), &actor),
            SaleAction::MarkDelivered => engine.resolve_topup(sale_id, true, note.trim(), &actor),
            SaleAction::MarkNotDelivered => {
                engine.resolve_topup(sale_id, false, note.trim(), &actor)
            }
        }
        .map_err(engine_error)?;
        self.view(&session, &settings, &sale)
    }

    /// The newest sales this operator may see (the counter's recent numbers, newest first).
    pub fn recent_sales(&self) -> Result<Vec<SaleView>, AppError> {
        let session = self.session()?;
        let settings = self.settings_or_default();
        let ledger = self.ledger()?;
        let operator =
            (session.operator.role != Role::Owner).then_some(session.operator.id.as_str());
        ledger
            .recent_sales(operator, RECENT)
            .map_err(internal)?
            .iter()
            .map(|sale| sale_view(&ledger, &session, &settings, sale, self.now()))
            .collect()
    }

    /// Sales waiting for a person that this operator may settle, oldest first.
    pub fn attention_list(&self) -> Result<Vec<SaleView>, AppError> {
        let session = self.session()?;
        let settings = self.settings_or_default();
        let ledger = self.ledger()?;
        attention(&ledger, &session)?
            .iter()
            .map(|sale| sale_view(&ledger, &session, &settings, sale, self.now()))
            .collect()
    }

    /// Demo mode only: plays the customer who scans the QR and pays.
    pub async fn demo_pay(&self, sale_id: &str) -> Result<SaleView, AppError> {
        let (session, running, settings) = self.selling()?;
        let Some(demo) = running.demo.as_ref() else {
            return Err(AppError::new(
                ErrorCode::DemoOnly,
                "acting as the customer exists only in demo mode",
            ));
        };
        let sale = self.visible_sale(&session, sale_id)?;
        let ledger = self.ledger()?;
        let payment = ledger
            .payments_of(sale_id)
            .map_err(internal)?
            .into_iter()
            .rev()
            .find(|p| p.state == PaymentState::Open)
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::InvalidRequest,
                    format!(
                        "sale {sale_id} has no QR waiting to be paid ({})",
                        sale.state
                    ),
                )
            })?;
        demo.pay(&payment)?;
        // The simulator tells the engine as the provider would (callback or status query);
        // drive now so the screen moves without waiting for the next tick.
        running
            .engine
            .check_again(sale_id, &actor_of(&session))
            .await
            .map_err(engine_error)?;
        let sale = ledger.sale(sale_id).map_err(internal)?;
        self.view(&session, &settings, &sale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn baht(values: &[i64]) -> Vec<Satang> {
        values
            .iter()
            .filter_map(|b| Satang::from_baht(*b))
            .collect()
    }

    #[test]
    fn a_short_catalogue_is_shown_whole() {
        let catalogue = baht(&[20, 50, 100, 300]);
        assert_eq!(quick_amounts(&catalogue, None, None), catalogue);
    }

    #[test]
    fn a_long_catalogue_is_cut_to_the_common_amounts_it_sells() {
        let catalogue: Vec<Satang> = baht(&(1..=150).map(|n| n * 10).collect::<Vec<_>>());
        assert_eq!(
            quick_amounts(&catalogue, None, None),
            baht(&[10, 20, 30, 50, 100, 200, 300, 500])
        );
    }

    #[test]
    fn a_long_catalogue_of_odd_amounts_shows_its_first_dozen() {
        let catalogue: Vec<Satang> = baht(&(0..40).map(|n| 15 + n * 10).collect::<Vec<_>>());
        assert_eq!(
            quick_amounts(&catalogue, None, None),
            catalogue[..12].to_vec()
        );
    }

    #[test]
    fn a_range_without_a_list_shows_the_common_amounts_inside_it() {
        let range = quick_amounts(&[], Satang::from_baht(20), Satang::from_baht(300));
        assert_eq!(range, baht(&[20, 30, 50, 100, 200, 300]));
    }
}
