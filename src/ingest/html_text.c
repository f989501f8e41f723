/*
 * html_text.c — HTML page → main text blocks, and the entry point that also has the links and page
 * facts gathered (html_links.c).
 *
 * Owns: choosing the character set, parsing with libxml2, choosing the content root, the walk that
 * cuts the content into blocks, html_doc_clear and html_doc_text. See html_text.h for what is kept and
 * dropped.
 *
 * The content walk keeps a stack of open block elements. Text is gathered into one buffer; entering or
 * leaving a block element ends the text gathered so far as a block of the kind of the innermost open
 * block. Inside a data table row nothing opens a block: cells add " | " separators and other block
 * elements a space, so the whole row becomes one TABLE_ROW block.
 */
#include "ingest/html_text.h"
#include "ingest/html_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#define SNIFF_BYTES 4096 /* how far to look for a <meta charset> */
#define LAYOUT_SCAN_NODES 2048

/* ---- elements ----------------------------------------------------------------------------------- */

enum {
	F_BLOCK = 1 << 0,     /* ends the text before it and opens a block */
	F_DROP = 1 << 1,      /* never read */
	F_HEADING = 1 << 2,   /* h1..h6 */
	F_ITEM = 1 << 3,      /* li */
	F_ROW = 1 << 4,       /* tr */
	F_CELL = 1 << 5,      /* td, th */
	F_LANDMARK = 1 << 6,  /* header, footer: dropped outside sectioning elements */
	F_SECTION = 1 << 7,   /* article, main, section */
	F_LAYOUT = 1 << 8,    /* makes a table row a layout row */
	F_PRE = 1 << 9,       /* pre, listing, textarea-like: keeps line breaks */
	F_NOBANNER = 1 << 10, /* never taken for a cookie banner */
};

struct elem {
	const char *name;
	unsigned flags;
};

/* Sorted by name (bsearch). Elements not listed are inline: their text runs on. */
static const struct elem elems[] = {
	{ "address", F_BLOCK },
	{ "article", F_BLOCK | F_SECTION },
	{ "aside", F_DROP },
	{ "audio", F_DROP },
	{ "blockquote", F_BLOCK },
	{ "body", F_BLOCK | F_NOBANNER },
	{ "button", F_DROP },
	{ "canvas", F_DROP },
	{ "caption", F_BLOCK },
	{ "center", F_BLOCK },
	{ "dd", F_BLOCK },
	{ "details", F_BLOCK },
	{ "dialog", F_DROP },
	{ "dir", F_BLOCK | F_LAYOUT },
	{ "div", F_BLOCK },
	{ "dl", F_BLOCK | F_LAYOUT },
	{ "dt", F_BLOCK },
	{ "embed", F_DROP },
	{ "fieldset", F_BLOCK },
	{ "figcaption", F_BLOCK },
	{ "figure", F_BLOCK },
	{ "footer", F_BLOCK | F_LANDMARK },
	{ "form", F_DROP },
	{ "frame", F_DROP },
	{ "frameset", F_DROP },
	{ "h1", F_BLOCK | F_HEADING | F_LAYOUT },
	{ "h2", F_BLOCK | F_HEADING | F_LAYOUT },
	{ "h3", F_BLOCK | F_HEADING | F_LAYOUT },
	{ "h4", F_BLOCK | F_HEADING | F_LAYOUT },
	{ "h5", F_BLOCK | F_HEADING | F_LAYOUT },
	{ "h6", F_BLOCK | F_HEADING | F_LAYOUT },
	{ "head", F_DROP },
	{ "header", F_BLOCK | F_LANDMARK },
	{ "hgroup", F_BLOCK },
	{ "hr", F_BLOCK },
	{ "html", F_BLOCK | F_NOBANNER },
	{ "iframe", F_DROP },
	{ "legend", F_BLOCK },
	{ "li", F_BLOCK | F_ITEM },
	{ "listing", F_BLOCK | F_PRE },
	{ "main", F_BLOCK | F_SECTION | F_NOBANNER },
	{ "map", F_DROP },
	{ "math", F_DROP },
	{ "menu", F_BLOCK | F_LAYOUT },
	{ "nav", F_DROP },
	{ "noscript", F_DROP },
	{ "object", F_DROP },
	{ "ol", F_BLOCK | F_LAYOUT },
	{ "p", F_BLOCK },
	{ "pre", F_BLOCK | F_PRE },
	{ "script", F_DROP },
	{ "section", F_BLOCK | F_SECTION },
	{ "select", F_DROP },
	{ "style", F_DROP },
	{ "summary", F_BLOCK },
	{ "svg", F_DROP },
	{ "table", F_BLOCK | F_LAYOUT },
	{ "tbody", F_BLOCK },
	{ "td", F_BLOCK | F_CELL },
	{ "template", F_DROP },
	{ "textarea", F_DROP },
	{ "tfoot", F_BLOCK },
	{ "th", F_BLOCK | F_CELL },
	{ "thead", F_BLOCK },
	{ "title", F_DROP },
	{ "tr", F_BLOCK | F_ROW },
	{ "ul", F_BLOCK | F_LAYOUT },
	{ "video", F_DROP },
	{ "xmp", F_BLOCK | F_PRE },
};

