/*
 * store_pg.c — the PostgreSQL backend of the store (libpq).
 *
 * Owns: a fixed pool of libpq connections (mutex + condition variable), the SQL of every operation as a
 * table of named statements, and the translation between libpq results and store structs.
 *
 * Connections: the first one is opened by store_pg_open (so a bad URL fails at start); the others are
 * opened on first use. A connection found broken when it is handed out is reset (PQreset) before use; if
 * that fails the operation returns STORE_ERROR and the next acquire tries again. Each connection prepares
 * a statement the first time it runs it (PQprepare) and keeps it for the life of the session; a reset
 * forgets them. Parameters travel as text, except the 32-byte key hash (binary bytea).
 *
 * The only SQL that is not a prepared statement is a migration file, which is a multi-statement script
 * and runs through PQexec (simple query protocol) inside apply_migration's transaction.
 *
 * Errors: SQLSTATE 23505 (unique) → STORE_CONFLICT; 23503 (foreign key: unknown tenant) → STORE_NOTFOUND;
 * serialization failures, deadlocks and lock timeouts → STORE_BUSY; anything else → STORE_ERROR, with one
 * JSON line on stderr (the store has no logger of its own). NOTICE-level server chatter is dropped.
 *
 * Consistency: every write that touches several rows runs in BEGIN … COMMIT and rolls back on any failure.
 * Writers that add rows under a bot (conversations, messages, analytics) first take FOR KEY SHARE on the
 * bot row; source create and delete first raise bots.knowledge_version, whose UPDATE holds the stronger
 * FOR NO KEY UPDATE on the row until commit (so the version moves with the chunks, and two source
 * changes of one bot run one after the other; chats, which take FOR KEY SHARE, are not held up);
 * bot_delete deletes that row first. So a delete waits for writers in flight, and a writer that comes
 * after the delete finds no bot: nothing is left behind under a deleted bot. Every writer locks the bot
 * row before any row under it, so writers of one bot cannot deadlock each other.
 *
 * Full text: chunks.tsv = setweight(to_tsvector('simple', heading terms), 'A') || to_tsvector('simple',
 * text terms), where the terms come from the tokenize hook in the store options and are joined by spaces
 * here. A search turns each input word into its terms (several terms → a phrase, `a <-> b`), ORs the
 * words, ranks with ts_rank and computes the per-word match bits in the same query.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "store/store_int.h"

#define PG_POOL_DEFAULT 4      /* connections when opts->pool_size is not positive */
#define PG_POOL_MAX 256        /* more than this is a configuration mistake */
#define PG_WAIT_DEFAULT_MS 30000 /* how long an operation waits for a free connection by default */
#define PG_MIN_SERVER 100000   /* PostgreSQL 10: WITH ORDINALITY, <-> phrases, FOR KEY SHARE */
#define PG_MIGRATION_LOCK "7165448231" /* advisory lock key that serialises migrations across nodes */

/* ---- statements ---------------------------------------------------------------------------------- */

enum pg_q {
	Q_BEGIN,
	Q_COMMIT,
	Q_ROLLBACK,
	Q_PING,
	Q_MIG_LOCK,
	Q_MIG_TABLE,
	Q_MIG_EXISTS,
	Q_MIG_VERSION,
	Q_MIG_APPLIED,
	Q_MIG_RECORD,
	Q_TENANT_CREATE,
	Q_TENANT_GET,
	Q_APIKEY_CREATE,
	Q_APIKEY_REVOKE,
	Q_APIKEY_LOOKUP,
	Q_BOT_CREATE,
	Q_BOT_GET,
	Q_BOT_GET_PUBLIC,
	Q_BOT_UPDATE,
	Q_BOT_RID,
	Q_BOT_LOCK,
	Q_BOT_BUMP,
	Q_BOT_LIST_FIRST,
	Q_BOT_LIST_AFTER,
	Q_BOT_DELETE,
	Q_BOT_DEL_CHUNKS,
	Q_BOT_DEL_SOURCES,
	Q_BOT_DEL_CONVERSATIONS,
	Q_BOT_DEL_ANALYTICS,
	Q_SOURCE_CREATE,
	Q_CHUNK_CREATE,
	Q_SOURCE_GET,
	Q_SOURCE_LIST_FIRST,
	Q_SOURCE_LIST_AFTER,
	Q_SOURCE_DELETE,
	Q_SOURCE_DEL_CHUNKS,
	Q_CHUNK_SEARCH,
	Q_CHUNK_LIST,
	Q_CONV_CREATE,
	Q_CONV_TOUCH,
	Q_MSG_CREATE,
	Q_CONV_EXISTS,
	Q_CONV_COUNT,
	Q_ANALYTICS_ADD,
	Q_COUNT
};

struct pg_stmt {
	const char *name; /* prepared statement name, also the "op" in log lines */
	const char *sql;
	int nparams;
};

/* Columns every bot query returns, in this order (see bot_from_row). */
#define BOT_COLS "id, tenant_id, name, config, active, created_at, updated_at, knowledge_version"
/* Columns every source query returns, in this order (see source_from_row). */
#define SOURCE_COLS "id, bot_id, kind, title, status, chars, chunks, created_at, updated_at"

