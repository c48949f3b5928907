-- The team's working hours: the first-contact clock runs only while the team is open (and,
-- for calls, inside the person's calling window where they live).
-- `work_closes` NULL: open until midnight. `work_timezone` NULL: the team's time zone
-- (LEADLINE_TIMEZONE). `calling_opens`/`calling_closes` NULL: calls at any hour.
ALTER TABLE follow_up_policy ADD COLUMN work_days TEXT NOT NULL DEFAULT 'Mon-Fri';
ALTER TABLE follow_up_policy ADD COLUMN work_opens TEXT NOT NULL DEFAULT '08:00';
ALTER TABLE follow_up_policy ADD COLUMN work_closes TEXT NULL DEFAULT '18:00';
ALTER TABLE follow_up_policy ADD COLUMN work_timezone TEXT NULL;
ALTER TABLE follow_up_policy ADD COLUMN calling_opens TEXT NULL DEFAULT '08:00';
ALTER TABLE follow_up_policy ADD COLUMN calling_closes TEXT NULL DEFAULT '21:00';
