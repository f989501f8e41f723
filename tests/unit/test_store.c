/*
 * test_store.c — the store contract, run against every backend.
 *
 * The same test functions run in two groups: "store_sqlite" on a fresh temporary SQLite file, and
 * "store_postgres" on a fresh, uniquely named database created on the server named by the environment
 * variable BOTWERK_TEST_PG_URL (a postgres:// URL of a role that may CREATE DATABASE; the database is
 * dropped at the end). Without that variable the PostgreSQL group is skipped with a message. The
 * PostgreSQL group adds two tests of its own (reconnect, unreachable server).
 *
 * The fixture (fresh store per group, fake clock, id counter, tenants and bots) is store_fixture.h, which
 * the other test_store_*.c files share.
 */
#include <pthread.h>

#define STORE_FIXTURE_NAME "test_store"
#define STORE_FIXTURE_TMP "store"
#define STORE_FIXTURE_DB "botwerk_test"
#include "store_fixture.h"
#include "store/store_int.h" /* the backends' own open and ops, to build a database at schema version 1 */

/* ---- helpers --------------------------------------------------------------------------------------- */

static void make_source(struct fixture *fx, const char *tenant, const char *bot, const char *title,
			const struct store_chunk_in *chunks, int n, char id[STORE_ID_MAX])
{
	char tbuf[128];
	snprintf(tbuf, sizeof tbuf, "%s", title);
	struct store_source s = {.kind = "text", .title = tbuf, .status = "done", .chunks = n};
	new_id(fx, "src", id);
	snprintf(s.id, sizeof s.id, "%s", id);
	snprintf(s.bot_id, sizeof s.bot_id, "%s", bot);
	for (int i = 0; i < n; i++)
		s.chars += (int64_t)strlen(chunks[i].text);
	s.created_at = s.updated_at = tick(fx);
	assert_int_equal(store_source_create(fx->st, tenant, &s, chunks, n), STORE_OK);
}

/* Runs a search and returns the hit count (hits must hold 16). */
static int search(struct fixture *fx, const char *tenant, const char *bot, const char *const *words, int nwords,
		  struct store_hit hits[16])
{
	int n = -1;
	assert_int_equal(store_chunk_search(fx->st, tenant, bot, words, nwords, 1, 16, hits, &n), STORE_OK);
	assert_in_range(n, 0, 16);
	return n;
}

static void clear_hits(struct store_hit *hits, int n)
{
	for (int i = 0; i < n; i++)
		store_hit_clear(&hits[i]);
}

/* Index of the hit whose text contains `needle`, or -1. */
static int hit_with(const struct store_hit *hits, int n, const char *needle)
{
	for (int i = 0; i < n; i++)
		if (hits[i].text && strstr(hits[i].text, needle))
			return i;
	return -1;
}

static void save_exchange(struct fixture *fx, const char *tenant, const char *bot, const char *conv, bool is_new,
			  int expect)
{
	char um[STORE_ID_MAX], bm[STORE_ID_MAX];
	new_id(fx, "msg", um);
	new_id(fx, "msg", bm);
	struct store_exchange x = {
		.tenant_id = tenant,
		.bot_id = bot,
		.conversation_id = conv,
		.new_conversation = is_new,
		.channel = "web",
		.user_msg_id = um,
		.user_text = "Wann habt ihr offen?",
		.bot_msg_id = bm,
		.bot_text = "Montag bis Freitag von 9 bis 18 Uhr.",
		.bot_meta = "{\"sources\":[]}",
		.latency_ms = 120,
		.now = tick(fx),
	};
	assert_int_equal(store_exchange_save(fx->st, &x), expect);
}

static int count_messages(struct fixture *fx, const char *tenant, const char *conv)
{
	int n = -1;
	assert_int_equal(store_conversation_count_messages(fx->st, tenant, conv, &n), STORE_OK);
	return n;
}

/* ---- tests ----------------------------------------------------------------------------------------- */

static void test_open_and_version(void **state)
{
	struct fixture *fx = *state;
	int v = -1;
	assert_string_equal(store_backend_name(fx->st), fx->backend);
	assert_int_equal(store_ping(fx->st), STORE_OK);
	assert_int_equal(store_schema_version(fx->st, &v), STORE_OK);
	assert_true(v >= 1);

	/* Opening again applies nothing twice and sees the same version. */
	struct store *again = open_store(fx, fx->url);
	assert_non_null(again);
	int v2 = -1;
	assert_int_equal(store_schema_version(again, &v2), STORE_OK);
	assert_int_equal(v2, v);
	store_close(again);
}

static void test_tenant_create_get(void **state)
{
	struct fixture *fx = *state;
	char id[STORE_ID_MAX];
	new_id(fx, "ten", id);
	int64_t now = tick(fx);
	assert_int_equal(store_tenant_create(fx->st, id, "Fitness Süd", now), STORE_OK);

	struct store_tenant t = {0};
	assert_int_equal(store_tenant_get(fx->st, id, &t), STORE_OK);
	assert_string_equal(t.id, id);
	assert_string_equal(t.name, "Fitness Süd");
	assert_int_equal(t.created_at, now);
	store_tenant_clear(&t);

	assert_int_equal(store_tenant_get(fx->st, "ten_nobody", &t), STORE_NOTFOUND);
	assert_int_equal(store_tenant_create(fx->st, id, "again", tick(fx)), STORE_CONFLICT);
	/* the conflicting create changed nothing */
	assert_int_equal(store_tenant_get(fx->st, id, &t), STORE_OK);
	assert_string_equal(t.name, "Fitness Süd");
	store_tenant_clear(&t);
}

static void test_apikey_lifecycle(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], key[STORE_ID_MAX], found[STORE_ID_MAX];
	unsigned char hash[32], hash2[32], unknown[32];
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	for (int i = 0; i < 32; i++) {
		hash[i] = (unsigned char)(i * 7 + fx->seq);
		hash2[i] = (unsigned char)(255 - i);
		unknown[i] = (unsigned char)(i ^ 0x5a);
	}
	hash[3] = 0; /* a NUL inside the digest must not cut it short */
	new_id(fx, "key", key);
	assert_int_equal(store_apikey_create(fx->st, key, tenant, hash, "bw_live_ab12", tick(fx)), STORE_OK);

	assert_int_equal(store_apikey_lookup(fx->st, hash, found), STORE_OK);
	assert_string_equal(found, tenant);
	assert_int_equal(store_apikey_lookup(fx->st, unknown, found), STORE_NOTFOUND);

	/* the same digest twice, or the same key id twice, is a conflict */
	char key2[STORE_ID_MAX];
	new_id(fx, "key", key2);
	assert_int_equal(store_apikey_create(fx->st, key2, other, hash, "bw_live_cd34", tick(fx)), STORE_CONFLICT);
	assert_int_equal(store_apikey_create(fx->st, key, other, hash2, "bw_live_cd34", tick(fx)), STORE_CONFLICT);
	/* a key for a tenant that does not exist */
	assert_int_equal(store_apikey_create(fx->st, key2, "ten_nobody", hash2, "bw_live_ef56", tick(fx)),
			 STORE_NOTFOUND);

	assert_int_equal(store_apikey_revoke(fx->st, key, tick(fx)), STORE_OK);
	assert_int_equal(store_apikey_lookup(fx->st, hash, found), STORE_NOTFOUND);
	assert_int_equal(store_apikey_revoke(fx->st, "key_nobody", tick(fx)), STORE_NOTFOUND);
}

static void test_bot_crud(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX];
	make_tenant(fx, tenant);
	int64_t created = tick(fx);
	make_bot_at(fx, tenant, created, bot);

	struct store_bot b = {0};
	assert_int_equal(store_bot_get(fx->st, tenant, bot, &b), STORE_OK);
	assert_string_equal(b.id, bot);
	assert_string_equal(b.tenant_id, tenant);
	assert_string_equal(b.name, "Empfang");
	assert_string_equal(b.config, "{\"lang\":\"de\"}");
	assert_true(b.active);
	assert_int_equal(b.created_at, created);
	assert_int_equal(b.updated_at, created);
	store_bot_clear(&b);

	/* the public lookup needs no tenant and reports the owner */
	assert_int_equal(store_bot_get_public(fx->st, bot, &b), STORE_OK);
	assert_string_equal(b.tenant_id, tenant);
	store_bot_clear(&b);
	assert_int_equal(store_bot_get_public(fx->st, "bot_nobody", &b), STORE_NOTFOUND);

	/* a second bot with the same id is a conflict, even for another tenant */
	struct store_bot dup = {.name = "x", .config = "{}", .active = true, .created_at = 1, .updated_at = 1};
	snprintf(dup.id, sizeof dup.id, "%s", bot);
	snprintf(dup.tenant_id, sizeof dup.tenant_id, "%s", tenant);
	assert_int_equal(store_bot_create(fx->st, &dup), STORE_CONFLICT);

	struct store_bot u = {.name = "Empfang 2", .config = "{\"lang\":\"en\"}", .active = false};
	snprintf(u.id, sizeof u.id, "%s", bot);
	snprintf(u.tenant_id, sizeof u.tenant_id, "%s", tenant);
	u.updated_at = tick(fx);
	assert_int_equal(store_bot_update(fx->st, &u), STORE_OK);
	assert_int_equal(store_bot_get(fx->st, tenant, bot, &b), STORE_OK);
	assert_string_equal(b.name, "Empfang 2");
	assert_string_equal(b.config, "{\"lang\":\"en\"}");
	assert_false(b.active);
	assert_int_equal(b.created_at, created);
	assert_int_equal(b.updated_at, u.updated_at);
	store_bot_clear(&b);

	assert_int_equal(store_bot_delete(fx->st, tenant, bot), STORE_OK);
	assert_int_equal(store_bot_get(fx->st, tenant, bot, &b), STORE_NOTFOUND);
	assert_int_equal(store_bot_get_public(fx->st, bot, &b), STORE_NOTFOUND);
	assert_int_equal(store_bot_delete(fx->st, tenant, bot), STORE_NOTFOUND);
	assert_int_equal(store_bot_update(fx->st, &u), STORE_NOTFOUND);
}

static void test_other_tenant_sees_nothing(void **state)
{
	struct fixture *fx = *state;
	char owner[STORE_ID_MAX], intruder[STORE_ID_MAX], bot[STORE_ID_MAX], src[STORE_ID_MAX];
	make_tenant(fx, owner);
	make_tenant(fx, intruder);
	make_bot(fx, owner, bot);
	const struct store_chunk_in chunks[] = {{"Preise", "Die Monatskarte kostet 39 Euro.", 0, NULL, 0}};
	make_source(fx, owner, bot, "Preisliste", chunks, 1, src);

	struct store_bot b = {0};
	assert_int_equal(store_bot_get(fx->st, intruder, bot, &b), STORE_NOTFOUND);

	struct store_bot u = {.name = "gekapert", .config = "{}", .active = false, .updated_at = tick(fx)};
	snprintf(u.id, sizeof u.id, "%s", bot);
	snprintf(u.tenant_id, sizeof u.tenant_id, "%s", intruder);
	assert_int_equal(store_bot_update(fx->st, &u), STORE_NOTFOUND);
	assert_int_equal(store_bot_delete(fx->st, intruder, bot), STORE_NOTFOUND);

	/* sources: no create, get, delete or listing under someone else's bot */
	struct store_source s = {.kind = "text", .title = "fremd", .status = "done", .chars = 4, .chunks = 1};
	char src2[STORE_ID_MAX];
	new_id(fx, "src", src2);
	snprintf(s.id, sizeof s.id, "%s", src2);
	snprintf(s.bot_id, sizeof s.bot_id, "%s", bot);
	s.created_at = s.updated_at = tick(fx);
	const struct store_chunk_in evil[] = {{"", "Monatskarte gratis", 0, NULL, 0}};
	assert_int_equal(store_source_create(fx->st, intruder, &s, evil, 1), STORE_NOTFOUND);

	struct store_source got = {0};
	assert_int_equal(store_source_get(fx->st, intruder, bot, src, &got), STORE_NOTFOUND);
	assert_int_equal(store_source_delete(fx->st, intruder, bot, src), STORE_NOTFOUND);
	struct store_source rows[4];
	int n = -1;
	int rc = store_source_list(fx->st, intruder, bot, 0, NULL, 4, rows, &n);
	/* NOTFOUND is the contract; an empty list leaks nothing either. */
	assert_true(rc == STORE_NOTFOUND || (rc == STORE_OK && n == 0));

	const char *words[] = {"Monatskarte"};
	struct store_hit hits[16];
	assert_int_equal(store_chunk_search(fx->st, intruder, bot, words, 1, 1, 16, hits, &n), STORE_NOTFOUND);

	/* and the owner still has everything */
	assert_int_equal(store_bot_get(fx->st, owner, bot, &b), STORE_OK);
	assert_string_equal(b.name, "Empfang");
	assert_true(b.active);
	store_bot_clear(&b);
	assert_int_equal(store_source_get(fx->st, owner, bot, src, &got), STORE_OK);
	store_source_clear(&got);
	n = search(fx, owner, bot, words, 1, hits);
	assert_int_equal(n, 1);
	assert_non_null(strstr(hits[0].text, "39 Euro"));
	clear_hits(hits, n);
	assert_int_equal(store_source_get(fx->st, owner, bot, src2, &got), STORE_NOTFOUND);
}