static const struct pg_stmt pg_stmts[Q_COUNT] = {
	[Q_BEGIN] = {"begin", "BEGIN", 0},
	[Q_COMMIT] = {"commit", "COMMIT", 0},
	[Q_ROLLBACK] = {"rollback", "ROLLBACK", 0},
	[Q_PING] = {"ping", "SELECT 1", 0},

	[Q_MIG_LOCK] = {"mig_lock", "SELECT pg_advisory_xact_lock(" PG_MIGRATION_LOCK ")", 0},
	[Q_MIG_TABLE] = {"mig_table",
			 "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
			 "name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
			 0},
	[Q_MIG_EXISTS] = {"mig_exists", "SELECT to_regclass('schema_migrations') IS NOT NULL", 0},
	[Q_MIG_VERSION] = {"mig_version", "SELECT coalesce(max(version), 0) FROM schema_migrations", 0},
	[Q_MIG_APPLIED] = {"mig_applied", "SELECT 1 FROM schema_migrations WHERE version = $1", 1},
	[Q_MIG_RECORD] = {"mig_record",
			  "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, "
			  "(extract(epoch FROM clock_timestamp()) * 1000)::bigint)",
			  2},

	[Q_TENANT_CREATE] = {"tenant_create", "INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3)", 3},
	[Q_TENANT_GET] = {"tenant_get", "SELECT id, name, created_at FROM tenants WHERE id = $1", 1},

	[Q_APIKEY_CREATE] = {"apikey_create",
			     "INSERT INTO api_keys (id, tenant_id, key_hash, prefix, created_at) "
			     "VALUES ($1, $2, $3, $4, $5)",
			     5},
	/* Revoking twice keeps the first revocation time. */
	[Q_APIKEY_REVOKE] = {"apikey_revoke",
			     "UPDATE api_keys SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1", 2},
	[Q_APIKEY_LOOKUP] = {"apikey_lookup",
			     "SELECT tenant_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL", 1},

	[Q_BOT_CREATE] = {"bot_create",
			  "INSERT INTO bots (id, tenant_id, name, config, active, created_at, updated_at) "
			  "VALUES ($1, $2, $3, $4, $5, $6, $7)",
			  7},
	[Q_BOT_GET] = {"bot_get", "SELECT " BOT_COLS " FROM bots WHERE tenant_id = $1 AND id = $2", 2},
	[Q_BOT_GET_PUBLIC] = {"bot_get_public", "SELECT " BOT_COLS " FROM bots WHERE id = $1", 1},
	[Q_BOT_UPDATE] = {"bot_update",
			  "UPDATE bots SET name = $3, config = $4, active = $5, updated_at = $6 "
			  "WHERE tenant_id = $1 AND id = $2",
			  6},
	[Q_BOT_RID] = {"bot_rid", "SELECT rid FROM bots WHERE tenant_id = $1 AND id = $2", 2},
	[Q_BOT_LOCK] = {"bot_lock", "SELECT rid FROM bots WHERE tenant_id = $1 AND id = $2 FOR KEY SHARE", 2},
	/* First statement of a source create or delete: raises the bot's knowledge version and locks the
	 * row (FOR NO KEY UPDATE) until commit; see "Consistency" above. */
	[Q_BOT_BUMP] = {"bot_bump",
			"UPDATE bots SET knowledge_version = knowledge_version + 1 "
			"WHERE tenant_id = $1 AND id = $2 RETURNING rid",
			2},
	[Q_BOT_LIST_FIRST] = {"bot_list_first",
			      "SELECT " BOT_COLS " FROM bots WHERE tenant_id = $1 "
			      "ORDER BY created_at DESC, id DESC LIMIT $2",
			      2},
	[Q_BOT_LIST_AFTER] = {"bot_list_after",
			      "SELECT " BOT_COLS " FROM bots WHERE tenant_id = $1 "
			      "AND (created_at, id) < ($2::bigint, $3::text) "
			      "ORDER BY created_at DESC, id DESC LIMIT $4",
			      4},
	[Q_BOT_DELETE] = {"bot_delete", "DELETE FROM bots WHERE tenant_id = $1 AND id = $2", 2},
	[Q_BOT_DEL_CHUNKS] = {"bot_del_chunks", "DELETE FROM chunks WHERE tenant_id = $1 AND bot_id = $2", 2},
	[Q_BOT_DEL_SOURCES] = {"bot_del_sources", "DELETE FROM sources WHERE tenant_id = $1 AND bot_id = $2", 2},
	[Q_BOT_DEL_CONVERSATIONS] = {"bot_del_conversations",
				     "WITH conv AS (DELETE FROM conversations WHERE tenant_id = $1 AND bot_id = $2 "
				     "RETURNING id) "
				     "DELETE FROM messages WHERE tenant_id = $1 AND conversation_id IN "
				     "(SELECT id FROM conv)",
				     2},
	[Q_BOT_DEL_ANALYTICS] = {"bot_del_analytics",
				 "DELETE FROM analytics_events WHERE tenant_id = $1 AND bot_id = $2", 2},

	[Q_SOURCE_CREATE] = {"source_create",
			     "INSERT INTO sources (id, tenant_id, bot_id, kind, title, status, chars, chunks, "
			     "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
			     10},
	[Q_CHUNK_CREATE] = {"chunk_create",
			    "INSERT INTO chunks (tenant_id, bot_id, bot_rid, source_id, ord, heading, text, tsv) "
			    "VALUES ($1, $2, $3, $4, $5, $6, $7, "
			    "setweight(to_tsvector('simple', $8::text), 'A') || to_tsvector('simple', $9::text))",
			    9},
	[Q_SOURCE_GET] = {"source_get",
			  "SELECT " SOURCE_COLS " FROM sources WHERE tenant_id = $1 AND bot_id = $2 AND id = $3",
			  3},
	[Q_SOURCE_LIST_FIRST] = {"source_list_first",
				 "SELECT " SOURCE_COLS " FROM sources WHERE tenant_id = $1 AND bot_id = $2 "
				 "ORDER BY created_at DESC, id DESC LIMIT $3",
				 3},
	[Q_SOURCE_LIST_AFTER] = {"source_list_after",
				 "SELECT " SOURCE_COLS " FROM sources WHERE tenant_id = $1 AND bot_id = $2 "
				 "AND (created_at, id) < ($3::bigint, $4::text) "
				 "ORDER BY created_at DESC, id DESC LIMIT $5",
				 5},
	[Q_SOURCE_DELETE] = {"source_delete",
			     "DELETE FROM sources WHERE tenant_id = $1 AND bot_id = $2 AND id = $3", 3},
	[Q_SOURCE_DEL_CHUNKS] = {"source_del_chunks",
				 "DELETE FROM chunks WHERE tenant_id = $1 AND bot_id = $2 AND source_id = $3", 3},

	/* $3: the whole query (words ORed); $5: one query per input word, NULL for a skipped word, so the
	 * strict to_tsquery yields NULL and that word's bit stays 0. Heading terms (weight A) count twice
	 * as much as text terms, as in the SQLite backend's bm25 weights. */
	[Q_CHUNK_SEARCH] = {"chunk_search",
			    "SELECT c.id, s.title, c.heading, c.text, ts_rank('{0.5, 0.5, 0.5, 1.0}', c.tsv, q.q) AS rank, "
			    "(SELECT coalesce(sum(1::bigint << (u.i - 1)::int), 0) "
			    "FROM unnest($5::text[]) WITH ORDINALITY AS u(w, i) "
			    "WHERE c.tsv @@ to_tsquery('simple', u.w)) AS matched "
			    "FROM chunks c JOIN sources s ON s.tenant_id = c.tenant_id AND s.id = c.source_id, "
			    "to_tsquery('simple', $3::text) AS q(q) "
			    "WHERE c.tenant_id = $1 AND c.bot_id = $2 AND c.tsv @@ q.q "
			    "ORDER BY rank DESC, c.id LIMIT $4",
			    5},
	/* One statement, so one snapshot: the bot row (ownership) and its chunks. A bot without chunks
	 * gives one row with a NULL chunk id; no row at all means the bot is not the tenant's. */
	[Q_CHUNK_LIST] = {"chunk_list",
			  "SELECT c.id, coalesce(s.title, ''), c.heading, c.text FROM bots b "
			  "LEFT JOIN chunks c ON c.tenant_id = b.tenant_id AND c.bot_id = b.id "
			  "LEFT JOIN sources s ON s.tenant_id = c.tenant_id AND s.id = c.source_id "
			  "WHERE b.tenant_id = $1 AND b.id = $2 ORDER BY c.id",
			  2},

	[Q_CONV_CREATE] = {"conv_create",
			   "INSERT INTO conversations (id, tenant_id, bot_id, channel, created_at, last_message_at) "
			   "VALUES ($1, $2, $3, $4, $5, $5)",
			   5},
	[Q_CONV_TOUCH] = {"conv_touch",
			  "UPDATE conversations SET message_count = message_count + 2, last_message_at = $4 "
			  "WHERE tenant_id = $1 AND bot_id = $2 AND id = $3",
			  4},
	[Q_MSG_CREATE] = {"msg_create",
			  "INSERT INTO messages (id, tenant_id, bot_id, conversation_id, direction, content, meta, "
			  "latency_ms, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
			  9},
	[Q_CONV_EXISTS] = {"conv_exists",
			   "SELECT 1 FROM conversations WHERE tenant_id = $1 AND bot_id = $2 AND id = $3", 3},
	[Q_CONV_COUNT] = {"conv_count",
			  "SELECT count(*) FROM messages WHERE tenant_id = $1 AND conversation_id = $2", 2},

	[Q_ANALYTICS_ADD] = {"analytics_add",
			     "INSERT INTO analytics_events (tenant_id, bot_id, event, props, created_at) "
			     "SELECT $1::text, $2::text, $3::text, $4::text, $5::bigint "
			     "FROM bots WHERE tenant_id = $1 AND id = $2 FOR KEY SHARE",
			     5},
};

/* ---- the pool ------------------------------------------------------------------------------------ */

