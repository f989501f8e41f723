/*
 * api_leads.c — leads: the email a visitor leaves in the chat (public, with consent), and what the
 * business sees of them (API key): the list, one lead with its conversation, a CSV export, and erasing a
 * contact for good.
 *
 * Emails and message texts are stored sealed under the contact's key (privacy/keys.h) and opened here,
 * per request, only for the tenant that owns them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "api/api.h"
#include "base/strbuf.h"
#include "conv/topics.h"
#include "privacy/keys.h"

#define EXPORT_MAX_ROWS 100000

static const struct json_field lead_fields[] = {
	{"email", JF_STRING, true, false, 3, 256, NULL, NULL, NULL, NULL}, /* checked by seal_normalize_email */
	{"conversation_id", JF_STRING, true, false, 1, 64, NULL, NULL, NULL, NULL},
	{"consent", JF_BOOL, true, false, 0, 0, NULL, NULL, NULL, NULL},
	{"consent_text_version", JF_STRING, false, false, 1, 40, NULL, json_check_token,
	 "1-40 characters of A-Z a-z 0-9 - _", NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

/* ---- topics of a lead ------------------------------------------------------------------------------ */

#define TOPIC_MESSAGES_MAX 500 /* messages of a conversation looked at (the oldest ones) */
#define TOPIC_EXTRA_MAX 32     /* configured capture topics looked at */

/* Appends the strings of config.features.<feature>.topics to list (up to max). */
static int configured_topics(const json_t *config, const char *feature, const char **list, int n, int max)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(json_object_get(json_object_get(config, "features"), feature), "topics"), i, v)
	{
		if (n < max && json_is_string(v))
			list[n++] = json_string_value(v);
	}
	return n;
}

int api_conversation_topics(struct app *app, const char *tenant_id, const char *conv_id, const char *contact_id,
			    const unsigned char *contact_key, const json_t *config, const char *modal, struct topics *t,
			    char *trigger, size_t triggerlen)
{
	struct store_message *msgs = NULL;
	const char *extra[TOPIC_EXTRA_MAX];
	int n = 0, nextra = 0;
	topics_init(t);
	if (triggerlen)
		trigger[0] = '\0';
	nextra = configured_topics(config, "email_capture", extra, nextra, TOPIC_EXTRA_MAX);
	nextra = configured_topics(config, "contact_persons", extra, nextra, TOPIC_EXTRA_MAX);
	int rc = store_message_list(app->store, tenant_id, conv_id, TOPIC_MESSAGES_MAX, &msgs, &n);
	if (rc != STORE_OK)
		return rc;
	for (int i = 0; i < n; i++) {
		if (msgs[i].inbound) {
			char field[STORE_ID_MAX + 8], *text = NULL;
			snprintf(field, sizeof field, "msg:%s", msgs[i].id);
			/* a message that cannot be opened adds no topics */
			if (privacy_open(contact_key, tenant_id, contact_id, field, msgs[i].content, &text) == 0 && text) {
				topics_scan(t, text, extra, nextra);
				sodium_memzero(text, strlen(text));
				free(text);
			}
		} else if (msgs[i].meta && triggerlen) {
			/* bot messages: the latest one that showed the modal names the trigger */
			json_t *meta = json_loads(msgs[i].meta, 0, NULL);
			const char *why = json_str(json_object_get(json_object_get(meta, "metadata"), modal), "trigger", NULL);
			if (why && *why)
				snprintf(trigger, triggerlen, "%s", why);
			json_decref(meta);
		}
	}
	for (int i = 0; i < n; i++)
		store_message_clear(&msgs[i]);
	free(msgs);
	return STORE_OK;
}

int api_context_topics(json_t *ctx, const struct topics *t, const char *trigger)
{
	json_t *arr = json_array();
	if (!arr || json_object_set_new(ctx, "topics", arr) != 0)
		return -1;
	for (int i = 0; i < t->n; i++)
		if (json_array_append_new(arr, json_string(t->name[i])) != 0)
			return -1;
	if (trigger && *trigger && json_object_set_new(ctx, "trigger", json_string(trigger)) != 0)
		return -1;
	return 0;
}

