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
	char *kind;   /* "text" */
	char *title;
	char *status; /* "done" */
	int64_t chars;
	int chunks;
	int64_t created_at, updated_at;
};
void store_source_clear(struct store_source *s);

struct store_chunk_in {
	const char *heading; /* heading path, "Preise > Tarife"; may be "" */
	const char *text;
	int ord;
};

/* Creates the source row and all its chunks in one transaction (indexed with the tokenize hook). */
int store_source_create(struct store *st, const char *tenant_id, const struct store_source *s,
			const struct store_chunk_in *chunks, int nchunks);
int store_source_get(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id,
		     struct store_source *out);
int store_source_list(struct store *st, const char *tenant_id, const char *bot_id, int64_t after_created,
		      const char *after_id, int limit, struct store_source *rows, int *n);
int store_source_delete(struct store *st, const char *tenant_id, const char *bot_id, const char *source_id);

struct store_hit {
	int64_t chunk_id;
	char *title;   /* source title */
	char *heading;
	char *text;
	double rank;   /* backend rank, higher is better; only comparable within one result */
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

#endif
