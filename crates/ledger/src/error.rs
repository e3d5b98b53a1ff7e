//! What can go wrong in the ledger.

use termdee_domain::{IllegalTransition, SaleState};

/// A ledger failure. `Conflict` and `Illegal` mean "nothing was written".
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// SQLite refused or failed.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A migration failed.
    #[error("migration: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// The start-up self-check failed: the ledger must not sell.
    #[error("the ledger failed its self-check: {0}")]
    SelfCheck(String),
    /// The state machine does not allow this.
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
    /// The sale was not in the state the caller expected (someone else moved it first).
    #[error("sale {sale} is {found}, not {expected}")]
    Conflict {
        /// The sale.
        sale: String,
        /// What the caller expected.
        expected: String,
        /// What the ledger holds.
        found: SaleState,
    },
    /// No such row.
    #[error("{what} {id} does not exist")]
    NotFound {
        /// Which table.
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// A value read back from the database is not one Termdee writes.
    #[error("corrupt value in {column}: {value:?}")]
    Corrupt {
        /// Where.
        column: &'static str,
        /// What.
        value: String,
    },
    /// A key was already used (idempotency keys are used once, forever).
    #[error("the key {key} of {provider} was already used")]
    KeyReused {
        /// The provider.
        provider: String,
        /// The key.
        key: String,
    },
    /// The caller's input was not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// The first start was already done: the shop has an owner.
    #[error("the shop already has an owner")]
    OwnerExists,
    /// The shared `COMMIT` of the group this transaction was in failed (or SQLite rolled the
    /// group back): nothing of the transaction was written.
    #[error("the group commit failed, nothing was written: {0}")]
    GroupFailed(String),
    /// The change would leave the shop without an active owner who can log in.
    #[error("the shop must keep at least one active owner")]
    LastOwner,
}

/// Short form.
pub type Result<T, E = LedgerError> = std::result::Result<T, E>;
