/*
 * hours_text.c — the visitor sentences for business opening hours, in German and English: the current
 * status with the next opening or closing (hours_describe_status), the weekly plan
 * (hours_describe_week), and an instant as ISO 8601 local time (hours_iso_local). Parsing and the
 * open/closed computation are in hours.c; the shared internals are in hours_int.h.
 */
#include "conv/hours.h"
#include "conv/hours_int.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <unicode/ucal.h>

/* ---- output --------------------------------------------------------------------------------------- */

/* Output with snprintf semantics: `total` counts every byte asked for; the buffer keeps what fits, cut
 * at a UTF-8 boundary, and nothing after the first cut. */
struct out {
	char *buf;
	size_t cap;
	size_t used;  /* bytes stored (< cap) */
	size_t total; /* bytes of the whole text */
	bool cut;
};

static void out_init(struct out *o, char *buf, size_t cap)
{
	*o = (struct out){.buf = buf, .cap = cap};
	if (cap)
		buf[0] = '\0';
}

static void out_mem(struct out *o, const char *s, size_t n)
{
	o->total += n;
	if (o->cut || o->cap == 0)
		return;
	size_t room = o->cap - 1 - o->used;
	if (n > room) {
		n = room;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
		o->cut = true;
	}
	memcpy(o->buf + o->used, s, n);
	o->used += n;
	o->buf[o->used] = '\0';
}

