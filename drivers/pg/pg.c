/* SPDX-License-Identifier: MIT */
/*
 * pg.c - the PostgreSQL driver (driver_pg.so).
 *
 * Implements the driver ABI of dbshift/driver.h on one libpq connection.
 * PostgreSQL has transactional DDL, savepoints and session advisory locks.
 * A script goes to the server whole, as one simple query, so $$ bodies and
 * everything else the server understands work as in psql; but the server
 * runs such a string as one implicit transaction, which CREATE INDEX
 * CONCURRENTLY and friends refuse, so the driver declares
 * DBSHIFT_CAP_SPLIT_STATEMENTS and the core sends a no-transaction script
 * one statement at a time. To name the statement that failed, the driver
 * reads the script with the core's splitter (dbshift_host.split_*). Only
 * dbshift_driver_pg_init is exported.
 *
 * URLs are libpq's: postgres://user:pass@host:port/db?param=value&... and
 * postgresql://..., with every parameter libpq documents (sslmode,
 * sslrootcert, options, host=/unix/socket/dir, ...), read by pg_url.c
 * (the user-info ends at the last '@', so a password may hold any
 * character; libpq never sees the URL text). The driver adds:
 *   connect_timeout=10       unless the URL or $PGCONNECT_TIMEOUT sets one,
 *                            so that an unreachable host fails, not hangs
 *   application_name=dbshift unless the URL or $PGAPPNAME sets one
 *   search_path=a,b          not a libpq parameter: removed from the URL
 *                            and run as SET search_path TO "a", "b" once
 *                            connected (each name taken literally, so
 *                            case matters; "$user" works). The history
 *                            table goes into the first schema. A session
 *                            setting: not kept by a pooler in transaction
 *                            mode.
 * Connection errors are scrubbed of every form of the password.
 * Notices are discarded (client_min_messages is set to warning as well).
 */
#include "config.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dbshift/driver.h"
#include "pg_url.h"
#include "../schema_queries.h"

/* What PostgreSQL's SQL adds to the standard, for the core's splitter. */
#define PG_SPLIT_FLAGS                                                         \
	(DBSHIFT_SPLIT_NESTED_COMMENTS | DBSHIFT_SPLIT_DOLLAR_QUOTES |         \
	 DBSHIFT_SPLIT_E_STRINGS | DBSHIFT_SPLIT_ROUTINE_BODIES)

/* How long lock() sleeps between two attempts on a lock held elsewhere. */
#define LOCK_POLL_MS 100

/* Type OIDs of int8, int2 and int4: their values come back as INT64. */
#define INT8OID 20
#define INT2OID 21
#define INT4OID 23

/* SQLSTATEs the driver reports itself. */
#define SQLSTATE_CONNECT "08001"      /* cannot establish a connection */
#define SQLSTATE_CONN_LOST "08006"    /* connection failure */
#define SQLSTATE_IN_TX "25001"	      /* active SQL transaction */
#define SQLSTATE_FAILED_TX "25P02"    /* in failed SQL transaction */
#define SQLSTATE_LOCK_TIMEOUT "55P03" /* lock not available */

/* A table counts when it is an ordinary or a partitioned table. */
#define TABLE_EXISTS_SQL                                                       \
	"SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class "                    \
	"WHERE oid = pg_catalog.to_regclass($1) AND relkind IN ('r', 'p'))"

struct dbshift_driver_conn {
	PGconn *pg;
	const char *lock_key_sql; /* SQL turning $1 into an advisory key */
	int64_t lock_wait_ms;	  /* set_lock_wait(); 0: the server's */
};

/* The core's helpers (driver.h), kept by the entry function. */
static const dbshift_host *host;

/* Fill diag (when not NULL) with sqlstate (may be NULL) and a printf-style
 * message folded onto one line. Returns -1, the failure value of every
 * slot, so that callers can "return fail(...)". */
#define fail(diag, sqlstate, ...) (host->fail)(diag, sqlstate, 0, __VA_ARGS__)

/* One line, runs of spaces squeezed, no space at either end: for libpq's
 * own messages, which are laid out for a terminal. */
static void tidy(char *s)
{
	char *out = s, *in = s;

	for (; *in != '\0'; in++) {
		if (*in == '\n' || *in == '\r' || *in == '\t')
			*in = ' ';
		if (*in != ' ' || (out > s && out[-1] != ' '))
			*out++ = *in;
	}
	while (out > s && out[-1] == ' ')
		out--;
	*out = '\0';
}

static int fail_nomem(dbshift_diag *diag)
{
	return fail(diag, NULL, "out of memory");
}

/* Fill diag from the connection's last error (a lost connection, a
 * failed send): libpq's message, tidied. Returns -1. */
static int fail_conn(PGconn *pg, dbshift_diag *diag)
{
	char msg[sizeof(diag->message)];

	snprintf(msg, sizeof(msg), "%s", PQerrorMessage(pg));
	tidy(msg);
	return fail(diag,
		    PQstatus(pg) == CONNECTION_BAD ? SQLSTATE_CONN_LOST : NULL,
		    "%s",
		    msg[0] != '\0' ? msg : "PostgreSQL connection failed");
}

/* Append "label" and the tidied text to the detail at *used bytes. */
static void detail_add(dbshift_diag *diag, size_t *used, const char *label,
		       const char *text)
{
	size_t size = sizeof(diag->detail);
	int n;

	if (text == NULL || text[0] == '\0' || *used + 1 >= size)
		return;
	n = snprintf(diag->detail + *used, size - *used, "%s%s%s",
		     *used > 0 ? "; " : "", label, text);
	if (n > 0)
		*used +=
			(size_t)n < size - *used ? (size_t)n : size - *used - 1;
}

/*
 * Fill diag from a failed result: the primary message, the SQLSTATE, and
 * detail, hint and context (PL/pgSQL's "line 3 at RAISE") in diag->detail.
 * Returns -1.
 */
static int fail_result(PGconn *pg, const PGresult *res, dbshift_diag *diag)
{
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	char msg[sizeof(diag->message)];
	size_t used = 0;

	if (diag == NULL)
		return -1;
	if (primary == NULL || primary[0] == '\0')
		primary = PQresultErrorMessage(res);
	if (primary == NULL || primary[0] == '\0')
		primary = PQerrorMessage(pg);
	snprintf(msg, sizeof(msg), "%s", primary);
	tidy(msg);
	fail(diag, sqlstate, "%s", msg[0] != '\0' ? msg : "unknown error");
	diag->detail[0] = '\0';
	detail_add(diag, &used, "",
		   PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL));
	detail_add(diag, &used,
		   "hint: ", PQresultErrorField(res, PG_DIAG_MESSAGE_HINT));
	detail_add(diag, &used,
		   "context: ", PQresultErrorField(res, PG_DIAG_CONTEXT));
	tidy(diag->detail);
	return -1;
}

/* ---- connections ---- */

/* Notices (NOTICE, WARNING) would go to stderr; a migration run prints
 * its own progress instead. */
static void discard_notice(void *payload, const char *message)
{
	(void)payload;
	(void)message;
}

/*
 * The session's setup statements: notices down to warnings, and the
 * search_path of the URL, each comma-separated name quoted ("a, b" sets
 * "a", "b"). Returns a new string, or NULL with diag filled.
 */
