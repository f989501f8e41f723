/* housekeeping.c — retention periods, trial bot expiry and finished events and jobs, run periodically (see
 * housekeeping.h). */
#include "jobs/housekeeping.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define TENANT_PAGE 100
#define DAY_MS (86400LL * 1000)

struct housekeeping {
	struct store *store;
	const struct log *log;
	const struct clock *clock;
	long interval_s;
	int keep_days;
	pthread_mutex_t mu;
	pthread_cond_t wake; /* signalled by housekeeping_stop */
	atomic_bool stop;
	pthread_t thread;
};

static bool stopping(const atomic_bool *stop)
{
	return stop && atomic_load(stop);
}

/* Erases the tenant's contacts older than its period, batch by batch. */
static void retention_tenant(struct store *st, const struct log *log, const struct store_retention_row *t,
			     int64_t now, int batch, const atomic_bool *stop, struct housekeeping_stats *out)
{
	int64_t cutoff = now - (int64_t)t->days * DAY_MS;
	int erased = batch;
	while (erased == batch && !stopping(stop)) {
		int rc = store_retention_erase(st, t->tenant_id, cutoff, batch, now, &erased);
		if (rc != STORE_OK) {
			log_fields(log, LOG_ERROR, "housekeeping", "retention erase failed",
				   json_pack("{s:s, s:i}", "tenant_id", t->tenant_id, "store_rc", rc));
			out->errors++;
			return;
		}
		out->contacts_erased += erased;
	}
}

static void retention(struct store *st, const struct log *log, int64_t now, int batch, const atomic_bool *stop,
		      struct housekeeping_stats *out)
{
	struct store_retention_row rows[TENANT_PAGE];
	char after[STORE_ID_MAX] = "";
	int n = TENANT_PAGE;
	while (n == TENANT_PAGE && !stopping(stop)) {
		int rc = store_retention_tenants(st, after, TENANT_PAGE, rows, &n);
		if (rc != STORE_OK) {
			log_fields(log, LOG_ERROR, "housekeeping", "cannot list tenants with a retention period",
				   json_pack("{s:i}", "store_rc", rc));
			out->errors++;
			return;
		}
		for (int i = 0; i < n && !stopping(stop); i++) {
			out->tenants++;
			retention_tenant(st, log, &rows[i], now, batch, stop, out);
		}
		if (n > 0)
			snprintf(after, sizeof after, "%s", rows[n - 1].tenant_id);
	}
}

static void expire_bots(struct store *st, const struct log *log, int64_t now, int batch, const atomic_bool *stop,
			struct housekeeping_stats *out)
{
	struct store_bot_expired *rows = calloc((size_t)batch, sizeof *rows);
	if (!rows) {
		log_msg(log, LOG_ERROR, "housekeeping", "out of memory expiring bots");
		out->errors++;
		return;
	}
	int n = batch;
	/* a bot reported is inactive now, so the next batch finds the rest */
	while (n == batch && !stopping(stop)) {
		int rc = store_bot_expire(st, now, batch, rows, &n);
		if (rc != STORE_OK) {
			log_fields(log, LOG_ERROR, "housekeeping", "bot expiry failed", json_pack("{s:i}", "store_rc", rc));
			out->errors++;
			break;
		}
		for (int i = 0; i < n; i++) {
			char t[32];
			log_fields(log, LOG_INFO, "housekeeping", "trial bot expired: deactivated",
				   json_pack("{s:s, s:s, s:s}", "tenant_id", rows[i].tenant_id, "bot_id", rows[i].bot_id,
					     "expires_at", clock_iso8601(rows[i].expires_at, t)));
		}
		out->bots_expired += n;
	}
	free(rows);
}

