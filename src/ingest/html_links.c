/*
 * html_links.c — the page facts html_extract gathers from the whole document: title, lang, meta tags,
 * robots flags, canonical and base URL, icons and logos, links, mailto:/tel: contacts, ld+json
 * scripts and microdata.
 *
 * The facts come from one walk over the tree (hx_collect_facts); svg, math, style and template
 * subtrees are skipped (an svg <title> is not the page's). URLs are resolved with hx_resolve
 * (html_url.c). Links are de-duplicated through a small open-addressing hash of the URLs already kept.
 */
#include "ingest/html_text.h"
#include "ingest/html_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LINK_SLOTS 4096 /* power of two, more than twice HTML_MAX_LINKS */
#define CONTACT_MAX 256 /* bytes of one address or number */

/* ref resolved against the page's base, when it is an http(s) URL of at most HTML_MAX_URL bytes. */
static char *resolve_http(struct hx *x, const char *ref)
{
	char *u;

	if (!ref)
		return NULL;
	u = hx_resolve(x->base, ref, &x->oom);
	if (u && (strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0) && strlen(u) <= HTML_MAX_URL)
		return u;
	free(u);
	return NULL;
}

/* ---- base --------------------------------------------------------------------------------------- */

static bool base_enter(struct hx *x, const xmlNode *n)
{
	const char *href;

	if (x->doc->base || n->type != XML_ELEMENT_NODE)
		return false;
	if (hx_is(n, "body"))
		return false;
	if (hx_is(n, "base") && (href = hx_attr(n, "href")) != NULL) {
		x->doc->base = hx_resolve(x->base, href, &x->oom);
		if (x->doc->base && strlen(x->doc->base) > HTML_MAX_URL) {
			free(x->doc->base);
			x->doc->base = NULL;
			x->doc->truncated = true;
		}
		return false;
	}
	return true;
}

void hx_find_base(struct hx *x, const xmlNode *root, const char *page_url)
{
	x->base = page_url;
	hx_walk(x, root, base_enter, NULL);
	if (x->doc->base)
		x->base = x->doc->base;
}

/* ---- facts -------------------------------------------------------------------------------------- */

/* Sets *field to the cleaned value when it is still unset. */
static void set_once(struct hx *x, char **field, const char *v)
{
	if (!*field && v)
		*field = hx_clean(x, v, strlen(v), HTML_MAX_FIELD, false);
}

static void lower_ascii(char *s)
{
	for (; s && *s; s++)
		*s = hx_lower(*s);
}

/* The larger number of a sizes attribute's first "WxH" (0 when none). */
static int icon_size(const char *sizes)
{
	long w = 0, h = 0;

	if (!sizes)
		return 0;
	while (*sizes == ' ')
		sizes++;
	for (; hx_is_digit(*sizes) && w < 100000; sizes++)
		w = w * 10 + (*sizes - '0');
	if (hx_lower(*sizes) != 'x')
		return 0;
	for (sizes++; hx_is_digit(*sizes) && h < 100000; sizes++)
		h = h * 10 + (*sizes - '0');
	return (int)(w > h ? w : h);
}

/* Adds an icon with URL u (taken over; NULL is ignored). */
static void add_icon(struct hx *x, enum html_icon_kind kind, char *u, int size)
{
	struct html_doc *d = x->doc;
	struct html_icon *grown;

	if (!u)
		return;
	for (size_t i = 0; i < d->nicons; i++) {
		if (strcmp(d->icons[i].url, u) == 0) {
			free(u);
			return;
		}
	}
	if (d->nicons >= HTML_MAX_ICONS ||
	    !(grown = hx_grow(x, d->icons, d->nicons, &x->cap_icons, sizeof *d->icons))) {
		d->truncated = d->truncated || !x->oom;
		free(u);
		return;
	}
	d->icons = grown;
	d->icons[d->nicons++] = (struct html_icon){ .kind = kind, .url = u, .size = size };
}

