/*
 * api_sources.c — knowledge sources of a bot: text (chunked at once), a website to crawl and an uploaded
 * PDF (both queued for the ingestion worker, jobs/ingest.h), with their status and progress; list, show,
 * refresh, remove.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/multipart.h"
#include "jobs/embedder.h"
#include "jobs/ingest.h"
#include "rag/chunk.h"

#define SOURCE_BODY_CAP (21u * 1024 * 1024) /* a 20 MB PDF and the multipart around it */
#define SOURCE_TEXT_MAX 1000000
#define PDF_MAX (20u * 1024 * 1024)

static const char *const kinds[] = {"text", "url", NULL};

/* JSON bodies; a PDF comes as multipart/form-data (kind=pdf, title?, file) */
static const struct json_field source_fields[] = {
	{"kind", JF_STRING, true, false, 0, 0, kinds, NULL, NULL, NULL},
	{"title", JF_STRING, false, false, 1, 200, NULL, NULL, NULL, NULL},
	{"text", JF_STRING, false, false, 1, SOURCE_TEXT_MAX, NULL, NULL, NULL, NULL},
	{"url", JF_STRING, false, false, 0, 2000, NULL, json_check_http_url, "an http:// or https:// URL", NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

static json_t *source_json(const struct store_source *s)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:o, s:o}", "id", s->id, "bot_id", s->bot_id,
			      "kind", s->kind, "title", s->title, "status", s->status, "chunks", s->chunks, "chars",
			      (json_int_t)s->chars, "created_at", api_time(s->created_at), "updated_at",
			      api_time(s->updated_at));
	if (!o)
		return NULL;
	if (s->url)
		json_object_set_new(o, "url", json_string(s->url));
	json_t *progress = s->progress ? json_loads(s->progress, 0, NULL) : NULL;
	if (json_is_object(progress))
		json_object_set_new(o, "progress", progress);
	else
		json_decref(progress);
	json_object_set_new(o, "error", s->error ? json_string(s->error) : json_null());
	return o;
}

/* Queues a source for the ingestion worker and answers 202 with it. */
static int enqueue(struct req *r, struct store_source *s, const void *file, size_t len)
{
	struct app *app = app_of(r);
	crypto_time_id("src", clock_now_ms(&app->clock), s->id, sizeof s->id);
	snprintf(s->bot_id, sizeof s->bot_id, "%s", req_param(r, 0));
	s->status = "queued";
	s->created_at = s->updated_at = clock_now_ms(&app->clock);
	int rc = store_source_enqueue(app->store, r->tenant_id, s, file, len);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_BOT_NOT_FOUND, "bot");
	ingest_poke(app->ingest);
	return resp_json(r, 202, source_json(s));
}

/* A PDF upload: multipart/form-data with kind=pdf, title (optional) and the file in "file". */
static int source_upload(struct req *r)
{
	struct mp_form f;
	char err[200];
	if (mp_parse(r, &f, PDF_MAX, err, sizeof err) != 0)
		return resp_errorf(r, strstr(err, "larger") ? ERR_BODY_TOO_LARGE : ERR_VALIDATION, "file", "%s", err);
	int rc;
	const struct mp_part *kind = mp_get(&f, "kind"), *title = mp_get(&f, "title"), *file = mp_get(&f, "file");
	if (!kind || strcmp(kind->data, "pdf") != 0) {
		rc = resp_errorf(r, ERR_VALIDATION, "kind", "an upload needs kind=pdf");
		goto out;
	}
	if (!file || file->len == 0) {
		rc = resp_errorf(r, ERR_VALIDATION, "file", "the PDF goes in the form field \"file\"");
		goto out;
	}
	/* by content, not by name: "%PDF-" in the first 1024 bytes, as PDF readers accept it */
	size_t head = file->len < 1024 ? file->len : 1024;
	if (!memmem(file->data, head, "%PDF-", 5)) {
		rc = resp_errorf(r, ERR_VALIDATION, "file", "the file is not a PDF");
		goto out;
	}
	if (title && (title->len == 0 || title->len > 200 || json_utf8_chars(title->data, title->len) > 200 ||
		      memchr(title->data, '\0', title->len))) {
		rc = resp_errorf(r, ERR_VALIDATION, "title", "title must be 1-200 characters");
		goto out;
	}
	json_t *check = title ? json_stringn(title->data, title->len) : NULL; /* valid UTF-8? */
	if (title && !check) {
		rc = resp_errorf(r, ERR_VALIDATION, "title", "title must be UTF-8 text");
		goto out;
	}
	json_decref(check);
	struct store_source s = {.kind = "pdf"};
	s.title = title ? title->data : file->filename && file->filename[0] ? file->filename : "PDF";
	rc = enqueue(r, &s, file->data, file->len);
out:
	mp_free(&f);
	return rc;
}

