/*
 * store_sqlite_jobs.c — the SQLite backend's durable job queue and webhook intake (migration 008; see
 * docs/internals/jobs.md).
 *
 * Every claim is a transaction body run by the single writer (sqlite_int.h), so "pick the oldest row and
 * mark it claimed" can never hand one row to two callers: no other write runs in between, in this process
 * or (BEGIN IMMEDIATE) in any other. Webhook intake goes through the writer without waiting
 * (sqlite_write_async_flushed): the events queued while one batch commits share the next commit, which is
 * synced to the disk (synchronous=FULL, whatever the store's default), and each caller hears back only
 * after it.
 *
 * The statements are in the table of store_sqlite.c (S_JOB_*, S_WH_*).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"

#define EXPIRED_SWEEP_MAX 16 /* expired jobs turned dead in one claim before a due one is looked for */

/* ---- rows -------------------------------------------------------------------------------------------- */

/* A job row (JOB_COLS in store_sqlite.c) into *out. */
static int read_job(sqlite3_stmt *q, struct store_job *out)
{
	bool ok = true;
	struct store_job j = {0};
	sqlite_col_id(q, 0, j.id);
	sqlite_col_id(q, 1, j.tenant_id);
	sqlite_col_id(q, 2, j.bot_id);
	j.kind = sqlite_col_dup(q, 3, &ok);
	j.payload = sqlite_col_dup(q, 4, &ok);
	j.status = sqlite_col_dup(q, 5, &ok);
	j.last_error = sqlite_col_dup_null(q, 6, &ok);
	j.claimed_by = sqlite_col_dup_null(q, 7, &ok);
	j.dedupe_key = sqlite_col_dup_null(q, 8, &ok);
	j.cancel_key = sqlite_col_dup_null(q, 9, &ok);
	j.run_at = sqlite3_column_int64(q, 10);
	j.attempts = sqlite3_column_int(q, 11);
	j.max_attempts = sqlite3_column_int(q, 12);
	j.claimed_at = sqlite3_column_int64(q, 13);
	j.created_at = sqlite3_column_int64(q, 14);
	j.updated_at = sqlite3_column_int64(q, 15);
	if (!ok) {
		store_job_clear(&j);
		return STORE_NOMEM;
	}
	*out = j;
	return STORE_OK;
}

/* A webhook-event row (WH_COLS) into *out. */
static int read_webhook(sqlite3_stmt *q, struct store_webhook *out)
{
	bool ok = true;
	struct store_webhook w = {0};
	sqlite_col_id(q, 0, w.id);
	sqlite_col_id(q, 1, w.tenant_id);
	sqlite_col_id(q, 2, w.bot_id);
	w.provider = sqlite_col_dup(q, 3, &ok);
	w.kind = sqlite_col_dup(q, 4, &ok);
	w.provider_id = sqlite_col_dup(q, 5, &ok);
	w.dedupe_key = sqlite_col_dup(q, 6, &ok);
	w.payload = sqlite_col_dup_null(q, 7, &ok);
	w.received_at = sqlite3_column_int64(q, 8);
	w.claimed_at = sqlite3_column_int64(q, 9);
	w.attempts = sqlite3_column_int(q, 10);
	if (!ok) {
		store_webhook_clear(&w);
		return STORE_NOMEM;
	}
	*out = w;
	return STORE_OK;
}

/* Runs a one-row SELECT bound with text (?1, ?2) and an optional third text: STORE_OK when it has a row,
 * STORE_NOTFOUND when not. */
static int exists(struct conn *c, enum stmt_id id, const char *p1, const char *p2, const char *p3)
{
	sqlite3_stmt *q = sqlite_stmt(c, id);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, p1);
	sqlite_bind_text(q, 2, p2);
	if (p3)
		sqlite_bind_text(q, 3, p3);
	int rc = sqlite_step_row(q, STORE_NOTFOUND);
	sqlite_done(q);
	return rc;
}

/* ---- jobs --------------------------------------------------------------------------------------------- */

