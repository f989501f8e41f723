/*
 * store.h — the one way botwerk reads and writes its data.
 *
 * An opaque `struct store` over two backends: SQLite (embedded default) and PostgreSQL. Callers never see
 * SQL. Every function that touches tenant-owned rows takes the tenant id; a row of another tenant is
 * reported as STORE_NOTFOUND, exactly like a row that does not exist.
 *
 * Threading: a store is shared by all threads. Each backend keeps its own per-thread (SQLite) or pooled
 * (PostgreSQL) connections internally; callers need no locking.
 *
 * Return values: STORE_OK (0) or a negative enum store_rc. Out-parameters are written only on STORE_OK.
 * Strings returned inside structs are heap-allocated and owned by the struct; free it with its _clear.
 */
#ifndef BOTWERK_STORE_H
#define BOTWERK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

enum store_rc {
	STORE_OK = 0,
	STORE_NOTFOUND = -1, /* no such row for this tenant */
	STORE_CONFLICT = -2, /* unique constraint */
	STORE_ERROR = -3,    /* database failure: logged by the store */
	STORE_NOMEM = -4,
	STORE_BUSY = -5, /* could not get the write lock in time */
};

#define STORE_ID_MAX 40 /* ids are "pfx_" + base32; always shorter than this, NUL included */

/* Text normalisation hook: the store indexes and queries text through it so that both backends see the
 * same terms. `emit` is called once per term (normalised, not NUL-terminated) with the byte offsets of
 * the surface word in `text`; a non-zero return from `emit` stops the walk and is returned. */
typedef int (*store_term_fn)(void *ud, const char *term, size_t term_len, size_t start, size_t end);
typedef int (*store_tokenize_fn)(void *ctx, const char *text, size_t len, store_term_fn emit, void *ud);

/* Timing hook: called after each database operation with its name (a static string) and duration. */
typedef void (*store_timing_fn)(void *ud, const char *op, double seconds);

struct store_opts {
	const char *url;             /* SQLite file path, or postgres:// / postgresql:// URL */
	int pool_size;               /* PostgreSQL connections (ignored by SQLite) */
	int busy_timeout_ms;         /* how long a writer waits for another process (SQLite) */
	store_tokenize_fn tokenize;  /* required */
	void *tokenize_ctx;          /* first argument of tokenize */
	store_timing_fn on_timing;   /* optional */
	void *timing_ud;
	bool sync_full;              /* SQLite: every commit flushed to the disk (synchronous=FULL), so that
				      * what was answered survives a power loss; else a process crash only */
};

/* Opens the database and applies pending migrations. On failure returns NULL and writes a message
 * for the operator into errbuf. */
struct store *store_open(const struct store_opts *opts, char *errbuf, size_t errlen);
void store_close(struct store *st);
const char *store_backend_name(const struct store *st); /* "sqlite" or "postgres" */
int store_ping(struct store *st);
int store_schema_version(struct store *st, int *version);
/* A consistent copy of the whole database written to `path` (which must not exist) while others keep
 * working: SQLite only (VACUUM INTO). PostgreSQL answers STORE_ERROR: use pg_dump there. */
int store_backup(struct store *st, const char *path);

/* ---- tenants and API keys ---------------------------------------------------------------------- */

struct store_tenant {
	char id[STORE_ID_MAX];
	char *name;
	int64_t created_at; /* unix milliseconds, as everywhere in the store */
};
void store_tenant_clear(struct store_tenant *t);

int store_tenant_create(struct store *st, const char *id, const char *name, int64_t now);
int store_tenant_get(struct store *st, const char *id, struct store_tenant *out);

/* `hash` is the 32-byte digest of the whole key; the key itself is never stored. */
int store_apikey_create(struct store *st, const char *key_id, const char *tenant_id,
			const unsigned char hash[32], const char *prefix, int64_t now);
int store_apikey_revoke(struct store *st, const char *key_id, int64_t now);
/* Finds the tenant of an active key. STORE_NOTFOUND for unknown or revoked keys. */
int store_apikey_lookup(struct store *st, const unsigned char hash[32], char tenant_id[STORE_ID_MAX]);

/* ---- bots --------------------------------------------------------------------------------------- */

struct store_bot {
	char id[STORE_ID_MAX];
	char tenant_id[STORE_ID_MAX];
	char *name;
	char *config; /* JSON object text: everything but id, tenant, name, active, timestamps */
	bool active;
	int64_t created_at, updated_at;
	int64_t knowledge_version; /* raised by every source create/delete (caches of the bot's knowledge
				    * compare it); read-only for callers: store_bot_update leaves it alone */
	int64_t expires_at;        /* unix ms after which the housekeeping job deactivates the bot (trial
				    * bots); 0: never. Written by create and update. */
};
void store_bot_clear(struct store_bot *b);

int store_bot_create(struct store *st, const struct store_bot *b);
int store_bot_get(struct store *st, const char *tenant_id, const char *bot_id, struct store_bot *out);
/* Public lookup by id alone, for the unauthenticated chat API. */
int store_bot_get_public(struct store *st, const char *bot_id, struct store_bot *out);
/* Replaces name, config, active and updated_at of the bot (id and tenant from `b`). */
int store_bot_update(struct store *st, const struct store_bot *b);
/* Removes the bot and everything that belongs to it (sources, chunks, conversations, messages, and its
 * contacts with their leads and consents). */
int store_bot_delete(struct store *st, const char *tenant_id, const char *bot_id);

/* Keyset pagination, newest first. `after_*` come from the last row of the previous page
 * (after_id NULL for the first page). Fills up to `limit` rows; *n gets the count. The caller owns
 * the rows and clears each. */
int store_bot_list(struct store *st, const char *tenant_id, int64_t after_created, const char *after_id,
		   int limit, struct store_bot *rows, int *n);

/* ---- knowledge sources and chunks --------------------------------------------------------------- */

