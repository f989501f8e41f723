/*
 * fuzz_router.c — libFuzzer harness for router_match (src/http/router.c).
 *
 * The router sees the request method and path of every request. The route table below is a copy, as
 * data, of the real rows in src/api/api_*.c (method and pattern; handlers are
 * dummies and schemas are left out because the router never looks at them). Keep it in step when
 * routes are added.
 *
 * Input: "METHOD PATH" — the bytes before the first space are the method, the rest is the path. Without
 * a space the whole input is the path and the method cycles through GET/POST/… by input length. Both
 * are handed over as NUL-terminated copies of exactly their size, so ASan sees any over-read.
 *
 * Invariants checked (abort on violation):
 *   FOUND:     index < router_count; the route's method is the request method; nparams equals the
 *              number of {…} segments of the pattern; every parameter lies inside match.storage, is
 *              NUL-terminated there, non-empty, has no '/'; and equals an independent percent-decoding
 *              of the corresponding path segment (so no value is silently truncated by a decoded NUL);
 *              a match of a public route sets any_public.
 *   METHOD_NOT_ALLOWED: allow[] is non-empty and does not list the request method.
 *   always:    allow[] is NUL-terminated inside its array.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int dummy(struct req *r)
{
	(void)r;
	return 0;
}

static const struct route ops_rows[] = {
	{"GET", "/health", dummy, AUTH_NONE, 0, NULL, false},
	{"GET", "/ready", dummy, AUTH_NONE, 0, NULL, false},
	{"GET", "/metrics", dummy, AUTH_NONE, 0, NULL, false},
};

static const struct route bots_rows[] = {
	{"POST", "/api/v1/bots", dummy, AUTH_KEY, 0, NULL, false},
	{"GET", "/api/v1/bots", dummy, AUTH_KEY, 0, NULL, false},
	{"GET", "/api/v1/bots/{id}", dummy, AUTH_KEY, 0, NULL, false},
	{"PATCH", "/api/v1/bots/{id}", dummy, AUTH_KEY, 0, NULL, true},
	{"DELETE", "/api/v1/bots/{id}", dummy, AUTH_KEY, 0, NULL, false},
	{"PUT", "/api/v1/bots/{id}/status", dummy, AUTH_KEY, 0, NULL, false},
};

static const struct route sources_rows[] = {
	{"POST", "/api/v1/bots/{id}/sources", dummy, AUTH_KEY, 8u * 1024 * 1024, NULL, false},
	{"GET", "/api/v1/bots/{id}/sources", dummy, AUTH_KEY, 0, NULL, false},
	{"GET", "/api/v1/bots/{id}/sources/{sid}", dummy, AUTH_KEY, 0, NULL, false},
	{"DELETE", "/api/v1/bots/{id}/sources/{sid}", dummy, AUTH_KEY, 0, NULL, false},
};

static const struct route chat_rows[] = {
	{"GET", "/api/v1/public/bot/{id}/config", dummy, AUTH_PUBLIC, 0, NULL, false},
	{"POST", "/api/v1/public/bot/{id}/chat", dummy, AUTH_PUBLIC, 16u * 1024, NULL, false},
	{"GET", "/api/v1/public/bot/{id}/status", dummy, AUTH_PUBLIC, 0, NULL, false},
	{"POST", "/api/v1/public/bot/{id}/analytics", dummy, AUTH_PUBLIC, 8192, NULL, false},
	{"POST", "/api/v1/public/bot/{id}/leads", dummy, AUTH_PUBLIC, 4096, NULL, false},
	{"GET", "/api/v1/leads", dummy, AUTH_KEY, 0, NULL, false},
	{"GET", "/api/v1/leads/export.csv", dummy, AUTH_KEY, 0, NULL, false},
	{"GET", "/api/v1/leads/{id}", dummy, AUTH_KEY, 0, NULL, false},
	{"DELETE", "/api/v1/contacts/{id}", dummy, AUTH_KEY, 0, NULL, false},
	{"POST", "/api/v1/bots/{id}/contact-persons", dummy, AUTH_KEY, 0, NULL, false},
	{"GET", "/api/v1/bots/{id}/contact-persons", dummy, AUTH_KEY, 0, NULL, false},
	{"PUT", "/api/v1/bots/{id}/contact-persons/order", dummy, AUTH_KEY, 0, NULL, false},
	{"GET", "/api/v1/bots/{id}/contact-persons/{pid}", dummy, AUTH_KEY, 0, NULL, false},
	{"PATCH", "/api/v1/bots/{id}/contact-persons/{pid}", dummy, AUTH_KEY, 0, NULL, false},
	{"DELETE", "/api/v1/bots/{id}/contact-persons/{pid}", dummy, AUTH_KEY, 0, NULL, false},
	{"PUT", "/api/v1/bots/{id}/contact-persons/{pid}/photo", dummy, AUTH_KEY, 0, NULL, false},
	{"PUT", "/api/v1/bots/{id}/logo", dummy, AUTH_KEY, 0, NULL, false},
	{"GET", "/api/v1/bots/{id}/engagement", dummy, AUTH_KEY, 0, NULL, false},
	{"GET", "/api/v1/contacts/{id}/export", dummy, AUTH_KEY, 0, NULL, false},
	{"GET", "/api/v1/conversations/{id}/export", dummy, AUTH_KEY, 0, NULL, false},
	{"GET", "/api/v1/tenant", dummy, AUTH_KEY, 0, NULL, false},
	{"PATCH", "/api/v1/tenant", dummy, AUTH_KEY, 0, NULL, false},
	{"POST", "/api/v1/public/bot/{id}/contact-requests", dummy, AUTH_PUBLIC, 0, NULL, false},
	{"GET", "/media/{id}", dummy, AUTH_PUBLIC, 0, NULL, false},
	{"GET", "/bot/{id}", dummy, AUTH_PUBLIC, 0, NULL, false},
	{"GET", "/bot/{id}/embed", dummy, AUTH_PUBLIC, 0, NULL, false},
	{"GET", "/widget.js", dummy, AUTH_NONE, 0, NULL, false},
	{"GET", "/page.css", dummy, AUTH_NONE, 0, NULL, false},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const methods[] = {"GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS", "HEAD"};

static struct router *router(void)
{
	static struct router *rt;

	if (!rt) {
		const struct route *const tables[] = {ops_rows, bots_rows, sources_rows, chat_rows};
		const size_t counts[] = {COUNT(ops_rows), COUNT(bots_rows), COUNT(sources_rows), COUNT(chat_rows)};
		char errbuf[256];

		rt = router_new(tables, counts, COUNT(tables), errbuf, sizeof errbuf);
		if (!rt) {
			fprintf(stderr, "fuzz_router: router_new failed: %s\n", errbuf);
			abort();
		}
	}
	return rt;
}

#define CHECK(cond, ...)                                                                                  \
	do {                                                                                               \
		if (!(cond)) {                                                                             \
			fprintf(stderr, "fuzz_router: invariant violated: %s\n  ", #cond);                 \
			fprintf(stderr, __VA_ARGS__);                                                      \
			fprintf(stderr, "\n");                                                             \
			abort();                                                                           \
		}                                                                                          \
	} while (0)

/* Written here rather than taken from base/text's hex_value, which the router uses: the reference must
 * not share the code it checks. */
