-- 006: chunk embeddings for hybrid retrieval (PostgreSQL dialect); see the SQLite file for the meaning.
ALTER TABLE chunks ADD COLUMN embedding TEXT;
ALTER TABLE chunks ADD COLUMN embedding_model TEXT;
