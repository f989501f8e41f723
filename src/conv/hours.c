/*
 * hours.c — business opening hours: parsing and validating the `opening_hours` config, placing its
 * intervals on the bot's wall clock with ICU (ucal) to answer open/closed/next opening. The visitor
 * sentences in German and English are in hours_text.c; what both share is in hours_int.h. The rules
 * (overnight intervals, special days, DST gaps and repeated hours) are described in hours.h.
 *
 * Layout: a day's plan is a short sorted list of minute spans; a special day carries its own plan. A
 * status query lays the plans of the local days from yesterday to HOURS_HORIZON_DAYS + 1 days ahead
 * onto UTC instants (one ICU conversion per interval end), sorts and merges them, and looks `now` up in
 * the merged list. Calendar arithmetic on dates (day numbers, weekdays) is done here on the proleptic
 * Gregorian calendar; ICU is only asked about the zone (wall time ↔ instant).
 */
#include "conv/hours.h"
#include "conv/hours_int.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucal.h>
#include <unicode/ustring.h>

#include "base/json.h"

#define DAY_MIN 1440 /* minutes per day */
#define DAY_MS 86400000LL
#define YEAR_MIN 1970 /* special day dates */
#define YEAR_MAX 9999
/* Local days a status query lays out: yesterday (its overnight intervals), today, and enough days after
 * to cover HOURS_HORIZON_DAYS of real time even across a DST change. */
#define SPAN_DAYS (HOURS_HORIZON_DAYS + 3)

/* An opening laid out on UTC instants: [s, e). */
struct instant_span {
	int64_t s, e;
};

static const char *const day_keys[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

/* ---- dates ---------------------------------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void hours_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday). */
int hours_weekday(int64_t day)
{
	int64_t w = (day + 3) % 7;
	return (int)(w < 0 ? w + 7 : w);
}

static bool leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* ---- ICU ------------------------------------------------------------------------------------------ */

/* A Gregorian calendar in the bot's zone that resolves skipped wall times to the first instant after
 * the gap and repeated ones to their first occurrence. NULL on failure. Caller closes it. */
UCalendar *hours_cal_open(const struct hours *h)
{
	UErrorCode st = U_ZERO_ERROR;
	UCalendar *cal = ucal_open(h->utz, h->utz_len, "en_US_POSIX", UCAL_GREGORIAN, &st);

	if (U_FAILURE(st)) {
		if (cal)
			ucal_close(cal);
		return NULL;
	}
	/* Dates before 1582 are not used; make the calendar proleptic anyway, like hours_civil_from_days. */
	ucal_setGregorianChange(cal, -8.64e15, &st);
	ucal_setAttribute(cal, UCAL_LENIENT, 1);
	ucal_setAttribute(cal, UCAL_REPEATED_WALL_TIME, UCAL_WALLTIME_FIRST);
	ucal_setAttribute(cal, UCAL_SKIPPED_WALL_TIME, UCAL_WALLTIME_NEXT_VALID);
	if (U_FAILURE(st)) {
		ucal_close(cal);
		return NULL;
	}
	return cal;
}

/* The instant of wall time `minute` (may be >= 1440: following days) on local day `day`. */
static int wall_to_ms(UCalendar *cal, int64_t day, int minute, int64_t *out)
{
	UErrorCode st = U_ZERO_ERROR;
	int y, m, d;

	day += minute / DAY_MIN;
	minute %= DAY_MIN;
	hours_civil_from_days(day, &y, &m, &d);
	ucal_clear(cal);
	ucal_setDateTime(cal, y, m - 1, d, minute / 60, minute % 60, 0, &st);
	UDate t = ucal_getMillis(cal, &st);
	if (U_FAILURE(st))
		return -1;
	*out = (int64_t)t;
	return 0;
}

int hours_local_time(UCalendar *cal, int64_t ms, struct local *t)
{
	UErrorCode st = U_ZERO_ERROR;

	ucal_setMillis(cal, (UDate)ms, &st);
	t->y = ucal_get(cal, UCAL_EXTENDED_YEAR, &st);
	t->mon = ucal_get(cal, UCAL_MONTH, &st) + 1;
	t->d = ucal_get(cal, UCAL_DATE, &st);
	t->h = ucal_get(cal, UCAL_HOUR_OF_DAY, &st);
	t->min = ucal_get(cal, UCAL_MINUTE, &st);
	t->sec = ucal_get(cal, UCAL_SECOND, &st);
	t->offset_ms = ucal_get(cal, UCAL_ZONE_OFFSET, &st) + ucal_get(cal, UCAL_DST_OFFSET, &st);
	if (U_FAILURE(st))
		return -1;
	t->day = days_from_civil(t->y, t->mon, t->d);
	t->wday = hours_weekday(t->day);
	return 0;
}

/* True when `id` (ASCII) is a system time zone id ICU knows. */
static bool tz_known(const char *id, UChar *uid, int32_t *ulen)
{
	size_t n = strlen(id);
	UErrorCode st = U_ZERO_ERROR;
	UChar canon[TZ_MAX * 2];
	UBool system = 0;

	if (n == 0 || n >= TZ_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '/' || c == '_' || c == '-' || c == '+'))
			return false;
	}
	u_charsToUChars(id, uid, (int32_t)n);
	uid[n] = 0;
	*ulen = (int32_t)n;
	ucal_getCanonicalTimeZoneID(uid, *ulen, canon, (int32_t)(sizeof canon / sizeof canon[0]), &system,
				    &st);
	return U_SUCCESS(st) && system;
}

