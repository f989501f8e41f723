/*
 * app_setup.h — building and tearing down the application context; shared by `botwerk serve` and the
 * admin commands so both read the same settings, the same master key and the same database.
 */
#ifndef BOTWERK_APP_SETUP_H
#define BOTWERK_APP_SETUP_H

#include <stddef.h>

#include "app.h"

/* Settings from argv/env (argv[0] is the command word; *rest gets the index of the first positional
 * argument), logger, libsodium, master key (creating DB.key on SQLite when none is configured), terms
 * and the store (migrations applied). On failure writes what to fix into err and returns -1; the app
 * is then safe to pass to app_close. */
int app_open(struct app *app, int argc, char **argv, int *rest, char *err, size_t errlen);
void app_close(struct app *app);

/* app->apikey_key_state */
enum {
	APP_APIKEY_MASTER = 0, /* no stored API-key hash key: API keys are hashed with the master key */
	APP_APIKEY_STORED,     /* the stored one, opened with the master key */
	APP_APIKEY_LOCKED,     /* a stored one this master key does not open (wrong key or key id) */
};

/* Checks that the configured master key (and BOTWERK_MASTER_KEY_ID) opens every stored tenant key and the
 * stored API-key hash key: `serve` and the commands that make API keys refuse to run otherwise, with a
 * message in err that says what to set. 0 or -1. */
int app_check_keys(struct app *app, char *err, size_t errlen);
/* Reads a key file for a command (64 hex characters; a file readable by group or others is refused). */
int app_read_key_file(const char *path, unsigned char key[CRYPTO_KEY_BYTES], char *err, size_t errlen);
/* The associated data a server key is wrapped with ("server-key:<name>"). */
void app_server_key_ad(const char *name, char *ad, size_t adlen);

#endif
