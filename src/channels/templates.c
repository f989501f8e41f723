/*
 * templates.c — the WhatsApp template registry (rules in templates.h): validation and copying of the
 * config list, lookup by name and language, cleaning of variables and rendering of bodies.
 *
 * Layout: one array of struct template and one block holding all their strings, both owned by the
 * registry; nothing is allocated after templates_parse except the rendered text.
 */
#include "channels/templates.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"

struct templates {
	struct template *items;
	size_t n;
	char *strings; /* name, language and body of every item, NUL-terminated, back to back */
};

/* ---- UTF-8 ---------------------------------------------------------------------------------------- */

/* Characters (code points) in the first `bytes` bytes of valid UTF-8 text. */
static size_t utf8_chars(const char *s, size_t bytes)
{
	size_t n = 0;
	for (size_t i = 0; i < bytes; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

/* ---- field checks --------------------------------------------------------------------------------- */

bool templates_check_name(const char *s)
{
	size_t n = 0;

	if (!s)
		return false;
	for (; s[n]; n++) {
		char c = s[n];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return n >= 1 && n <= TEMPLATE_NAME_MAX;
}

bool templates_check_language(const char *s)
{
	size_t i = 0;

	if (!s)
		return false;
	while (s[i] >= 'a' && s[i] <= 'z')
		i++;
	if (i < 2 || i > 3)
		return false;
	if (s[i] == '\0')
		return true;
	return s[i] == '_' && s[i + 1] >= 'A' && s[i + 1] <= 'Z' && s[i + 2] >= 'A' && s[i + 2] <= 'Z' &&
	       s[i + 3] == '\0';
}

/* Parses a placeholder "{{k}}" at s (which starts with "{{"): returns its length and *k (1..
 * TEMPLATE_PARAMS_MAX), or 0 when malformed (no digits, a leading zero, too large, no "}}"). */
static size_t placeholder(const char *s, int *k)
{
	size_t i = 2;
	int v = 0;

	if (s[i] < '1' || s[i] > '9')
		return 0;
	while (s[i] >= '0' && s[i] <= '9') {
		v = v * 10 + (s[i] - '0');
		if (v > TEMPLATE_PARAMS_MAX)
			return 0;
		i++;
	}
	if (s[i] != '}' || s[i + 1] != '}')
		return 0;
	*k = v;
	return i + 2;
}

/* Checks a body's placeholders; *params = their count. -1 with a message in err. */
static int body_params(const char *body, int *params, char *err, size_t errlen)
{
	bool used[TEMPLATE_PARAMS_MAX + 1] = {false};
	int max = 0;

	for (size_t i = 0; body[i];) {
		if (body[i] == '{' && body[i + 1] == '{') {
			int k;
			size_t len = placeholder(body + i, &k);
			if (!len)
				return errbuf_set(
					err, errlen,
					"malformed placeholder at character %zu: write {{1}}, {{2}}, … (at most {{%d}})",
					utf8_chars(body, i) + 1, TEMPLATE_PARAMS_MAX);
			used[k] = true;
			if (k > max)
				max = k;
			i += len;
		} else {
			i++;
		}
	}
	for (int k = 1; k <= max; k++)
		if (!used[k])
			return errbuf_set(err, errlen,
				    "{{%d}} is missing: placeholders must run from {{1}} to {{%d}} without gaps",
				    k, max);
	*params = max;
	return 0;
}

/* ---- parsing -------------------------------------------------------------------------------------- */

static const char *const category_names[] = {"marketing", "utility", "authentication"};

/* jansson's object iterator takes a non-const object but does not change it. */
static json_t *unconst(const json_t *v)
{
	union {
		const json_t *c;
		json_t *m;
	} u = {.c = v};
	return u.m;
}

/* A string member without NUL bytes, or NULL. */
static const char *str_member(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
		return NULL;
	return json_string_value(v);
}

/* Validates list item i into *t (strings point into the JSON). */
/* "params": one "field" or "field|fallback" per placeholder, kept joined by '\n' in t->vars (malloc'd here,
 * moved into the string block by templates_parse). */
static int check_params(const json_t *p, size_t i, struct template *t, char *err, size_t errlen)
{
	t->vars = NULL;
	if (!p || json_is_null(p))
		return 0;
	if (!json_is_array(p) || json_array_size(p) != (size_t)t->params)
		return errbuf_set(err, errlen, "templates[%zu].params must list one field per placeholder (%d)", i, t->params);
	size_t total = 0;
	for (size_t k = 0; k < json_array_size(p); k++) {
		const char *v = json_string_value(json_array_get(p, k));
		size_t n = v ? strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_") : 0;
		const char *fb = v && v[n] == '|' ? v + n + 1 : NULL;
		if (!v || n < 1 || n > 40 || (v[n] && !fb) || (fb && (!*fb || strlen(fb) > 100 || strpbrk(fb, "{}|\n"))))
			return errbuf_set(err, errlen,
				    "templates[%zu].params[%zu] must be a field name (a-z 0-9 _) with an optional "
				    "|fallback",
				    i, k);
		total += strlen(v) + 1;
	}
	char *joined = malloc(total + 1), *w = joined;
	if (!joined)
		return errbuf_set(err, errlen, "out of memory");
	for (size_t k = 0; k < json_array_size(p); k++)
		w += sprintf(w, "%s%s", k ? "\n" : "", json_string_value(json_array_get(p, k)));
	t->vars = joined;
	return 0;
}

static int check_item(const json_t *o, size_t i, struct template *t, char *err, size_t errlen)
{
	char msg[200];
	const char *key;
	json_t *val;

	memset(t, 0, sizeof *t);
	if (!json_is_object(o))
		return errbuf_set(err, errlen,
			    "templates[%zu] must be an object {name, language, body, category, approved}", i);
	json_object_foreach(unconst(o), key, val)
	{
		if (strcmp(key, "name") && strcmp(key, "language") && strcmp(key, "body") &&
		    strcmp(key, "category") && strcmp(key, "approved") && strcmp(key, "params") &&
		    strcmp(key, "twilio_content_sid"))
			return errbuf_set(err, errlen,
				    "templates[%zu]: unknown field \"%.40s\" (name, language, body, category, approved, "
				    "params, twilio_content_sid)",
				    i, key);
	}
	t->name = str_member(o, "name");
	if (!templates_check_name(t->name))
		return errbuf_set(err, errlen, "templates[%zu].name must be 1-%d characters of a-z 0-9 _", i,
			    TEMPLATE_NAME_MAX);
	t->language = str_member(o, "language");
	if (!templates_check_language(t->language))
		return errbuf_set(err, errlen, "templates[%zu].language must be a language code like de, de_DE or en_US",
			    i);
	t->body = str_member(o, "body");
	if (!t->body)
		return errbuf_set(err, errlen, "templates[%zu].body is required (text without NUL characters)", i);
	size_t blen = strlen(t->body), chars = 0;
	for (size_t at = 0; at < blen; chars++) {
		uint32_t cp;
		size_t k = utf8_decode((const unsigned char *)t->body + at, blen - at, &cp);
		if (!k)
			return errbuf_set(err, errlen, "templates[%zu].body is not valid UTF-8", i);
		at += k;
	}
	if (chars < 1 || chars > TEMPLATE_BODY_MAX)
		return errbuf_set(err, errlen, "templates[%zu].body must be 1 to %d characters long", i,
			    TEMPLATE_BODY_MAX);
	if (body_params(t->body, &t->params, msg, sizeof msg) != 0)
		return errbuf_set(err, errlen, "templates[%zu].body: %s", i, msg);
	t->category = TEMPLATE_MARKETING;
	const json_t *cat = json_object_get(o, "category");
	if (cat) {
		const char *c = str_member(o, "category");
		size_t k = 0;
		while (c && k < 3 && strcmp(c, category_names[k]) != 0)
			k++;
		if (!c || k == 3)
			return errbuf_set(err, errlen,
				    "templates[%zu].category must be one of: marketing, utility, authentication",
				    i);
		t->category = (enum template_category)k;
	}
	const json_t *ap = json_object_get(o, "approved");
	if (ap && !json_is_boolean(ap))
		return errbuf_set(err, errlen, "templates[%zu].approved must be true or false", i);
	t->approved = ap && json_is_true(ap);
	const json_t *sid = json_object_get(o, "twilio_content_sid");
	t->twilio_content_sid = json_string_value(sid);
	if (sid && (!t->twilio_content_sid || strlen(t->twilio_content_sid) != 34 ||
		    strncmp(t->twilio_content_sid, "HX", 2) != 0 ||
		    strspn(t->twilio_content_sid + 2, "0123456789abcdef") != 32))
		return errbuf_set(err, errlen, "templates[%zu].twilio_content_sid must be HX followed by 32 hex digits", i);
	return check_params(json_object_get(o, "params"), i, t, err, errlen);
}

/* Appends s with its NUL at *at; returns where it was put. */
static const char *put(char *block, size_t *at, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = block + *at;
	memcpy(p, s, n);
	*at += n;
	return p;
}

struct templates *templates_parse(const json_t *list, char *err, size_t errlen)
{
	struct templates *t = calloc(1, sizeof *t);
	struct template *tmp = NULL;

	if (!t) {
		errbuf_set(err, errlen, "out of memory");
		return NULL;
	}
	if (!list || json_is_null(list))
		return t;
	if (!json_is_array(list)) {
		errbuf_set(err, errlen, "templates must be a list of {name, language, body, category, approved}");
		goto bad;
	}
	size_t n = json_array_size(list);
	if (n > TEMPLATES_MAX) {
		errbuf_set(err, errlen, "templates must have at most %d entries", TEMPLATES_MAX);
		goto bad;
	}
	if (n == 0)
		return t;
	tmp = calloc(n, sizeof *tmp);
	if (!tmp) {
		errbuf_set(err, errlen, "out of memory");
		goto bad;
	}
	size_t bytes = 0;
	for (size_t i = 0; i < n; i++) {
		if (check_item(json_array_get(list, i), i, &tmp[i], err, errlen) != 0) {
			free((char *)(uintptr_t)tmp[i].vars);
			tmp[i].vars = NULL;
			goto bad;
		}
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(tmp[j].name, tmp[i].name) && !strcmp(tmp[j].language, tmp[i].language)) {
				errbuf_set(err, errlen, "templates[%zu]: %.80s (%s) is already templates[%zu]", i,
				     tmp[i].name, tmp[i].language, j);
				goto bad;
			}
		}
		bytes += strlen(tmp[i].name) + strlen(tmp[i].language) + strlen(tmp[i].body) + 3 +
			 (tmp[i].vars ? strlen(tmp[i].vars) + 1 : 0) +
			 (tmp[i].twilio_content_sid ? strlen(tmp[i].twilio_content_sid) + 1 : 0);
	}
	t->strings = malloc(bytes);
	if (!t->strings) {
		errbuf_set(err, errlen, "out of memory");
		goto bad;
	}
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		tmp[i].name = put(t->strings, &at, tmp[i].name);
		tmp[i].language = put(t->strings, &at, tmp[i].language);
		tmp[i].body = put(t->strings, &at, tmp[i].body);
		if (tmp[i].twilio_content_sid)
			tmp[i].twilio_content_sid = put(t->strings, &at, tmp[i].twilio_content_sid);
		if (tmp[i].vars) {
			char *v = (char *)(uintptr_t)tmp[i].vars;
			tmp[i].vars = put(t->strings, &at, v);
			free(v);
		}
	}
	t->items = tmp;
	t->n = n;
	return t;
bad:
	if (tmp && !t->strings) /* the joined params not moved yet */
		for (size_t i = 0; i < n; i++)
			free((char *)(uintptr_t)tmp[i].vars);
	free(tmp);
	templates_free(t);
	return NULL;
}

