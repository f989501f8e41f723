/*
 * test_pacing.c — unit tests for src/channels/pacing.c: 80 messages/s per sending number over simulated
 * seconds (never more than 80 in any one-second span), bursts, the 6 s spacing per recipient, waits that
 * take nothing, backoff growth, jitter and cap, backoff blocks of a pair and of a number, the bounded
 * recipient table (LRU reuse), many threads on one pacer, the JSON config and bad arguments. Time is
 * simulated: every call gets its instant.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "channels/pacing.h"

#define NUM "106540352242922" /* a phone_number_id */

static struct pacing *pacer(int per_second, int burst, int64_t interval_ms, size_t max_recipients)
{
	struct pacing_config c;
	pacing_config_defaults(&c);
	c.number_per_second = per_second;
	c.number_burst = burst;
	c.recipient_interval_ms = interval_ms;
	c.max_recipients = max_recipients;
	struct pacing *p = pacing_new(&c);
	assert_non_null(p);
	return p;
}

/* Sends as fast as the pacer lets one sender go from t = 0 to `until`, each to a new recipient, and
 * records the instants; returns how many went. */
static int drain(struct pacing *p, int64_t until, int64_t *at, int max)
{
	int64_t t = 0, wait;
	int n = 0;
	char who[32];

	while (t < until && n < max) {
		snprintf(who, sizeof who, "49151%08d", n);
		int rc = pacing_acquire(p, NUM, who, t, &wait);
		assert_true(rc == 0 || rc == 1);
		if (rc == 1) {
			assert_int_equal(wait, 0);
			at[n++] = t;
		} else {
			assert_true(wait > 0);
			t += wait;
		}
	}
	return n;
}

static void test_number_rate_80_per_second(void **state)
{
	(void)state;
	struct pacing *p = pacing_new(NULL); /* the defaults: 80/s, burst 1 */
	assert_non_null(p);
	static int64_t at[400];
	int n = drain(p, 3000, at, 400);
	/* 80 in each simulated second: 0, 12.5, 25, ... in whole ms (12, 25, 37, 50, ...) */
	assert_int_equal(n, 240);
	int first_second = 0;
	for (int i = 0; i < n; i++)
		first_second += at[i] < 1000;
	assert_int_equal(first_second, 80);
	assert_int_equal(at[1], 12);
	assert_int_equal(at[2], 25);
	assert_int_equal(at[3], 37);
	assert_int_equal(at[80], 1000);
	/* no span of one second holds more than 80 */
	for (int i = 0; i + 80 < n; i++)
		assert_true(at[i + 80] - at[i] >= 1000);
	pacing_free(p);
}

/* Other rates, burst 1, number pacing only, over ten simulated seconds. */
static void test_number_rates(void **state)
{
	(void)state;
	static int64_t at[10001];
	const int rates[] = {1, 7, 80, 333, 999, 1000};
	for (size_t r = 0; r < sizeof rates / sizeof rates[0]; r++) {
		struct pacing *p = pacer(rates[r], 1, 6000, 16);
		int64_t t = 0, wait;
		int n = 0;
		while (t < 10000) {
			int rc = pacing_acquire(p, NUM, NULL, t, &wait);
			if (rc == 1)
				at[n++] = t;
			else
				t += wait;
		}
		assert_int_equal(n, rates[r] * 10);
		for (int i = 0; i + rates[r] < n; i++)
			assert_true(at[i + rates[r]] - at[i] >= 1000);
		pacing_free(p);
	}
}

