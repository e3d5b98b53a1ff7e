//! The schema, as an ordered list of migrations applied in code at start-up.
//!
//! Never edit a migration that has shipped: add a new one. `user_version` records how far a
//! database has come (rusqlite_migration).

use rusqlite_migration::{Migrations, M};

/// Version 1: every table of the first release.
const V1: &str = r#"
CREATE TABLE registers (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('kiosk', 'counter')),
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE operators (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('cashier', 'kiosk')),
    -- What Easysoft's `users` field carries for this operator's refills (easysoft.md §3.1).
    easysoft_users  TEXT NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE shifts (
    id             INTEGER PRIMARY KEY,
    operator_id    TEXT NOT NULL REFERENCES operators(id),
    register_id    TEXT NOT NULL REFERENCES registers(id),
    opened_at      INTEGER NOT NULL,
    closed_at      INTEGER,
    opening_float  INTEGER NOT NULL DEFAULT 0 CHECK (opening_float >= 0),
    counted_cash   INTEGER
) STRICT;
CREATE UNIQUE INDEX shifts_one_open_per_register ON shifts(register_id) WHERE closed_at IS NULL;

-- The sale state machine (termdee_domain::SaleState::can_become), enforced by a trigger too:
-- a bug in the engine cannot move money backwards.
CREATE TABLE sale_transitions (
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    PRIMARY KEY (from_state, to_state)
) STRICT, WITHOUT ROWID;
INSERT INTO sale_transitions VALUES
    ('awaiting_payment', 'paid'), ('awaiting_payment', 'payment_expired'),
    ('awaiting_payment', 'payment_cancelled'),
    ('payment_expired', 'paid'), ('payment_cancelled', 'paid'),
    ('paid', 'topup_pending'), ('paid', 'refund_due'),
    ('topup_pending', 'completed'), ('topup_pending', 'refund_due'),
    ('topup_pending', 'needs_attention'), ('topup_pending', 'paid'),
    ('needs_attention', 'completed'), ('needs_attention', 'refund_due'),
    ('refund_due', 'refunded');

CREATE TABLE sales (
    id              TEXT PRIMARY KEY,
    register_id     TEXT NOT NULL REFERENCES registers(id),
    operator_id     TEXT NOT NULL REFERENCES operators(id),
    shift_id        INTEGER REFERENCES shifts(id),
    network         TEXT NOT NULL,
    phone           TEXT NOT NULL,
    amount          INTEGER NOT NULL CHECK (amount > 0),
    payment_method  TEXT NOT NULL,
    state           TEXT NOT NULL,
    -- Money columns, kept by the same transactions that move the state (satang):
    received        INTEGER NOT NULL DEFAULT 0 CHECK (received >= 0),
    delivered       INTEGER NOT NULL DEFAULT 0 CHECK (delivered >= 0),
    refunded        INTEGER NOT NULL DEFAULT 0 CHECK (refunded >= 0),
    -- The engine's schedule: when to look at this sale again (status query backoff).
    next_check_at   INTEGER,
    -- Set when a person must look (e.g. a second payment arrived for a finished sale).
    attention       TEXT,
    day             TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    CHECK (delivered + refunded <= received)
) STRICT;
-- Covers the daily per-operator report without touching the table.
CREATE INDEX sales_report ON sales(day, operator_id, state, amount, received, delivered, refunded);
-- The counter's "recent numbers" (per operator) and the owner's newest sales.
CREATE INDEX sales_recent_by_operator ON sales(operator_id, created_at);
CREATE INDEX sales_recent ON sales(created_at);
CREATE INDEX sales_open ON sales(state, next_check_at)
    WHERE state IN ('awaiting_payment', 'paid', 'topup_pending');

CREATE TRIGGER sales_legal_transitions BEFORE UPDATE OF state ON sales
WHEN NEW.state <> OLD.state AND NOT EXISTS (
    SELECT 1 FROM sale_transitions WHERE from_state = OLD.state AND to_state = NEW.state)
BEGIN
    SELECT RAISE(ABORT, 'illegal sale transition');
END;

