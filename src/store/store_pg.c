/*
 * store_pg.c — the PostgreSQL backend of the store (libpq): its machinery. The operations live in
 * store_pg_bots.c (tenants, API keys, bots, conversations, messages, analytics), store_pg_sources.c
 * (sources, chunks, full-text search) and store_pg_contacts.c (personal data: tenant keys, leads,
 * consents, erasure); what the files share is in pg_int.h.
 *
 * Owns: a fixed pool of libpq connections (mutex + condition variable), logging and the mapping of
 * errors, running statements and transactions, the column helpers that translate libpq results,
 * migrations, the ops table and store_pg_open.
 *
 * The SQL of every operation, a table of named statements (pg_stmts), is in store_pg_sql.c.
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
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "store/pg_int.h"

#define PG_POOL_DEFAULT 4      /* connections when opts->pool_size is not positive */
#define PG_POOL_MAX 256        /* more than this is a configuration mistake */
#define PG_WAIT_DEFAULT_MS 30000 /* how long an operation waits for a free connection by default */
#define PG_MIN_SERVER 100000   /* PostgreSQL 10: WITH ORDINALITY, <-> phrases, FOR KEY SHARE */

/* ---- the pool ------------------------------------------------------------------------------------ */

struct pg_conn {
	PGconn *pg;             /* NULL until first used; may be in a broken state until reset */
	bool busy;              /* handed out by pg_pool_acquire, under pg_store.mu */
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

void pg_log(const char *op, const char *sqlstate, const char *msg)
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

/* Hands out a connection, ready to use, for the calling thread alone until pg_pool_release. Waits up to
 * ps->wait_ms for one to become free (then STORE_BUSY). Prefers connections that are already open. */
int pg_pool_acquire(struct pg_store *ps, struct pg_conn **out)
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
		pg_pool_release(ps, c);
		return rc;
	}
	*out = c;
	return STORE_OK;
}

/* Puts a connection back. A session left inside a transaction (a path that could not roll back) is
 * rolled back here, or closed if even that fails, so the next user starts clean. */
void pg_pool_release(struct pg_store *ps, struct pg_conn *c)
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
PGresult *pg_exec(struct pg_conn *c, enum pg_q q, const char *const *params, const int *lengths, const int *formats,
		  int *rc)
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
int pg_cmd(struct pg_conn *c, enum pg_q q, const char *const *params, int64_t *affected)
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

/* A statement that is not in pg_stmts (feature files that keep their SQL to themselves, see pg_int.h):
 * sent with its parameters through the extended protocol (PQexecParams: parsed each time, values never
 * spliced into the SQL). Result and *rc as for pg_exec; `op` names it in log lines. */
PGresult *pg_exec_sql(struct pg_conn *c, const char *op, const char *sql, int nparams, const char *const *params,
		      int *rc)
{
	PGresult *res = PQexecParams(c->pg, sql, nparams, NULL, params, NULL, NULL, 0);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		*rc = pg_fail(op, c->pg, res);
		PQclear(res);
		return NULL;
	}
	*rc = STORE_OK;
	return res;
}

/* One statement on a pooled connection: acquire, run, release. The result outlives the connection. */
int pg_one(struct pg_store *ps, enum pg_q q, const char *const *params, const int *lengths, const int *formats,
	   PGresult **out)
{
	struct pg_conn *c;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	PGresult *res = pg_exec(c, q, params, lengths, formats, &rc);
	pg_pool_release(ps, c);
	if (res)
		*out = res;
	return rc;
}

/* pg_one for statements whose result is only a row count. */
int pg_one_cmd(struct pg_store *ps, enum pg_q q, const char *const *params, int64_t *affected)
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

int pg_tx_begin(struct pg_conn *c)
{
	return pg_cmd(c, Q_BEGIN, NULL, NULL);
}

/* Ends the transaction: COMMIT when rc is STORE_OK (and returns COMMIT's outcome), ROLLBACK otherwise
 * (and returns rc unchanged). A failed ROLLBACK is left to pg_pool_release. */
int pg_tx_end(struct pg_conn *c, int rc)
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

const char *pg_num(struct pg_num *n, int64_t v)
{
	snprintf(n->s, sizeof n->s, "%" PRId64, v);
	return n->s;
}

