/*
 * store_sqlite_persons.c — the SQLite backend's images (a bot's logo, its contact persons' photos), contact
 * persons, and contact requests (a lead of source "contact_request" with what the visitor left, sealed).
 *
 * Images and persons go with their bot through ON DELETE CASCADE (migration 004). Writes are transaction
 * bodies run by the writer (sqlite_write), so "at most five persons", "one logo per bot" and the order
 * of the persons are checked and changed with no other writer in between. The statements are in the
 * table of store_sqlite.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"

/* ---- images ---------------------------------------------------------------------------------------- */

int sq_image_get(struct store *st, const char *image_id, struct store_image *out)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_IMG_GET) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, image_id);
	int rc = sqlite3_step(q), res = STORE_NOTFOUND;
	if (rc == SQLITE_ROW) {
		bool ok = true;
		struct store_image im = {0};
		sqlite_col_id(q, 0, im.id);
		im.content_type = sqlite_col_dup(q, 1, &ok);
		im.width = sqlite3_column_int(q, 2);
		im.height = sqlite3_column_int(q, 3);
		const void *blob = sqlite3_column_blob(q, 4);
		int n = sqlite3_column_bytes(q, 4);
		im.len = n > 0 ? (size_t)n : 0;
		im.bytes = malloc(im.len ? im.len : 1);
		if (im.bytes && im.len)
			memcpy(im.bytes, blob, im.len);
		im.created_at = sqlite3_column_int64(q, 5);
		if (ok && im.bytes && (im.len == 0 || blob)) {
			*out = im;
			res = STORE_OK;
		} else {
			store_image_clear(&im);
			res = STORE_NOMEM;
		}
	} else if (rc != SQLITE_DONE) {
		res = sqlite_map_rc(rc);
	}
	sqlite_done(q);
	return res;
}

static int image_insert(struct conn *c, const char *tenant_id, const char *bot_id, const struct store_image_in *img)
{
	sqlite3_stmt *q = sqlite_stmt(c, S_IMG_INSERT);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, img->id);
	sqlite_bind_text(q, 2, tenant_id);
	sqlite_bind_text(q, 3, bot_id);
	sqlite_bind_text(q, 4, img->kind);
	sqlite_bind_text(q, 5, img->content_type);
	sqlite3_bind_int(q, 6, img->width);
	sqlite3_bind_int(q, 7, img->height);
	sqlite3_bind_blob64(q, 8, img->bytes, img->len, SQLITE_STATIC);
	sqlite3_bind_int64(q, 9, img->now);
	return sqlite_run(c, q, NULL);
}

struct logo_args {
	const char *tenant_id, *bot_id, *config;
	const struct store_image_in *img;
	int64_t updated_at;
};

static int logo_set_tx(struct conn *c, void *arg)
{
	const struct logo_args *a = arg;
	sqlite3_int64 rid;
	int changes = 0;
	int rc = sqlite_bot_rid(c, a->tenant_id, a->bot_id, &rid);
	if (rc == STORE_OK)
		rc = image_insert(c, a->tenant_id, a->bot_id, a->img);
	if (rc == STORE_OK)
		rc = sqlite_run_scoped(c, S_IMG_DEL_LOGOS, a->bot_id, a->tenant_id, a->img->id, NULL);
	if (rc != STORE_OK)
		return rc;
	sqlite3_stmt *q = sqlite_stmt(c, S_CP_BOT_CONFIG);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->bot_id);
	sqlite_bind_text(q, 2, a->tenant_id);
	sqlite_bind_text(q, 3, a->config);
	sqlite3_bind_int64(q, 4, a->updated_at);
	rc = sqlite_run(c, q, &changes);
	return rc == STORE_OK && changes == 0 ? STORE_NOTFOUND : rc;
}

int sq_bot_logo_set(struct store *st, const char *tenant_id, const char *bot_id, const struct store_image_in *img,
		    const char *config, int64_t updated_at)
{
	struct logo_args a = {tenant_id, bot_id, config, img, updated_at};
	return sqlite_write(sqlite_of(st), logo_set_tx, &a);
}

/* ---- contact persons ------------------------------------------------------------------------------- */

