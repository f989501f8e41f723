/*
 * test_router.c — unit tests for src/http/router.c: which route a request path reaches, the parameter
 * values a handler sees, and the 404/405 answers (with their Allow header) a client gets otherwise.
 * Only the public functions of router.h are used.
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

#include "http/router.h"

/* ---- helpers ------------------------------------------------------------------------------------ */

static int h(struct req *r)
{
	(void)r;
	return 0;
}

/* The shapes of the real API (api_ops.c, api_bots.c, api_sources.c, api_chat.c), in two tables. */
static const struct route ops_routes[] = {
	{"GET", "/", h, AUTH_NONE, 0, NULL, false},
	{"GET", "/health", h, AUTH_NONE, 0, NULL, false},
	{"GET", "/metrics", h, AUTH_NONE, 0, NULL, false},
};

static const struct route api_routes[] = {
	{"POST", "/api/v1/bots", h, AUTH_KEY, 0, NULL, false},                               /* 0 */
	{"GET", "/api/v1/bots", h, AUTH_KEY, 0, NULL, false},                                /* 1 */
	{"GET", "/api/v1/bots/{id}", h, AUTH_KEY, 0, NULL, false},                           /* 2 */
	{"PATCH", "/api/v1/bots/{id}", h, AUTH_KEY, 0, NULL, true},                          /* 3 */
	{"DELETE", "/api/v1/bots/{id}", h, AUTH_KEY, 0, NULL, false},                        /* 4 */
	{"PUT", "/api/v1/bots/{id}/status", h, AUTH_KEY, 0, NULL, false},                    /* 5 */
	{"GET", "/api/v1/bots/{id}/sources/{sid}", h, AUTH_KEY, 0, NULL, false},             /* 6 */
	{"DELETE", "/api/v1/bots/{id}/sources/{sid}", h, AUTH_KEY, 0, NULL, false},          /* 7 */
	{"GET", "/api/v1/public/bot/{id}/config", h, AUTH_PUBLIC, 0, NULL, false},           /* 8 */
	{"POST", "/api/v1/public/bot/{id}/chat", h, AUTH_PUBLIC, 0, NULL, false},            /* 9 */
	{"GET", "/a/b/c/d/e/f/g/h/i/j/k/{last}", h, AUTH_NONE, 0, NULL, false},              /* 10: 12 segments */
	{"GET", "/w/{a}/{b}/{c}/{d}", h, AUTH_NONE, 0, NULL, false},                         /* 11: 4 params */
};

#define NOPS (sizeof ops_routes / sizeof ops_routes[0])
#define NAPI (sizeof api_routes / sizeof api_routes[0])
#define API(i) (NOPS + (i)) /* router index of api_routes[i] */

static struct router *R;

static int setup(void **state)
{
	const struct route *const tables[] = {ops_routes, api_routes};
	const size_t counts[] = {NOPS, NAPI};
	char errbuf[128] = "";

	(void)state;
	R = router_new(tables, counts, 2, errbuf, sizeof errbuf);
	if (!R)
		fprintf(stderr, "router_new: %s\n", errbuf);
	return R ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	router_free(R);
	R = NULL;
	return 0;
}

static struct router_match M;

static enum router_result match(const char *method, const char *path)
{
	memset(&M, 0x5a, sizeof M); /* stale garbage must not leak into the answer */
	return router_match(R, method, path, &M);
}

static void assert_found(const char *method, const char *path, size_t index)
{
	assert_int_equal(match(method, path), ROUTER_FOUND);
	assert_int_equal(M.index, index);
	assert_ptr_equal(router_at(R, M.index), router_at(R, index));
}

static void assert_not_found(const char *method, const char *path)
{
	enum router_result r = match(method, path);
	if (r != ROUTER_NOT_FOUND)
		fail_msg("%s %.80s: expected NOT_FOUND, got %d", method, path, (int)r);
}

