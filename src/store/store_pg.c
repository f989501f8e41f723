/*
 * store_pg.c — the PostgreSQL backend of the store (libpq): its machinery. The operations live in
 * store_pg_bots.c (tenants, API keys, bots, conversations, messages, analytics), store_pg_sources.c
 * (sources, chunks, full-text search) and store_pg_contacts.c (personal data: tenant keys, leads,
 * consents, erasure); what the files share is in pg_int.h.
 *
 * Owns: the SQL of every operation as a table of named statements, a fixed pool of libpq connections
 * (mutex + condition variable), logging and the mapping of errors, running statements and transactions,
 * the column helpers that translate libpq results, migrations, the ops table and store_pg_open.
 *
 * Connections: the first one is opened by store_pg_open (so a bad URL fails at start); the others are
 * opened on first use. A connection found broken when it is handed out is reset (PQreset) before use; if
 * that fails the operation returns STORE_ERROR and the next acquire tries again. Each connection prepares
 * a statement the first time it runs it (PQprepare) and keeps it for the life of the session; a reset
 * forgets them. Parameters travel as text, except the 32-byte key hash (binary bytea).
 *
 * The only SQL that is not a prepared statement is a migration file, which is a multi-statement script
 * and runs through PQexec (simple query protocol) inside apply_migration's transaction.
 *
 * Errors: SQLSTATE 23505 (unique) → STORE_CONFLICT; 23503 (foreign key: unknown tenant) → STORE_NOTFOUND;
 * serialization failures, deadlocks and lock timeouts → STORE_BUSY; anything else → STORE_ERROR, with one
 * JSON line on stderr (the store has no logger of its own). NOTICE-level server chatter is dropped.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "store/pg_int.h"

#define PG_POOL_DEFAULT 4      /* connections when opts->pool_size is not positive */
#define PG_POOL_MAX 256        /* more than this is a configuration mistake */
#define PG_WAIT_DEFAULT_MS 30000 /* how long an operation waits for a free connection by default */
#define PG_MIN_SERVER 100000   /* PostgreSQL 10: WITH ORDINALITY, <-> phrases, FOR KEY SHARE */
#define PG_MIGRATION_LOCK "7165448231" /* advisory lock key that serialises migrations across nodes */

/* ---- statements ---------------------------------------------------------------------------------- */

/* The SQL of statement q (enum pg_q, pg_int.h) is pg_stmts[q]; BOT_COLS and SOURCE_COLS are there too. */
struct pg_stmt {
	const char *name; /* prepared statement name, also the "op" in log lines */
	const char *sql;
	int nparams;
};

