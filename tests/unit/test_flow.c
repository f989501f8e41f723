/*
 * test_flow.c — unit tests for the flow engine (src/conv/flow.c, flow_check.c, flow_answer.c): the
 * shipped example flow (flows/lead_qualification.de.json, read relative to the repository root) end to
 * end with scripted messages, every validation error kind, the state as JSON, and the German answer
 * recognisers one phrase at a time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv/flow.h"
#include "conv/flow_int.h"

#define EXAMPLE "flows/lead_qualification.de.json"
#define T0 1767225600000LL /* 2026-01-01T00:00:00Z */
#define MIN_MS 60000LL

/* ---- helpers ------------------------------------------------------------------------------------ */

static struct flow *load_example(void)
{
	json_error_t je;
	json_t *doc = json_load_file(EXAMPLE, 0, &je);
	if (!doc)
		fail_msg("%s: %s (line %d) — run the tests from the repository root", EXAMPLE, je.text, je.line);
	struct flow_error errs[8];
	int n = -1;
	struct flow *f = flow_parse(doc, errs, 8, &n);
	json_decref(doc);
	for (int i = 0; i < n && i < 8; i++)
		print_message("%s: %s: %s\n", errs[i].path, errs[i].code, errs[i].message);
	assert_int_equal(n, 0);
	assert_non_null(f);
	return f;
}

/* Parses `text` and returns the number of errors; the first goes to *first (when not NULL). */
static int errors_of(const char *text, struct flow_error *first)
{
	json_error_t je;
	json_t *doc = json_loads(text, 0, &je);
	if (!doc)
		fail_msg("bad test JSON: %s at %d: %s", je.text, je.position, text);
	struct flow_error errs[16];
	int n = -1;
	struct flow *f = flow_parse(doc, errs, 16, &n);
	json_decref(doc);
	if (n == 0)
		assert_non_null(f);
	else
		assert_null(f);
	if (first && n > 0)
		*first = errs[0];
	flow_free(f);
	return n;
}

/* Expects exactly one error, of `code` at `path`. */
static void expect_error(const char *text, const char *code, const char *path)
{
	struct flow_error e;
	memset(&e, 0, sizeof e);
	int n = errors_of(text, &e);
	if (n != 1 || strcmp(e.code, code) || strcmp(e.path, path))
		fail_msg("expected 1 error %s at %s, got %d, first: %s at %s (%s)\nin %s", code, path, n, e.code, e.path,
			 e.message, text);
}

static struct flow *parse_ok(const char *text)
{
	json_t *doc = json_loads(text, 0, NULL);
	assert_non_null(doc);
	struct flow_error e[4];
	int n = -1;
	struct flow *f = flow_parse(doc, e, 4, &n);
	json_decref(doc);
	if (!f)
		fail_msg("%d errors, first %s at %s: %s", n, e[0].code, e[0].path, e[0].message);
	return f;
}

static int step(const struct flow *f, struct flow_state *st, const char *text, struct flow_output *out)
{
	struct flow_input in = {.text = text, .now_ms = T0 + 5 * MIN_MS};
	return flow_step(f, st, &in, out);
}

static int step_reply(const struct flow *f, struct flow_state *st, const char *id, const char *title,
		      struct flow_output *out)
{
	struct flow_input in = {.text = title, .reply_id = id, .now_ms = T0 + 5 * MIN_MS};
	return flow_step(f, st, &in, out);
}

static const struct flow_action *find_action(const struct flow_output *out, enum flow_action_kind k, int nth)
{
	for (int i = 0; i < out->nactions; i++)
		if (out->actions[i].kind == k && nth-- == 0)
			return &out->actions[i];
	return NULL;
}

static const struct flow_action *find_field(const struct flow_output *out, const char *field)
{
	for (int i = 0; i < out->nactions; i++)
		if (out->actions[i].kind == FLOW_ACT_SET_FIELD && !strcmp(out->actions[i].field, field))
			return &out->actions[i];
	return NULL;
}

/* Starts the example and answers the greeting with the "yes" button: waits at "ads". */
static void to_ads(const struct flow *f, struct flow_state *st)
{
	struct flow_output out;
	json_t *vars = json_pack("{s:s}", "first_name", "Max");
	struct flow_input in = {.vars = vars, .now_ms = T0};
	assert_int_equal(flow_start(f, st, &in, &out), FLOW_OK);
	flow_output_free(&out);
	json_decref(vars);
	assert_int_equal(step_reply(f, st, "yes", "Ja, gern", &out), FLOW_OK);
	assert_string_equal(st->node, "ads");
	flow_output_free(&out);
}

/* ---- the example flow end to end ---------------------------------------------------------------- */

static void test_example_parses(void **state)
{
	(void)state;
	struct flow *f = load_example();
	assert_string_equal(flow_name(f), "Lead-Qualifizierung WhatsApp (Beispiel)");
	flow_free(f);
}

static void test_happy_path_qualified(void **state)
{
	(void)state;
	struct flow *f = load_example();
	struct flow_state st;
	struct flow_output out;
	json_t *vars = json_pack("{s:s}", "first_name", "Max");
	struct flow_input in = {.vars = vars, .now_ms = T0};

	assert_int_equal(flow_start(f, &st, &in, &out), FLOW_OK);
	assert_int_equal(out.verdict, FLOW_ANSWERED);
	assert_int_equal(out.nmsgs, 1);
	assert_int_equal(out.msgs[0].kind, FLOW_MSG_BUTTONS);
	assert_non_null(strstr(out.msgs[0].text, "Hallo Max, schön"));
	assert_string_equal(out.msgs[0].template_name, "lead_welcome_v1");
	assert_int_equal(out.msgs[0].nopts, 2);
	assert_string_equal(out.msgs[0].opts[0].id, "yes");
	assert_string_equal(out.msgs[0].opts[0].title, "Ja, gern");
	assert_string_equal(out.msgs[0].opts[1].id, "no");
	const struct flow_action *a = find_action(&out, FLOW_ACT_SCHEDULE, 0);
	assert_non_null(a);
	assert_string_equal(a->task, "nudge_30m");
	assert_int_equal(a->run_at_ms, T0 + 30 * MIN_MS);
	assert_string_equal(st.node, "greeting");
	assert_int_equal(st.started_at_ms, T0);
	assert_false(st.done);
	flow_output_free(&out);
	json_decref(vars);

	assert_int_equal(step(f, &st, "Ja klar, gerne!", &out), FLOW_OK);
	assert_int_equal(out.verdict, FLOW_ANSWERED);
	assert_string_equal(json_string_value(out.answer), "yes");
	assert_string_equal(st.node, "ads");
	assert_int_equal(out.nmsgs, 1);
	assert_non_null(strstr(out.msgs[0].text, "Werbeanzeigen"));
	flow_output_free(&out);

	assert_int_equal(step(f, &st, "Jep, auf Facebook und Google", &out), FLOW_OK);
	assert_int_equal(out.verdict, FLOW_ANSWERED);
	a = find_field(&out, "ads_running");
	assert_non_null(a);
	assert_string_equal(json_string_value(a->value), "yes");
	assert_string_equal(st.node, "leads");
	assert_int_equal(out.msgs[0].kind, FLOW_MSG_TEXT);
	flow_output_free(&out);

	assert_int_equal(step(f, &st, "ca. 150 im Monat", &out), FLOW_OK);
	assert_int_equal(out.verdict, FLOW_ANSWERED);
	assert_int_equal(json_integer_value(out.answer), 150);
	assert_int_equal(json_integer_value(find_field(&out, "monthly_leads")->value), 150);
	assert_string_equal(json_string_value(find_field(&out, "monthly_leads_bucket")->value), "100-300");
	assert_non_null(find_action(&out, FLOW_ACT_QUALIFY, 0));
	assert_string_equal(find_action(&out, FLOW_ACT_QUALIFY, 0)->reason, "ads_and_100_leads");
	assert_non_null(find_action(&out, FLOW_ACT_START_BOOKING, 0));
	assert_null(find_action(&out, FLOW_ACT_DISQUALIFY, 0));
	assert_string_equal(find_action(&out, FLOW_ACT_SCHEDULE, 1)->task, "followup_48h");
	assert_int_equal(find_action(&out, FLOW_ACT_SCHEDULE, 1)->run_at_ms, T0 + 5 * MIN_MS + 2880 * MIN_MS);
	assert_int_equal(out.nmsgs, 2); /* the qualified message, then the booking offer */
	assert_string_equal(out.msgs[0].node, "qualified_100");
	assert_string_equal(out.msgs[1].node, "booking");
	assert_true(out.done);
	assert_true(st.done);
	assert_string_equal(st.node, "booking");
	flow_output_free(&out);

	assert_int_equal(step(f, &st, "Danke!", &out), FLOW_E_DONE);
	assert_int_equal(out.nmsgs, 0);
	flow_free(f);
}

