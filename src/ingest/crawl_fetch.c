/*
 * crawl_fetch.c — one fetch for the crawler: the pause due since the last fetch, the request through
 * httpc, the body kept within its limit on httpc's thread, and the crawler's thread waiting on a
 * condition variable (waking every 100 ms to look at the stop flag). See crawl_int.h.
 *
 * The waiter lives on the crawler's stack. httpc calls on_done exactly once and last, so the waiter
 * is never touched after on_done has signalled it.
 */
#include "ingest/crawl_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/clock.h"
#include "ingest/robots.h"
#include "ingest/sitemap.h"

struct waiter {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done; /* under mu */
	struct httpc_result res;

	/* Set on httpc's thread before on_done, read by the crawler after it. */
	enum cr_mode mode;
	enum cr_kind kind;
	const char *url;
	size_t html_limit, pdf_limit;
	size_t limit; /* for the body now being read */
	char *buf;
	size_t len, cap, received;
	long status;
	char ctype[128];
	bool bad_status, other_type, too_big, cut, nomem;
};

bool cr_stopping(struct crawl *c)
{
	if (!c->stopped && c->stop && atomic_load(c->stop))
		c->stopped = true;
	return c->stopped;
}

/* "text/HTML; charset=x" → is it `want`? */
static bool media_is(const char *ct, const char *want)
{
	size_t n = strlen(want);
	while (*ct == ' ')
		ct++;
	if (strncasecmp(ct, want, n) != 0)
		return false;
	ct += n;
	while (*ct == ' ')
		ct++;
	return *ct == '\0' || *ct == ';';
}

static int on_headers(void *ud, long status, const char *content_type)
{
	struct waiter *w = ud;
	w->status = status;
	snprintf(w->ctype, sizeof w->ctype, "%s", content_type ? content_type : "");
	if (status < 200 || status > 299) {
		w->bad_status = true;
		return 1;
	}
	if (w->mode == CR_ROBOTS) {
		w->limit = ROBOTS_MAX_BYTES;
	} else if (w->mode == CR_SITEMAP) {
		w->limit = SITEMAP_MAX_BYTES;
	} else if (!content_type || !*content_type) {
		w->kind = CR_KIND_SNIFF;
		w->limit = w->html_limit;
	} else if (media_is(content_type, "text/html") || media_is(content_type, "application/xhtml+xml")) {
		w->kind = CR_KIND_HTML;
		w->limit = w->html_limit;
	} else if (media_is(content_type, "application/pdf") || media_is(content_type, "application/x-pdf") ||
		   ((media_is(content_type, "application/octet-stream") ||
		     media_is(content_type, "binary/octet-stream")) && cr_pdf_name(w->url))) {
		w->kind = CR_KIND_PDF;
		w->limit = w->pdf_limit;
	} else {
		w->other_type = true;
		return 1;
	}
	return 0;
}

static int on_data(void *ud, const char *buf, size_t len)
{
	struct waiter *w = ud;
	w->received += len;
	if (w->kind == CR_KIND_SNIFF) {
		bool pdf = len >= 5 && !memcmp(buf, "%PDF-", 5);
		w->kind = pdf ? CR_KIND_PDF : CR_KIND_HTML;
		w->limit = pdf ? w->pdf_limit : w->html_limit;
	}
	size_t take = len;
	if (take > w->limit - w->len) {
		if (w->mode != CR_ROBOTS) {
			w->too_big = true;
			return HTTPC_STOP;
		}
		take = w->limit - w->len;
		w->cut = true;
	}
	if (w->cap - w->len < take + 1) {
		size_t cap = w->cap ? w->cap : 16384;
		while (cap - w->len < take + 1)
			cap *= 2;
		if (cap > w->limit + 1)
			cap = w->limit + 1;
		char *p = realloc(w->buf, cap);
		if (!p) {
			w->nomem = true;
			return HTTPC_STOP;
		}
		w->buf = p;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, buf, take);
	w->len += take;
	w->buf[w->len] = '\0';
	return w->cut ? HTTPC_STOP : HTTPC_PROGRESS;
}

static void on_done(void *ud, const struct httpc_result *res)
{
	struct waiter *w = ud;
	pthread_mutex_lock(&w->mu);
	w->res = *res;
	w->done = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/* Sleeps until the pause since the last fetch has passed, in slices, looking at the stop flag. */
static void polite_pause(struct crawl *c)
{
	if (c->last_fetch_end < 0 || c->delay_ms <= 0)
		return;
	double until = c->last_fetch_end + (double)c->delay_ms / 1000.0;
	for (;;) {
		if (cr_stopping(c))
			return;
		double left = until - clock_mono();
		if (left <= 0)
			return;
		double slice = left < 0.05 ? left : 0.05;
		struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)(slice * 1e9)};
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
	}
}