static void test_bot_pagination(void **state)
{
	struct fixture *fx = *state;
	enum { NBOTS = 25, PAGE = 10 };
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], made[NBOTS][STORE_ID_MAX], stray[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	int64_t base = tick(fx);
	fx->clock += 100;
	/* three bots per millisecond, so the id must break ties */
	for (int i = 0; i < NBOTS; i++)
		make_bot_at(fx, tenant, base + i / 3, made[i]);
	make_bot_at(fx, other, base + 50, stray);

	bool seen[NBOTS] = {false};
	int total = 0, pages = 0;
	int64_t after_created = 0, prev_created = INT64_MAX;
	char after_id[STORE_ID_MAX] = "", prev_id[STORE_ID_MAX] = "";
	for (;;) {
		struct store_bot rows[PAGE];
		int n = -1;
		assert_int_equal(store_bot_list(fx->st, tenant, after_created, pages ? after_id : NULL, PAGE, rows, &n),
				 STORE_OK);
		assert_in_range(n, 0, PAGE);
		if (n == 0)
			break;
		pages++;
		for (int i = 0; i < n; i++) {
			assert_string_equal(rows[i].tenant_id, tenant);
			/* strictly newest first by (created_at, id) */
			assert_true(rows[i].created_at < prev_created ||
				    (rows[i].created_at == prev_created && strcmp(rows[i].id, prev_id) < 0));
			prev_created = rows[i].created_at;
			memcpy(prev_id, rows[i].id, sizeof prev_id);
			int k = 0;
			while (k < NBOTS && strcmp(made[k], rows[i].id) != 0)
				k++;
			assert_true(k < NBOTS);
			assert_false(seen[k]);
			seen[k] = true;
			total++;
		}
		after_created = rows[n - 1].created_at;
		memcpy(after_id, rows[n - 1].id, sizeof after_id);
		for (int i = 0; i < n; i++)
			store_bot_clear(&rows[i]);
		assert_true(pages <= 4);
	}
	assert_int_equal(total, NBOTS);
	assert_int_equal(pages, 3);
	/* the newest page starts with the last bot made */
	struct store_bot first[1];
	int n = -1;
	assert_int_equal(store_bot_list(fx->st, tenant, 0, NULL, 1, first, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(first[0].id, made[NBOTS - 1]);
	store_bot_clear(&first[0]);
}

static void test_source_lifecycle(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX], s1[STORE_ID_MAX], s2[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	const struct store_chunk_in c1[] = {
		{"Kurse > Yoga", "Yoga findet dienstags im Raum Lotus statt.", 0, NULL, 0},
		{"Kurse > Pilates", "Pilates gibt es donnerstags.", 1, NULL, 0},
		{"Kurse > Spinning", "Spinning am Wochenende.", 2, NULL, 0},
	};
	const struct store_chunk_in c2[] = {{"", "Sauna ist im Beitrag enthalten.", 0, NULL, 0}};
	make_source(fx, tenant, bot, "Kursplan", c1, 3, s1);
	make_source(fx, tenant, bot, "Wellness", c2, 1, s2);

	struct store_source s = {0};
	assert_int_equal(store_source_get(fx->st, tenant, bot, s1, &s), STORE_OK);
	assert_string_equal(s.id, s1);
	assert_string_equal(s.bot_id, bot);
	assert_string_equal(s.kind, "text");
	assert_string_equal(s.title, "Kursplan");
	assert_string_equal(s.status, "done");
	assert_int_equal(s.chunks, 3);
	assert_int_equal(s.chars, (int64_t)(strlen(c1[0].text) + strlen(c1[1].text) + strlen(c1[2].text)));
	store_source_clear(&s);

	/* a duplicate source id conflicts and adds no chunks */
	struct store_source dup = {.kind = "text", .title = "dup", .status = "done", .chars = 1, .chunks = 1};
	snprintf(dup.id, sizeof dup.id, "%s", s2);
	snprintf(dup.bot_id, sizeof dup.bot_id, "%s", bot);
	dup.created_at = dup.updated_at = tick(fx);
	const struct store_chunk_in dupc[] = {{"", "Quarkbällchen", 0, NULL, 0}};
	assert_int_equal(store_source_create(fx->st, tenant, &dup, dupc, 1), STORE_CONFLICT);
	const char *qw[] = {"Quarkbällchen"};
	struct store_hit hits[16];
	assert_int_equal(search(fx, tenant, bot, qw, 1, hits), 0);

	struct store_source rows[5];
	int n = -1;
	assert_int_equal(store_source_list(fx->st, tenant, bot, 0, NULL, 5, rows, &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].id, s2); /* newest first */
	assert_string_equal(rows[1].id, s1);
	/* the page after the first row holds only the second */
	int64_t ac = rows[0].created_at;
	char aid[STORE_ID_MAX];
	snprintf(aid, sizeof aid, "%s", rows[0].id);
	for (int i = 0; i < n; i++)
		store_source_clear(&rows[i]);
	assert_int_equal(store_source_list(fx->st, tenant, bot, ac, aid, 5, rows, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].id, s1);
	store_source_clear(&rows[0]);

	const char *words[] = {"Pilates"};
	n = search(fx, tenant, bot, words, 1, hits);
	assert_int_equal(n, 1);
	assert_string_equal(hits[0].title, "Kursplan");
	assert_string_equal(hits[0].heading, "Kurse > Pilates");
	clear_hits(hits, n);

	assert_int_equal(store_source_delete(fx->st, tenant, bot, s1), STORE_OK);
	assert_int_equal(store_source_get(fx->st, tenant, bot, s1, &s), STORE_NOTFOUND);
	assert_int_equal(store_source_delete(fx->st, tenant, bot, s1), STORE_NOTFOUND);
	assert_int_equal(search(fx, tenant, bot, words, 1, hits), 0);
	/* the other source and its chunk are untouched */
	const char *sauna[] = {"Sauna"};
	n = search(fx, tenant, bot, sauna, 1, hits);
	assert_int_equal(n, 1);
	assert_string_equal(hits[0].title, "Wellness");
	clear_hits(hits, n);
	assert_int_equal(store_source_list(fx->st, tenant, bot, 0, NULL, 5, rows, &n), STORE_OK);
	assert_int_equal(n, 1);
	store_source_clear(&rows[0]);
}

/* min_match: only chunks holding at least that many of the words come back, on both backends, and
 * `matched` still reports the words by the caller's indexes. */
static void test_search_min_match(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX], src[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	const struct store_chunk_in chunks[] = {
		{"Sauna", "Die Sauna kostet 5 Euro im Monat extra.", 0, NULL, 0},
		{"Kurse", "Alle Kurse kosten nichts, jeden Monat neu.", 1, NULL, 0},
		{"Getränke", "Ein Wasser kostet 1 Euro.", 2, NULL, 0},
	};
	make_source(fx, tenant, bot, "Preise", chunks, 3, src);
	const char *words[] = {"Sauna", "kostet", "Monat"};
	struct store_hit hits[16];
	int n = -1;

	assert_int_equal(store_chunk_search(fx->st, tenant, bot, words, 3, 1, 16, hits, &n), STORE_OK);
	assert_int_equal(n, 3); /* any one word: all three chunks */
	clear_hits(hits, n);

	assert_int_equal(store_chunk_search(fx->st, tenant, bot, words, 3, 2, 16, hits, &n), STORE_OK);
	for (int i = 0; i < n; i++)
		assert_true(__builtin_popcount(hits[i].matched) >= 2);
	assert_true(hit_with(hits, n, "Sauna") >= 0);
	assert_int_equal(hit_with(hits, n, "Wasser"), -1); /* holds only one of the words */
	clear_hits(hits, n);

	assert_int_equal(store_chunk_search(fx->st, tenant, bot, words, 3, 3, 16, hits, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(hits[0].matched, 7u);
	clear_hits(hits, n);
}

static void test_search(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX], other_bot[STORE_ID_MAX], src[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	make_bot(fx, tenant, other_bot);
	const struct store_chunk_in chunks[] = {
		{"Anfahrt", "Unser Studio liegt an der Straße zum Bahnhof, Parkplätze gibt es im Hof.", 0, NULL, 0},
		{"Öffnungszeiten", "Montag bis Freitag von 7 bis 22 Uhr, am Wochenende kürzer.", 1, NULL, 0},
		{"Preise", "Die Monatskarte kostet 39 Euro, die 10er-Karte 99 Euro.", 2, NULL, 0},
		{"Kontakt", "Schreiben Sie uns eine E-Mail, wir melden uns am selben Tag.", 3, NULL, 0},
	};
	make_source(fx, tenant, bot, "Website", chunks, 4, src);
	/* the same words under another bot of the same tenant: must never show up */
	const struct store_chunk_in decoy[] = {{"Öffnungszeiten", "Straße Montag Freitag Monatskarte E-Mail", 0, NULL, 0}};
	char src2[STORE_ID_MAX];
	make_source(fx, tenant, other_bot, "Andere", decoy, 1, src2);

	struct store_hit hits[16];
	int n;

	const char *strasse[] = {"Strasse"};
	n = search(fx, tenant, bot, strasse, 1, hits);
	assert_int_equal(n, 1);
	assert_non_null(strstr(hits[0].text, "Straße"));
	assert_int_equal(hits[0].matched, 1u);
	assert_string_equal(hits[0].title, "Website");
	assert_string_equal(hits[0].heading, "Anfahrt");
	assert_true(hits[0].chunk_id > 0);
	clear_hits(hits, n);

	const char *oeff[] = {"Oeffnungszeiten"};
	n = search(fx, tenant, bot, oeff, 1, hits);
	assert_int_equal(n, 1);
	assert_string_equal(hits[0].heading, "Öffnungszeiten");
	assert_int_equal(hits[0].matched, 1u);
	clear_hits(hits, n);

	/* bits follow the caller's word positions; a word with no match, and one that yields no term at
	 * all, keep theirs at 0 */
	const char *mixed[] = {"Oeffnungszeiten", "Quarkbällchen", "--", "STRASSE"};
	n = search(fx, tenant, bot, mixed, 4, hits);
	assert_int_equal(n, 2);
	int a = hit_with(hits, n, "Bahnhof"), o = hit_with(hits, n, "Montag");
	assert_true(a >= 0 && o >= 0);
	assert_int_equal(hits[a].matched, 1u << 3);
	assert_int_equal(hits[o].matched, 1u << 0);
	clear_hits(hits, n);

	/* best first: the chunk holding two of the words outranks the one holding one */
	const char *best[] = {"Strasse", "Montag", "Freitag"};
	n = search(fx, tenant, bot, best, 3, hits);
	assert_int_equal(n, 2);
	assert_non_null(strstr(hits[0].text, "Montag"));
	assert_int_equal(hits[0].matched, (1u << 1) | (1u << 2));
	assert_int_equal(hits[1].matched, 1u << 0);
	assert_true(hits[0].rank >= hits[1].rank);
	clear_hits(hits, n);

	/* a word that splits into several terms is a phrase */
	const char *mail[] = {"E-Mail"};
	n = search(fx, tenant, bot, mail, 1, hits);
	assert_int_equal(n, 1);
	assert_string_equal(hits[0].heading, "Kontakt");
	assert_int_equal(hits[0].matched, 1u);
	clear_hits(hits, n);

	/* stemming: plural in the text, singular in the query */
	const char *preis[] = {"Preis"};
	n = search(fx, tenant, bot, preis, 1, hits);
	assert_int_equal(n, 1);
	assert_string_equal(hits[0].heading, "Preise");
	clear_hits(hits, n);

	/* nothing usable, or nothing matching */
	const char *none[] = {"--", "!!"};
	assert_int_equal(search(fx, tenant, bot, none, 2, hits), 0);
	const char *miss[] = {"Quarkbällchen"};
	assert_int_equal(search(fx, tenant, bot, miss, 1, hits), 0);

	/* the limit holds */
	const char *many[] = {"Strasse", "Montag", "Monatskarte", "Mail"};
	int lim = -1;
	assert_int_equal(store_chunk_search(fx->st, tenant, bot, many, 4, 1, 2, hits, &lim), STORE_OK);
	assert_int_equal(lim, 2);
	clear_hits(hits, lim);

	/* the other bot sees only its own chunk */
	n = search(fx, tenant, other_bot, many, 4, hits);
	assert_int_equal(n, 1);
	assert_string_equal(hits[0].title, "Andere");
	clear_hits(hits, n);
}

static void test_exchange(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], bot2[STORE_ID_MAX], conv[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	make_bot(fx, tenant, bot2);
	new_id(fx, "conv", conv);

	assert_int_equal(store_conversation_exists(fx->st, tenant, bot, conv), STORE_NOTFOUND);
	save_exchange(fx, tenant, bot, conv, true, STORE_OK);
	assert_int_equal(store_conversation_exists(fx->st, tenant, bot, conv), STORE_OK);
	assert_int_equal(count_messages(fx, tenant, conv), 2);
	save_exchange(fx, tenant, bot, conv, false, STORE_OK);
	assert_int_equal(count_messages(fx, tenant, conv), 4);

	assert_int_equal(store_conversation_exists(fx->st, tenant, bot2, conv), STORE_NOTFOUND);
	assert_int_equal(store_conversation_exists(fx->st, other, bot, conv), STORE_NOTFOUND);
	assert_int_equal(count_messages(fx, other, conv), 0);

	/* creating it again conflicts and writes no messages */
	save_exchange(fx, tenant, bot, conv, true, STORE_CONFLICT);
	assert_int_equal(count_messages(fx, tenant, conv), 4);

	/* an exchange on a conversation that does not exist writes nothing */
	char ghost[STORE_ID_MAX];
	new_id(fx, "conv", ghost);
	save_exchange(fx, tenant, bot, ghost, false, STORE_NOTFOUND);
	assert_int_equal(count_messages(fx, tenant, ghost), 0);
	assert_int_equal(store_conversation_exists(fx->st, tenant, bot, ghost), STORE_NOTFOUND);

	/* the answer failing after the question was written: nothing of the exchange stays */
	char um[STORE_ID_MAX], taken[STORE_ID_MAX];
	new_id(fx, "msg", um);
	new_id(fx, "msg", taken);
	struct store_exchange x = {.tenant_id = tenant, .bot_id = bot, .conversation_id = conv, .channel = "web",
				   .user_msg_id = taken, .user_text = "Hallo", .bot_msg_id = um, .bot_text = "Hi",
				   .bot_meta = NULL, .latency_ms = -1, .now = tick(fx)};
	assert_int_equal(store_exchange_save(fx->st, &x), STORE_OK); /* user = taken, bot = um */
	assert_int_equal(count_messages(fx, tenant, conv), 6);
	char fresh[STORE_ID_MAX];
	new_id(fx, "msg", fresh);
	x.user_msg_id = fresh;
	x.bot_msg_id = taken; /* duplicate: the second insert fails */
	x.now = tick(fx);
	assert_int_equal(store_exchange_save(fx->st, &x), STORE_CONFLICT);
	assert_int_equal(count_messages(fx, tenant, conv), 6);
	/* `fresh` was rolled back, so it is still free */
	x.bot_msg_id = "msg_fresh_answer";
	assert_int_equal(store_exchange_save(fx->st, &x), STORE_OK);
	assert_int_equal(count_messages(fx, tenant, conv), 8);
}

static void test_analytics(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	assert_int_equal(store_analytics_add(fx->st, tenant, bot, "widget_open", "{\"page\":\"/\"}", tick(fx)),
			 STORE_OK);
	assert_int_equal(store_analytics_add(fx->st, tenant, bot, "widget_open", "{}", tick(fx)), STORE_OK);
}

static void test_bot_delete_cascades(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX], keep[STORE_ID_MAX], src[STORE_ID_MAX], ksrc[STORE_ID_MAX];
	char conv[STORE_ID_MAX], kconv[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	make_bot(fx, tenant, keep);
	const struct store_chunk_in chunks[] = {{"Team", "Trainerin Anna leitet das Zirkeltraining.", 0, NULL, 0}};
	make_source(fx, tenant, bot, "Team", chunks, 1, src);
	make_source(fx, tenant, keep, "Team", chunks, 1, ksrc);
	new_id(fx, "conv", conv);
	new_id(fx, "conv", kconv);
	save_exchange(fx, tenant, bot, conv, true, STORE_OK);
	save_exchange(fx, tenant, keep, kconv, true, STORE_OK);
	assert_int_equal(store_analytics_add(fx->st, tenant, bot, "chat", "{}", tick(fx)), STORE_OK);

	assert_int_equal(store_bot_delete(fx->st, tenant, bot), STORE_OK);

	struct store_source s;
	assert_int_equal(store_source_get(fx->st, tenant, bot, src, &s), STORE_NOTFOUND);
	assert_int_equal(store_conversation_exists(fx->st, tenant, bot, conv), STORE_NOTFOUND);
	assert_int_equal(count_messages(fx, tenant, conv), 0);

	/* a new bot under the same id starts empty */
	struct store_bot b = {.name = "Neu", .config = "{}", .active = true};
	snprintf(b.id, sizeof b.id, "%s", bot);
	snprintf(b.tenant_id, sizeof b.tenant_id, "%s", tenant);
	b.created_at = b.updated_at = tick(fx);
	assert_int_equal(store_bot_create(fx->st, &b), STORE_OK);
	const char *words[] = {"Zirkeltraining"};
	struct store_hit hits[16];
	assert_int_equal(search(fx, tenant, bot, words, 1, hits), 0);
	struct store_source rows[2];
	int n = -1;
	assert_int_equal(store_source_list(fx->st, tenant, bot, 0, NULL, 2, rows, &n), STORE_OK);
	assert_int_equal(n, 0);

	/* the other bot keeps all of its rows */
	assert_int_equal(store_source_get(fx->st, tenant, keep, ksrc, &s), STORE_OK);
	store_source_clear(&s);
	n = search(fx, tenant, keep, words, 1, hits);
	assert_int_equal(n, 1);
	clear_hits(hits, n);
	assert_int_equal(store_conversation_exists(fx->st, tenant, keep, kconv), STORE_OK);
	assert_int_equal(count_messages(fx, tenant, kconv), 2);
}

/* ---- contacts, messages, leads, consents, erasure ----------------------------------------------------- */

/* A new conversation with its contact (id and wrapped key made from `contact`). */
static void save_exchange_contact(struct fixture *fx, const char *tenant, const char *bot, const char *conv,
				  const char *contact, int expect)
{
	char um[STORE_ID_MAX], bm[STORE_ID_MAX], key[64];
	new_id(fx, "msg", um);
	new_id(fx, "msg", bm);
	snprintf(key, sizeof key, "v1.wrapped.%s", contact);
	struct store_exchange x = {
		.tenant_id = tenant,
		.bot_id = bot,
		.conversation_id = conv,
		.new_conversation = true,
		.channel = "web",
		.user_msg_id = um,
		.user_text = "v1.sealed-question",
		.bot_msg_id = bm,
		.bot_text = "v1.sealed-answer",
		.bot_meta = "{\"sources\":[]}",
		.latency_ms = 80,
		.now = tick(fx),
		.contact_id = contact,
		.contact_wrapped_key = key,
	};
	assert_int_equal(store_exchange_save(fx->st, &x), expect);
}

/* Makes a conversation with a fresh contact: conv and contact get the new ids. */
static void make_contact_conversation(struct fixture *fx, const char *tenant, const char *bot, char conv[STORE_ID_MAX],
				      char contact[STORE_ID_MAX])
{
	new_id(fx, "conv", conv);
	new_id(fx, "ct", contact);
	save_exchange_contact(fx, tenant, bot, conv, contact, STORE_OK);
}

struct capture {
	const char *email;       /* stands in for both the sealed email and its blind index */
	int interest;
	const char *text_version;
	int64_t now;             /* 0: tick */
};

/* Captures a lead; lead_id and created get the results on STORE_OK. */
static int capture_lead(struct fixture *fx, const char *tenant, const char *bot, const char *conv,
			const struct capture *cp, char lead_id[STORE_ID_MAX], bool *created)
{
	char lid[STORE_ID_MAX], cid[STORE_ID_MAX], sealed[64], bidx[64];
	new_id(fx, "lead", lid);
	new_id(fx, "cons", cid);
	snprintf(sealed, sizeof sealed, "v1.sealed.%s", cp->email);
	snprintf(bidx, sizeof bidx, "bidx.%s", cp->email);
	struct store_lead_capture lc = {
		.tenant_id = tenant,
		.bot_id = bot,
		.conversation_id = conv,
		.email_sealed = sealed,
		.email_bidx = bidx,
		.lead_id = lid,
		.consent_id = cid,
		.consent_text_version = cp->text_version ? cp->text_version : "2024-01",
		.source = "email_capture",
		.channel = "web",
		.context = "{\"trigger\":\"pricing\"}",
		.interest = cp->interest,
		.now = cp->now ? cp->now : tick(fx),
	};
	return store_lead_capture(fx->st, &lc, lead_id, created);
}

static void test_exchange_with_contact(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], bot2[STORE_ID_MAX];
	char conv[STORE_ID_MAX], contact[STORE_ID_MAX], found[STORE_ID_MAX] = "untouched";
	char *key = NULL;
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	make_bot(fx, tenant, bot2);
	make_contact_conversation(fx, tenant, bot, conv, contact);
	assert_int_equal(count_messages(fx, tenant, conv), 2);

	assert_int_equal(store_conversation_contact(fx->st, tenant, bot, conv, found, &key), STORE_OK);
	assert_string_equal(found, contact);
	assert_non_null(key);
	char want[64];
	snprintf(want, sizeof want, "v1.wrapped.%s", contact);
	assert_string_equal(key, want);
	free(key);

	/* another tenant, another bot, an unknown conversation: not found, out-parameters untouched */
	char ghost[STORE_ID_MAX];
	new_id(fx, "conv", ghost);
	key = NULL;
	snprintf(found, sizeof found, "untouched");
	assert_int_equal(store_conversation_contact(fx->st, other, bot, conv, found, &key), STORE_NOTFOUND);
	assert_int_equal(store_conversation_contact(fx->st, tenant, bot2, conv, found, &key), STORE_NOTFOUND);
	assert_int_equal(store_conversation_contact(fx->st, tenant, bot, ghost, found, &key), STORE_NOTFOUND);
	assert_null(key);
	assert_string_equal(found, "untouched");

	/* a conversation saved without a contact (as before migration 003) has none */
	char plain[STORE_ID_MAX];
	new_id(fx, "conv", plain);
	save_exchange(fx, tenant, bot, plain, true, STORE_OK);
	assert_int_equal(store_conversation_contact(fx->st, tenant, bot, plain, found, &key), STORE_NOTFOUND);

	/* later exchanges of the conversation keep its contact */
	save_exchange(fx, tenant, bot, conv, false, STORE_OK);
	assert_int_equal(store_conversation_contact(fx->st, tenant, bot, conv, found, &key), STORE_OK);
	assert_string_equal(found, contact);
	free(key);

	/* a failing exchange leaves no contact behind: the conversation exists already */
	char stray[STORE_ID_MAX];
	new_id(fx, "ct", stray);
	save_exchange_contact(fx, tenant, bot, conv, stray, STORE_CONFLICT);
	assert_int_equal(store_contact_erase(fx->st, tenant, stray, tick(fx)), STORE_NOTFOUND);
	/* and a contact id is unique: a second conversation cannot reuse it */
	char conv2[STORE_ID_MAX];
	new_id(fx, "conv", conv2);
	save_exchange_contact(fx, tenant, bot, conv2, contact, STORE_CONFLICT);
	assert_int_equal(store_conversation_exists(fx->st, tenant, bot, conv2), STORE_NOTFOUND);
}

/* One exchange on conv; prompted: the answer asked for the visitor's email. */
static void save_prompted(struct fixture *fx, const char *tenant, const char *bot, const char *conv, bool is_new,
			  bool prompted)
{
	char um[STORE_ID_MAX], bm[STORE_ID_MAX], contact[STORE_ID_MAX];
	new_id(fx, "msg", um);
	new_id(fx, "msg", bm);
	new_id(fx, "ct", contact);
	struct store_exchange x = {.tenant_id = tenant, .bot_id = bot, .conversation_id = conv,
				   .new_conversation = is_new, .channel = "web", .user_msg_id = um,
				   .user_text = "v1.q", .bot_msg_id = bm, .bot_text = "v1.a", .bot_meta = "{}",
				   .latency_ms = 3, .now = tick(fx), .contact_id = is_new ? contact : NULL,
				   .contact_wrapped_key = is_new ? "v1.k" : NULL, .email_prompted = prompted};
	assert_int_equal(store_exchange_save(fx->st, &x), STORE_OK);
}

static void test_conversation_state(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], conv[STORE_ID_MAX], conv2[STORE_ID_MAX];
	int messages = -1, prompts = -1;
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	new_id(fx, "conv", conv);
	new_id(fx, "conv", conv2);

	save_prompted(fx, tenant, bot, conv, true, false);
	assert_int_equal(store_conversation_state(fx->st, tenant, conv, &messages, &prompts), STORE_OK);
	assert_int_equal(messages, 2);
	assert_int_equal(prompts, 0);
	save_prompted(fx, tenant, bot, conv, false, true);
	save_prompted(fx, tenant, bot, conv, false, false);
	save_prompted(fx, tenant, bot, conv, false, true);
	assert_int_equal(store_conversation_state(fx->st, tenant, conv, &messages, &prompts), STORE_OK);
	assert_int_equal(messages, 8);
	assert_int_equal(prompts, 2);
	/* a conversation whose first answer already asked */
	save_prompted(fx, tenant, bot, conv2, true, true);
	assert_int_equal(store_conversation_state(fx->st, tenant, conv2, &messages, &prompts), STORE_OK);
	assert_int_equal(messages, 2);
	assert_int_equal(prompts, 1);
	/* written the old way (no contact, no prompt flag) */
	char plain[STORE_ID_MAX];
	new_id(fx, "conv", plain);
	save_exchange(fx, tenant, bot, plain, true, STORE_OK);
	save_exchange(fx, tenant, bot, plain, false, STORE_OK);
	assert_int_equal(store_conversation_state(fx->st, tenant, plain, &messages, &prompts), STORE_OK);
	assert_int_equal(messages, 4);
	assert_int_equal(prompts, 0);

	/* another tenant's or an unknown conversation: not found, nothing written */
	char ghost[STORE_ID_MAX];
	new_id(fx, "conv", ghost);
	messages = prompts = -1;
	assert_int_equal(store_conversation_state(fx->st, other, conv, &messages, &prompts), STORE_NOTFOUND);
	assert_int_equal(store_conversation_state(fx->st, tenant, ghost, &messages, &prompts), STORE_NOTFOUND);
	assert_int_equal(messages, -1);
	assert_int_equal(prompts, -1);
}

struct async_wait {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done;
	int rc;
};

static void async_done(void *ud, int rc)
{
	struct async_wait *w = ud;
	pthread_mutex_lock(&w->mu);
	w->rc = rc;
	w->done = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void test_exchange_async_with_contact(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX], conv[STORE_ID_MAX], contact[STORE_ID_MAX];
	char um[STORE_ID_MAX], bm[STORE_ID_MAX], found[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	new_id(fx, "conv", conv);
	new_id(fx, "ct", contact);
	new_id(fx, "msg", um);
	new_id(fx, "msg", bm);
	struct store_exchange x = {.tenant_id = tenant, .bot_id = bot, .conversation_id = conv,
				   .new_conversation = true, .channel = "web", .user_msg_id = um,
				   .user_text = "v1.q", .bot_msg_id = bm, .bot_text = "v1.a", .bot_meta = "{}",
				   .latency_ms = 5, .now = tick(fx), .contact_id = contact,
				   .contact_wrapped_key = "v1.wrapped-async"};
	struct async_wait w = {.done = false, .rc = 99};
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	store_exchange_save_async(fx->st, &x, async_done, &w);
	pthread_mutex_lock(&w.mu);
	while (!w.done)
		pthread_cond_wait(&w.cv, &w.mu);
	pthread_mutex_unlock(&w.mu);
	pthread_cond_destroy(&w.cv);
	pthread_mutex_destroy(&w.mu);
	assert_int_equal(w.rc, STORE_OK);
	char *key = NULL;
	assert_int_equal(store_conversation_contact(fx->st, tenant, bot, conv, found, &key), STORE_OK);
	assert_string_equal(found, contact);
	assert_string_equal(key, "v1.wrapped-async");
	free(key);
}

static void test_message_list(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], conv[STORE_ID_MAX], contact[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	make_contact_conversation(fx, tenant, bot, conv, contact);
	/* several exchanges, each question and answer in the same millisecond */
	for (int i = 0; i < 3; i++)
		save_exchange(fx, tenant, bot, conv, false, STORE_OK);

	struct store_message *m = NULL;
	int n = -1;
	assert_int_equal(store_message_list(fx->st, tenant, conv, 100, &m, &n), STORE_OK);
	assert_int_equal(n, 8);
	assert_non_null(m);
	for (int i = 0; i < n; i++) {
		assert_int_equal(m[i].inbound, i % 2 == 0); /* question, answer, question, … */
		if (i > 0)
			assert_true(m[i].created_at >= m[i - 1].created_at);
		if (i % 2 == 1)
			assert_int_equal(m[i].created_at, m[i - 1].created_at);
		assert_true(strlen(m[i].id) > 0);
	}
	assert_string_equal(m[0].content, "v1.sealed-question");
	assert_null(m[0].meta);
	assert_string_equal(m[1].content, "v1.sealed-answer");
	assert_string_equal(m[1].meta, "{\"sources\":[]}");
	assert_string_equal(m[2].content, "Wann habt ihr offen?");
	assert_string_equal(m[3].content, "Montag bis Freitag von 9 bis 18 Uhr.");
	char first[STORE_ID_MAX];
	memcpy(first, m[0].id, sizeof first);
	for (int i = 0; i < n; i++)
		store_message_clear(&m[i]);
	free(m);

	/* the limit keeps the oldest */
	assert_int_equal(store_message_list(fx->st, tenant, conv, 3, &m, &n), STORE_OK);
	assert_int_equal(n, 3);
	assert_string_equal(m[0].id, first);
	assert_true(m[2].inbound);
	for (int i = 0; i < n; i++)
		store_message_clear(&m[i]);
	free(m);

	/* another tenant sees none; nor does anyone in an unknown conversation */
	m = NULL;
	assert_int_equal(store_message_list(fx->st, other, conv, 10, &m, &n), STORE_OK);
	assert_int_equal(n, 0);
	assert_null(m);
	char ghost[STORE_ID_MAX];
	new_id(fx, "conv", ghost);
	assert_int_equal(store_message_list(fx->st, tenant, ghost, 10, &m, &n), STORE_OK);
	assert_int_equal(n, 0);
	free(m);
}

static void test_tenant_key(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], ghost[STORE_ID_MAX];
	make_tenant(fx, tenant);
	new_id(fx, "ten", ghost);
	char *k = (char *)"untouched";
	assert_int_equal(store_tenant_key_get(fx->st, tenant, &k), STORE_OK);
	assert_null(k);
	assert_int_equal(store_tenant_key_init(fx->st, tenant, "v1.first", &k), STORE_OK);
	assert_string_equal(k, "v1.first");
	free(k);
	/* a second init (another node that raced) keeps the first key and is told so */
	assert_int_equal(store_tenant_key_init(fx->st, tenant, "v1.second", &k), STORE_OK);
	assert_string_equal(k, "v1.first");
	free(k);
	assert_int_equal(store_tenant_key_get(fx->st, tenant, &k), STORE_OK);
	assert_string_equal(k, "v1.first");
	free(k);

	k = (char *)"untouched";
	assert_int_equal(store_tenant_key_get(fx->st, ghost, &k), STORE_NOTFOUND);
	assert_int_equal(store_tenant_key_init(fx->st, ghost, "v1.x", &k), STORE_NOTFOUND);
	assert_string_equal(k, "untouched");
}

enum { KEY_RACERS = 6 };

struct key_racer {
	struct fixture *fx;
	const char *tenant;
	char mine[32];
	char *got;
	int rc;
};

static void *key_racer_run(void *arg)
{
	struct key_racer *r = arg;
	r->rc = store_tenant_key_init(r->fx->st, r->tenant, r->mine, &r->got);
	return NULL;
}

/* Several nodes (threads here) initialise the key at once: one wins and all agree on its key. */
static void test_tenant_key_race(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX];
	make_tenant(fx, tenant);
	struct key_racer r[KEY_RACERS];
	pthread_t th[KEY_RACERS];
	for (int i = 0; i < KEY_RACERS; i++) {
		r[i] = (struct key_racer){.fx = fx, .tenant = tenant, .rc = -99};
		snprintf(r[i].mine, sizeof r[i].mine, "v1.key-%d", i);
	}
	for (int i = 0; i < KEY_RACERS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, key_racer_run, &r[i]), 0);
	for (int i = 0; i < KEY_RACERS; i++)
		pthread_join(th[i], NULL);
	char *stored = NULL;
	assert_int_equal(store_tenant_key_get(fx->st, tenant, &stored), STORE_OK);
	assert_non_null(stored);
	int winners = 0;
	for (int i = 0; i < KEY_RACERS; i++) {
		assert_int_equal(r[i].rc, STORE_OK);
		assert_string_equal(r[i].got, stored);
		winners += strcmp(r[i].mine, stored) == 0;
		free(r[i].got);
	}
	assert_int_equal(winners, 1);
	free(stored);
}

