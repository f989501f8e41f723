/*
 * scheduler.h — the durable task scheduler: worker threads that run due jobs of the store's queue.
 *
 * A job (store.h, store_job_add) names its kind; the scheduler claims due jobs (store_job_claim: exactly
 * once, also across processes) and calls the handler registered for the kind. The handler's result decides:
 *
 *   0 (SCHEDULER_DONE)       the job is done;
 *   SCHEDULER_GIVE_UP        failed for good (status failed: no retry, not in the dead letter), for errors a
 *                            retry cannot fix (the contact was erased, the send is not allowed);
 *   anything else            failed: retried after an exponential backoff with full jitter — a delay drawn
 *                            uniformly from [0, min(cap, base · 2^(attempt−1))] — until the job's
 *                            max_attempts are used up, then dead (GET/POST /api/v1/jobs/dead lists and
 *                            retries those).
 *
 * A kind without a handler goes dead at once ("no handler for kind …"). A claim holds a lease (lease_ms): if
 * the process dies while a handler runs, the job is claimed again once the lease has expired, and that claim
 * counts as an attempt. Handlers must finish well within the lease; a handler that outlives it may see its
 * job run twice (its own late result is then ignored: store_job_finish is fenced by the attempt).
 *
 * Time comes from the injected clock, so tests choose the instant. Workers sleep until the next pending
 * run_at or at most idle_ms (default 1 s) of real time, and wake at once on scheduler_poke (call it after
 * adding a job that is due soon, or after moving a test clock).
 *
 * Threading: register every handler before scheduler_start; handlers run on the worker threads, several at
 * once, and get the job (its strings valid during the call).
 */
#ifndef BOTWERK_JOBS_SCHEDULER_H
#define BOTWERK_JOBS_SCHEDULER_H

#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/log.h"
#include "store/store.h"

#define SCHEDULER_DONE 0
#define SCHEDULER_GIVE_UP (-1000)
#define SCHEDULER_KINDS_MAX 64      /* handlers per scheduler */
#define SCHEDULER_THREADS_MAX 64

/* A handler: runs job `j`; on failure writes why into err (errlen bytes; it becomes last_error). */
typedef int (*scheduler_fn)(void *ud, const struct store_job *j, char *err, size_t errlen);

struct scheduler_config {
	struct store *store;
	const struct clock *clock;
	const struct log *log;   /* may be NULL: nothing is logged */
	int threads;             /* worker threads; ≤ 0: 2 */
	int64_t lease_ms;        /* ≤ 0: 5 minutes */
	int64_t backoff_base_ms; /* ≤ 0: 30 s */
	int64_t backoff_cap_ms;  /* ≤ 0: 1 h */
	int64_t idle_ms;         /* longest sleep without work; ≤ 0: 1000 */
	const char *worker_id;   /* claimed_by prefix; NULL: "<host>:<pid>" (a thread number is appended) */
	uint64_t seed;           /* jitter; 0: random */
};

struct scheduler;

/* A stopped scheduler (no threads yet). NULL with a message in err when memory runs out. */
struct scheduler *scheduler_new(const struct scheduler_config *cfg, char *err, size_t errlen);
/* The handler for `kind` (copied), replacing an earlier one. -1 after start, with too many kinds, or when
 * memory runs out. */
int scheduler_register(struct scheduler *s, const char *kind, scheduler_fn fn, void *ud);
/* Starts the worker threads. -1 with a message in err when one cannot start (those started are stopped). */
int scheduler_start(struct scheduler *s, char *err, size_t errlen);
/* Wakes the workers to look for due jobs now. NULL is fine. */
void scheduler_poke(struct scheduler *s);
/* Claims and runs one due job on the calling thread (tests, and `botwerk jobs run-once`): 1 when a job ran,
 * 0 when none was due, -1 when the store failed. Usable with or without the threads. */
int scheduler_run_once(struct scheduler *s);
/* The delay before retry number `attempt` + 1 after attempt `attempt` (≥ 1) failed: full jitter. */
int64_t scheduler_backoff_ms(struct scheduler *s, int attempt);
/* Stops the workers (each finishes the handler it is running) and frees. NULL is fine. */
void scheduler_free(struct scheduler *s);

#endif
