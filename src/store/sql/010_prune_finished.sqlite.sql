-- 010: housekeeping deletes webhook events processed, and jobs done or cancelled, before a cutoff (SQLite dialect)
-- (BOTWERK_EVENTS_KEEP_DAYS; store_prune_finished). These indexes let it find them without a scan.
CREATE INDEX webhook_events_processed ON webhook_events(processed_at) WHERE processed_at IS NOT NULL;
CREATE INDEX jobs_finished ON jobs(updated_at) WHERE status IN ('done', 'cancelled');
