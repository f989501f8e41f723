/*
 * test_inbound.c — unit tests for src/channels/inbound.c: Cloud API webhook envelopes (api-contracts
 * §1.4–1.6, Appendix A2) and Twilio form posts (§2.2–2.3) turned into struct wa_event, and everything a
 * hostile or careless sender could put in them (wrong types, missing fields, duplicates, huge inputs).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/inbound.h"

/* Appendix A2, byte for byte (\u escapes are literal backslashes). */
static const char A2_BODY[] =
	"{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"field\":\"messages\","
	"\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":\"4930123456\","
	"\"phone_number_id\":\"111\"},\"messages\":[{\"from\":\"4915112345678\",\"id\":\"wamid.TEST1\","
	"\"timestamp\":\"1767225600\",\"type\":\"text\",\"text\":{\"body\":\"Gr\\u00fc\\u00dfe\"}}]}}]}]}";

/* An envelope with one "messages" change whose value members are `inner` (without braces). */
static char *envelope(const char *inner)
{
	static const char head[] = "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"WABA\","
				   "\"changes\":[{\"field\":\"messages\",\"value\":{\"messaging_product\":"
				   "\"whatsapp\",\"metadata\":{\"display_phone_number\":\"4930123456\","
				   "\"phone_number_id\":\"PNID1\"},";
	static const char tail[] = "}}]}]}";
	size_t n = strlen(head) + strlen(inner) + strlen(tail) + 1;
	char *s = malloc(n);
	assert_non_null(s);
	snprintf(s, n, "%s%s%s", head, inner, tail);
	return s;
}

/* Parses `body` and expects success; the batch is the caller's. */
static void parse_ok(const char *body, struct wa_batch *b)
{
	char err[256] = "";
	if (wa_parse_webhook(body, strlen(body), b, err, sizeof err) != 0)
		fail_msg("parse failed: %s", err);
}

static void parse_inner_ok(const char *inner, struct wa_batch *b)
{
	char *body = envelope(inner);
	parse_ok(body, b);
	free(body);
}

static void expect_fail(const char *body, size_t len, const char *err_part)
{
	struct wa_batch b;
	char err[256] = "";
	if (wa_parse_webhook(body, len, &b, err, sizeof err) != -1)
		fail_msg("body accepted: %.80s", body ? body : "(null)");
	assert_null(b.events);
	assert_int_equal(b.n, 0);
	if (err_part && !strstr(err, err_part))
		fail_msg("error \"%s\" does not mention \"%s\"", err, err_part);
}

/*------------------------------------------------------------------------------------------------------
 * Cloud API
 */

static void test_a2_text_with_escaped_umlauts(void **state)
{
	(void)state;
	struct wa_batch b;
	parse_ok(A2_BODY, &b);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.skipped, 0);
	const struct wa_event *e = &b.events[0];
	assert_int_equal(e->kind, WA_EVENT_MESSAGE);
	assert_int_equal(e->type, WA_MSG_TEXT);
	assert_string_equal(e->provider_id, "wamid.TEST1");
	assert_string_equal(e->from_e164, "+4915112345678");
	assert_string_equal(e->phone_number_id, "111");
	assert_string_equal(e->business_e164, "+4930123456");
	assert_string_equal(e->text, "Gr\xc3\xbc\xc3\x9f" "e");
	assert_false(e->text_truncated);
	assert_int_equal(e->timestamp, 1767225600);
	assert_string_equal(e->profile_name, "");
	assert_string_equal(e->context_id, "");
	wa_batch_free(&b);
	assert_null(b.events);
	assert_int_equal(b.n, 0);
}

