//! Who is at the machine: operators, their PINs, and what each role may do.
//!
//! Roles are enforced here, in the backend, on every use case that takes a [`Session`] — the UI
//! hides buttons too, but a hidden button is not a permission. [`require`] maps a [`Session`] and
//! a [`Permission`] to `Ok` or [`ErrorCode::NotPermitted`]:
//!
//! | | owner | cashier | kiosk |
//! |---|---|---|---|
//! | sell by a provider's QR | ✓ | ✓ | ✓ |
//! | sell for cash / the shop's own PromptPay QR | ✓ | ✓ | |
//! | open, see and close their own shift, see its sales and totals | ✓ | ✓ | |
//! | resolve sales (refund given, delivered or not) of their own open shift | ✓ | ✓ | |
//! | resolve any sale | ✓ | | |
//! | settings, operators, every report, reconciliation, balances | ✓ | | |
//!
//! PINs are 4 to 8 digits, stored only as argon2id PHC strings with a fresh random salt each
//! ([`PinCost::OWASP`]: m = 19 MiB, t = 2, p = 1, the OWASP minimum). Five wrong PINs in a row
//! lock an account for 15 minutes — the owner's too, and wrong PINs typed to leave kiosk mode
//! count against the owners. There is no default PIN: the first start creates the owner
//! ([`Operators::setup_owner`]), once, in one transaction.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use termdee_domain::{Actor, Clock, PaymentMethod, UnixMillis};
use termdee_ledger::{
    Ledger, LedgerError, Operator, OperatorAccount, OperatorRole, PinChange, PinLockout,
};

use crate::error::{AppError, ErrorCode};
use crate::shop::views::{LoginRequest, OperatorUpdate, OperatorView, OwnerSetup, Role};

/// Wrong PINs in a row that lock an account, and for how long.
pub const PIN_LOCKOUT: PinLockout = PinLockout {
    after: 5,
    for_ms: 15 * 60_000,
};

/// The id the first owner gets.
pub const FIRST_OWNER_ID: &str = "owner";

/// Someone logged in at a register (a kiosk is "logged in" as its kiosk operator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Who, as of login.
    pub operator: OperatorView,
    /// Where.
    pub register_id: String,
}

impl Session {
    /// The role.
    pub fn role(&self) -> Role {
        self.operator.role
    }

    /// The actor written into the ledger's events for what this session does.
    pub fn actor(&self) -> Actor {
        Actor::new(
            ledger_role(self.operator.role).actor_kind(),
            self.operator.id.clone(),
        )
    }
}

/// Something a session may or may not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Sell with a QR the customer pays through a provider.
    SellByQr,
    /// Take cash, or confirm the shop's own PromptPay QR (a person must see the money).
    SellAtCounter,
    /// Open, see and close one's own shift; see its sales and totals.
    OwnShift,
    /// Resolve (refund given, delivered or not) the sales of one's own open shift.
    ResolveOwnShiftSales,
    /// Resolve any sale, whoever made it.
    ResolveAnySale,
    /// Change settings (providers, payment methods, routing, the shop).
    ChangeSettings,
    /// Add, change, unlock operators.
    ManageOperators,
    /// See every operator's figures and every report.
    ViewAllReports,
    /// Reconcile the ledger against the providers.
    Reconcile,
    /// See the providers' balances.
    ViewBalances,
}

impl Permission {
    /// Whether `role` has this permission.
    pub fn allowed(self, role: Role) -> bool {
        match role {
            Role::Owner => true,
            Role::Cashier => matches!(
                self,
                Permission::SellByQr
                    | Permission::SellAtCounter
                    | Permission::OwnShift
                    | Permission::ResolveOwnShiftSales
            ),
            Role::Kiosk => matches!(self, Permission::SellByQr),
        }
    }
}

/// `Ok` when the session has the permission, else [`ErrorCode::NotPermitted`].
pub fn require(session: &Session, permission: Permission) -> Result<(), AppError> {
    if permission.allowed(session.role()) {
        Ok(())
    } else {
        Err(AppError::new(
            ErrorCode::NotPermitted,
            format!(
                "{} ({:?}) may not do this ({permission:?})",
                session.operator.id,
                session.role()
            ),
        ))
    }
}

