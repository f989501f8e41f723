/*
 * store_sqlite.c — the embedded SQLite backend: opening, migrations, tenants, API keys and bots.
 *
 * Connections, statement cache, FTS5 hooks and the group-commit writer live in sqlite_conn.c (see
 * sqlite_int.h). Reads run on the calling thread's connection; every write is a transaction body
 * (`*_tx`) handed to the writer with sqlite_write().
 *
 * The other entities have files of their own: sources, chunks and full-text search in
 * store_sqlite_knowledge.c; conversations, messages and analytics in store_sqlite_chat.c; personal data
 * (tenant keys, leads, consents, erasure) in store_sqlite_contacts.c; and so on. The SQL of every
 * statement is in one table in store_sqlite_sql.c (indexed by `enum stmt_id`), and the `struct store_ops`
 * table at the end of this file wires up the operations of all of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"

/* ---- lifecycle and migrations ----------------------------------------------------------------------- */

static void sq_close(struct store *st)
{
	sqlite_store_fini(sqlite_of(st));
	free(st);
}

static int sq_ping(struct store *st)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	if (!c)
		return STORE_ERROR;
	return sqlite3_exec(c->db, "SELECT 1", NULL, NULL, NULL) == SQLITE_OK ? STORE_OK : STORE_ERROR;
}
static int version_of(sqlite3 *db, int *version)
{
	sqlite3_stmt *st = NULL;
	*version = 0;
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE name = 'schema_migrations'", -1, &st,
			       NULL) != SQLITE_OK)
		return STORE_ERROR;
	int exists = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	if (!exists)
		return STORE_OK;
	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(version), 0) FROM schema_migrations", -1, &st, NULL) !=
	    SQLITE_OK)
		return STORE_ERROR;
	if (sqlite3_step(st) == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return STORE_OK;
}

static int sq_schema_version(struct store *st, int *version)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	return c ? version_of(c->db, version) : STORE_ERROR;
}

static int sq_backup(struct store *st, const char *path)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = NULL;
	if (!c || sqlite3_prepare_v2(c->db, "VACUUM INTO ?1", -1, &q, NULL) != SQLITE_OK)
		return STORE_ERROR;
	sqlite3_bind_text(q, 1, path, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	if (rc != SQLITE_DONE)
		sqlite_log("backup", c->db);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? STORE_OK : STORE_ERROR;
}

struct migration_args {
	int version;
	const char *name, *sql;
};

static int apply_migration_tx(struct conn *c, void *arg)
{
	const struct migration_args *a = arg;
	int current = 0, rc = version_of(c->db, &current);
	/* another process may have applied it while we waited for the lock */
	if (rc != STORE_OK || current >= a->version)
		return rc;
	if (sqlite_exec(c->db, "CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, "
			       "name TEXT NOT NULL, applied_at INTEGER NOT NULL)") != SQLITE_OK ||
	    sqlite_exec(c->db, a->sql) != SQLITE_OK)
		return STORE_ERROR;
	sqlite3_stmt *ins = NULL;
	if (sqlite3_prepare_v2(c->db,
			       "INSERT INTO schema_migrations(version, name, applied_at) "
			       "VALUES(?1, ?2, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))",
			       -1, &ins, NULL) != SQLITE_OK) {
		sqlite_log("schema_migrations", c->db);
		return STORE_ERROR;
	}
	sqlite3_bind_int(ins, 1, a->version);
	sqlite3_bind_text(ins, 2, a->name, -1, SQLITE_STATIC);
	rc = STORE_OK;
	if (sqlite3_step(ins) != SQLITE_DONE) {
		sqlite_log("schema_migrations", c->db);
		rc = STORE_ERROR;
	}
	sqlite3_finalize(ins);
	return rc;
}

static int sq_apply_migration(struct store *st, int version, const char *name, const char *sql)
{
	struct migration_args a = {version, name, sql};
	return sqlite_write(sqlite_of(st), apply_migration_tx, &a);
}

/* ---- write transactions (run by the writer thread; see sqlite_int.h) ----------------------------------- */

struct tenant_args {
	const char *id, *name;
	int64_t now;
};

static int tenant_create_tx(struct conn *c, void *arg)
{
	const struct tenant_args *a = arg;
	sqlite3_stmt *q = sqlite_stmt(c, S_TENANT_INSERT);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->id);
	sqlite_bind_text(q, 2, a->name);
	sqlite3_bind_int64(q, 3, a->now);
	return sqlite_run(c, q, NULL);
}

