/*
 * test_index.c — the in-memory index (src/rag/index.h) against the store it mirrors.
 *
 * A real SQLite store holds the knowledge; every search of plain words is run twice, through
 * store_chunk_search (FTS5) and through rag_index_search, and must return the same chunks with the same
 * `matched` masks. Words the knowledge writes differently (compound parts, typos, synonyms, "€") are
 * met by the index only (index.h says why), and tested on their own.
 * The cache must follow knowledge_version, keep tenants apart and step aside for bots that don't fit.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rag/answer.h"
#include "rag/index.h"
#include "rag/terms.h"
#include "store/store.h"

struct fx {
	char dir[64], path[96];
	struct terms *terms;
	struct store *st;
	int seq;
};

static const char *TENANT = "ten_aaaaaaaaaaaaaaaaaaaaaaaa";
static const char *OTHER = "ten_bbbbbbbbbbbbbbbbbbbbbbbb";
static const char *BOT = "bot_aaaaaaaaaaaaaaaaaaaaaaaa";

static const struct store_chunk_in KNOWLEDGE[] = {
	{"Preise", "Die Mitgliedschaft kostet 39 Euro im Monat. Studenten zahlen 29 Euro.", 0, NULL, 0},
	{"Preise > Sauna", "Die Sauna kostet 5 Euro extra pro Besuch.", 1, NULL, 0},
	{"Öffnungszeiten", "Montag bis Freitag von 6 bis 23 Uhr, Samstag und Sonntag 8 bis 20 Uhr.", 2, NULL, 0},
	{"Anfahrt", "Unser Studio liegt in der Hauptstraße 5. Parkplätze gibt es im Hof.", 3, NULL, 0},
	{"Kurse", "Yoga am Dienstag, Spinning am Mittwoch. Alle Kurse sind im Monat inklusive.", 4, NULL, 0},
	{"Kontakt", "Schreiben Sie eine E-Mail an info@fitwerk.example oder rufen Sie an.", 5, NULL, 0},
	{"Kündigung", "Die Mitgliedschaft kann mit einer Frist von einem Monat gekündigt werden.", 6, NULL, 0},
};
#define NKNOWLEDGE ((int)(sizeof KNOWLEDGE / sizeof KNOWLEDGE[0]))

static void add_source(struct fx *f, const struct store_chunk_in *chunks, int n)
{
	struct store_source s = {.kind = "text", .title = "Website", .status = "done", .chunks = n};
	snprintf(s.id, sizeof s.id, "src_%024d", ++f->seq);
	snprintf(s.bot_id, sizeof s.bot_id, "%s", BOT);
	s.created_at = s.updated_at = 1000 + f->seq;
	assert_int_equal(store_source_create(f->st, TENANT, &s, chunks, n), STORE_OK);
}

static int64_t bot_version(struct fx *f)
{
	struct store_bot b;
	assert_int_equal(store_bot_get(f->st, TENANT, BOT, &b), STORE_OK);
	int64_t v = b.knowledge_version;
	store_bot_clear(&b);
	return v;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	char err[256];
	assert_non_null(f);
	snprintf(f->dir, sizeof f->dir, "/tmp/botwerk-index-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
	f->terms = terms_new();
	assert_non_null(f->terms);
	struct store_opts o = {.url = f->path, .busy_timeout_ms = 2000, .tokenize = terms_tokenize,
			       .tokenize_ctx = f->terms};
	f->st = store_open(&o, err, sizeof err);
	if (!f->st)
		fail_msg("store_open: %s", err);
	assert_int_equal(store_tenant_create(f->st, TENANT, "T", 1), STORE_OK);
	assert_int_equal(store_tenant_create(f->st, OTHER, "O", 1), STORE_OK);
	struct store_bot b = {.name = "B", .config = "{}", .active = true, .created_at = 1, .updated_at = 1};
	snprintf(b.id, sizeof b.id, "%s", BOT);
	snprintf(b.tenant_id, sizeof b.tenant_id, "%s", TENANT);
	assert_int_equal(store_bot_create(f->st, &b), STORE_OK);
	add_source(f, KNOWLEDGE, NKNOWLEDGE);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];
	store_close(f->st);
	terms_free(f->terms);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", f->dir);
	free(f);
	return 0;
}

/* The same question through the store and the index: same chunks, same masks. */
static void assert_same(struct fx *f, const struct rag_index *ix, const char *const *words, int nwords, int min)
{
	struct store_hit a[16], b[16];
	int na = -1, nb = -1;
	assert_int_equal(store_chunk_search(f->st, TENANT, BOT, words, nwords, min, 16, a, &na), STORE_OK);
	assert_int_equal(rag_index_search(ix, f->terms, words, nwords, min, 16, b, &nb), STORE_OK);
	if (na != nb)
		fail_msg("\"%s\"… min %d: store found %d chunks, index %d", words[0], min, na, nb);
	for (int i = 0; i < na; i++) {
		int j = 0;
		while (j < nb && b[j].chunk_id != a[i].chunk_id)
			j++;
		if (j == nb)
			fail_msg("\"%s\"… min %d: chunk %lld missing from the index", words[0], min,
				 (long long)a[i].chunk_id);
		assert_int_equal(a[i].matched, b[j].matched);
		assert_string_equal(a[i].text, b[j].text);
		assert_string_equal(a[i].heading, b[j].heading);
		assert_string_equal(a[i].title, b[j].title);
	}
	for (int i = 0; i < na; i++)
		store_hit_clear(&a[i]);
	for (int i = 0; i < nb; i++)
		store_hit_clear(&b[i]);
}