static void test_lead_capture(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], bot2[STORE_ID_MAX];
	char conv[STORE_ID_MAX], contact[STORE_ID_MAX], lead[STORE_ID_MAX], again[STORE_ID_MAX];
	bool created = false;
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	make_bot(fx, tenant, bot2);
	make_contact_conversation(fx, tenant, bot, conv, contact);

	struct capture cp = {.email = "anna@example.org", .interest = 7, .text_version = "2024-01"};
	assert_int_equal(capture_lead(fx, tenant, bot, conv, &cp, lead, &created), STORE_OK);
	assert_true(created);
	struct store_lead l = {0};
	assert_int_equal(store_lead_get(fx->st, tenant, lead, &l), STORE_OK);
	assert_string_equal(l.id, lead);
	assert_string_equal(l.bot_id, bot);
	assert_string_equal(l.conversation_id, conv);
	assert_string_equal(l.contact_id, contact);
	assert_string_equal(l.email_sealed, "v1.sealed.anna@example.org");
	char want[64];
	snprintf(want, sizeof want, "v1.wrapped.%s", contact);
	assert_string_equal(l.contact_wrapped_key, want);
	assert_string_equal(l.source, "email_capture");
	assert_string_equal(l.channel, "web");
	assert_string_equal(l.context, "{\"trigger\":\"pricing\"}");
	assert_string_equal(l.consent_text_version, "2024-01");
	assert_int_equal(l.consent_at, l.created_at);
	assert_int_equal(l.interest, 7);
	assert_int_equal(l.message_count, 2);
	assert_true(l.conversation_started_at > 0);
	assert_true(l.last_message_at >= l.conversation_started_at);
	assert_true(l.created_at > l.conversation_started_at);
	int64_t first_at = l.created_at;
	store_lead_clear(&l);

	/* the same email again: the same lead, not created, but the new consent is recorded */
	cp.text_version = "2024-06";
	cp.interest = 9;
	assert_int_equal(capture_lead(fx, tenant, bot, conv, &cp, again, &created), STORE_OK);
	assert_false(created);
	assert_string_equal(again, lead);
	assert_int_equal(store_lead_get(fx->st, tenant, lead, &l), STORE_OK);
	assert_string_equal(l.consent_text_version, "2024-06");
	assert_true(l.consent_at > first_at);
	assert_int_equal(l.created_at, first_at);
	assert_int_equal(l.interest, 7); /* the lead as first captured */
	store_lead_clear(&l);

	/* another email in the same conversation: a second lead; the contact's email is the newest */
	char lead2[STORE_ID_MAX];
	struct capture cp2 = {.email = "anna.b@example.org", .interest = 5};
	assert_int_equal(capture_lead(fx, tenant, bot, conv, &cp2, lead2, &created), STORE_OK);
	assert_true(created);
	assert_string_not_equal(lead2, lead);
	assert_int_equal(store_lead_get(fx->st, tenant, lead, &l), STORE_OK);
	assert_string_equal(l.email_sealed, "v1.sealed.anna.b@example.org");
	store_lead_clear(&l);

	/* not this tenant's, not this bot's, no such conversation, or a conversation without contact */
	char ghost[STORE_ID_MAX], plain[STORE_ID_MAX], out[STORE_ID_MAX] = "untouched";
	new_id(fx, "conv", ghost);
	new_id(fx, "conv", plain);
	save_exchange(fx, tenant, bot, plain, true, STORE_OK);
	created = true;
	assert_int_equal(capture_lead(fx, other, bot, conv, &cp, out, &created), STORE_NOTFOUND);
	assert_int_equal(capture_lead(fx, tenant, bot2, conv, &cp, out, &created), STORE_NOTFOUND);
	assert_int_equal(capture_lead(fx, tenant, bot, ghost, &cp, out, &created), STORE_NOTFOUND);
	assert_int_equal(capture_lead(fx, tenant, bot, plain, &cp, out, &created), STORE_NOTFOUND);
	assert_string_equal(out, "untouched");
	assert_true(created);
	assert_int_equal(store_lead_get(fx->st, other, lead, &l), STORE_NOTFOUND);

	/* a failing capture (its consent id is taken) changes nothing: the email stays as it was */
	char lid[STORE_ID_MAX], cid[STORE_ID_MAX];
	new_id(fx, "lead", lid);
	new_id(fx, "cons", cid);
	struct store_lead_capture lc = {.tenant_id = tenant, .bot_id = bot, .conversation_id = conv,
					.email_sealed = "v1.sealed.first", .email_bidx = "bidx.first", .lead_id = lid,
					.consent_id = cid, .consent_text_version = "2024-01", .source = "email_capture",
					.channel = "web", .context = "{}", .interest = 3, .now = tick(fx)};
	assert_int_equal(store_lead_capture(fx->st, &lc, out, &created), STORE_OK);
	assert_true(created);
	char lid2[STORE_ID_MAX];
	new_id(fx, "lead", lid2);
	lc.lead_id = lid2;
	lc.email_sealed = "v1.sealed.second";
	lc.email_bidx = "bidx.second";
	lc.now = tick(fx);
	assert_int_equal(store_lead_capture(fx->st, &lc, out, &created), STORE_CONFLICT);
	assert_int_equal(store_lead_get(fx->st, tenant, lid, &l), STORE_OK);
	assert_string_equal(l.email_sealed, "v1.sealed.first");
	store_lead_clear(&l);
	assert_int_equal(store_lead_get(fx->st, tenant, lid2, &l), STORE_NOTFOUND);
}

