/*
 * test_templates.c — unit tests for src/channels/templates.c: parsing the template list of a bot (the
 * seed 003 templates), lookup by name and language with the base-language fallback, rendering with
 * exactly n variables, the cleaning of variables (control characters, space runs, the length cap on a
 * character boundary, nested placeholders, invalid UTF-8) and the validation answer for bad configs.
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

#include "channels/templates.h"

static char E[256];

static json_t *js(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	if (!v)
		fail_msg("bad test JSON %s: %s", text, e.text);
	return v;
}

static struct templates *parse(const char *text)
{
	json_t *v = text ? js(text) : NULL;
	E[0] = '\0';
	struct templates *t = templates_parse(v, E, sizeof E);
	json_decref(v);
	return t;
}

static void assert_refused(const char *text, const char *msg)
{
	struct templates *t = parse(text);
	if (t) {
		templates_free(t);
		fail_msg("%.200s: accepted, expected \"%s\"", text, msg);
	}
	assert_string_equal(E, msg);
}

/* The templates of seed 003 (Umsetzungsplan, section 5). */
static const char *const SEED =
	"[{\"name\":\"lead_welcome_v1\",\"language\":\"de\",\"approved\":true,"
	"\"body\":\"Hey {{1}}, danke für deine Anfrage 🙌\\nIch hätte kurz 2 Fragen. Passt das?\"},"
	"{\"name\":\"lead_nudge_v1\",\"language\":\"de\",\"approved\":true,"
	"\"body\":\"Kurzer Reminder zu meiner Frage von eben 🙂\"},"
	"{\"name\":\"appointment_reminder_22h_v1\",\"language\":\"de\",\"category\":\"utility\",\"approved\":true,"
	"\"body\":\"Reminder zu deinem Termin morgen um {{1}} Uhr.\"},"
	"{\"name\":\"appointment_reminder_22h_v1\",\"language\":\"en_US\",\"category\":\"utility\","
	"\"body\":\"Reminder: your appointment tomorrow at {{1}}.\"},"
	"{\"name\":\"appointment_reminder_55m_v1\",\"language\":\"de_AT\",\"category\":\"utility\",\"approved\":true,"
	"\"body\":\"In 55 Minuten geht's los, {{2}}! Hier ist dein Link: {{1}} (nochmal: {{1}})\"}]";

static void test_parse_registry(void **state)
{
	(void)state;
	struct templates *t = parse(SEED);
	if (!t)
		fail_msg("refused: %s", E);
	assert_int_equal(templates_count(t), 5);
	const struct template *a = templates_at(t, 0);
	assert_string_equal(a->name, "lead_welcome_v1");
	assert_int_equal(a->params, 1);
	assert_int_equal(a->category, TEMPLATE_MARKETING); /* the default */
	assert_true(a->approved);
	assert_int_equal(templates_at(t, 1)->params, 0);
	const struct template *r = templates_at(t, 3);
	assert_string_equal(r->language, "en_US");
	assert_int_equal(r->category, TEMPLATE_UTILITY);
	assert_false(r->approved); /* approved defaults to false */
	assert_int_equal(templates_at(t, 4)->params, 2);
	assert_null(templates_at(t, 5));
	templates_free(t);

	/* absent, null and [] are empty registries */
	t = parse(NULL);
	assert_non_null(t);
	assert_int_equal(templates_count(t), 0);
	assert_null(templates_find(t, "x", "de"));
	templates_free(t);
	t = parse("[]");
	assert_non_null(t);
	templates_free(t);
	t = parse("null");
	assert_non_null(t);
	templates_free(t);
	templates_free(NULL);
}