static void test_number_burst(void **state)
{
	(void)state;
	struct pacing *p = pacer(80, 10, 6000, 100);
	int64_t wait;
	char who[16];
	for (int i = 0; i < 10; i++) {
		snprintf(who, sizeof who, "r%d", i);
		assert_int_equal(pacing_acquire(p, NUM, who, 0, &wait), 1);
	}
	assert_int_equal(pacing_acquire(p, NUM, "r10", 0, &wait), 0);
	assert_int_equal(wait, 12); /* 1000/80 = 12.5 ms, less the sub-millisecond slack */
	/* the bucket refills to the burst, no further */
	assert_int_equal(pacing_acquire(p, NUM, "r10", 60000, &wait), 1);
	int ok = 0;
	for (int i = 11; i < 30; i++) {
		snprintf(who, sizeof who, "r%d", i);
		ok += pacing_acquire(p, NUM, who, 60000, &wait) == 1;
	}
	assert_int_equal(ok, 9);
	/* another number has its own bucket */
	assert_int_equal(pacing_acquire(p, "2000", "r0", 0, &wait), 1);
	pacing_free(p);
}

static void test_recipient_spacing(void **state)
{
	(void)state;
	struct pacing *p = pacing_new(NULL); /* one message per 6 s per recipient */
	int64_t wait;

	assert_int_equal(pacing_acquire(p, NUM, "4915112345678", 0, &wait), 1);
	assert_int_equal(pacing_acquire(p, NUM, "4915112345678", 100, &wait), 0);
	assert_int_equal(wait, 5900);
	/* waiting took nothing from the number: another recipient goes at once */
	assert_int_equal(pacing_acquire(p, NUM, "4915187654321", 100, &wait), 1);
	assert_int_equal(pacing_acquire(p, NUM, "4915112345678", 5999, &wait), 0);
	assert_int_equal(wait, 1);
	assert_int_equal(pacing_acquire(p, NUM, "4915112345678", 6000, &wait), 1);
	/* the same recipient on another number is another pair */
	assert_int_equal(pacing_acquire(p, "2000", "4915112345678", 6001, &wait), 1);
	/* recipient NULL: number pacing only */
	assert_int_equal(pacing_acquire(p, NUM, NULL, 6100, &wait), 1);
	pacing_free(p);

	/* interval 0 switches pair pacing off */
	p = pacer(1000, 1000, 0, 10);
	for (int i = 0; i < 5; i++)
		assert_int_equal(pacing_acquire(p, NUM, "4915112345678", 0, &wait), 1);
	pacing_free(p);
}

static void test_backoff_growth_and_cap(void **state)
{
	(void)state;
	/* rnd 0: the fixed half; the maximal rnd: the whole delay */
	int64_t prev = 0;
	for (int a = 1; a <= 9; a++) {
		int64_t lo = pacing_backoff_delay(1000, 300000, a, 0);
		int64_t d = 1000LL << (a - 1);
		assert_int_equal(lo, d - d / 2);
		assert_int_equal(pacing_backoff_delay(1000, 300000, a, (uint32_t)(d / 2)), d);
		assert_true(lo > prev);
		prev = lo;
	}
	/* capped at 300 s from attempt 10 on, without overflow for huge attempts */
	assert_int_equal(pacing_backoff_delay(1000, 300000, 10, 0), 150000);
	assert_int_equal(pacing_backoff_delay(1000, 300000, 10, 150000), 300000);
	assert_int_equal(pacing_backoff_delay(1000, 300000, 1000000, 150000), 300000);
	/* jitter from the caller's random value, deterministic */
	assert_int_equal(pacing_backoff_delay(1000, 300000, 1, 123), 623);
	assert_int_equal(pacing_backoff_delay(1000, 300000, 1, 501), 500);
	for (uint32_t r = 0; r < 5000; r += 7) {
		int64_t d = pacing_backoff_delay(1000, 300000, 3, r);
		assert_true(d >= 2000 && d <= 4000);
	}
	/* attempts below 1 count as 1 */
	assert_int_equal(pacing_backoff_delay(1000, 300000, 0, 0), 500);
	assert_int_equal(pacing_backoff_delay(1000, 300000, -3, 0), 500);
}