static char *setup_sql(const char *search_path, dbshift_diag *diag)
{
	static const char base[] = "SET client_min_messages TO warning";
	size_t size = sizeof(base) + 64, used, len;
	const char *name = search_path;
	char *sql;

	if (search_path != NULL)
		size += 4 * strlen(search_path);
	sql = malloc(size);
	if (sql == NULL) {
		fail_nomem(diag);
		return NULL;
	}
	used = (size_t)snprintf(sql, size, "%s", base);
	if (search_path == NULL)
		return sql;
	if (search_path[strspn(search_path, " ")] == '\0') {
		free(sql);
		fail(diag, DBSHIFT_SQLSTATE_BAD_URL,
		     "empty search_path in PostgreSQL URL");
		return NULL;
	}
	used += (size_t)snprintf(sql + used, size - used,
				 "; SET search_path TO ");
	for (;;) {
		name += strspn(name, " ");
		len = strcspn(name, ",");
		while (len > 0 && name[len - 1] == ' ')
			len--;
		if (len == 0) {
			free(sql);
			fail(diag, DBSHIFT_SQLSTATE_BAD_URL,
			     "empty schema name in search_path '%s'",
			     search_path);
			return NULL;
		}
		used += host->quote_into('"', name, len, sql + used,
					 size - used) -
			1;
		name += strcspn(name, ",");
		if (*name++ == '\0')
			break;
		used += (size_t)snprintf(sql + used, size - used, ", ");
	}
	return sql;
}

/* Set the session up once connected, with the statements sql. */
static int session_setup(PGconn *pg, const char *sql, dbshift_diag *diag)
{
	PGresult *res;
	int ret = 0;

	res = PQexec(pg, sql);
	if (res == NULL)
		ret = fail_conn(pg, diag);
	else if (PQresultStatus(res) != PGRES_COMMAND_OK)
		ret = fail_result(pg, res, diag);
	PQclear(res);
	return ret;
}

/* Describe a failed connection attempt in one line, scrubbed of every
 * form of the password. Returns -1. */
static int fail_connect(PGconn *pg, const char *url, dbshift_diag *diag)
{
	char msg[sizeof(diag->message)];

	if (pg == NULL)
		return fail_nomem(diag);
	snprintf(msg, sizeof(msg), "%s", PQerrorMessage(pg));
	tidy(msg);
	host->url_scrub(msg, sizeof(msg), url);
	return fail(diag, SQLSTATE_CONNECT, "cannot connect to PostgreSQL: %s",
		    msg[0] != '\0' ? msg : "unknown error");
}

/* Open the connection u describes, then run the setup statements sql.
 * Returns it, or NULL with diag. */
static PGconn *pg_open(const dbshift__pg_url *u, const char *sql,
		       const char *url, dbshift_diag *diag)
{
	PGconn *pg;

	pg = PQconnectdbParams((const char *const *)u->keys,
			       (const char *const *)u->values, 0);
	if (pg == NULL || PQstatus(pg) != CONNECTION_OK) {
		fail_connect(pg, url, diag);
		PQfinish(pg);
		return NULL;
	}
	PQsetNoticeProcessor(pg, discard_notice, NULL);
	if (session_setup(pg, sql, diag) != 0) {
		PQfinish(pg);
		return NULL;
	}
	return pg;
}

/* The open slot: *out gets a connection the caller closes with
 * conn_close(). */
static int conn_open(dbshift_driver_conn **out, const char *url,
		     dbshift_diag *diag)
{
	dbshift_driver_conn *conn;
	dbshift__pg_url u;
	char err[sizeof(diag->message)], *sql = NULL;
	PGconn *pg;
	int ret = -1;

	*out = NULL;
	if (url == NULL)
		return fail(diag, NULL, "no database URL given");
	switch (dbshift__pg_url_parse(&u, host, url, err, sizeof(err))) {
	case 0:
		break;
	case 1:
		fail(diag, DBSHIFT_SQLSTATE_BAD_URL, "%s", err);
		goto out_url;
	default:
		fail_nomem(diag);
		goto out_url;
	}
	sql = setup_sql(u.search_path, diag);
	if (sql == NULL)
		goto out_url;
	pg = pg_open(&u, sql, url, diag);
	if (pg == NULL)
		goto out_url;
	conn = malloc(sizeof(*conn));
	if (conn == NULL) {
		PQfinish(pg);
		fail_nomem(diag);
		goto out_url;
	}
	conn->pg = pg;
	conn->lock_wait_ms = 0;
	/* hashtextextended() arrived in PostgreSQL 11. */
	conn->lock_key_sql = PQserverVersion(pg) >= 110000 ?
				     "pg_catalog.hashtextextended($1, 0)" :
				     "pg_catalog.hashtext($1)::int8";
	*out = conn;
	ret = 0;
out_url:
	free(sql);
	dbshift__pg_url_free(&u);
	return ret;
}

/* The close slot. An open transaction is rolled back by the server.
 * Accepts NULL. */
static void conn_close(dbshift_driver_conn *conn)
{
	if (conn == NULL)
		return;
	PQfinish(conn->pg);
	free(conn);
}

/* ---- scripts ---- */

/* The byte offset of the 1-based character position in the
 * NUL-terminated script of len bytes, in the client encoding. */
static size_t char_offset(const char *script, size_t len, int encoding,
			  long position)
{
	size_t offset = 0;
	int n;

	while (--position > 0 && offset < len) {
		n = PQmblen(script + offset, encoding);
		offset += n > 0 ? (size_t)n : 1;
	}
	return offset < len ? offset : len;
}

/* How many characters the bytes [from, to) of script hold. */
static int32_t chars_between(const char *script, size_t from, size_t to,
			     int encoding)
{
	int32_t count = 0;
	int n;

	while (from < to) {
		n = PQmblen(script + from, encoding);
		from += n > 0 ? (size_t)n : 1;
		count++;
	}
	return count;
}

/*
 * Point diag at the statement the server blamed. With an error position
 * (1-based characters into the whole script), that is the last statement
 * starting at or before it; position becomes relative to the statement.
 * Without one, it is statement number done: the server had completed that
 * many before this one failed.
 */
static void locate_failure(PGconn *pg, const PGresult *res, const char *script,
			   size_t len, int32_t done, dbshift_diag *diag)
{
	const char *field = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
	long position = field != NULL ? strtol(field, NULL, 10) : 0;
	int encoding = PQclientEncoding(pg);
	dbshift_split split;
	dbshift_stmt stmt, found = {0, 0, 0};
	size_t offset;
	int32_t index = 0;

	host->split_init(&split, script, len, PG_SPLIT_FLAGS);
	diag->statement_index = done;
	diag->line = 0;
	diag->position = 0;
	if (position <= 0) {
		while (host->split_next(&split, &stmt))
			if (index++ == done) {
				diag->line = stmt.line;
				return;
			}
		return;
	}
	offset = char_offset(script, len, encoding, position);
	index = -1;
	while (host->split_next(&split, &stmt) &&
	       (index < 0 || stmt.start <= offset)) {
		found = stmt;
		index++;
	}
	if (index < 0) {
		diag->line = host->line_at(script, offset);
		return;
	}
	diag->statement_index = index;
	diag->line = found.line;
	if (offset >= found.start)
		diag->position =
			chars_between(script, found.start, offset, encoding) +
			1;
}

