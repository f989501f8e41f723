/*
 * test_answer.c — unit tests for src/rag/answer.c: replies built from a bot's passages without an LLM.
 *
 * The store is a fake made here: a `struct store` whose ops table has only chunk_search, answering from
 * a few canned chunks. It matches words the way the real backends do (each word and each chunk through
 * the same terms normalisation), so "Strasse" finds "Straße" here for the same reason it does there.
 * The real SQLite and PostgreSQL searches are tested with the store.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rag/answer.h"
#include "rag/chunk.h"
#include "store/store_int.h"

/* ---- the fake store ----------------------------------------------------------------------------- */

struct fake_chunk {
	const char *title, *heading, *text;
};

struct fake_store {
	struct store base; /* first, so a struct store * is a struct fake_store * */
	struct terms *terms;
	const struct fake_chunk *chunks;
	int nchunks;
	int fail;       /* a store_rc to return instead of searching; 0 to search */
	int calls;      /* chunk_search calls */
	int min_match;  /* of the last call */
	int limit;      /* the last call's limit */
	int nwords;     /* the last call's words */
	char words[STORE_SEARCH_MAX_WORDS][128];
};

struct has_term {
	const char *term;
	bool found;
};

static int find_term(void *ud, const char *term, size_t len, size_t start, size_t end)
{
	struct has_term *h = ud;

	(void)start;
	(void)end;
	if (strlen(h->term) == len && memcmp(h->term, term, len) == 0)
		h->found = true;
	return 0;
}

static bool chunk_has(struct terms *t, const struct fake_chunk *c, const char *term)
{
	struct has_term h = { .term = term };

	terms_tokenize(t, c->heading, strlen(c->heading), find_term, &h);
	terms_tokenize(t, c->text, strlen(c->text), find_term, &h);
	return h.found;
}

static char *dup(const char *s)
{
	char *p = strdup(s);

	assert_non_null(p);
	return p;
}

static int fake_search(struct store *st, const char *tenant_id, const char *bot_id, const char *const *words,
		       int nwords, int min_match, int limit, struct store_hit *hits, int *n)
{
	struct fake_store *fs = (struct fake_store *)st;
	uint32_t matched[16] = { 0 };
	int order[16], count = 0;

	assert_string_equal(tenant_id, "ten_1");
	assert_string_equal(bot_id, "bot_1");
	assert_true(nwords > 0 && nwords <= STORE_SEARCH_MAX_WORDS);
	fs->calls++;
	fs->limit = limit;
	fs->nwords = nwords;
	fs->min_match = min_match;
	for (int i = 0; i < nwords; i++)
		snprintf(fs->words[i], sizeof fs->words[i], "%s", words[i]);
	if (fs->fail)
		return fs->fail;

	assert_true(fs->nchunks <= 16);
	for (int c = 0; c < fs->nchunks; c++) {
		for (int i = 0; i < nwords; i++) {
			char term[TERMS_WORD_MAX + 1];

			if (terms_normalize_word(fs->terms, words[i], strlen(words[i]), term) > 0 &&
			    chunk_has(fs->terms, &fs->chunks[c], term))
				matched[c] |= (uint32_t)1 << i;
		}
		if (matched[c] && __builtin_popcount(matched[c]) >= (min_match > 1 ? min_match : 1))
			order[count++] = c;
	}
	/* rank: more words first, then chunk order */
	for (int i = 1; i < count; i++) {
		for (int j = i; j > 0; j--) {
			int tmp = order[j];

			if (__builtin_popcount(matched[tmp]) <= __builtin_popcount(matched[order[j - 1]]))
				break;
			order[j] = order[j - 1];
			order[j - 1] = tmp;
		}
	}
	if (count > limit)
		count = limit;
	for (int i = 0; i < count; i++) {
		const struct fake_chunk *c = &fs->chunks[order[i]];

		hits[i] = (struct store_hit){
			.chunk_id = order[i] + 1,
			.title = dup(c->title),
			.heading = dup(c->heading),
			.text = dup(c->text),
			.rank = (double)(count - i),
			.matched = matched[order[i]],
		};
	}
	*n = count;
	return STORE_OK;
}

static const struct store_ops fake_ops = {
	.name = "fake",
	.chunk_search = fake_search,
};