/* ---- parsing -------------------------------------------------------------------------------------- */

/* jansson's object iterators take a non-const object but do not change it. */
static json_t *unconst(const json_t *v)
{
	union {
		const json_t *c;
		json_t *m;
	} u = {.c = v};
	return u.m;
}

/* A field path; err_set cuts it to ERR_FIELD_MAX anyway. */
__attribute__((format(printf, 2, 3))) static void path_set(char p[ERR_FIELD_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p, ERR_FIELD_MAX, fmt, ap);
	va_end(ap);
}

static int oom(struct err *err)
{
	return err_set(err, ERR_INTERNAL, NULL, "out of memory");
}

/* "HH:MM" → minutes. `end`: "24:00" allowed. */
static bool parse_time(const char *s, size_t len, bool end, int *minutes)
{
	if (len != 5 || s[2] != ':')
		return false;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return false;
	int hh = (s[0] - '0') * 10 + (s[1] - '0');
	int mm = (s[3] - '0') * 10 + (s[4] - '0');
	if (mm > 59 || hh > 24 || (hh == 24 && (mm != 0 || !end)))
		return false;
	*minutes = hh * 60 + mm;
	return true;
}

/* Minutes 0..1440 → "HH:MM". */
void hours_fmt_hhmm(int minutes, char out[6])
{
	unsigned m = (unsigned)minutes % (DAY_MIN + 1);
	out[0] = (char)('0' + m / 600);
	out[1] = (char)('0' + m / 60 % 10);
	out[2] = ':';
	out[3] = (char)('0' + m % 60 / 10);
	out[4] = (char)('0' + m % 10);
	out[5] = '\0';
}

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return (x->start > y->start) - (x->start < y->start);
}