static const struct pg_stmt pg_stmts[Q_COUNT] = {
	[Q_BEGIN] = {"begin", "BEGIN", 0},
	[Q_COMMIT] = {"commit", "COMMIT", 0},
	[Q_ROLLBACK] = {"rollback", "ROLLBACK", 0},
	[Q_PING] = {"ping", "SELECT 1", 0},

	[Q_MIG_LOCK] = {"mig_lock", "SELECT pg_advisory_xact_lock(" PG_MIGRATION_LOCK ")", 0},
	[Q_MIG_TABLE] = {"mig_table",
			 "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
			 "name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
			 0},
	[Q_MIG_EXISTS] = {"mig_exists", "SELECT to_regclass('schema_migrations') IS NOT NULL", 0},
	[Q_MIG_VERSION] = {"mig_version", "SELECT coalesce(max(version), 0) FROM schema_migrations", 0},
	[Q_MIG_APPLIED] = {"mig_applied", "SELECT 1 FROM schema_migrations WHERE version = $1", 1},
	[Q_MIG_RECORD] = {"mig_record",
			  "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, "
			  "(extract(epoch FROM clock_timestamp()) * 1000)::bigint)",
			  2},

	[Q_TENANT_CREATE] = {"tenant_create", "INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3)", 3},
	[Q_TENANT_GET] = {"tenant_get", "SELECT id, name, created_at FROM tenants WHERE id = $1", 1},

	[Q_APIKEY_CREATE] = {"apikey_create",
			     "INSERT INTO api_keys (id, tenant_id, key_hash, prefix, created_at) "
			     "VALUES ($1, $2, $3, $4, $5)",
			     5},
	/* Revoking twice keeps the first revocation time. */
	[Q_APIKEY_REVOKE] = {"apikey_revoke",
			     "UPDATE api_keys SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1", 2},
	[Q_APIKEY_LOOKUP] = {"apikey_lookup",
			     "SELECT tenant_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL", 1},

	[Q_BOT_CREATE] = {"bot_create",
			  "INSERT INTO bots (id, tenant_id, name, config, active, created_at, updated_at) "
			  "VALUES ($1, $2, $3, $4, $5, $6, $7)",
			  7},
	/* a trial bot (store_bot.expires_at set); bot_create leaves the column NULL */
	[Q_BOT_CREATE_EXPIRING] = {"bot_create_expiring",
				   "INSERT INTO bots (id, tenant_id, name, config, active, created_at, updated_at, "
				   "expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
				   8},
	[Q_BOT_GET] = {"bot_get", "SELECT " BOT_COLS " FROM bots WHERE tenant_id = $1 AND id = $2", 2},
	[Q_BOT_GET_PUBLIC] = {"bot_get_public", "SELECT " BOT_COLS " FROM bots WHERE id = $1", 1},
	[Q_BOT_UPDATE] = {"bot_update",
			  "UPDATE bots SET name = $3, config = $4, active = $5, updated_at = $6, expires_at = $7 "
			  "WHERE tenant_id = $1 AND id = $2",
			  7},
	[Q_BOT_RID] = {"bot_rid", "SELECT rid FROM bots WHERE tenant_id = $1 AND id = $2", 2},
	[Q_BOT_LOCK] = {"bot_lock", "SELECT rid FROM bots WHERE tenant_id = $1 AND id = $2 FOR KEY SHARE", 2},
	/* First statement of a source create or delete: raises the bot's knowledge version and locks the
	 * row (FOR NO KEY UPDATE) until commit; see "Consistency" in pg_int.h. */
	[Q_BOT_BUMP] = {"bot_bump",
			"UPDATE bots SET knowledge_version = knowledge_version + 1 "
			"WHERE tenant_id = $1 AND id = $2 RETURNING rid",
			2},
	[Q_BOT_LIST_FIRST] = {"bot_list_first",
			      "SELECT " BOT_COLS " FROM bots WHERE tenant_id = $1 "
			      "ORDER BY created_at DESC, id DESC LIMIT $2",
			      2},
	[Q_BOT_LIST_AFTER] = {"bot_list_after",
			      "SELECT " BOT_COLS " FROM bots WHERE tenant_id = $1 "
			      "AND (created_at, id) < ($2::bigint, $3::text) "
			      "ORDER BY created_at DESC, id DESC LIMIT $4",
			      4},
	[Q_BOT_DELETE] = {"bot_delete", "DELETE FROM bots WHERE tenant_id = $1 AND id = $2", 2},
	[Q_BOT_DEL_CHUNKS] = {"bot_del_chunks", "DELETE FROM chunks WHERE tenant_id = $1 AND bot_id = $2", 2},
	[Q_BOT_DEL_SOURCES] = {"bot_del_sources", "DELETE FROM sources WHERE tenant_id = $1 AND bot_id = $2", 2},
	[Q_BOT_DEL_CONVERSATIONS] = {"bot_del_conversations",
				     "WITH conv AS (DELETE FROM conversations WHERE tenant_id = $1 AND bot_id = $2 "
				     "RETURNING id) "
				     "DELETE FROM messages WHERE tenant_id = $1 AND conversation_id IN "
				     "(SELECT id FROM conv)",
				     2},
	[Q_BOT_DEL_ANALYTICS] = {"bot_del_analytics",
				 "DELETE FROM analytics_events WHERE tenant_id = $1 AND bot_id = $2", 2},
	/* the bot's contacts go with it (consents first: they only know their contact) */
	[Q_BOT_DEL_CONSENTS] = {"bot_del_consents",
				"DELETE FROM consents WHERE tenant_id = $1 AND contact_id IN "
				"(SELECT id FROM contacts WHERE tenant_id = $1 AND bot_id = $2)",
				2},
	[Q_BOT_DEL_LEADS] = {"bot_del_leads", "DELETE FROM leads WHERE tenant_id = $1 AND bot_id = $2", 2},
	[Q_BOT_DEL_CONTACTS] = {"bot_del_contacts", "DELETE FROM contacts WHERE tenant_id = $1 AND bot_id = $2", 2},

	[Q_SOURCE_CREATE] = {"source_create",
			     "INSERT INTO sources (id, tenant_id, bot_id, kind, title, status, chars, chunks, "
			     "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
			     10},
	[Q_CHUNK_CREATE] = {"chunk_create",
			    "INSERT INTO chunks (tenant_id, bot_id, bot_rid, source_id, ord, heading, text, tsv) "
			    "VALUES ($1, $2, $3, $4, $5, $6, $7, "
			    "setweight(to_tsvector('simple', $8::text), 'A') || to_tsvector('simple', $9::text))",
			    9},
	[Q_SOURCE_GET] = {"source_get",
			  "SELECT " SOURCE_COLS " FROM sources WHERE tenant_id = $1 AND bot_id = $2 AND id = $3",
			  3},
	[Q_SOURCE_LIST_FIRST] = {"source_list_first",
				 "SELECT " SOURCE_COLS " FROM sources WHERE tenant_id = $1 AND bot_id = $2 "
				 "ORDER BY created_at DESC, id DESC LIMIT $3",
				 3},
	[Q_SOURCE_LIST_AFTER] = {"source_list_after",
				 "SELECT " SOURCE_COLS " FROM sources WHERE tenant_id = $1 AND bot_id = $2 "
				 "AND (created_at, id) < ($3::bigint, $4::text) "
				 "ORDER BY created_at DESC, id DESC LIMIT $5",
				 5},
	[Q_SOURCE_DELETE] = {"source_delete",
			     "DELETE FROM sources WHERE tenant_id = $1 AND bot_id = $2 AND id = $3", 3},
	[Q_SOURCE_DEL_CHUNKS] = {"source_del_chunks",
				 "DELETE FROM chunks WHERE tenant_id = $1 AND bot_id = $2 AND source_id = $3", 3},

	/* $3: the whole query (words ORed); $5: one query per input word, NULL for a skipped word, so the
	 * strict to_tsquery yields NULL and that word's bit stays 0. Heading terms (weight A) count twice
	 * as much as text terms, as in the SQLite backend's bm25 weights. */
	[Q_CHUNK_SEARCH] = {"chunk_search",
			    "SELECT c.id, s.title, c.heading, c.text, ts_rank('{0.5, 0.5, 0.5, 1.0}', c.tsv, q.q) AS rank, "
			    "(SELECT coalesce(sum(1::bigint << (u.i - 1)::int), 0) "
			    "FROM unnest($5::text[]) WITH ORDINALITY AS u(w, i) "
			    "WHERE c.tsv @@ to_tsquery('simple', u.w)) AS matched "
			    "FROM chunks c JOIN sources s ON s.tenant_id = c.tenant_id AND s.id = c.source_id, "
			    "to_tsquery('simple', $3::text) AS q(q) "
			    "WHERE c.tenant_id = $1 AND c.bot_id = $2 AND c.tsv @@ q.q "
			    "ORDER BY rank DESC, c.id LIMIT $4",
			    5},
	/* One statement, so one snapshot: the bot row (ownership) and its chunks. A bot without chunks
	 * gives one row with a NULL chunk id; no row at all means the bot is not the tenant's. */
	[Q_CHUNK_LIST] = {"chunk_list",
			  "SELECT c.id, coalesce(s.title, ''), c.heading, c.text FROM bots b "
			  "LEFT JOIN chunks c ON c.tenant_id = b.tenant_id AND c.bot_id = b.id "
			  "LEFT JOIN sources s ON s.tenant_id = c.tenant_id AND s.id = c.source_id "
			  "WHERE b.tenant_id = $1 AND b.id = $2 ORDER BY c.id",
			  2},

	[Q_CONV_CREATE] = {"conv_create",
			   "INSERT INTO conversations (id, tenant_id, bot_id, channel, created_at, last_message_at, "
			   "contact_id) VALUES ($1, $2, $3, $4, $5, $5, $6)",
			   6},
	[Q_CONTACT_CREATE] = {"contact_create",
			      "INSERT INTO contacts (id, tenant_id, bot_id, wrapped_key, channel, created_at, updated_at) "
			      "VALUES ($1, $2, $3, $4, $5, $6, $6)",
			      6},
	[Q_CONV_TOUCH] = {"conv_touch",
			  "UPDATE conversations SET message_count = message_count + 2, last_message_at = $4, "
			  "email_prompts = email_prompts + $5 WHERE tenant_id = $1 AND bot_id = $2 AND id = $3",
			  5},
	[Q_MSG_CREATE] = {"msg_create",
			  "INSERT INTO messages (id, tenant_id, bot_id, conversation_id, direction, content, meta, "
			  "latency_ms, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
			  9},
	[Q_CONV_EXISTS] = {"conv_exists",
			   "SELECT 1 FROM conversations WHERE tenant_id = $1 AND bot_id = $2 AND id = $3", 3},
	[Q_CONV_COUNT] = {"conv_count",
			  "SELECT count(*) FROM messages WHERE tenant_id = $1 AND conversation_id = $2", 2},
	[Q_CONV_STATE] = {"conv_state",
			  "SELECT message_count, email_prompts FROM conversations WHERE tenant_id = $1 AND id = $2", 2},
	[Q_CONV_CONTACT] = {"conv_contact",
			    "SELECT k.id, k.wrapped_key FROM conversations c "
			    "JOIN contacts k ON k.tenant_id = c.tenant_id AND k.id = c.contact_id "
			    "WHERE c.tenant_id = $1 AND c.bot_id = $2 AND c.id = $3",
			    3},
	/* an exchange's two messages share created_at: the question ('in') before its answer ('out') */
	[Q_MSG_LIST] = {"msg_list",
			"SELECT id, direction, content, meta, created_at FROM messages "
			"WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY created_at, direction, id LIMIT $3",
			3},

	[Q_ANALYTICS_ADD] = {"analytics_add",
			     "INSERT INTO analytics_events (tenant_id, bot_id, event, props, created_at) "
			     "SELECT $1::text, $2::text, $3::text, $4::text, $5::bigint "
			     "FROM bots WHERE tenant_id = $1 AND id = $2 FOR KEY SHARE",
			     5},

	/* personal data: store_pg_contacts.c */
	[Q_TENANT_KEY_GET] = {"tenant_key_get", "SELECT wrapped_key FROM tenants WHERE id = $1", 1},
	/* a racing node's UPDATE waits for the first one's commit, then finds the key set and changes nothing */
	[Q_TENANT_KEY_SET] = {"tenant_key_set",
			      "UPDATE tenants SET wrapped_key = $2 WHERE id = $1 AND wrapped_key IS NULL", 2},
	[Q_CONTACT_SET_EMAIL] = {"contact_set_email",
				 "UPDATE contacts SET email = $3, email_bidx = $4, updated_at = $5 "
				 "WHERE tenant_id = $1 AND id = $2",
				 5},
	[Q_LEAD_CREATE] = {"lead_create",
			   "INSERT INTO leads (id, tenant_id, bot_id, conversation_id, contact_id, email_bidx, source, "
			   "channel, context, interest, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
			   "ON CONFLICT (conversation_id, email_bidx) DO NOTHING",
			   11},
	[Q_LEAD_FIND] = {"lead_find",
			 "SELECT id FROM leads WHERE tenant_id = $1 AND conversation_id = $2 AND email_bidx = $3", 3},
	[Q_CONSENT_CREATE] = {"consent_create",
			      "INSERT INTO consents (id, tenant_id, contact_id, lead_id, purpose, source, channel, "
			      "text_version, granted_at) VALUES ($1, $2, $3, $4, 'contact_by_email', $5, $6, $7, $8)",
			      8},
	/* filters: $2 bot (NULL: all), $3 from and $4 to (0: unbounded), $5 min interest */
	[Q_LEAD_LIST_FIRST] = {"lead_list_first",
			       LEAD_SELECT "WHERE l.tenant_id = $1 AND ($2::text IS NULL OR l.bot_id = $2) "
			       "AND ($3::bigint = 0 OR l.created_at >= $3) AND ($4::bigint = 0 OR l.created_at < $4) "
			       "AND l.interest >= $5::integer "
			       "ORDER BY l.created_at DESC, l.id DESC LIMIT $6",
			       6},
	[Q_LEAD_LIST_AFTER] = {"lead_list_after",
			       LEAD_SELECT "WHERE l.tenant_id = $1 AND ($2::text IS NULL OR l.bot_id = $2) "
			       "AND ($3::bigint = 0 OR l.created_at >= $3) AND ($4::bigint = 0 OR l.created_at < $4) "
			       "AND l.interest >= $5::integer AND (l.created_at, l.id) < ($7::bigint, $8::text) "
			       "ORDER BY l.created_at DESC, l.id DESC LIMIT $6",
			       8},
	[Q_LEAD_GET] = {"lead_get", LEAD_SELECT "WHERE l.tenant_id = $1 AND l.id = $2", 2},
	/* erasure: ($1, $2) = (tenant, contact); the locks are explained under "Consistency" in pg_int.h */
	[Q_CONTACT_BOT] = {"contact_bot", "SELECT bot_id FROM contacts WHERE tenant_id = $1 AND id = $2", 2},
	[Q_CONTACT_LOCK] = {"contact_lock", "SELECT 1 FROM contacts WHERE tenant_id = $1 AND id = $2 FOR UPDATE", 2},
	[Q_CONTACT_LOCK_CONVS] = {"contact_lock_convs",
				  "SELECT 1 FROM conversations WHERE tenant_id = $1 AND contact_id = $2 FOR UPDATE", 2},
	[Q_CONTACT_DEL_MESSAGES] = {"contact_del_messages",
				    "DELETE FROM messages WHERE tenant_id = $1 AND conversation_id IN "
				    "(SELECT id FROM conversations WHERE tenant_id = $1 AND contact_id = $2)",
				    2},
	[Q_CONTACT_DEL_CONVS] = {"contact_del_convs",
				 "DELETE FROM conversations WHERE tenant_id = $1 AND contact_id = $2", 2},
	[Q_CONTACT_DEL_LEADS] = {"contact_del_leads", "DELETE FROM leads WHERE tenant_id = $1 AND contact_id = $2", 2},
	[Q_CONTACT_DEL_CONSENTS] = {"contact_del_consents",
				    "DELETE FROM consents WHERE tenant_id = $1 AND contact_id = $2", 2},
	[Q_CONTACT_DELETE] = {"contact_delete", "DELETE FROM contacts WHERE tenant_id = $1 AND id = $2", 2},
	[Q_ERASURE_CREATE] = {"erasure_create",
			      "INSERT INTO erasures (contact_id, tenant_id, erased_at) VALUES ($1, $2, $3) "
			      "ON CONFLICT (contact_id) DO NOTHING",
			      3},
	[Q_ERASURE_LIST] = {"erasure_list", "SELECT contact_id FROM erasures ORDER BY contact_id", 0},
	/* restore (store_contact_purge): by contact id alone, whatever tenant the restored rows have */
	[Q_PURGE_TENANT] = {"purge_tenant", "SELECT tenant_id FROM contacts WHERE id = $1", 1},
	[Q_PURGE_DEL_MESSAGES] = {"purge_del_messages",
				  "DELETE FROM messages WHERE conversation_id IN "
				  "(SELECT id FROM conversations WHERE contact_id = $1)",
				  1},
	[Q_PURGE_DEL_CONVS] = {"purge_del_convs", "DELETE FROM conversations WHERE contact_id = $1", 1},
	[Q_PURGE_DEL_LEADS] = {"purge_del_leads", "DELETE FROM leads WHERE contact_id = $1", 1},
	[Q_PURGE_DEL_CONSENTS] = {"purge_del_consents", "DELETE FROM consents WHERE contact_id = $1", 1},
	[Q_PURGE_DELETE] = {"purge_delete", "DELETE FROM contacts WHERE id = $1", 1},

	/* images, contact persons and contact requests: store_pg_persons.c ($1 is always the tenant, except
	 * for the public image lookup) */
	[Q_IMG_INSERT] = {"img_insert",
			  "INSERT INTO images (tenant_id, bot_id, id, kind, content_type, width, height, bytes, created_at) "
			  "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
			  9},
	[Q_IMG_GET] = {"img_get", "SELECT id, content_type, width, height, bytes, created_at FROM images WHERE id = $1", 1},
	[Q_IMG_DEL_LOGOS] = {"img_del_logos",
			     "DELETE FROM images WHERE tenant_id = $1 AND bot_id = $2 AND kind = 'logo' AND id <> $3", 3},
	[Q_IMG_DELETE] = {"img_delete", "DELETE FROM images WHERE tenant_id = $1 AND id = $2", 2},
	[Q_CP_BOT_CONFIG] = {"cp_bot_config", "UPDATE bots SET config = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2",
			     4},
	/* serialises the writers of one bot's persons (count, order); chats (FOR KEY SHARE) are not held up */
	[Q_CP_BOT_LOCK] = {"cp_bot_lock", "SELECT rid FROM bots WHERE tenant_id = $1 AND id = $2 FOR NO KEY UPDATE", 2},
	[Q_CP_COUNT] = {"cp_count",
			"SELECT count(*), coalesce(max(ord), 0) FROM contact_persons WHERE tenant_id = $1 AND bot_id = $2", 2},
	[Q_CP_INSERT] = {"cp_insert",
			 "INSERT INTO contact_persons (tenant_id, bot_id, id, ord, name, position, email, phone, created_at, "
			 "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
			 9},
	[Q_CP_GET] = {"cp_get",
		      "SELECT " PERSON_COLS " FROM contact_persons WHERE tenant_id = $1 AND bot_id = $2 AND id = $3", 3},
	[Q_CP_LIST] = {"cp_list",
		       "SELECT " PERSON_COLS " FROM contact_persons WHERE tenant_id = $1 AND bot_id = $2 "
		       "ORDER BY ord, id LIMIT $3",
		       3},
	[Q_CP_UPDATE] = {"cp_update",
			 "UPDATE contact_persons SET name = $4, position = $5, email = $6, phone = $7, updated_at = $8 "
			 "WHERE tenant_id = $1 AND bot_id = $2 AND id = $3",
			 8},
	[Q_CP_DELETE] = {"cp_delete", "DELETE FROM contact_persons WHERE tenant_id = $1 AND bot_id = $2 AND id = $3", 3},
	[Q_CP_CLOSE_GAP] = {"cp_close_gap",
			    "UPDATE contact_persons SET ord = ord - 1 WHERE tenant_id = $1 AND bot_id = $2 AND ord > $3", 3},
	[Q_CP_SET_ORD] = {"cp_set_ord",
			  "UPDATE contact_persons SET ord = $4, updated_at = $5 WHERE tenant_id = $1 AND bot_id = $2 AND id = $3",
			  5},
	[Q_CP_SET_PHOTO] = {"cp_set_photo",
			    "UPDATE contact_persons SET photo_image_id = $4, updated_at = $5 "
			    "WHERE tenant_id = $1 AND bot_id = $2 AND id = $3",
			    5},
	/* only the fields given ($3..$7 not NULL) change */
	[Q_CR_CONTACT_SET] = {"cr_contact_set",
			      "UPDATE contacts SET name = coalesce($3, name), email = coalesce($4, email), "
			      "email_bidx = coalesce($5, email_bidx), phone = coalesce($6, phone), "
			      "phone_bidx = coalesce($7, phone_bidx), updated_at = $8 WHERE tenant_id = $1 AND id = $2",
			      8},
	/* email_bidx holds the request's de-duplication key (see 004_contact_persons.postgres.sql) */
	[Q_CR_LEAD_INSERT] = {"cr_lead_insert",
			      "INSERT INTO leads (tenant_id, id, bot_id, conversation_id, contact_id, email_bidx, source, channel, "
			      "context, interest, created_at, message) "
			      "VALUES ($1, $2, $3, $4, $5, $6, 'contact_request', $7, $8, $9, $10, $11) "
			      "ON CONFLICT (conversation_id, email_bidx) DO NOTHING",
			      11},
	[Q_CR_CONSENT_INSERT] = {"cr_consent_insert",
				 "INSERT INTO consents (tenant_id, id, contact_id, lead_id, purpose, source, channel, "
				 "text_version, granted_at) VALUES ($1, $2, $3, $4, 'contact_request', 'contact_request', "
				 "$5, $6, $7)",
				 7},
	[Q_LEAD_DETAILS] = {"lead_details",
			    "SELECT k.name, k.phone, l.message FROM leads l "
			    "JOIN contacts k ON k.tenant_id = l.tenant_id AND k.id = l.contact_id "
			    "WHERE l.tenant_id = $1 AND l.id = $2",
			    2},
};

