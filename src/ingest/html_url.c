/*
 * html_url.c — html_url_resolve: a hand-written RFC 3986 section 5 resolver with the few things
 * browsers add for hrefs (see html_text.h for why not xmlBuildURI).
 *
 * Both URLs are cleaned (url_prep), split into scheme, authority, path and query (the fragment is
 * dropped), combined by the RFC's algorithm (5.2.2, with remove_dot_segments of 5.2.4), and written
 * out normalised: scheme and host lower-cased, default port left out, what may not stand in a URL
 * percent-encoded.
 */
#include "ingest/html_text.h"
#include "ingest/html_int.h"

#include <stdlib.h>
#include <string.h>

struct span {
	const char *p;
	size_t n;
};

struct url {
	struct span scheme, auth, path, query;
	bool has_scheme, has_auth, has_query;
};

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool span_is(struct span s, const char *lit)
{
	size_t i = 0;

	for (; i < s.n && lit[i]; i++)
		if (hx_lower(s.p[i]) != lit[i])
			return false;
	return i == s.n && !lit[i];
}

/* A copy of s without leading and trailing C0 controls and spaces and without tabs and line breaks
 * anywhere (what browsers do with an href). */
static char *url_prep(const char *s, bool *oom)
{
	size_t n = strlen(s), k = 0;
	char *out;

	while (n > 0 && (unsigned char)s[n - 1] <= 0x20)
		n--;
	while (n > 0 && (unsigned char)*s <= 0x20) {
		s++;
		n--;
	}
	out = malloc(n + 1);
	if (!out) {
		*oom = true;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			out[k++] = s[i];
	out[k] = '\0';
	return out;
}

/* The scheme of s (before ':'), or an empty span. */
static struct span url_scheme(const char *s)
{
	size_t j = 1;

	if (!is_alpha(s[0]))
		return (struct span){ s, 0 };
	while (is_alpha(s[j]) || hx_is_digit(s[j]) || s[j] == '+' || s[j] == '-' || s[j] == '.')
		j++;
	return (struct span){ s, s[j] == ':' ? j : 0 };
}

/* Splits s (RFC 3986 appendix B); the fragment is dropped. */
static void url_split(const char *s, struct url *u)
{
	size_t i = 0, j;

	*u = (struct url){ 0 };
	u->scheme = url_scheme(s);
	if (u->scheme.n > 0) {
		u->has_scheme = true;
		i = u->scheme.n + 1;
	}
	if (s[i] == '/' && s[i + 1] == '/') {
		for (j = i + 2; s[j] && !strchr("/?#", s[j]); j++)
			;
		u->has_auth = true;
		u->auth = (struct span){ s + i + 2, j - i - 2 };
		i = j;
	}
	for (j = i; s[j] && s[j] != '?' && s[j] != '#'; j++)
		;
	u->path = (struct span){ s + i, j - i };
	i = j;
	if (s[i] == '?') {
		for (j = i + 1; s[j] && s[j] != '#'; j++)
			;
		u->has_query = true;
		u->query = (struct span){ s + i + 1, j - i - 1 };
	}
}

/* Removes the last segment and the "/" before it from b (RFC 3986 5.2.4, steps C and E). */
static void pop_segment(struct strbuf *b)
{
	while (b->len > 0 && b->p[b->len - 1] != '/')
		b->len--;
	if (b->len > 0)
		b->len--;
	if (b->p)
		b->p[b->len] = '\0';
}

/* Appends path p[0..n) to out with its "." and ".." segments resolved (RFC 3986 5.2.4). */
static void remove_dots(const char *p, size_t n, struct strbuf *out)
{
	size_t i = 0;

	while (i < n) {
		const char *r = p + i;
		size_t left = n - i, j;

		if (left >= 3 && memcmp(r, "../", 3) == 0) {
			i += 3;
		} else if (left >= 2 && memcmp(r, "./", 2) == 0) {
			i += 2;
		} else if (left >= 3 && memcmp(r, "/./", 3) == 0) {
			i += 2;
		} else if (left == 2 && memcmp(r, "/.", 2) == 0) {
			strbuf_addc(out, '/');
			i = n;
		} else if (left >= 4 && memcmp(r, "/../", 4) == 0) {
			pop_segment(out);
			i += 3;
		} else if (left == 3 && memcmp(r, "/..", 3) == 0) {
			pop_segment(out);
			strbuf_addc(out, '/');
			i = n;
		} else if ((left == 1 && r[0] == '.') || (left == 2 && memcmp(r, "..", 2) == 0)) {
			i = n;
		} else {
			for (j = r[0] == '/' ? 1 : 0; j < left && r[j] != '/'; j++)
				;
			strbuf_add(out, r, j);
			i += j;
		}
	}
}

/* Appends s percent-encoding what may not stand in a URL path or query as it is. */
static void put_encoded(struct strbuf *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[3];

		if (c > 0x20 && c < 0x7F && !strchr("\"<>`{}|^\\", c) &&
		    (c != '%' || (i + 2 < n && hx_is_hex(s[i + 1]) && hx_is_hex(s[i + 2])))) {
			strbuf_addc(o, (char)c);
			continue;
		}
		e[0] = '%';
		e[1] = hex[c >> 4];
		e[2] = hex[c & 15];
		strbuf_add(o, e, 3);
	}
}

/* Appends "//" and the authority a, normalised: host lower-cased, default port left out. False when it
 * is not usable (bad host characters, a bad port, no host for http(s)). */
