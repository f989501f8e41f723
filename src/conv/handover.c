/*
 * handover.c — the triggers that hand a conversation to a person (see handover.h; the word lists below
 * are documented in docs/flows.md).
 *
 * A message is cut into sentences at . ! ? ; and line breaks, and each sentence is folded into words
 * (words.h; hyphenated words split into their parts), so a negation never reaches across a sentence. A
 * cue is a phrase of folded words: a word ending in '*' matches every word that starts so, and "..."
 * lets up to GAP_MAX other words stand in between ("ruf* ... mich ... an" finds "Rufen Sie mich bitte
 * an"). A cue is negated when one of `negators` stands in the NEG_SPAN words before it or inside one of
 * its gaps ("Rufen Sie mich bitte nicht an").
 */
#include "conv/handover.h"

#include <stdio.h>
#include <string.h>

#include "conv/topics.h"
#include "conv/words.h"

#define PARTS_MAX (WORDS_MAX * 2)
#define GAP_MAX 3      /* words a "..." may skip */
#define NEG_SPAN 3     /* words before a cue in which a negation counts */
#define SENTENCE_MAX 1024
#define SENTENCES_MAX 32
#define TEXT_MAX 8192  /* bytes of a message looked at */

struct wl {
	int n;
	char w[PARTS_MAX][WORD_MAX];
};

struct cue {
	const char *pat;
	int weight; /* sentiment only */
};

static const char *const negators[] = {"nicht", "kein", "keine", "keinen", "keiner", "keinem", "nie", "niemals",
				       "ohne", "not", "no", "never", NULL};

/* Asking for a person. */
static const struct cue keywords[] = {
	{"mitarbeiter", 0}, {"mitarbeiterin", 0}, {"mitarbeiterinnen", 0}, {"mitarbeitern", 0},
	{"mitarbeitende", 0}, {"mitarbeitenden", 0}, {"berater", 0}, {"beraterin", 0}, {"beraterinnen", 0},
	{"beratern", 0}, {"kundenberater*", 0}, {"ein mensch*", 0}, {"einem mensch*", 0}, {"einen mensch*", 0},
	{"echte* mensch*", 0}, {"richtige* mensch*", 0}, {"mensch sprechen", 0}, {"menschen sprechen", 0},
	{"echte* person", 0}, {"reale* person", 0}, {"mit einer person", 0}, {"anrufen", 0}, {"anruf", 0},
	{"angerufen", 0}, {"ruf* ... mich ... an", 0}, {"ruf* ... uns ... an", 0}, {"ruf* ... mich ... zurueck", 0},
	{"zurueckrufen", 0}, {"zurueckruf*", 0}, {"rueckruf*", 0}, {"telefonieren", 0}, {"telefonat", 0}, {"telefonisch", 0},
	{"mit jemandem ... sprechen", 0}, {"mit jemand ... sprechen", 0}, {"mit jemandem ... reden", 0},
	{"mit jemand ... reden", 0}, {"jemanden sprechen", 0}, {"persoenlich sprechen", 0},
	{"persoenlich reden", 0}, {"persoenliches gespraech", 0}, {"keinen bot", 0}, {"kein bot", 0},
	{"keine ki", 0}, {"nicht mit einem bot", 0}, {"nicht mit einer maschine", 0}, {"chef", 0},
	{"vorgesetzte*", 0}, {"geschaeftsfuehrer*", 0}, {"geschaeftsfuehrung", 0}, {"human", 0},
	{"real person", 0}, {"call me", 0}, {"speak to someone", 0}, {"talk to someone", 0}, {NULL, 0}};

/* Negative words and phrases, weighted: 2 hands over alone, 1 needs an intensifier or company. */
static const struct cue negative[] = {
	{"beschwerde", 2}, {"beschwerden", 2}, {"beschweren", 2}, {"beschwere", 2}, {"unverschaemt", 2},
	{"unverschaemtheit", 2}, {"frechheit", 2}, {"betrug", 2}, {"betrueger*", 2}, {"abzocke", 2},
	{"abzocker*", 2}, {"abgezockt", 2}, {"verarsch*", 2}, {"scheiss*", 2}, {"katastrophe", 2},
	{"katastrophal", 2}, {"skandal*", 2}, {"anwalt", 2}, {"rechtsanwalt", 2}, {"verbraucherzentrale", 2},
	{"wuetend", 2}, {"stinksauer", 2}, {"sauer", 2}, {"reicht mir", 2}, {"reicht jetzt", 2}, {"nie wieder", 2},
	{"zum kotzen", 2}, {"laecherlich", 2}, {"inakzeptabel", 2}, {"respektlos", 2}, {"dreist", 2},
	{"miserabel", 2}, {"unterirdisch", 2}, {"schlecht", 1}, {"schlechter", 1}, {"schlechteste*", 1},
	{"unzufrieden", 1}, {"enttaeuscht", 1}, {"enttaeuschend", 1}, {"enttaeuschung", 1}, {"aergerlich", 1},
	{"aergert", 1}, {"genervt", 1}, {"nervig", 1}, {"nervt", 1}, {"unfreundlich", 1}, {"mangelhaft", 1},
	{"frustriert", 1}, {"frustrierend", 1}, {"nutzlos", 1}, {"sinnlos", 1}, {"unzuverlaessig", 1},
	{"schrecklich", 1}, {"furchtbar", 1}, {"grauenhaft", 1}, {"mies", 1}, {"bloed", 1}, {"doof", 1},
	{"nicht gut", 1}, {"nicht zufrieden", 1}, {"funktioniert nicht", 1}, {"klappt nicht", 1},
	{"keine antwort", 1}, {"niemand antwortet", 1}, {"meldet sich keiner", 1}, {"meldet sich niemand", 1},
	{"immer noch nicht", 1}, {"schon wieder", 1}, {NULL, 0}};