/* A router over one table; NULL plus the message when router_new refuses it. */
static struct router *build_one(const struct route *rows, size_t n, char *errbuf, size_t errlen)
{
	const struct route *const tables[] = {rows};
	const size_t counts[] = {n};

	errbuf[0] = '\0';
	return router_new(tables, counts, 1, errbuf, errlen);
}

/* Splits an Allow value "A, B, C" and checks it holds exactly `want` (any order, no duplicates). */
static void assert_allow(const char *allow, const char *const *want, size_t nwant)
{
	char copy[sizeof M.allow];
	const char *seen[16];
	size_t n = 0;

	snprintf(copy, sizeof copy, "%s", allow);
	for (char *save = NULL, *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		for (size_t i = 0; i < n; i++)
			if (!strcmp(seen[i], tok))
				fail_msg("Allow \"%s\" lists %s twice", allow, tok);
		assert_true(n < 16);
		seen[n++] = tok;
	}
	if (n != nwant)
		fail_msg("Allow \"%s\": expected %zu methods", allow, nwant);
	for (size_t i = 0; i < nwant; i++) {
		bool found = false;
		for (size_t k = 0; k < n; k++)
			found |= !strcmp(seen[k], want[i]);
		if (!found)
			fail_msg("Allow \"%s\" lacks %s", allow, want[i]);
	}
}

/* ---- literal and parameter matching ------------------------------------------------------------ */

static void test_literal_paths_match_their_route(void **state)
{
	(void)state;
	assert_int_equal(router_count(R), NOPS + NAPI);
	assert_found("GET", "/", 0);
	assert_found("GET", "/health", 1);
	assert_int_equal(M.nparams, 0);
	assert_found("GET", "/metrics", 2);
	assert_found("POST", "/api/v1/bots", API(0));
	assert_found("GET", "/api/v1/bots", API(1));
	assert_ptr_equal(router_at(R, API(1)), &api_routes[1]);
}

static void test_literal_segments_must_match_exactly(void **state)
{
	(void)state;
	assert_not_found("GET", "/Health");
	assert_not_found("GET", "/healthz");
	assert_not_found("GET", "/healt");
	assert_not_found("GET", "/api/v1");
	assert_not_found("GET", "/api/v2/bots");
	assert_not_found("GET", "/api/v1/botsx");
	assert_not_found("GET", "/api/v1/bots/x/unknown");
	assert_not_found("GET", "/health/extra");
}

static void test_params_are_captured_in_order(void **state)
{
	(void)state;
	assert_found("GET", "/api/v1/bots/bot_abc", API(2));
	assert_int_equal(M.nparams, 1);
	assert_string_equal(M.params[0], "bot_abc");

	assert_found("DELETE", "/api/v1/bots/bot_1/sources/src_2", API(7));
	assert_int_equal(M.nparams, 2);
	assert_string_equal(M.params[0], "bot_1");
	assert_string_equal(M.params[1], "src_2");

	assert_found("GET", "/w/1/22/333/4444", API(11));
	assert_int_equal(M.nparams, 4);
	assert_string_equal(M.params[0], "1");
	assert_string_equal(M.params[1], "22");
	assert_string_equal(M.params[2], "333");
	assert_string_equal(M.params[3], "4444");
	/* the values live in the match itself */
	for (int i = 0; i < M.nparams; i++)
		assert_true(M.params[i] >= M.storage && M.params[i] < M.storage + sizeof M.storage);
}

