/*
 * store_sqlite.c — the embedded SQLite backend: entity operations.
 *
 * Connections, statement cache, FTS5 hooks and the group-commit writer live in sqlite_conn.c (see
 * sqlite_int.h). Reads run on the calling thread's connection; every write is a transaction body
 * (`*_tx`) handed to the writer with sqlite_write().
 *
 * Full text: chunks_fts (FTS5, external content on `chunks`) is tokenized by the store's hook; searches
 * are filtered by the bot's integer rid (column bot_rid), and botwerk_matched() reports which query
 * words occur in a row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"

#define BOT_COLS "id, tenant_id, name, config, active, created_at, updated_at, knowledge_version"
#define SOURCE_COLS "id, bot_id, kind, title, status, chars, chunks, created_at, updated_at"

const char *const sqlite_stmt_sql[S__COUNT] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_SAVEPOINT] = "SAVEPOINT op",
	[S_RELEASE] = "RELEASE op",
	[S_ROLLBACK_TO] = "ROLLBACK TO op",
	[S_TENANT_INSERT] = "INSERT INTO tenants(id, name, created_at) VALUES(?1, ?2, ?3)",
	[S_TENANT_GET] = "SELECT id, name, created_at FROM tenants WHERE id = ?1",
	[S_KEY_INSERT] = "INSERT INTO api_keys(id, tenant_id, key_hash, prefix, created_at) VALUES(?1, ?2, ?3, ?4, ?5)",
	[S_KEY_REVOKE] = "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
	[S_KEY_EXISTS] = "SELECT 1 FROM api_keys WHERE id = ?1",
	[S_KEY_LOOKUP] = "SELECT tenant_id FROM api_keys WHERE key_hash = ?1 AND revoked_at IS NULL",
	[S_BOT_INSERT] = "INSERT INTO bots(id, tenant_id, name, config, active, created_at, updated_at) "
			 "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_BOT_GET] = "SELECT " BOT_COLS " FROM bots WHERE id = ?1 AND tenant_id = ?2",
	[S_BOT_GET_PUBLIC] = "SELECT " BOT_COLS " FROM bots WHERE id = ?1",
	[S_BOT_UPDATE] = "UPDATE bots SET name = ?3, config = ?4, active = ?5, updated_at = ?6 "
			 "WHERE id = ?1 AND tenant_id = ?2",
	/* every source create and delete, in its own transaction body (see bots.knowledge_version) */
	[S_BOT_BUMP] = "UPDATE bots SET knowledge_version = knowledge_version + 1 WHERE id = ?1 AND tenant_id = ?2",
	[S_BOT_RID] = "SELECT rid FROM bots WHERE id = ?1 AND tenant_id = ?2",
	[S_BOT_LIST] = "SELECT " BOT_COLS " FROM bots WHERE tenant_id = ?1 "
		       "AND (?2 IS NULL OR created_at < ?3 OR (created_at = ?3 AND id < ?2)) "
		       "ORDER BY created_at DESC, id DESC LIMIT ?4",
	[S_BOT_DEL_FTS] = "INSERT INTO chunks_fts(chunks_fts, rowid, bot_rid, heading, text) "
			  "SELECT 'delete', id, bot_rid, heading, text FROM chunks WHERE bot_id = ?1 AND tenant_id = ?2",
	[S_BOT_DEL_CHUNKS] = "DELETE FROM chunks WHERE bot_id = ?1 AND tenant_id = ?2",
	[S_BOT_DEL_SOURCES] = "DELETE FROM sources WHERE bot_id = ?1 AND tenant_id = ?2",
	[S_BOT_DEL_MESSAGES] = "DELETE FROM messages WHERE bot_id = ?1 AND tenant_id = ?2",
	[S_BOT_DEL_CONVS] = "DELETE FROM conversations WHERE bot_id = ?1 AND tenant_id = ?2",
	[S_BOT_DEL_ANALYTICS] = "DELETE FROM analytics_events WHERE bot_id = ?1 AND tenant_id = ?2",
	[S_BOT_DELETE] = "DELETE FROM bots WHERE id = ?1 AND tenant_id = ?2",
	[S_SOURCE_INSERT] = "INSERT INTO sources(id, tenant_id, bot_id, kind, title, status, chars, chunks, "
			    "created_at, updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[S_CHUNK_INSERT] = "INSERT INTO chunks(tenant_id, bot_id, bot_rid, source_id, ord, heading, text) "
			   "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_FTS_INSERT] = "INSERT INTO chunks_fts(rowid, bot_rid, heading, text) VALUES(?1, ?2, ?3, ?4)",
	[S_SOURCE_GET] = "SELECT " SOURCE_COLS " FROM sources WHERE id = ?1 AND bot_id = ?2 AND tenant_id = ?3",
	[S_SOURCE_LIST] = "SELECT " SOURCE_COLS " FROM sources WHERE tenant_id = ?1 AND bot_id = ?2 "
			  "AND (?3 IS NULL OR created_at < ?4 OR (created_at = ?4 AND id < ?3)) "
			  "ORDER BY created_at DESC, id DESC LIMIT ?5",
	[S_SOURCE_DEL_FTS] = "INSERT INTO chunks_fts(chunks_fts, rowid, bot_rid, heading, text) "
			     "SELECT 'delete', id, bot_rid, heading, text FROM chunks "
			     "WHERE source_id = ?1 AND bot_id = ?2 AND tenant_id = ?3",
	[S_SOURCE_DEL_CHUNKS] = "DELETE FROM chunks WHERE source_id = ?1 AND bot_id = ?2 AND tenant_id = ?3",
	[S_SOURCE_DELETE] = "DELETE FROM sources WHERE id = ?1 AND bot_id = ?2 AND tenant_id = ?3",
	[S_SEARCH] = "SELECT c.id, s.title, c.heading, c.text, -f.r, f.m FROM "
		     "(SELECT rowid AS id, rank AS r, botwerk_matched(chunks_fts, ?2) AS m FROM chunks_fts "
		     " WHERE chunks_fts MATCH ?1 AND rank MATCH 'bm25(0.0, 2.0, 1.0)' ORDER BY rank LIMIT ?3) f "
		     "JOIN chunks c ON c.id = f.id JOIN sources s ON s.id = c.source_id "
		     "WHERE c.tenant_id = ?4 AND c.bot_id = ?5 ORDER BY f.r",
	/* One statement, so one snapshot: the bot row (ownership) and its chunks. A bot without chunks
	 * gives one row with a NULL chunk id; no row at all means the bot is not the tenant's. */
	[S_CHUNK_LIST] = "SELECT c.id, coalesce(s.title, ''), c.heading, c.text FROM bots b "
			 "LEFT JOIN chunks c ON c.bot_id = b.id AND c.tenant_id = b.tenant_id "
			 "LEFT JOIN sources s ON s.id = c.source_id "
			 "WHERE b.id = ?1 AND b.tenant_id = ?2 ORDER BY c.id",
	[S_CONV_INSERT] = "INSERT INTO conversations(id, tenant_id, bot_id, channel, status, message_count, "
			  "created_at, last_message_at) VALUES(?1, ?2, ?3, ?4, 'open', ?6, ?5, ?5)",
	[S_MSG_INSERT] = "INSERT INTO messages(id, tenant_id, bot_id, conversation_id, direction, content, meta, "
			 "latency_ms, created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[S_CONV_TOUCH] = "UPDATE conversations SET message_count = message_count + ?3, last_message_at = ?4 "
			 "WHERE id = ?1 AND tenant_id = ?2 AND bot_id = ?5",
	[S_CONV_EXISTS] = "SELECT 1 FROM conversations WHERE id = ?1 AND bot_id = ?2 AND tenant_id = ?3",
	[S_CONV_COUNT] = "SELECT count(*) FROM messages WHERE conversation_id = ?1 AND tenant_id = ?2",
	[S_ANALYTICS_INSERT] = "INSERT INTO analytics_events(tenant_id, bot_id, event, props, created_at) "
			       "VALUES(?1, ?2, ?3, ?4, ?5)",
};

