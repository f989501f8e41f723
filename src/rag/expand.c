/*
 * expand.c — meeting a visitor's words that the bot's knowledge writes differently.
 *
 * German joins words into compounds ("Telefonnummer", "Gesundheitsstudio") where another writer uses
 * the parts or another compound, and visitors mistype. Both are handled against the bot's own
 * vocabulary (rag/vocab.h), so nothing here depends on a word list that could go stale:
 *   - build time: a compound spelling whose parts are all words of the bot counts as an occurrence of
 *     each part as well, so "Studio" finds the chunk that says "Gesundheitsstudio";
 *   - query time: a question word the bot does not know may match through its parts (all of them in
 *     the chunk: "Telefonnummer" finds "Telefon … Nummer"), else, when it is long enough to be a typo
 *     rather than another word, through the most frequent known spelling one edit away, else through
 *     the longest known word it ends or begins with ("Fahrradständer" finds "Fahrrad");
 *   - query time, every word: the bot's compounds it begins or ends ("Fähre" finds "Hafenfähre"),
 *     found in two arrays sorted at build time, and its synonyms (rag/synonyms.h).
 * Parts and corrections come only from words that occur in the bot's chunks; stop words are never parts.
 */
#include <stdlib.h>
#include <string.h>

#include "rag/index_int.h"
#include "rag/synonyms.h"

#define TYPO_MIN 7      /* bytes of the shortest folded word that is corrected ("pilatez" → "pilates") */
#define NEAR_MAX 16     /* corrections considered per word */
#define PART_WEIGHT 0.5 /* a word matched through its parts: the parts' scores are summed, so halve */
#define TYPO_WEIGHT 1.0
#define SYN_WEIGHT 0.7  /* a word matched through a synonym counts a little less than the word itself */
#define SYN_MAX 16      /* synonyms looked up per word */
#define COMPOUND_WEIGHT 0.5 /* a word matched through a compound it is part of, or a part of it */
#define COMPOUND_MAX 4      /* such compounds per word (the most frequent) */
#define COMPOUND_SCAN 32    /* candidates looked at per word */

struct known_ctx {
	const struct rag_index *ix;
	struct terms *t;
};

/* vocab_known_fn: a piece is a word of the bot when it is a known spelling or its stem is a term ("kurs"
 * of "Pilateskurs", "gesundheits" → "gesundheit"); stop words never are. */
static size_t known_part(void *ud, const char *part, size_t len)
{
	const struct known_ctx *k = ud;
	size_t term = vocab_term(k->ix->vocab, part, len);

	if (!term) {
		char out[TERMS_WORD_MAX + 1];
		size_t n = terms_normalize_word(k->t, part, len, out);
		if (n == 0)
			return 0;
		term = rag_index_slot(k->ix, out, n)->off;
		if (!term)
			return 0;
	}
	const char *s = k->ix->strs + term;
	return terms_is_stopword(s, strlen(s)) ? 0 : term;
}

/* ---- build time --------------------------------------------------------------------------------- */

struct pair {
	size_t part, whole; /* term offsets */
};

struct pairs {
	struct known_ctx k;
	struct pair *p;
	size_t n, cap;
};

static int add_pairs(void *ud, const char *form, size_t len, size_t whole)
{
	struct pairs *ps = ud;
	size_t parts[VOCAB_PARTS_MAX];
	int n = vocab_split(form, len, known_part, &ps->k, parts);

	for (int i = 0; i < n; i++) {
		if (parts[i] == whole)
			continue;
		if (ps->n == ps->cap) {
			size_t cap = ps->cap ? ps->cap * 2 : 256;
			struct pair *p = realloc(ps->p, cap * sizeof *p);
			if (!p)
				return -1;
			ps->p = p;
			ps->cap = cap;
		}
		ps->p[ps->n++] = (struct pair){parts[i], whole};
	}
	return 0;
}

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	if (x->part != y->part)
		return x->part < y->part ? -1 : 1;
	return (x->whole > y->whole) - (x->whole < y->whole);
}

static int cmp_posting(const void *a, const void *b)
{
	const struct posting *x = a, *y = b;
	return (x->chunk > y->chunk) - (x->chunk < y->chunk);
}

static uint16_t add_tf(uint16_t a, uint16_t b)
{
	return (uint32_t)a + b > UINT16_MAX ? UINT16_MAX : (uint16_t)(a + b);
}

