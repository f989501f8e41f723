/* json.c — field-table validation and small typed getters over jansson. */
#include "base/json.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t json_utf8_chars(const char *s, size_t bytes)
{
	size_t n = 0;
	for (size_t i = 0; i < bytes; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

static const char *type_name(enum json_ftype t)
{
	switch (t) {
	case JF_STRING:
		return "a string";
	case JF_BOOL:
		return "true or false";
	case JF_INT:
		return "a whole number";
	case JF_NUMBER:
		return "a number";
	case JF_OBJECT:
	case JF_ANY_OBJECT:
		return "an object";
	case JF_STRING_ARRAY:
		return "an array of strings";
	case JF_ANY_ARRAY:
		return "an array";
	}
	return "a value";
}

static bool type_ok(const json_t *v, enum json_ftype t)
{
	switch (t) {
	case JF_STRING:
		return json_is_string(v);
	case JF_BOOL:
		return json_is_boolean(v);
	case JF_INT:
		return json_is_integer(v);
	case JF_NUMBER:
		return json_is_number(v);
	case JF_OBJECT:
	case JF_ANY_OBJECT:
		return json_is_object(v);
	case JF_STRING_ARRAY:
	case JF_ANY_ARRAY:
		return json_is_array(v);
	}
	return false;
}

static void join_path(char *out, size_t outlen, const char *prefix, const char *name)
{
	if (*prefix)
		snprintf(out, outlen, "%s.%s", prefix, name);
	else
		snprintf(out, outlen, "%s", name);
}

static int check_one(json_t *v, const struct json_field *f, const char *path, bool partial,
		     struct err *err);

static int validate_at(json_t *obj, const struct json_field *fields, const char *prefix, bool partial,
		       struct err *err)
{
	char path[ERR_FIELD_MAX];
	const char *key;
	json_t *val;

	json_object_foreach(obj, key, val)
	{
		const struct json_field *f = fields;
		while (f->name && strcmp(f->name, key) != 0)
			f++;
		join_path(path, sizeof path, prefix, key);
		if (!f->name)
			return err_set(err, ERR_VALIDATION, path, "unknown field \"%s\"", path);
		if (check_one(val, f, path, partial, err) != 0)
			return -1;
	}
	if (partial)
		return 0;
	for (const struct json_field *f = fields; f->name; f++) {
		if (f->required && !json_object_get(obj, f->name)) {
			join_path(path, sizeof path, prefix, f->name);
			return err_set(err, ERR_VALIDATION, path, "%s is required", path);
		}
	}
	return 0;
}

/* A string value against the field's length, one_of and check. */
static int check_string(json_t *v, const struct json_field *f, const char *path, struct err *err)
{
	const char *s = json_string_value(v);
	size_t chars = json_utf8_chars(s, json_string_length(v));
	if (strlen(s) != json_string_length(v))
		return err_set(err, ERR_VALIDATION, path, "%s must not contain NUL characters", path);
	if ((f->min || f->max) && (chars < (size_t)f->min || chars > (size_t)f->max)) {
		if (f->min > 0)
			return err_set(err, ERR_VALIDATION, path, "%s must be %ld to %ld characters long", path,
				       f->min, f->max);
		return err_set(err, ERR_VALIDATION, path, "%s must be at most %ld characters long", path,
			       f->max);
	}
	if (f->one_of) {
		const char *const *o = f->one_of;
		while (*o && strcmp(*o, s) != 0)
			o++;
		if (!*o) {
			char allowed[160] = "";
			size_t used = 0;
			for (o = f->one_of; *o && used < sizeof allowed; o++)
				used += (size_t)snprintf(allowed + used, sizeof allowed - used, "%s%s",
							 o == f->one_of ? "" : ", ", *o);
			return err_set(err, ERR_VALIDATION, path, "%s must be one of: %s", path, allowed);
		}
	}
	if (f->check && !f->check(s))
		return err_set(err, ERR_VALIDATION, path, "%s must be %s", path,
			       f->check_msg ? f->check_msg : "well-formed");
	return 0;
}

static int check_one(json_t *v, const struct json_field *f, const char *path, bool partial,
		     struct err *err)
{
	if (json_is_null(v)) {
		if (f->nullable)
			return 0;
		return err_set(err, ERR_VALIDATION, path, "%s must be %s, not null", path, type_name(f->type));
	}
	if (!type_ok(v, f->type))
		return err_set(err, ERR_VALIDATION, path, "%s must be %s", path, type_name(f->type));

	switch (f->type) {
	case JF_STRING:
		return check_string(v, f, path, err);
	case JF_STRING_ARRAY: {
		if (json_array_size(v) > JSON_ARRAY_MAX)
			return err_set(err, ERR_VALIDATION, path, "%s must have at most %d entries", path, JSON_ARRAY_MAX);
		char item[ERR_FIELD_MAX + 24];
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e)
		{
			snprintf(item, sizeof item, "%s[%zu]", path, i);
			if (!json_is_string(e))
				return err_set(err, ERR_VALIDATION, item, "%s must be a string", item);
			if (check_string(e, f, item, err) != 0)
				return -1;
		}
		return 0;
	}
	case JF_INT: {
		json_int_t n = json_integer_value(v);
		if ((f->min || f->max) && (n < f->min || n > f->max))
			return err_set(err, ERR_VALIDATION, path, "%s must be from %ld to %ld", path, f->min, f->max);
		return 0;
	}
	case JF_NUMBER: {
		double n = json_number_value(v);
		if ((f->min || f->max) && (n < (double)f->min || n > (double)f->max))
			return err_set(err, ERR_VALIDATION, path, "%s must be from %ld to %ld", path, f->min, f->max);
		return 0;
	}
	case JF_OBJECT:
		return validate_at(v, f->sub, path, partial, err);
	case JF_ANY_OBJECT:
	case JF_ANY_ARRAY: {
		if (f->max) {
			char *text = json_dumps(v, JSON_COMPACT);
			size_t len = text ? strlen(text) : 0;
			free(text);
			if (!text)
				return err_set(err, ERR_INTERNAL, NULL, "out of memory");
			if (len > (size_t)f->max)
				return err_set(err, ERR_VALIDATION, path, "%s must be at most %ld bytes as JSON", path,
					       f->max);
		}
		return 0;
	}
	case JF_BOOL:
		return 0;
	}
	return 0;
}

int json_validate(json_t *obj, const struct json_field *fields, bool partial, struct err *err)
{
	if (!json_is_object(obj))
		return err_set(err, ERR_INVALID_REQUEST, NULL, "the body must be a JSON object");
	return validate_at(obj, fields, "", partial, err);
}

bool json_check_color(const char *s)
{
	if (s[0] != '#' || strlen(s) != 7)
		return false;
	for (int i = 1; i < 7; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* What follows "http://" or "https://", or NULL for other schemes. */
static const char *after_http_scheme(const char *s)
{
	if (!strncmp(s, "https://", 8))
		return s + 8;
	if (!strncmp(s, "http://", 7))
		return s + 7;
	return NULL;
}

bool json_check_http_url(const char *s)
{
	const char *host = after_http_scheme(s);
	if (!host || !*host || *host == '/' || *host == ':' || *host == '?' || *host == '#')
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
			return false;
	return true;
}

bool json_check_origin(const char *s)
{
	const char *host = after_http_scheme(s);
	if (!host || !*host)
		return false;
	bool port = false;
	for (const char *p = host; *p; p++) {
		if (*p == ':' && !port && p > host && p[1]) {
			port = true;
		} else if (port ? !isdigit((unsigned char)*p)
				: !(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-' || *p == '.')) {
			return false;
		}
	}
	return true;
}

bool json_check_token(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
	return true;
}

bool json_check_e164(const char *s)
{
	if (s[0] != '+' || s[1] < '1' || s[1] > '9')
		return false;
	size_t n = 0;
	for (const char *p = s + 1; *p; p++, n++)
		if (!isdigit((unsigned char)*p))
			return false;
	return n >= 8 && n <= 15;
}

bool json_check_email(const char *s)
{
	size_t len = strlen(s);
	const char *at = strrchr(s, '@');
	if (len > 254 || !at || at == s || at - s > 64 || strchr(s, '@') != at)
		return false;
	const char *domain = at + 1, *dot = strrchr(domain, '.');
	if (!dot || dot == domain || !dot[1] || dot[1] == '.' || strlen(dot + 1) < 2 || strstr(domain, ".."))
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '<' || *p == '>' || *p == '"' || *p == ',' ||
		    *p == ';' || *p == '\\' || *p == '(' || *p == ')' || *p == '[' || *p == ']')
			return false;
	return domain[0] != '.' && domain[0] != '-';
}

const char *json_str(const json_t *obj, const char *key, const char *def)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : def;
}

bool json_bool(const json_t *obj, const char *key, bool def)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_boolean(v) ? json_is_true(v) : def;
}

double json_num(const json_t *obj, const char *key, double def)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_number(v) ? json_number_value(v) : def;
}

long json_long(const json_t *obj, const char *key, long def)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_integer(v) ? (long)json_integer_value(v) : def;
}
