/* SPDX-License-Identifier: MIT */
/*
 * flaky.c - a fault-injecting test driver on SQLite, for tests/check_faults.c.
 *
 * Every slot is a minimal implementation on the sqlite3 API, and every
 * slot call can be made to fail on purpose, so that the tests can run a
 * scenario again and again with its 1st, 2nd, ... n-th driver call failing
 * and check that the core reports each failure and leaves the history and
 * the schema in agreement. The knobs are environment variables, read at
 * each call (a driver exports nothing but its entry point, and the test
 * program shares the process environment with the module):
 *
 *   DBSHIFT_FLAKY_FAIL_AT=N    fail the N-th counted call (1-based); unset
 *                              or empty: nothing is counted or failed
 *   DBSHIFT_FLAKY_FAIL_SLOT=S  count only calls to slot S ("commit", ...)
 *   DBSHIFT_FLAKY_CALLS        the count so far, written back by the driver
 *                              at each counted call (a test resets it to 0)
 *   DBSHIFT_FLAKY_FAILED       set by the driver to "SLOT N" when it failed
 *                              a call, so the test knows the failure met
 *
 * A failed call fills the diagnostic ("flaky: injected failure in SLOT call
 * N", SQLSTATE HY000, the knob in the detail) and returns -1 without doing
 * its work; close, which cannot fail, closes anyway.
 *
 * URLs: flaky:PATH[?PARAM&...], PATH a SQLite file (created when missing).
 *   diag=none|index|line|both  what exec() reports of a failed statement:
 *                              its index, its line, both, or neither
 *                              (-1/0, the default), to exercise each way
 *                              a driver may describe the failure
 *   values=text                every query value comes back as TEXT, as
 *                              from a client library's text protocol
 * Capabilities belong to the descriptor, which the core loads once per
 * process, so a URL cannot change them; the same file is built twice:
 * driver_flaky.so (TRANSACTIONAL_DDL | SESSION_LOCK, a flock() run lock)
 * and, with -DFLAKY_NOTX, driver_flakynotx.so (no transactional DDL and no
 * session lock, so the core guards every migration with a dirty row and
 * locks with its lease table; SPLIT_STATEMENTS, so it runs such scripts
 * one statement at a time). With -DFLAKY_BATCH, driver_flakybatch.so is
 * driver_flaky.so with the exec_recorded slot (ABI 1.6), which runs the
 * other slots one after the other, so that each step of it can fail.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "dbshift/driver.h"

#ifndef FLAKY_NAME
#define FLAKY_NAME flaky
#endif

#define FLAKY_STR_(x) #x
#define FLAKY_STR(x) FLAKY_STR_(x)

#define ENV_FAIL_AT "DBSHIFT_FLAKY_FAIL_AT"
#define ENV_FAIL_SLOT "DBSHIFT_FLAKY_FAIL_SLOT"
#define ENV_CALLS "DBSHIFT_FLAKY_CALLS"
#define ENV_FAILED "DBSHIFT_FLAKY_FAILED"

/* What exec() puts in the diagnostic of a failed statement. */
enum diag_mode { DIAG_NONE, DIAG_INDEX, DIAG_LINE, DIAG_BOTH };

struct dbshift_driver_conn {
	sqlite3 *db;
	char *path;
	int lock_fd; /* holds the run lock, or -1 */
	enum diag_mode diag_mode;
	int text_values;
};

static const dbshift_host *host;

/* ---- diagnostics and fault injection ---- */

static int fail_db(sqlite3 *db, dbshift_diag *diag)
{
	host->diag_set(diag, NULL, sqlite3_extended_errcode(db), "%s",
		       sqlite3_errmsg(db));
	return -1;
}

static long env_long(const char *name)
{
	const char *s = getenv(name);
	char *end;
	long n;

	if (s == NULL || s[0] == '\0')
		return 0;
	n = strtol(s, &end, 10);
	return *end == '\0' && n > 0 ? n : 0;
}

