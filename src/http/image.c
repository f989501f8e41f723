/* image.c — PNG and JPEG headers, read from untrusted bytes (see image.h). */
#include "http/image.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint32_t be16(const unsigned char *p)
{
	return (uint32_t)p[0] << 8 | (uint32_t)p[1];
}

/* CRC-32 (ISO 3309, as PNG uses it), bitwise: IHDR is 17 bytes, a table is not worth it. */
static uint32_t crc32_png(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
	}
	return c ^ 0xffffffffu;
}

static bool png_depth_ok(unsigned color, unsigned depth)
{
	switch (color) {
	case 0: /* grey */
		return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
	case 3: /* palette */
		return depth == 1 || depth == 2 || depth == 4 || depth == 8;
	case 2: /* RGB */
	case 4: /* grey + alpha */
	case 6: /* RGBA */
		return depth == 8 || depth == 16;
	default:
		return false;
	}
}

/* Signature, then the first chunk, which must be IHDR: length 13, width, height, depth, colour type,
 * compression 0, filter 0, interlace 0|1, and its CRC. */
static int png_probe(const unsigned char *d, size_t len, struct image_info *out, const char **why)
{
	if (len < 8 + 8 + 13 + 4) {
		*why = "the PNG image is truncated before the end of its header (IHDR)";
		return IMAGE_MALFORMED;
	}
	const unsigned char *chunk = d + 8;
	if (be32(chunk) != 13 || memcmp(chunk + 4, "IHDR", 4) != 0) {
		*why = "the PNG image does not start with an IHDR header";
		return IMAGE_MALFORMED;
	}
	const unsigned char *ihdr = chunk + 8;
	if (crc32_png(chunk + 4, 4 + 13) != be32(ihdr + 13)) {
		*why = "the PNG image header (IHDR) fails its checksum";
		return IMAGE_MALFORMED;
	}
	uint32_t w = be32(ihdr), h = be32(ihdr + 4);
	if (w == 0 || h == 0 || w > 0x7fffffffu || h > 0x7fffffffu) {
		*why = "the PNG image header (IHDR) has an invalid width or height";
		return IMAGE_MALFORMED;
	}
	if (!png_depth_ok(ihdr[9], ihdr[8]) || ihdr[10] != 0 || ihdr[11] != 0 || ihdr[12] > 1) {
		*why = "the PNG image header (IHDR) names an invalid pixel format";
		return IMAGE_MALFORMED;
	}
	out->width = w;
	out->height = h;
	return IMAGE_OK;
}

/* Start-of-frame markers that carry the dimensions: C0..CF except DHT (C4), JPG (C8) and DAC (CC). */
static bool jpeg_is_sof(unsigned m)
{
	return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
}

/* SOI, then segments (0xFF, fill bytes, marker, 16-bit length that counts itself) until the first SOFn,
 * whose header holds precision, height, width and component count. */
static int jpeg_probe(const unsigned char *d, size_t len, struct image_info *out, const char **why)
{
	size_t p = 2;
	while (p < len) {
		if (d[p] != 0xff) {
			*why = "the JPEG image has a damaged segment structure";
			return IMAGE_MALFORMED;
		}
		while (p < len && d[p] == 0xff)
			p++;
		if (p >= len)
			break;
		unsigned m = d[p++];
		if (m == 0x01 || (m >= 0xd0 && m <= 0xd7))
			continue; /* markers without a length */
		if (m == 0x00 || m == 0xd8) {
			*why = "the JPEG image has a damaged segment structure";
			return IMAGE_MALFORMED;
		}
		if (m == 0xd9 || m == 0xda) {
			*why = "the JPEG image has no frame header (SOF) before its image data";
			return IMAGE_MALFORMED;
		}
		if (len - p < 2)
			break;
		size_t seg = be16(d + p);
		if (seg < 2) {
			*why = "the JPEG image has a damaged segment structure";
			return IMAGE_MALFORMED;
		}
		if (jpeg_is_sof(m)) {
			if (seg < 8 || len - p < 8)
				break;
			uint32_t h = be16(d + p + 3), w = be16(d + p + 5);
			if (w == 0 || h == 0 || d[p + 7] == 0) {
				*why = "the JPEG frame header (SOF) has an invalid width, height or component count";
				return IMAGE_MALFORMED;
			}
			out->width = w;
			out->height = h;
			return IMAGE_OK;
		}
		if (seg > len - p)
			break;
		p += seg;
	}
	*why = "the JPEG image is truncated before its frame header (SOF)";
	return IMAGE_MALFORMED;
}

int image_probe(const unsigned char *data, size_t len, struct image_info *out, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	*out = (struct image_info){0};
	if (data && len >= sizeof png_sig && !memcmp(data, png_sig, sizeof png_sig)) {
		out->type = IMAGE_PNG;
		return png_probe(data, len, out, why);
	}
	if (data && len >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff) {
		out->type = IMAGE_JPEG;
		return jpeg_probe(data, len, out, why);
	}
	*why = "the body is neither a PNG nor a JPEG image";
	return IMAGE_NOT_IMAGE;
}

const char *image_mime(enum image_type t)
{
	return t == IMAGE_PNG ? "image/png" : t == IMAGE_JPEG ? "image/jpeg" : NULL;
}

enum image_type image_type_of_mime(const char *ct)
{
	if (!ct)
		return IMAGE_UNKNOWN;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	size_t n = strcspn(ct, "; \t");
	if (n == 9 && !strncasecmp(ct, "image/png", 9))
		return IMAGE_PNG;
	if ((n == 10 && !strncasecmp(ct, "image/jpeg", 10)) || (n == 9 && !strncasecmp(ct, "image/jpg", 9)))
		return IMAGE_JPEG;
	return IMAGE_UNKNOWN;
}