struct store_source {
	char id[STORE_ID_MAX];
	char bot_id[STORE_ID_MAX];
	char *kind;   /* "text" | "url" | "pdf" */
	char *title;
	char *status; /* "queued" | "running" | "done" | "failed" | "no_text" */
	int64_t chars;
	int chunks;
	int64_t created_at, updated_at;
	char *url;      /* a crawled site's start URL, else NULL */
	char *progress; /* JSON {pages_done, pages_total, errors:[…]} of the last run, or NULL */
	char *error;    /* why the last run failed, or NULL */
	char tenant_id[STORE_ID_MAX]; /* filled by store_source_claim */
};
void store_source_clear(struct store_source *s);

struct store_chunk_in {
	const char *heading; /* heading path, "Preise > Tarife"; may be "" */
	const char *text;
	int ord;
	const char *url; /* the page it came from, or NULL */
	int page;        /* the PDF page (1…), or 0 */
};

/* Creates the source row and all its chunks in one transaction (indexed with the tokenize hook). */
int store_source_create(struct store *st, const char *tenant_id, const struct store_source *s,
			const struct store_chunk_in *chunks, int nchunks);
int store_source_get(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
		     struct store_source *out);
int store_source_list(struct store *st, const char *tenant_id, const char *bot_id, int64_t after_created,
		      const char *after_id, int limit, struct store_source *rows, int *n);
int store_source_delete(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id);

/* ---- ingestion jobs (migration 007; src/jobs/ingest.c) ----------------------------------------------
 * A source whose content comes later (a site to crawl, an uploaded PDF) is created "queued"; a worker
 * claims it, reports progress, and finishes it by replacing its chunks in one transaction. */

/* Creates a queued source (no chunks yet) with its uploaded file (NULL/0: none), in one transaction. */
int store_source_enqueue(struct store *st, const char *tenant_id, const struct store_source *s, const void *file,
			 size_t file_len);
/* Claims the oldest queued source, or a running one whose lease (claimed_at) is older than now − lease_ms
 * (its worker died): status "running", claimed_at now. Exactly one caller gets each. STORE_NOTFOUND when
 * there is none. out->tenant_id is set. */
int store_source_claim(struct store *st, int64_t now, int64_t lease_ms, struct store_source *out);
/* Records progress (JSON) and renews the lease. STORE_NOTFOUND when the source is gone or no longer running. */
int store_source_progress(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
			  const char *progress, int64_t now);
/* Ends a run. status "done": the source's chunks are replaced by chunks[0..n) (and the bot's knowledge
 * version raised) in the same transaction; other statuses keep the old chunks. STORE_NOTFOUND when the
 * source was deleted meanwhile. */
int store_source_finish(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
			const char *status, const char *error, const char *progress, int64_t chars,
			const struct store_chunk_in *chunks, int n, int64_t now);
/* Queues a finished source again (refresh). STORE_CONFLICT when it is queued or running now. */
int store_source_requeue(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
			 int64_t now);
/* The uploaded file of a source (*data malloc'd). STORE_NOTFOUND when it has none. */
int store_source_file(struct store *st, const char *tenant_id, const char *source_id, void **data, size_t *len);

struct store_hit {
	int64_t chunk_id;
	char *title;   /* source title */
	char *heading;
	char *text;
	double rank;   /* backend rank, higher is better; only comparable within one result */
	char *url;     /* the page the chunk came from (a crawled site), or NULL */
	int page;      /* its PDF page, or 0 */
	uint32_t matched; /* bit i set when words[i] occurs in the chunk (heading or text) */
};
void store_hit_clear(struct store_hit *h);

/* Every chunk of a bot, in chunk id order: emit(ud, chunk) per chunk; a non-zero return stops the walk
 * and is returned. STORE_NOTFOUND when the bot is not the tenant's. The strings are only valid during
 * the call. Reads one consistent snapshot. emit may call the store, except store_chunk_list itself
 * (the SQLite backend reuses the statement of the walk). */
struct store_chunk_row {
	int64_t chunk_id;
	const char *title; /* source title */
	const char *heading;
	const char *text;
	const char *url;   /* NULL when none */
	int page;          /* 0 when none */
};
typedef int (*store_chunk_fn)(void *ud, const struct store_chunk_row *row);
int store_chunk_list(struct store *st, const char *tenant_id, const char *bot_id, store_chunk_fn emit, void *ud);

#define STORE_SEARCH_MAX_WORDS 32

/* Full-text search within one bot: chunks containing at least `min_match` of `words` (at most
 * STORE_SEARCH_MAX_WORDS; min_match ≤ 1 means any one), best first. `words` are surface words (already
 * stripped of stop words); the store normalises them with the tokenize hook, exactly as it normalised
 * the indexed text. Fills up to `limit` hits. A backend may return hits with fewer words when the
 * combinations are too many to search for (see store_match_groups); callers filter by `matched`. */
int store_chunk_search(struct store *st, const char *tenant_id, const char *bot_id, const char *const *words,
		       int nwords, int min_match, int limit, struct store_hit *hits, int *n);

/* ---- embeddings (migration 006; src/jobs/embedder.c, rag/vcache.h) ---------------------------------
 * A chunk's vector is stored with it, as base64 of little-endian float32, with the model that made it. */

struct store_embed_row {
	int64_t chunk_id;
	char *title, *heading, *text; /* what is embedded */
};
void store_embed_row_clear(struct store_embed_row *r);
/* Up to `limit` chunks of the bot without a vector from `model` (none, or another model's), in chunk id
 * order. *rows malloc'd (clear each, free the array; NULL when *n is 0). */
int store_embed_pending(struct store *st, const char *tenant_id, const char *bot_id, const char *model, int limit,
			struct store_embed_row **rows, int *n);
/* Stores n vectors (base64 texts) for the given chunks of the bot, in one transaction; chunks that are gone
 * by now are skipped. */
int store_embed_put(struct store *st, const char *tenant_id, const char *bot_id, const char *model, int n,
		    const int64_t *chunk_ids, const char *const *vectors_b64);
/* Every vector of the bot from `model`, with its chunk: emit(ud, row) per chunk until it returns non-zero
 * (returned). The strings are valid during the call only. */