static void test_index_agrees_with_the_store(void **state)
{
	struct fx *f = *state;
	int rc;
	struct rag_index *ix = rag_index_build(f->terms, f->st, TENANT, BOT, bot_version(f), &rc);
	assert_non_null(ix);

	const char *q1[] = {"Mitgliedschaft", "kostet", "Monat"};
	const char *q2[] = {"Hof"}; /* a plain word (compound parts are the index's own: see below) */
	const char *q3[] = {"Oeffnungszeiten", "Samstag"};
	const char *q4[] = {"E-Mail", "anrufen"};       /* a word of two terms */
	const char *q5[] = {"Sauna", "Euro", "Studenten", "Yoga"};
	const char *q6[] = {"Quantenphysik"};
	for (int min = 1; min <= 3; min++) {
		assert_same(f, ix, q1, 3, min);
		assert_same(f, ix, q3, 2, min);
		assert_same(f, ix, q4, 2, min);
		assert_same(f, ix, q5, 4, min);
	}
	assert_same(f, ix, q2, 1, 1);
	assert_same(f, ix, q6, 1, 1);
	rag_index_release(ix);
}

/* One word searched in the index must find a chunk holding `want`. */
static void assert_finds(struct fx *f, const struct rag_index *ix, const char *word, const char *want)
{
	const char *q[] = {word};
	struct store_hit h[8];
	int n = -1;
	bool found = false;
	assert_int_equal(rag_index_search(ix, f->terms, q, 1, 1, 8, h, &n), STORE_OK);
	for (int i = 0; i < n; i++) {
		found = found || strstr(h[i].text, want) != NULL;
		store_hit_clear(&h[i]);
	}
	if (!found)
		fail_msg("\"%s\" found no chunk holding \"%s\"", word, want);
}

