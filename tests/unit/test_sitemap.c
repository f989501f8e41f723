/*
 * test_sitemap.c — unit tests for src/ingest/sitemap.c: urlset and sitemapindex, same-site filtering,
 * URL normalisation, hostile XML (entity bombs, external entities, external DTDs), size and count caps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/sitemap.h"

#define SITE "https://www.baeckerei-muster.de/sitemap.xml"

static int parse(const char *xml, const char *url, struct sitemap *s, char *err, size_t errlen)
{
	return sitemap_parse(xml, strlen(xml), url, s, err, errlen);
}

static void refused(const char *xml, const char *why)
{
	struct sitemap s;
	char err[160] = "";
	assert_int_equal(parse(xml, SITE, &s, err, sizeof err), -1);
	if (!strstr(err, why))
		print_error("got \"%s\", wanted \"%s\"\n", err, why);
	assert_non_null(strstr(err, why));
	assert_int_equal(s.nurls, 0);
	assert_null(s.urls);
}

static void urlset(void **state)
{
	(void)state;
	const char *xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			  "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"\n"
			  "        xmlns:image=\"http://www.google.com/schemas/sitemap-image/1.1\">\n"
			  "  <url><loc>https://www.baeckerei-muster.de/</loc><lastmod>2024-05-01</lastmod></url>\n"
			  "  <url>\n    <loc>\n      https://WWW.Baeckerei-Muster.DE:443/team.html#oben\n    </loc>\n"
			  "    <priority>0.5</priority>\n  </url>\n"
			  "  <url><loc>/kontakt?x=1&amp;y=2</loc>\n"
			  "    <image:image><image:loc>https://www.baeckerei-muster.de/bild.jpg</image:loc></image:image>\n"
			  "  </url>\n"
			  "  <url><loc><![CDATA[https://www.baeckerei-muster.de/öffnungszeiten]]></loc></url>\n"
			  "  <url><loc>https://www.baeckerei-muster.de/a/./b/../c</loc></url>\n"
			  "</urlset>\n";
	struct sitemap s;
	char err[128] = "x";
	assert_int_equal(parse(xml, SITE, &s, err, sizeof err), 0);
	assert_string_equal(err, "");
	assert_int_equal(s.kind, SITEMAP_URLSET);
	assert_int_equal(s.nurls, 5);
	assert_string_equal(s.urls[0], "https://www.baeckerei-muster.de/");
	assert_string_equal(s.urls[1], "https://www.baeckerei-muster.de/team.html");
	assert_string_equal(s.urls[2], "https://www.baeckerei-muster.de/kontakt?x=1&y=2");
	assert_string_equal(s.urls[3], "https://www.baeckerei-muster.de/%C3%B6ffnungszeiten");
	assert_string_equal(s.urls[4], "https://www.baeckerei-muster.de/a/c");
	assert_int_equal(s.dropped, 0);
	assert_false(s.truncated);
	sitemap_clear(&s);
	sitemap_clear(&s);
	assert_null(s.urls);
}

static void sitemap_index(void **state)
{
	(void)state;
	const char *xml = "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
			  "<sitemap><loc>https://www.baeckerei-muster.de/sitemap-seiten.xml</loc>"
			  "<lastmod>2024-01-01</lastmod></sitemap>"
			  "<sitemap><loc>https://cdn.example.com/sitemap-fremd.xml</loc></sitemap>"
			  "<sitemap><loc>https://baeckerei-muster.de/sitemap-ohne-www.xml</loc></sitemap>"
			  "</sitemapindex>";
	struct sitemap s;
	assert_int_equal(parse(xml, SITE, &s, NULL, 0), 0);
	assert_int_equal(s.kind, SITEMAP_INDEX);
	assert_int_equal(s.nurls, 2);
	assert_string_equal(s.urls[0], "https://www.baeckerei-muster.de/sitemap-seiten.xml");
	assert_string_equal(s.urls[1], "https://baeckerei-muster.de/sitemap-ohne-www.xml");
	assert_int_equal(s.dropped, 1);
	sitemap_clear(&s);
}

static void other_sites_are_dropped(void **state)
{
	(void)state;
	const char *xml = "<urlset>"
			  "<url><loc>https://www.baeckerei-muster.de/ok</loc></url>"
			  "<url><loc>http://www.baeckerei-muster.de/anderes-schema</loc></url>"
			  "<url><loc>https://www.baeckerei-muster.de:8443/anderer-port</loc></url>"
			  "<url><loc>https://evil.example/</loc></url>"
			  "<url><loc>https://baeckerei-muster.de.evil.example/</loc></url>"
			  "<url><loc>ftp://www.baeckerei-muster.de/datei</loc></url>"
			  "<url><loc>mailto:info@baeckerei-muster.de</loc></url>"
			  "<url><loc></loc></url>"
			  "<url><loc/></url>"
			  "<url><loc>https://user:pw@baeckerei-muster.de/mit-userinfo</loc></url>"
			  "</urlset>";
	struct sitemap s;
	assert_int_equal(parse(xml, SITE, &s, NULL, 0), 0);
	assert_int_equal(s.nurls, 2);
	assert_string_equal(s.urls[0], "https://www.baeckerei-muster.de/ok");
	assert_non_null(strstr(s.urls[1], "mit-userinfo"));
	assert_int_equal(s.dropped, 8);
	sitemap_clear(&s);

	/* Without a sitemap URL every absolute http(s) URL is kept, relative ones cannot be resolved. */
	xml = "<urlset><url><loc>https://a.example/</loc></url><url><loc>/rel</loc></url>"
	      "<url><loc>http://b.example/x</loc></url></urlset>";
	assert_int_equal(parse(xml, NULL, &s, NULL, 0), 0);
	assert_int_equal(s.nurls, 2);
	assert_int_equal(s.dropped, 1);
	sitemap_clear(&s);
}

