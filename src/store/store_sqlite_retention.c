/*
 * store_sqlite_retention.c — the SQLite backend's housekeeping: tenants' retention periods and the erasure
 * of contacts older than them, the expiry of trial bots, and what `botwerk keys rotate` needs (tenant keys
 * in batches, conditional swaps, process-wide server keys).
 *
 * These statements run rarely (once per housekeeping interval, per tenant API call, per rotation batch),
 * so they keep their SQL here and are prepared per call instead of in the statement table of
 * store_sqlite.c. The erasure reuses that table's S_CONTACT_DEL_* cascade and S_ERASURE_INSERT, so a
 * retention erasure deletes exactly what store_contact_erase deletes. Writes go through the writer
 * (sqlite_write): the selection and the deletes of a batch run in one transaction, so a contact that
 * turned active again or was erased meanwhile is never touched.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"

/* A statement prepared for this call (finalize it); NULL on failure (logged). */
static sqlite3_stmt *prep(struct conn *c, const char *sql)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(c->db, sql, -1, &q, NULL) != SQLITE_OK) {
		sqlite_log("prepare (retention)", c->db);
		sqlite3_finalize(q);
		return NULL;
	}
	return q;
}

/* ---- retention periods --------------------------------------------------------------------------- */

int sq_tenant_retention_get(struct store *st, const char *tenant_id, int *days)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? prep(c, "SELECT coalesce(retention_days, 0) FROM tenants WHERE id = ?1") : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, tenant_id);
	int res = sqlite_step_row(q, STORE_NOTFOUND);
	if (res == STORE_OK) {
		*days = sqlite3_column_int(q, 0);
	}
	sqlite3_finalize(q);
	return res;
}

struct retention_set_args {
	const char *tenant_id;
	int days;
};

static int retention_set_tx(struct conn *c, void *arg)
{
	const struct retention_set_args *a = arg;
	int changes = 0;
	sqlite3_stmt *q = prep(c, "UPDATE tenants SET retention_days = ?2 WHERE id = ?1");
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->tenant_id);
	if (a->days > 0)
		sqlite3_bind_int(q, 2, a->days);
	else
		sqlite3_bind_null(q, 2);
	int rc = sqlite_run(c, q, &changes);
	sqlite3_finalize(q);
	return rc == STORE_OK && changes == 0 ? STORE_NOTFOUND : rc;
}

int sq_tenant_retention_set(struct store *st, const char *tenant_id, int days)
{
	struct retention_set_args a = {tenant_id, days};
	return sqlite_write(sqlite_of(st), retention_set_tx, &a);
}

int sq_retention_tenants(struct store *st, const char *after_id, int limit, struct store_retention_row *rows, int *n)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? prep(c, "SELECT id, retention_days FROM tenants WHERE retention_days IS NOT NULL "
				      "AND retention_days > 0 AND id > ?1 ORDER BY id LIMIT ?2")
			    : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, after_id);
	sqlite3_bind_int(q, 2, limit);
	int count = 0, rc;
	while (count < limit && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		sqlite_col_id(q, 0, rows[count].tenant_id);
		rows[count].days = sqlite3_column_int(q, 1);
		count++;
	}
	int res = count < limit && rc != SQLITE_DONE ? sqlite_map_rc(rc) : STORE_OK;
	sqlite3_finalize(q);
	if (res == STORE_OK)
		*n = count;
	return res;
}

/* Contacts of tenant ?1 whose newest activity is before ?2: created before it (a conversation starts
 * after its contact) and no conversation with a message at or after it. Oldest first. */
#define STALE_CONTACTS                                                                                      \
	"SELECT k.id FROM contacts k WHERE k.tenant_id = ?1 AND k.created_at < ?2 AND NOT EXISTS "          \
	"(SELECT 1 FROM conversations c WHERE c.contact_id = k.id AND c.tenant_id = ?1 "                    \
	"AND c.last_message_at >= ?2) ORDER BY k.created_at, k.id LIMIT ?3"

struct retention_erase_args {
	const char *tenant_id;
	int64_t cutoff, now;
	int limit;
	int erased; /* set by the body */
};

