/*
 * flow.c — the flow engine: starting a flow, stepping it with a visitor's message, asking again, the
 * {{placeholders}} of its texts, the output's memory and the state as JSON (see flow.h). Parsing is in
 * flow_check.c, answer recognition in flow_answer.c.
 *
 * Every call works on a copy of the state and commits it only when the whole output was built, so a
 * failed allocation leaves the conversation where it was. Output strings that are not `text` or `value`
 * point into the flow, which must outlive the output.
 */
#include "conv/flow_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/text.h"

#define VAR_MAX 256 /* bytes of one placeholder's value */

const char *flow_verdict_name(enum flow_verdict v)
{
	switch (v) {
	case FLOW_ANSWERED:
		return "answered";
	case FLOW_OFF_FLOW:
		return "off_flow";
	case FLOW_MISUNDERSTOOD:
		return "misunderstood";
	}
	return "?";
}

size_t flow_utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

int flow_node_index(const struct flow *f, const char *id)
{
	for (int i = 0; id && i < f->nnodes; i++)
		if (f->nodes[i].id && !strcmp(f->nodes[i].id, id))
			return i;
	return -1;
}

/* ---- text ---------------------------------------------------------------------------------------- */

/* Appends while the text holds at most `cap` bytes; later pieces are dropped (the text is cut to the
 * channel's limit afterwards anyway). */
static void add_capped(struct strbuf *b, size_t cap, const char *s, size_t n)
{
	if (b->len <= cap)
		strbuf_add(b, s, n);
}

/* Cuts valid UTF-8 `s` after `maxchars` characters. */
static void utf8_cut(char *s, size_t maxchars)
{
	size_t chars = 0;
	for (char *p = s; *p; p++)
		if (((unsigned char)*p & 0xC0) != 0x80 && ++chars > maxchars) {
			*p = '\0';
			return;
		}
}

/* A copy of `s` (any bytes) as valid UTF-8 without surrounding white space and at most `maxchars`
 * characters; invalid sequences become U+FFFD. NULL on no memory. */
static char *utf8_clean(const char *s, size_t maxchars)
{
	struct strbuf b = {0};
	size_t cap = maxchars * 4 + 4;
	s += strspn(s, " \t\r\n");
	const unsigned char *end = (const unsigned char *)s + strlen(s);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = utf8_decode(p, (size_t)(end - p), NULL);
		if (n) {
			add_capped(&b, cap, (const char *)p, n);
			p += n;
		} else {
			add_capped(&b, cap, "\xEF\xBF\xBD", 3);
			p++;
		}
	}
	char *out = strbuf_take(&b);
	if (!out)
		return NULL;
	utf8_cut(out, maxchars);
	size_t n = strlen(out);
	while (n && strchr(" \t\r\n", out[n - 1]))
		out[--n] = '\0';
	return out;
}

/* The text of placeholder `name` from `vars`: a string (cut to VAR_MAX bytes at a character boundary), a
 * number, "ja"/"nein" for true/false; "" for anything else or nothing. */
