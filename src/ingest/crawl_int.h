/*
 * crawl_int.h — what the crawler's files share (crawl.c: the crawl itself; crawl_fetch.c: one fetch
 * through httpc, waited for, with the pause between fetches; crawl_util.c: sets, the queue, URL
 * helpers). Only for src/ingest/crawl*.c.
 */
#ifndef BOTWERK_INGEST_CRAWL_INT_H
#define BOTWERK_INGEST_CRAWL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ingest/crawl.h"
#include "net/httpc.h"

struct robots;

/* ---- sets and queue (crawl_util.c) ------------------------------------------------------------------- */

/* A set of strings it owns (open addressing). */
struct cr_strset {
	char **slots;
	size_t cap, n; /* cap: 0 or a power of two */
};

/* Adds a copy of s. Returns the set's copy when s was new, NULL when it was there already; *oom is set
 * when memory ran out (then NULL too). */
const char *cr_strset_add(struct cr_strset *s, const char *str, bool *oom);
bool cr_strset_has(const struct cr_strset *s, const char *str);
void cr_strset_free(struct cr_strset *s);

/* A set of 64-bit hashes. 0 is stored like any other value. */
struct cr_hashset {
	uint64_t *slots;
	bool *used;
	size_t cap, n;
};

/* 1 when added, 0 when present, -1 when memory ran out. */
int cr_hashset_add(struct cr_hashset *s, uint64_t h);
void cr_hashset_free(struct cr_hashset *s);

uint64_t cr_hash(const char *s, size_t n);

struct cr_item {
	const char *url; /* owned by crawl.seen */
	int depth;
};

struct cr_queue {
	struct cr_item *v;
	size_t head, n, cap; /* items [head, n) are waiting */
};

int cr_queue_push(struct cr_queue *q, const char *url, int depth);
void cr_queue_free(struct cr_queue *q);

/* ---- URL helpers (crawl_util.c) ----------------------------------------------------------------------- */

/* The length of "scheme://authority" of an absolute URL (0 when it has none). */
size_t cr_origin_len(const char *url);
/* The path and query of an absolute URL ("/" when it has no path). */
const char *cr_path(const char *url);
/* Whether the URL's path ends in an extension that is never a page (.png, .css, .zip, …). */
bool cr_never_page(const char *url);
/* Whether the URL's path ends in ".pdf" (any case). */
bool cr_pdf_name(const char *url);

/* ---- one crawl ----------------------------------------------------------------------------------------- */

#define CR_MAX_ORIGINS 8

struct cr_origin_robots {
	char *origin;          /* "https://www.example.de" */
	struct robots *robots; /* never NULL once listed */
};

struct crawl {
	struct httpc *http;
	struct crawl_limits lim;
	const atomic_bool *stop;
	struct crawl_callbacks cb;
	void *ud;
	struct crawl_stats *st;

	char *site;      /* "scheme://host[:port]/": what sitemap_same_site compares against */
	bool site_https;
	struct cr_origin_robots robots[CR_MAX_ORIGINS];
	int nrobots;
	struct robots *deny_all; /* for an origin past CR_MAX_ORIGINS (none: a site has at most four) */

	struct cr_strset seen;     /* URLs queued or fetched (never fetched twice) */
	struct cr_strset recorded; /* URLs pages were handed over under */
	struct cr_hashset texts;   /* hashes of the texts handed over */
	struct cr_queue queue;

	long delay_ms;         /* the pause in force */
	double last_fetch_end; /* clock_mono() of the end of the last fetch; < 0: none yet */
	bool stopped;          /* the stop flag was seen */
};

bool cr_stopping(struct crawl *c);

/* ---- fetching (crawl_fetch.c) ------------------------------------------------------------------------ */

enum cr_mode {
	CR_ROBOTS,  /* any type; the first ROBOTS_MAX_BYTES kept (more is not an error) */
	CR_SITEMAP, /* any type; at most SITEMAP_MAX_BYTES */
	CR_PAGE,    /* HTML, PDF or (no type) sniffed; anything else stopped after the headers */
};

enum cr_kind {
	CR_KIND_NONE,
	CR_KIND_HTML,
	CR_KIND_PDF,
	CR_KIND_SNIFF, /* no content type: decided from the first bytes */
};

enum cr_outcome {
	CR_BODY,      /* 2xx, body read (for CR_ROBOTS maybe cut at its cap) */
	CR_STATUS,    /* not 2xx: status set, body not read */
	CR_SKIP_TYPE, /* CR_PAGE: a content type that is not read */
	CR_TOO_BIG,   /* the body passed its limit */
	CR_BLOCKED,   /* the SSRF check refused the address */
	CR_FAILED,    /* no usable answer: connect, timeout, too many redirects, broken read, … */
	CR_STOPPED,   /* the stop flag */
	CR_NOMEM,
	CR_REDIRECT,  /* internal to cr_fetch: a 3xx with a Location (location set) */
};

struct cr_fetched {
	enum cr_outcome outcome;
	enum cr_kind kind;        /* CR_PAGE with CR_BODY: HTML or PDF */
	long status;
	int redirects;
	char final_url[2048];
	char content_type[128];
	char message[320];        /* for CR_FAILED, CR_TOO_BIG, CR_BLOCKED, CR_STATUS */
	char *body;               /* malloc'd, NUL-terminated; CR_BODY only */
	size_t len;
	size_t received;          /* body bytes that came in, also when not kept */
	char location[2048];      /* CR_REDIRECT: where it points (absolute) */
};

/* crawl.c's robots.txt check of a URL: 1 allowed, 0 not, -1 out of memory. */
int cr_allowed(struct crawl *c, const char *url);

/* Fetches `url` after the pause due since the last fetch, waiting for the answer (or the stop flag,
 * which cancels it). Redirects are followed here, hop by hop, up to the limit, each hop only when it
 * stays on the site and robots.txt allows it (libcurl would follow them blindly): a redirect elsewhere
 * is a per-page error and its target is never requested; a loop ends as one. Always fills `out`; the
 * caller frees out->body. */
void cr_fetch(struct crawl *c, const char *url, enum cr_mode mode, struct cr_fetched *out);

#endif
