//! Operators: who sells (the owner, a cashier login, a kiosk machine), their PIN hash, and the
//! lockout after wrong PINs.
//!
//! The ledger stores the PIN only as the argon2id PHC string the app computed (the schema refuses
//! anything else) and never hands it out with an [`Operator`]: only [`OperatorAccount`], read by
//! the login code, carries it. The rules that must hold under concurrent writers — one first
//! owner, never zero active owners, a lock after too many wrong PINs — are checked inside the
//! same `BEGIN IMMEDIATE` transaction as the write.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use termdee_domain::{Actor, ActorKind, UnixMillis};

use crate::{events, Ledger, LedgerError, Result};

/// What an operator may do (the app maps each role to its permissions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OperatorRole {
    /// The shop owner: settings, operators, every report; always has a PIN.
    Owner,
    /// A person at a counter, logging in with a PIN.
    Cashier,
    /// A kiosk machine selling on its own; never has a PIN.
    Kiosk,
}

impl OperatorRole {
    /// The code stored in the ledger.
    pub fn code(self) -> &'static str {
        match self {
            OperatorRole::Owner => "owner",
            OperatorRole::Cashier => "cashier",
            OperatorRole::Kiosk => "kiosk",
        }
    }

    fn parse(code: &str) -> Option<Self> {
        Some(match code {
            "owner" => OperatorRole::Owner,
            "cashier" => OperatorRole::Cashier,
            "kiosk" => OperatorRole::Kiosk,
            _ => return None,
        })
    }

    /// The kind of actor this operator is in the event log.
    pub fn actor_kind(self) -> ActorKind {
        match self {
            OperatorRole::Owner => ActorKind::Owner,
            OperatorRole::Cashier => ActorKind::Cashier,
            OperatorRole::Kiosk => ActorKind::Kiosk,
        }
    }
}

/// Who sells: the owner, a cashier login or a kiosk machine (no secrets here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Operator {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Owner, cashier or kiosk.
    pub role: OperatorRole,
    /// The value sent in Easysoft's `users` for this operator's refills.
    pub easysoft_users: String,
    /// Whether the operator may log in and sell.
    pub active: bool,
}

impl Operator {
    /// The actor this operator is when they cause a change.
    pub fn actor(&self) -> Actor {
        Actor::new(self.role.actor_kind(), self.id.clone())
    }
}

/// An operator with what login needs: the PIN hash and the lockout state.
#[derive(Clone, PartialEq, Eq)]
pub struct OperatorAccount {
    /// The operator.
    pub operator: Operator,
    /// The argon2id PHC string, if a PIN is set.
    pub pin_hash: Option<String>,
    /// Wrong PINs in a row since the last success, unlock or lock.
    pub failed_pins: i64,
    /// Locked until then (Unix ms), after too many wrong PINs.
    pub locked_until: Option<UnixMillis>,
}

impl std::fmt::Debug for OperatorAccount {
    /// Never prints the hash: it is not the PIN, but it is what an attacker would brute-force.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperatorAccount")
            .field("operator", &self.operator)
            .field("pin_hash", &self.pin_hash.as_ref().map(|_| "***"))
            .field("failed_pins", &self.failed_pins)
            .field("locked_until", &self.locked_until)
            .finish()
    }
}

impl OperatorAccount {
    /// Whether the account is locked at `now`.
    pub fn is_locked(&self, now: UnixMillis) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }
}

/// What happens to an operator's PIN when it is saved.
#[derive(Clone, PartialEq, Eq)]
pub enum PinChange {
    /// Keep the stored hash (a kiosk's is always cleared).
    Keep,
    /// Store this argon2id PHC string.
    Set(String),
}

impl std::fmt::Debug for PinChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PinChange::Keep => f.write_str("Keep"),
            PinChange::Set(_) => f.write_str("Set(***)"),
        }
    }
}

/// When wrong PINs lock an account, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinLockout {
    /// Wrong PINs in a row that lock the account.
    pub after: i64,
    /// How long it stays locked (ms).
    pub for_ms: i64,
}

