/*
 * sqlite_conn.c — SQLite connections, statement cache, the FTS5 'botwerk' tokenizer and the
 * botwerk_matched() auxiliary function, and the group-commit writer thread (see sqlite_int.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"

void sqlite_log(const char *what, sqlite3 *db)
{
	fprintf(stderr, "{\"level\":\"error\",\"component\":\"store_sqlite\",\"msg\":\"%s: %s\"}\n", what,
		db ? sqlite3_errmsg(db) : "no connection");
}

int sqlite_step_row(sqlite3_stmt *st, int none)
{
	int rc = sqlite3_step(st);
	return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? none : sqlite_map_rc(rc);
}

int sqlite_map_rc(int rc)
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

int sqlite_exec(sqlite3 *db, const char *sql)
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

/* ---- FTS5 tokenizer and auxiliary function --------------------------------------------------------- */

/* The tokenizer instance FTS5 creates per table: just the store's hook. */
struct fts_tok {
	store_tokenize_fn fn;
	void *ctx;
};

struct fts_emit {
	void *fts_ctx;
	int (*xToken)(void *, int, const char *, int, int, int);
};

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
	struct fts_emit e = {.fts_ctx = ctx, .xToken = xToken};
	if (len <= 0)
		return SQLITE_OK;
	int rc = t->fn(t->ctx, text, (size_t)len, fts_emit_term, &e);
	return rc == -1 ? SQLITE_NOMEM : rc;
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

