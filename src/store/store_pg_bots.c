/*
 * store_pg_bots.c — PostgreSQL operations on tenants, API keys and bots, the bot-row locks every writer
 * under a bot takes first (see "Consistency" in pg_int.h), and what a chat writes under a bot:
 * conversations, messages and analytics events. Sources, chunks and search are in store_pg_sources.c;
 * the statements' SQL, the pool and the ops table in store_pg.c.
 */
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store/pg_int.h"

/* ---- tenants and API keys ------------------------------------------------------------------------ */

int pg_tenant_create(struct store *st, const char *id, const char *name, int64_t now)
{
	struct pg_num n;
	const char *p[] = {id, name, pg_num(&n, now)};
	return pg_one_cmd(pg_of(st), Q_TENANT_CREATE, p, NULL);
}

int pg_tenant_get(struct store *st, const char *id, struct store_tenant *out)
{
	const char *p[] = {id};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_TENANT_GET, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	struct store_tenant t = {0};
	bool ok = true;
	if (PQntuples(res) == 0) {
		rc = STORE_NOTFOUND;
	} else if (!pg_col_id(res, 0, 0, t.id)) {
		pg_log("tenant_get", NULL, "id longer than STORE_ID_MAX");
		rc = STORE_ERROR;
	} else {
		t.name = pg_col_dup(res, 0, 1, &ok);
		t.created_at = pg_col_i64(res, 0, 2);
		if (ok)
			*out = t;
		else
			rc = STORE_NOMEM;
	}
	PQclear(res);
	return rc;
}

int pg_apikey_create(struct store *st, const char *key_id, const char *tenant_id, const unsigned char hash[32],
		     const char *prefix, int64_t now)
{
	struct pg_num n;
	const char *p[] = {key_id, tenant_id, (const char *)hash, prefix, pg_num(&n, now)};
	const int lengths[] = {0, 0, 32, 0, 0}; /* $3, the digest, travels as 32 binary bytes */
	const int formats[] = {0, 0, 1, 0, 0};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_APIKEY_CREATE, p, lengths, formats, &res);
	if (rc == STORE_OK)
		PQclear(res);
	return rc;
}

int pg_apikey_revoke(struct store *st, const char *key_id, int64_t now)
{
	struct pg_num n;
	const char *p[] = {key_id, pg_num(&n, now)};
	int64_t affected = 0;
	int rc = pg_one_cmd(pg_of(st), Q_APIKEY_REVOKE, p, &affected);
	if (rc == STORE_OK && affected == 0)
		rc = STORE_NOTFOUND;
	return rc;
}

int pg_apikey_lookup(struct store *st, const unsigned char hash[32], char tenant_id[STORE_ID_MAX])
{
	const char *p[] = {(const char *)hash};
	const int lengths[] = {32};
	const int formats[] = {1};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_APIKEY_LOOKUP, p, lengths, formats, &res);
	if (rc != STORE_OK)
		return rc;
	char t[STORE_ID_MAX];
	if (PQntuples(res) == 0) {
		rc = STORE_NOTFOUND;
	} else if (!pg_col_id(res, 0, 0, t)) {
		pg_log("apikey_lookup", NULL, "id longer than STORE_ID_MAX");
		rc = STORE_ERROR;
	} else {
		memcpy(tenant_id, t, sizeof t);
	}
	PQclear(res);
	return rc;
}

/* ---- bots ---------------------------------------------------------------------------------------- */

/* Fills *out from row `row` of a BOT_COLS result. Writes *out only on STORE_OK. */
static int bot_from_row(const PGresult *r, int row, struct store_bot *out)
{
	struct store_bot b = {0};
	bool ok = true;
	if (!pg_col_id(r, row, 0, b.id) || !pg_col_id(r, row, 1, b.tenant_id)) {
		pg_log("bot_from_row", NULL, "id longer than STORE_ID_MAX");
		return STORE_ERROR;
	}
	b.name = pg_col_dup(r, row, 2, &ok);
	b.config = pg_col_dup(r, row, 3, &ok);
	b.active = PQgetvalue(r, row, 4)[0] == 't';
	b.created_at = pg_col_i64(r, row, 5);
	b.updated_at = pg_col_i64(r, row, 6);
	b.knowledge_version = pg_col_i64(r, row, 7);
	b.expires_at = PQgetisnull(r, row, 8) ? 0 : pg_col_i64(r, row, 8);
	if (!ok) {
		store_bot_clear(&b);
		return STORE_NOMEM;
	}
	*out = b;
	return STORE_OK;
}

int pg_bot_create(struct store *st, const struct store_bot *b)
{
	struct pg_num c, u, x;
	const char *p[] = {b->id, b->tenant_id, b->name, b->config, b->active ? "t" : "f",
			   pg_num(&c, b->created_at), pg_num(&u, b->updated_at),
			   b->expires_at ? pg_num(&x, b->expires_at) : NULL};
	return pg_one_cmd(pg_of(st), b->expires_at ? Q_BOT_CREATE_EXPIRING : Q_BOT_CREATE, p, NULL);
}

