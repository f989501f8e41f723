/*
 * extract_when.c — when the visitor wants to come: preferred date ("YYYY-MM-DD"), preferred time
 * ("HH:MM") and the part of the day, plus the calendar arithmetic behind them and extract_ref_check.
 *
 * Dates are resolved against the reference instant (struct extract_ref); the rules are in extract.h.
 * The most precise phrase wins: a calendar date, then a weekday, then heute/morgen/übermorgen. The part
 * of the day ("abends", "vormittags") is a cue row (extract_what.c, CF_WINDOW); it both becomes
 * time_window and decides whether a bare hour ("um 8") is morning or evening.
 */
#include "conv/extract_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- patterns ----------------------------------------------------------------------------------- */

/* Alternatives shared by several patterns. */
#define NEXT "nächste[nrm]?|naechste[nrm]?|kommende[nrm]?|next"
#define NUMW "eins|ein|zwei|drei|vier|fünf|fuenf|sechs|sieben|acht|neun|zehn|elf|zwölf|zwoelf"
#define MONTHS "januar|jänner|februar|feber|märz|maerz|april|mai|juni|juli|august|september|oktober|" \
	       "november|dezember|jan|feb|mär|mrz|apr|jun|jul|aug|sept|sep|okt|nov|dez"
/* What may follow a number that is not a clock time (an age has its own, NOT_AGE in extract_who.c) */
#define NOT_UNIT "(?!\\s*(?:kg\\b|kilo|€|euro|%|prozent|mal\\b|x\\b|jahre|jahren|km\\b|cm\\b|min\\b|minuten|" \
		 "stunden|std\\b|tage|wochen|monate|personen|leute|kinder|pfund|lbs|m\\b|-\\s*\\d|bis\\s+\\d|" \
		 "[.,]\\d))"

static const struct pattern patterns[RE_COUNT] = {
	[RE_DAYWORD] = {"\\b(heute|today|morgen|tomorrow|übermorgen|uebermorgen|ubermorgen)\\b", 0},
	[RE_INDAYS] = {"\\bin\\s+(\\d|zwei|drei|vier|fünf|fuenf|sechs)\\s+tagen\\b", 0},
	[RE_WEEKDAY] = {"\\b(?:(" NEXT "|diese[nrm]?|this)\\s+(?:woche|week)\\s+(?:am\\s+|on\\s+)?)?"
			"(?:(" NEXT "|diese[nrm]?|this)\\s+)?(?:am\\s+|on\\s+)?(" WD_FULL ")\\b"
			"(?:\\s+(?:in\\s+der\\s+)?(" NEXT ")\\s+(?:woche|week))?", 0},
	[RE_WEEKDAY_ABBR] = {"(?<![\\w.])(mo|di|mi|do|fr|sa|so)\\.?(?=\\s*,?\\s*(?:(?:um|ab|gegen)\\s+)?"
			     "(?:\\d{1,2}(?::\\d{2}|\\.\\d{2}\\s*uhr|\\s*uhr)|\\d{1,2}\\.\\d{1,2}\\.))", 0},
	[RE_DATE_NUM] = {"(?<![\\d.])(\\d{1,2})\\.\\s?(\\d{1,2})\\.(?:\\s?((?:19|20)\\d{2})|(\\d{2}))?(?![\\d:])", 0},
	[RE_DATE_NUM2] = {"\\b(?:am|den|zum|bis|ab|on)\\s+(\\d{1,2})\\.(\\d{1,2})(?![\\d.:])", 0},
	[RE_DATE_MONTH] = {"(?<![\\d.])(\\d{1,2})\\.?\\s*(" MONTHS ")\\b\\.?(?:\\s*((?:19|20)\\d{2}))?", 0},
	[RE_TIME_HM] = {"(?<![\\d.:,])([01]?\\d|2[0-3])([:.])([0-5]\\d)(?![\\d:])(?!\\.\\d)\\s*(uhr|am\\b|pm\\b|a\\.m\\.|p\\.m\\.)?", 0},
	[RE_TIME_UHR] = {"(?<![\\d.:,])([01]?\\d|2[0-3])\\s*uhr\\b(?:\\s*([0-5]\\d)\\b)?", 0},
	[RE_TIME_UM] = {"\\b(?:um|gegen|ab|so\\s+um|so\\s+gegen|ca\\.?|circa|etwa|at|around)\\s+(?:ca\\.?\\s+)?"
			"(\\d{1,2})(?!\\d)(?:[:.]([0-5]\\d))?" NOT_UNIT "\\s*(am\\b|pm\\b|uhr\\b)?", 0},
	[RE_TIME_UMW] = {"\\b(?:um|gegen|so\\s+um|so\\s+gegen|ab)\\s+(" NUMW ")\\b(?!\\s*(?:mal|kilo|kg|stunden|tage|wochen|"
			 "monate|jahre|personen|leute|minuten|euro|kinder))", 0},
	[RE_TIME_HALF] = {"\\b(halb|viertel\\s+nach|viertel\\s+vor|dreiviertel|drei\\s+viertel)\\s+(\\d{1,2}|" NUMW ")\\b", 0},
};

