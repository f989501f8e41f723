/*
 * test_html_text.c — unit tests for src/ingest/html_text.c and html_links.c: main text blocks, links,
 * contacts, page facts, ld+json and microdata from HTML pages, and the URL resolver. Only the public
 * functions are used.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/html_text.h"

/* ---- helpers ------------------------------------------------------------------------------------ */

static void extract(const char *html, const char *url, struct html_doc *d)
{
	char err[128] = "x";

	assert_int_equal(html_extract(html, strlen(html), url, d, err, sizeof err), 0);
	assert_string_equal(err, "");
}

/* The blocks, one a line: "h2 text", "p text", "li text", "tr text"; line breaks inside shown as "/". */
static char *blocks(const struct html_doc *d)
{
	static const char *const kind[] = { "h", "p", "li", "tr" };
	size_t cap = 64, len = 0;
	char *s = malloc(cap);

	assert_non_null(s);
	s[0] = '\0';
	for (size_t i = 0; i < d->nblocks; i++) {
		const struct html_block *b = &d->blocks[i];
		size_t need = strlen(b->text) + 16;

		if (len + need >= cap) {
			cap = (len + need) * 2;
			s = realloc(s, cap);
			assert_non_null(s);
		}
		len += (size_t)sprintf(s + len, "%s", kind[b->kind]);
		if (b->kind == HTML_HEADING)
			len += (size_t)sprintf(s + len, "%d", b->level);
		s[len++] = ' ';
		for (const char *p = b->text; *p; p++)
			s[len++] = *p == '\n' ? '/' : *p;
		s[len++] = '\n';
		s[len] = '\0';
	}
	return s;
}

#define assert_blocks(d, want)                                                                            \
	do {                                                                                              \
		char *got_ = blocks(d);                                                                   \
		assert_string_equal(got_, want);                                                          \
		free(got_);                                                                               \
	} while (0)

static bool any_block_has(const struct html_doc *d, const char *needle)
{
	for (size_t i = 0; i < d->nblocks; i++)
		if (strstr(d->blocks[i].text, needle))
			return true;
	return false;
}

static const struct html_link *find_link(const struct html_doc *d, const char *url)
{
	for (size_t i = 0; i < d->nlinks; i++)
		if (strcmp(d->links[i].url, url) == 0)
			return &d->links[i];
	return NULL;
}

#define assert_resolves(base, ref, want)                                                                  \
	do {                                                                                              \
		char *got_ = html_url_resolve(base, ref);                                                 \
		assert_non_null(got_);                                                                    \
		assert_string_equal(got_, want);                                                          \
		free(got_);                                                                               \
	} while (0)

#define assert_no_resolve(base, ref) assert_null(html_url_resolve(base, ref))

/* ---- a realistic page --------------------------------------------------------------------------- */

