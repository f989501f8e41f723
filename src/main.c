/*
 * main.c — `botwerk serve` and the dispatch to admin commands.
 *
 * serve: signals are blocked before any thread starts, so the main thread alone receives SIGTERM/SIGINT
 * with sigwait(). On one: /ready turns 503, the listener closes, in-flight requests finish (up to
 * BOTWERK_SHUTDOWN_GRACE seconds), then the server and the store close. Every write is a transaction,
 * so nothing is left half-written whatever happens.
 */
#include <pthread.h>
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "api/bot_secrets.h"
#include "api/wa_conv.h"
#include "api/wa_send.h"
#include "ingest/html_text.h"
#include "jobs/embedder.h"
#include "jobs/ingest.h"
#include "app_setup.h"
#include "cli.h"
#include "jobs/housekeeping.h"
#include "jobs/scheduler.h"

#define BOTWERK_VERSION "0.1.0"

static void usage(FILE *out)
{
	fputs("botwerk " BOTWERK_VERSION " — conversational platform for small and medium businesses\n\n"
	      "usage:\n"
	      "  botwerk serve [--option=value ...]   run the server (HTTP API, chat, workers)\n"
	      "  botwerk tenant create NAME           create a tenant; prints its id and first API key\n"
	      "  botwerk apikey create TENANT_ID      create another API key for a tenant\n"
	      "  botwerk apikey revoke KEY_ID         revoke an API key\n"
	      "  botwerk migrate                      apply database migrations\n"
	      "  botwerk backup FILE                  copy the database to FILE while the server runs\n"
	      "  botwerk restore FILE                 replace the database by a backup, erasing again every contact\n"
	      "                                       erased since (stop the server first)\n"
	      "  botwerk keys rotate --new-master-key-file FILE\n"
	      "                                       re-wrap every tenant key under a new master key\n"
	      "  botwerk version\n\n"
	      "Every command reads the settings below from the environment or from --options.\n"
	      "`botwerk serve --help` lists them.\n",
	      out);
}

static int build_http(struct app *app, char *err, size_t errlen)
{
	const struct route *const tables[] = {api_ops_routes,    api_bots_routes,   api_sources_routes,
					      api_chat_routes,   api_public_routes, api_leads_routes,
					      api_web_routes, api_tenant_routes, api_persons_routes,
					      api_stats_routes, api_export_routes, api_from_site_routes,
					      api_hooks_routes, api_flows_routes, api_jobs_routes, api_wa_routes};
	const size_t counts[] = {api_ops_routes_count,    api_bots_routes_count,   api_sources_routes_count,
				 api_chat_routes_count,   api_public_routes_count, api_leads_routes_count,
				 api_web_routes_count, api_tenant_routes_count, api_persons_routes_count,
				 api_stats_routes_count, api_export_routes_count, api_from_site_routes_count,
				 api_hooks_routes_count, api_flows_routes_count, api_jobs_routes_count, api_wa_routes_count};
	app->router = router_new(tables, counts, sizeof counts / sizeof counts[0], err, errlen);
	if (!app->router)
		return -1;
	size_t n = router_count(app->router);
	const char **patterns = calloc(n + 1, sizeof *patterns), **methods = calloc(n + 1, sizeof *methods);
	if (!patterns || !methods) {
		free(patterns);
		free(methods);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		patterns[i] = router_at(app->router, i)->pattern;
		methods[i] = router_at(app->router, i)->method;
	}
	app->metrics = metrics_new(n, patterns, methods);
	app->ratelimit = ratelimit_new(app->settings.public_rate);
	/* the label arrays live as long as the process: metrics keeps pointers to them */
	app->metric_labels[0] = patterns;
	app->metric_labels[1] = methods;
	if (!app->metrics || !app->ratelimit) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	long threads = app->settings.http_threads;
	if (threads == 0) {
		/* handlers wait for their write's group commit, so a few threads per core keep the CPU busy
		 * and let batches form */
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		threads = 4 * (cores > 0 ? cores : 1);
	}
	struct http_config hc = {
		.host = app->settings.listen_host,
		.port = app->settings.listen_port,
		.threads = (int)threads,
		.max_body = app->settings.max_body,
		.conn_timeout_s = app->settings.conn_timeout_s,
		.max_connections = app->settings.max_connections,
		.router = app->router,
		.store = app->store,
		.master_key = app->apikey_key, /* API key hashing (app.h) */
		.metrics = app->metrics,
		.ratelimit = app->ratelimit,
		.log = &app->log,
		.access_log = app->settings.access_log,
		.ctx = app,
	};
	app->http = http_start(&hc, err, errlen);
	return app->http ? 0 : -1;
}

static void teardown(struct app *app)
{
	wa_processor_stop(app->wa); /* an event in progress is finished or left to its lease */
	app->wa = NULL;
	scheduler_free(app->sched); /* each worker finishes its job; the rest wait in the store */
	app->sched = NULL;
	wa_sender_free(app->wa_sender);
	app->wa_sender = NULL;
	ingest_stop(app->ingest); /* the source in progress goes back to the queue */
	app->ingest = NULL;
	embedder_stop(app->embedder); /* cancels its request in flight; before the HTTP client and the store go */
	app->embedder = NULL;
	housekeeping_stop(app->housekeeping); /* before the store closes */
	app->housekeeping = NULL;
	http_stop(app->http);
	app->http = NULL;
	metrics_free(app->metrics);
	ratelimit_free(app->ratelimit);
	router_free(app->router);
	free(app->metric_labels[0]);
	free(app->metric_labels[1]);
	app_close(app);
}