/* POST /api/v1/public/bot/{id}/leads */
static int public_lead(struct req *r)
{
	struct app *app = app_of(r);
	struct store_bot b;
	json_t *config;
	char *wrapped = NULL, *sealed = NULL, *context = NULL;
	unsigned char ckey[SEAL_KEY_BYTES], ikey[SEAL_KEY_BYTES];
	int rc;

	if (api_public_bot(r, &b, &config) != 0)
		return -1;
	if (!json_bool(r->json, "consent", false)) {
		rc = resp_errorf(r, ERR_VALIDATION, "consent",
				 "consent must be true: the visitor has to agree before their email is stored");
		goto out;
	}
	char email[SEAL_EMAIL_MAX + 1];
	if (seal_normalize_email(json_str(r->json, "email", ""), email, sizeof email) != 0) {
		rc = resp_errorf(r, ERR_VALIDATION, "email", "email must be an address like name@example.de");
		goto out;
	}
	const char *conv = json_str(r->json, "conversation_id", "");
	char contact_id[STORE_ID_MAX];
	int src = crypto_id_valid("conv", conv)
			  ? store_conversation_contact(app->store, b.tenant_id, b.id, conv, contact_id, &wrapped)
			  : STORE_NOTFOUND;
	int messages = 0, prompts = 0;
	if (src == STORE_OK)
		src = keyring_contact_key(app->keyring, app->store, b.tenant_id, contact_id, wrapped, ckey);
	if (src == STORE_OK)
		src = keyring_index_key(app->keyring, app->store, b.tenant_id, ikey);
	if (src == STORE_OK)
		src = store_conversation_state(app->store, b.tenant_id, conv, &messages, &prompts);
	struct topics topics;
	char trigger[64];
	if (src == STORE_OK)
		src = api_conversation_topics(app, b.tenant_id, conv, contact_id, ckey, config, "show_email_modal", &topics,
					      trigger, sizeof trigger);
	if (src != STORE_OK) {
		rc = src == STORE_NOTFOUND ? resp_errorf(r, ERR_VALIDATION, "conversation_id",
							 "conversation_id must name a conversation with this bot")
					   : api_store_error(r, src, ERR_BOT_NOT_FOUND, "conversation");
		goto out;
	}
	char bidx[SEAL_INDEX_HEX];
	seal_blind_index(ikey, SEAL_KIND_EMAIL, email, bidx);
	const json_t *capture = json_object_get(json_object_get(config, "features"), "email_capture");
	const char *version = json_str(r->json, "consent_text_version", json_str(capture, "consent_text_version", "v1"));
	json_t *ctx = json_pack("{s:i, s:i}", "message_count", messages, "prompts", prompts);
	context = ctx && api_context_topics(ctx, &topics, trigger) == 0 ? json_dumps(ctx, JSON_COMPACT) : NULL;
	json_decref(ctx);
	if (!context || privacy_seal(ckey, b.tenant_id, contact_id, "email", email, &sealed) != 0) {
		rc = resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	char lead_id[STORE_ID_MAX], consent_id[STORE_ID_MAX], got[STORE_ID_MAX];
	int64_t now = clock_now_ms(&app->clock);
	crypto_time_id("lead", now, lead_id, sizeof lead_id);
	crypto_time_id("cons", now, consent_id, sizeof consent_id);
	struct store_lead_capture lc = {
		.tenant_id = b.tenant_id,
		.bot_id = b.id,
		.conversation_id = conv,
		.email_sealed = sealed,
		.email_bidx = bidx,
		.lead_id = lead_id,
		.consent_id = consent_id,
		.consent_text_version = version,
		.source = "email_capture",
		.channel = "web",
		.context = context,
		.interest = topics_interest(2, messages, topics_buying(&topics)),
		.now = now,
	};
	bool created = false;
	src = store_lead_capture(app->store, &lc, got, &created);
	if (src != STORE_OK)
		rc = api_store_error(r, src, ERR_BOT_NOT_FOUND, "conversation");
	else
		rc = resp_json(r, created ? 201 : 200, json_pack("{s:s, s:b}", "lead_id", got, "created", created));
out:
	sodium_memzero(ckey, sizeof ckey);
	sodium_memzero(ikey, sizeof ikey);
	free(wrapped);
	free(sealed);
	free(context);
	json_decref(config);
	store_bot_clear(&b);
	return rc;
}

/* Opens one sealed field of a lead's contact; NULL when it cannot be opened (logged by nobody: the API
 * shows null rather than failing the whole list). */
static char *open_field(struct app *app, const char *tenant_id, const struct store_lead *l, const char *field,
			const char *stored)
{
	unsigned char key[SEAL_KEY_BYTES];
	char *plain = NULL;
	if (stored && l->contact_wrapped_key &&
	    keyring_contact_key(app->keyring, app->store, tenant_id, l->contact_id, l->contact_wrapped_key, key) ==
		    STORE_OK) {
		if (privacy_open(key, tenant_id, l->contact_id, field, stored, &plain) != 0)
			plain = NULL;
	}
	sodium_memzero(key, sizeof key);
	return plain;
}

static int64_t session_seconds(const struct store_lead *l)
{
	int64_t s = (l->last_message_at - l->conversation_started_at) / 1000;
	return s > 0 ? s : 0;
}

/* What a contact request left beyond the email (api_persons.c), opened: name, phone, message. Other leads
 * and fields that cannot be read stay NULL. */
struct lead_extra {
	char *name, *phone, *message;
};

static void lead_extra_open(struct app *app, const char *tenant_id, const struct store_lead *l, struct lead_extra *x)
{
	struct store_lead_details d;
	*x = (struct lead_extra){0};
	if (!l->source || strcmp(l->source, "contact_request") != 0 ||
	    store_lead_details(app->store, tenant_id, l->id, &d) != STORE_OK)
		return;
	char field[STORE_ID_MAX + 16];
	snprintf(field, sizeof field, "request:%s", l->id);
	x->name = open_field(app, tenant_id, l, "name", d.name_sealed);
	x->phone = open_field(app, tenant_id, l, "phone", d.phone_sealed);
	x->message = open_field(app, tenant_id, l, field, d.message_sealed);
	store_lead_details_clear(&d);
}

static void lead_extra_clear(struct lead_extra *x)
{
	char *v[] = {x->name, x->phone, x->message};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		if (v[i]) {
			sodium_memzero(v[i], strlen(v[i]));
			free(v[i]);
		}
	*x = (struct lead_extra){0};
}

static json_t *lead_json(struct app *app, const char *tenant_id, const struct store_lead *l)
{
	char *email = open_field(app, tenant_id, l, "email", l->email_sealed);
	struct lead_extra x;
	lead_extra_open(app, tenant_id, l, &x);
	json_t *context = l->context ? json_loads(l->context, 0, NULL) : NULL;
	json_t *consent = json_pack("{s:s?, s:o}", "text_version", l->consent_text_version, "at",
				    l->consent_at ? api_time(l->consent_at) : json_null());
	json_t *o = json_object();
	if (o) {
		json_object_set_new(o, "id", json_string(l->id));
		json_object_set_new(o, "bot_id", json_string(l->bot_id));
		json_object_set_new(o, "conversation_id", json_string(l->conversation_id));
		json_object_set_new(o, "contact_id", json_string(l->contact_id));
		json_object_set_new(o, "email", email ? json_string(email) : json_null());
		json_object_set_new(o, "source", json_string(l->source ? l->source : ""));
		json_object_set_new(o, "channel", json_string(l->channel ? l->channel : ""));
		json_object_set_new(o, "interest", json_integer(l->interest));
		json_object_set_new(o, "message_count", json_integer(l->message_count));
		json_object_set_new(o, "session_seconds", json_integer((json_int_t)session_seconds(l)));
		json_object_set_new(o, "context", context ? json_incref(context) : json_object());
		json_object_set_new(o, "consent", consent ? json_incref(consent) : json_null());
		json_object_set_new(o, "created_at", api_time(l->created_at));
		if (l->source && !strcmp(l->source, "contact_request")) {
			json_object_set_new(o, "name", x.name ? json_string(x.name) : json_null());
			json_object_set_new(o, "phone", x.phone ? json_string(x.phone) : json_null());
			json_object_set_new(o, "message", x.message ? json_string(x.message) : json_null());
		}
	}
	lead_extra_clear(&x);
	json_decref(context);
	json_decref(consent);
	if (email) {
		sodium_memzero(email, strlen(email));
		free(email);
	}
	return o;
}

/* ?from=YYYY-MM-DD (UTC midnight) or an ISO 8601 instant with Z; 0 when absent; -1 when malformed. */
static int parse_time_param(const char *s, int64_t *out)
{
	struct tm tm = {0};
	*out = 0;
	if (!s || !*s)
		return 0;
	const char *end = strptime(s, "%Y-%m-%d", &tm);
	if (end && *end == 'T')
		end = strptime(end, "T%H:%M:%SZ", &tm);
	if (!end || *end)
		return -1;
	*out = (int64_t)timegm(&tm) * 1000;
	return 0;
}

/* Reads the list filters; -1 after answering 400. */
static int parse_filter(struct req *r, struct store_lead_filter *f)
{
	memset(f, 0, sizeof *f);
	f->bot_id = req_query(r, "bot_id");
	if (parse_time_param(req_query(r, "from"), &f->from_ms) != 0)
		return resp_errorf(r, ERR_INVALID_REQUEST, "from", "from must be a date (2026-11-01) or an instant (2026-11-01T08:00:00Z)");
	if (parse_time_param(req_query(r, "to"), &f->to_ms) != 0)
		return resp_errorf(r, ERR_INVALID_REQUEST, "to", "to must be a date (2026-12-01) or an instant (2026-12-01T08:00:00Z)");
	const char *mi = req_query(r, "min_interest");
	if (mi) {
		char *end;
		long v = strtol(mi, &end, 10);
		if (*end || end == mi || v < 1 || v > 10)
			return resp_errorf(r, ERR_INVALID_REQUEST, "min_interest", "min_interest must be 1 to 10");
		f->min_interest = (int)v;
	}
	return 0;
}

static void free_leads(struct store_lead *rows, int n)
{
	for (int i = 0; i < n; i++)
		store_lead_clear(&rows[i]);
	free(rows);
}

/* GET /api/v1/leads */
static int lead_list(struct req *r)
{
	struct app *app = app_of(r);
	struct store_lead_filter f;
	struct page p;
	struct store_lead *rows = NULL;
	int n = 0;
	if (parse_filter(r, &f) != 0 || api_page_parse(r, &p) != 0)
		return -1;
	int rc = store_lead_list(app->store, r->tenant_id, &f, p.after_created, p.has_cursor ? p.after_id : NULL,
				 p.limit, &rows, &n);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_NOT_FOUND, "leads");
	json_t *items = json_array();
	for (int i = 0; items && i < n; i++)
		json_array_append_new(items, lead_json(app, r->tenant_id, &rows[i]));
	json_t *cursor = n > 0 ? api_page_cursor(n, p.limit, rows[n - 1].created_at, rows[n - 1].id) : json_null();
	free_leads(rows, n);
	return resp_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", cursor));
}

