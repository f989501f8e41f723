/*
 * fuzz_reply_stream.c — libFuzzer harness for the streamed-reply preview (src/llm/reply_stream.c),
 * which sees every token a model sends before anyone has checked it.
 *
 * Input: two bytes that choose how to split, then the model's output (copied, so ASan sees over-reads).
 * Invariants checked (abort on violation):
 *   - every emit call carries len > 0 bytes of valid UTF-8 without NUL; the preview is never longer than
 *     the output; reply_stream_emitted counts what was emitted;
 *   - split invariance: fed whole, in two pieces at the chosen point, and in pieces of 1 to 8 bytes, the
 *     preview and the mode are the same;
 *   - against reply.c: when the whole output is one JSON object (jansson, duplicates refused) whose
 *     "reply" is a non-blank string and which has none of the other reply keys, llm_reply_parse takes
 *     that reply, and the preview is norm(reply) (controls other than \n and \t dropped, trimmed) plus,
 *     at most, blanks the preview held no room to trim (reply_stream.h).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "llm/reply.h"
#include "llm/reply_stream.h"

static bool valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t k;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xE0) == 0xC0)
			k = 1, cp = c & 0x1F, min = 0x80;
		else if ((c & 0xF0) == 0xE0)
			k = 2, cp = c & 0x0F, min = 0x800;
		else if ((c & 0xF8) == 0xF0)
			k = 3, cp = c & 0x07, min = 0x10000;
		else
			return false;
		if (n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += k + 1;
	}
	return true;
}

struct coll {
	char *buf;
	size_t len, cap;
};

static int collect(const char *text, size_t len, void *ud)
{
	struct coll *c = ud;

	if (len == 0 || memchr(text, '\0', len) || !valid_utf8((const unsigned char *)text, len))
		abort();
	if (c->len + len > c->cap) {
		size_t cap = (c->len + len) * 2;
		char *nb = realloc(c->buf, cap);

		if (!nb)
			abort();
		c->buf = nb;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, text, len);
	c->len += len;
	return 0;
}

/* Feeds text[0..n) in pieces: split at `at` when step is 0, else in pieces of `step` bytes. */
static void run(const char *text, size_t n, size_t at, size_t step, struct coll *c, int *mode)
{
	struct reply_stream *rs = reply_stream_new();

	if (!rs)
		abort();
	if (step == 0) {
		if (reply_stream_feed(rs, text, at, collect, c) != 0 ||
		    reply_stream_feed(rs, text + at, n - at, collect, c) != 0)
			abort();
	} else {
		for (size_t i = 0; i < n; i += step)
			if (reply_stream_feed(rs, text + i, n - i < step ? n - i : step, collect, c) != 0)
				abort();
	}
	*mode = reply_stream_finish(rs, collect, c);
	if (reply_stream_emitted(rs) != c->len || c->len > n)
		abort();
	reply_stream_free(rs);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* The differential check; the output parsed as one JSON object with a usable, unambiguous "reply". */
static void against_reply_parse(const char *text, size_t n, const struct coll *pv)
{
	static const char *const others[] = {"answer", "response", "antwort", "text", "message"};
	json_t *root = json_loadb(text, n, JSON_REJECT_DUPLICATES, NULL);
	json_t *v = json_object_get(root, "reply");
	const char *s = json_string_value(v);
	struct llm_reply r;
	size_t sn, m = 0, b = 0, k;
	char *want;
	bool blank = true;

	if (!json_is_object(root) || !s)
		goto out;
	sn = json_string_length(v);
	for (k = 0; k < sizeof others / sizeof others[0]; k++)
		if (json_object_get(root, others[k]))
			goto out;
	for (k = 0; k < sn; k++)
		blank = blank && is_blank(s[k]);
	if (blank)
		goto out;
	if (llm_reply_parse(text, n, &r) != LLM_REPLY_OK || !r.structured || r.truncated)
		abort();
	want = malloc(strlen(r.reply) + 1);
	if (!want)
		abort();
	for (k = 0; r.reply[k]; k++)
		if (!((unsigned char)r.reply[k] < 0x20 && r.reply[k] != '\n' && r.reply[k] != '\t'))
			want[m++] = r.reply[k];
	while (m && (want[m - 1] == ' ' || want[m - 1] == '\t' || want[m - 1] == '\n'))
		m--;
	while (b < m && (want[b] == ' ' || want[b] == '\t' || want[b] == '\n'))
		b++;
	if (pv->len < m - b || (m > b && memcmp(pv->buf, want + b, m - b) != 0)) /* nothing to compare: buf may be NULL */
		abort();
	for (k = m - b; k < pv->len; k++)
		if (pv->buf[k] != ' ' && pv->buf[k] != '\t' && pv->buf[k] != '\n')
			abort();
	free(want);
	llm_reply_clear(&r);
out:
	json_decref(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct coll whole = {0}, split = {0}, pieces = {0};
	size_t n, at, step;
	char *text;
	int m1, m2, m3;

	if (size < 2)
		return 0;
	n = size - 2;
	at = ((size_t)data[0] | (size_t)data[1] << 8) % (n + 1);
	step = 1 + data[0] % 8;
	text = malloc(n ? n : 1);
	if (!text)
		return 0;
	memcpy(text, data + 2, n);

	run(text, n, 0, 0, &whole, &m1);
	run(text, n, at, 0, &split, &m2);
	run(text, n, 0, step, &pieces, &m3);
	if (m1 != m2 || m1 != m3 || m1 < REPLY_STREAM_EMPTY || m1 > REPLY_STREAM_JSON)
		abort();
	if (whole.len != split.len || whole.len != pieces.len ||
	    (whole.len && (memcmp(whole.buf, split.buf, whole.len) != 0 || memcmp(whole.buf, pieces.buf, whole.len) != 0)))
		abort();
	if (whole.len && is_blank(whole.buf[0]))
		abort();
	against_reply_parse(text, n, &whole);

	free(whole.buf);
	free(split.buf);
	free(pieces.buf);
	free(text);
	return 0;
}
