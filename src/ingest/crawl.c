/*
 * crawl.c — crawl_site: robots.txt per origin, the start page, the sitemaps, then breadth first over
 * the site's links, handing each new page's text to the caller. See crawl.h for the rules.
 *
 * Files: crawl_fetch.c does one fetch (pause, httpc, wait), crawl_util.c the sets, queue and URL
 * helpers; crawl_int.h holds struct crawl.
 */
#include "ingest/crawl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/text.h"
#include "ingest/crawl_int.h"
#include "ingest/html_text.h"
#include "ingest/pdf_text.h"
#include "ingest/robots.h"
#include "ingest/sitemap.h"

/* What handling one queued URL can end in, besides going on. */
enum { GO_ON = 0, END_NOMEM = -1, END_STOP = 1, END_PAGES = 2, END_CALLBACK = 3 };

void crawl_limits_default(struct crawl_limits *lim)
{
	*lim = (struct crawl_limits){
		.max_pages = 500,
		.max_depth = 5,
		.max_page_bytes = (size_t)5 << 20,
		.max_pdf_bytes = (size_t)20 << 20,
		.max_total_bytes = (size_t)200 << 20,
		.delay_ms = 500,
		.timeout_ms = 15000,
		.max_redirects = 5,
		.max_sitemaps = 10,
		.allow_private = false,
		.user_agent = CRAWL_USER_AGENT,
		.robots_agent = ROBOTS_AGENT,
	};
}

const char *crawl_end_name(int end)
{
	switch (end) {
	case CRAWL_END_DONE:
		return "done";
	case CRAWL_END_MAX_PAGES:
		return "max_pages";
	case CRAWL_END_MAX_BYTES:
		return "max_bytes";
	case CRAWL_END_STOPPED:
		return "stopped";
	case CRAWL_END_CALLBACK:
		return "callback";
	default:
		return "unknown";
	}
}

static void report(struct crawl *c, const char *url, const char *message)
{
	c->st->errors++;
	if (c->cb.on_error)
		c->cb.on_error(c->ud, url, message);
}

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* `url` as a URL of the site (a new string), or NULL when it is not on the site (or too long, or memory
 * ran out: then *oom is set). On an https site an http:// URL of the site's host becomes https://. */
static char *on_site(struct crawl *c, const char *url, bool *oom)
{
	size_t n = url ? strlen(url) : 0;
	if (n == 0 || n > CRAWL_MAX_URL)
		return NULL;
	if (sitemap_same_site(c->site, url)) {
		char *d = dup_n(url, n);
		if (!d)
			*oom = true;
		return d;
	}
	if (!c->site_https || strncmp(url, "http://", 7) != 0 || n + 1 > CRAWL_MAX_URL)
		return NULL;
	char *up = malloc(n + 2);
	if (!up) {
		*oom = true;
		return NULL;
	}
	snprintf(up, n + 2, "https://%s", url + 7);
	if (sitemap_same_site(c->site, up))
		return up;
	free(up);
	return NULL;
}

/* Queues a site URL at `depth` unless it is known already, too deep, or the queue is full. Returns
 * 1 when queued, 0 when not, -1 when memory ran out. */
static int enqueue(struct crawl *c, const char *url, int depth)
{
	if (depth > c->lim.max_depth || c->queue.n - c->queue.head >= CRAWL_MAX_QUEUE)
		return 0;
	bool oom = false;
	const char *own = cr_strset_add(&c->seen, url, &oom);
	if (oom)
		return -1;
	if (!own)
		return 0;
	return cr_queue_push(&c->queue, own, depth) == 0 ? 1 : -1;
}

/* ---- robots.txt ------------------------------------------------------------------------------------- */

/* The robots.txt rules for the origin of `url`, fetched the first time. When the answer makes the whole
 * origin off limits (5xx, unreachable, refused address) a reason goes into why (else it is ""). NULL
 * when memory ran out. */
