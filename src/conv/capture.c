/* capture.c — the email-capture triggers (see capture.h). */
#include "conv/capture.h"

#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "conv/words.h"

/* True when a word of the question starts with the folded topic (so "preise" also finds "preiseliste"
 * and "Preis" finds "Preise"). */
static bool mentions(char words[WORDS_MAX][WORD_MAX], int n, const char *topic)
{
	char t[1][WORDS_MAX][WORD_MAX];
	if (words_fold(topic, t[0]) != 1)
		return false; /* topics are single words */
	size_t len = strlen(t[0][0]);
	for (int i = 0; i < n; i++)
		if (!strncmp(words[i], t[0][0], len))
			return true;
	return false;
}

bool capture_should_prompt(const json_t *cfg, const struct capture_input *in, char *why, size_t whylen)
{
	if (!json_is_object(cfg) || !json_bool(cfg, "enabled", false))
		return false;
	json_int_t max = json_integer_value(json_object_get(cfg, "max_requests"));
	if (in->prompts_before >= (max > 0 ? max : 1))
		return false;
	json_int_t after = json_integer_value(json_object_get(cfg, "after_messages"));
	/* messages counts both sides: after N visitor messages means 2N stored before this one */
	if (after > 0 && in->messages_before / 2 + 1 >= after) {
		snprintf(why, whylen, "after_messages");
		return true;
	}
	char words[WORDS_MAX][WORD_MAX];
	int n = words_fold(in->question ? in->question : "", words);
	size_t i;
	json_t *topic;
	json_array_foreach(json_object_get(cfg, "topics"), i, topic)
	{
		if (json_is_string(topic) && mentions(words, n, json_string_value(topic))) {
			snprintf(why, whylen, "topic:%s", json_string_value(topic));
			return true;
		}
	}
	if (in->unanswered && json_bool(cfg, "on_unanswered", true)) {
		snprintf(why, whylen, "unanswered");
		return true;
	}
	return false;
}

bool capture_should_show_contacts(const json_t *cfg, const struct capture_input *in, char *why, size_t whylen)
{
	if (!json_is_object(cfg) || !json_bool(cfg, "enabled", false))
		return false;
	char words[WORDS_MAX][WORD_MAX];
	int n = words_fold(in->question ? in->question : "", words);
	static const char *const lists[] = {"keywords", "topics"};
	for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
		size_t i;
		json_t *w;
		json_array_foreach(json_object_get(cfg, lists[l]), i, w)
		{
			if (json_is_string(w) && mentions(words, n, json_string_value(w))) {
				snprintf(why, whylen, "%s:%s", l == 0 ? "keyword" : "topic", json_string_value(w));
				return true;
			}
		}
	}
	json_int_t after = json_integer_value(json_object_get(cfg, "after_messages"));
	/* once, with the visitor's after_messages-th message (messages counts both sides) */
	if (after > 0 && in->messages_before / 2 + 1 == after) {
		snprintf(why, whylen, "after_messages");
		return true;
	}
	return false;
}
