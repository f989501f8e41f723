/*
 * store_pg_persons.c — the PostgreSQL backend's images (a bot's logo, its contact persons' photos), contact
 * persons, and contact requests (a lead of source "contact_request" with what the visitor left, sealed).
 *
 * Images and persons go with their bot through ON DELETE CASCADE (migration 004). Every write that checks
 * and changes a bot's persons first locks the bot row FOR NO KEY UPDATE (Q_CP_BOT_LOCK), so two of them
 * for one bot run one after the other ("at most five", the order) while chats, which take FOR KEY SHARE,
 * go on; a bot delete waits for them and a writer after it finds no bot. A contact request locks like a
 * lead capture (store_pg_contacts.c): the bot row FOR KEY SHARE, then the contact row by updating it.
 * Image bytes travel as a binary parameter and come back as bytea text (PQunescapeBytea).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store/pg_int.h"

/* ---- images ---------------------------------------------------------------------------------------- */

int pg_image_get(struct store *st, const char *image_id, struct store_image *out)
{
	PGresult *res = NULL;
	const char *p[] = {image_id};
	int rc = pg_one(pg_of(st), Q_IMG_GET, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return STORE_NOTFOUND;
	}
	bool ok = true;
	struct store_image im = {0};
	if (!pg_col_id(res, 0, 0, im.id)) {
		PQclear(res);
		return STORE_ERROR;
	}
	im.content_type = pg_col_dup(res, 0, 1, &ok);
	im.width = (int)pg_col_i64(res, 0, 2);
	im.height = (int)pg_col_i64(res, 0, 3);
	im.created_at = pg_col_i64(res, 0, 5);
	size_t n = 0;
	unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 4), &n);
	im.bytes = raw ? malloc(n ? n : 1) : NULL;
	if (im.bytes) {
		memcpy(im.bytes, raw, n);
		im.len = n;
	}
	if (raw)
		PQfreemem(raw);
	PQclear(res);
	if (!ok || !im.bytes) {
		store_image_clear(&im);
		return STORE_NOMEM;
	}
	*out = im;
	return STORE_OK;
}

static int image_insert(struct pg_conn *c, const char *tenant_id, const char *bot_id, const struct store_image_in *img)
{
	struct pg_num w, h, t;
	if (img->len > INT32_MAX)
		return STORE_ERROR;
	const char *p[] = {tenant_id,	     bot_id, img->id, img->kind, img->content_type, pg_num(&w, img->width),
			   pg_num(&h, img->height), (const char *)img->bytes, pg_num(&t, img->now)};
	const int lengths[] = {0, 0, 0, 0, 0, 0, 0, (int)img->len, 0};
	const int formats[] = {0, 0, 0, 0, 0, 0, 0, 1, 0};
	int rc;
	PGresult *res = pg_exec(c, Q_IMG_INSERT, p, lengths, formats, &rc);
	PQclear(res);
	return rc;
}

int pg_bot_logo_set(struct store *st, const char *tenant_id, const char *bot_id, const struct store_image_in *img,
		    const char *config, int64_t updated_at)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct pg_num u;
	int64_t affected = 0;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = pg_tx_begin(c)) != STORE_OK)
		goto out;
	/* the UPDATE locks the bot row first: two logo changes of one bot run one after the other */
	const char *pb[] = {tenant_id, bot_id, config, pg_num(&u, updated_at)};
	rc = pg_cmd(c, Q_CP_BOT_CONFIG, pb, &affected);
	if (rc == STORE_OK && affected == 0)
		rc = STORE_NOTFOUND;
	if (rc == STORE_OK)
		rc = image_insert(c, tenant_id, bot_id, img);
	if (rc == STORE_OK) {
		const char *pd[] = {tenant_id, bot_id, img->id};
		rc = pg_cmd(c, Q_IMG_DEL_LOGOS, pd, NULL);
	}
	rc = pg_tx_end(c, rc);
out:
	pg_pool_release(ps, c);
	return rc;
}

/* ---- contact persons ------------------------------------------------------------------------------- */

static char *col_dup_null(const PGresult *r, int row, int col, bool *ok)
{
	return PQgetisnull(r, row, col) ? NULL : pg_col_dup(r, row, col, ok);
}