CREATE TABLE payments (
    id             INTEGER PRIMARY KEY,
    sale_id        TEXT NOT NULL REFERENCES sales(id),
    attempt        INTEGER NOT NULL CHECK (attempt >= 1),
    method         TEXT NOT NULL,
    reference      TEXT NOT NULL,
    provider_ref   TEXT,
    amount         INTEGER NOT NULL CHECK (amount > 0),
    state          TEXT NOT NULL CHECK (state IN
                       ('intent', 'open', 'unknown', 'paid', 'expired', 'cancelled', 'failed')),
    expires_at     INTEGER,
    display        TEXT,
    paid_amount    INTEGER,
    paid_at        INTEGER,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (method, reference),
    UNIQUE (sale_id, attempt)
) STRICT;
CREATE INDEX payments_by_provider_ref ON payments(method, provider_ref);
-- Ended provider payments whose QR may still be paid (the engine watches them until expiry).
CREATE INDEX payments_to_watch ON payments(expires_at) WHERE state IN ('expired', 'cancelled');

CREATE TABLE topups (
    id             INTEGER PRIMARY KEY,
    sale_id        TEXT NOT NULL REFERENCES sales(id),
    attempt        INTEGER NOT NULL CHECK (attempt >= 1),
    provider       TEXT NOT NULL,
    reference      TEXT NOT NULL,
    provider_ref   TEXT,
    product        TEXT NOT NULL,
    amount         INTEGER NOT NULL CHECK (amount > 0),
    users          TEXT,
    state          TEXT NOT NULL CHECK (state IN
                       ('intent', 'pending', 'unknown', 'manual', 'succeeded', 'failed', 'rejected')),
    checks         INTEGER NOT NULL DEFAULT 0,
    detail         TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (provider, reference),
    UNIQUE (sale_id, attempt)
) STRICT;
-- Money rule 4 in the schema: at most one delivered top-up per sale, and never a second
-- request while one is unsettled ("never fail over a sale whose outcome is unknown").
CREATE UNIQUE INDEX topups_one_success_per_sale ON topups(sale_id) WHERE state = 'succeeded';
CREATE UNIQUE INDEX topups_one_live_per_sale ON topups(sale_id)
    WHERE state IN ('intent', 'pending', 'unknown', 'manual');
CREATE INDEX topups_by_provider_ref ON topups(provider, provider_ref);

-- Every key that ever left the machine, whatever it was for: a key is used once, forever.
CREATE TABLE idempotency_keys (
    provider    TEXT NOT NULL,
    key         TEXT NOT NULL,
    purpose     TEXT NOT NULL CHECK (purpose IN ('payment', 'topup', 'refund')),
    sale_id     TEXT NOT NULL REFERENCES sales(id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (provider, key)
) STRICT, WITHOUT ROWID;

CREATE TABLE events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    sale_id     TEXT REFERENCES sales(id),
    at          INTEGER NOT NULL,
    actor_kind  TEXT NOT NULL CHECK (actor_kind IN ('cashier', 'kiosk', 'callback', 'poller', 'owner')),
    actor_id    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    from_state  TEXT,
    to_state    TEXT,
    detail      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_by_sale ON events(sale_id, seq);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- Raw provider exchanges, secrets already masked by the transport.
CREATE TABLE exchanges (
    id          INTEGER PRIMARY KEY,
    sale_id     TEXT REFERENCES sales(id),
    provider    TEXT NOT NULL,
    operation   TEXT NOT NULL,
    at          INTEGER NOT NULL,
    request     TEXT NOT NULL,
    outcome     TEXT NOT NULL
) STRICT;
CREATE INDEX exchanges_by_sale ON exchanges(sale_id);

-- Raw callbacks, stored before anything is read from them (money rule 5).
CREATE TABLE callbacks (
    id            INTEGER PRIMARY KEY,
    provider      TEXT NOT NULL,
    received_at   INTEGER NOT NULL,
    content_type  TEXT,
    body          BLOB NOT NULL,
    verdict       TEXT,
    sale_id       TEXT REFERENCES sales(id),
    handled_at    INTEGER
) STRICT;
CREATE INDEX callbacks_unhandled ON callbacks(provider) WHERE handled_at IS NULL;
"#;

/// Version 2 (issue 7): operators with roles, PINs and lockout; shifts closed with a blind count;
/// sales that know their top-up provider, its cost, and the shift that handed a refund back.
///
/// SQLite cannot change a column's CHECK in place, so `operators` is rebuilt the documented way
/// (<https://www.sqlite.org/lang_altertable.html#otheralter>: create, copy, drop, rename).
/// `Ledger::open` runs migrations with foreign keys off for that reason, and this migration ends
/// with `PRAGMA foreign_key_check` (rusqlite_migration's `foreign_key_check`), so a ledger whose
/// references would break is not migrated at all.
const V2: &str = r#"
CREATE TABLE operators_v2 (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('owner', 'cashier', 'kiosk')),
    -- What Easysoft's `users` field carries for this operator's refills (easysoft.md §3.1).
    easysoft_users  TEXT NOT NULL,
    -- An argon2id PHC string (`$argon2id$v=19$m=…`): never the PIN itself.
    pin_hash        TEXT CHECK (pin_hash IS NULL OR pin_hash LIKE '$argon2id$%'),
    -- Wrong PINs in a row, and until when the account is locked after too many.
    failed_pins     INTEGER NOT NULL DEFAULT 0 CHECK (failed_pins >= 0),
    locked_until    INTEGER,
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    -- A kiosk sells unattended and never logs in; an owner always can.
    CHECK (role <> 'kiosk' OR pin_hash IS NULL),
    CHECK (role <> 'owner' OR pin_hash IS NOT NULL)
) STRICT;
-- V1 had no owners and no PINs: a cashier stays a cashier (the owner sets their PIN), a kiosk a kiosk.
INSERT INTO operators_v2 (id, name, role, easysoft_users, active, created_at, updated_at)
    SELECT id, name, kind, easysoft_users, active, created_at, created_at FROM operators;
