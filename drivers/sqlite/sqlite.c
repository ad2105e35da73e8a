/* SPDX-License-Identifier: MIT */
/*
 * sqlite.c - the SQLite driver (driver_sqlite.so).
 *
 * Implements the driver ABI of dbshift/driver.h on one sqlite3 connection.
 * Scripts run statement by statement through sqlite3_prepare_v2(), so a
 * failure names the statement and the line it starts on. SQLite has
 * transactional DDL and savepoints; the run lock comes later (lock and
 * unlock are NULL for now). Only dbshift_driver_sqlite_init is exported.
 *
 * URLs (the path is taken literally, without percent-decoding):
 *   sqlite:PATH, sqlite3:PATH        PATH relative or absolute
 *   sqlite:///abs/path               /abs/path
 *   sqlite://rel/path                rel/path (as golang-migrate reads it)
 *   sqlite::memory:, sqlite://:memory:   a private in-memory database
 *   sqlite:PATH?QUERY                opened as the URI file:PATH?QUERY, so
 *                                    SQLite's URI parameters (mode=ro,
 *                                    cache=shared, ...) work
 *   file:URI                         handed whole to SQLite as a URI
 * The database file is created when missing, as users of every other
 * migration tool expect; a directory that does not exist is an error.
 */
#include "config.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "dbshift/driver.h"
#include "../schema_queries.h"

/* How long a call waits for another connection's lock before it gives up
 * with SQLITE_BUSY. */
#define BUSY_TIMEOUT_MS 5000

/* Looks a table up in one schema's catalog; %s is the quoted schema.
 * SQLite compares identifiers without regard to ASCII case, so does this. */
#define TABLE_EXISTS_SQL                                                       \
	"SELECT 1 FROM %s.sqlite_master WHERE type = 'table' AND "             \
	"name = ? COLLATE NOCASE"

struct dbshift_driver_conn {
	sqlite3 *db;
	int lock_fd; /* holds the run lock, or -1 */
};

/* Where and how to open a database, decoded from a URL. */
struct open_target {
	char *filename; /* what sqlite3_open_v2() gets */
	char *path;	/* what messages name */
	int uri;	/* filename is a file: URI */
};

/* The core's helpers (driver.h), kept by the entry function. */
static const dbshift_host *host;

/* Fill diag (when not NULL) with native_code and a printf-style message
 * folded onto one line. Returns -1, the failure value of every slot, so
 * that callers can "return fail(...)". */
#define fail(diag, native_code, ...)                                           \
	(host->fail)(diag, NULL, native_code, __VA_ARGS__)

/* Fill diag from the connection's last error. Returns -1. A wait for
 * another connection's lock that timed out gets the SQLSTATE the core
 * retries on. */
static int fail_db(sqlite3 *db, dbshift_diag *diag)
{
	int code = sqlite3_extended_errcode(db);

	fail(diag, code, "%s", sqlite3_errmsg(db));
	if (diag != NULL && (code & 0xff) == SQLITE_BUSY)
		memcpy(diag->sqlstate, DBSHIFT_SQLSTATE_LOCK_TIMEOUT,
		       sizeof(DBSHIFT_SQLSTATE_LOCK_TIMEOUT));
	return -1;
}

static int fail_nomem(dbshift_diag *diag)
{
	return fail(diag, SQLITE_NOMEM, "out of memory");
}

/* ---- URLs ---- */

/* If url begins with scheme and ':' (in any case), return what follows the
 * colon, else NULL. */
static const char *after_scheme(const char *url, const char *scheme)
{
	size_t len = strlen(scheme);

	if (strncasecmp(url, scheme, len) != 0 || url[len] != ':')
		return NULL;
	return url + len + 1;
}

/*
 * Build the URI "file:PATH?QUERY" from path_len bytes of path. '%', '#' and
 * '?' in PATH are percent-encoded so that SQLite opens the very file the
 * plain form would; an absolute PATH gets an empty authority
 * ("file:///abs"), which also keeps a PATH starting with "//" from being
 * read as a host name. Returns a new string (caller frees) or NULL when out
 * of memory.
 */
static char *uri_from_path(const char *path, size_t path_len, const char *query)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t query_size = strlen(query) + 1;
	char *uri = malloc(sizeof("file://") + 3 * path_len + 1 + query_size);
	char *p = uri;
	size_t i;

	if (uri == NULL)
		return NULL;
	memcpy(p, "file:", 5);
	p += 5;
	if (path[0] == '/') {
		memcpy(p, "//", 2);
		p += 2;
	}
	for (i = 0; i < path_len; i++) {
		unsigned char c = (unsigned char)path[i];

		if (c == '%' || c == '#' || c == '?') {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		} else {
			*p++ = (char)c;
		}
	}
	*p++ = '?';
	memcpy(p, query, query_size);
	return uri;
}

