/*
 * test_scheduler.c — src/jobs/scheduler.c over a real store (the fixture of store_fixture.h: SQLite, and
 * PostgreSQL when BOTWERK_TEST_PG_URL is set) with an injected clock that the tests move by hand: retries
 * with backoff until the dead letter, jobs that must wait for their run_at, cancellation, unknown kinds,
 * crashed workers (leases), and the worker threads' wake-ups.
 */
#define STORE_FIXTURE_NAME "test_scheduler"
#define STORE_FIXTURE_TMP "sched"
#define STORE_FIXTURE_DB "botwerk_schedtest"
#include "store_fixture.h"

#include <pthread.h>
#include <stdatomic.h>

#include "jobs/scheduler.h"

#define HOUR (3600LL * 1000)
#define FAR (100LL * 365 * 24 * HOUR)

/* ---- a clock the test moves, and handlers that count ----------------------------------------------- */

struct test_clock {
	_Atomic int64_t now;
	struct clock clock;
};

static int64_t test_now(void *ud)
{
	struct test_clock *c = ud;
	return atomic_load(&c->now);
}

struct counter {
	atomic_int calls;
	atomic_int last_attempt;
	int result; /* what the handler returns */
};

static int count_handler(void *ud, const struct store_job *j, char *err, size_t errlen)
{
	struct counter *c = ud;
	atomic_fetch_add(&c->calls, 1);
	atomic_store(&c->last_attempt, j->attempts);
	if (c->result != SCHEDULER_DONE)
		snprintf(err, errlen, "provider answered 503");
	return c->result;
}

struct env {
	struct fixture *fx;
	struct test_clock tc;
	char tenant[STORE_ID_MAX];
	struct scheduler *s;
};

/* A scheduler on the fixture's store with the test clock (starting an hour past anything before), not
 * started; `counter` handles "followup_24h". */
static void env_init(struct env *e, struct fixture *fx, struct counter *counter, int64_t idle_ms)
{
	memset(e, 0, sizeof *e);
	e->fx = fx;
	fx->clock += HOUR;
	atomic_store(&e->tc.now, fx->clock);
	e->tc.clock = (struct clock){test_now, &e->tc};
	make_tenant(fx, e->tenant);
	struct scheduler_config cfg = {.store = fx->st, .clock = &e->tc.clock, .threads = 2, .lease_ms = 1000,
				       .idle_ms = idle_ms, .worker_id = "test", .seed = 42};
	char err[128];
	e->s = scheduler_new(&cfg, err, sizeof err);
	assert_non_null(e->s);
	assert_int_equal(scheduler_register(e->s, "followup_24h", count_handler, counter), 0);
}

static void advance(struct env *e, int64_t ms)
{
	atomic_fetch_add(&e->tc.now, ms);
	if (atomic_load(&e->tc.now) > e->fx->clock)
		e->fx->clock = atomic_load(&e->tc.now);
}

static void add(struct env *e, const char *kind, int64_t run_at, const char *cancel_key, char id[STORE_ID_MAX])
{
	new_id(e->fx, "job", id);
	struct store_job_in j = {.id = id, .tenant_id = e->tenant, .kind = kind, .run_at = run_at,
				 .cancel_key = cancel_key, .now = atomic_load(&e->tc.now)};
	assert_int_equal(store_job_add(e->fx->st, &j), STORE_OK);
}

static void get_job(struct env *e, const char *id, struct store_job *j)
{
	assert_int_equal(store_job_get(e->fx->st, e->tenant, id, j), STORE_OK);
}

/* Stops the scheduler and finishes whatever is left, so the next test starts with an empty queue. */
static void env_done(struct env *e)
{
	scheduler_free(e->s);
	struct store_job j;
	while (store_job_claim(e->fx->st, e->fx->clock + FAR, 1, "drain", &j) == STORE_OK) {
		store_job_finish(e->fx->st, j.id, j.attempts, "done", NULL, 0, e->fx->clock);
		store_job_clear(&j);
	}
}