/* ---- the pool ------------------------------------------------------------------------------------ */

struct pg_conn {
	PGconn *pg;             /* NULL until first used; may be in a broken state until reset */
	bool busy;              /* handed out by pg_pool_acquire, under pg_store.mu */
	bool prepared[Q_COUNT]; /* statement i exists in this session */
};

struct pg_store {
	struct store base;     /* first member: store.c only sees this */
	char *url;             /* owned; base.opts.url points here */
	pthread_mutex_t mu;    /* guards conns[].busy */
	pthread_cond_t freed;  /* signalled when a connection goes back to the pool */
	int wait_ms;           /* how long acquire waits for a free connection before STORE_BUSY */
	int nconns;
	struct pg_conn *conns; /* nconns slots */
};

/* ---- logging ------------------------------------------------------------------------------------- */

/* One JSON line on stderr: {"level":…,"component":"store_pg","op":…,"sqlstate":…,"msg":…}. `level` is a
 * static string ("error", "warn"). Control characters (libpq messages end in newlines) become spaces;
 * trailing ones are dropped. */
static void pg_log_at(const char *level, const char *op, const char *sqlstate, const char *msg)
{
	char esc[1024];
	size_t k = 0;
	if (!msg)
		msg = "";
	for (const char *p = msg; *p && k + 2 < sizeof esc; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch == '"' || ch == '\\') {
			esc[k++] = '\\';
			esc[k++] = (char)ch;
		} else if (ch < 0x20 || ch == 0x7f) {
			esc[k++] = ' ';
		} else {
			esc[k++] = (char)ch;
		}
	}
	while (k > 0 && esc[k - 1] == ' ')
		k--;
	esc[k] = '\0';
	fprintf(stderr, "{\"level\":\"%s\",\"component\":\"store_pg\",\"op\":\"%s\",\"sqlstate\":\"%s\",\"msg\":\"%s\"}\n",
		level, op, sqlstate ? sqlstate : "", esc);
}

