-- Running the team from the screens: who changed what (the audit log), one-time links to set a
-- password, sessions that end when idle, keys that rotate and can be revoked, and the team's
-- own settings.

-- What people did to the team's set-up: users, roles, the policy, sources and their keys,
-- exports. (Sign-ins are in `sign_in_attempts`; what happened to a lead in `lead_events`; the
-- audit screen reads all three.) Only ever inserted.
CREATE TABLE audit_log (
    id       TEXT PRIMARY KEY,
    at       TIMESTAMP NOT NULL,
    actor_id TEXT NULL REFERENCES users (id),
    action   TEXT NOT NULL,
    subject  TEXT NOT NULL,
    detail   TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- A link an admin hands a new user (or one whose password was reset) to choose a password.
-- Kept by the hash of its token; good once, until it expires.
CREATE TABLE password_links (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP NULL
);
CREATE INDEX password_links_user ON password_links (user_id);

-- A session ends when unused this long as well as at its absolute end; people see theirs
-- by where and from what they signed in.
ALTER TABLE sessions ADD COLUMN last_seen_at TIMESTAMP NULL;
ALTER TABLE sessions ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN agent TEXT NOT NULL DEFAULT '';
UPDATE sessions SET last_seen_at = created_at;

-- Failed sign-ins an admin forgave (unlocking the account) no longer make it wait.
ALTER TABLE sign_in_attempts ADD COLUMN forgiven BOOLEAN NOT NULL DEFAULT FALSE;

-- A rep's own limit of open leads; NULL: the policy's.
ALTER TABLE users ADD COLUMN capacity INTEGER NULL CHECK (capacity IS NULL OR capacity > 0);

-- A source's key rotates (the old one keeps working until `old_key_until`) or is revoked
-- (then no key of it works). Where its inquiries' phones are from when they give no country,
-- and where a plain web form sends the person afterwards.
ALTER TABLE sources ADD COLUMN old_key_hash TEXT NULL;
ALTER TABLE sources ADD COLUMN old_key_until TIMESTAMP NULL;
ALTER TABLE sources ADD COLUMN revoked_at TIMESTAMP NULL;
ALTER TABLE sources ADD COLUMN phone_country TEXT NULL;
ALTER TABLE sources ADD COLUMN thank_you_url TEXT NULL;
CREATE INDEX sources_old_key ON sources (old_key_hash);

-- The team's own settings.
CREATE TABLE team_settings (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    currency TEXT NOT NULL DEFAULT 'USD' CHECK (length(currency) = 3)
);
INSERT INTO team_settings (id) VALUES (1);

-- The audit screen reads the newest lines of these first.
CREATE INDEX lead_events_kind_at ON lead_events (kind, occurred_at);
CREATE INDEX sign_in_attempts_at ON sign_in_attempts (at);