/// May this session sell with this payment method? Cash and the shop's own QR need a person who
/// sees the money; a provider's QR can be sold by anyone, a kiosk included.
pub fn require_sell(session: &Session, method: PaymentMethod) -> Result<(), AppError> {
    if method.needs_cashier() {
        require(session, Permission::SellAtCounter)
    } else {
        require(session, Permission::SellByQr)
    }
}

/// May this session resolve this sale (refund given, delivered or not)? The owner may resolve
/// any; a cashier only a sale made in their own shift that is open now.
pub fn require_resolve(ledger: &Ledger, session: &Session, sale_id: &str) -> Result<(), AppError> {
    require(session, Permission::ResolveOwnShiftSales)?;
    let sale = ledger.sale(sale_id).map_err(from_ledger)?;
    if require(session, Permission::ResolveAnySale).is_ok() {
        return Ok(());
    }
    let shift = ledger
        .open_shift_of_operator(&session.operator.id)
        .map_err(from_ledger)?;
    match (sale.shift_id, shift) {
        (Some(of_sale), Some(open)) if of_sale == open.id => Ok(()),
        _ => Err(AppError::new(
            ErrorCode::NotPermitted,
            format!(
                "sale {sale_id} is not from {}'s open shift; the owner resolves it",
                session.operator.id
            ),
        )),
    }
}

/// How expensive a PIN hash is (argon2id parameters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinCost {
    /// Memory, KiB.
    pub memory_kib: u32,
    /// Passes.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl PinCost {
    /// The OWASP minimum for argon2id: 19 MiB, 2 passes, 1 lane (OWASP Password Storage Cheat
    /// Sheet). A 4–8 digit PIN has little entropy, so the hash must be slow; the lockout does
    /// the rest.
    pub const OWASP: PinCost = PinCost {
        memory_kib: 19 * 1024,
        iterations: 2,
        parallelism: 1,
    };

    /// The cheapest argon2 allows (8 KiB, 1 pass): only for tests, so the suite stays fast.
    /// Hashes carry their own parameters, so a PIN verifies whatever the current cost is.
    pub const TESTS_ONLY: PinCost = PinCost {
        memory_kib: 8,
        iterations: 1,
        parallelism: 1,
    };
}

/// A 4 to 8 digit PIN, or [`ErrorCode::InvalidPin`].
pub fn check_pin_format(pin: &str) -> Result<(), AppError> {
    if (4..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(AppError::new(
            ErrorCode::InvalidPin,
            "a PIN is 4 to 8 digits",
        ))
    }
}

/// The operators of the shop, over the ledger and a clock.
#[derive(Debug, Clone, Copy)]
pub struct Operators<'a> {
    ledger: &'a Ledger,
    clock: &'a dyn Clock,
    cost: PinCost,
}

impl<'a> Operators<'a> {
    /// The service; production passes [`PinCost::OWASP`].
    pub fn new(ledger: &'a Ledger, clock: &'a dyn Clock, cost: PinCost) -> Self {
        Operators {
            ledger,
            clock,
            cost,
        }
    }

    /// Whether the first start still has to create the owner.
    pub fn setup_needed(&self) -> Result<bool, AppError> {
        Ok(!self.ledger.has_owner().map_err(from_ledger)?)
    }

    /// The first start: creates the owner with the PIN they chose. Refused with
    /// [`ErrorCode::SetupAlreadyDone`] once there is an owner (checked in the writing
    /// transaction). The shop name is the caller's to save with the settings.
    pub fn setup_owner(&self, setup: &OwnerSetup) -> Result<OperatorView, AppError> {
        if !self.setup_needed()? {
            return Err(setup_done());
        }
        let name = check_name(&setup.name)?;
        check_pin_format(&setup.pin)?;
        let hash = self.hash_pin(&setup.pin)?;
        let owner = Operator {
            id: FIRST_OWNER_ID.to_owned(),
            name,
            role: OperatorRole::Owner,
            easysoft_users: FIRST_OWNER_ID.to_owned(),
            active: true,
        };
        self.ledger
            .create_first_owner(&owner, &hash, self.now())
            .map_err(|e| match e {
                LedgerError::OwnerExists => setup_done(),
                other => from_ledger(other),
            })?;
        self.view(&owner.id)
    }

    /// Who may log in here: active owners and cashiers, by id (no secrets).
    pub fn login_choices(&self) -> Result<Vec<OperatorView>, AppError> {
        let now = self.now();
        Ok(self
            .ledger
            .operator_accounts()
            .map_err(from_ledger)?
            .iter()
            .filter(|a| a.operator.active && a.operator.role != OperatorRole::Kiosk)
            .map(|a| view_of(a, now))
            .collect())
    }

