/*
 * webhook_store_bench.c — webhook intake throughput of the store: how many events per second
 * store_webhook_put_async makes durable on SQLite, and how long each waits for its done callback (the moment
 * the webhook may answer 200). Figures go into docs/internals/jobs.md.
 *
 * Build and run from the repository root after `make` (optimised as the project builds, no sanitizers):
 *
 *   cc -std=c17 -D_GNU_SOURCE -O2 -Isrc -o /tmp/webhook_store_bench bench/webhook_store_bench.c \
 *      build/libbotwerk.a $(pkg-config --cflags --libs libmicrohttpd sqlite3 libpq jansson libsodium \
 *      icu-uc icu-i18n libpcre2-8 libcurl libxml-2.0 libcrypto) -lstemmer -lpthread -lm \
 *      && /tmp/webhook_store_bench
 *
 * Options: -c N   logical clients (threads), each sending one event and waiting for its callback before the
 *                 next, like a provider connection waiting for its 200 (default 64)
 *          -n N   events in all (default 100000)
 *          -d     every event is delivered twice, by two clients at once (a provider retry): checks that
 *                 exactly half are stored and half reported as duplicates
 *          -p F   the database file (default: a new file in $TMPDIR or /tmp; removed at the end). Put it on
 *                 the disk the server would use: fsync costs what that disk costs.
 *
 * Each event is a distinct message with a 500-byte payload (a sealed text's size). The latency of an event is
 * from the call to store_webhook_put_async to its callback, which the writer runs after the commit: several
 * events share one commit (group commit), and the writer commits every batch that holds intake writes with
 * synchronous=FULL, so one fsync of the WAL covers them all before any of them is answered.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rag/terms.h"
#include "store/store.h"

#define MAX_CLIENTS 1024

struct bench {
	struct store *st;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX];
	int clients, total;
	bool twice;
	atomic_int next;          /* the next event number to send */
	atomic_int stored, duplicates, failed;
	double *lat_ms;           /* per send */
	char payload[512];
};