/* Read a COPY TO STDOUT's rows and throw them away. */
static void drain_copy_out(PGconn *pg)
{
	char *row = NULL;

	while (PQgetCopyData(pg, &row, 0) > 0) {
		PQfreemem(row);
		row = NULL;
	}
}

/*
 * Collect the results of the script sent with PQsendQuery(): one per
 * statement, up to the first error, whose result is kept for the
 * diagnostic. All results are read, so the connection is ready again.
 */
static int exec_results(PGconn *pg, const char *script, size_t len,
			dbshift_diag *diag)
{
	PGresult *res, *error = NULL;
	int32_t done = 0;

	while ((res = PQgetResult(pg)) != NULL) {
		switch (PQresultStatus(res)) {
		case PGRES_COMMAND_OK:
		case PGRES_TUPLES_OK:
			done += error == NULL;
			break;
		case PGRES_EMPTY_QUERY:
			break;
		case PGRES_COPY_OUT:
			drain_copy_out(pg);
			break;
		case PGRES_COPY_IN:
			PQputCopyEnd(pg, "dbshift: COPY FROM STDIN cannot read "
					 "data from a migration script");
			break;
		default:
			if (error == NULL) {
				error = res;
				res = NULL;
			}
			break;
		}
		PQclear(res);
	}
	if (error != NULL) {
		fail_result(pg, error, diag);
		if (diag != NULL)
			locate_failure(pg, error, script, len, done, diag);
		PQclear(error);
		return -1;
	}
	if (PQstatus(pg) != CONNECTION_OK)
		return fail_conn(pg, diag);
	return 0;
}

/*
 * The exec slot. The script is copied once into a NUL-terminated buffer,
 * as libpq needs; a NUL byte inside it would silently end it, so it is
 * refused.
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
	if (!PQsendQuery(conn->pg, script))
		ret = fail_conn(conn->pg, diag);
	else
		ret = exec_results(conn->pg, script, sql_len, diag);
	free(script);
	return ret;
}

/* ---- queries ---- */

/*
 * Rewrite the '?' placeholders of sql outside strings, quoted names,
 * dollar bodies and comments as $1, $2, ... into a new string (caller
 * frees); *count gets their number. The placeholder number subst
 * (0-based; -1 for none) becomes the expression expr instead and is not
 * counted. NULL when out of memory. Every such '?' is a placeholder, so
 * the jsonb operators ?, ?| and ?& cannot be written in a query (scripts
 * run by exec are not rewritten).
 */
static char *placeholders_subst(const char *sql, int32_t *count, int32_t subst,
				const char *expr)
{
	size_t len = strlen(sql), pos, end, used = 0, size;
	size_t expr_len = expr != NULL ? strlen(expr) : 0;
	int32_t kind, seen = 0;
	dbshift_split split;
	char *out;

	*count = 0;
	host->split_init(&split, sql, len, PG_SPLIT_FLAGS);
	for (pos = 0; pos < len; pos = end) {
		end = host->split_token(&split, pos, &kind);
		*count += kind == DBSHIFT_TOKEN_SYMBOL && sql[pos] == '?';
	}
	size = len + (12 + expr_len) * (size_t)*count + 1;
	out = malloc(size);
	if (out == NULL)
		return NULL;
	*count = 0;
	for (pos = 0; pos < len; pos = end) {
		end = host->split_token(&split, pos, &kind);
		if (kind == DBSHIFT_TOKEN_SYMBOL && sql[pos] == '?' &&
		    seen++ == subst) {
			memcpy(out + used, expr, expr_len);
			used += expr_len;
		} else if (kind == DBSHIFT_TOKEN_SYMBOL && sql[pos] == '?') {
			used += (size_t)snprintf(out + used, size - used, "$%d",
						 (int)++*count);
		} else {
			memcpy(out + used, sql + pos, end - pos);
			used += end - pos;
		}
	}
	out[used] = '\0';
	return out;
}

static char *rewrite_placeholders(const char *sql, int32_t *count)
{
	return placeholders_subst(sql, count, -1, NULL);
}

/* Parameters in libpq's text form. */
struct params {
	int32_t n;
	char **values; /* NULL for SQL NULL */
	char **owned;  /* what the struct frees */
};

static void params_free(struct params *p)
{
	int32_t i;

	for (i = 0; p->owned != NULL && i < p->n; i++)
		free(p->owned[i]);
	free(p->owned);
	free(p->values);
}

/* Turn value into text in *out (a new string, NULL for SQL NULL). Text
 * must not hold a NUL byte, which the text form cannot carry. */
static int param_text(char **out, const dbshift_value *value, int index,
		      dbshift_diag *diag)
{
	*out = NULL;
	switch (value->type) {
	case DBSHIFT_VALUE_NULL:
		return 0;
	case DBSHIFT_VALUE_INT64:
		*out = malloc(24);
		if (*out == NULL)
			return fail_nomem(diag);
		snprintf(*out, 24, "%lld", (long long)value->i64);
		return 0;
	case DBSHIFT_VALUE_TEXT:
		if (value->len < 0 || (value->text == NULL && value->len > 0))
			return fail(diag, NULL, "parameter %d: bad text length",
				    index);
		if (value->len > 0 &&
		    memchr(value->text, '\0', (size_t)value->len) != NULL)
			return fail(diag, NULL,
				    "parameter %d: text holds a NUL byte",
				    index);
		*out = malloc((size_t)value->len + 1);
		if (*out == NULL)
			return fail_nomem(diag);
		if (value->len > 0)
			memcpy(*out, value->text, (size_t)value->len);
		(*out)[value->len] = '\0';
		return 0;
	default:
		return fail(diag, NULL, "parameter %d: unknown value type %d",
			    index, (int)value->type);
	}
}

/* Convert nparams values to text; the query takes exactly expected. */
static int params_make(struct params *p, const dbshift_value *params,
		       int32_t nparams, int32_t expected, dbshift_diag *diag)
{
	size_t n = nparams > 0 ? (size_t)nparams : 1;
	int32_t i;

	memset(p, 0, sizeof(*p));
	if (nparams != expected)
		return fail(diag, NULL, "query takes %d parameters, %d given",
			    (int)expected, (int)nparams);
	p->values = calloc(n, sizeof(*p->values));
	p->owned = calloc(n, sizeof(*p->owned));
	if (p->values == NULL || p->owned == NULL)
		return fail_nomem(diag);
	p->n = nparams;
	for (i = 0; i < nparams; i++) {
		if (param_text(&p->owned[i], &params[i], (int)i + 1, diag) != 0)
			return -1;
		p->values[i] = p->owned[i];
	}
	return 0;
}

/* Read field (row, col) of res into v: NULL as NULL, an integer column as
 * INT64, anything else as the server's text for it. */
static void field_value(const PGresult *res, int row, int col, int integer,
			dbshift_value *v)
{
	const char *text;
	char *end;
	long long n;

	memset(v, 0, sizeof(*v));
	if (PQgetisnull(res, row, col)) {
		v->type = DBSHIFT_VALUE_NULL;
		return;
	}
	text = PQgetvalue(res, row, col);
	if (integer) {
		errno = 0;
		n = strtoll(text, &end, 10);
		if (errno == 0 && end != text && *end == '\0') {
			v->type = DBSHIFT_VALUE_INT64;
			v->i64 = (int64_t)n;
			return;
		}
	}
	v->type = DBSHIFT_VALUE_TEXT;
	v->text = text;
	v->len = PQgetlength(res, row, col);
}

