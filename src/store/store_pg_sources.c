/*
 * store_pg_sources.c — PostgreSQL operations on sources and their chunks, and full-text search over the
 * chunks (chunk_search, chunk_list), with the small text builder that makes tsvector and tsquery input.
 * The statements' SQL, the pool and the ops table are in store_pg.c; the bot-row locks in
 * store_pg_bots.c.
 *
 * Full text: chunks.tsv = setweight(to_tsvector('simple', heading terms), 'A') || to_tsvector('simple',
 * text terms), where the terms come from the tokenize hook in the store options and are joined by spaces
 * here. A search turns each input word into its terms (several terms → a phrase, `a <-> b`), ORs the
 * words, ranks with ts_rank and computes the per-word match bits in the same query.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "base/strbuf.h"
#include "store/pg_int.h"

/* ---- text for tsvector / tsquery input (base/strbuf.h) ------------------------------------------- */

static const char *sb_str(const struct strbuf *b)
{
	return b->p ? b->p : "";
}

/* store_term_fn: appends the term to the sbuf in `ud`, space-separated (tsvector input). */
static int join_term(void *ud, const char *term, size_t len, size_t start, size_t end)
{
	struct strbuf *b = ud;
	(void)start;
	(void)end;
	if (b->len > 0)
		strbuf_add(b, " ", 1);
	strbuf_add(b, term, len);
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
static int terms_of(const struct store *st, const char *text, struct strbuf *b)
{
	strbuf_reset(b);
	int trc = st->opts.tokenize(st->opts.tokenize_ctx, text, strlen(text), join_term, b);
	if (b->failed)
		return STORE_NOMEM;
	return tokenize_rc(trc);
}

/* One word's tsquery: its terms as quoted lexemes joined by <-> (a phrase). */
struct word_query {
	struct strbuf *b;
	int nterms;
};

/* store_term_fn: appends 'term' (quotes doubled, backslashes escaped) to a word_query. */
static int quote_term(void *ud, const char *term, size_t len, size_t start, size_t end)
{
	struct word_query *w = ud;
	(void)start;
	(void)end;
	if (w->nterms++ > 0)
		strbuf_adds(w->b, " <-> ");
	strbuf_add(w->b, "'", 1);
	for (size_t i = 0; i < len; i++) {
		if (term[i] == '\'')
			strbuf_add(w->b, "''", 2);
		else if (term[i] == '\\')
			strbuf_add(w->b, "\\\\", 2);
		else
			strbuf_add(w->b, &term[i], 1);
	}
	strbuf_add(w->b, "'", 1);
	return w->b->failed ? 1 : 0;
}

/* Appends `s` as a double-quoted element of a PostgreSQL array literal. */
static void sb_array_elem(struct strbuf *b, const char *s, size_t len)
{
	strbuf_add(b, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			strbuf_add(b, "\\", 1);
		strbuf_add(b, &s[i], 1);
	}
	strbuf_add(b, "\"", 1);
}

/* Builds the search parameters from surface words: `all` gets "(w1) | (w2a <-> w2b) | …" over the words
 * that give terms, `each` the text[] literal of per-word queries with NULL for words that give none.
 * *nused is the number of words that gave terms. */
struct group_build {
	struct strbuf *all;
	char *const *wq; /* tsquery text per usable word */
	int n;           /* groups written */
};

/* store_match_groups callback: "((a) & (b))" ORed onto the query. */
static void add_group(void *ud, const int *idx, int k)
{
	struct group_build *g = ud;
	strbuf_adds(g->all, g->n++ > 0 ? " | (" : "(");
	for (int j = 0; j < k; j++) {
		strbuf_adds(g->all, j > 0 ? " & (" : "(");
		strbuf_adds(g->all, g->wq[idx[j]]);
		strbuf_add(g->all, ")", 1);
	}
	strbuf_add(g->all, ")", 1);
}

/* Builds $3 (chunks holding at least min_match of the words: store_match_groups, or all words ORed)
 * and $5 (one tsquery per input word, NULL for a word without terms). */
static int build_search(const struct store *st, const char *const *words, int nwords, int min_match,
			struct strbuf *all, struct strbuf *each, int *nused)
{
	struct strbuf one = {0};
	char *wq[STORE_SEARCH_MAX_WORDS] = {0};
	int rc = STORE_OK, used = 0;
	strbuf_add(each, "{", 1);
	for (int i = 0; i < nwords; i++) {
		struct word_query w = {&one, 0};
		strbuf_reset(&one);
		const char *word = words[i] ? words[i] : "";
		int trc = st->opts.tokenize(st->opts.tokenize_ctx, word, strlen(word), quote_term, &w);
		rc = one.failed ? STORE_NOMEM : tokenize_rc(trc);
		if (rc != STORE_OK)
			goto out;
		if (i > 0)
			strbuf_add(each, ",", 1);
		if (w.nterms == 0) {
			strbuf_adds(each, "NULL");
			continue;
		}
		sb_array_elem(each, one.p, one.len);
		if (!(wq[used++] = strndup(one.p, one.len))) {
			rc = STORE_NOMEM;
			goto out;
		}
	}
	strbuf_add(each, "}", 1);
	struct group_build g = {all, wq, 0};
	if (store_match_groups(used, min_match, add_group, &g) == 0)
		for (int i = 0; i < used; i++) {
			strbuf_adds(all, i > 0 ? " | (" : "(");
			strbuf_adds(all, wq[i]);
			strbuf_add(all, ")", 1);
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

/* ---- sources and chunks -------------------------------------------------------------------------- */

/* Fills *out from row `row` of a SOURCE_COLS result. Writes *out only on STORE_OK. */
static int source_from_row(const PGresult *r, int row, struct store_source *out)
{
	struct store_source s = {0};
	bool ok = true;
	if (!pg_col_id(r, row, 0, s.id) || !pg_col_id(r, row, 1, s.bot_id)) {
		pg_log("source_from_row", NULL, "id longer than STORE_ID_MAX");
		return STORE_ERROR;
	}
	s.kind = pg_col_dup(r, row, 2, &ok);
	s.title = pg_col_dup(r, row, 3, &ok);
	s.status = pg_col_dup(r, row, 4, &ok);
	s.chars = pg_col_i64(r, row, 5);
	s.chunks = (int)pg_col_i64(r, row, 6);
	s.created_at = pg_col_i64(r, row, 7);
	s.updated_at = pg_col_i64(r, row, 8);
	if (PQnfields(r) > 11) {
		s.url = PQgetisnull(r, row, 9) ? NULL : pg_col_dup(r, row, 9, &ok);
		s.progress = PQgetisnull(r, row, 10) ? NULL : pg_col_dup(r, row, 10, &ok);
		s.error = PQgetisnull(r, row, 11) ? NULL : pg_col_dup(r, row, 11, &ok);
	}
	if (!ok) {
		store_source_clear(&s);
		return STORE_NOMEM;
	}
	*out = s;
	return STORE_OK;
}

int pg_source_create(struct store *st, const char *tenant_id, const struct store_source *s,
		     const struct store_chunk_in *chunks, int nchunks)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct pg_num nchars, ncount, ncreated, nupdated;
	int64_t rid = 0;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = pg_tx_begin(c)) != STORE_OK)
		goto out;
	if ((rc = pg_bot_bump(c, tenant_id, s->bot_id, &rid)) != STORE_OK)
		goto end;
	const char *psrc[] = {s->id, tenant_id, s->bot_id, s->kind, s->title, s->status,
			      pg_num(&nchars, s->chars), pg_num(&ncount, s->chunks), pg_num(&ncreated, s->created_at),
			      pg_num(&nupdated, s->updated_at)};
	if ((rc = pg_cmd(c, Q_SOURCE_CREATE, psrc, NULL)) != STORE_OK)
		goto end;
	rc = pg_chunks_insert(c, st, tenant_id, s->bot_id, rid, s->id, chunks, nchunks);
end:
	rc = pg_tx_end(c, rc);
out:
	pg_pool_release(ps, c);
	return rc;
}

