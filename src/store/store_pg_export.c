/*
 * store_pg_export.c — the PostgreSQL backend's data-subject export: one contact with its wrapped key, one
 * conversation by id (with its contact's wrapped key), and a contact's conversations, consents and leads.
 *
 * The statements run rarely (an export), so they keep their SQL here and go through pg_exec_sql (parameters
 * sent apart from the SQL) like store_pg_stats.c's. Each is one statement on a pooled connection; no locks
 * are taken. Every statement filters on the tenant. Sealed columns are returned as stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store/pg_int.h"

static const char CONTACT_SQL[] =
	"SELECT id, bot_id, wrapped_key, email, phone, name, profile, channel, created_at, updated_at "
	"FROM contacts WHERE tenant_id = $1 AND id = $2";

static const char CONVERSATION_SQL[] =
	"SELECT c.id, c.bot_id, coalesce(c.contact_id, ''), c.channel, c.message_count, c.created_at, "
	"c.last_message_at, k.wrapped_key FROM conversations c "
	"LEFT JOIN contacts k ON k.tenant_id = c.tenant_id AND k.id = c.contact_id "
	"WHERE c.tenant_id = $1 AND c.id = $2";

static const char CONVERSATIONS_SQL[] =
	"SELECT id, bot_id, coalesce(contact_id, ''), channel, message_count, created_at, last_message_at "
	"FROM conversations WHERE tenant_id = $1 AND contact_id = $2 ORDER BY created_at, id LIMIT $3::integer";

static const char CONSENTS_SQL[] =
	"SELECT id, coalesce(lead_id, ''), purpose, source, channel, text_version, granted_at "
	"FROM consents WHERE tenant_id = $1 AND contact_id = $2 ORDER BY granted_at, id LIMIT $3::integer";

static const char LEADS_SQL[] =
	"SELECT id, bot_id, conversation_id, source, channel, context, message, interest, created_at "
	"FROM leads WHERE tenant_id = $1 AND contact_id = $2 ORDER BY created_at, id LIMIT $3::integer";

/* One statement on a pooled connection: the result (PQclear it), or NULL with *rc set. */
static PGresult *query(struct store *st, const char *op, const char *sql, int nparams, const char *const *params,
		       int *rc)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	*rc = pg_pool_acquire(ps, &c);
	if (*rc != STORE_OK)
		return NULL;
	PGresult *res = pg_exec_sql(c, op, sql, nparams, params, rc);
	pg_pool_release(ps, c);
	return res;
}

int pg_contact_get(struct store *st, const char *tenant_id, const char *contact_id, struct store_contact *out)
{
	const char *p[] = {tenant_id, contact_id};
	struct store_contact k = {0};
	bool ok = true;
	int rc;
	PGresult *res = query(st, "contact_get", CONTACT_SQL, 2, p, &rc);
	if (!res)
		return rc;
	if (PQntuples(res) == 0) {
		rc = STORE_NOTFOUND;
		goto cleanup;
	}
	pg_col_id(res, 0, 0, k.id);
	pg_col_id(res, 0, 1, k.bot_id);
	k.wrapped_key = pg_col_dup(res, 0, 2, &ok);
	k.email_sealed = pg_col_dup(res, 0, 3, &ok);
	k.phone_sealed = pg_col_dup(res, 0, 4, &ok);
	k.name_sealed = pg_col_dup(res, 0, 5, &ok);
	k.profile_sealed = pg_col_dup(res, 0, 6, &ok);
	k.channel = pg_col_dup(res, 0, 7, &ok);
	k.created_at = pg_col_i64(res, 0, 8);
	k.updated_at = pg_col_i64(res, 0, 9);
	rc = ok ? STORE_OK : STORE_NOMEM;
cleanup:
	PQclear(res);
	if (rc == STORE_OK)
		*out = k;
	else
		store_contact_clear(&k);
	return rc;
}

/* Columns 0..6 of CONVERSATION_SQL and CONVERSATIONS_SQL. */
static int read_conversation(const PGresult *res, int row, void *dst)
{
	struct store_conversation *v = dst;
	bool ok = true;
	memset(v, 0, sizeof *v);
	pg_col_id(res, row, 0, v->id);
	pg_col_id(res, row, 1, v->bot_id);
	pg_col_id(res, row, 2, v->contact_id);
	v->channel = pg_col_dup(res, row, 3, &ok);
	v->message_count = (int)pg_col_i64(res, row, 4);
	v->started_at = pg_col_i64(res, row, 5);
	v->last_message_at = pg_col_i64(res, row, 6);
	return ok ? STORE_OK : STORE_NOMEM;
}

static void clear_conversation(void *row)
{
	store_conversation_clear(row);
}

