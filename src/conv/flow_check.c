/*
 * flow_check.c — reading and validating a flow document into the compiled form of flow_int.h
 * (flow_parse, see flow.h; the format and every error code are described in docs/flows.md).
 *
 * The document is deep-copied first and every string of the compiled flow points into that copy, which
 * the flow owns. Checking goes in three passes: the top level and the node ids (so transitions can be
 * resolved), every node on its own (types, texts, answers, actions, transitions), then the graph
 * (reachability from the start, loops of messages). The graph pass runs only when every transition
 * resolved, so one wrong target does not also report the nodes behind it as unreachable.
 */
#include "conv/flow_int.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv/words.h"

#define PATH_MAX_ 160
#define NAME_MAX_CHARS 100
#define NOTE_MAX_CHARS 1000
#define REASON_MAX_CHARS 200
#define CHOICE_ID_MAX 64
#define TEMPLATE_MAX 512
#define TASK_MAX 40
#define FALLBACK_MAX 100
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

struct pctx {
	struct flow *f;
	struct flow_error *errs;
	int max, n;
	bool edges_incomplete; /* a transition did not resolve: the graph pass is skipped */
};

const char *flow_action_name(enum flow_action_kind k)
{
	return (int)k >= 0 && (int)k < ACTION_KINDS ? action_names[k] : "?";
}

/* Cuts a UTF-8 sequence that snprintf left incomplete at the end of `s`. */
static void trim_tail(char *s)
{
	size_t n = strlen(s), i = n;
	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0 || (unsigned char)s[i - 1] < 0xC0)
		return;
	unsigned char lead = (unsigned char)s[i - 1];
	size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
	if (n - (i - 1) < want)
		s[i - 1] = '\0';
}

__attribute__((format(printf, 4, 5))) static void fail(struct pctx *c, const char *path, const char *code,
						       const char *fmt, ...)
{
	if (c->errs && c->n < c->max) {
		struct flow_error *e = &c->errs[c->n];
		snprintf(e->path, sizeof e->path, "%s", path);
		snprintf(e->code, sizeof e->code, "%s", code);
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->message, sizeof e->message, fmt, ap);
		va_end(ap);
		trim_tail(e->path);
		trim_tail(e->message);
	}
	if (c->n < INT_MAX)
		c->n++;
}

__attribute__((format(printf, 2, 3))) static const char *pathf(char *buf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, PATH_MAX_, fmt, ap);
	va_end(ap);
	return buf;
}

/* A printable copy of at most 40 bytes of `s` for messages (control bytes become '?', a character is never
 * cut in two). */
