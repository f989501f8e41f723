/*
 * flow_check.c — reading and validating a flow document into the compiled form of flow_int.h
 * (flow_parse, see flow.h; the format and every error code are described in docs/flows.md).
 *
 * The document is deep-copied first and every string of the compiled flow points into that copy, which
 * the flow owns. Checking goes in three passes: the top level and the node ids (so transitions can be
 * resolved), every node on its own (types, texts, answers, actions, transitions), then the graph
 * (reachability from the start, loops of messages). The graph pass runs only when every transition
 * resolved, so one wrong target does not also report the nodes behind it as unreachable. Errors and the
 * checked reading of members are in flow_check_read.c.
 */
#include "conv/flow_check_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv/words.h"

#define NAME_MAX_CHARS 100
#define NOTE_MAX_CHARS 1000
#define REASON_MAX_CHARS 200
#define CHOICE_ID_MAX 64
#define TEMPLATE_MAX 512
#define TASK_MAX 40
#define VALUE_MAX_CHARS 1000

/* Built-in texts (German, formal), replaced by the document's "texts". */
static const char *const default_retry[FLOW_ANS_KINDS] = {
	[FLOW_ANS_YES_NO] = "Entschuldigung, das habe ich nicht ganz verstanden. Ein kurzes „Ja“ oder „Nein“ "
			    "genügt mir schon.",
	[FLOW_ANS_NUMBER] = "Entschuldigung, das habe ich nicht ganz verstanden. Eine grobe Zahl reicht mir, zum "
			    "Beispiel „ca. 50“ oder „200“.",
	[FLOW_ANS_CHOICE] = "Entschuldigung, das habe ich nicht ganz verstanden. Tippen Sie bitte auf eine der "
			    "Antworten oder schreiben Sie mir ihre Nummer.",
	[FLOW_ANS_FREE_TEXT] = "Entschuldigung, da ist bei mir nichts angekommen. Schreiben Sie mir Ihre Antwort "
			       "gern in ein paar Worten.",
};
static const char default_handover[] = "Ich glaube, hier hilft Ihnen jemand aus unserem Team besser weiter. "
				       "Ich gebe Ihr Anliegen weiter – wir melden uns so bald wie möglich bei Ihnen.";

static const char *const kind_names[FLOW_ANS_KINDS] = {"yes_no", "number", "choice", "free_text"};
static const char *const action_names[] = {
	[FLOW_ACT_SET_FIELD] = "set_field", [FLOW_ACT_QUALIFY] = "qualify",
	[FLOW_ACT_DISQUALIFY] = "disqualify", [FLOW_ACT_HANDOVER] = "handover",
	[FLOW_ACT_START_BOOKING] = "start_booking", [FLOW_ACT_SCHEDULE] = "schedule",
};
#define ACTION_KINDS ((int)(sizeof action_names / sizeof action_names[0]))

const char *flow_action_name(enum flow_action_kind k)
{
	return (int)k >= 0 && (int)k < ACTION_KINDS ? action_names[k] : "?";
}

/* ---- actions ------------------------------------------------------------------------------------ */

