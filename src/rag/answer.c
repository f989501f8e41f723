/*
 * answer.c — the extractive answerer: a reply built from the bot's own passages, without an LLM.
 *
 * Owns the reading of the question (greeting, thanks, content words), the retrieval and coverage score
 * of chunks, and the choice of the kind of reply and of the sources shown under it. The text itself —
 * the fixed greeting, thanks or fallback sentences, or sentences copied unchanged from passages, and
 * each source's title and snippet — is written by compose.c; nothing else is ever written into a reply.
 *
 * All per-request state lives in one heap `struct work`; words and terms are kept in fixed arrays, so a
 * request allocates only the reply, its sources, and what the store returns.
 */
#include "rag/answer.h"
#include "rag/chunk.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rag/compose.h"

#define DEFAULT_MIN_SCORE 0.5
#define SEARCH_HITS 5          /* chunks asked of the store */
#define VEC_HITS 8             /* chunks asked of the vectors */
#define DEFAULT_MIN_SIMILARITY 0.75
#define VEC_ANSWER_MAX 400     /* characters of an answer from a vector hit alone */
#define QWORDS_MAX 128         /* words of a question read; later ones are ignored */
#define GREETING_MAX_WORDS 12  /* longer messages are questions, however polite */

/* ---- word sets (normalised terms, as terms_normalize_word writes them; sorted bytewise) ---------- */

/* Words that greet. A message made of these (with stop words and fillers) is a greeting. */
static const char *const greet_terms[] = {
	"abend", "afternoon", "day", "evening", "good", "gott", "greeting", "grueezi", "gruess", "gruss",
	"gut", "hallo", "halloech", "hello", "hey", "heya", "hi", "hiya", "howdy", "mahlzeit", "moin",
	"moins", "morg", "morning", "nabend", "servus", "tag",
};

/* Words that thank or take leave ("danke", "vielen Dank", "thank you", "tschüss", "ok"). */
static const char *const thanks_terms[] = {
	"awesom", "bald", "best", "bye", "cheer", "ciao", "dank", "dankescho", "goodby", "great", "herzlich",
	"klar", "klass", "lieb", "nic", "ok", "okay", "perfect", "perfekt", "prima", "schoen", "sup", "thank",
	"thx", "toll", "top", "tschues", "tschuess", "ty", "wiederho", "wiederseh",
};

/* Words that frame a question without saying what it is about ("ich habe eine Frage", "wie geht's",
 * "I want to know", "wie lautet …", "was passiert, wenn …"). They are never searched for. */
static const char *const filler_terms[] = {
	"frag", "geht", "gewusst", "know", "lautet", "passi", "passiert", "question", "sag", "tell", "wiss",
};

static bool in_set(const char *const *set, size_t n, const char *term, size_t len)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		size_t wlen = strlen(set[mid]);
		int cmp = memcmp(term, set[mid], len < wlen ? len : wlen);

		if (cmp == 0)
			cmp = (len > wlen) - (len < wlen);
		if (cmp == 0)
			return true;
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

#define IN_SET(set, term, len) in_set(set, sizeof set / sizeof set[0], term, len)

/* ---- the question ------------------------------------------------------------------------------- */

enum wkind { W_CONTENT, W_STOP, W_FILLER, W_GREET, W_THANKS };

struct qword {
	char term[TERMS_WORD_MAX + 1];
	size_t tlen;
	size_t start, end; /* the surface word in the question */
	enum wkind kind;
};

struct work {
	struct qword q[QWORDS_MAX]; /* the question's words, in order */
	int nq;
	bool truncated;             /* the question had more than QWORDS_MAX words */
	const char *words[STORE_SEARCH_MAX_WORDS]; /* content words as typed, kept in `wordbuf` */
	size_t wstart[STORE_SEARCH_MAX_WORDS];     /* where each begins in the question */
	struct compose_words cw;    /* the terms handle, and the term of each content word (cw.n words) */
	char *wordbuf;
	struct store_hit hits[SEARCH_HITS];
	int nhits;
	int order[SEARCH_HITS];   /* hits by coverage, best first */
	int covered[SEARCH_HITS]; /* content words matched, per hit */
};

