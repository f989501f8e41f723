/*
 * store_pg_stats.c — the PostgreSQL backend's engagement statistics: a bot's conversations, visitor
 * messages and leads over a window of time, and its leads with the highest interest.
 *
 * The statements run rarely (a dashboard call), so they keep their SQL here and go through pg_exec_sql
 * (parameters sent apart from the SQL) like store_pg_retention.c's. Both run in one READ ONLY, REPEATABLE
 * READ transaction, so the counts and the top leads come from the same snapshot. No locks are taken.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store/pg_int.h"

/* Counts over [$3, $4) for bot $2 of tenant $1; no row when the bot is not the tenant's. */
static const char STATS_SQL[] =
	"SELECT "
	"(SELECT count(*) FROM conversations WHERE tenant_id = $1 AND bot_id = $2 AND created_at >= $3::bigint "
	"AND created_at < $4::bigint), "
	"(SELECT count(*) FROM conversations c JOIN messages m ON m.conversation_id = c.id "
	"AND m.tenant_id = c.tenant_id WHERE c.tenant_id = $1 AND c.bot_id = $2 AND c.created_at >= $3::bigint "
	"AND c.created_at < $4::bigint AND m.direction = 'in' AND m.created_at < $4::bigint), "
	"(SELECT count(*) FROM leads WHERE tenant_id = $1 AND bot_id = $2 AND created_at >= $3::bigint "
	"AND created_at < $4::bigint), "
	"(SELECT coalesce(avg(interest), 0)::float8 FROM leads WHERE tenant_id = $1 AND bot_id = $2 "
	"AND created_at >= $3::bigint AND created_at < $4::bigint) "
	"FROM bots WHERE tenant_id = $1 AND id = $2";

static const char TOP_SQL[] =
	"SELECT id FROM leads WHERE tenant_id = $1 AND bot_id = $2 AND created_at >= $3::bigint "
	"AND created_at < $4::bigint AND interest >= $5::integer "
	"ORDER BY interest DESC, created_at DESC, id DESC LIMIT $6::integer";

int pg_bot_stats(struct store *st, const char *tenant_id, const char *bot_id, int64_t from_ms, int64_t to_ms,
		 int top_min_interest, struct store_bot_stats *out)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct store_bot_stats s;
	struct pg_num nf, nt, nm, nl;
	const char *p[] = {tenant_id, bot_id, pg_num(&nf, from_ms), pg_num(&nt, to_ms), pg_num(&nm, top_min_interest),
			   pg_num(&nl, STORE_STATS_TOP_MAX)};
	PGresult *res = NULL;
	memset(&s, 0, sizeof s);
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	res = pg_exec_sql(c, "bot_stats_begin", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, &rc);
	if (!res)
		goto release;
	PQclear(res);
	if (!(res = pg_exec_sql(c, "bot_stats", STATS_SQL, 4, p, &rc)))
		goto end;
	if (PQntuples(res) == 0) {
		rc = STORE_NOTFOUND;
		goto end;
	}
	s.conversations = pg_col_i64(res, 0, 0);
	s.visitor_messages = pg_col_i64(res, 0, 1);
	s.leads = pg_col_i64(res, 0, 2);
	s.average_interest = strtod(PQgetvalue(res, 0, 3), NULL);
	PQclear(res);
	if (!(res = pg_exec_sql(c, "bot_stats_top", TOP_SQL, 6, p, &rc)))
		goto end;
	for (int i = 0; i < PQntuples(res) && s.top_count < STORE_STATS_TOP_MAX; i++)
		if (pg_col_id(res, i, 0, s.top_leads[s.top_count]))
			s.top_count++;
end:
	PQclear(res);
	rc = pg_tx_end(c, rc);
release:
	pg_pool_release(ps, c);
	if (rc == STORE_OK)
		*out = s;
	return rc;
}