static const struct fake_chunk studio[] = {
	{ "Preise", "Kurse",
	  "Ein Probetraining ist kostenlos und dauert etwa 60 Minuten. Ein Kurs kostet 29,90 € im Monat, "
	  "z. B. Yoga oder Pilates. Die Mitgliedschaft kostet 49 € im Monat." },
	{ "Studio", "Öffnungszeiten",
	  "Wir haben Mo. bis Fr. von 6.30 Uhr bis 22 Uhr geöffnet. Am Wochenende öffnen wir um 8 Uhr. "
	  "An Feiertagen ist geschlossen." },
	{ "Studio", "Anfahrt",
	  "Sie finden uns in der Lindenallee 4. Die Straße ist eine Sackgasse. Parken Sie bitte am Anfang "
	  "der Straße." },
	{ "Wellness", "", "Unsere Sauna ist täglich ab 14 Uhr offen." },
	{ "Wellness", "Extras", "Das Solarium kostet 5 € pro Sitzung." },
};

static struct terms *T;
static struct fake_store FS;

static const struct answer_bot BOT_DE = {
	.tenant_id = "ten_1",
	.bot_id = "bot_1",
	.name = "FitWerk Studio",
	.language = "de",
	.response_style = "professional",
	.fallback_message = "Dazu weiß ich leider nichts – ich frage im Team nach.",
};

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

/* Resets the fake to answer from `chunks` before each test. */
static int use_studio(void **state)
{
	(void)state;
	memset(&FS, 0, sizeof FS);
	FS.base.ops = &fake_ops;
	FS.terms = T;
	FS.chunks = studio;
	FS.nchunks = (int)(sizeof studio / sizeof studio[0]);
	return 0;
}

static struct answer ask(const struct answer_bot *bot, const char *question)
{
	struct answer a;

	assert_int_equal(answer_question(T, &FS.base, bot, question, &a), 0);
	assert_non_null(a.text);
	return a;
}

static size_t chars(const char *s)
{
	size_t k = 0;

	for (; *s; s++)
		k += ((unsigned char)*s & 0xC0) != 0x80;
	return k;
}

/* Every sentence of the reply is copied from one of the canned chunks: nothing invented. */
static void assert_made_of_passages(const char *text)
{
	size_t len = strlen(text), pos = 0;

	while (pos < len) {
		size_t end;
		bool found = false;

		while (pos < len && (text[pos] == ' ' || text[pos] == '\n'))
			pos++;
		if (pos >= len)
			break;
		end = chunk_sentence_end(text, len, pos);
		for (int c = 0; c < FS.nchunks && !found; c++) {
			const char *passage = FS.chunks[c].text;

			found = memmem(passage, strlen(passage), text + pos, end - pos) != NULL;
		}
		if (!found)
			fail_msg("sentence not from a passage: \"%.*s\"", (int)(end - pos), text + pos);
		pos = end;
	}
}

/* ---- greetings and thanks ----------------------------------------------------------------------- */

static void test_greetings_in_german(void **state)
{
	static const char *const msgs[] = {
		"Hallo", "Hallo!", "hallo :)", "Guten Morgen", "guten Tag!", "Guten Abend", "Moin moin",
		"Servus", "Grüß Gott", "Hi", "Hey", "Hallöchen", "Hallo, wie geht's?",
		"Guten Tag, ich habe eine Frage",
	};
	struct answer_bot du = BOT_DE;

	(void)state;
	du.response_style = "friendly";
	for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
		struct answer a = ask(&BOT_DE, msgs[i]);

		if (a.type != ANSWER_GREETING)
			fail_msg("\"%s\" is not taken for a greeting", msgs[i]);
		assert_false(a.unanswered);
		assert_int_equal(a.nsources, 0);
		assert_non_null(strstr(a.text, "FitWerk Studio"));
		assert_non_null(strstr(a.text, "Ihnen"));
		answer_clear(&a);

		a = ask(&du, msgs[i]);
		assert_int_equal(a.type, ANSWER_GREETING);
		assert_non_null(strstr(a.text, "dich"));
		assert_null(strstr(a.text, "Ihnen"));
		answer_clear(&a);
	}
	assert_int_equal(FS.calls, 0); /* a greeting is not a search */
}

