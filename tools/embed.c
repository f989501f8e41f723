/*
 * embed.c — build-time generator: turns files into C arrays so the binary needs no files at run time.
 *
 *   embed sql SYMBOL OUT.c FILE...
 *       `const struct store_sql_file SYMBOL[]` ({base name, NUL-terminated content}, then {NULL, NULL})
 *       and `const size_t SYMBOL_count`, in the order given (the Makefile sorts them).
 *   embed assets SYMBOL OUT.c FILE FILE.gz ...
 *       `const struct asset SYMBOL[]` for pairs of a file and its gzip form: base name, content type
 *       (from the extension), bytes and length of both, and an ETag (a quoted 64-bit FNV-1a hash of the
 *       content), and `const size_t SYMBOL_count`.
 *   embed text SYMBOL OUT.c FILE...
 *       `const struct embedded_text SYMBOL[]` ({base name, NUL-terminated content}, then {NULL, NULL})
 *       and `const size_t SYMBOL_count`, in the order given (the Makefile sorts them); the struct is
 *       declared in src/llm/prompt_files.h. A file that holds a NUL byte is refused.
 *
 * Content is written as string literals of printable characters and octal escapes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct blob {
	unsigned char *data;
	size_t len;
};

static int slurp(const char *path, struct blob *b)
{
	FILE *in = fopen(path, "rb");
	if (!in) {
		perror(path);
		return -1;
	}
	size_t cap = 4096;
	b->len = 0;
	b->data = malloc(cap);
	while (b->data) {
		b->len += fread(b->data + b->len, 1, cap - b->len, in);
		if (b->len < cap)
			break;
		unsigned char *p = realloc(b->data, cap * 2);
		if (!p) {
			free(b->data);
			b->data = NULL;
			break;
		}
		b->data = p;
		cap *= 2;
	}
	int err = ferror(in) || !b->data;
	fclose(in);
	if (err) {
		fprintf(stderr, "embed: cannot read %s\n", path);
		free(b->data);
		return -1;
	}
	return 0;
}

/* Writes the bytes as a string literal, broken into lines. */
static void emit_literal(FILE *out, const struct blob *b)
{
	fputs("\"", out);
	int col = 0;
	for (size_t i = 0; i < b->len; i++) {
		int c = b->data[i];
		if (c == '\n') {
			fputs("\\n\"\n\t \"", out);
			col = 0;
			continue;
		}
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '?')
			fputc(c, out);
		else
			fprintf(out, "\\%03o", (unsigned)c);
		if (++col > 100) {
			fputs("\"\n\t \"", out);
			col = 0;
		}
	}
	fputs("\"", out);
}

static const char *base_name(const char *path)
{
	const char *base = strrchr(path, '/');
	return base ? base + 1 : path;
}

static const char *content_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{".js", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
		{".html", "text/html; charset=utf-8"},     {".svg", "image/svg+xml"},
		{".json", "application/json"},             {".png", "image/png"},
	};
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

static uint64_t fnv1a(const struct blob *b)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < b->len; i++) {
		h ^= b->data[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* {name, content} rows of NUL-terminated text, as `const struct TYPE SYMBOL[]` ending with {NULL, NULL}.
 * `no_nul`: refuse a file with a NUL byte (its content would end there). */
static int emit_named(FILE *out, const char *header, const char *type, const char *symbol, char **files, int n,
		      int no_nul)
{
	fprintf(out, "#include \"%s\"\n\nconst struct %s %s[] = {\n", header, type, symbol);
	for (int i = 0; i < n; i++) {
		struct blob b;
		if (slurp(files[i], &b) != 0)
			return -1;
		if (no_nul && memchr(b.data, 0, b.len)) {
			fprintf(stderr, "embed: %s holds a NUL byte\n", files[i]);
			free(b.data);
			return -1;
		}
		fprintf(out, "\t{\"%s\",\n\t ", base_name(files[i]));
		emit_literal(out, &b);
		fputs("},\n", out);
		free(b.data);
	}
	fprintf(out, "\t{NULL, NULL}\n};\nconst size_t %s_count = %d;\n", symbol, n);
	return 0;
}

static int emit_sql(FILE *out, const char *symbol, char **files, int n)
{
	return emit_named(out, "store/store_int.h", "store_sql_file", symbol, files, n, 0);
}

static int emit_text(FILE *out, const char *symbol, char **files, int n)
{
	return emit_named(out, "llm/prompt_files.h", "embedded_text", symbol, files, n, 1);
}

static int emit_assets(FILE *out, const char *symbol, char **files, int n)
{
	if (n % 2) {
		fprintf(stderr, "embed: assets come in pairs: FILE FILE.gz\n");
		return -1;
	}
	fprintf(out, "#include \"http/assets.h\"\n\nconst struct asset %s[] = {\n", symbol);
	for (int i = 0; i < n; i += 2) {
		struct blob raw, gz;
		if (slurp(files[i], &raw) != 0)
			return -1;
		if (slurp(files[i + 1], &gz) != 0) {
			free(raw.data);
			return -1;
		}
		const char *name = base_name(files[i]);
		fprintf(out, "\t{\"%s\", \"%s\", \"\\\"%016llx\\\"\",\n\t (const unsigned char *)", name,
			content_type(name), (unsigned long long)fnv1a(&raw));
		emit_literal(out, &raw);
		fprintf(out, ",\n\t %zu,\n\t (const unsigned char *)", raw.len);
		emit_literal(out, &gz);
		fprintf(out, ",\n\t %zu},\n", gz.len);
		free(raw.data);
		free(gz.data);
	}
	fprintf(out, "};\nconst size_t %s_count = %d;\n", symbol, n / 2);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (argc < 4 || (strcmp(mode, "sql") != 0 && strcmp(mode, "assets") != 0 && strcmp(mode, "text") != 0)) {
		fprintf(stderr, "usage: embed sql SYMBOL OUT.c FILE...\n"
				"       embed assets SYMBOL OUT.c FILE FILE.gz...\n"
				"       embed text SYMBOL OUT.c FILE...\n");
		return 2;
	}
	FILE *out = fopen(argv[3], "w");
	if (!out) {
		perror(argv[3]);
		return 1;
	}
	fprintf(out, "/* generated by tools/embed.c; do not edit */\n");
	int rc;
	if (!strcmp(mode, "sql"))
		rc = emit_sql(out, argv[2], argv + 4, argc - 4);
	else if (!strcmp(mode, "text"))
		rc = emit_text(out, argv[2], argv + 4, argc - 4);
	else
		rc = emit_assets(out, argv[2], argv + 4, argc - 4);
	if (fclose(out) != 0 || rc != 0) {
		remove(argv[3]);
		return 1;
	}
	return 0;
}
