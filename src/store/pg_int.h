/*
 * pg_int.h — what the PostgreSQL backend's files share: statement ids, the pool, running statements,
 * column helpers, the bot-row locks, and the operations the ops table points at.
 *
 * Files: store_pg_sql.c (the SQL of every statement), store_pg.c (the connection pool, logging and
 * error mapping, migrations, the ops table and store_pg_open), store_pg_bots.c (tenants, API keys, bots,
 * the bot-row locks, conversations, messages and analytics), store_pg_sources.c (sources, chunks and
 * full-text search), store_pg_contacts.c (personal data: tenant keys, leads, consents, erasure). The pool's structs
 * stay inside store_pg.c; the other files only pass pointers on.
 *
 * Consistency: every write that touches several rows runs in BEGIN … COMMIT and rolls back on any failure.
 * Writers that add rows under a bot (conversations, messages, analytics) first take FOR KEY SHARE on the
 * bot row; source create and delete first raise bots.knowledge_version, whose UPDATE holds the stronger
 * FOR NO KEY UPDATE on the row until commit (so the version moves with the chunks, and two source
 * changes of one bot run one after the other; chats, which take FOR KEY SHARE, are not held up);
 * bot_delete deletes that row first. So a delete waits for writers in flight, and a writer that comes
 * after the delete finds no bot: nothing is left behind under a deleted bot. Every writer locks the bot
 * row before any row under it, so writers of one bot cannot deadlock each other. A contact's erasure
 * locks its bot row, then the contact row and its conversations (FOR UPDATE) before deleting: an exchange
 * or a lead capture in flight on them commits first and its rows are then deleted too, and one that
 * comes after finds nothing to write to.
 */
#ifndef BOTWERK_STORE_PG_INT_H
#define BOTWERK_STORE_PG_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "store/store_int.h"

/* ---- statements (their SQL: pg_stmts in store_pg_sql.c) ------------------------------------------- */