static void test_greetings_in_english(void **state)
{
	static const char *const msgs[] = {
		"Hello", "Hi there!", "Good morning", "good evening", "hey", "Howdy",
	};
	struct answer_bot en = BOT_DE;

	(void)state;
	en.language = "en";
	for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
		struct answer a = ask(&en, msgs[i]);

		if (a.type != ANSWER_GREETING)
			fail_msg("\"%s\" is not taken for a greeting", msgs[i]);
		assert_non_null(strstr(a.text, "FitWerk Studio"));
		assert_non_null(strstr(a.text, "help"));
		answer_clear(&a);
	}
	en.name = NULL;
	{
		struct answer a = ask(&en, "Hello");

		assert_int_equal(a.type, ANSWER_GREETING);
		assert_null(strstr(a.text, "(null)"));
		answer_clear(&a);
	}
}

static void test_thanks_in_both_languages(void **state)
{
	static const char *const de[] = {
		"Danke", "Danke!", "Vielen Dank", "Danke schön", "Dankeschön", "Super, danke!", "Tschüss",
		"Ok, danke", "Hallo und danke", "Herzlichen Dank!",
	};
	static const char *const en[] = {
		"Thanks!", "Thank you", "thank you very much", "thx", "Bye", "Great, thanks",
	};
	struct answer_bot bot = BOT_DE;

	(void)state;
	for (size_t i = 0; i < sizeof de / sizeof de[0]; i++) {
		struct answer a = ask(&bot, de[i]);

		if (a.type != ANSWER_THANKS)
			fail_msg("\"%s\" is not taken for thanks", de[i]);
		assert_false(a.unanswered);
		assert_non_null(strstr(a.text, "Gern geschehen"));
		answer_clear(&a);
	}
	bot.language = "en";
	for (size_t i = 0; i < sizeof en / sizeof en[0]; i++) {
		struct answer a = ask(&bot, en[i]);

		if (a.type != ANSWER_THANKS)
			fail_msg("\"%s\" is not taken for thanks", en[i]);
		assert_non_null(strstr(a.text, "welcome"));
		answer_clear(&a);
	}
	assert_int_equal(FS.calls, 0);
}

static void test_polite_words_do_not_hide_a_question(void **state)
{
	struct answer a;

	(void)state;
	a = ask(&BOT_DE, "Hallo, was kostet das Probetraining? Danke!");
	assert_int_equal(a.type, ANSWER_EXTRACTIVE);
	assert_int_equal(FS.nwords, 2); /* "Hallo" and "Danke" are not searched for */
	assert_int_equal(FS.min_match, 1); /* half of two words, at the default min_score 0.5 */
	assert_string_equal(FS.words[0], "kostet");
	assert_string_equal(FS.words[1], "Probetraining");
	assert_int_equal(FS.limit, 5);
	assert_non_null(strstr(a.text, "Ein Probetraining ist kostenlos und dauert etwa 60 Minuten."));
	answer_clear(&a);

	/* a greeting word inside a question is a word of the question */
	a = ask(&BOT_DE, "Ist am Tag der offenen Tür die Sauna offen?");
	assert_int_equal(a.type, ANSWER_EXTRACTIVE);
	assert_string_equal(FS.words[0], "Tag");
	answer_clear(&a);
}

/* ---- fallback ----------------------------------------------------------------------------------- */

static void test_fallback_when_nothing_matches(void **state)
{
	struct answer a;

	(void)state;
	a = ask(&BOT_DE, "Habt ihr einen Parkplatz für Wohnmobile?");
	assert_int_equal(a.type, ANSWER_FALLBACK);
	assert_true(a.unanswered);
	assert_string_equal(a.text, BOT_DE.fallback_message);
	assert_int_equal(a.nsources, 0);
	assert_int_equal(FS.calls, 1);
	answer_clear(&a);
}

static void test_fallback_without_content_words(void **state)
{
	static const char *const msgs[] = { "???", "Was ist das?", "Wie kann ich?", "…", "Und?" };

	(void)state;
	for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
		struct answer a = ask(&BOT_DE, msgs[i]);

		assert_int_equal(a.type, ANSWER_FALLBACK);
		assert_true(a.unanswered);
		assert_string_equal(a.text, BOT_DE.fallback_message);
		answer_clear(&a);
	}
	assert_int_equal(FS.calls, 0);
}