/* The same cascade as store_contact_erase (store_sqlite_contacts.c), statement for statement. */
static int erase_one(struct conn *c, const char *tenant_id, const char *contact_id, int64_t now)
{
	static const enum stmt_id cascade[] = {S_CONTACT_DEL_MESSAGES, S_CONTACT_DEL_CONVS, S_CONTACT_DEL_LEADS,
					       S_CONTACT_DEL_CONSENTS, S_CONTACT_DELETE};
	int rc = STORE_OK;
	for (size_t i = 0; rc == STORE_OK && i < sizeof cascade / sizeof cascade[0]; i++)
		rc = sqlite_run_scoped(c, cascade[i], contact_id, tenant_id, NULL, NULL);
	if (rc != STORE_OK)
		return rc;
	sqlite3_stmt *q = sqlite_stmt(c, S_ERASURE_INSERT);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, contact_id);
	sqlite_bind_text(q, 2, tenant_id);
	sqlite3_bind_int64(q, 3, now);
	return sqlite_run(c, q, NULL);
}

static int retention_erase_tx(struct conn *c, void *arg)
{
	struct retention_erase_args *a = arg;
	char (*ids)[STORE_ID_MAX] = calloc((size_t)a->limit, sizeof *ids);
	int n = 0, rc, res = STORE_OK;
	sqlite3_stmt *q = ids ? prep(c, STALE_CONTACTS) : NULL;
	a->erased = 0;
	if (!ids)
		return STORE_NOMEM;
	if (!q) {
		free(ids);
		return STORE_ERROR;
	}
	sqlite_bind_text(q, 1, a->tenant_id);
	sqlite3_bind_int64(q, 2, a->cutoff);
	sqlite3_bind_int(q, 3, a->limit);
	/* the ids first: the cascade changes the tables the selection reads */
	while (n < a->limit && (rc = sqlite3_step(q)) == SQLITE_ROW)
		sqlite_col_id(q, 0, ids[n++]);
	if (n < a->limit && rc != SQLITE_DONE)
		res = sqlite_map_rc(rc);
	sqlite3_finalize(q);
	for (int i = 0; res == STORE_OK && i < n; i++)
		res = erase_one(c, a->tenant_id, ids[i], a->now);
	free(ids);
	if (res == STORE_OK)
		a->erased = n;
	return res;
}

int sq_retention_erase(struct store *st, const char *tenant_id, int64_t cutoff, int limit, int64_t now, int *erased)
{
	struct retention_erase_args a = {.tenant_id = tenant_id, .cutoff = cutoff, .now = now, .limit = limit};
	int rc = sqlite_write_flushed(sqlite_of(st), retention_erase_tx, &a);
	if (rc == STORE_OK)
		*erased = a.erased;
	return rc;
}

/* ---- trial bots ---------------------------------------------------------------------------------- */

struct bot_expire_args {
	int64_t now;
	int limit;
	struct store_bot_expired *rows;
	int n; /* set by the body */
};

static int bot_expire_tx(struct conn *c, void *arg)
{
	struct bot_expire_args *a = arg;
	sqlite3_stmt *sel = prep(c, "SELECT tenant_id, id, expires_at FROM bots WHERE expires_at IS NOT NULL "
				    "AND expires_at <= ?1 AND active = 1 ORDER BY expires_at, id LIMIT ?2");
	sqlite3_stmt *upd = sel ? prep(c, "UPDATE bots SET active = 0, updated_at = ?3 WHERE tenant_id = ?1 AND id = ?2 "
					  "AND active = 1 AND expires_at <= ?3")
				: NULL;
	int n = 0, rc, res = STORE_OK;
	a->n = 0;
	if (!upd) {
		sqlite3_finalize(sel);
		return STORE_ERROR;
	}
	sqlite3_bind_int64(sel, 1, a->now);
	sqlite3_bind_int(sel, 2, a->limit);
	while (n < a->limit && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
		sqlite_col_id(sel, 0, a->rows[n].tenant_id);
		sqlite_col_id(sel, 1, a->rows[n].bot_id);
		a->rows[n].expires_at = sqlite3_column_int64(sel, 2);
		n++;
	}
	if (n < a->limit && rc != SQLITE_DONE)
		res = sqlite_map_rc(rc);
	sqlite3_finalize(sel);
	int kept = 0;
	for (int i = 0; res == STORE_OK && i < n; i++) {
		int changes = 0;
		sqlite_bind_text(upd, 1, a->rows[i].tenant_id);
		sqlite_bind_text(upd, 2, a->rows[i].bot_id);
		sqlite3_bind_int64(upd, 3, a->now);
		res = sqlite_run(c, upd, &changes);
		if (res == STORE_OK && changes > 0)
			a->rows[kept++] = a->rows[i];
	}
	sqlite3_finalize(upd);
	if (res == STORE_OK)
		a->n = kept;
	return res;
}

