/*
 * check_driver_pg.c - what is particular to the PostgreSQL driver: URL
 * forms and the parameters the driver adds or handles itself, connection
 * errors that never show the password, where a failed script's statement
 * is, '?' placeholders, result types, transactions, the catalog check with
 * schemas, and the advisory run lock. The cases every driver passes live
 * in the shared conformance suite.
 *
 * The server is the one in $DBSHIFT_TEST_PG_URL (tests/with-servers.sh
 * starts one); every test gets a new database of its own. Without the
 * variable the suite holds one test, which fails unless
 * DBSHIFT_TEST_SKIP_PG=1 says the server is absent on purpose.
 */
#include "config.h"

#include <check.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dbshift/driver.h"
#include "dialects.h"
#include "error.h"
#include "fixture.h"
#include "split.h"
#include "suites.h"

#define ALL_CAPS                                                               \
	(DBSHIFT_CAP_TRANSACTIONAL_DDL | DBSHIFT_CAP_SESSION_LOCK |            \
	 DBSHIFT_CAP_SAVEPOINTS | DBSHIFT_CAP_SPLIT_STATEMENTS)

static void *module;
static dbshift_driver_init_fn entry;
static const dbshift_driver *drv;
static dbshift_driver_conn *conn; /* on the test's own database */
static char db_url[1024];	  /* its URL */
static dbshift_diag diag;

static const dbshift_host test_host = {
	sizeof(dbshift_host),
	DBSHIFT_DRIVER_ABI_MAJOR,
	DBSHIFT_DRIVER_ABI_MINOR,
	dbshift__diag_set,
};

/* ---- helpers ---- */

static void load_module(void)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/driver_pg.so", fx_driver_dir());
	module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg(module != NULL, "dlopen %s: %s", path, dlerror());
	entry = (dbshift_driver_init_fn)dlsym(module, "dbshift_driver_pg_init");
	ck_assert_msg(entry != NULL, "%s has no dbshift_driver_pg_init", path);
}

static dbshift_driver_conn *open_ok(const char *url)
{
	dbshift_driver_conn *c = NULL;

	dbshift__diag_init(&diag);
	ck_assert_msg(drv->open(&c, url, &diag) == 0, "open %s: %s", url,
		      diag.message);
	ck_assert_ptr_nonnull(c);
	return c;
}

static void assert_one_line(const char *msg)
{
	ck_assert_msg(msg[0] != '\0', "empty message");
	ck_assert_msg(strchr(msg, '\n') == NULL, "message spans lines: %s",
		      msg);
}

/* Open url expecting failure with a one-line message in diag. */
static void open_fails(const char *url)
{
	dbshift_driver_conn *c = (dbshift_driver_conn *)&c;

	dbshift__diag_init(&diag);
	ck_assert_msg(drv->open(&c, url, &diag) != 0, "open %s succeeded", url);
	ck_assert_ptr_null(c);
	assert_one_line(diag.message);
}

static void setup(void)
{
	load_module();
	drv = entry(DBSHIFT_DRIVER_ABI_MAJOR, DBSHIFT_DRIVER_ABI_MINOR,
		    &test_host);
	ck_assert_ptr_nonnull(drv);
	unsetenv("PGAPPNAME");
	unsetenv("PGCONNECT_TIMEOUT");
	snprintf(db_url, sizeof(db_url), "%s", fx_fresh_url(FX_POSTGRES));
	conn = open_ok(db_url);
	dbshift__diag_init(&diag);
}

static void teardown(void)
{
	if (drv != NULL)
		drv->close(conn);
	conn = NULL;
}

static void exec_on(dbshift_driver_conn *c, const char *sql)
{
	dbshift__diag_init(&diag);
	ck_assert_msg(drv->exec(c, sql, strlen(sql), &diag) == 0,
		      "exec '%s': %s", sql, diag.message);
}

static void exec_ok(const char *sql)
{
	exec_on(conn, sql);
}

static void exec_fails(const char *sql)
{
	dbshift__diag_init(&diag);
	ck_assert_msg(drv->exec(conn, sql, strlen(sql), &diag) != 0,
		      "exec '%s' succeeded", sql);
	assert_one_line(diag.message);
}

/* Rows collected by collect(). */
#define MAX_ROWS 8
#define MAX_COLS 8
struct rows {
	int count;
	int stop_at;
	int stop_value;
	int32_t ncols;
	int32_t type[MAX_ROWS][MAX_COLS];
	int64_t i64[MAX_ROWS][MAX_COLS];
	char text[MAX_ROWS][MAX_COLS][128];
};

static int collect(int32_t ncols, const dbshift_value *cols, void *payload)
{
	struct rows *rows = payload;
	int r = rows->count++;
	int32_t i;

	ck_assert_int_lt(r, MAX_ROWS);
	ck_assert_int_le(ncols, MAX_COLS);
	rows->ncols = ncols;
	for (i = 0; i < ncols; i++) {
		rows->type[r][i] = cols[i].type;
		rows->i64[r][i] = cols[i].i64;
		if (cols[i].type == DBSHIFT_VALUE_TEXT) {
			ck_assert_int_lt(cols[i].len, 128);
			memcpy(rows->text[r][i], cols[i].text,
			       (size_t)cols[i].len);
			rows->text[r][i][cols[i].len] = '\0';
		}
	}
	return rows->stop_at == rows->count ? rows->stop_value : 0;
}