static int collect_word(void *ud, const char *term, size_t len, size_t start, size_t end)
{
	struct work *w = ud;
	struct qword *q;

	if (w->nq == QWORDS_MAX) {
		w->truncated = true;
		return 1; /* stops the walk */
	}
	q = &w->q[w->nq++];
	memcpy(q->term, term, len);
	q->term[len] = '\0';
	q->tlen = len;
	q->start = start;
	q->end = end;
	if (IN_SET(greet_terms, term, len))
		q->kind = W_GREET;
	else if (IN_SET(thanks_terms, term, len))
		q->kind = W_THANKS;
	else if (IN_SET(filler_terms, term, len))
		q->kind = W_FILLER;
	else if (terms_is_stopword(term, len))
		q->kind = W_STOP;
	else
		q->kind = W_CONTENT;
	return 0;
}

/* ANSWER_GREETING or ANSWER_THANKS when the message is only polite words (at least one greeting or
 * thanks, the rest stop words or fillers); thanks wins when both occur. ANSWER_EXTRACTIVE otherwise. */
static enum answer_type classify(const struct work *w)
{
	bool greet = false, thanks = false;

	if (w->truncated || w->nq == 0 || w->nq > GREETING_MAX_WORDS)
		return ANSWER_EXTRACTIVE;
	for (int i = 0; i < w->nq; i++) {
		switch (w->q[i].kind) {
		case W_GREET:
			greet = true;
			break;
		case W_THANKS:
			thanks = true;
			break;
		case W_CONTENT:
			return ANSWER_EXTRACTIVE;
		default:
			break;
		}
	}
	if (thanks)
		return ANSWER_THANKS;
	return greet ? ANSWER_GREETING : ANSWER_EXTRACTIVE;
}

/* Picks the words to search for: content words, deduplicated by term. Greeting and thanks words count
 * as content only inside the question ("Tag der offenen Tür"), not in a polite opening or closing
 * ("Hallo, …", "…, danke!"). Returns 0, or -1 when memory runs out. */
static int pick_words(struct work *w, const char *question)
{
	int lead = 0, tail = w->nq;
	char *p;

	while (lead < w->nq && (w->q[lead].kind == W_GREET || w->q[lead].kind == W_THANKS))
		lead++;
	while (tail > lead && (w->q[tail - 1].kind == W_GREET || w->q[tail - 1].kind == W_THANKS))
		tail--;

	w->wordbuf = malloc(strlen(question) + STORE_SEARCH_MAX_WORDS + 1);
	if (!w->wordbuf)
		return -1;
	p = w->wordbuf;
	for (int i = lead; i < tail && w->cw.n < STORE_SEARCH_MAX_WORDS; i++) {
		const struct qword *q = &w->q[i];
		bool seen = false;

		if (q->kind == W_STOP || q->kind == W_FILLER)
			continue;
		for (int k = 0; k < w->cw.n && !seen; k++)
			seen = w->cw.tlen[k] == q->tlen && memcmp(w->cw.term[k], q->term, q->tlen) == 0;
		if (seen)
			continue;
		memcpy(p, question + q->start, q->end - q->start);
		p[q->end - q->start] = '\0';
		w->words[w->cw.n] = p;
		w->wstart[w->cw.n] = q->start;
		w->cw.term[w->cw.n] = q->term;
		w->cw.tlen[w->cw.n] = q->tlen;
		w->cw.n++;
		p += q->end - q->start + 1;
	}
	return 0;
}

/* ---- sources ------------------------------------------------------------------------------------ */

/* Coverage rounded to two decimals, computed in integers so that 2/3 gives exactly 0.67. */
static double rounded_score(int covered, int nwords)
{
	return (double)((covered * 200 + nwords) / (2 * nwords)) / 100.0;
}