static void test_message_kinds(void **state)
{
	(void)state;
	struct wa_batch b;
	parse_inner_ok(
		"\"contacts\":[{\"profile\":{\"name\":\"Max\"},\"wa_id\":\"4915112345678\"},"
		"{\"profile\":{\"name\":\"J\\u00fcrgen\"},\"wa_id\":\"4917000000001\"}],"
		"\"messages\":["
		"{\"from\":\"4917000000001\",\"id\":\"wamid.B\",\"timestamp\":\"1767225601\",\"type\":\"interactive\","
		" \"context\":{\"from\":\"4930123456\",\"id\":\"wamid.OUR_MSG\"},"
		" \"interactive\":{\"type\":\"button_reply\","
		"  \"button_reply\":{\"id\":\"slot_2026-01-05T10:00\",\"title\":\"Mo 10:00\"}}},"
		"{\"from\":\"4915112345678\",\"id\":\"wamid.L\",\"timestamp\":\"1767225602\",\"type\":\"interactive\","
		" \"interactive\":{\"type\":\"list_reply\","
		"  \"list_reply\":{\"id\":\"row_1\",\"title\":\"Probetraining\",\"description\":\"60 min\"}}},"
		"{\"from\":\"4915112345678\",\"id\":\"wamid.T\",\"timestamp\":\"1767225603\",\"type\":\"button\","
		" \"button\":{\"payload\":\"CONFIRM_123\",\"text\":\"Best\\u00e4tigen\"},\"context\":{\"id\":\"wamid.TEMPLATE_MSG\"}},"
		"{\"from\":\"4915112345678\",\"id\":\"wamid.I\",\"timestamp\":\"1767225604\",\"type\":\"image\","
		" \"image\":{\"id\":\"2754859441498128\",\"mime_type\":\"image/jpeg\",\"caption\":\"x\"}},"
		"{\"from\":\"4915112345678\",\"id\":\"wamid.F\",\"timestamp\":\"1767225605\",\"type\":\"interactive\","
		" \"interactive\":{\"type\":\"nfm_reply\",\"nfm_reply\":{\"response_json\":\"{}\"}}},"
		"{\"from\":\"4915112345678\",\"id\":\"wamid.R\",\"timestamp\":\"1767225606\",\"type\":\"reaction\","
		" \"reaction\":{\"emoji\":\"\\ud83d\\udc4d\",\"message_id\":\"wamid.OUR_MSG\"}},"
		"{\"from\":\"4915112345678\",\"id\":\"wamid.U\",\"timestamp\":\"1767225607\",\"type\":\"unsupported\","
		" \"errors\":[{\"code\":131051}]}"
		"]",
		&b);
	assert_int_equal(b.n, 7);
	const struct wa_event *e = b.events;
	assert_int_equal(e[0].type, WA_MSG_BUTTON_REPLY);
	assert_string_equal(e[0].reply_id, "slot_2026-01-05T10:00");
	assert_string_equal(e[0].reply_title, "Mo 10:00");
	assert_string_equal(e[0].context_id, "wamid.OUR_MSG");
	assert_string_equal(e[0].profile_name, "J\xc3\xbcrgen");
	assert_null(e[0].text);
	assert_int_equal(e[1].type, WA_MSG_LIST_REPLY);
	assert_string_equal(e[1].reply_id, "row_1");
	assert_string_equal(e[1].reply_title, "Probetraining");
	assert_string_equal(e[1].profile_name, "Max");
	assert_int_equal(e[2].type, WA_MSG_BUTTON);
	assert_string_equal(e[2].reply_id, "CONFIRM_123");
	assert_string_equal(e[2].reply_title, "Best\xc3\xa4tigen");
	assert_string_equal(e[2].context_id, "wamid.TEMPLATE_MSG");
	assert_int_equal(e[3].type, WA_MSG_UNSUPPORTED);
	assert_string_equal(e[3].unsupported_type, "image");
	assert_int_equal(e[4].type, WA_MSG_UNSUPPORTED);
	assert_string_equal(e[4].unsupported_type, "interactive.nfm_reply");
	assert_string_equal(e[4].reply_id, "");
	assert_string_equal(e[5].unsupported_type, "reaction");
	assert_string_equal(e[6].unsupported_type, "unsupported");
	for (size_t i = 0; i < b.n; i++) {
		assert_int_equal(e[i].kind, WA_EVENT_MESSAGE);
		assert_string_equal(e[i].phone_number_id, "PNID1");
		assert_int_equal(e[i].timestamp, 1767225601 + (int64_t)i);
	}
	wa_batch_free(&b);
}

static void test_statuses(void **state)
{
	(void)state;
	struct wa_batch b;
	parse_inner_ok(
		"\"statuses\":["
		"{\"id\":\"wamid.OUR_MSG\",\"status\":\"delivered\",\"timestamp\":\"1767225700\","
		" \"recipient_id\":\"4915112345678\",\"recipient_user_id\":\"DE.123\","
		" \"biz_opaque_callback_data\":\"tenant=7;job=42\","
		" \"pricing\":{\"pricing_model\":\"PMP\",\"type\":\"free_customer_service\","
		"  \"category\":\"service\",\"billable\":false}},"
		"{\"id\":\"wamid.OUR_MSG\",\"status\":\"failed\",\"timestamp\":\"1767225701\",\"recipient_id\":\"4915112345678\","
		" \"errors\":[{\"code\":131047,\"title\":\"Re-engagement message\",\"message\":\"Re-engagement message\","
		"  \"error_data\":{\"details\":\"Message failed to send because more than 24 hours have passed.\"}}]},"
		"{\"id\":\"wamid.2\",\"status\":\"sent\",\"timestamp\":\"1767225702\",\"recipient_id\":\"4915112345678\"},"
		"{\"id\":\"wamid.3\",\"status\":\"read\",\"timestamp\":\"1767225703\",\"recipient_id\":\"4915112345678\"},"
		"{\"id\":\"wamid.4\",\"status\":\"played\",\"timestamp\":\"1767225704\",\"recipient_id\":\"4915112345678\"},"
		"{\"id\":\"wamid.5\",\"status\":\"deleted\",\"timestamp\":\"1767225705\"},"
		"{\"id\":\"wamid.6\",\"timestamp\":\"1767225706\"}"
		"]",
		&b);
	assert_int_equal(b.n, 7);
	const struct wa_event *e = b.events;
	for (size_t i = 0; i < b.n; i++) {
		assert_int_equal(e[i].kind, WA_EVENT_STATUS);
		assert_int_equal(e[i].type, WA_MSG_NONE);
		assert_int_equal(e[i].timestamp, 1767225700 + (int64_t)i);
	}
	assert_int_equal(e[0].status, WA_STATUS_DELIVERED);
	assert_string_equal(e[0].provider_id, "wamid.OUR_MSG");
	assert_string_equal(e[0].from_e164, "+4915112345678");
	assert_string_equal(e[0].user_id, "DE.123");
	assert_string_equal(e[0].callback_data, "tenant=7;job=42");
	assert_int_equal(e[0].error_code, 0);
	assert_int_equal(e[1].status, WA_STATUS_FAILED);
	assert_int_equal(e[1].error_code, 131047);
	assert_string_equal(e[1].error_title, "Re-engagement message");
	assert_int_equal(e[2].status, WA_STATUS_SENT);
	assert_int_equal(e[3].status, WA_STATUS_READ);
	assert_int_equal(e[4].status, WA_STATUS_READ);
	assert_int_equal(e[5].status, WA_STATUS_UNKNOWN);
	assert_string_equal(e[5].from_e164, "");
	assert_int_equal(e[6].status, WA_STATUS_UNKNOWN);
	assert_true(WA_STATUS_QUEUED < WA_STATUS_SENT && WA_STATUS_SENT < WA_STATUS_DELIVERED &&
		    WA_STATUS_DELIVERED < WA_STATUS_READ && WA_STATUS_READ < WA_STATUS_FAILED);
	assert_string_equal(wa_status_name(e[1].status), "failed");
	assert_string_equal(wa_status_name(WA_STATUS_UNKNOWN), "unknown");
	assert_string_equal(wa_status_name(WA_STATUS_UNDELIVERED), "undelivered");
	assert_string_equal(wa_status_name((enum wa_status)99), "unknown");
	wa_batch_free(&b);
}