/*
 * Count a call to slot and tell whether it is the one to fail; if so,
 * record that it failed and fill diag (when not NULL).
 */
static int injected(const char *slot, dbshift_diag *diag)
{
	const char *only = getenv(ENV_FAIL_SLOT);
	long fail_at = env_long(ENV_FAIL_AT), n;
	char buf[64];

	if (fail_at == 0 ||
	    (only != NULL && only[0] != '\0' && strcmp(only, slot) != 0))
		return 0;
	n = env_long(ENV_CALLS) + 1;
	snprintf(buf, sizeof(buf), "%ld", n);
	setenv(ENV_CALLS, buf, 1);
	if (n != fail_at)
		return 0;
	snprintf(buf, sizeof(buf), "%s %ld", slot, n);
	setenv(ENV_FAILED, buf, 1);
	if (diag == NULL)
		return 1;
	host->diag_set(diag, "HY000", 0,
		       "flaky: injected failure in %s call %ld", slot, n);
	if (diag->size >= offsetof(dbshift_diag, detail) + sizeof(diag->detail))
		snprintf(diag->detail, sizeof(diag->detail), "%s=%ld",
			 ENV_FAIL_AT, fail_at);
	return 1;
}

/* ---- URLs and connections ---- */

/* Apply one URL parameter "key=value" of len bytes. */
static int set_param(dbshift_driver_conn *conn, const char *p, size_t len)
{
	static const char *const modes[] = {"diag=none", "diag=index",
					    "diag=line", "diag=both"};
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strlen(modes[i]) == len && strncmp(p, modes[i], len) == 0) {
			conn->diag_mode = (enum diag_mode)i;
			return 0;
		}
	}
	if (len == strlen("values=text") &&
	    strncmp(p, "values=text", len) == 0) {
		conn->text_values = 1;
		return 0;
	}
	return -1;
}

/* Read PATH and the parameters of url into conn. */
static int parse_url(dbshift_driver_conn *conn, const char *url,
		     dbshift_diag *diag)
{
	const char *rest = url != NULL ? strchr(url, ':') : NULL;
	const char *query, *p;
	size_t len;

	if (rest == NULL || rest[1] == '\0' || rest[1] == '?') {
		host->diag_set(diag, DBSHIFT_SQLSTATE_BAD_URL, 0,
			       "no database path in URL '%s'", url ? url : "");
		return -1;
	}
	rest++;
	query = strchr(rest, '?');
	len = query != NULL ? (size_t)(query - rest) : strlen(rest);
	conn->path = strndup(rest, len);
	if (conn->path == NULL) {
		host->diag_set(diag, NULL, SQLITE_NOMEM, "out of memory");
		return -1;
	}
	for (p = query; p != NULL && *p != '\0'; p += len) {
		p++; /* the '?' or '&' */
		len = strcspn(p, "&");
		if (len > 0 && set_param(conn, p, len) != 0) {
			host->diag_set(diag, DBSHIFT_SQLSTATE_BAD_URL, 0,
				       "unknown URL parameter '%.*s'", (int)len,
				       p);
			return -1;
		}
	}
	return 0;
}

static void conn_free(dbshift_driver_conn *conn)
{
	if (conn->lock_fd >= 0)
		close(conn->lock_fd);
	sqlite3_close_v2(conn->db);
	free(conn->path);
	free(conn);
}