    /// Logs an owner or a cashier in at a register with their PIN. A wrong PIN is counted; the
    /// fifth in a row locks the account for 15 minutes ([`ErrorCode::OperatorLocked`]); a right
    /// one starts the count again.
    pub fn login(&self, request: &LoginRequest, register_id: &str) -> Result<Session, AppError> {
        let account = self
            .ledger
            .operator_account(&request.operator_id)
            .map_err(from_ledger)?
            .filter(|a| a.operator.active)
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::UnknownOperator,
                    format!("{} is not an active operator", request.operator_id),
                )
            })?;
        if account.operator.role == OperatorRole::Kiosk {
            return Err(AppError::new(
                ErrorCode::NotPermitted,
                "a kiosk does not log in with a PIN",
            ));
        }
        check_pin_format(&request.pin)?;
        let now = self.now();
        if account.is_locked(now) {
            return Err(locked(&account, now));
        }
        let Some(hash) = account.pin_hash.as_deref() else {
            return Err(AppError::new(
                ErrorCode::NotPermitted,
                format!("{} has no PIN yet; the owner sets one", account.operator.id),
            ));
        };
        if verify_pin(hash, &request.pin)? {
            self.ledger
                .pin_succeeded(&account.operator.id, now)
                .map_err(from_ledger)?;
            return Ok(Session {
                operator: self.view(&account.operator.id)?,
                register_id: register_id.to_owned(),
            });
        }
        Err(self.wrong_pin(&account, now)?)
    }

    /// Checks the owner PIN typed to leave kiosk mode: it may be any active owner's. A wrong one
    /// counts against every owner it was tried on, so the kiosk cannot be used to guess.
    pub fn check_owner_pin(&self, pin: &str) -> Result<OperatorView, AppError> {
        check_pin_format(pin)?;
        let now = self.now();
        let owners: Vec<OperatorAccount> = self
            .ledger
            .operator_accounts()
            .map_err(from_ledger)?
            .into_iter()
            .filter(|a| {
                a.operator.active && a.operator.role == OperatorRole::Owner && a.pin_hash.is_some()
            })
            .collect();
        let open: Vec<&OperatorAccount> = owners.iter().filter(|a| !a.is_locked(now)).collect();
        if open.is_empty() {
            return Err(match owners.first() {
                Some(owner) => locked(owner, now),
                None => AppError::new(ErrorCode::NotPermitted, "the shop has no owner yet"),
            });
        }
        for owner in &open {
            let Some(hash) = owner.pin_hash.as_deref() else {
                continue;
            };
            if verify_pin(hash, pin)? {
                self.ledger
                    .pin_succeeded(&owner.operator.id, now)
                    .map_err(from_ledger)?;
                return self.view(&owner.operator.id);
            }
        }
        let mut last = None;
        for owner in &open {
            last = Some(self.wrong_pin(owner, now)?);
        }
        Err(last.unwrap_or_else(|| AppError::new(ErrorCode::WrongPin, "wrong PIN")))
    }

    /// Every operator, kiosks and inactive ones included (owner only).
    pub fn list(&self, session: &Session) -> Result<Vec<OperatorView>, AppError> {
        require(session, Permission::ManageOperators)?;
        let now = self.now();
        Ok(self
            .ledger
            .operator_accounts()
            .map_err(from_ledger)?
            .iter()
            .map(|a| view_of(a, now))
            .collect())
    }

    /// Adds or changes an operator (owner only). A new owner or cashier who is active needs a
    /// PIN; a kiosk never has one; the last active owner cannot be demoted or deactivated.
    pub fn save(
        &self,
        session: &Session,
        update: &OperatorUpdate,
    ) -> Result<OperatorView, AppError> {
        require(session, Permission::ManageOperators)?;
        check_id(&update.id)?;
        let name = check_name(&update.name)?;
        let existing = self
            .ledger
            .operator_account(&update.id)
            .map_err(from_ledger)?;
        let role = ledger_role(update.role);
        let pin = match (role, update.pin.as_deref()) {
            (OperatorRole::Kiosk, Some(_)) => {
                return Err(AppError::new(
                    ErrorCode::InvalidRequest,
                    "a kiosk sells unattended and has no PIN",
                ))
            }
            (OperatorRole::Kiosk, None) => PinChange::Keep,
            (_, Some(pin)) => {
                check_pin_format(pin)?;
                PinChange::Set(self.hash_pin(pin)?)
            }
            (_, None) => {
                let has_pin = existing.as_ref().is_some_and(|a| {
                    a.operator.role != OperatorRole::Kiosk && a.pin_hash.is_some()
                });
                if update.active && !has_pin {
                    return Err(AppError::new(
                        ErrorCode::InvalidPin,
                        format!("{} logs in, so they need a PIN (4 to 8 digits)", update.id),
                    ));
                }
                PinChange::Keep
            }
        };
        let operator = Operator {
            id: update.id.clone(),
            name,
            role,
            easysoft_users: existing
                .as_ref()
                .map(|a| a.operator.easysoft_users.clone())
                .unwrap_or_else(|| update.id.clone()),
            active: update.active,
        };
        self.ledger
            .save_operator(&operator, &pin, self.now(), &session.actor())
            .map_err(|e| match e {
                LedgerError::LastOwner => AppError::new(
                    ErrorCode::InvalidRequest,
                    "the shop must keep at least one active owner",
                ),
                other => from_ledger(other),
            })?;
        self.view(&operator.id)
    }

    /// Unlocks an account locked by wrong PINs (owner only).
    pub fn unlock(&self, session: &Session, operator_id: &str) -> Result<OperatorView, AppError> {
        require(session, Permission::ManageOperators)?;
        self.ledger
            .unlock_operator(operator_id, self.now(), &session.actor())
            .map_err(from_ledger)?;
        self.view(operator_id)
    }

    /// Makes sure the kiosk operator of a register exists (id = the register's id, role kiosk,
    /// no PIN, Easysoft `users` = the register's name) and returns the kiosk's session. A kiosk
    /// operator the owner deactivated stays deactivated: the kiosk must not sell.
    pub fn kiosk_operator(&self, register_id: &str, name: &str) -> Result<Session, AppError> {
        check_id(register_id)?;
        let name = check_name(name)?;
        let existing = self
            .ledger
            .operator_account(register_id)
            .map_err(from_ledger)?;
        match existing.as_ref().map(|a| &a.operator) {
            Some(operator) if operator.role != OperatorRole::Kiosk => {
                return Err(AppError::new(
                    ErrorCode::InvalidRequest,
                    format!("{register_id} is a person's login, not a kiosk"),
                ))
            }
            Some(operator) if !operator.active => {
                return Err(AppError::new(
                    ErrorCode::UnknownOperator,
                    format!("the owner deactivated kiosk {register_id}"),
                ))
            }
            Some(operator) if operator.name == name && operator.easysoft_users == name => {}
            _ => {
                let kiosk = Operator {
                    id: register_id.to_owned(),
                    name: name.clone(),
                    role: OperatorRole::Kiosk,
                    easysoft_users: name.clone(),
                    active: true,
                };
                self.ledger
                    .save_operator(&kiosk, &PinChange::Keep, self.now(), &kiosk.actor())
                    .map_err(from_ledger)?;
            }
        }
        Ok(Session {
            operator: self.view(register_id)?,
            register_id: register_id.to_owned(),
        })
    }

    /// The session again as the ledger has it now (role changed, deactivated since login):
    /// [`ErrorCode::NotLoggedIn`] when the operator may no longer be logged in.
    pub fn refresh(&self, session: &Session) -> Result<Session, AppError> {
        let account = self
            .ledger
            .operator_account(&session.operator.id)
            .map_err(from_ledger)?
            .filter(|a| a.operator.active)
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::NotLoggedIn,
                    format!("{} may no longer be logged in", session.operator.id),
                )
            })?;
        Ok(Session {
            operator: view_of(&account, self.now()),
            register_id: session.register_id.clone(),
        })
    }

    fn now(&self) -> UnixMillis {
        self.clock.now()
    }

    fn view(&self, id: &str) -> Result<OperatorView, AppError> {
        let account = self
            .ledger
            .operator_account(id)
            .map_err(from_ledger)?
            .ok_or_else(|| {
                AppError::new(ErrorCode::UnknownOperator, format!("no operator {id}"))
            })?;
        Ok(view_of(&account, self.now()))
    }

    fn wrong_pin(&self, account: &OperatorAccount, now: UnixMillis) -> Result<AppError, AppError> {
        let failure = self
            .ledger
            .pin_failed(
                &account.operator.id,
                PIN_LOCKOUT,
                now,
                &account.operator.actor(),
            )
            .map_err(from_ledger)?;
        Ok(match failure.locked_until {
            Some(until) => AppError::new(
                ErrorCode::OperatorLocked,
                format!(
                    "{} wrong PINs: {} is locked for {} minutes",
                    PIN_LOCKOUT.after,
                    account.operator.id,
                    minutes_left(until, now)
                ),
            ),
            None => AppError::new(
                ErrorCode::WrongPin,
                format!(
                    "wrong PIN ({} of {} before the account locks)",
                    failure.failed_pins, PIN_LOCKOUT.after
                ),
            ),
        })
    }

    fn hash_pin(&self, pin: &str) -> Result<String, AppError> {
        let params = Params::new(
            self.cost.memory_kib,
            self.cost.iterations,
            self.cost.parallelism,
            None,
        )
        .map_err(|e| internal(format!("argon2 parameters: {e}")))?;
        let salt = SaltString::generate(&mut OsRng);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(pin.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| internal(format!("argon2: {e}")))
    }
}