static struct robots *robots_for(struct crawl *c, const char *url, char *why, size_t whylen)
{
	why[0] = '\0';
	size_t on = cr_origin_len(url);
	for (int i = 0; i < c->nrobots; i++)
		if (strlen(c->robots[i].origin) == on && !strncmp(c->robots[i].origin, url, on))
			return c->robots[i].robots;
	if (c->nrobots == CR_MAX_ORIGINS)
		return c->deny_all; /* cannot happen: a site has at most four origins */

	char *origin = dup_n(url, on);
	char *robots_url = malloc(on + sizeof "/robots.txt");
	if (!origin || !robots_url) {
		free(origin);
		free(robots_url);
		return NULL;
	}
	snprintf(robots_url, on + sizeof "/robots.txt", "%s/robots.txt", origin);
	struct cr_fetched f;
	cr_fetch(c, robots_url, CR_ROBOTS, &f);
	struct robots *r = NULL;
	switch (f.outcome) {
	case CR_BODY:
		r = robots_parse(f.body, f.len, c->lim.robots_agent);
		break;
	case CR_STATUS:
		if (f.status >= 500) {
			snprintf(why, whylen, "%s answered HTTP %ld", robots_url, f.status);
			r = robots_disallow_all();
		} else {
			r = robots_allow_all(); /* 4xx: no robots.txt */
		}
		break;
	case CR_FAILED:
	case CR_REDIRECT: /* cr_fetch turns it into CR_FAILED */
	case CR_BLOCKED:
	case CR_TOO_BIG:
	case CR_SKIP_TYPE:
	case CR_STOPPED:
		if (f.outcome == CR_FAILED && strstr(f.message, "redirects")) {
			r = robots_allow_all(); /* RFC 9309 2.3.1.2: may be read as unavailable */
			break;
		}
		snprintf(why, whylen, "%s: %s", robots_url, f.message);
		r = robots_disallow_all();
		break;
	case CR_NOMEM:
		break;
	}
	free(f.body);
	free(robots_url);
	if (!r) {
		free(origin);
		return NULL;
	}
	c->robots[c->nrobots++] = (struct cr_origin_robots){.origin = origin, .robots = r};
	long d = robots_crawl_delay_ms(r);
	if (d > CRAWL_MAX_CRAWL_DELAY_MS)
		d = CRAWL_MAX_CRAWL_DELAY_MS;
	if (d > c->delay_ms)
		c->delay_ms = d;
	c->st->delay_ms = c->delay_ms;
	return r;
}

/* Whether robots.txt lets us fetch `url`; -1 when memory ran out. */
int cr_allowed(struct crawl *c, const char *url)
{
	char why[512];
	struct robots *r = robots_for(c, url, why, sizeof why);
	if (!r)
		return -1;
	return robots_allowed(r, cr_path(url)) ? 1 : 0;
}

/* ---- sitemaps --------------------------------------------------------------------------------------- */

struct maplist {
	char *v[64];
	int n;
};

/* Adds a sitemap URL (taking it) unless listed already or the list is full. */
static void maplist_add(struct maplist *m, char *url)
{
	for (int i = 0; i < m->n; i++)
		if (!strcmp(m->v[i], url)) {
			free(url);
			return;
		}
	if (m->n == (int)(sizeof m->v / sizeof m->v[0])) {
		free(url);
		return;
	}
	m->v[m->n++] = url;
}

/* Reads one fetched sitemap; its page URLs join the queue at depth 1, child sitemaps the list. */
static int take_sitemap(struct crawl *c, const char *url, const struct cr_fetched *f, struct maplist *maps,
			bool listed)
{
	struct sitemap sm;
	char err[160];
	if (sitemap_parse(f->body, f->len, url, &sm, err, sizeof err) != 0) {
		if (listed) {
			char msg[200];
			snprintf(msg, sizeof msg, "sitemap: %s", err);
			report(c, url, msg);
		}
		return strstr(err, "out of memory") ? -1 : 0;
	}
	c->st->sitemaps++;
	int rc = 0;
	for (size_t i = 0; i < sm.nurls && rc == 0; i++) {
		bool oom = false;
		char *u = on_site(c, sm.urls[i], &oom);
		if (oom)
			rc = -1;
		if (!u)
			continue;
		if (sm.kind == SITEMAP_INDEX) {
			maplist_add(maps, u);
			continue;
		}
		int q = enqueue(c, u, 1);
		free(u);
		if (q < 0)
			rc = -1;
		else if (q > 0)
			c->st->sitemap_urls++;
	}
	sitemap_clear(&sm);
	return rc;
}

