/*
 * api_persons.c — a bot's contact persons and images (API key), the public media URL of those images, and
 * the visitor's contact request (public, with consent).
 *
 * Images arrive as the raw request body (Content-Type image/png or image/jpeg, at most IMAGE_BODY_CAP) and
 * are judged by their bytes (http/image.h): the declared type must be what the content is, and both sides
 * 16..4096 pixels. They are stored as sent and served from GET /media/{id}, an unguessable, immutable URL.
 *
 * Contact persons are the business's staff as it publishes them in the chat: stored in clear. What a
 * visitor leaves in a contact request (name, email, phone, message) is sealed under the conversation's
 * contact key (privacy/keys.h) before it reaches the store, like the email of a lead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/api.h"
#include "api/bot_json.h"
#include "conv/topics.h"
#include "http/image.h"
#include "privacy/keys.h"

#define IMAGE_BODY_CAP (2u * 1024 * 1024)
#define IMAGE_MIN_SIDE 16
#define IMAGE_MAX_SIDE 4096
#define REQUEST_MESSAGE_MAX 1000

/* ---- URLs ------------------------------------------------------------------------------------------- */

int api_media_url(struct app *app, const char *image_id, char *out, size_t outlen)
{
	const char *pub = app->settings.public_url;
	const char *host = app->settings.listen_host;
	int n;
	if (pub && *pub) {
		size_t len = strlen(pub);
		while (len > 0 && pub[len - 1] == '/')
			len--;
		n = snprintf(out, outlen, "%.*s/media/%s", (int)len, pub, image_id);
	} else if (*host && strcmp(host, "0.0.0.0") && strcmp(host, "::") && strcmp(host, "[::]")) {
		/* the documented default of BOTWERK_PUBLIC_URL: http://LISTEN (the real port when it was 0) */
		int port = app->http ? http_port(app->http) : app->settings.listen_port;
		bool v6 = strchr(host, ':') && host[0] != '[';
		n = snprintf(out, outlen, "http://%s%s%s:%d/media/%s", v6 ? "[" : "", host, v6 ? "]" : "", port, image_id);
	} else {
		n = snprintf(out, outlen, "/media/%s", image_id);
	}
	return n > 0 && (size_t)n < outlen ? 0 : -1;
}

static json_t *media_url_json(struct app *app, const char *image_id)
{
	char url[2048 + 64];
	if (!image_id || !*image_id || api_media_url(app, image_id, url, sizeof url) != 0)
		return json_null();
	return json_string(url);
}

/* ---- images ----------------------------------------------------------------------------------------- */

/* Checks the request body as an image of `kind` and fills *img (pointing into the request and `id`);
 * answers 415 / 422 itself and returns -1 then. */
static int read_image(struct req *r, const char *kind, int64_t now, char id[STORE_ID_MAX], struct store_image_in *img)
{
	enum image_type declared = image_type_of_mime(req_header(r, "Content-Type"));
	if (declared == IMAGE_UNKNOWN)
		return resp_errorf(r, ERR_UNSUPPORTED_MEDIA_TYPE, NULL,
				   "send the image itself as the body, with Content-Type: image/png or image/jpeg");
	if (r->body_len == 0)
		return resp_errorf(r, ERR_VALIDATION, "body", "the body is empty: send the PNG or JPEG file itself");
	struct image_info info;
	const char *why = "";
	int rc = image_probe((const unsigned char *)r->body, r->body_len, &info, &why);
	if (rc == IMAGE_NOT_IMAGE)
		return resp_errorf(r, ERR_UNSUPPORTED_MEDIA_TYPE, NULL,
				   "the body is not a PNG or JPEG image (judged by its content); only those are accepted");
	if (info.type != declared)
		return resp_errorf(r, ERR_UNSUPPORTED_MEDIA_TYPE, NULL, "the body is a %s image but was sent as %s",
				   info.type == IMAGE_PNG ? "PNG" : "JPEG", image_mime(declared));
	if (rc != IMAGE_OK)
		return resp_errorf(r, ERR_VALIDATION, "body", "%s", why);
	if (info.width < IMAGE_MIN_SIDE || info.height < IMAGE_MIN_SIDE || info.width > IMAGE_MAX_SIDE ||
	    info.height > IMAGE_MAX_SIDE)
		return resp_errorf(r, ERR_VALIDATION, "body",
				   "the image must be %d to %d pixels wide and high; this one is %ux%u", IMAGE_MIN_SIDE,
				   IMAGE_MAX_SIDE, (unsigned)info.width, (unsigned)info.height);
	crypto_random_id("img", id, STORE_ID_MAX);
	*img = (struct store_image_in){
		.id = id,
		.kind = kind,
		.content_type = image_mime(info.type),
		.width = (int)info.width,
		.height = (int)info.height,
		.bytes = (const unsigned char *)r->body,
		.len = r->body_len,
		.now = now,
	};
	return 0;
}

