/*
 * api_stats.c — a bot's engagement report for the business (API key): conversations, visitor messages
 * and leads over the last `days` days, a score from 0 to 100, the leads to call first, and one
 * recommendation for the follow-up, chosen by fixed rules in the bot's language.
 *
 * Only counts and lead ids are read (store_bot_stats): no personal data is opened here.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/bot_json.h"

#define DAYS_DEFAULT 30
#define DAYS_MAX 365
#define HOT_INTEREST 7          /* top_leads: interest at least this */
#define FEW_CONVERSATIONS_DAYS 3 /* fewer than one conversation per this many days: few */
#define MANY_CONVERSATIONS 10   /* below a capture rate of LOW_CAPTURE from this many on */
#define LOW_CAPTURE 0.1
#define SHORT_CONVERSATION 1.5  /* visitor messages per conversation */
#define MEDIUM_INTEREST 5.0

/* The figures the score and the rules look at. */
struct engagement {
	int days;
	int64_t conversations, visitor_messages, leads;
	double per_conversation, capture_rate, average_interest;
	int hot; /* leads in top_leads */
};

/* 0..100: 40 points for depth (visitor messages per conversation, full at 4), 35 for the capture rate (full
 * at 20 %), 25 for the average interest of the leads (interest / 10). 0 without conversations. */
static int engagement_score(const struct engagement *e)
{
	if (e->conversations == 0)
		return 0;
	double depth = fmin(e->per_conversation / 4.0, 1.0);
	double capture = fmin(e->capture_rate / 0.2, 1.0);
	double interest = fmin(fmax(e->average_interest, 0.0) / 10.0, 1.0);
	long score = lround(40.0 * depth + 35.0 * capture + 25.0 * interest);
	return score < 0 ? 0 : score > 100 ? 100 : (int)score;
}

struct rule {
	const char *id, *de, *en;
};

static const struct rule rules[] = {
	{"no_conversations",
	 "Noch keine Gespräche in diesem Zeitraum: Widget prominenter platzieren (z. B. auf der Startseite und der "
	 "Preisseite) und mit einer konkreten Frage begrüßen.",
	 "No conversations in this period: place the widget more prominently (e.g. on the home and pricing pages) "
	 "and greet visitors with a concrete question."},
	{"call_hot_leads",
	 "Leads mit hohem Interesse innerhalb von 24 h anrufen: Die Kontakte unter top_leads haben Interesse 7 oder "
	 "mehr.",
	 "Call high-interest leads within 24 hours: the contacts in top_leads have an interest of 7 or more."},
	{"promote_widget",
	 "Wenige Gespräche: Widget prominenter platzieren (z. B. auf der Startseite und der Preisseite) und im "
	 "Newsletter auf den Chat hinweisen.",
	 "Few conversations: place the widget more prominently (e.g. on the home and pricing pages) and mention the "
	 "chat in your newsletter."},
	{"capture_earlier",
	 "Viele Gespräche, aber wenige Leads: E-Mail-Abfrage früher anbieten (z. B. nach 2 Nachrichten) und Themen "
	 "wie Preise oder Probetraining als Auslöser eintragen.",
	 "Many conversations but few leads: offer the email prompt earlier (e.g. after 2 messages) and add topics "
	 "such as prices or trial sessions as triggers."},
	{"deepen_conversations",
	 "Gespräche bleiben kurz: Begrüßung und Wissensbasis um häufige Fragen (Preise, Kurse, Öffnungszeiten) "
	 "ergänzen, damit Besucher weiterfragen.",
	 "Conversations stay short: extend the greeting and the knowledge base with frequent questions (prices, "
	 "classes, opening hours) so that visitors keep asking."},
	{"follow_up_by_email",
	 "Leads per E-Mail nachfassen: ein persönliches Angebot oder einen Termin für ein Probetraining anbieten.",
	 "Follow up your leads by email: offer a personal quote or an appointment for a trial session."},
	{"keep_going",
	 "Gute Werte: Wissensbasis aktuell halten und neue Leads noch am selben Tag beantworten.",
	 "Good figures: keep the knowledge base up to date and answer new leads on the same day."},
};

