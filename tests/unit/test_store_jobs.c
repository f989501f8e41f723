/*
 * test_store_jobs.c — the store contract for the durable job queue and webhook intake (migration 008), run
 * against every backend with the fixture of store_fixture.h: "jobs_sqlite" on a temporary SQLite file,
 * "jobs_postgres" on a fresh database on BOTWERK_TEST_PG_URL (skipped without it).
 *
 * Claims are cross-tenant, so the tests of one group share one queue: every test leaves its jobs and events
 * finished (drain_jobs, drain_events), and its times start past everything before (later()).
 */
#define STORE_FIXTURE_NAME "test_store_jobs"
#define STORE_FIXTURE_TMP "jobs"
#define STORE_FIXTURE_DB "botwerk_jtest"
#include "store_fixture.h"

#include <pthread.h>

#define HOUR (3600LL * 1000)
#define FAR (100LL * 365 * 24 * HOUR)

/* ---- helpers ---------------------------------------------------------------------------------------- */

/* A fresh instant an hour past everything the group did so far. */
static int64_t later(struct fixture *fx)
{
	fx->clock += HOUR;
	return fx->clock;
}

static void add_job(struct fixture *fx, const char *tenant, const char *bot, const char *kind, int64_t run_at,
		    int max, const char *dedupe, const char *cancel, char id[STORE_ID_MAX])
{
	new_id(fx, "job", id);
	struct store_job_in j = {.id = id, .tenant_id = tenant, .bot_id = bot, .kind = kind, .run_at = run_at,
				 .payload = "{\"n\":1}", .max_attempts = max, .dedupe_key = dedupe,
				 .cancel_key = cancel, .now = fx->clock};
	assert_int_equal(store_job_add(fx->st, &j), STORE_OK);
}

/* Finishes everything that is still pending or running, so the next test starts with an empty queue. */
static void drain_jobs(struct fixture *fx)
{
	struct store_job j;
	int rounds = 0;
	while (store_job_claim(fx->st, fx->clock + FAR, 1, "drain", &j) == STORE_OK) {
		assert_int_equal(store_job_finish(fx->st, j.id, j.attempts, "done", NULL, 0, fx->clock), STORE_OK);
		store_job_clear(&j);
		assert_true(++rounds < 100000);
	}
}

static void drain_events(struct fixture *fx)
{
	struct store_webhook w;
	while (store_webhook_claim(fx->st, fx->clock + FAR, 1, &w) == STORE_OK) {
		assert_int_equal(store_webhook_done(fx->st, w.id, fx->clock), STORE_OK);
		store_webhook_clear(&w);
	}
}

static void job_status(struct fixture *fx, const char *tenant, const char *id, const char *want)
{
	struct store_job j;
	assert_int_equal(store_job_get(fx->st, tenant, id, &j), STORE_OK);
	assert_string_equal(j.status, want);
	store_job_clear(&j);
}

/* ---- jobs ----------------------------------------------------------------------------------------------- */

static void test_job_add_dedupe_and_tenancy(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], obot[STORE_ID_MAX], id[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	make_bot(fx, other, obot);
	int64_t t = later(fx);

	add_job(fx, tenant, bot, "followup_24h", t + HOUR, 0, "followup_24h:conv_1", "conv:conv_1", id);
	struct store_job j;
	assert_int_equal(store_job_get(fx->st, tenant, id, &j), STORE_OK);
	assert_string_equal(j.tenant_id, tenant);
	assert_string_equal(j.bot_id, bot);
	assert_string_equal(j.kind, "followup_24h");
	assert_string_equal(j.payload, "{\"n\":1}");
	assert_string_equal(j.status, "pending");
	assert_string_equal(j.dedupe_key, "followup_24h:conv_1");
	assert_string_equal(j.cancel_key, "conv:conv_1");
	assert_null(j.last_error);
	assert_null(j.claimed_by);
	assert_int_equal(j.run_at, t + HOUR);
	assert_int_equal(j.attempts, 0);
	assert_int_equal(j.max_attempts, STORE_JOB_MAX_ATTEMPTS);
	assert_int_equal(j.claimed_at, 0);
	store_job_clear(&j);
	assert_int_equal(store_job_get(fx->st, other, id, &j), STORE_NOTFOUND);

	/* the same dedupe key again: a conflict, nothing added */
	char dup[STORE_ID_MAX];
	new_id(fx, "job", dup);
	struct store_job_in in = {.id = dup, .tenant_id = tenant, .bot_id = bot, .kind = "followup_24h",
				  .run_at = t, .dedupe_key = "followup_24h:conv_1", .now = t};
	assert_int_equal(store_job_add(fx->st, &in), STORE_CONFLICT);
	assert_int_equal(store_job_get(fx->st, tenant, dup, &j), STORE_NOTFOUND);
	/* ... but another tenant may use it; a job without bot; another tenant's bot is not found */
	in.tenant_id = other;
	in.bot_id = obot;
	assert_int_equal(store_job_add(fx->st, &in), STORE_OK);
	new_id(fx, "job", dup);
	in = (struct store_job_in){.id = dup, .tenant_id = tenant, .kind = "housekeeping", .run_at = t, .now = t};
	assert_int_equal(store_job_add(fx->st, &in), STORE_OK);
	assert_int_equal(store_job_get(fx->st, tenant, dup, &j), STORE_OK);
	assert_string_equal(j.bot_id, "");
	assert_string_equal(j.payload, "{}");
	store_job_clear(&j);
	new_id(fx, "job", dup);
	in.id = dup;
	in.bot_id = obot;
	assert_int_equal(store_job_add(fx->st, &in), STORE_NOTFOUND);
	drain_jobs(fx);
}

