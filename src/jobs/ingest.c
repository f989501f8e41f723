/* ingest.c — the ingestion worker; see ingest.h. */
#include "jobs/ingest.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest/crawl.h"
#include "ingest/html_text.h"
#include "ingest/pdf_text.h"
#include "ingest/site_profile.h"
#include "jobs/embedder.h"
#include "rag/chunk.h"

#define IDLE_WAIT_S 5 /* how often a worker without work looks for expired leases */

struct ingest {
	struct ingest_config cfg;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool poked, stopping;
	atomic_bool stop;
};

/* ---- the chunks of one source ------------------------------------------------------------------------ */

struct gather {
	struct ingest *in;
	struct store_source *src;
	struct store_chunk_in *items;
	char **owned; /* every string the items point to */
	int n, cap, nowned, owned_cap;
	size_t text_bytes;
	int64_t chars;
	int pages_done, pages_seen;
	json_t *errors;
	struct site_profile *site; /* a draft bot's profile, gathered along (or NULL) */
	bool full;      /* INGEST_MAX_TEXT reached */
	double last_report;
};

static char *own(struct gather *g, char *s)
{
	if (!s)
		return NULL;
	if (g->nowned == g->owned_cap) {
		int cap = g->owned_cap ? g->owned_cap * 2 : 64;
		char **o = realloc(g->owned, (size_t)cap * sizeof *o);
		if (!o) {
			free(s);
			return NULL;
		}
		g->owned = o;
		g->owned_cap = cap;
	}
	g->owned[g->nowned++] = s;
	return s;
}

/* Chunks `text` (markdown-like, headings kept) under `title` and adds them with their place. 0 or -1. */
static int add_text(struct gather *g, const char *text, const char *title, const char *url, int page)
{
	size_t len = strlen(text);
	if (g->text_bytes + len > INGEST_MAX_TEXT) {
		g->full = true;
		return 0;
	}
	struct chunk_list cl = {0};
	if (chunk_text(text, len, NULL, &cl) != 0) {
		chunk_list_free(&cl);
		return -1;
	}
	int rc = 0;
	char *u = url ? own(g, strdup(url)) : NULL;
	if (url && !u)
		rc = -1;
	for (int i = 0; rc == 0 && i < cl.n; i++) {
		if (g->n == g->cap) {
			int cap = g->cap ? g->cap * 2 : 128;
			struct store_chunk_in *it = realloc(g->items, (size_t)cap * sizeof *it);
			if (!it) {
				rc = -1;
				break;
			}
			g->items = it;
			g->cap = cap;
		}
		/* a page's title leads its heading path: "Preise > Kurse" reads as the page it is on */
		const char *h = cl.items[i].heading;
		char *heading = NULL;
		if (title && title[0] && h[0])
			rc = asprintf(&heading, "%s > %s", title, h) < 0 ? -1 : 0;
		else
			heading = strdup(title && title[0] ? title : h);
		char *t = strdup(cl.items[i].text);
		if (rc != 0 || !own(g, heading) || !own(g, t)) {
			rc = -1;
			break;
		}
		g->items[g->n] = (struct store_chunk_in){.heading = heading, .text = t, .ord = g->n, .url = u,
							  .page = page};
		g->n++;
		g->chars += (int64_t)strlen(t);
	}
	g->text_bytes += len;
	chunk_list_free(&cl);
	return rc;
}

static void gather_free(struct gather *g)
{
	for (int i = 0; i < g->nowned; i++)
		free(g->owned[i]);
	free(g->owned);
	free(g->items);
	json_decref(g->errors);
}

static char *progress_json(const struct gather *g, int total, const char *phase)
{
	json_t *p = json_pack("{s:i, s:i, s:i, s:s, s:O}", "pages_done", g->pages_done, "pages_total", total,
			      "chunks", g->n, "phase", phase, "errors", g->errors ? g->errors : json_array());
	char *s = p ? json_dumps(p, JSON_COMPACT) : NULL;
	json_decref(p);
	return s;
}

static void note_error(struct gather *g, const char *where_key, const char *where, const char *msg)
{
	if (!g->errors)
		g->errors = json_array();
	if (g->errors && json_array_size(g->errors) < INGEST_MAX_ERRORS)
		json_array_append_new(g->errors, json_pack("{s:s, s:s}", where_key, where, "message", msg));
}

