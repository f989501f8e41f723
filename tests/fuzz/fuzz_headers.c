/*
 * fuzz_headers.c — libFuzzer harness for the Accept-Encoding and If-None-Match parsers
 * (src/http/headers.c), which read request headers of every asset request.
 *
 * Input: the header value (a NUL-terminated copy of exactly its size, so ASan sees any over-read).
 * Invariants checked (abort on violation):
 *   - the result of header_accepts_gzip equals an independent, simpler reading of the list;
 *   - header_etag_matches is true for a list that ends with ", <etag>" appended to the input, and for
 *     "*"; it never matches an etag that does not occur in the input.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/headers.h"

/* The reference reading: split on ',', trim, token before ';' is gzip, no q parameter equal to zero. */
static bool reference_gzip(const char *s)
{
	char *copy = strdup(s), *save = NULL;
	bool ok = false;
	if (!copy)
		abort();
	for (char *item = strtok_r(copy, ",", &save); item && !ok; item = strtok_r(NULL, ",", &save)) {
		item += strspn(item, " \t");
		size_t tok = strcspn(item, " \t;");
		if (tok != 4 || strncasecmp(item, "gzip", 4) != 0)
			continue;
		double q = 1.0;
		for (char *p = item + tok; *p; p++) {
			if ((*p == 'q' || *p == 'Q') && p[1] == '=' && (p[-1] == ';' || p[-1] == ' ' || p[-1] == '\t')) {
				char num[8] = {0};
				size_t j = 0;
				for (char *k = p + 2; *k && j < sizeof num - 1 && strchr("0123456789.", *k); k++)
					num[j++] = *k;
				q = j ? strtod(num, NULL) : 1.0;
				break;
			}
		}
		ok = q > 0.0;
	}
	free(copy);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (strlen(s) == size) { /* header values never hold NUL */
		if (header_accepts_gzip(s) != reference_gzip(s))
			abort();
		const char *etag = "\"0123456789abcdef\"";
		char *with = malloc(size + 32);
		if (!with)
			abort();
		snprintf(with, size + 32, "%s, %s", s, etag);
		if (!header_etag_matches(with, etag))
			abort();
		if (!strstr(s, "0123456789abcdef") && !strchr(s, '*') && header_etag_matches(s, etag))
			abort();
		free(with);
	}
	free(s);
	return 0;
}