struct store_embed_vec {
	int64_t chunk_id;
	const char *vector_b64;
	const char *title, *heading, *text;
};
typedef int (*store_embed_fn)(void *ud, const struct store_embed_vec *v);
int store_embed_load(struct store *st, const char *tenant_id, const char *bot_id, const char *model,
		     store_embed_fn emit, void *ud);
/* How many of the bot's chunks there are, and how many have a vector from `model`. */
int store_embed_count(struct store *st, const char *tenant_id, const char *bot_id, const char *model,
		      int64_t *total, int64_t *done);
/* Every bot of every tenant, by id: up to `limit` rows with id > after_id ("" for the first page). */
int store_bot_scan(struct store *st, const char *after_id, int limit, struct store_bot *rows, int *n);

/* ---- conversations and messages ----------------------------------------------------------------- */

struct store_exchange {
	const char *tenant_id;
	const char *bot_id;
	const char *conversation_id; /* existing or new */
	bool new_conversation;       /* create the conversation row first */
	const char *channel;         /* "web" */
	const char *user_msg_id;
	const char *user_text;
	const char *bot_msg_id;
	const char *bot_text;
	const char *bot_meta;        /* JSON text: sources, answer type */
	int latency_ms;
	int64_t now;
	/* New conversations only: the visitor's contact, created in the same transaction (id, and its key
	 * wrapped by the tenant key) and linked from the conversation. The texts above arrive sealed. */
	const char *contact_id;
	const char *contact_wrapped_key;
	bool email_prompted; /* the answer asked for the visitor's email: counts towards max_requests */
	/* the contact's profile (sealed JSON) as it is after this message; NULL: unchanged */
	const char *contact_profile;
	const char *profile_contact_id; /* whose profile: the conversation's contact */
};

/* Stores a question and its answer (and the conversation when new) in one transaction. */
int store_exchange_save(struct store *st, const struct store_exchange *x);

/* Completion of a write that was not waited for: rc is what the waiting call would have returned. */
typedef void (*store_done_fn)(void *ud, int rc);
/* store_exchange_save without waiting for the commit: done(ud, rc) is called exactly once, after the
 * commit or the failure — on the SQLite writer thread, or (PostgreSQL) before this returns. `x` and its
 * strings must stay valid until then. Lets an HTTP thread serve other requests meanwhile. */
void store_exchange_save_async(struct store *st, const struct store_exchange *x, store_done_fn done, void *ud);
/* STORE_OK when the conversation exists for this bot (and tenant). */
int store_conversation_exists(struct store *st, const char *tenant_id, const char *bot_id, const char *conv_id);
/* The conversation's contact: its id and wrapped key (malloc'd; the caller frees). STORE_NOTFOUND when the
 * conversation does not exist for this bot and tenant, or has no contact (written before contacts
 * existed, or erased). */
int store_conversation_contact(struct store *st, const char *tenant_id, const char *bot_id, const char *conv_id,
			       char contact_id[STORE_ID_MAX], char **wrapped_key);
/* A conversation's message count and how often it asked for the visitor's email so far. */
int store_conversation_state(struct store *st, const char *tenant_id, const char *conv_id, int *messages,
			     int *email_prompts);
/* Number of messages in a conversation (tests and dashboards). */
int store_conversation_count_messages(struct store *st, const char *tenant_id, const char *conv_id, int *n);

int store_analytics_add(struct store *st, const char *tenant_id, const char *bot_id, const char *event,
			const char *props_json, int64_t now);

struct store_message {
	char id[STORE_ID_MAX];
	bool inbound;   /* direction 'in' (the visitor) or 'out' (the bot) */
	char *content;  /* sealed (or plain for rows older than migration 003) */
	char *meta;     /* JSON text or NULL */
	int64_t created_at;
};
void store_message_clear(struct store_message *m);
/* A conversation's messages, oldest first (an exchange's question before its answer), at most `limit`;
 * *out is a malloc'd array of *n messages (clear each, then free the array; NULL when *n is 0). */
int store_message_list(struct store *st, const char *tenant_id, const char *conv_id, int limit,
		       struct store_message **out, int *n);
/* The conversation's last `limit` messages, oldest first (a prompt's history). */
int store_message_tail(struct store *st, const char *tenant_id, const char *conv_id, int limit,
		       struct store_message **out, int *n);

/* ---- housekeeping: retention periods, trial bots, master key rotation ----------------------------
 * Used by the housekeeping job (src/jobs/housekeeping.c), the tenant API and `botwerk keys rotate`. Every
 * write here is idempotent: several processes on one PostgreSQL may run the same job at once, and the
 * second one finds nothing left to do. */

/* A tenant's retention period in days (*days 0: none, data is kept until erased). */
int store_tenant_retention_get(struct store *st, const char *tenant_id, int *days);
/* Sets the tenant's retention period (days 0 clears it). STORE_NOTFOUND for an unknown tenant. */
int store_tenant_retention_set(struct store *st, const char *tenant_id, int days);

struct store_retention_row {
	char tenant_id[STORE_ID_MAX];
	int days;
};
/* Tenants with a retention period, in id order after `after_id` ("" for the first page): up to `limit`
 * rows into `rows`, *n the count (fewer than limit: the last page). Cross-tenant (the job walks them all). */
int store_retention_tenants(struct store *st, const char *after_id, int limit, struct store_retention_row *rows,
			    int *n);
/* Erases, in one transaction, up to `limit` contacts of the tenant whose newest activity — the latest
 * last_message_at of their conversations, or their created_at when they have none — is before `cutoff`:
 * exactly what store_contact_erase does for each (messages, conversations, leads, consents, the contact
 * with its key; the erasure recorded at `now`). *erased gets the count; fewer than `limit` means nothing
 * older is left. A contact that became active again, or was erased by another process meanwhile, is
 * skipped. */
int store_retention_erase(struct store *st, const char *tenant_id, int64_t cutoff, int limit, int64_t now,
			  int *erased);