/* Finds and reads the site's sitemaps (see crawl.h). Returns END_NOMEM or GO_ON. */
static int load_sitemaps(struct crawl *c)
{
	if (c->lim.max_sitemaps <= 0 || c->lim.max_depth < 1)
		return GO_ON;
	char why[512];
	struct robots *r = robots_for(c, c->site, why, sizeof why);
	if (!r)
		return END_NOMEM;
	struct maplist maps = {.n = 0};
	const char *const *listed = NULL;
	size_t nlisted = robots_sitemaps(r, &listed);
	size_t on = cr_origin_len(c->site);
	char base[CRAWL_MAX_URL + 32];
	snprintf(base, sizeof base, "%.*s/robots.txt", (int)on, c->site);
	int rc = GO_ON;
	for (size_t i = 0; i < nlisted; i++) {
		char *abs = html_url_resolve(base, listed[i]);
		bool oom = false;
		char *u = abs ? on_site(c, abs, &oom) : NULL;
		free(abs);
		if (u)
			maplist_add(&maps, u);
	}
	int nlisted_kept = maps.n;
	if (maps.n == 0) {
		snprintf(base, sizeof base, "%.*s/sitemap.xml", (int)on, c->site);
		char *u = dup_n(base, strlen(base));
		if (!u)
			return END_NOMEM;
		maplist_add(&maps, u);
	}
	for (int i = 0; i < maps.n && i < c->lim.max_sitemaps && rc == GO_ON; i++) {
		const char *url = maps.v[i];
		bool listed_here = nlisted_kept > 0 || i > 0; /* a missing default /sitemap.xml is no error */
		int a = cr_allowed(c, url);
		if (a < 0) {
			rc = END_NOMEM;
			break;
		}
		if (a == 0) {
			c->st->disallowed++;
			continue;
		}
		if (cr_stopping(c))
			break;
		struct cr_fetched f;
		cr_fetch(c, url, CR_SITEMAP, &f);
		if (f.outcome == CR_BODY) {
			if (take_sitemap(c, url, &f, &maps, listed_here) < 0)
				rc = END_NOMEM;
		} else if (f.outcome == CR_NOMEM) {
			rc = END_NOMEM;
		} else if (f.outcome != CR_STOPPED && listed_here) {
			char msg[400];
			snprintf(msg, sizeof msg, "sitemap: %s", f.message);
			report(c, url, msg);
		}
		free(f.body);
	}
	for (int i = 0; i < maps.n; i++)
		free(maps.v[i]);
	return rc;
}

/* ---- pages -------------------------------------------------------------------------------------------- */

/* The PDF's pages joined by blank lines; NULL when memory runs out. */
static char *pdf_joined(const struct pdf_text *t)
{
	size_t n = 1;
	for (size_t i = 0; i < t->npages; i++)
		n += strlen(t->pages[i]) + 2;
	char *s = malloc(n);
	if (!s)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < t->npages; i++) {
		size_t m = strlen(t->pages[i]);
		if (m == 0)
			continue;
		if (k > 0) {
			memcpy(s + k, "\n\n", 2);
			k += 2;
		}
		memcpy(s + k, t->pages[i], m);
		k += m;
	}
	s[k] = '\0';
	return s;
}

/* Hands a page over unless it has no text or is a duplicate. */
static int hand_over(struct crawl *c, struct crawl_page *p)
{
	if (!p->text || !*p->text) {
		c->st->empty++;
		return GO_ON;
	}
	if (cr_strset_has(&c->recorded, p->url)) {
		c->st->duplicates++;
		return GO_ON;
	}
	int h = cr_hashset_add(&c->texts, cr_hash(p->text, strlen(p->text)));
	if (h < 0)
		return END_NOMEM;
	if (h == 0) {
		c->st->duplicates++;
		return GO_ON;
	}
	bool oom = false;
	cr_strset_add(&c->recorded, p->url, &oom);
	if (oom)
		return END_NOMEM;
	c->st->pages++;
	if (c->cb.on_page && c->cb.on_page(c->ud, p) != 0)
		return END_CALLBACK;
	return GO_ON;
}

