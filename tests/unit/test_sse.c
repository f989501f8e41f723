/*
 * test_sse.c — unit tests for src/net/sse.c: the incremental Server-Sent-Events parser that reads
 * streamed LLM replies (api-contracts §6.2). Covers the HTML SSE field rules, the real-world quirks
 * (no space after "data:", pings, empty data, the llama.cpp "error:" line), line ends of every kind,
 * the size caps, and that every split of a stream into chunks gives the same events as the whole.
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

#include "net/sse.h"

/* ---- helpers ------------------------------------------------------------------------------------ */

/* Events rendered one per line as "event|id|E?|data" (data bytes escaped) into a growing string. */
struct rec {
	char *s;
	size_t len, cap;
	int n;
	int stop_after; /* stop (return 1) after this many events; 0 = never */
};

static void rec_add(struct rec *r, const char *s, size_t n)
{
	if (r->len + n + 1 > r->cap) {
		r->cap = (r->len + n + 1) * 2;
		r->s = realloc(r->s, r->cap);
		assert_non_null(r->s);
	}
	memcpy(r->s + r->len, s, n);
	r->len += n;
	r->s[r->len] = '\0';
}

static int rec_cb(const struct sse_event *ev, void *ud)
{
	struct rec *r = ud;
	char tmp[8];

	assert_int_equal(ev->data[ev->data_len], '\0');
	rec_add(r, ev->event, strlen(ev->event));
	rec_add(r, "|", 1);
	rec_add(r, ev->id, strlen(ev->id));
	rec_add(r, ev->error_field ? "|E|" : "|-|", 3);
	for (size_t i = 0; i < ev->data_len; i++) {
		unsigned char c = (unsigned char)ev->data[i];
		if (c == '\n')
			rec_add(r, "\\n", 2);
		else if (c < 0x20) {
			snprintf(tmp, sizeof tmp, "\\x%02x", c);
			rec_add(r, tmp, 4);
		} else
			rec_add(r, (const char *)&c, 1);
	}
	rec_add(r, "\n", 1);
	r->n++;
	return r->stop_after && r->n >= r->stop_after;
}

/* Parses `s` (n bytes) in one feed with cap `max`; returns the rendering (caller frees), rc in *rc. */
static char *parse_whole(const char *s, size_t n, size_t max, int *rc, struct sse_stats *st)
{
	struct sse_parser *p = sse_new(max);
	struct rec r = {0};

	assert_non_null(p);
	*rc = sse_feed(p, s, n, rec_cb, &r);
	if (st)
		sse_stats(p, st);
	sse_free(p);
	rec_add(&r, "", 0);
	return r.s;
}

static char *parse_str(const char *s, int *rc)
{
	return parse_whole(s, strlen(s), 0, rc, NULL);
}

static void expect(const char *stream, const char *want)
{
	int rc;
	char *got = parse_str(stream, &rc);

	assert_int_equal(rc, SSE_OK);
	assert_string_equal(got, want);
	free(got);
}

/* Feeds s[0..n) split at the given cut positions (ascending). */
static char *parse_split(const char *s, size_t n, const size_t *cuts, int ncuts)
{
	struct sse_parser *p = sse_new(0);
	struct rec r = {0};
	size_t at = 0;

	assert_non_null(p);
	for (int k = 0; k <= ncuts; k++) {
		size_t end = k < ncuts ? cuts[k] : n;
		assert_int_equal(sse_feed(p, s + at, end - at, rec_cb, &r), SSE_OK);
		at = end;
	}
	sse_free(p);
	rec_add(&r, "", 0);
	return r.s;
}

/* The exact stream of api-contracts §6.2, with a ping, CRLF, a BOM and an umlaut mixed in. */
static const char STREAM[] =
	"\xEF\xBB\xBF"
	": ping\r\n"
	"data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1767225600,\"model\":\"m\","
	"\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n"
	"data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1767225600,\"model\":\"m\","
	"\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hal\"},\"finish_reason\":null}]}\r\n\r\n"
	"event: delta\rid: 7\rdata:Gr\xC3\xBC\xC3\x9F" "e\rdata: zweite\r\r"
	"error: {\"code\":500,\"message\":\"x\"}\n"
	"data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1767225600,\"model\":\"m\","
	"\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
	"data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1767225600,\"model\":\"m\","
	"\"choices\":[],\"usage\":{\"prompt_tokens\":44,\"completion_tokens\":2,\"total_tokens\":46}}\n\n"
	"data: [DONE]\n\n";

/* ---- field rules -------------------------------------------------------------------------------- */

