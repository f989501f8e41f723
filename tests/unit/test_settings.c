/*
 * test_settings.c — unit tests for src/base/settings.c: what an operator gets from defaults, BOTWERK_*
 * environment variables and command-line flags, the start-up error messages, --help and the redacted
 * dump. Each test starts from an environment without any BOTWERK_ variable. Only public functions are used.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/settings.h"

extern char **environ;

/* ---- helpers ------------------------------------------------------------------------------------ */

static int clear_env(void **state)
{
	char name[128];

	(void)state;
	for (;;) {
		bool found = false;
		for (char **e = environ; e && *e; e++) {
			const char *eq = strchr(*e, '=');
			if (!strncmp(*e, "BOTWERK_", 8) && eq && (size_t)(eq - *e) < sizeof name) {
				memcpy(name, *e, (size_t)(eq - *e));
				name[eq - *e] = '\0';
				unsetenv(name);
				found = true;
				break; /* environ changed under us */
			}
		}
		if (!found)
			return 0;
	}
}

static struct settings S;
static char ERR[512];
static int REST;

/* settings_load over a NULL-terminated argv (argv[0] = "botwerk" is added). */
static int load_argv(const char *const *args)
{
	static char store[32][256];
	char *argv[32];
	int argc = 0;

	snprintf(store[0], sizeof store[0], "botwerk");
	argv[argc] = store[argc];
	argc++;
	for (; args && *args; args++) {
		assert_true(argc < 31 && strlen(*args) < sizeof store[0]);
		snprintf(store[argc], sizeof store[0], "%s", *args);
		argv[argc] = store[argc];
		argc++;
	}
	argv[argc] = NULL;
	ERR[0] = '\0';
	REST = -1;
	return settings_load(&S, argc, argv, &REST, ERR, sizeof ERR);
}

#define LOAD(...) load_argv((const char *const[]){__VA_ARGS__, NULL})

static void assert_loads(int rc)
{
	if (rc != 0)
		fail_msg("settings_load failed: %s", ERR);
}

/* Fails to load, the message containing every one of the given parts. */
static void assert_load_error(int rc, const char *const *parts)
{
	if (rc != -1)
		fail_msg("settings_load succeeded, expected an error containing \"%s\"", parts[0]);
	for (; *parts; parts++)
		if (!strstr(ERR, *parts))
			fail_msg("message \"%s\" lacks \"%s\"", ERR, *parts);
	settings_free(&S);
}

#define ERROR_HAS(rc, ...) assert_load_error(rc, (const char *const[]){__VA_ARGS__, NULL})

static const char KEY[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/* ---- defaults and sources ---------------------------------------------------------------------- */

static void test_defaults(void **state)
{
	(void)state;
	assert_loads(load_argv(NULL));
	assert_string_equal(S.db, "botwerk.db");
	assert_string_equal(S.listen, "127.0.0.1:8080");
	assert_string_equal(S.listen_host, "127.0.0.1");
	assert_int_equal(S.listen_port, 8080);
	assert_string_equal(S.public_url, "");
	assert_string_equal(S.master_key, "");
	assert_string_equal(S.master_key_file, "");
	assert_int_equal(S.http_threads, 0);
	assert_int_equal(S.db_pool, 8);
	assert_int_equal(S.db_busy_timeout_ms, 5000);
	assert_int_equal(S.max_body, 1048576);
	assert_int_equal(S.public_rate, 300);
	assert_int_equal(S.shutdown_grace_s, 10);
	assert_int_equal(S.conn_timeout_s, 60);
	assert_int_equal(S.max_connections, 4096);
	assert_string_equal(S.log_level, "info");
	assert_true(S.access_log);
	assert_int_equal(REST, 1);
	assert_false(settings_db_is_postgres(&S));
	settings_free(&S);
	assert_null(S.db);
	settings_free(&S); /* twice is harmless */
}

static void test_environment_overrides_defaults(void **state)
{
	(void)state;
	setenv("BOTWERK_DB", "/var/lib/botwerk/data.db", 1);
	setenv("BOTWERK_LISTEN", "0.0.0.0:9000", 1);
	setenv("BOTWERK_PUBLIC_URL", "https://chat.example.com", 1);
	setenv("BOTWERK_PUBLIC_RATE", "0", 1);
	setenv("BOTWERK_MAX_BODY", "2048", 1);
	setenv("BOTWERK_LOG_LEVEL", "debug", 1);
	setenv("BOTWERK_ACCESS_LOG", "off", 1);
	setenv("BOTWERK_MASTER_KEY", KEY, 1);
	assert_loads(load_argv(NULL));
	assert_string_equal(S.db, "/var/lib/botwerk/data.db");
	assert_string_equal(S.listen_host, "0.0.0.0");
	assert_int_equal(S.listen_port, 9000);
	assert_string_equal(S.public_url, "https://chat.example.com");
	assert_int_equal(S.public_rate, 0);
	assert_int_equal(S.max_body, 2048);
	assert_string_equal(S.log_level, "debug");
	assert_false(S.access_log);
	assert_string_equal(S.master_key, KEY);
	/* untouched settings keep their defaults */
	assert_int_equal(S.db_pool, 8);
	settings_free(&S);
}

static void test_bool_spellings(void **state)
{
	static const char *const yes[] = {"1", "true", "TRUE", "yes", "On"};
	static const char *const no[] = {"0", "false", "No", "off", "OFF"};

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		setenv("BOTWERK_ACCESS_LOG", no[i], 1);
		assert_loads(load_argv(NULL));
		assert_false(S.access_log);
		settings_free(&S);
		setenv("BOTWERK_ACCESS_LOG", yes[i], 1);
		assert_loads(load_argv(NULL));
		assert_true(S.access_log);
		settings_free(&S);
	}
	setenv("BOTWERK_ACCESS_LOG", "maybe", 1);
	ERROR_HAS(load_argv(NULL), "BOTWERK_ACCESS_LOG", "environment", "\"maybe\"");
	unsetenv("BOTWERK_ACCESS_LOG");
	ERROR_HAS(LOAD("--access-log="), "BOTWERK_ACCESS_LOG", "command line");
}

