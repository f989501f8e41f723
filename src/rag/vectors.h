/*
 * vectors.h — one bot's chunk embeddings in memory, brute-force cosine search over them, and reciprocal
 * rank fusion of two rankings (full text and vectors). See docs/internals/vectors.md.
 *
 * A set holds vectors of one dimension, each with the caller's id (the chunk id). Vectors are
 * L2-normalised when added, so the dot product of two of them is their cosine similarity. VEC_F32 keeps
 * the normalised floats; VEC_I8 keeps each as int8 with one float scale (scale = max|x| / 127, x = q *
 * scale); the query is quantised the same way and rows are scored in int32: a quarter of the memory
 * and bandwidth, at a score error below 0.002 on 384-dim data (tests/unit/test_vectors.c). All
 * vectors of a set lie in one buffer, row after row, each row padded to a fixed stride with zeros so
 * that the dot-product loops have a fixed shape the compiler vectorises.
 *
 * Building (vec_set_add) is single-threaded. Once built, a set is read-only: any number of threads may
 * call vec_set_search and the getters at once without a lock.
 */
#ifndef BOTWERK_RAG_VECTORS_H
#define BOTWERK_RAG_VECTORS_H

#include <stddef.h>
#include <stdint.h>

#define VEC_DIM_MAX 8192           /* largest dimension accepted (as the embeddings reader's) */
#define VEC_COUNT_MAX 16777216u    /* most vectors in one set (2^24; far above the limit in the doc) */
#define RRF_K_DEFAULT 60           /* rrf_fuse's constant when 0 is given */

enum vec_kind {
	VEC_F32, /* 4 bytes per dimension, exact cosine up to float rounding */
	VEC_I8,  /* 1 byte per dimension + 4 per vector, approximate */
};

/* Results of the functions below that return int: 0 (or a count) on success, else one of these. */
enum vec_rc {
	VEC_OK = 0,
	VEC_ERR_ARG = -1,   /* NULL where a pointer is needed, negative k, unknown kind */
	VEC_ERR_DIM = -2,   /* dimension outside 1..VEC_DIM_MAX, or not the set's, or a blob of wrong length */
	VEC_ERR_VALUE = -3, /* a NaN or infinite component */
	VEC_ERR_ZERO = -4,  /* every component zero: no direction */
	VEC_ERR_NOMEM = -5, /* out of memory */
	VEC_ERR_FULL = -6,  /* the set already holds VEC_COUNT_MAX vectors */
};

struct vec_hit {
	int64_t id;  /* as given to vec_set_add */
	float score; /* cosine similarity, -1..1 (VEC_I8: approximately) */
};

struct rrf_hit {
	int64_t id;
	double score; /* sum over the lists of 1 / (k + rank) */
	int rank_a;   /* 1-based rank in list a, 0 when absent */
	int rank_b;   /* same for list b */
};

struct vec_set;

/* An empty set of `dim`-dimensional vectors (1..VEC_DIM_MAX) of the given kind, with room for
 * capacity_hint vectors before it grows (0 is fine). NULL on a bad argument or out of memory. */
struct vec_set *vec_set_new(int dim, enum vec_kind kind, size_t capacity_hint);

void vec_set_free(struct vec_set *s);

/* Adds v[0..dim) under `id`. dim must be the set's dimension. The vector is checked (every component
 * finite, not all zero), L2-normalised and, for VEC_I8, quantised. Ids are not checked for
 * uniqueness. Returns VEC_OK or a negative vec_rc; on failure the set is unchanged. Not thread-safe. */
int vec_set_add(struct vec_set *s, int64_t id, const float *v, int dim);

/* The k vectors most similar to query[0..dim) (which need not be normalised): writes
 * min(k, count) hits to out[], best first (cosine descending, equal scores by id ascending), and
 * returns their number, or a negative vec_rc (the query is checked as vec_set_add checks a vector).
 * out must have room for k hits. Safe from many threads at once on a set no longer being built. */
int vec_set_search(const struct vec_set *s, const float *query, int dim, int k, struct vec_hit *out);

size_t vec_set_count(const struct vec_set *s);
int vec_set_dim(const struct vec_set *s);
enum vec_kind vec_set_kind(const struct vec_set *s);

/* Heap bytes held by the set (its struct and every buffer at its current capacity). */
size_t vec_set_bytes(const struct vec_set *s);

/* One vector as stored with its chunk: dim little-endian IEEE-754 float32 values, 4 * dim bytes.
 * vec_pack_f32 writes them to out[0 .. 4*dim). vec_unpack_f32 reads blob[0..len) into out[0..dim):
 * VEC_ERR_DIM unless len == 4 * dim and dim is in 1..VEC_DIM_MAX, VEC_ERR_VALUE when a value is NaN
 * or infinite (out is then partly written), else VEC_OK. */
void vec_pack_f32(const float *v, int dim, unsigned char *out);
int vec_unpack_f32(const void *blob, size_t len, int dim, float *out);

/* Reciprocal rank fusion of two rankings of ids, best first (a: full text, b: vectors, or any two).
 * An id at 1-based rank r in a list earns 1 / (k_const + r) from it (k_const 0 means RRF_K_DEFAULT);
 * an id listed twice in one list counts once, at its first rank. Writes at most max_out fused hits to
 * out[], by score descending, equal scores by the better (smaller) of the id's two ranks, then by id
 * ascending, and returns their number; VEC_ERR_ARG on negative counts or k_const, or a NULL list with
 * a non-zero count; VEC_ERR_NOMEM when out of memory. Either list may be empty. */
int rrf_fuse(const int64_t *a, int na, const int64_t *b, int nb, int k_const, struct rrf_hit *out, int max_out);

#endif
