/*
 * backup.h — `botwerk backup FILE` and `botwerk restore FILE` on both backends (see backup.c): a restore
 * erases again every contact erased since the backup was taken. Both print one JSON object on success and
 * return the process exit code (0, or 1 with the reason on stderr).
 */
#ifndef BOTWERK_BACKUP_H
#define BOTWERK_BACKUP_H

#include "app.h"

/* A consistent copy while the server runs: SQLite VACUUM INTO, PostgreSQL pg_dump (plain SQL). FILE
 * must not exist. */
int backup_run(struct app *app, const char *file);
/* Replaces the database by FILE (server stopped) and re-applies the erasures the replaced database
 * recorded. Closes app->store. */
int restore_run(struct app *app, const char *file);

#endif