static void describe_size(char *out, size_t n, size_t bytes)
{
	if (bytes >= (1u << 20) && bytes % (1u << 20) == 0)
		snprintf(out, n, "%zu MiB", bytes >> 20);
	else if (bytes >= 1024 && bytes % 1024 == 0)
		snprintf(out, n, "%zu KiB", bytes >> 10);
	else
		snprintf(out, n, "%zu bytes", bytes);
}

/* Turns what the waiter saw into the outcome. */
static void settle(struct crawl *c, struct waiter *w, bool cancelled, struct cr_fetched *out)
{
	const struct httpc_result *r = &w->res;
	out->status = r->status ? r->status : w->status;
	out->redirects = r->redirects;
	out->kind = w->kind == CR_KIND_SNIFF ? CR_KIND_HTML : w->kind;
	out->received = w->received;
	snprintf(out->final_url, sizeof out->final_url, "%s", r->effective_url);
	snprintf(out->content_type, sizeof out->content_type, "%s", r->content_type[0] ? r->content_type : w->ctype);
	char size[32];
	describe_size(size, sizeof size, w->limit);

	if (out->status >= 300 && out->status <= 399 && r->redirect_url[0] && !w->nomem) {
		out->outcome = CR_REDIRECT;
		snprintf(out->location, sizeof out->location, "%s", r->redirect_url);
	} else if (w->nomem) {
		out->outcome = CR_NOMEM;
		snprintf(out->message, sizeof out->message, "out of memory");
	} else if (r->err == HTTPC_OK || (r->err == HTTPC_EABORTED && w->cut)) {
		if (out->status < 200 || out->status > 299) {
			out->outcome = CR_STATUS;
			snprintf(out->message, sizeof out->message, "HTTP %ld", out->status);
		} else {
			out->outcome = CR_BODY;
		}
	} else if (r->err == HTTPC_EABORTED && w->bad_status) {
		out->outcome = CR_STATUS;
		snprintf(out->message, sizeof out->message, "HTTP %ld", out->status);
	} else if (r->err == HTTPC_EABORTED && w->other_type) {
		out->outcome = CR_SKIP_TYPE;
		snprintf(out->message, sizeof out->message, "not a page (%s)",
			 out->content_type[0] ? out->content_type : "no content type");
	} else if ((r->err == HTTPC_EABORTED && w->too_big) || r->err == HTTPC_ETOOBIG) {
		out->outcome = CR_TOO_BIG;
		snprintf(out->message, sizeof out->message, "larger than %s (not read further)", size);
	} else if (r->err == HTTPC_EBLOCKED) {
		out->outcome = CR_BLOCKED;
		snprintf(out->message, sizeof out->message, "refused: %s", r->message);
	} else if (r->err == HTTPC_ECANCELLED && cancelled) {
		out->outcome = CR_STOPPED;
		snprintf(out->message, sizeof out->message, "stopped");
	} else if (r->err == HTTPC_ETIMEOUT) {
		out->outcome = CR_FAILED;
		snprintf(out->message, sizeof out->message, "timed out after %ld ms", c->lim.timeout_ms);
	} else if (r->err == HTTPC_EOTHER && (strstr(r->message, "redirect") || r->redirects >= c->lim.max_redirects)) {
		out->outcome = CR_FAILED;
		snprintf(out->message, sizeof out->message, "too many redirects (more than %d; a redirect loop?)",
			 c->lim.max_redirects);
	} else {
		out->outcome = CR_FAILED;
		snprintf(out->message, sizeof out->message, "%s", r->message[0] ? r->message : "fetch failed");
	}
	if (out->outcome == CR_BODY) {
		out->body = w->buf;
		out->len = w->len;
		w->buf = NULL;
		if (!out->body) { /* an empty body */
			out->body = calloc(1, 1);
			if (!out->body) {
				out->outcome = CR_NOMEM;
				snprintf(out->message, sizeof out->message, "out of memory");
			}
		}
	}
}