static int job_add_tx(struct conn *c, void *arg)
{
	const struct store_job_in *j = arg;
	sqlite3_stmt *q = sqlite_stmt(c, S_JOB_INSERT);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, j->id);
	sqlite_bind_text(q, 2, j->tenant_id);
	sqlite_bind_text(q, 3, j->bot_id);
	sqlite_bind_text(q, 4, j->kind);
	sqlite3_bind_int64(q, 5, j->run_at);
	sqlite_bind_text(q, 6, j->payload);
	sqlite3_bind_int(q, 7, j->max_attempts);
	sqlite_bind_text(q, 8, j->dedupe_key);
	sqlite_bind_text(q, 9, j->cancel_key);
	sqlite3_bind_int64(q, 10, j->now);
	int changes = 0, rc = sqlite_run(c, q, &changes);
	if (rc != STORE_OK || changes > 0)
		return rc;
	/* nothing inserted: the dedupe key is taken, or the bot is not the tenant's */
	if (j->dedupe_key && exists(c, S_JOB_DEDUPE_EXISTS, j->tenant_id, j->dedupe_key, NULL) == STORE_OK)
		return STORE_CONFLICT;
	return STORE_NOTFOUND;
}

int sq_job_add(struct store *st, const struct store_job_in *j)
{
	return sqlite_write(sqlite_of(st), job_add_tx, (void *)(uintptr_t)j);
}

struct claim_args {
	int64_t now, lease_ms;
	const char *worker_id;
	struct store_job *out;
	bool filled; /* *out holds a row (to be cleared if the commit fails after all) */
};

/* The id the pick statement `id` (bound with ?1 = t) finds: STORE_OK, STORE_NOTFOUND or an error. */
static int pick(struct conn *c, enum stmt_id id, int64_t t, char out[STORE_ID_MAX])
{
	sqlite3_stmt *q = sqlite_stmt(c, id);
	if (!q)
		return STORE_ERROR;
	sqlite3_bind_int64(q, 1, t);
	int rc = sqlite_step_row(q, STORE_NOTFOUND);
	if (rc == STORE_OK)
		sqlite_col_id(q, 0, out);
	sqlite_done(q);
	return rc;
}

/* Takes job `id` for the claimer: *out is the row as it is now (status running, or dead when the job had
 * used up its attempts). */
static int take(struct conn *c, const struct claim_args *a, const char *id, struct store_job *out)
{
	sqlite3_stmt *q = sqlite_stmt(c, S_JOB_TAKE);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, id);
	sqlite3_bind_int64(q, 2, a->now);
	sqlite_bind_text(q, 3, a->worker_id);
	int rc = sqlite_step_row(q, STORE_NOTFOUND);
	if (rc == STORE_OK)
		rc = read_job(q, out);
	sqlite_done(q);
	return rc;
}

/* Finds and takes the job; STORE_NOTFOUND when none is due. */
static int claim_job(struct conn *c, struct claim_args *a)
{
	char id[STORE_ID_MAX];
	int rc;

	/* expired leases first: those jobs were due before anything pending now */
	for (int i = 0; i < EXPIRED_SWEEP_MAX; i++) {
		if ((rc = pick(c, S_JOB_PICK_EXPIRED, a->now - a->lease_ms, id)) == STORE_NOTFOUND)
			break;
		if (rc != STORE_OK || (rc = take(c, a, id, a->out)) != STORE_OK)
			return rc;
		if (!strcmp(a->out->status, "running"))
			return STORE_OK;
		store_job_clear(a->out); /* it went dead: look further */
	}
	if ((rc = pick(c, S_JOB_PICK_DUE, a->now, id)) != STORE_OK)
		return rc;
	if ((rc = take(c, a, id, a->out)) != STORE_OK)
		return rc;
	if (strcmp(a->out->status, "running") != 0) {
		store_job_clear(a->out);
		return STORE_NOTFOUND;
	}
	return STORE_OK;
}

