/*
 * api_export.c — the data-subject export (GDPR Art. 15 access, Art. 20 portability): everything botwerk
 * holds about one contact as one JSON document, and one conversation as JSON or as a plain-text transcript.
 *
 * The store returns the rows as stored; the sealed fields (the contact's email, phone, name and profile,
 * message texts, contact-request messages) are opened here, per request, with the contact key, only for
 * the tenant that owns them. A field that cannot be opened is exported as null (and "(nicht lesbar)" in a
 * transcript) rather than failing the whole export. Our own copies of opened text are wiped after use.
 *
 * A WhatsApp contact (one with a number) also has its WhatsApp data exported: number, first name, settings,
 * consent state, its conversation (owner, handover, flow state) and its messages (wa_messages, not messages).
 * A contact has at most one WhatsApp conversation (one per bot and contact), so the contact's WhatsApp
 * messages are that conversation's messages; the conversation export reads them for a WhatsApp conversation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/api.h"
#include "base/strbuf.h"
#include "conv/hours.h"
#include "privacy/keys.h"

#define EXPORT_FORMAT_VERSION 1
#define EXPORT_MAX_CONVERSATIONS 100
#define EXPORT_MAX_MESSAGES 1000 /* per conversation */
#define EXPORT_MAX_LEADS 1000
#define EXPORT_MAX_CONSENTS 1000

static void wipe_free(char *s)
{
	if (s) {
		sodium_memzero(s, strlen(s));
		free(s);
	}
}

/* Opens one sealed field of the contact: malloc'd plaintext, or NULL when absent or not openable. */
static char *open_sealed(const unsigned char *key, const char *tenant_id, const char *contact_id, const char *field,
			 const char *stored)
{
	char *plain = NULL;
	if (!stored || privacy_open(key, tenant_id, contact_id, field, stored, &plain) != 0)
		return NULL;
	return plain;
}

/* A JSON string of an opened field (null when it could not be opened); the plaintext is wiped. */
static json_t *opened_string(const unsigned char *key, const char *tenant_id, const char *contact_id,
			     const char *field, const char *stored)
{
	char *plain = open_sealed(key, tenant_id, contact_id, field, stored);
	json_t *v = plain ? json_string(plain) : NULL; /* NULL also for text that is not UTF-8 */
	wipe_free(plain);
	return v ? v : json_null();
}

/* The contact key of a conversation or contact; a zero key when there is no contact (rows from before
 * encryption at rest are plain and pass privacy_open as they are; anything sealed then stays closed). */
static int contact_key(struct app *app, const char *tenant_id, const char *contact_id, const char *wrapped,
		       unsigned char key[SEAL_KEY_BYTES])
{
	memset(key, 0, SEAL_KEY_BYTES);
	if (!contact_id[0] || !wrapped)
		return STORE_OK;
	return keyring_contact_key(app->keyring, app->store, tenant_id, contact_id, wrapped, key);
}

static void free_messages(struct store_message *m, int n)
{
	for (int i = 0; i < n; i++)
		store_message_clear(&m[i]);
	free(m);
}

/* A conversation's messages, oldest first, at most EXPORT_MAX_MESSAGES (*truncated when it has more). */
static int list_messages(struct app *app, const char *tenant_id, const char *conv_id, struct store_message **msgs,
			 int *n, bool *truncated)
{
	*truncated = false;
	int rc = store_message_list(app->store, tenant_id, conv_id, EXPORT_MAX_MESSAGES + 1, msgs, n);
	if (rc == STORE_OK && *n > EXPORT_MAX_MESSAGES) {
		*truncated = true;
		while (*n > EXPORT_MAX_MESSAGES)
			store_message_clear(&(*msgs)[--*n]);
	}
	return rc;
}

/* The two sides of a conversation: their role in JSON and their name in a transcript. A web conversation is
 * between a visitor and the bot; on WhatsApp a person of the business may answer too (after a handover). */