static int person_from_row(const PGresult *r, int row, struct store_person *out)
{
	struct store_person p = {0};
	bool ok = true;
	if (!pg_col_id(r, row, 0, p.id) || !pg_col_id(r, row, 1, p.bot_id) ||
	    (!PQgetisnull(r, row, 7) && !pg_col_id(r, row, 7, p.photo_image_id))) {
		pg_log("person_from_row", NULL, "id longer than STORE_ID_MAX");
		return STORE_ERROR;
	}
	p.ord = (int)pg_col_i64(r, row, 2);
	p.name = pg_col_dup(r, row, 3, &ok);
	p.position = col_dup_null(r, row, 4, &ok);
	p.email = col_dup_null(r, row, 5, &ok);
	p.phone = col_dup_null(r, row, 6, &ok);
	p.created_at = pg_col_i64(r, row, 8);
	p.updated_at = pg_col_i64(r, row, 9);
	if (!ok) {
		store_person_clear(&p);
		return STORE_NOMEM;
	}
	*out = p;
	return STORE_OK;
}

static int person_get(struct pg_conn *c, const char *tenant_id, const char *bot_id, const char *person_id,
		      struct store_person *out)
{
	const char *p[] = {tenant_id, bot_id, person_id};
	int rc;
	PGresult *res = pg_exec(c, Q_CP_GET, p, NULL, NULL, &rc);
	if (!res)
		return rc;
	rc = PQntuples(res) == 0 ? STORE_NOTFOUND : person_from_row(res, 0, out);
	PQclear(res);
	return rc;
}

int pg_person_get(struct store *st, const char *tenant_id, const char *bot_id, const char *person_id,
		  struct store_person *out)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	rc = person_get(c, tenant_id, bot_id, person_id, out);
	pg_pool_release(ps, c);
	return rc;
}

/* Inside a transaction: locks the bot row against the other writers of its persons (see the top). */
static int lock_bot(struct pg_conn *c, const char *tenant_id, const char *bot_id)
{
	const char *p[] = {tenant_id, bot_id};
	int rc;
	PGresult *res = pg_exec(c, Q_CP_BOT_LOCK, p, NULL, NULL, &rc);
	if (!res)
		return rc;
	rc = PQntuples(res) == 0 ? STORE_NOTFOUND : STORE_OK;
	PQclear(res);
	return rc;
}

static int person_count(struct pg_conn *c, const char *tenant_id, const char *bot_id, int64_t *count, int64_t *max_ord)
{
	const char *p[] = {tenant_id, bot_id};
	int rc;
	PGresult *res = pg_exec(c, Q_CP_COUNT, p, NULL, NULL, &rc);
	if (!res)
		return rc;
	if (PQntuples(res) == 1) {
		*count = pg_col_i64(res, 0, 0);
		*max_ord = pg_col_i64(res, 0, 1);
	} else {
		rc = STORE_ERROR;
	}
	PQclear(res);
	return rc;
}

int pg_person_create(struct store *st, const char *tenant_id, const struct store_person *p, int max)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct pg_num o, t;
	int64_t count = 0, max_ord = 0;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = pg_tx_begin(c)) != STORE_OK)
		goto out;
	rc = lock_bot(c, tenant_id, p->bot_id);
	if (rc == STORE_OK)
		rc = person_count(c, tenant_id, p->bot_id, &count, &max_ord);
	if (rc == STORE_OK && count >= max)
		rc = STORE_CONFLICT;
	if (rc == STORE_OK) {
		const char *pv[] = {tenant_id, p->bot_id, p->id,   pg_num(&o, max_ord + 1), p->name,
				    p->position, p->email, p->phone, pg_num(&t, p->created_at)};
		rc = pg_cmd(c, Q_CP_INSERT, pv, NULL);
	}
	rc = pg_tx_end(c, rc);
out:
	pg_pool_release(ps, c);
	return rc;
}

int pg_person_list(struct store *st, const char *tenant_id, const char *bot_id, struct store_person *rows, int max,
		   int *n)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct pg_num l;
	PGresult *res = NULL;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	rc = pg_bot_check(c, tenant_id, bot_id);
	if (rc == STORE_OK) {
		const char *p[] = {tenant_id, bot_id, pg_num(&l, max)};
		res = pg_exec(c, Q_CP_LIST, p, NULL, NULL, &rc);
	}
	pg_pool_release(ps, c);
	if (!res)
		return rc;
	int count = 0, total = PQntuples(res);
	for (; rc == STORE_OK && count < total && count < max; count++)
		if ((rc = person_from_row(res, count, &rows[count])) != STORE_OK)
			break;
	PQclear(res);
	if (rc != STORE_OK) {
		while (count > 0)
			store_person_clear(&rows[--count]);
		return rc;
	}
	*n = count;
	return STORE_OK;
}

