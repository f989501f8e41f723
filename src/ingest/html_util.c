/*
 * html_util.c — what the HTML extraction files share: the growable buffer, the text accumulator that
 * makes text valid, clean UTF-8 and collapses white space (struct htext), attribute and token helpers,
 * and the iterative tree walker (no recursion: libxml2 trees from hostile pages can be deep).
 */
#include "ingest/html_text.h"
#include "ingest/html_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"

#define TEXT_OF_MAX_NODES 4096

void ht_init(struct htext *t, size_t max)
{
	*t = (struct htext){ .max = max };
}

/* windows-1252 for 0x80–0x9F; 0 where it has no character (those are dropped). */
static const uint16_t cp1252[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152,
	0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161,
	0x203A, 0x0153, 0, 0x017E, 0x0178,
};

/* Appends visible characters (UTF-8 bytes), writing a due separator or space first. The text is cut
 * when they do not all fit. */
static void ht_put(struct htext *t, const char *u, size_t n)
{
	const char *pre = NULL;
	size_t pn = 0;

	if (t->cut)
		return;
	if (t->b.len > 0 && t->b.p[t->b.len - 1] != '\n') {
		if (t->sep) {
			pre = t->sep;
			pn = strlen(t->sep);
		} else if (t->space) {
			pre = " ";
			pn = 1;
		}
	}
	if (t->b.len + pn + n > t->max) {
		t->cut = true;
		return;
	}
	strbuf_add(&t->b, pre, pn);
	strbuf_add(&t->b, u, n);
	t->space = false;
	t->sep = NULL;
}

static size_t utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

void ht_text(struct htext *t, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < n && !t->cut && !t->b.failed) {
		uint32_t cp, was;
		size_t k;
		char enc[4];

		if (u[i] > 0x20 && u[i] < 0x7F) { /* a run of visible ASCII, the common case, in one go */
			size_t j = i + 1;

			while (j < n && u[j] > 0x20 && u[j] < 0x7F)
				j++;
			if (t->b.len + (t->sep ? strlen(t->sep) : 1) + (j - i) <= t->max) {
				ht_put(t, s + i, j - i);
				i = j;
				continue;
			}
		}
		k = utf8_decode(u + i, n - i, &cp);
		if (k == 0) {
			cp = 0xFFFD;
			k = 1;
		}
		was = cp;
		i += k;
		if (cp >= 0x80 && cp < 0xA0) {
			cp = cp1252[cp - 0x80];
			if (cp == 0)
				continue;
		}
		if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == 0xA0 ||
		    cp == 0x2028 || cp == 0x2029) {
			if (t->raw) {
				if (t->b.len > 0)
					ht_put(t, cp == '\n' || cp == '\r' || cp == '\t' ? (const char *)&u[i - 1] : " ", 1);
			} else if (t->pre && cp == '\n') {
				ht_break(t);
			} else if (!t->sep) {
				t->space = true;
			}
			continue;
		}
		if (cp < 0x20 || cp == 0x7F || cp == 0xAD || cp == 0x200B || cp == 0x2060 || cp == 0xFEFF)
			continue;
		if (cp == was && k > 0 && !(k == 1 && u[i - 1] >= 0x80))
			ht_put(t, (const char *)&u[i - k], k); /* valid and unchanged */
		else
			ht_put(t, enc, utf8_encode(cp, enc));
	}
}

void ht_space(struct htext *t)
{
	if (!t->sep)
		t->space = true;
}

void ht_sep(struct htext *t, const char *sep)
{
	t->sep = sep;
	t->space = false;
}

void ht_break(struct htext *t)
{
	if (t->cut || t->b.len == 0 || t->b.p[t->b.len - 1] == '\n')
		return;
	strbuf_addc(&t->b, '\n');
	t->space = false;
	t->sep = NULL;
}

char *ht_take(struct htext *t, bool *oom)
{
	char *p = NULL;

	if (t->b.failed) {
		*oom = true;
		strbuf_free(&t->b);
	} else {
		while (t->b.len > 0 && (t->b.p[t->b.len - 1] == '\n' ||
					(t->raw && strchr(" \t\r", t->b.p[t->b.len - 1]))))
			t->b.p[--t->b.len] = '\0';
		if (t->b.len > 0)
			p = t->b.p;
		else
			free(t->b.p);
	}
	t->b = (struct strbuf){ 0 };
	t->cut = t->space = false;
	t->sep = NULL;
	return p;
}

