/* SPDX-License-Identifier: MIT */
/*
 * util.h - small helpers shared by the core: string copies, a growable
 * byte buffer, a pointer vector and whole-file reads.
 */
#ifndef DBSHIFT_UTIL_H
#define DBSHIFT_UTIL_H

#include <stdarg.h>
#include <stddef.h>

/** strdup/strndup that return NULL only when out of memory (s NULL -> NULL). */
char *dbshift__strdup(const char *s);
char *dbshift__strndup(const char *s, size_t len);

/** printf into a new string; NULL when out of memory. Caller frees. */
char *dbshift__aprintf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/**
 * a, sep and b joined in a new string; NULL when out of memory. The same
 * as dbshift__aprintf("%s%s%s", ...) without parsing a format: paths and
 * ids are built thousands of times per run.
 */
char *dbshift__concat(const char *a, const char *sep, const char *b);

/** Copy src into dst of dst_size bytes, truncating, always NUL-terminating. */
void dbshift__strlcpy(char *dst, const char *src, size_t dst_size);

/**
 * A growable byte buffer, always NUL-terminated once anything was appended.
 * An allocation failure sets oom and makes later appends no-ops, so that
 * a sequence of appends can be checked once at the end.
 */
typedef struct dbshift__buf {
	char *ptr;
	size_t len;
	size_t cap;
	int oom;
} dbshift__buf;

#define DBSHIFT__BUF_INIT                                                      \
	{                                                                      \
		NULL, 0, 0, 0                                                  \
	}

int dbshift__buf_append(dbshift__buf *buf, const char *data, size_t len);
int dbshift__buf_puts(dbshift__buf *buf, const char *s);
int dbshift__buf_printf(dbshift__buf *buf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** Take the buffer's string (never NULL unless oom; "" when empty). */
char *dbshift__buf_detach(dbshift__buf *buf);
void dbshift__buf_free(dbshift__buf *buf);

/**
 * qsort(), except that input already in order (n - 1 comparisons to find
 * out) is left as it is: the listings, migrations and history rows a run
 * sorts usually come in order already (versions written with leading
 * zeros, one source), and sorting them again was a fifth of a no-op run.
 */
void dbshift__sort(void *base, size_t n, size_t size,
		   int (*cmp)(const void *, const void *));

/** A growable array of pointers. */
typedef struct dbshift__vec {
	void **items;
	size_t len;
	size_t cap;
} dbshift__vec;

#define DBSHIFT__VEC_INIT                                                      \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

/** Append item; 0 or -1 when out of memory (item is not freed). */
int dbshift__vec_push(dbshift__vec *vec, void *item);
/** Free the array and, when free_fn is not NULL, every item. */
void dbshift__vec_free(dbshift__vec *vec, void (*free_fn)(void *));

/**
 * String pools: objects handed to callers (status reports, plans) keep
 * copies of their strings in a vector freed with dbshift__vec_free(pool,
 * free). Returns the copy of s ("" for NULL), or NULL when out of memory.
 */
const char *dbshift__pool_keep(dbshift__vec *pool, const char *s);

/** Keep copies of n strings and an array of them; *out gets the array
 * (NULL when n is 0). Returns 0 or -1 when out of memory. */
int dbshift__pool_keep_strv(dbshift__vec *pool, char *const *strv, size_t n,
			    const char *const **out);

/**
 * Read a whole file into a new NUL-terminated buffer: one open, one fstat
 * and, for a regular file that does not grow meanwhile, one read. Returns
 * 0, or -errno (errno preserved) on failure. *out is freed by the caller.
 */
int dbshift__read_file(const char *path, char **out, size_t *len);

/** Free a NULL-terminated or counted array of strings. */
void dbshift__strv_free(char **strv, size_t n);

/** Copy n strings; NULL when out of memory (n == 0 gives NULL too, check n). */
char **dbshift__strv_dup(const char *const *strv, size_t n);

/** Microseconds from a monotonic clock. */
long long dbshift__now_us(void);
/** Sleep ms milliseconds, resuming after signals. */
void dbshift__sleep_ms(long long ms);

#endif