/* Hand every row of res to row. Returns 0, the callback's non-zero value
 * when it asked to stop, or -1 with diag filled. */
static int deliver_rows(const PGresult *res, dbshift_driver_row_fn row,
			void *payload, dbshift_diag *diag)
{
	int ncols = PQnfields(res), nrows = PQntuples(res), r, c, ret = 0;
	size_t n = ncols > 0 ? (size_t)ncols : 1;
	dbshift_value *cols = calloc(n, sizeof(*cols));
	char *integer = calloc(n, 1);
	Oid type;

	if (cols == NULL || integer == NULL) {
		free(cols);
		free(integer);
		return fail_nomem(diag);
	}
	for (c = 0; c < ncols; c++) {
		type = PQftype(res, c);
		integer[c] =
			type == INT8OID || type == INT2OID || type == INT4OID;
	}
	for (r = 0; r < nrows && ret == 0; r++) {
		for (c = 0; c < ncols; c++)
			field_value(res, r, c, integer[c], &cols[c]);
		ret = row(ncols, cols, payload);
	}
	free(integer);
	free(cols);
	return ret;
}

/*
 * The query slot: one statement with '?' parameters, sent with
 * PQexecParams() in text form and without types, so that the server
 * infers each parameter's type from where it stands, as for a literal.
 * Columns of type smallint, integer and bigint come back as INT64, NULL as
 * NULL, everything else as the server's text.
 */
static int conn_query(dbshift_driver_conn *conn, const char *sql,
		      const dbshift_value *params, int32_t nparams,
		      dbshift_driver_row_fn row, void *payload,
		      dbshift_diag *diag)
{
	const char *const *values;
	struct params p;
	PGresult *res;
	int32_t expected;
	char *text;
	int ret;

	text = rewrite_placeholders(sql, &expected);
	if (text == NULL)
		return fail_nomem(diag);
	if (params_make(&p, params, nparams, expected, diag) != 0) {
		params_free(&p);
		free(text);
		return -1;
	}
	values = (const char *const *)p.values;
	res = PQexecParams(conn->pg, text, p.n, NULL, values, NULL, NULL, 0);
	params_free(&p);
	free(text);
	if (res == NULL)
		return fail_conn(conn->pg, diag);
	switch (PQresultStatus(res)) {
	case PGRES_TUPLES_OK:
		ret = row != NULL ? deliver_rows(res, row, payload, diag) : 0;
		break;
	case PGRES_COMMAND_OK:
		ret = 0;
		break;
	case PGRES_EMPTY_QUERY:
		ret = fail(diag, NULL, "query holds no statement");
		break;
	default:
		ret = fail_result(conn->pg, res, diag);
		break;
	}
	PQclear(res);
	return ret;
}

/*
 * Run sql with one text parameter (may be NULL for none) and copy the
 * first column of its first row into buf of size bytes ("" when no rows).
 */