static int take_html(struct crawl *c, struct cr_fetched *f, const char *final, int depth)
{
	struct html_doc doc;
	char err[160];
	if (html_extract(f->body, f->len, final, &doc, err, sizeof err) != 0) {
		report(c, final, err);
		return strstr(err, "memory") ? END_NOMEM : GO_ON;
	}
	int rc = GO_ON;
	if (!doc.nofollow && depth < c->lim.max_depth) {
		for (size_t i = 0; i < doc.nlinks && rc == GO_ON; i++) {
			if (doc.links[i].nofollow)
				continue;
			bool oom = false;
			char *u = on_site(c, doc.links[i].url, &oom);
			if (oom)
				rc = END_NOMEM;
			if (u && enqueue(c, u, depth + 1) < 0)
				rc = END_NOMEM;
			free(u);
		}
	}
	char *text = NULL, *canonical = NULL;
	if (rc == GO_ON && doc.noindex) {
		c->st->noindex++;
	} else if (rc == GO_ON) {
		text = html_doc_text(&doc);
		bool oom = false;
		/* Under the canonical URL when that page is not fetched on its own (and robots.txt allows it):
		 * it is then marked as seen; when it is known already, it speaks for itself and equal texts
		 * collapse anyway. */
		if (doc.canonical && strcmp(doc.canonical, final) != 0) {
			canonical = on_site(c, doc.canonical, &oom);
			int ok = canonical ? cr_allowed(c, canonical) : 1;
			if (ok < 0)
				oom = true;
			if (canonical && (ok != 1 || cr_strset_has(&c->seen, canonical))) {
				free(canonical);
				canonical = NULL;
			} else if (canonical && !cr_strset_add(&c->seen, canonical, &oom)) {
				free(canonical);
				canonical = NULL;
			}
		}
		if (!text || oom) {
			rc = END_NOMEM;
		} else {
			struct crawl_page p = {
				.url = canonical ? canonical : final,
				.fetched_url = final,
				.depth = depth,
				.kind = CRAWL_HTML,
				.html = &doc,
				.text = text,
				.bytes = f->len,
				.body = f->body,
			};
			rc = hand_over(c, &p);
		}
	}
	free(text);
	free(canonical);
	html_doc_clear(&doc);
	return rc;
}

static int take_pdf(struct crawl *c, struct cr_fetched *f, const char *final, int depth)
{
	struct pdf_limits pl = {.max_bytes = c->lim.max_pdf_bytes};
	struct pdf_text t;
	char err[256] = "";
	int status = pdf_extract_mem(f->body, f->len, &pl, &t, err, sizeof err);
	int rc = GO_ON;
	if (status != PDF_OK) {
		report(c, final, err[0] ? err : pdf_status_name(status));
		rc = status == PDF_ERROR && strstr(err, "memory") ? END_NOMEM : GO_ON;
	} else {
		char *text = pdf_joined(&t);
		if (!text) {
			rc = END_NOMEM;
		} else {
			struct crawl_page p = {
				.url = final,
				.fetched_url = final,
				.depth = depth,
				.kind = CRAWL_PDF,
				.pdf = &t,
				.text = text,
				.bytes = f->len,
			};
			rc = hand_over(c, &p);
			free(text);
		}
	}
	pdf_text_clear(&t);
	return rc;
}

/* After the start URL redirected: the site becomes the other scheme of the same host when that is where
 * it went (http → https, usually). */
static int maybe_rebase(struct crawl *c, const char *final)
{
	if (sitemap_same_site(c->site, final))
		return GO_ON;
	bool to_https = !strncmp(final, "https://", 8);
	const char *rest = strstr(c->site, "://");
	if (!rest)
		return GO_ON;
	char alt[CRAWL_MAX_URL + 16];
	snprintf(alt, sizeof alt, "%s%s", to_https ? "https" : "http", rest);
	if (!sitemap_same_site(alt, final))
		return GO_ON;
	size_t on = cr_origin_len(final);
	char *site = malloc(on + 2);
	if (!site)
		return END_NOMEM;
	memcpy(site, final, on);
	memcpy(site + on, "/", 2);
	free(c->site);
	c->site = site;
	c->site_https = to_https;
	return GO_ON;
}

