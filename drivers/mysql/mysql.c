/* SPDX-License-Identifier: MIT */
/*
 * mysql.c - the MySQL/MariaDB driver (driver_mysql.so).
 *
 * Implements the driver ABI of dbshift/driver.h on the MySQL C API as
 * MariaDB Connector/C provides it (Oracle's libmysqlclient has the same
 * calls): connections, queries, transactions, the catalog and the run
 * lock here; URLs in mysql_url.c, scripts in mysql_script.c. MySQL and
 * MariaDB commit DDL implicitly, so the driver does not declare
 * transactional DDL and the core guards each migration with a dirty
 * history row instead. It has savepoints and a session lock (GET_LOCK).
 * Only dbshift_driver_mysql_init is exported.
 *
 * URLs: mysql://[USER[:PASSWORD]@][HOST][:PORT][/DATABASE][?PARAMS], and
 * the same with mariadb://. USER, PASSWORD, HOST, DATABASE and parameter
 * values are percent-decoded. The user part ends at the last '@' (an '@'
 * elsewhere is written %40), so a password may hold any character
 * unencoded ('/', ':', '@', '?', '#', '%'). HOST may be
 * an IPv6 address in brackets or, percent-encoded, the path of a unix
 * socket. Without a host the server is "localhost", which the client
 * library reaches through its default unix socket (MySQL's convention);
 * with a port the connection is always TCP. Without a database none is
 * selected (CREATE DATABASE works; table_exists needs "schema.table").
 * PARAMS, NAME=VALUE joined by '&' ('_' may stand for '-'):
 *   socket=PATH           connect through this unix socket
 *   ssl-mode=MODE         disabled, preferred, required, verify-ca or
 *                         verify-identity; Connector/C checks the host
 *                         name whenever it checks the certificate, so
 *                         verify-ca is verify-identity there
 *   tls=VALUE             the same as true (verify-identity), false
 *                         (disabled), skip-verify (required), preferred
 *   ssl-ca, ssl-cert, ssl-key=PATH   TLS files; without a mode they
 *                         imply required
 *   connect-timeout=S     seconds to connect, handshake included
 *                         (default 10)
 *   read-timeout=S, write-timeout=S  seconds one network read or write
 *                         may wait (default none and 60): a migration
 *                         statement or a lock wait may take long, so
 *                         reads do not time out unless asked to
 *   charset=NAME          the connection's character set (utf8mb4)
 *   option-file=PATH      a MySQL option file whose [client] group gives
 *                         what the URL leaves out (user, password, ...),
 *                         so that the password need not be in the URL
 * Any other parameter is an error. LOAD DATA LOCAL INFILE is disabled.
 * Messages name the host or socket, never the password; the client
 * library's connection errors are scrubbed of it.
 *
 * Scripts run whole on the server, and the mysql client's DELIMITER
 * command is understood (mysql_script.c). Queries are prepared on the
 * server with its own '?' placeholders; integer columns come back as
 * INT64, NULL as NULL and everything else as the server's text for it.
 * The run lock is GET_LOCK on the key and the current database's name
 * (GET_LOCK names are global to the server, while the core's key only
 * names the history table), or on "dbshift:" and a hash of that when it is
 * longer than the 64 characters MySQL allows.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "dbshift/driver.h"
#include "../schema_queries.h"
#include "mysql_diag.h"
#include "mysql_script.h"
#include "mysql_url.h"

/* Oracle's libmysqlclient 8 replaced my_bool with bool. */
#if defined(MARIADB_PACKAGE_VERSION_ID)
#define CLIENT_NAME "MariaDB Connector/C " MARIADB_PACKAGE_VERSION
typedef my_bool flag_t;
#else
#define CLIENT_NAME "libmysqlclient " LIBMYSQL_VERSION
typedef bool flag_t;
#endif

#define DEFAULT_CHARSET "utf8mb4"

/* MySQL refuses lock names longer than this many characters. */
#define LOCK_NAME_MAX 64
/* First buffer size of a result column; longer values grow it. */
#define COLUMN_BUFFER 256

/* Is there a default database, and does the table exist in the schema
 * given (NULL: the default database)? Sequences and views are not tables;
 * system-versioned tables (MariaDB) are. */
#define TABLE_EXISTS_SQL                                                       \
	"SELECT DATABASE() IS NULL, EXISTS (SELECT 1 FROM "                    \
	"information_schema.tables WHERE table_schema = "                      \
	"COALESCE(?, DATABASE()) AND table_name = ? AND table_type IN "        \
	"('BASE TABLE', 'SYSTEM VERSIONED'))"

struct dbshift_driver_conn {
	MYSQL *db;
	char node[160]; /* "HOST:PORT" of the server, for session tokens */
	char user[160]; /* CURRENT_USER() */
};

static pthread_once_t library_once = PTHREAD_ONCE_INIT;
static int library_status;

/* ---- connections ---- */

static void library_init(void)
{
	library_status = mysql_library_init(0, NULL, NULL);
}

/* Set one client option, naming it when the library refuses. */
static int set_option(MYSQL *db, enum mysql_option option, const void *arg,
		      const char *what, dbshift_diag *diag)
{
	if (mysql_options(db, option, arg) != 0)
		return fail(diag, 0,
			    "the MySQL client library refuses the option %s",
			    what);
	return 0;
}

#if defined(MARIADB_PACKAGE_VERSION_ID)
/*
 * TLS with Connector/C: "enforce" turns TLS on when the server offers it
 * (it does not refuse a server without it: check_tls() does that after
 * the handshake) and "verify" checks the certificate and the host name.
 */