/* GET /api/v1/leads/{id}: the lead and its conversation, opened. */
static int lead_show(struct req *r)
{
	struct app *app = app_of(r);
	struct store_lead l;
	struct store_message *msgs = NULL;
	int n = 0;
	int rc = store_lead_get(app->store, r->tenant_id, req_param(r, 0), &l);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_NOT_FOUND, "lead");
	json_t *o = lead_json(app, r->tenant_id, &l);
	/* what the visitor's messages told about them (api/chat_profile.c), opened */
	char *sealed = NULL, *ptext = NULL;
	if (o && store_contact_profile_get(app->store, r->tenant_id, l.contact_id, &sealed) == STORE_OK && sealed)
		ptext = open_field(app, r->tenant_id, &l, "profile", sealed);
	json_t *profile = ptext ? json_loads(ptext, 0, NULL) : NULL;
	if (o)
		json_object_set_new(o, "profile", json_is_object(profile) ? json_incref(profile) : json_object());
	json_decref(profile);
	if (ptext) {
		sodium_memzero(ptext, strlen(ptext));
		free(ptext);
	}
	free(sealed);
	json_t *arr = json_array();
	rc = store_message_list(app->store, r->tenant_id, l.conversation_id, 500, &msgs, &n);
	for (int i = 0; rc == STORE_OK && i < n; i++) {
		char field[STORE_ID_MAX + 8];
		snprintf(field, sizeof field, "msg:%s", msgs[i].id);
		char *text = open_field(app, r->tenant_id, &l, field, msgs[i].content);
		json_t *meta = msgs[i].meta ? json_loads(msgs[i].meta, 0, NULL) : NULL;
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s?, s:o, s:o}", "id", msgs[i].id, "role",
						     msgs[i].inbound ? "visitor" : "bot", "text", text, "metadata",
						     meta ? json_incref(json_object_get(meta, "metadata")) : json_null(),
						     "created_at", api_time(msgs[i].created_at)));
		json_decref(meta);
		free(text);
	}
	for (int i = 0; i < n; i++)
		store_message_clear(&msgs[i]);
	free(msgs);
	store_lead_clear(&l);
	if (rc != STORE_OK) {
		json_decref(o);
		json_decref(arr);
		return api_store_error(r, rc, ERR_NOT_FOUND, "conversation");
	}
	if (o)
		json_object_set_new(o, "messages", arr);
	else
		json_decref(arr);
	return resp_json(r, 200, o);
}

