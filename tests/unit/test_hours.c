/*
 * test_hours.c — unit tests for src/conv/hours.c: open/closed/next opening on a normal week, split days,
 * overnight and 24-hour days, the Europe/Berlin and America/New_York DST switches of 2026 (gaps and
 * repeated hours), special days, the visitor sentences in German and English (exact strings), the weekly
 * table, ISO 8601 local times, and the validation answer (field path, message) for bad configs. Instants
 * are given as UTC wall times turned into epoch ms here; no real clock is read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "conv/hours.h"

/* ---- helpers ------------------------------------------------------------------------------------ */

/* Epoch ms of a UTC wall time (proleptic Gregorian). */
static int64_t utc(int y, int mo, int d, int h, int mi)
{
	int64_t yy = y - (mo <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;
	return ((days * 24 + h) * 60 + mi) * 60000;
}

/* The example config of the feature brief (Europe/Berlin). */
static const char *const EXAMPLE =
	"{\"timezone\":\"Europe/Berlin\","
	"\"weekly\":{\"mon\":[[\"07:00\",\"22:00\"]],\"tue\":[[\"07:00\",\"12:00\"],[\"14:00\",\"22:00\"]],"
	"\"wed\":[],\"thu\":[[\"00:00\",\"24:00\"]],\"fri\":[[\"18:00\",\"02:00\"]],\"sat\":[],\"sun\":null},"
	"\"special_days\":[{\"date\":\"2026-12-24\",\"hours\":[[\"08:00\",\"12:00\"]],\"note\":"
	"\"Heiligabend\"},"
	"{\"date\":\"2026-12-25\",\"closed\":true,\"note\":\"1. Weihnachtstag\"}],"
	"\"show_hours\":true}";

static struct err E;

/* Parses `text` (must be valid JSON) with hours_parse. */
static struct hours *parse(const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);

	if (!v)
		fail_msg("test JSON does not parse: %s (%s)", text, jerr.text);
	memset(&E, 0, sizeof E);
	struct hours *h = hours_parse(v, &E);
	json_decref(v);
	return h;
}

static struct hours *parse_ok(const char *text)
{
	struct hours *h = parse(text);
	if (!h)
		fail_msg("%.200s: refused: [%s] %s", text, E.field, E.msg);
	return h;
}

/* Refused with ERR_VALIDATION on `field`, the message containing `msg_part`. */
static void assert_refused(const char *text, const char *field, const char *msg_part)
{
	struct hours *h = parse(text);
	if (h) {
		hours_free(h);
		fail_msg("%.200s: accepted, expected an error on %s", text, field);
	}
	assert_int_equal(E.code, ERR_VALIDATION);
	assert_string_equal(E.field, field);
	if (!strstr(E.msg, msg_part))
		fail_msg("%.200s: message \"%s\" lacks \"%s\"", text, E.msg, msg_part);
}

static struct hours_status status(const struct hours *h, int64_t now)
{
	struct hours_status st;
	assert_int_equal(hours_status_at(h, now, &st), 0);
	return st;
}

/* Open at `now`, closing at `closes` (0: not within the horizon). */
static void assert_open(const struct hours *h, int64_t now, int64_t closes)
{
	struct hours_status st = status(h, now);
	if (!st.open)
		fail_msg("closed at %lld, expected open until %lld", (long long)now, (long long)closes);
	assert_int_equal(st.closes_at_ms, closes);
	assert_int_equal(st.next_open_ms, 0);
}

/* Closed at `now`, opening next at `next` (0: not within the horizon). */
static void assert_closed(const struct hours *h, int64_t now, int64_t next)
{
	struct hours_status st = status(h, now);
	if (st.open)
		fail_msg("open at %lld (until %lld), expected closed", (long long)now,
			 (long long)st.closes_at_ms);
	assert_int_equal(st.closes_at_ms, 0);
	assert_int_equal(st.next_open_ms, next);
}

static void assert_status_text(const struct hours *h, int64_t now, const char *lang, const char *want)
{
	char buf[1024];
	int n = hours_describe_status(h, now, lang, buf, sizeof buf);
	assert_string_equal(buf, want);
	assert_int_equal(n, (int)strlen(want));
}

static void assert_iso(const struct hours *h, int64_t ms, const char *want)
{
	char out[32];
	assert_int_equal(hours_iso_local(h, ms, out), (int)strlen(want));
	assert_string_equal(out, want);
}

/* Berlin local time → UTC ms, for winter (CET, +1) and summer (CEST, +2). */
#define CET(y, mo, d, h, mi) (utc(y, mo, d, h, mi) - 3600000LL)
#define CEST(y, mo, d, h, mi) (utc(y, mo, d, h, mi) - 7200000LL)

/* ---- status on a normal week (November 2026, CET) -------------------------------------------------- */

static void test_normal_week(void **state)
{
	(void)state;
	struct hours *h = parse_ok(EXAMPLE);

	assert_string_equal(hours_timezone(h), "Europe/Berlin");
	assert_true(hours_show_hours(h));
	/* Monday 2026-11-23, 07:00–22:00. */
	assert_closed(h, CET(2026, 11, 23, 6, 59), CET(2026, 11, 23, 7, 0));
	assert_open(h, CET(2026, 11, 23, 7, 0), CET(2026, 11, 23, 22, 0));
	assert_open(h, CET(2026, 11, 23, 10, 0), CET(2026, 11, 23, 22, 0));
	assert_open(h, CET(2026, 11, 23, 22, 0) - 1, CET(2026, 11, 23, 22, 0));
	/* The end is exclusive; the next opening is Tuesday morning. */
	assert_closed(h, CET(2026, 11, 23, 22, 0), CET(2026, 11, 24, 7, 0));
	/* Wednesday is closed: from Tuesday night the next opening is Thursday 00:00. */
	assert_closed(h, CET(2026, 11, 24, 23, 0), CET(2026, 11, 26, 0, 0));
	assert_closed(h, CET(2026, 11, 25, 12, 0), CET(2026, 11, 26, 0, 0));
	/* Sunday (null) is closed: Saturday noon → Monday 07:00. */
	assert_closed(h, CET(2026, 11, 28, 12, 0), CET(2026, 11, 30, 7, 0));
	struct hours_status st = status(h, CET(2026, 11, 23, 10, 0));
	assert_false(st.special);
	assert_null(st.note);
	hours_free(h);
}