static int set_tls_mode(MYSQL *db, enum dbshift__mysql_tls mode,
			dbshift_diag *diag)
{
	flag_t use = mode != DBSHIFT__MYSQL_TLS_DISABLED;
	flag_t verify = mode == DBSHIFT__MYSQL_TLS_VERIFY_CA ||
			mode == DBSHIFT__MYSQL_TLS_VERIFY_IDENTITY;

	if (mode == DBSHIFT__MYSQL_TLS_DEFAULT)
		return 0;
	if (set_option(db, MYSQL_OPT_SSL_ENFORCE, &use, "ssl-mode", diag) != 0)
		return -1;
	return set_option(db, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify,
			  "ssl-mode", diag);
}
#else
static int set_tls_mode(MYSQL *db, enum dbshift__mysql_tls mode,
			dbshift_diag *diag)
{
	static const unsigned int modes[] = {0,
					     SSL_MODE_DISABLED,
					     SSL_MODE_PREFERRED,
					     SSL_MODE_REQUIRED,
					     SSL_MODE_VERIFY_CA,
					     SSL_MODE_VERIFY_IDENTITY};

	if (mode == DBSHIFT__MYSQL_TLS_DEFAULT)
		return 0;
	return set_option(db, MYSQL_OPT_SSL_MODE, &modes[mode], "ssl-mode",
			  diag);
}
#endif

static int set_tls(MYSQL *db, const dbshift__mysql_target *t,
		   dbshift_diag *diag)
{
	if (set_tls_mode(db, t->tls, diag) != 0)
		return -1;
	if (t->values[DBSHIFT__MYSQL_SSL_CA] != NULL &&
	    set_option(db, MYSQL_OPT_SSL_CA, t->values[DBSHIFT__MYSQL_SSL_CA],
		       "ssl-ca", diag) != 0)
		return -1;
	if (t->values[DBSHIFT__MYSQL_SSL_CERT] != NULL &&
	    set_option(db, MYSQL_OPT_SSL_CERT,
		       t->values[DBSHIFT__MYSQL_SSL_CERT], "ssl-cert",
		       diag) != 0)
		return -1;
	if (t->values[DBSHIFT__MYSQL_SSL_KEY] != NULL &&
	    set_option(db, MYSQL_OPT_SSL_KEY, t->values[DBSHIFT__MYSQL_SSL_KEY],
		       "ssl-key", diag) != 0)
		return -1;
	return 0;
}

/* Apply the URL's settings, and the ones every run relies on, before
 * connecting. */
static int set_options(MYSQL *db, const dbshift__mysql_target *t,
		       dbshift_diag *diag)
{
	const char *charset = t->values[DBSHIFT__MYSQL_CHARSET];
	unsigned int no_infile = 0;
	unsigned int tcp = MYSQL_PROTOCOL_TCP;
	const char *file = t->values[DBSHIFT__MYSQL_OPTION_FILE];

	/* First, so that what the URL says wins over the file. */
	if (file != NULL && (set_option(db, MYSQL_READ_DEFAULT_FILE, file,
					"option-file", diag) != 0 ||
			     set_option(db, MYSQL_READ_DEFAULT_GROUP, "client",
					"option-file", diag) != 0))
		return -1;
	if (set_option(db, MYSQL_OPT_CONNECT_TIMEOUT, &t->connect_timeout,
		       "connect-timeout", diag) != 0 ||
	    set_option(db, MYSQL_OPT_READ_TIMEOUT, &t->read_timeout,
		       "read-timeout", diag) != 0 ||
	    set_option(db, MYSQL_OPT_WRITE_TIMEOUT, &t->write_timeout,
		       "write-timeout", diag) != 0 ||
	    set_option(db, MYSQL_SET_CHARSET_NAME,
		       charset != NULL ? charset : DEFAULT_CHARSET, "charset",
		       diag) != 0 ||
	    set_option(db, MYSQL_OPT_LOCAL_INFILE, &no_infile, "local-infile",
		       diag) != 0)
		return -1;
	/* "localhost:3307" means TCP, not the socket it would otherwise. */
	if (t->port != 0 && t->values[DBSHIFT__MYSQL_SOCKET] == NULL &&
	    set_option(db, MYSQL_OPT_PROTOCOL, &tcp, "protocol", diag) != 0)
		return -1;
	return set_tls(db, t, diag);
}

/* After the handshake: refuse a plain connection that ssl-mode says must
 * be encrypted. Connector/C only refuses one itself when it verifies. */
static int check_tls(MYSQL *db, const dbshift__mysql_target *t,
		     dbshift_diag *diag)
{
	if (t->tls < DBSHIFT__MYSQL_TLS_REQUIRED ||
	    mysql_get_ssl_cipher(db) != NULL)
		return 0;
	return fail_state(diag, "HY000", CR_SSL_CONNECTION_ERROR,
			  "MySQL server at %s does not offer TLS, which "
			  "ssl-mode requires",
			  t->where);
}

/* Connect as t says. Returns the handle, or NULL with diag filled. */
static MYSQL *db_connect(const dbshift__mysql_target *t, dbshift_diag *diag)
{
	unsigned long flags = CLIENT_MULTI_STATEMENTS | CLIENT_MULTI_RESULTS;
	char msg[sizeof(diag->message)];
	MYSQL *db;

	pthread_once(&library_once, library_init);
	if (library_status != 0) {
		fail(diag, 0, "cannot initialise the MySQL client library");
		return NULL;
	}
	db = mysql_init(NULL);
	if (db == NULL) {
		fail_nomem(diag);
		return NULL;
	}
	if (set_options(db, t, diag) != 0)
		goto out_close;
	if (mysql_real_connect(db, t->host, t->user, t->password, t->database,
			       t->port, t->values[DBSHIFT__MYSQL_SOCKET],
			       flags) == NULL) {
		snprintf(msg, sizeof(msg), "%s", mysql_error(db));
		if (t->password != NULL)
			dbshift__mysql_host->scrub(msg, sizeof(msg),
						   t->password,
						   strlen(t->password));
		fail_state(diag, mysql_sqlstate(db), mysql_errno(db),
			   "cannot connect to MySQL server at %s: %s", t->where,
			   msg);
		goto out_close;
	}
	if (check_tls(db, t, diag) != 0)
		goto out_close;
	return db;
out_close:
	mysql_close(db);
	return NULL;
}

/* The open slot: *out gets a connection the caller closes with
 * conn_close(). */
