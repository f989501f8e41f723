/*
 * inbound.c — Cloud API webhook envelopes and Twilio form posts → struct wa_event (see inbound.h).
 *
 * The Cloud API body is parsed with jansson in two passes: the first counts the messages and statuses
 * of every "messages" change (so the cap is checked and the event array allocated once), the second
 * fills the events. Twilio bodies are decoded by hand; each parameter gets one allocation holding its
 * name and value.
 */
#include "channels/inbound.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/text.h"

/*------------------------------------------------------------------------------------------------------
 * Checked copies shared by both providers
 */

/* Ids: 1..WA_ID_MAX bytes of printable ASCII (space included). */
static bool id_valid(const char *s, size_t len)
{
	if (!s || len == 0 || len > WA_ID_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

static bool copy_id(char dst[WA_ID_MAX + 1], const char *s, size_t len)
{
	if (!id_valid(s, len))
		return false;
	memcpy(dst, s, len);
	dst[len] = '\0';
	return true;
}

/* "+" and 1..15 digits from digits with an optional leading '+'. dst is left "" when invalid. */
static bool copy_e164(char dst[WA_E164_MAX], const char *s, size_t len)
{
	dst[0] = '\0';
	if (!s)
		return false;
	if (len > 0 && s[0] == '+') {
		s++;
		len--;
	}
	if (len == 0 || len > WA_E164_MAX - 2)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	dst[0] = '+';
	memcpy(dst + 1, s, len);
	dst[len + 1] = '\0';
	return true;
}

static bool utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		size_t k = utf8_decode(p + i, len - i, NULL);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}


/* Copies valid UTF-8 text into dst (dstsize ≥ 1), cut at a character so that it fits. */
static void copy_text(char *dst, size_t dstsize, const char *s, size_t len)
{
	size_t n = s ? utf8_prefix(s, len, dstsize - 1) : 0;
	if (n)
		memcpy(dst, s, n);
	dst[n] = '\0';
}

/* An owned copy of valid UTF-8 text, cut to WA_TEXT_MAX bytes; NULL when out of memory. */
static char *dup_text(const char *s, size_t len, bool *truncated)
{
	size_t n = utf8_prefix(s, len, WA_TEXT_MAX);
	char *t = malloc(n + 1);
	if (!t)
		return NULL;
	memcpy(t, s, n);
	t[n] = '\0';
	*truncated = n < len;
	return t;
}

/* A type name worth recording: 1..WA_TYPE_MAX-1 bytes of [a-z0-9_.-] (either case). */
static bool type_name_valid(const char *s, size_t len)
{
	if (!s || len == 0 || len >= WA_TYPE_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '.' || c == '-'))
			return false;
	}
	return true;
}

static void set_unsupported(struct wa_event *ev, const char *type, const char *sub)
{
	ev->type = WA_MSG_UNSUPPORTED;
	size_t tl = type ? strlen(type) : 0, sl = sub ? strlen(sub) : 0;
	if (!type_name_valid(type, tl)) {
		memcpy(ev->unsupported_type, "unknown", sizeof "unknown");
		return;
	}
	memcpy(ev->unsupported_type, type, tl);
	if (type_name_valid(sub, sl) && tl + 1 + sl < WA_TYPE_MAX) {
		ev->unsupported_type[tl++] = '.';
		memcpy(ev->unsupported_type + tl, sub, sl);
		tl += sl;
	}
	ev->unsupported_type[tl] = '\0';
}

