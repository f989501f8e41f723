/*
 * store_sqlite.c — the embedded SQLite backend.
 *
 * Connections: one per thread (a pthread key inside the store, destructor closes it), opened NOMUTEX in
 * WAL mode with synchronous=NORMAL, each with its prepared statements cached (SQLITE_PREPARE_PERSISTENT).
 * Writes: one writer per process — a mutex serialises write transactions, and BEGIN IMMEDIATE with the
 * busy timeout waits for other processes (the admin CLI) holding the write lock. Readers never block.
 *
 * Full text: chunks_fts (FTS5, external content on `chunks`) uses the 'botwerk' tokenizer registered on
 * every connection, which hands text to the store's tokenize hook. Searches are filtered by the bot's
 * integer rid (column bot_rid), and the auxiliary function botwerk_matched() reports which query words
 * occur in a row.
 */
#include "store/store_int.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum stmt_id {
	S_TENANT_INSERT,
	S_TENANT_GET,
	S_KEY_INSERT,
	S_KEY_REVOKE,
	S_KEY_EXISTS,
	S_KEY_LOOKUP,
	S_BOT_INSERT,
	S_BOT_GET,
	S_BOT_GET_PUBLIC,
	S_BOT_UPDATE,
	S_BOT_RID,
	S_BOT_LIST,
	S_BOT_DEL_FTS,
	S_BOT_DEL_CHUNKS,
	S_BOT_DEL_SOURCES,
	S_BOT_DEL_MESSAGES,
	S_BOT_DEL_CONVS,
	S_BOT_DEL_ANALYTICS,
	S_BOT_DELETE,
	S_SOURCE_INSERT,
	S_CHUNK_INSERT,
	S_FTS_INSERT,
	S_SOURCE_GET,
	S_SOURCE_LIST,
	S_SOURCE_DEL_FTS,
	S_SOURCE_DEL_CHUNKS,
	S_SOURCE_DELETE,
	S_SEARCH,
	S_CONV_INSERT,
	S_MSG_INSERT,
	S_CONV_TOUCH,
	S_CONV_EXISTS,
	S_CONV_COUNT,
	S_ANALYTICS_INSERT,
	S__COUNT
};

#define BOT_COLS "id, tenant_id, name, config, active, created_at, updated_at"
#define SOURCE_COLS "id, bot_id, kind, title, status, chars, chunks, created_at, updated_at"

static const char *const stmt_sql[S__COUNT] = {
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
	[S_CONV_INSERT] = "INSERT INTO conversations(id, tenant_id, bot_id, channel, status, message_count, "
			  "created_at, last_message_at) VALUES(?1, ?2, ?3, ?4, 'open', 0, ?5, ?5)",
	[S_MSG_INSERT] = "INSERT INTO messages(id, tenant_id, bot_id, conversation_id, direction, content, meta, "
			 "latency_ms, created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[S_CONV_TOUCH] = "UPDATE conversations SET message_count = message_count + ?3, last_message_at = ?4 "
			 "WHERE id = ?1 AND tenant_id = ?2",
	[S_CONV_EXISTS] = "SELECT 1 FROM conversations WHERE id = ?1 AND bot_id = ?2 AND tenant_id = ?3",
	[S_CONV_COUNT] = "SELECT count(*) FROM messages WHERE conversation_id = ?1 AND tenant_id = ?2",
	[S_ANALYTICS_INSERT] = "INSERT INTO analytics_events(tenant_id, bot_id, event, props, created_at) "
			       "VALUES(?1, ?2, ?3, ?4, ?5)",
};

struct conn {
	sqlite3 *db;
	sqlite3_stmt *stmt[S__COUNT];
	struct sqlite_store *owner;
	struct conn *next, *prev;
};

struct sqlite_store {
	struct store base; /* first member: the store is this struct */
	char *path;
	pthread_key_t key;
	pthread_mutex_t conns_lock; /* guards the list of open connections */
	struct conn *conns;
	pthread_mutex_t write_lock; /* one writer per process */
};

/* The tokenizer instance FTS5 creates per table: just the store's hook. */
struct fts_tok {
	store_tokenize_fn fn;
	void *ctx;
};

struct fts_emit {
	Fts5Tokenizer *tok;
	void *fts_ctx;
	int (*xToken)(void *, int, const char *, int, int, int);
};

static void log_sqlite(const char *what, sqlite3 *db)
{
	fprintf(stderr, "{\"level\":\"error\",\"component\":\"store_sqlite\",\"msg\":\"%s: %s\"}\n", what,
		db ? sqlite3_errmsg(db) : "no connection");
}