/* ---- CSV export ----------------------------------------------------------------------------------- */

struct csv {
	struct strbuf out;
	char sep;
};

static void csv_put(struct csv *c, const char *s, size_t n)
{
	strbuf_add(&c->out, s, n);
}

/* One field, RFC 4180: quoted when it holds the separator, a quote or a line break (quotes doubled). A
 * field that a spreadsheet would run as a formula (= + - @ at the start) gets a leading apostrophe. */
static void csv_field(struct csv *c, const char *v, bool last)
{
	v = v ? v : "";
	bool formula = *v == '=' || *v == '+' || *v == '-' || *v == '@';
	bool quote = formula || strchr(v, c->sep) || strpbrk(v, "\"\r\n");
	if (quote)
		csv_put(c, "\"", 1);
	if (formula)
		csv_put(c, "'", 1);
	for (const char *p = v; *p; p++) {
		if (*p == '"')
			csv_put(c, "\"\"", 2);
		else
			csv_put(c, p, 1);
	}
	if (quote)
		csv_put(c, "\"", 1);
	csv_put(c, last ? "\r\n" : &c->sep, last ? 2 : 1);
}

/* The topics of a lead's context joined by '|' (malloc'd; "" when it has none); NULL and c->out failed when
 * memory runs out. */
static char *context_topics(const char *context, struct csv *c)
{
	json_t *ctx = context ? json_loads(context, 0, NULL) : NULL;
	json_t *arr = json_object_get(ctx, "topics"), *v;
	size_t i, len = 1;
	json_array_foreach(arr, i, v) len += json_string_length(v) + 1;
	char *out = malloc(len);
	if (out) {
		out[0] = '\0';
		json_array_foreach(arr, i, v)
		{
			if (json_is_string(v) && json_string_length(v) > 0) {
				if (*out)
					strcat(out, "|");
				strcat(out, json_string_value(v));
			}
		}
	} else {
		c->out.failed = true;
	}
	json_decref(ctx);
	return out;
}