struct pg_conn {
	PGconn *pg;             /* NULL until first used; may be in a broken state until reset */
	bool busy;              /* handed out by pool_acquire, under pg_store.mu */
	bool prepared[Q_COUNT]; /* statement i exists in this session */
};

struct pg_store {
	struct store base;     /* first member: store.c only sees this */
	char *url;             /* owned; base.opts.url points here */
	pthread_mutex_t mu;    /* guards conns[].busy */
	pthread_cond_t freed;  /* signalled when a connection goes back to the pool */
	int wait_ms;           /* how long acquire waits for a free connection before STORE_BUSY */
	int nconns;
	struct pg_conn *conns; /* nconns slots */
};

static struct pg_store *pg_of(struct store *st)
{
	return (struct pg_store *)st;
}

/* ---- logging ------------------------------------------------------------------------------------- */

/* One JSON line on stderr: {"level":…,"component":"store_pg","op":…,"sqlstate":…,"msg":…}. `level` is a
 * static string ("error", "warn"). Control characters (libpq messages end in newlines) become spaces;
 * trailing ones are dropped. */
static void pg_log_at(const char *level, const char *op, const char *sqlstate, const char *msg)
{
	char esc[1024];
	size_t k = 0;
	if (!msg)
		msg = "";
	for (const char *p = msg; *p && k + 2 < sizeof esc; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch == '"' || ch == '\\') {
			esc[k++] = '\\';
			esc[k++] = (char)ch;
		} else if (ch < 0x20 || ch == 0x7f) {
			esc[k++] = ' ';
		} else {
			esc[k++] = (char)ch;
		}
	}
	while (k > 0 && esc[k - 1] == ' ')
		k--;
	esc[k] = '\0';
	fprintf(stderr, "{\"level\":\"%s\",\"component\":\"store_pg\",\"op\":\"%s\",\"sqlstate\":\"%s\",\"msg\":\"%s\"}\n",
		level, op, sqlstate ? sqlstate : "", esc);
}

static void pg_log(const char *op, const char *sqlstate, const char *msg)
{
	pg_log_at("error", op, sqlstate, msg);
}

/* Notice receiver: drops NOTICE and lower (e.g. "relation … already exists, skipping"), logs WARNING.
 * (Errors never come this way; they arrive as failed results.) */
static void pg_notice(void *arg, const PGresult *res)
{
	(void)arg;
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	if (sev && strcmp(sev, "WARNING") != 0)
		return;
	pg_log_at("warn", "notice", PQresultErrorField(res, PG_DIAG_SQLSTATE), PQresultErrorMessage(res));
}

/* Classifies a failed statement. `res` may be NULL (libpq could not even build a result). Logs only
 * what becomes STORE_ERROR or STORE_BUSY. */
static int pg_fail(const char *op, PGconn *pg, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (state) {
		if (strcmp(state, "23505") == 0)
			return STORE_CONFLICT;
		if (strcmp(state, "23503") == 0)
			return STORE_NOTFOUND;
	}
	const char *msg = res ? PQresultErrorMessage(res) : NULL;
	if (!msg || !*msg)
		msg = PQerrorMessage(pg);
	pg_log(op, state, msg);
	if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0))
		return STORE_BUSY;
	return STORE_ERROR;
}

/* ---- connections --------------------------------------------------------------------------------- */

/* Makes c->pg a working session: connects the first time, resets a broken one. Forgets prepared
 * statements whenever the session is new. Returns STORE_OK, STORE_NOMEM or STORE_ERROR (logged). */
static int conn_ready(struct pg_store *ps, struct pg_conn *c)
{
	if (c->pg && PQstatus(c->pg) == CONNECTION_OK)
		return STORE_OK;
	if (!c->pg) {
		c->pg = PQconnectdb(ps->url);
		if (!c->pg)
			return STORE_NOMEM;
		PQsetNoticeReceiver(c->pg, pg_notice, NULL);
	} else {
		PQreset(c->pg);
	}
	memset(c->prepared, 0, sizeof c->prepared);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		pg_log("connect", NULL, PQerrorMessage(c->pg));
		return STORE_ERROR;
	}
	return STORE_OK;
}

static void deadline_after(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static void pool_release(struct pg_store *ps, struct pg_conn *c);

/* Hands out a connection, ready to use, for the calling thread alone until pool_release. Waits up to
 * ps->wait_ms for one to become free (then STORE_BUSY). Prefers connections that are already open. */
static int pool_acquire(struct pg_store *ps, struct pg_conn **out)
{
	struct timespec deadline;
	deadline_after(&deadline, ps->wait_ms);
	struct pg_conn *c = NULL;

	pthread_mutex_lock(&ps->mu);
	for (;;) {
		for (int i = 0; i < ps->nconns; i++) {
			struct pg_conn *cand = &ps->conns[i];
			if (cand->busy)
				continue;
			if (!c || (!c->pg && cand->pg))
				c = cand;
			if (c->pg)
				break;
		}
		if (c)
			break;
		int e = pthread_cond_timedwait(&ps->freed, &ps->mu, &deadline);
		if (e == ETIMEDOUT) {
			pthread_mutex_unlock(&ps->mu);
			pg_log("acquire", NULL, "no free connection in the pool in time");
			return STORE_BUSY;
		}
	}
	c->busy = true;
	pthread_mutex_unlock(&ps->mu);

	int rc = conn_ready(ps, c);
	if (rc != STORE_OK) {
		pool_release(ps, c);
		return rc;
	}
	*out = c;
	return STORE_OK;
}

static PGresult *pg_exec(struct pg_conn *c, enum pg_q q, const char *const *params, const int *lengths,
			 const int *formats, int *rc);

/* Puts a connection back. A session left inside a transaction (a path that could not roll back) is
 * rolled back here, or closed if even that fails, so the next user starts clean. */
static void pool_release(struct pg_store *ps, struct pg_conn *c)
{
	if (c->pg && PQstatus(c->pg) == CONNECTION_OK && PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
		int rc;
		PQclear(pg_exec(c, Q_ROLLBACK, NULL, NULL, NULL, &rc));
		if (PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
			PQfinish(c->pg);
			c->pg = NULL;
		}
	}
	pthread_mutex_lock(&ps->mu);
	c->busy = false;
	pthread_cond_signal(&ps->freed);
	pthread_mutex_unlock(&ps->mu);
}

/* ---- running statements -------------------------------------------------------------------------- */

/* Runs statement `q` on `c`, preparing it first if this session has not. `params` holds
 * pg_stmts[q].nparams values (NULL = SQL NULL), text unless `formats`/`lengths` say otherwise. Returns
 * the result (caller PQclears) with *rc = STORE_OK, or NULL with *rc set by pg_fail. */
static PGresult *pg_exec(struct pg_conn *c, enum pg_q q, const char *const *params, const int *lengths,
			 const int *formats, int *rc)
{
	const struct pg_stmt *s = &pg_stmts[q];
	PGresult *res = NULL;
	if (!c->prepared[q]) {
		res = PQprepare(c->pg, s->name, s->sql, s->nparams, NULL);
		if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
			*rc = pg_fail(s->name, c->pg, res);
			PQclear(res);
			return NULL;
		}
		PQclear(res);
		c->prepared[q] = true;
	}
	res = PQexecPrepared(c->pg, s->name, s->nparams, params, lengths, formats, 0);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		*rc = pg_fail(s->name, c->pg, res);
		PQclear(res);
		return NULL;
	}
	*rc = STORE_OK;
	return res;
}

