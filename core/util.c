/* SPDX-License-Identifier: MIT */
/*
 * util.c - small helpers shared by the core (see util.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

char *dbshift__strdup(const char *s)
{
	return s == NULL ? NULL : dbshift__strndup(s, strlen(s));
}

char *dbshift__strndup(const char *s, size_t len)
{
	char *copy;

	if (s == NULL)
		return NULL;
	copy = malloc(len + 1);
	if (copy == NULL)
		return NULL;
	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

char *dbshift__aprintf(const char *fmt, ...)
{
	dbshift__buf buf = DBSHIFT__BUF_INIT;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	buf.ptr = malloc((size_t)n + 1);
	if (buf.ptr == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(buf.ptr, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return buf.ptr;
}

char *dbshift__concat(const char *a, const char *sep, const char *b)
{
	size_t len_a = strlen(a), len_sep = strlen(sep), len_b = strlen(b);
	char *s = malloc(len_a + len_sep + len_b + 1);

	if (s == NULL)
		return NULL;
	memcpy(s, a, len_a);
	memcpy(s + len_a, sep, len_sep);
	memcpy(s + len_a + len_sep, b, len_b + 1);
	return s;
}

void dbshift__strlcpy(char *dst, const char *src, size_t dst_size)
{
	size_t len;

	if (dst_size == 0)
		return;
	len = src == NULL ? 0 : strlen(src);
	if (len >= dst_size)
		len = dst_size - 1;
	if (len > 0)
		memcpy(dst, src, len);
	dst[len] = '\0';
}

static int buf_grow(dbshift__buf *buf, size_t extra)
{
	size_t need, cap;
	char *ptr;

	if (buf->oom)
		return -1;
	need = buf->len + extra + 1;
	if (need <= buf->cap)
		return 0;
	cap = buf->cap ? buf->cap : 64;
	while (cap < need)
		cap *= 2;
	ptr = realloc(buf->ptr, cap);
	if (ptr == NULL) {
		buf->oom = 1;
		return -1;
	}
	buf->ptr = ptr;
	buf->cap = cap;
	return 0;
}

int dbshift__buf_append(dbshift__buf *buf, const char *data, size_t len)
{
	if (buf_grow(buf, len) != 0)
		return -1;
	if (len > 0)
		memcpy(buf->ptr + buf->len, data, len);
	buf->len += len;
	buf->ptr[buf->len] = '\0';
	return 0;
}

int dbshift__buf_puts(dbshift__buf *buf, const char *s)
{
	return dbshift__buf_append(buf, s, strlen(s));
}

int dbshift__buf_printf(dbshift__buf *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_grow(buf, (size_t)n) != 0) {
		buf->oom = 1;
		return -1;
	}
	va_start(ap, fmt);
	vsnprintf(buf->ptr + buf->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	buf->len += (size_t)n;
	return 0;
}

char *dbshift__buf_detach(dbshift__buf *buf)
{
	char *s;

	if (buf->oom) {
		dbshift__buf_free(buf);
		return NULL;
	}
	if (buf->ptr == NULL && buf_grow(buf, 0) != 0)
		return NULL;
	buf->ptr[buf->len] = '\0';
	s = buf->ptr;
	buf->ptr = NULL;
	buf->len = buf->cap = 0;
	return s;
}

void dbshift__buf_free(dbshift__buf *buf)
{
	free(buf->ptr);
	buf->ptr = NULL;
	buf->len = buf->cap = 0;
	buf->oom = 0;
}

void dbshift__sort(void *base, size_t n, size_t size,
		   int (*cmp)(const void *, const void *))
{
	const char *item = base;
	size_t i;

	for (i = 1; i < n; i++, item += size)
		if (cmp(item, item + size) > 0)
			break;
	if (i < n)
		qsort(base, n, size, cmp);
}

int dbshift__vec_push(dbshift__vec *vec, void *item)
{
	if (vec->len == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 16;
		void **items = realloc(vec->items, cap * sizeof(*items));

		if (items == NULL)
			return -1;
		vec->items = items;
		vec->cap = cap;
	}
	vec->items[vec->len++] = item;
	return 0;
}

void dbshift__vec_free(dbshift__vec *vec, void (*free_fn)(void *))
{
	size_t i;

	if (free_fn != NULL)
		for (i = 0; i < vec->len; i++)
			free_fn(vec->items[i]);
	free(vec->items);
	vec->items = NULL;
	vec->len = vec->cap = 0;
}

/*
 * Read what is left of fd into buf (cap bytes of room, plus one for the
 * NUL), growing it. A regular file is read in one call when cap is one
 * more than its size: the short read says the end was reached, so no
 * second call is needed to see it. Returns 0 or an errno value.
 */
static int read_all(int fd, int regular, char **buf, size_t cap, size_t *len)
{
	ssize_t n;
	char *grown;

	for (;;) {
		if (*len == cap) {
			grown = realloc(*buf, cap * 2 + 1);
			if (grown == NULL)
				return ENOMEM;
			*buf = grown;
			cap *= 2;
		}
		n = read(fd, *buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			return 0;
		*len += (size_t)n;
		if (regular && *len < cap)
			return 0;
	}
}

int dbshift__read_file(const char *path, char **out, size_t *len)
{
	struct stat st;
	size_t cap = 4096;
	int fd, saved = 0, regular = 0;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0) {
		saved = errno;
		goto out_close;
	}
	if (S_ISREG(st.st_mode) && st.st_size >= 0 &&
	    (uintmax_t)st.st_size < SIZE_MAX / 2) {
		regular = 1;
		cap = (size_t)st.st_size + 1;
	}
	*out = malloc(cap + 1);
	if (*out == NULL)
		saved = ENOMEM;
	else
		saved = read_all(fd, regular, out, cap, len);
	if (saved == 0)
		(*out)[*len] = '\0';
out_close:
	close(fd);
	if (saved != 0) {
		free(*out);
		*out = NULL;
		*len = 0;
		errno = saved;
		return -saved;
	}
	return 0;
}

void dbshift__strv_free(char **strv, size_t n)
{
	size_t i;

	if (strv == NULL)
		return;
	for (i = 0; i < n; i++)
		free(strv[i]);
	free(strv);
}

char **dbshift__strv_dup(const char *const *strv, size_t n)
{
	char **copy;
	size_t i;

	if (n == 0)
		return NULL;
	copy = calloc(n, sizeof(*copy));
	if (copy == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		copy[i] = dbshift__strdup(strv[i] != NULL ? strv[i] : "");
		if (copy[i] == NULL) {
			dbshift__strv_free(copy, i);
			return NULL;
		}
	}
	return copy;
}

long long dbshift__now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

void dbshift__sleep_ms(long long ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

const char *dbshift__pool_keep(dbshift__vec *pool, const char *s)
{
	char *copy = dbshift__strdup(s != NULL ? s : "");

	if (copy == NULL || dbshift__vec_push(pool, copy) != 0) {
		free(copy);
		return NULL;
	}
	return copy;
}

int dbshift__pool_keep_strv(dbshift__vec *pool, char *const *strv, size_t n,
			    const char *const **out)
{
	const char **copy;
	size_t i;

	*out = NULL;
	if (n == 0)
		return 0;
	copy = calloc(n, sizeof(*copy));
	if (copy == NULL || dbshift__vec_push(pool, (void *)copy) != 0) {
		free(copy);
		return -1;
	}
	for (i = 0; i < n; i++)
		if ((copy[i] = dbshift__pool_keep(pool, strv[i])) == NULL)
			return -1;
	*out = copy;
	return 0;
}
