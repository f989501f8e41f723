/*
 * test_llm_stream.c — unit tests for src/llm/stream.c: streamed OpenAI-compatible chat-completion
 * chunks (api-contracts §6.2, Appendix C) and non-stream error bodies (§6.3), using the exact example
 * payloads of the contract, plus the dialects seen in the wild (error: field, reasoning deltas, pings).
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

#include "llm/stream.h"

/* ---- helpers ------------------------------------------------------------------------------------ */

/* Chunks rendered one per line: "D<content>|<finish>|<p>/<c>/<t>", "DONE", "E<code>|<type>|<msg>". */
struct rec {
	char s[8192];
	size_t len;
	int n;
	int stop_after;
};

static int rec_cb(const struct llm_chunk *c, void *ud)
{
	struct rec *r = ud;
	size_t room = sizeof r->s - r->len;
	int w = 0;

	assert_non_null(c->content);
	assert_int_equal(strlen(c->content), c->content_len);
	switch (c->kind) {
	case LLM_CHUNK_DELTA:
		assert_null(c->error);
		if (c->usage)
			w = snprintf(r->s + r->len, room, "D%s|%s|%lld/%lld/%lld\n", c->content,
				     c->finish_reason ? c->finish_reason : "-", c->usage->prompt_tokens,
				     c->usage->completion_tokens, c->usage->total_tokens);
		else
			w = snprintf(r->s + r->len, room, "D%s|%s|-\n", c->content,
				     c->finish_reason ? c->finish_reason : "-");
		break;
	case LLM_CHUNK_DONE:
		w = snprintf(r->s + r->len, room, "DONE\n");
		break;
	case LLM_CHUNK_ERROR:
		assert_non_null(c->error);
		w = snprintf(r->s + r->len, room, "E%d|%s|%s\n", c->error->code, c->error->type, c->error->message);
		break;
	}
	assert_true(w > 0 && (size_t)w < room);
	r->len += (size_t)w;
	r->n++;
	return r->stop_after && r->n >= r->stop_after;
}

/* Runs `body` through a fresh reader in one feed; the rendering goes to *r, stats to *st. */
static int run(const char *body, struct rec *r, struct llm_stream_stats *st)
{
	struct llm_stream *s = llm_stream_new(0);
	int rc;

	assert_non_null(s);
	rc = llm_stream_feed(s, body, strlen(body), rec_cb, r);
	if (st)
		llm_stream_stats(s, st);
	llm_stream_free(s);
	return rc;
}

static void expect(const char *body, const char *want)
{
	struct rec r = {0};

	assert_int_equal(run(body, &r, NULL), 0);
	assert_string_equal(r.s, want);
}

#define CHUNK(choices_and_more)                                                                         \
	"data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1767225600,\"model\":\"m\"," \
	choices_and_more "}\n\n"

/* api-contracts §6.2, verbatim */
static const char CONTRACT[] =
	CHUNK("\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]")
	CHUNK("\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hal\"},\"finish_reason\":null}]")
	CHUNK("\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]")
	CHUNK("\"choices\":[],\"usage\":{\"prompt_tokens\":44,\"completion_tokens\":2,\"total_tokens\":46}")
	"data: [DONE]\n\n";

/* ---- streams ------------------------------------------------------------------------------------ */

static void test_contract_example(void **state)
{
	(void)state;
	struct rec r = {0};
	struct llm_stream_stats st;

	assert_int_equal(run(CONTRACT, &r, &st), 0);
	assert_string_equal(r.s, "DHal|-|-\nD|stop|-\nD|-|44/2/46\nDONE\n");
	assert_int_equal(st.chunks, 4);
	assert_int_equal(st.malformed, 0);
	assert_true(st.done);
	assert_true(st.finished);
	assert_false(st.pending);
}

static void test_llama_server_observed(void **state)
{
	(void)state;
	/* Appendix C: no role chunk; the last content-less chunk has finish_reason, usage and timings */
	expect(CHUNK("\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Gr\\u00fc\\u00df\"},\"finish_reason\":null}]")
	       CHUNK("\"choices\":[{\"index\":0,\"delta\":{\"content\":\"e\"},\"finish_reason\":null}]")
	       CHUNK("\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}],"
		     "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":2,\"total_tokens\":14},"
		     "\"timings\":{\"predicted_ms\":3.5}")
	       "data: [DONE]\n\n",
	       "DGr\xC3\xBC\xC3\x9F|-|-\nDe|-|-\nD|length|12/2/14\nDONE\n");
}