static void test_contract_stream(void **state)
{
	(void)state;
	int rc;
	struct sse_stats st;
	char *got = parse_whole(STREAM, sizeof STREAM - 1, 0, &rc, &st);

	assert_int_equal(rc, SSE_OK);
	assert_non_null(strstr(got, "message||-|{\"id\":\"chatcmpl-1\""));
	assert_non_null(strstr(got, "\"content\":\"Hal\""));
	assert_non_null(strstr(got, "delta|7|-|Gr\xC3\xBC\xC3\x9F" "e\\nzweite\n"));
	assert_non_null(strstr(got, "error|7|E|{\"code\":500,\"message\":\"x\"}\n"));
	assert_non_null(strstr(got, "message|7|-|[DONE]\n"));
	assert_int_equal(st.events, 7);
	assert_int_equal(st.comments, 1);
	assert_int_equal(st.error_fields, 1);
	assert_false(st.pending);
	free(got);
}

static void test_data_space_optional(void **state)
{
	(void)state;
	expect("data:a\n\ndata: b\n\ndata:  c\n\n", "message||-|a\nmessage||-|b\nmessage||-| c\n");
}

static void test_multiline_data(void **state)
{
	(void)state;
	expect("data: one\ndata:two\ndata\ndata: four\n\n", "message||-|one\\ntwo\\n\\nfour\n");
}

static void test_empty_data(void **state)
{
	(void)state;
	/* an empty data line still dispatches (empty data); so does a bare "data" line */
	expect("data:\n\ndata\n\ndata: \n\n", "message||-|\nmessage||-|\nmessage||-|\n");
}

static void test_comments_ignored_and_counted(void **state)
{
	(void)state;
	int rc;
	struct sse_stats st;
	const char *s = ":\n: ping\n:data: no\ndata: x\n: mid-event\ndata: y\n\n:";
	char *got = parse_whole(s, strlen(s), 0, &rc, &st);

	assert_int_equal(rc, SSE_OK);
	assert_string_equal(got, "message||-|x\\ny\n");
	assert_int_equal(st.comments, 4);
	assert_true(st.pending); /* the last comment line has not ended */
	free(got);
}

static void test_event_id_retry(void **state)
{
	(void)state;
	int rc;
	struct sse_stats st;
	const char *s = "event: a\nid: 1\nretry: 2500\ndata: x\n\n"
			"data: y\n\n"                     /* type resets, id stays */
			"id\ndata: z\n\n"                 /* empty id resets it */
			"event: lost\n\n"                 /* no data: nothing dispatched, type reset */
			"retry: 12a\nretry: -1\nretry:\n" /* ignored */
			"unknown: v\nfoo\ndata: w\n\n";
	char *got = parse_whole(s, strlen(s), 0, &rc, &st);

	assert_int_equal(rc, SSE_OK);
	assert_string_equal(got, "a|1|-|x\nmessage|1|-|y\nmessage||-|z\nmessage||-|w\n");
	assert_int_equal(st.retry_ms, 2500);
	free(got);
}

static void test_id_with_nul_ignored(void **state)
{
	(void)state;
	static const char s[] = "id: ok\ndata: a\n\nid: b\0d\ndata: b\n\n";
	int rc;
	char *got = parse_whole(s, sizeof s - 1, 0, &rc, NULL);

	assert_int_equal(rc, SSE_OK);
	assert_string_equal(got, "message|ok|-|a\nmessage|ok|-|b\n");
	free(got);
}

static void test_nul_in_data_kept(void **state)
{
	(void)state;
	static const char s[] = "data: a\0b\n\n";
	int rc;
	char *got = parse_whole(s, sizeof s - 1, 0, &rc, NULL);

	assert_int_equal(rc, SSE_OK);
	assert_string_equal(got, "message||-|a\\x00b\n");
	free(got);
}

static void test_line_ends(void **state)
{
	(void)state;
	expect("data: a\r\ndata: b\r\n\r\n", "message||-|a\\nb\n");
	expect("data: a\rdata: b\r\r", "message||-|a\\nb\n");
	expect("data: a\ndata: b\n\n", "message||-|a\\nb\n");
	expect("data: a\r\ndata: b\rdata: c\n\r\n", "message||-|a\\nb\\nc\n");
	/* "\n\r" is two line ends (LF, then CR), so it dispatches */
	expect("data: a\n\rdata: b\n\n", "message||-|a\nmessage||-|b\n");
}

static void test_bom(void **state)
{
	(void)state;
	expect("\xEF\xBB\xBF" "data: a\n\n", "message||-|a\n");
	/* only one BOM is skipped: a second one is part of the first field name (unknown field) */
	expect("\xEF\xBB\xBF\xEF\xBB\xBF" "data: a\n\ndata: b\n\n", "message||-|b\n");
	/* a BOM prefix that is not a BOM is kept as line bytes */
	expect("\xEF\xBB" "data: a\n\ndata: b\n\n", "message||-|b\n");
	/* a BOM later in the stream is data */
	expect("data: \xEF\xBB\xBF" "a\n\n", "message||-|\xEF\xBB\xBF" "a\n");
}