struct sides {
	const char *role_in, *role_out, *speaker_in, *speaker_out;
};
static const struct sides WEB_SIDES = {"visitor", "bot", " Besucher: ", " Bot: "};
static const struct sides WA_SIDES = {"contact", "business", " Kontakt: ", " Unternehmen: "};

static json_t *time_or_null(int64_t ms)
{
	return ms > 0 ? api_time(ms) : json_null();
}

static json_t *string_or_null(const char *s)
{
	json_t *v = s ? json_string(s) : NULL;
	return v ? v : json_null();
}

/* What a WhatsApp message adds to a message object: direction, kind, status and error code. */
static bool wa_message_fields(json_t *m, const struct store_wa_message *w)
{
	return json_object_set_new(m, "direction", string_or_null(w->direction)) == 0 &&
	       json_object_set_new(m, "kind", string_or_null(w->kind)) == 0 &&
	       json_object_set_new(m, "status", string_or_null(w->status)) == 0 &&
	       json_object_set_new(m, "error_code", w->error_code ? json_integer(w->error_code) : json_null()) == 0;
}

/* One conversation with its messages (msgs, opened with key); NULL when memory runs out. `wa`: NULL, or the
 * WhatsApp rows msgs were made from (wa_as_messages), whose fields each message gets as well. */
static json_t *conversation_json(const char *tenant_id, const struct store_conversation *c,
				 const struct store_message *msgs, int n, bool truncated, const unsigned char *key,
				 bool with_contact, const struct sides *sides, const struct store_wa_message *wa)
{
	json_t *arr = json_array();
	json_t *o = json_object();
	bool ok = arr && o;
	for (int i = 0; ok && i < n; i++) {
		char field[STORE_ID_MAX + 8];
		snprintf(field, sizeof field, "msg:%s", msgs[i].id);
		json_t *m = json_pack("{s:s, s:s, s:o, s:o}", "id", msgs[i].id, "role",
				      msgs[i].inbound ? sides->role_in : sides->role_out, "text",
				      opened_string(key, tenant_id, c->contact_id, field, msgs[i].content), "created_at",
				      api_time(msgs[i].created_at));
		ok = m && json_array_append_new(arr, m) == 0 && (!wa || wa_message_fields(m, &wa[i]));
	}
	if (ok) {
		ok = json_object_set_new(o, "id", json_string(c->id)) == 0 &&
		     json_object_set_new(o, "bot_id", json_string(c->bot_id)) == 0 &&
		     (!with_contact || json_object_set_new(o, "contact_id", c->contact_id[0] ? json_string(c->contact_id)
											     : json_null()) == 0) &&
		     json_object_set_new(o, "channel", json_string(c->channel ? c->channel : "")) == 0 &&
		     json_object_set_new(o, "started_at", api_time(c->started_at)) == 0 &&
		     json_object_set_new(o, "last_message_at", api_time(c->last_message_at)) == 0 &&
		     json_object_set_new(o, "truncated", json_boolean(truncated)) == 0 &&
		     json_object_set_new(o, "messages", json_incref(arr)) == 0;
	}
	json_decref(arr);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *contact_json(const struct store_contact *k, const unsigned char *key, const char *tenant_id)
{
	json_t *profile = json_null();
	char *plain = open_sealed(key, tenant_id, k->id, "profile", k->profile_sealed);
	if (plain) {
		json_t *p = json_loads(plain, 0, NULL);
		if (p) {
			json_decref(profile);
			profile = p;
		}
		wipe_free(plain);
	}
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "id", k->id, "bot_id", k->bot_id, "channel",
			 k->channel ? k->channel : "", "created_at", api_time(k->created_at), "updated_at",
			 api_time(k->updated_at), "email", opened_string(key, tenant_id, k->id, "email", k->email_sealed),
			 "phone", opened_string(key, tenant_id, k->id, "phone", k->phone_sealed), "name",
			 opened_string(key, tenant_id, k->id, "name", k->name_sealed), "profile", profile);
}

