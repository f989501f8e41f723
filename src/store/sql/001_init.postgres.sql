-- 001: tenants, API keys, bots, knowledge, conversations, analytics (PostgreSQL dialect).
-- Mirrors 001_init.sqlite.sql column for column; that file is authoritative for the data model.
-- Times are unix milliseconds (BIGINT). Ids are prefixed random strings made by the application; they use
-- the "C" collation so that ordering and keyset pagination compare bytes, exactly as SQLite does.
-- Full text: instead of an FTS5 table, chunks carry `tsv`, built by the store from the terms of the
-- store's tokenize hook: setweight(to_tsvector('simple', heading terms), 'A') || to_tsvector('simple',
-- text terms). Searches filter on (tenant_id, bot_id) and match `tsv` through the GIN index.
-- Applied once by the store's migration runner, inside its transaction; no BEGIN/COMMIT here.

CREATE TABLE tenants (
  id          TEXT COLLATE "C" PRIMARY KEY,
  name        TEXT NOT NULL,
  created_at  BIGINT NOT NULL
);

CREATE TABLE api_keys (
  id          TEXT COLLATE "C" PRIMARY KEY,
  tenant_id   TEXT COLLATE "C" NOT NULL REFERENCES tenants(id),
  key_hash    BYTEA NOT NULL UNIQUE,
  prefix      TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  revoked_at  BIGINT
);
CREATE INDEX api_keys_tenant ON api_keys(tenant_id);

CREATE TABLE bots (
  rid         BIGSERIAL PRIMARY KEY,
  id          TEXT COLLATE "C" NOT NULL UNIQUE,
  tenant_id   TEXT COLLATE "C" NOT NULL REFERENCES tenants(id),
  name        TEXT NOT NULL,
  config      TEXT NOT NULL,
  active      BOOLEAN NOT NULL,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);
CREATE INDEX bots_tenant_page ON bots(tenant_id, created_at DESC, id DESC);

CREATE TABLE sources (
  id          TEXT COLLATE "C" PRIMARY KEY,
  tenant_id   TEXT COLLATE "C" NOT NULL,
  bot_id      TEXT COLLATE "C" NOT NULL,
  kind        TEXT NOT NULL,
  title       TEXT NOT NULL,
  status      TEXT NOT NULL,
  chars       BIGINT NOT NULL,
  chunks      INTEGER NOT NULL,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);
CREATE INDEX sources_bot_page ON sources(tenant_id, bot_id, created_at DESC, id DESC);

CREATE TABLE chunks (
  id          BIGSERIAL PRIMARY KEY,
  tenant_id   TEXT COLLATE "C" NOT NULL,
  bot_id      TEXT COLLATE "C" NOT NULL,
  bot_rid     BIGINT NOT NULL,
  source_id   TEXT COLLATE "C" NOT NULL,
  ord         INTEGER NOT NULL,
  heading     TEXT NOT NULL,
  text        TEXT NOT NULL,
  tsv         TSVECTOR NOT NULL
);
CREATE INDEX chunks_source ON chunks(source_id);
CREATE INDEX chunks_bot ON chunks(tenant_id, bot_id);
CREATE INDEX chunks_tsv ON chunks USING GIN (tsv);

CREATE TABLE conversations (
  id              TEXT COLLATE "C" PRIMARY KEY,
  tenant_id       TEXT COLLATE "C" NOT NULL,
  bot_id          TEXT COLLATE "C" NOT NULL,
  channel         TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'open',
  message_count   INTEGER NOT NULL DEFAULT 0,
  created_at      BIGINT NOT NULL,
  last_message_at BIGINT NOT NULL
);
CREATE INDEX conversations_bot ON conversations(bot_id, last_message_at DESC);

CREATE TABLE messages (
  id              TEXT COLLATE "C" PRIMARY KEY,
  tenant_id       TEXT COLLATE "C" NOT NULL,
  bot_id          TEXT COLLATE "C" NOT NULL,
  conversation_id TEXT COLLATE "C" NOT NULL,
  direction       TEXT NOT NULL CHECK (direction IN ('in','out')),
  content         TEXT NOT NULL,
  meta            TEXT,
  latency_ms      INTEGER,
  created_at      BIGINT NOT NULL
);
CREATE INDEX messages_conversation ON messages(conversation_id, created_at);

CREATE TABLE analytics_events (
  id          BIGSERIAL PRIMARY KEY,
  tenant_id   TEXT COLLATE "C" NOT NULL,
  bot_id      TEXT COLLATE "C" NOT NULL,
  event       TEXT NOT NULL,
  props       TEXT NOT NULL,
  created_at  BIGINT NOT NULL
);
CREATE INDEX analytics_bot ON analytics_events(bot_id, created_at);
