/*
 * index.c — in-memory posting lists per bot (BM25) and the byte-bounded LRU cache around them.
 *
 * Layout of one index: all strings (chunk titles, headings, texts, terms) live in one buffer and are
 * referred to by offset; terms are found through an open-addressing hash table; each term has a posting
 * list in chunk order with the term's frequency in the chunk's heading and text. An index is immutable
 * once built, so searches need no lock; only the cache's table and LRU list are guarded by a mutex.
 */
#include "rag/index.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rag/index_int.h"
#include "rag/vocab.h"

#define HEADING_WEIGHT 2.0 /* as the store's bm25(0, 2, 1) */
#define BM25_K1 1.2
#define BM25_B 0.75
#define CACHE_BUCKETS 1024

struct rag_cache {
	pthread_mutex_t lock;
	size_t max_bytes, used;
	struct rag_index *mru, *lru;
	struct rag_index *bucket[CACHE_BUCKETS];
};

static uint32_t hash_str(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

/* ---- building -------------------------------------------------------------------------------------- */

/* Appends a NUL-terminated copy of s[0..n) to the string buffer; returns its offset or 0 on failure
 * (offset 0 holds a NUL byte, so it never names a real string). */
static size_t add_str(struct rag_index *ix, const char *s, size_t n)
{
	if (ix->strs_len + n + 1 > ix->strs_cap) {
		size_t cap = ix->strs_cap ? ix->strs_cap : 4096;
		while (cap < ix->strs_len + n + 1)
			cap *= 2;
		char *p = realloc(ix->strs, cap);
		if (!p)
			return 0;
		ix->strs = p;
		ix->strs_cap = cap;
	}
	size_t off = ix->strs_len;
	memcpy(ix->strs + off, s, n);
	ix->strs[off + n] = '\0';
	ix->strs_len += n + 1;
	return off;
}

struct term *rag_index_slot(const struct rag_index *ix, const char *term, size_t n)
{
	uint32_t mask = ix->terms_cap - 1, i = hash_str(term, n) & mask;
	for (;;) {
		struct term *e = &ix->terms[i];
		if (!e->off || (strncmp(ix->strs + e->off, term, n) == 0 && ix->strs[e->off + n] == '\0'))
			return e;
		i = (i + 1) & mask;
	}
}

/* Makes room for one more element in a growable array (doubling from `first`). 0, or -1 when out of
 * memory (the array is left as it was). */
static int reserve_one(void **arr, uint32_t n, uint32_t *cap, size_t elem, uint32_t first)
{
	if (n < *cap)
		return 0;
	uint32_t c = *cap ? *cap * 2 : first;
	void *p = realloc(*arr, (size_t)c * elem);
	if (!p)
		return -1;
	*arr = p;
	*cap = c;
	return 0;
}

static int grow_terms(struct rag_index *ix)
{
	uint32_t cap = ix->terms_cap ? ix->terms_cap * 2 : 1024;
	struct term *old = ix->terms;
	uint32_t oldcap = ix->terms_cap;
	ix->terms = calloc(cap, sizeof *ix->terms);
	if (!ix->terms) {
		ix->terms = old;
		return -1;
	}
	ix->terms_cap = cap;
	for (uint32_t i = 0; i < oldcap; i++)
		if (old[i].off) {
			const char *s = ix->strs + old[i].off;
			*rag_index_slot(ix, s, strlen(s)) = old[i];
		}
	free(old);
	return 0;
}

struct build {
	struct rag_index *ix;
	struct terms *t;
	const char *text; /* being tokenized */
	uint32_t chunk;
	bool heading;
	bool failed;
};

/* terms_tokenize callback while building: one more occurrence of `term` in the current chunk. */
static int add_term(void *ud, const char *term, size_t n, size_t start, size_t end)
{
	struct build *b = ud;
	struct rag_index *ix = b->ix;
	if ((ix->nterms + 1) * 2 > ix->terms_cap && grow_terms(ix) != 0)
		goto fail;
	struct term *e = rag_index_slot(ix, term, n);
	if (!e->off) {
		size_t off = add_str(ix, term, n);
		if (!off)
			goto fail;
		*e = (struct term){.off = off, .last = UINT32_MAX};
		ix->nterms++;
	}
	if (e->last != b->chunk) {
		void *arr = e->p;
		int grown = reserve_one(&arr, e->n, &e->cap, sizeof *e->p, 4);
		e->p = arr;
		if (grown != 0)
			goto fail;
		e->p[e->n++] = (struct posting){.chunk = b->chunk};
		e->last = b->chunk;
	}
	char form[TERMS_WORD_MAX + 1];
	size_t flen = terms_fold_word(b->t, b->text + start, end - start, form);
	if (flen > 0 && vocab_add(ix->vocab, form, flen, e->off) != 0)
		goto fail;
	struct posting *p = &e->p[e->n - 1];
	if (b->heading) {
		if (p->tf_head < UINT16_MAX)
			p->tf_head++;
	} else if (p->tf_text < UINT16_MAX) {
		p->tf_text++;
	}
	ix->chunks[b->chunk].len++;
	return 0;
fail:
	b->failed = true;
	return -1;
}

/* Each euro sign in `s` also counts as the word "euro": prices are written "34,00 €", questions ask
 * what something costs (rag/synonyms.h joins "kostet", "Preis", "Euro"). The tokenizer drops the sign,
 * so the store's full text does not have this term (index.h). */
static int add_currency(struct build *b, const char *s)
{
	char term[TERMS_WORD_MAX + 1];
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, "\xE2\x82\xAC")) != NULL; p += 3) {
		if (n == 0 && (n = terms_normalize_word(b->t, "euro", 4, term)) == 0)
			return -1;
		if (add_term(b, term, n, 0, 0) != 0)
			return -1;
	}
	return 0;
}