/* Several entries and changes in one POST; changes of other fields are ignored. */
static void test_batched_entries_and_other_fields(void **state)
{
	(void)state;
	const char *body =
		"{\"object\":\"whatsapp_business_account\",\"entry\":["
		"{\"id\":\"A\",\"changes\":["
		" {\"field\":\"message_template_status_update\",\"value\":{\"event\":\"APPROVED\",\"messages\":[{\"id\":\"x\"}]}},"
		" {\"field\":\"messages\",\"value\":{"
		"  \"metadata\":{\"phone_number_id\":\"P1\",\"display_phone_number\":\"+49 30 123-456\"},"
		"  \"messages\":[{\"from\":\"491\",\"id\":\"wamid.1\",\"type\":\"text\",\"text\":{\"body\":\"a\"}}],"
		"  \"statuses\":[{\"id\":\"wamid.S\",\"status\":\"sent\",\"recipient_id\":\"491\"}]}}]},"
		"{\"id\":\"B\",\"changes\":["
		" {\"field\":\"messages\",\"value\":{\"metadata\":{\"phone_number_id\":\"P2\"},"
		"  \"messages\":[{\"from\":\"492\",\"id\":\"wamid.2\",\"type\":\"text\",\"text\":{\"body\":\"b\"}}]}},"
		" {\"field\":\"messages\"},"
		" \"junk\", 7, null]},"
		"{\"id\":\"C\"}, \"junk\", {\"changes\":{}}],"
		"\"extra\":{\"ignored\":true}}";
	struct wa_batch b;
	parse_ok(body, &b);
	assert_int_equal(b.n, 3);
	assert_string_equal(b.events[0].provider_id, "wamid.1");
	assert_string_equal(b.events[0].phone_number_id, "P1");
	assert_string_equal(b.events[0].business_e164, "+4930123456");
	assert_string_equal(b.events[1].provider_id, "wamid.S");
	assert_int_equal(b.events[1].kind, WA_EVENT_STATUS);
	assert_string_equal(b.events[2].provider_id, "wamid.2");
	assert_string_equal(b.events[2].phone_number_id, "P2");
	assert_string_equal(b.events[2].business_e164, "");
	assert_string_equal(b.events[2].text, "b");
	wa_batch_free(&b);
}

/* 2026 usernames: `from` may be missing; the business-scoped user id identifies the sender. */
static void test_bsuid_sender_without_number(void **state)
{
	(void)state;
	struct wa_batch b;
	parse_inner_ok("\"contacts\":[{\"profile\":{\"name\":\"Other\"},\"wa_id\":\"4911\"},"
		       "{\"profile\":{\"name\":\"Ulla\",\"username\":\"ulla\"},\"user_id\":\"DE.99\"}],"
		       "\"messages\":[{\"from_user_id\":\"DE.99\",\"id\":\"wamid.U\",\"timestamp\":\"1\","
		       "\"type\":\"text\",\"text\":{\"body\":\"hi\"}}]",
		       &b);
	assert_int_equal(b.n, 1);
	assert_string_equal(b.events[0].from_e164, "");
	assert_string_equal(b.events[0].user_id, "DE.99");
	assert_string_equal(b.events[0].profile_name, "Ulla");
	wa_batch_free(&b);
}

static void test_invalid_ids_and_senders_are_skipped(void **state)
{
	(void)state;
	char long_id[WA_ID_MAX + 2];
	memset(long_id, 'a', sizeof long_id - 1);
	long_id[sizeof long_id - 1] = '\0';
	char inner[2048];
	snprintf(inner, sizeof inner,
		 "\"messages\":["
		 "{\"from\":\"491\",\"type\":\"text\",\"text\":{\"body\":\"no id\"}},"
		 "{\"from\":\"491\",\"id\":\"\",\"type\":\"text\",\"text\":{\"body\":\"empty id\"}},"
		 "{\"from\":\"491\",\"id\":\"wamid.\\n\",\"type\":\"text\",\"text\":{\"body\":\"control char\"}},"
		 "{\"from\":\"491\",\"id\":\"wamid.\\u00e4\",\"type\":\"text\",\"text\":{\"body\":\"non-ASCII\"}},"
		 "{\"from\":\"491\",\"id\":\"%s\",\"type\":\"text\",\"text\":{\"body\":\"id too long\"}},"
		 "{\"from\":\"491\",\"id\":12345,\"type\":\"text\",\"text\":{\"body\":\"numeric id\"}},"
		 "{\"from\":\"49x1\",\"id\":\"wamid.A\",\"type\":\"text\",\"text\":{\"body\":\"bad from\"}},"
		 "{\"from\":\"1234567890123456\",\"id\":\"wamid.B\",\"type\":\"text\",\"text\":{\"body\":\"16 digits\"}},"
		 "{\"id\":\"wamid.C\",\"type\":\"text\",\"text\":{\"body\":\"no sender\"}},"
		 "\"a string\", 42, null, [],"
		 "{\"from\":\"123456789012345\",\"id\":\"%.*s\",\"type\":\"text\",\"text\":{\"body\":\"kept\"}}"
		 "],\"statuses\":[{\"status\":\"sent\"},{\"id\":null,\"status\":\"read\"}]",
		 long_id, WA_ID_MAX, long_id);
	struct wa_batch b;
	parse_inner_ok(inner, &b);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.skipped, 15);
	assert_string_equal(b.events[0].text, "kept");
	assert_string_equal(b.events[0].from_e164, "+123456789012345");
	assert_int_equal(strlen(b.events[0].provider_id), WA_ID_MAX);
	wa_batch_free(&b);
}

