/*
 * html_text.h — main text, links and page facts from one HTML page, for knowledge ingestion and the
 * website crawler.
 *
 * The page is parsed with libxml2's HTML parser (recovering, no network, no error output), so broken or
 * unclosed markup still yields a tree. Nothing is ever fetched. The character set is taken from a byte
 * order mark, else from a <meta charset> / <meta http-equiv=content-type> in the first 4 KiB, else UTF-8
 * when the bytes are valid UTF-8, else windows-1252. ISO-8859-1 and US-ASCII are read as windows-1252 (as
 * browsers do). Every string handed out is valid UTF-8 without NUL bytes: invalid sequences become
 * U+FFFD.
 *
 * Main text. The content root is the first visible <main> (or role=main); else the <article> when
 * there is exactly one; else <body>. Inside it these are dropped with everything they contain: script,
 * style, noscript, template, svg, math, nav, aside, form, iframe, object, embed, canvas, video, audio,
 * dialog, button, select, textarea; header and footer unless inside article/aside/main/nav/section (an
 * article's own header stays); elements with role navigation, banner, contentinfo, complementary,
 * search; hidden elements (hidden attribute, aria-hidden="true", inline style display:none or
 * visibility:hidden); cookie/consent banners: an element whose id, class or aria-label contains
 * "cookie", "consent", "gdpr" or "cmp" (any case), except html, body and main, which sites often mark
 * while a banner is open.
 * The text is cut into blocks: h1–h6 give HEADING blocks with their level; li gives LIST_ITEM; a table
 * row gives TABLE_ROW with its non-empty cells joined by " | "; other block elements (p, div, section,
 * blockquote, dd, …) give PARAGRAPH (or continue the list item or heading they sit in). A row that holds
 * a table, heading or list is a layout row: its cells are read as ordinary blocks. White space is
 * collapsed to single spaces, entities are decoded, U+00A0 becomes a space, soft hyphens and zero-width
 * spaces are removed. <br> becomes "\n" inside a block (never two in a row); text in <pre> keeps its
 * line breaks the same way (not its blank lines or indentation).
 *
 * Links come from the whole document (navigation and footer included: the crawler needs them), from
 * <a href> and <area href>, resolved against the <base href> (itself resolved against page_url) or
 * page_url, with html_url_resolve. Only http(s) links are kept, without fragment and de-duplicated (the
 * first anchor text wins; a later non-empty one fills an empty one); an href of only "#…" (a place on
 * the same page) is skipped. mailto: and tel: links are collected separately, percent-decoded, without
 * their query part. Title, meta tags, icons, ld+json and microdata also come from the whole document
 * (svg and template contents left out).
 *
 * Thread safety: html_extract keeps no state between calls and may run in several threads at once,
 * provided libxml2 was initialised first: call html_text_init() (xmlInitParser) once from the main
 * thread before starting threads. html_extract calls it too, which is all a single-threaded program
 * needs.
 */
#ifndef BOTWERK_INGEST_HTML_TEXT_H
#define BOTWERK_INGEST_HTML_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Caps. Whatever passes one is dropped (or cut, for text) and html_doc.truncated is set. */
#define HTML_MAX_INPUT (16u << 20)    /* input bytes read; the rest is ignored */
#define HTML_MAX_DEPTH 512            /* element nesting followed (libxml2 itself stops at 256) */
#define HTML_MAX_BLOCKS 10000         /* text blocks */
#define HTML_MAX_BLOCK_TEXT (64u << 10) /* bytes per block; cut at a character boundary */
#define HTML_MAX_TEXT (8u << 20)      /* bytes of all block text together */
#define HTML_MAX_LINKS 2000           /* distinct http(s) links */
#define HTML_MAX_URL 2048             /* bytes of one resolved URL; longer ones are dropped */
#define HTML_MAX_ANCHOR 256           /* bytes of one link text */
#define HTML_MAX_CONTACTS 64          /* distinct mailto: addresses, and as many tel: numbers */
#define HTML_MAX_JSON_LD 32           /* ld+json scripts */
#define HTML_MAX_JSON_LD_BYTES (256u << 10) /* bytes of one ld+json script; a larger one is skipped */
#define HTML_MAX_MICRODATA 512        /* microdata triples */
#define HTML_MAX_META 64              /* <meta name|property content> pairs */
#define HTML_MAX_ICONS 16             /* icon and logo candidates */
#define HTML_MAX_FIELD 2048           /* bytes of one short field: title, description, meta content,
				       * microdata value, og:*, theme-color, lang */

enum html_block_kind {
	HTML_HEADING,
	HTML_PARAGRAPH,
	HTML_LIST_ITEM,
	HTML_TABLE_ROW,
};

struct html_block {
	enum html_block_kind kind;
	int level;  /* 1..6 for HTML_HEADING, else 0 */
	char *text; /* non-empty, trimmed; "\n" only from <br> or <pre> */
};

struct html_link {
	char *url;     /* absolute http(s) URL, no fragment */
	char *text;    /* anchor text (or its aria-label / title / image alt), "" when none */
	bool nofollow; /* rel contains "nofollow" */
};

