/* SPDX-License-Identifier: MIT */
/*
 * tracelite.c - a template dbshift driver (driver_tracelite.so), built
 * outside the dbshift tree against the installed <dbshift/driver.h>.
 *
 * It is a real driver: SQLite under its own URL scheme and dialect name,
 * logging every statement it runs. Copy it to start a driver for another
 * database; each part says what a driver must do and why.
 *
 *   URL        tracelite:PATH (the SQLite database file, created when
 *              missing; tracelite::memory: for a private one)
 *   dialect    "tracelite": migrations may carry VERSION_NAME.tracelite.
 *              up.sql variants (and tracelite/ folders) that only this
 *              driver runs; generic scripts run as well
 *   log        each statement, with its line, goes to the file named by
 *              $TRACELITE_LOG (appended), or to stderr when it is unset
 *
 * What it shows:
 *  - One exported symbol: DBSHIFT_DRIVER_ENTRY() writes the entry function
 *    and keeps the core's host table; build with -fvisibility=hidden.
 *  - The descriptor declares the schemes the core dispatches on, the
 *    dialect, and the splitter properties of the dialect's SQL.
 *  - exec() cuts a script into statements with the core's splitter
 *    (host->split_init/split_next), so that a failure names the statement
 *    index and line, and it runs them one at a time.
 *  - Every failure fills the diagnostic through host->fail(), which keeps
 *    messages on one line; a URL at fault is DBSHIFT_SQLSTATE_BAD_URL.
 *  - Values cross as dbshift_value: INT64 for integer columns, TEXT
 *    (pointer and length) for everything else, NULL.
 *  - The optional lock/unlock slots are left NULL, as is
 *    DBSHIFT_CAP_SESSION_LOCK: the core then serialises runs otherwise.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dbshift/driver.h>

/* The core's helpers, kept by the entry function. */
static const dbshift_host *host;

/* What the dialect's SQL adds to the standard: SQLite's. */
#define TRACELITE_SPLIT                                                        \
	(DBSHIFT_SPLIT_BACKTICK_NAMES | DBSHIFT_SPLIT_BRACKET_NAMES |          \
	 DBSHIFT_SPLIT_ROUTINE_BODIES)

#define SCHEME "tracelite:"

struct dbshift_driver_conn {
	sqlite3 *db;
	FILE *log;   /* where statements are logged */
	int own_log; /* log was opened here and is closed here */
};

/* Log one statement of len bytes that starts on line. */
static void log_statement(dbshift_driver_conn *c, const char *sql, size_t len,
			  int32_t line)
{
	fprintf(c->log, "tracelite: line %ld: %.*s\n", (long)line, (int)len,
		sql);
	fflush(c->log);
}

/* Fill diag from the connection's last error. Returns -1. */
static int fail_db(dbshift_driver_conn *c, dbshift_diag *diag)
{
	return host->fail(diag, NULL, sqlite3_extended_errcode(c->db), "%s",
			  sqlite3_errmsg(c->db));
}

static void conn_close(dbshift_driver_conn *c)
{
	if (c == NULL)
		return;
	sqlite3_close(c->db);
	if (c->own_log)
		fclose(c->log);
	free(c);
}

static int conn_open(dbshift_driver_conn **out, const char *url,
		     dbshift_diag *diag)
{
	const char *path = url != NULL && strncmp(url, SCHEME, 10) == 0 ?
				   url + strlen(SCHEME) :
				   NULL;
	const char *log = getenv("TRACELITE_LOG");
	dbshift_driver_conn *c;

	*out = NULL;
	if (path == NULL || path[0] == '\0')
		return host->fail(diag, DBSHIFT_SQLSTATE_BAD_URL, 0,
				  "expected tracelite:PATH");
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return host->fail(diag, NULL, 0, "out of memory");
	c->log = stderr;
	if (log != NULL && log[0] != '\0') {
		c->log = fopen(log, "a");
		c->own_log = c->log != NULL;
		if (c->log == NULL) {
			free(c);
			return host->fail(diag, NULL, 0, "cannot open log %s",
					  log);
		}
	}
	if (sqlite3_open_v2(path, &c->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    NULL) != SQLITE_OK) {
		host->fail(diag, NULL, 0, "cannot open %s: %s", path,
			   c->db != NULL ? sqlite3_errmsg(c->db) :
					   "out of memory");
		conn_close(c);
		return -1;
	}
	sqlite3_busy_timeout(c->db, 5000);
	*out = c;
	return 0;
}

