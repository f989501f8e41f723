/* embedder.c — chunk embeddings in the background; see embedder.h. */
#include "jobs/embedder.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "llm/embed_client.h"

#define SCAN_PAGE 100
#define TEXT_MAX 8000 /* bytes of a chunk sent to the model */

struct embedder {
	struct embedder_config cfg;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool poked, stopping;
	atomic_bool stop;
	_Atomic uint64_t rounds, embedded, failures;
};

/* "Title – heading\n\ntext", cut at TEXT_MAX bytes on a character boundary. */
static char *embed_text(const struct store_embed_row *r)
{
	size_t n = strlen(r->title) + strlen(r->heading) + strlen(r->text) + 8;
	char *s = malloc(n);
	if (!s)
		return NULL;
	snprintf(s, n, "%s%s%s\n\n%s", r->title, r->heading[0] ? " – " : "", r->heading, r->text);
	size_t len = strlen(s);
	if (len > TEXT_MAX) {
		len = TEXT_MAX;
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
		s[len] = '\0';
	}
	return s;
}

/* One batch of the bot: 1 when there was work and it was stored, 0 when none is left, -1 on failure. */
static int embed_batch(struct embedder *e, const struct store_bot *b, const struct llm_config *lc)
{
	struct store_embed_row *rows = NULL;
	int n = 0;
	if (store_embed_pending(e->cfg.store, b->tenant_id, b->id, lc->embed_model, EMBEDDER_BATCH, &rows, &n) !=
	    STORE_OK)
		return -1;
	if (n == 0)
		return 0;
	int rc = -1;
	char *texts[EMBEDDER_BATCH] = {0}, *b64[EMBEDDER_BATCH] = {0};
	int64_t ids[EMBEDDER_BATCH];
	struct embed_result res = {0};
	char err[256];
	for (int i = 0; i < n; i++)
		if (!(texts[i] = embed_text(&rows[i])))
			goto out;
	if (embed_wait(e->cfg.http, lc, (const char *const *)texts, n, EMBEDDER_TIMEOUT_MS, &e->stop, &res, err,
		       sizeof err) != 0) {
		log_msg(e->cfg.log, LOG_WARN, "embedder", "bot %s: %s", b->id, err);
		goto out;
	}
	size_t raw = (size_t)res.dim * sizeof(float), enc = sodium_base64_ENCODED_LEN(raw, sodium_base64_VARIANT_ORIGINAL);
	for (int i = 0; i < n; i++) {
		ids[i] = rows[i].chunk_id;
		if (!(b64[i] = malloc(enc)))
			goto out;
		/* little-endian float32, as the store's format says (x86 and ARM are little-endian) */
		sodium_bin2base64(b64[i], enc, (const unsigned char *)(res.vectors + (size_t)i * (size_t)res.dim), raw,
				  sodium_base64_VARIANT_ORIGINAL);
	}
	if (store_embed_put(e->cfg.store, b->tenant_id, b->id, lc->embed_model, n, ids, (const char *const *)b64) !=
	    STORE_OK) {
		log_msg(e->cfg.log, LOG_WARN, "embedder", "bot %s: vectors could not be stored", b->id);
		goto out;
	}
	atomic_fetch_add(&e->embedded, (uint64_t)n);
	if (e->cfg.vcache)
		vcache_invalidate(e->cfg.vcache, b->id);
	rc = 1;
out:
	for (int i = 0; i < n; i++) {
		free(texts[i]);
		free(b64[i]);
		store_embed_row_clear(&rows[i]);
	}
	free(rows);
	embed_result_clear(&res);
	return rc;
}

static void round_once(struct embedder *e)
{
	char after[STORE_ID_MAX] = "";
	struct store_bot rows[SCAN_PAGE];
	atomic_fetch_add(&e->rounds, 1);
	for (;;) {
		int n = 0;
		if (store_bot_scan(e->cfg.store, after, SCAN_PAGE, rows, &n) != STORE_OK || n == 0)
			return;
		for (int i = 0; i < n; i++) {
			struct llm_config lc;
			if (!atomic_load(&e->stop) && rows[i].active && e->cfg.resolve(e->cfg.resolve_ud, &rows[i], &lc) == 0 &&
			    lc.embeddings) {
				int rc = 0;
				while (!atomic_load(&e->stop) && (rc = embed_batch(e, &rows[i], &lc)) > 0)
					;
				if (rc < 0)
					atomic_fetch_add(&e->failures, 1);
				sodium_memzero(&lc, sizeof lc);
			}
		}
		snprintf(after, sizeof after, "%s", rows[n - 1].id);
		for (int i = 0; i < n; i++)
			store_bot_clear(&rows[i]);
		if (n < SCAN_PAGE || atomic_load(&e->stop))
			return;
	}
}

static void *run(void *arg)
{
	struct embedder *e = arg;
	for (;;) {
		round_once(e);
		pthread_mutex_lock(&e->mu);
		if (!e->poked && !e->stopping) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += e->cfg.interval_s > 0 ? e->cfg.interval_s : 30;
			pthread_cond_timedwait(&e->cv, &e->mu, &ts);
		}
		bool stopping = e->stopping;
		e->poked = false;
		pthread_mutex_unlock(&e->mu);
		if (stopping)
			return NULL;
	}
}

struct embedder *embedder_start(const struct embedder_config *cfg, char *err, size_t errlen)
{
	struct embedder *e = calloc(1, sizeof *e);
	if (!e) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->cfg = *cfg;
	pthread_mutex_init(&e->mu, NULL);
	pthread_cond_init(&e->cv, NULL);
	if (pthread_create(&e->thread, NULL, run, e) != 0) {
		snprintf(err, errlen, "cannot start the embedder thread");
		pthread_cond_destroy(&e->cv);
		pthread_mutex_destroy(&e->mu);
		free(e);
		return NULL;
	}
	return e;
}

void embedder_poke(struct embedder *e)
{
	if (!e)
		return;
	pthread_mutex_lock(&e->mu);
	e->poked = true;
	pthread_cond_signal(&e->cv);
	pthread_mutex_unlock(&e->mu);
}

void embedder_stats(struct embedder *e, struct embedder_stats *out)
{
	*out = (struct embedder_stats){atomic_load(&e->rounds), atomic_load(&e->embedded), atomic_load(&e->failures)};
}

void embedder_stop(struct embedder *e)
{
	if (!e)
		return;
	atomic_store(&e->stop, true);
	pthread_mutex_lock(&e->mu);
	e->stopping = true;
	pthread_cond_signal(&e->cv);
	pthread_mutex_unlock(&e->mu);
	pthread_join(e->thread, NULL);
	pthread_cond_destroy(&e->cv);
	pthread_mutex_destroy(&e->mu);
	free(e);
}
