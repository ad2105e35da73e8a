/* SPDX-License-Identifier: MIT */
/*
 * host.h - the host table the core lends to drivers (driver.h).
 */
#ifndef DBSHIFT_HOST_H
#define DBSHIFT_HOST_H

#include <stddef.h>

#include "dbshift/driver.h"

/** The table passed to every driver's entry function; static storage. */
const dbshift_host *dbshift__host(void);

/** The dbshift_host.url_decode implementation (see driver.h). */
int dbshift__url_decode(const char *s, size_t len, char *buf, size_t *out_len);

#endif