static const char page[] =
	"<!DOCTYPE html>\n"
	"<html lang=\"de-DE\" class=\"has-cookie-banner\">\n"
	"<head>\n"
	"<meta charset=\"utf-8\">\n"
	"<title>Bäckerei Müller &ndash; Brot &amp; Kuchen in Köln</title>\n"
	"<meta name=\"description\" content=\"Frisches   Brot seit 1950.\">\n"
	"<meta name=\"robots\" content=\"noindex, follow\">\n"
	"<meta name=\"theme-color\" content=\"#c0392b\">\n"
	"<meta property=\"og:image\" content=\"/img/laden.jpg\">\n"
	"<meta property=\"og:site_name\" content=\"Bäckerei Müller\">\n"
	"<meta property=\"og:title\" content=\"Willkommen\">\n"
	"<base href=\"https://www.baeckerei-mueller.de/de/\">\n"
	"<link rel=\"canonical\" href=\"start.html#top\">\n"
	"<link rel=\"icon\" href=\"/favicon.ico\" sizes=\"32x32\">\n"
	"<link rel=\"apple-touch-icon\" href=\"/apple.png\" sizes=\"180x180\">\n"
	"<link rel=\"stylesheet\" href=\"/s.css\">\n"
	"<script>var x = \"<p>nicht lesen</p>\";</script>\n"
	"<script type=\"application/ld+json\">\n"
	"{\"@context\":\"https://schema.org\",\"@type\":\"Bakery\",\"name\":\"Bäckerei Müller\","
	"\"telephone\":\"+49 221 123456\"}\n"
	"</script>\n"
	"<style>p { color: red }</style>\n"
	"</head>\n"
	"<body class=\"cookie-consent-open\">\n"
	"<div id=\"cookie-banner\" class=\"cmp-wrapper\"><p>Wir verwenden Cookies.</p>"
	"<a href=\"/datenschutz\">Datenschutz</a><button>Akzeptieren</button></div>\n"
	"<header class=\"site-header\">\n"
	"  <img src=\"/img/logo.svg\" alt=\"Bäckerei Müller Logo\" class=\"logo\" width=\"120\" height=\"40\">\n"
	"  <nav><ul><li><a href=\"/\">Start</a></li><li><a href=\"../produkte/\">Produkte</a></li>"
	"<li><a href=\"kontakt.html?ref=nav#form\">Kontakt</a></li></ul></nav>\n"
	"</header>\n"
	"<main>\n"
	"  <h1>Willkommen bei Bäckerei Müller</h1>\n"
	"  <p>Seit 1950 backen wir   täglich frisches Brot,<br>Brötchen und Kuchen.</p>\n"
	"  <p hidden>Versteckter Text</p>\n"
	"  <p style=\"display: none\">Auch versteckt</p>\n"
	"  <div aria-hidden=\"true\">ARIA versteckt</div>\n"
	"  <h2>Unser Angebot</h2>\n"
	"  <ul>\n"
	"    <li>Roggenbrot &amp; Dinkelbrot</li>\n"
	"    <li>Brötchen<ul><li>Kaiser</li></ul></li>\n"
	"    <li><a href=\"//cdn.example.org/preise.pdf\">Preisliste</a> (PDF)</li>\n"
	"  </ul>\n"
	"  <h3>Öffnungszeiten</h3>\n"
	"  <table>\n"
	"    <tr><th>Tag</th><th>Zeit</th></tr>\n"
	"    <tr><td>Mo–Fr</td><td>6:00–18:00</td></tr>\n"
	"    <tr><td>Sa</td><td></td><td>7:00–13:00</td></tr>\n"
	"  </table>\n"
	"  <article><header><h2>Neuigkeiten</h2></header><p>Neuer Ofen ab März.</p></article>\n"
	"  <div itemscope itemtype=\"https://schema.org/LocalBusiness\">\n"
	"    <span itemprop=\"name\">Bäckerei Müller</span>\n"
	"    <div itemprop=\"address\" itemscope itemtype=\"https://schema.org/PostalAddress\">\n"
	"      <span itemprop=\"streetAddress\">Hauptstraße 5</span>, <span itemprop=\"postalCode\">50667</span> "
	"<span itemprop=\"addressLocality\">Köln</span>\n"
	"    </div>\n"
	"    <a itemprop=\"url\" href=\"/\">Startseite</a>\n"
	"    <meta itemprop=\"priceRange\" content=\"€\">\n"
	"  </div>\n"
	"  <p>Rufen Sie an: <a href=\"tel:+49%20221%20123456\">0221 123456</a> oder schreiben Sie an "
	"<a href=\"mailto:info@baeckerei-mueller.de?subject=Anfrage\">info@baeckerei-mueller.de</a>.</p>\n"
	"  <p><a href=\"javascript:void(0)\">Drucken</a> <a href=\"https://partner.example.com/x\" "
	"rel=\"nofollow sponsored\">Partner</a> <a href=\"#oben\">Nach oben</a></p>\n"
	"  <script>document.write(\"Skripttext\")</script>\n"
	"  <noscript>Bitte JavaScript aktivieren</noscript>\n"
	"  <form><label>Name</label><input name=\"n\"></form>\n"
	"  <aside>Seitenleiste</aside>\n"
	"</main>\n"
	"<footer><p>&copy; 2024 Bäckerei Müller</p><a href=\"/impressum\">Impressum</a></footer>\n"
	"</body>\n"
	"</html>\n";

static const char page_url[] = "https://www.baeckerei-mueller.de/de/index.html";

static void test_page_main_text_blocks(void **state)
{
	struct html_doc d;

	(void)state;
	extract(page, page_url, &d);
	assert_blocks(&d, "h1 Willkommen bei Bäckerei Müller\n"
			  "p Seit 1950 backen wir täglich frisches Brot,/Brötchen und Kuchen.\n"
			  "h2 Unser Angebot\n"
			  "li Roggenbrot & Dinkelbrot\n"
			  "li Brötchen\n"
			  "li Kaiser\n"
			  "li Preisliste (PDF)\n"
			  "h3 Öffnungszeiten\n"
			  "tr Tag | Zeit\n"
			  "tr Mo–Fr | 6:00–18:00\n"
			  "tr Sa | 7:00–13:00\n"
			  "h2 Neuigkeiten\n"
			  "p Neuer Ofen ab März.\n"
			  "p Bäckerei Müller\n"
			  "p Hauptstraße 5, 50667 Köln\n"
			  "p Startseite\n"
			  "p Rufen Sie an: 0221 123456 oder schreiben Sie an info@baeckerei-mueller.de.\n"
			  "p Drucken Partner Nach oben\n");
	assert_false(d.truncated);
	html_doc_clear(&d);
}

static void test_page_drops_chrome_scripts_and_hidden_parts(void **state)
{
	static const char *const gone[] = { "Cookies", "Akzeptieren", "Datenschutz", "Produkte", "Kontakt",
					    "Versteckter", "Auch versteckt", "ARIA", "nicht lesen", "Skripttext",
					    "JavaScript", "Name", "Seitenleiste", "2024", "Impressum", "color" };
	struct html_doc d;

	(void)state;
	extract(page, page_url, &d);
	for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++)
		if (any_block_has(&d, gone[i]))
			fail_msg("\"%s\" should have been dropped", gone[i]);
	html_doc_clear(&d);
}

