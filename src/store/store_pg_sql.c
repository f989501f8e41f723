/*
 * store_pg_sql.c — the named statements of the PostgreSQL backend, prepared per connection.
 *
 * The SQL of statement q (enum pg_q, pg_int.h) is pg_stmts[q]; BOT_COLS and SOURCE_COLS are there too.
 * store_pg.c prepares each one on a connection the first time it runs there (see pg_exec).
 */
#include "store/pg_int.h"

#define PG_MIGRATION_LOCK "7165448231" /* advisory lock key that serialises migrations across nodes */

/* Columns of the job, webhook-event, WhatsApp contact and message queries, in the order the readers in
 * store_pg_jobs.c and store_pg_wa.c expect. */
#define PG_JOB_COLS                                                                                          \
	"id, tenant_id, bot_id, kind, payload, status, last_error, claimed_by, dedupe_key, cancel_key, run_at, " \
	"attempts, max_attempts, claimed_at, created_at, updated_at"
#define PG_WH_COLS                                                                                           \
	"id, tenant_id, bot_id, provider, kind, provider_id, dedupe_key, payload, received_at, claimed_at, attempts"
#define PG_WAC_COLS                                                                                          \
	"id, bot_id, wrapped_key, whatsapp_e164, first_name, timezone, language, consent_status, consent_source, " \
	"consent_text_version, consent_at, last_inbound_at, created_at, updated_at"
#define PG_WAM_COLS                                                                                          \
	"id, bot_id, contact_id, conversation_id, direction, provider_message_id, kind, body, status, error_code, " \
	"created_at, updated_at"
/* Columns of a WhatsApp conversation, in the order store_pg_waconv.c reads them. */
#define PG_WACONV_COLS                                                                                       \
	"id, bot_id, contact_id, owner, state, handover_reason, message_count, coalesce(handover_at, 0), "       \
	"created_at, last_message_at"
/* A claim of a job ($1 now, $3 worker): running with one more attempt, or dead when none is left. */
#define PG_JOB_TAKE                                                                                          \
	"UPDATE jobs SET status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'running' END, "          \
	"last_error = CASE WHEN attempts >= max_attempts THEN 'lease expired on the last attempt' "              \
	"ELSE last_error END, attempts = CASE WHEN attempts >= max_attempts THEN attempts ELSE attempts + 1 END, " \
	"claimed_at = $1, claimed_by = $3, updated_at = $1 "

