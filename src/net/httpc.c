/* httpc.c — libcurl multi on one thread; see httpc.h. */
#include "net/httpc.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"

#define TICK_MS 20     /* how often time limits are checked while one is armed */
#define IDLE_POLL_MS 1000

struct xfer {
	uint64_t id;
	CURL *easy;
	struct curl_slist *hdrs;
	char *url, *body, *method, *user_agent;
	size_t body_len;
	struct httpc_req req;     /* limits and callbacks; its string pointers are not used after submit */
	double t_submit, t_start, t_first_byte, t_progress;
	bool started, progressed, headers_told;
	size_t received;
	long retry_after_ms;
	char location[2048];      /* the last response's Location header, as sent */
	enum httpc_err forced;    /* set when we stopped it (callback, size, time) */
	char forced_msg[160];
	struct xfer *next;
};

struct httpc {
	CURLM *multi;
	pthread_t thread;
	pthread_mutex_t mu;
	struct xfer *incoming;    /* submitted, not yet seen by the thread (under mu) */
	uint64_t *cancels;        /* ids to cancel (under mu) */
	size_t ncancels, cancels_cap;
	bool stopping;            /* under mu */
	uint64_t next_id;         /* under mu */
	struct xfer *xfers;       /* the thread's: delayed and running */
	atomic_int active;
};

static void xfer_free(struct xfer *x)
{
	if (!x)
		return;
	if (x->easy)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->hdrs);
	free(x->url);
	free(x->body);
	free(x->method);
	free(x->user_agent);
	free(x);
}

/* ---- callbacks from libcurl (on the client's thread) ---------------------------------------------- */

static void tell_headers(struct xfer *x)
{
	if (x->headers_told)
		return;
	x->headers_told = true;
	if (!x->req.on_headers)
		return;
	long status = 0;
	char *ct = NULL;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ct);
	if (x->req.on_headers(x->req.ud, status, ct) != 0) {
		x->forced = HTTPC_EABORTED;
		snprintf(x->forced_msg, sizeof x->forced_msg, "stopped after the response headers");
	}
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;
	if (x->t_first_byte < 0)
		x->t_first_byte = clock_mono();
	tell_headers(x);
	if (x->forced)
		return 0;
	size_t cap = x->req.max_body ? x->req.max_body : HTTPC_DEFAULT_MAX_BODY;
	if (n > cap - x->received) {
		x->forced = HTTPC_ETOOBIG;
		snprintf(x->forced_msg, sizeof x->forced_msg, "response body larger than %zu bytes", cap);
		return 0;
	}
	x->received += n;
	int rc = x->req.on_data ? x->req.on_data(x->req.ud, ptr, n) : HTTPC_PROGRESS;
	if (rc == HTTPC_STOP) {
		x->forced = HTTPC_EABORTED;
		snprintf(x->forced_msg, sizeof x->forced_msg, "stopped by the reader");
		return 0;
	}
	if (rc == HTTPC_PROGRESS) {
		x->progressed = true;
		x->t_progress = clock_mono();
	}
	return n;
}

/* Retry-After in seconds or as an HTTP date; a new status line (redirect, 100) resets it. */
static size_t on_header(char *buf, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;
	if (n >= 5 && !strncmp(buf, "HTTP/", 5)) {
		x->retry_after_ms = -1;
		x->location[0] = '\0';
	} else if (n > 9 && !strncasecmp(buf, "Location:", 9)) {
		size_t s = 9, e = n;
		while (s < e && (buf[s] == ' ' || buf[s] == '\t'))
			s++;
		while (e > s && (buf[e - 1] == '\r' || buf[e - 1] == '\n' || buf[e - 1] == ' '))
			e--;
		if (e - s < sizeof x->location)
			snprintf(x->location, sizeof x->location, "%.*s", (int)(e - s), buf + s);
	} else if (n > 12 && !strncasecmp(buf, "Retry-After:", 12)) {
		char v[64];
		size_t len = n - 12 < sizeof v - 1 ? n - 12 : sizeof v - 1;
		memcpy(v, buf + 12, len);
		v[len] = '\0';
		char *end;
		long secs = strtol(v, &end, 10);
		while (*end == ' ' || *end == '\r' || *end == '\n')
			end++;
		if (end != v && *end == '\0' && secs >= 0) {
			x->retry_after_ms = secs > 86400 ? 86400000L : secs * 1000L;
		} else {
			time_t when = curl_getdate(v, NULL);
			if (when > 0) {
				double d = difftime(when, time(NULL));
				x->retry_after_ms = d <= 0 ? 0 : d > 86400 ? 86400000L : (long)(d * 1000.0);
			}
		}
	}
	return n;
}

