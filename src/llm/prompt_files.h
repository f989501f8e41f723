/*
 * prompt_files.h — the prompt templates (prompts/NAME.txt), embedded into the binary at build time by
 * tools/embed.c (`embed text prompt_files OUT.c FILE...`, see the Makefile) as build/gen/prompt_files.c.
 * Read them through prompt_default_template (llm/prompt.h).
 */
#ifndef BOTWERK_LLM_PROMPT_FILES_H
#define BOTWERK_LLM_PROMPT_FILES_H

#include <stddef.h>

struct embedded_text {
	const char *name; /* base name of the file, e.g. "chat.de.txt" */
	const char *text; /* its whole content, NUL-terminated (the file holds no NUL byte) */
};

/* In file-name order, then {NULL, NULL}. */
extern const struct embedded_text prompt_files[];
extern const size_t prompt_files_count;

#endif
