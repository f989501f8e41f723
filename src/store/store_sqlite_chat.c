/*
 * store_sqlite_chat.c — the SQLite backend's chat records: conversations and their messages (saved one
 * exchange — the visitor's message and the bot's reply — at a time) and analytics events.
 *
 * The statements are in the table of store_sqlite.c; the shared helpers, the writer and the
 * connections are declared in sqlite_int.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"

/* ---- conversations ---------------------------------------------------------------------------------- */

static int insert_message(struct conn *c, const struct store_exchange *x, const char *id, const char *dir,
			  const char *content, const char *meta, int latency)
{
	sqlite3_stmt *q = sqlite_stmt(c, S_MSG_INSERT);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, id);
	sqlite_bind_text(q, 2, x->tenant_id);
	sqlite_bind_text(q, 3, x->bot_id);
	sqlite_bind_text(q, 4, x->conversation_id);
	sqlite_bind_text(q, 5, dir);
	sqlite_bind_text(q, 6, content);
	sqlite_bind_text(q, 7, meta);
	if (latency >= 0)
		sqlite3_bind_int(q, 8, latency);
	sqlite3_bind_int64(q, 9, x->now);
	return sqlite_run(c, q, NULL);
}

static int exchange_save_tx(struct conn *c, void *arg)
{
	const struct store_exchange *x = arg;
	sqlite3_int64 rid;
	int rc = sqlite_bot_rid(c, x->tenant_id, x->bot_id, &rid), changes = 0;
	bool with_contact = x->new_conversation && x->contact_id;
	if (rc == STORE_OK && with_contact) {
		sqlite3_stmt *q = sqlite_stmt(c, S_CONTACT_INSERT);
		if (!q)
			return STORE_ERROR;
		sqlite_bind_text(q, 1, x->contact_id);
		sqlite_bind_text(q, 2, x->tenant_id);
		sqlite_bind_text(q, 3, x->bot_id);
		sqlite_bind_text(q, 4, x->contact_wrapped_key);
		sqlite_bind_text(q, 5, x->channel);
		sqlite3_bind_int64(q, 6, x->now);
		rc = sqlite_run(c, q, NULL);
	}
	if (rc == STORE_OK && x->new_conversation) {
		sqlite3_stmt *q = sqlite_stmt(c, S_CONV_INSERT);
		if (!q)
			return STORE_ERROR;
		sqlite_bind_text(q, 1, x->conversation_id);
		sqlite_bind_text(q, 2, x->tenant_id);
		sqlite_bind_text(q, 3, x->bot_id);
		sqlite_bind_text(q, 4, x->channel);
		sqlite3_bind_int64(q, 5, x->now);
		sqlite3_bind_int(q, 6, 2); /* born with its two messages: no touch below */
		sqlite_bind_text(q, 7, with_contact ? x->contact_id : NULL);
		sqlite3_bind_int(q, 8, x->email_prompted ? 1 : 0);
		rc = sqlite_run(c, q, NULL);
	}
	if (rc == STORE_OK && x->contact_profile && x->profile_contact_id) {
		sqlite3_stmt *q = sqlite_stmt(c, S_CONTACT_PROFILE_SET);
		if (!q)
			return STORE_ERROR;
		sqlite_bind_text(q, 1, x->profile_contact_id);
		sqlite_bind_text(q, 2, x->tenant_id);
		sqlite_bind_text(q, 3, x->contact_profile);
		sqlite3_bind_int64(q, 4, x->now);
		rc = sqlite_run(c, q, NULL);
	}
	if (rc == STORE_OK)
		rc = insert_message(c, x, x->user_msg_id, "in", x->user_text, NULL, -1);
	if (rc == STORE_OK)
		rc = insert_message(c, x, x->bot_msg_id, "out", x->bot_text, x->bot_meta, x->latency_ms);
	if (rc == STORE_OK && !x->new_conversation) {
		sqlite3_stmt *q = sqlite_stmt(c, S_CONV_TOUCH);
		if (!q)
			return STORE_ERROR;
		sqlite_bind_text(q, 1, x->conversation_id);
		sqlite_bind_text(q, 2, x->tenant_id);
		sqlite3_bind_int(q, 3, 2);
		sqlite3_bind_int64(q, 4, x->now);
		sqlite_bind_text(q, 5, x->bot_id);
		sqlite3_bind_int(q, 6, x->email_prompted ? 1 : 0);
		rc = sqlite_run(c, q, &changes);
		if (rc == STORE_OK && changes == 0)
			rc = STORE_NOTFOUND;
	}
	return rc;
}

int sq_exchange_save(struct store *st, const struct store_exchange *x)
{
	return sqlite_write(sqlite_of(st), exchange_save_tx, (void *)(uintptr_t)x);
}

void sq_exchange_save_async(struct store *st, const struct store_exchange *x, store_done_fn done, void *ud)
{
	sqlite_write_async(sqlite_of(st), exchange_save_tx, (void *)(uintptr_t)x, done, ud);
}