/* Whether an address may not be fetched with block_private (see httpc.h). */
static bool private_v4(uint32_t a) /* host order */
{
	return (a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 || (a & 0xFFC00000u) == 0x64400000u /* 100.64/10 */ ||
	       (a & 0xFFFF0000u) == 0xA9FE0000u /* 169.254/16 */ || (a & 0xFFF00000u) == 0xAC100000u /* 172.16/12 */ ||
	       (a & 0xFFFF0000u) == 0xC0A80000u /* 192.168/16 */ || (a & 0xFFFFFF00u) == 0xC0000000u /* 192.0.0/24 */ ||
	       (a & 0xFFFE0000u) == 0xC6120000u /* 198.18/15 */ || (a >> 28) >= 0xE /* multicast, reserved, broadcast */;
}

static bool address_blocked(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return private_v4(ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr));
	if (sa->sa_family != AF_INET6)
		return true;
	const unsigned char *b = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (!memcmp(b, mapped, 12)) /* ::ffff:a.b.c.d */
		return private_v4((uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15]);
	static const unsigned char zero[15] = {0};
	if (!memcmp(b, zero, 15) && (b[15] == 0 || b[15] == 1)) /* :: and ::1 */
		return true;
	return (b[0] & 0xfe) == 0xfc /* fc00::/7 */ || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) /* fe80::/10 */ ||
	       b[0] == 0xff /* multicast */ || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) /* doc */ ||
	       (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) /* 64:ff9b::/96 NAT64 */;
}

static curl_socket_t open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct xfer *x = ud;
	if (purpose == CURLSOCKTYPE_IPCXN && address_blocked(&addr->addr)) {
		x->forced = HTTPC_EBLOCKED;
		snprintf(x->forced_msg, sizeof x->forced_msg,
			 "the address is private, loopback or link-local (not fetched)");
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
}

/* ---- the thread -------------------------------------------------------------------------------------- */

static enum httpc_err map_code(CURLcode cc)
{
	switch (cc) {
	case CURLE_OK:
		return HTTPC_OK;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SEND_ERROR:
		return HTTPC_ECONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return HTTPC_ETIMEOUT;
	case CURLE_TOO_MANY_REDIRECTS:
		return HTTPC_EOTHER;
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
		return HTTPC_ERECV;
	default:
		return HTTPC_EOTHER;
	}
}

/* Reports and frees x, which is no longer in the multi handle nor in any list. */
static void finish(struct httpc *c, struct xfer *x, enum httpc_err err, const char *msg)
{
	struct httpc_result res = {.err = err, .retry_after_ms = x->retry_after_ms, .first_byte_s = -1};
	if (x->easy && x->started) {
		char *eff = NULL, *ct = NULL;
		long redirects = 0;
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &res.status);
		curl_easy_getinfo(x->easy, CURLINFO_EFFECTIVE_URL, &eff);
		curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ct);
		curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_COUNT, &redirects);
		snprintf(res.effective_url, sizeof res.effective_url, "%s", eff ? eff : x->url);
		snprintf(res.content_type, sizeof res.content_type, "%s", ct ? ct : "");
		res.redirects = (int)redirects;
		char *next = NULL;
		curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_URL, &next);
		snprintf(res.redirect_url, sizeof res.redirect_url, "%s", next ? next : "");
		if (!res.redirect_url[0] && x->location[0] && res.status >= 300 && res.status <= 399) {
			/* a transfer stopped at the headers: resolve the Location ourselves */
			CURLU *u = curl_url();
			char *abs = NULL;
			if (u && curl_url_set(u, CURLUPART_URL, res.effective_url, 0) == CURLUE_OK &&
			    curl_url_set(u, CURLUPART_URL, x->location, 0) == CURLUE_OK &&
			    curl_url_get(u, CURLUPART_URL, &abs, 0) == CURLUE_OK)
				snprintf(res.redirect_url, sizeof res.redirect_url, "%s", abs);
			curl_free(abs);
			curl_url_cleanup(u);
		}
	} else {
		snprintf(res.effective_url, sizeof res.effective_url, "%s", x->url);
	}
	if (err == HTTPC_OK && res.status > 0)
		tell_headers(x); /* a response without a body */
	if (err == HTTPC_OK && x->forced) { /* on_headers stopped a body-less response */
		err = res.err = x->forced;
		msg = x->forced_msg;
	}
	double now = clock_mono();
	if (x->t_first_byte >= 0)
		res.first_byte_s = x->t_first_byte - x->t_submit;
	res.total_s = now - x->t_submit;
	snprintf(res.message, sizeof res.message, "%s", err == HTTPC_OK ? "" : msg ? msg : "");
	atomic_fetch_sub(&c->active, 1);
	if (x->req.on_done)
		x->req.on_done(x->req.ud, &res);
	xfer_free(x);
}

