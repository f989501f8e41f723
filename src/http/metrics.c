/* metrics.c — fixed-size atomic counters; rendering walks them once per scrape. */
#include "http/metrics.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double bucket_le[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NBUCKETS (sizeof bucket_le / sizeof bucket_le[0])

static const int status_codes[] = {200, 201, 202, 204, 304, 400, 401, 403, 404, 405,
				   409, 413, 415, 422, 429, 500, 503};
#define NSTATUS (sizeof status_codes / sizeof status_codes[0])
#define STATUS_OTHER NSTATUS

#define MAX_DB_OPS 128 /* distinct store operations (store.c names each); more are not recorded */

struct histogram {
	_Atomic uint64_t bucket[NBUCKETS]; /* non-cumulative; rendered cumulatively */
	_Atomic uint64_t count;
	_Atomic uint64_t sum_ns;
};

struct route_stats {
	_Atomic uint64_t status[NSTATUS + 1];
	struct histogram latency;
};

struct metrics {
	size_t nroutes;
	const char *const *patterns;
	const char *const *methods;
	struct route_stats *routes; /* nroutes + 1 */
	pthread_mutex_t db_lock;    /* only taken to add a new operation name */
	_Atomic size_t ndb;
	const char *_Atomic db_name[MAX_DB_OPS];
	struct histogram db[MAX_DB_OPS];
};

struct metrics *metrics_new(size_t nroutes, const char *const *patterns, const char *const *methods)
{
	struct metrics *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->routes = calloc(nroutes + 1, sizeof *m->routes);
	if (!m->routes) {
		free(m);
		return NULL;
	}
	m->nroutes = nroutes;
	m->patterns = patterns;
	m->methods = methods;
	pthread_mutex_init(&m->db_lock, NULL);
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->db_lock);
	free(m->routes);
	free(m);
}

static void observe(struct histogram *h, double seconds)
{
	size_t b = 0;
	while (b < NBUCKETS && seconds > bucket_le[b])
		b++;
	if (b < NBUCKETS)
		atomic_fetch_add_explicit(&h->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum_ns, (uint64_t)(seconds * 1e9), memory_order_relaxed);
}

void metrics_request(struct metrics *m, size_t route, int status, double seconds)
{
	if (route > m->nroutes)
		route = m->nroutes;
	size_t s = STATUS_OTHER;
	for (size_t i = 0; i < NSTATUS; i++)
		if (status_codes[i] == status) {
			s = i;
			break;
		}
	atomic_fetch_add_explicit(&m->routes[route].status[s], 1, memory_order_relaxed);
	observe(&m->routes[route].latency, seconds);
}

void metrics_db(struct metrics *m, const char *op, double seconds)
{
	size_t n = atomic_load_explicit(&m->ndb, memory_order_acquire);
	for (size_t i = 0; i < n; i++)
		if (atomic_load_explicit(&m->db_name[i], memory_order_relaxed) == op) {
			observe(&m->db[i], seconds);
			return;
		}
	pthread_mutex_lock(&m->db_lock);
	n = atomic_load_explicit(&m->ndb, memory_order_relaxed);
	size_t i = 0;
	while (i < n && m->db_name[i] != op)
		i++;
	if (i == n && n < MAX_DB_OPS) {
		atomic_store_explicit(&m->db_name[n], op, memory_order_relaxed);
		atomic_store_explicit(&m->ndb, n + 1, memory_order_release);
	}
	pthread_mutex_unlock(&m->db_lock);
	if (i < MAX_DB_OPS)
		observe(&m->db[i], seconds);
}

/* A growable string for rendering; sticky failure. */
struct out {
	char *s;
	size_t len, cap;
	int failed;
};

static void outf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void outf(struct out *o, const char *fmt, ...)
{
	if (o->failed)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(o->s + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->failed = 1;
			return;
		}
		if ((size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		size_t cap = o->cap * 2 + (size_t)n;
		char *s = realloc(o->s, cap);
		if (!s) {
			o->failed = 1;
			return;
		}
		o->s = s;
		o->cap = cap;
	}
}

static void render_hist(struct out *o, const char *name, const char *labels, const struct histogram *h)
{
	uint64_t cum = 0;
	for (size_t b = 0; b < NBUCKETS; b++) {
		cum += atomic_load_explicit(&h->bucket[b], memory_order_relaxed);
		outf(o, "%s_bucket{%s,le=\"%g\"} %llu\n", name, labels, bucket_le[b], (unsigned long long)cum);
	}
	uint64_t count = atomic_load_explicit(&h->count, memory_order_relaxed);
	outf(o, "%s_bucket{%s,le=\"+Inf\"} %llu\n", name, labels, (unsigned long long)count);
	outf(o, "%s_sum{%s} %.9f\n", name, labels,
	     (double)atomic_load_explicit(&h->sum_ns, memory_order_relaxed) / 1e9);
	outf(o, "%s_count{%s} %llu\n", name, labels, (unsigned long long)count);
}

char *metrics_render(struct metrics *m)
{
	struct out o = {.s = malloc(16384), .cap = 16384};
	char labels[256];
	if (!o.s)
		return NULL;
	o.s[0] = '\0';

	outf(&o, "# HELP botwerk_http_requests_total HTTP requests by route, method and status.\n"
		 "# TYPE botwerk_http_requests_total counter\n");
	for (size_t r = 0; r <= m->nroutes; r++) {
		const char *pat = r < m->nroutes ? m->patterns[r] : "unmatched";
		const char *meth = r < m->nroutes ? m->methods[r] : "any";
		for (size_t s = 0; s <= NSTATUS; s++) {
			uint64_t v = atomic_load_explicit(&m->routes[r].status[s], memory_order_relaxed);
			if (!v)
				continue;
			if (s < NSTATUS)
				outf(&o, "botwerk_http_requests_total{route=\"%s\",method=\"%s\",status=\"%d\"} %llu\n",
				     pat, meth, status_codes[s], (unsigned long long)v);
			else
				outf(&o, "botwerk_http_requests_total{route=\"%s\",method=\"%s\",status=\"other\"} %llu\n",
				     pat, meth, (unsigned long long)v);
		}
	}
	outf(&o, "# HELP botwerk_http_request_duration_seconds Time from request start to response queued.\n"
		 "# TYPE botwerk_http_request_duration_seconds histogram\n");
	for (size_t r = 0; r <= m->nroutes; r++) {
		if (!atomic_load_explicit(&m->routes[r].latency.count, memory_order_relaxed))
			continue;
		snprintf(labels, sizeof labels, "route=\"%s\",method=\"%s\"",
			 r < m->nroutes ? m->patterns[r] : "unmatched", r < m->nroutes ? m->methods[r] : "any");
		render_hist(&o, "botwerk_http_request_duration_seconds", labels, &m->routes[r].latency);
	}
	outf(&o, "# HELP botwerk_db_query_duration_seconds Database operation durations.\n"
		 "# TYPE botwerk_db_query_duration_seconds histogram\n");
	size_t n = atomic_load_explicit(&m->ndb, memory_order_acquire);
	for (size_t i = 0; i < n; i++) {
		snprintf(labels, sizeof labels, "op=\"%s\"", atomic_load_explicit(&m->db_name[i], memory_order_relaxed));
		render_hist(&o, "botwerk_db_query_duration_seconds", labels, &m->db[i]);
	}
	if (o.failed) {
		free(o.s);
		return NULL;
	}
	return o.s;
}
