-- Leadline's first schema: people, sources, leads, the inquiries and touches on them, and each
-- lead's append-only history. Ids are made in Rust; times are UTC.

CREATE TABLE users (
    id               TEXT PRIMARY KEY,
    email            TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('rep', 'marketing', 'manager', 'qualifier', 'admin')),
    password_hash    TEXT NOT NULL,
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    last_assigned_at TIMESTAMP NULL,
    created_at       TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE sources (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    api_key_hash TEXT NOT NULL UNIQUE,
    cost_cents   INTEGER NOT NULL DEFAULT 0 CHECK (cost_cents >= 0),
    created_at   TIMESTAMP NOT NULL
);

CREATE TABLE leads (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    email              TEXT NULL,
    phone              TEXT NULL,
    company            TEXT NOT NULL,
    timeframe          TEXT NOT NULL,
    free_mail          BOOLEAN NOT NULL,
    repeat_inquirer    BOOLEAN NOT NULL DEFAULT FALSE,
    source_id          TEXT NOT NULL REFERENCES sources (id),
    stage              TEXT NOT NULL,
    owner_kind         TEXT NOT NULL CHECK (owner_kind IN ('rep', 'marketing', 'qualifier')),
    owner_id           TEXT NULL REFERENCES users (id),
    cadence_attempts   INTEGER NOT NULL DEFAULT 0,
    cadence_started_at TIMESTAMP NULL,
    sla_started_at     TIMESTAMP NOT NULL,
    sla_warned         BOOLEAN NOT NULL DEFAULT FALSE,
    attempts           INTEGER NOT NULL DEFAULT 0,
    conversations      INTEGER NOT NULL DEFAULT 0,
    wrong_numbers      INTEGER NOT NULL DEFAULT 0,
    bounced_emails     INTEGER NOT NULL DEFAULT 0,
    next_action        TEXT NULL,
    next_due_at        TIMESTAMP NULL,
    nurture_reason     TEXT NULL,
    recontact_at       TIMESTAMP NULL,
    closed_outcome     TEXT NULL CHECK (closed_outcome IN ('won', 'dead')),
    dead_reason        TEXT NULL,
    own_request        BOOLEAN NOT NULL DEFAULT FALSE,
    duplicate_of       TEXT NULL REFERENCES leads (id),
    won_amount_cents   INTEGER NULL,
    won_on             DATE NULL,
    closed_at          TIMESTAMP NULL,
    closed_by          TEXT NULL REFERENCES users (id),
    bant_budget        TEXT NOT NULL DEFAULT '',
    bant_authority     TEXT NOT NULL DEFAULT '',
    bant_need          TEXT NOT NULL DEFAULT '',
    bant_timeline      TEXT NOT NULL DEFAULT '',
    hot_note           TEXT NULL,
    handbacks          INTEGER NOT NULL DEFAULT 0,
    last_rep_id        TEXT NULL REFERENCES users (id),
    received_at        TIMESTAMP NOT NULL,
    first_attempt_at   TIMESTAMP NULL,
    last_touch_at      TIMESTAMP NULL,
    CHECK ((owner_kind = 'rep') = (owner_id IS NOT NULL)),
    -- An open lead always has a next action; a closed one always has its outcome.
    CHECK ((stage IN ('won', 'dead')) = (closed_outcome IS NOT NULL)),
    CHECK ((stage IN ('won', 'dead')) OR (next_action IS NOT NULL AND next_due_at IS NOT NULL)),
    CHECK (stage <> 'won' OR (won_amount_cents > 0 AND won_on IS NOT NULL)),
    CHECK (stage <> 'dead' OR dead_reason IS NOT NULL)
);
CREATE INDEX leads_email ON leads (email);
CREATE INDEX leads_phone ON leads (phone);
CREATE INDEX leads_owner_due ON leads (owner_id, next_due_at);
CREATE INDEX leads_stage ON leads (stage, received_at);
CREATE INDEX leads_due ON leads (next_due_at);

