/*
 * store_pg_retention.c — the PostgreSQL backend's housekeeping: tenants' retention periods and the erasure
 * of contacts older than them, the expiry of trial bots, and what `botwerk keys rotate` needs (tenant keys
 * in batches, conditional swaps, process-wide server keys).
 *
 * These statements run rarely, so they keep their SQL here and go through pg_exec_sql (parameters sent
 * apart from the SQL) instead of the prepared table in store_pg.c. The erasure reuses that table's
 * Q_CONTACT_* locks and cascade and Q_ERASURE_CREATE, so it deletes exactly what store_contact_erase deletes,
 * and locks in the same order (bot row, contact, its conversations; see "Consistency" in pg_int.h).
 *
 * Several processes on one database: every write here is idempotent rather than serialised by an
 * advisory lock. A retention batch locks each contact (FOR UPDATE) and checks again, under the lock, that
 * it still exists and is still stale; a second process waiting on the same row then finds it gone and
 * skips it. Bot expiry updates only rows that are still active (`AND active`) and reports only what it
 * changed. Key swaps compare the old value in the UPDATE itself.
 */
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store/pg_int.h"

/* ---- retention periods --------------------------------------------------------------------------- */

int pg_tenant_retention_get(struct store *st, const char *tenant_id, int *days)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	const char *p[] = {tenant_id};
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	PGresult *res = pg_exec_sql(c, "tenant_retention_get",
				    "SELECT coalesce(retention_days, 0) FROM tenants WHERE id = $1", 1, p, &rc);
	pg_pool_release(ps, c);
	if (!res)
		return rc;
	if (PQntuples(res) == 0)
		rc = STORE_NOTFOUND;
	else
		*days = (int)pg_col_i64(res, 0, 0);
	PQclear(res);
	return rc;
}

/* Runs one statement that changes rows on a pooled connection; *affected gets the count. */
static int one_cmd(struct pg_store *ps, const char *op, const char *sql, int nparams, const char *const *p,
		   int64_t *affected)
{
	struct pg_conn *c;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	PGresult *res = pg_exec_sql(c, op, sql, nparams, p, &rc);
	pg_pool_release(ps, c);
	if (!res)
		return rc;
	*affected = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return STORE_OK;
}

int pg_tenant_retention_set(struct store *st, const char *tenant_id, int days)
{
	struct pg_num nd;
	const char *p[] = {tenant_id, days > 0 ? pg_num(&nd, days) : NULL};
	int64_t affected = 0;
	int rc = one_cmd(pg_of(st), "tenant_retention_set", "UPDATE tenants SET retention_days = $2::integer WHERE id = $1",
			 2, p, &affected);
	return rc == STORE_OK && affected == 0 ? STORE_NOTFOUND : rc;
}

int pg_retention_tenants(struct store *st, const char *after_id, int limit, struct store_retention_row *rows, int *n)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct pg_num nl;
	const char *p[] = {after_id, pg_num(&nl, limit)};
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	PGresult *res = pg_exec_sql(c, "retention_tenants",
				    "SELECT id, retention_days FROM tenants WHERE retention_days > 0 AND id > $1 "
				    "ORDER BY id LIMIT $2::integer",
				    2, p, &rc);
	pg_pool_release(ps, c);
	if (!res)
		return rc;
	int got = PQntuples(res);
	if (got > limit)
		got = limit;
	for (int i = 0; i < got && rc == STORE_OK; i++) {
		if (!pg_col_id(res, i, 0, rows[i].tenant_id))
			rc = STORE_ERROR;
		rows[i].days = (int)pg_col_i64(res, i, 1);
	}
	PQclear(res);
	if (rc == STORE_OK)
		*n = got;
	return rc;
}

/* Contacts of tenant $1 whose newest activity is before $2 (see the SQLite backend), with their bot. */
#define STALE_CONTACTS                                                                                      \
	"SELECT k.id, k.bot_id FROM contacts k WHERE k.tenant_id = $1 AND k.created_at < $2::bigint AND NOT EXISTS " \
	"(SELECT 1 FROM conversations c WHERE c.tenant_id = $1 AND c.contact_id = k.id "                    \
	"AND c.last_message_at >= $2::bigint) ORDER BY k.created_at, k.id LIMIT $3::integer"
/* Under the locks: has the contact been active since the cutoff? */
#define ACTIVE_SINCE                                                                                        \
	"SELECT 1 FROM conversations WHERE tenant_id = $1 AND contact_id = $2 AND last_message_at >= $3::bigint"

/* Runs a statement and says whether it returned rows (STORE_NOTFOUND when not). */
static int has_rows(struct pg_conn *c, enum pg_q q, const char *const *p)
{
	int rc;
	PGresult *res = pg_exec(c, q, p, NULL, NULL, &rc);
	if (!res)
		return rc;
	rc = PQntuples(res) > 0 ? STORE_OK : STORE_NOTFOUND;
	PQclear(res);
	return rc;
}

