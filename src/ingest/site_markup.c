/*
 * site_markup.c — what the site profile needs from a page's markup that html_doc does not keep: the
 * colours of its inline styles and <style> blocks (for the primary colour guess), and, on pages that
 * named persons, the photo (<img>), mailto: and tel: links inside each person's card.
 *
 * A card is the nearest ancestor (at most CARD_LEVELS up, below <main>, with at most CARD_MAX_TEXT bytes
 * of text) of the image or link whose text holds exactly one of the page's person names; an ancestor
 * holding two names is a list of cards, and the search stops. An image whose alt text is a person's name belongs to that person directly. Images whose class,
 * id, alt or address says "logo" or "icon" are never photos.
 *
 * The page is parsed again with libxml2's HTML parser (recovering, no network, no error output), as
 * UTF-8 when the bytes are valid UTF-8, else as ISO-8859-1 (every byte is a character: nothing fails). Colours are counted in declarations only
 * (after a ':'), so id selectors such as "#fade" are not read as colours; custom properties and
 * declarations whose name holds primary, brand, accent or main count COLOR_BOOST times.
 */
#include "ingest/site_int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#define MAX_DEPTH 256
#define MAX_COLORS 64
#define MAX_STYLE_BYTES (1u << 20) /* bytes of CSS read per page */
#define MAX_ITEMS 200              /* images and links looked at per page */
#define CARD_LEVELS 6
#define CARD_TEXT 4096
#define CARD_MAX_TEXT 600 /* bytes of text a person's card may hold */
#define COLOR_BOOST 5

struct mk {
	struct sp_page *pg;
	struct {
		char c[8];
		unsigned n;
	} colors[MAX_COLORS];
	size_t ncolors;
	size_t css_bytes;
	size_t who[SP_MAX_PEOPLE]; /* indices of the persons this page named */
	size_t nwho;
	int items;
};

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_word(char c)
{
	return is_hex(c) || (c >= 'g' && c <= 'z') || (c >= 'G' && c <= 'Z') || c == '_' || c == '-';
}

static void count_color(struct mk *m, const char *c, unsigned weight)
{
	for (size_t i = 0; i < m->ncolors; i++)
		if (!strcmp(m->colors[i].c, c)) {
			m->colors[i].n += weight;
			return;
		}
	if (m->ncolors < MAX_COLORS) {
		memcpy(m->colors[m->ncolors].c, c, 8);
		m->colors[m->ncolors++].n = weight;
	}
}

/* Counts the hex colours in the declarations of css[0..n). */
static void scan_css(struct mk *m, const char *css, size_t n)
{
	bool value = false;
	size_t prop = 0; /* where the current declaration's name starts */

	if (m->css_bytes >= MAX_STYLE_BYTES)
		return;
	if (n > MAX_STYLE_BYTES - m->css_bytes)
		n = MAX_STYLE_BYTES - m->css_bytes;
	m->css_bytes += n;
	for (size_t i = 0; i < n; i++) {
		char ch = css[i];

		if (ch == ';' || ch == '{' || ch == '}') {
			value = false;
			prop = i + 1;
		} else if (ch == ':' && !value) {
			value = true;
			char name[64];
			size_t pl = i - prop < sizeof name - 1 ? i - prop : sizeof name - 1;

			memcpy(name, css + prop, pl);
			name[pl] = '\0';
			prop = sp_has(name, "primary") || sp_has(name, "brand") || sp_has(name, "accent") ||
					       sp_has(name, "main")
				       ? SIZE_MAX
				       : 0;
		} else if (ch == '#' && value && (i == 0 || !is_word(css[i - 1]))) {
			size_t k = 1;
			char c[8];

			while (i + k < n && is_hex(css[i + k]) && k <= 9)
				k++;
			if ((i + k < n && is_word(css[i + k])) || !sp_color(css + i, k, c))
				continue;
			if (!sp_color_grey(c))
				count_color(m, c, prop == SIZE_MAX ? COLOR_BOOST : 1);
			i += k - 1;
		}
	}
}

static bool attr_has(const xmlNode *n, const char *name, const char *needle)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	bool yes = v && sp_has((const char *)v, needle);

	xmlFree(v);
	return yes;
}

static bool is_elem(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->name && !strcasecmp((const char *)n->name, name);
}

