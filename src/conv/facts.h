/*
 * facts.h — questions about the business itself (opening hours, address, phone, email), answered from the
 * bot's company profile and opening hours instead of from retrieval, so that "Habt ihr jetzt offen?" gets
 * the status computed now in the bot's timezone, not a passage that was true when it was written.
 */
#ifndef BOTWERK_CONV_FACTS_H
#define BOTWERK_CONV_FACTS_H

#include <jansson.h>
#include <stdint.h>

struct hours;

enum fact {
	FACT_HOURS = 1 << 0,
	FACT_ADDRESS = 1 << 1,
	FACT_PHONE = 1 << 2,
	FACT_EMAIL = 1 << 3,
};

/* The facts a question asks for (a bit set of enum fact; 0: none), from German and English cue words.
 * Case and umlaut spelling (ä/ae) do not matter. */
unsigned facts_detect(const char *question);

/* The answer for the facts asked (`asked` from facts_detect) from `config` ("company") and `h` (NULL when
 * the bot has no opening hours), at `now_ms`, in `lang` ("de" | "en"). Facts the profile lacks are left
 * out; NULL when it has none of them (then the question goes to retrieval) or memory runs out.
 * *answered is set to the facts covered. The string is malloc'd. */
char *facts_answer(unsigned asked, const json_t *config, const struct hours *h, int64_t now_ms, const char *lang,
		   unsigned *answered);

#endif