static void test_split_day(void **state)
{
	(void)state;
	struct hours *h = parse_ok(EXAMPLE);

	/* Tuesday 2026-11-24: 07:00–12:00 and 14:00–22:00. */
	assert_open(h, CET(2026, 11, 24, 8, 0), CET(2026, 11, 24, 12, 0));
	assert_closed(h, CET(2026, 11, 24, 12, 0), CET(2026, 11, 24, 14, 0));
	assert_closed(h, CET(2026, 11, 24, 14, 0) - 1, CET(2026, 11, 24, 14, 0));
	assert_open(h, CET(2026, 11, 24, 14, 0), CET(2026, 11, 24, 22, 0));
	hours_free(h);

	/* Intervals may be listed in any order, and touching ones count as one opening. */
	h = parse_ok(
		"{\"weekly\":{\"mon\":[[\"14:00\",\"18:00\"],[\"09:00\",\"12:00\"],[\"12:00\",\"14:00\"]]}}");
	assert_open(h, CET(2026, 11, 23, 10, 0), CET(2026, 11, 23, 18, 0));
	assert_closed(h, CET(2026, 11, 23, 8, 0), CET(2026, 11, 23, 9, 0));
	hours_free(h);
}

static void test_overnight(void **state)
{
	(void)state;
	struct hours *h = parse_ok(EXAMPLE);

	/* Friday 2026-11-27 18:00 – Saturday 02:00. */
	assert_closed(h, CET(2026, 11, 27, 17, 0), CET(2026, 11, 27, 18, 0));
	assert_open(h, CET(2026, 11, 27, 23, 0), CET(2026, 11, 28, 2, 0));
	assert_open(h, CET(2026, 11, 28, 1, 30), CET(2026, 11, 28, 2, 0));
	assert_closed(h, CET(2026, 11, 28, 2, 0), CET(2026, 11, 30, 7, 0));
	hours_free(h);

	/* An overnight interval merges with the next day's opening that starts when it ends. */
	h = parse_ok("{\"weekly\":{\"fri\":[[\"18:00\",\"02:00\"]],\"sat\":[[\"02:00\",\"04:00\"],[\"10:00\","
		     "\"11:00\"]]}}");
	assert_open(h, CET(2026, 11, 27, 20, 0), CET(2026, 11, 28, 4, 0));
	hours_free(h);
	/* … and with one it overlaps (days may overlap each other, the union counts). */
	h = parse_ok("{\"weekly\":{\"fri\":[[\"18:00\",\"02:00\"]],\"sat\":[[\"01:00\",\"05:00\"]]}}");
	assert_open(h, CET(2026, 11, 27, 20, 0), CET(2026, 11, 28, 5, 0));
	assert_open(h, CET(2026, 11, 28, 1, 30), CET(2026, 11, 28, 5, 0));
	hours_free(h);
	/* Equal start and end: 24 hours from that time. */
	h = parse_ok("{\"weekly\":{\"mon\":[[\"09:00\",\"09:00\"]]}}");
	assert_open(h, CET(2026, 11, 24, 8, 59), CET(2026, 11, 24, 9, 0));
	assert_closed(h, CET(2026, 11, 24, 9, 0), CET(2026, 11, 30, 9, 0));
	hours_free(h);
}

static void test_24h_days(void **state)
{
	(void)state;
	struct hours *h = parse_ok(EXAMPLE);

	/* Thursday 00:00–24:00 closes at Friday 00:00 (Friday opens only at 18:00). */
	assert_open(h, CET(2026, 11, 26, 0, 0), CET(2026, 11, 27, 0, 0));
	assert_open(h, CET(2026, 11, 26, 23, 59), CET(2026, 11, 27, 0, 0));
	assert_closed(h, CET(2026, 11, 27, 0, 0), CET(2026, 11, 27, 18, 0));
	hours_free(h);

	/* Consecutive 24-hour days are one opening, also across midnight. */
	h = parse_ok("{\"weekly\":{\"mon\":[[\"00:00\",\"24:00\"]],\"tue\":[[\"00:00\",\"24:00\"]],"
		     "\"wed\":[[\"00:00\",\"12:00\"]]}}");
	assert_open(h, CET(2026, 11, 23, 10, 0), CET(2026, 11, 25, 12, 0));
	hours_free(h);
	/* A Wednesday 20:00–24:00 runs on into Thursday 00:00–03:00. */
	h = parse_ok("{\"weekly\":{\"wed\":[[\"20:00\",\"24:00\"]],\"thu\":[[\"00:00\",\"03:00\"]]}}");
	assert_open(h, CET(2026, 11, 25, 21, 0), CET(2026, 11, 26, 3, 0));
	hours_free(h);

	/* Open around the clock: no closing within the horizon. */
	h = parse_ok("{\"weekly\":{\"mon\":[[\"00:00\",\"24:00\"]],\"tue\":[[\"00:00\",\"24:00\"]],"
		     "\"wed\":[[\"00:00\",\"24:00\"]],\"thu\":[[\"00:00\",\"24:00\"]],\"fri\":[[\"00:00\","
		     "\"24:00\"]],"
		     "\"sat\":[[\"00:00\",\"24:00\"]],\"sun\":[[\"00:00\",\"24:00\"]]}}");
	assert_open(h, CET(2026, 11, 25, 21, 0), 0);
	assert_status_text(h, CET(2026, 11, 25, 21, 0), "de", "Wir haben jetzt geöffnet.");
	assert_status_text(h, CET(2026, 11, 25, 21, 0), "en", "We are open now.");
	hours_free(h);

	/* Never open: no next opening. */
	h = parse_ok("{}");
	assert_closed(h, CET(2026, 11, 25, 21, 0), 0);
	assert_status_text(
		h, CET(2026, 11, 25, 21, 0), "de",
		"Wir haben gerade geschlossen. In den nächsten 14 Tagen haben wir nicht geöffnet.");
	assert_status_text(h, CET(2026, 11, 25, 21, 0), "en",
			   "We are closed right now. We are not open in the next 14 days.");
	hours_free(h);
}

