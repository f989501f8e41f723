/*
 * flow_answer.c — recognising a visitor's answer to a flow question in German text (see flow_int.h; the
 * rules and word lists are documented in docs/flows.md).
 *
 * Words are folded like words.h ("Nö" → "noe", "Natürlich" → "natuerlich"; hyphenated words count as
 * their parts). Yes/no and choices work on those words; numbers are read from the raw text, because the
 * German thousands separator ("1.000") and decimal comma ("1,5k") live in the punctuation that folding
 * drops. Every table here is static and const.
 */
#include "conv/flow_int.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conv/words.h"

#define PARTS_MAX (WORDS_MAX * 2)

/* The words of a message: folded, hyphenated words split into their parts. */
struct wl {
	int n;
	char w[PARTS_MAX][WORD_MAX];
};

static void fold(const char *text, struct wl *l)
{
	char words[WORDS_MAX][WORD_MAX];
	int n = words_fold(text ? text : "", words);
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

static bool one_of(const char *w, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(w, *list))
			return true;
	return false;
}

/* How many words phrase `pat` matches at word i (0: none). Words are separated by one space; a word
 * ending in '*' matches every word that starts with the rest. */
static int phrase_at(const struct wl *l, int i, const char *pat)
{
	int k = 0;
	for (const char *p = pat; *p; k++) {
		size_t len = strcspn(p, " ");
		if (i + k >= l->n)
			return 0;
		const char *w = l->w[i + k];
		bool ok = p[len - 1] == '*' ? len > 1 && !strncmp(w, p, len - 1)
					     : strlen(w) == len && !strncmp(w, p, len);
		if (!ok)
			return 0;
		p += len + (p[len] == ' ');
	}
	return k;
}

/* The longest phrase of `list` matching at word i, in words (0: none). */
static int list_at(const struct wl *l, int i, const char *const *list)
{
	int best = 0;
	for (; *list; list++) {
		int m = phrase_at(l, i, *list);
		if (m > best)
			best = m;
	}
	return best;
}

static bool list_anywhere(const struct wl *l, const char *const *list)
{
	for (int i = 0; i < l->n; i++)
		if (list_at(l, i, list))
			return true;
	return false;
}

/* ---- yes / no ----------------------------------------------------------------------------------- */

/* Words that may open an answer without being one ("Also ja", "Hm, nein"). */
static const char *const fillers[] = {"also", "aeh", "aehm", "ehm", "hm", "hmm", "hmmm", "oh", "ah", "tja", "na",
				      "hallo", "hi", "hey", "moin", "ach", "achso", "so", NULL};
static const char *const yes_primary[] = {"ja", "jo", "joa", "jep", "jepp", "jap", "japp", "jup", "jupp", "yes",
					  "yep", "yup", "jawohl", "jawoll", "doch", NULL};
static const char *const no_primary[] = {"nein", "nee", "ne", "noe", "noee", "nae", "nope", "no", NULL};
static const char *const yes_words[] = {
	"ja", "jo", "joa", "jep", "jepp", "jap", "japp", "jup", "jupp", "yes", "yep", "yup", "jawohl", "jawoll",
	"klar", "klaro", "logo", "logisch", "natuerlich", "sicher", "sicherlich", "genau", "gern", "gerne", "richtig",
	"korrekt", "stimmt", "absolut", "definitiv", "selbstverstaendlich", "auf jeden fall", "ok", "okay", "okey",
	"oki", "okidoki", "passt", "einverstanden", "allerdings", "durchaus", "tatsaechlich", "warum nicht",
	"wieso nicht", "weshalb nicht", "na klar", "aber sicher", "sehr gern", "sehr gerne", "tun wir",
	"machen wir", "haben wir", "mache ich", "mach ich", "schalten wir", "schon", "auf jeden", "mhm",
	"sure", "yeah", "of course", NULL};
