/*
 * store_pg_contacts.c — PostgreSQL operations on personal data: tenant keys, the leads and consents of a
 * conversation's contact, the contact's sealed profile, and erasure (store_contact_erase, its record in
 * `erasures`, and the purge a restore runs). The contact itself is created with its conversation (pg_exchange_save in
 * store_pg_bots.c); the statements' SQL, the pool and the ops table are in store_pg.c.
 *
 * Everything here is what src/privacy/seal.h made of the data (sealed text, wrapped keys, blind indexes);
 * the store never sees plaintext. Locking follows "Consistency" in pg_int.h: the bot row first.
 */
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store/pg_int.h"

/* ---- tenant keys --------------------------------------------------------------------------------- */

/* Reads the tenant's wrapped key into *wrapped (heap copy, NULL when it has none). */
static int read_tenant_key(struct pg_conn *c, const char *tenant_id, char **wrapped)
{
	const char *p[] = {tenant_id};
	int rc;
	PGresult *res = pg_exec(c, Q_TENANT_KEY_GET, p, NULL, NULL, &rc);
	if (!res)
		return rc;
	bool ok = true;
	if (PQntuples(res) == 0) {
		rc = STORE_NOTFOUND;
	} else {
		char *key = pg_col_dup(res, 0, 0, &ok);
		if (ok)
			*wrapped = key;
		else
			rc = STORE_NOMEM;
	}
	PQclear(res);
	return rc;
}

int pg_tenant_key_get(struct store *st, const char *tenant_id, char **wrapped)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	rc = read_tenant_key(c, tenant_id, wrapped);
	pg_pool_release(ps, c);
	return rc;
}

/* A node racing us waits in its UPDATE for our commit, then changes nothing and reads our key. */
int pg_tenant_key_init(struct store *st, const char *tenant_id, const char *wrapped, char **current)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	const char *p[] = {tenant_id, wrapped};
	char *key = NULL;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = pg_tx_begin(c)) != STORE_OK)
		goto out;
	rc = pg_cmd(c, Q_TENANT_KEY_SET, p, NULL);
	if (rc == STORE_OK)
		rc = read_tenant_key(c, tenant_id, &key);
	rc = pg_tx_end(c, rc);
out:
	pg_pool_release(ps, c);
	if (rc == STORE_OK)
		*current = key;
	else
		free(key);
	return rc;
}

/* ---- leads and consents -------------------------------------------------------------------------- */

/* The contact of the tenant's conversation (STORE_NOTFOUND when there is none). */
static int conversation_contact_id(struct pg_conn *c, const struct store_lead_capture *lc,
				   char contact_id[STORE_ID_MAX])
{
	const char *p[] = {lc->tenant_id, lc->bot_id, lc->conversation_id};
	int rc;
	PGresult *res = pg_exec(c, Q_CONV_CONTACT, p, NULL, NULL, &rc);
	if (!res)
		return rc;
	if (PQntuples(res) == 0) {
		rc = STORE_NOTFOUND;
	} else if (!pg_col_id(res, 0, 0, contact_id)) {
		pg_log("lead_capture", NULL, "id longer than STORE_ID_MAX");
		rc = STORE_ERROR;
	}
	PQclear(res);
	return rc;
}

/* The lead of the conversation for this email (the one just added or the earlier one). */
static int find_lead(struct pg_conn *c, const struct store_lead_capture *lc, char lead_id[STORE_ID_MAX])
{
	const char *p[] = {lc->tenant_id, lc->conversation_id, lc->email_bidx};
	int rc;
	PGresult *res = pg_exec(c, Q_LEAD_FIND, p, NULL, NULL, &rc);
	if (!res)
		return rc;
	if (PQntuples(res) == 0) {
		rc = STORE_NOTFOUND;
	} else if (!pg_col_id(res, 0, 0, lead_id)) {
		pg_log("lead_capture", NULL, "id longer than STORE_ID_MAX");
		rc = STORE_ERROR;
	}
	PQclear(res);
	return rc;
}