static int elem_cmp(const void *key, const void *e)
{
	return strcmp(key, ((const struct elem *)e)->name);
}

static unsigned elem_flags(const xmlNode *n)
{
	const struct elem *e;

	if (n->type != XML_ELEMENT_NODE || !n->name)
		return 0;
	e = bsearch(n->name, elems, sizeof elems / sizeof elems[0], sizeof elems[0], elem_cmp);
	return e ? e->flags : 0;
}

/* "display:none" or "visibility:hidden" in an inline style (any case, spaces allowed around ':'). */
static bool style_hides(const char *style)
{
	static const char *const decl[][2] = { { "display", "none" }, { "visibility", "hidden" } };

	for (const char *s = style; *s; s++) {
		if (s > style && ((hx_lower(s[-1]) >= 'a' && hx_lower(s[-1]) <= 'z') || s[-1] == '-'))
			continue; /* inside a longer name */
		for (size_t d = 0; d < 2; d++) {
			const char *key = decl[d][0], *val = decl[d][1], *p = s;
			size_t j = 0;

			while (key[j] && hx_lower(p[j]) == key[j])
				j++;
			if (key[j])
				continue;
			p += j;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p++ != ':')
				continue;
			while (*p == ' ' || *p == '\t')
				p++;
			for (j = 0; val[j] && hx_lower(p[j]) == val[j]; j++)
				;
			if (!val[j])
				return true;
		}
	}
	return false;
}

static bool banner_word(const char *s)
{
	return hx_contains_ci(s, "cookie") || hx_contains_ci(s, "consent") || hx_contains_ci(s, "gdpr") ||
	       hx_contains_ci(s, "cmp");
}

/* Whether element n (flags f) is left out of the main text with everything inside it. */
static bool dropped(const struct hx *x, const xmlNode *n, unsigned f)
{
	if (f & F_DROP)
		return true;
	if ((f & F_LANDMARK) && x->sectioning == 0)
		return true;
	for (const xmlAttr *a = n->properties; a; a = a->next) {
		const char *name = (const char *)a->name;
		const char *v = hx_attr_value(a);

		if (!name)
			continue;
		if (strcmp(name, "hidden") == 0)
			return true;
		if (strcmp(name, "aria-hidden") == 0 && hx_has_token(v, "true"))
			return true;
		if (strcmp(name, "style") == 0 && style_hides(v))
			return true;
		if (strcmp(name, "role") == 0 &&
		    (hx_has_token(v, "navigation") || hx_has_token(v, "banner") || hx_has_token(v, "contentinfo") ||
		     hx_has_token(v, "complementary") || hx_has_token(v, "search")))
			return true;
		if (!(f & F_NOBANNER) &&
		    (strcmp(name, "id") == 0 || strcmp(name, "class") == 0 || strcmp(name, "aria-label") == 0) &&
		    banner_word(v))
			return true;
	}
	return false;
}

