/* SPDX-License-Identifier: MIT */
/*
 * mysql_diag.c - diagnostics of the MySQL driver.
 *
 * Every failing slot of the driver fills the core's dbshift_diag through
 * here: with the core's diag_set when the core lent one (so that the core
 * formats and truncates as it likes), else directly. Messages stay on one
 * line; the client library's "00000" is no SQLSTATE.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mysql_diag.h"

/* The core's helpers, or NULL when it lent none we can use. */
static const dbshift_host *host;

void dbshift__mysql_diag_host(const dbshift_host *core_host)
{
	host = core_host;
}

/* Fold line breaks so that a message stays on one line. */
static void one_line(char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\n' || *s == '\r' || *s == '\t')
			*s = ' ';
}

int dbshift__mysql_fail(dbshift_diag *diag, const char *sqlstate,
			int64_t native_code, const char *fmt, ...)
{
	char msg[sizeof(diag->message)];
	va_list ap;

	if (diag == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	one_line(msg);
	if (host != NULL) {
		host->diag_set(diag, sqlstate, native_code, "%s", msg);
		return -1;
	}
	snprintf(diag->sqlstate, sizeof(diag->sqlstate), "%s",
		 sqlstate != NULL ? sqlstate : "");
	diag->native_code = native_code;
	snprintf(diag->message, sizeof(diag->message), "%s", msg);
	return -1;
}

int dbshift__mysql_fail_nomem(dbshift_diag *diag)
{
	return fail(diag, 0, "out of memory");
}

/* The SQLSTATE worth reporting: none for "00000". */
static const char *real_sqlstate(const char *sqlstate)
{
	if (sqlstate == NULL || strcmp(sqlstate, "00000") == 0)
		return NULL;
	return sqlstate;
}

int dbshift__mysql_fail_db(MYSQL *db, dbshift_diag *diag)
{
	return fail_state(diag, real_sqlstate(mysql_sqlstate(db)),
			  mysql_errno(db), "%s", mysql_error(db));
}

int dbshift__mysql_fail_stmt(MYSQL_STMT *stmt, dbshift_diag *diag)
{
	return fail_state(diag, real_sqlstate(mysql_stmt_sqlstate(stmt)),
			  mysql_stmt_errno(stmt), "%s", mysql_stmt_error(stmt));
}
