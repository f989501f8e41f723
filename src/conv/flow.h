/*
 * flow.h — conversation flows: a bot's scripted dialogue (greeting, qualifying questions, booking) defined
 * as data, validated once, then stepped through one visitor message at a time. The format is described
 * with an example in docs/flows.md; flows/lead_qualification.de.json is the shipped example.
 *
 * A flow is a set of nodes. A "message" node sends its text and moves on to `next`; a "question" node sends
 * its text and waits for an answer (yes/no, a number sorted into buckets, one of a few choices shown as
 * WhatsApp buttons or a list, or free text), whose value picks the next node; an "end" node ends the
 * flow. Every node may fire actions when it is entered (set a field, qualify, disqualify, hand over to a
 * person, start booking, schedule a task).
 *
 * The engine is pure: no I/O, no clock (the caller passes now_ms), no global state. The caller keeps one
 * struct flow_state per conversation (stored as JSON, see flow_state_to_json), calls flow_start once and
 * flow_step with each message, then sends the returned messages and carries out the returned actions.
 *
 * Threads: a struct flow is immutable after flow_parse and may be shared; states and outputs are the
 * caller's.
 */
#ifndef BOTWERK_CONV_FLOW_H
#define BOTWERK_CONV_FLOW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FLOW_DOC_MAX 65536                 /* bytes of a flow document, serialised compactly */
#define FLOW_NODES_MAX 200
#define FLOW_ID_MAX 64                     /* bytes of a node id, NUL included */
#define FLOW_FIELD_MAX 40                  /* characters of a field name ([a-z_]) */
#define FLOW_TEXT_MAX 4096                 /* characters of a text message (WhatsApp) */
#define FLOW_BODY_MAX 1024                 /* characters of an interactive message's body (WhatsApp) */
#define FLOW_BUTTONS_MAX 3                 /* reply buttons; more choices are shown as a list */
#define FLOW_BUTTON_TITLE_MAX 20           /* characters of a reply button's title */
#define FLOW_CHOICES_MAX 10                /* rows of a list */
#define FLOW_ROW_TITLE_MAX 24              /* characters of a list row's title */
#define FLOW_ROW_DESC_MAX 72               /* characters of a list row's description */
#define FLOW_BUCKETS_MAX 10                /* buckets of a number answer */
#define FLOW_ACTIONS_MAX 8                 /* actions of one node */
#define FLOW_NUMBER_MAX 1000000000000LL    /* largest number a bucket or an answer may hold */
#define FLOW_DELAY_MAX_MINUTES (60 * 24 * 60) /* a scheduled task runs at most 60 days later */
#define FLOW_MISUNDERSTOOD_LIMIT 2         /* misunderstandings in a row tolerated; the next hands over */
#define FLOW_ANSWER_MAX 1000               /* characters of a free-text answer kept */

/* ---- parsing and validation --------------------------------------------------------------------- */

struct flow; /* opaque, immutable after flow_parse */

struct flow_error {
	char path[128];    /* where: "nodes.ads.answer.no", "nodes.leads.answer.buckets[1]", "start" */
	char code[32];     /* what kind, stable: see docs/flows.md ("unreachable", "bucket_gap", ...) */
	char message[224]; /* for people, English */
};

/* Validates and compiles the flow document `doc` (not kept: it is copied). Returns the flow, or NULL when
 * the document has any error; then the first `max_errs` errors are written to `errs` (may be NULL when
 * max_errs is 0) and *nerrs (may be NULL) is the number found in all, which may exceed max_errs. An
 * allocation failure is reported as one error with code "no_memory". */
struct flow *flow_parse(const json_t *doc, struct flow_error *errs, int max_errs, int *nerrs);

void flow_free(struct flow *f);

/* The flow's "name", or "" when it has none. */
const char *flow_name(const struct flow *f);

/* ---- state ------------------------------------------------------------------------------------- */

struct flow_state {
	char node[FLOW_ID_MAX]; /* the node the flow stands at (a question waiting, or the end); "" before start */
	int misunderstandings;  /* answers in a row at this question that were not understood */
	bool done;              /* an end node was reached: flow_step refuses further input */
	int64_t started_at_ms;  /* when flow_start ran */
	int64_t asked_at_ms;    /* when the waiting question was last sent (for nudges) */
};

/* {"node":"ads","misunderstandings":0,"done":false,"started_at_ms":…,"asked_at_ms":…}; NULL on no memory. */
json_t *flow_state_to_json(const struct flow_state *st);

/* Reads what flow_state_to_json wrote (unknown keys are ignored). Returns 0, or -1 when `j` is not such an
 * object; `st` is written only on success. */
int flow_state_from_json(const json_t *j, struct flow_state *st);

/* ---- stepping ---------------------------------------------------------------------------------- */

struct flow_input {
	const char *text;     /* the visitor's message (UTF-8), or the title of the button/row tapped; may be NULL */
	const char *reply_id; /* id of the tapped reply button or list row, NULL for a typed message */
	const json_t *vars;   /* contact fields for {{placeholders}} ("first_name": "Max"); NULL: none */
	int64_t now_ms;       /* Unix milliseconds; scheduled tasks run at now_ms + delay */
};