static void test_find(void **state)
{
	(void)state;
	struct templates *t = parse(SEED);
	assert_non_null(t);
	const struct template *x = templates_find(t, "appointment_reminder_22h_v1", "en_US");
	assert_non_null(x);
	assert_string_equal(x->language, "en_US");
	x = templates_find(t, "appointment_reminder_22h_v1", "de");
	assert_string_equal(x->language, "de");
	/* de_DE falls back to de; en_GB has no en */
	x = templates_find(t, "appointment_reminder_22h_v1", "de_DE");
	assert_non_null(x);
	assert_string_equal(x->language, "de");
	assert_null(templates_find(t, "appointment_reminder_22h_v1", "en_GB"));
	/* de does not widen to de_AT */
	assert_null(templates_find(t, "appointment_reminder_55m_v1", "de"));
	assert_non_null(templates_find(t, "appointment_reminder_55m_v1", "de_AT"));
	/* no language: the first of that name */
	x = templates_find(t, "appointment_reminder_22h_v1", NULL);
	assert_string_equal(x->language, "de");
	assert_null(templates_find(t, "unknown", "de"));
	assert_null(templates_find(t, NULL, "de"));
	templates_free(t);
}

static void test_render(void **state)
{
	(void)state;
	struct templates *t = parse(SEED);
	assert_non_null(t);
	char *out = NULL;
	const char *one[] = {"10:00"};
	assert_int_equal(templates_render(templates_find(t, "appointment_reminder_22h_v1", "de"), one, 1, &out, E,
					  sizeof E),
			 0);
	assert_string_equal(out, "Reminder zu deinem Termin morgen um 10:00 Uhr.");
	free(out);

	/* repeated placeholders, variables in any order of use */
	const char *two[] = {"https://meet.example/x", "Max"};
	assert_int_equal(templates_render(templates_find(t, "appointment_reminder_55m_v1", "de_AT"), two, 2, &out,
					  E, sizeof E),
			 0);
	assert_string_equal(out, "In 55 Minuten geht's los, Max! Hier ist dein Link: https://meet.example/x "
				 "(nochmal: https://meet.example/x)");
	free(out);

	/* no placeholders, no variables */
	assert_int_equal(templates_render(templates_find(t, "lead_nudge_v1", "de"), NULL, 0, &out, E, sizeof E),
			 0);
	assert_string_equal(out, "Kurzer Reminder zu meiner Frage von eben 🙂");
	free(out);

	/* variables are cleaned; text inserted is never scanned again */
	const char *messy[] = {"  Anna\n\tMaria   Müller\r\n "};
	assert_int_equal(templates_render(templates_find(t, "lead_welcome_v1", "de"), messy, 1, &out, E, sizeof E),
			 0);
	assert_string_equal(out, "Hey Anna Maria Müller, danke für deine Anfrage 🙌\nIch hätte kurz 2 Fragen. "
				 "Passt das?");
	free(out);
	templates_free(t);
}

static void test_render_errors(void **state)
{
	(void)state;
	struct templates *t = parse(SEED);
	assert_non_null(t);
	const struct template *r = templates_find(t, "appointment_reminder_22h_v1", "de");
	const struct template *two = templates_find(t, "appointment_reminder_55m_v1", "de_AT");
	char *out = (char *)1;

	/* missing and extra variables */
	assert_int_equal(templates_render(r, NULL, 0, &out, E, sizeof E), -1);
	assert_null(out);
	assert_string_equal(E, "template appointment_reminder_22h_v1 (de) takes 1 variable, got 0");
	const char *v2[] = {"a", "b"};
	assert_int_equal(templates_render(r, v2, 2, &out, E, sizeof E), -1);
	assert_string_equal(E, "template appointment_reminder_22h_v1 (de) takes 1 variable, got 2");
	assert_int_equal(templates_render(two, v2, 1, &out, E, sizeof E), -1);
	assert_string_equal(E, "template appointment_reminder_55m_v1 (de_AT) takes 2 variables, got 1");
	/* NULL, empty after cleaning, nested placeholder, invalid UTF-8 */
	const char *vnull[] = {"x", NULL};
	assert_int_equal(templates_render(two, vnull, 2, &out, E, sizeof E), -1);
	assert_string_equal(E, "variable 2 is missing");
	const char *vblank[] = {"x", " \n\t "};
	assert_int_equal(templates_render(two, vblank, 2, &out, E, sizeof E), -1);
	assert_string_equal(E, "variable 2 is empty");
	const char *vnest[] = {"{{2}}", "x"};
	assert_int_equal(templates_render(two, vnest, 2, &out, E, sizeof E), -1);
	assert_string_equal(E, "variable 1 contains {{ (placeholders cannot be nested)");
	const char *vbad[] = {"ok", "\xc3\x28"};
	assert_int_equal(templates_render(two, vbad, 2, &out, E, sizeof E), -1);
	assert_string_equal(E, "variable 2 is not valid UTF-8");
	assert_null(out);
	assert_int_equal(templates_render(NULL, v2, 2, &out, E, sizeof E), -1);
	templates_free(t);
}

