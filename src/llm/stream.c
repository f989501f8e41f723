/*
 * stream.c — OpenAI-compatible chat-completion chunks on top of the SSE parser (see stream.h), and the
 * reading of error objects shared by streamed and non-streamed answers.
 *
 * Owns the llm_stream reader (an SSE parser plus counters). Each SSE event is classified — error field,
 * "error" event, empty, [DONE], JSON chunk — and a JSON chunk is reduced to the few values the caller
 * needs (content delta, finish_reason, usage) while the parsed JSON is still alive; the callback sees
 * pointers into it, so nothing is copied.
 */
#include "llm/stream.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/sse.h"

struct llm_stream {
	struct sse_parser *sse;
	size_t malformed_run; /* malformed chunks since the last good one */
	struct llm_stream_stats st;
};

/* The caller's callback while one feed runs. */
struct feed_ctx {
	struct llm_stream *s;
	llm_chunk_fn cb;
	void *ud;
};

/* ---- errors ------------------------------------------------------------------------------------- */

/* Copies s[0..n) to dst[0..cap) NUL-terminated, cut so that no UTF-8 sequence is split. */
static void copy_cut(char *dst, size_t cap, const char *s, size_t n)
{
	if (cap == 0)
		return;
	if (n > cap - 1) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	if (n)
		memcpy(dst, s, n);
	dst[n] = '\0';
}

static void copy_lit(char *dst, size_t cap, const char *s)
{
	copy_cut(dst, cap, s, strlen(s));
}

static void copy_json_str(char *dst, size_t cap, const json_t *v)
{
	if (json_is_string(v))
		copy_cut(dst, cap, json_string_value(v), json_string_length(v));
}

int llm_error_from_json(const void *json, struct llm_error *out)
{
	const json_t *root = json, *err, *src, *code;

	memset(out, 0, sizeof *out);
	if (!json_is_object(root))
		return -1;
	err = json_object_get(root, "error");
	src = json_is_object(err) ? err : root;
	if (json_is_string(err))
		copy_json_str(out->message, sizeof out->message, err);
	else
		copy_json_str(out->message, sizeof out->message, json_object_get(src, "message"));
	copy_json_str(out->type, sizeof out->type, json_object_get(src, "type"));
	code = json_object_get(src, "code");
	if (json_is_integer(code) && json_integer_value(code) >= 0 && json_integer_value(code) <= INT32_MAX)
		out->code = (int)json_integer_value(code);
	return out->message[0] ? 0 : -1;
}

int llm_error_parse(const char *body, size_t len, struct llm_error *out)
{
	json_t *root;
	int rc;

	memset(out, 0, sizeof *out);
	if (!body || len == 0 || len > LLM_ERROR_BODY_MAX)
		return -1;
	root = json_loadb(body, len, 0, NULL);
	if (!root)
		return -1;
	rc = llm_error_from_json(root, out);
	json_decref(root);
	return rc;
}

int llm_parse_error_body(const char *body, size_t len, char *msg, size_t msglen)
{
	struct llm_error e;
	int rc = llm_error_parse(body, len, &e);

	if (msglen == 0)
		return -1;
	msg[0] = '\0';
	if (rc == 0)
		copy_cut(msg, msglen, e.message, strlen(e.message));
	return rc;
}

/* ---- chunks ------------------------------------------------------------------------------------- */

static int report(struct feed_ctx *c, const struct llm_chunk *ch)
{
	if (ch->kind == LLM_CHUNK_ERROR)
		c->s->st.errors++;
	return c->cb && c->cb(ch, c->ud) != 0;
}

static int report_error(struct feed_ctx *c, const struct llm_error *e)
{
	struct llm_chunk ch = {.kind = LLM_CHUNK_ERROR, .content = "", .error = e};

	return report(c, &ch);
}

/* An error given as text: JSON in one of the error shapes, or plain words. */
static int error_text(struct feed_ctx *c, const char *data, size_t len)
{
	struct llm_error e;
	json_t *root = json_loadb(data, len, 0, NULL);

	memset(&e, 0, sizeof e);
	if (root)
		llm_error_from_json(root, &e);
	json_decref(root);
	if (!e.message[0]) {
		while (len && (*data == ' ' || *data == '\t'))
			data++, len--;
		copy_cut(e.message, sizeof e.message, data, len); /* stops short at a NUL byte */
	}
	if (!e.message[0])
		copy_lit(e.message, sizeof e.message, "error event without details");
	return report_error(c, &e);
}

static int malformed(struct feed_ctx *c)
{
	struct llm_error e = {.code = 0};

	c->s->st.malformed++;
	if (++c->s->malformed_run != LLM_STREAM_MAX_MALFORMED)
		return 0;
	copy_lit(e.message, sizeof e.message, "too many malformed chunks in the stream");
	copy_lit(e.type, sizeof e.type, "malformed_stream");
	return report_error(c, &e);
}