static int add_sources(const struct work *w, struct answer *out, int min_covered)
{
	for (int r = 0; r < w->nhits && out->nsources < ANSWER_MAX_SOURCES; r++) {
		int h = w->order[r];
		struct answer_source *src = &out->sources[out->nsources];
		char *title;
		bool dup = false;

		if (w->covered[h] < min_covered)
			break;
		title = compose_source_title(w->hits[h].title, w->hits[h].heading);
		if (!title)
			return -1;
		for (int k = 0; k < out->nsources && !dup; k++)
			dup = strcmp(out->sources[k].title, title) == 0;
		if (dup) {
			free(title);
			continue;
		}
		src->snippet = compose_snippet(&w->cw, w->hits[h].text ? w->hits[h].text : "");
		if (!src->snippet) {
			free(title);
			return -1;
		}
		src->title = title;
		src->score = rounded_score(w->covered[h], w->cw.n);
		src->page = w->hits[h].page;
		if (w->hits[h].url && !(src->url = strdup(w->hits[h].url))) {
			free(src->title);
			free(src->snippet);
			src->title = src->snippet = NULL;
			return -1;
		}
		out->nsources++;
	}
	return 0;
}

/* Moves the passages that count (best first) out of the hits into `out`. */
static void keep_passages(struct work *w, struct answer *out, int min_covered)
{
	for (int i = 0; i < w->nhits && out->npassages < ANSWER_MAX_PASSAGES; i++) {
		struct store_hit *h = &w->hits[w->order[i]];
		if (w->covered[w->order[i]] < min_covered)
			break;
		if (!h->text || !h->text[0])
			continue;
		struct answer_passage *p = &out->passages[out->npassages++];
		*p = (struct answer_passage){.chunk_id = h->chunk_id, .title = h->title, .heading = h->heading,
					     .text = h->text, .score = rounded_score(w->covered[w->order[i]], w->cw.n),
					     .url = h->url, .page = h->page};
		h->title = h->heading = h->text = h->url = NULL;
	}
}

/* The fewest of n words a hit must cover to reach min_score (a small epsilon absorbs rounding); ≥ 1. */
static int covered_needed(int n, double min_score)
{
	int k = 0;
	while (k < n && (double)k / n < min_score - 1e-9)
		k++;
	return k > 0 ? k : 1;
}

/* ---- hybrid retrieval --------------------------------------------------------------------------- */

/* The question's nearest chunks by vector, best first (0 when there are no vectors). */
static int vector_hits(const struct answer_bot *bot, struct vec_hit *vh)
{
	const struct vec_set *set = vcache_set(bot->vectors);
	if (!set || !bot->query_vec || bot->query_dim != vec_set_dim(set))
		return 0;
	int n = vec_set_search(set, bot->query_vec, bot->query_dim, VEC_HITS, vh);
	return n > 0 ? n : 0;
}

/* An answer from the closest chunk alone (the full text found nothing): its first sentences. */
static int vector_answer(const struct answer_bot *bot, const struct vec_hit *best, struct answer *out)
{
	const char *title, *heading, *text;
	if (!vcache_chunk(bot->vectors, best->id, &title, &heading, &text) || !text[0])
		return 1;
	size_t len = strlen(text), end = 0;
	while (end < len) {
		size_t next = chunk_sentence_end(text, len, end);
		if (next <= end || (end > 0 && next > VEC_ANSWER_MAX))
			break;
		end = next;
	}
	if (end == 0) /* one long sentence: cut at a word */
		for (end = len < VEC_ANSWER_MAX ? len : VEC_ANSWER_MAX; end < len && end > 0 && text[end] != ' '; end--)
			;
	while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\n'))
		end--;
	out->text = strndup(text, end);
	out->sources[0].title = compose_source_title(title, heading);
	out->sources[0].snippet = strndup(text, len < 240 ? len : 240);
	if (!out->text || !out->sources[0].title || !out->sources[0].snippet) {
		free(out->sources[0].title);
		free(out->sources[0].snippet);
		out->sources[0].title = out->sources[0].snippet = NULL;
		return -1;
	}
	out->sources[0].score = (double)(int)(best->score * 100.0 + 0.5) / 100.0;
	out->nsources = 1;
	out->type = ANSWER_EXTRACTIVE;
	return 0;
}