static void test_page_facts(void **state)
{
	struct html_doc d;

	(void)state;
	extract(page, page_url, &d);
	assert_string_equal(d.title, "Bäckerei Müller – Brot & Kuchen in Köln");
	assert_string_equal(d.lang, "de-DE");
	assert_string_equal(d.description, "Frisches Brot seit 1950.");
	assert_true(d.noindex);
	assert_false(d.nofollow);
	assert_string_equal(d.base, "https://www.baeckerei-mueller.de/de/");
	assert_string_equal(d.canonical, "https://www.baeckerei-mueller.de/de/start.html");
	assert_string_equal(d.theme_color, "#c0392b");
	assert_string_equal(d.og_image, "https://www.baeckerei-mueller.de/img/laden.jpg");
	assert_string_equal(d.og_site_name, "Bäckerei Müller");
	assert_string_equal(d.og_title, "Willkommen");

	assert_int_equal(d.nmeta, 6);
	assert_string_equal(d.meta[0].name, "description");
	assert_string_equal(d.meta[0].content, "Frisches Brot seit 1950.");
	assert_string_equal(d.meta[3].name, "og:image");
	assert_string_equal(d.meta[3].content, "/img/laden.jpg");

	assert_int_equal(d.nicons, 3);
	assert_int_equal(d.icons[0].kind, HTML_ICON_FAVICON);
	assert_string_equal(d.icons[0].url, "https://www.baeckerei-mueller.de/favicon.ico");
	assert_int_equal(d.icons[0].size, 32);
	assert_int_equal(d.icons[1].kind, HTML_ICON_APPLE_TOUCH);
	assert_string_equal(d.icons[1].url, "https://www.baeckerei-mueller.de/apple.png");
	assert_int_equal(d.icons[1].size, 180);
	assert_int_equal(d.icons[2].kind, HTML_ICON_LOGO);
	assert_string_equal(d.icons[2].url, "https://www.baeckerei-mueller.de/img/logo.svg");
	assert_int_equal(d.icons[2].size, 120);
	html_doc_clear(&d);
}

static void test_page_links_and_contacts(void **state)
{
	static const char *const want[][2] = {
		{ "https://www.baeckerei-mueller.de/datenschutz", "Datenschutz" },
		{ "https://www.baeckerei-mueller.de/", "Start" },
		{ "https://www.baeckerei-mueller.de/produkte/", "Produkte" },
		{ "https://www.baeckerei-mueller.de/de/kontakt.html?ref=nav", "Kontakt" },
		{ "https://cdn.example.org/preise.pdf", "Preisliste" },
		{ "https://partner.example.com/x", "Partner" },
		{ "https://www.baeckerei-mueller.de/impressum", "Impressum" },
	};
	struct html_doc d;

	(void)state;
	extract(page, page_url, &d);
	assert_int_equal(d.nlinks, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < d.nlinks; i++) {
		assert_string_equal(d.links[i].url, want[i][0]);
		assert_string_equal(d.links[i].text, want[i][1]);
		assert_int_equal(d.links[i].nofollow, i == 5);
	}
	/* the itemprop url link "/" is the same URL as "Start": kept once, first text */
	assert_null(find_link(&d, "javascript:void(0)"));

	assert_int_equal(d.nemails, 1);
	assert_string_equal(d.emails[0].value, "info@baeckerei-mueller.de");
	assert_string_equal(d.emails[0].text, "info@baeckerei-mueller.de");
	assert_int_equal(d.nphones, 1);
	assert_string_equal(d.phones[0].value, "+49 221 123456");
	assert_string_equal(d.phones[0].text, "0221 123456");
	html_doc_clear(&d);
}

static void test_page_json_ld_and_microdata(void **state)
{
	static const char *const want[][3] = {
		{ "https://schema.org/LocalBusiness", "name", "Bäckerei Müller" },
		{ "https://schema.org/LocalBusiness", "address", "https://schema.org/PostalAddress" },
		{ "https://schema.org/PostalAddress", "streetAddress", "Hauptstraße 5" },
		{ "https://schema.org/PostalAddress", "postalCode", "50667" },
		{ "https://schema.org/PostalAddress", "addressLocality", "Köln" },
		{ "https://schema.org/LocalBusiness", "url", "https://www.baeckerei-mueller.de/" },
		{ "https://schema.org/LocalBusiness", "priceRange", "€" },
	};
	struct html_doc d;

	(void)state;
	extract(page, page_url, &d);
	assert_int_equal(d.njson_ld, 1);
	assert_string_equal(d.json_ld[0], "{\"@context\":\"https://schema.org\",\"@type\":\"Bakery\","
					  "\"name\":\"Bäckerei Müller\",\"telephone\":\"+49 221 123456\"}");
	assert_int_equal(d.nmicrodata, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < d.nmicrodata; i++) {
		assert_string_equal(d.microdata[i].type, want[i][0]);
		assert_string_equal(d.microdata[i].prop, want[i][1]);
		assert_string_equal(d.microdata[i].value, want[i][2]);
	}
	html_doc_clear(&d);
}