static void test_horizon(void **state)
{
	(void)state;
	/* Closed for more than 14 days ahead: a special-day run blocks all Mondays of December. */
	struct hours *h = parse_ok(
		"{\"weekly\":{\"mon\":[[\"07:00\",\"22:00\"]]},\"special_days\":["
		"{\"date\":\"2026-12-07\",\"closed\":true},{\"date\":\"2026-12-14\",\"closed\":true},"
		"{\"date\":\"2026-12-21\",\"closed\":true}]}");
	/* From Monday 2026-11-30 23:00 the next opening is Monday 2026-12-28 07:00: beyond 14 days. */
	assert_closed(h, CET(2026, 11, 30, 23, 0), 0);
	/* From Monday 2026-12-14 08:00 it is 14 days away minus one hour: within. */
	assert_closed(h, CET(2026, 12, 14, 8, 0), CET(2026, 12, 28, 7, 0));
	/* Exactly 14 days ahead still counts. */
	assert_closed(h, CET(2026, 12, 14, 7, 0), CET(2026, 12, 28, 7, 0));
	assert_closed(h, CET(2026, 12, 14, 7, 0) - 1, 0);
	hours_free(h);
}

/* ---- DST ---------------------------------------------------------------------------------------- */

static void test_berlin_spring_forward(void **state)
{
	(void)state;
	/* 2026-03-29 (Sunday): 02:00 CET → 03:00 CEST at 01:00 UTC. */
	struct hours *h =
		parse_ok("{\"weekly\":{\"sun\":[[\"01:00\",\"05:00\"]],\"mon\":[[\"07:00\",\"22:00\"]]}}");
	/* An interval containing the gap: 01:00 CET (00:00 UTC) to 05:00 CEST (03:00 UTC), 3 real hours. */
	assert_closed(h, utc(2026, 3, 28, 12, 0), utc(2026, 3, 29, 0, 0));
	assert_open(h, utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 3, 0));
	assert_open(h, utc(2026, 3, 29, 1, 0), utc(2026, 3, 29, 3, 0));
	/* Monday after the switch opens at 07:00 CEST = 05:00 UTC. */
	assert_closed(h, utc(2026, 3, 29, 3, 0), CEST(2026, 3, 30, 7, 0));
	assert_open(h, CEST(2026, 3, 30, 7, 0), CEST(2026, 3, 30, 22, 0));
	/* From the Monday before, the following Sunday opens at 01:00 CET. */
	assert_closed(h, CET(2026, 3, 23, 23, 0), CET(2026, 3, 29, 1, 0));
	hours_free(h);

	/* An interval that starts in the gap opens at the first instant after it (03:00 CEST). */
	h = parse_ok("{\"weekly\":{\"sun\":[[\"02:30\",\"04:00\"]]}}");
	assert_closed(h, utc(2026, 3, 29, 0, 59), utc(2026, 3, 29, 1, 0));
	assert_open(h, utc(2026, 3, 29, 1, 0), utc(2026, 3, 29, 2, 0));
	char iso[32];
	assert_int_equal(hours_iso_local(h, status(h, utc(2026, 3, 29, 0, 0)).next_open_ms, iso), 25);
	assert_string_equal(iso, "2026-03-29T03:00:00+02:00");
	/* The Sunday before (winter) it opens at 02:30 CET. */
	assert_closed(h, CET(2026, 3, 22, 0, 0), CET(2026, 3, 22, 2, 30));
	hours_free(h);

	/* An interval that lies inside the gap is empty that day: next opening a week later. */
	h = parse_ok("{\"weekly\":{\"sun\":[[\"02:00\",\"02:45\"]]}}");
	assert_closed(h, utc(2026, 3, 28, 12, 0), CEST(2026, 4, 5, 2, 0));
	hours_free(h);

	/* An overnight interval ending in the gap ends at 03:00 CEST (= 01:00 UTC). */
	h = parse_ok("{\"weekly\":{\"sat\":[[\"22:00\",\"02:30\"]]}}");
	assert_open(h, CET(2026, 3, 28, 23, 0), utc(2026, 3, 29, 1, 0));
	assert_open(h, utc(2026, 3, 29, 0, 59), utc(2026, 3, 29, 1, 0));
	assert_closed(h, utc(2026, 3, 29, 1, 0), CEST(2026, 4, 4, 22, 0));
	hours_free(h);
}

static void test_berlin_fall_back(void **state)
{
	(void)state;
	/* 2026-10-25 (Sunday): 03:00 CEST → 02:00 CET at 01:00 UTC; 02:00–02:59 happens twice. */
	struct hours *h =
		parse_ok("{\"weekly\":{\"sun\":[[\"01:00\",\"05:00\"]],\"mon\":[[\"07:00\",\"22:00\"]]}}");
	/* 01:00 CEST (23:00 UTC Saturday) to 05:00 CET (04:00 UTC): 5 real hours. */
	assert_closed(h, utc(2026, 10, 24, 12, 0), utc(2026, 10, 24, 23, 0));
	assert_open(h, utc(2026, 10, 24, 23, 0), utc(2026, 10, 25, 4, 0));
	assert_open(h, utc(2026, 10, 25, 1, 30), utc(2026, 10, 25, 4, 0)); /* 02:30 CET, second pass */
	/* Monday after the switch opens at 07:00 CET = 06:00 UTC. */
	assert_closed(h, utc(2026, 10, 25, 4, 0), CET(2026, 10, 26, 7, 0));
	/* From Saturday before the switch (summer) to Monday after it (winter). */
	hours_free(h);
	h = parse_ok("{\"weekly\":{\"mon\":[[\"07:00\",\"22:00\"]]}}");
	assert_closed(h, CEST(2026, 10, 24, 12, 0), CET(2026, 10, 26, 7, 0));
	hours_free(h);

	/* A start in the repeated hour means its first occurrence (02:30 CEST = 00:30 UTC); the interval
	 * stays open through the repeated hour. */
	h = parse_ok("{\"weekly\":{\"sun\":[[\"02:30\",\"04:00\"]]}}");
	assert_closed(h, utc(2026, 10, 25, 0, 0), utc(2026, 10, 25, 0, 30));
	assert_open(h, utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 3, 0));
	assert_open(h, utc(2026, 10, 25, 1, 15), utc(2026, 10, 25, 3, 0)); /* 02:15 CET */
	hours_free(h);

	/* An end in the repeated hour also means its first occurrence: closed in the second 02:30. */
	h = parse_ok("{\"weekly\":{\"sun\":[[\"00:00\",\"02:30\"]]}}");
	assert_open(h, utc(2026, 10, 25, 0, 15), utc(2026, 10, 25, 0, 30));
	struct hours_status st = status(h, utc(2026, 10, 25, 1, 45)); /* 02:45 CET */
	assert_false(st.open);
	assert_int_equal(st.next_open_ms, CET(2026, 11, 1, 0, 0));
	hours_free(h);
}

