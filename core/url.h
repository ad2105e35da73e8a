/* SPDX-License-Identifier: MIT */
/*
 * url.h - the part of URL handling the core needs: the scheme (the loader
 * maps it to a driver) and redaction of passwords for messages.
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

#endif