int pg_lead_capture(struct store *st, const struct store_lead_capture *lc, char lead_id_out[STORE_ID_MAX],
		    bool *created)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct pg_num nnow, nint;
	char contact[STORE_ID_MAX], lead[STORE_ID_MAX];
	int64_t affected = 0, inserted = 0;
	pg_num(&nnow, lc->now);
	pg_num(&nint, lc->interest);
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = pg_tx_begin(c)) != STORE_OK)
		goto out;
	if ((rc = pg_bot_lock(c, lc->tenant_id, lc->bot_id, NULL)) != STORE_OK)
		goto end;
	if ((rc = conversation_contact_id(c, lc, contact)) != STORE_OK)
		goto end;
	/* waits for an erasure in flight; the contact may be gone after it */
	const char *pe[] = {lc->tenant_id, contact, lc->email_sealed, lc->email_bidx, nnow.s};
	if ((rc = pg_cmd(c, Q_CONTACT_SET_EMAIL, pe, &affected)) != STORE_OK)
		goto end;
	if (affected == 0) {
		rc = STORE_NOTFOUND;
		goto end;
	}
	/* a second capture of the same email in this conversation keeps the first lead */
	const char *pl[] = {lc->lead_id, lc->tenant_id, lc->bot_id, lc->conversation_id, contact, lc->email_bidx,
			    lc->source, lc->channel, lc->context ? lc->context : "{}", nint.s, nnow.s};
	if ((rc = pg_cmd(c, Q_LEAD_CREATE, pl, &inserted)) != STORE_OK)
		goto end;
	if ((rc = find_lead(c, lc, lead)) != STORE_OK)
		goto end;
	/* every grant is evidence: recorded each time */
	const char *pc[] = {lc->consent_id, lc->tenant_id, contact, lead, lc->source, lc->channel,
			    lc->consent_text_version, nnow.s};
	rc = pg_cmd(c, Q_CONSENT_CREATE, pc, NULL);
end:
	rc = pg_tx_end(c, rc);
out:
	pg_pool_release(ps, c);
	if (rc == STORE_OK) {
		memcpy(lead_id_out, lead, sizeof lead);
		*created = inserted > 0;
	}
	return rc;
}

/* Fills *out from row `row` of a LEAD_SELECT result. Writes *out only on STORE_OK. */
static int lead_from_row(const PGresult *r, int row, struct store_lead *out)
{
	struct store_lead l = {0};
	bool ok = true;
	if (!pg_col_id(r, row, 0, l.id) || !pg_col_id(r, row, 1, l.bot_id) || !pg_col_id(r, row, 2, l.conversation_id) ||
	    !pg_col_id(r, row, 3, l.contact_id)) {
		pg_log("lead_from_row", NULL, "id longer than STORE_ID_MAX");
		return STORE_ERROR;
	}
	l.email_sealed = pg_col_dup(r, row, 4, &ok);
	l.contact_wrapped_key = pg_col_dup(r, row, 5, &ok);
	l.source = pg_col_dup(r, row, 6, &ok);
	l.channel = pg_col_dup(r, row, 7, &ok);
	l.context = pg_col_dup(r, row, 8, &ok);
	l.consent_text_version = pg_col_dup(r, row, 9, &ok);
	l.consent_at = pg_col_i64(r, row, 10);
	l.interest = (int)pg_col_i64(r, row, 11);
	l.message_count = (int)pg_col_i64(r, row, 12);
	l.conversation_started_at = pg_col_i64(r, row, 13);
	l.last_message_at = pg_col_i64(r, row, 14);
	l.created_at = pg_col_i64(r, row, 15);
	if (!ok) {
		store_lead_clear(&l);
		return STORE_NOMEM;
	}
	*out = l;
	return STORE_OK;
}

