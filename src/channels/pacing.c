/*
 * pacing.c — token buckets per sending number and per (number, recipient) pair, with backoff blocks
 * (rules in pacing.h).
 *
 * Buckets count in exact integers: a bucket's `credit` grows by `gain` per millisecond up to `cap`, and
 * a send costs `cost`. Number bucket: gain = messages per second, cost = 1000 (so 80/s is 80 per ms
 * against 1000 per message, 12.5 ms per message with no rounding drift). Pair bucket: gain = 1, cost =
 * the interval in ms. cap = burst × cost + slack (see table_init).
 *
 * Tables: a hash table of fixed-size entries, chained through indices, with a doubly linked LRU list.
 * Entries are stored in an array that doubles up to the table's cap; once full, the least recently used
 * entry is unlinked from its chain and reused.
 */
#include "channels/pacing.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"

#define NIL UINT32_MAX

struct bucket {
	int64_t credit;        /* in cost units, 0..cap */
	int64_t last_ms;       /* when credit was last brought up to date */
	int64_t blocked_until; /* backoff: nothing goes before this instant */
};

struct entry {
	uint64_t hash;
	uint32_t chain;      /* next entry in the same hash slot */
	uint32_t prev, next; /* LRU list, most recent first */
	struct bucket b;
	char key[2 * PACING_KEY_MAX + 2]; /* number, or number "\x1f" recipient */
};

struct table {
	struct entry *e;
	uint32_t n, alloc, cap;   /* used, allocated, most */
	uint32_t *slots;          /* hash slot → first entry */
	uint32_t nslots;          /* a power of two >= cap */
	uint32_t head, tail;      /* LRU */
	int64_t gain, cost, full; /* bucket parameters (full = cap in credit units) */
	bool unlimited;           /* no bucket, only backoff blocks (pair pacing switched off) */
};

struct pacing {
	pthread_mutex_t mu;
	struct pacing_config cfg;
	struct table numbers, pairs;
};

/* ---- config --------------------------------------------------------------------------------------- */

void pacing_config_defaults(struct pacing_config *cfg)
{
	cfg->number_per_second = 80;
	cfg->number_burst = 1;
	cfg->recipient_interval_ms = 6000;
	cfg->recipient_burst = 1;
	cfg->max_numbers = 1024;
	cfg->max_recipients = 20000;
	cfg->backoff_base_ms = 1000;
	cfg->backoff_max_ms = 300000;
}

static bool config_ok(const struct pacing_config *c)
{
	return c->number_per_second >= 1 && c->number_per_second <= 10000 && c->number_burst >= 1 &&
	       c->number_burst <= 10000 && (int64_t)c->number_burst * 1000 >= c->number_per_second &&
	       c->recipient_interval_ms >= 0 && c->recipient_interval_ms <= 3600000 && c->recipient_burst >= 1 &&
	       c->recipient_burst <= 100 && c->max_numbers >= 1 && c->max_numbers <= 100000 &&
	       c->max_recipients >= 1 && c->max_recipients <= 10000000 && c->backoff_base_ms >= 1 &&
	       c->backoff_base_ms <= 3600000 && c->backoff_max_ms >= c->backoff_base_ms &&
	       c->backoff_max_ms <= 86400000;
}

/* jansson's object iterator takes a non-const object but does not change it. */
static json_t *unconst(const json_t *v)
{
	union {
		const json_t *c;
		json_t *m;
	} u = {.c = v};
	return u.m;
}

int pacing_config_from_json(const json_t *v, struct pacing_config *cfg, char *err, size_t errlen)
{
	static const struct {
		const char *key;
		long min, max;
	} keys[] = {
		{"messages_per_second", 1, 1000},
		{"burst", 1, 1000},
		{"recipient_interval_seconds", 0, 3600},
		{"recipient_burst", 1, 100},
	};
	long val[4];
	const char *key;
	json_t *x;

	if (!cfg)
		return errbuf_set(err, errlen, "pacing: no target");
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return errbuf_set(err, errlen, "pacing must be an object");
	json_object_foreach(unconst(v), key, x)
	{
		size_t k = 0;
		while (k < 4 && strcmp(key, keys[k].key) != 0)
			k++;
		if (k == 4)
			return errbuf_set(err, errlen,
				    "pacing: unknown field \"%.40s\" (messages_per_second, burst, "
				    "recipient_interval_seconds, recipient_burst)",
				    key);
	}
	for (size_t k = 0; k < 4; k++) {
		x = json_object_get(v, keys[k].key);
		val[k] = -1;
		if (!x)
			continue;
		json_int_t n = json_is_integer(x) ? json_integer_value(x) : keys[k].min - 1;
		if (n < keys[k].min || n > keys[k].max)
			return errbuf_set(err, errlen, "pacing.%s must be a whole number from %ld to %ld", keys[k].key,
				    keys[k].min, keys[k].max);
		val[k] = (long)n;
	}
	if (val[0] >= 0)
		cfg->number_per_second = (int)val[0];
	if (val[1] >= 0)
		cfg->number_burst = (int)val[1];
	if (val[2] >= 0)
		cfg->recipient_interval_ms = (int64_t)val[2] * 1000;
	if (val[3] >= 0)
		cfg->recipient_burst = (int)val[3];
	return 0;
}

