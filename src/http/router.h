/*
 * router.h — the route table.
 *
 * Each row carries method, path pattern (literal segments and `{name}` parameters), handler, auth level,
 * body cap and body schema. The server validates everything a row declares before the handler runs, so
 * a handler only ever sees an authenticated (if required), size-checked, parsed and validated request.
 */
#ifndef BOTWERK_HTTP_ROUTER_H
#define BOTWERK_HTTP_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "base/json.h"

struct req;

enum auth_level {
	AUTH_NONE,   /* operations endpoints */
	AUTH_PUBLIC, /* public chat API: no key, rate limited per client address, CORS */
	AUTH_KEY,    /* management API: API key → tenant */
};

#define ROUTE_MAX_PARAMS 4

struct route {
	const char *method;
	const char *pattern;              /* "/api/v1/bots/{id}" */
	int (*handler)(struct req *r);    /* queues a response; returns 0 (or -1 after resp_error) */
	enum auth_level auth;
	size_t body_cap;                  /* 0: the server default (BOTWERK_MAX_BODY) */
	const struct json_field *schema;  /* JSON object body validated against it; NULL: no body expected */
	unsigned flags;                   /* ROUTE_* (false/true in older tables = 0/ROUTE_PARTIAL) */
};

#define ROUTE_PARTIAL 1u   /* the schema ignores `required` (PATCH) */
#define ROUTE_MULTIPART 2u /* a multipart/form-data body is passed to the handler as it is (r->multipart) */

struct router;

/* Builds a router over `ntables` tables of `counts[i]` rows each. NULL when memory runs out or a
 * pattern is malformed (message in errbuf). The tables must outlive the router. */
struct router *router_new(const struct route *const *tables, const size_t *counts, size_t ntables, char *errbuf,
			  size_t errlen);
void router_free(struct router *rt);
size_t router_count(const struct router *rt);
const struct route *router_at(const struct router *rt, size_t i);

enum router_result { ROUTER_FOUND, ROUTER_NOT_FOUND, ROUTER_METHOD_NOT_ALLOWED };

struct router_match {
	size_t index;                      /* route index when FOUND */
	const char *params[ROUTE_MAX_PARAMS]; /* pointers into `storage` */
	int nparams;
	char storage[512];
	char allow[96];                    /* Allow header value when METHOD_NOT_ALLOWED */
	bool any_public;                   /* the path matched a public route (for CORS preflight) */
};

/* Matches `path` (no query string). Parameter values are percent-decoded; a path that is too long,
 * has empty segments or decodes to a '/' or NUL inside a parameter is NOT_FOUND. */
enum router_result router_match(const struct router *rt, const char *method, const char *path,
				struct router_match *m);

#endif
