/*
 * prompt_int.h — internals shared by the two files of the chat prompt (prompt.h is the public header):
 * prompt_template.c (growable text, value cleaning, token estimate, date, template renderer) and
 * prompt.c (the company/contact/sources blocks, building and the budget). Only for src/llm/prompt*.c.
 */
#ifndef BOTWERK_LLM_PROMPT_INT_H
#define BOTWERK_LLM_PROMPT_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/strbuf.h"
#include "llm/prompt.h"

#define PROMPT_MAX_BYTES (1024 * 1024) /* any one text built here */
#define CUT_MARK " …"                  /* ends a shortened passage or turn */

/* Writes the message into err (when errlen > 0) and returns -1. */
__attribute__((format(printf, 3, 4))) static inline int errf(char *err, size_t errlen, const char *fmt, ...)
{
	if (errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* True for "en", "en-…" and "en_…" (prompt.h, "Languages"). */
static inline bool lang_en(const char *lang)
{
	return lang && lang[0] == 'e' && lang[1] == 'n' && (lang[2] == '\0' || lang[2] == '-' || lang[2] == '_');
}

static inline bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* ---- cleaning values (prompt_template.c) -------------------------------------------------------- */

/* Byte offset of code point `chars` in s (or len when it has fewer). */
size_t pt_char_offset(const char *s, size_t len, size_t chars);
/* The cleaned copy of `s` (prompt.h, "Values"), owned by the caller; `line`: a single-line value;
 * cut at `max_chars` (0: no limit) at a word boundary, marked CUT_MARK. NULL `s` gives "". Returns NULL
 * when memory runs out. */
char *pt_clean(const char *s, bool line, size_t max_chars);

/* ---- template (prompt_template.c) --------------------------------------------------------------- */

/* The placeholders, in the order of the names in prompt_template.c. */
enum var {
	V_DATE, V_BOT_NAME, V_COMPANY_NAME, V_COMPANY, V_HOURS, V_CONTACT_NAME, V_CONTACT, V_SOURCES, V_STYLE,
	V_STYLE_PROFESSIONAL, V_STYLE_FRIENDLY, V_STYLE_TECHNICAL, V_STYLE_CASUAL, V_DU, V_LANGUAGE, V_ADDITIONS,
	NVARS
};

/* Renders `t` with `vals` (indexed by enum var; NULL or "" is empty) into `out`; with vals NULL only
 * checks the tags. Sets *uses_sources when a {{sources}} placeholder occurs. Returns 0, or -1 with a
 * message naming the line. */
int pt_render(const char *t, const char *const *vals, struct strbuf *out, bool *uses_sources, char *err,
	      size_t errlen);
/* In place: trailing blanks of each line removed, at most one blank line in a row, no blank lines or
 * whitespace at either end. */
void pt_tidy(struct strbuf *b);

#endif
