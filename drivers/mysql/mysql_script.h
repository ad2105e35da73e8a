/* SPDX-License-Identifier: MIT */
/*
 * mysql_script.h - running a migration script on a MySQL connection.
 * Internal to driver_mysql.so (hidden symbols).
 */
#ifndef DBSHIFT_MYSQL_SCRIPT_H
#define DBSHIFT_MYSQL_SCRIPT_H

#include <mysql.h>
#include <stddef.h>

#include "dbshift/driver.h"

/**
 * Run the len bytes of sql (not necessarily NUL-terminated): zero or more
 * statements, the mysql client's DELIMITER command understood. Every
 * result is read, so db is ready for the next call whatever happens. On
 * failure diag holds the error with the 0-based index and the line of the
 * failing statement. A script holding a NUL byte is refused.
 */
int dbshift__mysql_script_run(MYSQL *db, const char *sql, size_t len,
			      dbshift_diag *diag);

#endif
