/*
 * test_embed.c — unit tests for src/llm/embed.c: the embeddings request body and the response reader
 * (api-contracts §6.4): float and base64 forms, items matched by index, every malformed shape we could
 * think of, the caps, error bodies (read by the caller with llm_error_parse) and cut-off bodies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm/embed.h"
#include "llm/stream.h"

/* ---- helpers ------------------------------------------------------------------------------------ */

static char *dump(const json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

	assert_non_null(s);
	return s;
}

/* Parses the NUL-terminated body; returns the result code, the message in err. */
static int parse(const char *body, int n, struct embed_result *r, char *err, size_t errlen)
{
	return embed_parse_response(body, strlen(body), n, r, err, errlen);
}

/* Expects the body to fail with rc and a message containing `want`, leaving the result empty. */
static void expect_fail(const char *body, int n, int rc, const char *want)
{
	struct embed_result r;
	char err[256];

	assert_int_equal(parse(body, n, &r, err, sizeof err), rc);
	if (!strstr(err, want))
		fail_msg("message \"%s\" lacks \"%s\" (body %.80s)", err, want, body);
	assert_null(r.vectors);
	assert_null(r.model);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.dim, 0);
	assert_int_equal(r.prompt_tokens, -1);
}

/* base64 (standard alphabet; padded or not) of v[0..n) as little-endian float32; caller frees. */
static char *b64_floats(const float *v, int n, bool padded)
{
	unsigned char *bin = malloc(4 * (size_t)n + 1);
	int variant = padded ? sodium_base64_VARIANT_ORIGINAL : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
	size_t cap = sodium_base64_encoded_len(4 * (size_t)n, variant);
	char *s = malloc(cap);

	assert_non_null(bin);
	assert_non_null(s);
	for (int i = 0; i < n; i++) {
		uint32_t u;

		memcpy(&u, &v[i], 4);
		for (int b = 0; b < 4; b++)
			bin[4 * i + b] = (unsigned char)(u >> (8 * b));
	}
	assert_non_null(sodium_bin2base64(s, cap, bin, 4 * (size_t)n, variant));
	free(bin);
	return s;
}

/* The contract's shape, two items of dimension 3, in reverse order. */
static const char FLOAT_BODY[] =
	"{\"object\":\"list\",\"data\":["
	"{\"object\":\"embedding\",\"index\":1,\"embedding\":[-0.5,0,1e-3]},"
	"{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.01,0.25,-3]}],"
	"\"model\":\"nomic-embed-text\",\"usage\":{\"prompt_tokens\":5,\"total_tokens\":5}}";

/* ---- request ------------------------------------------------------------------------------------ */

static void test_request_body(void **state)
{
	const char *const two[] = {"Öffnungszeiten?", "Preise"};
	const char *const bad[] = {"ok", NULL};
	const char *const invalid[] = {"\xC3\x28"};
	json_t *j;
	char *s;

	(void)state;
	j = embed_request_body("bge-m3", two, 2, false);
	s = dump(j);
	assert_string_equal(s, "{\"encoding_format\":\"float\",\"input\":[\"\xC3\x96" "ffnungszeiten?\",\"Preise\"],"
			       "\"model\":\"bge-m3\"}");
	free(s);
	json_decref(j);
	/* One text is still an array; no model, no key. */
	j = embed_request_body(NULL, two + 1, 1, true);
	s = dump(j);
	assert_string_equal(s, "{\"encoding_format\":\"base64\",\"input\":[\"Preise\"]}");
	free(s);
	json_decref(j);
	assert_null(embed_request_body("m", two, 0, false));
	assert_null(embed_request_body("m", two, EMBED_MAX_INPUTS + 1, false));
	assert_null(embed_request_body("m", NULL, 1, false));
	assert_null(embed_request_body("m", bad, 2, false));
	assert_null(embed_request_body("m", invalid, 1, false));
	assert_null(embed_request_body("\xff", two, 1, false));
}

/* ---- good responses ----------------------------------------------------------------------------- */

