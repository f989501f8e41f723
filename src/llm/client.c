/* client.c — streamed chat completions with retries and a breaker per endpoint; see client.h. */
#include "llm/client.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/clock.h"

#define BREAKER_SLOTS 64
#define BODY_CAP (4u * 1024 * 1024) /* bytes read from one response */
#define WHOLE_CAP (256u * 1024)     /* a non-streamed body (an error or a whole completion) */
#define IDLE_MS 20000               /* the longest pause between two tokens */
#define CONNECT_MS 5000
#define BACKOFF_BASE_MS 100

struct breaker {
	char url[LLM_URL_MAX];
	int failures;      /* in a row */
	double open_until; /* monotonic seconds; 0 when closed */
	bool probing;      /* half-open: one call is out */
};

struct llm_client {
	struct httpc *http;
	pthread_mutex_t mu; /* the breakers */
	struct breaker breakers[BREAKER_SLOTS];
	int nbreakers;
	_Atomic uint64_t calls, ok, unavailable, timeouts, rejected, stream_errors, cancelled, retries, refusals;
};

enum mode { MODE_NONE, MODE_SSE, MODE_WHOLE };

struct llm_call {
	struct llm_client *c;
	struct llm_callbacks cb;
	pthread_mutex_t mu;
	int refs;           /* the caller's and the transfer's */
	bool cancelled, finished;
	uint64_t xfer;      /* the running attempt's transfer id */
	char *body;
	size_t body_len;
	char url[LLM_URL_MAX + 32];
	char auth[LLM_KEY_MAX + 32];
	int breaker;        /* slot, -1 when none */
	double t_start, first_deadline, total_deadline;
	int attempts;
	/* the current attempt */
	long status;
	enum mode mode;
	struct llm_stream *stream;
	char *whole;
	size_t whole_len;
	bool got_error, got_done, delivered_in_feed;
	struct llm_error error;
	/* the whole call */
	char *text;
	size_t text_len, text_cap;
	char finish[32];
	struct llm_usage usage;
	double t_first_token;
};

/* ---- breaker ------------------------------------------------------------------------------------------- */

/* Finds or makes the endpoint's slot; -1 when the table is full (then there is no breaker). */
static int breaker_slot(struct llm_client *c, const char *url)
{
	for (int i = 0; i < c->nbreakers; i++)
		if (!strcmp(c->breakers[i].url, url))
			return i;
	if (c->nbreakers == BREAKER_SLOTS)
		return -1;
	struct breaker *b = &c->breakers[c->nbreakers];
	memset(b, 0, sizeof *b);
	snprintf(b->url, sizeof b->url, "%s", url);
	return c->nbreakers++;
}

/* May a call go to this endpoint now? */
static bool breaker_admit(struct llm_client *c, const char *url, int *slot)
{
	pthread_mutex_lock(&c->mu);
	*slot = breaker_slot(c, url);
	bool ok = true;
	if (*slot >= 0) {
		struct breaker *b = &c->breakers[*slot];
		if (b->open_until > 0) {
			if (clock_mono() < b->open_until || b->probing)
				ok = false;
			else
				b->probing = true; /* half-open: this call is the probe */
		}
	}
	pthread_mutex_unlock(&c->mu);
	return ok;
}

static void breaker_report(struct llm_client *c, int slot, enum llm_status st)
{
	if (slot < 0 || st == LLM_E_CANCELLED || st == LLM_E_NOMEM)
		return;
	pthread_mutex_lock(&c->mu);
	struct breaker *b = &c->breakers[slot];
	bool failure = st == LLM_E_UNAVAILABLE || st == LLM_E_TIMEOUT || st == LLM_E_STREAM;
	if (!failure) {
		b->failures = 0;
		b->open_until = 0;
	} else if (++b->failures >= LLM_BREAKER_FAILURES || b->probing) {
		b->open_until = clock_mono() + LLM_BREAKER_OPEN_S;
	}
	b->probing = false;
	pthread_mutex_unlock(&c->mu);
}

/* ---- the request --------------------------------------------------------------------------------------- */

