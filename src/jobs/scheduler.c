/* scheduler.c — worker threads over the store's durable job queue; see scheduler.h and docs/internals/jobs.md. */
#include "jobs/scheduler.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/crypto.h"

#define DEFAULT_THREADS 2
#define DEFAULT_LEASE_MS (5 * 60 * 1000LL)
#define DEFAULT_BASE_MS (30 * 1000LL)
#define DEFAULT_CAP_MS (60 * 60 * 1000LL)
#define DEFAULT_IDLE_MS 1000LL
#define MIN_WAIT_MS 5 /* a worker that saw a due job go to another one looks again after this */
#define WORKER_ID_MAX 128

struct handler {
	char *kind;
	scheduler_fn fn;
	void *ud;
};

struct worker {
	struct scheduler *s;
	pthread_t thread;
	char id[WORKER_ID_MAX]; /* claimed_by */
};

struct scheduler {
	struct scheduler_config cfg;
	char base_id[96]; /* "<host>:<pid>" or the configured prefix */
	struct handler handlers[SCHEDULER_KINDS_MAX];
	int nhandlers;
	struct worker *workers;
	int nworkers; /* running threads */
	bool started;

	pthread_mutex_t mu;  /* guards everything below */
	pthread_cond_t cv;   /* poked or stopping (monotonic clock) */
	uint64_t poke_gen;   /* raised by every poke */
	bool stopping;
	uint64_t rng;        /* xorshift64* state for the jitter */
};

/* ---- helpers ------------------------------------------------------------------------------------------ */

static uint64_t next_random(struct scheduler *s)
{
	pthread_mutex_lock(&s->mu);
	uint64_t x = s->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	s->rng = x;
	pthread_mutex_unlock(&s->mu);
	return x * 0x2545F4914F6CDD1DULL;
}

int64_t scheduler_backoff_ms(struct scheduler *s, int attempt)
{
	int64_t bound = s->cfg.backoff_base_ms;
	for (int i = 1; i < attempt && bound < s->cfg.backoff_cap_ms; i++)
		bound *= 2;
	if (bound > s->cfg.backoff_cap_ms)
		bound = s->cfg.backoff_cap_ms;
	return (int64_t)(next_random(s) % (uint64_t)(bound + 1));
}

static const struct handler *find_handler(const struct scheduler *s, const char *kind)
{
	for (int i = 0; i < s->nhandlers; i++)
		if (!strcmp(s->handlers[i].kind, kind))
			return &s->handlers[i];
	return NULL;
}

/* ---- running one job ------------------------------------------------------------------------------------ */

/* Records the end of the attempt; a claim lost to an expired lease is only logged. */
static void finish(struct scheduler *s, const struct store_job *j, const char *status, const char *error,
		   int64_t next_run_at)
{
	int rc = store_job_finish(s->cfg.store, j->id, j->attempts, status, error, next_run_at,
				  clock_now_ms(s->cfg.clock));
	if (rc == STORE_NOTFOUND && s->cfg.log)
		log_msg(s->cfg.log, LOG_WARN, "scheduler", "job %s (%s): its lease expired while it ran; result dropped",
			j->id, j->kind);
	else if (rc != STORE_OK && s->cfg.log)
		log_msg(s->cfg.log, LOG_ERROR, "scheduler", "job %s (%s): the result could not be stored (%d)", j->id,
			j->kind, rc);
}

/* Claims a due job as `worker_id` and runs it: 1 ran, 0 none due, -1 store failure. */
static int run_one(struct scheduler *s, const char *worker_id)
{
	struct store_job j;
	int rc = store_job_claim(s->cfg.store, clock_now_ms(s->cfg.clock), s->cfg.lease_ms, worker_id, &j);
	if (rc == STORE_NOTFOUND)
		return 0;
	if (rc != STORE_OK) {
		if (s->cfg.log)
			log_msg(s->cfg.log, LOG_ERROR, "scheduler", "claiming a job failed (%d)", rc);
		return -1;
	}
	const struct handler *h = find_handler(s, j.kind);
	if (!h) {
		char err[160];
		snprintf(err, sizeof err, "no handler for kind \"%.100s\"", j.kind);
		if (s->cfg.log)
			log_msg(s->cfg.log, LOG_ERROR, "scheduler", "job %s: %s: dead", j.id, err);
		finish(s, &j, "dead", err, 0);
		store_job_clear(&j);
		return 1;
	}
	char err[512] = "";
	int r = h->fn(h->ud, &j, err, sizeof err);
	if (r == SCHEDULER_DONE) {
		finish(s, &j, "done", NULL, 0);
	} else {
		if (!err[0])
			snprintf(err, sizeof err, "handler failed (%d)", r);
		bool retry = r != SCHEDULER_GIVE_UP && j.attempts < j.max_attempts;
		int64_t next = retry ? clock_now_ms(s->cfg.clock) + scheduler_backoff_ms(s, j.attempts) : 0;
		if (s->cfg.log)
			log_msg(s->cfg.log, retry ? LOG_WARN : LOG_ERROR, "scheduler", "job %s (%s) attempt %d/%d: %s%s",
				j.id, j.kind, j.attempts, j.max_attempts, err,
				retry ? "" : r == SCHEDULER_GIVE_UP ? " (given up)" : " (dead)");
		finish(s, &j, "failed", err, next);
	}
	store_job_clear(&j);
	return 1;
}

