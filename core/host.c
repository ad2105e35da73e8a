/* SPDX-License-Identifier: MIT */
/*
 * host.c - the table of core functions lent to drivers (dbshift_host,
 * driver.h), modelled on SQLite's sqlite3_api_routines: diagnostics, the
 * statement splitter, URL decoding, splitting and scrubbing (urlparts.c),
 * quoting identifiers and copying scripts for client libraries,
 * so that no driver compiles core
 * files or carries its own copy of them. The table is one static object
 * that only grows at the end; each slot is safe to call from any thread.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "host.h"
#include "split.h"
#include "urlparts.h"

/* dbshift_host.fail: diag_set() that returns the slots' failure value. */
static int host_fail(dbshift_diag *diag, const char *sqlstate,
		     int64_t native_code, const char *fmt, ...)
	DBSHIFT_DRIVER_PRINTF(4, 5);

static int host_fail(dbshift_diag *diag, const char *sqlstate,
		     int64_t native_code, const char *fmt, ...)
{
	char msg[sizeof(diag->message)];
	va_list ap;

	if (diag == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dbshift__diag_set(diag, sqlstate, native_code, "%s", msg);
	return -1;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int dbshift__url_decode(const char *s, size_t len, char *buf, size_t *out_len)
{
	size_t i, n = 0;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] != '%') {
			buf[n++] = s[i];
			continue;
		}
		hi = i + 2 < len ? hex_value(s[i + 1]) : -1;
		lo = i + 2 < len ? hex_value(s[i + 2]) : -1;
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			buf[0] = '\0';
			return -1;
		}
		buf[n++] = (char)(hi << 4 | lo);
		i += 2;
	}
	buf[n] = '\0';
	if (out_len != NULL)
		*out_len = n;
	return 0;
}

/* dbshift_host.quote_into. */
static size_t quote_into(char quote, const char *ident, size_t len, char *buf,
			 size_t size)
{
	size_t need = 3, i, o = 0;

	for (i = 0; i < len; i++)
		need += ident[i] == quote ? 2 : 1;
	if (need > size)
		return need;
	buf[o++] = quote;
	for (i = 0; i < len; i++) {
		if (ident[i] == quote)
			buf[o++] = quote;
		buf[o++] = ident[i];
	}
	buf[o++] = quote;
	buf[o] = '\0';
	return need;
}

/* dbshift_host.quote_ident. */
static int quote_ident(char quote, const char *ident, char *buf, size_t size,
		       dbshift_diag *diag)
{
	size_t need;

	if (buf != NULL && size > 0)
		buf[0] = '\0';
	if (ident == NULL || ident[0] == '\0')
		return host_fail(diag, NULL, 0, "empty identifier");
	/* Nothing is written when it does not fit: buf stays "". */
	need = quote_into(quote, ident, strlen(ident), buf, size);
	if (need > size)
		return host_fail(diag, NULL, 0,
				 "quoted identifier %s needs %zu bytes, %zu "
				 "given",
				 ident, need, size);
	return 0;
}

/* dbshift_host.refuse_nul. */
static int refuse_nul(const char *sql, size_t len, dbshift_diag *diag)
{
	const char *nul = len > 0 ? memchr(sql, '\0', len) : NULL;

	if (nul == NULL)
		return 0;
	return host_fail(diag, DBSHIFT_SQLSTATE_NOT_RUN, 0,
			 "script holds a NUL byte on line %d",
			 (int)dbshift__split_line_at(sql, (size_t)(nul - sql)));
}

/* dbshift_host.script_dup. */
static char *script_dup(const char *sql, size_t len, dbshift_diag *diag)
{
	char *copy;

	if (refuse_nul(sql, len, diag) != 0)
		return NULL;
	copy = malloc(len + 1);
	if (copy == NULL) {
		host_fail(diag, NULL, 0, "out of memory");
		return NULL;
	}
	if (len > 0)
		memcpy(copy, sql, len);
	copy[len] = '\0';
	return copy;
}

static const dbshift_host host = {
	.size = sizeof(dbshift_host),
	.abi_major = DBSHIFT_DRIVER_ABI_MAJOR,
	.abi_minor = DBSHIFT_DRIVER_ABI_MINOR,
	.diag_set = dbshift__diag_set,
	.fail = host_fail,
	.split_init = dbshift__split_init,
	.split_next = dbshift__split_next,
	.split_token = dbshift__split_token,
	.line_at = dbshift__split_line_at,
	.url_decode = dbshift__url_decode,
	.url_split = dbshift__url_split,
	.scrub = dbshift__secret_scrub,
	.url_scrub = dbshift__url_scrub,
	.quote_ident = quote_ident,
	.quote_into = quote_into,
	.script_dup = script_dup,
	.refuse_nul = refuse_nul,
};

const dbshift_host *dbshift__host(void)
{
	return &host;
}