static void test_params_are_percent_decoded(void **state)
{
	(void)state;
	assert_found("GET", "/api/v1/bots/%C3%A4", API(2));
	assert_string_equal(M.params[0], "ä");
	assert_found("GET", "/api/v1/bots/%c3%a4rger", API(2));
	assert_string_equal(M.params[0], "ärger");
	assert_found("GET", "/api/v1/bots/a%20b", API(2));
	assert_string_equal(M.params[0], "a b");
	assert_found("GET", "/api/v1/bots/100%25", API(2));
	assert_string_equal(M.params[0], "100%");
	assert_found("GET", "/api/v1/bots/%2541", API(2)); /* decoded once, not twice */
	assert_string_equal(M.params[0], "%41");
	assert_found("GET", "/api/v1/bots/a+b", API(2)); /* '+' is a plus in a path */
	assert_string_equal(M.params[0], "a+b");
	assert_found("GET", "/api/v1/bots/x/sources/%F0%9F%98%80", API(6));
	assert_string_equal(M.params[0], "x");
	assert_string_equal(M.params[1], "\xF0\x9F\x98\x80");
}

static void test_param_decoding_to_slash_or_nul_is_not_found(void **state)
{
	(void)state;
	assert_not_found("GET", "/api/v1/bots/a%2Fb");
	assert_not_found("GET", "/api/v1/bots/a%2fb");
	assert_not_found("GET", "/api/v1/bots/%2F");
	assert_not_found("GET", "/api/v1/bots/%00");
	assert_not_found("GET", "/api/v1/bots/abc%00def");
	assert_not_found("DELETE", "/api/v1/bots/x/sources/..%2F..%2Fetc");
}

static void test_bad_escapes_are_not_found(void **state)
{
	(void)state;
	assert_not_found("GET", "/api/v1/bots/%");
	assert_not_found("GET", "/api/v1/bots/%4");
	assert_not_found("GET", "/api/v1/bots/abc%");
	assert_not_found("GET", "/api/v1/bots/abc%4");
	assert_not_found("GET", "/api/v1/bots/%G1");
	assert_not_found("GET", "/api/v1/bots/%1G");
	assert_not_found("GET", "/api/v1/bots/%%41");
	assert_not_found("GET", "/api/v1/bots/% 1");
	/* a bad escape in the last parameter of two */
	assert_not_found("GET", "/api/v1/bots/ok/sources/%zz");
	/* the escape does not run into the next segment */
	assert_not_found("PUT", "/api/v1/bots/%4/status");
	assert_not_found("PUT", "/api/v1/bots/%/status");
}

/* ---- path shape --------------------------------------------------------------------------------- */

static void test_empty_segments_are_not_found(void **state)
{
	(void)state;
	assert_not_found("GET", "//");
	assert_not_found("GET", "//health");
	assert_not_found("GET", "/health//");
	assert_not_found("GET", "/api//v1/bots");
	assert_not_found("GET", "/api/v1//bots");
	assert_not_found("GET", "/api/v1/bots//");
	assert_not_found("DELETE", "/api/v1/bots//sources/x");
	assert_not_found("GET", "///");
	/* not a path at all */
	assert_not_found("GET", "");
	assert_not_found("GET", "health");
	assert_not_found("GET", "*");
}

static void test_one_trailing_slash_is_tolerated(void **state)
{
	(void)state;
	assert_found("GET", "/health/", 1);
	assert_found("GET", "/api/v1/bots/", API(1));
	assert_found("GET", "/api/v1/bots/bot_x/", API(2));
	assert_int_equal(M.nparams, 1);
	assert_string_equal(M.params[0], "bot_x"); /* the slash is not part of the value */
	assert_found("PUT", "/api/v1/bots/bot_x/status/", API(5));
	assert_string_equal(M.params[0], "bot_x");
	/* but only one */
	assert_not_found("GET", "/health//");
	assert_not_found("GET", "/api/v1/bots/bot_x//");
}