/* Decode what follows "sqlite:" or "sqlite3:" in url. */
static int target_from_sqlite(struct open_target *t, const char *rest,
			      const char *url, dbshift_diag *diag)
{
	const char *query;
	size_t path_len;

	if (strncmp(rest, "//", 2) == 0)
		rest += 2;
	query = strchr(rest, '?');
	path_len = query != NULL ? (size_t)(query - rest) : strlen(rest);
	if (path_len == 0)
		return fail(diag, 0, "no database path in SQLite URL '%s'",
			    url);
	t->path = strndup(rest, path_len);
	if (query != NULL) {
		t->filename = uri_from_path(rest, path_len, query + 1);
		t->uri = 1;
	} else {
		t->filename = strdup(rest);
	}
	if (t->path == NULL || t->filename == NULL)
		return fail_nomem(diag);
	return 0;
}

/* Decode a "file:" URI: SQLite parses it, we only refuse an empty path
 * (SQLite would open a throw-away temporary database). */
static int target_from_file(struct open_target *t, const char *rest,
			    const char *url, dbshift_diag *diag)
{
	const char *path = rest;

	if (strncmp(path, "//", 2) == 0)
		path += 2 + strcspn(path + 2, "/?#");
	if (strcspn(path, "?#") == 0)
		return fail(diag, 0, "no database path in SQLite URI '%s'",
			    url);
	/* SQLite only knows the scheme in lower case. */
	t->filename = malloc(sizeof("file:") + strlen(rest));
	t->path = strdup(url);
	t->uri = 1;
	if (t->path == NULL || t->filename == NULL)
		return fail_nomem(diag);
	memcpy(t->filename, "file:", 5);
	memcpy(t->filename + 5, rest, strlen(rest) + 1);
	return 0;
}

/* Decode url into t. t is always left safe to pass to target_free(). */
static int target_parse(struct open_target *t, const char *url,
			dbshift_diag *diag)
{
	const char *rest;
	size_t scheme_len;

	memset(t, 0, sizeof(*t));
	if (url == NULL)
		return fail(diag, 0, "no database URL given");
	rest = after_scheme(url, "sqlite");
	if (rest == NULL)
		rest = after_scheme(url, "sqlite3");
	if (rest != NULL)
		return target_from_sqlite(t, rest, url, diag);
	rest = after_scheme(url, "file");
	if (rest != NULL)
		return target_from_file(t, rest, url, diag);
	scheme_len = strcspn(url, ":");
	if (url[scheme_len] == '\0')
		return fail(diag, 0, "'%s' is not a SQLite URL (sqlite:PATH)",
			    url);
	/* Name only the scheme: the rest may hold a password. */
	return fail(diag, 0, "URL scheme '%.*s' is not sqlite, sqlite3 or file",
		    (int)scheme_len, url);
}

static void target_free(struct open_target *t)
{
	free(t->filename);
	free(t->path);
}

/* ---- connections ---- */

/*
 * Apply the settings every run relies on, then read the schema, so that a
 * file that is not a database fails here rather than half way through a
 * run.
 */
static int db_setup(sqlite3 *db)
{
	int rc;

	sqlite3_extended_result_codes(db, 1);
	rc = sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master",
				  NULL, NULL, NULL);
	return rc;
}

/* Describe a failed open of t: one line naming the path, with the system's
 * reason when SQLite has one. Returns -1. */
static int fail_open(sqlite3 *db, int rc, const struct open_target *t,
		     dbshift_diag *diag)
{
	int sys_errno;

	if (db == NULL)
		return fail(diag, rc, "cannot open SQLite database %s: %s",
			    t->path, sqlite3_errstr(rc));
	sys_errno = sqlite3_system_errno(db);
	if (sys_errno != 0)
		return fail(diag, sqlite3_extended_errcode(db),
			    "cannot open SQLite database %s: %s (%s)", t->path,
			    sqlite3_errmsg(db), strerror(sys_errno));
	return fail(diag, sqlite3_extended_errcode(db),
		    "cannot open SQLite database %s: %s", t->path,
		    sqlite3_errmsg(db));
}

/* Open and set up the database t names. Returns the handle, or NULL with
 * diag filled. */