json_t *llm_chat_body(const struct llm_config *cfg, const json_t *messages)
{
	/* temperature and top_p always sent: Ollama's /v1 layer forces 1.0 when they are left out */
	json_t *b = json_pack("{s:s, s:O, s:f, s:f, s:i, s:b, s:{s:b}}", "model", cfg->model[0] ? cfg->model : "default",
			      "messages", messages, "temperature", cfg->temperature, "top_p", cfg->top_p, "max_tokens",
			      cfg->max_tokens, "stream", 1, "stream_options", "include_usage", 1);
	if (b && cfg->json_mode && json_object_set_new(b, "response_format", json_pack("{s:s}", "type", "json_object")) != 0) {
		json_decref(b);
		return NULL;
	}
	return b;
}

static void call_unref(struct llm_call *call)
{
	pthread_mutex_lock(&call->mu);
	int left = --call->refs;
	pthread_mutex_unlock(&call->mu);
	if (left > 0)
		return;
	llm_stream_free(call->stream);
	free(call->whole);
	free(call->text);
	free(call->body);
	pthread_mutex_destroy(&call->mu);
	sodium_memzero(call->auth, sizeof call->auth);
	free(call);
}

static void append_text(struct llm_call *call, const char *s, size_t n)
{
	if (n > LLM_TEXT_MAX - call->text_len)
		n = LLM_TEXT_MAX - call->text_len;
	if (n == 0)
		return;
	if (call->text_len + n + 1 > call->text_cap) {
		size_t cap = call->text_cap ? call->text_cap * 2 : 1024;
		while (cap < call->text_len + n + 1)
			cap *= 2;
		char *t = realloc(call->text, cap);
		if (!t)
			return; /* the reply is cut; the caller still gets what came */
		call->text = t;
		call->text_cap = cap;
	}
	memcpy(call->text + call->text_len, s, n);
	call->text_len += n;
	call->text[call->text_len] = '\0';
}

static int on_chunk(const struct llm_chunk *ch, void *ud)
{
	struct llm_call *call = ud;
	switch (ch->kind) {
	case LLM_CHUNK_DELTA:
		if (ch->content_len > 0) {
			if (call->t_first_token < 0)
				call->t_first_token = clock_mono() - call->t_start;
			append_text(call, ch->content, ch->content_len);
			call->delivered_in_feed = true;
			if (call->cb.on_delta)
				call->cb.on_delta(call->cb.ud, ch->content, ch->content_len);
		}
		if (ch->finish_reason)
			snprintf(call->finish, sizeof call->finish, "%s", ch->finish_reason);
		if (ch->usage)
			call->usage = *ch->usage;
		return 0;
	case LLM_CHUNK_DONE:
		call->got_done = true;
		return 0;
	case LLM_CHUNK_ERROR:
		call->got_error = true;
		call->error = *ch->error;
		return 1; /* nothing after an error is worth reading */
	}
	return 0;
}

static int on_headers(void *ud, long status, const char *ct)
{
	struct llm_call *call = ud;
	call->status = status;
	if (status == 200 && ct && !strncasecmp(ct, "text/event-stream", 17)) {
		call->mode = MODE_SSE;
		call->stream = llm_stream_new(0);
		return call->stream ? 0 : 1;
	}
	call->mode = MODE_WHOLE;
	return 0;
}

static int on_data(void *ud, const char *buf, size_t len)
{
	struct llm_call *call = ud;
	if (call->mode == MODE_SSE) {
		call->delivered_in_feed = false;
		int rc = llm_stream_feed(call->stream, buf, len, on_chunk, call);
		if (rc != 0)
			return HTTPC_STOP;
		return call->delivered_in_feed ? HTTPC_PROGRESS : HTTPC_CONTINUE;
	}
	if (len > WHOLE_CAP - call->whole_len)
		return HTTPC_STOP;
	char *w = realloc(call->whole, call->whole_len + len + 1);
	if (!w)
		return HTTPC_STOP;
	memcpy(w + call->whole_len, buf, len);
	call->whole = w;
	call->whole_len += len;
	w[call->whole_len] = '\0';
	return HTTPC_CONTINUE; /* a whole answer is progress only once complete */
}