static void fetch_once(struct crawl *c, const char *url, enum cr_mode mode, struct cr_fetched *out)
{
	memset(out, 0, sizeof *out);
	snprintf(out->final_url, sizeof out->final_url, "%s", url);
	polite_pause(c);
	if (cr_stopping(c)) {
		out->outcome = CR_STOPPED;
		snprintf(out->message, sizeof out->message, "stopped");
		return;
	}

	struct waiter w = {
		.mode = mode,
		.url = url,
		.html_limit = c->lim.max_page_bytes,
		.pdf_limit = c->lim.max_pdf_bytes,
		.limit = c->lim.max_page_bytes,
	};
	size_t hard = mode == CR_ROBOTS    ? ROBOTS_MAX_BYTES
		      : mode == CR_SITEMAP ? SITEMAP_MAX_BYTES
		      : w.html_limit > w.pdf_limit ? w.html_limit
						   : w.pdf_limit;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	int prc = pthread_cond_init(&w.cv, &ca);
	pthread_condattr_destroy(&ca);
	if (prc != 0) {
		out->outcome = CR_NOMEM;
		snprintf(out->message, sizeof out->message, "cannot create a condition variable");
		return;
	}
	pthread_mutex_init(&w.mu, NULL);

	struct httpc_req req = {
		.method = "GET",
		.url = url,
		.timeout_ms = c->lim.timeout_ms,
		.connect_timeout_ms = c->lim.timeout_ms < 10000 ? c->lim.timeout_ms : 10000,
		.max_body = hard + 65536, /* a backstop: the callbacks stop at their own limits first */
		.max_redirects = 0, /* followed by cr_fetch, hop by hop */
		.block_private = !c->lim.allow_private,
		.user_agent = c->lim.user_agent,
		.on_headers = on_headers,
		.on_data = on_data,
		.on_done = on_done,
		.ud = &w,
	};
	if (mode == CR_PAGE) {
		req.headers[req.nheaders++] = "Accept: text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.1";
		req.headers[req.nheaders++] = "Accept-Language: de,en;q=0.7";
	}
	uint64_t id = httpc_submit(c->http, &req);
	bool cancelled = false;
	if (id == 0) {
		out->outcome = CR_FAILED;
		snprintf(out->message, sizeof out->message, "the request could not be started");
	} else {
		pthread_mutex_lock(&w.mu);
		while (!w.done) {
			if (!cancelled && cr_stopping(c)) {
				cancelled = true;
				pthread_mutex_unlock(&w.mu);
				httpc_cancel(c->http, id);
				pthread_mutex_lock(&w.mu);
				continue;
			}
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_nsec += 100 * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&w.cv, &w.mu, &ts);
		}
		pthread_mutex_unlock(&w.mu);
		settle(c, &w, cancelled, out);
		c->last_fetch_end = clock_mono();
		if (c->st)
			c->st->bytes += w.received;
	}
	free(w.buf);
	pthread_cond_destroy(&w.cv);
	pthread_mutex_destroy(&w.mu);
}

void cr_fetch(struct crawl *c, const char *url, enum cr_mode mode, struct cr_fetched *out)
{
	char hops[8][2048];
	int nhops = 0;
	char cur[2048];
	snprintf(cur, sizeof cur, "%s", url);
	for (int hop = 0;; hop++) {
		fetch_once(c, cur, mode, out);
		out->redirects = hop;
		if (out->outcome != CR_REDIRECT)
			return;
		const char *next = out->location;
		bool seen = !strcmp(next, url);
		for (int i = 0; i < nhops && !seen; i++)
			seen = !strcmp(hops[i], next);
		out->outcome = CR_FAILED;
		if (seen || hop >= c->lim.max_redirects) {
			snprintf(out->message, sizeof out->message, "too many redirects (more than %d; a redirect loop?)",
				 c->lim.max_redirects);
			return;
		}
		if (!sitemap_same_site(c->site, next)) {
			snprintf(out->message, sizeof out->message, "redirects to another site (not followed): %.200s", next);
			return;
		}
		int a = mode == CR_ROBOTS ? 1 : cr_allowed(c, next);
		if (a < 0) {
			out->outcome = CR_NOMEM;
			snprintf(out->message, sizeof out->message, "out of memory");
			return;
		}
		if (a == 0) {
			snprintf(out->message, sizeof out->message, "redirects to a page robots.txt disallows: %.200s", next);
			return;
		}
		if (nhops < 8)
			snprintf(hops[nhops++], sizeof hops[0], "%s", next);
		snprintf(cur, sizeof cur, "%s", next);
	}
}
