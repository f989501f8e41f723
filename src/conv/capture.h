/*
 * capture.h — when to ask a visitor for their email address (the bot's features.email_capture): after a
 * number of messages, when the question touches a configured topic ("preise", "angebot", "demo"), or when
 * the bot could not answer (checked in that order) — at most max_requests times per conversation, and never while disabled.
 */
#ifndef BOTWERK_CONV_CAPTURE_H
#define BOTWERK_CONV_CAPTURE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct capture_input {
	const char *question;
	int messages_before; /* messages already in the conversation (0 for a new one) */
	int prompts_before;  /* times the prompt was already shown in it */
	bool unanswered;     /* the bot could not answer this question */
};

/* The trigger that fires for this exchange, written to `why` ("after_messages", "topic:preise",
 * "unanswered"), or false when none does. `cfg` is the features.email_capture object (NULL: disabled). */
bool capture_should_prompt(const json_t *cfg, const struct capture_input *in, char *why, size_t whylen);

/* Whether to show the bot's contact persons (its features.contact_persons; NULL: disabled): when a word of
 * the question starts with one of its `keywords` or `topics` (folded like words.h: "Ansprechpartnerin",
 * "Beratung"), or once, with the visitor's `after_messages`-th message (0: never). `why` gets
 * "keyword:<word>", "topic:<word>" or "after_messages". Whether the bot has persons is the caller's. */
bool capture_should_show_contacts(const json_t *cfg, const struct capture_input *in, char *why, size_t whylen);

#endif