enum pg_q {
	Q_BEGIN,
	Q_COMMIT,
	Q_ROLLBACK,
	Q_PING,
	Q_MIG_LOCK,
	Q_MIG_TABLE,
	Q_MIG_EXISTS,
	Q_MIG_VERSION,
	Q_MIG_APPLIED,
	Q_MIG_RECORD,
	Q_TENANT_CREATE,
	Q_TENANT_GET,
	Q_APIKEY_CREATE,
	Q_APIKEY_REVOKE,
	Q_APIKEY_LOOKUP,
	Q_BOT_CREATE,
	Q_BOT_CREATE_EXPIRING,
	Q_BOT_GET,
	Q_BOT_GET_PUBLIC,
	Q_BOT_UPDATE,
	Q_BOT_RID,
	Q_BOT_LOCK,
	Q_BOT_BUMP,
	Q_BOT_LIST_FIRST,
	Q_BOT_LIST_AFTER,
	Q_BOT_DELETE,
	Q_BOT_DEL_CHUNKS,
	Q_BOT_DEL_SOURCES,
	Q_BOT_DEL_CONVERSATIONS,
	Q_BOT_DEL_ANALYTICS,
	Q_BOT_DEL_CONSENTS,
	Q_BOT_DEL_LEADS,
	Q_BOT_DEL_CONTACTS,
	Q_SOURCE_CREATE,
	Q_SOURCE_JOB_SET,
	Q_FILE_INSERT,
	Q_FILE_GET,
	Q_FILE_DELETE,
	Q_SOURCE_CLAIM,
	Q_SOURCE_PROGRESS,
	Q_SOURCE_FINISH,
	Q_SOURCE_REQUEUE,
	Q_BOT_DEL_FILES,
	Q_CHUNK_CREATE,
	Q_SOURCE_GET,
	Q_SOURCE_LIST_FIRST,
	Q_SOURCE_LIST_AFTER,
	Q_SOURCE_DELETE,
	Q_SOURCE_DEL_CHUNKS,
	Q_CHUNK_SEARCH,
	Q_CHUNK_LIST,
	Q_CONV_CREATE,
	Q_CONV_TOUCH,
	Q_MSG_CREATE,
	Q_CONV_EXISTS,
	Q_CONV_COUNT,
	Q_CONV_CONTACT,
	Q_CONV_STATE,
	Q_CONTACT_CREATE,
	Q_MSG_LIST,
	Q_MSG_TAIL,
	Q_EMBED_PENDING,
	Q_EMBED_PUT,
	Q_EMBED_LOAD,
	Q_EMBED_COUNT,
	Q_BOT_SCAN,
	Q_ANALYTICS_ADD,
	Q_TENANT_KEY_GET,
	Q_TENANT_KEY_SET,
	Q_CONTACT_SET_EMAIL,
	Q_LEAD_CREATE,
	Q_LEAD_FIND,
	Q_CONSENT_CREATE,
	Q_LEAD_LIST_FIRST,
	Q_LEAD_LIST_AFTER,
	Q_LEAD_GET,
	Q_CONTACT_BOT,
	Q_CONTACT_LOCK,
	Q_CONTACT_LOCK_CONVS,
	Q_CONTACT_DEL_MESSAGES,
	Q_CONTACT_DEL_CONVS,
	Q_CONTACT_DEL_LEADS,
	Q_CONTACT_DEL_CONSENTS,
	Q_CONTACT_DELETE,
	Q_ERASURE_CREATE,
	Q_ERASURE_LIST,
	Q_PURGE_TENANT,
	Q_PURGE_DEL_MESSAGES,
	Q_PURGE_DEL_CONVS,
	Q_PURGE_DEL_LEADS,
	Q_PURGE_DEL_CONSENTS,
	Q_PURGE_DELETE,
	Q_CONTACT_PROFILE_GET,
	Q_CONTACT_PROFILE_SET,
	/* images, contact persons and contact requests: store_pg_persons.c */
	Q_IMG_INSERT,
	Q_IMG_GET,
	Q_IMG_DEL_LOGOS,
	Q_IMG_DELETE,
	Q_CP_BOT_CONFIG,
	Q_CP_BOT_LOCK,
	Q_CP_COUNT,
	Q_CP_INSERT,
	Q_CP_GET,
	Q_CP_LIST,
	Q_CP_UPDATE,
	Q_CP_DELETE,
	Q_CP_CLOSE_GAP,
	Q_CP_SET_ORD,
	Q_CP_SET_PHOTO,
	Q_CR_CONTACT_SET,
	Q_CR_LEAD_INSERT,
	Q_CR_CONSENT_INSERT,
	Q_LEAD_DETAILS,
	/* jobs and webhook intake: store_pg_jobs.c; WhatsApp contacts and messages: store_pg_wa.c */
	Q_JOB_INSERT,
	Q_JOB_DEDUPE_EXISTS,
	Q_JOB_CLAIM_EXPIRED,
	Q_JOB_CLAIM_DUE,
	Q_JOB_FINISH,
	Q_JOB_CANCEL,
	Q_JOB_GET,
	Q_JOB_LIST_DEAD,
	Q_JOB_RETRY,
	Q_JOB_EXISTS,
	Q_JOB_NEXT,
	Q_WH_INSERT,
	Q_WH_CLAIM,
	Q_WH_DONE,
	Q_WH_PRUNE,
	Q_JOB_PRUNE,
	Q_WAC_UPSERT,
	Q_WAC_GET,
	Q_WAC_BY_BIDX,
	Q_WAC_CONSENT,
	Q_WAC_CONSENT_LEDGER,
	Q_WAC_EXISTS,
	Q_WAC_TOUCH,
	Q_WAM_INSERT,
	Q_WAM_CONTACT_OK,
	Q_WAM_SENT,
	Q_WAM_STATUS,
	Q_WAM_EXISTS,
	Q_WAM_GET,
	Q_WAM_LIST,
	/* WhatsApp conversations and funnel counts: store_pg_waconv.c */
	Q_WACONV_INSERT,
	Q_WACONV_BY_CONTACT,
	Q_WACONV_GET,
	Q_WACONV_UPDATE,
	Q_ANALYTICS_COUNTS,
	Q_COUNT
};

/* The SQL of statement q is pg_stmts[q] (store_pg_sql.c). */
struct pg_stmt {
	const char *name; /* prepared statement name, also the "op" in log lines */
	const char *sql;
	int nparams;
};
extern const struct pg_stmt pg_stmts[Q_COUNT];

/* Columns every bot query returns, in this order (see bot_from_row in store_pg_bots.c). */
#define BOT_COLS "id, tenant_id, name, config, active, created_at, updated_at, knowledge_version, expires_at"
/* Columns and joins of every lead query, in this order (see lead_from_row in store_pg_contacts.c): the
 * lead, its contact, its conversation and the latest consent of its contact. */