struct store_bot_expired {
	char tenant_id[STORE_ID_MAX];
	char bot_id[STORE_ID_MAX];
	int64_t expires_at;
};
/* Deactivates, in one transaction, up to `limit` active bots whose expires_at is at or before `now`
 * (active = false, updated_at = now) and reports them in rows (*n). Fewer than `limit`: none is left. A
 * bot deactivated by another process meanwhile is not reported again. */
int store_bot_expire(struct store *st, int64_t now, int limit, struct store_bot_expired *rows, int *n);

struct store_tenant_key_row {
	char tenant_id[STORE_ID_MAX];
	char *wrapped; /* the tenant key wrapped by the master key (heap) */
};
void store_tenant_key_row_clear(struct store_tenant_key_row *r);
/* Tenants that have a key, in id order after `after_id` ("" for the first page): up to `limit` rows
 * (clear each). Cross-tenant (master key rotation, the start-up key check). */
int store_tenant_key_list(struct store *st, const char *after_id, int limit, struct store_tenant_key_row *rows,
			  int *n);
/* Replaces the tenant's wrapped key by `wrapped` only while it still is `expected`: STORE_CONFLICT when
 * it changed meanwhile (or the tenant has none), STORE_NOTFOUND for an unknown tenant. */
int store_tenant_key_swap(struct store *st, const char *tenant_id, const char *expected, const char *wrapped);

/* Process-wide keys wrapped by the master key, by name (STORE_SERVER_KEY_APIKEY: what API keys are hashed
 * with once the master key was rotated). *wrapped: heap copy, NULL when there is none. */
#define STORE_SERVER_KEY_APIKEY "apikey-hash"
int store_server_key_get(struct store *st, const char *name, char **wrapped);
/* Stores `wrapped` under `name` only while the stored value still is `expected` (NULL: only when there is
 * none yet): STORE_CONFLICT otherwise. */
int store_server_key_swap(struct store *st, const char *name, const char *expected, const char *wrapped,
			  int64_t now);

/* ---- personal data: keys, contacts, leads, consents, erasure -------------------------------------
 * The store keeps what src/privacy/seal.h produces (sealed text, wrapped keys, blind indexes) and never
 * sees plaintext personal data or keys. */

/* The tenant's key wrapped by the master key (malloc'd), or NULL in *wrapped when it has none yet. */
int store_tenant_key_get(struct store *st, const char *tenant_id, char **wrapped);
/* Stores `wrapped` as the tenant's key unless it already has one (several nodes may race); *current is
 * then the key that is stored (malloc'd): `wrapped` or the earlier one. */
int store_tenant_key_init(struct store *st, const char *tenant_id, const char *wrapped, char **current);

struct store_lead_capture {
	const char *tenant_id, *bot_id, *conversation_id;
	const char *email_sealed;   /* sealed with the conversation's contact key */
	const char *email_bidx;     /* blind index of the normalised email */
	const char *lead_id;        /* id for a new lead */
	const char *consent_id;     /* id for the consent record */
	const char *consent_text_version;
	const char *source;         /* "email_capture" */
	const char *channel;        /* "web" */
	const char *context;        /* JSON text without personal data: trigger, topics, counts */
	int interest;               /* 1..10 */
	int64_t now;
};
/* One transaction: sets the email of the conversation's contact, adds the lead unless the conversation
 * already has one for this email (then *created is false and lead_id_out names the existing lead), and
 * records the consent (always: each grant is evidence). STORE_NOTFOUND when the conversation (with a
 * contact) does not exist for this bot and tenant. */
int store_lead_capture(struct store *st, const struct store_lead_capture *lc, char lead_id_out[STORE_ID_MAX],
		       bool *created);

struct store_lead {
	char id[STORE_ID_MAX], bot_id[STORE_ID_MAX], conversation_id[STORE_ID_MAX], contact_id[STORE_ID_MAX];
	char *email_sealed;         /* the contact's current email (sealed) */
	char *contact_wrapped_key;
	char *source, *channel, *context;
	char *consent_text_version; /* of the latest consent */
	int64_t consent_at;
	int interest;
	int message_count;          /* of the conversation */
	int64_t conversation_started_at, last_message_at;
	int64_t created_at;
};
void store_lead_clear(struct store_lead *l);

struct store_lead_filter {
	const char *bot_id; /* NULL: every bot of the tenant */
	int64_t from_ms;    /* created_at ≥ from (0: no bound) */
	int64_t to_ms;      /* created_at < to (0: no bound) */
	int min_interest;   /* 0: any */
};
/* Newest first, keyset-paginated like the other lists (f may be NULL: no filter). *out: malloc'd array
 * (clear each, free it; NULL when *n is 0). */
int store_lead_list(struct store *st, const char *tenant_id, const struct store_lead_filter *f,
		    int64_t after_created, const char *after_id, int limit, struct store_lead **out, int *n);
int store_lead_get(struct store *st, const char *tenant_id, const char *lead_id, struct store_lead *out);

/* Erases a contact for good, in one transaction: its messages, conversations, leads, consents and the
 * contact row with its wrapped key are deleted, and the contact id is recorded in `erasures` (no personal
 * data) so that a restore of an older backup can erase it again. STORE_NOTFOUND for an unknown contact. */
int store_contact_erase(struct store *st, const char *tenant_id, const char *contact_id, int64_t now);
/* Every erased contact id (tenant-wide, all tenants): emit(ud, contact_id) until it returns non-zero, which
 * is then returned. emit may call the store, except store_erasure_list itself. */
int store_erasure_list(struct store *st, int (*emit)(void *ud, const char *contact_id), void *ud);
/* Restore: deletes whatever rows a restored backup still holds of an erased contact (any tenant) and
 * records the erasure there too (under the contact's tenant, or "" when its row is gone). STORE_OK also
 * when nothing was left. */
int store_contact_purge(struct store *st, const char *contact_id, int64_t now);

/* The contact's qualification profile (conv/profile.h), sealed JSON as privacy_seal made it with the
 * field name "profile". *sealed_profile: malloc'd copy, or NULL when the contact has none yet.
 * STORE_NOTFOUND for an unknown, erased or another tenant's contact. */