static void query_on(dbshift_driver_conn *c, const char *sql,
		     const dbshift_value *params, int32_t nparams,
		     struct rows *rows)
{
	dbshift__diag_init(&diag);
	ck_assert_msg(drv->query(c, sql, params, nparams, rows ? collect : NULL,
				 rows, &diag) == 0,
		      "query '%s': %s", sql, diag.message);
}

static void query_ok(const char *sql, const dbshift_value *params,
		     int32_t nparams, struct rows *rows)
{
	query_on(conn, sql, params, nparams, rows);
}

static int query_fails(const char *sql, const dbshift_value *params,
		       int32_t nparams)
{
	dbshift__diag_init(&diag);
	ck_assert_msg(
		drv->query(conn, sql, params, nparams, NULL, NULL, &diag) != 0,
		"query '%s' succeeded", sql);
	assert_one_line(diag.message);
	return 1;
}

/* The one text value sql returns on c (static storage). */
static const char *text_on(dbshift_driver_conn *c, const char *sql)
{
	static struct rows rows;

	memset(&rows, 0, sizeof(rows));
	query_on(c, sql, NULL, 0, &rows);
	ck_assert_int_eq(rows.count, 1);
	ck_assert_int_eq(rows.type[0][0], DBSHIFT_VALUE_TEXT);
	return rows.text[0][0];
}

static int64_t query_int(const char *sql)
{
	struct rows rows = {0};

	query_ok(sql, NULL, 0, &rows);
	ck_assert_int_eq(rows.count, 1);
	ck_assert_int_eq(rows.type[0][0], DBSHIFT_VALUE_INT64);
	return rows.i64[0][0];
}

static int32_t table_exists(const char *table)
{
	int32_t exists = -1;

	dbshift__diag_init(&diag);
	ck_assert_msg(drv->table_exists(conn, table, &exists, &diag) == 0,
		      "table_exists %s: %s", table, diag.message);
	ck_assert(exists == 0 || exists == 1);
	return exists;
}

static dbshift_value int_value(int64_t i64)
{
	dbshift_value v = {DBSHIFT_VALUE_INT64, i64, NULL, 0};

	return v;
}

static dbshift_value text_value(const char *text)
{
	dbshift_value v = {DBSHIFT_VALUE_TEXT, 0, text,
			   text ? (int64_t)strlen(text) : 0};

	return v;
}

static dbshift_value null_value(void)
{
	dbshift_value v = {DBSHIFT_VALUE_NULL, 0, NULL, 0};

	return v;
}

/* The part of the test database's URL after "postgres://". */
static const char *url_rest(void)
{
	return strstr(db_url, "://") + 3;
}

/* The host:port/db part of the test database's URL, without user. */
static const char *url_host(void)
{
	const char *rest = url_rest(), *at = strchr(rest, '@');
	const char *slash = strchr(rest, '/');

	return at != NULL && (slash == NULL || at < slash) ? at + 1 : rest;
}

/* The user name in the test database's URL ("" when none). */
static void url_user(char *buf, size_t size)
{
	const char *rest = url_rest(), *host = url_host();

	snprintf(buf, size, "%.*s",
		 host > rest ? (int)(strcspn(rest, ":@")) : 0, rest);
}

