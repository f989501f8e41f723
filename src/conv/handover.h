/*
 * handover.h — when a conversation should go from the bot to a person: the visitor asks for one
 * ("Mitarbeiter", "Berater", "anrufen", "Rückruf", "mit jemandem sprechen", ...), asks about prices or a
 * contract and retrieval is unsure of the answer, is angry (a negative word list with intensifiers and
 * simple negation: "nicht schlecht" is not negative), or was misunderstood more than twice in a row.
 *
 * Messages are folded like words.h ("Rückruf" and "Rueckruf" are one word) and read sentence by sentence;
 * a keyword or a negative word with a negation shortly before it ("bitte nicht anrufen", "kein Betrug")
 * does not count. The word lists are static tables in handover.c and are documented in docs/flows.md.
 * Pure: no I/O, no state; safe from any thread.
 */
#ifndef BOTWERK_CONV_HANDOVER_H
#define BOTWERK_CONV_HANDOVER_H

#include <stdbool.h>
#include <stddef.h>

/* Triggers, as bits of handover_check's result. */
#define HANDOVER_KEYWORD 0x01u       /* asked for a person */
#define HANDOVER_PRICE 0x02u         /* a price question answered with low confidence */
#define HANDOVER_CONTRACT 0x04u      /* a contract question answered with low confidence */
#define HANDOVER_SENTIMENT 0x08u     /* negative sentiment at or above HANDOVER_SENTIMENT_THRESHOLD */
#define HANDOVER_MISUNDERSTOOD 0x10u /* more than HANDOVER_MISUNDERSTOOD_MAX misunderstandings in a row */

/* Topics the caller already found (handover_input.topics); the text is checked for them too. */
#define HANDOVER_TOPIC_PRICE 0x1u
#define HANDOVER_TOPIC_CONTRACT 0x2u

#define HANDOVER_MIN_CONFIDENCE 0.5       /* default: below it a price/contract answer is too unsure */
#define HANDOVER_SENTIMENT_THRESHOLD 2    /* negative score that hands over */
#define HANDOVER_MISUNDERSTOOD_MAX 2      /* misunderstandings in a row tolerated */

struct handover_input {
	double confidence;     /* retrieval confidence of the bot's answer, 0..1; < 0: not known (never triggers) */
	double min_confidence; /* price/contract answers below it hand over; 0: HANDOVER_MIN_CONFIDENCE */
	unsigned topics;       /* HANDOVER_TOPIC_* the caller found in the message */
	int misunderstandings; /* in a row, e.g. flow_state.misunderstandings */
};

/* The triggers that fire for visitor message `text` (may be NULL) given `in` (may be NULL: only the text
 * counts), as HANDOVER_* bits; 0 when none does. `why` (may be NULL) gets the reasons, comma-separated:
 * "keyword:rueckruf", "price_low_confidence", "contract_low_confidence", "sentiment:frechheit",
 * "misunderstood". Call it before retrieval with confidence -1, and again with the confidence once known. */
unsigned handover_check(const char *text, const struct handover_input *in, char *why, size_t whylen);

/* The negative-sentiment score of `text` (0 = none); the strongest word that counted goes to `word` (may
 * be NULL). */
int handover_sentiment(const char *text, char *word, size_t wordlen);

#endif
