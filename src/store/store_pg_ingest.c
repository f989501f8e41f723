/*
 * store_pg_ingest.c — the PostgreSQL backend's ingestion jobs (migration 007). A claim is one UPDATE …
 * WHERE id = (SELECT … FOR UPDATE SKIP LOCKED): several processes never get the same source. Files
 * travel as binary parameters; bytea comes back in the text (hex) form and is unescaped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_int.h"

int pg_source_enqueue(struct store *st, const char *tenant_id, const struct store_source *s, const void *file,
		      size_t file_len)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct pg_num nchars, ncount, ncreated, nupdated;
	if (file_len > (size_t)0x7fffffff)
		return STORE_ERROR;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = pg_tx_begin(c)) != STORE_OK)
		goto out;
	if ((rc = pg_bot_bump(c, tenant_id, s->bot_id, NULL)) != STORE_OK)
		goto end;
	const char *psrc[] = {s->id, tenant_id, s->bot_id, s->kind, s->title, s->status,
			      pg_num(&nchars, s->chars), pg_num(&ncount, 0), pg_num(&ncreated, s->created_at),
			      pg_num(&nupdated, s->updated_at)};
	if ((rc = pg_cmd(c, Q_SOURCE_CREATE, psrc, NULL)) != STORE_OK)
		goto end;
	const char *pj[] = {tenant_id, s->bot_id, s->id, s->url, ncreated.s};
	if ((rc = pg_cmd(c, Q_SOURCE_JOB_SET, pj, NULL)) != STORE_OK)
		goto end;
	if (file) {
		const char *pf[] = {s->id, tenant_id, (const char *)file};
		const int lengths[] = {0, 0, (int)file_len}, formats[] = {0, 0, 1};
		int erc;
		PGresult *res = pg_exec(c, Q_FILE_INSERT, pf, lengths, formats, &erc);
		PQclear(res);
		rc = erc;
	}
end:
	rc = pg_tx_end(c, rc);
out:
	pg_pool_release(ps, c);
	return rc;
}

int pg_source_claim(struct store *st, int64_t now, int64_t lease_ms, struct store_source *out)
{
	struct pg_num nnow, nold;
	const char *p[] = {pg_num(&nnow, now), pg_num(&nold, now - lease_ms)};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_SOURCE_CLAIM, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX], id[STORE_ID_MAX];
	if (PQntuples(res) != 1) {
		PQclear(res);
		return STORE_NOTFOUND;
	}
	bool ok = pg_col_id(res, 0, 0, tenant) && pg_col_id(res, 0, 1, bot) && pg_col_id(res, 0, 2, id);
	PQclear(res);
	if (!ok)
		return STORE_ERROR;
	rc = pg_source_get(st, tenant, bot, id, out);
	if (rc == STORE_OK)
		snprintf(out->tenant_id, sizeof out->tenant_id, "%s", tenant);
	return rc;
}

int pg_source_progress(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
		       const char *progress, int64_t now)
{
	struct pg_num nnow;
	const char *p[] = {tenant_id, bot_id, source_id, progress, pg_num(&nnow, now)};
	int64_t affected = 0;
	int rc = pg_one_cmd(pg_of(st), Q_SOURCE_PROGRESS, p, &affected);
	return rc == STORE_OK && affected == 0 ? STORE_NOTFOUND : rc;
}

int pg_source_finish(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
		     const char *status, const char *error, const char *progress, int64_t chars,
		     const struct store_chunk_in *chunks, int n, int64_t now)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct pg_num nchars, ncount, nnow;
	bool done = !strcmp(status, "done");
	int64_t rid = 0, affected = 0;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = pg_tx_begin(c)) != STORE_OK)
		goto out;
	/* the bot row first (pg_int.h "Consistency"); a replaced source raises the knowledge version */
	rc = done ? pg_bot_bump(c, tenant_id, bot_id, &rid) : pg_bot_lock(c, tenant_id, bot_id, NULL);
	const char *p[] = {tenant_id, bot_id, source_id,	 status,	       error,
			   progress,  pg_num(&nchars, chars), pg_num(&ncount, n), pg_num(&nnow, now)};
	if (rc == STORE_OK)
		rc = pg_cmd(c, Q_SOURCE_FINISH, p, &affected);
	if (rc == STORE_OK && affected == 0)
		rc = STORE_NOTFOUND;
	if (rc == STORE_OK && done) {
		const char *pd[] = {tenant_id, bot_id, source_id};
		rc = pg_cmd(c, Q_SOURCE_DEL_CHUNKS, pd, NULL);
		if (rc == STORE_OK)
			rc = pg_chunks_insert(c, st, tenant_id, bot_id, rid, source_id, chunks, n);
	}
	rc = pg_tx_end(c, rc);
out:
	pg_pool_release(ps, c);
	return rc;
}

int pg_source_requeue(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
		      int64_t now)
{
	struct store_source s;
	int rc = pg_source_get(st, tenant_id, bot_id, source_id, &s); /* 404 before 409 */
	if (rc != STORE_OK)
		return rc;
	store_source_clear(&s);
	struct pg_num nnow;
	const char *p[] = {tenant_id, bot_id, source_id, pg_num(&nnow, now)};
	int64_t affected = 0;
	rc = pg_one_cmd(pg_of(st), Q_SOURCE_REQUEUE, p, &affected);
	return rc == STORE_OK && affected == 0 ? STORE_CONFLICT : rc;
}

int pg_source_file(struct store *st, const char *tenant_id, const char *source_id, void **data, size_t *len)
{
	const char *p[] = {source_id, tenant_id};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_FILE_GET, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return STORE_NOTFOUND;
	}
	size_t n = 0;
	unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 0), &n);
	PQclear(res);
	if (!raw)
		return STORE_NOMEM;
	void *copy = malloc(n ? n : 1);
	if (copy && n)
		memcpy(copy, raw, n);
	PQfreemem(raw);
	if (!copy)
		return STORE_NOMEM;
	*data = copy;
	*len = n;
	return STORE_OK;
}