/* A text column that may be NULL: NULL stays NULL. */
static int read_person(sqlite3_stmt *q, struct store_person *out)
{
	bool ok = true;
	struct store_person p = {0};
	sqlite_col_id(q, 0, p.id);
	sqlite_col_id(q, 1, p.bot_id);
	p.ord = sqlite3_column_int(q, 2);
	p.name = sqlite_col_dup(q, 3, &ok);
	p.position = sqlite_col_dup_null(q, 4, &ok);
	p.email = sqlite_col_dup_null(q, 5, &ok);
	p.phone = sqlite_col_dup_null(q, 6, &ok);
	sqlite_col_id(q, 7, p.photo_image_id);
	p.created_at = sqlite3_column_int64(q, 8);
	p.updated_at = sqlite3_column_int64(q, 9);
	if (!ok) {
		store_person_clear(&p);
		return STORE_NOMEM;
	}
	*out = p;
	return STORE_OK;
}

/* The person's row on connection c (STORE_NOTFOUND when it is not the tenant's bot's). */
static int person_get(struct conn *c, const char *tenant_id, const char *bot_id, const char *person_id,
		      struct store_person *out)
{
	sqlite3_stmt *q = sqlite_stmt(c, S_CP_GET);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, person_id);
	sqlite_bind_text(q, 2, bot_id);
	sqlite_bind_text(q, 3, tenant_id);
	int rc = sqlite3_step(q), res;
	if (rc == SQLITE_ROW)
		res = read_person(q, out);
	else
		res = rc == SQLITE_DONE ? STORE_NOTFOUND : sqlite_map_rc(rc);
	sqlite_done(q);
	return res;
}

int sq_person_get(struct store *st, const char *tenant_id, const char *bot_id, const char *person_id,
		  struct store_person *out)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	return c ? person_get(c, tenant_id, bot_id, person_id, out) : STORE_ERROR;
}

/* How many persons the bot has, and the highest ord among them. */
static int person_count(struct conn *c, const char *tenant_id, const char *bot_id, int *count, int *max_ord)
{
	sqlite3_stmt *q = sqlite_stmt(c, S_CP_COUNT);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, bot_id);
	sqlite_bind_text(q, 2, tenant_id);
	int res = sqlite_step_row(q, STORE_ERROR);
	if (res == STORE_OK) {
		*count = sqlite3_column_int(q, 0);
		*max_ord = sqlite3_column_int(q, 1);
	}
	sqlite_done(q);
	return res;
}

struct person_args {
	const char *tenant_id, *bot_id, *person_id;
	const struct store_person *p;
	int max;
	const char *const *ids;
	int n;
	const struct store_image_in *img;
	int64_t now;
};

static int person_create_tx(struct conn *c, void *arg)
{
	const struct person_args *a = arg;
	const struct store_person *p = a->p;
	sqlite3_int64 rid;
	int count = 0, max_ord = 0;
	int rc = sqlite_bot_rid(c, a->tenant_id, p->bot_id, &rid);
	if (rc == STORE_OK)
		rc = person_count(c, a->tenant_id, p->bot_id, &count, &max_ord);
	if (rc != STORE_OK)
		return rc;
	if (count >= a->max)
		return STORE_CONFLICT;
	sqlite3_stmt *q = sqlite_stmt(c, S_CP_INSERT);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, p->id);
	sqlite_bind_text(q, 2, a->tenant_id);
	sqlite_bind_text(q, 3, p->bot_id);
	sqlite3_bind_int(q, 4, max_ord + 1);
	sqlite_bind_text(q, 5, p->name);
	sqlite_bind_text(q, 6, p->position);
	sqlite_bind_text(q, 7, p->email);
	sqlite_bind_text(q, 8, p->phone);
	sqlite3_bind_int64(q, 9, p->created_at);
	return sqlite_run(c, q, NULL);
}

int sq_person_create(struct store *st, const char *tenant_id, const struct store_person *p, int max)
{
	struct person_args a = {.tenant_id = tenant_id, .p = p, .max = max};
	return sqlite_write(sqlite_of(st), person_create_tx, &a);
}

