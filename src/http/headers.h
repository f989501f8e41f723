/*
 * headers.h — parsing the request headers that decide how a static response is sent: Accept-Encoding
 * (may the body be gzip?) and If-None-Match (does the client already hold this version?). Both take
 * untrusted text of any shape and never read past its NUL.
 */
#ifndef BOTWERK_HTTP_HEADERS_H
#define BOTWERK_HTTP_HEADERS_H

#include <stdbool.h>

/* True when the Accept-Encoding value lists gzip (case-insensitive) without q=0. NULL → false. */
bool header_accepts_gzip(const char *accept_encoding);

/* True when the If-None-Match value is "*" or lists `etag` (quoted, as sent; weak W/ prefixes are
 * compared weakly, as RFC 9110 asks for If-None-Match). NULL → false. */
bool header_etag_matches(const char *if_none_match, const char *etag);

#endif