static void test_wrong_types_are_tolerated(void **state)
{
	(void)state;
	struct wa_batch b;
	parse_inner_ok(
		"\"contacts\":{\"profile\":{\"name\":\"X\"}},"
		"\"messages\":["
		"{\"from\":\"491\",\"id\":\"wamid.1\",\"timestamp\":1767225600,\"type\":\"text\",\"text\":{\"body\":42}},"
		"{\"from\":\"491\",\"id\":\"wamid.2\",\"timestamp\":\"17672x\",\"type\":\"text\",\"text\":\"plain\"},"
		"{\"from\":\"491\",\"id\":\"wamid.3\",\"timestamp\":-5,\"type\":7},"
		"{\"from\":\"491\",\"id\":\"wamid.4\",\"type\":\"interactive\","
		" \"interactive\":{\"type\":\"button_reply\",\"button_reply\":{\"title\":\"no id\"}}},"
		"{\"from\":\"491\",\"id\":\"wamid.5\",\"type\":\"interactive\",\"interactive\":[]},"
		"{\"from\":\"491\",\"id\":\"wamid.6\",\"type\":\"button\",\"button\":{\"text\":\"only text\"}},"
		"{\"from\":\"491\",\"id\":\"wamid.7\",\"type\":\"button\",\"button\":\"x\"},"
		"{\"from\":\"491\",\"id\":\"wamid.8\",\"type\":\"we ird\",\"context\":{\"id\":5}},"
		"{\"from\":\"491\",\"id\":\"wamid.9\",\"type\":\"text\",\"text\":{\"body\":\"\"}}"
		"],"
		"\"statuses\":[{\"id\":\"wamid.S\",\"status\":5,\"errors\":[{\"code\":\"131047\",\"title\":9}],"
		"\"biz_opaque_callback_data\":{}},{\"id\":\"wamid.T\",\"status\":\"failed\",\"errors\":{\"code\":1}}]",
		&b);
	assert_int_equal(b.n, 11);
	const struct wa_event *e = b.events;
	assert_int_equal(e[0].type, WA_MSG_UNSUPPORTED);
	assert_string_equal(e[0].unsupported_type, "text");
	assert_int_equal(e[0].timestamp, 1767225600);
	assert_string_equal(e[0].profile_name, "");
	assert_int_equal(e[1].type, WA_MSG_UNSUPPORTED);
	assert_int_equal(e[1].timestamp, 0);
	assert_int_equal(e[2].type, WA_MSG_UNSUPPORTED);
	assert_string_equal(e[2].unsupported_type, "unknown");
	assert_int_equal(e[2].timestamp, 0);
	assert_string_equal(e[3].unsupported_type, "interactive.button_reply");
	assert_string_equal(e[3].reply_title, "");
	assert_string_equal(e[4].unsupported_type, "interactive");
	assert_int_equal(e[5].type, WA_MSG_BUTTON);
	assert_string_equal(e[5].reply_id, "");
	assert_string_equal(e[5].reply_title, "only text");
	assert_string_equal(e[6].unsupported_type, "button");
	assert_string_equal(e[7].unsupported_type, "unknown");
	assert_string_equal(e[7].context_id, "");
	assert_int_equal(e[8].type, WA_MSG_TEXT);
	assert_string_equal(e[8].text, "");
	assert_int_equal(e[9].status, WA_STATUS_UNKNOWN);
	assert_int_equal(e[9].error_code, 0);
	assert_string_equal(e[9].error_title, "");
	assert_string_equal(e[9].callback_data, "");
	assert_int_equal(e[10].status, WA_STATUS_FAILED);
	assert_int_equal(e[10].error_code, 0);
	wa_batch_free(&b);
}

static void test_malformed_envelopes_fail(void **state)
{
	(void)state;
	expect_fail("", 0, "empty");
	expect_fail(NULL, 0, "empty");
	expect_fail("{", 1, "not JSON");
	expect_fail("[]", 2, "object");
	expect_fail("\"whatsapp_business_account\"", 27, NULL);
	expect_fail("{\"entry\":[]}", 12, "object");
	expect_fail("{\"object\":\"page\",\"entry\":[]}", 28, "object");
	expect_fail("{\"object\":\"whatsapp_business_account\"}", 38, "entry");
	expect_fail("{\"object\":\"whatsapp_business_account\",\"entry\":{}}", 49, "entry");
	/* a duplicated key could be read two ways: refused */
	const char *dup = "{\"object\":\"whatsapp_business_account\",\"entry\":[],\"entry\":[]}";
	expect_fail(dup, strlen(dup), "not JSON");
	/* \u0000 and raw control characters are not accepted */
	const char *nul = "{\"object\":\"whatsapp_business_account\",\"entry\":[],\"x\":\"a\\u0000b\"}";
	expect_fail(nul, strlen(nul), "not JSON");
	/* a NUL byte inside the length */
	const char raw_nul[] = "{\"object\":\"whatsapp_business_account\",\"entry\":[]}\0";
	expect_fail(raw_nul, sizeof raw_nul - 1, "not JSON");
	/* invalid UTF-8 in a string */
	const char *bad_utf8 = "{\"object\":\"whatsapp_business_account\",\"entry\":[],\"x\":\"\xff\"}";
	expect_fail(bad_utf8, strlen(bad_utf8), "not JSON");
	/* trailing garbage */
	const char *trail = "{\"object\":\"whatsapp_business_account\",\"entry\":[]} x";
	expect_fail(trail, strlen(trail), "not JSON");
	/* err may be NULL */
	struct wa_batch b;
	assert_int_equal(wa_parse_webhook("{", 1, &b, NULL, 0), -1);
	assert_int_equal(wa_parse_webhook("{", 1, &b, NULL, 100), -1);
}

