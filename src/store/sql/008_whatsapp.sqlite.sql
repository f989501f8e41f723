-- 008: the durable job queue, webhook intake, and WhatsApp contacts and messages (SQLite dialect).
-- docs/internals/jobs.md describes how the store uses these tables.
--
-- jobs: one row per scheduled task (nudge_30m, followup_24h, reminder_5m, …). Ids are time-ordered
-- ("job_" + 48-bit milliseconds + random), so they also sort by creation. status: pending → running →
-- done | pending again (a retry, at a later run_at) | dead (attempts used up, or no handler) | failed (the
-- handler gave up for good: no retry, not in the dead letter); pending → cancelled. attempts counts the
-- claims, so a job whose worker keeps dying also ends up dead. A claim holds a lease: claimed_at; a running
-- job whose claimed_at is older than the lease is claimed again. dedupe_key makes a task at most once per
-- tenant, ever ("followup_24h:<conversation>"); cancel_key groups the tasks cancelled together
-- ("conv:<id>", "appt:<id>"). payload is JSON without personal data.
--
-- webhook_events: what the providers sent, stored before the webhook is acknowledged, at most once per
-- (bot, dedupe_key). The key is built by the caller from provider, kind and provider id, plus the status
-- for status callbacks (one message has several): "meta:message:<wamid>", "meta:status:<wamid>:read".
-- It is unique per bot, not globally, so that one tenant's forged events cannot shadow another's.
-- payload: the parsed event as JSON, personal fields sealed by the caller; cleared (NULL) once processed,
-- while the row stays to answer duplicates. processed_at NULL: still to be processed.
--
-- contacts: a WhatsApp contact is a contacts row (channel 'whatsapp') found by the blind index of its
-- number, unique per bot. Number and first name are sealed with the contact key. consent_*: the current
-- state (unknown | granted | revoked); each grant is also a row in the consents ledger.
--
-- wa_messages: the WhatsApp messages in and out. status only moves forward: queued → sent → delivered →
-- read, and a failure (failed, undelivered) is final; inbound messages are 'received'. body is sealed.
--
-- All four go with their bot (ON DELETE CASCADE from bots; foreign keys are on for every connection), and
-- wa_messages with their contact (an erasure removes them in its transaction).

CREATE TABLE jobs (
  id            TEXT PRIMARY KEY,
  tenant_id     TEXT NOT NULL,
  bot_id        TEXT REFERENCES bots(id) ON DELETE CASCADE,
  kind          TEXT NOT NULL,
  run_at        INTEGER NOT NULL,
  payload       TEXT NOT NULL,
  status        TEXT NOT NULL
                CHECK (status IN ('pending','running','done','cancelled','failed','dead')),
  attempts      INTEGER NOT NULL DEFAULT 0,
  max_attempts  INTEGER NOT NULL,
  last_error    TEXT,
  claimed_at    INTEGER,
  claimed_by    TEXT,
  dedupe_key    TEXT,
  cancel_key    TEXT,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  UNIQUE (tenant_id, dedupe_key)
);
-- the claim: the oldest due pending job, and running jobs by lease
CREATE INDEX jobs_due ON jobs(run_at, id) WHERE status = 'pending';
CREATE INDEX jobs_lease ON jobs(claimed_at) WHERE status = 'running';
CREATE INDEX jobs_cancel ON jobs(tenant_id, cancel_key) WHERE status = 'pending';
CREATE INDEX jobs_dead ON jobs(tenant_id, id) WHERE status = 'dead';
CREATE INDEX jobs_bot ON jobs(bot_id);

CREATE TABLE webhook_events (
  id            TEXT PRIMARY KEY,
  tenant_id     TEXT NOT NULL,
  bot_id        TEXT NOT NULL REFERENCES bots(id) ON DELETE CASCADE,
  provider      TEXT NOT NULL CHECK (provider IN ('meta','twilio')),
  kind          TEXT NOT NULL CHECK (kind IN ('message','status')),
  provider_id   TEXT NOT NULL,
  dedupe_key    TEXT NOT NULL,
  payload       TEXT,
  received_at   INTEGER NOT NULL,
  claimed_at    INTEGER,
  attempts      INTEGER NOT NULL DEFAULT 0,
  processed_at  INTEGER,
  UNIQUE (bot_id, dedupe_key)
);
CREATE INDEX webhook_events_todo ON webhook_events(received_at, id) WHERE processed_at IS NULL;

ALTER TABLE contacts ADD COLUMN whatsapp_e164_bidx TEXT;
ALTER TABLE contacts ADD COLUMN whatsapp_e164 TEXT;        -- sealed
ALTER TABLE contacts ADD COLUMN first_name TEXT;           -- sealed
ALTER TABLE contacts ADD COLUMN timezone TEXT;             -- IANA name, "Europe/Berlin"
ALTER TABLE contacts ADD COLUMN language TEXT;             -- "de"
ALTER TABLE contacts ADD COLUMN consent_status TEXT NOT NULL DEFAULT 'unknown'
  CHECK (consent_status IN ('unknown','granted','revoked'));
ALTER TABLE contacts ADD COLUMN consent_source TEXT;
ALTER TABLE contacts ADD COLUMN consent_text_version TEXT;
ALTER TABLE contacts ADD COLUMN consent_at INTEGER;
ALTER TABLE contacts ADD COLUMN last_inbound_at INTEGER;
CREATE UNIQUE INDEX contacts_whatsapp ON contacts(tenant_id, bot_id, whatsapp_e164_bidx)
  WHERE whatsapp_e164_bidx IS NOT NULL;

CREATE TABLE wa_messages (
  id                   TEXT PRIMARY KEY,
  tenant_id            TEXT NOT NULL,
  bot_id               TEXT NOT NULL REFERENCES bots(id) ON DELETE CASCADE,
  contact_id           TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  conversation_id      TEXT,
  direction            TEXT NOT NULL CHECK (direction IN ('in','out')),
  provider_message_id  TEXT,
  kind                 TEXT NOT NULL CHECK (kind IN ('text','template','interactive')),
  body                 TEXT,   -- sealed
  status               TEXT NOT NULL
                       CHECK (status IN ('received','queued','sent','delivered','read','failed','undelivered')),
  error_code           INTEGER,
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL,
  UNIQUE (bot_id, provider_message_id)
);
CREATE INDEX wa_messages_contact ON wa_messages(contact_id, created_at);
