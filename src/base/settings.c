/* settings.c — the settings table and its parser/validator. */
#include "base/settings.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"

enum setting_type { SET_STR, SET_LONG, SET_BOOL };

struct setting {
	const char *env;
	enum setting_type type;
	const char *def;
	long min, max;
	bool secret;
	size_t offset;
	const char *help;
};

#define OFF(f) offsetof(struct settings, f)

static const struct setting table[] = {
	{"BOTWERK_DB", SET_STR, "botwerk.db", 0, 0, false, OFF(db),
	 "database: a SQLite file path (embedded default) or a postgres:// URL"},
	{"BOTWERK_LISTEN", SET_STR, "127.0.0.1:8080", 0, 0, false, OFF(listen), "address to listen on, host:port"},
	{"BOTWERK_PUBLIC_URL", SET_STR, "", 0, 0, false, OFF(public_url),
	 "base URL visitors reach botwerk at (default http://LISTEN)"},
	{"BOTWERK_MASTER_KEY", SET_STR, "", 0, 0, true, OFF(master_key),
	 "master key, 64 hex characters (or use BOTWERK_MASTER_KEY_FILE)"},
	{"BOTWERK_MASTER_KEY_FILE", SET_STR, "", 0, 0, false, OFF(master_key_file),
	 "file holding the master key; on SQLite, DB.key is created (mode 0600) when neither is set"},
	{"BOTWERK_MASTER_KEY_ID", SET_LONG, "1", 1, 4294967295L, false, OFF(master_key_id),
	 "number of the master key; `botwerk keys rotate` prints the one to set with the new key"},
	{"BOTWERK_HTTP_THREADS", SET_LONG, "0", 0, 256, false, OFF(http_threads),
	 "HTTP worker threads (0 = four per core)"},
	{"BOTWERK_DB_POOL", SET_LONG, "8", 1, 256, false, OFF(db_pool), "PostgreSQL connections per process"},
	{"BOTWERK_DB_SYNC_FULL", SET_BOOL, "0", 0, 1, false, OFF(db_sync_full),
	 "SQLite: flush every commit to the disk before answering (1: all survives a power loss, ~25% fewer "
	 "writes/s; 0: only webhook events, leads, consents, erasures and key swaps do, the rest survives a crash "
	 "of the process)"},
	{"BOTWERK_DB_BUSY_TIMEOUT_MS", SET_LONG, "5000", 10, 600000, false, OFF(db_busy_timeout_ms),
	 "how long a SQLite writer waits for another process holding the write lock"},
	{"BOTWERK_MAX_BODY", SET_LONG, "1048576", 1024, 67108864, false, OFF(max_body),
	 "largest management API request body, bytes"},
	{"BOTWERK_PUBLIC_RATE", SET_LONG, "300", 0, 1000000, false, OFF(public_rate),
	 "public API requests per minute per client address (0 = no limit)"},
	{"BOTWERK_INDEX_CACHE_MB", SET_LONG, "256", 0, 1048576, false, OFF(index_cache_mb),
	 "memory (MiB) for in-memory search indexes of busy bots (0 = search the database only)"},
	{"BOTWERK_SHUTDOWN_GRACE", SET_LONG, "10", 0, 600, false, OFF(shutdown_grace_s),
	 "seconds SIGTERM waits for in-flight requests to finish"},
	{"BOTWERK_CONN_TIMEOUT", SET_LONG, "60", 1, 3600, false, OFF(conn_timeout_s),
	 "seconds an idle connection is kept open"},
	{"BOTWERK_MAX_CONNECTIONS", SET_LONG, "4096", 16, 1000000, false, OFF(max_connections),
	 "concurrent connections"},
	{"BOTWERK_LOG_LEVEL", SET_STR, "info", 0, 0, false, OFF(log_level), "debug, info, warn or error"},
	{"BOTWERK_ACCESS_LOG", SET_BOOL, "1", 0, 1, false, OFF(access_log), "one JSON line per request (1/0)"},
	{"BOTWERK_HOUSEKEEPING_INTERVAL", SET_LONG, "3600", 1, 86400, false, OFF(housekeeping_interval_s),
	 "seconds between housekeeping runs (retention periods, trial bot expiry, finished events and jobs)"},
	{"BOTWERK_EVENTS_KEEP_DAYS", SET_LONG, "14", 8, 3650, false, OFF(events_keep_days),
	 "days processed webhook events and done or cancelled jobs are kept (more than a provider's 7 days of retries)"},
	{"BOTWERK_CLOCK_OFFSET_S", SET_LONG, "0", -315576000, 315576000, false, OFF(clock_offset_s),
	 "seconds added to the wall clock, for tests only (leave 0 in production)"},
	{"BOTWERK_LLM_BASE_URL", SET_STR, "", 0, 0, false, OFF(llm_base_url),
	 "default LLM for bots without their own: OpenAI-compatible API root incl. /v1 (empty = answer without LLM)"},
	{"BOTWERK_LLM_MODEL", SET_STR, "", 0, 0, false, OFF(llm_model), "model name sent to the default LLM"},
	{"BOTWERK_LLM_API_KEY", SET_STR, "", 0, 0, true, OFF(llm_api_key), "API key of the default LLM"},
	{"BOTWERK_LLM_TIMEOUT_MS", SET_LONG, "1500", 100, 600000, false, OFF(llm_timeout_ms),
	 "default time until the model's first token before answering without it"},
	{"BOTWERK_EMBEDDINGS_BASE_URL", SET_STR, "", 0, 0, false, OFF(embeddings_base_url),
	 "default embeddings endpoint (API root incl. /v1; empty = full-text retrieval only)"},
	{"BOTWERK_EMBEDDINGS_MODEL", SET_STR, "", 0, 0, false, OFF(embeddings_model), "default embeddings model"},
	{"BOTWERK_EMBED_INTERVAL", SET_LONG, "30", 1, 86400, false, OFF(embed_interval_s),
	 "seconds between rounds of the background embedder (new sources start one at once)"},
	{"BOTWERK_CRAWL_ALLOW_PRIVATE", SET_BOOL, "0", 0, 1, false, OFF(crawl_allow_private),
	 "let the crawler fetch loopback, private and link-local addresses (tests, intranets; 1/0)"},
	{"BOTWERK_CRAWL_MAX_PAGES", SET_LONG, "500", 1, 100000, false, OFF(crawl_max_pages),
	 "pages read per website source"},
	{"BOTWERK_CRAWL_DELAY_MS", SET_LONG, "500", 0, 60000, false, OFF(crawl_delay_ms),
	 "pause between two requests to a crawled site (a robots.txt Crawl-delay raises it)"},
	{"BOTWERK_INGEST_LEASE", SET_LONG, "60", 2, 3600, false, OFF(ingest_lease_s),
	 "seconds without progress after which another worker takes over a source being read"},
	{"BOTWERK_JOBS_THREADS", SET_LONG, "2", 1, 64, false, OFF(jobs_threads),
	 "worker threads of the job scheduler (follow-ups, reminders, held and retried WhatsApp sends)"},
	{"BOTWERK_JOBS_BACKOFF_MS", SET_LONG, "30000", 10, 3600000, false, OFF(jobs_backoff_ms),
	 "first retry delay of a failed job in ms; doubles per attempt, with full jitter, up to one hour"},
	{"BOTWERK_JOBS_MAX_ATTEMPTS", SET_LONG, "5", 1, 100, false, OFF(jobs_max_attempts),
	 "attempts of a job before it goes to the dead letter (GET /api/v1/jobs/dead)"},
	{"BOTWERK_WA_SEND_TIMEOUT_MS", SET_LONG, "15000", 100, 120000, false, OFF(wa_send_timeout_ms),
	 "time limit of one WhatsApp send request; past it the send is retried as a job"},
	{"BOTWERK_SMTP_URL", SET_STR, "", 0, 0, false, OFF(smtp_url),
	 "SMTP relay for handover emails: smtp://host:587 (STARTTLS) or smtps://host:465 (empty = no email)"},
	{"BOTWERK_SMTP_FROM", SET_STR, "", 0, 0, false, OFF(smtp_from), "sender address of the emails botwerk sends"},
	{"BOTWERK_SMTP_USER", SET_STR, "", 0, 0, false, OFF(smtp_user),
	 "SMTP login (with one, STARTTLS is required on smtp://)"},
	{"BOTWERK_SMTP_PASSWORD", SET_STR, "", 0, 0, true, OFF(smtp_password), "SMTP password"},
	{"BOTWERK_WA_FIRST_MESSAGE_S", SET_LONG, "300", 0, 86400, false, OFF(wa_first_message_s),
	 "seconds between a WhatsApp opt-in (POST /api/v1/contacts) and the flow's first message"},
	{"BOTWERK_VECTOR_CACHE_MB", SET_LONG, "256", 0, 1048576, false, OFF(vector_cache_mb),
	 "memory for the chunk vectors of busy bots (hybrid retrieval)"},
};
#define NSETTINGS (sizeof table / sizeof table[0])

