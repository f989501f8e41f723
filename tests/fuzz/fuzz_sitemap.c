/*
 * fuzz_sitemap.c — libFuzzer harness for sitemap.xml parsing (src/ingest/sitemap.c, with html_url.c and
 * html_util.c for URL resolution).
 *
 * The crawler reads whatever a site serves as its sitemap. The input is the document; it is parsed
 * twice: as https://www.example.de/sitemap.xml, and without a sitemap URL.
 *
 * Invariants (abort on violation), from sitemap.h's contract:
 *   - the result is 0 or -1; on -1 the output is left cleared and a message is given;
 *   - on 0: at most SITEMAP_MAX_URLS URLs, each an absolute http(s) URL that html_url_resolve gives back
 *     unchanged (normalised), without white space or control characters; with the sitemap URL, each is
 *     on its site (sitemap_same_site), so https and host example.de / www.example.de only;
 *   - a document containing "<!ENTITY" is always refused;
 *   - sitemap_clear leaves a zeroed struct.
 * Also sitemap_same_site on two URLs cut from the input must be symmetric and never crash.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/html_text.h"
#include "ingest/sitemap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...)                                                                                  \
	do {                                                                                               \
		if (!(cond)) {                                                                             \
			fprintf(stderr, "fuzz_sitemap: invariant violated: %s\n  ", #cond);                \
			fprintf(stderr, __VA_ARGS__);                                                      \
			fprintf(stderr, "\n");                                                             \
			abort();                                                                           \
		}                                                                                          \
	} while (0)

#define SITE "https://www.example.de/sitemap.xml"

static void check(const char *xml, size_t size, const char *site)
{
	struct sitemap s;
	char err[200] = "";
	int rc = sitemap_parse(xml, size, site, &s, err, sizeof err);
	CHECK(rc == 0 || rc == -1, "rc %d", rc);
	if (rc == -1) {
		CHECK(s.urls == NULL && s.nurls == 0 && s.dropped == 0 && !s.truncated, "output not cleared");
		CHECK(err[0] != '\0', "no message");
		return;
	}
	CHECK(!memmem(xml, size, "<!ENTITY", 8), "a document declaring entities was read");
	CHECK(s.kind == SITEMAP_URLSET || s.kind == SITEMAP_INDEX, "kind %d", (int)s.kind);
	CHECK(s.nurls <= SITEMAP_MAX_URLS, "%zu urls", s.nurls);
	for (size_t i = 0; i < s.nurls; i++) {
		const char *u = s.urls[i];
		CHECK(!strncmp(u, "http://", 7) || !strncmp(u, "https://", 8), "not http(s): %s", u);
		for (const char *p = u; *p; p++)
			CHECK((unsigned char)*p > 0x20 && (unsigned char)*p != 0x7f, "control or space in %s", u);
		if (site)
			CHECK(sitemap_same_site(site, u), "other site: %s", u);
		char *again = html_url_resolve(NULL, u);
		CHECK(again && !strcmp(again, u), "not normalised: %s -> %s", u, again ? again : "(null)");
		free(again);
	}
	sitemap_clear(&s);
	CHECK(s.urls == NULL && s.nurls == 0, "not cleared");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *xml = (const char *)data;
	check(xml, size, SITE);
	check(xml, size, NULL);

	/* Two NUL-terminated URLs from the input (split at the first "\n"). */
	if (size < 2048) {
		char a[2048], b[2048];
		const uint8_t *nl = memchr(data, '\n', size);
		size_t an = nl ? (size_t)(nl - data) : size;
		size_t bn = nl ? size - an - 1 : 0;
		memcpy(a, data, an);
		a[an] = '\0';
		if (bn)
			memcpy(b, nl + 1, bn);
		b[bn] = '\0';
		bool ab = sitemap_same_site(a, b), ba = sitemap_same_site(b, a);
		CHECK(ab == ba, "not symmetric: \"%s\" \"%s\"", a, b);
	}
	return 0;
}