static void parse_action(struct pctx *c, struct flow_act_def *a, json_t *o, const char *path)
{
	static const char *const keys[][5] = {
		[FLOW_ACT_SET_FIELD] = {"do", "field", "value", NULL},
		[FLOW_ACT_QUALIFY] = {"do", "reason", NULL},
		[FLOW_ACT_DISQUALIFY] = {"do", "reason", NULL},
		[FLOW_ACT_HANDOVER] = {"do", "reason", NULL},
		[FLOW_ACT_START_BOOKING] = {"do", NULL},
		[FLOW_ACT_SCHEDULE] = {"do", "task", "delay_minutes", "template", NULL},
	};
	char p[FC_PATH_MAX], sh[48];
	if (!json_is_object(o)) {
		fc_fail(c, path, "bad_type", "an action is an object {\"do\": ...}");
		return;
	}
	const char *what = fc_get_str(c, o, "do", path, true, 40, true);
	if (!what)
		return;
	int k = 0;
	while (k < ACTION_KINDS && strcmp(what, action_names[k]))
		k++;
	if (k == ACTION_KINDS) {
		fc_fail(c, fc_pathf(p, "%s.do", path), "unknown_action",
		     "unknown action \"%s\" (set_field, qualify, disqualify, handover, start_booking, schedule)",
		     fc_show(what, sh));
		return;
	}
	a->kind = (enum flow_action_kind)k;
	fc_check_keys(c, o, keys[k], path);
	switch (a->kind) {
	case FLOW_ACT_SET_FIELD: {
		a->field = fc_get_str(c, o, "field", path, true, FLOW_FIELD_MAX, true);
		if (a->field && !fc_field_ok(a->field)) {
			fc_fail(c, fc_pathf(p, "%s.field", path), "bad_id", "a field name is 1 to %d of a-z and _",
			     FLOW_FIELD_MAX);
			a->field = NULL;
		}
		json_t *v = json_object_get(o, "value");
		if (!v)
			fc_fail(c, path, "missing", "\"value\" is required");
		else if (json_is_object(v) || json_is_array(v))
			fc_fail(c, fc_pathf(p, "%s.value", path), "bad_type", "a value is a string, number, true, false or null");
		else if (json_is_string(v))
			a->value = fc_get_str(c, o, "value", path, false, VALUE_MAX_CHARS, false) ? v : NULL;
		else
			a->value = v;
		break;
	}
	case FLOW_ACT_DISQUALIFY:
	case FLOW_ACT_QUALIFY:
	case FLOW_ACT_HANDOVER:
		a->reason = fc_get_str(c, o, "reason", path, a->kind == FLOW_ACT_DISQUALIFY, REASON_MAX_CHARS, true);
		break;
	case FLOW_ACT_START_BOOKING:
		break;
	case FLOW_ACT_SCHEDULE: {
		a->task = fc_get_str(c, o, "task", path, true, TASK_MAX, true);
		if (a->task && !fc_id_ok(a->task, TASK_MAX, "a0", "_"))
			fc_fail(c, fc_pathf(p, "%s.task", path), "bad_id", "a task is 1 to %d of a-z, 0-9 and _", TASK_MAX);
		long long minutes = 0;
		if (fc_get_int(c, o, "delay_minutes", path, true, 0, FLOW_DELAY_MAX_MINUTES, &minutes))
			a->delay_ms = (int64_t)minutes * 60000;
		a->template_name = fc_get_str(c, o, "template", path, false, TEMPLATE_MAX, true);
		if (a->template_name && !fc_id_ok(a->template_name, TEMPLATE_MAX, "a0", "_"))
			fc_fail(c, fc_pathf(p, "%s.template", path), "bad_id", "a template name is a-z, 0-9 and _");
		break;
	}
	}
}

static void parse_actions(struct pctx *c, struct flow_node *n, json_t *arr, const char *path)
{
	char p[FC_PATH_MAX];
	if (!json_is_array(arr)) {
		fc_fail(c, path, "bad_type", "\"actions\" is an array");
		return;
	}
	if (json_array_size(arr) > FLOW_ACTIONS_MAX) {
		fc_fail(c, path, "too_many", "at most %d actions per node", FLOW_ACTIONS_MAX);
		return;
	}
	for (size_t i = 0; i < json_array_size(arr); i++)
		parse_action(c, &n->actions[n->nactions++], json_array_get(arr, i), fc_pathf(p, "%s[%zu]", path, i));
}

/* ---- answers ------------------------------------------------------------------------------------ */

static int cmp_bucket(const void *a, const void *b)
{
	const struct flow_bucket *x = a, *y = b;
	return x->min < y->min ? -1 : x->min > y->min ? 1 : x->max < y->max ? -1 : x->max > y->max;
}