static void do_meta(struct hx *x, const xmlNode *n)
{
	struct html_doc *d = x->doc;
	const char *name = hx_attr(n, "name"), *content = hx_attr(n, "content");
	char *key, *val;
	struct html_meta *grown;

	if (!name || !*name)
		name = hx_attr(n, "property");
	if (!content)
		return;
	if (!name || !*name) {
		if (hx_contains_ci(hx_attr(n, "http-equiv"), "content-language") && !x->meta_lang)
			x->meta_lang = hx_clean(x, content, strlen(content), HTML_MAX_FIELD, false);
		return;
	}
	key = hx_clean(x, name, strlen(name), HTML_MAX_FIELD, false);
	if (!key)
		return;
	lower_ascii(key);
	if (strcmp(key, "description") == 0) {
		set_once(x, &d->description, content);
	} else if (strcmp(key, "robots") == 0) {
		d->noindex = d->noindex || hx_has_token(content, "noindex") || hx_has_token(content, "none");
		d->nofollow = d->nofollow || hx_has_token(content, "nofollow") || hx_has_token(content, "none");
	} else if (strcmp(key, "theme-color") == 0) {
		set_once(x, &d->theme_color, content);
	} else if (strcmp(key, "og:image") == 0 || strcmp(key, "og:image:url") == 0) {
		if (!d->og_image)
			d->og_image = resolve_http(x, content);
	} else if (strcmp(key, "og:site_name") == 0) {
		set_once(x, &d->og_site_name, content);
	} else if (strcmp(key, "og:title") == 0) {
		set_once(x, &d->og_title, content);
	}
	val = hx_clean(x, content, strlen(content), HTML_MAX_FIELD, false);
	if (!val || d->nmeta >= HTML_MAX_META ||
	    !(grown = hx_grow(x, d->meta, d->nmeta, &x->cap_meta, sizeof *d->meta))) {
		d->truncated = d->truncated || (val && !x->oom);
		free(key);
		free(val);
		return;
	}
	d->meta = grown;
	d->meta[d->nmeta++] = (struct html_meta){ .name = key, .content = val };
}

static void do_link(struct hx *x, const xmlNode *n)
{
	const char *rel = hx_attr(n, "rel"), *href = hx_attr(n, "href");

	if (!rel || !href)
		return;
	if (hx_has_token(rel, "canonical") && !x->doc->canonical)
		x->doc->canonical = resolve_http(x, href);
	if (hx_has_token(rel, "icon"))
		add_icon(x, HTML_ICON_FAVICON, resolve_http(x, href), icon_size(hx_attr(n, "sizes")));
	if (hx_has_token(rel, "apple-touch-icon") || hx_has_token(rel, "apple-touch-icon-precomposed"))
		add_icon(x, HTML_ICON_APPLE_TOUCH, resolve_http(x, href), icon_size(hx_attr(n, "sizes")));
}

static void do_img(struct hx *x, const xmlNode *n)
{
	static const char *const where[] = { "class", "id", "alt", "src" };
	bool logo = false;
	const char *w = hx_attr(n, "width"), *h = hx_attr(n, "height");
	int size = 0;
	char *u;

	for (size_t i = 0; i < 4 && !logo; i++)
		logo = hx_contains_ci(hx_attr(n, where[i]), "logo");
	if (!logo)
		return;
	if (w && h) {
		long a = strtol(w, NULL, 10), b = strtol(h, NULL, 10);

		size = a > b ? (int)(a < 100000 ? a : 0) : (int)(b < 100000 ? b : 0);
		size = size > 0 ? size : 0;
	}
	u = resolve_http(x, hx_attr(n, "src")); /* lazy loading: src is often a placeholder */
	if (!u)
		u = resolve_http(x, hx_attr(n, "data-src"));
	add_icon(x, HTML_ICON_LOGO, u, size);
}

