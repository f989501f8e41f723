/*
 * test_store.c — the store contract, run against every backend.
 *
 * The same test functions run in two groups: "store_sqlite" on a fresh temporary SQLite file, and
 * "store_postgres" on a fresh, uniquely named database created on the server named by the environment
 * variable BOTWERK_TEST_PG_URL (a postgres:// URL of a role that may CREATE DATABASE; the database is
 * dropped at the end). Without that variable the PostgreSQL group is skipped with a message.
 *
 * The store is opened through the public store_open (so migrations run) with the real tokenizer from
 * rag/terms. Each test makes its own tenants and bots with fresh ids, so tests do not depend on each
 * other's rows. Time is a fake millisecond clock that only moves forward.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "rag/terms.h"
#include "store/store.h"
#include "store/store_int.h" /* the backends' own open and ops, to build a database at schema version 1 */

#define TEST_POOL_SIZE 3

struct fixture {
	const char *backend;    /* "sqlite" or "postgres", as store_backend_name reports it */
	struct terms *terms;    /* the tokenizer the store indexes with */
	struct store *st;
	char url[1024];         /* what store_open was given */
	char sqlite_path[256];  /* SQLite: the temporary file */
	PGconn *admin;          /* PostgreSQL: connection to the server's given database, to create/drop */
	char dbname[64];        /* PostgreSQL: the database made for this run */
	int64_t clock;          /* fake unix milliseconds */
	int seq;                /* id counter */
};

static int64_t tick(struct fixture *fx)
{
	return ++fx->clock;
}

static void new_id(struct fixture *fx, const char *prefix, char out[STORE_ID_MAX])
{
	snprintf(out, STORE_ID_MAX, "%s_%06d", prefix, ++fx->seq);
}

static struct store *open_store(struct fixture *fx, const char *url)
{
	struct store_opts o = {
		.url = url,
		.pool_size = TEST_POOL_SIZE,
		.busy_timeout_ms = 5000,
		.tokenize = terms_tokenize,
		.tokenize_ctx = fx->terms,
	};
	char err[512] = "";
	struct store *st = store_open(&o, err, sizeof err);
	if (!st)
		fprintf(stderr, "store_open(%s backend) failed: %s\n", fx->backend, err);
	return st;
}

/* ---- group setup and teardown ---------------------------------------------------------------------- */

static struct fixture *fixture_new(const char *backend)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	if (!fx)
		return NULL;
	fx->backend = backend;
	fx->clock = 1700000000000;
	fx->terms = terms_new();
	if (!fx->terms) {
		free(fx);
		return NULL;
	}
	return fx;
}

static void fixture_free(struct fixture *fx)
{
	terms_free(fx->terms);
	free(fx);
}

