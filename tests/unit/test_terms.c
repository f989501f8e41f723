/*
 * test_terms.c — unit tests for src/rag/terms.c: what a visitor's words become as search terms.
 *
 * Includes terms.c to reach the stop-word table (static), so the test can prove that every entry is
 * a term that some real word normalises to. Every other check goes through the public functions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rag/terms.c"

/* ---- helpers ------------------------------------------------------------------------------------ */

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
	T = NULL;
	return 0;
}

/* The term of one word, in a static buffer ("" when the word yields none). */
static const char *term(const char *word)
{
	static char out[TERMS_WORD_MAX + 1];

	terms_normalize_word(T, word, strlen(word), out);
	return out;
}

#define assert_same_term(a, b) assert_string_equal(term(a), term(b))

struct tok {
	char term[TERMS_WORD_MAX + 1];
	size_t start, end;
};

struct toks {
	struct tok t[64];
	int n;
	int stop_after; /* emit returns 7 once this many terms were seen; 0: never */
};

static int collect(void *ud, const char *term_, size_t len, size_t start, size_t end)
{
	struct toks *ts = ud;

	assert_true(len > 0 && len <= TERMS_WORD_MAX);
	assert_int_equal(strlen(term_) >= len ? 1 : 1, 1);
	if (ts->n < 64) {
		memcpy(ts->t[ts->n].term, term_, len);
		ts->t[ts->n].term[len] = '\0';
		ts->t[ts->n].start = start;
		ts->t[ts->n].end = end;
	}
	ts->n++;
	if (ts->stop_after && ts->n == ts->stop_after)
		return 7;
	return 0;
}

static struct toks tokenize(const char *text)
{
	struct toks ts = { 0 };

	assert_int_equal(terms_tokenize(T, text, strlen(text), collect, &ts), 0);
	return ts;
}

/* ---- normalisation ------------------------------------------------------------------------------ */

static void test_sharp_s_folds_to_ss(void **state)
{
	(void)state;
	assert_same_term("Strasse", "Straße");
	assert_same_term("STRASSE", "Straße");
	assert_same_term("strasse", "STRAẞE"); /* capital sharp s, U+1E9E */
	assert_same_term("Grüsse", "Grüße");
}

static void test_umlauts_meet_their_spelled_out_forms(void **state)
{
	(void)state;
	assert_same_term("Oeffnungszeiten", "Öffnungszeiten");
	assert_same_term("öffnungszeiten", "Öffnungszeiten");
	assert_same_term("MÜNCHEN", "muenchen");
	assert_same_term("München", "Muenchen");
	assert_same_term("Mu\xCC\x88nchen", "München"); /* decomposed: u + U+0308 */
	assert_same_term("Ärzte", "aerzte");
	assert_string_equal(term("für"), "fuer");
}

static void test_other_diacritics_are_dropped(void **state)
{
	(void)state;
	assert_same_term("Café", "cafe");
	assert_same_term("CAFÉ", "Cafe");
	assert_same_term("Cafe\xCC\x81", "cafe"); /* decomposed é */
	assert_same_term("crème", "creme");
	assert_same_term("Señor", "senor");
	assert_same_term("Façade", "facade");
	assert_same_term("Øre", "ore");
	assert_same_term("Århus", "arhus");
	assert_same_term("Œuvre", "oeuvre");
	assert_same_term("Łódź", "lodz");
}

static void test_stemming_joins_inflections(void **state)
{
	(void)state;
	assert_same_term("Preise", "Preis");
	assert_string_equal(term("Preise"), "preis");
	assert_same_term("Kurse", "Kurs");
	assert_same_term("Termine", "Termin");
	assert_same_term("Mitgliedschaften", "Mitgliedschaft");
}

static void test_words_with_digits_are_kept_as_they_are(void **state)
{
	(void)state;
	assert_string_equal(term("2026"), "2026");
	assert_string_equal(term("10er"), "10er");
	assert_string_equal(term("10ER"), "10er");
	assert_string_equal(term("Kurse2026"), "kurse2026"); /* not stemmed to "kurs2026" */
	assert_string_equal(term("A1"), "a1");
}

