//! The hub's PostgreSQL: the connection pool, the schema, enrolment and authentication.
//!
//! The schema is a list of migrations in code, applied by `refinery` in one transaction while
//! holding an advisory lock, so two hubs starting at once against one database do not race.
//! Never edit a migration that has shipped: add `V2__…`.

use std::str::FromStr;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use termdee_domain::UnixMillis;
use tokio_postgres::NoTls;

use crate::error::{HubError, Result};
use crate::token;
use crate::wire::valid_register_id;

/// Version 1 of the hub's schema.
const V1: &str = r#"
-- Registers the owner enrolled, with their sync cursor and health.
CREATE TABLE registers (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    -- SHA-256 of the register token and of its callback path secret (token.rs).
    token_hash      BYTEA NOT NULL UNIQUE,
    callback_hash   BYTEA NOT NULL,
    enrolled_at     BIGINT NOT NULL,
    -- Every outbox entry up to here is stored; the next accepted one is applied_seq + 1.
    applied_seq     BIGINT NOT NULL DEFAULT 0 CHECK (applied_seq >= 0),
    -- The register's newest outbox seq, as it last told.
    head_seq        BIGINT NOT NULL DEFAULT 0,
    last_seen_at    BIGINT,
    last_push_at    BIGINT,
    -- What the register reports about itself (provider balances, version).
    report          JSONB NOT NULL DEFAULT '{}',
    -- The register's own row from its ledger.
    info            JSONB
);

CREATE TABLE owner_tokens (
    token_hash  BYTEA PRIMARY KEY,
    label       TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- Every outbox entry stored, once: the proof of "no duplicate, no gap" per register.
CREATE TABLE received (
    register_id  TEXT NOT NULL REFERENCES registers(id),
    seq          BIGINT NOT NULL CHECK (seq >= 1),
    kind         TEXT NOT NULL,
    key          TEXT NOT NULL,
    stored_at    BIGINT NOT NULL,
    PRIMARY KEY (register_id, seq)
);

CREATE TABLE operators (
    register_id   TEXT NOT NULL REFERENCES registers(id),
    id            TEXT NOT NULL,
    name          TEXT NOT NULL,
    -- Owner, cashier or kiosk. The ledger's PIN hash and lockout never come here.
    role          TEXT NOT NULL,
    active        BOOLEAN NOT NULL,
    snapshot      JSONB NOT NULL,
    snapshot_seq  BIGINT NOT NULL,
    PRIMARY KEY (register_id, id)
);

-- Each register's sales as its ledger holds them. The typed columns are what reports read; the
-- snapshot keeps every column the register sent, including ones this hub does not know yet.
CREATE TABLE sales (
    register_id     TEXT NOT NULL REFERENCES registers(id),
    id              TEXT NOT NULL,
    operator_id     TEXT NOT NULL,
    network         TEXT NOT NULL,
    payment_method  TEXT NOT NULL,
    provider        TEXT,
    state           TEXT NOT NULL,
    day             DATE NOT NULL,
    amount          BIGINT NOT NULL,
    received        BIGINT NOT NULL,
    delivered       BIGINT NOT NULL,
    refunded        BIGINT NOT NULL,
    cost            BIGINT NOT NULL DEFAULT 0,
    attention       TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    -- The register's outbox seq this snapshot is as of: an older one never overwrites a newer.
    snapshot_seq    BIGINT NOT NULL,
    snapshot        JSONB NOT NULL,
    PRIMARY KEY (register_id, id)
);
-- Covers every report (GROUP BY key, state over a range of days) without touching the table.
CREATE INDEX sales_report ON sales (day, operator_id, state)
    INCLUDE (amount, received, delivered, refunded, cost, network, payment_method, provider,
             register_id);
-- The health page's counts of unfinished sales.
CREATE INDEX sales_unresolved ON sales (register_id, state)
    WHERE state IN ('needs_attention', 'refund_due', 'awaiting_payment', 'paid', 'topup_pending')
       OR attention IS NOT NULL;

CREATE TABLE events (
    register_id  TEXT NOT NULL REFERENCES registers(id),
    seq          BIGINT NOT NULL,
    sale_id      TEXT,
    at           BIGINT NOT NULL,
    actor_kind   TEXT NOT NULL,
    actor_id     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    from_state   TEXT,
    to_state     TEXT,
    snapshot     JSONB NOT NULL,
    PRIMARY KEY (register_id, seq)
);
CREATE INDEX events_by_sale ON events (register_id, sale_id, seq);

-- Provider callbacks received for a register, byte for byte, stored before the provider is
-- answered; kept (and shown) whatever the register makes of them.
CREATE TABLE relayed_callbacks (
    id                 BIGSERIAL PRIMARY KEY,
    register_id        TEXT NOT NULL REFERENCES registers(id),
    provider           TEXT NOT NULL,
    content_type       TEXT,
    body               BYTEA NOT NULL,
    received_at        BIGINT NOT NULL,
    order_ref          TEXT,
    parse_error        TEXT,
    reply_status       INTEGER NOT NULL,
    reply_body         TEXT NOT NULL,
    deliveries         INTEGER NOT NULL DEFAULT 0,
    last_delivered_at  BIGINT,
    acked_at           BIGINT,
    verdict            TEXT,
    sale_id            TEXT
);
CREATE INDEX relayed_waiting ON relayed_callbacks (register_id, id) WHERE acked_at IS NULL;
"#;

/// Every migration, oldest first: (refinery name, SQL).
const MIGRATIONS: [(&str, &str); 1] = [("V1__hub", V1)];

/// An arbitrary constant naming the hub's migration lock (`pg_advisory_lock`).
const MIGRATION_LOCK: i64 = 0x7465_726d_6465_6501;

/// The hub's database.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    config: tokio_postgres::Config,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The configuration may hold a password: show only where it points.
        f.debug_struct("Store")
            .field("hosts", &self.config.get_hosts())
            .field("dbname", &self.config.get_dbname())
            .field("pool", &self.pool.status())
            .finish()
    }
}