/* tenant_id NULL: the public lookup by id alone (store_bot_get_public). */
int pg_bot_get(struct store *st, const char *tenant_id, const char *bot_id, struct store_bot *out)
{
	PGresult *res = NULL;
	int rc;
	if (tenant_id) {
		const char *p[] = {tenant_id, bot_id};
		rc = pg_one(pg_of(st), Q_BOT_GET, p, NULL, NULL, &res);
	} else {
		const char *p[] = {bot_id};
		rc = pg_one(pg_of(st), Q_BOT_GET_PUBLIC, p, NULL, NULL, &res);
	}
	if (rc != STORE_OK)
		return rc;
	rc = PQntuples(res) == 0 ? STORE_NOTFOUND : bot_from_row(res, 0, out);
	PQclear(res);
	return rc;
}

int pg_bot_update(struct store *st, const struct store_bot *b)
{
	struct pg_num u, x;
	const char *p[] = {b->tenant_id, b->id, b->name, b->config, b->active ? "t" : "f", pg_num(&u, b->updated_at),
			   b->expires_at ? pg_num(&x, b->expires_at) : NULL};
	int64_t affected = 0;
	int rc = pg_one_cmd(pg_of(st), Q_BOT_UPDATE, p, &affected);
	if (rc == STORE_OK && affected == 0)
		rc = STORE_NOTFOUND;
	return rc;
}

int pg_bot_delete(struct store *st, const char *tenant_id, const char *bot_id)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	const char *p[] = {tenant_id, bot_id};
	int64_t affected = 0;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = pg_tx_begin(c)) != STORE_OK)
		goto out;
	/* The bot row first: this waits for writers holding FOR KEY SHARE on it and turns later ones away. */
	rc = pg_cmd(c, Q_BOT_DELETE, p, &affected);
	if (rc == STORE_OK && affected == 0)
		rc = STORE_NOTFOUND;
	if (rc == STORE_OK)
		rc = pg_cmd(c, Q_BOT_DEL_CHUNKS, p, NULL);
	if (rc == STORE_OK)
		rc = pg_cmd(c, Q_BOT_DEL_FILES, p, NULL);
	if (rc == STORE_OK)
		rc = pg_cmd(c, Q_BOT_DEL_SOURCES, p, NULL);
	if (rc == STORE_OK)
		rc = pg_cmd(c, Q_BOT_DEL_CONVERSATIONS, p, NULL);
	if (rc == STORE_OK)
		rc = pg_cmd(c, Q_BOT_DEL_ANALYTICS, p, NULL);
	if (rc == STORE_OK)
		rc = pg_cmd(c, Q_BOT_DEL_CONSENTS, p, NULL);
	if (rc == STORE_OK)
		rc = pg_cmd(c, Q_BOT_DEL_LEADS, p, NULL);
	if (rc == STORE_OK)
		rc = pg_cmd(c, Q_BOT_DEL_CONTACTS, p, NULL);
	rc = pg_tx_end(c, rc);
out:
	pg_pool_release(ps, c);
	return rc;
}

int pg_bot_list(struct store *st, const char *tenant_id, int64_t after_created, const char *after_id, int limit,
		struct store_bot *rows, int *n)
{
	struct pg_num nc, nl;
	PGresult *res = NULL;
	int rc;
	if (limit <= 0) {
		*n = 0;
		return STORE_OK;
	}
	if (after_id) {
		const char *p[] = {tenant_id, pg_num(&nc, after_created), after_id, pg_num(&nl, limit)};
		rc = pg_one(pg_of(st), Q_BOT_LIST_AFTER, p, NULL, NULL, &res);
	} else {
		const char *p[] = {tenant_id, pg_num(&nl, limit)};
		rc = pg_one(pg_of(st), Q_BOT_LIST_FIRST, p, NULL, NULL, &res);
	}
	if (rc != STORE_OK)
		return rc;
	int got = PQntuples(res), i;
	for (i = 0; i < got && i < limit; i++)
		if ((rc = bot_from_row(res, i, &rows[i])) != STORE_OK)
			break;
	if (rc != STORE_OK)
		while (i-- > 0)
			store_bot_clear(&rows[i]);
	else
		*n = i;
	PQclear(res);
	return rc;
}

int pg_bot_scan(struct store *st, const char *after_id, int limit, struct store_bot *rows, int *n)
{
	struct pg_num nl;
	const char *p[] = {after_id, pg_num(&nl, limit)};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_BOT_SCAN, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	int got = PQntuples(res), i;
	for (i = 0; i < got && i < limit; i++)
		if ((rc = bot_from_row(res, i, &rows[i])) != STORE_OK)
			break;
	if (rc != STORE_OK)
		while (i-- > 0)
			store_bot_clear(&rows[i]);
	else
		*n = i;
	PQclear(res);
	return rc;
}