static int conn_open(dbshift_driver_conn **out, const char *url,
		     dbshift_diag *diag)
{
	dbshift__mysql_target t;
	dbshift_driver_conn *conn;
	MYSQL *db;
	int ret = -1;

	*out = NULL;
	if (dbshift__mysql_url_parse(&t, url, diag) != 0) {
		/* The URL is at fault, unless memory ran out. */
		if (diag != NULL && strcmp(diag->sqlstate, "HY001") != 0)
			memcpy(diag->sqlstate, DBSHIFT_SQLSTATE_BAD_URL,
			       sizeof(DBSHIFT_SQLSTATE_BAD_URL));
		goto out_target;
	}
	db = db_connect(&t, diag);
	if (db == NULL)
		goto out_target;
	conn = malloc(sizeof(*conn));
	if (conn == NULL) {
		mysql_close(db);
		fail_nomem(diag);
		goto out_target;
	}
	conn->db = db;
	conn->node[0] = conn->user[0] = '\0';
	*out = conn;
	ret = 0;
out_target:
	dbshift__mysql_url_free(&t);
	return ret;
}

/* The close slot. The server rolls back an open transaction and releases
 * the session's locks. Accepts NULL. */
static void conn_close(dbshift_driver_conn *conn)
{
	if (conn == NULL)
		return;
	mysql_close(conn->db);
	free(conn);
}

/* The exec slot: see mysql_script.c. */
static int conn_exec(dbshift_driver_conn *conn, const char *sql, size_t sql_len,
		     dbshift_diag *diag)
{
	return dbshift__mysql_script_run(conn->db, sql, sql_len, diag);
}

/* ---- queries ---- */

/* Where the one statement of sql is (a trailing ';' and comments are
 * fine). */
static int one_statement(const char *sql, size_t *start, size_t *len,
			 dbshift_diag *diag)
{
	dbshift_split s;
	dbshift_stmt stmt, more;

	if (sql == NULL)
		return fail(diag, 0, "no query given");
	dbshift__mysql_host->split_init(&s, sql, strlen(sql),
					MYSQL_SPLIT_FLAGS);
	if (!dbshift__mysql_host->split_next(&s, &stmt))
		return fail(diag, 0, "query holds no statement");
	if (dbshift__mysql_host->split_next(&s, &more))
		return fail(diag, 0, "query holds more than one statement");
	*start = stmt.start;
	*len = stmt.len;
	return 0;
}

/* Parameters as the client library takes them. */
struct params {
	MYSQL_BIND *binds;
	long long *ints;
	unsigned long *lengths;
};

static void params_free(struct params *p)
{
	free(p->binds);
	free(p->ints);
	free(p->lengths);
}

/* Describe value as parameter number i (0-based) in p. */
static int param_bind(struct params *p, int32_t i, const dbshift_value *value,
		      dbshift_diag *diag)
{
	static char empty[1];
	MYSQL_BIND *b = &p->binds[i];

	switch (value->type) {
	case DBSHIFT_VALUE_NULL:
		b->buffer_type = MYSQL_TYPE_NULL;
		return 0;
	case DBSHIFT_VALUE_INT64:
		p->ints[i] = value->i64;
		b->buffer_type = MYSQL_TYPE_LONGLONG;
		b->buffer = &p->ints[i];
		return 0;
	case DBSHIFT_VALUE_TEXT:
		if (value->len < 0 || (value->text == NULL && value->len > 0))
			return fail(diag, 0, "parameter %d: bad text length",
				    (int)i + 1);
		p->lengths[i] = (unsigned long)value->len;
		b->buffer_type = MYSQL_TYPE_STRING;
		/* The library only reads it. A NULL pointer would send SQL
		 * NULL, not "". */
		b->buffer = value->text ? (void *)value->text : empty;
		b->buffer_length = p->lengths[i];
		b->length = &p->lengths[i];
		return 0;
	default:
		return fail(diag, 0, "parameter %d: unknown value type %d",
			    (int)i + 1, (int)value->type);
	}
}

/*
 * Bind nparams values; the statement must take exactly that many. The
 * library keeps pointers into p until the statement is executed, so the
 * caller frees p only after that.
 */
static int bind_params(MYSQL_STMT *stmt, struct params *p,
		       const dbshift_value *params, int32_t nparams,
		       dbshift_diag *diag)
{
	unsigned long expected = mysql_stmt_param_count(stmt);
	size_t n = nparams > 0 ? (size_t)nparams : 1;
	int32_t i;

	if (nparams < 0 || (unsigned long)nparams != expected)
		return fail(diag, 0, "query takes %lu parameters, %d given",
			    expected, (int)nparams);
	if (nparams == 0)
		return 0;
	p->binds = calloc(n, sizeof(*p->binds));
	p->ints = calloc(n, sizeof(*p->ints));
	p->lengths = calloc(n, sizeof(*p->lengths));
	if (p->binds == NULL || p->ints == NULL || p->lengths == NULL)
		return fail_nomem(diag);
	for (i = 0; i < nparams; i++)
		if (param_bind(p, i, &params[i], diag) != 0)
			return -1;
	if (mysql_stmt_bind_param(stmt, p->binds) != 0)
		return fail_stmt(stmt, diag);
	return 0;
}

/* One result column: a growing text buffer and what the fetch says. */
struct column {
	char *buf;
	unsigned long size;
	unsigned long length;
	flag_t is_null;
	flag_t error;
	int integer; /* an integer type: delivered as INT64 when it fits */
};

/* Result columns of one query. */
struct columns {
	unsigned int count;
	struct column *cols;
	MYSQL_BIND *binds;
	dbshift_value *values;
};

static void columns_free(struct columns *c)
{
	unsigned int i;

	if (c->cols != NULL)
		for (i = 0; i < c->count; i++)
			free(c->cols[i].buf);
	free(c->cols);
	free(c->binds);
	free(c->values);
}

static int is_integer_type(enum enum_field_types type)
{
	return type == MYSQL_TYPE_TINY || type == MYSQL_TYPE_SHORT ||
	       type == MYSQL_TYPE_INT24 || type == MYSQL_TYPE_LONG ||
	       type == MYSQL_TYPE_LONGLONG;
}