/* A 200 that was not a stream: one whole completion, or an error object. */
static enum llm_status read_whole(struct llm_call *call, char *msg, size_t msglen)
{
	json_error_t je;
	json_t *j = call->whole ? json_loadb(call->whole, call->whole_len, 0, &je) : NULL;
	enum llm_status st = LLM_E_STREAM;
	if (!json_is_object(j)) {
		snprintf(msg, msglen, "the answer was neither a stream nor JSON");
	} else if (json_object_get(j, "error")) {
		struct llm_error e;
		llm_error_from_json(j, &e);
		snprintf(msg, msglen, "error from the server: %.200s", e.message);
	} else {
		json_t *m = json_object_get(json_array_get(json_object_get(j, "choices"), 0), "message");
		const char *content = json_string_value(json_object_get(m, "content"));
		if (content) {
			if (call->t_first_token < 0)
				call->t_first_token = clock_mono() - call->t_start;
			append_text(call, content, strlen(content));
			if (call->cb.on_delta && content[0])
				call->cb.on_delta(call->cb.ud, content, strlen(content));
			const char *fr = json_string_value(
				json_object_get(json_array_get(json_object_get(j, "choices"), 0), "finish_reason"));
			if (fr)
				snprintf(call->finish, sizeof call->finish, "%s", fr);
			st = LLM_OK;
		} else {
			snprintf(msg, msglen, "the answer had no choices[0].message.content");
		}
	}
	json_decref(j);
	return st;
}

static void reset_attempt(struct llm_call *call)
{
	llm_stream_free(call->stream);
	call->stream = NULL;
	free(call->whole);
	call->whole = NULL;
	call->whole_len = 0;
	call->status = 0;
	call->mode = MODE_NONE;
	call->got_error = call->got_done = false;
}

static void on_xfer_done(void *ud, const struct httpc_result *res);

/* Starts the next attempt after delay_ms; 0, or -1 when it cannot (out of time, refused). */
static int attempt(struct llm_call *call, long delay_ms)
{
	double now = clock_mono();
	long first_left = (long)((call->first_deadline - now) * 1000.0) - delay_ms;
	long total_left = (long)((call->total_deadline - now) * 1000.0) - delay_ms;
	if (first_left < 20 || total_left < 20)
		return -1;
	reset_attempt(call);
	struct httpc_req req = {
		.method = "POST",
		.url = call->url,
		.body = call->body,
		.body_len = call->body_len,
		.connect_timeout_ms = first_left < CONNECT_MS ? first_left : CONNECT_MS,
		.timeout_ms = total_left,
		.first_progress_ms = first_left,
		.idle_ms = IDLE_MS,
		.start_delay_ms = delay_ms,
		.max_body = BODY_CAP,
		.on_headers = on_headers,
		.on_data = on_data,
		.on_done = on_xfer_done,
		.ud = call,
	};
	req.headers[req.nheaders++] = "Content-Type: application/json";
	req.headers[req.nheaders++] = "Accept: text/event-stream";
	if (call->auth[0])
		req.headers[req.nheaders++] = call->auth;
	/* counted before the submit: the transfer may finish (on_xfer_done reads it) before submit returns */
	call->attempts++;
	pthread_mutex_lock(&call->mu);
	bool cancelled = call->cancelled;
	uint64_t id = cancelled ? 0 : httpc_submit(call->c->http, &req);
	call->xfer = id;
	pthread_mutex_unlock(&call->mu);
	if (!id) {
		call->attempts--;
		return -1;
	}
	return 0;
}

static void count(struct llm_client *c, enum llm_status st)
{
	switch (st) {
	case LLM_OK: atomic_fetch_add(&c->ok, 1); break;
	case LLM_E_UNAVAILABLE: atomic_fetch_add(&c->unavailable, 1); break;
	case LLM_E_TIMEOUT: atomic_fetch_add(&c->timeouts, 1); break;
	case LLM_E_REJECTED: atomic_fetch_add(&c->rejected, 1); break;
	case LLM_E_STREAM: atomic_fetch_add(&c->stream_errors, 1); break;
	case LLM_E_CANCELLED: atomic_fetch_add(&c->cancelled, 1); break;
	case LLM_E_NOMEM: break;
	}
}

