/* facts.c — business facts from the profile: which one a question asks for, and the answer (facts.h). */
#include "conv/facts.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/strbuf.h"
#include "conv/hours.h"
#include "conv/words.h"

static bool starts_with_any(const char *w, const char *const *prefixes)
{
	for (; *prefixes; prefixes++)
		if (!strncmp(w, *prefixes, strlen(*prefixes)))
			return true;
	return false;
}

static bool is_any(const char *w, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(w, *list))
			return true;
	return false;
}

unsigned facts_detect(const char *question)
{
	static const char *const hours_pfx[] = {"oeffnungszeit", "offnungszeit", "geoeffnet", "offen", "geschlossen",
						"schliess", "aufhab", "opening", "hours", "closing", NULL};
	static const char *const hours_words[] = {"open", "closed", "close", "closes", "opens", NULL};
	static const char *const addr_pfx[] = {"adresse", "anschrift", "standort", "anfahrt", "wegbeschreibung",
					       "address", "location", "directions", NULL};
	static const char *const where_verbs[] = {"seid", "sitzt", "sitzen", "seid's", NULL};
	static const char *const phone_pfx[] = {"telefon", "anruf", "nummer", "rufnummer", "phone", NULL};
	static const char *const phone_words[] = {"call", "anrufen", NULL};
	static const char *const mail_pfx[] = {"e-mail", "email", "mail", NULL};

	char words[WORDS_MAX][WORD_MAX];
	int n = words_fold(question, words);
	unsigned f = 0;
	for (int i = 0; i < n; i++) {
		const char *w = words[i];
		if (starts_with_any(w, hours_pfx) || is_any(w, hours_words) || (!strcmp(w, "auf") && i == n - 1))
			f |= FACT_HOURS;
		if (starts_with_any(w, addr_pfx) || (!strcmp(w, "wo") && i + 1 < n && is_any(words[i + 1], where_verbs)))
			f |= FACT_ADDRESS;
		if (starts_with_any(w, phone_pfx) || is_any(w, phone_words))
			f |= FACT_PHONE;
		if (starts_with_any(w, mail_pfx))
			f |= FACT_EMAIL;
	}
	return f;
}

/* Appends a sentence, after a space when the text has one already. */
static void add(struct strbuf *t, const char *s)
{
	if (t->len)
		strbuf_addc(t, ' ');
	strbuf_adds(t, s);
}

static const char *field(const json_t *obj, const char *key)
{
	const char *v = json_str(obj, key, NULL);
	return v && *v ? v : NULL;
}

char *facts_answer(unsigned asked, const json_t *config, const struct hours *h, int64_t now_ms, const char *lang,
		   unsigned *answered)
{
	bool en = lang && !strcmp(lang, "en");
	const json_t *company = json_object_get(config, "company");
	const json_t *address = json_object_get(company, "address");
	struct strbuf t = {0};
	char line[1024];
	unsigned done = 0;

	if ((asked & FACT_HOURS) && h) {
		if (hours_describe_status(h, now_ms, en ? "en" : "de", line, sizeof line) > 0) {
			add(&t, line);
			done |= FACT_HOURS;
		}
		const json_t *oh = json_object_get(config, "opening_hours");
		if (json_bool(oh, "show_hours", true) && hours_describe_week(h, en ? "en" : "de", line, sizeof line) > 0) {
			add(&t, en ? "Our opening hours:" : "Unsere Öffnungszeiten:");
			add(&t, line);
		}
	}
	const char *street = field(address, "street"), *city = field(address, "city");
	if ((asked & FACT_ADDRESS) && street && city) {
		const char *pc = field(address, "postcode");
		snprintf(line, sizeof line, en ? "You will find us at %s, %s%s%s." : "Sie finden uns in der %s, %s%s%s.",
			 street, pc ? pc : "", pc ? " " : "", city);
		add(&t, line);
		done |= FACT_ADDRESS;
	}
	const char *phone = field(company, "phone");
	if ((asked & FACT_PHONE) && phone) {
		snprintf(line, sizeof line, en ? "You can call us at %s." : "Sie erreichen uns telefonisch unter %s.",
			 phone);
		add(&t, line);
		done |= FACT_PHONE;
	}
	const char *email = field(company, "email");
	if ((asked & FACT_EMAIL) && email) {
		snprintf(line, sizeof line, en ? "You can email us at %s." : "Per E-Mail erreichen Sie uns unter %s.",
			 email);
		add(&t, line);
		done |= FACT_EMAIL;
	}
	if (!done) {
		strbuf_free(&t);
		return NULL;
	}
	char *text = strbuf_take(&t);
	if (text)
		*answered = done;
	return text;
}