static const char *const no_words[] = {
	"nein", "nee", "ne", "noe", "noee", "nae", "nope", "no", "nicht", "noch nicht", "leider nicht",
	"leider nein", "eher nicht", "gar nicht", "nicht wirklich", "kein", "keine", "keinen", "nie", "niemals",
	"noch nie", "auf keinen fall", "keineswegs", "negativ", "nicht mehr", "lieber nicht", "nichts", NULL};
/* Neither yes nor no. */
static const char *const unsure_words[] = {
	"vielleicht", "eventuell", "evtl", "jein", "unsicher", "nicht sicher", "nicht ganz sicher", "weiss nicht",
	"weiss ich nicht", "weiss es nicht", "weiss ich noch nicht", "keine ahnung", "kommt drauf an",
	"kommt darauf an", "mal sehen", "mal schauen", "teils", "teilweise", "manchmal", "ab und zu",
	"gelegentlich", "unklar", "kann sein", "koennte sein", "moeglicherweise", "wahrscheinlich", "vermutlich",
	"schwer zu sagen", "mal so mal so", "mehr oder weniger", "so halb", "ja und nein", "ja nein",
	"ja oder nein", "nein und ja", NULL};
/* The three-byte and four-byte UTF-8 emoji that answer yes / no (skin tones follow and do not matter). */
static const char *const yes_emoji[] = {"\xF0\x9F\x91\x8D", "\xE2\x9C\x85", "\xF0\x9F\x91\x8C", "\xE2\x9C\x94",
					"\xF0\x9F\x99\x8B", NULL};
static const char *const no_emoji[] = {"\xF0\x9F\x91\x8E", "\xE2\x9D\x8C", "\xF0\x9F\x9A\xAB", "\xE2\x9C\x96",
				       "\xF0\x9F\x99\x85", NULL};

static bool has_any(const char *text, const char *const *list)
{
	for (; text && *list; list++)
		if (strstr(text, *list))
			return true;
	return false;
}

static bool negator(const char *w)
{
	return !strcmp(w, "nicht") || !strcmp(w, "kein") || !strcmp(w, "keine") || !strcmp(w, "keinen") ||
	       !strcmp(w, "nie");
}

/* "ja", "jaa", "jaaaa": a drawn-out ja */
static bool long_ja(const char *w)
{
	if (w[0] != 'j' || w[1] != 'a')
		return false;
	for (w += 2; *w == 'a'; w++)
		;
	return !*w;
}

enum flow_yes_no flow_answer_yes_no(const char *text, bool *leading)
{
	struct wl l;
	*leading = false;
	fold(text, &l);
	int first = 0;
	while (first < l.n && one_of(l.w[first], fillers))
		first++;
	bool e_yes = has_any(text, yes_emoji), e_no = has_any(text, no_emoji);
	if (first >= l.n) { /* no words: the emoji decide */
		*leading = e_yes != e_no;
		return e_yes && e_no ? FLOW_YN_UNSURE : e_yes ? FLOW_YN_YES : e_no ? FLOW_YN_NO : FLOW_YN_NONE;
	}
	/* "Jein", "ja und nein" first; then an answer that opens the message decides ("Nein, vielleicht
	 * später"); then doubt anywhere. */
	if (!strcmp(l.w[first], "jein") || (list_at(&l, first, unsure_words) > 1 && one_of(l.w[first], yes_primary)) ||
	    (list_at(&l, first, unsure_words) > 1 && one_of(l.w[first], no_primary)))
		return FLOW_YN_UNSURE;
	bool negated_next = first + 1 < l.n && !strcmp(l.w[first + 1], "nicht") && !long_ja(l.w[first]);
	if ((long_ja(l.w[first]) || one_of(l.w[first], yes_primary)) && !negated_next) {
		*leading = true;
		return FLOW_YN_YES;
	}
	if (one_of(l.w[first], no_primary)) {
		*leading = true;
		return FLOW_YN_NO;
	}
	if (list_anywhere(&l, unsure_words))
		return FLOW_YN_UNSURE;
	int yes = e_yes, no = e_no, first_hit = -1;
	for (int i = first; i < l.n;) {
		int my = list_at(&l, i, yes_words), mn = list_at(&l, i, no_words);
		if (!my && long_ja(l.w[i]))
			my = 1;
		if (!my && !mn) {
			i++;
			continue;
		}
		if (first_hit < 0)
			first_hit = i;
		if (my > mn) {
			/* "nicht gern", "nicht so richtig", "sicher nicht": a negated yes is a no */
			bool neg = (i > 0 && negator(l.w[i - 1])) || (i > 1 && negator(l.w[i - 2])) ||
				   (i + my < l.n && !strcmp(l.w[i + my], "nicht"));
			if (neg) {
				no++;
				i += my + (i + my < l.n && !strcmp(l.w[i + my], "nicht"));
				continue;
			}
			yes++;
			i += my;
		} else {
			no++;
			i += mn;
		}
	}
	if (yes && no)
		return FLOW_YN_UNSURE;
	*leading = first_hit == first && (yes || no);
	return yes ? FLOW_YN_YES : no ? FLOW_YN_NO : FLOW_YN_NONE;
}

