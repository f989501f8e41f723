/*
 * fuzz_chunk.c — libFuzzer harness for the knowledge-text chunker (src/rag/chunk.c).
 *
 * chunk_text sees the `text` of every uploaded knowledge source (POST /api/v1/bots/{id}/sources), with
 * the default options. Each input is chunked twice: with the defaults (max 1200, overlap 300) and with
 * small options derived from the input length (max 1..160 code points, overlap 1..63 or the default
 * 300), so that packing, overlap and the splitting of over-long sentences are reached by short inputs.
 * The input is arbitrary bytes; the API only delivers valid UTF-8 without NUL (jansson, then
 * json_validate refuses NUL), so invariants that depend on that are checked only for such inputs.
 *
 * Invariants checked per chunk (abort on violation), from chunk.h's contract:
 *   - heading and text are non-NULL and NUL-terminated (ASan checks the read);
 *   - text is non-empty and trimmed (no leading or trailing ASCII white space)    [input without NUL];
 *   - text has at most max_chars code points ("chunks of up to max_chars … Sizes count Unicode code
 *     points, separators included"): no slack is allowed — the contract states none;
 *   - text and heading are valid UTF-8 when the input is                            [valid UTF-8 input];
 *   - empty or whitespace-only input yields no chunks.
 * Also chunk_sentence_end at up to eight non-space bytes spread over the input: start < end <= len.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rag/chunk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...)                                                                                  \
	do {                                                                                               \
		if (!(cond)) {                                                                             \
			fprintf(stderr, "fuzz_chunk: invariant violated: %s\n  ", #cond);                  \
			fprintf(stderr, __VA_ARGS__);                                                      \
			fprintf(stderr, "\n");                                                             \
			abort();                                                                           \
		}                                                                                          \
	} while (0)

static bool ascii_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Code points as chunk.h counts them: every byte that is not a UTF-8 continuation byte. */
static size_t code_points(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

/* Strict UTF-8 (what jansson accepts). */
static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t k;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			k = 1;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			k = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			k = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += k + 1;
	}
	return true;
}

static void show(const char *what, const char *s)
{
	fprintf(stderr, "  %s (%zu bytes): \"", what, strlen(s));
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		fprintf(stderr, *p >= 0x20 && *p != '"' && *p != '\\' && *p < 0x7f ? "%c" : "\\x%02x", *p);
	fprintf(stderr, "\"\n");
}

static void check_chunks(const char *text, size_t len, const struct chunk_opts *opts, bool has_nul,
			 bool valid_utf8, bool blank)
{
	struct chunk_list l = {NULL, -1};
	size_t max = opts && opts->max_chars ? opts->max_chars : 1200;
	int rc = chunk_text(text, len, opts, &l);

	CHECK(rc == 0, "chunk_text returned %d", rc);
	CHECK(l.n >= 0 && (l.n == 0 || l.items != NULL), "bad list: n %d, items %p", l.n, (void *)l.items);
	if (blank)
		CHECK(l.n == 0, "%d chunks for whitespace-only input", l.n);
	for (int i = 0; i < l.n; i++) {
		const struct chunk *c = &l.items[i];
		size_t tl, cps;

		CHECK(c->heading != NULL && c->text != NULL, "chunk %d has a NULL field", i);
		tl = strlen(c->text);
		(void)strlen(c->heading);
		cps = code_points(c->text, tl);
		if (cps > max) {
			show("chunk text", c->text);
			CHECK(cps <= max, "chunk %d of %d has %zu code points, max_chars %zu (overlap %zu)", i, l.n, cps,
			      max, opts && opts->overlap_chars ? opts->overlap_chars : (size_t)300);
		}
		if (!has_nul) {
			if (tl == 0 || ascii_space((unsigned char)c->text[0]) ||
			    ascii_space((unsigned char)c->text[tl - 1])) {
				show("chunk text", c->text);
				CHECK(false, "chunk %d of %d is empty or not trimmed (max_chars %zu)", i, l.n, max);
			}
		}
		if (valid_utf8) {
			if (!utf8_valid((const unsigned char *)c->text, tl)) {
				show("chunk text", c->text);
				CHECK(false, "chunk %d of %d is not valid UTF-8 (max_chars %zu)", i, l.n, max);
			}
			if (!utf8_valid((const unsigned char *)c->heading, strlen(c->heading))) {
				show("heading", c->heading);
				CHECK(false, "heading of chunk %d is not valid UTF-8", i);
			}
		}
	}
	chunk_list_free(&l);
	CHECK(l.n == 0 && l.items == NULL, "chunk_list_free left n %d", l.n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	bool has_nul = memchr(data, '\0', size) != NULL;
	bool valid = utf8_valid(data, size);
	bool blank = true;
	struct chunk_opts small;
	size_t prev = 0;

	for (size_t i = 0; i < size && blank; i++)
		blank = ascii_space(data[i]);

	check_chunks(text, size, NULL, has_nul, valid, blank);

	small.max_chars = 1 + size % 160;
	small.overlap_chars = size % 64; /* 0 means the default, 300: larger than max */
	check_chunks(text, size, &small, has_nul, valid, blank);

	/* Eight starts spread over the input (each call may scan to the end, so not every byte). */
	for (int k = 0; k < 8; k++) {
		size_t i = size * (size_t)k / 8, e;

		while (i < size && ascii_space(data[i]))
			i++;
		if (i >= size || (k > 0 && i < prev))
			continue;
		prev = i + 1;
		e = chunk_sentence_end(text, size, i);
		CHECK(e > i && e <= size, "chunk_sentence_end(len %zu, start %zu) = %zu", size, i, e);
	}
	return 0;
}