/* GET /media/{id}: public, cacheable for good (a new upload gets a new id). */
static int media_get(struct req *r)
{
	struct store_image im;
	const char *id = req_param(r, 0);
	if (!crypto_id_valid("img", id))
		return resp_errorf(r, ERR_NOT_FOUND, NULL, "image not found");
	int rc = store_image_get(app_of(r)->store, id, &im);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_NOT_FOUND, "image");
	resp_header(r, "Cache-Control", "public, max-age=31536000, immutable");
	resp_header(r, "Content-Security-Policy", "default-src 'none'; sandbox");
	rc = resp_bytes(r, 200, im.content_type, (const char *)im.bytes, im.len);
	store_image_clear(&im);
	return rc;
}

/* Sets a string member of the object `key` inside `config`, creating the object when missing. */
static int set_in(json_t *config, const char *key, const char *member, const char *value)
{
	json_t *o = json_object_get(config, key);
	if (!json_is_object(o)) {
		o = json_object();
		if (!o || json_object_set_new(config, key, o) != 0)
			return -1;
	}
	return json_object_set_new(o, member, json_string(value));
}

/* PUT /api/v1/bots/{id}/logo */
static int logo_put(struct req *r)
{
	struct app *app = app_of(r);
	struct store_bot b;
	struct store_image_in img;
	char id[STORE_ID_MAX], url[2048 + 64];
	char *text = NULL;
	json_t *config = NULL;
	int rc = store_bot_get(app->store, r->tenant_id, req_param(r, 0), &b);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_BOT_NOT_FOUND, "bot");
	int64_t now = clock_now_ms(&app->clock);
	if (read_image(r, "logo", now, id, &img) != 0) {
		rc = -1;
		goto out;
	}
	config = bot_config_parse(&b);
	if (!config || api_media_url(app, id, url, sizeof url) != 0 || set_in(config, "branding", "logo_url", url) != 0 ||
	    set_in(config, "company", "logo_url", url) != 0 || !(text = json_dumps(config, JSON_COMPACT))) {
		rc = resp_errorf(r, ERR_INTERNAL, NULL, "the bot's configuration could not be updated");
		goto out;
	}
	int src = store_bot_logo_set(app->store, r->tenant_id, b.id, &img, text, now);
	if (src != STORE_OK) {
		rc = api_store_error(r, src, ERR_BOT_NOT_FOUND, "bot");
		goto out;
	}
	b.updated_at = now;
	rc = resp_json(r, 200, bot_to_json(&b, config));
out:
	free(text);
	json_decref(config);
	store_bot_clear(&b);
	return rc;
}

/* ---- contact persons -------------------------------------------------------------------------------- */

static const struct json_field person_fields[] = {
	{"name", JF_STRING, true, false, 1, 120, NULL, NULL, NULL, NULL},
	{"position", JF_STRING, false, true, 0, 120, NULL, NULL, NULL, NULL},
	{"email", JF_STRING, false, true, 0, 254, NULL, json_check_email, "an email address", NULL},
	{"phone", JF_STRING, false, true, 0, 0, NULL, json_check_e164, "a phone number in E.164 form, like +4940123456",
	 NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

static const struct json_field order_fields[] = {
	{"ids", JF_STRING_ARRAY, true, false, 1, 64, NULL, NULL, NULL, NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

static bool has_text(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return true;
	return false;
}

static json_t *person_json(struct app *app, const struct store_person *p, bool with_order)
{
	json_t *o = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:o}", "id", p->id, "name", p->name, "position",
			      p->position, "email", p->email, "phone", p->phone, "photo_url",
			      media_url_json(app, p->photo_image_id));
	if (o && with_order)
		json_object_set_new(o, "order", json_integer(p->ord));
	return o;
}

/* The caller's bot named in the path exists (404 otherwise, answered). */
static int check_bot(struct req *r)
{
	struct store_bot b;
	int rc = store_bot_get(app_of(r)->store, r->tenant_id, req_param(r, 0), &b);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_BOT_NOT_FOUND, "bot");
	store_bot_clear(&b);
	return 0;
}

/* Answers with the person param 1 of bot param 0, as stored now. */
static int reply_person(struct req *r, int status, const char *person_id)
{
	struct app *app = app_of(r);
	struct store_person p;
	int rc = store_person_get(app->store, r->tenant_id, req_param(r, 0), person_id, &p);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_NOT_FOUND, "contact person");
	rc = resp_json(r, status, person_json(app, &p, true));
	store_person_clear(&p);
	return rc;
}