int sq_bot_expire(struct store *st, int64_t now, int limit, struct store_bot_expired *rows, int *n)
{
	struct bot_expire_args a = {.now = now, .limit = limit, .rows = rows};
	int rc = sqlite_write(sqlite_of(st), bot_expire_tx, &a);
	if (rc == STORE_OK)
		*n = a.n;
	return rc;
}

/* ---- master key rotation ------------------------------------------------------------------------- */

int sq_tenant_key_list(struct store *st, const char *after_id, int limit, struct store_tenant_key_row *rows, int *n)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? prep(c, "SELECT id, wrapped_key FROM tenants WHERE wrapped_key IS NOT NULL AND id > ?1 "
				      "ORDER BY id LIMIT ?2")
			    : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, after_id);
	sqlite3_bind_int(q, 2, limit);
	int count = 0, rc, res = STORE_OK;
	while (count < limit && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		bool ok = true;
		sqlite_col_id(q, 0, rows[count].tenant_id);
		rows[count].wrapped = sqlite_col_dup(q, 1, &ok);
		if (!ok) {
			res = STORE_NOMEM;
			break;
		}
		count++;
	}
	if (res == STORE_OK && count < limit && rc != SQLITE_DONE)
		res = sqlite_map_rc(rc);
	sqlite3_finalize(q);
	if (res != STORE_OK) {
		while (count > 0)
			store_tenant_key_row_clear(&rows[--count]);
		return res;
	}
	*n = count;
	return STORE_OK;
}

struct key_swap_args {
	const char *name, *expected, *wrapped;
	int64_t now;
};

static int tenant_key_swap_tx(struct conn *c, void *arg)
{
	const struct key_swap_args *a = arg;
	int changes = 0;
	sqlite3_stmt *q = prep(c, "UPDATE tenants SET wrapped_key = ?3 WHERE id = ?1 AND wrapped_key = ?2");
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->name);
	sqlite_bind_text(q, 2, a->expected);
	sqlite_bind_text(q, 3, a->wrapped);
	int rc = sqlite_run(c, q, &changes);
	sqlite3_finalize(q);
	if (rc != STORE_OK || changes > 0)
		return rc;
	/* nothing changed: another value meanwhile, or no such tenant */
	if (!(q = prep(c, "SELECT 1 FROM tenants WHERE id = ?1")))
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->name);
	int step = sqlite3_step(q);
	rc = step == SQLITE_ROW ? STORE_CONFLICT : step == SQLITE_DONE ? STORE_NOTFOUND : sqlite_map_rc(step);
	sqlite3_finalize(q);
	return rc;
}

int sq_tenant_key_swap(struct store *st, const char *tenant_id, const char *expected, const char *wrapped)
{
	struct key_swap_args a = {tenant_id, expected, wrapped, 0};
	return sqlite_write_flushed(sqlite_of(st), tenant_key_swap_tx, &a);
}

int sq_server_key_get(struct store *st, const char *name, char **wrapped)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? prep(c, "SELECT wrapped_key FROM server_keys WHERE name = ?1") : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, name);
	int rc = sqlite3_step(q), res = STORE_OK;
	char *key = NULL;
	if (rc == SQLITE_ROW) {
		bool ok = true;
		key = sqlite_col_dup(q, 0, &ok);
		if (!ok)
			res = STORE_NOMEM;
	} else if (rc != SQLITE_DONE) {
		res = sqlite_map_rc(rc);
	}
	sqlite3_finalize(q);
	if (res == STORE_OK)
		*wrapped = key;
	return res;
}

static int server_key_swap_tx(struct conn *c, void *arg)
{
	const struct key_swap_args *a = arg;
	int changes = 0;
	sqlite3_stmt *q = a->expected
				  ? prep(c, "UPDATE server_keys SET wrapped_key = ?3, updated_at = ?4 "
					    "WHERE name = ?1 AND wrapped_key = ?2")
				  : prep(c, "INSERT INTO server_keys(name, wrapped_key, updated_at) VALUES(?1, ?3, ?4) "
					    "ON CONFLICT(name) DO NOTHING");
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->name);
	if (a->expected)
		sqlite_bind_text(q, 2, a->expected);
	sqlite_bind_text(q, 3, a->wrapped);
	sqlite3_bind_int64(q, 4, a->now);
	int rc = sqlite_run(c, q, &changes);
	sqlite3_finalize(q);
	return rc == STORE_OK && changes == 0 ? STORE_CONFLICT : rc;
}

int sq_server_key_swap(struct store *st, const char *name, const char *expected, const char *wrapped, int64_t now)
{
	struct key_swap_args a = {name, expected, wrapped, now};
	return sqlite_write_flushed(sqlite_of(st), server_key_swap_tx, &a);
}
