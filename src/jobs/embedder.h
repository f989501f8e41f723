/*
 * embedder.h — the background job that gives every chunk of a bot with an embeddings model its vector
 * (hybrid retrieval; rag/vcache.h, rag/answer.h).
 *
 * A thread started with `serve` runs a round at once, then every `interval_s` seconds or as soon as
 * embedder_poke() is called (a source was added). A round walks every bot (store_bot_scan), resolves its
 * embeddings settings through the caller's `resolve` (the bot's config over the server's, secrets
 * opened) and, for bots that have a model, embeds the chunks that have no vector from that model yet, in
 * batches of EMBEDDER_BATCH, storing each batch in one transaction. That makes the work resumable (a
 * crash or restart loses at most the batch in flight) and re-embeds everything when a bot's model
 * changes. A failing endpoint ends that bot's turn for the round (logged once per round); the next round
 * tries again. After a batch is stored, the bot's cached vectors are dropped so the next question sees
 * them.
 */
#ifndef BOTWERK_JOBS_EMBEDDER_H
#define BOTWERK_JOBS_EMBEDDER_H

#include <jansson.h>
#include <stdint.h>

#include "base/log.h"
#include "llm/config.h"
#include "net/httpc.h"
#include "rag/vcache.h"
#include "store/store.h"

#define EMBEDDER_BATCH 32
#define EMBEDDER_TIMEOUT_MS 60000

/* The bot's settings: 0 and *out filled (out->embeddings false: nothing to do), -1 to skip the bot. */
typedef int (*embedder_resolve_fn)(void *ud, const struct store_bot *b, struct llm_config *out);

struct embedder_config {
	struct store *store;
	struct httpc *http;
	struct vcache *vcache; /* may be NULL */
	const struct log *log;
	embedder_resolve_fn resolve;
	void *resolve_ud;
	long interval_s;
};

struct embedder_stats {
	uint64_t rounds, embedded, failures;
};

struct embedder;

struct embedder *embedder_start(const struct embedder_config *cfg, char *err, size_t errlen);
/* Runs a round soon (new chunks). NULL is fine. */
void embedder_poke(struct embedder *e);
void embedder_stats(struct embedder *e, struct embedder_stats *out);
/* Stops after the batch in flight; frees. NULL is fine. */
void embedder_stop(struct embedder *e);

#endif
