/*
 * test_handover.c — unit tests for the handover triggers of src/conv/handover.c: keywords asking for a
 * person, negative sentiment with intensifiers and negation, price/contract questions with low retrieval
 * confidence, and misunderstandings — many German phrasings, including ones that must not fire.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "conv/handover.h"

struct phrasing {
	const char *text;
	unsigned want; /* the triggers that must fire with no input besides the text */
};

static void check_all(const struct phrasing *cases, size_t n)
{
	char why[128];
	for (size_t i = 0; i < n; i++) {
		unsigned got = handover_check(cases[i].text, NULL, why, sizeof why);
		if (got != cases[i].want)
			fail_msg("\"%s\": got 0x%x (%s), want 0x%x", cases[i].text, got, why, cases[i].want);
		if ((got != 0) != (why[0] != '\0'))
			fail_msg("\"%s\": why \"%s\" does not fit 0x%x", cases[i].text, why, got);
	}
}

static void test_keywords_ask_for_a_person(void **state)
{
	(void)state;
	static const struct phrasing cases[] = {
		{"Kann ich bitte mit einem Mitarbeiter sprechen?", HANDOVER_KEYWORD},
		{"Ich hätte gern eine Beraterin.", HANDOVER_KEYWORD},
		{"MITARBEITER", HANDOVER_KEYWORD},
		{"Bitte rufen Sie mich an", HANDOVER_KEYWORD},
		{"Rufen Sie mich morgen früh zurück?", HANDOVER_KEYWORD},
		{"Können Sie mich anrufen?", HANDOVER_KEYWORD},
		{"Ich bitte um Rückruf", HANDOVER_KEYWORD},
		{"Rueckrufbitte: 0151 123456", HANDOVER_KEYWORD},
		{"Ich möchte lieber mit jemandem persönlich sprechen", HANDOVER_KEYWORD},
		{"Kann ich mit jemand von euch reden", HANDOVER_KEYWORD},
		{"Gibt es da auch einen echten Menschen?", HANDOVER_KEYWORD},
		{"Ist da ein Mensch?", HANDOVER_KEYWORD},
		{"Ich will keinen Bot, sondern eine echte Person", HANDOVER_KEYWORD},
		{"Können wir kurz telefonieren?", HANDOVER_KEYWORD},
		{"Ich möchte den Chef sprechen", HANDOVER_KEYWORD},
		{"Ich will nicht mit einem Bot schreiben", HANDOVER_KEYWORD},
		{"Please let me talk to someone", HANDOVER_KEYWORD},
		{"Ich möchte telefonisch beraten werden", HANDOVER_KEYWORD},
		{"Ich will mit jemandem vom Team sprechen", HANDOVER_KEYWORD},
		/* negated or no request: must not fire */
		{"Bitte nicht anrufen, lieber per WhatsApp", 0},
		{"Rufen Sie mich bitte nicht an", 0},
		{"Kein Rückruf nötig, danke", 0},
		{"Ich brauche keinen Berater", 0},
		{"Ich rufe morgen selbst bei Ihnen an", 0},
		{"Mensch, das ging ja schnell", 0},
		{"Wie sind eure Öffnungszeiten?", 0},
		{"Was kostet ein Probetraining?", 0},
		{"Ja, gerne", 0},
		{"", 0},
	};
	check_all(cases, sizeof cases / sizeof cases[0]);
	char why[64];
	assert_int_equal(handover_check("Ich bitte um Rückruf!", NULL, why, sizeof why), HANDOVER_KEYWORD);
	assert_string_equal(why, "keyword:rueckruf");
	handover_check("Rufen Sie mich an", NULL, why, sizeof why);
	assert_string_equal(why, "keyword:ruf mich an");
	assert_int_equal(handover_check(NULL, NULL, why, sizeof why), 0);
	assert_string_equal(why, "");
}

