/* clock.c — wall and monotonic time, ISO 8601 formatting. */
#include "base/clock.h"

#include <stdio.h>
#include <time.h>

static int64_t real_now_ms(void *ud)
{
	(void)ud;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct clock clock_real(void)
{
	return (struct clock){.now_ms = real_now_ms, .ud = NULL};
}

static int64_t offset_now_ms(void *ud)
{
	return real_now_ms(NULL) + *(const int64_t *)ud;
}

struct clock clock_offset(const int64_t *offset_ms)
{
	return (struct clock){.now_ms = offset_now_ms, .ud = (void *)(uintptr_t)offset_ms};
}

double clock_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char *clock_iso8601(int64_t unix_ms, char out[32])
{
	time_t t = (time_t)(unix_ms / 1000);
	struct tm tm;
	if (!gmtime_r(&t, &tm)) {
		snprintf(out, 32, "1970-01-01T00:00:00Z");
		return out;
	}
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return out;
}
