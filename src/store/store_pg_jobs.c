/*
 * store_pg_jobs.c — the PostgreSQL backend's durable job queue and webhook intake (migration 008; see
 * docs/internals/jobs.md).
 *
 * A claim is one UPDATE … WHERE id = (SELECT … ORDER BY … LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING …:
 * concurrent claimers, in this process or in others, lock different rows and never wait for each other, so
 * each row goes to exactly one of them. Finishing a job is fenced by its attempt number: a worker whose lease
 * expired (and whose job another worker took) cannot overwrite the newer claim. Inserts under a bot rely on
 * the foreign key to bots, whose check takes FOR KEY SHARE on the bot row (see "Consistency" in pg_int.h).
 *
 * The statements are in store_pg_sql.c (Q_JOB_*, Q_WH_*).
 */
#include <stdlib.h>
#include <string.h>

#include "store/pg_int.h"

#define EXPIRED_SWEEP_MAX 16 /* expired jobs turned dead in one claim before a due one is looked for */

/* Row `row` of a job result (PG_JOB_COLS in store_pg_sql.c) into *out. */
static int job_from_row(const PGresult *r, int row, struct store_job *out)
{
	bool ok = true;
	struct store_job j = {0};
	ok = pg_col_id(r, row, 0, j.id) && pg_col_id(r, row, 1, j.tenant_id) && pg_col_id(r, row, 2, j.bot_id);
	if (!ok)
		return STORE_ERROR;
	j.kind = pg_col_dup(r, row, 3, &ok);
	j.payload = pg_col_dup(r, row, 4, &ok);
	j.status = pg_col_dup(r, row, 5, &ok);
	j.last_error = pg_col_dup(r, row, 6, &ok);
	j.claimed_by = pg_col_dup(r, row, 7, &ok);
	j.dedupe_key = pg_col_dup(r, row, 8, &ok);
	j.cancel_key = pg_col_dup(r, row, 9, &ok);
	j.run_at = pg_col_i64(r, row, 10);
	j.attempts = (int)pg_col_i64(r, row, 11);
	j.max_attempts = (int)pg_col_i64(r, row, 12);
	j.claimed_at = pg_col_i64(r, row, 13);
	j.created_at = pg_col_i64(r, row, 14);
	j.updated_at = pg_col_i64(r, row, 15);
	if (!ok || !j.kind || !j.payload || !j.status) {
		store_job_clear(&j);
		return ok ? STORE_ERROR : STORE_NOMEM;
	}
	*out = j;
	return STORE_OK;
}

/* Row 0 of a webhook-event result (PG_WH_COLS) into *out. */
static int webhook_from_row(const PGresult *r, struct store_webhook *out)
{
	bool ok = true;
	struct store_webhook w = {0};
	if (!pg_col_id(r, 0, 0, w.id) || !pg_col_id(r, 0, 1, w.tenant_id) || !pg_col_id(r, 0, 2, w.bot_id))
		return STORE_ERROR;
	w.provider = pg_col_dup(r, 0, 3, &ok);
	w.kind = pg_col_dup(r, 0, 4, &ok);
	w.provider_id = pg_col_dup(r, 0, 5, &ok);
	w.dedupe_key = pg_col_dup(r, 0, 6, &ok);
	w.payload = pg_col_dup(r, 0, 7, &ok);
	w.received_at = pg_col_i64(r, 0, 8);
	w.claimed_at = pg_col_i64(r, 0, 9);
	w.attempts = (int)pg_col_i64(r, 0, 10);
	if (!ok) {
		store_webhook_clear(&w);
		return STORE_NOMEM;
	}
	*out = w;
	return STORE_OK;
}