int sq_person_list(struct store *st, const char *tenant_id, const char *bot_id, struct store_person *rows, int max,
		   int *n)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_int64 rid;
	if (!c)
		return STORE_ERROR;
	int res = sqlite_bot_rid(c, tenant_id, bot_id, &rid);
	if (res != STORE_OK)
		return res;
	sqlite3_stmt *q = sqlite_stmt(c, S_CP_LIST);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, bot_id);
	sqlite_bind_text(q, 2, tenant_id);
	sqlite3_bind_int(q, 3, max);
	int count = 0, rc = SQLITE_DONE;
	while (count < max && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		if ((res = read_person(q, &rows[count])) != STORE_OK)
			break;
		count++;
	}
	if (res == STORE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
		res = sqlite_map_rc(rc);
	sqlite_done(q);
	if (res != STORE_OK) {
		while (count > 0)
			store_person_clear(&rows[--count]);
		return res;
	}
	*n = count;
	return STORE_OK;
}

static int person_update_tx(struct conn *c, void *arg)
{
	const struct person_args *a = arg;
	const struct store_person *p = a->p;
	int changes = 0;
	sqlite3_stmt *q = sqlite_stmt(c, S_CP_UPDATE);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, p->id);
	sqlite_bind_text(q, 2, p->bot_id);
	sqlite_bind_text(q, 3, a->tenant_id);
	sqlite_bind_text(q, 4, p->name);
	sqlite_bind_text(q, 5, p->position);
	sqlite_bind_text(q, 6, p->email);
	sqlite_bind_text(q, 7, p->phone);
	sqlite3_bind_int64(q, 8, p->updated_at);
	int rc = sqlite_run(c, q, &changes);
	return rc == STORE_OK && changes == 0 ? STORE_NOTFOUND : rc;
}

int sq_person_update(struct store *st, const char *tenant_id, const struct store_person *p)
{
	struct person_args a = {.tenant_id = tenant_id, .p = p};
	return sqlite_write(sqlite_of(st), person_update_tx, &a);
}

static int person_delete_tx(struct conn *c, void *arg)
{
	const struct person_args *a = arg;
	struct store_person p;
	int rc = person_get(c, a->tenant_id, a->bot_id, a->person_id, &p);
	if (rc != STORE_OK)
		return rc;
	rc = sqlite_run_scoped(c, S_CP_DELETE, a->person_id, a->bot_id, a->tenant_id, NULL);
	if (rc == STORE_OK && p.photo_image_id[0])
		rc = sqlite_run_scoped(c, S_IMG_DELETE, p.photo_image_id, a->tenant_id, NULL, NULL);
	if (rc == STORE_OK) {
		sqlite3_stmt *q = sqlite_stmt(c, S_CP_CLOSE_GAP);
		if (!q) {
			rc = STORE_ERROR;
		} else {
			sqlite_bind_text(q, 1, a->bot_id);
			sqlite_bind_text(q, 2, a->tenant_id);
			sqlite3_bind_int(q, 3, p.ord);
			rc = sqlite_run(c, q, NULL);
		}
	}
	store_person_clear(&p);
	return rc;
}

int sq_person_delete(struct store *st, const char *tenant_id, const char *bot_id, const char *person_id)
{
	struct person_args a = {.tenant_id = tenant_id, .bot_id = bot_id, .person_id = person_id};
	return sqlite_write(sqlite_of(st), person_delete_tx, &a);
}

