/*
 * test_store_stats.c — the store contract for engagement statistics (store_bot_stats), run against every
 * backend like test_store.c (whose fixture this copies): "stats_sqlite" on a temporary SQLite file,
 * "stats_postgres" on a fresh database on BOTWERK_TEST_PG_URL (skipped without it).
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
	snprintf(fx->sqlite_path, sizeof fx->sqlite_path, "%s/botwerk-test-stats-XXXXXX", tmp && *tmp ? tmp : "/tmp");
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
		fprintf(stderr, "test_store_stats: %s: %s", sql, PQerrorMessage(admin));
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
		fprintf(stderr, "test_store_stats: cannot connect to BOTWERK_TEST_PG_URL: %s",
			fx->admin ? PQerrorMessage(fx->admin) : "out of memory\n");
		goto fail;
	}
	/* Only digits and letters: safe to put into the statement as an identifier. */
	snprintf(fx->dbname, sizeof fx->dbname, "botwerk_testst_%ld_%lld", (long)getpid(), (long long)time(NULL));
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", fx->dbname);
	if (!admin_exec(fx->admin, sql)) {
		fx->dbname[0] = '\0';
		goto fail;
	}
	if (!url_with_db(base, fx->dbname, fx->url, sizeof fx->url)) {
		fprintf(stderr, "test_store_stats: BOTWERK_TEST_PG_URL is not a usable postgres:// URL\n");
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

static void make_bot(struct fixture *fx, const char *tenant, char id[STORE_ID_MAX])
{
	struct store_bot b = {.name = "Empfang", .config = "{\"lang\":\"de\"}", .active = true};
	new_id(fx, "bot", id);
	snprintf(b.id, sizeof b.id, "%s", id);
	snprintf(b.tenant_id, sizeof b.tenant_id, "%s", tenant);
	b.created_at = b.updated_at = tick(fx);
	assert_int_equal(store_bot_create(fx->st, &b), STORE_OK);
}

/* One exchange at `now`: starts the conversation (with a new contact) when `contact` is given. */
static void exchange(struct fixture *fx, const char *tenant, const char *bot, const char *conv, const char *contact,
		     int64_t now)
{
	char um[STORE_ID_MAX], bm[STORE_ID_MAX], wrapped[64];
	new_id(fx, "msg", um);
	new_id(fx, "msg", bm);
	snprintf(wrapped, sizeof wrapped, "v1.wrapped.%s", contact ? contact : "");
	struct store_exchange x = {
		.tenant_id = tenant, .bot_id = bot, .conversation_id = conv, .new_conversation = contact != NULL,
		.channel = "web", .user_msg_id = um, .user_text = "v1.sealed-question", .bot_msg_id = bm,
		.bot_text = "v1.sealed-answer", .bot_meta = "{}", .latency_ms = 3, .now = now,
		.contact_id = contact, .contact_wrapped_key = contact ? wrapped : NULL,
	};
	assert_int_equal(store_exchange_save(fx->st, &x), STORE_OK);
}

static void conversation(struct fixture *fx, const char *tenant, const char *bot, int64_t now, char conv[STORE_ID_MAX])
{
	char contact[STORE_ID_MAX];
	new_id(fx, "conv", conv);
	new_id(fx, "ct", contact);
	exchange(fx, tenant, bot, conv, contact, now);
}

static void lead(struct fixture *fx, const char *tenant, const char *bot, const char *conv, const char *bidx,
		 int interest, int64_t now, char id[STORE_ID_MAX])
{
	char cons[STORE_ID_MAX], got[STORE_ID_MAX];
	new_id(fx, "lead", id);
	new_id(fx, "cons", cons);
	struct store_lead_capture lc = {
		.tenant_id = tenant, .bot_id = bot, .conversation_id = conv, .email_sealed = "v1.sealed-email",
		.email_bidx = bidx, .lead_id = id, .consent_id = cons, .consent_text_version = "v1",
		.source = "email_capture", .channel = "web", .context = "{\"topics\":[\"preise\"]}",
		.interest = interest, .now = now,
	};
	bool created = false;
	assert_int_equal(store_lead_capture(fx->st, &lc, got, &created), STORE_OK);
	assert_true(created);
	assert_string_equal(got, id);
}

/* ---- tests ----------------------------------------------------------------------------------------- */

#define T0 1800000000000LL /* the window: [T0, T0 + 1000) */

static void test_counts_window_and_tenancy(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], bot2[STORE_ID_MAX], obot[STORE_ID_MAX];
	char c1[STORE_ID_MAX], c2[STORE_ID_MAX], old[STORE_ID_MAX], c3[STORE_ID_MAX], oc[STORE_ID_MAX];
	char l1[STORE_ID_MAX], l2[STORE_ID_MAX], l3[STORE_ID_MAX], l4[STORE_ID_MAX], l5[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	make_bot(fx, tenant, bot2);
	make_bot(fx, other, obot);

	/* the bot: one conversation before the window (continued inside it), two inside, one after */
	conversation(fx, tenant, bot, T0 - 5000, old);
	exchange(fx, tenant, bot, old, NULL, T0 + 10);
	conversation(fx, tenant, bot, T0 + 100, c1);
	exchange(fx, tenant, bot, c1, NULL, T0 + 110);
	exchange(fx, tenant, bot, c1, NULL, T0 + 2000); /* after the window: not counted */
	conversation(fx, tenant, bot, T0 + 200, c2);
	char late[STORE_ID_MAX];
	conversation(fx, tenant, bot, T0 + 1000, late);
	/* leads: before the window, three inside (interest 8, 5, 7), after it */
	lead(fx, tenant, bot, old, "bidx-old", 9, T0 - 4000, l1);
	lead(fx, tenant, bot, c1, "bidx-1", 8, T0 + 120, l2);
	lead(fx, tenant, bot, c2, "bidx-2", 5, T0 + 210, l3);
	lead(fx, tenant, bot, old, "bidx-3", 7, T0 + 300, l4);
	lead(fx, tenant, bot, late, "bidx-4", 10, T0 + 1000, l5);
	/* another bot of the tenant, and another tenant's bot */
	conversation(fx, tenant, bot2, T0 + 150, c3);
	conversation(fx, other, obot, T0 + 150, oc);
	char ol[STORE_ID_MAX];
	lead(fx, other, obot, oc, "bidx-o", 10, T0 + 160, ol);

	struct store_bot_stats s;
	memset(&s, 0xff, sizeof s);
	assert_int_equal(store_bot_stats(fx->st, tenant, bot, T0, T0 + 1000, 7, &s), STORE_OK);
	assert_int_equal(s.conversations, 2);
	assert_int_equal(s.visitor_messages, 3); /* c1: two before the window's end, c2: one */
	assert_int_equal(s.leads, 3);
	assert_true(s.average_interest > 6.66 && s.average_interest < 6.67);
	assert_int_equal(s.top_count, 2);
	assert_string_equal(s.top_leads[0], l2); /* interest 8 */
	assert_string_equal(s.top_leads[1], l4); /* interest 7 */

	/* a higher minimum, an empty window */
	assert_int_equal(store_bot_stats(fx->st, tenant, bot, T0, T0 + 1000, 9, &s), STORE_OK);
	assert_int_equal(s.top_count, 0);
	assert_int_equal(s.leads, 3);
	assert_int_equal(store_bot_stats(fx->st, tenant, bot, T0 + 500, T0 + 600, 1, &s), STORE_OK);
	assert_int_equal(s.conversations, 0);
	assert_int_equal(s.visitor_messages, 0);
	assert_int_equal(s.leads, 0);
	assert_true(s.average_interest == 0.0);
	assert_int_equal(s.top_count, 0);

	/* the other bot sees only its own */
	assert_int_equal(store_bot_stats(fx->st, tenant, bot2, T0, T0 + 1000, 1, &s), STORE_OK);
	assert_int_equal(s.conversations, 1);
	assert_int_equal(s.visitor_messages, 1);
	assert_int_equal(s.leads, 0);
	assert_int_equal(s.top_count, 0);

	/* another tenant's bot, or an unknown one: not found, *out untouched */
	memset(&s, 0, sizeof s);
	s.conversations = 42;
	assert_int_equal(store_bot_stats(fx->st, other, bot, T0, T0 + 1000, 1, &s), STORE_NOTFOUND);
	assert_int_equal(store_bot_stats(fx->st, tenant, obot, T0, T0 + 1000, 1, &s), STORE_NOTFOUND);
	assert_int_equal(store_bot_stats(fx->st, tenant, "bot_unknown", T0, T0 + 1000, 1, &s), STORE_NOTFOUND);
	assert_int_equal(s.conversations, 42);
	assert_int_equal(store_bot_stats(fx->st, other, obot, T0, T0 + 1000, 1, &s), STORE_OK);
	assert_int_equal(s.leads, 1);
	assert_int_equal(s.top_count, 1);
	assert_string_equal(s.top_leads[0], ol);
}

static void test_top_leads_order_and_limit(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX], conv[STORE_ID_MAX], ids[7][STORE_ID_MAX], bidx[32];
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	conversation(fx, tenant, bot, T0, conv);
	int interest[7] = {7, 9, 7, 10, 9, 8, 6};
	for (int i = 0; i < 7; i++) {
		snprintf(bidx, sizeof bidx, "bidx-%d", i);
		lead(fx, tenant, bot, conv, bidx, interest[i], T0 + 10 + i, ids[i]);
	}
	struct store_bot_stats s;
	assert_int_equal(store_bot_stats(fx->st, tenant, bot, T0, T0 + 1000, 7, &s), STORE_OK);
	assert_int_equal(s.leads, 7);
	assert_int_equal(s.top_count, STORE_STATS_TOP_MAX);
	/* highest interest first, then newest: 10, 9 (newer), 9, 8, 7 (newer) */
	assert_string_equal(s.top_leads[0], ids[3]);
	assert_string_equal(s.top_leads[1], ids[4]);
	assert_string_equal(s.top_leads[2], ids[1]);
	assert_string_equal(s.top_leads[3], ids[5]);
	assert_string_equal(s.top_leads[4], ids[2]);
	assert_true(s.average_interest > 8.0 - 0.001 && s.average_interest < 8.0 + 0.001);

	/* erased contacts leave the statistics with their conversations and leads */
	struct store_lead l;
	assert_int_equal(store_lead_get(fx->st, tenant, ids[0], &l), STORE_OK);
	assert_int_equal(store_contact_erase(fx->st, tenant, l.contact_id, T0 + 500), STORE_OK);
	store_lead_clear(&l);
	assert_int_equal(store_bot_stats(fx->st, tenant, bot, T0, T0 + 1000, 7, &s), STORE_OK);
	assert_int_equal(s.conversations, 0);
	assert_int_equal(s.visitor_messages, 0);
	assert_int_equal(s.leads, 0);
	assert_int_equal(s.top_count, 0);
}

#define STATS_TESTS cmocka_unit_test(test_counts_window_and_tenancy), cmocka_unit_test(test_top_leads_order_and_limit)

int main(void)
{
	const struct CMUnitTest tests[] = {STATS_TESTS};
	int failed = cmocka_run_group_tests_name("stats_sqlite", tests, setup_sqlite, teardown_sqlite);
	const char *pg = getenv("BOTWERK_TEST_PG_URL");
	if (pg && *pg)
		failed += cmocka_run_group_tests_name("stats_postgres", tests, setup_pg, teardown_pg);
	else
		printf("[  SKIPPED ] stats_postgres: set BOTWERK_TEST_PG_URL to a postgres:// URL to run it\n");
	return failed ? 1 : 0;
}