/* The part's postings joined with those of the compounds pairs[0..n) (all of this part), one posting per
 * chunk with the frequencies added. Made from the lists as they were before any join. */
struct joined {
	struct term *e;
	struct posting *p;
	uint32_t n;
};

static int join(const struct rag_index *ix, const struct pair *pairs, size_t n, struct joined *out)
{
	const char *ps = ix->strs + pairs[0].part;
	struct term *e = rag_index_slot(ix, ps, strlen(ps));
	size_t total = e->n;

	for (size_t i = 0; i < n; i++) {
		const char *ws = ix->strs + pairs[i].whole;
		total += rag_index_slot(ix, ws, strlen(ws))->n;
	}
	struct posting *p = malloc(total * sizeof *p);
	if (!p)
		return -1;
	size_t m = e->n;
	memcpy(p, e->p, (size_t)e->n * sizeof *p);
	for (size_t i = 0; i < n; i++) {
		const char *ws = ix->strs + pairs[i].whole;
		const struct term *w = rag_index_slot(ix, ws, strlen(ws));
		memcpy(p + m, w->p, (size_t)w->n * sizeof *p);
		m += w->n;
	}
	qsort(p, m, sizeof *p, cmp_posting);
	size_t k = 0;
	for (size_t i = 0; i < m; i++) {
		if (k > 0 && p[k - 1].chunk == p[i].chunk) {
			p[k - 1].tf_text = add_tf(p[k - 1].tf_text, p[i].tf_text);
			p[k - 1].tf_head = add_tf(p[k - 1].tf_head, p[i].tf_head);
		} else {
			p[k++] = p[i];
		}
	}
	*out = (struct joined){e, p, (uint32_t)k};
	return 0;
}

int rag_expand_compounds(struct rag_index *ix, struct terms *t)
{
	struct pairs ps = {.k = {ix, t}};
	struct joined *j = NULL;
	size_t nj = 0;
	int rc = -1;

	if (vocab_each(ix->vocab, add_pairs, &ps) != 0)
		goto out;
	if (ps.n == 0) {
		rc = 0;
		goto out;
	}
	qsort(ps.p, ps.n, sizeof *ps.p, cmp_pair);
	size_t u = 0;
	for (size_t i = 0; i < ps.n; i++)
		if (u == 0 || cmp_pair(&ps.p[u - 1], &ps.p[i]) != 0)
			ps.p[u++] = ps.p[i];
	ps.n = u;
	j = calloc(ps.n, sizeof *j);
	if (!j)
		goto out;
	/* every joined list is made from the lists as built, then all are put in place */
	for (size_t i = 0; i < ps.n;) {
		size_t e = i;
		while (e < ps.n && ps.p[e].part == ps.p[i].part)
			e++;
		if (join(ix, ps.p + i, e - i, &j[nj]) != 0)
			goto out;
		nj++;
		i = e;
	}
	for (size_t i = 0; i < nj; i++) {
		free(j[i].e->p);
		j[i].e->p = j[i].p;
		j[i].e->n = j[i].e->cap = j[i].n;
		j[i].p = NULL;
	}
	rc = 0;
out:
	for (size_t i = 0; j && i < nj; i++)
		free(j[i].p);
	free(j);
	free(ps.p);
	return rc;
}

/* Compares two strings from their ends: the order of the reversed strings. */
static int cmp_rev(const char *a, size_t na, const char *b, size_t nb)
{
	for (size_t i = 1; i <= na && i <= nb; i++)
		if (a[na - i] != b[nb - i])
			return (unsigned char)a[na - i] < (unsigned char)b[nb - i] ? -1 : 1;
	return (na > nb) - (na < nb);
}

static int cmp_end(const void *a, const void *b, void *ud)
{
	const struct rag_index *ix = ud;
	const char *x = ix->strs + ix->terms[*(const uint32_t *)a].off;
	const char *y = ix->strs + ix->terms[*(const uint32_t *)b].off;
	return cmp_rev(x, strlen(x), y, strlen(y));
}