static void same_site_rules(void **state)
{
	(void)state;
	assert_true(sitemap_same_site("https://example.de/", "https://example.de/a?b"));
	assert_true(sitemap_same_site("https://www.example.de/", "https://example.de/"));
	assert_true(sitemap_same_site("https://example.de/", "https://www.example.de/x"));
	assert_true(sitemap_same_site("http://127.0.0.1:8080/", "http://127.0.0.1:8080/p/1"));
	assert_true(sitemap_same_site("http://[::1]:80/", "http://[::1]:80/x"));
	assert_false(sitemap_same_site("http://127.0.0.1:8080/", "http://127.0.0.1:8081/"));
	assert_false(sitemap_same_site("http://127.0.0.1:8080/", "http://localhost:8080/"));
	assert_false(sitemap_same_site("https://example.de/", "http://example.de/"));
	assert_false(sitemap_same_site("https://example.de/", "https://shop.example.de/"));
	assert_false(sitemap_same_site("https://example.de/", "https://example.de.evil/"));
	assert_false(sitemap_same_site("https://www.example.de/", "https://www2.example.de/"));
	assert_false(sitemap_same_site("ftp://example.de/", "ftp://example.de/"));
	assert_false(sitemap_same_site(NULL, "https://example.de/"));
	assert_false(sitemap_same_site("https:///", "https:///"));
}

static void hostile_xml(void **state)
{
	(void)state;
	/* Billion laughs: must be refused outright, not expanded. */
	refused("<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE lolz [\n"
		" <!ENTITY lol \"lol\">\n"
		" <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
		" <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
		" <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
		" <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
		" <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
		" <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
		" <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
		" <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
		" <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
		"]>\n"
		"<urlset><url><loc>https://www.baeckerei-muster.de/&lol9;</loc></url></urlset>\n",
		"entities");
	/* External entity (XXE). */
	refused("<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE urlset [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> ]>\n"
		"<urlset><url><loc>https://www.baeckerei-muster.de/&xxe;</loc></url></urlset>\n",
		"entities");
	/* A parameter entity pulling a remote DTD. */
	refused("<!DOCTYPE urlset [ <!ENTITY % ext SYSTEM \"http://127.0.0.1:1/x.dtd\"> %ext; ]><urlset/>",
		"entities");
	/* UTF-16 would hide "<!ENTITY" from the byte check: refused for not starting with "<". */
	refused("\xFF\xFE<\0u\0r\0l\0s\0e\0t\0/\0>\0", "must start");

	/* An external DTD that declares an entity is not loaded: the reference stays unexpanded. */
	char dtd[] = "/tmp/botwerk-sitemap-dtd-XXXXXX";
	int fd = mkstemp(dtd);
	assert_true(fd >= 0);
	const char *decl = "<!ENTITY geheim \"INJECTED\">\n";
	assert_int_equal(write(fd, decl, strlen(decl)), (ssize_t)strlen(decl));
	close(fd);
	char xml[512];
	snprintf(xml, sizeof xml,
		 "<?xml version=\"1.0\"?>\n<!DOCTYPE urlset SYSTEM \"%s\">\n"
		 "<urlset><url><loc>https://www.baeckerei-muster.de/a&geheim;b</loc></url>"
		 "<url><loc>https://www.baeckerei-muster.de/zwei</loc></url></urlset>",
		 dtd);
	struct sitemap s;
	int rc = parse(xml, SITE, &s, NULL, 0);
	unlink(dtd);
	assert_int_equal(rc, 0);
	for (size_t i = 0; i < s.nurls; i++)
		assert_null(strstr(s.urls[i], "INJECTED"));
	assert_true(s.nurls >= 1);
	assert_string_equal(s.urls[s.nurls - 1], "https://www.baeckerei-muster.de/zwei");
	sitemap_clear(&s);
}

