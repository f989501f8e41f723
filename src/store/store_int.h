/*
 * store_int.h — what the two store backends share with store.c, and nothing else includes.
 *
 * A backend embeds `struct store` as its first member and points `ops` at its table. store.c owns
 * dispatch, timing (the on_timing hook) and migrations; the backends own connections and SQL.
 */
#ifndef BOTWERK_STORE_INT_H
#define BOTWERK_STORE_INT_H

#include "store/store.h"

#include <time.h>

struct store_ops {
	const char *name; /* "sqlite" | "postgres" */
	void (*close)(struct store *st);
	int (*ping)(struct store *st);

	/* migrations: current version (0 when none applied) and applying one file in a transaction that
	 * also records it in schema_migrations */
	int (*schema_version)(struct store *st, int *version);
	int (*backup)(struct store *st, const char *path); /* NULL: not supported */
	/* housekeeping: retention, trial bots, master key rotation (store_*_retention.c) */
	int (*tenant_retention_get)(struct store *st, const char *tenant_id, int *days);
	int (*tenant_retention_set)(struct store *st, const char *tenant_id, int days);
	int (*retention_tenants)(struct store *st, const char *after_id, int limit, struct store_retention_row *rows,
				 int *n);
	int (*retention_erase)(struct store *st, const char *tenant_id, int64_t cutoff, int limit, int64_t now,
			       int *erased);
	int (*bot_expire)(struct store *st, int64_t now, int limit, struct store_bot_expired *rows, int *n);
	int (*tenant_key_list)(struct store *st, const char *after_id, int limit, struct store_tenant_key_row *rows,
			       int *n);
	int (*tenant_key_swap)(struct store *st, const char *tenant_id, const char *expected, const char *wrapped);
	int (*server_key_get)(struct store *st, const char *name, char **wrapped);
	int (*server_key_swap)(struct store *st, const char *name, const char *expected, const char *wrapped,
			       int64_t now);
	int (*apply_migration)(struct store *st, int version, const char *name, const char *sql);

	int (*tenant_create)(struct store *st, const char *id, const char *name, int64_t now);
	int (*tenant_get)(struct store *st, const char *id, struct store_tenant *out);
	int (*apikey_create)(struct store *st, const char *key_id, const char *tenant_id,
			     const unsigned char hash[32], const char *prefix, int64_t now);
	int (*apikey_revoke)(struct store *st, const char *key_id, int64_t now);
	int (*apikey_lookup)(struct store *st, const unsigned char hash[32], char tenant_id[STORE_ID_MAX]);

	int (*bot_create)(struct store *st, const struct store_bot *b);
	int (*bot_get)(struct store *st, const char *tenant_id, const char *bot_id, struct store_bot *out);
	int (*bot_update)(struct store *st, const struct store_bot *b);
	int (*bot_delete)(struct store *st, const char *tenant_id, const char *bot_id);
	int (*bot_list)(struct store *st, const char *tenant_id, int64_t after_created, const char *after_id,
			int limit, struct store_bot *rows, int *n);

	int (*source_create)(struct store *st, const char *tenant_id, const struct store_source *s,
			     const struct store_chunk_in *chunks, int nchunks);
	int (*source_get)(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
			  struct store_source *out);
	int (*source_list)(struct store *st, const char *tenant_id, const char *bot_id, int64_t after_created,
			   const char *after_id, int limit, struct store_source *rows, int *n);
	int (*source_delete)(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id);
	int (*chunk_search)(struct store *st, const char *tenant_id, const char *bot_id, const char *const *words,
			    int nwords, int min_match, int limit, struct store_hit *hits, int *n);

	int (*chunk_list)(struct store *st, const char *tenant_id, const char *bot_id, store_chunk_fn emit,
			  void *ud);