static void test_clean_variable(void **state)
{
	(void)state;
	char out[4200];

	assert_int_equal(templates_clean_variable("a\tb\n\nc     d", out, sizeof out, E, sizeof E), 7);
	assert_string_equal(out, "a b c d");
	/* DEL, C1 controls (U+0085 NEL) and U+2028 LINE SEPARATOR become spaces; other text stays */
	assert_int_equal(templates_clean_variable("x\x7fy\xc2\x85z\xe2\x80\xa8"
						  "ä",
						  out, sizeof out, E, sizeof E),
			 8);
	assert_string_equal(out, "x y z ä");
	/* a single "{" or "}}" is fine */
	assert_true(templates_clean_variable("{a}} }", out, sizeof out, E, sizeof E) > 0);

	/* the cap: 1024 characters, cut on a character boundary, never ending in a space */
	char in[4200];
	size_t o = 0;
	for (int i = 0; i < 1030; i++) {
		memcpy(in + o, "\xc3\xa4", 2); /* ä, 2 bytes */
		o += 2;
	}
	in[o] = '\0';
	assert_int_equal(templates_clean_variable(in, out, sizeof out, E, sizeof E), 2048);
	o = 0;
	for (int i = 0; i < 1023; i++)
		in[o++] = 'a';
	memcpy(in + o, " b c", 5);
	assert_int_equal(templates_clean_variable(in, out, sizeof out, E, sizeof E), 1023);
	assert_int_equal(out[1022], 'a');

	/* the output must hold the input */
	assert_int_equal(templates_clean_variable("abc", out, 3, E, sizeof E), -1);
	assert_string_equal(E, "output buffer too small");
	/* overlong encoding and lone surrogate */
	assert_int_equal(templates_clean_variable("\xc0\xaf", out, sizeof out, E, sizeof E), -1);
	assert_int_equal(templates_clean_variable("\xed\xa0\x80", out, sizeof out, E, sizeof E), -1);
	assert_string_equal(E, "is not valid UTF-8");
}