static void test_content_null_absent_choices_empty(void **state)
{
	(void)state;
	expect("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":null},\"finish_reason\":null}]}\n\n"
	       "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}\n\n"
	       "data: {\"choices\":[{\"index\":0}]}\n\n"
	       "data: {\"choices\":[]}\n\n"
	       "data: {\"choices\":[],\"usage\":null}\n\n"
	       "data: {\"choices\":[{\"index\":1,\"delta\":{\"content\":\"other choice\"}},"
	       "{\"index\":0,\"delta\":{\"content\":\"A\"}}]}\n\n"
	       "data: {\"choices\":[{\"delta\":{\"content\":\"B\"}}]}\n\n",
	       "DA|-|-\nDB|-|-\n");
}

static void test_reasoning_stripped(void **state)
{
	(void)state;
	struct rec r = {0};
	struct llm_stream_stats st;

	assert_int_equal(
		run("data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"Let me think\"}}]}\n\n"
		    "data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"hmm\",\"content\":null}}]}\n\n"
		    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Ja.\",\"reasoning\":\"!\"}}]}\n\n"
		    "data: [DONE]\n\n",
		    &r, &st),
		0);
	assert_string_equal(r.s, "DJa.|-|-\nDONE\n");
	assert_int_equal(st.reasoning_bytes, 12 + 3 + 1);
}

static void test_data_without_space_pings_crlf(void **state)
{
	(void)state;
	struct rec r = {0};
	struct llm_stream_stats st;

	assert_int_equal(run(": ping\r\n\r\ndata:{\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\r\n\r\n"
			     "event: message\r\ndata:\r\n\r\n"
			     ": ping\r\ndata:[DONE]\r\n\r\n",
			     &r, &st),
			 0);
	assert_string_equal(r.s, "Dx|-|-\nDONE\n");
	assert_int_equal(st.pings, 2);
	assert_int_equal(st.empty, 1);
}

static void test_midstream_error_data(void **state)
{
	(void)state;
	struct rec r = {0};
	struct llm_stream_stats st;

	/* modern servers: HTTP 200, then data: {"error":{…}} */
	assert_int_equal(run(CHUNK("\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hal\"},\"finish_reason\":null}]")
			     "data: {\"error\":{\"message\":\"Engine crashed\",\"type\":\"InternalServerError\","
			     "\"param\":null,\"code\":500}}\n\n"
			     "data: [DONE]\n\n",
			     &r, &st),
			 0);
	assert_string_equal(r.s, "DHal|-|-\nE500|InternalServerError|Engine crashed\nDONE\n");
	assert_int_equal(st.errors, 1);
	/* "error": null is not an error; an error string is */
	expect("data: {\"error\":null,\"choices\":[{\"delta\":{\"content\":\"ok\"}}]}\n\n"
	       "data: {\"error\":\"rate limited\"}\n\n"
	       "data: {\"error\":{}}\n\n",
	       "Dok|-|-\nE0||rate limited\nE0||error object without a message\n");
}

static void test_error_field_dialect(void **state)
{
	(void)state;
	/* Appendix C: llama.cpp error line, partial deltas before it, [DONE] after */
	expect(CHUNK("\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Wir\"},\"finish_reason\":null}]")
	       "error: {\"code\":400,\"message\":\"the request exceeds the available context size\","
	       "\"type\":\"invalid_request_error\"}\n\n"
	       "data: [DONE]\n\n",
	       "DWir|-|-\nE400|invalid_request_error|the request exceeds the available context size\nDONE\n");
	/* wrapped form, plain text, empty */
	expect("error: {\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":\"unavailable_error\"}}\n"
	       "error: upstream went away\n"
	       "error:\n",
	       "E503|unavailable_error|Loading model\nE0||upstream went away\nE0||error event without details\n");
	/* a standard "event: error" */
	expect("event: error\ndata: {\"error\":{\"message\":\"overloaded\",\"type\":\"api_error\"}}\n\n",
	       "E0|api_error|overloaded\n");
}

static void test_malformed_skipped_and_counted(void **state)
{
	(void)state;
	struct rec r = {0};
	struct llm_stream_stats st;

	assert_int_equal(run("data: {\"choices\":[{\"delta\":{\"content\":\"A\"}}]}\n\n"
			     "data: {\"choices\":[{\"delta\":{\"content\":\"B\n\n"        /* cut JSON */
			     "data: not json\n\n"
			     "data: [1,2]\n\n"                                             /* not an object */
			     "data: {\"id\":\"x\"}\n\n"                                    /* no choices */
			     "data: {\"choices\":{\"delta\":{}}}\n\n"                      /* choices not an array */
			     "data: {\"choices\":[{\"delta\":{\"content\":\"C\"}}]}\n\n"
			     "data: [DONE]\n\n",
			     &r, &st),
			 0);
	assert_string_equal(r.s, "DA|-|-\nDC|-|-\nDONE\n");
	assert_int_equal(st.malformed, 5);
	assert_int_equal(st.chunks, 2);
	assert_int_equal(st.errors, 0);
}

