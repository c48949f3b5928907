-- Reps who are away (holiday, sick leave) get no new leads from `away_from` until
-- `away_until`; a rep switched off (`active` false) gets none at all.
ALTER TABLE users ADD COLUMN away_from TIMESTAMP NULL;
ALTER TABLE users ADD COLUMN away_until TIMESTAMP NULL;