/* The collapsed text of n's subtree (script and style left out), at most CARD_TEXT bytes. */
static void node_text(const xmlNode *top, char *buf)
{
	size_t o = 0;
	int depth = 0;
	const xmlNode *n = top->children;

	buf[0] = '\0';
	while (n && o + 2 < CARD_TEXT) {
		bool down = false;

		if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content) {
			for (const unsigned char *p = n->content; *p && o + 2 < CARD_TEXT; p++) {
				bool sp = *p == ' ' || *p == '\n' || *p == '\t' || *p == '\r' ||
					  (p[0] == 0xC2 && p[1] == 0xA0);

				if (sp) {
					if (p[0] == 0xC2)
						p++;
					if (o > 0 && buf[o - 1] != ' ')
						buf[o++] = ' ';
				} else {
					buf[o++] = (char)*p;
				}
			}
			if (o > 0 && buf[o - 1] != ' ')
				buf[o++] = ' ';
		} else if (n->type == XML_ELEMENT_NODE && !is_elem(n, "script") && !is_elem(n, "style") &&
			   n->children && depth < MAX_DEPTH) {
			down = true;
		}
		if (down) {
			n = n->children;
			depth++;
			continue;
		}
		while (n && !n->next && n->parent != top) {
			n = n->parent;
			depth--;
		}
		n = n ? n->next : NULL;
	}
	buf[o] = '\0';
}

/* The person (index into sp->people) whose card holds n, or -1. */
static int card_owner(struct mk *m, const xmlNode *n)
{
	struct site_profile *sp = m->pg->sp;
	char *text = malloc(CARD_TEXT);
	int owner = -1;

	if (!text) {
		sp->oom = true;
		return -1;
	}
	for (const xmlNode *a = n->parent; a && a->type == XML_ELEMENT_NODE && owner < 0; a = a->parent) {
		int lvl = 0, hits = 0, who = -1;

		for (const xmlNode *b = n->parent; b != a; b = b->parent)
			lvl++;
		if (lvl >= CARD_LEVELS || is_elem(a, "body") || is_elem(a, "main"))
			break;
		node_text(a, text);
		if (strlen(text) > CARD_MAX_TEXT)
			break; /* more than a card: a section or the page */
		for (size_t i = 0; i < m->nwho; i++)
			if (strstr(text, sp->people[m->who[i]].name)) {
				hits++;
				who = (int)m->who[i];
			}
		if (hits > 1)
			break;
		if (hits == 1)
			owner = who;
	}
	free(text);
	return owner;
}

static void give(struct mk *m, int owner, const char *photo, const char *email, const char *phone)
{
	struct sp_person_in in = {.name = m->pg->sp->people[owner].name, .photo = photo, .email = email,
				  .phone = phone};

	sp_offer_person(m->pg->sp, &in, m->pg->url, SP_TEAM);
}

static void visit_img(struct mk *m, const xmlNode *n)
{
	static const char *const srcs[] = {"src", "data-src", "data-lazy-src", "data-original", NULL};
	xmlChar *alt;
	char *url = NULL;
	int owner = -1;

	if (attr_has(n, "class", "logo") || attr_has(n, "id", "logo") || attr_has(n, "alt", "logo") ||
	    attr_has(n, "src", "logo") || attr_has(n, "class", "icon") || attr_has(n, "src", "icon"))
		return;
	for (const char *const *s = srcs; *s && !url; s++) {
		xmlChar *v = xmlGetProp(n, (const xmlChar *)*s);

		if (v && strncmp((const char *)v, "data:", 5) != 0 && strlen((const char *)v) <= HTML_MAX_URL) {
			url = html_url_resolve(m->pg->url, (const char *)v);
			if (url && !sp_http_url(url)) {
				free(url);
				url = NULL;
			}
		}
		xmlFree(v);
	}
	if (!url)
		return;
	alt = xmlGetProp(n, (const xmlChar *)"alt");
	for (size_t i = 0; alt && i < m->nwho && owner < 0; i++)
		if (sp_has((const char *)alt, "") && strstr((const char *)alt, m->pg->sp->people[m->who[i]].name))
			owner = (int)m->who[i];
	xmlFree(alt);
	if (owner < 0)
		owner = card_owner(m, n);
	if (owner >= 0)
		give(m, owner, url, NULL, NULL);
	free(url);
}

