/*
 * sqlite_int.h — what the SQLite backend's files share: connections, statements, the writer.
 *
 * Connections: one per thread (a pthread key inside the store; its destructor closes the connection
 * when the thread ends), opened NOMUTEX in WAL mode with synchronous=NORMAL, statements prepared once
 * per connection (SQLITE_PREPARE_PERSISTENT). Readers use their thread's connection and never block.
 *
 * Writes: a single writer thread per process owns all write transactions (group commit). A caller
 * hands it a transaction body (`sqlite_tx_fn`) and waits; the writer runs every body queued at that
 * moment in one BEGIN IMMEDIATE … COMMIT, each inside its own SAVEPOINT, so one failing body is rolled
 * back alone and the others commit. sqlite_write returns only after the commit, so a caller that got
 * STORE_OK knows its data is in the database. Other processes (the admin CLI) are waited for with the
 * busy timeout.
 *
 * Files: sqlite_conn.c (connections, statements, FTS5 hooks, the writer); store_sqlite.c (the statement
 * table, opening, migrations, tenants, API keys, bots, and the `struct store_ops` table);
 * store_sqlite_knowledge.c (sources, chunks, full-text search); store_sqlite_chat.c (conversations,
 * messages, analytics); store_sqlite_contacts.c (personal data: tenant keys, leads, consents, erasure).
 */
#ifndef BOTWERK_STORE_SQLITE_INT_H
#define BOTWERK_STORE_SQLITE_INT_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/store_int.h"

enum stmt_id {
	S_BEGIN,
	S_COMMIT,
	S_ROLLBACK,
	S_SAVEPOINT,
	S_RELEASE,
	S_ROLLBACK_TO,
	S_TENANT_INSERT,
	S_TENANT_GET,
	S_KEY_INSERT,
	S_KEY_REVOKE,
	S_KEY_EXISTS,
	S_KEY_LOOKUP,
	S_BOT_INSERT,
	S_BOT_INSERT_EXPIRING,
	S_BOT_GET,
	S_BOT_GET_PUBLIC,
	S_BOT_UPDATE,
	S_BOT_BUMP,
	S_BOT_RID,
	S_BOT_LIST,
	S_BOT_DEL_FTS,
	S_BOT_DEL_CHUNKS,
	S_BOT_DEL_SOURCES,
	S_BOT_DEL_MESSAGES,
	S_BOT_DEL_CONVS,
	S_BOT_DEL_ANALYTICS,
	S_BOT_DEL_CONSENTS,
	S_BOT_DEL_LEADS,
	S_BOT_DEL_CONTACTS,
	S_BOT_DELETE,
	S_SOURCE_INSERT,
	S_SOURCE_JOB_SET,
	S_FILE_INSERT,
	S_FILE_GET,
	S_FILE_DELETE,
	S_SOURCE_PICK,
	S_SOURCE_CLAIM,
	S_SOURCE_PROGRESS,
	S_SOURCE_FINISH,
	S_SOURCE_REQUEUE,
	S_BOT_DEL_FILES,
	S_CHUNK_INSERT,
	S_FTS_INSERT,
	S_SOURCE_GET,
	S_SOURCE_LIST,
	S_SOURCE_DEL_FTS,
	S_SOURCE_DEL_CHUNKS,
	S_SOURCE_DELETE,
	S_SEARCH,
	S_CHUNK_LIST,
	S_CONV_INSERT,
	S_MSG_INSERT,
	S_CONV_TOUCH,
	S_CONV_EXISTS,
	S_CONV_COUNT,
	S_CONV_CONTACT,
	S_CONV_STATE,
	S_CONTACT_INSERT,
	S_MSG_LIST,
	S_MSG_TAIL,
	S_EMBED_PENDING,
	S_EMBED_PUT,
	S_EMBED_LOAD,
	S_EMBED_COUNT,
	S_BOT_SCAN,
	S_ANALYTICS_INSERT,
	S_TENANT_KEY_GET,
	S_TENANT_KEY_SET,
	S_CONTACT_SET_EMAIL,
	S_LEAD_INSERT,
	S_LEAD_FIND,
	S_CONSENT_INSERT,
	S_LEAD_LIST,
	S_LEAD_GET,
	S_CONTACT_EXISTS,
	S_CONTACT_DEL_MESSAGES,
	S_CONTACT_DEL_CONVS,
	S_CONTACT_DEL_LEADS,
	S_CONTACT_DEL_CONSENTS,
	S_CONTACT_DELETE,
	S_ERASURE_INSERT,
	S_ERASURE_LIST,
	S_PURGE_TENANT,
	S_PURGE_DEL_MESSAGES,
	S_PURGE_DEL_CONVS,
	S_PURGE_DEL_LEADS,
	S_PURGE_DEL_CONSENTS,
	S_PURGE_DELETE,
	S_CONTACT_PROFILE_GET,
	S_CONTACT_PROFILE_SET,
	/* images, contact persons and contact requests: store_sqlite_persons.c */
	S_IMG_INSERT,
	S_IMG_GET,
	S_IMG_DEL_LOGOS,
	S_IMG_DELETE,
	S_CP_BOT_CONFIG,
	S_CP_COUNT,
	S_CP_INSERT,
	S_CP_GET,
	S_CP_LIST,
	S_CP_UPDATE,
	S_CP_DELETE,
	S_CP_CLOSE_GAP,
	S_CP_SET_ORD,
	S_CP_SET_PHOTO,
	S_CR_CONTACT,
	S_CR_CONTACT_SET,
	S_CR_LEAD_INSERT,
	S_CR_CONSENT_INSERT,
	S_LEAD_DETAILS,
	/* jobs and webhook intake: store_sqlite_jobs.c; WhatsApp contacts and messages: store_sqlite_wa.c */
	S_JOB_INSERT,
	S_JOB_DEDUPE_EXISTS,
	S_JOB_PICK_EXPIRED,
	S_JOB_PICK_DUE,
	S_JOB_TAKE,
	S_JOB_FINISH,
	S_JOB_CANCEL,
	S_JOB_GET,
	S_JOB_LIST_DEAD,
	S_JOB_RETRY,
	S_JOB_EXISTS,
	S_JOB_NEXT,
	S_WH_INSERT,
	S_WH_PICK,
	S_WH_CLAIM,
	S_WH_DONE,
	S_WH_PRUNE,
	S_JOB_PRUNE,
	S_WAC_UPSERT,
	S_WAC_GET,
	S_WAC_BY_BIDX,
	S_WAC_CONSENT,
	S_WAC_CONSENT_LEDGER,
	S_WAC_TOUCH,
	S_WAM_INSERT,
	S_WAM_CONTACT_OK,
	S_WAM_SENT,
	S_WAM_STATUS,
	S_WAM_EXISTS,
	S_WAM_GET,
	S_WAM_LIST,
	S_WCV_INSERT,
	S_WCV_BY_CONTACT,
	S_WCV_GET,
	S_WCV_UPDATE,
	S_ANALYTICS_COUNTS,
	S__COUNT
};