static int map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return STORE_OK;
	case SQLITE_CONSTRAINT:
		return STORE_CONFLICT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return STORE_BUSY;
	case SQLITE_NOMEM:
		return STORE_NOMEM;
	default:
		return STORE_ERROR;
	}
}

/* ---- FTS5 tokenizer and auxiliary function --------------------------------------------------------- */

static int fts_tok_create(void *ud, const char **argv, int argc, Fts5Tokenizer **out)
{
	(void)argv;
	(void)argc;
	const struct store_opts *opts = ud;
	struct fts_tok *t = sqlite3_malloc(sizeof *t);
	if (!t)
		return SQLITE_NOMEM;
	t->fn = opts->tokenize;
	t->ctx = opts->tokenize_ctx;
	*out = (Fts5Tokenizer *)t;
	return SQLITE_OK;
}

static void fts_tok_delete(Fts5Tokenizer *t)
{
	sqlite3_free(t);
}

static int fts_emit_term(void *ud, const char *term, size_t len, size_t start, size_t end)
{
	struct fts_emit *e = ud;
	return e->xToken(e->fts_ctx, 0, term, (int)len, (int)start, (int)end);
}

static int fts_tok_tokenize(Fts5Tokenizer *tok, void *ctx, int flags, const char *text, int len,
			    int (*xToken)(void *, int, const char *, int, int, int))
{
	(void)flags;
	struct fts_tok *t = (struct fts_tok *)tok;
	struct fts_emit e = {.tok = tok, .fts_ctx = ctx, .xToken = xToken};
	if (len <= 0)
		return SQLITE_OK;
	int rc = t->fn(t->ctx, text, (size_t)len, fts_emit_term, &e);
	if (rc == -1)
		return SQLITE_NOMEM;
	return rc;
}

/* botwerk_matched(chunks_fts, map): bitmask of the caller's words occurring in the row's heading or text.
 * `map` is a blob: byte i is the caller's word index of query phrase i+1 (phrase 0 is the bot filter). */
static void fts_matched(const Fts5ExtensionApi *api, Fts5Context *fctx, sqlite3_context *res, int nval,
			sqlite3_value **vals)
{
	const unsigned char *map = nval > 0 ? sqlite3_value_blob(vals[0]) : NULL;
	int maplen = nval > 0 ? sqlite3_value_bytes(vals[0]) : 0;
	int ninst = 0;
	sqlite3_int64 mask = 0;

	if (api->xInstCount(fctx, &ninst) != SQLITE_OK) {
		sqlite3_result_error(res, "botwerk_matched: xInstCount failed", -1);
		return;
	}
	for (int i = 0; i < ninst; i++) {
		int phrase, col, off;
		if (api->xInst(fctx, i, &phrase, &col, &off) != SQLITE_OK)
			break;
		if (col == 0 || phrase < 1 || phrase > maplen)
			continue;
		mask |= (sqlite3_int64)1 << map[phrase - 1];
	}
	sqlite3_result_int64(res, mask);
}

static fts5_api *fts5_api_of(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	return api;
}

static int register_fts(struct sqlite_store *s, sqlite3 *db)
{
	fts5_api *api = fts5_api_of(db);
	if (!api)
		return -1;
	fts5_tokenizer tk = {fts_tok_create, fts_tok_delete, fts_tok_tokenize};
	if (api->xCreateTokenizer(api, "botwerk", &s->base.opts, &tk, NULL) != SQLITE_OK)
		return -1;
	if (api->xCreateFunction(api, "botwerk_matched", NULL, fts_matched, NULL) != SQLITE_OK)
		return -1;
	return 0;
}

/* ---- connections ------------------------------------------------------------------------------------ */

static void conn_close(struct conn *c)
{
	for (int i = 0; i < S__COUNT; i++)
		sqlite3_finalize(c->stmt[i]);
	sqlite3_close(c->db);
	free(c);
}

static void conn_unlink(struct sqlite_store *s, struct conn *c)
{
	pthread_mutex_lock(&s->conns_lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&s->conns_lock);
}

/* pthread key destructor: the thread that owned the connection is exiting. */
static void conn_release(void *p)
{
	struct conn *c = p;
	conn_unlink(c->owner, c);
	conn_close(c);
}

static int exec_simple(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "{\"level\":\"error\",\"component\":\"store_sqlite\",\"msg\":\"%s\"}\n",
			msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
	}
	return rc;
}

