/*
 * fuzz_sse.c — libFuzzer harness for the incremental SSE parser (src/net/sse.c), which reads every
 * streamed LLM reply.
 *
 * Input: byte 0 picks the event cap (0 → the default, else small caps so the limit paths run), byte 1
 * seeds the chunk splitting, the rest is the stream.
 * Invariants checked (abort on violation):
 *   - feeding the stream whole, in pseudo-random chunks, and one byte at a time gives the same events
 *     (type, id, data bytes, error flag), the same result code and the same counters;
 *   - every event's data is NUL-terminated, at most the cap long, and its type is never empty;
 *   - a callback that stops after k events sees the same first k events, and the parser stays stopped.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/sse.h"

struct rec {
	unsigned char *s;
	size_t len, cap;
	size_t n, stop_after, max;
};

static void add(struct rec *r, const void *p, size_t n)
{
	if (r->len + n > r->cap) {
		size_t cap = (r->len + n) * 2 + 64;
		unsigned char *s = realloc(r->s, cap);
		if (!s)
			abort();
		r->s = s;
		r->cap = cap;
	}
	memcpy(r->s + r->len, p, n);
	r->len += n;
}

static int on_event(const struct sse_event *ev, void *ud)
{
	struct rec *r = ud;
	size_t el = strlen(ev->event), il = strlen(ev->id);
	unsigned char flag = ev->error_field;

	if (ev->data[ev->data_len] != '\0' || el == 0 || (!ev->error_field && ev->data_len > r->max))
		abort();
	add(r, &el, sizeof el);
	add(r, ev->event, el);
	add(r, &il, sizeof il);
	add(r, ev->id, il);
	add(r, &ev->data_len, sizeof ev->data_len);
	add(r, ev->data, ev->data_len);
	add(r, &flag, 1);
	r->n++;
	return r->stop_after && r->n >= r->stop_after;
}

/* Feeds data[0..n) in chunks: mode 0 whole, 1 pseudo-random sizes from `seed`, 2 one byte at a time. */
static int run(const uint8_t *data, size_t n, size_t cap, int mode, unsigned seed, struct rec *r,
	       struct sse_stats *st)
{
	struct sse_parser *p = sse_new(cap);
	size_t at = 0;
	int rc = SSE_OK;

	if (!p)
		abort();
	while (at < n && rc == SSE_OK) {
		size_t k = n - at;
		if (mode == 1) {
			seed = seed * 1103515245u + 12345u;
			k = 1 + (seed >> 16) % 17;
			if (k > n - at)
				k = n - at;
		} else if (mode == 2) {
			k = 1;
		}
		rc = sse_feed(p, (const char *)data + at, k, on_event, r);
		at += k;
	}
	if (rc != SSE_OK && sse_feed(p, "data: x\n\n", 9, on_event, r) != rc)
		abort(); /* sticky */
	sse_stats(p, st);
	sse_free(p);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap, max;
	unsigned seed;
	struct rec a = {0}, b = {0}, c = {0}, d = {0};
	struct sse_stats sa, sb, sc, sd;
	int ra, rb, rc, rd;

	if (size < 2)
		return 0;
	cap = data[0] % 4 == 0 ? 0 : 1 + (size_t)data[0] * 2;
	max = cap ? cap : SSE_DEFAULT_MAX_EVENT_BYTES;
	seed = data[1];
	data += 2;
	size -= 2;
	a.max = b.max = c.max = d.max = max;

	ra = run(data, size, cap, 0, seed, &a, &sa);
	rb = run(data, size, cap, 1, seed, &b, &sb);
	rc = run(data, size, cap, 2, seed, &c, &sc);
	if (ra != rb || ra != rc || a.len != b.len || a.len != c.len ||
	    (a.len && (memcmp(a.s, b.s, a.len) != 0 || memcmp(a.s, c.s, a.len) != 0)))
		abort();
	if (ra == SSE_OK && (sa.events != sb.events || sa.comments != sb.comments || sa.error_fields != sb.error_fields ||
			     sa.retry_ms != sb.retry_ms || sa.pending != sb.pending || sa.events != sc.events ||
			     sa.comments != sc.comments || sa.pending != sc.pending))
		abort();
	/* stopping after k events */
	if (a.n > 0) {
		d.stop_after = 1 + seed % a.n;
		rd = run(data, size, cap, 1, seed * 7u, &d, &sd);
		if (rd != SSE_STOPPED || d.n != d.stop_after || d.len > a.len || memcmp(a.s, d.s, d.len) != 0)
			abort();
	}
	free(a.s);
	free(b.s);
	free(c.s);
	free(d.s);
	return 0;
}
