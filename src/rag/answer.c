/*
 * answer.c — the extractive answerer: a reply built from the bot's own passages, without an LLM.
 *
 * Owns the reading of the question (greeting, thanks, content words), the coverage score of retrieved
 * chunks, the choice of sentences for the reply, and the sources shown under it (title and snippet).
 * The reply text is either one of the fixed greeting, thanks or fallback sentences below, or sentences
 * copied unchanged from passages; nothing else is ever written into it.
 *
 * All per-request state lives in one heap `struct work`; words and terms are kept in fixed arrays, so a
 * request allocates only the reply, its sources, and what the store returns.
 */
#include "rag/answer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rag/chunk.h"

#define DEFAULT_MIN_SCORE 0.5
#define SEARCH_HITS 5          /* chunks asked of the store */
#define QWORDS_MAX 128         /* words of a question read; later ones are ignored */
#define GREETING_MAX_WORDS 12  /* longer messages are questions, however polite */
#define ANSWER_BUDGET 500      /* code points of passage text in a reply (the first sentence always) */
#define SHORT_SENTENCE 60      /* a matching sentence shorter than this brings its neighbour along */
#define SENTENCES_MAX 256      /* sentences of one passage considered */
#define SNIPPET_MAX 240        /* code points, "…" included */
#define SNIPPET_LEAD 60        /* code points of context kept before the first match */

static const char ELLIPSIS[] = "\xE2\x80\xA6"; /* … */

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
 * "I want to know"). They are never searched for. */
