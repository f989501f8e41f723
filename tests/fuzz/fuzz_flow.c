/*
 * fuzz_flow.c — libFuzzer harness for conversation flows (src/conv/flow.c, flow_check.c, flow_answer.c)
 * and the handover triggers (src/conv/handover.c): flow documents come from bot owners through the API,
 * and every step reads a visitor's message.
 *
 * Input: an optional flow document, then visitor messages. When the input starts with '{', the bytes up
 * to the first line "--" are parsed as JSON and given to flow_parse (and, as an object, used as the
 * placeholder vars); the rest is split into lines, each one message ("#id:xyz text" sends reply_id
 * "xyz" with the text). Messages are stepped through the parsed flow when it is valid, and always through
 * a built-in flow that uses every node and answer kind.
 * Invariants checked (abort on violation):
 *   - flow_parse returns a flow exactly when it reports no error; errors have a code and a message;
 *   - every step returns FLOW_OK, FLOW_E_DONE or (only after the flow is done) nothing else;
 *   - messages are valid UTF-8 within the WhatsApp limits (4096 characters, 1024 for interactive ones,
 *     3 buttons, 10 list rows); actions are of a known kind, set_field carries a value;
 *   - OFF_FLOW fires nothing and keeps the node; a misunderstanding count never passes the limit;
 *   - the state survives flow_state_to_json / flow_state_from_json unchanged;
 *   - answer recognisers give numbers in 0..FLOW_NUMBER_MAX and choice indexes in range;
 *   - handover_check's reasons fit their buffer and are empty exactly when nothing fired.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv/flow.h"
#include "conv/flow_int.h"
#include "conv/handover.h"

#define MSGS_MAX 24

static const char builtin_flow[] =
	"{\"version\":1,\"name\":\"fuzz\",\"start\":\"hi\",\"texts\":{\"handover\":\"Team {{first_name|}}\"},"
	"\"nodes\":{"
	"\"hi\":{\"type\":\"message\",\"text\":\"Hallo {{first_name|du}}, {{company}}!\",\"next\":\"ok\","
	"\"actions\":[{\"do\":\"schedule\",\"task\":\"nudge_30m\",\"delay_minutes\":30}]},"
	"\"ok\":{\"type\":\"question\",\"text\":\"Passt das?\",\"answer\":{\"kind\":\"yes_no\",\"field\":\"ok\","
	"\"yes\":\"n\",\"no\":\"bye\"}},"
	"\"n\":{\"type\":\"question\",\"text\":\"Wie viele?\",\"answer\":{\"kind\":\"number\",\"field\":\"leads\","
	"\"period\":\"month\",\"buckets\":[{\"max\":99,\"next\":\"low\"},{\"min\":100,\"next\":\"c\"}]}},"
	"\"low\":{\"type\":\"end\",\"text\":\"Später gern.\",\"actions\":[{\"do\":\"disqualify\",\"reason\":\"low\"}]},"
	"\"c\":{\"type\":\"question\",\"text\":\"Was?\",\"answer\":{\"kind\":\"choice\",\"field\":\"what\",\"choices\":["
	"{\"id\":\"a\",\"title\":\"Probetraining\",\"next\":\"t\"},{\"id\":\"b\",\"title\":\"Kurse\",\"next\":\"t\"},"
	"{\"id\":\"c\",\"title\":\"Personal Training\",\"next\":\"t\"},{\"id\":\"d\",\"title\":\"Zurück\",\"next\":\"ok\"}]}},"
	"\"t\":{\"type\":\"question\",\"text\":\"Ziel?\",\"answer\":{\"kind\":\"free_text\",\"field\":\"goal\",\"next\":\"q\"}},"
	"\"q\":{\"type\":\"message\",\"text\":\"Super!\",\"next\":\"book\",\"actions\":[{\"do\":\"qualify\"},"
	"{\"do\":\"set_field\",\"field\":\"bucket\",\"value\":\"100+\"}]},"
	"\"book\":{\"type\":\"end\",\"text\":\"Termine folgen.\",\"actions\":[{\"do\":\"start_booking\"},{\"do\":\"handover\"}]},"
	"\"bye\":{\"type\":\"end\"}}}";

static struct flow *Builtin;

static bool utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t n = *p < 0x80 ? 1 : *p >= 0xC2 && *p <= 0xDF ? 2 : *p >= 0xE0 && *p <= 0xEF ? 3 : *p >= 0xF0 && *p <= 0xF4 ? 4 : 0;
		if (!n)
			return false;
		for (size_t i = 1; i < n; i++)
			if ((p[i] & 0xC0) != 0x80)
				return false;
		p += n;
	}
	return true;
}

static void check_output(const struct flow_output *out, const struct flow_state *before, const struct flow_state *st)
{
	for (int i = 0; i < out->nmsgs; i++) {
		const struct flow_message *m = &out->msgs[i];
		if (!m->text || !utf8_ok(m->text) || !m->node)
			abort();
		size_t limit = m->kind == FLOW_MSG_TEXT ? FLOW_TEXT_MAX : FLOW_BODY_MAX;
		if (flow_utf8_chars(m->text) > limit)
			abort();
		if ((m->kind == FLOW_MSG_BUTTONS && (m->nopts < 1 || m->nopts > FLOW_BUTTONS_MAX)) ||
		    (m->kind == FLOW_MSG_LIST && (m->nopts <= FLOW_BUTTONS_MAX || m->nopts > FLOW_CHOICES_MAX || !m->list_button)) ||
		    (m->kind == FLOW_MSG_TEXT && m->nopts))
			abort();
		for (int k = 0; k < m->nopts; k++)
			if (!m->opts[k].id || !m->opts[k].title)
				abort();
	}
	for (int i = 0; i < out->nactions; i++) {
		const struct flow_action *a = &out->actions[i];
		if ((int)a->kind < FLOW_ACT_SET_FIELD || a->kind > FLOW_ACT_SCHEDULE || !a->node)
			abort();
		if (a->kind == FLOW_ACT_SET_FIELD && (!a->field || !a->value))
			abort();
		if (a->kind == FLOW_ACT_SCHEDULE && (!a->task || a->delay_ms < 0))
			abort();
	}
	if (out->verdict == FLOW_OFF_FLOW && (out->nactions || strcmp(before->node, st->node) || out->nmsgs != 1))
		abort();
	if (st->misunderstandings < 0 || st->misunderstandings > FLOW_MISUNDERSTOOD_LIMIT)
		abort();
	if (out->done && !st->done)
		abort();
	json_t *j = flow_state_to_json(st);
	struct flow_state back;
	if (!j || flow_state_from_json(j, &back) || strcmp(back.node, st->node) ||
	    back.misunderstandings != st->misunderstandings || back.done != st->done ||
	    back.asked_at_ms != st->asked_at_ms || back.started_at_ms != st->started_at_ms)
		abort();
	json_decref(j);
}

static void run(const struct flow *f, char **msgs, char **ids, int n, const json_t *vars)
{
	struct flow_state st;
	struct flow_output out;
	struct flow_input in = {.vars = vars, .now_ms = 1767225600000LL};
	if (flow_start(f, &st, &in, &out) != FLOW_OK)
		abort();
	struct flow_state zero;
	memset(&zero, 0, sizeof zero);
	check_output(&out, &zero, &st);
	flow_output_free(&out);
	for (int i = 0; i < n; i++) {
		struct flow_state before = st;
		in.text = msgs[i];
		in.reply_id = ids[i];
		in.now_ms += 60000;
		int rc = flow_step(f, &st, &in, &out);
		if (rc == FLOW_E_DONE) {
			if (!before.done)
				abort();
			if (flow_start(f, &st, &in, &out) != FLOW_OK) /* start over */
				abort();
			flow_output_free(&out);
			continue;
		}
		if (rc != FLOW_OK)
			abort();
		check_output(&out, &before, &st);
		flow_output_free(&out);
		if (i == n / 2 && !st.done) {
			if (flow_reask(f, &st, &in, &out) != FLOW_OK || out.nmsgs != 1)
				abort();
			flow_output_free(&out);
		}
	}
}