/* Fetches and handles one queued URL. */
static int crawl_one(struct crawl *c, const char *url, int depth)
{
	if (cr_never_page(url)) {
		c->st->skipped++;
		return GO_ON;
	}
	int a = cr_allowed(c, url);
	if (a < 0)
		return END_NOMEM;
	if (a == 0) {
		c->st->disallowed++;
		return GO_ON;
	}
	if (c->st->fetched >= c->lim.max_pages)
		return END_PAGES;
	struct cr_fetched f;
	cr_fetch(c, url, CR_PAGE, &f);
	if (f.outcome != CR_STOPPED)
		c->st->fetched++;
	int rc = GO_ON;
	char *final = NULL;
	switch (f.outcome) {
	case CR_STOPPED:
		return END_STOP;
	case CR_NOMEM:
		return END_NOMEM;
	case CR_SKIP_TYPE:
		c->st->skipped++;
		return GO_ON;
	case CR_STATUS:
	case CR_TOO_BIG:
	case CR_BLOCKED:
	case CR_FAILED:
	case CR_REDIRECT: /* cr_fetch turns it into CR_FAILED */
		report(c, url, f.message);
		return GO_ON;
	case CR_BODY:
		break;
	}

	char *norm = html_url_resolve(NULL, f.final_url);
	if (!norm) {
		rc = END_NOMEM;
		goto out;
	}
	if (strcmp(norm, url) != 0) { /* redirected */
		if (depth == 0 && c->st->fetched == 1 && (rc = maybe_rebase(c, norm)) != GO_ON)
			goto out;
		bool oom = false;
		final = on_site(c, norm, &oom);
		if (oom) {
			rc = END_NOMEM;
			goto out;
		}
		if (!final) { /* redirected off the site: only the start page's is worth telling */
			c->st->skipped++;
			if (depth == 0) {
				char msg[CRAWL_MAX_URL + 64];
				snprintf(msg, sizeof msg, "redirected to another site (%s): not crawled", norm);
				report(c, url, msg);
			}
			goto out;
		}
		a = cr_allowed(c, final);
		if (a <= 0) {
			rc = a < 0 ? END_NOMEM : GO_ON;
			c->st->disallowed += a == 0;
			goto out;
		}
		cr_strset_add(&c->seen, final, &oom);
		if (oom) {
			rc = END_NOMEM;
			goto out;
		}
	} else {
		final = norm;
		norm = NULL;
	}
	rc = f.kind == CR_KIND_PDF ? take_pdf(c, &f, final, depth) : take_html(c, &f, final, depth);
out:
	free(norm);
	free(final);
	free(f.body);
	return rc;
}

/* ---- the crawl ---------------------------------------------------------------------------------------- */

static void crawl_free(struct crawl *c)
{
	for (int i = 0; i < c->nrobots; i++) {
		free(c->robots[i].origin);
		robots_free(c->robots[i].robots);
	}
	cr_strset_free(&c->seen);
	cr_strset_free(&c->recorded);
	cr_hashset_free(&c->texts);
	cr_queue_free(&c->queue);
	robots_free(c->deny_all);
	free(c->site);
}

