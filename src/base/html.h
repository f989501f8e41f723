/*
 * html.h — HTML escaping and a minimal template renderer for the pages botwerk serves.
 *
 * Templates are text with `{{name}}` (the value, HTML-escaped: safe in text and in quoted attribute
 * values) and `{{?name}}…{{/name}}` (the enclosed text only when the value is non-empty; no nesting of
 * the same name). Unknown names render as empty. There is no way to insert unescaped text.
 */
#ifndef BOTWERK_BASE_HTML_H
#define BOTWERK_BASE_HTML_H

#include <stddef.h>

struct html_var {
	const char *name;
	const char *value; /* NULL is empty */
};

/* Appends `s` escaped (& < > " ' → entities). Returns the new length, or (size_t)-1 when out of memory
 * (the buffer is then freed and *buf is NULL). *buf is malloc'd and NUL-terminated. */
size_t html_escape_append(char **buf, size_t len, size_t *cap, const char *s);

/* Renders `tmpl` with `vars` (nvars entries). A new malloc'd string, or NULL when out of memory or when
 * a `{{` is not closed or a section is not ended. */
char *html_render(const char *tmpl, const struct html_var *vars, size_t nvars);

#endif
