/*
 * multipart.h — the parts of a multipart/form-data body (RFC 7578) a handler received whole, read with
 * libmicrohttpd's post processor. Fields are kept in memory up to a cap per field and a number of
 * fields; anything past them is an error, never silently cut.
 */
#ifndef BOTWERK_API_MULTIPART_H
#define BOTWERK_API_MULTIPART_H

#include <stdbool.h>
#include <stddef.h>

#include "http/req.h"

#define MP_MAX_PARTS 8
#define MP_NAME_MAX 64

struct mp_part {
	char name[MP_NAME_MAX];
	char *filename;     /* NULL for a plain field */
	char *content_type; /* as sent, NULL when none */
	char *data;         /* NUL-terminated for convenience; len bytes */
	size_t len, cap;
};

struct mp_form {
	struct mp_part parts[MP_MAX_PARTS];
	int n;
};

/* Reads r's body (r->multipart). max_field: bytes per field. 0, or -1 with a message for the client. */
int mp_parse(struct req *r, struct mp_form *f, size_t max_field, char *err, size_t errlen);
const struct mp_part *mp_get(const struct mp_form *f, const char *name);
void mp_free(struct mp_form *f);

#endif