/* The passages for a model: the full-text hits that count and the vector hits, fused by rank. */
static void fused_passages(struct work *w, const struct answer_bot *bot, const struct vec_hit *vh, int nv,
			   int min_covered, double min_sim, struct answer *out)
{
	int64_t a[SEARCH_HITS], b[VEC_HITS];
	int na = 0, nb = 0;
	for (int i = 0; i < w->nhits && w->covered[w->order[i]] >= min_covered; i++)
		a[na++] = w->hits[w->order[i]].chunk_id;
	for (int i = 0; i < nv; i++)
		if (vh[i].score >= min_sim * 0.8) /* near misses still help a model; noise does not */
			b[nb++] = vh[i].id;
	struct rrf_hit fused[SEARCH_HITS + VEC_HITS];
	int nf = rrf_fuse(a, na, b, nb, 0, fused, ANSWER_MAX_PASSAGES);
	for (int i = 0; i < nf && out->npassages < ANSWER_MAX_PASSAGES; i++) {
		struct answer_passage *p = &out->passages[out->npassages];
		int h = -1;
		for (int k = 0; k < w->nhits; k++)
			if (w->hits[k].chunk_id == fused[i].id)
				h = k;
		const char *title, *heading, *text;
		if (h >= 0 && w->hits[h].text) {
			*p = (struct answer_passage){.chunk_id = fused[i].id, .title = w->hits[h].title,
						     .heading = w->hits[h].heading, .text = w->hits[h].text,
						     .score = rounded_score(w->covered[h], w->cw.n), .url = w->hits[h].url,
						     .page = w->hits[h].page};
			w->hits[h].title = w->hits[h].heading = w->hits[h].text = w->hits[h].url = NULL;
		} else if (vcache_chunk(bot->vectors, fused[i].id, &title, &heading, &text)) {
			*p = (struct answer_passage){.chunk_id = fused[i].id, .title = strdup(title),
						     .heading = strdup(heading), .text = strdup(text)};
			for (int k = 0; k < nv; k++)
				if (vh[k].id == fused[i].id)
					p->score = (double)(int)(vh[k].score * 100.0 + 0.5) / 100.0;
			if (!p->title || !p->heading || !p->text) {
				free(p->title);
				free(p->heading);
				free(p->text);
				continue;
			}
		} else {
			continue;
		}
		out->npassages++;
	}
}

/* ---- the answer --------------------------------------------------------------------------------- */

static int fallback(struct answer *out, const struct answer_bot *bot)
{
	out->type = ANSWER_FALLBACK;
	out->unanswered = true;
	out->text = compose_fallback(bot);
	return out->text ? 0 : -1;
}

/* True when the question's word at `start` is written as a German noun: capitalised (A–Z, Ä, Ö, Ü) and
 * not the first word of a sentence, where every word is. */
static bool written_as_noun(const char *question, size_t start)
{
	const unsigned char *s = (const unsigned char *)question;
	bool upper = (s[start] >= 'A' && s[start] <= 'Z') ||
		     (s[start] == 0xC3 && (s[start + 1] == 0x84 || s[start + 1] == 0x96 || s[start + 1] == 0x9C));
	size_t i = start;

	if (!upper)
		return false;
	while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t' || s[i - 1] == '\n' || s[i - 1] == '\r' ||
			 s[i - 1] == '"' || s[i - 1] == '(' || s[i - 1] == '-'))
		i--;
	return i > 0 && !strchr(".?!:;", s[i - 1]);
}

