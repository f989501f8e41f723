/*
 * server.h — the HTTP server (libmicrohttpd: epoll, internal thread pool).
 *
 * Lifecycle: http_start() binds and serves; http_drain() stops accepting, lets in-flight requests
 * finish (up to a grace period) and reports whether all did; http_stop() closes everything.
 */
#ifndef BOTWERK_HTTP_SERVER_H
#define BOTWERK_HTTP_SERVER_H

#include <stdbool.h>

#include "base/log.h"
#include "http/metrics.h"
#include "http/ratelimit.h"
#include "http/router.h"
#include "store/store.h"

struct http_config {
	const char *host;
	int port;                   /* 0: any free port (see http_port) */
	int threads;
	long max_body;              /* default body cap */
	long conn_timeout_s;
	long max_connections;
	const struct router *router;
	struct store *store;        /* API key lookup */
	const unsigned char *master_key; /* 32 bytes: API key hashing */
	struct metrics *metrics;
	struct ratelimit *ratelimit;
	const struct log *log;
	bool access_log;
	void *ctx;                  /* handed to handlers as req->ctx */
};

struct http_server;

struct http_server *http_start(const struct http_config *cfg, char *errbuf, size_t errlen);
int http_port(const struct http_server *s);
/* Stops accepting new connections and waits up to grace_s for in-flight requests. True when none
 * were left running. */
bool http_drain(struct http_server *s, double grace_s);
void http_stop(struct http_server *s);

#endif
