/*
 * robots.c — robots.txt parsing and path matching (RFC 9309). See robots.h for the contract.
 *
 * Owns: splitting the text into records, finding the groups that apply to one product token, keeping
 * their rules normalised (percent-encoding) and sorted so that the first matching rule is the one the
 * RFC's precedence picks, and matching a path against a pattern with "*" and "$".
 *
 * Patterns live in one growable byte buffer (offset and length per rule), so a file with thousands of
 * rules costs a handful of allocations. Matching uses the usual last-star backtracking, which is
 * O(pattern × path) at worst and needs no recursion, whatever a hostile file contains.
 */
#include "ingest/robots.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"

struct rule {
	size_t off, len; /* the normalised pattern in robots.pats, without a final "$" */
	size_t weight;   /* its length with the "$": the RFC's "most octets" */
	bool allow;
	bool anchored;   /* the pattern ended in "$" */
};

struct rules {
	struct rule *v;
	size_t n, cap;
	long delay_ms; /* -1: none */
};

struct robots {
	char *pats; /* every kept pattern, back to back (not NUL-terminated) */
	size_t pats_len, pats_cap;
	struct rule *rules; /* sorted: heavier first, allow before disallow */
	size_t nrules;
	long delay_ms;
	char **sitemaps;
	size_t nsitemaps;
	bool disallow_all;
};

/* ---- small helpers ------------------------------------------------------------------------------------ */

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

static bool unreserved(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '.' || c == '_' || c == '~';
}

/* Case-insensitive: does s[0..n) equal the NUL-terminated lower-case word w? */
static bool word_is(const char *s, size_t n, const char *w)
{
	size_t wn = strlen(w);
	if (n != wn)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)s[i]) != w[i])
			return false;
	return true;
}

/* Makes room for `more` bytes in r->pats. */
static bool pats_reserve(struct robots *r, size_t more)
{
	if (r->pats_cap - r->pats_len >= more)
		return true;
	size_t cap = r->pats_cap ? r->pats_cap : 256;
	while (cap - r->pats_len < more) {
		if (cap > SIZE_MAX / 2)
			return false;
		cap *= 2;
	}
	char *p = realloc(r->pats, cap);
	if (!p)
		return false;
	r->pats = p;
	r->pats_cap = cap;
	return true;
}

/* Appends s[0..n) normalised for comparison (see robots.h) to r->pats. With `pattern`, a "*" is kept
 * as the wildcard and runs of "*" become one (same meaning, less backtracking). Returns the number of
 * bytes written, or SIZE_MAX when memory runs out. */
static size_t put_normalised(struct robots *r, const char *s, size_t n, bool pattern)
{
	static const char hex[] = "0123456789ABCDEF";
	if (n == 0)
		return 0;
	if (n > SIZE_MAX / 3 || !pats_reserve(r, 3 * n))
		return SIZE_MAX;
	char *o = r->pats + r->pats_len;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%' && i + 2 < n && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
			int v = hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]);
			if (unreserved(v)) {
				o[k++] = (char)v;
			} else {
				o[k++] = '%';
				o[k++] = hex[v >> 4];
				o[k++] = hex[v & 15];
			}
			i += 2;
		} else if (c == '%' || c <= 0x20 || c >= 0x7f) {
			o[k++] = '%';
			o[k++] = hex[c >> 4];
			o[k++] = hex[c & 15];
		} else if (pattern && c == '*' && k > 0 && o[k - 1] == '*') {
			continue;
		} else {
			o[k++] = (char)c;
		}
	}
	return k;
}

/* ---- parsing ----------------------------------------------------------------------------------------- */

static bool rules_add(struct rules *l, struct rule ru)
{
	if (l->n >= ROBOTS_MAX_RULES)
		return true; /* ignored, see robots.h */
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct rule *v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return false;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = ru;
	return true;
}

/* Whether a user-agent value names `agent`: its product token (up to "/" or white space) equals it. */
static bool names_agent(const char *v, size_t n, const char *agent)
{
	size_t t = 0;
	while (t < n && v[t] != '/' && !is_space(v[t]))
		t++;
	size_t an = strlen(agent);
	if (an == 0 || t != an)
		return false;
	for (size_t i = 0; i < t; i++)
		if (lower((unsigned char)v[i]) != lower((unsigned char)agent[i]))
			return false;
	return true;
}