extern const char *const sqlite_stmt_sql[S__COUNT];

struct sqlite_store;

struct conn {
	sqlite3 *db;
	sqlite3_stmt *stmt[S__COUNT];
	struct sqlite_store *owner;
	struct conn *next, *prev;
};

/* A transaction body: runs statements on the writer's connection; returns STORE_OK or an error (its
 * savepoint is then rolled back). */
typedef int (*sqlite_tx_fn)(struct conn *c, void *arg);

struct write_op {
	sqlite_tx_fn fn;
	void *arg;
	int rc;
	bool done;
	pthread_cond_t done_cond; /* signalled when `done` is set (one waiter: the op's caller) */
	store_done_fn on_done;    /* set for ops nobody waits for (heap-allocated, freed by the writer) */
	void *done_ud;
	bool flush;               /* its batch is flushed to the disk (synchronous=FULL) before it is answered */
	struct write_op *next;
};

struct sqlite_store {
	struct store base; /* first member: the store is this struct */
	char *path;
	pthread_key_t key;
	pthread_mutex_t conns_lock; /* guards the list of open connections */
	struct conn *conns;
	pthread_mutex_t queue_lock; /* guards the writer queue and `stop` */
	pthread_cond_t queue_cond;  /* work arrived */
	struct write_op *head, *tail;
	bool stop, writer_running;
	_Atomic unsigned long synced_batches; /* batches committed with synchronous=FULL (read by tests) */
	pthread_t writer;
};

