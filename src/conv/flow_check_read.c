/*
 * flow_check_read.c — what flow_check.c reads a flow document with: error reports with their path and code,
 * and the checked reading of members (strings, integers, ids, transitions, placeholders, unknown keys). See
 * flow_check_int.h.
 */
#include "conv/flow_check_int.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FALLBACK_MAX 100 /* bytes of a placeholder's fallback text */

/* Cuts a UTF-8 sequence that snprintf left incomplete at the end of `s`. */
static void trim_tail(char *s)
{
	size_t n = strlen(s), i = n;
	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0 || (unsigned char)s[i - 1] < 0xC0)
		return;
	unsigned char lead = (unsigned char)s[i - 1];
	size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
	if (n - (i - 1) < want)
		s[i - 1] = '\0';
}

void fc_fail(struct pctx *c, const char *path, const char *code, const char *fmt, ...)
{
	if (c->errs && c->n < c->max) {
		struct flow_error *e = &c->errs[c->n];
		snprintf(e->path, sizeof e->path, "%s", path);
		snprintf(e->code, sizeof e->code, "%s", code);
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->message, sizeof e->message, fmt, ap);
		va_end(ap);
		trim_tail(e->path);
		trim_tail(e->message);
	}
	if (c->n < INT_MAX)
		c->n++;
}

const char *fc_pathf(char *buf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, FC_PATH_MAX, fmt, ap);
	va_end(ap);
	return buf;
}

/* A printable copy of at most 40 bytes of `s` for messages (control bytes become '?', a character is never
 * cut in two). */
