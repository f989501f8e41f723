/*
 * store_pg_wa.c — the PostgreSQL backend's WhatsApp contacts, consent state and messages (migration 008).
 *
 * A contact upsert locks the bot row first (FOR KEY SHARE, pg_bot_lock), like every writer that adds rows
 * under a bot; the insert's ON CONFLICT on the number's blind index makes two nodes racing for one number
 * end with one contact. A consent change updates the contact row first, so it serialises with an erasure
 * (which locks that row): it either lands before the erasure (and is erased with the contact) or finds no
 * contact. Messages reference their contact (foreign key): an erasure in flight makes a late insert fail
 * as not found. Statuses only move forward (store_wa_status_from). Statements: store_pg_sql.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_int.h"

/* ---- contacts ------------------------------------------------------------------------------------------ */

/* Row 0 of a contact result (PG_WAC_COLS in store_pg_sql.c) into *out. */
static int contact_from_row(const PGresult *r, struct store_wa_contact *out)
{
	bool ok = true;
	struct store_wa_contact k = {0};
	if (!pg_col_id(r, 0, 0, k.id) || !pg_col_id(r, 0, 1, k.bot_id))
		return STORE_ERROR;
	k.wrapped_key = pg_col_dup(r, 0, 2, &ok);
	k.e164_sealed = pg_col_dup(r, 0, 3, &ok);
	k.first_name_sealed = pg_col_dup(r, 0, 4, &ok);
	k.timezone = pg_col_dup(r, 0, 5, &ok);
	k.language = pg_col_dup(r, 0, 6, &ok);
	k.consent_status = pg_col_dup(r, 0, 7, &ok);
	k.consent_source = pg_col_dup(r, 0, 8, &ok);
	k.consent_text_version = pg_col_dup(r, 0, 9, &ok);
	k.consent_at = pg_col_i64(r, 0, 10);
	k.last_inbound_at = pg_col_i64(r, 0, 11);
	k.created_at = pg_col_i64(r, 0, 12);
	k.updated_at = pg_col_i64(r, 0, 13);
	if (ok && (!k.e164_sealed || !k.wrapped_key)) {
		/* a contact of another channel: reads as "" like the other fixed columns */
		if (!k.e164_sealed)
			k.e164_sealed = store_strdup("", &ok);
		if (!k.wrapped_key)
			k.wrapped_key = store_strdup("", &ok);
	}
	if (!ok) {
		store_wa_contact_clear(&k);
		return STORE_NOMEM;
	}
	*out = k;
	return STORE_OK;
}

int pg_wa_contact_upsert(struct store *st, const struct store_wa_contact_in *c, char contact_id[STORE_ID_MAX],
			 bool *created)
{
	if (!c->id || !c->e164_bidx)
		return STORE_ERROR;
	struct pg_store *ps = pg_of(st);
	struct pg_conn *conn;
	struct pg_num nnow;
	char id[STORE_ID_MAX] = "";
	int rc = pg_pool_acquire(ps, &conn);
	if (rc != STORE_OK)
		return rc;
	if ((rc = pg_tx_begin(conn)) != STORE_OK)
		goto out;
	if ((rc = pg_bot_lock(conn, c->tenant_id, c->bot_id, NULL)) == STORE_OK) {
		const char *p[] = {c->id,	 c->tenant_id,	  c->bot_id,	       c->wrapped_key, pg_num(&nnow, c->now),
				   c->e164_bidx, c->e164_sealed, c->first_name_sealed, c->timezone,	c->language};
		PGresult *res = pg_exec(conn, Q_WAC_UPSERT, p, NULL, NULL, &rc);
		if (res) {
			if (PQntuples(res) != 1 || !pg_col_id(res, 0, 0, id))
				rc = STORE_ERROR;
			PQclear(res);
		}
	}
	rc = pg_tx_end(conn, rc);
out:
	pg_pool_release(ps, conn);
	if (rc == STORE_OK) {
		snprintf(contact_id, STORE_ID_MAX, "%s", id);
		*created = !strcmp(id, c->id);
	}
	return rc;
}