/* Waits (real time) up to ms for *v to reach want. */
static bool wait_for(atomic_int *v, int want, int ms)
{
	for (int i = 0; i < ms / 5; i++) {
		if (atomic_load(v) >= want)
			return true;
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return atomic_load(v) >= want;
}

/* ---- tests ----------------------------------------------------------------------------------------------- */

static void test_failing_handler_retries_then_dead(void **state)
{
	struct counter c = {.result = 1};
	struct env e;
	env_init(&e, *state, &c, 0);
	char id[STORE_ID_MAX];
	add(&e, "followup_24h", atomic_load(&e.tc.now), NULL, id);

	struct store_job j;
	int64_t base = 30000, cap = HOUR;
	for (int attempt = 1; attempt <= STORE_JOB_MAX_ATTEMPTS; attempt++) {
		int64_t now = atomic_load(&e.tc.now);
		assert_int_equal(scheduler_run_once(e.s), 1);
		assert_int_equal(atomic_load(&c.calls), attempt);
		assert_int_equal(atomic_load(&c.last_attempt), attempt);
		get_job(&e, id, &j);
		assert_string_equal(j.last_error, "provider answered 503");
		if (attempt < STORE_JOB_MAX_ATTEMPTS) {
			/* back to pending after a full-jitter delay */
			int64_t bound = base << (attempt - 1);
			assert_string_equal(j.status, "pending");
			assert_true(j.run_at >= now && j.run_at <= now + (bound < cap ? bound : cap));
		} else {
			assert_string_equal(j.status, "dead");
			assert_int_equal(j.attempts, STORE_JOB_MAX_ATTEMPTS);
		}
		store_job_clear(&j);
		advance(&e, cap + 1); /* past any backoff */
	}
	assert_int_equal(scheduler_run_once(e.s), 0);
	assert_int_equal(atomic_load(&c.calls), STORE_JOB_MAX_ATTEMPTS);

	/* the dead letter lists it; a retry runs it again, from attempt 1 */
	struct store_job rows[2];
	int n = 0;
	assert_int_equal(store_job_list_dead(e.fx->st, e.tenant, NULL, 2, rows, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].id, id);
	store_job_clear(&rows[0]);
	c.result = SCHEDULER_DONE;
	assert_int_equal(store_job_retry_dead(e.fx->st, e.tenant, id, atomic_load(&e.tc.now)), STORE_OK);
	assert_int_equal(scheduler_run_once(e.s), 1);
	assert_int_equal(atomic_load(&c.last_attempt), 1);
	get_job(&e, id, &j);
	assert_string_equal(j.status, "done");
	store_job_clear(&j);
	env_done(&e);
}

static void test_future_job_waits_for_its_time(void **state)
{
	struct counter c = {.result = SCHEDULER_DONE};
	struct env e;
	env_init(&e, *state, &c, 0);
	char id[STORE_ID_MAX], err[128];
	add(&e, "followup_24h", atomic_load(&e.tc.now) + 60000, NULL, id);
	assert_int_equal(scheduler_run_once(e.s), 0);

	assert_int_equal(scheduler_start(e.s, err, sizeof err), 0);
	scheduler_poke(e.s);
	struct timespec ts = {0, 300 * 1000 * 1000};
	nanosleep(&ts, NULL);
	assert_int_equal(atomic_load(&c.calls), 0); /* not early */
	advance(&e, 59999);
	scheduler_poke(e.s);
	nanosleep(&ts, NULL);
	assert_int_equal(atomic_load(&c.calls), 0); /* not even a millisecond early */
	advance(&e, 1);
	scheduler_poke(e.s);
	assert_true(wait_for(&c.calls, 1, 3000));
	struct store_job j;
	for (int i = 0; i < 200; i++) { /* the status is written just after the handler returns */
		get_job(&e, id, &j);
		bool done = !strcmp(j.status, "done");
		store_job_clear(&j);
		if (done)
			break;
		nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
	}
	get_job(&e, id, &j);
	assert_string_equal(j.status, "done");
	store_job_clear(&j);
	assert_int_equal(atomic_load(&c.calls), 1);
	env_done(&e);
}

static void test_cancelled_before_run(void **state)
{
	struct counter c = {.result = SCHEDULER_DONE};
	struct env e;
	env_init(&e, *state, &c, 0);
	char id[STORE_ID_MAX], other[STORE_ID_MAX];
	int64_t now = atomic_load(&e.tc.now);
	add(&e, "followup_24h", now + 1000, "conv:conv_7", id);
	add(&e, "followup_24h", now + 1000, "conv:conv_8", other);
	int n = 0;
	assert_int_equal(store_job_cancel_key(e.fx->st, e.tenant, "conv:conv_7", now + 1, &n), STORE_OK);
	assert_int_equal(n, 1);
	advance(&e, 2000);
	assert_int_equal(scheduler_run_once(e.s), 1); /* only the other conversation's */
	assert_int_equal(scheduler_run_once(e.s), 0);
	assert_int_equal(atomic_load(&c.calls), 1);
	struct store_job j;
	get_job(&e, id, &j);
	assert_string_equal(j.status, "cancelled");
	store_job_clear(&j);
	get_job(&e, other, &j);
	assert_string_equal(j.status, "done");
	store_job_clear(&j);
	env_done(&e);
}

static void test_unknown_kind_and_give_up(void **state)
{
	struct counter c = {.result = SCHEDULER_GIVE_UP};
	struct env e;
	env_init(&e, *state, &c, 0);
	char odd[STORE_ID_MAX], gives_up[STORE_ID_MAX];
	int64_t now = atomic_load(&e.tc.now);
	add(&e, "reminder_77m", now - 1, NULL, odd);
	add(&e, "followup_24h", now, NULL, gives_up);
	assert_int_equal(scheduler_run_once(e.s), 1);
	assert_int_equal(scheduler_run_once(e.s), 1);
	assert_int_equal(scheduler_run_once(e.s), 0);
	struct store_job j;
	get_job(&e, odd, &j);
	assert_string_equal(j.status, "dead");
	assert_int_equal(j.attempts, 1);
	assert_non_null(strstr(j.last_error, "no handler for kind \"reminder_77m\""));
	store_job_clear(&j);
	get_job(&e, gives_up, &j);
	assert_string_equal(j.status, "failed"); /* for good: not retried, not dead */
	store_job_clear(&j);
	assert_int_equal(atomic_load(&c.calls), 1);
	env_done(&e);
}

static void test_crashed_worker_lease(void **state)
{
	struct counter c = {.result = SCHEDULER_DONE};
	struct env e;
	env_init(&e, *state, &c, 0);
	char id[STORE_ID_MAX];
	int64_t now = atomic_load(&e.tc.now);
	add(&e, "followup_24h", now, NULL, id);
	/* a worker of another process claims it and dies */
	struct store_job j;
	assert_int_equal(store_job_claim(e.fx->st, now, 1000, "crashed:1", &j), STORE_OK);
	store_job_clear(&j);
	assert_int_equal(scheduler_run_once(e.s), 0);
	advance(&e, 1001);
	assert_int_equal(scheduler_run_once(e.s), 1);
	assert_int_equal(atomic_load(&c.last_attempt), 2);
	get_job(&e, id, &j);
	assert_string_equal(j.status, "done");
	assert_string_equal(j.claimed_by, "test:caller");
	store_job_clear(&j);
	env_done(&e);
}

static void test_poke_wakes_sleeping_workers(void **state)
{
	struct counter c = {.result = SCHEDULER_DONE};
	struct env e;
	env_init(&e, *state, &c, 20000); /* workers would otherwise sleep 20 s */
	char id[STORE_ID_MAX], err[128];
	assert_int_equal(scheduler_start(e.s, err, sizeof err), 0);
	struct timespec ts = {0, 200 * 1000 * 1000};
	nanosleep(&ts, NULL); /* both asleep now */
	double t0 = clock_mono();
	add(&e, "followup_24h", atomic_load(&e.tc.now), NULL, id);
	scheduler_poke(e.s);
	assert_true(wait_for(&c.calls, 1, 5000));
	assert_true(clock_mono() - t0 < 2.0);
	env_done(&e);
	assert_int_equal(atomic_load(&c.calls), 1);
}

static void test_backoff_full_jitter_bounds(void **state)
{
	struct counter c = {.result = SCHEDULER_DONE};
	struct env e;
	env_init(&e, *state, &c, 0);
	for (int attempt = 1; attempt <= 10; attempt++) {
		int64_t bound = 30000LL << (attempt - 1);
		if (bound > HOUR)
			bound = HOUR;
		bool above_half = false;
		for (int i = 0; i < 200; i++) {
			int64_t d = scheduler_backoff_ms(e.s, attempt);
			assert_true(d >= 0 && d <= bound);
			above_half |= d > bound / 2;
		}
		assert_true(above_half);
	}
	env_done(&e);
}

#define SCHED_TESTS                                                                                           \
	cmocka_unit_test(test_failing_handler_retries_then_dead), cmocka_unit_test(test_future_job_waits_for_its_time), \
		cmocka_unit_test(test_cancelled_before_run), cmocka_unit_test(test_unknown_kind_and_give_up),       \
		cmocka_unit_test(test_crashed_worker_lease), cmocka_unit_test(test_poke_wakes_sleeping_workers),    \
		cmocka_unit_test(test_backoff_full_jitter_bounds)

int main(void)
{
	const struct CMUnitTest tests[] = {SCHED_TESTS};
	return RUN_BACKENDS("scheduler", tests, tests);
}