static void test_backoff_blocks(void **state)
{
	(void)state;
	struct pacing *p = pacing_new(NULL);
	int64_t wait;

	/* 131056 for one pair: base max(1000, 6000) → 3000..6000 ms on attempt 1 */
	assert_int_equal(pacing_backoff(p, NUM, "4915112345678", 0, 1, 0), 3000);
	assert_int_equal(pacing_acquire(p, NUM, "4915112345678", 10, &wait), 0);
	assert_int_equal(wait, 2990);
	assert_int_equal(pacing_acquire(p, NUM, "4915187654321", 10, &wait), 1);
	assert_int_equal(pacing_acquire(p, NUM, "4915112345678", 3000, &wait), 1);
	/* a shorter backoff does not shorten a running block */
	assert_int_equal(pacing_backoff(p, NUM, "4915100000001", 4000, 3, 12000), 24000);
	assert_int_equal(pacing_backoff(p, NUM, "4915100000001", 4000, 1, 0), 3000);
	assert_int_equal(pacing_acquire(p, NUM, "4915100000001", 5000, &wait), 0);
	assert_int_equal(wait, 23000);

	/* 130429 for the number: every recipient waits */
	assert_int_equal(pacing_backoff(p, NUM, NULL, 10000, 2, 1000), 2000);
	assert_int_equal(pacing_acquire(p, NUM, "4915199999999", 10500, &wait), 0);
	assert_int_equal(wait, 1500);
	assert_int_equal(pacing_acquire(p, NUM, NULL, 11999, &wait), 0);
	assert_int_equal(pacing_acquire(p, NUM, "4915199999999", 12000, &wait), 1);
	assert_int_equal(pacing_backoff(p, NULL, NULL, 0, 1, 0), -1);
	pacing_free(p);
}

static void test_lru_bounded(void **state)
{
	(void)state;
	struct pacing *p = pacer(10000, 10000, 6000, 4);
	int64_t wait;
	char who[16];

	for (int i = 0; i < 100; i++) {
		snprintf(who, sizeof who, "r%d", i);
		assert_int_equal(pacing_acquire(p, NUM, who, i, &wait), 1);
		assert_true(pacing_entries(p) <= 1 + 4);
	}
	assert_int_equal(pacing_entries(p), 5);
	/* the last four are remembered */
	for (int i = 96; i < 100; i++) {
		snprintf(who, sizeof who, "r%d", i);
		assert_int_equal(pacing_acquire(p, NUM, who, 200, &wait), 0);
	}
	/* an evicted one is forgotten: it may go again (its bucket starts full) */
	assert_int_equal(pacing_acquire(p, NUM, "r0", 200, &wait), 1);
	/* using an entry keeps it: r0 is now the most recent, r96 the least */
	assert_int_equal(pacing_acquire(p, NUM, "r200", 201, &wait), 1);
	assert_int_equal(pacing_acquire(p, NUM, "r0", 202, &wait), 0);
	assert_int_equal(pacing_acquire(p, NUM, "r96", 203, &wait), 1);
	pacing_free(p);
}

struct worker {
	struct pacing *p;
	int ok;
};

static void *hammer(void *arg)
{
	struct worker *w = arg;
	int64_t wait;
	for (int i = 0; i < 2000; i++)
		w->ok += pacing_acquire(w->p, NUM, NULL, 0, &wait) == 1;
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	/* 8 threads at one instant against a burst of 5000: exactly 5000 go */
	struct pacing *p = pacer(1, 5000, 6000, 16);
	pthread_t th[8];
	struct worker w[8];
	for (int i = 0; i < 8; i++) {
		w[i] = (struct worker){.p = p};
		assert_int_equal(pthread_create(&th[i], NULL, hammer, &w[i]), 0);
	}
	int total = 0;
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		total += w[i].ok;
	}
	assert_int_equal(total, 5000);
	pacing_free(p);
}