/* Point bind i at column i's buffer, as a string. */
static void column_bind(struct columns *c, unsigned int i)
{
	MYSQL_BIND *b = &c->binds[i];
	struct column *col = &c->cols[i];

	memset(b, 0, sizeof(*b));
	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = col->buf;
	b->buffer_length = col->size;
	b->length = &col->length;
	b->is_null = &col->is_null;
	b->error = &col->error;
}

/* Set up and bind one string buffer per column of the result. */
static int columns_init(struct columns *c, MYSQL_STMT *stmt, MYSQL_RES *meta,
			dbshift_diag *diag)
{
	MYSQL_FIELD *fields = mysql_fetch_fields(meta);
	size_t n;
	unsigned int i;

	memset(c, 0, sizeof(*c));
	c->count = mysql_num_fields(meta);
	n = c->count > 0 ? c->count : 1;
	c->cols = calloc(n, sizeof(*c->cols));
	c->binds = calloc(n, sizeof(*c->binds));
	c->values = calloc(n, sizeof(*c->values));
	if (c->cols == NULL || c->binds == NULL || c->values == NULL)
		return fail_nomem(diag);
	for (i = 0; i < c->count; i++) {
		c->cols[i].size = COLUMN_BUFFER;
		c->cols[i].buf = malloc(COLUMN_BUFFER);
		if (c->cols[i].buf == NULL)
			return fail_nomem(diag);
		c->cols[i].integer = is_integer_type(fields[i].type);
		column_bind(c, i);
	}
	if (mysql_stmt_bind_result(stmt, c->binds) != 0)
		return fail_stmt(stmt, diag);
	return 0;
}

/*
 * Fetch the rest of the values that did not fit their buffers, growing
 * them, and bind the grown buffers for the next rows.
 */
static int columns_complete(struct columns *c, MYSQL_STMT *stmt,
			    dbshift_diag *diag)
{
	struct column *col;
	unsigned int i;
	int grown = 0;
	char *buf;

	for (i = 0; i < c->count; i++) {
		col = &c->cols[i];
		if (col->is_null || col->length <= col->size)
			continue;
		buf = realloc(col->buf, col->length + 1);
		if (buf == NULL)
			return fail_nomem(diag);
		col->buf = buf;
		col->size = col->length + 1;
		column_bind(c, i);
		if (mysql_stmt_fetch_column(stmt, &c->binds[i], i, 0) != 0)
			return fail_stmt(stmt, diag);
		grown = 1;
	}
	if (grown && mysql_stmt_bind_result(stmt, c->binds) != 0)
		return fail_stmt(stmt, diag);
	return 0;
}

/* Parse an integer column's text; 0 when it is not one that fits. */
static int parse_int64(const char *text, unsigned long len, int64_t *out)
{
	char buf[32], *end;
	long long n;

	if (len == 0 || len >= sizeof(buf))
		return 0;
	memcpy(buf, text, len);
	buf[len] = '\0';
	errno = 0;
	n = strtoll(buf, &end, 10);
	if (errno != 0 || *end != '\0')
		return 0;
	*out = n;
	return 1;
}

/* The dbshift values of the current row. */
static void columns_values(struct columns *c)
{
	dbshift_value *v;
	unsigned int i;

	for (i = 0; i < c->count; i++) {
		v = &c->values[i];
		memset(v, 0, sizeof(*v));
		if (c->cols[i].is_null) {
			v->type = DBSHIFT_VALUE_NULL;
		} else if (c->cols[i].integer &&
			   parse_int64(c->cols[i].buf, c->cols[i].length,
				       &v->i64)) {
			v->type = DBSHIFT_VALUE_INT64;
		} else {
			v->type = DBSHIFT_VALUE_TEXT;
			v->text = c->cols[i].buf;
			v->len = (int64_t)c->cols[i].length;
		}
	}
}

/*
 * Hand every row of the executed statement's result (when it has one and
 * row is not NULL) to row. Integer columns come as INT64 (an unsigned
 * BIGINT beyond INT64_MAX as TEXT), NULL as NULL, anything else as the
 * server's text for it. Returns 0, the callback's non-zero value when it
 * asked to stop, or -1 with diag filled.
 */
static int fetch_rows(MYSQL_STMT *stmt, dbshift_driver_row_fn row,
		      void *payload, dbshift_diag *diag)
{
	MYSQL_RES *meta = mysql_stmt_result_metadata(stmt);
	struct columns c;
	int rc, ret;

	if (meta == NULL)
		return mysql_stmt_errno(stmt) != 0 ? fail_stmt(stmt, diag) : 0;
	ret = columns_init(&c, stmt, meta, diag);
	if (ret == 0 && mysql_stmt_store_result(stmt) != 0)
		ret = fail_stmt(stmt, diag);
	while (ret == 0 && row != NULL) {
		rc = mysql_stmt_fetch(stmt);
		if (rc == MYSQL_NO_DATA)
			break;
		if (rc != 0 && rc != MYSQL_DATA_TRUNCATED) {
			ret = fail_stmt(stmt, diag);
			break;
		}
		ret = columns_complete(&c, stmt, diag);
		if (ret != 0)
			break;
		columns_values(&c);
		ret = row((int32_t)c.count, c.values, payload);
	}
	columns_free(&c);
	mysql_free_result(meta);
	return ret;
}

/* Read and drop the further results of a CALL, so that the connection is
 * ready for the next statement. */
static void drain_stmt(MYSQL_STMT *stmt)
{
	while (mysql_stmt_more_results(stmt) &&
	       mysql_stmt_next_result(stmt) == 0)
		mysql_stmt_free_result(stmt);
}

/*
 * The query slot: one statement (a trailing ';' and comments are fine),
 * prepared on the server with its '?' parameters bound in order.
 */
