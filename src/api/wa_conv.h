/*
 * wa_conv.h — the WhatsApp conversation engine: what happens with a contact's message, with the first
 * message after an opt-in, with a nudge or follow-up that comes due, and with a handover and handback.
 *
 * Each contact has one conversation per bot (store_wa_conv_*). Its state — the flow's position
 * (conv/flow.h), the answers given (set_field), qualified/disqualified — is JSON sealed with the contact
 * key. A message of the contact:
 *   1. counts as a reply (funnel event wa.reply; the first one after the first contact also
 *      wa.first_response with the seconds it took) and cancels the conversation's pending nudges and
 *      follow-ups (jobs with cancel_key "conv:<id>");
 *   2. when a person owns the conversation (after a handover) the bot stays silent;
 *   3. asking for a person ("Mitarbeiter", "Berater", "anrufen", …) or being angry hands over at once
 *      (conv/handover.h);
 *   4. with a flow (bot config "flow"): the flow starts (greeting and first question), or the answer moves
 *      it on; a question of the contact's own is answered from the knowledge (with its source) and the
 *      flow's question asked again; the third misunderstanding in a row hands over;
 *   5. without a flow, or after it ended: the answer from the profile or the knowledge; a price or contract
 *      question answered with low confidence hands over.
 * Messages of one step are sent in order, consecutive texts joined into one message (and a text before
 * buttons put into their body), through wa_send with purpose reply. A handover makes a person the owner,
 * tells the contact, records wa.handover and queues the business's notifications (api/wa_notify.h: a signed
 * webhook and/or an email).
 */
#ifndef BOTWERK_API_WA_CONV_H
#define BOTWERK_API_WA_CONV_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

struct app;

/* One inbound message (text, or the id and title of a tapped button) of contact `contact_id`, already stored
 * and deduplicated. 0, or -1 when the store failed. */
int wa_conv_inbound(struct app *app, const struct store_bot *b, const json_t *config, const char *contact_id,
		    const char *text, const char *reply_id, int64_t at);

/* Job handlers (wa_jobs_register): the first flow message after an opt-in, nudges/follow-ups, reminders and
 * the handover notification. Results as scheduler_fn. */
int wa_conv_job(struct app *app, const struct store_job *j, char *err, size_t errlen);

/* A person takes over (owner human, reason) or hands back (owner bot; the waiting flow question is asked
 * again). 0; STORE_NOTFOUND; STORE_CONFLICT when the owner already is the asked one; -1 on store errors.
 * `out` (may be NULL) gets the conversation as it is afterwards. */
int wa_conv_set_owner(struct app *app, const char *tenant_id, const char *conv_id, bool human, const char *reason,
		      struct store_wa_conv *out);

/* The bot's contact with number `e164` (created on first contact with `name` (may be ""), `timezone` and
 * `language` (NULL: none); number and name sealed; wa_process.c): contact_id, its key, and — when it
 * existed — the stored row in *c (clear it either way); with `update` an existing contact's name, timezone
 * and language are replaced where given. *created (may be NULL) tells whether this call made it. STORE_OK;
 * STORE_ERROR for a number that is none; another store error. */
int wa_contact_for(struct app *app, const struct store_bot *b, const char *e164, const char *name,
		   const char *timezone, const char *language, bool update, char contact_id[STORE_ID_MAX],
		   unsigned char key[32], struct store_wa_contact *c, bool *created);

/* Registers every WhatsApp job kind with the scheduler. */
struct scheduler;
int wa_jobs_register(struct app *app, struct scheduler *s);

#endif