static sqlite3 *db_open(const struct open_target *t, dbshift_diag *diag)
{
	/* NOMUTEX: the core uses a connection from one thread at a time
	 * (docs/ABI.md, "Threads"), so SQLite's per-connection mutexes
	 * only cost time (about 4% of a no-op run's instructions). */
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
		    SQLITE_OPEN_NOMUTEX;
	sqlite3 *db = NULL;
	int rc;

	if (t->uri)
		flags |= SQLITE_OPEN_URI;
	rc = sqlite3_open_v2(t->filename, &db, flags, NULL);
	if (rc == SQLITE_OK)
		rc = db_setup(db);
	if (rc != SQLITE_OK) {
		fail_open(db, rc, t, diag);
		sqlite3_close_v2(db);
		return NULL;
	}
	return db;
}

/* Tell the core that the URL itself is at fault (unless memory ran out). */
static void mark_bad_url(dbshift_diag *diag)
{
	if (diag != NULL && diag->native_code != SQLITE_NOMEM)
		memcpy(diag->sqlstate, DBSHIFT_SQLSTATE_BAD_URL,
		       sizeof(DBSHIFT_SQLSTATE_BAD_URL));
}

/* The open slot: *out gets a connection the caller closes with
 * conn_close(). */
static int conn_open(dbshift_driver_conn **out, const char *url,
		     dbshift_diag *diag)
{
	struct open_target t;
	dbshift_driver_conn *conn;
	sqlite3 *db;
	int ret = -1;

	*out = NULL;
	if (target_parse(&t, url, diag) != 0) {
		mark_bad_url(diag);
		goto out_target;
	}
	db = db_open(&t, diag);
	if (db == NULL)
		goto out_target;
	conn = malloc(sizeof(*conn));
	if (conn == NULL) {
		sqlite3_close_v2(db);
		fail_nomem(diag);
		goto out_target;
	}
	conn->db = db;
	conn->lock_fd = -1;
	*out = conn;
	ret = 0;
out_target:
	target_free(&t);
	return ret;
}

/* The close slot. An open transaction is rolled back. Accepts NULL. */
static void conn_close(dbshift_driver_conn *conn)
{
	if (conn == NULL)
		return;
	if (conn->lock_fd >= 0)
		close(conn->lock_fd);
	sqlite3_close_v2(conn->db);
	free(conn);
}

/* ---- scripts ---- */

/* SQLite's white space: space, \t, \n, \v, \f and \r. */
static int is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Offset just past the "*" "/" closing a block comment whose body starts
 * at pos, or len when it is never closed (SQLite reads it to the end). */
static size_t block_comment_end(const char *sql, size_t len, size_t pos)
{
	for (; pos + 1 < len; pos++)
		if (sql[pos] == '*' && sql[pos + 1] == '/')
			return pos + 2;
	return len;
}

/*
 * Return the offset of the first byte at or after pos that is not white
 * space, a comment or a ';': the first token of the next statement, or len
 * when only such filler is left. Comments are read as SQLite's tokenizer
 * reads them: "--" to the end of the line, and a block comment to its
 * close or the end of the script ("/" "*" as the last two bytes is a
 * slash token, not a comment).
 */
static size_t skip_filler(const char *sql, size_t len, size_t pos)
{
	while (pos < len) {
		if (is_space(sql[pos]) || sql[pos] == ';') {
			pos++;
		} else if (pos + 1 < len && sql[pos] == '-' &&
			   sql[pos + 1] == '-') {
			while (pos < len && sql[pos] != '\n')
				pos++;
		} else if (pos + 2 < len && sql[pos] == '/' &&
			   sql[pos + 1] == '*') {
			pos = block_comment_end(sql, len, pos + 2);
		} else {
			break;
		}
	}
	return pos;
}

/*
 * The 1-based character position, within stmt, of the token SQLite blamed
 * for its last error, or 0 when it named none. sqlite3_error_offset()
 * gives a byte offset and exists from SQLite 3.38 on.
 */
static int32_t error_position(sqlite3 *db, const char *stmt)
{
#if SQLITE_VERSION_NUMBER >= 3038000
	int offset = sqlite3_error_offset(db);
	int32_t position = 1;
	int i;

	if (offset < 0)
		return 0;
	for (i = 0; i < offset && stmt[i] != '\0'; i++)
		if (((unsigned char)stmt[i] & 0xC0) != 0x80)
			position++;
	return position;
#else
	(void)db;
	(void)stmt;
	return 0;
#endif
}