static void test_new_york(void **state)
{
	(void)state;
	struct hours *h = parse_ok("{\"timezone\":\"America/New_York\",\"weekly\":{"
				   "\"mon\":[[\"09:00\",\"17:00\"]],\"fri\":[[\"09:00\",\"17:00\"]]}}");
	assert_string_equal(hours_timezone(h), "America/New_York");
	/* Friday 2026-03-06 17:00 EST (22:00 UTC) → Monday 2026-03-09 09:00 EDT (13:00 UTC): DST began on
	 * Sunday 2026-03-08 at 02:00 EST (07:00 UTC), three weeks before Berlin's. */
	assert_closed(h, utc(2026, 3, 6, 22, 0), utc(2026, 3, 9, 13, 0));
	assert_open(h, utc(2026, 3, 9, 13, 0), utc(2026, 3, 9, 21, 0));
	/* Monday 2026-11-02 09:00 EST = 14:00 UTC, after the switch back on Sunday 2026-11-01. */
	assert_closed(h, utc(2026, 10, 30, 21, 0), utc(2026, 11, 2, 14, 0));
	assert_open(h, utc(2026, 11, 2, 21, 59), utc(2026, 11, 2, 22, 0));
	/* Texts use the local date: Sunday 2026-03-08 20:00 EDT is Monday 00:00 UTC, and Monday 09:00 EDT
	 * is "tomorrow". */
	assert_status_text(h, utc(2026, 3, 9, 0, 0), "en",
			   "We are closed right now. We open again tomorrow at 09:00.");
	assert_status_text(h, utc(2026, 3, 6, 22, 0), "en",
			   "We are closed right now. We open again on Monday, 9 March at 09:00.");
	assert_status_text(h, utc(2026, 3, 9, 14, 0), "en", "We are open now – today until 17:00.");
	assert_iso(h, utc(2026, 1, 15, 12, 0), "2026-01-15T07:00:00-05:00");
	assert_iso(h, utc(2026, 7, 15, 12, 0), "2026-07-15T08:00:00-04:00");
	hours_free(h);

	/* Sunday 01:30–03:30 contains New York's gap on 2026-03-08: 06:30 UTC to 07:30 UTC, one real hour. */
	h = parse_ok("{\"timezone\":\"America/New_York\",\"weekly\":{\"sun\":[[\"01:30\",\"03:30\"]]}}");
	assert_closed(h, utc(2026, 3, 8, 6, 0), utc(2026, 3, 8, 6, 30));
	assert_open(h, utc(2026, 3, 8, 7, 0), utc(2026, 3, 8, 7, 30));
	/* On 2026-11-01 (02:00 EDT → 01:00 EST at 06:00 UTC) 01:30 is its first occurrence (05:30 UTC) and
	 * 03:30 EST is 08:30 UTC: three real hours, through the repeated hour. */
	assert_closed(h, utc(2026, 11, 1, 5, 0), utc(2026, 11, 1, 5, 30));
	assert_open(h, utc(2026, 11, 1, 6, 15), utc(2026, 11, 1, 8, 30));
	assert_closed(h, utc(2026, 11, 1, 8, 30), utc(2026, 11, 8, 6, 30));
	hours_free(h);
}

/* ---- special days ------------------------------------------------------------------------------- */

static void test_special_days(void **state)
{
	(void)state;
	struct hours *h = parse_ok(EXAMPLE);

	/* Thursday 2026-12-24 is normally 00:00–24:00, today 08:00–12:00 (Heiligabend). */
	struct hours_status st = status(h, CET(2026, 12, 24, 7, 0));
	assert_false(st.open);
	assert_true(st.special);
	assert_string_equal(st.note, "Heiligabend");
	assert_int_equal(st.next_open_ms, CET(2026, 12, 24, 8, 0));
	assert_open(h, CET(2026, 12, 24, 10, 0), CET(2026, 12, 24, 12, 0));
	/* After 12:00: the 25th is closed (special), Friday's 18:00 with it; Sat, Sun closed; Monday 28th. */
	assert_closed(h, CET(2026, 12, 24, 12, 0), CET(2026, 12, 28, 7, 0));
	st = status(h, CET(2026, 12, 25, 19, 0));
	assert_false(st.open);
	assert_true(st.special);
	assert_string_equal(st.note, "1. Weihnachtstag");
	/* The day before a special day keeps its weekly hours. */
	assert_closed(h, CET(2026, 12, 23, 12, 0), CET(2026, 12, 24, 8, 0));
	hours_free(h);

	/* A closed special day after an overnight interval: the Friday interval still ends at 02:00. */
	h = parse_ok(
		"{\"weekly\":{\"fri\":[[\"18:00\",\"02:00\"]],\"sat\":[[\"10:00\",\"14:00\"]]},"
		"\"special_days\":[{\"date\":\"2026-11-28\",\"closed\":true,\"note\":\"Betriebsausflug\"}]}");
	st = status(h, CET(2026, 11, 28, 1, 0));
	assert_true(st.open);
	assert_true(st.special);
	assert_int_equal(st.closes_at_ms, CET(2026, 11, 28, 2, 0));
	assert_closed(h, CET(2026, 11, 28, 2, 0), CET(2026, 12, 4, 18, 0));
	/* An overnight special interval runs into the next day, which keeps its own weekly hours. */
	hours_free(h);
	h = parse_ok("{\"weekly\":{\"sat\":[[\"10:00\",\"14:00\"]]},"
		     "\"special_days\":[{\"date\":\"2026-11-27\",\"hours\":[[\"20:00\",\"03:00\"]],\"note\":"
		     "\"Lange Nacht\"}]}");
	assert_open(h, CET(2026, 11, 28, 2, 0), CET(2026, 11, 28, 3, 0));
	st = status(h, CET(2026, 11, 28, 2, 0));
	assert_false(st.special); /* the 28th itself is a normal day */
	assert_closed(h, CET(2026, 11, 28, 3, 0), CET(2026, 11, 28, 10, 0));
	/* Special "hours": [] is closed too; a special day may open a normally closed day. */
	hours_free(h);
	h = parse_ok("{\"weekly\":{\"mon\":[[\"07:00\",\"22:00\"]]},\"special_days\":["
		     "{\"date\":\"2026-11-30\",\"hours\":[]},{\"date\":\"2026-12-06\",\"hours\":[[\"11:00\","
		     "\"16:00\"]]}]}");
	assert_closed(h, CET(2026, 11, 29, 12, 0), CET(2026, 12, 6, 11, 0));
	st = status(h, CET(2026, 12, 6, 12, 0));
	assert_true(st.open);
	assert_true(st.special);
	assert_null(st.note);
	hours_free(h);
}