/* A day's interval list at `path` (null = closed) into `out`. */
static int parse_plan(const json_t *v, const char *path, struct plan *out, struct err *err)
{
	char p[ERR_FIELD_MAX];

	out->n = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return err_set(err, ERR_VALIDATION, path,
			       "%s must be a list of intervals [[\"HH:MM\", \"HH:MM\"], …] ([] = closed)",
			       path);
	if (json_array_size(v) > HOURS_MAX_INTERVALS)
		return err_set(err, ERR_VALIDATION, path, "%s must have at most %d intervals", path,
			       HOURS_MAX_INTERVALS);
	for (size_t i = 0; i < json_array_size(v); i++) {
		const json_t *iv = json_array_get(v, i);
		int t[2];

		path_set(p, "%s[%zu]", path, i);
		if (!json_is_array(iv) || json_array_size(iv) != 2)
			return err_set(err, ERR_VALIDATION, p,
				       "%s must be a pair [\"HH:MM\", \"HH:MM\"] (from, to)", p);
		for (int k = 0; k < 2; k++) {
			const json_t *ts = json_array_get(iv, (size_t)k);
			path_set(p, "%s[%zu][%d]", path, i, k);
			if (!json_is_string(ts) ||
			    !parse_time(json_string_value(ts), json_string_length(ts), k == 1, &t[k])) {
				if (k == 0)
					return err_set(err, ERR_VALIDATION, p,
						       "%s must be a time \"HH:MM\" from 00:00 to 23:59 "
						       "(24:00 only as an end)",
						       p);
				return err_set(err, ERR_VALIDATION, p,
					       "%s must be a time \"HH:MM\" from 00:00 to 24:00", p);
			}
		}
		/* Minutes after this day's midnight, the end past 1440 for an overnight interval. */
		int s = t[0], e = t[1] > t[0] ? t[1] : t[1] + DAY_MIN;
		for (int j = 0; j < out->n; j++) {
			int s2 = out->s[j].start,
			    e2 = out->s[j].end > s2 ? out->s[j].end : out->s[j].end + DAY_MIN;
			if (s < e2 && s2 < e) {
				char a[6], b[6];
				hours_fmt_hhmm(s2, a);
				hours_fmt_hhmm(out->s[j].end, b);
				path_set(p, "%s[%zu]", path, i);
				return err_set(err, ERR_VALIDATION, p,
					       "%s overlaps interval [%d] (%s–%s) of the same day; intervals "
					       "must not overlap",
					       p, j, a, b);
			}
		}
		out->s[out->n].start = (int16_t)t[0];
		out->s[out->n].end = (int16_t)t[1];
		out->n++;
	}
	qsort(out->s, (size_t)out->n, sizeof out->s[0], span_cmp);
	return 0;
}

/* An optional one-line text of at most `max` characters; *out is an owned copy, NULL for null or "". */
static int parse_text(const json_t *v, const char *path, size_t max, char **out, struct err *err)
{
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return err_set(err, ERR_VALIDATION, path, "%s must be a string", path);
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (strlen(s) != n)
		return err_set(err, ERR_VALIDATION, path, "%s must not contain NUL characters", path);
	if (json_utf8_chars(s, n) > max)
		return err_set(err, ERR_VALIDATION, path, "%s must be at most %zu characters long", path,
			       max);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return err_set(err, ERR_VALIDATION, path,
				       "%s must be one line of text without control characters", path);
	if (n == 0)
		return 0;
	*out = strdup(s);
	return *out ? 0 : oom(err);
}

static int parse_timezone(const json_t *v, struct hours *h, struct err *err)
{
	const char *path = "opening_hours.timezone";
	const char *id = HOURS_DEFAULT_TIMEZONE;

	if (v && !json_is_null(v)) {
		if (!json_is_string(v))
			return err_set(err, ERR_VALIDATION, path,
				       "%s must be a string such as \"Europe/Berlin\"", path);
		id = json_string_value(v);
		if (strlen(id) != json_string_length(v) || !tz_known(id, h->utz, &h->utz_len))
			return err_set(err, ERR_VALIDATION, path,
				       "%s \"%.*s\" is not a known time zone; use an IANA id such as "
				       "\"Europe/Berlin\"",
				       path, 40, id);
	} else if (!tz_known(id, h->utz, &h->utz_len)) {
		return err_set(err, ERR_INTERNAL, path, "ICU does not know the default time zone %s", id);
	}
	snprintf(h->tz, sizeof h->tz, "%s", id);
	return 0;
}

