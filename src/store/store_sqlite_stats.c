/*
 * store_sqlite_stats.c — the SQLite backend's engagement statistics: a bot's conversations, visitor
 * messages and leads over a window of time, and its leads with the highest interest.
 *
 * A read on the calling thread's connection (never the writer). The statements run rarely (a dashboard
 * call), so they keep their SQL here and are prepared per call like store_sqlite_retention.c's. Both run
 * inside one deferred read transaction, so the counts and the top leads come from the same snapshot.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "store/sqlite_int.h"

/* Counts over [?3, ?4) for bot ?2 of tenant ?1; no row when the bot is not the tenant's. */
static const char STATS_SQL[] =
	"SELECT "
	"(SELECT count(*) FROM conversations WHERE tenant_id = ?1 AND bot_id = ?2 AND created_at >= ?3 "
	"AND created_at < ?4), "
	"(SELECT count(*) FROM conversations c JOIN messages m ON m.conversation_id = c.id "
	"AND m.tenant_id = c.tenant_id WHERE c.tenant_id = ?1 AND c.bot_id = ?2 AND c.created_at >= ?3 "
	"AND c.created_at < ?4 AND m.direction = 'in' AND m.created_at < ?4), "
	"(SELECT count(*) FROM leads WHERE tenant_id = ?1 AND bot_id = ?2 AND created_at >= ?3 AND created_at < ?4), "
	"(SELECT coalesce(avg(interest), 0) FROM leads WHERE tenant_id = ?1 AND bot_id = ?2 AND created_at >= ?3 "
	"AND created_at < ?4) "
	"FROM bots WHERE tenant_id = ?1 AND id = ?2";

static const char TOP_SQL[] =
	"SELECT id FROM leads WHERE tenant_id = ?1 AND bot_id = ?2 AND created_at >= ?3 AND created_at < ?4 "
	"AND interest >= ?5 ORDER BY interest DESC, created_at DESC, id DESC LIMIT ?6";

/* A statement prepared for this call (finalize it); NULL on failure (logged). */
static sqlite3_stmt *prep(struct conn *c, const char *sql)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(c->db, sql, -1, &q, NULL) != SQLITE_OK) {
		sqlite_log("prepare (stats)", c->db);
		sqlite3_finalize(q);
		return NULL;
	}
	return q;
}

static void bind_window(sqlite3_stmt *q, const char *tenant_id, const char *bot_id, int64_t from_ms, int64_t to_ms)
{
	sqlite_bind_text(q, 1, tenant_id);
	sqlite_bind_text(q, 2, bot_id);
	sqlite3_bind_int64(q, 3, from_ms);
	sqlite3_bind_int64(q, 4, to_ms);
}

int sq_bot_stats(struct store *st, const char *tenant_id, const char *bot_id, int64_t from_ms, int64_t to_ms,
		 int top_min_interest, struct store_bot_stats *out)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	struct store_bot_stats s;
	sqlite3_stmt *q = NULL;
	bool in_tx = false;
	int rc = STORE_ERROR, step;

	memset(&s, 0, sizeof s);
	if (!c)
		return STORE_ERROR;
	if (sqlite_exec(c->db, "BEGIN") != SQLITE_OK)
		goto cleanup;
	in_tx = true;
	if (!(q = prep(c, STATS_SQL)))
		goto cleanup;
	bind_window(q, tenant_id, bot_id, from_ms, to_ms);
	step = sqlite3_step(q);
	if (step == SQLITE_DONE) {
		rc = STORE_NOTFOUND;
		goto cleanup;
	}
	if (step != SQLITE_ROW) {
		rc = sqlite_map_rc(step);
		goto cleanup;
	}
	s.conversations = sqlite3_column_int64(q, 0);
	s.visitor_messages = sqlite3_column_int64(q, 1);
	s.leads = sqlite3_column_int64(q, 2);
	s.average_interest = sqlite3_column_double(q, 3);
	sqlite3_finalize(q);
	if (!(q = prep(c, TOP_SQL)))
		goto cleanup;
	bind_window(q, tenant_id, bot_id, from_ms, to_ms);
	sqlite3_bind_int(q, 5, top_min_interest);
	sqlite3_bind_int(q, 6, STORE_STATS_TOP_MAX);
	while ((step = sqlite3_step(q)) == SQLITE_ROW && s.top_count < STORE_STATS_TOP_MAX)
		sqlite_col_id(q, 0, s.top_leads[s.top_count++]);
	if (step != SQLITE_DONE && step != SQLITE_ROW) {
		rc = sqlite_map_rc(step);
		goto cleanup;
	}
	rc = STORE_OK;
cleanup:
	sqlite3_finalize(q);
	if (in_tx && sqlite_exec(c->db, rc == STORE_OK ? "COMMIT" : "ROLLBACK") != SQLITE_OK && rc == STORE_OK)
		rc = STORE_ERROR;
	if (rc == STORE_OK)
		*out = s;
	return rc;
}