static struct sqlite_store *S(struct store *st)
{
	return (struct sqlite_store *)st;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void col_id(sqlite3_stmt *st, int i, char out[STORE_ID_MAX])
{
	const unsigned char *t = sqlite3_column_text(st, i);
	snprintf(out, STORE_ID_MAX, "%s", t ? (const char *)t : "");
}

static char *col_dup(sqlite3_stmt *st, int i, bool *ok)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return store_strdup(t ? (const char *)t : "", ok);
}

/* A text column in place (valid until the statement steps or resets): "" for NULL; *ok turns false
 * when SQLite ran out of memory converting it. */
static const char *col_str(struct conn *c, sqlite3_stmt *st, int i, bool *ok)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	if (t)
		return (const char *)t;
	if (sqlite3_errcode(c->db) == SQLITE_NOMEM)
		*ok = false;
	return "";
}

/* ---- lifecycle and migrations ----------------------------------------------------------------------- */

static void sq_close(struct store *st)
{
	sqlite_store_fini(S(st));
	free(st);
}

static int sq_ping(struct store *st)
{
	struct conn *c = sqlite_conn(S(st));
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
	struct conn *c = sqlite_conn(S(st));
	return c ? version_of(c->db, version) : STORE_ERROR;
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
	return sqlite_write(S(st), apply_migration_tx, &a);
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
	bind_text(q, 1, a->id);
	bind_text(q, 2, a->name);
	sqlite3_bind_int64(q, 3, a->now);
	return sqlite_run(c, q, NULL);
}

