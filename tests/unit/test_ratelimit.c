/*
 * test_ratelimit.c — unit tests for src/http/ratelimit.c: when a public API client gets 429, the
 * Retry-After it is told, and that the table stays sound under floods of addresses. Time is passed in,
 * so every test is exact and instant. Only public functions are used.
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

#include "http/ratelimit.h"

/* ---- helpers ------------------------------------------------------------------------------------ */

/* How many of `n` requests from `addr` at time `t` are allowed; the last refusal's retry in *retry. */
static int burst(struct ratelimit *rl, const char *addr, double t, int n, int *retry)
{
	int ok = 0;

	for (int i = 0; i < n; i++) {
		int r = -1;
		if (ratelimit_take(rl, addr, t, &r))
			ok++;
		else if (retry)
			*retry = r;
	}
	return ok;
}

static void fmt_addr(char *out, size_t cap, unsigned i)
{
	snprintf(out, cap, "10.%u.%u.%u", (i >> 16) & 255, (i >> 8) & 255, i & 255);
}

/* ---- tests -------------------------------------------------------------------------------------- */

static void test_zero_per_minute_never_limits(void **state)
{
	struct ratelimit *rl = ratelimit_new(0);
	int retry = 12345;

	(void)state;
	assert_non_null(rl);
	for (int i = 0; i < 100000; i++)
		assert_true(ratelimit_take(rl, "203.0.113.7", 0.0, &retry));
	assert_int_equal(retry, 12345); /* untouched */
	assert_true(ratelimit_take(rl, "203.0.113.7", 0.0, NULL));
	ratelimit_free(rl);
	ratelimit_free(NULL);
}

static void test_capacity_allows_n_then_refuses(void **state)
{
	static const long caps[] = {1, 2, 5, 60, 300, 1000};

	(void)state;
	for (size_t k = 0; k < sizeof caps / sizeof caps[0]; k++) {
		struct ratelimit *rl = ratelimit_new(caps[k]);
		int retry = 0;
		assert_non_null(rl);
		assert_int_equal(burst(rl, "198.51.100.1", 100.0, (int)caps[k], NULL), caps[k]);
		assert_false(ratelimit_take(rl, "198.51.100.1", 100.0, &retry));
		assert_true(retry >= 1);
		assert_false(ratelimit_take(rl, "198.51.100.1", 100.0, NULL)); /* retry is optional */
		ratelimit_free(rl);
	}
}

static void test_retry_after_says_when_the_next_token_is_due(void **state)
{
	static const long caps[] = {1, 2, 5, 7, 60, 61, 300, 100000};

	(void)state;
	for (size_t k = 0; k < sizeof caps / sizeof caps[0]; k++) {
		struct ratelimit *rl = ratelimit_new(caps[k]);
		int retry = 0;
		double t = 50.0;
		assert_non_null(rl);
		burst(rl, "a", t, (int)caps[k], NULL);
		assert_false(ratelimit_take(rl, "a", t, &retry));
		/* whole seconds, at least 1, and exactly when a token has grown back */
		int want = (int)((60 + caps[k] - 1) / caps[k]);
		assert_int_equal(retry, want < 1 ? 1 : want);
		/* one moment earlier is too early; at retry it is allowed */
		if (retry > 1)
			assert_false(ratelimit_take(rl, "a", t + retry - 1, NULL));
		assert_true(ratelimit_take(rl, "a", t + retry, NULL));
		ratelimit_free(rl);
	}
}

static void test_tokens_refill_over_time(void **state)
{
	struct ratelimit *rl = ratelimit_new(60); /* one a second */
	int retry = 0;

	(void)state;
	assert_non_null(rl);
	assert_int_equal(burst(rl, "a", 1000.0, 100, NULL), 60);
	/* half a second gives half a token: still refused, come back in a second */
	assert_false(ratelimit_take(rl, "a", 1000.5, &retry));
	assert_int_equal(retry, 1);
	/* a second after the start: one */
	assert_true(ratelimit_take(rl, "a", 1001.0, NULL));
	assert_false(ratelimit_take(rl, "a", 1001.0, NULL));
	/* ten seconds: ten */
	assert_int_equal(burst(rl, "a", 1011.0, 100, NULL), 10);
	/* a long pause refills to capacity, not beyond */
	assert_int_equal(burst(rl, "a", 5000.0, 1000, NULL), 60);
	/* steady traffic at the rate is never refused */
	for (int i = 1; i <= 600; i++)
		assert_true(ratelimit_take(rl, "a", 5000.0 + i, NULL));

	ratelimit_free(rl);

	/* a slow rate: 2 a minute, a token every 30 s */
	rl = ratelimit_new(2);
	assert_non_null(rl);
	assert_int_equal(burst(rl, "b", 0.0, 5, &retry), 2);
	assert_int_equal(retry, 30);
	assert_false(ratelimit_take(rl, "b", 29.0, &retry));
	assert_int_equal(retry, 1);
	assert_true(ratelimit_take(rl, "b", 30.0, NULL));
	ratelimit_free(rl);
}