static struct conn *conn_open(struct sqlite_store *s, char *errbuf, size_t errlen)
{
	struct conn *c = calloc(1, sizeof *c);
	if (!c) {
		snprintf(errbuf, errlen, "out of memory");
		return NULL;
	}
	c->owner = s;
	int rc = sqlite3_open_v2(s->path, &c->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(errbuf, errlen, "cannot open SQLite database %s: %s", s->path,
			 c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_timeout(c->db, s->base.opts.busy_timeout_ms > 0 ? s->base.opts.busy_timeout_ms : 5000);
	if (exec_simple(c->db, "PRAGMA journal_mode=WAL") != SQLITE_OK ||
	    exec_simple(c->db, "PRAGMA synchronous=NORMAL; PRAGMA secure_delete=OFF; PRAGMA foreign_keys=ON;"
			       "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16000") != SQLITE_OK) {
		snprintf(errbuf, errlen, "cannot configure SQLite database %s: %s", s->path, sqlite3_errmsg(c->db));
		goto fail;
	}
	if (register_fts(s, c->db) != 0) {
		snprintf(errbuf, errlen, "SQLite was built without FTS5");
		goto fail;
	}
	pthread_mutex_lock(&s->conns_lock);
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	pthread_mutex_unlock(&s->conns_lock);
	return c;
fail:
	conn_close(c);
	return NULL;
}

/* The calling thread's connection, opened on first use. */
static struct conn *conn_get(struct sqlite_store *s)
{
	struct conn *c = pthread_getspecific(s->key);
	if (c)
		return c;
	char err[256];
	c = conn_open(s, err, sizeof err);
	if (!c) {
		fprintf(stderr, "{\"level\":\"error\",\"component\":\"store_sqlite\",\"msg\":\"%s\"}\n", err);
		return NULL;
	}
	if (pthread_setspecific(s->key, c) != 0) {
		conn_unlink(s, c);
		conn_close(c);
		return NULL;
	}
	return c;
}

/* A prepared statement of this connection, reset and unbound; NULL on failure (logged). */
static sqlite3_stmt *stmt(struct conn *c, enum stmt_id id)
{
	if (!c->stmt[id] &&
	    sqlite3_prepare_v3(c->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &c->stmt[id], NULL) != SQLITE_OK) {
		log_sqlite(stmt_sql[id], c->db);
		return NULL;
	}
	return c->stmt[id];
}

static void done(sqlite3_stmt *st)
{
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* Runs a statement that returns no rows; STORE_OK or a mapped error. `changes` may be NULL. */
static int run(struct conn *c, sqlite3_stmt *st, int *changes)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		if ((rc & 0xff) != SQLITE_CONSTRAINT)
			log_sqlite("step", c->db);
		done(st);
		return map_rc(rc);
	}
	if (changes)
		*changes = sqlite3_changes(c->db);
	done(st);
	return STORE_OK;
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

/* ---- transactions ----------------------------------------------------------------------------------- */

static struct sqlite_store *S(struct store *st)
{
	return (struct sqlite_store *)st;
}

/* Takes the process write lock and opens a write transaction on the thread's connection. */
static struct conn *write_begin(struct sqlite_store *s, int *rc)
{
	struct conn *c = conn_get(s);
	if (!c) {
		*rc = STORE_ERROR;
		return NULL;
	}
	pthread_mutex_lock(&s->write_lock);
	int r = sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (r != SQLITE_OK) {
		log_sqlite("BEGIN IMMEDIATE", c->db);
		pthread_mutex_unlock(&s->write_lock);
		*rc = map_rc(r);
		return NULL;
	}
	*rc = STORE_OK;
	return c;
}

/* Commits when rc is STORE_OK, rolls back otherwise; releases the write lock. Returns the final rc. */
static int write_end(struct sqlite_store *s, struct conn *c, int rc)
{
	if (rc == STORE_OK) {
		int r = sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
		if (r != SQLITE_OK) {
			log_sqlite("COMMIT", c->db);
			rc = map_rc(r);
		}
	}
	if (rc != STORE_OK && !sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	pthread_mutex_unlock(&s->write_lock);
	return rc;
}

/* ---- lifecycle and migrations ----------------------------------------------------------------------- */

static void sq_close(struct store *st)
{
	struct sqlite_store *s = S(st);
	pthread_key_delete(s->key);
	pthread_mutex_lock(&s->conns_lock);
	struct conn *c = s->conns;
	s->conns = NULL;
	pthread_mutex_unlock(&s->conns_lock);
	while (c) {
		struct conn *next = c->next;
		conn_close(c);
		c = next;
	}
	pthread_mutex_destroy(&s->conns_lock);
	pthread_mutex_destroy(&s->write_lock);
	free(s->path);
	free(s);
}

static int sq_ping(struct store *st)
{
	struct conn *c = conn_get(S(st));
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
	struct conn *c = conn_get(S(st));
	return c ? version_of(c->db, version) : STORE_ERROR;
}

static int sq_apply_migration(struct store *st, int version, const char *name, const char *sql)
{
	struct sqlite_store *s = S(st);
	int rc, current = 0;
	struct conn *c = write_begin(s, &rc);
	if (!c)
		return rc;
	/* another process may have applied it while we waited for the lock */
	rc = version_of(c->db, &current);
	if (rc == STORE_OK && current >= version)
		return write_end(s, c, STORE_OK);
	if (rc == STORE_OK && exec_simple(c->db, "CREATE TABLE IF NOT EXISTS schema_migrations("
						 "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
						 "applied_at INTEGER NOT NULL)") != SQLITE_OK)
		rc = STORE_ERROR;
	if (rc == STORE_OK && exec_simple(c->db, sql) != SQLITE_OK)
		rc = STORE_ERROR;
	if (rc == STORE_OK) {
		sqlite3_stmt *ins = NULL;
		if (sqlite3_prepare_v2(c->db,
				       "INSERT INTO schema_migrations(version, name, applied_at) "
				       "VALUES(?1, ?2, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))",
				       -1, &ins, NULL) != SQLITE_OK) {
			log_sqlite("schema_migrations", c->db);
			rc = STORE_ERROR;
		} else {
			sqlite3_bind_int(ins, 1, version);
			sqlite3_bind_text(ins, 2, name, -1, SQLITE_STATIC);
			if (sqlite3_step(ins) != SQLITE_DONE) {
				log_sqlite("schema_migrations", c->db);
				rc = STORE_ERROR;
			}
			sqlite3_finalize(ins);
		}
	}
	return write_end(s, c, rc);
}

/* ---- tenants and keys ------------------------------------------------------------------------------- */

static int sq_tenant_create(struct store *st, const char *id, const char *name, int64_t now)
{
	struct sqlite_store *s = S(st);
	int rc;
	struct conn *c = write_begin(s, &rc);
	if (!c)
		return rc;
	sqlite3_stmt *q = stmt(c, S_TENANT_INSERT);
	if (!q)
		return write_end(s, c, STORE_ERROR);
	bind_text(q, 1, id);
	bind_text(q, 2, name);
	sqlite3_bind_int64(q, 3, now);
	return write_end(s, c, run(c, q, NULL));
}

static int sq_tenant_get(struct store *st, const char *id, struct store_tenant *out)
{
	struct conn *c = conn_get(S(st));
	sqlite3_stmt *q = c ? stmt(c, S_TENANT_GET) : NULL;
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
		res = map_rc(rc);
	}
	done(q);
	return res;
}

static int sq_apikey_create(struct store *st, const char *key_id, const char *tenant_id,
			    const unsigned char hash[32], const char *prefix, int64_t now)
{
	struct sqlite_store *s = S(st);
	int rc;
	struct conn *c = write_begin(s, &rc);
	if (!c)
		return rc;
	sqlite3_stmt *q = stmt(c, S_KEY_INSERT);
	if (!q)
		return write_end(s, c, STORE_ERROR);
	bind_text(q, 1, key_id);
	bind_text(q, 2, tenant_id);
	sqlite3_bind_blob(q, 3, hash, 32, SQLITE_STATIC);
	bind_text(q, 4, prefix);
	sqlite3_bind_int64(q, 5, now);
	rc = run(c, q, NULL);
	if (rc == STORE_CONFLICT) {
		/* a missing tenant is a foreign-key failure, reported as "no such tenant" */
		struct store_tenant t;
		if (sq_tenant_get(st, tenant_id, &t) == STORE_OK)
			store_tenant_clear(&t);
		else
			rc = STORE_NOTFOUND;
	}
	return write_end(s, c, rc);
}

static int sq_apikey_revoke(struct store *st, const char *key_id, int64_t now)
{
	struct sqlite_store *s = S(st);
	int rc, changes = 0;
	struct conn *c = write_begin(s, &rc);
	if (!c)
		return rc;
	sqlite3_stmt *q = stmt(c, S_KEY_REVOKE);
	if (!q)
		return write_end(s, c, STORE_ERROR);
	bind_text(q, 1, key_id);
	sqlite3_bind_int64(q, 2, now);
	rc = run(c, q, &changes);
	if (rc == STORE_OK && changes == 0) {
		/* already revoked is fine; unknown is not */
		sqlite3_stmt *e = stmt(c, S_KEY_EXISTS);
		if (!e)
			return write_end(s, c, STORE_ERROR);
		bind_text(e, 1, key_id);
		rc = sqlite3_step(e) == SQLITE_ROW ? STORE_OK : STORE_NOTFOUND;
		done(e);
	}
	return write_end(s, c, rc);
}

static int sq_apikey_lookup(struct store *st, const unsigned char hash[32], char tenant_id[STORE_ID_MAX])
{
	struct conn *c = conn_get(S(st));
	sqlite3_stmt *q = c ? stmt(c, S_KEY_LOOKUP) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite3_bind_blob(q, 1, hash, 32, SQLITE_STATIC);
	int rc = sqlite3_step(q), res;
	if (rc == SQLITE_ROW) {
		col_id(q, 0, tenant_id);
		res = STORE_OK;
	} else {
		res = rc == SQLITE_DONE ? STORE_NOTFOUND : map_rc(rc);
	}
	done(q);
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
	if (!ok) {
		store_bot_clear(&b);
		return STORE_NOMEM;
	}
	*out = b;
	return STORE_OK;
}

static int sq_bot_create(struct store *st, const struct store_bot *b)
{
	struct sqlite_store *s = S(st);
	int rc;
	struct conn *c = write_begin(s, &rc);
	if (!c)
		return rc;
	sqlite3_stmt *q = stmt(c, S_BOT_INSERT);
	if (!q)
		return write_end(s, c, STORE_ERROR);
	bind_text(q, 1, b->id);
	bind_text(q, 2, b->tenant_id);
	bind_text(q, 3, b->name);
	bind_text(q, 4, b->config);
	sqlite3_bind_int(q, 5, b->active);
	sqlite3_bind_int64(q, 6, b->created_at);
	sqlite3_bind_int64(q, 7, b->updated_at);
	return write_end(s, c, run(c, q, NULL));
}

static int sq_bot_get(struct store *st, const char *tenant_id, const char *bot_id, struct store_bot *out)
{
	struct conn *c = conn_get(S(st));
	sqlite3_stmt *q = c ? stmt(c, tenant_id ? S_BOT_GET : S_BOT_GET_PUBLIC) : NULL;
	if (!q)
		return STORE_ERROR;
	bind_text(q, 1, bot_id);
	if (tenant_id)
		bind_text(q, 2, tenant_id);
	int rc = sqlite3_step(q), res;
	if (rc == SQLITE_ROW)
		res = read_bot(q, out);
	else
		res = rc == SQLITE_DONE ? STORE_NOTFOUND : map_rc(rc);
	done(q);
	return res;
}

static int sq_bot_update(struct store *st, const struct store_bot *b)
{
	struct sqlite_store *s = S(st);
	int rc, changes = 0;
	struct conn *c = write_begin(s, &rc);
	if (!c)
		return rc;
	sqlite3_stmt *q = stmt(c, S_BOT_UPDATE);
	if (!q)
		return write_end(s, c, STORE_ERROR);
	bind_text(q, 1, b->id);
	bind_text(q, 2, b->tenant_id);
	bind_text(q, 3, b->name);
	bind_text(q, 4, b->config);
	sqlite3_bind_int(q, 5, b->active);
	sqlite3_bind_int64(q, 6, b->updated_at);
	rc = run(c, q, &changes);
	if (rc == STORE_OK && changes == 0)
		rc = STORE_NOTFOUND;
	return write_end(s, c, rc);
}

/* Runs one of the bot-scoped delete statements (bound: bot id, tenant id). */
static int run_bot_scoped(struct conn *c, enum stmt_id id, const char *bot_id, const char *tenant_id, int *changes)
{
	sqlite3_stmt *q = stmt(c, id);
	if (!q)
		return STORE_ERROR;
	bind_text(q, 1, bot_id);
	bind_text(q, 2, tenant_id);
	return run(c, q, changes);
}

static int sq_bot_delete(struct store *st, const char *tenant_id, const char *bot_id)
{
	static const enum stmt_id cascade[] = {S_BOT_DEL_FTS,	   S_BOT_DEL_CHUNKS, S_BOT_DEL_SOURCES,
					       S_BOT_DEL_MESSAGES, S_BOT_DEL_CONVS,  S_BOT_DEL_ANALYTICS};
	struct sqlite_store *s = S(st);
	int rc, changes = 0;
	struct conn *c = write_begin(s, &rc);
	if (!c)
		return rc;
	for (size_t i = 0; rc == STORE_OK && i < sizeof cascade / sizeof cascade[0]; i++)
		rc = run_bot_scoped(c, cascade[i], bot_id, tenant_id, NULL);
	if (rc == STORE_OK)
		rc = run_bot_scoped(c, S_BOT_DELETE, bot_id, tenant_id, &changes);
	if (rc == STORE_OK && changes == 0)
		rc = STORE_NOTFOUND;
	return write_end(s, c, rc);
}

static int sq_bot_list(struct store *st, const char *tenant_id, int64_t after_created, const char *after_id,
		       int limit, struct store_bot *rows, int *n)
{
	struct conn *c = conn_get(S(st));
	sqlite3_stmt *q = c ? stmt(c, S_BOT_LIST) : NULL;
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
		res = map_rc(rc);
	done(q);
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
	sqlite3_stmt *q = stmt(c, S_BOT_RID);
	if (!q)
		return STORE_ERROR;
	bind_text(q, 1, bot_id);
	bind_text(q, 2, tenant_id);
	int rc = sqlite3_step(q), res = STORE_NOTFOUND;
	if (rc == SQLITE_ROW) {
		*rid = sqlite3_column_int64(q, 0);
		res = STORE_OK;
	} else if (rc != SQLITE_DONE) {
		res = map_rc(rc);
	}
	done(q);
	return res;
}

static int insert_chunk(struct conn *c, const char *tenant_id, const char *bot_id, sqlite3_int64 rid,
			const char *source_id, const struct store_chunk_in *ch)
{
	sqlite3_stmt *q = stmt(c, S_CHUNK_INSERT);
	if (!q)
		return STORE_ERROR;
	bind_text(q, 1, tenant_id);
	bind_text(q, 2, bot_id);
	sqlite3_bind_int64(q, 3, rid);
	bind_text(q, 4, source_id);
	sqlite3_bind_int(q, 5, ch->ord);
	bind_text(q, 6, ch->heading ? ch->heading : "");
	bind_text(q, 7, ch->text);
	int rc = run(c, q, NULL);
	if (rc != STORE_OK)
		return rc;
	sqlite3_int64 chunk_id = sqlite3_last_insert_rowid(c->db);
	sqlite3_stmt *f = stmt(c, S_FTS_INSERT);
	if (!f)
		return STORE_ERROR;
	sqlite3_bind_int64(f, 1, chunk_id);
	sqlite3_bind_int64(f, 2, rid);
	bind_text(f, 3, ch->heading ? ch->heading : "");
	bind_text(f, 4, ch->text);
	return run(c, f, NULL);
}

static int sq_source_create(struct store *st, const char *tenant_id, const struct store_source *src,
			    const struct store_chunk_in *chunks, int nchunks)
{
	struct sqlite_store *s = S(st);
	sqlite3_int64 rid = 0;
	int rc;
	struct conn *c = write_begin(s, &rc);
	if (!c)
		return rc;
	rc = bot_rid(c, tenant_id, src->bot_id, &rid);
	sqlite3_stmt *q = rc == STORE_OK ? stmt(c, S_SOURCE_INSERT) : NULL;
	if (rc == STORE_OK && !q)
		rc = STORE_ERROR;
	if (rc == STORE_OK) {
		bind_text(q, 1, src->id);
		bind_text(q, 2, tenant_id);
		bind_text(q, 3, src->bot_id);
		bind_text(q, 4, src->kind);
		bind_text(q, 5, src->title);
		bind_text(q, 6, src->status);
		sqlite3_bind_int64(q, 7, src->chars);
		sqlite3_bind_int(q, 8, nchunks);
		sqlite3_bind_int64(q, 9, src->created_at);
		sqlite3_bind_int64(q, 10, src->updated_at);
		rc = run(c, q, NULL);
	}
	for (int i = 0; rc == STORE_OK && i < nchunks; i++)
		rc = insert_chunk(c, tenant_id, src->bot_id, rid, src->id, &chunks[i]);
	return write_end(s, c, rc);
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
	struct conn *c = conn_get(S(st));
	sqlite3_stmt *q = c ? stmt(c, S_SOURCE_GET) : NULL;
	if (!q)
		return STORE_ERROR;
	bind_text(q, 1, source_id);
	bind_text(q, 2, bot_id);
	bind_text(q, 3, tenant_id);
	int rc = sqlite3_step(q), res;
	if (rc == SQLITE_ROW)
		res = read_source(q, out);
	else
		res = rc == SQLITE_DONE ? STORE_NOTFOUND : map_rc(rc);
	done(q);
	return res;
}

static int sq_source_list(struct store *st, const char *tenant_id, const char *bot_id, int64_t after_created,
			  const char *after_id, int limit, struct store_source *rows, int *n)
{
	struct conn *c = conn_get(S(st));
	sqlite3_stmt *q = c ? stmt(c, S_SOURCE_LIST) : NULL;
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
		res = map_rc(rc);
	done(q);
	if (res != STORE_OK) {
		while (count > 0)
			store_source_clear(&rows[--count]);
		return res;
	}
	*n = count;
	return STORE_OK;
}

static int run_source_scoped(struct conn *c, enum stmt_id id, const char *source_id, const char *bot_id,
			     const char *tenant_id, int *changes)
{
	sqlite3_stmt *q = stmt(c, id);
	if (!q)
		return STORE_ERROR;
	bind_text(q, 1, source_id);
	bind_text(q, 2, bot_id);
	bind_text(q, 3, tenant_id);
	return run(c, q, changes);
}

static int sq_source_delete(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id)
{
	struct sqlite_store *s = S(st);
	int rc, changes = 0;
	struct conn *c = write_begin(s, &rc);
	if (!c)
		return rc;
	rc = run_source_scoped(c, S_SOURCE_DEL_FTS, source_id, bot_id, tenant_id, NULL);
	if (rc == STORE_OK)
		rc = run_source_scoped(c, S_SOURCE_DEL_CHUNKS, source_id, bot_id, tenant_id, NULL);
	if (rc == STORE_OK)
		rc = run_source_scoped(c, S_SOURCE_DELETE, source_id, bot_id, tenant_id, &changes);
	if (rc == STORE_OK && changes == 0)
		rc = STORE_NOTFOUND;
	return write_end(s, c, rc);
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

/* Builds the MATCH expression: the bot filter, then each usable word as a quoted phrase, ORed.
 * map[k] = caller's index of phrase k+1. Returns the number of word phrases (0: nothing to search). */
static int build_match(struct sqlite_store *s, sqlite3_int64 rid, const char *const *words, int nwords,
		       sqlite3_str *q, unsigned char *map)
{
	int nphr = 0;
	sqlite3_str_appendf(q, "bot_rid : \"%lld\" AND (", (long long)rid);
	for (int i = 0; i < nwords; i++) {
		int terms = 0;
		size_t wl = strlen(words[i]);
		if (wl == 0 || s->base.opts.tokenize(s->base.opts.tokenize_ctx, words[i], wl, count_term, &terms) != 0 ||
		    terms == 0)
			continue;
		if (nphr > 0)
			sqlite3_str_appendall(q, " OR ");
		sqlite3_str_appendchar(q, 1, '"');
		for (const char *p = words[i]; *p; p++) {
			if (*p == '"')
				sqlite3_str_appendchar(q, 1, '"');
			sqlite3_str_appendchar(q, 1, *p);
		}
		sqlite3_str_appendchar(q, 1, '"');
		map[nphr++] = (unsigned char)i;
	}
	sqlite3_str_appendchar(q, 1, ')');
	return nphr;
}

static int sq_chunk_search(struct store *st, const char *tenant_id, const char *bot_id, const char *const *words,
			   int nwords, int limit, struct store_hit *hits, int *n)
{
	struct sqlite_store *s = S(st);
	struct conn *c = conn_get(s);
	unsigned char map[STORE_SEARCH_MAX_WORDS];
	sqlite3_int64 rid = 0;
	int res, count = 0;

	if (!c)
		return STORE_ERROR;
	res = bot_rid(c, tenant_id, bot_id, &rid);
	if (res != STORE_OK)
		return res;
	sqlite3_str *expr = sqlite3_str_new(c->db);
	int nphr = build_match(s, rid, words, nwords, expr, map);
	char *match = sqlite3_str_finish(expr);
	if (!match)
		return STORE_NOMEM;
	if (nphr == 0) {
		sqlite3_free(match);
		*n = 0;
		return STORE_OK;
	}
	sqlite3_stmt *q = stmt(c, S_SEARCH);
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
		log_sqlite("search", c->db);
		res = map_rc(rc);
	}
	done(q);
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
	sqlite3_stmt *q = stmt(c, S_MSG_INSERT);
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
	return run(c, q, NULL);
}

static int sq_exchange_save(struct store *st, const struct store_exchange *x)
{
	struct sqlite_store *s = S(st);
	int rc, changes = 0;
	struct conn *c = write_begin(s, &rc);
	if (!c)
		return rc;
	if (x->new_conversation) {
		sqlite3_stmt *q = stmt(c, S_CONV_INSERT);
		if (!q)
			return write_end(s, c, STORE_ERROR);
		bind_text(q, 1, x->conversation_id);
		bind_text(q, 2, x->tenant_id);
		bind_text(q, 3, x->bot_id);
		bind_text(q, 4, x->channel);
		sqlite3_bind_int64(q, 5, x->now);
		rc = run(c, q, NULL);
	}
	if (rc == STORE_OK)
		rc = insert_message(c, x, x->user_msg_id, "in", x->user_text, NULL, -1);
	if (rc == STORE_OK)
		rc = insert_message(c, x, x->bot_msg_id, "out", x->bot_text, x->bot_meta, x->latency_ms);
	if (rc == STORE_OK) {
		sqlite3_stmt *q = stmt(c, S_CONV_TOUCH);
		if (!q)
			return write_end(s, c, STORE_ERROR);
		bind_text(q, 1, x->conversation_id);
		bind_text(q, 2, x->tenant_id);
		sqlite3_bind_int(q, 3, 2);
		sqlite3_bind_int64(q, 4, x->now);
		rc = run(c, q, &changes);
		if (rc == STORE_OK && changes == 0)
			rc = STORE_NOTFOUND;
	}
	return write_end(s, c, rc);
}

static int sq_conversation_exists(struct store *st, const char *tenant_id, const char *bot_id, const char *conv_id)
{
	struct conn *c = conn_get(S(st));
	sqlite3_stmt *q = c ? stmt(c, S_CONV_EXISTS) : NULL;
	if (!q)
		return STORE_ERROR;
	bind_text(q, 1, conv_id);
	bind_text(q, 2, bot_id);
	bind_text(q, 3, tenant_id);
	int rc = sqlite3_step(q);
	int res = rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : map_rc(rc);
	done(q);
	return res;
}

static int sq_conversation_count_messages(struct store *st, const char *tenant_id, const char *conv_id, int *n)
{
	struct conn *c = conn_get(S(st));
	sqlite3_stmt *q = c ? stmt(c, S_CONV_COUNT) : NULL;
	if (!q)
		return STORE_ERROR;
	bind_text(q, 1, conv_id);
	bind_text(q, 2, tenant_id);
	int rc = sqlite3_step(q), res = map_rc(rc);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int(q, 0);
	done(q);
	return res;
}

static int sq_analytics_add(struct store *st, const char *tenant_id, const char *bot_id, const char *event,
			    const char *props_json, int64_t now)
{
	struct sqlite_store *s = S(st);
	int rc;
	struct conn *c = write_begin(s, &rc);
	if (!c)
		return rc;
	sqlite3_stmt *q = stmt(c, S_ANALYTICS_INSERT);
	if (!q)
		return write_end(s, c, STORE_ERROR);
	bind_text(q, 1, tenant_id);
	bind_text(q, 2, bot_id);
	bind_text(q, 3, event);
	bind_text(q, 4, props_json);
	sqlite3_bind_int64(q, 5, now);
	return write_end(s, c, run(c, q, NULL));
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
	.exchange_save = sq_exchange_save,
	.conversation_exists = sq_conversation_exists,
	.conversation_count_messages = sq_conversation_count_messages,
	.analytics_add = sq_analytics_add,
};

struct store *store_sqlite_open(const struct store_opts *opts, char *errbuf, size_t errlen)
{
	struct sqlite_store *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(errbuf, errlen, "out of memory");
		return NULL;
	}
	s->base.ops = &sqlite_ops;
	s->base.opts = *opts;
	s->path = strdup(opts->url);
	if (!s->path || pthread_key_create(&s->key, conn_release) != 0) {
		free(s->path);
		free(s);
		snprintf(errbuf, errlen, "out of memory");
		return NULL;
	}
	s->base.opts.url = s->path;
	pthread_mutex_init(&s->conns_lock, NULL);
	pthread_mutex_init(&s->write_lock, NULL);
	/* open the caller's connection now, so a bad path is reported at start */
	struct conn *c = conn_open(s, errbuf, errlen);
	if (!c || pthread_setspecific(s->key, c) != 0) {
		sq_close(&s->base);
		return NULL;
	}
	return &s->base;
}