/* store_chunk_list callback: copies the chunk and indexes its heading and text. */
static int add_chunk(void *ud, const struct store_chunk_row *row)
{
	struct build *b = ud;
	struct rag_index *ix = b->ix;
	void *arr = ix->chunks;
	int grown = reserve_one(&arr, ix->nchunks, &ix->chunks_cap, sizeof *ix->chunks, 64);
	ix->chunks = arr;
	if (grown != 0)
		return STORE_NOMEM;
	struct ichunk *c = &ix->chunks[ix->nchunks];
	*c = (struct ichunk){.id = row->chunk_id};
	size_t tl = strlen(row->title), hl = strlen(row->heading), xl = strlen(row->text);
	if (!(c->title = add_str(ix, row->title, tl)) || !(c->heading = add_str(ix, row->heading, hl)) ||
	    !(c->text = add_str(ix, row->text, xl)))
		return STORE_NOMEM;
	c->url = SIZE_MAX;
	c->page = row->page;
	if (row->url && !(c->url = add_str(ix, row->url, strlen(row->url))))
		return STORE_NOMEM;
	b->chunk = ix->nchunks++;
	b->heading = true;
	b->text = row->heading;
	if (b->t && terms_tokenize(b->t, row->heading, hl, add_term, b) != 0)
		return STORE_NOMEM;
	if (b->t && add_currency(b, row->heading) != 0)
		return STORE_NOMEM;
	b->heading = false;
	b->text = row->text;
	if (b->t && (terms_tokenize(b->t, row->text, xl, add_term, b) != 0 || add_currency(b, row->text) != 0))
		return STORE_NOMEM;
	return b->failed ? STORE_NOMEM : 0;
}

static void index_free(struct rag_index *ix)
{
	for (uint32_t i = 0; i < ix->terms_cap; i++)
		free(ix->terms[i].p);
	free(ix->terms);
	free(ix->chunks);
	free(ix->strs);
	vocab_free(ix->vocab);
	free(ix->by_end);
	free(ix);
}