static const char *const intensifiers[] = {"sehr", "total", "echt", "extrem", "voellig", "absolut", "richtig",
					   "so", "wirklich", "mega", "ganz", "aeusserst", "unglaublich", "zutiefst",
					   "maximal", "voll", "einfach", NULL};

/* Angry emoji (UTF-8) and their weight. */
static const struct cue angry_emoji[] = {{"\xF0\x9F\xA4\xAC", 2}, /* 🤬 */
					 {"\xF0\x9F\x98\xA1", 2}, /* 😡 */
					 {"\xF0\x9F\x98\xA0", 2}, /* 😠 */
					 {"\xF0\x9F\x96\x95", 2}, /* 🖕 */
					 {"\xF0\x9F\x98\xA4", 1}, /* 😤 */
					 {"\xF0\x9F\x91\x8E", 1}, /* 👎 */
					 {"\xF0\x9F\x92\xA9", 1}, /* 💩 */
					 {NULL, 0}};

static bool one_of(const char *w, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(w, *list))
			return true;
	return false;
}

static void fold(const char *text, struct wl *l)
{
	char words[WORDS_MAX][WORD_MAX];
	int n = words_fold(text, words);
	l->n = 0;
	for (int i = 0; i < n; i++)
		for (const char *s = words[i]; *s && l->n < PARTS_MAX;) {
			size_t len = strcspn(s, "-");
			if (len) {
				memcpy(l->w[l->n], s, len);
				l->w[l->n++][len] = '\0';
			}
			s += len + (s[len] == '-');
		}
}

static bool word_ok(const char *w, const char *pat, size_t len)
{
	if (len > 1 && pat[len - 1] == '*')
		return !strncmp(w, pat, len - 1);
	return strlen(w) == len && !strncmp(w, pat, len);
}

/* Where cue `pat` ends when it starts at word i (exclusive), or -1; *neg: a negator stands in a gap. */
static int match_at(const struct wl *l, int i, const char *pat, bool *neg)
{
	int k = i;
	*neg = false;
	for (const char *p = pat; *p;) {
		size_t len = strcspn(p, " ");
		if (len == 3 && !strncmp(p, "...", 3)) {
			p += len + (p[len] == ' ');
			len = strcspn(p, " ");
			int j = k;
			while (j < l->n && j <= k + GAP_MAX && !word_ok(l->w[j], p, len))
				j++;
			if (j >= l->n || j > k + GAP_MAX)
				return -1;
			for (int g = k; g < j; g++)
				*neg = *neg || one_of(l->w[g], negators);
			k = j;
		} else if (k >= l->n || !word_ok(l->w[k], p, len)) {
			return -1;
		}
		k++;
		p += len + (p[len] == ' ');
	}
	return k;
}

static bool negated_before(const struct wl *l, int i)
{
	for (int k = i - 1; k >= 0 && k >= i - NEG_SPAN; k--)
		if (one_of(l->w[k], negators))
			return true;
	return false;
}

/* Calls `visit` for each sentence of `text`, folded. */
static void sentences(const char *text, void (*visit)(const struct wl *l, void *arg), void *arg)
{
	char buf[SENTENCE_MAX];
	struct wl l;
	size_t total = 0;
	for (int n = 0; text && *text && n < SENTENCES_MAX && total < TEXT_MAX; n++) {
		size_t len = strcspn(text, ".!?;\n");
		size_t cut = len < sizeof buf - 1 ? len : sizeof buf - 1;
		memcpy(buf, text, cut);
		buf[cut] = '\0';
		fold(buf, &l);
		if (l.n)
			visit(&l, arg);
		total += len + 1;
		text += len;
		text += *text != '\0';
	}
	explicit_bzero(buf, sizeof buf);
	explicit_bzero(&l, sizeof l);
}

/* ---- keywords ---------------------------------------------------------------------------------- */

struct kw_result {
	char word[64]; /* the first cue found, as in the table without '*' and "..." ("ruf mich an") */
};

