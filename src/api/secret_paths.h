/*
 * secret_paths.h — where a bot's config holds secrets (API keys of its model, its embeddings endpoint and
 * its messaging channels), and the view without them. No dependencies beyond jansson, so the bot config
 * code (and its fuzz harness) can use it; sealing and opening are in api/bot_secrets.h.
 */
#ifndef BOTWERK_API_SECRET_PATHS_H
#define BOTWERK_API_SECRET_PATHS_H

#include <jansson.h>
#include <stddef.h>

/* Dotted paths, NULL-terminated: "llm.api_key", "channels.whatsapp.app_secret", … */
extern const char *const bot_secret_paths[];

/* The object holding path's last member (NULL when a step is missing or not an object); *leaf its name. */
json_t *secret_parent(json_t *config, const char *path, const char **leaf);

/* Replaces every stored secret ("<name>_sealed", and a plain "<name>") of a bot view by "<name>_set":
 * true|false, wherever the parent object exists. */
void bot_secrets_redact(json_t *view);

#endif