static int conn_open(dbshift_driver_conn **out, const char *url,
		     dbshift_diag *diag)
{
	dbshift_driver_conn *conn;

	*out = NULL;
	if (injected("open", diag))
		return -1;
	conn = calloc(1, sizeof(*conn));
	if (conn == NULL) {
		host->diag_set(diag, NULL, SQLITE_NOMEM, "out of memory");
		return -1;
	}
	conn->lock_fd = -1;
	if (parse_url(conn, url, diag) != 0)
		goto fail;
	if (sqlite3_open_v2(conn->path, &conn->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    NULL) != SQLITE_OK ||
	    sqlite3_exec(
		    conn->db,
		    "PRAGMA synchronous = OFF; PRAGMA journal_mode = MEMORY",
		    NULL, NULL, NULL) != SQLITE_OK) {
		if (conn->db != NULL)
			fail_db(conn->db, diag);
		else
			host->diag_set(diag, NULL, SQLITE_NOMEM,
				       "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(conn->db, 2000);
	*out = conn;
	return 0;
fail:
	conn_free(conn);
	return -1;
}

static void conn_close(dbshift_driver_conn *conn)
{
	if (conn == NULL)
		return;
	injected("close", NULL); /* counted; a close cannot fail */
	conn_free(conn);
}

/* ---- scripts ---- */

/* Offset of the first token at or after pos: past blanks and "--" lines. */
static size_t skip_blank(const char *sql, size_t pos)
{
	for (;;) {
		while (sql[pos] == ' ' ||
		       (sql[pos] >= '\t' && sql[pos] <= '\r'))
			pos++;
		if (sql[pos] != '-' || sql[pos + 1] != '-')
			return pos;
		while (sql[pos] != '\0' && sql[pos] != '\n')
			pos++;
	}
}

static int32_t line_at(const char *sql, size_t pos)
{
	int32_t line = 1;
	size_t i;

	for (i = 0; i < pos; i++)
		line += sql[i] == '\n';
	return line;
}

/* Run the NUL-terminated script statement by statement. */
static int run_script(dbshift_driver_conn *conn, const char *script,
		      dbshift_diag *diag)
{
	size_t start = skip_blank(script, 0);
	int32_t index = 0;
	sqlite3_stmt *stmt;
	const char *tail;
	int rc, ran;

	while (script[start] != '\0') {
		stmt = NULL;
		tail = script + start;
		rc = sqlite3_prepare_v2(conn->db, script + start, -1, &stmt,
					&tail);
		ran = stmt != NULL;
		while (rc == SQLITE_OK && stmt != NULL &&
		       (rc = sqlite3_step(stmt)) == SQLITE_ROW)
			;
		sqlite3_finalize(stmt);
		if (rc != SQLITE_OK && rc != SQLITE_DONE) {
			fail_db(conn->db, diag);
			if (conn->diag_mode == DIAG_INDEX ||
			    conn->diag_mode == DIAG_BOTH)
				diag->statement_index = index;
			if (conn->diag_mode == DIAG_LINE ||
			    conn->diag_mode == DIAG_BOTH)
				diag->line = line_at(script, start);
			return -1;
		}
		if (tail <= script + start)
			break; /* nothing more SQLite can run */
		index += ran;
		start = skip_blank(script, (size_t)(tail - script));
	}
	return 0;
}

static int conn_exec(dbshift_driver_conn *conn, const char *sql, size_t sql_len,
		     dbshift_diag *diag)
{
	char *script;
	int ret;

	if (injected("exec", diag))
		return -1;
	script = strndup(sql, sql_len);
	if (script == NULL) {
		host->diag_set(diag, NULL, SQLITE_NOMEM, "out of memory");
		return -1;
	}
	ret = run_script(conn, script, diag);
	free(script);
	return ret;
}

/* ---- queries ---- */

static int bind_params(sqlite3_stmt *stmt, const dbshift_value *params,
		       int32_t nparams)
{
	int32_t i;
	int rc = SQLITE_OK;

	for (i = 0; i < nparams && rc == SQLITE_OK; i++) {
		if (params[i].type == DBSHIFT_VALUE_INT64)
			rc = sqlite3_bind_int64(stmt, i + 1, params[i].i64);
		else if (params[i].type == DBSHIFT_VALUE_TEXT)
			rc = sqlite3_bind_text(
				stmt, i + 1,
				params[i].text ? params[i].text : "",
				(int)params[i].len, SQLITE_STATIC);
		else
			rc = sqlite3_bind_null(stmt, i + 1);
	}
	return rc;
}

/* Column i of the current row into v; text_buf (24 bytes) holds an
 * integer written as text when the connection reports only TEXT. */
static void column_value(const dbshift_driver_conn *conn, sqlite3_stmt *stmt,
			 int i, dbshift_value *v, char *text_buf)
{
	memset(v, 0, sizeof(*v));
	switch (sqlite3_column_type(stmt, i)) {
	case SQLITE_NULL:
		v->type = DBSHIFT_VALUE_NULL;
		break;
	case SQLITE_INTEGER:
		v->type = DBSHIFT_VALUE_INT64;
		v->i64 = sqlite3_column_int64(stmt, i);
		if (!conn->text_values)
			break;
		v->type = DBSHIFT_VALUE_TEXT;
		v->len = snprintf(text_buf, 24, "%lld", (long long)v->i64);
		v->text = text_buf;
		break;
	default:
		v->type = DBSHIFT_VALUE_TEXT;
		v->text = (const char *)sqlite3_column_text(stmt, i);
		v->len = sqlite3_column_bytes(stmt, i);
		if (v->text == NULL)
			v->text = "";
		break;
	}
}

/* Hand every row of the prepared stmt to row; see the query slot. */
static int fetch_rows(dbshift_driver_conn *conn, sqlite3_stmt *stmt,
		      dbshift_driver_row_fn row, void *payload,
		      dbshift_diag *diag)
{
	int ncols = sqlite3_column_count(stmt), i, rc = SQLITE_DONE, ret = 0;
	dbshift_value *cols = calloc((size_t)ncols + 1, sizeof(*cols));
	char *texts = malloc(((size_t)ncols + 1) * 24);

	if (cols == NULL || texts == NULL) {
		host->diag_set(diag, NULL, SQLITE_NOMEM, "out of memory");
		ret = -1;
		goto out;
	}
	while (ret == 0 && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (row == NULL)
			continue;
		for (i = 0; i < ncols; i++)
			column_value(conn, stmt, i, &cols[i], texts + 24 * i);
		ret = row(ncols, cols, payload);
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = fail_db(conn->db, diag);
out:
	free(cols);
	free(texts);
	return ret;
}

/* One statement with its parameters; the query slot without counting. */
static int run_query(dbshift_driver_conn *conn, const char *sql,
		     const dbshift_value *params, int32_t nparams,
		     dbshift_driver_row_fn row, void *payload,
		     dbshift_diag *diag)
{
	sqlite3_stmt *stmt = NULL;
	int ret;

	if (sqlite3_prepare_v2(conn->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return fail_db(conn->db, diag);
	if (stmt == NULL) {
		host->diag_set(diag, NULL, SQLITE_MISUSE,
			       "query holds no statement");
		return -1;
	}
	if (bind_params(stmt, params, nparams) != SQLITE_OK)
		ret = fail_db(conn->db, diag);
	else
		ret = fetch_rows(conn, stmt, row, payload, diag);
	sqlite3_finalize(stmt);
	return ret;
}

static int conn_query(dbshift_driver_conn *conn, const char *sql,
		      const dbshift_value *params, int32_t nparams,
		      dbshift_driver_row_fn row, void *payload,
		      dbshift_diag *diag)
{
	if (injected("query", diag))
		return -1;
	return run_query(conn, sql, params, nparams, row, payload, diag);
}

/* ---- transactions ---- */

static int run_simple(dbshift_driver_conn *conn, const char *sql,
		      dbshift_diag *diag)
{
	if (sqlite3_exec(conn->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return fail_db(conn->db, diag);
	return 0;
}

static int conn_begin(dbshift_driver_conn *conn, dbshift_diag *diag)
{
	if (injected("begin", diag))
		return -1;
	return run_simple(conn, "BEGIN IMMEDIATE", diag);
}

static int conn_commit(dbshift_driver_conn *conn, dbshift_diag *diag)
{
	if (injected("commit", diag))
		return -1;
	return run_simple(conn, "COMMIT", diag);
}

static int conn_rollback(dbshift_driver_conn *conn, dbshift_diag *diag)
{
	if (injected("rollback", diag))
		return -1;
	if (sqlite3_get_autocommit(conn->db))
		return 0;
	return run_simple(conn, "ROLLBACK", diag);
}

/* ---- identifiers and the catalog ---- */

/* ident (len bytes) in double quotes into buf; -1 when it does not fit. */
static int quote_into(const char *ident, size_t len, char *buf, size_t size)
{
	size_t i, o = 0;

	if (size < 3)
		return -1;
	buf[o++] = '"';
	for (i = 0; i < len; i++) {
		if (o + (ident[i] == '"' ? 2 : 1) + 2 > size)
			return -1;
		if (ident[i] == '"')
			buf[o++] = '"';
		buf[o++] = ident[i];
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return 0;
}

static int conn_quote_ident(dbshift_driver_conn *conn, const char *ident,
			    char *buf, size_t buf_size, dbshift_diag *diag)
{
	(void)conn;
	if (injected("quote_ident", diag))
		return -1;
	if (ident == NULL || ident[0] == '\0' ||
	    quote_into(ident, strlen(ident), buf, buf_size) != 0) {
		host->diag_set(diag, NULL, 0, "cannot quote identifier '%s'",
			       ident ? ident : "");
		return -1;
	}
	return 0;
}

static int table_found(int32_t ncols, const dbshift_value *cols, void *payload)
{
	(void)ncols;
	(void)cols;
	*(int32_t *)payload = 1;
	return 0;
}

/* "schema.table" looks in that schema, a plain name in main. */
static int conn_table_exists(dbshift_driver_conn *conn, const char *table,
			     int32_t *exists, dbshift_diag *diag)
{
	const char *dot = strchr(table, '.'), *name = table;
	char schema[256] = "\"main\"", sql[400];
	dbshift_value param;

	*exists = 0;
	if (injected("table_exists", diag))
		return -1;
	if (dot != NULL) {
		if (quote_into(table, (size_t)(dot - table), schema,
			       sizeof(schema)) != 0) {
			host->diag_set(diag, NULL, 0, "bad table name '%s'",
				       table);
			return -1;
		}
		name = dot + 1;
	}
	snprintf(sql, sizeof(sql),
		 "SELECT 1 FROM %s.sqlite_master WHERE type = 'table' AND "
		 "name = ? COLLATE NOCASE",
		 schema);
	memset(&param, 0, sizeof(param));
	param.type = DBSHIFT_VALUE_TEXT;
	param.text = name;
	param.len = (int64_t)strlen(name);
	return run_query(conn, sql, &param, 1, table_found, exists, diag);
}

/* ---- the run lock ---- */

#ifndef FLAKY_NOTX
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The lock of key is a flock() on the file PATH.HASH.lock beside the
 * database: held per open file, so two connections of one process
 * exclude each other as two processes do. */
static int lock_file(dbshift_driver_conn *conn, const char *key, char *buf,
		     size_t size)
{
	unsigned long long h = 14695981039346656037ULL;

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ULL;
	snprintf(buf, size, "%s.%016llx.lock", conn->path, h);
	return open(buf, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
}

static int conn_lock(dbshift_driver_conn *conn, const char *key,
		     int64_t timeout_ms, dbshift_diag *diag)
{
	struct timespec pause = {0, 20 * 1000000L};
	long long deadline = now_ms() + timeout_ms;
	char file[1200];
	int fd;

	if (injected("lock", diag))
		return -1;
	if (conn->lock_fd >= 0)
		return 0;
	fd = lock_file(conn, key, file, sizeof(file));
	if (fd < 0) {
		host->diag_set(diag, NULL, errno, "cannot open %s: %s", file,
			       strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (now_ms() >= deadline) {
			close(fd);
			host->diag_set(
				diag, NULL, 0,
				"timed out after %lld s waiting for lock "
				"'%s'",
				(long long)(timeout_ms / 1000), key);
			return -1;
		}
		nanosleep(&pause, NULL);
	}
	conn->lock_fd = fd;
	return 0;
}

static int conn_unlock(dbshift_driver_conn *conn, const char *key,
		       dbshift_diag *diag)
{
	(void)key;
	if (injected("unlock", diag))
		return -1;
	if (conn->lock_fd >= 0)
		close(conn->lock_fd);
	conn->lock_fd = -1;
	return 0;
}
#define FLAKY_CAPS (DBSHIFT_CAP_TRANSACTIONAL_DDL | DBSHIFT_CAP_SESSION_LOCK)
#define FLAKY_LOCK conn_lock
#define FLAKY_UNLOCK conn_unlock
#else
#define FLAKY_CAPS DBSHIFT_CAP_SPLIT_STATEMENTS
#define FLAKY_LOCK NULL
#define FLAKY_UNLOCK NULL
#endif

#ifdef FLAKY_BATCH
/* exec_recorded: its own call is counted (slot "exec_recorded"), then
 * begin, exec, query and commit, each failing on its own knob. */
static int conn_exec_recorded(dbshift_driver_conn *conn, const char *sql,
			      size_t sql_len, const char *record,
			      const dbshift_value *params, int32_t nparams,
			      int32_t elapsed_param, int32_t *failed_step,
			      dbshift_diag *diag)
{
	dbshift_value values[16];
	long long start;

	*failed_step = DBSHIFT_RECORDED_BEGIN;
	if (nparams < 0 || nparams > 16 || elapsed_param >= nparams)
		return host->fail(diag, NULL, 0, "flaky: bad parameters");
	if (injected("exec_recorded", diag) || conn_begin(conn, diag) != 0)
		return -1;
	start = now_ms();
	*failed_step = DBSHIFT_RECORDED_SCRIPT;
	if (conn_exec(conn, sql, sql_len, diag) != 0)
		goto rollback;
	memcpy(values, params, (size_t)nparams * sizeof(*values));
	if (elapsed_param >= 0) {
		values[elapsed_param].type = DBSHIFT_VALUE_INT64;
		values[elapsed_param].i64 = now_ms() - start;
	}
	*failed_step = DBSHIFT_RECORDED_RECORD;
	if (conn_query(conn, record, values, nparams, NULL, NULL, diag) != 0)
		goto rollback;
	*failed_step = DBSHIFT_RECORDED_COMMIT;
	if (conn_commit(conn, diag) != 0)
		goto rollback;
	return 0;
rollback:
	sqlite3_exec(conn->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
#define FLAKY_EXEC_RECORDED conn_exec_recorded
#else
#define FLAKY_EXEC_RECORDED NULL
#endif

/* ---- the descriptor ---- */

static const char *const flaky_schemes[] = {FLAKY_STR(FLAKY_NAME), NULL};

static const dbshift_driver flaky_driver = {
	.abi_major = DBSHIFT_DRIVER_ABI_MAJOR,
	.abi_minor = DBSHIFT_DRIVER_ABI_MINOR,
	.struct_size = sizeof(dbshift_driver),
	.name = FLAKY_STR(FLAKY_NAME),
	.dialect = "sqlite",
	.schemes = flaky_schemes,
	.version = "0.0.1-flaky (SQLite " SQLITE_VERSION ")",
	.capabilities = FLAKY_CAPS,
	.open = conn_open,
	.close = conn_close,
	.exec = conn_exec,
	.query = conn_query,
	.begin = conn_begin,
	.commit = conn_commit,
	.rollback = conn_rollback,
	.quote_ident = conn_quote_ident,
	.table_exists = conn_table_exists,
	.lock = FLAKY_LOCK,
	.unlock = FLAKY_UNLOCK,
	.split_flags = DBSHIFT_SPLIT_BACKTICK_NAMES |
		       DBSHIFT_SPLIT_BRACKET_NAMES |
		       DBSHIFT_SPLIT_ROUTINE_BODIES,
	.exec_recorded = FLAKY_EXEC_RECORDED,
};

/* The entry point: needs the host's diag_set for every diagnostic. */
DBSHIFT_DRIVER_ENTRY(FLAKY_NAME, host, &flaky_driver)
