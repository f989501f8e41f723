/*
 * cli.c — admin commands. They open the same database with the same settings as the server and work
 * while it runs (SQLite: WAL readers plus BEGIN IMMEDIATE with a busy timeout; PostgreSQL: as any client).
 * Results go to stdout as one JSON object; errors to stderr with exit code 1 (2 for usage).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "app_setup.h"

void cli_usage(void)
{
	fputs("admin commands (settings as for serve: environment or --flags after the subcommand):\n"
	      "  botwerk tenant create NAME        new tenant and its first API key\n"
	      "  botwerk apikey create TENANT_ID   another API key for a tenant (shown once)\n"
	      "  botwerk apikey revoke KEY_ID      revoke a key at once\n"
	      "  botwerk migrate                   apply pending database migrations and print the version\n",
	      stderr);
}

static void print_json(json_t *o)
{
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (s)
		printf("%s\n", s);
	free(s);
	json_decref(o);
}

/* Creates a key for the tenant; prints it with `extra` fields. */
static int new_key(struct app *app, const char *tenant_id, bool tenant_view)
{
	char key_id[STORE_ID_MAX], key[80];
	unsigned char hash[32];
	crypto_random_id("key", key_id, sizeof key_id);
	crypto_new_api_key(key, sizeof key);
	crypto_key_hash(app->master_key, key, strlen(key), hash);
	char prefix[16];
	snprintf(prefix, sizeof prefix, "%.12s", key);
	int rc = store_apikey_create(app->store, key_id, tenant_id, hash, prefix, clock_now_ms(&app->clock));
	if (rc == STORE_NOTFOUND) {
		fprintf(stderr, "botwerk: no tenant %s\n", tenant_id);
		return 1;
	}
	if (rc != STORE_OK) {
		fprintf(stderr, "botwerk: could not store the API key (database error %d)\n", rc);
		return 1;
	}
	if (tenant_view)
		print_json(json_pack("{s:s, s:s, s:s}", "id", tenant_id, "api_key", key, "key_id", key_id));
	else
		print_json(json_pack("{s:s, s:s, s:s}", "id", key_id, "tenant_id", tenant_id, "api_key", key));
	return 0;
}

static int tenant_create(struct app *app, const char *name)
{
	char id[STORE_ID_MAX];
	size_t n = strlen(name);
	if (n == 0 || n > 200) {
		fprintf(stderr, "botwerk: the tenant name must be 1-200 characters\n");
		return 2;
	}
	crypto_random_id("ten", id, sizeof id);
	int rc = store_tenant_create(app->store, id, name, clock_now_ms(&app->clock));
	if (rc != STORE_OK) {
		fprintf(stderr, "botwerk: could not create the tenant (database error %d)\n", rc);
		return 1;
	}
	return new_key(app, id, true);
}