void pg_log(const char *op, const char *sqlstate, const char *msg)
{
	pg_log_at("error", op, sqlstate, msg);
}

/* Notice receiver: drops NOTICE and lower (e.g. "relation … already exists, skipping"), logs WARNING.
 * (Errors never come this way; they arrive as failed results.) */
static void pg_notice(void *arg, const PGresult *res)
{
	(void)arg;
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	if (sev && strcmp(sev, "WARNING") != 0)
		return;
	pg_log_at("warn", "notice", PQresultErrorField(res, PG_DIAG_SQLSTATE), PQresultErrorMessage(res));
}

/* Classifies a failed statement. `res` may be NULL (libpq could not even build a result). Logs only
 * what becomes STORE_ERROR or STORE_BUSY. */
static int pg_fail(const char *op, PGconn *pg, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (state) {
		if (strcmp(state, "23505") == 0)
			return STORE_CONFLICT;
		if (strcmp(state, "23503") == 0)
			return STORE_NOTFOUND;
	}
	const char *msg = res ? PQresultErrorMessage(res) : NULL;
	if (!msg || !*msg)
		msg = PQerrorMessage(pg);
	pg_log(op, state, msg);
	if (state && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0))
		return STORE_BUSY;
	return STORE_ERROR;
}

/* ---- connections --------------------------------------------------------------------------------- */