static void do_json_ld(struct hx *x, const xmlNode *n)
{
	struct html_doc *d = x->doc;
	const char *type = hx_attr(n, "type");
	struct strbuf raw = { 0 };
	char *text;

	while (type && (*type == ' ' || *type == '\t'))
		type++;
	if (!type || strncasecmp(type, "application/ld+json", 19) != 0 ||
	    (type[19] && !strchr(" \t;", type[19])))
		return;
	for (const xmlNode *c = n->children; c; c = c->next) {
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
			strbuf_add(&raw, (const char *)c->content, strlen((const char *)c->content));
		if (raw.len > HTML_MAX_JSON_LD_BYTES)
			break;
	}
	if (raw.failed) {
		x->oom = true;
	} else if (raw.len > HTML_MAX_JSON_LD_BYTES || d->njson_ld >= HTML_MAX_JSON_LD) {
		d->truncated = true;
	} else if (raw.len > 0 && (text = hx_clean(x, raw.p, raw.len, HTML_MAX_JSON_LD_BYTES, true)) != NULL) {
		char **grown = hx_grow(x, d->json_ld, d->njson_ld, &x->cap_json, sizeof *d->json_ld);

		if (grown) {
			d->json_ld = grown;
			d->json_ld[d->njson_ld++] = text;
		} else {
			free(text);
		}
	}
	strbuf_free(&raw);
}

/* The text a link shows: its own text, else aria-label, title, or the alt of an image in it; "" when
 * none. NULL only when memory runs out. */
static char *anchor_text(struct hx *x, const xmlNode *a)
{
	char *t = hx_text_of(x, a, HTML_MAX_ANCHOR);
	const char *alt = hx_attr(a, "aria-label");
	int budget = 64;

	if (t || x->oom)
		return t;
	if (!alt || !*alt)
		alt = hx_attr(a, "title");
	for (const xmlNode *n = a->children; n && (!alt || !*alt) && budget-- > 0;) {
		if (hx_is(n, "img"))
			alt = hx_attr(n, "alt");
		if (n->type == XML_ELEMENT_NODE && n->children) {
			n = n->children;
			continue;
		}
		while (n != a && !n->next)
			n = n->parent;
		n = n == a ? NULL : n->next;
	}
	if (alt && *alt)
		t = hx_clean(x, alt, strlen(alt), HTML_MAX_ANCHOR, false);
	if (!t && !x->oom)
		t = hx_strdup(x, "");
	return t;
}

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void add_link(struct hx *x, const xmlNode *a, char *url)
{
	struct html_doc *d = x->doc;
	uint32_t slot;
	struct html_link *l;

	if (!x->link_slots) {
		x->link_slots = malloc(LINK_SLOTS * sizeof *x->link_slots);
		if (!x->link_slots) {
			x->oom = true;
			free(url);
			return;
		}
		for (size_t i = 0; i < LINK_SLOTS; i++)
			x->link_slots[i] = -1;
	}
	for (slot = hash_str(url) & (LINK_SLOTS - 1); x->link_slots[slot] >= 0;
	     slot = (slot + 1) & (LINK_SLOTS - 1)) {
		l = &d->links[x->link_slots[slot]];
		if (strcmp(l->url, url) == 0) {
			free(url);
			if (!*l->text) {
				char *t = anchor_text(x, a);

				if (t) {
					free(l->text);
					l->text = t;
				}
			}
			return;
		}
	}
	if (d->nlinks >= HTML_MAX_LINKS) {
		d->truncated = true;
		free(url);
		return;
	}
	l = hx_grow(x, d->links, d->nlinks, &x->cap_links, sizeof *d->links);
	if (!l) {
		free(url);
		return;
	}
	d->links = l;
	l = &d->links[d->nlinks];
	l->url = url;
	l->nofollow = hx_has_token(hx_attr(a, "rel"), "nofollow");
	l->text = anchor_text(x, a);
	if (!l->text) {
		free(url);
		return;
	}
	x->link_slots[slot] = (int)d->nlinks++;
}

static int hex_val(char c)
{
	return hx_is_digit(c) ? c - '0' : hx_lower(c) - 'a' + 10;
}