static void test_too_many_segments_are_not_found(void **state)
{
	char path[2048];

	(void)state;
	/* the deepest route (12 segments) still matches */
	assert_found("GET", "/a/b/c/d/e/f/g/h/i/j/k/v", API(10));
	assert_string_equal(M.params[0], "v");
	assert_found("GET", "/a/b/c/d/e/f/g/h/i/j/k/v/", API(10));
	/* one more segment */
	assert_not_found("GET", "/a/b/c/d/e/f/g/h/i/j/k/v/x");
	/* hundreds of segments */
	path[0] = '\0';
	for (int i = 0; i < 300; i++)
		strcat(path, "/x");
	assert_true(strlen(path) < 1024);
	assert_not_found("GET", path);
	/* hundreds of segments that start like a real route */
	snprintf(path, sizeof path, "/api/v1/bots");
	for (int i = 0; i < 300; i++)
		strcat(path, "/y");
	assert_not_found("GET", path);
}

static void test_very_long_paths_are_not_found(void **state)
{
	size_t n = 200000;
	char *path = malloc(n + 1);
	char *param = malloc(n + 1);

	(void)state;
	assert_non_null(path);
	assert_non_null(param);

	/* a long but reasonable parameter arrives whole */
	memset(param, 'q', 400);
	param[400] = '\0';
	snprintf(path, n + 1, "/api/v1/bots/%s", param);
	assert_found("GET", path, API(2));
	assert_int_equal(strlen(M.params[0]), 400);
	assert_string_equal(M.params[0], param);

	/* a parameter that does not fit the match storage */
	memset(param, 'q', 900);
	param[900] = '\0';
	snprintf(path, n + 1, "/api/v1/bots/%s", param);
	assert_not_found("GET", path);

	/* two parameters that together do not fit */
	memset(param, 'q', 300);
	param[300] = '\0';
	snprintf(path, n + 1, "/api/v1/bots/%s/sources/%s", param, param);
	assert_not_found("GET", path);

	/* a path over the limit, even when it is mostly escapes that would decode short */
	path[0] = '\0';
	strcat(path, "/api/v1/bots/");
	for (int i = 0; i < 400; i++)
		strcat(path, "%41");
	assert_not_found("GET", path);

	/* a huge path */
	path[0] = '/';
	memset(path + 1, 'a', n - 1);
	path[n] = '\0';
	assert_not_found("GET", path);
	path[n / 2] = '\0';
	assert_not_found("GET", path);

	free(path);
	free(param);
}

/* ---- methods ------------------------------------------------------------------------------------ */

static void test_wrong_method_is_405_with_allow_of_the_others(void **state)
{
	(void)state;
	assert_int_equal(match("PUT", "/api/v1/bots/bot_x"), ROUTER_METHOD_NOT_ALLOWED);
	assert_allow(M.allow, (const char *const[]){"GET", "PATCH", "DELETE"}, 3);
	assert_false(M.any_public);

	assert_int_equal(match("DELETE", "/api/v1/bots"), ROUTER_METHOD_NOT_ALLOWED);
	assert_allow(M.allow, (const char *const[]){"POST", "GET"}, 2);

	assert_int_equal(match("POST", "/health"), ROUTER_METHOD_NOT_ALLOWED);
	assert_string_equal(M.allow, "GET");

	assert_int_equal(match("GET", "/api/v1/bots/x/status"), ROUTER_METHOD_NOT_ALLOWED);
	assert_string_equal(M.allow, "PUT");

	/* methods are case-sensitive */
	assert_int_equal(match("get", "/health"), ROUTER_METHOD_NOT_ALLOWED);
	assert_string_equal(M.allow, "GET");

	/* an unknown path is 404, whatever the method */
	assert_not_found("BREW", "/coffee");
	assert_string_equal(M.allow, "");
}