static int sq_tenant_create(struct store *st, const char *id, const char *name, int64_t now)
{
	struct tenant_args a = {id, name, now};
	return sqlite_write(S(st), tenant_create_tx, &a);
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
	bind_text(q, 1, tenant_id);
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
	bind_text(q, 1, a->key_id);
	bind_text(q, 2, a->tenant_id);
	sqlite3_bind_blob(q, 3, a->hash, 32, SQLITE_STATIC);
	bind_text(q, 4, a->prefix);
	sqlite3_bind_int64(q, 5, a->now);
	return sqlite_run(c, q, NULL);
}

static int sq_apikey_create(struct store *st, const char *key_id, const char *tenant_id,
			    const unsigned char hash[32], const char *prefix, int64_t now)
{
	struct key_args a = {key_id, tenant_id, prefix, hash, now};
	return sqlite_write(S(st), apikey_create_tx, &a);
}

static int apikey_revoke_tx(struct conn *c, void *arg)
{
	const struct key_args *a = arg;
	int changes = 0;
	sqlite3_stmt *q = sqlite_stmt(c, S_KEY_REVOKE);
	if (!q)
		return STORE_ERROR;
	bind_text(q, 1, a->key_id);
	sqlite3_bind_int64(q, 2, a->now);
	int rc = sqlite_run(c, q, &changes);
	if (rc != STORE_OK || changes > 0)
		return rc;
	/* already revoked is fine; unknown is not */
	sqlite3_stmt *e = sqlite_stmt(c, S_KEY_EXISTS);
	if (!e)
		return STORE_ERROR;
	bind_text(e, 1, a->key_id);
	rc = sqlite3_step(e) == SQLITE_ROW ? STORE_OK : STORE_NOTFOUND;
	sqlite_done(e);
	return rc;
}

static int sq_apikey_revoke(struct store *st, const char *key_id, int64_t now)
{
	struct key_args a = {.key_id = key_id, .now = now};
	return sqlite_write(S(st), apikey_revoke_tx, &a);
}

/* ---- reads ---------------------------------------------------------------------------------------- */