/* Sets up connections and starts the writer; on failure writes to errbuf, returns -1 (call fini). */
int sqlite_store_init(struct sqlite_store *s, const struct store_opts *opts, char *errbuf, size_t errlen);
/* Stops the writer (after the queue drains) and closes every connection. */
void sqlite_store_fini(struct sqlite_store *s);

/* The calling thread's connection, opened on first use; NULL on failure (logged). */
struct conn *sqlite_conn(struct sqlite_store *s);
/* Runs `fn` in the writer's next batch without waiting: done(ud, rc) is called on the writer thread
 * after the commit (or at once with STORE_NOMEM / STORE_ERROR when it cannot be queued). */
void sqlite_write_async(struct sqlite_store *s, sqlite_tx_fn fn, void *arg, store_done_fn done, void *ud);
/* Runs `fn` in the writer's next batch and waits for the commit. */
int sqlite_write(struct sqlite_store *s, sqlite_tx_fn fn, void *arg);
/* The same two for writes that must survive a power loss before their caller hears back, whatever the
 * store's sync_full says: what was acknowledged to someone who will not send it again (a provider's
 * webhook, a lead, a consent, a contact request) and what must not come back (an erasure, a key swap).
 * The batch that holds one is committed with synchronous=FULL: one fsync, shared by the batch. */
void sqlite_write_async_flushed(struct sqlite_store *s, sqlite_tx_fn fn, void *arg, store_done_fn done, void *ud);
int sqlite_write_flushed(struct sqlite_store *s, sqlite_tx_fn fn, void *arg);

/* Statement helpers: a reset, unbound statement (NULL on failure, logged); reset after use; step a
 * statement that returns no rows (STORE_OK or mapped error; `changes` may be NULL). */
sqlite3_stmt *sqlite_stmt(struct conn *c, enum stmt_id id);
void sqlite_done(sqlite3_stmt *st);
int sqlite_run(struct conn *c, sqlite3_stmt *st, int *changes);
int sqlite_map_rc(int rc);
/* Steps a statement that yields at most one row: STORE_OK with the row current (read its columns, then
 * sqlite_done), `none` when there is no row, or the store code of an error. */
int sqlite_step_row(sqlite3_stmt *st, int none);
void sqlite_log(const char *what, sqlite3 *db);
int sqlite_exec(sqlite3 *db, const char *sql); /* logs failures; returns the SQLite code */

/* ---- shared by the entity files (store_sqlite.c, store_sqlite_knowledge.c, store_sqlite_chat.c) ---- */

static inline struct sqlite_store *sqlite_of(struct store *st)
{
	return (struct sqlite_store *)st;
}

/* Binds a text parameter without copying it (SQLITE_STATIC), NULL as SQL NULL. */
static inline void sqlite_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* An id column into a fixed buffer ("" for NULL). */
static inline void sqlite_col_id(sqlite3_stmt *st, int i, char out[STORE_ID_MAX])
{
	const unsigned char *t = sqlite3_column_text(st, i);
	snprintf(out, STORE_ID_MAX, "%s", t ? (const char *)t : "");
}

/* A text column copied to the heap ("" for NULL); *ok turns false when memory runs out. */
static inline char *sqlite_col_dup(sqlite3_stmt *st, int i, bool *ok)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return store_strdup(t ? (const char *)t : "", ok);
}

/* Like sqlite_col_dup, but NULL (and *ok untouched) for an SQL NULL. */
static inline char *sqlite_col_dup_null(sqlite3_stmt *st, int i, bool *ok)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : sqlite_col_dup(st, i, ok);
}

/* A text column in place (valid until the statement steps or resets): "" for NULL; *ok turns false
 * when SQLite ran out of memory converting it. */
static inline const char *sqlite_col_str(struct conn *c, sqlite3_stmt *st, int i, bool *ok)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	if (t)
		return (const char *)t;
	if (sqlite3_errcode(c->db) == SQLITE_NOMEM)
		*ok = false;
	return "";
}

/* Makes room for one more element in a growing result array (*arr holds *cap elements of `size` bytes):
 * doubles it, from 16, up to `max` elements. false when memory runs out (the array is left as it was). */
static inline bool sqlite_grow(void **arr, int *cap, int used, int max, size_t size)
{
	if (used < *cap)
		return true;
	int want = *cap == 0 ? 16 : *cap > max / 2 ? max : *cap * 2;
	if (want > max)
		want = max;
	void *p = realloc(*arr, (size_t)want * size);
	if (!p)
		return false;
	*arr = p;
	*cap = want;
	return true;
}