/* ---- texts -------------------------------------------------------------------------------------- */

static void test_describe_status_de(void **state)
{
	(void)state;
	struct hours *h = parse_ok(EXAMPLE);

	assert_status_text(h, CET(2026, 11, 23, 10, 0), "de",
			   "Wir haben jetzt geöffnet – heute bis 22:00 Uhr.");
	assert_status_text(h, CET(2026, 11, 23, 23, 0), "de",
			   "Wir haben gerade geschlossen. Wir öffnen wieder morgen um 07:00 Uhr.");
	assert_status_text(h, CET(2026, 11, 24, 12, 30), "de",
			   "Wir haben gerade geschlossen. Wir öffnen heute wieder um 14:00 Uhr.");
	assert_status_text(
		h, CET(2026, 11, 24, 23, 0), "de",
		"Wir haben gerade geschlossen. Wir öffnen wieder am Donnerstag, 26. November, um 00:00 Uhr.");
	/* A closing at midnight reads as 24:00 of the day. */
	assert_status_text(h, CET(2026, 11, 26, 12, 0), "de",
			   "Wir haben jetzt geöffnet – heute bis 24:00 Uhr.");
	assert_status_text(h, CET(2026, 11, 27, 23, 0), "de",
			   "Wir haben jetzt geöffnet – bis morgen um 02:00 Uhr.");
	assert_status_text(h, CET(2026, 11, 28, 1, 0), "de",
			   "Wir haben jetzt geöffnet – heute bis 02:00 Uhr.");
	/* Special days. */
	assert_status_text(
		h, CET(2026, 12, 24, 7, 0), "de",
		"Heute (Heiligabend) gelten besondere Öffnungszeiten; wir haben gerade geschlossen. "
		"Wir öffnen heute wieder um 08:00 Uhr.");
	assert_status_text(h, CET(2026, 12, 24, 10, 0), "de",
			   "Wir haben jetzt geöffnet (Heiligabend) – heute bis 12:00 Uhr.");
	assert_status_text(h, CET(2026, 12, 25, 10, 0), "de",
			   "Heute (1. Weihnachtstag) haben wir geschlossen. "
			   "Wir öffnen wieder am Montag, 28. Dezember, um 07:00 Uhr.");
	/* NULL and unknown languages read as German. */
	assert_status_text(h, CET(2026, 11, 23, 10, 0), NULL,
			   "Wir haben jetzt geöffnet – heute bis 22:00 Uhr.");
	assert_status_text(h, CET(2026, 11, 23, 10, 0), "fr",
			   "Wir haben jetzt geöffnet – heute bis 22:00 Uhr.");
	hours_free(h);

	/* The year is named when the date is in another year than today. */
	h = parse_ok("{\"weekly\":{\"mon\":[[\"07:00\",\"22:00\"]]},\"special_days\":["
		     "{\"date\":\"2026-12-28\",\"closed\":true}]}");
	assert_status_text(
		h, CET(2026, 12, 31, 12, 0), "de",
		"Wir haben gerade geschlossen. Wir öffnen wieder am Montag, 4. Januar 2027, um 07:00 Uhr.");
	assert_status_text(h, CET(2026, 12, 31, 12, 0), "en",
			   "We are closed right now. We open again on Monday, 4 January 2027 at 07:00.");
	hours_free(h);
	/* A closing further than tomorrow names the date. */
	h = parse_ok("{\"weekly\":{\"mon\":[[\"00:00\",\"24:00\"]],\"tue\":[[\"00:00\",\"24:00\"]],"
		     "\"wed\":[[\"00:00\",\"12:00\"]]}}");
	assert_status_text(h, CET(2026, 11, 23, 10, 0), "de",
			   "Wir haben jetzt geöffnet – bis Mittwoch, 25. November, um 12:00 Uhr.");
	assert_status_text(h, CET(2026, 11, 23, 10, 0), "en",
			   "We are open now – until Wednesday, 25 November at 12:00.");
	hours_free(h);
}

static void test_describe_status_en(void **state)
{
	(void)state;
	struct hours *h = parse_ok(EXAMPLE);

	assert_status_text(h, CET(2026, 11, 23, 10, 0), "en", "We are open now – today until 22:00.");
	assert_status_text(h, CET(2026, 11, 23, 23, 0), "en",
			   "We are closed right now. We open again tomorrow at 07:00.");
	assert_status_text(h, CET(2026, 11, 24, 12, 30), "en-GB",
			   "We are closed right now. We open again today at 14:00.");
	assert_status_text(h, CET(2026, 11, 28, 12, 0), "en",
			   "We are closed right now. We open again on Monday, 30 November at 07:00.");
	assert_status_text(h, CET(2026, 11, 27, 23, 0), "en", "We are open now – until tomorrow at 02:00.");
	assert_status_text(
		h, CET(2026, 12, 24, 7, 0), "en",
		"Special opening hours today (Heiligabend); we are closed right now. We open again today at "
		"08:00.");
	assert_status_text(h, CET(2026, 12, 24, 10, 0), "en",
			   "We are open now (Heiligabend) – today until 12:00.");
	assert_status_text(
		h, CET(2026, 12, 25, 10, 0), "en",
		"We are closed today (1. Weihnachtstag). We open again on Monday, 28 December at 07:00.");
	hours_free(h);
}