/* Makes c->pg a working session: connects the first time, resets a broken one. Forgets prepared
 * statements whenever the session is new. Returns STORE_OK, STORE_NOMEM or STORE_ERROR (logged). */
static int conn_ready(struct pg_store *ps, struct pg_conn *c)
{
	if (c->pg && PQstatus(c->pg) == CONNECTION_OK)
		return STORE_OK;
	if (!c->pg) {
		c->pg = PQconnectdb(ps->url);
		if (!c->pg)
			return STORE_NOMEM;
		PQsetNoticeReceiver(c->pg, pg_notice, NULL);
	} else {
		PQreset(c->pg);
	}
	memset(c->prepared, 0, sizeof c->prepared);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		pg_log("connect", NULL, PQerrorMessage(c->pg));
		return STORE_ERROR;
	}
	return STORE_OK;
}

static void deadline_after(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Hands out a connection, ready to use, for the calling thread alone until pg_pool_release. Waits up to
 * ps->wait_ms for one to become free (then STORE_BUSY). Prefers connections that are already open. */
int pg_pool_acquire(struct pg_store *ps, struct pg_conn **out)
{
	struct timespec deadline;
	deadline_after(&deadline, ps->wait_ms);
	struct pg_conn *c = NULL;

	pthread_mutex_lock(&ps->mu);
	for (;;) {
		for (int i = 0; i < ps->nconns; i++) {
			struct pg_conn *cand = &ps->conns[i];
			if (cand->busy)
				continue;
			if (!c || (!c->pg && cand->pg))
				c = cand;
			if (c->pg)
				break;
		}
		if (c)
			break;
		int e = pthread_cond_timedwait(&ps->freed, &ps->mu, &deadline);
		if (e == ETIMEDOUT) {
			pthread_mutex_unlock(&ps->mu);
			pg_log("acquire", NULL, "no free connection in the pool in time");
			return STORE_BUSY;
		}
	}
	c->busy = true;
	pthread_mutex_unlock(&ps->mu);

	int rc = conn_ready(ps, c);
	if (rc != STORE_OK) {
		pg_pool_release(ps, c);
		return rc;
	}
	*out = c;
	return STORE_OK;
}

/* Puts a connection back. A session left inside a transaction (a path that could not roll back) is
 * rolled back here, or closed if even that fails, so the next user starts clean. */
void pg_pool_release(struct pg_store *ps, struct pg_conn *c)
{
	if (c->pg && PQstatus(c->pg) == CONNECTION_OK && PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
		int rc;
		PQclear(pg_exec(c, Q_ROLLBACK, NULL, NULL, NULL, &rc));
		if (PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
			PQfinish(c->pg);
			c->pg = NULL;
		}
	}
	pthread_mutex_lock(&ps->mu);
	c->busy = false;
	pthread_cond_signal(&ps->freed);
	pthread_mutex_unlock(&ps->mu);
}

/* ---- running statements -------------------------------------------------------------------------- */

/* Runs statement `q` on `c`, preparing it first if this session has not. `params` holds
 * pg_stmts[q].nparams values (NULL = SQL NULL), text unless `formats`/`lengths` say otherwise. Returns
 * the result (caller PQclears) with *rc = STORE_OK, or NULL with *rc set by pg_fail. */
PGresult *pg_exec(struct pg_conn *c, enum pg_q q, const char *const *params, const int *lengths, const int *formats,
		  int *rc)
{
	const struct pg_stmt *s = &pg_stmts[q];
	PGresult *res = NULL;
	if (!c->prepared[q]) {
		res = PQprepare(c->pg, s->name, s->sql, s->nparams, NULL);
		if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
			*rc = pg_fail(s->name, c->pg, res);
			PQclear(res);
			return NULL;
		}
		PQclear(res);
		c->prepared[q] = true;
	}
	res = PQexecPrepared(c->pg, s->name, s->nparams, params, lengths, formats, 0);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		*rc = pg_fail(s->name, c->pg, res);
		PQclear(res);
		return NULL;
	}
	*rc = STORE_OK;
	return res;
}

