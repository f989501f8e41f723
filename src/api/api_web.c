/*
 * api_web.c — what browsers load from botwerk: the chat page of a bot (`GET /bot/{id}`), its
 * iframe-friendly variant (`GET /bot/{id}/embed`), and the embedded assets (`GET /widget.js`,
 * `GET /page.css`).
 *
 * Pages are rendered from web/page.html with the bot's name, language, theme, colour and logo in the
 * head; the chat in them is the widget in inline mode. Every page carries a strict Content-Security-
 * Policy (scripts and styles only from botwerk, plus a per-response nonce), no referrer (the URL may
 * hold the bot's token), and frame-ancestors: none for the full page, the bot's allowed origins (or
 * any, when it lists none) for the embed page. A bot with an access token needs ?token= on both.
 * Failures are small HTML pages in the bot's language, with the status the API would use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/bot_json.h"
#include "base/html.h"
#include "http/assets.h"

enum page_kind { PAGE_FULL, PAGE_EMBED };

/* The HTML-safe text of an embedded template (assets are NUL-terminated by the generator). */
static const char *template_text(const char *name)
{
	const struct asset *a = asset_find(name);
	return a ? (const char *)a->data : NULL;
}

static int send_html(struct req *r, int status, char *html)
{
	if (!html)
		return resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
	int rc = resp_bytes(r, status, "text/html; charset=utf-8", html, strlen(html));
	free(html);
	return rc;
}

static void version_of(const char *name, char out[17])
{
	const struct asset *a = asset_find(name);
	if (a)
		asset_version(a, out);
	else
		out[0] = '\0';
}