static void test_flags_win_over_environment(void **state)
{
	(void)state;
	setenv("BOTWERK_DB", "env.db", 1);
	setenv("BOTWERK_PUBLIC_RATE", "5", 1);
	setenv("BOTWERK_ACCESS_LOG", "1", 1);

	assert_loads(LOAD("--db=flag.db"));
	assert_string_equal(S.db, "flag.db");
	assert_int_equal(S.public_rate, 5); /* no flag: the environment stays */
	settings_free(&S);

	assert_loads(LOAD("--db", "flag2.db", "--public-rate", "10", "--access-log=no"));
	assert_string_equal(S.db, "flag2.db");
	assert_int_equal(S.public_rate, 10);
	assert_false(S.access_log);
	assert_int_equal(REST, 6);
	settings_free(&S);

	/* multi-word names: '_' becomes '-' */
	assert_loads(LOAD("--db-busy-timeout-ms=250", "--max-connections", "100", "--master-key-file=/etc/bw.key"));
	assert_int_equal(S.db_busy_timeout_ms, 250);
	assert_int_equal(S.max_connections, 100);
	assert_string_equal(S.master_key_file, "/etc/bw.key");
	settings_free(&S);

	/* the last flag wins; a value may contain '=' */
	assert_loads(LOAD("--db=a.db", "--db=postgres://u:p@h/db?sslmode=require"));
	assert_string_equal(S.db, "postgres://u:p@h/db?sslmode=require");
	assert_true(settings_db_is_postgres(&S));
	settings_free(&S);
}

static void test_unknown_option_is_named(void **state)
{
	(void)state;
	ERROR_HAS(LOAD("--colour=red"), "unknown option --colour=red", "--help");
	ERROR_HAS(LOAD("--DB=x"), "unknown option --DB=x");
	ERROR_HAS(LOAD("--db_pool=3"), "unknown option --db_pool=3");
	ERROR_HAS(LOAD("--botwerk-db=x"), "unknown option");
	ERROR_HAS(LOAD("--d=x"), "unknown option --d=x");
	ERROR_HAS(LOAD("--db"), "option --db needs a value");
	ERROR_HAS(LOAD("--listen=0.0.0.0:1", "--public-rate"), "--public-rate needs a value");
}