static json_t *lead_json(const struct store_contact_lead *l, const unsigned char *key, const char *tenant_id,
			 const char *contact_id)
{
	char field[STORE_ID_MAX + 16];
	snprintf(field, sizeof field, "request:%s", l->id);
	json_t *context = l->context ? json_loads(l->context, 0, NULL) : NULL;
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:i, s:o, s:o}", "id", l->id, "bot_id", l->bot_id,
			 "conversation_id", l->conversation_id, "source", l->source ? l->source : "", "channel",
			 l->channel ? l->channel : "", "created_at", api_time(l->created_at), "interest", l->interest,
			 "context", context ? context : json_object(), "message",
			 l->message_sealed ? opened_string(key, tenant_id, contact_id, field, l->message_sealed)
					   : json_null());
}

static json_t *consent_json(const struct store_consent *c)
{
	return json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:o}", "id", c->id, "lead_id",
			 c->lead_id[0] ? json_string(c->lead_id) : json_null(), "purpose", c->purpose ? c->purpose : "",
			 "source", c->source ? c->source : "", "channel", c->channel ? c->channel : "", "text_version",
			 c->text_version ? c->text_version : "", "granted_at", api_time(c->granted_at));
}

/* ---- WhatsApp ------------------------------------------------------------------------------------------ */

static void free_wa_messages(struct store_wa_message *m, int n)
{
	for (int i = 0; i < n; i++)
		store_wa_message_clear(&m[i]);
	free(m);
}

/* A contact's WhatsApp messages, oldest first, at most EXPORT_MAX_MESSAGES (*truncated when it has more). */
static int list_wa_messages(struct app *app, const char *tenant_id, const char *contact_id,
			    struct store_wa_message **msgs, int *n, bool *truncated)
{
	*truncated = false;
	int rc = store_wa_messages_list(app->store, tenant_id, contact_id, EXPORT_MAX_MESSAGES + 1, msgs, n);
	if (rc == STORE_OK && *n > EXPORT_MAX_MESSAGES) {
		*truncated = true;
		while (*n > EXPORT_MAX_MESSAGES)
			store_wa_message_clear(&(*msgs)[--*n]);
	}
	return rc;
}

/* WhatsApp messages as conversation messages (copies; *out NULL when n is 0), for conversation_json and the
 * transcript. Both seal a text under "msg:<message id>". */
static int wa_as_messages(const struct store_wa_message *wa, int n, struct store_message **out)
{
	*out = NULL;
	if (n == 0)
		return STORE_OK;
	struct store_message *m = calloc((size_t)n, sizeof *m);
	if (!m)
		return STORE_NOMEM;
	for (int i = 0; i < n; i++) {
		snprintf(m[i].id, sizeof m[i].id, "%s", wa[i].id);
		m[i].inbound = wa[i].direction && !strcmp(wa[i].direction, "in");
		m[i].created_at = wa[i].created_at;
		if (wa[i].body_sealed && !(m[i].content = strdup(wa[i].body_sealed))) {
			free_messages(m, n);
			return STORE_NOMEM;
		}
	}
	*out = m;
	return STORE_OK;
}

/* A WhatsApp conversation's own fields, the flow state opened (null when absent or not openable). */
static json_t *wa_conv_json(const struct store_wa_conv *v, const unsigned char *key, const char *tenant_id)
{
	json_t *state = json_null();
	char field[STORE_ID_MAX + 8];
	snprintf(field, sizeof field, "state:%s", v->id);
	char *plain = open_sealed(key, tenant_id, v->contact_id, field, v->state_sealed);
	if (plain) {
		json_t *p = json_loads(plain, 0, NULL);
		if (p) {
			json_decref(state);
			state = p;
		}
		wipe_free(plain);
	}
	return json_pack("{s:s, s:o, s:o, s:o, s:o}", "id", v->id, "owner", string_or_null(v->owner),
			 "handover_reason", string_or_null(v->handover_reason), "handover_at",
			 time_or_null(v->handover_at), "state", state);
}

