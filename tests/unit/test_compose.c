/*
 * test_compose.c — unit tests for src/rag/compose.c: the text of an extractive answer, given passages
 * and content words directly (test_answer.c covers the same code through answer_question).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rag/compose.h"

static struct terms *T;

static int setup(void **state)
{
	(void)state;
	T = terms_new();
	return T ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	terms_free(T);
	return 0;
}

/* Content words from surface words, normalised as answer.c does it (terms kept in `buf`). */
struct words {
	struct compose_words cw;
	char buf[STORE_SEARCH_MAX_WORDS][TERMS_WORD_MAX + 1];
};

static void set_words(struct words *w, const char *const *surface, int n)
{
	memset(w, 0, sizeof *w);
	w->cw.terms = T;
	for (int i = 0; i < n; i++) {
		size_t len = terms_normalize_word(T, surface[i], strlen(surface[i]), w->buf[i]);

		assert_true(len > 0);
		w->cw.term[i] = w->buf[i];
		w->cw.tlen[i] = len;
		w->cw.n++;
	}
}

static size_t chars(const char *s)
{
	size_t k = 0;

	for (; *s; s++)
		k += ((unsigned char)*s & 0xC0) != 0x80;
	return k;
}

static void assert_reply(const struct compose_words *cw, const char *best, const char *second, uint32_t fresh,
			 const char *want)
{
	char *got = compose_reply(cw, best, second, fresh);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

/* Sentences of at least 60 code points, so that none brings a neighbour along. */
#define LONG_A "Der Kurs für Anfänger beginnt jeden Montag um achtzehn Uhr im großen Saal."
#define LONG_B "Unsere Trainerinnen und Trainer haben alle eine anerkannte Ausbildung gemacht."
#define LONG_C "Wer einen Kurs verpasst, kann ihn in derselben Woche an einem anderen Tag nachholen."
#define LONG_D "Die Umkleiden mit Duschen und Schließfächern liegen gleich neben dem Eingang links."

static void test_word_masks(void **state)
{
	struct compose_words cw = { 0 };

	(void)state;
	assert_int_equal(compose_all_words(&cw), 0);
	cw.n = 3;
	assert_int_equal(compose_all_words(&cw), 7);
	cw.n = 32;
	assert_true(compose_all_words(&cw) == UINT32_MAX);
	assert_int_equal(compose_count_words(0), 0);
	assert_int_equal(compose_count_words(0xF0F0), 8);
	assert_int_equal(compose_count_words(UINT32_MAX), 32);
}

static void test_fixed_replies(void **state)
{
	struct answer_bot de = { .name = "FitWerk", .language = "de", .response_style = "professional" };
	struct answer_bot en = { .language = "en", .response_style = "casual", .fallback_message = "" };
	char *s;

	(void)state;
	s = compose_greeting(&de);
	assert_string_equal(s, "Guten Tag! Ich bin der digitale Assistent von FitWerk. Wie kann ich Ihnen helfen?");
	free(s);
	s = compose_greeting(&en);
	assert_string_equal(s, "Hi! I'm the digital assistant here. What can I do for you?");
	free(s);
	s = compose_thanks(&de);
	assert_string_equal(s, "Gern geschehen! Wenn Sie noch Fragen haben, fragen Sie einfach.");
	free(s);
	s = compose_fallback(&en); /* an empty message of its own: the built-in one */
	assert_string_equal(s, "I don't have reliable information on that. I'll pass your question on to the team.");
	free(s);
	de.fallback_message = "Fragen Sie bitte an der Theke.";
	s = compose_fallback(&de);
	assert_string_equal(s, "Fragen Sie bitte an der Theke.");
	free(s);
}

static void test_source_titles(void **state)
{
	char *s;

	(void)state;
	s = compose_source_title("FAQ", "Kurse");
	assert_string_equal(s, "FAQ \xE2\x80\x93 Kurse");
	free(s);
	s = compose_source_title("FAQ", "");
	assert_string_equal(s, "FAQ");
	free(s);
	s = compose_source_title(NULL, NULL);
	assert_string_equal(s, "");
	free(s);
}

static void test_reply_keeps_matching_sentences_in_order(void **state)
{
	static const char *const kurs[] = { "Kurs" };
	struct words w;

	(void)state;
	set_words(&w, kurs, 1);
	assert_reply(&w.cw, LONG_A " " LONG_B " " LONG_C " " LONG_D, NULL, 0, LONG_A " " LONG_C);
	/* no sentence holds the word: the best passage gives its first sentence */
	assert_reply(&w.cw, LONG_B " " LONG_D, NULL, 0, LONG_B);
	/* a passage without text gives an empty reply */
	assert_reply(&w.cw, "", NULL, 0, "");
	assert_reply(&w.cw, " \n ", NULL, 0, "");
}

static void test_reply_prefers_sentences_with_more_words(void **state)
{
	static const char *const words[] = { "Kurs", "Montag" };
	struct words w;
	char best[4096] = "";
	char *got;

	(void)state;
	set_words(&w, words, 2);
	/* eight sentences with one word, then one with both: the budget goes to the one with both first */
	for (int i = 0; i < 8; i++)
		strcat(best, LONG_C " ");
	strcat(best, LONG_A);
	got = compose_reply(&w.cw, best, NULL, 0);
	assert_non_null(got);
	assert_non_null(strstr(got, LONG_A));
	assert_true(chars(got) <= 500 + 8);
	free(got);
}

static void test_short_sentence_brings_its_neighbour(void **state)
{
	static const char *const words[] = { "Sauna" };
	struct words w;

	(void)state;
	set_words(&w, words, 1);
	assert_reply(&w.cw, LONG_B " Die Sauna ist offen. " LONG_D, NULL, 0, "Die Sauna ist offen. " LONG_D);
	/* the last sentence brings the one before it */
	assert_reply(&w.cw, LONG_B " " LONG_D " Die Sauna ist offen.", NULL, 0, LONG_D " Die Sauna ist offen.");
}

static void test_reply_keeps_line_breaks(void **state)
{
	static const char *const words[] = { "Kurs" };
	struct words w;

	(void)state;
	set_words(&w, words, 1);
	assert_reply(&w.cw, LONG_A "\n\n" LONG_B "\n- " LONG_C, NULL, 0, LONG_A "\n- " LONG_C);
}

static void test_second_passage_adds_fresh_words_once(void **state)
{
	static const char *const words[] = { "Kurs", "Umkleiden" };
	struct words w;

	(void)state;
	set_words(&w, words, 2);
	/* a short sentence of the second passage brings its neighbour, which the reply already holds
	 * (chunks of one section overlap by a sentence): it is not repeated */
	assert_reply(&w.cw, LONG_B " " LONG_D, LONG_D " Einen Kurs gibt es auch.", 1,
		     LONG_D " Einen Kurs gibt es auch.");
	/* only sentences with the fresh words come from the second passage */
	assert_reply(&w.cw, LONG_A, LONG_C " " LONG_D, 2, LONG_A " " LONG_D);
}

static void test_first_sentence_ignores_the_budget(void **state)
{
	static const char *const words[] = { "Kurs" };
	struct words w;
	char best[2048] = "Dieser Kurs";
	char *got;

	(void)state;
	set_words(&w, words, 1);
	for (int i = 0; i < 60; i++)
		strcat(best, " und noch mehr");
	strcat(best, ". " LONG_C);
	got = compose_reply(&w.cw, best, NULL, 0);
	assert_non_null(got);
	assert_true(chars(got) > 500);
	assert_null(strstr(got, LONG_C)); /* no room left for the second match */
	free(got);
}

static void test_snippet(void **state)
{
	static const char *const words[] = { "Kletterwand" };
	struct words w;
	char text[2048] = "", flat[2048];
	const char *at;
	size_t blen;
	char *s;

	(void)state;
	set_words(&w, words, 1);
	s = compose_snippet(&w.cw, "  Kurze\n\n Antwort.  ");
	assert_string_equal(s, "Kurze Antwort.");
	free(s);

	for (int i = 0; i < 4; i++)
		strcat(text, LONG_B "\n");
	strcat(text, "Die Kletterwand ist neu. ");
	for (int i = 0; i < 4; i++)
		strcat(text, LONG_D " ");
	s = compose_snippet(&w.cw, text);
	assert_non_null(s);
	assert_true(chars(s) <= 240);
	assert_memory_equal(s, "\xE2\x80\xA6", 3);
	assert_string_equal(s + strlen(s) - 3, "\xE2\x80\xA6");
	assert_non_null(strstr(s, "Die Kletterwand ist neu."));
	assert_null(strchr(s, '\n'));
	/* the text between the two "…" is the flattened text, cut on word boundaries */
	for (size_t i = 0, k = 0; (flat[k] = text[i]) != '\0'; i++)
		if (flat[k] != '\n' || (flat[k] = ' ', k == 0 || flat[k - 1] != ' '))
			k++;
	blen = strlen(s) - 6;
	at = memmem(flat, strlen(flat), s + 3, blen);
	assert_non_null(at);
	assert_true(at > flat && at[-1] == ' ' && at[blen] == ' ');
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_word_masks),
		cmocka_unit_test(test_fixed_replies),
		cmocka_unit_test(test_source_titles),
		cmocka_unit_test(test_reply_keeps_matching_sentences_in_order),
		cmocka_unit_test(test_reply_prefers_sentences_with_more_words),
		cmocka_unit_test(test_short_sentence_brings_its_neighbour),
		cmocka_unit_test(test_reply_keeps_line_breaks),
		cmocka_unit_test(test_second_passage_adds_fresh_words_once),
		cmocka_unit_test(test_first_sentence_ignores_the_budget),
		cmocka_unit_test(test_snippet),
	};

	return cmocka_run_group_tests_name("compose", tests, setup, teardown);
}
