/*
 * fuzz_llm_stream.c — libFuzzer harness for the chat-completion stream reader and the error-body
 * reader (src/llm/stream.c over src/net/sse.c).
 *
 * Input: byte 0 seeds the chunk splitting, the rest is a response body.
 * Invariants checked (abort on violation):
 *   - feeding the body whole and in pseudo-random chunks reports the same chunks (kind, content,
 *     finish_reason, usage, error) and the same counters;
 *   - content is NUL-terminated at content_len; an error chunk has a non-empty message;
 *   - llm_parse_error_body never writes past msglen and leaves a NUL-terminated message, with a small
 *     and a large buffer alike, the small one a prefix of the large one.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llm/stream.h"

struct rec {
	char *s;
	size_t len, cap;
};

static void add(struct rec *r, const void *p, size_t n)
{
	if (r->len + n > r->cap) {
		size_t cap = (r->len + n) * 2 + 64;
		char *s = realloc(r->s, cap);
		if (!s)
			abort();
		r->s = s;
		r->cap = cap;
	}
	memcpy(r->s + r->len, p, n);
	r->len += n;
}

/* snprintf's result is the length it wanted: a long finish_reason is cut to what fits in tmp. */
static size_t fitted(int k, size_t cap)
{
	return k < 0 ? 0 : (size_t)k >= cap ? cap - 1 : (size_t)k;
}

static int on_chunk(const struct llm_chunk *c, void *ud)
{
	struct rec *r = ud;
	char tmp[128];
	int k;

	if (!c->content || c->content[c->content_len] != '\0')
		abort();
	k = snprintf(tmp, sizeof tmp, "%d|%zu|%s|", (int)c->kind, c->content_len, c->finish_reason ? c->finish_reason : "-");
	add(r, tmp, fitted(k, sizeof tmp));
	add(r, c->content, c->content_len);
	if (c->usage) {
		k = snprintf(tmp, sizeof tmp, "|u%lld/%lld/%lld", c->usage->prompt_tokens, c->usage->completion_tokens,
			     c->usage->total_tokens);
		add(r, tmp, fitted(k, sizeof tmp));
	}
	if (c->kind == LLM_CHUNK_ERROR) {
		if (!c->error || !c->error->message[0])
			abort();
		k = snprintf(tmp, sizeof tmp, "|e%d|", c->error->code);
		add(r, tmp, fitted(k, sizeof tmp));
		add(r, c->error->message, strlen(c->error->message));
		add(r, c->error->type, strlen(c->error->type));
	} else if (c->error) {
		abort();
	}
	add(r, "\n", 1);
	return 0;
}

static int run(const uint8_t *data, size_t n, bool split, unsigned seed, struct rec *r, struct llm_stream_stats *st)
{
	struct llm_stream *s = llm_stream_new(4096);
	size_t at = 0;
	int rc = 0;

	if (!s)
		abort();
	while (at < n && rc == 0) {
		size_t k = n - at;
		if (split) {
			seed = seed * 1103515245u + 12345u;
			k = 1 + (seed >> 16) % 23;
			if (k > n - at)
				k = n - at;
		}
		rc = llm_stream_feed(s, (const char *)data + at, k, on_chunk, r);
		at += k;
	}
	llm_stream_stats(s, st);
	llm_stream_free(s);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rec a = {0}, b = {0};
	struct llm_stream_stats sa, sb;
	char small[9], large[LLM_ERROR_MSG_MAX + 8];
	char *body;
	int ra, rb, e1, e2;

	if (size < 1)
		return 0;
	ra = run(data + 1, size - 1, false, data[0], &a, &sa);
	rb = run(data + 1, size - 1, true, data[0], &b, &sb);
	if (ra != rb || a.len != b.len || (a.len && memcmp(a.s, b.s, a.len) != 0))
		abort();
	if (sa.chunks != sb.chunks || sa.malformed != sb.malformed || sa.empty != sb.empty || sa.pings != sb.pings ||
	    sa.reasoning_bytes != sb.reasoning_bytes || sa.errors != sb.errors || sa.done != sb.done ||
	    sa.finished != sb.finished || (ra == 0 && sa.pending != sb.pending))
		abort();
	free(a.s);
	free(b.s);

	body = malloc(size);
	if (!body)
		abort();
	memcpy(body, data, size);
	memset(small, 0x55, sizeof small);
	e1 = llm_parse_error_body(body, size, small, 8);
	e2 = llm_parse_error_body(body, size, large, sizeof large);
	if (e1 != e2 || small[8] != 0x55 || strlen(small) >= 8 || strncmp(small, large, strlen(small)) != 0)
		abort();
	free(body);
	return 0;
}
