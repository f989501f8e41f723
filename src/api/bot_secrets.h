/*
 * bot_secrets.h — secrets in a bot's config (API keys of its model and embeddings endpoints): sealed
 * under the tenant key as soon as they arrive, never shown again.
 *
 * In requests a secret is a plain string at its place ("llm": {"api_key": "…"}); null removes it. The
 * stored config holds only "<name>_sealed" (seal.h format, associated data naming tenant, bot and
 * field, so a sealed value copied to another bot does not open). Views show "<name>_set": true|false.
 */
#ifndef BOTWERK_API_BOT_SECRETS_H
#define BOTWERK_API_BOT_SECRETS_H

#include <jansson.h>
#include <stddef.h>

#include "app.h"
#include "llm/config.h"

/* Seals every plain secret in `config` in place. STORE_OK or a store/key error (STORE_NOMEM). */
int bot_secrets_seal(struct app *app, const char *tenant_id, const char *bot_id, json_t *config);

/* The bot's model settings with its secrets opened. 0, or -1 when a secret cannot be opened (logged by
 * nobody: the bot then answers without its model). */
int api_bot_llm(struct app *app, const struct store_bot *b, const json_t *config, struct llm_config *out);

/* One secret of the bot opened into out ("" when not set): 0, or -1 when it does not open. `path` is one
 * of api/secret_paths.h's. */
int api_bot_secret(struct app *app, const struct store_bot *b, const json_t *config, const char *path, char *out,
		   size_t outlen);

/* jobs/embedder.h's resolve callback (ud: the struct app). */
int api_embedder_resolve(void *ud, const struct store_bot *b, struct llm_config *out);

#endif
