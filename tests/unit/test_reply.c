/*
 * test_reply.c — unit tests for src/llm/reply.c: reading {"reply","profile","intent"} out of what
 * models really write (fences, chatty prefixes, trailing remarks, cut-off JSON at max_tokens, broken
 * escapes, renamed keys, plain text). Each case is a realistic model output; most are German.
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

#include "llm/reply.h"

/* ---- helpers ------------------------------------------------------------------------------------ */

enum { PLAIN, STRUCT, TRUNC };

/* Parses `text`, expects success with `reply`, the given kind, `intent` (NULL: none) and, when
 * `profile_name` is not NULL, profile.name equal to it (profile_name "": no profile). */
static void ok_full(const char *text, const char *reply, int kind, const char *intent, const char *profile_name)
{
	struct llm_reply r;
	int rc = llm_reply_parse(text, strlen(text), &r);

	if (rc != LLM_REPLY_OK)
		fail_msg("rc %d for: %s", rc, text);
	assert_string_equal(r.reply, reply);
	assert_true(strlen(r.reply) <= strlen(text));
	assert_int_equal(r.structured, kind != PLAIN);
	assert_int_equal(r.truncated, kind == TRUNC);
	if (intent)
		assert_string_equal(r.intent ? r.intent : "(null)", intent);
	else
		assert_null(r.intent);
	if (profile_name && !*profile_name)
		assert_null(r.profile);
	else if (profile_name) {
		assert_non_null(r.profile);
		assert_string_equal(json_string_value(json_object_get(r.profile, "name")), profile_name);
	}
	if (kind == PLAIN)
		assert_null(r.profile);
	llm_reply_clear(&r);
	assert_null(r.reply);
	llm_reply_clear(&r); /* twice is harmless */
}

#define ok(text, reply, kind) ok_full(text, reply, kind, NULL, NULL)

static void none(const char *text)
{
	struct llm_reply r;
	int rc = llm_reply_parse(text, strlen(text), &r);

	if (rc != LLM_REPLY_NONE)
		fail_msg("rc %d (reply \"%s\") for: %s", rc, r.reply ? r.reply : "", text);
	assert_null(r.reply);
	assert_null(r.profile);
	assert_null(r.intent);
	assert_false(r.structured);
}

/* ---- well-formed JSON --------------------------------------------------------------------------- */

static void test_plain_json(void **state)
{
	(void)state;
	ok_full("{\"reply\":\"Gerne! Das Probetraining ist kostenlos.\",\"profile\":{\"name\":\"Anna\",\"goal\":\"Rücken\"},"
		"\"intent\":\"book\"}",
		"Gerne! Das Probetraining ist kostenlos.", STRUCT, "book", "Anna");
	/* whitespace and pretty-printing, intent null, empty profile */
	ok_full("\n  {\n    \"reply\": \"Unsere Öffnungszeiten: Mo–Fr 6–23 Uhr, Sa/So 8–20 Uhr.\",\n"
		"    \"profile\": {},\n    \"intent\": null\n  }\n",
		"Unsere Öffnungszeiten: Mo–Fr 6–23 Uhr, Sa/So 8–20 Uhr.", STRUCT, NULL, NULL);
}

static void test_fenced(void **state)
{
	(void)state;
	ok_full("```json\n{\"reply\": \"Grüß Gott! Wie kann ich helfen?\", \"intent\": \"ask\", \"profile\": {}}\n```",
		"Grüß Gott! Wie kann ich helfen?", STRUCT, "ask", NULL);
	ok("```\n{\"reply\":\"Natürlich, gern.\"}\n```\n", "Natürlich, gern.", STRUCT);
	ok("```JSON\r\n{\"reply\":\"Ja.\"}\r\n```", "Ja.", STRUCT);
}

static void test_chatty_prefix_and_suffix(void **state)
{
	(void)state;
	ok_full("Hier ist die Antwort:\n\n{\"reply\":\"Das Studio hat auch sonntags geöffnet.\",\"intent\":\"ask\"}",
		"Das Studio hat auch sonntags geöffnet.", STRUCT, "ask", NULL);
	ok_full("Klar! Hier ist das JSON:\n```json\n{\"reply\":\"Ich habe Sie für Dienstag notiert.\",\"profile\":"
		"{\"name\":\"Jörg Müller\"},\"intent\":\"book\"}\n```\nIch hoffe, das hilft! Lass mich wissen, "
		"wenn du {mehr} brauchst.",
		"Ich habe Sie für Dienstag notiert.", STRUCT, "book", "Jörg Müller");
	ok("{\"reply\":\"Bis bald!\"}\n\nHinweis: Die Antwort folgt dem Schema.", "Bis bald!", STRUCT);
}