int rag_expand_prepare(struct rag_index *ix)
{
	if (vocab_finish(ix->vocab) != 0)
		return -1;
	free(ix->by_end);
	ix->nby_end = 0;
	ix->by_end = malloc(((size_t)ix->nterms + 1) * sizeof *ix->by_end);
	if (!ix->by_end)
		return -1;
	for (uint32_t i = 0; i < ix->terms_cap; i++) {
		const struct term *e = &ix->terms[i];
		if (e->off && strlen(ix->strs + e->off) >= 2 * VOCAB_PART_MIN)
			ix->by_end[ix->nby_end++] = i;
	}
	qsort_r(ix->by_end, ix->nby_end, sizeof *ix->by_end, cmp_end, ix);
	return 0;
}

/* Whether `s` (n bytes) ends with end[0..len). */
static bool ends_with(const char *s, size_t n, const char *end, size_t len)
{
	return n >= len && memcmp(s + n - len, end, len) == 0;
}

/* The terms that end with `term` and are at least VOCAB_PART_MIN bytes longer ("faehr" →
 * "hafenfaehr"): compounds whose last part it is. Appends to out[*n..max). */
static void terms_ending(const struct rag_index *ix, const char *term, size_t len, size_t *out, int *n, int max)
{
	uint32_t lo = 0, hi = ix->nby_end;
	while (lo < hi) { /* the first term whose reversed text is not below the reversed `term` */
		uint32_t mid = lo + (hi - lo) / 2;
		const char *m = ix->strs + ix->terms[ix->by_end[mid]].off;
		size_t ml = strlen(m);
		int c = cmp_rev(ml > len ? m + ml - len : m, ml > len ? len : ml, term, len);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ix->nby_end && *n < max; lo++) {
		const struct term *e = &ix->terms[ix->by_end[lo]];
		const char *m = ix->strs + e->off;
		size_t ml = strlen(m);
		if (!ends_with(m, ml, term, len))
			break;
		if (ml >= len + VOCAB_PART_MIN)
			out[(*n)++] = e->off;
	}
}

/* ---- query time --------------------------------------------------------------------------------- */

struct collect {
	const struct rag_index *ix;
	struct word_alt *alt;
	int nterms;
	bool missing; /* a term of the word occurs nowhere */
};

static int collect_term(void *ud, const char *term, size_t n, size_t start, size_t end)
{
	(void)start;
	(void)end;
	struct collect *c = ud;
	const struct term *e = rag_index_slot(c->ix, term, n);

	c->nterms++;
	if (!e->off)
		c->missing = true;
	else if (c->alt->n < WORD_TERMS_MAX)
		c->alt->t[c->alt->n++] = e;
	return 0;
}

static const struct term *term_at(const struct rag_index *ix, size_t off)
{
	const char *s = ix->strs + off;
	return rag_index_slot(ix, s, strlen(s));
}

/* Adds one way to match: a single term, unless it is already one of the word's ways. */
static void add_alt(struct word_alts *wa, const struct term *e, double weight)
{
	if (!e || !e->off || wa->n >= WORD_ALTS_MAX)
		return;
	for (int i = 0; i < wa->n; i++)
		if (wa->a[i].n == 1 && wa->a[i].t[0] == e)
			return;
	wa->a[wa->n++] = (struct word_alt){.t = {e}, .n = 1, .weight = weight};
}

/* Adds the most frequent of the terms cand[0..n) (at most COMPOUND_MAX, each once) at COMPOUND_WEIGHT. */
static void add_most_frequent(const struct rag_index *ix, struct word_alts *wa, const size_t *cand, int n)
{
	bool used[COMPOUND_SCAN * 2] = {false};
	for (int k = 0; k < COMPOUND_MAX; k++) {
		const struct term *best = NULL;
		int at = -1;
		for (int i = 0; i < n; i++) {
			if (used[i])
				continue;
			const struct term *e = term_at(ix, cand[i]);
			if (!best || e->n > best->n || (e->n == best->n && strcmp(ix->strs + e->off, ix->strs + best->off) < 0)) {
				best = e;
				at = i;
			}
		}
		if (!best)
			return;
		used[at] = true;
		add_alt(wa, best, COMPOUND_WEIGHT);
	}
}

/* A word that is part of the bot's compounds: spellings that begin with it ("Sommer" →
 * "Sommerferien") and terms that end with its term ("Fähre" → "Hafenfähre"), the rest at least
 * VOCAB_PART_MIN bytes. Such a compound is about the word in most cases, not always (the reason for
 * the lower weight). */