static void test_default_fallback_in_the_bots_language(void **state)
{
	struct answer_bot bot = BOT_DE;
	struct answer a;

	(void)state;
	bot.fallback_message = NULL;
	a = ask(&bot, "Parkplatz?");
	assert_int_equal(a.type, ANSWER_FALLBACK);
	assert_true(a.unanswered);
	assert_non_null(strstr(a.text, "Ihre Frage"));
	answer_clear(&a);
	bot.fallback_message = "";
	bot.language = "en";
	a = ask(&bot, "Parking?");
	assert_non_null(strstr(a.text, "your question"));
	answer_clear(&a);
}

static void test_coverage_below_min_score_falls_back(void **state)
{
	struct answer_bot strict = BOT_DE;
	struct answer a;

	(void)state;
	/* two content words, one found: coverage 0.5 meets the default */
	a = ask(&BOT_DE, "Was kostet ein Parkplatz?");
	assert_int_equal(a.type, ANSWER_EXTRACTIVE);
	assert_int_equal(a.nsources, 2);
	assert_true(a.sources[0].score == 0.5);
	answer_clear(&a);
	/* three content words, one found: 0.33 */
	a = ask(&BOT_DE, "Was kostet ein Parkplatz im Winter?");
	assert_int_equal(a.type, ANSWER_FALLBACK);
	assert_true(a.unanswered);
	answer_clear(&a);
	/* the bot's own threshold */
	strict.min_score = 0.6;
	a = ask(&strict, "Was kostet ein Parkplatz?");
	assert_int_equal(a.type, ANSWER_FALLBACK);
	answer_clear(&a);
}

static void test_store_failure_is_passed_on(void **state)
{
	struct answer a;

	(void)state;
	FS.fail = STORE_ERROR;
	assert_int_equal(answer_question(T, &FS.base, &BOT_DE, "Was kostet ein Kurs?", &a), STORE_ERROR);
	assert_null(a.text);
	assert_int_equal(a.nsources, 0);
	answer_clear(&a); /* harmless on a cleared answer */
}

/* ---- extractive answers ------------------------------------------------------------------------- */

static void test_answer_is_sentences_of_the_best_passage(void **state)
{
	struct answer a;

	(void)state;
	a = ask(&BOT_DE, "Was kostet ein Kurs?");
	assert_int_equal(a.type, ANSWER_EXTRACTIVE);
	assert_false(a.unanswered);
	/* the abbreviation and the price stay inside their sentence */
	assert_non_null(strstr(a.text, "Ein Kurs kostet 29,90 € im Monat, z. B. Yoga oder Pilates."));
	assert_made_of_passages(a.text);
	assert_true(a.nsources >= 1);
	assert_string_equal(a.sources[0].title, "Preise – Kurse");
	assert_true(a.sources[0].score == 1.0);
	assert_string_equal(a.sources[0].snippet, studio[0].text);
	answer_clear(&a);

	/* the matching sentence is short (under 60 characters), so the next one comes along */
	a = ask(&BOT_DE, "Wann habt ihr geöffnet?");
	assert_string_equal(a.text, "Wir haben Mo. bis Fr. von 6.30 Uhr bis 22 Uhr geöffnet. "
				    "Am Wochenende öffnen wir um 8 Uhr.");
	assert_string_equal(a.sources[0].title, "Studio – Öffnungszeiten");
	answer_clear(&a);
}

static void test_spellings_meet(void **state)
{
	struct answer a;

	(void)state;
	a = ask(&BOT_DE, "Ist die Strasse eine Sackgasse?");
	assert_int_equal(a.type, ANSWER_EXTRACTIVE);
	assert_non_null(strstr(a.text, "Die Straße ist eine Sackgasse."));
	assert_true(a.sources[0].score == 1.0);
	answer_clear(&a);

	/* matched in the heading only: the passage opens the answer */
	a = ask(&BOT_DE, "OEFFNUNGSZEITEN");
	assert_int_equal(a.type, ANSWER_EXTRACTIVE);
	assert_non_null(strstr(a.text, "6.30 Uhr"));
	assert_made_of_passages(a.text);
	answer_clear(&a);

	a = ask(&BOT_DE, "KURSE?");
	assert_int_equal(a.type, ANSWER_EXTRACTIVE);
	assert_string_equal(a.sources[0].title, "Preise – Kurse");
	answer_clear(&a);
}

