/*
 * fuzz_terms.c — libFuzzer harness for the search-term tokenizer (src/rag/terms.c).
 *
 * terms_tokenize sees every visitor message (the answerer tokenizes the question) and every uploaded
 * knowledge text (the store indexes with it). The input is arbitrary bytes, invalid UTF-8 included;
 * over the network jansson only lets valid UTF-8 through, but the function promises to treat invalid
 * bytes as separators, so it is fuzzed on anything.
 *
 * Invariants checked per emitted term (abort on violation):
 *   - 0 < term_len <= TERMS_WORD_MAX, no NUL inside the term, the term is valid UTF-8 (the store writes
 *     it into SQLite/PostgreSQL text columns) and has no ASCII upper case (it is case folded);
 *   - 0 <= start < end <= len, and surface words come in order without overlapping;
 *   - terms_normalize_word on the surface word text[start..end) yields the same term (the header's
 *     promise that a word typed by a visitor meets the term it was indexed as);
 *   - a non-zero return of `emit` stops the walk and is returned.
 * terms_normalize_word on the whole input: result <= TERMS_WORD_MAX, out NUL-terminated at that length.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rag/terms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...)                                                                                  \
	do {                                                                                               \
		if (!(cond)) {                                                                             \
			fprintf(stderr, "fuzz_terms: invariant violated: %s\n  ", #cond);                  \
			fprintf(stderr, __VA_ARGS__);                                                      \
			fprintf(stderr, "\n");                                                             \
			abort();                                                                           \
		}                                                                                          \
	} while (0)

static struct terms *the_terms(void)
{
	static struct terms *t;

	if (!t) {
		t = terms_new();
		if (!t) {
			fprintf(stderr, "fuzz_terms: terms_new failed (German stemmer missing?)\n");
			abort();
		}
	}
	return t;
}

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF), as jansson and PostgreSQL
 * require it. */
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

struct walk {
	const char *text;
	size_t len;
	size_t prev_end;
	int count;
	int stop_at; /* return 7 from the stop_at-th term (1-based); 0: never */
};

static int on_term(void *ud, const char *term, size_t term_len, size_t start, size_t end)
{
	struct walk *w = ud;
	char again[TERMS_WORD_MAX + 1];
	size_t n;

	w->count++;
	CHECK(term != NULL, "NULL term");
	CHECK(term_len > 0 && term_len <= TERMS_WORD_MAX, "term length %zu", term_len);
	CHECK(memchr(term, '\0', term_len) == NULL, "NUL inside term \"%.*s\"", (int)term_len, term);
	CHECK(utf8_valid((const unsigned char *)term, term_len), "term is not valid UTF-8: \"%.*s\"", (int)term_len,
	      term);
	for (size_t i = 0; i < term_len; i++)
		CHECK(!(term[i] >= 'A' && term[i] <= 'Z'), "upper case in term \"%.*s\"", (int)term_len, term);
	CHECK(start < end && end <= w->len, "surface range [%zu, %zu) of %zu bytes", start, end, w->len);
	CHECK(start >= w->prev_end, "surface word [%zu, %zu) overlaps the previous one ending at %zu", start, end,
	      w->prev_end);
	w->prev_end = end;

	n = terms_normalize_word(the_terms(), w->text + start, end - start, again);
	CHECK(n == term_len && memcmp(again, term, n) == 0,
	      "tokenize gave \"%.*s\" for surface \"%.*s\", terms_normalize_word gives \"%s\" (%zu)", (int)term_len,
	      term, (int)(end - start), w->text + start, again, n);
	(void)terms_is_stopword(term, term_len);
	return w->stop_at && w->count == w->stop_at ? 7 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct terms *t = the_terms();
	const char *text = (const char *)data;
	struct walk w = {text, size, 0, 0, 0};
	char out[TERMS_WORD_MAX + 1];
	size_t n;
	int rc;

	rc = terms_tokenize(t, text, size, on_term, &w);
	CHECK(rc == 0, "terms_tokenize returned %d", rc);

	if (w.count > 0) {
		int total = w.count;
		struct walk w2 = {text, size, 0, 0, 1 + (int)(size % (size_t)total)};

		rc = terms_tokenize(t, text, size, on_term, &w2);
		CHECK(rc == 7, "emit's stop value was not returned (rc %d)", rc);
		CHECK(w2.count == w2.stop_at, "walk went on after emit returned non-zero (%d terms, stop at %d)",
		      w2.count, w2.stop_at);
	}

	memset(out, 'x', sizeof out);
	n = terms_normalize_word(t, text, size, out);
	CHECK(n <= TERMS_WORD_MAX, "terms_normalize_word returned %zu", n);
	CHECK(out[n] == '\0' && strlen(out) == n, "out not NUL-terminated at %zu", n);
	if (n > 0)
		CHECK(utf8_valid((const unsigned char *)out, n), "normalized word is not valid UTF-8: \"%s\"", out);
	return 0;
}