/* ---- the bot row --------------------------------------------------------------------------------- */

/* STORE_OK when the bot exists for the tenant (no lock; for reads). */
int pg_bot_check(struct pg_conn *c, const char *tenant_id, const char *bot_id)
{
	const char *p[] = {tenant_id, bot_id};
	int rc;
	PGresult *res = pg_exec(c, Q_BOT_RID, p, NULL, NULL, &rc);
	if (!res)
		return rc;
	rc = PQntuples(res) > 0 ? STORE_OK : STORE_NOTFOUND;
	PQclear(res);
	return rc;
}

/* Runs Q_BOT_LOCK or Q_BOT_BUMP (both return the rid of the tenant's bot, and no row when the bot is
 * not the tenant's: STORE_NOTFOUND). *rid gets the rid when rid is not NULL. */
static int bot_row_lock(struct pg_conn *c, enum pg_q q, const char *tenant_id, const char *bot_id, int64_t *rid)
{
	const char *p[] = {tenant_id, bot_id};
	int rc;
	PGresult *res = pg_exec(c, q, p, NULL, NULL, &rc);
	if (!res)
		return rc;
	if (PQntuples(res) == 0) {
		rc = STORE_NOTFOUND;
	} else if (rid) {
		*rid = pg_col_i64(res, 0, 0);
	}
	PQclear(res);
	return rc;
}

/* Inside a transaction: locks the bot row against deletion (FOR KEY SHARE) and gives its rid. */
int pg_bot_lock(struct pg_conn *c, const char *tenant_id, const char *bot_id, int64_t *rid)
{
	return bot_row_lock(c, Q_BOT_LOCK, tenant_id, bot_id, rid);
}

/* Inside a transaction, before anything else it changes: raises the bot's knowledge_version and so
 * locks its row (FOR NO KEY UPDATE) until commit; gives its rid. The version commits or rolls back with
 * the source change. */
int pg_bot_bump(struct pg_conn *c, const char *tenant_id, const char *bot_id, int64_t *rid)
{
	return bot_row_lock(c, Q_BOT_BUMP, tenant_id, bot_id, rid);
}

/* ---- conversations, messages, analytics ---------------------------------------------------------- */

/* The bot must be the tenant's (STORE_NOTFOUND otherwise), and an existing conversation the bot's.
 * A negative latency_ms is stored as NULL. */
int pg_exchange_save(struct store *st, const struct store_exchange *x)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct pg_num nnow, nlat;
	pg_num(&nnow, x->now);
	pg_num(&nlat, x->latency_ms);
	int64_t affected = 0;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	if ((rc = pg_tx_begin(c)) != STORE_OK)
		goto out;
	if ((rc = pg_bot_lock(c, x->tenant_id, x->bot_id, NULL)) != STORE_OK)
		goto end;
	const char *contact = x->new_conversation ? x->contact_id : NULL;
	if (contact) {
		const char *p[] = {contact, x->tenant_id, x->bot_id, x->contact_wrapped_key, x->channel, nnow.s};
		if ((rc = pg_cmd(c, Q_CONTACT_CREATE, p, NULL)) != STORE_OK)
			goto end;
	}
	if (x->new_conversation) {
		const char *p[] = {x->conversation_id, x->tenant_id, x->bot_id, x->channel, nnow.s, contact};
		if ((rc = pg_cmd(c, Q_CONV_CREATE, p, NULL)) != STORE_OK)
			goto end;
	}
	const char *pt[] = {x->tenant_id, x->bot_id, x->conversation_id, nnow.s, x->email_prompted ? "1" : "0"};
	if ((rc = pg_cmd(c, Q_CONV_TOUCH, pt, &affected)) != STORE_OK)
		goto end;
	if (affected == 0) {
		rc = STORE_NOTFOUND;
		goto end;
	}
	if (x->contact_profile && x->profile_contact_id) {
		const char *pp[] = {x->tenant_id, x->profile_contact_id, x->contact_profile, nnow.s};
		if ((rc = pg_cmd(c, Q_CONTACT_PROFILE_SET, pp, NULL)) != STORE_OK)
			goto end;
	}
	const char *pu[] = {x->user_msg_id, x->tenant_id, x->bot_id, x->conversation_id, "in", x->user_text,
			    NULL, NULL, nnow.s};
	if ((rc = pg_cmd(c, Q_MSG_CREATE, pu, NULL)) != STORE_OK)
		goto end;
	const char *pb[] = {x->bot_msg_id, x->tenant_id, x->bot_id, x->conversation_id, "out", x->bot_text,
			    x->bot_meta, x->latency_ms >= 0 ? nlat.s : NULL, nnow.s};
	rc = pg_cmd(c, Q_MSG_CREATE, pb, NULL);