/* Run one statement of len bytes (no ';' needed), discarding rows. */
static int run_one(dbshift_driver_conn *c, const char *sql, size_t len)
{
	sqlite3_stmt *stmt = NULL;
	int rc = sqlite3_prepare_v2(c->db, sql, (int)len, &stmt, NULL);

	while (rc == SQLITE_OK && stmt != NULL &&
	       (rc = sqlite3_step(stmt)) == SQLITE_ROW)
		rc = SQLITE_OK;
	if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(stmt);
	return rc;
}

/*
 * The exec slot: the core's splitter finds each statement; each is logged
 * and run. A failure reports the 0-based index of the statement and the
 * line it starts on, as the core expects.
 */
static int conn_exec(dbshift_driver_conn *c, const char *sql, size_t len,
		     dbshift_diag *diag)
{
	dbshift_split split;
	dbshift_stmt stmt;
	int32_t index = 0;

	/* A NUL byte would end the statement early for SQLite: refused. */
	if (host->refuse_nul(sql, len, diag) != 0)
		return -1;
	host->split_init(&split, sql, len, TRACELITE_SPLIT);
	while (host->split_next(&split, &stmt)) {
		log_statement(c, sql + stmt.start, stmt.len, stmt.line);
		if (run_one(c, sql + stmt.start, stmt.len) != SQLITE_OK) {
			fail_db(c, diag);
			diag->statement_index = index;
			diag->line = stmt.line;
			return -1;
		}
		index++;
	}
	return 0;
}

/* Bind the core's values; '?' placeholders are SQLite's own. */
static int bind_params(dbshift_driver_conn *c, sqlite3_stmt *stmt,
		       const dbshift_value *params, int32_t n,
		       dbshift_diag *diag)
{
	int32_t i;
	int rc = SQLITE_OK;

	if (sqlite3_bind_parameter_count(stmt) != n)
		return host->fail(diag, NULL, SQLITE_RANGE,
				  "query takes %d parameters, %ld given",
				  sqlite3_bind_parameter_count(stmt), (long)n);
	for (i = 0; i < n && rc == SQLITE_OK; i++) {
		if (params[i].type == DBSHIFT_VALUE_INT64)
			rc = sqlite3_bind_int64(stmt, i + 1, params[i].i64);
		else if (params[i].type == DBSHIFT_VALUE_TEXT)
			rc = sqlite3_bind_text(stmt, i + 1, params[i].text,
					       (int)params[i].len,
					       SQLITE_TRANSIENT);
		else
			rc = sqlite3_bind_null(stmt, i + 1);
	}
	return rc == SQLITE_OK ? 0 : fail_db(c, diag);
}

/* One row as dbshift values, passed to row(). */
static int pass_row(sqlite3_stmt *stmt, dbshift_driver_row_fn row,
		    void *payload)
{
	dbshift_value cols[32];
	int i, n = sqlite3_column_count(stmt);

	if (n > 32)
		n = 32;
	for (i = 0; i < n; i++) {
		memset(&cols[i], 0, sizeof(cols[i]));
		switch (sqlite3_column_type(stmt, i)) {
		case SQLITE_NULL:
			cols[i].type = DBSHIFT_VALUE_NULL;
			break;
		case SQLITE_INTEGER:
			cols[i].type = DBSHIFT_VALUE_INT64;
			cols[i].i64 = sqlite3_column_int64(stmt, i);
			break;
		default:
			cols[i].type = DBSHIFT_VALUE_TEXT;
			cols[i].text =
				(const char *)sqlite3_column_text(stmt, i);
			cols[i].len = sqlite3_column_bytes(stmt, i);
		}
	}
	return row(n, cols, payload);
}

