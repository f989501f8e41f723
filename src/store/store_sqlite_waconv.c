/*
 * store_sqlite_waconv.c — the SQLite backend's WhatsApp conversations (one per contact and bot, with its
 * owner and sealed flow state) and funnel counts over analytics events (migration 009). Statements: the
 * S_WCV_* entries of store_sqlite.c's table.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"

/* A WCV_COLS row into *out. */
static int read_conv(sqlite3_stmt *q, struct store_wa_conv *out)
{
	bool ok = true;
	struct store_wa_conv v = {0};
	sqlite_col_id(q, 0, v.id);
	sqlite_col_id(q, 1, v.bot_id);
	sqlite_col_id(q, 2, v.contact_id);
	v.owner = sqlite_col_dup(q, 3, &ok);
	v.state_sealed = sqlite_col_dup_null(q, 4, &ok);
	v.handover_reason = sqlite_col_dup_null(q, 5, &ok);
	v.message_count = sqlite3_column_int(q, 6);
	v.handover_at = sqlite3_column_int64(q, 7);
	v.created_at = sqlite3_column_int64(q, 8);
	v.last_message_at = sqlite3_column_int64(q, 9);
	if (!ok) {
		store_wa_conv_clear(&v);
		return STORE_NOMEM;
	}
	*out = v;
	return STORE_OK;
}

struct open_args {
	const char *tenant_id, *bot_id, *contact_id, *new_id;
	int64_t now;
	struct store_wa_conv row; /* handed out only when the transaction commits */
	bool created;
};

static int open_tx(struct conn *c, void *arg)
{
	struct open_args *a = arg;
	sqlite3_stmt *q = sqlite_stmt(c, S_WCV_INSERT);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->new_id);
	sqlite_bind_text(q, 2, a->tenant_id);
	sqlite_bind_text(q, 3, a->bot_id);
	sqlite_bind_text(q, 4, a->contact_id);
	sqlite3_bind_int64(q, 5, a->now);
	int changes = 0, rc = sqlite_run(c, q, &changes);
	if (rc != STORE_OK)
		return rc;
	a->created = changes > 0;
	q = sqlite_stmt(c, S_WCV_BY_CONTACT);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->tenant_id);
	sqlite_bind_text(q, 2, a->bot_id);
	sqlite_bind_text(q, 3, a->contact_id);
	rc = sqlite_step_row(q, STORE_NOTFOUND);
	if (rc == STORE_OK) {
		store_wa_conv_clear(&a->row); /* a retried batch reads it again */
		rc = read_conv(q, &a->row);
	}
	sqlite_done(q);
	return rc;
}

int sq_wa_conv_open(struct store *st, const char *tenant_id, const char *bot_id, const char *contact_id,
		    const char *new_id, int64_t now, struct store_wa_conv *out, bool *created)
{
	struct open_args a = {.tenant_id = tenant_id, .bot_id = bot_id, .contact_id = contact_id, .new_id = new_id, .now = now};
	int rc = sqlite_write(sqlite_of(st), open_tx, &a);
	*created = rc == STORE_OK && a.created;
	if (rc == STORE_OK)
		*out = a.row;
	else
		store_wa_conv_clear(&a.row);
	return rc;
}

int sq_wa_conv_get(struct store *st, const char *tenant_id, const char *conv_id, struct store_wa_conv *out)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_WCV_GET) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, conv_id);
	sqlite_bind_text(q, 2, tenant_id);
	int rc = sqlite_step_row(q, STORE_NOTFOUND);
	if (rc == STORE_OK)
		rc = read_conv(q, out);
	sqlite_done(q);
	return rc;
}

static int update_tx(struct conn *c, void *arg)
{
	const struct store_wa_conv_update *u = arg;
	sqlite3_stmt *q = sqlite_stmt(c, S_WCV_UPDATE);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, u->id);
	sqlite_bind_text(q, 2, u->tenant_id);
	sqlite_bind_text(q, 3, u->owner);
	sqlite_bind_text(q, 4, u->handover_reason);
	sqlite3_bind_int(q, 5, u->set_state ? 1 : 0);
	sqlite_bind_text(q, 6, u->state_sealed);
	sqlite3_bind_int(q, 7, u->inbound);
	sqlite3_bind_int64(q, 8, u->now);
	sqlite_bind_text(q, 9, u->expect_owner);
	int changes = 0, rc = sqlite_run(c, q, &changes);
	if (rc != STORE_OK || changes > 0)
		return rc;
	q = sqlite_stmt(c, S_WCV_GET);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, u->id);
	sqlite_bind_text(q, 2, u->tenant_id);
	rc = sqlite_step_row(q, STORE_NOTFOUND);
	sqlite_done(q);
	return rc == STORE_OK ? STORE_CONFLICT : rc; /* it exists: the owner was not the expected one */
}

int sq_wa_conv_update(struct store *st, const struct store_wa_conv_update *u)
{
	return sqlite_write(sqlite_of(st), update_tx, (void *)(uintptr_t)u);
}

int sq_analytics_counts(struct store *st, const char *tenant_id, const char *bot_id, const char *prefix,
			int64_t from, int64_t to, int (*emit)(void *ud, const char *event, int64_t count), void *ud)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_ANALYTICS_COUNTS) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, tenant_id);
	sqlite_bind_text(q, 2, bot_id);
	sqlite_bind_text(q, 3, prefix);
	sqlite3_bind_int64(q, 4, from);
	sqlite3_bind_int64(q, 5, to);
	int rc = STORE_OK, s;
	while ((s = sqlite3_step(q)) == SQLITE_ROW) {
		const char *event = (const char *)sqlite3_column_text(q, 0);
		if (!event) {
			rc = STORE_NOMEM;
			break;
		}
		if ((rc = emit(ud, event, sqlite3_column_int64(q, 1))) != 0)
			break;
	}
	if (rc == STORE_OK && s != SQLITE_ROW && s != SQLITE_DONE)
		rc = STORE_ERROR;
	sqlite_done(q);
	return rc;
}
