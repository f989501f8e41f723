/* smtp.c — one plain-text email through an SMTP relay; see smtp.h. */
#include "net/smtp.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/json.h"
#include "base/strbuf.h"
#include "base/text.h"
#include "base/text.h"

#define SUBJECT_CHUNK 42 /* UTF-8 bytes per encoded word: 56 base64 characters, a line under 78 */
#define BODY_LINE 57     /* bytes per base64 body line: 76 characters */

static void put_b64(struct strbuf *b, const unsigned char *bin, size_t n)
{
	char out[BODY_LINE * 2 + 8];
	sodium_bin2base64(out, sizeof out, bin, n, sodium_base64_VARIANT_ORIGINAL);
	strbuf_adds(b, out);
}

/* "Subject:" as RFC 2047 encoded words, folded; CR and LF in the subject become spaces. */
static void put_subject(struct strbuf *b, const char *subject)
{
	size_t len = strlen(subject);
	char *s = malloc(len + 1);
	if (!s) {
		b->failed = true;
		return;
	}
	for (size_t i = 0; i <= len; i++)
		s[i] = subject[i] == '\r' || subject[i] == '\n' ? ' ' : subject[i];
	strbuf_adds(b, "Subject:");
	for (size_t at = 0; at < len;) {
		size_t n = utf8_prefix(s + at, len - at, SUBJECT_CHUNK);
		if (n == 0) /* not UTF-8 there: cut anywhere rather than never */
			n = len - at < SUBJECT_CHUNK ? len - at : SUBJECT_CHUNK;
		strbuf_adds(b, at ? "\r\n =?UTF-8?B?" : " =?UTF-8?B?");
		put_b64(b, (const unsigned char *)s + at, n);
		strbuf_adds(b, "?=");
		at += n;
	}
	strbuf_adds(b, "\r\n");
	free(s);
}

/* The body: the text with CRLF line ends, base64 in lines of 76 characters. */
static void put_body(struct strbuf *b, const char *text)
{
	struct strbuf crlf = {0};
	for (const char *p = text; *p; p++) {
		if (*p == '\n' && (p == text || p[-1] != '\r'))
			strbuf_addc(&crlf, '\r');
		strbuf_addc(&crlf, *p);
	}
	if (crlf.failed) {
		b->failed = true;
		strbuf_free(&crlf);
		return;
	}
	for (size_t at = 0; at < crlf.len; at += BODY_LINE) {
		size_t n = crlf.len - at < BODY_LINE ? crlf.len - at : BODY_LINE;
		put_b64(b, (const unsigned char *)crlf.p + at, n);
		strbuf_adds(b, "\r\n");
	}
	strbuf_free(&crlf);
}

int smtp_message(const char *from, const struct smtp_mail *m, int64_t now_ms, char **out)
{
	static const char *const day[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	*out = NULL;
	if (!from || !m->to || !json_check_email(from) || !json_check_email(m->to))
		return -1;
	struct strbuf b = {0};
	struct tm tm;
	time_t t = (time_t)(now_ms / 1000);
	char line[512];
	unsigned char rnd[12];
	char hex[sizeof rnd * 2 + 1];
	gmtime_r(&t, &tm);
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
	snprintf(line, sizeof line, "From: <%s>\r\nTo: <%s>\r\n", from, m->to);
	strbuf_adds(&b, line);
	put_subject(&b, m->subject ? m->subject : "");
	snprintf(line, sizeof line, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", day[tm.tm_wday], tm.tm_mday,
		 mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	strbuf_adds(&b, line);
	snprintf(line, sizeof line, "Message-ID: <%s.%lld%s>\r\n", hex, (long long)now_ms, strchr(from, '@'));
	strbuf_adds(&b, line);
	strbuf_adds(&b, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
		  "Content-Transfer-Encoding: base64\r\nAuto-Submitted: auto-generated\r\n\r\n");
	put_body(&b, m->text ? m->text : "");
	*out = strbuf_take(&b);
	return *out ? 0 : -1;
}

struct upload {
	const char *p;
	size_t left;
};

static size_t read_cb(char *dst, size_t size, size_t n, void *ud)
{
	struct upload *u = ud;
	size_t k = size * n < u->left ? size * n : u->left;
	memcpy(dst, u->p, k);
	u->p += k;
	u->left -= k;
	return k;
}

int smtp_send(const struct smtp_config *c, const struct smtp_mail *m, int64_t now_ms, char *err, size_t errlen)
{
	char *msg = NULL, addr[300];
	CURL *h = NULL;
	struct curl_slist *rcpt = NULL;
	int rc = -1;
	bool auth = c->user && *c->user;
	if (!c->url || (strncmp(c->url, "smtp://", 7) && strncmp(c->url, "smtps://", 8))) {
		snprintf(err, errlen, "the SMTP relay must be an smtp:// or smtps:// URL");
		return -1;
	}
	if (smtp_message(c->from, m, now_ms, &msg) != 0) {
		snprintf(err, errlen, "the sender or the recipient is not an email address");
		return -1;
	}
	snprintf(addr, sizeof addr, "<%s>", m->to);
	if (!(h = curl_easy_init()) || !(rcpt = curl_slist_append(NULL, addr))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	struct upload up = {msg, strlen(msg)};
	char from[300];
	snprintf(from, sizeof from, "<%s>", c->from);
	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms > 0 ? c->timeout_ms : 30000L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms > 0 && c->timeout_ms < 10000 ? c->timeout_ms : 10000L);
	/* a password only over TLS: STARTTLS is required then; without one, it is used when offered */
	curl_easy_setopt(h, CURLOPT_USE_SSL, auth ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
	if (auth) {
		curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, c->password ? c->password : "");
	}
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &up);
	CURLcode cc = curl_easy_perform(h);
	if (cc != CURLE_OK) {
		long code = 0;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		if (code)
			snprintf(err, errlen, "SMTP relay: %s (reply %ld)", curl_easy_strerror(cc), code);
		else
			snprintf(err, errlen, "SMTP relay: %s", curl_easy_strerror(cc));
		goto out;
	}
	rc = 0;
out:
	curl_slist_free_all(rcpt);
	if (h)
		curl_easy_cleanup(h);
	free(msg);
	return rc;
}