int pg_person_update(struct store *st, const char *tenant_id, const struct store_person *p)
{
	struct pg_num u;
	int64_t affected = 0;
	const char *pv[] = {tenant_id, p->bot_id, p->id, p->name, p->position, p->email, p->phone,
			    pg_num(&u, p->updated_at)};
	int rc = pg_one_cmd(pg_of(st), Q_CP_UPDATE, pv, &affected);
	return rc == STORE_OK && affected == 0 ? STORE_NOTFOUND : rc;
}

int pg_person_delete(struct store *st, const char *tenant_id, const char *bot_id, const char *person_id)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct store_person p = {0};
	struct pg_num o;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = pg_tx_begin(c)) != STORE_OK)
		goto out;
	rc = lock_bot(c, tenant_id, bot_id);
	if (rc == STORE_OK)
		rc = person_get(c, tenant_id, bot_id, person_id, &p);
	if (rc == STORE_OK) {
		const char *pd[] = {tenant_id, bot_id, person_id};
		rc = pg_cmd(c, Q_CP_DELETE, pd, NULL);
	}
	if (rc == STORE_OK && p.photo_image_id[0]) {
		const char *pi[] = {tenant_id, p.photo_image_id};
		rc = pg_cmd(c, Q_IMG_DELETE, pi, NULL);
	}
	if (rc == STORE_OK) {
		const char *pg[] = {tenant_id, bot_id, pg_num(&o, p.ord)};
		rc = pg_cmd(c, Q_CP_CLOSE_GAP, pg, NULL);
	}
	store_person_clear(&p);
	rc = pg_tx_end(c, rc);
out:
	pg_pool_release(ps, c);
	return rc;
}

int pg_person_reorder(struct store *st, const char *tenant_id, const char *bot_id, const char *const *ids, int n,
		      int64_t now)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct pg_num o, t;
	int64_t count = 0, max_ord = 0;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = pg_tx_begin(c)) != STORE_OK)
		goto out;
	rc = lock_bot(c, tenant_id, bot_id);
	if (rc == STORE_OK)
		rc = person_count(c, tenant_id, bot_id, &count, &max_ord);
	if (rc == STORE_OK && count != n)
		rc = STORE_CONFLICT;
	pg_num(&t, now);
	for (int i = 0; rc == STORE_OK && i < n; i++) {
		for (int j = 0; j < i; j++)
			if (!strcmp(ids[i], ids[j]))
				rc = STORE_CONFLICT;
		if (rc != STORE_OK)
			break;
		int64_t affected = 0;
		const char *pv[] = {tenant_id, bot_id, ids[i], pg_num(&o, i + 1), t.s};
		rc = pg_cmd(c, Q_CP_SET_ORD, pv, &affected);
		if (rc == STORE_OK && affected != 1)
			rc = STORE_CONFLICT;
	}
	rc = pg_tx_end(c, rc);
out:
	pg_pool_release(ps, c);
	return rc;
}

int pg_person_photo_set(struct store *st, const char *tenant_id, const char *bot_id, const char *person_id,
			const struct store_image_in *img)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct store_person p = {0};
	struct pg_num t;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = pg_tx_begin(c)) != STORE_OK)
		goto out;
	rc = lock_bot(c, tenant_id, bot_id);
	if (rc == STORE_OK)
		rc = person_get(c, tenant_id, bot_id, person_id, &p);
	if (rc == STORE_OK)
		rc = image_insert(c, tenant_id, bot_id, img);
	if (rc == STORE_OK) {
		const char *pv[] = {tenant_id, bot_id, person_id, img->id, pg_num(&t, img->now)};
		rc = pg_cmd(c, Q_CP_SET_PHOTO, pv, NULL);
	}
	if (rc == STORE_OK && p.photo_image_id[0]) {
		const char *pi[] = {tenant_id, p.photo_image_id};
		rc = pg_cmd(c, Q_IMG_DELETE, pi, NULL);
	}
	store_person_clear(&p);
	rc = pg_tx_end(c, rc);