/* STORE_OK when statement q (a SELECT 1 …) finds a row, STORE_NOTFOUND when not. */
static int exists(struct pg_store *ps, enum pg_q q, const char *const *params)
{
	PGresult *res = NULL;
	int rc = pg_one(ps, q, params, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	rc = PQntuples(res) > 0 ? STORE_OK : STORE_NOTFOUND;
	PQclear(res);
	return rc;
}

/* ---- jobs --------------------------------------------------------------------------------------------- */

int pg_job_add(struct store *st, const struct store_job_in *j)
{
	struct pg_num nrun, nmax, nnow;
	const char *p[] = {j->id,	      j->tenant_id,	j->bot_id,  j->kind, pg_num(&nrun, j->run_at),
			   j->payload,	      pg_num(&nmax, j->max_attempts), j->dedupe_key, j->cancel_key,
			   pg_num(&nnow, j->now)};
	int64_t affected = 0;
	int rc = pg_one_cmd(pg_of(st), Q_JOB_INSERT, p, &affected);
	if (rc != STORE_OK || affected > 0)
		return rc;
	/* nothing inserted: the dedupe key is taken, or the bot is not the tenant's */
	if (j->dedupe_key) {
		const char *pd[] = {j->tenant_id, j->dedupe_key};
		rc = exists(pg_of(st), Q_JOB_DEDUPE_EXISTS, pd);
		if (rc != STORE_NOTFOUND)
			return rc == STORE_OK ? STORE_CONFLICT : rc;
	}
	return STORE_NOTFOUND;
}

/* Runs one of the claim statements: STORE_OK with *out (running or dead), STORE_NOTFOUND when none. */
static int claim_one(struct pg_store *ps, enum pg_q q, int64_t now, int64_t cutoff, const char *worker_id,
		     struct store_job *out)
{
	struct pg_num nnow, ncut;
	const char *p[] = {pg_num(&nnow, now), pg_num(&ncut, cutoff), worker_id};
	PGresult *res = NULL;
	int rc = pg_one(ps, q, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	rc = PQntuples(res) == 1 ? job_from_row(res, 0, out) : STORE_NOTFOUND;
	PQclear(res);
	return rc;
}

int pg_job_claim(struct store *st, int64_t now, int64_t lease_ms, const char *worker_id, struct store_job *out)
{
	struct pg_store *ps = pg_of(st);
	struct store_job j;
	int rc;
	/* expired leases first: those jobs were due before anything pending now */
	for (int i = 0; i < EXPIRED_SWEEP_MAX; i++) {
		if ((rc = claim_one(ps, Q_JOB_CLAIM_EXPIRED, now, now - lease_ms, worker_id, &j)) == STORE_NOTFOUND)
			break;
		if (rc != STORE_OK)
			return rc;
		if (!strcmp(j.status, "running")) {
			*out = j;
			return STORE_OK;
		}
		store_job_clear(&j); /* it went dead: look further */
	}
	if ((rc = claim_one(ps, Q_JOB_CLAIM_DUE, now, now, worker_id, &j)) != STORE_OK)
		return rc;
	if (strcmp(j.status, "running") != 0) {
		store_job_clear(&j);
		return STORE_NOTFOUND;
	}
	*out = j;
	return STORE_OK;
}

int pg_job_finish(struct store *st, const char *id, int attempt, const char *status, const char *error,
		  int64_t next_run_at, int64_t now)
{
	struct pg_num natt, nnext, nnow;
	const char *p[] = {id, pg_num(&natt, attempt), status, error, pg_num(&nnext, next_run_at), pg_num(&nnow, now)};
	int64_t affected = 0;
	int rc = pg_one_cmd(pg_of(st), Q_JOB_FINISH, p, &affected);
	return rc == STORE_OK && affected == 0 ? STORE_NOTFOUND : rc;
}

int pg_job_cancel_key(struct store *st, const char *tenant_id, const char *cancel_key, int64_t now, int *cancelled)
{
	struct pg_num nnow;
	const char *p[] = {tenant_id, cancel_key, pg_num(&nnow, now)};
	int64_t affected = 0;
	int rc = pg_one_cmd(pg_of(st), Q_JOB_CANCEL, p, &affected);
	if (rc == STORE_OK)
		*cancelled = (int)affected;
	return rc;
}

int pg_job_get(struct store *st, const char *tenant_id, const char *id, struct store_job *out)
{
	const char *p[] = {tenant_id, id};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_JOB_GET, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	rc = PQntuples(res) == 1 ? job_from_row(res, 0, out) : STORE_NOTFOUND;
	PQclear(res);
	return rc;
}

int pg_job_list_dead(struct store *st, const char *tenant_id, const char *after_id, int limit, struct store_job *rows,
		     int *n)
{
	struct pg_num nl;
	const char *p[] = {tenant_id, after_id, pg_num(&nl, limit)};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_JOB_LIST_DEAD, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	int got = PQntuples(res), count = 0;
	if (got > limit)
		got = limit;
	for (; count < got; count++)
		if ((rc = job_from_row(res, count, &rows[count])) != STORE_OK)
			break;
	PQclear(res);
	if (rc != STORE_OK) {
		while (count > 0)
			store_job_clear(&rows[--count]);
		return rc;
	}
	*n = count;
	return STORE_OK;
}

int pg_job_retry_dead(struct store *st, const char *tenant_id, const char *id, int64_t now)
{
	struct pg_num nnow;
	const char *p[] = {tenant_id, id, pg_num(&nnow, now)};
	int64_t affected = 0;
	int rc = pg_one_cmd(pg_of(st), Q_JOB_RETRY, p, &affected);
	if (rc != STORE_OK || affected > 0)
		return rc;
	rc = exists(pg_of(st), Q_JOB_EXISTS, p);
	return rc == STORE_OK ? STORE_CONFLICT : rc;
}

int pg_job_next_run_at(struct store *st, int64_t *run_at)
{
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_JOB_NEXT, NULL, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	if (PQntuples(res) == 1)
		*run_at = pg_col_i64(res, 0, 0);
	else
		rc = STORE_NOTFOUND;
	PQclear(res);
	return rc;
}

/* ---- webhook intake ------------------------------------------------------------------------------------ */

int pg_webhook_put(struct store *st, const struct store_webhook_in *ev, bool *duplicate)
{
	struct pg_num nrec;
	const char *p[] = {ev->id,	     ev->tenant_id,  ev->bot_id, ev->provider, ev->kind,
			   ev->provider_id, ev->dedupe_key, ev->payload, pg_num(&nrec, ev->received_at)};
	int64_t affected = 0;
	int rc = pg_one_cmd(pg_of(st), Q_WH_INSERT, p, &affected);
	if (rc == STORE_OK)
		*duplicate = affected == 0;
	return rc;
}

int pg_webhook_claim(struct store *st, int64_t now, int64_t lease_ms, struct store_webhook *out)
{
	struct pg_num nnow, ncut;
	const char *p[] = {pg_num(&nnow, now), pg_num(&ncut, now - lease_ms)};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_WH_CLAIM, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	rc = PQntuples(res) == 1 ? webhook_from_row(res, out) : STORE_NOTFOUND;
	PQclear(res);
	return rc;
}

int pg_webhook_done(struct store *st, const char *id, int64_t now)
{
	struct pg_num nnow;
	const char *p[] = {id, pg_num(&nnow, now)};
	int64_t affected = 0;
	int rc = pg_one_cmd(pg_of(st), Q_WH_DONE, p, &affected);
	return rc == STORE_OK && affected == 0 ? STORE_NOTFOUND : rc;
}

int pg_prune_finished(struct store *st, int64_t cutoff, int limit, int *events, int *jobs)
{
	struct pg_num nc, nl;
	const char *p[] = {pg_num(&nc, cutoff), pg_num(&nl, limit)};
	int64_t ev = 0, jb = 0;
	int rc = pg_one_cmd(pg_of(st), Q_WH_PRUNE, p, &ev);
	if (rc == STORE_OK)
		rc = pg_one_cmd(pg_of(st), Q_JOB_PRUNE, p, &jb);
	*events = (int)ev;
	*jobs = (int)jb;
	return rc;
}
