/*
 * test_sqlite_writer.c — the SQLite writer's durability levels (store/sqlite_conn.c): a plain write is
 * committed with synchronous=NORMAL (a process crash loses nothing), a flushed write — the webhook
 * intake's — with synchronous=FULL (a power loss loses nothing either), and the writer goes back to
 * NORMAL afterwards; with the store's sync_full every write is FULL and stays so. Through the public API:
 * the webhook intake, erasures, key swaps and consent decisions are flushed, a bot created is not.
 *
 * White-box: a transaction body run by the writer reads the level its own connection commits with.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rag/terms.h"
#include "store/sqlite_int.h"
#include "store/store.h"

struct env {
	struct terms *terms;
	struct store *st;
	char path[256];
};

static void remove_files(const char *path)
{
	char p[300];
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		snprintf(p, sizeof p, "%s%s", path, suffix[i]);
		unlink(p);
	}
}

static int open_env(void **state, bool sync_full)
{
	struct env *e = calloc(1, sizeof *e);
	if (!e)
		return -1;
	e->terms = terms_new();
	const char *tmp = getenv("TMPDIR");
	snprintf(e->path, sizeof e->path, "%s/botwerk-test-writer-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemp(e->path);
	if (!e->terms || fd < 0) {
		terms_free(e->terms);
		free(e);
		return -1;
	}
	close(fd);
	struct store_opts o = {.url = e->path, .busy_timeout_ms = 5000, .tokenize = terms_tokenize,
			       .tokenize_ctx = e->terms, .sync_full = sync_full};
	char err[512] = "";
	e->st = store_open(&o, err, sizeof err);
	if (!e->st) {
		fprintf(stderr, "store_open failed: %s\n", err);
		remove_files(e->path);
		terms_free(e->terms);
		free(e);
		return -1;
	}
	*state = e;
	return 0;
}

static int setup_default(void **state)
{
	return open_env(state, false);
}

static int setup_sync_full(void **state)
{
	return open_env(state, true);
}

static int teardown(void **state)
{
	struct env *e = *state;
	store_close(e->st);
	remove_files(e->path);
	terms_free(e->terms);
	free(e);
	return 0;
}

/* A transaction body: records the writer connection's synchronous level (0 OFF, 1 NORMAL, 2 FULL). */
static int read_level(struct conn *c, void *arg)
{
	int *level = arg;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(c->db, "PRAGMA synchronous", -1, &st, NULL) != SQLITE_OK)
		return STORE_ERROR;
	int rc = sqlite3_step(st) == SQLITE_ROW ? STORE_OK : STORE_ERROR;
	if (rc == STORE_OK)
		*level = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc;
}

/* The level a write commits with: plain or flushed, waited for or not. */
static int level_of(struct sqlite_store *s, bool flushed)
{
	int level = -1;
	assert_int_equal((flushed ? sqlite_write_flushed : sqlite_write)(s, read_level, &level), STORE_OK);
	return level;
}

struct async_level {
	int level, rc;
	bool done;
};

static void async_done(void *ud, int rc)
{
	struct async_level *a = ud;
	a->rc = rc;
	__atomic_store_n(&a->done, true, __ATOMIC_RELEASE);
}

static int level_of_async(struct sqlite_store *s, bool flushed)
{
	struct async_level a = {.level = -1};
	(flushed ? sqlite_write_async_flushed : sqlite_write_async)(s, read_level, &a.level, async_done, &a);
	for (int i = 0; i < 5000 && !__atomic_load_n(&a.done, __ATOMIC_ACQUIRE); i++)
		usleep(1000);
	assert_true(__atomic_load_n(&a.done, __ATOMIC_ACQUIRE));
	assert_int_equal(a.rc, STORE_OK);
	return a.level;
}

static void flushed_writes_are_synced_plain_ones_are_not(void **state)
{
	struct env *e = *state;
	struct sqlite_store *s = sqlite_of(e->st);
	assert_int_equal(level_of(s, false), 1);
	assert_int_equal(level_of(s, true), 2);
	assert_int_equal(level_of(s, false), 1); /* back to NORMAL: chat writes do not pay for the intake's fsync */
	assert_int_equal(level_of_async(s, true), 2);
	assert_int_equal(level_of_async(s, false), 1);
}

static void sync_full_store_syncs_every_write(void **state)
{
	struct env *e = *state;
	struct sqlite_store *s = sqlite_of(e->st);
	assert_int_equal(level_of(s, false), 2);
	assert_int_equal(level_of(s, true), 2);
	assert_int_equal(level_of(s, false), 2); /* a flushed write does not turn the store's FULL into NORMAL */
}

/* Through the public store API: which writes wait for a flush, and that the rest do not. */
static void intake_erasure_keys_and_consent_are_flushed(void **state)
{
	struct env *e = *state;
	struct sqlite_store *s = sqlite_of(e->st);
	unsigned long n = s->synced_batches;
	/* plain writes: a tenant, a bot */
	assert_int_equal(store_tenant_create(e->st, "ten_w", "Writer", 1), STORE_OK);
	struct store_bot bot = {.id = "bot_w", .tenant_id = "ten_w", .name = "W", .config = "{}", .active = true,
				.created_at = 1, .updated_at = 1};
	assert_int_equal(store_bot_create(e->st, &bot), STORE_OK);
	assert_int_equal(s->synced_batches, n);

	/* a webhook event, acknowledged to the provider once stored */
	struct store_webhook_in ev = {.id = "whe_1", .tenant_id = "ten_w", .bot_id = "bot_w", .provider = "meta",
				      .kind = "message", .provider_id = "wamid.1", .dedupe_key = "meta:message:wamid.1",
				      .payload = "{}", .received_at = 2};
	bool dup = true;
	assert_int_equal(store_webhook_put(e->st, &ev, &dup), STORE_OK);
	assert_false(dup);
	assert_int_equal(s->synced_batches, n + 1);
	/* an erasure (of a contact that is not there: the batch is flushed all the same) */
	store_contact_erase(e->st, "ten_w", "ct_missing", 3);
	assert_int_equal(s->synced_batches, n + 2);
	/* a server key swap */
	assert_int_equal(store_server_key_swap(e->st, "test-key", NULL, "wrapped", 4), STORE_OK);
	assert_int_equal(s->synced_batches, n + 3);
	/* a consent decision (again of a contact that is not there) */
	struct store_wa_consent cs = {.tenant_id = "ten_w", .contact_id = "ct_missing", .status = "revoked",
				      .source = "keyword_stop", .at = 5};
	store_wa_consent_set(e->st, &cs);
	assert_int_equal(s->synced_batches, n + 4);
	/* and a plain write after them is not */
	struct store_bot other = bot;
	snprintf(other.id, sizeof other.id, "bot_w2");
	assert_int_equal(store_bot_create(e->st, &other), STORE_OK);
	assert_int_equal(s->synced_batches, n + 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(flushed_writes_are_synced_plain_ones_are_not, setup_default, teardown),
		cmocka_unit_test_setup_teardown(sync_full_store_syncs_every_write, setup_sync_full, teardown),
		cmocka_unit_test_setup_teardown(intake_erasure_keys_and_consent_are_flushed, setup_default, teardown),
	};
	return cmocka_run_group_tests_name("sqlite_writer", tests, NULL, NULL);
}