struct rag_index *rag_index_build(struct terms *t, struct store *st, const char *tenant_id, const char *bot_id,
				  int64_t version, int *rc)
{
	struct rag_index *ix = calloc(1, sizeof *ix);
	if (!ix) {
		*rc = STORE_NOMEM;
		return NULL;
	}
	atomic_init(&ix->refs, 1);
	snprintf(ix->tenant_id, sizeof ix->tenant_id, "%s", tenant_id);
	snprintf(ix->bot_id, sizeof ix->bot_id, "%s", bot_id);
	ix->version = version;
	struct build b = {.ix = ix, .t = t};
	if (add_str(ix, "", 0) != 0 || grow_terms(ix) != 0 || !(ix->vocab = vocab_new())) {
		*rc = STORE_NOMEM; /* offset 0 is the empty string */
		goto fail;
	}
	*rc = store_chunk_list(st, tenant_id, bot_id, add_chunk, &b);
	if (*rc != STORE_OK)
		goto fail;
	if (t && (rag_expand_compounds(ix, t) != 0 || rag_expand_prepare(ix) != 0)) {
		*rc = STORE_NOMEM;
		goto fail;
	}
	uint64_t total = 0, postings = 0;
	for (uint32_t i = 0; i < ix->nchunks; i++)
		total += ix->chunks[i].len;
	for (uint32_t i = 0; i < ix->terms_cap; i++)
		postings += ix->terms[i].cap;
	ix->avg_len = ix->nchunks ? (double)total / ix->nchunks : 1.0;
	if (ix->avg_len < 1.0)
		ix->avg_len = 1.0;
	ix->bytes = sizeof *ix + ix->strs_cap + (size_t)ix->chunks_cap * sizeof *ix->chunks +
		    (size_t)ix->terms_cap * sizeof *ix->terms + (size_t)postings * sizeof(struct posting) +
		    vocab_bytes(ix->vocab) + (size_t)ix->nby_end * sizeof *ix->by_end;
	return ix;
fail:
	index_free(ix);
	return NULL;
}

size_t rag_index_bytes(const struct rag_index *ix)
{
	return ix->bytes;
}

void rag_index_release(struct rag_index *ix)
{
	if (ix && atomic_fetch_sub(&ix->refs, 1) == 1)
		index_free(ix);
}

/* ---- searching ------------------------------------------------------------------------------------- */

/* The posting of `chunk` in the term's list (lists are in chunk order), or NULL. */
static const struct posting *posting_of(const struct term *e, uint32_t chunk)
{
	uint32_t lo = 0, hi = e->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (e->p[mid].chunk < chunk)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < e->n && e->p[lo].chunk == chunk ? &e->p[lo] : NULL;
}

static double bm25(const struct rag_index *ix, double idf, const struct posting *p)
{
	double tf = p->tf_text + HEADING_WEIGHT * p->tf_head;
	double norm = BM25_K1 * (1.0 - BM25_B + BM25_B * ix->chunks[p->chunk].len / ix->avg_len);
	return idf * tf * (BM25_K1 + 1.0) / (tf + norm);
}

static char *dup_off(const struct rag_index *ix, size_t off, bool *ok)
{
	char *s = strdup(ix->strs + off);
	if (!s)
		*ok = false;
	return s;
}

/* The ways each word of a question can match, worked out once (rag_expand_word) and shared by
 * rag_query_absent and rag_query_search. */
struct rag_query {
	const struct rag_index *ix;
	int nwords;
	struct word_alts w[];
};