static int query_value(PGconn *pg, const char *sql, const char *param,
		       char *buf, size_t size, dbshift_diag *diag)
{
	PGresult *res = PQexecParams(pg, sql, param != NULL, NULL, &param, NULL,
				     NULL, 0);
	int ret = 0;

	buf[0] = '\0';
	if (res == NULL)
		return fail_conn(pg, diag);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		ret = fail_result(pg, res, diag);
	else if (PQntuples(res) > 0 && PQnfields(res) > 0)
		snprintf(buf, size, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return ret;
}

/* ---- transactions ---- */

/* Run one fixed statement that returns no rows. */
static int run_simple(PGconn *pg, const char *sql, dbshift_diag *diag)
{
	PGresult *res = PQexec(pg, sql);
	int ret = 0;

	if (res == NULL)
		return fail_conn(pg, diag);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		ret = fail_result(pg, res, diag);
	PQclear(res);
	return ret;
}

/* The begin slot. A transaction already open is an error, not the
 * server's warning. */
static int conn_begin(dbshift_driver_conn *conn, dbshift_diag *diag)
{
	char sql[64];

	switch (PQtransactionStatus(conn->pg)) {
	case PQTRANS_IDLE:
		if (conn->lock_wait_ms <= 0)
			return run_simple(conn->pg, "BEGIN", diag);
		/* Again in the transaction: a pooler in transaction mode
		 * does not keep the session's setting. */
		snprintf(sql, sizeof(sql),
			 "BEGIN; SET LOCAL lock_timeout = %lld",
			 (long long)conn->lock_wait_ms);
		return run_simple(conn->pg, sql, diag);
	case PQTRANS_INTRANS:
	case PQTRANS_INERROR:
		return fail(diag, SQLSTATE_IN_TX,
			    "a transaction is already open (did a script "
			    "BEGIN without COMMIT?)");
	default:
		return fail_conn(conn->pg, diag);
	}
}

/*
 * The commit slot. The server answers COMMIT of a failed transaction by
 * rolling it back and reporting success; that is an error here. Without
 * an open transaction there is nothing to do, as the server says with a
 * warning: a script written for golang-migrate commits its own BEGIN;
 * ... COMMIT;, which also commits the one the core began, and what ran
 * after it (the history row) was committed as it ran.
 */
static int conn_commit(dbshift_driver_conn *conn, dbshift_diag *diag)
{
	switch (PQtransactionStatus(conn->pg)) {
	case PQTRANS_INTRANS:
		return run_simple(conn->pg, "COMMIT", diag);
	case PQTRANS_INERROR:
		run_simple(conn->pg, "ROLLBACK", NULL);
		return fail(diag, SQLSTATE_FAILED_TX,
			    "transaction rolled back, not committed: a "
			    "statement in it failed");
	case PQTRANS_IDLE:
		return 0;
	default:
		return fail_conn(conn->pg, diag);
	}
}

/* The rollback slot. Without an open transaction there is nothing to
 * do. */
static int conn_rollback(dbshift_driver_conn *conn, dbshift_diag *diag)
{
	if (PQtransactionStatus(conn->pg) == PQTRANS_IDLE)
		return 0;
	return run_simple(conn->pg, "ROLLBACK", diag);
}

/* ---- identifiers and the catalog ---- */

/* The quote_ident slot. Any non-empty name can be quoted; a NUL ends it. */
static int conn_quote_ident(dbshift_driver_conn *conn, const char *ident,
			    char *buf, size_t buf_size, dbshift_diag *diag)
{
	(void)conn;
	return host->quote_ident('"', ident, buf, buf_size, diag);
}

/* "schema"."name" (or "name" when schema_len is 0) for to_regclass().
 * Returns a new string or NULL when out of memory. */
static char *qualified_name(const char *schema, size_t schema_len,
			    const char *name)
{
	size_t name_len = strlen(name);
	size_t size = 2 * (schema_len + name_len) + 8, used = 0;
	char *out = malloc(size);

	if (out == NULL)
		return NULL;
	if (schema_len > 0) {
		used = host->quote_into('"', schema, schema_len, out, size) - 1;
		out[used++] = '.';
	}
	host->quote_into('"', name, name_len, out + used, size - used);
	return out;
}

/*
 * The table_exists slot. "schema.table" (split at the first '.', each
 * part taken literally, as the core quotes them) looks in that schema; a
 * plain name follows the search_path. Views, indexes and sequences are not
 * tables. to_regclass() returns NULL rather than failing for a missing
 * schema, so an open transaction is never aborted by the check.
 */
static int conn_table_exists(dbshift_driver_conn *conn, const char *table,
			     int32_t *exists, dbshift_diag *diag)
{
	const char *dot, *name = table;
	size_t schema_len = 0;
	char *regclass, answer[8];
	int ret;

	*exists = 0;
	if (table == NULL || table[0] == '\0')
		return fail(diag, NULL, "empty table name");
	dot = strchr(table, '.');
	if (dot != NULL) {
		if (dot == table || dot[1] == '\0')
			return fail(diag, NULL, "bad table name '%s'", table);
		schema_len = (size_t)(dot - table);
		name = dot + 1;
	}
	regclass = qualified_name(table, schema_len, name);
	if (regclass == NULL)
		return fail_nomem(diag);
	ret = query_value(conn->pg, TABLE_EXISTS_SQL, regclass, answer,
			  sizeof(answer), diag);
	free(regclass);
	if (ret == 0)
		*exists = strcmp(answer, "t") == 0;
	return ret;
}

/* ---- the run lock ---- */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Run the advisory-lock function fn (pg_try_advisory_lock,
 * pg_advisory_unlock) on key's hash; *result gets its boolean. */
static int advisory_call(dbshift_driver_conn *conn, const char *fn,
			 const char *key, int *result, dbshift_diag *diag)
{
	char sql[160], answer[8];

	snprintf(sql, sizeof(sql), "SELECT pg_catalog.%s(%s)", fn,
		 conn->lock_key_sql);
	if (query_value(conn->pg, sql, key, answer, sizeof(answer), diag) != 0)
		return -1;
	*result = strcmp(answer, "t") == 0;
	return 0;
}

/*
 * Name the session holding key's lock in diag->detail, when the catalog
 * tells (best effort; only outside a transaction, so that a failure here
 * cannot abort one).
 */
static void describe_holder(dbshift_driver_conn *conn, const char *key,
			    dbshift_diag *diag)
{
	char sql[640], holder[256];

	if (PQtransactionStatus(conn->pg) != PQTRANS_IDLE)
		return;
	snprintf(sql, sizeof(sql),
		 "SELECT 'pid ' || l.pid || coalesce(', application ' || "
		 "nullif(a.application_name, ''), '') "
		 "FROM pg_catalog.pg_locks l LEFT JOIN "
		 "pg_catalog.pg_stat_activity a ON a.pid = l.pid "
		 "WHERE l.locktype = 'advisory' AND l.granted AND "
		 "l.objsubid = 1 AND l.database = (SELECT oid FROM "
		 "pg_catalog.pg_database WHERE datname = "
		 "pg_catalog.current_database()) AND "
		 "(l.classid::int8 << 32 | l.objid::int8) = %s LIMIT 1",
		 conn->lock_key_sql);
	if (query_value(conn->pg, sql, key, holder, sizeof(holder), NULL) ==
		    0 &&
	    holder[0] != '\0')
		snprintf(diag->detail, sizeof(diag->detail),
			 "the lock is held by the session with %s", holder);
}

/*
 * The lock slot: a session advisory lock on a 64-bit hash of key, tried
 * every LOCK_POLL_MS until timeout_ms have passed (0 or less: tried
 * once). Polling rather than waiting inside the server leaves no
 * statement running that a pooler or statement_timeout could cut short.
 */
static int conn_lock(dbshift_driver_conn *conn, const char *key,
		     int64_t timeout_ms, dbshift_diag *diag)
{
	int64_t deadline, left;
	int held = 0;

	if (key == NULL || key[0] == '\0')
		return fail(diag, NULL, "empty lock name");
	if (timeout_ms < 0)
		timeout_ms = 0;
	deadline = now_ms() + timeout_ms;
	for (;;) {
		if (advisory_call(conn, "pg_try_advisory_lock", key, &held,
				  diag) != 0)
			return -1;
		if (held)
			return 0;
		left = deadline - now_ms();
		if (left <= 0)
			break;
		sleep_ms(left < LOCK_POLL_MS ? left : LOCK_POLL_MS);
	}
	fail(diag, SQLSTATE_LOCK_TIMEOUT,
	     "timed out after %g s waiting for lock '%s' held by another run",
	     (double)timeout_ms / 1000.0, key);
	if (diag != NULL)
		describe_holder(conn, key, diag);
	return -1;
}

/* The unlock slot. Releasing a lock this session does not hold fails. */
static int conn_unlock(dbshift_driver_conn *conn, const char *key,
		       dbshift_diag *diag)
{
	int released = 0;

	if (key == NULL || key[0] == '\0')
		return fail(diag, NULL, "empty lock name");
	if (advisory_call(conn, "pg_advisory_unlock", key, &released, diag) !=
	    0)
		return -1;
	if (!released)
		return fail(diag, NULL, "lock '%s' is not held by this session",
			    key);
	return 0;
}

/* ---- schema introspection ---- */

/* Objects whose relation alias is in the current schema. */
#define IN_SCHEMA(alias)                                                       \
	alias ".relnamespace = (SELECT oid FROM pg_namespace WHERE "           \
	      "nspname = current_schema())"

/*
 * One catalog query per kind of object, each giving the columns of the
 * schema slot (dbshift/driver.h). Indexes that back a primary key, unique
 * or exclusion constraint are reported as that constraint only; columns
 * are numbered among the live ones (attnum counts dropped columns too).
 * Needs PostgreSQL 12 or later (attgenerated).
 */
static const char *const schema_sql[] = {
	/* tables */
	"SELECT 1, c.relname, c.relname, NULL::text, 0, NULL::text, "
	"NULL::text, 0 FROM pg_class c WHERE c.relkind IN ('r', 'p') "
	"AND " IN_SCHEMA("c"),
	/* columns */
	"SELECT 2, c.relname, a.attname, format_type(a.atttypid, "
	"a.atttypmod), CASE WHEN a.attnotnull THEN 0 ELSE 1 END, "
	"pg_get_expr(d.adbin, d.adrelid), NULLIF(concat_ws(' ', CASE "
	"a.attidentity WHEN 'a' THEN 'generated always as identity' WHEN 'd' "
	"THEN 'generated by default as identity' END, CASE a.attgenerated "
	"WHEN 's' THEN 'generated stored' END), ''), row_number() OVER "
	"(PARTITION BY c.oid ORDER BY a.attnum) FROM pg_attribute a JOIN "
	"pg_class c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON "
	"d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE a.attnum > 0 "
	"AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND " IN_SCHEMA(
		"c"),
	/* indexes */
	"SELECT 3, t.relname, i.relname, CASE WHEN x.indisunique THEN "
	"'unique index' ELSE 'index' END, 0, NULL::text, "
	"pg_get_indexdef(x.indexrelid), 0 FROM pg_index x JOIN pg_class i ON "
	"i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid WHERE "
	"NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = "
	"x.indexrelid AND k.conrelid = x.indrelid AND k.contype IN ('p', "
	"'u', 'x')) AND " IN_SCHEMA("t"),
	/* constraints (NOT NULL is a column's nullability) */
	"SELECT 4, t.relname, k.conname, CASE k.contype WHEN 'p' THEN "
	"'primary key' WHEN 'u' THEN 'unique' WHEN 'f' THEN 'foreign key' "
	"WHEN 'c' THEN 'check' ELSE 'exclude' END, 0, NULL::text, "
	"pg_get_constraintdef(k.oid), 0 FROM pg_constraint k JOIN pg_class t "
	"ON t.oid = k.conrelid WHERE k.contype IN ('p', 'u', 'f', 'c', 'x') "
	"AND " IN_SCHEMA("t"),
	/* views */
	"SELECT 5, c.relname, c.relname, CASE c.relkind WHEN 'm' THEN "
	"'materialized view' ELSE 'view' END, 0, NULL::text, 'CREATE ' || "
	"CASE c.relkind WHEN 'm' THEN 'MATERIALIZED ' ELSE '' END || 'VIEW ' "
	"|| quote_ident(c.relname) || ' AS ' || pg_get_viewdef(c.oid), 0 "
	"FROM pg_class c WHERE c.relkind IN ('v', 'm') AND " IN_SCHEMA("c"),
	/* triggers */
	"SELECT 6, t.relname, g.tgname, NULL::text, 0, NULL::text, "
	"pg_get_triggerdef(g.oid), 0 FROM pg_trigger g JOIN pg_class t ON "
	"t.oid = g.tgrelid WHERE NOT g.tgisinternal AND " IN_SCHEMA("t"),
};

/* The schema slot: the objects of current_schema(), one query per kind.
 * Plain queries: no transaction is started or ended. */
static int conn_schema(dbshift_driver_conn *conn, dbshift_driver_row_fn row,
		       void *payload, dbshift_diag *diag)
{
	return schema_queries_run(conn_query, conn, schema_sql,
				  sizeof(schema_sql) / sizeof(schema_sql[0]),
				  row, payload, diag);
}

/* ---- sessions, poolers, clocks and lock waits (ABI 1.4) ---- */

/* Run sql with up to two text parameters and copy the first row's first
 * ncols columns (at most 5) into cols ("" for NULL or no row). */
static int query_row(PGconn *pg, const char *sql, int nparams,
		     const char *const *params, char cols[][64], int ncols,
		     dbshift_diag *diag)
{
	PGresult *res =
		PQexecParams(pg, sql, nparams, NULL, params, NULL, NULL, 0);
	int i, ret = 0;

	for (i = 0; i < ncols; i++)
		cols[i][0] = '\0';
	if (res == NULL)
		return fail_conn(pg, diag);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		ret = fail_result(pg, res, diag);
	else if (PQntuples(res) > 0)
		for (i = 0; i < ncols && i < PQnfields(res); i++)
			snprintf(cols[i], 64, "%s", PQgetvalue(res, 0, i));
	PQclear(res);
	return ret;
}

/*
 * The session_info slot. A hot standby, or a database or role whose
 * default_transaction_read_only is on, accepts no writes. A pooler (or
 * any proxy) shows as a server port other than the one libpq connected
 * to, or as a backend that changes between two statements (PgBouncer in
 * transaction mode): session advisory locks then follow the server
 * connection, not this client, so the core takes the lease instead. The
 * token is the backend pid with the postmaster's start time, so that a
 * restarted server's reused pids do not count as alive.
 */
static int conn_session_info(dbshift_driver_conn *conn,
			     dbshift_session_info *info, dbshift_diag *diag)
{
	char c[5][64], again[1][64];
	const char *client_port = PQport(conn->pg);

	if (query_row(conn->pg,
		      "SELECT pg_catalog.pg_is_in_recovery(), "
		      "pg_catalog.current_setting('transaction_read_only'), "
		      "pg_catalog.current_setting('port'), "
		      "pg_catalog.pg_backend_pid(), "
		      "extract(epoch FROM "
		      "pg_catalog.pg_postmaster_start_time())::int8",
		      0, NULL, c, 5, diag) != 0 ||
	    query_row(conn->pg, "SELECT pg_catalog.pg_backend_pid()", 0, NULL,
		      again, 1, diag) != 0)
		return -1;
	if (client_port == NULL || client_port[0] == '\0')
		client_port = "5432";
	if (strcmp(c[0], "t") == 0) {
		info->flags |= DBSHIFT_SESSION_READ_ONLY;
		snprintf(info->note, sizeof(info->note),
			 "hot standby: the server is in recovery");
	} else if (strcmp(c[1], "on") == 0) {
		info->flags |= DBSHIFT_SESSION_READ_ONLY;
		snprintf(info->note, sizeof(info->note),
			 "default_transaction_read_only is on");
	}
	if (strcmp(c[3], again[0]) != 0 || strcmp(c[2], client_port) != 0) {
		info->flags |= DBSHIFT_SESSION_LOCK_LOCAL;
		if (info->note[0] == '\0')
			snprintf(info->note, sizeof(info->note),
				 "connected through a pooler or proxy (server "
				 "port %s, connected to %s%s): session locks "
				 "may not follow this client",
				 c[2], client_port,
				 strcmp(c[3], again[0]) != 0 ?
					 "; the backend changed between "
					 "statements" :
					 "");
		return 0;
	}
	snprintf(info->token, sizeof(info->token), "%s@%s", c[3], c[4]);
	return 0;
}

/* The session_alive slot: token "PID@POSTMASTER-START" from
 * session_info. pg_stat_activity lists every backend's pid to anyone. */
static int conn_session_alive(dbshift_driver_conn *conn, const char *token,
			      int32_t *alive, dbshift_diag *diag)
{
	char pid[32], c[1][64];
	const char *at = strchr(token, '@');
	const char *params[2];

	*alive = -1;
	if (at == NULL || at == token || (size_t)(at - token) >= sizeof(pid))
		return 0;
	snprintf(pid, sizeof(pid), "%.*s", (int)(at - token), token);
	if (strspn(pid, "0123456789") != strlen(pid) ||
	    strspn(at + 1, "0123456789") != strlen(at + 1) || at[1] == '\0')
		return 0;
	params[0] = pid;
	params[1] = at + 1;
	if (query_row(conn->pg,
		      "SELECT extract(epoch FROM "
		      "pg_catalog.pg_postmaster_start_time())::int8 = $2::int8 "
		      "AND EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity "
		      "WHERE pid = $1::int4)",
		      2, params, c, 1, diag) != 0)
		return -1;
	*alive = strcmp(c[0], "t") == 0;
	return 0;
}

/* The server_time slot. */
static int conn_server_time(dbshift_driver_conn *conn, int64_t *unix_ms,
			    dbshift_diag *diag)
{
	char c[1][64];

	if (query_row(conn->pg,
		      "SELECT (extract(epoch FROM "
		      "pg_catalog.clock_timestamp()) * 1000)::int8",
		      0, NULL, c, 1, diag) != 0)
		return -1;
	*unix_ms = strtoll(c[0], NULL, 10);
	return 0;
}

/* The set_lock_wait slot: lock_timeout for the session, and again in each
 * transaction begin() opens. */
static int conn_set_lock_wait(dbshift_driver_conn *conn, int64_t timeout_ms,
			      dbshift_diag *diag)
{
	char sql[64];

	if (timeout_ms < 0)
		timeout_ms = 0;
	snprintf(sql, sizeof(sql), "SET lock_timeout = %lld",
		 (long long)timeout_ms);
	if (run_simple(conn->pg, sql, diag) != 0)
		return -1;
	conn->lock_wait_ms = timeout_ms;
	return 0;
}

/* ---- a migration and its history row in one round trip ---- */

/* The script's time as the server measured it: from the start of the
 * transaction (the BEGIN sent right before the script) to the history
 * write, in milliseconds. */
#define ELAPSED_SQL                                                            \
	"(extract(epoch FROM clock_timestamp() - "                             \
	"transaction_timestamp()) * 1000)::bigint"

/* Is stmt a COPY, whose data the copy protocol carries (not allowed in a
 * pipeline)? */
static int is_copy(const char *sql, const dbshift_stmt *stmt)
{
	return stmt->len >= 5 &&
	       strncasecmp(sql + stmt->start, "copy", 4) == 0 &&
	       strchr(" \t\r\n(", sql[stmt->start + 4]) != NULL;
}

/* exec_recorded() one step after the other, for a script holding COPY:
 * the slots themselves, the time measured here. */
static int recorded_steps(dbshift_driver_conn *conn, const char *sql,
			  size_t sql_len, const char *record,
			  dbshift_value *params, int32_t nparams,
			  int32_t elapsed_param, int32_t *failed_step,
			  dbshift_diag *diag)
{
	int64_t start;

	*failed_step = DBSHIFT_RECORDED_BEGIN;
	if (conn_begin(conn, diag) != 0)
		return -1;
	start = now_ms();
	*failed_step = DBSHIFT_RECORDED_SCRIPT;
	if (conn_exec(conn, sql, sql_len, diag) != 0)
		goto rollback;
	if (elapsed_param >= 0) {
		params[elapsed_param].type = DBSHIFT_VALUE_INT64;
		params[elapsed_param].i64 = now_ms() - start;
	}
	*failed_step = DBSHIFT_RECORDED_RECORD;
	if (conn_query(conn, record, params, nparams, NULL, NULL, diag) != 0)
		goto rollback;
	*failed_step = DBSHIFT_RECORDED_COMMIT;
	if (conn_commit(conn, diag) != 0)
		goto rollback;
	return 0;
rollback:
	conn_rollback(conn, NULL);
	return -1;
}

#ifdef LIBPQ_HAS_PIPELINING

/* A pipeline being built: what each command sent is, to name the one
 * that fails. */
struct batch {
	PGconn *pg;
	int32_t sent;	      /* commands queued */
	int32_t script_first; /* command number of the first statement */
	int32_t nstmts;
	int32_t *lines; /* 1-based line of each statement */
	int send_failed;
};

/* Queue one command (nul-terminated sql) with its parameters. */
static void batch_send(struct batch *b, const char *sql, int nparams,
		       const char *const *values)
{
	if (b->send_failed)
		return;
	if (!PQsendQueryParams(b->pg, sql, nparams, NULL, values, NULL, NULL,
			       0))
		b->send_failed = 1;
	else
		b->sent++;
}

/* Push the queued commands to the server without blocking on a full
 * socket while the server waits to send us results. */
static int batch_flush(PGconn *pg)
{
	struct pollfd fd;
	int rc;

	while ((rc = PQflush(pg)) == 1) {
		fd.fd = PQsocket(pg);
		fd.events = POLLIN | POLLOUT;
		fd.revents = 0;
		if (poll(&fd, 1, -1) < 0 && errno != EINTR)
			return -1;
		if ((fd.revents & POLLIN) && !PQconsumeInput(pg))
			return -1;
	}
	return rc;
}

/* Which step command number cmd belongs to. */
static int32_t batch_step(const struct batch *b, int32_t cmd)
{
	if (cmd < b->script_first)
		return DBSHIFT_RECORDED_BEGIN;
	if (cmd < b->script_first + b->nstmts)
		return DBSHIFT_RECORDED_SCRIPT;
	if (cmd == b->script_first + b->nstmts)
		return DBSHIFT_RECORDED_RECORD;
	return DBSHIFT_RECORDED_COMMIT;
}

/* Fill diag from the failed result of command cmd. */
static void batch_failed(const struct batch *b, const PGresult *res,
			 int32_t cmd, int32_t *failed_step, dbshift_diag *diag)
{
	const char *field = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);

	*failed_step = batch_step(b, cmd);
	if (diag == NULL)
		return;
	fail_result(b->pg, res, diag);
	if (*failed_step != DBSHIFT_RECORDED_SCRIPT)
		return;
	diag->statement_index = cmd - b->script_first;
	diag->line = b->lines[diag->statement_index];
	diag->position = field != NULL ? (int32_t)strtol(field, NULL, 10) : 0;
}