/* A table row that holds a table, heading or list is page layout, not data. */
static bool layout_row(const xmlNode *tr)
{
	const xmlNode *n = tr->children;
	int budget = LAYOUT_SCAN_NODES;

	while (n) {
		if (budget-- <= 0)
			return true;
		if (elem_flags(n) & F_LAYOUT)
			return true;
		if (n->type == XML_ELEMENT_NODE && n->children) {
			n = n->children;
			continue;
		}
		while (n != tr && !n->next)
			n = n->parent;
		n = n == tr ? NULL : n->next;
	}
	return false;
}

/* ---- content root ------------------------------------------------------------------------------- */

static bool find_enter(struct hx *x, const xmlNode *n)
{
	unsigned f = elem_flags(n);

	if (n->type != XML_ELEMENT_NODE || dropped(x, n, f))
		return false;
	if (!x->found_main && (hx_is(n, "main") || hx_has_token(hx_attr(n, "role"), "main")))
		x->found_main = n;
	if (hx_is(n, "article") && x->articles++ == 0)
		x->found_article = n;
	if (f & F_SECTION)
		x->sectioning++;
	return !x->found_main;
}

static void find_leave(struct hx *x, const xmlNode *n)
{
	if (elem_flags(n) & F_SECTION)
		x->sectioning--;
}

static const xmlNode *content_root(struct hx *x, const xmlNode *html)
{
	const xmlNode *body = NULL;

	for (const xmlNode *c = html->children; c; c = c->next)
		if (hx_is(c, "body"))
			body = c;
	if (!body)
		return html;
	x->sectioning = 0;
	hx_walk(x, body, find_enter, find_leave);
	x->sectioning = 0;
	if (x->found_main)
		return x->found_main;
	if (x->articles == 1)
		return x->found_article;
	return body;
}

/* ---- blocks ------------------------------------------------------------------------------------- */

static void end_block(struct hx *x)
{
	struct html_doc *d = x->doc;
	const struct hx_open *o = x->nopen > 0 ? &x->open[x->nopen - 1] : NULL;
	bool cut = x->tb.cut;
	char *text = ht_take(&x->tb, &x->oom);
	struct html_block *b;
	size_t len;

	if (cut)
		d->truncated = true;
	if (!text)
		return;
	len = strlen(text);
	if (d->nblocks >= HTML_MAX_BLOCKS || x->text_total + len > HTML_MAX_TEXT ||
	    !(b = hx_grow(x, d->blocks, d->nblocks, &x->cap_blocks, sizeof *d->blocks))) {
		if (!x->oom)
			d->truncated = true;
		free(text);
		return;
	}
	d->blocks = b;
	x->text_total += len;
	b = &d->blocks[d->nblocks++];
	b->kind = o ? (enum html_block_kind)o->kind : HTML_PARAGRAPH;
	b->level = o && o->kind == HTML_HEADING ? o->level : 0;
	b->text = text;
}

static void open_block(struct hx *x, const xmlNode *n, unsigned f)
{
	struct hx_open *o;
	const struct hx_open *up = x->nopen > 0 ? &x->open[x->nopen - 1] : NULL;

	end_block(x);
	if (x->nopen >= (int)(sizeof x->open / sizeof x->open[0]))
		return; /* cannot happen: hx_walk stops at HTML_MAX_DEPTH */
	o = &x->open[x->nopen++];
	o->node = n;
	o->level = 0;
	if (f & F_HEADING) {
		o->kind = HTML_HEADING;
		o->level = (unsigned char)(n->name[1] - '0');
	} else if (f & F_ITEM) {
		o->kind = HTML_LIST_ITEM;
	} else if (f & F_ROW) {
		o->kind = HTML_TABLE_ROW;
		x->in_row++;
	} else if (up && (up->kind == HTML_LIST_ITEM || up->kind == HTML_HEADING)) {
		o->kind = up->kind;
		o->level = up->level;
	} else {
		o->kind = HTML_PARAGRAPH;
	}
}