static void test_float_form_by_index(void **state)
{
	struct embed_result r;
	char err[128] = "x";

	(void)state;
	assert_int_equal(parse(FLOAT_BODY, 2, &r, err, sizeof err), EMBED_OK);
	assert_string_equal(err, "");
	assert_int_equal(r.n, 2);
	assert_int_equal(r.dim, 3);
	assert_float_equal(r.vectors[0], 0.01f, 0);
	assert_float_equal(r.vectors[1], 0.25f, 0);
	assert_float_equal(r.vectors[2], -3.0f, 0);
	assert_float_equal(r.vectors[3], -0.5f, 0);
	assert_float_equal(r.vectors[4], 0.0f, 0);
	assert_float_equal(r.vectors[5], 1e-3f, 0);
	assert_string_equal(r.model, "nomic-embed-text");
	assert_int_equal(r.prompt_tokens, 5);
	embed_result_clear(&r);
	assert_null(r.vectors);
	assert_null(r.model);
	embed_result_clear(&r);
	embed_result_clear(NULL);
}

/* Three items in the order 2, 0, 1; padded and unpadded base64; exact float bits come back. */
static void test_base64_form(void **state)
{
	const float v[3][4] = {{1.0f, -2.5f, 0.1f, 3.4e38f}, {-0.0f, 1e-40f, 7.0f, -1.0f}, {0.5f, 0.25f, 0.125f, 2.0f}};
	char *b[3], *body;
	struct embed_result r;
	char err[128];

	(void)state;
	for (int i = 0; i < 3; i++)
		b[i] = b64_floats(v[i], 4, i != 1);
	assert_int_equal(asprintf(&body,
				  "{\"data\":[{\"index\":2,\"embedding\":\"%s\"},{\"index\":0,\"embedding\":\"%s\"},"
				  "{\"index\":1,\"embedding\":\"%s\"}],\"model\":\"m\",\"usage\":{\"prompt_tokens\":-2}}",
				  b[2], b[0], b[1]) > 0,
			 1);
	assert_int_equal(parse(body, 3, &r, err, sizeof err), EMBED_OK);
	assert_int_equal(r.dim, 4);
	assert_memory_equal(r.vectors, v, sizeof v);
	assert_int_equal(r.prompt_tokens, -1);
	embed_result_clear(&r);
	free(body);
	/* An array and base64 may even be mixed. */
	assert_int_equal(asprintf(&body, "{\"data\":[{\"index\":0,\"embedding\":\"%s\"},{\"index\":1,\"embedding\":[1,2,3,4]}]}",
				  b[0]) > 0,
			 1);
	assert_int_equal(parse(body, 2, &r, err, sizeof err), EMBED_OK);
	assert_float_equal(r.vectors[7], 4.0f, 0);
	assert_null(r.model);
	embed_result_clear(&r);
	free(body);
	for (int i = 0; i < 3; i++)
		free(b[i]);
}

/* The largest dimension is accepted in both forms; n = EMBED_MAX_INPUTS works. */
static void test_limits_accepted(void **state)
{
	float *v = calloc(EMBED_DIM_MAX, sizeof *v);
	char *b64, *body, *p;
	struct embed_result r;
	char err[128];
	size_t cap = (size_t)EMBED_MAX_INPUTS * 40 + 64;

	(void)state;
	assert_non_null(v);
	v[EMBED_DIM_MAX - 1] = 9;
	b64 = b64_floats(v, EMBED_DIM_MAX, true);
	assert_int_equal(asprintf(&body, "{\"data\":[{\"index\":0,\"embedding\":\"%s\"}]}", b64) > 0, 1);
	assert_int_equal(parse(body, 1, &r, err, sizeof err), EMBED_OK);
	assert_int_equal(r.dim, EMBED_DIM_MAX);
	assert_float_equal(r.vectors[EMBED_DIM_MAX - 1], 9.0f, 0);
	embed_result_clear(&r);
	free(body);
	free(b64);

	body = malloc(cap);
	assert_non_null(body);
	p = body + sprintf(body, "{\"data\":[");
	for (int i = 0; i < EMBED_MAX_INPUTS; i++)
		p += sprintf(p, "%s{\"index\":%d,\"embedding\":[%d]}", i ? "," : "", EMBED_MAX_INPUTS - 1 - i, i);
	strcpy(p, "]}");
	assert_int_equal(parse(body, EMBED_MAX_INPUTS, &r, err, sizeof err), EMBED_OK);
	assert_int_equal(r.n, EMBED_MAX_INPUTS);
	assert_float_equal(r.vectors[0], (float)(EMBED_MAX_INPUTS - 1), 0);
	assert_float_equal(r.vectors[EMBED_MAX_INPUTS - 1], 0.0f, 0);
	embed_result_clear(&r);
	free(body);
	free(v);
}

