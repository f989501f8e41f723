/*
 * test_capture.c — unit tests for the contact-persons trigger of src/conv/capture.c
 * (capture_should_show_contacts); the email-capture triggers are tested in test_facts.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "conv/capture.h"

static json_t *cfg(const char *text)
{
	json_t *c = json_loads(text, 0, NULL);
	assert_non_null(c);
	return c;
}

static bool fires(json_t *c, const char *question, int messages_before, char *why)
{
	struct capture_input in = {.question = question, .messages_before = messages_before};
	return capture_should_show_contacts(c, &in, why, 64);
}

static void test_keywords_and_topics_fold_like_the_chat(void **state)
{
	(void)state;
	char why[64];
	json_t *c = cfg("{\"enabled\":true,\"keywords\":[\"ansprechpartner\",\"beratung\",\"rueckruf\"],"
			"\"topics\":[\"preise\",\"demo\"],\"after_messages\":0}");
	assert_true(fires(c, "Wer ist meine ANSPRECHPARTNERIN?", 0, why));
	assert_string_equal(why, "keyword:ansprechpartner");
	assert_true(fires(c, "Ich hätte gern einen Rückruf.", 4, why));
	assert_string_equal(why, "keyword:rueckruf");
	assert_true(fires(c, "Was sagen die Preise?", 0, why));
	assert_string_equal(why, "topic:preise");
	assert_true(fires(c, "Beratungstermin möglich?", 0, why)); /* a word that starts with the keyword */
	assert_false(fires(c, "Wann habt ihr offen?", 0, why));
	assert_false(fires(c, "", 0, why));
	assert_false(fires(c, NULL, 0, why));
	json_decref(c);
}

static void test_after_messages_fires_once(void **state)
{
	(void)state;
	char why[64];
	json_t *c = cfg("{\"enabled\":true,\"keywords\":[],\"topics\":[],\"after_messages\":3}");
	assert_false(fires(c, "Hallo", 0, why)); /* the visitor's 1st message */
	assert_false(fires(c, "Hallo", 2, why)); /* 2nd */
	assert_true(fires(c, "Hallo", 4, why));  /* 3rd */
	assert_string_equal(why, "after_messages");
	assert_false(fires(c, "Hallo", 6, why)); /* 4th: not again */
	json_decref(c);
}

static void test_disabled_or_missing_never_fires(void **state)
{
	(void)state;
	char why[64];
	json_t *off = cfg("{\"enabled\":false,\"keywords\":[\"kontakt\"]}");
	assert_false(fires(off, "Kontakt bitte", 0, why));
	assert_false(fires(NULL, "Kontakt bitte", 0, why));
	json_t *odd = cfg("{\"enabled\":true,\"keywords\":[1, null, \"zwei worte\", \"kontakt\"]}");
	assert_true(fires(odd, "Kontakt bitte", 0, why)); /* non-strings and multi-word entries are skipped */
	assert_string_equal(why, "keyword:kontakt");
	json_decref(off);
	json_decref(odd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keywords_and_topics_fold_like_the_chat),
		cmocka_unit_test(test_after_messages_fires_once),
		cmocka_unit_test(test_disabled_or_missing_never_fires),
	};
	return cmocka_run_group_tests_name("capture_contacts", tests, NULL, NULL);
}
