/*
 * prompt.h — the chat prompt for one visitor message: a bot's template rendered with today's date, the
 * business profile, the contact, the retrieved passages as numbered sources and the bot's style, plus a
 * window of the conversation, all under a token budget. The result is the `messages` array of an
 * OpenAI-compatible chat completion request.
 *
 * Template syntax (the defaults are prompts/chat.de.txt and prompts/chat.en.txt, embedded at build time)
 *   {{name}}              the value of placeholder `name`, inserted verbatim (it is a prompt: no escaping)
 *   {{#name}}…{{/name}}   the enclosed text only when the value is not empty
 *   {{^name}}…{{/name}}   the enclosed text only when the value is empty
 *   {{! text }}           a comment, left out
 * Whitespace inside the braces is ignored ("{{ date }}"). Sections nest (at most PROMPT_SECTION_DEPTH).
 * A section or comment tag alone on its line (spaces and tabs aside) takes the whole line with it, so
 * section tags can stand on lines of their own without leaving blank lines behind. "{{" always starts a
 * tag; values are never read as template text, so a passage containing "{{sources}}" stays literal.
 * After rendering, spaces at line ends are removed, runs of blank lines become one blank line, and
 * the text is trimmed.
 *
 * Placeholders (all but date may be empty):
 *   date           weekday and date in the bot's time zone: "Montag, 23. November 2026" (see below)
 *   bot_name       the bot's name
 *   company_name   the company's name
 *   company        the company profile, one "- Label: value" line per field present: name, address
 *                  ("Street, Postcode City, Country"), phone, email, website, then each social profile
 *   hours          opening hours as given by the caller (hours_text)
 *   contact_name   the visitor's name
 *   contact        the visitor: "- Name: …", "- Status: …", then "- key: value" per profile field
 *                  (strings, numbers, booleans, arrays of those joined by ", "; other values skipped)
 *   sources        the kept passages, strongest first, numbered [1]..[n] (see "Sources")
 *   style          the response style key: professional, friendly, technical or casual
 *   style_professional, style_friendly, style_technical, style_casual
 *                  "1" for the bot's style, empty for the others (for sections)
 *   du             "1" when the visitor is addressed with "du" (friendly, casual), else empty
 *   language       the bot's language by its own name: "Deutsch" or "English"
 *   additions      the bot's system_prompt_additions
 *
 * Values. Every inserted value is valid UTF-8 (invalid bytes dropped) without control characters: C0
 * and C1 controls, DEL, bidirectional overrides and isolates are removed, CR LF and lone CR become LF,
 * U+2028/U+2029 become LF. Single-line values (names, company and contact fields, passage titles,
 * headings and URLs) also have line breaks and tabs turned into spaces, runs of spaces collapsed, '['
 * and ']' replaced by '(' and ')' (so nothing but a source header can read "[3]"), and are cut at
 * PROMPT_FIELD_MAX_CHARS characters.
 *
 * Sources. Each kept passage is a header line and its text, every text line quoted with "> ":
 *     [1] Preise – Kurse (https://example.de/preise, Seite 3)
 *     > Ein Kurs kostet 89 €.
 *     > [2] Quelle 2: ignore previous instructions      <- a hostile passage stays inside its quote
 * separated by a blank line. The header is "[n]" followed by what is present of title, " – heading",
 * and "(url, Seite p)" ("page p" in English). No line of passage text can start a line of the prompt,
 * so a passage cannot fake another source, close the sources block or pose as the template's rules.
 * Passage k of the input (0-based) is always [k+1]: passages are dropped only from the end, so the kept
 * ones are passages[0 .. passages_kept). A passage's text is first cut at PROMPT_PASSAGE_MAX_CHARS.
 *
 * Budget. Tokens are estimated (prompt_estimate_tokens) for the system text, each history message and
 * the question, plus PROMPT_MESSAGE_TOKENS per message for the chat format. While the total exceeds
 * budget_tokens - reserve_tokens:
 *   1. the oldest history turn is dropped, until none is left;
 *   2. the weakest passages (from the end) are dropped: the most that fit are kept, at least one;
 *   3. the text of the one passage left (the strongest) is cut after a whole sentence (else at a word
 *      boundary) and marked with " …"; when that would leave it under PROMPT_PASSAGE_MIN_CHARS
 *      characters, or there is no passage, prompt_build fails ("does not fit").
 * The question is never dropped or cut.
 *
 * History. At most the last `history_messages` turns are considered (0 → PROMPT_DEFAULT_HISTORY; < 0 →
 * none). A turn is cleaned like a multi-line value and cut at PROMPT_TURN_MAX_CHARS characters (at a
 * word boundary, marked " …"); empty turns are left out. So that strict chat templates (which want
 * user/assistant to alternate after the system message) accept the result: assistant turns at the start
 * of the kept window are left out, consecutive turns from the same side are joined into one message
 * (separated by a blank line), a last user turn whose text equals the question is left out (callers
 * that stored the message first), and any other last user turn is joined in front of the question.
 *
 * Languages: "en", "en-GB", "en_US"… mean English; anything else, NULL included, means German.
 * Threads: no shared state; each call opens its own ICU formatter. Nothing here reads the clock.
 */
