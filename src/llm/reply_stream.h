/*
 * reply_stream.h — the visible part of a model's reply while it streams: the text of "reply" out of
 * {"reply": "…", "profile": {…}, "intent": "…"} as its tokens arrive, or the model's plain text when it
 * ignored the JSON instruction. The companion of reply.h: llm_reply_parse reads the whole output at the
 * end and its reply is the final text; this is only the preview the visitor watches grow, so it may lag
 * or stop early, but it never shows JSON syntax, never splits a code point and never holds a NUL.
 *
 * Modes (decided on the model's bytes, one at a time, so the result never depends on how they were split):
 *   - Leading white space is skipped. Lines whose first non-blank characters are ``` (fences, with or
 *     without a language tag) are dropped everywhere outside JSON, like reply.c's plain-text fallback.
 *   - JSON mode starts at a '{' that is the first visible character (after white space and fence lines),
 *     or at any later '{' followed, after white space, by '"' (the shape of an object with keys; "{Name}"
 *     in prose is not one).
 *   - Anything else is plain text, but the first REPLY_STREAM_HOLD_MAX visible bytes are held back: a
 *     chatty prefix ("Hier ist die Antwort:\n```json\n{…") that turns into JSON within them is dropped
 *     unseen. Past that, plain text streams; should JSON still start later, the plain text already shown
 *     stays and the JSON's reply text continues it (raw JSON is never shown).
 *   - reply_stream_finish flushes what plain text still holds back. A '{' first that never becomes an
 *     object with keys ("{Name}, willkommen") shows nothing: the final text comes from llm_reply_parse.
 *
 * JSON mode: a small tokenizer follows nesting ({ and [ alike) and strings. At depth 1, the value of the
 * first key (in document order) among "reply", "answer", "response", "antwort", "text", "message" whose
 * value is a string is decoded and shown as it arrives, up to its closing quote; a value that shows
 * nothing (empty or blank) does not count and the search goes on. Keys elsewhere (inside "profile")
 * never count. Once the reply has ended nothing more is shown; an object that ends without one lets the
 * next '{' start another. Decoding follows reply.c's lenient reader, so the preview matches the final
 * text: \n \t \" \\ \/ \b \f \r and \uXXXX (surrogate pairs joined; a lone surrogate becomes U+FFFD);
 * an unknown escape \x gives x itself; a "\u" not followed by four hex digits is dropped (what follows
 * it stays); at depth 1 a '"' ends a string value only when the next non-blank character is ',', '}' or
 * ']' (an unescaped quote inside the text stays text).
 *
 * What is shown, in both modes: invalid UTF-8 is dropped (never replaced, so the preview never outgrows
 * the input), so are control characters other than \n and \t (hence \r and NUL); the text is trimmed of
 * ' ', \t and \n at both ends (trailing blanks are held back until more text follows). For an output
 * llm_reply_parse reads as an object whose reply comes from the same key, the preview equals
 * trim(drop_controls(that reply)) — exactly, unless the reply ends in a run of more than
 * REPLY_STREAM_WS_MAX blanks, which may then partly show. The preview never has more bytes than were fed.
 *
 * Memory: one fixed-size allocation in reply_stream_new; feeding allocates nothing, whatever the length.
 */
#ifndef BOTWERK_LLM_REPLY_STREAM_H
#define BOTWERK_LLM_REPLY_STREAM_H

#include <stddef.h>

#define REPLY_STREAM_HOLD_MAX 128 /* visible plain-text bytes held back while JSON may still start */
#define REPLY_STREAM_WS_MAX 64    /* blanks held back (trailing-blank trim, a '"' that may end a string) */

enum reply_stream_mode {
	REPLY_STREAM_EMPTY = 0, /* nothing but white space, fences or invisible bytes so far */
	REPLY_STREAM_PLAIN = 1, /* plain text only */
	REPLY_STREAM_JSON = 2,  /* a JSON object started (possibly after plain text) */
};

/* Receives newly visible reply text: len > 0 bytes of valid UTF-8 without NUL, whole code points, not
 * NUL-terminated, valid only during the call. Returns 0 to go on, non-zero to stop the stream. */
typedef int (*reply_emit_fn)(const char *text, size_t len, void *ud);

struct reply_stream;

/* A new extractor; NULL when memory runs out. Free with reply_stream_free. */
struct reply_stream *reply_stream_new(void);

/* Feeds buf[0..len), the next bytes of the model's output, split anywhere (inside a key, an escape, a
 * \uXXXX, a UTF-8 sequence). Calls emit with the text this makes visible, batched: at most one call per
 * feed, plus one per 256 bytes shown. Returns 0; 1 once emit has asked to stop (sticky: later calls
 * emit nothing and return 1); -1 when rs is NULL, or buf is NULL with len > 0. Feeding allocates
 * nothing, so it never fails for lack of memory. After reply_stream_finish, feeding does nothing. */
int reply_stream_feed(struct reply_stream *rs, const char *buf, size_t len, reply_emit_fn emit, void *ud);

/* The end of the output: shows what plain text still held back (the held prefix, a '{' or "``" that
 * turned out to be text) and drops a cut-off escape, UTF-8 sequence or trailing blanks. Returns the
 * enum reply_stream_mode seen. Calling it again emits nothing and returns the same mode. */
int reply_stream_finish(struct reply_stream *rs, reply_emit_fn emit, void *ud);

/* Bytes passed to emit so far. */
size_t reply_stream_emitted(const struct reply_stream *rs);

/* NULL is allowed. */
void reply_stream_free(struct reply_stream *rs);

#endif
