/*
 * test_chunk.c — unit tests for src/rag/chunk.c: knowledge text cut into citable passages, and the
 * sentence splitter the answerer shares. Only the public functions are used.
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

#include "rag/chunk.h"

/* ---- helpers ------------------------------------------------------------------------------------ */

static struct chunk_list chunk(const char *text, size_t max, size_t overlap)
{
	struct chunk_list l = { 0 };
	struct chunk_opts o = { .max_chars = max, .overlap_chars = overlap };

	assert_int_equal(chunk_text(text, strlen(text), max || overlap ? &o : NULL, &l), 0);
	return l;
}

static size_t chars(const char *s)
{
	size_t k = 0;

	for (; *s; s++)
		k += ((unsigned char)*s & 0xC0) != 0x80;
	return k;
}

/* The sentences of `text`, one per line in `out`, as chunk_sentence_end cuts them. */
static void sentences(const char *text, char *out, size_t cap)
{
	size_t len = strlen(text), pos = 0, k = 0;

	out[0] = '\0';
	while (pos < len) {
		size_t end;

		while (pos < len && (text[pos] == ' ' || text[pos] == '\n'))
			pos++;
		if (pos >= len)
			break;
		end = chunk_sentence_end(text, len, pos);
		assert_true(end > pos);
		k += (size_t)snprintf(out + k, cap - k, "%.*s|", (int)(end - pos), text + pos);
		assert_true(k < cap);
		pos = end;
	}
}

#define assert_sentences(text, expect)                                                                    \
	do {                                                                                              \
		char got_[2048];                                                                          \
		sentences(text, got_, sizeof got_);                                                        \
		assert_string_equal(got_, expect);                                                         \
	} while (0)

/* ---- sentences ---------------------------------------------------------------------------------- */

static void test_sentences_end_at_punctuation(void **state)
{
	(void)state;
	assert_sentences("Wir haben offen. Kommen Sie vorbei! Fragen? Gern…  Ende",
			 "Wir haben offen.|Kommen Sie vorbei!|Fragen?|Gern…|Ende|");
	assert_sentences("Er sagte: „Hallo.“ Dann ging er.", "Er sagte: „Hallo.“|Dann ging er.|");
	assert_sentences("(Siehe oben.) Weiter geht's...", "(Siehe oben.)|Weiter geht's...|");
	assert_sentences("Zeile eins\nZeile zwei", "Zeile eins|Zeile zwei|");
	assert_sentences("Das ist so. Dann kommt mehr.", "Das ist so.|Dann kommt mehr.|");
	assert_sentences("Seit 2010. Unser Team", "Seit 2010.|Unser Team|");
}

static void test_abbreviations_do_not_end_sentences(void **state)
{
	(void)state;
	assert_sentences("Wir bieten Kurse, z. B. Yoga, u. a. am Abend. Neu!",
			 "Wir bieten Kurse, z. B. Yoga, u. a. am Abend.|Neu!|");
	assert_sentences("Preis ca. 30 Euro inkl. Getränke. Danach",
			 "Preis ca. 30 Euro inkl. Getränke.|Danach|");
	assert_sentences("Haus Nr. 5 in der Hauptstr. 7 bzw. Str. 9. Ok",
			 "Haus Nr. 5 in der Hauptstr. 7 bzw. Str. 9.|Ok|");
	assert_sentences("Geöffnet Mo. bis Fr. von 8 bis 20 Uhr. Sa. Ruhetag.",
			 "Geöffnet Mo. bis Fr. von 8 bis 20 Uhr.|Sa. Ruhetag.|");
	assert_sentences("Das geht z.B. so. Gut.", "Das geht z.B. so.|Gut.|");
	assert_sentences("Fragen Sie Dr. Müller oder Fa. Meier. Danke.",
			 "Fragen Sie Dr. Müller oder Fa. Meier.|Danke.|");
	assert_sentences("Wir bieten u. a. Yoga an, d. h. Kurse. Neu",
			 "Wir bieten u. a. Yoga an, d. h. Kurse.|Neu|");
	assert_sentences("Frau A. Müller berät Sie. Gern.", "Frau A. Müller berät Sie.|Gern.|");
	assert_sentences("Das Becken ist 25 m. Es ist warm.", "Das Becken ist 25 m.|Es ist warm.|");
}

