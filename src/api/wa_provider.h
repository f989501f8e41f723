/*
 * wa_provider.h — one WhatsApp message handed to the provider the bot is set up for: the WhatsApp Cloud
 * API (channels.whatsapp: phone_number_id and access_token) or, without it, Twilio (channels.twilio:
 * account_sid, auth_token, from). No policy here: wa_send.c decides whether and when; this only sends.
 *
 * Cloud API (api-contracts.md 1.7): POST {api_base_url}/{api_version}/{phone_number_id}/messages with a
 * Bearer token; text, interactive (reply buttons or a list) or template (body parameters).
 * Twilio (2.5): POST {api_base_url}/2010-04-01/Accounts/{sid}/Messages.json, form-encoded, HTTP Basic;
 * To/From as whatsapp:+…; a text as Body (buttons and lists become the text with the choices listed:
 * Twilio needs Content API templates for real buttons); a template by its twilio_content_sid with
 * ContentVariables; StatusCallback to BOTWERK_PUBLIC_URL/hooks/twilio/{bot} when the public URL is set.
 */
#ifndef BOTWERK_API_WA_PROVIDER_H
#define BOTWERK_API_WA_PROVIDER_H

#include <jansson.h>
#include <stddef.h>

#include "channels/templates.h"
#include "conv/flow.h"
#include "store/store.h"

struct app;

struct wa_provider_msg {
	const char *to;                          /* E.164 with or without + */
	const char *text;                        /* text, or the body of an interactive message */
	const struct flow_message *interactive;  /* buttons or a list; NULL: plain text */
	const struct template *tpl;              /* a template send; NULL: a session message */
	const char *const *vars;                 /* the template's variables */
	size_t nvars;
};

struct wa_provider_result {
	char id[300];     /* the provider's message id (wamid.…, SM…) */
	long code;        /* the provider's error code, 0 when none */
	long http;        /* the HTTP status, 0 when no answer came */
	char error[200];
};

/* "meta", "twilio", or NULL when the bot has neither set up. */
const char *wa_provider_of(const json_t *config);
/* The sending number's id for pacing ("" when none). */
const char *wa_provider_number(const json_t *config);
/* Sends `m`: 0 accepted (r->id); 1 refused or not answered (r->code / r->http / r->error); -1 when nothing
 * could be sent (no provider set up, no token, out of memory). */
int wa_provider_send(struct app *app, const struct store_bot *b, const json_t *config, const struct wa_provider_msg *m,
		     struct wa_provider_result *r);

#endif