int store_contact_profile_get(struct store *st, const char *tenant_id, const char *contact_id,
			      char **sealed_profile);
/* Replaces the contact's profile (NULL clears it) and sets its updated_at to `now`. STORE_NOTFOUND when
 * the tenant has no such contact. The caller merges (read, change, write): two writers of one contact
 * at the same instant keep the later write. */
int store_contact_profile_set(struct store *st, const char *tenant_id, const char *contact_id,
			      const char *sealed_profile, int64_t now);

/* ---- images, contact persons and contact requests (migration 004) ---------------------------------
 * Images are a bot's logo and its contact persons' photos, stored as uploaded (checked by content before);
 * they go with their bot. Contact persons are the business's own staff as published in the chat, so they
 * are stored in clear; what a visitor leaves in a contact request is sealed like every personal datum. */

#define STORE_PERSONS_MAX 5 /* contact persons per bot */

struct store_image_in {
	const char *id;           /* "img_…" */
	const char *kind;         /* "logo" | "photo" */
	const char *content_type; /* "image/png" | "image/jpeg" */
	int width, height;
	const unsigned char *bytes;
	size_t len;
	int64_t now;
};

struct store_image {
	char id[STORE_ID_MAX];
	char *content_type;
	unsigned char *bytes; /* len bytes (malloc'd) */
	size_t len;
	int width, height;
	int64_t created_at;
};
void store_image_clear(struct store_image *im);

/* An image by id alone (public media URLs). STORE_NOTFOUND for an unknown id. */
int store_image_get(struct store *st, const char *image_id, struct store_image *out);
/* One transaction: stores `img` as the logo of the tenant's bot, deletes the bot's earlier logo images, and
 * replaces the bot's config (which names the new logo's URL) and updated_at. STORE_NOTFOUND when the bot is
 * not the tenant's. */
int store_bot_logo_set(struct store *st, const char *tenant_id, const char *bot_id, const struct store_image_in *img,
		       const char *config, int64_t updated_at);

struct store_person {
	char id[STORE_ID_MAX];
	char bot_id[STORE_ID_MAX];
	int ord;                           /* 1.. : the order the chat shows them in */
	char *name;
	char *position, *email, *phone;    /* NULL when not set */
	char photo_image_id[STORE_ID_MAX]; /* "" when none */
	int64_t created_at, updated_at;
};
void store_person_clear(struct store_person *p);

/* Adds `p` (id, bot_id, name, position, email, phone, created_at; ord and photo are ignored) after the bot's
 * other persons. STORE_NOTFOUND when the bot is not the tenant's; STORE_CONFLICT when it already has `max`. */
int store_person_create(struct store *st, const char *tenant_id, const struct store_person *p, int max);
int store_person_get(struct store *st, const char *tenant_id, const char *bot_id, const char *person_id,
		     struct store_person *out);
/* The bot's persons in order, at most `max` into rows (*n of them; clear each). STORE_NOTFOUND when the bot
 * is not the tenant's. */
int store_person_list(struct store *st, const char *tenant_id, const char *bot_id, struct store_person *rows,
		      int max, int *n);
/* Replaces name, position, email, phone and updated_at of the person (id and bot_id from `p`). */
int store_person_update(struct store *st, const char *tenant_id, const struct store_person *p);
/* Deletes the person and its photo, and closes the gap in the order. */
int store_person_delete(struct store *st, const char *tenant_id, const char *bot_id, const char *person_id);
/* Gives the bot's persons the order of `ids` (1..n). STORE_CONFLICT unless `ids` names each of the bot's
 * persons exactly once; STORE_NOTFOUND when the bot is not the tenant's. */
int store_person_reorder(struct store *st, const char *tenant_id, const char *bot_id, const char *const *ids, int n,
			 int64_t now);
/* One transaction: stores `img` (kind photo) as the person's photo and deletes the previous one. */
int store_person_photo_set(struct store *st, const char *tenant_id, const char *bot_id, const char *person_id,
			   const struct store_image_in *img);

struct store_contact_request {
	const char *tenant_id, *bot_id, *conversation_id;
	const char *person_id;              /* the contact person asked for, or NULL */
	/* the visitor's data, sealed with the conversation's contact key; NULL: not given (kept as it is) */
	const char *name_sealed;
	const char *email_sealed, *email_bidx;
	const char *phone_sealed, *phone_bidx;
	const char *message_sealed;         /* sealed as field "request:<lead_id>"; stored on a new lead only */
	const char *lead_id;                /* id for a new lead */
	const char *consent_id;             /* id of the consent record, or NULL when no consent was given */
	const char *consent_text_version;
	const char *channel;                /* "web" */
	const char *context;                /* JSON without personal data (contact_person_id, counts) */
	int interest;                       /* 1..10 */
	int64_t now;
};
/* One transaction: sets the given fields of the conversation's contact, adds a lead of source
 * "contact_request" unless the conversation already has one for this person (then *created is false and
 * lead_id_out names it), and records the consent when consent_id is set. STORE_NOTFOUND when the
 * conversation (with a contact) is not the bot's, or person_id is not one of the bot's persons. */
int store_contact_request(struct store *st, const struct store_contact_request *cr, char lead_id_out[STORE_ID_MAX],
			  bool *created);

/* What a lead's contact left beyond the email (sealed; NULL when absent): for the leads API. */
struct store_lead_details {
	char *name_sealed, *phone_sealed, *message_sealed;
};
void store_lead_details_clear(struct store_lead_details *d);
int store_lead_details(struct store *st, const char *tenant_id, const char *lead_id, struct store_lead_details *out);

/* ---- engagement statistics (store_*_stats.c) ------------------------------------------------------
 * Aggregates over a bot's window of time for the engagement report (GET /api/v1/bots/{id}/engagement).
 * Counts and lead ids only: nothing sealed is read. */

#define STORE_STATS_TOP_MAX 5 /* lead ids returned in top_leads */

