/*
 * client.h — chat completions against an OpenAI-compatible server (llama-server, Ollama, vLLM;
 * api-contracts §6), streamed, over the process's HTTP client (net/httpc.h).
 *
 * One call = one streamed request, retried only where a retry can help and only before any text was
 * delivered: connection failures, 429 (waiting Retry-After when it fits) and 503 (a model still
 * loading). Never on other statuses: llama-server answers malformed requests with 500, and a retry would
 * fail the same way. All attempts share the first-token deadline (config timeout_ms), so a dead or slow
 * model costs the visitor at most that long before the caller answers without it.
 *
 * A circuit breaker per endpoint (base URL): LLM_BREAKER_FAILURES failures in a row (unreachable, timed
 * out, broken stream; not refusals like 400/401) open it for LLM_BREAKER_OPEN_S seconds, during which
 * calls fail at once with LLM_E_UNAVAILABLE; then one call is let through as a probe, and its success
 * closes the breaker.
 *
 * Streamed text is read with llm/stream.h (mid-stream errors after a 200, llama.cpp's "error:" line,
 * pings, reasoning dropped). A server that answers a streamed request with one whole JSON completion is
 * understood too. What is read is capped (LLM_TEXT_MAX bytes of text).
 */
#ifndef BOTWERK_LLM_CLIENT_H
#define BOTWERK_LLM_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "llm/config.h"
#include "llm/stream.h"
#include "net/httpc.h"

#define LLM_BREAKER_FAILURES 5
#define LLM_BREAKER_OPEN_S 30.0
#define LLM_MAX_ATTEMPTS 3
#define LLM_TEXT_MAX (64 * 1024)

enum llm_status {
	LLM_OK = 0,
	LLM_E_UNAVAILABLE, /* unreachable, 5xx after retries, 429 past the deadline, breaker open */
	LLM_E_TIMEOUT,     /* no first token in time, stalled, or past the total time */
	LLM_E_REJECTED,    /* the server refused the request (4xx, 500 on malformed input) */
	LLM_E_STREAM,      /* an error inside the stream, a stream cut before its end, garbage */
	LLM_E_CANCELLED,
	LLM_E_NOMEM,
};

struct llm_outcome {
	enum llm_status status;
	const char *text;          /* all content text received (also on failure), NUL-terminated */
	size_t text_len;
	const char *finish_reason; /* "stop", "length", …; NULL when none came */
	struct llm_usage usage;    /* -1s when the server sent none */
	int http_status;           /* of the last attempt, 0 when none */
	int attempts;
	double first_token_s;      /* from the call's start, -1 when no token came */
	double total_s;
	size_t malformed;          /* malformed chunks skipped */
	char message[256];         /* what went wrong, for logs; "" on LLM_OK */
};

struct llm_callbacks {
	/* Content text as it arrives (not NUL-terminated). May be NULL. */
	void (*on_delta)(void *ud, const char *text, size_t len);
	/* Exactly once, last. The outcome's pointers are valid during the call only. */
	void (*on_done)(void *ud, const struct llm_outcome *o);
	void *ud;
};

struct llm_client;
struct llm_call;

struct llm_client *llm_client_new(struct httpc *http);
void llm_client_free(struct llm_client *c);

/* Starts a chat completion with `messages` (an array of {role, content}; read, not kept). Returns the
 * call (release it with llm_call_release), or NULL when it could not start: out of memory, or the
 * endpoint's breaker is open (then *why says so) — no callback is made then. Callbacks come on the HTTP
 * client's thread; on_done may come before llm_chat returns. */
struct llm_call *llm_chat(struct llm_client *c, const struct llm_config *cfg, const json_t *messages,
			  const struct llm_callbacks *cb, enum llm_status *why);

/* Stops the call (on_done follows with LLM_E_CANCELLED unless it already came). Any thread. */
void llm_call_cancel(struct llm_call *call);
/* The caller's reference is given up; the call is freed once it is also done. */
void llm_call_release(struct llm_call *call);

/* The request body llm_chat sends (for tests and logs). New reference or NULL. */
json_t *llm_chat_body(const struct llm_config *cfg, const json_t *messages);

struct llm_client_stats {
	uint64_t calls, ok, unavailable, timeouts, rejected, stream_errors, cancelled, retries, breaker_refusals;
};
void llm_client_stats(struct llm_client *c, struct llm_client_stats *out);

const char *llm_status_name(enum llm_status s);

#endif