static void test_validation_errors(void **state)
{
	(void)state;
	assert_refused("{}", "templates must be a list of {name, language, body, category, approved}");
	assert_refused("[1]", "templates[0] must be an object {name, language, body, category, approved}");
	assert_refused("[{\"language\":\"de\",\"body\":\"x\"}]",
		       "templates[0].name must be 1-512 characters of a-z 0-9 _");
	assert_refused("[{\"name\":\"Reminder\",\"language\":\"de\",\"body\":\"x\"}]",
		       "templates[0].name must be 1-512 characters of a-z 0-9 _");
	assert_refused("[{\"name\":\"a-b\",\"language\":\"de\",\"body\":\"x\"}]",
		       "templates[0].name must be 1-512 characters of a-z 0-9 _");
	assert_refused("[{\"name\":\"\",\"language\":\"de\",\"body\":\"x\"}]",
		       "templates[0].name must be 1-512 characters of a-z 0-9 _");
	for (const char *const *l = (const char *const[]){"DE", "de-DE", "de_de", "d", "deutsch", "de_DEU", NULL};
	     *l; l++) {
		char text[200];
		snprintf(text, sizeof text, "[{\"name\":\"a\",\"language\":\"%s\",\"body\":\"x\"}]", *l);
		assert_refused(text, "templates[0].language must be a language code like de, de_DE or en_US");
	}
	assert_true(templates_check_language("fil"));
	assert_true(templates_check_language("pt_BR"));
	assert_refused("[{\"name\":\"a\",\"language\":\"de\"}]",
		       "templates[0].body is required (text without NUL characters)");
	assert_refused("[{\"name\":\"a\",\"language\":\"de\",\"body\":\"x\\u0000y\"}]",
		       "templates[0].body is required (text without NUL characters)");
	assert_refused("[{\"name\":\"a\",\"language\":\"de\",\"body\":\"\"}]",
		       "templates[0].body must be 1 to 1024 characters long");
	assert_refused(
		"[{\"name\":\"a\",\"language\":\"de\",\"body\":\"{{1}} und {{3}}\"}]",
		"templates[0].body: {{2}} is missing: placeholders must run from {{1}} to {{3}} without gaps");
	assert_refused(
		"[{\"name\":\"a\",\"language\":\"de\",\"body\":\"{{2}}\"}]",
		"templates[0].body: {{1}} is missing: placeholders must run from {{1}} to {{2}} without gaps");
	const char *bad[] = {"Hallo {{0}}",   "Hallo {{01}}",  "Hallo {{name}}", "Hallo {{1}",
			     "Hallo {{101}}", "Hallo {{ 1 }}", "Hallo {{{1}}}"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[200];
		snprintf(text, sizeof text, "[{\"name\":\"a\",\"language\":\"de\",\"body\":\"%s\"}]", bad[i]);
		assert_refused(text,
			       "templates[0].body: malformed placeholder at character 7: write {{1}}, {{2}}, … "
			       "(at most {{100}})");
	}
	assert_refused("[{\"name\":\"a\",\"language\":\"de\",\"body\":\"x\",\"category\":\"promo\"}]",
		       "templates[0].category must be one of: marketing, utility, authentication");
	assert_refused("[{\"name\":\"a\",\"language\":\"de\",\"body\":\"x\",\"approved\":\"yes\"}]",
		       "templates[0].approved must be true or false");
	assert_refused("[{\"name\":\"a\",\"language\":\"de\",\"body\":\"x\",\"header\":\"y\"}]",
		       "templates[0]: unknown field \"header\" (name, language, body, category, approved, params, twilio_content_sid)");
	assert_refused("[{\"name\":\"a\",\"language\":\"de\",\"body\":\"x\"},"
		       "{\"name\":\"a\",\"language\":\"en\",\"body\":\"x\"},"
		       "{\"name\":\"a\",\"language\":\"de\",\"body\":\"y\"}]",
		       "templates[2]: a (de) is already templates[0]");
}

static void test_limits(void **state)
{
	(void)state;
	/* body: 1024 characters (ä: 2048 bytes) pass, 1025 do not */
	size_t cap = 8000;
	char *text = malloc(cap), *body = malloc(cap);
	assert_non_null(text);
	assert_non_null(body);
	size_t o = 0;
	for (int i = 0; i < 1024; i++) {
		memcpy(body + o, "\xc3\xa4", 2);
		o += 2;
	}
	body[o] = '\0';
	snprintf(text, cap, "[{\"name\":\"a\",\"language\":\"de\",\"body\":\"%s\"}]", body);
	struct templates *t = parse(text);
	assert_non_null(t);
	templates_free(t);
	snprintf(text, cap, "[{\"name\":\"a\",\"language\":\"de\",\"body\":\"%sx\"}]", body);
	assert_refused(text, "templates[0].body must be 1 to 1024 characters long");

	/* name: 512 characters pass, 513 do not */
	memset(body, 'n', 513);
	body[512] = '\0';
	snprintf(text, cap, "[{\"name\":\"%s\",\"language\":\"de\",\"body\":\"x\"}]", body);
	t = parse(text);
	assert_non_null(t);
	templates_free(t);
	body[512] = 'n';
	body[513] = '\0';
	snprintf(text, cap, "[{\"name\":\"%s\",\"language\":\"de\",\"body\":\"x\"}]", body);
	assert_refused(text, "templates[0].name must be 1-512 characters of a-z 0-9 _");

	/* 100 placeholders pass */
	o = 0;
	for (int i = 1; i <= 100; i++)
		o += (size_t)snprintf(body + o, cap - o, "{{%d}}", i);
	snprintf(text, cap, "[{\"name\":\"a\",\"language\":\"de\",\"body\":\"%s\"}]", body);
	t = parse(text);
	if (!t)
		fail_msg("refused: %s", E);
	assert_int_equal(templates_at(t, 0)->params, 100);
	templates_free(t);

	/* at most TEMPLATES_MAX templates */
	json_t *list = json_array();
	for (int i = 0; i <= TEMPLATES_MAX; i++) {
		char name[16];
		snprintf(name, sizeof name, "t%d", i);
		json_array_append_new(list,
				      json_pack("{s:s, s:s, s:s}", "name", name, "language", "de", "body", "x"));
	}
	t = templates_parse(list, E, sizeof E);
	assert_null(t);
	assert_string_equal(E, "templates must have at most 250 entries");
	json_array_remove(list, 0);
	t = templates_parse(list, E, sizeof E);
	assert_non_null(t);
	assert_int_equal(templates_count(t), TEMPLATES_MAX);
	templates_free(t);
	json_decref(list);
	free(text);
	free(body);
}