/// What a wrong PIN did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinFailure {
    /// Wrong PINs in a row now (0 once this one locked the account).
    pub failed_pins: i64,
    /// Set when this wrong PIN locked the account.
    pub locked_until: Option<UnixMillis>,
}

const OPERATOR_COLUMNS: &str =
    "id, name, role, easysoft_users, active, pin_hash, failed_pins, locked_until";

fn row_to_account(r: &rusqlite::Row<'_>) -> rusqlite::Result<OperatorAccount> {
    let role: String = r.get(2)?;
    Ok(OperatorAccount {
        operator: Operator {
            id: r.get(0)?,
            name: r.get(1)?,
            role: OperatorRole::parse(&role).ok_or_else(|| {
                rusqlite::Error::FromSqlConversionFailure(
                    2,
                    rusqlite::types::Type::Text,
                    format!("unexpected operators.role {role:?}").into(),
                )
            })?,
            easysoft_users: r.get(3)?,
            active: r.get(4)?,
        },
        pin_hash: r.get(5)?,
        failed_pins: r.get(6)?,
        locked_until: r.get(7)?,
    })
}

fn load_account(c: &Connection, id: &str) -> Result<Option<OperatorAccount>> {
    Ok(c.prepare_cached(&format!(
        "SELECT {OPERATOR_COLUMNS} FROM operators WHERE id = ?1"
    ))?
    .query_row([id], row_to_account)
    .optional()?)
}

/// Active owners who can log in (with a PIN).
fn active_owners(c: &Connection) -> Result<i64> {
    Ok(c.prepare_cached(
        "SELECT COUNT(*) FROM operators
             WHERE role = 'owner' AND active = 1 AND pin_hash IS NOT NULL",
    )?
    .query_row([], |r| r.get(0))?)
}

fn check_users(operator: &Operator) -> Result<()> {
    if operator.easysoft_users.trim().is_empty() {
        return Err(LedgerError::Invalid(format!(
            "operator {} needs an Easysoft users value",
            operator.id
        )));
    }
    Ok(())
}

/// Inserts or updates an operator with its PIN (`Keep` keeps the stored hash; a kiosk's is
/// always cleared), refusing to leave a shop that had an active owner without one. Returns the
/// operator as it was before.
fn write_operator(
    tx: &Connection,
    operator: &Operator,
    pin: &PinChange,
    at: UnixMillis,
) -> Result<Option<OperatorAccount>> {
    let before = load_account(tx, &operator.id)?;
    let owners_before = active_owners(tx)?;
    let pin_hash = match (operator.role, pin) {
        (OperatorRole::Kiosk, _) => None,
        (_, PinChange::Set(hash)) => Some(hash.clone()),
        (_, PinChange::Keep) => before.as_ref().and_then(|b| b.pin_hash.clone()),
    };
    tx.prepare_cached(
        "INSERT INTO operators (id, name, role, easysoft_users, pin_hash, active, created_at,
             updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role,
             easysoft_users = excluded.easysoft_users, pin_hash = excluded.pin_hash,
             active = excluded.active, updated_at = excluded.updated_at",
    )?
    .execute(params![
        operator.id,
        operator.name,
        operator.role.code(),
        operator.easysoft_users,
        pin_hash,
        operator.active,
        at
    ])?;
    if owners_before > 0 && active_owners(tx)? == 0 {
        return Err(LedgerError::LastOwner);
    }
    Ok(before)
}

impl Ledger {
    /// Adds an operator, or updates its name, role, `users` value and whether it is active; the
    /// PIN hash is left alone (a kiosk's is cleared). For setting up registers and kiosks;
    /// people are managed with [`Ledger::save_operator`]. Refused when it would leave a shop that
    /// had an active owner without one.
    pub fn upsert_operator(&self, operator: &Operator, at: UnixMillis) -> Result<()> {
        check_users(operator)?;
        self.write("upsert_operator", |tx| {
            write_operator(tx, operator, &PinChange::Keep, at)?;
            Ok(())
        })
    }