static void test_index_meets_other_spellings(void **state)
{
	struct fx *f = *state;
	const struct store_chunk_in more[] = {
		{"Telefon", "Sie erreichen uns am Telefon unter der Nummer 040 123456.", 0, NULL, 0},
		{"Geräte", "Für Ihre Gesundheit: im Gesundheitsstudio stehen Geräte. Ein Probetraining ist frei.", 1, NULL, 0},
		{"Massage", "Klassische Massage, 30 Minuten: 34,00 €", 2, NULL, 0},
	};
	add_source(f, more, 3);
	int rc;
	struct rag_index *ix = rag_index_build(f->terms, f->st, TENANT, BOT, bot_version(f), &rc);
	assert_non_null(ix);
	assert_finds(f, ix, "Telefonnummer", "Telefon");   /* a compound the text does not use: its parts */
	assert_finds(f, ix, "Gesundheitsstudio", "Geräte"); /* as written */
	assert_finds(f, ix, "Probetrainig", "Probetraining"); /* one letter missing */
	assert_finds(f, ix, "Preis", "34,00");              /* a synonym, and "€" read as "Euro" */
	assert_finds(f, ix, "Studierende", "Studenten");    /* a synonym */

	assert_finds(f, ix, "Studio", "Gesundheitsstudio"); /* a part finds the compound in the text */
	/* parts of compounds whose other part the bot never uses alone (the store finds none of these) */
	assert_finds(f, ix, "Strasse", "Hauptstraße"); /* the last part of a compound in the text */
	assert_finds(f, ix, "Probe", "Probetraining"); /* the first part of a compound in the text */
	assert_finds(f, ix, "Saunatuch", "Sauna");     /* a question compound that begins with a known word */
	assert_finds(f, ix, "Bürotelefon", "Telefon"); /* … or ends with one */

	/* short unknown words are not corrected ("Spind" is not "sind"), nor split into stop words */
	const char *none[] = {"Spind", "Quantenphysik"};
	assert_int_equal(rag_index_absent_words(ix, f->terms, none, 2), 3u);
	rag_index_release(ix);
}