static void test_allow_lists_each_method_once(void **state)
{
	/* several routes of the same shape and method (a literal and a parameter at the same depth) */
	static const struct route rows[] = {
		{"GET", "/things/new", h, AUTH_KEY, 0, NULL, false},
		{"GET", "/things/{id}", h, AUTH_KEY, 0, NULL, false},
		{"POST", "/things/{id}", h, AUTH_KEY, 0, NULL, false},
		{"POST", "/things/{other}", h, AUTH_KEY, 0, NULL, false},
		{"PATCH", "/things/{id}", h, AUTH_KEY, 0, NULL, false},
		{"PUT", "/things/{id}", h, AUTH_KEY, 0, NULL, false},
		{"GET", "/things/{x}", h, AUTH_KEY, 0, NULL, false},
	};
	char errbuf[128];
	struct router *rt = build_one(rows, sizeof rows / sizeof rows[0], errbuf, sizeof errbuf);
	struct router_match m;

	(void)state;
	assert_non_null(rt);
	assert_int_equal(router_match(rt, "DELETE", "/things/new", &m), ROUTER_METHOD_NOT_ALLOWED);
	assert_allow(m.allow, (const char *const[]){"GET", "POST", "PATCH", "PUT"}, 4);
	assert_int_equal(router_match(rt, "DELETE", "/things/7", &m), ROUTER_METHOD_NOT_ALLOWED);
	assert_allow(m.allow, (const char *const[]){"GET", "POST", "PATCH", "PUT"}, 4);
	/* the first row of the right method wins */
	assert_int_equal(router_match(rt, "GET", "/things/new", &m), ROUTER_FOUND);
	assert_int_equal(m.index, 0);
	assert_int_equal(router_match(rt, "GET", "/things/7", &m), ROUTER_FOUND);
	assert_int_equal(m.index, 1);
	router_free(rt);
}

static void test_match_state_is_reset_between_calls(void **state)
{
	(void)state;
	assert_int_equal(match("PUT", "/api/v1/public/bot/x/chat"), ROUTER_METHOD_NOT_ALLOWED);
	assert_true(M.any_public);
	/* reuse the same struct: nothing from the previous answer survives */
	assert_int_equal(router_match(R, "GET", "/health", &M), ROUTER_FOUND);
	assert_string_equal(M.allow, "");
	assert_false(M.any_public);
	assert_int_equal(M.nparams, 0);
	assert_int_equal(router_match(R, "GET", "/api/v1/bots/a%2Fb", &M), ROUTER_NOT_FOUND);
	assert_int_equal(M.nparams, 0);
}

/* ---- public routes (CORS preflight) ------------------------------------------------------------ */

static void test_any_public_is_set_for_public_route_paths(void **state)
{
	(void)state;
	/* a preflight on a public path: 405 (no OPTIONS route), but the server knows it may answer CORS */
	assert_int_equal(match("OPTIONS", "/api/v1/public/bot/bot_x/chat"), ROUTER_METHOD_NOT_ALLOWED);
	assert_true(M.any_public);
	assert_string_equal(M.allow, "POST");
	assert_int_equal(match("OPTIONS", "/api/v1/public/bot/bot_x/config"), ROUTER_METHOD_NOT_ALLOWED);
	assert_true(M.any_public);
	assert_string_equal(M.allow, "GET");

	assert_found("POST", "/api/v1/public/bot/bot_x/chat", API(9));
	assert_true(M.any_public);
	assert_string_equal(M.params[0], "bot_x");

	/* management and operations paths are not public */
	assert_int_equal(match("OPTIONS", "/api/v1/bots/bot_x"), ROUTER_METHOD_NOT_ALLOWED);
	assert_false(M.any_public);
	assert_int_equal(match("OPTIONS", "/health"), ROUTER_METHOD_NOT_ALLOWED);
	assert_false(M.any_public);
	/* nor is an unknown path under the public prefix */
	assert_not_found("OPTIONS", "/api/v1/public/bot/bot_x/unknown");
	assert_false(M.any_public);
	assert_not_found("OPTIONS", "/api/v1/public/bot/a%2Fb/chat/x");
	assert_false(M.any_public);
}

/* ---- building the router ------------------------------------------------------------------------- */