#define LEAD_SELECT                                                                                          \
	"SELECT l.id, l.bot_id, l.conversation_id, l.contact_id, coalesce(k.email, ''), k.wrapped_key, "        \
	"l.source, l.channel, l.context, coalesce(cs.text_version, ''), coalesce(cs.granted_at, 0), "           \
	"l.interest, c.message_count, c.created_at, c.last_message_at, l.created_at FROM leads l "              \
	"JOIN contacts k ON k.tenant_id = l.tenant_id AND k.id = l.contact_id "                                 \
	"JOIN conversations c ON c.tenant_id = l.tenant_id AND c.id = l.conversation_id "                       \
	"LEFT JOIN LATERAL (SELECT text_version, granted_at FROM consents WHERE tenant_id = l.tenant_id "       \
	"AND contact_id = l.contact_id ORDER BY granted_at DESC, id DESC LIMIT 1) cs ON true "
/* Columns every source query returns, in this order (see source_from_row in store_pg_sources.c). */
#define SOURCE_COLS "id, bot_id, kind, title, status, chars, chunks, created_at, updated_at, url, progress, error"
/* Columns every contact-person query returns, in this order (see person_from_row in store_pg_persons.c). */
#define PERSON_COLS "id, bot_id, ord, name, position, email, phone, photo_image_id, created_at, updated_at"

/* ---- the pool and running statements (store_pg.c) ------------------------------------------------ */

struct pg_store; /* the backend: struct store plus the pool */
struct pg_conn;  /* one pooled libpq session */

static inline struct pg_store *pg_of(struct store *st)
{
	return (struct pg_store *)st;
}

/* Hands out a connection, ready to use, for the calling thread alone until pg_pool_release. Waits up to
 * the pool's wait time for one to become free (then STORE_BUSY). Prefers connections that are already
 * open. */
int pg_pool_acquire(struct pg_store *ps, struct pg_conn **out);
/* Puts a connection back. A session left inside a transaction (a path that could not roll back) is
 * rolled back here, or closed if even that fails, so the next user starts clean. */
void pg_pool_release(struct pg_store *ps, struct pg_conn *c);

/* Runs statement `q` on `c`, preparing it first if this session has not. `params` holds the
 * statement's parameter values (NULL = SQL NULL), text unless `formats`/`lengths` say otherwise.
 * Returns the result (caller PQclears) with *rc = STORE_OK, or NULL with *rc set to the mapped error
 * (logged when it is STORE_ERROR or STORE_BUSY). */
PGresult *pg_exec(struct pg_conn *c, enum pg_q q, const char *const *params, const int *lengths,
		  const int *formats, int *rc);
/* pg_exec for statements whose result is only a row count; *affected gets it when not NULL. */
int pg_cmd(struct pg_conn *c, enum pg_q q, const char *const *params, int64_t *affected);
/* One statement on a pooled connection: acquire, run, release. The result outlives the connection. */
int pg_one(struct pg_store *ps, enum pg_q q, const char *const *params, const int *lengths, const int *formats,
	   PGresult **out);
/* pg_one for statements whose result is only a row count. */
int pg_one_cmd(struct pg_store *ps, enum pg_q q, const char *const *params, int64_t *affected);
/* BEGIN; and the end of the transaction: COMMIT when rc is STORE_OK (and returns COMMIT's outcome),
 * ROLLBACK otherwise (and returns rc unchanged). A failed ROLLBACK is left to pg_pool_release. */
int pg_tx_begin(struct pg_conn *c);
int pg_tx_end(struct pg_conn *c, int rc);

/* One JSON line on stderr at level "error" (component store_pg); sqlstate may be NULL. */
void pg_log(const char *op, const char *sqlstate, const char *msg);

/* ---- values (store_pg.c) ------------------------------------------------------------------------- */

/* An integer parameter as text. */
struct pg_num {
	char s[24];
};
const char *pg_num(struct pg_num *n, int64_t v);
int64_t pg_col_i64(const PGresult *r, int row, int col);
/* Copies an id column into a fixed buffer; false when it does not fit (never for our own ids). */
bool pg_col_id(const PGresult *r, int row, int col, char dst[STORE_ID_MAX]);
/* Heap copy of a text column (NULL stays NULL); *ok turns false when memory runs out. */
char *pg_col_dup(const PGresult *r, int row, int col, bool *ok);

/* ---- the bot row (store_pg_bots.c; see "Consistency" above) -------------------------------------- */

