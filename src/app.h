/*
 * app.h — the one application context, built by main.c and passed explicitly (as req->ctx to handlers).
 * Nothing else in botwerk holds mutable state outside it.
 */
#ifndef BOTWERK_APP_H
#define BOTWERK_APP_H

#include <stdatomic.h>
#include <stdbool.h>

#include "base/clock.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/settings.h"
#include "http/metrics.h"
#include "http/ratelimit.h"
#include "http/router.h"
#include "http/server.h"
#include "privacy/keys.h"
#include "rag/index.h"
#include "rag/terms.h"
#include "store/store.h"

struct config_cache;
struct httpc;
struct llm_client;
struct extractor;
struct vcache;
struct embedder;
struct ingest;
struct wa_processor;
struct wa_sender;
struct scheduler;

struct app {
	struct settings settings;
	struct log log;
	struct clock clock;
	int64_t clock_offset_ms;       /* BOTWERK_CLOCK_OFFSET_S (tests): what `clock` adds to the wall clock */
	unsigned char master_key[CRYPTO_KEY_BYTES];
	/* what API keys are hashed with: the master key, or — once the master key was rotated — the first
	 * master key, kept wrapped in the database (server_keys "apikey-hash") */
	unsigned char apikey_key[CRYPTO_KEY_BYTES];
	int apikey_key_state;          /* APP_APIKEY_* (app_setup.h) */
	uint32_t apikey_key_kek;       /* APP_APIKEY_LOCKED: the master key id the stored key needs */
	struct terms *terms;
	struct rag_cache *index_cache; /* in-memory search indexes of busy bots */
	struct keyring *keyring;       /* tenant keys for personal data at rest */
	struct config_cache *config_cache; /* parsed bot configs for the public API */
	struct store *store;
	struct router *router;
	struct metrics *metrics;
	struct ratelimit *ratelimit;
	struct http_server *http;
	struct housekeeping *housekeeping; /* the periodic job of `serve` (src/jobs/housekeeping.h) */
	struct httpc *httpc;           /* outgoing HTTP (net/httpc.h): models, embeddings */
	struct llm_client *llm;        /* chat completions with breakers (llm/client.h) */
	struct extractor *extractor;   /* profile extraction patterns (conv/extract.h) */
	struct vcache *vcache;         /* in-memory chunk vectors of busy bots (rag/vcache.h) */
	struct embedder *embedder;     /* the background embeddings job of `serve` (jobs/embedder.h) */
	struct ingest *ingest;         /* the background ingestion of `serve` (jobs/ingest.h) */
	struct wa_processor *wa;       /* the processing of stored WhatsApp events (api/wa_process.c) */
	struct wa_sender *wa_sender;   /* WhatsApp send pacing per bot (api/wa_send.h) */
	struct scheduler *sched;       /* the durable job scheduler of `serve` (jobs/scheduler.h) */
	_Atomic uint64_t chat_llm_answers;   /* chat answers written by a model */
	_Atomic uint64_t chat_llm_degraded;  /* chats that wanted a model and got the extractive answer */
	atomic_bool ready; /* false while starting and while draining */
	const char **metric_labels[2]; /* route patterns and methods the metrics point into */
};

#endif
