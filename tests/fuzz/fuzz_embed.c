/*
 * fuzz_embed.c — libFuzzer harness for the embeddings response reader (src/llm/embed.c), which reads
 * whatever the configured embeddings server sends back.
 *
 * Input: the first byte is n_expected (0..255, so bad counts are covered too); the rest is the body,
 * exactly its size (copied, so ASan sees any over-read).
 * Invariants checked (abort on violation):
 *   - no crash, no leak; the result is one of the documented codes;
 *   - on EMBED_OK: n == n_expected, dim in 1..EMBED_DIM_MAX, every value finite, prompt_tokens >= -1,
 *     the message empty;
 *   - otherwise: the result is empty and the message is not;
 *   - the same input parses the same way twice, to the same bits.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "llm/embed.h"

static bool empty(const struct embed_result *r)
{
	return !r->vectors && !r->model && r->n == 0 && r->dim == 0 && r->prompt_tokens == -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct embed_result r, r2;
	char err[256], err2[256];
	char *body;
	int n, rc, rc2;

	if (size < 1)
		return 0;
	n = data[0];
	body = malloc(size - 1 ? size - 1 : 1);
	if (!body)
		return 0;
	memcpy(body, data + 1, size - 1);
	rc = embed_parse_response(body, size - 1, n, &r, err, sizeof err);
	if (rc == EMBED_OK) {
		if (r.n != n || r.dim < 1 || r.dim > EMBED_DIM_MAX || !r.vectors || r.prompt_tokens < -1 || err[0])
			abort();
		for (size_t i = 0; i < (size_t)r.n * (size_t)r.dim; i++)
			if (!isfinite(r.vectors[i]))
				abort();
	} else {
		if (rc != EMBED_BAD && rc != EMBED_NOMEM && rc != EMBED_TOO_BIG)
			abort();
		if (!empty(&r) || !err[0] || !memchr(err, '\0', sizeof err))
			abort();
	}
	rc2 = embed_parse_response(body, size - 1, n, &r2, err2, sizeof err2);
	if (rc2 != rc || strcmp(err, err2) != 0)
		abort();
	if (rc == EMBED_OK &&
	    (r.dim != r2.dim || memcmp(r.vectors, r2.vectors, (size_t)r.n * (size_t)r.dim * sizeof *r.vectors) != 0 ||
	     r.prompt_tokens != r2.prompt_tokens || !r.model != !r2.model || (r.model && strcmp(r.model, r2.model))))
		abort();
	embed_result_clear(&r);
	embed_result_clear(&r2);
	free(body);
	return 0;
}