/* "params" names what fills each placeholder when a template stands in for a flow text or a task. */
static void test_params(void **state)
{
	(void)state;
	struct templates *t = parse("[{\"name\":\"w\",\"language\":\"de\",\"approved\":true,"
				    "\"body\":\"Hallo {{1}}, Termin um {{2}}\",\"params\":[\"first_name|zusammen\",\"time\"]},"
				    "{\"name\":\"n\",\"language\":\"de\",\"body\":\"Ohne\"}]");
	assert_non_null(t);
	assert_string_equal(templates_find(t, "w", "de")->vars, "first_name|zusammen\ntime");
	assert_null(templates_find(t, "n", "de")->vars);
	templates_free(t);
	assert_refused("[{\"name\":\"w\",\"language\":\"de\",\"body\":\"Hallo {{1}}\",\"params\":[]}]",
		       "templates[0].params must list one field per placeholder (1)");
	assert_refused("[{\"name\":\"w\",\"language\":\"de\",\"body\":\"Hallo {{1}}\",\"params\":[\"Vorname\"]}]",
		       "templates[0].params[0] must be a field name (a-z 0-9 _) with an optional |fallback");
	assert_refused("[{\"name\":\"w\",\"language\":\"de\",\"body\":\"Hallo {{1}}\",\"params\":[\"a|{{x}}\"]}]",
		       "templates[0].params[0] must be a field name (a-z 0-9 _) with an optional |fallback");
	t = parse("[{\"name\":\"w\",\"language\":\"de\",\"body\":\"Hallo\","
		  "\"twilio_content_sid\":\"HX0123456789abcdef0123456789abcdef\"}]");
	assert_non_null(t);
	assert_string_equal(templates_find(t, "w", "de")->twilio_content_sid, "HX0123456789abcdef0123456789abcdef");
	templates_free(t);
	assert_refused("[{\"name\":\"w\",\"language\":\"de\",\"body\":\"Hallo\",\"twilio_content_sid\":\"HX12\"}]",
		       "templates[0].twilio_content_sid must be HX followed by 32 hex digits");
	/* a second template after a good first one fails: nothing leaks (ASan) */
	assert_refused("[{\"name\":\"w\",\"language\":\"de\",\"body\":\"Hi {{1}}\",\"params\":[\"first_name\"]},"
		       "{\"name\":\"w\",\"language\":\"de\",\"body\":\"Hi {{1}}\",\"params\":[\"first_name\"]}]",
		       "templates[1]: w (de) is already templates[0]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_registry), cmocka_unit_test(test_find),
		cmocka_unit_test(test_render),         cmocka_unit_test(test_render_errors),
		cmocka_unit_test(test_clean_variable), cmocka_unit_test(test_validation_errors),
		cmocka_unit_test(test_limits),         cmocka_unit_test(test_params),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