/* pg_exec for statements whose result is only a row count; *affected gets it when not NULL. */
static int pg_cmd(struct pg_conn *c, enum pg_q q, const char *const *params, int64_t *affected)
{
	int rc;
	PGresult *res = pg_exec(c, q, params, NULL, NULL, &rc);
	if (!res)
		return rc;
	if (affected)
		*affected = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return STORE_OK;
}

/* One statement on a pooled connection: acquire, run, release. The result outlives the connection. */
static int pg_one(struct pg_store *ps, enum pg_q q, const char *const *params, const int *lengths,
		  const int *formats, PGresult **out)
{
	struct pg_conn *c;
	int rc = pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	PGresult *res = pg_exec(c, q, params, lengths, formats, &rc);
	pool_release(ps, c);
	if (res)
		*out = res;
	return rc;
}

/* pg_one for statements whose result is only a row count. */
static int pg_one_cmd(struct pg_store *ps, enum pg_q q, const char *const *params, int64_t *affected)
{
	PGresult *res = NULL;
	int rc = pg_one(ps, q, params, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	if (affected)
		*affected = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return STORE_OK;
}

static int tx_begin(struct pg_conn *c)
{
	return pg_cmd(c, Q_BEGIN, NULL, NULL);
}

/* Ends the transaction: COMMIT when rc is STORE_OK (and returns COMMIT's outcome), ROLLBACK otherwise
 * (and returns rc unchanged). A failed ROLLBACK is left to pool_release. */
static int tx_end(struct pg_conn *c, int rc)
{
	if (rc != STORE_OK) {
		int ignored;
		PQclear(pg_exec(c, Q_ROLLBACK, NULL, NULL, NULL, &ignored));
		return rc;
	}
	int crc;
	PGresult *res = pg_exec(c, Q_COMMIT, NULL, NULL, NULL, &crc);
	if (!res)
		return crc;
	/* COMMIT of a transaction that had failed answers ROLLBACK; never report that as success. */
	if (strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		pg_log("commit", NULL, "transaction was rolled back");
		crc = STORE_ERROR;
	}
	PQclear(res);
	return crc;
}

/* ---- values -------------------------------------------------------------------------------------- */

struct num {
	char s[24];
};

static const char *num(struct num *n, int64_t v)
{
	snprintf(n->s, sizeof n->s, "%" PRId64, v);
	return n->s;
}

static int64_t col_i64(const PGresult *r, int row, int col)
{
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* Copies an id column into a fixed buffer; false when it does not fit (never for our own ids). */
static bool col_id(const PGresult *r, int row, int col, char dst[STORE_ID_MAX])
{
	int len = PQgetlength(r, row, col);
	if (len < 0 || len >= STORE_ID_MAX)
		return false;
	memcpy(dst, PQgetvalue(r, row, col), (size_t)len);
	dst[len] = '\0';
	return true;
}

/* Heap copy of a text column (NULL stays NULL); *ok turns false when memory runs out. */
static char *col_dup(const PGresult *r, int row, int col, bool *ok)
{
	if (PQgetisnull(r, row, col))
		return NULL;
	return store_strdup(PQgetvalue(r, row, col), ok);
}

/* Fills *out from row `row` of a BOT_COLS result. Writes *out only on STORE_OK. */
static int bot_from_row(const PGresult *r, int row, struct store_bot *out)
{
	struct store_bot b = {0};
	bool ok = true;
	if (!col_id(r, row, 0, b.id) || !col_id(r, row, 1, b.tenant_id)) {
		pg_log("bot_from_row", NULL, "id longer than STORE_ID_MAX");
		return STORE_ERROR;
	}
	b.name = col_dup(r, row, 2, &ok);
	b.config = col_dup(r, row, 3, &ok);
	b.active = PQgetvalue(r, row, 4)[0] == 't';
	b.created_at = col_i64(r, row, 5);
	b.updated_at = col_i64(r, row, 6);
	b.knowledge_version = col_i64(r, row, 7);
	if (!ok) {
		store_bot_clear(&b);
		return STORE_NOMEM;
	}
	*out = b;
	return STORE_OK;
}

/* Fills *out from row `row` of a SOURCE_COLS result. Writes *out only on STORE_OK. */
static int source_from_row(const PGresult *r, int row, struct store_source *out)
{
	struct store_source s = {0};
	bool ok = true;
	if (!col_id(r, row, 0, s.id) || !col_id(r, row, 1, s.bot_id)) {
		pg_log("source_from_row", NULL, "id longer than STORE_ID_MAX");
		return STORE_ERROR;
	}
	s.kind = col_dup(r, row, 2, &ok);
	s.title = col_dup(r, row, 3, &ok);
	s.status = col_dup(r, row, 4, &ok);
	s.chars = col_i64(r, row, 5);
	s.chunks = (int)col_i64(r, row, 6);
	s.created_at = col_i64(r, row, 7);
	s.updated_at = col_i64(r, row, 8);
	if (!ok) {
		store_source_clear(&s);
		return STORE_NOMEM;
	}
	*out = s;
	return STORE_OK;
}

/* ---- a small text builder for tsvector / tsquery input ------------------------------------------- */

struct sbuf {
	char *p;     /* NUL-terminated once anything was appended; owned */
	size_t len;
	size_t cap;
	bool failed; /* sticky: an append ran out of memory; later appends do nothing */
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (n >= b->cap - b->len) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap - b->len <= n) {
			if (cap > SIZE_MAX / 2) {
				b->failed = true;
				return;
			}
			cap *= 2;
		}
		char *p = realloc(b->p, cap);
		if (!p) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static void sb_reset(struct sbuf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

static const char *sb_str(const struct sbuf *b)
{
	return b->p ? b->p : "";
}

/* store_term_fn: appends the term to the sbuf in `ud`, space-separated (tsvector input). */
static int join_term(void *ud, const char *term, size_t len, size_t start, size_t end)
{
	struct sbuf *b = ud;
	(void)start;
	(void)end;
	if (b->len > 0)
		sb_put(b, " ", 1);
	sb_put(b, term, len);
	return b->failed ? 1 : 0;
}

/* Maps a tokenize hook result: 0 → STORE_OK, -1 (out of memory, as terms_tokenize reports it) →
 * STORE_NOMEM, anything else → STORE_ERROR (logged). */
static int tokenize_rc(int trc)
{
	if (trc == 0)
		return STORE_OK;
	if (trc == -1)
		return STORE_NOMEM;
	pg_log("tokenize", NULL, "the tokenize hook failed");
	return STORE_ERROR;
}

/* Replaces b's content with the terms of `text` joined by spaces. STORE_OK, STORE_NOMEM or
 * STORE_ERROR. */
static int terms_of(const struct store *st, const char *text, struct sbuf *b)
{
	sb_reset(b);
	int trc = st->opts.tokenize(st->opts.tokenize_ctx, text, strlen(text), join_term, b);
	if (b->failed)
		return STORE_NOMEM;
	return tokenize_rc(trc);
}

/* One word's tsquery: its terms as quoted lexemes joined by <-> (a phrase). */
struct word_query {
	struct sbuf *b;
	int nterms;
};

/* store_term_fn: appends 'term' (quotes doubled, backslashes escaped) to a word_query. */
static int quote_term(void *ud, const char *term, size_t len, size_t start, size_t end)
{
	struct word_query *w = ud;
	(void)start;
	(void)end;
	if (w->nterms++ > 0)
		sb_puts(w->b, " <-> ");
	sb_put(w->b, "'", 1);
	for (size_t i = 0; i < len; i++) {
		if (term[i] == '\'')
			sb_put(w->b, "''", 2);
		else if (term[i] == '\\')
			sb_put(w->b, "\\\\", 2);
		else
			sb_put(w->b, &term[i], 1);
	}
	sb_put(w->b, "'", 1);
	return w->b->failed ? 1 : 0;
}

/* Appends `s` as a double-quoted element of a PostgreSQL array literal. */
static void sb_array_elem(struct sbuf *b, const char *s, size_t len)
{
	sb_put(b, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			sb_put(b, "\\", 1);
		sb_put(b, &s[i], 1);
	}
	sb_put(b, "\"", 1);
}

/* Builds the search parameters from surface words: `all` gets "(w1) | (w2a <-> w2b) | …" over the words
 * that give terms, `each` the text[] literal of per-word queries with NULL for words that give none.
 * *nused is the number of words that gave terms. */
struct group_build {
	struct sbuf *all;
	char *const *wq; /* tsquery text per usable word */
	int n;           /* groups written */
};

/* store_match_groups callback: "((a) & (b))" ORed onto the query. */
static void add_group(void *ud, const int *idx, int k)
{
	struct group_build *g = ud;
	sb_puts(g->all, g->n++ > 0 ? " | (" : "(");
	for (int j = 0; j < k; j++) {
		sb_puts(g->all, j > 0 ? " & (" : "(");
		sb_puts(g->all, g->wq[idx[j]]);
		sb_put(g->all, ")", 1);
	}
	sb_put(g->all, ")", 1);
}

/* Builds $3 (chunks holding at least min_match of the words: store_match_groups, or all words ORed)
 * and $5 (one tsquery per input word, NULL for a word without terms). */
static int build_search(const struct store *st, const char *const *words, int nwords, int min_match,
			struct sbuf *all, struct sbuf *each, int *nused)
{
	struct sbuf one = {0};
	char *wq[STORE_SEARCH_MAX_WORDS] = {0};
	int rc = STORE_OK, used = 0;
	sb_put(each, "{", 1);
	for (int i = 0; i < nwords; i++) {
		struct word_query w = {&one, 0};
		sb_reset(&one);
		const char *word = words[i] ? words[i] : "";
		int trc = st->opts.tokenize(st->opts.tokenize_ctx, word, strlen(word), quote_term, &w);
		rc = one.failed ? STORE_NOMEM : tokenize_rc(trc);
		if (rc != STORE_OK)
			goto out;
		if (i > 0)
			sb_put(each, ",", 1);
		if (w.nterms == 0) {
			sb_puts(each, "NULL");
			continue;
		}
		sb_array_elem(each, one.p, one.len);
		if (!(wq[used++] = strndup(one.p, one.len))) {
			rc = STORE_NOMEM;
			goto out;
		}
	}
	sb_put(each, "}", 1);
	struct group_build g = {all, wq, 0};
	if (store_match_groups(used, min_match, add_group, &g) == 0)
		for (int i = 0; i < used; i++) {
			sb_puts(all, i > 0 ? " | (" : "(");
			sb_puts(all, wq[i]);
			sb_put(all, ")", 1);
		}
	if (all->failed || each->failed)
		rc = STORE_NOMEM;
	else
		*nused = used;
out:
	for (int i = 0; i < used; i++)
		free(wq[i]);
	free(one.p);
	return rc;
}

/* ---- lifecycle and migrations -------------------------------------------------------------------- */

static void pg_close(struct store *st)
{
	struct pg_store *ps = pg_of(st);
	if (!ps)
		return;
	for (int i = 0; i < ps->nconns; i++)
		if (ps->conns[i].pg)
			PQfinish(ps->conns[i].pg);
	free(ps->conns);
	pthread_cond_destroy(&ps->freed);
	pthread_mutex_destroy(&ps->mu);
	free(ps->url);
	free(ps);
}

static int pg_ping(struct store *st)
{
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_PING, NULL, NULL, NULL, &res);
	if (rc == STORE_OK)
		PQclear(res);
	return rc;
}

static int pg_schema_version(struct store *st, int *version)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	PGresult *res = NULL;
	int v = 0;
	int rc = pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	res = pg_exec(c, Q_MIG_EXISTS, NULL, NULL, NULL, &rc);
	if (!res)
		goto out;
	bool exists = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	res = NULL;
	if (exists) {
		res = pg_exec(c, Q_MIG_VERSION, NULL, NULL, NULL, &rc);
		if (!res)
			goto out;
		v = (int)col_i64(res, 0, 0);
	}
out:
	PQclear(res);
	pool_release(ps, c);
	if (rc == STORE_OK)
		*version = v;
	return rc;
}

/* Applies one migration file in one transaction with its schema_migrations row. Serialised across
 * processes by an advisory lock; a version another node applied meanwhile is skipped (STORE_OK). */
static int pg_apply_migration(struct store *st, int version, const char *name, const char *sql)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct num nv;
	const char *pv[] = {num(&nv, version), name};
	PGresult *res = NULL;
	int rc = pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	rc = tx_begin(c);
	if (rc != STORE_OK)
		goto out;
	if ((rc = pg_cmd(c, Q_MIG_LOCK, NULL, NULL)) != STORE_OK || (rc = pg_cmd(c, Q_MIG_TABLE, NULL, NULL)) != STORE_OK)
		goto end;
	res = pg_exec(c, Q_MIG_APPLIED, pv, NULL, NULL, &rc);
	if (!res)
		goto end;
	bool applied = PQntuples(res) > 0;
	PQclear(res);
	res = NULL;
	if (applied)
		goto end;
	/* A multi-statement script: simple query protocol. It returns the last statement's result, or
	 * the first error. */
	res = PQexec(c->pg, sql);
	ExecStatusType est = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (est != PGRES_COMMAND_OK && est != PGRES_TUPLES_OK) {
		rc = pg_fail(name, c->pg, res);
		if (rc != STORE_BUSY)
			rc = STORE_ERROR;
		goto end;
	}
	PQclear(res);
	res = NULL;
	rc = pg_cmd(c, Q_MIG_RECORD, pv, NULL);
end:
	rc = tx_end(c, rc);
out:
	PQclear(res);
	pool_release(ps, c);
	return rc;
}

