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
 * cached by name, so a second call is cheap. A module of another ABI
 * (another major, a newer minor, or an entry that refuses this core) is
 * passed over when a later one on the path loads; see
 * dbshift__loader_skipped(). Errors (each naming the file):
 *   DBSHIFT_EURL    no driver_NAME.so anywhere on the path (lists the path)
 *   DBSHIFT_EDRIVER not a loadable object, no entry symbol, entry refused,
 *                   incompatible ABI major, newer ABI minor, truncated
 *                   descriptor, missing required slot
 */
int dbshift__loader_load(const dbshift_driver **out, const char *name,
			 const char *driver_dir, dbshift__err *err);

/**
 * Load the driver for a URL's lower-case scheme (design.md 2.8; the core
 * keeps no list of schemes): driver_SCHEME.so when one on the search path
 * declares SCHEME in its descriptor's schemes, else the first driver on
 * the path (directory order, then name order) that declares it. Modules
 * that do not load are passed over in that search. A scheme found by the
 * search is remembered for the search path, so that the next URL of that
 * scheme loads nothing. Errors:
 *   DBSHIFT_EURL    no driver declares the scheme (the message lists the
 *                   schemes the drivers found do declare, and the path)
 *   DBSHIFT_EDRIVER driver_SCHEME.so exists but cannot be loaded, and no
 *                   other driver declares the scheme
 */
int dbshift__loader_load_scheme(const dbshift_driver **out, const char *scheme,
				const char *driver_dir, dbshift__err *err);

/** Load and check the module at path (for NAME, which picks the entry
 * symbol). Same errors as above except DBSHIFT_EURL. */
int dbshift__loader_load_file(const dbshift_driver **out, const char *path,
			      const char *name, dbshift__err *err);

/**
 * Call fn for each driver on the search path that loads (first module per
 * name, in search path order) until fn returns non-zero; fn runs under the
 * loader's lock and must not load drivers. Returns 0, fn's non-zero
 * value, or -1 when out of memory.
 */
int dbshift__loader_each(const char *driver_dir,
			 int (*fn)(const dbshift_driver *driver, void *payload),
			 void *payload);

/**
 * The modules of another ABI that were found before desc's on the search
 * path and passed over, as "PATH (reason); PATH (reason)", or NULL. Lives
 * as long as the process.
 */
const char *dbshift__loader_skipped(const dbshift_driver *desc);

/** The host function table passed to drivers. */
const dbshift_host *dbshift__loader_host(void);

#endif