static int sq_tenant_get(struct store *st, const char *id, struct store_tenant *out)
{
	struct conn *c = sqlite_conn(S(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_TENANT_GET) : NULL;
	if (!q)
		return STORE_ERROR;
	bind_text(q, 1, id);
	int rc = sqlite3_step(q), res = STORE_NOTFOUND;
	if (rc == SQLITE_ROW) {
		bool ok = true;
		struct store_tenant t = {0};
		col_id(q, 0, t.id);
		t.name = col_dup(q, 1, &ok);
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
	struct conn *c = sqlite_conn(S(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_KEY_LOOKUP) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite3_bind_blob(q, 1, hash, 32, SQLITE_STATIC);
	int rc = sqlite3_step(q), res;
	if (rc == SQLITE_ROW) {
		col_id(q, 0, tenant_id);
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
	col_id(q, 0, b.id);
	col_id(q, 1, b.tenant_id);
	b.name = col_dup(q, 2, &ok);
	b.config = col_dup(q, 3, &ok);
	b.active = sqlite3_column_int(q, 4) != 0;
	b.created_at = sqlite3_column_int64(q, 5);
	b.updated_at = sqlite3_column_int64(q, 6);
	b.knowledge_version = sqlite3_column_int64(q, 7);
	if (!ok) {
		store_bot_clear(&b);
		return STORE_NOMEM;
	}
	*out = b;
	return STORE_OK;
}

static int sq_bot_get(struct store *st, const char *tenant_id, const char *bot_id, struct store_bot *out)
{
	struct conn *c = sqlite_conn(S(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, tenant_id ? S_BOT_GET : S_BOT_GET_PUBLIC) : NULL;
	if (!q)
		return STORE_ERROR;
	bind_text(q, 1, bot_id);
	if (tenant_id)
		bind_text(q, 2, tenant_id);
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
	sqlite3_stmt *q = sqlite_stmt(c, S_BOT_INSERT);
	if (!q)
		return STORE_ERROR;
	bind_text(q, 1, b->id);
	bind_text(q, 2, b->tenant_id);
	bind_text(q, 3, b->name);
	bind_text(q, 4, b->config);
	sqlite3_bind_int(q, 5, b->active);
	sqlite3_bind_int64(q, 6, b->created_at);
	sqlite3_bind_int64(q, 7, b->updated_at);
	int rc = sqlite_run(c, q, NULL);
	/* a missing tenant is a foreign-key failure: report it as such, not as a duplicate */
	if (rc == STORE_CONFLICT && tenant_exists(c, b->tenant_id) == STORE_NOTFOUND)
		rc = STORE_NOTFOUND;
	return rc;
}

static int sq_bot_create(struct store *st, const struct store_bot *b)
{
	return sqlite_write(S(st), bot_create_tx, (void *)(uintptr_t)b);
}

static int bot_update_tx(struct conn *c, void *arg)
{
	const struct store_bot *b = arg;
	int changes = 0;
	sqlite3_stmt *q = sqlite_stmt(c, S_BOT_UPDATE);
	if (!q)
		return STORE_ERROR;
	bind_text(q, 1, b->id);
	bind_text(q, 2, b->tenant_id);
	bind_text(q, 3, b->name);
	bind_text(q, 4, b->config);
	sqlite3_bind_int(q, 5, b->active);
	sqlite3_bind_int64(q, 6, b->updated_at);
	int rc = sqlite_run(c, q, &changes);
	return rc == STORE_OK && changes == 0 ? STORE_NOTFOUND : rc;
}

static int sq_bot_update(struct store *st, const struct store_bot *b)
{
	return sqlite_write(S(st), bot_update_tx, (void *)(uintptr_t)b);
}

/* Runs one of the statements bound with (?1, ?2, ?3) = (a, b, c); c may be NULL for two-parameter ones. */
static int run_scoped(struct conn *c, enum stmt_id id, const char *p1, const char *p2, const char *p3, int *changes)
{
	sqlite3_stmt *q = sqlite_stmt(c, id);
	if (!q)
		return STORE_ERROR;
	bind_text(q, 1, p1);
	bind_text(q, 2, p2);
	if (p3)
		bind_text(q, 3, p3);
	return sqlite_run(c, q, changes);
}

struct scope_args {
	const char *tenant_id, *bot_id, *source_id;
};

static int bot_delete_tx(struct conn *c, void *arg)
{
	static const enum stmt_id cascade[] = {S_BOT_DEL_FTS,	   S_BOT_DEL_CHUNKS, S_BOT_DEL_SOURCES,
					       S_BOT_DEL_MESSAGES, S_BOT_DEL_CONVS,  S_BOT_DEL_ANALYTICS};
	const struct scope_args *a = arg;
	int rc = STORE_OK, changes = 0;
	for (size_t i = 0; rc == STORE_OK && i < sizeof cascade / sizeof cascade[0]; i++)
		rc = run_scoped(c, cascade[i], a->bot_id, a->tenant_id, NULL, NULL);
	if (rc == STORE_OK)
		rc = run_scoped(c, S_BOT_DELETE, a->bot_id, a->tenant_id, NULL, &changes);
	return rc == STORE_OK && changes == 0 ? STORE_NOTFOUND : rc;
}

static int sq_bot_delete(struct store *st, const char *tenant_id, const char *bot_id)
{
	struct scope_args a = {tenant_id, bot_id, NULL};
	return sqlite_write(S(st), bot_delete_tx, &a);
}

static int sq_bot_list(struct store *st, const char *tenant_id, int64_t after_created, const char *after_id,
		       int limit, struct store_bot *rows, int *n)
{
	struct conn *c = sqlite_conn(S(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_BOT_LIST) : NULL;
	if (!q)
		return STORE_ERROR;
	bind_text(q, 1, tenant_id);
	bind_text(q, 2, after_id);
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

/* ---- sources and chunks ----------------------------------------------------------------------------- */

static int bot_rid(struct conn *c, const char *tenant_id, const char *bot_id, sqlite3_int64 *rid)
{
	sqlite3_stmt *q = sqlite_stmt(c, S_BOT_RID);
	if (!q)
		return STORE_ERROR;
	bind_text(q, 1, bot_id);
	bind_text(q, 2, tenant_id);
	int rc = sqlite3_step(q), res = STORE_NOTFOUND;
	if (rc == SQLITE_ROW) {
		*rid = sqlite3_column_int64(q, 0);
		res = STORE_OK;
	} else if (rc != SQLITE_DONE) {
		res = sqlite_map_rc(rc);
	}
	sqlite_done(q);
	return res;
}

static int insert_chunk(struct conn *c, const char *tenant_id, const char *bot_id, sqlite3_int64 rid,
			const char *source_id, const struct store_chunk_in *ch)
{
	sqlite3_stmt *q = sqlite_stmt(c, S_CHUNK_INSERT);
	if (!q)
		return STORE_ERROR;
	bind_text(q, 1, tenant_id);
	bind_text(q, 2, bot_id);
	sqlite3_bind_int64(q, 3, rid);
	bind_text(q, 4, source_id);
	sqlite3_bind_int(q, 5, ch->ord);
	bind_text(q, 6, ch->heading ? ch->heading : "");
	bind_text(q, 7, ch->text);
	int rc = sqlite_run(c, q, NULL);
	if (rc != STORE_OK)
		return rc;
	sqlite3_int64 chunk_id = sqlite3_last_insert_rowid(c->db);
	sqlite3_stmt *f = sqlite_stmt(c, S_FTS_INSERT);
	if (!f)
		return STORE_ERROR;
	sqlite3_bind_int64(f, 1, chunk_id);
	sqlite3_bind_int64(f, 2, rid);
	bind_text(f, 3, ch->heading ? ch->heading : "");
	bind_text(f, 4, ch->text);
	return sqlite_run(c, f, NULL);
}

/* Raises bots.knowledge_version by one. Called last in the transaction bodies that change a bot's
 * sources, so the counter and the chunks commit (or roll back) together. */
static int knowledge_bump(struct conn *c, const char *tenant_id, const char *bot_id)
{
	int changes = 0;
	int rc = run_scoped(c, S_BOT_BUMP, bot_id, tenant_id, NULL, &changes);
	return rc == STORE_OK && changes == 0 ? STORE_NOTFOUND : rc;
}

struct source_args {
	const char *tenant_id;
	const struct store_source *src;
	const struct store_chunk_in *chunks;
	int nchunks;
};

static int source_create_tx(struct conn *c, void *arg)
{
	const struct source_args *a = arg;
	const struct store_source *src = a->src;
	sqlite3_int64 rid = 0;
	int rc = bot_rid(c, a->tenant_id, src->bot_id, &rid);
	if (rc != STORE_OK)
		return rc;
	sqlite3_stmt *q = sqlite_stmt(c, S_SOURCE_INSERT);
	if (!q)
		return STORE_ERROR;
	bind_text(q, 1, src->id);
	bind_text(q, 2, a->tenant_id);
	bind_text(q, 3, src->bot_id);
	bind_text(q, 4, src->kind);
	bind_text(q, 5, src->title);
	bind_text(q, 6, src->status);
	sqlite3_bind_int64(q, 7, src->chars);
	sqlite3_bind_int(q, 8, a->nchunks);
	sqlite3_bind_int64(q, 9, src->created_at);
	sqlite3_bind_int64(q, 10, src->updated_at);
	rc = sqlite_run(c, q, NULL);
	for (int i = 0; rc == STORE_OK && i < a->nchunks; i++)
		rc = insert_chunk(c, a->tenant_id, src->bot_id, rid, src->id, &a->chunks[i]);
	if (rc == STORE_OK)
		rc = knowledge_bump(c, a->tenant_id, src->bot_id);
	return rc;
}

static int sq_source_create(struct store *st, const char *tenant_id, const struct store_source *src,
			    const struct store_chunk_in *chunks, int nchunks)
{
	struct source_args a = {tenant_id, src, chunks, nchunks};
	return sqlite_write(S(st), source_create_tx, &a);
}

static int read_source(sqlite3_stmt *q, struct store_source *out)
{
	bool ok = true;
	struct store_source r = {0};
	col_id(q, 0, r.id);
	col_id(q, 1, r.bot_id);
	r.kind = col_dup(q, 2, &ok);
	r.title = col_dup(q, 3, &ok);
	r.status = col_dup(q, 4, &ok);
	r.chars = sqlite3_column_int64(q, 5);
	r.chunks = sqlite3_column_int(q, 6);
	r.created_at = sqlite3_column_int64(q, 7);
	r.updated_at = sqlite3_column_int64(q, 8);
	if (!ok) {
		store_source_clear(&r);
		return STORE_NOMEM;
	}
	*out = r;
	return STORE_OK;
}

static int sq_source_get(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
			 struct store_source *out)
{
	struct conn *c = sqlite_conn(S(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_SOURCE_GET) : NULL;
	if (!q)
		return STORE_ERROR;
	bind_text(q, 1, source_id);
	bind_text(q, 2, bot_id);
	bind_text(q, 3, tenant_id);
	int rc = sqlite3_step(q), res;
	if (rc == SQLITE_ROW)
		res = read_source(q, out);
	else
		res = rc == SQLITE_DONE ? STORE_NOTFOUND : sqlite_map_rc(rc);
	sqlite_done(q);
	return res;
}

static int sq_source_list(struct store *st, const char *tenant_id, const char *bot_id, int64_t after_created,
			  const char *after_id, int limit, struct store_source *rows, int *n)
{
	struct conn *c = sqlite_conn(S(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_SOURCE_LIST) : NULL;
	if (!q)
		return STORE_ERROR;
	bind_text(q, 1, tenant_id);
	bind_text(q, 2, bot_id);
	bind_text(q, 3, after_id);
	sqlite3_bind_int64(q, 4, after_created);
	sqlite3_bind_int(q, 5, limit);
	int count = 0, rc, res = STORE_OK;
	while (count < limit && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		if ((res = read_source(q, &rows[count])) != STORE_OK)
			break;
		count++;
	}
	if (res == STORE_OK && count < limit && rc != SQLITE_DONE)
		res = sqlite_map_rc(rc);
	sqlite_done(q);
	if (res != STORE_OK) {
		while (count > 0)
			store_source_clear(&rows[--count]);
		return res;
	}
	*n = count;
	return STORE_OK;
}

static int source_delete_tx(struct conn *c, void *arg)
{
	const struct scope_args *a = arg;
	int changes = 0;
	int rc = run_scoped(c, S_SOURCE_DEL_FTS, a->source_id, a->bot_id, a->tenant_id, NULL);
	if (rc == STORE_OK)
		rc = run_scoped(c, S_SOURCE_DEL_CHUNKS, a->source_id, a->bot_id, a->tenant_id, NULL);
	if (rc == STORE_OK)
		rc = run_scoped(c, S_SOURCE_DELETE, a->source_id, a->bot_id, a->tenant_id, &changes);
	if (rc == STORE_OK && changes == 0)
		return STORE_NOTFOUND;
	if (rc == STORE_OK)
		rc = knowledge_bump(c, a->tenant_id, a->bot_id);
	return rc;
}

static int sq_source_delete(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id)
{
	struct scope_args a = {tenant_id, bot_id, source_id};
	return sqlite_write(S(st), source_delete_tx, &a);
}

/* Every chunk of the bot in id order, from one statement (one snapshot; see S_CHUNK_LIST). The row's
 * strings belong to the statement and are valid until the next step, i.e. during the emit call. */
static int sq_chunk_list(struct store *st, const char *tenant_id, const char *bot_id, store_chunk_fn emit,
			 void *ud)
{
	struct conn *c = sqlite_conn(S(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_CHUNK_LIST) : NULL;
	int rc, res = STORE_NOTFOUND;
	if (!q)
		return STORE_ERROR;
	bind_text(q, 1, bot_id);
	bind_text(q, 2, tenant_id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		res = STORE_OK; /* the bot is the tenant's */
		if (sqlite3_column_type(q, 0) == SQLITE_NULL)
			continue; /* a bot without chunks */
		bool ok = true;
		struct store_chunk_row row = {
			.chunk_id = sqlite3_column_int64(q, 0),
			.title = col_str(c, q, 1, &ok),
			.heading = col_str(c, q, 2, &ok),
			.text = col_str(c, q, 3, &ok),
		};
		if (!ok) {
			res = STORE_NOMEM;
			break;
		}
		int stop = emit(ud, &row);
		if (stop != 0) {
			res = stop;
			break;
		}
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite_log("chunk_list", c->db);
		res = sqlite_map_rc(rc);
	}
	sqlite_done(q);
	return res;
}

/* Counts the terms a word yields (a word without terms cannot be a query phrase). */
static int count_term(void *ud, const char *term, size_t len, size_t start, size_t end)
{
	(void)term;
	(void)len;
	(void)start;
	(void)end;
	++*(int *)ud;
	return 0;
}

/* One word as a quoted FTS5 phrase ('"' doubled), recorded in the phrase → word map. */
struct match_build {
	sqlite3_str *q;
	const char *const *words;
	const int *usable;  /* caller's indexes of the words that yield terms */
	unsigned char *map; /* map[k] = caller's word index of query phrase k+1 (phrase 0: bot filter) */
	int nphr;
};

static void add_phrase(struct match_build *b, int word)
{
	sqlite3_str_appendchar(b->q, 1, '"');
	for (const char *p = b->words[word]; *p; p++) {
		if (*p == '"')
			sqlite3_str_appendchar(b->q, 1, '"');
		sqlite3_str_appendchar(b->q, 1, *p);
	}
	sqlite3_str_appendchar(b->q, 1, '"');
	b->map[b->nphr++] = (unsigned char)word;
}

/* store_match_groups callback: "(w1 AND w2)" ORed onto the expression. */
static void add_group(void *ud, const int *idx, int k)
{
	struct match_build *b = ud;
	sqlite3_str_appendall(b->q, b->nphr > 0 ? " OR (" : "(");
	for (int j = 0; j < k; j++) {
		if (j > 0)
			sqlite3_str_appendall(b->q, " AND ");
		add_phrase(b, b->usable[idx[j]]);
	}
	sqlite3_str_appendchar(b->q, 1, ')');
}

/* Builds the MATCH expression: the bot filter AND either the groups of store_match_groups (chunks
 * holding at least min_match of the words) or all usable words ORed. Returns the number of word
 * phrases (0: nothing to search). `map` holds STORE_MATCH_GROUPS_MAX * STORE_SEARCH_MAX_WORDS bytes. */
static int build_match(struct sqlite_store *s, sqlite3_int64 rid, const char *const *words, int nwords,
		       int min_match, sqlite3_str *q, unsigned char *map)
{
	int usable[STORE_SEARCH_MAX_WORDS], nu = 0;
	for (int i = 0; i < nwords; i++) {
		int terms = 0;
		size_t wl = strlen(words[i]);
		if (wl > 0 && s->base.opts.tokenize(s->base.opts.tokenize_ctx, words[i], wl, count_term, &terms) == 0 &&
		    terms > 0)
			usable[nu++] = i;
	}
	struct match_build b = {.q = q, .words = words, .usable = usable, .map = map};
	sqlite3_str_appendf(q, "bot_rid : \"%lld\" AND (", (long long)rid);
	if (store_match_groups(nu, min_match, add_group, &b) == 0)
		for (int i = 0; i < nu; i++) {
			if (i > 0)
				sqlite3_str_appendall(q, " OR ");
			add_phrase(&b, usable[i]);
		}
	sqlite3_str_appendchar(q, 1, ')');
	return b.nphr;
}

static int sq_chunk_search(struct store *st, const char *tenant_id, const char *bot_id, const char *const *words,
			   int nwords, int min_match, int limit, struct store_hit *hits, int *n)
{
	struct sqlite_store *s = S(st);
	struct conn *c = sqlite_conn(s);
	unsigned char map[STORE_MATCH_GROUPS_MAX * STORE_SEARCH_MAX_WORDS];
	sqlite3_int64 rid = 0;
	int res, count = 0;

	if (!c)
		return STORE_ERROR;
	res = bot_rid(c, tenant_id, bot_id, &rid);
	if (res != STORE_OK)
		return res;
	sqlite3_str *expr = sqlite3_str_new(c->db);
	int nphr = build_match(s, rid, words, nwords, min_match, expr, map);
	char *match = sqlite3_str_finish(expr);
	if (!match)
		return STORE_NOMEM;
	if (nphr == 0) {
		sqlite3_free(match);
		*n = 0;
		return STORE_OK;
	}
	sqlite3_stmt *q = sqlite_stmt(c, S_SEARCH);
	if (!q) {
		sqlite3_free(match);
		return STORE_ERROR;
	}
	sqlite3_bind_text(q, 1, match, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 2, map, nphr, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, limit);
	bind_text(q, 4, tenant_id);
	bind_text(q, 5, bot_id);
	int rc;
	while (count < limit && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		bool ok = true;
		struct store_hit h = {0};
		h.chunk_id = sqlite3_column_int64(q, 0);
		h.title = col_dup(q, 1, &ok);
		h.heading = col_dup(q, 2, &ok);
		h.text = col_dup(q, 3, &ok);
		h.rank = sqlite3_column_double(q, 4);
		h.matched = (uint32_t)sqlite3_column_int64(q, 5);
		if (!ok) {
			store_hit_clear(&h);
			res = STORE_NOMEM;
			break;
		}
		hits[count++] = h;
	}
	if (res == STORE_OK && count < limit && rc != SQLITE_DONE) {
		sqlite_log("search", c->db);
		res = sqlite_map_rc(rc);
	}
	sqlite_done(q);
	sqlite3_free(match);
	if (res != STORE_OK) {
		while (count > 0)
			store_hit_clear(&hits[--count]);
		return res;
	}
	*n = count;
	return STORE_OK;
}

/* ---- conversations ---------------------------------------------------------------------------------- */

static int insert_message(struct conn *c, const struct store_exchange *x, const char *id, const char *dir,
			  const char *content, const char *meta, int latency)
{
	sqlite3_stmt *q = sqlite_stmt(c, S_MSG_INSERT);
	if (!q)
		return STORE_ERROR;
	bind_text(q, 1, id);
	bind_text(q, 2, x->tenant_id);
	bind_text(q, 3, x->bot_id);
	bind_text(q, 4, x->conversation_id);
	bind_text(q, 5, dir);
	bind_text(q, 6, content);
	bind_text(q, 7, meta);
	if (latency >= 0)
		sqlite3_bind_int(q, 8, latency);
	sqlite3_bind_int64(q, 9, x->now);
	return sqlite_run(c, q, NULL);
}

static int exchange_save_tx(struct conn *c, void *arg)
{
	const struct store_exchange *x = arg;
	sqlite3_int64 rid;
	int rc = bot_rid(c, x->tenant_id, x->bot_id, &rid), changes = 0;
	if (rc == STORE_OK && x->new_conversation) {
		sqlite3_stmt *q = sqlite_stmt(c, S_CONV_INSERT);
		if (!q)
			return STORE_ERROR;
		bind_text(q, 1, x->conversation_id);
		bind_text(q, 2, x->tenant_id);
		bind_text(q, 3, x->bot_id);
		bind_text(q, 4, x->channel);
		sqlite3_bind_int64(q, 5, x->now);
		sqlite3_bind_int(q, 6, 2); /* born with its two messages: no touch below */
		rc = sqlite_run(c, q, NULL);
	}
	if (rc == STORE_OK)
		rc = insert_message(c, x, x->user_msg_id, "in", x->user_text, NULL, -1);
	if (rc == STORE_OK)
		rc = insert_message(c, x, x->bot_msg_id, "out", x->bot_text, x->bot_meta, x->latency_ms);
	if (rc == STORE_OK && !x->new_conversation) {
		sqlite3_stmt *q = sqlite_stmt(c, S_CONV_TOUCH);
		if (!q)
			return STORE_ERROR;
		bind_text(q, 1, x->conversation_id);
		bind_text(q, 2, x->tenant_id);
		sqlite3_bind_int(q, 3, 2);
		sqlite3_bind_int64(q, 4, x->now);
		bind_text(q, 5, x->bot_id);
		rc = sqlite_run(c, q, &changes);
		if (rc == STORE_OK && changes == 0)
			rc = STORE_NOTFOUND;
	}
	return rc;
}

static int sq_exchange_save(struct store *st, const struct store_exchange *x)
{
	return sqlite_write(S(st), exchange_save_tx, (void *)(uintptr_t)x);
}

static void sq_exchange_save_async(struct store *st, const struct store_exchange *x, store_done_fn done, void *ud)
{
	sqlite_write_async(S(st), exchange_save_tx, (void *)(uintptr_t)x, done, ud);
}

static int sq_conversation_exists(struct store *st, const char *tenant_id, const char *bot_id, const char *conv_id)
{
	struct conn *c = sqlite_conn(S(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_CONV_EXISTS) : NULL;
	if (!q)
		return STORE_ERROR;
	bind_text(q, 1, conv_id);
	bind_text(q, 2, bot_id);
	bind_text(q, 3, tenant_id);
	int rc = sqlite3_step(q);
	int res = rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : sqlite_map_rc(rc);
	sqlite_done(q);
	return res;
}

static int sq_conversation_count_messages(struct store *st, const char *tenant_id, const char *conv_id, int *n)
{
	struct conn *c = sqlite_conn(S(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_CONV_COUNT) : NULL;
	if (!q)
		return STORE_ERROR;
	bind_text(q, 1, conv_id);
	bind_text(q, 2, tenant_id);
	int rc = sqlite3_step(q), res = sqlite_map_rc(rc);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int(q, 0);
	sqlite_done(q);
	return res;
}

struct analytics_args {
	const char *tenant_id, *bot_id, *event, *props;
	int64_t now;
};

static int analytics_add_tx(struct conn *c, void *arg)
{
	const struct analytics_args *a = arg;
	sqlite3_int64 rid;
	int rc = bot_rid(c, a->tenant_id, a->bot_id, &rid);
	if (rc != STORE_OK)
		return rc;
	sqlite3_stmt *q = sqlite_stmt(c, S_ANALYTICS_INSERT);
	if (!q)
		return STORE_ERROR;
	bind_text(q, 1, a->tenant_id);
	bind_text(q, 2, a->bot_id);
	bind_text(q, 3, a->event);
	bind_text(q, 4, a->props ? a->props : "{}");
	sqlite3_bind_int64(q, 5, a->now);
	return sqlite_run(c, q, NULL);
}

static int sq_analytics_add(struct store *st, const char *tenant_id, const char *bot_id, const char *event,
			    const char *props_json, int64_t now)
{
	struct analytics_args a = {tenant_id, bot_id, event, props_json, now};
	return sqlite_write(S(st), analytics_add_tx, &a);
}

static const struct store_ops sqlite_ops = {
	.name = "sqlite",
	.close = sq_close,
	.ping = sq_ping,
	.schema_version = sq_schema_version,
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
	.conversation_count_messages = sq_conversation_count_messages,
	.analytics_add = sq_analytics_add,
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
