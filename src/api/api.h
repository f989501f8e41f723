/*
 * api.h — the route tables of botwerk, one per resource file, and helpers the handlers share.
 * api/ is the only place that knows both HTTP and the domain.
 */
#ifndef BOTWERK_API_H
#define BOTWERK_API_H

#include <stddef.h>

#include "app.h"
#include "http/req.h"
#include "http/router.h"

extern const struct route api_ops_routes[];
extern const size_t api_ops_routes_count;
extern const struct route api_bots_routes[];
extern const size_t api_bots_routes_count;
extern const struct route api_sources_routes[];
extern const size_t api_sources_routes_count;
extern const struct route api_chat_routes[];
extern const size_t api_chat_routes_count;
extern const struct route api_public_routes[];
extern const size_t api_public_routes_count;
extern const struct route api_leads_routes[];
extern const size_t api_leads_routes_count;
extern const struct route api_web_routes[];
extern const size_t api_web_routes_count;
extern const struct route api_persons_routes[];
extern const size_t api_persons_routes_count;
extern const struct route api_hooks_routes[];
extern const size_t api_hooks_routes_count;
extern const struct route api_from_site_routes[];
extern const size_t api_from_site_routes_count;
extern const struct route api_tenant_routes[];
extern const size_t api_tenant_routes_count;

/* api_chat.c: a question about the business itself (hours, address, phone, email) answered from its
 * profile; false when the question is not one or the profile cannot answer it. */
struct answer;
bool api_profile_answer(json_t *config, const char *question, int64_t now, struct answer *a);

/* wa_process.c: the background processing of stored WhatsApp events. */
struct wa_processor;
struct wa_processor *wa_processor_start(struct app *app, char *err, size_t errlen);
void wa_processor_poke(struct wa_processor *p);
void wa_processor_stop(struct wa_processor *p);

/* bot_from_site.c: the ingestion worker's hooks for draft bots made from a website (jobs/ingest.h). */
struct site_profile;
struct site_profile *api_site_begin(void *ud, const struct store_source *src);
void api_site_end(void *ud, const struct store_source *src, struct site_profile *sp, bool ok);

static inline struct app *app_of(const struct req *r) { return r->ctx; }

/* Loads the active bot named in the path (parameter 0) for the public API and applies its access rules;
 * answers 404 / 401 / 403 / 500 itself and returns -1 then. On 0, clear b and decref *config. *config
 * is shared with other requests (api/config_cache.h): read it, never modify it. */
int api_public_bot(struct req *r, struct store_bot *b, json_t **config);

/* Answers a store failure with the matching envelope (404 with `notfound` code, 409, 500/503). */
int api_store_error(struct req *r, int store_rc, enum err_code notfound, const char *what);

/* A bot's public access rules (config "access") for this request: its URL token (?token=) when one is
 * set, compared in constant time, and — when it lists allowed origins — the request's Origin, which
 * must be one of them or botwerk's own. ERR_OK or the error to answer with. On ERR_OK for a listed
 * origin, the origin is echoed in Access-Control-Allow-Origin (with Vary: Origin) instead of "*". */
enum err_code api_public_access(struct req *r, json_t *config);
/* What to tell a visitor about an access error of api_public_access. */
const char *api_access_message(enum err_code code);

/* Pagination: reads ?limit (1–100, default 20) and ?cursor. -1 after answering 400 when malformed. */
struct page {
	int limit;
	int64_t after_created;
	char after_id[STORE_ID_MAX];
	bool has_cursor;
};
int api_page_parse(struct req *r, struct page *p);
/* "created.id" cursor string for the last row of a full page, as a JSON string (or null). */
json_t *api_page_cursor(int got, int limit, int64_t last_created, const char *last_id);
json_t *api_time(int64_t unix_ms);

/* The public URL of a stored image: BOTWERK_PUBLIC_URL (or http://LISTEN when it names a host) +
 * "/media/<id>", or "/media/<id>" alone when neither gives an absolute base. -1 when it does not fit. */
int api_media_url(struct app *app, const char *image_id, char *out, size_t outlen);
/* metadata.show_contact_modal of a chat answer: {"title", "trigger", "persons":[{id, name, position, email,
 * phone, photo_url}]} (api_persons.c), or NULL when the bot has no persons or they cannot be read. */
json_t *api_contact_modal(struct app *app, const char *tenant_id, const char *bot_id, const char *title,
			  const char *trigger);

/* Lead topics (api_leads.c): what the conversation's visitor asked about, for a new lead's context. Opens
 * the conversation's visitor messages with the contact key and matches them (conv/topics.h) against the
 * built-in lexicon and the bot's capture topics in `config` (features.email_capture.topics and
 * features.contact_persons.topics); `trigger` gets the trigger of the latest bot message that carried
 * metadata.<modal> ("show_email_modal", "show_contact_modal"), "" when none did. The opened texts are wiped
 * before this returns. STORE_OK or a store error. */
struct topics;
int api_conversation_topics(struct app *app, const char *tenant_id, const char *conv_id, const char *contact_id,
			    const unsigned char *contact_key, const json_t *config, const char *modal, struct topics *t,
			    char *trigger, size_t triggerlen);
/* Sets "topics" (an array of names) and, when not empty, "trigger" in a lead's context object. 0 or -1. */
int api_context_topics(json_t *ctx, const struct topics *t, const char *trigger);

/* Engagement report (api_stats.c). */
extern const struct route api_stats_routes[];
extern const size_t api_stats_routes_count;

/* Data-subject export (api_export.c): a contact's data, one conversation as JSON or transcript. */
extern const struct route api_export_routes[];
extern const size_t api_export_routes_count;

/* A bot's conversation flow (api_flows.c) and the dead letter of the job queue (api_jobs.c). */
extern const struct route api_flows_routes[];
extern const size_t api_flows_routes_count;
extern const struct route api_jobs_routes[];
extern const size_t api_jobs_routes_count;
extern const struct route api_wa_routes[];
extern const size_t api_wa_routes_count;

#endif