static void test_doc_text_for_chunking(void **state)
{
	struct html_doc d;
	char *t;

	(void)state;
	extract("<body><h2>Preise<br>2024</h2><p>Alle Preise<br>inkl. MwSt.</p><ul><li>Brot<br>groß</li>"
		"<li>Kuchen</li></ul><table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>"
		"<h4>Ende</h4></body>",
		NULL, &d);
	t = html_doc_text(&d);
	assert_non_null(t);
	assert_string_equal(t, "## Preise 2024\n\nAlle Preise\ninkl. MwSt.\n\n- Brot groß\n- Kuchen\n\n"
			       "a | b\nc\n\n#### Ende");
	free(t);
	html_doc_clear(&d);

	t = html_doc_text(&d); /* no blocks */
	assert_non_null(t);
	assert_string_equal(t, "");
	free(t);
}

/* ---- choosing the content --------------------------------------------------------------------------- */

static void test_single_article_is_the_content(void **state)
{
	struct html_doc d;

	(void)state;
	extract("<body><div class=teaser>Werbung oben</div><article><header><h1>Titel</h1>"
		"<p class=meta>Von Anna</p></header><p>Text.</p><footer>Artikel-Fuß</footer></article>"
		"<div>Unten</div></body>",
		NULL, &d);
	assert_blocks(&d, "h1 Titel\np Von Anna\np Text.\np Artikel-Fuß\n");
	html_doc_clear(&d);
}

static void test_several_articles_read_the_body(void **state)
{
	struct html_doc d;

	(void)state;
	extract("<body><header><h1>Seitenkopf</h1></header><article><h2>Eins</h2></article>"
		"<article><h2>Zwei</h2></article><div>Rest</div><footer>Fuß</footer></body>",
		NULL, &d);
	assert_blocks(&d, "h2 Eins\nh2 Zwei\np Rest\n");
	html_doc_clear(&d);
}

static void test_role_main_wins_and_hidden_main_is_skipped(void **state)
{
	struct html_doc d;

	(void)state;
	extract("<body><main hidden><p>alt</p></main><div role=\"main\"><p>Inhalt</p></div>"
		"<article><p>Artikel</p></article></body>",
		NULL, &d);
	assert_blocks(&d, "p Inhalt\n");
	html_doc_clear(&d);
}

static void test_roles_banners_and_hidden_styles_are_dropped(void **state)
{
	struct html_doc d;

	(void)state;
	extract("<body class=\"cookie-open\"><div role=\"navigation\">Menü</div><div role=banner>Kopf</div>"
		"<div role=\"contentinfo\">Info</div><div id=\"CybotCookiebotDialog\">Bot</div>"
		"<section class=\"GDPR-box\">Recht</section><div class=\"cmpbox\">CMP</div>"
		"<div aria-label=\"Cookie-Hinweis\">Label</div><p style=\"color:red; DISPLAY : None\">Stil</p>"
		"<p style=\"visibility:hidden\">Unsichtbar</p><p style=\"min-display:none\">Bleibt</p>"
		"<p style=\"display:block\">Auch</p><template><p>Vorlage</p></template>"
		"<svg><text>Grafik</text></svg><iframe src=\"x\">Rahmen</iframe><p>Ende</p></body>",
		NULL, &d);
	assert_blocks(&d, "p Bleibt\np Auch\np Ende\n");
	html_doc_clear(&d);
}

static void test_layout_table_is_read_as_blocks(void **state)
{
	struct html_doc d;

	(void)state;
	extract("<body><table><tr><td><h1>Firma</h1><p>Willkommen</p></td><td><ul><li>Punkt</li></ul></td></tr>"
		"</table><table><tr><td>Preis <p>9 €</p></td><td><b>fett</b> und <i>kursiv</i></td></tr></table>"
		"</body>",
		NULL, &d);
	assert_blocks(&d, "h1 Firma\np Willkommen\nli Punkt\ntr Preis 9 € | fett und kursiv\n");
	html_doc_clear(&d);
}

static void test_text_cleanup(void **state)
{
	struct html_doc d;

	(void)state;
	extract("<body><p>Fahr&shy;rad&nbsp;&nbsp;für 10&nbsp;€&#8203;!</p><p>a<br><br><br>b<br></p>"
		"<pre>Zeile 1\n  Zeile 2\n\nZeile 3</pre><p>&lt;b&gt; &quot;zitiert&quot; &#x41;&#66;</p>"
		"<p>\t \n </p><li>x <p>y</p> z</li><h2>Kopf <div>Teil</div></h2></body>",
		NULL, &d);
	assert_blocks(&d, "p Fahrrad für 10 €!\np a/b\np Zeile 1/Zeile 2/Zeile 3\np <b> \"zitiert\" AB\n"
			  "li x\nli y\nli z\nh2 Kopf\nh2 Teil\n");
	html_doc_clear(&d);
}

/* ---- robustness ------------------------------------------------------------------------------------- */