/* "BOTWERK_MAX_BODY" → "max-body" */
static void flag_name(const struct setting *row, char *out, size_t outlen)
{
	const char *p = row->env + strlen("BOTWERK_");
	size_t i = 0;
	for (; *p && i + 1 < outlen; p++)
		out[i++] = *p == '_' ? '-' : (char)tolower((unsigned char)*p);
	out[i] = '\0';
}

static int assign(struct settings *s, const struct setting *row, const char *value, const char *from, char *err,
		  size_t errlen)
{
	char *base = (char *)s;
	switch (row->type) {
	case SET_STR: {
		char **slot = (char **)(base + row->offset);
		char *copy = strdup(value);
		if (!copy) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		free(*slot);
		*slot = copy;
		return 0;
	}
	case SET_LONG: {
		char *end;
		errno = 0;
		long v = strtol(value, &end, 10);
		if (errno || end == value || *end || v < row->min || v > row->max) {
			snprintf(err, errlen, "%s (from %s) must be a whole number from %ld to %ld, got \"%s\"", row->env,
				 from, row->min, row->max, value);
			return -1;
		}
		*(long *)(base + row->offset) = v;
		return 0;
	}
	case SET_BOOL:
		if (!strcmp(value, "1") || !strcasecmp(value, "true") || !strcasecmp(value, "yes") ||
		    !strcasecmp(value, "on"))
			*(bool *)(base + row->offset) = true;
		else if (!strcmp(value, "0") || !strcasecmp(value, "false") || !strcasecmp(value, "no") ||
			 !strcasecmp(value, "off"))
			*(bool *)(base + row->offset) = false;
		else {
			snprintf(err, errlen, "%s (from %s) must be 1 or 0, got \"%s\"", row->env, from, value);
			return -1;
		}
		return 0;
	}
	return -1;
}