static void test_job_claim_order_and_due(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX], a[STORE_ID_MAX], b[STORE_ID_MAX], c[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	int64_t t = later(fx);
	add_job(fx, tenant, bot, "reminder_5m", t + 10000, 0, NULL, NULL, a);
	add_job(fx, tenant, bot, "reminder_55m", t + 5000, 0, NULL, NULL, b);
	add_job(fx, tenant, NULL, "nudge_30m", t - 1, 0, NULL, NULL, c);

	int64_t next = 0;
	assert_int_equal(store_job_next_run_at(fx->st, &next), STORE_OK);
	assert_int_equal(next, t - 1);

	struct store_job j;
	assert_int_equal(store_job_claim(fx->st, t, 60000, "w1", &j), STORE_OK);
	assert_string_equal(j.id, c);
	assert_string_equal(j.status, "running");
	assert_string_equal(j.claimed_by, "w1");
	assert_string_equal(j.tenant_id, tenant);
	assert_int_equal(j.attempts, 1);
	assert_int_equal(j.claimed_at, t);
	assert_int_equal(store_job_finish(fx->st, j.id, j.attempts, "done", NULL, 0, t), STORE_OK);
	store_job_clear(&j);
	job_status(fx, tenant, c, "done");

	/* nothing else is due yet; then the earliest run_at first */
	assert_int_equal(store_job_claim(fx->st, t + 4999, 60000, "w1", &j), STORE_NOTFOUND);
	assert_int_equal(store_job_next_run_at(fx->st, &next), STORE_OK);
	assert_int_equal(next, t + 5000);
	assert_int_equal(store_job_claim(fx->st, t + 20000, 60000, "w1", &j), STORE_OK);
	assert_string_equal(j.id, b);
	store_job_clear(&j);
	assert_int_equal(store_job_claim(fx->st, t + 20000, 60000, "w2", &j), STORE_OK);
	assert_string_equal(j.id, a);
	store_job_clear(&j);
	assert_int_equal(store_job_claim(fx->st, t + 20000, 60000, "w3", &j), STORE_NOTFOUND);
	drain_jobs(fx);
	assert_int_equal(store_job_next_run_at(fx->st, &next), STORE_NOTFOUND);
}

#define RACE_JOBS 200
#define RACE_THREADS 4

struct race {
	struct fixture *fx;
	int64_t now;
	pthread_mutex_t mu;
	char ids[RACE_JOBS][STORE_ID_MAX];
	int seen[RACE_JOBS]; /* how often each job was claimed */
	int claims, errors;
};