static void keyword_visit(const struct wl *l, void *arg)
{
	struct kw_result *r = arg;
	for (int i = 0; i < l->n && !r->word[0]; i++)
		for (const struct cue *c = keywords; c->pat; c++) {
			bool neg;
			int end = match_at(l, i, c->pat, &neg);
			if (end < 0 || neg || negated_before(l, i))
				continue;
			size_t n = 0;
			for (const char *p = c->pat; *p && n + 1 < sizeof r->word; p++) {
				if (*p == '*' || *p == '.' || (*p == ' ' && n && r->word[n - 1] == ' '))
					continue;
				r->word[n++] = *p;
			}
			r->word[n] = '\0';
			return;
		}
}

/* ---- sentiment --------------------------------------------------------------------------------- */

struct senti {
	int score, best;
	char word[WORD_MAX];
};

static void sentiment_visit(const struct wl *l, void *arg)
{
	struct senti *s = arg;
	for (int i = 0; i < l->n; i++) {
		int best_end = -1, weight = 0;
		for (const struct cue *c = negative; c->pat; c++) {
			bool neg;
			int end = match_at(l, i, c->pat, &neg);
			if (end > best_end && !neg) {
				best_end = end;
				weight = c->weight;
			}
		}
		if (best_end < 0 || negated_before(l, i))
			continue;
		/* "sehr schlecht", "total enttäuscht": an intensifier right before adds one */
		if (i > 0 && one_of(l->w[i - 1], intensifiers))
			weight++;
		s->score += weight;
		if (weight > s->best) {
			s->best = weight;
			snprintf(s->word, sizeof s->word, "%s", l->w[i]);
		}
		i = best_end - 1;
	}
}

int handover_sentiment(const char *text, char *word, size_t wordlen)
{
	struct senti s = {0};
	if (word && wordlen)
		word[0] = '\0';
	if (!text)
		return 0;
	sentences(text, sentiment_visit, &s);
	for (const struct cue *c = angry_emoji; c->pat; c++)
		if (strstr(text, c->pat)) {
			s.score += c->weight;
			if (c->weight > s.best) {
				s.best = c->weight;
				snprintf(s.word, sizeof s.word, "emoji");
			}
		}
	/* "!!" after something negative */
	const char *bang = strstr(text, "!!");
	if (s.score > 0 && bang)
		s.score++;
	if (word && wordlen)
		snprintf(word, wordlen, "%s", s.word);
	return s.score;
}

/* ---- all triggers ------------------------------------------------------------------------------ */

static void add_why(char *why, size_t whylen, const char *a, const char *b)
{
	if (!why || !whylen)
		return;
	size_t len = strlen(why);
	if (len + 1 >= whylen)
		return;
	snprintf(why + len, whylen - len, "%s%s%s%s", len ? "," : "", a, b ? ":" : "", b ? b : "");
}

unsigned handover_check(const char *text, const struct handover_input *in, char *why, size_t whylen)
{
	unsigned fired = 0;
	if (why && whylen)
		why[0] = '\0';
	if (text) {
		struct kw_result kw = {{0}};
		sentences(text, keyword_visit, &kw);
		if (kw.word[0]) {
			fired |= HANDOVER_KEYWORD;
			add_why(why, whylen, "keyword", kw.word);
		}
	}
	if (in && in->confidence >= 0) {
		double min = in->min_confidence > 0 ? in->min_confidence : HANDOVER_MIN_CONFIDENCE;
		unsigned topics = in->topics;
		if (text) {
			struct topics t;
			topics_init(&t);
			topics_scan(&t, text, NULL, 0);
			for (int i = 0; i < t.n; i++) {
				if (!strcmp(t.name[i], "preise"))
					topics |= HANDOVER_TOPIC_PRICE;
				if (!strcmp(t.name[i], "vertrag"))
					topics |= HANDOVER_TOPIC_CONTRACT;
			}
		}
		if (in->confidence < min && (topics & HANDOVER_TOPIC_PRICE)) {
			fired |= HANDOVER_PRICE;
			add_why(why, whylen, "price_low_confidence", NULL);
		}
		if (in->confidence < min && (topics & HANDOVER_TOPIC_CONTRACT)) {
			fired |= HANDOVER_CONTRACT;
			add_why(why, whylen, "contract_low_confidence", NULL);
		}
	}
	char word[WORD_MAX];
	if (text && handover_sentiment(text, word, sizeof word) >= HANDOVER_SENTIMENT_THRESHOLD) {
		fired |= HANDOVER_SENTIMENT;
		add_why(why, whylen, "sentiment", word);
	}
	if (in && in->misunderstandings > HANDOVER_MISUNDERSTOOD_MAX) {
		fired |= HANDOVER_MISUNDERSTOOD;
		add_why(why, whylen, "misunderstood", NULL);
	}
	return fired;
}
