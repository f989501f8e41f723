-- 002: bots.knowledge_version (PostgreSQL dialect); mirrors 002_knowledge_version.sqlite.sql.
-- A counter the store raises by one in the same transaction as every source create and delete, so a
-- cache of a bot's knowledge can tell whether it is stale. Existing bots start at 0. bot_update never
-- changes it. (PostgreSQL 11+ adds a column with a constant default without rewriting the table.)
-- Applied once by the store's migration runner, inside its transaction; no BEGIN/COMMIT here.

ALTER TABLE bots ADD COLUMN knowledge_version BIGINT NOT NULL DEFAULT 0;