static void var_value(const json_t *vars, const char *name, char out[VAR_MAX])
{
	const json_t *v = json_is_object(vars) ? json_object_get(vars, name) : NULL;
	out[0] = '\0';
	if (json_is_string(v)) {
		snprintf(out, VAR_MAX, "%s", json_string_value(v));
		size_t n = strlen(out);
		if (n == VAR_MAX - 1) { /* drop a character cut in two */
			size_t i = n;
			while (i > 0 && ((unsigned char)out[i - 1] & 0xC0) == 0x80)
				i--;
			if (i > 0 && (unsigned char)out[i - 1] >= 0xC0 && utf8_decode((const unsigned char *)out + i - 1, n - (i - 1), NULL) == 0)
				out[i - 1] = '\0';
		}
		out[strcspn(out, "\r\n")] = '\0';
		if (!out[strspn(out, " \t")])
			out[0] = '\0';
	} else if (json_is_integer(v)) {
		snprintf(out, VAR_MAX, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		snprintf(out, VAR_MAX, "%g", json_real_value(v));
	} else if (json_is_boolean(v)) {
		snprintf(out, VAR_MAX, "%s", json_is_true(v) ? "ja" : "nein");
	}
}

/* `text` with its {{placeholders}} filled in from `vars` and cut to `maxchars` characters. A placeholder
 * without a value takes its fallback ({{first_name|zusammen}}); with none either, the space before it goes
 * too ("Hallo {{first_name}}, ..." → "Hallo, ..."). NULL on no memory. */
static char *expand(const char *text, const json_t *vars, size_t maxchars)
{
	struct strbuf b = {0};
	size_t cap = maxchars * 4 + 4;
	const char *p = text;
	for (;;) {
		const char *o = strstr(p, "{{");
		if (!o) {
			add_capped(&b, cap, p, strlen(p));
			break;
		}
		add_capped(&b, cap, p, (size_t)(o - p));
		const char *q = o + 2, *fb = NULL;
		size_t n = 0, fbn = 0;
		while ((q[n] >= 'a' && q[n] <= 'z') || q[n] == '_' || (n && q[n] >= '0' && q[n] <= '9'))
			n++;
		const char *r = q + n;
		if (*r == '|') {
			fb = r + 1;
			while (fb[fbn] && fb[fbn] != '{' && fb[fbn] != '}' && fb[fbn] != '\n')
				fbn++;
			r = fb + fbn;
		}
		if (n == 0 || n > FLOW_FIELD_MAX || strncmp(r, "}}", 2)) { /* not a placeholder (parse refuses these) */
			add_capped(&b, cap, o, 2);
			p = o + 2;
			continue;
		}
		char name[FLOW_FIELD_MAX + 1], val[VAR_MAX];
		memcpy(name, q, n);
		name[n] = '\0';
		var_value(vars, name, val);
		p = r + 2;
		if (val[0])
			add_capped(&b, cap, val, strlen(val));
		else if (fbn)
			add_capped(&b, cap, fb, fbn);
		else if (!b.failed && b.len && b.p[b.len - 1] == ' ' && (!*p || strchr(" ,.!?;:", *p)))
			b.p[--b.len] = '\0';
	}
	char *out = strbuf_take(&b);
	if (out)
		utf8_cut(out, maxchars);
	return out;
}

/* ---- output -------------------------------------------------------------------------------------- */

static int push_msg(struct flow_output *out, struct flow_message *m)
{
	struct flow_message *v = realloc(out->msgs, sizeof *v * (size_t)(out->nmsgs + 1));
	if (!v) {
		free(m->text);
		return FLOW_E_NOMEM;
	}
	out->msgs = v;
	v[out->nmsgs++] = *m;
	return FLOW_OK;
}

static int push_action(struct flow_output *out, struct flow_action *a)
{
	struct flow_action *v = realloc(out->actions, sizeof *v * (size_t)(out->nactions + 1));
	if (!v) {
		json_decref(a->value);
		return FLOW_E_NOMEM;
	}
	out->actions = v;
	v[out->nactions++] = *a;
	if (a->kind == FLOW_ACT_HANDOVER)
		out->handover = true;
	return FLOW_OK;
}

void flow_output_free(struct flow_output *out)
{
	if (!out)
		return;
	for (int i = 0; i < out->nmsgs; i++)
		free(out->msgs[i].text);
	for (int i = 0; i < out->nactions; i++)
		json_decref(out->actions[i].value);
	free(out->msgs);
	free(out->actions);
	json_decref(out->answer);
	memset(out, 0, sizeof *out);
}

/* A plain text message from `node`. */
static int emit_text(struct flow_output *out, const char *node, const char *text, const struct flow_input *in)
{
	struct flow_message m = {.kind = FLOW_MSG_TEXT, .node = node};
	m.text = expand(text, in->vars, FLOW_TEXT_MAX);
	return m.text ? push_msg(out, &m) : FLOW_E_NOMEM;
}

/* The message of node n: plain text, or the question with its buttons or list. */
static int emit_node(const struct flow_node *n, const struct flow_input *in, struct flow_output *out)
{
	struct flow_message m = {.kind = FLOW_MSG_TEXT, .node = n->id, .template_name = n->template_name};
	const struct flow_answer_def *a = &n->answer;
	size_t limit = FLOW_TEXT_MAX;
	if (n->type == FLOW_NODE_QUESTION && a->kind == FLOW_ANS_YES_NO) {
		m.kind = FLOW_MSG_BUTTONS;
		m.nopts = 2;
		m.opts[0] = (struct flow_option){.id = "yes", .title = a->yes_title};
		m.opts[1] = (struct flow_option){.id = "no", .title = a->no_title};
		limit = FLOW_BODY_MAX;
	} else if (n->type == FLOW_NODE_QUESTION && a->kind == FLOW_ANS_CHOICE) {
		m.kind = a->nchoices > FLOW_BUTTONS_MAX ? FLOW_MSG_LIST : FLOW_MSG_BUTTONS;
		m.nopts = a->nchoices;
		for (int i = 0; i < a->nchoices; i++)
			m.opts[i] = (struct flow_option){.id = a->choices[i].id, .title = a->choices[i].title,
							 .description = a->choices[i].description};
		if (m.kind == FLOW_MSG_LIST)
			m.list_button = a->list_button;
		limit = FLOW_BODY_MAX;
	}
	m.text = expand(n->text, in->vars, limit);
	return m.text ? push_msg(out, &m) : FLOW_E_NOMEM;
}

static int64_t add_sat(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

static int fire(const struct flow_node *n, const struct flow_act_def *d, const struct flow_input *in,
		struct flow_output *out)
{
	struct flow_action a = {.kind = d->kind, .node = n->id, .field = d->field, .reason = d->reason,
				.task = d->task, .template_name = d->template_name, .delay_ms = d->delay_ms};
	if (d->kind == FLOW_ACT_SCHEDULE)
		a.run_at_ms = add_sat(in->now_ms, d->delay_ms);
	if (d->kind == FLOW_ACT_SET_FIELD && !(a.value = json_deep_copy(d->value)))
		return FLOW_E_NOMEM;
	return push_action(out, &a);
}

/* Walks from node i: sends each node's message and fires its actions, follows messages, and stops at a
 * question (now waiting) or an end (done). */
static int walk(const struct flow *f, struct flow_state *s, int i, const struct flow_input *in,
		struct flow_output *out)
{
	for (int steps = 0; steps <= f->nnodes && i >= 0; steps++) {
		const struct flow_node *n = &f->nodes[i];
		int rc = n->text ? emit_node(n, in, out) : FLOW_OK;
		for (int k = 0; rc == FLOW_OK && k < n->nactions; k++)
			rc = fire(n, &n->actions[k], in, out);
		if (rc)
			return rc;
		snprintf(s->node, sizeof s->node, "%s", n->id);
		s->misunderstandings = 0;
		if (n->type == FLOW_NODE_MESSAGE) {
			i = n->next;
		} else if (n->type == FLOW_NODE_QUESTION) {
			s->asked_at_ms = in->now_ms;
			return FLOW_OK;
		} else {
			s->done = out->done = true;
			return FLOW_OK;
		}
	}
	return FLOW_E_STATE; /* a loop of messages: flow_parse refuses those */
}

/* ---- stepping ------------------------------------------------------------------------------------ */

int flow_start(const struct flow *f, struct flow_state *st, const struct flow_input *in, struct flow_output *out)
{
	if (!out)
		return FLOW_E_ARG;
	memset(out, 0, sizeof *out);
	if (!f || !st || !in)
		return FLOW_E_ARG;
	struct flow_state s = {.started_at_ms = in->now_ms};
	int rc = walk(f, &s, f->start, in, out);
	if (rc) {
		flow_output_free(out);
		return rc;
	}
	*st = s;
	return FLOW_OK;
}

/* The question node `st` waits at, or an error code (< 0). */
static int waiting(const struct flow *f, const struct flow_state *st)
{
	if (st->done)
		return FLOW_E_DONE;
	if (!memchr(st->node, '\0', sizeof st->node))
		return FLOW_E_STATE;
	int i = flow_node_index(f, st->node);
	return i >= 0 && f->nodes[i].type == FLOW_NODE_QUESTION ? i : FLOW_E_STATE;
}

/* Recognises the answer to question n. On an answer sets *next and *answer (new reference) and returns
 * FLOW_OK; *next stays -1 when there is none. *leading as flow_answer_*. */
static int recognise(const struct flow_node *n, const struct flow_input *in, int *next, json_t **answer,
		     bool *leading)
{
	const struct flow_answer_def *a = &n->answer;
	const char *text = in->text ? in->text : "";
	const char *value = NULL;
	*next = -1;
	*answer = NULL;
	*leading = false;
	switch (a->kind) {
	case FLOW_ANS_YES_NO: {
		char t[256], yt[128], nt[128];
		flow_fold_join(text, t, sizeof t);
		flow_fold_join(a->yes_title, yt, sizeof yt);
		flow_fold_join(a->no_title, nt, sizeof nt);
		enum flow_yes_no yn;
		if (in->reply_id && (!strcmp(in->reply_id, "yes") || !strcmp(in->reply_id, "no"))) {
			yn = in->reply_id[0] == 'y' ? FLOW_YN_YES : FLOW_YN_NO;
			*leading = true;
		} else if (t[0] && (!strcmp(t, yt) || !strcmp(t, nt))) { /* a button's title, typed or sent back */
			yn = strcmp(t, yt) ? FLOW_YN_NO : FLOW_YN_YES;
			*leading = true;
		} else {
			yn = flow_answer_yes_no(text, leading);
		}
		if (yn != FLOW_YN_NO && yn != FLOW_YN_YES)
			return FLOW_OK;
		*next = yn == FLOW_YN_YES ? a->yes : a->no;
		value = yn == FLOW_YN_YES ? "yes" : "no";
		break;
	}
	case FLOW_ANS_NUMBER: {
		long long v;
		if (!flow_answer_number(text, a->period, &v, leading))
			return FLOW_OK;
		for (int i = 0; i < a->nbuckets; i++)
			if (v >= a->buckets[i].min && v <= a->buckets[i].max)
				*next = a->buckets[i].next;
		*answer = json_integer(v);
		return *answer ? FLOW_OK : FLOW_E_NOMEM;
	}
	case FLOW_ANS_CHOICE: {
		int k = -1;
		for (int i = 0; in->reply_id && i < a->nchoices; i++)
			if (!strcmp(in->reply_id, a->choices[i].id))
				k = i;
		if (k >= 0)
			*leading = true;
		else
			k = flow_answer_choice(a, text, leading);
		if (k < 0)
			return FLOW_OK;
		*next = a->choices[k].next;
		value = a->choices[k].id;
		break;
	}
	case FLOW_ANS_FREE_TEXT:
	case FLOW_ANS_KINDS: {
		char *clean = utf8_clean(text, FLOW_ANSWER_MAX);
		if (!clean)
			return FLOW_E_NOMEM;
		if (clean[0]) {
			*answer = json_string(clean);
			*next = a->next;
		}
		free(clean);
		return *next < 0 || *answer ? FLOW_OK : FLOW_E_NOMEM;
	}
	}
	*answer = json_string(value);
	return *answer ? FLOW_OK : FLOW_E_NOMEM;
}

int flow_step(const struct flow *f, struct flow_state *st, const struct flow_input *in, struct flow_output *out)
{
	if (!out)
		return FLOW_E_ARG;
	memset(out, 0, sizeof *out);
	if (!f || !st || !in)
		return FLOW_E_ARG;
	int i = waiting(f, st);
	if (i < 0)
		return i;
	const struct flow_node *n = &f->nodes[i];
	struct flow_state s = *st;
	int next;
	json_t *answer;
	bool leading, any_q, qmark = flow_text_ends_with_qmark(in->text, &any_q);
	int rc = recognise(n, in, &next, &answer, &leading);
	if (rc)
		return rc;
	if (next >= 0 && (!qmark || leading)) {
		out->verdict = FLOW_ANSWERED;
		out->answer = answer;
		out->has_question = any_q;
		if (n->answer.field) {
			struct flow_action a = {.kind = FLOW_ACT_SET_FIELD, .node = n->id, .field = n->answer.field,
						.value = json_incref(answer)};
			rc = push_action(out, &a);
		}
		s.misunderstandings = 0;
		if (!rc)
			rc = walk(f, &s, next, in, out);
	} else if (!flow_text_asks_to_repeat(in->text) && (qmark || flow_text_starts_with_wword(in->text))) {
		json_decref(answer);
		out->verdict = FLOW_OFF_FLOW;
		out->has_question = true;
		s.misunderstandings = 0;
		s.asked_at_ms = in->now_ms;
		rc = emit_node(n, in, out);
	} else {
		json_decref(answer);
		out->verdict = FLOW_MISUNDERSTOOD;
		out->has_question = any_q;
		if (++s.misunderstandings > FLOW_MISUNDERSTOOD_LIMIT) {
			struct flow_action a = {.kind = FLOW_ACT_HANDOVER, .node = n->id, .reason = "misunderstood"};
			s.misunderstandings = 0;
			rc = emit_text(out, n->id, f->handover_text, in);
			if (!rc)
				rc = push_action(out, &a);
		} else {
			const char *hint = n->answer.retry ? n->answer.retry : f->retry_text[n->answer.kind];
			s.asked_at_ms = in->now_ms;
			rc = emit_text(out, n->id, hint, in);
			if (!rc)
				rc = emit_node(n, in, out);
		}
	}
	if (rc) {
		flow_output_free(out);
		return rc;
	}
	*st = s;
	return FLOW_OK;
}

int flow_reask(const struct flow *f, struct flow_state *st, const struct flow_input *in, struct flow_output *out)
{
	if (!out)
		return FLOW_E_ARG;
	memset(out, 0, sizeof *out);
	if (!f || !st || !in)
		return FLOW_E_ARG;
	int i = waiting(f, st);
	if (i < 0)
		return i;
	int rc = emit_node(&f->nodes[i], in, out);
	if (rc) {
		flow_output_free(out);
		return rc;
	}
	st->asked_at_ms = in->now_ms;
	return FLOW_OK;
}

/* ---- state as JSON ------------------------------------------------------------------------------- */

static bool node_id_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '-'))
			return false;
	return true;
}