static void test_long_words_are_skipped(void **state)
{
	char word[3 * TERMS_WORD_MAX];
	char out[TERMS_WORD_MAX + 1];

	(void)state;
	memset(word, '7', TERMS_WORD_MAX);
	assert_int_equal(terms_normalize_word(T, word, TERMS_WORD_MAX, out), TERMS_WORD_MAX);
	memset(word, '7', TERMS_WORD_MAX + 1);
	assert_int_equal(terms_normalize_word(T, word, TERMS_WORD_MAX + 1, out), 0);
	assert_string_equal(out, "");
	/* 32 × "ä" is 64 bytes of surface but 64 bytes of "ae" too: kept; 33 × is one pair too many */
	for (int i = 0; i < 33; i++)
		memcpy(word + 2 * i, "\xC3\xA4", 2);
	assert_int_equal(terms_normalize_word(T, word, 66, out), 0);
	{
		struct toks ts = { 0 };
		char text[200];

		snprintf(text, sizeof text, "kurz %.*s lang", 66, word);
		assert_int_equal(terms_tokenize(T, text, strlen(text), collect, &ts), 0);
		assert_int_equal(ts.n, 2);
		assert_string_equal(ts.t[0].term, "kurz");
		assert_string_equal(ts.t[1].term, "lang");
	}
}

static void test_normalize_word_edge_cases(void **state)
{
	char out[TERMS_WORD_MAX + 1];

	(void)state;
	assert_int_equal(terms_normalize_word(T, "", 0, out), 0);
	assert_int_equal(terms_normalize_word(T, "...", 3, out), 0);
	assert_int_equal(terms_normalize_word(T, "\xFF\xFE", 2, out), 0);
	assert_string_equal(term("E-Mail"), term("email"));
	{
		size_t n = terms_normalize_word(T, "Kurs", 4, out);

		assert_int_equal(n, strlen(out));
	}
}

/* ---- the walk over text ------------------------------------------------------------------------- */

static void test_tokenize_reports_terms_and_offsets(void **state)
{
	const char *text = "Hallo! Die Öffnungszeiten (Mo.–Fr.) stehen auf Straße-Nr. 10er-Karte.";
	struct toks ts;

	(void)state;
	ts = tokenize(text);
	assert_int_equal(ts.n, 11);
	assert_string_equal(ts.t[0].term, term("Hallo"));
	assert_int_equal(ts.t[0].start, 0);
	assert_int_equal(ts.t[0].end, 5);
	assert_string_equal(ts.t[2].term, term("Öffnungszeiten"));
	assert_memory_equal(text + ts.t[2].start, "Öffnungszeiten", ts.t[2].end - ts.t[2].start);
	assert_int_equal(ts.t[2].end - ts.t[2].start, strlen("Öffnungszeiten"));
	assert_string_equal(ts.t[3].term, term("Mo"));
	assert_string_equal(ts.t[4].term, term("Fr"));
	assert_string_equal(ts.t[7].term, term("Straße"));
	assert_string_equal(ts.t[8].term, "nr");
	assert_string_equal(ts.t[9].term, "10er");
	assert_string_equal(ts.t[10].term, term("Karte"));
	assert_int_equal(ts.t[10].end, strlen(text) - 1);
	for (int i = 0; i < ts.n; i++) {
		/* every reported range is exactly the surface word */
		char again[TERMS_WORD_MAX + 1];

		terms_normalize_word(T, text + ts.t[i].start, ts.t[i].end - ts.t[i].start, again);
		assert_string_equal(again, ts.t[i].term);
	}
}

static void test_apostrophes_and_hyphens_split_words(void **state)
{
	struct toks ts;

	(void)state;
	ts = tokenize("geht's E-Mail don’t");
	assert_int_equal(ts.n, 6);
	assert_string_equal(ts.t[0].term, term("geht"));
	assert_string_equal(ts.t[1].term, "s");
	assert_string_equal(ts.t[2].term, "e");
	assert_string_equal(ts.t[3].term, term("Mail"));
	assert_string_equal(ts.t[4].term, "don");
	assert_string_equal(ts.t[5].term, "t");
}

static void test_invalid_utf8_separates_words(void **state)
{
	struct toks ts;

	(void)state;
	ts = tokenize("ab\xFF" "cd\xC3" "ef \xE2\x82");
	assert_int_equal(ts.n, 3);
	assert_string_equal(ts.t[0].term, "ab");
	assert_string_equal(ts.t[1].term, "cd");
	assert_string_equal(ts.t[2].term, "ef");
	assert_int_equal(ts.t[1].start, 3);
	assert_int_equal(ts.t[1].end, 5);
}

static void test_non_latin_scripts_are_words(void **state)
{
	struct toks ts;

	(void)state;
	ts = tokenize("Привет мир 東京 ΣΟΦΙΑ");
	assert_int_equal(ts.n, 4);
	assert_string_equal(ts.t[3].term, term("σοφια"));
}

