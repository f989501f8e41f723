/*
 * fuzz_html_text.c — libFuzzer harness for the HTML extraction (src/ingest/html_text.c, html_links.c,
 * html_url.c, html_util.c).
 *
 * html_extract sees every page the crawler fetches from a customer's website, and whatever else a
 * server answers there. The input is the page's bytes; the first byte also picks the page URL (none,
 * an https page URL, or a URL with an odd path) so that both resolved and unresolved links are reached.
 *
 * Invariants checked (abort on violation), from html_text.h's contract:
 *   - html_extract returns 0 (nothing here runs out of memory);
 *   - every string handed out is valid UTF-8 (NUL-terminated; ASan checks the reads);
 *   - every cap: blocks, bytes per block and in total, links, URL and anchor sizes, contacts, ld+json
 *     count and size, microdata, meta tags, icons, short fields;
 *   - blocks are non-empty, trimmed (no leading or trailing space or line break), have no "\n\n", and
 *     a level of 1..6 exactly when they are headings;
 *   - links are absolute http(s) URLs without fragment, space or control characters, distinct, and
 *     html_url_resolve gives each back unchanged (normalising is idempotent); icons and canonical are
 *     http(s) too;
 *   - html_doc_text succeeds, is valid UTF-8 and holds every block's text length;
 *   - html_doc_clear leaves a zeroed doc.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/html_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...)                                                                                  \
	do {                                                                                               \
		if (!(cond)) {                                                                             \
			fprintf(stderr, "fuzz_html_text: invariant violated: %s\n  ", #cond);              \
			fprintf(stderr, __VA_ARGS__);                                                      \
			fprintf(stderr, "\n");                                                             \
			abort();                                                                           \
		}                                                                                          \
	} while (0)

/* Strict UTF-8. */
static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t k;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			k = 1;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			k = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			k = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += k + 1;
	}
	return true;
}

static void check_str(const char *what, const char *s, size_t max, bool may_be_null)
{
	size_t n;

	if (!s) {
		CHECK(may_be_null, "%s is NULL", what);
		return;
	}
	n = strlen(s);
	CHECK(n <= max, "%s has %zu bytes, cap %zu", what, n, max);
	CHECK(utf8_valid((const unsigned char *)s, n), "%s is not valid UTF-8", what);
}

static void check_url(const char *what, const char *u)
{
	char *again;

	if (!u)
		return;
	check_str(what, u, HTML_MAX_URL, false);
	CHECK(strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0, "%s not http(s): %s", what, u);
	for (const unsigned char *p = (const unsigned char *)u; *p; p++)
		CHECK(*p > 0x20 && *p != 0x7F && *p != '#', "%s has byte 0x%02x: %s", what, *p, u);
	again = html_url_resolve(NULL, u);
	CHECK(again && strcmp(again, u) == 0, "%s not stable: %s -> %s", what, u, again ? again : "NULL");
	free(again);
}