json_t *flow_state_to_json(const struct flow_state *st)
{
	if (!st || !memchr(st->node, '\0', sizeof st->node) || !node_id_ok(st->node))
		return NULL;
	return json_pack("{s:s, s:i, s:b, s:I, s:I}", "node", st->node, "misunderstandings", st->misunderstandings,
			 "done", st->done, "started_at_ms", (json_int_t)st->started_at_ms, "asked_at_ms",
			 (json_int_t)st->asked_at_ms);
}

int flow_state_from_json(const json_t *j, struct flow_state *st)
{
	struct flow_state s = {0};
	const json_t *node = json_object_get(j, "node"), *mis = json_object_get(j, "misunderstandings"),
		     *done = json_object_get(j, "done"), *started = json_object_get(j, "started_at_ms"),
		     *asked = json_object_get(j, "asked_at_ms");
	if (!st || !json_is_object(j) || !json_is_string(node) || json_string_length(node) >= sizeof s.node ||
	    strlen(json_string_value(node)) != json_string_length(node) || !node_id_ok(json_string_value(node)))
		return -1;
	if ((mis && (!json_is_integer(mis) || json_integer_value(mis) < 0 || json_integer_value(mis) > 1000)) ||
	    (done && !json_is_boolean(done)) || (started && !json_is_integer(started)) ||
	    (asked && !json_is_integer(asked)))
		return -1;
	memcpy(s.node, json_string_value(node), json_string_length(node) + 1);
	s.misunderstandings = mis ? (int)json_integer_value(mis) : 0;
	s.done = done && json_is_true(done);
	s.started_at_ms = started ? (int64_t)json_integer_value(started) : 0;
	s.asked_at_ms = asked ? (int64_t)json_integer_value(asked) : 0;
	*st = s;
	return 0;
}