/* ---- tenants and API keys ------------------------------------------------------------------------ */

static int pg_tenant_create(struct store *st, const char *id, const char *name, int64_t now)
{
	struct num n;
	const char *p[] = {id, name, num(&n, now)};
	return pg_one_cmd(pg_of(st), Q_TENANT_CREATE, p, NULL);
}

static int pg_tenant_get(struct store *st, const char *id, struct store_tenant *out)
{
	const char *p[] = {id};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_TENANT_GET, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	struct store_tenant t = {0};
	bool ok = true;
	if (PQntuples(res) == 0) {
		rc = STORE_NOTFOUND;
	} else if (!col_id(res, 0, 0, t.id)) {
		pg_log("tenant_get", NULL, "id longer than STORE_ID_MAX");
		rc = STORE_ERROR;
	} else {
		t.name = col_dup(res, 0, 1, &ok);
		t.created_at = col_i64(res, 0, 2);
		if (ok)
			*out = t;
		else
			rc = STORE_NOMEM;
	}
	PQclear(res);
	return rc;
}

static int pg_apikey_create(struct store *st, const char *key_id, const char *tenant_id, const unsigned char hash[32],
			    const char *prefix, int64_t now)
{
	struct num n;
	const char *p[] = {key_id, tenant_id, (const char *)hash, prefix, num(&n, now)};
	const int lengths[] = {0, 0, 32, 0, 0}; /* $3, the digest, travels as 32 binary bytes */
	const int formats[] = {0, 0, 1, 0, 0};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_APIKEY_CREATE, p, lengths, formats, &res);
	if (rc == STORE_OK)
		PQclear(res);
	return rc;
}

