/* router.c — route patterns split into segments at start; matching walks segments, no allocation. */
#include "http/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"

#define MAX_SEGMENTS 12

struct compiled {
	const struct route *route;
	int nseg;
	const char *seg[MAX_SEGMENTS]; /* NULL = parameter */
	size_t seglen[MAX_SEGMENTS];
};

struct router {
	struct compiled *rows;
	size_t n;
};

static int compile(const struct route *r, struct compiled *c, char *errbuf, size_t errlen)
{
	const char *p = r->pattern;
	int nparams = 0;
	c->route = r;
	c->nseg = 0;
	if (*p != '/')
		goto bad;
	while (*p == '/') {
		p++;
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == 0 && !end && c->nseg == 0)
			break; /* the root "/" */
		if (len == 0 || c->nseg == MAX_SEGMENTS)
			goto bad;
		if (p[0] == '{') {
			if (p[len - 1] != '}' || ++nparams > ROUTE_MAX_PARAMS)
				goto bad;
			c->seg[c->nseg] = NULL;
		} else {
			c->seg[c->nseg] = p;
		}
		c->seglen[c->nseg++] = len;
		p += len;
	}
	if (*p)
		goto bad;
	return 0;
bad:
	snprintf(errbuf, errlen, "malformed route pattern %s", r->pattern);
	return -1;
}

struct router *router_new(const struct route *const *tables, const size_t *counts, size_t ntables, char *errbuf,
			  size_t errlen)
{
	size_t total = 0;
	for (size_t t = 0; t < ntables; t++)
		total += counts[t];
	struct router *rt = calloc(1, sizeof *rt);
	if (!rt || !(rt->rows = calloc(total ? total : 1, sizeof *rt->rows))) {
		free(rt);
		snprintf(errbuf, errlen, "out of memory");
		return NULL;
	}
	for (size_t t = 0; t < ntables; t++)
		for (size_t i = 0; i < counts[t]; i++)
			if (compile(&tables[t][i], &rt->rows[rt->n++], errbuf, errlen) != 0) {
				router_free(rt);
				return NULL;
			}
	return rt;
}

void router_free(struct router *rt)
{
	if (rt) {
		free(rt->rows);
		free(rt);
	}
}

size_t router_count(const struct router *rt)
{
	return rt->n;
}

const struct route *router_at(const struct router *rt, size_t i)
{
	return rt->rows[i].route;
}

/* Percent-decodes src[0..len) into dst; -1 on a bad escape or a decoded '/' or NUL. */
static int decode(const char *src, size_t len, char *dst, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		char ch = src[i];
		if (ch == '%') {
			if (i + 2 >= len)
				return -1;
			int hi = hex_value(src[i + 1]), lo = hex_value(src[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			ch = (char)(hi * 16 + lo);
			if (ch == '/' || ch == '\0')
				return -1;
			i += 2;
		}
		if (o + 1 >= cap)
			return -1;
		dst[o++] = ch;
	}
	dst[o] = '\0';
	return (int)o;
}

struct split {
	int n;
	const char *seg[MAX_SEGMENTS];
	size_t len[MAX_SEGMENTS];
};

static int split_path(const char *path, struct split *s)
{
	s->n = 0;
	if (*path != '/')
		return -1;
	if (!strcmp(path, "/"))
		return 0;
	const char *p = path;
	while (*p == '/') {
		p++;
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == 0) {
			if (!end) /* one trailing slash is tolerated */
				break;
			return -1;
		}
		if (s->n == MAX_SEGMENTS)
			return -1;
		s->seg[s->n] = p;
		s->len[s->n++] = len;
		p += len;
	}
	return 0;
}

static bool shape_matches(const struct compiled *c, const struct split *s)
{
	if (c->nseg != s->n)
		return false;
	for (int i = 0; i < s->n; i++)
		if (c->seg[i] && (c->seglen[i] != s->len[i] || memcmp(c->seg[i], s->seg[i], s->len[i]) != 0))
			return false;
	return true;
}

enum router_result router_match(const struct router *rt, const char *method, const char *path,
				struct router_match *m)
{
	struct split s;
	bool path_known = false;

	m->nparams = 0;
	m->allow[0] = '\0';
	m->any_public = false;
	if (strlen(path) > 1024 || split_path(path, &s) != 0)
		return ROUTER_NOT_FOUND;
	for (size_t i = 0; i < rt->n; i++) {
		const struct compiled *c = &rt->rows[i];
		if (!shape_matches(c, &s))
			continue;
		path_known = true;
		if (c->route->auth == AUTH_PUBLIC)
			m->any_public = true;
		if (strcmp(c->route->method, method) != 0) {
			size_t used = strlen(m->allow);
			if (!strstr(m->allow, c->route->method))
				snprintf(m->allow + used, sizeof m->allow - used, "%s%s", used ? ", " : "",
					 c->route->method);
			continue;
		}
		size_t off = 0;
		int np = 0;
		for (int k = 0; k < s.n; k++) {
			if (c->seg[k])
				continue;
			int w = np < ROUTE_MAX_PARAMS
					? decode(s.seg[k], s.len[k], m->storage + off, sizeof m->storage - off)
					: -1;
			if (w <= 0) {
				/* an undecodable parameter names no resource at all: not a 405 */
				m->allow[0] = '\0';
				m->any_public = false;
				return ROUTER_NOT_FOUND;
			}
			m->params[np++] = m->storage + off;
			off += (size_t)w + 1;
		}
		m->nparams = np;
		m->index = i;
		return ROUTER_FOUND;
	}
	return path_known ? ROUTER_METHOD_NOT_ALLOWED : ROUTER_NOT_FOUND;
}