static void test_malformed_patterns_are_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"health",
		"//health",
		"/api//bots",
		"/api/bots/",
		"/api/{id",
		"/api/{",
		"/a/b/c/d/e/f/g/h/i/j/k/l/m", /* 13 segments */
	};
	char errbuf[128];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct route row = {"GET", bad[i], h, AUTH_NONE, 0, NULL, false};
		struct router *rt = build_one(&row, 1, errbuf, sizeof errbuf);
		if (rt) {
			router_free(rt);
			fail_msg("pattern \"%s\" was accepted", bad[i]);
		}
		/* the message names the pattern */
		assert_non_null(strstr(errbuf, "malformed"));
		if (*bad[i])
			assert_non_null(strstr(errbuf, bad[i]));
	}
	/* one bad row among good ones spoils the table */
	const struct route rows[] = {
		{"GET", "/ok", h, AUTH_NONE, 0, NULL, false},
		{"GET", "/bad/", h, AUTH_NONE, 0, NULL, false},
	};
	assert_null(build_one(rows, 2, errbuf, sizeof errbuf));
	assert_non_null(strstr(errbuf, "/bad/"));
}

static void test_pattern_with_more_params_than_a_match_holds_is_refused(void **state)
{
	/* ROUTE_MAX_PARAMS is 4: a fifth parameter could never be handed to the handler, so the route
	 * could never be reached. The router must refuse the table instead of building a dead route. */
	static const struct route rows[] = {
		{"GET", "/v/{a}/{b}/{c}/{d}/{e}", h, AUTH_NONE, 0, NULL, false},
	};
	char errbuf[128];
	struct router *rt = build_one(rows, 1, errbuf, sizeof errbuf);

	(void)state;
	if (rt) {
		struct router_match m;
		enum router_result r = router_match(rt, "GET", "/v/1/2/3/4/5", &m);
		router_free(rt);
		fail_msg("router_new accepted a pattern with 5 parameters (max %d); GET /v/1/2/3/4/5 then gives %s",
			 ROUTE_MAX_PARAMS, r == ROUTER_FOUND ? "FOUND" : r == ROUTER_NOT_FOUND ? "NOT_FOUND" : "405");
	}
	assert_non_null(strstr(errbuf, "/v/{a}/{b}/{c}/{d}/{e}"));
}

static void test_empty_router_finds_nothing(void **state)
{
	char errbuf[64];
	struct router *rt = router_new(NULL, NULL, 0, errbuf, sizeof errbuf);
	struct router_match m;

	(void)state;
	assert_non_null(rt);
	assert_int_equal(router_count(rt), 0);
	assert_int_equal(router_match(rt, "GET", "/", &m), ROUTER_NOT_FOUND);
	assert_int_equal(router_match(rt, "GET", "/health", &m), ROUTER_NOT_FOUND);
	router_free(rt);
	router_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal_paths_match_their_route),
		cmocka_unit_test(test_literal_segments_must_match_exactly),
		cmocka_unit_test(test_params_are_captured_in_order),
		cmocka_unit_test(test_params_are_percent_decoded),
		cmocka_unit_test(test_param_decoding_to_slash_or_nul_is_not_found),
		cmocka_unit_test(test_bad_escapes_are_not_found),
		cmocka_unit_test(test_empty_segments_are_not_found),
		cmocka_unit_test(test_one_trailing_slash_is_tolerated),
		cmocka_unit_test(test_too_many_segments_are_not_found),
		cmocka_unit_test(test_very_long_paths_are_not_found),
		cmocka_unit_test(test_wrong_method_is_405_with_allow_of_the_others),
		cmocka_unit_test(test_allow_lists_each_method_once),
		cmocka_unit_test(test_match_state_is_reset_between_calls),
		cmocka_unit_test(test_any_public_is_set_for_public_route_paths),
		cmocka_unit_test(test_malformed_patterns_are_refused),
		cmocka_unit_test(test_pattern_with_more_params_than_a_match_holds_is_refused),
		cmocka_unit_test(test_empty_router_finds_nothing),
	};

	return cmocka_run_group_tests_name("router", tests, setup, teardown);
}
