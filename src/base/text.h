/*
 * text.h — small text helpers every parser needs: one strict UTF-8 decoder (RFC 3629), cutting UTF-8 on a
 * character boundary, hex digits, and writing a message into a caller's error buffer.
 */
#ifndef BOTWERK_BASE_TEXT_H
#define BOTWERK_BASE_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* One character at s[0..n): its length in bytes (1–4), with its code point in *cp (cp may be NULL), or 0
 * when the bytes there are not a well-formed character — overlong forms, surrogates, code points past
 * U+10FFFF, a sequence cut short, and n == 0. */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* The length of the longest prefix of UTF-8 text s (len bytes) that fits in max bytes without splitting
 * a character. */
size_t utf8_prefix(const char *s, size_t len, size_t max);

/* The value of a hex digit (0–9, a–f, A–F), or -1. */
int hex_value(int c);

/* Formats into err (errlen bytes; nothing when err is NULL or errlen 0), like snprintf. Returns -1, so
 * that a failing function can `return errbuf_set(err, errlen, "…", …);`. */
int errbuf_set(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