/* Lists leads into ids (at most 16) with the filter, page by page of `page`; returns the count. */
static int list_leads(struct fixture *fx, const char *tenant, const struct store_lead_filter *f, int page,
		      char ids[16][STORE_ID_MAX])
{
	int total = 0, pages = 0;
	int64_t after_created = 0, prev_created = INT64_MAX;
	char after_id[STORE_ID_MAX] = "", prev_id[STORE_ID_MAX] = "";
	for (;;) {
		struct store_lead *rows = NULL;
		int n = -1;
		assert_int_equal(store_lead_list(fx->st, tenant, f, after_created, pages ? after_id : NULL, page, &rows,
						 &n),
				 STORE_OK);
		assert_in_range(n, 0, page);
		if (n == 0) {
			free(rows);
			break;
		}
		pages++;
		for (int i = 0; i < n; i++) {
			assert_true(rows[i].created_at < prev_created ||
				    (rows[i].created_at == prev_created && strcmp(rows[i].id, prev_id) < 0));
			prev_created = rows[i].created_at;
			memcpy(prev_id, rows[i].id, sizeof prev_id);
			assert_true(total < 16);
			memcpy(ids[total++], rows[i].id, STORE_ID_MAX);
		}
		after_created = rows[n - 1].created_at;
		memcpy(after_id, rows[n - 1].id, sizeof after_id);
		for (int i = 0; i < n; i++)
			store_lead_clear(&rows[i]);
		free(rows);
		assert_true(pages <= 16);
	}
	return total;
}