int scheduler_run_once(struct scheduler *s)
{
	char id[WORKER_ID_MAX];
	snprintf(id, sizeof id, "%s:caller", s->base_id);
	return run_one(s, id);
}

/* ---- worker threads -------------------------------------------------------------------------------------- */

/* How long to sleep (real ms) when nothing was due: until the next pending run_at, at most idle_ms. */
static int64_t idle_wait_ms(struct scheduler *s, int last)
{
	int64_t wait = s->cfg.idle_ms, next;
	if (last == 0 && store_job_next_run_at(s->cfg.store, &next) == STORE_OK) {
		int64_t d = next - clock_now_ms(s->cfg.clock);
		if (d < wait)
			wait = d < MIN_WAIT_MS ? MIN_WAIT_MS : d;
	}
	return wait;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct scheduler *s = w->s;
	for (;;) {
		pthread_mutex_lock(&s->mu);
		uint64_t gen = s->poke_gen;
		bool stop = s->stopping;
		pthread_mutex_unlock(&s->mu);
		if (stop)
			break;
		int r = run_one(s, w->id);
		if (r == 1)
			continue;
		int64_t wait = idle_wait_ms(s, r);
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += (time_t)(wait / 1000);
		ts.tv_nsec += (long)(wait % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&s->mu);
		while (!s->stopping && gen == s->poke_gen)
			if (pthread_cond_timedwait(&s->cv, &s->mu, &ts) != 0)
				break; /* timed out (or failed): look again */
		pthread_mutex_unlock(&s->mu);
	}
	return NULL;
}

/* ---- lifecycle ------------------------------------------------------------------------------------------- */

struct scheduler *scheduler_new(const struct scheduler_config *cfg, char *err, size_t errlen)
{
	struct scheduler *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	if (s->cfg.threads <= 0)
		s->cfg.threads = DEFAULT_THREADS;
	if (s->cfg.threads > SCHEDULER_THREADS_MAX)
		s->cfg.threads = SCHEDULER_THREADS_MAX;
	if (s->cfg.lease_ms <= 0)
		s->cfg.lease_ms = DEFAULT_LEASE_MS;
	if (s->cfg.backoff_base_ms <= 0)
		s->cfg.backoff_base_ms = DEFAULT_BASE_MS;
	if (s->cfg.backoff_cap_ms <= 0)
		s->cfg.backoff_cap_ms = DEFAULT_CAP_MS;
	if (s->cfg.idle_ms <= 0)
		s->cfg.idle_ms = DEFAULT_IDLE_MS;
	if (s->cfg.worker_id) {
		snprintf(s->base_id, sizeof s->base_id, "%s", s->cfg.worker_id);
	} else {
		char host[64] = "host";
		if (gethostname(host, sizeof host) != 0)
			snprintf(host, sizeof host, "host");
		host[sizeof host - 1] = '\0';
		snprintf(s->base_id, sizeof s->base_id, "%s:%ld", host, (long)getpid());
	}
	s->cfg.worker_id = NULL; /* not kept: base_id is the copy */
	s->rng = cfg->seed;
	while (s->rng == 0) {
		unsigned char b[CRYPTO_KEY_BYTES];
		crypto_random_key(b);
		memcpy(&s->rng, b, sizeof s->rng);
	}
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	return s;
}

int scheduler_register(struct scheduler *s, const char *kind, scheduler_fn fn, void *ud)
{
	if (s->started || !kind || !fn)
		return -1;
	for (int i = 0; i < s->nhandlers; i++)
		if (!strcmp(s->handlers[i].kind, kind)) {
			s->handlers[i].fn = fn;
			s->handlers[i].ud = ud;
			return 0;
		}
	if (s->nhandlers == SCHEDULER_KINDS_MAX)
		return -1;
	char *k = strdup(kind);
	if (!k)
		return -1;
	s->handlers[s->nhandlers++] = (struct handler){k, fn, ud};
	return 0;
}

static void stop_workers(struct scheduler *s)
{
	pthread_mutex_lock(&s->mu);
	s->stopping = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	for (int i = 0; i < s->nworkers; i++)
		pthread_join(s->workers[i].thread, NULL);
	s->nworkers = 0;
}

int scheduler_start(struct scheduler *s, char *err, size_t errlen)
{
	if (s->started) {
		snprintf(err, errlen, "the scheduler is already running");
		return -1;
	}
	s->workers = calloc((size_t)s->cfg.threads, sizeof *s->workers);
	if (!s->workers) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->started = true;
	for (int i = 0; i < s->cfg.threads; i++) {
		struct worker *w = &s->workers[i];
		w->s = s;
		snprintf(w->id, sizeof w->id, "%s:%d", s->base_id, i + 1);
		if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
			snprintf(err, errlen, "cannot start scheduler thread %d", i + 1);
			stop_workers(s);
			return -1;
		}
		s->nworkers++;
	}
	return 0;
}

void scheduler_poke(struct scheduler *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->poke_gen++;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

void scheduler_free(struct scheduler *s)
{
	if (!s)
		return;
	stop_workers(s);
	free(s->workers);
	for (int i = 0; i < s->nhandlers; i++)
		free(s->handlers[i].kind);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