/* Unix seconds from up to 12 ASCII digits; 0 when s is not that. */
static int64_t parse_seconds(const char *s, size_t len)
{
	if (!s || len == 0 || len > 12)
		return 0;
	int64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

void wa_event_clear(struct wa_event *ev)
{
	if (!ev)
		return;
	free(ev->text);
	memset(ev, 0, sizeof *ev);
}

const char *wa_status_name(enum wa_status s)
{
	switch (s) {
	case WA_STATUS_QUEUED:
		return "queued";
	case WA_STATUS_SENT:
		return "sent";
	case WA_STATUS_DELIVERED:
		return "delivered";
	case WA_STATUS_READ:
		return "read";
	case WA_STATUS_FAILED:
		return "failed";
	case WA_STATUS_UNDELIVERED:
		return "undelivered";
	case WA_STATUS_UNKNOWN:
		break;
	}
	return "unknown";
}

/*------------------------------------------------------------------------------------------------------
 * Cloud API webhook (api-contracts §1.4–1.6)
 */

/* A string member's bytes (jansson: valid UTF-8, no NUL), or NULL when absent or not a string. */
static const char *jstr(const json_t *obj, const char *key, size_t *len)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_string(v))
		return NULL;
	*len = json_string_length(v);
	return json_string_value(v);
}

static bool jcopy_id(char dst[WA_ID_MAX + 1], const json_t *obj, const char *key)
{
	size_t len = 0;
	const char *s = jstr(obj, key, &len);
	return s && copy_id(dst, s, len);
}

/* Timestamps travel as strings of seconds; a JSON integer is accepted too. */
static int64_t jtimestamp(const json_t *obj)
{
	json_t *v = json_object_get(obj, "timestamp");
	if (json_is_integer(v))
		return json_integer_value(v) > 0 ? (int64_t)json_integer_value(v) : 0;
	if (json_is_string(v))
		return parse_seconds(json_string_value(v), json_string_length(v));
	return 0;
}

/* What every event of one change shares. */
struct change_ctx {
	const json_t *contacts; /* value.contacts (array or NULL) */
	char phone_number_id[WA_ID_MAX + 1];
	char business_e164[WA_E164_MAX];
};

/* display_phone_number holds digits, sometimes with '+', spaces, dashes or parentheses. */
static void business_number(char dst[WA_E164_MAX], const char *s, size_t len)
{
	char digits[WA_E164_MAX];
	size_t n = 0;
	dst[0] = '\0';
	for (size_t i = 0; s && i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			if (n == WA_E164_MAX - 2)
				return;
			digits[n++] = s[i];
		} else if (!strchr("+ -()", s[i]) || (s[i] == '+' && i > 0)) {
			return;
		}
	}
	copy_e164(dst, digits, n);
}

/* The profile name for a sender: the contact with the same wa_id or user_id, else the only contact.
 * Only the first WA_EVENTS_MAX contacts are looked at, so a padded array cannot make this quadratic. */
static void profile_for(const struct change_ctx *cx, const char *wa_id, const char *user_id, char *dst,
			size_t dstsize)
{
	size_t n = json_array_size(cx->contacts), len = 0;
	if (n > WA_EVENTS_MAX)
		n = WA_EVENTS_MAX;
	const json_t *pick = NULL;
	for (size_t i = 0; i < n && !pick; i++) {
		const json_t *c = json_array_get(cx->contacts, i);
		const char *w = jstr(c, "wa_id", &len);
		const char *u = jstr(c, "user_id", &len);
		if ((wa_id && *wa_id && w && !strcmp(w, wa_id)) || (user_id && *user_id && u && !strcmp(u, user_id)))
			pick = c;
	}
	if (!pick && n == 1)
		pick = json_array_get(cx->contacts, 0);
	const char *name = jstr(json_object_get(pick, "profile"), "name", &len);
	copy_text(dst, dstsize, name, name ? len : 0);
}

/* A reply object {id, title}: false when the id is not valid. */
static bool reply_fields(struct wa_event *ev, const json_t *r, const char *id_key, const char *title_key)
{
	size_t len = 0;
	const char *title = jstr(r, title_key, &len);
	copy_text(ev->reply_title, sizeof ev->reply_title, title, title ? len : 0);
	return jcopy_id(ev->reply_id, r, id_key);
}

/* Fills ev from one messages[] element. Returns 0, 1 when the message must be skipped (no valid id or
 * sender), -1 when out of memory. */