static void test_disqualify_without_ads(void **state)
{
	(void)state;
	struct flow *f = load_example();
	struct flow_state st;
	struct flow_output out;
	to_ads(f, &st);
	assert_int_equal(step(f, &st, "Nein, leider noch nicht", &out), FLOW_OK);
	assert_int_equal(out.verdict, FLOW_ANSWERED);
	assert_string_equal(json_string_value(find_field(&out, "ads_running")->value), "no");
	assert_string_equal(find_action(&out, FLOW_ACT_DISQUALIFY, 0)->reason, "no_ads");
	assert_null(find_action(&out, FLOW_ACT_START_BOOKING, 0));
	assert_int_equal(out.nmsgs, 1);
	assert_non_null(strstr(out.msgs[0].text, "https://example.com/ratgeber/werbeanzeigen"));
	assert_non_null(strstr(out.msgs[0].text, "melden Sie sich gern wieder"));
	assert_true(out.done);
	flow_output_free(&out);

	/* the resource link from the bot's vars replaces the fallback; the 👎 emoji says no */
	to_ads(f, &st);
	json_t *vars = json_pack("{s:s}", "resource_url", "https://friseur-muster.de/ratgeber");
	struct flow_input in = {.text = "\xF0\x9F\x91\x8E", .vars = vars, .now_ms = T0};
	assert_int_equal(flow_step(f, &st, &in, &out), FLOW_OK);
	assert_non_null(strstr(out.msgs[0].text, "https://friseur-muster.de/ratgeber\n"));
	flow_output_free(&out);
	json_decref(vars);
	flow_free(f);
}

static void test_disqualify_under_100_leads(void **state)
{
	(void)state;
	struct flow *f = load_example();
	struct flow_state st;
	struct flow_output out;
	to_ads(f, &st);
	assert_int_equal(step(f, &st, "ja", &out), FLOW_OK);
	flow_output_free(&out);
	assert_int_equal(step(f, &st, "so um die 80", &out), FLOW_OK);
	assert_int_equal(out.verdict, FLOW_ANSWERED);
	assert_int_equal(json_integer_value(find_field(&out, "monthly_leads")->value), 80);
	assert_string_equal(json_string_value(find_field(&out, "monthly_leads_bucket")->value), "<100");
	assert_string_equal(find_action(&out, FLOW_ACT_DISQUALIFY, 0)->reason, "under_100_leads");
	assert_null(find_action(&out, FLOW_ACT_QUALIFY, 0));
	assert_non_null(strstr(out.msgs[0].text, "melden Sie sich gern später wieder"));
	assert_true(st.done);
	flow_output_free(&out);

	/* the boundary: "knapp 100" is just under, "100" itself qualifies */
	to_ads(f, &st);
	assert_int_equal(step(f, &st, "ja", &out), FLOW_OK);
	flow_output_free(&out);
	assert_int_equal(step(f, &st, "knapp 100", &out), FLOW_OK);
	assert_non_null(find_action(&out, FLOW_ACT_DISQUALIFY, 0));
	flow_output_free(&out);
	to_ads(f, &st);
	assert_int_equal(step(f, &st, "ja", &out), FLOW_OK);
	flow_output_free(&out);
	assert_int_equal(step(f, &st, "100", &out), FLOW_OK);
	assert_non_null(find_action(&out, FLOW_ACT_QUALIFY, 0));
	flow_output_free(&out);
	flow_free(f);
}

static void test_free_question_mid_flow_resumes(void **state)
{
	(void)state;
	struct flow *f = load_example();
	struct flow_state st;
	struct flow_output out;
	to_ads(f, &st);
	assert_int_equal(step(f, &st, "Ja", &out), FLOW_OK);
	flow_output_free(&out);
	assert_string_equal(st.node, "leads");

	assert_int_equal(step(f, &st, "Was kostet das bei Ihnen eigentlich?", &out), FLOW_OK);
	assert_int_equal(out.verdict, FLOW_OFF_FLOW);
	assert_true(out.has_question);
	assert_null(out.answer);
	assert_int_equal(out.nactions, 0);
	assert_int_equal(out.nmsgs, 1); /* the re-ask, to send after the caller's own answer */
	assert_string_equal(out.msgs[0].node, "leads");
	assert_non_null(strstr(out.msgs[0].text, "Wie viele Leads"));
	assert_string_equal(st.node, "leads");
	assert_int_equal(st.misunderstandings, 0);
	flow_output_free(&out);

	/* without a question mark, a W-question is still the visitor's own */
	assert_int_equal(step(f, &st, "wie lange dauert die Einrichtung", &out), FLOW_OK);
	assert_int_equal(out.verdict, FLOW_OFF_FLOW);
	flow_output_free(&out);

	/* a question that holds a number but is no answer to ours */
	assert_int_equal(step(f, &st, "Was kostet das bei 200 Leads im Monat?", &out), FLOW_OK);
	assert_int_equal(out.verdict, FLOW_OFF_FLOW);
	flow_output_free(&out);

	assert_int_equal(step(f, &st, "über 300", &out), FLOW_OK);
	assert_int_equal(out.verdict, FLOW_ANSWERED);
	assert_int_equal(json_integer_value(out.answer), 301);
	assert_string_equal(find_action(&out, FLOW_ACT_QUALIFY, 0)->reason, "ads_and_300_leads");
	assert_true(st.done);
	flow_output_free(&out);
	flow_free(f);
}