/* A1: a valid envelope without entries gives no event. */
static void test_empty_entry_list(void **state)
{
	(void)state;
	struct wa_batch b;
	parse_ok("{\"object\":\"whatsapp_business_account\",\"entry\":[]}", &b);
	assert_int_equal(b.n, 0);
	assert_null(b.events);
	wa_batch_free(&b);
	wa_batch_free(NULL);
}

static void test_size_and_event_caps(void **state)
{
	(void)state;
	/* a body over 1 MiB is refused before parsing, even when it would be valid */
	size_t big = WA_BODY_MAX + 1;
	char *body = malloc(big + 1);
	assert_non_null(body);
	const char *head = "{\"object\":\"whatsapp_business_account\",\"entry\":[],\"pad\":\"";
	memset(body, 'x', big);
	memcpy(body, head, strlen(head));
	memcpy(body + big - 2, "\"}", 2);
	body[big] = '\0';
	expect_fail(body, big, "cap");
	free(body);

	/* exactly WA_EVENTS_MAX statuses pass, one more fails */
	for (int extra = 0; extra <= 1; extra++) {
		size_t count = WA_EVENTS_MAX + (size_t)extra, cap = count * 64 + 256, at = 0;
		char *inner = malloc(cap);
		assert_non_null(inner);
		at += (size_t)snprintf(inner + at, cap - at, "\"statuses\":[");
		for (size_t i = 0; i < count; i++)
			at += (size_t)snprintf(inner + at, cap - at, "%s{\"id\":\"wamid.%zu\",\"status\":\"sent\"}",
					       i ? "," : "", i);
		snprintf(inner + at, cap - at, "]");
		char *env = envelope(inner);
		struct wa_batch b;
		char err[256] = "";
		int rc = wa_parse_webhook(env, strlen(env), &b, err, sizeof err);
		if (extra) {
			assert_int_equal(rc, -1);
			assert_non_null(strstr(err, "1001 events"));
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(b.n, WA_EVENTS_MAX);
			assert_string_equal(b.events[WA_EVENTS_MAX - 1].provider_id, "wamid.999");
			wa_batch_free(&b);
		}
		free(env);
		free(inner);
	}
}

/* Texts over WA_TEXT_MAX bytes are cut at a character boundary and flagged; names likewise. */
static void test_long_text_is_cut_on_a_character(void **state)
{
	(void)state;
	size_t cap = 40000;
	char *inner = malloc(cap), *p;
	assert_non_null(inner);
	/* 5000 × 'a'; 3000 × "ä" (6000 bytes); "a" + 2000 × "€" (3 bytes each: 4096 is mid-character) */
	p = inner + sprintf(inner, "\"contacts\":[{\"wa_id\":\"491\",\"profile\":{\"name\":\"");
	for (int i = 0; i < 200; i++)
		p += sprintf(p, "\xc3\xa4");
	p += sprintf(p, "\"}}],\"messages\":[{\"from\":\"491\",\"id\":\"wamid.1\",\"type\":\"text\",\"text\":{\"body\":\"");
	memset(p, 'a', 5000);
	p += 5000;
	p += sprintf(p, "\"}},{\"from\":\"491\",\"id\":\"wamid.2\",\"type\":\"text\",\"text\":{\"body\":\"");
	for (int i = 0; i < 3000; i++)
		p += sprintf(p, "\xc3\xa4");
	p += sprintf(p, "\"}},{\"from\":\"491\",\"id\":\"wamid.3\",\"type\":\"text\",\"text\":{\"body\":\"a");
	for (int i = 0; i < 2000; i++)
		p += sprintf(p, "\\u20ac");
	p += sprintf(p, "\"}},{\"from\":\"491\",\"id\":\"wamid.4\",\"type\":\"text\",\"text\":{\"body\":\"");
	memset(p, 'b', WA_TEXT_MAX);
	p += WA_TEXT_MAX;
	sprintf(p, "\"}}]");
	struct wa_batch b;
	parse_inner_ok(inner, &b);
	free(inner);
	assert_int_equal(b.n, 4);
	assert_int_equal(strlen(b.events[0].text), WA_TEXT_MAX);
	assert_true(b.events[0].text_truncated);
	assert_int_equal(strlen(b.events[1].text), WA_TEXT_MAX);
	assert_true(b.events[1].text_truncated);
	assert_int_equal(strlen(b.events[2].text), 1 + 3 * 1365);
	assert_true(b.events[2].text_truncated);
	assert_memory_equal(b.events[2].text + strlen(b.events[2].text) - 3, "\xe2\x82\xac", 3);
	assert_int_equal(strlen(b.events[3].text), WA_TEXT_MAX);
	assert_false(b.events[3].text_truncated);
	/* 400 bytes of name cut to 256 (an even number: whole "ä") */
	assert_int_equal(strlen(b.events[0].profile_name), WA_NAME_MAX);
	wa_batch_free(&b);
}