/* Read every result up to the pipeline's sync point; the first error
 * fills diag. Returns 0 or -1. */
static int batch_results(struct batch *b, int32_t *failed_step,
			 dbshift_diag *diag)
{
	int32_t cmd = 0;
	int failed = 0;
	PGresult *res;

	for (;;) {
		res = PQgetResult(b->pg);
		if (res == NULL) {
			if (PQstatus(b->pg) != CONNECTION_OK || cmd > b->sent)
				return failed ? -1 : fail_conn(b->pg, diag);
			cmd++;
			continue;
		}
		switch (PQresultStatus(res)) {
		case PGRES_PIPELINE_SYNC:
			PQclear(res);
			return failed ? -1 : 0;
		case PGRES_COMMAND_OK:
		case PGRES_TUPLES_OK:
		case PGRES_EMPTY_QUERY:
		case PGRES_PIPELINE_ABORTED:
			break;
		default:
			if (!failed)
				batch_failed(b, res, cmd, failed_step, diag);
			failed = 1;
			break;
		}
		PQclear(res);
	}
}

/*
 * Queue the whole migration: BEGIN (and the lock wait), each statement of
 * the script, the history write, COMMIT, and one sync point. script is a
 * copy of the script that statements are cut out of in place.
 */
static void batch_queue(struct batch *b, dbshift_driver_conn *conn,
			const char *sql, size_t sql_len, char *script,
			const char *record, const struct params *p)
{
	dbshift_split split;
	dbshift_stmt stmt;
	char set[64];

	batch_send(b, "BEGIN", 0, NULL);
	if (conn->lock_wait_ms > 0) {
		snprintf(set, sizeof(set), "SET LOCAL lock_timeout = %lld",
			 (long long)conn->lock_wait_ms);
		batch_send(b, set, 0, NULL);
	}
	b->script_first = b->sent;
	host->split_init(&split, sql, sql_len, PG_SPLIT_FLAGS);
	while (host->split_next(&split, &stmt) > 0) {
		script[stmt.start + stmt.len] = '\0';
		b->lines[b->nstmts++] = stmt.line;
		batch_send(b, script + stmt.start, 0, NULL);
	}
	batch_send(b, record, p->n, (const char *const *)p->values);
	batch_send(b, "COMMIT", 0, NULL);
}

