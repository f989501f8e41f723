/*
 * test_metrics.c — unit tests for src/http/metrics.c: the Prometheus text a scraper reads from /metrics
 * (request counters with route/method/status labels, cumulative latency histograms, database operation
 * histograms, the bucket for unmatched requests), also under concurrent updates. Only public functions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/metrics.h"

/* ---- helpers ------------------------------------------------------------------------------------ */

static const char *const patterns[] = {"/health", "/api/v1/bots/{id}", "/api/v1/public/bot/{id}/chat"};
static const char *const methods[] = {"GET", "PATCH", "POST"};
#define NROUTES 3

static struct metrics *M;
static char *TEXT;

static int setup(void **state)
{
	(void)state;
	M = metrics_new(NROUTES, patterns, methods);
	TEXT = NULL;
	return M ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	metrics_free(M);
	free(TEXT);
	M = NULL;
	TEXT = NULL;
	return 0;
}

static const char *render(void)
{
	free(TEXT);
	TEXT = metrics_render(M);
	assert_non_null(TEXT);
	return TEXT;
}

/* The value of the sample whose name-and-labels part is exactly `series`; fails when absent or twice. */
static double sample(const char *text, const char *series)
{
	size_t n = strlen(series);
	const char *hit = NULL;

	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		if (len > n && !strncmp(line, series, n) && line[n] == ' ') {
			if (hit)
				fail_msg("series %s appears twice", series);
			hit = line + n + 1;
		}
		line += len + (nl ? 1 : 0);
	}
	if (!hit)
		fail_msg("series %s is missing from:\n%s", series, text);
	return strtod(hit, NULL);
}

static bool has_series(const char *text, const char *prefix)
{
	return strstr(text, prefix) != NULL;
}

/* Every line is a comment or "name{labels} value"; every sample name was declared with # TYPE first. */
static void assert_exposition_format(const char *text)
{
	char declared[8][96];
	int ndecl = 0;

	assert_true(strlen(text) > 0);
	assert_int_equal(text[strlen(text) - 1], '\n');
	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		assert_non_null(nl);
		size_t len = (size_t)(nl - line);
		char buf[512];
		assert_true(len < sizeof buf);
		memcpy(buf, line, len);
		buf[len] = '\0';
		if (!strncmp(buf, "# TYPE ", 7)) {
			assert_true(ndecl < 8);
			sscanf(buf + 7, "%95s", declared[ndecl++]);
		} else if (buf[0] != '#') {
			char *brace = strchr(buf, '{'), *close = strrchr(buf, '}');
			if (!brace || !close || close < brace || close[1] != ' ')
				fail_msg("malformed sample line: %s", buf);
			char *end;
			strtod(close + 2, &end);
			if (*end)
				fail_msg("bad value in: %s", buf);
			bool ok = false;
			for (int d = 0; d < ndecl; d++) {
				size_t dl = strlen(declared[d]);
				ok |= !strncmp(buf, declared[d], dl) &&
				      (buf[dl] == '{' || !strncmp(buf + dl, "_bucket{", 8) || !strncmp(buf + dl, "_sum{", 5) ||
				       !strncmp(buf + dl, "_count{", 7));
			}
			if (!ok)
				fail_msg("sample without # TYPE: %s", buf);
		}
		line = nl + 1;
	}
}

/* Checks one histogram series: buckets non-decreasing in `le` order, the last is +Inf and equals
 * _count, which is `count`; returns the value of the bucket with upper bound `le_probe`. */
static double check_histogram(const char *text, const char *name, const char *labels, double count,
			      const char *le_probe)
{
	char prefix[256], series[256];
	double prev = 0, probe = -1, last = -1, prev_le = -1;
	int nb = 0;
	bool saw_inf = false;

	snprintf(prefix, sizeof prefix, "%s_bucket{%s,le=\"", name, labels);
	for (const char *p = strstr(text, prefix); p; p = strstr(p + 1, prefix)) {
		const char *le = p + strlen(prefix);
		const char *q = strchr(le, '"');
		assert_non_null(q);
		assert_false(saw_inf); /* +Inf comes last */
		double v = strtod(q + 3, NULL); /* `"} ` */
		if (v < prev)
			fail_msg("%s{%s}: bucket le=%.*s (%g) below the previous (%g)", name, labels, (int)(q - le), le, v,
				 prev);
		if (!strncmp(le, "+Inf\"", 5)) {
			saw_inf = true;
		} else {
			double bound = strtod(le, NULL);
			assert_true(bound > prev_le);
			prev_le = bound;
		}
		if (le_probe && (size_t)(q - le) == strlen(le_probe) && !strncmp(le, le_probe, (size_t)(q - le)))
			probe = v;
		prev = last = v;
		nb++;
	}
	if (!saw_inf)
		fail_msg("%s{%s}: no +Inf bucket", name, labels);
	assert_true(nb >= 2);
	snprintf(series, sizeof series, "%s_count{%s}", name, labels);
	assert_true(sample(text, series) == last);
	assert_true(last == count);
	snprintf(series, sizeof series, "%s_sum{%s}", name, labels);
	(void)sample(text, series);
	return probe;
}