static void in_compounds(const struct rag_index *ix, const char *form, size_t flen, const char *term, size_t tlen,
			 struct word_alts *wa)
{
	size_t cand[COMPOUND_SCAN * 2];
	int n = 0;

	if (flen < VOCAB_PART_MIN || tlen < VOCAB_PART_MIN || terms_is_stopword(term, tlen))
		return;
	n = vocab_prefixed(ix->vocab, form, flen, VOCAB_PART_MIN, cand, COMPOUND_SCAN);
	terms_ending(ix, term, tlen, cand, &n, 2 * COMPOUND_SCAN);
	add_most_frequent(ix, wa, cand, n);
}

/* An unknown word that is not a compound of known words may still begin or end with one
 * ("Fahrradständer": "Fahrrad"; "Handelsregisternummer": "Registernummer"): the longest such known
 * word, the rest at least VOCAB_PART_MIN bytes, at COMPOUND_WEIGHT. */
static void known_piece(const struct rag_index *ix, struct terms *t, const char *form, size_t flen,
			struct word_alts *wa)
{
	struct known_ctx k = {ix, t};
	if (flen < 2 * VOCAB_PART_MIN)
		return;
	for (size_t n = flen - VOCAB_PART_MIN; n >= VOCAB_PART_MIN; n--) {
		size_t head = known_part(&k, form + flen - n, n); /* the last part carries the meaning */
		size_t mod = head ? 0 : known_part(&k, form, n);
		if (head || mod) {
			add_alt(wa, term_at(ix, head ? head : mod), COMPOUND_WEIGHT);
			return;
		}
	}
}

/* An unknown word of one term: its parts, else the most common known spelling one edit away, else the
 * longest known word it begins or ends with. */
static void unknown_word(const struct rag_index *ix, struct terms *t, const char *form, size_t flen,
			 struct word_alts *wa)
{
	struct known_ctx k = {ix, t};
	size_t parts[VOCAB_PARTS_MAX];
	int np = vocab_split(form, flen, known_part, &k, parts);
	if (np > 0) {
		struct word_alt *a = &wa->a[wa->n++];
		a->n = np;
		a->weight = PART_WEIGHT;
		for (int i = 0; i < np; i++)
			a->t[i] = term_at(ix, parts[i]);
		return;
	}
	if (flen < TYPO_MIN) {
		known_piece(ix, t, form, flen, wa);
		return;
	}
	size_t near[NEAR_MAX];
	int nn = vocab_near(ix->vocab, form, flen, near, NEAR_MAX);
	const struct term *best = NULL;
	for (int i = 0; i < nn; i++) { /* the most common correction; ties: the first in term order */
		const struct term *e = term_at(ix, near[i]);
		if (!best || e->n > best->n || (e->n == best->n && strcmp(ix->strs + e->off, ix->strs + best->off) < 0))
			best = e;
	}
	if (best)
		add_alt(wa, best, TYPO_WEIGHT);
	else
		known_piece(ix, t, form, flen, wa);
}

int rag_expand_word(const struct rag_index *ix, struct terms *t, const char *word, struct word_alts *wa)
{
	struct collect c = {.ix = ix, .alt = &wa->a[0]};
	char form[TERMS_WORD_MAX + 1], term[TERMS_WORD_MAX + 1];
	size_t len = strlen(word), flen, tlen;

	wa->n = 0;
	wa->has_terms = false;
	wa->a[0].n = 0;
	if (terms_tokenize(t, word, len, collect_term, &c) != 0)
		return -1;
	if (c.nterms == 0)
		return 0;
	wa->has_terms = true;
	if (!c.missing) {
		wa->a[0].weight = 1.0;
		wa->n = 1;
	}
	if (c.nterms != 1)
		return 0; /* only a word of one term is read other ways */
	flen = terms_fold_word(t, word, len, form);
	if (c.missing && flen > 0)
		unknown_word(ix, t, form, flen, wa);
	if ((tlen = terms_normalize_word(t, word, len, term)) > 0) {
		const char *syn[SYN_MAX];
		int ns = synonyms_of(terms_synonyms(t), term, tlen, syn, SYN_MAX);
		for (int i = 0; i < ns; i++)
			add_alt(wa, rag_index_slot(ix, syn[i], strlen(syn[i])), SYN_WEIGHT);
		if (flen > 0)
			in_compounds(ix, form, flen, term, tlen, wa);
	}
	return 0;
}