static const char *const filler_terms[] = {
	"frag", "geht", "gewusst", "know", "question", "sag", "tell", "wiss",
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

/* ---- a growable string with a sticky failure ---------------------------------------------------- */

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_adds(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* Hands the string to the caller (an empty string when nothing was added); NULL when memory ran out,
 * in which case the buffer is freed. */
static char *sb_take(struct sbuf *b)
{
	char *p;

	sb_add(b, "", 0);
	if (b->oom) {
		free(b->p);
		*b = (struct sbuf){ 0 };
		return NULL;
	}
	p = b->p;
	*b = (struct sbuf){ 0 };
	return p;
}

/* ---- fixed replies ------------------------------------------------------------------------------ */

/* The bot's own sentences, by language and form of address. Nothing else in a reply is ours. */
struct phrases {
	const char *hello;    /* opens the greeting */
	const char *intro_of; /* followed by the bot's name and "." */
	const char *intro;    /* when the bot has no name */
	const char *offer;    /* closes the greeting */
	const char *thanks;   /* the whole reply to thanks */
	const char *fallback; /* when the bot has no fallback message of its own */
};

static const struct phrases phrases[2][2] = { /* [english][informal] */
	{
		{
			.hello = "Guten Tag!",
			.intro_of = "Ich bin der digitale Assistent von ",
			.intro = "Ich bin hier der digitale Assistent.",
			.offer = "Wie kann ich Ihnen helfen?",
			.thanks = "Gern geschehen! Wenn Sie noch Fragen haben, fragen Sie einfach.",
			.fallback = "Dazu habe ich leider keine gesicherte Information. Ich gebe Ihre Frage gern "
				    "an das Team weiter.",
		},
		{
			.hello = "Hallo!",
			.intro_of = "Ich bin der digitale Assistent von ",
			.intro = "Ich bin hier der digitale Assistent.",
			.offer = "Was kann ich für dich tun?",
			.thanks = "Gern geschehen! Wenn du noch etwas wissen möchtest, frag einfach.",
			.fallback = "Dazu habe ich leider keine gesicherte Information. Ich gebe deine Frage gern "
				    "an das Team weiter.",
		},
	},
	{
		{
			.hello = "Hello!",
			.intro_of = "I'm the digital assistant of ",
			.intro = "I'm the digital assistant here.",
			.offer = "How may I help you?",
			.thanks = "You're welcome! If you have any further questions, please just ask.",
			.fallback = "I don't have reliable information on that. I'll pass your question on to the "
				    "team.",
		},
		{
			.hello = "Hi!",
			.intro_of = "I'm the digital assistant of ",
			.intro = "I'm the digital assistant here.",
			.offer = "What can I do for you?",
			.thanks = "You're welcome! Just ask if anything else comes up.",
			.fallback = "I don't have reliable information on that. I'll pass your question on to the "
				    "team.",
		},
	},
};

/* German unless the bot speaks English; "du" for friendly and casual bots, "Sie" otherwise. */
static const struct phrases *bot_phrases(const struct answer_bot *bot)
{
	const char *style = bot->response_style ? bot->response_style : "";
	bool english = bot->language && strcmp(bot->language, "en") == 0;
	bool informal = strcmp(style, "friendly") == 0 || strcmp(style, "casual") == 0;

	return &phrases[english][informal];
}

/* The greeting; `name` may be NULL or "" (then the reply names nobody). NULL when memory runs out. */
static char *greeting_text(const struct phrases *ph, const char *name)
{
	struct sbuf b = { 0 };

	sb_adds(&b, ph->hello);
	sb_adds(&b, " ");
	if (name && *name) {
		sb_adds(&b, ph->intro_of);
		sb_adds(&b, name);
		sb_adds(&b, ".");
	} else {
		sb_adds(&b, ph->intro);
	}
	sb_adds(&b, " ");
	sb_adds(&b, ph->offer);
	return sb_take(&b);
}

/* ---- the question ------------------------------------------------------------------------------- */

enum wkind { W_CONTENT, W_STOP, W_FILLER, W_GREET, W_THANKS };

struct qword {
	char term[TERMS_WORD_MAX + 1];
	size_t tlen;
	size_t start, end; /* the surface word in the question */
	enum wkind kind;
};

struct work {
	struct terms *terms;
	struct qword q[QWORDS_MAX]; /* the question's words, in order */
	int nq;
	bool truncated;             /* the question had more than QWORDS_MAX words */
	const char *words[STORE_SEARCH_MAX_WORDS];         /* content words as typed, kept in `wordbuf` */
	const struct qword *wterm[STORE_SEARCH_MAX_WORDS]; /* the term of each content word */
	int nwords;
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
	for (int i = lead; i < tail && w->nwords < STORE_SEARCH_MAX_WORDS; i++) {
		const struct qword *q = &w->q[i];
		bool seen = false;

		if (q->kind == W_STOP || q->kind == W_FILLER)
			continue;
		for (int k = 0; k < w->nwords && !seen; k++) {
			const struct qword *o = w->wterm[k];

			seen = o->tlen == q->tlen && memcmp(o->term, q->term, q->tlen) == 0;
		}
		if (seen)
			continue;
		memcpy(p, question + q->start, q->end - q->start);
		p[q->end - q->start] = '\0';
		w->words[w->nwords] = p;
		w->wterm[w->nwords] = q;
		w->nwords++;
		p += q->end - q->start + 1;
	}
	return 0;
}

/* Bit i set when content word i has `term`. */
static uint32_t term_bit(const struct work *w, const char *term, size_t len)
{
	for (int k = 0; k < w->nwords; k++)
		if (w->wterm[k]->tlen == len && memcmp(w->wterm[k]->term, term, len) == 0)
			return (uint32_t)1 << k;
	return 0;
}

/* ---- passages ----------------------------------------------------------------------------------- */

struct sentence {
	size_t off, len;  /* in the passage text, trimmed */
	size_t chars;     /* code points */
	uint32_t mask;    /* content words it contains */
	bool line_start;  /* begins a line of the passage (list item, paragraph) */
	bool chosen;
};

struct passage {
	const char *text;
	struct sentence s[SENTENCES_MAX];
	int n;
};

struct mask_walk {
	const struct work *w;
	uint32_t mask;
	size_t first; /* byte offset of the first matching word, SIZE_MAX when none */
};

static int mark_term(void *ud, const char *term, size_t len, size_t start, size_t end)
{
	struct mask_walk *m = ud;
	uint32_t bit = term_bit(m->w, term, len);

	(void)end;
	if (bit && m->first == SIZE_MAX)
		m->first = start;
	m->mask |= bit;
	return 0;
}

static size_t count_chars(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Cuts `text` into sentences (chunk_sentence_end) and marks the content words in each. Returns 0, or -1
 * when memory runs out. */
static int split_passage(const struct work *w, const char *text, struct passage *p)
{
	size_t len = strlen(text), pos = 0;
	bool line_start = false;

	p->text = text;
	p->n = 0;
	while (pos < len && p->n < SENTENCES_MAX) {
		struct sentence *s;
		struct mask_walk m = { .w = w, .first = SIZE_MAX };
		size_t end, e;

		while (pos < len && is_space(text[pos])) {
			line_start = line_start || text[pos] == '\n';
			pos++;
		}
		if (pos >= len)
			break;
		end = chunk_sentence_end(text, len, pos);
		e = end;
		while (e > pos && is_space(text[e - 1]))
			e--;
		s = &p->s[p->n++];
		s->off = pos;
		s->len = e - pos;
		s->chars = count_chars(text + pos, e - pos);
		s->line_start = line_start;
		s->chosen = false;
		if (terms_tokenize(w->terms, text + pos, e - pos, mark_term, &m) < 0)
			return -1;
		s->mask = m.mask;
		line_start = false;
		pos = end;
	}
	return 0;
}

static int popcount32(uint32_t x)
{
	int n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

/* Chooses sentence i (and, when it is short, its neighbour) if it fits in the budget; the first
 * sentence of a reply is taken whatever its length. Returns the code points added. */
static size_t choose(struct passage *p, int i, size_t used, size_t budget, bool first)
{
	struct sentence *s = &p->s[i];
	int nb = -1;
	size_t cost;

	if (s->chosen)
		return 0;
	if (s->chars < SHORT_SENTENCE)
		nb = i + 1 < p->n ? i + 1 : i - 1;
	if (nb >= 0 && p->s[nb].chosen)
		nb = -1;
	cost = s->chars + 1 + (nb >= 0 ? p->s[nb].chars + 1 : 0);
	if (!first && used + cost > budget) {
		cost = s->chars + 1;
		nb = -1;
		if (used + cost > budget)
			return 0;
	}
	s->chosen = true;
	if (nb >= 0)
		p->s[nb].chosen = true;
	return cost;
}

/* Chooses the sentences of `p` that contain words of `want`, most words first, within the budget.
 * With `take_first`, a passage without such sentences gives its opening sentence. */
static size_t choose_matching(struct passage *p, uint32_t want, size_t used, size_t budget, bool take_first)
{
	size_t added = 0;

	for (int k = popcount32(want); k > 0; k--) {
		for (int i = 0; i < p->n; i++) {
			if (popcount32(p->s[i].mask & want) != k)
				continue;
			added += choose(p, i, used + added, budget, take_first && used + added == 0);
		}
	}
	if (added == 0 && take_first && p->n > 0)
		added = choose(p, 0, used, budget, used == 0);
	return added;
}

/* Appends the chosen sentences of `p` in document order; a sentence that begins a line of the
 * passage starts a line of the reply. With `skip_known`, a sentence whose text the reply already holds
 * is left out (chunks of one section overlap by a sentence). */
static void write_chosen(struct sbuf *out, const struct passage *p, bool skip_known)
{
	for (int i = 0; i < p->n; i++) {
		const struct sentence *s = &p->s[i];

		if (!s->chosen)
			continue;
		if (skip_known && !out->oom && out->len > 0 &&
		    memmem(out->p, out->len, p->text + s->off, s->len) != NULL)
			continue;
		if (out->len > 0)
			sb_adds(out, s->line_start ? "\n" : " ");
		sb_add(out, p->text + s->off, s->len);
	}
}

/* ---- sources ------------------------------------------------------------------------------------ */

/* Copies `text` with whitespace runs made single spaces, trimmed. */
static char *collapse_space(const char *text)
{
	size_t n = strlen(text), k = 0;
	char *out = malloc(n + 1);

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (is_space(text[i])) {
			if (k > 0 && out[k - 1] != ' ')
				out[k++] = ' ';
		} else {
			out[k++] = text[i];
		}
	}
	while (k > 0 && out[k - 1] == ' ')
		k--;
	out[k] = '\0';
	return out;
}

/* Byte offset after `chars` code points from s[from], stopping at s[len]. */
static size_t skip_chars(const char *s, size_t len, size_t from, size_t chars)
{
	size_t i = from;

	while (i < len && chars > 0) {
		i++;
		while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		chars--;
	}
	return i;
}

/* At most SNIPPET_MAX code points of `text` around its first content word, starting and ending on
 * word boundaries, with "…" where text was left out. NULL when memory runs out. */
static char *make_snippet(const struct work *w, const char *text)
{
	char *flat = collapse_space(text);
	struct mask_walk m = { .w = w, .first = SIZE_MAX };
	struct sbuf out = { 0 };
	size_t len, start = 0, room, end;

	if (!flat)
		return NULL;
	len = strlen(flat);
	if (count_chars(flat, len) <= SNIPPET_MAX)
		return flat;
	if (terms_tokenize(w->terms, flat, len, mark_term, &m) < 0) {
		free(flat);
		return NULL;
	}
	if (m.first != SIZE_MAX && count_chars(flat, m.first) > SNIPPET_LEAD) {
		/* back up SNIPPET_LEAD code points, then forward to the start of a word */
		size_t back = count_chars(flat, m.first) - SNIPPET_LEAD;

		start = skip_chars(flat, len, 0, back);
		while (start < m.first && flat[start - 1] != ' ')
			start++;
	}
	room = SNIPPET_MAX - (start > 0 ? 1 : 0);
	end = skip_chars(flat, len, start, room);
	if (end < len) {
		size_t cut;

		room--; /* the closing "…" */
		end = skip_chars(flat, len, start, room);
		cut = end;
		while (cut > start && flat[cut] != ' ')
			cut--;
		if (cut > start)
			end = cut;
		while (end > start && flat[end - 1] == ' ')
			end--;
	}
	if (start > 0)
		sb_adds(&out, ELLIPSIS);
	sb_add(&out, flat + start, end - start);
	if (end < len)
		sb_adds(&out, ELLIPSIS);
	free(flat);
	return sb_take(&out);
}

/* "Title – Heading", or the title alone when the chunk has no heading. */
static char *source_title(const struct store_hit *h)
{
	struct sbuf b = { 0 };

	sb_adds(&b, h->title ? h->title : "");
	if (h->heading && *h->heading) {
		sb_adds(&b, " \xE2\x80\x93 "); /* " – " */
		sb_adds(&b, h->heading);
	}
	return sb_take(&b);
}

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
		title = source_title(&w->hits[h]);
		if (!title)
			return -1;
		for (int k = 0; k < out->nsources && !dup; k++)
			dup = strcmp(out->sources[k].title, title) == 0;
		if (dup) {
			free(title);
			continue;
		}
		src->snippet = make_snippet(w, w->hits[h].text ? w->hits[h].text : "");
		if (!src->snippet) {
			free(title);
			return -1;
		}
		src->title = title;
		src->score = rounded_score(w->covered[h], w->nwords);
		out->nsources++;
	}
	return 0;
}

/* ---- the answer --------------------------------------------------------------------------------- */

static int set_text(struct answer *out, const char *text)
{
	out->text = strdup(text);
	return out->text ? 0 : -1;
}

static int fallback(struct answer *out, const struct answer_bot *bot)
{
	const char *own = bot->fallback_message;

	out->type = ANSWER_FALLBACK;
	out->unanswered = true;
	return set_text(out, own && *own ? own : bot_phrases(bot)->fallback);
}

/* The mask with a bit for each content word. */
static uint32_t all_words(const struct work *w)
{
	return w->nwords >= 32 ? UINT32_MAX : ((uint32_t)1 << w->nwords) - 1;
}

/* Orders hits by coverage, best first, keeping the store's order among equals. */
static void score_hits(struct work *w)
{
	uint32_t all = all_words(w);

	for (int i = 0; i < w->nhits; i++) {
		w->covered[i] = popcount32(w->hits[i].matched & all);
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
	struct passage *p1 = NULL, *p2 = NULL;
	struct sbuf text = { 0 };
	size_t used;
	int rc = -1;

	p1 = malloc(sizeof *p1);
	if (!p1 || split_passage(w, best->text ? best->text : "", p1) < 0)
		goto out;
	used = choose_matching(p1, all_words(w), 0, ANSWER_BUDGET, true);
	if (w->nhits > 1 && w->covered[w->order[1]] == w->covered[w->order[0]]) {
		const struct store_hit *second = &w->hits[w->order[1]];
		uint32_t fresh = second->matched & ~best->matched & all_words(w);

		if (fresh) {
			p2 = malloc(sizeof *p2);
			if (!p2 || split_passage(w, second->text ? second->text : "", p2) < 0)
				goto out;
			choose_matching(p2, fresh, used, ANSWER_BUDGET, false);
		}
	}
	write_chosen(&text, p1, false);
	if (p2)
		write_chosen(&text, p2, true);
	out->text = sb_take(&text);
	if (!out->text)
		goto out;
	out->type = ANSWER_EXTRACTIVE;
	rc = 0;
out:
	free(text.p);
	free(p1);
	free(p2);
	return rc;
}

int answer_question(struct terms *t, struct store *st, const struct answer_bot *bot, const char *question,
		    struct answer *out)
{
	const struct phrases *ph = bot_phrases(bot);
	double min_score = bot->min_score > 0 ? bot->min_score : DEFAULT_MIN_SCORE;
	struct work *w;
	enum answer_type type;
	int rc = STORE_NOMEM, min_covered;

	memset(out, 0, sizeof *out);
	w = calloc(1, sizeof *w);
	if (!w)
		return STORE_NOMEM;
	w->terms = t;
	if (terms_tokenize(t, question, strlen(question), collect_word, w) < 0)
		goto out;

	type = classify(w);
	if (type == ANSWER_GREETING) {
		out->type = type;
		out->text = greeting_text(ph, bot->name);
		rc = out->text ? STORE_OK : STORE_NOMEM;
		goto out;
	}
	if (type == ANSWER_THANKS) {
		out->type = type;
		rc = set_text(out, ph->thanks) == 0 ? STORE_OK : STORE_NOMEM;
		goto out;
	}

	if (pick_words(w, question) < 0)
		goto out;
	if (w->nwords == 0) {
		rc = fallback(out, bot) == 0 ? STORE_OK : STORE_NOMEM;
		goto out;
	}
	/* the fewest words a hit must cover to count, from min_score (a small epsilon absorbs rounding);
	 * the store is asked only for chunks that can reach it */
	min_covered = 0;
	while (min_covered < w->nwords && (double)min_covered / w->nwords < min_score - 1e-9)
		min_covered++;
	if (min_covered == 0)
		min_covered = 1;
	struct rag_index *ix = rag_cache_get(bot->index_cache, t, st, bot->tenant_id, bot->bot_id,
					     bot->knowledge_version);
	if (ix) {
		rc = rag_index_search(ix, t, w->words, w->nwords, min_covered, SEARCH_HITS, w->hits, &w->nhits);
		rag_index_release(ix);
	} else {
		rc = store_chunk_search(st, bot->tenant_id, bot->bot_id, w->words, w->nwords, min_covered,
					SEARCH_HITS, w->hits, &w->nhits);
	}
	if (rc != STORE_OK)
		goto out;
	if (w->nhits > SEARCH_HITS)
		w->nhits = SEARCH_HITS;
	score_hits(w);
	if (w->nhits == 0 || w->covered[w->order[0]] < min_covered) {
		rc = fallback(out, bot) == 0 ? STORE_OK : STORE_NOMEM;
		goto out;
	}
	rc = STORE_NOMEM;
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
	}
	return "unknown";
}
