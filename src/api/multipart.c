/* multipart.c — multipart/form-data through libmicrohttpd's post processor; see multipart.h. */
#include "api/multipart.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mp_ctx {
	struct mp_form *f;
	size_t max_field;
	char err[160];
};

static struct mp_part *part_for(struct mp_ctx *c, const char *key, const char *filename, const char *ctype)
{
	struct mp_form *f = c->f;
	if (f->n > 0 && !strcmp(f->parts[f->n - 1].name, key))
		return &f->parts[f->n - 1]; /* the next piece of the same field */
	for (int i = 0; i < f->n; i++)
		if (!strcmp(f->parts[i].name, key)) {
			snprintf(c->err, sizeof c->err, "the field \"%.40s\" is given twice", key);
			return NULL;
		}
	if (f->n == MP_MAX_PARTS || strlen(key) >= MP_NAME_MAX) {
		snprintf(c->err, sizeof c->err, "too many or too long form fields");
		return NULL;
	}
	struct mp_part *p = &f->parts[f->n++];
	snprintf(p->name, sizeof p->name, "%s", key);
	if ((filename && !(p->filename = strdup(filename))) || (ctype && !(p->content_type = strdup(ctype)))) {
		snprintf(c->err, sizeof c->err, "out of memory");
		return NULL;
	}
	return p;
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
			       const char *content_type, const char *transfer_encoding, const char *data, uint64_t off,
			       size_t size)
{
	(void)kind;
	(void)transfer_encoding;
	(void)off;
	struct mp_ctx *c = cls;
	struct mp_part *p = part_for(c, key ? key : "", filename, content_type);
	if (!p)
		return MHD_NO;
	if (size > c->max_field - p->len) {
		snprintf(c->err, sizeof c->err, "the field \"%.40s\" is larger than %zu bytes", p->name, c->max_field);
		return MHD_NO;
	}
	if (p->len + size + 1 > p->cap) {
		size_t cap = p->cap ? p->cap : 4096;
		while (cap < p->len + size + 1)
			cap *= 2;
		char *d = realloc(p->data, cap);
		if (!d) {
			snprintf(c->err, sizeof c->err, "out of memory");
			return MHD_NO;
		}
		p->data = d;
		p->cap = cap;
	}
	if (size)
		memcpy(p->data + p->len, data, size);
	p->len += size;
	p->data[p->len] = '\0';
	return MHD_YES;
}

int mp_parse(struct req *r, struct mp_form *f, size_t max_field, char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	struct mp_ctx c = {.f = f, .max_field = max_field};
	struct MHD_PostProcessor *pp = MHD_create_post_processor(r->conn, 64 * 1024, on_part, &c);
	if (!pp) {
		snprintf(err, errlen, "the body is not multipart/form-data with a boundary");
		return -1;
	}
	enum MHD_Result ok = MHD_post_process(pp, r->body, r->body_len);
	enum MHD_Result fin = MHD_destroy_post_processor(pp);
	if (ok != MHD_YES || fin != MHD_YES) {
		snprintf(err, errlen, "%s", c.err[0] ? c.err : "the multipart body is malformed");
		mp_free(f);
		return -1;
	}
	return 0;
}

const struct mp_part *mp_get(const struct mp_form *f, const char *name)
{
	for (int i = 0; i < f->n; i++)
		if (!strcmp(f->parts[i].name, name))
			return &f->parts[i];
	return NULL;
}

void mp_free(struct mp_form *f)
{
	for (int i = 0; i < f->n; i++) {
		free(f->parts[i].filename);
		free(f->parts[i].content_type);
		free(f->parts[i].data);
	}
	memset(f, 0, sizeof *f);
}
