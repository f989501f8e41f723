/*
 * smtp.h — one plain-text email through the operator's SMTP relay (libcurl's SMTP), for notices to a
 * business (a WhatsApp conversation handed over to a person).
 *
 * The relay is BOTWERK_SMTP_URL: smtp://host[:port] (STARTTLS: required when a user is set, so a
 * password never crosses the network in clear; used when offered otherwise) or smtps://host[:port]
 * (TLS from the start). Certificates are checked. The message is UTF-8 text, sent base64-encoded with an
 * RFC 2047 subject, so any relay takes it (no 8BITMIME needed) and no line of it can end the DATA early.
 *
 * smtp_send blocks for up to timeout_ms: call it from a job thread, never an HTTP worker.
 */
#ifndef BOTWERK_NET_SMTP_H
#define BOTWERK_NET_SMTP_H

#include <stddef.h>
#include <stdint.h>

struct smtp_config {
	const char *url;      /* smtp://… or smtps://… */
	const char *from;     /* the envelope sender and the From: address */
	const char *user;     /* NULL or "": no AUTH */
	const char *password;
	long timeout_ms;      /* the whole exchange */
};

struct smtp_mail {
	const char *to;       /* one address (json_check_email) */
	const char *subject;  /* UTF-8, one line */
	const char *text;     /* UTF-8; "\n" line ends */
};

/* The RFC 5322 message for `m` from `from` at now_ms (unix ms), CRLF line ends, into *out (heap, free).
 * 0, or -1 when an address is not one (json_check_email) or memory runs out. */
int smtp_message(const char *from, const struct smtp_mail *m, int64_t now_ms, char **out);

/* Sends `m` through the relay. 0 when the relay accepted it; -1 with the reason in err otherwise
 * (connection, TLS, authentication, a refused sender or recipient, a timeout). */
int smtp_send(const struct smtp_config *c, const struct smtp_mail *m, int64_t now_ms, char *err, size_t errlen);

#endif