int pg_lead_list(struct store *st, const char *tenant_id, const struct store_lead_filter *f, int64_t after_created,
		 const char *after_id, int limit, struct store_lead **out, int *n)
{
	struct pg_num nfrom, nto, nmin, nl, nc;
	const char *p[] = {tenant_id,
			   f->bot_id,
			   pg_num(&nfrom, f->from_ms),
			   pg_num(&nto, f->to_ms),
			   pg_num(&nmin, f->min_interest),
			   pg_num(&nl, limit),
			   pg_num(&nc, after_created),
			   after_id};
	PGresult *res = NULL;
	struct store_lead *rows = NULL;
	int rc = pg_one(pg_of(st), after_id ? Q_LEAD_LIST_AFTER : Q_LEAD_LIST_FIRST, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	int got = PQntuples(res), i = 0;
	if (got > limit)
		got = limit;
	if (got > 0 && !(rows = calloc((size_t)got, sizeof *rows))) {
		rc = STORE_NOMEM;
		goto out;
	}
	for (i = 0; i < got; i++)
		if ((rc = lead_from_row(res, i, &rows[i])) != STORE_OK)
			break;
	if (rc != STORE_OK) {
		while (i-- > 0)
			store_lead_clear(&rows[i]);
		free(rows);
		goto out;
	}
	*out = rows;
	*n = got;
out:
	PQclear(res);
	return rc;
}

int pg_lead_get(struct store *st, const char *tenant_id, const char *lead_id, struct store_lead *out)
{
	const char *p[] = {tenant_id, lead_id};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_LEAD_GET, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	rc = PQntuples(res) == 0 ? STORE_NOTFOUND : lead_from_row(res, 0, out);
	PQclear(res);
	return rc;
}

/* ---- the contact's profile ----------------------------------------------------------------------- */

int pg_contact_profile_get(struct store *st, const char *tenant_id, const char *contact_id, char **sealed_profile)
{
	const char *p[] = {tenant_id, contact_id};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_CONTACT_PROFILE_GET, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	if (PQntuples(res) == 0) {
		rc = STORE_NOTFOUND;
	} else {
		bool ok = true;
		char *v = pg_col_dup(res, 0, 0, &ok);
		if (ok)
			*sealed_profile = v;
		else
			rc = STORE_NOMEM;
	}
	PQclear(res);
	return rc;
}

/* One UPDATE of the contact row alone: it waits for an erasure in flight (which locks the row) and then
 * finds nothing; it takes no other lock, so it cannot deadlock with the writers under the bot. */
int pg_contact_profile_set(struct store *st, const char *tenant_id, const char *contact_id, const char *sealed_profile,
			   int64_t now)
{
	struct pg_num nnow;
	const char *p[] = {tenant_id, contact_id, sealed_profile, pg_num(&nnow, now)};
	int64_t affected = 0;
	int rc = pg_one_cmd(pg_of(st), Q_CONTACT_PROFILE_SET, p, &affected);
	return rc == STORE_OK && affected == 0 ? STORE_NOTFOUND : rc;
}

/* ---- erasure ------------------------------------------------------------------------------------- */

/* The bot of the tenant's contact (STORE_NOTFOUND when there is no such contact). */
static int contact_bot(struct pg_conn *c, const char *const p[2], char bot_id[STORE_ID_MAX])
{
	int rc;
	PGresult *res = pg_exec(c, Q_CONTACT_BOT, p, NULL, NULL, &rc);
	if (!res)
		return rc;
	if (PQntuples(res) == 0) {
		rc = STORE_NOTFOUND;
	} else if (!pg_col_id(res, 0, 0, bot_id)) {
		pg_log("contact_erase", NULL, "id longer than STORE_ID_MAX");
		rc = STORE_ERROR;
	}
	PQclear(res);
	return rc;
}

/* Runs a statement that returns rows and reports whether it returned any (STORE_NOTFOUND when not). */
static int any_row(struct pg_conn *c, enum pg_q q, const char *const *p)
{
	int rc;
	PGresult *res = pg_exec(c, q, p, NULL, NULL, &rc);
	if (!res)
		return rc;
	rc = PQntuples(res) > 0 ? STORE_OK : STORE_NOTFOUND;
	PQclear(res);
	return rc;
}

int pg_contact_erase(struct store *st, const char *tenant_id, const char *contact_id, int64_t now)
{
	static const enum pg_q cascade[] = {Q_CONTACT_DEL_MESSAGES, Q_CONTACT_DEL_CONVS, Q_CONTACT_DEL_LEADS,
					    Q_CONTACT_DEL_CONSENTS, Q_CONTACT_DELETE};
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct pg_num nnow;
	const char *p[] = {tenant_id, contact_id};
	const char *pe[] = {contact_id, tenant_id, pg_num(&nnow, now)};
	char bot[STORE_ID_MAX];
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = pg_tx_begin(c)) != STORE_OK)
		goto out;
	if ((rc = contact_bot(c, p, bot)) != STORE_OK)
		goto end;
	/* the bot row first, as every writer under the bot; a contact whose bot is gone is erased all the same */
	rc = pg_bot_lock(c, tenant_id, bot, NULL);
	if (rc != STORE_OK && rc != STORE_NOTFOUND)
		goto end;
	/* then the contact and its conversations: writers in flight on them commit first (see pg_int.h) */
	if ((rc = any_row(c, Q_CONTACT_LOCK, p)) != STORE_OK)
		goto end;
	if ((rc = any_row(c, Q_CONTACT_LOCK_CONVS, p)) != STORE_OK && rc != STORE_NOTFOUND)
		goto end;
	rc = STORE_OK;
	for (size_t i = 0; rc == STORE_OK && i < sizeof cascade / sizeof cascade[0]; i++)
		rc = pg_cmd(c, cascade[i], p, NULL);
	if (rc == STORE_OK)
		rc = pg_cmd(c, Q_ERASURE_CREATE, pe, NULL);
