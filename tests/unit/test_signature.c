/*
 * test_signature.c — unit tests for src/channels/signature.c: the Meta and Twilio webhook signatures
 * against every WhatsApp vector of api-contracts Appendix A (A1–A4, and A2's negative case), and the
 * ways a signature must fail (wrong secret, one changed byte, empty, garbled or truncated headers).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <string.h>

#include "channels/inbound.h"
#include "channels/signature.h"

#define P(k, v) {(char *)(k), (char *)(v)}

/* Appendix A2: 336 bytes, the backslashes are literal (Meta's \u escapes, lowercase hex). */
static const char A2_BODY[] =
	"{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"field\":\"messages\","
	"\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":\"4930123456\","
	"\"phone_number_id\":\"111\"},\"messages\":[{\"from\":\"4915112345678\",\"id\":\"wamid.TEST1\","
	"\"timestamp\":\"1767225600\",\"type\":\"text\",\"text\":{\"body\":\"Gr\\u00fc\\u00dfe\"}}]}}]}]}";
static const char A2_SIG[] = "sha256=7744f7ddb7a1d4390f30103bd6ea7723a89ec313adef523d22edbc6f2d082109";

static const char A1_BODY[] = "{\"object\":\"whatsapp_business_account\",\"entry\":[]}";
static const char A1_SIG[] = "sha256=20e391a99a86fc5adf7e3a453236d20c906360291977896cf2f671e03bb95703";

/* Appendix A4, in a shuffled order: the signature sorts them. */
static const struct form_param A4_PARAMS[] = {
	P("To", "whatsapp:+4930123456"),
	P("Body", "Hallo Welt"),
	P("WaId", "4915112345678"),
	P("MessageSid", "SM00000000000000000000000000000001"),
	P("From", "whatsapp:+4915112345678"),
	P("NumMedia", "0"),
	P("AccountSid", "AC00000000000000000000000000000000"),
	P("ProfileName", "Max"),
};
#define A4_N (sizeof A4_PARAMS / sizeof A4_PARAMS[0])
static const char A4_URL[] = "https://example.test/wa/twilio/t_123";
static const char A4_URL_443[] = "https://example.test:443/wa/twilio/t_123";
static const char A4_SIG[] = "Dr4RZuym9owcUO7/1YF6NCmBXoo=";
static const char A4_SIG_443[] = "QGO+ETPeIN8gii0RF+1cJE4UvUo=";

static void test_meta_vectors_a1_a2(void **state)
{
	(void)state;
	char out[SIG_META_HEADER_SIZE];
	assert_int_equal(strlen(A2_BODY), 336);
	sig_meta_sign("app-secret-123", A1_BODY, strlen(A1_BODY), out);
	assert_string_equal(out, A1_SIG);
	assert_true(sig_meta_verify("app-secret-123", A1_BODY, strlen(A1_BODY), A1_SIG));
	sig_meta_sign("app_secret_test", A2_BODY, strlen(A2_BODY), out);
	assert_string_equal(out, A2_SIG);
	assert_true(sig_meta_verify("app_secret_test", A2_BODY, strlen(A2_BODY), A2_SIG));
}

/* A2 negative: the same JSON re-serialised with "Grüße" as UTF-8 must not verify. */
static void test_meta_a2_reserialised_fails(void **state)
{
	(void)state;
	char body[sizeof A2_BODY];
	const char *esc = "Gr\\u00fc\\u00dfe";
	const char *at = strstr(A2_BODY, esc);
	assert_non_null(at);
	size_t pre = (size_t)(at - A2_BODY);
	memcpy(body, A2_BODY, pre);
	memcpy(body + pre, "Gr\xc3\xbc\xc3\x9f" "e", 7);
	strcpy(body + pre + 7, at + strlen(esc));
	assert_non_null(strstr(body, "Grüße"));
	assert_false(sig_meta_verify("app_secret_test", body, strlen(body), A2_SIG));
}