static const char *show(const char *s, char out[48])
{
	size_t i = 0;
	for (; s[i] && i < 40; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[i] = '\0';
	trim_tail(out);
	return out;
}

/* "parent.key", or "key" at the top level. */
static const char *member(char *buf, const char *parent, const char *key)
{
	snprintf(buf, PATH_MAX_, "%s%s%s", parent, *parent ? "." : "", key);
	return buf;
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

/* Whether `s` is 1..max bytes from the set: 'a' lower-case letters, 'A' upper case too, '0' digits, plus
 * the punctuation in `extra`. */
static bool id_ok(const char *s, size_t max, const char *classes, const char *extra)
{
	size_t n = 0;
	for (; s[n]; n++) {
		char ch = s[n];
		bool ok = (ch >= 'a' && ch <= 'z' && strchr(classes, 'a')) || (ch >= 'A' && ch <= 'Z' && strchr(classes, 'A')) ||
			  (ch >= '0' && ch <= '9' && strchr(classes, '0')) || (extra && strchr(extra, ch));
		if (!ok)
			return false;
	}
	return n >= 1 && n <= max;
}

static bool field_ok(const char *s)
{
	return id_ok(s, FLOW_FIELD_MAX, "a", "_");
}

/* Reports every key of `o` that is not in `allowed`, at "parent.key". */
static void check_keys(struct pctx *c, json_t *o, const char *const *allowed, const char *parent)
{
	const char *key;
	json_t *v;
	char p[PATH_MAX_], sh[48];
	json_object_foreach(o, key, v) {
		(void)v;
		if (!in_list(key, allowed))
			fail(c, member(p, parent, show(key, sh)), "unknown_key", "unknown key \"%s\"", sh);
	}
}

/* Placeholders: {{name}} or {{name|fallback}}; name [a-z_][a-z0-9_]*, at most FLOW_FIELD_MAX. */
static void check_placeholders(struct pctx *c, const char *text, const char *path)
{
	for (const char *p = strstr(text, "{{"); p; p = strstr(p, "{{")) {
		const char *q = p + 2;
		size_t n = 0;
		while ((q[n] >= 'a' && q[n] <= 'z') || q[n] == '_' || (n && q[n] >= '0' && q[n] <= '9'))
			n++;
		const char *r = q + n;
		size_t fb = 0;
		if (*r == '|') {
			r++;
			while (r[fb] && r[fb] != '{' && r[fb] != '}' && r[fb] != '\n')
				fb++;
			r += fb;
		}
		if (n == 0 || n > FLOW_FIELD_MAX || strncmp(r, "}}", 2) || fb > FALLBACK_MAX) {
			fail(c, path, "bad_placeholder",
			     "a placeholder is {{name}} or {{name|fallback}}: name of a-z, 0-9 and _ (at most %d), "
			     "fallback at most %d bytes",
			     FLOW_FIELD_MAX, FALLBACK_MAX);
			return;
		}
		p = r + 2;
	}
}

/* A string member of `o`: absent → NULL (reported when required); checked for type, NUL bytes, blankness,
 * length in characters and (oneline) line breaks. Errors are reported at "parent.key". */
static const char *get_str(struct pctx *c, json_t *o, const char *key, const char *parent, bool required,
			   size_t maxchars, bool oneline)
{
	char p[PATH_MAX_];
	json_t *v = json_object_get(o, key);
	member(p, parent, key);
	if (!v) {
		if (required)
			fail(c, p, "missing", "\"%s\" is required", key);
		return NULL;
	}
	if (!json_is_string(v)) {
		fail(c, p, "bad_type", "\"%s\" must be a string", key);
		return NULL;
	}
	const char *s = json_string_value(v);
	if (strlen(s) != json_string_length(v)) {
		fail(c, p, "bad_text", "\"%s\" must not contain NUL characters", key);
		return NULL;
	}
	if (!s[strspn(s, " \t\r\n")]) {
		fail(c, p, "empty_text", "\"%s\" must not be empty", key);
		return NULL;
	}
	size_t chars = flow_utf8_chars(s);
	if (chars > maxchars) {
		fail(c, p, "text_too_long", "\"%s\" has %zu characters, at most %zu are allowed here", key, chars,
		     maxchars);
		return NULL;
	}
	if (oneline && strpbrk(s, "\r\n")) {
		fail(c, p, "bad_text", "\"%s\" must be one line", key);
		return NULL;
	}
	return s;
}

/* An integer member in [lo, hi]; false when absent (reported when required) or wrong (reported). */
static bool get_int(struct pctx *c, json_t *o, const char *key, const char *parent, bool required, long long lo,
		    long long hi, long long *out)
{
	char p[PATH_MAX_];
	json_t *v = json_object_get(o, key);
	member(p, parent, key);
	if (!v) {
		if (required)
			fail(c, p, "missing", "\"%s\" is required", key);
		return false;
	}
	if (!json_is_integer(v)) {
		fail(c, p, "bad_type", "\"%s\" must be an integer", key);
		return false;
	}
	long long x = json_integer_value(v);
	if (x < lo || x > hi) {
		fail(c, p, "bad_value", "\"%s\" must be between %lld and %lld", key, lo, hi);
		return false;
	}
	*out = x;
	return true;
}

/* The node a transition member names, or -1. Every failure (a required one absent, not a string, not a
 * node) is reported at "parent.key" and marks the graph incomplete. */
static int target(struct pctx *c, json_t *o, const char *key, const char *parent)
{
	char p[PATH_MAX_], sh[48];
	json_t *v = json_object_get(o, key);
	member(p, parent, key);
	bool before = c->edges_incomplete;
	c->edges_incomplete = true; /* until it resolves */
	if (!v) {
		fail(c, p, "missing_transition", "no transition \"%s\": where does the flow go from here?", key);
		return -1;
	}
	if (!json_is_string(v)) {
		fail(c, p, "bad_type", "\"%s\" must be a node id (string)", key);
		return -1;
	}
	int i = flow_node_index(c->f, json_string_value(v));
	if (i < 0) {
		fail(c, p, "unknown_node", "\"%s\" is not a node of this flow", show(json_string_value(v), sh));
		return -1;
	}
	c->edges_incomplete = before;
	return i;
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
	char p[PATH_MAX_], sh[48];
	if (!json_is_object(o)) {
		fail(c, path, "bad_type", "an action is an object {\"do\": ...}");
		return;
	}
	const char *what = get_str(c, o, "do", path, true, 40, true);
	if (!what)
		return;
	int k = 0;
	while (k < ACTION_KINDS && strcmp(what, action_names[k]))
		k++;
	if (k == ACTION_KINDS) {
		fail(c, pathf(p, "%s.do", path), "unknown_action",
		     "unknown action \"%s\" (set_field, qualify, disqualify, handover, start_booking, schedule)",
		     show(what, sh));
		return;
	}
	a->kind = (enum flow_action_kind)k;
	check_keys(c, o, keys[k], path);
	switch (a->kind) {
	case FLOW_ACT_SET_FIELD: {
		a->field = get_str(c, o, "field", path, true, FLOW_FIELD_MAX, true);
		if (a->field && !field_ok(a->field)) {
			fail(c, pathf(p, "%s.field", path), "bad_id", "a field name is 1 to %d of a-z and _",
			     FLOW_FIELD_MAX);
			a->field = NULL;
		}
		json_t *v = json_object_get(o, "value");
		if (!v)
			fail(c, path, "missing", "\"value\" is required");
		else if (json_is_object(v) || json_is_array(v))
			fail(c, pathf(p, "%s.value", path), "bad_type", "a value is a string, number, true, false or null");
		else if (json_is_string(v))
			a->value = get_str(c, o, "value", path, false, VALUE_MAX_CHARS, false) ? v : NULL;
		else
			a->value = v;
		break;
	}
	case FLOW_ACT_DISQUALIFY:
	case FLOW_ACT_QUALIFY:
	case FLOW_ACT_HANDOVER:
		a->reason = get_str(c, o, "reason", path, a->kind == FLOW_ACT_DISQUALIFY, REASON_MAX_CHARS, true);
		break;
	case FLOW_ACT_START_BOOKING:
		break;
	case FLOW_ACT_SCHEDULE: {
		a->task = get_str(c, o, "task", path, true, TASK_MAX, true);
		if (a->task && !id_ok(a->task, TASK_MAX, "a0", "_"))
			fail(c, pathf(p, "%s.task", path), "bad_id", "a task is 1 to %d of a-z, 0-9 and _", TASK_MAX);
		long long minutes = 0;
		if (get_int(c, o, "delay_minutes", path, true, 0, FLOW_DELAY_MAX_MINUTES, &minutes))
			a->delay_ms = (int64_t)minutes * 60000;
		a->template_name = get_str(c, o, "template", path, false, TEMPLATE_MAX, true);
		if (a->template_name && !id_ok(a->template_name, TEMPLATE_MAX, "a0", "_"))
			fail(c, pathf(p, "%s.template", path), "bad_id", "a template name is a-z, 0-9 and _");
		break;
	}
	}
}

static void parse_actions(struct pctx *c, struct flow_node *n, json_t *arr, const char *path)
{
	char p[PATH_MAX_];
	if (!json_is_array(arr)) {
		fail(c, path, "bad_type", "\"actions\" is an array");
		return;
	}
	if (json_array_size(arr) > FLOW_ACTIONS_MAX) {
		fail(c, path, "too_many", "at most %d actions per node", FLOW_ACTIONS_MAX);
		return;
	}
	for (size_t i = 0; i < json_array_size(arr); i++)
		parse_action(c, &n->actions[n->nactions++], json_array_get(arr, i), pathf(p, "%s[%zu]", path, i));
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
	char p[PATH_MAX_];
	if (!arr) {
		fail(c, path, "missing_transition", "a number answer needs \"buckets\"");
		c->edges_incomplete = true;
		return;
	}
	if (!json_is_array(arr) || json_array_size(arr) == 0) {
		fail(c, path, "bad_type", "\"buckets\" is a non-empty array");
		c->edges_incomplete = true;
		return;
	}
	if (json_array_size(arr) > FLOW_BUCKETS_MAX) {
		fail(c, path, "too_many", "at most %d buckets", FLOW_BUCKETS_MAX);
		c->edges_incomplete = true;
		return;
	}
	bool ok = true;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *o = json_array_get(arr, i);
		struct flow_bucket *b = &a->buckets[a->nbuckets++];
		pathf(p, "%s[%zu]", path, i);
		b->min = 0;
		b->max = LLONG_MAX;
		b->next = -1;
		if (!json_is_object(o)) {
			fail(c, p, "bad_type", "a bucket is an object {\"min\", \"max\", \"next\"}");
			ok = false;
			c->edges_incomplete = true;
			continue;
		}
		check_keys(c, o, keys, p);
		int before = c->n;
		if (json_object_get(o, "min"))
			get_int(c, o, "min", p, false, 0, FLOW_NUMBER_MAX, &b->min);
		if (json_object_get(o, "max"))
			get_int(c, o, "max", p, false, 0, FLOW_NUMBER_MAX, &b->max);
		if (c->n == before && b->min > b->max)
			fail(c, p, "bad_value", "\"min\" %lld is above \"max\" %lld", b->min, b->max);
		ok = ok && c->n == before;
		b->next = target(c, o, "next", pathf(p, "%s[%zu]", path, i));
	}
	if (!ok)
		return;
	qsort(a->buckets, (size_t)a->nbuckets, sizeof a->buckets[0], cmp_bucket);
	const struct flow_bucket *b = a->buckets;
	if (b[0].min > 0)
		fail(c, path, "bucket_gap", "no bucket holds the numbers 0 to %lld", b[0].min - 1);
	for (int i = 1; i < a->nbuckets; i++) {
		if (b[i].min <= b[i - 1].max)
			fail(c, path, "bucket_overlap", "two buckets hold the numbers %lld to %lld", b[i].min,
			     b[i].max < b[i - 1].max ? b[i].max : b[i - 1].max);
		else if (b[i].min - 1 > b[i - 1].max)
			fail(c, path, "bucket_gap", "no bucket holds the numbers %lld to %lld", b[i - 1].max + 1,
			     b[i].min - 1);
	}
	if (b[a->nbuckets - 1].max != LLONG_MAX)
		fail(c, path, "bucket_gap", "no bucket holds the numbers above %lld (leave out \"max\" in the last)",
		     b[a->nbuckets - 1].max);
}

static void parse_choices(struct pctx *c, struct flow_answer_def *a, json_t *arr, const char *path)
{
	static const char *const keys[] = {"id", "title", "description", "next", NULL};
	char p[PATH_MAX_], sh[48];
	if (!arr || !json_is_array(arr) || json_array_size(arr) == 0) {
		fail(c, path, arr ? "bad_type" : "missing_transition", "a choice answer needs a non-empty array \"choices\"");
		c->edges_incomplete = true;
		return;
	}
	size_t n = json_array_size(arr);
	if (n > FLOW_CHOICES_MAX) {
		fail(c, path, "too_many", "at most %d choices (a WhatsApp list holds %d rows)", FLOW_CHOICES_MAX,
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
		pathf(p, "%s[%zu]", path, i);
		if (!json_is_object(o)) {
			fail(c, p, "bad_type", "a choice is an object {\"id\", \"title\", \"next\"}");
			c->edges_incomplete = true;
			continue;
		}
		check_keys(c, o, keys, p);
		ch->id = get_str(c, o, "id", p, true, CHOICE_ID_MAX, true);
		if (ch->id && !id_ok(ch->id, CHOICE_ID_MAX, "aA0", "_-.:")) {
			fail(c, pathf(p, "%s[%zu].id", path, i), "bad_id", "a choice id is 1 to %d of a-z, A-Z, 0-9, _-.:",
			     CHOICE_ID_MAX);
			ch->id = NULL;
		}
		for (size_t k = 0; ch->id && k < i; k++)
			if (a->choices[k].id && !strcmp(a->choices[k].id, ch->id))
				fail(c, pathf(p, "%s[%zu].id", path, i), "duplicate_id", "choice id \"%s\" is used twice",
				     show(ch->id, sh));
		ch->title = get_str(c, o, "title", pathf(p, "%s[%zu]", path, i), true,
				    list ? FLOW_ROW_TITLE_MAX : FLOW_BUTTON_TITLE_MAX, true);
		if (ch->title) {
			flow_fold_join(ch->title, folded[i], sizeof folded[i]);
			for (size_t k = 0; k < i && folded[i][0]; k++)
				if (!strcmp(folded[k], folded[i]))
					fail(c, pathf(p, "%s[%zu].title", path, i), "duplicate_title",
					     "two choices have the title \"%s\": visitors could not tell them apart",
					     show(ch->title, sh));
		}
		if (json_object_get(o, "description") && !list)
			fail(c, pathf(p, "%s[%zu].description", path, i), "misplaced",
			     "descriptions show only in a list (more than %d choices)", FLOW_BUTTONS_MAX);
		else
			ch->description = get_str(c, o, "description", pathf(p, "%s[%zu]", path, i), false,
						  FLOW_ROW_DESC_MAX, true);
		ch->next = target(c, o, "next", pathf(p, "%s[%zu]", path, i));
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
	char p[PATH_MAX_], sh[48];
	a->yes = a->no = a->next = -1;
	if (!json_is_object(o)) {
		fail(c, path, "bad_type", "\"answer\" is an object {\"kind\": ...}");
		c->edges_incomplete = true;
		return;
	}
	const char *kind = get_str(c, o, "kind", path, true, 20, true);
	int k = 0;
	while (kind && k < FLOW_ANS_KINDS && strcmp(kind, kind_names[k]))
		k++;
	if (!kind || k == FLOW_ANS_KINDS) {
		if (kind)
			fail(c, pathf(p, "%s.kind", path), "unknown_kind",
			     "unknown answer kind \"%s\" (yes_no, number, choice, free_text)", show(kind, sh));
		c->edges_incomplete = true;
		return;
	}
	a->kind = (enum flow_answer_kind)k;
	check_keys(c, o, keys[k], path);
	a->field = get_str(c, o, "field", path, false, FLOW_FIELD_MAX, true);
	if (a->field && !field_ok(a->field)) {
		fail(c, pathf(p, "%s.field", path), "bad_id", "a field name is 1 to %d of a-z and _", FLOW_FIELD_MAX);
		a->field = NULL;
	}
	a->retry = get_str(c, o, "retry", path, false, FLOW_TEXT_MAX, false);
	if (a->retry)
		check_placeholders(c, a->retry, pathf(p, "%s.retry", path));
	switch (a->kind) {
	case FLOW_ANS_YES_NO:
		a->yes = target(c, o, "yes", path);
		a->no = target(c, o, "no", path);
		a->yes_title = get_str(c, o, "yes_title", path, false, FLOW_BUTTON_TITLE_MAX, true);
		a->no_title = get_str(c, o, "no_title", path, false, FLOW_BUTTON_TITLE_MAX, true);
		if (!a->yes_title)
			a->yes_title = "Ja";
		if (!a->no_title)
			a->no_title = "Nein";
		{
			char yt[128], nt[128];
			flow_fold_join(a->yes_title, yt, sizeof yt);
			flow_fold_join(a->no_title, nt, sizeof nt);
			if (!strcmp(yt, nt))
				fail(c, member(p, path, "no_title"), "duplicate_title",
				     "the yes and no buttons need different titles");
		}
		break;
	case FLOW_ANS_NUMBER: {
		parse_buckets(c, a, json_object_get(o, "buckets"), pathf(p, "%s.buckets", path));
		const char *per = get_str(c, o, "period", path, false, 10, true);
		for (int i = 1; per && i < (int)(sizeof periods / sizeof periods[0]); i++)
			if (!strcmp(per, periods[i]))
				a->period = (enum flow_period)i;
		if (per && a->period == FLOW_PERIOD_NONE)
			fail(c, pathf(p, "%s.period", path), "bad_value", "\"period\" is day, week, month or year");
		break;
	}
	case FLOW_ANS_CHOICE:
		parse_choices(c, a, json_object_get(o, "choices"), pathf(p, "%s.choices", path));
		a->list_button = get_str(c, o, "list_button", path, false, FLOW_BUTTON_TITLE_MAX, true);
		if (!a->list_button)
			a->list_button = "Auswählen";
		break;
	case FLOW_ANS_FREE_TEXT:
	case FLOW_ANS_KINDS:
		a->next = target(c, o, "next", path);
		break;
	}
}

/* ---- nodes -------------------------------------------------------------------------------------- */

static void parse_node(struct pctx *c, struct flow_node *n, json_t *o)
{
	static const char *const keys[] = {"type", "text", "template", "next", "answer", "actions", "note", NULL};
	static const char *const types[] = {"message", "question", "end"};
	char p[PATH_MAX_], base[PATH_MAX_], sh[48];
	n->next = -1;
	n->answer.yes = n->answer.no = n->answer.next = -1;
	pathf(base, "nodes.%s", n->id);
	if (!json_is_object(o)) {
		fail(c, base, "bad_type", "a node is an object {\"type\": ...}");
		c->edges_incomplete = true;
		return;
	}
	check_keys(c, o, keys, base);
	get_str(c, o, "note", base, false, NOTE_MAX_CHARS, false);
	const char *type = get_str(c, o, "type", base, true, 20, true);
	int t = 0;
	while (type && t < 3 && strcmp(type, types[t]))
		t++;
	if (!type || t == 3) {
		if (type)
			fail(c, pathf(p, "%s.type", base), "unknown_type", "unknown node type \"%s\" (message, question, end)",
			     show(type, sh));
		c->edges_incomplete = true;
		return;
	}
	n->type = (enum flow_node_type)t;
	json_t *next = json_object_get(o, "next"), *answer = json_object_get(o, "answer");
	size_t limit = FLOW_TEXT_MAX;
	switch (n->type) {
	case FLOW_NODE_MESSAGE:
		n->next = target(c, o, "next", base);
		if (answer)
			fail(c, pathf(p, "%s.answer", base), "misplaced", "a message has no answer: make it a question");
		break;
	case FLOW_NODE_QUESTION:
		if (!answer) {
			fail(c, base, "missing", "a question needs an \"answer\"");
			c->edges_incomplete = true;
		} else {
			parse_answer(c, n, answer, pathf(p, "%s.answer", base));
			if (n->answer.kind == FLOW_ANS_YES_NO || n->answer.kind == FLOW_ANS_CHOICE)
				limit = FLOW_BODY_MAX; /* sent as an interactive message */
		}
		if (next)
			fail(c, pathf(p, "%s.next", base), "misplaced",
			     "a question moves on by its answer (\"answer.next\" for free text)");
		break;
	case FLOW_NODE_END:
		if (next)
			fail(c, pathf(p, "%s.next", base), "end_has_transition", "an end node has no \"next\"");
		if (answer)
			fail(c, pathf(p, "%s.answer", base), "end_has_transition", "an end node has no \"answer\"");
		break;
	}
	n->text = get_str(c, o, "text", base, n->type != FLOW_NODE_END, limit, false);
	if (n->text)
		check_placeholders(c, n->text, pathf(p, "%s.text", base));
	n->template_name = get_str(c, o, "template", base, false, TEMPLATE_MAX, true);
	if (n->template_name && !id_ok(n->template_name, TEMPLATE_MAX, "a0", "_"))
		fail(c, pathf(p, "%s.template", base), "bad_id", "a template name is a-z, 0-9 and _");
	json_t *actions = json_object_get(o, "actions");
	if (actions)
		parse_actions(c, n, actions, pathf(p, "%s.actions", base));
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
	char p[PATH_MAX_], sh[48], sh2[48];
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
			fail(c, pathf(p, "nodes.%s", f->nodes[i].id), "unreachable",
			     "node \"%s\" cannot be reached from the start node \"%s\"", show(f->nodes[i].id, sh),
			     show(f->nodes[f->start].id, sh2));
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
			snprintf(cycle + len, sizeof cycle - len, "%s%s", shown ? " → " : "", show(f->nodes[k].id, sh));
			k = f->nodes[k].next;
		} while (k != j && ++shown < 4);
		fail(c, pathf(p, "nodes.%s.next", f->nodes[j].id), "message_loop",
		     "messages loop without a question in between: %s%s → %s", cycle, k == j ? "" : " → …",
		     show(f->nodes[j].id, sh2));
	}
}

/* ---- the document ------------------------------------------------------------------------------- */

static void parse_texts(struct pctx *c, json_t *o)
{
	static const char *const keys[] = {"retry_yes_no", "retry_number", "retry_choice", "retry_free_text",
					   "handover", NULL};
	char p[PATH_MAX_];
	if (!json_is_object(o)) {
		fail(c, "texts", "bad_type", "\"texts\" is an object");
		return;
	}
	check_keys(c, o, keys, "texts");
	for (int i = 0; keys[i]; i++) {
		const char *s = get_str(c, o, keys[i], "texts", false, FLOW_TEXT_MAX, false);
		if (!s)
			continue;
		check_placeholders(c, s, pathf(p, "texts.%s", keys[i]));
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
		fail(c, "", "bad_type", "a flow is a JSON object");
		return;
	}
	check_keys(c, doc, keys, "");
	json_t *v = json_object_get(doc, "version");
	if (!v)
		fail(c, "version", "missing", "\"version\": 1 is required");
	else if (!json_is_integer(v) || json_integer_value(v) != 1)
		fail(c, "version", "bad_version", "this server reads flows of version 1");
	f->name = get_str(c, doc, "name", "", false, NAME_MAX_CHARS, true);
	get_str(c, doc, "description", "", false, NOTE_MAX_CHARS, false);
	for (int i = 0; i < FLOW_ANS_KINDS; i++)
		f->retry_text[i] = default_retry[i];
	f->handover_text = default_handover;
	if (json_object_get(doc, "texts"))
		parse_texts(c, json_object_get(doc, "texts"));
	const char *start = get_str(c, doc, "start", "", true, FLOW_ID_MAX - 1, true);
	json_t *nodes = json_object_get(doc, "nodes");
	if (!nodes || !json_is_object(nodes) || json_object_size(nodes) == 0) {
		fail(c, "nodes", nodes ? "bad_type" : "missing", "\"nodes\" is a non-empty object of nodes by id");
		return;
	}
	if (json_object_size(nodes) > FLOW_NODES_MAX) {
		fail(c, "nodes", "too_many", "the flow has %zu nodes, at most %d are allowed", json_object_size(nodes),
		     FLOW_NODES_MAX);
		return;
	}
	f->nodes = calloc(json_object_size(nodes), sizeof *f->nodes);
	int *mark = calloc(json_object_size(nodes), sizeof *mark);
	int *queue = calloc(json_object_size(nodes), sizeof *queue);
	if (!f->nodes || !mark || !queue) {
		fail(c, "", "no_memory", "out of memory");
		goto out;
	}
	const char *key;
	json_t *node;
	json_object_foreach(nodes, key, node) {
		(void)node;
		if (!id_ok(key, FLOW_ID_MAX - 1, "aA0", "_-"))
			fail(c, "nodes", "bad_id", "node id \"%s\" is not 1 to %d of a-z, A-Z, 0-9, _ and -", show(key, sh),
			     FLOW_ID_MAX - 1);
		f->nodes[f->nnodes++].id = key;
	}
	f->start = start ? flow_node_index(f, start) : -1;
	if (start && f->start < 0)
		fail(c, "start", "unknown_node", "the start node \"%s\" is not a node of this flow", show(start, sh));
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
		fail(&c, "", "bad_type", "no flow document");
	} else if (size > FLOW_DOC_MAX) { /* checked before anything is copied */
		fail(&c, "", "too_large", "the flow has %zu bytes, at most %d are allowed", size, FLOW_DOC_MAX);
	} else if (!(f = calloc(1, sizeof *f)) || !(f->doc = json_deep_copy(doc))) {
		fail(&c, "", "no_memory", "out of memory");
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
