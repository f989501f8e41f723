/*
 * settings.h — every setting of botwerk, from one table.
 *
 * Each row has a name, a type, a default, bounds, the environment variable and a secret flag. The same
 * rows drive environment parsing, command-line flags (--name=value or --name value, where name is the
 * variable without BOTWERK_, lower case, '_' → '-'), `--help` text, validation at start (messages say
 * what to fix) and the redacted dump in the start-up log. Flags win over the environment.
 */
#ifndef BOTWERK_BASE_SETTINGS_H
#define BOTWERK_BASE_SETTINGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

struct settings {
	char *db;              /* SQLite path or postgres:// URL */
	char *listen;          /* host:port */
	char *public_url;      /* base URL visitors use; derived from listen when empty */
	char *master_key;      /* 64 hex characters */
	char *master_key_file; /* file holding the master key */
	long master_key_id;    /* the master key's number in wrapped keys (k<id>.); raised by `keys rotate` */
	long http_threads;     /* 0 = number of cores */
	long db_pool;          /* PostgreSQL connections */
	long db_busy_timeout_ms;
	bool db_sync_full;     /* SQLite: flush every commit (power-loss safe) */
	long max_body;         /* bytes, management API */
	long public_rate;      /* public API requests per minute per client address, 0 = off */
	long index_cache_mb;   /* memory for in-memory search indexes, 0 = search the database only */
	long shutdown_grace_s; /* how long SIGTERM waits for in-flight requests */
	long conn_timeout_s;   /* idle keep-alive connections are closed after this */
	long max_connections;
	char *log_level;
	bool access_log;
	long housekeeping_interval_s; /* seconds between runs of the housekeeping job (retention, trials) */
	long events_keep_days;        /* processed webhook events and finished jobs are kept this long */
	long clock_offset_s;          /* added to the wall clock (tests); 0 in production */
	/* server-wide LLM defaults, used by bots that set none of their own (llm/config.h) */
	char *llm_base_url;    /* OpenAI-compatible API root including /v1; "" = no LLM */
	char *llm_model;
	char *llm_api_key;
	long llm_timeout_ms;   /* until the first token: past it the visitor gets the extractive answer */
	char *embeddings_base_url;
	char *embeddings_model;
	long embed_interval_s;  /* seconds between embedder rounds */
	long vector_cache_mb;   /* memory for in-memory chunk vectors */
	bool crawl_allow_private; /* crawl loopback/private addresses (tests, intranets) */
	long crawl_max_pages;     /* pages per crawled site */
	long crawl_delay_ms;      /* pause between two requests to one site */
	long ingest_lease_s;      /* a source whose worker went silent this long is taken over */
	long jobs_threads;        /* scheduler worker threads */
	long jobs_backoff_ms;     /* first retry delay of a failed job (doubles, full jitter) */
	long jobs_max_attempts;   /* attempts before a job goes to the dead letter */
	long wa_send_timeout_ms;  /* one WhatsApp send request */
	long wa_first_message_s;  /* delay of the first flow message after an opt-in (POST /api/v1/contacts) */
	char *smtp_url;           /* the relay for notices by email (net/smtp.h); "" = no email */
	char *smtp_from;
	char *smtp_user;
	char *smtp_password;
	/* derived at validation */
	char listen_host[64];
	int listen_port;
};

/* Fills defaults, then the environment, then argv flags (argv[0] is not a flag; stops at the first
 * non-flag, whose index goes to *rest). On error writes a message to err and returns -1. */
int settings_load(struct settings *s, int argc, char **argv, int *rest, char *err, size_t errlen);
void settings_free(struct settings *s);
/* Prints the table as help text: flag, variable, default, bounds, description. */
void settings_help(FILE *out);
/* The settings as a JSON object with secrets replaced by "***" (for the start-up log). */
json_t *settings_dump(const struct settings *s);
bool settings_db_is_postgres(const struct settings *s);

#endif