static void test_answer_with_a_question_is_answered(void **state)
{
	(void)state;
	struct flow *f = load_example();
	struct flow_state st;
	struct flow_output out;
	to_ads(f, &st);
	assert_int_equal(step(f, &st, "Ja, aber was kostet das?", &out), FLOW_OK);
	assert_int_equal(out.verdict, FLOW_ANSWERED);
	assert_true(out.has_question);
	assert_string_equal(st.node, "leads");
	flow_output_free(&out);
	/* "genau" inside a question is no answer */
	to_ads(f, &st);
	assert_int_equal(step(f, &st, "Was meinen Sie genau mit Anzeigen?", &out), FLOW_OK);
	assert_int_equal(out.verdict, FLOW_OFF_FLOW);
	flow_output_free(&out);
	flow_free(f);
}

static void test_three_misunderstandings_hand_over(void **state)
{
	(void)state;
	struct flow *f = load_example();
	struct flow_state st;
	struct flow_output out;
	to_ads(f, &st);

	assert_int_equal(step(f, &st, "Banane", &out), FLOW_OK);
	assert_int_equal(out.verdict, FLOW_MISUNDERSTOOD);
	assert_int_equal(st.misunderstandings, 1);
	assert_int_equal(out.nmsgs, 2); /* a hint, then the question with its buttons */
	assert_non_null(strstr(out.msgs[0].text, "nicht ganz verstanden"));
	assert_int_equal(out.msgs[1].kind, FLOW_MSG_BUTTONS);
	assert_false(out.handover);
	flow_output_free(&out);

	assert_int_equal(step(f, &st, "vielleicht", &out), FLOW_OK); /* unsure is not an answer */
	assert_int_equal(out.verdict, FLOW_MISUNDERSTOOD);
	assert_int_equal(st.misunderstandings, 2);
	flow_output_free(&out);

	assert_int_equal(step(f, &st, "Wie bitte?", &out), FLOW_OK); /* asks to repeat: misunderstood, not off-flow */
	assert_int_equal(out.verdict, FLOW_MISUNDERSTOOD);
	assert_true(out.handover);
	const struct flow_action *a = find_action(&out, FLOW_ACT_HANDOVER, 0);
	assert_non_null(a);
	assert_string_equal(a->reason, "misunderstood");
	assert_int_equal(out.nmsgs, 1);
	assert_non_null(strstr(out.msgs[0].text, "jemand aus unserem Team"));
	assert_string_equal(st.node, "ads"); /* waits for the team to hand back */
	assert_int_equal(st.misunderstandings, 0);
	assert_false(st.done);
	flow_output_free(&out);

	struct flow_input in = {.now_ms = T0 + 60 * MIN_MS};
	assert_int_equal(flow_reask(f, &st, &in, &out), FLOW_OK);
	assert_int_equal(out.nmsgs, 1);
	assert_string_equal(out.msgs[0].node, "ads");
	assert_int_equal(st.asked_at_ms, T0 + 60 * MIN_MS);
	flow_output_free(&out);

	/* an answer in between resets the count */
	assert_int_equal(step(f, &st, "xyz", &out), FLOW_OK);
	flow_output_free(&out);
	assert_int_equal(step(f, &st, "xyz", &out), FLOW_OK);
	flow_output_free(&out);
	assert_int_equal(st.misunderstandings, 2);
	assert_int_equal(step(f, &st, "ja", &out), FLOW_OK);
	flow_output_free(&out);
	assert_int_equal(st.misunderstandings, 0);
	assert_int_equal(step(f, &st, "viele", &out), FLOW_OK);
	assert_int_equal(out.verdict, FLOW_MISUNDERSTOOD);
	assert_int_equal(st.misunderstandings, 1);
	assert_non_null(strstr(out.msgs[0].text, "grobe Zahl"));
	flow_output_free(&out);
	flow_free(f);
}

static void test_greeting_declined_then_goodbye(void **state)
{
	(void)state;
	struct flow *f = load_example();
	struct flow_state st;
	struct flow_output out;
	struct flow_input in = {.now_ms = T0}; /* no vars: no name */
	assert_int_equal(flow_start(f, &st, &in, &out), FLOW_OK);
	assert_non_null(strstr(out.msgs[0].text, "Hallo, schön, dass"));
	flow_output_free(&out);
	assert_int_equal(step(f, &st, "gerade nicht", &out), FLOW_OK); /* the "no" button's title, typed */
	assert_string_equal(st.node, "later");
	assert_string_equal(find_action(&out, FLOW_ACT_SCHEDULE, 0)->task, "followup_24h");
	flow_output_free(&out);
	assert_int_equal(step_reply(f, &st, "no", "Kein Interesse", &out), FLOW_OK);
	assert_true(st.done);
	assert_string_equal(json_string_value(find_field(&out, "qualification_status")->value), "declined");
	flow_output_free(&out);
	flow_free(f);
}

/* ---- choices ------------------------------------------------------------------------------------ */

static const char choice_flow[] =
	"{\"version\":1,\"start\":\"q\",\"nodes\":{"
	"\"q\":{\"type\":\"question\",\"text\":\"Wofür interessieren Sie sich?\",\"answer\":{\"kind\":\"choice\","
	"\"field\":\"interest\",\"list_button\":\"Angebote\",\"choices\":["
	"{\"id\":\"trial\",\"title\":\"Probetraining\",\"description\":\"60 Minuten, kostenlos\",\"next\":\"a\"},"
	"{\"id\":\"course\",\"title\":\"Kurse\",\"next\":\"b\"},"
	"{\"id\":\"pt\",\"title\":\"Personal Training\",\"next\":\"c\"},"
	"{\"id\":\"member\",\"title\":\"Mitgliedschaft\",\"next\":\"d\"}]}},"
	"\"a\":{\"type\":\"end\",\"text\":\"A\"},\"b\":{\"type\":\"end\",\"text\":\"B\"},"
	"\"c\":{\"type\":\"end\",\"text\":\"C\"},\"d\":{\"type\":\"end\"}}}";

static const char *pick(const struct flow *f, const char *text, const char *reply_id)
{
	static char got[32];
	struct flow_state st;
	struct flow_output out;
	struct flow_input in = {.now_ms = T0};
	assert_int_equal(flow_start(f, &st, &in, &out), FLOW_OK);
	flow_output_free(&out);
	in.text = text;
	in.reply_id = reply_id;
	assert_int_equal(flow_step(f, &st, &in, &out), FLOW_OK);
	snprintf(got, sizeof got, "%s", out.verdict == FLOW_ANSWERED ? json_string_value(out.answer)
					: flow_verdict_name(out.verdict));
	flow_output_free(&out);
	return got;
}