struct store_bot_stats {
	int64_t conversations;    /* the bot's conversations created in [from, to) */
	int64_t visitor_messages; /* the visitor's messages (direction in) in those conversations, before `to` */
	int64_t leads;            /* the bot's leads created in [from, to), any source */
	double average_interest;  /* of those leads; 0 when there are none */
	int top_count;            /* how many of top_leads are set */
	char top_leads[STORE_STATS_TOP_MAX][STORE_ID_MAX]; /* leads of the window with interest >= the given
							    * minimum: highest interest first, then newest */
};
/* Fills *out from one consistent snapshot. STORE_NOTFOUND when the bot is not the tenant's. */
int store_bot_stats(struct store *st, const char *tenant_id, const char *bot_id, int64_t from_ms, int64_t to_ms,
		    int top_min_interest, struct store_bot_stats *out);

/* ---- data-subject export (store_*_export.c) ---------------------------------------------------------
 * Everything stored about one contact, for GET /api/v1/contacts/{id}/export and the conversation export:
 * the rows as stored (personal data sealed; the API layer opens it with the contact key). Reads only. */

struct store_contact {
	char id[STORE_ID_MAX], bot_id[STORE_ID_MAX];
	char *wrapped_key;                   /* the contact key wrapped by the tenant key */
	char *email_sealed, *phone_sealed;   /* NULL when not set */
	char *name_sealed, *profile_sealed;  /* NULL when not set (profile: sealed JSON) */
	char *channel;
	int64_t created_at, updated_at;
};
void store_contact_clear(struct store_contact *c);
/* The tenant's contact. STORE_NOTFOUND for an unknown, erased or another tenant's contact. */
int store_contact_get(struct store *st, const char *tenant_id, const char *contact_id, struct store_contact *out);

struct store_conversation {
	char id[STORE_ID_MAX], bot_id[STORE_ID_MAX];
	char contact_id[STORE_ID_MAX]; /* "" when the conversation has no contact (rows before migration 003) */
	char *channel;
	int message_count;
	int64_t started_at, last_message_at;
};
void store_conversation_clear(struct store_conversation *c);
/* One conversation of the tenant by id alone (any of its bots), and its contact's wrapped key in
 * *wrapped_key (malloc'd; NULL when it has no contact). STORE_NOTFOUND for an unknown or another tenant's
 * conversation. */
int store_conversation_get(struct store *st, const char *tenant_id, const char *conv_id,
			   struct store_conversation *out, char **wrapped_key);
/* A contact's conversations, oldest first (started_at, then id), at most `limit`; *out: malloc'd array of *n
 * (clear each, free it; NULL when *n is 0). An unknown contact has none. */
int store_contact_conversations(struct store *st, const char *tenant_id, const char *contact_id, int limit,
				struct store_conversation **out, int *n);

struct store_consent {
	char id[STORE_ID_MAX];
	char lead_id[STORE_ID_MAX]; /* "" when the consent belongs to no lead */
	char *purpose, *source, *channel, *text_version;
	int64_t granted_at;
};
void store_consent_clear(struct store_consent *c);
/* A contact's consent records, oldest first, at most `limit` (as store_contact_conversations). */
int store_contact_consents(struct store *st, const char *tenant_id, const char *contact_id, int limit,
			   struct store_consent **out, int *n);

struct store_contact_lead {
	char id[STORE_ID_MAX], bot_id[STORE_ID_MAX], conversation_id[STORE_ID_MAX];
	char *source, *channel;
	char *context;        /* JSON text without personal data */
	char *message_sealed; /* contact requests: sealed as "request:<lead id>"; NULL when none */
	int interest;
	int64_t created_at;
};
void store_contact_lead_clear(struct store_contact_lead *l);
/* A contact's leads, oldest first, at most `limit` (as store_contact_conversations). */
int store_contact_leads(struct store *st, const char *tenant_id, const char *contact_id, int limit,
			struct store_contact_lead **out, int *n);

/* ---- durable jobs, webhook intake, WhatsApp contacts and messages (migration 008) -------------------
 * store_*_jobs.c and store_*_wa.c; docs/internals/jobs.md. Jobs and webhook events are claimed exactly once,
 * also across processes (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the single writer), with a lease: a
 * claimed row whose claimed_at is older than now − lease_ms is handed out again (its worker died). */

#define STORE_JOB_MAX_ATTEMPTS 5 /* store_job_in.max_attempts when not given */

struct store_job_in {
	const char *id;         /* time-ordered: crypto_time_id("job", now) */
	const char *tenant_id;
	const char *bot_id;     /* NULL: the job belongs to no bot */
	const char *kind;       /* "followup_24h", … : the scheduler's handler name */
	int64_t run_at;         /* unix ms: not before */
	const char *payload;    /* JSON text without personal data; NULL: "{}" */
	int max_attempts;       /* ≤ 0: STORE_JOB_MAX_ATTEMPTS */
	const char *dedupe_key; /* NULL, or at most one job of the tenant with this key, ever */
	const char *cancel_key; /* NULL, or what store_job_cancel_key matches ("conv:<id>", "appt:<id>") */
	int64_t now;
};

struct store_job {
	char id[STORE_ID_MAX], tenant_id[STORE_ID_MAX];
	char bot_id[STORE_ID_MAX]; /* "" when none */
	char *kind, *payload, *status;
	char *last_error, *claimed_by, *dedupe_key, *cancel_key; /* NULL when not set */
	int64_t run_at;
	int attempts; /* claims so far: the claim that handed the job out counts */
	int max_attempts;
	int64_t claimed_at, created_at, updated_at; /* claimed_at 0: not claimed */
};
void store_job_clear(struct store_job *j);

/* Adds a pending job. STORE_CONFLICT (nothing changed) when the tenant already has a job with its
 * dedupe_key, whatever that job's status; STORE_NOTFOUND when bot_id is not the tenant's bot. */
int store_job_add(struct store *st, const struct store_job_in *j);
/* Claims a job for `worker_id`: a running one whose lease expired (oldest claim first), else the due pending
 * one (run_at ≤ now) with the earliest run_at. It becomes running with claimed_at now and attempts + 1. An
 * expired running job that has used up its attempts becomes dead instead ("lease expired"). STORE_NOTFOUND
 * when none is due. Cross-tenant: out->tenant_id says whose it is. */
