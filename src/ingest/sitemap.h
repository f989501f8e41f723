/*
 * sitemap.h — sitemap.xml (sitemaps.org protocol 0.9) for the website crawler: the page URLs of a
 * <urlset>, or the child sitemap URLs of a <sitemapindex>.
 *
 * The XML is read with libxml2's streaming reader (memory stays small whatever the number of URLs),
 * without network access, DTD loading or entity substitution. A document that declares entities
 * ("<!ENTITY") is refused before libxml2 sees it: a sitemap never needs one, and refusing them rules
 * out entity expansion bombs ("billion laughs") and external entities (XXE) whatever the libxml2
 * version does. A document that does not start, after white space or a UTF-8 byte order mark, with
 * "<" is refused too (UTF-16 or EBCDIC would hide such a declaration from that check). Gzip-compressed
 * sitemaps (sitemap.xml.gz) are not read: they are refused as "gzip".
 *
 * Element names are matched without their namespace prefix and the namespace URI is not checked (many
 * generators get it wrong). Each <loc> directly inside a <url> (urlset) or <sitemap> (index) is trimmed
 * and resolved with html_url_resolve against the sitemap's own URL, which normalises it (lower-case
 * scheme and host, default port and fragment removed, dot segments resolved). Only http(s) URLs of the
 * same site as the sitemap are kept (sitemap_same_site); <lastmod>, <priority> and the rest are ignored.
 * A document cut short or broken after some <loc>s keeps those (and sets `truncated`).
 */
#ifndef BOTWERK_INGEST_SITEMAP_H
#define BOTWERK_INGEST_SITEMAP_H

#include <stdbool.h>
#include <stddef.h>

#define SITEMAP_MAX_BYTES (10u << 20) /* a larger document is refused */
#define SITEMAP_MAX_URLS 50000        /* <loc>s kept; the rest are counted in `dropped` */
#define SITEMAP_MAX_LOC 2048          /* bytes of one <loc>; a longer one is dropped */

enum sitemap_kind {
	SITEMAP_URLSET, /* urls are pages */
	SITEMAP_INDEX,  /* urls are further sitemaps */
};

struct sitemap {
	enum sitemap_kind kind;
	char **urls;    /* normalised absolute URLs, in document order (duplicates possible) */
	size_t nurls;
	size_t dropped; /* <loc>s not kept: another site, not http(s), unresolvable, too long, over the cap */
	bool truncated; /* the XML broke off after the first <loc>s, or SITEMAP_MAX_URLS was reached */
};

/* Parses xml[0..len), fetched from `sitemap_url` (absolute; NULL: <loc>s must be absolute and every
 * site is accepted). Fills `out` (zeroed first). Returns 0, or -1 with a message in err (errlen bytes,
 * may be 0) when the input is not a sitemap (empty, too big, gzip, declares entities, malformed before
 * any <loc>, another root element) or memory runs out; `out` is then left cleared. The caller frees
 * `out` with sitemap_clear. */
int sitemap_parse(const char *xml, size_t len, const char *sitemap_url, struct sitemap *out, char *err,
		  size_t errlen);

/* Frees what `s` owns and zeroes it. Safe on a zeroed or already cleared one. */
void sitemap_clear(struct sitemap *s);

/* Whether the absolute, normalised (html_url_resolve) http(s) URLs `a` and `b` belong to the same site:
 * the same scheme, the same port and the same host, where "www.example.de" and "example.de" count as
 * the same host. User information ("user@") is ignored. False when either is not such a URL. */
bool sitemap_same_site(const char *a, const char *b);

#endif