static void csv_lead(struct csv *c, struct app *app, const char *tenant_id, const struct store_lead *l)
{
	char *email = open_field(app, tenant_id, l, "email", l->email_sealed);
	char created[32], consent_at[32] = "", num[3][24];
	clock_iso8601(l->created_at, created);
	if (l->consent_at)
		clock_iso8601(l->consent_at, consent_at);
	snprintf(num[0], sizeof num[0], "%d", l->interest);
	snprintf(num[1], sizeof num[1], "%d", l->message_count);
	snprintf(num[2], sizeof num[2], "%lld", (long long)session_seconds(l));
	struct lead_extra x;
	lead_extra_open(app, tenant_id, l, &x);
	char *topics = context_topics(l->context, c);
	const char *row[] = {l->id,   created, l->bot_id, email,      num[0],  num[1],
			     num[2],  l->source, l->channel, l->consent_text_version, consent_at, l->conversation_id,
			     x.name, x.phone, x.message, topics};
	const size_t cols = sizeof row / sizeof row[0];
	for (size_t i = 0; i < cols; i++)
		csv_field(c, row[i], i + 1 == cols);
	free(topics);
	lead_extra_clear(&x);
	if (email) {
		sodium_memzero(email, strlen(email));
		free(email);
	}
}

/* GET /api/v1/leads/export.csv[?sep=semicolon]: every lead matching the filters, UTF-8 with BOM. */
static int lead_export(struct req *r)
{
	struct app *app = app_of(r);
	struct store_lead_filter f;
	if (parse_filter(r, &f) != 0)
		return -1;
	const char *sep = req_query(r, "sep");
	struct csv c = {.sep = ','};
	if (sep && (!strcmp(sep, "semicolon") || !strcmp(sep, ";")))
		c.sep = ';';
	else if (sep && strcmp(sep, "comma") && strcmp(sep, ","))
		return resp_errorf(r, ERR_INVALID_REQUEST, "sep", "sep must be comma or semicolon");
	csv_put(&c, "\xEF\xBB\xBF", 3);
	const char *header[] = {"lead_id", "created_at", "bot_id", "email", "interest", "message_count",
				"session_seconds", "source", "channel", "consent_text_version", "consent_at",
				"conversation_id", "name", "phone", "message", "topics"};
	for (size_t i = 0; i < sizeof header / sizeof header[0]; i++)
		csv_field(&c, header[i], i + 1 == sizeof header / sizeof header[0]);
	int64_t after_created = 0;
	char after_id[STORE_ID_MAX] = "";
	int total = 0, rc = STORE_OK;
	for (;;) {
		struct store_lead *rows = NULL;
		int n = 0;
		rc = store_lead_list(app->store, r->tenant_id, &f, after_created, *after_id ? after_id : NULL, 100, &rows,
				     &n);
		if (rc != STORE_OK)
			break;
		for (int i = 0; i < n; i++)
			csv_lead(&c, app, r->tenant_id, &rows[i]);
		if (n > 0) {
			after_created = rows[n - 1].created_at;
			snprintf(after_id, sizeof after_id, "%s", rows[n - 1].id);
		}
		free_leads(rows, n);
		total += n;
		if (n < 100 || total >= EXPORT_MAX_ROWS)
			break;
	}
	if (rc != STORE_OK || c.out.failed) {
		strbuf_free(&c.out);
		return rc != STORE_OK ? api_store_error(r, rc, ERR_NOT_FOUND, "leads")
				      : resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
	}
	resp_header(r, "Content-Disposition", "attachment; filename=\"leads.csv\"");
	rc = resp_bytes(r, 200, "text/csv; charset=utf-8", c.out.p, c.out.len);
	strbuf_free(&c.out);
	return rc;
}

