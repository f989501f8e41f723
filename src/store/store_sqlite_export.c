/*
 * store_sqlite_export.c — the SQLite backend's data-subject export: one contact with its wrapped key, one
 * conversation by id (with its contact's wrapped key), and a contact's conversations, consents and leads.
 *
 * Reads on the calling thread's connection (never the writer). They run rarely (an export), so they keep
 * their SQL here and are prepared per call like store_sqlite_stats.c's. Every statement filters on the
 * tenant. Sealed columns are returned as stored.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "store/sqlite_int.h"

static const char CONTACT_SQL[] =
	"SELECT id, bot_id, wrapped_key, email, phone, name, profile, channel, created_at, updated_at "
	"FROM contacts WHERE tenant_id = ?1 AND id = ?2";

static const char CONVERSATION_SQL[] =
	"SELECT c.id, c.bot_id, coalesce(c.contact_id, ''), c.channel, c.message_count, c.created_at, "
	"c.last_message_at, k.wrapped_key FROM conversations c "
	"LEFT JOIN contacts k ON k.tenant_id = c.tenant_id AND k.id = c.contact_id "
	"WHERE c.tenant_id = ?1 AND c.id = ?2";

static const char CONVERSATIONS_SQL[] =
	"SELECT id, bot_id, coalesce(contact_id, ''), channel, message_count, created_at, last_message_at "
	"FROM conversations WHERE tenant_id = ?1 AND contact_id = ?2 ORDER BY created_at, id LIMIT ?3";

static const char CONSENTS_SQL[] =
	"SELECT id, coalesce(lead_id, ''), purpose, source, channel, text_version, granted_at "
	"FROM consents WHERE tenant_id = ?1 AND contact_id = ?2 ORDER BY granted_at, id LIMIT ?3";

static const char LEADS_SQL[] =
	"SELECT id, bot_id, conversation_id, source, channel, context, message, interest, created_at "
	"FROM leads WHERE tenant_id = ?1 AND contact_id = ?2 ORDER BY created_at, id LIMIT ?3";

/* A statement prepared for this call (finalize it); NULL on failure (logged). */
static sqlite3_stmt *prep(struct conn *c, const char *sql)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(c->db, sql, -1, &q, NULL) != SQLITE_OK) {
		sqlite_log("prepare (export)", c->db);
		sqlite3_finalize(q);
		return NULL;
	}
	return q;
}

/* A text column copied to the heap, NULL for SQL NULL; *ok turns false when memory runs out. */
int sq_contact_get(struct store *st, const char *tenant_id, const char *contact_id, struct store_contact *out)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	struct store_contact k = {0};
	sqlite3_stmt *q = NULL;
	bool ok = true;
	int rc = STORE_ERROR, step;

	if (!c || !(q = prep(c, CONTACT_SQL)))
		goto cleanup;
	sqlite_bind_text(q, 1, tenant_id);
	sqlite_bind_text(q, 2, contact_id);
	step = sqlite3_step(q);
	if (step != SQLITE_ROW) {
		rc = step == SQLITE_DONE ? STORE_NOTFOUND : sqlite_map_rc(step);
		goto cleanup;
	}
	sqlite_col_id(q, 0, k.id);
	sqlite_col_id(q, 1, k.bot_id);
	k.wrapped_key = sqlite_col_dup(q, 2, &ok);
	k.email_sealed = sqlite_col_dup_null(q, 3, &ok);
	k.phone_sealed = sqlite_col_dup_null(q, 4, &ok);
	k.name_sealed = sqlite_col_dup_null(q, 5, &ok);
	k.profile_sealed = sqlite_col_dup_null(q, 6, &ok);
	k.channel = sqlite_col_dup(q, 7, &ok);
	k.created_at = sqlite3_column_int64(q, 8);
	k.updated_at = sqlite3_column_int64(q, 9);
	rc = ok ? STORE_OK : STORE_NOMEM;
cleanup:
	sqlite3_finalize(q);
	if (rc == STORE_OK)
		*out = k;
	else
		store_contact_clear(&k);
	return rc;
}

/* Columns 0..6 of CONVERSATION_SQL and CONVERSATIONS_SQL. */
static int read_conversation(sqlite3_stmt *q, void *row)
{
	struct store_conversation *v = row;
	bool ok = true;
	memset(v, 0, sizeof *v);
	sqlite_col_id(q, 0, v->id);
	sqlite_col_id(q, 1, v->bot_id);
	sqlite_col_id(q, 2, v->contact_id);
	v->channel = sqlite_col_dup(q, 3, &ok);
	v->message_count = sqlite3_column_int(q, 4);
	v->started_at = sqlite3_column_int64(q, 5);
	v->last_message_at = sqlite3_column_int64(q, 6);
	return ok ? STORE_OK : STORE_NOMEM;
}

static void clear_conversation(void *row)
{
	store_conversation_clear(row);
}