int pg_chunks_insert(struct pg_conn *c, const struct store *st, const char *tenant_id, const char *bot_id,
		     int64_t rid, const char *source_id, const struct store_chunk_in *chunks, int n)
{
	struct strbuf hterms = {0}, tterms = {0};
	struct pg_num nrid, nord, npage;
	int rc = STORE_OK;
	pg_num(&nrid, rid);
	for (int i = 0; i < n && rc == STORE_OK; i++) {
		const char *heading = chunks[i].heading ? chunks[i].heading : "";
		if ((rc = terms_of(st, heading, &hterms)) != STORE_OK)
			break;
		if ((rc = terms_of(st, chunks[i].text ? chunks[i].text : "", &tterms)) != STORE_OK)
			break;
		const char *pc[] = {tenant_id, bot_id, nrid.s, source_id, pg_num(&nord, chunks[i].ord), heading,
				    chunks[i].text, sb_str(&hterms), sb_str(&tterms), chunks[i].url,
				    chunks[i].page > 0 ? pg_num(&npage, chunks[i].page) : NULL};
		rc = pg_cmd(c, Q_CHUNK_CREATE, pc, NULL);
	}
	free(hterms.p);
	free(tterms.p);
	return rc;
}

int pg_source_get(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
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
int pg_source_list(struct store *st, const char *tenant_id, const char *bot_id, int64_t after_created,
		   const char *after_id, int limit, struct store_source *rows, int *n)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct pg_num nc, nl;
	PGresult *res = NULL;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = pg_bot_check(c, tenant_id, bot_id)) != STORE_OK || limit <= 0)
		goto out;
	if (after_id) {
		const char *p[] = {tenant_id, bot_id, pg_num(&nc, after_created), after_id, pg_num(&nl, limit)};
		res = pg_exec(c, Q_SOURCE_LIST_AFTER, p, NULL, NULL, &rc);
	} else {
		const char *p[] = {tenant_id, bot_id, pg_num(&nl, limit)};
		res = pg_exec(c, Q_SOURCE_LIST_FIRST, p, NULL, NULL, &rc);
	}
