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

struct app {
	struct settings settings;
	struct log log;
	struct clock clock;
	unsigned char master_key[CRYPTO_KEY_BYTES];
	struct terms *terms;
	struct rag_cache *index_cache; /* in-memory search indexes of busy bots */
	struct keyring *keyring;       /* tenant keys for personal data at rest */
	struct store *store;
	struct router *router;
	struct metrics *metrics;
	struct ratelimit *ratelimit;
	struct http_server *http;
	atomic_bool ready; /* false while starting and while draining */
	const char **metric_labels[2]; /* route patterns and methods the metrics point into */
};

#endif