static void test_braces_and_quotes_in_strings(void **state)
{
	(void)state;
	ok_full("{\"reply\":\"Geben Sie den Code {SOMMER24} ein – oder }{ falls nötig.\",\"intent\":\"ask\"}",
		"Geben Sie den Code {SOMMER24} ein – oder }{ falls nötig.", STRUCT, "ask", NULL);
	ok("{\"reply\":\"Er sagte \\\"Hallo {\\\" und ging.\",\"intent\":null}", "Er sagte \"Hallo {\" und ging.",
	   STRUCT);
	ok("Vorlage {Name}: {\"reply\":\"Okay, {Name} ist ersetzt.\"}", "Okay, {Name} ist ersetzt.", STRUCT);
}

static void test_unicode_escapes(void **state)
{
	(void)state;
	ok("{\"reply\":\"\\u00d6ffnungszeiten: t\\u00e4glich \\ud83d\\udcaa\"}",
	   "\xC3\x96" "ffnungszeiten: t\xC3\xA4glich \xF0\x9F\x92\xAA", STRUCT);
}

static void test_reply_trimmed_and_keys(void **state)
{
	(void)state;
	ok("{\"reply\":\"\\n  Hallo Lena!  \\n\"}", "Hallo Lena!", STRUCT);
	/* renamed key; "reply" preferred over an alias */
	ok("{\"answer\":\"Ja, wir haben geöffnet.\"}", "Ja, wir haben geöffnet.", STRUCT);
	ok("{\"message\":\"nicht das\",\"reply\":\"Das hier.\"}", "Das hier.", STRUCT);
	/* profile that is not an object is dropped, intent that is not a string too */
	ok_full("{\"reply\":\"Danke!\",\"profile\":\"Anna\",\"intent\":3}", "Danke!", STRUCT, NULL, "");
}

static void test_array_instead_of_object(void **state)
{
	(void)state;
	none("[\"Hallo\", \"Welt\"]");
	none("```json\n[1, 2, 3]\n```");
	/* an object inside the array is still found */
	ok_full("[{\"reply\":\"Hallo! Wie kann ich helfen?\",\"intent\":\"ask\"}]", "Hallo! Wie kann ich helfen?",
		STRUCT, "ask", NULL);
}

static void test_object_without_reply(void **state)
{
	(void)state;
	none("{\"intent\":\"book\"}");
	none("{\"reply\":\"   \",\"intent\":\"other\"}");
	none("{\"reply\":null}");
	none("{\"reply\":{\"intent\":\"verschachtelt\"}}");
	/* a nested object that has a reply of its own is taken (models wrap the reply in an object) */
	ok("{\"reply\":{\"text\":\"Verschachtelt.\"}}", "Verschachtelt.", STRUCT);
	none("Gern! {\"intent\":\"book\"}");
	/* a profile field named like a reply key never becomes the reply */
	none("{\"intent\":\"ask\",\"profile\":{\"text\":\"Rückenschmerzen\"}}");
	none("{\"profile\":{\"message\":\"Rufen Sie mich an\"},\"intent\":\"contact\"}");
}

/* ---- broken JSON -------------------------------------------------------------------------------- */

static void test_truncated_mid_reply(void **state)
{
	(void)state;
	ok("{\"reply\":\"Gerne! Das Probetraining ist kostenlos. Sie können es online bu",
	   "Gerne! Das Probetraining ist kostenlos.", TRUNC);
	/* abbreviations do not end a sentence */
	ok("```json\n{\"reply\":\"Wir bieten z. B. Yoga und Pilates an. Die Kurse beginnen ca. um",
	   "Wir bieten z. B. Yoga und Pilates an.", TRUNC);
	/* cut right after the punctuation */
	ok("{\"reply\":\"Hallo Anna!", "Hallo Anna!", TRUNC);
	/* a list: complete lines count */
	ok("{\"reply\":\"Unsere Kurse:\\n- Yoga\\n- Pila", "Unsere Kurse:\n- Yoga", TRUNC);
	/* a surrogate pair and a cut-off escape */
	ok("{\"reply\":\"Super \\ud83d\\ude00! Bis bald \\u00", "Super \xF0\x9F\x98\x80!", TRUNC);
}

static void test_truncated_too_early(void **state)
{
	(void)state;
	none("{\"reply\":\"Wir bieten z. B. Yo");
	none("{\"reply\":\"Der Preis beträgt ca.");
	none("Hier ist die Antwort: {\"reply\":\"Wir hab");
	none("{\"profile\":{\"name\":\"Max\"},\"rep");
	none("{\"");
}

static void test_truncated_after_reply(void **state)
{
	(void)state;
	ok_full("{\"reply\":\"Gerne, ich trage Sie für Donnerstag ein.\",\"intent\":\"book\",\"profile\":{\"name\":\"Max Mü",
		"Gerne, ich trage Sie für Donnerstag ein.", TRUNC, "book", "");
	ok_full("{\"profile\":{\"name\":\"Eva\"},\"reply\":\"Alles klar, Eva.\",\"intent\":\"bo",
		"Alles klar, Eva.", TRUNC, NULL, "Eva");
}

