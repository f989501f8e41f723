/*
 * test_store_persons.c — the store contract for images, contact persons and contact requests (migration
 * 004), run against every backend like test_store.c (whose fixture this copies): "persons_sqlite" on a
 * temporary SQLite file, "persons_postgres" on a fresh database on BOTWERK_TEST_PG_URL (skipped without it).
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
	snprintf(fx->sqlite_path, sizeof fx->sqlite_path, "%s/botwerk-test-persons-XXXXXX", tmp && *tmp ? tmp : "/tmp");
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
		fprintf(stderr, "test_store_persons: %s: %s", sql, PQerrorMessage(admin));
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
		fprintf(stderr, "test_store_persons: cannot connect to BOTWERK_TEST_PG_URL: %s",
			fx->admin ? PQerrorMessage(fx->admin) : "out of memory\n");
		goto fail;
	}
	/* Only digits and letters: safe to put into the statement as an identifier. */
	snprintf(fx->dbname, sizeof fx->dbname, "botwerk_testcp_%ld_%lld", (long)getpid(), (long long)time(NULL));
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", fx->dbname);
	if (!admin_exec(fx->admin, sql)) {
		fx->dbname[0] = '\0';
		goto fail;
	}
	if (!url_with_db(base, fx->dbname, fx->url, sizeof fx->url)) {
		fprintf(stderr, "test_store_persons: BOTWERK_TEST_PG_URL is not a usable postgres:// URL\n");
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

static int add_person(struct fixture *fx, const char *tenant, const char *bot, const char *name,
		      char id[STORE_ID_MAX])
{
	struct store_person p = {.name = (char *)(uintptr_t)name, .email = "team@example.de"};
	new_id(fx, "cp", id);
	snprintf(p.id, sizeof p.id, "%s", id);
	snprintf(p.bot_id, sizeof p.bot_id, "%s", bot);
	p.created_at = p.updated_at = tick(fx);
	return store_person_create(fx->st, tenant, &p, STORE_PERSONS_MAX);
}

/* Names of the bot's persons in order, joined by ','. */
static void names(struct fixture *fx, const char *tenant, const char *bot, char *out, size_t outlen)
{
	struct store_person rows[8];
	int n = -1;
	assert_int_equal(store_person_list(fx->st, tenant, bot, rows, 8, &n), STORE_OK);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		assert_int_equal(rows[i].ord, i + 1);
		snprintf(out + strlen(out), outlen - strlen(out), "%s%s", i ? "," : "", rows[i].name);
		store_person_clear(&rows[i]);
	}
}

/* Binary bytes with NULs and high bytes, as an image has them. */
static const unsigned char BYTES_A[] = {0x89, 'P', 'N', 'G', 0, 0, 0xff, 0x00, 0x7f, 0x80, 0x01};
static const unsigned char BYTES_B[] = {0xff, 0xd8, 0xff, 0x00, 0x00, 0xd9};

static struct store_image_in image(struct fixture *fx, const char *kind, const unsigned char *bytes, size_t len,
				   char id[STORE_ID_MAX])
{
	new_id(fx, "img", id);
	return (struct store_image_in){.id = id, .kind = kind, .content_type = "image/png", .width = 16,
				       .height = 20, .bytes = bytes, .len = len, .now = tick(fx)};
}

static void make_contact_conversation(struct fixture *fx, const char *tenant, const char *bot,
				      char conv[STORE_ID_MAX], char contact[STORE_ID_MAX])
{
	char um[STORE_ID_MAX], bm[STORE_ID_MAX], wrapped[64];
	new_id(fx, "conv", conv);
	new_id(fx, "ct", contact);
	new_id(fx, "msg", um);
	new_id(fx, "msg", bm);
	snprintf(wrapped, sizeof wrapped, "v1.wrapped.%s", contact);
	struct store_exchange x = {
		.tenant_id = tenant, .bot_id = bot, .conversation_id = conv, .new_conversation = true,
		.channel = "web", .user_msg_id = um, .user_text = "v1.sealed-question", .bot_msg_id = bm,
		.bot_text = "v1.sealed-answer", .bot_meta = "{}", .latency_ms = 3, .now = tick(fx),
		.contact_id = contact, .contact_wrapped_key = wrapped,
	};
	assert_int_equal(store_exchange_save(fx->st, &x), STORE_OK);
}

/* ---- tests ----------------------------------------------------------------------------------------- */