/// Whether `pin` matches a stored PHC string (its own parameters and salt are used).
fn verify_pin(hash: &str, pin: &str) -> Result<bool, AppError> {
    let parsed = PasswordHash::new(hash).map_err(|e| internal(format!("stored PIN hash: {e}")))?;
    if parsed.algorithm != Algorithm::Argon2id.ident() {
        return Err(internal("a stored PIN hash is not argon2id"));
    }
    match Argon2::default().verify_password(pin.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(e) => Err(internal(format!("argon2: {e}"))),
    }
}

fn minutes_left(until: UnixMillis, now: UnixMillis) -> i64 {
    (until - now + 59_999) / 60_000
}

fn locked(account: &OperatorAccount, now: UnixMillis) -> AppError {
    let until = account.locked_until.unwrap_or(now);
    AppError::new(
        ErrorCode::OperatorLocked,
        format!(
            "{} is locked after too many wrong PINs; try again in {} minutes or ask the owner",
            account.operator.id,
            minutes_left(until, now)
        ),
    )
}

fn setup_done() -> AppError {
    AppError::new(ErrorCode::SetupAlreadyDone, "the shop already has an owner")
}

fn check_id(id: &str) -> Result<(), AppError> {
    if (1..=32).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Ok(())
    } else {
        Err(AppError::new(
            ErrorCode::InvalidRequest,
            format!("{id:?} is not an id (1 to 32 letters, digits, - and _)"),
        ))
    }
}