static bool listed(char ids[16][STORE_ID_MAX], int n, const char *id)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(ids[i], id))
			return true;
	return false;
}

static void test_lead_list(void **state)
{
	struct fixture *fx = *state;
	enum { NLEADS = 7 };
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], bot2[STORE_ID_MAX], obot[STORE_ID_MAX];
	char leads[NLEADS][STORE_ID_MAX], ids[16][STORE_ID_MAX];
	int64_t at[NLEADS];
	bool created;
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	make_bot(fx, tenant, bot2);
	make_bot(fx, other, obot);
	/* leads 0..6 at interest i+3, bot2 for odd ones; leads 2 and 3 in the same millisecond */
	fx->clock += 1000;
	int64_t base = fx->clock;
	for (int i = 0; i < NLEADS; i++) {
		char conv[STORE_ID_MAX], contact[STORE_ID_MAX], email[32];
		make_contact_conversation(fx, tenant, i % 2 ? bot2 : bot, conv, contact);
		at[i] = base + 100 * (i == 3 ? 2 : i);
		snprintf(email, sizeof email, "lead%d@example.org", i);
		struct capture cp = {.email = email, .interest = i + 3, .now = at[i]};
		assert_int_equal(capture_lead(fx, tenant, i % 2 ? bot2 : bot, conv, &cp, leads[i], &created), STORE_OK);
		assert_true(created);
	}
	fx->clock = base + 10000;
	/* another tenant's lead is never listed */
	char oconv[STORE_ID_MAX], ocontact[STORE_ID_MAX], olead[STORE_ID_MAX];
	make_contact_conversation(fx, other, obot, oconv, ocontact);
	struct capture ocp = {.email = "other@example.org", .interest = 10, .now = base + 50};
	assert_int_equal(capture_lead(fx, other, obot, oconv, &ocp, olead, &created), STORE_OK);

	/* everything, in pages of 2 (the page boundary falls inside the millisecond of leads 2 and 3) */
	for (int page = 1; page <= 3; page++) {
		int n = list_leads(fx, tenant, NULL, page, ids);
		assert_int_equal(n, NLEADS);
		assert_string_equal(ids[0], leads[6]);
		assert_false(listed(ids, n, olead));
		for (int i = 0; i < NLEADS; i++)
			assert_true(listed(ids, n, leads[i]));
	}
	struct store_lead_filter f = {0};
	assert_int_equal(list_leads(fx, tenant, &f, 4, ids), NLEADS);

	/* by bot */
	f.bot_id = bot2;
	int n = list_leads(fx, tenant, &f, 2, ids);
	assert_int_equal(n, 3);
	assert_true(listed(ids, n, leads[1]) && listed(ids, n, leads[3]) && listed(ids, n, leads[5]));
	f.bot_id = obot; /* another tenant's bot */
	assert_int_equal(list_leads(fx, tenant, &f, 2, ids), 0);

	/* by time: [from, to) */
	f = (struct store_lead_filter){.from_ms = at[2], .to_ms = at[5]};
	n = list_leads(fx, tenant, &f, 2, ids);
	assert_int_equal(n, 3); /* leads 2, 3 (same ms as 2) and 4; 5 is at the bound and left out */
	assert_true(listed(ids, n, leads[2]) && listed(ids, n, leads[3]) && listed(ids, n, leads[4]));
	f = (struct store_lead_filter){.from_ms = at[5]};
	n = list_leads(fx, tenant, &f, 10, ids);
	assert_int_equal(n, 2);
	f = (struct store_lead_filter){.to_ms = at[1]};
	n = list_leads(fx, tenant, &f, 10, ids);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], leads[0]);

	/* by interest, and everything together */
	f = (struct store_lead_filter){.min_interest = 8};
	n = list_leads(fx, tenant, &f, 2, ids);
	assert_int_equal(n, 2); /* interest 8 and 9: leads 5 and 6 */
	assert_true(listed(ids, n, leads[5]) && listed(ids, n, leads[6]));
	f = (struct store_lead_filter){.bot_id = bot, .from_ms = at[1], .to_ms = at[6] + 1, .min_interest = 6};
	n = list_leads(fx, tenant, &f, 1, ids);
	assert_int_equal(n, 2); /* bot's leads 4 and 6 (interest 7, 9); lead 2 has 5 */
	assert_string_equal(ids[0], leads[6]);
	assert_string_equal(ids[1], leads[4]);

	/* the listed row carries the same data as lead_get */
	struct store_lead *rows = NULL, one = {0};
	assert_int_equal(store_lead_list(fx->st, tenant, NULL, 0, NULL, 1, &rows, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_lead_get(fx->st, tenant, rows[0].id, &one), STORE_OK);
	assert_string_equal(one.contact_id, rows[0].contact_id);
	assert_string_equal(one.email_sealed, rows[0].email_sealed);
	assert_string_equal(one.email_sealed, "v1.sealed.lead6@example.org");
	assert_string_equal(one.contact_wrapped_key, rows[0].contact_wrapped_key);
	assert_string_equal(one.consent_text_version, rows[0].consent_text_version);
	assert_int_equal(one.consent_at, rows[0].consent_at);
	assert_int_equal(one.interest, rows[0].interest);
	assert_int_equal(one.message_count, rows[0].message_count);
	assert_int_equal(one.conversation_started_at, rows[0].conversation_started_at);
	assert_int_equal(one.last_message_at, rows[0].last_message_at);
	assert_int_equal(one.created_at, at[6]);
	store_lead_clear(&one);
	store_lead_clear(&rows[0]);
	free(rows);

	/* deleting a bot removes its contacts and leads */
	assert_int_equal(store_bot_delete(fx->st, tenant, bot2), STORE_OK);
	n = list_leads(fx, tenant, NULL, 10, ids);
	assert_int_equal(n, 4);
	assert_false(listed(ids, n, leads[1]));
	assert_int_equal(store_lead_get(fx->st, tenant, leads[3], &one), STORE_NOTFOUND);
}

