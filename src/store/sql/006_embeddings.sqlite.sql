-- 006: chunk embeddings for hybrid retrieval (SQLite dialect).
--
-- chunks.embedding: the chunk's vector from the bot's embeddings model, little-endian float32 in base64
-- (standard alphabet); chunks.embedding_model: the model that made it. A chunk whose model differs from
-- the bot's current one counts as not embedded, so changing the model re-embeds everything; new chunks
-- (a new or refreshed source) arrive without one. src/jobs/embedder.c fills them in the background.
ALTER TABLE chunks ADD COLUMN embedding TEXT;
ALTER TABLE chunks ADD COLUMN embedding_model TEXT;
