/*
 * store_sqlite_knowledge.c — the SQLite backend's knowledge: sources, their chunks, and full-text
 * search over them (store_source_*, store_chunk_list, store_chunk_search).
 *
 * Full text: chunks_fts (FTS5, external content on `chunks`) is tokenized by the store's hook; searches
 * are filtered by the bot's integer rid (column bot_rid), and botwerk_matched() reports which query
 * words occur in a row. The statements are in the table of store_sqlite.c; the shared helpers, the
 * writer and the connections are declared in sqlite_int.h.
 */
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"

/* ---- sources and chunks ----------------------------------------------------------------------------- */

int sqlite_chunk_insert(struct conn *c, const char *tenant_id, const char *bot_id, sqlite3_int64 rid,
			const char *source_id, const struct store_chunk_in *ch)
{
	sqlite3_stmt *q = sqlite_stmt(c, S_CHUNK_INSERT);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, tenant_id);
	sqlite_bind_text(q, 2, bot_id);
	sqlite3_bind_int64(q, 3, rid);
	sqlite_bind_text(q, 4, source_id);
	sqlite3_bind_int(q, 5, ch->ord);
	sqlite_bind_text(q, 6, ch->heading ? ch->heading : "");
	sqlite_bind_text(q, 7, ch->text);
	sqlite_bind_text(q, 8, ch->url);
	if (ch->page > 0)
		sqlite3_bind_int(q, 9, ch->page);
	int rc = sqlite_run(c, q, NULL);
	if (rc != STORE_OK)
		return rc;
	sqlite3_int64 chunk_id = sqlite3_last_insert_rowid(c->db);
	sqlite3_stmt *f = sqlite_stmt(c, S_FTS_INSERT);
	if (!f)
		return STORE_ERROR;
	sqlite3_bind_int64(f, 1, chunk_id);
	sqlite3_bind_int64(f, 2, rid);
	sqlite_bind_text(f, 3, ch->heading ? ch->heading : "");
	sqlite_bind_text(f, 4, ch->text);
	return sqlite_run(c, f, NULL);
}

/* Raises bots.knowledge_version by one. Called last in the transaction bodies that change a bot's
 * sources, so the counter and the chunks commit (or roll back) together. */
int sqlite_knowledge_bump(struct conn *c, const char *tenant_id, const char *bot_id)
{
	int changes = 0;
	int rc = sqlite_run_scoped(c, S_BOT_BUMP, bot_id, tenant_id, NULL, &changes);
	return rc == STORE_OK && changes == 0 ? STORE_NOTFOUND : rc;
}

struct source_args {
	const char *tenant_id;
	const struct store_source *src;
	const struct store_chunk_in *chunks;
	int nchunks;
};

/* The source row and its chunks (the caller's transaction). */
int sqlite_source_insert(struct conn *c, const char *tenant_id, const struct store_source *src, sqlite3_int64 rid,
			 const struct store_chunk_in *chunks, int nchunks)
{
	int rc;
	sqlite3_stmt *q = sqlite_stmt(c, S_SOURCE_INSERT);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, src->id);
	sqlite_bind_text(q, 2, tenant_id);
	sqlite_bind_text(q, 3, src->bot_id);
	sqlite_bind_text(q, 4, src->kind);
	sqlite_bind_text(q, 5, src->title);
	sqlite_bind_text(q, 6, src->status);
	sqlite3_bind_int64(q, 7, src->chars);
	sqlite3_bind_int(q, 8, nchunks);
	sqlite3_bind_int64(q, 9, src->created_at);
	sqlite3_bind_int64(q, 10, src->updated_at);
	rc = sqlite_run(c, q, NULL);
	for (int i = 0; rc == STORE_OK && i < nchunks; i++)
		rc = sqlite_chunk_insert(c, tenant_id, src->bot_id, rid, src->id, &chunks[i]);
	return rc;
}

static int source_create_tx(struct conn *c, void *arg)
{
	const struct source_args *a = arg;
	sqlite3_int64 rid = 0;
	int rc = sqlite_bot_rid(c, a->tenant_id, a->src->bot_id, &rid);
	if (rc == STORE_OK)
		rc = sqlite_source_insert(c, a->tenant_id, a->src, rid, a->chunks, a->nchunks);
	if (rc == STORE_OK)
		rc = sqlite_knowledge_bump(c, a->tenant_id, a->src->bot_id);
	return rc;
}

int sq_source_create(struct store *st, const char *tenant_id, const struct store_source *src,
			    const struct store_chunk_in *chunks, int nchunks)
{
	struct source_args a = {tenant_id, src, chunks, nchunks};
	return sqlite_write(sqlite_of(st), source_create_tx, &a);
}