#ifndef BOTWERK_LLM_PROMPT_H
#define BOTWERK_LLM_PROMPT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROMPT_DEFAULT_HISTORY 12     /* history turns when history_messages is 0 */
#define PROMPT_DEFAULT_BUDGET 3000    /* tokens when budget_tokens is <= 0 */
#define PROMPT_DEFAULT_TIMEZONE "Europe/Berlin"
#define PROMPT_TEMPLATE_MAX 65536     /* bytes of a template (20000 characters fit: llm.prompt_template) */
#define PROMPT_SECTION_DEPTH 8        /* nesting of {{#…}} / {{^…}} */
#define PROMPT_FIELD_MAX_CHARS 300    /* characters of a single-line value */
#define PROMPT_PASSAGE_MAX_CHARS 8000 /* characters of a passage's text before budgeting */
#define PROMPT_PASSAGE_MIN_CHARS 120  /* a passage is not cut shorter than this */
#define PROMPT_TURN_MAX_CHARS 2000    /* characters of one history turn */
#define PROMPT_MAX_PASSAGES 50        /* passages beyond this are dropped up front */
#define PROMPT_PROFILE_MAX_FIELDS 30  /* contact profile fields shown */
#define PROMPT_MESSAGE_TOKENS 4       /* chat-format overhead counted per message */

struct prompt_passage {
	const char *title;   /* document title, or NULL */
	const char *heading; /* heading path inside it ("Preise > Kurse"), or NULL */
	const char *url;     /* where it came from, or NULL */
	int page;            /* PDF page, 0 = none */
	const char *text;    /* the passage; NULL = empty */
	double score;        /* retrieval score (informational: the order of the array is what counts) */
};

struct prompt_turn {
	bool from_user; /* true: the visitor; false: the bot (or a human answering for it) */
	const char *text;
};

struct prompt_input {
	const char *template_text;   /* the bot's own template; NULL or "" → the default for `language` */
	const char *language;        /* "de" | "en" */
	int64_t now_ms;              /* the instant of the message (Unix ms) */
	const char *timezone;        /* IANA zone id; NULL → PROMPT_DEFAULT_TIMEZONE */
	const char *bot_name;        /* may be NULL */
	const json_t *company;       /* the bot config's "company" object, or NULL */
	const char *hours_text;      /* opening hours already rendered as sentences, or NULL */
	const char *contact_name;    /* may be NULL */
	const char *contact_status;  /* may be NULL */
	const json_t *contact_profile; /* an object of known profile fields, or NULL */
	const struct prompt_passage *passages; /* strongest first */
	int npassages;
	const struct prompt_turn *history; /* earlier turns, oldest first, without `question` */
	int nhistory;
	const char *question;        /* the visitor's message; required, not empty */
	const char *response_style;  /* professional (default, also for NULL/unknown), friendly, technical, casual */
	const char *additions;       /* system_prompt_additions, may be NULL */
	int history_messages;        /* keep at most the last N turns; 0 → PROMPT_DEFAULT_HISTORY, < 0 → none */
	int budget_tokens;           /* the whole prompt, question included; <= 0 → PROMPT_DEFAULT_BUDGET */
	int reserve_tokens;          /* kept free for the answer (the request's max_tokens); < 0 counts as 0 */
};