static const struct setting *find_flag(const char *name, size_t len)
{
	char fn[64];
	for (size_t i = 0; i < NSETTINGS; i++) {
		flag_name(&table[i], fn, sizeof fn);
		if (strlen(fn) == len && !memcmp(fn, name, len))
			return &table[i];
	}
	return NULL;
}

static int validate(struct settings *s, char *err, size_t errlen)
{
	if (!*s->db) {
		snprintf(err, errlen, "BOTWERK_DB is empty: give a SQLite file path or a postgres:// URL");
		return -1;
	}
	const char *colon = strrchr(s->listen, ':');
	char *end;
	long port = colon ? strtol(colon + 1, &end, 10) : -1;
	if (!colon || colon == s->listen || (size_t)(colon - s->listen) >= sizeof s->listen_host || !colon[1] ||
	    *end || port < 0 || port > 65535) {
		snprintf(err, errlen, "BOTWERK_LISTEN must be host:port (e.g. 127.0.0.1:8080), got \"%s\"", s->listen);
		return -1;
	}
	memcpy(s->listen_host, s->listen, (size_t)(colon - s->listen));
	s->listen_host[colon - s->listen] = '\0';
	s->listen_port = (int)port;
	if (*s->master_key) {
		size_t n = strlen(s->master_key);
		bool hex = n == 64;
		for (size_t i = 0; hex && i < n; i++)
			hex = isxdigit((unsigned char)s->master_key[i]);
		if (!hex) {
			snprintf(err, errlen,
				 "BOTWERK_MASTER_KEY must be 64 hex characters (32 bytes); make one with: "
				 "head -c32 /dev/urandom | od -An -tx1 | tr -d ' \\n'");
			return -1;
		}
	}
	if (*s->master_key && *s->master_key_file) {
		snprintf(err, errlen, "set BOTWERK_MASTER_KEY or BOTWERK_MASTER_KEY_FILE, not both");
		return -1;
	}
	if (*s->smtp_url && strncmp(s->smtp_url, "smtp://", 7) && strncmp(s->smtp_url, "smtps://", 8)) {
		snprintf(err, errlen, "BOTWERK_SMTP_URL must start with smtp:// or smtps://, got \"%s\"", s->smtp_url);
		return -1;
	}
	if (*s->smtp_url && !json_check_email(s->smtp_from)) {
		snprintf(err, errlen, "BOTWERK_SMTP_URL is set: BOTWERK_SMTP_FROM must be the sender's email address");
		return -1;
	}
	if (strcmp(s->log_level, "debug") && strcmp(s->log_level, "info") && strcmp(s->log_level, "warn") &&
	    strcmp(s->log_level, "error")) {
		snprintf(err, errlen, "BOTWERK_LOG_LEVEL must be debug, info, warn or error, got \"%s\"", s->log_level);
		return -1;
	}
	return 0;
}