static int parse_message(const json_t *m, const struct change_ctx *cx, struct wa_event *ev)
{
	size_t len = 0;
	ev->kind = WA_EVENT_MESSAGE;
	if (!json_is_object(m) || !jcopy_id(ev->provider_id, m, "id"))
		return 1;
	const char *from = jstr(m, "from", &len);
	if (from)
		copy_e164(ev->from_e164, from, len);
	jcopy_id(ev->user_id, m, "from_user_id");
	if (!ev->from_e164[0] && !ev->user_id[0])
		return 1;
	memcpy(ev->phone_number_id, cx->phone_number_id, sizeof ev->phone_number_id);
	memcpy(ev->business_e164, cx->business_e164, sizeof ev->business_e164);
	profile_for(cx, ev->from_e164[0] ? ev->from_e164 + 1 : NULL, ev->user_id, ev->profile_name,
		    sizeof ev->profile_name);
	ev->timestamp = jtimestamp(m);
	jcopy_id(ev->context_id, json_object_get(m, "context"), "id");

	const char *type = jstr(m, "type", &len);
	if (type && !strcmp(type, "text")) {
		const char *body = jstr(json_object_get(m, "text"), "body", &len);
		if (!body) {
			set_unsupported(ev, "text", NULL);
			return 0;
		}
		ev->type = WA_MSG_TEXT;
		ev->text = dup_text(body, len, &ev->text_truncated);
		return ev->text ? 0 : -1;
	}
	if (type && !strcmp(type, "interactive")) {
		const json_t *in = json_object_get(m, "interactive");
		const char *sub = jstr(in, "type", &len);
		if (sub && !strcmp(sub, "button_reply") &&
		    reply_fields(ev, json_object_get(in, "button_reply"), "id", "title"))
			ev->type = WA_MSG_BUTTON_REPLY;
		else if (sub && !strcmp(sub, "list_reply") &&
			 reply_fields(ev, json_object_get(in, "list_reply"), "id", "title"))
			ev->type = WA_MSG_LIST_REPLY;
		else {
			ev->reply_id[0] = ev->reply_title[0] = '\0';
			set_unsupported(ev, "interactive", sub);
		}
		return 0;
	}
	if (type && !strcmp(type, "button")) {
		const json_t *b = json_object_get(m, "button");
		bool has_id = reply_fields(ev, b, "payload", "text");
		if (has_id || ev->reply_title[0])
			ev->type = WA_MSG_BUTTON;
		else
			set_unsupported(ev, "button", NULL);
		return 0;
	}
	set_unsupported(ev, type, NULL);
	return 0;
}

static enum wa_status meta_status(const char *s)
{
	if (!s)
		return WA_STATUS_UNKNOWN;
	if (!strcmp(s, "sent"))
		return WA_STATUS_SENT;
	if (!strcmp(s, "delivered"))
		return WA_STATUS_DELIVERED;
	if (!strcmp(s, "read") || !strcmp(s, "played"))
		return WA_STATUS_READ;
	if (!strcmp(s, "failed"))
		return WA_STATUS_FAILED;
	return WA_STATUS_UNKNOWN;
}

/* Fills ev from one statuses[] element: 0, or 1 when it has no valid id. */
static int parse_status(const json_t *st, const struct change_ctx *cx, struct wa_event *ev)
{
	size_t len = 0;
	ev->kind = WA_EVENT_STATUS;
	if (!json_is_object(st) || !jcopy_id(ev->provider_id, st, "id"))
		return 1;
	const char *to = jstr(st, "recipient_id", &len);
	if (to)
		copy_e164(ev->from_e164, to, len);
	jcopy_id(ev->user_id, st, "recipient_user_id");
	memcpy(ev->phone_number_id, cx->phone_number_id, sizeof ev->phone_number_id);
	memcpy(ev->business_e164, cx->business_e164, sizeof ev->business_e164);
	ev->timestamp = jtimestamp(st);
	ev->status = meta_status(jstr(st, "status", &len));
	const char *cb = jstr(st, "biz_opaque_callback_data", &len);
	if (cb && len <= WA_CALLBACK_MAX)
		copy_text(ev->callback_data, sizeof ev->callback_data, cb, len);

	const json_t *e0 = json_array_get(json_object_get(st, "errors"), 0);
	json_t *code = json_object_get(e0, "code");
	if (json_is_integer(code) && json_integer_value(code) > 0 && json_integer_value(code) <= 2147483647)
		ev->error_code = (int)json_integer_value(code);
	const char *title = jstr(e0, "title", &len);
	copy_text(ev->error_title, sizeof ev->error_title, title, title ? len : 0);
	return 0;
}