out:
	pg_pool_release(ps, c);
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

int pg_source_delete(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	const char *p[] = {tenant_id, bot_id, source_id};
	int64_t affected = 0;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = pg_tx_begin(c)) != STORE_OK)
		goto out;
	/* the bot row first, as in every writer (see "Consistency" in pg_int.h) */
	rc = pg_bot_bump(c, tenant_id, bot_id, NULL);
	if (rc == STORE_OK)
		rc = pg_cmd(c, Q_SOURCE_DELETE, p, &affected);
	if (rc == STORE_OK && affected == 0)
		rc = STORE_NOTFOUND;
	if (rc == STORE_OK)
		rc = pg_cmd(c, Q_SOURCE_DEL_CHUNKS, p, NULL);
	if (rc == STORE_OK) {
		const char *pf[] = {source_id, tenant_id};
		rc = pg_cmd(c, Q_FILE_DELETE, pf, NULL);
	}
	rc = pg_tx_end(c, rc);
out:
	pg_pool_release(ps, c);
	return rc;
}

int pg_chunk_search(struct store *st, const char *tenant_id, const char *bot_id, const char *const *words, int nwords,
		    int min_match, int limit, struct store_hit *hits, int *n)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct strbuf all = {0}, each = {0};
	struct pg_num nl;
	PGresult *res = NULL;
	int used = 0, i = 0;
	if (nwords > STORE_SEARCH_MAX_WORDS) /* words past the limit have no bit in `matched`: ignored */
		nwords = STORE_SEARCH_MAX_WORDS;
	if (nwords < 0)
		nwords = 0;
	int rc = build_search(st, words, nwords, min_match, &all, &each, &used);
	if (rc != STORE_OK)
		goto done;
	if ((rc = pg_pool_acquire(ps, &c)) != STORE_OK)
		goto done;
	rc = pg_bot_check(c, tenant_id, bot_id);
	if (rc == STORE_OK && used > 0 && limit > 0) {
		const char *p[] = {tenant_id, bot_id, sb_str(&all), pg_num(&nl, limit), sb_str(&each)};
		res = pg_exec(c, Q_CHUNK_SEARCH, p, NULL, NULL, &rc);
	}
	pg_pool_release(ps, c);
	if (rc != STORE_OK || !res)
		goto done;
	int got = PQntuples(res);
	for (i = 0; i < got && i < limit; i++) {
		struct store_hit h = {0};
		bool ok = true;
		h.chunk_id = pg_col_i64(res, i, 0);
		h.title = pg_col_dup(res, i, 1, &ok);
		h.heading = pg_col_dup(res, i, 2, &ok);
		h.text = pg_col_dup(res, i, 3, &ok);
		h.rank = strtod(PQgetvalue(res, i, 4), NULL);
		h.url = PQgetisnull(res, i, 5) ? NULL : pg_col_dup(res, i, 5, &ok);
		h.page = (int)pg_col_i64(res, i, 6);
		h.matched = (uint32_t)strtoull(PQgetvalue(res, i, 7), NULL, 10);
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
int pg_chunk_list(struct store *st, const char *tenant_id, const char *bot_id, store_chunk_fn emit, void *ud)
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
			.chunk_id = pg_col_i64(res, i, 0),
			.title = PQgetvalue(res, i, 1),
			.heading = PQgetvalue(res, i, 2),
			.text = PQgetvalue(res, i, 3),
			.url = PQgetisnull(res, i, 4) ? NULL : PQgetvalue(res, i, 4),
			.page = (int)pg_col_i64(res, i, 5),
		};
		rc = emit(ud, &row);
	}
	PQclear(res);
	return rc;
}