bool extract_when_init(struct extractor *x)
{
	return extract_compile_table(x, patterns);
}

/* ---- dates -------------------------------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static long days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* 1 = Monday .. 7 = Sunday */
static int weekday_of(long days)
{
	return (int)(((days % 7) + 7 + 3) % 7) + 1;
}

static int days_in_month(int y, int m)
{
	static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

int extract_ref_check(const struct extract_ref *r)
{
	if (!r || r->year < 1900 || r->year > 9999 || r->month < 1 || r->month > 12 || r->day < 1 ||
	    r->day > days_in_month(r->year, r->month) || r->hour < 0 || r->hour > 23 || r->minute < 0 ||
	    r->minute > 59)
		return 0;
	return weekday_of(days_from_civil(r->year, r->month, r->day)) == r->weekday;
}

/* ---- dates and times ---------------------------------------------------------------------------- */

static int weekday_index(const char *b, size_t n)
{
	static const char *const de[] = {"mo", "di", "mi", "do", "fr", "sa", "so"};
	static const char *const en[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
	char f[WORD_MAX];
	if (!extract_fold_word(b, n, f))
		return 0;
	if (!strcmp(f, "sonnabend"))
		return 6;
	for (int i = 0; i < 7; i++)
		if (!strcmp(f, en[i]) || !strncmp(f, de[i], 2))
			return i + 1;
	return 0;
}

static int month_index(const char *b, size_t n)
{
	static const char *const m[] = {"jan", "feb", "ma", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "dez"};
	char f[WORD_MAX];
	if (!extract_fold_word(b, n, f))
		return 0;
	if (!strcmp(f, "jaenner"))
		return 1;
	if (!strcmp(f, "feber"))
		return 2;
	if (!strcmp(f, "mrz") || !strncmp(f, "mae", 3))
		return 3;
	for (int i = 0; i < 12; i++)
		if (!strncmp(f, m[i], strlen(m[i])) && i != 2)
			return i + 1;
	return 0;
}

/* A calendar date (year may be 0: this year or, when passed, the next) in days; -1 when invalid. */
static long resolve_date(const struct extract_ref *now, int y, int m, int d)
{
	if (m < 1 || m > 12 || d < 1)
		return -1;
	bool given = y != 0;
	if (!given)
		y = now->year;
	if (d > days_in_month(y, m) && !(m == 2 && d == 29))
		return -1;
	if (!given && (m < now->month || (m == now->month && d < now->day)))
		y++;
	if (d > days_in_month(y, m))
		return -1;
	return days_from_civil(y, m, d);
}

static bool is_next(const struct scan *sc, int g)
{
	if (!has(sc, g))
		return false;
	char c = (char)(sc->s[sc->gb[g]] | 0x20);
	return c == 'n' || c == 'k'; /* nächste / naechste / next / kommende */
}

/* The first weekday phrase: its date in *days. */
static bool find_weekday(struct scan *sc, long today, int cur, long *days, size_t *at)
{
	if (scan_find(sc, sc->x->re[RE_WEEKDAY], 0)) {
		int wd = weekday_index(sc->s + sc->gb[3], sc->ge[3] - sc->gb[3]);
		if (wd) {
			bool next_week = is_next(sc, 1) || is_next(sc, 4);
			bool this_week = has(sc, 1) && !is_next(sc, 1);
			bool this_day = has(sc, 2) && !is_next(sc, 2);
			int delta;
			if (next_week)
				delta = (8 - cur) + (wd - 1);
			else if ((this_week || this_day) && wd >= cur)
				delta = wd - cur;
			else
				delta = ((wd - cur) % 7 + 7) % 7 ? ((wd - cur) % 7 + 7) % 7 : 7;
			*days = today + delta;
			*at = sc->gb[0];
			return true;
		}
	}
	for (size_t pos = 0; scan_find(sc, sc->x->re[RE_WEEKDAY_ABBR], pos); pos = scan_next(sc)) {
		size_t b = sc->gb[1];
		/* "so" is mostly the word: take it only written as "So" */
		if ((sc->s[b] | 0x20) == 's' && (sc->s[b + 1] | 0x20) == 'o' && sc->s[b] != 'S')
			continue;
		int wd = weekday_index(sc->s + b, 2);
		if (!wd)
			continue;
		int delta = ((wd - cur) % 7 + 7) % 7;
		*days = today + (delta ? delta : 7);
		*at = b;
		return true;
	}
	return false;
}

static bool find_dayword(struct scan *sc, long today, long *days, size_t *at)
{
	static const char *const not_before[] = {"guten", "gute", "am", "jeden", "den", "heute", "diesen", "einen",
						 "ganzen", "schoenen", "schonen", "good", "bis"};
	for (size_t pos = 0; scan_find(sc, sc->x->re[RE_DAYWORD], pos); pos = scan_next(sc)) {
		size_t b = sc->gb[1], e = sc->ge[1];
		char f[WORD_MAX];
		if (!extract_fold_word(sc->s + b, e - b, f))
			continue;
		if (!strcmp(f, "heute") || !strcmp(f, "today")) {
			*days = today;
		} else if (!strcmp(f, "morgen") || !strcmp(f, "tomorrow")) {
			if (!strcmp(f, "morgen")) {
				/* the word before: "guten Morgen", "am Morgen" are the morning, not tomorrow */
				size_t k = b;
				while (k > 0 && sc->s[k - 1] == ' ')
					k--;
				size_t w = k;
				while (w > 0 && sc->s[w - 1] != ' ' && !is_clause_end(sc->s[w - 1]))
					w--;
				char pf[WORD_MAX];
				if (k > w && extract_fold_word(sc->s + w, k - w, pf) && IN(not_before, pf))
					continue;
				/* "Morgen!" / "Morgen," opening the message is a greeting */
				size_t lead = 0;
				while (lead < sc->len && (sc->s[lead] == ' ' || sc->s[lead] == '\n'))
					lead++;
				if (lead == b && (e >= sc->len || sc->s[e] == '!' || sc->s[e] == ','))
					continue;
			}
			*days = today + 1;
		} else {
			*days = today + 2;
		}
		*at = b;
		return true;
	}
	if (scan_find(sc, sc->x->re[RE_INDAYS], 0)) {
		int n = scan_num(sc, 1);
		if (n > 0) {
			*days = today + n;
			*at = sc->gb[0];
			return true;
		}
	}
	return false;
}

static bool find_calendar_date(struct scan *sc, long *days, size_t *at)
{
	size_t pos;
	long best = -1;
	size_t best_at = SIZE_MAX;
	for (pos = 0; scan_find(sc, sc->x->re[RE_DATE_NUM], pos); pos = scan_next(sc)) {
		int y = 0;
		if (has(sc, 3))
			y = atoi(sc->s + sc->gb[3]);
		else if (has(sc, 4))
			y = 2000 + atoi(sc->s + sc->gb[4]);
		long d = resolve_date(sc->now, y, atoi(sc->s + sc->gb[2]), atoi(sc->s + sc->gb[1]));
		if (d >= 0) {
			best = d;
			best_at = sc->gb[0];
			break;
		}
	}
	for (pos = 0; scan_find(sc, sc->x->re[RE_DATE_NUM2], pos); pos = scan_next(sc)) {
		long d = resolve_date(sc->now, 0, atoi(sc->s + sc->gb[2]), atoi(sc->s + sc->gb[1]));
		if (d >= 0 && sc->gb[0] < best_at) {
			best = d;
			best_at = sc->gb[0];
			break;
		}
	}
	for (pos = 0; scan_find(sc, sc->x->re[RE_DATE_MONTH], pos); pos = scan_next(sc)) {
		int m = month_index(sc->s + sc->gb[2], sc->ge[2] - sc->gb[2]);
		int y = has(sc, 3) ? atoi(sc->s + sc->gb[3]) : 0;
		long d = m ? resolve_date(sc->now, y, m, atoi(sc->s + sc->gb[1])) : -1;
		if (d >= 0 && sc->gb[0] < best_at) {
			best = d;
			best_at = sc->gb[0];
			break;
		}
	}
	if (best < 0)
		return false;
	*days = best;
	*at = best_at;
	return true;
}

void extract_date(struct scan *sc, json_t *out)
{
	if (!sc->now)
		return;
	long today = days_from_civil(sc->now->year, sc->now->month, sc->now->day), days;
	size_t at;
	/* the most precise kind wins: a calendar date, then a weekday, then heute/morgen */
	if (!find_calendar_date(sc, &days, &at) && !find_weekday(sc, today, sc->now->weekday, &days, &at) &&
	    !find_dayword(sc, today, &days, &at))
		return;
	int y, m, d;
	civil_from_days(days, &y, &m, &d);
	char buf[16];
	snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
	set_str(out, "preferred_date", buf);
}

enum ampm { AP_NONE, AP_AM, AP_PM };

/* The first clock time of the message: hour, minute, whether it was given with am/pm or as 13..23. */
static bool find_time(struct scan *sc, int *hour, int *minute, enum ampm *ap, size_t *at)
{
	size_t best_at = SIZE_MAX, pos;
	int h = -1, mi = 0;
	enum ampm a = AP_NONE;
	/* 18:30, 18.30 Uhr */
	for (pos = 0; scan_find(sc, sc->x->re[RE_TIME_HM], pos); pos = scan_next(sc)) {
		bool dot = sc->s[sc->gb[2]] == '.';
		bool uhr = has(sc, 4);
		if (dot && !uhr) {
			/* "18.30" needs "Uhr" after it or "um" before it */
			size_t k = sc->gb[0];
			while (k > 0 && sc->s[k - 1] == ' ')
				k--;
			if (!(k >= 2 && (sc->s[k - 2] | 0x20) == 'u' && (sc->s[k - 1] | 0x20) == 'm'))
				continue;
		}
		h = scan_num(sc, 1);
		mi = scan_num(sc, 3);
		a = AP_NONE;
		if (uhr && (sc->s[sc->gb[4]] | 0x20) == 'a')
			a = AP_AM;
		else if (uhr && (sc->s[sc->gb[4]] | 0x20) == 'p')
			a = AP_PM;
		best_at = sc->gb[0];
		break;
	}
	/* 14 Uhr, 16 Uhr 30 */
	if (scan_find(sc, sc->x->re[RE_TIME_UHR], 0) && sc->gb[0] < best_at) {
		h = scan_num(sc, 1);
		mi = has(sc, 2) ? scan_num(sc, 2) : 0;
		a = AP_NONE;
		best_at = sc->gb[0];
	}
	/* um 10, gegen 9, at 6pm */
	if (scan_find(sc, sc->x->re[RE_TIME_UM], 0) && sc->gb[0] < best_at) {
		int hh = scan_num(sc, 1);
		if (hh <= 23) {
			h = hh;
			mi = has(sc, 2) ? scan_num(sc, 2) : 0;
			a = !has(sc, 3) ? AP_NONE : (sc->s[sc->gb[3]] | 0x20) == 'a' ? AP_AM :
			    (sc->s[sc->gb[3]] | 0x20) == 'p' ? AP_PM : AP_NONE; /* or "Uhr" */
			best_at = sc->gb[0];
		}
	}
	/* um zehn */
	if (scan_find(sc, sc->x->re[RE_TIME_UMW], 0) && sc->gb[0] < best_at) {
		h = scan_num(sc, 1);
		mi = 0;
		a = AP_NONE;
		best_at = sc->gb[0];
	}
	/* halb drei, viertel nach sechs, viertel vor vier, dreiviertel vier */
	if (scan_find(sc, sc->x->re[RE_TIME_HALF], 0) && sc->gb[0] < best_at) {
		int x = scan_num(sc, 2);
		char kind = (char)(sc->s[sc->gb[1]] | 0x20);
		size_t kl = sc->ge[1] - sc->gb[1];
		if (x >= 1 && x <= 12) {
			a = AP_NONE;
			if (kind == 'h') { /* halb */
				h = x - 1;
				mi = 30;
			} else if (kind == 'd') { /* dreiviertel */
				h = x - 1;
				mi = 45;
			} else if (kl > 9 && (sc->s[sc->gb[1] + kl - 1] | 0x20) == 'h') { /* viertel nach */
				h = x;
				mi = 15;
			} else { /* viertel vor */
				h = x - 1;
				mi = 45;
			}
			if (h == 0)
				h = 12;
			best_at = sc->gb[0];
		}
	}
	if (h < 0 || h > 23 || mi < 0 || mi > 59)
		return false;
	*hour = h;
	*minute = mi;
	*ap = a;
	*at = best_at;
	return true;
}

void extract_time(struct scan *sc, json_t *out)
{
	const char *window = cue_earliest(sc, CF_WINDOW);
	if (window)
		set_str(out, "time_window", window);
	int h, m;
	enum ampm ap;
	size_t at;
	if (!find_time(sc, &h, &m, &ap, &at))
		return;
	if (ap == AP_PM && h < 12)
		h += 12;
	else if (ap == AP_AM && h == 12)
		h = 0;
	else if (ap == AP_NONE && h >= 1 && h <= 12) {
		if (!window) {
			if (h <= 7) /* "um 3", "halb drei": the afternoon */
				h += 12;
		} else if (!strcmp(window, "afternoon") || !strcmp(window, "evening")) {
			if (h < 12)
				h += 12;
		} else if (!strcmp(window, "midday")) {
			if (h <= 3)
				h += 12;
		}
	}
	char buf[32];
	snprintf(buf, sizeof buf, "%02d:%02d", h, m);
	set_str(out, "preferred_time", buf);
}