/* ---- helpers ----------------------------------------------------------- */

char *hx_clean(struct hx *x, const char *s, size_t n, size_t max, bool raw)
{
	struct htext t;

	ht_init(&t, max);
	t.raw = raw;
	ht_text(&t, s, n);
	if (t.cut)
		x->doc->truncated = true;
	return ht_take(&t, &x->oom);
}

char *hx_strdup(struct hx *x, const char *s)
{
	char *p;

	if (!s)
		return NULL;
	p = strdup(s);
	if (!p)
		x->oom = true;
	return p;
}

void *hx_grow(struct hx *x, void *arr, size_t n, size_t *cap, size_t size)
{
	size_t c;
	void *p;

	if (n < *cap)
		return arr;
	c = *cap ? *cap * 2 : 8;
	p = realloc(arr, c * size);
	if (!p) {
		x->oom = true;
		return NULL;
	}
	*cap = c;
	return p;
}

const char *hx_attr_value(const xmlAttr *a)
{
	if (a->children && (a->children->type == XML_TEXT_NODE || a->children->type == XML_CDATA_SECTION_NODE) &&
	    a->children->content)
		return (const char *)a->children->content;
	return "";
}

const char *hx_attr(const xmlNode *n, const char *name)
{
	for (const xmlAttr *a = n->properties; a; a = a->next)
		if (a->name && strcmp((const char *)a->name, name) == 0)
			return hx_attr_value(a);
	return NULL;
}

bool hx_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->name && strcmp((const char *)n->name, name) == 0;
}

static bool list_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == ',';
}

bool hx_has_token(const char *list, const char *tok)
{
	size_t tl = strlen(tok);

	if (!list)
		return false;
	while (*list) {
		size_t k = 0;

		while (list_space(*list))
			list++;
		while (list[k] && !list_space(list[k]))
			k++;
		if (k == tl) {
			size_t j = 0;

			while (j < k && hx_lower(list[j]) == tok[j])
				j++;
			if (j == k)
				return true;
		}
		list += k;
	}
	return false;
}

bool hx_contains_ci(const char *s, const char *needle)
{
	size_t nl = strlen(needle);

	if (!s)
		return false;
	for (; *s; s++) {
		size_t j = 0;

		while (j < nl && s[j] && hx_lower(s[j]) == needle[j])
			j++;
		if (j == nl)
			return true;
	}
	return false;
}

void hx_walk(struct hx *x, const xmlNode *root, hx_enter_fn enter, hx_leave_fn leave)
{
	const xmlNode *n = root;
	int top = x->depth;

	while (n) {
		bool down = enter(x, n);

		if (down && n->children) {
			if (x->depth - top < HTML_MAX_DEPTH) {
				x->depth++;
				n = n->children;
				continue;
			}
			x->doc->truncated = true;
		}
		if (down && leave)
			leave(x, n);
		while (n != root && !n->next) {
			n = n->parent;
			x->depth--;
			if (leave)
				leave(x, n);
		}
		if (n == root)
			break;
		n = n->next;
	}
	x->depth = top;
}

char *hx_text_of(struct hx *x, const xmlNode *top, size_t max)
{
	struct htext t;
	const xmlNode *n = top->children;
	int budget = TEXT_OF_MAX_NODES;

	ht_init(&t, max);
	while (n && budget-- > 0 && !t.cut) {
		bool skip = hx_is(n, "script") || hx_is(n, "style") || hx_is(n, "template") || hx_is(n, "svg");

		if (n->type == XML_TEXT_NODE && n->content)
			ht_text(&t, (const char *)n->content, strlen((const char *)n->content));
		else if (hx_is(n, "br"))
			ht_space(&t);
		if (n->type == XML_ELEMENT_NODE && n->children && !skip) {
			n = n->children;
			continue;
		}
		while (n != top && !n->next)
			n = n->parent;
		n = n == top ? NULL : n->next;
	}
	return ht_take(&t, &x->oom);
}

bool hx_utf8_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t k;

		if (u[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8_decode(u + i, n - i, &cp);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}
