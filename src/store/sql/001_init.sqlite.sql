-- 001: tenants, API keys, bots, knowledge, conversations, analytics (SQLite dialect).
-- Times are unix milliseconds. Ids are prefixed random strings made by the application.
-- chunks_fts uses the 'botwerk' tokenizer the store registers on every connection.

CREATE TABLE tenants (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);

CREATE TABLE api_keys (
  id          TEXT PRIMARY KEY,
  tenant_id   TEXT NOT NULL REFERENCES tenants(id),
  key_hash    BLOB NOT NULL UNIQUE,
  prefix      TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER
);
CREATE INDEX api_keys_tenant ON api_keys(tenant_id);

CREATE TABLE bots (
  rid         INTEGER PRIMARY KEY,
  id          TEXT NOT NULL UNIQUE,
  tenant_id   TEXT NOT NULL REFERENCES tenants(id),
  name        TEXT NOT NULL,
  config      TEXT NOT NULL,
  active      INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX bots_tenant_page ON bots(tenant_id, created_at DESC, id DESC);

CREATE TABLE sources (
  id          TEXT PRIMARY KEY,
  tenant_id   TEXT NOT NULL,
  bot_id      TEXT NOT NULL,
  kind        TEXT NOT NULL,
  title       TEXT NOT NULL,
  status      TEXT NOT NULL,
  chars       INTEGER NOT NULL,
  chunks      INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX sources_bot_page ON sources(tenant_id, bot_id, created_at DESC, id DESC);

CREATE TABLE chunks (
  id          INTEGER PRIMARY KEY,
  tenant_id   TEXT NOT NULL,
  bot_id      TEXT NOT NULL,
  bot_rid     INTEGER NOT NULL,
  source_id   TEXT NOT NULL,
  ord         INTEGER NOT NULL,
  heading     TEXT NOT NULL,
  text        TEXT NOT NULL
);
CREATE INDEX chunks_source ON chunks(source_id);
CREATE INDEX chunks_bot ON chunks(bot_id);

CREATE VIRTUAL TABLE chunks_fts USING fts5(
  bot_rid, heading, text,
  content='chunks', content_rowid='id',
  tokenize='botwerk'
);

CREATE TABLE conversations (
  id              TEXT PRIMARY KEY,
  tenant_id       TEXT NOT NULL,
  bot_id          TEXT NOT NULL,
  channel         TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'open',
  message_count   INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  last_message_at INTEGER NOT NULL
);
CREATE INDEX conversations_bot ON conversations(bot_id, last_message_at DESC);

CREATE TABLE messages (
  id              TEXT PRIMARY KEY,
  tenant_id       TEXT NOT NULL,
  bot_id          TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  direction       TEXT NOT NULL CHECK (direction IN ('in','out')),
  content         TEXT NOT NULL,
  meta            TEXT,
  latency_ms      INTEGER,
  created_at      INTEGER NOT NULL
);
CREATE INDEX messages_conversation ON messages(conversation_id, created_at);

CREATE TABLE analytics_events (
  id          INTEGER PRIMARY KEY,
  tenant_id   TEXT NOT NULL,
  bot_id      TEXT NOT NULL,
  event       TEXT NOT NULL,
  props       TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);
CREATE INDEX analytics_bot ON analytics_events(bot_id, created_at);