static void test_broken_html_still_reads(void **state)
{
	struct html_doc d;

	(void)state;
	extract("<html><body><h1>Titel<p>Eins<p>Zwei <b>fett<div>Drei</span></div><ul><li>A<li>B</ul>"
		"<table><tr><td>x<td>y<tr><td>z</table><p class=unquoted id=a>Vier <a href=/x>Link</a",
		"http://example.de/", &d);
	assert_blocks(&d, "h1 Titel\np Eins\np Zwei fett\np Drei\nli A\nli B\ntr x | y\ntr z\np Vier Link\n");
	html_doc_clear(&d);

	extract("</div></p><<<>>>&&&;<p>ok", NULL, &d);
	assert_true(any_block_has(&d, "ok"));
	html_doc_clear(&d);
}

static void test_latin1_page_is_decoded(void **state)
{
	struct html_doc d;
	char err[64];
	static const char latin1[] = "<html><head><meta charset=\"ISO-8859-1\"><title>Gr\xfc\xdf"
				     "e</title></head><body><p>\xc4pfel, \xd6l, \xfc"
				     "ber Stra\xdf"
				     "e \x80 5</p></body></html>";
	static const char equiv[] = "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">"
				    "<p>M\xfcller \x84Zitat\x93</p>";
	static const char undeclared[] = "<p>K\xf6ln</p>";
	static const char bom[] = "\xef\xbb\xbf<p>K\xc3\xb6ln</p>";

	(void)state;
	assert_int_equal(html_extract(latin1, strlen(latin1), NULL, &d, err, sizeof err), 0);
	assert_string_equal(d.title, "Grüße");
	assert_blocks(&d, "p Äpfel, Öl, über Straße € 5\n");
	html_doc_clear(&d);

	assert_int_equal(html_extract(equiv, strlen(equiv), NULL, &d, err, sizeof err), 0);
	assert_blocks(&d, "p Müller „Zitat“\n");
	html_doc_clear(&d);

	assert_int_equal(html_extract(undeclared, strlen(undeclared), NULL, &d, err, sizeof err), 0);
	assert_blocks(&d, "p Köln\n");
	html_doc_clear(&d);

	assert_int_equal(html_extract(bom, strlen(bom), NULL, &d, err, sizeof err), 0);
	assert_blocks(&d, "p Köln\n");
	html_doc_clear(&d);
}

static void test_bad_utf8_becomes_replacement_characters(void **state)
{
	struct html_doc d;
	char err[64];
	static const char bad[] = "<meta charset=utf-8><p>caf\xc3\xa9 \xff\xfe bar \xc3</p><p>n\xc3\xa4"
				  "chste</p>";

	(void)state;
	assert_int_equal(html_extract(bad, sizeof bad - 1, NULL, &d, err, sizeof err), 0);
	assert_blocks(&d, "p café \xef\xbf\xbd\xef\xbf\xbd bar \xef\xbf\xbd\np nächste\n");
	html_doc_clear(&d);
}

static void test_empty_input(void **state)
{
	struct html_doc d;
	char err[64];

	(void)state;
	assert_int_equal(html_extract("", 0, NULL, &d, err, sizeof err), 0);
	assert_int_equal(d.nblocks, 0);
	assert_null(d.title);
	html_doc_clear(&d);
	assert_int_equal(html_extract(NULL, 0, NULL, &d, err, sizeof err), 0);
	html_doc_clear(&d);
	assert_int_equal(html_extract(" \n\t ", 4, NULL, &d, err, sizeof err), 0);
	assert_int_equal(d.nblocks, 0);
	html_doc_clear(&d);
	assert_int_equal(html_extract("<html></html>", 13, NULL, &d, err, sizeof err), 0);
	assert_int_equal(d.nblocks + d.nlinks, 0);
	html_doc_clear(&d);
	assert_int_equal(html_extract("x", 1, NULL, NULL, err, sizeof err), -1);
	assert_true(err[0] != '\0');
	html_doc_clear(&d); /* twice is fine */
	html_doc_clear(&d);
}

static void test_huge_input_is_cut(void **state)
{
	const size_t n = HTML_MAX_INPUT + (1u << 20);
	char *big = malloc(n + 1);
	size_t len = 0;
	struct html_doc d;
	char err[64];
	int k = 0;

	(void)state;
	assert_non_null(big);
	len += (size_t)sprintf(big, "<html><body><p>%s</p>", "Anfang");
	while (len + 64 < n)
		len += (size_t)sprintf(big + len, "<p>Absatz %d über Brötchen</p>", k++);
	big[len] = '\0';
	assert_int_equal(html_extract(big, len, NULL, &d, err, sizeof err), 0);
	assert_true(d.truncated);
	assert_int_equal(d.nblocks, HTML_MAX_BLOCKS);
	assert_string_equal(d.blocks[0].text, "Anfang");
	html_doc_clear(&d);

	/* one paragraph longer than a block may be */
	memset(big, 'a', HTML_MAX_BLOCK_TEXT * 2);
	memcpy(big, "<p>", 3);
	big[HTML_MAX_BLOCK_TEXT * 2] = '\0';
	assert_int_equal(html_extract(big, strlen(big), NULL, &d, err, sizeof err), 0);
	assert_true(d.truncated);
	assert_int_equal(d.nblocks, 1);
	assert_int_equal(strlen(d.blocks[0].text), HTML_MAX_BLOCK_TEXT);
	html_doc_clear(&d);
	free(big);
}