/* pg_exec for statements whose result is only a row count; *affected gets it when not NULL. */
int pg_cmd(struct pg_conn *c, enum pg_q q, const char *const *params, int64_t *affected)
{
	int rc;
	PGresult *res = pg_exec(c, q, params, NULL, NULL, &rc);
	if (!res)
		return rc;
	if (affected)
		*affected = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return STORE_OK;
}

/* A statement that is not in pg_stmts (feature files that keep their SQL to themselves, see pg_int.h):
 * sent with its parameters through the extended protocol (PQexecParams: parsed each time, values never
 * spliced into the SQL). Result and *rc as for pg_exec; `op` names it in log lines. */
PGresult *pg_exec_sql(struct pg_conn *c, const char *op, const char *sql, int nparams, const char *const *params,
		      int *rc)
{
	PGresult *res = PQexecParams(c->pg, sql, nparams, NULL, params, NULL, NULL, 0);
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		*rc = pg_fail(op, c->pg, res);
		PQclear(res);
		return NULL;
	}
	*rc = STORE_OK;
	return res;
}

/* One statement on a pooled connection: acquire, run, release. The result outlives the connection. */
int pg_one(struct pg_store *ps, enum pg_q q, const char *const *params, const int *lengths, const int *formats,
	   PGresult **out)
{
	struct pg_conn *c;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	PGresult *res = pg_exec(c, q, params, lengths, formats, &rc);
	pg_pool_release(ps, c);
	if (res)
		*out = res;
	return rc;
}

/* pg_one for statements whose result is only a row count. */
int pg_one_cmd(struct pg_store *ps, enum pg_q q, const char *const *params, int64_t *affected)
{
	PGresult *res = NULL;
	int rc = pg_one(ps, q, params, NULL, NULL, &res);
	if (rc != STORE_OK)
		return rc;
	if (affected)
		*affected = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return STORE_OK;
}

int pg_tx_begin(struct pg_conn *c)
{
	return pg_cmd(c, Q_BEGIN, NULL, NULL);
}