static void test_config(void **state)
{
	(void)state;
	struct pacing_config c;
	char msg[200];
	json_error_t e;

	pacing_config_defaults(&c);
	assert_int_equal(c.number_per_second, 80);
	assert_int_equal(c.recipient_interval_ms, 6000);
	json_t *v = json_loads("{\"messages_per_second\":20,\"burst\":5,\"recipient_interval_seconds\":0}", 0, &e);
	assert_int_equal(pacing_config_from_json(v, &c, msg, sizeof msg), 0);
	assert_int_equal(c.number_per_second, 20);
	assert_int_equal(c.number_burst, 5);
	assert_int_equal(c.recipient_interval_ms, 0);
	assert_int_equal(c.recipient_burst, 1);
	json_decref(v);
	assert_int_equal(pacing_config_from_json(NULL, &c, msg, sizeof msg), 0);

	v = json_loads("{\"messages_per_second\":0}", 0, &e);
	assert_int_equal(pacing_config_from_json(v, &c, msg, sizeof msg), -1);
	assert_string_equal(msg, "pacing.messages_per_second must be a whole number from 1 to 1000");
	json_decref(v);
	v = json_loads("{\"burst\":2.5}", 0, &e);
	assert_int_equal(pacing_config_from_json(v, &c, msg, sizeof msg), -1);
	assert_string_equal(msg, "pacing.burst must be a whole number from 1 to 1000");
	json_decref(v);
	v = json_loads("{\"rate\":1}", 0, &e);
	assert_int_equal(pacing_config_from_json(v, &c, msg, sizeof msg), -1);
	assert_string_equal(msg, "pacing: unknown field \"rate\" (messages_per_second, burst, "
				 "recipient_interval_seconds, recipient_burst)");
	json_decref(v);
	assert_int_equal(c.number_per_second, 20); /* unchanged on error */

	/* out-of-range configs make no pacer */
	c.number_per_second = 0;
	assert_null(pacing_new(&c));
	pacing_config_defaults(&c);
	c.backoff_max_ms = c.backoff_base_ms - 1;
	assert_null(pacing_new(&c));
	pacing_config_defaults(&c);
	c.number_per_second = 2500; /* needs a burst of 3 */
	c.number_burst = 2;
	assert_null(pacing_new(&c));
	c.number_burst = 3;
	struct pacing *p = pacing_new(&c);
	assert_non_null(p);
	pacing_free(p);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	struct pacing *p = pacing_new(NULL);
	int64_t wait;
	char longid[PACING_KEY_MAX + 2];
	memset(longid, '7', sizeof longid - 1);
	longid[sizeof longid - 1] = '\0';

	assert_int_equal(pacing_acquire(p, NULL, "x", 0, &wait), -1);
	assert_int_equal(pacing_acquire(p, "", "x", 0, &wait), -1);
	assert_int_equal(pacing_acquire(p, NUM, "", 0, &wait), -1);
	assert_int_equal(pacing_acquire(p, NUM, longid, 0, &wait), -1);
	assert_int_equal(pacing_acquire(p, NUM, "x", 0, NULL), -1);
	assert_int_equal(pacing_acquire(NULL, NUM, "x", 0, &wait), -1);
	longid[PACING_KEY_MAX] = '\0'; /* exactly the maximum is fine */
	assert_int_equal(pacing_acquire(p, longid, longid, 0, &wait), 1);
	/* time going backwards does not mint tokens */
	assert_int_equal(pacing_acquire(p, NUM, "y", 1000, &wait), 1);
	assert_int_equal(pacing_acquire(p, NUM, "z", 10, &wait), 0);
	pacing_free(p);
	pacing_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_number_rate_80_per_second),
		cmocka_unit_test(test_number_rates),
		cmocka_unit_test(test_number_burst),
		cmocka_unit_test(test_recipient_spacing),
		cmocka_unit_test(test_backoff_growth_and_cap),
		cmocka_unit_test(test_backoff_blocks),
		cmocka_unit_test(test_lru_bounded),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_bad_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
