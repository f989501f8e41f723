/*
 * offtopic_eval — the other side of retrieval_eval's recall: how often a question the knowledge does not
 * answer still gets an extractive answer (made of a passage that merely shares a word) instead of the
 * bot's fallback. Part of build/tools/retrieval_eval (docs/quality.md).
 */
#ifndef BOTWERK_TOOLS_OFFTOPIC_EVAL_H
#define BOTWERK_TOOLS_OFFTOPIC_EVAL_H

#include <stdbool.h>

#include "rag/answer.h"

/* Asks every question of `path` (one per line: question, tab, kind; '#' comments) through answer_question
 * with `bot` and prints how many were answered rather than given the fallback, overall and per kind; with
 * `verbose` also each one answered and the source its first passage came from. Returns 0, or -1 when the
 * file cannot be read or the store fails (said on stderr). */
int offtopic_eval_run(const char *path, struct terms *t, struct store *st, const struct answer_bot *bot,
		      bool verbose);

#endif
