/* topics.c — the topics a visitor asked about (see topics.h). */
#include "conv/topics.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* Cues are folded words (words.h); a trailing '*' matches any word that starts with the cue, a space
 * separates two words that must follow each other. */
struct lexicon_topic {
	const char *name;
	bool buying;
	const char *const *cues; /* NULL-terminated */
};

static const char *const cues_preise[] = {
	"preis*", "kosten*", "kostet", "tarif*", "gebuehr*", "beitrag", "beitraege", "monatsbeitrag*", "teuer*",
	"guenstig*", "price*", "pricing", "cost", "costs", "fee", "fees", "expensive", "cheap*", NULL};
static const char *const cues_probetraining[] = {"probe*", "schnupper*", "trial*", "free session", NULL};
static const char *const cues_kurse[] = {"kurs*", "yoga*", "pilates", "zumba", "spinning", "cycling", "rueckenfit*",
					 "hiit", "class", "classes", "course*", NULL};
static const char *const cues_oeffnungszeiten[] = {"oeffnungszeit*", "geoeffnet", "oeffnet", "offen", "opening*",
						  "open", NULL};
static const char *const cues_vertrag[] = {"kuendig*", "vertrag*", "vertraeg*", "laufzeit*", "contract*",
					   "cancel*", NULL};
static const char *const cues_termin[] = {"termin*", "buchung*", "buchen", "gebucht", "reservier*",
					  "appointment*", "booking*", "book", NULL};
static const char *const cues_personal_training[] = {"personal train*", "personaltrain*", "einzeltrain*", NULL};
static const char *const cues_angebot[] = {"angebot*", "demo*", "rabatt*", "offer*", "quote", "discount*",
					   "kostenvoranschlag*", NULL};

static const struct lexicon_topic lexicon[] = {
	{"preise", true, cues_preise},
	{"probetraining", true, cues_probetraining},
	{"kurse", false, cues_kurse},
	{"oeffnungszeiten", false, cues_oeffnungszeiten},
	{"vertrag", false, cues_vertrag},
	{"termin", true, cues_termin},
	{"personal_training", true, cues_personal_training},
	{"angebot", true, cues_angebot},
};
#define LEXICON_N (sizeof lexicon / sizeof lexicon[0])

/* Words of a message, hyphenated ones split into their parts. */
#define PARTS_MAX (WORDS_MAX * 2)
struct parts {
	int n;
	char w[PARTS_MAX][WORD_MAX];
};

static void split_words(const char *text, struct parts *p)
{
	char words[WORDS_MAX][WORD_MAX];
	int n = words_fold(text ? text : "", words);
	p->n = 0;
	for (int i = 0; i < n; i++) {
		const char *s = words[i];
		while (*s && p->n < PARTS_MAX) {
			size_t len = strcspn(s, "-");
			if (len > 0) {
				memcpy(p->w[p->n], s, len);
				p->w[p->n][len] = '\0';
				p->n++;
			}
			s += len;
			while (*s == '-')
				s++;
		}
	}
	explicit_bzero(words, sizeof words);
}

/* Whether one cue word ("kurs*" or "offen", `len` bytes) matches `word`. */
static bool word_matches(const char *cue, size_t len, const char *word)
{
	if (len > 0 && cue[len - 1] == '*')
		return len > 1 && !strncmp(word, cue, len - 1);
	return strlen(word) == len && !strncmp(word, cue, len);
}

/* Whether `cue` (one or two words) matches the words starting at position i. */
static bool cue_at(const char *cue, const struct parts *p, int i)
{
	size_t first = strcspn(cue, " ");
	if (!word_matches(cue, first, p->w[i]))
		return false;
	if (!cue[first])
		return true;
	const char *second = cue + first + 1;
	return i + 1 < p->n && word_matches(second, strlen(second), p->w[i + 1]);
}

/* The lexicon topic whose cues match the folded word `w` alone, or NULL. */
static const struct lexicon_topic *lexicon_of_word(const char *w)
{
	struct parts one = {.n = 1};
	snprintf(one.w[0], sizeof one.w[0], "%s", w);
	for (size_t t = 0; t < LEXICON_N; t++)
		for (const char *const *c = lexicon[t].cues; *c; c++)
			if (cue_at(*c, &one, 0))
				return &lexicon[t];
	return NULL;
}

static void add(struct topics *t, const char *name, bool buying)
{
	for (int i = 0; i < t->n; i++)
		if (!strcmp(t->name[i], name)) {
			t->buying[i] = t->buying[i] || buying; /* a configured topic counts as buying */
			return;
		}
	if (t->n >= TOPICS_MAX)
		return;
	snprintf(t->name[t->n], sizeof t->name[t->n], "%s", name);
	t->buying[t->n] = buying;
	t->n++;
}

void topics_init(struct topics *t)
{
	memset(t, 0, sizeof *t);
}

/* Configured topics looked at per scan; the rest are ignored. */
#define EXTRA_MAX 16

void topics_scan(struct topics *t, const char *text, const char *const *extra, int nextra)
{
	struct parts p;
	/* the configured topics, folded, each with the name it is counted under */
	char words[WORDS_MAX][WORD_MAX], cue[EXTRA_MAX][WORD_MAX];
	const char *as[EXTRA_MAX];
	int ncue = 0;
	for (int e = 0; extra && e < nextra && ncue < EXTRA_MAX; e++) {
		if (!extra[e] || words_fold(extra[e], words) != 1)
			continue; /* configured topics are single words */
		memcpy(cue[ncue], words[0], WORD_MAX);
		const struct lexicon_topic *known = lexicon_of_word(cue[ncue]);
		as[ncue] = known ? known->name : cue[ncue];
		ncue++;
	}
	split_words(text, &p);
	/* word by word, so topics come in the order the visitor mentioned them */
	for (int i = 0; i < p.n; i++) {
		for (size_t k = 0; k < LEXICON_N; k++)
			for (const char *const *c = lexicon[k].cues; *c; c++)
				if (cue_at(*c, &p, i)) {
					add(t, lexicon[k].name, lexicon[k].buying);
					break;
				}
		for (int e = 0; e < ncue; e++)
			if (!strncmp(p.w[i], cue[e], strlen(cue[e])))
				add(t, as[e], true);
	}
	explicit_bzero(&p, sizeof p);
}

int topics_buying(const struct topics *t)
{
	int n = 0;
	for (int i = 0; i < t->n; i++)
		n += t->buying[i];
	return n;
}

int topics_interest(int base, int messages, int buying)
{
	int visitor = messages > 0 ? (messages + 1) / 2 : 0;
	int score = base + (visitor > 6 ? 6 : visitor) + (buying > 2 ? 2 : buying < 0 ? 0 : buying);
	return score < 1 ? 1 : score > 10 ? 10 : score;
}