static void test_choices_by_id_title_number_and_near_title(void **state)
{
	(void)state;
	struct flow *f = parse_ok(choice_flow);
	struct flow_state st;
	struct flow_output out;
	struct flow_input in = {.now_ms = T0};
	assert_int_equal(flow_start(f, &st, &in, &out), FLOW_OK);
	assert_int_equal(out.msgs[0].kind, FLOW_MSG_LIST); /* 4 choices: a list */
	assert_int_equal(out.msgs[0].nopts, 4);
	assert_string_equal(out.msgs[0].list_button, "Angebote");
	assert_string_equal(out.msgs[0].opts[0].description, "60 Minuten, kostenlos");
	flow_output_free(&out);

	assert_string_equal(pick(f, "Mitgliedschaft", "member"), "member"); /* a tapped row */
	assert_string_equal(pick(f, "Probetraining", NULL), "trial");       /* the title, typed */
	assert_string_equal(pick(f, "  PT ", NULL), "pt");                   /* the id */
	assert_string_equal(pick(f, "2", NULL), "course");                   /* by number */
	assert_string_equal(pick(f, "Nr. 3", NULL), "pt");
	assert_string_equal(pick(f, "die vierte bitte", NULL), "member");
	assert_string_equal(pick(f, "das erste", NULL), "trial");
	assert_string_equal(pick(f, "die letzte", NULL), "member");
	assert_string_equal(pick(f, "zwei", NULL), "course");
	assert_string_equal(pick(f, "probetrainig", NULL), "trial");          /* a typo away */
	assert_string_equal(pick(f, "Ich hätte gern ein Probetraining", NULL), "trial");
	assert_string_equal(pick(f, "personal", NULL), "pt");                 /* a word of the title */
	assert_string_equal(pick(f, "Mitglied", NULL), "member");             /* the start of a title word */
	assert_string_equal(pick(f, "kurse", NULL), "course");
	assert_string_equal(pick(f, "5", NULL), "misunderstood");             /* no fifth choice */
	assert_string_equal(pick(f, "Sauna", NULL), "misunderstood");
	assert_string_equal(pick(f, "Kurse oder Probetraining", NULL), "misunderstood"); /* two at once */
	assert_string_equal(pick(f, "Gibt es auch Sauna?", NULL), "off_flow");
	assert_string_equal(pick(f, "Egal", "unknown_row"), "misunderstood"); /* a stale button */
	flow_free(f);

	/* three choices are buttons */
	f = parse_ok("{\"version\":1,\"start\":\"q\",\"nodes\":{\"q\":{\"type\":\"question\",\"text\":\"Wann?\","
		     "\"answer\":{\"kind\":\"choice\",\"choices\":[{\"id\":\"m\",\"title\":\"Morgens\",\"next\":\"e\"},"
		     "{\"id\":\"n\",\"title\":\"Nachmittags\",\"next\":\"e\"},{\"id\":\"a\",\"title\":\"Abends\",\"next\":\"e\"}]}},"
		     "\"e\":{\"type\":\"end\"}}}");
	assert_int_equal(flow_start(f, &st, &in, &out), FLOW_OK);
	assert_int_equal(out.msgs[0].kind, FLOW_MSG_BUTTONS);
	assert_null(out.msgs[0].list_button);
	flow_output_free(&out);
	assert_string_equal(pick(f, "abends", NULL), "a");
	assert_string_equal(pick(f, "3", NULL), "a");
	flow_free(f);
}

static void test_free_text_answer(void **state)
{
	(void)state;
	struct flow *f = parse_ok("{\"version\":1,\"start\":\"q\",\"nodes\":{\"q\":{\"type\":\"question\","
				  "\"text\":\"Was ist Ihr Ziel?\",\"answer\":{\"kind\":\"free_text\",\"field\":\"goal\","
				  "\"next\":\"e\"}},\"e\":{\"type\":\"end\",\"text\":\"Danke!\"}}}");
	struct flow_state st;
	struct flow_output out;
	struct flow_input in = {.now_ms = T0};
	assert_int_equal(flow_start(f, &st, &in, &out), FLOW_OK);
	flow_output_free(&out);
	in.text = "  Mehr Termine am Vormittag\xff  "; /* an invalid byte becomes U+FFFD */
	assert_int_equal(flow_step(f, &st, &in, &out), FLOW_OK);
	assert_int_equal(out.verdict, FLOW_ANSWERED);
	assert_string_equal(json_string_value(find_field(&out, "goal")->value), "Mehr Termine am Vormittag\xEF\xBF\xBD");
	assert_true(out.done);
	flow_output_free(&out);
	flow_free(f);
}

/* ---- validation --------------------------------------------------------------------------------- */

#define END_NODE "\"e\":{\"type\":\"end\",\"text\":\"Tschüss\"}"
#define YN(y, n) "{\"kind\":\"yes_no\",\"yes\":\"" y "\",\"no\":\"" n "\"}"

static void test_validation_graph_errors(void **state)
{
	(void)state;
	/* a node nothing leads to */
	expect_error("{\"version\":1,\"start\":\"q\",\"nodes\":{\"q\":{\"type\":\"question\",\"text\":\"Ja?\","
		     "\"answer\":" YN("e", "e") "}," END_NODE ",\"orphan\":{\"type\":\"end\",\"text\":\"x\"}}}",
		     "unreachable", "nodes.orphan");
	/* yes without no */
	expect_error("{\"version\":1,\"start\":\"q\",\"nodes\":{\"q\":{\"type\":\"question\",\"text\":\"Ja?\","
		     "\"answer\":{\"kind\":\"yes_no\",\"yes\":\"e\"}}," END_NODE "}}",
		     "missing_transition", "nodes.q.answer.no");
	expect_error("{\"version\":1,\"start\":\"q\",\"nodes\":{\"q\":{\"type\":\"question\",\"text\":\"Ja?\","
		     "\"answer\":{\"kind\":\"yes_no\",\"no\":\"e\"}}," END_NODE "}}",
		     "missing_transition", "nodes.q.answer.yes");
	/* a transition to a node that does not exist (and no noise about unreachable nodes behind it) */
	expect_error("{\"version\":1,\"start\":\"q\",\"nodes\":{\"q\":{\"type\":\"question\",\"text\":\"Ja?\","
		     "\"answer\":" YN("e", "nirgendwo") "}," END_NODE "}}",
		     "unknown_node", "nodes.q.answer.no");
	expect_error("{\"version\":1,\"start\":\"anfang\",\"nodes\":{" END_NODE "}}", "unknown_node", "start");
	expect_error("{\"version\":1,\"nodes\":{" END_NODE "}}", "missing", "start");
	/* messages that loop without a question */
	struct flow_error e;
	assert_int_equal(errors_of("{\"version\":1,\"start\":\"m1\",\"nodes\":{"
				   "\"m1\":{\"type\":\"message\",\"text\":\"eins\",\"next\":\"m2\"},"
				   "\"m2\":{\"type\":\"message\",\"text\":\"zwei\",\"next\":\"m1\"}}}",
				   &e),
			 1);
	assert_string_equal(e.code, "message_loop");
	assert_string_equal(e.path, "nodes.m1.next");
	assert_non_null(strstr(e.message, "m1 → m2 → m1"));
	expect_error("{\"version\":1,\"start\":\"m\",\"nodes\":{\"m\":{\"type\":\"message\",\"text\":\"x\",\"next\":\"m\"}}}",
		     "message_loop", "nodes.m.next");
	/* a loop through a question is fine */
	assert_int_equal(errors_of("{\"version\":1,\"start\":\"m\",\"nodes\":{"
				   "\"m\":{\"type\":\"message\",\"text\":\"Noch eine Runde:\",\"next\":\"q\"},"
				   "\"q\":{\"type\":\"question\",\"text\":\"Nochmal?\",\"answer\":" YN("m", "e") "},"
				   END_NODE "}}",
				   NULL),
			 0);
	/* an end node with transitions */
	expect_error("{\"version\":1,\"start\":\"e\",\"nodes\":{\"e\":{\"type\":\"end\",\"next\":\"e\"}}}",
		     "end_has_transition", "nodes.e.next");
	expect_error("{\"version\":1,\"start\":\"e\",\"nodes\":{\"e\":{\"type\":\"end\",\"answer\":" YN("e", "e") "}}}",
		     "end_has_transition", "nodes.e.answer");
	expect_error("{\"version\":1,\"start\":\"m\",\"nodes\":{\"m\":{\"type\":\"message\",\"text\":\"x\"}," END_NODE "}}",
		     "missing_transition", "nodes.m.next");
	expect_error("{\"version\":1,\"start\":\"q\",\"nodes\":{\"q\":{\"type\":\"question\",\"text\":\"x\",\"next\":\"e\","
		     "\"answer\":" YN("e", "e") "}," END_NODE "}}",
		     "misplaced", "nodes.q.next");
}