struct rag_query *rag_query_new(const struct rag_index *ix, struct terms *t, const char *const *words, int nwords)
{
	if (nwords < 0)
		nwords = 0;
	if (nwords > STORE_SEARCH_MAX_WORDS)
		nwords = STORE_SEARCH_MAX_WORDS;
	struct rag_query *q = malloc(sizeof *q + (size_t)nwords * sizeof q->w[0]);
	if (!q)
		return NULL;
	q->ix = ix;
	q->nwords = nwords;
	for (int i = 0; i < nwords; i++)
		if (rag_expand_word(ix, t, words[i] ? words[i] : "", &q->w[i]) != 0) {
			free(q);
			return NULL;
		}
	return q;
}

void rag_query_free(struct rag_query *q)
{
	free(q);
}

uint32_t rag_query_absent(const struct rag_query *q)
{
	uint32_t absent = 0;
	for (int i = 0; i < q->nwords && i < 32; i++)
		if (q->w[i].has_terms && q->w[i].n == 0)
			absent |= 1u << i;
	return absent;
}

uint32_t rag_index_absent_words(const struct rag_index *ix, struct terms *t, const char *const *words, int nwords)
{
	struct rag_query *q = rag_query_new(ix, t, words, nwords);
	if (!q)
		return 0; /* out of memory: claim nothing */
	uint32_t absent = rag_query_absent(q);
	rag_query_free(q);
	return absent;
}

int rag_index_search(const struct rag_index *ix, struct terms *t, const char *const *words, int nwords,
		     int min_match, int limit, struct store_hit *hits, int *n)
{
	*n = 0;
	struct rag_query *q = rag_query_new(ix, t, words, nwords);
	if (!q)
		return STORE_NOMEM;
	int rc = rag_query_search(q, min_match, limit, hits, n);
	rag_query_free(q);
	return rc;
}

/* Scores the chunks that word i matches through its ways (the first way that matches a chunk counts). */
static void score_word(const struct rag_index *ix, const struct word_alts *wa, int i, double *score, uint32_t *mask,
		       uint8_t *nmatch, uint32_t *touched, uint32_t *ntouched)
{
	double N = ix->nchunks;
	for (int a = 0; a < wa->n; a++) {
		const struct word_alt *w = &wa->a[a];
		double idf[WORD_TERMS_MAX];
		for (int j = 0; j < w->n; j++) /* once per term, not per posting */
			idf[j] = log(1.0 + (N - w->t[j]->n + 0.5) / (w->t[j]->n + 0.5));
		const struct term *first = w->t[0];
		for (uint32_t k = 0; k < first->n; k++) {
			const struct posting *p = &first->p[k];
			if (mask[p->chunk] & (uint32_t)1 << i)
				continue;
			double sc = bm25(ix, idf[0], p);
			int j = 1;
			for (; j < w->n; j++) { /* a word of several terms needs all of them in the chunk */
				const struct posting *r = posting_of(w->t[j], p->chunk);
				if (!r)
					break;
				sc += bm25(ix, idf[j], r);
			}
			if (j < w->n)
				continue;
			if (!mask[p->chunk])
				touched[(*ntouched)++] = p->chunk;
			mask[p->chunk] |= (uint32_t)1 << i;
			nmatch[p->chunk]++;
			score[p->chunk] += sc * w->weight;
		}
	}
}

