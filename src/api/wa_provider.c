/*
 * wa_provider.c — sending one message through the WhatsApp Cloud API or Twilio (wa_provider.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "api/api.h"
#include "api/bot_secrets.h"
#include "api/wa_provider.h"
#include "base/json.h"
#include "net/httpc.h"

#define GRAPH_DEFAULT "https://graph.facebook.com"
#define GRAPH_VERSION "v21.0"
#define TWILIO_DEFAULT "https://api.twilio.com"
#define RESPONSE_MAX (64 * 1024)
#define FORM_MAX (64 * 1024)

static const json_t *channel(const json_t *config, const char *name)
{
	return json_object_get(json_object_get(config, "channels"), name);
}

const char *wa_provider_of(const json_t *config)
{
	const json_t *wa = channel(config, "whatsapp"), *tw = channel(config, "twilio");
	if (json_str(wa, "phone_number_id", NULL))
		return "meta";
	if (json_str(tw, "account_sid", NULL) && json_str(tw, "from", NULL))
		return "twilio";
	return NULL;
}

const char *wa_provider_number(const json_t *config)
{
	const char *p = wa_provider_of(config);
	if (!p)
		return "";
	return !strcmp(p, "meta") ? json_str(channel(config, "whatsapp"), "phone_number_id", "")
				  : json_str(channel(config, "twilio"), "from", "");
}

/* `base` without trailing slashes, as a length for "%.*s". */
static int base_len(const char *base)
{
	size_t n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	return (int)n;
}

/* ---- Cloud API ----------------------------------------------------------------------------------------- */

static json_t *interactive_json(const struct flow_message *m, const char *text)
{
	json_t *action = json_object(), *items = json_array();
	for (int i = 0; action && items && i < m->nopts; i++) {
		json_t *it = m->kind == FLOW_MSG_BUTTONS
				     ? json_pack("{s:s, s:{s:s, s:s}}", "type", "reply", "reply", "id", m->opts[i].id, "title",
						 m->opts[i].title)
				     : json_pack("{s:s, s:s}", "id", m->opts[i].id, "title", m->opts[i].title);
		if (it && m->kind == FLOW_MSG_LIST && m->opts[i].description)
			json_object_set_new(it, "description", json_string(m->opts[i].description));
		json_array_append_new(items, it);
	}
	if (!action || !items) {
		json_decref(action);
		json_decref(items);
		return NULL;
	}
	if (m->kind == FLOW_MSG_BUTTONS) {
		json_object_set_new(action, "buttons", items);
	} else {
		json_object_set_new(action, "button", json_string(m->list_button ? m->list_button : "Auswählen"));
		json_object_set_new(action, "sections", json_pack("[{s:s, s:o}]", "title", "Optionen", "rows", items));
	}
	return json_pack("{s:s, s:{s:s}, s:o}", "type", m->kind == FLOW_MSG_BUTTONS ? "button" : "list", "body", "text",
			 text, "action", action);
}

/* The request body. NULL when memory runs out. */
static json_t *graph_json(const struct wa_provider_msg *m)
{
	const char *to = m->to[0] == '+' ? m->to + 1 : m->to;
	json_t *j = json_pack("{s:s, s:s, s:s}", "messaging_product", "whatsapp", "recipient_type", "individual", "to", to);
	if (!j)
		return NULL;
	if (m->tpl) {
		json_t *params = json_array();
		for (size_t i = 0; params && i < m->nvars; i++)
			json_array_append_new(params, json_pack("{s:s, s:s}", "type", "text", "text", m->vars[i]));
		json_t *t = json_pack("{s:s, s:{s:s}}", "name", m->tpl->name, "language", "code", m->tpl->language);
		if (t && params && m->nvars > 0)
			json_object_set_new(t, "components", json_pack("[{s:s, s:o}]", "type", "body", "parameters", params));
		else
			json_decref(params);
		json_object_set_new(j, "type", json_string("template"));
		json_object_set_new(j, "template", t);
	} else if (m->interactive && m->interactive->kind != FLOW_MSG_TEXT && m->interactive->nopts > 0) {
		json_object_set_new(j, "type", json_string("interactive"));
		json_object_set_new(j, "interactive", interactive_json(m->interactive, m->text ? m->text : ""));
	} else {
		json_object_set_new(j, "type", json_string("text"));
		json_object_set_new(j, "text", json_pack("{s:b, s:s}", "preview_url", 0, "body", m->text ? m->text : ""));
	}
	return j;
}

