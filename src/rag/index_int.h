/*
 * index_int.h — the layout of an in-memory index, shared by index.c (building, searching, the cache)
 * and expand.c (compound parts at build time, the ways a question word can match at query time).
 * Nothing outside src/rag/ includes it.
 */
#ifndef BOTWERK_RAG_INDEX_INT_H
#define BOTWERK_RAG_INDEX_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rag/index.h"
#include "rag/terms.h"
#include "rag/vocab.h"

#define WORD_TERMS_MAX 8 /* terms of one query word ("E-Mail" gives two) */
#define WORD_ALTS_MAX 12 /* ways one query word can match: as typed, parts, a correction, synonyms, compounds */

struct posting {
	uint32_t chunk;
	uint16_t tf_text, tf_head;
};

struct term {
	size_t off;     /* of the NUL-terminated term in strs; 0 = empty slot */
	uint32_t last;  /* chunk of the last posting (build time) */
	uint32_t n, cap;
	struct posting *p;
};

struct ichunk {
	int64_t id;
	size_t title, heading, text; /* offsets in strs */
	size_t url;                  /* offset in strs, or SIZE_MAX when none */
	int page;
	uint32_t len;                /* terms in heading + text */
};

struct rag_index {
	_Atomic int refs;
	char tenant_id[STORE_ID_MAX], bot_id[STORE_ID_MAX];
	int64_t version;
	bool oversize; /* a placeholder that remembers "too large to cache" */
	size_t bytes;
	char *strs;
	size_t strs_len, strs_cap;
	struct ichunk *chunks;
	uint32_t nchunks, chunks_cap;
	struct term *terms; /* hash table, power-of-two capacity */
	uint32_t nterms, terms_cap;
	double avg_len;
	struct vocab *vocab; /* every spelling met while building, with its term (compounds, typos) */
	uint32_t *by_end;    /* slots of the terms that can end a compound, sorted by their reversed text */
	uint32_t nby_end;
	struct rag_index *lru_prev, *lru_next, *hnext; /* cache links, guarded by the cache lock */
};

/* The slot of `term` in the table: its entry (off != 0), or the empty slot where it belongs. */
struct term *rag_index_slot(const struct rag_index *ix, const char *term, size_t n);

/* One way a question word can match a chunk: all of `t` in the chunk, its score scaled by `weight`. */
struct word_alt {
	const struct term *t[WORD_TERMS_MAX];
	int n;
	double weight;
};

struct word_alts {
	struct word_alt a[WORD_ALTS_MAX]; /* the word as typed first */
	int n;
	bool has_terms; /* the word yields terms at all (else it is not searched, as in the store) */
};

/* Build time, after every chunk is in: each compound spelling whose parts are all words of the bot
 * also counts as an occurrence of each part ("Gesundheitsstudio" is found for "Studio"). 0, or -1
 * when memory runs out (the index is then unusable). */
int rag_expand_compounds(struct rag_index *ix, struct terms *t);

/* Build time, last: the lookups rag_expand_word needs (spellings by prefix, terms by ending). 0, or -1
 * when memory runs out. */
int rag_expand_prepare(struct rag_index *ix);

/* Query time: the ways `word` can match (rag/index.h, "matching a word"). -1 when memory runs out. */
int rag_expand_word(const struct rag_index *ix, struct terms *t, const char *word, struct word_alts *wa);

#endif
