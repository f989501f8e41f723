/*
 * vocab.h — the spellings one bot's knowledge uses, to meet question words that are not in it verbatim.
 *
 * A spelling is a word as terms_fold_word gives it (case folded, umlauts written out, not stemmed),
 * recorded with the id of the term it was indexed as. Two things are built on that:
 *   - compound splitting: "telefonnummer" is "telefon" + "nummer" when both are words the bot knows
 *     (German writes compounds as one word; a visitor and a website often pick different ones);
 *   - typo tolerance: the known spellings one edit away from an unknown word ("oefnungszeiten" →
 *     "oeffnungszeiten").
 * A vocab is filled once and read-only afterwards, so threads may share it without a lock.
 */
#ifndef BOTWERK_RAG_VOCAB_H
#define BOTWERK_RAG_VOCAB_H

#include <stddef.h>
#include <stdint.h>

#define VOCAB_PARTS_MAX 4 /* parts of one compound */
#define VOCAB_PART_MIN 4  /* bytes of the shortest part: "kurs", "bad", no; "ab", "ei" never */

struct vocab;

/* NULL when out of memory. */
struct vocab *vocab_new(void);
void vocab_free(struct vocab *v);

/* Records `form` (len ≤ TERMS_WORD_MAX bytes) as a spelling of term `term` (non-zero). A spelling keeps
 * the first term recorded for it. 0, or -1 when memory runs out. */
int vocab_add(struct vocab *v, const char *form, size_t len, size_t term);
/* The term of a known spelling, or 0. */
size_t vocab_term(const struct vocab *v, const char *form, size_t len);
/* Calls fn for every spelling, in no particular order; a non-zero return stops the walk and is returned. */
typedef int (*vocab_each_fn)(void *ud, const char *form, size_t len, size_t term);
int vocab_each(const struct vocab *v, vocab_each_fn fn, void *ud);
size_t vocab_bytes(const struct vocab *v);

/* Whether `part` (a piece of a spelling) is a word of its own: its term, or 0. */
typedef size_t (*vocab_known_fn)(void *ud, const char *part, size_t len);

/* Splits `form` into the fewest parts (2..VOCAB_PARTS_MAX, each at least VOCAB_PART_MIN bytes) that are
 * all known; among splits with as many parts, the one with the longest last part. Writes the parts'
 * terms to parts[] and returns their number, or 0 when there is no such split. */
int vocab_split(const char *form, size_t len, vocab_known_fn known, void *ud, size_t parts[VOCAB_PARTS_MAX]);

/* Sorts the spellings for vocab_prefixed; call once, after the last vocab_add. 0, or -1 when memory runs
 * out (vocab_prefixed then finds nothing). */
int vocab_finish(struct vocab *v);
/* The terms of known spellings that begin with `prefix` and go on for at least `rest` more bytes
 * ("sommer" → "sommerferien"), each once, at most `max` of them. Returns how many were written. */
int vocab_prefixed(const struct vocab *v, const char *prefix, size_t len, size_t rest, size_t *terms, int max);

/* The terms of known spellings one edit away from `form` (a letter inserted, deleted or replaced, or
 * two neighbours swapped; letters a–z), at most `max`, each once. Returns how many were written. */
int vocab_near(const struct vocab *v, const char *form, size_t len, size_t *terms, int max);

#endif