#define NUM_Q(buckets)                                                                                            \
	"{\"version\":1,\"start\":\"q\",\"nodes\":{\"q\":{\"type\":\"question\",\"text\":\"Wie viele?\","              \
	"\"answer\":{\"kind\":\"number\",\"buckets\":" buckets "}}," END_NODE ",\"f\":{\"type\":\"end\"}}}"

static void test_validation_buckets(void **state)
{
	(void)state;
	assert_int_equal(errors_of(NUM_Q("[{\"max\":99,\"next\":\"e\"},{\"min\":100,\"next\":\"f\"}]"), NULL), 0);
	/* order in the document does not matter */
	assert_int_equal(errors_of(NUM_Q("[{\"min\":100,\"next\":\"f\"},{\"max\":99,\"next\":\"e\"}]"), NULL), 0);
	expect_error(NUM_Q("[{\"max\":99,\"next\":\"e\"},{\"min\":101,\"next\":\"f\"}]"), "bucket_gap",
		     "nodes.q.answer.buckets");
	expect_error(NUM_Q("[{\"max\":100,\"next\":\"e\"},{\"min\":100,\"next\":\"f\"}]"), "bucket_overlap",
		     "nodes.q.answer.buckets");
	expect_error(NUM_Q("[{\"min\":1,\"max\":99,\"next\":\"e\"},{\"min\":100,\"next\":\"f\"}]"), "bucket_gap",
		     "nodes.q.answer.buckets"); /* 0 is not covered */
	expect_error(NUM_Q("[{\"max\":99,\"next\":\"e\"},{\"min\":100,\"max\":500,\"next\":\"f\"}]"), "bucket_gap",
		     "nodes.q.answer.buckets"); /* nothing above 500 */
	expect_error(NUM_Q("[{\"max\":99,\"next\":\"e\"},{\"next\":\"f\"}]"), "bucket_overlap",
		     "nodes.q.answer.buckets"); /* both start at 0 */
	expect_error(NUM_Q("[{\"min\":50,\"max\":10,\"next\":\"e\"},{\"next\":\"f\"}]"), "bad_value",
		     "nodes.q.answer.buckets[0]");
	expect_error(NUM_Q("[{\"max\":99,\"next\":\"e\"},{\"min\":100}]"), "missing_transition",
		     "nodes.q.answer.buckets[1].next");
	expect_error(NUM_Q("[{\"max\":-1,\"next\":\"e\"},{\"min\":0,\"next\":\"f\"}]"), "bad_value",
		     "nodes.q.answer.buckets[0].max");
}

static char *repeat(const char *unit, int n)
{
	size_t len = strlen(unit);
	char *s = malloc(len * (size_t)n + 1);
	assert_non_null(s);
	for (int i = 0; i < n; i++)
		memcpy(s + len * (size_t)i, unit, len);
	s[len * (size_t)n] = '\0';
	return s;
}

static void test_validation_texts_and_limits(void **state)
{
	(void)state;
	char doc[16384];
	/* 4096 characters fit a message (umlauts count once), 4097 do not */
	char *text = repeat("ü", 4096);
	json_t *j = json_pack("{s:i, s:s, s:{s:{s:s, s:s, s:s}, s:{s:s}}}", "version", 1, "start", "m", "nodes", "m",
			      "type", "message", "text", text, "next", "e", "e", "type", "end");
	assert_non_null(j);
	struct flow_error e[4];
	int n = -1;
	struct flow *f = flow_parse(j, e, 4, &n);
	assert_non_null(f);
	flow_free(f);
	json_object_set_new(json_object_get(json_object_get(j, "nodes"), "m"), "text", json_string("x"));
	free(text);
	text = repeat("a", 4097);
	json_object_set_new(json_object_get(json_object_get(j, "nodes"), "m"), "text", json_string(text));
	assert_null(flow_parse(j, e, 4, &n));
	assert_int_equal(n, 1);
	assert_string_equal(e[0].code, "text_too_long");
	assert_string_equal(e[0].path, "nodes.m.text");
	json_decref(j);
	free(text);
	/* a question with buttons is an interactive message: its body holds 1024 characters */
	text = repeat("a", 1025);
	snprintf(doc, sizeof doc,
		 "{\"version\":1,\"start\":\"q\",\"nodes\":{\"q\":{\"type\":\"question\",\"text\":\"%s\",\"answer\":" YN("e", "e")
		 "}," END_NODE "}}",
		 text);
	expect_error(doc, "text_too_long", "nodes.q.text");
	free(text);
	/* button titles: 20 characters with up to 3 choices, list rows 24 */
	expect_error("{\"version\":1,\"start\":\"q\",\"nodes\":{\"q\":{\"type\":\"question\",\"text\":\"?\",\"answer\":{"
		     "\"kind\":\"choice\",\"choices\":[{\"id\":\"a\",\"title\":\"Einundzwanzig Zeichen\",\"next\":\"e\"}]}},"
		     END_NODE "}}",
		     "text_too_long", "nodes.q.answer.choices[0].title");
	assert_int_equal(errors_of("{\"version\":1,\"start\":\"q\",\"nodes\":{\"q\":{\"type\":\"question\",\"text\":\"?\","
				   "\"answer\":{\"kind\":\"choice\",\"choices\":["
				   "{\"id\":\"a\",\"title\":\"Vierundzwanzig Zeichen!!\",\"next\":\"e\"},"
				   "{\"id\":\"b\",\"title\":\"b\",\"next\":\"e\"},{\"id\":\"c\",\"title\":\"c\",\"next\":\"e\"},"
				   "{\"id\":\"d\",\"title\":\"d\",\"next\":\"e\"}]}}," END_NODE "}}",
				   NULL),
			 0);
	expect_error("{\"version\":1,\"start\":\"q\",\"nodes\":{\"q\":{\"type\":\"question\",\"text\":\"?\",\"answer\":{"
		     "\"kind\":\"choice\",\"choices\":[{\"id\":\"a\",\"title\":\"A\",\"next\":\"e\"},"
		     "{\"id\":\"a\",\"title\":\"B\",\"next\":\"e\"}]}}," END_NODE "}}",
		     "duplicate_id", "nodes.q.answer.choices[1].id");
	expect_error("{\"version\":1,\"start\":\"q\",\"nodes\":{\"q\":{\"type\":\"question\",\"text\":\"?\",\"answer\":{"
		     "\"kind\":\"choice\",\"choices\":[{\"id\":\"a\",\"title\":\"Kurse\",\"next\":\"e\"},"
		     "{\"id\":\"b\",\"title\":\"KURSE!\",\"next\":\"e\"}]}}," END_NODE "}}",
		     "duplicate_title", "nodes.q.answer.choices[1].title");
	expect_error("{\"version\":1,\"start\":\"q\",\"nodes\":{\"q\":{\"type\":\"question\",\"text\":\"?\",\"answer\":{"
		     "\"kind\":\"choice\",\"choices\":[{\"id\":\"a\",\"title\":\"A\",\"description\":\"d\",\"next\":\"e\"}]}},"
		     END_NODE "}}",
		     "misplaced", "nodes.q.answer.choices[0].description");
	/* eleven choices */
	char choices[2048] = "";
	for (int i = 0; i < 11; i++)
		snprintf(choices + strlen(choices), sizeof choices - strlen(choices),
			 "%s{\"id\":\"c%d\",\"title\":\"Option %d\",\"next\":\"e\"}", i ? "," : "", i, i);
	snprintf(doc, sizeof doc,
		 "{\"version\":1,\"start\":\"q\",\"nodes\":{\"q\":{\"type\":\"question\",\"text\":\"?\",\"answer\":{"
		 "\"kind\":\"choice\",\"choices\":[%s]}}," END_NODE "}}",
		 choices);
	expect_error(doc, "too_many", "nodes.q.answer.choices");
	/* placeholders */
	expect_error("{\"version\":1,\"start\":\"e\",\"nodes\":{\"e\":{\"type\":\"end\",\"text\":\"Hallo {{Vorname}}\"}}}",
		     "bad_placeholder", "nodes.e.text");
	expect_error("{\"version\":1,\"start\":\"e\",\"nodes\":{\"e\":{\"type\":\"end\",\"text\":\"Hallo {{first_name\"}}}",
		     "bad_placeholder", "nodes.e.text");
	expect_error("{\"version\":1,\"start\":\"e\",\"nodes\":{\"e\":{\"type\":\"end\",\"text\":\"   \"}}}", "empty_text",
		     "nodes.e.text");
	expect_error("{\"version\":1,\"start\":\"m\",\"nodes\":{\"m\":{\"type\":\"message\",\"next\":\"e\"}," END_NODE "}}",
		     "missing", "nodes.m.text");
}

