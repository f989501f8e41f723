/* store_pg_embed.c — the PostgreSQL backend's chunk embeddings (store_embed_*; migration 006). */
#include <stdlib.h>
#include <string.h>

#include "store/pg_int.h"

int pg_embed_pending(struct store *st, const char *tenant_id, const char *bot_id, const char *model, int limit,
		     struct store_embed_row **out, int *n)
{
	struct pg_num nl;
	const char *p[] = {tenant_id, bot_id, model, pg_num(&nl, limit)};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_EMBED_PENDING, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	int got = PQntuples(res), i = 0;
	if (got > limit)
		got = limit;
	struct store_embed_row *rows = got > 0 ? calloc((size_t)got, sizeof *rows) : NULL;
	if (got > 0 && !rows) {
		rc = STORE_NOMEM;
		goto out;
	}
	for (i = 0; i < got; i++) {
		bool ok = true;
		rows[i].chunk_id = pg_col_i64(res, i, 0);
		rows[i].title = pg_col_dup(res, i, 1, &ok);
		rows[i].heading = pg_col_dup(res, i, 2, &ok);
		rows[i].text = pg_col_dup(res, i, 3, &ok);
		if (!ok) {
			rc = STORE_NOMEM;
			i++;
			break;
		}
	}
	if (rc != STORE_OK) {
		while (i-- > 0)
			store_embed_row_clear(&rows[i]);
		free(rows);
		goto out;
	}
	*out = rows;
	*n = got;
out:
	PQclear(res);
	return rc;
}

int pg_embed_put(struct store *st, const char *tenant_id, const char *bot_id, const char *model, int n,
		 const int64_t *chunk_ids, const char *const *vectors_b64)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = pg_tx_begin(c)) == STORE_OK) {
		for (int i = 0; i < n && rc == STORE_OK; i++) {
			struct pg_num id;
			const char *p[] = {tenant_id, bot_id, model, vectors_b64[i], pg_num(&id, chunk_ids[i])};
			rc = pg_cmd(c, Q_EMBED_PUT, p, NULL);
		}
		rc = pg_tx_end(c, rc);
	}
	pg_pool_release(ps, c);
	return rc;
}

int pg_embed_load(struct store *st, const char *tenant_id, const char *bot_id, const char *model,
		  store_embed_fn emit, void *ud)
{
	const char *p[] = {tenant_id, bot_id, model};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_EMBED_LOAD, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	int got = PQntuples(res);
	for (int i = 0; i < got && rc == STORE_OK; i++)
		if (!PQgetisnull(res, i, 1)) {
			struct store_embed_vec row = {pg_col_i64(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
						      PQgetvalue(res, i, 3), PQgetvalue(res, i, 4)};
			rc = emit(ud, &row);
		}
	PQclear(res);
	return rc;
}

int pg_embed_count(struct store *st, const char *tenant_id, const char *bot_id, const char *model, int64_t *total,
		   int64_t *done)
{
	const char *p[] = {tenant_id, bot_id, model};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_EMBED_COUNT, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	if (PQntuples(res) == 1) {
		*total = pg_col_i64(res, 0, 0);
		*done = pg_col_i64(res, 0, 1);
	} else {
		rc = STORE_ERROR;
	}
	PQclear(res);
	return rc;
}
