/* SPDX-License-Identifier: MIT */
/*
 * checksum.h - SHA-256 of migration scripts, as stored in the history.
 */
#ifndef DBSHIFT_CHECKSUM_H
#define DBSHIFT_CHECKSUM_H

#include <stddef.h>

/**
 * Write the lower-case hex SHA-256 of text (len bytes) into out (65 bytes),
 * with every CRLF pair hashed as a single LF so that a checkout with
 * Windows line endings does not look changed. Returns 0, -1 on failure.
 */
int dbshift__checksum_script(const char *text, size_t len, char out[65]);

#endif
