/*
 * housekeeping.h — the periodic job of `botwerk serve`: retention periods and trial bots.
 *
 * A thread started after the HTTP server is up runs housekeeping_run() at once and then every
 * BOTWERK_HOUSEKEEPING_INTERVAL seconds (a condition variable, so housekeeping_stop() wakes it at once and
 * a run in progress stops between two batches). One run:
 *   - for every tenant with a retention period, erases each contact whose newest activity (latest
 *     conversation message, or the contact's creation when it has none) is older than the period, with
 *     store_contact_erase's semantics, in batches of `batch` contacts per transaction;
 *   - deactivates every active bot whose expires_at has passed (one log line per bot);
 *   - deletes webhook events processed, and jobs done or cancelled, more than `keep_days` ago
 *     (BOTWERK_EVENTS_KEEP_DAYS; longer than the 7 days a provider may still retry an event, so that a late
 *     retry is still recognised as a duplicate). Dead jobs stay for the dead letter until retried;
 *   - logs one line with the counts.
 * "Now" is the application clock (BOTWERK_CLOCK_OFFSET_S shifts it for tests). Every write is idempotent,
 * so several processes on one PostgreSQL database may run the job at the same time (see store.h).
 */
#ifndef BOTWERK_JOBS_HOUSEKEEPING_H
#define BOTWERK_JOBS_HOUSEKEEPING_H

#include <stdatomic.h>
#include <stddef.h>

#include "base/clock.h"
#include "base/log.h"
#include "store/store.h"

#define HOUSEKEEPING_BATCH 500 /* contacts (or bots) per transaction */

struct housekeeping_stats {
	int tenants;         /* tenants with a retention period */
	int contacts_erased;
	int bots_expired;
	int events_pruned;   /* webhook events deleted */
	int jobs_pruned;     /* done or cancelled jobs deleted */
	int errors;          /* store failures (logged); the next run tries again */
};

/* One run at `now` (unix ms). Stops early, between batches, once *stop is true (stop may be NULL). */
void housekeeping_run(struct store *st, const struct log *log, int64_t now, int batch, int keep_days,
		      const atomic_bool *stop, struct housekeeping_stats *out);

struct housekeeping;

/* Starts the thread. `log` and `clock` must outlive it. NULL with a message in err on failure. */
struct housekeeping *housekeeping_start(struct store *st, const struct log *log, const struct clock *clock,
					long interval_s, int keep_days, char *err, size_t errlen);
/* Wakes the thread, waits for it to end (a run in progress stops after its current batch) and frees it.
 * NULL is fine. */
void housekeeping_stop(struct housekeeping *hk);

#endif
