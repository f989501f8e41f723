/*
 * compose.h — the text of an extractive answer (see answer.h): the bot's fixed replies, the reply cut
 * from passages, and the title and snippet of each source shown under it.
 *
 * answer.c reads the question, retrieves and scores the passages, and decides which kind of reply to
 * give; everything a reply says is written here. The reply text is either one of the fixed greeting,
 * thanks or fallback sentences, or sentences copied unchanged from passages; nothing else.
 *
 * Content words are the question's words that were searched for, as normalised terms (terms.h). Word i
 * is bit i of a `uint32_t` mask, the numbering of store_hit.matched.
 */
#ifndef BOTWERK_RAG_COMPOSE_H
#define BOTWERK_RAG_COMPOSE_H

#include <stddef.h>
#include <stdint.h>

#include "rag/answer.h"
#include "rag/terms.h"
#include "store/store.h"

/* The content words, as passages are matched against them. The terms are borrowed (not copied). */
struct compose_words {
	struct terms *terms;                      /* passages are tokenized as the question was */
	const char *term[STORE_SEARCH_MAX_WORDS]; /* term of word i: tlen[i] bytes */
	size_t tlen[STORE_SEARCH_MAX_WORDS];
	int n;
};

/* The mask with a bit for each content word. */
static inline uint32_t compose_all_words(const struct compose_words *cw)
{
	return cw->n >= 32 ? UINT32_MAX : ((uint32_t)1 << cw->n) - 1;
}

/* The number of content words in a mask (its bits set). */
static inline int compose_count_words(uint32_t mask)
{
	int n = 0;

	for (; mask; mask &= mask - 1)
		n++;
	return n;
}

/* Fixed replies, in the bot's language (German unless it is "en") and form of address ("du" for
 * friendly and casual bots, "Sie" otherwise). Each returns a heap string, NULL when memory runs out.
 * The greeting names the bot when it has a name; the fallback is the bot's own fallback message when
 * it has one, the built-in one otherwise. */
char *compose_greeting(const struct answer_bot *bot);
char *compose_thanks(const struct answer_bot *bot);
char *compose_fallback(const struct answer_bot *bot);

/* The reply from passages: the sentences of `best` that contain content words (most words first; a
 * short one brings a neighbour along), up to ~500 code points (its first sentence always), then, when
 * `second` is not NULL, the sentences of `second` that contain words of `fresh`, within the same
 * budget, leaving out any the reply already holds. Each passage's sentences appear in document order,
 * joined with a space, or a line break where the passage had one. A passage without matching sentences
 * gives its first sentence when it is `best`. Returns a heap string ("" when the passages are empty),
 * NULL when memory runs out. */
char *compose_reply(const struct compose_words *cw, const char *best, const char *second, uint32_t fresh);

/* "Title – Heading", or the title alone when `heading` is NULL or "". NULL when memory runs out. */
char *compose_source_title(const char *title, const char *heading);

/* At most 240 code points of `text` (whitespace runs made single spaces) around its first content word,
 * starting and ending on word boundaries, with "…" where text was left out. NULL when memory runs
 * out. */
char *compose_snippet(const struct compose_words *cw, const char *text);

#endif