/* A mailto: address or a tel: number. */
struct html_contact {
	char *value; /* percent-decoded, without "mailto:"/"tel:" and query: "info@firma.de", "+49 30 1234" */
	char *text;  /* anchor text, "" when none */
};

/* One microdata property, flattened. */
struct html_microdata {
	char *type;  /* itemtype of the nearest enclosing itemscope ("" when it has none or there is none) */
	char *prop;  /* one itemprop name (an itemprop with several names gives several triples) */
	char *value; /* content / href / src / data / value / datetime attribute as the element calls for
		      * (URLs resolved), else the element's text; an itemprop that is itself an itemscope
		      * gives its own itemtype */
};

/* One <meta> with a name (or, without one, a property) and a content attribute. */
struct html_meta {
	char *name;    /* lower-cased: "description", "og:title", "geo.region" */
	char *content; /* white space collapsed */
};

enum html_icon_kind {
	HTML_ICON_FAVICON,     /* <link rel="icon"> / "shortcut icon" */
	HTML_ICON_APPLE_TOUCH, /* <link rel="apple-touch-icon(-precomposed)"> */
	HTML_ICON_LOGO,        /* <img> with "logo" in its class, id, alt or src */
};

struct html_icon {
	enum html_icon_kind kind;
	char *url; /* absolute http(s) URL */
	int size;  /* the larger number of sizes="WxH" (first entry), 0 when not given */
};

struct html_doc {
	char *title;       /* <title>, NULL when none (same for every char * field here) */
	char *lang;        /* <html lang>, else <meta http-equiv=content-language> */
	char *description; /* <meta name=description> */
	char *canonical;   /* <link rel=canonical>, resolved, http(s) only */
	char *base;        /* the first <base href>, resolved against page_url (dropped over HTML_MAX_URL) */
	char *theme_color; /* <meta name=theme-color> */
	char *og_image;    /* <meta property=og:image>, resolved */
	char *og_site_name;
	char *og_title;
	bool noindex;  /* <meta name=robots> says noindex or none */
	bool nofollow; /* <meta name=robots> says nofollow or none */
	bool truncated; /* some cap above was reached: the output is incomplete */

	struct html_block *blocks;
	size_t nblocks;
	struct html_link *links;
	size_t nlinks;
	struct html_contact *emails;
	size_t nemails;
	struct html_contact *phones;
	size_t nphones;
	char **json_ld; /* raw text of each <script type="application/ld+json">, trimmed */
	size_t njson_ld;
	struct html_microdata *microdata;
	size_t nmicrodata;
	struct html_meta *meta;
	size_t nmeta;
	struct html_icon *icons; /* in document order */
	size_t nicons;
};

/* Calls xmlInitParser. Call it once from the main thread before html_extract runs in other threads. */
void html_text_init(void);

/* Parses html[0..len) and fills `out` (zeroed first). `page_url` (may be NULL: relative URLs are then
 * dropped) is the address the page was fetched from. Returns 0, also for empty input or input libxml2
 * cannot make a tree of (an empty result), or -1 when memory runs out, `out` is NULL or `html` is NULL
 * with len > 0, with a message in err (errlen bytes, may be 0). On -1, `out` is left cleared. The
 * caller frees `out` with html_doc_clear. */
int html_extract(const char *html, size_t len, const char *page_url, struct html_doc *out, char *err,
		 size_t errlen);

/* Frees everything `d` owns and zeroes it. Safe on a zeroed or already cleared doc. */
void html_doc_clear(struct html_doc *d);

/* The blocks as text for chunk_text (rag/chunk.h): a heading becomes "#"×level + " " + text, a list
 * item "- " + text, a table row its text; line breaks inside headings, list items and rows become
 * spaces. Blocks are separated by a blank line, except that consecutive list items, and consecutive
 * table rows, are separated by one line break. A new malloc'd string ("" when there are no blocks), or
 * NULL when memory runs out. */
char *html_doc_text(const struct html_doc *d);

/* Resolves `ref` against the absolute URL `base` (RFC 3986 section 5, plus what browsers do with
 * hrefs: surrounding white space trimmed, tabs and line breaks removed, "\" read as "/" in http(s),
 * space, non-ASCII and other bytes not allowed in a URL percent-encoded). The result has a lower-case
 * scheme and host, no default port (http 80, https 443), no "." or ".." path segments (the base's are
 * resolved too), an empty http(s) path made "/", and no fragment; resolving a result again against
 * nothing gives it back unchanged. A host keeps its non-ASCII letters as UTF-8 (libcurl converts them to punycode). `base`
 * may be NULL when `ref` is absolute. Written by hand rather than with xmlBuildURI, which (libxml2
 * 2.9.14) returns NULL for hrefs with a space or an umlaut, common on real sites. A new malloc'd
 * string, or NULL when `ref` cannot be resolved (no usable base, no scheme, an http(s) URL without a
 * host, a bad port) or memory runs out. */
char *html_url_resolve(const char *base, const char *ref);

#endif
