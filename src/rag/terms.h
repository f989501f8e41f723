/*
 * terms.h — search terms from German (and English) text.
 *
 * One normalisation serves indexing and querying on both store backends, so a word typed by a visitor
 * meets the same term it was indexed as:
 *   - words are runs of Unicode letters and digits (apostrophes and hyphens split words);
 *   - Unicode case folding (ICU), so "STRASSE", "Straße" and "strasse" fold alike (ß → ss);
 *   - German umlauts are written out: ä → ae, ö → oe, ü → ue, so "Oeffnungszeiten" meets
 *     "Öffnungszeiten"; other Latin diacritics are dropped (é → e);
 *   - words without digits are stemmed with libstemmer's German stemmer ("Preise" → "preis");
 *     words with digits are kept as they are ("10er", "2026");
 *   - words longer than TERMS_WORD_MAX bytes after folding are skipped.
 *
 * A `struct terms` is shared by all threads; it keeps one stemmer per thread internally.
 */
#ifndef BOTWERK_RAG_TERMS_H
#define BOTWERK_RAG_TERMS_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

#define TERMS_WORD_MAX 64

struct terms;

/* NULL when memory runs out or the stemmer is unavailable. */
struct terms *terms_new(void);
void terms_free(struct terms *t);

/* Walks `text` and calls `emit` once per term, in order, with the byte range of the surface word.
 * Matches store_tokenize_fn, so it is the hook the store indexes with (ctx is the struct terms).
 * Returns 0, the first non-zero value of `emit`, or -1 when memory runs out. Invalid UTF-8 bytes
 * are treated as separators. */
int terms_tokenize(void *ctx, const char *text, size_t len, store_term_fn emit, void *ud);

/* Normalises one word (as above) into `out` (NUL-terminated). Returns the term length, or 0 when the
 * word yields no term (empty, too long, no letters or digits). */
size_t terms_normalize_word(struct terms *t, const char *word, size_t len, char out[TERMS_WORD_MAX + 1]);

/* True for German and English function words ("der", "und", "was", "ist", "the", …), given as a
 * normalised term. Used to drop them from queries, not from the index. */
bool terms_is_stopword(const char *term, size_t len);

#endif