static int setup_sqlite(void **state)
{
	struct fixture *fx = fixture_new("sqlite");
	if (!fx)
		return -1;
	const char *tmp = getenv("TMPDIR");
	snprintf(fx->sqlite_path, sizeof fx->sqlite_path, "%s/botwerk-test-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemp(fx->sqlite_path);
	if (fd < 0) {
		fixture_free(fx);
		return -1;
	}
	close(fd);
	snprintf(fx->url, sizeof fx->url, "%s", fx->sqlite_path);
	fx->st = open_store(fx, fx->url);
	if (!fx->st) {
		unlink(fx->sqlite_path);
		fixture_free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static void remove_sqlite_files(const char *path)
{
	char side[300];
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-journal", path);
	unlink(side);
}

static int teardown_sqlite(void **state)
{
	struct fixture *fx = *state;
	if (!fx) /* cmocka calls the teardown even after a failed setup */
		return 0;
	store_close(fx->st);
	remove_sqlite_files(fx->sqlite_path);
	fixture_free(fx);
	return 0;
}

/* Writes `url` with its database name replaced by `db` (user, host, port and ?params kept) into out.
 * Returns false for something that is not a postgres:// URL or does not fit. */
static bool url_with_db(const char *url, const char *db, char *out, size_t outlen)
{
	const char *auth = strstr(url, "://");
	if (!auth || (strncmp(url, "postgres://", 11) != 0 && strncmp(url, "postgresql://", 13) != 0))
		return false;
	auth += 3;
	size_t auth_len = strcspn(auth, "/?");
	const char *query = strchr(auth + auth_len, '?');
	int n = snprintf(out, outlen, "%.*s%.*s/%s%s", (int)(auth - url), url, (int)auth_len, auth, db,
			 query ? query : "");
	return n > 0 && (size_t)n < outlen;
}

static bool admin_exec(PGconn *admin, const char *sql)
{
	PGresult *r = PQexec(admin, sql);
	bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "test_store: %s: %s", sql, PQerrorMessage(admin));
	PQclear(r);
	return ok;
}

static int setup_pg(void **state)
{
	const char *base = getenv("BOTWERK_TEST_PG_URL");
	struct fixture *fx = fixture_new("postgres");
	char sql[160];
	if (!fx)
		return -1;
	fx->admin = PQconnectdb(base);
	if (!fx->admin || PQstatus(fx->admin) != CONNECTION_OK) {
		fprintf(stderr, "test_store: cannot connect to BOTWERK_TEST_PG_URL: %s",
			fx->admin ? PQerrorMessage(fx->admin) : "out of memory\n");
		goto fail;
	}
	/* Only digits and letters: safe to put into the statement as an identifier. */
	snprintf(fx->dbname, sizeof fx->dbname, "botwerk_test_%ld_%lld", (long)getpid(), (long long)time(NULL));
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", fx->dbname);
	if (!admin_exec(fx->admin, sql)) {
		fx->dbname[0] = '\0';
		goto fail;
	}
	if (!url_with_db(base, fx->dbname, fx->url, sizeof fx->url)) {
		fprintf(stderr, "test_store: BOTWERK_TEST_PG_URL is not a usable postgres:// URL\n");
		goto fail;
	}
	fx->st = open_store(fx, fx->url);
	if (!fx->st)
		goto fail;
	*state = fx;
	return 0;
fail:
	if (fx->dbname[0]) {
		snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", fx->dbname);
		admin_exec(fx->admin, sql);
	}
	PQfinish(fx->admin);
	fixture_free(fx);
	return -1;
}

static int teardown_pg(void **state)
{
	struct fixture *fx = *state;
	char sql[160];
	if (!fx) /* cmocka calls the teardown even after a failed setup */
		return 0;
	store_close(fx->st);
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", fx->dbname);
	bool ok = admin_exec(fx->admin, sql);
	PQfinish(fx->admin);
	fixture_free(fx);
	return ok ? 0 : -1;
}

/* ---- helpers --------------------------------------------------------------------------------------- */

static void make_tenant(struct fixture *fx, char id[STORE_ID_MAX])
{
	new_id(fx, "ten", id);
	assert_int_equal(store_tenant_create(fx->st, id, "Studio Nord", tick(fx)), STORE_OK);
}

static void make_bot_at(struct fixture *fx, const char *tenant, int64_t created, char id[STORE_ID_MAX])
{
	struct store_bot b = {.name = "Empfang", .config = "{\"lang\":\"de\"}", .active = true};
	new_id(fx, "bot", id);
	snprintf(b.id, sizeof b.id, "%s", id);
	snprintf(b.tenant_id, sizeof b.tenant_id, "%s", tenant);
	b.created_at = b.updated_at = created;
	assert_int_equal(store_bot_create(fx->st, &b), STORE_OK);
}

static void make_bot(struct fixture *fx, const char *tenant, char id[STORE_ID_MAX])
{
	make_bot_at(fx, tenant, tick(fx), id);
}

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
	const struct store_chunk_in chunks[] = {{"Preise", "Die Monatskarte kostet 39 Euro.", 0}};
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
	const struct store_chunk_in evil[] = {{"", "Monatskarte gratis", 0}};
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
		{"Kurse > Yoga", "Yoga findet dienstags im Raum Lotus statt.", 0},
		{"Kurse > Pilates", "Pilates gibt es donnerstags.", 1},
		{"Kurse > Spinning", "Spinning am Wochenende.", 2},
	};
	const struct store_chunk_in c2[] = {{"", "Sauna ist im Beitrag enthalten.", 0}};
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
	const struct store_chunk_in dupc[] = {{"", "Quarkbällchen", 0}};
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
		{"Sauna", "Die Sauna kostet 5 Euro im Monat extra.", 0},
		{"Kurse", "Alle Kurse kosten nichts, jeden Monat neu.", 1},
		{"Getränke", "Ein Wasser kostet 1 Euro.", 2},
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
		{"Anfahrt", "Unser Studio liegt an der Straße zum Bahnhof, Parkplätze gibt es im Hof.", 0},
		{"Öffnungszeiten", "Montag bis Freitag von 7 bis 22 Uhr, am Wochenende kürzer.", 1},
		{"Preise", "Die Monatskarte kostet 39 Euro, die 10er-Karte 99 Euro.", 2},
		{"Kontakt", "Schreiben Sie uns eine E-Mail, wir melden uns am selben Tag.", 3},
	};
	make_source(fx, tenant, bot, "Website", chunks, 4, src);
	/* the same words under another bot of the same tenant: must never show up */
	const struct store_chunk_in decoy[] = {{"Öffnungszeiten", "Straße Montag Freitag Monatskarte E-Mail", 0}};
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
	const struct store_chunk_in chunks[] = {{"Team", "Trainerin Anna leitet das Zirkeltraining.", 0}};
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

	const struct store_chunk_in c1[] = {{"Preise", "Die Monatskarte kostet 39 Euro.", 0},
					    {"Preise > Rabatt", "Studierende zahlen 29 Euro.", 1}};
	const struct store_chunk_in c2[] = {{"", "Die Sauna ist im Beitrag enthalten.", 0}};
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
		{"Kurse > Yoga", "Yoga findet dienstags im Raum Lotus statt.", 0},
		{"Kurse > Pilates", "Pilates gibt es donnerstags.", 1},
		{"Kurse > Spinning", "Spinning am Wochenende.", 2},
	};
	const struct store_chunk_in c2[] = {{"", "Sauna ist im Beitrag enthalten.", 0}};
	const struct store_chunk_in c3[] = {{"Team", "Trainerin Anna leitet das Zirkeltraining.", 0},
					    {"Team > Empfang", "Am Empfang sitzt Ben.", 1}};
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
	const struct store_chunk_in chunks[] = {{"A", "Erster Abschnitt.", 0}, {"B", "Zweiter Abschnitt.", 1}};
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
	const struct store_chunk_in chunks[] = {{"Anfahrt", "Bus 12 hält vor der Tür.", 0}};
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
		cmocka_unit_test(test_threads_share_the_store)

int main(void)
{
	const struct CMUnitTest sqlite_tests[] = {CONTRACT_TESTS};
	const struct CMUnitTest pg_tests[] = {
		CONTRACT_TESTS,
		cmocka_unit_test(test_pg_reconnects),
		cmocka_unit_test(test_pg_open_fails_cleanly),
	};
	int failed = cmocka_run_group_tests_name("store_sqlite", sqlite_tests, setup_sqlite, teardown_sqlite);
	const char *pg = getenv("BOTWERK_TEST_PG_URL");
	if (pg && *pg)
		failed += cmocka_run_group_tests_name("store_postgres", pg_tests, setup_pg, teardown_pg);
	else
		printf("[  SKIPPED ] store_postgres: set BOTWERK_TEST_PG_URL to a postgres:// URL to run it\n");
	return failed ? 1 : 0;
}