static int pg_apikey_revoke(struct store *st, const char *key_id, int64_t now)
{
	struct num n;
	const char *p[] = {key_id, num(&n, now)};
	int64_t affected = 0;
	int rc = pg_one_cmd(pg_of(st), Q_APIKEY_REVOKE, p, &affected);
	if (rc == STORE_OK && affected == 0)
		rc = STORE_NOTFOUND;
	return rc;
}

static int pg_apikey_lookup(struct store *st, const unsigned char hash[32], char tenant_id[STORE_ID_MAX])
{
	const char *p[] = {(const char *)hash};
	const int lengths[] = {32};
	const int formats[] = {1};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_APIKEY_LOOKUP, p, lengths, formats, &res);
	if (rc != STORE_OK)
		return rc;
	char t[STORE_ID_MAX];
	if (PQntuples(res) == 0) {
		rc = STORE_NOTFOUND;
	} else if (!col_id(res, 0, 0, t)) {
		pg_log("apikey_lookup", NULL, "id longer than STORE_ID_MAX");
		rc = STORE_ERROR;
	} else {
		memcpy(tenant_id, t, sizeof t);
	}
	PQclear(res);
	return rc;
}

/* ---- bots ---------------------------------------------------------------------------------------- */

static int pg_bot_create(struct store *st, const struct store_bot *b)
{
	struct num c, u;
	const char *p[] = {b->id, b->tenant_id, b->name, b->config, b->active ? "t" : "f",
			   num(&c, b->created_at), num(&u, b->updated_at)};
	return pg_one_cmd(pg_of(st), Q_BOT_CREATE, p, NULL);
}

/* tenant_id NULL: the public lookup by id alone (store_bot_get_public). */
static int pg_bot_get(struct store *st, const char *tenant_id, const char *bot_id, struct store_bot *out)
{
	PGresult *res = NULL;
	int rc;
	if (tenant_id) {
		const char *p[] = {tenant_id, bot_id};
		rc = pg_one(pg_of(st), Q_BOT_GET, p, NULL, NULL, &res);
	} else {
		const char *p[] = {bot_id};
		rc = pg_one(pg_of(st), Q_BOT_GET_PUBLIC, p, NULL, NULL, &res);
	}
	if (rc != STORE_OK)
		return rc;
	rc = PQntuples(res) == 0 ? STORE_NOTFOUND : bot_from_row(res, 0, out);
	PQclear(res);
	return rc;
}

static int pg_bot_update(struct store *st, const struct store_bot *b)
{
	struct num u;
	const char *p[] = {b->tenant_id, b->id, b->name, b->config, b->active ? "t" : "f", num(&u, b->updated_at)};
	int64_t affected = 0;
	int rc = pg_one_cmd(pg_of(st), Q_BOT_UPDATE, p, &affected);
	if (rc == STORE_OK && affected == 0)
		rc = STORE_NOTFOUND;
	return rc;
}

static int pg_bot_delete(struct store *st, const char *tenant_id, const char *bot_id)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	const char *p[] = {tenant_id, bot_id};
	int64_t affected = 0;
	int rc = pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = tx_begin(c)) != STORE_OK)
		goto out;
	/* The bot row first: this waits for writers holding FOR KEY SHARE on it and turns later ones away. */
	rc = pg_cmd(c, Q_BOT_DELETE, p, &affected);
	if (rc == STORE_OK && affected == 0)
		rc = STORE_NOTFOUND;
	if (rc == STORE_OK)
		rc = pg_cmd(c, Q_BOT_DEL_CHUNKS, p, NULL);
	if (rc == STORE_OK)
		rc = pg_cmd(c, Q_BOT_DEL_SOURCES, p, NULL);
	if (rc == STORE_OK)
		rc = pg_cmd(c, Q_BOT_DEL_CONVERSATIONS, p, NULL);
	if (rc == STORE_OK)
		rc = pg_cmd(c, Q_BOT_DEL_ANALYTICS, p, NULL);
	rc = tx_end(c, rc);
out:
	pool_release(ps, c);
	return rc;
}

static int pg_bot_list(struct store *st, const char *tenant_id, int64_t after_created, const char *after_id, int limit,
		       struct store_bot *rows, int *n)
{
	struct num nc, nl;
	PGresult *res = NULL;
	int rc;
	if (limit <= 0) {
		*n = 0;
		return STORE_OK;
	}
	if (after_id) {
		const char *p[] = {tenant_id, num(&nc, after_created), after_id, num(&nl, limit)};
		rc = pg_one(pg_of(st), Q_BOT_LIST_AFTER, p, NULL, NULL, &res);
	} else {
		const char *p[] = {tenant_id, num(&nl, limit)};
		rc = pg_one(pg_of(st), Q_BOT_LIST_FIRST, p, NULL, NULL, &res);
	}
	if (rc != STORE_OK)
		return rc;
	int got = PQntuples(res), i;
	for (i = 0; i < got && i < limit; i++)
		if ((rc = bot_from_row(res, i, &rows[i])) != STORE_OK)
			break;
	if (rc != STORE_OK)
		while (i-- > 0)
			store_bot_clear(&rows[i]);
	else
		*n = i;
	PQclear(res);
	return rc;
}

/* STORE_OK when the bot exists for the tenant (no lock; for reads). */
static int bot_check(struct pg_conn *c, const char *tenant_id, const char *bot_id)
{
	const char *p[] = {tenant_id, bot_id};
	int rc;
	PGresult *res = pg_exec(c, Q_BOT_RID, p, NULL, NULL, &rc);
	if (!res)
		return rc;
	rc = PQntuples(res) > 0 ? STORE_OK : STORE_NOTFOUND;
	PQclear(res);
	return rc;
}

/* Runs Q_BOT_LOCK or Q_BOT_BUMP (both return the rid of the tenant's bot, and no row when the bot is
 * not the tenant's: STORE_NOTFOUND). *rid gets the rid when rid is not NULL. */
static int bot_row_lock(struct pg_conn *c, enum pg_q q, const char *tenant_id, const char *bot_id, int64_t *rid)
{
	const char *p[] = {tenant_id, bot_id};
	int rc;
	PGresult *res = pg_exec(c, q, p, NULL, NULL, &rc);
	if (!res)
		return rc;
	if (PQntuples(res) == 0) {
		rc = STORE_NOTFOUND;
	} else if (rid) {
		*rid = col_i64(res, 0, 0);
	}
	PQclear(res);
	return rc;
}

/* Inside a transaction: locks the bot row against deletion (FOR KEY SHARE) and gives its rid. */
static int bot_lock(struct pg_conn *c, const char *tenant_id, const char *bot_id, int64_t *rid)
{
	return bot_row_lock(c, Q_BOT_LOCK, tenant_id, bot_id, rid);
}

/* Inside a transaction, before anything else it changes: raises the bot's knowledge_version and so
 * locks its row (FOR NO KEY UPDATE) until commit; gives its rid. The version commits or rolls back with
 * the source change. */
static int bot_bump(struct pg_conn *c, const char *tenant_id, const char *bot_id, int64_t *rid)
{
	return bot_row_lock(c, Q_BOT_BUMP, tenant_id, bot_id, rid);
}

/* ---- sources and chunks -------------------------------------------------------------------------- */

