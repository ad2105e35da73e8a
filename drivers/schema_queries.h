/* SPDX-License-Identifier: MIT */
/*
 * schema_queries.h - the schema slot of a driver that answers it with
 * catalog queries: run each query of a list through the driver's own
 * query slot, handing every row to the core's callback. Shared by the
 * bundled drivers; a header of static functions, since each driver is a
 * module of its own.
 */
#ifndef DBSHIFT_DRIVER_SCHEMA_QUERIES_H
#define DBSHIFT_DRIVER_SCHEMA_QUERIES_H

#include <stddef.h>

#include "dbshift/driver.h"

/* Run the n queries of sql in order through query; stop at the first
 * failure (or the callback's stop) and return it, else 0. */
static inline int schema_queries_run(dbshift_driver_query_fn query,
				     dbshift_driver_conn *conn,
				     const char *const *sql, size_t n,
				     dbshift_driver_row_fn row, void *payload,
				     dbshift_diag *diag)
{
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = query(conn, sql[i], NULL, 0, row, payload, diag);
		if (ret != 0)
			return ret;
	}
	return 0;
}

#endif