/* Erases one contact inside the batch's transaction, as pg_contact_erase does, unless it is gone or was
 * active since the cutoff: *done tells. */
static int erase_if_stale(struct pg_conn *c, const char *tenant_id, const char *contact_id, const char *bot_id,
			  const char *cutoff, const char *now, bool *done)
{
	static const enum pg_q cascade[] = {Q_CONTACT_DEL_MESSAGES, Q_CONTACT_DEL_CONVS, Q_CONTACT_DEL_LEADS,
					    Q_CONTACT_DEL_CONSENTS, Q_CONTACT_DELETE};
	const char *p[] = {tenant_id, contact_id};
	const char *pa[] = {tenant_id, contact_id, cutoff};
	const char *pe[] = {contact_id, tenant_id, now};
	*done = false;
	/* the bot row first, as every writer under the bot; a contact whose bot is gone goes all the same */
	int rc = pg_bot_lock(c, tenant_id, bot_id, NULL);
	if (rc != STORE_OK && rc != STORE_NOTFOUND)
		return rc;
	rc = has_rows(c, Q_CONTACT_LOCK, p);
	if (rc == STORE_NOTFOUND)
		return STORE_OK; /* erased by someone else meanwhile */
	if (rc != STORE_OK)
		return rc;
	if ((rc = has_rows(c, Q_CONTACT_LOCK_CONVS, p)) != STORE_OK && rc != STORE_NOTFOUND)
		return rc;
	PGresult *res = pg_exec_sql(c, "retention_active_since", ACTIVE_SINCE, 3, pa, &rc);
	if (!res)
		return rc;
	bool active = PQntuples(res) > 0;
	PQclear(res);
	if (active)
		return STORE_OK; /* the visitor came back after the selection */
	rc = STORE_OK;
	for (size_t i = 0; rc == STORE_OK && i < sizeof cascade / sizeof cascade[0]; i++)
		rc = pg_cmd(c, cascade[i], p, NULL);
	if (rc == STORE_OK)
		rc = pg_cmd(c, Q_ERASURE_CREATE, pe, NULL);
	*done = rc == STORE_OK;
	return rc;
}

int pg_retention_erase(struct store *st, const char *tenant_id, int64_t cutoff, int limit, int64_t now, int *erased)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct pg_num ncut, nnow, nl;
	const char *p[] = {tenant_id, pg_num(&ncut, cutoff), pg_num(&nl, limit)};
	pg_num(&nnow, now);
	PGresult *res = NULL;
	int count = 0;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = pg_tx_begin(c)) != STORE_OK)
		goto out;
	if (!(res = pg_exec_sql(c, "retention_select", STALE_CONTACTS, 3, p, &rc)))
		goto end;
	for (int i = 0, n = PQntuples(res); i < n && i < limit && rc == STORE_OK; i++) {
		char contact[STORE_ID_MAX], bot[STORE_ID_MAX];
		bool done = false;
		if (!pg_col_id(res, i, 0, contact) || !pg_col_id(res, i, 1, bot)) {
			pg_log("retention_erase", NULL, "id longer than STORE_ID_MAX");
			rc = STORE_ERROR;
			break;
		}
		rc = erase_if_stale(c, tenant_id, contact, bot, ncut.s, nnow.s, &done);
		if (done)
			count++;
	}
end:
	rc = pg_tx_end(c, rc);
out:
	PQclear(res);
	pg_pool_release(ps, c);
	if (rc == STORE_OK)
		*erased = count;
	return rc;
}

/* ---- trial bots ---------------------------------------------------------------------------------- */

int pg_bot_expire(struct store *st, int64_t now, int limit, struct store_bot_expired *rows, int *n)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct pg_num nnow, nl;
	const char *p[] = {pg_num(&nnow, now), pg_num(&nl, limit)};
	PGresult *res = NULL;
	int kept = 0;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = pg_tx_begin(c)) != STORE_OK)
		goto out;
	res = pg_exec_sql(c, "bot_expire_select",
			  "SELECT tenant_id, id, expires_at FROM bots WHERE expires_at IS NOT NULL "
			  "AND expires_at <= $1::bigint AND active ORDER BY expires_at, id LIMIT $2::integer",
			  2, p, &rc);
	if (!res)
		goto end;
	for (int i = 0, got = PQntuples(res); i < got && i < limit && rc == STORE_OK; i++) {
		struct store_bot_expired *r = &rows[kept];
		if (!pg_col_id(res, i, 0, r->tenant_id) || !pg_col_id(res, i, 1, r->bot_id)) {
			pg_log("bot_expire", NULL, "id longer than STORE_ID_MAX");
			rc = STORE_ERROR;
			break;
		}
		r->expires_at = pg_col_i64(res, i, 2);
		/* only a bot still active is changed and reported: another process may have been first */
		const char *pu[] = {r->tenant_id, r->bot_id, nnow.s};
		PGresult *u = pg_exec_sql(c, "bot_expire",
					  "UPDATE bots SET active = false, updated_at = $3::bigint WHERE tenant_id = $1 "
					  "AND id = $2 AND active AND expires_at <= $3::bigint",
					  3, pu, &rc);
		if (!u)
			break;
		if (strtoll(PQcmdTuples(u), NULL, 10) > 0)
			kept++;
		PQclear(u);
	}