/* ---- bad responses ------------------------------------------------------------------------------ */

static void test_indexes(void **state)
{
	(void)state;
	expect_fail("{\"data\":[{\"index\":0,\"embedding\":[1]},{\"index\":2,\"embedding\":[1]}]}", 3, EMBED_BAD,
		    "index 1 missing (data has 2 items, expected 3)");
	expect_fail("{\"data\":[{\"index\":0,\"embedding\":[1]},{\"index\":0,\"embedding\":[1]}]}", 2, EMBED_BAD,
		    "data[1]: index 0 appears twice");
	expect_fail("{\"data\":[{\"index\":0,\"embedding\":[1]},{\"index\":1,\"embedding\":[1]}]}", 1, EMBED_BAD,
		    "data[1]: index 1 out of range 0..0");
	expect_fail("{\"data\":[{\"index\":-1,\"embedding\":[1]}]}", 1, EMBED_BAD, "index -1 out of range");
	expect_fail("{\"data\":[{\"index\":\"0\",\"embedding\":[1]}]}", 1, EMBED_BAD, "data[0] has no integer index");
	expect_fail("{\"data\":[{\"index\":0.0,\"embedding\":[1]}]}", 1, EMBED_BAD, "no integer index");
	expect_fail("{\"data\":[{\"embedding\":[1]}]}", 1, EMBED_BAD, "no integer index");
	expect_fail("{\"data\":[]}", 1, EMBED_BAD, "index 0 missing (data has 0 items, expected 1)");
}

static void test_dimensions(void **state)
{
	float v[2] = {1, 2};
	char *b64 = b64_floats(v, 2, true), *body;
	char *big;
	size_t cap = (size_t)(EMBED_DIM_MAX + 1) * 2 + 64;

	(void)state;
	expect_fail("{\"data\":[{\"index\":0,\"embedding\":[1,2,3]},{\"index\":1,\"embedding\":[1,2]}]}", 2, EMBED_BAD,
		    "item 1: dimension 2, expected 3");
	assert_int_equal(asprintf(&body, "{\"data\":[{\"index\":1,\"embedding\":[1,2,3]},{\"index\":0,\"embedding\":\"%s\"}]}",
				  b64) > 0,
			 1);
	expect_fail(body, 2, EMBED_BAD, "item 0: dimension 2, expected 3");
	free(body);
	expect_fail("{\"data\":[{\"index\":0,\"embedding\":[]}]}", 1, EMBED_BAD, "item 0: empty embedding");
	expect_fail("{\"data\":[{\"index\":0,\"embedding\":\"\"}]}", 1, EMBED_BAD, "item 0: empty embedding");
	/* 8193 values. */
	big = malloc(cap);
	assert_non_null(big);
	strcpy(big, "{\"data\":[{\"index\":0,\"embedding\":[0");
	for (size_t len = strlen(big), i = 1; i <= EMBED_DIM_MAX; i++, len += 2)
		memcpy(big + len, ",0", 3);
	strcat(big, "]}]}");
	expect_fail(big, 1, EMBED_BAD, "item 0: dimension 8193 above the maximum 8192");
	free(big);
	free(b64);
}