/* A URL to the test database with another scheme and a query. */
static const char *url_variant(const char *scheme, const char *query)
{
	static char url[1200];

	snprintf(url, sizeof(url), "%s://%s%s%s", scheme, url_rest(),
		 query ? "?" : "", query ? query : "");
	return url;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the descriptor ---- */

START_TEST(test_driver_pg_descriptor)
{
	ck_assert_uint_eq(drv->abi_major, DBSHIFT_DRIVER_ABI_MAJOR);
	ck_assert_uint_eq(drv->struct_size, sizeof(dbshift_driver));
	ck_assert_str_eq(drv->name, "pg");
	ck_assert_str_eq(drv->dialect, "postgres");
	ck_assert_str_eq(drv->schemes[0], "postgres");
	ck_assert_str_eq(drv->schemes[1], "postgresql");
	ck_assert_ptr_null(drv->schemes[2]);
	ck_assert(drv->capabilities == ALL_CAPS);
	ck_assert_ptr_nonnull(drv->lock);
	ck_assert_ptr_nonnull(drv->unlock);
	ck_assert_ptr_nonnull(strstr(drv->version, PACKAGE_VERSION));
	ck_assert_ptr_nonnull(strstr(drv->version, "libpq "));
	/* Only the entry is visible; the splitter compiled in is not. */
	ck_assert_ptr_null(entry(DBSHIFT_DRIVER_ABI_MAJOR + 1, 0, &test_host));
	ck_assert_ptr_eq(entry(DBSHIFT_DRIVER_ABI_MAJOR, 99, NULL), drv);
	ck_assert_ptr_null(dlsym(module, "pg_driver"));
	ck_assert_ptr_null(dlsym(module, "dbshift__split_next"));
	ck_assert_ptr_null(dlsym(module, DBSHIFT_DRIVER_INIT_SYMBOL));
}
END_TEST

/* ---- URLs and connections ---- */

START_TEST(test_driver_pg_url_forms)
{
	static const char *const schemes[] = {"postgres", "postgresql",
					      "POSTGRES", "PostgreSQL"};
	dbshift_driver_conn *c;
	size_t i;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		c = open_ok(url_variant(schemes[i], NULL));
		ck_assert_str_eq(text_on(c, "SELECT current_database()"),
				 strrchr(db_url, '/') + 1);
		drv->close(c);
	}
	/* libpq's own parameters pass through. */
	c = open_ok(url_variant("postgresql", "sslmode=disable&"
					      "connect_timeout=3&"
					      "application_name=mine"));
	ck_assert_str_eq(text_on(c, "SHOW application_name"), "mine");
	drv->close(c);
	/* The driver's defaults. */
	ck_assert_str_eq(text_on(conn, "SHOW application_name"), "dbshift");
	ck_assert_str_eq(text_on(conn, "SHOW client_min_messages"), "warning");
	/* $PGAPPNAME wins over the driver's default. */
	setenv("PGAPPNAME", "from-env", 1);
	c = open_ok(db_url);
	ck_assert_str_eq(text_on(c, "SHOW application_name"), "from-env");
	drv->close(c);
	unsetenv("PGAPPNAME");
	/* Options with a percent-encoded space. */
	c = open_ok(url_variant("postgres", "options=-c%20work_mem%3D7MB"));
	ck_assert_str_eq(text_on(c, "SHOW work_mem"), "7MB");
	drv->close(c);
}
END_TEST

/* search_path is handled by the driver: removed before libpq sees it. */
START_TEST(test_driver_pg_search_path)
{
	dbshift_driver_conn *c;

	exec_ok("CREATE SCHEMA app; CREATE SCHEMA \"Mixed Case\";"
		"CREATE TABLE public.p (x int)");
	c = open_ok(url_variant("postgres", "search_path=app,public"));
	ck_assert_str_eq(text_on(c, "SHOW search_path"), "app, public");
	exec_on(c, "CREATE TABLE t (x int)");
	drv->close(c);
	ck_assert_int_eq(table_exists("app.t"), 1);
	ck_assert_int_eq(table_exists("public.t"), 0);
	ck_assert_int_eq(table_exists("t"), 0);

	c = open_ok(url_variant("postgres", "sslmode=disable&search_path="
					    "Mixed%20Case&application_name=z"));
	ck_assert_str_eq(text_on(c, "SHOW search_path"), "\"Mixed Case\"");
	ck_assert_str_eq(text_on(c, "SHOW application_name"), "z");
	drv->close(c);

	c = open_ok(url_variant("postgres", "search_path=%22%24user%22,+x"
					    "&search_path=%24user,%20public"));
	ck_assert_str_eq(text_on(c, "SHOW search_path"), "\"$user\", public");
	drv->close(c);

	open_fails(url_variant("postgres", "search_path="));
	ck_assert_ptr_nonnull(strstr(diag.message, "search_path"));
	open_fails(url_variant("postgres", "search_path=a,,b"));
	open_fails(url_variant("postgres", "search_path=%zz"));
	ck_assert_ptr_nonnull(strstr(diag.message, "search_path"));
}
END_TEST

START_TEST(test_driver_pg_missing_database)
{
	char url[1200], user[128], host[512];

	url_user(user, sizeof(user));
	snprintf(host, sizeof(host), "%.*s", (int)strcspn(url_host(), "/?"),
		 url_host());
	snprintf(url, sizeof(url), "postgres://%s:s3cretpw@%s/dbshift_no_db",
		 user[0] ? user : "postgres", host);
	open_fails(url);
	ck_assert_ptr_null(strstr(diag.message, "s3cretpw"));
	ck_assert_msg(strstr(diag.message, "dbshift_no_db") != NULL &&
			      strstr(diag.message, "does not exist") != NULL,
		      "%s", diag.message);
	ck_assert_str_eq(diag.sqlstate, "08001");
}
END_TEST

/* A closed port fails at once; the message names the host, never the
 * password. */
START_TEST(test_driver_pg_unreachable)
{
	double start = now_s();

	open_fails("postgres://u:s3cretpw@127.0.0.1:1/db?password=other");
	ck_assert_msg(now_s() - start < 5, "took %.1f s", now_s() - start);
	ck_assert_ptr_null(strstr(diag.message, "s3cretpw"));
	ck_assert_ptr_null(strstr(diag.message, "other"));
	ck_assert_msg(strstr(diag.message, "127.0.0.1") != NULL, "%s",
		      diag.message);
	ck_assert_str_eq(diag.sqlstate, "08001");
}
END_TEST