struct erased {
	int n;
	char ids[64][STORE_ID_MAX];
};

static int collect_erasure(void *ud, const char *contact_id)
{
	struct erased *e = ud;
	if (e->n < 64)
		snprintf(e->ids[e->n++], STORE_ID_MAX, "%s", contact_id);
	return 0;
}

static bool was_erased(struct fixture *fx, const char *contact)
{
	struct erased *e = calloc(1, sizeof *e);
	assert_non_null(e);
	assert_int_equal(store_erasure_list(fx->st, collect_erasure, e), STORE_OK);
	bool found = false;
	for (int i = 0; i < e->n; i++)
		found = found || !strcmp(e->ids[i], contact);
	free(e);
	return found;
}

static int stop_at_first(void *ud, const char *contact_id)
{
	(void)contact_id;
	++*(int *)ud;
	return 42;
}

static void test_contact_erase(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX];
	char conv[STORE_ID_MAX], contact[STORE_ID_MAX], lead[STORE_ID_MAX];
	char kconv[STORE_ID_MAX], kcontact[STORE_ID_MAX], klead[STORE_ID_MAX], found[STORE_ID_MAX], ids[16][STORE_ID_MAX];
	bool created;
	char *key = NULL;
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	make_contact_conversation(fx, tenant, bot, conv, contact);
	save_exchange(fx, tenant, bot, conv, false, STORE_OK);
	make_contact_conversation(fx, tenant, bot, kconv, kcontact); /* another visitor: kept */
	struct capture cp = {.email = "gone@example.org", .interest = 6};
	assert_int_equal(capture_lead(fx, tenant, bot, conv, &cp, lead, &created), STORE_OK);
	assert_int_equal(capture_lead(fx, tenant, bot, conv, &cp, lead, &created), STORE_OK); /* two consents */
	struct capture kcp = {.email = "kept@example.org", .interest = 6};
	assert_int_equal(capture_lead(fx, tenant, bot, kconv, &kcp, klead, &created), STORE_OK);
	assert_false(was_erased(fx, contact));

	/* another tenant cannot erase it; an unknown contact is not found */
	char ghost[STORE_ID_MAX];
	new_id(fx, "ct", ghost);
	assert_int_equal(store_contact_erase(fx->st, other, contact, tick(fx)), STORE_NOTFOUND);
	assert_int_equal(store_contact_erase(fx->st, tenant, ghost, tick(fx)), STORE_NOTFOUND);
	assert_false(was_erased(fx, contact));
	assert_false(was_erased(fx, ghost));
	assert_int_equal(store_conversation_contact(fx->st, tenant, bot, conv, found, &key), STORE_OK);
	free(key);

	assert_int_equal(store_contact_erase(fx->st, tenant, contact, tick(fx)), STORE_OK);
	assert_int_equal(store_conversation_contact(fx->st, tenant, bot, conv, found, &key), STORE_NOTFOUND);
	assert_int_equal(store_conversation_exists(fx->st, tenant, bot, conv), STORE_NOTFOUND);
	assert_int_equal(count_messages(fx, tenant, conv), 0);
	struct store_lead l;
	assert_int_equal(store_lead_get(fx->st, tenant, lead, &l), STORE_NOTFOUND);
	int n = list_leads(fx, tenant, NULL, 10, ids);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], klead);
	assert_true(was_erased(fx, contact));
	/* erased means gone: a second erase finds nothing, and the record stays */
	assert_int_equal(store_contact_erase(fx->st, tenant, contact, tick(fx)), STORE_NOTFOUND);
	assert_true(was_erased(fx, contact));
	/* and its conversation cannot be written to any more */
	save_exchange(fx, tenant, bot, conv, false, STORE_NOTFOUND);
	struct capture again = {.email = "gone@example.org", .interest = 6};
	assert_int_equal(capture_lead(fx, tenant, bot, conv, &again, found, &created), STORE_NOTFOUND);

	/* the other visitor keeps everything */
	assert_int_equal(store_conversation_contact(fx->st, tenant, bot, kconv, found, &key), STORE_OK);
	assert_string_equal(found, kcontact);
	free(key);
	assert_int_equal(count_messages(fx, tenant, kconv), 2);
	assert_int_equal(store_lead_get(fx->st, tenant, klead, &l), STORE_OK);
	assert_string_equal(l.email_sealed, "v1.sealed.kept@example.org");
	store_lead_clear(&l);
	assert_false(was_erased(fx, kcontact));

	/* emit's non-zero return stops the walk and is returned */
	int calls = 0;
	assert_int_equal(store_erasure_list(fx->st, stop_at_first, &calls), 42);
	assert_int_equal(calls, 1);
}

/* An erasure while the visitor keeps chatting: exchanges either commit before it (and their rows are
 * erased with the rest) or find no conversation after it; nothing of the contact is left behind. */
struct erase_racer {
	struct fixture *fx;
	const char *tenant, *bot, *conv;
	int index, saved, failures;
	volatile int *stop;
};

static void *erase_racer_run(void *arg)
{
	struct erase_racer *w = arg;
	for (int r = 0; r < 200 && !*w->stop; r++) {
		char um[STORE_ID_MAX], bm[STORE_ID_MAX];
		snprintf(um, sizeof um, "msg_e%d_%d_u", w->index, r);
		snprintf(bm, sizeof bm, "msg_e%d_%d_b", w->index, r);
		struct store_exchange x = {.tenant_id = w->tenant, .bot_id = w->bot, .conversation_id = w->conv,
					   .channel = "web", .user_msg_id = um, .user_text = "v1.q", .bot_msg_id = bm,
					   .bot_text = "v1.a", .bot_meta = "{}", .latency_ms = r, .now = 1800000000000 + r};
		int rc = store_exchange_save(w->fx->st, &x);
		if (rc == STORE_NOTFOUND)
			break; /* erased */
		if (rc == STORE_OK)
			__atomic_add_fetch(&w->saved, 1, __ATOMIC_RELAXED);
		else
			w->failures++;
	}
	return NULL;
}

static void test_erase_while_chatting(void **state)
{
	struct fixture *fx = *state;
	enum { RACERS = 4 };
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX], conv[STORE_ID_MAX], contact[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	make_contact_conversation(fx, tenant, bot, conv, contact);
	volatile int stop = 0;
	struct erase_racer w[RACERS];
	pthread_t th[RACERS];
	for (int i = 0; i < RACERS; i++) {
		w[i] = (struct erase_racer){.fx = fx, .tenant = tenant, .bot = bot, .conv = conv, .index = i, .stop = &stop};
		assert_int_equal(pthread_create(&th[i], NULL, erase_racer_run, &w[i]), 0);
	}
	/* erase once the chat is well under way */
	for (int spins = 0; spins < 2000; spins++) {
		int saved = 0;
		for (int i = 0; i < RACERS; i++)
			saved += __atomic_load_n(&w[i].saved, __ATOMIC_RELAXED);
		if (saved >= 20)
			break;
		usleep(1000);
	}
	assert_int_equal(store_contact_erase(fx->st, tenant, contact, tick(fx)), STORE_OK);
	stop = 1;
	for (int i = 0; i < RACERS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].failures, 0);
	}
	assert_int_equal(count_messages(fx, tenant, conv), 0);
	assert_int_equal(store_conversation_exists(fx->st, tenant, bot, conv), STORE_NOTFOUND);
	assert_true(was_erased(fx, contact));
}

/* A restored backup still holds an erased contact's rows: purge deletes them (whatever the tenant) and
 * records the erasure in the restored database too. Here the "restored" rows are live rows of a store
 * that has not seen the erasure. */
static void test_contact_purge(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX], conv[STORE_ID_MAX], contact[STORE_ID_MAX], lead[STORE_ID_MAX];
	char kconv[STORE_ID_MAX], kcontact[STORE_ID_MAX], found[STORE_ID_MAX], ids[16][STORE_ID_MAX];
	bool created;
	char *key = NULL;
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	make_contact_conversation(fx, tenant, bot, conv, contact);
	make_contact_conversation(fx, tenant, bot, kconv, kcontact);
	struct capture cp = {.email = "restored@example.org", .interest = 4};
	assert_int_equal(capture_lead(fx, tenant, bot, conv, &cp, lead, &created), STORE_OK);

	assert_int_equal(store_contact_purge(fx->st, contact, tick(fx)), STORE_OK);
	assert_int_equal(store_conversation_contact(fx->st, tenant, bot, conv, found, &key), STORE_NOTFOUND);
	assert_int_equal(store_conversation_exists(fx->st, tenant, bot, conv), STORE_NOTFOUND);
	assert_int_equal(count_messages(fx, tenant, conv), 0);
	struct store_lead l;
	assert_int_equal(store_lead_get(fx->st, tenant, lead, &l), STORE_NOTFOUND);
	assert_int_equal(list_leads(fx, tenant, NULL, 10, ids), 0);
	assert_int_equal(store_contact_erase(fx->st, tenant, contact, tick(fx)), STORE_NOTFOUND);
	assert_true(was_erased(fx, contact));

	/* again, or a contact of which nothing is left: fine, and recorded */
	assert_int_equal(store_contact_purge(fx->st, contact, tick(fx)), STORE_OK);
	char ghost[STORE_ID_MAX];
	new_id(fx, "ct", ghost);
	assert_int_equal(store_contact_purge(fx->st, ghost, tick(fx)), STORE_OK);
	assert_true(was_erased(fx, ghost));

	/* the other contact is untouched */
	assert_int_equal(store_conversation_contact(fx->st, tenant, bot, kconv, found, &key), STORE_OK);
	assert_string_equal(found, kcontact);
	free(key);
	assert_false(was_erased(fx, kcontact));
}

/* ---- knowledge version and chunk listing ------------------------------------------------------------ */

static int64_t knowledge_version(struct fixture *fx, const char *tenant, const char *bot)
{
	struct store_bot b = {0};
	assert_int_equal(store_bot_get(fx->st, tenant, bot, &b), STORE_OK);
	int64_t v = b.knowledge_version;
	store_bot_clear(&b);
	return v;
}

/* store_bot_get_public and store_bot_list report the same version as store_bot_get. */
static void assert_version_everywhere(struct fixture *fx, const char *tenant, const char *bot, int64_t want)
{
	struct store_bot b = {0}, rows[8];
	int n = -1;
	assert_int_equal(knowledge_version(fx, tenant, bot), want);
	assert_int_equal(store_bot_get_public(fx->st, bot, &b), STORE_OK);
	assert_int_equal(b.knowledge_version, want);
	store_bot_clear(&b);
	assert_int_equal(store_bot_list(fx->st, tenant, 0, NULL, 8, rows, &n), STORE_OK);
	bool found = false;
	for (int i = 0; i < n; i++) {
		if (strcmp(rows[i].id, bot) == 0) {
			assert_int_equal(rows[i].knowledge_version, want);
			found = true;
		}
		store_bot_clear(&rows[i]);
	}
	assert_true(found);
}

