/*
 * ingest.h — knowledge ingestion in the background: uploaded PDFs and crawled websites become chunks.
 *
 * A thread of `serve` claims queued sources (store_source_claim: exactly once, also across processes),
 * reads them — a PDF page by page with poppler's pdftotext in a limited subprocess (ingest/pdf_text.h), a
 * website with the crawler (ingest/crawl.h) — chunks the text (rag/chunk.h, heading paths kept, each
 * chunk with its page URL or PDF page number), reports progress while it works (which renews the claim's
 * lease) and finishes by replacing the source's chunks in one transaction. A process that dies mid-way
 * leaves the source "running" with an old lease: after lease_ms any worker claims it again and starts it
 * over. On a clean stop the source in progress is put back in the queue at once. After every source the
 * embedder is poked, so new chunks get their vectors.
 */
#ifndef BOTWERK_JOBS_INGEST_H
#define BOTWERK_JOBS_INGEST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/log.h"
#include "net/httpc.h"
#include "store/store.h"

struct embedder;
struct site_profile;

#define INGEST_MAX_ERRORS 50                  /* per-page errors kept in a source's progress */
#define INGEST_MAX_TEXT (64u * 1024 * 1024)   /* text gathered from one source */

struct ingest_config {
	struct store *store;
	struct httpc *http;
	const struct log *log;
	const struct clock *clock;
	struct embedder *embedder; /* may be NULL */
	int64_t lease_ms;          /* a running source whose last progress is older is claimed again */
	bool allow_private;        /* crawl loopback / private addresses (tests, intranets) */
	int max_pages;             /* per crawl */
	long delay_ms;             /* pause between two requests to the site */
	/* Optional hooks of the bot-from-a-website draft (api/bot_from_site.c): site_begin says whether the
	 * crawl of `src` should also gather the business's profile (a site_profile, or NULL); site_end gets
	 * it back after the crawl, `ok` when the source was read. */
	struct site_profile *(*site_begin)(void *ud, const struct store_source *src);
	void (*site_end)(void *ud, const struct store_source *src, struct site_profile *sp, bool ok);
	void *site_ud;
};

struct ingest;

struct ingest *ingest_start(const struct ingest_config *cfg, char *err, size_t errlen);
/* A source was queued: look now. NULL is fine. */
void ingest_poke(struct ingest *in);
/* Stops after the page in progress (the source goes back to the queue); frees. NULL is fine. */
void ingest_stop(struct ingest *in);

#endif
