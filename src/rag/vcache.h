/*
 * vcache.h — the in-memory vectors of busy bots (rag/vectors.h) with the chunks they stand for, loaded
 * from the store (store_embed_load) and shared by every question to the same bot.
 *
 * An entry is keyed by bot, embeddings model and the bot's knowledge_version; the embedder
 * (jobs/embedder.h) drops a bot's entry when it has stored new vectors, and entries older than
 * VCACHE_TTL_S are reloaded (vectors written by another process). A bot without vectors is cached as an
 * empty entry (no set). Bounded by bytes, least recently used first out; an entry in use stays alive
 * until released. Sets above VCACHE_I8_ABOVE vectors are kept as int8 (a quarter of the memory, about
 * twice as fast, scores within ~0.002; docs/internals/vectors.md).
 */
#ifndef BOTWERK_RAG_VCACHE_H
#define BOTWERK_RAG_VCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rag/vectors.h"
#include "store/store.h"

#define VCACHE_TTL_S 60.0
#define VCACHE_I8_ABOVE 20000

struct vcache;
struct vcache_entry;

/* NULL when out of memory. */
struct vcache *vcache_new(size_t max_bytes);
void vcache_free(struct vcache *c);

/* The bot's vectors from `model` at `version`: cached or loaded. NULL when loading failed (the caller
 * then searches without vectors); an entry without a set when the bot has no vectors yet. Release it. */
struct vcache_entry *vcache_get(struct vcache *c, struct store *st, const char *tenant_id, const char *bot_id,
				const char *model, int64_t version);
void vcache_release(struct vcache_entry *e);
/* Forgets the bot's entries (new vectors were stored). */
void vcache_invalidate(struct vcache *c, const char *bot_id);

/* The set, NULL when the bot has no vectors. */
const struct vec_set *vcache_set(const struct vcache_entry *e);
/* The chunk behind a vector: false when the id is not in the entry. Strings live as long as the entry. */
bool vcache_chunk(const struct vcache_entry *e, int64_t chunk_id, const char **title, const char **heading,
		  const char **text);

#endif