static void test_numbers_do_not_end_sentences(void **state)
{
	(void)state;
	assert_sentences("Am 1. Januar ist zu. Sonst offen.", "Am 1. Januar ist zu.|Sonst offen.|");
	assert_sentences("Ab 6.30 Uhr geöffnet. Kurs 29,90 € im Monat. Oder 29.90 €.",
			 "Ab 6.30 Uhr geöffnet.|Kurs 29,90 € im Monat.|Oder 29.90 €.|");
	assert_sentences("Am 24.12. geschlossen. Am 3. Oktober auch.",
			 "Am 24.12. geschlossen.|Am 3. Oktober auch.|");
	assert_sentences("Siehe www.example.de. Oder anrufen.", "Siehe www.example.de.|Oder anrufen.|");
	assert_sentences("Wir sind in der Hauptstraße 12. Parken ist frei.",
			 "Wir sind in der Hauptstraße 12.|Parken ist frei.|");
	assert_sentences("1. Probetraining buchen\n2. Kommen", "1. Probetraining buchen|2. Kommen|");
	assert_sentences("Ab dem 6. März 2026. Neu", "Ab dem 6. März 2026.|Neu|");
}

static void test_lower_case_continues_a_sentence(void **state)
{
	(void)state;
	assert_sentences("Tel. und Fax. oder Mail. Danke.", "Tel. und Fax. oder Mail.|Danke.|");
	assert_sentences("Größe mind. über 1,50 m. Öffnen", "Größe mind. über 1,50 m.|Öffnen|");
	assert_sentences("Es ist so. und weiter.", "Es ist so. und weiter.|");
}

/* ---- sections and markup ------------------------------------------------------------------------ */

static void test_empty_text_gives_no_chunks(void **state)
{
	struct chunk_list l;

	(void)state;
	l = chunk("", 0, 0);
	assert_int_equal(l.n, 0);
	chunk_list_free(&l);
	l = chunk(" \n\t\n\r\n  ", 0, 0);
	assert_int_equal(l.n, 0);
	chunk_list_free(&l);
	l = chunk("# Nur eine Überschrift\n\n## Und noch eine\n", 0, 0);
	assert_int_equal(l.n, 0);
	chunk_list_free(&l);
}

static void test_chunks_keep_their_heading_path(void **state)
{
	const char *text = "Vorwort ohne Überschrift.\n\n"
			   "# Preise\n\nAllgemeines zu Preisen.\n\n"
			   "## Kurse\n\nEin Kurs kostet 29,90 €.\n\n"
			   "### Yoga ###\n\nYoga ist dienstags.\n\n"
			   "## Mitgliedschaft\n\nDie Mitgliedschaft kostet 49 €.\n\n"
			   "Kontakt\n=======\n\nRufen Sie an.\n\n"
			   "Anfahrt\n-------\n\nMit dem Bus.\n";
	struct chunk_list l;

	(void)state;
	l = chunk(text, 0, 0);
	assert_int_equal(l.n, 7);
	assert_string_equal(l.items[0].heading, "");
	assert_string_equal(l.items[0].text, "Vorwort ohne Überschrift.");
	assert_string_equal(l.items[1].heading, "Preise");
	assert_string_equal(l.items[2].heading, "Preise > Kurse");
	assert_string_equal(l.items[2].text, "Ein Kurs kostet 29,90 €.");
	assert_string_equal(l.items[3].heading, "Preise > Kurse > Yoga");
	assert_string_equal(l.items[4].heading, "Preise > Mitgliedschaft");
	assert_string_equal(l.items[5].heading, "Kontakt");
	assert_string_equal(l.items[5].text, "Rufen Sie an.");
	assert_string_equal(l.items[6].heading, "Kontakt > Anfahrt");
	chunk_list_free(&l);
	assert_null(l.items);
	assert_int_equal(l.n, 0);
}

static void test_markdown_markup_is_removed(void **state)
{
	const char *text = "## **Preise** & _Tarife_\n\n"
			   "Das ist **wichtig** und *kursiv*, siehe [Seite](https://ex.de/a_b?x=1*2).\n"
			   "Die Datei heißt preis_liste_2026.pdf, 2*3 ist 6 und 4 * 5 ist 20.\n"
			   "Bild: ![Logo](https://example.de/logo.png), Link: [https://x.de](https://x.de).";
	struct chunk_list l;

	(void)state;
	l = chunk(text, 0, 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].heading, "Preise & Tarife");
	assert_string_equal(l.items[0].text,
			    "Das ist wichtig und kursiv, siehe Seite (https://ex.de/a_b?x=1*2). "
			    "Die Datei heißt preis_liste_2026.pdf, 2*3 ist 6 und 4 * 5 ist 20. "
			    "Bild: Logo (https://example.de/logo.png), Link: https://x.de.");
	chunk_list_free(&l);
}