struct client {
	struct bench *b;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done;
	int rc;
	bool dup;
};

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_done(void *ud, int rc, bool duplicate)
{
	struct client *c = ud;
	pthread_mutex_lock(&c->mu);
	c->rc = rc;
	c->dup = duplicate;
	c->done = true;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

static void *client_main(void *arg)
{
	struct client *c = arg;
	struct bench *b = c->b;
	for (;;) {
		int k = atomic_fetch_add(&b->next, 1);
		if (k >= b->total)
			break;
		int event = b->twice ? k / 2 : k;
		char id[STORE_ID_MAX], pid[48], key[80];
		snprintf(id, sizeof id, "whe_bench_%09d", k);
		snprintf(pid, sizeof pid, "wamid.bench.%09d", event);
		snprintf(key, sizeof key, "meta:message:%s", pid);
		struct store_webhook_in ev = {.id = id, .tenant_id = b->tenant, .bot_id = b->bot, .provider = "meta",
					      .kind = "message", .provider_id = pid, .dedupe_key = key,
					      .payload = b->payload, .received_at = wall_ms()};
		c->done = false;
		double t0 = mono();
		store_webhook_put_async(b->st, &ev, on_done, c);
		pthread_mutex_lock(&c->mu);
		while (!c->done)
			pthread_cond_wait(&c->cv, &c->mu);
		pthread_mutex_unlock(&c->mu);
		b->lat_ms[k] = (mono() - t0) * 1000.0;
		if (c->rc != STORE_OK)
			atomic_fetch_add(&b->failed, 1);
		else if (c->dup)
			atomic_fetch_add(&b->duplicates, 1);
		else
			atomic_fetch_add(&b->stored, 1);
	}
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int usage(void)
{
	fprintf(stderr, "usage: webhook_store_bench [-c clients] [-n events] [-d] [-p file]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct bench b = {.clients = 64, .total = 100000};
	const char *path = NULL;
	int opt;
	while ((opt = getopt(argc, argv, "c:n:dp:")) != -1) {
		switch (opt) {
		case 'c': b.clients = atoi(optarg); break;
		case 'n': b.total = atoi(optarg); break;
		case 'd': b.twice = true; break;
		case 'p': path = optarg; break;
		default: return usage();
		}
	}
	if (b.clients < 1 || b.clients > MAX_CLIENTS || b.total < 100)
		return usage();

	char tmp[256];
	if (!path) {
		const char *dir = getenv("TMPDIR");
		snprintf(tmp, sizeof tmp, "%s/botwerk-webhook-bench-XXXXXX", dir && *dir ? dir : "/tmp");
		int fd = mkstemp(tmp);
		if (fd < 0) {
			perror("mkstemp");
			return 1;
		}
		close(fd);
		unlink(tmp);
		path = tmp;
	}
	struct terms *terms = terms_new();
	struct store_opts o = {.url = path, .busy_timeout_ms = 5000, .tokenize = terms_tokenize, .tokenize_ctx = terms};
	char err[512];
	b.st = terms ? store_open(&o, err, sizeof err) : NULL;
	if (!b.st) {
		fprintf(stderr, "cannot open the store: %s\n", terms ? err : "out of memory");
		return 1;
	}
	snprintf(b.tenant, sizeof b.tenant, "ten_bench");
	snprintf(b.bot, sizeof b.bot, "bot_bench");
	struct store_bot bot = {.name = "Bench", .config = "{}", .active = true, .created_at = 1, .updated_at = 1};
	snprintf(bot.id, sizeof bot.id, "%s", b.bot);
	snprintf(bot.tenant_id, sizeof bot.tenant_id, "%s", b.tenant);
	if (store_tenant_create(b.st, b.tenant, "Bench", 1) != STORE_OK || store_bot_create(b.st, &bot) != STORE_OK) {
		fprintf(stderr, "cannot create the tenant and bot\n");
		return 1;
	}
	/* a message event as the intake stores it: ids, the sender's blind index, a sealed text */
	int len = snprintf(b.payload, sizeof b.payload, "{\"type\":\"text\",\"from_bidx\":\"b3f1c2\",\"text\":\"v1.");
	for (; len < (int)sizeof b.payload - 4; len++)
		b.payload[len] = (char)('A' + len % 26);
	snprintf(b.payload + len, sizeof b.payload - (size_t)len, "\"}");

	b.lat_ms = calloc((size_t)b.total, sizeof *b.lat_ms);
	struct client *cl = calloc((size_t)b.clients, sizeof *cl);
	pthread_t *th = calloc((size_t)b.clients, sizeof *th);
	if (!b.lat_ms || !cl || !th) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	double t0 = mono();
	for (int i = 0; i < b.clients; i++) {
		cl[i].b = &b;
		pthread_mutex_init(&cl[i].mu, NULL);
		pthread_cond_init(&cl[i].cv, NULL);
		if (pthread_create(&th[i], NULL, client_main, &cl[i]) != 0) {
			fprintf(stderr, "cannot start client %d\n", i);
			return 1;
		}
	}
	for (int i = 0; i < b.clients; i++)
		pthread_join(th[i], NULL);
	double secs = mono() - t0;

	qsort(b.lat_ms, (size_t)b.total, sizeof *b.lat_ms, cmp_double);
	double p50 = b.lat_ms[b.total / 2], p99 = b.lat_ms[(size_t)((double)b.total * 0.99)],
	       p999 = b.lat_ms[(size_t)((double)b.total * 0.999)], max = b.lat_ms[b.total - 1];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	printf("webhook intake (SQLite, WAL, group commit flushed with synchronous=FULL): %d events, %d clients, "
	       "%ld CPUs\n", b.total, b.clients, cpus);
	printf("  %.0f events/s over %.2f s; ack latency p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms\n",
	       (double)b.total / secs, secs, p50, p99, p999, max);
	printf("  stored %d, duplicates %d, failed %d\n", atomic_load(&b.stored), atomic_load(&b.duplicates),
	       atomic_load(&b.failed));
	int want_stored = b.twice ? b.total / 2 : b.total;
	bool ok = atomic_load(&b.failed) == 0 && atomic_load(&b.stored) == want_stored &&
		  atomic_load(&b.duplicates) == b.total - want_stored;
	if (!ok)
		printf("  FAIL: expected %d stored and %d duplicates\n", want_stored, b.total - want_stored);

	store_close(b.st);
	terms_free(terms);
	for (int i = 0; i < b.clients; i++) {
		pthread_mutex_destroy(&cl[i].mu);
		pthread_cond_destroy(&cl[i].cv);
	}
	free(cl);
	free(th);
	free(b.lat_ms);
	if (path == tmp) {
		char side[300];
		unlink(tmp);
		snprintf(side, sizeof side, "%s-wal", tmp);
		unlink(side);
		snprintf(side, sizeof side, "%s-shm", tmp);
		unlink(side);
	}
	return ok ? 0 : 1;
}
