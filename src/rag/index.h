/*
 * index.h — an in-memory search index of one bot's knowledge, and a bounded cache of them.
 *
 * The durable index is the store's (FTS5 / tsvector). Ranking there costs about a millisecond per
 * question for a 1,000-chunk bot, because every chunk that shares a common word is scored. For bots
 * that are asked often, this index holds the same terms (built with the same terms_tokenize) as
 * posting lists in memory and answers store_chunk_search's contract in microseconds: chunks holding
 * at least min_match of the words, ranked by BM25 (heading terms count double, as in the store),
 * with the same `matched` masks.
 *
 * The cache is keyed by bot id and the bot's knowledge_version (raised by every source change), so a
 * change on any node is seen by the next question on every node. It is bounded by bytes and evicts
 * the least recently used index; an index in use stays alive until released (reference counted).
 * Bots whose index would not fit are remembered as such and searched in the store.
 */
#ifndef BOTWERK_RAG_INDEX_H
#define BOTWERK_RAG_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "rag/terms.h"
#include "store/store.h"

struct rag_cache;
struct rag_index;

/* max_bytes 0 disables the cache: rag_cache_get then always returns NULL. NULL when out of memory. */
struct rag_cache *rag_cache_new(size_t max_bytes);
void rag_cache_free(struct rag_cache *c);

/* The bot's index at `version`, from the cache or built from store_chunk_list. NULL when the cache is
 * off or the bot is too large for it, or the build failed (logged nowhere: the caller then searches the
 * store, which reports its own errors). Release the result with rag_index_release. */
struct rag_index *rag_cache_get(struct rag_cache *c, struct terms *t, struct store *st, const char *tenant_id,
				const char *bot_id, int64_t version);
void rag_index_release(struct rag_index *ix);

/* store_chunk_search's contract on the index (hits are owned by the caller: store_hit_clear). */
int rag_index_search(const struct rag_index *ix, struct terms *t, const char *const *words, int nwords,
		     int min_match, int limit, struct store_hit *hits, int *n);

/* Bit i set when words[i] (i < 32) occurs in no chunk of the bot at all (a term of it is in no chunk):
 * such a word can never be matched, whatever the question's other words. */
uint32_t rag_index_absent_words(const struct rag_index *ix, struct terms *t, const char *const *words, int nwords);

/* One question prepared against an index: the ways each word can match (compounds, typos, synonyms)
 * are worked out once and then serve both calls below. `ix` must outlive it. NULL when memory runs out. */
struct rag_query;
struct rag_query *rag_query_new(const struct rag_index *ix, struct terms *t, const char *const *words, int nwords);
void rag_query_free(struct rag_query *q);
/* rag_index_absent_words and rag_index_search on a prepared question. */
uint32_t rag_query_absent(const struct rag_query *q);
int rag_query_search(const struct rag_query *q, int min_match, int limit, struct store_hit *hits, int *n);

/* Builds an index directly (tests; the cache uses it). NULL on failure, with *rc the store's code. */
struct rag_index *rag_index_build(struct terms *t, struct store *st, const char *tenant_id, const char *bot_id,
				  int64_t version, int *rc);
size_t rag_index_bytes(const struct rag_index *ix);

#endif
