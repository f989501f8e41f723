/* api_sources.c — knowledge sources of a bot (text kind): add, list, show, remove. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "jobs/embedder.h"
#include "rag/chunk.h"

#define SOURCE_BODY_CAP (8u * 1024 * 1024)
#define SOURCE_TEXT_MAX 1000000

static const char *const kinds[] = {"text", NULL};

static const struct json_field source_fields[] = {
	{"kind", JF_STRING, true, false, 0, 0, kinds, NULL, NULL, NULL},
	{"title", JF_STRING, true, false, 1, 200, NULL, NULL, NULL, NULL},
	{"text", JF_STRING, true, false, 1, SOURCE_TEXT_MAX, NULL, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

static json_t *source_json(const struct store_source *s)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:o, s:o}", "id", s->id, "bot_id", s->bot_id, "kind",
			 s->kind, "title", s->title, "status", s->status, "chunks", s->chunks, "chars",
			 (json_int_t)s->chars, "created_at", api_time(s->created_at), "updated_at",
			 api_time(s->updated_at));
}

static int source_create(struct req *r)
{
	struct app *app = app_of(r);
	const char *text = json_str(r->json, "text", "");
	size_t len = strlen(text);
	struct chunk_list chunks = {0};
	struct store_chunk_in *in = NULL;
	int rc;

	if (chunk_text(text, len, NULL, &chunks) != 0) {
		rc = resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	if (chunks.n == 0) {
		rc = resp_errorf(r, ERR_VALIDATION, "text", "text must contain some words");
		goto out;
	}
	in = calloc((size_t)chunks.n, sizeof *in);
	if (!in) {
		rc = resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	for (int i = 0; i < chunks.n; i++)
		in[i] = (struct store_chunk_in){.heading = chunks.items[i].heading, .text = chunks.items[i].text, .ord = i};

	struct store_source s = {0};
	crypto_random_id("src", s.id, sizeof s.id);
	snprintf(s.bot_id, sizeof s.bot_id, "%s", req_param(r, 0));
	s.kind = "text";
	s.title = (char *)(uintptr_t)json_str(r->json, "title", "");
	s.status = "done";
	s.chars = (int64_t)json_utf8_chars(text, len);
	s.chunks = chunks.n;
	s.created_at = s.updated_at = clock_now_ms(&app->clock);
	int src = store_source_create(app->store, r->tenant_id, &s, in, chunks.n);
	if (src == STORE_OK)
		embedder_poke(app->embedder); /* the new chunks get their vectors now, not at the next round */
	rc = src == STORE_OK ? resp_json(r, 201, source_json(&s)) : api_store_error(r, src, ERR_BOT_NOT_FOUND, "bot");
out:
	free(in);
	chunk_list_free(&chunks);
	return rc;
}

/* 404 unless the bot in the path belongs to the caller. */
static int require_bot(struct req *r)
{
	struct store_bot b;
	int rc = store_bot_get(app_of(r)->store, r->tenant_id, req_param(r, 0), &b);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_BOT_NOT_FOUND, "bot");
	store_bot_clear(&b);
	return 0;
}

static int source_list(struct req *r)
{
	struct app *app = app_of(r);
	struct page p;
	struct store_source rows[100];
	int n = 0;

	if (api_page_parse(r, &p) != 0 || require_bot(r) != 0)
		return -1;
	int rc = store_source_list(app->store, r->tenant_id, req_param(r, 0), p.after_created,
				   p.has_cursor ? p.after_id : NULL, p.limit, rows, &n);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_BOT_NOT_FOUND, "bot");
	json_t *items = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(items, source_json(&rows[i]));
	json_t *cursor = n > 0 ? api_page_cursor(n, p.limit, rows[n - 1].created_at, rows[n - 1].id) : json_null();
	for (int i = 0; i < n; i++)
		store_source_clear(&rows[i]);
	return resp_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", cursor));
}

static int source_show(struct req *r)
{
	struct store_source s;
	if (require_bot(r) != 0)
		return -1;
	int rc = store_source_get(app_of(r)->store, r->tenant_id, req_param(r, 0), req_param(r, 1), &s);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_SOURCE_NOT_FOUND, "source");
	rc = resp_json(r, 200, source_json(&s));
	store_source_clear(&s);
	return rc;
}

static int source_delete(struct req *r)
{
	if (require_bot(r) != 0)
		return -1;
	int rc = store_source_delete(app_of(r)->store, r->tenant_id, req_param(r, 0), req_param(r, 1));
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_SOURCE_NOT_FOUND, "source");
	return resp_empty(r, 204);
}

const struct route api_sources_routes[] = {
	{"POST", "/api/v1/bots/{id}/sources", source_create, AUTH_KEY, SOURCE_BODY_CAP, source_fields, false},
	{"GET", "/api/v1/bots/{id}/sources", source_list, AUTH_KEY, 0, NULL, false},
	{"GET", "/api/v1/bots/{id}/sources/{sid}", source_show, AUTH_KEY, 0, NULL, false},
	{"DELETE", "/api/v1/bots/{id}/sources/{sid}", source_delete, AUTH_KEY, 0, NULL, false},
};
const size_t api_sources_routes_count = sizeof api_sources_routes / sizeof api_sources_routes[0];