out:
	pg_pool_release(ps, c);
	return rc;
}

/* ---- contact requests ------------------------------------------------------------------------------ */

/* Runs a one-column id query; STORE_NOTFOUND without a row. */
static int select_id(struct pg_conn *c, enum pg_q q, const char *const *params, char out[STORE_ID_MAX])
{
	int rc;
	PGresult *res = pg_exec(c, q, params, NULL, NULL, &rc);
	if (!res)
		return rc;
	if (PQntuples(res) == 0) {
		rc = STORE_NOTFOUND;
	} else if (!pg_col_id(res, 0, 0, out)) {
		pg_log("contact_request", NULL, "id longer than STORE_ID_MAX");
		rc = STORE_ERROR;
	}
	PQclear(res);
	return rc;
}

int pg_contact_request(struct store *st, const struct store_contact_request *cr, char lead_id_out[STORE_ID_MAX],
		       bool *created)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct pg_num nnow, nint;
	struct store_person person = {0};
	char contact[STORE_ID_MAX], lead[STORE_ID_MAX], key[STORE_ID_MAX + 24];
	int64_t affected = 0, inserted = 0;
	pg_num(&nnow, cr->now);
	pg_num(&nint, cr->interest);
	snprintf(key, sizeof key, "contact_request:%s", cr->person_id ? cr->person_id : "");
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = pg_tx_begin(c)) != STORE_OK)
		goto out;
	if ((rc = pg_bot_lock(c, cr->tenant_id, cr->bot_id, NULL)) != STORE_OK)
		goto end;
	const char *pcv[] = {cr->tenant_id, cr->bot_id, cr->conversation_id};
	if ((rc = select_id(c, Q_CONV_CONTACT, pcv, contact)) != STORE_OK)
		goto end;
	if (cr->person_id && (rc = person_get(c, cr->tenant_id, cr->bot_id, cr->person_id, &person)) != STORE_OK)
		goto end;
	/* waits for an erasure in flight; the contact may be gone after it */
	const char *ps_[] = {cr->tenant_id, contact, cr->name_sealed, cr->email_sealed, cr->email_bidx,
			     cr->phone_sealed, cr->phone_bidx, nnow.s};
	if ((rc = pg_cmd(c, Q_CR_CONTACT_SET, ps_, &affected)) != STORE_OK)
		goto end;
	if (affected == 0) {
		rc = STORE_NOTFOUND;
		goto end;
	}
	const char *pl[] = {cr->tenant_id, cr->lead_id, cr->bot_id, cr->conversation_id, contact, key, cr->channel,
			    cr->context ? cr->context : "{}", nint.s, nnow.s, cr->message_sealed};
	if ((rc = pg_cmd(c, Q_CR_LEAD_INSERT, pl, &inserted)) != STORE_OK)
		goto end;
	const char *pf[] = {cr->tenant_id, cr->conversation_id, key};
	if ((rc = select_id(c, Q_LEAD_FIND, pf, lead)) != STORE_OK)
		goto end;
	if (cr->consent_id) {
		const char *pc[] = {cr->tenant_id, cr->consent_id, contact, lead, cr->channel,
				    cr->consent_text_version ? cr->consent_text_version : "v1", nnow.s};
		rc = pg_cmd(c, Q_CR_CONSENT_INSERT, pc, NULL);
	}
end:
	rc = pg_tx_end(c, rc);
out:
	pg_pool_release(ps, c);
	store_person_clear(&person);
	if (rc == STORE_OK) {
		memcpy(lead_id_out, lead, sizeof lead);
		*created = inserted > 0;
	}
	return rc;
}

int pg_lead_details(struct store *st, const char *tenant_id, const char *lead_id, struct store_lead_details *out)
{
	PGresult *res = NULL;
	const char *p[] = {tenant_id, lead_id};
	int rc = pg_one(pg_of(st), Q_LEAD_DETAILS, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return STORE_NOTFOUND;
	}
	bool ok = true;
	struct store_lead_details d = {0};
	d.name_sealed = col_dup_null(res, 0, 0, &ok);
	d.phone_sealed = col_dup_null(res, 0, 1, &ok);
	d.message_sealed = col_dup_null(res, 0, 2, &ok);
	PQclear(res);
	if (!ok) {
		store_lead_details_clear(&d);
		return STORE_NOMEM;
	}
	*out = d;
	return STORE_OK;
}
