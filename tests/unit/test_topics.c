/*
 * test_topics.c — unit tests for src/conv/topics.c: the built-in lexicon (German and English, folded,
 * prefixes, two-word cues, hyphenated words), configured capture topics, the order and the limit of the
 * list, buying topics and the interest score.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "conv/topics.h"

/* The topics of the messages (NULL-terminated), joined by ','; buying ones get a '+'. */
static const char *scan(const char *const *messages, const char *const *extra, int nextra, char *out, size_t len)
{
	struct topics t;
	topics_init(&t);
	for (int i = 0; messages[i]; i++)
		topics_scan(&t, messages[i], extra, nextra);
	out[0] = '\0';
	for (int i = 0; i < t.n; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s%s", i ? "," : "", t.name[i], t.buying[i] ? "+" : "");
	return out;
}

static const char *one(const char *message, char *out, size_t len)
{
	const char *m[] = {message, NULL};
	return scan(m, NULL, 0, out, len);
}

static void test_lexicon_german(void **state)
{
	(void)state;
	char b[512];
	assert_string_equal(one("Was kostet die Premium-Mitgliedschaft?", b, sizeof b), "preise+");
	assert_string_equal(one("Gibt es eine Preisliste?", b, sizeof b), "preise+");
	assert_string_equal(one("Kann ich ein Probetraining machen?", b, sizeof b), "probetraining+");
	assert_string_equal(one("Welche Kurse gibt es? Auch Yoga?", b, sizeof b), "kurse");
	assert_string_equal(one("Habt ihr sonntags geöffnet?", b, sizeof b), "oeffnungszeiten");
	assert_string_equal(one("Wie sind die ÖFFNUNGSZEITEN?", b, sizeof b), "oeffnungszeiten");
	assert_string_equal(one("Wie kann ich kündigen, welche Laufzeit hat der Vertrag?", b, sizeof b), "vertrag");
	assert_string_equal(one("Ich möchte einen Termin buchen", b, sizeof b), "termin+");
	assert_string_equal(one("Bietet ihr Personal Training an?", b, sizeof b), "personal_training+");
	assert_string_equal(one("Gibt es ein Angebot oder eine Demo?", b, sizeof b), "angebot+");
	assert_string_equal(one("Hallo, wie geht es?", b, sizeof b), "");
	assert_string_equal(one("", b, sizeof b), "");
}

static void test_lexicon_english_and_word_rules(void **state)
{
	(void)state;
	char b[512];
	assert_string_equal(one("What are your prices and opening hours?", b, sizeof b), "preise+,oeffnungszeiten");
	assert_string_equal(one("Can I book a trial session?", b, sizeof b), "termin+,probetraining+");
	assert_string_equal(one("How do I cancel my contract?", b, sizeof b), "vertrag");
	assert_string_equal(one("Do you have a personal trainer?", b, sizeof b), "personal_training+");
	/* two-word cues need the words in a row */
	assert_string_equal(one("personal data and training", b, sizeof b), "");
	/* hyphenated words count as their parts */
	assert_string_equal(one("Geht ein Probe-Training am Montag?", b, sizeof b), "probetraining+");
	assert_string_equal(one("Ist Personal-Training teuer?", b, sizeof b), "personal_training+,preise+");
	/* exact cues do not match longer words: "open" is not "openai", "book" not "bookshelf" */
	assert_string_equal(one("openai bookshelf", b, sizeof b), "");
	/* a prefix cue is not a substring match */
	assert_string_equal(one("Das ist ein Problem", b, sizeof b), "");
}

static void test_order_dedupe_and_limit(void **state)
{
	(void)state;
	char b[512];
	const char *conv[] = {"Habt ihr Yoga-Kurse?", "Und was kostet das?", "Noch mal: die Preise und die Kurse?",
			      "Kann ich einen Termin ausmachen?", NULL};
	assert_string_equal(scan(conv, NULL, 0, b, sizeof b), "kurse,preise+,termin+");
	/* never more than TOPICS_MAX, whatever is configured */
	const char *extra[20];
	char words[20][16], text[400] = "";
	for (int i = 0; i < 20; i++) {
		snprintf(words[i], sizeof words[i], "thema%c", 'a' + i);
		extra[i] = words[i];
		snprintf(text + strlen(text), sizeof text - strlen(text), "%s ", words[i]);
	}
	struct topics t;
	topics_init(&t);
	topics_scan(&t, text, extra, 20);
	assert_int_equal(t.n, TOPICS_MAX);
}

static void test_configured_topics(void **state)
{
	(void)state;
	char b[512];
	const char *extra[] = {"Sauna", "preis", "Demo", NULL, "zwei Wörter", "Kurse"};
	const char *m1[] = {"Habt ihr eine Saunalandschaft?", NULL};
	/* a configured word is matched as a prefix and counts as buying */
	assert_string_equal(scan(m1, extra, 6, b, sizeof b), "sauna+");
	/* a configured word the lexicon knows is counted under the lexicon's name */
	const char *m2[] = {"Preis?", "Zeigt ihr mir das in einer Demo?", NULL};
	assert_string_equal(scan(m2, extra, 6, b, sizeof b), "preise+,angebot+");
	/* configured "Kurse" makes the lexicon's (informational) kurse a buying topic */
	const char *m3[] = {"Welche Kurse habt ihr?", NULL};
	assert_string_equal(scan(m3, extra, 6, b, sizeof b), "kurse+");
	assert_string_equal(scan(m3, NULL, 0, b, sizeof b), "kurse");
	/* multi-word and empty entries are skipped */
	const char *m4[] = {"zwei Wörter", NULL};
	assert_string_equal(scan(m4, extra, 6, b, sizeof b), "");
}

static void test_buying_and_interest(void **state)
{
	(void)state;
	struct topics t;
	topics_init(&t);
	topics_scan(&t, "Öffnungszeiten und Kurse?", NULL, 0);
	assert_int_equal(topics_buying(&t), 0);
	topics_scan(&t, "Preise, Probetraining und einen Termin bitte", NULL, 0);
	assert_int_equal(t.n, 5);
	assert_int_equal(topics_buying(&t), 3);

	/* base + min(visitor messages, 6) + min(buying topics, 2), clamped to 1..10 */
	assert_int_equal(topics_interest(2, 1, 0), 3);   /* one visitor message */
	assert_int_equal(topics_interest(2, 4, 1), 5);   /* two visitor messages, one buying topic */
	assert_int_equal(topics_interest(2, 6, 3), 7);   /* buying topics count at most twice */
	assert_int_equal(topics_interest(2, 40, 0), 8);  /* messages count at most six times */
	assert_int_equal(topics_interest(2, 40, 5), 10);
	assert_int_equal(topics_interest(4, 40, 5), 10); /* clamped */
	assert_int_equal(topics_interest(4, 3, 0), 6);
	assert_int_equal(topics_interest(-5, 0, 0), 1);
	assert_int_equal(topics_interest(2, 0, -1), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lexicon_german),
		cmocka_unit_test(test_lexicon_english_and_word_rules),
		cmocka_unit_test(test_order_dedupe_and_limit),
		cmocka_unit_test(test_configured_topics),
		cmocka_unit_test(test_buying_and_interest),
	};
	return cmocka_run_group_tests_name("topics", tests, NULL, NULL);
}
