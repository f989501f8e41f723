-- 008: the durable job queue, webhook intake, and WhatsApp contacts and messages (PostgreSQL dialect);
-- mirrors 008_whatsapp.sqlite.sql, which explains the tables. Ids use the "C" collation, as in 001.
-- Several processes claim jobs and webhook events with FOR UPDATE SKIP LOCKED (docs/internals/jobs.md).

CREATE TABLE jobs (
  id            TEXT COLLATE "C" PRIMARY KEY,
  tenant_id     TEXT COLLATE "C" NOT NULL,
  bot_id        TEXT COLLATE "C" REFERENCES bots(id) ON DELETE CASCADE,
  kind          TEXT NOT NULL,
  run_at        BIGINT NOT NULL,
  payload       TEXT NOT NULL,
  status        TEXT NOT NULL
                CHECK (status IN ('pending','running','done','cancelled','failed','dead')),
  attempts      INTEGER NOT NULL DEFAULT 0,
  max_attempts  INTEGER NOT NULL,
  last_error    TEXT,
  claimed_at    BIGINT,
  claimed_by    TEXT,
  dedupe_key    TEXT COLLATE "C",
  cancel_key    TEXT COLLATE "C",
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL,
  UNIQUE (tenant_id, dedupe_key)
);
CREATE INDEX jobs_due ON jobs(run_at, id) WHERE status = 'pending';
CREATE INDEX jobs_lease ON jobs(claimed_at) WHERE status = 'running';
CREATE INDEX jobs_cancel ON jobs(tenant_id, cancel_key) WHERE status = 'pending';
CREATE INDEX jobs_dead ON jobs(tenant_id, id) WHERE status = 'dead';
CREATE INDEX jobs_bot ON jobs(bot_id);

CREATE TABLE webhook_events (
  id            TEXT COLLATE "C" PRIMARY KEY,
  tenant_id     TEXT COLLATE "C" NOT NULL,
  bot_id        TEXT COLLATE "C" NOT NULL REFERENCES bots(id) ON DELETE CASCADE,
  provider      TEXT NOT NULL CHECK (provider IN ('meta','twilio')),
  kind          TEXT NOT NULL CHECK (kind IN ('message','status')),
  provider_id   TEXT NOT NULL,
  dedupe_key    TEXT COLLATE "C" NOT NULL,
  payload       TEXT,
  received_at   BIGINT NOT NULL,
  claimed_at    BIGINT,
  attempts      INTEGER NOT NULL DEFAULT 0,
  processed_at  BIGINT,
  UNIQUE (bot_id, dedupe_key)
);
CREATE INDEX webhook_events_todo ON webhook_events(received_at, id) WHERE processed_at IS NULL;

ALTER TABLE contacts ADD COLUMN whatsapp_e164_bidx TEXT COLLATE "C";
ALTER TABLE contacts ADD COLUMN whatsapp_e164 TEXT;        -- sealed
ALTER TABLE contacts ADD COLUMN first_name TEXT;           -- sealed
ALTER TABLE contacts ADD COLUMN timezone TEXT;
ALTER TABLE contacts ADD COLUMN language TEXT;
ALTER TABLE contacts ADD COLUMN consent_status TEXT NOT NULL DEFAULT 'unknown'
  CHECK (consent_status IN ('unknown','granted','revoked'));
ALTER TABLE contacts ADD COLUMN consent_source TEXT;
ALTER TABLE contacts ADD COLUMN consent_text_version TEXT;
ALTER TABLE contacts ADD COLUMN consent_at BIGINT;
ALTER TABLE contacts ADD COLUMN last_inbound_at BIGINT;
CREATE UNIQUE INDEX contacts_whatsapp ON contacts(tenant_id, bot_id, whatsapp_e164_bidx)
  WHERE whatsapp_e164_bidx IS NOT NULL;

CREATE TABLE wa_messages (
  id                   TEXT COLLATE "C" PRIMARY KEY,
  tenant_id            TEXT COLLATE "C" NOT NULL,
  bot_id               TEXT COLLATE "C" NOT NULL REFERENCES bots(id) ON DELETE CASCADE,
  contact_id           TEXT COLLATE "C" NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  conversation_id      TEXT COLLATE "C",
  direction            TEXT NOT NULL CHECK (direction IN ('in','out')),
  provider_message_id  TEXT COLLATE "C",
  kind                 TEXT NOT NULL CHECK (kind IN ('text','template','interactive')),
  body                 TEXT,   -- sealed
  status               TEXT NOT NULL
                       CHECK (status IN ('received','queued','sent','delivered','read','failed','undelivered')),
  error_code           INTEGER,
  created_at           BIGINT NOT NULL,
  updated_at           BIGINT NOT NULL,
  UNIQUE (bot_id, provider_message_id)
);
CREATE INDEX wa_messages_contact ON wa_messages(contact_id, created_at);
