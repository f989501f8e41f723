/* app_setup.c — settings → logger → master key → terms → store. */
#include "app_setup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/metrics.h"

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
	};
	app->store = store_open(&so, err, errlen);
	if (!app->store)
		return -1;
	app->index_cache = rag_cache_new((size_t)app->settings.index_cache_mb * 1024 * 1024);
	app->keyring = keyring_new(app->master_key, 1);
	if (!app->index_cache || !app->keyring) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void app_close(struct app *app)
{
	rag_cache_free(app->index_cache);
	app->index_cache = NULL;
	keyring_free(app->keyring);
	app->keyring = NULL;
	store_close(app->store);
	app->store = NULL;
	terms_free(app->terms);
	app->terms = NULL;
	settings_free(&app->settings);
}