static void test_person_crud_limit_order(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], ids[6][STORE_ID_MAX], buf[256];
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	const char *n[] = {"Anna", "Ben", "Cem", "Dora", "Emil", "Fritz"};
	for (int i = 0; i < 5; i++)
		assert_int_equal(add_person(fx, tenant, bot, n[i], ids[i]), STORE_OK);
	assert_int_equal(add_person(fx, tenant, bot, n[5], ids[5]), STORE_CONFLICT);
	assert_int_equal(add_person(fx, other, bot, n[5], ids[5]), STORE_NOTFOUND);
	names(fx, tenant, bot, buf, sizeof buf);
	assert_string_equal(buf, "Anna,Ben,Cem,Dora,Emil");

	struct store_person p;
	assert_int_equal(store_person_get(fx->st, tenant, bot, ids[1], &p), STORE_OK);
	assert_string_equal(p.name, "Ben");
	assert_string_equal(p.email, "team@example.de");
	assert_null(p.position);
	assert_null(p.phone);
	assert_string_equal(p.photo_image_id, "");
	p.position = strdup("Vertrieb");
	free(p.email);
	p.email = NULL;
	p.updated_at = tick(fx);
	assert_int_equal(store_person_update(fx->st, tenant, &p), STORE_OK);
	assert_int_equal(store_person_update(fx->st, other, &p), STORE_NOTFOUND);
	store_person_clear(&p);
	assert_int_equal(store_person_get(fx->st, tenant, bot, ids[1], &p), STORE_OK);
	assert_string_equal(p.position, "Vertrieb");
	assert_null(p.email);
	store_person_clear(&p);
	assert_int_equal(store_person_get(fx->st, other, bot, ids[1], &p), STORE_NOTFOUND);
	int cnt = -1;
	struct store_person rows[8];
	assert_int_equal(store_person_list(fx->st, other, bot, rows, 8, &cnt), STORE_NOTFOUND);

	/* delete closes the gap; then there is room again */
	assert_int_equal(store_person_delete(fx->st, tenant, bot, ids[2]), STORE_OK);
	assert_int_equal(store_person_delete(fx->st, tenant, bot, ids[2]), STORE_NOTFOUND);
	assert_int_equal(store_person_delete(fx->st, other, bot, ids[3]), STORE_NOTFOUND);
	names(fx, tenant, bot, buf, sizeof buf);
	assert_string_equal(buf, "Anna,Ben,Dora,Emil");
	assert_int_equal(add_person(fx, tenant, bot, "Fritz", ids[2]), STORE_OK);
	names(fx, tenant, bot, buf, sizeof buf);
	assert_string_equal(buf, "Anna,Ben,Dora,Emil,Fritz");

	/* reorder: exactly the bot's persons, once each */
	const char *order[] = {ids[2], ids[4], ids[3], ids[1], ids[0]};
	assert_int_equal(store_person_reorder(fx->st, tenant, bot, order, 5, tick(fx)), STORE_OK);
	names(fx, tenant, bot, buf, sizeof buf);
	assert_string_equal(buf, "Fritz,Emil,Dora,Ben,Anna");
	const char *dup[] = {ids[2], ids[2], ids[3], ids[1], ids[0]};
	assert_int_equal(store_person_reorder(fx->st, tenant, bot, dup, 5, tick(fx)), STORE_CONFLICT);
	assert_int_equal(store_person_reorder(fx->st, tenant, bot, order, 4, tick(fx)), STORE_CONFLICT);
	const char *stranger[] = {ids[2], ids[4], ids[3], ids[1], "cp_nobody"};
	assert_int_equal(store_person_reorder(fx->st, tenant, bot, stranger, 5, tick(fx)), STORE_CONFLICT);
	assert_int_equal(store_person_reorder(fx->st, other, bot, order, 5, tick(fx)), STORE_NOTFOUND);
	names(fx, tenant, bot, buf, sizeof buf);
	assert_string_equal(buf, "Fritz,Emil,Dora,Ben,Anna"); /* failed reorders change nothing */
}