static int error_page(struct req *r, enum err_code code, bool en)
{
	const char *title, *msg;
	switch (code) {
	case ERR_TOKEN_REQUIRED:
	case ERR_TOKEN_INVALID:
		title = en ? "Access denied" : "Kein Zugriff";
		msg = en ? "This chat can only be opened with its complete link. Please ask the business for it."
			 : "Dieser Chat lässt sich nur über den vollständigen Link öffnen. Bitte fragen Sie das Unternehmen danach.";
		break;
	case ERR_BOT_NOT_FOUND:
	case ERR_BOT_INACTIVE:
		title = en ? "Chat not available" : "Chat nicht verfügbar";
		msg = en ? "This chat does not exist or is not available at the moment."
			 : "Diesen Chat gibt es nicht, oder er ist gerade nicht verfügbar.";
		break;
	default:
		title = en ? "Something went wrong" : "Etwas ist schiefgelaufen";
		msg = en ? "The chat could not be loaded. Please try again in a moment."
			 : "Der Chat konnte nicht geladen werden. Bitte versuchen Sie es gleich noch einmal.";
		break;
	}
	char css[17];
	version_of("page.css", css);
	const struct html_var vars[] = {
		{"lang", en ? "en" : "de"}, {"title", title}, {"message", msg}, {"css_version", css},
	};
	const char *tmpl = template_text("error.html");
	char *html = tmpl ? html_render(tmpl, vars, sizeof vars / sizeof vars[0]) : NULL;
	r->err_code = err_code_name(code);
	resp_header(r, "Content-Security-Policy",
		    "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
	resp_header(r, "Referrer-Policy", "no-referrer");
	return send_html(r, err_http_status(code), html);
}

/* frame-ancestors for an embed page: the bot's allowed origins, or any when it lists none. */
static char *embed_ancestors(json_t *config)
{
	json_t *origins = json_object_get(json_object_get(config, "access"), "allowed_origins");
	if (json_array_size(origins) == 0)
		return strdup("*");
	size_t n = strlen("'self'") + 1, i;
	json_t *o;
	json_array_foreach(origins, i, o) n += json_string_length(o) + 1;
	char *s = malloc(n);
	if (!s)
		return NULL;
	strcpy(s, "'self'");
	json_array_foreach(origins, i, o)
	{
		strcat(s, " ");
		strcat(s, json_string_value(o)); /* validated: origin characters only */
	}
	return s;
}

static int bot_page(struct req *r, enum page_kind kind)
{
	struct app *app = app_of(r);
	struct store_bot b = {0};
	json_t *config = NULL;
	char *ancestors = NULL, *csp = NULL;
	bool en = false;
	int rc;

	const char *id = req_param(r, 0);
	int src = crypto_id_valid("bot", id) ? store_bot_get_public(app->store, id, &b) : STORE_NOTFOUND;
	if (src != STORE_OK) {
		rc = src == STORE_NOTFOUND ? error_page(r, ERR_BOT_NOT_FOUND, false) : error_page(r, ERR_INTERNAL, false);
		goto out;
	}
	config = bot_config_parse(&b);
	if (!config) {
		rc = error_page(r, ERR_INTERNAL, false);
		goto out;
	}
	en = !strcmp(json_str(config, "language", "de"), "en");
	if (!b.active) {
		rc = error_page(r, ERR_BOT_INACTIVE, en);
		goto out;
	}
	enum err_code access = api_public_access(r, config);
	if (access != ERR_OK) {
		rc = error_page(r, access, en);
		goto out;
	}

	json_t *branding = json_object_get(config, "branding");
	char nonce[33], widget_v[17], css_v[17];
	crypto_random_hex(nonce, 32);
	version_of("widget.js", widget_v);
	version_of("page.css", css_v);
	const char *token = json_str(json_object_get(config, "access"), "token", NULL);
	const struct html_var vars[] = {
		{"lang", en ? "en" : "de"},
		{"title", b.name},
		{"description", json_str(config, "description", "")},
		{"theme", json_str(branding, "theme", "light")},
		{"primary", json_str(branding, "primary_color", "#0f766e")},
		{"icon", json_str(branding, "logo_url", NULL) ? json_str(branding, "logo_url", NULL) : "data:,"},
		{"kind", kind == PAGE_EMBED ? "embed" : "page"},
		{"bot_id", b.id},
		{"token", token},
		{"nonce", nonce},
		{"widget_version", widget_v},
		{"css_version", css_v},
		{"noscript", en ? "This chat needs JavaScript." : "Für diesen Chat wird JavaScript benötigt."},
	};
	const char *tmpl = template_text("page.html");
	char *html = tmpl ? html_render(tmpl, vars, sizeof vars / sizeof vars[0]) : NULL;

	ancestors = kind == PAGE_EMBED ? embed_ancestors(config) : strdup("'none'");
	if (ancestors && asprintf(&csp,
				  "default-src 'none'; script-src 'self' 'nonce-%s'; style-src 'self' 'nonce-%s'; "
				  "img-src 'self' https: http: data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
				  "frame-ancestors %s",
				  nonce, nonce, ancestors) < 0)
		csp = NULL;
	if (!csp) {
		free(html);
		rc = resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	resp_header(r, "Content-Security-Policy", csp);
	resp_header(r, "Referrer-Policy", "no-referrer");
	if (kind == PAGE_FULL)
		resp_header(r, "X-Frame-Options", "DENY");
	rc = send_html(r, 200, html);
out:
	free(ancestors);
	free(csp);
	json_decref(config);
	store_bot_clear(&b);
	return rc;
}

static int page_full(struct req *r)
{
	return bot_page(r, PAGE_FULL);
}

static int page_embed(struct req *r)
{
	return bot_page(r, PAGE_EMBED);
}

/* A static asset; `?v=` equal to its version makes the answer cacheable for a year. */
static int serve_asset(struct req *r, const char *name)
{
	const struct asset *a = asset_find(name);
	if (!a)
		return resp_errorf(r, ERR_NOT_FOUND, NULL, "%s is not built into this binary", name);
	char v[17];
	asset_version(a, v);
	const char *want = req_query(r, "v");
	return resp_asset(r, a, want && !strcmp(want, v));
}

static int widget_js(struct req *r)
{
	resp_header(r, "Access-Control-Allow-Origin", "*");
	return serve_asset(r, "widget.js");
}

static int page_css(struct req *r)
{
	return serve_asset(r, "page.css");
}

const struct route api_web_routes[] = {
	{"GET", "/bot/{id}", page_full, AUTH_PUBLIC, 0, NULL, false},
	{"GET", "/bot/{id}/embed", page_embed, AUTH_PUBLIC, 0, NULL, false},
	{"GET", "/widget.js", widget_js, AUTH_NONE, 0, NULL, false},
	{"GET", "/page.css", page_css, AUTH_NONE, 0, NULL, false},
};
const size_t api_web_routes_count = sizeof api_web_routes / sizeof api_web_routes[0];