enum flow_msg_kind {
	FLOW_MSG_TEXT,    /* plain text */
	FLOW_MSG_BUTTONS, /* text + up to 3 reply buttons (opts) */
	FLOW_MSG_LIST,    /* text + a list of up to 10 rows (opts) opened by the button list_button */
};

struct flow_option {
	const char *id;          /* what the reply will carry as reply_id */
	const char *title;
	const char *description; /* list rows only; may be NULL */
};

struct flow_message {
	enum flow_msg_kind kind;
	char *text;                /* owned; placeholders filled in, cut to the channel's limit */
	const char *node;          /* the node that sent it */
	const char *template_name; /* the node's approved template for a closed service window, or NULL */
	const char *list_button;   /* FLOW_MSG_LIST: the label of the button that opens the list */
	int nopts;
	struct flow_option opts[FLOW_CHOICES_MAX];
};

enum flow_action_kind {
	FLOW_ACT_SET_FIELD,
	FLOW_ACT_QUALIFY,
	FLOW_ACT_DISQUALIFY,
	FLOW_ACT_HANDOVER,
	FLOW_ACT_START_BOOKING,
	FLOW_ACT_SCHEDULE,
};

struct flow_action {
	enum flow_action_kind kind;
	const char *node;          /* the node that fired it */
	const char *field;         /* SET_FIELD: the field name */
	json_t *value;             /* SET_FIELD: the value (owned reference) */
	const char *reason;        /* DISQUALIFY (always), QUALIFY and HANDOVER (may be NULL) */
	const char *task;          /* SCHEDULE: the task kind ("followup_24h") */
	const char *template_name; /* SCHEDULE: the template to send, or NULL */
	int64_t delay_ms;          /* SCHEDULE */
	int64_t run_at_ms;         /* SCHEDULE: now_ms + delay_ms */
};

enum flow_verdict {
	FLOW_ANSWERED,      /* the input answered the question (or flow_start/flow_reask ran) */
	FLOW_OFF_FLOW,      /* a question of the visitor's own: answer it (retrieval/LLM), then send msgs (the re-ask) */
	FLOW_MISUNDERSTOOD, /* not an answer: msgs hold a hint and the question again, or the handover text */
};

struct flow_output {
	enum flow_verdict verdict;
	bool has_question; /* the input held a '?' although it answered (caller may answer that too) */
	bool done;         /* the flow reached an end node */
	bool handover;     /* a handover action fired: a person takes over the conversation */
	json_t *answer;    /* FLOW_ANSWERED by flow_step: "yes"/"no", an integer, a choice id or the text; owned */
	int nmsgs;
	struct flow_message *msgs; /* in sending order */
	int nactions;
	struct flow_action *actions; /* in firing order */
};

/* Return values of flow_start, flow_step and flow_reask. */
#define FLOW_OK 0
#define FLOW_E_ARG (-1)   /* a required argument is NULL */
#define FLOW_E_NOMEM (-2) /* no memory */
#define FLOW_E_STATE (-3) /* the state does not fit this flow (unknown node, not a question): start again */
#define FLOW_E_DONE (-4)  /* the flow has ended */

/* Starts the flow: walks from the start node, sending and firing, to the first question or end (`in`
 * gives the vars and now_ms; its text is not looked at). `st` is reset first. On success returns FLOW_OK and fills `out` (overwritten, not freed: free it with
 * flow_output_free); on failure `st` is unchanged and `out` is empty. */
int flow_start(const struct flow *f, struct flow_state *st, const struct flow_input *in, struct flow_output *out);

/* Feeds one visitor message to the question `st` waits at. Answered: the answer's field is set, the
 * flow moves on to the next question or an end. A question of the visitor's own (ends with '?', or
 * starts with a question word, and is no answer): FLOW_OFF_FLOW, the state stays and msgs hold the
 * question again, to send after the caller's own reply. Anything else: FLOW_MISUNDERSTOOD, counted; the
 * third in a row fires a handover action (reason "misunderstood") instead of asking again, and the flow
 * keeps waiting at the question (flow_reask sends it again once the team hands back). Returns as
 * flow_start; `st` changes only on success. */
int flow_step(const struct flow *f, struct flow_state *st, const struct flow_input *in, struct flow_output *out);

/* Sends the waiting question again (after a handover ends, or a nudge). Returns as flow_start. */
int flow_reask(const struct flow *f, struct flow_state *st, const struct flow_input *in, struct flow_output *out);

/* Frees what an output owns and empties it; safe on an empty output. */
void flow_output_free(struct flow_output *out);

/* "set_field", "qualify", ...: the names the format uses; "answered", "off_flow", "misunderstood". */
const char *flow_action_name(enum flow_action_kind k);
const char *flow_verdict_name(enum flow_verdict v);

#endif