/* Ends the transaction: COMMIT when rc is STORE_OK (and returns COMMIT's outcome), ROLLBACK otherwise
 * (and returns rc unchanged). A failed ROLLBACK is left to pg_pool_release. */
int pg_tx_end(struct pg_conn *c, int rc)
{
	if (rc != STORE_OK) {
		int ignored;
		PQclear(pg_exec(c, Q_ROLLBACK, NULL, NULL, NULL, &ignored));
		return rc;
	}
	int crc;
	PGresult *res = pg_exec(c, Q_COMMIT, NULL, NULL, NULL, &crc);
	if (!res)
		return crc;
	/* COMMIT of a transaction that had failed answers ROLLBACK; never report that as success. */
	if (strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		pg_log("commit", NULL, "transaction was rolled back");
		crc = STORE_ERROR;
	}
	PQclear(res);
	return crc;
}

/* ---- values -------------------------------------------------------------------------------------- */

const char *pg_num(struct pg_num *n, int64_t v)
{
	snprintf(n->s, sizeof n->s, "%" PRId64, v);
	return n->s;
}

int64_t pg_col_i64(const PGresult *r, int row, int col)
{
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* Copies an id column into a fixed buffer; false when it does not fit (never for our own ids). */
bool pg_col_id(const PGresult *r, int row, int col, char dst[STORE_ID_MAX])
{
	int len = PQgetlength(r, row, col);
	if (len < 0 || len >= STORE_ID_MAX)
		return false;
	memcpy(dst, PQgetvalue(r, row, col), (size_t)len);
	dst[len] = '\0';
	return true;
}

/* Heap copy of a text column (NULL stays NULL); *ok turns false when memory runs out. */
char *pg_col_dup(const PGresult *r, int row, int col, bool *ok)
{
	if (PQgetisnull(r, row, col))
		return NULL;
	return store_strdup(PQgetvalue(r, row, col), ok);
}

/* ---- lifecycle and migrations -------------------------------------------------------------------- */

static void pg_close(struct store *st)
{
	struct pg_store *ps = pg_of(st);
	if (!ps)
		return;
	for (int i = 0; i < ps->nconns; i++)
		if (ps->conns[i].pg)
			PQfinish(ps->conns[i].pg);
	free(ps->conns);
	pthread_cond_destroy(&ps->freed);
	pthread_mutex_destroy(&ps->mu);
	free(ps->url);
	free(ps);
}

static int pg_ping(struct store *st)
{
	PGresult *res = NULL;
	int rc = pg_one(pg_of(st), Q_PING, NULL, NULL, NULL, &res);
	if (rc == STORE_OK)
		PQclear(res);
	return rc;
}

static int pg_schema_version(struct store *st, int *version)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	PGresult *res = NULL;
	int v = 0;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	res = pg_exec(c, Q_MIG_EXISTS, NULL, NULL, NULL, &rc);
	if (!res)
		goto out;
	bool exists = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	res = NULL;
	if (exists) {
		res = pg_exec(c, Q_MIG_VERSION, NULL, NULL, NULL, &rc);
		if (!res)
			goto out;
		v = (int)pg_col_i64(res, 0, 0);
	}
out:
	PQclear(res);
	pg_pool_release(ps, c);
	if (rc == STORE_OK)
		*version = v;
	return rc;
}

/* Applies one migration file in one transaction with its schema_migrations row. Serialised across
 * processes by an advisory lock; a version another node applied meanwhile is skipped (STORE_OK). */
static int pg_apply_migration(struct store *st, int version, const char *name, const char *sql)
{
	struct pg_store *ps = pg_of(st);
	struct pg_conn *c;
	struct pg_num nv;
	const char *pv[] = {pg_num(&nv, version), name};
	PGresult *res = NULL;
	int rc = pg_pool_acquire(ps, &c);
	if (rc != STORE_OK)
		return rc;
	rc = pg_tx_begin(c);
	if (rc != STORE_OK)
		goto out;
	if ((rc = pg_cmd(c, Q_MIG_LOCK, NULL, NULL)) != STORE_OK || (rc = pg_cmd(c, Q_MIG_TABLE, NULL, NULL)) != STORE_OK)
		goto end;
	res = pg_exec(c, Q_MIG_APPLIED, pv, NULL, NULL, &rc);
	if (!res)
		goto end;
	bool applied = PQntuples(res) > 0;
	PQclear(res);
	res = NULL;
	if (applied)
		goto end;
	/* A multi-statement script: simple query protocol. It returns the last statement's result, or
	 * the first error. */
	res = PQexec(c->pg, sql);
	ExecStatusType est = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (est != PGRES_COMMAND_OK && est != PGRES_TUPLES_OK) {
		rc = pg_fail(name, c->pg, res);
		if (rc != STORE_BUSY)
			rc = STORE_ERROR;
		goto end;
	}
	PQclear(res);
	res = NULL;
	rc = pg_cmd(c, Q_MIG_RECORD, pv, NULL);
end:
	rc = pg_tx_end(c, rc);
out:
	PQclear(res);
	pg_pool_release(ps, c);
	return rc;
}

/* ---- the ops table and the constructor ----------------------------------------------------------- */

