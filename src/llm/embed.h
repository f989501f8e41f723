/*
 * embed.h — the OpenAI-compatible embeddings call (api-contracts §6.4): the request body, and the
 * vectors out of the response (llama-server, Ollama, vLLM, OpenAI).
 *
 * Request: {"model": …, "input": ["text", …], "encoding_format": "float" | "base64"}. "input" is always
 * an array, even for one text, so every server answers with a data array.
 * Response: {"object": "list", "data": [{"object": "embedding", "index": i, "embedding": …}, …],
 * "model": …, "usage": {"prompt_tokens": …, "total_tokens": …}}. Items are matched by "index", never by
 * their order; every index 0..n-1 must appear exactly once. An "embedding" is a JSON array of numbers,
 * or (encoding_format "base64") a base64 string (standard alphabet, with or without padding) of
 * little-endian float32 values. All items must have the same dimension, 1..EMBED_DIM_MAX, and every
 * value must be a finite float32.
 *
 * Error bodies ({"error": …}) are not read here: the caller reads them with llm_error_parse
 * (llm/stream.h); embed_parse_response just fails on them with "no data array".
 */
#ifndef BOTWERK_LLM_EMBED_H
#define BOTWERK_LLM_EMBED_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define EMBED_MAX_INPUTS 2048                  /* texts in one request */
#define EMBED_DIM_MAX 8192                     /* largest dimension accepted */
#define EMBED_BODY_MAX ((size_t)64 * 1024 * 1024) /* response bodies above this are refused */

enum embed_rc {
	EMBED_OK = 0,
	EMBED_BAD = -1,     /* not a valid embeddings response for these inputs (message in err) */
	EMBED_NOMEM = -2,   /* out of memory */
	EMBED_TOO_BIG = -3, /* body above EMBED_BODY_MAX, or more values than n vectors can hold */
};

struct embed_result {
	float *vectors;          /* n * dim values: row i (vectors + i * dim) is input i's embedding */
	int n;                   /* rows */
	int dim;                 /* values per row */
	char *model;             /* the response's "model"; NULL when absent or not a string */
	long long prompt_tokens; /* usage.prompt_tokens; -1 when absent or not a non-negative integer */
};

/* The request body for texts[0..n) (1 <= n <= EMBED_MAX_INPUTS), with "model" when model is not NULL
 * and encoding_format "base64" or "float". Returns a new reference, or NULL on a bad argument (a NULL
 * text, n out of range), a text that is not valid UTF-8, or out of memory. */
json_t *embed_request_body(const char *model, const char *const *texts, int n, bool base64);

/* Reads the response body body[0..len) (need not be NUL-terminated) to a request of n_expected
 * texts. On EMBED_OK *out holds the vectors (the caller frees them with embed_result_clear). On any
 * other result *out is empty (nothing to free) and err[0..errlen) holds a NUL-terminated message
 * such as "item 3: dimension 512, expected 768" (err may be NULL when errlen is 0). Before parsing,
 * a body with more commas than n_expected rows of EMBED_DIM_MAX values need (plus slack) is refused
 * as EMBED_TOO_BIG, which bounds the memory the JSON parser can take to about n_expected × 8192
 * values instead of the body's size. */
int embed_parse_response(const char *body, size_t len, int n_expected, struct embed_result *out, char *err,
			 size_t errlen);

/* Frees what *r holds and empties it. Safe on an empty result. */
void embed_result_clear(struct embed_result *r);

#endif
