/*
 * test_crawl.c — crawl_site against a real local website: tests/lib/fixture_site.mjs serving
 * tests/fixtures/crawl/, started with node by this test (a child process on 127.0.0.1 and a free port,
 * one per test, with its request log in a temporary file). The log is what proves what the crawler
 * asked for: disallowed pages never requested, the 30 MB page and the binary cut short, the redirect
 * loop ended, the delay kept.
 *
 * Why a C test that starts node rather than a node test that drives a C tool: the crawler's contract is
 * its C API (callbacks, stats, return values), which a C test can check directly; starting the fixture
 * is one posix_spawn and one line read from a pipe. When node is not installed the tests are skipped
 * with a message; without pdftotext the PDF is expected to fail instead of being read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "ingest/crawl.h"
#include "ingest/html_text.h"
#include "ingest/pdf_text.h"
#include "net/httpc.h"

extern char **environ;

#define FIXTURE_SERVER "tests/lib/fixture_site.mjs"
#define FIXTURE_ROOT "tests/fixtures/crawl"

/* ---- the fixture site ------------------------------------------------------------------------------ */

struct site {
	pid_t pid;
	int out;       /* read end of the child's stdout */
	int in;        /* write end of its stdin: when it closes (also when this test dies), node exits */
	char url[128]; /* "http://127.0.0.1:PORT" */
	char dir[64];  /* temporary directory with the log */
	char log[128];
	int slot;      /* its copy in world.live */
};

struct world {
	struct httpc *http;
	bool have_node, have_pdftotext;
	/* Copies of the sites started and not yet stopped: a failed assertion jumps out of its test, which
	 * leaves them to the test's teardown. */
	struct site live[4];
	bool used[4];
};

static struct world *the_world;

