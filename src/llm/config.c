/* config.c — a bot's LLM settings over the server's; see config.h. */
#include "llm/config.h"

#include <stdio.h>
#include <string.h>

#define URL_ROW(n) {n, JF_STRING, false, true, 0, LLM_URL_MAX - 1, NULL, json_check_http_url, "an http:// or https:// URL", NULL}

const struct json_field llm_config_fields[] = {
	{"enabled", JF_BOOL, false, false, 0, 0, NULL, NULL, NULL, NULL},
	URL_ROW("base_url"),
	{"model", JF_STRING, false, true, 0, LLM_MODEL_MAX - 1, NULL, NULL, NULL, NULL},
	{"api_key", JF_STRING, false, true, 0, LLM_KEY_MAX - 1, NULL, NULL, NULL, NULL},
	{"temperature", JF_NUMBER, false, false, 0, 2, NULL, NULL, NULL, NULL},
	{"top_p", JF_NUMBER, false, false, 0, 1, NULL, NULL, NULL, NULL},
	{"max_tokens", JF_INT, false, false, 16, 8192, NULL, NULL, NULL, NULL},
	{"timeout_ms", JF_INT, false, false, 100, 600000, NULL, NULL, NULL, NULL},
	{"total_timeout_ms", JF_INT, false, false, 1000, 600000, NULL, NULL, NULL, NULL},
	{"history_messages", JF_INT, false, false, 0, 100, NULL, NULL, NULL, NULL},
	{"context_tokens", JF_INT, false, false, 512, 1048576, NULL, NULL, NULL, NULL},
	{"json_mode", JF_BOOL, false, false, 0, 0, NULL, NULL, NULL, NULL},
	/* the prompt template (llm/prompt.h); checked as a whole by bot_config_check */
	{"prompt_template", JF_STRING, false, true, 0, 20000, NULL, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

const struct json_field embeddings_config_fields[] = {
	URL_ROW("base_url"),
	{"model", JF_STRING, false, true, 0, LLM_MODEL_MAX - 1, NULL, NULL, NULL, NULL},
	{"api_key", JF_STRING, false, true, 0, LLM_KEY_MAX - 1, NULL, NULL, NULL, NULL},
	/* cosine similarity from which a vector hit alone answers (depends on the model: see api.md) */
	{"min_similarity", JF_NUMBER, false, false, 0, 1, NULL, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

/* Copies a base URL without trailing slashes. */
static void set_url(char *dst, const char *src)
{
	snprintf(dst, LLM_URL_MAX, "%s", src ? src : "");
	size_t n = strlen(dst);
	while (n > 0 && dst[n - 1] == '/')
		dst[--n] = '\0';
}

static int clampi(long v, long lo, long hi)
{
	return (int)(v < lo ? lo : v > hi ? hi : v);
}

void llm_config_resolve(const json_t *bot_config, const struct settings *s, const char *api_key,
			const char *embed_api_key, struct llm_config *out)
{
	const json_t *llm = json_object_get(bot_config, "llm");
	const json_t *emb = json_object_get(bot_config, "embeddings");
	memset(out, 0, sizeof *out);

	const char *own_url = json_str(llm, "base_url", "");
	bool own = own_url[0] != '\0';
	set_url(out->base_url, own ? own_url : s->llm_base_url);
	const char *model = json_str(llm, "model", "");
	snprintf(out->model, sizeof out->model, "%s", model[0] ? model : s->llm_model ? s->llm_model : "");
	const char *key = own ? api_key : s->llm_api_key;
	snprintf(out->api_key, sizeof out->api_key, "%s", key ? key : "");
	out->enabled = out->base_url[0] != '\0' && json_bool(llm, "enabled", true);
	out->temperature = json_num(llm, "temperature", LLM_DEFAULT_TEMPERATURE);
	out->top_p = json_num(llm, "top_p", LLM_DEFAULT_TOP_P);
	out->max_tokens = clampi(json_long(llm, "max_tokens", LLM_DEFAULT_MAX_TOKENS), 16, 8192);
	out->timeout_ms = clampi(json_long(llm, "timeout_ms", s->llm_timeout_ms > 0 ? s->llm_timeout_ms : 1500), 100,
				 600000);
	out->total_timeout_ms = clampi(json_long(llm, "total_timeout_ms", LLM_DEFAULT_TOTAL_TIMEOUT_MS), 1000, 600000);
	if (out->total_timeout_ms < out->timeout_ms)
		out->total_timeout_ms = out->timeout_ms;
	out->history_messages = clampi(json_long(llm, "history_messages", LLM_DEFAULT_HISTORY), 0, 100);
	out->context_tokens = clampi(json_long(llm, "context_tokens", LLM_DEFAULT_CONTEXT_TOKENS), 512, 1048576);
	out->json_mode = json_bool(llm, "json_mode", true);

	const char *own_eurl = json_str(emb, "base_url", "");
	bool eown = own_eurl[0] != '\0';
	set_url(out->embed_base_url, eown ? own_eurl : s->embeddings_base_url);
	const char *emodel = json_str(emb, "model", "");
	snprintf(out->embed_model, sizeof out->embed_model, "%s",
		 emodel[0] ? emodel : s->embeddings_model ? s->embeddings_model : "");
	const char *ekey = eown ? embed_api_key : s->llm_api_key;
	snprintf(out->embed_api_key, sizeof out->embed_api_key, "%s", ekey ? ekey : "");
	out->embeddings = out->embed_base_url[0] != '\0' && out->embed_model[0] != '\0';
	out->embed_min_similarity = json_num(emb, "min_similarity", LLM_DEFAULT_MIN_SIMILARITY);
}