static int parse_weekly(const json_t *v, struct hours *h, struct err *err)
{
	const char *path = "opening_hours.weekly";
	char p[ERR_FIELD_MAX];
	const char *key;
	json_t *day;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return err_set(err, ERR_VALIDATION, path,
			       "%s must be an object with the days mon, tue, wed, thu, fri, sat, sun", path);
	json_object_foreach(unconst(v), key, day)
	{
		int i = 0;
		while (i < 7 && strcmp(key, day_keys[i]) != 0)
			i++;
		path_set(p, "%s.%s", path, key);
		if (i == 7)
			return err_set(err, ERR_VALIDATION, p,
				       "unknown day \"%s\"; use mon, tue, wed, thu, fri, sat, sun", p);
		if (parse_plan(day, p, &h->week[i], err) < 0)
			return -1;
	}
	return 0;
}

/* Date "YYYY-MM-DD" → day number; -1 with err set. */
static int parse_date(const json_t *v, const char *path, int64_t *day, struct err *err)
{
	if (!json_is_string(v))
		return err_set(err, ERR_VALIDATION, path, "%s is required: a date \"YYYY-MM-DD\"", path);
	const char *s = json_string_value(v);
	if (json_string_length(v) != 10 || s[4] != '-' || s[7] != '-')
		return err_set(err, ERR_VALIDATION, path, "%s must be a date \"YYYY-MM-DD\"", path);
	int f[3] = {0, 0, 0}, w[3] = {4, 2, 2}, pos = 0;
	for (int k = 0; k < 3; k++, pos++)
		for (int i = 0; i < w[k]; i++, pos++) {
			if (s[pos] < '0' || s[pos] > '9')
				return err_set(err, ERR_VALIDATION, path, "%s must be a date \"YYYY-MM-DD\"",
					       path);
			f[k] = f[k] * 10 + (s[pos] - '0');
		}
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (f[0] < YEAR_MIN || f[0] > YEAR_MAX || f[1] < 1 || f[1] > 12 || f[2] < 1 ||
	    f[2] > mdays[f[1] - 1] + (f[1] == 2 && leap_year(f[0])))
		return err_set(err, ERR_VALIDATION, path, "%s: %s is not a calendar date (years %d to %d)",
			       path, s, YEAR_MIN, YEAR_MAX);
	*day = days_from_civil(f[0], f[1], f[2]);
	return 0;
}

static int parse_special(const json_t *v, size_t idx, struct hours *h, struct err *err)
{
	struct special *sp = &h->special[h->n_special];
	char base[ERR_FIELD_MAX], p[ERR_FIELD_MAX];
	const char *key;
	json_t *val;

	path_set(base, "opening_hours.special_days[%zu]", idx);
	if (!json_is_object(v))
		return err_set(err, ERR_VALIDATION, base,
			       "%s must be an object {\"date\": \"YYYY-MM-DD\", \"closed\": true | "
			       "\"hours\": […], \"note\": …}",
			       base);
	json_object_foreach(unconst(v), key, val)
	{
		if (strcmp(key, "date") && strcmp(key, "closed") && strcmp(key, "hours") &&
		    strcmp(key, "note")) {
			path_set(p, "%s.%s", base, key);
			return err_set(err, ERR_VALIDATION, p,
				       "unknown field \"%s\"; allowed: date, closed, hours, note", p);
		}
	}

	path_set(p, "%s.date", base);
	if (parse_date(json_object_get(v, "date"), p, &sp->day, err) < 0)
		return -1;
	for (size_t j = 0; j < h->n_special; j++)
		if (h->special[j].day == sp->day)
			return err_set(err, ERR_VALIDATION, p, "%s: %s is already listed (special_days[%zu])",
				       p, json_string_value(json_object_get(v, "date")), j);

	const json_t *closed = json_object_get(v, "closed"), *hours = json_object_get(v, "hours");
	bool is_closed = false;
	path_set(p, "%s.closed", base);
	if (closed && !json_is_null(closed)) {
		if (!json_is_boolean(closed))
			return err_set(err, ERR_VALIDATION, p, "%s must be true or false", p);
		is_closed = json_is_true(closed);
	}
	bool has_hours = hours && !json_is_null(hours);
	if (is_closed && has_hours) {
		path_set(p, "%s.hours", base);
		return err_set(err, ERR_VALIDATION, p, "%s must be left out when \"closed\" is true", p);
	}
	if (!is_closed && !has_hours)
		return err_set(err, ERR_VALIDATION, base,
			       "%s needs \"closed\": true or \"hours\": [[\"HH:MM\", \"HH:MM\"], …]", base);
	path_set(p, "%s.hours", base);
	if (parse_plan(hours, p, &sp->plan, err) < 0)
		return -1;
	sp->closed = sp->plan.n == 0;

	path_set(p, "%s.note", base);
	if (parse_text(json_object_get(v, "note"), p, HOURS_NOTE_MAX, &sp->note, err) < 0)
		return -1;
	h->n_special++;
	return 0;
}

