/*
 * bot_from_site.c — POST /api/v1/bots/from-website {"url", "name"?, "language"?}: a ready-to-review draft
 * bot for a business, made from nothing but its public website (design document 001's sales workflow).
 *
 * The call creates the bot inactive, with the site as a url source and config.draft = {"from_website",
 * "status": "reading"}, and answers 202 at once. The ingestion worker (jobs/ingest.h) crawls the site as it
 * does every url source and, through the hooks here, feeds each page to ingest/site_profile.h as well.
 * When the crawl is done the profile is applied to the bot: company (name, address, phone, email, website,
 * social links), opening hours and branding colour where the bot has none yet (what the user already set
 * is never overwritten), the logo and the team's photos fetched (SSRF-safe, ≤ 2 MB, checked by content)
 * and stored as the bot's images, the team as contact persons (when the bot has none), the bot renamed
 * after the company unless a name was given, and draft = {"status": "ready", "sources": {field: URL, …},
 * "notes": […]} so that the business sees where every value came from before activating the bot. The bot
 * with "ready" is stored last, so whoever sees it finds the team and the images in place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/bot_json.h"
#include "api/bot_secrets.h"
#include "http/image.h"
#include "ingest/site_profile.h"
#include "jobs/ingest.h"
#include "net/httpc.h"

#define IMAGE_MAX (2u * 1024 * 1024)
#define IMAGE_TIMEOUT_MS 15000

static const char *const languages[] = {"de", "en", NULL};

static const struct json_field from_site_fields[] = {
	{"url", JF_STRING, true, false, 0, 2000, NULL, json_check_http_url, "an http:// or https:// URL", NULL},
	{"name", JF_STRING, false, false, 1, 120, NULL, NULL, NULL, NULL},
	{"language", JF_STRING, false, false, 0, 0, languages, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

/* "www.example.de" of "https://www.example.de/…" (into out). */
static void host_of(const char *url, char *out, size_t outlen)
{
	const char *h = strstr(url, "://");
	h = h ? h + 3 : url;
	size_t n = strcspn(h, "/?#");
	snprintf(out, outlen, "%.*s", (int)(n < outlen ? n : outlen - 1), h);
}

static int from_website(struct req *r)
{
	struct app *app = app_of(r);
	const char *url = json_str(r->json, "url", "");
	const char *name = json_str(r->json, "name", NULL);
	char host[256];
	host_of(url, host, sizeof host);
	if (!host[0])
		return resp_errorf(r, ERR_VALIDATION, "url", "url needs a host");
	int64_t now = clock_now_ms(&app->clock);
	struct store_bot b = {0};
	crypto_random_id("bot", b.id, sizeof b.id);
	snprintf(b.tenant_id, sizeof b.tenant_id, "%s", r->tenant_id);
	b.name = (char *)(uintptr_t)(name ? name : host);
	b.active = false; /* a draft: the business reviews it first */
	b.created_at = b.updated_at = now;
	json_t *config = bot_config_defaults(json_str(r->json, "language", "de"));
	json_t *draft = json_pack("{s:s, s:s, s:b}", "from_website", url, "status", "reading", "name_from_site", name == NULL);
	json_t *company = json_object_get(config, "company");
	if (!config || !draft || json_object_set_new(config, "draft", draft) != 0 ||
	    json_object_set_new(company, "website", json_string(url)) != 0 || !(b.config = json_dumps(config, JSON_COMPACT))) {
		json_decref(config);
		return resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
	}
	int rc = store_bot_create(app->store, &b);
	free(b.config);
	b.config = NULL;
	if (rc != STORE_OK) {
		json_decref(config);
		return api_store_error(r, rc, ERR_NOT_FOUND, "bot");
	}
	struct store_source s = {.kind = "url", .url = (char *)(uintptr_t)url, .title = host, .status = "queued"};
	crypto_time_id("src", now, s.id, sizeof s.id);
	snprintf(s.bot_id, sizeof s.bot_id, "%s", b.id);
	s.created_at = s.updated_at = now;
	rc = store_source_enqueue(app->store, r->tenant_id, &s, NULL, 0);
	if (rc != STORE_OK) {
		json_decref(config);
		store_bot_delete(app->store, r->tenant_id, b.id);
		return api_store_error(r, rc, ERR_NOT_FOUND, "source");
	}
	ingest_poke(app->ingest);
	json_t *out = json_pack("{s:o, s:{s:s, s:s, s:s, s:s}}", "bot", bot_to_json(&b, config), "source", "id", s.id,
				"kind", "url", "url", url, "status", "queued");
	json_decref(config);
	return resp_json(r, 202, out);
}

