/* api_ops.c — operations endpoints: /health, /ready, /metrics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "llm/client.h"

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

/* The model's counters, after the HTTP and database ones. malloc'd or NULL. */
static char *llm_metrics(struct app *app)
{
	struct llm_client_stats st;
	llm_client_stats(app->llm, &st);
	char *out = NULL;
	int n = asprintf(&out,
			 "# HELP botwerk_chat_llm_answers_total Chat answers written by a model.\n"
			 "# TYPE botwerk_chat_llm_answers_total counter\n"
			 "botwerk_chat_llm_answers_total %llu\n"
			 "# HELP botwerk_chat_llm_degraded_total Chats that asked for a model and got the extractive answer.\n"
			 "# TYPE botwerk_chat_llm_degraded_total counter\n"
			 "botwerk_chat_llm_degraded_total %llu\n"
			 "# HELP botwerk_llm_calls_total Model calls by outcome.\n"
			 "# TYPE botwerk_llm_calls_total counter\n"
			 "botwerk_llm_calls_total{outcome=\"ok\"} %llu\n"
			 "botwerk_llm_calls_total{outcome=\"unavailable\"} %llu\n"
			 "botwerk_llm_calls_total{outcome=\"timeout\"} %llu\n"
			 "botwerk_llm_calls_total{outcome=\"rejected\"} %llu\n"
			 "botwerk_llm_calls_total{outcome=\"stream_error\"} %llu\n"
			 "botwerk_llm_calls_total{outcome=\"cancelled\"} %llu\n"
			 "# HELP botwerk_llm_retries_total Model requests sent again (429, 503, connection errors).\n"
			 "# TYPE botwerk_llm_retries_total counter\n"
			 "botwerk_llm_retries_total %llu\n"
			 "# HELP botwerk_llm_breaker_refusals_total Model calls refused at once because the endpoint's breaker was open.\n"
			 "# TYPE botwerk_llm_breaker_refusals_total counter\n"
			 "botwerk_llm_breaker_refusals_total %llu\n",
			 (unsigned long long)atomic_load(&app->chat_llm_answers),
			 (unsigned long long)atomic_load(&app->chat_llm_degraded), (unsigned long long)st.ok,
			 (unsigned long long)st.unavailable, (unsigned long long)st.timeouts, (unsigned long long)st.rejected,
			 (unsigned long long)st.stream_errors, (unsigned long long)st.cancelled,
			 (unsigned long long)st.retries, (unsigned long long)st.breaker_refusals);
	return n < 0 ? NULL : out;
}

static int metrics(struct req *r)
{
	struct app *app = app_of(r);
	char *text = metrics_render(app->metrics);
	char *more = llm_metrics(app);
	char *all = NULL;
	if (text && more && asprintf(&all, "%s%s", text, more) < 0)
		all = NULL;
	free(text);
	free(more);
	if (!all)
		return resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
	int rc = resp_bytes(r, 200, "text/plain; version=0.0.4", all, strlen(all));
	free(all);
	return rc;
}

const struct route api_ops_routes[] = {
	{"GET", "/health", health, AUTH_NONE, 0, NULL, false},
	{"GET", "/ready", ready, AUTH_NONE, 0, NULL, false},
	{"GET", "/metrics", metrics, AUTH_NONE, 0, NULL, false},
};
const size_t api_ops_routes_count = sizeof api_ops_routes / sizeof api_ops_routes[0];
