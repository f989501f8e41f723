/*
 * store_fixture.h — the backend fixture shared by the store contract tests (test_store.c,
 * test_store_persons.c, test_store_retention.c, test_store_stats.c, test_store_export.c).
 *
 * Each of those files runs the same test functions in two cmocka groups: "<group>_sqlite" on a fresh
 * temporary SQLite file, and "<group>_postgres" on a fresh, uniquely named database created on the server
 * named by the environment variable BOTWERK_TEST_PG_URL (a postgres:// URL of a role that may CREATE
 * DATABASE; the database is dropped at the end). Without that variable the PostgreSQL group is skipped with
 * a message. run_backends() below does exactly that.
 *
 * The store is opened through the public store_open (so migrations run) with the real tokenizer from
 * rag/terms. Each test makes its own tenants and bots with fresh ids (new_id), so tests do not depend on
 * each other's rows. Time is a fake millisecond clock (tick) that only moves forward.
 *
 * Header only: the Makefile builds every tests/unit/test_*.c alone against build/libbotwerk.a (with
 * -Itests/unit), so every function here is static and marked unused for the files that need only some.
 * A file defines, before including this header:
 *
 *   STORE_FIXTURE_NAME  its name, prefixed to the fixture's error messages      ("test_store_stats")
 *   STORE_FIXTURE_TMP   the tag in the temporary SQLite file's name             ("stats")
 *   STORE_FIXTURE_DB    the prefix of the PostgreSQL database made for the run  ("botwerk_testst"; only
 *                       letters, digits and '_': it goes into CREATE DATABASE as an identifier)
 */
#ifndef BOTWERK_TESTS_STORE_FIXTURE_H
#define BOTWERK_TESTS_STORE_FIXTURE_H

#if !defined(STORE_FIXTURE_NAME) || !defined(STORE_FIXTURE_TMP) || !defined(STORE_FIXTURE_DB)
#error "define STORE_FIXTURE_NAME, STORE_FIXTURE_TMP and STORE_FIXTURE_DB before including store_fixture.h"
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "rag/terms.h"
#include "store/store.h"

#define FIXTURE_UNUSED __attribute__((unused))

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

FIXTURE_UNUSED static int64_t tick(struct fixture *fx)
{
	return ++fx->clock;
}

FIXTURE_UNUSED static void new_id(struct fixture *fx, const char *prefix, char out[STORE_ID_MAX])
{
	snprintf(out, STORE_ID_MAX, "%s_%06d", prefix, ++fx->seq);
}

FIXTURE_UNUSED static struct store *open_store(struct fixture *fx, const char *url)
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

FIXTURE_UNUSED static struct fixture *fixture_new(const char *backend)
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

FIXTURE_UNUSED static void fixture_free(struct fixture *fx)
{
	terms_free(fx->terms);
	free(fx);
}

