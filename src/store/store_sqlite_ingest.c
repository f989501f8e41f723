/*
 * store_sqlite_ingest.c — the SQLite backend's ingestion jobs (store_source_enqueue/claim/progress/
 * finish/requeue/file; migration 007). Every write goes through the single writer, so a claim is one
 * transaction and each queued source goes to exactly one worker.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"

struct enqueue_args {
	const char *tenant_id;
	const struct store_source *src;
	const void *file;
	size_t file_len;
};

static int enqueue_tx(struct conn *c, void *arg)
{
	const struct enqueue_args *a = arg;
	sqlite3_int64 rid = 0;
	int rc = sqlite_bot_rid(c, a->tenant_id, a->src->bot_id, &rid);
	if (rc == STORE_OK)
		rc = sqlite_source_insert(c, a->tenant_id, a->src, rid, NULL, 0);
	if (rc == STORE_OK) {
		sqlite3_stmt *q = sqlite_stmt(c, S_SOURCE_JOB_SET);
		if (!q)
			return STORE_ERROR;
		sqlite_bind_text(q, 1, a->src->id);
		sqlite_bind_text(q, 2, a->src->bot_id);
		sqlite_bind_text(q, 3, a->tenant_id);
		sqlite_bind_text(q, 4, a->src->url);
		sqlite3_bind_int64(q, 5, a->src->created_at);
		rc = sqlite_run(c, q, NULL);
	}
	if (rc == STORE_OK && a->file) {
		sqlite3_stmt *q = sqlite_stmt(c, S_FILE_INSERT);
		if (!q)
			return STORE_ERROR;
		sqlite_bind_text(q, 1, a->src->id);
		sqlite_bind_text(q, 2, a->tenant_id);
		sqlite3_bind_blob64(q, 3, a->file, (sqlite3_uint64)a->file_len, SQLITE_STATIC);
		rc = sqlite_run(c, q, NULL);
	}
	return rc;
}

int sq_source_enqueue(struct store *st, const char *tenant_id, const struct store_source *s, const void *file,
		      size_t file_len)
{
	struct enqueue_args a = {tenant_id, s, file, file_len};
	return sqlite_write(sqlite_of(st), enqueue_tx, &a);
}

struct claim_args {
	int64_t now, lease_ms;
	char tenant_id[STORE_ID_MAX], bot_id[STORE_ID_MAX], id[STORE_ID_MAX];
};

static int claim_tx(struct conn *c, void *arg)
{
	struct claim_args *a = arg;
	sqlite3_stmt *q = sqlite_stmt(c, S_SOURCE_PICK);
	if (!q)
		return STORE_ERROR;
	sqlite3_bind_int64(q, 1, a->now - a->lease_ms);
	int rc = sqlite3_step(q), res = STORE_OK;
	if (rc == SQLITE_ROW) {
		sqlite_col_id(q, 0, a->tenant_id);
		sqlite_col_id(q, 1, a->bot_id);
		sqlite_col_id(q, 2, a->id);
	} else {
		res = rc == SQLITE_DONE ? STORE_NOTFOUND : sqlite_map_rc(rc);
	}
	sqlite_done(q);
	if (res != STORE_OK)
		return res;
	q = sqlite_stmt(c, S_SOURCE_CLAIM);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->id);
	sqlite_bind_text(q, 2, a->bot_id);
	sqlite_bind_text(q, 3, a->tenant_id);
	sqlite3_bind_int64(q, 4, a->now);
	return sqlite_run(c, q, NULL);
}

int sq_source_claim(struct store *st, int64_t now, int64_t lease_ms, struct store_source *out)
{
	struct claim_args a = {.now = now, .lease_ms = lease_ms};
	int rc = sqlite_write(sqlite_of(st), claim_tx, &a);
	if (rc != STORE_OK)
		return rc;
	rc = sq_source_get(st, a.tenant_id, a.bot_id, a.id, out);
	if (rc == STORE_OK)
		snprintf(out->tenant_id, sizeof out->tenant_id, "%s", a.tenant_id);
	return rc;
}

struct progress_args {
	const char *tenant_id, *bot_id, *source_id, *progress;
	int64_t now;
};

static int progress_tx(struct conn *c, void *arg)
{
	const struct progress_args *a = arg;
	sqlite3_stmt *q = sqlite_stmt(c, S_SOURCE_PROGRESS);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->source_id);
	sqlite_bind_text(q, 2, a->bot_id);
	sqlite_bind_text(q, 3, a->tenant_id);
	sqlite_bind_text(q, 4, a->progress);
	sqlite3_bind_int64(q, 5, a->now);
	int changes = 0;
	int rc = sqlite_run(c, q, &changes);
	return rc == STORE_OK && changes == 0 ? STORE_NOTFOUND : rc;
}

int sq_source_progress(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
		       const char *progress, int64_t now)
{
	struct progress_args a = {tenant_id, bot_id, source_id, progress, now};
	return sqlite_write(sqlite_of(st), progress_tx, &a);
}

struct finish_args {
	const char *tenant_id, *bot_id, *source_id, *status, *error, *progress;
	int64_t chars, now;
	const struct store_chunk_in *chunks;
	int n;
};

static int finish_tx(struct conn *c, void *arg)
{
	const struct finish_args *a = arg;
	bool done = !strcmp(a->status, "done");
	int rc = STORE_OK;
	sqlite3_int64 rid = 0;
	if (done) {
		rc = sqlite_bot_rid(c, a->tenant_id, a->bot_id, &rid);
		if (rc == STORE_OK)
			rc = sqlite_run_scoped(c, S_SOURCE_DEL_FTS, a->source_id, a->bot_id, a->tenant_id, NULL);
		if (rc == STORE_OK)
			rc = sqlite_run_scoped(c, S_SOURCE_DEL_CHUNKS, a->source_id, a->bot_id, a->tenant_id, NULL);
		for (int i = 0; rc == STORE_OK && i < a->n; i++)
			rc = sqlite_chunk_insert(c, a->tenant_id, a->bot_id, rid, a->source_id, &a->chunks[i]);
	}
	if (rc != STORE_OK)
		return rc;
	sqlite3_stmt *q = sqlite_stmt(c, S_SOURCE_FINISH);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->source_id);
	sqlite_bind_text(q, 2, a->bot_id);
	sqlite_bind_text(q, 3, a->tenant_id);
	sqlite_bind_text(q, 4, a->status);
	sqlite_bind_text(q, 5, a->error);
	sqlite_bind_text(q, 6, a->progress);
	sqlite3_bind_int64(q, 7, a->chars);
	sqlite3_bind_int(q, 8, a->n);
	sqlite3_bind_int64(q, 9, a->now);
	int changes = 0;
	rc = sqlite_run(c, q, &changes);
	if (rc == STORE_OK && changes == 0)
		return STORE_NOTFOUND; /* deleted meanwhile: the transaction (and its chunks) is rolled back */
	if (rc == STORE_OK && done)
		rc = sqlite_knowledge_bump(c, a->tenant_id, a->bot_id);
	return rc;
}

