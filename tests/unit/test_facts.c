/*
 * test_facts.c — unit tests for src/conv/facts.c, src/conv/capture.c and src/conv/words.c: which
 * questions are about the business itself, what the profile answers, and when the email prompt shows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "conv/capture.h"
#include "conv/facts.h"
#include "conv/hours.h"
#include "conv/words.h"

static void test_words_fold_umlauts_and_case(void **state)
{
	(void)state;
	char w[WORDS_MAX][WORD_MAX];
	int n = words_fold("Wann sind Öffnungszeiten? STRASSE, Straße; E-Mail-Adresse -x- 24h", w);
	assert_int_equal(n, 8);
	assert_string_equal(w[2], "oeffnungszeiten");
	assert_string_equal(w[3], "strasse");
	assert_string_equal(w[4], "strasse");
	assert_string_equal(w[5], "e-mail-adresse");
	assert_string_equal(w[6], "x");
	assert_string_equal(w[7], "24h");
	assert_int_equal(words_fold("", w), 0);
	assert_int_equal(words_fold("¿¡ … ", w), 0);
}

static void test_detect_business_questions(void **state)
{
	(void)state;
	const struct {
		const char *q;
		unsigned want;
	} cases[] = {
		{"Wie sind eure Öffnungszeiten?", FACT_HOURS},
		{"Wann habt ihr am Sonntag geöffnet?", FACT_HOURS},
		{"Habt ihr jetzt offen?", FACT_HOURS},
		{"Habt ihr heute auf?", FACT_HOURS},
		{"Wann schließt ihr heute?", FACT_HOURS},
		{"What are your opening hours?", FACT_HOURS},
		{"Are you open on Sunday?", FACT_HOURS},
		{"Wie lautet eure Adresse?", FACT_ADDRESS},
		{"Wo seid ihr?", FACT_ADDRESS},
		{"Wie ist die Anfahrt mit dem Auto?", FACT_ADDRESS},
		{"Wie ist eure Telefonnummer?", FACT_PHONE},
		{"Kann ich euch anrufen?", FACT_PHONE},
		{"Welche E-Mail-Adresse habt ihr?", FACT_EMAIL},
		{"Adresse und Telefonnummer bitte", FACT_ADDRESS | FACT_PHONE},
		{"Was kostet die Mitgliedschaft?", 0},
		{"Wo finde ich die Beinpresse?", 0},
		{"Wie stelle ich das Laufband auf Steigung?", 0},
		{"", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (facts_detect(cases[i].q) != cases[i].want)
			fail_msg("\"%s\": got %u, want %u", cases[i].q, facts_detect(cases[i].q), cases[i].want);
}

static json_t *profile(void)
{
	json_t *c = json_loads("{\"language\":\"de\",\"company\":{\"name\":\"FitWerk\",\"address\":{\"street\":"
			       "\"Mühlenkamp 12\",\"postcode\":\"22303\",\"city\":\"Hamburg\"},\"phone\":\"+4940123456\","
			       "\"email\":\"info@fitwerk.example\"},\"opening_hours\":{\"timezone\":\"Europe/Berlin\","
			       "\"weekly\":{\"mon\":[[\"07:00\",\"22:00\"]],\"tue\":[[\"07:00\",\"22:00\"]],\"wed\":"
			       "[[\"07:00\",\"22:00\"]],\"thu\":[[\"07:00\",\"22:00\"]],\"fri\":[[\"07:00\",\"22:00\"]],"
			       "\"sat\":[[\"09:00\",\"18:00\"]],\"sun\":[]}}}",
			       0, NULL);
	assert_non_null(c);
	return c;
}

/* Tuesday 2026-12-01 10:00 in Berlin (09:00 UTC). */
#define TUE_10 1796115600000LL

static void test_answers_from_the_profile(void **state)
{
	(void)state;
	json_t *c = profile();
	struct hours *h = hours_parse(json_object_get(c, "opening_hours"), NULL);
	assert_non_null(h);
	unsigned got = 0;
	char *a = facts_answer(FACT_ADDRESS | FACT_PHONE, c, h, TUE_10, "de", &got);
	assert_non_null(a);
	assert_int_equal(got, FACT_ADDRESS | FACT_PHONE);
	assert_string_equal(a, "Sie finden uns in der Mühlenkamp 12, 22303 Hamburg. "
			       "Sie erreichen uns telefonisch unter +4940123456.");
	free(a);
	a = facts_answer(FACT_HOURS, c, h, TUE_10, "de", &got);
	assert_non_null(a);
	if (!strstr(a, "geöffnet") || !strstr(a, "22:00") || !strstr(a, "Unsere Öffnungszeiten:"))
		fail_msg("hours answer: %s", a);
	free(a);
	a = facts_answer(FACT_EMAIL, c, h, TUE_10, "en", &got);
	assert_string_equal(a, "You can email us at info@fitwerk.example.");
	free(a);
	/* a profile without the fact: no answer, retrieval decides */
	json_object_del(json_object_get(c, "company"), "phone");
	assert_null(facts_answer(FACT_PHONE, c, h, TUE_10, "de", &got));
	assert_null(facts_answer(FACT_HOURS, c, NULL, TUE_10, "de", &got));
	hours_free(h);
	json_decref(c);
}

static void test_email_prompt_triggers(void **state)
{
	(void)state;
	json_t *cfg = json_loads("{\"enabled\":true,\"max_requests\":1,\"after_messages\":3,\"topics\":[\"preise\","
				 "\"angebot\",\"demo\"],\"on_unanswered\":true}",
				 0, NULL);
	char why[64];
	struct capture_input in = {.question = "Was kostet das Probetraining?"};
	assert_false(capture_should_prompt(cfg, &in, why, sizeof why));
	in.question = "Habt ihr eine Preisliste? Welche Preise gelten?";
	assert_true(capture_should_prompt(cfg, &in, why, sizeof why));
	assert_string_equal(why, "topic:preise");
	in.question = "Kann ich eine DEMO sehen?";
	assert_true(capture_should_prompt(cfg, &in, why, sizeof why));
	assert_string_equal(why, "topic:demo");
	in.question = "Hallo";
	in.messages_before = 4; /* two earlier exchanges: this is the third visitor message */
	assert_true(capture_should_prompt(cfg, &in, why, sizeof why));
	assert_string_equal(why, "after_messages");
	in.messages_before = 2;
	assert_false(capture_should_prompt(cfg, &in, why, sizeof why));
	in.unanswered = true;
	assert_true(capture_should_prompt(cfg, &in, why, sizeof why));
	assert_string_equal(why, "unanswered");
	in.prompts_before = 1; /* max_requests reached */
	assert_false(capture_should_prompt(cfg, &in, why, sizeof why));
	json_object_set_new(cfg, "enabled", json_false());
	in.prompts_before = 0;
	assert_false(capture_should_prompt(cfg, &in, why, sizeof why));
	assert_false(capture_should_prompt(NULL, &in, why, sizeof why));
	json_decref(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words_fold_umlauts_and_case),
		cmocka_unit_test(test_detect_business_questions),
		cmocka_unit_test(test_answers_from_the_profile),
		cmocka_unit_test(test_email_prompt_triggers),
	};
	return cmocka_run_group_tests_name("facts", tests, NULL, NULL);
}