static void *race_claimer(void *arg)
{
	struct race *r = arg;
	char worker[32];
	snprintf(worker, sizeof worker, "w%p", (void *)&worker);
	int misses = 0;
	while (misses < 3) {
		struct store_job j;
		int rc = store_job_claim(r->fx->st, r->now, 60000, worker, &j);
		if (rc == STORE_NOTFOUND) {
			misses++;
			continue;
		}
		misses = 0;
		pthread_mutex_lock(&r->mu);
		if (rc != STORE_OK) {
			r->errors++;
		} else {
			r->claims++;
			for (int i = 0; i < RACE_JOBS; i++)
				if (!strcmp(r->ids[i], j.id))
					r->seen[i]++;
		}
		pthread_mutex_unlock(&r->mu);
		if (rc == STORE_OK) {
			if (store_job_finish(r->fx->st, j.id, j.attempts, "done", NULL, 0, r->now) != STORE_OK) {
				pthread_mutex_lock(&r->mu);
				r->errors++;
				pthread_mutex_unlock(&r->mu);
			}
			store_job_clear(&j);
		}
	}
	return NULL;
}

static void test_job_claim_race_exactly_once(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	struct race *r = calloc(1, sizeof *r);
	assert_non_null(r);
	r->fx = fx;
	r->now = later(fx);
	pthread_mutex_init(&r->mu, NULL);
	for (int i = 0; i < RACE_JOBS; i++)
		add_job(fx, tenant, bot, "followup_48h", r->now - i, 0, NULL, NULL, r->ids[i]);
	pthread_t th[RACE_THREADS];
	for (int i = 0; i < RACE_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, race_claimer, r), 0);
	for (int i = 0; i < RACE_THREADS; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(r->errors, 0);
	assert_int_equal(r->claims, RACE_JOBS);
	for (int i = 0; i < RACE_JOBS; i++)
		assert_int_equal(r->seen[i], 1);
	for (int i = 0; i < RACE_JOBS; i += 37)
		job_status(fx, tenant, r->ids[i], "done");
	pthread_mutex_destroy(&r->mu);
	free(r);
	drain_jobs(fx);
}

static void test_job_backoff_dead_and_retry(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], id[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	int64_t t = later(fx);
	add_job(fx, tenant, bot, "reminder_22h", t, 3, NULL, NULL, id);

	struct store_job j;
	for (int attempt = 1; attempt <= 3; attempt++) {
		assert_int_equal(store_job_claim(fx->st, t, 60000, "w", &j), STORE_OK);
		assert_string_equal(j.id, id);
		assert_int_equal(j.attempts, attempt);
		/* a stale attempt number is not this claim */
		assert_int_equal(store_job_finish(fx->st, id, attempt - 1, "done", NULL, 0, t), STORE_NOTFOUND);
		assert_int_equal(store_job_finish(fx->st, id, attempt, "failed", "HTTP 503", t + 1000, t), STORE_OK);
		store_job_clear(&j);
		assert_int_equal(store_job_get(fx->st, tenant, id, &j), STORE_OK);
		if (attempt < 3) {
			assert_string_equal(j.status, "pending");
			assert_int_equal(j.run_at, t + 1000);
			assert_int_equal(j.claimed_at, 0);
			/* not before its new run_at */
			store_job_clear(&j);
			assert_int_equal(store_job_claim(fx->st, t + 999, 60000, "w", &j), STORE_NOTFOUND);
			t += 1000;
		} else {
			assert_string_equal(j.status, "dead");
			store_job_clear(&j);
		}
	}
	assert_int_equal(store_job_get(fx->st, tenant, id, &j), STORE_OK);
	assert_string_equal(j.last_error, "HTTP 503");
	assert_int_equal(j.attempts, 3);
	store_job_clear(&j);
	assert_int_equal(store_job_claim(fx->st, t + FAR, 60000, "w", &j), STORE_NOTFOUND);

	/* the dead letter: listed for its tenant only, retried once */
	struct store_job rows[4];
	int n = -1;
	assert_int_equal(store_job_list_dead(fx->st, tenant, NULL, 4, rows, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].id, id);
	store_job_clear(&rows[0]);
	assert_int_equal(store_job_list_dead(fx->st, other, NULL, 4, rows, &n), STORE_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_job_retry_dead(fx->st, other, id, t), STORE_NOTFOUND);
	assert_int_equal(store_job_retry_dead(fx->st, tenant, id, t + 5), STORE_OK);
	assert_int_equal(store_job_retry_dead(fx->st, tenant, id, t + 5), STORE_CONFLICT);
	assert_int_equal(store_job_retry_dead(fx->st, tenant, "job_unknown", t), STORE_NOTFOUND);
	assert_int_equal(store_job_get(fx->st, tenant, id, &j), STORE_OK);
	assert_string_equal(j.status, "pending");
	assert_int_equal(j.attempts, 0);
	assert_int_equal(j.run_at, t + 5);
	store_job_clear(&j);
	assert_int_equal(store_job_claim(fx->st, t + 5, 60000, "w", &j), STORE_OK);
	assert_int_equal(j.attempts, 1);
	/* a handler that gives up for good: failed, not dead */
	assert_int_equal(store_job_finish(fx->st, id, 1, "failed", "contact erased", 0, t + 6), STORE_OK);
	store_job_clear(&j);
	job_status(fx, tenant, id, "failed");
	assert_int_equal(store_job_list_dead(fx->st, tenant, NULL, 4, rows, &n), STORE_OK);
	assert_int_equal(n, 0);
	/* "dead" at once (an unknown kind) */
	add_job(fx, tenant, NULL, "no_such_kind", t, 0, NULL, NULL, id);
	assert_int_equal(store_job_claim(fx->st, t + 10, 60000, "w", &j), STORE_OK);
	assert_int_equal(store_job_finish(fx->st, id, j.attempts, "dead", "no handler", 0, t + 10), STORE_OK);
	store_job_clear(&j);
	job_status(fx, tenant, id, "dead");
	assert_int_equal(store_job_finish(fx->st, id, 1, "bogus", NULL, 0, t), STORE_ERROR);
	drain_jobs(fx);
}