static void test_second_passage_adds_what_the_first_lacks(void **state)
{
	struct answer a;

	(void)state;
	a = ask(&BOT_DE, "Sauna und Solarium?");
	assert_int_equal(a.type, ANSWER_EXTRACTIVE);
	assert_string_equal(a.text,
			    "Unsere Sauna ist täglich ab 14 Uhr offen. Das Solarium kostet 5 € pro Sitzung.");
	assert_int_equal(a.nsources, 2);
	assert_string_equal(a.sources[0].title, "Wellness");
	assert_string_equal(a.sources[1].title, "Wellness – Extras");
	assert_true(a.sources[1].score == 0.5);
	answer_clear(&a);
}

static void test_sources_best_first_deduplicated_and_capped(void **state)
{
	static const struct fake_chunk many[] = {
		{ "FAQ", "Kurse", "Yoga und Zumba gibt es montags." },
		{ "FAQ", "Kurse", "Yoga und Pilates gibt es dienstags." },
		{ "FAQ", "Pilates", "Pilates und Yoga und Zumba gibt es mittwochs." },
		{ "Plan", "", "Yoga und Zumba am Donnerstag." },
		{ "Plan", "Wochenende", "Pilates und Zumba am Samstag." },
	};
	struct answer a;

	(void)state;
	FS.chunks = many;
	FS.nchunks = (int)(sizeof many / sizeof many[0]);
	a = ask(&BOT_DE, "Yoga, Pilates, Zumba?");
	assert_int_equal(a.type, ANSWER_EXTRACTIVE);
	assert_int_equal(a.nsources, ANSWER_MAX_SOURCES);
	assert_string_equal(a.sources[0].title, "FAQ – Pilates");
	assert_true(a.sources[0].score == 1.0);
	/* the two "FAQ – Kurse" chunks (both 0.67) make one source */
	assert_string_equal(a.sources[1].title, "FAQ – Kurse");
	assert_true(a.sources[1].score == 0.67);
	assert_string_equal(a.sources[2].title, "Plan");
	assert_true(a.sources[2].score == 0.67);
	answer_clear(&a);

	a = ask(&BOT_DE, "Yoga oder Pilates");
	assert_string_equal(a.sources[0].title, "FAQ – Kurse");
	assert_true(a.sources[0].score == 1.0);
	assert_string_equal(a.sources[1].title, "FAQ – Pilates");
	for (int i = 0; i < a.nsources; i++)
		for (int k = 0; k < i; k++)
			assert_string_not_equal(a.sources[i].title, a.sources[k].title);
	answer_clear(&a);
}

static void test_snippet_is_cut_around_the_match(void **state)
{
	static const char *const sentences[] = {
		"Unser Studio liegt zentral und ist gut erreichbar.",
		"Es gibt viele Geräte für Kraft und Ausdauer.",
		"Die Trainer helfen gern bei der Einweisung.",
		"Wir legen Wert auf Sauberkeit und Ordnung.",
		"Die Umkleiden wurden letztes Jahr renoviert.\n\nFür Kinder gibt es eine Spielecke.",
		"Das Kletterwand-Training findet jeden Mittwoch statt und ist für alle Mitglieder frei.",
		"Eine Anmeldung ist nicht nötig.",
		"Bitte bringen Sie eigene Schuhe mit.",
		"Getränke gibt es an der Theke.",
		"Handtücher können geliehen werden.",
		"Parkplätze sind vor dem Haus.",
	};
	static char text[2048];
	static struct fake_chunk one[1];
	char flat[2048]; /* the text as a snippet shows it: whitespace runs made one space */
	size_t k = 0, n;
	struct answer a;
	const char *s;

	(void)state;
	for (size_t i = 0; i < sizeof sentences / sizeof sentences[0]; i++)
		k += (size_t)snprintf(text + k, sizeof text - k, "%s%s", i ? " " : "", sentences[i]);
	k = 0;
	for (const char *p = text; *p; p++)
		if (*p != '\n' || p[1] != '\n')
			flat[k++] = *p == '\n' ? ' ' : *p;
	flat[k] = '\0';
	one[0] = (struct fake_chunk){ "Studio", "Über uns", text };
	FS.chunks = one;
	FS.nchunks = 1;

	a = ask(&BOT_DE, "Wann ist Kletterwand-Training?");
	assert_int_equal(a.type, ANSWER_EXTRACTIVE);
	assert_int_equal(a.nsources, 1);
	s = a.sources[0].snippet;
	n = strlen(s);
	assert_true(chars(s) <= 240);
	assert_true(strncmp(s, "…", strlen("…")) == 0);                      /* text left out before */
	assert_true(n > strlen("…") && strcmp(s + n - strlen("…"), "…") == 0); /* and after */
	assert_non_null(strstr(s, "Kletterwand-Training"));
	assert_null(strchr(s, '\n'));
	{
		/* whole words: between the ellipses is a run of the passage that starts and ends at spaces */
		const char *body = s + strlen("…");
		size_t blen = n - 2 * strlen("…");
		const char *at = memmem(flat, strlen(flat), body, blen);

		assert_non_null(at);
		assert_true(at > flat && at[-1] == ' ');
		assert_true(at[blen] == ' ');
	}
	answer_clear(&a);
}

