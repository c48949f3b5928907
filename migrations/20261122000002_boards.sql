-- What the managers' boards read: each time a rep is given a lead with a fresh first-contact
-- clock (an assignment) and how that went; territories and monthly quotas for reps; and
-- covering indexes so boards aggregate in the database, not in memory.

ALTER TABLE users ADD COLUMN territory TEXT NOT NULL DEFAULT 'Main';
-- Sales a rep is expected to make in a month (the quota leads are planned against).
ALTER TABLE users ADD COLUMN monthly_quota INTEGER NOT NULL DEFAULT 4 CHECK (monthly_quota >= 0);

-- The last call attempt or meeting: "time since the last real touch" on the aging board.
ALTER TABLE leads ADD COLUMN last_follow_up_at TIMESTAMP NULL;
UPDATE leads SET last_follow_up_at = (
    SELECT MAX(t.occurred_at) FROM touches t
    WHERE t.lead_id = leads.id AND t.kind IN ('call', 'meeting'));

CREATE TABLE assignments (
    id                TEXT PRIMARY KEY,
    lead_id           TEXT NOT NULL REFERENCES leads (id),
    rep_id            TEXT NOT NULL REFERENCES users (id),
    -- When the rep's first-contact clock started.
    assigned_at       TIMESTAMP NOT NULL,
    first_attempt_at  TIMESTAMP NULL,
    -- Seconds from assigned_at to first_attempt_at, kept so boards need no date arithmetic.
    first_attempt_seconds INTEGER NULL,
    attempts          INTEGER NOT NULL DEFAULT 0,
    closures_refused  INTEGER NOT NULL DEFAULT 0,
    -- NULL while the rep holds the lead; then 'outcome' (won, dead or nurture), 'reclaimed'
    -- (taken away for a missed SLA or for sitting on it) or 'moved' (any other hand-over).
    ended_at          TIMESTAMP NULL,
    end_kind          TEXT NULL CHECK (end_kind IN ('outcome', 'reclaimed', 'moved')),
    outcome           TEXT NULL,
    -- The lead as the rep got it: the segments reps tend to drop.
    no_phone          BOOLEAN NOT NULL,
    free_mail         BOOLEAN NOT NULL,
    repeat_inquirer   BOOLEAN NOT NULL,
    long_timeframe    BOOLEAN NOT NULL,
    older_than_4w     BOOLEAN NOT NULL,
    CHECK ((ended_at IS NULL) = (end_kind IS NULL))
);
CREATE INDEX assignments_lead ON assignments (lead_id, assigned_at);
-- The board snapshot loads the assignments of its window by time.
CREATE INDEX assignments_window ON assignments (assigned_at);

-- A rep's open leads (the queue), read without touching closed ones.
CREATE INDEX leads_open_reps ON leads (owner_id, next_due_at, first_attempt_at)
    WHERE owner_kind = 'rep' AND stage NOT IN ('won', 'dead');
-- When the next lead crosses into an older bucket or falls due: boards refresh then.
CREATE INDEX leads_open_received ON leads (received_at) WHERE stage NOT IN ('won', 'dead');
CREATE INDEX leads_open_followed ON leads (last_follow_up_at) WHERE stage NOT IN ('won', 'dead');
CREATE INDEX leads_closed ON leads (closed_at, closed_outcome, won_amount_cents)
    WHERE closed_at IS NOT NULL;
-- What work lists show of a lead's touches, kept on the lead so a rep's queue is one read.
ALTER TABLE leads ADD COLUMN last_touch_kind TEXT NULL;
ALTER TABLE leads ADD COLUMN last_touch_outcome TEXT NULL;
ALTER TABLE leads ADD COLUMN touch_count INTEGER NOT NULL DEFAULT 0;
UPDATE leads SET
    touch_count = (SELECT COUNT(*) FROM touches t WHERE t.lead_id = leads.id),
    last_touch_kind = (SELECT t.kind FROM touches t WHERE t.lead_id = leads.id
                       ORDER BY t.occurred_at DESC, t.id DESC LIMIT 1),
    last_touch_outcome = (SELECT t.outcome FROM touches t WHERE t.lead_id = leads.id
                          ORDER BY t.occurred_at DESC, t.id DESC LIMIT 1);
CREATE INDEX leads_source ON leads (source_id, stage, first_attempt_at, conversations, closed_at);