START_TEST(test_driver_pg_bad_urls)
{
	open_fails("postgres://u:s3cretpw@127.0.0.1:1/db?nosuch=1");
	ck_assert_ptr_nonnull(strstr(diag.message, "invalid PostgreSQL URL"));
	ck_assert_ptr_nonnull(strstr(diag.message, "nosuch"));
	ck_assert_ptr_null(strstr(diag.message, "s3cretpw"));
	/* libpq quotes a bad percent-encoding: here, the password. */
	open_fails("postgres://u:s3cret%zzpw@127.0.0.1:1/db");
	ck_assert_ptr_null(strstr(diag.message, "s3cret"));
	ck_assert_ptr_null(strstr(diag.message, "zzpw"));
	open_fails("postgres://u@127.0.0.1:1/db?password=s3cret%zzpw");
	ck_assert_ptr_null(strstr(diag.message, "s3cret"));
	/* Not ours: the scheme is named, the password is not. */
	open_fails("mysql://u:s3cretpw@127.0.0.1/db");
	ck_assert_ptr_nonnull(strstr(diag.message, "mysql"));
	ck_assert_ptr_null(strstr(diag.message, "s3cretpw"));
	open_fails("postgres:relative");
	open_fails("dbname=postgres");
	dbshift__diag_init(&diag);
	ck_assert_int_ne(drv->open(&(dbshift_driver_conn *){NULL}, NULL, &diag),
			 0);
}
END_TEST

/* ---- scripts ---- */

/* A script with a $$ function whose later statement fails at run time:
 * the statement, its line and the position in it. */
START_TEST(test_driver_pg_exec_error_position)
{
	static const char script[] =
		"-- a function first\n"				       /* 1 */
		"CREATE FUNCTION add_one(x integer) RETURNS integer\n" /* 2 */
		"LANGUAGE plpgsql AS $$\n"			       /* 3 */
		"BEGIN\n"					       /* 4 */
		"  RETURN x + 1; -- a ; inside\n"		       /* 5 */
		"END;\n"					       /* 6 */
		"$$;\n"						       /* 7 */
		"CREATE TABLE a (x integer);\n"			       /* 8 */
		"INSERT INTO a VALUES (add_one(1));\n"		       /* 9 */
		"  SELECT * FROM no_such_table;\n"		       /* 10 */
		"CREATE TABLE b (y integer);\n";		       /* 11 */

	exec_fails(script);
	ck_assert_str_eq(diag.sqlstate, "42P01");
	ck_assert_ptr_nonnull(strstr(diag.message, "no_such_table"));
	ck_assert_int_eq(diag.statement_index, 3);
	ck_assert_int_eq(diag.line, 10);
	ck_assert_int_eq(diag.position, (int)strlen("SELECT * FROM ") + 1);
	ck_assert_int_eq(diag.native_code, 0);
	/* One simple query is one implicit transaction: nothing stays. */
	ck_assert_int_eq(table_exists("a"), 0);
}
END_TEST

/* A syntax error: the server rejects the whole string before running any
 * of it; the statement is found from the position. */
START_TEST(test_driver_pg_exec_syntax_error)
{
	static const char script[] = "CREATE TABLE a (x int);\n"
				     "INSERT INTO a VALUES (1);\n"
				     "/* the next one\n"
				     "   is broken; */\n"
				     "  INSERT INTO a VALUES (1,, 2);\n"
				     "CREATE TABLE b (y int);\n";

	exec_fails(script);
	ck_assert_str_eq(diag.sqlstate, "42601");
	ck_assert_int_eq(diag.statement_index, 2);
	ck_assert_int_eq(diag.line, 5);
	ck_assert_int_eq(diag.position,
			 (int)strlen("INSERT INTO a VALUES (1,") + 1);
	/* Positions count characters, not bytes. */
	exec_fails("SELECT 'é';\r\nSELECT 'ü€', no_col;");
	ck_assert_str_eq(diag.sqlstate, "42703");
	ck_assert_int_eq(diag.statement_index, 1);
	ck_assert_int_eq(diag.line, 2);
	ck_assert_int_eq(diag.position, 14);
	/* At the very end. */
	exec_fails("SELECT 1;\nSELECT (");
	ck_assert_int_eq(diag.statement_index, 1);
	ck_assert_int_eq(diag.line, 2);
}
END_TEST

/* Errors without a position: the statement is counted by the server's
 * results; detail, hint and context go to diag->detail. */
START_TEST(test_driver_pg_exec_runtime_error)
{
	static const char dup[] = "CREATE TABLE k (id int PRIMARY KEY);\n"
				  "INSERT INTO k VALUES (1);\n"
				  ";\n"
				  "INSERT INTO k VALUES (1);\n";

	exec_fails(dup);
	ck_assert_str_eq(diag.sqlstate, "23505");
	ck_assert_int_eq(diag.statement_index, 2);
	ck_assert_int_eq(diag.line, 4);
	ck_assert_int_eq(diag.position, 0);
	ck_assert_msg(strstr(diag.detail, "Key (id)=(1) already exists") !=
			      NULL,
		      "%s", diag.detail);
	ck_assert_ptr_null(strchr(diag.detail, '\n'));

	exec_fails("SELECT 1;\n"
		   "DO $$\nBEGIN\n  RAISE EXCEPTION 'boom; %', 42\n"
		   "    USING DETAIL = 'it broke', HINT = 'try again';\n"
		   "END $$;");
	ck_assert_str_eq(diag.sqlstate, "P0001");
	ck_assert_str_eq(diag.message, "boom; 42");
	ck_assert_int_eq(diag.statement_index, 1);
	ck_assert_int_eq(diag.line, 2);
	ck_assert_msg(strstr(diag.detail, "it broke; hint: try again; "
					  "context: PL/pgSQL") != NULL,
		      "%s", diag.detail);
}
END_TEST