static int sq_tenant_create(struct store *st, const char *id, const char *name, int64_t now)
{
	struct tenant_args a = {id, name, now};
	return sqlite_write(sqlite_of(st), tenant_create_tx, &a);
}

struct key_args {
	const char *key_id, *tenant_id, *prefix;
	const unsigned char *hash;
	int64_t now;
};

static int tenant_exists(struct conn *c, const char *tenant_id)
{
	sqlite3_stmt *q = sqlite_stmt(c, S_TENANT_GET);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, tenant_id);
	int rc = sqlite3_step(q);
	sqlite_done(q);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : sqlite_map_rc(rc);
}

static int apikey_create_tx(struct conn *c, void *arg)
{
	const struct key_args *a = arg;
	int rc = tenant_exists(c, a->tenant_id);
	if (rc != STORE_OK)
		return rc;
	sqlite3_stmt *q = sqlite_stmt(c, S_KEY_INSERT);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->key_id);
	sqlite_bind_text(q, 2, a->tenant_id);
	sqlite3_bind_blob(q, 3, a->hash, 32, SQLITE_STATIC);
	sqlite_bind_text(q, 4, a->prefix);
	sqlite3_bind_int64(q, 5, a->now);
	return sqlite_run(c, q, NULL);
}

static int sq_apikey_create(struct store *st, const char *key_id, const char *tenant_id,
			    const unsigned char hash[32], const char *prefix, int64_t now)
{
	struct key_args a = {key_id, tenant_id, prefix, hash, now};
	return sqlite_write(sqlite_of(st), apikey_create_tx, &a);
}

static int apikey_revoke_tx(struct conn *c, void *arg)
{
	const struct key_args *a = arg;
	int changes = 0;
	sqlite3_stmt *q = sqlite_stmt(c, S_KEY_REVOKE);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->key_id);
	sqlite3_bind_int64(q, 2, a->now);
	int rc = sqlite_run(c, q, &changes);
	if (rc != STORE_OK || changes > 0)
		return rc;
	/* already revoked is fine; unknown is not */
	sqlite3_stmt *e = sqlite_stmt(c, S_KEY_EXISTS);
	if (!e)
		return STORE_ERROR;
	sqlite_bind_text(e, 1, a->key_id);
	rc = sqlite3_step(e) == SQLITE_ROW ? STORE_OK : STORE_NOTFOUND;
	sqlite_done(e);
	return rc;
}

static int sq_apikey_revoke(struct store *st, const char *key_id, int64_t now)
{
	struct key_args a = {.key_id = key_id, .now = now};
	return sqlite_write(sqlite_of(st), apikey_revoke_tx, &a);
}

/* ---- reads ---------------------------------------------------------------------------------------- */

static int sq_tenant_get(struct store *st, const char *id, struct store_tenant *out)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_TENANT_GET) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, id);
	int rc = sqlite3_step(q), res = STORE_NOTFOUND;
	if (rc == SQLITE_ROW) {
		bool ok = true;
		struct store_tenant t = {0};
		sqlite_col_id(q, 0, t.id);
		t.name = sqlite_col_dup(q, 1, &ok);
		t.created_at = sqlite3_column_int64(q, 2);
		if (ok) {
			*out = t;
			res = STORE_OK;
		} else {
			store_tenant_clear(&t);
			res = STORE_NOMEM;
		}
	} else if (rc != SQLITE_DONE) {
		res = sqlite_map_rc(rc);
	}
	sqlite_done(q);
	return res;
}

static int sq_apikey_lookup(struct store *st, const unsigned char hash[32], char tenant_id[STORE_ID_MAX])
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_KEY_LOOKUP) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite3_bind_blob(q, 1, hash, 32, SQLITE_STATIC);
	int rc = sqlite3_step(q), res;
	if (rc == SQLITE_ROW) {
		sqlite_col_id(q, 0, tenant_id);
		res = STORE_OK;
	} else {
		res = rc == SQLITE_DONE ? STORE_NOTFOUND : sqlite_map_rc(rc);
	}
	sqlite_done(q);
	return res;
}

/* ---- bots ------------------------------------------------------------------------------------------- */