/* Send the queued pipeline, read its results, leave pipeline mode and
 * roll back what a failure left open. */
static int batch_run(struct batch *b, dbshift_driver_conn *conn,
		     int32_t *failed_step, dbshift_diag *diag)
{
	int ret = 0;

	if (b->send_failed)
		ret = fail_conn(b->pg, diag);
	if (!PQpipelineSync(b->pg) || batch_flush(b->pg) != 0) {
		PQsetnonblocking(b->pg, 0);
		PQexitPipelineMode(b->pg);
		return b->send_failed ? -1 : fail_conn(b->pg, diag);
	}
	PQsetnonblocking(b->pg, 0);
	if (b->send_failed)
		batch_results(b, failed_step, NULL);
	else
		ret = batch_results(b, failed_step, diag);
	if (!PQexitPipelineMode(b->pg) && ret == 0)
		ret = fail_conn(b->pg, diag);
	if (ret != 0 && PQtransactionStatus(b->pg) != PQTRANS_IDLE)
		conn_rollback(conn, NULL);
	return ret;
}

/* Send the migration as one pipeline (see conn_exec_recorded()): values
 * are the record's parameters, the elapsed one replaced by ELAPSED_SQL. */
static int recorded_pipeline(dbshift_driver_conn *conn, const char *sql,
			     size_t sql_len, const char *record,
			     dbshift_value *values, int32_t nparams,
			     int32_t elapsed_param, int32_t nstmts,
			     int32_t *failed_step, dbshift_diag *diag)
{
	struct batch b;
	struct params p;
	int32_t expected;
	char *text, *script;
	int ret = -1;

	memset(&b, 0, sizeof(b));
	memset(&p, 0, sizeof(p));
	b.pg = conn->pg;
	if (elapsed_param >= 0)
		memmove(values + elapsed_param, values + elapsed_param + 1,
			(size_t)(nparams - elapsed_param - 1) *
				sizeof(*values));
	text = placeholders_subst(record, &expected, elapsed_param,
				  ELAPSED_SQL);
	script = malloc(sql_len + 1);
	b.lines = calloc(nstmts > 0 ? (size_t)nstmts : 1, sizeof(*b.lines));
	if (text == NULL || script == NULL || b.lines == NULL) {
		fail_nomem(diag);
		goto out;
	}
	memcpy(script, sql, sql_len);
	script[sql_len] = '\0';
	*failed_step = DBSHIFT_RECORDED_RECORD;
	if (params_make(&p, values, nparams - (elapsed_param >= 0), expected,
			diag) != 0)
		goto out;
	*failed_step = DBSHIFT_RECORDED_BEGIN;
	if (!PQenterPipelineMode(conn->pg)) {
		fail_conn(conn->pg, diag);
		goto out;
	}
	PQsetnonblocking(conn->pg, 1);
	batch_queue(&b, conn, sql, sql_len, script, text, &p);
	ret = batch_run(&b, conn, failed_step, diag);
out:
	params_free(&p);
	free(b.lines);
	free(script);
	free(text);
	return ret;
}