START_TEST(test_driver_pg_exec_empty)
{
	static const char *const scripts[] = {
		"  \n\t\r\n", "-- only a comment",
		";\n;;  ;",   "/* nested /* comment; */ still */",
		"SELECT 1;;", "SELECT 1; SELECT 2",
	};
	static const char nul[] = "SELECT 1;\nSELECT 2;\0SELECT 3";
	size_t i;

	for (i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++)
		exec_ok(scripts[i]);
	dbshift__diag_init(&diag);
	ck_assert_int_eq(drv->exec(conn, NULL, 0, &diag), 0);
	dbshift__diag_init(&diag);
	ck_assert_int_ne(drv->exec(conn, nul, sizeof(nul) - 1, &diag), 0);
	ck_assert_ptr_nonnull(strstr(diag.message, "line 2"));
}
END_TEST

/* Why the driver asks the core to split no-transaction scripts. */
START_TEST(test_driver_pg_concurrently)
{
	static const char script[] =
		"CREATE TABLE t (a int, b int);\n"
		"CREATE INDEX CONCURRENTLY t_a ON t (a);\n"
		"CREATE INDEX CONCURRENTLY t_b ON t (b);\n";
	dbshift__split split;
	dbshift__stmt stmt;

	exec_fails(script);
	ck_assert_str_eq(diag.sqlstate, "25001");
	ck_assert_int_eq(diag.statement_index, 1);
	ck_assert_int_eq(diag.line, 2);
	dbshift__split_init(&split, script, strlen(script), drv->dialect);
	while (dbshift__split_next(&split, &stmt)) {
		dbshift__diag_init(&diag);
		ck_assert_msg(drv->exec(conn, script + stmt.start, stmt.len,
					&diag) == 0,
			      "%s", diag.message);
	}
	ck_assert_int_eq(query_int("SELECT count(*) FROM pg_indexes WHERE "
				   "tablename = 't'"),
			 2);
}
END_TEST

/* COPY in a script: TO STDOUT is read and dropped, FROM STDIN fails
 * cleanly and leaves the connection usable. */
START_TEST(test_driver_pg_copy)
{
	exec_ok("CREATE TABLE c (x int); COPY (SELECT 1) TO STDOUT;"
		"INSERT INTO c VALUES (1)");
	ck_assert_int_eq(query_int("SELECT count(*) FROM c"), 1);
	exec_fails("INSERT INTO c VALUES (2);\nCOPY c FROM STDIN;\n");
	ck_assert_ptr_nonnull(strstr(diag.message, "COPY"));
	ck_assert_int_eq(diag.statement_index, 1);
	ck_assert_int_eq(query_int("SELECT count(*) FROM c"), 1);
}
END_TEST

/* Notices and warnings do not reach stderr. */
START_TEST(test_driver_pg_notices)
{
	static const char noisy[] = "DO $$ BEGIN RAISE NOTICE 'a notice'; "
				    "RAISE WARNING 'a warning'; END $$; "
				    "DROP TABLE IF EXISTS nothing_here";
	int fd = open(fx_path("stderr"), O_CREAT | O_WRONLY | O_TRUNC, 0600);
	int saved = dup(2);
	char *out;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(fd, 2), 0);
	dbshift__diag_init(&diag);
	drv->exec(conn, noisy, strlen(noisy), &diag);
	dup2(saved, 2);
	close(saved);
	close(fd);
	ck_assert_str_eq(diag.message, "");
	out = fx_read(fx_path("stderr"));
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

/* ---- queries ---- */