static void test_out_of_range_numbers_name_variable_and_range(void **state)
{
	(void)state;
	setenv("BOTWERK_PUBLIC_RATE", "-1", 1);
	ERROR_HAS(load_argv(NULL), "BOTWERK_PUBLIC_RATE", "environment", "0 to 1000000", "\"-1\"");
	setenv("BOTWERK_PUBLIC_RATE", "1000001", 1);
	ERROR_HAS(load_argv(NULL), "BOTWERK_PUBLIC_RATE", "0 to 1000000");
	setenv("BOTWERK_PUBLIC_RATE", "1000000", 1);
	assert_loads(load_argv(NULL));
	assert_int_equal(S.public_rate, 1000000);
	settings_free(&S);
	unsetenv("BOTWERK_PUBLIC_RATE");

	ERROR_HAS(LOAD("--max-body=10"), "BOTWERK_MAX_BODY", "command line", "1024 to 67108864", "\"10\"");
	ERROR_HAS(LOAD("--db-pool", "0"), "BOTWERK_DB_POOL", "1 to 256");
	ERROR_HAS(LOAD("--http-threads=257"), "BOTWERK_HTTP_THREADS", "0 to 256");
	ERROR_HAS(LOAD("--conn-timeout=0"), "BOTWERK_CONN_TIMEOUT", "1 to 3600");
	ERROR_HAS(LOAD("--shutdown-grace=601"), "BOTWERK_SHUTDOWN_GRACE", "0 to 600");
	/* not numbers at all */
	ERROR_HAS(LOAD("--max-body=1MB"), "BOTWERK_MAX_BODY", "whole number", "\"1MB\"");
	ERROR_HAS(LOAD("--max-body="), "BOTWERK_MAX_BODY", "whole number");
	ERROR_HAS(LOAD("--max-body=2048.5"), "BOTWERK_MAX_BODY");
	ERROR_HAS(LOAD("--max-body=0x800"), "BOTWERK_MAX_BODY");
	ERROR_HAS(LOAD("--max-body=99999999999999999999999"), "BOTWERK_MAX_BODY", "1024 to 67108864");
	setenv("BOTWERK_DB_POOL", "", 1);
	ERROR_HAS(load_argv(NULL), "BOTWERK_DB_POOL", "environment");
	unsetenv("BOTWERK_DB_POOL");
	/* the edges are allowed */
	assert_loads(LOAD("--max-body=1024", "--db-pool=256", "--http-threads=0"));
	assert_int_equal(S.max_body, 1024);
	assert_int_equal(S.db_pool, 256);
	settings_free(&S);
}

static void test_bad_listen_address(void **state)
{
	static const char *const bad[] = {
		"localhost", ":8080", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:80x", "127.0.0.1:65536",
		"127.0.0.1:-1", "",
		/* a host longer than the server keeps */
		"a-very-long-host-name-that-goes-on-and-on-and-on.example.com.example.org:80",
	};
	char flag[256];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(flag, sizeof flag, "--listen=%s", bad[i]);
		char quoted[256];
		snprintf(quoted, sizeof quoted, "\"%s\"", bad[i]);
		ERROR_HAS(LOAD(flag), "BOTWERK_LISTEN must be host:port", quoted);
	}
	setenv("BOTWERK_LISTEN", "nowhere", 1);
	ERROR_HAS(load_argv(NULL), "BOTWERK_LISTEN", "\"nowhere\"");
	unsetenv("BOTWERK_LISTEN");

	assert_loads(LOAD("--listen=localhost:0"));
	assert_string_equal(S.listen_host, "localhost");
	assert_int_equal(S.listen_port, 0);
	settings_free(&S);
	assert_loads(LOAD("--listen", "[::1]:65535"));
	assert_int_equal(S.listen_port, 65535);
	settings_free(&S);
}

static void test_bad_master_key(void **state)
{
	char key[80];

	(void)state;
	memcpy(key, KEY, 63);
	key[63] = '\0';
	setenv("BOTWERK_MASTER_KEY", key, 1);
	ERROR_HAS(load_argv(NULL), "BOTWERK_MASTER_KEY must be 64 hex characters");
	snprintf(key, sizeof key, "%s0", KEY);
	setenv("BOTWERK_MASTER_KEY", key, 1);
	ERROR_HAS(load_argv(NULL), "64 hex characters");
	snprintf(key, sizeof key, "%s", KEY);
	key[10] = 'g';
	setenv("BOTWERK_MASTER_KEY", key, 1);
	ERROR_HAS(load_argv(NULL), "64 hex characters");
	/* the message never repeats the (wrong) key */
	assert_null(strstr(ERR, key));
	unsetenv("BOTWERK_MASTER_KEY");

	/* upper-case hex is fine */
	for (size_t i = 0; i < 64; i++)
		key[i] = (char)(KEY[i] >= 'a' ? KEY[i] - 32 : KEY[i]);
	key[64] = '\0';
	assert_loads(LOAD("--master-key", key));
	assert_string_equal(S.master_key, key);
	settings_free(&S);
}

static void test_key_and_key_file_together_are_an_error(void **state)
{
	(void)state;
	setenv("BOTWERK_MASTER_KEY", KEY, 1);
	setenv("BOTWERK_MASTER_KEY_FILE", "/etc/botwerk.key", 1);
	ERROR_HAS(load_argv(NULL), "BOTWERK_MASTER_KEY", "BOTWERK_MASTER_KEY_FILE", "not both");
	unsetenv("BOTWERK_MASTER_KEY_FILE");
	ERROR_HAS(LOAD("--master-key-file=/k"), "not both");
	unsetenv("BOTWERK_MASTER_KEY");
	assert_loads(LOAD("--master-key-file=/k"));
	settings_free(&S);
}