int pg_wa_contact_find(struct store *st, const char *tenant_id, const char *contact_id, const char *bot_id,
		       const char *e164_bidx, struct store_wa_contact *out)
{
	const char *by_id[] = {contact_id, tenant_id};
	const char *by_bidx[] = {tenant_id, bot_id, e164_bidx};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), contact_id ? Q_WAC_GET : Q_WAC_BY_BIDX, contact_id ? by_id : by_bidx, NULL, NULL,
			&res);
	if (rc != STORE_OK)
		return rc;
	rc = PQntuples(res) == 1 ? contact_from_row(res, out) : STORE_NOTFOUND;
	PQclear(res);
	return rc;
}

int pg_wa_consent_set(struct store *st, const struct store_wa_consent *cs)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *conn;
	struct pg_num nat;
	int64_t affected = 0;
	int rc = pg_pool_acquire(ps, &conn);
	if (rc != STORE_OK)
		return rc;
	if ((rc = pg_tx_begin(conn)) != STORE_OK)
		goto out;
	const char *p[] = {cs->contact_id, cs->tenant_id, cs->status, cs->source, cs->text_version, pg_num(&nat, cs->at)};
	rc = pg_cmd(conn, Q_WAC_CONSENT, p, &affected);
	if (rc == STORE_OK && affected == 0) {
		/* an older decision than the stored one, or no such contact */
		PGresult *res = pg_exec(conn, Q_WAC_EXISTS, p, NULL, NULL, &rc);
		if (res) {
			rc = PQntuples(res) > 0 ? STORE_CONFLICT : STORE_NOTFOUND;
			PQclear(res);
		}
	} else if (rc == STORE_OK && cs->consent_id && !strcmp(cs->status, "granted")) {
		const char *pl[] = {cs->consent_id, cs->tenant_id, cs->contact_id, cs->source, cs->text_version, nat.s};
		rc = pg_cmd(conn, Q_WAC_CONSENT_LEDGER, pl, NULL);
	}
	rc = pg_tx_end(conn, rc);
out:
	pg_pool_release(ps, conn);
	return rc;
}

int pg_wa_touch_inbound(struct store *st, const char *tenant_id, const char *contact_id, int64_t at)
{
	struct pg_num nat;
	const char *p[] = {contact_id, tenant_id, pg_num(&nat, at)};
	int64_t affected = 0;
	int rc = pg_one_cmd(pg_of(st), Q_WAC_TOUCH, p, &affected);
	return rc == STORE_OK && affected == 0 ? STORE_NOTFOUND : rc;
}

/* ---- messages ------------------------------------------------------------------------------------------- */