static void parse_buckets(struct pctx *c, struct flow_answer_def *a, json_t *arr, const char *path)
{
	static const char *const keys[] = {"min", "max", "next", NULL};
	char p[FC_PATH_MAX];
	if (!arr) {
		fc_fail(c, path, "missing_transition", "a number answer needs \"buckets\"");
		c->edges_incomplete = true;
		return;
	}
	if (!json_is_array(arr) || json_array_size(arr) == 0) {
		fc_fail(c, path, "bad_type", "\"buckets\" is a non-empty array");
		c->edges_incomplete = true;
		return;
	}
	if (json_array_size(arr) > FLOW_BUCKETS_MAX) {
		fc_fail(c, path, "too_many", "at most %d buckets", FLOW_BUCKETS_MAX);
		c->edges_incomplete = true;
		return;
	}
	bool ok = true;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *o = json_array_get(arr, i);
		struct flow_bucket *b = &a->buckets[a->nbuckets++];
		fc_pathf(p, "%s[%zu]", path, i);
		b->min = 0;
		b->max = LLONG_MAX;
		b->next = -1;
		if (!json_is_object(o)) {
			fc_fail(c, p, "bad_type", "a bucket is an object {\"min\", \"max\", \"next\"}");
			ok = false;
			c->edges_incomplete = true;
			continue;
		}
		fc_check_keys(c, o, keys, p);
		int before = c->n;
		if (json_object_get(o, "min"))
			fc_get_int(c, o, "min", p, false, 0, FLOW_NUMBER_MAX, &b->min);
		if (json_object_get(o, "max"))
			fc_get_int(c, o, "max", p, false, 0, FLOW_NUMBER_MAX, &b->max);
		if (c->n == before && b->min > b->max)
			fc_fail(c, p, "bad_value", "\"min\" %lld is above \"max\" %lld", b->min, b->max);
		ok = ok && c->n == before;
		b->next = fc_target(c, o, "next", fc_pathf(p, "%s[%zu]", path, i));
	}
	if (!ok)
		return;
	qsort(a->buckets, (size_t)a->nbuckets, sizeof a->buckets[0], cmp_bucket);
	const struct flow_bucket *b = a->buckets;
	if (b[0].min > 0)
		fc_fail(c, path, "bucket_gap", "no bucket holds the numbers 0 to %lld", b[0].min - 1);
	for (int i = 1; i < a->nbuckets; i++) {
		if (b[i].min <= b[i - 1].max)
			fc_fail(c, path, "bucket_overlap", "two buckets hold the numbers %lld to %lld", b[i].min,
			     b[i].max < b[i - 1].max ? b[i].max : b[i - 1].max);
		else if (b[i].min - 1 > b[i - 1].max)
			fc_fail(c, path, "bucket_gap", "no bucket holds the numbers %lld to %lld", b[i - 1].max + 1,
			     b[i].min - 1);
	}
	if (b[a->nbuckets - 1].max != LLONG_MAX)
		fc_fail(c, path, "bucket_gap", "no bucket holds the numbers above %lld (leave out \"max\" in the last)",
		     b[a->nbuckets - 1].max);
}