/* The same wamid twice stays twice: deduplication is the caller's job (by provider_id). */
static void test_duplicate_messages_are_kept(void **state)
{
	(void)state;
	struct wa_batch b;
	parse_inner_ok("\"messages\":[{\"from\":\"491\",\"id\":\"wamid.D\",\"type\":\"text\",\"text\":{\"body\":\"a\"}},"
		       "{\"from\":\"491\",\"id\":\"wamid.D\",\"type\":\"text\",\"text\":{\"body\":\"a\"}}]",
		       &b);
	assert_int_equal(b.n, 2);
	assert_string_equal(b.events[0].provider_id, b.events[1].provider_id);
	wa_batch_free(&b);
}

/*------------------------------------------------------------------------------------------------------
 * Twilio
 */

static const char A4_FORM[] = "AccountSid=AC00000000000000000000000000000000&Body=Hallo+Welt"
			      "&From=whatsapp%3A%2B4915112345678&MessageSid=SM00000000000000000000000000000001"
			      "&NumMedia=0&ProfileName=Max&To=whatsapp%3A%2B4930123456&WaId=4915112345678";

static size_t form_ok(const char *body, struct form_param *p, size_t max)
{
	size_t n = 99;
	if (twilio_parse_form(body, strlen(body), p, max, &n) != 0)
		fail_msg("form refused: %s", body);
	return n;
}

static void form_fails(const char *body, size_t len, size_t max)
{
	struct form_param p[8];
	size_t n = 99;
	if (twilio_parse_form(body, len, p, max, &n) != -1)
		fail_msg("form accepted: %.*s", (int)len, body);
	assert_int_equal(n, 0);
}

static void test_form_decoding(void **state)
{
	(void)state;
	struct form_param p[16];
	size_t n = form_ok(A4_FORM, p, 16);
	assert_int_equal(n, 8);
	assert_string_equal(p[1].key, "Body");
	assert_string_equal(p[1].value, "Hallo Welt");
	assert_string_equal(p[2].value, "whatsapp:+4915112345678");
	assert_string_equal(form_param_get(p, n, "To"), "whatsapp:+4930123456");
	assert_null(form_param_get(p, n, "ButtonPayload"));
	form_params_free(p, n);
	form_params_free(p, 0);
	form_params_free(NULL, 3);
}