static void test_negative_sentiment(void **state)
{
	(void)state;
	static const struct phrasing cases[] = {
		{"Das ist eine Frechheit", HANDOVER_SENTIMENT},
		{"Unverschämt, wie lange das dauert", HANDOVER_SENTIMENT},
		{"Ich möchte mich beschweren", HANDOVER_SENTIMENT},
		{"Das ist doch Betrug", HANDOVER_SENTIMENT},
		{"Ich bin sehr unzufrieden", HANDOVER_SENTIMENT},
		{"Total enttäuscht von eurem Service", HANDOVER_SENTIMENT},
		{"Das ist echt schlecht", HANDOVER_SENTIMENT},
		{"Schlecht und nervig", HANDOVER_SENTIMENT},
		{"Schlecht!!", HANDOVER_SENTIMENT},
		{"Ich bin stinksauer", HANDOVER_SENTIMENT},
		{"Es reicht mir jetzt wirklich", HANDOVER_SENTIMENT},
		{"Nie wieder bei euch", HANDOVER_SENTIMENT},
		{"\xF0\x9F\xA4\xAC\xF0\x9F\xA4\xAC", HANDOVER_SENTIMENT},
		{"Abzocke ist das", HANDOVER_SENTIMENT},
		{"Das ist echt mies", HANDOVER_SENTIMENT},
		{"Ich bin enttäuscht und genervt", HANDOVER_SENTIMENT},
		/* mild alone, negated, or positive: must not fire */
		{"Das Wetter ist schlecht", 0},
		{"Nicht schlecht!", 0},
		{"Gar nicht so schlecht", 0},
		{"Ich bin nicht unzufrieden", 0},
		{"Das ist kein Betrug, oder?", 0},
		{"Ich war etwas enttäuscht", 0},
		{"Super, danke!!", 0},
		{"Alles bestens \xF0\x9F\x98\x8A", 0},
	};
	check_all(cases, sizeof cases / sizeof cases[0]);
	char word[32];
	assert_int_equal(handover_sentiment("Eine Frechheit!", word, sizeof word), 2);
	assert_string_equal(word, "frechheit");
	assert_int_equal(handover_sentiment("sehr unzufrieden", word, sizeof word), 2);
	assert_int_equal(handover_sentiment("nicht schlecht", word, sizeof word), 0);
	assert_string_equal(word, "");
	assert_int_equal(handover_sentiment(NULL, NULL, 0), 0);
	char why[64];
	assert_int_equal(handover_check("Frechheit! Ich will einen Mitarbeiter", NULL, why, sizeof why),
			 HANDOVER_KEYWORD | HANDOVER_SENTIMENT);
	assert_string_equal(why, "keyword:mitarbeiter,sentiment:frechheit");
}

static void test_price_and_contract_with_low_confidence(void **state)
{
	(void)state;
	char why[64];
	struct handover_input in = {.confidence = 0.2};
	assert_int_equal(handover_check("Was kostet das im Monat?", &in, why, sizeof why), HANDOVER_PRICE);
	assert_string_equal(why, "price_low_confidence");
	assert_int_equal(handover_check("Wie kann ich meinen Vertrag kündigen?", &in, why, sizeof why), HANDOVER_CONTRACT);
	assert_string_equal(why, "contract_low_confidence");
	assert_int_equal(handover_check("Welche Laufzeit hat der Tarif?", &in, why, sizeof why),
			 HANDOVER_PRICE | HANDOVER_CONTRACT);
	/* confident enough, not known yet, or no such topic: no handover */
	in.confidence = 0.8;
	assert_int_equal(handover_check("Was kostet das im Monat?", &in, why, sizeof why), 0);
	in.confidence = -1;
	assert_int_equal(handover_check("Was kostet das im Monat?", &in, why, sizeof why), 0);
	in.confidence = 0.2;
	assert_int_equal(handover_check("Wann habt ihr offen?", &in, why, sizeof why), 0);
	/* topics the caller found count too; a custom threshold */
	in.topics = HANDOVER_TOPIC_PRICE;
	assert_int_equal(handover_check("Und für zwei Personen?", &in, why, sizeof why), HANDOVER_PRICE);
	in = (struct handover_input){.confidence = 0.6, .min_confidence = 0.7, .topics = HANDOVER_TOPIC_CONTRACT};
	assert_int_equal(handover_check("Wie lange?", &in, why, sizeof why), HANDOVER_CONTRACT);
}

static void test_misunderstandings(void **state)
{
	(void)state;
	char why[64];
	struct handover_input in = {.confidence = -1, .misunderstandings = 2};
	assert_int_equal(handover_check("hmm", &in, why, sizeof why), 0);
	in.misunderstandings = 3;
	assert_int_equal(handover_check("hmm", &in, why, sizeof why), HANDOVER_MISUNDERSTOOD);
	assert_string_equal(why, "misunderstood");
	/* why is cut to its size, never overrun */
	char tiny[8];
	in.confidence = 0.1;
	handover_check("Frechheit, was kostet der Vertrag? Rufen Sie mich an!", &in, tiny, sizeof tiny);
	assert_true(strlen(tiny) < sizeof tiny);
	assert_int_equal(handover_check("Frechheit, was kostet der Vertrag? Rufen Sie mich an!", &in, NULL, 0),
			 HANDOVER_KEYWORD | HANDOVER_PRICE | HANDOVER_CONTRACT | HANDOVER_SENTIMENT | HANDOVER_MISUNDERSTOOD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keywords_ask_for_a_person),
		cmocka_unit_test(test_negative_sentiment),
		cmocka_unit_test(test_price_and_contract_with_low_confidence),
		cmocka_unit_test(test_misunderstandings),
	};
	return cmocka_run_group_tests_name("handover", tests, NULL, NULL);
}