/* Fill diag for statement number index, whose first token is at offset
 * start in script, from the connection's last error. Returns -1. */
static int fail_statement(sqlite3 *db, const char *script, size_t start,
			  int32_t index, dbshift_diag *diag)
{
	fail_db(db, diag);
	if (diag != NULL) {
		diag->statement_index = index;
		diag->line = host->line_at(script, start);
		diag->position = error_position(db, script + start);
	}
	return -1;
}

/* Step a prepared statement to its end, discarding rows. Returns
 * SQLITE_OK or the error code. */
static int step_to_end(sqlite3_stmt *stmt)
{
	int rc;

	do
		rc = sqlite3_step(stmt);
	while (rc == SQLITE_ROW);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/*
 * Run the len-byte, NUL-terminated script: prepare one statement where the
 * last one ended (after its filler, so that start is its first token),
 * step it to the end, repeat. index counts only non-empty statements.
 */
static int exec_script(sqlite3 *db, const char *script, size_t len,
		       dbshift_diag *diag)
{
	size_t start = skip_filler(script, len, 0), next;
	int32_t index = 0;
	sqlite3_stmt *stmt;
	const char *tail;
	int rc;

	while (start < len) {
		stmt = NULL;
		rc = sqlite3_prepare_v2(db, script + start, -1, &stmt, &tail);
		if (rc == SQLITE_OK && stmt != NULL)
			rc = step_to_end(stmt);
		if (rc != SQLITE_OK) {
			fail_statement(db, script, start, index, diag);
			sqlite3_finalize(stmt);
			return -1;
		}
		if (stmt != NULL)
			index++;
		sqlite3_finalize(stmt);
		next = (size_t)(tail - script);
		if (next <= start)
			break; /* SQLite found nothing more to run */
		start = skip_filler(script, len, next);
	}
	return 0;
}

/*
 * The exec slot. The script is copied once into a NUL-terminated buffer:
 * the caller's need not be terminated, and giving SQLite an unterminated
 * rest would make it copy that rest again for every statement. A NUL byte
 * inside the script would silently end it for SQLite, so it is refused.
 */
static int conn_exec(dbshift_driver_conn *conn, const char *sql, size_t sql_len,
		     dbshift_diag *diag)
{
	char *script;
	int ret;

	if (sql_len == 0)
		return 0;
	script = host->script_dup(sql, sql_len, diag);
	if (script == NULL)
		return -1;
	ret = exec_script(conn->db, script, sql_len, diag);
	free(script);
	return ret;
}

/* ---- queries ---- */

/* Bind value as parameter number index (1-based). */
static int bind_one(sqlite3_stmt *stmt, int index, const dbshift_value *value,
		    dbshift_diag *diag)
{
	int rc;

	switch (value->type) {
	case DBSHIFT_VALUE_NULL:
		rc = sqlite3_bind_null(stmt, index);
		break;
	case DBSHIFT_VALUE_INT64:
		rc = sqlite3_bind_int64(stmt, index, value->i64);
		break;
	case DBSHIFT_VALUE_TEXT:
		if (value->len < 0 || (value->text == NULL && value->len > 0))
			return fail(diag, SQLITE_MISUSE,
				    "parameter %d: bad text length", index);
		/* A NULL pointer would bind SQL NULL, not "". */
		rc = sqlite3_bind_text64(
			stmt, index, value->text ? value->text : "",
			(sqlite3_uint64)value->len, SQLITE_STATIC, SQLITE_UTF8);
		break;
	default:
		return fail(diag, SQLITE_MISUSE,
			    "parameter %d: unknown value type %d", index,
			    (int)value->type);
	}
	if (rc != SQLITE_OK)
		return fail(diag, rc, "parameter %d: %s", index,
			    sqlite3_errstr(rc));
	return 0;
}

/* Bind nparams values; the statement must take exactly that many. */
static int bind_params(sqlite3_stmt *stmt, const dbshift_value *params,
		       int32_t nparams, dbshift_diag *diag)
{
	int expected = sqlite3_bind_parameter_count(stmt);
	int32_t i;

	if (nparams != expected)
		return fail(diag, SQLITE_RANGE,
			    "query takes %d parameters, %d given", expected,
			    (int)nparams);
	for (i = 0; i < nparams; i++)
		if (bind_one(stmt, (int)i + 1, &params[i], diag) != 0)
			return -1;
	return 0;
}

/*
 * Read column i of the current row into v: INTEGER as INT64, NULL as NULL,
 * anything else as SQLite's text for it. Returns -1 only when SQLite ran
 * out of memory converting the value.
 */
static int column_value(sqlite3_stmt *stmt, int i, dbshift_value *v)
{
	memset(v, 0, sizeof(*v));
	switch (sqlite3_column_type(stmt, i)) {
	case SQLITE_NULL:
		v->type = DBSHIFT_VALUE_NULL;
		return 0;
	case SQLITE_INTEGER:
		v->type = DBSHIFT_VALUE_INT64;
		v->i64 = sqlite3_column_int64(stmt, i);
		return 0;
	default:
		v->type = DBSHIFT_VALUE_TEXT;
		v->text = (const char *)sqlite3_column_text(stmt, i);
		v->len = sqlite3_column_bytes(stmt, i);
		if (v->text != NULL)
			return 0;
		/* NULL without an error is an empty BLOB. */
		v->text = "";
		if (sqlite3_errcode(sqlite3_db_handle(stmt)) == SQLITE_NOMEM)
			return -1;
		return 0;
	}
}

/*
 * Step stmt to its end, handing every row to row (when not NULL). Returns
 * 0, the callback's non-zero value when it asked to stop, or -1 with diag
 * filled.
 */
static int fetch_rows(sqlite3_stmt *stmt, dbshift_driver_row_fn row,
		      void *payload, dbshift_diag *diag)
{
	int ncols = sqlite3_column_count(stmt);
	dbshift_value *cols =
		calloc(ncols > 0 ? (size_t)ncols : 1, sizeof(*cols));
	int rc = SQLITE_DONE, i, ret = 0;

	if (cols == NULL)
		return fail_nomem(diag);
	while (ret == 0 && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (row == NULL)
			continue;
		for (i = 0; i < ncols && ret == 0; i++)
			if (column_value(stmt, i, &cols[i]) != 0)
				ret = fail_nomem(diag);
		if (ret == 0)
			ret = row(ncols, cols, payload);
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = fail_db(sqlite3_db_handle(stmt), diag);
	free(cols);
	return ret;
}

/*
 * The query slot: one statement (a trailing ';' and comments are fine),
 * '?' parameters bound in order.
 */
static int conn_query(dbshift_driver_conn *conn, const char *sql,
		      const dbshift_value *params, int32_t nparams,
		      dbshift_driver_row_fn row, void *payload,
		      dbshift_diag *diag)
{
	sqlite3_stmt *stmt = NULL;
	const char *tail;
	size_t tail_len;
	int ret;

	if (sqlite3_prepare_v2(conn->db, sql, -1, &stmt, &tail) != SQLITE_OK)
		return fail_db(conn->db, diag);
	if (stmt == NULL)
		return fail(diag, SQLITE_MISUSE, "query holds no statement");
	tail_len = strlen(tail);
	if (skip_filler(tail, tail_len, 0) < tail_len)
		ret = fail(diag, SQLITE_MISUSE,
			   "query holds more than one statement");
	else
		ret = bind_params(stmt, params, nparams, diag);
	if (ret == 0)
		ret = fetch_rows(stmt, row, payload, diag);
	sqlite3_finalize(stmt);
	return ret;
}

/* ---- transactions ---- */

/* Run one fixed statement that returns no rows. */
static int run_simple(dbshift_driver_conn *conn, const char *sql,
		      dbshift_diag *diag)
{
	if (sqlite3_exec(conn->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return fail_db(conn->db, diag);
	return 0;
}

/*
 * The begin slot. BEGIN IMMEDIATE takes the write lock now, waiting up to
 * the busy timeout for another writer to finish. A deferred BEGIN would
 * take it at the migration's first write instead, and if another
 * connection got the write lock in between, SQLite must fail that write at
 * once with SQLITE_BUSY (waiting could deadlock): the migration would fail
 * half way through for no fault of its own.
 */
static int conn_begin(dbshift_driver_conn *conn, dbshift_diag *diag)
{
	return run_simple(conn, "BEGIN IMMEDIATE", diag);
}

static int conn_commit(dbshift_driver_conn *conn, dbshift_diag *diag)
{
	return run_simple(conn, "COMMIT", diag);
}

/* The rollback slot. Without an open transaction (none was begun, or
 * SQLite already rolled it back after an error) there is nothing to do. */
static int conn_rollback(dbshift_driver_conn *conn, dbshift_diag *diag)
{
	if (sqlite3_get_autocommit(conn->db))
		return 0;
	return run_simple(conn, "ROLLBACK", diag);
}

/* ---- identifiers and the catalog ---- */

/* The quote_ident slot. Any non-empty name can be quoted; a NUL ends it. */
static int conn_quote_ident(dbshift_driver_conn *conn, const char *ident,
			    char *buf, size_t buf_size, dbshift_diag *diag)
{
	(void)conn;
	return host->quote_ident('"', ident, buf, buf_size, diag);
}

/* The catalog query for table (schema_len bytes of schema before the
 * name). Returns a new string or NULL when out of memory. */
static char *table_exists_sql(const char *schema, size_t schema_len)
{
	size_t quoted_size = 2 * schema_len + 3, sql_size;
	char *quoted = malloc(quoted_size);
	char *sql = NULL;

	if (quoted == NULL)
		return NULL;
	host->quote_into('"', schema, schema_len, quoted, quoted_size);
	sql_size = sizeof(TABLE_EXISTS_SQL) + strlen(quoted);
	sql = malloc(sql_size);
	if (sql != NULL)
		snprintf(sql, sql_size, TABLE_EXISTS_SQL, quoted);
	free(quoted);
	return sql;
}

/* Row callback of the catalog query: any row means the table exists. */
static int table_found(int32_t ncols, const dbshift_value *cols, void *payload)
{
	(void)ncols;
	(void)cols;
	*(int32_t *)payload = 1;
	return 0;
}

/*
 * The table_exists slot. "schema.table" (split at the first '.') looks in
 * that schema: main, temp or an attached database; a plain name looks in
 * main, where an unqualified CREATE TABLE puts it.
 */
static int conn_table_exists(dbshift_driver_conn *conn, const char *table,
			     int32_t *exists, dbshift_diag *diag)
{
	const char *dot, *schema = "main", *name = table;
	size_t schema_len = 4;
	dbshift_value param;
	char *sql;
	int ret;

	*exists = 0;
	if (table == NULL || table[0] == '\0')
		return fail(diag, 0, "empty table name");
	dot = strchr(table, '.');
	if (dot != NULL) {
		if (dot == table || dot[1] == '\0')
			return fail(diag, 0, "bad table name '%s'", table);
		schema = table;
		schema_len = (size_t)(dot - table);
		name = dot + 1;
	}
	sql = table_exists_sql(schema, schema_len);
	if (sql == NULL)
		return fail_nomem(diag);
	param.type = DBSHIFT_VALUE_TEXT;
	param.i64 = 0;
	param.text = name;
	param.len = (int64_t)strlen(name);
	ret = conn_query(conn, sql, &param, 1, table_found, exists, diag);
	free(sql);
	return ret;
}

/* ---- the run lock ---- */

#if HAVE_DECL_F_OFD_SETLK
/*
 * SQLite has no session lock, so the run lock is an open-file-description
 * lock (F_OFD_SETLK) on one byte of the database file, far beyond the
 * bytes SQLite locks itself (around the 1 GiB offset). The byte is chosen
 * by a hash of the key, so runs on different history tables lock different
 * bytes. An OFD lock belongs to the driver's own descriptor: it does not
 * disturb SQLite's POSIX locks, is not dropped when SQLite closes one of
 * its descriptors, and is released by the kernel if the process dies.
 */
#define LOCK_REGION_START (INT64_C(1) << 40)
#define LOCK_REGION_SIZE 65536

static uint64_t key_hash(const char *key)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * UINT64_C(1099511628211);
	return h;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Try to lock the key's byte on fd until timeout_ms has passed. */
static int lock_wait(int fd, const char *key, int64_t timeout_ms,
		     dbshift_diag *diag)
{
	struct flock fl;
	long long deadline = now_ms() + timeout_ms;
	struct timespec pause = {0, 50 * 1000000L};

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start =
		LOCK_REGION_START + (off_t)(key_hash(key) % LOCK_REGION_SIZE);
	fl.l_len = 1;
	for (;;) {
		if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
			return 0;
		if (errno != EAGAIN && errno != EACCES && errno != EINTR)
			return fail(diag, errno,
				    "cannot lock database file: %s",
				    strerror(errno));
		if (now_ms() >= deadline)
			return fail(diag, 0,
				    "timed out after %lld s waiting for lock "
				    "'%s' held by another run",
				    (long long)(timeout_ms / 1000), key);
		nanosleep(&pause, NULL);
	}
}

/* The lock slot. A private database (:memory:, temporary) needs no lock:
 * no other connection can see it. */
static int conn_lock(dbshift_driver_conn *conn, const char *key,
		     int64_t timeout_ms, dbshift_diag *diag)
{
	const char *file = sqlite3_db_filename(conn->db, "main");
	int fd;

	if (file == NULL || file[0] == '\0' || conn->lock_fd >= 0)
		return 0;
	fd = open(file, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail(diag, errno, "cannot open %s to lock it: %s", file,
			    strerror(errno));
	if (lock_wait(fd, key, timeout_ms, diag) != 0) {
		close(fd);
		return -1;
	}
	conn->lock_fd = fd;
	return 0;
}

/* The unlock slot: closing the descriptor releases its OFD lock. */
static int conn_unlock(dbshift_driver_conn *conn, const char *key,
		       dbshift_diag *diag)
{
	if (conn->lock_fd >= 0)
		close(conn->lock_fd);
	conn->lock_fd = -1;
	return 0;
}
#define SQLITE_LOCK conn_lock
#define SQLITE_UNLOCK conn_unlock
#else
/* Without OFD locks the core falls back to its lease table. */
#define SQLITE_LOCK NULL
#define SQLITE_UNLOCK NULL
#endif

/* ---- schema introspection ---- */

/* The tables of main that are not SQLite's own (sqlite_sequence, ...). */
#define USER_TABLES                                                            \
	"m.type = 'table' AND m.name NOT LIKE 'sqlite!_%' ESCAPE '!'"

/*
 * One query per kind of object, each giving the columns of the schema slot
 * (dbshift/driver.h). SQLite keeps no names for primary keys, unique
 * constraints and foreign keys, so those get names made from their
 * columns ("unique (email)"); CHECK constraints
 * exist only inside the CREATE TABLE text and are not reported. Indexes
 * are described by their columns, so that an index created again in other
 * words (as a table rebuild in a down script does) compares equal; only
 * partial and expression indexes keep their CREATE INDEX text.
 */
static const char *const schema_sql[] = {
	/* tables */
	"SELECT 1, m.name, m.name, NULL, 0, NULL, NULL, 0 "
	"FROM main.sqlite_master m WHERE " USER_TABLES,
	/* columns */
	"SELECT 2, m.name, p.name, lower(p.type), 1 - p.\"notnull\", "
	"p.dflt_value, NULL, p.cid + 1 FROM main.sqlite_master m, "
	"pragma_table_info(m.name, 'main') p WHERE " USER_TABLES,
	/* primary keys */
	"SELECT 4, m.name, 'primary key', 'primary key', 0, NULL, "
	"'PRIMARY KEY (' || (SELECT group_concat(k.name, ', ') FROM (SELECT "
	"name FROM pragma_table_info(m.name, 'main') WHERE pk > 0 ORDER BY "
	"pk) k) || ')', 0 FROM main.sqlite_master m WHERE " USER_TABLES
	" AND EXISTS (SELECT 1 FROM pragma_table_info(m.name, 'main') WHERE "
	"pk > 0)",
	/* indexes (origin c) and UNIQUE constraints (origin u) */
	"SELECT CASE l.origin WHEN 'c' THEN 3 ELSE 4 END, m.name, CASE "
	"l.origin WHEN 'c' THEN l.name ELSE 'unique (' || (SELECT "
	"group_concat(x.name, ', ') FROM (SELECT name FROM "
	"pragma_index_info(l.name, 'main') ORDER BY seqno) x) || ')' END, "
	"CASE WHEN l.origin = 'u' THEN 'unique' WHEN l.\"unique\" THEN "
	"'unique index' ELSE 'index' END, 0, NULL, "
	"CASE WHEN l.partial OR EXISTS (SELECT 1 FROM "
	"pragma_index_xinfo(l.name, 'main') WHERE key AND cid = -2) THEN "
	"(SELECT i.sql FROM main.sqlite_master i WHERE i.type = 'index' AND "
	"i.name = l.name) ELSE CASE WHEN l.origin = 'u' THEN 'UNIQUE (' ELSE "
	"'CREATE ' || CASE WHEN l.\"unique\" THEN 'UNIQUE ' ELSE '' END || "
	"'INDEX ' || l.name || ' ON ' || m.name || ' (' END || (SELECT "
	"group_concat(c, ', ') FROM (SELECT x.name || CASE WHEN x.\"desc\" "
	"THEN ' DESC' ELSE '' END || CASE WHEN x.coll <> 'BINARY' THEN "
	"' COLLATE ' || x.coll ELSE '' END AS c FROM "
	"pragma_index_xinfo(l.name, 'main') x WHERE x.key ORDER BY x.seqno)) "
	"|| ')' END, 0 FROM main.sqlite_master m, "
	"pragma_index_list(m.name, 'main') l WHERE " USER_TABLES
	" AND l.origin IN ('c', 'u')",
	/* foreign keys, one row per constraint */
	"SELECT 4, t, 'foreign key (' || group_concat(f, ', ') || ')', "
	"'foreign key', 0, NULL, 'FOREIGN KEY (' || group_concat(f, ', ') || "
	"') REFERENCES ' || r || CASE WHEN count(o) > 0 THEN ' (' || "
	"group_concat(o, ', ') || ')' ELSE '' END || ' ON UPDATE ' || u || "
	"' ON DELETE ' || d, 0 FROM (SELECT m.name AS t, k.id AS i, "
	"k.\"from\" AS f, k.\"table\" AS r, k.\"to\" AS o, k.on_update AS u, "
	"k.on_delete AS d FROM main.sqlite_master m, "
	"pragma_foreign_key_list(m.name, 'main') k WHERE " USER_TABLES
	" ORDER BY m.name, k.id, k.seq) GROUP BY t, i",
	/* views */
	"SELECT 5, m.name, m.name, 'view', 0, NULL, m.sql, 0 "
	"FROM main.sqlite_master m WHERE m.type = 'view'",
	/* triggers */
	"SELECT 6, m.tbl_name, m.name, NULL, 0, NULL, m.sql, 0 "
	"FROM main.sqlite_master m WHERE m.type = 'trigger'",
};

/* The schema slot: the objects of main, one query per kind. */
static int conn_schema(dbshift_driver_conn *conn, dbshift_driver_row_fn row,
		       void *payload, dbshift_diag *diag)
{
	return schema_queries_run(conn_query, conn, schema_sql,
				  sizeof(schema_sql) / sizeof(schema_sql[0]),
				  row, payload, diag);
}

/* ---- the descriptor ---- */

static const char *const sqlite_schemes[] = {"sqlite", "sqlite3", "file", NULL};
static const char *const sqlite_aliases[] = {"sqlite3", NULL};

/* The set_lock_wait slot: the busy timeout (0: the driver's default). */
static int conn_set_lock_wait(dbshift_driver_conn *conn, int64_t timeout_ms,
			      dbshift_diag *diag)
{
	int ms = timeout_ms <= 0      ? BUSY_TIMEOUT_MS :
		 timeout_ms > INT_MAX ? INT_MAX :
					(int)timeout_ms;

	if (sqlite3_busy_timeout(conn->db, ms) != SQLITE_OK)
		return fail_db(conn->db, diag);
	return 0;
}

static const dbshift_driver sqlite_driver = {
	.abi_major = DBSHIFT_DRIVER_ABI_MAJOR,
	.abi_minor = DBSHIFT_DRIVER_ABI_MINOR,
	.struct_size = sizeof(dbshift_driver),
	.name = "sqlite",
	.dialect = "sqlite",
	.schemes = sqlite_schemes,
	/* The SQLite the driver was built against. */
	.version = PACKAGE_VERSION " (SQLite " SQLITE_VERSION ")",
	.capabilities = DBSHIFT_CAP_TRANSACTIONAL_DDL | DBSHIFT_CAP_SAVEPOINTS
#if HAVE_DECL_F_OFD_SETLK
			| DBSHIFT_CAP_SESSION_LOCK
#endif
	,
	.open = conn_open,
	.close = conn_close,
	.exec = conn_exec,
	.query = conn_query,
	.begin = conn_begin,
	.commit = conn_commit,
	.rollback = conn_rollback,
	.quote_ident = conn_quote_ident,
	.table_exists = conn_table_exists,
	.lock = SQLITE_LOCK,
	.unlock = SQLITE_UNLOCK,
	.dialect_aliases = sqlite_aliases,
	.split_flags = DBSHIFT_SPLIT_BACKTICK_NAMES |
		       DBSHIFT_SPLIT_BRACKET_NAMES |
		       DBSHIFT_SPLIT_ROUTINE_BODIES,
	.schema = conn_schema,
	.set_lock_wait = conn_set_lock_wait,
	/* One b-tree per core table: the history row of a migration then
	 * dirties one page of the history instead of two (table and its
	 * primary key index), one page less to journal and sync per
	 * migration. */
	.table_options = "WITHOUT ROWID",
};

DBSHIFT_DRIVER_ENTRY(sqlite, host, &sqlite_driver)