/* An optional string field: its value, NULL for null or "" (cleared), or `keep` when absent. */
static const char *opt_field(const json_t *body, const char *key, const char *keep)
{
	json_t *v = json_object_get(body, key);
	if (!v)
		return keep;
	const char *s = json_string_value(v);
	return s && *s ? s : NULL;
}

/* POST /api/v1/bots/{id}/contact-persons */
static int person_create(struct req *r)
{
	struct app *app = app_of(r);
	const char *name = json_str(r->json, "name", "");
	if (!has_text(name))
		return resp_errorf(r, ERR_VALIDATION, "name", "name must not be blank");
	struct store_person p = {
		.name = (char *)(uintptr_t)name,
		.position = (char *)(uintptr_t)opt_field(r->json, "position", NULL),
		.email = (char *)(uintptr_t)opt_field(r->json, "email", NULL),
		.phone = (char *)(uintptr_t)opt_field(r->json, "phone", NULL),
	};
	crypto_random_id("cp", p.id, sizeof p.id);
	snprintf(p.bot_id, sizeof p.bot_id, "%s", req_param(r, 0));
	p.created_at = p.updated_at = clock_now_ms(&app->clock);
	int rc = store_person_create(app->store, r->tenant_id, &p, STORE_PERSONS_MAX);
	if (rc == STORE_CONFLICT)
		return resp_errorf(r, ERR_CONFLICT, NULL,
				   "this bot already has %d contact persons, the most it can have; delete one first",
				   STORE_PERSONS_MAX);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_BOT_NOT_FOUND, "bot");
	return reply_person(r, 201, p.id);
}

/* GET /api/v1/bots/{id}/contact-persons */
static int person_list(struct req *r)
{
	struct app *app = app_of(r);
	struct store_person rows[STORE_PERSONS_MAX * 2];
	int n = 0;
	int rc = store_person_list(app->store, r->tenant_id, req_param(r, 0), rows, STORE_PERSONS_MAX * 2, &n);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_BOT_NOT_FOUND, "bot");
	json_t *items = json_array();
	for (int i = 0; i < n; i++) {
		if (items)
			json_array_append_new(items, person_json(app, &rows[i], true));
		store_person_clear(&rows[i]);
	}
	return resp_json(r, 200, items ? json_pack("{s:o}", "items", items) : NULL);
}

/* GET /api/v1/bots/{id}/contact-persons/{pid} */
static int person_show(struct req *r)
{
	if (check_bot(r) != 0)
		return -1;
	return reply_person(r, 200, req_param(r, 1));
}

/* PATCH /api/v1/bots/{id}/contact-persons/{pid}: the given fields change (null clears the optional ones). */
static int person_patch(struct req *r)
{
	struct app *app = app_of(r);
	struct store_person p;
	if (check_bot(r) != 0)
		return -1;
	int rc = store_person_get(app->store, r->tenant_id, req_param(r, 0), req_param(r, 1), &p);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_NOT_FOUND, "contact person");
	const char *name = json_str(r->json, "name", p.name);
	if (!has_text(name)) {
		store_person_clear(&p);
		return resp_errorf(r, ERR_VALIDATION, "name", "name must not be blank");
	}
	struct store_person u = p; /* same id, bot and photo; strings point into p or the request */
	u.name = (char *)(uintptr_t)name;
	u.position = (char *)(uintptr_t)opt_field(r->json, "position", p.position);
	u.email = (char *)(uintptr_t)opt_field(r->json, "email", p.email);
	u.phone = (char *)(uintptr_t)opt_field(r->json, "phone", p.phone);
	u.updated_at = clock_now_ms(&app->clock);
	rc = store_person_update(app->store, r->tenant_id, &u);
	store_person_clear(&p);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_NOT_FOUND, "contact person");
	return reply_person(r, 200, req_param(r, 1));
}

