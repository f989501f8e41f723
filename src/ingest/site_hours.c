/*
 * site_hours.c — opening hours for the site profile: a reader for the way German (and English) sites
 * write them ("Mo–Fr 9–18 Uhr", "Montag bis Freitag: 08:00 - 20:00", "Mo, Mi, Fr 7:00–22:00",
 * "täglich 6–23 Uhr", "9–13 und 14–18 Uhr", "Sa nach Vereinbarung", "So geschlossen", schema.org's
 * "Mo-Fr 09:00-18:00"), schema.org OpeningHoursSpecification intervals, the weekly plan as the
 * `opening_hours.weekly` JSON of a bot, and the search of a page's text for its opening hours.
 *
 * The reader is a small state machine over tokens: day words collect a set of days (lists with ",",
 * "und", "/"; ranges with "-", "–", "bis"), time ranges then give that set its intervals (one clause);
 * the next day word after a time starts a new clause. A word it does not know ends the clause and
 * forgets the days, so "Tel. 040 12-34" after the hours is never read as a time.
 */
#include "ingest/site_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MIN 1440
#define ALL_DAYS 0x7Fu

/* ---- the weekly plan ------------------------------------------------------------------------------ */

static void day_clear(struct sp_week *w, int d)
{
	w->n[d] = 0;
}

/* Adds [s, e) to day d (e <= s: past midnight), keeping the day's intervals sorted and merged. */
static void day_add(struct sp_week *w, int d, int s, int e)
{
	int xs[SP_MAX_IV + 1], xe[SP_MAX_IV + 1], n = 0, m = 0;

	if (s < 0 || s >= DAY_MIN || e < 0 || e > DAY_MIN)
		return;
	if (e == 0)
		e = DAY_MIN; /* "18–0 Uhr": until midnight */
	for (int i = 0; i < w->n[d]; i++) {
		xs[n] = w->start[d][i];
		xe[n] = w->end[d][i] > xs[n] ? w->end[d][i] : w->end[d][i] + DAY_MIN;
		n++;
	}
	if (n == SP_MAX_IV)
		return;
	xs[n] = s;
	xe[n] = e > s ? e : e + DAY_MIN;
	n++;
	for (int i = 1; i < n; i++) /* insertion sort by start */
		for (int j = i; j > 0 && xs[j] < xs[j - 1]; j--) {
			int t = xs[j];
			xs[j] = xs[j - 1], xs[j - 1] = t;
			t = xe[j];
			xe[j] = xe[j - 1], xe[j - 1] = t;
		}
	for (int i = 0; i < n; i++) {
		if (m > 0 && xs[i] < xe[m - 1]) {
			if (xe[i] > xe[m - 1])
				xe[m - 1] = xe[i];
		} else {
			xs[m] = xs[i], xe[m] = xe[i];
			m++;
		}
	}
	for (int i = 0; i < m; i++) {
		int end = xe[i];

		if (end - xs[i] >= DAY_MIN)
			end = xs[i] ? xs[i] : DAY_MIN; /* a whole day or more: 24 hours from the start */
		else if (end > DAY_MIN)
			end -= DAY_MIN;
		w->start[d][i] = (short)xs[i];
		w->end[d][i] = (short)end;
	}
	w->n[d] = (unsigned char)m;
	w->closed &= (unsigned char)~(1u << d);
	w->appointment &= (unsigned char)~(1u << d);
}

bool sp_week_any(const struct sp_week *w)
{
	for (int d = 0; d < 7; d++)
		if (w->n[d])
			return true;
	return false;
}

char *sp_week_json(const struct sp_week *w)
{
	static const char *const names[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
	char buf[2048];
	size_t o = 0;

	buf[o++] = '{';
	for (int d = 0; d < 7; d++) {
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%s\"%s\":[", d ? "," : "", names[d]);
		for (int i = 0; i < w->n[d]; i++) {
			int s = w->start[d][i], e = w->end[d][i];

			o += (size_t)snprintf(buf + o, sizeof buf - o, "%s[\"%02d:%02d\",\"%02d:%02d\"]", i ? "," : "",
					      s / 60, s % 60, e / 60, e % 60);
		}
		buf[o++] = ']';
	}
	buf[o++] = '}';
	buf[o] = '\0';
	return strdup(buf);
}

/* ---- days and times ------------------------------------------------------------------------------- */