static void test_describe_status_messages(void **state)
{
	(void)state;
	struct hours *h = parse_ok(
		"{\"weekly\":{\"mon\":[[\"07:00\",\"22:00\"]]},"
		"\"special_days\":[{\"date\":\"2026-12-28\",\"closed\":true,\"note\":\"Betriebsferien\"}],"
		"\"offline_message\":\"Unser Team ist gerade nicht da – schreiben Sie uns gern!\","
		"\"holiday_message\":\"Wir sind in den Betriebsferien.\"}");

	/* Closed on a normal day: offline_message, then the next opening. */
	assert_status_text(h, CET(2026, 11, 23, 23, 0), "de",
			   "Unser Team ist gerade nicht da – schreiben Sie uns gern! "
			   "Wir öffnen wieder am Montag, 30. November, um 07:00 Uhr.");
	/* Closed on a special day: holiday_message. */
	assert_status_text(
		h, CET(2026, 12, 28, 10, 0), "de",
		"Wir sind in den Betriebsferien. Wir öffnen wieder am Montag, 4. Januar 2027, um 07:00 Uhr.");
	assert_status_text(
		h, CET(2026, 12, 28, 10, 0), "en",
		"Wir sind in den Betriebsferien. We open again on Monday, 4 January 2027 at 07:00.");
	/* Open: no message. */
	assert_status_text(h, CET(2026, 11, 23, 10, 0), "de",
			   "Wir haben jetzt geöffnet – heute bis 22:00 Uhr.");
	hours_free(h);
}

static void test_describe_truncates_safely(void **state)
{
	(void)state;
	struct hours *h = parse_ok(EXAMPLE);
	const char *full = "Wir haben jetzt geöffnet – heute bis 22:00 Uhr.";
	char buf[64];

	/* "Wir haben jetzt ge" is 18 bytes; "ö" is 2: a 20-byte buffer holds 19 bytes, so "ö" is left out. */
	memset(buf, 'x', sizeof buf);
	int n = hours_describe_status(h, CET(2026, 11, 23, 10, 0), "de", buf, 20);
	assert_int_equal(n, (int)strlen(full));
	assert_string_equal(buf, "Wir haben jetzt ge");
	assert_int_equal(buf[19], 'x');
	/* 21 bytes hold it. */
	n = hours_describe_status(h, CET(2026, 11, 23, 10, 0), "de", buf, 21);
	assert_string_equal(buf, "Wir haben jetzt geö");
	/* Nothing written with len 0; the length is still told. */
	assert_int_equal(hours_describe_status(h, CET(2026, 11, 23, 10, 0), "de", NULL, 0),
			 (int)strlen(full));
	n = hours_describe_status(h, CET(2026, 11, 23, 10, 0), "de", buf, 1);
	assert_string_equal(buf, "");
	/* Exactly fitting. */
	n = hours_describe_status(h, CET(2026, 11, 23, 10, 0), "de", buf, strlen(full) + 1);
	assert_string_equal(buf, full);
	n = hours_describe_week(h, "de", buf, 10);
	assert_string_equal(buf, "Mo: 07:00");
	assert_true(n > 10);
	hours_free(h);
}

static void test_describe_week(void **state)
{
	(void)state;
	struct hours *h = parse_ok(EXAMPLE);
	char buf[512];

	const char *de = "Mo: 07:00–22:00 Uhr\n"
			 "Di: 07:00–12:00, 14:00–22:00 Uhr\n"
			 "Mi: geschlossen\n"
			 "Do: 00:00–24:00 Uhr\n"
			 "Fr: 18:00–02:00 Uhr\n"
			 "Sa: geschlossen\n"
			 "So: geschlossen";
	const char *en = "Mon: 07:00–22:00\n"
			 "Tue: 07:00–12:00, 14:00–22:00\n"
			 "Wed: closed\n"
			 "Thu: 00:00–24:00\n"
			 "Fri: 18:00–02:00\n"
			 "Sat: closed\n"
			 "Sun: closed";
	assert_int_equal(hours_describe_week(h, "de", buf, sizeof buf), (int)strlen(de));
	assert_string_equal(buf, de);
	assert_int_equal(hours_describe_week(h, "en", buf, sizeof buf), (int)strlen(en));
	assert_string_equal(buf, en);
	hours_free(h);

	/* Intervals are listed sorted by start. */
	h = parse_ok("{\"weekly\":{\"sat\":[[\"14:00\",\"18:00\"],[\"09:00\",\"12:00\"]]}}");
	hours_describe_week(h, "de", buf, sizeof buf);
	assert_non_null(strstr(buf, "\nSa: 09:00–12:00, 14:00–18:00 Uhr\n"));
	hours_free(h);
}

static void test_iso_local(void **state)
{
	(void)state;
	struct hours *h = parse_ok(EXAMPLE);

	assert_iso(h, utc(2026, 1, 15, 12, 0), "2026-01-15T13:00:00+01:00");
	assert_iso(h, utc(2026, 7, 15, 12, 0), "2026-07-15T14:00:00+02:00");
	/* Around the switches. */
	assert_iso(h, utc(2026, 3, 29, 0, 59), "2026-03-29T01:59:00+01:00");
	assert_iso(h, utc(2026, 3, 29, 1, 0), "2026-03-29T03:00:00+02:00");
	assert_iso(h, utc(2026, 10, 25, 0, 30), "2026-10-25T02:30:00+02:00");
	assert_iso(h, utc(2026, 10, 25, 1, 30), "2026-10-25T02:30:00+01:00");
	/* Seconds, and a time before the epoch. */
	assert_iso(h, utc(2026, 1, 15, 12, 0) + 42999, "2026-01-15T13:00:42+01:00");
	assert_iso(h, utc(1969, 12, 31, 22, 0), "1969-12-31T23:00:00+01:00");
	hours_free(h);

	h = parse_ok("{\"timezone\":\"Asia/Kolkata\"}");
	assert_iso(h, utc(2026, 1, 15, 12, 0), "2026-01-15T17:30:00+05:30");
	hours_free(h);
	h = parse_ok("{\"timezone\":\"UTC\"}");
	assert_iso(h, utc(2026, 1, 15, 12, 0), "2026-01-15T12:00:00+00:00");
	hours_free(h);
}

/* ---- parsing ------------------------------------------------------------------------------------ */