static int read_bot(sqlite3_stmt *q, struct store_bot *out)
{
	bool ok = true;
	struct store_bot b = {0};
	sqlite_col_id(q, 0, b.id);
	sqlite_col_id(q, 1, b.tenant_id);
	b.name = sqlite_col_dup(q, 2, &ok);
	b.config = sqlite_col_dup(q, 3, &ok);
	b.active = sqlite3_column_int(q, 4) != 0;
	b.created_at = sqlite3_column_int64(q, 5);
	b.updated_at = sqlite3_column_int64(q, 6);
	b.knowledge_version = sqlite3_column_int64(q, 7);
	b.expires_at = sqlite3_column_int64(q, 8); /* NULL reads as 0: never */
	if (!ok) {
		store_bot_clear(&b);
		return STORE_NOMEM;
	}
	*out = b;
	return STORE_OK;
}

static int sq_bot_get(struct store *st, const char *tenant_id, const char *bot_id, struct store_bot *out)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, tenant_id ? S_BOT_GET : S_BOT_GET_PUBLIC) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, bot_id);
	if (tenant_id)
		sqlite_bind_text(q, 2, tenant_id);
	int rc = sqlite3_step(q), res;
	if (rc == SQLITE_ROW)
		res = read_bot(q, out);
	else
		res = rc == SQLITE_DONE ? STORE_NOTFOUND : sqlite_map_rc(rc);
	sqlite_done(q);
	return res;
}

/* Binds the columns of a bot row in the order S_BOT_INSERT and S_BOT_UPDATE share (?1 id, ?2 tenant). */
static int bot_create_tx(struct conn *c, void *arg)
{
	const struct store_bot *b = arg;
	sqlite3_stmt *q = sqlite_stmt(c, b->expires_at ? S_BOT_INSERT_EXPIRING : S_BOT_INSERT);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, b->id);
	sqlite_bind_text(q, 2, b->tenant_id);
	sqlite_bind_text(q, 3, b->name);
	sqlite_bind_text(q, 4, b->config);
	sqlite3_bind_int(q, 5, b->active);
	sqlite3_bind_int64(q, 6, b->created_at);
	sqlite3_bind_int64(q, 7, b->updated_at);
	if (b->expires_at)
		sqlite3_bind_int64(q, 8, b->expires_at);
	int rc = sqlite_run(c, q, NULL);
	/* a missing tenant is a foreign-key failure: report it as such, not as a duplicate */
	if (rc == STORE_CONFLICT && tenant_exists(c, b->tenant_id) == STORE_NOTFOUND)
		rc = STORE_NOTFOUND;
	return rc;
}

static int sq_bot_create(struct store *st, const struct store_bot *b)
{
	return sqlite_write(sqlite_of(st), bot_create_tx, (void *)(uintptr_t)b);
}

static int bot_update_tx(struct conn *c, void *arg)
{
	const struct store_bot *b = arg;
	int changes = 0;
	sqlite3_stmt *q = sqlite_stmt(c, S_BOT_UPDATE);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, b->id);
	sqlite_bind_text(q, 2, b->tenant_id);
	sqlite_bind_text(q, 3, b->name);
	sqlite_bind_text(q, 4, b->config);
	sqlite3_bind_int(q, 5, b->active);
	sqlite3_bind_int64(q, 6, b->updated_at);
	if (b->expires_at)
		sqlite3_bind_int64(q, 7, b->expires_at);
	else
		sqlite3_bind_null(q, 7);
	int rc = sqlite_run(c, q, &changes);
	return rc == STORE_OK && changes == 0 ? STORE_NOTFOUND : rc;
}

static int sq_bot_update(struct store *st, const struct store_bot *b)
{
	return sqlite_write(sqlite_of(st), bot_update_tx, (void *)(uintptr_t)b);
}

/* Runs one of the statements bound with (?1, ?2, ?3) = (a, b, c); c may be NULL for two-parameter ones. */
int sqlite_run_scoped(struct conn *c, enum stmt_id id, const char *p1, const char *p2, const char *p3,
		      int *changes)
{
	sqlite3_stmt *q = sqlite_stmt(c, id);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, p1);
	sqlite_bind_text(q, 2, p2);
	if (p3)
		sqlite_bind_text(q, 3, p3);
	return sqlite_run(c, q, changes);
}