START_TEST(test_driver_pg_query_placeholders)
{
	dbshift_value in[3], key;
	struct rows rows = {0};

	exec_ok("CREATE TABLE p (id bigint, name text, note text)");
	in[0] = int_value(INT64_C(-9007199254740993));
	in[1] = text_value("what?");
	in[2] = null_value();
	query_ok("INSERT INTO p (id, name, note) VALUES (?, ?, ?)", in, 3,
		 NULL);
	in[0] = int_value(2);
	in[1] = text_value("?");
	in[2] = text_value("it's");
	query_ok("INSERT INTO p /* ? */ (id, name, note) -- ?\n"
		 "VALUES (?, ?, ?)",
		 in, 3, NULL);

	/* '?' inside literals, names and dollar bodies is not a parameter. */
	key = int_value(INT64_C(-9007199254740993));
	query_ok("SELECT id, name, '?', \"note\" IS NULL, $$?$$, E'\\'?' "
		 "FROM p AS \"p?\" WHERE id = ? OR name = '?x'",
		 &key, 1, &rows);
	ck_assert_int_eq(rows.count, 1);
	ck_assert_int_eq(rows.type[0][0], DBSHIFT_VALUE_INT64);
	ck_assert(rows.i64[0][0] == INT64_C(-9007199254740993));
	ck_assert_str_eq(rows.text[0][1], "what?");
	ck_assert_str_eq(rows.text[0][2], "?");
	ck_assert_str_eq(rows.text[0][3], "t");
	ck_assert_str_eq(rows.text[0][4], "?");
	ck_assert_str_eq(rows.text[0][5], "'?");

	/* Ten parameters and more: $10 is not $1 followed by 0. */
	memset(&rows, 0, sizeof(rows));
	{
		dbshift_value ten[11];
		int i;

		for (i = 0; i < 11; i++)
			ten[i] = int_value(i + 1);
		query_ok("SELECT 0 + ? + ? + ? + ? + ? + ? + ? + ? + ? + ? + ?",
			 ten, 11, &rows);
		ck_assert(rows.i64[0][0] == 66);
	}

	/* Count mismatches, both ways. */
	query_fails("SELECT ?, ?", in, 1);
	ck_assert_ptr_nonnull(strstr(diag.message, "2 parameters, 1 given"));
	query_fails("SELECT '?'", in, 1);
}
END_TEST

START_TEST(test_driver_pg_query_types)
{
	struct rows rows = {0};
	dbshift_value v[2];

	query_ok("SELECT 1::int2, -2::int4, 9223372036854775807::int8, "
		 "4.5::numeric, true, NULL::int, 'x'::varchar, ''::text",
		 NULL, 0, &rows);
	ck_assert_int_eq(rows.ncols, 8);
	ck_assert_int_eq(rows.type[0][0], DBSHIFT_VALUE_INT64);
	ck_assert(rows.i64[0][0] == 1);
	ck_assert_int_eq(rows.type[0][1], DBSHIFT_VALUE_INT64);
	ck_assert(rows.i64[0][1] == -2);
	ck_assert(rows.i64[0][2] == INT64_MAX);
	ck_assert_int_eq(rows.type[0][3], DBSHIFT_VALUE_TEXT);
	ck_assert_str_eq(rows.text[0][3], "4.5");
	ck_assert_str_eq(rows.text[0][4], "t");
	ck_assert_int_eq(rows.type[0][5], DBSHIFT_VALUE_NULL);
	ck_assert_str_eq(rows.text[0][6], "x");
	ck_assert_int_eq(rows.type[0][7], DBSHIFT_VALUE_TEXT);
	ck_assert_str_eq(rows.text[0][7], "");

	/* An empty text parameter is '', not NULL; NULL goes into a
	 * bigint column; the server infers parameter types. */
	exec_ok("CREATE TABLE n (i bigint, t text)");
	v[0] = null_value();
	v[1] = text_value("");
	query_ok("INSERT INTO n VALUES (?, ?)", v, 2, NULL);
	v[0] = text_value("12");
	v[1] = int_value(7);
	query_ok("INSERT INTO n VALUES (?, ?)", v, 2, NULL);
	memset(&rows, 0, sizeof(rows));
	query_ok("SELECT i, t, t IS NULL FROM n ORDER BY i NULLS FIRST", NULL,
		 0, &rows);
	ck_assert_int_eq(rows.count, 2);
	ck_assert_int_eq(rows.type[0][0], DBSHIFT_VALUE_NULL);
	ck_assert_str_eq(rows.text[0][1], "");
	ck_assert_str_eq(rows.text[0][2], "f");
	ck_assert(rows.i64[1][0] == 12);
	ck_assert_str_eq(rows.text[1][1], "7");

	/* Text the text form cannot carry, and bad values. */
	v[0].type = DBSHIFT_VALUE_TEXT;
	v[0].text = "a\0b";
	v[0].len = 3;
	query_fails("SELECT ?", v, 1);
	v[0].len = -1;
	query_fails("SELECT ?", v, 1);
	v[0].type = 99;
	query_fails("SELECT ?", v, 1);
}
END_TEST

START_TEST(test_driver_pg_query_errors)
{
	struct rows rows = {0};
	int ret;

	query_fails("SELEC 1", NULL, 0);
	ck_assert_str_eq(diag.sqlstate, "42601");
	query_fails("SELECT 1; SELECT 2", NULL, 0);
	query_fails("-- nothing", NULL, 0);
	query_fails("SELECT * FROM no_such_table", NULL, 0);
	ck_assert_str_eq(diag.sqlstate, "42P01");

	exec_ok("CREATE TABLE s (i int); INSERT INTO s SELECT "
		"generate_series(1, 5)");
	rows.stop_at = 2;
	rows.stop_value = 42;
	dbshift__diag_init(&diag);
	ret = drv->query(conn, "SELECT i FROM s ORDER BY i", NULL, 0, collect,
			 &rows, &diag);
	ck_assert_int_eq(ret, 42);
	ck_assert_int_eq(rows.count, 2);
	ck_assert_str_eq(diag.message, "");
	ck_assert_int_eq(query_int("SELECT count(*) FROM s"), 5);
}
END_TEST

