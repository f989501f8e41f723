/*
 * store_sqlite_contacts.c — the SQLite backend's personal data: tenant keys, the leads and consents of a
 * conversation's contact, the contact's sealed profile, and erasure (store_contact_erase, its record in
 * `erasures`, and the purge a restore runs). The contact itself is created with its conversation
 * (store_sqlite_chat.c).
 *
 * Everything here is what src/privacy/seal.h made of the data (sealed text, wrapped keys, blind indexes);
 * the store never sees plaintext. The statements are in the table of store_sqlite.c; the shared helpers,
 * the writer and the connections are declared in sqlite_int.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"

/* ---- tenant keys ------------------------------------------------------------------------------------ */

/* Reads tenants.wrapped_key of the tenant into *wrapped (heap copy, NULL when it has none). */
static int read_tenant_key(struct conn *c, const char *tenant_id, char **wrapped)
{
	sqlite3_stmt *q = sqlite_stmt(c, S_TENANT_KEY_GET);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, tenant_id);
	int rc = sqlite3_step(q), res = STORE_NOTFOUND;
	if (rc == SQLITE_ROW) {
		bool ok = true;
		char *key = sqlite3_column_type(q, 0) == SQLITE_NULL ? NULL : sqlite_col_dup(q, 0, &ok);
		if (ok) {
			*wrapped = key;
			res = STORE_OK;
		} else {
			res = STORE_NOMEM;
		}
	} else if (rc != SQLITE_DONE) {
		res = sqlite_map_rc(rc);
	}
	sqlite_done(q);
	return res;
}

int sq_tenant_key_get(struct store *st, const char *tenant_id, char **wrapped)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	return c ? read_tenant_key(c, tenant_id, wrapped) : STORE_ERROR;
}

struct tenant_key_args {
	const char *tenant_id, *wrapped;
	char *current; /* set by the body; the caller frees it unless it hands it out */
};

static int tenant_key_init_tx(struct conn *c, void *arg)
{
	struct tenant_key_args *a = arg;
	int rc = sqlite_run_scoped(c, S_TENANT_KEY_SET, a->tenant_id, a->wrapped, NULL, NULL);
	if (rc != STORE_OK)
		return rc;
	return read_tenant_key(c, a->tenant_id, &a->current);
}

int sq_tenant_key_init(struct store *st, const char *tenant_id, const char *wrapped, char **current)
{
	struct tenant_key_args a = {tenant_id, wrapped, NULL};
	int rc = sqlite_write(sqlite_of(st), tenant_key_init_tx, &a);
	if (rc != STORE_OK) {
		free(a.current); /* the body ran, but its transaction did not commit */
		return rc;
	}
	*current = a.current;
	return STORE_OK;
}

/* ---- leads and consents ----------------------------------------------------------------------------- */

struct lead_capture_args {
	const struct store_lead_capture *lc;
	char lead_id[STORE_ID_MAX];
	bool created;
};

/* The contact of the tenant's conversation (STORE_NOTFOUND when there is none). */
static int conversation_contact_id(struct conn *c, const char *tenant_id, const char *bot_id, const char *conv_id,
				   char contact_id[STORE_ID_MAX])
{
	sqlite3_stmt *q = sqlite_stmt(c, S_CONV_CONTACT);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, conv_id);
	sqlite_bind_text(q, 2, bot_id);
	sqlite_bind_text(q, 3, tenant_id);
	int res = sqlite_step_row(q, STORE_NOTFOUND);
	if (res == STORE_OK) {
		sqlite_col_id(q, 0, contact_id);
	}
	sqlite_done(q);
	return res;
}

