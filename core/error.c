/* SPDX-License-Identifier: MIT */
/*
 * error.c - recording errors into dbshift__err (fixed buffers, so that
 * reporting out-of-memory needs no memory), the thread's last error, and
 * the diagnostic helper lent to drivers.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "util.h"

void dbshift__err_init(dbshift__err *err)
{
	memset(err, 0, sizeof(*err));
	err->pub.code = DBSHIFT_OK;
	err->pub.message = err->message;
	err->pub.sqlstate = err->sqlstate;
	err->pub.migration = err->migration;
	err->pub.file = err->file;
	err->pub.statement = err->statement;
	err->pub.statement_index = 0;
}

/* Messages are one line: fold any line breaks a database put in. */
static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r' || *s == '\t')
			*s = ' ';
}

static void trim_end(char *s)
{
	size_t len = strlen(s);

	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\n'))
		s[--len] = '\0';
}

int dbshift__err_vset(dbshift__err *err, int code, const char *fmt, va_list ap)
{
	err->pub.code = code;
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	trim_end(err->message);
	one_line(err->message);
	return code;
}

int dbshift__err_set(dbshift__err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dbshift__err_vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

int dbshift__err_from_diag(dbshift__err *err, int code,
			   const dbshift_diag *diag, const char *fmt, ...)
{
	char prefix[1024];
	char detail[600] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	if (diag->detail[0] != '\0')
		snprintf(detail, sizeof(detail), " (%s)", diag->detail);
	dbshift__err_set(err, code, "%s: %s%s", prefix,
			 diag->message[0] ? diag->message : "unknown error",
			 detail);
	dbshift__strlcpy(err->sqlstate, diag->sqlstate, sizeof(err->sqlstate));
	err->pub.native_code = diag->native_code;
	/* The driver counts from 0; the public number from 1. */
	err->pub.statement_index =
		diag->statement_index >= 0 ? diag->statement_index + 1 : 0;
	return code;
}

void dbshift__err_set_migration(dbshift__err *err, const char *id)
{
	dbshift__strlcpy(err->migration, id, sizeof(err->migration));
}

void dbshift__err_set_file(dbshift__err *err, const char *file)
{
	dbshift__strlcpy(err->file, file, sizeof(err->file));
}

void dbshift__err_set_statement(dbshift__err *err, int number, const char *text,
				size_t len)
{
	size_t start = 0, end;

	err->pub.statement_index = number;
	err->statement[0] = '\0';
	if (text == NULL)
		return;
	/* The first non-blank line of the statement. */
	while (start < len && (text[start] == ' ' || text[start] == '\t' ||
			       text[start] == '\n' || text[start] == '\r'))
		start++;
	end = start;
	while (end < len && text[end] != '\n' && text[end] != '\r')
		end++;
	if (end - start >= sizeof(err->statement))
		end = start + sizeof(err->statement) - 1;
	memcpy(err->statement, text + start, end - start);
	err->statement[end - start] = '\0';
	trim_end(err->statement);
}

void dbshift__err_copy(dbshift__err *dst, const dbshift__err *src)
{
	if (dst == src)
		return;
	memcpy(dst, src, sizeof(*dst));
	dst->pub.message = dst->message;
	dst->pub.sqlstate = dst->sqlstate;
	dst->pub.migration = dst->migration;
	dst->pub.file = dst->file;
	dst->pub.statement = dst->statement;
}

int dbshift__err_version(dbshift__err *err, const char *what,
			 unsigned int version, unsigned int known)
{
	if (version == 0)
		return dbshift__err_set(err, DBSHIFT_EINVAL,
					"%s without their version field set",
					what);
	if (version > known)
		return dbshift__err_set(err, DBSHIFT_EINVAL,
					"%s version %u is newer than this "
					"libdbshift (%s) knows (%u): build "
					"against the headers of the library "
					"you run with",
					what, version, PACKAGE_VERSION, known);
	return 0;
}

static _Thread_local dbshift__err last_err;
static _Thread_local int last_err_ready;

dbshift__err *dbshift__err_last(void)
{
	if (!last_err_ready) {
		dbshift__err_init(&last_err);
		last_err_ready = 1;
	}
	return &last_err;
}

const dbshift_error *dbshift_error_last(void)
{
	return &dbshift__err_last()->pub;
}

const char *dbshift_code_name(int code)
{
	switch (code) {
	case DBSHIFT_OK:
		return "ok";
	case DBSHIFT_ERROR:
		return "error";
	case DBSHIFT_ENOMEM:
		return "out of memory";
	case DBSHIFT_EINVAL:
		return "invalid argument";
	case DBSHIFT_EURL:
		return "bad URL";
	case DBSHIFT_EDRIVER:
		return "driver error";
	case DBSHIFT_ESOURCE:
		return "bad migration source";
	case DBSHIFT_EGRAPH:
		return "bad dependency graph";
	case DBSHIFT_ENOTFOUND:
		return "migration not found";
	case DBSHIFT_EDB:
		return "database error";
	case DBSHIFT_EMIGRATION:
		return "migration failed";
	case DBSHIFT_EDIRTY:
		return "dirty migration";
	case DBSHIFT_ECHECKSUM:
		return "checksum mismatch";
	case DBSHIFT_ENODOWN:
		return "no down script";
	case DBSHIFT_ELOCK:
		return "lock not acquired";
	case DBSHIFT_EIO:
		return "I/O error";
	case DBSHIFT_ESTATE:
		return "refused by history state";
	default:
		return "unknown error";
	}
}

void dbshift__diag_init(dbshift_diag *diag)
{
	memset(diag, 0, sizeof(*diag));
	diag->size = sizeof(*diag);
	diag->statement_index = -1;
}

void dbshift__diag_set(dbshift_diag *diag, const char *sqlstate,
		       int64_t native_code, const char *fmt, ...)
{
	va_list ap;

	if (diag == NULL)
		return;
	dbshift__strlcpy(diag->sqlstate, sqlstate ? sqlstate : "",
			 sizeof(diag->sqlstate));
	diag->native_code = native_code;
	va_start(ap, fmt);
	vsnprintf(diag->message, sizeof(diag->message), fmt, ap);
	va_end(ap);
	trim_end(diag->message);
	one_line(diag->message);
}