static void test_deep_nesting_and_many_links(void **state)
{
	size_t cap = 200000 * 5 + 3000 * 40 + 64, len = 0;
	char *s = malloc(cap);
	struct html_doc d;
	char err[64];

	(void)state;
	assert_non_null(s);
	for (int i = 0; i < 200000; i++)
		len += (size_t)sprintf(s + len, "<div>");
	len += (size_t)sprintf(s + len, "tief");
	assert_int_equal(html_extract(s, len, NULL, &d, err, sizeof err), 0);
	html_doc_clear(&d);

	len = 0;
	for (int i = 0; i < 3000; i++)
		len += (size_t)sprintf(s + len, "<a href=\"/s/%d\">L</a><a href=\"/s/%d#x\"></a>", i, i);
	assert_int_equal(html_extract(s, len, "http://h.de/", &d, err, sizeof err), 0);
	assert_int_equal(d.nlinks, HTML_MAX_LINKS);
	assert_true(d.truncated);
	assert_string_equal(d.links[1].url, "http://h.de/s/1");
	assert_string_equal(d.links[1].text, "L");
	html_doc_clear(&d);
	free(s);
}

static void test_json_ld_caps(void **state)
{
	size_t cap = HTML_MAX_JSON_LD_BYTES + 4096 + 40 * 64, len = 0;
	char *s = malloc(cap);
	struct html_doc d;
	char err[64];

	(void)state;
	assert_non_null(s);
	len += (size_t)sprintf(s, "<script type=\"application/ld+json\">[\"");
	memset(s + len, 'x', HTML_MAX_JSON_LD_BYTES);
	len += HTML_MAX_JSON_LD_BYTES;
	len += (size_t)sprintf(s + len, "\"]</script>");
	for (int i = 0; i < 40; i++)
		len += (size_t)sprintf(s + len, "<script type=\"Application/LD+JSON\"> {\"n\":%d} </script>", i);
	assert_int_equal(html_extract(s, len, NULL, &d, err, sizeof err), 0);
	assert_int_equal(d.njson_ld, HTML_MAX_JSON_LD);
	assert_string_equal(d.json_ld[0], "{\"n\":0}"); /* the oversized first one is skipped */
	assert_true(d.truncated);
	html_doc_clear(&d);
	free(s);
}

/* libxml2 reports encoding errors through its generic handler whatever the parse options say;
 * html_extract must keep that off stderr (a server's log). */
