/*
 * store_sqlite_wa.c — the SQLite backend's WhatsApp contacts, consent state and messages (migration 008).
 *
 * A WhatsApp contact is a `contacts` row found by the blind index of its number (unique per bot); its
 * number and first name arrive sealed. Message statuses only move forward (store_wa_status_from). Writes
 * are transaction bodies run by the writer (sqlite_int.h); the statements are in the table of
 * store_sqlite.c (S_WAC_*, S_WAM_*).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"

/* ---- contacts ------------------------------------------------------------------------------------------ */

/* A contact row (WAC_COLS in store_sqlite.c) into *out. */
static int read_contact(sqlite3_stmt *q, struct store_wa_contact *out)
{
	bool ok = true;
	struct store_wa_contact k = {0};
	sqlite_col_id(q, 0, k.id);
	sqlite_col_id(q, 1, k.bot_id);
	k.wrapped_key = sqlite_col_dup(q, 2, &ok);
	k.e164_sealed = sqlite_col_dup(q, 3, &ok);
	k.first_name_sealed = sqlite_col_dup_null(q, 4, &ok);
	k.timezone = sqlite_col_dup_null(q, 5, &ok);
	k.language = sqlite_col_dup_null(q, 6, &ok);
	k.consent_status = sqlite_col_dup(q, 7, &ok);
	k.consent_source = sqlite_col_dup_null(q, 8, &ok);
	k.consent_text_version = sqlite_col_dup_null(q, 9, &ok);
	k.consent_at = sqlite3_column_int64(q, 10);
	k.last_inbound_at = sqlite3_column_int64(q, 11);
	k.created_at = sqlite3_column_int64(q, 12);
	k.updated_at = sqlite3_column_int64(q, 13);
	if (!ok) {
		store_wa_contact_clear(&k);
		return STORE_NOMEM;
	}
	*out = k;
	return STORE_OK;
}

struct upsert_args {
	const struct store_wa_contact_in *in;
	char id[STORE_ID_MAX];
};

static int contact_upsert_tx(struct conn *c, void *arg)
{
	struct upsert_args *a = arg;
	const struct store_wa_contact_in *in = a->in;
	sqlite3_int64 rid;
	int rc = sqlite_bot_rid(c, in->tenant_id, in->bot_id, &rid);
	if (rc != STORE_OK)
		return rc;
	sqlite3_stmt *q = sqlite_stmt(c, S_WAC_UPSERT);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, in->id);
	sqlite_bind_text(q, 2, in->tenant_id);
	sqlite_bind_text(q, 3, in->bot_id);
	sqlite_bind_text(q, 4, in->wrapped_key);
	sqlite3_bind_int64(q, 5, in->now);
	sqlite_bind_text(q, 6, in->e164_bidx);
	sqlite_bind_text(q, 7, in->e164_sealed);
	sqlite_bind_text(q, 8, in->first_name_sealed);
	sqlite_bind_text(q, 9, in->timezone);
	sqlite_bind_text(q, 10, in->language);
	rc = sqlite_step_row(q, STORE_ERROR);
	if (rc == STORE_OK)
		sqlite_col_id(q, 0, a->id);
	sqlite_done(q);
	return rc;
}

int sq_wa_contact_upsert(struct store *st, const struct store_wa_contact_in *c, char contact_id[STORE_ID_MAX],
			 bool *created)
{
	if (!c->id || !c->e164_bidx)
		return STORE_ERROR;
	struct upsert_args a = {.in = c};
	int rc = sqlite_write(sqlite_of(st), contact_upsert_tx, &a);
	if (rc == STORE_OK) {
		snprintf(contact_id, STORE_ID_MAX, "%s", a.id);
		*created = !strcmp(a.id, c->id);
	}
	return rc;
}

int sq_wa_contact_find(struct store *st, const char *tenant_id, const char *contact_id, const char *bot_id,
		       const char *e164_bidx, struct store_wa_contact *out)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, contact_id ? S_WAC_GET : S_WAC_BY_BIDX) : NULL;
	if (!q)
		return STORE_ERROR;
	if (contact_id) {
		sqlite_bind_text(q, 1, contact_id);
		sqlite_bind_text(q, 2, tenant_id);
	} else {
		sqlite_bind_text(q, 1, tenant_id);
		sqlite_bind_text(q, 2, bot_id);
		sqlite_bind_text(q, 3, e164_bidx);
	}
	int rc = sqlite_step_row(q, STORE_NOTFOUND);
	if (rc == STORE_OK)
		rc = read_contact(q, out);
	sqlite_done(q);
	return rc;
}