/// A register just enrolled: its secrets, shown once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    /// The register.
    pub register_id: String,
    /// Its token (`tdr_…`), for the register's hub settings.
    pub token: String,
    /// The secret in its callback URLs (derived from the token).
    pub callback_token: String,
}

impl Store {
    /// A pool of up to `size` connections to `url` (libpq key=value or `postgres://` URL).
    /// Connections are opened on first use.
    pub fn connect(url: &str, size: usize) -> Result<Store> {
        let config =
            tokio_postgres::Config::from_str(url).map_err(|e| HubError::Config(e.to_string()))?;
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(size.max(1))
            .build()
            .map_err(|e| HubError::Config(e.to_string()))?;
        Ok(Store { pool, config })
    }

    /// Brings the schema up to date (idempotent; safe with several hubs starting at once).
    pub async fn migrate(&self) -> Result<()> {
        let (mut client, connection) = self.config.connect(NoTls).await?;
        let driver = tokio::spawn(connection);
        client
            .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        let migrations = MIGRATIONS
            .iter()
            .map(|(name, sql)| refinery::Migration::unapplied(name, sql))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let mut runner = refinery::Runner::new(&migrations).set_grouped(true);
        runner.set_migration_table_name("hub_schema_history");
        let outcome = runner.run_async(&mut client).await;
        // The lock goes with the session anyway; release it politely first.
        let _ = client
            .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
            .await;
        drop(client);
        let _ = driver.await;
        outcome?;
        Ok(())
    }

    /// A pooled connection.
    pub(crate) async fn client(&self) -> Result<Object> {
        Ok(self.pool.get().await?)
    }

    /// Closes the pool: every idle connection now, busy ones when returned.
    pub fn close(&self) {
        self.pool.close();
    }

    /// Whether PostgreSQL answers.
    pub async fn ping(&self) -> Result<()> {
        self.client().await?.simple_query("SELECT 1").await?;
        Ok(())
    }

    /// Enrols `register_id` (or rotates its token): the old token, if any, stops working now.
    /// `name` is shown to the owner (default: the id; a rotation keeps the name unless given).
    pub async fn enroll(
        &self,
        register_id: &str,
        name: Option<&str>,
        now: UnixMillis,
    ) -> Result<Enrolment> {
        if !valid_register_id(register_id) {
            return Err(HubError::Invalid(format!(
                "{register_id:?} cannot name a register: use 1 to 64 of A-Z a-z 0-9 . _ -"
            )));
        }
        let token = token::issue(token::REGISTER_PREFIX);
        let callback_token = token::callback_token(&token);
        let token_hash = token::hash(&token).to_vec();
        let callback_hash = token::hash(&callback_token).to_vec();
        self.client()
            .await?
            .execute(
                "INSERT INTO registers (id, name, token_hash, callback_hash, enrolled_at)
                 VALUES ($1, COALESCE($2, $1), $3, $4, $5)
                 ON CONFLICT (id) DO UPDATE SET name = COALESCE($2, registers.name),
                     token_hash = EXCLUDED.token_hash, callback_hash = EXCLUDED.callback_hash",
                &[&register_id, &name, &token_hash, &callback_hash, &now],
            )
            .await?;
        Ok(Enrolment {
            register_id: register_id.to_owned(),
            token,
            callback_token,
        })
    }

    /// Issues an owner token (shown once; only its hash is kept).
    pub async fn issue_owner_token(&self, label: &str, now: UnixMillis) -> Result<String> {
        let token = token::issue(token::OWNER_PREFIX);
        self.client()
            .await?
            .execute(
                "INSERT INTO owner_tokens (token_hash, label, created_at) VALUES ($1, $2, $3)",
                &[&token::hash(&token).to_vec(), &label, &now],
            )
            .await?;
        Ok(token)
    }

    /// The register a token belongs to.
    pub async fn register_of_token(&self, token: &str) -> Result<Option<String>> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT id FROM registers WHERE token_hash = $1",
                &[&token::hash(token).to_vec()],
            )
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    /// Whether a token is an owner token.
    pub async fn is_owner_token(&self, token: &str) -> Result<bool> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT 1 FROM owner_tokens WHERE token_hash = $1",
                &[&token::hash(token).to_vec()],
            )
            .await?;
        Ok(row.is_some())
    }

    /// Whether `callback_token` is the callback secret of `register_id`.
    pub async fn callback_token_matches(
        &self,
        register_id: &str,
        callback_token: &str,
    ) -> Result<bool> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT callback_hash FROM registers WHERE id = $1",
                &[&register_id],
            )
            .await?;
        Ok(row.is_some_and(|row| {
            let stored: Vec<u8> = row.get(0);
            token::same_digest(&stored, &token::hash(callback_token))
        }))
    }

    /// Records an authenticated contact from a register.
    pub async fn seen(&self, register_id: &str, now: UnixMillis) -> Result<()> {
        self.client()
            .await?
            .execute(
                "UPDATE registers SET last_seen_at = GREATEST(COALESCE(last_seen_at, 0), $2)
                 WHERE id = $1",
                &[&register_id, &now],
            )
            .await?;
        Ok(())
    }
}