int pg_wa_message_add(struct store *st, const struct store_wa_message_in *m)
{
	struct pg_num nnow;
	const char *p[] = {m->id,	 m->tenant_id,		m->bot_id, m->contact_id, m->conversation_id, m->direction,
			   m->provider_message_id, m->kind, m->body_sealed, m->status, pg_num(&nnow, m->now)};
	int64_t affected = 0;
	int rc = pg_one_cmd(pg_of(st), Q_WAM_INSERT, p, &affected);
	if (rc != STORE_OK || affected > 0)
		return rc;
	/* nothing inserted: the provider id is taken (a duplicate), or the contact is not the bot's */
	const char *pc[] = {m->contact_id, m->tenant_id, m->bot_id};
	PGresult *res = NULL;
	rc = pg_one(pg_of(st), Q_WAM_CONTACT_OK, pc, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	rc = PQntuples(res) > 0 ? STORE_CONFLICT : STORE_NOTFOUND;
	PQclear(res);
	return rc;
}

int pg_wa_message_sent(struct store *st, const char *tenant_id, const char *id, const char *provider_message_id,
		       int64_t now)
{
	struct pg_num nnow;
	const char *p[] = {id, tenant_id, provider_message_id, pg_num(&nnow, now)};
	int64_t affected = 0;
	int rc = pg_one_cmd(pg_of(st), Q_WAM_SENT, p, &affected);
	return rc == STORE_OK && affected == 0 ? STORE_NOTFOUND : rc;
}

int pg_wa_message_status(struct store *st, const char *tenant_id, const char *bot_id, const char *provider_message_id,
			 const char *status, int error_code, int64_t now)
{
	struct pg_num ncode, nnow;
	const char *p[] = {bot_id, tenant_id, provider_message_id, status, pg_num(&ncode, error_code), pg_num(&nnow, now),
			   store_wa_status_from(status)};
	int64_t affected = 0;
	int rc = pg_one_cmd(pg_of(st), Q_WAM_STATUS, p, &affected);
	if (rc != STORE_OK || affected > 0)
		return rc;
	/* a status that would move back (or repeats) is fine; an unknown message is not */
	PGresult *res = NULL;
	rc = pg_one(pg_of(st), Q_WAM_EXISTS, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	rc = PQntuples(res) > 0 ? STORE_OK : STORE_NOTFOUND;
	PQclear(res);
	return rc;
}

/* Row `row` of a message result (PG_WAM_COLS in store_pg_sql.c) into *out. */
static int message_from_row(const PGresult *r, int row, struct store_wa_message *out)
{
	bool ok = true;
	struct store_wa_message m = {0};
	if (!pg_col_id(r, row, 0, m.id) || !pg_col_id(r, row, 1, m.bot_id) || !pg_col_id(r, row, 2, m.contact_id) ||
	    !pg_col_id(r, row, 3, m.conversation_id))
		return STORE_ERROR;
	m.direction = pg_col_dup(r, row, 4, &ok);
	m.provider_message_id = pg_col_dup(r, row, 5, &ok);
	m.kind = pg_col_dup(r, row, 6, &ok);
	m.body_sealed = pg_col_dup(r, row, 7, &ok);
	m.status = pg_col_dup(r, row, 8, &ok);
	m.error_code = (int)pg_col_i64(r, row, 9);
	m.created_at = pg_col_i64(r, row, 10);
	m.updated_at = pg_col_i64(r, row, 11);
	if (!ok) {
		store_wa_message_clear(&m);
		return STORE_NOMEM;
	}
	*out = m;
	return STORE_OK;
}

int pg_wa_message_get(struct store *st, const char *tenant_id, const char *id, struct store_wa_message *out)
{
	const char *p[] = {id, tenant_id};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_WAM_GET, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	rc = PQntuples(res) == 1 ? message_from_row(res, 0, out) : STORE_NOTFOUND;
	PQclear(res);
	return rc;
}

int pg_wa_messages_list(struct store *st, const char *tenant_id, const char *contact_id, int limit,
			struct store_wa_message **out, int *n)
{
	struct pg_num nl;
	const char *p[] = {tenant_id, contact_id, pg_num(&nl, limit)};
	PGresult *res = NULL;
	struct store_wa_message *rows = NULL;
	int rc = pg_one(pg_of(st), Q_WAM_LIST, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	int got = PQntuples(res), i = 0;
	if (got > limit)
		got = limit;
	if (got > 0 && !(rows = calloc((size_t)got, sizeof *rows))) {
		rc = STORE_NOMEM;
		goto cleanup;
	}
	for (i = 0; i < got; i++)
		if ((rc = message_from_row(res, i, &rows[i])) != STORE_OK)
			break;
	if (rc != STORE_OK) {
		while (i-- > 0)
			store_wa_message_clear(&rows[i]);
		free(rows);
		goto cleanup;
	}
	*out = rows;
	*n = got;
cleanup:
	PQclear(res);
	return rc;
}