static void test_too_many_malformed_in_a_row(void **state)
{
	(void)state;
	char body[2048] = "";
	struct rec r = {0};
	struct llm_stream_stats st;

	for (int i = 0; i < LLM_STREAM_MAX_MALFORMED + 3; i++)
		strcat(body, "data: <html>\n\n");
	strcat(body, "data: {\"choices\":[{\"delta\":{\"content\":\"ok\"}}]}\n\n");
	for (int i = 0; i < LLM_STREAM_MAX_MALFORMED - 1; i++)
		strcat(body, "data: {\n\n");
	assert_int_equal(run(body, &r, &st), 0);
	assert_string_equal(r.s, "E0|malformed_stream|too many malformed chunks in the stream\nDok|-|-\n");
	assert_int_equal(st.malformed, 2 * LLM_STREAM_MAX_MALFORMED + 2);
}

static void test_every_split_same_chunks(void **state)
{
	(void)state;
	static const char body[] =
		": ping\r\n"
		"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Gr\xC3\xBC\xC3\x9F" "e \"},\"finish_reason\":null}]}\r\n\r\n"
		"error: {\"code\":400,\"message\":\"m\",\"type\":\"t\"}\r\n"
		"data:{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,"
		"\"completion_tokens\":2,\"total_tokens\":3}}\r\r"
		"data: [DONE]\n\n";
	size_t n = sizeof body - 1;
	struct rec whole = {0};

	assert_int_equal(run(body, &whole, NULL), 0);
	assert_string_equal(whole.s, "DGr\xC3\xBC\xC3\x9F" "e |-|-\nE400|t|m\nD|stop|1/2/3\nDONE\n");
	for (size_t cut = 0; cut <= n; cut++) {
		struct llm_stream *s = llm_stream_new(0);
		struct rec r = {0};

		assert_non_null(s);
		assert_int_equal(llm_stream_feed(s, body, cut, rec_cb, &r), 0);
		assert_int_equal(llm_stream_feed(s, body + cut, n - cut, rec_cb, &r), 0);
		llm_stream_free(s);
		if (strcmp(r.s, whole.s) != 0)
			fail_msg("split at %zu:\n%s", cut, r.s);
	}
}

static void test_stop_cap_and_cut(void **state)
{
	(void)state;
	struct llm_stream *s = llm_stream_new(0);
	struct rec r = {.stop_after = 1};
	struct llm_stream_stats st;

	assert_non_null(s);
	assert_int_equal(llm_stream_feed(s, CONTRACT, sizeof CONTRACT - 1, rec_cb, &r), 1);
	assert_int_equal(r.n, 1);
	assert_int_equal(llm_stream_feed(s, "data: [DONE]\n\n", 14, rec_cb, &r), 1);
	llm_stream_free(s);

	s = llm_stream_new(32);
	assert_non_null(s);
	memset(&r, 0, sizeof r);
	assert_int_equal(llm_stream_feed(s, CONTRACT, sizeof CONTRACT - 1, rec_cb, &r), -2);
	llm_stream_free(s);

	/* a stream cut mid-event: nothing reported for the unfinished event, pending set, no [DONE] */
	s = llm_stream_new(0);
	assert_non_null(s);
	memset(&r, 0, sizeof r);
	assert_int_equal(llm_stream_feed(s, CONTRACT, 200, rec_cb, &r), 0);
	llm_stream_stats(s, &st);
	assert_true(st.pending);
	assert_false(st.done);
	assert_false(st.finished);
	llm_stream_free(s);
	llm_stream_free(NULL);
}

/* ---- error bodies (§6.3) ------------------------------------------------------------------------ */

static void expect_body(const char *body, int want_rc, const char *want_msg)
{
	char msg[256];

	assert_int_equal(llm_parse_error_body(body, strlen(body), msg, sizeof msg), want_rc);
	assert_string_equal(msg, want_msg);
}