static int hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reference percent-decoding of seg[0..len) into out (cap bytes, NUL added). Returns the decoded
 * length, or -1 on a malformed escape, a decoded '/' or NUL, or when it does not fit. */
static long ref_decode(const char *seg, size_t len, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)seg[i];

		if (ch == '%') {
			int hi, lo;

			if (len - i < 3)
				return -1;
			hi = hexdigit(seg[i + 1]);
			lo = hexdigit(seg[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			ch = (unsigned char)(hi * 16 + lo);
			if (ch == '/' || ch == '\0')
				return -1;
			i += 2;
		}
		if (o + 1 >= cap)
			return -1;
		out[o++] = (char)ch;
	}
	out[o] = '\0';
	return (long)o;
}

/* Segment k (0-based) of `path` ("/a/b/c", one trailing slash tolerated) as [*s, *s + *n). */
static bool path_segment(const char *path, int k, const char **s, size_t *n)
{
	const char *p = path;

	for (int i = 0;; i++) {
		const char *end;

		if (*p != '/')
			return false;
		p++;
		end = strchr(p, '/');
		if (i == k) {
			*s = p;
			*n = end ? (size_t)(end - p) : strlen(p);
			return true;
		}
		if (!end)
			return false;
		p = end;
	}
}

static bool allow_lists(const char *allow, const char *method)
{
	const char *p = allow;
	size_t mlen = strlen(method);

	while (*p) {
		const char *comma = strstr(p, ", ");
		size_t n = comma ? (size_t)(comma - p) : strlen(p);

		if (n == mlen && memcmp(p, method, n) == 0)
			return true;
		if (!comma)
			break;
		p = comma + 2;
	}
	return false;
}

