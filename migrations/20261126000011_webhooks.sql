-- Webhooks: addresses the team's other tools gave, told of lead events. Each delivery is written
-- in the same transaction as the change it tells of, and sent (and sent again) from here.
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    -- The events it is sent, space-separated with a space at each end: ' lead.created lead.won '.
    events TEXT NOT NULL,
    -- The key its deliveries are signed with (HMAC-SHA256), shown to the admin once.
    secret TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    -- Switched off by an admin, or by the server after a delivery failed every try.
    switched_off_at TEXT,
    switched_off_why TEXT,
    -- Removed by an admin: kept for the delivery log; sent nothing more.
    removed_at TEXT
);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    webhook_id TEXT NOT NULL REFERENCES webhooks (id),
    event TEXT NOT NULL,
    lead_id TEXT NOT NULL REFERENCES leads (id),
    -- The JSON body, exactly as sent (and signed) every time.
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    -- 'pending' (waiting for its next try), 'delivered', 'failed' (every try failed).
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_attempt_at TEXT,
    last_code INTEGER,
    last_error TEXT,
    delivered_at TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (created_at);