static void check_doc(const struct html_doc *d)
{
	size_t total = 0, text_len;
	char *text;

	check_str("title", d->title, HTML_MAX_FIELD, true);
	check_str("lang", d->lang, HTML_MAX_FIELD, true);
	check_str("description", d->description, HTML_MAX_FIELD, true);
	check_str("theme_color", d->theme_color, HTML_MAX_FIELD, true);
	check_str("og_site_name", d->og_site_name, HTML_MAX_FIELD, true);
	check_str("og_title", d->og_title, HTML_MAX_FIELD, true);
	check_url("canonical", d->canonical);
	check_url("og_image", d->og_image);
	check_str("base", d->base, HTML_MAX_URL, true);

	CHECK(d->nblocks <= HTML_MAX_BLOCKS, "%zu blocks", d->nblocks);
	for (size_t i = 0; i < d->nblocks; i++) {
		const struct html_block *b = &d->blocks[i];
		size_t n;

		check_str("block", b->text, HTML_MAX_BLOCK_TEXT, false);
		n = strlen(b->text);
		total += n;
		CHECK(n > 0, "block %zu is empty", i);
		CHECK(b->text[0] != ' ' && b->text[0] != '\n' && b->text[n - 1] != ' ' && b->text[n - 1] != '\n',
		      "block %zu not trimmed", i);
		CHECK(!strstr(b->text, "\n\n") && !strstr(b->text, "  "), "block %zu has a double break/space", i);
		CHECK(b->kind == HTML_HEADING ? b->level >= 1 && b->level <= 6 : b->level == 0,
		      "block %zu: kind %d level %d", i, (int)b->kind, b->level);
		CHECK(b->kind >= HTML_HEADING && b->kind <= HTML_TABLE_ROW, "block %zu kind %d", i, (int)b->kind);
	}
	CHECK(total <= HTML_MAX_TEXT, "%zu bytes of block text", total);

	CHECK(d->nlinks <= HTML_MAX_LINKS, "%zu links", d->nlinks);
	for (size_t i = 0; i < d->nlinks; i++) {
		check_url("link", d->links[i].url);
		check_str("anchor", d->links[i].text, HTML_MAX_ANCHOR, false);
		for (size_t j = 0; j < i && d->nlinks < 64; j++)
			CHECK(strcmp(d->links[i].url, d->links[j].url) != 0, "link %s twice", d->links[i].url);
	}
	CHECK(d->nemails <= HTML_MAX_CONTACTS && d->nphones <= HTML_MAX_CONTACTS, "%zu/%zu contacts", d->nemails,
	      d->nphones);
	for (size_t i = 0; i < d->nemails; i++) {
		check_str("email", d->emails[i].value, 256, false);
		check_str("email text", d->emails[i].text, HTML_MAX_ANCHOR, false);
		CHECK(strchr(d->emails[i].value, '@') != NULL, "email without @: %s", d->emails[i].value);
	}
	for (size_t i = 0; i < d->nphones; i++) {
		check_str("phone", d->phones[i].value, 256, false);
		check_str("phone text", d->phones[i].text, HTML_MAX_ANCHOR, false);
	}
	CHECK(d->njson_ld <= HTML_MAX_JSON_LD, "%zu ld+json", d->njson_ld);
	for (size_t i = 0; i < d->njson_ld; i++)
		check_str("ld+json", d->json_ld[i], HTML_MAX_JSON_LD_BYTES, false);
	CHECK(d->nmicrodata <= HTML_MAX_MICRODATA, "%zu microdata", d->nmicrodata);
	for (size_t i = 0; i < d->nmicrodata; i++) {
		check_str("itemtype", d->microdata[i].type, HTML_MAX_FIELD, false);
		check_str("itemprop", d->microdata[i].prop, HTML_MAX_FIELD, false);
		check_str("item value", d->microdata[i].value, HTML_MAX_FIELD, false);
		CHECK(d->microdata[i].prop[0] != '\0', "empty itemprop");
	}
	CHECK(d->nmeta <= HTML_MAX_META, "%zu meta", d->nmeta);
	for (size_t i = 0; i < d->nmeta; i++) {
		check_str("meta name", d->meta[i].name, HTML_MAX_FIELD, false);
		check_str("meta content", d->meta[i].content, HTML_MAX_FIELD, false);
	}
	CHECK(d->nicons <= HTML_MAX_ICONS, "%zu icons", d->nicons);
	for (size_t i = 0; i < d->nicons; i++) {
		check_url("icon", d->icons[i].url);
		CHECK(d->icons[i].size >= 0, "icon size %d", d->icons[i].size);
	}

	text = html_doc_text(d);
	CHECK(text != NULL, "html_doc_text failed");
	text_len = strlen(text);
	CHECK(utf8_valid((const unsigned char *)text, text_len), "html_doc_text is not valid UTF-8");
	CHECK(text_len >= total, "html_doc_text has %zu bytes for %zu of blocks", text_len, total);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const urls[] = { NULL, "https://www.example.de/a/b/seite.html?x=1",
					    "http://Müller.example:8080/%7Eu/./x/../y;p?q#f" };
	struct html_doc d;
	char err[128];
	int rc;

	rc = html_extract((const char *)data, size, urls[size > 0 ? data[0] % 3 : 0], &d, err, sizeof err);
	CHECK(rc == 0, "html_extract returned %d: %s", rc, err);
	check_doc(&d);
	html_doc_clear(&d);
	CHECK(d.nblocks == 0 && d.blocks == NULL && d.title == NULL && d.nlinks == 0, "html_doc_clear left data");
	return 0;
}