/* DELETE /api/v1/bots/{id}/contact-persons/{pid} */
static int person_delete(struct req *r)
{
	if (check_bot(r) != 0)
		return -1;
	int rc = store_person_delete(app_of(r)->store, r->tenant_id, req_param(r, 0), req_param(r, 1));
	return rc == STORE_OK ? resp_empty(r, 204) : api_store_error(r, rc, ERR_NOT_FOUND, "contact person");
}

/* PUT /api/v1/bots/{id}/contact-persons/order {"ids":[…]}: exactly the bot's persons, in the new order. */
static int person_order(struct req *r)
{
	struct app *app = app_of(r);
	json_t *ids = json_object_get(r->json, "ids");
	const char *list[JSON_ARRAY_MAX];
	size_t n = json_array_size(ids);
	for (size_t i = 0; i < n && i < JSON_ARRAY_MAX; i++)
		list[i] = json_string_value(json_array_get(ids, i));
	int rc = store_person_reorder(app->store, r->tenant_id, req_param(r, 0), list, (int)n, clock_now_ms(&app->clock));
	if (rc == STORE_CONFLICT)
		return resp_errorf(r, ERR_VALIDATION, "ids",
				   "ids must name each of the bot's contact persons exactly once, in the new order");
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_BOT_NOT_FOUND, "bot");
	return person_list(r);
}

/* PUT /api/v1/bots/{id}/contact-persons/{pid}/photo */
static int person_photo(struct req *r)
{
	struct app *app = app_of(r);
	struct store_image_in img;
	char id[STORE_ID_MAX];
	if (check_bot(r) != 0)
		return -1;
	if (read_image(r, "photo", clock_now_ms(&app->clock), id, &img) != 0)
		return -1;
	int rc = store_person_photo_set(app->store, r->tenant_id, req_param(r, 0), req_param(r, 1), &img);
	if (rc != STORE_OK)
		return api_store_error(r, rc, ERR_NOT_FOUND, "contact person");
	return reply_person(r, 200, req_param(r, 1));
}

json_t *api_contact_modal(struct app *app, const char *tenant_id, const char *bot_id, const char *title,
			  const char *trigger)
{
	struct store_person rows[STORE_PERSONS_MAX * 2];
	int n = 0;
	if (store_person_list(app->store, tenant_id, bot_id, rows, STORE_PERSONS_MAX * 2, &n) != STORE_OK || n == 0)
		return NULL;
	json_t *persons = json_array();
	for (int i = 0; i < n; i++) {
		if (persons)
			json_array_append_new(persons, person_json(app, &rows[i], false));
		store_person_clear(&rows[i]);
	}
	return persons ? json_pack("{s:s, s:s, s:o}", "title", title, "trigger", trigger, "persons", persons) : NULL;
}

/* ---- contact requests (public) ---------------------------------------------------------------------- */

static const struct json_field request_fields[] = {
	{"conversation_id", JF_STRING, true, false, 1, 64, NULL, NULL, NULL, NULL},
	{"contact_person_id", JF_STRING, false, true, 1, 64, NULL, NULL, NULL, NULL},
	{"name", JF_STRING, false, true, 0, 120, NULL, NULL, NULL, NULL},
	{"email", JF_STRING, false, true, 0, 256, NULL, NULL, NULL, NULL}, /* checked by seal_normalize_email */
	{"phone", JF_STRING, false, true, 0, 40, NULL, NULL, NULL, NULL},  /* checked by seal_normalize_phone */
	{"message", JF_STRING, false, true, 0, REQUEST_MESSAGE_MAX, NULL, NULL, NULL, NULL},
	{"consent", JF_BOOL, false, false, 0, 0, NULL, NULL, NULL, NULL},
	{"consent_text_version", JF_STRING, false, false, 1, 40, NULL, json_check_token,
	 "1-40 characters of A-Z a-z 0-9 - _", NULL},
	{NULL, 0, false, false, 0, 0, NULL, NULL, NULL, NULL},
};

/* A given, non-blank optional string of the request, else NULL. */
static const char *given(const json_t *body, const char *key)
{
	const char *s = json_str(body, key, NULL);
	return has_text(s) ? s : NULL;
}

static void free_secret(char *s)
{
	if (s) {
		sodium_memzero(s, strlen(s));
		free(s);
	}
}