static const struct {
	const char *word;
	unsigned char days;
	signed char single; /* the day index when it names one day, else -1 */
} day_words[] = {
	{"mo", 0x01, 0},        {"mon", 0x01, 0},        {"montag", 0x01, 0},     {"montags", 0x01, 0},
	{"monday", 0x01, 0},    {"di", 0x02, 1},         {"die", 0x02, 1},        {"tu", 0x02, 1},
	{"tue", 0x02, 1},       {"dienstag", 0x02, 1},   {"dienstags", 0x02, 1},  {"tuesday", 0x02, 1},
	{"mi", 0x04, 2},        {"we", 0x04, 2},         {"wed", 0x04, 2},        {"mittwoch", 0x04, 2},
	{"mittwochs", 0x04, 2}, {"wednesday", 0x04, 2},  {"do", 0x08, 3},         {"don", 0x08, 3},
	{"th", 0x08, 3},        {"thu", 0x08, 3},        {"donnerstag", 0x08, 3}, {"donnerstags", 0x08, 3},
	{"thursday", 0x08, 3},  {"fr", 0x10, 4},         {"fri", 0x10, 4},        {"freitag", 0x10, 4},
	{"freitags", 0x10, 4},  {"friday", 0x10, 4},     {"sa", 0x20, 5},         {"sat", 0x20, 5},
	{"samstag", 0x20, 5},   {"samstags", 0x20, 5},   {"sonnabend", 0x20, 5},  {"saturday", 0x20, 5},
	{"so", 0x40, 6},        {"son", 0x40, 6},        {"su", 0x40, 6},         {"sun", 0x40, 6},
	{"sonntag", 0x40, 6},   {"sonntags", 0x40, 6},   {"sonn", 0x40, 6},       {"sunday", 0x40, 6},
	{"täglich", 0x7F, -1},  {"taeglich", 0x7F, -1},  {"tgl", 0x7F, -1},       {"daily", 0x7F, -1},
	{"werktags", 0x1F, -1}, {"wochentags", 0x1F, -1}, {"weekdays", 0x1F, -1}, {"wochenende", 0x60, -1},
	{"weekend", 0x60, -1},  {"wochenendes", 0x60, -1}, {"everyday", 0x7F, -1},
};

static int day_lookup(const char *folded, unsigned *days)
{
	for (size_t i = 0; i < sizeof day_words / sizeof day_words[0]; i++)
		if (strcmp(folded, day_words[i].word) == 0) {
			*days = day_words[i].days;
			return day_words[i].single;
		}
	*days = 0;
	return -1;
}

unsigned sp_day_bit(const char *s)
{
	char f[48];
	const char *p = s;
	unsigned days;
	int one;

	if (!s)
		return 0;
	if (strncmp(p, "https://schema.org/", 19) == 0)
		p += 19;
	else if (strncmp(p, "http://schema.org/", 18) == 0)
		p += 18;
	else if (strncmp(p, "schema:", 7) == 0)
		p += 7;
	if (strlen(p) >= sizeof f)
		return 0;
	sp_fold(p, f, sizeof f);
	if (f[0] && f[strlen(f) - 1] == '.')
		f[strlen(f) - 1] = '\0';
	one = day_lookup(f, &days);
	return one >= 0 ? days : 0;
}

