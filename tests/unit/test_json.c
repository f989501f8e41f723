/*
 * test_json.c — unit tests for src/base/json.c: the validation answer (code, field path, message) an API
 * client gets for a request body, checked against the real bot schema (bot_fields of src/api/bot_json.h)
 * and a few small schemas for the field types the bot schema lacks. Only public functions are used.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/bot_json.h"
#include "base/err.h"
#include "base/json.h"

/* ---- helpers ------------------------------------------------------------------------------------ */

static struct err E;

/* Parses `text` (must be valid JSON) and validates it; returns json_validate's result. */
static int check(const struct json_field *fields, bool partial, const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);
	int rc;

	if (!v)
		fail_msg("test JSON does not parse: %s (%s)", text, jerr.text);
	memset(&E, 0, sizeof E);
	rc = json_validate(v, fields, partial, &E);
	json_decref(v);
	return rc;
}

static void assert_ok(const struct json_field *fields, bool partial, const char *text)
{
	if (check(fields, partial, text) != 0)
		fail_msg("%s: refused: [%s] %s", text, E.field, E.msg);
	assert_int_equal(E.code, ERR_OK);
}

/* Refused with a validation error on `field`, the message containing `msg_part`. */
static void assert_refused(const struct json_field *fields, bool partial, const char *text, const char *field,
			   const char *msg_part)
{
	if (check(fields, partial, text) != -1)
		fail_msg("%.120s: accepted, expected an error on %s", text, field);
	assert_int_equal(E.code, ERR_VALIDATION);
	assert_int_equal(err_http_status(E.code), 422);
	assert_string_equal(E.field, field);
	if (!strstr(E.msg, msg_part))
		fail_msg("%.120s: message \"%s\" lacks \"%s\"", text, E.msg, msg_part);
}

#define bot_ok(text) assert_ok(bot_fields, false, text)
#define bot_refused(text, field, msg) assert_refused(bot_fields, false, text, field, msg)

/* `n` copies of `unit` inside a JSON string field: {"<key>":"<unit>...", <extra>} */
static char *repeat_body(const char *key, const char *unit, size_t n, const char *extra)
{
	size_t ul = strlen(unit), cap = strlen(key) + ul * n + strlen(extra) + 32;
	char *s = malloc(cap), *p;

	assert_non_null(s);
	p = s + sprintf(s, "{\"%s\":\"", key);
	for (size_t i = 0; i < n; i++, p += ul)
		memcpy(p, unit, ul);
	sprintf(p, "\"%s%s}", *extra ? "," : "", extra);
	return s;
}

/* A bot body whose branding.placeholder_text is `n` × "ö" (max 120, no minimum). */
static char *placeholder_body(size_t n)
{
	char *inner = repeat_body("placeholder_text", "ö", n, "");
	char *s = malloc(strlen(inner) + 32);

	assert_non_null(s);
	sprintf(s, "{\"name\":\"x\",\"branding\":%s}", inner);
	free(inner);
	return s;
}

/* ---- the bot schema ---------------------------------------------------------------------------- */

static void test_valid_bot_bodies_pass(void **state)
{
	(void)state;
	bot_ok("{\"name\":\"Support\"}");
	bot_ok("{\"name\":\"Support\",\"description\":\"\",\"language\":\"en\",\"response_style\":\"friendly\","
	       "\"system_prompt_additions\":\"Be brief.\",\"fallback_message\":\"Sorry.\",\"active\":false,"
	       "\"branding\":{\"logo_url\":\"https://example.com/logo.png\",\"primary_color\":\"#0f766e\","
	       "\"secondary_color\":\"#F59E0B\",\"welcome_message\":\"Hi\",\"placeholder_text\":\"Ask\","
	       "\"theme\":\"dark\"}}");
	bot_ok("{\"name\":\"x\",\"branding\":{}}");
}

static void test_required_fields(void **state)
{
	(void)state;
	bot_refused("{}", "name", "name is required");
	bot_refused("{\"description\":\"no name\"}", "name", "name is required");
	assert_int_equal(err_http_status(E.code), 422);
	assert_string_equal(err_code_name(E.code), "validation_failed");
}

