/* SPDX-License-Identifier: MIT */
/*
 * mysql_diag.h - filling the core's diagnostic from the MySQL driver's
 * files: the driver's own failures and the client library's errors, one
 * line each. Internal to driver_mysql.so (hidden symbols).
 */
#ifndef DBSHIFT_MYSQL_DIAG_H
#define DBSHIFT_MYSQL_DIAG_H

#include <mysql.h>

#include "dbshift/driver.h"

#if defined(__GNUC__)
#define DBSHIFT__MYSQL_PRINTF(fmt, args)                                       \
	__attribute__((format(printf, fmt, args)))
#else
#define DBSHIFT__MYSQL_PRINTF(fmt, args)
#endif

/** Use the core's diag_set from now on (NULL: fill diagnostics here). */
void dbshift__mysql_diag_host(const dbshift_host *host);

/**
 * Fill diag (when not NULL) with sqlstate (NULL for none), native_code and
 * a printf-style message folded onto one line. Returns -1, the failure
 * value of every slot, so that callers can "return fail(...)".
 */
int dbshift__mysql_fail(dbshift_diag *diag, const char *sqlstate,
			int64_t native_code, const char *fmt, ...)
	DBSHIFT__MYSQL_PRINTF(4, 5);

/** "out of memory". Returns -1. */
int dbshift__mysql_fail_nomem(dbshift_diag *diag);

/** The connection's last error: SQLSTATE, error number, message. */
int dbshift__mysql_fail_db(MYSQL *db, dbshift_diag *diag);

/** A prepared statement's last error. */
int dbshift__mysql_fail_stmt(MYSQL_STMT *stmt, dbshift_diag *diag);

/* Short names for the driver's own files. */
#define fail_state dbshift__mysql_fail
#define fail(diag, native_code, ...)                                           \
	dbshift__mysql_fail(diag, NULL, native_code, __VA_ARGS__)
#define fail_nomem dbshift__mysql_fail_nomem
#define fail_db dbshift__mysql_fail_db
#define fail_stmt dbshift__mysql_fail_stmt

#endif
