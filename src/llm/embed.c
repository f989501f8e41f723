/*
 * embed.c — embeddings request body and response reader (see embed.h for the contract).
 *
 * The response is parsed with jansson, after a cheap pass that refuses bodies with far more values
 * than the request can have produced (jansson takes some 40 bytes per number). Items are then checked
 * one by one in their order in the array: the first problem found is the one reported.
 */
#include "llm/embed.h"

#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Commas a body may hold beyond n_expected * EMBED_DIM_MAX: the items' own keys, model, usage, … */
#define COMMAS_PER_ITEM 16
#define COMMAS_SLACK 4096
/* Longest base64 text of EMBED_DIM_MAX float32 values (padded). */
#define B64_MAX (((size_t)EMBED_DIM_MAX * 4 + 2) / 3 * 4)

json_t *embed_request_body(const char *model, const char *const *texts, int n, bool base64)
{
	json_t *body = NULL, *input = NULL;

	if (!texts || n < 1 || n > EMBED_MAX_INPUTS)
		return NULL;
	body = json_object();
	input = json_array();
	if (!body || !input)
		goto fail;
	for (int i = 0; i < n; i++)
		if (!texts[i] || json_array_append_new(input, json_string(texts[i])) != 0)
			goto fail;
	if (model && json_object_set_new(body, "model", json_string(model)) != 0)
		goto fail;
	if (json_object_set_new(body, "input", input) != 0) {
		input = NULL; /* json_object_set_new released it */
		goto fail;
	}
	input = NULL;
	if (json_object_set_new(body, "encoding_format", json_string(base64 ? "base64" : "float")) != 0)
		goto fail;
	return body;
fail:
	json_decref(input);
	json_decref(body);
	return NULL;
}

void embed_result_clear(struct embed_result *r)
{
	if (!r)
		return;
	free(r->vectors);
	free(r->model);
	*r = (struct embed_result){.prompt_tokens = -1};
}

/* ---- reading ------------------------------------------------------------------------------------ */