static int apikey_revoke(struct app *app, const char *key_id)
{
	int rc = store_apikey_revoke(app->store, key_id, clock_now_ms(&app->clock));
	if (rc == STORE_NOTFOUND) {
		fprintf(stderr, "botwerk: no API key %s\n", key_id);
		return 1;
	}
	if (rc != STORE_OK) {
		fprintf(stderr, "botwerk: could not revoke the key (database error %d)\n", rc);
		return 1;
	}
	print_json(json_pack("{s:s, s:b}", "id", key_id, "revoked", 1));
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

/* botwerk restore FILE (SQLite, server stopped): the backup replaces the database, and every contact
 * erased since the backup was taken (recorded in the current database's `erasures`) is erased again. */
static int restore(struct app *app, const char *backup)
{
	const char *db = app->settings.db;
	struct id_list erased = {0};
	char tmp[4096];
	int rc = 1;
	if (strcmp(store_backend_name(app->store), "sqlite") != 0) {
		fprintf(stderr, "botwerk: restore works on SQLite; on PostgreSQL use pg_restore\n");
		return 1;
	}
	if (access(backup, R_OK) != 0) {
		fprintf(stderr, "botwerk: cannot read backup %s: %s\n", backup, strerror(errno));
		return 1;
	}
	if (store_erasure_list(app->store, collect_id, &erased) != STORE_OK) {
		fprintf(stderr, "botwerk: cannot read the erasures of %s\n", db);
		goto out;
	}
	store_close(app->store);
	app->store = NULL;
	snprintf(tmp, sizeof tmp, "%s.restoring", db);
	unlink(tmp);
	if (copy_file(backup, tmp) != 0) {
		fprintf(stderr, "botwerk: cannot copy %s to %s: %s\n", backup, tmp, strerror(errno));
		goto out;
	}
	char err[512];
	struct store_opts so = {.url = tmp, .pool_size = 1, .busy_timeout_ms = 5000, .tokenize = terms_tokenize,
				.tokenize_ctx = app->terms};
	struct store *st = store_open(&so, err, sizeof err);
	if (!st) {
		fprintf(stderr, "botwerk: the backup does not open: %s\n", err);
		goto out;
	}
	int64_t now = clock_now_ms(&app->clock);
	int prc = STORE_OK;
	for (size_t i = 0; prc == STORE_OK && i < erased.n; i++)
		prc = store_contact_purge(st, erased.ids[i], now);
	store_close(st);
	if (prc != STORE_OK) {
		fprintf(stderr, "botwerk: could not re-apply the erasures to the backup; the database is unchanged\n");
		goto out;
	}
	char side[4200];
	snprintf(side, sizeof side, "%s-wal", db);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", db);
	unlink(side);
	if (rename(tmp, db) != 0) {
		fprintf(stderr, "botwerk: cannot move the restored database into place: %s\n", strerror(errno));
		goto out;
	}
	print_json(json_pack("{s:s, s:s, s:i}", "restored", backup, "database", db, "erasures_applied", (int)erased.n));
	rc = 0;
out:
	if (rc != 0)
		unlink(tmp);
	free(erased.ids);
	return rc;
}

int cli_run(int argc, char **argv)
{
	const char *cmd = argv[0];
	const char *sub = argc > 1 ? argv[1] : "";
	/* commands without a subcommand word: botwerk migrate | backup FILE | restore FILE */
	bool is_migrate = !strcmp(cmd, "migrate") || !strcmp(cmd, "backup") || !strcmp(cmd, "restore");
	struct app app;
	char err[512];
	int rest = 0, rc = 2;

	if (!is_migrate && argc < 2) {
		cli_usage();
		return 2;
	}
	/* settings flags follow the subcommand: botwerk tenant create --db x NAME */
	int off = is_migrate ? 0 : 1;
	if (app_open(&app, argc - off, argv + off, &rest, err, sizeof err) != 0) {
		fprintf(stderr, "botwerk: %s\n", err);
		app_close(&app);
		return 1;
	}
	int npos = argc - off - rest;
	char **pos = argv + off + rest;

	if (!strcmp(cmd, "backup") && npos == 1) {
		int brc = store_backup(app.store, pos[0]);
		if (brc == STORE_OK)
			print_json(json_pack("{s:s}", "backup", pos[0]));
		else
			fprintf(stderr, "botwerk: backup to %s failed (it must not exist yet; PostgreSQL: use pg_dump)\n",
				pos[0]);
		rc = brc == STORE_OK ? 0 : 1;
	} else if (!strcmp(cmd, "restore") && npos == 1) {
		rc = restore(&app, pos[0]);
	} else if (!strcmp(cmd, "migrate")) {
		int v = 0;
		store_schema_version(app.store, &v);
		print_json(json_pack("{s:s, s:i}", "backend", store_backend_name(app.store), "schema_version", v));
		rc = 0;
	} else if (!strcmp(cmd, "tenant") && !strcmp(sub, "create") && npos == 1) {
		rc = tenant_create(&app, pos[0]);
	} else if (!strcmp(cmd, "apikey") && !strcmp(sub, "create") && npos == 1) {
		struct store_tenant t;
		if (store_tenant_get(app.store, pos[0], &t) != STORE_OK) {
			fprintf(stderr, "botwerk: no tenant %s\n", pos[0]);
			rc = 1;
		} else {
			store_tenant_clear(&t);
			rc = new_key(&app, pos[0], false);
		}
	} else if (!strcmp(cmd, "apikey") && !strcmp(sub, "revoke") && npos == 1) {
		rc = apikey_revoke(&app, pos[0]);
	} else {
		cli_usage();
	}
	app_close(&app);
	return rc;
}
