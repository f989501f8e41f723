/*
 * flow_check_int.h — shared by flow_check.c (the passes over a flow document) and flow_check_read.c (error
 * reports and checked reading of members). Private to the flow checker.
 */
#ifndef BOTWERK_CONV_FLOW_CHECK_INT_H
#define BOTWERK_CONV_FLOW_CHECK_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "conv/flow_int.h"

#define FC_PATH_MAX 160 /* bytes of an error path ("nodes.ask_ads.answer.yes") */

struct pctx {
	struct flow *f;
	struct flow_error *errs;
	int max, n;
	bool edges_incomplete; /* a transition did not resolve: the graph pass is skipped */
};

/* Reports an error at `path` with `code` (counted past the room in errs; path and message cut on a
 * character boundary). */
void fc_fail(struct pctx *c, const char *path, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Formats a path into buf (FC_PATH_MAX bytes) and returns buf. */
const char *fc_pathf(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A printable copy of at most 40 bytes of `s` for messages (control bytes become '?'). */
const char *fc_show(const char *s, char out[48]);
/* "parent.key", or "key" at the top level, into buf (FC_PATH_MAX bytes). */
const char *fc_member(char *buf, const char *parent, const char *key);
bool fc_in_list(const char *s, const char *const *list);
/* `s` is 1..max bytes of the classes in `classes` ('a' lower case, 'A' upper case, '0' digits) or `extra`. */
bool fc_id_ok(const char *s, size_t max, const char *classes, const char *extra);
/* A field name: a-z and _, at most FLOW_FIELD_MAX. */
bool fc_field_ok(const char *s);
/* Reports every key of `o` that is not in `allowed` (NULL-terminated), at "parent.key". */
void fc_check_keys(struct pctx *c, json_t *o, const char *const *allowed, const char *parent);
/* Reports a malformed {{placeholder}} in `text` at `path`. */
void fc_check_placeholders(struct pctx *c, const char *text, const char *path);
/* A string member: absent → NULL (reported when required); type, NUL bytes, blankness, length in characters
 * and (oneline) line breaks are checked and reported at "parent.key". */
const char *fc_get_str(struct pctx *c, json_t *o, const char *key, const char *parent, bool required,
		       size_t maxchars, bool oneline);
/* An integer member in [lo, hi] into *out; false when absent (reported when required) or wrong. */
bool fc_get_int(struct pctx *c, json_t *o, const char *key, const char *parent, bool required, long long lo,
		long long hi, long long *out);
/* The node a transition member names, or -1 (reported, and the graph marked incomplete). */
int fc_target(struct pctx *c, json_t *o, const char *key, const char *parent);

#endif
