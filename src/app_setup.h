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

#endif