/* STORE_OK when the bot exists for the tenant (no lock; for reads). */
int pg_bot_check(struct pg_conn *c, const char *tenant_id, const char *bot_id);
/* Inside a transaction, before anything else it changes: raises the bot's knowledge_version and so
 * locks its row (FOR NO KEY UPDATE) until commit; gives its rid when rid is not NULL. The version
 * commits or rolls back with the source change. STORE_NOTFOUND when the bot is not the tenant's. */
int pg_bot_bump(struct pg_conn *c, const char *tenant_id, const char *bot_id, int64_t *rid);
/* Inside a transaction, before any row it adds or changes under the bot: locks the bot row against deletion
 * (FOR KEY SHARE); gives its rid when rid is not NULL. STORE_NOTFOUND when the bot is not the tenant's. */
int pg_bot_lock(struct pg_conn *c, const char *tenant_id, const char *bot_id, int64_t *rid);

/* ---- operations: the entries of the ops table in store_pg.c -------------------------------------- */

/* store_pg_bots.c */
int pg_tenant_create(struct store *st, const char *id, const char *name, int64_t now);
int pg_tenant_get(struct store *st, const char *id, struct store_tenant *out);
int pg_apikey_create(struct store *st, const char *key_id, const char *tenant_id, const unsigned char hash[32],
		     const char *prefix, int64_t now);
int pg_apikey_revoke(struct store *st, const char *key_id, int64_t now);
int pg_apikey_lookup(struct store *st, const unsigned char hash[32], char tenant_id[STORE_ID_MAX]);
int pg_bot_create(struct store *st, const struct store_bot *b);
int pg_bot_get(struct store *st, const char *tenant_id, const char *bot_id, struct store_bot *out);
int pg_bot_update(struct store *st, const struct store_bot *b);
int pg_bot_delete(struct store *st, const char *tenant_id, const char *bot_id);
int pg_bot_list(struct store *st, const char *tenant_id, int64_t after_created, const char *after_id, int limit,
		struct store_bot *rows, int *n);
int pg_exchange_save(struct store *st, const struct store_exchange *x);
int pg_conversation_exists(struct store *st, const char *tenant_id, const char *bot_id, const char *conv_id);
int pg_conversation_contact(struct store *st, const char *tenant_id, const char *bot_id, const char *conv_id,
			    char contact_id[STORE_ID_MAX], char **wrapped_key);
int pg_conversation_state(struct store *st, const char *tenant_id, const char *conv_id, int *messages,
			  int *email_prompts);
int pg_conversation_count_messages(struct store *st, const char *tenant_id, const char *conv_id, int *n);
int pg_analytics_add(struct store *st, const char *tenant_id, const char *bot_id, const char *event,
		     const char *props_json, int64_t now);
int pg_embed_pending(struct store *st, const char *tenant_id, const char *bot_id, const char *model, int limit,
		     struct store_embed_row **rows, int *n);
int pg_embed_put(struct store *st, const char *tenant_id, const char *bot_id, const char *model, int n,
		 const int64_t *chunk_ids, const char *const *vectors_b64);
int pg_embed_load(struct store *st, const char *tenant_id, const char *bot_id, const char *model,
		  store_embed_fn emit, void *ud);
int pg_embed_count(struct store *st, const char *tenant_id, const char *bot_id, const char *model, int64_t *total,
		   int64_t *done);
int pg_source_enqueue(struct store *st, const char *tenant_id, const struct store_source *s, const void *file,
		      size_t file_len);
int pg_source_claim(struct store *st, int64_t now, int64_t lease_ms, struct store_source *out);
int pg_source_progress(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
		       const char *progress, int64_t now);
int pg_source_finish(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
		     const char *status, const char *error, const char *progress, int64_t chars,
		     const struct store_chunk_in *chunks, int n, int64_t now);
int pg_source_requeue(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
		      int64_t now);
int pg_source_file(struct store *st, const char *tenant_id, const char *source_id, void **data, size_t *len);
/* store_pg_sources.c's, for the ingestion jobs: the source's chunks (inside the caller's transaction). */
int pg_chunks_insert(struct pg_conn *c, const struct store *st, const char *tenant_id, const char *bot_id,
		     int64_t rid, const char *source_id, const struct store_chunk_in *chunks, int n);
int pg_bot_scan(struct store *st, const char *after_id, int limit, struct store_bot *rows, int *n);
int pg_message_list(struct store *st, const char *tenant_id, const char *conv_id, int limit, bool newest,
		    struct store_message **out, int *n);