static int consent_tx(struct conn *c, void *arg)
{
	const struct store_wa_consent *cs = arg;
	sqlite3_stmt *q = sqlite_stmt(c, S_WAC_CONSENT);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, cs->contact_id);
	sqlite_bind_text(q, 2, cs->tenant_id);
	sqlite_bind_text(q, 3, cs->status);
	sqlite_bind_text(q, 4, cs->source);
	sqlite_bind_text(q, 5, cs->text_version);
	sqlite3_bind_int64(q, 6, cs->at);
	int changes = 0, rc = sqlite_run(c, q, &changes);
	if (rc != STORE_OK)
		return rc;
	if (changes == 0) {
		/* an older decision than the stored one, or no such contact */
		sqlite3_stmt *e = sqlite_stmt(c, S_CONTACT_EXISTS);
		if (!e)
			return STORE_ERROR;
		sqlite_bind_text(e, 1, cs->contact_id);
		sqlite_bind_text(e, 2, cs->tenant_id);
		rc = sqlite_step_row(e, STORE_NOTFOUND);
		sqlite_done(e);
		return rc == STORE_OK ? STORE_CONFLICT : rc;
	}
	if (strcmp(cs->status, "granted") != 0 || !cs->consent_id)
		return STORE_OK;
	q = sqlite_stmt(c, S_WAC_CONSENT_LEDGER);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, cs->consent_id);
	sqlite_bind_text(q, 2, cs->tenant_id);
	sqlite_bind_text(q, 3, cs->contact_id);
	sqlite_bind_text(q, 4, cs->source);
	sqlite_bind_text(q, 5, cs->text_version);
	sqlite3_bind_int64(q, 6, cs->at);
	return sqlite_run(c, q, NULL);
}

int sq_wa_consent_set(struct store *st, const struct store_wa_consent *cs)
{
	return sqlite_write_flushed(sqlite_of(st), consent_tx, (void *)(uintptr_t)cs);
}

struct touch_args {
	const char *tenant_id, *contact_id;
	int64_t at;
};

static int touch_tx(struct conn *c, void *arg)
{
	const struct touch_args *a = arg;
	sqlite3_stmt *q = sqlite_stmt(c, S_WAC_TOUCH);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->contact_id);
	sqlite_bind_text(q, 2, a->tenant_id);
	sqlite3_bind_int64(q, 3, a->at);
	int changes = 0, rc = sqlite_run(c, q, &changes);
	return rc == STORE_OK && changes == 0 ? STORE_NOTFOUND : rc;
}

int sq_wa_touch_inbound(struct store *st, const char *tenant_id, const char *contact_id, int64_t at)
{
	struct touch_args a = {tenant_id, contact_id, at};
	return sqlite_write(sqlite_of(st), touch_tx, &a);
}

/* ---- messages ------------------------------------------------------------------------------------------- */

static int message_add_tx(struct conn *c, void *arg)
{
	const struct store_wa_message_in *m = arg;
	sqlite3_stmt *q = sqlite_stmt(c, S_WAM_INSERT);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, m->id);
	sqlite_bind_text(q, 2, m->tenant_id);
	sqlite_bind_text(q, 3, m->bot_id);
	sqlite_bind_text(q, 4, m->contact_id);
	sqlite_bind_text(q, 5, m->conversation_id);
	sqlite_bind_text(q, 6, m->direction);
	sqlite_bind_text(q, 7, m->provider_message_id);
	sqlite_bind_text(q, 8, m->kind);
	sqlite_bind_text(q, 9, m->body_sealed);
	sqlite_bind_text(q, 10, m->status);
	sqlite3_bind_int64(q, 11, m->now);
	int changes = 0, rc = sqlite_run(c, q, &changes);
	if (rc != STORE_OK || changes > 0)
		return rc;
	/* nothing inserted: the provider id is taken (a duplicate), or the contact is not the bot's */
	q = sqlite_stmt(c, S_WAM_CONTACT_OK);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, m->contact_id);
	sqlite_bind_text(q, 2, m->tenant_id);
	sqlite_bind_text(q, 3, m->bot_id);
	rc = sqlite_step_row(q, STORE_NOTFOUND);
	sqlite_done(q);
	return rc == STORE_OK ? STORE_CONFLICT : rc;
}

int sq_wa_message_add(struct store *st, const struct store_wa_message_in *m)
{
	return sqlite_write(sqlite_of(st), message_add_tx, (void *)(uintptr_t)m);
}

struct status_args {
	const char *tenant_id, *bot_id, *id, *provider_message_id, *status;
	int error_code;
	int64_t now;
};

static int message_sent_tx(struct conn *c, void *arg)
{
	const struct status_args *a = arg;
	sqlite3_stmt *q = sqlite_stmt(c, S_WAM_SENT);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->id);
	sqlite_bind_text(q, 2, a->tenant_id);
	sqlite_bind_text(q, 3, a->provider_message_id);
	sqlite3_bind_int64(q, 4, a->now);
	int changes = 0, rc = sqlite_run(c, q, &changes);
	return rc == STORE_OK && changes == 0 ? STORE_NOTFOUND : rc;
}