end:
	rc = pg_tx_end(c, rc);
out:
	pg_pool_release(ps, c);
	return rc;
}

/* Restore: by contact id alone (a restored backup's rows may be of any tenant). The erasure is recorded
 * under the contact's tenant when its row is still there, else under "". */
int pg_contact_purge(struct store *st, const char *contact_id, int64_t now)
{
	static const enum pg_q cascade[] = {Q_PURGE_DEL_MESSAGES, Q_PURGE_DEL_CONVS, Q_PURGE_DEL_LEADS,
					    Q_PURGE_DEL_CONSENTS, Q_PURGE_DELETE};
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct pg_num nnow;
	char tenant[STORE_ID_MAX] = "";
	const char *p[] = {contact_id};
	const char *pe[] = {contact_id, tenant, pg_num(&nnow, now)};
	PGresult *res = NULL;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = pg_tx_begin(c)) != STORE_OK)
		goto out;
	if (!(res = pg_exec(c, Q_PURGE_TENANT, p, NULL, NULL, &rc)))
		goto end;
	if (PQntuples(res) > 0 && !pg_col_id(res, 0, 0, tenant)) {
		pg_log("contact_purge", NULL, "id longer than STORE_ID_MAX");
		rc = STORE_ERROR;
	}
	PQclear(res);
	for (size_t i = 0; rc == STORE_OK && i < sizeof cascade / sizeof cascade[0]; i++)
		rc = pg_cmd(c, cascade[i], p, NULL);
	if (rc == STORE_OK)
		rc = pg_cmd(c, Q_ERASURE_CREATE, pe, NULL);
end:
	rc = pg_tx_end(c, rc);
out:
	pg_pool_release(ps, c);
	return rc;
}

/* The ids are read in one result first, so emit may call the store (even store_erasure_list). */
int pg_erasure_list(struct store *st, int (*emit)(void *ud, const char *contact_id), void *ud)
{
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_ERASURE_LIST, NULL, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	for (int i = 0, n = PQntuples(res); i < n && rc == STORE_OK; i++)
		rc = emit(ud, PQgetvalue(res, i, 0));
	PQclear(res);
	return rc;
}
