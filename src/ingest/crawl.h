/*
 * crawl.h — the website crawler of knowledge ingestion: one site, page by page, politely.
 *
 * crawl_site runs on the caller's thread (a background job) and waits for each fetch, which goes
 * through the process's httpc client: one fetch at a time, with a pause between fetches (delay_ms,
 * raised by the site's Crawl-delay up to CRAWL_MAX_CRAWL_DELAY_MS). The caller's stop flag is looked at
 * between pages and every 50–100 ms while waiting; a running fetch is then cancelled.
 *
 * The site is the start URL's scheme, host and port; "www.host" and "host" are one site. When the start
 * URL redirects to the https or the www/non-www form of the same host, the site becomes that. On an
 * https site, links written as http:// to the site's host (default port) are read as https://.
 *
 * Order of work:
 *   1. robots.txt of the site (RFC 9309, product token "botwerk"): 2xx → its rules; 4xx → no rules;
 *      5xx, or no answer at all → the whole site is off limits and crawl_site fails. The start URL
 *      must be allowed. A robots.txt is fetched the same way for each further origin of the site
 *      (the www form) before the first page there. Every URL is checked before it is fetched.
 *   2. The start URL (depth 0), then the site's sitemaps (the robots.txt Sitemap lines on the site, else
 *      /sitemap.xml; index files followed, at most max_sitemaps files) whose URLs join at depth 1, then
 *      breadth first: links of depth-d pages are depth d+1, in the order found; nothing deeper than
 *      max_depth is queued. Each URL is fetched at most once.
 *   3. Per page: the answer must be 2xx; text/html and application/xhtml+xml are read as HTML (at most
 *      max_page_bytes), application/pdf (or a .pdf URL sent as application/octet-stream, or a body
 *      starting "%PDF-" sent without a type) as PDF (at most max_pdf_bytes, text by pdf_extract_mem);
 *      anything else is skipped right after the response headers. URLs whose path ends in a file
 *      extension that is never a page (.png, .jpg, .css, .js, .zip, .mp4, …) are skipped without a
 *      request. A body over its limit ends that fetch at once: a per-page error, memory stays bounded.
 *   4. Redirects are followed hop by hop (cr_fetch), at most max_redirects: each hop only when it stays
 *      on the site and robots.txt allows it, so nothing off the site or disallowed is ever requested
 *      (a redirect elsewhere is a per-page error: "redirects to another site (not followed)"); a loop
 *      ends as "too many redirects". The SSRF check applies to every hop as well.
 *   5. HTML: <meta name=robots> noindex → not handed over (links still followed); nofollow → its
 *      links are not followed; rel=nofollow links are not followed. A page is handed over under its
 *      <link rel=canonical> when that is on the site. A page whose URL (canonical or final) was already
 *      handed over, or whose text equals that of one already handed over, is a duplicate; a page
 *      without text is not handed over either. (X-Robots-Tag response headers are not seen: httpc
 *      hands out no response headers but the content type.)
 *
 * SSRF: unless allow_private, httpc refuses to connect to loopback, private, link-local (cloud
 * metadata), CGNAT, multicast and unspecified addresses, checked on the address actually connected to,
 * after DNS and again for every redirect hop. A start URL on such an address fails with a message that
 * says so (the setting BOTWERK_CRAWL_ALLOW_PRIVATE=1 is how an operator sets allow_private).
 */
#ifndef BOTWERK_INGEST_CRAWL_H
#define BOTWERK_INGEST_CRAWL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct httpc;
struct html_doc;
struct pdf_text;

#define CRAWL_USER_AGENT "botwerk/1.0 (+https://botwerk.de/bot)"
#define CRAWL_MAX_CRAWL_DELAY_MS 10000L /* a robots.txt Crawl-delay is honoured up to this */
#define CRAWL_MAX_QUEUE 100000          /* URLs known at once; further links are ignored */
#define CRAWL_MAX_URL 2047              /* bytes of a URL; longer links are ignored */