static void recognisers(const char *text)
{
	bool leading, any;
	long long v = -1;
	enum flow_yes_no yn = flow_answer_yes_no(text, &leading);
	if (yn > FLOW_YN_UNSURE)
		abort();
	for (int p = FLOW_PERIOD_NONE; p <= FLOW_PERIOD_YEAR; p++)
		if (flow_answer_number(text, (enum flow_period)p, &v, &leading) && (v < 0 || v > FLOW_NUMBER_MAX))
			abort();
	flow_text_ends_with_qmark(text, &any);
	flow_text_starts_with_wword(text);
	flow_text_asks_to_repeat(text);
	char why[48];
	struct handover_input hin = {.confidence = 0.1, .misunderstandings = 1};
	unsigned fired = handover_check(text, &hin, why, sizeof why);
	if (strlen(why) >= sizeof why || (fired == 0) != (why[0] == '\0'))
		abort();
	char word[16];
	if (handover_sentiment(text, word, sizeof word) < 0 || strlen(word) >= sizeof word)
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	json_t *doc = json_loads(builtin_flow, 0, NULL);
	struct flow_error e[4];
	int n = 0;
	Builtin = flow_parse(doc, e, 4, &n);
	json_decref(doc);
	if (!Builtin) {
		fprintf(stderr, "builtin flow: %s at %s: %s\n", e[0].code, e[0].path, e[0].message);
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 70000)
		return 0;
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *rest = buf;
	json_t *doc = NULL;
	struct flow *f = NULL;
	if (size && buf[0] == '{') {
		char *sep = strstr(buf, "\n--\n");
		size_t len = sep ? (size_t)(sep - buf) : strlen(buf);
		doc = json_loadb(buf, len, JSON_DECODE_ANY, NULL);
		rest = sep ? sep + 4 : buf + len;
		struct flow_error errs[8];
		int nerrs = -1;
		f = flow_parse(doc, errs, 8, &nerrs);
		if ((f != NULL) != (nerrs == 0) || nerrs < 0)
			abort();
		for (int i = 0; i < nerrs && i < 8; i++)
			if (!errs[i].code[0] || !errs[i].message[0] || !utf8_ok(errs[i].message) || !utf8_ok(errs[i].path))
				abort();
		struct flow_state st;
		flow_state_from_json(doc, &st);
	}
	char *msgs[MSGS_MAX], *ids[MSGS_MAX];
	int n = 0;
	for (char *line = rest; *line && n < MSGS_MAX;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		ids[n] = NULL;
		msgs[n] = line;
		if (!strncmp(line, "#id:", 4)) {
			ids[n] = line + 4;
			char *sp = strchr(ids[n], ' ');
			msgs[n] = sp ? sp + 1 : NULL;
			if (sp)
				*sp = '\0';
		}
		n++;
		if (!nl)
			break;
		line = nl + 1;
	}
	for (int i = 0; i < n; i++)
		if (msgs[i])
			recognisers(msgs[i]);
	const json_t *vars = json_is_object(doc) ? doc : NULL;
	run(Builtin, msgs, ids, n, vars);
	if (f)
		run(f, msgs, ids, n, vars);
	flow_free(f);
	json_decref(doc);
	free(buf);
	return 0;
}
