/*
 * answer_bench — the cost of one answer_question call, without HTTP or writes.
 *
 * Usage: build/tools/answer_bench DB BOT_ID QUESTIONS SECONDS [cache-mb]
 * Opens the SQLite database bench/run seeded, then answers the questions in the file QUESTIONS (one per
 * line; bench/questions.txt, which the HTTP benchmark asks too) in rotation for SECONDS
 * on one thread, with the in-memory index (cache-mb > 0, default 256) or the store's search (0), and
 * prints calls per second and microseconds per call. `make bench` runs it after the HTTP figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rag/answer.h"
#include "rag/index.h"
#include "rag/terms.h"
#include "store/store.h"

#define MAX_QUESTIONS 64

/* Reads up to MAX_QUESTIONS non-empty lines; returns how many, or -1. */
static int read_questions(const char *path, char *q[MAX_QUESTIONS])
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	int n = 0;
	char line[1024];
	while (n < MAX_QUESTIONS && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] && !(q[n++] = strdup(line)))
			break;
	}
	fclose(f);
	return n;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int tokenize(void *ctx, const char *text, size_t len, store_term_fn emit, void *ud)
{
	return terms_tokenize(ctx, text, len, emit, ud);
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: %s DB BOT_ID QUESTIONS SECONDS [cache-mb]\n", argv[0]);
		return 2;
	}
	double seconds = atof(argv[4]);
	size_t cache_mb = argc > 5 ? (size_t)atol(argv[5]) : 256;
	char *questions[MAX_QUESTIONS] = {0};
	int nq = read_questions(argv[3], questions);
	if (nq <= 0) {
		fprintf(stderr, "answer_bench: no questions in %s\n", argv[3]);
		return 1;
	}
	int status = 1;
	char err[256];
	struct store_bot b = {0};
	struct rag_cache *cache = NULL;
	struct store *st = NULL;
	struct terms *t = terms_new();
	if (!t) {
		fprintf(stderr, "answer_bench: no German stemmer\n");
		goto out;
	}
	struct store_opts o = {.url = argv[1], .pool_size = 1, .busy_timeout_ms = 5000, .tokenize = tokenize,
			       .tokenize_ctx = t};
	st = store_open(&o, err, sizeof err);
	if (!st) {
		fprintf(stderr, "answer_bench: %s\n", err);
		goto out;
	}
	if (store_bot_get_public(st, argv[2], &b) != STORE_OK) {
		fprintf(stderr, "answer_bench: no bot %s\n", argv[2]);
		goto out;
	}
	cache = rag_cache_new(cache_mb << 20);
	if (!cache)
		goto out;
	struct answer_bot ab = {.tenant_id = b.tenant_id, .bot_id = b.id, .name = b.name, .language = "de",
				.response_style = "professional", .fallback_message = "",
				.knowledge_version = b.knowledge_version, .index_cache = cache};
	long calls = 0;
	double start = now(), end = start + seconds, t1 = start;
	while (t1 < end) {
		for (int i = 0; i < nq; i++, calls++) {
			struct answer a;
			if (answer_question(t, st, &ab, questions[i], &a) != 0) {
				fprintf(stderr, "answer_bench: answer_question failed\n");
				goto out;
			}
			answer_clear(&a);
		}
		t1 = now();
	}
	double took = t1 - start;
	printf("answer_question (%s): %ld calls in %.2f s, %.0f calls/s, %.1f µs per call\n",
	       cache_mb ? "in-memory index" : "store search", calls, took, (double)calls / took,
	       took * 1e6 / (double)calls);
	status = 0;
out:
	store_bot_clear(&b);
	rag_cache_free(cache);
	store_close(st);
	terms_free(t);
	for (int i = 0; i < nq; i++)
		free(questions[i]);
	return status;
}
