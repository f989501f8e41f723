/* api_ops.c — operations endpoints: /health, /ready, /metrics. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

static int health(struct req *r)
{
	struct app *app = app_of(r);
	bool db_ok = store_ping(app->store) == STORE_OK;
	return resp_json(r, db_ok ? 200 : 503,
			 json_pack("{s:s, s:s, s:s}", "status", db_ok ? "ok" : "degraded", "db", db_ok ? "ok" : "down",
				   "backend", store_backend_name(app->store)));
}

static int ready(struct req *r)
{
	bool ok = atomic_load(&app_of(r)->ready);
	return resp_json(r, ok ? 200 : 503, json_pack("{s:s}", "status", ok ? "ready" : "not_ready"));
}

static int metrics(struct req *r)
{
	char *text = metrics_render(app_of(r)->metrics);
	if (!text)
		return resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
	int rc = resp_bytes(r, 200, "text/plain; version=0.0.4", text, strlen(text));
	free(text);
	return rc;
}

const struct route api_ops_routes[] = {
	{"GET", "/health", health, AUTH_NONE, 0, NULL, false},
	{"GET", "/ready", ready, AUTH_NONE, 0, NULL, false},
	{"GET", "/metrics", metrics, AUTH_NONE, 0, NULL, false},
};
const size_t api_ops_routes_count = sizeof api_ops_routes / sizeof api_ops_routes[0];
