/*
 * sitemap.c — sitemap.xml → page or child-sitemap URLs. See sitemap.h for the contract.
 *
 * Owns: the checks made before libxml2 sees the bytes (size, gzip, encoding, entity declarations),
 * the streaming read of <urlset>/<sitemapindex>, and the same-site test the crawler shares.
 */
#include "ingest/sitemap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlreader.h>
#include <libxml/xmlversion.h>

#include "base/text.h"
#include "ingest/html_text.h"

/* ---- same site ------------------------------------------------------------------------------------ */

struct origin {
	const char *scheme, *host, *port;
	size_t scheme_len, host_len, port_len;
};

static bool ascii_eq_nocase(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char x = a[i], y = b[i];
		if (x >= 'A' && x <= 'Z')
			x = (char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (char)(y + 32);
		if (x != y)
			return false;
	}
	return true;
}

/* Splits an absolute http(s) URL into scheme, host (without a leading "www.") and port. */
static bool origin_of(const char *u, struct origin *o)
{
	const char *sep = u ? strstr(u, "://") : NULL;
	if (!sep)
		return false;
	o->scheme = u;
	o->scheme_len = (size_t)(sep - u);
	if (!(o->scheme_len == 4 && ascii_eq_nocase(u, "http", 4)) &&
	    !(o->scheme_len == 5 && ascii_eq_nocase(u, "https", 5)))
		return false;
	const char *auth = sep + 3;
	const char *end = auth + strcspn(auth, "/?#");
	const char *host = auth;
	for (const char *p = auth; p < end; p++)
		if (*p == '@')
			host = p + 1;
	const char *hend = end;
	o->port = end;
	o->port_len = 0;
	if (host < end && *host == '[') {
		const char *rb = memchr(host, ']', (size_t)(end - host));
		if (!rb)
			return false;
		hend = rb + 1;
	} else {
		const char *colon = memchr(host, ':', (size_t)(end - host));
		if (colon)
			hend = colon;
	}
	if (hend < end && *hend == ':') {
		o->port = hend + 1;
		o->port_len = (size_t)(end - o->port);
	}
	if (hend - host > 4 && ascii_eq_nocase(host, "www.", 4))
		host += 4;
	o->host = host;
	o->host_len = (size_t)(hend - host);
	return o->host_len > 0;
}

bool sitemap_same_site(const char *a, const char *b)
{
	struct origin x, y;
	if (!origin_of(a, &x) || !origin_of(b, &y))
		return false;
	return x.scheme_len == y.scheme_len && ascii_eq_nocase(x.scheme, y.scheme, x.scheme_len) &&
	       x.host_len == y.host_len && ascii_eq_nocase(x.host, y.host, x.host_len) &&
	       x.port_len == y.port_len && !memcmp(x.port, y.port, x.port_len);
}

/* ---- parsing ---------------------------------------------------------------------------------------- */

void sitemap_clear(struct sitemap *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nurls; i++)
		free(s->urls[i]);
	free(s->urls);
	memset(s, 0, sizeof *s);
}

/* libxml2 reports through this instead of stderr (the error type became const in 2.12). */
#if LIBXML_VERSION >= 21200
static void quiet(void *ud, const xmlError *e)
#else
static void quiet(void *ud, xmlErrorPtr e)
#endif
{
	(void)ud;
	(void)e;
}

struct loc {
	char buf[SITEMAP_MAX_LOC + 1];
	size_t len;
	bool too_long;
};