static int pg_source_create(struct store *st, const char *tenant_id, const struct store_source *s,
			    const struct store_chunk_in *chunks, int nchunks)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct sbuf hterms = {0}, tterms = {0};
	struct num nchars, ncount, ncreated, nupdated, nrid, nord;
	int64_t rid = 0;
	int rc = pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = tx_begin(c)) != STORE_OK)
		goto out;
	if ((rc = bot_bump(c, tenant_id, s->bot_id, &rid)) != STORE_OK)
		goto end;
	const char *psrc[] = {s->id, tenant_id, s->bot_id, s->kind, s->title, s->status, num(&nchars, s->chars),
			     num(&ncount, s->chunks), num(&ncreated, s->created_at), num(&nupdated, s->updated_at)};
	if ((rc = pg_cmd(c, Q_SOURCE_CREATE, psrc, NULL)) != STORE_OK)
		goto end;
	num(&nrid, rid);
	for (int i = 0; i < nchunks; i++) {
		const char *heading = chunks[i].heading ? chunks[i].heading : "";
		if ((rc = terms_of(st, heading, &hterms)) != STORE_OK)
			goto end;
		if ((rc = terms_of(st, chunks[i].text ? chunks[i].text : "", &tterms)) != STORE_OK)
			goto end;
		const char *pc[] = {tenant_id, s->bot_id, nrid.s, s->id, num(&nord, chunks[i].ord), heading,
				    chunks[i].text, sb_str(&hterms), sb_str(&tterms)};
		if ((rc = pg_cmd(c, Q_CHUNK_CREATE, pc, NULL)) != STORE_OK)
			goto end;
	}
end:
	rc = tx_end(c, rc);
out:
	pool_release(ps, c);
	free(hterms.p);
	free(tterms.p);
	return rc;
}

static int pg_source_get(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
			 struct store_source *out)
{
	const char *p[] = {tenant_id, bot_id, source_id};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_SOURCE_GET, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	rc = PQntuples(res) == 0 ? STORE_NOTFOUND : source_from_row(res, 0, out);
	PQclear(res);
	return rc;
}

/* STORE_NOTFOUND when the bot is not the tenant's, even if it would list nothing anyway. */
static int pg_source_list(struct store *st, const char *tenant_id, const char *bot_id, int64_t after_created,
			  const char *after_id, int limit, struct store_source *rows, int *n)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct num nc, nl;
	PGresult *res = NULL;
	int rc = pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = bot_check(c, tenant_id, bot_id)) != STORE_OK || limit <= 0)
		goto out;
	if (after_id) {
		const char *p[] = {tenant_id, bot_id, num(&nc, after_created), after_id, num(&nl, limit)};
		res = pg_exec(c, Q_SOURCE_LIST_AFTER, p, NULL, NULL, &rc);
	} else {
		const char *p[] = {tenant_id, bot_id, num(&nl, limit)};
		res = pg_exec(c, Q_SOURCE_LIST_FIRST, p, NULL, NULL, &rc);
	}
out:
	pool_release(ps, c);
	if (rc != STORE_OK)
		return rc;
	int got = res ? PQntuples(res) : 0, i;
	for (i = 0; i < got && i < limit; i++)
		if ((rc = source_from_row(res, i, &rows[i])) != STORE_OK)
			break;
	if (rc != STORE_OK)
		while (i-- > 0)
			store_source_clear(&rows[i]);
	else
		*n = i;
	PQclear(res);
	return rc;
}

static int pg_source_delete(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	const char *p[] = {tenant_id, bot_id, source_id};
	int64_t affected = 0;
	int rc = pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = tx_begin(c)) != STORE_OK)
		goto out;
	/* the bot row first, as in every writer (see "Consistency" above) */
	rc = bot_bump(c, tenant_id, bot_id, NULL);
	if (rc == STORE_OK)
		rc = pg_cmd(c, Q_SOURCE_DELETE, p, &affected);
	if (rc == STORE_OK && affected == 0)
		rc = STORE_NOTFOUND;
	if (rc == STORE_OK)
		rc = pg_cmd(c, Q_SOURCE_DEL_CHUNKS, p, NULL);
	rc = tx_end(c, rc);
out:
	pool_release(ps, c);
	return rc;
}

static int pg_chunk_search(struct store *st, const char *tenant_id, const char *bot_id, const char *const *words,
			   int nwords, int min_match, int limit, struct store_hit *hits, int *n)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct sbuf all = {0}, each = {0};
	struct num nl;
	PGresult *res = NULL;
	int used = 0, i = 0;
	if (nwords > STORE_SEARCH_MAX_WORDS) /* words past the limit have no bit in `matched`: ignored */
		nwords = STORE_SEARCH_MAX_WORDS;
	if (nwords < 0)
		nwords = 0;
	int rc = build_search(st, words, nwords, min_match, &all, &each, &used);
	if (rc != STORE_OK)
		goto done;
	if ((rc = pool_acquire(ps, &c)) != STORE_OK)
		goto done;
	rc = bot_check(c, tenant_id, bot_id);
	if (rc == STORE_OK && used > 0 && limit > 0) {
		const char *p[] = {tenant_id, bot_id, sb_str(&all), num(&nl, limit), sb_str(&each)};
		res = pg_exec(c, Q_CHUNK_SEARCH, p, NULL, NULL, &rc);
	}
	pool_release(ps, c);
	if (rc != STORE_OK || !res)
		goto done;
	int got = PQntuples(res);
	for (i = 0; i < got && i < limit; i++) {
		struct store_hit h = {0};
		bool ok = true;
		h.chunk_id = col_i64(res, i, 0);
		h.title = col_dup(res, i, 1, &ok);
		h.heading = col_dup(res, i, 2, &ok);
		h.text = col_dup(res, i, 3, &ok);
		h.rank = strtod(PQgetvalue(res, i, 4), NULL);
		h.matched = (uint32_t)strtoull(PQgetvalue(res, i, 5), NULL, 10);
		if (!ok) {
			store_hit_clear(&h);
			rc = STORE_NOMEM;
			break;
		}
		hits[i] = h;
	}
	if (rc != STORE_OK)
		while (i-- > 0)
			store_hit_clear(&hits[i]);
done:
	if (rc == STORE_OK)
		*n = i;
	PQclear(res);
	free(all.p);
	free(each.p);
	return rc;
}

/* Every chunk of the bot in id order, from one query (one snapshot; see Q_CHUNK_LIST). The whole result
 * is read before the first emit (a 1,000-chunk bot is about 1 MB) and the connection is back in the
 * pool by then, so emit may use the store. The row strings live in the result, freed on return. */
static int pg_chunk_list(struct store *st, const char *tenant_id, const char *bot_id, store_chunk_fn emit,
			 void *ud)
{
	const char *p[] = {tenant_id, bot_id};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_CHUNK_LIST, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	int got = PQntuples(res);
	if (got == 0)
		rc = STORE_NOTFOUND;
	for (int i = 0; i < got && rc == STORE_OK; i++) {
		if (PQgetisnull(res, i, 0))
			continue; /* a bot without chunks */
		struct store_chunk_row row = {
			.chunk_id = col_i64(res, i, 0),
			.title = PQgetvalue(res, i, 1),
			.heading = PQgetvalue(res, i, 2),
			.text = PQgetvalue(res, i, 3),
		};
		rc = emit(ud, &row);
	}
	PQclear(res);
	return rc;
}

/* ---- conversations, messages, analytics ---------------------------------------------------------- */

/* The bot must be the tenant's (STORE_NOTFOUND otherwise), and an existing conversation the bot's.
 * A negative latency_ms is stored as NULL. */