static void finish_call(struct llm_call *call, enum llm_status st, const char *msg)
{
	struct llm_outcome o = {
		.status = st,
		.text = call->text ? call->text : "",
		.text_len = call->text_len,
		.finish_reason = call->finish[0] ? call->finish : NULL,
		.usage = call->usage,
		.http_status = (int)call->status,
		.attempts = call->attempts,
		.first_token_s = call->t_first_token,
		.total_s = clock_mono() - call->t_start,
	};
	if (call->stream) {
		struct llm_stream_stats ss;
		llm_stream_stats(call->stream, &ss);
		o.malformed = ss.malformed;
	}
	snprintf(o.message, sizeof o.message, "%s", st == LLM_OK ? "" : msg ? msg : "");
	breaker_report(call->c, call->breaker, st);
	count(call->c, st);
	pthread_mutex_lock(&call->mu);
	call->finished = true;
	call->xfer = 0;
	pthread_mutex_unlock(&call->mu);
	if (call->cb.on_done)
		call->cb.on_done(call->cb.ud, &o);
	call_unref(call); /* the transfer's reference */
}

static long backoff_ms(int attempts)
{
	int shift = attempts < 1 ? 0 : attempts > 7 ? 6 : attempts - 1;
	long base = (long)BACKOFF_BASE_MS << shift;
	return base + (long)randombytes_uniform((uint32_t)base); /* full jitter on top of the base */
}

static void on_xfer_done(void *ud, const struct httpc_result *res)
{
	struct llm_call *call = ud;
	char msg[256] = "";
	enum llm_status st;
	bool retry = false;
	long delay = 0;

	pthread_mutex_lock(&call->mu);
	bool cancelled = call->cancelled;
	pthread_mutex_unlock(&call->mu);
	if (cancelled) {
		finish_call(call, LLM_E_CANCELLED, "cancelled");
		return;
	}
	bool any_text = call->text_len > 0;
	if (call->got_error) {
		st = LLM_E_STREAM;
		snprintf(msg, sizeof msg, "error inside the stream: %.150s%s%.60s", call->error.message,
			 call->error.type[0] ? " / " : "", call->error.type);
	} else if (res->err == HTTPC_OK && call->status == 200) {
		if (call->mode == MODE_SSE) {
			struct llm_stream_stats ss;
			llm_stream_stats(call->stream, &ss);
			if (!ss.done && !ss.finished) {
				st = LLM_E_STREAM;
				snprintf(msg, sizeof msg, "the stream ended before its end (no [DONE], no finish_reason)");
			} else {
				st = LLM_OK;
			}
		} else {
			st = read_whole(call, msg, sizeof msg);
		}
	} else if (res->err == HTTPC_OK) {
		long s = call->status;
		char emsg[160];
		if (llm_parse_error_body(call->whole ? call->whole : "", call->whole_len, emsg, sizeof emsg) != 0)
			snprintf(emsg, sizeof emsg, "(no error message)");
		snprintf(msg, sizeof msg, "HTTP %ld: %s", s, emsg);
		if (s == 429 || s == 503) {
			st = LLM_E_UNAVAILABLE;
			retry = true;
			delay = res->retry_after_ms >= 0 ? res->retry_after_ms : backoff_ms(call->attempts);
		} else if (s >= 400 && s < 500) {
			st = LLM_E_REJECTED;
		} else if (s == 500) {
			st = LLM_E_REJECTED; /* llama-server's answer to a malformed request: retrying cannot help */
		} else {
			st = LLM_E_UNAVAILABLE;
		}
	} else {
		snprintf(msg, sizeof msg, "%s", res->message);
		switch (res->err) {
		case HTTPC_ECONNECT:
			st = LLM_E_UNAVAILABLE;
			retry = true;
			delay = backoff_ms(call->attempts);
			break;
		case HTTPC_ERECV:
			st = any_text ? LLM_E_STREAM : LLM_E_UNAVAILABLE;
			retry = !any_text;
			delay = backoff_ms(call->attempts);
			if (any_text)
				snprintf(msg, sizeof msg, "the stream was cut: %.200s", res->message);
			break;
		case HTTPC_ETIMEOUT:
			st = LLM_E_TIMEOUT;
			break;
		case HTTPC_ECANCELLED:
			st = LLM_E_CANCELLED;
			break;
		case HTTPC_ETOOBIG:
		case HTTPC_EABORTED:
			st = LLM_E_STREAM;
			break;
		default:
			st = LLM_E_UNAVAILABLE;
			break;
		}
	}
	if (retry && !any_text && call->attempts < LLM_MAX_ATTEMPTS) {
		atomic_fetch_add(&call->c->retries, 1);
		if (attempt(call, delay) == 0)
			return;
		if (call->status == 429)
			snprintf(msg + strlen(msg), sizeof msg - strlen(msg), " (Retry-After past the deadline)");
	}
	finish_call(call, st, msg);
}

