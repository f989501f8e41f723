/* app_setup.c — settings → logger → master key → terms → store. */
#include "app_setup.h"

#include "api/config_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "conv/extract.h"
#include "http/metrics.h"
#include "llm/client.h"
#include "net/httpc.h"
#include "rag/vcache.h"
#include "privacy/seal.h"

#define KEY_CHECK_PAGE 500

static void on_db_timing(void *ud, const char *op, double seconds)
{
	struct app *app = ud;
	if (app->metrics)
		metrics_db(app->metrics, op, seconds);
}

static int read_key_file(const char *path, unsigned char key[CRYPTO_KEY_BYTES], char *err, size_t errlen)
{
	char buf[130] = {0};
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot read master key file %s: %s", path, strerror(errno));
		return -1;
	}
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	if (crypto_hex_key(buf, key) != 0) {
		snprintf(err, errlen, "master key file %s must hold 64 hex characters", path);
		return -1;
	}
	return 0;
}

int app_read_key_file(const char *path, unsigned char key[CRYPTO_KEY_BYTES], char *err, size_t errlen)
{
	struct stat stt;
	if (stat(path, &stt) != 0) {
		snprintf(err, errlen, "cannot read key file %s: %s", path, strerror(errno));
		return -1;
	}
	if (stt.st_mode & 077) {
		snprintf(err, errlen, "key file %s is readable by other users: chmod 600 it first", path);
		return -1;
	}
	return read_key_file(path, key, err, errlen);
}

/* Creates DB.key (0600) with a new random key, or reads it when another process was first. */
static int create_key_file(struct app *app, const char *path, char *err, size_t errlen)
{
	unsigned char key[CRYPTO_KEY_BYTES];
	char hex[CRYPTO_KEY_BYTES * 2 + 2];
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return read_key_file(path, app->master_key, err, errlen);
		snprintf(err, errlen, "cannot create master key file %s: %s", path, strerror(errno));
		return -1;
	}
	crypto_random_key(key);
	crypto_hex(key, sizeof key, hex);
	strcat(hex, "\n");
	ssize_t w = write(fd, hex, strlen(hex));
	int sync_rc = fsync(fd);
	close(fd);
	if (w != (ssize_t)strlen(hex) || sync_rc != 0) {
		unlink(path);
		snprintf(err, errlen, "cannot write master key file %s", path);
		return -1;
	}
	memcpy(app->master_key, key, sizeof key);
	log_msg(&app->log, LOG_WARN, "setup",
		"no master key configured: created %s (mode 0600); back it up with the database, "
		"without it API keys and encrypted data cannot be used",
		path);
	return 0;
}