int pg_conversation_get(struct store *st, const char *tenant_id, const char *conv_id, struct store_conversation *out,
			char **wrapped_key)
{
	const char *p[] = {tenant_id, conv_id};
	struct store_conversation v = {0};
	char *wrapped = NULL;
	bool ok = true;
	int rc;
	PGresult *res = query(st, "conversation_get", CONVERSATION_SQL, 2, p, &rc);
	if (!res)
		return rc;
	if (PQntuples(res) == 0) {
		rc = STORE_NOTFOUND;
		goto cleanup;
	}
	rc = read_conversation(res, 0, &v);
	if (rc != STORE_OK)
		goto cleanup;
	wrapped = pg_col_dup(res, 0, 7, &ok);
	rc = ok ? STORE_OK : STORE_NOMEM;
cleanup:
	PQclear(res);
	if (rc == STORE_OK) {
		*out = v;
		*wrapped_key = wrapped;
	} else {
		store_conversation_clear(&v);
		free(wrapped);
	}
	return rc;
}

static int read_consent(const PGresult *res, int row, void *dst)
{
	struct store_consent *v = dst;
	bool ok = true;
	memset(v, 0, sizeof *v);
	pg_col_id(res, row, 0, v->id);
	pg_col_id(res, row, 1, v->lead_id);
	v->purpose = pg_col_dup(res, row, 2, &ok);
	v->source = pg_col_dup(res, row, 3, &ok);
	v->channel = pg_col_dup(res, row, 4, &ok);
	v->text_version = pg_col_dup(res, row, 5, &ok);
	v->granted_at = pg_col_i64(res, row, 6);
	return ok ? STORE_OK : STORE_NOMEM;
}

static void clear_consent(void *row)
{
	store_consent_clear(row);
}

static int read_lead(const PGresult *res, int row, void *dst)
{
	struct store_contact_lead *v = dst;
	bool ok = true;
	memset(v, 0, sizeof *v);
	pg_col_id(res, row, 0, v->id);
	pg_col_id(res, row, 1, v->bot_id);
	pg_col_id(res, row, 2, v->conversation_id);
	v->source = pg_col_dup(res, row, 3, &ok);
	v->channel = pg_col_dup(res, row, 4, &ok);
	v->context = pg_col_dup(res, row, 5, &ok);
	v->message_sealed = pg_col_dup(res, row, 6, &ok);
	v->interest = (int)pg_col_i64(res, row, 7);
	v->created_at = pg_col_i64(res, row, 8);
	return ok ? STORE_OK : STORE_NOMEM;
}

static void clear_lead(void *row)
{
	store_contact_lead_clear(row);
}

/* Runs one of the contact list statements ($1 tenant, $2 contact, $3 limit) and reads its rows (at most
 * `limit`) of `size` bytes each with `read` into a malloc'd array (NULL when there are none). A row whose
 * read fails is cleared with the others (every clear takes a partly filled row). */
static int list_rows(struct store *st, const char *op, const char *sql, const char *tenant_id,
		     const char *contact_id, int limit, size_t size, int (*read)(const PGresult *, int, void *),
		     void (*clear)(void *), void **out, int *n)
{
	struct pg_num nl;
	const char *p[] = {tenant_id, contact_id, pg_num(&nl, limit)};
	char *rows = NULL;
	int count = 0, rc;
	PGresult *res = query(st, op, sql, 3, p, &rc);
	if (!res)
		return rc;
	int total = PQntuples(res);
	if (total > limit)
		total = limit;
	if (total > 0 && !(rows = calloc((size_t)total, size))) {
		rc = STORE_NOMEM;
		goto cleanup;
	}
	for (; count < total; count++) {
		rc = read(res, count, rows + (size_t)count * size);
		if (rc != STORE_OK) {
			clear(rows + (size_t)count * size);
			goto cleanup;
		}
	}
	rc = STORE_OK;
cleanup:
	PQclear(res);
	if (rc != STORE_OK) {
		while (count > 0)
			clear(rows + (size_t)--count * size);
		free(rows);
		return rc;
	}
	*out = rows;
	*n = count;
	return STORE_OK;
}

int pg_contact_conversations(struct store *st, const char *tenant_id, const char *contact_id, int limit,
			     struct store_conversation **out, int *n)
{
	void *rows = NULL;
	int rc = list_rows(st, "contact_conversations", CONVERSATIONS_SQL, tenant_id, contact_id, limit, sizeof **out,
			   read_conversation, clear_conversation, &rows, n);
	if (rc == STORE_OK)
		*out = rows;
	return rc;
}

int pg_contact_consents(struct store *st, const char *tenant_id, const char *contact_id, int limit,
			struct store_consent **out, int *n)
{
	void *rows = NULL;
	int rc = list_rows(st, "contact_consents", CONSENTS_SQL, tenant_id, contact_id, limit, sizeof **out,
			   read_consent, clear_consent, &rows, n);
	if (rc == STORE_OK)
		*out = rows;
	return rc;
}

int pg_contact_leads(struct store *st, const char *tenant_id, const char *contact_id, int limit,
		     struct store_contact_lead **out, int *n)
{
	void *rows = NULL;
	int rc = list_rows(st, "contact_leads", LEADS_SQL, tenant_id, contact_id, limit, sizeof **out, read_lead,
			   clear_lead, &rows, n);
	if (rc == STORE_OK)
		*out = rows;
	return rc;
}