static void unlink_xfer(struct httpc *c, struct xfer *x)
{
	for (struct xfer **p = &c->xfers; *p; p = &(*p)->next)
		if (*p == x) {
			*p = x->next;
			break;
		}
	x->next = NULL;
	if (x->started)
		curl_multi_remove_handle(c->multi, x->easy);
}

static int start(struct httpc *c, struct xfer *x)
{
	CURL *e = curl_easy_init();
	if (!e)
		return -1;
	x->easy = e;
	curl_easy_setopt(e, CURLOPT_URL, x->url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_USERAGENT, x->user_agent ? x->user_agent : "botwerk");
	if (x->req.block_private) {
		curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket);
		curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, x);
	}
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
	if (x->req.connect_timeout_ms > 0)
		curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, x->req.connect_timeout_ms);
	if (x->req.timeout_ms > 0)
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, x->req.timeout_ms);
	if (x->req.max_redirects > 0) {
		curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)x->req.max_redirects);
	}
	if (x->hdrs)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);
	if (x->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body_len);
	}
	if (x->method)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, x->method);
	if (curl_multi_add_handle(c->multi, e) != CURLM_OK)
		return -1;
	x->started = true;
	x->t_start = x->t_progress = clock_mono();
	return 0;
}

/* Takes what was submitted and cancelled since the last round. Returns whether the client stops. */
static bool take_requests(struct httpc *c)
{
	pthread_mutex_lock(&c->mu);
	struct xfer *in = c->incoming;
	c->incoming = NULL;
	uint64_t *cancels = c->cancels;
	size_t ncancels = c->ncancels;
	c->cancels = NULL;
	c->ncancels = c->cancels_cap = 0;
	bool stopping = c->stopping;
	pthread_mutex_unlock(&c->mu);
	/* incoming is newest first: prepend each, so the oldest ends up first again */
	while (in) {
		struct xfer *x = in;
		in = in->next;
		x->next = c->xfers;
		c->xfers = x;
	}
	for (size_t i = 0; i < ncancels; i++)
		for (struct xfer *x = c->xfers; x; x = x->next)
			if (x->id == cancels[i]) {
				unlink_xfer(c, x);
				finish(c, x, HTTPC_ECANCELLED, "cancelled");
				break;
			}
	free(cancels);
	return stopping;
}

/* Starts delayed requests whose time came; stops those past a time limit. Returns the poll timeout. */
static int check_times(struct httpc *c)
{
	double now = clock_mono();
	int timeout = IDLE_POLL_MS;
	struct xfer *x = c->xfers, *next;
	for (; x; x = next) {
		next = x->next;
		if (!x->started) {
			double due = x->t_submit + (double)x->req.start_delay_ms / 1000.0;
			if (now >= due) {
				if (start(c, x) != 0) {
					unlink_xfer(c, x);
					finish(c, x, HTTPC_EOTHER, "cannot start the transfer");
					continue;
				}
			} else {
				int ms = (int)((due - now) * 1000.0) + 1;
				timeout = ms < timeout ? ms : timeout;
				continue;
			}
		}
		const char *why = NULL;
		if (x->req.first_progress_ms > 0 && !x->progressed &&
		    now - x->t_start > (double)x->req.first_progress_ms / 1000.0)
			why = "no answer within the first-response time limit";
		else if (x->req.idle_ms > 0 && x->progressed && now - x->t_progress > (double)x->req.idle_ms / 1000.0)
			why = "the answer stalled";
		if (why) {
			unlink_xfer(c, x);
			finish(c, x, HTTPC_ETIMEOUT, why);
			continue;
		}
		if (x->req.first_progress_ms > 0 || x->req.idle_ms > 0)
			timeout = timeout < TICK_MS ? timeout : TICK_MS;
	}
	return timeout;
}

static void collect_done(struct httpc *c)
{
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(c->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct xfer *x = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		CURLcode cc = m->data.result;
		if (!x)
			continue;
		unlink_xfer(c, x);
		if (x->forced)
			finish(c, x, x->forced, x->forced_msg);
		else
			finish(c, x, map_code(cc), curl_easy_strerror(cc));
	}
}