static int read_source(sqlite3_stmt *q, struct store_source *out)
{
	bool ok = true;
	struct store_source r = {0};
	sqlite_col_id(q, 0, r.id);
	sqlite_col_id(q, 1, r.bot_id);
	r.kind = sqlite_col_dup(q, 2, &ok);
	r.title = sqlite_col_dup(q, 3, &ok);
	r.status = sqlite_col_dup(q, 4, &ok);
	r.chars = sqlite3_column_int64(q, 5);
	r.chunks = sqlite3_column_int(q, 6);
	r.created_at = sqlite3_column_int64(q, 7);
	r.updated_at = sqlite3_column_int64(q, 8);
	for (int col = 9; col <= 11; col++) {
		const unsigned char *t = sqlite3_column_text(q, col);
		char *v = t ? strdup((const char *)t) : NULL;
		if (t && !v)
			ok = false;
		if (col == 9)
			r.url = v;
		else if (col == 10)
			r.progress = v;
		else
			r.error = v;
	}
	if (!ok) {
		store_source_clear(&r);
		return STORE_NOMEM;
	}
	*out = r;
	return STORE_OK;
}

int sq_source_get(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
			 struct store_source *out)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_SOURCE_GET) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, source_id);
	sqlite_bind_text(q, 2, bot_id);
	sqlite_bind_text(q, 3, tenant_id);
	int rc = sqlite3_step(q), res;
	if (rc == SQLITE_ROW)
		res = read_source(q, out);
	else
		res = rc == SQLITE_DONE ? STORE_NOTFOUND : sqlite_map_rc(rc);
	sqlite_done(q);
	return res;
}

int sq_source_list(struct store *st, const char *tenant_id, const char *bot_id, int64_t after_created,
			  const char *after_id, int limit, struct store_source *rows, int *n)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_SOURCE_LIST) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, tenant_id);
	sqlite_bind_text(q, 2, bot_id);
	sqlite_bind_text(q, 3, after_id);
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
	int rc = sqlite_run_scoped(c, S_SOURCE_DEL_FTS, a->source_id, a->bot_id, a->tenant_id, NULL);
	if (rc == STORE_OK)
		rc = sqlite_run_scoped(c, S_FILE_DELETE, a->source_id, a->tenant_id, NULL, NULL);
	if (rc == STORE_OK)
		rc = sqlite_run_scoped(c, S_SOURCE_DEL_CHUNKS, a->source_id, a->bot_id, a->tenant_id, NULL);
	if (rc == STORE_OK)
		rc = sqlite_run_scoped(c, S_SOURCE_DELETE, a->source_id, a->bot_id, a->tenant_id, &changes);
	if (rc == STORE_OK && changes == 0)
		return STORE_NOTFOUND;
	if (rc == STORE_OK)
		rc = sqlite_knowledge_bump(c, a->tenant_id, a->bot_id);
	return rc;
}

int sq_source_delete(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id)
{
	struct scope_args a = {tenant_id, bot_id, source_id};
	return sqlite_write(sqlite_of(st), source_delete_tx, &a);
}

/* Every chunk of the bot in id order, from one statement (one snapshot; see S_CHUNK_LIST). The row's
 * strings belong to the statement and are valid until the next step, i.e. during the emit call. */
int sq_chunk_list(struct store *st, const char *tenant_id, const char *bot_id, store_chunk_fn emit,
			 void *ud)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_CHUNK_LIST) : NULL;
	int rc, res = STORE_NOTFOUND;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, bot_id);
	sqlite_bind_text(q, 2, tenant_id);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		res = STORE_OK; /* the bot is the tenant's */
		if (sqlite3_column_type(q, 0) == SQLITE_NULL)
			continue; /* a bot without chunks */
		bool ok = true;
		struct store_chunk_row row = {
			.chunk_id = sqlite3_column_int64(q, 0),
			.title = sqlite_col_str(c, q, 1, &ok),
			.heading = sqlite_col_str(c, q, 2, &ok),
			.text = sqlite_col_str(c, q, 3, &ok),
			.url = sqlite3_column_type(q, 4) == SQLITE_NULL ? NULL : sqlite_col_str(c, q, 4, &ok),
			.page = sqlite3_column_int(q, 5),
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

/* ---- full-text search ------------------------------------------------------------------------------ */

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

int sq_chunk_search(struct store *st, const char *tenant_id, const char *bot_id, const char *const *words,
			   int nwords, int min_match, int limit, struct store_hit *hits, int *n)
{
	struct sqlite_store *s = sqlite_of(st);
	struct conn *c = sqlite_conn(s);
	unsigned char map[STORE_MATCH_GROUPS_MAX * STORE_SEARCH_MAX_WORDS];
	sqlite3_int64 rid = 0;
	int res, count = 0;

	if (!c)
		return STORE_ERROR;
	res = sqlite_bot_rid(c, tenant_id, bot_id, &rid);
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
	sqlite_bind_text(q, 4, tenant_id);
	sqlite_bind_text(q, 5, bot_id);
	int rc;
	while (count < limit && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		bool ok = true;
		struct store_hit h = {0};
		h.chunk_id = sqlite3_column_int64(q, 0);
		h.title = sqlite_col_dup(q, 1, &ok);
		h.heading = sqlite_col_dup(q, 2, &ok);
		h.text = sqlite_col_dup(q, 3, &ok);
		h.rank = sqlite3_column_double(q, 4);
		h.matched = (uint32_t)sqlite3_column_int64(q, 5);
		if (sqlite3_column_type(q, 6) != SQLITE_NULL)
			h.url = sqlite_col_dup(q, 6, &ok);
		h.page = sqlite3_column_int(q, 7);
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