int store_job_claim(struct store *st, int64_t now, int64_t lease_ms, const char *worker_id, struct store_job *out);
/* Ends the claim `attempt` (the job's attempts as claimed) of a running job. status "done"; "dead" (into the
 * dead letter at once); "failed": back to pending at next_run_at while attempts < max_attempts and
 * next_run_at > 0, else dead when the attempts are used up, else (next_run_at 0) failed for good. `error`
 * (NULL: none) becomes last_error. STORE_NOTFOUND when the job is not running under that claim any more
 * (its lease expired and another worker took it). */
int store_job_finish(struct store *st, const char *id, int attempt, const char *status, const char *error,
		     int64_t next_run_at, int64_t now);
/* Cancels every pending job of the tenant with this cancel_key; *cancelled gets the count (0 is fine).
 * Running jobs finish as they are. */
int store_job_cancel_key(struct store *st, const char *tenant_id, const char *cancel_key, int64_t now,
			 int *cancelled);
int store_job_get(struct store *st, const char *tenant_id, const char *id, struct store_job *out);
/* The tenant's dead jobs, newest first (by id), after `after_id` (NULL for the first page): up to `limit`
 * rows (clear each), *n the count. */
int store_job_list_dead(struct store *st, const char *tenant_id, const char *after_id, int limit,
			struct store_job *rows, int *n);
/* A dead job back to pending at `now` with its attempts reset (last_error kept). STORE_NOTFOUND for an
 * unknown job (or another tenant's); STORE_CONFLICT when it is not dead. */
int store_job_retry_dead(struct store *st, const char *tenant_id, const char *id, int64_t now);
/* The earliest run_at of any pending job (the scheduler sleeps until then). STORE_NOTFOUND when none. */
int store_job_next_run_at(struct store *st, int64_t *run_at);

struct store_webhook_in {
	const char *id;          /* time-ordered: crypto_time_id("whe", now) */
	const char *tenant_id, *bot_id;
	const char *provider;    /* "meta" | "twilio" */
	const char *kind;        /* "message" | "status" */
	const char *provider_id; /* the provider's message id (wamid.…, SM…) */
	const char *dedupe_key;  /* unique per bot: "meta:message:<wamid>", "meta:status:<wamid>:read" */
	const char *payload;     /* the parsed event as JSON; personal fields sealed by the caller */
	int64_t received_at;
};

struct store_webhook {
	char id[STORE_ID_MAX], tenant_id[STORE_ID_MAX], bot_id[STORE_ID_MAX];
	char *provider, *kind, *provider_id, *dedupe_key, *payload;
	int64_t received_at, claimed_at;
	int attempts; /* claims so far, this one included */
};
void store_webhook_clear(struct store_webhook *w);

/* Stores the event unless the bot has one with its dedupe_key: then *duplicate is true and nothing changes
 * (STORE_OK either way). STORE_OK means committed. STORE_NOTFOUND when the bot is gone. */
int store_webhook_put(struct store *st, const struct store_webhook_in *ev, bool *duplicate);
/* store_webhook_put without waiting: done(ud, rc, duplicate) is called exactly once, after the commit or the
 * failure — on the SQLite writer thread (many events share one commit), or (PostgreSQL) before this returns.
 * `ev` is copied: the caller may free it at once. */
typedef void (*store_webhook_put_fn)(void *ud, int rc, bool duplicate);
void store_webhook_put_async(struct store *st, const struct store_webhook_in *ev, store_webhook_put_fn done,
			     void *ud);
/* Claims the oldest unprocessed event that is not claimed, or whose claim is older than now − lease_ms.
 * STORE_NOTFOUND when there is none. Cross-tenant. */
int store_webhook_claim(struct store *st, int64_t now, int64_t lease_ms, struct store_webhook *out);
/* Marks the event processed and drops its payload (the row stays, to answer duplicates). */
int store_webhook_done(struct store *st, const char *id, int64_t now);
/* Housekeeping: deletes up to `limit` webhook events processed before `cutoff` (*events) and up to `limit`
 * jobs that ended done or cancelled before it (*jobs; updated_at). Pending, running, failed and dead jobs
 * and unprocessed events are never touched. Fewer than `limit` of a kind: none older is left. Cross-tenant,
 * idempotent. */
int store_prune_finished(struct store *st, int64_t cutoff, int limit, int *events, int *jobs);

struct store_wa_contact_in {
	const char *tenant_id, *bot_id;
	const char *id;                /* for a new contact */
	const char *wrapped_key;       /* a new contact's key, wrapped by the tenant key */
	const char *e164_bidx;         /* blind index of the normalised number */
	const char *e164_sealed;       /* the number, sealed with the contact key (new contacts) */
	const char *first_name_sealed; /* NULL: keep */
	const char *timezone;          /* NULL: keep */
	const char *language;          /* NULL: keep */
	int64_t now;
};

struct store_wa_contact {
	char id[STORE_ID_MAX], bot_id[STORE_ID_MAX];
	char *wrapped_key, *e164_sealed;
	char *first_name_sealed, *timezone, *language;                 /* NULL when not set */
	char *consent_status;                                          /* unknown | granted | revoked */
	char *consent_source, *consent_text_version;                   /* NULL when not set */
	int64_t consent_at, last_inbound_at, created_at, updated_at;   /* 0 when not set */
};
void store_wa_contact_clear(struct store_wa_contact *c);

/* The bot's contact with this number: created (id, wrapped_key, e164, channel "whatsapp"; *created true) or,
 * when it exists, first name, timezone and language updated where given. contact_id gets its id.
 * STORE_NOTFOUND when the bot is not the tenant's. */
int store_wa_contact_upsert(struct store *st, const struct store_wa_contact_in *c, char contact_id[STORE_ID_MAX],
			    bool *created);