/* Starts the fixture server with extra arguments (NULL-terminated). */
static void site_start(struct site *s, const char *const *extra)
{
	memset(s, 0, sizeof *s);
	snprintf(s->dir, sizeof s->dir, "/tmp/botwerk-crawl-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->log, sizeof s->log, "%s/requests.jsonl", s->dir);
	const char *argv[32] = {"node", FIXTURE_SERVER, "--root", FIXTURE_ROOT, "--port", "0", "--log", s->log,
				"--watch-stdin"};
	int argc = 9;
	for (int i = 0; extra && extra[i] && argc < 30; i++)
		argv[argc++] = extra[i];
	argv[argc] = NULL;
	int fds[2], ins[2];
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	assert_int_equal(pipe2(ins, O_CLOEXEC), 0);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, ins[0], 0);
	int rc = posix_spawnp(&s->pid, "node", &fa, NULL, (char *const *)(uintptr_t)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	close(ins[0]);
	assert_int_equal(rc, 0);
	s->out = fds[0];
	s->in = ins[1];
	s->slot = -1;
	for (int i = 0; i < 4; i++)
		if (!the_world->used[i]) {
			the_world->used[i] = true;
			s->slot = i;
			the_world->live[i] = *s;
			break;
		}
	char line[256];
	size_t n = 0;
	while (n < sizeof line - 1) {
		struct pollfd p = {.fd = s->out, .events = POLLIN};
		assert_int_equal(poll(&p, 1, 15000), 1);
		ssize_t r = read(s->out, line + n, 1);
		assert_int_equal(r, 1);
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	const char *u = strstr(line, "http://");
	assert_non_null(u);
	snprintf(s->url, sizeof s->url, "%s", u);
}

static void site_stop(struct site *s)
{
	if (s->slot >= 0)
		the_world->used[s->slot] = false;
	s->slot = -1;
	if (s->in > 0)
		close(s->in);
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		int st;
		while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	if (s->out > 0)
		close(s->out);
	unlink(s->log);
	rmdir(s->dir);
	s->pid = 0;
	s->in = s->out = 0;
}

/* After each test: stops the sites a failed assertion left running. */
static int stop_leftovers(void **state)
{
	struct world *w = *state;
	for (int i = 0; i < 4; i++)
		if (w->used[i])
			site_stop(&w->live[i]);
	return 0;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return calloc(1, 1);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	assert_non_null(s);
	size_t got = fread(s, 1, (size_t)n, f);
	s[got] = '\0';
	fclose(f);
	return s;
}

/* Request lines ({"ev":"req",…}) whose path starts with `prefix`. */
static int requested(const struct site *s, const char *prefix)
{
	char *log = slurp(s->log);
	char needle[512];
	snprintf(needle, sizeof needle, "\"path\":\"%s", prefix);
	int n = 0;
	for (char *line = log; *line;) {
		char *end = strchr(line, '\n');
		if (end)
			*end = '\0';
		if (!strncmp(line, "{\"ev\":\"req\"", 11) && strstr(line, needle))
			n++;
		if (!end)
			break;
		line = end + 1;
	}
	free(log);
	return n;
}

/* The "end" line of the first request for exactly `path`, waited for up to 5 s; "" when none. */
static void end_line(const struct site *s, const char *path, char *out, size_t outlen)
{
	char needle[512];
	snprintf(needle, sizeof needle, "\"path\":\"%s\",", path);
	out[0] = '\0';
	for (int tries = 0; tries < 100 && !out[0]; tries++) {
		char *log = slurp(s->log);
		for (char *line = log; *line;) {
			char *end = strchr(line, '\n');
			if (end)
				*end = '\0';
			if (!strncmp(line, "{\"ev\":\"end\"", 11) && strstr(line, needle)) {
				snprintf(out, outlen, "%s", line);
				break;
			}
			if (!end)
				break;
			line = end + 1;
		}
		free(log);
		if (!out[0])
			usleep(50000);
	}
}

/* The arrival times (ms) of the request lines, in order. */
static int request_times(const struct site *s, long long *t, int max)
{
	char *log = slurp(s->log);
	int n = 0;
	for (char *p = log; (p = strstr(p, "{\"ev\":\"req\"")) && n < max; p++) {
		char *tm = strstr(p, "\"time\":");
		assert_non_null(tm);
		t[n++] = strtoll(tm + 7, NULL, 10);
	}
	free(log);
	return n;
}

/* ---- what the callbacks saw ---------------------------------------------------------------------------- */

#define MAXGOT 64

struct got {
	int npages;
	char *url[MAXGOT];
	char *text[MAXGOT];
	int kind[MAXGOT];
	int depth[MAXGOT];
	bool json_ld[MAXGOT];
	int nerrors;
	char *err_url[MAXGOT];
	char *err_msg[MAXGOT];
	int progress;
	atomic_bool *stop_on_page; /* set this flag at the first page */
};

static int got_page(void *ud, const struct crawl_page *p)
{
	struct got *g = ud;
	assert_non_null(p->url);
	assert_non_null(p->text);
	if (g->npages < MAXGOT) {
		g->url[g->npages] = strdup(p->url);
		g->text[g->npages] = strdup(p->text);
		g->kind[g->npages] = p->kind;
		g->depth[g->npages] = p->depth;
		g->json_ld[g->npages] = p->kind == CRAWL_HTML && p->html->njson_ld > 0;
		if (p->kind == CRAWL_HTML)
			assert_non_null(p->html);
		else
			assert_non_null(p->pdf);
	}
	g->npages++;
	if (g->stop_on_page)
		atomic_store(g->stop_on_page, true);
	return 0;
}

static void got_error(void *ud, const char *url, const char *message)
{
	struct got *g = ud;
	if (g->nerrors < MAXGOT) {
		g->err_url[g->nerrors] = strdup(url);
		g->err_msg[g->nerrors] = strdup(message);
	}
	g->nerrors++;
}

static void got_progress(void *ud, int done, int queued)
{
	struct got *g = ud;
	assert_true(done >= 0 && queued >= 0);
	g->progress++;
}

static void got_free(struct got *g)
{
	for (int i = 0; i < g->npages && i < MAXGOT; i++) {
		free(g->url[i]);
		free(g->text[i]);
	}
	for (int i = 0; i < g->nerrors && i < MAXGOT; i++) {
		free(g->err_url[i]);
		free(g->err_msg[i]);
	}
	memset(g, 0, sizeof *g);
}

static const struct crawl_callbacks CB = {.on_page = got_page, .on_error = got_error, .on_progress = got_progress};

/* The index of the page handed over under base+path, or -1. */
static int page_at(const struct got *g, const struct site *s, const char *path)
{
	char want[512];
	snprintf(want, sizeof want, "%s%s", s->url, path);
	for (int i = 0; i < g->npages && i < MAXGOT; i++)
		if (!strcmp(g->url[i], want))
			return i;
	return -1;
}

/* The message of the error reported for base+path, or NULL. */
static const char *error_for(const struct got *g, const struct site *s, const char *path)
{
	char want[512];
	snprintf(want, sizeof want, "%s%s", s->url, path);
	for (int i = 0; i < g->nerrors && i < MAXGOT; i++)
		if (!strcmp(g->err_url[i], want))
			return g->err_msg[i];
	return NULL;
}

static void test_limits(struct crawl_limits *lim)
{
	crawl_limits_default(lim);
	lim->allow_private = true;
	lim->delay_ms = 0;
	lim->timeout_ms = 3000; /* /langsam takes 20 s */
	lim->max_page_bytes = 1 << 20;
}

static long max_rss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

#define NEED_NODE(w)                                                                                           \
	do {                                                                                                   \
		if (!(w)->have_node) {                                                                         \
			print_message("skipped: node is needed for the fixture website\n");                    \
			skip();                                                                                \
		}                                                                                              \
	} while (0)

/* ---- tests ----------------------------------------------------------------------------------------------- */

/* First, while the peak RSS is still low: the 30 MB page is cut at the page limit, memory bounded. */
static void big_page_is_cut_with_bounded_memory(void **state)
{
	struct world *w = *state;
	NEED_NODE(w);
	struct site s;
	site_start(&s, NULL);
	struct crawl_limits lim;
	test_limits(&lim);
	lim.max_page_bytes = 2 << 20;
	lim.max_pages = 1;
	char start[256], err[256];
	snprintf(start, sizeof start, "%s/gross", s.url);
	struct got g = {0};
	struct crawl_stats st;
	long before = max_rss_kb();
	assert_int_equal(crawl_site(w->http, start, &lim, NULL, &CB, &g, &st, err, sizeof err), 0);
	long grown = max_rss_kb() - before;
	assert_int_equal(st.fetched, 1);
	assert_int_equal(st.pages, 0);
	assert_int_equal(g.nerrors, 1);
	assert_non_null(strstr(g.err_msg[0], "larger than 2 MiB"));
	assert_int_equal(st.end, CRAWL_END_MAX_PAGES);
	/* Reading 30 MB would have taken at least that much more memory. */
	assert_true(grown < 24 * 1024);
	char end[512];
	end_line(&s, "/gross", end, sizeof end);
	assert_non_null(strstr(end, "\"clientClosed\":true"));
	long long bytes = strtoll(strstr(end, "\"bytes\":") + 8, NULL, 10);
	assert_true(bytes < 30LL * 1000 * 1000);
	print_message("30 MB page: server sent %lld bytes before the crawler hung up; peak RSS grew %ld KiB\n", bytes,
		      grown);
	got_free(&g);
	site_stop(&s);
}

static void whole_site(void **state)
{
	struct world *w = *state;
	NEED_NODE(w);
	struct site s;
	site_start(&s, NULL);
	struct crawl_limits lim;
	test_limits(&lim);
	char err[256] = "x";
	struct got g = {0};
	struct crawl_stats st;
	assert_int_equal(crawl_site(w->http, s.url, &lim, NULL, &CB, &g, &st, err, sizeof err), 0);
	assert_string_equal(err, "");
	assert_int_equal(st.end, CRAWL_END_DONE);

	/* What was handed over, in breadth-first order. */
	static const char *const order[] = {
		"/", "/kontakt.html", "/team.html", "/oeffnungszeiten.html", "/impressum.html", "/angebote",
		"/torten.html", "/folgen-verboten.html", "/tief/1.html", "/preisliste.pdf", "/nur-in-sitemap.html",
		"/nur-vom-entwurf.html", "/tief/2.html", "/tief/3.html", "/tief/4.html", "/tief/5.html",
	};
	size_t want = sizeof order / sizeof order[0] - (w->have_pdftotext ? 0 : 1);
	for (int i = 0; i < g.npages && i < MAXGOT; i++)
		print_message("page %d: %s (depth %d)\n", i, g.url[i], g.depth[i]);
	for (int i = 0; i < g.nerrors && i < MAXGOT; i++)
		print_message("error %d: %s: %s\n", i, g.err_url[i], g.err_msg[i]);
	assert_int_equal(g.npages, (int)want);
	assert_int_equal(st.pages, (int)want);
	for (size_t i = 0, k = 0; i < sizeof order / sizeof order[0]; i++) {
		if (!w->have_pdftotext && !strcmp(order[i], "/preisliste.pdf"))
			continue;
		char u[256];
		snprintf(u, sizeof u, "%s%s", s.url, order[i]);
		assert_string_equal(g.url[k], u);
		k++;
	}
	assert_int_equal(g.depth[page_at(&g, &s, "/")], 0);
	assert_int_equal(g.depth[page_at(&g, &s, "/nur-in-sitemap.html")], 1);
	assert_int_equal(g.depth[page_at(&g, &s, "/tief/5.html")], 5);

	/* Text and JSON-LD came through. */
	int k = page_at(&g, &s, "/kontakt.html");
	assert_true(g.json_ld[k]);
	assert_false(g.json_ld[page_at(&g, &s, "/team.html")]);
	assert_non_null(strstr(g.text[page_at(&g, &s, "/oeffnungszeiten.html")], "6:30 bis 18:00 Uhr"));
	/* The canonical URL names the page; the duplicate /team-kopie.html was collapsed. */
	assert_non_null(strstr(g.text[page_at(&g, &s, "/angebote")], "drei Croissants"));
	assert_int_equal(page_at(&g, &s, "/team-kopie.html"), -1);
	/* A canonical URL robots.txt disallows does not name the page. */
	assert_non_null(strstr(g.text[page_at(&g, &s, "/torten.html")], "Hochzeitstorten"));
	assert_true(st.duplicates >= 1);
	/* The PDF was read. */
	if (w->have_pdftotext) {
		int p = page_at(&g, &s, "/preisliste.pdf");
		assert_int_equal(g.kind[p], CRAWL_PDF);
		assert_non_null(strstr(g.text[p], "Roggenbrot 750 g: 4,20 Euro"));
	}
	/* noindex: not handed over, but its link was followed. */
	assert_int_equal(page_at(&g, &s, "/entwurf.html"), -1);
	assert_int_equal(st.noindex, 1);

	/* Per-page errors, and the crawl went on. */
	assert_non_null(error_for(&g, &s, "/kaputt"));
	assert_string_equal(error_for(&g, &s, "/kaputt"), "HTTP 404");
	assert_non_null(strstr(error_for(&g, &s, "/schleife-a"), "too many redirects"));
	assert_non_null(strstr(error_for(&g, &s, "/gross"), "larger than 1 MiB"));
	assert_non_null(strstr(error_for(&g, &s, "/langsam"), "timed out after 3000 ms"));
	assert_non_null(strstr(error_for(&g, &s, "/redirect-extern"), "redirects to another site (not followed)"));
	assert_int_equal(g.nerrors, w->have_pdftotext ? 5 : 6);
	assert_int_equal(st.errors, g.nerrors);

	/* The server's log: what was never asked for. */
	assert_int_equal(requested(&s, "/intern/"), 0);            /* robots.txt, though linked and in the sitemap */
	assert_int_equal(requested(&s, "/nie-besucht-a.html"), 0); /* page-level nofollow */
	assert_int_equal(requested(&s, "/nie-besucht-b.html"), 0); /* rel=nofollow */
	assert_int_equal(requested(&s, "/tief/6.html"), 0);        /* deeper than max_depth 5 */
	assert_int_equal(requested(&s, "/logo.png"), 0);           /* never a page */
	assert_int_equal(requested(&s, "/extern/weiter"), 0);      /* the other host's links */
	assert_int_equal(requested(&s, "/extern/ziel"), 0);        /* nor the other host at all */
	assert_int_equal(st.disallowed, 1);
	/* What was asked for once only. */
	assert_int_equal(requested(&s, "/robots.txt"), 1);
	assert_int_equal(requested(&s, "/sitemap.xml"), 1);
	assert_int_equal(requested(&s, "/team.html"), 1);
	assert_int_equal(requested(&s, "/angebote"), 1);
	assert_int_equal(requested(&s, "/kaputt"), 1);
	/* The loop: at most max_redirects + 1 requests. */
	int loop = requested(&s, "/schleife-");
	assert_true(loop >= 2 && loop <= lim.max_redirects + 1);
	/* The binary: stopped after the headers. */
	char end[512];
	end_line(&s, "/datei", end, sizeof end);
	assert_non_null(strstr(end, "\"clientClosed\":true"));
	/* The redirect to another host was dropped: no page of it handed over. */
	for (int i = 0; i < g.npages && i < MAXGOT; i++)
		assert_null(strstr(g.url[i], "localhost"));
	assert_int_equal(st.skipped, 2); /* logo.png, datei (redirect-extern is an error now) */
	/* robots.txt first, and every request with our user agent. */
	char *log = slurp(s.log);
	assert_non_null(strstr(log, "{\"ev\":\"req\",\"id\":1,\"method\":\"GET\",\"path\":\"/robots.txt\""));
	int reqs = 0;
	for (char *p = log; (p = strstr(p, "{\"ev\":\"req\"")); p++) {
		reqs++;
		char *ua = strstr(p, "\"userAgent\":\"");
		assert_non_null(ua);
		assert_int_equal(strncmp(ua + 13, CRAWL_USER_AGENT, strlen(CRAWL_USER_AGENT)), 0);
	}
	free(log);
	assert_true(g.progress >= st.fetched);
	print_message("fetched %d, pages %d, errors %d, skipped %d, disallowed %d, duplicates %d, %d requests, "
		      "%zu bytes, %.2f s\n",
		      st.fetched, st.pages, st.errors, st.skipped, st.disallowed, st.duplicates, reqs, st.bytes,
		      st.seconds);
	got_free(&g);
	site_stop(&s);
}

static void depth_and_page_limits(void **state)
{
	struct world *w = *state;
	NEED_NODE(w);
	struct site s;
	site_start(&s, NULL);
	struct crawl_limits lim;
	test_limits(&lim);
	lim.max_depth = 2;
	struct got g = {0};
	struct crawl_stats st;
	char err[256];
	assert_int_equal(crawl_site(w->http, s.url, &lim, NULL, &CB, &g, &st, err, sizeof err), 0);
	assert_int_equal(requested(&s, "/tief/2.html"), 1);
	assert_int_equal(requested(&s, "/tief/3.html"), 0);
	assert_int_equal(requested(&s, "/nur-in-sitemap.html"), 1);
	assert_int_equal(requested(&s, "/nur-vom-entwurf.html"), 1);
	got_free(&g);
	site_stop(&s);

	site_start(&s, NULL);
	test_limits(&lim);
	lim.max_pages = 3;
	assert_int_equal(crawl_site(w->http, s.url, &lim, NULL, &CB, &g, &st, err, sizeof err), 0);
	assert_int_equal(st.fetched, 3);
	assert_int_equal(st.end, CRAWL_END_MAX_PAGES);
	assert_string_equal(crawl_end_name(st.end), "max_pages");
	int pages = requested(&s, "/") - requested(&s, "/robots.txt") - requested(&s, "/sitemap.xml");
	assert_int_equal(pages, 3);
	got_free(&g);
	site_stop(&s);

	/* Depth 0: only the start page, and no sitemaps are read. */
	site_start(&s, NULL);
	test_limits(&lim);
	lim.max_depth = 0;
	assert_int_equal(crawl_site(w->http, s.url, &lim, NULL, &CB, &g, &st, err, sizeof err), 0);
	assert_int_equal(st.fetched, 1);
	assert_int_equal(st.pages, 1);
	assert_int_equal(requested(&s, "/sitemap.xml"), 0);
	got_free(&g);
	site_stop(&s);
}

static void private_addresses_are_refused_by_default(void **state)
{
	struct world *w = *state;
	NEED_NODE(w);
	struct site s;
	site_start(&s, NULL);
	struct crawl_limits lim;
	test_limits(&lim);
	lim.allow_private = false;
	struct got g = {0};
	struct crawl_stats st;
	char err[512] = "";
	assert_int_equal(crawl_site(w->http, s.url, &lim, NULL, &CB, &g, &st, err, sizeof err), -1);
	print_message("error: %s\n", err);
	assert_non_null(strstr(err, "private"));
	assert_non_null(strstr(err, "BOTWERK_CRAWL_ALLOW_PRIVATE"));
	assert_int_equal(g.npages, 0);
	assert_int_equal(requested(&s, "/"), 0); /* not even robots.txt: refused before connecting */
	got_free(&g);
	site_stop(&s);

	/* The same for a name that resolves to loopback, and for the cloud metadata address. */
	test_limits(&lim);
	lim.allow_private = false;
	lim.timeout_ms = 2000;
	assert_int_equal(crawl_site(w->http, "http://localhost:9/", &lim, NULL, NULL, NULL, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "private"));
	assert_int_equal(crawl_site(w->http, "http://169.254.169.254/latest/meta-data/", &lim, NULL, NULL, NULL, NULL,
				    err, sizeof err),
			 -1);
	assert_non_null(strstr(err, "private"));
}

static void robots_failures_stop_the_crawl(void **state)
{
	struct world *w = *state;
	NEED_NODE(w);
	struct site s;
	const char *const r503[] = {"--robots-status", "503", NULL};
	site_start(&s, r503);
	struct crawl_limits lim;
	test_limits(&lim);
	char err[512] = "";
	assert_int_equal(crawl_site(w->http, s.url, &lim, NULL, NULL, NULL, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "HTTP 503"));
	assert_non_null(strstr(err, "off limits"));
	assert_int_equal(requested(&s, "/"), 1); /* robots.txt only */
	site_stop(&s);

	/* 4xx: no robots.txt, everything allowed. */
	const char *const r404[] = {"--robots-status", "404", NULL};
	site_start(&s, r404);
	test_limits(&lim);
	lim.max_depth = 1;
	struct crawl_stats st;
	assert_int_equal(crawl_site(w->http, s.url, &lim, NULL, NULL, NULL, &st, err, sizeof err), 0);
	assert_int_equal(requested(&s, "/intern/geheim.html"), 1);
	site_stop(&s);

	/* Unreachable. */
	test_limits(&lim);
	assert_int_equal(crawl_site(w->http, "http://127.0.0.1:1/", &lim, NULL, NULL, NULL, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "off limits"));

	/* A start URL robots.txt disallows. */
	site_start(&s, NULL);
	char start[256];
	snprintf(start, sizeof start, "%s/intern/geheim.html", s.url);
	assert_int_equal(crawl_site(w->http, start, &lim, NULL, NULL, NULL, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "disallows"));
	assert_int_equal(requested(&s, "/intern/"), 0);
	site_stop(&s);

	/* Not a URL we crawl. */
	assert_int_equal(crawl_site(w->http, "ftp://example.de/", &lim, NULL, NULL, NULL, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "not an http(s) URL"));
	assert_int_equal(crawl_site(w->http, "kein url", &lim, NULL, NULL, NULL, NULL, err, sizeof err), -1);
	assert_int_equal(crawl_site(w->http, NULL, &lim, NULL, NULL, NULL, NULL, err, sizeof err), -1);
	assert_int_equal(crawl_site(NULL, "http://example.de/", &lim, NULL, NULL, NULL, NULL, err, sizeof err), -1);
}

static void start_url_redirected_off_site(void **state)
{
	struct world *w = *state;
	NEED_NODE(w);
	struct site s;
	site_start(&s, NULL);
	struct crawl_limits lim;
	test_limits(&lim);
	lim.max_pages = 1;
	char start[256], err[256];
	snprintf(start, sizeof start, "%s/redirect-extern", s.url);
	struct got g = {0};
	struct crawl_stats st;
	assert_int_equal(crawl_site(w->http, start, &lim, NULL, &CB, &g, &st, err, sizeof err), 0);
	assert_int_equal(st.pages, 0);
	assert_int_equal(g.nerrors, 1);
	assert_non_null(strstr(g.err_msg[0], "redirects to another site (not followed): http://localhost:"));
	assert_int_equal(requested(&s, "/extern/weiter"), 0);
	assert_int_equal(requested(&s, "/extern/ziel"), 0);
	got_free(&g);
	site_stop(&s);
}

static void stop_flag_ends_the_crawl(void **state)
{
	struct world *w = *state;
	NEED_NODE(w);
	struct site s;
	site_start(&s, NULL);
	struct crawl_limits lim;
	test_limits(&lim);
	atomic_bool stop = false;
	struct got g = {.stop_on_page = &stop};
	struct crawl_stats st;
	char err[256];
	assert_int_equal(crawl_site(w->http, s.url, &lim, &stop, &CB, &g, &st, err, sizeof err), 0);
	assert_int_equal(st.end, CRAWL_END_STOPPED);
	assert_int_equal(st.pages, 1);
	assert_int_equal(st.fetched, 1);
	got_free(&g);
	site_stop(&s);
}

static void politeness_delay_and_crawl_delay(void **state)
{
	struct world *w = *state;
	NEED_NODE(w);
	struct site s;
	site_start(&s, NULL);
	struct crawl_limits lim;
	test_limits(&lim);
	lim.delay_ms = 250;
	lim.max_pages = 3;
	struct crawl_stats st;
	char err[256];
	assert_int_equal(crawl_site(w->http, s.url, &lim, NULL, NULL, NULL, &st, err, sizeof err), 0);
	long long t[16];
	int n = request_times(&s, t, 16);
	assert_int_equal(n, 5); /* robots.txt, /, sitemap.xml, two more pages */
	for (int i = 1; i < n; i++)
		assert_true(t[i] - t[i - 1] >= 240);
	assert_int_equal(st.delay_ms, 250);
	site_stop(&s);

	/* Crawl-delay raises the pause. */
	const char *const cd[] = {"--crawl-delay", "0.4", NULL};
	site_start(&s, cd);
	test_limits(&lim);
	lim.max_pages = 2;
	assert_int_equal(crawl_site(w->http, s.url, &lim, NULL, NULL, NULL, &st, err, sizeof err), 0);
	assert_int_equal(st.delay_ms, 400);
	n = request_times(&s, t, 16);
	assert_int_equal(n, 4);
	for (int i = 1; i < n; i++)
		assert_true(t[i] - t[i - 1] >= 390);
	site_stop(&s);
}

static void defaults(void **state)
{
	(void)state;
	struct crawl_limits lim;
	crawl_limits_default(&lim);
	assert_int_equal(lim.max_pages, 500);
	assert_int_equal(lim.max_depth, 5);
	assert_int_equal(lim.max_page_bytes, 5 << 20);
	assert_int_equal(lim.max_total_bytes, (size_t)200 << 20);
	assert_int_equal(lim.delay_ms, 500);
	assert_int_equal(lim.timeout_ms, 15000);
	assert_int_equal(lim.max_redirects, 5);
	assert_false(lim.allow_private);
	assert_non_null(strstr(lim.user_agent, "botwerk"));
	assert_string_equal(lim.robots_agent, "botwerk");
	assert_string_equal(crawl_end_name(CRAWL_END_DONE), "done");
	assert_string_equal(crawl_end_name(CRAWL_END_STOPPED), "stopped");
	assert_string_equal(crawl_end_name(99), "unknown");
}

/* ---- setup ------------------------------------------------------------------------------------------------ */

static int setup(void **state)
{
	static struct world w;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	html_text_init();
	char err[128];
	w.http = httpc_new(err, sizeof err);
	if (!w.http) {
		fprintf(stderr, "test_crawl: httpc_new: %s\n", err);
		return -1;
	}
	struct stat sb;
	w.have_node = system("node --version >/dev/null 2>&1") == 0 && stat(FIXTURE_SERVER, &sb) == 0;
	if (!w.have_node)
		fprintf(stderr, "test_crawl: node or %s missing; the crawl tests are skipped\n", FIXTURE_SERVER);
	w.have_pdftotext = system("pdftotext -v >/dev/null 2>&1") == 0;
	the_world = &w;
	*state = &w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	httpc_free(w->http);
	curl_global_cleanup();
	return 0;
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(big_page_is_cut_with_bounded_memory, stop_leftovers),
		cmocka_unit_test_teardown(whole_site, stop_leftovers),
		cmocka_unit_test_teardown(depth_and_page_limits, stop_leftovers),
		cmocka_unit_test_teardown(private_addresses_are_refused_by_default, stop_leftovers),
		cmocka_unit_test_teardown(robots_failures_stop_the_crawl, stop_leftovers),
		cmocka_unit_test_teardown(start_url_redirected_off_site, stop_leftovers),
		cmocka_unit_test_teardown(stop_flag_ends_the_crawl, stop_leftovers),
		cmocka_unit_test_teardown(politeness_delay_and_crawl_delay, stop_leftovers),
		cmocka_unit_test_teardown(defaults, stop_leftovers),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