/* Commits also when nothing was claimed: jobs whose last lease expired have gone dead meanwhile. */
static int job_claim_tx(struct conn *c, void *arg)
{
	struct claim_args *a = arg;
	int rc = claim_job(c, a);
	a->filled = rc == STORE_OK;
	return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

int sq_job_claim(struct store *st, int64_t now, int64_t lease_ms, const char *worker_id, struct store_job *out)
{
	struct store_job j;
	struct claim_args a = {now, lease_ms, worker_id, &j, false};
	int rc = sqlite_write(sqlite_of(st), job_claim_tx, &a);
	if (rc == STORE_OK && a.filled)
		*out = j;
	else if (a.filled)
		store_job_clear(&j); /* read in a body whose commit failed: not claimed */
	return rc == STORE_OK && !a.filled ? STORE_NOTFOUND : rc;
}

struct finish_args {
	const char *id, *status, *error;
	int attempt;
	int64_t next_run_at, now;
};

static int job_finish_tx(struct conn *c, void *arg)
{
	const struct finish_args *a = arg;
	sqlite3_stmt *q = sqlite_stmt(c, S_JOB_FINISH);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->id);
	sqlite3_bind_int(q, 2, a->attempt);
	sqlite_bind_text(q, 3, a->status);
	sqlite_bind_text(q, 4, a->error);
	sqlite3_bind_int64(q, 5, a->next_run_at);
	sqlite3_bind_int64(q, 6, a->now);
	int changes = 0, rc = sqlite_run(c, q, &changes);
	return rc == STORE_OK && changes == 0 ? STORE_NOTFOUND : rc;
}

int sq_job_finish(struct store *st, const char *id, int attempt, const char *status, const char *error,
		  int64_t next_run_at, int64_t now)
{
	struct finish_args a = {id, status, error, attempt, next_run_at, now};
	return sqlite_write(sqlite_of(st), job_finish_tx, &a);
}

struct key_args {
	const char *tenant_id, *key;
	int64_t now;
	int changes;
};

static int job_cancel_tx(struct conn *c, void *arg)
{
	struct key_args *a = arg;
	sqlite3_stmt *q = sqlite_stmt(c, S_JOB_CANCEL);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->tenant_id);
	sqlite_bind_text(q, 2, a->key);
	sqlite3_bind_int64(q, 3, a->now);
	return sqlite_run(c, q, &a->changes);
}

int sq_job_cancel_key(struct store *st, const char *tenant_id, const char *cancel_key, int64_t now, int *cancelled)
{
	struct key_args a = {tenant_id, cancel_key, now, 0};
	int rc = sqlite_write(sqlite_of(st), job_cancel_tx, &a);
	if (rc == STORE_OK)
		*cancelled = a.changes;
	return rc;
}

static int job_retry_tx(struct conn *c, void *arg)
{
	struct key_args *a = arg; /* key: the job id */
	sqlite3_stmt *q = sqlite_stmt(c, S_JOB_RETRY);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->key);
	sqlite_bind_text(q, 2, a->tenant_id);
	sqlite3_bind_int64(q, 3, a->now);
	int changes = 0, rc = sqlite_run(c, q, &changes);
	if (rc != STORE_OK || changes > 0)
		return rc;
	rc = exists(c, S_JOB_EXISTS, a->key, a->tenant_id, NULL);
	return rc == STORE_OK ? STORE_CONFLICT : rc;
}

int sq_job_retry_dead(struct store *st, const char *tenant_id, const char *id, int64_t now)
{
	struct key_args a = {tenant_id, id, now, 0};
	return sqlite_write(sqlite_of(st), job_retry_tx, &a);
}

int sq_job_get(struct store *st, const char *tenant_id, const char *id, struct store_job *out)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_JOB_GET) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, id);
	sqlite_bind_text(q, 2, tenant_id);
	int rc = sqlite_step_row(q, STORE_NOTFOUND);
	if (rc == STORE_OK)
		rc = read_job(q, out);
	sqlite_done(q);
	return rc;
}

