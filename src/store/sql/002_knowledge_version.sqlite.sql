-- 002: bots.knowledge_version (SQLite dialect).
-- A counter the store raises by one in the same transaction as every source create and delete, so a
-- cache of a bot's knowledge can tell whether it is stale. Existing bots start at 0. bot_update never
-- changes it.

ALTER TABLE bots ADD COLUMN knowledge_version INTEGER NOT NULL DEFAULT 0;