static int source_create(struct req *r)
{
	struct app *app = app_of(r);
	if (r->multipart)
		return source_upload(r);
	const char *kind = json_str(r->json, "kind", "text");
	if (!strcmp(kind, "url")) {
		const char *url = json_str(r->json, "url", NULL);
		if (!url)
			return resp_errorf(r, ERR_VALIDATION, "url", "a url source needs \"url\"");
		struct store_source s = {.kind = "url", .url = (char *)(uintptr_t)url};
		s.title = (char *)(uintptr_t)json_str(r->json, "title", url);
		return enqueue(r, &s, NULL, 0);
	}
	if (!json_str(r->json, "title", NULL))
		return resp_errorf(r, ERR_VALIDATION, "title", "title is required");
	if (!json_str(r->json, "text", NULL))
		return resp_errorf(r, ERR_VALIDATION, "text", "text is required");
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

/* POST …/sources/{sid}/refresh: read the site (or the PDF) again; the new chunks replace the old ones
 * when the run is done, in one transaction. */
static int source_refresh(struct req *r)
{
	struct app *app = app_of(r);
	struct store_source s;
	if (require_bot(r) != 0)
		return -1;
	int rc = store_source_get(app->store, r->tenant_id, req_param(r, 0), req_param(r, 1), &s);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_SOURCE_NOT_FOUND, "source");
	if (!strcmp(s.kind, "text")) {
		store_source_clear(&s);
		return resp_errorf(r, ERR_CONFLICT, NULL, "a text source has nothing to read again: send the new text");
	}
	store_source_clear(&s);
	rc = store_source_requeue(app->store, r->tenant_id, req_param(r, 0), req_param(r, 1), clock_now_ms(&app->clock));
	if (rc == STORE_CONFLICT)
		return resp_errorf(r, ERR_CONFLICT, NULL, "the source is being read right now");
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_SOURCE_NOT_FOUND, "source");
	ingest_poke(app->ingest);
	rc = store_source_get(app->store, r->tenant_id, req_param(r, 0), req_param(r, 1), &s);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_SOURCE_NOT_FOUND, "source");
	rc = resp_json(r, 202, source_json(&s));
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
	{"POST", "/api/v1/bots/{id}/sources", source_create, AUTH_KEY, SOURCE_BODY_CAP, source_fields, ROUTE_MULTIPART},
	{"POST", "/api/v1/bots/{id}/sources/{sid}/refresh", source_refresh, AUTH_KEY, 0, NULL, false},
	{"GET", "/api/v1/bots/{id}/sources", source_list, AUTH_KEY, 0, NULL, false},
	{"GET", "/api/v1/bots/{id}/sources/{sid}", source_show, AUTH_KEY, 0, NULL, false},
	{"DELETE", "/api/v1/bots/{id}/sources/{sid}", source_delete, AUTH_KEY, 0, NULL, false},
};
const size_t api_sources_routes_count = sizeof api_sources_routes / sizeof api_sources_routes[0];
