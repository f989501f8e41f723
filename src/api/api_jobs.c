/*
 * api_jobs.c — the tenant's view of the durable job queue (docs/internals/jobs.md): the dead letter (jobs
 * whose attempts are used up, or whose kind has no handler), putting one back to pending, and one job of
 * any status for operators and tests.
 *
 *   GET  /api/v1/jobs/dead?limit=&after=   newest first; "next" is the `after` of the following page
 *   POST /api/v1/jobs/dead/{id}/retry      dead → pending now, attempts 0 (last_error kept)
 *   GET  /api/v1/jobs/{id}
 *
 * Payloads hold ids only (never personal data; store.h), so they are shown as they are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "jobs/scheduler.h"

#define JOBS_PAGE_DEFAULT 20
#define JOBS_PAGE_MAX 100

/* An error envelope with a code of this resource (not one of base/err.h's); `code` must be a string
 * constant (the access log keeps the pointer). Returns -1. */
static int job_error(struct req *r, int status, const char *code, const char *message)
{
	r->err_code = code;
	resp_json(r, status, json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", message)); /* NULL: 500 */
	return -1;
}

static int job_not_found(struct req *r)
{
	return job_error(r, 404, "job_not_found", "job not found");
}

/* A job as the API shows it. New reference or NULL. */
static json_t *job_json(const struct store_job *j)
{
	json_t *payload = j->payload ? json_loads(j->payload, JSON_DECODE_ANY, NULL) : NULL;
	if (!payload) /* not JSON (written by hand?): shown as the text it is */
		payload = j->payload ? json_string(j->payload) : json_null();
	return json_pack("{s:s, s:s, s:s?, s:s, s:o, s:i, s:i, s:s?, s:o, s:o, s:o}", "id", j->id, "kind",
			 j->kind ? j->kind : "", "bot_id", j->bot_id[0] ? j->bot_id : NULL, "status",
			 j->status ? j->status : "", "run_at", api_time(j->run_at), "attempts", j->attempts,
			 "max_attempts", j->max_attempts, "last_error", j->last_error, "payload", payload, "created_at",
			 api_time(j->created_at), "updated_at", api_time(j->updated_at));
}

/* Answers with the caller's job `id` as stored now (404 job_not_found when there is none). */
static int reply_job(struct req *r, int status, const char *id)
{
	struct store_job j;
	int rc = store_job_get(app_of(r)->store, r->tenant_id, id, &j);
	if (rc == STORE_NOTFOUND)
		return job_not_found(r);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_NOT_FOUND, "job");
	rc = resp_json(r, status, job_json(&j));
	store_job_clear(&j);
	return rc;
}

/* GET /api/v1/jobs/dead?limit=&after= */
static int dead_list(struct req *r)
{
	struct app *app = app_of(r);
	const char *lim = req_query(r, "limit"), *after = req_query(r, "after");
	int limit = JOBS_PAGE_DEFAULT;
	if (lim) {
		char *end;
		long v = strtol(lim, &end, 10);
		if (!*lim || *end || v < 1 || v > JOBS_PAGE_MAX)
			return resp_errorf(r, ERR_INVALID_REQUEST, "limit", "limit must be a number from 1 to %d",
					   JOBS_PAGE_MAX);
		limit = (int)v;
	}
	if (after && !*after)
		after = NULL;
	if (after && !crypto_id_valid("job", after))
		return resp_errorf(r, ERR_INVALID_REQUEST, "after", "after must be the \"next\" of an earlier page");
	/* one row more than asked tells whether another page follows */
	struct store_job *rows = calloc((size_t)limit + 1, sizeof *rows);
	if (!rows)
		return resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
	int n = 0;
	int rc = store_job_list_dead(app->store, r->tenant_id, after, limit + 1, rows, &n);
	if (rc != STORE_OK) {
		free(rows);
		return api_store_error(r, rc, ERR_NOT_FOUND, "jobs");
	}
	int shown = n > limit ? limit : n;
	json_t *items = json_array();
	for (int i = 0; items && i < shown; i++) {
		json_t *o = job_json(&rows[i]);
		if (!o || json_array_append_new(items, o) != 0) {
			json_decref(items);
			items = NULL;
		}
	}
	json_t *next = n > limit ? json_string(rows[shown - 1].id) : json_null();
	for (int i = 0; i < n; i++)
		store_job_clear(&rows[i]);
	free(rows);
	if (!items || !next) {
		json_decref(items);
		json_decref(next);
		return resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
	}
	return resp_json(r, 200, json_pack("{s:o, s:o}", "jobs", items, "next", next));
}

/* POST /api/v1/jobs/dead/{id}/retry */
static int dead_retry(struct req *r)
{
	struct app *app = app_of(r);
	const char *id = req_param(r, 0);
	if (!crypto_id_valid("job", id))
		return job_not_found(r);
	int rc = store_job_retry_dead(app->store, r->tenant_id, id, clock_now_ms(&app->clock));
	if (rc == STORE_NOTFOUND)
		return job_not_found(r);
	if (rc == STORE_CONFLICT) {
		struct store_job j;
		char msg[128] = "only a dead job can be retried";
		if (store_job_get(app->store, r->tenant_id, id, &j) == STORE_OK) {
			snprintf(msg, sizeof msg, "only a dead job can be retried; this one is %.32s",
				 j.status ? j.status : "?");
			store_job_clear(&j);
		}
		return job_error(r, 409, "job_not_dead", msg);
	}
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_NOT_FOUND, "job");
	rc = reply_job(r, 200, id); /* the job as the retry left it, before a worker takes it */
	scheduler_poke(app->sched); /* due now */
	return rc;
}

/* GET /api/v1/jobs/{id}: one job of any status. */
static int job_show(struct req *r)
{
	const char *id = req_param(r, 0);
	if (!crypto_id_valid("job", id))
		return job_not_found(r);
	return reply_job(r, 200, id);
}

const struct route api_jobs_routes[] = {
	{"GET", "/api/v1/jobs/dead", dead_list, AUTH_KEY, 0, NULL, 0},
	{"POST", "/api/v1/jobs/dead/{id}/retry", dead_retry, AUTH_KEY, 0, NULL, 0},
	{"GET", "/api/v1/jobs/{id}", job_show, AUTH_KEY, 0, NULL, 0},
};
const size_t api_jobs_routes_count = sizeof api_jobs_routes / sizeof api_jobs_routes[0];