/* Arguments of the transaction bodies scoped to a bot (and, for a source, to one of its sources). */
struct scope_args {
	const char *tenant_id, *bot_id, *source_id;
};

/* Runs one of the statements bound with (?1, ?2, ?3) = (p1, p2, p3); p3 may be NULL for two-parameter
 * ones (store_sqlite.c). */
int sqlite_run_scoped(struct conn *c, enum stmt_id id, const char *p1, const char *p2, const char *p3,
		      int *changes);
/* The bot's integer rid (the FTS filter column): STORE_OK, or STORE_NOTFOUND when the bot is not the
 * tenant's (store_sqlite.c). */
int sqlite_bot_rid(struct conn *c, const char *tenant_id, const char *bot_id, sqlite3_int64 *rid);

/* The `struct store_ops` entries of the feature files, wired up in store_sqlite.c. */

/* store_sqlite_knowledge.c: sources, chunks and full-text search. */
int sq_source_create(struct store *st, const char *tenant_id, const struct store_source *src,
		     const struct store_chunk_in *chunks, int nchunks);
int sq_source_get(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
		  struct store_source *out);
int sq_source_list(struct store *st, const char *tenant_id, const char *bot_id, int64_t after_created,
		   const char *after_id, int limit, struct store_source *rows, int *n);
int sq_source_delete(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id);
int sq_chunk_list(struct store *st, const char *tenant_id, const char *bot_id, store_chunk_fn emit, void *ud);
int sq_chunk_search(struct store *st, const char *tenant_id, const char *bot_id, const char *const *words,
		    int nwords, int min_match, int limit, struct store_hit *hits, int *n);

/* store_sqlite_chat.c: conversations, their messages (exchanges) and analytics events. */
int sq_exchange_save(struct store *st, const struct store_exchange *x);
void sq_exchange_save_async(struct store *st, const struct store_exchange *x, store_done_fn done, void *ud);
int sq_conversation_exists(struct store *st, const char *tenant_id, const char *bot_id, const char *conv_id);
int sq_conversation_contact(struct store *st, const char *tenant_id, const char *bot_id, const char *conv_id,
			    char contact_id[STORE_ID_MAX], char **wrapped_key);
int sq_conversation_state(struct store *st, const char *tenant_id, const char *conv_id, int *messages,
			  int *email_prompts);
int sq_conversation_count_messages(struct store *st, const char *tenant_id, const char *conv_id, int *n);
int sq_analytics_add(struct store *st, const char *tenant_id, const char *bot_id, const char *event,
		     const char *props_json, int64_t now);
int sq_embed_pending(struct store *st, const char *tenant_id, const char *bot_id, const char *model, int limit,
		     struct store_embed_row **rows, int *n);
int sq_embed_put(struct store *st, const char *tenant_id, const char *bot_id, const char *model, int n,
		 const int64_t *chunk_ids, const char *const *vectors_b64);
int sq_embed_load(struct store *st, const char *tenant_id, const char *bot_id, const char *model,
		  store_embed_fn emit, void *ud);
int sq_embed_count(struct store *st, const char *tenant_id, const char *bot_id, const char *model, int64_t *total,
		   int64_t *done);
int sq_source_enqueue(struct store *st, const char *tenant_id, const struct store_source *s, const void *file,
		      size_t file_len);
int sq_source_claim(struct store *st, int64_t now, int64_t lease_ms, struct store_source *out);
int sq_source_progress(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
		       const char *progress, int64_t now);
int sq_source_finish(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
		     const char *status, const char *error, const char *progress, int64_t chars,
		     const struct store_chunk_in *chunks, int n, int64_t now);
int sq_source_requeue(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
		      int64_t now);
int sq_source_file(struct store *st, const char *tenant_id, const char *source_id, void **data, size_t *len);
/* store_sqlite_knowledge.c's, for the ingestion jobs */
int sqlite_source_insert(struct conn *c, const char *tenant_id, const struct store_source *src, sqlite3_int64 rid,
			 const struct store_chunk_in *chunks, int nchunks);
