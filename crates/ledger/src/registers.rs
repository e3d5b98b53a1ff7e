//! Registers: kiosk machines and counters.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use termdee_domain::UnixMillis;

use crate::{Ledger, Result};

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

impl Ledger {
    /// Adds a register, or renames it.
    pub fn upsert_register(&self, register: &Register, at: UnixMillis) -> Result<()> {
        self.write("upsert_register", |tx| {
            tx.execute(
                "INSERT INTO registers (id, name, kind, created_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind",
                params![register.id, register.name, register.kind.code(), at],
            )?;
            Ok(())
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