/* The "value" of a change whose field is "messages", else NULL. */
static const json_t *messages_value(const json_t *change)
{
	size_t len = 0;
	const char *field = jstr(change, "field", &len);
	if (!field || strcmp(field, "messages") != 0)
		return NULL;
	const json_t *v = json_object_get(change, "value");
	return json_is_object(v) ? v : NULL;
}

/* Walks every messages change. With ev == NULL only counts elements into *count; otherwise fills ev
 * (room for `cap` events) and counts what was stored into *count. Returns 0, or -1 out of memory. */
static int walk(const json_t *entries, struct wa_event *ev, size_t cap, size_t *count, size_t *skipped)
{
	*count = 0;
	for (size_t i = 0; i < json_array_size(entries); i++) {
		const json_t *changes = json_object_get(json_array_get(entries, i), "changes");
		for (size_t j = 0; j < json_array_size(changes); j++) {
			const json_t *value = messages_value(json_array_get(changes, j));
			if (!value)
				continue;
			const json_t *msgs = json_object_get(value, "messages");
			const json_t *sts = json_object_get(value, "statuses");
			if (!ev) {
				*count += json_array_size(msgs) + json_array_size(sts);
				continue;
			}
			struct change_ctx cx = {.contacts = json_object_get(value, "contacts")};
			if (!json_is_array(cx.contacts))
				cx.contacts = NULL;
			const json_t *meta = json_object_get(value, "metadata");
			jcopy_id(cx.phone_number_id, meta, "phone_number_id");
			size_t len = 0;
			const char *disp = jstr(meta, "display_phone_number", &len);
			business_number(cx.business_e164, disp, disp ? len : 0);

			for (size_t k = 0; k < json_array_size(msgs) && *count < cap; k++) {
				int rc = parse_message(json_array_get(msgs, k), &cx, &ev[*count]);
				if (rc < 0)
					return -1;
				if (rc > 0) {
					wa_event_clear(&ev[*count]);
					(*skipped)++;
				} else
					(*count)++;
			}
			for (size_t k = 0; k < json_array_size(sts) && *count < cap; k++) {
				if (parse_status(json_array_get(sts, k), &cx, &ev[*count]) > 0) {
					wa_event_clear(&ev[*count]);
					(*skipped)++;
				} else
					(*count)++;
			}
		}
	}
	return 0;
}

void wa_batch_free(struct wa_batch *b)
{
	if (!b)
		return;
	for (size_t i = 0; b->events && i < b->n; i++)
		free(b->events[i].text);
	free(b->events);
	memset(b, 0, sizeof *b);
}