static int graph_send(struct app *app, const struct store_bot *b, const json_t *config,
		      const struct wa_provider_msg *m, struct wa_provider_result *r)
{
	const json_t *wa = channel(config, "whatsapp");
	char token[1100], url[700], auth[1200];
	if (api_bot_secret(app, b, config, "channels.whatsapp.access_token", token, sizeof token) != 0 || !token[0]) {
		snprintf(r->error, sizeof r->error, "the bot has no WhatsApp access token");
		return -1;
	}
	const char *base = json_str(wa, "api_base_url", GRAPH_DEFAULT);
	snprintf(url, sizeof url, "%.*s/%s/%s/messages", base_len(base), base, json_str(wa, "api_version", GRAPH_VERSION),
		 json_str(wa, "phone_number_id", ""));
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
	sodium_memzero(token, sizeof token);
	json_t *msg = graph_json(m);
	char *raw = msg ? json_dumps(msg, JSON_COMPACT) : NULL, *resp = NULL, ct[64];
	json_decref(msg);
	if (!raw) {
		sodium_memzero(auth, sizeof auth);
		snprintf(r->error, sizeof r->error, "out of memory");
		return -1;
	}
	size_t len = 0;
	int rc = httpc_post_wait(app->httpc, url, auth, raw, strlen(raw), RESPONSE_MAX,
				 (long)app->settings.wa_send_timeout_ms, &resp, &len, ct, sizeof ct, &r->http, r->error,
				 sizeof r->error);
	sodium_memzero(auth, sizeof auth);
	free(raw);
	json_t *j = resp ? json_loadb(resp, len, 0, NULL) : NULL;
	free(resp);
	if (rc == 0) {
		const char *id = json_string_value(json_object_get(json_array_get(json_object_get(j, "messages"), 0), "id"));
		if (id) {
			snprintf(r->id, sizeof r->id, "%s", id);
		} else {
			snprintf(r->error, sizeof r->error, "the answer named no message id");
			rc = 1;
		}
	} else {
		json_t *e = json_object_get(j, "error");
		r->code = (long)json_integer_value(json_object_get(e, "code"));
		if (r->code)
			snprintf(r->error, sizeof r->error, "HTTP %ld, error %ld: %.120s", r->http, r->code,
				 json_str(e, "message", ""));
		rc = 1;
	}
	json_decref(j);
	return rc;
}

/* ---- Twilio -------------------------------------------------------------------------------------------- */

/* Appends "&key=value" (value percent-encoded) to the form; -1 when it does not fit or memory runs out. */
static int form_add(char *form, size_t cap, size_t *len, const char *key, const char *value)
{
	char *enc = curl_easy_escape(NULL, value, 0);
	if (!enc)
		return -1;
	int n = snprintf(form + *len, cap - *len, "%s%s=%s", *len ? "&" : "", key, enc);
	curl_free(enc);
	if (n < 0 || (size_t)n >= cap - *len)
		return -1;
	*len += (size_t)n;
	return 0;
}

/* The text of a session message: buttons and list rows listed after the text. Malloc'd. */
static char *twilio_text(const struct wa_provider_msg *m)
{
	size_t cap = (m->text ? strlen(m->text) : 0) + 64 + (size_t)FLOW_CHOICES_MAX * 120;
	char *t = malloc(cap);
	if (!t)
		return NULL;
	size_t n = (size_t)snprintf(t, cap, "%s", m->text ? m->text : "");
	if (m->interactive && m->interactive->kind != FLOW_MSG_TEXT)
		for (int i = 0; i < m->interactive->nopts && n < cap; i++)
			n += (size_t)snprintf(t + n, cap - n, "%s%s", i ? " / " : "\n\n", m->interactive->opts[i].title);
	return t;
}