static int bot_delete_tx(struct conn *c, void *arg)
{
	static const enum stmt_id cascade[] = {S_BOT_DEL_FTS,	   S_BOT_DEL_CHUNKS,	S_BOT_DEL_FILES, S_BOT_DEL_SOURCES,
					       S_BOT_DEL_MESSAGES, S_BOT_DEL_CONVS,	S_BOT_DEL_ANALYTICS,
					       S_BOT_DEL_CONSENTS, S_BOT_DEL_LEADS,	S_BOT_DEL_CONTACTS};
	const struct scope_args *a = arg;
	int rc = STORE_OK, changes = 0;
	for (size_t i = 0; rc == STORE_OK && i < sizeof cascade / sizeof cascade[0]; i++)
		rc = sqlite_run_scoped(c, cascade[i], a->bot_id, a->tenant_id, NULL, NULL);
	if (rc == STORE_OK)
		rc = sqlite_run_scoped(c, S_BOT_DELETE, a->bot_id, a->tenant_id, NULL, &changes);
	return rc == STORE_OK && changes == 0 ? STORE_NOTFOUND : rc;
}

static int sq_bot_delete(struct store *st, const char *tenant_id, const char *bot_id)
{
	struct scope_args a = {tenant_id, bot_id, NULL};
	return sqlite_write(sqlite_of(st), bot_delete_tx, &a);
}

static int sq_bot_list(struct store *st, const char *tenant_id, int64_t after_created, const char *after_id,
		       int limit, struct store_bot *rows, int *n)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_BOT_LIST) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, tenant_id);
	sqlite_bind_text(q, 2, after_id);
	sqlite3_bind_int64(q, 3, after_created);
	sqlite3_bind_int(q, 4, limit);
	int count = 0, rc, res = STORE_OK;
	while (count < limit && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		if ((res = read_bot(q, &rows[count])) != STORE_OK)
			break;
		count++;
	}
	if (res == STORE_OK && count < limit && rc != SQLITE_DONE)
		res = sqlite_map_rc(rc);
	sqlite_done(q);
	if (res != STORE_OK) {
		while (count > 0)
			store_bot_clear(&rows[--count]);
		return res;
	}
	*n = count;
	return STORE_OK;
}

int sq_bot_scan(struct store *st, const char *after_id, int limit, struct store_bot *rows, int *n)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_BOT_SCAN) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, after_id);
	sqlite3_bind_int(q, 2, limit);
	int count = 0, rc = SQLITE_DONE, res = STORE_OK;
	while (count < limit && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		if ((res = read_bot(q, &rows[count])) != STORE_OK)
			break;
		count++;
	}
	if (res == STORE_OK && count < limit && rc != SQLITE_DONE)
		res = sqlite_map_rc(rc);
	sqlite_done(q);
	if (res != STORE_OK) {
		while (count > 0)
			store_bot_clear(&rows[--count]);
		return res;
	}
	*n = count;
	return STORE_OK;
}

/* The bot's rid (see sqlite_int.h); the knowledge and chat transactions use it too. */
int sqlite_bot_rid(struct conn *c, const char *tenant_id, const char *bot_id, sqlite3_int64 *rid)
{
	sqlite3_stmt *q = sqlite_stmt(c, S_BOT_RID);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, bot_id);
	sqlite_bind_text(q, 2, tenant_id);
	int res = sqlite_step_row(q, STORE_NOTFOUND);
	if (res == STORE_OK) {
		*rid = sqlite3_column_int64(q, 0);
	}
	sqlite_done(q);
	return res;
}