static void test_base64_errors(void **state)
{
	float v[3] = {1, 2, 3}, nan[2] = {1, 0};
	char *b, *body;
	uint32_t qnan = 0x7fc00000u;
	size_t pre;

	(void)state;
	expect_fail("{\"data\":[{\"index\":0,\"embedding\":\"AAAA*AAA\"}]}", 1, EMBED_BAD, "item 0: invalid base64");
	expect_fail("{\"data\":[{\"index\":0,\"embedding\":\"AAAAAAA=\"}]}", 1, EMBED_BAD,
		    "item 0: base64 holds 5 bytes, not whole float32 values");
	/* URL-safe alphabet is not the standard one. */
	expect_fail("{\"data\":[{\"index\":0,\"embedding\":\"____\"}]}", 1, EMBED_BAD, "invalid base64");
	memcpy(&nan[1], &qnan, 4);
	b = b64_floats(nan, 2, true);
	assert_int_equal(asprintf(&body, "{\"data\":[{\"index\":0,\"embedding\":\"%s\"}]}", b) > 0, 1);
	expect_fail(body, 1, EMBED_BAD, "item 0: value 1 is not finite");
	free(body);
	free(b);
	b = b64_floats(v, 3, true);
	assert_int_equal(asprintf(&body, "{\"data\":[{\"index\":0,\"embedding\":\"%s\\n\"}]}", b) > 0, 1);
	expect_fail(body, 1, EMBED_BAD, "invalid base64");
	free(body);
	free(b);
	/* Longer than 8192 values' worth of base64: refused before decoding. */
	body = malloc(50000);
	assert_non_null(body);
	strcpy(body, "{\"data\":[{\"index\":0,\"embedding\":\"");
	pre = strlen(body);
	memset(body + pre, 'A', 43696);
	strcpy(body + pre + 43696, "\"}]}");
	expect_fail(body, 1, EMBED_BAD, "base64 of 43696 characters, more than 8192 values");
	free(body);
}

/* "NaN" and "Infinity" are not JSON; numbers past float32 are refused; wrong types everywhere. */
static void test_values_and_types(void **state)
{
	(void)state;
	expect_fail("{\"data\":[{\"index\":0,\"embedding\":[1,NaN]}]}", 1, EMBED_BAD, "not JSON: ");
	expect_fail("{\"data\":[{\"index\":0,\"embedding\":[Infinity]}]}", 1, EMBED_BAD, "not JSON");
	expect_fail("{\"data\":[{\"index\":0,\"embedding\":[-inf]}]}", 1, EMBED_BAD, "not JSON");
	expect_fail("{\"data\":[{\"index\":0,\"embedding\":[1e999]}]}", 1, EMBED_BAD, "not JSON");
	expect_fail("{\"data\":[{\"index\":0,\"embedding\":[1,1e39]}]}", 1, EMBED_BAD,
		    "item 0: value 1 is outside the float32 range");
	expect_fail("{\"data\":[{\"index\":0,\"embedding\":[1,\"0.5\"]}]}", 1, EMBED_BAD, "item 0: value 1 is not a number");
	expect_fail("{\"data\":[{\"index\":0,\"embedding\":[null]}]}", 1, EMBED_BAD, "value 0 is not a number");
	expect_fail("{\"data\":[{\"index\":0,\"embedding\":[[1]]}]}", 1, EMBED_BAD, "value 0 is not a number");
	expect_fail("{\"data\":[{\"index\":0,\"embedding\":[true]}]}", 1, EMBED_BAD, "value 0 is not a number");
	expect_fail("{\"data\":[{\"index\":0,\"embedding\":1.5}]}", 1, EMBED_BAD,
		    "item 0: embedding is neither an array nor a base64 string");
	expect_fail("{\"data\":[{\"index\":0,\"embedding\":null}]}", 1, EMBED_BAD, "neither an array");
	expect_fail("{\"data\":[{\"index\":0,\"embedding\":{\"0\":1}}]}", 1, EMBED_BAD, "neither an array");
	expect_fail("{\"data\":[{\"index\":0}]}", 1, EMBED_BAD, "neither an array");
	expect_fail("{\"data\":[[0.1,0.2]]}", 1, EMBED_BAD, "data[0] is not an object");
	expect_fail("{\"data\":{\"index\":0,\"embedding\":[1]}}", 1, EMBED_BAD, "no data array");
	expect_fail("{\"data\":null}", 1, EMBED_BAD, "no data array");
	expect_fail("[{\"index\":0,\"embedding\":[1]}]", 1, EMBED_BAD, "no data array");
	expect_fail("\"data\"", 1, EMBED_BAD, "not JSON");
	expect_fail("", 1, EMBED_BAD, "not JSON");
	expect_fail("{\"embedding\":[1]}", 1, EMBED_BAD, "no data array");
}

