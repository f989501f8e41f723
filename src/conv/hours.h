/*
 * hours.h — business opening hours of a bot: the `opening_hours` object of its config, the question "are
 * we open at instant t, until when, and when do we open next", and the sentences that tell a visitor.
 *
 * Config (all keys optional, unknown keys refused):
 *     {"timezone": "Europe/Berlin",                    IANA id known to ICU; default Europe/Berlin
 *      "weekly": {"mon": [["07:00","22:00"]], ...},    mon..sun; absent, null or [] = closed
 *      "special_days": [{"date": "2026-12-24", "hours": [["08:00","12:00"]], "note": "Heiligabend"},
 *                       {"date": "2026-12-25", "closed": true}],
 *      "show_hours": true, "offline_message": "...", "holiday_message": "..."}
 * An interval is ["HH:MM", "HH:MM"], 00:00..24:00, "24:00" only as an end. An interval whose end is at
 * or before its start runs past midnight and ends at that time on the next day ("18:00"–"02:00"; an equal
 * start and end means 24 hours). The intervals of one day must not overlap each other (touching is fine);
 * at most HOURS_MAX_INTERVALS per day. Times of neighbouring days may overlap or touch (Friday
 * 18:00–02:00 and Saturday 01:00–05:00): the opening hours are the union of all intervals, and
 * intervals that touch or overlap count as one opening (closes_at is the end of the whole run).
 *
 * Special days (at most HOURS_MAX_SPECIAL_DAYS, each date once, 1970..9999) replace the weekly hours of
 * that local date: "closed": true, or "hours" (an interval list, [] = closed), not both; "note" (at most
 * HOURS_NOTE_MAX characters, one line) names it for visitors. Only intervals that *start* on the date
 * are replaced: an overnight interval of the day before still ends as scheduled on the special day (a
 * bar open Friday 18:00–02:00 is open until 02:00 on a closed Saturday), and an overnight interval of
 * the special day itself runs into the next day.
 *
 * Wall clock and DST. Every interval is placed on the wall clock of the bot's time zone, day by day, and
 * turned into UTC instants by ICU's calendar (ucal), so a 07:00 opening is at 07:00 local in winter and
 * in summer. Wall times that do not exist (the spring-forward gap, e.g. 02:00–02:59 on 2026-03-29 in
 * Berlin) are moved to the first valid instant after the gap (03:00 CEST): an interval 01:00–05:00 that
 * contains the gap is open 3 real hours, one that starts at 02:30 opens at 03:00, one that ends at 02:30
 * closes at 03:00 (= 02:00 CET), and one that lies inside the gap (02:00–02:45) is empty that day. Wall
 * times that occur twice (fall-back, 02:00–02:59 on 2026-10-25 in Berlin) mean their first occurrence
 * (summer time): an interval 01:00–05:00 is open 5 real hours, one that starts at 02:30 opens at 02:30
 * CEST and stays open through the repeated hour, one that ends at 02:30 closes at 02:30 CEST and is
 * closed during the repeated 02:30 CET. "Today", "tomorrow" and the special day are the local date at
 * `now` in the bot's time zone.
 *
 * Threads: a struct hours is immutable after hours_parse and may be shared; each call opens its own ICU
 * calendar. Instants are Unix milliseconds (UTC); nothing here reads the real clock.
 */
#ifndef BOTWERK_CONV_HOURS_H
#define BOTWERK_CONV_HOURS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define HOURS_MAX_INTERVALS 8 /* per day */
#define HOURS_MAX_SPECIAL_DAYS 366
#define HOURS_NOTE_MAX 120    /* characters of a special day's note */
#define HOURS_MESSAGE_MAX 500 /* characters of offline_message / holiday_message */
#define HOURS_HORIZON_DAYS 14 /* how far ahead hours_status_at looks */
#define HOURS_DEFAULT_TIMEZONE "Europe/Berlin"

struct hours; /* opaque, immutable after parse, safe to share between threads */

/* Validates and parses `opening_hours` (not kept; strings are copied). On error returns NULL and fills
 * `err`: ERR_VALIDATION with the field path ("opening_hours.weekly.tue[1][0]",
 * "opening_hours.special_days[2].date") and a message saying what to fix; ERR_INTERNAL when out of memory
 * or ICU fails. */
struct hours *hours_parse(const json_t *opening_hours, struct err *err);
void hours_free(struct hours *h);

struct hours_status {
	bool open;            /* open at `now` */
	bool special;         /* the local date of `now` is a special day */
	const char *note;     /* that special day's note, or NULL (points into h) */
	int64_t closes_at_ms; /* open: end of the current opening, merged with openings that touch it (also
			       * across midnight); 0 when it lasts beyond HOURS_HORIZON_DAYS (open around the
			       * clock). Closed: 0 */
	int64_t next_open_ms; /* closed: start of the next opening within HOURS_HORIZON_DAYS after `now`, or
			       * 0 when there is none. Open: 0 */
};

/* The status at `now_ms`. Returns 0, or -1 (st zeroed) when ICU fails. */
int hours_status_at(const struct hours *h, int64_t now_ms, struct hours_status *st);

/* The texts below take `lang` "de" or "en" ("en-GB" etc. count as en; anything else, NULL included, as
 * de). Each writes a NUL-terminated string into buf (when len > 0), cut at a UTF-8 character boundary
 * when it does not fit, and returns the length of the whole text like snprintf (>= len: cut), or -1
 * when ICU fails. */

/* One or two sentences for a visitor at `now_ms`, e.g.
 *   "Wir haben jetzt geöffnet – heute bis 22:00 Uhr."
 *   "Wir haben gerade geschlossen. Wir öffnen wieder morgen um 07:00 Uhr."
 *   "Heute (1. Weihnachtstag) haben wir geschlossen. Wir öffnen wieder am Montag, 28. Dezember, um
 *    07:00 Uhr."
 *   "We are closed right now. We open again on Monday, 28 December at 07:00."
 * When closed, offline_message (normal day) or holiday_message (special day) replaces the first sentence
 * when set. A date further than tomorrow is written with its weekday ("Montag, 28. Dezember"), and with
 * the year when that is not the current one ("Montag, 4. Januar 2027"; en "Monday, 4 January 2027"). */
int hours_describe_status(const struct hours *h, int64_t now_ms, const char *lang, char *buf, size_t len);

/* The weekly table, Monday first, one line per day separated by '\n' (none after the last):
 *   de: "Mo: 07:00–22:00 Uhr", "Di: 07:00–12:00, 14:00–22:00 Uhr", "Mi: geschlossen"
 *   en: "Mon: 07:00–22:00", "Tue: 07:00–12:00, 14:00–22:00", "Wed: closed"
 * Special days are not listed. */
int hours_describe_week(const struct hours *h, const char *lang, char *buf, size_t len);

/* `ms` on the bot's wall clock as ISO 8601 with its UTC offset, e.g. "2026-03-29T03:00:00+02:00"
 * (seconds precision). Returns the length (25), or -1 when ICU fails or the year is not 0..9999. */
int hours_iso_local(const struct hours *h, int64_t ms, char out[32]);

/* The configured time zone id (HOURS_DEFAULT_TIMEZONE when none was given). */
const char *hours_timezone(const struct hours *h);
/* The show_hours flag (default true): whether the bot shows its opening hours to visitors. */
bool hours_show_hours(const struct hours *h);

#endif
