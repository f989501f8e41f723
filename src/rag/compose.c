/*
 * compose.c — the text of an extractive answer: the bot's fixed replies (greeting, thanks, fallback),
 * the reply cut from passages (sentences chosen by the content words they hold, within a budget), and
 * the title and snippet of each source (see compose.h).
 *
 * Nothing here searches or scores: answer.c hands over the passages and the content words. Passages are
 * split into sentences in fixed arrays; a reply allocates only its text and two passage tables.
 */
#include "rag/compose.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "rag/chunk.h"

#define ANSWER_BUDGET 500      /* code points of passage text in a reply (the first sentence always) */
#define SHORT_SENTENCE 60      /* a matching sentence shorter than this brings its neighbour along */
#define SENTENCES_MAX 256      /* sentences of one passage considered */
#define SNIPPET_MAX 240        /* code points, "…" included */
#define SNIPPET_LEAD 60        /* code points of context kept before the first match */

static const char ELLIPSIS[] = "\xE2\x80\xA6"; /* … */

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
	struct strbuf b = { 0 };

	strbuf_adds(&b, ph->hello);
	strbuf_adds(&b, " ");
	if (name && *name) {
		strbuf_adds(&b, ph->intro_of);
		strbuf_adds(&b, name);
		strbuf_adds(&b, ".");
	} else {
		strbuf_adds(&b, ph->intro);
	}
	strbuf_adds(&b, " ");
	strbuf_adds(&b, ph->offer);
	return strbuf_take(&b);
}

char *compose_greeting(const struct answer_bot *bot)
{
	return greeting_text(bot_phrases(bot), bot->name);
}

char *compose_thanks(const struct answer_bot *bot)
{
	return strdup(bot_phrases(bot)->thanks);
}

char *compose_fallback(const struct answer_bot *bot)
{
	const char *own = bot->fallback_message;

	return strdup(own && *own ? own : bot_phrases(bot)->fallback);
}

/* ---- passages ----------------------------------------------------------------------------------- */

/* Bit i set when content word i has `term`. */
static uint32_t term_bit(const struct compose_words *cw, const char *term, size_t len)
{
	for (int k = 0; k < cw->n; k++)
		if (cw->tlen[k] == len && memcmp(cw->term[k], term, len) == 0)
			return (uint32_t)1 << k;
	return 0;
}

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
	const struct compose_words *cw;
	uint32_t mask;
	size_t first; /* byte offset of the first matching word, SIZE_MAX when none */
};

static int mark_term(void *ud, const char *term, size_t len, size_t start, size_t end)
{
	struct mask_walk *m = ud;
	uint32_t bit = term_bit(m->cw, term, len);

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
static int split_passage(const struct compose_words *cw, const char *text, struct passage *p)
{
	size_t len = strlen(text), pos = 0;
	bool line_start = false;

	p->text = text;
	p->n = 0;
	while (pos < len && p->n < SENTENCES_MAX) {
		struct sentence *s;
		struct mask_walk m = { .cw = cw, .first = SIZE_MAX };
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
		if (terms_tokenize(cw->terms, text + pos, e - pos, mark_term, &m) < 0)
			return -1;
		s->mask = m.mask;
		line_start = false;
		pos = end;
	}
	return 0;
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

	for (int k = compose_count_words(want); k > 0; k--) {
		for (int i = 0; i < p->n; i++) {
			if (compose_count_words(p->s[i].mask & want) != k)
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
static void write_chosen(struct strbuf *out, const struct passage *p, bool skip_known)
{
	for (int i = 0; i < p->n; i++) {
		const struct sentence *s = &p->s[i];

		if (!s->chosen)
			continue;
		if (skip_known && !out->failed && out->len > 0 &&
		    memmem(out->p, out->len, p->text + s->off, s->len) != NULL)
			continue;
		if (out->len > 0)
			strbuf_adds(out, s->line_start ? "\n" : " ");
		strbuf_add(out, p->text + s->off, s->len);
	}
}

/* The reply from the best passage, and from the second when answer.c found one worth adding (see
 * compose.h). */
char *compose_reply(const struct compose_words *cw, const char *best, const char *second, uint32_t fresh)
{
	struct passage *p1 = NULL, *p2 = NULL;
	struct strbuf text = { 0 };
	char *reply = NULL;
	size_t used;

	p1 = malloc(sizeof *p1);
	if (!p1 || split_passage(cw, best, p1) < 0)
		goto out;
	used = choose_matching(p1, compose_all_words(cw), 0, ANSWER_BUDGET, true);
	if (second) {
		p2 = malloc(sizeof *p2);
		if (!p2 || split_passage(cw, second, p2) < 0)
			goto out;
		choose_matching(p2, fresh, used, ANSWER_BUDGET, false);
	}
	write_chosen(&text, p1, false);
	if (p2)
		write_chosen(&text, p2, true);
	reply = strbuf_take(&text);
out:
	free(text.p);
	free(p1);
	free(p2);
	return reply;
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
char *compose_snippet(const struct compose_words *cw, const char *text)
{
	char *flat = collapse_space(text);
	struct mask_walk m = { .cw = cw, .first = SIZE_MAX };
	struct strbuf out = { 0 };
	size_t len, start = 0, room, end;

	if (!flat)
		return NULL;
	len = strlen(flat);
	if (count_chars(flat, len) <= SNIPPET_MAX)
		return flat;
	if (terms_tokenize(cw->terms, flat, len, mark_term, &m) < 0) {
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
		strbuf_adds(&out, ELLIPSIS);
	strbuf_add(&out, flat + start, end - start);
	if (end < len)
		strbuf_adds(&out, ELLIPSIS);
	free(flat);
	return strbuf_take(&out);
}

/* "Title – Heading", or the title alone when the chunk has no heading. */
char *compose_source_title(const char *title, const char *heading)
{
	struct strbuf b = { 0 };

	strbuf_adds(&b, title ? title : "");
	if (heading && *heading) {
		strbuf_adds(&b, " \xE2\x80\x93 "); /* " – " */
		strbuf_adds(&b, heading);
	}
	return strbuf_take(&b);
}