int rag_query_search(const struct rag_query *q, int min_match, int limit, struct store_hit *hits, int *n)
{
	const struct rag_index *ix = q->ix;
	double *score = NULL;
	uint32_t *mask = NULL, *touched = NULL;
	uint8_t *nmatch = NULL;
	uint32_t ntouched = 0;
	int usable = 0, count = 0, rc = STORE_OK;

	*n = 0;
	if (ix->nchunks == 0 || q->nwords <= 0 || limit <= 0)
		return STORE_OK;
	score = calloc(ix->nchunks, sizeof *score);
	mask = calloc(ix->nchunks, sizeof *mask);
	nmatch = calloc(ix->nchunks, sizeof *nmatch);
	touched = malloc(ix->nchunks * sizeof *touched);
	if (!score || !mask || !nmatch || !touched) {
		rc = STORE_NOMEM;
		goto out;
	}
	for (int i = 0; i < q->nwords; i++) {
		if (!q->w[i].has_terms)
			continue; /* no terms at all: like the store, the word is not searched */
		usable++;
		score_word(ix, &q->w[i], i, score, mask, nmatch, touched, &ntouched);
	}
	if (min_match > usable)
		min_match = usable;
	/* select the best `limit`, keeping only those with enough words: more of the question's words first
	 * (the answerer orders its passages so), then by score, then the lower chunk id */
	uint32_t best[64];
	if (limit > 64)
		limit = 64;
	for (uint32_t k = 0; k < ntouched; k++) {
		uint32_t c = touched[k];
		int nw = nmatch[c];
		if (nw < (min_match > 1 ? min_match : 1))
			continue;
		int pos = count;
		while (pos > 0) {
			uint32_t o = best[pos - 1];
			int ow = nmatch[o];
			if (ow > nw || (ow == nw && (score[o] > score[c] ||
							     (score[o] == score[c] && ix->chunks[o].id < ix->chunks[c].id))))
				break;
			pos--;
		}
		if (pos >= limit)
			continue;
		if (count < limit)
			count++;
		memmove(&best[pos + 1], &best[pos], (size_t)(count - 1 - pos) * sizeof *best);
		best[pos] = c;
	}
	for (int k = 0; k < count; k++) {
		const struct ichunk *c = &ix->chunks[best[k]];
		bool ok = true;
		hits[k] = (struct store_hit){
			.chunk_id = c->id,
			.title = dup_off(ix, c->title, &ok),
			.heading = dup_off(ix, c->heading, &ok),
			.text = dup_off(ix, c->text, &ok),
			.rank = score[best[k]],
			.matched = mask[best[k]],
			.url = c->url == SIZE_MAX ? NULL : dup_off(ix, c->url, &ok),
			.page = c->page,
		};
		if (!ok) {
			for (int j = 0; j <= k; j++)
				store_hit_clear(&hits[j]);
			rc = STORE_NOMEM;
			goto out;
		}
	}
	*n = count;
out:
	free(score);
	free(mask);
	free(nmatch);
	free(touched);
	return rc;
}

/* ---- the cache ------------------------------------------------------------------------------------- */