static void test_form_pairs_and_duplicates(void **state)
{
	(void)state;
	struct form_param p[16];
	size_t n = form_ok("a=1&b=&c&&&MediaUrl=x&MediaUrl=y&e=f=g&%41%2b%2B=%c3%A4+%20&x%5Fy=1&", p, 16);
	assert_int_equal(n, 8);
	assert_string_equal(p[0].key, "a");
	assert_string_equal(p[0].value, "1");
	assert_string_equal(p[1].key, "b");
	assert_string_equal(p[1].value, "");
	assert_string_equal(p[2].key, "c");
	assert_string_equal(p[2].value, "");
	assert_string_equal(p[3].key, "MediaUrl");
	assert_string_equal(p[3].value, "x");
	assert_string_equal(p[4].key, "MediaUrl");
	assert_string_equal(p[4].value, "y");
	assert_string_equal(form_param_get(p, n, "MediaUrl"), "x");
	assert_string_equal(p[5].key, "e");
	assert_string_equal(p[5].value, "f=g");
	assert_string_equal(p[6].key, "A++");
	assert_string_equal(p[6].value, "\xc3\xa4  ");
	assert_string_equal(p[7].key, "x_y");
	form_params_free(p, n);

	n = 99;
	assert_int_equal(twilio_parse_form("", 0, p, 16, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(twilio_parse_form(NULL, 0, p, 16, &n), 0);
	assert_int_equal(n, 0);
	n = form_ok("&&&", p, 16);
	assert_int_equal(n, 0);
	/* bytes that should have been escaped are taken as they are */
	n = form_ok("k=a b\tc\xc3\xa4", p, 16);
	assert_string_equal(p[0].value, "a b\tc\xc3\xa4");
	form_params_free(p, n);
	/* exactly `max` parameters */
	n = form_ok("a=1&b=2&c=3", p, 3);
	assert_int_equal(n, 3);
	form_params_free(p, n);
}

static void test_form_rejects_bad_input(void **state)
{
	(void)state;
	const char *bad[] = {"a=%", "a=%4", "a=%zz", "a=%G0", "a=%0g", "a=%00", "%=1", "a=1&b=%2", "=1", "=",
			     "a=1&=2", "%00=1", "a=1&b=2&c=3&d=4"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		form_fails(bad[i], strlen(bad[i]), 3);
	form_fails("a=1\0b=2", 7, 8);
	form_fails(NULL, 5, 8);
	/* a name of TWILIO_KEY_MAX bytes is fine, one more is not */
	char key[TWILIO_KEY_MAX + 8];
	memset(key, 'k', TWILIO_KEY_MAX);
	strcpy(key + TWILIO_KEY_MAX, "=v");
	struct form_param p[4];
	size_t n = form_ok(key, p, 4);
	assert_int_equal(n, 1);
	form_params_free(p, n);
	memset(key, 'k', TWILIO_KEY_MAX + 1);
	strcpy(key + TWILIO_KEY_MAX + 1, "=v");
	form_fails(key, strlen(key), 4);
	/* %6B is one byte after decoding: 256 escaped bytes are 256 bytes */
	char esc[3 * TWILIO_KEY_MAX + 8];
	for (int i = 0; i < TWILIO_KEY_MAX; i++)
		memcpy(esc + 3 * i, "%6B", 3);
	strcpy(esc + 3 * TWILIO_KEY_MAX, "=v");
	n = form_ok(esc, p, 4);
	assert_int_equal(strlen(p[0].key), TWILIO_KEY_MAX);
	form_params_free(p, n);
	/* over the body cap */
	size_t big = WA_BODY_MAX + 1;
	char *body = malloc(big);
	assert_non_null(body);
	memset(body, 'a', big);
	form_fails(body, big, 4);
	free(body);
}

static void test_twilio_inbound_text(void **state)
{
	(void)state;
	struct form_param p[16];
	size_t n = form_ok(A4_FORM, p, 16);
	struct wa_event ev;
	assert_int_equal(twilio_event(p, n, &ev), 0);
	assert_int_equal(ev.kind, WA_EVENT_MESSAGE);
	assert_int_equal(ev.type, WA_MSG_TEXT);
	assert_string_equal(ev.provider_id, "SM00000000000000000000000000000001");
	assert_string_equal(ev.from_e164, "+4915112345678");
	assert_string_equal(ev.business_e164, "+4930123456");
	assert_string_equal(ev.profile_name, "Max");
	assert_string_equal(ev.text, "Hallo Welt");
	assert_string_equal(ev.phone_number_id, "");
	assert_int_equal(ev.timestamp, 0);
	wa_event_clear(&ev);
	assert_null(ev.text);
	wa_event_clear(NULL);
	form_params_free(p, n);
}

static int event_of(const char *form, struct wa_event *ev)
{
	struct form_param p[32];
	size_t n = form_ok(form, p, 32);
	int rc = twilio_event(p, n, ev);
	form_params_free(p, n);
	return rc;
}

static void test_twilio_inbound_kinds(void **state)
{
	(void)state;
	struct wa_event ev;
	assert_int_equal(event_of("MessageSid=SM1&From=whatsapp%3A%2B491&To=whatsapp%3A%2B4930&MessageType=button"
				  "&Body=Best%C3%A4tigen&ButtonText=Best%C3%A4tigen&ButtonPayload=CONFIRM_123"
				  "&OriginalRepliedMessageSid=SMour",
				  &ev),
			 0);
	assert_int_equal(ev.type, WA_MSG_BUTTON);
	assert_string_equal(ev.reply_id, "CONFIRM_123");
	assert_string_equal(ev.reply_title, "Best\xc3\xa4tigen");
	assert_string_equal(ev.context_id, "SMour");
	wa_event_clear(&ev);

	assert_int_equal(event_of("MessageSid=SM2&From=whatsapp%3A%2B491&MessageType=image&NumMedia=1"
				  "&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2Fm&MediaContentType0=image%2Fjpeg&Body=caption",
				  &ev),
			 0);
	assert_int_equal(ev.type, WA_MSG_UNSUPPORTED);
	assert_string_equal(ev.unsupported_type, "image");
	assert_string_equal(ev.text, "caption");
	wa_event_clear(&ev);

	assert_int_equal(event_of("MessageSid=SM3&From=whatsapp%3A%2B491&NumMedia=2&Body=", &ev), 0);
	assert_string_equal(ev.unsupported_type, "media");
	wa_event_clear(&ev);

	assert_int_equal(event_of("MessageSid=SM4&From=whatsapp%3A%2B491&MessageType=interactive&ListId=row_1"
				  "&ListTitle=Probetraining",
				  &ev),
			 0);
	assert_int_equal(ev.type, WA_MSG_LIST_REPLY);
	assert_string_equal(ev.reply_id, "row_1");
	assert_string_equal(ev.reply_title, "Probetraining");
	wa_event_clear(&ev);

	/* no From: WaId stands in; the sandbox sends From without the channel prefix too */
	assert_int_equal(event_of("MessageSid=SM5&WaId=4915112345678&Body=x", &ev), 0);
	assert_string_equal(ev.from_e164, "+4915112345678");
	wa_event_clear(&ev);
	assert_int_equal(event_of("MessageSid=SM6&From=%2B4915112345678&Body=x", &ev), 0);
	assert_string_equal(ev.from_e164, "+4915112345678");
	wa_event_clear(&ev);
	/* no Body and no type: nothing to say */
	assert_int_equal(event_of("MessageSid=SM7&From=whatsapp%3A%2B491", &ev), 0);
	assert_int_equal(ev.type, WA_MSG_UNSUPPORTED);
	assert_null(ev.text);
	wa_event_clear(&ev);
	/* a long Body is cut and flagged */
	char *big = malloc(6000);
	assert_non_null(big);
	int at = sprintf(big, "MessageSid=SM8&From=whatsapp%%3A%%2B491&Body=");
	memset(big + at, 'z', 5000);
	big[at + 5000] = '\0';
	assert_int_equal(event_of(big, &ev), 0);
	assert_int_equal(strlen(ev.text), WA_TEXT_MAX);
	assert_true(ev.text_truncated);
	wa_event_clear(&ev);
	free(big);
}

static void test_twilio_inbound_refused(void **state)
{
	(void)state;
	struct wa_event ev;
	const char *bad[] = {
		"From=whatsapp%3A%2B491&Body=no+sid",
		"MessageSid=&From=whatsapp%3A%2B491&Body=empty+sid",
		"MessageSid=SM%0A1&From=whatsapp%3A%2B491&Body=control",
		"MessageSid=SM1&Body=no+sender",
		"MessageSid=SM1&From=whatsapp%3Ajohn&Body=bad+sender",
		"MessageSid=SM1&From=whatsapp%3A%2B1234567890123456&Body=16+digits",
		"MessageSid=SM1&From=whatsapp%3A%2B491&Body=%FF",
		"MessageSid=SM1&From=whatsapp%3A%2B491&Body=%C3",
		"MessageSid=SM1&From=whatsapp%3A%2B491&Body=%ED%A0%80",
		"MessageSid=SM1&From=whatsapp%3A%2B491&Body=%C0%AF",
		"MessageSid=SM1&From=whatsapp%3A%2B491&Body=ok&ProfileName=%FE",
		"MessageSid=SM1&From=whatsapp%3A%2B491&ButtonText=%FF&ButtonPayload=x",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (event_of(bad[i], &ev) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_null(ev.text);
		assert_string_equal(ev.provider_id, "");
	}
	/* SmsSid stands in for MessageSid; 4-byte UTF-8 is fine */
	assert_int_equal(event_of("SmsSid=SM9&From=whatsapp%3A%2B491&Body=%F0%9F%91%8D", &ev), 0);
	assert_string_equal(ev.provider_id, "SM9");
	assert_string_equal(ev.text, "\xf0\x9f\x91\x8d");
	wa_event_clear(&ev);
}

static void test_twilio_status_callbacks(void **state)
{
	(void)state;
	struct wa_event ev;
	assert_int_equal(event_of("MessageSid=SMout1&MessageStatus=delivered&SmsStatus=delivered&AccountSid=AC1"
				  "&From=whatsapp%3A%2B4930123456&To=whatsapp%3A%2B4915112345678&ApiVersion=2010-04-01"
				  "&ChannelPrefix=whatsapp&EventType=DELIVERED",
				  &ev),
			 0);
	assert_int_equal(ev.kind, WA_EVENT_STATUS);
	assert_int_equal(ev.status, WA_STATUS_DELIVERED);
	assert_string_equal(ev.provider_id, "SMout1");
	assert_string_equal(ev.from_e164, "+4915112345678");
	assert_string_equal(ev.business_e164, "+4930123456");
	assert_int_equal(ev.error_code, 0);
	wa_event_clear(&ev);

	assert_int_equal(event_of("MessageSid=SMout2&MessageStatus=failed&ErrorCode=63016"
				  "&ErrorMessage=Outside+the+window&To=whatsapp%3A%2B491",
				  &ev),
			 0);
	assert_int_equal(ev.status, WA_STATUS_FAILED);
	assert_int_equal(ev.error_code, 63016);
	assert_string_equal(ev.error_title, "Outside the window");
	wa_event_clear(&ev);

	const struct {
		const char *s;
		enum wa_status want;
	} map[] = {
		{"queued", WA_STATUS_QUEUED},   {"sending", WA_STATUS_QUEUED},        {"accepted", WA_STATUS_QUEUED},
		{"scheduled", WA_STATUS_QUEUED}, {"sent", WA_STATUS_SENT},            {"read", WA_STATUS_READ},
		{"undelivered", WA_STATUS_UNDELIVERED}, {"canceled", WA_STATUS_FAILED}, {"Delivered", WA_STATUS_UNKNOWN},
		{"", WA_STATUS_UNKNOWN},        {"received", WA_STATUS_UNKNOWN},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		char form[128];
		snprintf(form, sizeof form, "MessageSid=SMx&MessageStatus=%s", map[i].s);
		assert_int_equal(event_of(form, &ev), 0);
		if (ev.status != map[i].want)
			fail_msg("MessageStatus=%s gave %s", map[i].s, wa_status_name(ev.status));
		assert_string_equal(ev.from_e164, "");
		wa_event_clear(&ev);
	}
	/* an unreadable ErrorCode or ErrorMessage is dropped, the status kept */
	assert_int_equal(event_of("MessageSid=SMx&MessageStatus=failed&ErrorCode=63O16&ErrorMessage=%FF", &ev), 0);
	assert_int_equal(ev.error_code, 0);
	assert_string_equal(ev.error_title, "");
	wa_event_clear(&ev);
	assert_int_equal(event_of("MessageSid=SMx&MessageStatus=failed&ErrorCode=12345678901", &ev), 0);
	assert_int_equal(ev.error_code, 0);
	wa_event_clear(&ev);
	assert_int_equal(event_of("MessageStatus=failed&ErrorCode=1", &ev), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a2_text_with_escaped_umlauts),
		cmocka_unit_test(test_message_kinds),
		cmocka_unit_test(test_statuses),
		cmocka_unit_test(test_batched_entries_and_other_fields),
		cmocka_unit_test(test_bsuid_sender_without_number),
		cmocka_unit_test(test_invalid_ids_and_senders_are_skipped),
		cmocka_unit_test(test_wrong_types_are_tolerated),
		cmocka_unit_test(test_malformed_envelopes_fail),
		cmocka_unit_test(test_empty_entry_list),
		cmocka_unit_test(test_size_and_event_caps),
		cmocka_unit_test(test_long_text_is_cut_on_a_character),
		cmocka_unit_test(test_duplicate_messages_are_kept),
		cmocka_unit_test(test_form_decoding),
		cmocka_unit_test(test_form_pairs_and_duplicates),
		cmocka_unit_test(test_form_rejects_bad_input),
		cmocka_unit_test(test_twilio_inbound_text),
		cmocka_unit_test(test_twilio_inbound_kinds),
		cmocka_unit_test(test_twilio_inbound_refused),
		cmocka_unit_test(test_twilio_status_callbacks),
	};
	return cmocka_run_group_tests_name("inbound", tests, NULL, NULL);
}
