/* vcache.c — a bounded cache of per-bot vector sets; see vcache.h. */
#include "rag/vcache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/clock.h"

#define MODEL_MAX 128

struct vmeta {
	int64_t chunk_id;
	size_t title, heading, text; /* offsets into strs */
};

struct vcache_entry {
	_Atomic int refs;
	char bot_id[STORE_ID_MAX];
	char model[MODEL_MAX];
	int64_t version;
	double loaded_at;
	struct vec_set *set;
	struct vmeta *meta; /* in chunk id order */
	size_t nmeta, meta_cap;
	char *strs;
	size_t strs_len, strs_cap;
	size_t bytes;
	bool cached; /* in the cache's table */
	struct vcache_entry *next;
};

struct vcache {
	pthread_mutex_t lock;
	size_t max_bytes, used;
	struct vcache_entry *head; /* most recently used first */
};

static void entry_free(struct vcache_entry *e)
{
	vec_set_free(e->set);
	free(e->meta);
	free(e->strs);
	free(e);
}

void vcache_release(struct vcache_entry *e)
{
	if (e && atomic_fetch_sub(&e->refs, 1) == 1)
		entry_free(e);
}

struct vcache *vcache_new(size_t max_bytes)
{
	struct vcache *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	c->max_bytes = max_bytes;
	return c;
}