static int special_cmp(const void *a, const void *b)
{
	const struct special *x = a, *y = b;
	return (x->day > y->day) - (x->day < y->day);
}

static int parse_specials(const json_t *v, struct hours *h, struct err *err)
{
	const char *path = "opening_hours.special_days";

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return err_set(err, ERR_VALIDATION, path, "%s must be a list of special days", path);
	size_t n = json_array_size(v);
	if (n > HOURS_MAX_SPECIAL_DAYS)
		return err_set(err, ERR_VALIDATION, path, "%s must have at most %d entries", path,
			       HOURS_MAX_SPECIAL_DAYS);
	if (n == 0)
		return 0;
	h->special = calloc(n, sizeof h->special[0]);
	if (!h->special)
		return oom(err);
	for (size_t i = 0; i < n; i++)
		if (parse_special(json_array_get(v, i), i, h, err) < 0)
			return -1;
	qsort(h->special, h->n_special, sizeof h->special[0], special_cmp);
	return 0;
}

struct hours *hours_parse(const json_t *opening_hours, struct err *err)
{
	static const char *const keys[] = {"timezone",   "weekly",          "special_days",
					   "show_hours", "offline_message", "holiday_message"};
	struct err scratch;
	struct hours *h = NULL;
	char p[ERR_FIELD_MAX];
	const char *key;
	json_t *val;

	if (!err)
		err = &scratch;
	if (!json_is_object(opening_hours)) {
		err_set(err, ERR_VALIDATION, "opening_hours", "opening_hours must be an object");
		return NULL;
	}
	json_object_foreach(unconst(opening_hours), key, val)
	{
		size_t i = 0;
		while (i < sizeof keys / sizeof keys[0] && strcmp(key, keys[i]) != 0)
			i++;
		if (i == sizeof keys / sizeof keys[0]) {
			path_set(p, "opening_hours.%s", key);
			err_set(err, ERR_VALIDATION, p,
				"unknown field \"%s\"; allowed: timezone, weekly, special_days, show_hours, "
				"offline_message, "
				"holiday_message",
				p);
			return NULL;
		}
	}
	h = calloc(1, sizeof *h);
	if (!h) {
		oom(err);
		return NULL;
	}
	h->show_hours = true;
	if (parse_timezone(json_object_get(opening_hours, "timezone"), h, err) < 0)
		goto fail;
	if (parse_weekly(json_object_get(opening_hours, "weekly"), h, err) < 0)
		goto fail;
	if (parse_specials(json_object_get(opening_hours, "special_days"), h, err) < 0)
		goto fail;
	val = json_object_get(opening_hours, "show_hours");
	if (val && !json_is_null(val)) {
		if (!json_is_boolean(val)) {
			err_set(err, ERR_VALIDATION, "opening_hours.show_hours",
				"opening_hours.show_hours must be true or false");
			goto fail;
		}
		h->show_hours = json_is_true(val);
	}
	if (parse_text(json_object_get(opening_hours, "offline_message"), "opening_hours.offline_message",
		       HOURS_MESSAGE_MAX, &h->offline_message, err) < 0)
		goto fail;
	if (parse_text(json_object_get(opening_hours, "holiday_message"), "opening_hours.holiday_message",
		       HOURS_MESSAGE_MAX, &h->holiday_message, err) < 0)
		goto fail;
	/* The zone was checked above; make sure a calendar opens, so later calls fail only on ICU trouble. */
	UCalendar *cal = hours_cal_open(h);
	if (!cal) {
		err_set(err, ERR_INTERNAL, "opening_hours.timezone", "ICU cannot open a calendar for %s",
			h->tz);
		goto fail;
	}
	ucal_close(cal);
	return h;

fail:
	hours_free(h);
	return NULL;
}