end:
	rc = pg_tx_end(c, rc);
out:
	PQclear(res);
	pg_pool_release(ps, c);
	if (rc == STORE_OK)
		*n = kept;
	return rc;
}

/* ---- master key rotation ------------------------------------------------------------------------- */

int pg_tenant_key_list(struct store *st, const char *after_id, int limit, struct store_tenant_key_row *rows, int *n)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct pg_num nl;
	const char *p[] = {after_id, pg_num(&nl, limit)};
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	PGresult *res = pg_exec_sql(c, "tenant_key_list",
				    "SELECT id, wrapped_key FROM tenants WHERE wrapped_key IS NOT NULL AND id > $1 "
				    "ORDER BY id LIMIT $2::integer",
				    2, p, &rc);
	pg_pool_release(ps, c);
	if (!res)
		return rc;
	int got = PQntuples(res), i = 0;
	if (got > limit)
		got = limit;
	for (; i < got; i++) {
		bool ok = true;
		if (!pg_col_id(res, i, 0, rows[i].tenant_id)) {
			rc = STORE_ERROR;
			break;
		}
		rows[i].wrapped = pg_col_dup(res, i, 1, &ok);
		if (!ok) {
			rc = STORE_NOMEM;
			break;
		}
	}
	PQclear(res);
	if (rc != STORE_OK) {
		while (i-- > 0)
			store_tenant_key_row_clear(&rows[i]);
		return rc;
	}
	*n = got;
	return STORE_OK;
}

int pg_tenant_key_swap(struct store *st, const char *tenant_id, const char *expected, const char *wrapped)
{
	struct pg_store *ps = pg_of(st);
	const char *p[] = {tenant_id, expected, wrapped};
	int64_t affected = 0;
	int rc = one_cmd(ps, "tenant_key_swap", "UPDATE tenants SET wrapped_key = $3 WHERE id = $1 AND wrapped_key = $2",
			 3, p, &affected);
	if (rc != STORE_OK || affected > 0)
		return rc;
	/* nothing changed: another value meanwhile, or no such tenant */
	const char *pt[] = {tenant_id};
	struct pg_conn *c;
	if ((rc = pg_pool_acquire(ps, &c)) != STORE_OK)
		return rc;
	PGresult *res = pg_exec_sql(c, "tenant_key_swap", "SELECT 1 FROM tenants WHERE id = $1", 1, pt, &rc);
	pg_pool_release(ps, c);
	if (!res)
		return rc;
	rc = PQntuples(res) > 0 ? STORE_CONFLICT : STORE_NOTFOUND;
	PQclear(res);
	return rc;
}

int pg_server_key_get(struct store *st, const char *name, char **wrapped)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	const char *p[] = {name};
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	PGresult *res = pg_exec_sql(c, "server_key_get", "SELECT wrapped_key FROM server_keys WHERE name = $1", 1, p, &rc);
	pg_pool_release(ps, c);
	if (!res)
		return rc;
	bool ok = true;
	char *key = PQntuples(res) > 0 ? pg_col_dup(res, 0, 0, &ok) : NULL;
	PQclear(res);
	if (!ok)
		return STORE_NOMEM;
	*wrapped = key;
	return STORE_OK;
}

int pg_server_key_swap(struct store *st, const char *name, const char *expected, const char *wrapped, int64_t now)
{
	struct pg_num nnow;
	int64_t affected = 0;
	int rc;
	if (expected) {
		const char *p[] = {name, expected, wrapped, pg_num(&nnow, now)};
		rc = one_cmd(pg_of(st), "server_key_swap",
			     "UPDATE server_keys SET wrapped_key = $3, updated_at = $4::bigint "
			     "WHERE name = $1 AND wrapped_key = $2",
			     4, p, &affected);
	} else {
		const char *p[] = {name, wrapped, pg_num(&nnow, now)};
		rc = one_cmd(pg_of(st), "server_key_swap",
			     "INSERT INTO server_keys (name, wrapped_key, updated_at) VALUES ($1, $2, $3::bigint) "
			     "ON CONFLICT (name) DO NOTHING",
			     3, p, &affected);
	}
	return rc == STORE_OK && affected == 0 ? STORE_CONFLICT : rc;
}