/* ---- numbers ------------------------------------------------------------------------------------ */

/* German number words, folded: "hundertfuenfzig", "zweitausenddreihundert", "einundzwanzig". */
static const struct {
	const char *w;
	int v;
} small_numbers[] = {
	{"null", 0},      {"eins", 1},      {"ein", 1},         {"zwei", 2},         {"zwo", 2},        {"drei", 3},
	{"vier", 4},      {"fuenf", 5},     {"sechs", 6},       {"sieben", 7},       {"acht", 8},       {"neun", 9},
	{"zehn", 10},     {"elf", 11},      {"zwoelf", 12},     {"dreizehn", 13},    {"vierzehn", 14},  {"fuenfzehn", 15},
	{"sechzehn", 16}, {"siebzehn", 17}, {"achtzehn", 18},   {"neunzehn", 19},    {"zwanzig", 20},   {"dreissig", 30},
	{"vierzig", 40},  {"fuenfzig", 50}, {"sechzig", 60},    {"siebzig", 70},     {"achtzig", 80},   {"neunzig", 90},
};
#define SMALL_N (sizeof small_numbers / sizeof small_numbers[0])

/* Exactly s[0..n) as a small number word with value in [lo, hi], or -1. */
static int small_word(const char *s, size_t n, int lo, int hi)
{
	for (size_t i = 0; i < SMALL_N; i++)
		if (strlen(small_numbers[i].w) == n && !strncmp(s, small_numbers[i].w, n) && small_numbers[i].v >= lo &&
		    small_numbers[i].v <= hi)
			return small_numbers[i].v;
	return -1;
}

/* 1..99 written out, or -1: a small word, or unit + "und" + tens ("fuenfundachtzig"). */
static int upto99(const char *s, size_t n)
{
	int v = small_word(s, n, 1, 99);
	if (v >= 0)
		return v;
	for (size_t u = 3; u + 3 < n; u++)
		if (!strncmp(s + u, "und", 3)) {
			int unit = small_word(s, u, 1, 9), tens = small_word(s + u + 3, n - u - 3, 20, 90);
			if (unit > 0 && tens >= 20 && tens % 10 == 0)
				return tens + unit;
		}
	return -1;
}

static const char *find_n(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; i + k <= n; i++)
		if (!strncmp(s + i, needle, k))
			return s + i;
	return NULL;
}

/* 1..999 written out, or -1. */
static int upto999(const char *s, size_t n)
{
	const char *h = find_n(s, n, "hundert");
	if (!h)
		return upto99(s, n);
	size_t pre = (size_t)(h - s);
	int hundreds = pre ? small_word(s, pre, 1, 9) : 1;
	const char *r = h + 7;
	size_t rest = n - pre - 7;
	if (rest >= 3 && !strncmp(r, "und", 3) && rest > 3) {
		r += 3;
		rest -= 3;
	}
	int tail = rest ? upto99(r, rest) : 0;
	return hundreds > 0 && tail >= 0 ? hundreds * 100 + tail : -1;
}