/* A German question whose nouns are all words the knowledge never uses ("Macht ihr Osteopathie?", "Wie
 * hoch ist der Eiffelturm?") is about something the bot does not know, however well its verbs match. */
static bool nouns_all_unknown(const struct work *w, const char *question, uint32_t absent)
{
	int nouns = 0, unknown = 0;

	for (int i = 0; i < w->cw.n && i < 32; i++) {
		if (!written_as_noun(question, w->wstart[i]))
			continue;
		nouns++;
		unknown += (int)(absent >> i & 1u);
	}
	return nouns > 0 && unknown == nouns;
}

/* Orders hits by coverage, best first, keeping the store's order among equals. */
static void score_hits(struct work *w)
{
	uint32_t all = compose_all_words(&w->cw);

	for (int i = 0; i < w->nhits; i++) {
		w->covered[i] = compose_count_words(w->hits[i].matched & all);
		w->order[i] = i;
	}
	for (int i = 1; i < w->nhits; i++) {
		int h = w->order[i], j = i;

		while (j > 0 && w->covered[w->order[j - 1]] < w->covered[h]) {
			w->order[j] = w->order[j - 1];
			j--;
		}
		w->order[j] = h;
	}
}

/* The reply from the best passage, and from the second when it covers as many words and adds some. */
static int extract(struct work *w, struct answer *out)
{
	const struct store_hit *best = &w->hits[w->order[0]];
	const char *second = NULL;
	uint32_t fresh = 0;

	if (w->nhits > 1 && w->covered[w->order[1]] == w->covered[w->order[0]]) {
		const struct store_hit *next = &w->hits[w->order[1]];

		fresh = next->matched & ~best->matched & compose_all_words(&w->cw);
		if (fresh)
			second = next->text ? next->text : "";
	}
	out->text = compose_reply(&w->cw, best->text ? best->text : "", second, fresh);
	if (!out->text)
		return -1;
	out->type = ANSWER_EXTRACTIVE;
	return 0;
}

int answer_question(struct terms *t, struct store *st, const struct answer_bot *bot, const char *question,
		    struct answer *out)
{
	double min_score = bot->min_score > 0 ? bot->min_score : DEFAULT_MIN_SCORE;
	struct work *w;
	enum answer_type type;
	int rc = STORE_NOMEM, min_covered;

	memset(out, 0, sizeof *out);
	w = calloc(1, sizeof *w);
	if (!w)
		return STORE_NOMEM;
	w->cw.terms = t;
	if (terms_tokenize(t, question, strlen(question), collect_word, w) < 0)
		goto out;

	type = classify(w);
	if (type == ANSWER_GREETING) {
		out->type = type;
		out->text = compose_greeting(bot);
		rc = out->text ? STORE_OK : STORE_NOMEM;
		goto out;
	}
	if (type == ANSWER_THANKS) {
		out->type = type;
		out->text = compose_thanks(bot);
		rc = out->text ? STORE_OK : STORE_NOMEM;
		goto out;
	}