static void test_validation_kinds_and_names(void **state)
{
	(void)state;
	expect_error("{\"version\":1,\"start\":\"e\",\"nodes\":{\"e\":{\"type\":\"ende\"}}}", "unknown_type",
		     "nodes.e.type");
	expect_error("{\"version\":1,\"start\":\"q\",\"nodes\":{\"q\":{\"type\":\"question\",\"text\":\"?\",\"answer\":{"
		     "\"kind\":\"date\",\"next\":\"e\"}}," END_NODE "}}",
		     "unknown_kind", "nodes.q.answer.kind");
	expect_error("{\"version\":1,\"start\":\"e\",\"nodes\":{\"e\":{\"type\":\"end\",\"actions\":[{\"do\":\"email\"}]}}}",
		     "unknown_action", "nodes.e.actions[0].do");
	expect_error("{\"version\":1,\"start\":\"e\",\"nodes\":{\"e\":{\"type\":\"end\",\"actions\":["
		     "{\"do\":\"set_field\",\"field\":\"Ads-Running\",\"value\":true}]}}}",
		     "bad_id", "nodes.e.actions[0].field");
	expect_error("{\"version\":1,\"start\":\"q\",\"nodes\":{\"q\":{\"type\":\"question\",\"text\":\"?\",\"answer\":{"
		     "\"kind\":\"yes_no\",\"field\":\"ads running\",\"yes\":\"e\",\"no\":\"e\"}}," END_NODE "}}",
		     "bad_id", "nodes.q.answer.field");
	expect_error("{\"version\":1,\"start\":\"e\",\"nodes\":{\"e\":{\"type\":\"end\",\"actions\":["
		     "{\"do\":\"set_field\",\"field\":\"x\",\"value\":{\"a\":1}}]}}}",
		     "bad_type", "nodes.e.actions[0].value");
	expect_error("{\"version\":1,\"start\":\"e\",\"nodes\":{\"e\":{\"type\":\"end\",\"actions\":[{\"do\":\"disqualify\"}]}}}",
		     "missing", "nodes.e.actions[0].reason");
	expect_error("{\"version\":1,\"start\":\"e\",\"nodes\":{\"e\":{\"type\":\"end\",\"actions\":["
		     "{\"do\":\"schedule\",\"task\":\"followup_24h\",\"delay_minutes\":100000}]}}}",
		     "bad_value", "nodes.e.actions[0].delay_minutes");
	expect_error("{\"version\":1,\"start\":\"e\",\"nodes\":{\"e\":{\"type\":\"end\",\"nxt\":\"e\"}}}", "unknown_key",
		     "nodes.e.nxt");
	expect_error("{\"version\":1,\"start\":\"q\",\"nodes\":{\"q\":{\"type\":\"question\",\"text\":\"?\",\"answer\":{"
		     "\"kind\":\"yes_no\",\"yes\":\"e\",\"no\":\"e\",\"buckets\":[]}}," END_NODE "}}",
		     "unknown_key", "nodes.q.answer.buckets");
	expect_error("{\"version\":2,\"start\":\"e\",\"nodes\":{" END_NODE "}}", "bad_version", "version");
	expect_error("{\"version\":1,\"start\":\"e f\",\"nodes\":{\"e f\":{\"type\":\"end\"}}}", "bad_id", "nodes");
	expect_error("[1,2]", "bad_type", "");
	/* several errors are all reported */
	struct flow_error e;
	assert_int_equal(errors_of("{\"version\":1,\"start\":\"e\",\"nodes\":{\"e\":{\"type\":\"end\",\"actions\":["
				   "{\"do\":\"x\"},{\"do\":\"y\"},{\"do\":\"qualify\",\"why\":1}]}}}",
				   &e),
			 3);
	/* max_errs 0 still counts */
	json_t *j = json_loads("{\"version\":1,\"nodes\":{}}", 0, NULL);
	int n = -1;
	assert_null(flow_parse(j, NULL, 0, &n));
	assert_int_equal(n, 2); /* no start, no nodes */
	json_decref(j);
	assert_null(flow_parse(NULL, NULL, 0, &n));
	assert_int_equal(n, 1);
}

static void test_validation_caps(void **state)
{
	(void)state;
	/* 200 nodes fit, 201 do not */
	json_t *nodes = json_object();
	for (int i = 0; i < 201; i++) {
		char id[16], next[16];
		snprintf(id, sizeof id, "n%d", i);
		snprintf(next, sizeof next, "n%d", i + 1);
		json_object_set_new(nodes, id, i < 199 ? json_pack("{s:s, s:s, s:s}", "type", "question", "text", "?",
								    "answer", "")
						       : json_pack("{s:s}", "type", "end"));
		if (i < 199)
			json_object_set_new(json_object_get(nodes, id), "answer",
					    json_pack("{s:s, s:s}", "kind", "free_text", "next", next));
	}
	json_t *doc = json_pack("{s:i, s:s, s:O}", "version", 1, "start", "n0", "nodes", nodes);
	struct flow_error e[2];
	int n = -1;
	struct flow *f = flow_parse(doc, e, 2, &n);
	assert_null(f);
	assert_string_equal(e[0].code, "too_many");
	json_object_del(nodes, "n200");
	json_object_del(json_object_get(doc, "nodes"), "n200");
	f = flow_parse(doc, e, 2, &n);
	if (!f)
		fail_msg("%s at %s: %s", e[0].code, e[0].path, e[0].message);
	flow_free(f);
	json_decref(doc);
	json_decref(nodes);
	/* over 64 KiB */
	char *big = repeat("x", 3000);
	doc = json_pack("{s:i, s:s, s:{}}", "version", 1, "start", "n0", "nodes");
	for (int i = 0; i < 25; i++) {
		char id[16];
		snprintf(id, sizeof id, "n%d", i);
		json_object_set_new(json_object_get(doc, "nodes"), id, json_pack("{s:s, s:s}", "type", "end", "text", big));
	}
	assert_null(flow_parse(doc, e, 2, &n));
	assert_int_equal(n, 1);
	assert_string_equal(e[0].code, "too_large");
	json_decref(doc);
	free(big);
}