/* store_pg_contacts.c */
int pg_tenant_key_get(struct store *st, const char *tenant_id, char **wrapped);
int pg_tenant_key_init(struct store *st, const char *tenant_id, const char *wrapped, char **current);
int pg_lead_capture(struct store *st, const struct store_lead_capture *lc, char lead_id_out[STORE_ID_MAX],
		    bool *created);
int pg_lead_list(struct store *st, const char *tenant_id, const struct store_lead_filter *f, int64_t after_created,
		 const char *after_id, int limit, struct store_lead **out, int *n);
int pg_lead_get(struct store *st, const char *tenant_id, const char *lead_id, struct store_lead *out);
int pg_contact_erase(struct store *st, const char *tenant_id, const char *contact_id, int64_t now);
int pg_erasure_list(struct store *st, int (*emit)(void *ud, const char *contact_id), void *ud);
int pg_contact_purge(struct store *st, const char *contact_id, int64_t now);
int pg_contact_profile_get(struct store *st, const char *tenant_id, const char *contact_id, char **sealed_profile);
int pg_contact_profile_set(struct store *st, const char *tenant_id, const char *contact_id, const char *sealed_profile,
			   int64_t now);

/* store_pg_sources.c */
int pg_source_create(struct store *st, const char *tenant_id, const struct store_source *s,
		     const struct store_chunk_in *chunks, int nchunks);
int pg_source_get(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
		  struct store_source *out);
int pg_source_list(struct store *st, const char *tenant_id, const char *bot_id, int64_t after_created,
		   const char *after_id, int limit, struct store_source *rows, int *n);
int pg_source_delete(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id);
int pg_chunk_search(struct store *st, const char *tenant_id, const char *bot_id, const char *const *words,
		    int nwords, int min_match, int limit, struct store_hit *hits, int *n);
int pg_chunk_list(struct store *st, const char *tenant_id, const char *bot_id, store_chunk_fn emit, void *ud);

/* ---- housekeeping: retention, trial bots, master key rotation (store_pg_retention.c) ------------- */

/* A statement outside pg_stmts, for feature files that keep their SQL in their own file: parameters sent
 * separately (PQexecParams), never spliced in. As pg_exec otherwise (store_pg.c). */
PGresult *pg_exec_sql(struct pg_conn *c, const char *op, const char *sql, int nparams, const char *const *params,
		      int *rc);

int pg_tenant_retention_get(struct store *st, const char *tenant_id, int *days);
int pg_tenant_retention_set(struct store *st, const char *tenant_id, int days);
int pg_retention_tenants(struct store *st, const char *after_id, int limit, struct store_retention_row *rows,
			 int *n);
int pg_retention_erase(struct store *st, const char *tenant_id, int64_t cutoff, int limit, int64_t now, int *erased);
int pg_bot_expire(struct store *st, int64_t now, int limit, struct store_bot_expired *rows, int *n);
int pg_tenant_key_list(struct store *st, const char *after_id, int limit, struct store_tenant_key_row *rows, int *n);
int pg_tenant_key_swap(struct store *st, const char *tenant_id, const char *expected, const char *wrapped);
int pg_server_key_get(struct store *st, const char *name, char **wrapped);
int pg_server_key_swap(struct store *st, const char *name, const char *expected, const char *wrapped, int64_t now);

/* store_pg_persons.c: images, contact persons and contact requests */
int pg_image_get(struct store *st, const char *image_id, struct store_image *out);
int pg_bot_logo_set(struct store *st, const char *tenant_id, const char *bot_id, const struct store_image_in *img,
		    const char *config, int64_t updated_at);
int pg_person_create(struct store *st, const char *tenant_id, const struct store_person *p, int max);
int pg_person_get(struct store *st, const char *tenant_id, const char *bot_id, const char *person_id,
		  struct store_person *out);
int pg_person_list(struct store *st, const char *tenant_id, const char *bot_id, struct store_person *rows, int max,
		   int *n);
int pg_person_update(struct store *st, const char *tenant_id, const struct store_person *p);
int pg_person_delete(struct store *st, const char *tenant_id, const char *bot_id, const char *person_id);
int pg_person_reorder(struct store *st, const char *tenant_id, const char *bot_id, const char *const *ids, int n,
		      int64_t now);
int pg_person_photo_set(struct store *st, const char *tenant_id, const char *bot_id, const char *person_id,
			const struct store_image_in *img);
int pg_contact_request(struct store *st, const struct store_contact_request *cr, char lead_id_out[STORE_ID_MAX],
		       bool *created);