/* One mailto: address or tel: number (v: percent-decoded part, n bytes) with the link's text. */
static void add_contact(struct hx *x, bool mail, const char *v, size_t n, const xmlNode *a)
{
	struct html_doc *d = x->doc;
	struct html_contact **list = mail ? &d->emails : &d->phones;
	size_t *count = mail ? &d->nemails : &d->nphones, *cap = mail ? &x->cap_emails : &x->cap_phones;
	char *val = hx_clean(x, v, n, CONTACT_MAX, false), *text;
	struct html_contact *grown;
	int digits = 0;

	if (!val)
		return;
	for (const char *p = val; *p; p++)
		digits += hx_is_digit(*p);
	if (mail ? !strchr(val, '@') || strchr(val, ' ') : digits < 3) {
		free(val);
		return;
	}
	for (size_t i = 0; i < *count; i++) {
		if (mail ? strcasecmp((*list)[i].value, val) == 0 : strcmp((*list)[i].value, val) == 0) {
			free(val);
			return;
		}
	}
	if (*count >= HTML_MAX_CONTACTS || !(grown = hx_grow(x, *list, *count, cap, sizeof **list))) {
		d->truncated = d->truncated || !x->oom;
		free(val);
		return;
	}
	*list = grown;
	text = anchor_text(x, a);
	if (!text) {
		free(val);
		return;
	}
	(*list)[(*count)++] = (struct html_contact){ .value = val, .text = text };
}

/* href after "mailto:" or "tel:": query cut, percent-decoded; mailto split at commas. */
static void do_contact(struct hx *x, bool mail, const char *v, const xmlNode *a)
{
	size_t n = strcspn(v, "?#");
	char *buf = malloc(n + 1);
	size_t k = 0, start = 0;

	if (!buf) {
		x->oom = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '%' && i + 2 < n && hx_is_hex(v[i + 1]) && hx_is_hex(v[i + 2])) {
			buf[k++] = (char)(hex_val(v[i + 1]) * 16 + hex_val(v[i + 2]));
			i += 2;
		} else {
			buf[k++] = v[i];
		}
	}
	for (size_t i = 0; i <= k; i++) {
		if (i == k || (mail && buf[i] == ',')) {
			if (i > start)
				add_contact(x, mail, buf + start, i - start, a);
			start = i + 1;
		}
	}
	free(buf);
}

static void do_anchor(struct hx *x, const xmlNode *a)
{
	const char *href = hx_attr(a, "href");

	if (!href)
		return;
	while (*href && (unsigned char)*href <= 0x20)
		href++;
	if (*href == '#')
		return; /* a place on this page */
	if (strncasecmp(href, "mailto:", 7) == 0) {
		do_contact(x, true, href + 7, a);
	} else if (strncasecmp(href, "tel:", 4) == 0) {
		do_contact(x, false, href + 4, a);
	} else {
		char *u = resolve_http(x, href);

		if (u)
			add_link(x, a, u);
	}
}

/* The value of an itemprop element, per the microdata rules for its element type. */
static char *item_value(struct hx *x, const xmlNode *n)
{
	static const char *const src[] = { "audio", "embed", "iframe", "img", "source", "track", "video", NULL };
	const char *url_attr = NULL, *v = NULL;
	char *u;

	if (hx_attr(n, "itemscope")) {
		v = hx_attr(n, "itemtype");
		return hx_clean(x, v ? v : "", v ? strlen(v) : 0, HTML_MAX_FIELD, false);
	}
	if (hx_is(n, "meta"))
		v = hx_attr(n, "content");
	else if (hx_is(n, "a") || hx_is(n, "area") || hx_is(n, "link"))
		url_attr = "href";
	else if (hx_is(n, "object"))
		url_attr = "data";
	else if (hx_is(n, "data") || hx_is(n, "meter"))
		v = hx_attr(n, "value");
	else if (hx_is(n, "time"))
		v = hx_attr(n, "datetime");
	for (size_t i = 0; src[i] && !url_attr && !v; i++)
		if (hx_is(n, src[i]))
			url_attr = "src";
	if (url_attr) {
		v = hx_attr(n, url_attr);
		if (!v)
			return NULL;
		u = hx_resolve(x->base, v, &x->oom);
		if (u && strlen(u) <= HTML_MAX_FIELD)
			return u;
		free(u);
	}
	if (v)
		return hx_clean(x, v, strlen(v), HTML_MAX_FIELD, false);
	return hx_text_of(x, n, HTML_MAX_FIELD);
}