/* ---- state -------------------------------------------------------------------------------------- */

static void test_state_json_round_trip(void **state)
{
	(void)state;
	struct flow *f = load_example();
	struct flow_state st, back;
	struct flow_output out;
	to_ads(f, &st);
	assert_int_equal(step(f, &st, "hm", &out), FLOW_OK);
	flow_output_free(&out);
	json_t *j = flow_state_to_json(&st);
	assert_non_null(j);
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	j = json_loads(s, 0, NULL);
	free(s);
	memset(&back, 0x55, sizeof back);
	assert_int_equal(flow_state_from_json(j, &back), 0);
	json_decref(j);
	assert_string_equal(back.node, "ads");
	assert_int_equal(back.misunderstandings, 1);
	assert_false(back.done);
	assert_int_equal(back.started_at_ms, T0);
	assert_int_equal(back.asked_at_ms, st.asked_at_ms);
	/* the restored state carries on */
	assert_int_equal(step(f, &back, "nein", &out), FLOW_OK);
	assert_true(back.done);
	flow_output_free(&out);

	/* refused shapes leave the state alone */
	const char *bad[] = {"[]", "{}", "{\"node\":7}", "{\"node\":\"a b\"}", "{\"node\":\"ads\",\"done\":1}",
			     "{\"node\":\"ads\",\"misunderstandings\":-1}", "{\"node\":\"ads\",\"asked_at_ms\":\"x\"}", NULL};
	for (int i = 0; bad[i]; i++) {
		j = json_loads(bad[i], 0, NULL);
		assert_non_null(j);
		assert_int_equal(flow_state_from_json(j, &back), -1);
		json_decref(j);
	}
	/* a state that no longer fits the flow */
	j = json_loads("{\"node\":\"removed_node\"}", 0, NULL);
	assert_int_equal(flow_state_from_json(j, &back), 0);
	json_decref(j);
	assert_int_equal(step(f, &back, "ja", &out), FLOW_E_STATE);
	snprintf(back.node, sizeof back.node, "qualified_100"); /* a message, not a question */
	assert_int_equal(step(f, &back, "ja", &out), FLOW_E_STATE);
	assert_int_equal(flow_step(NULL, &back, NULL, &out), FLOW_E_ARG);
	assert_int_equal(flow_start(f, &back, NULL, &out), FLOW_E_ARG);
	flow_free(f);
}

static void test_placeholders(void **state)
{
	(void)state;
	struct flow *f = parse_ok("{\"version\":1,\"start\":\"e\",\"nodes\":{\"e\":{\"type\":\"end\",\"text\":"
				  "\"Hallo {{first_name|zusammen}}! {{company}} hat {{count}} Plätze, offen: {{open}}. Gruß {{missing}}\"}}}");
	struct flow_state st;
	struct flow_output out;
	json_t *vars = json_pack("{s:s, s:s, s:i, s:b}", "first_name", "Jörg", "company", "Studio Süd", "count", 12,
				 "open", 1);
	struct flow_input in = {.vars = vars, .now_ms = T0};
	assert_int_equal(flow_start(f, &st, &in, &out), FLOW_OK);
	assert_string_equal(out.msgs[0].text, "Hallo Jörg! Studio Süd hat 12 Plätze, offen: ja. Gruß");
	flow_output_free(&out);
	json_decref(vars);
	in.vars = NULL;
	assert_int_equal(flow_start(f, &st, &in, &out), FLOW_OK);
	assert_string_equal(out.msgs[0].text, "Hallo zusammen! hat Plätze, offen:. Gruß");
	flow_output_free(&out);
	flow_free(f);
}

/* ---- recognisers -------------------------------------------------------------------------------- */

static void test_yes_no_words(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		enum flow_yes_no want;
	} cases[] = {
		{"ja", FLOW_YN_YES},
		{"Jaaa!", FLOW_YN_YES},
		{"Jep", FLOW_YN_YES},
		{"Klar", FLOW_YN_YES},
		{"sicher", FLOW_YN_YES},
		{"Genau so ist es", FLOW_YN_YES},
		{"Natürlich", FLOW_YN_YES},
		{"Auf jeden Fall", FLOW_YN_YES},
		{"Ja, nicht viele, aber ein paar", FLOW_YN_YES},
		{"Warum nicht", FLOW_YN_YES},
		{"Also ja", FLOW_YN_YES},
		{"ok passt", FLOW_YN_YES},
		{"\xF0\x9F\x91\x8D", FLOW_YN_YES},
		{"\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD", FLOW_YN_YES}, /* with a skin tone */
		{"Nein", FLOW_YN_NO},
		{"nö", FLOW_YN_NO},
		{"Nee, danke", FLOW_YN_NO},
		{"noch nicht", FLOW_YN_NO},
		{"leider nicht", FLOW_YN_NO},
		{"Nicht wirklich", FLOW_YN_NO},
		{"sicher nicht", FLOW_YN_NO},
		{"natürlich nicht", FLOW_YN_NO},
		{"Wir schalten keine Anzeigen", FLOW_YN_NO},
		{"auf keinen Fall", FLOW_YN_NO},
		{"Nein, vielleicht später mal", FLOW_YN_NO},
		{"Nicht so richtig", FLOW_YN_NO},
		{"Haben wir nicht", FLOW_YN_NO},
		{"Schon", FLOW_YN_YES},
		{"Doch, klar", FLOW_YN_YES},
		{"Ähm ja", FLOW_YN_YES},
		{"\xF0\x9F\x91\x8E", FLOW_YN_NO},
		{"\xE2\x9D\x8C", FLOW_YN_NO},
		{"vielleicht", FLOW_YN_UNSURE},
		{"jein", FLOW_YN_UNSURE},
		{"ja und nein", FLOW_YN_UNSURE},
		{"weiß ich nicht", FLOW_YN_UNSURE},
		{"Keine Ahnung", FLOW_YN_UNSURE},
		{"kommt drauf an", FLOW_YN_UNSURE},
		{"bin mir nicht sicher", FLOW_YN_UNSURE},
		{"manchmal", FLOW_YN_UNSURE},
		{"klar, aber eigentlich nicht", FLOW_YN_UNSURE},
		{"\xF0\x9F\x91\x8D\xF0\x9F\x91\x8E", FLOW_YN_UNSURE},
		{"Banane", FLOW_YN_NONE},
		{"", FLOW_YN_NONE},
		{"\xF0\x9F\x98\x80", FLOW_YN_NONE},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bool leading;
		enum flow_yes_no got = flow_answer_yes_no(cases[i].text, &leading);
		if (got != cases[i].want)
			fail_msg("\"%s\": got %d, want %d", cases[i].text, got, cases[i].want);
	}
	bool leading;
	assert_int_equal(flow_answer_yes_no(NULL, &leading), FLOW_YN_NONE);
	flow_answer_yes_no("Ja, aber ...", &leading);
	assert_true(leading);
	flow_answer_yes_no("Das stimmt", &leading);
	assert_false(leading);
}