static void loc_add(struct loc *l, const char *s)
{
	size_t n = strlen(s);
	if (l->too_long || n > SITEMAP_MAX_LOC - l->len) {
		l->too_long = true;
		return;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

/* Resolves, filters and keeps one <loc>. Returns -1 when memory runs out. */
static int loc_keep(struct sitemap *s, struct loc *l, const char *sitemap_url)
{
	size_t a = 0, b = l->len;
	while (a < b && (l->buf[a] == ' ' || l->buf[a] == '\t' || l->buf[a] == '\n' || l->buf[a] == '\r'))
		a++;
	while (b > a && (l->buf[b - 1] == ' ' || l->buf[b - 1] == '\t' || l->buf[b - 1] == '\n' ||
			 l->buf[b - 1] == '\r'))
		b--;
	l->buf[b] = '\0';
	if (l->too_long || a == b || s->nurls >= SITEMAP_MAX_URLS) {
		if (s->nurls >= SITEMAP_MAX_URLS)
			s->truncated = true;
		s->dropped++;
		return 0;
	}
	char *u = html_url_resolve(sitemap_url, l->buf + a);
	if (!u) {
		s->dropped++; /* unresolvable, or out of memory: both just lose this one */
		return 0;
	}
	struct origin o;
	if (!origin_of(u, &o) || (sitemap_url && !sitemap_same_site(sitemap_url, u))) {
		free(u);
		s->dropped++;
		return 0;
	}
	if ((s->nurls & (s->nurls - 1)) == 0) { /* 0, 1, 2, 4, …: grow to the next power of two */
		size_t cap = s->nurls ? s->nurls * 2 : 1;
		char **v = realloc(s->urls, cap * sizeof *v);
		if (!v) {
			free(u);
			return -1;
		}
		s->urls = v;
	}
	s->urls[s->nurls++] = u;
	return 0;
}

/* The checks made on the raw bytes; returns a message, or NULL when libxml2 may read them. */
static const char *precheck(const char *xml, size_t len)
{
	if (len == 0)
		return "the sitemap is empty";
	if (len > SITEMAP_MAX_BYTES)
		return "the sitemap is larger than 10 MiB";
	if (len >= 2 && (unsigned char)xml[0] == 0x1f && (unsigned char)xml[1] == 0x8b)
		return "gzip-compressed sitemaps are not read";
	size_t i = 0;
	if (len >= 3 && !memcmp(xml, "\xEF\xBB\xBF", 3))
		i = 3;
	while (i < len && (xml[i] == ' ' || xml[i] == '\t' || xml[i] == '\n' || xml[i] == '\r'))
		i++;
	if (i == len || xml[i] != '<')
		return "not an XML sitemap (it must start with \"<\", in UTF-8)";
	if (memmem(xml, len, "<!ENTITY", 8))
		return "the sitemap declares XML entities (refused)";
	return NULL;
}

int sitemap_parse(const char *xml, size_t len, const char *sitemap_url, struct sitemap *out, char *err,
		  size_t errlen)
{
	errbuf_set(err, errlen, "%s", "");
	if (!out) {
		errbuf_set(err, errlen, "no output");
		return -1;
	}
	memset(out, 0, sizeof *out);
	const char *why = xml ? precheck(xml, len) : "the sitemap is empty";
	if (why) {
		errbuf_set(err, errlen, "%s", why);
		return -1;
	}
	xmlTextReaderPtr rd = xmlReaderForMemory(xml, (int)len, NULL, NULL,
						 XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
							 XML_PARSE_NOCDATA | XML_PARSE_NOBLANKS);
	if (!rd) {
		errbuf_set(err, errlen, "out of memory");
		return -1;
	}
	xmlTextReaderSetStructuredErrorHandler(rd, quiet, NULL);

	struct loc *l = malloc(sizeof *l);
	int rc = l ? 0 : -1;
	bool root = false, in_entry = false, in_loc = false;
	bool any_loc = false; /* a <loc> was read to its end */
	const char *entry = NULL;
	while (rc == 0) {
		int r = xmlTextReaderRead(rd);
		if (r != 1) {
			if (r < 0 && !any_loc) {
				errbuf_set(err, errlen, "the sitemap is not well-formed XML");
				rc = -2;
			} else if (r < 0) {
				out->truncated = true;
			}
			break;
		}
		int type = xmlTextReaderNodeType(rd);
		int depth = xmlTextReaderDepth(rd);
		const char *name = (const char *)xmlTextReaderConstLocalName(rd);
		if (!name)
			name = "";
		if (type == XML_READER_TYPE_ELEMENT) {
			bool empty = xmlTextReaderIsEmptyElement(rd) == 1;
			if (!root) {
				root = true;
				if (!strcmp(name, "urlset")) {
					out->kind = SITEMAP_URLSET;
					entry = "url";
				} else if (!strcmp(name, "sitemapindex")) {
					out->kind = SITEMAP_INDEX;
					entry = "sitemap";
				} else {
					errbuf_set(err, errlen, "not a sitemap (root element <%.64s>)", name);
					rc = -2;
				}
			} else if (depth == 1) {
				in_entry = !empty && !strcmp(name, entry);
			} else if (depth == 2 && in_entry && !strcmp(name, "loc")) {
				l->len = 0;
				l->too_long = false;
				in_loc = !empty;
				if (empty)
					out->dropped++;
			}
		} else if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
			   type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE || type == XML_READER_TYPE_WHITESPACE) {
			const char *v = (const char *)xmlTextReaderConstValue(rd);
			if (in_loc && v)
				loc_add(l, v);
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			if (in_loc && depth == 2) {
				in_loc = false;
				any_loc = true;
				rc = loc_keep(out, l, sitemap_url);
			} else if (depth == 1) {
				in_entry = false;
			}
		}
	}
	if (rc == 0 && !root) {
		errbuf_set(err, errlen, "the sitemap has no root element");
		rc = -2;
	}
	xmlFreeTextReader(rd);
	free(l);
	if (rc == -1)
		errbuf_set(err, errlen, "out of memory");
	if (rc != 0) {
		sitemap_clear(out);
		return -1;
	}
	return 0;
}
