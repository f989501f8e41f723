/*
 * metrics.h — Prometheus counters and histograms, updated lock-free (C11 atomics).
 *
 * Requests are counted per route (pattern + method) and status; durations go into one histogram per
 * route. Database operations (named by the store's timing hook) get one histogram per operation name.
 * metrics_render() writes the text exposition format.
 */
#ifndef BOTWERK_HTTP_METRICS_H
#define BOTWERK_HTTP_METRICS_H

#include <stddef.h>

struct metrics;

/* `labels[i]` = {pattern, method} of route i; the copy owns nothing (strings must outlive it).
 * Route index `nroutes` is the bucket for requests that matched no route. */
struct metrics *metrics_new(size_t nroutes, const char *const *patterns, const char *const *methods);
void metrics_free(struct metrics *m);
void metrics_request(struct metrics *m, size_t route, int status, double seconds);
/* `op` must be a string with static storage (the store passes literals). */
void metrics_db(struct metrics *m, const char *op, double seconds);
/* Heap string with the exposition text, NULL when memory runs out. */
char *metrics_render(struct metrics *m);

#endif