/* ---- the API ------------------------------------------------------------------------------------------- */

struct llm_client *llm_client_new(struct httpc *http)
{
	struct llm_client *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->http = http;
	pthread_mutex_init(&c->mu, NULL);
	return c;
}

void llm_client_free(struct llm_client *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->mu);
	free(c);
}

struct llm_call *llm_chat(struct llm_client *c, const struct llm_config *cfg, const json_t *messages,
			  const struct llm_callbacks *cb, enum llm_status *why)
{
	*why = LLM_E_NOMEM;
	atomic_fetch_add(&c->calls, 1);
	int slot;
	if (!breaker_admit(c, cfg->base_url, &slot)) {
		atomic_fetch_add(&c->refusals, 1);
		atomic_fetch_add(&c->unavailable, 1);
		*why = LLM_E_UNAVAILABLE;
		return NULL;
	}
	struct llm_call *call = calloc(1, sizeof *call);
	json_t *body = call ? llm_chat_body(cfg, messages) : NULL;
	if (!call || !body || !(call->body = json_dumps(body, JSON_COMPACT)))
		goto fail;
	json_decref(body);
	body = NULL;
	call->body_len = strlen(call->body);
	call->c = c;
	call->cb = *cb;
	call->refs = 2;
	call->breaker = slot;
	call->t_first_token = -1;
	memset(&call->usage, 0xff, sizeof call->usage); /* -1s */
	snprintf(call->url, sizeof call->url, "%s/chat/completions", cfg->base_url);
	if (cfg->api_key[0])
		snprintf(call->auth, sizeof call->auth, "Authorization: Bearer %s", cfg->api_key);
	pthread_mutex_init(&call->mu, NULL);
	call->t_start = clock_mono();
	call->first_deadline = call->t_start + cfg->timeout_ms / 1000.0;
	call->total_deadline = call->t_start + cfg->total_timeout_ms / 1000.0;
	if (attempt(call, 0) != 0) {
		pthread_mutex_destroy(&call->mu);
		goto fail;
	}
	return call;
fail:
	/* frees a probe slot without judging the endpoint */
	pthread_mutex_lock(&c->mu);
	if (slot >= 0)
		c->breakers[slot].probing = false;
	pthread_mutex_unlock(&c->mu);
	json_decref(body);
	if (call)
		free(call->body);
	free(call);
	return NULL;
}

void llm_call_cancel(struct llm_call *call)
{
	if (!call)
		return;
	pthread_mutex_lock(&call->mu);
	call->cancelled = true;
	uint64_t id = call->finished ? 0 : call->xfer;
	pthread_mutex_unlock(&call->mu);
	if (id)
		httpc_cancel(call->c->http, id);
}

void llm_call_release(struct llm_call *call)
{
	if (call)
		call_unref(call);
}

void llm_client_stats(struct llm_client *c, struct llm_client_stats *out)
{
	*out = (struct llm_client_stats){
		.calls = atomic_load(&c->calls),
		.ok = atomic_load(&c->ok),
		.unavailable = atomic_load(&c->unavailable),
		.timeouts = atomic_load(&c->timeouts),
		.rejected = atomic_load(&c->rejected),
		.stream_errors = atomic_load(&c->stream_errors),
		.cancelled = atomic_load(&c->cancelled),
		.retries = atomic_load(&c->retries),
		.breaker_refusals = atomic_load(&c->refusals),
	};
}

const char *llm_status_name(enum llm_status s)
{
	switch (s) {
	case LLM_OK: return "ok";
	case LLM_E_UNAVAILABLE: return "unavailable";
	case LLM_E_TIMEOUT: return "timeout";
	case LLM_E_REJECTED: return "rejected";
	case LLM_E_STREAM: return "stream_error";
	case LLM_E_CANCELLED: return "cancelled";
	case LLM_E_NOMEM: return "out_of_memory";
	}
	return "unknown";
}