static void test_caps(void **state)
{
	struct embed_result r;
	char err[128], *body;
	size_t n = 20000 * 2 + 64;

	(void)state;
	expect_fail(FLOAT_BODY, 0, EMBED_BAD, "0 inputs expected, outside 1..2048");
	expect_fail(FLOAT_BODY, -5, EMBED_BAD, "outside 1..2048");
	expect_fail(FLOAT_BODY, EMBED_MAX_INPUTS + 1, EMBED_BAD, "2049 inputs expected");
	/* A body past 64 MiB is refused before it is read (its bytes here are never looked at). */
	body = malloc(EMBED_BODY_MAX + 1);
	assert_non_null(body);
	assert_int_equal(embed_parse_response(body, EMBED_BODY_MAX + 1, 1, &r, err, sizeof err), EMBED_TOO_BIG);
	assert_non_null(strstr(err, "above the 67108864-byte cap"));
	assert_null(r.vectors);
	free(body);
	/* 20000 values for one input: more than one embedding can hold. */
	body = malloc(n);
	assert_non_null(body);
	strcpy(body, "{\"data\":[{\"index\":0,\"embedding\":[0");
	for (size_t len = strlen(body), i = 1; i < 20000; i++, len += 2)
		memcpy(body + len, ",0", 3);
	strcat(body, "]}]}");
	expect_fail(body, 1, EMBED_TOO_BIG, "body holds more values than 1 embeddings can");
	assert_int_equal(parse(body, 3, &r, err, sizeof err), EMBED_BAD); /* for 3 inputs: parsed, then wrong */
	free(body);
	/* err may be absent; a short err is cut, still terminated. */
	assert_int_equal(parse("{}", 1, &r, NULL, 0), EMBED_BAD);
	assert_int_equal(parse("{}", 1, &r, err, 4), EMBED_BAD);
	assert_string_equal(err, "no ");
	assert_int_equal(embed_parse_response(NULL, 0, 1, &r, err, sizeof err), EMBED_BAD);
	assert_int_equal(embed_parse_response(NULL, 5, 1, &r, err, sizeof err), EMBED_BAD);
	assert_int_equal(embed_parse_response("{}", 2, 1, NULL, err, sizeof err), EMBED_BAD);
}

/* An error body: the reader fails with "no data array"; the caller gets the message from
 * llm_error_parse. */
static void test_error_body(void **state)
{
	static const char body[] =
		"{\"error\":{\"code\":400,\"message\":\"this model does not support embeddings\","
		"\"type\":\"invalid_request_error\"}}";
	struct llm_error e;

	(void)state;
	expect_fail(body, 1, EMBED_BAD, "no data array");
	assert_int_equal(llm_error_parse(body, strlen(body), &e), 0);
	assert_string_equal(e.message, "this model does not support embeddings");
	assert_int_equal(e.code, 400);
	expect_fail("{\"error\":\"model not found\",\"data\":null}", 2, EMBED_BAD, "no data array");
}

/* Every cut of a good body fails cleanly (the JSON ends early) and leaves nothing allocated. */
static void test_truncated(void **state)
{
	size_t len = strlen(FLOAT_BODY);
	struct embed_result r;
	char err[128];

	(void)state;
	for (size_t cut = 0; cut < len; cut++) {
		char *copy = malloc(cut ? cut : 1);

		assert_non_null(copy);
		memcpy(copy, FLOAT_BODY, cut);
		assert_int_equal(embed_parse_response(copy, cut, 2, &r, err, sizeof err), EMBED_BAD);
		assert_non_null(strstr(err, "not JSON"));
		assert_null(r.vectors);
		free(copy);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_body),
		cmocka_unit_test(test_float_form_by_index),
		cmocka_unit_test(test_base64_form),
		cmocka_unit_test(test_limits_accepted),
		cmocka_unit_test(test_indexes),
		cmocka_unit_test(test_dimensions),
		cmocka_unit_test(test_base64_errors),
		cmocka_unit_test(test_values_and_types),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_error_body),
		cmocka_unit_test(test_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
