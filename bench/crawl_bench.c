/*
 * crawl_bench.c — ingestion throughput of the website crawler (src/ingest/crawl*.c) against a local
 * synthetic site, and the crawler's peak memory. Figures go into docs/performance.md.
 *
 * Build and run from the repository root (optimised as the project builds, no sanitizers):
 *
 *   cc -std=c17 -D_GNU_SOURCE -O2 -Isrc $(pkg-config --cflags libxml-2.0 libcurl) -o /tmp/crawl_bench \
 *      bench/crawl_bench.c src/ingest/crawl.c src/ingest/crawl_fetch.c src/ingest/crawl_util.c \
 *      src/ingest/robots.c src/ingest/sitemap.c src/ingest/html_text.c src/ingest/html_links.c \
 *      src/ingest/html_url.c src/ingest/html_util.c src/ingest/pdf_text.c src/net/httpc.c src/base/clock.c \
 *      $(pkg-config --libs libxml-2.0 libcurl) -lpthread -lm && /tmp/crawl_bench
 *
 * Options: -n N   synthetic pages (default 500): tests/lib/fixture_site.mjs --no-root --pages N
 *          -r R   crawls (default 3), each against a fresh fixture server; the best and the median
 *          -w MS  the fixture server's delay before each answer (default 0), to see latency bound runs
 *
 * Each crawl: delay_ms 0, max_pages N + 10, max_depth 10, private addresses allowed (127.0.0.1). The
 * crawl reads robots.txt, the sitemap (which lists every page) and each page once, extracts its text
 * (html_extract, html_doc_text), hashes it for duplicates and hands it to a callback that only counts.
 * Reported: pages handed over, wall time, pages/s, body MB/s, the crawler's CPU time per page (user +
 * system of this process: fetching, parsing, extracting; the node server is another process) and this
 * process's peak resident set (getrusage ru_maxrss) before the first crawl and after the last.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "ingest/crawl.h"
#include "ingest/html_text.h"
#include "net/httpc.h"

extern char **environ;

struct counts {
	int pages;
	size_t text_bytes;
};

static int on_page(void *ud, const struct crawl_page *p)
{
	struct counts *c = ud;
	c->pages++;
	c->text_bytes += strlen(p->text);
	return 0;
}

static void on_error(void *ud, const char *url, const char *message)
{
	(void)ud;
	fprintf(stderr, "crawl_bench: %s: %s\n", url, message);
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

static long peak_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* Starts the fixture server; its URL goes into url. Returns its pid, or -1. */
static pid_t fixture_start(int pages, int wait_ms, char *url, size_t urllen, int *out_fd)
{
	char np[16], nw[16];
	snprintf(np, sizeof np, "%d", pages);
	snprintf(nw, sizeof nw, "%d", wait_ms);
	const char *argv[] = {"node", "tests/lib/fixture_site.mjs", "--no-root", "--pages", np, "--delay-ms", nw,
			      "--port", "0", NULL};
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	pid_t pid;
	int rc = posix_spawnp(&pid, "node", &fa, NULL, (char *const *)(uintptr_t)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		return -1;
	}
	char line[256];
	size_t n = 0;
	while (n < sizeof line - 1) {
		struct pollfd p = {.fd = fds[0], .events = POLLIN};
		if (poll(&p, 1, 15000) != 1 || read(fds[0], line + n, 1) != 1)
			break;
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	const char *u = strstr(line, "http://");
	if (!u) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		close(fds[0]);
		return -1;
	}
	snprintf(url, urllen, "%s", u);
	*out_fd = fds[0];
	return pid;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int pages = 500, runs = 3, wait_ms = 0;
	int opt;
	while ((opt = getopt(argc, argv, "n:r:w:")) != -1) {
		if (opt == 'n')
			pages = atoi(optarg);
		else if (opt == 'r')
			runs = atoi(optarg);
		else if (opt == 'w')
			wait_ms = atoi(optarg);
		else {
			fprintf(stderr, "usage: crawl_bench [-n pages] [-r runs] [-w server-delay-ms]\n");
			return 2;
		}
	}
	if (pages < 1 || runs < 1 || runs > 50 || wait_ms < 0) {
		fprintf(stderr, "crawl_bench: bad options\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	html_text_init();
	char err[256];
	struct httpc *http = httpc_new(err, sizeof err);
	if (!http) {
		fprintf(stderr, "crawl_bench: httpc_new: %s\n", err);
		return 1;
	}
	long rss_start = peak_kb();
	double rates[50];
	printf("crawl of a %d-page synthetic site, delay_ms 0, server delay %d ms\n", pages, wait_ms);
	printf("| run | pages | fetched | seconds | pages/s | body MB/s | CPU ms/page | text KiB |\n");
	printf("|----:|------:|--------:|--------:|--------:|----------:|------------:|---------:|\n");
	for (int r = 0; r < runs; r++) {
		char url[128];
		int fd = -1;
		pid_t pid = fixture_start(pages, wait_ms, url, sizeof url, &fd);
		if (pid < 0) {
			fprintf(stderr, "crawl_bench: cannot start the fixture server (node installed? run from the "
					"repository root)\n");
			return 1;
		}
		struct crawl_limits lim;
		crawl_limits_default(&lim);
		lim.delay_ms = 0;
		lim.max_pages = pages + 10;
		lim.max_depth = 10;
		lim.allow_private = true;
		struct counts c = {0};
		struct crawl_callbacks cb = {.on_page = on_page, .on_error = on_error};
		struct crawl_stats st;
		double cpu0 = cpu_s();
		int rc = crawl_site(http, url, &lim, NULL, &cb, &c, &st, err, sizeof err);
		double cpu = cpu_s() - cpu0;
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		close(fd);
		if (rc != 0) {
			fprintf(stderr, "crawl_bench: crawl failed: %s\n", err);
			return 1;
		}
		rates[r] = (double)st.pages / st.seconds;
		printf("| %d | %d | %d | %.2f | %.0f | %.1f | %.2f | %zu |\n", r + 1, st.pages, st.fetched, st.seconds,
		       rates[r], (double)st.bytes / 1e6 / st.seconds, 1000.0 * cpu / (st.fetched ? st.fetched : 1),
		       c.text_bytes / 1024);
		if (st.pages < pages)
			fprintf(stderr, "crawl_bench: only %d of %d pages handed over (end: %s)\n", st.pages, pages,
				crawl_end_name(st.end));
	}
	qsort(rates, (size_t)runs, sizeof rates[0], cmp_double);
	printf("\npages/s: best %.0f, median %.0f\n", rates[runs - 1], rates[runs / 2]);
	printf("peak RSS of the crawling process: %ld KiB before the first crawl, %ld KiB after the last\n", rss_start,
	       peak_kb());
	httpc_free(http);
	curl_global_cleanup();
	return 0;
}