static const struct store_ops sqlite_ops = {
	.name = "sqlite",
	.close = sq_close,
	.ping = sq_ping,
	.schema_version = sq_schema_version,
	.backup = sq_backup,
	.tenant_retention_get = sq_tenant_retention_get,
	.tenant_retention_set = sq_tenant_retention_set,
	.retention_tenants = sq_retention_tenants,
	.retention_erase = sq_retention_erase,
	.bot_expire = sq_bot_expire,
	.tenant_key_list = sq_tenant_key_list,
	.tenant_key_swap = sq_tenant_key_swap,
	.server_key_get = sq_server_key_get,
	.server_key_swap = sq_server_key_swap,
	.apply_migration = sq_apply_migration,
	.tenant_create = sq_tenant_create,
	.tenant_get = sq_tenant_get,
	.apikey_create = sq_apikey_create,
	.apikey_revoke = sq_apikey_revoke,
	.apikey_lookup = sq_apikey_lookup,
	.bot_create = sq_bot_create,
	.bot_get = sq_bot_get,
	.bot_update = sq_bot_update,
	.bot_delete = sq_bot_delete,
	.bot_list = sq_bot_list,
	.source_create = sq_source_create,
	.source_get = sq_source_get,
	.source_list = sq_source_list,
	.source_delete = sq_source_delete,
	.chunk_search = sq_chunk_search,
	.chunk_list = sq_chunk_list,
	.exchange_save = sq_exchange_save,
	.exchange_save_async = sq_exchange_save_async,
	.conversation_exists = sq_conversation_exists,
	.conversation_contact = sq_conversation_contact,
	.conversation_state = sq_conversation_state,
	.conversation_count_messages = sq_conversation_count_messages,
	.analytics_add = sq_analytics_add,
	.message_list = sq_message_list,
	.embed_pending = sq_embed_pending,
	.embed_put = sq_embed_put,
	.embed_load = sq_embed_load,
	.embed_count = sq_embed_count,
	.bot_scan = sq_bot_scan,
	.source_enqueue = sq_source_enqueue,
	.source_claim = sq_source_claim,
	.source_progress = sq_source_progress,
	.source_finish = sq_source_finish,
	.source_requeue = sq_source_requeue,
	.source_file = sq_source_file,
	.tenant_key_get = sq_tenant_key_get,
	.tenant_key_init = sq_tenant_key_init,
	.lead_capture = sq_lead_capture,
	.lead_list = sq_lead_list,
	.lead_get = sq_lead_get,
	.contact_erase = sq_contact_erase,
	.erasure_list = sq_erasure_list,
	.contact_purge = sq_contact_purge,
	.contact_profile_get = sq_contact_profile_get,
	.contact_profile_set = sq_contact_profile_set,
	.image_get = sq_image_get,
	.bot_logo_set = sq_bot_logo_set,
	.person_create = sq_person_create,
	.person_get = sq_person_get,
	.person_list = sq_person_list,
	.person_update = sq_person_update,
	.person_delete = sq_person_delete,
	.person_reorder = sq_person_reorder,
	.person_photo_set = sq_person_photo_set,
	.contact_request = sq_contact_request,
	.lead_details = sq_lead_details,
	.bot_stats = sq_bot_stats,
	.contact_get = sq_contact_get,
	.conversation_get = sq_conversation_get,
	.contact_conversations = sq_contact_conversations,
	.contact_consents = sq_contact_consents,
	.contact_leads = sq_contact_leads,
	.job_add = sq_job_add,
	.job_claim = sq_job_claim,
	.job_finish = sq_job_finish,
	.job_cancel_key = sq_job_cancel_key,
	.job_get = sq_job_get,
	.job_list_dead = sq_job_list_dead,
	.job_retry_dead = sq_job_retry_dead,
	.job_next_run_at = sq_job_next_run_at,
	.webhook_put = sq_webhook_put,
	.webhook_put_async = sq_webhook_put_async,
	.webhook_claim = sq_webhook_claim,
	.webhook_done = sq_webhook_done,
	.prune_finished = sq_prune_finished,
	.wa_contact_upsert = sq_wa_contact_upsert,
	.wa_contact_find = sq_wa_contact_find,
	.wa_consent_set = sq_wa_consent_set,
	.wa_touch_inbound = sq_wa_touch_inbound,
	.wa_message_add = sq_wa_message_add,
	.wa_message_sent = sq_wa_message_sent,
	.wa_message_status = sq_wa_message_status,
	.wa_message_get = sq_wa_message_get,
	.wa_messages_list = sq_wa_messages_list,
	.wa_conv_open = sq_wa_conv_open,
	.wa_conv_get = sq_wa_conv_get,
	.wa_conv_update = sq_wa_conv_update,
	.analytics_counts = sq_analytics_counts,
};

struct store *store_sqlite_open(const struct store_opts *opts, char *errbuf, size_t errlen)
{
	/* Connections are never shared between threads, so SQLite's own locking is not needed; and the
	 * memory statistics take a process-wide mutex on every allocation, which serialises all threads.
	 * Both must be configured before SQLite initialises; later calls fail harmlessly (SQLITE_MISUSE). */
	sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);

	struct sqlite_store *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(errbuf, errlen, "out of memory");
		return NULL;
	}
	s->base.ops = &sqlite_ops;
	if (sqlite_store_init(s, opts, errbuf, errlen) != 0) {
		sq_close(&s->base);
		return NULL;
	}
	return &s->base;
}