const char *fc_show(const char *s, char out[48])
{
	size_t i = 0;
	for (; s[i] && i < 40; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[i] = '\0';
	trim_tail(out);
	return out;
}

/* "parent.key", or "key" at the top level. */
const char *fc_member(char *buf, const char *parent, const char *key)
{
	snprintf(buf, FC_PATH_MAX, "%s%s%s", parent, *parent ? "." : "", key);
	return buf;
}

bool fc_in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

/* Whether `s` is 1..max bytes from the set: 'a' lower-case letters, 'A' upper case too, '0' digits, plus
 * the punctuation in `extra`. */
bool fc_id_ok(const char *s, size_t max, const char *classes, const char *extra)
{
	size_t n = 0;
	for (; s[n]; n++) {
		char ch = s[n];
		bool ok = (ch >= 'a' && ch <= 'z' && strchr(classes, 'a')) || (ch >= 'A' && ch <= 'Z' && strchr(classes, 'A')) ||
			  (ch >= '0' && ch <= '9' && strchr(classes, '0')) || (extra && strchr(extra, ch));
		if (!ok)
			return false;
	}
	return n >= 1 && n <= max;
}

bool fc_field_ok(const char *s)
{
	return fc_id_ok(s, FLOW_FIELD_MAX, "a", "_");
}

/* Reports every key of `o` that is not in `allowed`, at "parent.key". */
void fc_check_keys(struct pctx *c, json_t *o, const char *const *allowed, const char *parent)
{
	const char *key;
	json_t *v;
	char p[FC_PATH_MAX], sh[48];
	json_object_foreach(o, key, v) {
		(void)v;
		if (!fc_in_list(key, allowed))
			fc_fail(c, fc_member(p, parent, fc_show(key, sh)), "unknown_key", "unknown key \"%s\"", sh);
	}
}

/* Placeholders: {{name}} or {{name|fallback}}; name [a-z_][a-z0-9_]*, at most FLOW_FIELD_MAX. */
void fc_check_placeholders(struct pctx *c, const char *text, const char *path)
{
	for (const char *p = strstr(text, "{{"); p; p = strstr(p, "{{")) {
		const char *q = p + 2;
		size_t n = 0;
		while ((q[n] >= 'a' && q[n] <= 'z') || q[n] == '_' || (n && q[n] >= '0' && q[n] <= '9'))
			n++;
		const char *r = q + n;
		size_t fb = 0;
		if (*r == '|') {
			r++;
			while (r[fb] && r[fb] != '{' && r[fb] != '}' && r[fb] != '\n')
				fb++;
			r += fb;
		}
		if (n == 0 || n > FLOW_FIELD_MAX || strncmp(r, "}}", 2) || fb > FALLBACK_MAX) {
			fc_fail(c, path, "bad_placeholder",
			     "a placeholder is {{name}} or {{name|fallback}}: name of a-z, 0-9 and _ (at most %d), "
			     "fallback at most %d bytes",
			     FLOW_FIELD_MAX, FALLBACK_MAX);
			return;
		}
		p = r + 2;
	}
}

/* Member `key` of `o` when present and of `type`; NULL otherwise, reported at p = "parent.key" (absent:
 * only when required; another type: "must be <what>"). */
static json_t *typed_member(struct pctx *c, json_t *o, const char *key, const char *parent, bool required,
			    json_type type, const char *what, char p[FC_PATH_MAX])
{
	json_t *v = json_object_get(o, key);
	fc_member(p, parent, key);
	if (!v) {
		if (required)
			fc_fail(c, p, "missing", "\"%s\" is required", key);
		return NULL;
	}
	if (json_typeof(v) != type) {
		fc_fail(c, p, "bad_type", "\"%s\" must be %s", key, what);
		return NULL;
	}
	return v;
}

/* A string member of `o`: absent → NULL (reported when required); checked for type, NUL bytes, blankness,
 * length in characters and (oneline) line breaks. Errors are reported at "parent.key". */
const char *fc_get_str(struct pctx *c, json_t *o, const char *key, const char *parent, bool required,
		       size_t maxchars, bool oneline)
{
	char p[FC_PATH_MAX];
	json_t *v = typed_member(c, o, key, parent, required, JSON_STRING, "a string", p);
	if (!v)
		return NULL;
	const char *s = json_string_value(v);
	if (strlen(s) != json_string_length(v)) {
		fc_fail(c, p, "bad_text", "\"%s\" must not contain NUL characters", key);
		return NULL;
	}
	if (!s[strspn(s, " \t\r\n")]) {
		fc_fail(c, p, "empty_text", "\"%s\" must not be empty", key);
		return NULL;
	}
	size_t chars = flow_utf8_chars(s);
	if (chars > maxchars) {
		fc_fail(c, p, "text_too_long", "\"%s\" has %zu characters, at most %zu are allowed here", key, chars,
		     maxchars);
		return NULL;
	}
	if (oneline && strpbrk(s, "\r\n")) {
		fc_fail(c, p, "bad_text", "\"%s\" must be one line", key);
		return NULL;
	}
	return s;
}

/* An integer member in [lo, hi]; false when absent (reported when required) or wrong (reported). */
bool fc_get_int(struct pctx *c, json_t *o, const char *key, const char *parent, bool required, long long lo,
		long long hi, long long *out)
{
	char p[FC_PATH_MAX];
	json_t *v = typed_member(c, o, key, parent, required, JSON_INTEGER, "an integer", p);
	if (!v)
		return false;
	long long x = json_integer_value(v);
	if (x < lo || x > hi) {
		fc_fail(c, p, "bad_value", "\"%s\" must be between %lld and %lld", key, lo, hi);
		return false;
	}
	*out = x;
	return true;
}

/* The node a transition member names, or -1. Every failure (a required one absent, not a string, not a
 * node) is reported at "parent.key" and marks the graph incomplete. */
int fc_target(struct pctx *c, json_t *o, const char *key, const char *parent)
{
	char p[FC_PATH_MAX], sh[48];
	json_t *v = json_object_get(o, key);
	fc_member(p, parent, key);
	bool before = c->edges_incomplete;
	c->edges_incomplete = true; /* until it resolves */
	if (!v) {
		fc_fail(c, p, "missing_transition", "no transition \"%s\": where does the flow go from here?", key);
		return -1;
	}
	if (!json_is_string(v)) {
		fc_fail(c, p, "bad_type", "\"%s\" must be a node id (string)", key);
		return -1;
	}
	int i = flow_node_index(c->f, json_string_value(v));
	if (i < 0) {
		fc_fail(c, p, "unknown_node", "\"%s\" is not a node of this flow", fc_show(json_string_value(v), sh));
		return -1;
	}
	c->edges_incomplete = before;
	return i;
}