static int conn_query(dbshift_driver_conn *conn, const char *sql,
		      const dbshift_value *params, int32_t nparams,
		      dbshift_driver_row_fn row, void *payload,
		      dbshift_diag *diag)
{
	struct params p = {NULL, NULL, NULL};
	size_t start = 0, len = 0;
	MYSQL_STMT *stmt;
	int ret;

	if (one_statement(sql, &start, &len, diag) != 0)
		return -1;
	stmt = mysql_stmt_init(conn->db);
	if (stmt == NULL)
		return fail_nomem(diag);
	if (mysql_stmt_prepare(stmt, sql + start, len) != 0)
		ret = fail_stmt(stmt, diag);
	else
		ret = bind_params(stmt, &p, params, nparams, diag);
	if (ret == 0 && mysql_stmt_execute(stmt) != 0)
		ret = fail_stmt(stmt, diag);
	params_free(&p);
	if (ret == 0)
		ret = fetch_rows(stmt, row, payload, diag);
	drain_stmt(stmt);
	mysql_stmt_close(stmt);
	return ret;
}

/* ---- transactions ---- */

/* Run one fixed statement that returns no rows. */
static int run_simple(dbshift_driver_conn *conn, const char *sql,
		      dbshift_diag *diag)
{
	if (mysql_real_query(conn->db, sql, strlen(sql)) != 0)
		return fail_db(conn->db, diag);
	return 0;
}

/* The begin slot. A DDL statement inside commits the transaction
 * implicitly: MySQL has no transactional DDL. */
static int conn_begin(dbshift_driver_conn *conn, dbshift_diag *diag)
{
	return run_simple(conn, "START TRANSACTION", diag);
}

/* The commit slot; without a transaction the server does nothing. */
static int conn_commit(dbshift_driver_conn *conn, dbshift_diag *diag)
{
	return run_simple(conn, "COMMIT", diag);
}

/* The rollback slot; without a transaction the server does nothing. */
static int conn_rollback(dbshift_driver_conn *conn, dbshift_diag *diag)
{
	return run_simple(conn, "ROLLBACK", diag);
}

/* ---- identifiers and the catalog ---- */

/* The quote_ident slot. Any non-empty name can be quoted; whether the
 * server accepts it (64 characters at most, no trailing space) is the
 * server's to say. */
static int conn_quote_ident(dbshift_driver_conn *conn, const char *ident,
			    char *buf, size_t buf_size, dbshift_diag *diag)
{
	(void)conn;
	return dbshift__mysql_host->quote_ident('`', ident, buf, buf_size,
						diag);
}

/* What the catalog query found. */
struct table_found {
	int no_database;
	int exists;
};

static int table_row(int32_t ncols, const dbshift_value *cols, void *payload)
{
	struct table_found *found = payload;

	if (ncols == 2 && cols[0].type == DBSHIFT_VALUE_INT64 &&
	    cols[1].type == DBSHIFT_VALUE_INT64) {
		found->no_database = cols[0].i64 != 0;
		found->exists = cols[1].i64 != 0;
	}
	return 0;
}

static dbshift_value text_value(const char *text, size_t len)
{
	dbshift_value v;

	memset(&v, 0, sizeof(v));
	v.type = DBSHIFT_VALUE_TEXT;
	v.text = text;
	v.len = (int64_t)len;
	return v;
}

/*
 * The table_exists slot. "schema.table" (split at the first '.') looks in
 * that schema (database); a plain name in the connection's database,
 * which must then be one. Names compare as the server compares them
 * (lower_case_table_names).
 */
static int conn_table_exists(dbshift_driver_conn *conn, const char *table,
			     int32_t *exists, dbshift_diag *diag)
{
	struct table_found found = {0, 0};
	dbshift_value params[2];
	const char *dot;

	*exists = 0;
	if (table == NULL || table[0] == '\0')
		return fail(diag, 0, "empty table name");
	dot = strchr(table, '.');
	if (dot != NULL && (dot == table || dot[1] == '\0'))
		return fail(diag, 0, "bad table name '%s'", table);
	memset(&params[0], 0, sizeof(params[0]));
	if (dot != NULL) {
		params[0] = text_value(table, (size_t)(dot - table));
		params[1] = text_value(dot + 1, strlen(dot + 1));
	} else {
		params[0].type = DBSHIFT_VALUE_NULL;
		params[1] = text_value(table, strlen(table));
	}
	if (conn_query(conn, TABLE_EXISTS_SQL, params, 2, table_row, &found,
		       diag) != 0)
		return -1;
	if (dot == NULL && found.no_database)
		return fail_state(diag, "3D000", ER_NO_DB_ERROR,
				  "no database selected to look for table %s "
				  "in: name one in the URL or write "
				  "schema.table",
				  table);
	*exists = found.exists;
	return 0;
}

/* ---- the run lock ---- */

/* How many characters (not bytes) the UTF-8 text s holds. */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/*
 * The lock name for key: the key itself when MySQL takes it, else
 * "dbshift:" and the FNV-1a 64-bit hash of the key in hex, the same in
 * every run.
 */
static void lock_name(dbshift_driver_conn *conn, const char *key, char *buf,
		      size_t size)
{
	uint64_t hash = UINT64_C(0xcbf29ce484222325);
	const unsigned char *p;
	char scoped[1024];

	/* Two databases on one server must not share a lock. */
	snprintf(scoped, sizeof(scoped), "%s@%s", key,
		 conn->db->db != NULL ? conn->db->db : "");
	if (utf8_chars(scoped) <= LOCK_NAME_MAX && strlen(scoped) < size) {
		memcpy(buf, scoped, strlen(scoped) + 1);
		return;
	}
	for (p = (const unsigned char *)scoped; *p != '\0'; p++) {
		hash ^= *p;
		hash *= UINT64_C(0x100000001b3);
	}
	snprintf(buf, size, "dbshift:%016llx", (unsigned long long)hash);
}

/* The single value a one-row lock query returned. */
struct lock_result {
	int is_null;
	int64_t value;
};

static int lock_row(int32_t ncols, const dbshift_value *cols, void *payload)
{
	struct lock_result *r = payload;

	r->is_null = ncols < 1 || cols[0].type != DBSHIFT_VALUE_INT64;
	r->value = r->is_null ? 0 : cols[0].i64;
	return 0;
}