static int lead_capture_tx(struct conn *c, void *arg)
{
	struct lead_capture_args *a = arg;
	const struct store_lead_capture *lc = a->lc;
	char contact[STORE_ID_MAX];
	int changes = 0;
	int rc = conversation_contact_id(c, lc->tenant_id, lc->bot_id, lc->conversation_id, contact);
	if (rc != STORE_OK)
		return rc;

	sqlite3_stmt *q = sqlite_stmt(c, S_CONTACT_SET_EMAIL);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, contact);
	sqlite_bind_text(q, 2, lc->tenant_id);
	sqlite_bind_text(q, 3, lc->email_sealed);
	sqlite_bind_text(q, 4, lc->email_bidx);
	sqlite3_bind_int64(q, 5, lc->now);
	if ((rc = sqlite_run(c, q, &changes)) != STORE_OK)
		return rc;
	if (changes == 0)
		return STORE_NOTFOUND;

	/* a second capture of the same email in this conversation keeps the first lead */
	if (!(q = sqlite_stmt(c, S_LEAD_INSERT)))
		return STORE_ERROR;
	sqlite_bind_text(q, 1, lc->lead_id);
	sqlite_bind_text(q, 2, lc->tenant_id);
	sqlite_bind_text(q, 3, lc->bot_id);
	sqlite_bind_text(q, 4, lc->conversation_id);
	sqlite_bind_text(q, 5, contact);
	sqlite_bind_text(q, 6, lc->email_bidx);
	sqlite_bind_text(q, 7, lc->source);
	sqlite_bind_text(q, 8, lc->channel);
	sqlite_bind_text(q, 9, lc->context ? lc->context : "{}");
	sqlite3_bind_int(q, 10, lc->interest);
	sqlite3_bind_int64(q, 11, lc->now);
	if ((rc = sqlite_run(c, q, &changes)) != STORE_OK)
		return rc;
	a->created = changes > 0;

	if (!(q = sqlite_stmt(c, S_LEAD_FIND)))
		return STORE_ERROR;
	sqlite_bind_text(q, 1, lc->conversation_id);
	sqlite_bind_text(q, 2, lc->email_bidx);
	sqlite_bind_text(q, 3, lc->tenant_id);
	int step = sqlite3_step(q);
	if (step == SQLITE_ROW)
		sqlite_col_id(q, 0, a->lead_id);
	rc = step == SQLITE_ROW ? STORE_OK : step == SQLITE_DONE ? STORE_NOTFOUND : sqlite_map_rc(step);
	sqlite_done(q);
	if (rc != STORE_OK)
		return rc;

	/* every grant is evidence: recorded each time */
	if (!(q = sqlite_stmt(c, S_CONSENT_INSERT)))
		return STORE_ERROR;
	sqlite_bind_text(q, 1, lc->consent_id);
	sqlite_bind_text(q, 2, lc->tenant_id);
	sqlite_bind_text(q, 3, contact);
	sqlite_bind_text(q, 4, a->lead_id);
	sqlite_bind_text(q, 5, lc->source);
	sqlite_bind_text(q, 6, lc->channel);
	sqlite_bind_text(q, 7, lc->consent_text_version);
	sqlite3_bind_int64(q, 8, lc->now);
	return sqlite_run(c, q, NULL);
}

int sq_lead_capture(struct store *st, const struct store_lead_capture *lc, char lead_id_out[STORE_ID_MAX],
		    bool *created)
{
	struct lead_capture_args a = {.lc = lc};
	int rc = sqlite_write_flushed(sqlite_of(st), lead_capture_tx, &a);
	if (rc == STORE_OK) {
		memcpy(lead_id_out, a.lead_id, STORE_ID_MAX);
		*created = a.created;
	}
	return rc;
}

/* A row of LEAD_SELECT (store_sqlite.c). */
static int read_lead(sqlite3_stmt *q, struct store_lead *out)
{
	bool ok = true;
	struct store_lead l = {0};
	sqlite_col_id(q, 0, l.id);
	sqlite_col_id(q, 1, l.bot_id);
	sqlite_col_id(q, 2, l.conversation_id);
	sqlite_col_id(q, 3, l.contact_id);
	l.email_sealed = sqlite_col_dup(q, 4, &ok);
	l.contact_wrapped_key = sqlite_col_dup(q, 5, &ok);
	l.source = sqlite_col_dup(q, 6, &ok);
	l.channel = sqlite_col_dup(q, 7, &ok);
	l.context = sqlite_col_dup(q, 8, &ok);
	l.consent_text_version = sqlite_col_dup(q, 9, &ok);
	l.consent_at = sqlite3_column_int64(q, 10);
	l.interest = sqlite3_column_int(q, 11);
	l.message_count = sqlite3_column_int(q, 12);
	l.conversation_started_at = sqlite3_column_int64(q, 13);
	l.last_message_at = sqlite3_column_int64(q, 14);
	l.created_at = sqlite3_column_int64(q, 15);
	if (!ok) {
		store_lead_clear(&l);
		return STORE_NOMEM;
	}
	*out = l;
	return STORE_OK;
}