static void test_images_logo_photo_and_bot_delete(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], pid[STORE_ID_MAX];
	char logo1[STORE_ID_MAX], logo2[STORE_ID_MAX], ph1[STORE_ID_MAX], ph2[STORE_ID_MAX], stray[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);

	struct store_image_in in = image(fx, "logo", BYTES_A, sizeof BYTES_A, logo1);
	assert_int_equal(store_bot_logo_set(fx->st, tenant, bot, &in, "{\"branding\":{\"logo_url\":\"x1\"}}", tick(fx)), STORE_OK);
	struct store_image im;
	assert_int_equal(store_image_get(fx->st, logo1, &im), STORE_OK);
	assert_int_equal(im.len, sizeof BYTES_A);
	assert_memory_equal(im.bytes, BYTES_A, sizeof BYTES_A);
	assert_string_equal(im.content_type, "image/png");
	assert_int_equal(im.width, 16);
	assert_int_equal(im.height, 20);
	store_image_clear(&im);
	struct store_bot b;
	assert_int_equal(store_bot_get(fx->st, tenant, bot, &b), STORE_OK);
	assert_non_null(strstr(b.config, "x1"));
	store_bot_clear(&b);

	in = image(fx, "logo", BYTES_B, sizeof BYTES_B, logo2);
	assert_int_equal(store_bot_logo_set(fx->st, tenant, bot, &in, "{\"branding\":{\"logo_url\":\"x2\"}}", tick(fx)), STORE_OK);
	assert_int_equal(store_image_get(fx->st, logo1, &im), STORE_NOTFOUND);
	assert_int_equal(store_image_get(fx->st, logo2, &im), STORE_OK);
	assert_memory_equal(im.bytes, BYTES_B, sizeof BYTES_B);
	store_image_clear(&im);
	in = image(fx, "logo", BYTES_A, sizeof BYTES_A, stray);
	assert_int_equal(store_bot_logo_set(fx->st, other, bot, &in, "{}", tick(fx)), STORE_NOTFOUND);
	assert_int_equal(store_image_get(fx->st, stray, &im), STORE_NOTFOUND);
	assert_int_equal(store_image_get(fx->st, logo2, &im), STORE_OK);
	store_image_clear(&im);

	assert_int_equal(add_person(fx, tenant, bot, "Anna", pid), STORE_OK);
	in = image(fx, "photo", BYTES_A, sizeof BYTES_A, ph1);
	assert_int_equal(store_person_photo_set(fx->st, tenant, bot, pid, &in), STORE_OK);
	struct store_person p;
	assert_int_equal(store_person_get(fx->st, tenant, bot, pid, &p), STORE_OK);
	assert_string_equal(p.photo_image_id, ph1);
	store_person_clear(&p);
	in = image(fx, "photo", BYTES_B, sizeof BYTES_B, ph2);
	assert_int_equal(store_person_photo_set(fx->st, tenant, bot, pid, &in), STORE_OK);
	assert_int_equal(store_image_get(fx->st, ph1, &im), STORE_NOTFOUND);
	in = image(fx, "photo", BYTES_B, sizeof BYTES_B, stray);
	assert_int_equal(store_person_photo_set(fx->st, other, bot, pid, &in), STORE_NOTFOUND);
	assert_int_equal(store_person_photo_set(fx->st, tenant, bot, "cp_nobody", &in), STORE_NOTFOUND);
	assert_int_equal(store_image_get(fx->st, stray, &im), STORE_NOTFOUND);

	/* deleting a person deletes its photo */
	char pid2[STORE_ID_MAX], ph3[STORE_ID_MAX];
	assert_int_equal(add_person(fx, tenant, bot, "Ben", pid2), STORE_OK);
	in = image(fx, "photo", BYTES_A, sizeof BYTES_A, ph3);
	assert_int_equal(store_person_photo_set(fx->st, tenant, bot, pid2, &in), STORE_OK);
	assert_int_equal(store_person_delete(fx->st, tenant, bot, pid2), STORE_OK);
	assert_int_equal(store_image_get(fx->st, ph3, &im), STORE_NOTFOUND);

	/* deleting the bot deletes its persons and images */
	assert_int_equal(store_bot_delete(fx->st, tenant, bot), STORE_OK);
	assert_int_equal(store_image_get(fx->st, logo2, &im), STORE_NOTFOUND);
	assert_int_equal(store_image_get(fx->st, ph2, &im), STORE_NOTFOUND);
	assert_int_equal(store_person_get(fx->st, tenant, bot, pid, &p), STORE_NOTFOUND);
}