const struct pg_stmt pg_stmts[Q_COUNT] = {
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
			    "INSERT INTO chunks (tenant_id, bot_id, bot_rid, source_id, ord, heading, text, tsv, url, page) "
			    "VALUES ($1, $2, $3, $4, $5, $6, $7, "
			    "setweight(to_tsvector('simple', $8::text), 'A') || to_tsvector('simple', $9::text), $10, $11)",
			    11},
	/* ingestion jobs (store_pg_ingest.c) */
	[Q_SOURCE_JOB_SET] = {"source_job_set",
			      "UPDATE sources SET url = $4, requested_at = $5 WHERE tenant_id = $1 AND bot_id = $2 AND id = $3",
			      5},
	[Q_FILE_INSERT] = {"file_insert", "INSERT INTO source_files (source_id, tenant_id, data) VALUES ($1, $2, $3)", 3},
	[Q_FILE_GET] = {"file_get", "SELECT data FROM source_files WHERE source_id = $1 AND tenant_id = $2", 2},
	[Q_FILE_DELETE] = {"file_delete", "DELETE FROM source_files WHERE source_id = $1 AND tenant_id = $2", 2},
	[Q_SOURCE_CLAIM] = {"source_claim",
			    "UPDATE sources SET status = 'running', claimed_at = $1, updated_at = $1 WHERE id = "
			    "(SELECT id FROM sources WHERE status = 'queued' OR (status = 'running' AND claimed_at < $2) "
			    "ORDER BY requested_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING tenant_id, bot_id, id",
			    2},
	[Q_SOURCE_PROGRESS] = {"source_progress",
			       "UPDATE sources SET progress = $4, claimed_at = $5, updated_at = $5 WHERE tenant_id = $1 "
			       "AND bot_id = $2 AND id = $3 AND status = 'running'",
			       5},
	[Q_SOURCE_FINISH] = {"source_finish",
			     "UPDATE sources SET status = $4, error = $5, progress = $6, chars = CASE WHEN $4 = 'done' THEN "
			     "$7::bigint ELSE chars END, chunks = CASE WHEN $4 = 'done' THEN $8::int ELSE chunks END, "
			     "claimed_at = NULL, updated_at = $9 WHERE tenant_id = $1 AND bot_id = $2 AND id = $3",
			     9},
	[Q_SOURCE_REQUEUE] = {"source_requeue",
			      "UPDATE sources SET status = 'queued', requested_at = $4, updated_at = $4, error = NULL "
			      "WHERE tenant_id = $1 AND bot_id = $2 AND id = $3 AND status NOT IN ('queued', 'running')",
			      4},
	[Q_BOT_DEL_FILES] = {"bot_del_files",
			     "DELETE FROM source_files WHERE source_id IN (SELECT id FROM sources WHERE tenant_id = $1 "
			     "AND bot_id = $2)",
			     2},
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
			    "c.url, coalesce(c.page, 0), "
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
			  "SELECT c.id, coalesce(s.title, ''), c.heading, c.text, c.url, coalesce(c.page, 0) FROM bots b "
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
	[Q_EMBED_PENDING] = {"embed_pending",
			     "SELECT c.id, s.title, c.heading, c.text FROM chunks c JOIN sources s ON s.id = c.source_id "
			     "WHERE c.tenant_id = $1 AND c.bot_id = $2 AND (c.embedding_model IS NULL OR "
			     "c.embedding_model <> $3) ORDER BY c.id LIMIT $4",
			     4},
	[Q_EMBED_PUT] = {"embed_put",
			 "UPDATE chunks SET embedding = $4, embedding_model = $3 WHERE tenant_id = $1 AND bot_id = $2 "
			 "AND id = $5",
			 5},
	[Q_EMBED_LOAD] = {"embed_load",
			  "SELECT c.id, c.embedding, s.title, c.heading, c.text FROM chunks c JOIN sources s ON "
			  "s.id = c.source_id WHERE c.tenant_id = $1 AND c.bot_id = $2 AND c.embedding_model = $3 "
			  "ORDER BY c.id",
			  3},
	[Q_EMBED_COUNT] = {"embed_count",
			   "SELECT count(*), count(CASE WHEN embedding_model = $3 THEN 1 END) FROM chunks "
			   "WHERE tenant_id = $1 AND bot_id = $2",
			   3},
	[Q_BOT_SCAN] = {"bot_scan", "SELECT " BOT_COLS " FROM bots WHERE id > $1 ORDER BY id LIMIT $2", 2},
	[Q_MSG_TAIL] = {"msg_tail",
			"SELECT id, direction, content, meta, created_at FROM messages WHERE tenant_id = $1 AND "
			"conversation_id = $2 ORDER BY created_at DESC, direction DESC, id DESC LIMIT $3",
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
	/* the contact's sealed profile: ($1, $2) = (tenant, contact) */
	[Q_CONTACT_PROFILE_GET] = {"contact_profile_get", "SELECT profile FROM contacts WHERE tenant_id = $1 AND id = $2",
				  2},
	[Q_CONTACT_PROFILE_SET] = {"contact_profile_set",
				  "UPDATE contacts SET profile = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2", 4},

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
	/* jobs (store_pg_jobs.c): a job with a bot only when the bot is the tenant's */
	[Q_JOB_INSERT] = {"job_insert",
			  "INSERT INTO jobs (id, tenant_id, bot_id, kind, run_at, payload, status, attempts, max_attempts, "
			  "dedupe_key, cancel_key, created_at, updated_at) SELECT $1::text, $2::text, $3::text, $4::text, "
			  "$5::bigint, $6::text, 'pending', 0, $7::int, $8::text, $9::text, $10::bigint, $10::bigint "
			  "WHERE $3::text IS NULL OR EXISTS (SELECT 1 FROM bots WHERE id = $3::text AND tenant_id = $2::text) "
			  "ON CONFLICT (tenant_id, dedupe_key) DO NOTHING",
			  10},
	[Q_JOB_DEDUPE_EXISTS] = {"job_dedupe_exists", "SELECT 1 FROM jobs WHERE tenant_id = $1 AND dedupe_key = $2", 2},
	/* ($1 now, $2 now − lease, $3 worker) */
	[Q_JOB_CLAIM_EXPIRED] = {"job_claim_expired",
				 PG_JOB_TAKE "WHERE id = (SELECT id FROM jobs WHERE status = 'running' AND claimed_at < $2 "
				 "ORDER BY claimed_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING " PG_JOB_COLS,
				 3},
	/* ($1 now, $2 now, $3 worker) */
	[Q_JOB_CLAIM_DUE] = {"job_claim_due",
			     PG_JOB_TAKE "WHERE id = (SELECT id FROM jobs WHERE status = 'pending' AND run_at <= $2 "
			     "ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING " PG_JOB_COLS,
			     3},
	/* $3 done | dead | failed (back to pending at $5 while attempts are left and $5 > 0) */
	[Q_JOB_FINISH] = {"job_finish",
			  "UPDATE jobs SET status = CASE WHEN $3::text <> 'failed' THEN $3::text WHEN attempts >= max_attempts "
			  "THEN 'dead' WHEN $5::bigint > 0 THEN 'pending' ELSE 'failed' END, "
			  "run_at = CASE WHEN $3::text = 'failed' AND attempts < max_attempts AND $5::bigint > 0 THEN $5::bigint "
			  "ELSE run_at END, claimed_at = CASE WHEN $3::text = 'failed' AND attempts < max_attempts "
			  "AND $5::bigint > 0 THEN NULL ELSE claimed_at END, "
			  "last_error = CASE WHEN $3::text = 'done' THEN last_error ELSE $4::text END, updated_at = $6 "
			  "WHERE id = $1 AND status = 'running' AND attempts = $2",
			  6},
	[Q_JOB_CANCEL] = {"job_cancel",
			  "UPDATE jobs SET status = 'cancelled', updated_at = $3 WHERE tenant_id = $1 AND cancel_key = $2 "
			  "AND status = 'pending'",
			  3},
	[Q_JOB_GET] = {"job_get", "SELECT " PG_JOB_COLS " FROM jobs WHERE tenant_id = $1 AND id = $2", 2},
	[Q_JOB_LIST_DEAD] = {"job_list_dead",
			     "SELECT " PG_JOB_COLS " FROM jobs WHERE tenant_id = $1 AND status = 'dead' "
			     "AND ($2::text IS NULL OR id < $2::text) ORDER BY id DESC LIMIT $3",
			     3},
	[Q_JOB_RETRY] = {"job_retry",
			 "UPDATE jobs SET status = 'pending', attempts = 0, run_at = $3, claimed_at = NULL, claimed_by = NULL, "
			 "updated_at = $3 WHERE tenant_id = $1 AND id = $2 AND status = 'dead'",
			 3},
	[Q_JOB_EXISTS] = {"job_exists", "SELECT 1 FROM jobs WHERE tenant_id = $1 AND id = $2", 2},
	[Q_JOB_NEXT] = {"job_next", "SELECT run_at FROM jobs WHERE status = 'pending' ORDER BY run_at LIMIT 1", 0},
	/* webhook intake (store_pg_jobs.c) */
	[Q_WH_INSERT] = {"wh_insert",
			 "INSERT INTO webhook_events (id, tenant_id, bot_id, provider, kind, provider_id, dedupe_key, payload, "
			 "received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (bot_id, dedupe_key) DO NOTHING",
			 9},
	[Q_WH_CLAIM] = {"wh_claim",
			"UPDATE webhook_events SET claimed_at = $1, attempts = attempts + 1 WHERE id = (SELECT id FROM "
			"webhook_events WHERE processed_at IS NULL AND (claimed_at IS NULL OR claimed_at < $2) "
			"ORDER BY received_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING " PG_WH_COLS,
			2},
	[Q_WH_DONE] = {"wh_done",
		       "UPDATE webhook_events SET processed_at = coalesce(processed_at, $2), payload = NULL WHERE id = $1", 2},
	[Q_WH_PRUNE] = {"wh_prune",
			"DELETE FROM webhook_events WHERE id IN (SELECT id FROM webhook_events WHERE processed_at IS NOT "
			"NULL AND processed_at < $1::bigint LIMIT $2::integer)",
			2},
	[Q_JOB_PRUNE] = {"job_prune",
			 "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE status IN ('done', 'cancelled') AND "
			 "updated_at < $1::bigint LIMIT $2::integer)",
			 2},
	/* WhatsApp contacts and messages (store_pg_wa.c) */
	[Q_WAC_UPSERT] = {"wac_upsert",
			  "INSERT INTO contacts (id, tenant_id, bot_id, wrapped_key, channel, created_at, updated_at, "
			  "whatsapp_e164_bidx, whatsapp_e164, first_name, timezone, language) "
			  "VALUES ($1, $2, $3, $4, 'whatsapp', $5, $5, $6, $7, $8, $9, $10) "
			  "ON CONFLICT (tenant_id, bot_id, whatsapp_e164_bidx) WHERE whatsapp_e164_bidx IS NOT NULL "
			  "DO UPDATE SET first_name = coalesce(EXCLUDED.first_name, contacts.first_name), "
			  "timezone = coalesce(EXCLUDED.timezone, contacts.timezone), "
			  "language = coalesce(EXCLUDED.language, contacts.language), updated_at = EXCLUDED.updated_at "
			  "RETURNING id",
			  10},
	[Q_WAC_GET] = {"wac_get", "SELECT " PG_WAC_COLS " FROM contacts WHERE tenant_id = $2 AND id = $1", 2},
	[Q_WAC_BY_BIDX] = {"wac_by_bidx",
			   "SELECT " PG_WAC_COLS " FROM contacts WHERE tenant_id = $1 AND bot_id = $2 "
			   "AND whatsapp_e164_bidx = $3",
			   3},
	/* a decision older than the stored one changes nothing */
	[Q_WAC_CONSENT] = {"wac_consent",
			   "UPDATE contacts SET consent_status = $3, consent_source = $4, consent_text_version = $5, "
			   "consent_at = $6, updated_at = greatest(updated_at, $6) WHERE tenant_id = $2 AND id = $1 "
			   "AND (consent_at IS NULL OR consent_at <= $6)",
			   6},
	[Q_WAC_CONSENT_LEDGER] = {"wac_consent_ledger",
				  "INSERT INTO consents (id, tenant_id, contact_id, lead_id, purpose, source, channel, "
				  "text_version, granted_at) VALUES ($1, $2, $3, NULL, 'whatsapp', $4, 'whatsapp', "
				  "coalesce($5, ''), $6)",
				  6},
	[Q_WAC_EXISTS] = {"wac_exists", "SELECT 1 FROM contacts WHERE tenant_id = $2 AND id = $1", 2},
	[Q_WAC_TOUCH] = {"wac_touch",
			 "UPDATE contacts SET last_inbound_at = greatest(coalesce(last_inbound_at, 0), $3) "
			 "WHERE tenant_id = $2 AND id = $1",
			 3},
	[Q_WAM_INSERT] = {"wam_insert",
			  "INSERT INTO wa_messages (id, tenant_id, bot_id, contact_id, conversation_id, direction, "
			  "provider_message_id, kind, body, status, created_at, updated_at) SELECT $1::text, $2::text, "
			  "$3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::text, $10::text, $11::bigint, "
			  "$11::bigint WHERE EXISTS (SELECT 1 FROM contacts WHERE id = $4::text AND tenant_id = $2::text "
			  "AND bot_id = $3::text) ON CONFLICT (bot_id, provider_message_id) DO NOTHING",
			  11},
	[Q_WAM_CONTACT_OK] = {"wam_contact_ok",
			      "SELECT 1 FROM contacts WHERE id = $1 AND tenant_id = $2 AND bot_id = $3", 3},
	[Q_WAM_SENT] = {"wam_sent",
			"UPDATE wa_messages SET provider_message_id = $3, status = CASE WHEN status = 'queued' THEN 'sent' "
			"ELSE status END, updated_at = $4 WHERE tenant_id = $2 AND id = $1 AND direction = 'out'",
			4},
	/* $7: the statuses $4 may replace (store_wa_status_from) */
	[Q_WAM_STATUS] = {"wam_status",
			  "UPDATE wa_messages SET status = $4, error_code = CASE WHEN $5::int <> 0 THEN $5::int "
			  "ELSE error_code END, updated_at = $6 WHERE bot_id = $1 AND tenant_id = $2 "
			  "AND provider_message_id = $3 AND position(',' || status || ',' in $7::text) > 0",
			  7},
	[Q_WAM_EXISTS] = {"wam_exists",
			  "SELECT 1 FROM wa_messages WHERE bot_id = $1 AND tenant_id = $2 AND provider_message_id = $3", 3},
	[Q_WAM_GET] = {"wam_get", "SELECT " PG_WAM_COLS " FROM wa_messages WHERE tenant_id = $2 AND id = $1", 2},
	[Q_WAM_LIST] = {"wam_list",
			"SELECT " PG_WAM_COLS " FROM wa_messages WHERE tenant_id = $1 AND contact_id = $2 "
			"ORDER BY created_at, id LIMIT $3",
			3},
	/* WhatsApp conversations (store_pg_waconv.c). The insert takes the contact row FOR KEY SHARE: an erasure
	 * in flight (which holds it FOR UPDATE) commits first, and then there is no contact to insert for. */
	[Q_WACONV_INSERT] = {"waconv_insert",
			     "INSERT INTO conversations (id, tenant_id, bot_id, channel, status, message_count, created_at, "
			     "last_message_at, contact_id) SELECT $1::text, $2::text, $3::text, 'whatsapp', 'open', 0, "
			     "$5::bigint, $5::bigint, id FROM contacts WHERE tenant_id = $2::text AND bot_id = $3::text "
			     "AND id = $4::text FOR KEY SHARE "
			     "ON CONFLICT (bot_id, contact_id) WHERE channel = 'whatsapp' DO NOTHING",
			     5},
	[Q_WACONV_BY_CONTACT] = {"waconv_by_contact",
				 "SELECT " PG_WACONV_COLS " FROM conversations c WHERE tenant_id = $1 AND bot_id = $2 "
				 "AND contact_id = $3 AND channel = 'whatsapp' AND EXISTS (SELECT 1 FROM contacts k "
				 "WHERE k.tenant_id = c.tenant_id AND k.bot_id = c.bot_id AND k.id = c.contact_id)",
				 3},
	[Q_WACONV_GET] = {"waconv_get",
			  "SELECT " PG_WACONV_COLS " FROM conversations WHERE tenant_id = $1 AND id = $2 "
			  "AND channel = 'whatsapp'",
			  2},
	/* $3 owner (NULL: keep; 'human' also sets $4 reason and handover_at), $5 whether to write $6 state,
	 * $7 inbound messages, $8 now, $9 the owner expected (NULL: any) */
	[Q_WACONV_UPDATE] = {"waconv_update",
			     "UPDATE conversations SET owner = coalesce($3::text, owner), "
			     "handover_reason = CASE WHEN $3::text = 'human' THEN $4::text ELSE handover_reason END, "
			     "handover_at = CASE WHEN $3::text = 'human' THEN $8::bigint ELSE handover_at END, "
			     "state = CASE WHEN $5::boolean THEN $6::text ELSE state END, "
			     "message_count = message_count + $7::int, last_message_at = greatest(last_message_at, $8::bigint) "
			     "WHERE tenant_id = $1 AND id = $2 AND channel = 'whatsapp' "
			     "AND ($9::text IS NULL OR owner = $9::text)",
			     9},
	/* funnel counts: events of the bot in [$3, $4) whose name starts with $5, in byte order as in SQLite */
	[Q_ANALYTICS_COUNTS] = {"analytics_counts",
				"SELECT event, count(*) FROM analytics_events WHERE tenant_id = $1 AND bot_id = $2 "
				"AND created_at >= $3 AND created_at < $4 AND left(event, length($5::text)) = $5::text "
				"GROUP BY event ORDER BY event COLLATE \"C\"",
				5},
};