int sq_lead_list(struct store *st, const char *tenant_id, const struct store_lead_filter *f, int64_t after_created,
		 const char *after_id, int limit, struct store_lead **out, int *n)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_LEAD_LIST) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, tenant_id);
	sqlite_bind_text(q, 2, f->bot_id);
	sqlite3_bind_int64(q, 3, f->from_ms);
	sqlite3_bind_int64(q, 4, f->to_ms);
	sqlite3_bind_int(q, 5, f->min_interest);
	sqlite_bind_text(q, 6, after_id);
	sqlite3_bind_int64(q, 7, after_created);
	sqlite3_bind_int(q, 8, limit);
	struct store_lead *rows = NULL;
	int count = 0, cap = 0, rc, res = STORE_OK;
	while (count < limit && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (!sqlite_grow((void **)&rows, &cap, count, limit, sizeof *rows)) {
			res = STORE_NOMEM;
			break;
		}
		if ((res = read_lead(q, &rows[count])) != STORE_OK)
			break;
		count++;
	}
	if (res == STORE_OK && count < limit && rc != SQLITE_DONE)
		res = sqlite_map_rc(rc);
	sqlite_done(q);
	if (res != STORE_OK) {
		while (count > 0)
			store_lead_clear(&rows[--count]);
		free(rows);
		return res;
	}
	*out = rows;
	*n = count;
	return STORE_OK;
}

int sq_lead_get(struct store *st, const char *tenant_id, const char *lead_id, struct store_lead *out)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_LEAD_GET) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, tenant_id);
	sqlite_bind_text(q, 2, lead_id);
	int rc = sqlite3_step(q), res;
	if (rc == SQLITE_ROW)
		res = read_lead(q, out);
	else
		res = rc == SQLITE_DONE ? STORE_NOTFOUND : sqlite_map_rc(rc);
	sqlite_done(q);
	return res;
}

/* ---- the contact's profile -------------------------------------------------------------------------- */

int sq_contact_profile_get(struct store *st, const char *tenant_id, const char *contact_id, char **sealed_profile)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_CONTACT_PROFILE_GET) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, contact_id);
	sqlite_bind_text(q, 2, tenant_id);
	int res = sqlite_step_row(q, STORE_NOTFOUND);
	if (res == STORE_OK) {
		bool ok = true;
		char *p = sqlite3_column_type(q, 0) == SQLITE_NULL ? NULL : sqlite_col_dup(q, 0, &ok);
		if (ok)
			*sealed_profile = p;
		else
			res = STORE_NOMEM;
	}
	sqlite_done(q);
	return res;
}

struct profile_args {
	const char *tenant_id, *contact_id, *sealed;
	int64_t now;
};

static int contact_profile_set_tx(struct conn *c, void *arg)
{
	const struct profile_args *a = arg;
	int changes = 0;
	sqlite3_stmt *q = sqlite_stmt(c, S_CONTACT_PROFILE_SET);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->contact_id);
	sqlite_bind_text(q, 2, a->tenant_id);
	sqlite_bind_text(q, 3, a->sealed);
	sqlite3_bind_int64(q, 4, a->now);
	int rc = sqlite_run(c, q, &changes);
	return rc == STORE_OK && changes == 0 ? STORE_NOTFOUND : rc;
}

int sq_contact_profile_set(struct store *st, const char *tenant_id, const char *contact_id, const char *sealed_profile,
			   int64_t now)
{
	struct profile_args a = {tenant_id, contact_id, sealed_profile, now};
	return sqlite_write(sqlite_of(st), contact_profile_set_tx, &a);
}

/* ---- erasure ---------------------------------------------------------------------------------------- */

struct erase_args {
	const char *tenant_id, *contact_id;
	int64_t now;
};

