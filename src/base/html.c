/* html.c — HTML escaping and the `{{name}}` / `{{?name}}…{{/name}}` renderer (see html.h). */
#include "base/html.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Appends n bytes. The buffer is freed on failure. */
static size_t put(char **buf, size_t len, size_t *cap, const char *s, size_t n)
{
	if (len == (size_t)-1)
		return len;
	if (len + n + 1 > *cap) {
		size_t c = *cap ? *cap : 256;
		while (c < len + n + 1)
			c *= 2;
		char *p = realloc(*buf, c);
		if (!p) {
			free(*buf);
			*buf = NULL;
			return (size_t)-1;
		}
		*buf = p;
		*cap = c;
	}
	memcpy(*buf + len, s, n);
	len += n;
	(*buf)[len] = '\0';
	return len;
}

size_t html_escape_append(char **buf, size_t len, size_t *cap, const char *s)
{
	for (const char *p = s ? s : ""; *p && len != (size_t)-1;) {
		size_t run = strcspn(p, "&<>\"'");
		len = put(buf, len, cap, p, run);
		p += run;
		if (!*p)
			break;
		const char *ent = *p == '&' ? "&amp;" : *p == '<' ? "&lt;" : *p == '>' ? "&gt;" : *p == '"' ? "&quot;" : "&#39;";
		len = put(buf, len, cap, ent, strlen(ent));
		p++;
	}
	if (len != (size_t)-1 && !*buf) /* nothing written yet: still hand back an empty string */
		len = put(buf, len, cap, "", 0);
	return len;
}

static const char *lookup(const struct html_var *vars, size_t nvars, const char *name, size_t n)
{
	for (size_t i = 0; i < nvars; i++)
		if (strlen(vars[i].name) == n && !strncmp(vars[i].name, name, n))
			return vars[i].value ? vars[i].value : "";
	return "";
}

char *html_render(const char *tmpl, const struct html_var *vars, size_t nvars)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	const char *p = tmpl;
	len = put(&buf, len, &cap, "", 0);
	while (*p && len != (size_t)-1) {
		const char *open = strstr(p, "{{");
		if (!open) {
			len = put(&buf, len, &cap, p, strlen(p));
			break;
		}
		len = put(&buf, len, &cap, p, (size_t)(open - p));
		const char *close = strstr(open + 2, "}}");
		if (!close)
			goto fail;
		const char *name = open + 2;
		size_t n = (size_t)(close - name);
		p = close + 2;
		if (*name == '?') { /* section: keep or skip up to {{/name}} */
			char end[80];
			if (n - 1 + 6 > sizeof end)
				goto fail;
			memcpy(end, "{{/", 3);
			memcpy(end + 3, name + 1, n - 1);
			memcpy(end + 3 + n - 1, "}}", 3);
			const char *stop = strstr(p, end);
			if (!stop)
				goto fail;
			if (!*lookup(vars, nvars, name + 1, n - 1))
				p = stop + strlen(end);
			continue;
		}
		if (*name == '/') /* the end of a kept section */
			continue;
		len = html_escape_append(&buf, len, &cap, lookup(vars, nvars, name, n));
	}
	if (len == (size_t)-1)
		return NULL;
	return buf;
fail:
	free(buf);
	return NULL;
}