static bool put_authority(struct strbuf *o, struct span a, struct span scheme, bool special)
{
	const char *at = NULL, *host, *end = a.p + a.n, *hend, *port;
	unsigned long pv = 0;

	for (const char *p = a.p; p < end; p++)
		if (*p == '@')
			at = p;
	host = at ? at + 1 : a.p;
	if (host < end && *host == '[') {
		hend = memchr(host, ']', (size_t)(end - host));
		if (!hend)
			return false;
		hend++;
	} else {
		hend = memchr(host, ':', (size_t)(end - host));
		if (!hend)
			hend = end;
	}
	port = hend;
	if (port < end && *port != ':')
		return false;
	if (special && hend == host)
		return false;
	for (const char *p = host; p < hend; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p == 0x7F || strchr("<>\"^`{|}\\%", *p) ||
		    ((*p == '[' || *p == ']') && *host != '['))
			return false;
	if (!hx_utf8_valid(host, (size_t)(hend - host)))
		return false;
	if (port < end) {
		if (end - port > 6)
			return false; /* more than five digits */
		for (const char *p = port + 1; p < end; p++) {
			if (!hx_is_digit(*p))
				return false;
			pv = pv * 10 + (unsigned long)(*p - '0');
		}
		if (pv > 65535)
			return false;
	}
	strbuf_add(o, "//", 2);
	if (at) {
		put_encoded(o, a.p, (size_t)(at - a.p));
		strbuf_addc(o, '@');
	}
	for (const char *p = host; p < hend; p++)
		strbuf_addc(o, hx_lower(*p));
	if (port + 1 < end && !((span_is(scheme, "http") && pv == 80) || (span_is(scheme, "https") && pv == 443))) {
		char num[8];
		int k = 0;

		do {
			num[k++] = (char)('0' + pv % 10);
			pv /= 10;
		} while (pv > 0);
		strbuf_addc(o, ':');
		while (k > 0)
			strbuf_addc(o, num[--k]);
	}
	return true;
}

/* Browsers read "\\" as "/" in http(s) URLs. */
static void backslash_to_slash(char *s)
{
	for (; *s; s++)
		if (*s == '\\')
			*s = '/';
}

char *hx_resolve(const char *base, const char *ref, bool *oom)
{
	char *r = NULL, *b = NULL, *res = NULL;
	struct url R, B = { 0 }, T = { 0 };
	struct span rs;
	struct strbuf merged = { 0 }, path = { 0 }, out = { 0 };
	bool special, ok = false;

	r = url_prep(ref, oom);
	if (base && r)
		b = url_prep(base, oom);
	if (!r || (base && !b))
		goto out;
	if (b) {
		struct span bs = url_scheme(b);

		if (span_is(bs, "http") || span_is(bs, "https"))
			backslash_to_slash(b);
		url_split(b, &B);
	}
	rs = url_scheme(r);
	special = rs.n > 0 ? span_is(rs, "http") || span_is(rs, "https")
			   : span_is(B.scheme, "http") || span_is(B.scheme, "https");
	if (special)
		backslash_to_slash(r);
	url_split(r, &R);

	if (R.has_scheme) {
		T = R;
		remove_dots(R.path.p, R.path.n, &path);
	} else {
		if (!B.has_scheme || !B.has_auth)
			goto out;
		T.scheme = B.scheme;
		T.has_auth = true;
		if (R.has_auth) {
			T.auth = R.auth;
			remove_dots(R.path.p, R.path.n, &path);
			T.has_query = R.has_query;
			T.query = R.query;
		} else {
			T.auth = B.auth;
			if (R.path.n == 0) {
				/* RFC 3986 takes the base path as it is; browsers have normalised it already */
				remove_dots(B.path.p, B.path.n, &path);
				T.has_query = R.has_query || B.has_query;
				T.query = R.has_query ? R.query : B.query;
			} else {
				if (R.path.p[0] == '/') {
					remove_dots(R.path.p, R.path.n, &path);
				} else {
					const char *slash = NULL;

					for (size_t i = 0; i < B.path.n; i++)
						if (B.path.p[i] == '/')
							slash = B.path.p + i;
					if (B.path.n == 0)
						strbuf_addc(&merged, '/');
					else if (slash)
						strbuf_add(&merged, B.path.p, (size_t)(slash - B.path.p) + 1);
					strbuf_add(&merged, R.path.p, R.path.n);
					if (merged.len > 0)
						remove_dots(merged.p, merged.len, &path);
				}
				T.has_query = R.has_query;
				T.query = R.query;
			}
		}
	}

	for (size_t i = 0; i < T.scheme.n; i++)
		strbuf_addc(&out, hx_lower(T.scheme.p[i]));
	strbuf_addc(&out, ':');
	if (T.has_auth && !put_authority(&out, T.auth, T.scheme, special))
		goto out;
	if (special && !T.has_auth)
		goto out;
	if (path.len > 0)
		put_encoded(&out, path.p, path.len);
	else if (special)
		strbuf_addc(&out, '/');
	if (T.has_query) {
		strbuf_addc(&out, '?');
		put_encoded(&out, T.query.p, T.query.n);
	}
	ok = true;
out:
	if (merged.failed || path.failed || out.failed) {
		*oom = true;
		ok = false;
	}
	if (ok) {
		res = out.p;
		out.p = NULL;
	}
	strbuf_free(&out);
	strbuf_free(&merged);
	strbuf_free(&path);
	free(r);
	free(b);
	return res;
}

char *html_url_resolve(const char *base, const char *ref)
{
	bool oom = false;

	if (!ref)
		return NULL;
	return hx_resolve(base, ref, &oom);
}
