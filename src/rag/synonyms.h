/*
 * synonyms.h — groups of German words that stand for one another in a customer's question and in a
 * business's own text ("Rabatt" / "Ermäßigung", "Stock" / "Etage", "kostet" / "Preis").
 *
 * The groups are data: src/rag/data/synonyms.de.txt, embedded at build time (see the Makefile). They are
 * meant to hold general business and service vocabulary that any German company's website uses, not
 * the words of one bot; the file's header says what belongs there. A word may be in several groups.
 * Query words are looked up by term (terms_normalize_word), so inflected forms meet.
 */
#ifndef BOTWERK_RAG_SYNONYMS_H
#define BOTWERK_RAG_SYNONYMS_H

#include <stddef.h>

struct terms;
struct synonyms;

/* Parses `text` (the file's format: one group per line, words separated by commas, '#' starts a
 * comment) into normalised terms. A word that yields no term or several terms ("E-Mail") is skipped.
 * NULL when out of memory. */
struct synonyms *synonyms_new(struct terms *t, const char *text);
void synonyms_free(struct synonyms *s);

/* The embedded German groups (src/rag/data/synonyms.de.txt); "" when the build has none. */
const char *synonyms_default_text(void);

/* Writes the other terms of every group that holds `term` into out[] (each once, at most `max`) and
 * returns how many. The strings belong to `s`. */
int synonyms_of(const struct synonyms *s, const char *term, size_t len, const char **out, int max);

#endif