#define REQ "botwerk_http_requests_total"
#define DUR "botwerk_http_request_duration_seconds"
#define DB "botwerk_db_query_duration_seconds"

/* ---- tests -------------------------------------------------------------------------------------- */

static void test_fresh_metrics_declare_their_families(void **state)
{
	const char *t;

	(void)state;
	t = render();
	assert_exposition_format(t);
	assert_true(has_series(t, "# TYPE " REQ " counter\n"));
	assert_true(has_series(t, "# TYPE " DUR " histogram\n"));
	assert_true(has_series(t, "# TYPE " DB " histogram\n"));
	assert_true(has_series(t, "# HELP " REQ " "));
	/* nothing counted yet: no samples */
	assert_false(has_series(t, REQ "{"));
	assert_false(has_series(t, DUR "_bucket{"));
}

static void test_requests_are_counted_by_route_method_and_status(void **state)
{
	const char *t;

	(void)state;
	for (int i = 0; i < 3; i++)
		metrics_request(M, 0, 200, 0.0001);
	metrics_request(M, 1, 200, 0.002);
	metrics_request(M, 1, 404, 0.002);
	metrics_request(M, 1, 422, 0.002);
	metrics_request(M, 1, 422, 0.002);
	metrics_request(M, 2, 429, 0.0001);
	metrics_request(M, 2, 503, 0.0001);
	metrics_request(M, 2, 418, 0.0001); /* not in the table */
	metrics_request(M, 2, 599, 0.0001);
	t = render();
	assert_exposition_format(t);
	assert_true(sample(t, REQ "{route=\"/health\",method=\"GET\",status=\"200\"}") == 3);
	assert_true(sample(t, REQ "{route=\"/api/v1/bots/{id}\",method=\"PATCH\",status=\"200\"}") == 1);
	assert_true(sample(t, REQ "{route=\"/api/v1/bots/{id}\",method=\"PATCH\",status=\"404\"}") == 1);
	assert_true(sample(t, REQ "{route=\"/api/v1/bots/{id}\",method=\"PATCH\",status=\"422\"}") == 2);
	assert_true(sample(t, REQ "{route=\"/api/v1/public/bot/{id}/chat\",method=\"POST\",status=\"429\"}") == 1);
	assert_true(sample(t, REQ "{route=\"/api/v1/public/bot/{id}/chat\",method=\"POST\",status=\"503\"}") == 1);
	assert_true(sample(t, REQ "{route=\"/api/v1/public/bot/{id}/chat\",method=\"POST\",status=\"other\"}") == 2);
	/* statuses never seen do not appear */
	assert_false(has_series(t, REQ "{route=\"/health\",method=\"GET\",status=\"500\"}"));
	/* the duration histogram per route counts every request */
	check_histogram(t, DUR, "route=\"/health\",method=\"GET\"", 3, NULL);
	check_histogram(t, DUR, "route=\"/api/v1/bots/{id}\",method=\"PATCH\"", 4, NULL);
	check_histogram(t, DUR, "route=\"/api/v1/public/bot/{id}/chat\",method=\"POST\"", 4, NULL);
}

static void test_unmatched_requests_have_their_own_bucket(void **state)
{
	const char *t;

	(void)state;
	metrics_request(M, NROUTES, 404, 0.0002);
	metrics_request(M, NROUTES, 405, 0.0002);
	metrics_request(M, 999999, 404, 0.0002); /* any index past the table */
	metrics_request(M, (size_t)-1, 404, 0.0002);
	t = render();
	assert_exposition_format(t);
	assert_true(sample(t, REQ "{route=\"unmatched\",method=\"any\",status=\"404\"}") == 3);
	assert_true(sample(t, REQ "{route=\"unmatched\",method=\"any\",status=\"405\"}") == 1);
	check_histogram(t, DUR, "route=\"unmatched\",method=\"any\"", 4, NULL);
	/* the real routes are untouched */
	assert_false(has_series(t, REQ "{route=\"/health\""));
}

static void test_histogram_buckets_are_cumulative_and_end_with_inf(void **state)
{
	static const double obs[] = {0.0001, 0.0005, 0.001, 0.003, 0.2, 0.25, 3, 10, 100, 86400};
	const char *t;
	double sum = 0;

	(void)state;
	for (size_t i = 0; i < sizeof obs / sizeof obs[0]; i++) {
		metrics_request(M, 0, 200, obs[i]);
		sum += obs[i];
	}
	t = render();
	assert_exposition_format(t);
	const char *L = "route=\"/health\",method=\"GET\"";
	/* le is "less than or equal": a value on a bound is in that bucket */
	assert_true(check_histogram(t, DUR, L, 10, "0.0005") == 2);
	assert_true(check_histogram(t, DUR, L, 10, "0.001") == 3);
	assert_true(check_histogram(t, DUR, L, 10, "0.0025") == 3);
	assert_true(check_histogram(t, DUR, L, 10, "0.005") == 4);
	assert_true(check_histogram(t, DUR, L, 10, "0.25") == 6);
	assert_true(check_histogram(t, DUR, L, 10, "2.5") == 6);
	assert_true(check_histogram(t, DUR, L, 10, "5") == 7);
	assert_true(check_histogram(t, DUR, L, 10, "10") == 8);
	/* slower than the last bound: only in +Inf */
	assert_true(check_histogram(t, DUR, L, 10, "+Inf") == 10);
	double s = sample(t, DUR "_sum{route=\"/health\",method=\"GET\"}");
	assert_true(s > sum - 1e-6 && s < sum + 1e-6);
}

