-- 007: knowledge ingestion as background jobs (SQLite dialect).
--
-- sources.status: queued | running | done | failed | no_text. A worker claims the oldest queued source
-- (or a running one whose lease, claimed_at, is older than the lease time: its worker died), keeps the
-- lease fresh with each progress report, and finishes by replacing the source's chunks in one
-- transaction (answers never see a half-indexed source; a failed refresh keeps the old chunks).
-- sources.url: the start URL of a crawled site; progress: JSON {pages_done, pages_total, errors: […]};
-- error: why the last run failed. source_files: an uploaded PDF, kept for refreshes.
-- chunks.url / chunks.page: where a chunk came from (a page of the site, a page of the PDF), for citations.
ALTER TABLE sources ADD COLUMN url TEXT;
ALTER TABLE sources ADD COLUMN progress TEXT;
ALTER TABLE sources ADD COLUMN error TEXT;
ALTER TABLE sources ADD COLUMN claimed_at INTEGER;
ALTER TABLE sources ADD COLUMN requested_at INTEGER;
CREATE INDEX sources_queue ON sources(requested_at) WHERE status IN ('queued', 'running');
ALTER TABLE chunks ADD COLUMN url TEXT;
ALTER TABLE chunks ADD COLUMN page INTEGER;
CREATE TABLE source_files (
  source_id   TEXT PRIMARY KEY,
  tenant_id   TEXT NOT NULL,
  data        BLOB NOT NULL
);