static void not_sitemaps(void **state)
{
	(void)state;
	refused("", "empty");
	refused("   \n  ", "must start");
	refused("User-agent: *\nDisallow: /\n", "must start");
	refused("\x1f\x8b\x08\x00\x00\x00", "gzip");
	refused("<html><body><a href=\"/x\">x</a></body></html>", "root element <html>");
	refused("<!doctype html><html><body><a href=\"/x\">x</a></body></html>", "well-formed");
	refused("<urlset><url><loc>https://www.baeckerei-muster.de/", "well-formed");
	refused("<?xml version=\"1.0\"?>", "well-formed");
	struct sitemap s;
	char err[64];
	assert_int_equal(sitemap_parse(NULL, 0, SITE, &s, err, sizeof err), -1);
	assert_int_equal(sitemap_parse("<urlset/>", 9, SITE, NULL, err, sizeof err), -1);
	/* An empty urlset is a sitemap with no URLs. */
	assert_int_equal(parse("<urlset/>", SITE, &s, err, sizeof err), 0);
	assert_int_equal(s.nurls, 0);
	sitemap_clear(&s);
	/* Too big: refused before parsing. */
	char *big = malloc(SITEMAP_MAX_BYTES + 2);
	assert_non_null(big);
	memset(big, ' ', SITEMAP_MAX_BYTES + 1);
	memcpy(big, "<urlset>", 8);
	assert_int_equal(sitemap_parse(big, SITEMAP_MAX_BYTES + 1, SITE, &s, err, sizeof err), -1);
	assert_non_null(strstr(err, "larger"));
	free(big);
}

static void broken_after_some_locs_keeps_them(void **state)
{
	(void)state;
	const char *xml = "<urlset><url><loc>https://www.baeckerei-muster.de/eins</loc></url>"
			  "<url><loc>https://www.baeckerei-muster.de/zwei</loc></url><url><loc>https://www.ba";
	struct sitemap s;
	assert_int_equal(parse(xml, SITE, &s, NULL, 0), 0);
	assert_int_equal(s.nurls, 2);
	assert_true(s.truncated);
	sitemap_clear(&s);
}

static void long_locs_are_dropped(void **state)
{
	(void)state;
	size_t n = SITEMAP_MAX_LOC + 200;
	char *xml = malloc(n + 200);
	assert_non_null(xml);
	int k = sprintf(xml, "<urlset><url><loc>https://www.baeckerei-muster.de/");
	memset(xml + k, 'a', SITEMAP_MAX_LOC);
	sprintf(xml + k + SITEMAP_MAX_LOC, "</loc></url><url><loc>https://www.baeckerei-muster.de/k</loc></url></urlset>");
	struct sitemap s;
	assert_int_equal(parse(xml, SITE, &s, NULL, 0), 0);
	assert_int_equal(s.nurls, 1);
	assert_int_equal(s.dropped, 1);
	sitemap_clear(&s);
	free(xml);
}

static void url_cap(void **state)
{
	(void)state;
	size_t cap = (size_t)(SITEMAP_MAX_URLS + 5) * 64 + 64;
	char *xml = malloc(cap);
	assert_non_null(xml);
	size_t n = (size_t)sprintf(xml, "<urlset>");
	for (int i = 0; i < SITEMAP_MAX_URLS + 3; i++)
		n += (size_t)sprintf(xml + n, "<url><loc>https://www.baeckerei-muster.de/p/%d</loc></url>", i);
	n += (size_t)sprintf(xml + n, "</urlset>");
	assert_true(n < SITEMAP_MAX_BYTES);
	struct sitemap s;
	assert_int_equal(sitemap_parse(xml, n, SITE, &s, NULL, 0), 0);
	assert_int_equal(s.nurls, SITEMAP_MAX_URLS);
	assert_int_equal(s.dropped, 3);
	assert_true(s.truncated);
	assert_string_equal(s.urls[SITEMAP_MAX_URLS - 1], "https://www.baeckerei-muster.de/p/49999");
	sitemap_clear(&s);
	free(xml);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(urlset),
		cmocka_unit_test(sitemap_index),
		cmocka_unit_test(other_sites_are_dropped),
		cmocka_unit_test(same_site_rules),
		cmocka_unit_test(hostile_xml),
		cmocka_unit_test(not_sitemaps),
		cmocka_unit_test(broken_after_some_locs_keeps_them),
		cmocka_unit_test(long_locs_are_dropped),
		cmocka_unit_test(url_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
