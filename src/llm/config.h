/*
 * config.h — which model a bot talks to, and how: the bot config's "llm" and "embeddings" objects over
 * the server-wide defaults (BOTWERK_LLM_*, BOTWERK_EMBEDDINGS_*).
 *
 * A bot uses an LLM when a base URL results (its own or the server's); "llm": {"enabled": false} turns
 * it off for one bot even when the server has a default. The API key is a secret: stored sealed
 * (api/bot_secrets.h), opened by the caller and passed to llm_config_resolve as plain text.
 */
#ifndef BOTWERK_LLM_CONFIG_H
#define BOTWERK_LLM_CONFIG_H

#include <jansson.h>
#include <stdbool.h>

#include "base/json.h"
#include "base/settings.h"

#define LLM_URL_MAX 512
#define LLM_MODEL_MAX 128
#define LLM_KEY_MAX 512

/* Defaults of the settings a bot may leave out. */
#define LLM_DEFAULT_TEMPERATURE 0.8
#define LLM_DEFAULT_TOP_P 0.9
#define LLM_DEFAULT_MAX_TOKENS 300
#define LLM_DEFAULT_HISTORY 12
#define LLM_DEFAULT_CONTEXT_TOKENS 4096
#define LLM_DEFAULT_TOTAL_TIMEOUT_MS 60000
#define LLM_DEFAULT_MIN_SCORE 0.5
#define LLM_DEFAULT_MIN_SIMILARITY 0.75 /* retrieval coverage below which the fallback is sent, not a guess */

struct llm_config {
	bool enabled;                 /* a chat model is configured */
	char base_url[LLM_URL_MAX];   /* API root including /v1, no trailing slash */
	char model[LLM_MODEL_MAX];
	char api_key[LLM_KEY_MAX];    /* "" when none */
	double temperature, top_p;
	int max_tokens;
	int timeout_ms;               /* until the first token; past it: the extractive answer */
	int total_timeout_ms;         /* the whole reply */
	int history_messages;         /* earlier messages of the conversation put into the prompt */
	int context_tokens;           /* the model's context: prompt budget = this − max_tokens */
	bool json_mode;               /* ask for response_format json_object */
	bool embeddings;              /* an embeddings model is configured */
	char embed_base_url[LLM_URL_MAX];
	char embed_model[LLM_MODEL_MAX];
	char embed_api_key[LLM_KEY_MAX];
	double embed_min_similarity;  /* a vector hit at least this close answers on its own */
};

/* Body schemas of the bot config objects "llm" and "embeddings" (for api/bot_json.c). */
extern const struct json_field llm_config_fields[];
extern const struct json_field embeddings_config_fields[];

/* Resolves a bot's settings: bot config (may be NULL) over the server's. api_key / embed_api_key: the
 * bot's opened secrets or NULL (then the server's key is used when the URL is the server's). */
void llm_config_resolve(const json_t *bot_config, const struct settings *s, const char *api_key,
			const char *embed_api_key, struct llm_config *out);

#endif