static void do_itemprop(struct hx *x, const xmlNode *n, const char *props)
{
	struct html_doc *d = x->doc;
	const char *type = x->nscope > 0 ? x->scope[x->nscope - 1].type : "";
	char *value;

	if (d->nmicrodata >= HTML_MAX_MICRODATA) {
		d->truncated = true;
		return;
	}
	value = item_value(x, n);
	if (!value && hx_attr(n, "itemscope") && !x->oom)
		value = hx_strdup(x, "");
	if (!value)
		return;
	for (const char *p = props; *p && !x->oom;) {
		size_t k;
		struct html_microdata *m;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f')
			p++;
		for (k = 0; p[k] && !strchr(" \t\n\r\f", p[k]); k++)
			;
		if (k == 0)
			break;
		if (d->nmicrodata >= HTML_MAX_MICRODATA) {
			d->truncated = true;
			break;
		}
		m = hx_grow(x, d->microdata, d->nmicrodata, &x->cap_micro, sizeof *d->microdata);
		if (!m)
			break;
		d->microdata = m;
		m = &d->microdata[d->nmicrodata];
		m->prop = hx_clean(x, p, k, HTML_MAX_FIELD, false);
		m->type = hx_clean(x, type, strlen(type), HTML_MAX_FIELD, false);
		m->value = hx_strdup(x, value);
		if (!m->type && !x->oom)
			m->type = hx_strdup(x, "");
		if (m->prop && m->type && m->value) {
			d->nmicrodata++;
		} else {
			free(m->prop);
			free(m->type);
			free(m->value);
		}
		p += k;
	}
	free(value);
}

static bool facts_enter(struct hx *x, const xmlNode *n)
{
	struct html_doc *d = x->doc;
	const char *props;

	if (n->type != XML_ELEMENT_NODE || !n->name)
		return false;
	if (hx_is(n, "svg") || hx_is(n, "math") || hx_is(n, "style") || hx_is(n, "template"))
		return false;
	props = hx_attr(n, "itemprop");
	if (props && *props)
		do_itemprop(x, n, props);
	if (hx_is(n, "html")) {
		set_once(x, &d->lang, hx_attr(n, "lang"));
	} else if (hx_is(n, "title")) {
		if (!d->title)
			d->title = hx_text_of(x, n, HTML_MAX_FIELD);
		return false;
	} else if (hx_is(n, "meta")) {
		do_meta(x, n);
		return false;
	} else if (hx_is(n, "link")) {
		do_link(x, n);
		return false;
	} else if (hx_is(n, "script")) {
		do_json_ld(x, n);
		return false;
	} else if (hx_is(n, "a") || hx_is(n, "area")) {
		do_anchor(x, n);
	} else if (hx_is(n, "img")) {
		do_img(x, n);
	}
	if (hx_attr(n, "itemscope") && x->nscope < (int)(sizeof x->scope / sizeof x->scope[0])) {
		const char *t = hx_attr(n, "itemtype");

		x->scope[x->nscope].node = n;
		x->scope[x->nscope++].type = t ? t : "";
	}
	return true;
}

static void facts_leave(struct hx *x, const xmlNode *n)
{
	if (x->nscope > 0 && x->scope[x->nscope - 1].node == n)
		x->nscope--;
}

void hx_collect_facts(struct hx *x, const xmlNode *root)
{
	struct html_doc *d = x->doc;

	x->nscope = 0;
	hx_walk(x, root, facts_enter, facts_leave);
	if (!d->lang && x->meta_lang) {
		d->lang = x->meta_lang;
		x->meta_lang = NULL;
	}
}
