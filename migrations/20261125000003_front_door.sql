-- The front door: what an idempotent retry must match, and every sign-in attempt checked.

-- SHA-256 of the inquiry a key was first used for; a retry must send the same inquiry.
-- Keys stored before this column existed have '' and are replayed as before.
ALTER TABLE idempotency_keys ADD COLUMN request_hash TEXT NOT NULL DEFAULT '';

-- Each sign-in whose password was checked: who tried (the email as typed, lowercased, known
-- or not), from where, and whether it matched. Throttling counts recent failures per account
-- and per address from here; the audit log reads it too. Refusals made before any check
-- (throttled, malformed) are not stored, so a flood cannot grow the table faster than the
-- throttle lets passwords be checked.
CREATE TABLE sign_in_attempts (
    id          TEXT PRIMARY KEY,
    at          TIMESTAMP NOT NULL,
    email       TEXT NOT NULL,
    address     TEXT NOT NULL,
    succeeded   BOOLEAN NOT NULL,
    user_id     TEXT NULL REFERENCES users (id),
    -- The hash of the device cookie the browser sent, if any, and whether that browser had
    -- signed in to this account before (then its failures count against it alone).
    device_hash TEXT NULL,
    via_trusted BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX sign_in_attempts_email ON sign_in_attempts (email, at);
CREATE INDEX sign_in_attempts_address ON sign_in_attempts (address, at);
CREATE INDEX sign_in_attempts_device ON sign_in_attempts (device_hash, at);

-- Browsers that have signed in to an account before, by the hash of a long-lived cookie they
-- were given then. While an account is throttled because of failures elsewhere, its owner can
-- still sign in from such a browser: an attacker cannot lock a person out of their own phone.
CREATE TABLE trusted_devices (
    token_hash   TEXT NOT NULL,
    email        TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NOT NULL,
    PRIMARY KEY (token_hash, email)
);
CREATE INDEX trusted_devices_email ON trusted_devices (email, last_used_at);