static int pg_exchange_save(struct store *st, const struct store_exchange *x)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct num nnow, nlat;
	num(&nnow, x->now);
	num(&nlat, x->latency_ms);
	int64_t affected = 0;
	int rc = pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = tx_begin(c)) != STORE_OK)
		goto out;
	if ((rc = bot_lock(c, x->tenant_id, x->bot_id, NULL)) != STORE_OK)
		goto end;
	if (x->new_conversation) {
		const char *p[] = {x->conversation_id, x->tenant_id, x->bot_id, x->channel, nnow.s};
		if ((rc = pg_cmd(c, Q_CONV_CREATE, p, NULL)) != STORE_OK)
			goto end;
	}
	const char *pt[] = {x->tenant_id, x->bot_id, x->conversation_id, nnow.s};
	if ((rc = pg_cmd(c, Q_CONV_TOUCH, pt, &affected)) != STORE_OK)
		goto end;
	if (affected == 0) {
		rc = STORE_NOTFOUND;
		goto end;
	}
	const char *pu[] = {x->user_msg_id, x->tenant_id, x->bot_id, x->conversation_id, "in", x->user_text,
			    NULL, NULL, nnow.s};
	if ((rc = pg_cmd(c, Q_MSG_CREATE, pu, NULL)) != STORE_OK)
		goto end;
	const char *pb[] = {x->bot_msg_id, x->tenant_id, x->bot_id, x->conversation_id, "out", x->bot_text,
			    x->bot_meta, x->latency_ms >= 0 ? nlat.s : NULL, nnow.s};
	rc = pg_cmd(c, Q_MSG_CREATE, pb, NULL);
end:
	rc = tx_end(c, rc);
out:
	pool_release(ps, c);
	return rc;
}

static int pg_conversation_exists(struct store *st, const char *tenant_id, const char *bot_id, const char *conv_id)
{
	const char *p[] = {tenant_id, bot_id, conv_id};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_CONV_EXISTS, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	rc = PQntuples(res) > 0 ? STORE_OK : STORE_NOTFOUND;
	PQclear(res);
	return rc;
}

/* Counts the tenant's message rows of the conversation (0 for an unknown one, as in SQLite). */
static int pg_conversation_count_messages(struct store *st, const char *tenant_id, const char *conv_id, int *n)
{
	const char *p[] = {tenant_id, conv_id};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_CONV_COUNT, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	*n = (int)col_i64(res, 0, 0);
	PQclear(res);
	return rc;
}

/* STORE_NOTFOUND when the bot is not the tenant's. props_json NULL is stored as "{}". */
static int pg_analytics_add(struct store *st, const char *tenant_id, const char *bot_id, const char *event,
			    const char *props_json, int64_t now)
{
	struct num n;
	const char *p[] = {tenant_id, bot_id, event, props_json ? props_json : "{}", num(&n, now)};
	int64_t affected = 0;
	int rc = pg_one_cmd(pg_of(st), Q_ANALYTICS_ADD, p, &affected);
	if (rc == STORE_OK && affected == 0)
		rc = STORE_NOTFOUND;
	return rc;
}

/* ---- the ops table and the constructor ----------------------------------------------------------- */

static const struct store_ops pg_ops = {
	.name = "postgres",
	.close = pg_close,
	.ping = pg_ping,
	.schema_version = pg_schema_version,
	.apply_migration = pg_apply_migration,
	.tenant_create = pg_tenant_create,
	.tenant_get = pg_tenant_get,
	.apikey_create = pg_apikey_create,
	.apikey_revoke = pg_apikey_revoke,
	.apikey_lookup = pg_apikey_lookup,
	.bot_create = pg_bot_create,
	.bot_get = pg_bot_get,
	.bot_update = pg_bot_update,
	.bot_delete = pg_bot_delete,
	.bot_list = pg_bot_list,
	.source_create = pg_source_create,
	.source_get = pg_source_get,
	.source_list = pg_source_list,
	.source_delete = pg_source_delete,
	.chunk_search = pg_chunk_search,
	.chunk_list = pg_chunk_list,
	.exchange_save = pg_exchange_save,
	.conversation_exists = pg_conversation_exists,
	.conversation_count_messages = pg_conversation_count_messages,
	.analytics_add = pg_analytics_add,
};

/* Writes a one-line message into errbuf (libpq messages end in a newline; it is dropped). */
static void set_err(char *errbuf, size_t errlen, const char *what, const char *detail)
{
	if (!errbuf || errlen == 0)
		return;
	snprintf(errbuf, errlen, "postgres: %s%s%s", what, detail ? ": " : "", detail ? detail : "");
	for (char *p = errbuf; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	size_t len = strlen(errbuf);
	while (len > 0 && errbuf[len - 1] == ' ')
		errbuf[--len] = '\0';
}

/* Opens the pool of opts->pool_size connections (PG_POOL_DEFAULT when not positive) and connects the
 * first, so that a wrong URL or an unreachable server fails here. Acquiring a connection waits up to
 * opts->busy_timeout_ms (PG_WAIT_DEFAULT_MS when not positive). Runs no migrations. */
struct store *store_pg_open(const struct store_opts *opts, char *errbuf, size_t errlen)
{
	struct pg_store *ps = NULL;
	bool mu_ok = false, cv_ok = false;
	if (!opts || !opts->url || !opts->tokenize) {
		set_err(errbuf, errlen, "url and tokenize are required", NULL);
		return NULL;
	}
	ps = calloc(1, sizeof *ps);
	if (!ps)
		goto nomem;
	ps->url = strdup(opts->url);
	ps->nconns = opts->pool_size > 0 ? opts->pool_size : PG_POOL_DEFAULT;
	if (ps->nconns > PG_POOL_MAX)
		ps->nconns = PG_POOL_MAX;
	ps->wait_ms = opts->busy_timeout_ms > 0 ? opts->busy_timeout_ms : PG_WAIT_DEFAULT_MS;
	ps->conns = calloc((size_t)ps->nconns, sizeof *ps->conns);
	if (!ps->url || !ps->conns)
		goto nomem;
	if (pthread_mutex_init(&ps->mu, NULL) != 0) {
		set_err(errbuf, errlen, "cannot create the pool mutex", NULL);
		goto fail;
	}
	mu_ok = true;
	pthread_condattr_t ca;
	if (pthread_condattr_init(&ca) != 0) {
		set_err(errbuf, errlen, "cannot create the pool condition", NULL);
		goto fail;
	}
	int e = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (e == 0)
		e = pthread_cond_init(&ps->freed, &ca);
	pthread_condattr_destroy(&ca);
	if (e != 0) {
		set_err(errbuf, errlen, "cannot create the pool condition", NULL);
		goto fail;
	}
	cv_ok = true;

	struct pg_conn *first = &ps->conns[0];
	first->pg = PQconnectdb(ps->url);
	if (!first->pg)
		goto nomem;
	if (PQstatus(first->pg) != CONNECTION_OK) {
		set_err(errbuf, errlen, "cannot connect", PQerrorMessage(first->pg));
		goto fail;
	}
	PQsetNoticeReceiver(first->pg, pg_notice, NULL);
	if (PQserverVersion(first->pg) < PG_MIN_SERVER) {
		set_err(errbuf, errlen, "server too old (PostgreSQL 10 or later needed)", NULL);
		goto fail;
	}

	ps->base.ops = &pg_ops;
	ps->base.opts = *opts;
	ps->base.opts.url = ps->url;
	ps->base.opts.pool_size = ps->nconns;
	return &ps->base;

nomem:
	set_err(errbuf, errlen, "out of memory", NULL);
fail:
	if (ps) {
		if (ps->conns)
			for (int i = 0; i < ps->nconns; i++)
				if (ps->conns[i].pg)
					PQfinish(ps->conns[i].pg);
		free(ps->conns);
		if (cv_ok)
			pthread_cond_destroy(&ps->freed);
		if (mu_ok)
			pthread_mutex_destroy(&ps->mu);
		free(ps->url);
		free(ps);
	}
	return NULL;
}
