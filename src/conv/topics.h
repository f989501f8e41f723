/*
 * topics.h — what a visitor asked about, as a short list of topic names for the business: "preise",
 * "probetraining", "kurse", "oeffnungszeiten", "vertrag", "termin", "personal_training", "angebot" from a
 * small built-in German/English lexicon, plus the bot's own capture topics (features.email_capture.topics).
 *
 * Messages are folded like words.h (so "Öffnungszeiten" and "Oeffnungszeiten" are one word); hyphenated
 * words count as their parts ("Probe-Training"). A cue matches a word exactly, or as a prefix where the
 * lexicon says so ("kurs*" finds "Kurse" and "Kursplan"); a cue of two words ("personal train*") matches
 * two words in a row. A configured topic is one word matched as a prefix, like capture.h does; when the
 * lexicon knows that word ("preis", "demo"), it counts as the lexicon's topic ("preise", "angebot").
 *
 * Only topic names ever leave this module — never a word of the visitor — so the result holds no
 * personal data and may be stored in clear (a lead's context).
 */
#ifndef BOTWERK_CONV_TOPICS_H
#define BOTWERK_CONV_TOPICS_H

#include <stdbool.h>

#include "conv/words.h"

#define TOPICS_MAX 12          /* topics kept per conversation; later ones are dropped */
#define TOPIC_NAME_MAX WORD_MAX /* bytes of a topic name, NUL included */

struct topics {
	int n;
	char name[TOPICS_MAX][TOPIC_NAME_MAX]; /* in the order they were first mentioned */
	bool buying[TOPICS_MAX];               /* a sign of buying interest (see topics_interest) */
};

void topics_init(struct topics *t);

/* Adds the topics that `text` (one visitor message) mentions and `t` does not have yet. `extra` holds
 * the bot's configured capture topics (nextra of them; NULL entries and words that fold to nothing are
 * skipped). Built-in topics that signal buying interest: preise, probetraining, termin,
 * personal_training, angebot; configured topics always do. */
void topics_scan(struct topics *t, const char *text, const char *const *extra, int nextra);

/* How many distinct buying topics `t` holds. */
int topics_buying(const struct topics *t);

/* A lead's interest 1..10: base + min(visitor messages, 6) + min(buying topics, 2), clamped, where the
 * visitor wrote (messages + 1) / 2 of the conversation's `messages` (both sides counted). Base 2 for an
 * email left in the chat, 4 for a contact request. */
int topics_interest(int base, int messages, int buying);

#endif