static int twilio_send(struct app *app, const struct store_bot *b, const json_t *config,
		       const struct wa_provider_msg *m, struct wa_provider_result *r)
{
	const json_t *tw = channel(config, "twilio");
	const char *sid = json_str(tw, "account_sid", ""), *from = json_str(tw, "from", "");
	char token[300], url[700], to[64], fromw[64], cred[400], auth[600];
	if (api_bot_secret(app, b, config, "channels.twilio.auth_token", token, sizeof token) != 0 || !token[0]) {
		snprintf(r->error, sizeof r->error, "the bot has no Twilio auth token");
		return -1;
	}
	if (m->tpl && !m->tpl->twilio_content_sid) {
		sodium_memzero(token, sizeof token);
		snprintf(r->error, sizeof r->error, "template %s has no twilio_content_sid", m->tpl->name);
		r->code = 63016; /* as Twilio refuses free text outside the window: the template cannot go */
		return 1;
	}
	const char *base = json_str(tw, "api_base_url", TWILIO_DEFAULT);
	snprintf(url, sizeof url, "%.*s/2010-04-01/Accounts/%s/Messages.json", base_len(base), base, sid);
	snprintf(to, sizeof to, "whatsapp:%s%s", m->to[0] == '+' ? "" : "+", m->to);
	snprintf(fromw, sizeof fromw, "whatsapp:%s", from);
	int cl = snprintf(cred, sizeof cred, "%s:%s", sid, token);
	sodium_memzero(token, sizeof token);
	memcpy(auth, "Authorization: Basic ", 21);
	sodium_bin2base64(auth + 21, sizeof auth - 21, (const unsigned char *)cred, (size_t)cl,
			  sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(cred, sizeof cred);
	char *form = malloc(FORM_MAX), *text = NULL, *vars = NULL, cb[600];
	size_t len = 0;
	int rc = -1;
	if (!form)
		goto out;
	if (form_add(form, FORM_MAX, &len, "To", to) || form_add(form, FORM_MAX, &len, "From", fromw))
		goto out;
	if (m->tpl) {
		json_t *cv = json_object();
		char k[24];
		for (size_t i = 0; cv && i < m->nvars; i++) {
			snprintf(k, sizeof k, "%zu", i + 1);
			json_object_set_new(cv, k, json_string(m->vars[i]));
		}
		vars = cv ? json_dumps(cv, JSON_COMPACT) : NULL;
		json_decref(cv);
		if (!vars || form_add(form, FORM_MAX, &len, "ContentSid", m->tpl->twilio_content_sid) ||
		    form_add(form, FORM_MAX, &len, "ContentVariables", vars))
			goto out;
	} else if (!(text = twilio_text(m)) || form_add(form, FORM_MAX, &len, "Body", text)) {
		goto out;
	}
	const char *pub = app->settings.public_url;
	if (pub && pub[0]) {
		snprintf(cb, sizeof cb, "%.*s/hooks/twilio/%s", base_len(pub), pub, b->id);
		if (form_add(form, FORM_MAX, &len, "StatusCallback", cb))
			goto out;
	}
	char *resp = NULL;
	size_t rlen = 0;
	rc = httpc_post_form_wait(app->httpc, url, auth, form, len, RESPONSE_MAX, (long)app->settings.wa_send_timeout_ms,
				  &resp, &rlen, &r->http, r->error, sizeof r->error);
	json_t *j = resp ? json_loadb(resp, rlen, 0, NULL) : NULL;
	free(resp);
	if (rc == 0) {
		const char *msid = json_str(j, "sid", NULL);
		if (msid)
			snprintf(r->id, sizeof r->id, "%s", msid);
		else
			rc = 1, snprintf(r->error, sizeof r->error, "the answer named no message sid");
	} else {
		r->code = (long)json_integer_value(json_object_get(j, "code"));
		if (r->code)
			snprintf(r->error, sizeof r->error, "HTTP %ld, error %ld: %.120s", r->http, r->code,
				 json_str(j, "message", ""));
		rc = 1;
	}
	json_decref(j);
out:
	if (rc == -1 && !r->error[0])
		snprintf(r->error, sizeof r->error, "the message does not fit a Twilio request");
	sodium_memzero(auth, sizeof auth);
	if (text) {
		sodium_memzero(text, strlen(text));
		free(text);
	}
	if (form) {
		sodium_memzero(form, FORM_MAX);
		free(form);
	}
	free(vars);
	return rc;
}

int wa_provider_send(struct app *app, const struct store_bot *b, const json_t *config, const struct wa_provider_msg *m,
		     struct wa_provider_result *r)
{
	memset(r, 0, sizeof *r);
	const char *p = wa_provider_of(config);
	if (!p) {
		snprintf(r->error, sizeof r->error, "the bot has no WhatsApp sender set up");
		return -1;
	}
	return !strcmp(p, "meta") ? graph_send(app, b, config, m, r) : twilio_send(app, b, config, m, r);
}