static void test_emit_can_stop_the_walk(void **state)
{
	struct toks ts = { .stop_after = 2 };
	const char *text = "eins zwei drei vier";

	(void)state;
	assert_int_equal(terms_tokenize(T, text, strlen(text), collect, &ts), 7);
	assert_int_equal(ts.n, 2);
	ts = tokenize("  ,;. ");
	assert_int_equal(ts.n, 0);
	ts = tokenize("");
	assert_int_equal(ts.n, 0);
}

/* ---- stop words --------------------------------------------------------------------------------- */

/* The function words a visitor types, as typed. Each must be dropped from a query. */
static const char *const stop_surface[] = {
	"der", "die", "das", "des", "dem", "den", "ein", "eine", "einer", "eines", "einem", "einen", "kein",
	"keine", "keiner", "keines", "keinem", "keinen", "ich", "du", "er", "sie", "es", "wir", "ihr",
	"mich", "dich", "sich", "uns", "euch", "mir", "dir", "ihm", "ihn", "ihnen", "man", "mein", "meine",
	"meiner", "meines", "meinem", "meinen", "dein", "deine", "deiner", "deines", "deinem", "deinen",
	"sein", "seine", "seiner", "seines", "seinem", "seinen", "ihre", "ihrer", "ihres", "ihrem", "ihren",
	"unser", "unsere", "unserer", "unseres", "unserem", "unseren", "euer", "eure", "eurer", "eures",
	"eurem", "euren", "dies", "diese", "dieser", "dieses", "diesem", "diesen", "jener", "jene", "jenes",
	"selbst", "jemand", "etwas", "nichts", "bin", "bist", "ist", "sind", "seid", "war", "waren", "warst",
	"wart", "gewesen", "sei", "habe", "hast", "hat", "haben", "habt", "hatte", "hatten", "hätte",
	"hätten", "wird", "werde", "wirst", "werden", "werdet", "wurde", "wurden", "würde", "würden", "kann",
	"kannst", "können", "könnt", "konnte", "konnten", "könnte", "könnten", "muss", "musst", "müssen",
	"müsst", "musste", "müsste", "darf", "darfst", "dürfen", "dürft", "durfte", "dürfte", "soll",
	"sollst", "sollen", "sollt", "sollte", "sollten", "will", "willst", "wollen", "wollt", "wollte",
	"möchte", "möchten", "möchtest", "mag", "mögen", "gibt", "gab", "was", "wie", "wann", "wo", "woher",
	"wohin", "warum", "weshalb", "wieso", "wer", "wen", "wem", "wessen", "welche", "welcher", "welches",
	"welchem", "welchen", "wieviel", "an", "am", "auf", "aus", "bei", "beim", "bis", "durch", "für",
	"gegen", "hinter", "in", "im", "ins", "mit", "nach", "neben", "ohne", "über", "um", "unter", "von",
	"vom", "vor", "zu", "zum", "zur", "zwischen", "seit", "während", "trotz", "ab", "per", "pro", "laut",
	"gemäß", "innerhalb", "außerhalb", "statt", "und", "oder", "aber", "denn", "sondern", "dass", "daß",
	"ob", "wenn", "weil", "als", "also", "sowie", "sowohl", "noch", "doch", "jedoch", "damit", "auch",
	"nur", "schon", "sehr", "so", "ja", "nein", "nicht", "hier", "dort", "da", "dann", "jetzt", "mal",
	"bitte", "gerne", "gern", "eigentlich", "etwa", "ganz", "wirklich", "mehr", "viel", "viele", "a",
	"an", "the", "this", "that", "these", "those", "i", "you", "he", "she", "it", "we", "they", "me",
	"him", "her", "us", "them", "my", "your", "his", "its", "our", "their", "mine", "yours", "is", "are",
	"was", "were", "be", "been", "being", "am", "have", "has", "had", "do", "does", "did", "done",
	"will", "would", "can", "could", "shall", "should", "might", "must", "what", "how", "when", "where",
	"which", "who", "whom", "whose", "why", "of", "in", "on", "at", "by", "for", "with", "from", "to",
	"into", "onto", "about", "over", "under", "between", "through", "during", "before", "after", "above",
	"below", "up", "down", "out", "than", "then", "and", "or", "but", "if", "because", "as", "so",
	"not", "no", "nor", "too", "very", "just", "also", "please", "there", "here", "any", "some", "all",
	"each", "every", "both", "either", "neither", "other", "such", "only", "own", "same", "few", "more",
	"most", "s", "t", "d", "ll", "re", "ve", "m", "don", "doesn", "didn", "isn", "aren", "wasn", "weren",
	"haven", "hasn", "won", "wouldn", "can", "cannot", "couldn", "shouldn", "wofür", "womit", "wozu",
	"worauf", "worüber", "wodurch", "je", "jeder", "jede", "jedem", "jeden", "jedes", "alle", "allen",
	"aller", "alles", "gibts", "könntet", "würdet", "bzw", "usw", "etc", "ggf", "evtl", "ca", "much",
	"many",
};