static void test_best_hit_first_and_limit(void **state)
{
	struct fx *f = *state;
	int rc, n = -1;
	struct rag_index *ix = rag_index_build(f->terms, f->st, TENANT, BOT, bot_version(f), &rc);
	assert_non_null(ix);
	const char *q[] = {"Sauna", "kostet"};
	struct store_hit h[2];
	assert_int_equal(rag_index_search(ix, f->terms, q, 2, 1, 2, h, &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_non_null(strstr(h[0].text, "Sauna")); /* both words beat one */
	assert_int_equal(h[0].matched, 3u);
	assert_true(h[0].rank >= h[1].rank);
	store_hit_clear(&h[0]);
	store_hit_clear(&h[1]);
	rag_index_release(ix);
}

/* A question prepared once answers both calls as the one-shot functions do. */
static void test_prepared_question(void **state)
{
	struct fx *f = *state;
	int rc, na = -1, nb = -1;
	struct rag_index *ix = rag_index_build(f->terms, f->st, TENANT, BOT, bot_version(f), &rc);
	assert_non_null(ix);
	const char *q[] = {"Sauna", "Quantenphysik", "kostet", "Studentenrabatt"};
	struct rag_query *pq = rag_query_new(ix, f->terms, q, 4);
	assert_non_null(pq);
	assert_int_equal(rag_query_absent(pq), rag_index_absent_words(ix, f->terms, q, 4));
	assert_true(rag_query_absent(pq) & 2u); /* "Quantenphysik" */
	struct store_hit a[8], b[8];
	assert_int_equal(rag_query_search(pq, 2, 8, a, &na), STORE_OK);
	assert_int_equal(rag_index_search(ix, f->terms, q, 4, 2, 8, b, &nb), STORE_OK);
	assert_int_equal(na, nb);
	assert_true(na > 0);
	for (int i = 0; i < na; i++) {
		assert_int_equal(a[i].chunk_id, b[i].chunk_id);
		assert_int_equal(a[i].matched, b[i].matched);
		store_hit_clear(&a[i]);
		store_hit_clear(&b[i]);
	}
	rag_query_free(pq);
	rag_index_release(ix);
}

static void test_cache_follows_knowledge_version(void **state)
{
	struct fx *f = *state;
	struct rag_cache *c = rag_cache_new(64u << 20);
	assert_non_null(c);
	int64_t v = bot_version(f);
	struct rag_index *a = rag_cache_get(c, f->terms, f->st, TENANT, BOT, v);
	struct rag_index *b = rag_cache_get(c, f->terms, f->st, TENANT, BOT, v);
	assert_non_null(a);
	assert_ptr_equal(a, b); /* the second question is served from the cache */
	rag_index_release(b);

	const struct store_chunk_in more[] = {{"Neu", "Ab Januar gibt es Aquafitness im Hallenbad.", 0, NULL, 0}};
	add_source(f, more, 1);
	int64_t v2 = bot_version(f);
	assert_true(v2 > v);
	struct rag_index *n = rag_cache_get(c, f->terms, f->st, TENANT, BOT, v2);
	assert_non_null(n);
	assert_ptr_not_equal(n, a);
	const char *q[] = {"Aquafitness"};
	struct store_hit h[4];
	int cnt = -1;
	assert_int_equal(rag_index_search(n, f->terms, q, 1, 1, 4, h, &cnt), STORE_OK);
	assert_int_equal(cnt, 1); /* the new knowledge is there */
	store_hit_clear(&h[0]);
	assert_int_equal(rag_index_search(a, f->terms, q, 1, 1, 4, h, &cnt), STORE_OK);
	assert_int_equal(cnt, 0); /* a searcher still holding the old index is not disturbed */
	rag_index_release(a);
	rag_index_release(n);
	rag_cache_free(c);
}

static void test_cache_keeps_tenants_apart_and_steps_aside(void **state)
{
	struct fx *f = *state;
	struct rag_cache *c = rag_cache_new(64u << 20);
	assert_non_null(c);
	int64_t v = bot_version(f);
	assert_null(rag_cache_get(c, f->terms, f->st, OTHER, BOT, v)); /* not OTHER's bot: no index */
	struct rag_index *ix = rag_cache_get(c, f->terms, f->st, TENANT, BOT, v);
	assert_non_null(ix);
	rag_index_release(ix);
	assert_null(rag_cache_get(c, f->terms, f->st, OTHER, BOT, v)); /* a cached index is not shared */
	rag_cache_free(c);

	struct rag_cache *tiny = rag_cache_new(1024); /* no index fits: the caller searches the store */
	assert_non_null(tiny);
	assert_null(rag_cache_get(tiny, f->terms, f->st, TENANT, BOT, v));
	assert_null(rag_cache_get(tiny, f->terms, f->st, TENANT, BOT, v));
	rag_cache_free(tiny);

	struct rag_cache *off = rag_cache_new(0);
	assert_non_null(off);
	assert_null(rag_cache_get(off, f->terms, f->st, TENANT, BOT, v));
	rag_cache_free(off);
}

static enum answer_type answer_type_of(struct fx *f, struct rag_cache *c, const char *question)
{
	struct answer_bot bot = {.tenant_id = TENANT, .bot_id = BOT, .name = "B", .language = "de",
				 .response_style = "professional", .fallback_message = "Weiß ich nicht.",
				 .knowledge_version = bot_version(f), .index_cache = c};
	struct answer a;
	assert_int_equal(answer_question(f->terms, f->st, &bot, question, &a), STORE_OK);
	enum answer_type type = a.type;
	answer_clear(&a);
	return type;
}

/* A German question whose nouns the knowledge never uses gets the fallback, however well its verbs match;
 * one known noun, or a word not written as a noun, keeps the old rules (docs/quality.md). */
static void test_answer_needs_a_known_noun(void **state)
{
	struct fx *f = *state;
	struct rag_cache *c = rag_cache_new(64u << 20);
	assert_non_null(c);
	assert_int_equal(answer_type_of(f, c, "Was kostet die Sauna?"), ANSWER_EXTRACTIVE);
	assert_int_equal(answer_type_of(f, c, "Was kostet die Osteopathie?"), ANSWER_FALLBACK);
	assert_int_equal(answer_type_of(f, c, "Wie viel kostet bei euch eine Pizza?"), ANSWER_FALLBACK);
	/* one of two nouns known: "Studenten" */
	assert_int_equal(answer_type_of(f, c, "Was zahlen Studenten für Osteopathie?"), ANSWER_EXTRACTIVE);
	/* the first word of a sentence is capitalised whatever it is */
	assert_int_equal(answer_type_of(f, c, "Gekündigt werden kann wie?"), ANSWER_EXTRACTIVE);
	rag_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_index_agrees_with_the_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_meets_other_spellings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_best_hit_first_and_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prepared_question, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_follows_knowledge_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_keeps_tenants_apart_and_steps_aside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answer_needs_a_known_noun, setup, teardown),
	};
	return cmocka_run_group_tests_name("index", tests, NULL, NULL);
}