/* ---- transactions ---- */

START_TEST(test_driver_pg_transactions)
{
	/* Without a transaction, rollback and commit have nothing to do. */
	ck_assert_int_eq(drv->rollback(conn, &diag), 0);
	ck_assert_int_eq(drv->commit(conn, &diag), 0);

	ck_assert_int_eq(drv->begin(conn, &diag), 0);
	dbshift__diag_init(&diag);
	ck_assert_int_ne(drv->begin(conn, &diag), 0);
	ck_assert_str_eq(diag.sqlstate, "25001");
	exec_ok("CREATE TABLE t (x int); SAVEPOINT s;"
		"CREATE TABLE u (x int); ROLLBACK TO SAVEPOINT s");
	ck_assert_int_eq(drv->commit(conn, &diag), 0);
	ck_assert_int_eq(table_exists("t"), 1);
	ck_assert_int_eq(table_exists("u"), 0);

	/* A failed statement aborts the transaction: commit refuses and
	 * rolls back, and the connection is idle again. */
	ck_assert_int_eq(drv->begin(conn, &diag), 0);
	exec_ok("CREATE TABLE v (x int)");
	exec_fails("SELECT * FROM no_such_table");
	dbshift__diag_init(&diag);
	ck_assert_int_ne(drv->commit(conn, &diag), 0);
	ck_assert_str_eq(diag.sqlstate, "25P02");
	assert_one_line(diag.message);
	ck_assert_int_eq(table_exists("v"), 0);
	ck_assert_int_eq(drv->rollback(conn, &diag), 0);
	ck_assert_int_eq(drv->begin(conn, &diag), 0);
	ck_assert_int_eq(drv->rollback(conn, &diag), 0);

	/* A script that commits the transaction itself (golang-migrate
	 * style): its work and what followed it are kept. */
	ck_assert_int_eq(drv->begin(conn, &diag), 0);
	exec_ok("BEGIN; CREATE TABLE w (x int); COMMIT;");
	exec_ok("INSERT INTO w VALUES (1)");
	ck_assert_int_eq(drv->commit(conn, &diag), 0);
	ck_assert_int_eq(drv->rollback(conn, &diag), 0);
	ck_assert_int_eq(query_int("SELECT count(*) FROM w"), 1);
}
END_TEST

/* ---- identifiers and the catalog ---- */

START_TEST(test_driver_pg_table_exists)
{
	char buf[64];

	exec_ok("CREATE SCHEMA s; CREATE TABLE s.t (x int);"
		"CREATE TABLE \"MiXed\" (x int); CREATE TABLE \"we\"\"ird.x\" "
		"(x int);"
		"CREATE VIEW v AS SELECT 1 AS one; CREATE SEQUENCE q;"
		"CREATE TABLE part (x int) PARTITION BY RANGE (x);"
		"CREATE INDEX i ON s.t (x)");
	ck_assert_int_eq(table_exists("s.t"), 1);
	ck_assert_int_eq(table_exists("t"), 0);
	ck_assert_int_eq(table_exists("public.t"), 0);
	ck_assert_int_eq(table_exists("nosuch.t"), 0);
	ck_assert_int_eq(table_exists("MiXed"), 1);
	ck_assert_int_eq(table_exists("mixed"), 0);
	ck_assert_int_eq(table_exists("public.MiXed"), 1);
	ck_assert_int_eq(table_exists("v"), 0);
	ck_assert_int_eq(table_exists("q"), 0);
	ck_assert_int_eq(table_exists("s.i"), 0);
	ck_assert_int_eq(table_exists("part"), 1);
	ck_assert_int_eq(table_exists("pg_catalog.pg_class"), 1);
	/* Split at the first dot, like the core's quoting. */
	ck_assert_int_eq(table_exists("we\"ird.x"), 0);
	ck_assert_int_eq(
		drv->quote_ident(conn, "we\"ird", buf, sizeof(buf), &diag), 0);
	ck_assert_str_eq(buf, "\"we\"\"ird\"");

	/* Inside a transaction: sees its changes, never aborts it. */
	ck_assert_int_eq(drv->begin(conn, &diag), 0);
	exec_ok("CREATE TABLE s.new (x int)");
	ck_assert_int_eq(table_exists("s.new"), 1);
	ck_assert_int_eq(table_exists("nosuch.new"), 0);
	ck_assert_int_eq(table_exists("s.\"odd"), 0);
	exec_ok("SELECT 1");
	ck_assert_int_eq(drv->rollback(conn, &diag), 0);
	ck_assert_int_eq(table_exists("s.new"), 0);

	dbshift__diag_init(&diag);
	ck_assert_int_ne(drv->table_exists(conn, ".t", &(int32_t){0}, &diag),
			 0);
	ck_assert_int_ne(drv->table_exists(conn, "s.", &(int32_t){0}, &diag),
			 0);
	ck_assert_int_ne(drv->table_exists(conn, "", &(int32_t){0}, &diag), 0);
}
END_TEST

