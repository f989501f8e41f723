/* Questions the knowledge does not answer: see offtopic_eval.h. */
#include "offtopic_eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

#define MAX_KINDS 8

struct tally {
	char name[32];
	int n, answered;
};

static struct tally *tally_for(struct tally *t, int *nt, const char *kind)
{
	for (int i = 0; i < *nt; i++)
		if (strcmp(t[i].name, kind) == 0)
			return &t[i];
	if (*nt == MAX_KINDS)
		return NULL;
	struct tally *n = &t[(*nt)++];
	snprintf(n->name, sizeof n->name, "%s", kind);
	return n;
}

int offtopic_eval_run(const char *path, struct terms *t, struct store *st, const struct answer_bot *bot,
		      bool verbose)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "retrieval_eval: cannot read %s\n", path);
		return -1;
	}
	struct tally all = {.name = "all"}, kinds[MAX_KINDS] = {{.n = 0}};
	int nkinds = 0, rc = 0, lineno = 0;
	char *line = NULL;
	size_t cap = 0;
	if (verbose)
		printf("\nquestions the knowledge does not answer, answered anyway:\n");
	while (rc == 0 && getline(&line, &cap, f) > 0) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		char *tab = strchr(line, '\t');
		if (tab)
			*tab = '\0';
		struct tally *k = tally_for(kinds, &nkinds, tab && tab[1] ? tab + 1 : "-");
		if (!k || !line[0]) {
			fprintf(stderr, "retrieval_eval: %s:%d: expected question, tab, kind (at most %d kinds)\n", path,
				lineno, MAX_KINDS);
			rc = -1;
			break;
		}
		struct answer a;
		if (answer_question(t, st, bot, line, &a) != STORE_OK) {
			fprintf(stderr, "retrieval_eval: answer_question failed\n");
			rc = -1;
			break;
		}
		bool answered = a.type == ANSWER_EXTRACTIVE;
		all.n++, k->n++;
		all.answered += answered, k->answered += answered;
		if (verbose && answered)
			printf("  [%s] %s  → %s (%.2f)\n", k->name, line, a.nsources ? a.sources[0].title : "?",
			       a.nsources ? a.sources[0].score : 0.0);
		answer_clear(&a);
	}
	free(line);
	fclose(f);
	if (rc != 0)
		return rc;
	printf("\nquestions the knowledge does not answer (%s): answered anyway instead of the fallback\n", path);
	printf("  %-14s %4d   %4d   %6.3f\n", all.name, all.n, all.answered, all.n ? (double)all.answered / all.n : 0.0);
	for (int i = 0; i < nkinds; i++)
		printf("  %-14s %4d   %4d   %6.3f\n", kinds[i].name, kinds[i].n, kinds[i].answered,
		       kinds[i].n ? (double)kinds[i].answered / kinds[i].n : 0.0);
	return 0;
}
