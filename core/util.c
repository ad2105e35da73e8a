/* SPDX-License-Identifier: MIT */
/*
 * util.c - small helpers shared by the core (see util.h).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

int dbshift__read_file(const char *path, char **out, size_t *len)
{
	dbshift__buf buf = DBSHIFT__BUF_INIT;
	char chunk[16384];
	size_t n;
	FILE *f;
	int saved;

	*out = NULL;
	*len = 0;
	f = fopen(path, "rb");
	if (f == NULL)
		return -errno;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (dbshift__buf_append(&buf, chunk, n) != 0)
			break;
	if (ferror(f) || buf.oom) {
		saved = buf.oom ? ENOMEM : EIO;
		fclose(f);
		dbshift__buf_free(&buf);
		errno = saved;
		return -saved;
	}
	fclose(f);
	*len = buf.len;
	*out = dbshift__buf_detach(&buf);
	if (*out == NULL) {
		errno = ENOMEM;
		return -ENOMEM;
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
