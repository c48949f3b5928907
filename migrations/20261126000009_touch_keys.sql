-- A touch logged from a phone carries the key the phone made for it: a retry (a flaky
-- connection, a call sent again after the phone was offline) is the same touch, never a second.
ALTER TABLE touches ADD COLUMN client_key TEXT NULL;
CREATE UNIQUE INDEX touches_client_key ON touches (user_id, client_key)
    WHERE client_key IS NOT NULL;
