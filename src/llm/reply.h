/*
 * reply.h — reading a model's structured reply {"reply": "…", "profile": {…}, "intent": "…"} out of
 * whatever text the model actually produced.
 *
 * In order:
 *   1. The first balanced {…} in the text (braces inside JSON strings and escaped quotes are skipped)
 *      that parses as a JSON object with a non-empty "reply" string is used: structured = true. Text
 *      around it (chatty prefixes, ``` / ```json fences, trailing remarks) is ignored. A "reply" that is
 *      missing is also looked up under "answer", "response", "antwort", "text" and "message" (small
 *      models rename keys). At most LLM_REPLY_MAX_CANDIDATES opening braces are tried.
 *   2. Otherwise, when an object was cut off (max_tokens hit: an unterminated string or object), the
 *      "reply" string read so far is recovered: whole when its closing quote was seen, else cut after
 *      its last complete sentence (chunk_sentence_end's rules, so "z. B." or "ca." do not end one);
 *      no complete sentence means failure. "intent" and "profile" are taken when they were complete.
 *      structured = truncated = true.
 *   3. Otherwise the raw text, trimmed, with fence lines (``` …) removed, is the reply (structured =
 *      false, no profile, no intent) — unless the text is plainly a JSON attempt without a usable reply
 *      (a parsed object without one, a cut-off object, a JSON array or scalar only): then failure, so
 *      that raw JSON never reaches a user.
 * The reply is trimmed; it is valid UTF-8 whenever the input is, never longer than the input, and
 * holds no NUL byte.
 */
#ifndef BOTWERK_LLM_REPLY_H
#define BOTWERK_LLM_REPLY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define LLM_REPLY_MAX_INPUT (1024 * 1024) /* longer texts are refused (LLM_REPLY_TOO_BIG) */
#define LLM_REPLY_MAX_CANDIDATES 32        /* opening braces tried as object starts */

enum llm_reply_result {
	LLM_REPLY_OK = 0,
	LLM_REPLY_NONE = -1,    /* no usable reply: empty, whitespace, JSON without a reply, cut too early */
	LLM_REPLY_NOMEM = -2,
	LLM_REPLY_TOO_BIG = -3, /* len > LLM_REPLY_MAX_INPUT */
};

struct llm_reply {
	char *reply;       /* owned, NUL-terminated, non-empty after LLM_REPLY_OK */
	json_t *profile;   /* owned reference to the "profile" object, NULL when absent or not an object */
	char *intent;      /* owned, NULL when absent or not a string */
	bool structured;   /* the reply came out of a JSON object */
	bool truncated;    /* the object was cut off and the reply recovered from it */
};

/* Parses text[0..len) (need not be NUL-terminated) into `out`, which is overwritten (not freed first).
 * Returns an enum llm_reply_result; on anything but LLM_REPLY_OK `out` is empty (all NULL/false).
 * Free with llm_reply_clear. */
int llm_reply_parse(const char *text, size_t len, struct llm_reply *out);

/* Frees what `r` owns and zeroes it; NULL is allowed. */
void llm_reply_clear(struct llm_reply *r);

#endif