static void test_knowledge_version(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], intruder[STORE_ID_MAX], bot[STORE_ID_MAX], other_bot[STORE_ID_MAX];
	char s1[STORE_ID_MAX], s2[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_tenant(fx, intruder);
	make_bot(fx, tenant, bot);
	make_bot(fx, tenant, other_bot);
	assert_version_everywhere(fx, tenant, bot, 0);

	const struct store_chunk_in c1[] = {{"Preise", "Die Monatskarte kostet 39 Euro.", 0, NULL, 0},
					    {"Preise > Rabatt", "Studierende zahlen 29 Euro.", 1, NULL, 0}};
	const struct store_chunk_in c2[] = {{"", "Die Sauna ist im Beitrag enthalten.", 0, NULL, 0}};
	make_source(fx, tenant, bot, "Preisliste", c1, 2, s1);
	assert_version_everywhere(fx, tenant, bot, 1);
	make_source(fx, tenant, bot, "Wellness", c2, 1, s2);
	assert_version_everywhere(fx, tenant, bot, 2);
	/* a source without chunks is still a change of the bot's knowledge */
	char s3[STORE_ID_MAX];
	make_source(fx, tenant, bot, "Leer", NULL, 0, s3);
	assert_int_equal(knowledge_version(fx, tenant, bot), 3);
	/* the other bot of the same tenant is not touched */
	assert_int_equal(knowledge_version(fx, tenant, other_bot), 0);

	/* bot_update leaves it alone */
	struct store_bot u = {.name = "Empfang 2", .config = "{\"lang\":\"en\"}", .active = false};
	snprintf(u.id, sizeof u.id, "%s", bot);
	snprintf(u.tenant_id, sizeof u.tenant_id, "%s", tenant);
	u.updated_at = tick(fx);
	u.knowledge_version = 99; /* ignored */
	assert_int_equal(store_bot_update(fx->st, &u), STORE_OK);
	assert_version_everywhere(fx, tenant, bot, 3);

	/* failed creates change nothing: another tenant's bot, an unknown bot, a duplicate source id */
	struct store_source s = {.kind = "text", .title = "fremd", .status = "done", .chars = 4, .chunks = 1};
	new_id(fx, "src", s.id);
	snprintf(s.bot_id, sizeof s.bot_id, "%s", bot);
	s.created_at = s.updated_at = tick(fx);
	assert_int_equal(store_source_create(fx->st, intruder, &s, c2, 1), STORE_NOTFOUND);
	snprintf(s.bot_id, sizeof s.bot_id, "%s", "bot_nobody");
	assert_int_equal(store_source_create(fx->st, tenant, &s, c2, 1), STORE_NOTFOUND);
	snprintf(s.bot_id, sizeof s.bot_id, "%s", bot);
	snprintf(s.id, sizeof s.id, "%s", s1);
	assert_int_equal(store_source_create(fx->st, tenant, &s, c2, 1), STORE_CONFLICT);
	assert_int_equal(knowledge_version(fx, tenant, bot), 3);

	/* deletes: +1 each; failed ones change nothing */
	assert_int_equal(store_source_delete(fx->st, tenant, bot, s1), STORE_OK);
	assert_version_everywhere(fx, tenant, bot, 4);
	assert_int_equal(store_source_delete(fx->st, tenant, bot, s1), STORE_NOTFOUND);
	assert_int_equal(store_source_delete(fx->st, intruder, bot, s2), STORE_NOTFOUND);
	assert_int_equal(store_source_delete(fx->st, tenant, other_bot, s2), STORE_NOTFOUND);
	assert_int_equal(knowledge_version(fx, tenant, bot), 4);
	assert_int_equal(knowledge_version(fx, tenant, other_bot), 0);
	assert_int_equal(store_source_delete(fx->st, tenant, bot, s2), STORE_OK);
	assert_int_equal(knowledge_version(fx, tenant, bot), 5);

	/* a new bot under a deleted bot's id starts at 0 again */
	assert_int_equal(store_bot_delete(fx->st, tenant, bot), STORE_OK);
	struct store_bot b = {.name = "Neu", .config = "{}", .active = true};
	snprintf(b.id, sizeof b.id, "%s", bot);
	snprintf(b.tenant_id, sizeof b.tenant_id, "%s", tenant);
	b.created_at = b.updated_at = tick(fx);
	b.knowledge_version = 42; /* ignored */
	assert_int_equal(store_bot_create(fx->st, &b), STORE_OK);
	assert_int_equal(knowledge_version(fx, tenant, bot), 0);
}

/* What a chunk_list walk saw (copies: the row strings are only valid during the call). */
enum { LISTED_MAX = 16 };
struct listed {
	int n;            /* rows seen */
	int stop_after;   /* return stop_rc after this many rows; 0: never */
	int stop_rc;
	int64_t id[LISTED_MAX];
	char title[LISTED_MAX][64];
	char heading[LISTED_MAX][64];
	char text[LISTED_MAX][128];
};

static int collect_chunk(void *ud, const struct store_chunk_row *row)
{
	struct listed *l = ud;
	assert_true(l->n < LISTED_MAX);
	assert_non_null(row->title);
	assert_non_null(row->heading);
	assert_non_null(row->text);
	l->id[l->n] = row->chunk_id;
	snprintf(l->title[l->n], sizeof l->title[0], "%s", row->title);
	snprintf(l->heading[l->n], sizeof l->heading[0], "%s", row->heading);
	snprintf(l->text[l->n], sizeof l->text[0], "%s", row->text);
	l->n++;
	return l->stop_after > 0 && l->n >= l->stop_after ? l->stop_rc : 0;
}

static void test_chunk_list(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], intruder[STORE_ID_MAX], bot[STORE_ID_MAX], other_bot[STORE_ID_MAX];
	char s1[STORE_ID_MAX], s2[STORE_ID_MAX], s3[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_tenant(fx, intruder);
	make_bot(fx, tenant, bot);
	make_bot(fx, tenant, other_bot);

	/* a bot without chunks: OK, nothing emitted */
	struct listed *l = calloc(1, sizeof *l);
	assert_non_null(l);
	assert_int_equal(store_chunk_list(fx->st, tenant, bot, collect_chunk, l), STORE_OK);
	assert_int_equal(l->n, 0);

	const struct store_chunk_in c1[] = {
		{"Kurse > Yoga", "Yoga findet dienstags im Raum Lotus statt.", 0, NULL, 0},
		{"Kurse > Pilates", "Pilates gibt es donnerstags.", 1, NULL, 0},
		{"Kurse > Spinning", "Spinning am Wochenende.", 2, NULL, 0},
	};
	const struct store_chunk_in c2[] = {{"", "Sauna ist im Beitrag enthalten.", 0, NULL, 0}};
	const struct store_chunk_in c3[] = {{"Team", "Trainerin Anna leitet das Zirkeltraining.", 0, NULL, 0},
					    {"Team > Empfang", "Am Empfang sitzt Ben.", 1, NULL, 0}};
	make_source(fx, tenant, bot, "Kursplan", c1, 3, s1);
	make_source(fx, tenant, other_bot, "Andere", c2, 1, s3); /* must never show up under `bot` */
	make_source(fx, tenant, bot, "Wellness & Team", c2, 1, s2);
	char s4[STORE_ID_MAX];
	make_source(fx, tenant, bot, "Team", c3, 2, s4);

	/* every chunk, in chunk id order (which is insertion order here), with its source title */
	static const struct {
		const char *title, *heading, *text;
	} want[] = {
		{"Kursplan", "Kurse > Yoga", "Yoga findet dienstags im Raum Lotus statt."},
		{"Kursplan", "Kurse > Pilates", "Pilates gibt es donnerstags."},
		{"Kursplan", "Kurse > Spinning", "Spinning am Wochenende."},
		{"Wellness & Team", "", "Sauna ist im Beitrag enthalten."},
		{"Team", "Team", "Trainerin Anna leitet das Zirkeltraining."},
		{"Team", "Team > Empfang", "Am Empfang sitzt Ben."},
	};
	enum { NWANT = sizeof want / sizeof want[0] };
	memset(l, 0, sizeof *l);
	assert_int_equal(store_chunk_list(fx->st, tenant, bot, collect_chunk, l), STORE_OK);
	assert_int_equal(l->n, NWANT);
	for (int i = 0; i < NWANT; i++) {
		if (i > 0)
			assert_true(l->id[i] > l->id[i - 1]);
		assert_string_equal(l->title[i], want[i].title);
		assert_string_equal(l->heading[i], want[i].heading);
		assert_string_equal(l->text[i], want[i].text);
	}
	int64_t kept[3] = {l->id[3], l->id[4], l->id[5]}; /* the chunks of s2 and s4 */
	/* the ids are the ones search reports */
	const char *words[] = {"Pilates"};
	struct store_hit hits[16];
	int n = search(fx, tenant, bot, words, 1, hits);
	assert_int_equal(n, 1);
	assert_int_equal(hits[0].chunk_id, l->id[1]);
	clear_hits(hits, n);

	/* a non-zero return stops the walk and comes back as the result */
	memset(l, 0, sizeof *l);
	l->stop_after = 2;
	l->stop_rc = 7;
	assert_int_equal(store_chunk_list(fx->st, tenant, bot, collect_chunk, l), 7);
	assert_int_equal(l->n, 2);
	memset(l, 0, sizeof *l);
	l->stop_after = 1;
	l->stop_rc = -1234;
	assert_int_equal(store_chunk_list(fx->st, tenant, bot, collect_chunk, l), -1234);
	assert_int_equal(l->n, 1);

	/* another tenant, or no such bot: NOTFOUND, nothing emitted */
	memset(l, 0, sizeof *l);
	assert_int_equal(store_chunk_list(fx->st, intruder, bot, collect_chunk, l), STORE_NOTFOUND);
	assert_int_equal(store_chunk_list(fx->st, tenant, "bot_nobody", collect_chunk, l), STORE_NOTFOUND);
	assert_int_equal(l->n, 0);

	/* a deleted source's chunks are gone; the others keep their ids */
	memset(l, 0, sizeof *l);
	assert_int_equal(store_source_delete(fx->st, tenant, bot, s1), STORE_OK);
	assert_int_equal(store_chunk_list(fx->st, tenant, bot, collect_chunk, l), STORE_OK);
	assert_int_equal(l->n, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(l->id[i], kept[i]);
	assert_string_equal(l->text[0], want[3].text);
	assert_string_equal(l->title[2], "Team");
	assert_string_equal(l->heading[2], "Team > Empfang");

	/* the other bot lists only its own chunk */
	memset(l, 0, sizeof *l);
	assert_int_equal(store_chunk_list(fx->st, tenant, other_bot, collect_chunk, l), STORE_OK);
	assert_int_equal(l->n, 1);
	assert_string_equal(l->title[0], "Andere");

	/* after the bot is deleted it is simply not found */
	assert_int_equal(store_bot_delete(fx->st, tenant, bot), STORE_OK);
	memset(l, 0, sizeof *l);
	assert_int_equal(store_chunk_list(fx->st, tenant, bot, collect_chunk, l), STORE_NOTFOUND);
	assert_int_equal(l->n, 0);
	free(l);
}

/* Source changes of one bot from several threads at once (with chats and bot updates in between): no
 * change is lost from the version, none fails (no deadlock on PostgreSQL), and the chunks add up. */
enum { KV_WORKERS = 4, KV_SOURCES = 5, KV_DELETES = 2 };

struct kv_worker {
	struct fixture *fx;
	const char *tenant, *bot;
	int index;
	int failures;
};

static void *kv_worker_run(void *arg)
{
	struct kv_worker *w = arg;
	const struct store_chunk_in chunks[] = {{"A", "Erster Abschnitt.", 0, NULL, 0}, {"B", "Zweiter Abschnitt.", 1, NULL, 0}};
	char ids[KV_SOURCES][STORE_ID_MAX];
	for (int i = 0; i < KV_SOURCES; i++) {
		struct store_source s = {.kind = "text", .title = "parallel", .status = "done", .chars = 34,
					 .chunks = 2, .created_at = 1800000000000 + i, .updated_at = 1800000000000 + i};
		snprintf(ids[i], sizeof ids[i], "src_kv%d_%d", w->index, i);
		snprintf(s.id, sizeof s.id, "%s", ids[i]);
		snprintf(s.bot_id, sizeof s.bot_id, "%s", w->bot);
		if (store_source_create(w->fx->st, w->tenant, &s, chunks, 2) != STORE_OK)
			w->failures++;
		struct store_bot u = {.name = "parallel", .config = "{}", .active = true,
				      .updated_at = 1800000000000 + i};
		snprintf(u.id, sizeof u.id, "%s", w->bot);
		snprintf(u.tenant_id, sizeof u.tenant_id, "%s", w->tenant);
		if (store_bot_update(w->fx->st, &u) != STORE_OK)
			w->failures++;
		if (store_analytics_add(w->fx->st, w->tenant, w->bot, "chat", "{}", 1800000000000 + i) != STORE_OK)
			w->failures++;
	}
	for (int i = 0; i < KV_DELETES; i++)
		if (store_source_delete(w->fx->st, w->tenant, w->bot, ids[i]) != STORE_OK)
			w->failures++;
	return NULL;
}

static int count_chunk(void *ud, const struct store_chunk_row *row)
{
	(void)row;
	++*(int *)ud;
	return 0;
}

static void test_knowledge_version_concurrent(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	struct kv_worker w[KV_WORKERS];
	pthread_t th[KV_WORKERS];
	for (int i = 0; i < KV_WORKERS; i++)
		w[i] = (struct kv_worker){.fx = fx, .tenant = tenant, .bot = bot, .index = i};
	for (int i = 0; i < KV_WORKERS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, kv_worker_run, &w[i]), 0);
	for (int i = 0; i < KV_WORKERS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < KV_WORKERS; i++)
		assert_int_equal(w[i].failures, 0);
	assert_int_equal(knowledge_version(fx, tenant, bot), KV_WORKERS * (KV_SOURCES + KV_DELETES));
	int chunks = 0;
	assert_int_equal(store_chunk_list(fx->st, tenant, bot, count_chunk, &chunks), STORE_OK);
	assert_int_equal(chunks, KV_WORKERS * (KV_SOURCES - KV_DELETES) * 2);
}

