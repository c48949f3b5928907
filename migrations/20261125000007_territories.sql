-- Where the person is (from the inquiry, or the phone's country), for territories.
ALTER TABLE leads ADD COLUMN country TEXT NULL;
ALTER TABLE leads ADD COLUMN region TEXT NULL;
ALTER TABLE leads ADD COLUMN postcode TEXT NULL;

-- A territory's rules: a country (narrowed, if given, to a region or a postcode prefix), or a
-- source. Its reps are the users whose `territory` carries its name.
CREATE TABLE territory_rules (
    id              TEXT PRIMARY KEY,
    territory       TEXT NOT NULL,
    country         TEXT NULL,
    region          TEXT NULL,
    postcode_prefix TEXT NULL,
    source_id       TEXT NULL REFERENCES sources (id),
    created_at      TIMESTAMP NOT NULL,
    CHECK (country IS NOT NULL OR source_id IS NOT NULL)
);
CREATE INDEX territory_rules_by_territory ON territory_rules (territory);

-- Round robin's order as a sequence: many leads routed in one instant (a batch of missed
-- first calls at opening) still go round in turn, where equal timestamps would tie.
ALTER TABLE users ADD COLUMN assigned_seq INTEGER NOT NULL DEFAULT 0;
UPDATE users SET assigned_seq = (
    SELECT COUNT(*) FROM users u2
    WHERE u2.last_assigned_at IS NOT NULL AND u2.last_assigned_at <= users.last_assigned_at)
WHERE last_assigned_at IS NOT NULL;
