/* config_cache.c — parsed bot configs shared between public requests (see config_cache.h). */
#include "api/config_cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/bot_json.h"

struct slot {
	char bot_id[STORE_ID_MAX];
	uint64_t hash; /* of the stored config text */
	size_t len;
	json_t *config; /* NULL: empty */
};

struct config_cache {
	pthread_mutex_t lock;
	size_t n;
	struct slot slots[];
};

static uint64_t fnv1a(const char *s, size_t *len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const char *p = s;
	for (; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 0x100000001b3ULL;
	}
	*len = (size_t)(p - s);
	return h;
}

struct config_cache *config_cache_new(size_t slots)
{
	if (slots == 0)
		slots = 1;
	struct config_cache *c = calloc(1, sizeof *c + slots * sizeof c->slots[0]);
	if (!c)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	c->n = slots;
	return c;
}

void config_cache_free(struct config_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		json_decref(c->slots[i].config);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

json_t *config_cache_get(struct config_cache *c, const struct store_bot *b)
{
	if (!c)
		return bot_config_parse(b);
	size_t len, idlen;
	uint64_t hash = fnv1a(b->config ? b->config : "", &len);
	struct slot *s = &c->slots[fnv1a(b->id, &idlen) % c->n];
	json_t *config = NULL;

	pthread_mutex_lock(&c->lock);
	if (s->config && s->hash == hash && s->len == len && !strcmp(s->bot_id, b->id))
		config = json_incref(s->config);
	pthread_mutex_unlock(&c->lock);
	if (config)
		return config;

	config = bot_config_parse(b); /* outside the lock: parsing is the slow part */
	if (!config)
		return NULL;
	json_t *old = NULL;
	pthread_mutex_lock(&c->lock);
	old = s->config;
	snprintf(s->bot_id, sizeof s->bot_id, "%s", b->id);
	s->hash = hash;
	s->len = len;
	s->config = json_incref(config);
	pthread_mutex_unlock(&c->lock);
	json_decref(old);
	return config;
}