static int person_reorder_tx(struct conn *c, void *arg)
{
	const struct person_args *a = arg;
	sqlite3_int64 rid;
	int count = 0, max_ord = 0;
	int rc = sqlite_bot_rid(c, a->tenant_id, a->bot_id, &rid);
	if (rc == STORE_OK)
		rc = person_count(c, a->tenant_id, a->bot_id, &count, &max_ord);
	if (rc != STORE_OK)
		return rc;
	if (count != a->n)
		return STORE_CONFLICT;
	for (int i = 0; i < a->n; i++) {
		/* n equals the count, every id matches one row, none repeats: exactly the bot's persons */
		for (int j = 0; j < i; j++)
			if (!strcmp(a->ids[i], a->ids[j]))
				return STORE_CONFLICT;
		sqlite3_stmt *q = sqlite_stmt(c, S_CP_SET_ORD);
		if (!q)
			return STORE_ERROR;
		int changes = 0;
		sqlite_bind_text(q, 1, a->ids[i]);
		sqlite_bind_text(q, 2, a->bot_id);
		sqlite_bind_text(q, 3, a->tenant_id);
		sqlite3_bind_int(q, 4, i + 1);
		sqlite3_bind_int64(q, 5, a->now);
		if ((rc = sqlite_run(c, q, &changes)) != STORE_OK)
			return rc;
		if (changes != 1)
			return STORE_CONFLICT;
	}
	return STORE_OK;
}

int sq_person_reorder(struct store *st, const char *tenant_id, const char *bot_id, const char *const *ids, int n,
		      int64_t now)
{
	struct person_args a = {.tenant_id = tenant_id, .bot_id = bot_id, .ids = ids, .n = n, .now = now};
	return sqlite_write(sqlite_of(st), person_reorder_tx, &a);
}

static int person_photo_tx(struct conn *c, void *arg)
{
	const struct person_args *a = arg;
	struct store_person p;
	int rc = person_get(c, a->tenant_id, a->bot_id, a->person_id, &p);
	if (rc != STORE_OK)
		return rc;
	rc = image_insert(c, a->tenant_id, a->bot_id, a->img);
	if (rc == STORE_OK) {
		sqlite3_stmt *q = sqlite_stmt(c, S_CP_SET_PHOTO);
		if (!q) {
			rc = STORE_ERROR;
		} else {
			sqlite_bind_text(q, 1, a->person_id);
			sqlite_bind_text(q, 2, a->bot_id);
			sqlite_bind_text(q, 3, a->tenant_id);
			sqlite_bind_text(q, 4, a->img->id);
			sqlite3_bind_int64(q, 5, a->img->now);
			rc = sqlite_run(c, q, NULL);
		}
	}
	if (rc == STORE_OK && p.photo_image_id[0])
		rc = sqlite_run_scoped(c, S_IMG_DELETE, p.photo_image_id, a->tenant_id, NULL, NULL);
	store_person_clear(&p);
	return rc;
}

int sq_person_photo_set(struct store *st, const char *tenant_id, const char *bot_id, const char *person_id,
			const struct store_image_in *img)
{
	struct person_args a = {.tenant_id = tenant_id, .bot_id = bot_id, .person_id = person_id, .img = img};
	return sqlite_write(sqlite_of(st), person_photo_tx, &a);
}

/* ---- contact requests ------------------------------------------------------------------------------ */

struct request_args {
	const struct store_contact_request *cr;
	char lead_id[STORE_ID_MAX];
	bool created;
};

/* Reads a one-column id result of statement q bound with (p1, p2, p3); STORE_NOTFOUND without a row. */
static int select_id(struct conn *c, enum stmt_id id, const char *p1, const char *p2, const char *p3,
		     char out[STORE_ID_MAX])
{
	sqlite3_stmt *q = sqlite_stmt(c, id);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, p1);
	sqlite_bind_text(q, 2, p2);
	if (p3)
		sqlite_bind_text(q, 3, p3);
	int res = sqlite_step_row(q, STORE_NOTFOUND);
	if (res == STORE_OK) {
		sqlite_col_id(q, 0, out);
	}
	sqlite_done(q);
	return res;
}

