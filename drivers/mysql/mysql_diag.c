/* SPDX-License-Identifier: MIT */
/*
 * mysql_diag.c - diagnostics of the MySQL driver.
 *
 * Every failing slot of the driver fills the core's dbshift_diag through
 * the core's host->fail(), which formats, truncates and keeps messages on
 * one line; the client library's "00000" is no SQLSTATE.
 */
#include "config.h"

#include <string.h>

#include <mysqld_error.h>

#include "mysql_diag.h"

const dbshift_host *dbshift__mysql_host;

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

/* A lock wait that timed out (row or metadata lock) is reported with the
 * SQLSTATE the core retries on; the server says HY000. */
static const char *state_of(unsigned int code, const char *sqlstate)
{
	if (code == ER_LOCK_WAIT_TIMEOUT)
		return DBSHIFT_SQLSTATE_LOCK_TIMEOUT;
	return real_sqlstate(sqlstate);
}

int dbshift__mysql_fail_db(MYSQL *db, dbshift_diag *diag)
{
	return fail_state(diag, state_of(mysql_errno(db), mysql_sqlstate(db)),
			  mysql_errno(db), "%s", mysql_error(db));
}

int dbshift__mysql_fail_stmt(MYSQL_STMT *stmt, dbshift_diag *diag)
{
	return fail_state(
		diag,
		state_of(mysql_stmt_errno(stmt), mysql_stmt_sqlstate(stmt)),
		mysql_stmt_errno(stmt), "%s", mysql_stmt_error(stmt));
}