/* ---- the ingestion worker's hooks ------------------------------------------------------------------------- */

/* The bot's config when it is a draft waiting for this site's crawl, else NULL. */
static json_t *draft_config(struct app *app, const struct store_source *src, struct store_bot *b)
{
	if (!src->url || store_bot_get(app->store, src->tenant_id, src->bot_id, b) != STORE_OK)
		return NULL;
	json_t *config = bot_config_parse(b);
	json_t *draft = json_object_get(config, "draft");
	if (!json_is_object(draft) || strcmp(json_str(draft, "from_website", ""), src->url) != 0 ||
	    strcmp(json_str(draft, "status", ""), "reading") != 0) {
		json_decref(config);
		store_bot_clear(b);
		return NULL;
	}
	return config;
}

struct site_profile *api_site_begin(void *ud, const struct store_source *src)
{
	struct store_bot b;
	json_t *config = draft_config(ud, src, &b);
	if (!config)
		return NULL;
	json_decref(config);
	store_bot_clear(&b);
	return site_profile_new(src->url);
}

/* Fetches an image and checks it (PNG/JPEG, sizes as uploads); 0 with *img filled (bytes malloc'd). */
static int fetch_image(struct app *app, const char *url, const char *kind, struct store_image_in *img, char id[STORE_ID_MAX],
		       unsigned char **bytes)
{
	char *body = NULL, ct[128], err[200];
	size_t len = 0;
	if (httpc_get_wait(app->httpc, url, IMAGE_MAX, IMAGE_TIMEOUT_MS, !app->settings.crawl_allow_private, &body, &len,
			   ct, sizeof ct, err, sizeof err) != 0)
		return -1;
	struct image_info info;
	const char *why = NULL;
	if (image_probe((const unsigned char *)body, len, &info, &why) != 0) {
		free(body);
		return -1;
	}
	crypto_time_id("img", clock_now_ms(&app->clock), id, STORE_ID_MAX);
	*bytes = (unsigned char *)body;
	*img = (struct store_image_in){.id = id, .kind = kind, .content_type = image_mime(info.type), .width = info.width,
				       .height = info.height, .bytes = *bytes, .len = len,
				       .now = clock_now_ms(&app->clock)};
	return 0;
}

/* Copies what the site gave into `dst` where dst has nothing (objects merged key by key). */
static void fill_missing(json_t *dst, json_t *src)
{
	const char *key;
	json_t *v;
	json_object_foreach(src, key, v)
	{
		json_t *have = json_object_get(dst, key);
		if (json_is_object(v) && json_is_object(have))
			fill_missing(have, v);
		else if (!have || json_is_null(have) || (json_is_string(have) && !json_string_value(have)[0]) ||
			 (json_is_object(have) && json_object_size(have) == 0))
			json_object_set(dst, key, v);
	}
}

static void add_persons(struct app *app, const struct store_source *src, json_t *persons)
{
	struct store_person existing[STORE_PERSONS_MAX];
	int n = 0;
	if (store_person_list(app->store, src->tenant_id, src->bot_id, existing, STORE_PERSONS_MAX, &n) != STORE_OK)
		return;
	for (int i = 0; i < n; i++)
		store_person_clear(&existing[i]);
	if (n > 0)
		return; /* the business has its own list already */
	size_t i;
	json_t *p;
	json_array_foreach(persons, i, p)
	{
		struct store_person sp = {0};
		crypto_time_id("cp", clock_now_ms(&app->clock), sp.id, sizeof sp.id);
		snprintf(sp.bot_id, sizeof sp.bot_id, "%s", src->bot_id);
		sp.name = (char *)(uintptr_t)json_str(p, "name", "");
		sp.position = (char *)(uintptr_t)json_str(p, "position", NULL);
		sp.email = (char *)(uintptr_t)json_str(p, "email", NULL);
		sp.phone = (char *)(uintptr_t)json_str(p, "phone", NULL);
		sp.created_at = sp.updated_at = clock_now_ms(&app->clock);
		if (!sp.name[0] || store_person_create(app->store, src->tenant_id, &sp, STORE_PERSONS_MAX) != STORE_OK)
			continue;
		const char *photo = json_str(p, "photo_url", NULL);
		struct store_image_in img;
		char id[STORE_ID_MAX];
		unsigned char *bytes = NULL;
		if (photo && fetch_image(app, photo, "photo", &img, id, &bytes) == 0)
			store_person_photo_set(app->store, src->tenant_id, src->bot_id, sp.id, &img);
		free(bytes);
	}
}