static bool content_enter(struct hx *x, const xmlNode *n)
{
	unsigned f;

	if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
		if (n->content)
			ht_text(&x->tb, (const char *)n->content, strlen((const char *)n->content));
		return false;
	}
	if (n->type != XML_ELEMENT_NODE)
		return false;
	f = elem_flags(n);
	if (n != x->root && dropped(x, n, f)) {
		ht_space(&x->tb);
		return false;
	}
	if (hx_is(n, "br")) {
		ht_break(&x->tb);
		return false;
	}
	if (f & F_SECTION)
		x->sectioning++;
	if (f & F_PRE)
		x->tb.pre = ++x->in_pre > 0;
	if (!(f & F_BLOCK))
		return true;
	if (x->in_row > 0) {
		if (f & F_CELL)
			ht_sep(&x->tb, " | ");
		else
			ht_space(&x->tb);
	} else if (!(f & F_ROW) || !layout_row(n)) {
		open_block(x, n, f);
	} else {
		open_block(x, n, F_BLOCK);
	}
	return true;
}

static void content_leave(struct hx *x, const xmlNode *n)
{
	unsigned f = elem_flags(n);

	if (f & F_SECTION)
		x->sectioning--;
	if (f & F_PRE)
		x->tb.pre = --x->in_pre > 0;
	if (!(f & F_BLOCK))
		return;
	if (x->nopen > 0 && x->open[x->nopen - 1].node == n) {
		end_block(x);
		if (x->open[x->nopen - 1].kind == HTML_TABLE_ROW && (f & F_ROW))
			x->in_row--;
		x->nopen--;
	} else if (x->in_row > 0 && !(f & F_CELL)) {
		ht_space(&x->tb);
	}
}

/* ---- character set ------------------------------------------------------------------------------ */

static bool label_in(const char *label, const char *const *names)
{
	for (; *names; names++)
		if (strcmp(label, *names) == 0)
			return true;
	return false;
}

/* The encoding name to give libxml2 for a charset label (lower-cased in place), or NULL for one that
 * is not a plausible encoding name. Latin-1 labels all become ISO-8859-1, which libxml2 decodes itself
 * without failing on any byte; ht_text then reads U+0080–U+009F as windows-1252. */
static const char *charset_name(char *label)
{
	static const char *const utf8[] = { "utf-8", "utf8", "unicode-1-1-utf-8", "utf-16", "utf-16le",
					    "utf-16be", "unicode", NULL };
	static const char *const latin1[] = { "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1",
					      "us-ascii", "ascii", "windows-1252", "cp1252", "x-cp1252",
					      "cp819", "ibm819", "iso-ir-100", "csisolatin1", "iso88591", NULL };

	for (char *p = label; *p; p++) {
		*p = hx_lower(*p);
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("-_.:", *p)))
			return NULL;
	}
	if (!*label)
		return NULL;
	if (label_in(label, utf8))
		return "UTF-8";
	if (label_in(label, latin1))
		return "ISO-8859-1";
	return label;
}