static void test_function_words_are_stop_words(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof stop_surface / sizeof stop_surface[0]; i++) {
		const char *t = term(stop_surface[i]);

		if (!terms_is_stopword(t, strlen(t)))
			fail_msg("\"%s\" (term \"%s\") is not a stop word", stop_surface[i], t);
	}
	/* upper case, umlauts spelled out: the same terms */
	assert_true(terms_is_stopword(term("FÜR"), strlen(term("FÜR"))));
	assert_true(terms_is_stopword(term("Fuer"), strlen(term("Fuer"))));
	assert_true(terms_is_stopword(term("Können"), strlen(term("Können"))));
	assert_true(terms_is_stopword(term("Koennt"), strlen(term("Koennt"))));
}

/* Every entry of the table is what some surface word above normalises to: an entry in any other form
 * (say "für" instead of "fuer") could never match. */
static void test_stop_table_holds_normalised_terms(void **state)
{
	size_t n = sizeof stopwords / sizeof stopwords[0];

	(void)state;
	for (size_t k = 0; k < n; k++) {
		bool found = false;

		for (size_t i = 0; i < sizeof stop_surface / sizeof stop_surface[0] && !found; i++)
			found = strcmp(term(stop_surface[i]), stopwords[k]) == 0;
		if (!found)
			fail_msg("stop word \"%s\" is not the term of any listed word", stopwords[k]);
		if (k > 0 && strcmp(stopwords[k - 1], stopwords[k]) >= 0)
			fail_msg("stop words out of order at \"%s\"", stopwords[k]);
	}
}

static void test_content_words_are_not_stop_words(void **state)
{
	static const char *const content[] = {
		"Preise", "Öffnungszeiten", "Kurs", "Termin", "Probetraining", "Parkplatz", "Sauna", "Straße",
		"Weg", "Euro", "Mai", "May", "Fall", "offen", "geöffnet", "kostet", "2026", "price",
		"opening", "hours", "parking",
	};

	(void)state;
	for (size_t i = 0; i < sizeof content / sizeof content[0]; i++) {
		const char *t = term(content[i]);

		if (terms_is_stopword(t, strlen(t)))
			fail_msg("\"%s\" should not be a stop word", content[i]);
	}
	assert_false(terms_is_stopword("", 0));
	assert_false(terms_is_stopword("zzzz", 4));
	assert_false(terms_is_stopword("de", 2));  /* prefix of "dein" */
	assert_false(terms_is_stopword("deins", 5)); /* "dein" is a prefix of it */
}

/* ---- threads ------------------------------------------------------------------------------------ */

struct worker {
	pthread_barrier_t *hold; /* when set: met once when the work is done, again before exiting */
	char result[256];
};

static void *work(void *p)
{
	struct worker *w = p;
	const char *text = "Die Öffnungszeiten der Straße in München";
	struct toks ts = { 0 };

	for (int round = 0; round < 200; round++) {
		ts.n = 0;
		if (terms_tokenize(T, text, strlen(text), collect, &ts) != 0)
			return NULL;
	}
	w->result[0] = '\0';
	for (int i = 0; i < ts.n; i++) {
		strcat(w->result, ts.t[i].term);
		strcat(w->result, " ");
	}
	if (w->hold) {
		pthread_barrier_wait(w->hold);
		pthread_barrier_wait(w->hold);
	}
	return NULL;
}

static void test_threads_get_the_same_terms(void **state)
{
	pthread_t th[4];
	struct worker w[4] = { 0 };
	struct worker mine = { 0 };

	(void)state;
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
	work(&mine);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_string_equal(w[i].result, mine.result);
	}
	assert_string_equal(mine.result, "die oeffnungszeit der strass in muench ");
}

/* terms_free deletes the stemmers of threads that are still running (LeakSanitizer would report them
 * otherwise), and such a thread exits cleanly afterwards. */