int pg_lead_details(struct store *st, const char *tenant_id, const char *lead_id, struct store_lead_details *out);

/* store_pg_stats.c: engagement statistics (SQL kept in that file, run through pg_exec_sql). */
int pg_bot_stats(struct store *st, const char *tenant_id, const char *bot_id, int64_t from_ms, int64_t to_ms,
		 int top_min_interest, struct store_bot_stats *out);

/* store_pg_export.c: the data-subject export (SQL kept in that file, run through pg_exec_sql). */
int pg_contact_get(struct store *st, const char *tenant_id, const char *contact_id, struct store_contact *out);
int pg_conversation_get(struct store *st, const char *tenant_id, const char *conv_id, struct store_conversation *out,
		      char **wrapped_key);
int pg_contact_conversations(struct store *st, const char *tenant_id, const char *contact_id, int limit,
			   struct store_conversation **out, int *n);
int pg_contact_consents(struct store *st, const char *tenant_id, const char *contact_id, int limit,
		      struct store_consent **out, int *n);
int pg_contact_leads(struct store *st, const char *tenant_id, const char *contact_id, int limit,
		   struct store_contact_lead **out, int *n);

/* store_pg_jobs.c: the durable job queue and webhook intake (migration 008). */
int pg_job_add(struct store *st, const struct store_job_in *j);
int pg_job_claim(struct store *st, int64_t now, int64_t lease_ms, const char *worker_id, struct store_job *out);
int pg_job_finish(struct store *st, const char *id, int attempt, const char *status, const char *error,
		  int64_t next_run_at, int64_t now);
int pg_job_cancel_key(struct store *st, const char *tenant_id, const char *cancel_key, int64_t now, int *cancelled);
int pg_job_get(struct store *st, const char *tenant_id, const char *id, struct store_job *out);
int pg_job_list_dead(struct store *st, const char *tenant_id, const char *after_id, int limit, struct store_job *rows,
		     int *n);
int pg_job_retry_dead(struct store *st, const char *tenant_id, const char *id, int64_t now);
int pg_job_next_run_at(struct store *st, int64_t *run_at);
int pg_webhook_put(struct store *st, const struct store_webhook_in *ev, bool *duplicate);
int pg_webhook_claim(struct store *st, int64_t now, int64_t lease_ms, struct store_webhook *out);
int pg_webhook_done(struct store *st, const char *id, int64_t now);
int pg_prune_finished(struct store *st, int64_t cutoff, int limit, int *events, int *jobs);

/* store_pg_wa.c: WhatsApp contacts, consent and messages (migration 008). */
int pg_wa_contact_upsert(struct store *st, const struct store_wa_contact_in *c, char contact_id[STORE_ID_MAX],
			 bool *created);
int pg_wa_contact_find(struct store *st, const char *tenant_id, const char *contact_id, const char *bot_id,
		       const char *e164_bidx, struct store_wa_contact *out);
int pg_wa_consent_set(struct store *st, const struct store_wa_consent *cs);
int pg_wa_touch_inbound(struct store *st, const char *tenant_id, const char *contact_id, int64_t at);
int pg_wa_message_add(struct store *st, const struct store_wa_message_in *m);
int pg_wa_message_sent(struct store *st, const char *tenant_id, const char *id, const char *provider_message_id,
		       int64_t now);
int pg_wa_message_status(struct store *st, const char *tenant_id, const char *bot_id, const char *provider_message_id,
			 const char *status, int error_code, int64_t now);
int pg_wa_message_get(struct store *st, const char *tenant_id, const char *id, struct store_wa_message *out);
int pg_wa_messages_list(struct store *st, const char *tenant_id, const char *contact_id, int limit,
			struct store_wa_message **out, int *n);

/* store_pg_waconv.c: WhatsApp conversations and funnel counts (migration 009). */
int pg_wa_conv_open(struct store *st, const char *tenant_id, const char *bot_id, const char *contact_id,
		    const char *new_id, int64_t now, struct store_wa_conv *out, bool *created);
int pg_wa_conv_get(struct store *st, const char *tenant_id, const char *conv_id, struct store_wa_conv *out);
int pg_wa_conv_update(struct store *st, const struct store_wa_conv_update *u);
int pg_analytics_counts(struct store *st, const char *tenant_id, const char *bot_id, const char *prefix, int64_t from,
			int64_t to, int (*emit)(void *ud, const char *event, int64_t count), void *ud);

#endif