static void test_meta_rejects_wrong_secret_byte_and_headers(void **state)
{
	(void)state;
	char body[sizeof A1_BODY], hdr[sizeof A1_SIG];
	size_t len = strlen(A1_BODY);
	assert_false(sig_meta_verify("app-secret-124", A1_BODY, len, A1_SIG));
	assert_false(sig_meta_verify("", A1_BODY, len, A1_SIG));
	/* every single flipped byte of the body */
	for (size_t i = 0; i < len; i++) {
		memcpy(body, A1_BODY, sizeof body);
		body[i] ^= 0x01;
		if (sig_meta_verify("app-secret-123", body, len, A1_SIG))
			fail_msg("body with byte %zu changed verified", i);
	}
	assert_false(sig_meta_verify("app-secret-123", A1_BODY, len - 1, A1_SIG));
	const char *bad[] = {
		"", "sha256=", "sha256", "sha1=20e391a99a86fc5adf7e3a453236d20c90636029",
		"20e391a99a86fc5adf7e3a453236d20c906360291977896cf2f671e03bb95703",
		"sha256=20e391a99a86fc5adf7e3a453236d20c906360291977896cf2f671e03bb9570", /* 63 hex */
		"sha256=20e391a99a86fc5adf7e3a453236d20c906360291977896cf2f671e03bb957030", /* 65 hex */
		"sha256=20e391a99a86fc5adf7e3a453236d20c906360291977896cf2f671e03bb9570g",
		"sha256= 20e391a99a86fc5adf7e3a453236d20c906360291977896cf2f671e03bb95703",
		"sha256=20e391a99a86fc5adf7e3a453236d20c906360291977896cf2f671e03bb95703 ",
		"sha256=20:e3:91:a9:9a:86:fc:5a:df:7e:3a:45:32:36:d2:0c:90:63:60:29:19:77:89:6c:f2:f6:71:e0",
		"sha256=00e391a99a86fc5adf7e3a453236d20c906360291977896cf2f671e03bb95703",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (sig_meta_verify("app-secret-123", A1_BODY, len, bad[i]))
			fail_msg("header \"%s\" verified", bad[i]);
	assert_false(sig_meta_verify("app-secret-123", A1_BODY, len, NULL));
	assert_false(sig_meta_verify(NULL, A1_BODY, len, A1_SIG));
	assert_false(sig_meta_verify("app-secret-123", NULL, len, A1_SIG));
	/* upper-case hex and prefix are accepted */
	strcpy(hdr, A1_SIG);
	for (char *p = hdr; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	assert_true(sig_meta_verify("app-secret-123", A1_BODY, len, hdr));
}

static void test_meta_empty_body(void **state)
{
	(void)state;
	char out[SIG_META_HEADER_SIZE];
	sig_meta_sign("k", "", 0, out);
	assert_int_equal(strlen(out), SIG_META_HEADER_SIZE - 1);
	assert_true(sig_meta_verify("k", "", 0, out));
	assert_true(sig_meta_verify("k", NULL, 0, out));
	assert_false(sig_meta_verify("k", " ", 1, out));
}

static void test_meta_handshake(void **state)
{
	(void)state;
	assert_true(sig_meta_handshake("subscribe", "verify-me", "verify-me"));
	assert_false(sig_meta_handshake("subscribe", "verify-mE", "verify-me"));
	assert_false(sig_meta_handshake("subscribe", "verify-me ", "verify-me"));
	assert_false(sig_meta_handshake("subscribe", "", "verify-me"));
	assert_false(sig_meta_handshake("unsubscribe", "verify-me", "verify-me"));
	assert_false(sig_meta_handshake("Subscribe", "verify-me", "verify-me"));
	assert_false(sig_meta_handshake("subscribe", "", ""));
	assert_false(sig_meta_handshake(NULL, "verify-me", "verify-me"));
	assert_false(sig_meta_handshake("subscribe", NULL, "verify-me"));
	assert_false(sig_meta_handshake("subscribe", "verify-me", NULL));
}

static void test_twilio_vector_a3(void **state)
{
	(void)state;
	const struct form_param p[] = {
		P("Digits", "1234"), P("To", "+18005551212"), P("Caller", "+12349013030"),
		P("From", "+12349013030"), P("CallSid", "CA1234567890ABCDE"),
	};
	const char *url = "https://mycompany.com/myapp.php?foo=1&bar=2";
	char out[SIG_TWILIO_HEADER_SIZE];
	assert_true(sig_twilio_sign("12345", url, p, 5, out));
	assert_string_equal(out, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
	assert_true(sig_twilio_verify("12345", url, p, 5, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
	assert_false(sig_twilio_verify("12346", url, p, 5, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
	assert_false(sig_twilio_verify("12345", "https://mycompany.com/myapp.php?foo=1&bar=3", p, 5,
				       "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
	assert_false(sig_twilio_verify("12345", url, p, 4, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
}

static void test_twilio_vector_a4_and_default_port(void **state)
{
	(void)state;
	char out[SIG_TWILIO_HEADER_SIZE];
	assert_true(sig_twilio_sign("test_auth_token", A4_URL, A4_PARAMS, A4_N, out));
	assert_string_equal(out, A4_SIG);
	assert_true(sig_twilio_sign("test_auth_token", A4_URL_443, A4_PARAMS, A4_N, out));
	assert_string_equal(out, A4_SIG_443);
	/* each signature verifies against either spelling of the URL */
	assert_true(sig_twilio_verify("test_auth_token", A4_URL, A4_PARAMS, A4_N, A4_SIG));
	assert_true(sig_twilio_verify("test_auth_token", A4_URL, A4_PARAMS, A4_N, A4_SIG_443));
	assert_true(sig_twilio_verify("test_auth_token", A4_URL_443, A4_PARAMS, A4_N, A4_SIG));
	assert_true(sig_twilio_verify("test_auth_token", A4_URL_443, A4_PARAMS, A4_N, A4_SIG_443));
	/* another port, or http's default on an https URL, is not the same URL */
	assert_false(sig_twilio_verify("test_auth_token", "https://example.test:8443/wa/twilio/t_123", A4_PARAMS,
				       A4_N, A4_SIG));
	assert_false(sig_twilio_verify("test_auth_token", "https://example.test:80/wa/twilio/t_123", A4_PARAMS,
				       A4_N, A4_SIG));
	assert_false(sig_twilio_verify("test_auth_token", "http://example.test/wa/twilio/t_123", A4_PARAMS, A4_N,
				       A4_SIG));
	assert_false(sig_twilio_verify("test_auth_token", "https://example.test/wa/twilio/t_123/", A4_PARAMS,
				       A4_N, A4_SIG));
}

/* Signs with one spelling, verifies with the other. */
static void check_port_pair(const char *signed_url, const char *verify_url, bool expect)
{
	const struct form_param p[] = {P("Body", "x")};
	char out[SIG_TWILIO_HEADER_SIZE];
	assert_true(sig_twilio_sign("tok", signed_url, p, 1, out));
	if (sig_twilio_verify("tok", verify_url, p, 1, out) != expect)
		fail_msg("signed over %s, verified over %s: expected %s", signed_url, verify_url,
			 expect ? "true" : "false");
}

static void test_twilio_port_spellings(void **state)
{
	(void)state;
	check_port_pair("http://h.test:80/x?a=1", "http://h.test/x?a=1", true);
	check_port_pair("http://h.test/x?a=1", "http://h.test:80/x?a=1", true);
	check_port_pair("http://h.test:443/x", "http://h.test/x", false);
	check_port_pair("https://h.test:443", "https://h.test", true);
	check_port_pair("https://h.test:443?q=1", "https://h.test?q=1", true);
	check_port_pair("https://user:pw@h.test:443/x", "https://user:pw@h.test/x", true);
	check_port_pair("https://[::1]:443/x", "https://[::1]/x", true);
	check_port_pair("https://[::1]/x", "https://[::1]:443/x", true);
	check_port_pair("HTTPS://h.test:443/x", "HTTPS://h.test/x", true);
	check_port_pair("https://h.test:4430/x", "https://h.test/x", false);
	check_port_pair("ftp://h.test:443/x", "ftp://h.test/x", false);
	check_port_pair("https://h.test:/x", "https://h.test/x", false);
	check_port_pair("not a url", "not a url", true);
	check_port_pair("https://", "https://", true);
	check_port_pair("https://[::1/x", "https://[::1/x", true);
}

static void test_twilio_duplicates_sort_by_value(void **state)
{
	(void)state;
	/* MediaUrl repeated: sorted by value, and a pair given twice is signed once (as Twilio's SDKs) */
	const struct form_param a[] = {P("MediaUrl", "https://b"), P("Body", ""), P("MediaUrl", "https://a")};
	const struct form_param b[] = {P("MediaUrl", "https://a"), P("MediaUrl", "https://b"), P("Body", "")};
	const struct form_param c[] = {P("MediaUrl", "https://a"), P("MediaUrl", "https://b"), P("Body", ""),
				       P("MediaUrl", "https://a")};
	const struct form_param one[] = {P("BodyMediaUrlhttps://a", ""), P("MediaUrl", "https://b")};
	char sa[SIG_TWILIO_HEADER_SIZE], sb[SIG_TWILIO_HEADER_SIZE], sc[SIG_TWILIO_HEADER_SIZE],
		s1[SIG_TWILIO_HEADER_SIZE];
	assert_true(sig_twilio_sign("tok", "https://h/x", a, 3, sa));
	assert_true(sig_twilio_sign("tok", "https://h/x", b, 3, sb));
	assert_true(sig_twilio_sign("tok", "https://h/x", c, 4, sc));
	assert_string_equal(sa, sb);
	assert_string_equal(sa, sc);
	/* the signed string is url + "Body" + "" + "MediaUrl" + "https://a" + "MediaUrl" + "https://b" */
	assert_true(sig_twilio_sign("tok", "https://h/x", one, 2, s1));
	assert_string_equal(sa, s1);
	/* byte order: upper case sorts before lower case, "CallSid" before "Caller" */
	const struct form_param d[] = {P("a", "1"), P("B", "2")}, e[] = {P("B", "2"), P("a", "1")};
	const struct form_param flat[] = {P("B2a1", "")};
	assert_true(sig_twilio_sign("tok", "u", d, 2, sa));
	assert_true(sig_twilio_sign("tok", "u", e, 2, sb));
	assert_true(sig_twilio_sign("tok", "u", flat, 1, sc));
	assert_string_equal(sa, sb);
	assert_string_equal(sa, sc);
	/* no parameters: the URL alone */
	assert_true(sig_twilio_sign("tok", "https://h/x", NULL, 0, sa));
	assert_true(sig_twilio_verify("tok", "https://h/x", NULL, 0, sa));
}

static void test_twilio_rejects_bad_headers(void **state)
{
	(void)state;
	const char *bad[] = {
		"", "Dr4RZuym9owcUO7/1YF6NCmBXoo", "Dr4RZuym9owcUO7/1YF6NCmBXoo==", " Dr4RZuym9owcUO7/1YF6NCmBXoo=",
		"Dr4RZuym9owcUO7/1YF6NCmBXoo= ", "Dr4RZuym9owcUO7_1YF6NCmBXoo=", "Dr4RZuym9owcUO7/1YF6NCmBXoo=AAAA",
		"Dr4RZuym9owcUO7/1YF6NCmBXop=", "dr4RZuym9owcUO7/1YF6NCmBXoo=", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"sha1=Dr4RZuym9owcUO7/1YF6NCmBXoo=",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (sig_twilio_verify("test_auth_token", A4_URL, A4_PARAMS, A4_N, bad[i]))
			fail_msg("header \"%s\" verified", bad[i]);
	assert_false(sig_twilio_verify("test_auth_token", A4_URL, A4_PARAMS, A4_N, NULL));
	assert_false(sig_twilio_verify("wrong_auth_token", A4_URL, A4_PARAMS, A4_N, A4_SIG));
	assert_false(sig_twilio_verify(NULL, A4_URL, A4_PARAMS, A4_N, A4_SIG));
	assert_false(sig_twilio_verify("test_auth_token", NULL, A4_PARAMS, A4_N, A4_SIG));
	assert_false(sig_twilio_verify("test_auth_token", A4_URL, NULL, A4_N, A4_SIG));
	/* one changed value byte */
	struct form_param p[A4_N];
	memcpy(p, A4_PARAMS, sizeof p);
	p[1].value = (char *)"Hallo welt";
	assert_false(sig_twilio_verify("test_auth_token", A4_URL, p, A4_N, A4_SIG));
	/* the signature is over decoded values: "Hallo+Welt" is not "Hallo Welt" */
	p[1].value = (char *)"Hallo+Welt";
	assert_false(sig_twilio_verify("test_auth_token", A4_URL, p, A4_N, A4_SIG));
}

/* The whole path a Twilio webhook takes: decode the form body of A4, then verify. */
static void test_twilio_a4_from_form_body(void **state)
{
	(void)state;
	const char *body = "AccountSid=AC00000000000000000000000000000000&Body=Hallo+Welt"
			   "&From=whatsapp%3A%2B4915112345678&MessageSid=SM00000000000000000000000000000001"
			   "&NumMedia=0&ProfileName=Max&To=whatsapp%3A%2B4930123456&WaId=4915112345678";
	struct form_param p[16];
	size_t n = 0;
	assert_int_equal(twilio_parse_form(body, strlen(body), p, 16, &n), 0);
	assert_int_equal(n, 8);
	assert_true(sig_twilio_verify("test_auth_token", A4_URL, p, n, A4_SIG));
	assert_true(sig_twilio_verify("test_auth_token", A4_URL_443, p, n, A4_SIG));
	form_params_free(p, n);
}

static int setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meta_vectors_a1_a2),
		cmocka_unit_test(test_meta_a2_reserialised_fails),
		cmocka_unit_test(test_meta_rejects_wrong_secret_byte_and_headers),
		cmocka_unit_test(test_meta_empty_body),
		cmocka_unit_test(test_meta_handshake),
		cmocka_unit_test(test_twilio_vector_a3),
		cmocka_unit_test(test_twilio_vector_a4_and_default_port),
		cmocka_unit_test(test_twilio_port_spellings),
		cmocka_unit_test(test_twilio_duplicates_sort_by_value),
		cmocka_unit_test(test_twilio_rejects_bad_headers),
		cmocka_unit_test(test_twilio_a4_from_form_body),
	};
	return cmocka_run_group_tests_name("signature", tests, setup, NULL);
}