static void test_db_operations_get_a_histogram_each(void **state)
{
	static const char op_get[] = "bot_get";
	static const char op_list[] = "source_list";
	const char *t;

	(void)state;
	metrics_db(M, op_get, 0.0004);
	metrics_db(M, op_get, 0.02);
	metrics_db(M, op_list, 1.5);
	t = render();
	assert_exposition_format(t);
	assert_true(check_histogram(t, DB, "op=\"bot_get\"", 2, "0.0005") == 1);
	assert_true(check_histogram(t, DB, "op=\"bot_get\"", 2, "0.025") == 2);
	assert_true(check_histogram(t, DB, "op=\"source_list\"", 1, "1") == 0);
	assert_true(check_histogram(t, DB, "op=\"source_list\"", 1, "2.5") == 1);
	/* db operations do not count as requests */
	assert_false(has_series(t, REQ "{"));
}

static void test_many_db_operation_names_do_not_break_rendering(void **state)
{
	static char names[100][16];
	const char *t;
	int shown = 0;

	(void)state;
	for (int i = 0; i < 100; i++) {
		snprintf(names[i], sizeof names[i], "op_%03d", i);
		metrics_db(M, names[i], 0.001);
		metrics_db(M, names[i], 0.001);
	}
	t = render();
	assert_exposition_format(t);
	for (int i = 0; i < 100; i++) {
		char labels[64];
		snprintf(labels, sizeof labels, "op=\"%.15s\"", names[i]);
		if (strstr(t, labels)) {
			check_histogram(t, DB, labels, 2, NULL);
			shown++;
		}
	}
	/* the first ones are kept whole; the table has a bound */
	assert_true(shown >= 16);
	assert_true(shown <= 100);
	assert_true(strstr(t, "op=\"op_000\"") != NULL);
}

struct worker {
	int id;
	int n;
};

static const char *const thread_ops[] = {"chat_insert", "message_insert", "bot_get", "fts_search"};

static void *hammer(void *arg)
{
	const struct worker *w = arg;

	for (int i = 0; i < w->n; i++) {
		metrics_request(M, (size_t)(i % (NROUTES + 1)), (i / (NROUTES + 1)) % 2 ? 200 : 500, 0.001 * (i % 50));
		metrics_db(M, thread_ops[(i + w->id) % 4], 0.0001 * (i % 30));
	}
	return NULL;
}

static void test_concurrent_updates_are_all_counted(void **state)
{
	enum { THREADS = 4, N = 40000 };
	pthread_t th[THREADS];
	struct worker w[THREADS];
	const char *t;

	(void)state;
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){.id = i, .n = N};
		assert_int_equal(pthread_create(&th[i], NULL, hammer, &w[i]), 0);
	}
	/* scrapes while the counters move stay well-formed */
	for (int i = 0; i < 20; i++) {
		char *mid = metrics_render(M);
		assert_non_null(mid);
		free(mid);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	t = render();
	assert_exposition_format(t);
	double total = 0;
	for (int r = 0; r <= NROUTES; r++) {
		char labels[128];
		snprintf(labels, sizeof labels, "route=\"%s\",method=\"%s\"", r < NROUTES ? patterns[r] : "unmatched",
			 r < NROUTES ? methods[r] : "any");
		check_histogram(t, DUR, labels, THREADS * N / (NROUTES + 1), NULL);
		char series[192];
		snprintf(series, sizeof series, REQ "{%s,status=\"200\"}", labels);
		total += sample(t, series);
		snprintf(series, sizeof series, REQ "{%s,status=\"500\"}", labels);
		total += sample(t, series);
	}
	assert_true(total == THREADS * N);
	for (int k = 0; k < 4; k++) {
		char labels[64];
		snprintf(labels, sizeof labels, "op=\"%s\"", thread_ops[k]);
		check_histogram(t, DB, labels, THREADS * N / 4, NULL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fresh_metrics_declare_their_families, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requests_are_counted_by_route_method_and_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmatched_requests_have_their_own_bucket, setup, teardown),
		cmocka_unit_test_setup_teardown(test_histogram_buckets_are_cumulative_and_end_with_inf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db_operations_get_a_histogram_each, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_db_operation_names_do_not_break_rendering, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_updates_are_all_counted, setup, teardown),
	};

	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