int64_t pg_col_i64(const PGresult *r, int row, int col)
{
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* Copies an id column into a fixed buffer; false when it does not fit (never for our own ids). */
bool pg_col_id(const PGresult *r, int row, int col, char dst[STORE_ID_MAX])
{
	int len = PQgetlength(r, row, col);
	if (len < 0 || len >= STORE_ID_MAX)
		return false;
	memcpy(dst, PQgetvalue(r, row, col), (size_t)len);
	dst[len] = '\0';
	return true;
}

/* Heap copy of a text column (NULL stays NULL); *ok turns false when memory runs out. */
char *pg_col_dup(const PGresult *r, int row, int col, bool *ok)
{
	if (PQgetisnull(r, row, col))
		return NULL;
	return store_strdup(PQgetvalue(r, row, col), ok);
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
	int rc = pg_pool_acquire(ps, &c);
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
		v = (int)pg_col_i64(res, 0, 0);
	}
out:
	PQclear(res);
	pg_pool_release(ps, c);
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
	struct pg_num nv;
	const char *pv[] = {pg_num(&nv, version), name};
	PGresult *res = NULL;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	rc = pg_tx_begin(c);
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
	rc = pg_tx_end(c, rc);
out:
	PQclear(res);
	pg_pool_release(ps, c);
	return rc;
}

/* ---- the ops table and the constructor ----------------------------------------------------------- */

static const struct store_ops pg_ops = {
	.name = "postgres",
	.close = pg_close,
	.ping = pg_ping,
	.schema_version = pg_schema_version,
	.tenant_retention_get = pg_tenant_retention_get,
	.tenant_retention_set = pg_tenant_retention_set,
	.retention_tenants = pg_retention_tenants,
	.retention_erase = pg_retention_erase,
	.bot_expire = pg_bot_expire,
	.tenant_key_list = pg_tenant_key_list,
	.tenant_key_swap = pg_tenant_key_swap,
	.server_key_get = pg_server_key_get,
	.server_key_swap = pg_server_key_swap,
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
	.conversation_contact = pg_conversation_contact,
	.conversation_state = pg_conversation_state,
	.conversation_count_messages = pg_conversation_count_messages,
	.analytics_add = pg_analytics_add,
	.message_list = pg_message_list,
	.embed_pending = pg_embed_pending,
	.embed_put = pg_embed_put,
	.embed_load = pg_embed_load,
	.embed_count = pg_embed_count,
	.bot_scan = pg_bot_scan,
	.source_enqueue = pg_source_enqueue,
	.source_claim = pg_source_claim,
	.source_progress = pg_source_progress,
	.source_finish = pg_source_finish,
	.source_requeue = pg_source_requeue,
	.source_file = pg_source_file,
	.tenant_key_get = pg_tenant_key_get,
	.tenant_key_init = pg_tenant_key_init,
	.lead_capture = pg_lead_capture,
	.lead_list = pg_lead_list,
	.lead_get = pg_lead_get,
	.contact_erase = pg_contact_erase,
	.erasure_list = pg_erasure_list,
	.contact_purge = pg_contact_purge,
	.contact_profile_get = pg_contact_profile_get,
	.contact_profile_set = pg_contact_profile_set,
	.image_get = pg_image_get,
	.bot_logo_set = pg_bot_logo_set,
	.person_create = pg_person_create,
	.person_get = pg_person_get,
	.person_list = pg_person_list,
	.person_update = pg_person_update,
	.person_delete = pg_person_delete,
	.person_reorder = pg_person_reorder,
	.person_photo_set = pg_person_photo_set,
	.contact_request = pg_contact_request,
	.lead_details = pg_lead_details,
	.bot_stats = pg_bot_stats,
	.contact_get = pg_contact_get,
	.conversation_get = pg_conversation_get,
	.contact_conversations = pg_contact_conversations,
	.contact_consents = pg_contact_consents,
	.contact_leads = pg_contact_leads,
	.job_add = pg_job_add,
	.job_claim = pg_job_claim,
	.job_finish = pg_job_finish,
	.job_cancel_key = pg_job_cancel_key,
	.job_get = pg_job_get,
	.job_list_dead = pg_job_list_dead,
	.job_retry_dead = pg_job_retry_dead,
	.job_next_run_at = pg_job_next_run_at,
	.webhook_put = pg_webhook_put,
	.webhook_claim = pg_webhook_claim,
	.webhook_done = pg_webhook_done,
	.prune_finished = pg_prune_finished,
	.wa_contact_upsert = pg_wa_contact_upsert,
	.wa_contact_find = pg_wa_contact_find,
	.wa_consent_set = pg_wa_consent_set,
	.wa_touch_inbound = pg_wa_touch_inbound,
	.wa_message_add = pg_wa_message_add,
	.wa_message_sent = pg_wa_message_sent,
	.wa_message_status = pg_wa_message_status,
	.wa_message_get = pg_wa_message_get,
	.wa_messages_list = pg_wa_messages_list,
	.wa_conv_open = pg_wa_conv_open,
	.wa_conv_get = pg_wa_conv_get,
	.wa_conv_update = pg_wa_conv_update,
	.analytics_counts = pg_analytics_counts,
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
