/*
 * clock.h — the time every component asks for.
 *
 * A `struct clock` is a hook so tests can choose the instant; clock_real() is the wall clock. Monotonic
 * time (for durations) is never faked.
 */
#ifndef BOTWERK_BASE_CLOCK_H
#define BOTWERK_BASE_CLOCK_H

#include <stddef.h>
#include <stdint.h>

struct clock {
	int64_t (*now_ms)(void *ud); /* unix milliseconds */
	void *ud;
};

/* The system wall clock. */
struct clock clock_real(void);
/* The wall clock plus *offset_ms (read at every call; the pointed-to value must outlive the clock). */
struct clock clock_offset(const int64_t *offset_ms);
static inline int64_t clock_now_ms(const struct clock *c) { return c->now_ms(c->ud); }
/* Monotonic seconds, for durations. */
double clock_mono(void);
/* "2026-11-22T10:00:00Z" (UTC, second precision) into out; returns out. */
char *clock_iso8601(int64_t unix_ms, char out[32]);

#endif