static void parse_choices(struct pctx *c, struct flow_answer_def *a, json_t *arr, const char *path)
{
	static const char *const keys[] = {"id", "title", "description", "next", NULL};
	char p[FC_PATH_MAX], sh[48];
	if (!arr || !json_is_array(arr) || json_array_size(arr) == 0) {
		fc_fail(c, path, arr ? "bad_type" : "missing_transition", "a choice answer needs a non-empty array \"choices\"");
		c->edges_incomplete = true;
		return;
	}
	size_t n = json_array_size(arr);
	if (n > FLOW_CHOICES_MAX) {
		fc_fail(c, path, "too_many", "at most %d choices (a WhatsApp list holds %d rows)", FLOW_CHOICES_MAX,
		     FLOW_CHOICES_MAX);
		c->edges_incomplete = true;
		return;
	}
	bool list = n > FLOW_BUTTONS_MAX;
	char folded[FLOW_CHOICES_MAX][128];
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(arr, i);
		struct flow_choice *ch = &a->choices[a->nchoices++];
		ch->next = -1;
		folded[i][0] = '\0';
		fc_pathf(p, "%s[%zu]", path, i);
		if (!json_is_object(o)) {
			fc_fail(c, p, "bad_type", "a choice is an object {\"id\", \"title\", \"next\"}");
			c->edges_incomplete = true;
			continue;
		}
		fc_check_keys(c, o, keys, p);
		ch->id = fc_get_str(c, o, "id", p, true, CHOICE_ID_MAX, true);
		if (ch->id && !fc_id_ok(ch->id, CHOICE_ID_MAX, "aA0", "_-.:")) {
			fc_fail(c, fc_pathf(p, "%s[%zu].id", path, i), "bad_id", "a choice id is 1 to %d of a-z, A-Z, 0-9, _-.:",
			     CHOICE_ID_MAX);
			ch->id = NULL;
		}
		for (size_t k = 0; ch->id && k < i; k++)
			if (a->choices[k].id && !strcmp(a->choices[k].id, ch->id))
				fc_fail(c, fc_pathf(p, "%s[%zu].id", path, i), "duplicate_id", "choice id \"%s\" is used twice",
				     fc_show(ch->id, sh));
		ch->title = fc_get_str(c, o, "title", fc_pathf(p, "%s[%zu]", path, i), true,
				    list ? FLOW_ROW_TITLE_MAX : FLOW_BUTTON_TITLE_MAX, true);
		if (ch->title) {
			flow_fold_join(ch->title, folded[i], sizeof folded[i]);
			for (size_t k = 0; k < i && folded[i][0]; k++)
				if (!strcmp(folded[k], folded[i]))
					fc_fail(c, fc_pathf(p, "%s[%zu].title", path, i), "duplicate_title",
					     "two choices have the title \"%s\": visitors could not tell them apart",
					     fc_show(ch->title, sh));
		}
		if (json_object_get(o, "description") && !list)
			fc_fail(c, fc_pathf(p, "%s[%zu].description", path, i), "misplaced",
			     "descriptions show only in a list (more than %d choices)", FLOW_BUTTONS_MAX);
		else
			ch->description = fc_get_str(c, o, "description", fc_pathf(p, "%s[%zu]", path, i), false,
						  FLOW_ROW_DESC_MAX, true);
		ch->next = fc_target(c, o, "next", fc_pathf(p, "%s[%zu]", path, i));
	}
}