void vcache_free(struct vcache *c)
{
	if (!c)
		return;
	while (c->head) {
		struct vcache_entry *e = c->head;
		c->head = e->next;
		vcache_release(e);
	}
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* ---- loading ------------------------------------------------------------------------------------------- */

struct load {
	struct vcache_entry *e;
	float *buf;     /* one decoded vector */
	size_t buf_cap; /* floats */
	enum vec_kind kind;
	int64_t expected;
	bool failed;
};

static size_t put_str(struct vcache_entry *e, const char *s, bool *ok)
{
	size_t n = strlen(s) + 1;
	if (e->strs_len + n > e->strs_cap) {
		size_t cap = e->strs_cap ? e->strs_cap : 4096;
		while (cap < e->strs_len + n)
			cap *= 2;
		char *p = realloc(e->strs, cap);
		if (!p) {
			*ok = false;
			return 0;
		}
		e->strs = p;
		e->strs_cap = cap;
	}
	memcpy(e->strs + e->strs_len, s, n);
	e->strs_len += n;
	return e->strs_len - n;
}

static int load_one(void *ud, const struct store_embed_vec *v)
{
	struct load *L = ud;
	struct vcache_entry *e = L->e;
	size_t b64 = strlen(v->vector_b64), max = b64 / 4 * 3 + 3;
	if (max / sizeof(float) + 1 > L->buf_cap) {
		float *nb = realloc(L->buf, (max / sizeof(float) + 1) * sizeof(float));
		if (!nb)
			return (L->failed = true), 1;
		L->buf = nb;
		L->buf_cap = max / sizeof(float) + 1;
	}
	size_t bytes = 0;
	if (sodium_base642bin((unsigned char *)L->buf, L->buf_cap * sizeof(float), v->vector_b64, b64, NULL, &bytes, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    bytes == 0 || bytes % sizeof(float) != 0)
		return 0; /* a damaged vector: the chunk is searched by full text only */
	int dim = (int)(bytes / sizeof(float));
	/* stored little-endian: this is where a big-endian host would swap */
	if (!e->set) {
		e->set = vec_set_new(dim, L->kind, (size_t)(L->expected > 0 ? L->expected : 64));
		if (!e->set)
			return (L->failed = true), 1;
	}
	if (vec_set_dim(e->set) != dim)
		return 0; /* another dimension than the first: a model change half done; skip */
	int rc = vec_set_add(e->set, v->chunk_id, L->buf, dim);
	if (rc == VEC_ERR_NOMEM || rc == VEC_ERR_FULL)
		return (L->failed = true), 1;
	if (rc != VEC_OK)
		return 0; /* a zero or non-finite vector */
	if (e->nmeta == e->meta_cap) {
		size_t cap = e->meta_cap ? e->meta_cap * 2 : 64;
		struct vmeta *m = realloc(e->meta, cap * sizeof *m);
		if (!m)
			return (L->failed = true), 1;
		e->meta = m;
		e->meta_cap = cap;
	}
	bool ok = true;
	struct vmeta *m = &e->meta[e->nmeta];
	m->chunk_id = v->chunk_id;
	m->title = put_str(e, v->title, &ok);
	m->heading = put_str(e, v->heading, &ok);
	m->text = put_str(e, v->text, &ok);
	if (!ok)
		return (L->failed = true), 1;
	e->nmeta++;
	return 0;
}

static struct vcache_entry *load(struct store *st, const char *tenant_id, const char *bot_id, const char *model,
				 int64_t version)
{
	struct vcache_entry *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	atomic_init(&e->refs, 1);
	snprintf(e->bot_id, sizeof e->bot_id, "%s", bot_id);
	snprintf(e->model, sizeof e->model, "%s", model);
	e->version = version;
	e->loaded_at = clock_mono();
	int64_t total = 0, done = 0;
	if (store_embed_count(st, tenant_id, bot_id, model, &total, &done) != STORE_OK) {
		free(e);
		return NULL;
	}
	if (done > 0) {
		struct load L = {.e = e, .kind = done > VCACHE_I8_ABOVE ? VEC_I8 : VEC_F32, .expected = done};
		int rc = store_embed_load(st, tenant_id, bot_id, model, load_one, &L);
		free(L.buf);
		if (rc != STORE_OK || L.failed) {
			entry_free(e);
			return NULL;
		}
	}
	e->bytes = sizeof *e + (e->set ? vec_set_bytes(e->set) : 0) + e->meta_cap * sizeof *e->meta + e->strs_cap;
	return e;
}

/* ---- the cache ---------------------------------------------------------------------------------------- */

/* Unlinks e from the table (lock held); the table's reference is dropped by the caller. */
static void unlink_entry(struct vcache *c, struct vcache_entry *e)
{
	for (struct vcache_entry **p = &c->head; *p; p = &(*p)->next)
		if (*p == e) {
			*p = e->next;
			break;
		}
	e->next = NULL;
	e->cached = false;
	c->used -= e->bytes;
}

struct vcache_entry *vcache_get(struct vcache *c, struct store *st, const char *tenant_id, const char *bot_id,
				const char *model, int64_t version)
{
	double now = clock_mono();
	pthread_mutex_lock(&c->lock);
	for (struct vcache_entry *e = c->head; e; e = e->next) {
		if (strcmp(e->bot_id, bot_id) || strcmp(e->model, model))
			continue;
		if (e->version == version && now - e->loaded_at < VCACHE_TTL_S) {
			/* move to the front */
			unlink_entry(c, e);
			e->next = c->head;
			c->head = e;
			e->cached = true;
			c->used += e->bytes;
			atomic_fetch_add(&e->refs, 1);
			pthread_mutex_unlock(&c->lock);
			return e;
		}
		unlink_entry(c, e); /* stale */
		vcache_release(e);
		break;
	}
	pthread_mutex_unlock(&c->lock);

	struct vcache_entry *e = load(st, tenant_id, bot_id, model, version);
	if (!e)
		return NULL;
	if (e->bytes > c->max_bytes)
		return e; /* too large to keep: this caller's alone */
	pthread_mutex_lock(&c->lock);
	/* another thread may have loaded the same meanwhile: keep one */
	for (struct vcache_entry *o = c->head; o; o = o->next)
		if (!strcmp(o->bot_id, bot_id) && !strcmp(o->model, model)) {
			unlink_entry(c, o);
			vcache_release(o);
			break;
		}
	while (c->head && c->used + e->bytes > c->max_bytes) {
		struct vcache_entry *last = c->head, **pp = &c->head;
		while (last->next) {
			pp = &last->next;
			last = last->next;
		}
		*pp = NULL;
		last->cached = false;
		c->used -= last->bytes;
		vcache_release(last);
	}
	e->next = c->head;
	c->head = e;
	e->cached = true;
	c->used += e->bytes;
	atomic_fetch_add(&e->refs, 1); /* the table's */
	pthread_mutex_unlock(&c->lock);
	return e;
}

void vcache_invalidate(struct vcache *c, const char *bot_id)
{
	pthread_mutex_lock(&c->lock);
	for (struct vcache_entry *e = c->head, *next; e; e = next) {
		next = e->next;
		if (!strcmp(e->bot_id, bot_id)) {
			unlink_entry(c, e);
			vcache_release(e);
		}
	}
	pthread_mutex_unlock(&c->lock);
}

const struct vec_set *vcache_set(const struct vcache_entry *e)
{
	return e ? e->set : NULL;
}

bool vcache_chunk(const struct vcache_entry *e, int64_t chunk_id, const char **title, const char **heading,
		  const char **text)
{
	size_t lo = 0, hi = e->nmeta;
	while (lo < hi) { /* loaded in chunk id order */
		size_t mid = lo + (hi - lo) / 2;
		if (e->meta[mid].chunk_id < chunk_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == e->nmeta || e->meta[lo].chunk_id != chunk_id)
		return false;
	*title = e->strs + e->meta[lo].title;
	*heading = e->strs + e->meta[lo].heading;
	*text = e->strs + e->meta[lo].text;
	return true;
}
