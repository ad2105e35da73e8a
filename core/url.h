/* SPDX-License-Identifier: MIT */
/*
 * url.h - the part of URL handling the core needs: the scheme, the driver
 * it selects, and redaction of passwords for messages.
 */
#ifndef DBSHIFT_URL_H
#define DBSHIFT_URL_H

#include <stddef.h>
#include "error.h"

/**
 * Extract the lower-cased scheme of url (the part before the first ':')
 * into scheme (size bytes). The scheme must match [a-z][a-z0-9+.-]* and is
 * later used in a file name, so anything else is DBSHIFT_EURL.
 */
int dbshift__url_scheme(const char *url, char *scheme, size_t size,
			dbshift__err *err);

/**
 * The driver name for a scheme (design.md 2.8): sqlite/sqlite3/file ->
 * "sqlite", postgres/postgresql -> "pg", mysql/mariadb -> "mysql", anything
 * else the scheme itself. Returns scheme or a static string.
 */
const char *dbshift__url_driver_name(const char *scheme);

#endif