    /// One operator (no secrets).
    pub fn operator(&self, id: &str) -> Result<Option<Operator>> {
        Ok(self.operator_account(id)?.map(|a| a.operator))
    }

    /// Every operator, by id (no secrets).
    pub fn operators(&self) -> Result<Vec<Operator>> {
        Ok(self
            .operator_accounts()?
            .into_iter()
            .map(|a| a.operator)
            .collect())
    }

    /// One operator with its PIN hash and lockout state (for login only).
    pub fn operator_account(&self, id: &str) -> Result<Option<OperatorAccount>> {
        self.read(|c| load_account(c, id))
    }

    /// Every operator with its PIN hash and lockout state, by id (for login only).
    pub fn operator_accounts(&self) -> Result<Vec<OperatorAccount>> {
        self.read(|c| {
            let mut statement = c.prepare_cached(&format!(
                "SELECT {OPERATOR_COLUMNS} FROM operators ORDER BY id"
            ))?;
            let rows = statement
                .query_map([], row_to_account)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
    }

    /// Whether the shop has an owner (the first start is done).
    pub fn has_owner(&self) -> Result<bool> {
        self.read(|c| {
            Ok(
                c.prepare_cached("SELECT 1 FROM operators WHERE role = 'owner' LIMIT 1")?
                    .query_row([], |_| Ok(()))
                    .optional()?
                    .is_some(),
            )
        })
    }

    /// The first start: creates the owner with their PIN hash. Fails with
    /// [`LedgerError::OwnerExists`] if any owner exists — checked in the same `BEGIN IMMEDIATE`
    /// transaction as the insert, so two screens racing through the first start cannot both win.
    pub fn create_first_owner(
        &self,
        owner: &Operator,
        pin_hash: &str,
        at: UnixMillis,
    ) -> Result<()> {
        if owner.role != OperatorRole::Owner {
            return Err(LedgerError::Invalid(
                "the first operator is the owner".into(),
            ));
        }
        check_users(owner)?;
        self.write("create_first_owner", |tx| {
            let exists = tx
                .prepare_cached("SELECT 1 FROM operators WHERE role = 'owner' LIMIT 1")?
                .query_row([], |_| Ok(()))
                .optional()?
                .is_some();
            if exists {
                return Err(LedgerError::OwnerExists);
            }
            tx.prepare_cached(
                "INSERT INTO operators (id, name, role, easysoft_users, pin_hash, active,
                     created_at, updated_at)
                 VALUES (?1, ?2, 'owner', ?3, ?4, 1, ?5, ?5)",
            )?
            .execute(params![
                owner.id,
                owner.name,
                owner.easysoft_users,
                pin_hash,
                at
            ])?;
            events::append(
                tx,
                None,
                at,
                &owner.actor(),
                "owner_created",
                None,
                None,
                &serde_json::json!({ "operator": owner.id, "name": owner.name }),
            )
        })
    }

    /// Adds or changes an operator on the owner's say (`actor`), with its PIN: a kiosk's hash is
    /// always cleared. Refused with [`LedgerError::LastOwner`] when no active owner with a PIN
    /// would be left, checked in the same transaction.
    pub fn save_operator(
        &self,
        operator: &Operator,
        pin: &PinChange,
        at: UnixMillis,
        actor: &Actor,
    ) -> Result<()> {
        check_users(operator)?;
        self.write("save_operator", |tx| {
            let before = write_operator(tx, operator, pin, at)?;
            events::append(
                tx,
                None,
                at,
                actor,
                "operator_saved",
                None,
                None,
                &serde_json::json!({
                    "operator": operator.id, "name": operator.name, "role": operator.role.code(),
                    "active": operator.active, "new": before.is_none(),
                    "pin_changed": matches!(pin, PinChange::Set(_)),
                }),
            )
        })
    }

    /// Counts a wrong PIN; the `lockout.after`-th in a row locks the account for
    /// `lockout.for_ms` (and starts the count again), with an `operator_locked` event.
    pub fn pin_failed(
        &self,
        operator_id: &str,
        lockout: PinLockout,
        at: UnixMillis,
        actor: &Actor,
    ) -> Result<PinFailure> {
        self.write("pin_failed", |tx| {
            let failed: i64 = tx
                .prepare_cached(
                    "UPDATE operators SET failed_pins = failed_pins + 1, updated_at = ?2
                     WHERE id = ?1 RETURNING failed_pins",
                )?
                .query_row(params![operator_id, at], |r| r.get(0))
                .optional()?
                .ok_or_else(|| LedgerError::NotFound {
                    what: "operator",
                    id: operator_id.to_owned(),
                })?;
            if failed < lockout.after {
                return Ok(PinFailure {
                    failed_pins: failed,
                    locked_until: None,
                });
            }
            let until = at + lockout.for_ms;
            tx.prepare_cached(
                "UPDATE operators SET failed_pins = 0, locked_until = ?2 WHERE id = ?1",
            )?
            .execute(params![operator_id, until])?;
            events::append(
                tx,
                None,
                at,
                actor,
                "operator_locked",
                None,
                None,
                &serde_json::json!({ "operator": operator_id, "wrong_pins": failed, "until": until }),
            )?;
            Ok(PinFailure {
                failed_pins: 0,
                locked_until: Some(until),
            })
        })
    }

    /// A right PIN: the count of wrong ones starts again.
    pub fn pin_succeeded(&self, operator_id: &str, at: UnixMillis) -> Result<()> {
        self.write("pin_succeeded", |tx| {
            tx.prepare_cached(
                "UPDATE operators SET failed_pins = 0, locked_until = NULL, updated_at = ?2
                 WHERE id = ?1 AND (failed_pins <> 0 OR locked_until IS NOT NULL)",
            )?
            .execute(params![operator_id, at])?;
            Ok(())
        })
    }

    /// The owner unlocks an account locked by wrong PINs.
    pub fn unlock_operator(&self, operator_id: &str, at: UnixMillis, actor: &Actor) -> Result<()> {
        self.write("unlock_operator", |tx| {
            let changed = tx
                .prepare_cached(
                    "UPDATE operators SET failed_pins = 0, locked_until = NULL, updated_at = ?2
                     WHERE id = ?1",
                )?
                .execute(params![operator_id, at])?;
            if changed == 0 {
                return Err(LedgerError::NotFound {
                    what: "operator",
                    id: operator_id.to_owned(),
                });
            }
            events::append(
                tx,
                None,
                at,
                actor,
                "operator_unlocked",
                None,
                None,
                &serde_json::json!({ "operator": operator_id }),
            )
        })
    }
}

/// One operator row as stored, copied between ledgers.
type OperatorRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<i64>,
    bool,
    i64,
    i64,
);

impl Ledger {
    /// Copies the operators `other` has and this ledger lacks (PIN hashes included), in one
    /// transaction. Leaving demo mode starts a new ledger: the owner and cashiers set up while
    /// trying the demo are the shop's people, and must not have to be set up again.
    pub fn copy_operators_from(&self, other: &Ledger) -> Result<usize> {
        let rows: Vec<OperatorRow> = other.read(|c| {
            let mut statement = c.prepare(
                "SELECT id, name, role, easysoft_users, pin_hash, failed_pins, locked_until,
                        active, created_at, updated_at FROM operators ORDER BY id",
            )?;
            let rows = statement
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                        r.get(9)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<OperatorRow>>>()?;
            Ok(rows)
        })?;
        self.write("copy_operators_from", |tx| {
            let mut copied = 0;
            for row in &rows {
                copied += tx
                    .prepare_cached(
                        "INSERT INTO operators (id, name, role, easysoft_users, pin_hash,
                             failed_pins, locked_until, active, created_at, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                         ON CONFLICT (id) DO NOTHING",
                    )?
                    .execute(params![
                        row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9
                    ])?;
            }
            Ok(copied)
        })
    }
}
