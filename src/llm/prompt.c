/*
 * prompt.c — the chat prompt for one visitor message (rules in prompt.h): the company/contact/sources
 * blocks, and the budget that decides which history and passages stay. The text machinery underneath
 * (value cleaning, the template renderer, the date, the token estimate) is in prompt_template.c, shared
 * through prompt_int.h.
 *
 * Every text is built in a `struct strbuf` (growable, capped at PROMPT_MAX_BYTES, sticky failure), so the
 * builders append without checking and the caller looks once. The template is parsed on every render;
 * it is a few kilobytes and a render costs microseconds, which is why the budget loop simply renders
 * again after each dropped passage.
 */
#include "llm/prompt_files.h"
#include "llm/prompt_int.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rag/chunk.h"

#define CUT_ROUNDS 32 /* attempts to shorten passages before giving up */

/* ---- small helpers ------------------------------------------------------------------------------ */

/* jansson's iterators take a non-const object but do not change it. */
static json_t *unconst(const json_t *v)
{
	union {
		const json_t *c;
		json_t *m;
	} u = {.c = v};
	return u.m;
}

__attribute__((format(printf, 2, 3))) static void sb_fmt(struct strbuf *b, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		strbuf_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* ---- blocks ------------------------------------------------------------------------------------- */

struct labels {
	const char *name, *address, *phone, *email, *website, *status, *page, *yes, *no, *language;
};

static const struct labels labels_de = {"Name", "Adresse", "Telefon", "E-Mail", "Website",
					"Status", "Seite", "ja", "nein", "Deutsch"};
static const struct labels labels_en = {"Name", "Address", "Phone", "Email", "Website",
					"Status", "page", "yes", "no", "English"};

/* "- label: value" when the cleaned value is not empty. */
static void line_item(struct strbuf *b, const char *label, const char *value)
{
	char *v = pt_clean(value, true, PROMPT_FIELD_MAX_CHARS);
	if (v && *v) {
		strbuf_adds(b, b->len ? "\n- " : "- ");
		strbuf_adds(b, label);
		strbuf_adds(b, ": ");
		strbuf_adds(b, v);
	}
	b->failed |= !v;
	free(v);
}

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Appends `sep` and `s` when `s` is not empty (`sep` only after something). */
static void join(struct strbuf *b, const char *sep, const char *s)
{
	if (s && *s) {
		strbuf_adds(b, b->len ? sep : "");
		strbuf_adds(b, s);
	}
}

static char *company_block(const json_t *c, const struct labels *L)
{
	static const char *const social[][2] = {{"linkedin", "LinkedIn"}, {"facebook", "Facebook"},
						{"instagram", "Instagram"}, {"x", "X"},
						{"xing", "XING"},           {"youtube", "YouTube"}};
	struct strbuf b = {.max = PROMPT_MAX_BYTES}, addr = {.max = PROMPT_MAX_BYTES},
		      town = {.max = PROMPT_MAX_BYTES};
	const json_t *a = json_object_get(c, "address");
	const char *key;
	json_t *v;

	if (!json_is_object(c))
		return strbuf_take(&b);
	line_item(&b, L->name, jstr(c, "name"));
	join(&town, " ", jstr(a, "postcode"));
	join(&town, " ", jstr(a, "city"));
	join(&addr, ", ", jstr(a, "street"));
	join(&addr, ", ", town.p);
	join(&addr, ", ", jstr(a, "country"));
	b.failed |= addr.failed || town.failed;
	line_item(&b, L->address, addr.p);
	free(addr.p);
	free(town.p);
	line_item(&b, L->phone, jstr(c, "phone"));
	line_item(&b, L->email, jstr(c, "email"));
	line_item(&b, L->website, jstr(c, "website"));
	json_object_foreach(unconst(json_object_get(c, "social")), key, v)
	{
		char *label = NULL;
		for (size_t i = 0; i < sizeof social / sizeof social[0] && !label; i++)
			label = !strcmp(key, social[i][0]) ? strdup(social[i][1]) : NULL;
		if (!label)
			label = pt_clean(key, true, 40);
		if (label)
			line_item(&b, label, json_string_value(v));
		b.failed |= !label;
		free(label);
	}
	return strbuf_take(&b);
}

/* A profile value as text: strings, numbers, booleans, arrays of those joined by ", "; else nothing. */
static void profile_value(struct strbuf *b, const json_t *v, const struct labels *L, bool in_array)
{
	if (json_is_string(v)) {
		strbuf_adds(b, json_string_value(v));
	} else if (json_is_integer(v)) {
		sb_fmt(b, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		sb_fmt(b, "%g", json_real_value(v));
	} else if (json_is_boolean(v)) {
		strbuf_adds(b, json_is_true(v) ? L->yes : L->no);
	} else if (json_is_array(v) && !in_array) {
		size_t i;
		json_t *x;
		json_array_foreach(unconst(v), i, x)
		{
			struct strbuf one = {.max = PROMPT_MAX_BYTES};
			profile_value(&one, x, L, true);
			if (one.len && b->len)
				strbuf_adds(b, ", ");
			if (one.len)
				strbuf_adds(b, one.p);
			b->failed |= one.failed;
			free(one.p);
		}
	}
}

static char *contact_block(const struct prompt_input *in, const struct labels *L)
{
	struct strbuf b = {.max = PROMPT_MAX_BYTES};
	const char *key;
	json_t *v;
	int shown = 0;
	bool has_name = in->contact_name && *in->contact_name, has_status = in->contact_status && *in->contact_status;

	line_item(&b, L->name, in->contact_name);
	line_item(&b, L->status, in->contact_status);
	json_object_foreach(unconst(json_is_object(in->contact_profile) ? in->contact_profile : NULL), key, v)
	{
		if (shown == PROMPT_PROFILE_MAX_FIELDS)
			break;
		if ((has_name && !strcasecmp(key, "name")) || (has_status && !strcasecmp(key, "status")))
			continue;
		struct strbuf val = {.max = PROMPT_MAX_BYTES};
		profile_value(&val, v, L, false);
		char *k = pt_clean(key, true, 60);
		if (k && *k && val.p) {
			line_item(&b, k, val.p);
			shown++;
		}
		b.failed |= !k || val.failed;
		free(k);
		free(val.p);
	}
	return strbuf_take(&b);
}

/* A passage prepared for the prompt: cleaned parts; `len` bytes of `text` are shown, CUT_MARK after
 * them when `cut`. */
struct passage {
	char *title, *heading, *url, *text;
	int page;
	size_t len;
	bool cut;
};

static void sources_block(struct strbuf *b, const struct passage *p, int n, const struct labels *L)
{
	for (int k = 0; k < n; k++) {
		if (k)
			strbuf_adds(b, "\n\n");
		sb_fmt(b, "[%d]", k + 1);
		join(b, " ", p[k].title);
		join(b, *p[k].title ? " – " : " ", p[k].heading);
		if (*p[k].url || p[k].page > 0) {
			strbuf_adds(b, " (");
			strbuf_adds(b, p[k].url);
			if (p[k].page > 0)
				sb_fmt(b, "%s%s %d", *p[k].url ? ", " : "", L->page, p[k].page);
			strbuf_adds(b, ")");
		}
		/* every line of the text quoted, so none of it can start a line of the prompt */
		const char *s = p[k].text;
		for (size_t i = 0; i < p[k].len;) {
			const char *nl = memchr(s + i, '\n', p[k].len - i);
			size_t e = nl ? (size_t)(nl - s) : p[k].len;
			strbuf_adds(b, e > i ? "\n> " : "\n>");
			strbuf_add(b, s + i, e - i);
			i = e + 1;
		}
		if (p[k].cut)
			strbuf_adds(b, CUT_MARK);
	}
}

/* ---- building ----------------------------------------------------------------------------------- */

#define HOURS_MAX_CHARS 4000     /* of hours_text */
#define ADDITIONS_MAX_CHARS 4000 /* of system_prompt_additions (the bot config allows 4000) */

struct turn {
	bool user;
	char *text;
	int tokens;
};

/* One prompt under construction. */
struct build {
	const struct prompt_input *in;
	const struct labels *L;
	const char *tpl;
	char *own[NVARS];          /* values built here */
	const char *vals[NVARS];   /* what the template sees: own[] or constants */
	struct passage *p;
	int np, kept;              /* p[0..kept) are shown */
	struct turn *t;
	int nt, first;             /* t[first..nt) are kept */
	char *question, *system;
	int q_tokens, sys_tokens;
};

static void build_free(struct build *B)
{
	for (int v = 0; v < NVARS; v++)
		free(B->own[v]);
	for (struct passage *p = B->p; p < B->p + B->np; p++) {
		free(p->title);
		free(p->heading);
		free(p->url);
		free(p->text);
	}
	free(B->p);
	for (int i = 0; i < B->nt; i++)
		free(B->t[i].text);
	free(B->t);
	free(B->question);
	free(B->system);
}

/* Sets value `v` to an owned string; false when it is NULL (out of memory). */
static bool own(struct build *B, enum var v, char *s)
{
	free(B->own[v]);
	B->own[v] = s;
	B->vals[v] = s;
	return s != NULL;
}

/* Renders the system text with the kept passages into B->system and estimates it. */
static int render_system(struct build *B, char *err, size_t errlen)
{
	struct strbuf src = {.max = PROMPT_MAX_BYTES}, out = {.max = PROMPT_MAX_BYTES};

	sources_block(&src, B->p, B->kept, B->L);
	if (!own(B, V_SOURCES, strbuf_take(&src)))
		return errf(err, errlen, "out of memory");
	bool uses_sources;
	if (pt_render(B->tpl, B->vals, &out, &uses_sources, err, errlen) != 0) {
		free(out.p);
		return -1;
	}
	pt_tidy(&out);
	free(B->system);
	if (!(B->system = strbuf_take(&out)))
		return errf(err, errlen, "out of memory (or a system text over %d bytes)", PROMPT_MAX_BYTES);
	B->sys_tokens = prompt_estimate_tokens(B->system, strlen(B->system));
	return 0;
}

/* The estimate the budget is held to: every kept turn counted as its own message. */
static long long total(const struct build *B)
{
	long long n = (long long)B->sys_tokens + B->q_tokens + 2 * PROMPT_MESSAGE_TOKENS;
	for (int i = B->first; i < B->nt; i++)
		n += B->t[i].tokens + PROMPT_MESSAGE_TOKENS;
	return n;
}

static int setup(struct build *B, char *err, size_t errlen)
{
	static const char *const styles[4] = {"professional", "friendly", "technical", "casual"};
	const struct prompt_input *in = B->in;
	const json_t *company = json_is_object(in->company) ? in->company : NULL;
	char date[128], e[200];
	int style = 0;

	if (in->template_text && *in->template_text) {
		if (prompt_template_check(in->template_text, e, sizeof e) != 0)
			return errf(err, errlen, "template: %s", e);
		B->tpl = in->template_text;
	} else if (!(B->tpl = prompt_default_template(in->language))) {
		return errf(err, errlen, "no default template was embedded for language \"%s\"",
			    lang_en(in->language) ? "en" : "de");
	}
	if (!(B->question = pt_clean(in->question, false, 0)))
		return errf(err, errlen, "out of memory");
	if (!*B->question)
		return errf(err, errlen, "the question is empty");
	if (prompt_format_date(in->now_ms, in->timezone, in->language, date, sizeof date) < 0)
		return errf(err, errlen, "cannot write the date in time zone \"%.64s\" (not a time zone ICU knows?)",
			    in->timezone ? in->timezone : PROMPT_DEFAULT_TIMEZONE);
	for (int i = 0; i < 4; i++)
		if (in->response_style && !strcmp(in->response_style, styles[i]))
			style = i;
	B->vals[V_STYLE] = styles[style];
	B->vals[V_STYLE_PROFESSIONAL + style] = "1";
	B->vals[V_DU] = style == 1 || style == 3 ? "1" : NULL;
	B->vals[V_LANGUAGE] = B->L->language;
	if (!own(B, V_DATE, strdup(date)) ||
	    !own(B, V_BOT_NAME, pt_clean(in->bot_name, true, PROMPT_FIELD_MAX_CHARS)) ||
	    !own(B, V_COMPANY_NAME, pt_clean(jstr(company, "name"), true, PROMPT_FIELD_MAX_CHARS)) ||
	    !own(B, V_COMPANY, company_block(company, B->L)) ||
	    !own(B, V_HOURS, pt_clean(in->hours_text, false, HOURS_MAX_CHARS)) ||
	    !own(B, V_CONTACT_NAME, pt_clean(in->contact_name, true, PROMPT_FIELD_MAX_CHARS)) ||
	    !own(B, V_CONTACT, contact_block(in, B->L)) ||
	    !own(B, V_ADDITIONS, pt_clean(in->additions, false, ADDITIONS_MAX_CHARS)))
		return errf(err, errlen, "out of memory");

	int np = in->passages && in->npassages > 0 ? in->npassages : 0;
	np = np < PROMPT_MAX_PASSAGES ? np : PROMPT_MAX_PASSAGES;
	if (np && !(B->p = calloc((size_t)np, sizeof *B->p)))
		return errf(err, errlen, "out of memory");
	for (; B->np < np; B->np++) {
		const struct prompt_passage *s = &in->passages[B->np];
		struct passage *d = &B->p[B->np];
		d->title = pt_clean(s->title, true, PROMPT_FIELD_MAX_CHARS);
		d->heading = pt_clean(s->heading, true, PROMPT_FIELD_MAX_CHARS);
		d->url = pt_clean(s->url, true, PROMPT_FIELD_MAX_CHARS);
		d->text = pt_clean(s->text, false, PROMPT_PASSAGE_MAX_CHARS);
		d->page = s->page > 0 ? s->page : 0;
		if (!d->title || !d->heading || !d->url || !d->text) {
			B->np++;
			return errf(err, errlen, "out of memory");
		}
		d->len = strlen(d->text);
	}
	B->kept = B->np;

	int window = in->history_messages == 0 ? PROMPT_DEFAULT_HISTORY
		     : in->history_messages < 0    ? 0
						   : in->history_messages;
	int from = in->history && in->nhistory > window ? in->nhistory - window : 0;
	int nh = in->history && in->nhistory > 0 ? in->nhistory : 0;
	if (nh > from && !(B->t = calloc((size_t)(nh - from), sizeof *B->t)))
		return errf(err, errlen, "out of memory");
	for (int i = from; i < nh; i++) {
		char *text = pt_clean(in->history[i].text, false, PROMPT_TURN_MAX_CHARS);
		if (!text)
			return errf(err, errlen, "out of memory");
		if (!*text) {
			free(text);
			continue;
		}
		int tokens = prompt_estimate_tokens(text, strlen(text));
		B->t[B->nt++] = (struct turn){in->history[i].from_user, text, tokens};
	}
	if (B->nt && B->t[B->nt - 1].user && !strcmp(B->t[B->nt - 1].text, B->question))
		free(B->t[--B->nt].text);
	B->q_tokens = prompt_estimate_tokens(B->question, strlen(B->question));
	return 0;
}

/* Where to cut s[0..len) to at most `max` bytes: after the last whole sentence when that keeps at least
 * `lower` bytes, else at the last space or line break after `lower`, else at a character boundary. */
static size_t cut_point(const char *s, size_t len, size_t max, size_t lower)
{
	size_t best = 0, i = 0, j;

	while (i < len) {
		while (i < len && (is_blank(s[i]) || s[i] == '\n'))
			i++;
		if (i >= len)
			break;
		size_t e = chunk_sentence_end(s, len, i);
		if (e <= i) {
			i++;
			continue;
		}
		if (e > max)
			break;
		best = e;
		i = e;
	}
	if (best < lower) {
		for (best = 0, j = max; j > lower && !best; j--)
			if (is_blank(s[j]) || s[j] == '\n')
				best = j;
	}
	if (best < lower)
		for (best = max; best > 0 && ((unsigned char)s[best] & 0xC0) == 0x80;)
			best--;
	while (best > 0 && (is_blank(s[best - 1]) || s[best - 1] == '\n'))
		best--;
	return best;
}

static int no_fit(const struct build *B, long long limit, char *err, size_t errlen)
{
	return errf(err, errlen,
		    "the prompt does not fit the token budget: at least %lld tokens (system text, question, the "
		    "shortest sources), %lld available (budget minus answer reserve)",
		    total(B), limit);
}

/* Drops and cuts until the estimate is within the budget (prompt.h, "Budget"). */
static int fit(struct build *B, char *err, size_t errlen)
{
	const struct prompt_input *in = B->in;
	long long budget = in->budget_tokens > 0 ? in->budget_tokens : PROMPT_DEFAULT_BUDGET;
	long long limit = budget - (in->reserve_tokens > 0 ? in->reserve_tokens : 0);
	struct passage *p = B->p;

	if (limit <= 0)
		return errf(err, errlen, "the answer reserve (%d tokens) leaves nothing of the budget (%lld tokens)",
			    in->reserve_tokens, budget);
	if (render_system(B, err, errlen) != 0)
		return -1;
	while (total(B) > limit && B->first < B->nt)
		B->first++;
	if (total(B) > limit && B->kept > 1) { /* the most passages that fit, by bisection; at least one */
		int lo = 1, hi = B->kept - 1;
		while (lo < hi) {
			B->kept = (lo + hi + 1) / 2;
			if (render_system(B, err, errlen) != 0)
				return -1;
			if (total(B) <= limit)
				lo = B->kept;
			else
				hi = B->kept - 1;
		}
		B->kept = lo;
		if (render_system(B, err, errlen) != 0)
			return -1;
	}
	/* one passage left (the strongest): shorten it */
	for (int round = 0; total(B) > limit; round++) {
		if (B->kept == 0 || round == CUT_ROUNDS)
			return no_fit(B, limit, err, errlen);
		long long over = total(B) - limit, t = prompt_estimate_tokens(p->text, p->len);
		size_t min = pt_char_offset(p->text, p->len, PROMPT_PASSAGE_MIN_CHARS);
		if (t <= over || p->len <= min)
			return no_fit(B, limit, err, errlen);
		size_t max = (size_t)((long long)p->len * (t - over) / t);
		max = max < min ? min : max >= p->len ? p->len - 1 : max;
		size_t at = cut_point(p->text, p->len, max, min);
		if (at == 0 || at >= p->len)
			return no_fit(B, limit, err, errlen);
		p->len = at;
		p->cut = true;
		if (render_system(B, err, errlen) != 0)
			return -1;
	}
	return 0;
}

static int push(json_t *msgs, const char *role, const char *content, long long *tokens)
{
	*tokens += prompt_estimate_tokens(content, strlen(content)) + PROMPT_MESSAGE_TOKENS;
	return json_array_append_new(msgs, json_pack("{s:s, s:s}", "role", role, "content", content));
}

/* The messages array (prompt.h, "History" for the joining rules), and the statistics. */
static json_t *messages(struct build *B, struct prompt_stats *st, char *err, size_t errlen)
{
	json_t *msgs = json_array();
	struct strbuf cur = {.max = PROMPT_MAX_BYTES};
	bool cur_user = false, failed = !msgs;
	long long tokens = 0;

	while (B->first < B->nt && !B->t[B->first].user)
		B->first++;
	failed |= push(msgs, "system", B->system, &tokens) != 0;
	for (int i = B->first; i < B->nt && !failed; i++) {
		if (cur.len && B->t[i].user != cur_user) {
			failed |= cur.failed || push(msgs, cur_user ? "user" : "assistant", cur.p, &tokens) != 0;
			cur.len = 0;
		}
		if (cur.len)
			strbuf_adds(&cur, "\n\n");
		strbuf_adds(&cur, B->t[i].text);
		cur_user = B->t[i].user;
	}
	if (cur.len && !cur_user) {
		failed |= cur.failed || push(msgs, "assistant", cur.p, &tokens) != 0;
		cur.len = 0;
	}
	if (cur.len)
		strbuf_adds(&cur, "\n\n");
	strbuf_adds(&cur, B->question);
	failed |= cur.failed || push(msgs, "user", cur.p, &tokens) != 0;
	free(cur.p);
	if (failed) {
		json_decref(msgs);
		errf(err, errlen, "out of memory");
		return NULL;
	}
	if (st) {
		st->tokens = tokens > INT_MAX ? INT_MAX : (int)tokens;
		st->history_kept = B->nt - B->first;
		st->history_dropped = (B->in->history && B->in->nhistory > 0 ? B->in->nhistory : 0) - st->history_kept;
		st->passages_kept = B->kept;
		st->passages_dropped = (B->in->passages && B->in->npassages > 0 ? B->in->npassages : 0) - B->kept;
		st->passage_cut = B->kept > 0 && B->p[0].cut;
	}
	return msgs;
}

json_t *prompt_build(const struct prompt_input *in, struct prompt_stats *st, char *err, size_t errlen)
{
	struct build B = {.in = in};
	json_t *msgs = NULL;

	if (st)
		*st = (struct prompt_stats){0};
	if (errlen)
		err[0] = '\0';
	if (!in) {
		errf(err, errlen, "no input");
		return NULL;
	}
	B.L = lang_en(in->language) ? &labels_en : &labels_de;
	if (setup(&B, err, errlen) == 0 && fit(&B, err, errlen) == 0)
		msgs = messages(&B, st, err, errlen);
	build_free(&B);
	return msgs;
}

const char *prompt_default_template(const char *language)
{
	const char *want = lang_en(language) ? "chat.en.txt" : "chat.de.txt";

	for (size_t i = 0; i < prompt_files_count; i++)
		if (prompt_files[i].name && !strcmp(prompt_files[i].name, want))
			return prompt_files[i].text;
	return NULL;
}
