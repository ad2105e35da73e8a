/* SPDX-License-Identifier: MIT */
/*
 * conn.c - a database connection through a loaded driver. Every driver
 * call gets a fresh diagnostic, and failures become dbshift errors that
 * carry the database's message, SQLSTATE and native code. The same object
 * is the dbshift_conn that code migrations receive.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conn.h"
#include "urlparts.h"
#include "util.h"

static int conn_fail(dbshift_conn *conn, const char *what);

int dbshift__conn_open(dbshift_conn **out, const dbshift_driver *driver,
		       const char *url, dbshift__err *err)
{
	dbshift_conn *conn;
	char redacted[1024];

	*out = NULL;
	conn = calloc(1, sizeof(*conn));
	if (conn == NULL)
		return dbshift__err_set(err, DBSHIFT_ENOMEM, "out of memory");
	conn->driver = driver;
	conn->err = err;
	dbshift__diag_init(&conn->diag);
	if (driver->open(&conn->handle, url, &conn->diag) != 0) {
		int bad_url;
		int code;

		/* The driver should not repeat the password; make sure. */
		dbshift__url_scrub(conn->diag.message,
				   sizeof(conn->diag.message), url);
		dbshift__url_scrub(conn->diag.detail, sizeof(conn->diag.detail),
				   url);
		bad_url = strcmp(conn->diag.sqlstate,
				 DBSHIFT_SQLSTATE_BAD_URL) == 0;
		code = bad_url ? DBSHIFT_EURL : DBSHIFT_EDB;

		if (dbshift_url_redact(url, redacted, sizeof(redacted)) != 0)
			dbshift__strlcpy(redacted, "(URL)", sizeof(redacted));
		dbshift__err_from_diag(err, code, &conn->diag,
				       bad_url ? "bad database URL %s" :
						 "cannot connect to %s",
				       redacted);
		free(conn);
		return code;
	}
	conn->info.size = sizeof(conn->info);
	if (driver->session_info != NULL &&
	    driver->session_info(conn->handle, &conn->info, &conn->diag) != 0) {
		dbshift__err_from_diag(err, DBSHIFT_EDB, &conn->diag,
				       "cannot inspect the session");
		dbshift__conn_close(conn);
		return DBSHIFT_EDB;
	}
	*out = conn;
	return 0;
}

int dbshift__conn_server_time(dbshift_conn *conn, int64_t *unix_ms)
{
	struct timespec ts;

	if (conn->driver->server_time == NULL) {
		clock_gettime(CLOCK_REALTIME, &ts);
		*unix_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
		return 0;
	}
	dbshift__diag_init(&conn->diag);
	if (conn->driver->server_time(conn->handle, unix_ms, &conn->diag) != 0)
		return conn_fail(conn, "cannot read the server's clock");
	return 0;
}

void dbshift__conn_close(dbshift_conn *conn)
{
	if (conn == NULL)
		return;
	if (conn->handle != NULL)
		conn->driver->close(conn->handle);
	free(conn);
}

/* Record the failure of a driver call named what. */
static int conn_fail(dbshift_conn *conn, const char *what)
{
	return dbshift__err_from_diag(conn->err, DBSHIFT_EDB, &conn->diag, "%s",
				      what);
}

const char *dbshift__conn_table_options(const dbshift_conn *conn)
{
	const char *options = conn->driver->table_options;

	return options != NULL ? options : "";
}

int dbshift__conn_exec(dbshift_conn *conn, const char *sql, size_t len)
{
	dbshift__diag_init(&conn->diag);
	if (conn->driver->exec(conn->handle, sql, len, &conn->diag) != 0)
		return conn_fail(conn, "statement failed");
	return 0;
}

/* The result of a driver call that streamed rows: 0, the code a row
 * callback stopped it with (after recording its own error), or the
 * driver's failure. */
static int rows_result(dbshift_conn *conn, int rc, const char *what)
{
	if (rc == 0)
		return 0;
	if (conn->diag.message[0] == '\0' && rc < 0 && rc >= DBSHIFT_ESTATE)
		return rc; /* stopped by the row callback with its own error */
	return conn_fail(conn, what);
}

int dbshift__conn_query(dbshift_conn *conn, const char *sql,
			const dbshift_value *params, int32_t nparams,
			dbshift_driver_row_fn row, void *payload)
{
	int rc;

	dbshift__diag_init(&conn->diag);
	rc = conn->driver->query(conn->handle, sql, params, nparams, row,
				 payload, &conn->diag);
	return rows_result(conn, rc, "query failed");
}