/* ---- tables --------------------------------------------------------------------------------------- */

static uint64_t hash_key(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static int table_init(struct table *t, size_t cap, int64_t gain, int64_t cost, int64_t burst)
{
	memset(t, 0, sizeof *t);
	t->cap = (uint32_t)cap;
	t->nslots = 16;
	while (t->nslots < t->cap)
		t->nslots <<= 1;
	t->slots = malloc((size_t)t->nslots * sizeof *t->slots);
	if (!t->slots)
		return -1;
	for (uint32_t i = 0; i < t->nslots; i++)
		t->slots[i] = NIL;
	t->head = t->tail = NIL;
	t->gain = gain;
	t->cost = cost;
	/* Waits are whole milliseconds, so a send often comes a fraction of a millisecond after its credit
	 * was complete; slack of less than one millisecond of refill (and less than one message) keeps that
	 * excess instead of capping it away, so 80/s really averages 80/s. */
	t->full = burst * cost + (gain < cost ? gain : cost) - 1;
	return 0;
}

static void table_free(struct table *t)
{
	free(t->e);
	free(t->slots);
}

static void lru_unlink(struct table *t, uint32_t i)
{
	struct entry *e = &t->e[i];
	if (e->prev != NIL)
		t->e[e->prev].next = e->next;
	else
		t->head = e->next;
	if (e->next != NIL)
		t->e[e->next].prev = e->prev;
	else
		t->tail = e->prev;
}

static void lru_push_front(struct table *t, uint32_t i)
{
	struct entry *e = &t->e[i];
	e->prev = NIL;
	e->next = t->head;
	if (t->head != NIL)
		t->e[t->head].prev = i;
	t->head = i;
	if (t->tail == NIL)
		t->tail = i;
}

static void chain_unlink(struct table *t, uint32_t i)
{
	uint32_t *p = &t->slots[t->e[i].hash & (t->nslots - 1)];
	while (*p != NIL && *p != i)
		p = &t->e[*p].chain;
	if (*p == i)
		*p = t->e[i].chain;
}

/* The entry for `key`, created full at now_ms when missing (reusing the least recently used one when
 * the table is full), and marked most recently used. NULL when memory runs out. */
static struct entry *table_get(struct table *t, const char *key, int64_t now_ms)
{
	uint64_t h = hash_key(key);
	uint32_t slot = (uint32_t)(h & (t->nslots - 1));
	uint32_t i;

	for (i = t->slots[slot]; i != NIL; i = t->e[i].chain)
		if (t->e[i].hash == h && !strcmp(t->e[i].key, key))
			break;
	if (i == NIL) {
		if (t->n < t->cap) {
			if (t->n == t->alloc) {
				uint32_t na = t->alloc ? t->alloc * 2 : 16;
				if (na > t->cap)
					na = t->cap;
				struct entry *ne = realloc(t->e, (size_t)na * sizeof *ne);
				if (!ne)
					return NULL;
				t->e = ne;
				t->alloc = na;
			}
			i = t->n++;
		} else {
			i = t->tail;
			lru_unlink(t, i);
			chain_unlink(t, i);
		}
		struct entry *e = &t->e[i];
		e->hash = h;
		snprintf(e->key, sizeof e->key, "%s", key);
		e->b.credit = t->full;
		e->b.last_ms = now_ms;
		e->b.blocked_until = 0;
		e->chain = t->slots[slot];
		t->slots[slot] = i;
	} else {
		lru_unlink(t, i);
	}
	lru_push_front(t, i);
	return &t->e[i];
}

/* Brings the bucket's credit up to now (time never runs backwards for it). */
static void refill(const struct table *t, struct bucket *b, int64_t now_ms)
{
	if (now_ms > b->last_ms) {
		int64_t dt = now_ms - b->last_ms;
		int64_t room = t->full - b->credit;
		/* dt * gain could overflow after a very long idle time: compare first */
		b->credit = dt >= (room + t->gain - 1) / t->gain ? t->full : b->credit + dt * t->gain;
		b->last_ms = now_ms;
	}
}

/* Milliseconds until the bucket can pay one message (0 = now). */
static int64_t bucket_wait(const struct table *t, const struct bucket *b, int64_t now_ms)
{
	int64_t w = 0;
	if (!t->unlimited && b->credit < t->cost)
		w = (t->cost - b->credit + t->gain - 1) / t->gain;
	if (b->blocked_until > now_ms && b->blocked_until - now_ms > w)
		w = b->blocked_until - now_ms;
	return w;
}

/* ---- pacing --------------------------------------------------------------------------------------- */

struct pacing *pacing_new(const struct pacing_config *cfg)
{
	struct pacing_config c;

	if (cfg)
		c = *cfg;
	else
		pacing_config_defaults(&c);
	if (!config_ok(&c))
		return NULL;
	struct pacing *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->cfg = c;
	int64_t pair_cost = c.recipient_interval_ms > 0 ? c.recipient_interval_ms : 1;
	if (table_init(&p->numbers, c.max_numbers, c.number_per_second, 1000, c.number_burst) != 0 ||
	    table_init(&p->pairs, c.max_recipients, 1, pair_cost, c.recipient_burst) != 0 ||
	    pthread_mutex_init(&p->mu, NULL) != 0) {
		table_free(&p->numbers);
		table_free(&p->pairs);
		free(p);
		return NULL;
	}
	p->pairs.unlimited = c.recipient_interval_ms == 0; /* pair entries then only carry backoff blocks */
	return p;
}

void pacing_free(struct pacing *p)
{
	if (!p)
		return;
	pthread_mutex_destroy(&p->mu);
	table_free(&p->numbers);
	table_free(&p->pairs);
	free(p);
}

static bool id_ok(const char *s)
{
	return s && s[0] && strlen(s) <= PACING_KEY_MAX;
}

/* number "\x1f" recipient into key (sized for two ids). */
static void pair_key(char *key, size_t len, const char *number, const char *recipient)
{
	snprintf(key, len, "%s\x1f%s", number, recipient);
}

int pacing_acquire(struct pacing *p, const char *number, const char *recipient, int64_t now_ms, int64_t *wait_ms)
{
	char key[2 * PACING_KEY_MAX + 2];
	int rc;

	if (!p || !wait_ms || !id_ok(number) || (recipient && !id_ok(recipient)))
		return -1;
	*wait_ms = 0;
	pthread_mutex_lock(&p->mu);
	struct entry *ne = table_get(&p->numbers, number, now_ms);
	struct bucket *nb = ne ? &ne->b : NULL;
	struct bucket *pb = NULL;
	if (nb && recipient) {
		pair_key(key, sizeof key, number, recipient);
		struct entry *pe = table_get(&p->pairs, key, now_ms);
		pb = pe ? &pe->b : NULL;
		if (!pb)
			nb = NULL;
	}
	if (!nb) {
		rc = -1; /* out of memory */
		goto out;
	}
	refill(&p->numbers, nb, now_ms);
	int64_t w = bucket_wait(&p->numbers, nb, now_ms);
	if (pb) {
		refill(&p->pairs, pb, now_ms);
		int64_t pw = bucket_wait(&p->pairs, pb, now_ms);
		if (pw > w)
			w = pw;
	}
	if (w > 0) {
		*wait_ms = w;
		rc = 0;
		goto out;
	}
	nb->credit -= p->numbers.cost;
	if (pb && !p->pairs.unlimited)
		pb->credit -= p->pairs.cost;
	rc = 1;
out:
	pthread_mutex_unlock(&p->mu);
	return rc;
}

int64_t pacing_backoff_delay(int64_t base_ms, int64_t max_ms, int attempt, uint32_t rnd)
{
	int64_t d = base_ms > 0 ? base_ms : 1;

	if (max_ms < d)
		max_ms = d;
	for (int i = 1; i < attempt && d < max_ms; i++)
		d *= 2; /* stops at the first value >= max_ms: no overflow */
	if (d > max_ms)
		d = max_ms;
	int64_t half = d / 2;
	return d - half + (int64_t)(rnd % (uint64_t)(half + 1));
}

int64_t pacing_backoff(struct pacing *p, const char *number, const char *recipient, int64_t now_ms, int attempt,
		       uint32_t rnd)
{
	char key[2 * PACING_KEY_MAX + 2];

	if (!p || !id_ok(number) || (recipient && !id_ok(recipient)))
		return -1;
	int64_t base = p->cfg.backoff_base_ms;
	if (recipient && p->cfg.recipient_interval_ms > base)
		base = p->cfg.recipient_interval_ms;
	int64_t delay = pacing_backoff_delay(base, p->cfg.backoff_max_ms, attempt, rnd);
	pthread_mutex_lock(&p->mu);
	struct entry *e;
	if (recipient) {
		pair_key(key, sizeof key, number, recipient);
		e = table_get(&p->pairs, key, now_ms);
	} else {
		e = table_get(&p->numbers, number, now_ms);
	}
	if (e && e->b.blocked_until < now_ms + delay)
		e->b.blocked_until = now_ms + delay;
	pthread_mutex_unlock(&p->mu);
	return e ? delay : -1;
}

size_t pacing_entries(struct pacing *p)
{
	if (!p)
		return 0;
	pthread_mutex_lock(&p->mu);
	size_t n = (size_t)p->numbers.n + p->pairs.n;
	pthread_mutex_unlock(&p->mu);
	return n;
}