static void test_free_while_a_thread_is_alive(void **state)
{
	struct terms *saved = T;
	pthread_barrier_t hold;
	struct worker w = { .hold = &hold };
	pthread_t th;

	(void)state;
	assert_int_equal(pthread_barrier_init(&hold, NULL, 2), 0);
	T = terms_new();
	assert_non_null(T);
	assert_int_equal(pthread_create(&th, NULL, work, &w), 0);
	pthread_barrier_wait(&hold); /* the thread is done with T but alive, its stemmer still made */
	assert_non_null(T->slots);
	assert_non_null(T->slots->next);
	terms_free(T);
	T = saved;
	pthread_barrier_wait(&hold); /* now let it exit */
	assert_int_equal(pthread_join(th, NULL), 0);
	pthread_barrier_destroy(&hold);
	assert_string_equal(w.result, "die oeffnungszeit der strass in muench ");
}

static void test_fold_word_keeps_the_spelling(void **state)
{
	(void)state;
	struct terms *t = T;
	char out[TERMS_WORD_MAX + 1];
	assert_int_equal(terms_fold_word(t, "Öffnungszeiten", strlen("Öffnungszeiten"), out), 15);
	assert_string_equal(out, "oeffnungszeiten"); /* folded, not stemmed */
	assert_int_equal(terms_fold_word(t, "Straße", strlen("Straße"), out), 7);
	assert_string_equal(out, "strasse");
	assert_int_equal(terms_fold_word(t, "10er", 4, out), 0); /* words with digits are not split or corrected */
	assert_int_equal(terms_fold_word(t, "!!", 2, out), 0);
}

static void test_synonym_groups(void **state)
{
	(void)state;
	struct terms *t = T;
	const struct synonyms *def = terms_synonyms(t);
	const char *out[16];
	char term[TERMS_WORD_MAX + 1];
	size_t n = terms_normalize_word(t, "Rabatt", 6, term);
	bool found = false;
	int k = synonyms_of(def, term, n, out, 16); /* the embedded file is there and parsed */
	for (int i = 0; i < k; i++)
		found = found || strcmp(out[i], "ermaess") == 0; /* "Ermäßigung" */
	assert_true(found);

	struct synonyms *s = synonyms_new(t, "# comment\nPreis, Preise, kostet # forms meet\nE-Mail, Mail\nAuto, Wagen\nallein\n");
	assert_non_null(s);
	n = terms_normalize_word(t, "Preise", 6, term);
	k = synonyms_of(s, term, n, out, 16);
	assert_int_equal(k, 1); /* "Preis" and "Preise" are one term; "E-Mail" (two terms) is skipped */
	assert_string_equal(out[0], "kostet");
	n = terms_normalize_word(t, "Mail", 4, term);
	assert_int_equal(synonyms_of(s, term, n, out, 16), 0);
	n = terms_normalize_word(t, "Wagen", 5, term);
	assert_int_equal(synonyms_of(s, term, n, out, 16), 1);
	assert_int_equal(synonyms_of(s, "allein", 6, out, 16), 0); /* a group of one is none */
	synonyms_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sharp_s_folds_to_ss),
		cmocka_unit_test(test_umlauts_meet_their_spelled_out_forms),
		cmocka_unit_test(test_other_diacritics_are_dropped),
		cmocka_unit_test(test_stemming_joins_inflections),
		cmocka_unit_test(test_words_with_digits_are_kept_as_they_are),
		cmocka_unit_test(test_long_words_are_skipped),
		cmocka_unit_test(test_normalize_word_edge_cases),
		cmocka_unit_test(test_tokenize_reports_terms_and_offsets),
		cmocka_unit_test(test_apostrophes_and_hyphens_split_words),
		cmocka_unit_test(test_invalid_utf8_separates_words),
		cmocka_unit_test(test_non_latin_scripts_are_words),
		cmocka_unit_test(test_emit_can_stop_the_walk),
		cmocka_unit_test(test_function_words_are_stop_words),
		cmocka_unit_test(test_stop_table_holds_normalised_terms),
		cmocka_unit_test(test_content_words_are_not_stop_words),
		cmocka_unit_test(test_threads_get_the_same_terms),
		cmocka_unit_test(test_free_while_a_thread_is_alive),
		cmocka_unit_test(test_fold_word_keeps_the_spelling),
		cmocka_unit_test(test_synonym_groups),
	};

	return cmocka_run_group_tests_name("terms", tests, setup, teardown);
}
