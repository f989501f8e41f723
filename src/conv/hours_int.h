/*
 * hours_int.h — internals shared by hours.c (parsing, validation, open/closed status) and hours_text.c
 * (visitor sentences and formatting). Not part of the public API in hours.h; include it only from
 * src/conv/hours*.c.
 */
#ifndef BOTWERK_CONV_HOURS_INT_H
#define BOTWERK_CONV_HOURS_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <unicode/ucal.h>

#include "conv/hours.h"

#define TZ_MAX 64    /* bytes of a time zone id, NUL included */

/* One interval of a day's plan, in minutes after local midnight. end <= start: ends on the next day. */
struct span {
	int16_t start; /* 0..1439 */
	int16_t end;   /* 0..1440 */
};

struct plan {
	int n;                              /* 0: closed */
	struct span s[HOURS_MAX_INTERVALS]; /* sorted by start */
};

struct special {
	int64_t day;      /* days since 1970-01-01 (local date) */
	bool closed;      /* "closed": true or an empty "hours" */
	struct plan plan; /* empty when closed */
	char *note;       /* owned; NULL when none */
};

struct hours {
	char tz[TZ_MAX];   /* as configured */
	UChar utz[TZ_MAX]; /* the same for ICU */
	int32_t utz_len;
	struct plan week[7];     /* 0 = Monday … 6 = Sunday */
	struct special *special; /* owned, sorted by day */
	size_t n_special;
	char *offline_message; /* owned; NULL when unset or empty */
	char *holiday_message; /* owned; NULL when unset or empty */
	bool show_hours;
};

/* An instant on the bot's wall clock. */
struct local {
	int64_t day;   /* days since 1970-01-01 of the local date */
	int y, mon, d; /* mon 1..12 */
	int h, min, sec;
	int wday;          /* 0 = Monday */
	int32_t offset_ms; /* local − UTC, DST included */
};

/* Proleptic Gregorian date of a day number (days since 1970-01-01). */
void hours_civil_from_days(int64_t z, int *y, int *m, int *d);
/* 0 = Monday … 6 = Sunday. */
int hours_weekday(int64_t day);
/* A calendar in the bot's zone; NULL on failure. Close with ucal_close. */
UCalendar *hours_cal_open(const struct hours *h);
/* Wall clock time of instant `ms`; -1 on ICU failure. */
int hours_local_time(UCalendar *cal, int64_t ms, struct local *t);
/* Minutes 0..1440 → "HH:MM". */
void hours_fmt_hhmm(int minutes, char out[6]);
/* The special day entry for local day `day`, or NULL. */
const struct special *hours_find_special(const struct hours *h, int64_t day);
/* The status at `now` with `cal` open; `today` gets the local time of `now`. */
int hours_status_with(const struct hours *h, UCalendar *cal, int64_t now, struct hours_status *st,
		      struct local *today);

#endif
