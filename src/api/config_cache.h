/*
 * config_cache.h — parsed bot configs for the public API, shared between requests.
 *
 * Every public request used to parse its bot's stored config JSON (a few KB: branding, company, hours,
 * features) — the largest single cost of a chat request after the database write. The cache keeps the
 * parsed object per bot, keyed by the bot id and a hash and length of the stored text, so any change
 * of the stored config (on any node) is a miss. The objects are shared read-only between threads
 * (jansson's reference counts are atomic): callers must not modify what they get.
 */
#ifndef BOTWERK_API_CONFIG_CACHE_H
#define BOTWERK_API_CONFIG_CACHE_H

#include <jansson.h>
#include <stddef.h>

#include "store/store.h"

struct config_cache;

/* `slots` bots are kept (direct-mapped by bot id). NULL when out of memory. */
struct config_cache *config_cache_new(size_t slots);
void config_cache_free(struct config_cache *c);

/* The bot's config as bot_config_parse would return it, shared and read-only (json_decref it when
 * done). NULL when the stored config is unreadable or memory runs out. c may be NULL (no caching). */
json_t *config_cache_get(struct config_cache *c, const struct store_bot *b);

#endif