/* The first rule that applies, in the order of `rules`. */
static const struct rule *recommend(const struct engagement *e)
{
	size_t i;
	if (e->conversations == 0)
		i = 0;
	else if (e->hot > 0)
		i = 1;
	else if (e->conversations * FEW_CONVERSATIONS_DAYS < e->days)
		i = 2;
	else if (e->conversations >= MANY_CONVERSATIONS && e->capture_rate < LOW_CAPTURE)
		i = 3;
	else if (e->per_conversation < SHORT_CONVERSATION)
		i = 4;
	else if (e->leads > 0 && e->average_interest < MEDIUM_INTEREST)
		i = 5;
	else
		i = 6;
	return &rules[i];
}

static double round_to(double v, double unit)
{
	return round(v / unit) * unit;
}

/* GET /api/v1/bots/{id}/engagement?days=30 */
static int bot_engagement(struct req *r)
{
	struct app *app = app_of(r);
	struct store_bot b;
	struct store_bot_stats s;
	json_t *config = NULL, *top = NULL;
	int rc;

	int days = DAYS_DEFAULT;
	const char *q = req_query(r, "days");
	if (q) {
		char *end;
		long v = strtol(q, &end, 10);
		if (end == q || *end || v < 1 || v > DAYS_MAX)
			return resp_errorf(r, ERR_INVALID_REQUEST, "days", "days must be 1 to %d", DAYS_MAX);
		days = (int)v;
	}
	rc = store_bot_get(app->store, r->tenant_id, req_param(r, 0), &b);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_BOT_NOT_FOUND, "bot");
	int64_t to = clock_now_ms(&app->clock) + 1; /* what happened this millisecond counts */
	int64_t from = to - (int64_t)days * 86400000;
	int src = store_bot_stats(app->store, r->tenant_id, b.id, from, to, HOT_INTEREST, &s);
	if (src != STORE_OK) {
		rc = api_store_error(r, src, ERR_BOT_NOT_FOUND, "bot");
		goto out;
	}
	struct engagement e = {
		.days = days,
		.conversations = s.conversations,
		.visitor_messages = s.visitor_messages,
		.leads = s.leads,
		.per_conversation = s.conversations ? (double)s.visitor_messages / (double)s.conversations : 0,
		.capture_rate = s.conversations ? fmin((double)s.leads / (double)s.conversations, 1.0) : 0,
		.average_interest = s.leads ? s.average_interest : 0,
		.hot = s.top_count,
	};
	config = bot_config_parse(&b);
	bool en = !strcmp(json_str(config, "language", "de"), "en");
	const struct rule *rule = recommend(&e);
	top = json_array();
	for (int i = 0; top && i < s.top_count; i++)
		if (json_array_append_new(top, json_string(s.top_leads[i])) != 0) {
			json_decref(top);
			top = NULL;
		}
	if (!top) {
		rc = resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	json_t *body = json_pack("{s:s, s:i, s:I, s:I, s:f, s:I, s:f, s:f, s:i, s:O, s:s, s:s}", "bot_id", b.id, "days",
				 days, "conversations", (json_int_t)e.conversations, "visitor_messages",
				 (json_int_t)e.visitor_messages, "messages_per_conversation",
				 round_to(e.per_conversation, 0.1), "leads", (json_int_t)e.leads, "capture_rate",
				 round_to(e.capture_rate, 0.001), "average_interest", round_to(e.average_interest, 0.1),
				 "engagement_score", engagement_score(&e), "top_leads", top, "recommendation",
				 en ? rule->en : rule->de, "recommendation_rule", rule->id);
	rc = resp_json(r, 200, body);
out:
	json_decref(top);
	json_decref(config);
	store_bot_clear(&b);
	return rc;
}

const struct route api_stats_routes[] = {
	{"GET", "/api/v1/bots/{id}/engagement", bot_engagement, AUTH_KEY, 0, NULL, false},
};
const size_t api_stats_routes_count = sizeof api_stats_routes / sizeof api_stats_routes[0];
