/*
 * signature.h — checking that a WhatsApp webhook really comes from its provider (api-contracts §1.2,
 * §1.3, §2.4 and the vectors of Appendix A).
 *
 *   Meta Cloud API   X-Hub-Signature-256: "sha256=" + hex(HMAC-SHA256(app secret, raw body bytes))
 *   Twilio           X-Twilio-Signature: base64(HMAC-SHA1(auth token, public URL + name1 + value1 + …))
 *                    over the decoded form parameters sorted by name (byte order), then by value
 *
 * Verify before parsing, over exactly the bytes received (never a re-serialisation: Meta escapes
 * non-ASCII as \uXXXX and signs those bytes). Every comparison of secret-derived bytes is constant-time.
 * Any NULL argument or malformed header makes a verify function return false; nothing here allocates
 * except the Twilio functions (one buffer for the signed string, freed before they return).
 */
#ifndef BOTWERK_CHANNELS_SIGNATURE_H
#define BOTWERK_CHANNELS_SIGNATURE_H

#include <stdbool.h>
#include <stddef.h>

struct form_param; /* channels/inbound.h */

#define SIG_META_HEADER_SIZE 72   /* "sha256=" + 64 hex + NUL */
#define SIG_TWILIO_HEADER_SIZE 29 /* 28 base64 characters of 20 bytes + NUL */

/* True when `header` is "sha256=" (prefix in any case) followed by exactly 64 hex digits (either case)
 * that equal HMAC-SHA256(app_secret, body[0..len)). */
bool sig_meta_verify(const char *app_secret, const void *body, size_t len, const char *header);

/* Writes the header value Meta would send for body into out: "sha256=" + 64 lowercase hex. */
void sig_meta_sign(const char *app_secret, const void *body, size_t len, char out[SIG_META_HEADER_SIZE]);

/* The GET verification handshake (§1.2): true when mode is "subscribe" and token equals the configured
 * verify token (compared in constant time; an empty configured token never matches). The caller then
 * answers 200 with hub.challenge as text/plain, otherwise 403. */
bool sig_meta_handshake(const char *mode, const char *token, const char *verify_token);

/*
 * True when header_b64 is the base64 of HMAC-SHA1(auth_token, url + sorted params) for `url` as given
 * or, like Twilio's SDKs, for the same URL with the scheme's default port (:443 for https, :80 for
 * http) added when it has none or removed when it has exactly that one. url is the full public URL
 * Twilio called, query string included; params are the decoded form parameters in any order
 * (duplicated name/value pairs count once, as the SDKs do). False also when memory runs out.
 */
bool sig_twilio_verify(const char *auth_token, const char *url, const struct form_param *params, size_t n,
		       const char *header_b64);

/* Writes the X-Twilio-Signature value for url + params into out. False (out "") when out of memory. */
bool sig_twilio_sign(const char *auth_token, const char *url, const struct form_param *params, size_t n,
		     char out[SIG_TWILIO_HEADER_SIZE]);

#endif