int sqlite_chunk_insert(struct conn *c, const char *tenant_id, const char *bot_id, sqlite3_int64 rid,
			const char *source_id, const struct store_chunk_in *ch);
int sqlite_knowledge_bump(struct conn *c, const char *tenant_id, const char *bot_id);
int sq_bot_scan(struct store *st, const char *after_id, int limit, struct store_bot *rows, int *n);
int sq_message_list(struct store *st, const char *tenant_id, const char *conv_id, int limit, bool newest,
		    struct store_message **out, int *n);

/* store_sqlite_contacts.c: personal data (tenant keys, contacts' leads and consents, erasure). */
int sq_tenant_key_get(struct store *st, const char *tenant_id, char **wrapped);
int sq_tenant_key_init(struct store *st, const char *tenant_id, const char *wrapped, char **current);
int sq_lead_capture(struct store *st, const struct store_lead_capture *lc, char lead_id_out[STORE_ID_MAX],
		    bool *created);
int sq_lead_list(struct store *st, const char *tenant_id, const struct store_lead_filter *f, int64_t after_created,
		 const char *after_id, int limit, struct store_lead **out, int *n);
int sq_lead_get(struct store *st, const char *tenant_id, const char *lead_id, struct store_lead *out);
int sq_contact_erase(struct store *st, const char *tenant_id, const char *contact_id, int64_t now);
int sq_erasure_list(struct store *st, int (*emit)(void *ud, const char *contact_id), void *ud);
int sq_contact_purge(struct store *st, const char *contact_id, int64_t now);
int sq_contact_profile_get(struct store *st, const char *tenant_id, const char *contact_id, char **sealed_profile);
int sq_contact_profile_set(struct store *st, const char *tenant_id, const char *contact_id, const char *sealed_profile,
			   int64_t now);

/* store_sqlite_retention.c: housekeeping (retention, trial bots, master key rotation). Its statements
 * keep their SQL in that file and are prepared per call (they run rarely). */
int sq_tenant_retention_get(struct store *st, const char *tenant_id, int *days);
int sq_tenant_retention_set(struct store *st, const char *tenant_id, int days);
int sq_retention_tenants(struct store *st, const char *after_id, int limit, struct store_retention_row *rows,
			 int *n);
int sq_retention_erase(struct store *st, const char *tenant_id, int64_t cutoff, int limit, int64_t now, int *erased);
int sq_bot_expire(struct store *st, int64_t now, int limit, struct store_bot_expired *rows, int *n);
int sq_tenant_key_list(struct store *st, const char *after_id, int limit, struct store_tenant_key_row *rows, int *n);
int sq_tenant_key_swap(struct store *st, const char *tenant_id, const char *expected, const char *wrapped);
int sq_server_key_get(struct store *st, const char *name, char **wrapped);
int sq_server_key_swap(struct store *st, const char *name, const char *expected, const char *wrapped, int64_t now);

/* store_sqlite_persons.c: images, contact persons and contact requests. */
int sq_image_get(struct store *st, const char *image_id, struct store_image *out);
int sq_bot_logo_set(struct store *st, const char *tenant_id, const char *bot_id, const struct store_image_in *img,
		    const char *config, int64_t updated_at);
int sq_person_create(struct store *st, const char *tenant_id, const struct store_person *p, int max);
int sq_person_get(struct store *st, const char *tenant_id, const char *bot_id, const char *person_id,
		  struct store_person *out);
int sq_person_list(struct store *st, const char *tenant_id, const char *bot_id, struct store_person *rows, int max,
		   int *n);
int sq_person_update(struct store *st, const char *tenant_id, const struct store_person *p);
int sq_person_delete(struct store *st, const char *tenant_id, const char *bot_id, const char *person_id);
int sq_person_reorder(struct store *st, const char *tenant_id, const char *bot_id, const char *const *ids, int n,
		      int64_t now);
int sq_person_photo_set(struct store *st, const char *tenant_id, const char *bot_id, const char *person_id,
			const struct store_image_in *img);
int sq_contact_request(struct store *st, const struct store_contact_request *cr, char lead_id_out[STORE_ID_MAX],
		       bool *created);
int sq_lead_details(struct store *st, const char *tenant_id, const char *lead_id, struct store_lead_details *out);