static void test_paragraphs_lines_and_list_items(void **state)
{
	const char *text = "Wir haben\ngeöffnet   von\tMontag bis Freitag.\n\n"
			   "Unsere Kurse:\n- Yoga am Montag\n* Pilates am\n  Dienstag\n1. Spinning\n\n"
			   "---\n\nLetzter Absatz.";
	struct chunk_list l;

	(void)state;
	l = chunk(text, 0, 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].text,
			    "Wir haben geöffnet von Montag bis Freitag.\n\n"
			    "Unsere Kurse:\n- Yoga am Montag\n* Pilates am Dienstag\n1. Spinning\n\n"
			    "Letzter Absatz.");
	chunk_list_free(&l);
}

static void test_code_fences_are_dropped(void **state)
{
	struct chunk_list l;

	(void)state;
	l = chunk("Vorher.\n\n```sh\nmake test\n```\n\nNachher.", 0, 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].text, "Vorher.\n\nmake test\n\nNachher.");
	chunk_list_free(&l);
}

/* ---- sizes and overlap -------------------------------------------------------------------------- */

/* "Satz 1 hat ein paar Wörter über Öffnungszeiten." … numbered, so every sentence is unique. */
static char *numbered_sentences(int n, bool paragraphs)
{
	size_t cap = (size_t)n * 80 + 1, k = 0;
	char *s = malloc(cap);

	assert_non_null(s);
	for (int i = 1; i <= n; i++)
		k += (size_t)snprintf(s + k, cap - k, "%sSatz %d hat ein paar Wörter über Öffnungszeiten.",
				      i == 1 ? "" : paragraphs && i % 3 == 1 ? "\n\n" : " ", i);
	return s;
}

static bool ends_sentence(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && s[n - 1] == '.';
}

static void test_chunks_respect_max_size_and_overlap(void **state)
{
	char *text = numbered_sentences(60, true);
	struct chunk_list l;

	(void)state;
	l = chunk(text, 200, 60);
	assert_true(l.n > 5);
	for (int i = 0; i < l.n; i++) {
		const char *t = l.items[i].text;

		assert_true(chars(t) <= 200);
		assert_true(strncmp(t, "Satz ", 5) == 0); /* starts on a sentence */
		assert_true(ends_sentence(t));           /* ends on one */
		if (i > 0) {
			/* begins with the last sentence of the chunk before */
			const char *prev = l.items[i - 1].text;
			const char *last = strrchr(prev, 'S');
			const char *end = strchr(t, '.');

			assert_non_null(last);
			assert_non_null(end);
			assert_int_equal((size_t)(end - t + 1), strlen(last));
			assert_memory_equal(t, last, strlen(last));
		}
	}
	/* nothing is lost: every sentence is in some chunk */
	for (int k = 1; k <= 60; k++) {
		char want[64];
		bool found = false;

		snprintf(want, sizeof want, "Satz %d hat", k);
		for (int i = 0; i < l.n && !found; i++)
			found = strstr(l.items[i].text, want) != NULL;
		assert_true(found);
	}
	chunk_list_free(&l);
	free(text);
}

static void test_overlap_only_when_short_enough(void **state)
{
	char *text = numbered_sentences(20, false);
	struct chunk_list l;

	(void)state;
	l = chunk(text, 200, 20); /* every sentence is ~48 characters: too long to repeat */
	assert_true(l.n > 3);
	for (int i = 1; i < l.n; i++) {
		const char *prev = l.items[i - 1].text;
		const char *last = strrchr(prev, 'S');

		assert_false(strncmp(l.items[i].text, last, strlen(last)) == 0);
	}
	chunk_list_free(&l);
	free(text);
}

static void test_no_overlap_across_sections(void **state)
{
	const char *text = "# A\n\nEins ist kurz. Zwei ist kurz. Drei ist kurz.\n\n# B\n\nVier ist kurz.";
	struct chunk_list l;

	(void)state;
	l = chunk(text, 35, 30);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.items[0].text, "Eins ist kurz. Zwei ist kurz.");
	assert_string_equal(l.items[1].text, "Zwei ist kurz. Drei ist kurz.");
	assert_string_equal(l.items[2].heading, "B");
	assert_string_equal(l.items[2].text, "Vier ist kurz.");
	chunk_list_free(&l);
}