static json_t *wa_message_json(const struct store_wa_message *m, const unsigned char *key, const char *tenant_id)
{
	char field[STORE_ID_MAX + 8];
	snprintf(field, sizeof field, "msg:%s", m->id);
	json_t *o = json_pack("{s:s, s:o, s:o}", "id", m->id, "text",
			      opened_string(key, tenant_id, m->contact_id, field, m->body_sealed), "at",
			      api_time(m->created_at));
	if (o && !wa_message_fields(o, m)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The contact's WhatsApp data into *out, which stays NULL when the contact has no WhatsApp number. `convs`:
 * the contact's conversations; its WhatsApp one (if any) is exported here. *truncated when messages were
 * left out. STORE_NOMEM when memory runs out, or another store error. */
static int whatsapp_json(struct app *app, const char *tenant_id, const char *contact_id, const unsigned char *key,
			 const struct store_conversation *convs, int nconv, json_t **out, bool *truncated)
{
	struct store_wa_contact w = {0};
	struct store_wa_conv v = {0};
	struct store_wa_message *msgs = NULL;
	bool have_w = false, have_v = false;
	int n = 0, rc;
	json_t *o = NULL, *arr = NULL;
	*out = NULL;
	*truncated = false;

	rc = store_wa_contact_get(app->store, tenant_id, contact_id, &w);
	if (rc == STORE_NOTFOUND)
		rc = STORE_OK; /* erased meanwhile: nothing to add */
	if (rc != STORE_OK)
		goto cleanup;
	have_w = true;
	if (!w.e164_sealed || !w.e164_sealed[0])
		goto cleanup; /* not a WhatsApp contact */
	for (int i = 0; !have_v && i < nconv; i++) {
		if (!convs[i].channel || strcmp(convs[i].channel, "whatsapp"))
			continue;
		rc = store_wa_conv_get(app->store, tenant_id, convs[i].id, &v);
		if (rc == STORE_OK)
			have_v = true;
		else if (rc != STORE_NOTFOUND)
			goto cleanup;
	}
	rc = list_wa_messages(app, tenant_id, contact_id, &msgs, &n, truncated);
	if (rc != STORE_OK)
		goto cleanup;
	rc = STORE_NOMEM;
	o = json_pack("{s:o, s:o, s:o, s:o, s:{s:o, s:o, s:o, s:o}, s:o, s:o}", "number",
		      opened_string(key, tenant_id, contact_id, "whatsapp_e164", w.e164_sealed), "first_name",
		      w.first_name_sealed ? opened_string(key, tenant_id, contact_id, "first_name", w.first_name_sealed)
					  : json_null(),
		      "timezone", string_or_null(w.timezone), "language", string_or_null(w.language), "consent",
		      "status", string_or_null(w.consent_status), "source", string_or_null(w.consent_source),
		      "text_version", string_or_null(w.consent_text_version), "at", time_or_null(w.consent_at),
		      "last_inbound_at", time_or_null(w.last_inbound_at), "conversation",
		      have_v ? wa_conv_json(&v, key, tenant_id) : json_null());
	arr = json_array();
	if (!o || !arr || json_object_set(o, "messages", arr) != 0)
		goto cleanup;
	for (int i = 0; i < n; i++) {
		json_t *m = wa_message_json(&msgs[i], key, tenant_id);
		if (!m || json_array_append_new(arr, m) != 0)
			goto cleanup;
	}
	*out = o;
	o = NULL;
	rc = STORE_OK;
cleanup:
	json_decref(arr);
	json_decref(o);
	free_wa_messages(msgs, n);
	if (have_v)
		store_wa_conv_clear(&v);
	if (have_w)
		store_wa_contact_clear(&w);
	return rc;
}

/* GET /api/v1/contacts/{id}/export */
static int contact_export(struct req *r)
{
	struct app *app = app_of(r);
	const char *id = req_param(r, 0);
	struct store_contact k = {0};
	struct store_conversation *convs = NULL;
	struct store_contact_lead *leads = NULL;
	struct store_consent *consents = NULL;
	int nconv = 0, nleads = 0, ncons = 0, rc;
	unsigned char key[SEAL_KEY_BYTES];
	bool truncated = false, have_contact = false;
	json_t *doc = NULL, *arr, *wa = NULL;
	memset(key, 0, sizeof key);

	if (!crypto_id_valid("ct", id))
		return resp_errorf(r, ERR_NOT_FOUND, NULL, "contact not found");
	rc = store_contact_get(app->store, r->tenant_id, id, &k);
	if (rc != STORE_OK) {
		rc = api_store_error(r, rc, ERR_NOT_FOUND, "contact");
		goto out;
	}
	have_contact = true;
	int src = contact_key(app, r->tenant_id, k.id, k.wrapped_key, key);
	if (src == STORE_OK)
		src = store_contact_conversations(app->store, r->tenant_id, k.id, EXPORT_MAX_CONVERSATIONS + 1, &convs,
						  &nconv);
	if (src == STORE_OK)
		src = store_contact_leads(app->store, r->tenant_id, k.id, EXPORT_MAX_LEADS + 1, &leads, &nleads);
	if (src == STORE_OK)
		src = store_contact_consents(app->store, r->tenant_id, k.id, EXPORT_MAX_CONSENTS + 1, &consents, &ncons);
	if (src == STORE_OK)
		src = whatsapp_json(app, r->tenant_id, k.id, key, convs, nconv, &wa, &truncated);
	if (src != STORE_OK) {
		rc = src == STORE_NOMEM ? resp_errorf(r, ERR_INTERNAL, NULL, "out of memory")
					: api_store_error(r, src, ERR_NOT_FOUND, "contact");
		goto out;
	}
	truncated = truncated || nconv > EXPORT_MAX_CONVERSATIONS || nleads > EXPORT_MAX_LEADS ||
		    ncons > EXPORT_MAX_CONSENTS;
	doc = json_pack("{s:i, s:o, s:o}", "format_version", EXPORT_FORMAT_VERSION, "exported_at",
			api_time(clock_now_ms(&app->clock)), "contact", contact_json(&k, key, r->tenant_id));
	bool ok = doc != NULL;
	/* conversations, each with its messages (a WhatsApp conversation is under "whatsapp") */
	arr = json_array();
	ok = ok && arr && json_object_set_new(doc, "conversations", arr) == 0;
	for (int i = 0; ok && i < nconv && i < EXPORT_MAX_CONVERSATIONS; i++) {
		if (convs[i].channel && !strcmp(convs[i].channel, "whatsapp"))
			continue;
		struct store_message *msgs = NULL;
		int n = 0;
		bool cut = false;
		src = list_messages(app, r->tenant_id, convs[i].id, &msgs, &n, &cut);
		if (src != STORE_OK) {
			rc = api_store_error(r, src, ERR_NOT_FOUND, "conversation");
			goto out;
		}
		json_t *c = conversation_json(r->tenant_id, &convs[i], msgs, n, cut, key, false, &WEB_SIDES, NULL);
		free_messages(msgs, n);
		truncated = truncated || cut;
		ok = c && json_array_append_new(arr, c) == 0;
	}
	arr = json_array();
	ok = ok && arr && json_object_set_new(doc, "leads", arr) == 0;
	for (int i = 0; ok && i < nleads && i < EXPORT_MAX_LEADS; i++) {
		json_t *l = lead_json(&leads[i], key, r->tenant_id, k.id);
		ok = l && json_array_append_new(arr, l) == 0;
	}
	arr = json_array();
	ok = ok && arr && json_object_set_new(doc, "consents", arr) == 0;
	for (int i = 0; ok && i < ncons && i < EXPORT_MAX_CONSENTS; i++) {
		json_t *c = consent_json(&consents[i]);
		ok = c && json_array_append_new(arr, c) == 0;
	}
	if (ok && wa) {
		ok = json_object_set_new(doc, "whatsapp", wa) == 0;
		wa = NULL;
	}
	ok = ok && json_object_set_new(doc, "truncated", json_boolean(truncated)) == 0;
	if (!ok) {
		rc = resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	char disposition[STORE_ID_MAX + 48];
	snprintf(disposition, sizeof disposition, "attachment; filename=\"contact-%s.json\"", k.id);
	resp_header(r, "Content-Disposition", disposition);
	rc = resp_json(r, 200, doc);
	doc = NULL;
out:
	sodium_memzero(key, sizeof key);
	json_decref(wa);
	json_decref(doc);
	for (int i = 0; i < nconv; i++)
		store_conversation_clear(&convs[i]);
	free(convs);
	for (int i = 0; i < nleads; i++)
		store_contact_lead_clear(&leads[i]);
	free(leads);
	for (int i = 0; i < ncons; i++)
		store_consent_clear(&consents[i]);
	free(consents);
	if (have_contact)
		store_contact_clear(&k);
	return rc;
}

/* ---- plain-text transcript --------------------------------------------------------------------------- */

/* `ms` on the bot's wall clock as "2026-12-01 14:03" (UTC with " UTC" appended when ICU fails). */
static void local_minute(const struct hours *h, int64_t ms, char out[32])
{
	char iso[32];
	if (h && hours_iso_local(h, ms, iso) >= 16) {
		snprintf(out, 32, "%.10s %.5s", iso, iso + 11);
		return;
	}
	clock_iso8601(ms, iso);
	snprintf(out, 32, "%.10s %.5s UTC", iso, iso + 11);
}

/* The bot's opening hours (for its time zone): the configured ones, else the default (Europe/Berlin). */
static struct hours *bot_hours(struct app *app, const char *tenant_id, const char *bot_id)
{
	struct store_bot b;
	struct hours *h = NULL;
	if (store_bot_get(app->store, tenant_id, bot_id, &b) == STORE_OK) {
		json_t *config = json_loads(b.config ? b.config : "{}", 0, NULL);
		json_t *oh = json_object_get(config, "opening_hours");
		if (json_is_object(oh))
			h = hours_parse(oh, NULL);
		json_decref(config);
		store_bot_clear(&b);
	}
	if (!h) {
		json_t *empty = json_object();
		h = empty ? hours_parse(empty, NULL) : NULL;
		json_decref(empty);
	}
	return h;
}

/* One line per message: "2026-12-01 14:03 Besucher: …" / "… Bot: …" (WhatsApp: "Kontakt: …" /
 * "Unternehmen: …"); line breaks inside a message become spaces. A message that cannot be opened reads
 * "(nicht lesbar)"; a cut transcript ends with a line that says so. `conv` is conversation_json of `msgs`. */
static void transcript(struct strbuf *b, const json_t *conv, const struct store_message *msgs, int n,
		       const struct hours *h, const struct sides *sides)
{
	const json_t *arr = json_object_get(conv, "messages");
	for (int i = 0; i < n; i++) {
		char when[32];
		local_minute(h, msgs[i].created_at, when);
		strbuf_adds(b, when);
		strbuf_adds(b, msgs[i].inbound ? sides->speaker_in : sides->speaker_out);
		const char *text = json_string_value(json_object_get(json_array_get(arr, (size_t)i), "text"));
		if (!text)
			text = "(nicht lesbar)";
		for (const char *p = text; *p; p++) {
			if (*p == '\r' && p[1] == '\n')
				continue;
			strbuf_add(b, *p == '\n' || *p == '\r' ? " " : p, 1);
		}
		strbuf_add(b, "\n", 1);
	}
	if (json_is_true(json_object_get(conv, "truncated")))
		strbuf_adds(b, "(gekürzt: nur die ersten 1000 Nachrichten)\n");
}

/* GET /api/v1/conversations/{id}/export?format=json|txt */
static int conversation_export(struct req *r)
{
	struct app *app = app_of(r);
	const char *id = req_param(r, 0);
	const char *format = req_query(r, "format");
	struct store_conversation c = {0};
	struct store_message *msgs = NULL;
	struct store_wa_message *wmsgs = NULL;
	struct store_wa_conv wc = {0};
	char *wrapped = NULL;
	unsigned char key[SEAL_KEY_BYTES];
	json_t *doc = NULL;
	struct hours *h = NULL;
	struct strbuf b = {0};
	bool have = false, have_wc = false, truncated = false;
	int rc, src, n = 0, nw = 0;
	memset(key, 0, sizeof key);

	bool txt = format && !strcmp(format, "txt");
	if (format && !txt && strcmp(format, "json"))
		return resp_errorf(r, ERR_INVALID_REQUEST, "format", "format must be json or txt");
	if (!crypto_id_valid("conv", id))
		return resp_errorf(r, ERR_NOT_FOUND, NULL, "conversation not found");
	src = store_conversation_get(app->store, r->tenant_id, id, &c, &wrapped);
	if (src == STORE_OK) {
		have = true;
		src = contact_key(app, r->tenant_id, c.contact_id, wrapped, key);
	}
	bool wa = have && c.channel && !strcmp(c.channel, "whatsapp");
	if (src == STORE_OK && wa) {
		/* a WhatsApp conversation: its fields, and its contact's messages (wa_messages) */
		src = store_wa_conv_get(app->store, r->tenant_id, c.id, &wc);
		have_wc = src == STORE_OK;
		if (src == STORE_OK)
			src = list_wa_messages(app, r->tenant_id, c.contact_id, &wmsgs, &nw, &truncated);
		if (src == STORE_OK && (src = wa_as_messages(wmsgs, nw, &msgs)) == STORE_OK)
			n = nw;
	} else if (src == STORE_OK) {
		src = list_messages(app, r->tenant_id, c.id, &msgs, &n, &truncated);
	}
	if (src != STORE_OK) {
		rc = src == STORE_NOMEM ? resp_errorf(r, ERR_INTERNAL, NULL, "out of memory")
					: api_store_error(r, src, ERR_NOT_FOUND, "conversation");
		goto out;
	}
	const struct sides *sides = wa ? &WA_SIDES : &WEB_SIDES;
	doc = conversation_json(r->tenant_id, &c, msgs, n, truncated, key, true, sides, wa ? wmsgs : NULL);
	if (doc && wa && json_object_set_new(doc, "whatsapp", wa_conv_json(&wc, key, r->tenant_id)) != 0) {
		json_decref(doc);
		doc = NULL;
	}
	if (doc && txt) {
		h = bot_hours(app, r->tenant_id, c.bot_id);
		transcript(&b, doc, msgs, n, h, sides);
	}
	if (!doc || b.failed) {
		rc = resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	char disposition[STORE_ID_MAX + 48];
	snprintf(disposition, sizeof disposition, "attachment; filename=\"conversation-%s.%s\"", c.id,
		 txt ? "txt" : "json");
	resp_header(r, "Content-Disposition", disposition);
	if (txt) {
		rc = resp_bytes(r, 200, "text/plain; charset=utf-8", b.p ? b.p : "", b.len);
	} else {
		rc = resp_json(r, 200, doc);
		doc = NULL;
	}
out:
	sodium_memzero(key, sizeof key);
	if (b.p)
		sodium_memzero(b.p, b.len);
	strbuf_free(&b);
	hours_free(h);
	json_decref(doc);
	free_messages(msgs, n);
	free_wa_messages(wmsgs, nw);
	free(wrapped);
	if (have_wc)
		store_wa_conv_clear(&wc);
	if (have)
		store_conversation_clear(&c);
	return rc;
}

const struct route api_export_routes[] = {
	{"GET", "/api/v1/contacts/{id}/export", contact_export, AUTH_KEY, 0, NULL, false},
	{"GET", "/api/v1/conversations/{id}/export", conversation_export, AUTH_KEY, 0, NULL, false},
};
const size_t api_export_routes_count = sizeof api_export_routes / sizeof api_export_routes[0];