/* Progress to the store (renews the lease), at most every half second. */
static void report(struct gather *g, int total, bool force)
{
	double now = clock_mono();
	if (!force && now - g->last_report < 0.5)
		return;
	g->last_report = now;
	char *p = progress_json(g, total, "running");
	if (p)
		store_source_progress(g->in->cfg.store, g->src->tenant_id, g->src->bot_id, g->src->id, p,
				      clock_now_ms(g->in->cfg.clock));
	free(p);
}

/* ---- kinds ------------------------------------------------------------------------------------------------ */

/* A PDF: page by page. The status ("done", "no_text", "failed") and a message go to *status / err. */
static const char *ingest_pdf(struct gather *g, char *err, size_t errlen)
{
	void *data = NULL;
	size_t len = 0;
	if (store_source_file(g->in->cfg.store, g->src->tenant_id, g->src->id, &data, &len) != STORE_OK) {
		snprintf(err, errlen, "the uploaded file is gone");
		return "failed";
	}
	struct pdf_text pt;
	int st = pdf_extract_mem(data, len, NULL, &pt, err, errlen);
	free(data);
	const char *status = "done";
	if (st == PDF_OK) {
		for (size_t i = 0; i < pt.npages; i++) {
			if (pt.pages[i][0] && add_text(g, pt.pages[i], g->src->title, NULL, (int)i + 1) != 0) {
				snprintf(err, errlen, "out of memory");
				status = "failed";
				break;
			}
			g->pages_done++;
		}
		g->pages_seen = (int)pt.npages;
		if (!strcmp(status, "done") && g->n == 0) {
			snprintf(err, errlen, "no text found in this PDF");
			status = "no_text";
		}
	} else {
		status = st == PDF_NO_TEXT ? "no_text" : "failed";
		g->pages_seen = (int)pt.npages;
	}
	pdf_text_clear(&pt);
	return status;
}

static int on_page(void *ud, const struct crawl_page *p)
{
	struct gather *g = ud;
	int rc = 0;
	if (p->kind == CRAWL_HTML) {
		rc = add_text(g, p->text, p->html->title ? p->html->title : "", p->url, 0);
		if (g->site)
			site_profile_add_page(g->site, p->fetched_url ? p->fetched_url : p->url, p->html, p->body,
					      p->body ? p->bytes : 0);
	} else {
		for (size_t i = 0; rc == 0 && i < p->pdf->npages; i++)
			if (p->pdf->pages[i][0])
				rc = add_text(g, p->pdf->pages[i], p->url, p->url, (int)i + 1);
	}
	g->pages_done++;
	report(g, g->pages_seen, false);
	return rc != 0 || g->full || atomic_load(&g->in->stop) ? 1 : 0;
}

static void on_error(void *ud, const char *url, const char *message)
{
	note_error(ud, "url", url, message);
}

static void on_progress(void *ud, int done, int queued)
{
	struct gather *g = ud;
	g->pages_seen = done + queued;
	report(g, g->pages_seen, false);
}

/* A website: crawled within its site. */
static const char *ingest_url(struct gather *g, char *err, size_t errlen)
{
	struct crawl_limits lim;
	crawl_limits_default(&lim);
	lim.allow_private = g->in->cfg.allow_private;
	if (g->in->cfg.max_pages > 0)
		lim.max_pages = g->in->cfg.max_pages;
	if (g->in->cfg.delay_ms >= 0)
		lim.delay_ms = g->in->cfg.delay_ms;
	struct crawl_callbacks cb = {.on_page = on_page, .on_error = on_error, .on_progress = on_progress};
	struct crawl_stats st;
	if (g->in->cfg.site_begin)
		g->site = g->in->cfg.site_begin(g->in->cfg.site_ud, g->src);
	int rc = crawl_site(g->in->cfg.http, g->src->url, &lim, &g->in->stop, &cb, g, &st, err, errlen);
	if (atomic_load(&g->in->stop))
		return "queued";
	if (rc != 0 && g->n == 0)
		return "failed";
	if (g->n == 0) {
		snprintf(err, errlen, "no page of the site had text that could be read");
		return "failed";
	}
	if (g->full)
		note_error(g, "url", g->src->url, "the site has more text than one source may hold; the rest was left out");
	err[0] = '\0';
	return "done";
}