static void test_invalid_but_closed(void **state)
{
	(void)state;
	/* trailing comma */
	ok_full("{\"reply\":\"Hallo Welt.\",\"intent\":\"ask\",}", "Hallo Welt.", STRUCT, "ask", NULL);
	/* unescaped quotes inside the reply */
	ok_full("{\"reply\": \"Er sagte \"Hallo\" zu mir.\", \"intent\": \"other\"}", "Er sagte \"Hallo\" zu mir.",
		STRUCT, "other", NULL);
	/* raw line breaks inside the string */
	ok("{\"reply\":\"Zeile eins.\nZeile zwei.\"}", "Zeile eins.\nZeile zwei.", STRUCT);
}

/* ---- plain text --------------------------------------------------------------------------------- */

static void test_plain_text(void **state)
{
	(void)state;
	ok("Gerne helfe ich Ihnen weiter. Was möchten Sie über unsere Kurse wissen?",
	   "Gerne helfe ich Ihnen weiter. Was möchten Sie über unsere Kurse wissen?", PLAIN);
	ok("```\nHallo! Wie kann ich helfen?\n```", "Hallo! Wie kann ich helfen?", PLAIN);
	ok("  \n```markdown\n**Öffnungszeiten**\n- Mo–Fr: 6–23 Uhr\n```\n", "**Öffnungszeiten**\n- Mo–Fr: 6–23 Uhr", PLAIN);
	ok("Hier ist die Antwort:", "Hier ist die Antwort:", PLAIN);
	ok("Unsere Preise {siehe Aushang} gelten ab Januar.", "Unsere Preise {siehe Aushang} gelten ab Januar.", PLAIN);
	/* a bare JSON string is the reply, decoded */
	ok("\"Sch\\u00f6nen Tag noch!\"", "Schönen Tag noch!", PLAIN);
	ok("42", "42", PLAIN);
}

static void test_empty_and_whitespace(void **state)
{
	(void)state;
	struct llm_reply r;

	none("");
	none("   \n\t  \r\n");
	none("```\n```");
	none("null");
	none("true");
	assert_int_equal(llm_reply_parse(NULL, 0, &r), LLM_REPLY_NONE);
}

static void test_length_and_limits(void **state)
{
	(void)state;
	struct llm_reply r;
	const char *text = "{\"reply\":\"Ja.\"} und noch viel mehr Text danach";
	char *big;

	/* only text[0..len) is read */
	assert_int_equal(llm_reply_parse(text, 5, &r), LLM_REPLY_NONE);
	assert_int_equal(llm_reply_parse(text, 15, &r), LLM_REPLY_OK);
	assert_string_equal(r.reply, "Ja.");
	llm_reply_clear(&r);
	big = malloc(LLM_REPLY_MAX_INPUT + 1);
	assert_non_null(big);
	memset(big, 'a', LLM_REPLY_MAX_INPUT + 1);
	assert_int_equal(llm_reply_parse(big, LLM_REPLY_MAX_INPUT + 1, &r), LLM_REPLY_TOO_BIG);
	assert_null(r.reply);
	/* many opening braces: bounded work, plain-text result */
	memset(big, '{', 200000);
	assert_int_equal(llm_reply_parse(big, 200000, &r), LLM_REPLY_OK);
	assert_false(r.structured);
	llm_reply_clear(&r);
	free(big);
	llm_reply_clear(NULL);
}

static void test_nul_bytes_dropped(void **state)
{
	(void)state;
	struct llm_reply r;
	static const char t1[] = "Hal\0lo!";
	static const char t2[] = "{\"reply\":\"A\\u0000B.\",\"x\":1,}";

	assert_int_equal(llm_reply_parse(t1, sizeof t1 - 1, &r), LLM_REPLY_OK);
	assert_string_equal(r.reply, "Hallo!");
	llm_reply_clear(&r);
	assert_int_equal(llm_reply_parse(t2, sizeof t2 - 1, &r), LLM_REPLY_OK);
	assert_string_equal(r.reply, "AB.");
	llm_reply_clear(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_json),
		cmocka_unit_test(test_fenced),
		cmocka_unit_test(test_chatty_prefix_and_suffix),
		cmocka_unit_test(test_braces_and_quotes_in_strings),
		cmocka_unit_test(test_unicode_escapes),
		cmocka_unit_test(test_reply_trimmed_and_keys),
		cmocka_unit_test(test_array_instead_of_object),
		cmocka_unit_test(test_object_without_reply),
		cmocka_unit_test(test_truncated_mid_reply),
		cmocka_unit_test(test_truncated_too_early),
		cmocka_unit_test(test_truncated_after_reply),
		cmocka_unit_test(test_invalid_but_closed),
		cmocka_unit_test(test_plain_text),
		cmocka_unit_test(test_empty_and_whitespace),
		cmocka_unit_test(test_length_and_limits),
		cmocka_unit_test(test_nul_bytes_dropped),
	};
	return cmocka_run_group_tests_name("reply", tests, NULL, NULL);
}