static int serve(int argc, char **argv)
{
	struct app app;
	char err[512];
	int rest = 0;
	sigset_t sigs;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: botwerk serve [--option=value ...]\n\nsettings (flag, environment variable, default):\n");
			settings_help(stdout);
			return 0;
		}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (app_open(&app, argc, argv, &rest, err, sizeof err) != 0) {
		fprintf(stderr, "botwerk: %s\n", err);
		app_close(&app);
		return 1;
	}
	if (rest < argc) {
		fprintf(stderr, "botwerk: serve takes no arguments besides options (got \"%s\")\n", argv[rest]);
		app_close(&app);
		return 2;
	}
	if (app_check_keys(&app, err, sizeof err) != 0) {
		fprintf(stderr, "botwerk: %s\n", err);
		app_close(&app);
		return 1;
	}
	if (build_http(&app, err, sizeof err) != 0) {
		log_msg(&app.log, LOG_ERROR, "main", "%s", err);
		teardown(&app);
		return 1;
	}
	app.housekeeping = housekeeping_start(app.store, &app.log, &app.clock, app.settings.housekeeping_interval_s,
					      (int)app.settings.events_keep_days, err, sizeof err);
	if (!app.housekeeping) {
		log_msg(&app.log, LOG_ERROR, "main", "%s", err);
		teardown(&app);
		return 1;
	}
	struct embedder_config ec = {
		.store = app.store,
		.http = app.httpc,
		.vcache = app.vcache,
		.log = &app.log,
		.resolve = api_embedder_resolve,
		.resolve_ud = &app,
		.interval_s = app.settings.embed_interval_s,
	};
	app.embedder = embedder_start(&ec, err, sizeof err);
	if (!app.embedder) {
		log_msg(&app.log, LOG_ERROR, "main", "%s", err);
		teardown(&app);
		return 1;
	}
	struct ingest_config ic = {
		.store = app.store,
		.http = app.httpc,
		.log = &app.log,
		.clock = &app.clock,
		.embedder = app.embedder,
		.lease_ms = app.settings.ingest_lease_s * 1000,
		.allow_private = app.settings.crawl_allow_private,
		.max_pages = (int)app.settings.crawl_max_pages,
		.delay_ms = app.settings.crawl_delay_ms,
		.site_begin = api_site_begin,
		.site_end = api_site_end,
		.site_ud = &app,
	};
	app.ingest = ingest_start(&ic, err, sizeof err);
	if (!app.ingest) {
		log_msg(&app.log, LOG_ERROR, "main", "%s", err);
		teardown(&app);
		return 1;
	}
	struct scheduler_config sc = {.store = app.store, .clock = &app.clock, .log = &app.log,
				      .threads = (int)app.settings.jobs_threads,
				      .backoff_base_ms = app.settings.jobs_backoff_ms};
	app.wa_sender = wa_sender_new();
	app.sched = app.wa_sender ? scheduler_new(&sc, err, sizeof err) : NULL;
	if (!app.sched || wa_jobs_register(&app, app.sched) != 0 || scheduler_start(app.sched, err, sizeof err) != 0) {
		log_msg(&app.log, LOG_ERROR, "main", "the job scheduler cannot start: %s", err);
		teardown(&app);
		return 1;
	}
	app.wa = wa_processor_start(&app, err, sizeof err);
	if (!app.wa) {
		log_msg(&app.log, LOG_ERROR, "main", "%s", err);
		teardown(&app);
		return 1;
	}
	atomic_store(&app.ready, true);
	json_t *info = json_pack("{s:s, s:s, s:i, s:o}", "version", BOTWERK_VERSION, "backend",
				 store_backend_name(app.store), "port", http_port(app.http), "settings",
				 settings_dump(&app.settings));
	log_fields(&app.log, LOG_INFO, "main", "listening", info);

	int sig = 0;
	sigwait(&sigs, &sig);
	atomic_store(&app.ready, false);
	log_msg(&app.log, LOG_INFO, "main", "signal %d: draining in-flight requests", sig);
	bool clean = http_drain(app.http, (double)app.settings.shutdown_grace_s);
	if (!clean)
		log_msg(&app.log, LOG_WARN, "main", "grace period over with requests still running; closing them");
	teardown(&app);
	log_msg(&app.log, LOG_INFO, "main", "stopped");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("botwerk %s\n", BOTWERK_VERSION);
		return 0;
	}
	/* libcurl's global set-up is not thread-safe: once, here, before any thread starts */
	html_text_init(); /* libxml2's global set-up, also not for threads */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "botwerk: libcurl could not be initialised\n");
		return 1;
	}
	if (!strcmp(argv[1], "serve"))
		return serve(argc - 1, argv + 1);
	if (!strcmp(argv[1], "tenant") || !strcmp(argv[1], "apikey") || !strcmp(argv[1], "migrate") ||
	    !strcmp(argv[1], "backup") || !strcmp(argv[1], "restore") || !strcmp(argv[1], "keys"))
		return cli_run(argc - 1, argv + 1);
	fprintf(stderr, "botwerk: unknown command \"%s\"\n\n", argv[1]);
	usage(stderr);
	return 2;
}