int sq_conversation_exists(struct store *st, const char *tenant_id, const char *bot_id, const char *conv_id)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_CONV_EXISTS) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, conv_id);
	sqlite_bind_text(q, 2, bot_id);
	sqlite_bind_text(q, 3, tenant_id);
	int rc = sqlite3_step(q);
	int res = rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : sqlite_map_rc(rc);
	sqlite_done(q);
	return res;
}

int sq_conversation_contact(struct store *st, const char *tenant_id, const char *bot_id, const char *conv_id,
			    char contact_id[STORE_ID_MAX], char **wrapped_key)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_CONV_CONTACT) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, conv_id);
	sqlite_bind_text(q, 2, bot_id);
	sqlite_bind_text(q, 3, tenant_id);
	int rc = sqlite3_step(q), res = STORE_NOTFOUND;
	if (rc == SQLITE_ROW) {
		bool ok = true;
		char *key = sqlite_col_dup(q, 1, &ok);
		if (ok) {
			sqlite_col_id(q, 0, contact_id);
			*wrapped_key = key;
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

int sq_conversation_state(struct store *st, const char *tenant_id, const char *conv_id, int *messages,
			  int *email_prompts)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_CONV_STATE) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, conv_id);
	sqlite_bind_text(q, 2, tenant_id);
	int res = sqlite_step_row(q, STORE_NOTFOUND);
	if (res == STORE_OK) {
		*messages = sqlite3_column_int(q, 0);
		*email_prompts = sqlite3_column_int(q, 1);
	}
	sqlite_done(q);
	return res;
}

int sq_conversation_count_messages(struct store *st, const char *tenant_id, const char *conv_id, int *n)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, S_CONV_COUNT) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, conv_id);
	sqlite_bind_text(q, 2, tenant_id);
	int rc = sqlite3_step(q), res = sqlite_map_rc(rc);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int(q, 0);
	sqlite_done(q);
	return res;
}

static int read_message(sqlite3_stmt *q, struct store_message *out)
{
	bool ok = true;
	struct store_message m = {0};
	sqlite_col_id(q, 0, m.id);
	const unsigned char *dir = sqlite3_column_text(q, 1);
	m.inbound = dir && !strcmp((const char *)dir, "in");
	m.content = sqlite_col_dup(q, 2, &ok);
	if (sqlite3_column_type(q, 3) != SQLITE_NULL)
		m.meta = sqlite_col_dup(q, 3, &ok);
	m.created_at = sqlite3_column_int64(q, 4);
	if (!ok) {
		store_message_clear(&m);
		return STORE_NOMEM;
	}
	*out = m;
	return STORE_OK;
}

int sq_message_list(struct store *st, const char *tenant_id, const char *conv_id, int limit, bool newest,
		    struct store_message **out, int *n)
{
	struct conn *c = sqlite_conn(sqlite_of(st));
	sqlite3_stmt *q = c ? sqlite_stmt(c, newest ? S_MSG_TAIL : S_MSG_LIST) : NULL;
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, conv_id);
	sqlite_bind_text(q, 2, tenant_id);
	sqlite3_bind_int(q, 3, limit);
	struct store_message *rows = NULL;
	int count = 0, cap = 0, rc, res = STORE_OK;
	while (count < limit && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (!sqlite_grow((void **)&rows, &cap, count, limit, sizeof *rows)) {
			res = STORE_NOMEM;
			break;
		}
		if ((res = read_message(q, &rows[count])) != STORE_OK)
			break;
		count++;
	}
	if (res == STORE_OK && count < limit && rc != SQLITE_DONE)
		res = sqlite_map_rc(rc);
	sqlite_done(q);
	if (res != STORE_OK) {
		while (count > 0)
			store_message_clear(&rows[--count]);
		free(rows);
		return res;
	}
	*out = rows;
	*n = count;
	return STORE_OK;
}

struct analytics_args {
	const char *tenant_id, *bot_id, *event, *props;
	int64_t now;
};

static int analytics_add_tx(struct conn *c, void *arg)
{
	const struct analytics_args *a = arg;
	sqlite3_int64 rid;
	int rc = sqlite_bot_rid(c, a->tenant_id, a->bot_id, &rid);
	if (rc != STORE_OK)
		return rc;
	sqlite3_stmt *q = sqlite_stmt(c, S_ANALYTICS_INSERT);
	if (!q)
		return STORE_ERROR;
	sqlite_bind_text(q, 1, a->tenant_id);
	sqlite_bind_text(q, 2, a->bot_id);
	sqlite_bind_text(q, 3, a->event);
	sqlite_bind_text(q, 4, a->props ? a->props : "{}");
	sqlite3_bind_int64(q, 5, a->now);
	return sqlite_run(c, q, NULL);
}

int sq_analytics_add(struct store *st, const char *tenant_id, const char *bot_id, const char *event,
			    const char *props_json, int64_t now)
{
	struct analytics_args a = {tenant_id, bot_id, event, props_json, now};
	return sqlite_write(sqlite_of(st), analytics_add_tx, &a);
}