static void test_addresses_have_separate_buckets(void **state)
{
	struct ratelimit *rl = ratelimit_new(3);

	(void)state;
	assert_non_null(rl);
	assert_int_equal(burst(rl, "192.0.2.1", 0.0, 10, NULL), 3);
	assert_int_equal(burst(rl, "192.0.2.2", 0.0, 10, NULL), 3);
	assert_int_equal(burst(rl, "192.0.2.10", 0.0, 10, NULL), 3);
	assert_int_equal(burst(rl, "2001:db8::1", 0.0, 10, NULL), 3);
	assert_int_equal(burst(rl, "2001:db8::2", 0.0, 10, NULL), 3);
	/* the longest textual IPv6 address (45 characters) and one differing only in its last character */
	assert_int_equal(burst(rl, "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", 0.0, 10, NULL), 3);
	assert_int_equal(burst(rl, "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.254", 0.0, 10, NULL), 3);
	/* all still empty */
	assert_false(ratelimit_take(rl, "192.0.2.1", 1.0, NULL));
	assert_false(ratelimit_take(rl, "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", 1.0, NULL));
	ratelimit_free(rl);
}

static void test_many_addresses_stay_bounded_and_each_gets_its_burst(void **state)
{
	enum { N = 100000 };
	struct ratelimit *rl = ratelimit_new(5);
	char addr[32];

	(void)state;
	assert_non_null(rl);
	/* 100k distinct clients, one request each, over 100 s: each is a newcomer with a full bucket */
	for (unsigned i = 0; i < N; i++) {
		fmt_addr(addr, sizeof addr, i);
		if (!ratelimit_take(rl, addr, i * 0.001, NULL))
			fail_msg("first request of %s refused", addr);
	}
	/* a recent client still has its own bucket: 4 more, then refused */
	fmt_addr(addr, sizeof addr, N - 1);
	assert_int_equal(burst(rl, addr, 100.0, 10, NULL), 4);
	/* and after a refill, normal service */
	assert_int_equal(burst(rl, addr, 200.0, 10, NULL), 5);
	ratelimit_free(rl);
}

static void test_hot_address_is_limited_during_a_flood(void **state)
{
	enum { N = 100000, EVERY = 10 };
	const long per_minute = 60;
	struct ratelimit *rl = ratelimit_new(per_minute);
	char addr[32];
	int hot_ok = 0, hot_tries = 0;
	double t = 0.0;

	(void)state;
	assert_non_null(rl);
	/* 100k distinct addresses over 100 s; the hot address asks every 10th request (100 a second) */
	for (unsigned i = 0; i < N; i++) {
		t = i * 0.001;
		fmt_addr(addr, sizeof addr, i);
		ratelimit_take(rl, addr, t, NULL);
		if (i % EVERY == 0) {
			hot_tries++;
			hot_ok += ratelimit_take(rl, "198.51.100.77", t, NULL);
		}
	}
	/* it may have its burst plus one a second, not more */
	int allowed = (int)per_minute + (int)(t * per_minute / 60.0) + 1;
	if (hot_ok > allowed)
		fail_msg("hot address got %d of %d requests during the flood, at most %d allowed", hot_ok, hot_tries,
			 allowed);
	assert_true(hot_ok >= (int)per_minute);
	/* and right after, it is still limited */
	assert_false(ratelimit_take(rl, "198.51.100.77", t, NULL));
	ratelimit_free(rl);
}

static void test_flood_from_one_address_is_limited(void **state)
{
	struct ratelimit *rl = ratelimit_new(300);
	int ok = 0;

	(void)state;
	assert_non_null(rl);
	/* a million requests in 10 s from one client: 300 + 10 s × 5/s */
	for (int i = 0; i < 1000000; i++)
		ok += ratelimit_take(rl, "203.0.113.9", i * 0.00001, NULL);
	assert_in_range(ok, 349, 351);
	ratelimit_free(rl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_per_minute_never_limits),
		cmocka_unit_test(test_capacity_allows_n_then_refuses),
		cmocka_unit_test(test_retry_after_says_when_the_next_token_is_due),
		cmocka_unit_test(test_tokens_refill_over_time),
		cmocka_unit_test(test_addresses_have_separate_buckets),
		cmocka_unit_test(test_many_addresses_stay_bounded_and_each_gets_its_burst),
		cmocka_unit_test(test_hot_address_is_limited_during_a_flood),
		cmocka_unit_test(test_flood_from_one_address_is_limited),
	};

	return cmocka_run_group_tests_name("ratelimit", tests, NULL, NULL);
}