DROP TABLE operators;
ALTER TABLE operators_v2 RENAME TO operators;

-- A shift is closed blind: the count comes in, and expected cash is computed in the same
-- transaction (float + cash sales − cash refunds handed back in the shift).
ALTER TABLE shifts ADD COLUMN cash_sales INTEGER;
ALTER TABLE shifts ADD COLUMN cash_refunds INTEGER;
ALTER TABLE shifts ADD COLUMN expected_cash INTEGER;
ALTER TABLE shifts ADD COLUMN variance INTEGER;
-- Who counted (the shift's cashier, or the owner): an actor id, like events.actor_id.
ALTER TABLE shifts ADD COLUMN closed_by TEXT;

-- The top-up provider last asked (set by begin_topup; '' for a sale never sent to one), and
-- what it debited from our wallet for delivered credit (0 when the provider does not say).
ALTER TABLE sales ADD COLUMN provider TEXT NOT NULL DEFAULT '';
ALTER TABLE sales ADD COLUMN cost INTEGER NOT NULL DEFAULT 0 CHECK (cost >= 0);
-- The shift of the person who handed the money back, so the cash counts in that drawer.
ALTER TABLE sales ADD COLUMN refund_shift_id INTEGER REFERENCES shifts(id);
UPDATE sales SET provider = COALESCE(
    (SELECT t.provider FROM topups t WHERE t.sale_id = sales.id ORDER BY t.attempt DESC LIMIT 1),
    '');

-- What the provider said it debited when it accepted the order (wePAY `total_amount`,
-- Easysoft price − `DISCOUNT`); NULL when it did not say.
ALTER TABLE topups ADD COLUMN cost INTEGER CHECK (cost IS NULL OR cost >= 0);

-- One covering index serves every report (`WHERE day BETWEEN … GROUP BY <key>, state`) for
-- every dimension without touching the table; operator and state come first because the daily
-- per-operator report is the one owners open most (it then needs no sort at all).
DROP INDEX sales_report;
CREATE INDEX sales_report ON sales(day, operator_id, state, network, provider, payment_method,
    register_id, amount, received, delivered, refunded, cost);
CREATE INDEX sales_by_shift ON sales(shift_id) WHERE shift_id IS NOT NULL;
CREATE INDEX sales_by_refund_shift ON sales(refund_shift_id) WHERE refund_shift_id IS NOT NULL;
"#;

/// Version 3: the transactional outbox to the fleet hub (see `outbox.rs`).
///
/// Triggers append one row per change of a sale, operator or register and one per event, in the
/// same transaction as the change: no code path can change a row without queueing it. The rows
/// name what changed, not its columns: the sender reads the current row when it sends, so
/// columns added by later migrations travel without touching these triggers. The rows of V2's
/// rebuilt `operators` (role) and widened `sales` (provider, cost) therefore travel whole, except
/// the columns the sender withholds as secrets (`pin_hash`, see `outbox.rs`).
const V3: &str = r#"
CREATE TABLE outbox (
    -- AUTOINCREMENT: a sequence number is never reused, even after rows are deleted.
    seq   INTEGER PRIMARY KEY AUTOINCREMENT,
    kind  TEXT NOT NULL CHECK (kind IN ('register', 'operator', 'sale', 'event')),
    key   TEXT NOT NULL
);

-- How far the hub has acknowledged (one row).
CREATE TABLE outbox_cursor (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    acked_seq   INTEGER NOT NULL CHECK (acked_seq >= 0),
    acked_at    INTEGER
) STRICT;
INSERT INTO outbox_cursor (id, acked_seq) VALUES (1, 0);

CREATE TRIGGER outbox_register_insert AFTER INSERT ON registers
BEGIN INSERT INTO outbox (kind, key) VALUES ('register', NEW.id); END;
CREATE TRIGGER outbox_register_update AFTER UPDATE ON registers
BEGIN INSERT INTO outbox (kind, key) VALUES ('register', NEW.id); END;
CREATE TRIGGER outbox_operator_insert AFTER INSERT ON operators
BEGIN INSERT INTO outbox (kind, key) VALUES ('operator', NEW.id); END;
CREATE TRIGGER outbox_operator_update AFTER UPDATE ON operators
BEGIN INSERT INTO outbox (kind, key) VALUES ('operator', NEW.id); END;
CREATE TRIGGER outbox_sale_insert AFTER INSERT ON sales
BEGIN INSERT INTO outbox (kind, key) VALUES ('sale', NEW.id); END;
CREATE TRIGGER outbox_sale_update AFTER UPDATE ON sales
BEGIN INSERT INTO outbox (kind, key) VALUES ('sale', NEW.id); END;
CREATE TRIGGER outbox_event_insert AFTER INSERT ON events
BEGIN INSERT INTO outbox (kind, key) VALUES ('event', CAST(NEW.seq AS TEXT)); END;

-- A ledger that sold before this version queues its whole history once, oldest first.
INSERT INTO outbox (kind, key) SELECT 'register', id FROM registers ORDER BY created_at, id;
INSERT INTO outbox (kind, key) SELECT 'operator', id FROM operators ORDER BY created_at, id;
INSERT INTO outbox (kind, key) SELECT 'sale', id FROM sales ORDER BY created_at, id;
INSERT INTO outbox (kind, key) SELECT 'event', CAST(seq AS TEXT) FROM events ORDER BY seq;
"#;

/// Every migration's SQL, oldest first.
const ALL: [&str; 3] = [V1, V2, V3];

/// How many migrations there are (the schema version of an up-to-date ledger).
pub fn count() -> usize {
    ALL.len()
}

/// The SQL of migration `version` (1-based), for tests that build a ledger of an older release.
pub fn sql(version: usize) -> Option<&'static str> {
    version
        .checked_sub(1)
        .and_then(|index| ALL.get(index))
        .copied()
}

/// Every migration, oldest first. Each is checked for broken foreign keys before it commits
/// (they run with enforcement off so that a table can be rebuilt).
pub fn migrations() -> Migrations<'static> {
    Migrations::new(
        ALL.iter()
            .map(|sql| M::up(sql).foreign_key_check())
            .collect(),
    )
}

/// The first `n` migrations only: a ledger as an older release left it (tests of upgrades).
#[cfg(test)]
pub(crate) fn first(n: usize) -> Migrations<'static> {
    Migrations::new(ALL.iter().take(n).map(|sql| M::up(sql)).collect())
}
