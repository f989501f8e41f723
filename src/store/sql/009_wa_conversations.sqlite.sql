-- 009: WhatsApp conversations and funnel counts (SQLite dialect).
--
-- A WhatsApp contact has one conversation with its bot (channel 'whatsapp'; unique per bot and contact). Its
-- owner is the bot, or a person after a handover (the bot stays silent until the handback). state: the
-- flow's position and the answers given so far, as JSON sealed with the contact key (answers may be personal
-- data); NULL before the flow starts. handover_reason / handover_at: why and when the owner became a person.
-- message_count counts the contact's inbound messages (the first one gives the time to first response).
ALTER TABLE conversations ADD COLUMN owner TEXT NOT NULL DEFAULT 'bot' CHECK (owner IN ('bot','human'));
ALTER TABLE conversations ADD COLUMN state TEXT;
ALTER TABLE conversations ADD COLUMN handover_reason TEXT;
ALTER TABLE conversations ADD COLUMN handover_at INTEGER;
CREATE UNIQUE INDEX conversations_whatsapp ON conversations(bot_id, contact_id) WHERE channel = 'whatsapp';
-- funnel counts by event name and time (GET /api/v1/bots/{id}/funnel)
CREATE INDEX analytics_bot_event ON analytics_events(bot_id, event, created_at);