#endif

/* Count the statements of the script; *copy is set when one is a COPY. */
static int32_t count_statements(const char *sql, size_t sql_len, int *copy)
{
	dbshift_split split;
	dbshift_stmt stmt;
	int32_t n = 0;

	*copy = 0;
	host->split_init(&split, sql, sql_len, PG_SPLIT_FLAGS);
	while (host->split_next(&split, &stmt) > 0) {
		*copy |= is_copy(sql, &stmt);
		n++;
	}
	return n;
}

/*
 * The exec_recorded slot: the transaction, the script statement by
 * statement, the history write with the server's measure of the script's
 * time and the commit go out in one pipeline with one sync point, so the
 * migration costs one round trip. A statement failing aborts the rest up
 * to the sync point: nothing is committed, and the transaction the BEGIN
 * opened is rolled back. A script holding COPY (the copy protocol is not
 * allowed in a pipeline), or a libpq without pipeline mode, goes step by
 * step instead.
 */
static int conn_exec_recorded(dbshift_driver_conn *conn, const char *sql,
			      size_t sql_len, const char *record,
			      const dbshift_value *params, int32_t nparams,
			      int32_t elapsed_param, int32_t *failed_step,
			      dbshift_diag *diag)
{
	dbshift_value *values;
	int copy, ret;
	int32_t nstmts;

	*failed_step = DBSHIFT_RECORDED_BEGIN;
	if (elapsed_param >= nparams)
		return fail(diag, NULL, "exec_recorded: no parameter %d",
			    (int)elapsed_param);
	if (PQtransactionStatus(conn->pg) != PQTRANS_IDLE)
		return conn_begin(conn, diag);
	nstmts = count_statements(sql, sql_len, &copy);
	values = malloc((nparams > 0 ? (size_t)nparams : 1) * sizeof(*values));
	if (values == NULL)
		return fail_nomem(diag);
	memcpy(values, params, (size_t)nparams * sizeof(*values));
#ifdef LIBPQ_HAS_PIPELINING
	if (!copy && memchr(sql, '\0', sql_len) == NULL) {
		ret = recorded_pipeline(conn, sql, sql_len, record, values,
					nparams, elapsed_param, nstmts,
					failed_step, diag);
		free(values);
		return ret;
	}
#endif
	(void)nstmts;
	ret = recorded_steps(conn, sql, sql_len, record, values, nparams,
			     elapsed_param, failed_step, diag);
	free(values);
	return ret;
}

/* ---- the descriptor ---- */

static const char *const pg_schemes[] = {"postgres", "postgresql", NULL};
static const char *const pg_aliases[] = {"pg", "postgresql", NULL};

/* Filled by the entry point with the libpq in use. */
static char pg_version[64] = PACKAGE_VERSION " (libpq)";

static const dbshift_driver pg_driver = {
	.abi_major = DBSHIFT_DRIVER_ABI_MAJOR,
	.abi_minor = DBSHIFT_DRIVER_ABI_MINOR,
	.struct_size = sizeof(dbshift_driver),
	.name = "pg",
	.dialect = "postgres",
	.schemes = pg_schemes,
	.version = pg_version,
	.capabilities = DBSHIFT_CAP_TRANSACTIONAL_DDL |
			DBSHIFT_CAP_SESSION_LOCK | DBSHIFT_CAP_SAVEPOINTS |
			DBSHIFT_CAP_SPLIT_STATEMENTS,
	.open = conn_open,
	.close = conn_close,
	.exec = conn_exec,
	.query = conn_query,
	.begin = conn_begin,
	.commit = conn_commit,
	.rollback = conn_rollback,
	.quote_ident = conn_quote_ident,
	.table_exists = conn_table_exists,
	.lock = conn_lock,
	.unlock = conn_unlock,
	.dialect_aliases = pg_aliases,
	.split_flags = PG_SPLIT_FLAGS,
	.schema = conn_schema,
	.session_info = conn_session_info,
	.session_alive = conn_session_alive,
	.server_time = conn_server_time,
	.set_lock_wait = conn_set_lock_wait,
	.exec_recorded = conn_exec_recorded,
};

/* The descriptor, its version naming the libpq in use. */
static const dbshift_driver *pg_describe(void)
{
	int lib = PQlibVersion();

	snprintf(pg_version, sizeof(pg_version), "%s (libpq %d.%d)",
		 PACKAGE_VERSION, lib / 10000, lib % 10000);
	return &pg_driver;
}

DBSHIFT_DRIVER_ENTRY(pg, host, pg_describe())