/* ---- the run lock ---- */

struct delayed_unlock {
	dbshift_driver_conn *conn;
	const char *key;
	int rc;
};

static void *unlock_later(void *arg)
{
	struct delayed_unlock *d = arg;
	struct timespec ts = {0, 300 * 1000000L};
	dbshift_diag local;

	nanosleep(&ts, NULL);
	dbshift__diag_init(&local);
	d->rc = drv->unlock(d->conn, d->key, &local);
	return NULL;
}

START_TEST(test_driver_pg_lock)
{
	dbshift_driver_conn *other = open_ok(db_url);
	struct delayed_unlock later = {conn, "dbshift:test", -1};
	pthread_t thread;
	double start;

	ck_assert_msg(drv->lock(conn, "dbshift:test", 1000, &diag) == 0, "%s",
		      diag.message);
	/* Held: the other session times out, told who holds it. */
	start = now_s();
	dbshift__diag_init(&diag);
	ck_assert_int_ne(drv->lock(other, "dbshift:test", 300, &diag), 0);
	ck_assert_msg(now_s() - start >= 0.29 && now_s() - start < 3,
		      "waited %.2f s", now_s() - start);
	ck_assert_str_eq(diag.sqlstate, "55P03");
	ck_assert_str_eq(diag.message, "timed out after 0.3 s waiting for lock "
				       "'dbshift:test' held by another run");
	ck_assert_msg(strstr(diag.detail, "pid ") != NULL &&
			      strstr(diag.detail, "dbshift") != NULL,
		      "%s", diag.detail);
	/* Another key is free; a timeout of 0 tries once. */
	ck_assert_int_eq(drv->lock(other, "dbshift:other", 0, &diag), 0);
	ck_assert_int_ne(drv->lock(other, "dbshift:test", 0, &diag), 0);
	ck_assert_int_eq(drv->unlock(other, "dbshift:other", &diag), 0);

	/* Released while the other waits: it gets the lock then. */
	ck_assert_int_eq(pthread_create(&thread, NULL, unlock_later, &later),
			 0);
	start = now_s();
	dbshift__diag_init(&diag);
	ck_assert_msg(drv->lock(other, "dbshift:test", 10000, &diag) == 0, "%s",
		      diag.message);
	ck_assert_msg(now_s() - start < 5, "waited %.2f s", now_s() - start);
	pthread_join(thread, NULL);
	ck_assert_int_eq(later.rc, 0);
	ck_assert_int_ne(drv->lock(conn, "dbshift:test", 0, &diag), 0);
	ck_assert_int_eq(drv->unlock(other, "dbshift:test", &diag), 0);

	/* Unlocking what is not held fails. */
	dbshift__diag_init(&diag);
	ck_assert_int_ne(drv->unlock(other, "dbshift:test", &diag), 0);
	assert_one_line(diag.message);
	/* Closing a session releases its lock. */
	ck_assert_int_eq(drv->lock(other, "dbshift:test", 0, &diag), 0);
	drv->close(other);
	ck_assert_msg(drv->lock(conn, "dbshift:test", 2000, &diag) == 0, "%s",
		      diag.message);
}
END_TEST

/* ---- without a server ---- */

START_TEST(test_driver_pg_no_server)
{
	/* Fails unless DBSHIFT_TEST_SKIP_PG=1. */
	fx_dialect_ready(FX_POSTGRES);
}
END_TEST

Suite *driver_pg_suite(void)
{
	Suite *s = suite_create("driver_pg");
	TCase *tc = tcase_create("pg");

	suite_add_tcase(s, tc);
	if (getenv("DBSHIFT_TEST_PG_URL") == NULL) {
		tcase_add_test(tc, test_driver_pg_no_server);
		return s;
	}
	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_driver_pg_descriptor);
	tcase_add_test(tc, test_driver_pg_url_forms);
	tcase_add_test(tc, test_driver_pg_search_path);
	tcase_add_test(tc, test_driver_pg_missing_database);
	tcase_add_test(tc, test_driver_pg_unreachable);
	tcase_add_test(tc, test_driver_pg_bad_urls);
	tcase_add_test(tc, test_driver_pg_exec_error_position);
	tcase_add_test(tc, test_driver_pg_exec_syntax_error);
	tcase_add_test(tc, test_driver_pg_exec_runtime_error);
	tcase_add_test(tc, test_driver_pg_exec_empty);
	tcase_add_test(tc, test_driver_pg_concurrently);
	tcase_add_test(tc, test_driver_pg_copy);
	tcase_add_test(tc, test_driver_pg_notices);
	tcase_add_test(tc, test_driver_pg_query_placeholders);
	tcase_add_test(tc, test_driver_pg_query_types);
	tcase_add_test(tc, test_driver_pg_query_errors);
	tcase_add_test(tc, test_driver_pg_transactions);
	tcase_add_test(tc, test_driver_pg_table_exists);
	tcase_add_test(tc, test_driver_pg_lock);
	return s;
}