static long long usage_field(const json_t *u, const char *key)
{
	const json_t *v = json_object_get(u, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

/* The first choice with index 0 (or without an index). */
static const json_t *first_choice(const json_t *choices)
{
	size_t i;
	const json_t *ch;

	json_array_foreach(choices, i, ch) {
		const json_t *idx = json_object_get(ch, "index");
		if (json_is_object(ch) && (!idx || (json_is_integer(idx) && json_integer_value(idx) == 0)))
			return ch;
	}
	return NULL;
}

static size_t str_len(const json_t *v)
{
	return json_is_string(v) ? json_string_length(v) : 0;
}

static int json_chunk(struct feed_ctx *c, const char *data, size_t len)
{
	json_t *root = json_loadb(data, len, 0, NULL);
	const json_t *err, *choices, *usage, *choice;
	struct llm_chunk ch = {.kind = LLM_CHUNK_DELTA, .content = ""};
	struct llm_usage u;
	int rc = 0;

	if (!json_is_object(root)) {
		json_decref(root);
		return malformed(c);
	}
	err = json_object_get(root, "error");
	choices = json_object_get(root, "choices");
	usage = json_object_get(root, "usage");
	if (err && !json_is_null(err)) {
		struct llm_error e;

		c->s->malformed_run = 0;
		c->s->st.chunks++;
		llm_error_from_json(root, &e);
		if (!e.message[0])
			copy_lit(e.message, sizeof e.message, "error object without a message");
		rc = report_error(c, &e);
		goto out;
	}
	if (!json_is_array(choices) && !json_is_object(usage)) {
		json_decref(root);
		return malformed(c);
	}
	c->s->malformed_run = 0;
	c->s->st.chunks++;
	choice = json_is_array(choices) ? first_choice(choices) : NULL;
	if (choice) {
		const json_t *delta = json_object_get(choice, "delta"), *content, *fr;

		content = json_object_get(delta, "content");
		if (json_is_string(content)) {
			ch.content = json_string_value(content);
			ch.content_len = json_string_length(content);
		}
		c->s->st.reasoning_bytes += str_len(json_object_get(delta, "reasoning_content")) +
					    str_len(json_object_get(delta, "reasoning"));
		fr = json_object_get(choice, "finish_reason");
		if (json_is_string(fr)) {
			ch.finish_reason = json_string_value(fr);
			c->s->st.finished = true;
		}
	}
	if (json_is_object(usage)) {
		u.prompt_tokens = usage_field(usage, "prompt_tokens");
		u.completion_tokens = usage_field(usage, "completion_tokens");
		u.total_tokens = usage_field(usage, "total_tokens");
		ch.usage = &u;
	}
	if (ch.content_len || ch.finish_reason || ch.usage)
		rc = report(c, &ch);
out:
	json_decref(root);
	return rc;
}

static bool is_ws(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static int on_event(const struct sse_event *ev, void *ud)
{
	struct feed_ctx *c = ud;
	const char *d = ev->data;
	size_t n = ev->data_len;

	if (ev->error_field || strcmp(ev->event, "error") == 0)
		return error_text(c, d, n);
	while (n && is_ws(*d))
		d++, n--;
	while (n && is_ws(d[n - 1]))
		n--;
	if (n == 0) {
		c->s->st.empty++;
		return 0;
	}
	if (n == 6 && memcmp(d, "[DONE]", 6) == 0) {
		struct llm_chunk ch = {.kind = LLM_CHUNK_DONE, .content = ""};

		c->s->st.done = true;
		return report(c, &ch);
	}
	return json_chunk(c, d, n);
}

/* ---- public ------------------------------------------------------------------------------------- */

struct llm_stream *llm_stream_new(size_t max_event_bytes)
{
	struct llm_stream *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->sse = sse_new(max_event_bytes);
	if (!s->sse) {
		free(s);
		return NULL;
	}
	return s;
}

int llm_stream_feed(struct llm_stream *s, const char *buf, size_t len, llm_chunk_fn cb, void *ud)
{
	struct feed_ctx c = {.s = s, .cb = cb, .ud = ud};

	switch (sse_feed(s->sse, buf, len, on_event, &c)) {
	case SSE_OK:
		return 0;
	case SSE_STOPPED:
		return 1;
	case SSE_ETOOBIG:
		return -2;
	default:
		return -1;
	}
}

void llm_stream_stats(const struct llm_stream *s, struct llm_stream_stats *out)
{
	struct sse_stats ss;

	sse_stats(s->sse, &ss);
	*out = s->st;
	out->pings = ss.comments;
	out->pending = ss.pending;
}

void llm_stream_free(struct llm_stream *s)
{
	if (!s)
		return;
	sse_free(s->sse);
	free(s);
}