static int register_fts(struct sqlite_store *s, sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
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
	if (sqlite_exec(c->db, "PRAGMA journal_mode=WAL") != SQLITE_OK ||
	    sqlite_exec(c->db, "PRAGMA synchronous=NORMAL; PRAGMA secure_delete=OFF; PRAGMA foreign_keys=ON;"
			       "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-32000") !=
		    SQLITE_OK) {
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

struct conn *sqlite_conn(struct sqlite_store *s)
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

sqlite3_stmt *sqlite_stmt(struct conn *c, enum stmt_id id)
{
	if (!c->stmt[id] && sqlite3_prepare_v3(c->db, sqlite_stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
					       &c->stmt[id], NULL) != SQLITE_OK) {
		sqlite_log(sqlite_stmt_sql[id], c->db);
		return NULL;
	}
	return c->stmt[id];
}

void sqlite_done(sqlite3_stmt *st)
{
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

int sqlite_run(struct conn *c, sqlite3_stmt *st, int *changes)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		if ((rc & 0xff) != SQLITE_CONSTRAINT)
			sqlite_log("step", c->db);
		sqlite_done(st);
		return sqlite_map_rc(rc);
	}
	if (changes)
		*changes = sqlite3_changes(c->db);
	sqlite_done(st);
	return STORE_OK;
}

/* ---- the writer ------------------------------------------------------------------------------------- */

/* Steps one of the transaction-control statements. */
static int control(struct conn *c, enum stmt_id id)
{
	sqlite3_stmt *st = sqlite_stmt(c, id);
	return st ? sqlite_run(c, st, NULL) : STORE_ERROR;
}

static void run_batch(struct conn *c, struct write_op *batch)
{
	int rc = c ? control(c, S_BEGIN) : STORE_ERROR;
	if (rc != STORE_OK) {
		for (struct write_op *op = batch; op; op = op->next)
			op->rc = rc;
		return;
	}
	for (struct write_op *op = batch; op; op = op->next) {
		op->rc = control(c, S_SAVEPOINT);
		if (op->rc == STORE_OK)
			op->rc = op->fn(c, op->arg);
		if (op->rc != STORE_OK)
			control(c, S_ROLLBACK_TO);
		control(c, S_RELEASE);
	}
	if (control(c, S_COMMIT) != STORE_OK) {
		if (!sqlite3_get_autocommit(c->db))
			control(c, S_ROLLBACK);
		for (struct write_op *op = batch; op; op = op->next)
			if (op->rc == STORE_OK)
				op->rc = STORE_ERROR;
	}
}

/* Runs a batch. One that holds a flushed write is committed with synchronous=FULL (the WAL is synced
 * before the commit returns, with every earlier commit in it); unless the store runs FULL anyway, the
 * connection goes back to NORMAL afterwards. */
static void run_batch_synced(struct sqlite_store *s, struct conn *c, struct write_op *batch)
{
	bool flush = s->base.opts.sync_full;
	for (struct write_op *op = batch; op && !flush; op = op->next)
		flush = op->flush;
	bool raise = c && flush && !s->base.opts.sync_full;
	if (raise && sqlite_exec(c->db, "PRAGMA synchronous=FULL") != SQLITE_OK) {
		for (struct write_op *op = batch; op; op = op->next)
			op->rc = STORE_ERROR;
		return;
	}
	run_batch(c, batch);
	if (c && flush)
		s->synced_batches++;
	if (raise)
		sqlite_exec(c->db, "PRAGMA synchronous=NORMAL");
}

static void *writer_main(void *arg)
{
	struct sqlite_store *s = arg;
	struct conn *c = sqlite_conn(s);
	/* Every write goes through here, batched (group commit). With sync_full each batch is flushed to the
	 * disk before its callers are answered (survives a power loss; one fsync per batch, about a quarter
	 * of the write throughput); by default (WAL, NORMAL) it survives a crash of the process, and only
	 * the batches with a flushed write (sqlite_write_flushed: intake, leads, consents, erasures, keys)
	 * are synced. */
	if (c && s->base.opts.sync_full)
		sqlite_exec(c->db, "PRAGMA synchronous=FULL");

	pthread_mutex_lock(&s->queue_lock);
	for (;;) {
		while (!s->head && !s->stop)
			pthread_cond_wait(&s->queue_cond, &s->queue_lock);
		if (!s->head)
			break; /* stopping, and nothing left to write */
		struct write_op *batch = s->head;
		s->head = s->tail = NULL;
		pthread_mutex_unlock(&s->queue_lock);
		run_batch_synced(s, c, batch);
		struct write_op *async = NULL;
		pthread_mutex_lock(&s->queue_lock);
		for (struct write_op *op = batch, *next; op; op = next) {
			next = op->next; /* a waited-for op lives on its caller's stack: read before marking done */
			if (op->on_done) {
				op->next = async;
				async = op;
				continue;
			}
			op->done = true;
			pthread_cond_signal(&op->done_cond); /* wakes its caller alone, not every waiter */
		}
		if (async) {
			pthread_mutex_unlock(&s->queue_lock); /* a callback may queue more work */
			while (async) {
				struct write_op *op = async;
				async = op->next;
				op->on_done(op->done_ud, op->rc);
				free(op);
			}
			pthread_mutex_lock(&s->queue_lock);
		}
	}
	pthread_mutex_unlock(&s->queue_lock);
	return NULL;
}

/* Appends an op to the queue (lock held) and wakes the writer. */
static void enqueue(struct sqlite_store *s, struct write_op *op)
{
	if (s->tail)
		s->tail->next = op;
	else
		s->head = op;
	s->tail = op;
	pthread_cond_signal(&s->queue_cond);
}

static void write_async(struct sqlite_store *s, sqlite_tx_fn fn, void *arg, store_done_fn done, void *ud,
			bool flush)
{
	struct write_op *op = calloc(1, sizeof *op);
	if (!op) {
		done(ud, STORE_NOMEM);
		return;
	}
	op->fn = fn;
	op->arg = arg;
	op->rc = STORE_ERROR;
	op->on_done = done;
	op->done_ud = ud;
	op->flush = flush;
	pthread_mutex_lock(&s->queue_lock);
	if (s->stop) {
		pthread_mutex_unlock(&s->queue_lock);
		free(op);
		done(ud, STORE_ERROR);
		return;
	}
	enqueue(s, op);
	pthread_mutex_unlock(&s->queue_lock);
}

static int write_wait(struct sqlite_store *s, sqlite_tx_fn fn, void *arg, bool flush)
{
	struct write_op op = {.fn = fn, .arg = arg, .rc = STORE_ERROR, .flush = flush};
	if (pthread_cond_init(&op.done_cond, NULL) != 0)
		return STORE_ERROR;
	pthread_mutex_lock(&s->queue_lock);
	if (s->stop) {
		pthread_mutex_unlock(&s->queue_lock);
		pthread_cond_destroy(&op.done_cond);
		return STORE_ERROR;
	}
	enqueue(s, &op);
	while (!op.done)
		pthread_cond_wait(&op.done_cond, &s->queue_lock);
	pthread_mutex_unlock(&s->queue_lock);
	pthread_cond_destroy(&op.done_cond);
	return op.rc;
}

void sqlite_write_async(struct sqlite_store *s, sqlite_tx_fn fn, void *arg, store_done_fn done, void *ud)
{
	write_async(s, fn, arg, done, ud, false);
}

void sqlite_write_async_flushed(struct sqlite_store *s, sqlite_tx_fn fn, void *arg, store_done_fn done, void *ud)
{
	write_async(s, fn, arg, done, ud, true);
}

int sqlite_write(struct sqlite_store *s, sqlite_tx_fn fn, void *arg)
{
	return write_wait(s, fn, arg, false);
}

int sqlite_write_flushed(struct sqlite_store *s, sqlite_tx_fn fn, void *arg)
{
	return write_wait(s, fn, arg, true);
}

int sqlite_store_init(struct sqlite_store *s, const struct store_opts *opts, char *errbuf, size_t errlen)
{
	s->base.opts = *opts;
	s->path = strdup(opts->url);
	if (!s->path) {
		snprintf(errbuf, errlen, "out of memory");
		return -1;
	}
	s->base.opts.url = s->path;
	pthread_mutex_init(&s->conns_lock, NULL);
	pthread_mutex_init(&s->queue_lock, NULL);
	pthread_cond_init(&s->queue_cond, NULL);
	if (pthread_key_create(&s->key, conn_release) != 0) {
		snprintf(errbuf, errlen, "out of thread keys");
		return -1;
	}
	/* open the caller's connection now, so a bad path is reported at start */
	struct conn *c = conn_open(s, errbuf, errlen);
	if (!c)
		return -1;
	if (pthread_setspecific(s->key, c) != 0 || pthread_create(&s->writer, NULL, writer_main, s) != 0) {
		snprintf(errbuf, errlen, "cannot start the database writer thread");
		return -1;
	}
	s->writer_running = true;
	return 0;
}

void sqlite_store_fini(struct sqlite_store *s)
{
	if (s->writer_running) {
		pthread_mutex_lock(&s->queue_lock);
		s->stop = true;
		pthread_cond_signal(&s->queue_cond);
		pthread_mutex_unlock(&s->queue_lock);
		pthread_join(s->writer, NULL);
	}
	if (s->path)
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
	pthread_mutex_destroy(&s->queue_lock);
	pthread_cond_destroy(&s->queue_cond);
	free(s->path);
}