static int record_erasure(struct conn *c, const char *contact_id, const char *tenant_id, int64_t now)
{
	sqlite3_stmt *q = sqlite_stmt(c, S_ERASURE_INSERT);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, contact_id);
	sqlite_bind_text(q, 2, tenant_id);
	sqlite3_bind_int64(q, 3, now);
	return sqlite_run(c, q, NULL);
}

static int contact_erase_tx(struct conn *c, void *arg)
{
	static const enum stmt_id cascade[] = {S_CONTACT_DEL_MESSAGES, S_CONTACT_DEL_CONVS, S_CONTACT_DEL_LEADS,
					       S_CONTACT_DEL_CONSENTS, S_CONTACT_DELETE};
	const struct erase_args *a = arg;
	sqlite3_stmt *q = sqlite_stmt(c, S_CONTACT_EXISTS);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->contact_id);
	sqlite_bind_text(q, 2, a->tenant_id);
	int step = sqlite3_step(q);
	int rc = step == SQLITE_ROW ? STORE_OK : step == SQLITE_DONE ? STORE_NOTFOUND : sqlite_map_rc(step);
	sqlite_done(q);
	for (size_t i = 0; rc == STORE_OK && i < sizeof cascade / sizeof cascade[0]; i++)
		rc = sqlite_run_scoped(c, cascade[i], a->contact_id, a->tenant_id, NULL, NULL);
	if (rc == STORE_OK)
		rc = record_erasure(c, a->contact_id, a->tenant_id, a->now);
	return rc;
}

int sq_contact_erase(struct store *st, const char *tenant_id, const char *contact_id, int64_t now)
{
	struct erase_args a = {tenant_id, contact_id, now};
	return sqlite_write_flushed(sqlite_of(st), contact_erase_tx, &a);
}

/* Restore: by contact id alone (a restored backup's rows may be of any tenant). The erasure is recorded
 * under the contact's tenant when its row is still there, else under "". */
static int contact_purge_tx(struct conn *c, void *arg)
{
	static const enum stmt_id cascade[] = {S_PURGE_DEL_MESSAGES, S_PURGE_DEL_CONVS, S_PURGE_DEL_LEADS,
					       S_PURGE_DEL_CONSENTS, S_PURGE_DELETE};
	const struct erase_args *a = arg;
	char tenant[STORE_ID_MAX] = "";
	sqlite3_stmt *q = sqlite_stmt(c, S_PURGE_TENANT);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->contact_id);
	int step = sqlite3_step(q);
	if (step == SQLITE_ROW)
		sqlite_col_id(q, 0, tenant);
	int rc = step == SQLITE_ROW || step == SQLITE_DONE ? STORE_OK : sqlite_map_rc(step);
	sqlite_done(q);
	for (size_t i = 0; rc == STORE_OK && i < sizeof cascade / sizeof cascade[0]; i++) {
		if (!(q = sqlite_stmt(c, cascade[i])))
			return STORE_ERROR;
		sqlite_bind_text(q, 1, a->contact_id);
		rc = sqlite_run(c, q, NULL);
	}
	if (rc == STORE_OK)
		rc = record_erasure(c, a->contact_id, tenant, a->now);
	return rc;
}

int sq_contact_purge(struct store *st, const char *contact_id, int64_t now)
{
	struct erase_args a = {NULL, contact_id, now};
	return sqlite_write_flushed(sqlite_of(st), contact_purge_tx, &a);
}

/* The id is the statement's and valid during the emit call (so emit must not call store_erasure_list). */
int sq_erasure_list(struct store *st, int (*emit)(void *ud, const char *contact_id), void *ud)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_ERASURE_LIST) : NULL;
	int rc, res = STORE_OK;
	if (!q)
		return STORE_ERROR;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		bool ok = true;
		const char *id = sqlite_col_str(c, q, 0, &ok);
		if (!ok) {
			res = STORE_NOMEM;
			break;
		}
		int stop = emit(ud, id);
		if (stop != 0) {
			res = stop;
			break;
		}
	}
	if (res == STORE_OK && rc != SQLITE_DONE) {
		sqlite_log("erasure_list", c->db);
		res = sqlite_map_rc(rc);
	}
	sqlite_done(q);
	return res;
}
