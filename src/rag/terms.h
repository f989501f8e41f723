/*
 * terms.h — search terms from German (and English) text.
 *
 * One normalisation serves indexing and querying on both store backends, so a word typed by a visitor
 * meets the same term it was indexed as:
 *   - words are runs of Unicode letters and digits, plus combining marks inside a word (apostrophes,
 *     hyphens and everything else split words; so do invalid UTF-8 bytes);
 *   - Unicode full case folding (ICU), so "STRASSE", "Straße" and "strasse" fold alike (ß → ss);
 *   - German umlauts are written out: ä → ae, ö → oe, ü → ue (precomposed or decomposed), so
 *     "Oeffnungszeiten" meets "Öffnungszeiten"; other Latin diacritics of Latin-1 and Latin
 *     Extended-A are dropped (é → e, ø → o, ł → l), æ → ae, œ → oe, þ → th; other scripts are kept;
 *   - words without digits are stemmed with libstemmer's German stemmer ("Preise" → "preis");
 *     words with digits are kept as they are ("10er", "2026");
 *   - words longer than TERMS_WORD_MAX bytes after folding and the steps above are skipped, and so are
 *     words whose surface form is longer than 4 × TERMS_WORD_MAX bytes.
 * Changing any of these rules changes the terms of indexed text: existing indexes must be rebuilt.
 *
 * A `struct terms` is shared by all threads; it keeps one stemmer per thread internally (made on a
 * thread's first use, deleted when the thread exits or by terms_free). Nothing allocates per word.
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
/* Frees `t` and every per-thread stemmer, also those of threads still running. Call it once no thread
 * uses `t` any more (and none is exiting at that moment). NULL is ignored. */
void terms_free(struct terms *t);

/* Walks `text` and calls `emit` once per term, in order, with the byte range of the surface word.
 * Matches store_tokenize_fn, so it is the hook the store indexes with (ctx is the struct terms).
 * Returns 0, the first non-zero value of `emit`, or -1 when memory runs out. Invalid UTF-8 bytes
 * are treated as separators. */
int terms_tokenize(void *ctx, const char *text, size_t len, store_term_fn emit, void *ud);

/* Normalises one word (as above) into `out` (NUL-terminated, "" when there is no term). Characters
 * that cannot be part of a word are dropped first, so "E-Mail" gives the term of "EMail". Returns the
 * term length, or 0 when the word yields no term (empty, too long, no letters or digits) or memory
 * runs out. */
size_t terms_normalize_word(struct terms *t, const char *word, size_t len, char out[TERMS_WORD_MAX + 1]);

/* The word as the stemmer sees it: what terms_normalize_word does before stemming (characters that
 * cannot be part of a word dropped, case folded, umlauts written out, other diacritics dropped), so
 * "Öffnungszeiten" gives "oeffnungszeiten". Used to split compounds and to correct typos, which work
 * on whole spellings rather than stems. Returns the length, or 0 when the word holds a digit, yields
 * nothing, is too long, or memory runs out. */
size_t terms_fold_word(struct terms *t, const char *word, size_t len, char out[TERMS_WORD_MAX + 1]);

/* The synonym groups (rag/synonyms.h) made from the embedded data when `t` was made. */
struct synonyms;
const struct synonyms *terms_synonyms(const struct terms *t);

/* True for German and English function words ("der", "und", "was", "ist", "the", …), given as a
 * normalised term (e.g. "fuer", "koenn"), so check the output of terms_normalize_word or
 * terms_tokenize. Used to drop them from queries, not from the index. */
bool terms_is_stopword(const char *term, size_t len);

#endif