/* A whole folded word as a number up to 999999 ("null" is 0), or -1. */
static long long number_word(const char *w)
{
	size_t n = strlen(w);
	if (!strcmp(w, "null"))
		return 0;
	const char *t = find_n(w, n, "tausend");
	if (!t)
		return upto999(w, n);
	size_t pre = (size_t)(t - w);
	int thousands = pre ? upto999(w, pre) : 1;
	const char *r = t + 7;
	size_t rest = n - pre - 7;
	if (rest > 3 && !strncmp(r, "und", 3)) {
		r += 3;
		rest -= 3;
	}
	int tail = rest ? upto999(r, rest) : 0;
	return thousands > 0 && tail >= 0 ? thousands * 1000LL + tail : -1;
}

enum tk { TK_WORD, TK_NUM, TK_SYM };
struct tok {
	enum tk t;
	char w[WORD_MAX]; /* TK_WORD: the folded word; TK_SYM: one character ('E' is €) */
	long long milli;  /* TK_NUM: the value × 1000 */
	bool big;         /* TK_NUM: too large to be an answer */
};
#define TOKS_MAX 64
struct toks {
	int n;
	struct tok v[TOKS_MAX];
};

static bool digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool letter(const unsigned char *p)
{
	return (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (p[0] == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF);
}

#define MILLI_MAX (FLOW_NUMBER_MAX * 1000) /* above this a number is "big" */

/* Reads digits with German grouping ("1.000", "10.000.000"; "1,000" too) and a decimal part ("1,5", "2.5":
 * a separator followed by anything but exactly three digits). */
static const unsigned char *scan_number(const unsigned char *p, struct tok *t)
{
	long long v = 0;
	t->t = TK_NUM;
	t->big = false;
	for (; digit(*p); p++) {
		if (v > MILLI_MAX / 10)
			t->big = true;
		else
			v = v * 10 + (*p - '0');
	}
	while ((*p == '.' || *p == ',') && digit(p[1]) && digit(p[2]) && digit(p[3]) && !digit(p[4])) {
		if (v > MILLI_MAX / 1000)
			t->big = true;
		else
			v = v * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
		p += 4;
	}
	long long frac = 0;
	if ((*p == '.' || *p == ',') && digit(p[1])) {
		int k = 0;
		for (p++; digit(*p); p++, k++)
			if (k < 3)
				frac = frac * 10 + (*p - '0');
		for (; k < 3; k++)
			frac *= 10;
	}
	if (v > FLOW_NUMBER_MAX)
		t->big = true;
	t->milli = t->big ? MILLI_MAX : v * 1000 + frac;
	return p;
}

static void tokenize(const char *text, struct toks *t)
{
	const unsigned char *p = (const unsigned char *)(text ? text : "");
	t->n = 0;
	while (*p && t->n < TOKS_MAX) {
		struct tok *k = &t->v[t->n];
		memset(k, 0, sizeof *k);
		if (letter(p)) {
			const unsigned char *s = p;
			while (letter(p))
				p += *p == 0xC3 ? 2 : 1;
			char buf[128], words[WORDS_MAX][WORD_MAX];
			size_t len = (size_t)(p - s) < sizeof buf - 1 ? (size_t)(p - s) : sizeof buf - 1;
			memcpy(buf, s, len);
			buf[len] = '\0';
			if (words_fold(buf, words) >= 1) {
				k->t = TK_WORD;
				memcpy(k->w, words[0], WORD_MAX);
				t->n++;
			}
			continue;
		}
		if (digit(*p)) {
			p = scan_number(p, k);
			t->n++;
			continue;
		}
		char sym = 0;
		if (strchr("?-+<>/%$~", *p)) {
			sym = (char)*p;
		} else if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0x93 || p[2] == 0x94)) {
			sym = '-'; /* – — */
		} else if (p[0] == 0xE2 && p[1] == 0x82 && p[2] == 0xAC) {
			sym = 'E'; /* € */
		} else if (p[0] == 0xE2 && p[1] == 0x89 && (p[2] == 0xA4 || p[2] == 0xA5)) {
			sym = '='; /* ≤ ≥: the number itself */
		}
		if (sym) {
			k->t = TK_SYM;
			k->w[0] = sym;
			t->n++;
		}
		/* skip one character: a whole UTF-8 sequence */
		p++;
		while ((*p & 0xC0) == 0x80)
			p++;
	}
}

