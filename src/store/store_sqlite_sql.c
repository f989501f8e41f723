/*
 * store_sqlite_sql.c — the SQL of every prepared statement of the SQLite backend, indexed by `enum stmt_id`
 * (sqlite_int.h). sqlite_conn.c prepares them once per connection, on first use.
 */
#include "store/sqlite_int.h"

#define BOT_COLS "id, tenant_id, name, config, active, created_at, updated_at, knowledge_version, expires_at"
#define SOURCE_COLS "id, bot_id, kind, title, status, chars, chunks, created_at, updated_at, url, progress, error"
#define PERSON_COLS "id, bot_id, ord, name, position, email, phone, photo_image_id, created_at, updated_at"
/* A lead with its contact, its conversation and the latest consent of its contact (columns in the order
 * read_lead in store_sqlite_contacts.c expects). */
#define LEAD_SELECT                                                                                          \
	"SELECT l.id, l.bot_id, l.conversation_id, l.contact_id, k.email, k.wrapped_key, l.source, l.channel, " \
	"l.context, coalesce(cs.text_version, ''), coalesce(cs.granted_at, 0), l.interest, c.message_count, "   \
	"c.created_at, c.last_message_at, l.created_at FROM leads l "                                           \
	"JOIN contacts k ON k.id = l.contact_id AND k.tenant_id = l.tenant_id "                                 \
	"JOIN conversations c ON c.id = l.conversation_id AND c.tenant_id = l.tenant_id "                       \
	"LEFT JOIN consents cs ON cs.id = (SELECT id FROM consents WHERE contact_id = l.contact_id "            \
	"AND tenant_id = l.tenant_id ORDER BY granted_at DESC, id DESC LIMIT 1) "

/* Columns of the job, webhook-event, WhatsApp contact and message queries, in the order the readers in
 * store_sqlite_jobs.c and store_sqlite_wa.c expect. */
#define JOB_COLS                                                                                             \
	"id, tenant_id, bot_id, kind, payload, status, last_error, claimed_by, dedupe_key, cancel_key, run_at, " \
	"attempts, max_attempts, claimed_at, created_at, updated_at"
#define WH_COLS "id, tenant_id, bot_id, provider, kind, provider_id, dedupe_key, payload, received_at, claimed_at, attempts"
#define WAC_COLS                                                                                             \
	"id, bot_id, wrapped_key, whatsapp_e164, first_name, timezone, language, consent_status, consent_source, " \
	"consent_text_version, consent_at, last_inbound_at, created_at, updated_at"
#define WCV_COLS                                                                                             \
	"id, bot_id, contact_id, owner, state, handover_reason, message_count, coalesce(handover_at, 0), "     \
	"created_at, last_message_at"
#define WAM_COLS                                                                                             \
	"id, bot_id, contact_id, conversation_id, direction, provider_message_id, kind, body, status, error_code, " \
	"created_at, updated_at"