static void check_found(const struct router *rt, const char *method, const char *path,
			const struct router_match *m)
{
	const struct route *r;
	const char *pat;
	int braces = 0, seg = 0, np = 0;

	CHECK(m->index < router_count(rt), "index %zu of %zu", m->index, router_count(rt));
	r = router_at(rt, m->index);
	CHECK(strcmp(r->method, method) == 0, "route method %s, request method %s", r->method, method);
	for (pat = r->pattern; *pat; pat++)
		braces += *pat == '{';
	CHECK(m->nparams == braces, "nparams %d, pattern %s has %d parameters", m->nparams, r->pattern, braces);
	CHECK(m->nparams >= 0 && m->nparams <= ROUTE_MAX_PARAMS, "nparams %d", m->nparams);
	if (r->auth == AUTH_PUBLIC)
		CHECK(m->any_public, "public route %s matched without any_public", r->pattern);

	/* Walk the pattern's segments; each {…} one must equal the decoded path segment at that place. */
	pat = r->pattern;
	while (*pat == '/' && pat[1]) {
		const char *end = strchr(pat + 1, '/');
		size_t plen = end ? (size_t)(end - pat - 1) : strlen(pat + 1);

		if (pat[1] == '{') {
			const char *v = m->params[np];
			const char *lo = m->storage, *hi = m->storage + sizeof m->storage;
			const char *s;
			size_t n;
			char want[1100];
			long wl;

			CHECK(v >= lo && v < hi, "param %d points outside match.storage", np);
			CHECK(memchr(v, '\0', (size_t)(hi - v)) != NULL, "param %d not NUL-terminated in storage", np);
			CHECK(v[0] != '\0', "param %d is empty (path %s)", np, path);
			CHECK(strchr(v, '/') == NULL, "param %d \"%s\" contains '/'", np, v);
			CHECK(path_segment(path, seg, &s, &n), "path %s has no segment %d", path, seg);
			wl = ref_decode(s, n, want, sizeof want);
			CHECK(wl > 0, "param %d matched but segment \"%.*s\" does not decode", np, (int)n, s);
			CHECK(strlen(v) == (size_t)wl && memcmp(v, want, (size_t)wl) == 0,
			      "param %d is \"%s\", segment \"%.*s\" decodes to %ld bytes", np, v, (int)n, s, wl);
			np++;
		} else {
			const char *s;
			size_t n;

			CHECK(path_segment(path, seg, &s, &n) && n == plen && memcmp(s, pat + 1, n) == 0,
			      "literal segment %d of %s does not match path %s", seg, r->pattern, path);
		}
		seg++;
		pat += 1 + plen;
	}
}

static void run(const char *method, const char *path)
{
	const struct router *rt = router();
	struct router_match m;
	enum router_result res;

	memset(&m, 0xA5, sizeof m); /* garbage in, so unset fields show up */
	res = router_match(rt, method, path, &m);
	CHECK(memchr(m.allow, '\0', sizeof m.allow) != NULL, "allow[] is not NUL-terminated");
	switch (res) {
	case ROUTER_FOUND:
		check_found(rt, method, path, &m);
		break;
	case ROUTER_METHOD_NOT_ALLOWED:
		CHECK(m.allow[0] != '\0', "405 with an empty Allow (method %s, path %s)", method, path);
		CHECK(!allow_lists(m.allow, method), "405 for %s but Allow lists it: %s", method, m.allow);
		break;
	case ROUTER_NOT_FOUND:
		break;
	default:
		CHECK(false, "unknown router_result %d", (int)res);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sp = memchr(data, ' ', size);
	char *method, *path;
	size_t mlen, plen;

	if (sp) {
		mlen = (size_t)(sp - data);
		plen = size - mlen - 1;
		method = malloc(mlen + 1);
		path = malloc(plen + 1);
		if (!method || !path)
			abort();
		memcpy(method, data, mlen);
		method[mlen] = '\0';
		memcpy(path, sp + 1, plen);
		path[plen] = '\0';
	} else {
		const char *m = methods[size % COUNT(methods)];

		method = strdup(m);
		path = malloc(size + 1);
		if (!method || !path)
			abort();
		memcpy(path, data, size);
		path[size] = '\0';
	}
	run(method, path);
	free(method);
	free(path);
	return 0;
}
