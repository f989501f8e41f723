/*
 * test_store_export.c — the store contract for the data-subject export (store_contact_get,
 * store_conversation_get, store_contact_conversations / _consents / _leads), run against every backend like
 * test_store_stats.c (whose fixture this copies): "export_sqlite" on a temporary SQLite file,
 * "export_postgres" on a fresh database on BOTWERK_TEST_PG_URL (skipped without it).
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
	snprintf(fx->sqlite_path, sizeof fx->sqlite_path, "%s/botwerk-test-export-XXXXXX", tmp && *tmp ? tmp : "/tmp");
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
		fprintf(stderr, "test_store_export: %s: %s", sql, PQerrorMessage(admin));
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
		fprintf(stderr, "test_store_export: cannot connect to BOTWERK_TEST_PG_URL: %s",
			fx->admin ? PQerrorMessage(fx->admin) : "out of memory\n");
		goto fail;
	}
	/* Only digits and letters: safe to put into the statement as an identifier. */
	snprintf(fx->dbname, sizeof fx->dbname, "botwerk_testxp_%ld_%lld", (long)getpid(), (long long)time(NULL));
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", fx->dbname);
	if (!admin_exec(fx->admin, sql)) {
		fx->dbname[0] = '\0';
		goto fail;
	}
	if (!url_with_db(base, fx->dbname, fx->url, sizeof fx->url)) {
		fprintf(stderr, "test_store_export: BOTWERK_TEST_PG_URL is not a usable postgres:// URL\n");
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

static void conversation(struct fixture *fx, const char *tenant, const char *bot, int64_t now, char conv[STORE_ID_MAX],
			 char contact[STORE_ID_MAX])
{
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

#define T0 1800000000000LL

static void test_contact_and_its_rows(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], obot[STORE_ID_MAX];
	char conv[STORE_ID_MAX], contact[STORE_ID_MAX], conv2[STORE_ID_MAX], contact2[STORE_ID_MAX];
	char oconv[STORE_ID_MAX], ocontact[STORE_ID_MAX], l1[STORE_ID_MAX], l2[STORE_ID_MAX], got[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	make_bot(fx, other, obot);
	conversation(fx, tenant, bot, T0, conv, contact);
	exchange(fx, tenant, bot, conv, NULL, T0 + 50);
	conversation(fx, tenant, bot, T0 + 10, conv2, contact2);
	conversation(fx, other, obot, T0 + 20, oconv, ocontact);
	lead(fx, tenant, bot, conv, "bidx-1", 6, T0 + 100, l1);
	/* a contact request on the same conversation: name, phone and a sealed message, with consent */
	char cons[STORE_ID_MAX];
	new_id(fx, "lead", l2);
	new_id(fx, "cons", cons);
	struct store_contact_request cr = {
		.tenant_id = tenant, .bot_id = bot, .conversation_id = conv, .name_sealed = "v1.sealed-name",
		.phone_sealed = "v1.sealed-phone", .phone_bidx = "pbidx", .message_sealed = "v1.sealed-request",
		.lead_id = l2, .consent_id = cons, .consent_text_version = "v3", .channel = "web",
		.context = "{\"contact_person_id\":null}", .interest = 4, .now = T0 + 200,
	};
	bool created = false;
	assert_int_equal(store_contact_request(fx->st, &cr, got, &created), STORE_OK);
	assert_true(created);

	/* the contact */
	struct store_contact k;
	assert_int_equal(store_contact_get(fx->st, tenant, contact, &k), STORE_OK);
	assert_string_equal(k.id, contact);
	assert_string_equal(k.bot_id, bot);
	assert_non_null(k.wrapped_key);
	assert_true(strncmp(k.wrapped_key, "v1.wrapped.", 11) == 0);
	assert_string_equal(k.email_sealed, "v1.sealed-email");
	assert_string_equal(k.name_sealed, "v1.sealed-name");
	assert_string_equal(k.phone_sealed, "v1.sealed-phone");
	assert_null(k.profile_sealed);
	assert_string_equal(k.channel, "web");
	assert_true(k.created_at == T0);
	assert_true(k.updated_at >= T0);
	store_contact_clear(&k);
	/* a contact without email: NULL columns */
	assert_int_equal(store_contact_get(fx->st, tenant, contact2, &k), STORE_OK);
	assert_null(k.email_sealed);
	assert_null(k.name_sealed);
	assert_null(k.phone_sealed);
	store_contact_clear(&k);

	/* conversations */
	struct store_conversation *convs = NULL;
	int n = -1;
	assert_int_equal(store_contact_conversations(fx->st, tenant, contact, 10, &convs, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(convs[0].id, conv);
	assert_string_equal(convs[0].bot_id, bot);
	assert_string_equal(convs[0].contact_id, contact);
	assert_string_equal(convs[0].channel, "web");
	assert_int_equal(convs[0].message_count, 4);
	assert_true(convs[0].started_at == T0);
	assert_true(convs[0].last_message_at == T0 + 50);
	store_conversation_clear(&convs[0]);
	free(convs);

	/* one conversation by id, with the contact's wrapped key */
	struct store_conversation c;
	char *wrapped = NULL;
	assert_int_equal(store_conversation_get(fx->st, tenant, conv, &c, &wrapped), STORE_OK);
	assert_string_equal(c.id, conv);
	assert_string_equal(c.contact_id, contact);
	assert_int_equal(c.message_count, 4);
	assert_non_null(wrapped);
	assert_true(strncmp(wrapped, "v1.wrapped.", 11) == 0);
	store_conversation_clear(&c);
	free(wrapped);

	/* leads, oldest first, with the request's sealed message */
	struct store_contact_lead *leads = NULL;
	assert_int_equal(store_contact_leads(fx->st, tenant, contact, 10, &leads, &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(leads[0].id, l1);
	assert_string_equal(leads[0].source, "email_capture");
	assert_string_equal(leads[0].conversation_id, conv);
	assert_string_equal(leads[0].bot_id, bot);
	assert_string_equal(leads[0].context, "{\"topics\":[\"preise\"]}");
	assert_null(leads[0].message_sealed);
	assert_int_equal(leads[0].interest, 6);
	assert_true(leads[0].created_at == T0 + 100);
	assert_string_equal(leads[1].id, l2);
	assert_string_equal(leads[1].source, "contact_request");
	assert_string_equal(leads[1].message_sealed, "v1.sealed-request");
	assert_int_equal(leads[1].interest, 4);
	for (int i = 0; i < n; i++)
		store_contact_lead_clear(&leads[i]);
	free(leads);
	/* limit */
	assert_int_equal(store_contact_leads(fx->st, tenant, contact, 1, &leads, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(leads[0].id, l1);
	store_contact_lead_clear(&leads[0]);
	free(leads);

	/* consents, oldest first */
	struct store_consent *cs = NULL;
	assert_int_equal(store_contact_consents(fx->st, tenant, contact, 10, &cs, &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(cs[0].text_version, "v1");
	assert_string_equal(cs[0].lead_id, l1);
	assert_string_equal(cs[0].source, "email_capture");
	assert_string_equal(cs[0].channel, "web");
	assert_true(strlen(cs[0].purpose) > 0);
	assert_true(cs[0].granted_at == T0 + 100);
	assert_string_equal(cs[1].text_version, "v3");
	assert_string_equal(cs[1].source, "contact_request");
	assert_true(cs[1].granted_at == T0 + 200);
	for (int i = 0; i < n; i++)
		store_consent_clear(&cs[i]);
	free(cs);

	/* the other contact has no leads or consents: empty lists */
	leads = (void *)1;
	assert_int_equal(store_contact_leads(fx->st, tenant, contact2, 10, &leads, &n), STORE_OK);
	assert_int_equal(n, 0);
	assert_null(leads);
	assert_int_equal(store_contact_consents(fx->st, tenant, contact2, 10, &cs, &n), STORE_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_contact_conversations(fx->st, tenant, contact2, 0, &convs, &n), STORE_OK);
	assert_int_equal(n, 0);

	/* tenancy: another tenant's contact and conversation are not found, their rows are not listed */
	memset(&k, 0, sizeof k);
	snprintf(k.id, sizeof k.id, "untouched");
	assert_int_equal(store_contact_get(fx->st, other, contact, &k), STORE_NOTFOUND);
	assert_int_equal(store_contact_get(fx->st, tenant, ocontact, &k), STORE_NOTFOUND);
	assert_int_equal(store_contact_get(fx->st, tenant, "ct_unknown", &k), STORE_NOTFOUND);
	assert_string_equal(k.id, "untouched");
	assert_int_equal(store_conversation_get(fx->st, other, conv, &c, &wrapped), STORE_NOTFOUND);
	assert_int_equal(store_conversation_get(fx->st, tenant, oconv, &c, &wrapped), STORE_NOTFOUND);
	assert_int_equal(store_contact_conversations(fx->st, other, contact, 10, &convs, &n), STORE_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_contact_leads(fx->st, other, contact, 10, &leads, &n), STORE_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_contact_consents(fx->st, other, contact, 10, &cs, &n), STORE_OK);
	assert_int_equal(n, 0);

	/* erasure: nothing is left to export */
	assert_int_equal(store_contact_erase(fx->st, tenant, contact, T0 + 500), STORE_OK);
	assert_int_equal(store_contact_get(fx->st, tenant, contact, &k), STORE_NOTFOUND);
	assert_int_equal(store_conversation_get(fx->st, tenant, conv, &c, &wrapped), STORE_NOTFOUND);
	assert_int_equal(store_contact_conversations(fx->st, tenant, contact, 10, &convs, &n), STORE_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_contact_leads(fx->st, tenant, contact, 10, &leads, &n), STORE_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_contact_consents(fx->st, tenant, contact, 10, &cs, &n), STORE_OK);
	assert_int_equal(n, 0);
	/* the other contact is still there */
	assert_int_equal(store_conversation_get(fx->st, tenant, conv2, &c, &wrapped), STORE_OK);
	assert_string_equal(c.contact_id, contact2);
	store_conversation_clear(&c);
	free(wrapped);
}

static void test_conversations_order_and_limit(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], bot[STORE_ID_MAX], conv[STORE_ID_MAX], contact[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_bot(fx, tenant, bot);
	conversation(fx, tenant, bot, T0, conv, contact);
	/* more conversations of the same contact (the store allows it; the chat makes one per contact today) */
	char ids[4][STORE_ID_MAX];
	snprintf(ids[0], STORE_ID_MAX, "%s", conv);
	int64_t at[3] = {T0 + 30, T0 + 10, T0 + 20};
	for (int i = 0; i < 3; i++) {
		char um[STORE_ID_MAX], bm[STORE_ID_MAX];
		new_id(fx, "conv", ids[i + 1]);
		new_id(fx, "msg", um);
		new_id(fx, "msg", bm);
		struct store_exchange x = {
			.tenant_id = tenant, .bot_id = bot, .conversation_id = ids[i + 1], .new_conversation = true,
			.channel = "web", .user_msg_id = um, .user_text = "v1.q", .bot_msg_id = bm, .bot_text = "v1.a",
			.bot_meta = "{}", .now = at[i], .contact_id = contact, .contact_wrapped_key = "v1.wrapped.x",
		};
		int rc = store_exchange_save(fx->st, &x);
		if (rc != STORE_OK) {
			/* a backend that refuses a second conversation for a contact: nothing more to check here */
			assert_int_equal(rc, STORE_CONFLICT);
			return;
		}
	}
	struct store_conversation *convs = NULL;
	int n = 0;
	assert_int_equal(store_contact_conversations(fx->st, tenant, contact, 10, &convs, &n), STORE_OK);
	assert_int_equal(n, 4);
	const char *want[4] = {ids[0], ids[2], ids[3], ids[1]}; /* by started_at */
	for (int i = 0; i < n; i++) {
		assert_string_equal(convs[i].id, want[i]);
		store_conversation_clear(&convs[i]);
	}
	free(convs);
	assert_int_equal(store_contact_conversations(fx->st, tenant, contact, 2, &convs, &n), STORE_OK);
	assert_int_equal(n, 2);
	assert_string_equal(convs[1].id, ids[2]);
	for (int i = 0; i < n; i++)
		store_conversation_clear(&convs[i]);
	free(convs);
}

#define EXPORT_TESTS cmocka_unit_test(test_contact_and_its_rows), cmocka_unit_test(test_conversations_order_and_limit)

int main(void)
{
	const struct CMUnitTest tests[] = {EXPORT_TESTS};
	int failed = cmocka_run_group_tests_name("export_sqlite", tests, setup_sqlite, teardown_sqlite);
	const char *pg = getenv("BOTWERK_TEST_PG_URL");
	if (pg && *pg)
		failed += cmocka_run_group_tests_name("export_postgres", tests, setup_pg, teardown_pg);
	else
		printf("[  SKIPPED ] export_postgres: set BOTWERK_TEST_PG_URL to a postgres:// URL to run it\n");
	return failed ? 1 : 0;
}
