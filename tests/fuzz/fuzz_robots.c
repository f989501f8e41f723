/*
 * fuzz_robots.c — libFuzzer harness for robots.txt parsing and matching (src/ingest/robots.c).
 *
 * Every site the crawler visits hands it a robots.txt, so the parser sees arbitrary bytes. The first
 * byte picks a mode:
 *   even: the rest is a robots.txt, parsed for "botwerk"; invariants of the result are checked and a
 *         few paths (fixed ones and the input's first line) are matched;
 *   odd:  a differential check of the matcher. The rest becomes an allow pattern, a disallow pattern
 *         and a path (split at "\n", bytes mapped onto "/ab.?*$" so that percent-normalisation leaves
 *         them alone), and robots_allowed must agree with a plain dynamic-programming matcher and the
 *         RFC's precedence (the longer pattern wins, allow wins a tie, no match → allowed).
 *
 * Invariants (abort on violation): robots_parse never fails; "/robots.txt" is always allowed; the
 * Crawl-delay is -1 or within 0..ROBOTS_MAX_DELAY_MS; at most ROBOTS_MAX_RULES rules and
 * ROBOTS_MAX_SITEMAPS sitemaps, each non-empty, within ROBOTS_MAX_SITEMAP_URL bytes, without line
 * breaks, "#" or surrounding white space.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/robots.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...)                                                                                  \
	do {                                                                                               \
		if (!(cond)) {                                                                             \
			fprintf(stderr, "fuzz_robots: invariant violated: %s\n  ", #cond);                 \
			fprintf(stderr, __VA_ARGS__);                                                      \
			fprintf(stderr, "\n");                                                             \
			abort();                                                                           \
		}                                                                                          \
	} while (0)

#define SMALL 48 /* pattern and path bytes in the differential mode */

/* Does p[0..pn) ("*" any run) match all of s[0..sn) (anchored) or a prefix of it? */
static bool ref_match(const char *p, size_t pn, bool anchored, const char *s, size_t sn)
{
	/* m[i][j]: p[0..i) matches s[0..j) exactly */
	static bool m[SMALL + 2][SMALL + 2];
	memset(m, 0, sizeof m);
	m[0][0] = true;
	for (size_t i = 1; i <= pn; i++)
		for (size_t j = 0; j <= sn; j++) {
			if (p[i - 1] == '*')
				m[i][j] = m[i - 1][j] || (j > 0 && m[i][j - 1]);
			else
				m[i][j] = j > 0 && m[i - 1][j - 1] && p[i - 1] == s[j - 1];
		}
	if (anchored)
		return m[pn][sn];
	for (size_t j = 0; j <= sn; j++)
		if (m[pn][j])
			return true;
	return false;
}

/* A pattern as robots.c reads it: "/" put in front unless it starts with "/" or "*", runs of "*"
 * collapsed, a final "$" taken as the anchor. Returns its length; *weight is the RFC's octet count. */
static size_t ref_pattern(const char *in, size_t n, char *out, bool *anchored, size_t *weight)
{
	*anchored = n > 0 && in[n - 1] == '$';
	if (*anchored)
		n--;
	size_t k = 0;
	if (n == 0 || (in[0] != '/' && in[0] != '*'))
		out[k++] = '/';
	for (size_t i = 0; i < n; i++) {
		if (in[i] == '*' && k > 0 && out[k - 1] == '*')
			continue;
		out[k++] = in[i];
	}
	*weight = k + (*anchored ? 1 : 0);
	return k;
}

static void differential(const uint8_t *data, size_t size)
{
	static const char alphabet[] = "/ab.?*$";
	char part[3][SMALL + 1];
	size_t len[3] = {0, 0, 0};
	int which = 0;
	for (size_t i = 0; i < size && which < 3; i++) {
		if (data[i] == '\n') {
			which++;
			continue;
		}
		if (len[which] < SMALL)
			part[which][len[which]++] = alphabet[data[i] % (sizeof alphabet - 1)];
	}
	for (int i = 0; i < 3; i++)
		part[i][len[i]] = '\0';
	const char *allow = part[0], *disallow = part[1];
	char path[SMALL + 2];
	snprintf(path, sizeof path, "/%s", part[2]);

	char text[4 * SMALL];
	snprintf(text, sizeof text, "User-agent: *\nAllow: %s\nDisallow: %s\n", allow, disallow);
	struct robots *r = robots_parse(text, strlen(text), "botwerk");
	CHECK(r != NULL, "parse failed");
	bool got = robots_allowed(r, path);
	robots_free(r);

	if (!strcmp(path, "/robots.txt")) {
		CHECK(got, "robots.txt disallowed");
		return;
	}
	/* The parser trims white space around values; the alphabet has none. An empty value is no rule. */
	char pa[SMALL + 2], pd[SMALL + 2];
	bool aa = false, ad = false;
	size_t wa = 0, wd = 0, la = 0, ld = 0;
	bool ha = len[0] > 0, hd = len[1] > 0;
	if (ha)
		la = ref_pattern(allow, len[0], pa, &aa, &wa);
	if (hd)
		ld = ref_pattern(disallow, len[1], pd, &ad, &wd);
	size_t pn = strlen(path);
	bool ma = ha && ref_match(pa, la, aa, path, pn);
	bool md = hd && ref_match(pd, ld, ad, path, pn);
	bool want = !md || (ma && wa >= wd);
	CHECK(got == want, "allow=\"%s\" disallow=\"%s\" path=\"%s\": got %d, want %d", allow, disallow, path, got,
	      want);
}

static void general(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct robots *r = robots_parse(text, size, "botwerk");
	CHECK(r != NULL, "parse failed");
	CHECK(robots_allowed(r, "/robots.txt"), "robots.txt disallowed");
	long d = robots_crawl_delay_ms(r);
	CHECK(d == -1 || (d >= 0 && d <= ROBOTS_MAX_DELAY_MS), "delay %ld", d);
	CHECK(robots_nrules(r) <= ROBOTS_MAX_RULES, "%zu rules", robots_nrules(r));
	const char *const *maps = NULL;
	size_t n = robots_sitemaps(r, &maps);
	CHECK(n <= ROBOTS_MAX_SITEMAPS, "%zu sitemaps", n);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(maps[i]);
		CHECK(len > 0 && len <= ROBOTS_MAX_SITEMAP_URL, "sitemap %zu has %zu bytes", i, len);
		CHECK(!strpbrk(maps[i], "\r\n#"), "sitemap %zu: \"%s\"", i, maps[i]);
		CHECK(maps[i][0] != ' ' && maps[i][0] != '\t' && maps[i][len - 1] != ' ' && maps[i][len - 1] != '\t',
		      "sitemap %zu not trimmed: \"%s\"", i, maps[i]);
	}
	static const char *const paths[] = {"/", "", "/a", "/intern/x", "/%C3%A4?x=1", "/a*b$", "/ä"};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
		(void)robots_allowed(r, paths[i]);
	/* The first line of the input as a path. */
	char path[512];
	size_t k = 0;
	path[k++] = '/';
	for (size_t i = 0; i < size && data[i] != '\n' && k < sizeof path - 1; i++)
		if (data[i])
			path[k++] = (char)data[i];
	path[k] = '\0';
	(void)robots_allowed(r, path);
	robots_free(r);

	/* The same text for the star groups only: must not fail either. */
	r = robots_parse(text, size, NULL);
	CHECK(r != NULL, "parse without agent failed");
	robots_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		differential(data + 1, size - 1);
	else
		general(data + 1, size - 1);
	return 0;
}
