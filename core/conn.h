/* SPDX-License-Identifier: MIT */
/*
 * conn.h - a connection through a driver, with driver diagnostics turned
 * into dbshift errors. The same object is the public dbshift_conn handed
 * to code migrations.
 */
#ifndef DBSHIFT_CONN_H
#define DBSHIFT_CONN_H

#include "dbshift/dbshift.h"
#include "dbshift/driver.h"
#include "error.h"

struct dbshift_conn {
	const dbshift_driver *driver;
	dbshift_driver_conn *handle;
	dbshift__err *err; /* where failures are recorded */
	dbshift_diag diag; /* of the last driver call */
	const char *url_redacted;
	/* What the driver's session_info found when connecting; all zero
	 * when the driver has no such slot. */
	dbshift_session_info info;
};

/** Connect with driver to url. Errors: DBSHIFT_EDB naming the redacted URL. */
int dbshift__conn_open(dbshift_conn **out, const dbshift_driver *driver,
		       const char *url, dbshift__err *err);
void dbshift__conn_close(dbshift_conn *conn);

/** The database server's clock in milliseconds since the epoch, or this
 * machine's when the driver cannot tell (an embedded database). */
int dbshift__conn_server_time(dbshift_conn *conn, int64_t *unix_ms);

/** The driver's table_options (ABI 1.8), which follow the closing
 * parenthesis of a CREATE TABLE of the core's own tables after a space;
 * "" when it has none. */
const char *dbshift__conn_table_options(const dbshift_conn *conn);

/** Run a script. On failure: DBSHIFT_EDB (or code given) with the
 * database message; the statement index is in conn->diag. */
int dbshift__conn_exec(dbshift_conn *conn, const char *sql, size_t len);
int dbshift__conn_query(dbshift_conn *conn, const char *sql,
			const dbshift_value *params, int32_t nparams,
			dbshift_driver_row_fn row, void *payload);
/** Run a script and the history write record with params in one
 * transaction through the driver's exec_recorded slot (which must be
 * set). On failure: DBSHIFT_EDB with the database message (naming the
 * transaction for a failed begin or commit), the step in *failed_step
 * and the statement in conn->diag; no transaction is left open. */
int dbshift__conn_exec_recorded(dbshift_conn *conn, const char *sql, size_t len,
				const char *record, const dbshift_value *params,
				int32_t nparams, int32_t elapsed_param,
				int32_t *failed_step);
int dbshift__conn_begin(dbshift_conn *conn);
int dbshift__conn_commit(dbshift_conn *conn);
/** Roll back, keeping the error already recorded (a failed rollback after
 * a failure is reported by the first failure). */
int dbshift__conn_rollback(dbshift_conn *conn);
int dbshift__conn_quote(dbshift_conn *conn, const char *ident, char *buf,
			size_t size);
int dbshift__conn_table_exists(dbshift_conn *conn, const char *table,
			       int *exists);
int dbshift__conn_has(const dbshift_conn *conn, uint64_t capability);
/** Stream the schema through the driver's schema slot (which must be
 * set), as dbshift__conn_query() streams rows. */
int dbshift__conn_schema(dbshift_conn *conn, dbshift_driver_row_fn row,
			 void *payload);

/** Parameter values: text (s must outlive the call), an integer, NULL. */
dbshift_value dbshift__value_text(const char *s);
dbshift_value dbshift__value_int(int64_t n);
dbshift_value dbshift__value_null(void);

#endif