static void test_libxml_prints_nothing(void **state)
{
	static const char sjis[] = "<meta charset=\"shift_jis\"><p>\xd9\x8b\x90\x8a\xff\xff</p>";
	const char *tmp = getenv("TMPDIR");
	char path[512];
	struct html_doc d;
	struct stat st;
	char err[64];
	int fd, saved;

	(void)state;
	snprintf(path, sizeof path, "%s/botwerk-html-stderr.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, 2), 2);
	assert_int_equal(html_extract(sjis, sizeof sjis - 1, NULL, &d, err, sizeof err), 0);
	fflush(stderr);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	assert_int_equal(fstat(fd, &st), 0);
	close(fd);
	unlink(path);
	assert_int_equal(st.st_size, 0);
	html_doc_clear(&d);
}

static void test_links_resolution_and_filters(void **state)
{
	struct html_doc d;

	(void)state;
	extract("<a href=\"  seite.html \">a</a><a href=\"../oben/x?y=1&amp;z=2#frag\">b</a>"
		"<a href=\"//Andere.DE:443/p\">c</a><a href=\"?q=1\">d</a><a href=\"JavaScript:alert(1)\">e</a>"
		"<a href=\"data:text/html,x\">f</a><a href=\"ftp://f.de/x\">g</a><a href=\"#nur\">h</a>"
		"<a href=\"Über uns.html\"><img src=x.png alt=\"Über\"></a><a href=\"/leer\" title=\"Titel\"></a>"
		"<a href=\"mailto:a@b.de,c@d.de\">Mail</a><a href=\"mailto:kaputt\">x</a><a href=\"tel:12\">x</a>"
		"<a href=\"TEL:+49 (0)30 / 1234\">Ruf</a><area href=\"/karte\" alt=\"Karte\"><a>ohne</a>"
		"<a href=\"https://x.de/\" rel=\"NoFollow\">n</a>",
		"https://www.firma.de/a/b/index.html?alt=1", &d);
	assert_int_equal(d.nlinks, 8);
	assert_string_equal(d.links[0].url, "https://www.firma.de/a/b/seite.html");
	assert_string_equal(d.links[1].url, "https://www.firma.de/a/oben/x?y=1&z=2");
	assert_string_equal(d.links[2].url, "https://andere.de/p");
	assert_string_equal(d.links[3].url, "https://www.firma.de/a/b/index.html?q=1");
	assert_string_equal(d.links[4].url, "https://www.firma.de/a/b/%C3%9Cber%20uns.html");
	assert_string_equal(d.links[4].text, "Über");
	assert_string_equal(d.links[5].url, "https://www.firma.de/leer");
	assert_string_equal(d.links[5].text, "Titel");
	assert_string_equal(d.links[6].url, "https://www.firma.de/karte");
	assert_string_equal(d.links[7].url, "https://x.de/");
	assert_true(d.links[7].nofollow);
	assert_false(d.links[0].nofollow);
	assert_int_equal(d.nemails, 2);
	assert_string_equal(d.emails[0].value, "a@b.de");
	assert_string_equal(d.emails[1].value, "c@d.de");
	assert_int_equal(d.nphones, 1);
	assert_string_equal(d.phones[0].value, "+49 (0)30 / 1234");
	assert_string_equal(d.phones[0].text, "Ruf");
	html_doc_clear(&d);

	extract("<a href=\"/relativ\">r</a><a href=\"http://abs.de\">a</a>", NULL, &d); /* no page URL */
	assert_int_equal(d.nlinks, 1);
	assert_string_equal(d.links[0].url, "http://abs.de/");
	html_doc_clear(&d);
}

static void test_robots_variants(void **state)
{
	struct html_doc d;

	(void)state;
	extract("<meta name=\"ROBOTS\" content=\"NOINDEX,NOFOLLOW\">", NULL, &d);
	assert_true(d.noindex && d.nofollow);
	html_doc_clear(&d);
	extract("<meta name=robots content=none>", NULL, &d);
	assert_true(d.noindex && d.nofollow);
	html_doc_clear(&d);
	extract("<meta name=robots content=\"index, follow\"><meta name=googlebot content=noindex>", NULL, &d);
	assert_false(d.noindex || d.nofollow);
	html_doc_clear(&d);
	extract("<meta http-equiv=content-language content=de><meta name=robots content=nofollow>", NULL, &d);
	assert_false(d.noindex);
	assert_true(d.nofollow);
	assert_string_equal(d.lang, "de");
	html_doc_clear(&d);
}

static void test_microdata_values_by_element(void **state)
{
	struct html_doc d;

	(void)state;
	extract("<div itemscope itemtype=\"https://schema.org/Event\"><img itemprop=\"image logo\" src=\"/e.png\">"
		"<time itemprop=startDate datetime=\"2024-05-01T10:00\">1. Mai</time><data itemprop=sku value=42>"
		"Nr</data><span itemprop=\"name\">  Tag   der\n offenen Tür </span></div><span itemprop=lose>x</span>",
		"http://h.de/x/", &d);
	assert_int_equal(d.nmicrodata, 6);
	assert_string_equal(d.microdata[0].prop, "image");
	assert_string_equal(d.microdata[0].value, "http://h.de/e.png");
	assert_string_equal(d.microdata[1].prop, "logo");
	assert_string_equal(d.microdata[2].value, "2024-05-01T10:00");
	assert_string_equal(d.microdata[3].value, "42");
	assert_string_equal(d.microdata[4].value, "Tag der offenen Tür");
	assert_string_equal(d.microdata[4].type, "https://schema.org/Event");
	assert_string_equal(d.microdata[5].type, "");
	html_doc_clear(&d);
}

/* ---- URL resolution ----------------------------------------------------------------------------- */

static void test_url_resolve_rfc3986_examples(void **state)
{
	static const char *const cases[][2] = {
		/* RFC 3986 5.4.1 (fragments dropped) */
		{ "g", "http://a/b/c/g" }, { "./g", "http://a/b/c/g" }, { "g/", "http://a/b/c/g/" },
		{ "/g", "http://a/g" }, { "//g", "http://g/" }, { "?y", "http://a/b/c/d;p?y" },
		{ "g?y", "http://a/b/c/g?y" }, { "#s", "http://a/b/c/d;p?q" }, { "g#s", "http://a/b/c/g" },
		{ "g?y#s", "http://a/b/c/g?y" }, { ";x", "http://a/b/c/;x" }, { "g;x", "http://a/b/c/g;x" },
		{ "", "http://a/b/c/d;p?q" }, { ".", "http://a/b/c/" }, { "./", "http://a/b/c/" },
		{ "..", "http://a/b/" }, { "../", "http://a/b/" }, { "../g", "http://a/b/g" },
		{ "../..", "http://a/" }, { "../../", "http://a/" }, { "../../g", "http://a/g" },
		/* 5.4.2 */
		{ "../../../g", "http://a/g" }, { "../../../../g", "http://a/g" }, { "/./g", "http://a/g" },
		{ "/../g", "http://a/g" }, { "g.", "http://a/b/c/g." }, { ".g", "http://a/b/c/.g" },
		{ "g..", "http://a/b/c/g.." }, { "..g", "http://a/b/c/..g" }, { "./../g", "http://a/b/g" },
		{ "./g/.", "http://a/b/c/g/" }, { "g/./h", "http://a/b/c/g/h" }, { "g/../h", "http://a/b/c/h" },
		{ "g;x=1/./y", "http://a/b/c/g;x=1/y" }, { "g;x=1/../y", "http://a/b/c/y" },
		{ "g?y/./x", "http://a/b/c/g?y/./x" }, { "g#s/../x", "http://a/b/c/g" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = html_url_resolve("http://a/b/c/d;p?q", cases[i][0]);

		if (!got || strcmp(got, cases[i][1]) != 0)
			fail_msg("\"%s\" → %s, want %s", cases[i][0], got ? got : "NULL", cases[i][1]);
		free(got);
	}
}

static void test_url_resolve_browser_habits(void **state)
{
	(void)state;
	assert_resolves("https://x.de/a/", " \t b c\n.html ", "https://x.de/a/b%20c.html");
	assert_resolves("https://x.de/a/", "Über uns/ä.html?q=ö ü",
			"https://x.de/a/%C3%9Cber%20uns/%C3%A4.html?q=%C3%B6%20%C3%BC");
	assert_resolves("https://x.de/a/", "%41%zz%", "https://x.de/a/%41%25zz%25");
	assert_resolves("https://x.de/a/b", "..\\c\\d", "https://x.de/c/d");
	assert_resolves(NULL, "HTTPS://WWW.Firma.DE:443", "https://www.firma.de/");
	assert_resolves(NULL, "http://www.firma.de:80/a", "http://www.firma.de/a");
	assert_resolves(NULL, "http://www.firma.de:8080/a", "http://www.firma.de:8080/a");
	assert_resolves(NULL, "http://user:pw@h.de:0081/", "http://user:pw@h.de:81/");
	assert_resolves(NULL, "http://[::1]:8080/x", "http://[::1]:8080/x");
	assert_resolves(NULL, "http://müller.de/", "http://müller.de/");
	assert_resolves("http://a.de/x", "mailto:info@a.de", "mailto:info@a.de");
	assert_resolves("http://a.de/x", "javascript:void(0)", "javascript:void(0)");
	assert_no_resolve("http://a.de/x/y", "https:/"); /* no host: refused for http(s) */
}

static void test_url_resolve_failures(void **state)
{
	(void)state;
	assert_no_resolve(NULL, "relativ.html");
	assert_no_resolve("relativ/", "x");
	assert_no_resolve("mailto:a@b.de", "x");
	assert_no_resolve(NULL, "http://h.de:99999/");
	assert_no_resolve(NULL, "http://h.de:8a/");
	assert_no_resolve(NULL, "http:///pfad");
	assert_no_resolve(NULL, "http://ho st/");
	assert_no_resolve(NULL, "http://[::1/");
	assert_no_resolve(NULL, "http://a[b]/");
	assert_null(html_url_resolve("http://a/", NULL));
}

/* ---- threads ------------------------------------------------------------------------------------ */

static void *extract_many(void *arg)
{
	(void)arg;
	for (int i = 0; i < 20; i++) {
		struct html_doc d;
		char err[64];

		if (html_extract(page, strlen(page), page_url, &d, err, sizeof err) != 0 || d.nblocks != 18 ||
		    d.nlinks != 7) {
			html_doc_clear(&d);
			return (void *)1;
		}
		html_doc_clear(&d);
	}
	return NULL;
}

static void test_parallel_extraction(void **state)
{
	pthread_t t[4];

	(void)state;
	html_text_init();
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, extract_many, NULL), 0);
	for (int i = 0; i < 4; i++) {
		void *r;

		assert_int_equal(pthread_join(t[i], &r), 0);
		assert_null(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_main_text_blocks),
		cmocka_unit_test(test_page_drops_chrome_scripts_and_hidden_parts),
		cmocka_unit_test(test_page_facts),
		cmocka_unit_test(test_page_links_and_contacts),
		cmocka_unit_test(test_page_json_ld_and_microdata),
		cmocka_unit_test(test_doc_text_for_chunking),
		cmocka_unit_test(test_single_article_is_the_content),
		cmocka_unit_test(test_several_articles_read_the_body),
		cmocka_unit_test(test_role_main_wins_and_hidden_main_is_skipped),
		cmocka_unit_test(test_roles_banners_and_hidden_styles_are_dropped),
		cmocka_unit_test(test_layout_table_is_read_as_blocks),
		cmocka_unit_test(test_text_cleanup),
		cmocka_unit_test(test_broken_html_still_reads),
		cmocka_unit_test(test_latin1_page_is_decoded),
		cmocka_unit_test(test_bad_utf8_becomes_replacement_characters),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_huge_input_is_cut),
		cmocka_unit_test(test_deep_nesting_and_many_links),
		cmocka_unit_test(test_json_ld_caps),
		cmocka_unit_test(test_libxml_prints_nothing),
		cmocka_unit_test(test_links_resolution_and_filters),
		cmocka_unit_test(test_robots_variants),
		cmocka_unit_test(test_microdata_values_by_element),
		cmocka_unit_test(test_url_resolve_rfc3986_examples),
		cmocka_unit_test(test_url_resolve_browser_habits),
		cmocka_unit_test(test_url_resolve_failures),
		cmocka_unit_test(test_parallel_extraction),
	};

	html_text_init();
	return cmocka_run_group_tests_name("html_text", tests, NULL, NULL);
}