static void visit_link(struct mk *m, const xmlNode *n)
{
	xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");
	const char *h = (const char *)href;
	char mail[256], phone[SITE_E164_MAX], dec[128];
	int owner;

	if (!h || strlen(h) > 200) {
		xmlFree(href);
		return;
	}
	while (*h == ' ')
		h++;
	if (!strncasecmp(h, "mailto:", 7) && sp_email(h, strlen(h), mail)) {
		if ((owner = card_owner(m, n)) >= 0)
			give(m, owner, NULL, mail, NULL);
	} else if (!strncasecmp(h, "tel:", 4)) {
		size_t o = 0;

		for (const char *p = h + 4; *p && *p != '?' && o + 1 < sizeof dec; p++)
			dec[o++] = (p[0] == '%' && p[1] == '2' && p[2] == '0') ? (p += 2, ' ') : *p;
		dec[o] = '\0';
		if (site_phone_e164(dec, m->pg->sp->cc, phone) && (owner = card_owner(m, n)) >= 0)
			give(m, owner, NULL, NULL, phone);
	}
	xmlFree(href);
}

static void visit(struct mk *m, const xmlNode *n)
{
	xmlChar *style;

	if (n->type != XML_ELEMENT_NODE)
		return;
	if (is_elem(n, "style")) {
		for (const xmlNode *c = n->children; c; c = c->next)
			if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
				scan_css(m, (const char *)c->content, strlen((const char *)c->content));
		return;
	}
	if ((style = xmlGetProp(n, (const xmlChar *)"style")) != NULL) {
		scan_css(m, (const char *)style, strlen((const char *)style));
		xmlFree(style);
	}
	if (m->nwho == 0 || m->items >= MAX_ITEMS)
		return;
	if (is_elem(n, "img")) {
		m->items++;
		visit_img(m, n);
	} else if (is_elem(n, "a")) {
		m->items++;
		visit_link(m, n);
	}
}

static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static bool utf8_valid(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t k = s[i] < 0x80 ? 0 : s[i] >= 0xC2 && s[i] <= 0xDF ? 1 : s[i] >= 0xE0 && s[i] <= 0xEF ? 2
			 : s[i] >= 0xF0 && s[i] <= 0xF4 ? 3 : 9;

		if (k == 9 || n - i <= k)
			return false;
		for (size_t j = 1; j <= k; j++)
			if ((s[i + j] & 0xC0) != 0x80)
				return false;
		i += k + 1;
	}
	return true;
}

void sp_markup_page(struct sp_page *pg, const char *html, size_t len)
{
	struct mk *m;
	htmlDocPtr doc;
	xmlNode *root, *n;
	int depth = 0;
	xmlGenericErrorFunc old_fn;
	void *old_ctx;

	if (!html || len == 0)
		return;
	if (len > HTML_MAX_INPUT)
		len = HTML_MAX_INPUT;
	m = calloc(1, sizeof *m);
	if (!m) {
		pg->sp->oom = true;
		return;
	}
	m->pg = pg;
	for (size_t i = 0; i < pg->sp->npeople && m->nwho < SP_MAX_PEOPLE; i++)
		if (pg->sp->people[i].page == pg->sp->pages)
			m->who[m->nwho++] = i;
	/* encoding errors reach libxml2's generic handler whatever the options say: silence it (per thread) */
	old_fn = xmlGenericError;
	old_ctx = xmlGenericErrorContext;
	xmlSetGenericErrorFunc(NULL, quiet);
	doc = htmlReadMemory(html, (int)len, NULL,
			     utf8_valid((const unsigned char *)html, len) ? "UTF-8" : "ISO-8859-1",
			     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
				     HTML_PARSE_COMPACT | HTML_PARSE_IGNORE_ENC);
	xmlSetGenericErrorFunc(old_ctx, old_fn);
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	for (n = root; n;) {
		visit(m, n);
		if (n->type == XML_ELEMENT_NODE && n->children && depth < MAX_DEPTH && !is_elem(n, "style") &&
		    !is_elem(n, "script")) {
			n = n->children;
			depth++;
			continue;
		}
		while (n != root && !n->next) {
			n = n->parent;
			depth--;
		}
		n = n == root ? NULL : n->next;
	}
	for (size_t i = 0; i < m->ncolors; i++)
		sp_offer(pg->sp, SF_COLOR, m->colors[i].c, pg->url, SP_STYLE, 0, m->colors[i].n, 0);
	if (doc)
		xmlFreeDoc(doc);
	free(m);
}
