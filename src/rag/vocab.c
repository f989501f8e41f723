/*
 * vocab.c — a bot's spellings (folded, unstemmed words) and what is built on them: compound splitting
 * and the known spellings one edit away from an unknown word.
 *
 * Layout: the spellings live in one string buffer, found through an open-addressing hash table of
 * {offset, term}. The table is filled while an index is built and never changes afterwards.
 */
#include "rag/vocab.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "rag/terms.h"

struct form {
	uint32_t off; /* of the NUL-terminated spelling in strs; 0 = empty slot */
	uint32_t len;
	size_t term;
};

struct vocab {
	char *strs;
	size_t strs_len, strs_cap;
	struct form *tab; /* power-of-two capacity, at most half full */
	uint32_t n, cap;
	uint32_t *sorted; /* slots of tab in spelling order (vocab_finish), nsorted of them */
	uint32_t nsorted;
};

static uint32_t hash_bytes(const char *s, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

/* The slot of `form`: its entry, or the empty slot where it belongs. */
static struct form *find(const struct vocab *v, const char *form, size_t len)
{
	uint32_t mask = v->cap - 1, i = hash_bytes(form, len) & mask;
	for (;;) {
		struct form *f = &v->tab[i];
		if (!f->off || (f->len == len && memcmp(v->strs + f->off, form, len) == 0))
			return f;
		i = (i + 1) & mask;
	}
}

static int grow(struct vocab *v)
{
	uint32_t cap = v->cap ? v->cap * 2 : 1024;
	struct form *old = v->tab;
	uint32_t oldcap = v->cap;

	v->tab = calloc(cap, sizeof *v->tab);
	if (!v->tab) {
		v->tab = old;
		return -1;
	}
	v->cap = cap;
	for (uint32_t i = 0; i < oldcap; i++)
		if (old[i].off)
			*find(v, v->strs + old[i].off, old[i].len) = old[i];
	free(old);
	return 0;
}

struct vocab *vocab_new(void)
{
	struct vocab *v = calloc(1, sizeof *v);

	if (!v)
		return NULL;
	v->strs_cap = 4096;
	v->strs = malloc(v->strs_cap);
	if (!v->strs || grow(v) != 0) {
		vocab_free(v);
		return NULL;
	}
	v->strs[0] = '\0'; /* offset 0 names no spelling */
	v->strs_len = 1;
	return v;
}

void vocab_free(struct vocab *v)
{
	if (!v)
		return;
	free(v->strs);
	free(v->tab);
	free(v->sorted);
	free(v);
}

int vocab_add(struct vocab *v, const char *form, size_t len, size_t term)
{
	if (len == 0 || len > TERMS_WORD_MAX || term == 0)
		return 0;
	if ((v->n + 1) * 2 > v->cap && grow(v) != 0)
		return -1;
	struct form *f = find(v, form, len);
	if (f->off)
		return 0;
	if (v->strs_len + len + 1 > v->strs_cap) {
		size_t cap = v->strs_cap * 2;
		while (cap < v->strs_len + len + 1)
			cap *= 2;
		if (cap > UINT32_MAX)
			return -1;
		char *p = realloc(v->strs, cap);
		if (!p)
			return -1;
		v->strs = p;
		v->strs_cap = cap;
	}
	memcpy(v->strs + v->strs_len, form, len);
	v->strs[v->strs_len + len] = '\0';
	*f = (struct form){.off = (uint32_t)v->strs_len, .len = (uint32_t)len, .term = term};
	v->strs_len += len + 1;
	v->n++;
	return 0;
}

size_t vocab_term(const struct vocab *v, const char *form, size_t len)
{
	if (len == 0 || len > TERMS_WORD_MAX)
		return 0;
	return find(v, form, len)->term;
}

int vocab_each(const struct vocab *v, vocab_each_fn fn, void *ud)
{
	for (uint32_t i = 0; i < v->cap; i++) {
		const struct form *f = &v->tab[i];
		if (!f->off)
			continue;
		int rc = fn(ud, v->strs + f->off, f->len, f->term);
		if (rc != 0)
			return rc;
	}
	return 0;
}

size_t vocab_bytes(const struct vocab *v)
{
	return sizeof *v + v->strs_cap + (size_t)v->cap * sizeof *v->tab + (size_t)v->nsorted * sizeof *v->sorted;
}

/* ---- prefixes ----------------------------------------------------------------------------------- */

static int cmp_slot(const void *a, const void *b, void *ud)
{
	const struct vocab *v = ud;
	return strcmp(v->strs + v->tab[*(const uint32_t *)a].off, v->strs + v->tab[*(const uint32_t *)b].off);
}

int vocab_finish(struct vocab *v)
{
	free(v->sorted);
	v->nsorted = 0;
	v->sorted = malloc(((size_t)v->n + 1) * sizeof *v->sorted);
	if (!v->sorted)
		return -1;
	for (uint32_t i = 0; i < v->cap; i++)
		if (v->tab[i].off)
			v->sorted[v->nsorted++] = i;
	qsort_r(v->sorted, v->nsorted, sizeof *v->sorted, cmp_slot, v);
	return 0;
}

int vocab_prefixed(const struct vocab *v, const char *prefix, size_t len, size_t rest, size_t *terms, int max)
{
	uint32_t lo = 0, hi = v->nsorted;
	int n = 0;

	if (len == 0)
		return 0;
	while (lo < hi) { /* the first spelling not below the prefix */
		uint32_t mid = lo + (hi - lo) / 2;
		if (strncmp(v->strs + v->tab[v->sorted[mid]].off, prefix, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < v->nsorted && n < max; lo++) {
		const struct form *f = &v->tab[v->sorted[lo]];
		if (strncmp(v->strs + f->off, prefix, len) != 0)
			break;
		if (f->len < len + rest)
			continue;
		bool seen = false;
		for (int k = 0; k < n && !seen; k++)
			seen = terms[k] == f->term;
		if (!seen)
			terms[n++] = f->term;
	}
	return n;
}

/* ---- compounds ---------------------------------------------------------------------------------- */

int vocab_split(const char *form, size_t len, vocab_known_fn known, void *ud, size_t parts[VOCAB_PARTS_MAX])
{
	/* count[i]: fewest known parts that make up form[0..i) (0: none yet, except at 0); from[i]: where
	 * the last of them starts; term[i]: its term. Each (start, end) piece is looked up at most once. */
	unsigned char count[TERMS_WORD_MAX + 1] = {0};
	unsigned char from[TERMS_WORD_MAX + 1];
	size_t term[TERMS_WORD_MAX + 1];

	if (len < 2 * VOCAB_PART_MIN || len > TERMS_WORD_MAX)
		return 0;
	for (size_t i = VOCAB_PART_MIN; i <= len; i++) {
		for (size_t j = 0; j + VOCAB_PART_MIN <= i; j++) {
			if (j > 0 && (j < VOCAB_PART_MIN || count[j] == 0))
				continue;
			if (j == 0 && i == len)
				continue; /* the whole word is not a split of itself */
			int c = j == 0 ? 1 : count[j] + 1;
			if (c > VOCAB_PARTS_MAX || (count[i] && c >= count[i]))
				continue;
			size_t t = known(ud, form + j, i - j);
			if (!t)
				continue;
			count[i] = (unsigned char)c;
			from[i] = (unsigned char)j;
			term[i] = t;
		}
	}
	int n = count[len];
	if (n < 2)
		return 0;
	for (size_t i = len, k = (size_t)n; k > 0; i = from[i])
		parts[--k] = term[i];
	return n;
}

/* ---- typos -------------------------------------------------------------------------------------- */

struct near {
	const struct vocab *v;
	size_t *terms;
	int n, max;
};

static void consider(struct near *nr, const char *cand, size_t len)
{
	size_t t = vocab_term(nr->v, cand, len);
	if (!t || nr->n >= nr->max)
		return;
	for (int k = 0; k < nr->n; k++)
		if (nr->terms[k] == t)
			return;
	nr->terms[nr->n++] = t;
}

int vocab_near(const struct vocab *v, const char *form, size_t len, size_t *terms, int max)
{
	char cand[TERMS_WORD_MAX + 2];
	struct near nr = {.v = v, .terms = terms, .max = max};

	if (len == 0 || len >= TERMS_WORD_MAX || max <= 0)
		return 0;
	for (size_t i = 0; i < len; i++) { /* deleted */
		memcpy(cand, form, i);
		memcpy(cand + i, form + i + 1, len - i - 1);
		consider(&nr, cand, len - 1);
	}
	for (size_t i = 0; i + 1 < len; i++) { /* swapped */
		if (form[i] == form[i + 1])
			continue;
		memcpy(cand, form, len);
		cand[i] = form[i + 1];
		cand[i + 1] = form[i];
		consider(&nr, cand, len);
	}
	for (size_t i = 0; i < len; i++) { /* replaced */
		memcpy(cand, form, len);
		for (char c = 'a'; c <= 'z'; c++) {
			if (c == form[i])
				continue;
			cand[i] = c;
			consider(&nr, cand, len);
		}
	}
	for (size_t i = 0; i <= len; i++) { /* inserted */
		memcpy(cand, form, i);
		memcpy(cand + i + 1, form + i, len - i);
		for (char c = 'a'; c <= 'z'; c++) {
			cand[i] = c;
			consider(&nr, cand, len + 1);
		}
	}
	return nr.n;
}