void templates_free(struct templates *t)
{
	if (!t)
		return;
	free(t->items);
	free(t->strings);
	free(t);
}

size_t templates_count(const struct templates *t)
{
	return t ? t->n : 0;
}

const struct template *templates_at(const struct templates *t, size_t i)
{
	return t && i < t->n ? &t->items[i] : NULL;
}

const struct template *templates_find(const struct templates *t, const char *name, const char *language)
{
	if (!t || !name)
		return NULL;
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->items[i].name, name) && (!language || !strcmp(t->items[i].language, language)))
			return &t->items[i];
	const char *us = language ? strchr(language, '_') : NULL;
	if (!us)
		return NULL;
	size_t base = (size_t)(us - language);
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->items[i].name, name) && strlen(t->items[i].language) == base &&
		    !strncmp(t->items[i].language, language, base))
			return &t->items[i];
	return NULL;
}

/* ---- variables and rendering ---------------------------------------------------------------------- */

/* Characters that become a space: whitespace and control characters, line and paragraph separators. */
static bool blank(uint32_t cp)
{
	return cp == ' ' || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
}

int templates_clean_variable(const char *in, char *out, size_t outlen, char *err, size_t errlen)
{
	if (!in || !out)
		return errbuf_set(err, errlen, "is missing");
	size_t len = strlen(in), o = 0, chars = 0;
	bool space = false;

	if (outlen < len + 1)
		return errbuf_set(err, errlen, "output buffer too small");
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = utf8_decode((const unsigned char *)in + i, len - i, &cp);
		if (!k)
			return errbuf_set(err, errlen, "is not valid UTF-8");
		if (blank(cp)) {
			space = o > 0; /* leading blanks vanish, inner runs become one space */
			i += k;
			continue;
		}
		if (chars + (space ? 2 : 1) > TEMPLATE_VAR_MAX)
			break; /* cut on a character boundary, never after a space */
		if (space) {
			out[o++] = ' ';
			chars++;
			space = false;
		}
		memcpy(out + o, in + i, k);
		o += k;
		chars++;
		i += k;
	}
	out[o] = '\0';
	if (o == 0)
		return errbuf_set(err, errlen, "is empty");
	if (strstr(out, "{{"))
		return errbuf_set(err, errlen, "contains {{ (placeholders cannot be nested)");
	return (int)o;
}