/* "1", "2.5", "0.25" seconds → milliseconds (capped); -1 when it is not such a number. */
static long parse_delay(const char *v, size_t n)
{
	size_t i = 0;
	long ms = 0;
	bool digits = false;
	for (; i < n && v[i] >= '0' && v[i] <= '9'; i++) {
		digits = true;
		if (ms <= ROBOTS_MAX_DELAY_MS)
			ms = ms * 10 + (v[i] - '0') * 1000L;
	}
	if (i < n && v[i] == '.') {
		long scale = 100;
		for (i++; i < n && v[i] >= '0' && v[i] <= '9'; i++) {
			digits = true;
			ms += (v[i] - '0') * scale;
			scale /= 10;
		}
	}
	if (!digits || i != n)
		return -1;
	return ms > ROBOTS_MAX_DELAY_MS ? ROBOTS_MAX_DELAY_MS : ms;
}

static bool add_sitemap(struct robots *r, const char *v, size_t n)
{
	if (n == 0 || n > ROBOTS_MAX_SITEMAP_URL || r->nsitemaps >= ROBOTS_MAX_SITEMAPS)
		return true;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return true; /* NUL or control characters: not a URL */
	if (!r->sitemaps) {
		r->sitemaps = calloc(ROBOTS_MAX_SITEMAPS, sizeof *r->sitemaps);
		if (!r->sitemaps)
			return false;
	}
	char *s = malloc(n + 1);
	if (!s)
		return false;
	memcpy(s, v, n);
	s[n] = '\0';
	r->sitemaps[r->nsitemaps++] = s;
	return true;
}

/* Normalises one allow/disallow value into r->pats and adds the rule to each list the current group
 * feeds. An empty value is no rule. */
static bool add_rule(struct robots *r, struct rules *mine, struct rules *star, bool to_mine, bool to_star,
		     bool allow, const char *v, size_t n)
{
	if (n == 0 || (!to_mine && !to_star))
		return true;
	bool anchored = v[n - 1] == '$';
	if (anchored)
		n--;
	size_t off = r->pats_len;
	if (n == 0 || (v[0] != '/' && v[0] != '*')) { /* "page.html", "$": read as starting with "/" */
		if (!pats_reserve(r, 1))
			return false;
		r->pats[r->pats_len++] = '/';
	}
	size_t k = put_normalised(r, v, n, true);
	if (k == SIZE_MAX)
		return false;
	r->pats_len += k;
	size_t len = r->pats_len - off;
	struct rule ru = {.off = off, .len = len, .weight = len + (anchored ? 1 : 0), .allow = allow,
			  .anchored = anchored};
	if (to_mine && !rules_add(mine, ru))
		return false;
	if (to_star && !rules_add(star, ru))
		return false;
	return true;
}

static int rule_order(const void *a, const void *b)
{
	const struct rule *x = a, *y = b;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	if (x->allow != y->allow)
		return x->allow ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off ? 1 : 0;
}

struct robots *robots_allow_all(void)
{
	struct robots *r = calloc(1, sizeof *r);
	if (r)
		r->delay_ms = -1;
	return r;
}

struct robots *robots_disallow_all(void)
{
	struct robots *r = robots_allow_all();
	if (r)
		r->disallow_all = true;
	return r;
}

void robots_free(struct robots *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nsitemaps; i++)
		free(r->sitemaps[i]);
	free(r->sitemaps);
	free(r->rules);
	free(r->pats);
	free(r);
}

struct robots *robots_parse(const char *text, size_t len, const char *agent)
{
	struct robots *r = robots_allow_all();
	if (!r)
		return NULL;
	if (!text)
		len = 0;
	if (!agent)
		agent = "";
	if (len > ROBOTS_MAX_BYTES) { /* drop the line the cap cuts, unless it ends right there */
		bool whole = text[ROBOTS_MAX_BYTES] == '\n' || text[ROBOTS_MAX_BYTES] == '\r';
		len = ROBOTS_MAX_BYTES;
		while (!whole && len > 0 && text[len - 1] != '\n' && text[len - 1] != '\r')
			len--;
	}
	size_t i = 0;
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		i = 3;

	struct rules mine = {.delay_ms = -1}, star = {.delay_ms = -1};
	bool have_mine = false;             /* some group names our agent */
	bool in_agents = false;             /* the last record was a user-agent line */
	bool cur_mine = false, cur_star = false; /* the current group feeds mine / star */
	bool ok = true;