/* POST /api/v1/public/bot/{id}/contact-requests */
static int contact_request(struct req *r)
{
	struct app *app = app_of(r);
	struct store_bot b;
	json_t *config;
	char *wrapped = NULL, *s_name = NULL, *s_email = NULL, *s_phone = NULL, *s_msg = NULL, *context = NULL;
	unsigned char ckey[SEAL_KEY_BYTES], ikey[SEAL_KEY_BYTES];
	char email[SEAL_EMAIL_MAX + 1] = "", phone[SEAL_PHONE_MAX + 1] = "";
	char ebidx[SEAL_INDEX_HEX], pbidx[SEAL_INDEX_HEX];
	int rc;

	if (api_public_bot(r, &b, &config) != 0)
		return -1;
	const char *name = given(r->json, "name"), *email_in = given(r->json, "email");
	const char *phone_in = given(r->json, "phone"), *message = given(r->json, "message");
	const char *person = json_str(r->json, "contact_person_id", NULL);
	const char *conv = json_str(r->json, "conversation_id", "");
	if ((name || email_in || phone_in || message) && !json_bool(r->json, "consent", false)) {
		rc = resp_errorf(r, ERR_VALIDATION, "consent",
				 "consent must be true: the visitor has to agree before their contact details are stored");
		goto out;
	}
	if (email_in && seal_normalize_email(email_in, email, sizeof email) != 0) {
		rc = resp_errorf(r, ERR_VALIDATION, "email", "email must be an address like name@example.de");
		goto out;
	}
	if (phone_in && seal_normalize_phone(phone_in, phone, sizeof phone) != 0) {
		rc = resp_errorf(r, ERR_VALIDATION, "phone",
				 "phone must be an international number like +49 40 123456");
		goto out;
	}
	if (person) {
		struct store_person p;
		int prc = crypto_id_valid("cp", person) ? store_person_get(app->store, b.tenant_id, b.id, person, &p)
							: STORE_NOTFOUND;
		if (prc == STORE_OK)
			store_person_clear(&p);
		if (prc != STORE_OK) {
			rc = prc == STORE_NOTFOUND ? resp_errorf(r, ERR_VALIDATION, "contact_person_id",
								 "contact_person_id must name one of this bot's contact persons")
						   : api_store_error(r, prc, ERR_BOT_NOT_FOUND, "contact person");
			goto out;
		}
	}
	char contact_id[STORE_ID_MAX];
	int messages = 0, prompts = 0;
	int src = crypto_id_valid("conv", conv)
			  ? store_conversation_contact(app->store, b.tenant_id, b.id, conv, contact_id, &wrapped)
			  : STORE_NOTFOUND;
	if (src == STORE_OK)
		src = keyring_contact_key(app->keyring, app->store, b.tenant_id, contact_id, wrapped, ckey);
	if (src == STORE_OK)
		src = keyring_index_key(app->keyring, app->store, b.tenant_id, ikey);
	if (src == STORE_OK)
		src = store_conversation_state(app->store, b.tenant_id, conv, &messages, &prompts);
	struct topics topics;
	char trigger[64];
	if (src == STORE_OK)
		src = api_conversation_topics(app, b.tenant_id, conv, contact_id, ckey, config, "show_contact_modal",
					      &topics, trigger, sizeof trigger);
	if (src != STORE_OK) {
		rc = src == STORE_NOTFOUND ? resp_errorf(r, ERR_VALIDATION, "conversation_id",
							 "conversation_id must name a conversation with this bot")
					   : api_store_error(r, src, ERR_BOT_NOT_FOUND, "conversation");
		goto out;
	}
	char lead_id[STORE_ID_MAX], consent_id[STORE_ID_MAX], got[STORE_ID_MAX], field[STORE_ID_MAX + 16];
	int64_t now = clock_now_ms(&app->clock);
	crypto_time_id("lead", now, lead_id, sizeof lead_id);
	crypto_time_id("cons", now, consent_id, sizeof consent_id);
	snprintf(field, sizeof field, "request:%s", lead_id);
	if (*email)
		seal_blind_index(ikey, SEAL_KIND_EMAIL, email, ebidx);
	if (*phone)
		seal_blind_index(ikey, SEAL_KIND_PHONE, phone, pbidx);
	json_t *ctx = json_pack("{s:s?, s:i, s:b}", "contact_person_id", person, "message_count", messages, "message",
				message != NULL);
	context = ctx && api_context_topics(ctx, &topics, trigger) == 0 ? json_dumps(ctx, JSON_COMPACT) : NULL;
	json_decref(ctx);
	if (!context || (name && privacy_seal(ckey, b.tenant_id, contact_id, "name", name, &s_name) != 0) ||
	    (*email && privacy_seal(ckey, b.tenant_id, contact_id, "email", email, &s_email) != 0) ||
	    (*phone && privacy_seal(ckey, b.tenant_id, contact_id, "phone", phone, &s_phone) != 0) ||
	    (message && privacy_seal(ckey, b.tenant_id, contact_id, field, message, &s_msg) != 0)) {
		rc = resp_errorf(r, ERR_INTERNAL, NULL, "out of memory");
		goto out;
	}
	const json_t *capture = json_object_get(json_object_get(config, "features"), "email_capture");
	struct store_contact_request cr = {
		.tenant_id = b.tenant_id,
		.bot_id = b.id,
		.conversation_id = conv,
		.person_id = person,
		.name_sealed = s_name,
		.email_sealed = s_email,
		.email_bidx = *email ? ebidx : NULL,
		.phone_sealed = s_phone,
		.phone_bidx = *phone ? pbidx : NULL,
		.message_sealed = s_msg,
		.lead_id = lead_id,
		.consent_id = json_bool(r->json, "consent", false) ? consent_id : NULL,
		.consent_text_version =
			json_str(r->json, "consent_text_version", json_str(capture, "consent_text_version", "v1")),
		.channel = "web",
		.context = context,
		/* asking to be contacted is a strong sign of interest: base 4 (an email left in the chat: 2) */
		.interest = topics_interest(4, messages, topics_buying(&topics)),
		.now = now,
	};
	bool created = false;
	src = store_contact_request(app->store, &cr, got, &created);
	if (src == STORE_NOTFOUND)
		rc = resp_errorf(r, ERR_VALIDATION, "conversation_id",
				 "conversation_id must name a conversation with this bot");
	else if (src != STORE_OK)
		rc = api_store_error(r, src, ERR_BOT_NOT_FOUND, "conversation");
	else
		rc = resp_json(r, created ? 201 : 200, json_pack("{s:s, s:b}", "lead_id", got, "created", created));
out:
	sodium_memzero(ckey, sizeof ckey);
	sodium_memzero(ikey, sizeof ikey);
	sodium_memzero(email, sizeof email);
	sodium_memzero(phone, sizeof phone);
	free(wrapped);
	free(s_name);
	free(s_email);
	free(s_phone);
	free(s_msg);
	free_secret(context);
	json_decref(config);
	store_bot_clear(&b);
	return rc;
}