const char *const sqlite_stmt_sql[S__COUNT] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_SAVEPOINT] = "SAVEPOINT op",
	[S_RELEASE] = "RELEASE op",
	[S_ROLLBACK_TO] = "ROLLBACK TO op",
	[S_TENANT_INSERT] = "INSERT INTO tenants(id, name, created_at) VALUES(?1, ?2, ?3)",
	[S_TENANT_GET] = "SELECT id, name, created_at FROM tenants WHERE id = ?1",
	[S_KEY_INSERT] = "INSERT INTO api_keys(id, tenant_id, key_hash, prefix, created_at) VALUES(?1, ?2, ?3, ?4, ?5)",
	[S_KEY_REVOKE] = "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
	[S_KEY_EXISTS] = "SELECT 1 FROM api_keys WHERE id = ?1",
	[S_KEY_LOOKUP] = "SELECT tenant_id FROM api_keys WHERE key_hash = ?1 AND revoked_at IS NULL",
	[S_BOT_INSERT] = "INSERT INTO bots(id, tenant_id, name, config, active, created_at, updated_at) "
			 "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	/* a trial bot (store_bot.expires_at set); S_BOT_INSERT leaves the column NULL */
	[S_BOT_INSERT_EXPIRING] = "INSERT INTO bots(id, tenant_id, name, config, active, created_at, updated_at, "
				  "expires_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[S_BOT_GET] = "SELECT " BOT_COLS " FROM bots WHERE id = ?1 AND tenant_id = ?2",
	[S_BOT_GET_PUBLIC] = "SELECT " BOT_COLS " FROM bots WHERE id = ?1",
	[S_BOT_UPDATE] = "UPDATE bots SET name = ?3, config = ?4, active = ?5, updated_at = ?6, expires_at = ?7 "
			 "WHERE id = ?1 AND tenant_id = ?2",
	/* every source create and delete, in its own transaction body (see bots.knowledge_version) */
	[S_BOT_BUMP] = "UPDATE bots SET knowledge_version = knowledge_version + 1 WHERE id = ?1 AND tenant_id = ?2",
	[S_BOT_RID] = "SELECT rid FROM bots WHERE id = ?1 AND tenant_id = ?2",
	[S_BOT_LIST] = "SELECT " BOT_COLS " FROM bots WHERE tenant_id = ?1 "
		       "AND (?2 IS NULL OR created_at < ?3 OR (created_at = ?3 AND id < ?2)) "
		       "ORDER BY created_at DESC, id DESC LIMIT ?4",
	[S_BOT_DEL_FTS] = "INSERT INTO chunks_fts(chunks_fts, rowid, bot_rid, heading, text) "
			  "SELECT 'delete', id, bot_rid, heading, text FROM chunks WHERE bot_id = ?1 AND tenant_id = ?2",
	[S_BOT_DEL_CHUNKS] = "DELETE FROM chunks WHERE bot_id = ?1 AND tenant_id = ?2",
	[S_BOT_DEL_SOURCES] = "DELETE FROM sources WHERE bot_id = ?1 AND tenant_id = ?2",
	[S_BOT_DEL_MESSAGES] = "DELETE FROM messages WHERE bot_id = ?1 AND tenant_id = ?2",
	[S_BOT_DEL_CONVS] = "DELETE FROM conversations WHERE bot_id = ?1 AND tenant_id = ?2",
	[S_BOT_DEL_ANALYTICS] = "DELETE FROM analytics_events WHERE bot_id = ?1 AND tenant_id = ?2",
	/* the bot's contacts go with it (consents first: they only know their contact) */
	[S_BOT_DEL_CONSENTS] = "DELETE FROM consents WHERE tenant_id = ?2 AND contact_id IN "
			       "(SELECT id FROM contacts WHERE bot_id = ?1 AND tenant_id = ?2)",
	[S_BOT_DEL_LEADS] = "DELETE FROM leads WHERE bot_id = ?1 AND tenant_id = ?2",
	[S_BOT_DEL_CONTACTS] = "DELETE FROM contacts WHERE bot_id = ?1 AND tenant_id = ?2",
	[S_BOT_DELETE] = "DELETE FROM bots WHERE id = ?1 AND tenant_id = ?2",
	/* sources, chunks and search: store_sqlite_knowledge.c */
	[S_SOURCE_INSERT] = "INSERT INTO sources(id, tenant_id, bot_id, kind, title, status, chars, chunks, "
			    "created_at, updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[S_CHUNK_INSERT] = "INSERT INTO chunks(tenant_id, bot_id, bot_rid, source_id, ord, heading, text, url, page) "
			   "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	/* ingestion jobs (store_sqlite_ingest.c) */
	[S_SOURCE_JOB_SET] = "UPDATE sources SET url = ?4, requested_at = ?5 WHERE id = ?1 AND bot_id = ?2 AND tenant_id = ?3",
	[S_FILE_INSERT] = "INSERT INTO source_files(source_id, tenant_id, data) VALUES(?1, ?2, ?3)",
	[S_FILE_GET] = "SELECT data FROM source_files WHERE source_id = ?1 AND tenant_id = ?2",
	[S_FILE_DELETE] = "DELETE FROM source_files WHERE source_id = ?1 AND tenant_id = ?2",
	[S_SOURCE_PICK] = "SELECT tenant_id, bot_id, id FROM sources WHERE status = 'queued' OR (status = 'running' "
			  "AND claimed_at < ?1) ORDER BY requested_at, id LIMIT 1",
	[S_SOURCE_CLAIM] = "UPDATE sources SET status = 'running', claimed_at = ?4, updated_at = ?4 "
			   "WHERE id = ?1 AND bot_id = ?2 AND tenant_id = ?3",
	[S_SOURCE_PROGRESS] = "UPDATE sources SET progress = ?4, claimed_at = ?5, updated_at = ?5 "
			      "WHERE id = ?1 AND bot_id = ?2 AND tenant_id = ?3 AND status = 'running'",
	[S_SOURCE_FINISH] = "UPDATE sources SET status = ?4, error = ?5, progress = ?6, chars = CASE WHEN ?4 = 'done' "
			    "THEN ?7 ELSE chars END, chunks = CASE WHEN ?4 = 'done' THEN ?8 ELSE chunks END, "
			    "claimed_at = NULL, updated_at = ?9 WHERE id = ?1 AND bot_id = ?2 AND tenant_id = ?3",
	[S_SOURCE_REQUEUE] = "UPDATE sources SET status = 'queued', requested_at = ?4, updated_at = ?4, error = NULL "
			     "WHERE id = ?1 AND bot_id = ?2 AND tenant_id = ?3 AND status NOT IN ('queued', 'running')",
	[S_BOT_DEL_FILES] = "DELETE FROM source_files WHERE source_id IN (SELECT id FROM sources WHERE bot_id = ?1 "
			    "AND tenant_id = ?2)",
	[S_FTS_INSERT] = "INSERT INTO chunks_fts(rowid, bot_rid, heading, text) VALUES(?1, ?2, ?3, ?4)",
	[S_SOURCE_GET] = "SELECT " SOURCE_COLS " FROM sources WHERE id = ?1 AND bot_id = ?2 AND tenant_id = ?3",
	[S_SOURCE_LIST] = "SELECT " SOURCE_COLS " FROM sources WHERE tenant_id = ?1 AND bot_id = ?2 "
			  "AND (?3 IS NULL OR created_at < ?4 OR (created_at = ?4 AND id < ?3)) "
			  "ORDER BY created_at DESC, id DESC LIMIT ?5",
	[S_SOURCE_DEL_FTS] = "INSERT INTO chunks_fts(chunks_fts, rowid, bot_rid, heading, text) "
			     "SELECT 'delete', id, bot_rid, heading, text FROM chunks "
			     "WHERE source_id = ?1 AND bot_id = ?2 AND tenant_id = ?3",
	[S_SOURCE_DEL_CHUNKS] = "DELETE FROM chunks WHERE source_id = ?1 AND bot_id = ?2 AND tenant_id = ?3",
	[S_SOURCE_DELETE] = "DELETE FROM sources WHERE id = ?1 AND bot_id = ?2 AND tenant_id = ?3",
	[S_SEARCH] = "SELECT c.id, s.title, c.heading, c.text, -f.r, f.m, c.url, c.page FROM "
		     "(SELECT rowid AS id, rank AS r, botwerk_matched(chunks_fts, ?2) AS m FROM chunks_fts "
		     " WHERE chunks_fts MATCH ?1 AND rank MATCH 'bm25(0.0, 2.0, 1.0)' ORDER BY rank LIMIT ?3) f "
		     "JOIN chunks c ON c.id = f.id JOIN sources s ON s.id = c.source_id "
		     "WHERE c.tenant_id = ?4 AND c.bot_id = ?5 ORDER BY f.r",
	/* One statement, so one snapshot: the bot row (ownership) and its chunks. A bot without chunks
	 * gives one row with a NULL chunk id; no row at all means the bot is not the tenant's. */
	[S_CHUNK_LIST] = "SELECT c.id, coalesce(s.title, ''), c.heading, c.text, c.url, c.page FROM bots b "
			 "LEFT JOIN chunks c ON c.bot_id = b.id AND c.tenant_id = b.tenant_id "
			 "LEFT JOIN sources s ON s.id = c.source_id "
			 "WHERE b.id = ?1 AND b.tenant_id = ?2 ORDER BY c.id",
	/* conversations, messages and analytics: store_sqlite_chat.c */
	[S_CONV_INSERT] = "INSERT INTO conversations(id, tenant_id, bot_id, channel, status, message_count, "
			  "created_at, last_message_at, contact_id, email_prompts) "
			  "VALUES(?1, ?2, ?3, ?4, 'open', ?6, ?5, ?5, ?7, ?8)",
	[S_CONTACT_INSERT] = "INSERT INTO contacts(id, tenant_id, bot_id, wrapped_key, channel, created_at, updated_at) "
			     "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?6)",
	[S_MSG_INSERT] = "INSERT INTO messages(id, tenant_id, bot_id, conversation_id, direction, content, meta, "
			 "latency_ms, created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[S_CONV_TOUCH] = "UPDATE conversations SET message_count = message_count + ?3, last_message_at = ?4, "
			 "email_prompts = email_prompts + ?6 WHERE id = ?1 AND tenant_id = ?2 AND bot_id = ?5",
	[S_CONV_EXISTS] = "SELECT 1 FROM conversations WHERE id = ?1 AND bot_id = ?2 AND tenant_id = ?3",
	[S_CONV_COUNT] = "SELECT count(*) FROM messages WHERE conversation_id = ?1 AND tenant_id = ?2",
	[S_CONV_STATE] = "SELECT message_count, email_prompts FROM conversations WHERE id = ?1 AND tenant_id = ?2",
	[S_CONV_CONTACT] = "SELECT k.id, k.wrapped_key FROM conversations c "
			   "JOIN contacts k ON k.id = c.contact_id AND k.tenant_id = c.tenant_id "
			   "WHERE c.id = ?1 AND c.bot_id = ?2 AND c.tenant_id = ?3",
	/* an exchange's two messages share created_at: the question ('in') before its answer ('out') */
	[S_MSG_LIST] = "SELECT id, direction, content, meta, created_at FROM messages "
		       "WHERE conversation_id = ?1 AND tenant_id = ?2 ORDER BY created_at, direction, id LIMIT ?3",
	[S_EMBED_PENDING] = "SELECT c.id, s.title, c.heading, c.text FROM chunks c JOIN sources s ON s.id = c.source_id "
			    "WHERE c.bot_id = ?1 AND c.tenant_id = ?2 AND (c.embedding_model IS NULL OR "
			    "c.embedding_model <> ?3) ORDER BY c.id LIMIT ?4",
	[S_EMBED_PUT] = "UPDATE chunks SET embedding = ?4, embedding_model = ?3 WHERE id = ?5 AND bot_id = ?1 AND "
			"tenant_id = ?2",
	[S_EMBED_LOAD] = "SELECT c.id, c.embedding, s.title, c.heading, c.text FROM chunks c JOIN sources s ON "
			 "s.id = c.source_id WHERE c.bot_id = ?1 AND c.tenant_id = ?2 AND c.embedding_model = ?3 "
			 "ORDER BY c.id",
	[S_EMBED_COUNT] = "SELECT count(*), count(CASE WHEN embedding_model = ?3 THEN 1 END) FROM chunks "
			  "WHERE bot_id = ?1 AND tenant_id = ?2",
	[S_BOT_SCAN] = "SELECT " BOT_COLS " FROM bots WHERE id > ?1 ORDER BY id LIMIT ?2",
	[S_MSG_TAIL] = "SELECT id, direction, content, meta, created_at FROM messages WHERE conversation_id = ?1 AND "
		       "tenant_id = ?2 ORDER BY created_at DESC, direction DESC, id DESC LIMIT ?3",
	[S_ANALYTICS_INSERT] = "INSERT INTO analytics_events(tenant_id, bot_id, event, props, created_at) "
			       "VALUES(?1, ?2, ?3, ?4, ?5)",
	/* personal data: store_sqlite_contacts.c */
	[S_TENANT_KEY_GET] = "SELECT wrapped_key FROM tenants WHERE id = ?1",
	[S_TENANT_KEY_SET] = "UPDATE tenants SET wrapped_key = ?2 WHERE id = ?1 AND wrapped_key IS NULL",
	[S_CONTACT_SET_EMAIL] = "UPDATE contacts SET email = ?3, email_bidx = ?4, updated_at = ?5 "
				"WHERE id = ?1 AND tenant_id = ?2",
	[S_LEAD_INSERT] = "INSERT INTO leads(id, tenant_id, bot_id, conversation_id, contact_id, email_bidx, source, "
			  "channel, context, interest, created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
			  "ON CONFLICT(conversation_id, email_bidx) DO NOTHING",
	[S_LEAD_FIND] = "SELECT id FROM leads WHERE conversation_id = ?1 AND email_bidx = ?2 AND tenant_id = ?3",
	[S_CONSENT_INSERT] = "INSERT INTO consents(id, tenant_id, contact_id, lead_id, purpose, source, channel, "
			     "text_version, granted_at) VALUES(?1, ?2, ?3, ?4, 'contact_by_email', ?5, ?6, ?7, ?8)",
	[S_LEAD_LIST] = LEAD_SELECT "WHERE l.tenant_id = ?1 AND (?2 IS NULL OR l.bot_id = ?2) "
		       "AND (?3 = 0 OR l.created_at >= ?3) AND (?4 = 0 OR l.created_at < ?4) AND l.interest >= ?5 "
		       "AND (?6 IS NULL OR l.created_at < ?7 OR (l.created_at = ?7 AND l.id < ?6)) "
		       "ORDER BY l.created_at DESC, l.id DESC LIMIT ?8",
	[S_LEAD_GET] = LEAD_SELECT "WHERE l.id = ?2 AND l.tenant_id = ?1",
	/* erasure: (?1, ?2) = (contact, tenant) */
	[S_CONTACT_EXISTS] = "SELECT 1 FROM contacts WHERE id = ?1 AND tenant_id = ?2",
	[S_CONTACT_DEL_MESSAGES] = "DELETE FROM messages WHERE tenant_id = ?2 AND conversation_id IN "
				   "(SELECT id FROM conversations WHERE contact_id = ?1 AND tenant_id = ?2)",
	[S_CONTACT_DEL_CONVS] = "DELETE FROM conversations WHERE contact_id = ?1 AND tenant_id = ?2",
	[S_CONTACT_DEL_LEADS] = "DELETE FROM leads WHERE contact_id = ?1 AND tenant_id = ?2",
	[S_CONTACT_DEL_CONSENTS] = "DELETE FROM consents WHERE contact_id = ?1 AND tenant_id = ?2",
	[S_CONTACT_DELETE] = "DELETE FROM contacts WHERE id = ?1 AND tenant_id = ?2",
	[S_ERASURE_INSERT] = "INSERT INTO erasures(contact_id, tenant_id, erased_at) VALUES(?1, ?2, ?3) "
			     "ON CONFLICT(contact_id) DO NOTHING",
	[S_ERASURE_LIST] = "SELECT contact_id FROM erasures ORDER BY contact_id",
	/* restore (store_contact_purge): by contact id alone, whatever tenant the restored rows have */
	[S_PURGE_TENANT] = "SELECT tenant_id FROM contacts WHERE id = ?1",
	[S_PURGE_DEL_MESSAGES] = "DELETE FROM messages WHERE conversation_id IN "
				 "(SELECT id FROM conversations WHERE contact_id = ?1)",
	[S_PURGE_DEL_CONVS] = "DELETE FROM conversations WHERE contact_id = ?1",
	[S_PURGE_DEL_LEADS] = "DELETE FROM leads WHERE contact_id = ?1",
	[S_PURGE_DEL_CONSENTS] = "DELETE FROM consents WHERE contact_id = ?1",
	[S_PURGE_DELETE] = "DELETE FROM contacts WHERE id = ?1",
	/* the contact's sealed profile: (?1, ?2) = (contact, tenant) */
	[S_CONTACT_PROFILE_GET] = "SELECT profile FROM contacts WHERE id = ?1 AND tenant_id = ?2",
	[S_CONTACT_PROFILE_SET] = "UPDATE contacts SET profile = ?3, updated_at = ?4 WHERE id = ?1 AND tenant_id = ?2",
	/* images, contact persons and contact requests: store_sqlite_persons.c */
	[S_IMG_INSERT] = "INSERT INTO images(id, tenant_id, bot_id, kind, content_type, width, height, bytes, created_at) "
			  "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[S_IMG_GET] = "SELECT id, content_type, width, height, bytes, created_at FROM images WHERE id = ?1",
	[S_IMG_DEL_LOGOS] = "DELETE FROM images WHERE bot_id = ?1 AND tenant_id = ?2 AND kind = 'logo' AND id <> ?3",
	[S_IMG_DELETE] = "DELETE FROM images WHERE id = ?1 AND tenant_id = ?2",
	[S_CP_BOT_CONFIG] = "UPDATE bots SET config = ?3, updated_at = ?4 WHERE id = ?1 AND tenant_id = ?2",
	[S_CP_COUNT] = "SELECT count(*), coalesce(max(ord), 0) FROM contact_persons WHERE bot_id = ?1 AND tenant_id = ?2",
	[S_CP_INSERT] = "INSERT INTO contact_persons(id, tenant_id, bot_id, ord, name, position, email, phone, "
			 "created_at, updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
	[S_CP_GET] = "SELECT " PERSON_COLS " FROM contact_persons WHERE id = ?1 AND bot_id = ?2 AND tenant_id = ?3",
	[S_CP_LIST] = "SELECT " PERSON_COLS " FROM contact_persons WHERE bot_id = ?1 AND tenant_id = ?2 "
		       "ORDER BY ord, id LIMIT ?3",
	[S_CP_UPDATE] = "UPDATE contact_persons SET name = ?4, position = ?5, email = ?6, phone = ?7, updated_at = ?8 "
			 "WHERE id = ?1 AND bot_id = ?2 AND tenant_id = ?3",
	[S_CP_DELETE] = "DELETE FROM contact_persons WHERE id = ?1 AND bot_id = ?2 AND tenant_id = ?3",
	[S_CP_CLOSE_GAP] = "UPDATE contact_persons SET ord = ord - 1 WHERE bot_id = ?1 AND tenant_id = ?2 AND ord > ?3",
	[S_CP_SET_ORD] = "UPDATE contact_persons SET ord = ?4, updated_at = ?5 WHERE id = ?1 AND bot_id = ?2 "
			  "AND tenant_id = ?3",
	[S_CP_SET_PHOTO] = "UPDATE contact_persons SET photo_image_id = ?4, updated_at = ?5 WHERE id = ?1 AND bot_id = ?2 "
			    "AND tenant_id = ?3",
	[S_CR_CONTACT] = "SELECT c.contact_id FROM conversations c "
			 "JOIN contacts k ON k.id = c.contact_id AND k.tenant_id = c.tenant_id "
			 "WHERE c.id = ?1 AND c.bot_id = ?2 AND c.tenant_id = ?3",
	/* only the fields given (?3..?7 not NULL) change */
	[S_CR_CONTACT_SET] = "UPDATE contacts SET name = coalesce(?3, name), email = coalesce(?4, email), "
			     "email_bidx = coalesce(?5, email_bidx), phone = coalesce(?6, phone), "
			     "phone_bidx = coalesce(?7, phone_bidx), updated_at = ?8 WHERE id = ?1 AND tenant_id = ?2",
	/* email_bidx holds the request's de-duplication key (see 004_contact_persons.sqlite.sql) */
	[S_CR_LEAD_INSERT] = "INSERT INTO leads(id, tenant_id, bot_id, conversation_id, contact_id, email_bidx, source, "
			     "channel, context, interest, created_at, message) "
			     "VALUES(?1, ?2, ?3, ?4, ?5, ?6, 'contact_request', ?7, ?8, ?9, ?10, ?11) "
			     "ON CONFLICT(conversation_id, email_bidx) DO NOTHING",
	[S_CR_CONSENT_INSERT] = "INSERT INTO consents(id, tenant_id, contact_id, lead_id, purpose, source, channel, "
				"text_version, granted_at) VALUES(?1, ?2, ?3, ?4, 'contact_request', 'contact_request', "
				"?5, ?6, ?7)",
	[S_LEAD_DETAILS] = "SELECT k.name, k.phone, l.message FROM leads l "
			   "JOIN contacts k ON k.id = l.contact_id AND k.tenant_id = l.tenant_id "
			   "WHERE l.id = ?1 AND l.tenant_id = ?2",
	/* jobs (store_sqlite_jobs.c): a job with a bot only when the bot is the tenant's */
	[S_JOB_INSERT] = "INSERT INTO jobs(id, tenant_id, bot_id, kind, run_at, payload, status, attempts, max_attempts, "
			 "dedupe_key, cancel_key, created_at, updated_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6, 'pending', 0, ?7, "
			 "?8, ?9, ?10, ?10 WHERE ?3 IS NULL OR EXISTS (SELECT 1 FROM bots WHERE id = ?3 AND tenant_id = ?2) "
			 "ON CONFLICT(tenant_id, dedupe_key) DO NOTHING",
	[S_JOB_DEDUPE_EXISTS] = "SELECT 1 FROM jobs WHERE tenant_id = ?1 AND dedupe_key = ?2",
	[S_JOB_PICK_EXPIRED] = "SELECT id FROM jobs WHERE status = 'running' AND claimed_at < ?1 ORDER BY claimed_at, id "
			       "LIMIT 1",
	[S_JOB_PICK_DUE] = "SELECT id FROM jobs WHERE status = 'pending' AND run_at <= ?1 ORDER BY run_at, id LIMIT 1",
	/* hands the job to ?3; one that has used up its attempts (a lease that expired on the last) goes dead */
	[S_JOB_TAKE] = "UPDATE jobs SET status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'running' END, "
		       "last_error = CASE WHEN attempts >= max_attempts THEN 'lease expired on the last attempt' "
		       "ELSE last_error END, attempts = attempts + (attempts < max_attempts), "
		       "claimed_at = ?2, claimed_by = ?3, updated_at = ?2 WHERE id = ?1 RETURNING " JOB_COLS,
	/* ?3 done | dead | failed (back to pending at ?5 while attempts are left and ?5 > 0) */
	[S_JOB_FINISH] = "UPDATE jobs SET status = CASE WHEN ?3 <> 'failed' THEN ?3 WHEN attempts >= max_attempts "
			 "THEN 'dead' WHEN ?5 > 0 THEN 'pending' ELSE 'failed' END, "
			 "run_at = CASE WHEN ?3 = 'failed' AND attempts < max_attempts AND ?5 > 0 THEN ?5 ELSE run_at END, "
			 "claimed_at = CASE WHEN ?3 = 'failed' AND attempts < max_attempts AND ?5 > 0 THEN NULL "
			 "ELSE claimed_at END, last_error = CASE WHEN ?3 = 'done' THEN last_error ELSE ?4 END, "
			 "updated_at = ?6 WHERE id = ?1 AND status = 'running' AND attempts = ?2",
	[S_JOB_CANCEL] = "UPDATE jobs SET status = 'cancelled', updated_at = ?3 WHERE tenant_id = ?1 AND cancel_key = ?2 "
			 "AND status = 'pending'",
	[S_JOB_GET] = "SELECT " JOB_COLS " FROM jobs WHERE id = ?1 AND tenant_id = ?2",
	[S_JOB_LIST_DEAD] = "SELECT " JOB_COLS " FROM jobs WHERE tenant_id = ?1 AND status = 'dead' "
			    "AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3",
	[S_JOB_RETRY] = "UPDATE jobs SET status = 'pending', attempts = 0, run_at = ?3, claimed_at = NULL, "
			"claimed_by = NULL, updated_at = ?3 WHERE id = ?1 AND tenant_id = ?2 AND status = 'dead'",
	[S_JOB_EXISTS] = "SELECT 1 FROM jobs WHERE id = ?1 AND tenant_id = ?2",
	[S_JOB_NEXT] = "SELECT run_at FROM jobs WHERE status = 'pending' ORDER BY run_at LIMIT 1",
	/* webhook intake (store_sqlite_jobs.c) */
	[S_WH_INSERT] = "INSERT INTO webhook_events(id, tenant_id, bot_id, provider, kind, provider_id, dedupe_key, "
			"payload, received_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
			"ON CONFLICT(bot_id, dedupe_key) DO NOTHING",
	[S_WH_PICK] = "SELECT id FROM webhook_events WHERE processed_at IS NULL AND (claimed_at IS NULL OR "
		      "claimed_at < ?1) ORDER BY received_at, id LIMIT 1",
	[S_WH_CLAIM] = "UPDATE webhook_events SET claimed_at = ?2, attempts = attempts + 1 WHERE id = ?1 "
		       "RETURNING " WH_COLS,
	[S_WH_DONE] = "UPDATE webhook_events SET processed_at = coalesce(processed_at, ?2), payload = NULL WHERE id = ?1",
	[S_WH_PRUNE] = "DELETE FROM webhook_events WHERE id IN (SELECT id FROM webhook_events WHERE processed_at IS NOT "
		       "NULL AND processed_at < ?1 LIMIT ?2)",
	[S_JOB_PRUNE] = "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE status IN ('done', 'cancelled') AND "
			"updated_at < ?1 LIMIT ?2)",
	/* WhatsApp contacts and messages (store_sqlite_wa.c) */
	[S_WAC_UPSERT] = "INSERT INTO contacts(id, tenant_id, bot_id, wrapped_key, channel, created_at, updated_at, "
			 "whatsapp_e164_bidx, whatsapp_e164, first_name, timezone, language) "
			 "VALUES(?1, ?2, ?3, ?4, 'whatsapp', ?5, ?5, ?6, ?7, ?8, ?9, ?10) "
			 "ON CONFLICT(tenant_id, bot_id, whatsapp_e164_bidx) WHERE whatsapp_e164_bidx IS NOT NULL "
			 "DO UPDATE SET first_name = coalesce(excluded.first_name, first_name), "
			 "timezone = coalesce(excluded.timezone, timezone), language = coalesce(excluded.language, language), "
			 "updated_at = excluded.updated_at RETURNING id",
	[S_WAC_GET] = "SELECT " WAC_COLS " FROM contacts WHERE id = ?1 AND tenant_id = ?2",
	[S_WAC_BY_BIDX] = "SELECT " WAC_COLS " FROM contacts WHERE tenant_id = ?1 AND bot_id = ?2 "
			  "AND whatsapp_e164_bidx = ?3",
	/* a decision older than the stored one changes nothing */
	[S_WAC_CONSENT] = "UPDATE contacts SET consent_status = ?3, consent_source = ?4, consent_text_version = ?5, "
			  "consent_at = ?6, updated_at = max(updated_at, ?6) WHERE id = ?1 AND tenant_id = ?2 "
			  "AND (consent_at IS NULL OR consent_at <= ?6)",
	[S_WAC_CONSENT_LEDGER] = "INSERT INTO consents(id, tenant_id, contact_id, lead_id, purpose, source, channel, "
				 "text_version, granted_at) VALUES(?1, ?2, ?3, NULL, 'whatsapp', ?4, 'whatsapp', "
				 "coalesce(?5, ''), ?6)",
	[S_WAC_TOUCH] = "UPDATE contacts SET last_inbound_at = max(coalesce(last_inbound_at, 0), ?3) "
			"WHERE id = ?1 AND tenant_id = ?2",
	[S_WAM_INSERT] = "INSERT INTO wa_messages(id, tenant_id, bot_id, contact_id, conversation_id, direction, "
			 "provider_message_id, kind, body, status, created_at, updated_at) "
			 "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11 WHERE EXISTS (SELECT 1 FROM contacts "
			 "WHERE id = ?4 AND tenant_id = ?2 AND bot_id = ?3) ON CONFLICT(bot_id, provider_message_id) DO NOTHING",
	[S_WAM_CONTACT_OK] = "SELECT 1 FROM contacts WHERE id = ?1 AND tenant_id = ?2 AND bot_id = ?3",
	[S_WAM_SENT] = "UPDATE wa_messages SET provider_message_id = ?3, status = CASE WHEN status = 'queued' THEN 'sent' "
		       "ELSE status END, updated_at = ?4 WHERE id = ?1 AND tenant_id = ?2 AND direction = 'out'",
	/* ?7: the statuses ?4 may replace (store_wa_status_from) */
	[S_WAM_STATUS] = "UPDATE wa_messages SET status = ?4, error_code = CASE WHEN ?5 <> 0 THEN ?5 ELSE error_code END, "
			 "updated_at = ?6 WHERE bot_id = ?1 AND tenant_id = ?2 AND provider_message_id = ?3 "
			 "AND instr(?7, ',' || status || ',') > 0",
	[S_WAM_EXISTS] = "SELECT 1 FROM wa_messages WHERE bot_id = ?1 AND tenant_id = ?2 AND provider_message_id = ?3",
	[S_WAM_GET] = "SELECT " WAM_COLS " FROM wa_messages WHERE id = ?1 AND tenant_id = ?2",
	[S_WAM_LIST] = "SELECT " WAM_COLS " FROM wa_messages WHERE tenant_id = ?1 AND contact_id = ?2 "
		       "ORDER BY created_at, id LIMIT ?3",
	/* WhatsApp conversations and funnel counts (store_sqlite_waconv.c) */
	[S_WCV_INSERT] = "INSERT INTO conversations(id, tenant_id, bot_id, channel, status, message_count, created_at, "
			 "last_message_at, contact_id) SELECT ?1, ?2, ?3, 'whatsapp', 'open', 0, ?5, ?5, ?4 "
			 "WHERE EXISTS (SELECT 1 FROM contacts WHERE id = ?4 AND tenant_id = ?2 AND bot_id = ?3) "
			 "ON CONFLICT(bot_id, contact_id) WHERE channel = 'whatsapp' DO NOTHING",
	[S_WCV_BY_CONTACT] = "SELECT " WCV_COLS " FROM conversations WHERE tenant_id = ?1 AND bot_id = ?2 "
			     "AND contact_id = ?3 AND channel = 'whatsapp'",
	[S_WCV_GET] = "SELECT " WCV_COLS " FROM conversations WHERE id = ?1 AND tenant_id = ?2 AND channel = 'whatsapp'",
	/* ?3 owner (NULL: keep), ?5 whether to write ?6 into state, ?9 the owner it must have (NULL: any) */
	[S_WCV_UPDATE] = "UPDATE conversations SET owner = coalesce(?3, owner), "
			 "handover_reason = CASE WHEN ?3 = 'human' THEN ?4 ELSE handover_reason END, "
			 "handover_at = CASE WHEN ?3 = 'human' THEN ?8 ELSE handover_at END, "
			 "state = CASE WHEN ?5 THEN ?6 ELSE state END, message_count = message_count + ?7, "
			 "last_message_at = max(last_message_at, ?8) "
			 "WHERE id = ?1 AND tenant_id = ?2 AND channel = 'whatsapp' AND (?9 IS NULL OR owner = ?9)",
	[S_ANALYTICS_COUNTS] = "SELECT event, count(*) FROM analytics_events WHERE tenant_id = ?1 AND bot_id = ?2 "
			       "AND substr(event, 1, length(?3)) = ?3 AND created_at >= ?4 AND created_at < ?5 "
			       "GROUP BY event ORDER BY event",
};
