/*
 * chunk.h — splitting knowledge text into passages that can be cited.
 *
 * Input is plain text or markdown. Headings (`#`…`######`, or a line underlined with === / ---) start
 * sections; each chunk remembers its heading path ("Preise > Kurse"). Paragraphs (blank-line separated;
 * list items stay with their paragraph) are packed into chunks of up to `max_chars`, never splitting a
 * sentence unless one sentence alone is longer than that (then it is split at a word boundary).
 * Consecutive chunks of one section overlap by their last sentence when it is ≤ `overlap_chars`.
 * Markdown markup that would read badly in an answer is removed from chunk text (emphasis `*`/`_`,
 * heading hashes, link syntax `[text](url)` → `text (url)`, thematic breaks and code fence lines),
 * line breaks inside a paragraph become spaces.
 * In chunk text, paragraphs are separated by a blank line ("\n\n") and each list item starts its own
 * line ("\n"), its marker ("- ", "1. ") kept; runs of spaces and tabs become one space. Sizes count
 * Unicode code points, separators included.
 */
#ifndef BOTWERK_RAG_CHUNK_H
#define BOTWERK_RAG_CHUNK_H

#include <stddef.h>

struct chunk {
	char *heading; /* heading path, "" when the text has no heading before it */
	char *text;    /* UTF-8, NUL-terminated, trimmed */
};

struct chunk_list {
	struct chunk *items;
	int n;
};

struct chunk_opts {
	size_t max_chars;     /* 0 for the default, 1200 */
	size_t overlap_chars; /* 0 for the default, 300 */
};

/* Fills `out` (the caller clears it with chunk_list_free, also on failure). Returns 0, or -1 when memory
 * runs out. Empty or whitespace-only text yields zero chunks. `opts` may be NULL for the defaults. */
int chunk_text(const char *text, size_t len, const struct chunk_opts *opts, struct chunk_list *out);
void chunk_list_free(struct chunk_list *l);

/* Sentence boundaries, shared with the answerer so that chunk overlaps and extracted answers cut text
 * the same way. `start` should be at a non-space byte of text[0..len). Returns the end (exclusive) of
 * the sentence that begins there: just past its closing punctuation (. ! ? …, then closing quotes or
 * brackets, then whitespace or the end of text), or, for a sentence without one, at the next line
 * break or at `len`.
 * Returns `start` only when text[start] is a line break. A period does not end a sentence after a
 * common abbreviation ("ca.", "inkl.", "Nr.", "Str.", "bzw.", "Mo.", "Fr.", "Jan."), after an initial
 * ("A. Müller") or a pair of one-letter abbreviations ("z. B.", "u. a.", "d. h."), after an ordinal of
 * one or two digits that begins the sentence, closes a date or precedes a month ("1. Januar",
 * "24.12."), inside a number ("6.30 Uhr", "29.90 €"), or when a lower-case word follows. */
size_t chunk_sentence_end(const char *text, size_t len, size_t start);

#endif
