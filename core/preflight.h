/* SPDX-License-Identifier: MIT */
/*
 * preflight.h - checks of a script before any of it runs (preflight.c).
 */
#ifndef DBSHIFT_PREFLIGHT_H
#define DBSHIFT_PREFLIGHT_H

#include <stdint.h>

#include "catalog.h"
#include "error.h"

/**
 * Check script (of migration id, read with the driver's splitter
 * properties split_flags) before it runs, in a
 * transaction of dbshift's own when transactional. Returns 0, with
 * *run_text NULL (run the script as it is) or a new NUL-terminated copy
 * of the same length to run instead (the caller frees), the BEGIN/COMMIT
 * wrapper blanked out. Errors, recorded in err and naming the file and
 * line: DBSHIFT_ESOURCE for a NUL byte or for transaction control in a
 * transactional migration other than a whole-script wrapper;
 * DBSHIFT_ENOMEM.
 */
int dbshift__preflight(char **run_text, const dbshift__script *script,
		       uint64_t split_flags, int transactional, const char *id,
		       dbshift__err *err);

#endif