static void out_str(struct out *o, const char *s)
{
	out_mem(o, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void out_fmt(struct out *o, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		out_mem(o, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static int out_result(const struct out *o)
{
	return o->total > INT_MAX ? -1 : (int)o->total;
}

static bool lang_en(const char *lang)
{
	return lang && lang[0] == 'e' && lang[1] == 'n' &&
	       (lang[2] == '\0' || lang[2] == '-' || lang[2] == '_');
}

static const char *const de_days[7] = {"Montag",  "Dienstag", "Mittwoch", "Donnerstag",
				       "Freitag", "Samstag",  "Sonntag"};
static const char *const en_days[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
				       "Friday", "Saturday", "Sunday"};
static const char *const de_days_short[7] = {"Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"};
static const char *const en_days_short[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
static const char *const de_months[12] = {"Januar",    "Februar", "März",     "April",
					  "Mai",       "Juni",    "Juli",     "August",
					  "September", "Oktober", "November", "Dezember"};
static const char *const en_months[12] = {"January",   "February", "March",    "April",
					  "May",       "June",     "July",     "August",
					  "September", "October",  "November", "December"};

/* "Montag, 28. Dezember" / "Monday, 28 December", the year added when it is not `this_year`. */
static void out_date(struct out *o, bool en, int64_t day, int this_year)
{
	int y, m, d;
	hours_civil_from_days(day, &y, &m, &d);
	if (en)
		out_fmt(o, "%s, %d %s", en_days[hours_weekday(day)], d, en_months[m - 1]);
	else
		out_fmt(o, "%s, %d. %s", de_days[hours_weekday(day)], d, de_months[m - 1]);
	if (y != this_year)
		out_fmt(o, " %d", y);
}

/* " – heute bis 22:00 Uhr." etc. for an opening that ends at `t` (local), seen on local day `today`. */
static void out_closing(struct out *o, bool en, const struct local *t, const struct local *today)
{
	int64_t day = t->day;
	int h = t->h, min = t->min;

	if (h == 0 && min == 0) { /* midnight reads as 24:00 of the day before */
		day--;
		h = 24;
	}
	if (day == today->day)
		out_fmt(o, en ? " – today until %02d:%02d." : " – heute bis %02d:%02d Uhr.", h, min);
	else if (day == today->day + 1)
		out_fmt(o, en ? " – until tomorrow at %02d:%02d." : " – bis morgen um %02d:%02d Uhr.", h,
			min);
	else {
		out_str(o, en ? " – until " : " – bis ");
		out_date(o, en, day, today->y);
		out_fmt(o, en ? " at %02d:%02d." : ", um %02d:%02d Uhr.", h, min);
	}
}

/* "Wir öffnen wieder …" for the next opening at `t` (local), seen on local day `today`. */
static void out_opening(struct out *o, bool en, const struct local *t, const struct local *today)
{
	if (t->day == today->day)
		out_fmt(o,
			en ? "We open again today at %02d:%02d."
			   : "Wir öffnen heute wieder um %02d:%02d Uhr.",
			t->h, t->min);
	else if (t->day == today->day + 1)
		out_fmt(o,
			en ? "We open again tomorrow at %02d:%02d."
			   : "Wir öffnen wieder morgen um %02d:%02d Uhr.",
			t->h, t->min);
	else {
		out_str(o, en ? "We open again on " : "Wir öffnen wieder am ");
		out_date(o, en, t->day, today->y);
		out_fmt(o, en ? " at %02d:%02d." : ", um %02d:%02d Uhr.", t->h, t->min);
	}
}

/* " (note)" or nothing. */
static void out_note(struct out *o, const char *note)
{
	if (!note)
		return;
	out_str(o, " (");
	out_str(o, note);
	out_str(o, ")");
}

int hours_describe_status(const struct hours *h, int64_t now_ms, const char *lang, char *buf, size_t len)
{
	bool en = lang_en(lang);
	struct hours_status st;
	struct local today, t;
	struct out o;
	int rc = -1;
	UCalendar *cal = hours_cal_open(h);

	out_init(&o, buf, len);
	if (!cal)
		return -1;
	if (hours_status_with(h, cal, now_ms, &st, &today) < 0)
		goto cleanup;

	if (st.open) {
		out_str(&o, en ? "We are open now" : "Wir haben jetzt geöffnet");
		out_note(&o, st.note);
		if (st.closes_at_ms) {
			if (hours_local_time(cal, st.closes_at_ms, &t) < 0)
				goto cleanup;
			out_closing(&o, en, &t, &today);
		} else {
			out_str(&o, ".");
		}
		rc = 0;
		goto cleanup;
	}

	const struct special *sp = st.special ? hours_find_special(h, today.day) : NULL;
	if (sp && h->holiday_message) {
		out_str(&o, h->holiday_message);
	} else if (sp && sp->closed) {
		if (en) {
			out_str(&o, "We are closed today");
			out_note(&o, sp->note);
			out_str(&o, ".");
		} else {
			out_str(&o, "Heute");
			out_note(&o, sp->note);
			out_str(&o, " haben wir geschlossen.");
		}
	} else if (sp) {
		out_str(&o, en ? "Special opening hours today" : "Heute");
		out_note(&o, sp->note);
		out_str(&o, en ? "; we are closed right now."
			       : " gelten besondere Öffnungszeiten; wir haben gerade geschlossen.");
	} else if (h->offline_message) {
		out_str(&o, h->offline_message);
	} else {
		out_str(&o, en ? "We are closed right now." : "Wir haben gerade geschlossen.");
	}
	out_str(&o, " ");
	if (st.next_open_ms) {
		if (hours_local_time(cal, st.next_open_ms, &t) < 0)
			goto cleanup;
		out_opening(&o, en, &t, &today);
	} else if (en) {
		out_fmt(&o, "We are not open in the next %d days.", HOURS_HORIZON_DAYS);
	} else {
		out_fmt(&o, "In den nächsten %d Tagen haben wir nicht geöffnet.", HOURS_HORIZON_DAYS);
	}
	rc = 0;

cleanup:
	ucal_close(cal);
	if (rc < 0) {
		if (len)
			buf[0] = '\0';
		return -1;
	}
	return out_result(&o);
}

int hours_describe_week(const struct hours *h, const char *lang, char *buf, size_t len)
{
	bool en = lang_en(lang);
	struct out o;

	out_init(&o, buf, len);
	for (int d = 0; d < 7; d++) {
		const struct plan *pl = &h->week[d];
		if (d > 0)
			out_str(&o, "\n");
		out_str(&o, en ? en_days_short[d] : de_days_short[d]);
		out_str(&o, ": ");
		if (pl->n == 0) {
			out_str(&o, en ? "closed" : "geschlossen");
			continue;
		}
		for (int i = 0; i < pl->n; i++) {
			char a[6], b[6];
			hours_fmt_hhmm(pl->s[i].start, a);
			hours_fmt_hhmm(pl->s[i].end, b);
			out_fmt(&o, "%s%s–%s", i ? ", " : "", a, b);
		}
		if (!en)
			out_str(&o, " Uhr");
	}
	return out_result(&o);
}

int hours_iso_local(const struct hours *h, int64_t ms, char out[32])
{
	struct local t;
	UCalendar *cal = hours_cal_open(h);
	int rc = -1;

	out[0] = '\0';
	if (!cal)
		return -1;
	if (hours_local_time(cal, ms, &t) == 0 && t.y >= 0 && t.y <= 9999) {
		int off = t.offset_ms / 60000;
		char sign = off < 0 ? '-' : '+';
		if (off < 0)
			off = -off;
		rc = snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", t.y, t.mon, t.d, t.h,
			      t.min, t.sec, sign, (off / 60) % 100, off % 60);
	}
	ucal_close(cal);
	return rc;
}