/* Deletes processed webhook events and finished jobs older than keep_days, batch by batch. */
static void prune_finished(struct store *st, const struct log *log, int64_t now, int batch, int keep_days,
			   const atomic_bool *stop, struct housekeeping_stats *out)
{
	int64_t cutoff = now - (int64_t)keep_days * DAY_MS;
	int events = batch, jobs = batch;
	while ((events == batch || jobs == batch) && !stopping(stop)) {
		int rc = store_prune_finished(st, cutoff, batch, &events, &jobs);
		if (rc != STORE_OK) {
			log_fields(log, LOG_ERROR, "housekeeping", "pruning finished events and jobs failed",
				   json_pack("{s:i}", "store_rc", rc));
			out->errors++;
			return;
		}
		out->events_pruned += events;
		out->jobs_pruned += jobs;
	}
}

void housekeeping_run(struct store *st, const struct log *log, int64_t now, int batch, int keep_days,
		      const atomic_bool *stop, struct housekeeping_stats *out)
{
	*out = (struct housekeeping_stats){0};
	if (batch <= 0)
		batch = HOUSEKEEPING_BATCH;
	retention(st, log, now, batch, stop, out);
	expire_bots(st, log, now, batch, stop, out);
	if (keep_days > 0)
		prune_finished(st, log, now, batch, keep_days, stop, out);
}

static void *thread_main(void *arg)
{
	struct housekeeping *hk = arg;
	struct timespec next;
	for (;;) {
		double t0 = clock_mono();
		struct housekeeping_stats s;
		housekeeping_run(hk->store, hk->log, clock_now_ms(hk->clock), HOUSEKEEPING_BATCH, hk->keep_days,
				 &hk->stop, &s);
		log_fields(hk->log, s.errors ? LOG_WARN : LOG_INFO, "housekeeping", "housekeeping run",
			   json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:f}", "tenants_with_retention", s.tenants,
				     "contacts_erased", s.contacts_erased, "bots_expired", s.bots_expired, "events_pruned",
				     s.events_pruned, "jobs_pruned", s.jobs_pruned, "errors", s.errors, "seconds",
				     clock_mono() - t0));
		clock_gettime(CLOCK_MONOTONIC, &next);
		next.tv_sec += hk->interval_s;
		pthread_mutex_lock(&hk->mu);
		int e = 0;
		while (!atomic_load(&hk->stop) && e != ETIMEDOUT)
			e = pthread_cond_timedwait(&hk->wake, &hk->mu, &next);
		pthread_mutex_unlock(&hk->mu);
		if (atomic_load(&hk->stop))
			return NULL;
	}
}

struct housekeeping *housekeeping_start(struct store *st, const struct log *log, const struct clock *clock,
					long interval_s, int keep_days, char *err, size_t errlen)
{
	struct housekeeping *hk = calloc(1, sizeof *hk);
	pthread_condattr_t ca;
	if (!hk) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	*hk = (struct housekeeping){.store = st, .log = log, .clock = clock, .interval_s = interval_s > 0 ? interval_s : 1,
				    .keep_days = keep_days};
	atomic_init(&hk->stop, false);
	if (pthread_mutex_init(&hk->mu, NULL) != 0)
		goto fail_mu;
	if (pthread_condattr_init(&ca) != 0)
		goto fail_cond;
	int e = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (e == 0)
		e = pthread_cond_init(&hk->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (e != 0)
		goto fail_cond;
	if (pthread_create(&hk->thread, NULL, thread_main, hk) != 0) {
		pthread_cond_destroy(&hk->wake);
		goto fail_cond;
	}
	return hk;
fail_cond:
	pthread_mutex_destroy(&hk->mu);
fail_mu:
	free(hk);
	snprintf(err, errlen, "cannot start the housekeeping thread");
	return NULL;
}

void housekeeping_stop(struct housekeeping *hk)
{
	if (!hk)
		return;
	pthread_mutex_lock(&hk->mu);
	atomic_store(&hk->stop, true);
	pthread_cond_signal(&hk->wake);
	pthread_mutex_unlock(&hk->mu);
	pthread_join(hk->thread, NULL);
	pthread_cond_destroy(&hk->wake);
	pthread_mutex_destroy(&hk->mu);
	free(hk);
}