static void test_long_sentence_is_cut_at_word_boundaries(void **state)
{
	char text[4096];
	size_t k = 0;
	struct chunk_list l;
	char joined[4096] = "";

	(void)state;
	for (int i = 0; i < 60; i++)
		k += (size_t)snprintf(text + k, sizeof text - k, "%sWörter%d", i ? " " : "", i);
	snprintf(text + k, sizeof text - k, ".");
	l = chunk(text, 100, 50);
	assert_true(l.n >= 5);
	for (int i = 0; i < l.n; i++) {
		const char *t = l.items[i].text;

		assert_true(chars(t) <= 100);
		assert_true(strncmp(t, "Wörter", strlen("Wörter")) == 0); /* starts on a word */
		if (i)
			strcat(joined, " ");
		strcat(joined, t);
	}
	/* pieces of one sentence are never repeated as overlap: together they are the sentence */
	assert_string_equal(joined, text);
	chunk_list_free(&l);
}

static void test_size_counts_characters_not_bytes(void **state)
{
	const char *text = "Äöü äöü äöü. Äöü äöü äöü. Äöü äöü äöü.";
	struct chunk_list l;

	(void)state;
	l = chunk(text, 25, 1);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0].text, "Äöü äöü äöü. Äöü äöü äöü."); /* 25 characters, 43 bytes */
	chunk_list_free(&l);
}

static void test_one_word_longer_than_max(void **state)
{
	char text[512];
	struct chunk_list l;

	(void)state;
	memset(text, 'x', 250);
	text[250] = '\0';
	l = chunk(text, 100, 10);
	assert_int_equal(l.n, 3);
	assert_int_equal(strlen(l.items[0].text), 100);
	assert_int_equal(strlen(l.items[2].text), 50);
	chunk_list_free(&l);
}


/* One huge heading must not be copied, whole, into every chunk under it. */
static void test_long_heading_is_capped(void **state)
{
	(void)state;
	size_t n = 3 * 1000 + 64;
	char *text = malloc(n);
	assert_non_null(text);
	char *p = text;
	p += sprintf(p, "# ");
	for (int i = 0; i < 1000; i++)
		p += sprintf(p, "ä ");
	sprintf(p - 1, "\n\nDie Sauna ist offen.");
	struct chunk_list l = {0};
	assert_int_equal(chunk_text(text, strlen(text), NULL, &l), 0);
	assert_int_equal(l.n, 1);
	size_t chars = 0;
	for (const char *q = l.items[0].heading; *q; q++)
		chars += ((unsigned char)*q & 0xC0) != 0x80;
	assert_true(chars <= 201);
	assert_true(strstr(l.items[0].heading, "\xe2\x80\xa6") != NULL); /* ends with "…" */
	assert_string_equal(l.items[0].text, "Die Sauna ist offen.");
	chunk_list_free(&l);
	free(text);
}

/* Link syntax without a closing parenthesis, repeated, is kept as text (and stays linear: the fuzz
 * regression tests/fuzz/regressions/chunk/ holds the timing case). */
static void test_unclosed_links_are_plain_text(void **state)
{
	(void)state;
	struct chunk_list l = {0};
	const char *text = "[a]([a]([a]( Rest";
	assert_int_equal(chunk_text(text, strlen(text), NULL, &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].text, "[a]([a]([a]( Rest");
	chunk_list_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sentences_end_at_punctuation),
		cmocka_unit_test(test_abbreviations_do_not_end_sentences),
		cmocka_unit_test(test_numbers_do_not_end_sentences),
		cmocka_unit_test(test_lower_case_continues_a_sentence),
		cmocka_unit_test(test_empty_text_gives_no_chunks),
		cmocka_unit_test(test_chunks_keep_their_heading_path),
		cmocka_unit_test(test_markdown_markup_is_removed),
		cmocka_unit_test(test_paragraphs_lines_and_list_items),
		cmocka_unit_test(test_code_fences_are_dropped),
		cmocka_unit_test(test_chunks_respect_max_size_and_overlap),
		cmocka_unit_test(test_overlap_only_when_short_enough),
		cmocka_unit_test(test_no_overlap_across_sections),
		cmocka_unit_test(test_long_sentence_is_cut_at_word_boundaries),
		cmocka_unit_test(test_size_counts_characters_not_bytes),
		cmocka_unit_test(test_one_word_longer_than_max),
		cmocka_unit_test(test_long_heading_is_capped),
		cmocka_unit_test(test_unclosed_links_are_plain_text),
	};

	return cmocka_run_group_tests_name("chunk", tests, NULL, NULL);
}