void api_site_end(void *ud, const struct store_source *src, struct site_profile *sp, bool ok)
{
	struct app *app = ud;
	struct store_bot b;
	json_t *config = draft_config(app, src, &b);
	if (!config)
		return;
	json_t *result = ok ? site_profile_result(sp) : NULL;
	json_t *draft = json_object_get(config, "draft");
	if (!result) {
		json_object_set_new(draft, "status", json_string("failed"));
	} else {
		fill_missing(json_object_get(config, "company"), json_object_get(result, "company"));
		json_t *oh = json_object_get(result, "opening_hours");
		if (json_is_object(oh) && !json_is_object(json_object_get(config, "opening_hours")))
			json_object_set(config, "opening_hours", oh);
		const char *color = json_str(json_object_get(result, "branding"), "primary_color", NULL);
		json_t *branding = json_object_get(config, "branding");
		if (color && !strcmp(json_str(branding, "primary_color", ""), "#0f766e")) /* still the default */
			json_object_set_new(branding, "primary_color", json_string(color));
		json_object_set_new(draft, "status", json_string("ready"));
		json_object_set(draft, "sources", json_object_get(result, "sources"));
		json_object_set(draft, "notes", json_object_get(result, "notes"));
		const char *cname = json_str(json_object_get(result, "company"), "name", NULL);
		if (cname && json_bool(draft, "name_from_site", false)) {
			free(b.name);
			b.name = strdup(cname);
		}
	}
	struct err e;
	if (bot_config_check(config, &e) != 0) { /* never store what the API would refuse */
		json_object_del(config, "opening_hours");
		json_t *notes = json_object_get(draft, "notes");
		if (json_is_array(notes))
			json_array_append_new(notes, json_pack("{s:s, s:s, s:s}", "field", "opening_hours", "kind",
							       "rejected", "message", e.msg));
	}
	/* the team first: whoever sees "ready" finds every contact person (and photo) in place */
	if (result)
		add_persons(app, src, json_object_get(result, "contact_persons"));
	char *text = json_dumps(config, JSON_COMPACT);
	if (text && b.name) {
		free(b.config);
		b.config = text;
		text = NULL;
		b.updated_at = clock_now_ms(&app->clock);
		/* the logo as the bot's own image (then its URL is ours); else the config as it is */
		const char *logo = json_str(json_object_get(result, "branding"), "logo_url", NULL);
		struct store_image_in img;
		char id[STORE_ID_MAX], url[512];
		unsigned char *bytes = NULL;
		bool stored = false;
		if (logo && !json_str(json_object_get(config, "branding"), "logo_url", NULL) &&
		    fetch_image(app, logo, "logo", &img, id, &bytes) == 0 && api_media_url(app, id, url, sizeof url) == 0) {
			json_object_set_new(json_object_get(config, "branding"), "logo_url", json_string(url));
			char *with_logo = json_dumps(config, JSON_COMPACT);
			if (with_logo) {
				free(b.config);
				b.config = with_logo;
				stored = store_bot_update(app->store, &b) == STORE_OK &&
					 store_bot_logo_set(app->store, b.tenant_id, b.id, &img, b.config, b.updated_at) == STORE_OK;
			}
		}
		free(bytes);
		if (!stored && store_bot_update(app->store, &b) != STORE_OK)
			log_msg(&app->log, LOG_WARN, "ingest", "bot %s: the site's profile could not be stored", b.id);
	}
	free(text);
	json_decref(result);
	json_decref(config);
	store_bot_clear(&b);
}

const struct route api_from_site_routes[] = {
	{"POST", "/api/v1/bots/from-website", from_website, AUTH_KEY, 0, from_site_fields, false},
};
const size_t api_from_site_routes_count = sizeof api_from_site_routes / sizeof api_from_site_routes[0];
