/* SPDX-License-Identifier: MIT */
/*
 * mysql_diag.h - what the MySQL driver's files share: the core's host
 * table, the splitter properties, and filling the core's diagnostic with
 * the driver's own failures and the client library's errors. Internal to
 * driver_mysql.so (hidden symbols).
 */
#ifndef DBSHIFT_MYSQL_DIAG_H
#define DBSHIFT_MYSQL_DIAG_H

#include <mysql.h>

#include "dbshift/driver.h"

/** The core's helpers (driver.h), kept by the entry function. */
extern const dbshift_host *dbshift__mysql_host;

/** What MySQL's SQL adds to the standard, for the core's splitter. */
#define MYSQL_SPLIT_FLAGS                                                      \
	(DBSHIFT_SPLIT_BACKSLASH_ESCAPES | DBSHIFT_SPLIT_BACKTICK_NAMES |      \
	 DBSHIFT_SPLIT_HASH_COMMENTS | DBSHIFT_SPLIT_DASH_SPACE |              \
	 DBSHIFT_SPLIT_BANG_COMMENTS | DBSHIFT_SPLIT_ROUTINE_BODIES)

/** "out of memory". Returns -1. */
int dbshift__mysql_fail_nomem(dbshift_diag *diag);

/** The connection's last error: SQLSTATE, error number, message. */
int dbshift__mysql_fail_db(MYSQL *db, dbshift_diag *diag);

/** A prepared statement's last error. */
int dbshift__mysql_fail_stmt(MYSQL_STMT *stmt, dbshift_diag *diag);

/* Short names for the driver's own files. host->fail() fills diag (when
 * not NULL) with a SQLSTATE, a native code and a printf-style message
 * folded onto one line, and returns -1, the failure value of every slot,
 * so that callers can "return fail(...)". */
#define fail_state(...) (dbshift__mysql_host->fail)(__VA_ARGS__)
#define fail(diag, native_code, ...)                                           \
	(dbshift__mysql_host->fail)(diag, NULL, native_code, __VA_ARGS__)
#define fail_nomem dbshift__mysql_fail_nomem
#define fail_db dbshift__mysql_fail_db
#define fail_stmt dbshift__mysql_fail_stmt

#endif