static void test_answer_stays_short(void **state)
{
	static char text[8192];
	static struct fake_chunk one[1];
	struct answer a;
	size_t k = 0;

	(void)state;
	for (int i = 0; i < 40; i++)
		k += (size_t)snprintf(text + k, sizeof text - k,
				      "Der Yoga-Kurs Nummer %d findet im Raum %d statt. ", i + 1, i + 1);
	one[0] = (struct fake_chunk){ "Kurse", "", text };
	FS.chunks = one;
	FS.nchunks = 1;
	a = ask(&BOT_DE, "Yoga");
	assert_int_equal(a.type, ANSWER_EXTRACTIVE);
	assert_true(chars(a.text) <= 500);
	assert_true(chars(a.text) > 300);
	assert_true(strncmp(a.text, "Der Yoga-Kurs Nummer 1 findet", 29) == 0); /* document order */
	assert_made_of_passages(a.text);
	answer_clear(&a);
}

static void test_search_words_are_deduplicated_and_capped(void **state)
{
	char q[1024];
	size_t k = 0;
	struct answer a;

	(void)state;
	a = ask(&BOT_DE, "Preise PREISE Preis preise?");
	assert_int_equal(FS.nwords, 1);
	assert_string_equal(FS.words[0], "Preise");
	answer_clear(&a);

	for (int i = 0; i < 40; i++)
		k += (size_t)snprintf(q + k, sizeof q - k, "Wort%c%c ", 'a' + i / 26, 'a' + i % 26);
	a = ask(&BOT_DE, q);
	assert_int_equal(FS.nwords, STORE_SEARCH_MAX_WORDS);
	assert_int_equal(FS.min_match, STORE_SEARCH_MAX_WORDS / 2); /* only chunks that can pass are asked for */
	assert_int_equal(a.type, ANSWER_FALLBACK);
	answer_clear(&a);
}

static void test_answer_type_names(void **state)
{
	(void)state;
	assert_string_equal(answer_type_name(ANSWER_EXTRACTIVE), "extractive");
	assert_string_equal(answer_type_name(ANSWER_GREETING), "greeting");
	assert_string_equal(answer_type_name(ANSWER_THANKS), "thanks");
	assert_string_equal(answer_type_name(ANSWER_FALLBACK), "fallback");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_greetings_in_german, use_studio),
		cmocka_unit_test_setup(test_greetings_in_english, use_studio),
		cmocka_unit_test_setup(test_thanks_in_both_languages, use_studio),
		cmocka_unit_test_setup(test_polite_words_do_not_hide_a_question, use_studio),
		cmocka_unit_test_setup(test_fallback_when_nothing_matches, use_studio),
		cmocka_unit_test_setup(test_fallback_without_content_words, use_studio),
		cmocka_unit_test_setup(test_default_fallback_in_the_bots_language, use_studio),
		cmocka_unit_test_setup(test_coverage_below_min_score_falls_back, use_studio),
		cmocka_unit_test_setup(test_store_failure_is_passed_on, use_studio),
		cmocka_unit_test_setup(test_answer_is_sentences_of_the_best_passage, use_studio),
		cmocka_unit_test_setup(test_spellings_meet, use_studio),
		cmocka_unit_test_setup(test_second_passage_adds_what_the_first_lacks, use_studio),
		cmocka_unit_test_setup(test_sources_best_first_deduplicated_and_capped, use_studio),
		cmocka_unit_test_setup(test_snippet_is_cut_around_the_match, use_studio),
		cmocka_unit_test_setup(test_answer_stays_short, use_studio),
		cmocka_unit_test_setup(test_search_words_are_deduplicated_and_capped, use_studio),
		cmocka_unit_test(test_answer_type_names),
	};

	return cmocka_run_group_tests_name("answer", tests, setup, teardown);
}
