-- 003: personal data at rest, contacts, leads and consents (PostgreSQL dialect); mirrors 003_contacts_leads.sqlite.sql.
-- Ids use the "C" collation, as in 001, so that keyset pagination compares bytes exactly as SQLite does.
--
-- Personal data is stored sealed (src/privacy/seal.h: XChaCha20-Poly1305, "v1.…" text): a tenant key
-- wrapped by the master key (tenants.wrapped_key), a contact key wrapped by the tenant key
-- (contacts.wrapped_key), and the contact's fields and message texts sealed with the contact key. Every
-- conversation belongs to a contact (a visitor is an anonymous contact until they leave an email).
-- Equality lookups go through keyed blind indexes (*_bidx), never plaintext. Erasing a contact deletes its
-- rows and its key and records the contact id in `erasures`, which `botwerk restore` applies to backups
-- taken before. Message rows written before this migration stay readable as they are (not sealed).
-- An erasure deletes by contact id: hence the indexes on conversations(contact_id) and leads(contact_id).

ALTER TABLE tenants ADD COLUMN wrapped_key TEXT;

CREATE TABLE contacts (
  id           TEXT COLLATE "C" PRIMARY KEY,
  tenant_id    TEXT COLLATE "C" NOT NULL,
  bot_id       TEXT COLLATE "C" NOT NULL,
  wrapped_key  TEXT NOT NULL,
  email        TEXT,           -- sealed
  email_bidx   TEXT,
  phone        TEXT,           -- sealed
  phone_bidx   TEXT,
  name         TEXT,           -- sealed
  profile      TEXT,           -- sealed JSON
  channel      TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  updated_at   BIGINT NOT NULL
);
CREATE INDEX contacts_tenant_email ON contacts(tenant_id, email_bidx) WHERE email_bidx IS NOT NULL;
CREATE INDEX contacts_tenant_phone ON contacts(tenant_id, phone_bidx) WHERE phone_bidx IS NOT NULL;

ALTER TABLE conversations ADD COLUMN contact_id TEXT COLLATE "C";
-- how often the bot asked the visitor for their email (store_exchange.email_prompted)
ALTER TABLE conversations ADD COLUMN email_prompts INTEGER NOT NULL DEFAULT 0;
CREATE INDEX conversations_contact ON conversations(contact_id);

CREATE TABLE leads (
  id              TEXT COLLATE "C" PRIMARY KEY,
  tenant_id       TEXT COLLATE "C" NOT NULL,
  bot_id          TEXT COLLATE "C" NOT NULL,
  conversation_id TEXT COLLATE "C" NOT NULL,
  contact_id      TEXT COLLATE "C" NOT NULL,
  email_bidx      TEXT NOT NULL,
  source          TEXT NOT NULL,     -- email_capture
  channel         TEXT NOT NULL,     -- web
  context         TEXT NOT NULL,     -- JSON: trigger, topics, message_count, session_seconds (no personal data)
  interest        INTEGER NOT NULL,  -- 1..10
  created_at      BIGINT NOT NULL,
  UNIQUE (conversation_id, email_bidx)
);
CREATE INDEX leads_tenant_page ON leads(tenant_id, created_at DESC, id DESC);
CREATE INDEX leads_bot_page ON leads(tenant_id, bot_id, created_at DESC, id DESC);
CREATE INDEX leads_contact ON leads(contact_id);

CREATE TABLE consents (
  id            TEXT COLLATE "C" PRIMARY KEY,
  tenant_id     TEXT COLLATE "C" NOT NULL,
  contact_id    TEXT COLLATE "C" NOT NULL,
  lead_id       TEXT COLLATE "C",
  purpose       TEXT NOT NULL,     -- contact_by_email
  source        TEXT NOT NULL,     -- as the lead's: email_capture
  channel       TEXT NOT NULL,
  text_version  TEXT NOT NULL,
  granted_at    BIGINT NOT NULL
);
CREATE INDEX consents_contact ON consents(contact_id, granted_at);

CREATE TABLE erasures (
  contact_id  TEXT COLLATE "C" PRIMARY KEY,
  tenant_id   TEXT COLLATE "C" NOT NULL,
  erased_at   BIGINT NOT NULL
);
