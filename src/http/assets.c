/* assets.c — finding and serving the embedded static files (see assets.h). */
#include "http/assets.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "http/headers.h"
#include "http/req.h"

const struct asset *asset_find(const char *name)
{
	for (size_t i = 0; i < web_assets_count; i++)
		if (!strcmp(web_assets[i].name, name))
			return &web_assets[i];
	return NULL;
}

void asset_version(const struct asset *a, char out[17])
{
	snprintf(out, 17, "%.16s", a->etag + 1);
}

int resp_asset(struct req *r, const struct asset *a, bool immutable)
{
	resp_header(r, "Cache-Control", immutable ? "public, max-age=31536000, immutable" : "public, max-age=300");
	resp_header(r, "ETag", a->etag);
	resp_header(r, "Vary", "Accept-Encoding");
	const char *inm = req_header(r, "If-None-Match");
	if (header_etag_matches(inm, a->etag))
		return resp_empty(r, 304);
	if (header_accepts_gzip(req_header(r, "Accept-Encoding"))) {
		resp_header(r, "Content-Encoding", "gzip");
		return resp_static(r, 200, a->content_type, a->gz, a->gz_len);
	}
	return resp_static(r, 200, a->content_type, a->data, a->len);
}