/* What one parse works with. */
struct reader {
	struct embed_result *out;
	unsigned char *seen; /* [n]: index already read */
	unsigned char *bin;  /* base64 scratch, EMBED_DIM_MAX * 4 bytes, allocated on first use */
	char *err;
	size_t errlen;
};

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(struct reader *rd, int rc, const char *fmt, ...)
{
	va_list ap;

	if (rd->err && rd->errlen) {
		va_start(ap, fmt);
		vsnprintf(rd->err, rd->errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Sets the result's dimension from the first item read (allocating the rows), or checks that a later
 * item has the same. */
static int take_dim(struct reader *rd, long long index, size_t dim)
{
	struct embed_result *o = rd->out;

	if (dim == 0)
		return fail(rd, EMBED_BAD, "item %lld: empty embedding", index);
	if (o->dim == 0) {
		if (dim > EMBED_DIM_MAX)
			return fail(rd, EMBED_BAD, "item %lld: dimension %zu above the maximum %d", index, dim,
				    EMBED_DIM_MAX);
		o->vectors = malloc((size_t)o->n * dim * sizeof *o->vectors);
		if (!o->vectors)
			return fail(rd, EMBED_NOMEM, "out of memory");
		o->dim = (int)dim;
	} else if (dim != (size_t)o->dim) {
		return fail(rd, EMBED_BAD, "item %lld: dimension %zu, expected %d", index, dim, o->dim);
	}
	return EMBED_OK;
}

static int read_array(struct reader *rd, long long index, const json_t *arr)
{
	size_t dim = json_array_size(arr);
	float *row;
	int rc = take_dim(rd, index, dim);

	if (rc != EMBED_OK)
		return rc;
	row = rd->out->vectors + (size_t)index * dim;
	for (size_t i = 0; i < dim; i++) {
		const json_t *v = json_array_get(arr, i);
		float f;

		if (!json_is_number(v))
			return fail(rd, EMBED_BAD, "item %lld: value %zu is not a number", index, i);
		f = (float)json_number_value(v);
		if (!isfinite(f))
			return fail(rd, EMBED_BAD, "item %lld: value %zu is outside the float32 range", index, i);
		row[i] = f;
	}
	return EMBED_OK;
}

static int read_base64(struct reader *rd, long long index, const json_t *str)
{
	const char *b64 = json_string_value(str);
	size_t b64_len = json_string_length(str), n = 0, dim;
	float *row;
	int rc;

	if (b64_len > B64_MAX)
		return fail(rd, EMBED_BAD, "item %lld: base64 of %zu characters, more than %d values", index, b64_len,
			    EMBED_DIM_MAX);
	if (!rd->bin) {
		rd->bin = malloc((size_t)EMBED_DIM_MAX * 4);
		if (!rd->bin)
			return fail(rd, EMBED_NOMEM, "out of memory");
	}
	if (sodium_base642bin(rd->bin, (size_t)EMBED_DIM_MAX * 4, b64, b64_len, NULL, &n, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 &&
	    sodium_base642bin(rd->bin, (size_t)EMBED_DIM_MAX * 4, b64, b64_len, NULL, &n, NULL,
			      sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0)
		return fail(rd, EMBED_BAD, "item %lld: invalid base64", index);
	if (n % 4 != 0)
		return fail(rd, EMBED_BAD, "item %lld: base64 holds %zu bytes, not whole float32 values", index, n);
	dim = n / 4;
	rc = take_dim(rd, index, dim);
	if (rc != EMBED_OK)
		return rc;
	row = rd->out->vectors + (size_t)index * dim;
	for (size_t i = 0; i < dim; i++) {
		const unsigned char *p = rd->bin + 4 * i;
		uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;

		memcpy(&row[i], &u, sizeof u);
		if (!isfinite(row[i]))
			return fail(rd, EMBED_BAD, "item %lld: value %zu is not finite", index, i);
	}
	return EMBED_OK;
}

/* data[pos]: an object with an unseen "index" in 0..n-1 and an "embedding". */
static int read_item(struct reader *rd, size_t pos, const json_t *item)
{
	const json_t *jindex, *emb;
	long long index;

	if (!json_is_object(item))
		return fail(rd, EMBED_BAD, "data[%zu] is not an object", pos);
	jindex = json_object_get(item, "index");
	if (!json_is_integer(jindex))
		return fail(rd, EMBED_BAD, "data[%zu] has no integer index", pos);
	index = json_integer_value(jindex);
	if (index < 0 || index >= rd->out->n)
		return fail(rd, EMBED_BAD, "data[%zu]: index %lld out of range 0..%d", pos, index, rd->out->n - 1);
	if (rd->seen[index])
		return fail(rd, EMBED_BAD, "data[%zu]: index %lld appears twice", pos, index);
	rd->seen[index] = 1;
	emb = json_object_get(item, "embedding");
	if (json_is_array(emb))
		return read_array(rd, index, emb);
	if (json_is_string(emb))
		return read_base64(rd, index, emb);
	return fail(rd, EMBED_BAD, "item %lld: embedding is neither an array nor a base64 string", index);
}

/* model and usage.prompt_tokens, when present. */
static int read_meta(struct reader *rd, const json_t *root)
{
	const json_t *model = json_object_get(root, "model");
	const json_t *pt = json_object_get(json_object_get(root, "usage"), "prompt_tokens");

	if (json_is_string(model)) {
		rd->out->model = strdup(json_string_value(model));
		if (!rd->out->model)
			return fail(rd, EMBED_NOMEM, "out of memory");
	}
	if (json_is_integer(pt) && json_integer_value(pt) >= 0)
		rd->out->prompt_tokens = json_integer_value(pt);
	return EMBED_OK;
}

int embed_parse_response(const char *body, size_t len, int n_expected, struct embed_result *out, char *err,
			 size_t errlen)
{
	struct reader rd = {.out = out, .err = err, .errlen = errlen};
	json_t *root = NULL, *data;
	json_error_t je;
	size_t commas = 0;
	int rc = EMBED_OK;

	if (err && errlen)
		err[0] = '\0';
	if (!out)
		return fail(&rd, EMBED_BAD, "no result to fill");
	*out = (struct embed_result){.prompt_tokens = -1};
	if (!body && len)
		return fail(&rd, EMBED_BAD, "no body");
	if (n_expected < 1 || n_expected > EMBED_MAX_INPUTS)
		return fail(&rd, EMBED_BAD, "%d inputs expected, outside 1..%d", n_expected, EMBED_MAX_INPUTS);
	if (len > EMBED_BODY_MAX)
		return fail(&rd, EMBED_TOO_BIG, "body of %zu bytes, above the %zu-byte cap", len, EMBED_BODY_MAX);
	for (const char *p = body, *end = body + len; p && p < end && (p = memchr(p, ',', (size_t)(end - p))); p++)
		commas++;
	if (commas > (size_t)n_expected * (EMBED_DIM_MAX + COMMAS_PER_ITEM) + COMMAS_SLACK)
		return fail(&rd, EMBED_TOO_BIG, "body holds more values than %d embeddings can", n_expected);

	root = json_loadb(body ? body : "", len, 0, &je);
	if (!root) {
		if (json_error_code(&je) == json_error_out_of_memory)
			return fail(&rd, EMBED_NOMEM, "out of memory");
		return fail(&rd, EMBED_BAD, "not JSON: %s (line %d, column %d)", je.text, je.line, je.column);
	}
	data = json_is_object(root) ? json_object_get(root, "data") : NULL;
	if (!json_is_array(data)) {
		rc = fail(&rd, EMBED_BAD, "no data array");
		goto out;
	}
	out->n = n_expected;
	rd.seen = calloc((size_t)n_expected, 1);
	if (!rd.seen) {
		rc = fail(&rd, EMBED_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < json_array_size(data) && rc == EMBED_OK; i++)
		rc = read_item(&rd, i, json_array_get(data, i));
	for (int i = 0; i < n_expected && rc == EMBED_OK; i++)
		if (!rd.seen[i])
			rc = fail(&rd, EMBED_BAD, "index %d missing (data has %zu items, expected %d)", i,
				  json_array_size(data), n_expected);
	if (rc == EMBED_OK)
		rc = read_meta(&rd, root);
out:
	free(rd.seen);
	free(rd.bin);
	json_decref(root);
	if (rc != EMBED_OK)
		embed_result_clear(out);
	return rc;
}
