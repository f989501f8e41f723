/*
 * embed_client.h — asking an OpenAI-compatible embeddings endpoint (api-contracts §6.4) over the
 * process's HTTP client: the background embedder's batches and a visitor question's single vector.
 *
 * The response is read with llm/embed.h (vectors matched by index, checked); error bodies with
 * llm/stream.h's reader. Every read is capped. No retries here: the embedder tries the batch again on its
 * next round, and a question whose embedding is late is answered by full text.
 */
#ifndef BOTWERK_LLM_EMBED_CLIENT_H
#define BOTWERK_LLM_EMBED_CLIENT_H

#include <stdatomic.h>
#include <stdint.h>

#include "llm/config.h"
#include "llm/embed.h"
#include "net/httpc.h"

/* Called once, on the HTTP client's thread: res->vectors on success (owned by the callee: it may take
 * them by zeroing res), or err set. */
typedef void (*embed_done_fn)(void *ud, struct embed_result *res, const char *err);

/* Starts one request for texts[0..n). Its transfer id (for httpc_cancel), or 0 when it could not start
 * (done is then not called). */
uint64_t embed_start(struct httpc *http, const struct llm_config *cfg, const char *const *texts, int n, long timeout_ms,
		embed_done_fn done, void *ud);

/* The same, waiting for the answer (for threads that may block: the embedder); the request is cancelled
 * once *stop becomes true (checked every 100 ms; stop may be NULL). 0 with *out filled, or -1 with err. */
int embed_wait(struct httpc *http, const struct llm_config *cfg, const char *const *texts, int n, long timeout_ms,
	       const atomic_bool *stop, struct embed_result *out, char *err, size_t errlen);

#endif