static const struct store_ops pg_ops = {
	.name = "postgres",
	.close = pg_close,
	.ping = pg_ping,
	.schema_version = pg_schema_version,
	.tenant_retention_get = pg_tenant_retention_get,
	.tenant_retention_set = pg_tenant_retention_set,
	.retention_tenants = pg_retention_tenants,
	.retention_erase = pg_retention_erase,
	.bot_expire = pg_bot_expire,
	.tenant_key_list = pg_tenant_key_list,
	.tenant_key_swap = pg_tenant_key_swap,
	.server_key_get = pg_server_key_get,
	.server_key_swap = pg_server_key_swap,
	.apply_migration = pg_apply_migration,
	.tenant_create = pg_tenant_create,
	.tenant_get = pg_tenant_get,
	.apikey_create = pg_apikey_create,
	.apikey_revoke = pg_apikey_revoke,
	.apikey_lookup = pg_apikey_lookup,
	.bot_create = pg_bot_create,
	.bot_get = pg_bot_get,
	.bot_update = pg_bot_update,
	.bot_delete = pg_bot_delete,
	.bot_list = pg_bot_list,
	.source_create = pg_source_create,
	.source_get = pg_source_get,
	.source_list = pg_source_list,
	.source_delete = pg_source_delete,
	.chunk_search = pg_chunk_search,
	.chunk_list = pg_chunk_list,
	.exchange_save = pg_exchange_save,
	.conversation_exists = pg_conversation_exists,
	.conversation_contact = pg_conversation_contact,
	.conversation_state = pg_conversation_state,
	.conversation_count_messages = pg_conversation_count_messages,
	.analytics_add = pg_analytics_add,
	.message_list = pg_message_list,
	.tenant_key_get = pg_tenant_key_get,
	.tenant_key_init = pg_tenant_key_init,
	.lead_capture = pg_lead_capture,
	.lead_list = pg_lead_list,
	.lead_get = pg_lead_get,
	.contact_erase = pg_contact_erase,
	.erasure_list = pg_erasure_list,
	.contact_purge = pg_contact_purge,
	.image_get = pg_image_get,
	.bot_logo_set = pg_bot_logo_set,
	.person_create = pg_person_create,
	.person_get = pg_person_get,
	.person_list = pg_person_list,
	.person_update = pg_person_update,
	.person_delete = pg_person_delete,
	.person_reorder = pg_person_reorder,
	.person_photo_set = pg_person_photo_set,
	.contact_request = pg_contact_request,
	.lead_details = pg_lead_details,
	.bot_stats = pg_bot_stats,
	.contact_get = pg_contact_get,
	.conversation_get = pg_conversation_get,
	.contact_conversations = pg_contact_conversations,
	.contact_consents = pg_contact_consents,
	.contact_leads = pg_contact_leads,
};

/* Writes a one-line message into errbuf (libpq messages end in a newline; it is dropped). */
static void set_err(char *errbuf, size_t errlen, const char *what, const char *detail)
{
	if (!errbuf || errlen == 0)
		return;
	snprintf(errbuf, errlen, "postgres: %s%s%s", what, detail ? ": " : "", detail ? detail : "");
	for (char *p = errbuf; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	size_t len = strlen(errbuf);
	while (len > 0 && errbuf[len - 1] == ' ')
		errbuf[--len] = '\0';
}

/* Opens the pool of opts->pool_size connections (PG_POOL_DEFAULT when not positive) and connects the
 * first, so that a wrong URL or an unreachable server fails here. Acquiring a connection waits up to
 * opts->busy_timeout_ms (PG_WAIT_DEFAULT_MS when not positive). Runs no migrations. */
struct store *store_pg_open(const struct store_opts *opts, char *errbuf, size_t errlen)
{
	struct pg_store *ps = NULL;
	bool mu_ok = false, cv_ok = false;
	if (!opts || !opts->url || !opts->tokenize) {
		set_err(errbuf, errlen, "url and tokenize are required", NULL);
		return NULL;
	}
	ps = calloc(1, sizeof *ps);
	if (!ps)
		goto nomem;
	ps->url = strdup(opts->url);
	ps->nconns = opts->pool_size > 0 ? opts->pool_size : PG_POOL_DEFAULT;
	if (ps->nconns > PG_POOL_MAX)
		ps->nconns = PG_POOL_MAX;
	ps->wait_ms = opts->busy_timeout_ms > 0 ? opts->busy_timeout_ms : PG_WAIT_DEFAULT_MS;
	ps->conns = calloc((size_t)ps->nconns, sizeof *ps->conns);
	if (!ps->url || !ps->conns)
		goto nomem;
	if (pthread_mutex_init(&ps->mu, NULL) != 0) {
		set_err(errbuf, errlen, "cannot create the pool mutex", NULL);
		goto fail;
	}
	mu_ok = true;
	pthread_condattr_t ca;
	if (pthread_condattr_init(&ca) != 0) {
		set_err(errbuf, errlen, "cannot create the pool condition", NULL);
		goto fail;
	}
	int e = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (e == 0)
		e = pthread_cond_init(&ps->freed, &ca);
	pthread_condattr_destroy(&ca);
	if (e != 0) {
		set_err(errbuf, errlen, "cannot create the pool condition", NULL);
		goto fail;
	}
	cv_ok = true;

	struct pg_conn *first = &ps->conns[0];
	first->pg = PQconnectdb(ps->url);
	if (!first->pg)
		goto nomem;
	if (PQstatus(first->pg) != CONNECTION_OK) {
		set_err(errbuf, errlen, "cannot connect", PQerrorMessage(first->pg));
		goto fail;
	}
	PQsetNoticeReceiver(first->pg, pg_notice, NULL);
	if (PQserverVersion(first->pg) < PG_MIN_SERVER) {
		set_err(errbuf, errlen, "server too old (PostgreSQL 10 or later needed)", NULL);
		goto fail;
	}

	ps->base.ops = &pg_ops;
	ps->base.opts = *opts;
	ps->base.opts.url = ps->url;
	ps->base.opts.pool_size = ps->nconns;
	return &ps->base;

nomem:
	set_err(errbuf, errlen, "out of memory", NULL);
fail:
	if (ps) {
		if (ps->conns)
			for (int i = 0; i < ps->nconns; i++)
				if (ps->conns[i].pg)
					PQfinish(ps->conns[i].pg);
		free(ps->conns);
		if (cv_ok)
			pthread_cond_destroy(&ps->freed);
		if (mu_ok)
			pthread_mutex_destroy(&ps->mu);
		free(ps->url);
		free(ps);
	}
	return NULL;
}