static void run_one(struct ingest *in, struct store_source *src)
{
	struct gather g = {.in = in, .src = src};
	char err[512] = "";
	log_msg(in->cfg.log, LOG_INFO, "ingest", "source %s (%s) of bot %s: started", src->id, src->kind, src->bot_id);
	report(&g, 0, true);
	const char *status = !strcmp(src->kind, "pdf")			? ingest_pdf(&g, err, sizeof err)
			     : !strcmp(src->kind, "url") && src->url ? ingest_url(&g, err, sizeof err)
								      : (snprintf(err, sizeof err, "nothing to ingest"), "failed");
	char *progress = progress_json(&g, g.pages_seen > g.pages_done ? g.pages_seen : g.pages_done,
				       !strcmp(status, "queued") ? "interrupted" : "finished");
	int rc = store_source_finish(in->cfg.store, src->tenant_id, src->bot_id, src->id, status, err[0] ? err : NULL,
				     progress, g.chars, g.items, !strcmp(status, "done") ? g.n : 0,
				     clock_now_ms(in->cfg.clock));
	free(progress);
	if (rc != STORE_OK && rc != STORE_NOTFOUND)
		log_msg(in->cfg.log, LOG_ERROR, "ingest", "source %s: the result could not be stored", src->id);
	else
		log_msg(in->cfg.log, LOG_INFO, "ingest", "source %s: %s, %d pages, %d chunks%s%s", src->id, status,
			g.pages_done, !strcmp(status, "done") ? g.n : 0, err[0] ? ": " : "", err);
	if (!strcmp(status, "done"))
		embedder_poke(in->cfg.embedder);
	if (g.site && in->cfg.site_end)
		in->cfg.site_end(in->cfg.site_ud, src, g.site, !strcmp(status, "done") && rc == STORE_OK);
	site_profile_free(g.site);
	gather_free(&g);
}

static void *run(void *arg)
{
	struct ingest *in = arg;
	while (!atomic_load(&in->stop)) {
		struct store_source src;
		int rc = store_source_claim(in->cfg.store, clock_now_ms(in->cfg.clock), in->cfg.lease_ms, &src);
		if (rc == STORE_OK) {
			run_one(in, &src);
			store_source_clear(&src);
			continue;
		}
		pthread_mutex_lock(&in->mu);
		if (!in->poked && !in->stopping) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += IDLE_WAIT_S;
			pthread_cond_timedwait(&in->cv, &in->mu, &ts);
		}
		in->poked = false;
		pthread_mutex_unlock(&in->mu);
	}
	return NULL;
}

struct ingest *ingest_start(const struct ingest_config *cfg, char *err, size_t errlen)
{
	struct ingest *in = calloc(1, sizeof *in);
	if (!in) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	in->cfg = *cfg;
	if (in->cfg.lease_ms <= 0)
		in->cfg.lease_ms = 60000;
	pthread_mutex_init(&in->mu, NULL);
	pthread_cond_init(&in->cv, NULL);
	if (pthread_create(&in->thread, NULL, run, in) != 0) {
		snprintf(err, errlen, "cannot start the ingestion thread");
		pthread_cond_destroy(&in->cv);
		pthread_mutex_destroy(&in->mu);
		free(in);
		return NULL;
	}
	return in;
}

void ingest_poke(struct ingest *in)
{
	if (!in)
		return;
	pthread_mutex_lock(&in->mu);
	in->poked = true;
	pthread_cond_signal(&in->cv);
	pthread_mutex_unlock(&in->mu);
}

void ingest_stop(struct ingest *in)
{
	if (!in)
		return;
	atomic_store(&in->stop, true);
	pthread_mutex_lock(&in->mu);
	in->stopping = true;
	pthread_cond_signal(&in->cv);
	pthread_mutex_unlock(&in->mu);
	pthread_join(in->thread, NULL);
	pthread_cond_destroy(&in->cv);
	pthread_mutex_destroy(&in->mu);
	free(in);
}