	int (*exchange_save)(struct store *st, const struct store_exchange *x);
	/* optional: backends without it run exchange_save and call done before returning */
	void (*exchange_save_async)(struct store *st, const struct store_exchange *x, store_done_fn done,
				    void *ud);
	int (*conversation_exists)(struct store *st, const char *tenant_id, const char *bot_id,
				   const char *conv_id);
	int (*conversation_contact)(struct store *st, const char *tenant_id, const char *bot_id, const char *conv_id,
				    char contact_id[STORE_ID_MAX], char **wrapped_key);
	int (*conversation_state)(struct store *st, const char *tenant_id, const char *conv_id, int *messages,
				  int *email_prompts);
	int (*conversation_count_messages)(struct store *st, const char *tenant_id, const char *conv_id, int *n);
	int (*analytics_add)(struct store *st, const char *tenant_id, const char *bot_id, const char *event,
			     const char *props_json, int64_t now);
	/* limit > 0 (store.c answers the others) */
	int (*embed_pending)(struct store *st, const char *tenant_id, const char *bot_id, const char *model, int limit,
			     struct store_embed_row **rows, int *n);
	int (*embed_put)(struct store *st, const char *tenant_id, const char *bot_id, const char *model, int n,
			 const int64_t *chunk_ids, const char *const *vectors_b64);
	int (*embed_load)(struct store *st, const char *tenant_id, const char *bot_id, const char *model,
			  store_embed_fn emit, void *ud);
	int (*embed_count)(struct store *st, const char *tenant_id, const char *bot_id, const char *model,
			   int64_t *total, int64_t *done);
	int (*source_enqueue)(struct store *st, const char *tenant_id, const struct store_source *s, const void *file,
			      size_t file_len);
	int (*source_claim)(struct store *st, int64_t now, int64_t lease_ms, struct store_source *out);
	int (*source_progress)(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
			       const char *progress, int64_t now);
	int (*source_finish)(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
			     const char *status, const char *error, const char *progress, int64_t chars,
			     const struct store_chunk_in *chunks, int n, int64_t now);
	int (*source_requeue)(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
			      int64_t now);
	int (*source_file)(struct store *st, const char *tenant_id, const char *source_id, void **data, size_t *len);
	int (*bot_scan)(struct store *st, const char *after_id, int limit, struct store_bot *rows, int *n);
	int (*message_list)(struct store *st, const char *tenant_id, const char *conv_id, int limit, bool newest,
			    struct store_message **out, int *n);

	int (*tenant_key_get)(struct store *st, const char *tenant_id, char **wrapped);
	int (*tenant_key_init)(struct store *st, const char *tenant_id, const char *wrapped, char **current);
	int (*lead_capture)(struct store *st, const struct store_lead_capture *lc, char lead_id_out[STORE_ID_MAX],
			    bool *created);
	/* f is never NULL and limit > 0 (store.c sees to both) */
	int (*lead_list)(struct store *st, const char *tenant_id, const struct store_lead_filter *f,
			 int64_t after_created, const char *after_id, int limit, struct store_lead **out, int *n);
	int (*lead_get)(struct store *st, const char *tenant_id, const char *lead_id, struct store_lead *out);
	int (*contact_erase)(struct store *st, const char *tenant_id, const char *contact_id, int64_t now);
	int (*erasure_list)(struct store *st, int (*emit)(void *ud, const char *contact_id), void *ud);
	int (*contact_purge)(struct store *st, const char *contact_id, int64_t now);
	/* the contact's sealed profile (store_*_contacts.c) */
	int (*contact_profile_get)(struct store *st, const char *tenant_id, const char *contact_id,
				   char **sealed_profile);
	int (*contact_profile_set)(struct store *st, const char *tenant_id, const char *contact_id,
				   const char *sealed_profile, int64_t now);