static bool word_is(const struct toks *t, int i, const char *const *list)
{
	return i >= 0 && i < t->n && t->v[i].t == TK_WORD && one_of(t->v[i].w, list);
}

static bool sym_is(const struct toks *t, int i, char c)
{
	return i >= 0 && i < t->n && t->v[i].t == TK_SYM && t->v[i].w[0] == c;
}

static const char *const w_thousand[] = {"k", "tsd", "tausend", NULL};
static const char *const w_million[] = {"mio", "million", "millionen", "mill", NULL};
static const char *const w_hundred[] = {"hundert", NULL};
static const char *const w_articles[] = {"ein", "eine", "einen", "einem", "einer", NULL};
static const char *const w_some[] = {"paar", "mehrere", "einige", NULL};
static const char *const w_zero[] = {"keine", "keinen", "kein", "null", NULL};
static const char *const w_below[] = {"unter", "weniger", "knapp", "fast", "beinahe", "kaum", "unterhalb", NULL};
static const char *const w_above[] = {"ueber", "mehr", "oberhalb", "plus", NULL};
static const char *const w_money[] = {"euro", "eur", "prozent", "dollar", "cent", "ct", "franken", "chf", NULL};
static const char *const w_unknown[] = {"ahnung", "plan", "idee", NULL};
static const char *const w_per[] = {"pro", "am", "im", "die", "je", "per", "jeden", "jede", "jedes", "in", "a",
				    "den", "einen", NULL};

/* The multiplier a word after a number stands for (1000 for "k"), or 0. */
static long long multiplier(const struct toks *t, int i)
{
	return word_is(t, i, w_thousand) ? 1000 : word_is(t, i, w_million) ? 1000000 : word_is(t, i, w_hundred) ? 100 : 0;
}

/* The period a message gives its number per: an adverb ("monatlich") or "pro/am/im/die ..." + noun. */
static enum flow_period period_of(const struct toks *t)
{
	static const char *const adv[5][4] = {{NULL},
					     {"taeglich", NULL},
					     {"woechentlich", NULL},
					     {"monatlich", "mtl", NULL},
					     {"jaehrlich", "jaehrl", NULL}};
	static const char *const noun[5][4] = {{NULL},
					      {"tag", "tage", NULL},
					      {"woche", "wochen", NULL},
					      {"monat", "monate", "mon", NULL},
					      {"jahr", "jahre", NULL}};
	for (int i = 0; i < t->n; i++)
		for (int p = 1; p < 5; p++)
			if (word_is(t, i, adv[p]) || (word_is(t, i, noun[p]) && (word_is(t, i - 1, w_per) || sym_is(t, i - 1, '/'))))
				return (enum flow_period)p;
	return FLOW_PERIOD_NONE;
}

struct qty {
	long long milli;
	int first, last; /* its tokens */
	bool scaled;     /* a multiplier word followed */
	long long mult;
};

