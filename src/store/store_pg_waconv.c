/*
 * store_pg_waconv.c — the PostgreSQL backend's WhatsApp conversations and funnel counts (migration 009).
 *
 * A contact has at most one WhatsApp conversation with its bot (the partial unique index
 * conversations_whatsapp). Opening one locks the bot row first (FOR KEY SHARE, pg_bot_lock), like every
 * writer that adds rows under a bot; the insert takes the contact row FOR KEY SHARE and ends ON CONFLICT DO
 * NOTHING, so two nodes racing for one contact end with one conversation, and an erasure in flight commits
 * first (the insert then finds no contact). An update is one statement whose WHERE carries the owner the
 * caller expects: of two racing takeovers one changes the row and the other finds it changed (CONFLICT).
 * Statements: store_pg_sql.c.
 */
#include "store/pg_int.h"

/* Row 0 of a conversation result (PG_WACONV_COLS in store_pg_sql.c) into *out. */
static int conv_from_row(const PGresult *r, struct store_wa_conv *out)
{
	bool ok = true;
	struct store_wa_conv c = {0};
	if (!pg_col_id(r, 0, 0, c.id) || !pg_col_id(r, 0, 1, c.bot_id) || !pg_col_id(r, 0, 2, c.contact_id) ||
	    PQgetisnull(r, 0, 3))
		return STORE_ERROR;
	c.owner = pg_col_dup(r, 0, 3, &ok);
	c.state_sealed = pg_col_dup(r, 0, 4, &ok);
	c.handover_reason = pg_col_dup(r, 0, 5, &ok);
	c.message_count = (int)pg_col_i64(r, 0, 6);
	c.handover_at = pg_col_i64(r, 0, 7);
	c.created_at = pg_col_i64(r, 0, 8);
	c.last_message_at = pg_col_i64(r, 0, 9);
	if (!ok) {
		store_wa_conv_clear(&c);
		return STORE_NOMEM;
	}
	*out = c;
	return STORE_OK;
}

int pg_wa_conv_open(struct store *st, const char *tenant_id, const char *bot_id, const char *contact_id,
		    const char *new_id, int64_t now, struct store_wa_conv *out, bool *created)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *conn;
	struct pg_num nnow;
	struct store_wa_conv c = {0};
	int64_t inserted = 0;
	*created = false;
	int rc = pg_pool_acquire(ps, &conn);
	if (rc != STORE_OK)
		return rc;
	if ((rc = pg_tx_begin(conn)) != STORE_OK)
		goto out;
	const char *p[] = {new_id, tenant_id, bot_id, contact_id, pg_num(&nnow, now)};
	const char *pr[] = {tenant_id, bot_id, contact_id};
	if ((rc = pg_bot_lock(conn, tenant_id, bot_id, NULL)) != STORE_OK)
		goto end;
	/* nothing inserted: the contact has its conversation already, or is not the bot's */
	if ((rc = pg_cmd(conn, Q_WACONV_INSERT, p, &inserted)) != STORE_OK)
		goto end;
	PGresult *res = pg_exec(conn, Q_WACONV_BY_CONTACT, pr, NULL, NULL, &rc);
	if (res) {
		rc = PQntuples(res) == 1 ? conv_from_row(res, &c) : STORE_NOTFOUND;
		PQclear(res);
	}
end:
	rc = pg_tx_end(conn, rc);
out:
	pg_pool_release(ps, conn);
	if (rc != STORE_OK) {
		store_wa_conv_clear(&c);
		return rc;
	}
	*out = c;
	*created = inserted > 0;
	return STORE_OK;
}

int pg_wa_conv_get(struct store *st, const char *tenant_id, const char *conv_id, struct store_wa_conv *out)
{
	const char *p[] = {tenant_id, conv_id};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_WACONV_GET, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	rc = PQntuples(res) == 1 ? conv_from_row(res, out) : STORE_NOTFOUND;
	PQclear(res);
	return rc;
}

int pg_wa_conv_update(struct store *st, const struct store_wa_conv_update *u)
{
	struct pg_num ninbound, nnow;
	const char *p[] = {u->tenant_id,
			   u->id,
			   u->owner,
			   u->handover_reason,
			   u->set_state ? "true" : "false",
			   u->set_state ? u->state_sealed : NULL,
			   pg_num(&ninbound, u->inbound),
			   pg_num(&nnow, u->now),
			   u->expect_owner};
	int64_t affected = 0;
	int rc = pg_one_cmd(pg_of(st), Q_WACONV_UPDATE, p, &affected);
	if (rc != STORE_OK || affected > 0)
		return rc;
	/* nothing changed: another owner than the one expected, or no such conversation */
	PGresult *res = NULL;
	rc = pg_one(pg_of(st), Q_WACONV_GET, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	rc = PQntuples(res) > 0 && u->expect_owner ? STORE_CONFLICT : STORE_NOTFOUND;
	PQclear(res);
	return rc;
}

int pg_analytics_counts(struct store *st, const char *tenant_id, const char *bot_id, const char *prefix, int64_t from,
			int64_t to, int (*emit)(void *ud, const char *event, int64_t count), void *ud)
{
	struct pg_num nfrom, nto;
	const char *p[] = {tenant_id, bot_id, pg_num(&nfrom, from), pg_num(&nto, to), prefix};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_ANALYTICS_COUNTS, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	int got = PQntuples(res);
	for (int i = 0; i < got && rc == STORE_OK; i++)
		rc = emit(ud, PQgetvalue(res, i, 0), pg_col_i64(res, i, 1));
	PQclear(res);
	return rc;
}
