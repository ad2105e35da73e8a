/* SPDX-License-Identifier: MIT */
/*
 * urlparts.h - one reading of a database URL, shared by the core and the
 * drivers (through dbshift_host.url_split), so that what is shown in a
 * message and what is sent as a password can never disagree.
 */
#ifndef DBSHIFT_URLPARTS_H
#define DBSHIFT_URLPARTS_H

#include <stddef.h>

#include "dbshift/driver.h"

/* The parts, as driver.h defines them for dbshift_host.url_split(). */
typedef dbshift_url_parts dbshift__url_parts;

/** Take url apart (never fails; see scheme for a URL without one). */
void dbshift__url_split(dbshift__url_parts *parts, const char *url);

/**
 * Write the form of url that messages show into buf (size bytes, always
 * NUL-terminated when size > 0): scheme, user, "***" for a password, host
 * and path; never the query, which may carry secrets under any name.
 * Returns the length the whole form needs, without the NUL, as snprintf.
 * A URL without a valid scheme is shown as "(URL without a scheme)".
 */
size_t dbshift__url_display(const char *url, char *buf, size_t size);

/**
 * Percent-decode the len bytes at s into a new string in *out (the
 * caller frees). Returns 0, 1 for a bad escape or an encoded NUL (*out
 * NULL) or -1 when out of memory.
 */
int dbshift__url_decode_new(const char *s, size_t len, char **out);

/**
 * Replace in msg (a NUL-terminated string in a buffer of size bytes)
 * every copy of the len-byte secret with "***", also the copies quoted
 * the ways client libraries quote text: with ' or " doubled and with a
 * backslash before ' " and \. Secrets shorter than 4 bytes are left
 * alone: they would turn every message into asterisks.
 */
void dbshift__secret_scrub(char *msg, size_t size, const char *secret,
			   size_t len);

/**
 * Scrub msg (as above) of url's password: as written in the URL and
 * percent-decoded, and of every password=, sslpassword= or pass= query
 * value (its name percent-decoded before it is compared).
 */
void dbshift__url_scrub(char *msg, size_t size, const char *url);

#endif