/* Sets the site from the start URL and checks that robots.txt lets us begin. */
static int begin(struct crawl *c, const char *start, char *err, size_t errlen)
{
	size_t on = cr_origin_len(start);
	c->site = malloc(on + 2);
	if (!c->site) {
		errbuf_set(err, errlen, "out of memory");
		return -1;
	}
	memcpy(c->site, start, on);
	memcpy(c->site + on, "/", 2);
	c->site_https = !strncmp(start, "https://", 8);
	c->deny_all = robots_disallow_all();
	if (!c->deny_all) {
		errbuf_set(err, errlen, "out of memory");
		return -1;
	}
	char why[512];
	struct robots *r = robots_for(c, start, why, sizeof why);
	if (!r) {
		errbuf_set(err, errlen, "out of memory");
		return -1;
	}
	if (cr_stopping(c)) {
		errbuf_set(err, errlen, "stopped");
		return -1;
	}
	if (why[0] && strstr(why, "refused:")) {
		errbuf_set(err, errlen,
			"%s: the address is private, loopback or link-local, which the crawler does not fetch "
			"(BOTWERK_CRAWL_ALLOW_PRIVATE=1 allows such addresses, for tests and intranets)",
			start);
		return -1;
	}
	if (why[0]) {
		errbuf_set(err, errlen, "%s: the site is treated as off limits (RFC 9309); try again later", why);
		return -1;
	}
	if (!robots_allowed(r, cr_path(start))) {
		errbuf_set(err, errlen, "robots.txt of the site disallows %s for %s", start, c->lim.robots_agent);
		return -1;
	}
	if (enqueue(c, start, 0) < 0) {
		errbuf_set(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int crawl_site(struct httpc *http, const char *start_url, const struct crawl_limits *lim, const atomic_bool *stop,
	       const struct crawl_callbacks *cb, void *ud, struct crawl_stats *st, char *err, size_t errlen)
{
	errbuf_set(err, errlen, "%s", "");
	struct crawl_stats local;
	if (!st)
		st = &local;
	memset(st, 0, sizeof *st);
	double t0 = clock_mono();
	struct crawl c = {.http = http, .stop = stop, .ud = ud, .st = st, .last_fetch_end = -1};
	if (lim)
		c.lim = *lim;
	else
		crawl_limits_default(&c.lim);
	if (cb)
		c.cb = *cb;
	if (!c.lim.user_agent)
		c.lim.user_agent = CRAWL_USER_AGENT;
	if (!c.lim.robots_agent)
		c.lim.robots_agent = ROBOTS_AGENT;
	if (c.lim.delay_ms < 0)
		c.lim.delay_ms = 0;
	c.delay_ms = c.lim.delay_ms;
	st->delay_ms = c.delay_ms;

	char *start = start_url ? html_url_resolve(NULL, start_url) : NULL;
	if (!http || !start || (strncmp(start, "http://", 7) && strncmp(start, "https://", 8)) ||
	    !sitemap_same_site(start, start) || strlen(start) > CRAWL_MAX_URL) {
		errbuf_set(err, errlen, "not an http(s) URL: %.200s", start_url ? start_url : "(none)");
		free(start);
		return -1;
	}
	int rc = begin(&c, start, err, errlen);
	free(start);
	bool sitemaps_read = false;
	while (rc == 0) {
		if (cr_stopping(&c)) {
			st->end = CRAWL_END_STOPPED;
			break;
		}
		if (st->bytes > c.lim.max_total_bytes) {
			st->end = CRAWL_END_MAX_BYTES;
			break;
		}
		if (c.queue.head == c.queue.n) {
			st->end = CRAWL_END_DONE;
			break;
		}
		struct cr_item it = c.queue.v[c.queue.head++];
		int r = crawl_one(&c, it.url, it.depth);
		if (r == GO_ON && !sitemaps_read) {
			sitemaps_read = true;
			r = load_sitemaps(&c);
		}
		if (c.cb.on_progress)
			c.cb.on_progress(ud, st->fetched, (int)(c.queue.n - c.queue.head));
		if (r == END_NOMEM) {
			errbuf_set(err, errlen, "out of memory");
			rc = -1;
		} else if (r == END_STOP) {
			st->end = CRAWL_END_STOPPED;
			break;
		} else if (r == END_PAGES) {
			st->end = CRAWL_END_MAX_PAGES;
			break;
		} else if (r == END_CALLBACK) {
			st->end = CRAWL_END_CALLBACK;
			break;
		}
	}
	if (rc == 0 && st->end == CRAWL_END_DONE && cr_stopping(&c))
		st->end = CRAWL_END_STOPPED;
	st->seconds = clock_mono() - t0;
	crawl_free(&c);
	return rc;
}
