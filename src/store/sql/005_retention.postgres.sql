-- 005: retention periods, trial bots and master key rotation (PostgreSQL dialect); mirrors
-- 005_retention.sqlite.sql. Ids use the "C" collation, as in 001.
--
-- tenants.retention_days: how long a tenant keeps its visitors' data (NULL: until erased). The housekeeping
-- job erases every contact whose newest activity (its latest conversation's last_message_at, or its own
-- created_at when it has no conversation) is older, exactly as store_contact_erase does.
-- bots.expires_at: unix milliseconds after which a (trial) bot is deactivated by the housekeeping job;
-- NULL: never.
-- server_keys: process-wide keys, wrapped by the master key ("k<id>.v1.…", src/privacy/seal.h). After a
-- master key rotation, "apikey-hash" holds the key API keys were hashed with (the first master key), so
-- that existing API keys keep working under the new master key.
-- Applied once by the store's migration runner, inside its transaction; no BEGIN/COMMIT here.

ALTER TABLE tenants ADD COLUMN retention_days INTEGER;
ALTER TABLE bots ADD COLUMN expires_at BIGINT;
CREATE INDEX bots_expiry ON bots(expires_at) WHERE expires_at IS NOT NULL;
-- retention: a tenant's contacts by age (the conversations are found through conversations_contact)
CREATE INDEX contacts_tenant_created ON contacts(tenant_id, created_at);

CREATE TABLE server_keys (
  name         TEXT COLLATE "C" PRIMARY KEY,
  wrapped_key  TEXT NOT NULL,
  updated_at   BIGINT NOT NULL
);
