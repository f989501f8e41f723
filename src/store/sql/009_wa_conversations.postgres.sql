-- 009: WhatsApp conversations and funnel counts (PostgreSQL dialect). See the SQLite file for the model.
ALTER TABLE conversations ADD COLUMN owner TEXT NOT NULL DEFAULT 'bot' CHECK (owner IN ('bot','human'));
ALTER TABLE conversations ADD COLUMN state TEXT;
ALTER TABLE conversations ADD COLUMN handover_reason TEXT;
ALTER TABLE conversations ADD COLUMN handover_at BIGINT;
CREATE UNIQUE INDEX conversations_whatsapp ON conversations(bot_id, contact_id) WHERE channel = 'whatsapp';
CREATE INDEX analytics_bot_event ON analytics_events(bot_id, event, created_at);