int sq_wa_message_sent(struct store *st, const char *tenant_id, const char *id, const char *provider_message_id,
		       int64_t now)
{
	struct status_args a = {.tenant_id = tenant_id, .id = id, .provider_message_id = provider_message_id,
				.now = now};
	return sqlite_write(sqlite_of(st), message_sent_tx, &a);
}

static int message_status_tx(struct conn *c, void *arg)
{
	const struct status_args *a = arg;
	sqlite3_stmt *q = sqlite_stmt(c, S_WAM_STATUS);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->bot_id);
	sqlite_bind_text(q, 2, a->tenant_id);
	sqlite_bind_text(q, 3, a->provider_message_id);
	sqlite_bind_text(q, 4, a->status);
	sqlite3_bind_int(q, 5, a->error_code);
	sqlite3_bind_int64(q, 6, a->now);
	sqlite_bind_text(q, 7, store_wa_status_from(a->status));
	int changes = 0, rc = sqlite_run(c, q, &changes);
	if (rc != STORE_OK || changes > 0)
		return rc;
	/* a status that would move back (or repeats) is fine; an unknown message is not */
	q = sqlite_stmt(c, S_WAM_EXISTS);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->bot_id);
	sqlite_bind_text(q, 2, a->tenant_id);
	sqlite_bind_text(q, 3, a->provider_message_id);
	rc = sqlite_step_row(q, STORE_NOTFOUND);
	sqlite_done(q);
	return rc;
}

int sq_wa_message_status(struct store *st, const char *tenant_id, const char *bot_id, const char *provider_message_id,
			 const char *status, int error_code, int64_t now)
{
	struct status_args a = {.tenant_id = tenant_id, .bot_id = bot_id, .provider_message_id = provider_message_id,
				.status = status, .error_code = error_code, .now = now};
	return sqlite_write(sqlite_of(st), message_status_tx, &a);
}

/* A message row (WAM_COLS in store_sqlite.c) into *out. */
static int read_message(sqlite3_stmt *q, struct store_wa_message *out)
{
	bool ok = true;
	struct store_wa_message m = {0};
	sqlite_col_id(q, 0, m.id);
	sqlite_col_id(q, 1, m.bot_id);
	sqlite_col_id(q, 2, m.contact_id);
	sqlite_col_id(q, 3, m.conversation_id);
	m.direction = sqlite_col_dup(q, 4, &ok);
	m.provider_message_id = sqlite_col_dup_null(q, 5, &ok);
	m.kind = sqlite_col_dup(q, 6, &ok);
	m.body_sealed = sqlite_col_dup_null(q, 7, &ok);
	m.status = sqlite_col_dup(q, 8, &ok);
	m.error_code = sqlite3_column_int(q, 9);
	m.created_at = sqlite3_column_int64(q, 10);
	m.updated_at = sqlite3_column_int64(q, 11);
	if (!ok) {
		store_wa_message_clear(&m);
		return STORE_NOMEM;
	}
	*out = m;
	return STORE_OK;
}

int sq_wa_message_get(struct store *st, const char *tenant_id, const char *id, struct store_wa_message *out)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_WAM_GET) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, id);
	sqlite_bind_text(q, 2, tenant_id);
	int rc = sqlite_step_row(q, STORE_NOTFOUND);
	if (rc == STORE_OK)
		rc = read_message(q, out);
	sqlite_done(q);
	return rc;
}

int sq_wa_messages_list(struct store *st, const char *tenant_id, const char *contact_id, int limit,
			struct store_wa_message **out, int *n)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_WAM_LIST) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, tenant_id);
	sqlite_bind_text(q, 2, contact_id);
	sqlite3_bind_int(q, 3, limit);
	struct store_wa_message *rows = NULL;
	int count = 0, cap = 0, step = SQLITE_DONE, res = STORE_OK;
	while (count < limit && (step = sqlite3_step(q)) == SQLITE_ROW) {
		if (!sqlite_grow((void **)&rows, &cap, count, limit, sizeof *rows)) {
			res = STORE_NOMEM;
			goto cleanup;
		}
		if ((res = read_message(q, &rows[count])) != STORE_OK)
			goto cleanup;
		count++;
	}
	if (count < limit && step != SQLITE_DONE)
		res = sqlite_map_rc(step);
cleanup:
	sqlite_done(q);
	if (res != STORE_OK) {
		while (count > 0)
			store_wa_message_clear(&rows[--count]);
		free(rows);
		return res;
	}
	*out = rows;
	*n = count;
	return STORE_OK;
}