static void parse_answer(struct pctx *c, struct flow_node *n, json_t *o, const char *path)
{
	static const char *const keys[FLOW_ANS_KINDS][8] = {
		[FLOW_ANS_YES_NO] = {"kind", "field", "retry", "yes", "no", "yes_title", "no_title", NULL},
		[FLOW_ANS_NUMBER] = {"kind", "field", "retry", "buckets", "period", NULL},
		[FLOW_ANS_CHOICE] = {"kind", "field", "retry", "choices", "list_button", NULL},
		[FLOW_ANS_FREE_TEXT] = {"kind", "field", "retry", "next", NULL},
	};
	static const char *const periods[] = {"", "day", "week", "month", "year"};
	struct flow_answer_def *a = &n->answer;
	char p[FC_PATH_MAX], sh[48];
	a->yes = a->no = a->next = -1;
	if (!json_is_object(o)) {
		fc_fail(c, path, "bad_type", "\"answer\" is an object {\"kind\": ...}");
		c->edges_incomplete = true;
		return;
	}
	const char *kind = fc_get_str(c, o, "kind", path, true, 20, true);
	int k = 0;
	while (kind && k < FLOW_ANS_KINDS && strcmp(kind, kind_names[k]))
		k++;
	if (!kind || k == FLOW_ANS_KINDS) {
		if (kind)
			fc_fail(c, fc_pathf(p, "%s.kind", path), "unknown_kind",
			     "unknown answer kind \"%s\" (yes_no, number, choice, free_text)", fc_show(kind, sh));
		c->edges_incomplete = true;
		return;
	}
	a->kind = (enum flow_answer_kind)k;
	fc_check_keys(c, o, keys[k], path);
	a->field = fc_get_str(c, o, "field", path, false, FLOW_FIELD_MAX, true);
	if (a->field && !fc_field_ok(a->field)) {
		fc_fail(c, fc_pathf(p, "%s.field", path), "bad_id", "a field name is 1 to %d of a-z and _", FLOW_FIELD_MAX);
		a->field = NULL;
	}
	a->retry = fc_get_str(c, o, "retry", path, false, FLOW_TEXT_MAX, false);
	if (a->retry)
		fc_check_placeholders(c, a->retry, fc_pathf(p, "%s.retry", path));
	switch (a->kind) {
	case FLOW_ANS_YES_NO:
		a->yes = fc_target(c, o, "yes", path);
		a->no = fc_target(c, o, "no", path);
		a->yes_title = fc_get_str(c, o, "yes_title", path, false, FLOW_BUTTON_TITLE_MAX, true);
		a->no_title = fc_get_str(c, o, "no_title", path, false, FLOW_BUTTON_TITLE_MAX, true);
		if (!a->yes_title)
			a->yes_title = "Ja";
		if (!a->no_title)
			a->no_title = "Nein";
		{
			char yt[128], nt[128];
			flow_fold_join(a->yes_title, yt, sizeof yt);
			flow_fold_join(a->no_title, nt, sizeof nt);
			if (!strcmp(yt, nt))
				fc_fail(c, fc_member(p, path, "no_title"), "duplicate_title",
				     "the yes and no buttons need different titles");
		}
		break;
	case FLOW_ANS_NUMBER: {
		parse_buckets(c, a, json_object_get(o, "buckets"), fc_pathf(p, "%s.buckets", path));
		const char *per = fc_get_str(c, o, "period", path, false, 10, true);
		for (int i = 1; per && i < (int)(sizeof periods / sizeof periods[0]); i++)
			if (!strcmp(per, periods[i]))
				a->period = (enum flow_period)i;
		if (per && a->period == FLOW_PERIOD_NONE)
			fc_fail(c, fc_pathf(p, "%s.period", path), "bad_value", "\"period\" is day, week, month or year");
		break;
	}
	case FLOW_ANS_CHOICE:
		parse_choices(c, a, json_object_get(o, "choices"), fc_pathf(p, "%s.choices", path));
		a->list_button = fc_get_str(c, o, "list_button", path, false, FLOW_BUTTON_TITLE_MAX, true);
		if (!a->list_button)
			a->list_button = "Auswählen";
		break;
	case FLOW_ANS_FREE_TEXT:
	case FLOW_ANS_KINDS:
		a->next = fc_target(c, o, "next", path);
		break;
	}
}

/* ---- nodes -------------------------------------------------------------------------------------- */