	/* images, contact persons and contact requests (store_*_persons.c) */
	int (*image_get)(struct store *st, const char *image_id, struct store_image *out);
	int (*bot_logo_set)(struct store *st, const char *tenant_id, const char *bot_id,
			    const struct store_image_in *img, const char *config, int64_t updated_at);
	int (*person_create)(struct store *st, const char *tenant_id, const struct store_person *p, int max);
	int (*person_get)(struct store *st, const char *tenant_id, const char *bot_id, const char *person_id,
			  struct store_person *out);
	int (*person_list)(struct store *st, const char *tenant_id, const char *bot_id, struct store_person *rows,
			   int max, int *n);
	int (*person_update)(struct store *st, const char *tenant_id, const struct store_person *p);
	int (*person_delete)(struct store *st, const char *tenant_id, const char *bot_id, const char *person_id);
	int (*person_reorder)(struct store *st, const char *tenant_id, const char *bot_id, const char *const *ids,
			      int n, int64_t now);
	int (*person_photo_set)(struct store *st, const char *tenant_id, const char *bot_id, const char *person_id,
				const struct store_image_in *img);
	int (*contact_request)(struct store *st, const struct store_contact_request *cr,
			       char lead_id_out[STORE_ID_MAX], bool *created);
	int (*lead_details)(struct store *st, const char *tenant_id, const char *lead_id,
			    struct store_lead_details *out);
	/* engagement statistics (store_*_stats.c) */
	int (*bot_stats)(struct store *st, const char *tenant_id, const char *bot_id, int64_t from_ms, int64_t to_ms,
			 int top_min_interest, struct store_bot_stats *out);
	/* data-subject export (store_*_export.c); limit > 0 (store.c answers the others) */
	int (*contact_get)(struct store *st, const char *tenant_id, const char *contact_id, struct store_contact *out);
	int (*conversation_get)(struct store *st, const char *tenant_id, const char *conv_id,
				struct store_conversation *out, char **wrapped_key);
	int (*contact_conversations)(struct store *st, const char *tenant_id, const char *contact_id, int limit,
				     struct store_conversation **out, int *n);
	int (*contact_consents)(struct store *st, const char *tenant_id, const char *contact_id, int limit,
				struct store_consent **out, int *n);
	int (*contact_leads)(struct store *st, const char *tenant_id, const char *contact_id, int limit,
			     struct store_contact_lead **out, int *n);
	/* jobs, webhook intake, WhatsApp contacts and messages (store_*_jobs.c, store_*_wa.c; migration 008).
	 * limit > 0 for job_list_dead (store.c answers the others). */
	int (*job_add)(struct store *st, const struct store_job_in *j);
	int (*job_claim)(struct store *st, int64_t now, int64_t lease_ms, const char *worker_id, struct store_job *out);
	int (*job_finish)(struct store *st, const char *id, int attempt, const char *status, const char *error,
			  int64_t next_run_at, int64_t now);
	int (*job_cancel_key)(struct store *st, const char *tenant_id, const char *cancel_key, int64_t now,
			      int *cancelled);
	int (*job_get)(struct store *st, const char *tenant_id, const char *id, struct store_job *out);
	int (*job_list_dead)(struct store *st, const char *tenant_id, const char *after_id, int limit,
			     struct store_job *rows, int *n);
	int (*job_retry_dead)(struct store *st, const char *tenant_id, const char *id, int64_t now);
	int (*job_next_run_at)(struct store *st, int64_t *run_at);
	int (*webhook_put)(struct store *st, const struct store_webhook_in *ev, bool *duplicate);
	/* optional: backends without it run webhook_put and call done before returning */
	void (*webhook_put_async)(struct store *st, const struct store_webhook_in *ev, store_webhook_put_fn done,
				  void *ud);
	int (*webhook_claim)(struct store *st, int64_t now, int64_t lease_ms, struct store_webhook *out);
	int (*webhook_done)(struct store *st, const char *id, int64_t now);
	int (*prune_finished)(struct store *st, int64_t cutoff, int limit, int *events, int *jobs);
	int (*wa_contact_upsert)(struct store *st, const struct store_wa_contact_in *c, char contact_id[STORE_ID_MAX],
				 bool *created);
	/* by id (contact_id set) or by the number's blind index (bot_id and e164_bidx set) */
	int (*wa_contact_find)(struct store *st, const char *tenant_id, const char *contact_id, const char *bot_id,
			       const char *e164_bidx, struct store_wa_contact *out);
	int (*wa_consent_set)(struct store *st, const struct store_wa_consent *cs);
	int (*wa_touch_inbound)(struct store *st, const char *tenant_id, const char *contact_id, int64_t at);
	int (*wa_message_add)(struct store *st, const struct store_wa_message_in *m);
	int (*wa_message_sent)(struct store *st, const char *tenant_id, const char *id, const char *provider_message_id,
			       int64_t now);
	int (*wa_message_status)(struct store *st, const char *tenant_id, const char *bot_id,
				 const char *provider_message_id, const char *status, int error_code, int64_t now);
	int (*wa_message_get)(struct store *st, const char *tenant_id, const char *id, struct store_wa_message *out);
	int (*wa_messages_list)(struct store *st, const char *tenant_id, const char *contact_id, int limit,
				struct store_wa_message **out, int *n);
	int (*wa_conv_open)(struct store *st, const char *tenant_id, const char *bot_id, const char *contact_id,
			    const char *new_id, int64_t now, struct store_wa_conv *out, bool *created);
	int (*wa_conv_get)(struct store *st, const char *tenant_id, const char *conv_id, struct store_wa_conv *out);
	int (*wa_conv_update)(struct store *st, const struct store_wa_conv_update *u);
	int (*analytics_counts)(struct store *st, const char *tenant_id, const char *bot_id, const char *prefix,
				int64_t from, int64_t to, int (*emit)(void *ud, const char *event, int64_t count), void *ud);
};