bool flow_answer_number(const char *text, enum flow_period period, long long *value, bool *leading)
{
	struct toks t;
	struct qty q[8];
	int nq = 0, words = 0;
	*leading = false;
	tokenize(text, &t);
	for (int i = 0; i < t.n; i++) {
		if (sym_is(&t, i, '%') || sym_is(&t, i, '$') || sym_is(&t, i, 'E') || word_is(&t, i, w_money))
			return false; /* money or a share, not a count */
		if (word_is(&t, i, w_unknown) && i > 0 && t.v[i - 1].t == TK_WORD)
			return false; /* "keine Ahnung", "kein Plan" */
		words += t.v[i].t != TK_SYM;
	}
	for (int i = 0; i < t.n; i++) {
		struct qty x = {.first = i, .last = i, .mult = 1};
		const struct tok *k = &t.v[i];
		long long m;
		if (k->t == TK_NUM) {
			if (k->big)
				return false;
			x.milli = k->milli;
		} else if (word_is(&t, i, w_articles) && multiplier(&t, i + 1)) {
			x.milli = 1000; /* "eine Million", "ein hundert" */
		} else if (word_is(&t, i, w_some) && (m = multiplier(&t, i + 1)) != 0) {
			x.milli = 2000 * m; /* "ein paar hundert": at least two */
			x.last = ++i;
			q[nq++] = x;
			if (nq == 8)
				return false;
			continue;
		} else if (k->t == TK_WORD && (!strcmp(k->w, "hunderte") || !strcmp(k->w, "tausende") ||
					       !strcmp(k->w, "dutzend") || !strcmp(k->w, "dutzende"))) {
			x.milli = k->w[0] == 'h' ? 200000 : k->w[0] == 't' ? 2000000 : k->w[7] ? 24000 : 12000;
		} else if (word_is(&t, i, w_zero) && !(i + 1 < t.n && t.v[i + 1].t == TK_NUM) && !multiplier(&t, i + 1)) {
			x.milli = 0; /* "keine", "null" (but "keine 100" is below 100, read below) */
		} else if (k->t == TK_WORD && !one_of(k->w, w_articles) && (m = number_word(k->w)) >= 0) {
			x.milli = m * 1000;
		} else {
			continue;
		}
		while ((m = multiplier(&t, x.last + 1)) != 0 && x.milli <= MILLI_MAX / m) {
			x.milli *= m;
			x.mult *= m;
			x.scaled = true;
			x.last++;
		}
		if (multiplier(&t, x.last + 1))
			return false; /* too large */
		i = x.last;
		q[nq++] = x;
		if (nq == 8)
			return false;
	}
	/* ranges: "50-100", "50 bis 100", "zwischen 50 und 100", "50 oder 60", "50/60" */
	if (nq == 2) {
		int a = q[0].last, b = q[1].first;
		bool between = word_is(&t, q[0].first - 1, (const char *const[]){"zwischen", NULL}) ||
			       word_is(&t, q[0].first - 2, (const char *const[]){"zwischen", NULL});
		bool joined = b == a + 2 && (sym_is(&t, a + 1, '-') || sym_is(&t, a + 1, '/') ||
					     word_is(&t, a + 1, (const char *const[]){"bis", "oder", NULL}) ||
					     (between && word_is(&t, a + 1, (const char *const[]){"und", NULL})));
		if (!joined)
			return false;
		long long lo = q[0].milli, hi = q[1].milli;
		if (q[1].scaled && !q[0].scaled && lo <= MILLI_MAX / q[1].mult && lo * q[1].mult <= hi)
			lo *= q[1].mult; /* "1-2k", "zwei bis drei tausend" */
		q[0].milli = lo / 2 + hi / 2 + (lo % 2 + hi % 2) / 2;
		nq = 1;
	} else if (nq != 1) {
		return false;
	} else {
		/* "unter 100" → 99, "über 200" → 201, "keine 100" → 99; "ca.", "ab", "bis", "100+" keep it */
		int f = q[0].first;
		bool below = word_is(&t, f - 1, w_below) || word_is(&t, f - 2, w_below) || sym_is(&t, f - 1, '<') ||
			     word_is(&t, f - 1, (const char *const[]){"keine", "kein", "keinen", NULL}) ||
			     (word_is(&t, f - 1, (const char *const[]){"mal", "einmal", NULL}) &&
			      word_is(&t, f - 2, (const char *const[]){"nicht", NULL})) ||
			     word_is(&t, f - 1, (const char *const[]){"nichtmal", NULL});
		bool above = word_is(&t, f - 1, w_above) || word_is(&t, f - 2, w_above) || sym_is(&t, f - 1, '>');
		if (below && !above)
			q[0].milli = q[0].milli >= 1000 ? q[0].milli - 1000 : 0;
		else if (above && !below)
			q[0].milli += 1000;
	}
	enum flow_period given = period_of(&t);
	if (period != FLOW_PERIOD_NONE && given != FLOW_PERIOD_NONE && given != period) {
		static const long long per_year[] = {1, 365, 52, 12, 1};
		q[0].milli = q[0].milli * per_year[given] / per_year[period];
	}
	long long v = q[0].milli / 1000;
	if (v > FLOW_NUMBER_MAX)
		return false;
	*value = v;
	*leading = words <= 5;
	return true;
}