static void test_error_field(void **state)
{
	(void)state;
	/* llama.cpp (Appendix C): error line, then [DONE]; dispatched at once, without the empty line */
	expect("data: {\"x\":1}\n\nerror: {\"code\":400,\"message\":\"bad\",\"type\":\"invalid_request_error\"}\n"
	       "data: [DONE]\n\n",
	       "message||-|{\"x\":1}\nerror||E|{\"code\":400,\"message\":\"bad\",\"type\":\"invalid_request_error\"}\n"
	       "message||-|[DONE]\n");
	/* within an event it does not disturb the collected data */
	expect("data: a\nerror:boom\ndata: b\n\n", "error||E|boom\nmessage||-|a\\nb\n");
	expect("error\n", "error||E|\n");
	/* an "event: error" with data is an ordinary event of type error */
	expect("event: error\ndata: {}\n\n", "error||-|{}\n");
}

static void test_unfinished_event_not_dispatched(void **state)
{
	(void)state;
	int rc;
	struct sse_stats st;
	const char *s = "data: a\n\ndata: b\n";
	char *got = parse_whole(s, strlen(s), 0, &rc, &st);

	assert_string_equal(got, "message||-|a\n");
	assert_true(st.pending);
	free(got);
	got = parse_whole("data: a\n\ndata: b", 16, 0, &rc, &st);
	assert_string_equal(got, "message||-|a\n");
	assert_true(st.pending);
	free(got);
	got = parse_whole("\xEF\xBB", 2, 0, &rc, &st);
	assert_true(st.pending);
	free(got);
}

/* ---- limits and stopping ------------------------------------------------------------------------ */

static void test_event_cap(void **state)
{
	(void)state;
	int rc;
	char *got;

	/* exactly at the cap: fine */
	got = parse_whole("data: 12345678\n\n", 16, 8, &rc, NULL);
	assert_int_equal(rc, SSE_OK);
	assert_string_equal(got, "message||-|12345678\n");
	free(got);
	/* one byte over, in one line */
	got = parse_whole("data: 123456789\n\ndata: x\n\n", 26, 8, &rc, NULL);
	assert_int_equal(rc, SSE_ETOOBIG);
	assert_string_equal(got, "");
	free(got);
	/* over across lines (4 + '\n' + 4 = 9) */
	got = parse_whole("data: 1234\ndata: 5678\n\n", 23, 8, &rc, NULL);
	assert_int_equal(rc, SSE_ETOOBIG);
	free(got);
	/* 4 + '\n' + 3 = 8: fine */
	got = parse_whole("data: 1234\ndata: 567\n\n", 22, 8, &rc, NULL);
	assert_int_equal(rc, SSE_OK);
	free(got);
}

static void test_line_cap_and_sticky(void **state)
{
	(void)state;
	struct sse_parser *p = sse_new(16);
	struct rec r = {0};
	char big[200];

	assert_non_null(p);
	memset(big, 'x', sizeof big);
	/* a long line without an end, fed in pieces: refused once it passes 16 + 64 */
	assert_int_equal(sse_feed(p, "event: ", 7, rec_cb, &r), SSE_OK);
	assert_int_equal(sse_feed(p, big, 50, rec_cb, &r), SSE_OK);
	assert_int_equal(sse_feed(p, big, 50, rec_cb, &r), SSE_ETOOBIG);
	assert_int_equal(sse_feed(p, "\n\ndata: a\n\n", 11, rec_cb, &r), SSE_ETOOBIG);
	assert_int_equal(r.n, 0);
	sse_free(p);
	free(r.s);
}

static void test_long_comment_is_free(void **state)
{
	(void)state;
	struct sse_parser *p = sse_new(16);
	struct rec r = {0};
	char big[4096];
	struct sse_stats st;

	assert_non_null(p);
	memset(big, 'x', sizeof big);
	assert_int_equal(sse_feed(p, ":", 1, rec_cb, &r), SSE_OK);
	for (int i = 0; i < 100; i++)
		assert_int_equal(sse_feed(p, big, sizeof big, rec_cb, &r), SSE_OK);
	assert_int_equal(sse_feed(p, "\ndata: ok\n\n", 11, rec_cb, &r), SSE_OK);
	assert_string_equal(r.s, "message||-|ok\n");
	sse_stats(p, &st);
	assert_int_equal(st.comments, 1);
	sse_free(p);
	free(r.s);
}