int sq_job_list_dead(struct store *st, const char *tenant_id, const char *after_id, int limit, struct store_job *rows,
		     int *n)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_JOB_LIST_DEAD) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, tenant_id);
	sqlite_bind_text(q, 2, after_id);
	sqlite3_bind_int(q, 3, limit);
	int count = 0, rc = SQLITE_DONE, res = STORE_OK;
	while (count < limit && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		if ((res = read_job(q, &rows[count])) != STORE_OK)
			break;
		count++;
	}
	if (res == STORE_OK && count < limit && rc != SQLITE_DONE)
		res = sqlite_map_rc(rc);
	sqlite_done(q);
	if (res != STORE_OK) {
		while (count > 0)
			store_job_clear(&rows[--count]);
		return res;
	}
	*n = count;
	return STORE_OK;
}

int sq_job_next_run_at(struct store *st, int64_t *run_at)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_JOB_NEXT) : NULL;
	if (!q)
		return STORE_ERROR;
	int rc = sqlite_step_row(q, STORE_NOTFOUND);
	if (rc == STORE_OK)
		*run_at = sqlite3_column_int64(q, 0);
	sqlite_done(q);
	return rc;
}

/* ---- webhook intake ------------------------------------------------------------------------------------ */

/* One queued intake: the event (its strings copied into `buf`), and what the caller is told. */
struct webhook_put {
	struct store_webhook_in ev;
	store_webhook_put_fn done;
	void *ud;
	bool duplicate;
	char buf[];
};

static int webhook_put_tx(struct conn *c, void *arg)
{
	struct webhook_put *w = arg;
	const struct store_webhook_in *ev = &w->ev;
	sqlite3_stmt *q = sqlite_stmt(c, S_WH_INSERT);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, ev->id);
	sqlite_bind_text(q, 2, ev->tenant_id);
	sqlite_bind_text(q, 3, ev->bot_id);
	sqlite_bind_text(q, 4, ev->provider);
	sqlite_bind_text(q, 5, ev->kind);
	sqlite_bind_text(q, 6, ev->provider_id);
	sqlite_bind_text(q, 7, ev->dedupe_key);
	sqlite_bind_text(q, 8, ev->payload);
	sqlite3_bind_int64(q, 9, ev->received_at);
	int changes = 0, rc = sqlite_run(c, q, &changes);
	if (rc == STORE_CONFLICT) {
		/* not the dedupe key (DO NOTHING takes care of that): the bot is gone, or a bad provider/kind */
		sqlite3_int64 rid;
		int brc = sqlite_bot_rid(c, ev->tenant_id, ev->bot_id, &rid);
		return brc == STORE_NOTFOUND ? STORE_NOTFOUND : STORE_ERROR;
	}
	w->duplicate = rc == STORE_OK && changes == 0;
	return rc;
}

/* Copies the event into one allocation; NULL when memory runs out. */
static struct webhook_put *webhook_copy(const struct store_webhook_in *ev)
{
	const char *src[] = {ev->id,	      ev->tenant_id,  ev->bot_id, ev->provider,
			     ev->kind,	      ev->provider_id, ev->dedupe_key, ev->payload};
	enum { NSTR = sizeof src / sizeof src[0] };
	size_t len[NSTR], total = 0;
	for (size_t i = 0; i < NSTR; i++) {
		len[i] = src[i] ? strlen(src[i]) + 1 : 0;
		total += len[i];
	}
	struct webhook_put *w = malloc(sizeof *w + total);
	if (!w)
		return NULL;
	const char *dst[NSTR];
	char *p = w->buf;
	for (size_t i = 0; i < NSTR; i++) {
		dst[i] = src[i] ? memcpy(p, src[i], len[i]) : NULL;
		p += len[i];
	}
	w->ev = (struct store_webhook_in){dst[0], dst[1], dst[2], dst[3], dst[4], dst[5], dst[6], dst[7],
					  ev->received_at};
	w->duplicate = false;
	return w;
}