/* Fill with crawl_limits_default, then change what differs; every field is taken as it is. */
struct crawl_limits {
	int max_pages;           /* page fetches (robots.txt and sitemaps not counted); 500 */
	int max_depth;           /* link hops from the start URL (sitemap URLs are 1); 5 */
	size_t max_page_bytes;   /* one HTML page; 5 MiB */
	size_t max_pdf_bytes;    /* one PDF; 20 MiB */
	size_t max_total_bytes;  /* all bodies together: the crawl ends when passed; 200 MiB */
	long delay_ms;           /* pause between two fetches (also robots.txt, sitemaps); 500 */
	long timeout_ms;         /* one fetch, redirects included; 15000 */
	int max_redirects;       /* per fetch; 5 */
	int max_sitemaps;        /* sitemap files read (index children included); 10; 0: none */
	bool allow_private;      /* fetch loopback/private/link-local addresses too (tests, intranets) */
	const char *user_agent;  /* the User-Agent header; CRAWL_USER_AGENT */
	const char *robots_agent; /* the robots.txt product token; "botwerk" */
};

void crawl_limits_default(struct crawl_limits *lim);

enum crawl_kind {
	CRAWL_HTML,
	CRAWL_PDF,
};

/* One page handed to on_page; everything in it lives until on_page returns. */
struct crawl_page {
	const char *url;         /* the page's address: its canonical URL when that is on the site, else the
				  * final URL after redirects */
	const char *fetched_url; /* the final URL after redirects */
	int depth;               /* 0 for the start URL */
	enum crawl_kind kind;
	const struct html_doc *html; /* CRAWL_HTML, else NULL */
	const struct pdf_text *pdf;  /* CRAWL_PDF (status PDF_OK), else NULL */
	const char *text;        /* the text to index: html_doc_text, or the PDF's pages joined by blank lines */
	size_t bytes;            /* body size as fetched */
	const char *body;        /* CRAWL_HTML: the raw page (bytes long), e.g. for its markup; else NULL */
};

/* Every callback may be NULL. They run on crawl_site's thread. */
struct crawl_callbacks {
	/* A page to index. Non-zero ends the crawl (crawl_stats.end = CRAWL_END_CALLBACK). */
	int (*on_page)(void *ud, const struct crawl_page *p);
	/* A page that could not be read: HTTP error status, too big, timeout, too many redirects,
	 * connection failure, unreadable PDF, a start URL that redirects to another site, … The crawl
	 * goes on. */
	void (*on_error)(void *ud, const char *url, const char *message);
	/* After each page fetch: fetches made so far, URLs still queued. */
	void (*on_progress)(void *ud, int done, int queued);
};

enum crawl_end {
	CRAWL_END_DONE,      /* nothing left to fetch */
	CRAWL_END_MAX_PAGES, /* max_pages fetches made, URLs left */
	CRAWL_END_MAX_BYTES, /* max_total_bytes passed */
	CRAWL_END_STOPPED,   /* the stop flag */
	CRAWL_END_CALLBACK,  /* on_page asked to stop */
};

struct crawl_stats {
	int fetched;      /* page fetches made (requests sent for pages) */
	int pages;        /* handed to on_page */
	int errors;       /* on_error calls */
	int disallowed;   /* URLs robots.txt kept us from (or final URLs it disallows) */
	int skipped;      /* not read as pages: other content types, never-a-page extensions, redirects
			   * off the site */
	int duplicates;   /* same URL or same text as a page handed over before */
	int noindex;      /* pages that asked not to be indexed */
	int empty;        /* pages without text */
	int sitemaps;     /* sitemap files read */
	int sitemap_urls; /* page URLs they gave that were new */
	size_t bytes;     /* body bytes received, robots.txt and sitemaps included */
	long delay_ms;    /* the pause used between fetches */
	double seconds;   /* wall time of the crawl */
	enum crawl_end end;
};

/* Crawls the site of `start_url` (see above). `lim` NULL: the defaults. `stop` may be NULL. `cb` may
 * be NULL (nothing is reported). `st` (may be NULL) is zeroed first and filled as the crawl goes.
 * Returns 0 when the crawl ran, whatever the per-page errors and also when it was stopped; -1 when it
 * could not start (not an http(s) URL, robots.txt unreachable or answering 5xx, the start URL
 * disallowed by robots.txt, the address private while allow_private is off, out of memory), with a
 * message in err (errlen bytes, may be 0). */
int crawl_site(struct httpc *http, const char *start_url, const struct crawl_limits *lim, const atomic_bool *stop,
	       const struct crawl_callbacks *cb, void *ud, struct crawl_stats *st, char *err, size_t errlen);

/* "done", "max_pages", "max_bytes", "stopped", "callback" (a static string). */
const char *crawl_end_name(int end);

#endif
