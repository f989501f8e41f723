/*
 * image.h — what an uploaded image is, judged by its bytes: PNG (signature and IHDR) or JPEG (SOI and the
 * first SOFn frame header), with its width and height. Only the header is read; the pixel data is never
 * decoded. Takes untrusted bytes of any length and never reads past `len`.
 */
#ifndef BOTWERK_HTTP_IMAGE_H
#define BOTWERK_HTTP_IMAGE_H

#include <stddef.h>
#include <stdint.h>

enum image_type { IMAGE_UNKNOWN = 0, IMAGE_PNG, IMAGE_JPEG };

enum image_rc {
	IMAGE_OK = 0,
	IMAGE_NOT_IMAGE = -1, /* neither a PNG nor a JPEG signature */
	IMAGE_MALFORMED = -2, /* the signature of one, but its header is truncated or invalid */
};

struct image_info {
	enum image_type type;
	uint32_t width, height;
};

/* Reads the header of `data`. IMAGE_OK with *out filled; otherwise out->type still says which signature
 * was seen (IMAGE_MALFORMED) and *why (when not NULL) points at a static sentence for the client. */
int image_probe(const unsigned char *data, size_t len, struct image_info *out, const char **why);

/* "image/png", "image/jpeg", or NULL for IMAGE_UNKNOWN. */
const char *image_mime(enum image_type t);

/* The type a Content-Type header value names ("image/png", "image/jpeg" or "image/jpg", case-insensitive,
 * parameters after ';' ignored); IMAGE_UNKNOWN for anything else or NULL. */
enum image_type image_type_of_mime(const char *content_type);

#endif