static void test_job_lease_expiry(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], id[STORE_ID_MAX], last[STORE_ID_MAX];
	make_tenant(fx, tenant);
	int64_t t = later(fx);
	add_job(fx, tenant, NULL, "followup_24h", t, 2, NULL, NULL, id);
	struct store_job j;
	assert_int_equal(store_job_claim(fx->st, t, 1000, "dies", &j), STORE_OK);
	store_job_clear(&j);
	/* the worker died: within the lease nobody takes it, after it the next worker does */
	assert_int_equal(store_job_claim(fx->st, t + 1000, 1000, "w2", &j), STORE_NOTFOUND);
	assert_int_equal(store_job_claim(fx->st, t + 1001, 1000, "w2", &j), STORE_OK);
	assert_string_equal(j.id, id);
	assert_int_equal(j.attempts, 2);
	assert_string_equal(j.claimed_by, "w2");
	store_job_clear(&j);
	/* the first worker's late result is dropped; the second one's counts */
	assert_int_equal(store_job_finish(fx->st, id, 1, "done", NULL, 0, t + 1002), STORE_NOTFOUND);
	/* its lease expires too, on the last attempt: dead instead of a third run */
	assert_int_equal(store_job_claim(fx->st, t + 3000, 1000, "w3", &j), STORE_NOTFOUND);
	job_status(fx, tenant, id, "dead");
	assert_int_equal(store_job_finish(fx->st, id, 2, "done", NULL, 0, t + 3001), STORE_NOTFOUND);

	add_job(fx, tenant, NULL, "followup_24h", t, 2, NULL, NULL, last);
	assert_int_equal(store_job_claim(fx->st, t + 4000, 1000, "w4", &j), STORE_OK);
	assert_string_equal(j.id, last);
	store_job_clear(&j);
	drain_jobs(fx);
}

static void test_job_cancel_by_key(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX];
	char a[STORE_ID_MAX], b[STORE_ID_MAX], run[STORE_ID_MAX], keep[STORE_ID_MAX], oth[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	int64_t t = later(fx);
	add_job(fx, tenant, bot, "reminder_5m", t - 10, 0, NULL, "appt:1", run);
	struct store_job j;
	assert_int_equal(store_job_claim(fx->st, t, 60000, "w", &j), STORE_OK);
	assert_string_equal(j.id, run);
	add_job(fx, tenant, bot, "reminder_22h", t + HOUR, 0, NULL, "appt:1", a);
	add_job(fx, tenant, bot, "reminder_55m", t + 2 * HOUR, 0, NULL, "appt:1", b);
	add_job(fx, tenant, bot, "followup_24h", t + HOUR, 0, NULL, "appt:2", keep);
	add_job(fx, other, NULL, "reminder_22h", t + HOUR, 0, NULL, "appt:1", oth);

	int cancelled = -1;
	assert_int_equal(store_job_cancel_key(fx->st, tenant, "appt:1", t + 1, &cancelled), STORE_OK);
	assert_int_equal(cancelled, 2);
	job_status(fx, tenant, a, "cancelled");
	job_status(fx, tenant, b, "cancelled");
	job_status(fx, tenant, run, "running"); /* running jobs finish as they are */
	job_status(fx, tenant, keep, "pending");
	job_status(fx, other, oth, "pending");
	assert_int_equal(store_job_cancel_key(fx->st, tenant, "appt:1", t + 2, &cancelled), STORE_OK);
	assert_int_equal(cancelled, 0);
	assert_int_equal(store_job_finish(fx->st, run, j.attempts, "done", NULL, 0, t + 3), STORE_OK);
	store_job_clear(&j);
	/* cancelled jobs are never claimed: only the other key's and the other tenant's come */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(store_job_claim(fx->st, t + 3 * HOUR, 60000, "w", &j), STORE_OK);
		assert_true(!strcmp(j.id, keep) || !strcmp(j.id, oth));
		assert_int_equal(store_job_finish(fx->st, j.id, j.attempts, "done", NULL, 0, t + 3 * HOUR), STORE_OK);
		store_job_clear(&j);
	}
	assert_int_equal(store_job_claim(fx->st, t + 3 * HOUR, 60000, "w", &j), STORE_NOTFOUND);
	drain_jobs(fx);
}