static void parse_node(struct pctx *c, struct flow_node *n, json_t *o)
{
	static const char *const keys[] = {"type", "text", "template", "next", "answer", "actions", "note", NULL};
	static const char *const types[] = {"message", "question", "end"};
	char p[FC_PATH_MAX], base[FC_PATH_MAX], sh[48];
	n->next = -1;
	n->answer.yes = n->answer.no = n->answer.next = -1;
	fc_pathf(base, "nodes.%s", n->id);
	if (!json_is_object(o)) {
		fc_fail(c, base, "bad_type", "a node is an object {\"type\": ...}");
		c->edges_incomplete = true;
		return;
	}
	fc_check_keys(c, o, keys, base);
	fc_get_str(c, o, "note", base, false, NOTE_MAX_CHARS, false);
	const char *type = fc_get_str(c, o, "type", base, true, 20, true);
	int t = 0;
	while (type && t < 3 && strcmp(type, types[t]))
		t++;
	if (!type || t == 3) {
		if (type)
			fc_fail(c, fc_pathf(p, "%s.type", base), "unknown_type", "unknown node type \"%s\" (message, question, end)",
			     fc_show(type, sh));
		c->edges_incomplete = true;
		return;
	}
	n->type = (enum flow_node_type)t;
	json_t *next = json_object_get(o, "next"), *answer = json_object_get(o, "answer");
	size_t limit = FLOW_TEXT_MAX;
	switch (n->type) {
	case FLOW_NODE_MESSAGE:
		n->next = fc_target(c, o, "next", base);
		if (answer)
			fc_fail(c, fc_pathf(p, "%s.answer", base), "misplaced", "a message has no answer: make it a question");
		break;
	case FLOW_NODE_QUESTION:
		if (!answer) {
			fc_fail(c, base, "missing", "a question needs an \"answer\"");
			c->edges_incomplete = true;
		} else {
			parse_answer(c, n, answer, fc_pathf(p, "%s.answer", base));
			if (n->answer.kind == FLOW_ANS_YES_NO || n->answer.kind == FLOW_ANS_CHOICE)
				limit = FLOW_BODY_MAX; /* sent as an interactive message */
		}
		if (next)
			fc_fail(c, fc_pathf(p, "%s.next", base), "misplaced",
			     "a question moves on by its answer (\"answer.next\" for free text)");
		break;
	case FLOW_NODE_END:
		if (next)
			fc_fail(c, fc_pathf(p, "%s.next", base), "end_has_transition", "an end node has no \"next\"");
		if (answer)
			fc_fail(c, fc_pathf(p, "%s.answer", base), "end_has_transition", "an end node has no \"answer\"");
		break;
	}
	n->text = fc_get_str(c, o, "text", base, n->type != FLOW_NODE_END, limit, false);
	if (n->text)
		fc_check_placeholders(c, n->text, fc_pathf(p, "%s.text", base));
	n->template_name = fc_get_str(c, o, "template", base, false, TEMPLATE_MAX, true);
	if (n->template_name && !fc_id_ok(n->template_name, TEMPLATE_MAX, "a0", "_"))
		fc_fail(c, fc_pathf(p, "%s.template", base), "bad_id", "a template name is a-z, 0-9 and _");
	json_t *actions = json_object_get(o, "actions");
	if (actions)
		parse_actions(c, n, actions, fc_pathf(p, "%s.actions", base));
}

/* ---- the graph ---------------------------------------------------------------------------------- */

static int edges(const struct flow_node *n, int out[FLOW_CHOICES_MAX + 2])
{
	int k = 0;
	if (n->type == FLOW_NODE_MESSAGE) {
		out[k++] = n->next;
	} else if (n->type == FLOW_NODE_QUESTION) {
		const struct flow_answer_def *a = &n->answer;
		switch (a->kind) {
		case FLOW_ANS_YES_NO:
			out[k++] = a->yes;
			out[k++] = a->no;
			break;
		case FLOW_ANS_NUMBER:
			for (int i = 0; i < a->nbuckets; i++)
				out[k++] = a->buckets[i].next;
			break;
		case FLOW_ANS_CHOICE:
			for (int i = 0; i < a->nchoices; i++)
				out[k++] = a->choices[i].next;
			break;
		case FLOW_ANS_FREE_TEXT:
		case FLOW_ANS_KINDS:
			out[k++] = a->next;
			break;
		}
	}
	return k;
}