/* store_sqlite_stats.c: engagement statistics (SQL kept in that file, prepared per call). */
int sq_bot_stats(struct store *st, const char *tenant_id, const char *bot_id, int64_t from_ms, int64_t to_ms,
		 int top_min_interest, struct store_bot_stats *out);

/* store_sqlite_export.c: the data-subject export (SQL kept in that file, prepared per call). */
int sq_contact_get(struct store *st, const char *tenant_id, const char *contact_id, struct store_contact *out);
int sq_conversation_get(struct store *st, const char *tenant_id, const char *conv_id, struct store_conversation *out,
		      char **wrapped_key);
int sq_contact_conversations(struct store *st, const char *tenant_id, const char *contact_id, int limit,
			   struct store_conversation **out, int *n);
int sq_contact_consents(struct store *st, const char *tenant_id, const char *contact_id, int limit,
		      struct store_consent **out, int *n);
int sq_contact_leads(struct store *st, const char *tenant_id, const char *contact_id, int limit,
		   struct store_contact_lead **out, int *n);

/* store_sqlite_jobs.c: the durable job queue and webhook intake (migration 008). */
int sq_job_add(struct store *st, const struct store_job_in *j);
int sq_job_claim(struct store *st, int64_t now, int64_t lease_ms, const char *worker_id, struct store_job *out);
int sq_job_finish(struct store *st, const char *id, int attempt, const char *status, const char *error,
		  int64_t next_run_at, int64_t now);
int sq_job_cancel_key(struct store *st, const char *tenant_id, const char *cancel_key, int64_t now, int *cancelled);
int sq_job_get(struct store *st, const char *tenant_id, const char *id, struct store_job *out);
int sq_job_list_dead(struct store *st, const char *tenant_id, const char *after_id, int limit, struct store_job *rows,
		     int *n);
int sq_job_retry_dead(struct store *st, const char *tenant_id, const char *id, int64_t now);
int sq_job_next_run_at(struct store *st, int64_t *run_at);
int sq_webhook_put(struct store *st, const struct store_webhook_in *ev, bool *duplicate);
void sq_webhook_put_async(struct store *st, const struct store_webhook_in *ev, store_webhook_put_fn done, void *ud);
int sq_webhook_claim(struct store *st, int64_t now, int64_t lease_ms, struct store_webhook *out);
int sq_webhook_done(struct store *st, const char *id, int64_t now);
int sq_prune_finished(struct store *st, int64_t cutoff, int limit, int *events, int *jobs);

/* store_sqlite_wa.c: WhatsApp contacts, consent and messages (migration 008). */
int sq_wa_contact_upsert(struct store *st, const struct store_wa_contact_in *c, char contact_id[STORE_ID_MAX],
			 bool *created);
int sq_wa_contact_find(struct store *st, const char *tenant_id, const char *contact_id, const char *bot_id,
		       const char *e164_bidx, struct store_wa_contact *out);
int sq_wa_consent_set(struct store *st, const struct store_wa_consent *cs);
int sq_wa_touch_inbound(struct store *st, const char *tenant_id, const char *contact_id, int64_t at);
int sq_wa_message_add(struct store *st, const struct store_wa_message_in *m);
int sq_wa_message_sent(struct store *st, const char *tenant_id, const char *id, const char *provider_message_id,
		       int64_t now);
int sq_wa_message_status(struct store *st, const char *tenant_id, const char *bot_id, const char *provider_message_id,
			 const char *status, int error_code, int64_t now);
int sq_wa_message_get(struct store *st, const char *tenant_id, const char *id, struct store_wa_message *out);
int sq_wa_messages_list(struct store *st, const char *tenant_id, const char *contact_id, int limit,
			struct store_wa_message **out, int *n);
/* store_sqlite_waconv.c: WhatsApp conversations and funnel counts (migration 009). */
int sq_wa_conv_open(struct store *st, const char *tenant_id, const char *bot_id, const char *contact_id,
		    const char *new_id, int64_t now, struct store_wa_conv *out, bool *created);
int sq_wa_conv_get(struct store *st, const char *tenant_id, const char *conv_id, struct store_wa_conv *out);
int sq_wa_conv_update(struct store *st, const struct store_wa_conv_update *u);
int sq_analytics_counts(struct store *st, const char *tenant_id, const char *bot_id, const char *prefix,
			int64_t from, int64_t to, int (*emit)(void *ud, const char *event, int64_t count), void *ud);

#endif