static void test_partial_mode_ignores_required(void **state)
{
	static const struct json_field inner[] = {
		{"must", JF_STRING, true, false, 0, 0, NULL, NULL, NULL, NULL},
		{"may", JF_STRING, false, false, 0, 0, NULL, NULL, NULL, NULL},
		{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
	};
	static const struct json_field outer[] = {
		{"id", JF_STRING, true, false, 0, 0, NULL, NULL, NULL, NULL},
		{"sub", JF_OBJECT, false, false, 0, 0, NULL, NULL, NULL, inner},
		{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
	};

	(void)state;
	assert_ok(bot_fields, true, "{}");
	assert_ok(bot_fields, true, "{\"description\":\"only this\"}");
	assert_ok(bot_fields, true, "{\"active\":true}");
	/* nested required fields too */
	assert_ok(outer, true, "{\"sub\":{\"may\":\"x\"}}");
	assert_refused(outer, false, "{\"id\":\"1\",\"sub\":{\"may\":\"x\"}}", "sub.must", "sub.must is required");
	/* but everything else is still checked */
	assert_refused(bot_fields, true, "{\"name\":\"\"}", "name", "1 to 120 characters");
	assert_refused(bot_fields, true, "{\"language\":\"fr\"}", "language", "one of");
	assert_refused(bot_fields, true, "{\"colour\":\"red\"}", "colour", "unknown field");
	assert_refused(outer, true, "{\"sub\":{\"may\":1}}", "sub.may", "must be a string");
}

static void test_unknown_fields_are_refused_with_their_path(void **state)
{
	(void)state;
	bot_refused("{\"name\":\"x\",\"colour\":\"red\"}", "colour", "unknown field \"colour\"");
	bot_refused("{\"name\":\"x\",\"branding\":{\"colour\":\"#000000\"}}", "branding.colour",
		    "unknown field \"branding.colour\"");
	bot_refused("{\"name\":\"x\",\"branding\":{\"theme\":\"dark\",\"x\":{\"y\":1}}}", "branding.x", "unknown field");
	/* names are case-sensitive */
	bot_refused("{\"Name\":\"x\"}", "Name", "unknown field");
	/* an unknown field with a null value is still unknown */
	bot_refused("{\"name\":\"x\",\"id\":null}", "id", "unknown field");
	/* the empty key */
	bot_refused("{\"name\":\"x\",\"\":1}", "", "unknown field");
	/* a very long key is cut to fit the error, not overrun it */
	char body[512], key[301];

	memset(key, 'k', 300);
	key[300] = '\0';
	snprintf(body, sizeof body, "{\"branding\":{\"%s\":1}}", key);
	assert_int_equal(check(bot_fields, true, body), -1);
	assert_int_equal(E.code, ERR_VALIDATION);
	assert_int_equal(strlen(E.field), sizeof E.field - 1);
	assert_memory_equal(E.field, "branding.kkkk", 13);
	assert_non_null(strstr(E.msg, "unknown field"));
}

static void test_type_errors_name_the_expected_type(void **state)
{
	(void)state;
	bot_refused("{\"name\":5}", "name", "name must be a string");
	bot_refused("{\"name\":[\"x\"]}", "name", "name must be a string");
	bot_refused("{\"name\":\"x\",\"active\":\"yes\"}", "active", "active must be true or false");
	bot_refused("{\"name\":\"x\",\"active\":1}", "active", "true or false");
	bot_refused("{\"name\":\"x\",\"branding\":\"dark\"}", "branding", "branding must be an object");
	bot_refused("{\"name\":\"x\",\"branding\":[]}", "branding", "an object");
	bot_refused("{\"name\":\"x\",\"branding\":{\"welcome_message\":false}}", "branding.welcome_message",
		    "branding.welcome_message must be a string");
}

static void test_body_must_be_an_object(void **state)
{
	(void)state;
	assert_int_equal(check(bot_fields, false, "[]"), -1);
	assert_int_equal(E.code, ERR_INVALID_REQUEST);
	assert_string_equal(E.field, "");
	assert_int_equal(check(bot_fields, false, "\"name\""), -1);
	assert_int_equal(E.code, ERR_INVALID_REQUEST);
	assert_int_equal(check(bot_fields, true, "null"), -1);
	assert_int_equal(E.code, ERR_INVALID_REQUEST);
	assert_int_equal(err_http_status(E.code), 400);
}

static void test_null_is_refused_unless_nullable(void **state)
{
	(void)state;
	bot_refused("{\"name\":null}", "name", "name must be a string, not null");
	bot_refused("{\"name\":\"x\",\"active\":null}", "active", "not null");
	bot_refused("{\"name\":\"x\",\"branding\":null}", "branding", "must be an object, not null");
	bot_refused("{\"name\":\"x\",\"branding\":{\"theme\":null}}", "branding.theme", "not null");
	/* the logo may be removed */
	bot_ok("{\"name\":\"x\",\"branding\":{\"logo_url\":null}}");
	assert_ok(bot_fields, true, "{\"branding\":{\"logo_url\":null}}");
}

/* ---- strings ------------------------------------------------------------------------------------ */

static void test_lengths_count_characters_not_bytes(void **state)
{
	char *s;

	(void)state;
	/* 120 "ä" are 240 bytes and 120 characters: the name max is 120 */
	s = repeat_body("name", "ä", 120, "");
	bot_ok(s);
	free(s);
	s = repeat_body("name", "ä", 121, "");
	bot_refused(s, "name", "name must be 1 to 120 characters long");
	free(s);
	/* four-byte characters count once */
	s = repeat_body("name", "\xF0\x9F\x98\x80", 120, "");
	bot_ok(s);
	free(s);
	/* the limit in plain ASCII */
	s = repeat_body("name", "a", 120, "");
	bot_ok(s);
	free(s);
	s = repeat_body("name", "a", 121, "");
	bot_refused(s, "name", "1 to 120 characters");
	free(s);
	/* a JSON escape is one character */
	s = repeat_body("name", "\\u00e4", 120, "");
	bot_ok(s);
	free(s);
	/* min 1 */
	bot_refused("{\"name\":\"\"}", "name", "name must be 1 to 120 characters long");
	bot_refused("{\"name\":\"x\",\"fallback_message\":\"\"}", "fallback_message", "1 to 500 characters");
	/* a field with only a maximum says so */
	s = placeholder_body(121);
	bot_refused(s, "branding.placeholder_text", "branding.placeholder_text must be at most 120 characters long");
	free(s);
	s = placeholder_body(120);
	bot_ok(s);
	free(s);
	/* empty is fine where there is no minimum */
	bot_ok("{\"name\":\"x\",\"description\":\"\"}");
}

static void test_one_of_lists_the_allowed_values(void **state)
{
	(void)state;
	bot_refused("{\"name\":\"x\",\"language\":\"fr\"}", "language", "language must be one of: de, en");
	bot_refused("{\"name\":\"x\",\"language\":\"DE\"}", "language", "one of: de, en");
	bot_refused("{\"name\":\"x\",\"language\":\"\"}", "language", "one of: de, en");
	bot_refused("{\"name\":\"x\",\"response_style\":\"rude\"}", "response_style",
		    "response_style must be one of: professional, friendly, technical, casual");
	bot_refused("{\"name\":\"x\",\"branding\":{\"theme\":\"blue\"}}", "branding.theme",
		    "branding.theme must be one of: light, dark, minimal");
	bot_ok("{\"name\":\"x\",\"language\":\"de\",\"response_style\":\"casual\",\"branding\":{\"theme\":\"minimal\"}}");
}

static void test_one_of_with_many_values_keeps_the_message_bounded(void **state)
{
	static const char *const many[] = {
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "cccccccccccccccccccccccccccccc",
		"dddddddddddddddddddddddddddddd", "eeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "ffffffffffffffffffffffffffffff",
		"gggggggggggggggggggggggggggggg", "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhh", "iiiiiiiiiiiiiiiiiiiiiiiiiiiiii",
		"jjjjjjjjjjjjjjjjjjjjjjjjjjjjjj", NULL,
	};
	static const struct json_field f[] = {
		{"pick", JF_STRING, false, false, 0, 0, many, NULL, NULL, NULL},
		{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
	};

	(void)state;
	assert_refused(f, false, "{\"pick\":\"zzz\"}", "pick", "pick must be one of: aaaa");
	assert_true(strlen(E.msg) < sizeof E.msg);
	assert_ok(f, false, "{\"pick\":\"jjjjjjjjjjjjjjjjjjjjjjjjjjjjjj\"}");
}

static void test_format_checks_say_what_they_want(void **state)
{
	(void)state;
	bot_refused("{\"name\":\"x\",\"branding\":{\"primary_color\":\"red\"}}", "branding.primary_color",
		    "branding.primary_color must be a colour like #0f766e");
	bot_refused("{\"name\":\"x\",\"branding\":{\"secondary_color\":\"#12345\"}}", "branding.secondary_color",
		    "a colour like #f59e0b");
	bot_refused("{\"name\":\"x\",\"branding\":{\"logo_url\":\"javascript:alert(1)\"}}", "branding.logo_url",
		    "branding.logo_url must be an http:// or https:// URL");
	bot_refused("{\"name\":\"x\",\"branding\":{\"logo_url\":\"\"}}", "branding.logo_url", "https:// URL");
}

static void test_check_without_message_still_explains(void **state)
{
	static const struct json_field f[] = {
		{"c", JF_STRING, false, false, 0, 0, NULL, json_check_color, NULL, NULL},
		{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
	};

	(void)state;
	assert_refused(f, false, "{\"c\":\"x\"}", "c", "c must be well-formed");
}

static void test_nul_inside_a_string_is_refused(void **state)
{
	json_t *o;
	json_error_t jerr;

	(void)state;
	/* built directly (jansson's own parser refuses \u0000 unless asked) */
	o = json_pack("{s:s, s:s%}", "name", "x", "description", "a\0b", (size_t)3);
	assert_non_null(o);
	memset(&E, 0, sizeof E);
	assert_int_equal(json_validate(o, bot_fields, false, &E), -1);
	assert_int_equal(E.code, ERR_VALIDATION);
	assert_string_equal(E.field, "description");
	assert_non_null(strstr(E.msg, "description must not contain NUL characters"));
	json_decref(o);

	/* parsed with JSON_ALLOW_NUL, as a server that allowed it would */
	o = json_loads("{\"name\":\"ab\\u0000cd\"}", JSON_ALLOW_NUL, &jerr);
	assert_non_null(o);
	memset(&E, 0, sizeof E);
	assert_int_equal(json_validate(o, bot_fields, false, &E), -1);
	assert_string_equal(E.field, "name");
	assert_non_null(strstr(E.msg, "NUL"));
	json_decref(o);

	/* a lone NUL in a nested field */
	o = json_pack("{s:s, s:{s:s%}}", "name", "x", "branding", "theme", "\0", (size_t)1);
	assert_non_null(o);
	memset(&E, 0, sizeof E);
	assert_int_equal(json_validate(o, bot_fields, false, &E), -1);
	assert_string_equal(E.field, "branding.theme");
	json_decref(o);
}

/* ---- other field types ------------------------------------------------------------------------- */

static const struct json_field widget_fields[] = {
	{"count", JF_INT, false, false, 1, 10, NULL, NULL, NULL, NULL},
	{"any_int", JF_INT, false, true, 0, 0, NULL, NULL, NULL, NULL},
	{"meta", JF_ANY_OBJECT, false, false, 0, 32, NULL, NULL, NULL, NULL},
	{"free", JF_ANY_OBJECT, false, true, 0, 0, NULL, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

static void test_integers_and_their_bounds(void **state)
{
	(void)state;
	assert_ok(widget_fields, false, "{\"count\":1}");
	assert_ok(widget_fields, false, "{\"count\":10}");
	assert_refused(widget_fields, false, "{\"count\":0}", "count", "count must be from 1 to 10");
	assert_refused(widget_fields, false, "{\"count\":11}", "count", "count must be from 1 to 10");
	assert_refused(widget_fields, false, "{\"count\":-9223372036854775808}", "count", "from 1 to 10");
	assert_refused(widget_fields, false, "{\"count\":9223372036854775807}", "count", "from 1 to 10");
	assert_refused(widget_fields, false, "{\"count\":2.5}", "count", "count must be a whole number");
	assert_refused(widget_fields, false, "{\"count\":2.0}", "count", "a whole number");
	assert_refused(widget_fields, false, "{\"count\":\"5\"}", "count", "a whole number");
	assert_refused(widget_fields, false, "{\"count\":true}", "count", "a whole number");
	/* 0/0 is unbounded */
	assert_ok(widget_fields, false, "{\"any_int\":-9223372036854775808}");
	assert_ok(widget_fields, false, "{\"any_int\":null}");
}

static void test_any_object_is_capped_by_its_json_size(void **state)
{
	(void)state;
	/* any keys inside are accepted */
	assert_ok(widget_fields, false, "{\"meta\":{\"k\":\"v\",\"n\":[1,2]}}");
	assert_ok(widget_fields, false, "{\"meta\":{}}");
	/* {"k":"<24 digits>"} is exactly 32 bytes compact; whitespace in the request does not count */
	assert_ok(widget_fields, false, "{\"meta\":{ \"k\" : \"012345678901234567890123\" }}");
	assert_refused(widget_fields, false, "{\"meta\":{\"k\":\"0123456789012345678901234\"}}", "meta",
		       "meta must be at most 32 bytes as JSON");
	assert_refused(widget_fields, false, "{\"meta\":[]}", "meta", "meta must be an object");
	assert_refused(widget_fields, false, "{\"meta\":null}", "meta", "not null");
	/* no cap */
	char *big = repeat_body("k", "x", 100000, "");
	char *body = malloc(strlen(big) + 16);
	assert_non_null(body);
	sprintf(body, "{\"free\":%s}", big);
	assert_ok(widget_fields, false, body);
	free(body);
	free(big);
}

static void test_nested_objects_report_the_full_path(void **state)
{
	static const struct json_field c_fields[] = {
		{"c", JF_INT, true, false, 0, 5, NULL, NULL, NULL, NULL},
		{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
	};
	static const struct json_field b_fields[] = {
		{"b", JF_OBJECT, true, false, 0, 0, NULL, NULL, NULL, c_fields},
		{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
	};
	static const struct json_field a_fields[] = {
		{"a", JF_OBJECT, true, false, 0, 0, NULL, NULL, NULL, b_fields},
		{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
	};

	(void)state;
	assert_ok(a_fields, false, "{\"a\":{\"b\":{\"c\":3}}}");
	assert_refused(a_fields, false, "{}", "a", "a is required");
	assert_refused(a_fields, false, "{\"a\":{}}", "a.b", "a.b is required");
	assert_refused(a_fields, false, "{\"a\":{\"b\":{}}}", "a.b.c", "a.b.c is required");
	assert_refused(a_fields, false, "{\"a\":{\"b\":{\"c\":6}}}", "a.b.c", "a.b.c must be from 0 to 5");
	assert_refused(a_fields, false, "{\"a\":{\"b\":{\"c\":1,\"d\":1}}}", "a.b.d", "unknown field \"a.b.d\"");
	assert_refused(a_fields, false, "{\"a\":{\"b\":7}}", "a.b", "a.b must be an object");
}

/* ---- format checks ----------------------------------------------------------------------------- */

static void test_check_color(void **state)
{
	(void)state;
	assert_true(json_check_color("#0f766e"));
	assert_true(json_check_color("#F59E0B"));
	assert_true(json_check_color("#000000"));
	assert_true(json_check_color("#aBcDeF"));
	assert_false(json_check_color(""));
	assert_false(json_check_color("#"));
	assert_false(json_check_color("0f766e"));
	assert_false(json_check_color("#0f766"));    /* short */
	assert_false(json_check_color("#0f766e0"));  /* long */
	assert_false(json_check_color("#0f766e00")); /* no alpha */
	assert_false(json_check_color("#fff"));      /* no short form */
	assert_false(json_check_color("#0f766g"));
	assert_false(json_check_color("# f766e"));
	assert_false(json_check_color("#0x1234"));
	assert_false(json_check_color("##0f766"));
	assert_false(json_check_color("red"));
	assert_false(json_check_color("#0f766e;"));
	assert_false(json_check_color("#\xC3\xA4\xC3\xA4\xC3\xA4"));
}

static void test_check_http_url(void **state)
{
	(void)state;
	assert_true(json_check_http_url("https://example.com"));
	assert_true(json_check_http_url("http://example.com/logo.png"));
	assert_true(json_check_http_url("https://cdn.example.com:8443/a/b.svg?v=2#top"));
	assert_true(json_check_http_url("https://127.0.0.1/x"));
	assert_true(json_check_http_url("https://[::1]/x"));
	/* other schemes */
	assert_false(json_check_http_url(""));
	assert_false(json_check_http_url("example.com"));
	assert_false(json_check_http_url("//example.com/x"));
	assert_false(json_check_http_url("ftp://example.com/x"));
	assert_false(json_check_http_url("javascript:alert(1)"));
	assert_false(json_check_http_url("data:image/png;base64,AAAA"));
	assert_false(json_check_http_url("https:example.com"));
	assert_false(json_check_http_url("https:/example.com"));
	assert_false(json_check_http_url(" https://example.com"));
	/* no host */
	assert_false(json_check_http_url("https://"));
	assert_false(json_check_http_url("http://"));
	assert_false(json_check_http_url("https:///path"));
	assert_false(json_check_http_url("https://:443/"));
	assert_false(json_check_http_url("https://?q"));
	assert_false(json_check_http_url("https://#f"));
	/* characters that break out of an attribute or a URL */
	assert_false(json_check_http_url("https://exa mple.com"));
	assert_false(json_check_http_url("https://example.com/a b"));
	assert_false(json_check_http_url("https://example.com/\tx"));
	assert_false(json_check_http_url("https://example.com/\n"));
	assert_false(json_check_http_url("https://example.com/\x7f"));
	assert_false(json_check_http_url("https://example.com/\"onerror=\"x"));
	assert_false(json_check_http_url("https://example.com/<script>"));
	assert_false(json_check_http_url("https://example.com/>"));
	assert_false(json_check_http_url("https://example.com\\@evil.com"));
}

/* ---- small helpers ------------------------------------------------------------------------------ */

static void test_utf8_chars(void **state)
{
	(void)state;
	assert_int_equal(json_utf8_chars("", 0), 0);
	assert_int_equal(json_utf8_chars("abc", 3), 3);
	assert_int_equal(json_utf8_chars("ä", 2), 1);
	assert_int_equal(json_utf8_chars("Grüße", strlen("Grüße")), 5);
	assert_int_equal(json_utf8_chars("€", 3), 1);
	assert_int_equal(json_utf8_chars("\xF0\x9F\x98\x80!", 5), 2);
	/* only `bytes` are looked at */
	assert_int_equal(json_utf8_chars("abcdef", 2), 2);
}

static void test_typed_getters_fall_back_to_the_default(void **state)
{
	json_t *o = json_pack("{s:s, s:b, s:i, s:n}", "s", "v", "b", 1, "i", 3, "n");

	(void)state;
	assert_non_null(o);
	assert_string_equal(json_str(o, "s", "d"), "v");
	assert_string_equal(json_str(o, "missing", "d"), "d");
	assert_string_equal(json_str(o, "i", "d"), "d");
	assert_string_equal(json_str(o, "n", "d"), "d");
	assert_null(json_str(o, "b", NULL));
	assert_true(json_bool(o, "b", false));
	assert_false(json_bool(o, "missing", false));
	assert_true(json_bool(o, "missing", true));
	assert_true(json_bool(o, "s", true));
	assert_false(json_bool(o, "i", false));
	assert_false(json_bool(o, "n", false));
	json_decref(o);
}

static void test_string_arrays_check_each_item(void **state)
{
	(void)state;
	bot_ok("{\"name\":\"A\",\"access\":{\"allowed_origins\":[]}}");
	bot_ok("{\"name\":\"A\",\"access\":{\"allowed_origins\":[\"https://a.de\",\"http://127.0.0.1:8080\"]}}");
	bot_refused("{\"name\":\"A\",\"access\":{\"allowed_origins\":\"https://a.de\"}}", "access.allowed_origins",
		    "an array of strings");
	bot_refused("{\"name\":\"A\",\"access\":{\"allowed_origins\":[\"https://a.de\",1]}}",
		    "access.allowed_origins[1]", "must be a string");
	bot_refused("{\"name\":\"A\",\"access\":{\"allowed_origins\":[\"https://a.de/x\"]}}",
		    "access.allowed_origins[0]", "an origin like");
	char body[2048] = "{\"name\":\"A\",\"access\":{\"allowed_origins\":[";
	for (int i = 0; i <= JSON_ARRAY_MAX; i++)
		snprintf(body + strlen(body), sizeof body - strlen(body), "%s\"https://s%d.de\"", i ? "," : "", i);
	strcat(body, "]}}");
	bot_refused(body, "access.allowed_origins", "at most 32 entries");
}

static void test_check_origin_and_token(void **state)
{
	(void)state;
	const char *good[] = {"https://a.de", "http://127.0.0.1:8080", "https://shop.example-1.de", "https://x.y:1"};
	const char *bad[] = {"https://a.de/", "https://A.de", "ftp://a.de", "https://", "https://a.de:", "https://a.de:x",
			     "https://:80", "https://a.de?x", "https://a de", "https://a.de:80:81", "a.de"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!json_check_origin(good[i]))
			fail_msg("origin %s refused", good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (json_check_origin(bad[i]))
			fail_msg("origin %s accepted", bad[i]);
	assert_true(json_check_token("Abc-123_xyz"));
	assert_false(json_check_token("abc def"));
	assert_false(json_check_token("abc%20"));
	bot_refused("{\"name\":\"A\",\"access\":{\"token\":\"kurz\"}}", "access.token", "16 to 128");
	bot_ok("{\"name\":\"A\",\"access\":{\"token\":null}}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_bot_bodies_pass),
		cmocka_unit_test(test_required_fields),
		cmocka_unit_test(test_partial_mode_ignores_required),
		cmocka_unit_test(test_unknown_fields_are_refused_with_their_path),
		cmocka_unit_test(test_type_errors_name_the_expected_type),
		cmocka_unit_test(test_body_must_be_an_object),
		cmocka_unit_test(test_null_is_refused_unless_nullable),
		cmocka_unit_test(test_lengths_count_characters_not_bytes),
		cmocka_unit_test(test_one_of_lists_the_allowed_values),
		cmocka_unit_test(test_one_of_with_many_values_keeps_the_message_bounded),
		cmocka_unit_test(test_format_checks_say_what_they_want),
		cmocka_unit_test(test_check_without_message_still_explains),
		cmocka_unit_test(test_nul_inside_a_string_is_refused),
		cmocka_unit_test(test_integers_and_their_bounds),
		cmocka_unit_test(test_any_object_is_capped_by_its_json_size),
		cmocka_unit_test(test_nested_objects_report_the_full_path),
		cmocka_unit_test(test_check_color),
		cmocka_unit_test(test_check_http_url),
		cmocka_unit_test(test_utf8_chars),
		cmocka_unit_test(test_typed_getters_fall_back_to_the_default),
		cmocka_unit_test(test_string_arrays_check_each_item),
		cmocka_unit_test(test_check_origin_and_token),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