static void check_graph(struct pctx *c, int *mark, int *queue)
{
	struct flow *f = c->f;
	char p[FC_PATH_MAX], sh[48], sh2[48];
	int head = 0, tail = 0, out[FLOW_CHOICES_MAX + 2];
	memset(mark, 0, sizeof *mark * (size_t)f->nnodes);
	mark[f->start] = 1;
	queue[tail++] = f->start;
	while (head < tail) {
		int k = edges(&f->nodes[queue[head++]], out);
		for (int i = 0; i < k; i++)
			if (out[i] >= 0 && !mark[out[i]]) {
				mark[out[i]] = 1;
				queue[tail++] = out[i];
			}
	}
	for (int i = 0; i < f->nnodes; i++)
		if (!mark[i])
			fc_fail(c, fc_pathf(p, "nodes.%s", f->nodes[i].id), "unreachable",
			     "node \"%s\" cannot be reached from the start node \"%s\"", fc_show(f->nodes[i].id, sh),
			     fc_show(f->nodes[f->start].id, sh2));
	/* Loops of messages: follow "next" from every message not yet walked; meeting a node of the same walk
	 * again is a loop that would send messages for ever. */
	memset(mark, 0, sizeof *mark * (size_t)f->nnodes);
	int walk = 0;
	for (int i = 0; i < f->nnodes; i++) {
		if (f->nodes[i].type != FLOW_NODE_MESSAGE || mark[i])
			continue;
		walk++;
		int j = i;
		while (j >= 0 && f->nodes[j].type == FLOW_NODE_MESSAGE && !mark[j]) {
			mark[j] = walk;
			j = f->nodes[j].next;
		}
		if (j < 0 || f->nodes[j].type != FLOW_NODE_MESSAGE || mark[j] != walk)
			continue;
		char cycle[160] = "";
		int k = j, shown = 0;
		do {
			size_t len = strlen(cycle);
			snprintf(cycle + len, sizeof cycle - len, "%s%s", shown ? " → " : "", fc_show(f->nodes[k].id, sh));
			k = f->nodes[k].next;
		} while (k != j && ++shown < 4);
		fc_fail(c, fc_pathf(p, "nodes.%s.next", f->nodes[j].id), "message_loop",
		     "messages loop without a question in between: %s%s → %s", cycle, k == j ? "" : " → …",
		     fc_show(f->nodes[j].id, sh2));
	}
}

/* ---- the document ------------------------------------------------------------------------------- */

static void parse_texts(struct pctx *c, json_t *o)
{
	static const char *const keys[] = {"retry_yes_no", "retry_number", "retry_choice", "retry_free_text",
					   "handover", NULL};
	char p[FC_PATH_MAX];
	if (!json_is_object(o)) {
		fc_fail(c, "texts", "bad_type", "\"texts\" is an object");
		return;
	}
	fc_check_keys(c, o, keys, "texts");
	for (int i = 0; keys[i]; i++) {
		const char *s = fc_get_str(c, o, keys[i], "texts", false, FLOW_TEXT_MAX, false);
		if (!s)
			continue;
		fc_check_placeholders(c, s, fc_pathf(p, "texts.%s", keys[i]));
		if (i < FLOW_ANS_KINDS)
			c->f->retry_text[i] = s;
		else
			c->f->handover_text = s;
	}
}

