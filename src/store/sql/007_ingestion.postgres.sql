-- 007: knowledge ingestion as background jobs (PostgreSQL dialect); see the SQLite file. Several
-- processes claim with FOR UPDATE SKIP LOCKED.
ALTER TABLE sources ADD COLUMN url TEXT;
ALTER TABLE sources ADD COLUMN progress TEXT;
ALTER TABLE sources ADD COLUMN error TEXT;
ALTER TABLE sources ADD COLUMN claimed_at BIGINT;
ALTER TABLE sources ADD COLUMN requested_at BIGINT;
CREATE INDEX sources_queue ON sources(requested_at) WHERE status IN ('queued', 'running');
ALTER TABLE chunks ADD COLUMN url TEXT;
ALTER TABLE chunks ADD COLUMN page INTEGER;
CREATE TABLE source_files (
  source_id   TEXT COLLATE "C" PRIMARY KEY,
  tenant_id   TEXT COLLATE "C" NOT NULL,
  data        BYTEA NOT NULL
);