int settings_load(struct settings *s, int argc, char **argv, int *rest, char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	for (size_t i = 0; i < NSETTINGS; i++)
		if (assign(s, &table[i], table[i].def, "default", err, errlen) != 0)
			return -1;
	for (size_t i = 0; i < NSETTINGS; i++) {
		const char *v = getenv(table[i].env);
		if (v && assign(s, &table[i], v, "environment", err, errlen) != 0)
			return -1;
	}
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2) != 0 || !strcmp(a, "--help") || !strcmp(a, "-h"))
			break;
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
		const struct setting *row = find_flag(name, nlen);
		if (!row) {
			snprintf(err, errlen, "unknown option %s (see --help)", a);
			return -1;
		}
		const char *value = eq ? eq + 1 : NULL;
		if (!value) {
			if (i + 1 >= argc) {
				snprintf(err, errlen, "option %s needs a value", a);
				return -1;
			}
			value = argv[++i];
		}
		if (assign(s, row, value, "command line", err, errlen) != 0)
			return -1;
	}
	if (rest)
		*rest = i;
	return validate(s, err, errlen);
}

void settings_free(struct settings *s)
{
	char *base = (char *)s;
	for (size_t i = 0; i < NSETTINGS; i++)
		if (table[i].type == SET_STR) {
			char **slot = (char **)(base + table[i].offset);
			free(*slot);
			*slot = NULL;
		}
}

void settings_help(FILE *out)
{
	char fn[64];
	for (size_t i = 0; i < NSETTINGS; i++) {
		const struct setting *r = &table[i];
		flag_name(r, fn, sizeof fn);
		fprintf(out, "  --%-20s %s\n", fn, r->help);
		fprintf(out, "  %-22s   env %s", "", r->env);
		if (*r->def)
			fprintf(out, ", default %s", r->def);
		if (r->type == SET_LONG)
			fprintf(out, ", %ld..%ld", r->min, r->max);
		fputc('\n', out);
	}
}

/* A URL with its password replaced: "postgres://user:***@host/db". NULL-safe; new reference. */
static json_t *redacted_url(const char *url)
{
	const char *scheme = strstr(url, "://");
	const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
	const char *colon = at ? memchr(scheme + 3, ':', (size_t)(at - (scheme + 3))) : NULL;
	char buf[1024];
	if (colon)
		snprintf(buf, sizeof buf, "%.*s:***%s", (int)(colon - url), url, at);
	else
		snprintf(buf, sizeof buf, "%s", url);
	/* libpq also takes the password as a query parameter */
	char *pw = strstr(buf, "password=");
	if (pw && (pw == buf || pw[-1] == '?' || pw[-1] == '&')) {
		char *end = pw + strlen("password=");
		char *rest = strchr(end, '&');
		char tail[512];
		snprintf(tail, sizeof tail, "%s", rest ? rest : "");
		snprintf(end, sizeof buf - (size_t)(end - buf), "***%s", tail);
	}
	return json_string(buf);
}

json_t *settings_dump(const struct settings *s)
{
	const char *base = (const char *)s;
	json_t *o = json_object();
	if (!o)
		return NULL;
	for (size_t i = 0; i < NSETTINGS; i++) {
		const struct setting *r = &table[i];
		json_t *v = NULL;
		if (r->type == SET_STR) {
			const char *str = *(char *const *)(base + r->offset);
			if (r->secret && str && *str)
				v = json_string("***");
			else if (r->offset == OFF(db) && str)
				v = redacted_url(str); /* a database URL may carry a password */
			else
				v = json_string(str ? str : "");
		} else if (r->type == SET_LONG) {
			v = json_integer(*(const long *)(base + r->offset));
		} else {
			v = json_boolean(*(const bool *)(base + r->offset));
		}
		json_object_set_new(o, r->env, v);
	}
	return o;
}

bool settings_db_is_postgres(const struct settings *s)
{
	return !strncmp(s->db, "postgres://", 11) || !strncmp(s->db, "postgresql://", 13);
}