static void parse_doc(struct pctx *c)
{
	static const char *const keys[] = {"version", "name", "description", "start", "texts", "nodes", NULL};
	struct flow *f = c->f;
	json_t *doc = f->doc;
	char sh[48];
	if (!json_is_object(doc)) {
		fc_fail(c, "", "bad_type", "a flow is a JSON object");
		return;
	}
	fc_check_keys(c, doc, keys, "");
	json_t *v = json_object_get(doc, "version");
	if (!v)
		fc_fail(c, "version", "missing", "\"version\": 1 is required");
	else if (!json_is_integer(v) || json_integer_value(v) != 1)
		fc_fail(c, "version", "bad_version", "this server reads flows of version 1");
	f->name = fc_get_str(c, doc, "name", "", false, NAME_MAX_CHARS, true);
	fc_get_str(c, doc, "description", "", false, NOTE_MAX_CHARS, false);
	for (int i = 0; i < FLOW_ANS_KINDS; i++)
		f->retry_text[i] = default_retry[i];
	f->handover_text = default_handover;
	if (json_object_get(doc, "texts"))
		parse_texts(c, json_object_get(doc, "texts"));
	const char *start = fc_get_str(c, doc, "start", "", true, FLOW_ID_MAX - 1, true);
	json_t *nodes = json_object_get(doc, "nodes");
	if (!nodes || !json_is_object(nodes) || json_object_size(nodes) == 0) {
		fc_fail(c, "nodes", nodes ? "bad_type" : "missing", "\"nodes\" is a non-empty object of nodes by id");
		return;
	}
	if (json_object_size(nodes) > FLOW_NODES_MAX) {
		fc_fail(c, "nodes", "too_many", "the flow has %zu nodes, at most %d are allowed", json_object_size(nodes),
		     FLOW_NODES_MAX);
		return;
	}
	f->nodes = calloc(json_object_size(nodes), sizeof *f->nodes);
	int *mark = calloc(json_object_size(nodes), sizeof *mark);
	int *queue = calloc(json_object_size(nodes), sizeof *queue);
	if (!f->nodes || !mark || !queue) {
		fc_fail(c, "", "no_memory", "out of memory");
		goto out;
	}
	const char *key;
	json_t *node;
	json_object_foreach(nodes, key, node) {
		(void)node;
		if (!fc_id_ok(key, FLOW_ID_MAX - 1, "aA0", "_-"))
			fc_fail(c, "nodes", "bad_id", "node id \"%s\" is not 1 to %d of a-z, A-Z, 0-9, _ and -", fc_show(key, sh),
			     FLOW_ID_MAX - 1);
		f->nodes[f->nnodes++].id = key;
	}
	f->start = start ? flow_node_index(f, start) : -1;
	if (start && f->start < 0)
		fc_fail(c, "start", "unknown_node", "the start node \"%s\" is not a node of this flow", fc_show(start, sh));
	int i = 0;
	json_object_foreach(nodes, key, node)
		parse_node(c, &f->nodes[i++], node);
	if (f->start >= 0 && !c->edges_incomplete)
		check_graph(c, mark, queue); /* other errors do not hide the graph's */
out:
	free(mark);
	free(queue);
}

struct flow *flow_parse(const json_t *doc, struct flow_error *errs, int max_errs, int *nerrs)
{
	struct pctx c = {.errs = errs, .max = errs ? max_errs : 0};
	struct flow *f = NULL;
	size_t size = doc ? json_dumpb(doc, NULL, 0, JSON_COMPACT) : 0;
	if (!doc || !size) {
		fc_fail(&c, "", "bad_type", "no flow document");
	} else if (size > FLOW_DOC_MAX) { /* checked before anything is copied */
		fc_fail(&c, "", "too_large", "the flow has %zu bytes, at most %d are allowed", size, FLOW_DOC_MAX);
	} else if (!(f = calloc(1, sizeof *f)) || !(f->doc = json_deep_copy(doc))) {
		fc_fail(&c, "", "no_memory", "out of memory");
	} else {
		c.f = f;
		parse_doc(&c);
	}
	if (nerrs)
		*nerrs = c.n;
	if (c.n) {
		flow_free(f);
		return NULL;
	}
	return f;
}

void flow_free(struct flow *f)
{
	if (!f)
		return;
	json_decref(f->doc);
	free(f->nodes);
	free(f);
}

const char *flow_name(const struct flow *f)
{
	return f && f->name ? f->name : "";
}