static int load_master_key(struct app *app, char *err, size_t errlen)
{
	struct settings *s = &app->settings;
	if (*s->master_key)
		return crypto_hex_key(s->master_key, app->master_key) == 0 ? 0 : (snprintf(err, errlen, "bad master key"), -1);
	if (*s->master_key_file) {
		struct stat stt;
		if (stat(s->master_key_file, &stt) == 0 && (stt.st_mode & 077))
			log_msg(&app->log, LOG_WARN, "setup", "master key file %s is readable by other users; chmod 600 it",
				s->master_key_file);
		return read_key_file(s->master_key_file, app->master_key, err, errlen);
	}
	if (settings_db_is_postgres(s)) {
		snprintf(err, errlen,
			 "PostgreSQL needs a master key: set BOTWERK_MASTER_KEY (64 hex characters) or "
			 "BOTWERK_MASTER_KEY_FILE, the same on every node");
		return -1;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s.key", s->db);
	return create_key_file(app, path, err, errlen);
}

void app_server_key_ad(const char *name, char *ad, size_t adlen)
{
	snprintf(ad, adlen, "server-key:%s", name);
}

/* The key API keys are hashed with: the master key, unless a rotation stored the first one (see app.h).
 * A stored key that does not open is not an error here (`keys rotate` must still run); app_check_keys
 * refuses it. */
static int load_apikey_key(struct app *app, char *err, size_t errlen)
{
	char *wrapped = NULL, ad[64];
	memcpy(app->apikey_key, app->master_key, sizeof app->apikey_key);
	app->apikey_key_state = APP_APIKEY_MASTER;
	if (store_server_key_get(app->store, STORE_SERVER_KEY_APIKEY, &wrapped) != STORE_OK) {
		snprintf(err, errlen, "cannot read the stored server keys (database error)");
		return -1;
	}
	if (!wrapped)
		return 0;
	app_server_key_ad(STORE_SERVER_KEY_APIKEY, ad, sizeof ad);
	if (seal_unwrap_key(app->master_key, ad, wrapped, app->apikey_key) == 0) {
		app->apikey_key_state = APP_APIKEY_STORED;
	} else {
		memcpy(app->apikey_key, app->master_key, sizeof app->apikey_key);
		app->apikey_key_state = APP_APIKEY_LOCKED;
		if (seal_wrapped_key_id(wrapped, &app->apikey_key_kek) != 0)
			app->apikey_key_kek = 0;
	}
	free(wrapped);
	return 0;
}

int app_check_keys(struct app *app, char *err, size_t errlen)
{
	uint32_t id = (uint32_t)app->settings.master_key_id;
	if (app->apikey_key_state == APP_APIKEY_LOCKED) {
		snprintf(err, errlen,
			 "the master key given (BOTWERK_MASTER_KEY_ID=%u) does not open this database's keys, which are "
			 "wrapped under master key %u: after `botwerk keys rotate`, start with the new key (the file "
			 "given to --new-master-key-file) and BOTWERK_MASTER_KEY_ID=%u",
			 id, app->apikey_key_kek, app->apikey_key_kek);
		return -1;
	}
	struct store_tenant_key_row *rows = calloc(KEY_CHECK_PAGE, sizeof *rows);
	char after[STORE_ID_MAX] = "", ad[80];
	long other_id = 0, wrong = 0, total = 0;
	uint32_t seen_id = 0;
	int n = KEY_CHECK_PAGE, rc = STORE_OK;
	if (!rows) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (n == KEY_CHECK_PAGE && (rc = store_tenant_key_list(app->store, after, KEY_CHECK_PAGE, rows, &n)) == STORE_OK) {
		for (int i = 0; i < n; i++) {
			uint32_t kid = 0;
			unsigned char k[SEAL_KEY_BYTES];
			total++;
			snprintf(ad, sizeof ad, "tenant-key:%s", rows[i].tenant_id);
			if (seal_wrapped_key_id(rows[i].wrapped, &kid) == 0 && kid != id) {
				other_id++;
				seen_id = kid;
			} else if (seal_unwrap_key(app->master_key, ad, rows[i].wrapped, k) != 0) {
				wrong++;
			}
			sodium_memzero(k, sizeof k);
			store_tenant_key_row_clear(&rows[i]);
		}
		if (n > 0)
			snprintf(after, sizeof after, "%s", rows[n - 1].tenant_id);
	}
	free(rows);
	if (rc != STORE_OK) {
		snprintf(err, errlen, "cannot read the tenant keys (database error %d)", rc);
		return -1;
	}
	if (other_id > 0) {
		snprintf(err, errlen,
			 "%ld of %ld tenant keys are wrapped under master key %u, not under this one "
			 "(BOTWERK_MASTER_KEY_ID=%u): start with that key and id, or finish `botwerk keys rotate` "
			 "(run it again with the previous key; it resumes)",
			 other_id, total, seen_id, id);
		return -1;
	}
	if (wrong > 0) {
		snprintf(err, errlen,
			 "the master key does not open %ld of %ld tenant keys: BOTWERK_MASTER_KEY (or the key file) is "
			 "not the key this database was written with",
			 wrong, total);
		return -1;
	}
	return 0;
}

int app_open(struct app *app, int argc, char **argv, int *rest, char *err, size_t errlen)
{
	memset(app, 0, sizeof *app);
	app->clock = clock_real();
	log_init(&app->log, LOG_INFO, 2);
	if (settings_load(&app->settings, argc, argv, rest, err, errlen) != 0)
		return -1;
	enum log_level lv = LOG_INFO;
	log_level_parse(app->settings.log_level, &lv);
	log_init(&app->log, lv, 2);
	if (app->settings.clock_offset_s != 0) {
		app->clock_offset_ms = (int64_t)app->settings.clock_offset_s * 1000;
		app->clock = clock_offset(&app->clock_offset_ms);
		log_msg(&app->log, LOG_WARN, "setup", "BOTWERK_CLOCK_OFFSET_S=%ld: the clock runs %ld seconds off (tests only)",
			app->settings.clock_offset_s, app->settings.clock_offset_s);
	}
	if (crypto_init() != 0) {
		snprintf(err, errlen, "libsodium failed to initialise");
		return -1;
	}
	if (load_master_key(app, err, errlen) != 0)
		return -1;
	app->terms = terms_new();
	if (!app->terms) {
		snprintf(err, errlen, "cannot set up the German stemmer (libstemmer)");
		return -1;
	}
	struct store_opts so = {
		.url = app->settings.db,
		.pool_size = (int)app->settings.db_pool,
		.busy_timeout_ms = (int)app->settings.db_busy_timeout_ms,
		.tokenize = terms_tokenize,
		.tokenize_ctx = app->terms,
		.on_timing = on_db_timing,
		.timing_ud = app,
		.sync_full = app->settings.db_sync_full,
	};
	app->store = store_open(&so, err, errlen);
	if (!app->store)
		return -1;
	app->index_cache = rag_cache_new((size_t)app->settings.index_cache_mb * 1024 * 1024);
	app->keyring = keyring_new(app->master_key, (uint32_t)app->settings.master_key_id);
	app->config_cache = config_cache_new(1024);
	if (!app->index_cache || !app->keyring || !app->config_cache) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	app->httpc = httpc_new(err, errlen);
	if (!app->httpc)
		return -1;
	app->llm = llm_client_new(app->httpc);
	app->extractor = extractor_new();
	app->vcache = vcache_new((size_t)app->settings.vector_cache_mb * 1024 * 1024);
	if (!app->llm || !app->extractor || !app->vcache) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return load_apikey_key(app, err, errlen);
}

void app_close(struct app *app)
{
	/* first: transfers still running finish (cancelled) and may write their results to the store */
	httpc_free(app->httpc);
	app->httpc = NULL;
	llm_client_free(app->llm);
	app->llm = NULL;
	extractor_free(app->extractor);
	app->extractor = NULL;
	vcache_free(app->vcache);
	app->vcache = NULL;
	rag_cache_free(app->index_cache);
	app->index_cache = NULL;
	keyring_free(app->keyring);
	app->keyring = NULL;
	config_cache_free(app->config_cache);
	app->config_cache = NULL;
	store_close(app->store);
	app->store = NULL;
	terms_free(app->terms);
	app->terms = NULL;
	settings_free(&app->settings);
}
