/* SPDX-License-Identifier: MIT */
/*
 * impact.h - the tables a down script would drop with rows in them.
 */
#ifndef DBSHIFT_IMPACT_H
#define DBSHIFT_IMPACT_H

#include <stdint.h>

#include "conn.h"
#include "util.h"

typedef struct dbshift__table_rows {
	char *table; /* as the script names it, without quotes */
	int64_t rows;
} dbshift__table_rows;

/**
 * Append to out (dbshift__table_rows *, freed with
 * dbshift__table_rows_free) every table that a DROP TABLE statement of
 * the len-byte script names, that exists now and holds rows. Errors of
 * the lookups and counts: DBSHIFT_EDB, DBSHIFT_ENOMEM (in conn's error).
 */
int dbshift__impact_drops(dbshift_conn *conn, const char *script, size_t len,
			  dbshift__vec *out);

void dbshift__table_rows_free(void *table_rows);

#endif