/* ---- choices ------------------------------------------------------------------------------------ */

size_t flow_fold_join(const char *text, char *out, size_t outlen)
{
	struct wl l;
	size_t len = 0;
	fold(text, &l);
	out[0] = '\0';
	for (int i = 0; i < l.n; i++) {
		size_t n = strlen(l.w[i]);
		if (len + (len > 0) + n + 1 > outlen)
			break;
		if (len)
			out[len++] = ' ';
		memcpy(out + len, l.w[i], n + 1);
		len += n;
	}
	return len;
}

/* Levenshtein distance of two short strings (at most 96 bytes each are compared). */
static int distance(const char *a, const char *b)
{
	int row[97];
	size_t la = strnlen(a, 96), lb = strnlen(b, 96);
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int diag = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/* Words that may surround a number or ordinal: "Nr. 2", "die zweite bitte", "ich nehme Option 3". */
static const char *const pick_fillers[] = {"nr", "nummer", "option", "antwort", "auswahl", "variante", "die", "der",
					   "das", "den", "ich", "nehme", "nehmen", "waehle", "bitte", "gern", "gerne",
					   "mal", "punkt", "also", "dann", "lieber", NULL};

/* The 1-based position a word names: "2", "zwei", "zweite", "zweiter"; "letzte" is n. 0 when none. */
static int position_word(const char *w, int n)
{
	static const char *const ord[] = {"erst", "zweit", "dritt", "viert", "fuenft", "sechst", "siebt", "acht",
					  "neunt", "zehnt", NULL};
	static const char *const ends[] = {"e", "er", "es", "en", "em", NULL};
	if (digit((unsigned char)w[0]) && strlen(w) <= 2) {
		int v = w[1] ? (w[0] - '0') * 10 + (w[1] - '0') : w[0] - '0';
		return digit((unsigned char)w[strlen(w) - 1]) ? v : 0;
	}
	if (!strncmp(w, "letzt", 5) && one_of(w + 5, ends))
		return n;
	for (int i = 0; ord[i]; i++) {
		size_t len = strlen(ord[i]);
		if (!strncmp(w, ord[i], len) && one_of(w + len, ends))
			return i + 1;
	}
	if (strcmp(w, "ein") && strcmp(w, "eine")) {
		int v = small_word(w, strlen(w), 1, 10);
		if (v > 0)
			return v;
	}
	return 0;
}

int flow_answer_choice(const struct flow_answer_def *a, const char *text, bool *leading)
{
	char t[256], title[128];
	struct wl l;
	*leading = false;
	if (!text)
		return -1;
	size_t tl = flow_fold_join(text, t, sizeof t);
	fold(text, &l);
	/* exactly: the id (case-insensitive, surrounding spaces ignored) or the title */
	const char *s = text + strspn(text, " \t\r\n");
	size_t sl = strlen(s);
	while (sl && strchr(" \t\r\n", s[sl - 1]))
		sl--;
	for (int i = 0; i < a->nchoices; i++) {
		flow_fold_join(a->choices[i].title, title, sizeof title);
		if ((strlen(a->choices[i].id) == sl && !strncasecmp(s, a->choices[i].id, sl)) || (tl && !strcmp(t, title))) {
			*leading = true;
			return i;
		}
	}
	/* by position: one word left besides fillers */
	int pos = 0, other = 0;
	for (int i = 0; i < l.n; i++) {
		int p = position_word(l.w[i], a->nchoices);
		if (p && !pos)
			pos = p;
		else if (!one_of(l.w[i], pick_fillers))
			other++;
	}
	if (pos >= 1 && pos <= a->nchoices && !other) {
		*leading = l.n <= 4;
		return pos - 1;
	}
	if (!tl)
		return -1;
	/* near: every word of a title in the message (the most words wins), a word that starts a title word,
	 * or a title a typo or two away; a tie is no answer */
	int best = -1, best_score = 0, ties = 0;
	for (int i = 0; i < a->nchoices; i++) {
		struct wl tw;
		fold(a->choices[i].title, &tw);
		flow_fold_join(a->choices[i].title, title, sizeof title);
		int score = 0, have = 0;
		for (int k = 0; k < tw.n; k++)
			for (int j = 0; j < l.n; j++)
				if (!strcmp(tw.w[k], l.w[j])) {
					have++;
					break;
				}
		if (tw.n && have == tw.n)
			score = 100 + tw.n;
		else if (l.n == 1 && strlen(l.w[0]) >= 4)
			for (int k = 0; k < tw.n && !score; k++)
				if (!strncmp(tw.w[k], l.w[0], strlen(l.w[0])))
					score = 50;
		if (!score && tl >= 4) {
			int d = distance(t, title);
			if (d <= (tl >= 8 ? 2 : 1))
				score = 10 - d;
		}
		if (score > best_score) {
			best = i;
			best_score = score;
			ties = 0;
		} else if (score && score == best_score) {
			ties++;
		}
	}
	return ties ? -1 : best;
}

/* ---- questions of the visitor's own ------------------------------------------------------------- */

bool flow_text_ends_with_qmark(const char *text, bool *any_qmark)
{
	*any_qmark = text && strchr(text, '?');
	if (!text)
		return false;
	size_t n = strlen(text);
	while (n > 0 && ((unsigned char)text[n - 1] >= 0x80 || strchr(" \t\r\n!.)\"'", text[n - 1])))
		n--;
	return n > 0 && text[n - 1] == '?';
}

bool flow_text_starts_with_wword(const char *text)
{
	static const char *const w[] = {"was", "wie", "wann", "wo", "warum", "wieso", "weshalb", "weswegen", "wer",
					"wen", "wem", "wessen", "welche", "welcher", "welches", "welchen", "welchem",
					"woher", "wohin", "wozu", "womit", "wofuer", "worum", "wodurch", "woran",
					"worauf", "wovon", "wobei", "what", "how", "why", "when", "where", "who",
					"which", NULL};
	struct wl l;
	fold(text, &l);
	return l.n > 0 && one_of(l.w[0], w);
}

bool flow_text_asks_to_repeat(const char *text)
{
	static const char *const asks[] = {"wie bitte", "was", "wie", "hae", "haeh", "hm", "hmm", "hmmm", "bitte",
					   "was meinen sie", "was meinst du", "was heisst das", "was bedeutet das",
					   "wie meinen sie das", "wie meinst du das", "verstehe ich nicht",
					   "versteh ich nicht", "verstehe nicht", "nicht verstanden",
					   "ich verstehe nicht", "ich verstehe die frage nicht", NULL};
	char t[256];
	flow_fold_join(text, t, sizeof t);
	return one_of(t, asks);
}