static void *run(void *arg)
{
	struct httpc *c = arg;
	for (;;) {
		bool stopping = take_requests(c);
		if (stopping) {
			while (c->xfers) {
				struct xfer *x = c->xfers;
				unlink_xfer(c, x);
				finish(c, x, HTTPC_ECANCELLED, "shutting down");
			}
			pthread_mutex_lock(&c->mu);
			bool more = c->incoming != NULL;
			pthread_mutex_unlock(&c->mu);
			if (!more)
				return NULL;
			continue;
		}
		int timeout = check_times(c);
		int running = 0;
		curl_multi_perform(c->multi, &running);
		collect_done(c);
		curl_multi_poll(c->multi, NULL, 0, timeout, NULL);
	}
}

/* ---- the API ------------------------------------------------------------------------------------------ */

struct httpc *httpc_new(char *err, size_t errlen)
{
	struct httpc *c = calloc(1, sizeof *c);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* curl_global_init is called once by main before threads start (it is not thread-safe) */
	c->multi = curl_multi_init();
	if (!c->multi) {
		snprintf(err, errlen, "libcurl: cannot create a multi handle");
		free(c);
		return NULL;
	}
	curl_multi_setopt(c->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 256L);
	c->next_id = 1;
	pthread_mutex_init(&c->mu, NULL);
	if (pthread_create(&c->thread, NULL, run, c) != 0) {
		snprintf(err, errlen, "cannot start the HTTP client thread");
		pthread_mutex_destroy(&c->mu);
		curl_multi_cleanup(c->multi);
		free(c);
		return NULL;
	}
	return c;
}

void httpc_free(struct httpc *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	c->stopping = true;
	pthread_mutex_unlock(&c->mu);
	curl_multi_wakeup(c->multi);
	pthread_join(c->thread, NULL);
	free(c->cancels);
	pthread_mutex_destroy(&c->mu);
	curl_multi_cleanup(c->multi);
	free(c);
}

