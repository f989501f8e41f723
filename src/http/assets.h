/*
 * assets.h — static files (web/: the widget, page styles) embedded into the binary at build time by
 * tools/embed.c, each with its gzip form and an ETag, and how they are served.
 */
#ifndef BOTWERK_HTTP_ASSETS_H
#define BOTWERK_HTTP_ASSETS_H

#include <stdbool.h>
#include <stddef.h>

struct req;

struct asset {
	const char *name;         /* base name: "widget.js" */
	const char *content_type;
	const char *etag;         /* quoted, as sent */
	const unsigned char *data;
	size_t len;
	const unsigned char *gz;  /* the same content, gzip-compressed at build time */
	size_t gz_len;
};

extern const struct asset web_assets[];
extern const size_t web_assets_count;

/* The embedded asset with this base name, or NULL. */
const struct asset *asset_find(const char *name);

/* The ETag without quotes, for versioned URLs ("/widget.js?v=…"). */
void asset_version(const struct asset *a, char out[17]);

/* Answers with the asset: 304 when If-None-Match matches, the gzip form when the client accepts it
 * (Vary: Accept-Encoding), the ETag, and Cache-Control — a year and immutable when `immutable` (the URL
 * carries the version), else a short max-age with revalidation. */
int resp_asset(struct req *r, const struct asset *a, bool immutable);

#endif
