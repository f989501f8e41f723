/* secret_paths.c — the secrets of a bot config; see secret_paths.h. */
#include "api/secret_paths.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

const char *const bot_secret_paths[] = {
	"llm.api_key",
	"embeddings.api_key",
	"channels.whatsapp.access_token",
	"channels.whatsapp.app_secret",
	"channels.whatsapp.verify_token",
	"channels.whatsapp.handover_webhook_secret",
	"channels.twilio.auth_token",
	NULL,
};

json_t *secret_parent(json_t *config, const char *path, const char **leaf)
{
	json_t *o = config;
	const char *p = path;
	const char *last = strrchr(path, '.');
	*leaf = last ? last + 1 : path; /* also when the parent is missing */
	for (;;) {
		const char *dot = strchr(p, '.');
		if (!dot) {
			*leaf = p;
			return json_is_object(o) ? o : NULL;
		}
		char key[64];
		snprintf(key, sizeof key, "%.*s", (int)(dot - p), p);
		o = json_object_get(o, key);
		if (!json_is_object(o))
			return NULL;
		p = dot + 1;
	}
}

void bot_secrets_redact(json_t *view)
{
	for (int i = 0; bot_secret_paths[i]; i++) {
		const char *leaf;
		json_t *parent = secret_parent(view, bot_secret_paths[i], &leaf);
		if (!parent)
			continue;
		char sealed[80], set[80];
		snprintf(sealed, sizeof sealed, "%s_sealed", leaf);
		snprintf(set, sizeof set, "%s_set", leaf);
		bool has = json_is_string(json_object_get(parent, sealed));
		json_object_del(parent, sealed);
		json_object_del(parent, leaf);
		json_object_set_new(parent, set, json_boolean(has));
	}
}