static char *dup_or_null(const char *s, size_t len)
{
	char *d = malloc(len + 1);
	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

uint64_t httpc_submit(struct httpc *c, const struct httpc_req *req)
{
	if (!c || !req->url || req->nheaders < 0 || req->nheaders > HTTPC_MAX_HEADERS)
		return 0;
	struct xfer *x = calloc(1, sizeof *x);
	if (!x)
		return 0;
	x->req = *req;
	x->t_first_byte = -1;
	x->retry_after_ms = -1;
	x->t_submit = clock_mono();
	x->url = strdup(req->url);
	if (!x->url)
		goto fail;
	if (req->method && !(x->method = strdup(req->method)))
		goto fail;
	if (req->user_agent && !(x->user_agent = strdup(req->user_agent)))
		goto fail;
	if (req->body) {
		if (!(x->body = dup_or_null(req->body, req->body_len)))
			goto fail;
		x->body_len = req->body_len;
	}
	for (int i = 0; i < req->nheaders; i++) {
		struct curl_slist *l = curl_slist_append(x->hdrs, req->headers[i]);
		if (!l)
			goto fail;
		x->hdrs = l;
	}
	/* libcurl adds "Expect: 100-continue" to large POSTs: a round trip for nothing */
	struct curl_slist *l = curl_slist_append(x->hdrs, "Expect:");
	if (!l)
		goto fail;
	x->hdrs = l;
	pthread_mutex_lock(&c->mu);
	if (c->stopping) {
		pthread_mutex_unlock(&c->mu);
		goto fail;
	}
	x->id = c->next_id++;
	x->next = c->incoming;
	c->incoming = x;
	atomic_fetch_add(&c->active, 1);
	uint64_t id = x->id;
	pthread_mutex_unlock(&c->mu);
	curl_multi_wakeup(c->multi);
	return id;
fail:
	xfer_free(x);
	return 0;
}

void httpc_cancel(struct httpc *c, uint64_t id)
{
	if (!c || !id)
		return;
	pthread_mutex_lock(&c->mu);
	if (c->ncancels == c->cancels_cap) {
		size_t cap = c->cancels_cap ? c->cancels_cap * 2 : 16;
		uint64_t *n = realloc(c->cancels, cap * sizeof *n);
		if (!n) { /* cannot record it: the transfer's own time limits still end it */
			pthread_mutex_unlock(&c->mu);
			return;
		}
		c->cancels = n;
		c->cancels_cap = cap;
	}
	c->cancels[c->ncancels++] = id;
	pthread_mutex_unlock(&c->mu);
	curl_multi_wakeup(c->multi);
}

int httpc_active(struct httpc *c)
{
	return atomic_load(&c->active);
}

/* ---- a blocking GET for worker threads ------------------------------------------------------------------- */

struct get_wait {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done;
	char *body;
	size_t len, cap;
	struct httpc_result res;
};

static int get_data(void *ud, const char *buf, size_t len)
{
	struct get_wait *w = ud;
	if (w->len + len + 1 > w->cap) {
		size_t cap = w->cap ? w->cap : 16384;
		while (cap < w->len + len + 1)
			cap *= 2;
		char *b = realloc(w->body, cap);
		if (!b)
			return HTTPC_STOP;
		w->body = b;
		w->cap = cap;
	}
	memcpy(w->body + w->len, buf, len);
	w->len += len;
	w->body[w->len] = '\0';
	return HTTPC_PROGRESS;
}

static void get_done(void *ud, const struct httpc_result *res)
{
	struct get_wait *w = ud;
	pthread_mutex_lock(&w->mu);
	w->res = *res;
	w->done = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static int request_wait(struct httpc *c, const char *method, const char *url, const char *body_type,
			const char *header, const char *body, size_t blen, size_t max_body, long timeout_ms,
			bool block_private, char **out, size_t *len, char *content_type, size_t ctlen, long *status,
			char *err, size_t errlen)
{
	if (status)
		*status = 0;
	struct get_wait w = {0};
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	struct httpc_req req = {.method = method, .url = url, .connect_timeout_ms = timeout_ms, .timeout_ms = timeout_ms,
				.max_body = max_body, .max_redirects = body ? 0 : 5, .block_private = block_private,
				.body = body, .body_len = blen, .on_data = get_data, .on_done = get_done, .ud = &w};
	if (body)
		req.headers[req.nheaders++] = body_type;
	if (header)
		req.headers[req.nheaders++] = header;
	int rc = -1;
	if (!httpc_submit(c, &req)) {
		snprintf(err, errlen, "cannot start the request");
	} else {
		pthread_mutex_lock(&w.mu);
		while (!w.done)
			pthread_cond_wait(&w.cv, &w.mu);
		pthread_mutex_unlock(&w.mu);
		if (w.res.err != HTTPC_OK)
			snprintf(err, errlen, "%s", w.res.message);
		else if (w.res.status < 200 || w.res.status > 299)
			snprintf(err, errlen, "HTTP %ld", w.res.status);
		else
			rc = 0;
		if (status)
			*status = w.res.err == HTTPC_OK ? w.res.status : 0;
	}
	if (rc != 0 && status && *status && w.body) { /* an error answer: its body for the caller */
		*out = w.body;
		*len = w.len;
		w.body = NULL;
	}
	if (rc == 0 && !w.body && !(w.body = calloc(1, 1))) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
	}
	if (rc == 0) {
		*out = w.body;
		*len = w.len;
		if (content_type)
			snprintf(content_type, ctlen, "%s", w.res.content_type);
	} else {
		free(w.body);
	}
	pthread_cond_destroy(&w.cv);
	pthread_mutex_destroy(&w.mu);
	return rc;
}

int httpc_get_wait(struct httpc *c, const char *url, size_t max_body, long timeout_ms, bool block_private,
		   char **body, size_t *len, char *content_type, size_t ctlen, char *err, size_t errlen)
{
	return request_wait(c, "GET", url, NULL, NULL, NULL, 0, max_body, timeout_ms, block_private, body, len, content_type,
			    ctlen, NULL, err, errlen);
}

int httpc_post_wait(struct httpc *c, const char *url, const char *header, const char *body, size_t len,
		    size_t max_body, long timeout_ms, char **resp, size_t *resp_len, char *content_type, size_t ctlen,
		    long *status, char *err, size_t errlen)
{
	return request_wait(c, "POST", url, "Content-Type: application/json", header, body, len, max_body, timeout_ms,
			    false, resp, resp_len, content_type, ctlen, status, err, errlen);
}

int httpc_post_form_wait(struct httpc *c, const char *url, const char *header, const char *body, size_t len,
			 size_t max_body, long timeout_ms, char **resp, size_t *resp_len, long *status, char *err,
			 size_t errlen)
{
	return request_wait(c, "POST", url, "Content-Type: application/x-www-form-urlencoded", header, body, len,
			    max_body, timeout_ms, false, resp, resp_len, NULL, 0, status, err, errlen);
}