int sq_webhook_put(struct store *st, const struct store_webhook_in *ev, bool *duplicate)
{
	struct webhook_put w = {.ev = *ev};
	int rc = sqlite_write_flushed(sqlite_of(st), webhook_put_tx, &w);
	if (rc == STORE_OK)
		*duplicate = w.duplicate;
	return rc;
}

/* On the writer thread, after the commit (or at once when the op could not be queued). */
static void webhook_put_done(void *ud, int rc)
{
	struct webhook_put *w = ud;
	w->done(w->ud, rc, rc == STORE_OK && w->duplicate);
	free(w);
}

void sq_webhook_put_async(struct store *st, const struct store_webhook_in *ev, store_webhook_put_fn done, void *ud)
{
	struct webhook_put *w = webhook_copy(ev);
	if (!w) {
		done(ud, STORE_NOMEM, false);
		return;
	}
	w->done = done;
	w->ud = ud;
	sqlite_write_async_flushed(sqlite_of(st), webhook_put_tx, w, webhook_put_done, w);
}

struct wh_claim_args {
	int64_t now, lease_ms;
	struct store_webhook *out;
	bool filled;
};

static int webhook_claim_tx(struct conn *c, void *arg)
{
	struct wh_claim_args *a = arg;
	char id[STORE_ID_MAX];
	int rc = pick(c, S_WH_PICK, a->now - a->lease_ms, id);
	if (rc != STORE_OK)
		return rc;
	sqlite3_stmt *q = sqlite_stmt(c, S_WH_CLAIM);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, id);
	sqlite3_bind_int64(q, 2, a->now);
	rc = sqlite_step_row(q, STORE_NOTFOUND);
	if (rc == STORE_OK && (rc = read_webhook(q, a->out)) == STORE_OK)
		a->filled = true;
	sqlite_done(q);
	return rc;
}

int sq_webhook_claim(struct store *st, int64_t now, int64_t lease_ms, struct store_webhook *out)
{
	struct store_webhook w;
	struct wh_claim_args a = {now, lease_ms, &w, false};
	int rc = sqlite_write(sqlite_of(st), webhook_claim_tx, &a);
	if (rc == STORE_OK)
		*out = w;
	else if (a.filled)
		store_webhook_clear(&w);
	return rc;
}

static int webhook_done_tx(struct conn *c, void *arg)
{
	const struct key_args *a = arg; /* key: the event id */
	sqlite3_stmt *q = sqlite_stmt(c, S_WH_DONE);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->key);
	sqlite3_bind_int64(q, 2, a->now);
	int changes = 0, rc = sqlite_run(c, q, &changes);
	return rc == STORE_OK && changes == 0 ? STORE_NOTFOUND : rc;
}

int sq_webhook_done(struct store *st, const char *id, int64_t now)
{
	struct key_args a = {NULL, id, now, 0};
	return sqlite_write(sqlite_of(st), webhook_done_tx, &a);
}

struct prune_args {
	int64_t cutoff;
	int limit;
	int events, jobs; /* set by the body */
};

static int prune_one(struct conn *c, enum stmt_id id, int64_t cutoff, int limit, int *changes)
{
	sqlite3_stmt *q = sqlite_stmt(c, id);
	if (!q)
		return STORE_ERROR;
	sqlite3_bind_int64(q, 1, cutoff);
	sqlite3_bind_int(q, 2, limit);
	return sqlite_run(c, q, changes);
}

static int prune_tx(struct conn *c, void *arg)
{
	struct prune_args *a = arg;
	int rc = prune_one(c, S_WH_PRUNE, a->cutoff, a->limit, &a->events);
	return rc == STORE_OK ? prune_one(c, S_JOB_PRUNE, a->cutoff, a->limit, &a->jobs) : rc;
}

int sq_prune_finished(struct store *st, int64_t cutoff, int limit, int *events, int *jobs)
{
	struct prune_args a = {.cutoff = cutoff, .limit = limit};
	int rc = sqlite_write(sqlite_of(st), prune_tx, &a);
	if (rc == STORE_OK) {
		*events = a.events;
		*jobs = a.jobs;
	}
	return rc;
}