static void test_other_start_up_checks(void **state)
{
	(void)state;
	ERROR_HAS(LOAD("--db="), "BOTWERK_DB is empty");
	ERROR_HAS(LOAD("--log-level=verbose"), "BOTWERK_LOG_LEVEL", "debug, info, warn or error", "\"verbose\"");
	assert_loads(LOAD("--log-level=error", "--db=postgresql://localhost/bw"));
	assert_true(settings_db_is_postgres(&S));
	settings_free(&S);
	assert_loads(LOAD("--db=postgres.db"));
	assert_false(settings_db_is_postgres(&S));
	settings_free(&S);
	/* the SMTP relay: a smtp(s):// URL and, with one, a sender address */
	ERROR_HAS(LOAD("--smtp-url=mail.example.com:25"), "BOTWERK_SMTP_URL", "smtp://", "\"mail.example.com:25\"");
	ERROR_HAS(LOAD("--smtp-url=smtp://mail.example.com:587"), "BOTWERK_SMTP_FROM");
	ERROR_HAS(LOAD("--smtp-url=smtps://mail.example.com", "--smtp-from=botwerk"), "BOTWERK_SMTP_FROM");
	assert_loads(LOAD("--smtp-url=smtp://mail.example.com:587", "--smtp-from=bot@studio.example",
			  "--smtp-password=geheim"));
	json_t *d = settings_dump(&S);
	assert_non_null(d);
	assert_string_equal(json_string_value(json_object_get(d, "BOTWERK_SMTP_PASSWORD")), "***");
	json_decref(d);
	settings_free(&S);
}

/* ---- positional arguments ---------------------------------------------------------------------- */

static void test_rest_points_at_the_first_positional_argument(void **state)
{
	(void)state;
	assert_loads(LOAD("--db=x.db", "serve", "--db=y.db"));
	assert_int_equal(REST, 2);
	assert_string_equal(S.db, "x.db"); /* flags after the command are not ours */
	settings_free(&S);

	assert_loads(LOAD("--db", "x.db", "migrate"));
	assert_int_equal(REST, 3);
	settings_free(&S);

	assert_loads(LOAD("serve"));
	assert_int_equal(REST, 1);
	settings_free(&S);

	assert_loads(LOAD("--help"));
	assert_int_equal(REST, 1);
	settings_free(&S);

	assert_loads(LOAD("--public-rate=1", "-h"));
	assert_int_equal(REST, 2);
	settings_free(&S);

	assert_loads(LOAD("--public-rate=1"));
	assert_int_equal(REST, 2); /* == argc: nothing left */
	settings_free(&S);

	/* a rest pointer is optional */
	char a0[] = "botwerk", a1[] = "--db=z.db";
	char *argv[] = {a0, a1, NULL};
	assert_int_equal(settings_load(&S, 2, argv, NULL, ERR, sizeof ERR), 0);
	assert_string_equal(S.db, "z.db");
	settings_free(&S);
}

/* ---- output -------------------------------------------------------------------------------------- */

static void test_dump_redacts_the_master_key(void **state)
{
	json_t *d;
	char *text;

	(void)state;
	setenv("BOTWERK_MASTER_KEY", KEY, 1);
	assert_loads(LOAD("--public-rate=7", "--access-log=0"));
	d = settings_dump(&S);
	assert_non_null(d);
	assert_string_equal(json_string_value(json_object_get(d, "BOTWERK_MASTER_KEY")), "***");
	text = json_dumps(d, JSON_COMPACT);
	assert_non_null(text);
	assert_null(strstr(text, KEY));
	assert_null(strstr(text, "0011223344"));
	/* everything else is shown as loaded */
	assert_string_equal(json_string_value(json_object_get(d, "BOTWERK_DB")), "botwerk.db");
	assert_string_equal(json_string_value(json_object_get(d, "BOTWERK_LISTEN")), "127.0.0.1:8080");
	assert_int_equal(json_integer_value(json_object_get(d, "BOTWERK_PUBLIC_RATE")), 7);
	assert_true(json_is_false(json_object_get(d, "BOTWERK_ACCESS_LOG")));
	assert_string_equal(json_string_value(json_object_get(d, "BOTWERK_MASTER_KEY_FILE")), "");
	free(text);
	json_decref(d);
	settings_free(&S);
	unsetenv("BOTWERK_MASTER_KEY");

	/* no key: nothing to hide, and the dump does not pretend there is one */
	assert_loads(load_argv(NULL));
	d = settings_dump(&S);
	assert_non_null(d);
	assert_string_equal(json_string_value(json_object_get(d, "BOTWERK_MASTER_KEY")), "");
	json_decref(d);
	settings_free(&S);
}