CREATE TABLE inquiries (
    id          TEXT PRIMARY KEY,
    lead_id     TEXT NOT NULL REFERENCES leads (id),
    source_id   TEXT NOT NULL REFERENCES sources (id),
    received_at TIMESTAMP NOT NULL,
    name        TEXT NOT NULL,
    email       TEXT NULL,
    phone       TEXT NULL,
    company     TEXT NOT NULL,
    message     TEXT NOT NULL,
    timeframe   TEXT NOT NULL
);
CREATE INDEX inquiries_lead ON inquiries (lead_id, received_at);

CREATE TABLE touches (
    id          TEXT PRIMARY KEY,
    lead_id     TEXT NOT NULL REFERENCES leads (id),
    user_id     TEXT NOT NULL REFERENCES users (id),
    kind        TEXT NOT NULL CHECK (kind IN ('call', 'meeting', 'sms', 'email', 'nurture')),
    outcome     TEXT NULL,
    note        TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL
);
CREATE INDEX touches_lead ON touches (lead_id, occurred_at);

CREATE TABLE lead_events (
    id          TEXT PRIMARY KEY,
    lead_id     TEXT NOT NULL REFERENCES leads (id),
    occurred_at TIMESTAMP NOT NULL,
    actor_id    TEXT NULL REFERENCES users (id),
    kind        TEXT NOT NULL,
    from_stage  TEXT NULL,
    to_stage    TEXT NOT NULL,
    owner_kind  TEXT NOT NULL,
    owner_id    TEXT NULL,
    next_action TEXT NULL,
    next_due_at TIMESTAMP NULL,
    -- The rep whose record this counts against (a missed SLA, a reclaimed lead).
    charged_to  TEXT NULL REFERENCES users (id),
    detail      TEXT NOT NULL
);
CREATE INDEX lead_events_charged ON lead_events (charged_to, kind);
CREATE INDEX lead_events_lead ON lead_events (lead_id, occurred_at);

-- The history is append-only: nothing may change or remove an entry.
CREATE TRIGGER lead_events_no_update BEFORE UPDATE ON lead_events
BEGIN
    SELECT RAISE(ABORT, 'lead history is append-only');
END;
CREATE TRIGGER lead_events_no_delete BEFORE DELETE ON lead_events
BEGIN
    SELECT RAISE(ABORT, 'lead history is append-only');
END;
CREATE TRIGGER leads_no_delete BEFORE DELETE ON leads
BEGIN
    SELECT RAISE(ABORT, 'leads are never deleted');
END;

CREATE TABLE idempotency_keys (
    source_id  TEXT NOT NULL REFERENCES sources (id),
    key        TEXT NOT NULL,
    status     INTEGER NOT NULL,
    body       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (source_id, key)
);

-- Notices for one person: a hot lead to call, a missed first-contact SLA to chase.
CREATE TABLE alerts (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    lead_id    TEXT NOT NULL REFERENCES leads (id),
    kind       TEXT NOT NULL,
    message    TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at    TIMESTAMP NULL
);
CREATE INDEX alerts_user ON alerts (user_id, read_at, created_at);

-- The follow-up policy: one row, PRODUCT.md's defaults. Durations in minutes.
CREATE TABLE follow_up_policy (
    id                         INTEGER PRIMARY KEY CHECK (id = 1),
    first_contact_minutes      INTEGER NOT NULL,
    warn_after_minutes         INTEGER NOT NULL,
    reassign_after_minutes     INTEGER NOT NULL,
    later_attempts_minutes     TEXT NOT NULL,
    voicemail_attempts         INTEGER NOT NULL,
    after_conversation_minutes INTEGER NOT NULL,
    nurture_every_minutes      INTEGER NOT NULL,
    hoard_after_minutes        INTEGER NOT NULL,
    rep_capacity               INTEGER NOT NULL
);
INSERT INTO follow_up_policy VALUES (1, 5, 15, 60, '60,1440,4320,8640,14400', 2, 1440, 43200, 2880, 150);
