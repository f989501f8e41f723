/*
 * stream.h — reading a streamed OpenAI-compatible chat completion (llama-server, Ollama, vLLM;
 * api-contracts §6.2) on top of the SSE parser, and the error bodies of non-streamed answers (§6.3).
 *
 * Each SSE event's data is one JSON chunk. Per chunk the reader reports (llm_chunk_fn):
 *   - LLM_CHUNK_DELTA: the text added by choices[0].delta.content (null, absent or "" give ""), the
 *     finish_reason when the chunk has one, and usage when the chunk carries a usage object. A chunk
 *     with none of the three (a role-only first chunk, a reasoning-only chunk, empty choices without
 *     usage) is not reported. delta.reasoning_content / delta.reasoning (the model's thinking) is never
 *     part of the content; its bytes are only counted.
 *   - LLM_CHUNK_DONE: `data: [DONE]`.
 *   - LLM_CHUNK_ERROR: a data payload with a top-level "error" key (servers send errors with HTTP 200
 *     mid-stream), the non-standard `error:` SSE field line (llama.cpp, 2025), or an event of type
 *     "error". The error is reported; reading goes on (llama.cpp sends [DONE] after it) unless the
 *     callback stops.
 * Empty data (`data:`) is skipped. Malformed chunks — data that is not JSON, not an object, or an object
 * with neither "choices" (an array) nor "error" nor "usage" — are counted (llm_stream_stats) and
 * skipped: one garbled chunk costs a few tokens of the reply instead of all of it, and the caller can
 * still decide to reject a reply whose count is not zero. Too many malformed chunks in a row
 * (LLM_STREAM_MAX_MALFORMED) are reported once as an LLM_CHUNK_ERROR (code 0, type "malformed_stream"),
 * so a stream of garbage ends fast.
 */
#ifndef BOTWERK_LLM_STREAM_H
#define BOTWERK_LLM_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#define LLM_STREAM_MAX_MALFORMED 8 /* consecutive malformed chunks before an error is reported */
#define LLM_ERROR_MSG_MAX 512      /* bytes kept of an error message, NUL included */
#define LLM_ERROR_TYPE_MAX 64      /* bytes kept of an error type, NUL included */
#define LLM_ERROR_BODY_MAX (256 * 1024) /* error bodies above this size are not parsed */

/* An error as servers report it: {"error":{"code":…,"message":…,"type":…}}, the flat older vLLM form
 * {"object":"error","message":…,"type":…,"code":…}, or {"error":"text"}. */
struct llm_error {
	int code;                          /* numeric "code" (HTTP-like), 0 when absent or not a number */
	char message[LLM_ERROR_MSG_MAX];   /* "" when none; cut at a UTF-8 boundary when long */
	char type[LLM_ERROR_TYPE_MAX];     /* "" when none */
};

struct llm_usage {
	long long prompt_tokens, completion_tokens, total_tokens; /* -1 when absent */
};

enum llm_chunk_kind {
	LLM_CHUNK_DELTA,
	LLM_CHUNK_DONE,
	LLM_CHUNK_ERROR,
};

/* What one event meant. Pointers are valid only during the callback. */
struct llm_chunk {
	enum llm_chunk_kind kind;
	const char *content;           /* DELTA: the text added, NUL-terminated, "" when none */
	size_t content_len;            /* bytes in content */
	const char *finish_reason;     /* DELTA: "stop", "length", "tool_calls", …; NULL when not set */
	const struct llm_usage *usage; /* DELTA: NULL when the chunk had no usage object */
	const struct llm_error *error; /* ERROR: the error; NULL otherwise */
};

/* Returns 0 to go on, non-zero to stop (llm_stream_feed then returns 1). */
typedef int (*llm_chunk_fn)(const struct llm_chunk *c, void *ud);

struct llm_stream_stats {
	size_t chunks;          /* JSON chunks read (valid ones) */
	size_t malformed;       /* chunks skipped as malformed */
	size_t empty;           /* empty data events skipped */
	size_t pings;           /* SSE comment lines */
	size_t reasoning_bytes; /* bytes of reasoning text dropped */
	size_t errors;          /* LLM_CHUNK_ERROR reported */
	bool done;              /* [DONE] seen */
	bool finished;          /* a finish_reason seen */
	bool pending;           /* the stream holds an unfinished event (cut mid-event) */
};

struct llm_stream;

/* A new reader; max_event_bytes is the SSE event cap (0: SSE_DEFAULT_MAX_EVENT_BYTES). NULL when memory
 * runs out. Free with llm_stream_free. */
struct llm_stream *llm_stream_new(size_t max_event_bytes);

/* Reads the next bytes of the response body and reports each chunk they complete. Returns 0 when all
 * was read, 1 when the callback stopped, -1 when memory ran out, -2 when an event went past the cap.
 * Results other than 0 are sticky. */
int llm_stream_feed(struct llm_stream *s, const char *buf, size_t len, llm_chunk_fn cb, void *ud);

void llm_stream_stats(const struct llm_stream *s, struct llm_stream_stats *out);

void llm_stream_free(struct llm_stream *s);

/* Reads an error from a JSON value already parsed (a json_t *; void * keeps jansson out of this
 * header): error.message/type/code when "error" is an object, the string when "error" is a string,
 * else the top-level message/type/code. Returns 0 when a message was found, -1 otherwise (`out` then
 * holds what was found, message ""). */
int llm_error_from_json(const void *json, struct llm_error *out);

/* Same for a response body body[0..len) (not NUL-terminated; at most LLM_ERROR_BODY_MAX bytes). */
int llm_error_parse(const char *body, size_t len, struct llm_error *out);

/* The message of a non-stream error body (§6.3): error.message when "error" is an object, else the
 * top-level message. Writes it to msg[0..msglen) NUL-terminated, cut at a UTF-8 boundary. Returns 0
 * when found; -1 when not (body not JSON, no message), with msg set to "". */
int llm_parse_error_body(const char *body, size_t len, char *msg, size_t msglen);

#endif