struct rag_cache *rag_cache_new(size_t max_bytes)
{
	struct rag_cache *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->max_bytes = max_bytes;
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

static struct rag_index **bucket_of(struct rag_cache *c, const char *bot_id)
{
	return &c->bucket[hash_str(bot_id, strlen(bot_id)) % CACHE_BUCKETS];
}

static void lru_unlink(struct rag_cache *c, struct rag_index *ix)
{
	if (ix->lru_prev)
		ix->lru_prev->lru_next = ix->lru_next;
	else
		c->mru = ix->lru_next;
	if (ix->lru_next)
		ix->lru_next->lru_prev = ix->lru_prev;
	else
		c->lru = ix->lru_prev;
	ix->lru_prev = ix->lru_next = NULL;
}

/* Unlinks an entry from the table and the LRU list (lock held); the caller drops the cache's ref. */
static void unlink_entry(struct rag_cache *c, struct rag_index *ix)
{
	struct rag_index **pp = bucket_of(c, ix->bot_id);
	while (*pp && *pp != ix)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = ix->hnext;
	ix->hnext = NULL;
	lru_unlink(c, ix);
	c->used -= ix->bytes;
}

static void link_mru(struct rag_cache *c, struct rag_index *ix)
{
	ix->lru_prev = NULL;
	ix->lru_next = c->mru;
	if (c->mru)
		c->mru->lru_prev = ix;
	c->mru = ix;
	if (!c->lru)
		c->lru = ix;
}

static struct rag_index *find(struct rag_cache *c, const char *bot_id)
{
	for (struct rag_index *ix = *bucket_of(c, bot_id); ix; ix = ix->hnext)
		if (!strcmp(ix->bot_id, bot_id))
			return ix;
	return NULL;
}

/* Looks the bot up (lock held). Returns a referenced usable index, or NULL; *known_oversize tells
 * whether the bot at this version is known not to fit. Drops entries of older versions. */
static struct rag_index *lookup(struct rag_cache *c, const char *tenant_id, const char *bot_id, int64_t version,
				bool *known_oversize)
{
	struct rag_index *ix = find(c, bot_id);
	*known_oversize = false;
	if (!ix)
		return NULL;
	if (ix->version != version || strcmp(ix->tenant_id, tenant_id) != 0) {
		if (ix->version < version || strcmp(ix->tenant_id, tenant_id) != 0) {
			unlink_entry(c, ix);
			rag_index_release(ix);
		}
		return NULL;
	}
	if (ix->oversize) {
		*known_oversize = true;
		return NULL;
	}
	if (ix != c->mru) {
		lru_unlink(c, ix);
		link_mru(c, ix);
	}
	atomic_fetch_add(&ix->refs, 1);
	return ix;
}

/* Adds an entry (lock held) and evicts least recently used ones beyond the budget. */
static void insert(struct rag_cache *c, struct rag_index *ix)
{
	struct rag_index **b = bucket_of(c, ix->bot_id);
	ix->hnext = *b;
	*b = ix;
	link_mru(c, ix);
	c->used += ix->bytes;
	while (c->used > c->max_bytes && c->lru && c->lru != ix) {
		struct rag_index *old = c->lru;
		unlink_entry(c, old);
		rag_index_release(old);
	}
}

struct rag_index *rag_cache_get(struct rag_cache *c, struct terms *t, struct store *st, const char *tenant_id,
				const char *bot_id, int64_t version)
{
	bool oversize;
	if (!c || c->max_bytes == 0)
		return NULL;
	pthread_mutex_lock(&c->lock);
	struct rag_index *ix = lookup(c, tenant_id, bot_id, version, &oversize);
	pthread_mutex_unlock(&c->lock);
	if (ix || oversize)
		return ix;

	int rc;
	struct rag_index *built = rag_index_build(t, st, tenant_id, bot_id, version, &rc);
	if (!built)
		return NULL;
	if (built->bytes > c->max_bytes / 2) {
		/* too large to share the budget: remember that, search the store */
		struct rag_index *mark = calloc(1, sizeof *mark);
		rag_index_release(built);
		if (!mark)
			return NULL;
		atomic_init(&mark->refs, 1);
		snprintf(mark->tenant_id, sizeof mark->tenant_id, "%s", tenant_id);
		snprintf(mark->bot_id, sizeof mark->bot_id, "%s", bot_id);
		mark->version = version;
		mark->oversize = true;
		mark->bytes = sizeof *mark;
		built = mark;
	}
	pthread_mutex_lock(&c->lock);
	struct rag_index *other = lookup(c, tenant_id, bot_id, version, &oversize);
	if (other || oversize) {
		/* another thread built it first */
		pthread_mutex_unlock(&c->lock);
		rag_index_release(built);
		return other;
	}
	struct rag_index *stale = find(c, bot_id);
	if (stale) { /* a newer version is cached (this caller read an older bot row): keep that one */
		pthread_mutex_unlock(&c->lock);
		if (built->oversize) {
			rag_index_release(built);
			return NULL;
		}
		return built; /* used once, then freed */
	}
	insert(c, built);
	if (built->oversize) {
		pthread_mutex_unlock(&c->lock);
		return NULL;
	}
	atomic_fetch_add(&built->refs, 1);
	pthread_mutex_unlock(&c->lock);
	return built;
}

void rag_cache_free(struct rag_cache *c)
{
	if (!c)
		return;
	while (c->mru) {
		struct rag_index *ix = c->mru;
		unlink_entry(c, ix);
		rag_index_release(ix);
	}
	pthread_mutex_destroy(&c->lock);
	free(c);
}
