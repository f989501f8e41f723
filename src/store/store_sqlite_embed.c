/*
 * store_sqlite_embed.c — the SQLite backend's chunk embeddings (store_embed_*; migration 006). Reads run
 * on the calling thread's connection; writes go through the writer like every other write.
 */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"

int sq_embed_pending(struct store *st, const char *tenant_id, const char *bot_id, const char *model, int limit,
		     struct store_embed_row **out, int *n)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_EMBED_PENDING) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, bot_id);
	sqlite_bind_text(q, 2, tenant_id);
	sqlite_bind_text(q, 3, model);
	sqlite3_bind_int(q, 4, limit);
	struct store_embed_row *rows = NULL;
	int count = 0, cap = 0, rc = SQLITE_DONE, res = STORE_OK;
	while (count < limit && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (!sqlite_grow((void **)&rows, &cap, count, limit, sizeof *rows)) {
			res = STORE_NOMEM;
			break;
		}
		bool ok = true;
		struct store_embed_row *r = &rows[count];
		memset(r, 0, sizeof *r);
		r->chunk_id = sqlite3_column_int64(q, 0);
		r->title = sqlite_col_dup(q, 1, &ok);
		r->heading = sqlite_col_dup(q, 2, &ok);
		r->text = sqlite_col_dup(q, 3, &ok);
		count++;
		if (!ok) {
			res = STORE_NOMEM;
			break;
		}
	}
	if (res == STORE_OK && count < limit && rc != SQLITE_DONE)
		res = sqlite_map_rc(rc);
	sqlite_done(q);
	if (res != STORE_OK) {
		while (count > 0)
			store_embed_row_clear(&rows[--count]);
		free(rows);
		return res;
	}
	*out = rows;
	*n = count;
	return STORE_OK;
}

struct put_args {
	const char *tenant_id, *bot_id, *model;
	int n;
	const int64_t *ids;
	const char *const *vectors;
};

static int put_tx(struct conn *c, void *arg)
{
	const struct put_args *a = arg;
	int rc = STORE_OK;
	for (int i = 0; i < a->n && rc == STORE_OK; i++) {
		sqlite3_stmt *q = sqlite_stmt(c, S_EMBED_PUT);
		if (!q)
			return STORE_ERROR;
		sqlite_bind_text(q, 1, a->bot_id);
		sqlite_bind_text(q, 2, a->tenant_id);
		sqlite_bind_text(q, 3, a->model);
		sqlite_bind_text(q, 4, a->vectors[i]);
		sqlite3_bind_int64(q, 5, a->ids[i]);
		rc = sqlite_run(c, q, NULL); /* a chunk deleted meanwhile changes nothing: fine */
	}
	return rc;
}

int sq_embed_put(struct store *st, const char *tenant_id, const char *bot_id, const char *model, int n,
		 const int64_t *chunk_ids, const char *const *vectors_b64)
{
	struct put_args a = {tenant_id, bot_id, model, n, chunk_ids, vectors_b64};
	return sqlite_write(sqlite_of(st), put_tx, &a);
}

int sq_embed_load(struct store *st, const char *tenant_id, const char *bot_id, const char *model,
		  store_embed_fn emit, void *ud)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_EMBED_LOAD) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, bot_id);
	sqlite_bind_text(q, 2, tenant_id);
	sqlite_bind_text(q, 3, model);
	int rc, res = STORE_OK;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(q, 1);
		if (!v)
			continue;
		const unsigned char *title = sqlite3_column_text(q, 2), *heading = sqlite3_column_text(q, 3),
				    *text = sqlite3_column_text(q, 4);
		struct store_embed_vec row = {sqlite3_column_int64(q, 0), (const char *)v, title ? (const char *)title : "",
					      heading ? (const char *)heading : "", text ? (const char *)text : ""};
		if ((res = emit(ud, &row)) != 0)
			break;
	}
	if (res == STORE_OK && rc != SQLITE_DONE)
		res = sqlite_map_rc(rc);
	sqlite_done(q);
	return res;
}

int sq_embed_count(struct store *st, const char *tenant_id, const char *bot_id, const char *model, int64_t *total,
		   int64_t *done)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_EMBED_COUNT) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, bot_id);
	sqlite_bind_text(q, 2, tenant_id);
	sqlite_bind_text(q, 3, model);
	int rc = sqlite3_step(q);
	int res = rc == SQLITE_ROW ? STORE_OK : sqlite_map_rc(rc);
	if (res == STORE_OK) {
		*total = sqlite3_column_int64(q, 0);
		*done = sqlite3_column_int64(q, 1);
	}
	sqlite_done(q);
	return res;
}