static void test_error_bodies(void **state)
{
	(void)state;
	struct llm_error e;

	/* llama-server */
	expect_body("{\"error\":{\"code\":400,\"message\":\"the request exceeds the available context size\","
		    "\"type\":\"invalid_request_error\"}}",
		    0, "the request exceeds the available context size");
	const char *loading = "{\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":\"unavailable_error\"}}";
	expect_body(loading, 0, "Loading model");
	assert_int_equal(llm_error_parse(loading, strlen(loading), &e), 0);
	assert_int_equal(e.code, 503);
	assert_string_equal(e.type, "unavailable_error");
	/* Ollama (/v1): code null */
	const char *ollama = "{\"error\":{\"message\":\"model \\\"llama9\\\" not found\",\"type\":\"not_found_error\","
			     "\"param\":null,\"code\":null}}";
	expect_body(ollama, 0, "model \"llama9\" not found");
	assert_int_equal(llm_error_parse(ollama, strlen(ollama), &e), 0);
	assert_int_equal(e.code, 0);
	assert_string_equal(e.type, "not_found_error");
	/* vLLM current */
	const char *vllm = "{\"error\":{\"message\":\"max_tokens must be at least 1\",\"type\":\"BadRequestError\","
			   "\"param\":null,\"code\":400}}";
	assert_int_equal(llm_error_parse(vllm, strlen(vllm), &e), 0);
	assert_int_equal(e.code, 400);
	assert_string_equal(e.type, "BadRequestError");
	assert_string_equal(e.message, "max_tokens must be at least 1");
	/* older vLLM: flat */
	const char *flat = "{\"object\":\"error\",\"message\":\"The model `x` does not exist.\",\"type\":\"NotFoundError\","
			   "\"param\":null,\"code\":404}";
	expect_body(flat, 0, "The model `x` does not exist.");
	assert_int_equal(llm_error_parse(flat, strlen(flat), &e), 0);
	assert_int_equal(e.code, 404);
	/* Appendix C: 500 for malformed requests, 401, 501 */
	expect_body("{\"error\":{\"code\":500,\"message\":\"[json.exception.parse_error.101] parse error\","
		    "\"type\":\"server_error\"}}",
		    0, "[json.exception.parse_error.101] parse error");
	expect_body("{\"error\":{\"code\":401,\"message\":\"Invalid API Key\",\"type\":\"authentication_error\"}}", 0,
		    "Invalid API Key");
	expect_body("{\"error\":{\"code\":501,\"message\":\"This server does not support completions.\","
		    "\"type\":\"not_supported_error\"}}",
		    0, "This server does not support completions.");
	/* error as a string (Ollama native API style) */
	expect_body("{\"error\":\"model not found\"}", 0, "model not found");
	/* no message: object without one, not JSON, HTML, empty, array */
	expect_body("{\"error\":{\"code\":500}}", -1, "");
	expect_body("<html><body>502 Bad Gateway</body></html>", -1, "");
	expect_body("", -1, "");
	expect_body("[\"error\"]", -1, "");
	expect_body("{\"message\":42}", -1, "");
}

static void test_error_message_cut_utf8(void **state)
{
	(void)state;
	char msg[6];
	const char *body = "{\"error\":{\"message\":\"Gr\xC3\xBC\xC3\x9F" "e\"}}"; /* "Grüße": 7 bytes */

	/* room for 5 bytes: "Grü" is 4, the next character needs 2 more → "Grü" */
	assert_int_equal(llm_parse_error_body(body, strlen(body), msg, sizeof msg), 0);
	assert_string_equal(msg, "Gr\xC3\xBC");
	assert_int_equal(llm_parse_error_body(body, strlen(body), msg, 1), 0);
	assert_string_equal(msg, "");
	assert_int_equal(llm_parse_error_body(body, strlen(body), msg, 0), -1);
	/* a body over the cap is not parsed */
	assert_int_equal(llm_parse_error_body(body, LLM_ERROR_BODY_MAX + 1, msg, sizeof msg), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contract_example),
		cmocka_unit_test(test_llama_server_observed),
		cmocka_unit_test(test_content_null_absent_choices_empty),
		cmocka_unit_test(test_reasoning_stripped),
		cmocka_unit_test(test_data_without_space_pings_crlf),
		cmocka_unit_test(test_midstream_error_data),
		cmocka_unit_test(test_error_field_dialect),
		cmocka_unit_test(test_malformed_skipped_and_counted),
		cmocka_unit_test(test_too_many_malformed_in_a_row),
		cmocka_unit_test(test_every_split_same_chunks),
		cmocka_unit_test(test_stop_cap_and_cut),
		cmocka_unit_test(test_error_bodies),
		cmocka_unit_test(test_error_message_cut_utf8),
	};
	return cmocka_run_group_tests_name("llm_stream", tests, NULL, NULL);
}