static int conn_query(dbshift_driver_conn *c, const char *sql,
		      const dbshift_value *params, int32_t nparams,
		      dbshift_driver_row_fn row, void *payload,
		      dbshift_diag *diag)
{
	sqlite3_stmt *stmt = NULL;
	dbshift_split split;
	dbshift_stmt one;
	int rc, stop = 0, n = 0;

	/* One statement exactly: count them with the core's splitter. */
	host->split_init(&split, sql, strlen(sql), TRACELITE_SPLIT);
	while (host->split_next(&split, &one))
		n++;
	if (n != 1)
		return host->fail(diag, NULL, SQLITE_MISUSE,
				  "query holds %d statements, not one", n);
	log_statement(c, sql, strlen(sql), 1);
	if (sqlite3_prepare_v2(c->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return fail_db(c, diag);
	if (bind_params(c, stmt, params, nparams, diag) != 0) {
		sqlite3_finalize(stmt);
		return -1;
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		if (row != NULL && (stop = pass_row(stmt, row, payload)) != 0)
			break;
	sqlite3_finalize(stmt);
	if (stop != 0)
		return stop;
	return rc == SQLITE_DONE ? 0 : fail_db(c, diag);
}

static int tx(dbshift_driver_conn *c, const char *sql, dbshift_diag *diag)
{
	log_statement(c, sql, strlen(sql), 1);
	return run_one(c, sql, strlen(sql)) == SQLITE_OK ? 0 : fail_db(c, diag);
}

static int conn_begin(dbshift_driver_conn *c, dbshift_diag *diag)
{
	return tx(c, "BEGIN", diag);
}

static int conn_commit(dbshift_driver_conn *c, dbshift_diag *diag)
{
	return tx(c, "COMMIT", diag);
}

/* Rolling back outside a transaction is a no-op, as the core expects. */
static int conn_rollback(dbshift_driver_conn *c, dbshift_diag *diag)
{
	if (sqlite3_get_autocommit(c->db))
		return 0;
	return tx(c, "ROLLBACK", diag);
}

/* "name" with inner quotes doubled, into buf of size bytes: the host's
 * quoting for a dialect whose quote character is '"'. */
static int conn_quote_ident(dbshift_driver_conn *c, const char *ident,
			    char *buf, size_t size, dbshift_diag *diag)
{
	(void)c; /* quoting needs no connection */
	return host->quote_ident('"', ident, buf, size, diag);
}

/* Report whether the query found a row. */
static int found_row(int32_t ncols, const dbshift_value *cols, void *payload)
{
	(void)ncols;
	(void)cols;
	*(int32_t *)payload = 1;
	return 0;
}

static int conn_table_exists(dbshift_driver_conn *c, const char *table,
			     int32_t *exists, dbshift_diag *diag)
{
	dbshift_value name = {DBSHIFT_VALUE_TEXT, 0, table, 0};

	*exists = 0;
	if (table == NULL || table[0] == '\0' || strchr(table, '.') != NULL)
		return host->fail(diag, NULL, 0, "bad table name '%s'",
				  table != NULL ? table : "");
	name.len = (int64_t)strlen(table);
	return conn_query(c,
			  "SELECT 1 FROM sqlite_master WHERE type = 'table' "
			  "AND name = ? COLLATE NOCASE",
			  &name, 1, found_row, exists, diag);
}

static const char *const tracelite_schemes[] = {"tracelite", NULL};

static const dbshift_driver tracelite_driver = {
	.abi_major = DBSHIFT_DRIVER_ABI_MAJOR,
	.abi_minor = DBSHIFT_DRIVER_ABI_MINOR,
	.struct_size = sizeof(dbshift_driver),
	.name = "tracelite",
	.dialect = "tracelite",
	.schemes = tracelite_schemes,
	.version = "1.0 (SQLite " SQLITE_VERSION ")",
	.capabilities = DBSHIFT_CAP_TRANSACTIONAL_DDL | DBSHIFT_CAP_SAVEPOINTS,
	.open = conn_open,
	.close = conn_close,
	.exec = conn_exec,
	.query = conn_query,
	.begin = conn_begin,
	.commit = conn_commit,
	.rollback = conn_rollback,
	.quote_ident = conn_quote_ident,
	.table_exists = conn_table_exists,
	.split_flags = TRACELITE_SPLIT,
	/* ABI 1.8: appended to the CREATE TABLE of the core's own tables. */
	.table_options = "WITHOUT ROWID",
};

DBSHIFT_DRIVER_ENTRY(tracelite, host, &tracelite_driver)
