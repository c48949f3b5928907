-- A sale is history: a buyer's new inquiry opens a new opportunity that follows the lead they
-- bought on, instead of reopening it.
ALTER TABLE leads ADD COLUMN follows_lead_id TEXT NULL REFERENCES leads (id);
CREATE INDEX leads_follows ON leads (follows_lead_id);
