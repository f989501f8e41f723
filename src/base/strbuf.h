/*
 * strbuf.h — a growable NUL-terminated string for code that builds text piece by piece (answers, chunks,
 * prompts, emails, SQL, exports). An append that runs out of memory, or would pass `max`, fails the
 * buffer: later appends do nothing, so a builder checks once at the end (strbuf_take) instead of after
 * every piece.
 *
 *   struct strbuf b = {.max = 64 * 1024};   // or {0}: no limit
 *   strbuf_adds(&b, "Hallo ");
 *   strbuf_add(&b, name, len);
 *   char *s = strbuf_take(&b);              // NULL when it failed; the caller frees s
 */
#ifndef BOTWERK_BASE_STRBUF_H
#define BOTWERK_BASE_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *p;      /* NUL-terminated once anything was added; owned */
	size_t len;   /* bytes in p, without the NUL */
	size_t cap;
	size_t max;   /* 0: no limit; more than max bytes fails the buffer */
	bool failed;  /* sticky: memory ran out or max was passed */
};

void strbuf_add(struct strbuf *b, const char *s, size_t n);
void strbuf_adds(struct strbuf *b, const char *s);
void strbuf_addc(struct strbuf *b, char c);
/* The text, owned by the caller ("" when nothing was added), or NULL when the buffer failed (its memory is
 * freed then). The buffer is empty afterwards, with its max kept. */
char *strbuf_take(struct strbuf *b);
/* Empties the buffer and keeps its memory for reuse (a failed buffer stays failed). */
void strbuf_reset(struct strbuf *b);
/* Frees the text; the buffer is empty afterwards, with its max kept. */
void strbuf_free(struct strbuf *b);

#endif