/* A database made by an older build (schema version 1, with a bot in it) is brought up to date when the
 * store opens it: the bot keeps its data and gets knowledge_version 0, and the new behaviour works. The
 * old database is built with the backend's own open and the 001 file alone, as that build would have. */
static void test_migrates_from_version_1(void **state)
{
	struct fixture *fx = *state;
	bool sqlite = strcmp(fx->backend, "sqlite") == 0;
	char url[1024], path[256] = "", dbname[96] = "", sql[200], suffix[32];
	if (sqlite) {
		const char *tmp = getenv("TMPDIR");
		snprintf(path, sizeof path, "%s/botwerk-test-store-v1-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		int fd = mkstemp(path);
		assert_true(fd >= 0);
		close(fd);
		snprintf(url, sizeof url, "%s", path);
	} else {
		snprintf(dbname, sizeof dbname, "%s_v1", fx->dbname);
		snprintf(sql, sizeof sql, "CREATE DATABASE %s", dbname);
		assert_true(admin_exec(fx->admin, sql));
		assert_true(url_with_db(getenv("BOTWERK_TEST_PG_URL"), dbname, url, sizeof url));
	}

	struct store_opts o = {.url = url, .pool_size = 1, .busy_timeout_ms = 5000, .tokenize = terms_tokenize,
			       .tokenize_ctx = fx->terms};
	char err[512] = "";
	struct store *old = sqlite ? store_sqlite_open(&o, err, sizeof err) : store_pg_open(&o, err, sizeof err);
	if (!old)
		fprintf(stderr, "opening the old database failed: %s\n", err);
	assert_non_null(old);
	const struct store_sql_file *init = NULL;
	snprintf(suffix, sizeof suffix, ".%s.sql", fx->backend);
	for (size_t i = 0; i < store_sql_files_count; i++) {
		const char *name = store_sql_files[i].name;
		size_t n = strlen(name), m = strlen(suffix);
		if (strncmp(name, "001_", 4) == 0 && n > m && strcmp(name + n - m, suffix) == 0)
			init = &store_sql_files[i];
	}
	assert_non_null(init);
	assert_int_equal(old->ops->apply_migration(old, 1, init->name, init->sql), STORE_OK);
	int v = -1;
	assert_int_equal(old->ops->schema_version(old, &v), STORE_OK);
	assert_int_equal(v, 1);
	char tenant[STORE_ID_MAX];
	new_id(fx, "ten", tenant);
	assert_int_equal(old->ops->tenant_create(old, tenant, "Altbestand", tick(fx)), STORE_OK);
	struct store_bot ob = {.name = "Alter Bot", .config = "{\"lang\":\"fr\"}", .active = true};
	new_id(fx, "bot", ob.id);
	snprintf(ob.tenant_id, sizeof ob.tenant_id, "%s", tenant);
	ob.created_at = ob.updated_at = tick(fx);
	assert_int_equal(old->ops->bot_create(old, &ob), STORE_OK);
	old->ops->close(old);

	struct store *st = open_store(fx, url);
	assert_non_null(st);
	int current = -1;
	assert_int_equal(store_schema_version(fx->st, &current), STORE_OK);
	assert_int_equal(store_schema_version(st, &v), STORE_OK);
	assert_true(v >= 2);
	assert_int_equal(v, current); /* the same as a database made by this build */

	struct store_bot b = {0};
	assert_int_equal(store_bot_get(st, tenant, ob.id, &b), STORE_OK);
	assert_string_equal(b.name, "Alter Bot");
	assert_string_equal(b.config, "{\"lang\":\"fr\"}");
	assert_int_equal(b.created_at, ob.created_at);
	assert_int_equal(b.knowledge_version, 0);
	store_bot_clear(&b);

	struct store *mine = fx->st; /* make_source writes through fx->st */
	fx->st = st;
	char src[STORE_ID_MAX];
	const struct store_chunk_in chunks[] = {{"Anfahrt", "Bus 12 hält vor der Tür.", 0, NULL, 0}};
	make_source(fx, tenant, ob.id, "Wegbeschreibung", chunks, 1, src);
	fx->st = mine;
	assert_int_equal(store_bot_get(st, tenant, ob.id, &b), STORE_OK);
	assert_int_equal(b.knowledge_version, 1);
	store_bot_clear(&b);
	struct listed *l = calloc(1, sizeof *l);
	assert_non_null(l);
	assert_int_equal(store_chunk_list(st, tenant, ob.id, collect_chunk, l), STORE_OK);
	assert_int_equal(l->n, 1);
	assert_string_equal(l->title[0], "Wegbeschreibung");
	free(l);
	store_close(st);

	if (sqlite) {
		remove_sqlite_files(path);
	} else {
		snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", dbname);
		assert_true(admin_exec(fx->admin, sql));
	}
}

/* Several threads share one store (more threads than PostgreSQL pool connections). */
struct worker {
	struct fixture *fx;
	const char *tenant, *bot;
	char conv[STORE_ID_MAX];
	int index;
	int failures;
};

enum { WORKERS = 6, ROUNDS = 20 };

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	for (int r = 0; r < ROUNDS; r++) {
		char um[STORE_ID_MAX], bm[STORE_ID_MAX];
		snprintf(um, sizeof um, "msg_w%d_%d_u", w->index, r);
		snprintf(bm, sizeof bm, "msg_w%d_%d_b", w->index, r);
		struct store_exchange x = {.tenant_id = w->tenant, .bot_id = w->bot, .conversation_id = w->conv,
					   .new_conversation = r == 0, .channel = "web", .user_msg_id = um,
					   .user_text = "Frage", .bot_msg_id = bm, .bot_text = "Antwort",
					   .bot_meta = "{}", .latency_ms = r, .now = 1800000000000 + r};
		if (store_exchange_save(w->fx->st, &x) != STORE_OK)
			w->failures++;
		struct store_bot b;
		if (store_bot_get(w->fx->st, w->tenant, w->bot, &b) == STORE_OK)
			store_bot_clear(&b);
		else
			w->failures++;
	}
	return NULL;
}

static void test_threads_share_the_store(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	struct worker w[WORKERS];
	pthread_t th[WORKERS];
	for (int i = 0; i < WORKERS; i++) {
		w[i] = (struct worker){.fx = fx, .tenant = tenant, .bot = bot, .index = i};
		new_id(fx, "conv", w[i].conv);
	}
	for (int i = 0; i < WORKERS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, worker_run, &w[i]), 0);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < WORKERS; i++) {
		assert_int_equal(w[i].failures, 0);
		assert_int_equal(count_messages(fx, tenant, w[i].conv), 2 * ROUNDS);
	}
}

/* PostgreSQL only: the server drops our sessions; the pool notices and reconnects. */
static void test_pg_reconnects(void **state)
{
	struct fixture *fx = *state;
	const char *params[] = {fx->dbname};
	PGresult *r = PQexecParams(fx->admin,
				   "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
				   "WHERE datname = $1 AND pid <> pg_backend_pid()",
				   1, NULL, params, NULL, NULL, 0);
	assert_non_null(r);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	assert_true(atoi(PQgetvalue(r, 0, 0)) >= 1);
	PQclear(r);
	/* The first use of a killed session may fail (it is then marked broken); after at most one
	 * failure per pooled session every call works again. */
	int ok = 0;
	for (int i = 0; i < TEST_POOL_SIZE + 1 && !ok; i++)
		ok = store_ping(fx->st) == STORE_OK;
	assert_true(ok);
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX];
	for (int i = 0; i < TEST_POOL_SIZE; i++)
		store_ping(fx->st); /* let every session that died meet its reset */
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	struct store_bot b;
	assert_int_equal(store_bot_get(fx->st, tenant, bot, &b), STORE_OK);
	store_bot_clear(&b);
}

/* PostgreSQL only: an unreachable server fails at open with a message. */
static void test_pg_open_fails_cleanly(void **state)
{
	struct fixture *fx = *state;
	struct store_opts o = {.url = "postgres://postgres@127.0.0.1:1/nowhere?connect_timeout=2",
			       .pool_size = 2,
			       .tokenize = terms_tokenize,
			       .tokenize_ctx = fx->terms};
	char err[256] = "";
	assert_null(store_open(&o, err, sizeof err));
	assert_true(strlen(err) > 0);
	assert_null(strchr(err, '\n'));
}

#define CONTRACT_TESTS                                                                                      \
	cmocka_unit_test(test_open_and_version), cmocka_unit_test(test_tenant_create_get),                \
		cmocka_unit_test(test_apikey_lifecycle), cmocka_unit_test(test_bot_crud),                  \
		cmocka_unit_test(test_other_tenant_sees_nothing), cmocka_unit_test(test_bot_pagination),   \
		cmocka_unit_test(test_source_lifecycle), cmocka_unit_test(test_search), cmocka_unit_test(test_search_min_match),                    \
		cmocka_unit_test(test_exchange), cmocka_unit_test(test_analytics),                         \
		cmocka_unit_test(test_bot_delete_cascades), cmocka_unit_test(test_knowledge_version),      \
		cmocka_unit_test(test_knowledge_version_concurrent),                                        \
		cmocka_unit_test(test_chunk_list), cmocka_unit_test(test_migrates_from_version_1),        \
		cmocka_unit_test(test_threads_share_the_store), cmocka_unit_test(test_exchange_with_contact), \
		cmocka_unit_test(test_exchange_async_with_contact), cmocka_unit_test(test_conversation_state), \
		cmocka_unit_test(test_message_list),                                                        \
		cmocka_unit_test(test_tenant_key), cmocka_unit_test(test_tenant_key_race),                 \
		cmocka_unit_test(test_lead_capture), cmocka_unit_test(test_lead_list),                     \
		cmocka_unit_test(test_contact_erase), cmocka_unit_test(test_erase_while_chatting),         \
		cmocka_unit_test(test_contact_purge)

int main(void)
{
	const struct CMUnitTest sqlite_tests[] = {CONTRACT_TESTS};
	const struct CMUnitTest pg_tests[] = {
		CONTRACT_TESTS,
		cmocka_unit_test(test_pg_reconnects),
		cmocka_unit_test(test_pg_open_fails_cleanly),
	};
	return RUN_BACKENDS("store", sqlite_tests, pg_tests);
}
