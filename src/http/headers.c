/* headers.c — Accept-Encoding and If-None-Match parsing (see headers.h). */
#include "http/headers.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LIST_SEP " \t,"

bool header_etag_matches(const char *inm, const char *etag)
{
	if (!inm)
		return false;
	size_t n = strlen(etag);
	for (const char *p = inm; *p;) {
		p += strspn(p, LIST_SEP);
		if (!*p)
			break;
		size_t item = strcspn(p, ",");
		const char *v = p;
		if (item >= 2 && !strncmp(v, "W/", 2))
			v += 2;
		size_t vlen = item - (size_t)(v - p);
		while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
			vlen--;
		if ((vlen == 1 && *v == '*') || (vlen == n && !strncmp(v, etag, n)))
			return true;
		p += item;
	}
	return false;
}

/* The q value of one Accept-Encoding item's parameters ("; q=0.5"), 1 when absent or unreadable. */
static double item_q(const char *params, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if ((params[i] == 'q' || params[i] == 'Q') && params[i + 1] == '=' &&
		    (i == 0 || params[i - 1] == ';' || params[i - 1] == ' ' || params[i - 1] == '\t')) {
			char num[8] = {0};
			size_t j = 0;
			for (size_t k = i + 2; k < len && j < sizeof num - 1 && strchr("0123456789.", params[k]); k++)
				num[j++] = params[k];
			return j ? strtod(num, NULL) : 1.0;
		}
	}
	return 1.0;
}

bool header_accepts_gzip(const char *ae)
{
	if (!ae)
		return false;
	for (const char *p = ae; *p;) {
		p += strspn(p, LIST_SEP);
		if (!*p)
			break;
		size_t item = strcspn(p, ",");
		size_t tok = strcspn(p, " \t;,");
		if (tok == 4 && !strncasecmp(p, "gzip", 4) && item_q(p + tok, item - tok) > 0.0)
			return true;
		p += item;
	}
	return false;
}