	while (ok && i < len) {
		size_t start = i;
		while (i < len && text[i] != '\n' && text[i] != '\r')
			i++;
		size_t end = i;
		if (i < len && text[i] == '\r')
			i++;
		if (i < len && text[i] == '\n' && (i == end || text[i - 1] == '\r'))
			i++;
		const char *line = text + start;
		size_t n = end - start;
		const char *hash = memchr(line, '#', n);
		if (hash)
			n = (size_t)(hash - line);
		const char *colon = memchr(line, ':', n);
		if (!colon)
			continue;
		size_t ks = 0, ke = (size_t)(colon - line);
		while (ks < ke && is_space(line[ks]))
			ks++;
		while (ke > ks && is_space(line[ke - 1]))
			ke--;
		size_t vs = (size_t)(colon - line) + 1, ve = n;
		while (vs < ve && is_space(line[vs]))
			vs++;
		while (ve > vs && is_space(line[ve - 1]))
			ve--;
		const char *key = line + ks, *val = line + vs;
		size_t kn = ke - ks, vn = ve - vs;

		if (word_is(key, kn, "user-agent") || word_is(key, kn, "useragent") ||
		    word_is(key, kn, "user agent")) {
			if (!in_agents)
				cur_mine = cur_star = false;
			in_agents = true;
			if (names_agent(val, vn, agent))
				cur_mine = have_mine = true;
			else if (vn == 1 && val[0] == '*')
				cur_star = true;
		} else if (word_is(key, kn, "allow") || word_is(key, kn, "disallow")) {
			in_agents = false;
			ok = add_rule(r, &mine, &star, cur_mine, cur_star, kn == 5, val, vn);
		} else if (word_is(key, kn, "crawl-delay")) {
			in_agents = false;
			long d = parse_delay(val, vn);
			if (d >= 0 && cur_mine && d > mine.delay_ms)
				mine.delay_ms = d;
			if (d >= 0 && cur_star && d > star.delay_ms)
				star.delay_ms = d;
		} else if (word_is(key, kn, "sitemap") || word_is(key, kn, "site-map")) {
			ok = add_sitemap(r, val, vn);
		}
	}

	struct rules *use = have_mine ? &mine : &star;
	struct rules *drop = have_mine ? &star : &mine;
	free(drop->v);
	if (!ok) {
		free(use->v);
		robots_free(r);
		return NULL;
	}
	r->rules = use->v;
	r->nrules = use->n;
	r->delay_ms = use->delay_ms;
	if (r->nrules > 1)
		qsort(r->rules, r->nrules, sizeof *r->rules, rule_order);
	return r;
}

/* ---- matching ----------------------------------------------------------------------------------------- */

/* Whether pattern p[0..pn) ("*" wildcards) matches a prefix of s[0..sn), or all of it when anchored. */
static bool pattern_match(const char *p, size_t pn, bool anchored, const char *s, size_t sn)
{
	size_t pi = 0, si = 0;
	size_t star_p = SIZE_MAX, star_s = 0;
	while (si < sn) {
		if (pi < pn && p[pi] == '*') {
			star_p = ++pi;
			star_s = si;
		} else if (pi < pn && p[pi] == s[si]) {
			pi++;
			si++;
		} else if (pi == pn && !anchored) {
			return true;
		} else if (star_p != SIZE_MAX) {
			pi = star_p;
			si = ++star_s;
		} else {
			return false;
		}
	}
	while (pi < pn && p[pi] == '*')
		pi++;
	return pi == pn;
}

bool robots_allowed(const struct robots *r, const char *path_and_query)
{
	if (!r)
		return true;
	const char *path = path_and_query && *path_and_query ? path_and_query : "/";
	if (!strcmp(path, "/robots.txt"))
		return true;
	if (r->disallow_all)
		return false;
	if (r->nrules == 0)
		return true;

	/* Normalise the path the way the patterns were: into a scratch robots' buffer. */
	struct robots scratch = {0};
	size_t n = put_normalised(&scratch, path, strlen(path), false);
	bool allowed = true;
	if (n == SIZE_MAX) {
		allowed = false; /* out of memory: the safe answer */
	} else {
		for (size_t i = 0; i < r->nrules; i++) {
			const struct rule *ru = &r->rules[i];
			if (pattern_match(r->pats + ru->off, ru->len, ru->anchored, scratch.pats, n)) {
				allowed = ru->allow;
				break;
			}
		}
	}
	free(scratch.pats);
	return allowed;
}

long robots_crawl_delay_ms(const struct robots *r)
{
	return r ? r->delay_ms : -1;
}

size_t robots_sitemaps(const struct robots *r, const char *const **list)
{
	if (list)
		*list = r ? (const char *const *)r->sitemaps : NULL;
	return r ? r->nsitemaps : 0;
}

size_t robots_nrules(const struct robots *r)
{
	return r ? r->nrules : 0;
}