int wa_parse_webhook(const char *body, size_t len, struct wa_batch *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (!body || len == 0) {
		errbuf_set(err, errlen, "empty body");
		return -1;
	}
	if (len > WA_BODY_MAX) {
		errbuf_set(err, errlen, "body of %zu bytes is over the %d-byte cap", len, WA_BODY_MAX);
		return -1;
	}
	json_error_t jerr;
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		errbuf_set(err, errlen, "not JSON: %s (line %d)", jerr.text, jerr.line);
		return -1;
	}
	int rc = -1;
	size_t olen = 0, total = 0;
	const char *object = jstr(root, "object", &olen);
	const json_t *entries = json_object_get(root, "entry");
	if (!object || strcmp(object, "whatsapp_business_account") != 0) {
		errbuf_set(err, errlen, "\"object\" is not \"whatsapp_business_account\"");
		goto out;
	}
	if (!json_is_array(entries)) {
		errbuf_set(err, errlen, "\"entry\" is not an array");
		goto out;
	}
	walk(entries, NULL, 0, &total, &out->skipped);
	if (total > WA_EVENTS_MAX) {
		errbuf_set(err, errlen, "%zu events in one body, over the cap of %d", total, WA_EVENTS_MAX);
		goto out;
	}
	if (total == 0) {
		rc = 0;
		goto out;
	}
	out->events = calloc(total, sizeof *out->events);
	if (!out->events || walk(entries, out->events, total, &out->n, &out->skipped) < 0) {
		errbuf_set(err, errlen, "out of memory");
		/* the event that ran out has nothing owned; the ones before it are counted in n */
		wa_batch_free(out);
		goto out;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

/*------------------------------------------------------------------------------------------------------
 * Twilio (api-contracts §2.2–2.4)
 */

/* Decodes s[0..len) into dst (room for len bytes + NUL). Returns the decoded length, or -1 on a bad or
 * NUL-producing escape. */
static long form_decode(const char *s, size_t len, char *dst)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+') {
			dst[o++] = ' ';
		} else if (s[i] == '%') {
			if (len - i < 3)
				return -1;
			int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -1;
			dst[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			dst[o++] = s[i];
		}
	}
	dst[o] = '\0';
	return (long)o;
}

void form_params_free(struct form_param *params, size_t n)
{
	for (size_t i = 0; params && i < n; i++) {
		free(params[i].key);
		params[i].key = params[i].value = NULL;
	}
}

int twilio_parse_form(const char *body, size_t len, struct form_param *params, size_t max, size_t *n)
{
	*n = 0;
	if ((!body && len) || len > WA_BODY_MAX || (len && memchr(body, '\0', len)))
		return -1;
	size_t count = 0;
	for (size_t i = 0; i < len;) {
		const char *amp = memchr(body + i, '&', len - i);
		size_t end = amp ? (size_t)(amp - body) : len;
		if (end > i) {
			const char *pair = body + i;
			const char *eq = memchr(pair, '=', end - i);
			size_t klen = eq ? (size_t)(eq - pair) : end - i;
			size_t vlen = eq ? end - i - klen - 1 : 0;
			char *buf = NULL;
			long dk = -1, dv = -1;
			if (count < max && (buf = malloc(klen + vlen + 2)) != NULL) {
				dk = form_decode(pair, klen, buf);
				if (dk > 0 && dk <= TWILIO_KEY_MAX)
					dv = form_decode(eq ? eq + 1 : "", vlen, buf + dk + 1);
			}
			if (dv < 0) {
				free(buf);
				form_params_free(params, count);
				return -1;
			}
			params[count].key = buf;
			params[count].value = buf + dk + 1;
			count++;
		}
		i = end + 1;
	}
	*n = count;
	return 0;
}

const char *form_param_get(const struct form_param *params, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(params[i].key, key))
			return params[i].value;
	return NULL;
}

/* "whatsapp:+4915112345678" (or without the channel prefix) → "+4915112345678". */
static bool twilio_address(char dst[WA_E164_MAX], const char *v)
{
	dst[0] = '\0';
	if (!v)
		return false;
	if (!strncasecmp(v, "whatsapp:", 9))
		v += 9;
	return copy_e164(dst, v, strlen(v));
}

static enum wa_status twilio_status(const char *s)
{
	static const struct {
		const char *name;
		enum wa_status status;
	} map[] = {
		{"queued", WA_STATUS_QUEUED},       {"accepted", WA_STATUS_QUEUED},
		{"scheduled", WA_STATUS_QUEUED},    {"sending", WA_STATUS_QUEUED},
		{"sent", WA_STATUS_SENT},           {"delivered", WA_STATUS_DELIVERED},
		{"read", WA_STATUS_READ},           {"failed", WA_STATUS_FAILED},
		{"canceled", WA_STATUS_FAILED},     {"undelivered", WA_STATUS_UNDELIVERED},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(s, map[i].name))
			return map[i].status;
	return WA_STATUS_UNKNOWN;
}