static void test_job_dead_pages_and_bot_delete(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX], ids[3][STORE_ID_MAX], gone[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	int64_t t = later(fx);
	for (int i = 0; i < 3; i++) {
		struct store_job j;
		add_job(fx, tenant, NULL, "followup_48h", t + i, 1, NULL, NULL, ids[i]);
		assert_int_equal(store_job_claim(fx->st, t + i, 60000, "w", &j), STORE_OK);
		assert_int_equal(store_job_finish(fx->st, j.id, j.attempts, "failed", "x", t + HOUR, t + i), STORE_OK);
		store_job_clear(&j);
	}
	struct store_job rows[2];
	int n = 0;
	assert_int_equal(store_job_list_dead(fx->st, tenant, NULL, 2, rows, &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].id, ids[2]); /* newest first */
	assert_string_equal(rows[1].id, ids[1]);
	char after[STORE_ID_MAX];
	snprintf(after, sizeof after, "%s", rows[1].id);
	store_job_clear(&rows[0]);
	store_job_clear(&rows[1]);
	assert_int_equal(store_job_list_dead(fx->st, tenant, after, 2, rows, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].id, ids[0]);
	store_job_clear(&rows[0]);

	/* a bot's jobs go with it */
	add_job(fx, tenant, bot, "nudge_30m", t + HOUR, 0, NULL, NULL, gone);
	assert_int_equal(store_bot_delete(fx->st, tenant, bot), STORE_OK);
	struct store_job j;
	assert_int_equal(store_job_get(fx->st, tenant, gone, &j), STORE_NOTFOUND);
	drain_jobs(fx);
}

/* ---- webhook intake ------------------------------------------------------------------------------------ */

static void put_event(struct fixture *fx, const char *tenant, const char *bot, const char *kind, const char *pid,
		      const char *dedupe, int64_t at, bool want_duplicate)
{
	char id[STORE_ID_MAX];
	new_id(fx, "whe", id);
	struct store_webhook_in ev = {.id = id, .tenant_id = tenant, .bot_id = bot, .provider = "meta", .kind = kind,
				      .provider_id = pid, .dedupe_key = dedupe,
				      .payload = "{\"text\":\"v1.sealed\"}", .received_at = at};
	bool dup = !want_duplicate;
	assert_int_equal(store_webhook_put(fx->st, &ev, &dup), STORE_OK);
	assert_int_equal(dup, want_duplicate);
}