end:
	rc = pg_tx_end(c, rc);
out:
	pg_pool_release(ps, c);
	return rc;
}

int pg_conversation_exists(struct store *st, const char *tenant_id, const char *bot_id, const char *conv_id)
{
	const char *p[] = {tenant_id, bot_id, conv_id};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_CONV_EXISTS, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	rc = PQntuples(res) > 0 ? STORE_OK : STORE_NOTFOUND;
	PQclear(res);
	return rc;
}

int pg_conversation_contact(struct store *st, const char *tenant_id, const char *bot_id, const char *conv_id,
			    char contact_id[STORE_ID_MAX], char **wrapped_key)
{
	const char *p[] = {tenant_id, bot_id, conv_id};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_CONV_CONTACT, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	char id[STORE_ID_MAX];
	bool ok = true;
	if (PQntuples(res) == 0) {
		rc = STORE_NOTFOUND;
	} else if (!pg_col_id(res, 0, 0, id)) {
		pg_log("conversation_contact", NULL, "id longer than STORE_ID_MAX");
		rc = STORE_ERROR;
	} else {
		char *key = pg_col_dup(res, 0, 1, &ok);
		if (ok) {
			memcpy(contact_id, id, sizeof id);
			*wrapped_key = key;
		} else {
			rc = STORE_NOMEM;
		}
	}
	PQclear(res);
	return rc;
}

int pg_conversation_state(struct store *st, const char *tenant_id, const char *conv_id, int *messages,
			  int *email_prompts)
{
	const char *p[] = {tenant_id, conv_id};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_CONV_STATE, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	if (PQntuples(res) == 0) {
		rc = STORE_NOTFOUND;
	} else {
		*messages = (int)pg_col_i64(res, 0, 0);
		*email_prompts = (int)pg_col_i64(res, 0, 1);
	}
	PQclear(res);
	return rc;
}

/* Counts the tenant's message rows of the conversation (0 for an unknown one, as in SQLite). */
int pg_conversation_count_messages(struct store *st, const char *tenant_id, const char *conv_id, int *n)
{
	const char *p[] = {tenant_id, conv_id};
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_CONV_COUNT, p, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	*n = (int)pg_col_i64(res, 0, 0);
	PQclear(res);
	return rc;
}

/* STORE_NOTFOUND when the bot is not the tenant's. props_json NULL is stored as "{}". */
int pg_analytics_add(struct store *st, const char *tenant_id, const char *bot_id, const char *event,
		     const char *props_json, int64_t now)
{
	struct pg_num n;
	const char *p[] = {tenant_id, bot_id, event, props_json ? props_json : "{}", pg_num(&n, now)};
	int64_t affected = 0;
	int rc = pg_one_cmd(pg_of(st), Q_ANALYTICS_ADD, p, &affected);
	if (rc == STORE_OK && affected == 0)
		rc = STORE_NOTFOUND;
	return rc;
}

/* Fills *out from row `row` of Q_MSG_LIST. Writes *out only on STORE_OK. */
static int message_from_row(const PGresult *r, int row, struct store_message *out)
{
	struct store_message m = {0};
	bool ok = true;
	if (!pg_col_id(r, row, 0, m.id)) {
		pg_log("message_from_row", NULL, "id longer than STORE_ID_MAX");
		return STORE_ERROR;
	}
	m.inbound = strcmp(PQgetvalue(r, row, 1), "in") == 0;
	m.content = pg_col_dup(r, row, 2, &ok);
	m.meta = pg_col_dup(r, row, 3, &ok);
	m.created_at = pg_col_i64(r, row, 4);
	if (!ok) {
		store_message_clear(&m);
		return STORE_NOMEM;
	}
	*out = m;
	return STORE_OK;
}

/* The tenant's messages of the conversation, oldest first (none for an unknown one, as in SQLite). */
int pg_message_list(struct store *st, const char *tenant_id, const char *conv_id, int limit, bool newest,
		    struct store_message **out, int *n)
{
	struct pg_num nl;
	const char *p[] = {tenant_id, conv_id, pg_num(&nl, limit)};
	PGresult *res = NULL;
	struct store_message *rows = NULL;
	int rc = pg_one(pg_of(st), newest ? Q_MSG_TAIL : Q_MSG_LIST, p, NULL, NULL, &res);
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
		if ((rc = message_from_row(res, i, &rows[i])) != STORE_OK)
			break;
	if (rc != STORE_OK) {
		while (i-- > 0)
			store_message_clear(&rows[i]);
		free(rows);
		goto out;
	}
	*out = rows;
	*n = got;
out:
	PQclear(res);
	return rc;
}