FIXTURE_UNUSED static int setup_sqlite(void **state)
{
	struct fixture *fx = fixture_new("sqlite");
	if (!fx)
		return -1;
	const char *tmp = getenv("TMPDIR");
	snprintf(fx->sqlite_path, sizeof fx->sqlite_path, "%s/botwerk-test-" STORE_FIXTURE_TMP "-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
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

FIXTURE_UNUSED static void remove_sqlite_files(const char *path)
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

FIXTURE_UNUSED static int teardown_sqlite(void **state)
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
FIXTURE_UNUSED static bool url_with_db(const char *url, const char *db, char *out, size_t outlen)
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

FIXTURE_UNUSED static bool admin_exec(PGconn *admin, const char *sql)
{
	PGresult *r = PQexec(admin, sql);
	bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, STORE_FIXTURE_NAME ": %s: %s", sql, PQerrorMessage(admin));
	PQclear(r);
	return ok;
}

FIXTURE_UNUSED static int setup_pg(void **state)
{
	const char *base = getenv("BOTWERK_TEST_PG_URL");
	struct fixture *fx = fixture_new("postgres");
	char sql[160];
	if (!fx)
		return -1;
	fx->admin = PQconnectdb(base);
	if (!fx->admin || PQstatus(fx->admin) != CONNECTION_OK) {
		fprintf(stderr, STORE_FIXTURE_NAME ": cannot connect to BOTWERK_TEST_PG_URL: %s",
			fx->admin ? PQerrorMessage(fx->admin) : "out of memory\n");
		goto fail;
	}
	/* Only digits, letters and '_': safe to put into the statement as an identifier. */
	snprintf(fx->dbname, sizeof fx->dbname, STORE_FIXTURE_DB "_%ld_%lld", (long)getpid(), (long long)time(NULL));
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", fx->dbname);
	if (!admin_exec(fx->admin, sql)) {
		fx->dbname[0] = '\0';
		goto fail;
	}
	if (!url_with_db(base, fx->dbname, fx->url, sizeof fx->url)) {
		fprintf(stderr, STORE_FIXTURE_NAME ": BOTWERK_TEST_PG_URL is not a usable postgres:// URL\n");
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

FIXTURE_UNUSED static int teardown_pg(void **state)
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

/* Runs sqlite_tests as the group `sqlite_group`, then, when BOTWERK_TEST_PG_URL is set, pg_tests as the
 * group `pg_group` (skipped with a message otherwise). Returns main's exit status. Called through
 * RUN_BACKENDS, which names the groups "<group>_sqlite" and "<group>_postgres" and counts the arrays. */
FIXTURE_UNUSED static int run_backends(const char *sqlite_group, const struct CMUnitTest *sqlite_tests,
				       size_t n_sqlite, const char *pg_group, const struct CMUnitTest *pg_tests,
				       size_t n_pg)
{
	int failed = _cmocka_run_group_tests(sqlite_group, sqlite_tests, n_sqlite, setup_sqlite, teardown_sqlite);
	const char *pg = getenv("BOTWERK_TEST_PG_URL");
	if (pg && *pg)
		failed += _cmocka_run_group_tests(pg_group, pg_tests, n_pg, setup_pg, teardown_pg);
	else
		printf("[  SKIPPED ] %s: set BOTWERK_TEST_PG_URL to a postgres:// URL to run it\n", pg_group);
	return failed ? 1 : 0;
}

#define RUN_BACKENDS(group, sqlite_tests, pg_tests)                                                         \
	run_backends(group "_sqlite", (sqlite_tests), sizeof(sqlite_tests) / sizeof((sqlite_tests)[0]),      \
		     group "_postgres", (pg_tests), sizeof(pg_tests) / sizeof((pg_tests)[0]))

/* ---- tenants and bots ------------------------------------------------------------------------------ */

FIXTURE_UNUSED static void make_tenant(struct fixture *fx, char id[STORE_ID_MAX])
{
	new_id(fx, "ten", id);
	assert_int_equal(store_tenant_create(fx->st, id, "Studio Nord", tick(fx)), STORE_OK);
}

FIXTURE_UNUSED static void make_bot_at(struct fixture *fx, const char *tenant, int64_t created, char id[STORE_ID_MAX])
{
	struct store_bot b = {.name = "Empfang", .config = "{\"lang\":\"de\"}", .active = true};
	new_id(fx, "bot", id);
	snprintf(b.id, sizeof b.id, "%s", id);
	snprintf(b.tenant_id, sizeof b.tenant_id, "%s", tenant);
	b.created_at = b.updated_at = created;
	assert_int_equal(store_bot_create(fx->st, &b), STORE_OK);
}

FIXTURE_UNUSED static void make_bot(struct fixture *fx, const char *tenant, char id[STORE_ID_MAX])
{
	make_bot_at(fx, tenant, tick(fx), id);
}

/* ---- conversations and leads ------------------------------------------------------------------------ */

/* One exchange at `now`: starts the conversation (with a new contact) when `contact` is given. */
FIXTURE_UNUSED static void exchange(struct fixture *fx, const char *tenant, const char *bot, const char *conv,
				    const char *contact, int64_t now)
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

/* A new conversation at `now` with a new contact: conv and contact (NULL: not wanted) get the new ids. */
FIXTURE_UNUSED static void conversation(struct fixture *fx, const char *tenant, const char *bot, int64_t now,
					char conv[STORE_ID_MAX], char contact[STORE_ID_MAX])
{
	char own[STORE_ID_MAX];
	if (!contact)
		contact = own;
	new_id(fx, "conv", conv);
	new_id(fx, "ct", contact);
	exchange(fx, tenant, bot, conv, contact, now);
}

/* Captures a new lead (with consent) on conv at `now`; id gets its id. */
FIXTURE_UNUSED static void lead(struct fixture *fx, const char *tenant, const char *bot, const char *conv,
				const char *bidx, int interest, int64_t now, char id[STORE_ID_MAX])
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

#endif /* BOTWERK_TESTS_STORE_FIXTURE_H */