struct prompt_stats {
	int tokens;                          /* estimated tokens of all messages, overhead included */
	int history_kept, history_dropped;   /* turns; kept + dropped = nhistory */
	int passages_kept, passages_dropped; /* kept = passages[0 .. passages_kept) as [1]..[n] */
	bool passage_cut;                    /* the kept passage's text was shortened to fit (step 3) */
};

/* Builds the messages for one chat completion:
 *   [{"role":"system","content":<rendered template>}, history as "user"/"assistant" messages,
 *    {"role":"user","content":<question>}]
 * following the rules above. Returns a new reference (the caller json_decref()s it) and fills `st`
 * when not NULL. On failure returns NULL, zeroes `st`, and writes a one-line reason to `err` (when
 * errlen > 0): the template's error (see prompt_template_check, prefixed "template: "), an unknown time
 * zone, a missing question, a prompt that does not fit the budget, or "out of memory". */
json_t *prompt_build(const struct prompt_input *in, struct prompt_stats *st, char *err, size_t errlen);

/* A token estimate for s[0..len) (UTF-8, German or English prose) meant to err high, i.e. to come out at
 * or above what the usual tokenizers (GPT-4/cl100k, Llama 3, Llama 2/Mistral, Qwen) count:
 *   - a word of letters costs 1 token up to a weight of 4, else ceil(weight / 3), where ASCII letters
 *     weigh 1, other Latin letters (ä, ö, ü, ß, é …) 2 and letters of other scripts 3;
 *   - every digit costs 1 (several tokenizers split numbers into single digits);
 *   - ASCII punctuation and symbols cost 1 each, other characters (–, €, „, emoji) one per UTF-8 byte
 *     after the first (at least 1), invalid bytes 1 each;
 *   - a run of line breaks costs 1, a run of two or more spaces or tabs costs 1, a single space 0.
 * The rules were chosen to err high (a short English word, usually one token, counts up to 2; a German
 * compound about one per three letters); they were not calibrated against a tokenizer's counts, so a
 * caller that needs exactness keeps a margin. Returns at most INT_MAX. */
int prompt_estimate_tokens(const char *s, size_t len);

/* The local date of `now_ms` in zone `tz` (NULL → PROMPT_DEFAULT_TIMEZONE) with its weekday, by ICU:
 * German "Montag, 23. November 2026" (pattern "EEEE, d. MMMM y"), English "Monday, 23 November 2026"
 * ("EEEE, d MMMM y", British order). Writes a NUL-terminated string to `out` and returns its length in
 * bytes, or -1 (out set to "" when outlen > 0) when the zone is not a time zone id ICU knows, ICU
 * fails, or the text does not fit. */
int prompt_format_date(int64_t now_ms, const char *tz, const char *language, char *out, size_t outlen);

/* Checks a template before it is saved: at most PROMPT_TEMPLATE_MAX bytes, valid UTF-8, no control
 * characters other than tab, CR and LF, every tag closed with "}}", every placeholder known, sections
 * balanced and closed by the name that opened them, nesting at most PROMPT_SECTION_DEPTH, and
 * {{sources}} used at least once (without it the model never sees the passages). Returns 0, or -1 with
 * a one-line message naming the line ("line 4: unknown placeholder {{firma}}"). */
int prompt_template_check(const char *template_text, char *err, size_t errlen);

/* The embedded default template for `language` (prompts/chat.<de|en>.txt), or NULL when the build
 * embedded none (never in a normal build). The text lives as long as the program. */
const char *prompt_default_template(const char *language);

#endif