const struct route api_persons_routes[] = {
	{"PUT", "/api/v1/bots/{id}/logo", logo_put, AUTH_KEY, IMAGE_BODY_CAP, NULL, false},
	/* public like the widget that shows them: rate limited per client, no key, unguessable ids */
	{"GET", "/media/{id}", media_get, AUTH_PUBLIC, 0, NULL, false},
	{"POST", "/api/v1/bots/{id}/contact-persons", person_create, AUTH_KEY, 0, person_fields, false},
	{"GET", "/api/v1/bots/{id}/contact-persons", person_list, AUTH_KEY, 0, NULL, false},
	/* before …/{pid}: the first matching row wins */
	{"PUT", "/api/v1/bots/{id}/contact-persons/order", person_order, AUTH_KEY, 0, order_fields, false},
	{"GET", "/api/v1/bots/{id}/contact-persons/{pid}", person_show, AUTH_KEY, 0, NULL, false},
	{"PATCH", "/api/v1/bots/{id}/contact-persons/{pid}", person_patch, AUTH_KEY, 0, person_fields, true},
	{"DELETE", "/api/v1/bots/{id}/contact-persons/{pid}", person_delete, AUTH_KEY, 0, NULL, false},
	{"PUT", "/api/v1/bots/{id}/contact-persons/{pid}/photo", person_photo, AUTH_KEY, IMAGE_BODY_CAP, NULL, false},
	{"POST", "/api/v1/public/bot/{id}/contact-requests", contact_request, AUTH_PUBLIC, 8192, request_fields, false},
};
const size_t api_persons_routes_count = sizeof api_persons_routes / sizeof api_persons_routes[0];