static void test_contact_request(void **state)
{
	struct fixture *fx = *state;
	char tenant[STORE_ID_MAX], other[STORE_ID_MAX], bot[STORE_ID_MAX], bot2[STORE_ID_MAX], pid[STORE_ID_MAX];
	char conv[STORE_ID_MAX], contact[STORE_ID_MAX], lead[STORE_ID_MAX], got[STORE_ID_MAX], cons[STORE_ID_MAX];
	make_tenant(fx, tenant);
	make_tenant(fx, other);
	make_bot(fx, tenant, bot);
	make_bot(fx, tenant, bot2);
	assert_int_equal(add_person(fx, tenant, bot, "Anna", pid), STORE_OK);
	make_contact_conversation(fx, tenant, bot, conv, contact);
	new_id(fx, "lead", lead);
	new_id(fx, "cons", cons);
	struct store_contact_request cr = {
		.tenant_id = tenant, .bot_id = bot, .conversation_id = conv, .person_id = pid,
		.name_sealed = "v1.sealed-name", .phone_sealed = "v1.sealed-phone", .phone_bidx = "phonebidx",
		.message_sealed = "v1.sealed-message", .lead_id = lead, .consent_id = cons,
		.consent_text_version = "v1", .channel = "web", .context = "{\"contact_person_id\":\"x\"}",
		.interest = 5, .now = tick(fx),
	};
	bool created = false;
	assert_int_equal(store_contact_request(fx->st, &cr, got, &created), STORE_OK);
	assert_true(created);
	assert_string_equal(got, lead);

	/* the same person again: the same lead */
	char lead2[STORE_ID_MAX], cons2[STORE_ID_MAX];
	new_id(fx, "lead", lead2);
	new_id(fx, "cons", cons2);
	cr.lead_id = lead2;
	cr.consent_id = cons2;
	cr.message_sealed = "v1.other";
	assert_int_equal(store_contact_request(fx->st, &cr, got, &created), STORE_OK);
	assert_false(created);
	assert_string_equal(got, lead);

	/* without a person, and without consent: another lead */
	char lead3[STORE_ID_MAX];
	new_id(fx, "lead", lead3);
	struct store_contact_request bare = {.tenant_id = tenant, .bot_id = bot, .conversation_id = conv,
					     .lead_id = lead3, .channel = "web", .interest = 4, .now = tick(fx)};
	assert_int_equal(store_contact_request(fx->st, &bare, got, &created), STORE_OK);
	assert_true(created);

	/* wrong tenant, bot, conversation or person: not found */
	struct store_contact_request bad = cr;
	bad.tenant_id = other;
	assert_int_equal(store_contact_request(fx->st, &bad, got, &created), STORE_NOTFOUND);
	bad = cr;
	bad.bot_id = bot2;
	assert_int_equal(store_contact_request(fx->st, &bad, got, &created), STORE_NOTFOUND);
	bad = cr;
	bad.person_id = "cp_nobody";
	assert_int_equal(store_contact_request(fx->st, &bad, got, &created), STORE_NOTFOUND);

	/* listed as leads with their source; the details come sealed */
	struct store_lead *rows = NULL;
	int n = 0;
	assert_int_equal(store_lead_list(fx->st, tenant, NULL, 0, NULL, 10, &rows, &n), STORE_OK);
	assert_int_equal(n, 2);
	for (int i = 0; i < n; i++) {
		assert_string_equal(rows[i].source, "contact_request");
		assert_string_equal(rows[i].contact_id, contact);
		store_lead_clear(&rows[i]);
	}
	free(rows);
	struct store_lead_details d;
	assert_int_equal(store_lead_details(fx->st, tenant, lead, &d), STORE_OK);
	assert_string_equal(d.name_sealed, "v1.sealed-name");
	assert_string_equal(d.phone_sealed, "v1.sealed-phone");
	assert_string_equal(d.message_sealed, "v1.sealed-message"); /* the first request's */
	store_lead_details_clear(&d);
	assert_int_equal(store_lead_details(fx->st, tenant, lead3, &d), STORE_OK);
	assert_null(d.message_sealed);
	assert_string_equal(d.name_sealed, "v1.sealed-name"); /* the contact's, kept when not given */
	store_lead_details_clear(&d);
	assert_int_equal(store_lead_details(fx->st, other, lead, &d), STORE_NOTFOUND);

	/* erasure takes the requests with it */
	assert_int_equal(store_contact_erase(fx->st, tenant, contact, tick(fx)), STORE_OK);
	assert_int_equal(store_lead_details(fx->st, tenant, lead, &d), STORE_NOTFOUND);
	assert_int_equal(store_lead_list(fx->st, tenant, NULL, 0, NULL, 10, &rows, &n), STORE_OK);
	assert_int_equal(n, 0);
	free(rows);
}

#define PERSON_TESTS                                                                                         \
	cmocka_unit_test(test_person_crud_limit_order), cmocka_unit_test(test_images_logo_photo_and_bot_delete), \
		cmocka_unit_test(test_contact_request)

int main(void)
{
	const struct CMUnitTest tests[] = {PERSON_TESTS};
	int failed = cmocka_run_group_tests_name("persons_sqlite", tests, setup_sqlite, teardown_sqlite);
	const char *pg = getenv("BOTWERK_TEST_PG_URL");
	if (pg && *pg)
		failed += cmocka_run_group_tests_name("persons_postgres", tests, setup_pg, teardown_pg);
	else
		printf("[  SKIPPED ] persons_postgres: set BOTWERK_TEST_PG_URL to a postgres:// URL to run it\n");
	return failed ? 1 : 0;
}