/* DELETE /api/v1/contacts/{id}: erases the contact, its conversations, leads and consents for good. */
static int contact_erase(struct req *r)
{
	struct app *app = app_of(r);
	const char *id = req_param(r, 0);
	if (!crypto_id_valid("ct", id))
		return resp_errorf(r, ERR_NOT_FOUND, NULL, "contact not found");
	int rc = store_contact_erase(app->store, r->tenant_id, id, clock_now_ms(&app->clock));
	return rc == STORE_OK ? resp_empty(r, 204) : api_store_error(r, rc, ERR_NOT_FOUND, "contact");
}

const struct route api_leads_routes[] = {
	{"POST", "/api/v1/public/bot/{id}/leads", public_lead, AUTH_PUBLIC, 4096, lead_fields, false},
	{"GET", "/api/v1/leads", lead_list, AUTH_KEY, 0, NULL, false},
	{"GET", "/api/v1/leads/export.csv", lead_export, AUTH_KEY, 0, NULL, false},
	{"GET", "/api/v1/leads/{id}", lead_show, AUTH_KEY, 0, NULL, false},
	{"DELETE", "/api/v1/contacts/{id}", contact_erase, AUTH_KEY, 0, NULL, false},
};
const size_t api_leads_routes_count = sizeof api_leads_routes / sizeof api_leads_routes[0];
