/*
 * flow_int.h — what the files of the flow engine share, and nothing else includes (tests may).
 *
 * The engine (public API in flow.h) is three files:
 *   flow_check.c   flow_parse: reads and validates a document into the compiled form below;
 *   flow_answer.c  recognising answers in German text: yes/no, numbers, choices, question-likeness;
 *   flow.c         the engine: start, step, re-ask, placeholders, output, state as JSON.
 */
#ifndef BOTWERK_CONV_FLOW_INT_H
#define BOTWERK_CONV_FLOW_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conv/flow.h"

enum flow_node_type { FLOW_NODE_MESSAGE, FLOW_NODE_QUESTION, FLOW_NODE_END };
enum flow_answer_kind { FLOW_ANS_YES_NO, FLOW_ANS_NUMBER, FLOW_ANS_CHOICE, FLOW_ANS_FREE_TEXT, FLOW_ANS_KINDS };
/* What a number answer counts per; answers given per another period are converted. */
enum flow_period { FLOW_PERIOD_NONE, FLOW_PERIOD_DAY, FLOW_PERIOD_WEEK, FLOW_PERIOD_MONTH, FLOW_PERIOD_YEAR };

struct flow_bucket {
	long long min, max; /* inclusive; max = LLONG_MAX when open */
	int next;           /* node index */
};

struct flow_choice {
	const char *id, *title;
	const char *description; /* NULL when none */
	int next;
};

struct flow_act_def {
	enum flow_action_kind kind;
	const char *field;         /* set_field */
	const json_t *value;       /* set_field: a scalar of the flow's document */
	const char *reason;        /* may be NULL except for disqualify */
	const char *task;          /* schedule */
	const char *template_name; /* schedule, may be NULL */
	int64_t delay_ms;          /* schedule */
};

struct flow_answer_def {
	enum flow_answer_kind kind;
	const char *field;             /* where the answer is stored, or NULL */
	const char *retry;             /* hint sent when misunderstood, or NULL for the flow's default */
	int yes, no;                   /* yes_no */
	const char *yes_title, *no_title;
	int nbuckets;                  /* number: sorted by min, covering 0..LLONG_MAX */
	struct flow_bucket buckets[FLOW_BUCKETS_MAX];
	enum flow_period period;
	int nchoices;                  /* choice */
	struct flow_choice choices[FLOW_CHOICES_MAX];
	const char *list_button;
	int next;                      /* free_text */
};

struct flow_node {
	const char *id;
	enum flow_node_type type;
	const char *text;          /* NULL only for an end node without text */
	const char *template_name; /* NULL when none */
	int next;                  /* message */
	struct flow_answer_def answer; /* question */
	int nactions;
	struct flow_act_def actions[FLOW_ACTIONS_MAX];
};

struct flow {
	json_t *doc; /* the private copy every string above points into */
	const char *name;
	int start;
	int nnodes;
	struct flow_node *nodes;
	const char *retry_text[FLOW_ANS_KINDS]; /* the flow's "texts" or the built-in German defaults */
	const char *handover_text;
};

/* Index of node `id`, or -1. */
int flow_node_index(const struct flow *f, const char *id);

/* Number of characters (code points) of UTF-8 text: bytes that do not continue a sequence. */
size_t flow_utf8_chars(const char *s);

/* ---- flow_answer.c ------------------------------------------------------------------------------ */

enum flow_yes_no { FLOW_YN_NONE, FLOW_YN_YES, FLOW_YN_NO, FLOW_YN_UNSURE };

/* Whether a message says yes or no. UNSURE for "vielleicht", "jein", both at once, ...; NONE when it says
 * neither. *leading: the answer opens the message ("Ja, aber ..."). */
enum flow_yes_no flow_answer_yes_no(const char *text, bool *leading);

/* The number a message gives (documented in docs/flows.md: ranges count their midpoint, "über N" N+1,
 * "unter N" N-1, "1.000" and "1k" a thousand). With `period` set, an answer per another period is
 * converted ("5 am Tag" asked per month: 5 × 365 / 12 = 152). Returns false when it gives none, several, or an amount of
 * money or a percentage. *leading: the message is short (at most 5 words). */
bool flow_answer_number(const char *text, enum flow_period period, long long *value, bool *leading);

/* The index of the choice a message picks (by id, title, number "2", ordinal "die zweite", or a near
 * title), or -1. *leading: picked exactly (not by a near title) in a short message. */
int flow_answer_choice(const struct flow_answer_def *a, const char *text, bool *leading);

/* The words of `text` folded like words.h (hyphenated words split) and joined by single spaces into
 * `out` (whole words only, NUL-terminated); returns its length. */
size_t flow_fold_join(const char *text, char *out, size_t outlen);

/* Whether a message only asks to hear the question again ("Wie bitte?", "Was meinen Sie?", "Hä?"). */
bool flow_text_asks_to_repeat(const char *text);

/* Whether a message ends with '?' (trailing spaces, emoji and !.)" ignored); *any_qmark: holds one at all. */
bool flow_text_ends_with_qmark(const char *text, bool *any_qmark);

/* Whether a message opens with a German question word (was, wie, wann, wo, warum, welche, ...). */
bool flow_text_starts_with_wword(const char *text);

#endif