static void test_webhook_dedupe_claim_done(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX], bot2[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	make_bot(fx, tenant, bot2);
	int64_t t = later(fx);
	put_event(fx, tenant, bot, "message", "wamid.A", "meta:message:wamid.A", t, false);
	put_event(fx, tenant, bot, "message", "wamid.A", "meta:message:wamid.A", t + 1, true); /* a retry */
	put_event(fx, tenant, bot2, "message", "wamid.A", "meta:message:wamid.A", t + 2, false); /* per bot */
	put_event(fx, tenant, bot, "status", "wamid.O", "meta:status:wamid.O:delivered", t + 3, false);
	put_event(fx, tenant, bot, "status", "wamid.O", "meta:status:wamid.O:read", t + 4, false);
	put_event(fx, tenant, bot, "status", "wamid.O", "meta:status:wamid.O:read", t + 5, true);

	/* a deleted bot's event is not stored */
	char gone[STORE_ID_MAX], id[STORE_ID_MAX];
	make_bot(fx, tenant, gone);
	assert_int_equal(store_bot_delete(fx->st, tenant, gone), STORE_OK);
	new_id(fx, "whe", id);
	struct store_webhook_in ev = {.id = id, .tenant_id = tenant, .bot_id = gone, .provider = "meta",
				      .kind = "message", .provider_id = "x", .dedupe_key = "meta:message:x",
				      .payload = "{}", .received_at = t};
	bool dup = true;
	assert_int_equal(store_webhook_put(fx->st, &ev, &dup), STORE_NOTFOUND);

	/* four events to process, oldest first; a claim is held for its lease */
	struct store_webhook w;
	assert_int_equal(store_webhook_claim(fx->st, t + 10, 5000, &w), STORE_OK);
	assert_string_equal(w.bot_id, bot);
	assert_string_equal(w.tenant_id, tenant);
	assert_string_equal(w.provider, "meta");
	assert_string_equal(w.kind, "message");
	assert_string_equal(w.provider_id, "wamid.A");
	assert_string_equal(w.dedupe_key, "meta:message:wamid.A");
	assert_string_equal(w.payload, "{\"text\":\"v1.sealed\"}");
	assert_int_equal(w.received_at, t);
	assert_int_equal(w.claimed_at, t + 10);
	assert_int_equal(w.attempts, 1);
	char first[STORE_ID_MAX];
	snprintf(first, sizeof first, "%s", w.id);
	store_webhook_clear(&w);
	char seen[3][STORE_ID_MAX];
	for (int i = 0; i < 3; i++) {
		assert_int_equal(store_webhook_claim(fx->st, t + 11, 5000, &w), STORE_OK);
		assert_string_not_equal(w.id, first);
		snprintf(seen[i], sizeof seen[i], "%s", w.id);
		assert_int_equal(store_webhook_done(fx->st, w.id, t + 12), STORE_OK);
		store_webhook_clear(&w);
	}
	assert_int_equal(store_webhook_claim(fx->st, t + 5010, 5000, &w), STORE_NOTFOUND);
	/* the processor of the first died: after the lease it comes again */
	assert_int_equal(store_webhook_claim(fx->st, t + 5011, 5000, &w), STORE_OK);
	assert_string_equal(w.id, first);
	assert_int_equal(w.attempts, 2);
	assert_int_equal(store_webhook_done(fx->st, w.id, t + 5012), STORE_OK);
	assert_int_equal(store_webhook_done(fx->st, w.id, t + 5013), STORE_OK); /* twice is fine */
	store_webhook_clear(&w);
	assert_int_equal(store_webhook_claim(fx->st, t + FAR, 1, &w), STORE_NOTFOUND);
	assert_int_equal(store_webhook_done(fx->st, "whe_unknown", t), STORE_NOTFOUND);
	/* processed events still answer duplicates */
	put_event(fx, tenant, bot, "message", "wamid.A", "meta:message:wamid.A", t + 6000, true);
	drain_events(fx);
}

/* Housekeeping's pruning: events processed and jobs done or cancelled before the cutoff go, in batches;
 * newer ones, unprocessed events and pending or dead jobs stay. */
