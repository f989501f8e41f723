/*
 * html_int.h — what the HTML extraction files share (html_text.c: entry point and main text;
 * html_links.c: links and page facts; html_url.c: URL resolution; html_util.c: buffers, text cleaning,
 * tree helpers): a byte buffer, a text accumulator that cleans and collapses text, the tree walker,
 * attribute helpers, and the state of one extraction. Only for src/ingest/html_*.c.
 */
#ifndef BOTWERK_INGEST_HTML_INT_H
#define BOTWERK_INGEST_HTML_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "base/strbuf.h"
#include "ingest/html_text.h"

static inline char hx_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static inline bool hx_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool hx_is_hex(char c)
{
	return hx_is_digit(c) || (hx_lower(c) >= 'a' && hx_lower(c) <= 'f');
}

/* Text as it is read from the tree: UTF-8 made valid (bad bytes → U+FFFD), NUL and control characters
 * dropped, U+0080–U+009F read as windows-1252, U+00A0 made a space, soft hyphen and zero-width spaces
 * removed, runs of white space collapsed to one space (none at the start; a trailing one is never
 * written), unless `raw`. */
struct htext {
	struct strbuf b;
	size_t max;      /* byte cap; the first character that would pass it sets `cut` and ends the text */
	bool cut;
	bool raw;        /* keep white space as it is (for ld+json) */
	bool pre;        /* a line feed is a line break (inside <pre>) */
	bool space;      /* a space is due before the next character */
	const char *sep; /* a separator is due instead (" | " between table cells) */
};

void ht_init(struct htext *t, size_t max);
void ht_text(struct htext *t, const char *s, size_t n);
void ht_space(struct htext *t);
void ht_sep(struct htext *t, const char *sep);
void ht_break(struct htext *t); /* "\n", unless the text is empty or already ends with one */
/* Hands over the text (trailing line breaks, and in raw mode trailing white space, removed); NULL when
 * it is empty, or when memory ran out (then *oom is set). Resets t, keeping max and raw. */
char *ht_take(struct htext *t, bool *oom);

/* One block level open in the content walk. */
struct hx_open {
	const xmlNode *node; /* the element that opened it */
	unsigned char kind;  /* enum html_block_kind */
	unsigned char level;
};

/* The state of one html_extract call. */
struct hx {
	struct html_doc *doc;
	const char *base; /* what relative URLs resolve against (doc->base or page_url); may be NULL */
	bool oom;         /* an allocation failed: the result is thrown away */
	int depth;        /* of the node hx_walk is at, below its root */

	/* page facts and links (html_links.c) */
	size_t cap_links, cap_emails, cap_phones, cap_json, cap_micro, cap_meta, cap_icons;
	int *link_slots; /* open-addressing hash of doc->links by URL: index, or -1 when free */
	char *meta_lang; /* <meta http-equiv=content-language>, used when <html> has no lang */
	int nscope;      /* open itemscope elements, innermost last */
	struct {
		const xmlNode *node;
		const char *type; /* its itemtype attribute, "" when none; points into the tree */
	} scope[HTML_MAX_DEPTH + 2];

	/* main text (html_text.c) */
	size_t cap_blocks, text_total;
	struct htext tb;  /* text of the block being read */
	int nopen;        /* block levels open */
	struct hx_open open[HTML_MAX_DEPTH + 2];
	int sectioning;   /* open article/main/section elements */
	int in_row;       /* open data table rows */
	int in_pre;       /* open pre elements */
	const xmlNode *root;       /* the content root */
	const xmlNode *found_main; /* set while looking for the content root */
	const xmlNode *found_article;
	int articles;
};

/* Called for each node hx_walk reaches; returns true to visit its children, after which `leave` is
 * called for it (leave is called exactly for the nodes whose enter returned true). */
typedef bool (*hx_enter_fn)(struct hx *x, const xmlNode *n);
typedef void (*hx_leave_fn)(struct hx *x, const xmlNode *n);

/* Pre-order walk of `root` and its descendants without recursion. Children below HTML_MAX_DEPTH are
 * not visited (doc->truncated is set). `leave` may be NULL. */
void hx_walk(struct hx *x, const xmlNode *root, hx_enter_fn enter, hx_leave_fn leave);

/* The value of attribute `name` (lower case) of element `n`: "" for an attribute without a value, NULL
 * when absent. Points into the tree. */
const char *hx_attr(const xmlNode *n, const char *name);
const char *hx_attr_value(const xmlAttr *a); /* the same for an attribute node */
bool hx_is(const xmlNode *n, const char *name); /* an element with that (lower-case) name */
bool hx_has_token(const char *list, const char *tok); /* white-space (or comma) separated, any case */
bool hx_contains_ci(const char *s, const char *needle); /* needle in lower case */

/* `s` cleaned as struct htext does it (collapsed unless raw) and capped at max bytes; NULL when the
 * result is empty, or when memory ran out (then x->oom is set). Sets doc->truncated when cut. */
char *hx_clean(struct hx *x, const char *s, size_t n, size_t max, bool raw);
/* The text of `n`'s subtree (script, style, template and svg left out), collapsed and capped at max
 * bytes; reads at most 4096 nodes. NULL when empty or out of memory (x->oom). */
char *hx_text_of(struct hx *x, const xmlNode *n, size_t max);
/* Whether s[0..n) is strict UTF-8. */
bool hx_utf8_valid(const char *s, size_t n);
/* A malloc'd copy of s (NULL → NULL); sets x->oom on failure. */
char *hx_strdup(struct hx *x, const char *s);
/* The array `arr` (n used, *cap allocated, `size` bytes each) with room for one more element: arr
 * itself or its reallocation. NULL when memory runs out (x->oom set; arr is then unchanged). */
void *hx_grow(struct hx *x, void *arr, size_t n, size_t *cap, size_t size);

/* html_url.c: html_url_resolve, reporting a failed allocation in *oom (NULL is returned then too). */
char *hx_resolve(const char *base, const char *ref, bool *oom);

/* html_links.c: finds the first <base href> under `root` and sets doc->base and x->base. */
void hx_find_base(struct hx *x, const xmlNode *root, const char *page_url);
/* html_links.c: title, lang, meta tags, canonical, icons, links, mailto/tel, ld+json and microdata
 * from the whole document below `root`. */
void hx_collect_facts(struct hx *x, const xmlNode *root);

#endif
