/*
 * backup.c — `botwerk backup FILE` and `botwerk restore FILE`.
 *
 * Backups hold personal data sealed, with the wrapped contact keys. An erasure deletes a contact's rows
 * and key from the live database and records the contact id in `erasures`; a backup taken before still
 * holds them. So a restore reads the erasures of the database it replaces first, restores, and erases
 * those contacts again before anyone can read the restored data.
 *
 * SQLite: the backup is VACUUM INTO (consistent while the server runs); the restore copies the file next
 * to the database, re-applies the erasures there, and renames it into place (the server must be stopped).
 * PostgreSQL: pg_dump (plain SQL with --clean, so a restore replaces the schema) and psql in one
 * transaction, run as child processes without a shell; the erasures are re-applied right after.
 */
#include "backup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

static void print_json(json_t *o)
{
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (s)
		printf("%s\n", s);
	free(s);
	json_decref(o);
}

static bool is_postgres(const struct app *app)
{
	return strcmp(store_backend_name(app->store), "postgres") == 0;
}

/* Runs argv[0] (searched in PATH) without a shell, its stdout to /dev/null; 0 when it exits 0. */
static int run_program(char *const argv[])
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			dup2(devnull, STDOUT_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "botwerk: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int backup_run(struct app *app, const char *file)
{
	if (access(file, F_OK) == 0) {
		fprintf(stderr, "botwerk: %s exists already; a backup never overwrites a file\n", file);
		return 1;
	}
	int rc;
	if (is_postgres(app)) {
		char *argv[] = {"pg_dump", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--format=plain",
				"--file", (char *)(uintptr_t)file, "--dbname", app->settings.db, NULL};
		rc = run_program(argv) == 0 ? STORE_OK : STORE_ERROR;
	} else {
		rc = store_backup(app->store, file);
	}
	if (rc != STORE_OK) {
		fprintf(stderr, "botwerk: backup to %s failed\n", file);
		return 1;
	}
	print_json(json_pack("{s:s, s:s}", "backup", file, "backend", store_backend_name(app->store)));
	return 0;
}

struct id_list {
	char (*ids)[STORE_ID_MAX];
	size_t n, cap;
};

static int collect_id(void *ud, const char *id)
{
	struct id_list *l = ud;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		void *p = realloc(l->ids, cap * sizeof *l->ids);
		if (!p)
			return STORE_NOMEM;
		l->ids = p;
		l->cap = cap;
	}
	snprintf(l->ids[l->n++], STORE_ID_MAX, "%s", id);
	return 0;
}

static int copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wbx") : NULL;
	char buf[65536];
	size_t n;
	int rc = in && out ? 0 : -1;
	while (rc == 0 && (n = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = -1;
	if (in && ferror(in))
		rc = -1;
	if (in)
		fclose(in);
	if (out && (fflush(out) != 0 || fsync(fileno(out)) != 0))
		rc = -1;
	if (out && fclose(out) != 0)
		rc = -1;
	return rc;
}

/* Opens the database at url (applying migrations a backup may lack) and erases every listed contact. */
static int reapply(struct app *app, const char *url, const struct id_list *erased)
{
	char err[512];
	struct store_opts so = {.url = url, .pool_size = 1, .busy_timeout_ms = 5000, .tokenize = terms_tokenize,
				.tokenize_ctx = app->terms};
	struct store *st = store_open(&so, err, sizeof err);
	if (!st) {
		fprintf(stderr, "botwerk: the restored database does not open: %s\n", err);
		return -1;
	}
	int64_t now = clock_now_ms(&app->clock);
	int prc = STORE_OK;
	for (size_t i = 0; prc == STORE_OK && i < erased->n; i++)
		prc = store_contact_purge(st, erased->ids[i], now);
	store_close(st);
	return prc == STORE_OK ? 0 : -1;
}

/* SQLite: restore into a file beside the database, re-erase there, then rename into place. */
static int restore_sqlite(struct app *app, const char *backup, const struct id_list *erased)
{
	const char *db = app->settings.db;
	char tmp[4096], side[4200];
	snprintf(tmp, sizeof tmp, "%s.restoring", db);
	unlink(tmp);
	if (copy_file(backup, tmp) != 0) {
		fprintf(stderr, "botwerk: cannot copy %s to %s: %s\n", backup, tmp, strerror(errno));
		goto fail;
	}
	if (reapply(app, tmp, erased) != 0) {
		fprintf(stderr, "botwerk: could not re-apply the erasures to the backup; the database is unchanged\n");
		goto fail;
	}
	snprintf(side, sizeof side, "%s-wal", db);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", db);
	unlink(side);
	if (rename(tmp, db) != 0) {
		fprintf(stderr, "botwerk: cannot move the restored database into place: %s\n", strerror(errno));
		goto fail;
	}
	return 0;
fail:
	unlink(tmp);
	return -1;
}

/* PostgreSQL: replay the dump in one transaction (it drops and recreates what it holds), then re-erase. */
static int restore_postgres(struct app *app, const char *backup, const struct id_list *erased)
{
	char *argv[] = {"psql",	  "--quiet", "--no-psqlrc", "--set", "ON_ERROR_STOP=1", "--single-transaction",
			"--file", (char *)(uintptr_t)backup, "--dbname", app->settings.db, NULL};
	if (run_program(argv) != 0) {
		fprintf(stderr, "botwerk: psql could not replay %s; the database is unchanged\n", backup);
		return -1;
	}
	if (reapply(app, app->settings.db, erased) != 0) {
		fprintf(stderr, "botwerk: the backup is restored but re-applying the erasures failed: run the restore "
				"again before starting the server\n");
		return -1;
	}
	return 0;
}

int restore_run(struct app *app, const char *backup)
{
	struct id_list erased = {0};
	int rc = 1;
	if (access(backup, R_OK) != 0) {
		fprintf(stderr, "botwerk: cannot read backup %s: %s\n", backup, strerror(errno));
		return 1;
	}
	if (store_erasure_list(app->store, collect_id, &erased) != STORE_OK) {
		fprintf(stderr, "botwerk: cannot read the erasures of the current database\n");
		goto out;
	}
	bool pg = is_postgres(app);
	store_close(app->store);
	app->store = NULL;
	if ((pg ? restore_postgres(app, backup, &erased) : restore_sqlite(app, backup, &erased)) != 0)
		goto out;
	print_json(json_pack("{s:s, s:s, s:i}", "restored", backup, "backend", pg ? "postgres" : "sqlite",
			     "erasures_applied", (int)erased.n));
	rc = 0;
out:
	free(erased.ids);
	return rc;
}