static void test_prune_finished(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX], done[STORE_ID_MAX], cancelled[STORE_ID_MAX];
	char dead[STORE_ID_MAX], pending[STORE_ID_MAX], fresh[STORE_ID_MAX];
	int events = -1, jobs = -1;
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	int64_t t = later(fx);
	/* what the earlier tests left is older than t: out of the way first */
	do
		assert_int_equal(store_prune_finished(fx->st, t, 1000, &events, &jobs), STORE_OK);
	while (events == 1000 || jobs == 1000);

	struct store_job j;
	add_job(fx, tenant, bot, "nudge_30m", t, 5, NULL, NULL, done);
	assert_int_equal(store_job_claim(fx->st, t, 60000, "w", &j), STORE_OK);
	assert_string_equal(j.id, done);
	assert_int_equal(store_job_finish(fx->st, done, j.attempts, "done", NULL, 0, t), STORE_OK);
	store_job_clear(&j);
	add_job(fx, tenant, bot, "followup_24h", t + 10 * HOUR, 5, NULL, "conv:1", cancelled);
	int n = 0;
	assert_int_equal(store_job_cancel_key(fx->st, tenant, "conv:1", t, &n), STORE_OK);
	assert_int_equal(n, 1);
	add_job(fx, tenant, bot, "wa_send", t, 1, NULL, NULL, dead);
	assert_int_equal(store_job_claim(fx->st, t, 60000, "w", &j), STORE_OK);
	assert_int_equal(store_job_finish(fx->st, dead, j.attempts, "failed", "HTTP 500", t + 1000, t), STORE_OK);
	store_job_clear(&j);
	job_status(fx, tenant, dead, "dead");
	add_job(fx, tenant, bot, "reminder_5m", t + FAR, 5, NULL, NULL, pending);
	add_job(fx, tenant, bot, "nudge_30m", t + 2 * HOUR, 5, NULL, NULL, fresh);
	assert_int_equal(store_job_claim(fx->st, t + 2 * HOUR, 60000, "w", &j), STORE_OK);
	assert_string_equal(j.id, fresh);
	assert_int_equal(store_job_finish(fx->st, fresh, j.attempts, "done", NULL, 0, t + 2 * HOUR), STORE_OK);
	store_job_clear(&j);

	put_event(fx, tenant, bot, "message", "wamid.P1", "meta:message:wamid.P1", t, false);
	put_event(fx, tenant, bot, "message", "wamid.P2", "meta:message:wamid.P2", t, false);
	put_event(fx, tenant, bot, "message", "wamid.P3", "meta:message:wamid.P3", t + 2 * HOUR, false);
	struct store_webhook w;
	assert_int_equal(store_webhook_claim(fx->st, t, 60000, &w), STORE_OK); /* P1 or P2: the same time */
	char old_done[32];
	snprintf(old_done, sizeof old_done, "%s", w.provider_id);
	assert_int_equal(store_webhook_done(fx->st, w.id, t), STORE_OK);
	store_webhook_clear(&w);
	assert_int_equal(store_webhook_claim(fx->st, t, 60000, &w), STORE_OK); /* the other stays claimed */
	char unprocessed[STORE_ID_MAX];
	snprintf(unprocessed, sizeof unprocessed, "%s", w.id);
	store_webhook_clear(&w);
	assert_int_equal(store_webhook_claim(fx->st, t + 2 * HOUR, 3 * HOUR, &w), STORE_OK); /* P2's claim holds */
	assert_string_equal(w.provider_id, "wamid.P3");
	assert_int_equal(store_webhook_done(fx->st, w.id, t + 2 * HOUR), STORE_OK);
	store_webhook_clear(&w);

	/* cutoff between the two times, one of each per batch */
	int64_t cutoff = t + HOUR;
	assert_int_equal(store_prune_finished(fx->st, cutoff, 1, &events, &jobs), STORE_OK);
	assert_int_equal(events, 1);
	assert_int_equal(jobs, 1);
	assert_int_equal(store_prune_finished(fx->st, cutoff, 1, &events, &jobs), STORE_OK);
	assert_int_equal(events, 0);
	assert_int_equal(jobs, 1);
	assert_int_equal(store_prune_finished(fx->st, cutoff, 1, &events, &jobs), STORE_OK);
	assert_int_equal(events + jobs, 0);
	assert_int_equal(store_prune_finished(fx->st, cutoff, 0, &events, &jobs), STORE_OK);
	assert_int_equal(events + jobs, 0);

	assert_int_equal(store_job_get(fx->st, tenant, done, &j), STORE_NOTFOUND);
	assert_int_equal(store_job_get(fx->st, tenant, cancelled, &j), STORE_NOTFOUND);
	job_status(fx, tenant, dead, "dead");
	job_status(fx, tenant, pending, "pending");
	job_status(fx, tenant, fresh, "done");
	/* the pruned event is forgotten; the newer processed one still answers duplicates */
	char dk[64];
	snprintf(dk, sizeof dk, "meta:message:%s", old_done);
	put_event(fx, tenant, bot, "message", old_done, dk, t + 3 * HOUR, false);
	put_event(fx, tenant, bot, "message", "wamid.P3", "meta:message:wamid.P3", t + 3 * HOUR, true);
	/* the unprocessed one is still there to be processed */
	assert_int_equal(store_webhook_claim(fx->st, t + FAR, 1, &w), STORE_OK);
	assert_string_equal(w.id, unprocessed);
	store_webhook_clear(&w);
	fx->clock = t + 3 * HOUR;
	drain_events(fx);
	drain_jobs(fx);
}

