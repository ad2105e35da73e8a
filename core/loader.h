/* SPDX-License-Identifier: MIT */
/*
 * loader.h - finding, loading and checking driver modules.
 */
#ifndef DBSHIFT_LOADER_H
#define DBSHIFT_LOADER_H

#include "dbshift/driver.h"
#include "error.h"

/**
 * Load driver NAME (driver_NAME.so) from the search path: driver_dir (may
 * be NULL), then $DBSHIFT_DRIVER_PATH (colon-separated, ignored in setuid
 * programs), then DBSHIFT_DRIVER_DIR. Loaded modules stay loaded and are
 * cached by name, so a second call is cheap. Errors (each naming the file):
 *   DBSHIFT_EURL    no driver_NAME.so anywhere on the path (lists the path)
 *   DBSHIFT_EDRIVER not a loadable object, no entry symbol, entry refused,
 *                   incompatible ABI major, newer ABI minor, truncated
 *                   descriptor, missing required slot
 */
int dbshift__loader_load(const dbshift_driver **out, const char *name,
			 const char *driver_dir, dbshift__err *err);

/** Load and check the module at path (for NAME, which picks the entry
 * symbol). Same errors as above except DBSHIFT_EURL. */
int dbshift__loader_load_file(const dbshift_driver **out, const char *path,
			      const char *name, dbshift__err *err);

/** The host function table passed to drivers. */
const dbshift_host *dbshift__loader_host(void);

#endif