fn check_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(AppError::new(
            ErrorCode::InvalidRequest,
            "a name is 1 to 64 characters",
        ));
    }
    Ok(name.to_owned())
}

/// The IPC role of a ledger role.
pub fn view_role(role: OperatorRole) -> Role {
    match role {
        OperatorRole::Owner => Role::Owner,
        OperatorRole::Cashier => Role::Cashier,
        OperatorRole::Kiosk => Role::Kiosk,
    }
}

/// The ledger role of an IPC role.
pub fn ledger_role(role: Role) -> OperatorRole {
    match role {
        Role::Owner => OperatorRole::Owner,
        Role::Cashier => OperatorRole::Cashier,
        Role::Kiosk => OperatorRole::Kiosk,
    }
}

fn view_of(account: &OperatorAccount, now: UnixMillis) -> OperatorView {
    OperatorView {
        id: account.operator.id.clone(),
        name: account.operator.name.clone(),
        role: view_role(account.operator.role),
        active: account.operator.active,
        locked: account.is_locked(now),
    }
}

fn internal(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::Internal, message)
}

/// A ledger failure as the UI sees it: bad input stays a request problem, the rest is internal.
pub(crate) fn from_ledger(error: LedgerError) -> AppError {
    match error {
        LedgerError::Invalid(message) => AppError::new(ErrorCode::InvalidRequest, message),
        LedgerError::NotFound { what, id } => AppError::new(
            ErrorCode::InvalidRequest,
            format!("{what} {id} does not exist"),
        ),
        LedgerError::OwnerExists => setup_done(),
        LedgerError::LastOwner => AppError::new(
            ErrorCode::InvalidRequest,
            "the shop must keep at least one active owner",
        ),
        LedgerError::SelfCheck(message) => AppError::new(ErrorCode::LedgerUnavailable, message),
        other => internal(other.to_string()),
    }
}