	if (pick_words(w, question) < 0)
		goto out;
	if (w->cw.n == 0) {
		rc = fallback(out, bot) == 0 ? STORE_OK : STORE_NOMEM;
		goto out;
	}
	/* the store (or the index) is asked only for chunks that can reach min_score */
	struct rag_index *ix = rag_cache_get(bot->index_cache, t, st, bot->tenant_id, bot->bot_id,
					     bot->knowledge_version);
	/* Words the knowledge never uses ("Blankenese", a typo, small talk) cannot be covered by any passage:
	 * the share is taken of the words it could cover — only while most words are known, so that a
	 * question mostly about other things stays unanswered. */
	int known = w->cw.n;
	bool unknown_topic = false;
	struct rag_query *q = NULL;
	if (ix && !(q = rag_query_new(ix, t, w->words, w->cw.n))) { /* the question's words expanded once */
		rag_index_release(ix);
		rc = STORE_NOMEM;
		goto out;
	}
	if (q) {
		uint32_t absent = rag_query_absent(q);
		int nabsent = __builtin_popcount(absent);
		/* the full text cannot answer it then; the vectors still may, by meaning */
		unknown_topic = bot->language && strcmp(bot->language, "de") == 0 &&
				nouns_all_unknown(w, question, absent);
		if (nabsent > 0 && 2 * (w->cw.n - nabsent) >= w->cw.n)
			known = w->cw.n - nabsent;
	}
	min_covered = covered_needed(known, min_score);
	if (q) {
		rc = unknown_topic ? STORE_OK : rag_query_search(q, min_covered, SEARCH_HITS, w->hits, &w->nhits);
		rag_query_free(q);
		rag_index_release(ix);
	} else {
		rc = store_chunk_search(st, bot->tenant_id, bot->bot_id, w->words, w->cw.n, min_covered,
					SEARCH_HITS, w->hits, &w->nhits);
	}
	if (rc != STORE_OK)
		goto out;
	if (w->nhits > SEARCH_HITS)
		w->nhits = SEARCH_HITS;
	score_hits(w);
	struct vec_hit vh[VEC_HITS];
	int nv = vector_hits(bot, vh);
	double min_sim = bot->min_similarity > 0 ? bot->min_similarity : DEFAULT_MIN_SIMILARITY;
	bool fts_ok = w->nhits > 0 && w->covered[w->order[0]] >= min_covered;
	if (!fts_ok && (nv == 0 || vh[0].score < min_sim)) {
		rc = fallback(out, bot) == 0 ? STORE_OK : STORE_NOMEM;
		goto out;
	}
	rc = STORE_NOMEM;
	if (!fts_ok) {
		int vrc = vector_answer(bot, &vh[0], out);
		if (vrc < 0)
			goto out;
		if (vrc > 0) {
			rc = fallback(out, bot) == 0 ? STORE_OK : STORE_NOMEM;
			goto out;
		}
		out->hybrid = true;
		if (bot->want_passages)
			fused_passages(w, bot, vh, nv, min_covered, min_sim, out);
		rc = STORE_OK;
		goto out;
	}
	out->hybrid = nv > 0;
	if (extract(w, out) < 0)
		goto out;
	if (out->text[0] == '\0') {
		/* the passages were empty: there is nothing to quote */
		answer_clear(out);
		rc = fallback(out, bot) == 0 ? STORE_OK : STORE_NOMEM;
		goto out;
	}
	if (add_sources(w, out, min_covered) < 0)
		goto out;
	if (bot->want_passages && nv > 0)
		fused_passages(w, bot, vh, nv, min_covered, min_sim, out);
	else if (bot->want_passages)
		keep_passages(w, out, min_covered);
	rc = STORE_OK;
out:
	for (int i = 0; i < w->nhits; i++)
		store_hit_clear(&w->hits[i]);
	free(w->wordbuf);
	free(w);
	if (rc != STORE_OK)
		answer_clear(out);
	return rc;
}

void answer_clear(struct answer *a)
{
	if (!a)
		return;
	free(a->text);
	for (int i = 0; i < a->nsources; i++) {
		free(a->sources[i].title);
		free(a->sources[i].snippet);
		free(a->sources[i].url);
	}
	for (int i = 0; i < a->npassages; i++) {
		free(a->passages[i].title);
		free(a->passages[i].heading);
		free(a->passages[i].text);
		free(a->passages[i].url);
	}
	memset(a, 0, sizeof *a);
}

const char *answer_type_name(enum answer_type type)
{
	switch (type) {
	case ANSWER_EXTRACTIVE:
		return "extractive";
	case ANSWER_GREETING:
		return "greeting";
	case ANSWER_THANKS:
		return "thanks";
	case ANSWER_FALLBACK:
		return "fallback";
	case ANSWER_PROFILE:
		return "profile";
	}
	return "unknown";
}