/* "HH:MM", "H:MM", "HH:MM:SS", "HH" (schema.org times, optionally "T…" and a zone) → minutes, or -1. */
static int clock_minutes(const char *s)
{
	int h = 0, m = 0, nd = 0;

	if (!s)
		return -1;
	if (*s == 'T')
		s++;
	while (*s >= '0' && *s <= '9' && nd < 3)
		h = h * 10 + (*s++ - '0'), nd++;
	if (nd == 0 || nd > 2)
		return -1;
	if (*s == ':' || *s == '.') {
		s++;
		if (!(s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9'))
			return -1;
		m = (s[0] - '0') * 10 + (s[1] - '0');
	}
	if (h > 24 || m > 59 || (h == 24 && m != 0))
		return -1;
	return h * 60 + m;
}

bool sp_hours_spec(struct sp_week *w, unsigned days, const char *opens, const char *closes)
{
	int s = clock_minutes(opens), e = clock_minutes(closes);

	if (s < 0 || e < 0 || s >= DAY_MIN)
		return false;
	if (s == 0 && e == 0) { /* schema.org: closed all day */
		for (int d = 0; d < 7; d++)
			if (days & (1u << d) && w->n[d] == 0)
				w->closed |= (unsigned char)(1u << d);
		return true;
	}
	if (e == 23 * 60 + 59)
		e = DAY_MIN;
	for (int d = 0; d < 7; d++)
		if (days & (1u << d))
			day_add(w, d, s, e);
	return true;
}

/* ---- the text reader ------------------------------------------------------------------------------ */

enum tok { T_END, T_DAY, T_HOLIDAY, T_TIME, T_RANGE, T_LIST, T_FILL, T_CLOSED, T_APPOINT, T_ALLDAY, T_HOURS, T_WORD };

struct token {
	enum tok t;
	unsigned days; /* T_DAY */
	int single;    /* T_DAY: one day's index, else -1 */
	int min;       /* T_TIME */
};

static bool word_in(const char *w, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(w, *list) == 0)
			return true;
	return false;
}

static void classify_word(const char *word, size_t n, struct token *tk)
{
	static const char *const holiday[] = {"feiertag", "feiertage", "feiertags", "feiertagen", "holiday",
					      "holidays", "ft", NULL};
	static const char *const closed[] = {"geschlossen", "ruhetag", "closed", "geschl", NULL};
	static const char *const appoint[] = {"vereinbarung", "absprache", "anfrage", "terminvereinbarung",
					      "appointment", NULL};
	static const char *const range[] = {"bis", "to", "until", "till", NULL};
	static const char *const list[] = {"und", "oder", "and", "sowie", NULL};
	static const char *const fill[] = {"uhr", "h", "von", "ab", "jeweils", "geöffnet", "geoeffnet", "offen",
					   "open", "from", "am", "an", "den", "nur", "durchgehend", "um", "die",
					   "vormittags", "nachmittags", "abends", "morgens", "mittags", "nach", "auf",
					   "by", "tag", "tage", "zeit", "telefonisch", NULL};
	static const char *const hours[] = {"std", "stunden", "hours", NULL};
	char f[48];

	tk->t = T_WORD;
	if (n == 0 || n >= sizeof f)
		return;
	memcpy(f, word, n);
	f[n] = '\0';
	sp_fold(f, f, sizeof f);
	if (n > 1 && f[n - 1] == '.')
		f[n - 1] = '\0';
	tk->single = day_lookup(f, &tk->days);
	if (tk->days)
		tk->t = T_DAY;
	else if (word_in(f, holiday))
		tk->t = T_HOLIDAY;
	else if (word_in(f, closed))
		tk->t = T_CLOSED;
	else if (word_in(f, appoint))
		tk->t = T_APPOINT;
	else if (word_in(f, range))
		tk->t = T_RANGE;
	else if (word_in(f, list))
		tk->t = T_LIST;
	else if (word_in(f, fill))
		tk->t = T_FILL;
	else if (word_in(f, hours))
		tk->t = T_HOURS;
	else if (strcmp(f, "rund") == 0)
		tk->t = T_ALLDAY;
}

/* Reads one token at p; returns the position after it. */
static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static const char *next_token(const char *p, struct token *tk)
{
	const unsigned char *u;

	*tk = (struct token){.t = T_END, .single = -1};
	for (;;) {
		u = (const unsigned char *)p;
		if (*u == ' ' || *u == '\t' || *u == '\n' || *u == '\r')
			p++;
		else if (u[0] == 0xC2 && u[1] == 0xA0)
			p += 2;
		else
			break;
	}
	u = (const unsigned char *)p;
	if (!*u)
		return p;
	if (*u == '-' || *u == '~') {
		tk->t = T_RANGE;
		return p + 1;
	}
	if (u[0] == 0xE2 && u[1] == 0x80 && u[2] >= 0x90 && u[2] <= 0x94) { /* hyphen, dashes */
		tk->t = T_RANGE;
		return p + 3;
	}
	if (u[0] == 0xE2 && u[1] == 0x88 && u[2] == 0x92) { /* minus sign */
		tk->t = T_RANGE;
		return p + 3;
	}
	if (*u >= '0' && *u <= '9') {
		const char *q = p;
		int h = 0, m = 0, nd = 0;

		for (; *q >= '0' && *q <= '9'; q++, nd++)
			if (nd < 3)
				h = h * 10 + (*q - '0');
		tk->t = T_WORD;
		if (nd > 2)
			return q; /* a year, a postcode, a phone number */
		if (h == 24 && q[0] == '/' && q[1] == '7') {
			tk->t = T_ALLDAY;
			return q + 2;
		}
		if ((*q == ':' || *q == '.') && is_digit(q[1]) && is_digit(q[2]) && !is_digit(q[3])) {
			m = (q[1] - '0') * 10 + (q[2] - '0');
			q += 3;
		}
		if (*q == '.' && is_digit(q[1])) { /* a date or a decimal: 24.12.2026, 1.5 */
			while (*q == '.' || is_digit(*q))
				q++;
			return q;
		}
		if (h > 24 || m > 59 || (h == 24 && m != 0))
			return q;
		tk->t = T_TIME;
		tk->min = h * 60 + m;
		return q; /* a period after it ends a sentence: read as a separator next */
	}
	if (*u < 0x80 && !((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z'))) {
		/* punctuation: separators, except a lone quote or other sign, which ends nothing either */
		tk->t = T_LIST;
		return p + 1;
	}
	if (u[0] == 0xC2 && (u[1] == 0xB7 || u[1] == 0xA6)) { /* middle dot, broken bar */
		tk->t = T_LIST;
		return p + 2;
	}
	const char *q = p;
	while (*q) {
		const unsigned char c = (const unsigned char)*q;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			q++;
		else if (c >= 0x80 && !(c == 0xE2 || (c == 0xC2 && ((const unsigned char)q[1] == 0xA0 ||
								   (const unsigned char)q[1] == 0xB7))))
			q++;
		else
			break;
	}
	if (q == p) { /* another sign (quotes, €, …): one character, a separator */
		q++;
		while (((const unsigned char)*q & 0xC0) == 0x80)
			q++;
		tk->t = T_LIST;
		return q;
	}
	if (*q == '.')
		q++; /* an abbreviation's period belongs to the word */
	classify_word(p, (size_t)(q - p), tk);
	return q;
}

struct reader {
	struct sp_week *w;
	unsigned days;     /* the clause's days */
	int last_day;      /* index of the last single day read, for ranges; -1 */
	bool day_range;    /* a range sign after a day */
	bool time_range;   /* a range sign after a time */
	int t_start;       /* a start time waiting for its end; -1 */
	int n;             /* intervals of the clause */
	short s[SP_MAX_IV], e[SP_MAX_IV];
	bool any;
};

/* Gives the clause's days its intervals: hours that overlap what a day already has replace them
 * (an exception for that day), others are added (split shifts over several lines). */
static void apply(struct reader *r)
{
	for (int d = 0; d < 7 && r->n > 0; d++) {
		bool overlap = false;

		if (!(r->days & (1u << d)))
			continue;
		for (int i = 0; i < r->n && !overlap; i++)
			for (int j = 0; j < r->w->n[d]; j++) {
				int s1 = r->s[i], e1 = r->e[i] > s1 ? r->e[i] : r->e[i] + DAY_MIN;
				int s2 = r->w->start[d][j], e2 = r->w->end[d][j] > s2 ? r->w->end[d][j]
										: r->w->end[d][j] + DAY_MIN;
				if (s1 < e2 && s2 < e1)
					overlap = true;
			}
		if (overlap)
			day_clear(r->w, d);
		for (int i = 0; i < r->n; i++)
			day_add(r->w, d, r->s[i], r->e[i]);
		r->any = true;
	}
	r->n = 0;
	r->days = 0;
	r->last_day = -1;
	r->t_start = -1;
	r->day_range = r->time_range = false;
}

static void push(struct reader *r, int s, int e)
{
	if (r->n < SP_MAX_IV && s != e && s < DAY_MIN) {
		r->s[r->n] = (short)s;
		r->e[r->n] = (short)e;
		r->n++;
	}
}

bool sp_hours_text(const char *text, struct sp_week *w)
{
	struct reader r = {.w = w, .last_day = -1, .t_start = -1};
	enum tok prev = T_END;
	struct token tk;
	const char *p = text;
	int steps = 0;

	if (!text)
		return false;
	do {
		p = next_token(p, &tk);
		if (++steps > 100000)
			break;
		switch (tk.t) {
		case T_DAY:
			if (r.n > 0)
				apply(&r);
			if (r.day_range && r.last_day >= 0 && tk.single >= 0) {
				for (int d = r.last_day;; d = (d + 1) % 7) {
					r.days |= 1u << d;
					if (d == tk.single)
						break;
				}
			} else {
				r.days |= tk.days;
			}
			r.day_range = false;
			r.last_day = tk.single;
			r.t_start = -1;
			break;
		case T_HOLIDAY:
			if (r.n > 0)
				apply(&r);
			r.day_range = false;
			break;
		case T_RANGE:
			if (prev == T_DAY)
				r.day_range = true;
			else if (prev == T_TIME)
				r.time_range = true;
			break;
		case T_TIME:
			if (!r.days) {
				r.t_start = -1;
			} else if (r.time_range && r.t_start >= 0) {
				push(&r, r.t_start, tk.min);
				r.t_start = -1;
			} else {
				r.t_start = tk.min;
			}
			r.time_range = false;
			break;
		case T_HOURS:
			if (prev == T_TIME && r.t_start == DAY_MIN && r.days)
				push(&r, 0, DAY_MIN);
			r.t_start = -1;
			break;
		case T_ALLDAY:
			if (r.days)
				push(&r, 0, DAY_MIN);
			r.t_start = -1;
			break;
		case T_CLOSED:
		case T_APPOINT:
			if (r.days && r.n == 0) {
				for (int d = 0; d < 7; d++)
					if (r.days & (1u << d)) {
						day_clear(w, d);
						if (tk.t == T_CLOSED)
							w->closed |= (unsigned char)(1u << d);
						else
							w->appointment |= (unsigned char)(1u << d);
					}
				r.days = 0;
				r.last_day = -1;
			}
			break;
		case T_LIST:
			r.day_range = r.time_range = false;
			break;
		case T_FILL:
			break;
		case T_WORD:
		case T_END:
			if (r.n > 0)
				apply(&r);
			r.days = 0;
			r.last_day = -1;
			r.t_start = -1;
			r.day_range = r.time_range = false;
			break;
		}
		if (tk.t != T_FILL)
			prev = tk.t;
	} while (tk.t != T_END);
	return r.any;
}

/* ---- a page's opening hours ----------------------------------------------------------------------- */

#define HOURS_SECTION_BLOCKS 12
#define HOURS_SECTION_BYTES 4096
#define HOURS_MAX_SECTIONS 16 /* labelled sections read per page */
#define HOURS_PAGE_BYTES (16u << 10)

static void offer_week(struct sp_page *pg, const struct sp_week *w, enum sp_kind kind)
{
	char *json;

	if (!sp_week_any(w))
		return;
	json = sp_week_json(w);
	if (!json) {
		pg->sp->oom = true;
		return;
	}
	sp_offer(pg->sp, SF_HOURS, json, pg->url, kind, 0, 1, w->appointment);
	free(json);
}

/* Where the text after an opening-hours label starts in s, or NULL when s has none. */
static const char *after_label(const char *s)
{
	static const char *const labels[] = {"öffnungszeit", "oeffnungszeit", "offnungszeit", "geschäftszeit",
					     "geschaeftszeit", "bürozeit", "buerozeit", "sprechzeit", "servicezeit",
					     "studiozeit", "opening hours", "opening times", "business hours", NULL};
	char f[1024];
	size_t n = strlen(s);

	if (n >= sizeof f)
		n = sizeof f - 1;
	memcpy(f, s, n);
	f[n] = '\0';
	sp_fold(f, f, sizeof f);
	for (const char *const *l = labels; *l; l++) {
		const char *at = strstr(f, *l);

		if (at) {
			size_t off = (size_t)(at - f) + strlen(*l);

			while (off < n && ((f[off] >= 'a' && f[off] <= 'z')))
				off++; /* "…zeiten" */
			return s + off;
		}
	}
	return NULL;
}

static void add_text(char *buf, size_t cap, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 2 > cap)
		n = cap > *len + 2 ? cap - *len - 2 : 0;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--; /* whole characters only */
	memcpy(buf + *len, s, n);
	*len += n;
	buf[(*len)++] = '\n';
	buf[*len] = '\0';
}

void sp_hours_page(struct sp_page *pg, enum sp_kind kind)
{
	const struct html_doc *doc = pg->doc;
	bool found = false;
	char sec[HOURS_SECTION_BYTES + 2];

	for (size_t i = 0, sections = 0; i < doc->nblocks && sections < HOURS_MAX_SECTIONS; i++) {
		const char *rest = after_label(doc->blocks[i].text);
		struct sp_week w = {0};
		size_t len = 0;

		if (!rest)
			continue;
		sections++;
		sec[0] = '\0';
		add_text(sec, sizeof sec, &len, rest);
		for (size_t j = i + 1; j < doc->nblocks && j <= i + HOURS_SECTION_BLOCKS; j++) {
			if (doc->blocks[j].kind == HTML_HEADING || after_label(doc->blocks[j].text))
				break;
			add_text(sec, sizeof sec, &len, doc->blocks[j].text);
		}
		if (sp_hours_text(sec, &w)) {
			offer_week(pg, &w, kind);
			found = true;
		}
	}
	if (!found && (pg->kinds & SP_PAGE_HOURS) && doc->nblocks > 0) {
		char *all = malloc(HOURS_PAGE_BYTES + 2);
		struct sp_week w = {0};
		size_t len = 0;

		if (!all) {
			pg->sp->oom = true;
			return;
		}
		all[0] = '\0';
		for (size_t j = 0; j < doc->nblocks && len + 2 < HOURS_PAGE_BYTES; j++)
			add_text(all, HOURS_PAGE_BYTES + 2, &len, doc->blocks[j].text);
		if (sp_hours_text(all, &w))
			offer_week(pg, &w, kind);
		free(all);
	}
}