static int contact_request_tx(struct conn *c, void *arg)
{
	struct request_args *a = arg;
	const struct store_contact_request *cr = a->cr;
	char contact[STORE_ID_MAX], key[STORE_ID_MAX + 24];
	int changes = 0;
	int rc = select_id(c, S_CR_CONTACT, cr->conversation_id, cr->bot_id, cr->tenant_id, contact);
	if (rc != STORE_OK)
		return rc;
	if (cr->person_id) {
		struct store_person p;
		if ((rc = person_get(c, cr->tenant_id, cr->bot_id, cr->person_id, &p)) != STORE_OK)
			return rc;
		store_person_clear(&p);
	}
	sqlite3_stmt *q = sqlite_stmt(c, S_CR_CONTACT_SET);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, contact);
	sqlite_bind_text(q, 2, cr->tenant_id);
	sqlite_bind_text(q, 3, cr->name_sealed);
	sqlite_bind_text(q, 4, cr->email_sealed);
	sqlite_bind_text(q, 5, cr->email_bidx);
	sqlite_bind_text(q, 6, cr->phone_sealed);
	sqlite_bind_text(q, 7, cr->phone_bidx);
	sqlite3_bind_int64(q, 8, cr->now);
	if ((rc = sqlite_run(c, q, &changes)) != STORE_OK)
		return rc;
	if (changes == 0)
		return STORE_NOTFOUND;

	snprintf(key, sizeof key, "contact_request:%s", cr->person_id ? cr->person_id : "");
	if (!(q = sqlite_stmt(c, S_CR_LEAD_INSERT)))
		return STORE_ERROR;
	sqlite_bind_text(q, 1, cr->lead_id);
	sqlite_bind_text(q, 2, cr->tenant_id);
	sqlite_bind_text(q, 3, cr->bot_id);
	sqlite_bind_text(q, 4, cr->conversation_id);
	sqlite_bind_text(q, 5, contact);
	sqlite_bind_text(q, 6, key);
	sqlite_bind_text(q, 7, cr->channel);
	sqlite_bind_text(q, 8, cr->context ? cr->context : "{}");
	sqlite3_bind_int(q, 9, cr->interest);
	sqlite3_bind_int64(q, 10, cr->now);
	sqlite_bind_text(q, 11, cr->message_sealed);
	if ((rc = sqlite_run(c, q, &changes)) != STORE_OK)
		return rc;
	a->created = changes > 0;
	if (a->created)
		snprintf(a->lead_id, sizeof a->lead_id, "%s", cr->lead_id);
	else if ((rc = select_id(c, S_LEAD_FIND, cr->conversation_id, key, cr->tenant_id, a->lead_id)) != STORE_OK)
		return rc;

	if (!cr->consent_id)
		return STORE_OK;
	if (!(q = sqlite_stmt(c, S_CR_CONSENT_INSERT)))
		return STORE_ERROR;
	sqlite_bind_text(q, 1, cr->consent_id);
	sqlite_bind_text(q, 2, cr->tenant_id);
	sqlite_bind_text(q, 3, contact);
	sqlite_bind_text(q, 4, a->lead_id);
	sqlite_bind_text(q, 5, cr->channel);
	sqlite_bind_text(q, 6, cr->consent_text_version ? cr->consent_text_version : "v1");
	sqlite3_bind_int64(q, 7, cr->now);
	return sqlite_run(c, q, NULL);
}

int sq_contact_request(struct store *st, const struct store_contact_request *cr, char lead_id_out[STORE_ID_MAX],
		       bool *created)
{
	struct request_args a = {.cr = cr};
	int rc = sqlite_write_flushed(sqlite_of(st), contact_request_tx, &a);
	if (rc != STORE_OK)
		return rc;
	memcpy(lead_id_out, a.lead_id, STORE_ID_MAX);
	*created = a.created;
	return STORE_OK;
}

int sq_lead_details(struct store *st, const char *tenant_id, const char *lead_id, struct store_lead_details *out)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_LEAD_DETAILS) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, lead_id);
	sqlite_bind_text(q, 2, tenant_id);
	int rc = sqlite3_step(q), res = STORE_NOTFOUND;
	if (rc == SQLITE_ROW) {
		bool ok = true;
		struct store_lead_details d = {0};
		d.name_sealed = sqlite_col_dup_null(q, 0, &ok);
		d.phone_sealed = sqlite_col_dup_null(q, 1, &ok);
		d.message_sealed = sqlite_col_dup_null(q, 2, &ok);
		if (ok) {
			*out = d;
			res = STORE_OK;
		} else {
			store_lead_details_clear(&d);
			res = STORE_NOMEM;
		}
	} else if (rc != SQLITE_DONE) {
		res = sqlite_map_rc(rc);
	}
	sqlite_done(q);
	return res;
}