/* Run a lock function on name (and seconds when not negative); *r gets
 * its value. */
static int lock_call(dbshift_driver_conn *conn, const char *sql,
		     const char *name, int64_t seconds, struct lock_result *r,
		     dbshift_diag *diag)
{
	dbshift_value params[2];

	r->is_null = 1;
	r->value = 0;
	params[0] = text_value(name, strlen(name));
	memset(&params[1], 0, sizeof(params[1]));
	params[1].type = DBSHIFT_VALUE_INT64;
	params[1].i64 = seconds;
	return conn_query(conn, sql, params, seconds >= 0 ? 2 : 1, lock_row, r,
			  diag);
}

/* Name in diag's detail the connection that holds the lock name, when the
 * server still knows it. */
static void name_holder(dbshift_driver_conn *conn, const char *name,
			dbshift_diag *diag)
{
	struct lock_result holder;

	if (diag == NULL ||
	    lock_call(conn, "SELECT IS_USED_LOCK(?)", name, -1, &holder,
		      NULL) != 0 ||
	    holder.is_null)
		return;
	snprintf(diag->detail, sizeof(diag->detail),
		 "held by connection %lld (SHOW PROCESSLIST; lock name '%s')",
		 (long long)holder.value, name);
}

/*
 * The lock slot: GET_LOCK, waiting whole seconds (timeout_ms rounded up;
 * MySQL takes no fractions). The lock belongs to the session: the server
 * releases it when the connection ends, however it ends. Taking it twice
 * on one connection nests (MySQL 5.7, MariaDB 10.0.2 and later).
 */
static int conn_lock(dbshift_driver_conn *conn, const char *key,
		     int64_t timeout_ms, dbshift_diag *diag)
{
	int64_t seconds = timeout_ms > 0 ? (timeout_ms + 999) / 1000 : 0;
	char name[LOCK_NAME_MAX * 4 + 1];
	struct lock_result r;

	if (key == NULL || key[0] == '\0')
		return fail(diag, 0, "empty lock name");
	lock_name(conn, key, name, sizeof(name));
	if (lock_call(conn, "SELECT GET_LOCK(?, ?)", name, seconds, &r, diag) !=
	    0)
		return -1;
	if (!r.is_null && r.value == 1)
		return 0;
	if (r.is_null)
		return fail_state(diag, "HY000", 0, "GET_LOCK('%s') failed",
				  name);
	fail_state(diag, "HY000", 0,
		   "timed out after %lld s waiting for lock '%s' held by "
		   "another run",
		   (long long)seconds, key);
	/* Who holds it helps the operator find the other run. */
	name_holder(conn, name, diag);
	return -1;
}

/* The unlock slot: RELEASE_LOCK. A lock this connection does not hold
 * (free, or another's) is an error. */
static int conn_unlock(dbshift_driver_conn *conn, const char *key,
		       dbshift_diag *diag)
{
	char name[LOCK_NAME_MAX * 4 + 1];
	struct lock_result r;

	if (key == NULL || key[0] == '\0')
		return fail(diag, 0, "empty lock name");
	lock_name(conn, key, name, sizeof(name));
	if (lock_call(conn, "SELECT RELEASE_LOCK(?)", name, -1, &r, diag) != 0)
		return -1;
	if (r.is_null || r.value != 1)
		return fail_state(diag, "HY000", 0,
				  "lock '%s' is not held by this connection",
				  key);
	return 0;
}

/* ---- schema introspection ---- */

/*
 * One information_schema query per kind of object in DATABASE(), each
 * giving the columns of the schema slot (dbshift/driver.h). The primary
 * key is reported as a constraint; every other key, unique ones included,
 * as an index (in MySQL a UNIQUE constraint is its index), foreign keys
 * and CHECK constraints as constraints.
 */
static const char *const schema_sql[] = {
	/* tables */
	"SELECT 1, TABLE_NAME, TABLE_NAME, NULL, 0, NULL, NULL, 0 FROM "
	"information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
	"TABLE_TYPE = 'BASE TABLE'",
	/* columns */
	"SELECT 2, c.TABLE_NAME, c.COLUMN_NAME, c.COLUMN_TYPE, "
	"IF(c.IS_NULLABLE = 'YES', 1, 0), c.COLUMN_DEFAULT, NULLIF(c.EXTRA, "
	"''), c.ORDINAL_POSITION FROM information_schema.COLUMNS c JOIN "
	"information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND "
	"t.TABLE_NAME = c.TABLE_NAME WHERE c.TABLE_SCHEMA = DATABASE() AND "
	"t.TABLE_TYPE = 'BASE TABLE'",
	/* indexes and the primary key */
	"SELECT IF(INDEX_NAME = 'PRIMARY', 4, 3), TABLE_NAME, INDEX_NAME, "
	"IF(INDEX_NAME = 'PRIMARY', 'primary key', IF(NON_UNIQUE = 0, "
	"'unique index', IF(INDEX_TYPE IN ('BTREE', 'HASH'), 'index', "
	"CONCAT(LOWER(INDEX_TYPE), ' index')))), 0, NULL, "
	"CONCAT(IF(INDEX_NAME = 'PRIMARY', 'PRIMARY KEY', CONCAT('CREATE ', "
	"IF(NON_UNIQUE = 0, 'UNIQUE ', IF(INDEX_TYPE IN ('BTREE', 'HASH'), "
	"'', CONCAT(INDEX_TYPE, ' '))), 'INDEX ', INDEX_NAME, ' ON ', "
	"TABLE_NAME)), ' (', GROUP_CONCAT(CONCAT(IFNULL(COLUMN_NAME, "
	"'expr'), IFNULL(CONCAT('(', SUB_PART, ')'), ''), IF(COLLATION = "
	"'D', ' DESC', '')) ORDER BY SEQ_IN_INDEX SEPARATOR ', '), ')'), 0 "
	"FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() "
	"GROUP BY TABLE_NAME, INDEX_NAME, NON_UNIQUE, INDEX_TYPE",
	/* foreign keys */
	"SELECT 4, k.TABLE_NAME, k.CONSTRAINT_NAME, 'foreign key', 0, NULL, "
	"CONCAT('FOREIGN KEY (', GROUP_CONCAT(k.COLUMN_NAME ORDER BY "
	"k.ORDINAL_POSITION SEPARATOR ', '), ') REFERENCES ', "
	"MAX(k.REFERENCED_TABLE_NAME), ' (', GROUP_CONCAT("
	"k.REFERENCED_COLUMN_NAME ORDER BY k.ORDINAL_POSITION SEPARATOR ', '), "
	"') ON UPDATE ', MAX(r.UPDATE_RULE), ' ON DELETE ', "
	"MAX(r.DELETE_RULE)), 0 FROM "
	"information_schema.KEY_COLUMN_USAGE k JOIN "
	"information_schema.REFERENTIAL_CONSTRAINTS r ON "
	"r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = "
	"k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME WHERE "
	"k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL "
	"GROUP BY k.TABLE_NAME, k.CONSTRAINT_NAME",
	/* views */
	"SELECT 5, TABLE_NAME, TABLE_NAME, 'view', 0, NULL, CONCAT('CREATE "
	"VIEW ', TABLE_NAME, ' AS ', VIEW_DEFINITION), 0 FROM "
	"information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()",
	/* triggers */
	"SELECT 6, EVENT_OBJECT_TABLE, TRIGGER_NAME, CONCAT(LOWER("
	"ACTION_TIMING), ' ', LOWER(EVENT_MANIPULATION)), 0, NULL, "
	"CONCAT('CREATE TRIGGER ', TRIGGER_NAME, ' ', ACTION_TIMING, ' ', "
	"EVENT_MANIPULATION, ' ON ', EVENT_OBJECT_TABLE, ' FOR EACH ROW ', "
	"ACTION_STATEMENT), 0 FROM information_schema.TRIGGERS WHERE "
	"TRIGGER_SCHEMA = DATABASE()",
};

