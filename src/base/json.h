/*
 * json.h — declared validation of JSON request bodies (over jansson).
 *
 * A route declares its body as a table of `struct json_field` rows. json_validate() checks an object
 * against the table before the handler runs: required fields, types, lengths (in characters, not bytes),
 * allowed values, a check function for formats (colours, URLs), nested objects, and unknown fields,
 * which are refused. On the first problem it fills `err` (ERR_VALIDATION, with the dotted field path).
 */
#ifndef BOTWERK_BASE_JSON_H
#define BOTWERK_BASE_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* JF_STRING_ARRAY: an array of at most JSON_ARRAY_MAX strings, each checked like a JF_STRING field
 * (min/max, one_of, check); an error names the item ("access.allowed_origins[2]"). */
/* JF_NUMBER: an integer or a real, checked against min/max like JF_INT (whole-number bounds). */
/* JF_ANY_ARRAY: any array, at most `max` bytes as compact JSON (0: no limit); its owner checks the items. */
enum json_ftype { JF_STRING, JF_BOOL, JF_INT, JF_NUMBER, JF_OBJECT, JF_ANY_OBJECT, JF_STRING_ARRAY, JF_ANY_ARRAY };

#define JSON_ARRAY_MAX 32

struct json_field {
	const char *name;
	enum json_ftype type;
	bool required;
	bool nullable;
	long min, max;                  /* string: characters; int: value; 0/0 = unbounded */
	const char *const *one_of;      /* NULL-terminated allowed strings, or NULL */
	bool (*check)(const char *s);   /* string format check, or NULL */
	const char *check_msg;          /* what the check wants, for the message */
	const struct json_field *sub;   /* JF_OBJECT: its fields (terminated by a row with name NULL) */
};

/* `fields` ends with a row whose name is NULL. `partial`: required flags are ignored (PATCH). */
int json_validate(json_t *obj, const struct json_field *fields, bool partial, struct err *err);

/* Length of UTF-8 text in code points (the input is valid UTF-8, as jansson guarantees). */
size_t json_utf8_chars(const char *s, size_t bytes);

/* Formats shared by several routes. */
bool json_check_color(const char *s);   /* #rrggbb */
bool json_check_http_url(const char *s); /* http:// or https:// with a host, no spaces */
bool json_check_origin(const char *s);   /* a web origin: http(s)://host[:port], lower case, nothing after */
bool json_check_token(const char *s);    /* URL-safe token characters: A-Z a-z 0-9 - _ */
bool json_check_e164(const char *s);     /* a phone number in E.164: + and 8-15 digits, no leading 0 */
bool json_check_email(const char *s);    /* local@domain.tld, ≤ 254 bytes, no spaces or control characters */

/* Typed getters for validated objects: return the value or `def` when absent/null/wrong type. */
const char *json_str(const json_t *obj, const char *key, const char *def);
bool json_bool(const json_t *obj, const char *key, bool def);
double json_num(const json_t *obj, const char *key, double def);
long json_long(const json_t *obj, const char *key, long def);

#endif