#define ASYNC_EVENTS 300 /* distinct events, each put twice at once */
#define ASYNC_THREADS 6

struct async_run {
	struct fixture *fx;
	const char *tenant, *bot;
	int64_t now;
	int next; /* the next put to make: event next / 2 */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done, stored, duplicates, failures;
};

static void on_put(void *ud, int rc, bool duplicate)
{
	struct async_run *a = ud;
	pthread_mutex_lock(&a->mu);
	a->done++;
	if (rc != STORE_OK)
		a->failures++;
	else if (duplicate)
		a->duplicates++;
	else
		a->stored++;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

static void *async_putter(void *arg)
{
	struct async_run *a = arg;
	for (;;) {
		pthread_mutex_lock(&a->mu);
		int k = a->next++;
		pthread_mutex_unlock(&a->mu);
		if (k >= 2 * ASYNC_EVENTS)
			break;
		char id[STORE_ID_MAX], pid[48], key[64];
		snprintf(id, sizeof id, "whe_async_%06d", k);
		snprintf(pid, sizeof pid, "wamid.async.%d", k / 2);
		snprintf(key, sizeof key, "meta:message:%s", pid);
		struct store_webhook_in ev = {.id = id, .tenant_id = a->tenant, .bot_id = a->bot, .provider = "meta",
					      .kind = "message", .provider_id = pid, .dedupe_key = key,
					      .payload = "{}", .received_at = a->now};
		store_webhook_put_async(a->fx->st, &ev, on_put, a); /* ev is copied: it may go now */
	}
	return NULL;
}

static void *event_claimer(void *arg)
{
	struct async_run *a = arg;
	int misses = 0;
	while (misses < 3) {
		struct store_webhook w;
		int rc = store_webhook_claim(a->fx->st, a->now, 60000, &w);
		if (rc != STORE_OK) {
			misses++;
			continue;
		}
		misses = 0;
		rc = store_webhook_done(a->fx->st, w.id, a->now);
		store_webhook_clear(&w);
		pthread_mutex_lock(&a->mu);
		a->done++;
		if (rc != STORE_OK)
			a->failures++;
		pthread_mutex_unlock(&a->mu);
	}
	return NULL;
}

static void test_webhook_async_concurrent_duplicates(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	struct async_run a = {.fx = fx, .tenant = tenant, .bot = bot, .now = later(fx)};
	pthread_mutex_init(&a.mu, NULL);
	pthread_cond_init(&a.cv, NULL);
	pthread_t th[ASYNC_THREADS];
	for (int i = 0; i < ASYNC_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, async_putter, &a), 0);
	for (int i = 0; i < ASYNC_THREADS; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_lock(&a.mu);
	while (a.done < 2 * ASYNC_EVENTS)
		pthread_cond_wait(&a.cv, &a.mu);
	pthread_mutex_unlock(&a.mu);
	assert_int_equal(a.failures, 0);
	assert_int_equal(a.stored, ASYNC_EVENTS);
	assert_int_equal(a.duplicates, ASYNC_EVENTS);

	/* and each stored event is claimed exactly once by racing processors */
	a.done = 0;
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, event_claimer, &a), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(a.failures, 0);
	assert_int_equal(a.done, ASYNC_EVENTS);
	pthread_cond_destroy(&a.cv);
	pthread_mutex_destroy(&a.mu);
	drain_events(fx);
}

#define JOBS_TESTS                                                                                            \
	cmocka_unit_test(test_job_add_dedupe_and_tenancy), cmocka_unit_test(test_job_claim_order_and_due),        \
		cmocka_unit_test(test_job_claim_race_exactly_once), cmocka_unit_test(test_job_backoff_dead_and_retry), \
		cmocka_unit_test(test_job_lease_expiry), cmocka_unit_test(test_job_cancel_by_key),                 \
		cmocka_unit_test(test_job_dead_pages_and_bot_delete),                                              \
		cmocka_unit_test(test_webhook_dedupe_claim_done),                                                  \
		cmocka_unit_test(test_webhook_async_concurrent_duplicates), cmocka_unit_test(test_prune_finished)

int main(void)
{
	const struct CMUnitTest tests[] = {JOBS_TESTS};
	return RUN_BACKENDS("jobs", tests, tests);
}