int store_wa_contact_get_by_bidx(struct store *st, const char *tenant_id, const char *bot_id, const char *e164_bidx,
				 struct store_wa_contact *out);
int store_wa_contact_get(struct store *st, const char *tenant_id, const char *contact_id,
			 struct store_wa_contact *out);

struct store_wa_consent {
	const char *tenant_id, *contact_id;
	const char *status;       /* "granted" | "revoked" | "unknown" */
	const char *source;       /* "api_opt_in", "keyword_stop", … */
	const char *text_version; /* of the consent text shown; may be NULL for revocations */
	int64_t at;               /* when the contact decided */
	const char *consent_id;   /* granted: id of the consents ledger row added with it; NULL: none */
};
/* Sets the contact's consent state. A decision older than the one stored changes nothing: STORE_CONFLICT.
 * STORE_NOTFOUND for an unknown contact. */
int store_wa_consent_set(struct store *st, const struct store_wa_consent *cs);
/* The contact wrote at `at`: last_inbound_at moves forward to it (never back). */
int store_wa_touch_inbound(struct store *st, const char *tenant_id, const char *contact_id, int64_t at);

struct store_wa_message_in {
	const char *id;                  /* time-ordered: crypto_time_id("wam", now) */
	const char *tenant_id, *bot_id, *contact_id;
	const char *conversation_id;     /* NULL when none */
	const char *direction;           /* "in" | "out" */
	const char *provider_message_id; /* NULL until the provider named it (an outbound message not sent yet) */
	const char *kind;                /* "text" | "template" | "interactive" */
	const char *body_sealed;
	const char *status;              /* inbound "received"; outbound "queued" or "sent" */
	int64_t now;
};

struct store_wa_message {
	char id[STORE_ID_MAX], bot_id[STORE_ID_MAX], contact_id[STORE_ID_MAX];
	char conversation_id[STORE_ID_MAX]; /* "" when none */
	char *direction, *provider_message_id /* NULL when none */, *kind, *body_sealed, *status;
	int error_code; /* 0: none */
	int64_t created_at, updated_at;
};
void store_wa_message_clear(struct store_wa_message *m);

/* STORE_CONFLICT when the bot already has a message with this provider id (a duplicate inbound);
 * STORE_NOTFOUND when the contact is not the bot's. */
int store_wa_message_add(struct store *st, const struct store_wa_message_in *m);
/* The provider accepted an outbound message: its id is recorded and a queued message becomes sent. */
int store_wa_message_sent(struct store *st, const char *tenant_id, const char *id, const char *provider_message_id,
			  int64_t now);
/* A status callback. Statuses only move forward: queued → sent → delivered → read; a failure ("failed",
 * "undelivered"; error_code kept, 0 for none) is final. A callback that would move back, or repeats the
 * status, changes nothing (STORE_OK). STORE_NOTFOUND when the bot has no message with that provider id. */
int store_wa_message_status(struct store *st, const char *tenant_id, const char *bot_id,
			    const char *provider_message_id, const char *status, int error_code, int64_t now);
int store_wa_message_get(struct store *st, const char *tenant_id, const char *id, struct store_wa_message *out);
/* The tenant's contact's WhatsApp messages, both directions, oldest first (by created_at, then id): at most
 * `limit` rows in *out (clear each, free the array; NULL when none), *n the count. Another tenant's contact, or
 * an unknown one, has none (STORE_OK, *n 0). */
int store_wa_messages_list(struct store *st, const char *tenant_id, const char *contact_id, int limit,
			   struct store_wa_message **out, int *n);

/* ---- WhatsApp conversations and funnel counts (migration 009; store_*_waconv.c) ---------------------
 * One conversation per WhatsApp contact and bot (conversations.channel 'whatsapp'), with its owner (the bot,
 * or a person after a handover) and the flow state sealed with the contact key. */

struct store_wa_conv {
	char id[STORE_ID_MAX], bot_id[STORE_ID_MAX], contact_id[STORE_ID_MAX];
	char *owner;           /* "bot" | "human" */
	char *state_sealed;    /* NULL before the flow starts */
	char *handover_reason; /* NULL when never handed over */
	int message_count;     /* the contact's inbound messages */
	int64_t handover_at, created_at, last_message_at; /* handover_at 0: never */
};
void store_wa_conv_clear(struct store_wa_conv *c);

/* The contact's WhatsApp conversation with the bot, created (id new_id, owner bot; *created true) when it has
 * none. STORE_NOTFOUND when the contact is not the tenant's bot's. */
int store_wa_conv_open(struct store *st, const char *tenant_id, const char *bot_id, const char *contact_id,
		       const char *new_id, int64_t now, struct store_wa_conv *out, bool *created);
/* A WhatsApp conversation of the tenant by id. STORE_NOTFOUND for an unknown one, another tenant's, or a
 * conversation of another channel. */
int store_wa_conv_get(struct store *st, const char *tenant_id, const char *conv_id, struct store_wa_conv *out);

struct store_wa_conv_update {
	const char *tenant_id, *id;
	const char *owner;           /* NULL: keep; "human" also sets handover_reason and handover_at = now */
	const char *handover_reason; /* with owner "human" */
	bool set_state;              /* write state_sealed (NULL clears it) */
	const char *state_sealed;
	int inbound;                 /* added to message_count (0 or 1) */
	const char *expect_owner;    /* NULL, or change nothing (STORE_CONFLICT) unless the owner is this */
	int64_t now;                 /* last_message_at */
};
/* Updates a conversation. STORE_NOTFOUND for an unknown one; STORE_CONFLICT when expect_owner differs. */
int store_wa_conv_update(struct store *st, const struct store_wa_conv_update *u);

/* How often each event whose name starts with `prefix` was recorded for the bot in [from, to):
 * emit(ud, event, count) per event name, in byte order of the names; a non-zero return of emit stops the walk
 * and is returned. */
int store_analytics_counts(struct store *st, const char *tenant_id, const char *bot_id, const char *prefix,
			   int64_t from, int64_t to, int (*emit)(void *ud, const char *event, int64_t count), void *ud);

#endif