void hours_free(struct hours *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n_special; i++)
		free(h->special[i].note);
	free(h->special);
	free(h->offline_message);
	free(h->holiday_message);
	free(h);
}

const char *hours_timezone(const struct hours *h)
{
	return h->tz;
}

bool hours_show_hours(const struct hours *h)
{
	return h->show_hours;
}

/* ---- status --------------------------------------------------------------------------------------- */

const struct special *hours_find_special(const struct hours *h, int64_t day)
{
	size_t lo = 0, hi = h->n_special;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (h->special[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < h->n_special && h->special[lo].day == day ? &h->special[lo] : NULL;
}

static const struct plan *plan_of(const struct hours *h, int64_t day)
{
	const struct special *sp = hours_find_special(h, day);
	return sp ? &sp->plan : &h->week[hours_weekday(day)];
}

static int instant_cmp(const void *a, const void *b)
{
	const struct instant_span *x = a, *y = b;
	return (x->s > y->s) - (x->s < y->s);
}

/* The openings of local days first_day … first_day + SPAN_DAYS - 1 on UTC instants, sorted and merged
 * (touching or overlapping ones joined). Empty spans (an interval inside a DST gap) are dropped. */
static int lay_out(const struct hours *h, UCalendar *cal, int64_t first_day,
		   struct instant_span out[SPAN_DAYS * HOURS_MAX_INTERVALS], size_t *n_out)
{
	size_t n = 0;

	for (int64_t day = first_day; day < first_day + SPAN_DAYS; day++) {
		const struct plan *pl = plan_of(h, day);
		for (int i = 0; i < pl->n; i++) {
			int s = pl->s[i].start, e = pl->s[i].end > s ? pl->s[i].end : pl->s[i].end + DAY_MIN;
			struct instant_span is;
			if (wall_to_ms(cal, day, s, &is.s) < 0 || wall_to_ms(cal, day, e, &is.e) < 0)
				return -1;
			if (is.e > is.s)
				out[n++] = is;
		}
	}
	qsort(out, n, sizeof out[0], instant_cmp);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m > 0 && out[i].s <= out[m - 1].e) {
			if (out[i].e > out[m - 1].e)
				out[m - 1].e = out[i].e;
		} else {
			out[m++] = out[i];
		}
	}
	*n_out = m;
	return 0;
}

/* The status at `now`, with the calendar already open; `today` gets the local time of `now`. */
int hours_status_with(const struct hours *h, UCalendar *cal, int64_t now, struct hours_status *st,
		      struct local *today)
{
	struct instant_span spans[SPAN_DAYS * HOURS_MAX_INTERVALS];
	size_t n;
	const int64_t horizon = now + HOURS_HORIZON_DAYS * DAY_MS;

	memset(st, 0, sizeof *st);
	if (hours_local_time(cal, now, today) < 0)
		return -1;
	const struct special *sp = hours_find_special(h, today->day);
	if (sp) {
		st->special = true;
		st->note = sp->note;
	}
	if (lay_out(h, cal, today->day - 1, spans, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (spans[i].e <= now)
			continue;
		if (spans[i].s <= now) {
			st->open = true;
			st->closes_at_ms = spans[i].e > horizon ? 0 : spans[i].e;
		} else if (spans[i].s <= horizon) {
			st->next_open_ms = spans[i].s;
		}
		break;
	}
	return 0;
}

int hours_status_at(const struct hours *h, int64_t now_ms, struct hours_status *st)
{
	struct local today;
	UCalendar *cal = hours_cal_open(h);
	int rc = -1;

	memset(st, 0, sizeof *st);
	if (!cal)
		return -1;
	rc = hours_status_with(h, cal, now_ms, st, &today);
	if (rc < 0)
		memset(st, 0, sizeof *st);
	ucal_close(cal);
	return rc;
}