/* The charset declared by a <meta> in s[0..n): the label after "charset=" inside a <meta ...> tag. */
static const char *meta_charset(const char *s, size_t n, char *buf, size_t bufsz)
{
	for (size_t i = 0; i + 5 < n; i++) {
		size_t end, j;

		if (s[i] != '<' || hx_lower(s[i + 1]) != 'm' || hx_lower(s[i + 2]) != 'e' || hx_lower(s[i + 3]) != 't' ||
		    hx_lower(s[i + 4]) != 'a')
			continue;
		for (end = i; end < n && s[end] != '>'; end++)
			;
		for (j = i + 5; j + 7 <= end; j++) {
			size_t k = 0, m = 0;

			while (k < 7 && hx_lower(s[j + k]) == "charset"[k])
				k++;
			if (k < 7)
				continue;
			j += 7;
			while (j < end && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r'))
				j++;
			if (j >= end || s[j] != '=')
				continue;
			j++;
			while (j < end && (s[j] == ' ' || s[j] == '"' || s[j] == '\''))
				j++;
			while (j < end && m + 1 < bufsz && !strchr(" \t\r\n\"';/>", s[j]))
				buf[m++] = s[j++];
			buf[m] = '\0';
			if (m > 0)
				return charset_name(buf);
		}
	}
	return NULL;
}

static const char *choose_charset(const char *s, size_t n, char *buf, size_t bufsz)
{
	const unsigned char *u = (const unsigned char *)s;
	const char *cs;

	if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
		return "UTF-8";
	if (n >= 2 && u[0] == 0xFE && u[1] == 0xFF)
		return "UTF-16BE";
	if (n >= 2 && u[0] == 0xFF && u[1] == 0xFE)
		return "UTF-16LE";
	cs = meta_charset(s, n < SNIFF_BYTES ? n : SNIFF_BYTES, buf, bufsz);
	if (cs)
		return cs;
	return hx_utf8_valid(s, n) ? "UTF-8" : "ISO-8859-1";
}

/* ---- entry points ------------------------------------------------------------------------------- */

void html_text_init(void)
{
	xmlInitParser();
}

static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void set_err(char *err, size_t errlen, const char *msg)
{
	if (err && errlen > 0)
		snprintf(err, errlen, "%s", msg);
}

int html_extract(const char *html, size_t len, const char *page_url, struct html_doc *out, char *err,
		 size_t errlen)
{
	struct hx *x;
	htmlDocPtr doc = NULL;
	const xmlNode *top;
	char label[48];
	const char *cs;
	bool empty = true;
	xmlGenericErrorFunc old_fn;
	void *old_ctx;

	if (err && errlen > 0)
		err[0] = '\0';
	if (!out) {
		set_err(err, errlen, "html_extract: no output");
		return -1;
	}
	*out = (struct html_doc){ 0 };
	if (!html && len > 0) {
		set_err(err, errlen, "html_extract: no input");
		return -1;
	}
	if (len > HTML_MAX_INPUT) {
		len = HTML_MAX_INPUT;
		while (len > HTML_MAX_INPUT - 4 && ((unsigned char)html[len] & 0xC0) == 0x80)
			len--;
		out->truncated = true;
	}
	for (size_t i = 0; i < len && empty; i++)
		empty = html[i] == ' ' || html[i] == '\t' || html[i] == '\n' || html[i] == '\r';
	if (empty)
		return 0;

	x = calloc(1, sizeof *x);
	if (!x) {
		set_err(err, errlen, "html_extract: out of memory");
		return -1;
	}
	x->doc = out;
	html_text_init();
	cs = choose_charset(html, len, label, sizeof label);
	/* Encoding errors go to libxml2's generic error handler whatever the options say: silence it for
	 * this thread (libxml2 keeps it per thread) while parsing. */
	old_fn = xmlGenericError;
	old_ctx = xmlGenericErrorContext;
	xmlSetGenericErrorFunc(NULL, quiet);
	doc = htmlReadMemory(html, (int)len, NULL, cs ? cs : "UTF-8",
			     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
				     HTML_PARSE_COMPACT | HTML_PARSE_IGNORE_ENC);
	xmlSetGenericErrorFunc(old_ctx, old_fn);
	top = doc ? xmlDocGetRootElement(doc) : NULL;
	if (top) {
		hx_find_base(x, top, page_url);
		hx_collect_facts(x, top);
		x->root = content_root(x, top);
		ht_init(&x->tb, HTML_MAX_BLOCK_TEXT);
		hx_walk(x, x->root, content_enter, content_leave);
		end_block(x);
	}
	if (doc)
		xmlFreeDoc(doc);
	strbuf_free(&x->tb.b);
	free(x->link_slots);
	free(x->meta_lang);
	if (x->oom) {
		free(x);
		html_doc_clear(out);
		set_err(err, errlen, "html_extract: out of memory");
		return -1;
	}
	free(x);
	return 0;
}

void html_doc_clear(struct html_doc *d)
{
	if (!d)
		return;
	free(d->title);
	free(d->lang);
	free(d->description);
	free(d->canonical);
	free(d->base);
	free(d->theme_color);
	free(d->og_image);
	free(d->og_site_name);
	free(d->og_title);
	for (size_t i = 0; i < d->nblocks; i++)
		free(d->blocks[i].text);
	free(d->blocks);
	for (size_t i = 0; i < d->nlinks; i++) {
		free(d->links[i].url);
		free(d->links[i].text);
	}
	free(d->links);
	for (size_t i = 0; i < d->nemails; i++) {
		free(d->emails[i].value);
		free(d->emails[i].text);
	}
	free(d->emails);
	for (size_t i = 0; i < d->nphones; i++) {
		free(d->phones[i].value);
		free(d->phones[i].text);
	}
	free(d->phones);
	for (size_t i = 0; i < d->njson_ld; i++)
		free(d->json_ld[i]);
	free(d->json_ld);
	for (size_t i = 0; i < d->nmicrodata; i++) {
		free(d->microdata[i].type);
		free(d->microdata[i].prop);
		free(d->microdata[i].value);
	}
	free(d->microdata);
	for (size_t i = 0; i < d->nmeta; i++) {
		free(d->meta[i].name);
		free(d->meta[i].content);
	}
	free(d->meta);
	for (size_t i = 0; i < d->nicons; i++)
		free(d->icons[i].url);
	free(d->icons);
	*d = (struct html_doc){ 0 };
}

/* Appends s with its line breaks made spaces. */
static void add_flat(struct strbuf *b, const char *s)
{
	for (const char *p = s; *p;) {
		size_t k = strcspn(p, "\n");

		strbuf_add(b, p, k);
		p += k;
		if (*p) {
			strbuf_addc(b, ' ');
			p++;
		}
	}
}

char *html_doc_text(const struct html_doc *d)
{
	struct strbuf b = { .p = calloc(1, 64), .cap = 64 };

	if (!b.p)
		return NULL;
	for (size_t i = 0; i < d->nblocks; i++) {
		const struct html_block *k = &d->blocks[i];

		if (i > 0) {
			bool tight = k->kind == d->blocks[i - 1].kind &&
				     (k->kind == HTML_LIST_ITEM || k->kind == HTML_TABLE_ROW);

			strbuf_add(&b, tight ? "\n" : "\n\n", tight ? 1 : 2);
		}
		switch (k->kind) {
		case HTML_HEADING:
			for (int l = 0; l < (k->level >= 1 && k->level <= 6 ? k->level : 1); l++)
				strbuf_addc(&b, '#');
			strbuf_addc(&b, ' ');
			add_flat(&b, k->text);
			break;
		case HTML_LIST_ITEM:
			strbuf_add(&b, "- ", 2);
			add_flat(&b, k->text);
			break;
		case HTML_TABLE_ROW:
			add_flat(&b, k->text);
			break;
		case HTML_PARAGRAPH:
		default:
			strbuf_add(&b, k->text, strlen(k->text));
			break;
		}
	}
	if (b.failed) {
		strbuf_free(&b);
		return NULL;
	}
	return b.p;
}