static void test_valid_configs(void **state)
{
	(void)state;
	struct hours *h = parse_ok("{}");
	/* Default time zone. */
	assert_string_equal(hours_timezone(h), "Europe/Berlin");
	assert_true(hours_show_hours(h));
	hours_free(h);

	h = parse_ok("{\"timezone\":null,\"weekly\":null,\"special_days\":null,\"show_hours\":false,"
		     "\"offline_message\":null,\"holiday_message\":\"\"}");
	assert_false(hours_show_hours(h));
	hours_free(h);

	/* Eight intervals, touching, 24:00 as an end, a leap day, a 120-character note. */
	char note[121];
	memset(note, 'n', 120);
	note[120] = '\0';
	char text[1024];
	snprintf(text, sizeof text,
		 "{\"timezone\":\"Pacific/"
		 "Auckland\",\"weekly\":{\"mon\":[[\"00:00\",\"01:00\"],[\"01:00\",\"02:00\"],"
		 "[\"03:00\",\"04:00\"],[\"05:00\",\"06:00\"],[\"07:00\",\"08:00\"],[\"09:00\",\"10:00\"],"
		 "[\"11:00\",\"12:00\"],[\"23:00\",\"24:00\"]]},"
		 "\"special_days\":[{\"date\":\"2028-02-29\",\"closed\":true,\"note\":\"%s\"},"
		 "{\"date\":\"2028-03-01\",\"closed\":false,\"hours\":[[\"10:00\",\"11:00\"]]}]}",
		 note);
	h = parse_ok(text);
	hours_free(h);

	/* The full example with messages in umlauts. */
	h = parse_ok(
		"{\"timezone\":\"Europe/Berlin\",\"offline_message\":\"Gerade geschlossen – bis später!\","
		"\"holiday_message\":\"Feiertag – wir sind bald zurück.\"}");
	hours_free(h);

	/* NULL err is allowed. */
	json_t *v = json_loads("{\"weekly\":{\"xyz\":[]}}", 0, NULL);
	assert_null(hours_parse(v, NULL));
	json_decref(v);
	hours_free(NULL);
}