static void test_dump_hides_the_database_password(void **state)
{
	/* README: BOTWERK_DB=postgres://user:pass@host/db. The dump goes into the start-up log line
	 * (main.c, "listening"), so the password in the URL must not. */
	json_t *d;
	char *text;

	(void)state;
	setenv("BOTWERK_DB", "postgres://botwerk:s3cr3t-pw@db.internal:5432/botwerk?sslmode=require", 1);
	assert_loads(load_argv(NULL));
	assert_true(settings_db_is_postgres(&S));
	d = settings_dump(&S);
	assert_non_null(d);
	text = json_dumps(d, JSON_COMPACT);
	assert_non_null(text);
	const char *db = json_string_value(json_object_get(d, "BOTWERK_DB"));
	assert_non_null(db);
	bool leaked = strstr(text, "s3cr3t-pw") != NULL;
	char shown[256];
	snprintf(shown, sizeof shown, "%s", db);
	free(text);
	json_decref(d);
	settings_free(&S);
	if (leaked)
		fail_msg("settings_dump shows the database password: BOTWERK_DB = \"%s\"", shown);
	/* the rest of the URL stays useful */
	assert_non_null(strstr(shown, "db.internal"));

	/* libpq also takes the password as a query parameter */
	setenv("BOTWERK_DB", "postgresql://db.internal/botwerk?user=bw&password=qu3ry-pw&sslmode=require", 1);
	assert_loads(load_argv(NULL));
	d = settings_dump(&S);
	assert_non_null(d);
	snprintf(shown, sizeof shown, "%s", json_string_value(json_object_get(d, "BOTWERK_DB")));
	json_decref(d);
	settings_free(&S);
	if (strstr(shown, "qu3ry-pw"))
		fail_msg("settings_dump shows the database password: BOTWERK_DB = \"%s\"", shown);
	assert_non_null(strstr(shown, "db.internal"));

	/* a SQLite path is shown as it is, '@' and ':' included */
	setenv("BOTWERK_DB", "/srv/a:b@c/botwerk.db", 1);
	assert_loads(load_argv(NULL));
	d = settings_dump(&S);
	assert_non_null(d);
	assert_string_equal(json_string_value(json_object_get(d, "BOTWERK_DB")), "/srv/a:b@c/botwerk.db");
	json_decref(d);
	settings_free(&S);
}

static void test_help_lists_every_flag_with_variable_default_and_range(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	settings_help(f);
	fclose(f);
	static const char *const want[] = {
		"--db ", "BOTWERK_DB", "default botwerk.db",
		"--listen", "BOTWERK_LISTEN", "default 127.0.0.1:8080",
		"--master-key ", "--master-key-file",
		"--public-rate", "BOTWERK_PUBLIC_RATE", "default 300", "0..1000000",
		"--max-body", "1024..67108864",
		"--db-busy-timeout-ms", "--access-log", "--log-level",
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!strstr(buf, want[i]))
			fail_msg("--help lacks \"%s\"", want[i]);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults, clear_env),
		cmocka_unit_test_setup(test_environment_overrides_defaults, clear_env),
		cmocka_unit_test_setup(test_bool_spellings, clear_env),
		cmocka_unit_test_setup(test_flags_win_over_environment, clear_env),
		cmocka_unit_test_setup(test_unknown_option_is_named, clear_env),
		cmocka_unit_test_setup(test_out_of_range_numbers_name_variable_and_range, clear_env),
		cmocka_unit_test_setup(test_bad_listen_address, clear_env),
		cmocka_unit_test_setup(test_bad_master_key, clear_env),
		cmocka_unit_test_setup(test_key_and_key_file_together_are_an_error, clear_env),
		cmocka_unit_test_setup(test_other_start_up_checks, clear_env),
		cmocka_unit_test_setup(test_rest_points_at_the_first_positional_argument, clear_env),
		cmocka_unit_test_setup(test_dump_redacts_the_master_key, clear_env),
		cmocka_unit_test_setup(test_dump_hides_the_database_password, clear_env),
		cmocka_unit_test_setup(test_help_lists_every_flag_with_variable_default_and_range, clear_env),
	};

	return cmocka_run_group_tests_name("settings", tests, NULL, NULL);
}