int dbshift__conn_schema(dbshift_conn *conn, dbshift_driver_row_fn row,
			 void *payload)
{
	int rc;

	dbshift__diag_init(&conn->diag);
	rc = conn->driver->schema(conn->handle, row, payload, &conn->diag);
	return rows_result(conn, rc, "cannot read the schema");
}

int dbshift__conn_exec_recorded(dbshift_conn *conn, const char *sql, size_t len,
				const char *record, const dbshift_value *params,
				int32_t nparams, int32_t elapsed_param,
				int32_t *failed_step)
{
	dbshift__diag_init(&conn->diag);
	*failed_step = DBSHIFT_RECORDED_BEGIN;
	if (conn->driver->exec_recorded(conn->handle, sql, len, record, params,
					nparams, elapsed_param, failed_step,
					&conn->diag) == 0)
		return 0;
	if (*failed_step == DBSHIFT_RECORDED_BEGIN)
		return conn_fail(conn, "cannot begin transaction");
	if (*failed_step == DBSHIFT_RECORDED_COMMIT)
		return conn_fail(conn, "cannot commit transaction");
	return conn_fail(conn, "statement failed");
}

int dbshift__conn_begin(dbshift_conn *conn)
{
	dbshift__diag_init(&conn->diag);
	if (conn->driver->begin(conn->handle, &conn->diag) != 0)
		return conn_fail(conn, "cannot begin transaction");
	return 0;
}

int dbshift__conn_commit(dbshift_conn *conn)
{
	dbshift__diag_init(&conn->diag);
	if (conn->driver->commit(conn->handle, &conn->diag) != 0)
		return conn_fail(conn, "cannot commit transaction");
	return 0;
}

int dbshift__conn_rollback(dbshift_conn *conn)
{
	dbshift_diag diag;

	dbshift__diag_init(&diag);
	return conn->driver->rollback(conn->handle, &diag) != 0 ? DBSHIFT_EDB :
								  0;
}

int dbshift__conn_quote(dbshift_conn *conn, const char *ident, char *buf,
			size_t size)
{
	dbshift__diag_init(&conn->diag);
	if (conn->driver->quote_ident(conn->handle, ident, buf, size,
				      &conn->diag) != 0)
		return dbshift__err_from_diag(
			conn->err, DBSHIFT_EINVAL, &conn->diag,
			"cannot quote identifier '%s'", ident);
	return 0;
}

int dbshift__conn_table_exists(dbshift_conn *conn, const char *table,
			       int *exists)
{
	int32_t found = 0;

	dbshift__diag_init(&conn->diag);
	if (conn->driver->table_exists(conn->handle, table, &found,
				       &conn->diag) != 0)
		return conn_fail(conn, "cannot look up the history table");
	*exists = found != 0;
	return 0;
}

int dbshift__conn_has(const dbshift_conn *conn, uint64_t capability)
{
	return (conn->driver->capabilities & capability) == capability;
}

dbshift_value dbshift__value_text(const char *s)
{
	dbshift_value v;

	memset(&v, 0, sizeof(v));
	v.type = DBSHIFT_VALUE_TEXT;
	v.text = s;
	v.len = (int64_t)strlen(s);
	return v;
}

dbshift_value dbshift__value_int(int64_t n)
{
	dbshift_value v;

	memset(&v, 0, sizeof(v));
	v.type = DBSHIFT_VALUE_INT64;
	v.i64 = n;
	return v;
}

dbshift_value dbshift__value_null(void)
{
	dbshift_value v;

	memset(&v, 0, sizeof(v));
	v.type = DBSHIFT_VALUE_NULL;
	return v;
}

int dbshift_conn_exec(dbshift_conn *conn, const char *sql)
{
	if (conn == NULL || sql == NULL)
		return DBSHIFT_EINVAL;
	return dbshift__conn_exec(conn, sql, strlen(sql));
}

const char *dbshift_conn_dialect(const dbshift_conn *conn)
{
	return conn != NULL ? conn->driver->dialect : "";
}

int dbshift_conn_fail(dbshift_conn *conn, const char *fmt, ...)
{
	va_list ap;

	if (conn == NULL)
		return DBSHIFT_EMIGRATION;
	va_start(ap, fmt);
	dbshift__err_vset(conn->err, DBSHIFT_EMIGRATION, fmt, ap);
	va_end(ap);
	return DBSHIFT_EMIGRATION;
}