/*
 * CHECK constraints: MariaDB's CHECK_CONSTRAINTS names the table (its
 * constraint names are unique per table only); MySQL 8.0.16 and later
 * need TABLE_CONSTRAINTS for it; older MySQL has neither, and ignores
 * CHECK clauses altogether.
 */
static const char check_sql_mariadb[] =
	"SELECT 4, TABLE_NAME, CONSTRAINT_NAME, 'check', 0, NULL, "
	"CONCAT('CHECK (', CHECK_CLAUSE, ')'), 0 FROM "
	"information_schema.CHECK_CONSTRAINTS WHERE "
	"CONSTRAINT_SCHEMA = DATABASE()";
static const char check_sql_mysql[] =
	"SELECT 4, t.TABLE_NAME, t.CONSTRAINT_NAME, 'check', 0, NULL, "
	"CONCAT('CHECK (', c.CHECK_CLAUSE, ')'), 0 FROM "
	"information_schema.TABLE_CONSTRAINTS t JOIN "
	"information_schema.CHECK_CONSTRAINTS c ON c.CONSTRAINT_SCHEMA = "
	"t.CONSTRAINT_SCHEMA AND c.CONSTRAINT_NAME = t.CONSTRAINT_NAME WHERE "
	"t.CONSTRAINT_TYPE = 'CHECK' AND t.TABLE_SCHEMA = DATABASE()";

/* Did a query fail because the server lacks a column or table of
 * information_schema (rather than for any other reason)? */
static int missing_catalog(const dbshift_diag *diag)
{
	return diag->native_code == ER_BAD_FIELD_ERROR ||
	       diag->native_code == ER_UNKNOWN_TABLE;
}

static int schema_checks(dbshift_driver_conn *conn, dbshift_driver_row_fn row,
			 void *payload, dbshift_diag *diag)
{
	int ret;

	ret = conn_query(conn, check_sql_mariadb, NULL, 0, row, payload, diag);
	if (ret == 0 || !missing_catalog(diag))
		return ret;
	diag->native_code = 0;
	diag->message[0] = '\0';
	ret = conn_query(conn, check_sql_mysql, NULL, 0, row, payload, diag);
	if (ret == 0 || !missing_catalog(diag))
		return ret;
	diag->native_code = 0;
	diag->message[0] = '\0';
	diag->sqlstate[0] = '\0';
	return 0;
}

/* The schema slot: the objects of DATABASE(), one query per kind. */
static int conn_schema(dbshift_driver_conn *conn, dbshift_driver_row_fn row,
		       void *payload, dbshift_diag *diag)
{
	int ret;

	ret = schema_queries_run(conn_query, conn, schema_sql,
				 sizeof(schema_sql) / sizeof(schema_sql[0]),
				 row, payload, diag);
	return ret != 0 ? ret : schema_checks(conn, row, payload, diag);
}

/* ---- clusters, sessions, clocks and lock waits (ABI 1.4) ---- */

/* The first row of a query, each column as text ("" for NULL). */
struct text_row {
	int found;
	char col[4][160];
};

static int text_row_read(int32_t ncols, const dbshift_value *cols,
			 void *payload)
{
	struct text_row *r = payload;
	int32_t i;

	for (i = 0; i < ncols && i < 4 && !r->found; i++) {
		if (cols[i].type == DBSHIFT_VALUE_INT64)
			snprintf(r->col[i], sizeof(r->col[i]), "%lld",
				 (long long)cols[i].i64);
		else if (cols[i].type == DBSHIFT_VALUE_TEXT)
			snprintf(r->col[i], sizeof(r->col[i]), "%.*s",
				 (int)(cols[i].len < 159 ? cols[i].len : 159),
				 cols[i].text);
	}
	r->found = 1;
	return 0;
}

static int text_query(dbshift_driver_conn *conn, const char *sql,
		      struct text_row *r, dbshift_diag *diag)
{
	memset(r, 0, sizeof(*r));
	return conn_query(conn, sql, NULL, 0, text_row_read, r, diag);
}