int sq_conversation_get(struct store *st, const char *tenant_id, const char *conv_id, struct store_conversation *out,
			char **wrapped_key)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	struct store_conversation v = {0};
	sqlite3_stmt *q = NULL;
	char *wrapped = NULL;
	bool ok = true;
	int rc = STORE_ERROR, step;

	if (!c || !(q = prep(c, CONVERSATION_SQL)))
		goto cleanup;
	sqlite_bind_text(q, 1, tenant_id);
	sqlite_bind_text(q, 2, conv_id);
	step = sqlite3_step(q);
	if (step != SQLITE_ROW) {
		rc = step == SQLITE_DONE ? STORE_NOTFOUND : sqlite_map_rc(step);
		goto cleanup;
	}
	rc = read_conversation(q, &v);
	if (rc != STORE_OK)
		goto cleanup;
	wrapped = sqlite_col_dup_null(q, 7, &ok);
	rc = ok ? STORE_OK : STORE_NOMEM;
cleanup:
	sqlite3_finalize(q);
	if (rc == STORE_OK) {
		*out = v;
		*wrapped_key = wrapped;
	} else {
		store_conversation_clear(&v);
		free(wrapped);
	}
	return rc;
}

static int read_consent(sqlite3_stmt *q, void *row)
{
	struct store_consent *v = row;
	bool ok = true;
	memset(v, 0, sizeof *v);
	sqlite_col_id(q, 0, v->id);
	sqlite_col_id(q, 1, v->lead_id);
	v->purpose = sqlite_col_dup(q, 2, &ok);
	v->source = sqlite_col_dup(q, 3, &ok);
	v->channel = sqlite_col_dup(q, 4, &ok);
	v->text_version = sqlite_col_dup(q, 5, &ok);
	v->granted_at = sqlite3_column_int64(q, 6);
	return ok ? STORE_OK : STORE_NOMEM;
}

static void clear_consent(void *row)
{
	store_consent_clear(row);
}

static int read_lead(sqlite3_stmt *q, void *row)
{
	struct store_contact_lead *v = row;
	bool ok = true;
	memset(v, 0, sizeof *v);
	sqlite_col_id(q, 0, v->id);
	sqlite_col_id(q, 1, v->bot_id);
	sqlite_col_id(q, 2, v->conversation_id);
	v->source = sqlite_col_dup(q, 3, &ok);
	v->channel = sqlite_col_dup(q, 4, &ok);
	v->context = sqlite_col_dup(q, 5, &ok);
	v->message_sealed = sqlite_col_dup_null(q, 6, &ok);
	v->interest = sqlite3_column_int(q, 7);
	v->created_at = sqlite3_column_int64(q, 8);
	return ok ? STORE_OK : STORE_NOMEM;
}

static void clear_lead(void *row)
{
	store_contact_lead_clear(row);
}

/* Runs one of the contact list statements (?1 tenant, ?2 contact, ?3 limit) and reads up to `limit` rows of
 * `size` bytes each with `read` into a malloc'd array (NULL when there are none). A row whose read fails is
 * cleared with the others (every clear takes a partly filled row). */
static int list_rows(struct store *st, const char *sql, const char *tenant_id, const char *contact_id, int limit,
		     size_t size, int (*read)(sqlite3_stmt *, void *), void (*clear)(void *), void **out, int *n)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = NULL;
	void *rows = NULL;
	int count = 0, cap = 0, rc = STORE_ERROR, step = SQLITE_DONE;

	if (!c || !(q = prep(c, sql)))
		goto cleanup;
	sqlite_bind_text(q, 1, tenant_id);
	sqlite_bind_text(q, 2, contact_id);
	sqlite3_bind_int(q, 3, limit);
	rc = STORE_OK;
	while (count < limit && (step = sqlite3_step(q)) == SQLITE_ROW) {
		if (!sqlite_grow(&rows, &cap, count, limit, size)) {
			rc = STORE_NOMEM;
			goto cleanup;
		}
		void *row = (char *)rows + (size_t)count * size;
		rc = read(q, row);
		if (rc != STORE_OK) {
			clear(row);
			goto cleanup;
		}
		count++;
	}
	if (count < limit && step != SQLITE_DONE)
		rc = sqlite_map_rc(step);
cleanup:
	sqlite3_finalize(q);
	if (rc != STORE_OK) {
		while (count > 0)
			clear((char *)rows + (size_t)--count * size);
		free(rows);
		return rc;
	}
	if (count == 0) {
		free(rows);
		rows = NULL;
	}
	*out = rows;
	*n = count;
	return STORE_OK;
}

int sq_contact_conversations(struct store *st, const char *tenant_id, const char *contact_id, int limit,
			     struct store_conversation **out, int *n)
{
	void *rows = NULL;
	int rc = list_rows(st, CONVERSATIONS_SQL, tenant_id, contact_id, limit, sizeof **out, read_conversation,
			   clear_conversation, &rows, n);
	if (rc == STORE_OK)
		*out = rows;
	return rc;
}

int sq_contact_consents(struct store *st, const char *tenant_id, const char *contact_id, int limit,
			struct store_consent **out, int *n)
{
	void *rows = NULL;
	int rc = list_rows(st, CONSENTS_SQL, tenant_id, contact_id, limit, sizeof **out, read_consent, clear_consent,
			   &rows, n);
	if (rc == STORE_OK)
		*out = rows;
	return rc;
}

int sq_contact_leads(struct store *st, const char *tenant_id, const char *contact_id, int limit,
		     struct store_contact_lead **out, int *n)
{
	void *rows = NULL;
	int rc = list_rows(st, LEADS_SQL, tenant_id, contact_id, limit, sizeof **out, read_lead, clear_lead, &rows, n);
	if (rc == STORE_OK)
		*out = rows;
	return rc;
}