/* Optional UTF-8 text into a fixed field: false when present but not valid UTF-8. */
static bool twilio_text_field(char *dst, size_t dstsize, const char *v)
{
	if (!v)
		return true;
	size_t len = strlen(v);
	if (!utf8_valid(v, len))
		return false;
	copy_text(dst, dstsize, v, len);
	return true;
}

static int twilio_message(const struct form_param *p, size_t n, struct wa_event *ev)
{
	const char *v;
	ev->kind = WA_EVENT_MESSAGE;
	if (!twilio_address(ev->from_e164, form_param_get(p, n, "From")) &&
	    !((v = form_param_get(p, n, "WaId")) && copy_e164(ev->from_e164, v, strlen(v))))
		return -1;
	twilio_address(ev->business_e164, form_param_get(p, n, "To"));
	if (!twilio_text_field(ev->profile_name, sizeof ev->profile_name, form_param_get(p, n, "ProfileName")))
		return -1;
	if ((v = form_param_get(p, n, "OriginalRepliedMessageSid")))
		copy_id(ev->context_id, v, strlen(v));
	if ((v = form_param_get(p, n, "Body"))) {
		size_t len = strlen(v);
		if (!utf8_valid(v, len))
			return -1;
		if (!(ev->text = dup_text(v, len, &ev->text_truncated)))
			return -1;
	}

	const char *payload = form_param_get(p, n, "ButtonPayload");
	const char *btext = form_param_get(p, n, "ButtonText");
	const char *list_id = form_param_get(p, n, "ListId");
	const char *mtype = form_param_get(p, n, "MessageType");
	const char *media = form_param_get(p, n, "NumMedia");
	if ((payload && *payload) || (btext && *btext)) {
		ev->type = WA_MSG_BUTTON;
		if (payload)
			copy_id(ev->reply_id, payload, strlen(payload));
		if (!twilio_text_field(ev->reply_title, sizeof ev->reply_title, btext))
			return -1;
	} else if (list_id && copy_id(ev->reply_id, list_id, strlen(list_id))) {
		/* ⚠ field names reported, not confirmed (api-contracts §2.2) */
		ev->type = WA_MSG_LIST_REPLY;
		if (!twilio_text_field(ev->reply_title, sizeof ev->reply_title, form_param_get(p, n, "ListTitle")))
			return -1;
	} else if (mtype && strcmp(mtype, "text") != 0) {
		set_unsupported(ev, mtype, NULL);
	} else if (!mtype && media && strcmp(media, "0") != 0) {
		set_unsupported(ev, "media", NULL);
	} else if (ev->text) {
		ev->type = WA_MSG_TEXT;
	} else {
		set_unsupported(ev, mtype ? mtype : "unknown", NULL);
	}
	return 0;
}

static int twilio_status_event(const struct form_param *p, size_t n, const char *status, struct wa_event *ev)
{
	const char *v;
	ev->kind = WA_EVENT_STATUS;
	ev->status = twilio_status(status);
	twilio_address(ev->from_e164, form_param_get(p, n, "To"));
	twilio_address(ev->business_e164, form_param_get(p, n, "From"));
	if ((v = form_param_get(p, n, "ErrorCode")) && *v) {
		int64_t code = strlen(v) <= 9 ? parse_seconds(v, strlen(v)) : 0;
		ev->error_code = (int)code;
	}
	if (!twilio_text_field(ev->error_title, sizeof ev->error_title, form_param_get(p, n, "ErrorMessage")))
		ev->error_title[0] = '\0';
	return 0;
}

int twilio_event(const struct form_param *p, size_t n, struct wa_event *ev)
{
	memset(ev, 0, sizeof *ev);
	const char *sid = form_param_get(p, n, "MessageSid");
	if (!sid)
		sid = form_param_get(p, n, "SmsSid");
	if (!sid || !copy_id(ev->provider_id, sid, strlen(sid)))
		return -1;
	const char *status = form_param_get(p, n, "MessageStatus");
	int rc = status ? twilio_status_event(p, n, status, ev) : twilio_message(p, n, ev);
	if (rc < 0)
		wa_event_clear(ev);
	return rc;
}