struct store {
	const struct store_ops *ops;
	struct store_opts opts; /* copied at open; url is owned (strdup) */
};

/* Backend constructors: return the embedded struct store, or NULL with a message in errbuf. They do
 * not run migrations; store.c does after a successful open. */
struct store *store_sqlite_open(const struct store_opts *opts, char *errbuf, size_t errlen);
struct store *store_pg_open(const struct store_opts *opts, char *errbuf, size_t errlen);

/* Migration files embedded at build time from src/store/sql/ (generated file). */
struct store_sql_file {
	const char *name; /* "001_init.sqlite.sql" */
	const char *sql;  /* NUL-terminated */
};
extern const struct store_sql_file store_sql_files[];
extern const size_t store_sql_files_count;

/* "At least k of n words" as a query both backends can run: an OR of AND-groups, one group per
 * k-combination of the n words. Calls group(ud, idx, k) for each combination (indexes ascending, in
 * lexicographic order) and returns how many there were; returns 0 without calling when k ≤ 1 or the
 * combinations would exceed STORE_MATCH_GROUPS_MAX: the caller then ORs all words. */
#define STORE_MATCH_GROUPS_MAX 64
int store_match_groups(int n, int k, void (*group)(void *ud, const int *idx, int k), void *ud);

/* Strings: duplicates `s` (NULL stays NULL); sets *ok to false when memory runs out. */
char *store_strdup(const char *s, bool *ok);

/* WhatsApp delivery statuses move forward only: the statuses a message may be in for `status` to replace
 * it, as ",queued,sent," (match ',' || status || ','), or NULL when `status` is not one a callback sets. */
const char *store_wa_status_from(const char *status);

/* Monotonic seconds, for the on_timing hook. */
static inline double store_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Times one backend call: `TIMED(st, "bot_get", st->ops->bot_get(st, ...))`. */
#define TIMED(st, name, call)                                                                   \
	do {                                                                                    \
		double t0_ = (st)->opts.on_timing ? store_now_s() : 0;                                \
		int rc_ = (call);                                                               \
		if ((st)->opts.on_timing)                                                       \
			(st)->opts.on_timing((st)->opts.timing_ud, name, store_now_s() - t0_);        \
		return rc_;                                                                     \
	} while (0)

#endif