static void test_number_words(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		enum flow_period period;
		long long want; /* -1: no number */
	} cases[] = {
		{"150", FLOW_PERIOD_NONE, 150},
		{"ca. 150", FLOW_PERIOD_NONE, 150},
		{"so um die 80", FLOW_PERIOD_NONE, 80},
		{"hundert", FLOW_PERIOD_NONE, 100},
		{"Hundertfünfzig", FLOW_PERIOD_NONE, 150},
		{"zweihundertfünfundzwanzig", FLOW_PERIOD_NONE, 225},
		{"dreitausendeinhundert", FLOW_PERIOD_NONE, 3100},
		{"zwanzig", FLOW_PERIOD_NONE, 20},
		{"zwei hundert", FLOW_PERIOD_NONE, 200},
		{"über 200", FLOW_PERIOD_NONE, 201},
		{"mehr als 100", FLOW_PERIOD_NONE, 101},
		{"unter 100", FLOW_PERIOD_NONE, 99},
		{"weniger als 50", FLOW_PERIOD_NONE, 49},
		{"knapp 100", FLOW_PERIOD_NONE, 99},
		{"keine 100", FLOW_PERIOD_NONE, 99},
		{"nicht mal 20", FLOW_PERIOD_NONE, 19},
		{"mindestens 100", FLOW_PERIOD_NONE, 100},
		{"ab 300", FLOW_PERIOD_NONE, 300},
		{"100+", FLOW_PERIOD_NONE, 100},
		{"zwischen 50 und 100", FLOW_PERIOD_NONE, 75},
		{"50-100", FLOW_PERIOD_NONE, 75},
		{"80 – 120", FLOW_PERIOD_NONE, 100},
		{"50 bis 100", FLOW_PERIOD_NONE, 75},
		{"1-2k", FLOW_PERIOD_NONE, 1500},
		{"3 bis 4 hundert", FLOW_PERIOD_NONE, 350},
		{"achtzig bis neunzig", FLOW_PERIOD_NONE, 85},
		{"\xE2\x89\xA5 100", FLOW_PERIOD_NONE, 100},
		{"< 50", FLOW_PERIOD_NONE, 49},
		{"> 50", FLOW_PERIOD_NONE, 51},
		{"ca 50 Anfragen die Woche", FLOW_PERIOD_MONTH, 216},
		{"1.000", FLOW_PERIOD_NONE, 1000},
		{"10.000.000", FLOW_PERIOD_NONE, 10000000},
		{"1,5k", FLOW_PERIOD_NONE, 1500},
		{"1k", FLOW_PERIOD_NONE, 1000},
		{"2 Tsd.", FLOW_PERIOD_NONE, 2000},
		{"1 Mio", FLOW_PERIOD_NONE, 1000000},
		{"ein paar hundert", FLOW_PERIOD_NONE, 200},
		{"Hunderte!", FLOW_PERIOD_NONE, 200},
		{"keine", FLOW_PERIOD_NONE, 0},
		{"null", FLOW_PERIOD_NONE, 0},
		{"2,5", FLOW_PERIOD_NONE, 2},
		{"5 am Tag", FLOW_PERIOD_MONTH, 152},
		{"30 pro Woche", FLOW_PERIOD_MONTH, 130},
		{"1200 im Jahr", FLOW_PERIOD_MONTH, 100},
		{"120 monatlich", FLOW_PERIOD_MONTH, 120},
		{"5 am Tag", FLOW_PERIOD_NONE, 5},
		{"Guten Tag, ca. 150", FLOW_PERIOD_MONTH, 150},
		{"keine Ahnung", FLOW_PERIOD_NONE, -1},
		{"viele", FLOW_PERIOD_NONE, -1},
		{"500 €", FLOW_PERIOD_NONE, -1},
		{"20 %", FLOW_PERIOD_NONE, -1},
		{"2000 Euro Budget", FLOW_PERIOD_NONE, -1},
		{"im Januar 80, im Februar 120", FLOW_PERIOD_NONE, -1},
		{"99999999999999999999", FLOW_PERIOD_NONE, -1},
		{"", FLOW_PERIOD_NONE, -1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		long long v = -1;
		bool leading;
		bool ok = flow_answer_number(cases[i].text, cases[i].period, &v, &leading);
		if (!ok)
			v = -1;
		if (v != cases[i].want)
			fail_msg("\"%s\": got %lld, want %lld", cases[i].text, v, cases[i].want);
	}
}

static void test_question_likeness(void **state)
{
	(void)state;
	bool any;
	assert_true(flow_text_ends_with_qmark("Was kostet das?", &any));
	assert_true(any);
	assert_true(flow_text_ends_with_qmark("Was kostet das?! \xF0\x9F\xA4\x94", &any));
	assert_false(flow_text_ends_with_qmark("Ja? Dann los", &any));
	assert_true(any);
	assert_false(flow_text_ends_with_qmark(NULL, &any));
	assert_false(any);
	assert_true(flow_text_starts_with_wword("Welche Pakete gibt es"));
	assert_true(flow_text_starts_with_wword("wie lange dauert das"));
	assert_false(flow_text_starts_with_wword("Ja wie gesagt"));
	assert_true(flow_text_asks_to_repeat("Wie bitte?"));
	assert_true(flow_text_asks_to_repeat("Hä?"));
	assert_true(flow_text_asks_to_repeat("Was meinen Sie?"));
	assert_false(flow_text_asks_to_repeat("Was kostet das?"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_parses),
		cmocka_unit_test(test_happy_path_qualified),
		cmocka_unit_test(test_disqualify_without_ads),
		cmocka_unit_test(test_disqualify_under_100_leads),
		cmocka_unit_test(test_free_question_mid_flow_resumes),
		cmocka_unit_test(test_answer_with_a_question_is_answered),
		cmocka_unit_test(test_three_misunderstandings_hand_over),
		cmocka_unit_test(test_greeting_declined_then_goodbye),
		cmocka_unit_test(test_choices_by_id_title_number_and_near_title),
		cmocka_unit_test(test_free_text_answer),
		cmocka_unit_test(test_validation_graph_errors),
		cmocka_unit_test(test_validation_buckets),
		cmocka_unit_test(test_validation_texts_and_limits),
		cmocka_unit_test(test_validation_kinds_and_names),
		cmocka_unit_test(test_validation_caps),
		cmocka_unit_test(test_state_json_round_trip),
		cmocka_unit_test(test_placeholders),
		cmocka_unit_test(test_yes_no_words),
		cmocka_unit_test(test_number_words),
		cmocka_unit_test(test_question_likeness),
	};
	return cmocka_run_group_tests_name("flow", tests, NULL, NULL);
}