/*
 * The session_info slot. A Galera node (wsrep_on) gets the lease, since
 * GET_LOCK does not reach the other nodes, and waits for the cluster's
 * earlier commits before each read (wsrep_sync_wait), so that a run that
 * takes over the lease on another node sees the history its predecessor
 * wrote. read_only (a replica) is refused by the core. The token is the
 * connection id on this server, with the user, since a user without the
 * PROCESS privilege sees only its own connections.
 */
static int conn_session_info(dbshift_driver_conn *conn,
			     dbshift_session_info *info, dbshift_diag *diag)
{
	struct text_row r, wsrep;
	char token[512];
	int len;

	if (text_query(conn,
		       "SELECT @@read_only, CONNECTION_ID(), "
		       "CONCAT(@@hostname, ':', @@port), CURRENT_USER()",
		       &r, diag) != 0 ||
	    text_query(conn, "SHOW VARIABLES LIKE 'wsrep_on'", &wsrep, diag) !=
		    0)
		return -1;
	snprintf(conn->node, sizeof(conn->node), "%s", r.col[2]);
	snprintf(conn->user, sizeof(conn->user), "%s", r.col[3]);
	/* A token too long to record is no token: the lease then expires. */
	len = snprintf(token, sizeof(token), "%s@%s %s", r.col[1], conn->node,
		       conn->user);
	if (len > 0 && (size_t)len < sizeof(info->token))
		memcpy(info->token, token, (size_t)len + 1);
	if (strcmp(r.col[0], "1") == 0) {
		info->flags |= DBSHIFT_SESSION_READ_ONLY;
		snprintf(info->note, sizeof(info->note),
			 "read_only is ON: a replica?");
	}
	if (strcasecmp(wsrep.col[1], "ON") == 0) {
		info->flags |= DBSHIFT_SESSION_LOCK_LOCAL;
		if (info->note[0] == '\0')
			snprintf(info->note, sizeof(info->note),
				 "Galera cluster node (wsrep_on is ON): "
				 "GET_LOCK is node-local");
		return run_simple(conn, "SET SESSION wsrep_sync_wait = 1",
				  diag);
	}
	return 0;
}

/* The session_alive slot: token "ID@HOST:PORT USER" from session_info. */
static int conn_session_alive(dbshift_driver_conn *conn, const char *token,
			      int32_t *alive, dbshift_diag *diag)
{
	const char *at = strchr(token, '@'), *space;
	dbshift_value param;
	struct text_row r;
	char *end;
	long long id;

	*alive = -1;
	if (at == NULL || (space = strchr(at, ' ')) == NULL)
		return 0;
	id = strtoll(token, &end, 10);
	if (end != at || id <= 0 || conn->node[0] == '\0' ||
	    strlen(conn->node) != (size_t)(space - at - 1) ||
	    strncmp(conn->node, at + 1, (size_t)(space - at - 1)) != 0 ||
	    strcmp(conn->user, space + 1) != 0)
		return 0; /* another server, or a connection we cannot see */
	memset(&param, 0, sizeof(param));
	param.type = DBSHIFT_VALUE_INT64;
	param.i64 = id;
	memset(&r, 0, sizeof(r));
	if (conn_query(conn,
		       "SELECT COUNT(*) FROM information_schema.PROCESSLIST "
		       "WHERE ID = ?",
		       &param, 1, text_row_read, &r, diag) != 0)
		return -1;
	*alive = strcmp(r.col[0], "0") != 0;
	return 0;
}

/* The server_time slot. */
static int conn_server_time(dbshift_driver_conn *conn, int64_t *unix_ms,
			    dbshift_diag *diag)
{
	struct text_row r;

	if (text_query(conn,
		       "SELECT CAST(UNIX_TIMESTAMP(SYSDATE(3)) * 1000 AS "
		       "SIGNED)",
		       &r, diag) != 0)
		return -1;
	*unix_ms = strtoll(r.col[0], NULL, 10);
	return 0;
}

/* The set_lock_wait slot: lock_wait_timeout (metadata locks: DDL) and
 * innodb_lock_wait_timeout (row locks), in whole seconds, at least 1. */
static int conn_set_lock_wait(dbshift_driver_conn *conn, int64_t timeout_ms,
			      dbshift_diag *diag)
{
	char sql[160];
	long long secs = (timeout_ms + 999) / 1000;

	if (timeout_ms <= 0)
		snprintf(sql, sizeof(sql),
			 "SET SESSION lock_wait_timeout = DEFAULT, "
			 "innodb_lock_wait_timeout = DEFAULT");
	else
		snprintf(sql, sizeof(sql),
			 "SET SESSION lock_wait_timeout = %lld, "
			 "innodb_lock_wait_timeout = %lld",
			 secs, secs);
	return run_simple(conn, sql, diag);
}

/* ---- the descriptor ---- */

static const char *const mysql_schemes[] = {"mysql", "mariadb", NULL};
static const char *const mysql_aliases[] = {"mariadb", NULL};

static const dbshift_driver mysql_driver = {
	.abi_major = DBSHIFT_DRIVER_ABI_MAJOR,
	.abi_minor = DBSHIFT_DRIVER_ABI_MINOR,
	.struct_size = sizeof(dbshift_driver),
	.name = "mysql",
	.dialect = "mysql",
	.schemes = mysql_schemes,
	/* The client library the driver was built against. */
	.version = PACKAGE_VERSION " (" CLIENT_NAME ")",
	.capabilities = DBSHIFT_CAP_SESSION_LOCK | DBSHIFT_CAP_SAVEPOINTS,
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
	.dialect_aliases = mysql_aliases,
	.split_flags = MYSQL_SPLIT_FLAGS | DBSHIFT_SPLIT_DELIMITER_COMMAND,
	.schema = conn_schema,
	.session_info = conn_session_info,
	.session_alive = conn_session_alive,
	.server_time = conn_server_time,
	.set_lock_wait = conn_set_lock_wait,
};

/* The client library is initialised at the first open. */
DBSHIFT_DRIVER_ENTRY(mysql, dbshift__mysql_host, &mysql_driver)