static void test_callback_stops(void **state)
{
	(void)state;
	struct sse_parser *p = sse_new(0);
	struct rec r = {.stop_after = 2};

	assert_non_null(p);
	assert_int_equal(sse_feed(p, "data: 1\n\ndata: 2\n\ndata: 3\n\n", 27, rec_cb, &r), SSE_STOPPED);
	assert_int_equal(r.n, 2);
	assert_int_equal(sse_feed(p, "data: 4\n\n", 9, rec_cb, &r), SSE_STOPPED);
	assert_int_equal(r.n, 2);
	sse_free(p);
	free(r.s);
	/* also for an error field */
	p = sse_new(0);
	memset(&r, 0, sizeof r);
	r.stop_after = 1;
	assert_int_equal(sse_feed(p, "error: x\ndata: 2\n\n", 18, rec_cb, &r), SSE_STOPPED);
	assert_int_equal(r.n, 1);
	sse_free(p);
	free(r.s);
}

static void test_null_callback_and_free_null(void **state)
{
	(void)state;
	struct sse_parser *p = sse_new(0);
	struct sse_stats st;

	assert_non_null(p);
	assert_int_equal(sse_feed(p, "data: 1\n\ndata: 2\n\n", 18, NULL, NULL), SSE_OK);
	assert_int_equal(sse_feed(p, "", 0, NULL, NULL), SSE_OK);
	sse_stats(p, &st);
	assert_int_equal(st.events, 2);
	assert_int_equal(st.retry_ms, -1);
	sse_free(p);
	sse_free(NULL);
}

/* ---- splitting ---------------------------------------------------------------------------------- */

static void test_every_split_position(void **state)
{
	(void)state;
	size_t n = sizeof STREAM - 1;
	int rc;
	char *whole = parse_whole(STREAM, n, 0, &rc, NULL);

	assert_int_equal(rc, SSE_OK);
	for (size_t cut = 0; cut <= n; cut++) {
		char *got = parse_split(STREAM, n, &cut, 1);
		if (strcmp(got, whole) != 0)
			fail_msg("split at %zu differs:\n%s\nvs\n%s", cut, got, whole);
		free(got);
	}
	free(whole);
}

static void test_every_pair_of_splits(void **state)
{
	(void)state;
	/* a short stream with every kind of line end, a BOM, a comment and a two-byte character */
	static const char s[] = "\xEF\xBB\xBF:p\r\ndata:\xC3\xA4\r\n\r\nid: 1\rdata: b\r\rerror: e\r\ndata\n\n";
	size_t n = sizeof s - 1;
	int rc;
	char *whole = parse_whole(s, n, 0, &rc, NULL);

	assert_string_equal(whole, "message||-|\xC3\xA4\nmessage|1|-|b\nerror|1|E|e\nmessage|1|-|\n");
	for (size_t a = 0; a <= n; a++)
		for (size_t b = a; b <= n; b++) {
			size_t cuts[2] = {a, b};
			char *got = parse_split(s, n, cuts, 2);
			if (strcmp(got, whole) != 0)
				fail_msg("splits at %zu,%zu differ:\n%s", a, b, got);
			free(got);
		}
	free(whole);
}

static void test_byte_at_a_time(void **state)
{
	(void)state;
	size_t n = sizeof STREAM - 1, cuts[sizeof STREAM];
	int rc;
	char *whole = parse_whole(STREAM, n, 0, &rc, NULL), *got;

	for (size_t i = 0; i < n; i++)
		cuts[i] = i;
	got = parse_split(STREAM, n, cuts, (int)n);
	assert_string_equal(got, whole);
	free(got);
	free(whole);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contract_stream),
		cmocka_unit_test(test_data_space_optional),
		cmocka_unit_test(test_multiline_data),
		cmocka_unit_test(test_empty_data),
		cmocka_unit_test(test_comments_ignored_and_counted),
		cmocka_unit_test(test_event_id_retry),
		cmocka_unit_test(test_id_with_nul_ignored),
		cmocka_unit_test(test_nul_in_data_kept),
		cmocka_unit_test(test_line_ends),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_error_field),
		cmocka_unit_test(test_unfinished_event_not_dispatched),
		cmocka_unit_test(test_event_cap),
		cmocka_unit_test(test_line_cap_and_sticky),
		cmocka_unit_test(test_long_comment_is_free),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_null_callback_and_free_null),
		cmocka_unit_test(test_every_split_position),
		cmocka_unit_test(test_every_pair_of_splits),
		cmocka_unit_test(test_byte_at_a_time),
	};
	return cmocka_run_group_tests_name("sse", tests, NULL, NULL);
}
