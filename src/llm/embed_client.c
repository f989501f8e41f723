/* embed_client.c — embeddings requests over net/httpc; see embed_client.h. */
#include "llm/embed_client.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "llm/stream.h"

#define BODY_CAP ((size_t)32 * 1024 * 1024)

struct call {
	int n;
	embed_done_fn done;
	void *ud;
	long status;
	char *body;
	size_t len, cap;
	char auth[LLM_KEY_MAX + 32];
};

static int on_headers(void *ud, long status, const char *ct)
{
	(void)ct;
	((struct call *)ud)->status = status;
	return 0;
}

static int on_data(void *ud, const char *buf, size_t len)
{
	struct call *c = ud;
	if (c->len + len + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 16384;
		while (cap < c->len + len + 1)
			cap *= 2;
		char *b = realloc(c->body, cap);
		if (!b)
			return HTTPC_STOP;
		c->body = b;
		c->cap = cap;
	}
	memcpy(c->body + c->len, buf, len);
	c->len += len;
	return HTTPC_PROGRESS;
}

static void on_done(void *ud, const struct httpc_result *r)
{
	struct call *c = ud;
	struct embed_result res = {0};
	char err[256] = "";
	if (r->err != HTTPC_OK) {
		snprintf(err, sizeof err, "embeddings endpoint: %.200s", r->message);
	} else if (c->status != 200) {
		char msg[160];
		if (llm_parse_error_body(c->body ? c->body : "", c->len, msg, sizeof msg) != 0)
			snprintf(msg, sizeof msg, "(no error message)");
		snprintf(err, sizeof err, "embeddings endpoint: HTTP %ld: %s", c->status, msg);
	} else if (embed_parse_response(c->body ? c->body : "", c->len, c->n, &res, err, sizeof err) != EMBED_OK) {
		if (!err[0])
			snprintf(err, sizeof err, "embeddings endpoint: unreadable answer");
	}
	c->done(c->ud, err[0] ? NULL : &res, err[0] ? err : NULL);
	embed_result_clear(&res);
	sodium_memzero(c->auth, sizeof c->auth);
	free(c->body);
	free(c);
}

uint64_t embed_start(struct httpc *http, const struct llm_config *cfg, const char *const *texts, int n,
		     long timeout_ms, embed_done_fn done, void *ud)
{
	json_t *body = embed_request_body(cfg->embed_model[0] ? cfg->embed_model : NULL, texts, n, false);
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	struct call *c = text ? calloc(1, sizeof *c) : NULL;
	if (!c) {
		free(text);
		return 0;
	}
	c->n = n;
	c->done = done;
	c->ud = ud;
	char url[LLM_URL_MAX + 32];
	snprintf(url, sizeof url, "%s/embeddings", cfg->embed_base_url);
	struct httpc_req req = {
		.method = "POST",
		.url = url,
		.body = text,
		.body_len = strlen(text),
		.connect_timeout_ms = timeout_ms < 5000 ? timeout_ms : 5000,
		.timeout_ms = timeout_ms,
		.max_body = BODY_CAP,
		.on_headers = on_headers,
		.on_data = on_data,
		.on_done = on_done,
		.ud = c,
	};
	req.headers[req.nheaders++] = "Content-Type: application/json";
	if (cfg->embed_api_key[0]) {
		snprintf(c->auth, sizeof c->auth, "Authorization: Bearer %s", cfg->embed_api_key);
		req.headers[req.nheaders++] = c->auth;
	}
	uint64_t id = httpc_submit(http, &req);
	free(text);
	if (!id)
		free(c);
	return id;
}

struct waiter {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done;
	struct embed_result *out;
	char *err;
	size_t errlen;
	int rc;
};

static void wait_done(void *ud, struct embed_result *res, const char *err)
{
	struct waiter *w = ud;
	pthread_mutex_lock(&w->mu);
	if (res) {
		*w->out = *res;
		memset(res, 0, sizeof *res); /* taken */
		w->rc = 0;
	} else {
		snprintf(w->err, w->errlen, "%s", err ? err : "failed");
		w->rc = -1;
	}
	w->done = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

int embed_wait(struct httpc *http, const struct llm_config *cfg, const char *const *texts, int n, long timeout_ms,
	       const atomic_bool *stop, struct embed_result *out, char *err, size_t errlen)
{
	struct waiter w = {.out = out, .err = err, .errlen = errlen, .rc = -1};
	memset(out, 0, sizeof *out);
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	uint64_t id = embed_start(http, cfg, texts, n, timeout_ms, wait_done, &w);
	if (!id) {
		snprintf(err, errlen, "cannot start an embeddings request");
	} else {
		bool cancelled = false;
		pthread_mutex_lock(&w.mu);
		while (!w.done) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 100 * 1000 * 1000;
			if (ts.tv_nsec >= 1000000000L)
				ts.tv_sec++, ts.tv_nsec -= 1000000000L;
			pthread_cond_timedwait(&w.cv, &w.mu, &ts);
			if (!w.done && !cancelled && stop && atomic_load(stop)) {
				cancelled = true;
				pthread_mutex_unlock(&w.mu);
				httpc_cancel(http, id); /* done follows with an error */
				pthread_mutex_lock(&w.mu);
			}
		}
		pthread_mutex_unlock(&w.mu);
	}
	pthread_cond_destroy(&w.cv);
	pthread_mutex_destroy(&w.mu);
	return w.rc;
}
