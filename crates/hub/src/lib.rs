//! # termdee-hub — many kiosks, one owner view, on PostgreSQL
//!
//! Each Termdee register (a kiosk machine or a counter) sells from its own SQLite ledger and
//! keeps selling when the network is down. An owner with several of them wants one view, and a
//! kiosk behind a shop's NAT cannot receive a provider's callback at all. `termdee hub` is the
//! headless server that solves both, on PostgreSQL:
//!
//! - **Sync** ([`ingest`]). A register's ledger writes every change into a transactional outbox
//!   (same SQLite transaction as the sale, numbered per register without holes). The register's
//!   sender (in `termdee-app`) pushes batches; the hub stores them idempotently, deduplicated on
//!   (register, seq), strictly in order, and answers how far it holds so the register advances
//!   only on that acknowledgement. A batch past a hole is refused from the hole on and the reply
//!   names it. Rows travel as snapshots of the register's current row (all columns, as JSON), so
//!   columns added to the ledger later flow through without a hub release.
//! - **Callback relay** ([`relay`], [`replies`]). Providers' callback URLs point at the hub's
//!   public HTTPS address, `/relay/<register>/callback/<provider>/<secret>`. The hub stores the
//!   raw callback, answers the provider exactly as it expects (using the provider clients' own
//!   parsers), and the register picks it up over its outbound long poll and applies it through
//!   the same verification path as a local callback. Nothing is dropped: unknown orders,
//!   unreadable bodies and forgeries stay visible with the register's verdict.
//! - **Owner view** ([`owner`], [`server`], `page`). The same reports as one register — computed
//!   by `GROUP BY key, state` in PostgreSQL and [`termdee_domain::report::fold`] in Rust — across
//!   registers, as JSON and as a server-rendered page in Thai and English; plus each register's
//!   health (last seen, outbox backlog, provider balances, unresolved sales, waiting callbacks).
//!
//! Main types: [`Store`] (the database: pool, migrations, enrolment, sync, relay, reports),
//! [`Hub`] (the axum server over a store and a clock), the [`wire`] types shared with
//! registers, [`token`] (per-register and owner tokens, hashed at rest), and [`cluster`] (a
//! throwaway PostgreSQL from Debian's package, for tests and benchmarks).
//!
//! The key decision: **the register's outbox sequence is the unit of truth.** The hub never
//! guesses what a register meant; it stores entry `n + 1` only after entry `n`, each exactly
//! once, and every figure the owner sees is recomputed from the rows those entries carried. The
//! proof (tests against a real PostgreSQL) is that the hub's totals equal the sum of the
//! registers' ledgers, through kills, replays, reordering, restarts and a week offline.
//!
//! Without the default `server` feature only [`wire`] and [`token`] are built: that is what a
//! register needs, without a PostgreSQL client.
#![deny(missing_docs)]

pub mod token;
pub mod wire;

#[cfg(feature = "server")]
pub mod cluster;
#[cfg(feature = "server")]
mod error;
#[cfg(feature = "server")]
pub mod ingest;
#[cfg(feature = "server")]
pub mod owner;
#[cfg(feature = "server")]
mod page;
#[cfg(feature = "server")]
pub mod relay;
#[cfg(feature = "server")]
pub mod replies;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "server")]
mod store;

#[cfg(feature = "server")]
pub use error::{HubError, Result};
#[cfg(feature = "server")]
pub use ingest::{IngestHook, NoHook};
#[cfg(feature = "server")]
pub use server::{Hub, HubOptions};
#[cfg(feature = "server")]
pub use store::{Enrolment, Store};