static void test_validation_errors(void **state)
{
	(void)state;
	assert_refused("[]", "opening_hours", "must be an object");
	assert_refused("null", "opening_hours", "must be an object");
	assert_refused("{\"colour\":1}", "opening_hours.colour", "unknown field");
	/* Time zone. */
	assert_refused("{\"timezone\":\"Mars/Olympus_Mons\"}", "opening_hours.timezone",
		       "not a known time zone");
	assert_refused("{\"timezone\":\"CEST+2\"}", "opening_hours.timezone", "IANA");
	assert_refused("{\"timezone\":\"GMT+05:00\"}", "opening_hours.timezone", "not a known time zone");
	assert_refused("{\"timezone\":\"\"}", "opening_hours.timezone", "not a known time zone");
	assert_refused("{\"timezone\":42}", "opening_hours.timezone", "must be a string");
	/* Weekly. */
	assert_refused("{\"weekly\":[]}", "opening_hours.weekly", "must be an object");
	assert_refused("{\"weekly\":{\"monday\":[]}}", "opening_hours.weekly.monday", "use mon, tue");
	assert_refused("{\"weekly\":{\"mon\":\"07:00-22:00\"}}", "opening_hours.weekly.mon",
		       "list of intervals");
	assert_refused("{\"weekly\":{\"tue\":[[\"07:00\",\"12:00\"],[\"14:00\"]]}}",
		       "opening_hours.weekly.tue[1]", "must be a pair");
	assert_refused("{\"weekly\":{\"tue\":[[\"07:00\",\"12:00\"],[\"7:00\",\"22:00\"]]}}",
		       "opening_hours.weekly.tue[1][0]", "\"HH:MM\"");
	assert_refused("{\"weekly\":{\"tue\":[[\"07:00\",\"12:60\"]]}}", "opening_hours.weekly.tue[0][1]",
		       "from 00:00 to 24:00");
	assert_refused("{\"weekly\":{\"tue\":[[\"07:00\",\"24:30\"]]}}", "opening_hours.weekly.tue[0][1]",
		       "from 00:00 to 24:00");
	assert_refused("{\"weekly\":{\"wed\":[[\"24:00\",\"02:00\"]]}}", "opening_hours.weekly.wed[0][0]",
		       "24:00 only as an end");
	assert_refused("{\"weekly\":{\"wed\":[[7,22]]}}", "opening_hours.weekly.wed[0][0]", "\"HH:MM\"");
	assert_refused("{\"weekly\":{\"tue\":[[\"07:00\",\"12:00\"],[\"11:00\",\"22:00\"]]}}",
		       "opening_hours.weekly.tue[1]", "overlaps interval [0] (07:00–12:00)");
	/* An overnight interval overlapping an early one of the same day (18:00–02:00 vs 20:00–21:00). */
	assert_refused("{\"weekly\":{\"fri\":[[\"18:00\",\"02:00\"],[\"20:00\",\"21:00\"]]}}",
		       "opening_hours.weekly.fri[1]", "overlaps");
	/* Equal start and end is 24 hours, so anything else that day overlaps it. */
	assert_refused("{\"weekly\":{\"fri\":[[\"09:00\",\"09:00\"],[\"10:00\",\"11:00\"]]}}",
		       "opening_hours.weekly.fri[1]", "overlaps");
	assert_refused(
		"{\"weekly\":{\"sat\":[[\"00:00\",\"01:00\"],[\"02:00\",\"03:00\"],[\"04:00\",\"05:00\"],"
		"[\"06:00\",\"07:00\"],[\"08:00\",\"09:00\"],[\"10:00\",\"11:00\"],[\"12:00\",\"13:00\"],"
		"[\"14:00\",\"15:00\"],[\"16:00\",\"17:00\"]]}}",
		"opening_hours.weekly.sat", "at most 8 intervals");
	/* Special days. */
	assert_refused("{\"special_days\":{}}", "opening_hours.special_days", "must be a list");
	assert_refused("{\"special_days\":[\"2026-12-24\"]}", "opening_hours.special_days[0]",
		       "must be an object");
	assert_refused("{\"special_days\":[{\"date\":\"2026-12-24\",\"closed\":true,\"reason\":\"x\"}]}",
		       "opening_hours.special_days[0].reason", "unknown field");
	assert_refused("{\"special_days\":[{\"closed\":true}]}", "opening_hours.special_days[0].date",
		       "is required");
	assert_refused(
		"{\"special_days\":[{\"date\":\"2026-12-24\",\"closed\":true},"
		"{\"date\":\"2026-12-25\",\"closed\":true},{\"date\":\"2026-02-29\",\"closed\":true}]}",
		"opening_hours.special_days[2].date", "not a calendar date");
	assert_refused("{\"special_days\":[{\"date\":\"2026-13-01\",\"closed\":true}]}",
		       "opening_hours.special_days[0].date", "not a calendar date");
	assert_refused("{\"special_days\":[{\"date\":\"2026-1-05\",\"closed\":true}]}",
		       "opening_hours.special_days[0].date", "\"YYYY-MM-DD\"");
	assert_refused("{\"special_days\":[{\"date\":\"24.12.2026\",\"closed\":true}]}",
		       "opening_hours.special_days[0].date", "\"YYYY-MM-DD\"");
	assert_refused(
		"{\"special_days\":[{\"date\":\"2026-12-24\",\"closed\":true},{\"date\":\"2026-12-24\","
		"\"hours\":[]}]}",
		"opening_hours.special_days[1].date", "already listed (special_days[0])");
	assert_refused("{\"special_days\":[{\"date\":\"2026-12-24\",\"closed\":true,\"hours\":[[\"08:00\","
		       "\"12:00\"]]}]}",
		       "opening_hours.special_days[0].hours", "left out when \"closed\" is true");
	assert_refused("{\"special_days\":[{\"date\":\"2026-12-24\",\"note\":\"Heiligabend\"}]}",
		       "opening_hours.special_days[0]", "needs \"closed\": true or \"hours\"");
	assert_refused("{\"special_days\":[{\"date\":\"2026-12-24\",\"closed\":false}]}",
		       "opening_hours.special_days[0]", "needs \"closed\": true or \"hours\"");
	assert_refused("{\"special_days\":[{\"date\":\"2026-12-24\",\"closed\":\"yes\"}]}",
		       "opening_hours.special_days[0].closed", "true or false");
	assert_refused("{\"special_days\":[{\"date\":\"2026-12-24\",\"closed\":true},"
		       "{\"date\":\"2026-12-31\",\"hours\":[[\"10:00\",\"xx:00\"]]}]}",
		       "opening_hours.special_days[1].hours[0][1]", "\"HH:MM\"");
	assert_refused("{\"special_days\":[{\"date\":\"2026-12-24\",\"closed\":true,\"note\":7}]}",
		       "opening_hours.special_days[0].note", "must be a string");
	assert_refused("{\"special_days\":[{\"date\":\"2026-12-24\",\"closed\":true,\"note\":\"a\\nb\"}]}",
		       "opening_hours.special_days[0].note", "one line");
	assert_refused(
		"{\"special_days\":[{\"date\":\"2026-12-24\",\"closed\":true,\"note\":\"a\\u0000b\"}]}",
		"opening_hours.special_days[0].note", "NUL");
	char note[122 * 2 + 1];
	for (int i = 0; i < 121; i++)
		memcpy(note + 2 * i, "ä", 2);
	note[242] = '\0';
	char text[1024];
	snprintf(text, sizeof text,
		 "{\"special_days\":[{\"date\":\"2026-12-24\",\"closed\":true,\"note\":\"%s\"}]}", note);
	assert_refused(text, "opening_hours.special_days[0].note", "at most 120 characters");
	/* 120 umlauts (240 bytes) are fine: characters, not bytes. */
	note[240] = '\0';
	snprintf(text, sizeof text,
		 "{\"special_days\":[{\"date\":\"2026-12-24\",\"closed\":true,\"note\":\"%s\"}]}", note);
	hours_free(parse_ok(text));
	/* Other fields. */
	assert_refused("{\"show_hours\":\"yes\"}", "opening_hours.show_hours", "true or false");
	assert_refused("{\"offline_message\":[\"x\"]}", "opening_hours.offline_message", "must be a string");
	assert_refused("{\"holiday_message\":\"a\\tb\"}", "opening_hours.holiday_message", "one line");
	assert_int_equal(err_http_status(ERR_VALIDATION), 422);
}

static void test_too_many_special_days(void **state)
{
	(void)state;
	/* 367 entries (days from 2027-01-01 on) are refused, 366 accepted. */
	size_t cap = 400 * 48 + 64;
	char *text = malloc(cap);
	assert_non_null(text);
	for (int count = 366; count <= 367; count++) {
		size_t off = (size_t)snprintf(text, cap, "{\"special_days\":[");
		for (int i = 0; i < count; i++) {
			int64_t ms = utc(2027, 1, 1, 0, 0) + (int64_t)i * 86400000;
			time_t t = (time_t)(ms / 1000);
			struct tm tm;
			gmtime_r(&t, &tm);
			off += (size_t)snprintf(text + off, cap - off,
						"%s{\"date\":\"%04d-%02d-%02d\",\"closed\":true}",
						i ? "," : "", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		}
		snprintf(text + off, cap - off, "]}");
		if (count == 366)
			hours_free(parse_ok(text));
		else
			assert_refused(text, "opening_hours.special_days", "at most 366");
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normal_week),
		cmocka_unit_test(test_split_day),
		cmocka_unit_test(test_overnight),
		cmocka_unit_test(test_24h_days),
		cmocka_unit_test(test_horizon),
		cmocka_unit_test(test_berlin_spring_forward),
		cmocka_unit_test(test_berlin_fall_back),
		cmocka_unit_test(test_new_york),
		cmocka_unit_test(test_special_days),
		cmocka_unit_test(test_describe_status_de),
		cmocka_unit_test(test_describe_status_en),
		cmocka_unit_test(test_describe_status_messages),
		cmocka_unit_test(test_describe_truncates_safely),
		cmocka_unit_test(test_describe_week),
		cmocka_unit_test(test_iso_local),
		cmocka_unit_test(test_valid_configs),
		cmocka_unit_test(test_validation_errors),
		cmocka_unit_test(test_too_many_special_days),
	};

	return cmocka_run_group_tests_name("hours", tests, NULL, NULL);
}