int sq_source_finish(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
		     const char *status, const char *error, const char *progress, int64_t chars,
		     const struct store_chunk_in *chunks, int n, int64_t now)
{
	struct finish_args a = {tenant_id, bot_id, source_id, status, error, progress, chars, now, chunks, n};
	return sqlite_write(sqlite_of(st), finish_tx, &a);
}

struct requeue_args {
	const char *tenant_id, *bot_id, *source_id;
	int64_t now;
};

static int requeue_tx(struct conn *c, void *arg)
{
	const struct requeue_args *a = arg;
	sqlite3_stmt *q = sqlite_stmt(c, S_SOURCE_REQUEUE);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->source_id);
	sqlite_bind_text(q, 2, a->bot_id);
	sqlite_bind_text(q, 3, a->tenant_id);
	sqlite3_bind_int64(q, 4, a->now);
	int changes = 0;
	int rc = sqlite_run(c, q, &changes);
	return rc == STORE_OK && changes == 0 ? STORE_CONFLICT : rc;
}

int sq_source_requeue(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
		      int64_t now)
{
	struct store_source s;
	int rc = sq_source_get(st, tenant_id, bot_id, source_id, &s); /* 404 before 409 */
	if (rc != STORE_OK)
		return rc;
	store_source_clear(&s);
	struct requeue_args a = {tenant_id, bot_id, source_id, now};
	return sqlite_write(sqlite_of(st), requeue_tx, &a);
}

int sq_source_file(struct store *st, const char *tenant_id, const char *source_id, void **data, size_t *len)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_FILE_GET) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, source_id);
	sqlite_bind_text(q, 2, tenant_id);
	int rc = sqlite3_step(q), res;
	if (rc == SQLITE_ROW) {
		size_t n = (size_t)sqlite3_column_bytes(q, 0);
		const void *b = sqlite3_column_blob(q, 0);
		void *copy = malloc(n ? n : 1);
		if (!copy) {
			res = STORE_NOMEM;
		} else {
			if (n)
				memcpy(copy, b, n);
			*data = copy;
			*len = n;
			res = STORE_OK;
		}
	} else {
		res = rc == SQLITE_DONE ? STORE_NOTFOUND : sqlite_map_rc(rc);
	}
	sqlite_done(q);
	return res;
}