int templates_render(const struct template *tpl, const char *const *vars, size_t n, char **out, char *err,
		     size_t errlen)
{
	char *clean[TEMPLATE_PARAMS_MAX] = {NULL};
	size_t clen[TEMPLATE_PARAMS_MAX] = {0};
	char msg[120];
	int rc = -1;

	if (!out)
		return errbuf_set(err, errlen, "no output");
	*out = NULL;
	if (!tpl || !tpl->body || tpl->params < 0 || tpl->params > TEMPLATE_PARAMS_MAX)
		return errbuf_set(err, errlen, "no template");
	if (n != (size_t)tpl->params)
		return errbuf_set(err, errlen, "template %.80s (%s) takes %d variable%s, got %zu",
			    tpl->name ? tpl->name : "?", tpl->language ? tpl->language : "?", tpl->params,
			    tpl->params == 1 ? "" : "s", n);
	for (size_t k = 0; k < n; k++) {
		if (!vars || !vars[k]) {
			errbuf_set(err, errlen, "variable %zu is missing", k + 1);
			goto out;
		}
		size_t len = strlen(vars[k]);
		clean[k] = malloc(len + 1);
		if (!clean[k]) {
			errbuf_set(err, errlen, "out of memory");
			goto out;
		}
		int c = templates_clean_variable(vars[k], clean[k], len + 1, msg, sizeof msg);
		if (c < 0) {
			errbuf_set(err, errlen, "variable %zu %s", k + 1, msg);
			goto out;
		}
		clen[k] = (size_t)c;
	}
	/* Two passes over the body: measure, then write. A "{{" that is not a placeholder (only in a
	 * template built by hand) is copied as it is. */
	char *buf = NULL;
	for (int pass = 0; pass < 2; pass++) {
		size_t o = 0;
		for (const char *p = tpl->body; *p;) {
			int k;
			size_t plen = p[0] == '{' && p[1] == '{' ? placeholder(p, &k) : 0;
			if (plen && k <= tpl->params) {
				if (buf)
					memcpy(buf + o, clean[k - 1], clen[k - 1]);
				o += clen[k - 1];
				p += plen;
			} else {
				if (buf)
					buf[o] = *p;
				o++;
				p++;
			}
		}
		if (buf) {
			buf[o] = '\0';
			break;
		}
		buf = malloc(o + 1);
		if (!buf) {
			errbuf_set(err, errlen, "out of memory");
			goto out;
		}
	}
	*out = buf;
	rc = 0;
out:
	for (size_t k = 0; k < n && k < TEMPLATE_PARAMS_MAX; k++)
		free(clean[k]);
	return rc;
}
