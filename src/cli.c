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
#include "backup.h"
#include "privacy/seal.h"

#include <sodium.h>

#define ROTATE_BATCH 500

void cli_usage(void)
{
	fputs("admin commands (settings as for serve: environment or --flags after the subcommand):\n"
	      "  botwerk tenant create NAME        new tenant and its first API key\n"
	      "  botwerk apikey create TENANT_ID   another API key for a tenant (shown once)\n"
	      "  botwerk apikey revoke KEY_ID      revoke a key at once\n"
	      "  botwerk migrate                   apply pending database migrations and print the version\n"
	      "  botwerk keys rotate --new-master-key-file FILE\n"
	      "                                    re-wrap every tenant key under a new master key (resumable)\n",
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
	crypto_key_hash(app->apikey_key, key, strlen(key), hash);
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


/* ---- botwerk keys rotate ---------------------------------------------------------------------------- */

struct rotation {
	struct app *app;
	unsigned char new_key[CRYPTO_KEY_BYTES];
	uint32_t cur_id, new_id;
	long rotated, already;
};

/* Brings one wrapped key (tenant key or server key) under the new master key. *out: the re-wrapped text
 * to store (heap), or NULL when it is under the new key already (checked to open with it). -1 after a
 * message on stderr. */
static int rewrap_one(struct rotation *rot, const char *what, const char *ad, const char *wrapped, char **out)
{
	uint32_t id = 0;
	unsigned char k[SEAL_KEY_BYTES];
	*out = NULL;
	if (seal_wrapped_key_id(wrapped, &id) != 0) {
		fprintf(stderr, "botwerk: %s is not a wrapped key; nothing of it was changed\n", what);
		return -1;
	}
	if (id == rot->new_id) {
		int ok = seal_unwrap_key(rot->new_key, ad, wrapped, k) == 0;
		sodium_memzero(k, sizeof k);
		if (ok)
			return 0;
		fprintf(stderr,
			"botwerk: %s is wrapped under master key %u already, but the new key given does not open it: "
			"was an earlier rotation run with another key file?\n",
			what, id);
		return -1;
	}
	if (id != rot->cur_id) {
		fprintf(stderr,
			"botwerk: %s is wrapped under master key %u, neither the current one (BOTWERK_MASTER_KEY_ID=%u) "
			"nor the new one (%u)\n",
			what, id, rot->cur_id, rot->new_id);
		return -1;
	}
	if (seal_rewrap_key(rot->app->master_key, rot->new_key, rot->new_id, ad, wrapped, out) != 0) {
		fprintf(stderr, "botwerk: the current master key does not open %s: is BOTWERK_MASTER_KEY the key "
				"this database was written with?\n",
			what);
		return -1;
	}
	return 0;
}

/* One tenant: re-wrapped and swapped in only while its key is still the one read. */
static int rotate_tenant(struct rotation *rot, const struct store_tenant_key_row *row)
{
	char ad[80], what[80], *next = NULL, *current = NULL;
	const char *wrapped = row->wrapped;
	int rc = -1;
	snprintf(ad, sizeof ad, "tenant-key:%s", row->tenant_id);
	snprintf(what, sizeof what, "the key of tenant %s", row->tenant_id);
	for (int attempt = 0; attempt < 3; attempt++) {
		if (rewrap_one(rot, what, ad, wrapped, &next) != 0)
			goto out;
		if (!next) {
			rot->already++;
			rc = 0;
			goto out;
		}
		int src = store_tenant_key_swap(rot->app->store, row->tenant_id, wrapped, next);
		free(next);
		next = NULL;
		if (src == STORE_OK) {
			rot->rotated++;
			rc = 0;
			goto out;
		}
		if (src != STORE_CONFLICT) {
			fprintf(stderr, "botwerk: could not store %s (database error %d)\n", what, src);
			goto out;
		}
		/* changed meanwhile (another rotation): look again */
		free(current);
		current = NULL;
		if (store_tenant_key_get(rot->app->store, row->tenant_id, &current) != STORE_OK || !current) {
			fprintf(stderr, "botwerk: could not read %s again\n", what);
			goto out;
		}
		wrapped = current;
	}
	fprintf(stderr, "botwerk: %s keeps changing; run the rotation again\n", what);
out:
	free(current);
	return rc;
}

/* The API-key hash key: stored wrapped under the new master key (the first rotation stores it). */
static int rotate_server_key(struct rotation *rot)
{
	char ad[64], *wrapped = NULL, *next = NULL;
	int rc = -1;
	app_server_key_ad(STORE_SERVER_KEY_APIKEY, ad, sizeof ad);
	if (store_server_key_get(rot->app->store, STORE_SERVER_KEY_APIKEY, &wrapped) != STORE_OK) {
		fprintf(stderr, "botwerk: cannot read the stored server keys\n");
		return -1;
	}
	if (!wrapped) {
		if (seal_wrap_key(rot->new_key, rot->new_id, ad, rot->app->apikey_key, &next) != 0) {
			fprintf(stderr, "botwerk: out of memory\n");
			return -1;
		}
	} else if (rewrap_one(rot, "the API-key hash key", ad, wrapped, &next) != 0) {
		goto out;
	}
	if (next) {
		int src = store_server_key_swap(rot->app->store, STORE_SERVER_KEY_APIKEY, wrapped, next,
						clock_now_ms(&rot->app->clock));
		if (src != STORE_OK) {
			fprintf(stderr, "botwerk: could not store the API-key hash key (%s); run the rotation again\n",
				src == STORE_CONFLICT ? "it changed meanwhile" : "database error");
			goto out;
		}
	}
	rc = 0;
out:
	free(wrapped);
	free(next);
	return rc;
}

/* botwerk keys rotate --new-master-key-file FILE: every tenant key (and the API-key hash key) re-wrapped
 * under the new master key, numbered BOTWERK_MASTER_KEY_ID + 1. Contact keys and data are not touched.
 * Resumable: keys already under the new key are counted as "already". */
static int keys_rotate(struct app *app, const char *new_key_file)
{
	struct rotation rot = {.app = app, .cur_id = (uint32_t)app->settings.master_key_id};
	struct store_tenant_key_row *rows = NULL;
	char err[512], after[STORE_ID_MAX] = "";
	int n = ROTATE_BATCH, rc = 1;
	if (rot.cur_id == UINT32_MAX) {
		fprintf(stderr, "botwerk: BOTWERK_MASTER_KEY_ID is at its maximum\n");
		return 1;
	}
	rot.new_id = rot.cur_id + 1;
	if (app_read_key_file(new_key_file, rot.new_key, err, sizeof err) != 0) {
		fprintf(stderr, "botwerk: %s\n", err);
		return 1;
	}
	if (sodium_memcmp(rot.new_key, app->master_key, sizeof rot.new_key) == 0) {
		fprintf(stderr, "botwerk: the new master key is the current one\n");
		goto out;
	}
	if (!(rows = calloc(ROTATE_BATCH, sizeof *rows))) {
		fprintf(stderr, "botwerk: out of memory\n");
		goto out;
	}
	while (n == ROTATE_BATCH) {
		int src = store_tenant_key_list(app->store, after, ROTATE_BATCH, rows, &n);
		if (src != STORE_OK) {
			fprintf(stderr, "botwerk: cannot read the tenant keys (database error %d)\n", src);
			goto out;
		}
		int failed = 0;
		for (int i = 0; i < n; i++) {
			if (!failed && rotate_tenant(&rot, &rows[i]) != 0)
				failed = 1;
			store_tenant_key_row_clear(&rows[i]);
		}
		if (failed)
			goto out;
		if (n > 0)
			snprintf(after, sizeof after, "%s", rows[n - 1].tenant_id);
	}
	/* last: while it is under the old key, a resumed run still starts with the old settings */
	if (rotate_server_key(&rot) != 0)
		goto out;
	print_json(json_pack("{s:i, s:i, s:i}", "rotated", (int)rot.rotated, "already", (int)rot.already,
			     "master_key_id", (int)rot.new_id));
	fprintf(stderr,
		"botwerk: every tenant key is wrapped under the new master key now. Start botwerk with it "
		"(BOTWERK_MASTER_KEY_FILE=%s) and BOTWERK_MASTER_KEY_ID=%u; keep the old key until backups taken "
		"before today are no longer needed.\n",
		new_key_file, rot.new_id);
	rc = 0;
out:
	if (rc != 0 && (rot.rotated > 0 || rot.already > 0))
		fprintf(stderr, "botwerk: %ld tenant keys were re-wrapped before the failure; run the same command again "
				"to resume\n",
			rot.rotated);
	free(rows);
	sodium_memzero(rot.new_key, sizeof rot.new_key);
	return rc;
}

/* Takes --new-master-key-file FILE (or =FILE) out of argv (the settings parser does not know it). */
static const char *take_new_key_flag(int *argc, char **argv)
{
	const char *flag = "--new-master-key-file";
	size_t fl = strlen(flag);
	for (int i = 1; i < *argc; i++) {
		int drop = 0;
		const char *value = NULL;
		if (!strcmp(argv[i], flag) && i + 1 < *argc) {
			value = argv[i + 1];
			drop = 2;
		} else if (!strncmp(argv[i], flag, fl) && argv[i][fl] == '=') {
			value = argv[i] + fl + 1;
			drop = 1;
		}
		if (drop) {
			for (int j = i; j + drop < *argc; j++)
				argv[j] = argv[j + drop];
			*argc -= drop;
			return value;
		}
	}
	return NULL;
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
	const char *new_key_file = NULL;
	if (!strcmp(cmd, "keys") && !strcmp(sub, "rotate")) {
		new_key_file = take_new_key_flag(&argc, argv);
		if (!new_key_file || !*new_key_file) {
			fprintf(stderr, "botwerk: keys rotate needs --new-master-key-file FILE (64 hex characters, mode 0600)\n");
			return 2;
		}
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
		rc = backup_run(&app, pos[0]);
	} else if (!strcmp(cmd, "restore") && npos == 1) {
		rc = restore_run(&app, pos[0]);
	} else if (!strcmp(cmd, "migrate")) {
		int v = 0;
		store_schema_version(app.store, &v);
		print_json(json_pack("{s:s, s:i}", "backend", store_backend_name(app.store), "schema_version", v));
		rc = 0;
	} else if (!strcmp(cmd, "keys") && !strcmp(sub, "rotate") && npos == 0) {
		rc = keys_rotate(&app, new_key_file);
	} else if ((!strcmp(cmd, "tenant") || !strcmp(cmd, "apikey")) && app_check_keys(&app, err, sizeof err) != 0) {
		/* API keys made with a key the server will not use would never work */
		fprintf(stderr, "botwerk: %s\n", err);
		rc = 1;
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
