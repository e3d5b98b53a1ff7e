//! Registers (kiosk machines and counters) and operators (cashier logins and kiosks).

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use termdee_domain::UnixMillis;

use crate::{Ledger, LedgerError, Result};

/// What kind of register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegisterKind {
    /// An unattended kiosk terminal.
    Kiosk,
    /// A counter with a cashier.
    Counter,
}

impl RegisterKind {
    fn code(self) -> &'static str {
        match self {
            RegisterKind::Kiosk => "kiosk",
            RegisterKind::Counter => "counter",
        }
    }
}

/// A kiosk machine or a counter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Register {
    /// Stable id (e.g. `kiosk-1`).
    pub id: String,
    /// Shown to the owner.
    pub name: String,
    /// Kiosk or counter.
    pub kind: RegisterKind,
}

/// What kind of operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OperatorKind {
    /// A person logged in at a counter.
    Cashier,
    /// A kiosk machine selling on its own.
    Kiosk,
}

impl OperatorKind {
    fn code(self) -> &'static str {
        match self {
            OperatorKind::Cashier => "cashier",
            OperatorKind::Kiosk => "kiosk",
        }
    }
}

/// Who sells: a cashier login or a kiosk machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Operator {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Cashier or kiosk.
    pub kind: OperatorKind,
    /// The value sent in Easysoft's `users` for this operator's refills.
    pub easysoft_users: String,
    /// Whether the operator may sell.
    pub active: bool,
}

impl Ledger {
    /// Adds a register, or renames it.
    pub fn upsert_register(&self, register: &Register, at: UnixMillis) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO registers (id, name, kind, created_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind",
                params![register.id, register.name, register.kind.code(), at],
            )?;
            Ok(())
        })
    }

    /// Adds an operator, or updates its name, `users` value and whether it is active.
    pub fn upsert_operator(&self, operator: &Operator, at: UnixMillis) -> Result<()> {
        if operator.easysoft_users.trim().is_empty() {
            return Err(LedgerError::Invalid(format!(
                "operator {} needs an Easysoft users value",
                operator.id
            )));
        }
        self.write(|tx| {
            tx.execute(
                "INSERT INTO operators (id, name, kind, easysoft_users, active, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                     easysoft_users = excluded.easysoft_users, active = excluded.active",
                params![
                    operator.id,
                    operator.name,
                    operator.kind.code(),
                    operator.easysoft_users,
                    operator.active,
                    at
                ],
            )?;
            Ok(())
        })
    }

    /// One operator.
    pub fn operator(&self, id: &str) -> Result<Option<Operator>> {
        self.read(|c| {
            c.query_row(
                "SELECT id, name, kind, easysoft_users, active FROM operators WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, bool>(4)?,
                    ))
                },
            )
            .optional()?
            .map(|(id, name, kind, easysoft_users, active)| {
                let kind = match kind.as_str() {
                    "cashier" => OperatorKind::Cashier,
                    "kiosk" => OperatorKind::Kiosk,
                    _ => {
                        return Err(LedgerError::Corrupt {
                            column: "operators.kind",
                            value: kind,
                        })
                    }
                };
                Ok(Operator {
                    id,
                    name,
                    kind,
                    easysoft_users,
                    active,
                })
            })
            .transpose()
        })
    }

    /// Whether a register exists.
    pub fn has_register(&self, id: &str) -> Result<bool> {
        self.read(|c| {
            Ok(
                c.query_row("SELECT 1 FROM registers WHERE id = ?1", [id], |_| Ok(()))
                    .optional()?
                    .is_some(),
            )
        })
    }
}
