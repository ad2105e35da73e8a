/* SPDX-License-Identifier: MIT */
/*
 * check_conformance.c - the driver conformance suite: the cases every
 * driver passes, run on every built driver (SQLite, PostgreSQL, MySQL)
 * and on the template driver of examples/driver (tracelite), against a
 * fresh database of its own per test. Each case is a Check loop
 * test over FX_SQLITE..FX_MYSQL; a server dialect whose server is absent
 * on purpose (DBSHIFT_TEST_SKIP_PG / _MYSQL) returns at once.
 *
 * Where drivers legitimately differ, the expectation follows what the
 * driver declares (DBSHIFT_CAP_TRANSACTIONAL_DDL, _SESSION_LOCK,
 * _SAVEPOINTS, _SPLIT_STATEMENTS) - and the opposite is checked when a
 * flag is absent - or the small per-dialect table below (names, schemes,
 * quote character, a 64-bit column type, whether the database reports
 * SQLSTATEs and native codes, and a statement whose body holds ';').
 * Integers from query() may come back as INT64 or as TEXT; the value is
 * asserted either way. What is particular to one driver lives in its own
 * suite (check_driver_<name>.c); the deliberately broken test drivers are
 * covered by check_loader.c.
 *
 * Modules are loaded the way the core loads them (drivertest.c: dlopen with
 * RTLD_NOW | RTLD_LOCAL) from the build tree, never an installed copy.
 */
#include "config.h"

#include <check.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dbshift/driver.h"
#include "dialects.h"
#include "drivertest.h"
#include "error.h"
#include "fixture.h"
#include "suites.h"

/* What the cases need to know about a dialect beyond its capabilities. */
struct dialect_info {
	const char *driver;	    /* module driver_<driver>.so */
	const char *dialect;	    /* its dialect token */
	const char *const *schemes; /* schemes it must accept */
	uint64_t capabilities;	    /* flags it must declare */
	char quote;		    /* identifier quote character */
	const char *bigint;	    /* a 64-bit integer column type */
	int has_sqlstate;	    /* errors carry a SQLSTATE */
	int has_native_code;	    /* errors carry a native code */
	/* Script creating trigger a_log: every row inserted into a adds
	 * the rows 'one;' and 'two' to log; its body holds semicolons. */
	const char *trigger;
};

static const char *const sqlite_schemes[] = {"sqlite", "sqlite3", "file", NULL};
static const char *const pg_schemes[] = {"postgres", "postgresql", NULL};
static const char *const mysql_schemes[] = {"mysql", "mariadb", NULL};

static const char *const tracelite_schemes[] = {"tracelite", NULL};

/* The template driver of examples/driver, built into the test drivers. */
#define CF_TEMPLATE FX_N_DIALECTS
#define CF_N (FX_N_DIALECTS + 1)

static const struct dialect_info dialects[CF_N] = {
	[CF_TEMPLATE] =
		{
			"tracelite",
			"tracelite",
			tracelite_schemes,
			DBSHIFT_CAP_TRANSACTIONAL_DDL | DBSHIFT_CAP_SAVEPOINTS,
			'"',
			"INTEGER",
			0,
			1,
			"/* a trigger holds semicolons */\n"
			"CREATE TRIGGER a_log AFTER INSERT ON a BEGIN\n"
			"  INSERT INTO log VALUES ('one;');\n"
			"  INSERT INTO log VALUES ('two');\n"
			"END;\n",
		},
	[FX_SQLITE] =
		{
			"sqlite",
			"sqlite",
			sqlite_schemes,
			DBSHIFT_CAP_TRANSACTIONAL_DDL | DBSHIFT_CAP_SAVEPOINTS |
				DBSHIFT_CAP_SESSION_LOCK,
			'"',
			"INTEGER",
			0,
			1,
			"/* a trigger holds semicolons */\n"
			"CREATE TRIGGER a_log AFTER INSERT ON a BEGIN\n"
			"  INSERT INTO log VALUES ('one;');\n"
			"  INSERT INTO log VALUES ('two');\n"
			"END;\n",
		},
	[FX_POSTGRES] =
		{
			"pg",
			"postgres",
			pg_schemes,
			DBSHIFT_CAP_TRANSACTIONAL_DDL | DBSHIFT_CAP_SAVEPOINTS |
				DBSHIFT_CAP_SESSION_LOCK |
				DBSHIFT_CAP_SPLIT_STATEMENTS,
			'"',
			"bigint",
			1,
			0,
			"/* a trigger function holds semicolons */\n"
			"CREATE FUNCTION a_log() RETURNS trigger\n"
			"LANGUAGE plpgsql AS $$\n"
			"BEGIN\n"
			"  INSERT INTO log VALUES ('one;');\n"
			"  INSERT INTO log VALUES ('two');\n"
			"  RETURN NULL;\n"
			"END;\n"
			"$$;\n"
			"CREATE TRIGGER a_log AFTER INSERT ON a\n"
			"FOR EACH ROW EXECUTE PROCEDURE a_log();\n",
		},
	[FX_MYSQL] =
		{
			"mysql",
			"mysql",
			mysql_schemes,
			DBSHIFT_CAP_SAVEPOINTS | DBSHIFT_CAP_SESSION_LOCK,
			'`',
			"BIGINT",
			1,
			1,
			"/* a trigger holds semicolons */\n"
			"CREATE TRIGGER a_log AFTER INSERT ON a FOR EACH ROW "
			"BEGIN\n"
			"  INSERT INTO log VALUES ('one;');\n"
			"  INSERT INTO log VALUES ('two');\n"
			"END;\n",
		},
};

static const struct dialect_info *info; /* the dialect under test */

/* ---- helpers ---- */

/* Can dialect d's cases run? The template needs no server. */
static int ready(int d)
{
	return d == CF_TEMPLATE || fx_dialect_ready(d);
}

/* A new empty database for dialect d: for the template, a new file. */
static const char *fresh_url(int d)
{
	static char url[1100];
	static unsigned n;
	char name[64];

	if (d != CF_TEMPLATE)
		return fx_fresh_url(d);
	snprintf(name, sizeof(name), "tracelite-%u.db", n++);
	snprintf(url, sizeof(url), "tracelite:%s", fx_path(name));
	return url;
}

static int has_cap(uint64_t cap)
{
	return (dt_drv->capabilities & cap) != 0;
}

/*
 * Load dialect d's module from the build tree, take its descriptor and
 * open a connection on a fresh database. Called first by every case, after
 * fx_dialect_ready().
 */
static void start(int d)
{
	info = &dialects[d];
	dt_dir = d == CF_TEMPLATE ? fx_test_driver_dir() : NULL;
	dt_start(info->driver, fresh_url(d));
}

/*
 * A failure's diagnostic: a one-line message, detail without line breaks,
 * and the codes the database has. sqlclass, when not NULL, is the class
 * (first two characters) the SQLSTATE must have.
 */
static void assert_diag(const char *sqlclass)
{
	dt_assert_one_line(dt_diag.message);
	ck_assert_msg(strpbrk(dt_diag.detail, "\r\n") == NULL,
		      "detail spans lines: %s", dt_diag.detail);
	if (info->has_sqlstate) {
		ck_assert_msg(strlen(dt_diag.sqlstate) == 5,
			      "sqlstate '%s' for: %s", dt_diag.sqlstate,
			      dt_diag.message);
		if (sqlclass != NULL)
			ck_assert_msg(
				strncmp(dt_diag.sqlstate, sqlclass, 2) == 0,
				"sqlstate %s, want class %s: %s",
				dt_diag.sqlstate, sqlclass, dt_diag.message);
	} else {
		ck_assert_str_eq(dt_diag.sqlstate, "");
	}
	if (info->has_native_code)
		ck_assert_msg(dt_diag.native_code != 0, "no native code: %s",
			      dt_diag.message);
}

static void begin_ok(void)
{
	dbshift__diag_init(&dt_diag);
	ck_assert_msg(dt_drv->begin(dt_conn, &dt_diag) == 0, "begin: %s",
		      dt_diag.message);
}

static void commit_ok(void)
{
	dbshift__diag_init(&dt_diag);
	ck_assert_msg(dt_drv->commit(dt_conn, &dt_diag) == 0, "commit: %s",
		      dt_diag.message);
}

static void rollback_ok(void)
{
	dbshift__diag_init(&dt_diag);
	ck_assert_msg(dt_drv->rollback(dt_conn, &dt_diag) == 0, "rollback: %s",
		      dt_diag.message);
}

/* ---- the descriptor ---- */

START_TEST(test_conformance_descriptor)
{
	const char *const *want;
	const char *const *have;
	int found;

	if (!ready(_i))
		return;
	start(_i);
	ck_assert_uint_eq(dt_drv->abi_major, DBSHIFT_DRIVER_ABI_MAJOR);
	ck_assert_uint_le(dt_drv->abi_minor, DBSHIFT_DRIVER_ABI_MINOR);
	ck_assert_uint_ge(dt_drv->struct_size, DBSHIFT_DRIVER_MIN_SIZE);
	ck_assert_uint_eq(dt_drv->struct_size, sizeof(dbshift_driver));
	ck_assert_str_eq(dt_drv->name, info->driver);
	ck_assert_str_eq(dt_drv->dialect, info->dialect);
	if (_i < FX_N_DIALECTS)
		ck_assert_str_eq(dt_drv->dialect, fx_dialect_name(_i));
	ck_assert_ptr_nonnull(dt_drv->version);
	ck_assert_msg(dt_drv->version[0] != '\0', "empty version");
	ck_assert_ptr_nonnull(dt_drv->schemes);
	for (want = info->schemes; *want != NULL; want++) {
		found = 0;
		for (have = dt_drv->schemes; *have != NULL; have++)
			found |= strcmp(*have, *want) == 0;
		ck_assert_msg(found, "scheme %s not listed", *want);
	}
	ck_assert_msg((dt_drv->capabilities & info->capabilities) ==
			      info->capabilities,
		      "capabilities %#llx",
		      (unsigned long long)dt_drv->capabilities);
	/* A session lock is declared exactly when it is implemented. */
	ck_assert_int_eq(has_cap(DBSHIFT_CAP_SESSION_LOCK),
			 dt_drv->lock != NULL && dt_drv->unlock != NULL);
	ck_assert_int_eq(dt_drv->lock == NULL, dt_drv->unlock == NULL);
	/* The loader's view of the same module agrees. */
	if (_i < FX_N_DIALECTS)
		ck_assert(fx_dialect_caps(_i) == dt_drv->capabilities);
}
END_TEST

START_TEST(test_conformance_abi)
{
	dbshift_host short_host = dt_host;
	char symbol[128];

	short_host.size = DBSHIFT_HOST_SIZE_1_0;
	if (!ready(_i))
		return;
	start(_i);
	ck_assert_ptr_null(dt_entry(DBSHIFT_DRIVER_ABI_MAJOR + 1, 0, &dt_host));
	ck_assert_ptr_null(dt_entry(DBSHIFT_DRIVER_ABI_MAJOR - 1,
				    DBSHIFT_DRIVER_ABI_MINOR, &dt_host));
	/* A newer core minor is fine; the descriptor is the same object. */
	ck_assert_ptr_eq(dt_entry(DBSHIFT_DRIVER_ABI_MAJOR,
				  DBSHIFT_DRIVER_ABI_MINOR + 3, &dt_host),
			 dt_drv);
	/* The driver uses the 1.1 host table: an older core, or a table
	 * without the 1.1 slots, is refused rather than half used. */
	ck_assert_ptr_null(dt_entry(DBSHIFT_DRIVER_ABI_MAJOR, 0, &dt_host));
	ck_assert_ptr_null(dt_entry(DBSHIFT_DRIVER_ABI_MAJOR,
				    DBSHIFT_DRIVER_ABI_MINOR, NULL));
	ck_assert_ptr_null(dt_entry(DBSHIFT_DRIVER_ABI_MAJOR,
				    DBSHIFT_DRIVER_ABI_MINOR, &short_host));
	/* Nothing but the entry is visible, and no core code is compiled
	 * into the module: it reaches the splitter through the host. */
	snprintf(symbol, sizeof(symbol), "%s_driver", info->driver);
	ck_assert_ptr_null(dlsym(dt_module, symbol));
	ck_assert_ptr_null(dlsym(dt_module, "fail"));
	ck_assert_ptr_null(dlsym(dt_module, "dbshift__split_next"));
	ck_assert_ptr_null(dlsym(dt_module, "dbshift__split_init"));
	ck_assert_ptr_null(dlsym(dt_module, DBSHIFT_DRIVER_INIT_SYMBOL));
	/* 1.1 descriptor: the splitter properties of its dialect. */
	ck_assert_uint_ge(dt_drv->struct_size, sizeof(dbshift_driver));
	ck_assert_uint_eq(dt_drv->abi_minor, DBSHIFT_DRIVER_ABI_MINOR);
	ck_assert(dt_drv->split_flags & DBSHIFT_SPLIT_ROUTINE_BODIES);
	/* 1.3 descriptor: schema introspection, which every bundled driver
	 * has (optional: the template leaves it out). */
	if (_i != CF_TEMPLATE)
		ck_assert_ptr_nonnull(dt_drv->schema);
	ck_assert_ptr_null(dlsym(dt_module, DBSHIFT_DRIVER_INIT_SYMBOL));
}
END_TEST

START_TEST(test_conformance_slots)
{
	if (!ready(_i))
		return;
	start(_i);
	ck_assert_ptr_nonnull(dt_drv->open);
	ck_assert_ptr_nonnull(dt_drv->close);
	ck_assert_ptr_nonnull(dt_drv->exec);
	ck_assert_ptr_nonnull(dt_drv->query);
	ck_assert_ptr_nonnull(dt_drv->begin);
	ck_assert_ptr_nonnull(dt_drv->commit);
	ck_assert_ptr_nonnull(dt_drv->rollback);
	ck_assert_ptr_nonnull(dt_drv->quote_ident);
	ck_assert_ptr_nonnull(dt_drv->table_exists);
}
END_TEST

/* ---- connections ---- */

START_TEST(test_conformance_open_close)
{
	dbshift_driver_conn *other;

	if (!ready(_i))
		return;
	start(_i);
	other = dt_open_ok(fresh_url(_i));
	dt_exec_len_on(other, "CREATE TABLE t (x INTEGER)", 26);
	ck_assert_int_eq(dt_table_exists_on(other, "t"), 1);
	/* Another database. */
	ck_assert_int_eq(dt_table_exists("t"), 0);
	dt_drv->close(other);
	dt_drv->close(NULL);
}
END_TEST

/* ---- exec ---- */

START_TEST(test_conformance_exec_script)
{
	char script[2048];

	if (!ready(_i))
		return;
	start(_i);
	snprintf(script, sizeof(script),
		 "-- a script\n"
		 "CREATE TABLE a (x INTEGER);\n"
		 "CREATE TABLE log (msg TEXT);\n"
		 "%s"
		 "INSERT INTO a VALUES (1); INSERT INTO a VALUES (2);\n"
		 "SELECT x FROM a;\n"
		 "INSERT INTO a VALUES (3)",
		 info->trigger);
	dt_exec_ok(script);
	ck_assert_int_eq(dt_query_int("SELECT count(*) FROM a"), 3);
	ck_assert_int_eq(dt_query_int("SELECT count(*) FROM log"), 6);
	ck_assert_int_eq(
		dt_query_int("SELECT count(*) FROM log WHERE msg = 'one;'"), 3);
}
END_TEST

/* The failing statement's index counts non-empty statements only, and its
 * line is that of its first token, not of the comment before it. */
START_TEST(test_conformance_exec_error_line)
{
	if (!ready(_i))
		return;
	start(_i);
	dt_exec_fails_len(dt_broken_script, strlen(dt_broken_script));
	ck_assert_int_eq(dt_diag.statement_index, 2);
	ck_assert_int_eq(dt_diag.line, 7);
	ck_assert_int_ge(dt_diag.position, 0);
	assert_diag("42");
	/* Later statements did not run. Earlier ones did, unless exec runs
	 * a script as one implicit transaction (which is what
	 * SPLIT_STATEMENTS declares): then none did. */
	ck_assert_int_eq(dt_table_exists("b"), 0);
	if (has_cap(DBSHIFT_CAP_SPLIT_STATEMENTS))
		ck_assert_int_eq(dt_table_exists("a"), 0);
	else
		ck_assert_int_eq(dt_query_int("SELECT count(*) FROM a"), 1);
}
END_TEST

/* A statement that fails at run time, not at parse time: the third one,
 * on its own line, then on one line with the others. */
START_TEST(test_conformance_exec_runtime_error)
{
	static const char dup[] = "INSERT INTO k VALUES (1);\n"	  /* 1 */
				  "INSERT INTO k VALUES (2);\n"	  /* 2 */
				  "\n"				  /* 3 */
				  "  INSERT INTO k VALUES (1);\n" /* 4 */
				  "INSERT INTO k VALUES (3);\n";  /* 5 */
	static const char nosuch[] = "INSERT INTO k VALUES (4); "
				     "INSERT INTO k VALUES (5); "
				     "INSERT INTO nosuch VALUES (6); "
				     "INSERT INTO k VALUES (7)";
	int split;

	if (!ready(_i))
		return;
	start(_i);
	split = has_cap(DBSHIFT_CAP_SPLIT_STATEMENTS);
	dt_exec_ok("CREATE TABLE k (id INTEGER PRIMARY KEY)");
	dt_exec_fails_len(dup, strlen(dup));
	ck_assert_int_eq(dt_diag.statement_index, 2);
	ck_assert_int_eq(dt_diag.line, 4);
	assert_diag("23");
	ck_assert_int_eq(dt_query_int("SELECT count(*) FROM k"), split ? 0 : 2);
	ck_assert_int_eq(dt_query_int("SELECT count(*) FROM k WHERE id = 3"),
			 0);

	dt_exec_fails_len(nosuch, strlen(nosuch));
	ck_assert_int_eq(dt_diag.statement_index, 2);
	ck_assert_int_eq(dt_diag.line, 1);
	assert_diag("42");
	ck_assert_int_eq(dt_query_int("SELECT count(*) FROM k"), split ? 0 : 4);
	ck_assert_int_eq(dt_query_int("SELECT count(*) FROM k WHERE id = 7"),
			 0);
}
END_TEST

START_TEST(test_conformance_exec_empty)
{
	static const char *const scripts[] = {
		"",
		"  \n\t\r\n",
		"-- only a comment",
		"-- a comment\n/* and a block\n comment */\n",
		";\n;;  ;",
	};
	size_t i;

	if (!ready(_i))
		return;
	start(_i);
	for (i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++)
		dt_exec_ok(scripts[i]);
	dt_exec_len_on(dt_conn, NULL, 0);
	/* Only the first sql_len bytes count, even when they are none. */
	dt_exec_len_on(dt_conn, "CREATE TABLE x (y INTEGER)", 0);
	ck_assert_int_eq(dt_table_exists("x"), 0);
}
END_TEST

/* Copy text without its terminating NUL into a buffer of exactly its
 * length, so that reading past the end is caught by valgrind or ASan. */
static char *unterminated(const char *text)
{
	size_t len = strlen(text);
	char *buf = malloc(len);

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, text, len);
	return buf;
}

START_TEST(test_conformance_exec_unterminated)
{
	static const char two[] =
		"CREATE TABLE a (x INTEGER); CREATE TABLE b (y INTEGER);";
	static const char bad[] = "SELECT 1;\n\n  SELEC 2";
	size_t first = (size_t)(strchr(two, ';') - two) + 1;
	char *buf;

	if (!ready(_i))
		return;
	start(_i);
	buf = unterminated(two);
	/* Only the first sql_len bytes count. */
	dt_exec_len_on(dt_conn, buf, first);
	ck_assert_int_eq(dt_table_exists("a"), 1);
	ck_assert_int_eq(dt_table_exists("b"), 0);
	/* Cut inside the second statement: it is incomplete. */
	dt_exec_fails_len(buf + first, strlen(two) - first - 2);
	ck_assert_int_eq(dt_diag.statement_index, 0);
	ck_assert_int_eq(dt_table_exists("b"), 0);
	dt_exec_len_on(dt_conn, buf + first, strlen(two) - first);
	ck_assert_int_eq(dt_table_exists("b"), 1);
	free(buf);

	buf = unterminated(bad);
	dt_exec_fails_len(buf, strlen(bad));
	ck_assert_int_eq(dt_diag.statement_index, 1);
	ck_assert_int_eq(dt_diag.line, 3);
	free(buf);
}
END_TEST

/* A NUL byte inside sql_len is refused before anything runs, and the
 * message names its line. */
START_TEST(test_conformance_exec_nul)
{
	static const char script[] = "CREATE TABLE a (x INTEGER);\n"
				     "CREATE TABLE b (x INTEGER);\0\n"
				     "CREATE TABLE c (x INTEGER);\n";

	if (!ready(_i))
		return;
	start(_i);
	dt_exec_fails_len(script, sizeof(script) - 1);
	ck_assert_msg(strstr(dt_diag.message, "line 2") != NULL, "%s",
		      dt_diag.message);
	ck_assert_int_eq(dt_table_exists("a"), 0);
}
END_TEST

/* ---- transactions ---- */

/* Data changes roll back on every driver; DDL does exactly when the
 * driver declares TRANSACTIONAL_DDL. table_exists neither ends the
 * transaction nor misses its changes. */
START_TEST(test_conformance_tx_rollback)
{
	if (!ready(_i))
		return;
	start(_i);
	dt_exec_ok("CREATE TABLE kept (x INTEGER)");
	begin_ok();
	dt_exec_ok("INSERT INTO kept VALUES (1); INSERT INTO kept VALUES (2)");
	ck_assert_int_eq(dt_table_exists("kept"), 1);
	ck_assert_int_eq(dt_query_int("SELECT count(*) FROM kept"), 2);
	rollback_ok();
	ck_assert_int_eq(dt_query_int("SELECT count(*) FROM kept"), 0);

	begin_ok();
	dt_exec_ok("CREATE TABLE gone (x INTEGER); INSERT INTO kept VALUES (1);"
		   "DROP TABLE kept");
	ck_assert_int_eq(dt_table_exists("gone"), 1);
	ck_assert_int_eq(dt_table_exists("kept"), 0);
	rollback_ok();
	if (has_cap(DBSHIFT_CAP_TRANSACTIONAL_DDL)) {
		ck_assert_int_eq(dt_table_exists("gone"), 0);
		ck_assert_int_eq(dt_table_exists("kept"), 1);
		ck_assert_int_eq(dt_query_int("SELECT count(*) FROM kept"), 0);
	} else {
		/* DDL commits at once: the rollback undid none of it. */
		ck_assert_int_eq(dt_table_exists("gone"), 1);
		ck_assert_int_eq(dt_table_exists("kept"), 0);
	}
}
END_TEST

START_TEST(test_conformance_tx_commit)
{
	dbshift_driver_conn *other;
	struct dt_rows rows = {0};

	if (!ready(_i))
		return;
	start(_i);
	/* Rolling back without a transaction is a no-op. */
	rollback_ok();
	begin_ok();
	dt_exec_ok("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)");
	commit_ok();
	rollback_ok();
	ck_assert_int_eq(dt_query_int("SELECT count(*) FROM t"), 1);
	/* Data committed in a transaction is seen by another session. */
	begin_ok();
	dt_exec_ok("INSERT INTO t VALUES (2)");
	commit_ok();
	other = dt_open_ok(dt_url);
	dbshift__diag_init(&dt_diag);
	ck_assert_msg(dt_drv->query(other, "SELECT count(*) FROM t", NULL, 0,
				    dt_collect, &rows, &dt_diag) == 0,
		      "%s", dt_diag.message);
	ck_assert_int_eq(rows.count, 1);
	ck_assert_int_eq(dt_int_of(&rows, 0, 0), 2);
	dt_drv->close(other);
}
END_TEST

START_TEST(test_conformance_tx_savepoint)
{
	if (!ready(_i))
		return;
	start(_i);
	if (!has_cap(DBSHIFT_CAP_SAVEPOINTS))
		return;
	dt_exec_ok("CREATE TABLE a (x INTEGER)");
	begin_ok();
	dt_exec_ok("INSERT INTO a VALUES (1); SAVEPOINT s1;"
		   "INSERT INTO a VALUES (2); ROLLBACK TO SAVEPOINT s1;"
		   "RELEASE SAVEPOINT s1");
	commit_ok();
	ck_assert_int_eq(dt_query_int("SELECT count(*) FROM a"), 1);
	ck_assert_int_eq(dt_query_int("SELECT max(x) FROM a"), 1);
	if (!has_cap(DBSHIFT_CAP_TRANSACTIONAL_DDL))
		return;
	begin_ok();
	dt_exec_ok("CREATE TABLE b (x INTEGER); SAVEPOINT s2;"
		   "CREATE TABLE c (x INTEGER); ROLLBACK TO SAVEPOINT s2;"
		   "RELEASE SAVEPOINT s2");
	commit_ok();
	ck_assert_int_eq(dt_table_exists("b"), 1);
	ck_assert_int_eq(dt_table_exists("c"), 0);
}
END_TEST

/* After a failed statement inside a transaction, rollback still works
 * and undoes the statements before it (their DDL too exactly when the
 * driver declares TRANSACTIONAL_DDL). */
START_TEST(test_conformance_tx_failed_script)
{
	static const char bad_insert[] = "INSERT INTO t VALUES (1);\n"
					 "INSERT INTO t VALUES (1,, 2);\n";

	if (!ready(_i))
		return;
	start(_i);
	dt_exec_ok("CREATE TABLE t (x INTEGER)");
	begin_ok();
	dt_exec_fails_len(bad_insert, strlen(bad_insert));
	ck_assert_int_eq(dt_diag.statement_index, 1);
	ck_assert_int_eq(dt_diag.line, 2);
	rollback_ok();
	ck_assert_int_eq(dt_query_int("SELECT count(*) FROM t"), 0);

	begin_ok();
	dt_exec_fails_len(dt_broken_script, strlen(dt_broken_script));
	rollback_ok();
	ck_assert_int_eq(dt_table_exists("b"), 0);
	if (has_cap(DBSHIFT_CAP_TRANSACTIONAL_DDL))
		ck_assert_int_eq(dt_table_exists("a"), 0);
	else
		ck_assert_int_eq(dt_table_exists("a"), 1);
	/* The connection is usable again. */
	begin_ok();
	dt_exec_ok("INSERT INTO t VALUES (9)");
	commit_ok();
	ck_assert_int_eq(dt_query_int("SELECT count(*) FROM t"), 1);
}
END_TEST

/* ---- queries ---- */

START_TEST(test_conformance_query_params)
{
	dbshift_value in[3], key;
	struct dt_rows rows = {0};
	char sql[128];

	if (!ready(_i))
		return;
	start(_i);
	snprintf(sql, sizeof(sql),
		 "CREATE TABLE p (id %s, name TEXT, note TEXT)", info->bigint);
	dt_exec_ok(sql);
	in[0] = dt_int_value(INT64_C(-9007199254740993));
	in[1] = dt_text_value("hello world", 5); /* only "hello" */
	in[2] = dt_null_value();
	dt_query_ok("INSERT INTO p (id, name, note) VALUES (?, ?, ?)", in, 3,
		    NULL);
	in[0] = dt_int_value(2);
	in[1] = dt_text_value("", 0);
	in[2] = dt_text_value("it's", 4);
	dt_query_ok("INSERT INTO p (id, name, note) VALUES (?, ?, ?)", in, 3,
		    NULL);

	key = dt_int_value(INT64_C(-9007199254740993));
	dt_query_ok("SELECT id, name, note FROM p WHERE id = ?", &key, 1,
		    &rows);
	ck_assert_int_eq(rows.count, 1);
	ck_assert_int_eq(rows.ncols, 3);
	ck_assert(dt_int_of(&rows, 0, 0) == INT64_C(-9007199254740993));
	ck_assert_int_eq(rows.type[0][1], DBSHIFT_VALUE_TEXT);
	ck_assert_int_eq(rows.len[0][1], 5);
	ck_assert_str_eq(rows.text[0][1], "hello");
	ck_assert_int_eq(rows.type[0][2], DBSHIFT_VALUE_NULL);

	memset(&rows, 0, sizeof(rows));
	key = dt_text_value("it's", 4);
	dt_query_ok("SELECT id, name FROM p WHERE note = ? ORDER BY id", &key,
		    1, &rows);
	ck_assert_int_eq(rows.count, 1);
	ck_assert(dt_int_of(&rows, 0, 0) == 2);
	/* An empty text parameter is '', not NULL. */
	ck_assert_int_eq(rows.type[0][1], DBSHIFT_VALUE_TEXT);
	ck_assert_int_eq(rows.len[0][1], 0);

	memset(&rows, 0, sizeof(rows));
	dt_query_ok("SELECT id FROM p WHERE id > 100", NULL, 0, &rows);
	ck_assert_int_eq(rows.count, 0);
}
END_TEST

START_TEST(test_conformance_query_stop)
{
	struct dt_rows rows = {0};
	int ret;

	if (!ready(_i))
		return;
	start(_i);
	dt_exec_ok("CREATE TABLE n (i INTEGER);"
		   "INSERT INTO n VALUES (1), (2), (3), (4)");
	rows.stop_at = 2;
	rows.stop_value = 42;
	dbshift__diag_init(&dt_diag);
	ret = dt_drv->query(dt_conn, "SELECT i FROM n ORDER BY i", NULL, 0,
			    dt_collect, &rows, &dt_diag);
	ck_assert_int_eq(ret, 42);
	ck_assert_int_eq(rows.count, 2);
	ck_assert_int_eq(dt_int_of(&rows, 1, 0), 2);
	ck_assert_str_eq(dt_diag.message, "");
	/* The connection is still usable. */
	ck_assert_int_eq(dt_query_int("SELECT count(*) FROM n"), 4);
}
END_TEST

START_TEST(test_conformance_query_errors)
{
	dbshift_value one = dt_int_value(1);

	if (!ready(_i))
		return;
	start(_i);
	dt_query_fails("SELEC 1", NULL, 0);
	assert_diag("42");
	dt_query_fails("SELECT * FROM no_such_table", NULL, 0);
	assert_diag("42");
	/* Parameter count mismatch, both ways. */
	dt_query_fails("SELECT ?, ?", &one, 1);
	dt_query_fails("SELECT 1", &one, 1);
	/* One statement only. */
	dt_query_fails("SELECT 1; SELECT 2", NULL, 0);
	dt_query_fails("-- nothing", NULL, 0);
	/* The connection is still usable. */
	ck_assert_int_eq(dt_query_int("SELECT 7"), 7);
}
END_TEST

/* ---- diagnostics ---- */

/* Errors in scripts and queries: a one-line message even when the
 * database quotes a statement that spans lines, and a SQLSTATE and native
 * code where the database has them. */
START_TEST(test_conformance_diagnostics)
{
	static const char multiline[] = "SELECT 1,\n"
					"  ,\n"
					"  2\n"
					"FROM\n"
					"  nowhere";

	if (!ready(_i))
		return;
	start(_i);
	dt_exec_fails_len("SELEC 1", 7);
	ck_assert_int_eq(dt_diag.statement_index, 0);
	ck_assert_int_eq(dt_diag.line, 1);
	assert_diag("42");
	dt_exec_fails_len(multiline, strlen(multiline));
	ck_assert_int_eq(dt_diag.statement_index, 0);
	ck_assert_int_eq(dt_diag.line, 1);
	assert_diag("42");
	dt_exec_fails_len("SELECT * FROM no_such_table", 27);
	assert_diag("42");
	ck_assert_msg(strstr(dt_diag.message, "no_such_table") != NULL, "%s",
		      dt_diag.message);
	dt_query_fails(multiline, NULL, 0);
	assert_diag("42");
	dt_exec_ok("CREATE TABLE k (id INTEGER PRIMARY KEY);"
		   "INSERT INTO k VALUES (1)");
	dt_query_fails("INSERT INTO k VALUES (1)", NULL, 0);
	assert_diag("23");
}
END_TEST

/* ---- identifiers and the catalog ---- */

START_TEST(test_conformance_quote_ident)
{
	char ident[32], want[32], buf[64], sql[128];
	char q;

	if (!ready(_i))
		return;
	start(_i);
	q = info->quote;
	ck_assert_int_eq(dt_drv->quote_ident(dt_conn, "plain", buf, sizeof(buf),
					     &dt_diag),
			 0);
	snprintf(want, sizeof(want), "%cplain%c", q, q);
	ck_assert_str_eq(buf, want);

	snprintf(ident, sizeof(ident), "we%cird name", q);
	snprintf(want, sizeof(want), "%cwe%c%cird name%c", q, q, q, q);
	ck_assert_int_eq(
		dt_drv->quote_ident(dt_conn, ident, buf, sizeof(buf), &dt_diag),
		0);
	ck_assert_str_eq(buf, want);
	/* Exactly big enough, then one byte short. */
	ck_assert_int_eq(dt_drv->quote_ident(dt_conn, ident, buf,
					     strlen(want) + 1, &dt_diag),
			 0);
	ck_assert_str_eq(buf, want);
	dbshift__diag_init(&dt_diag);
	ck_assert_int_ne(dt_drv->quote_ident(dt_conn, ident, buf, strlen(want),
					     &dt_diag),
			 0);
	dt_assert_one_line(dt_diag.message);
	dbshift__diag_init(&dt_diag);
	ck_assert_int_ne(
		dt_drv->quote_ident(dt_conn, "", buf, sizeof(buf), &dt_diag),
		0);
	dt_assert_one_line(dt_diag.message);

	/* What it quotes, the database reads back as the same name. */
	ck_assert_int_eq(
		dt_drv->quote_ident(dt_conn, ident, buf, sizeof(buf), &dt_diag),
		0);
	snprintf(sql, sizeof(sql), "CREATE TABLE %s (x INTEGER)", buf);
	dt_exec_ok(sql);
	ck_assert_int_eq(dt_table_exists(ident), 1);
	snprintf(sql, sizeof(sql), "INSERT INTO %s VALUES (5)", buf);
	dt_exec_ok(sql);
	snprintf(sql, sizeof(sql), "SELECT x FROM %s", buf);
	ck_assert_int_eq(dt_query_int(sql), 5);
	snprintf(sql, sizeof(sql), "DROP TABLE %s", buf);
	dt_exec_ok(sql);
	ck_assert_int_eq(dt_table_exists(ident), 0);
}
END_TEST

START_TEST(test_conformance_table_exists)
{
	if (!ready(_i))
		return;
	start(_i);
	ck_assert_int_eq(dt_table_exists("dbshift_migrations"), 0);
	dt_exec_ok("CREATE TABLE dbshift_migrations (id VARCHAR(64))");
	ck_assert_int_eq(dt_table_exists("dbshift_migrations"), 1);
	ck_assert_int_eq(dt_table_exists("dbshift_migration"), 0);
	/* A view or an index is not a table. */
	dt_exec_ok("CREATE VIEW v AS SELECT 1 AS one;"
		   "CREATE INDEX i ON dbshift_migrations (id)");
	ck_assert_int_eq(dt_table_exists("v"), 0);
	ck_assert_int_eq(dt_table_exists("i"), 0);
	/* LIKE-style wildcards are not wildcards. */
	ck_assert_int_eq(dt_table_exists("dbshift%"), 0);
	ck_assert_int_eq(dt_table_exists("dbshift_migrations_"), 0);
	ck_assert_int_eq(dt_table_exists("dbshift_migration_"), 0);
	/* Gone after DROP. */
	dt_exec_ok("DROP VIEW v; DROP TABLE dbshift_migrations");
	ck_assert_int_eq(dt_table_exists("dbshift_migrations"), 0);
}
END_TEST

/* ---- the run lock ---- */

/* A second connection times out while the first holds the key, another
 * key does not conflict, unlocking hands the key over, and closing a
 * connection releases its lock. */
START_TEST(test_conformance_lock)
{
	struct dt_delayed_unlock later = {NULL, "dbshift:t", -1};
	dbshift_driver_conn *other;
	double start_s, waited;
	pthread_t thread;

	if (!ready(_i))
		return;
	start(_i);
	if (!has_cap(DBSHIFT_CAP_SESSION_LOCK)) {
		ck_assert_ptr_null(dt_drv->lock);
		ck_assert_ptr_null(dt_drv->unlock);
		return;
	}
	other = dt_open_ok(dt_url);
	later.conn = dt_conn;
	dbshift__diag_init(&dt_diag);
	ck_assert_msg(dt_drv->lock(dt_conn, "dbshift:t", 1000, &dt_diag) == 0,
		      "%s", dt_diag.message);

	start_s = dt_now_s();
	dbshift__diag_init(&dt_diag);
	ck_assert_int_ne(dt_drv->lock(other, "dbshift:t", 300, &dt_diag), 0);
	waited = dt_now_s() - start_s;
	ck_assert_msg(waited >= 0.25 && waited < 3, "waited %.2f s", waited);
	dt_assert_one_line(dt_diag.message);
	ck_assert_msg(strstr(dt_diag.message, "timed out") != NULL, "%s",
		      dt_diag.message);

	/* A timeout of 0 tries once; another key is free. */
	start_s = dt_now_s();
	ck_assert_int_ne(dt_drv->lock(other, "dbshift:t", 0, &dt_diag), 0);
	waited = dt_now_s() - start_s;
	ck_assert_msg(waited < 0.9, "waited %.2f s", waited);
	dbshift__diag_init(&dt_diag);
	ck_assert_msg(dt_drv->lock(other, "dbshift:other", 0, &dt_diag) == 0,
		      "%s", dt_diag.message);
	ck_assert_msg(dt_drv->unlock(other, "dbshift:other", &dt_diag) == 0,
		      "%s", dt_diag.message);

	/* Released while the other waits: it gets the lock then. */
	ck_assert_int_eq(pthread_create(&thread, NULL, dt_unlock_later, &later),
			 0);
	start_s = dt_now_s();
	dbshift__diag_init(&dt_diag);
	ck_assert_msg(dt_drv->lock(other, "dbshift:t", 10000, &dt_diag) == 0,
		      "%s", dt_diag.message);
	waited = dt_now_s() - start_s;
	ck_assert_msg(waited < 5, "waited %.2f s", waited);
	pthread_join(thread, NULL);
	ck_assert_int_eq(later.rc, 0);
	ck_assert_int_ne(dt_drv->lock(dt_conn, "dbshift:t", 0, &dt_diag), 0);

	/* Unlocking what this connection does not hold leaves the holder
	 * holding it. */
	dt_drv->unlock(dt_conn, "dbshift:t", &dt_diag);
	ck_assert_int_ne(dt_drv->lock(dt_conn, "dbshift:t", 0, &dt_diag), 0);
	ck_assert_msg(dt_drv->unlock(other, "dbshift:t", &dt_diag) == 0, "%s",
		      dt_diag.message);
	ck_assert_msg(dt_drv->lock(dt_conn, "dbshift:t", 0, &dt_diag) == 0,
		      "%s", dt_diag.message);

	/* Unlocking hands the key over. */
	ck_assert_msg(dt_drv->unlock(dt_conn, "dbshift:t", &dt_diag) == 0, "%s",
		      dt_diag.message);
	ck_assert_msg(dt_drv->lock(other, "dbshift:t", 0, &dt_diag) == 0, "%s",
		      dt_diag.message);
	dbshift__diag_init(&dt_diag);
	ck_assert_int_ne(dt_drv->lock(dt_conn, "dbshift:t", 0, &dt_diag), 0);
	dt_assert_one_line(dt_diag.message);

	/* Closing a connection releases its lock. */
	dt_drv->close(other);
	dbshift__diag_init(&dt_diag);
	ck_assert_msg(dt_drv->lock(dt_conn, "dbshift:t", 2000, &dt_diag) == 0,
		      "%s", dt_diag.message);
	ck_assert_msg(dt_drv->unlock(dt_conn, "dbshift:t", &dt_diag) == 0, "%s",
		      dt_diag.message);
}
END_TEST

/* ---- sessions (ABI 1.1) ---- */

/* A plain server session is writable and its session lock holds; its
 * token names a live session until that connection closes; the server's
 * clock is the local one give or take a minute; a lock wait can be set
 * and reset. Slots a driver lacks are NULL. */
START_TEST(test_conformance_session)
{
	dbshift_driver_conn *other;
	dbshift_session_info sess, mine;
	struct timespec pause = {0, 100000000L};
	int64_t server_ms;
	int32_t alive = -2;
	double local_ms;
	int i;

	if (!ready(_i))
		return;
	start(_i);
	if (dt_drv->session_info != NULL) {
		other = dt_open_ok(dt_url);
		memset(&sess, 0, sizeof(sess));
		sess.size = sizeof(sess);
		dbshift__diag_init(&dt_diag);
		ck_assert_msg(dt_drv->session_info(other, &sess, &dt_diag) == 0,
			      "%s", dt_diag.message);
		ck_assert_uint_eq(sess.flags, 0);
		ck_assert_str_eq(sess.note, "");
		ck_assert_msg(sess.token[0] != '\0', "no session token");
		ck_assert_ptr_nonnull(dt_drv->session_alive);
		/* Tokens are checked on a connection whose session_info ran,
		 * as the core does with every connection. */
		memset(&mine, 0, sizeof(mine));
		mine.size = sizeof(mine);
		ck_assert(dt_drv->session_info(dt_conn, &mine, &dt_diag) == 0);
		ck_assert_str_ne(mine.token, sess.token);
		ck_assert_msg(dt_drv->session_alive(dt_conn, sess.token, &alive,
						    &dt_diag) == 0,
			      "%s", dt_diag.message);
		ck_assert_int_eq(alive, 1);
		dt_drv->close(other);
		/* The server may take a moment to see the connection go. */
		for (i = 0; i < 50 && alive != 0; i++) {
			dbshift__diag_init(&dt_diag);
			ck_assert(dt_drv->session_alive(dt_conn, sess.token,
							&alive, &dt_diag) == 0);
			if (alive != 0)
				nanosleep(&pause, NULL);
		}
		ck_assert_int_eq(alive, 0);
		ck_assert(dt_drv->session_alive(dt_conn, "nonsense", &alive,
						&dt_diag) == 0);
		ck_assert_int_eq(alive, -1);
	}
	if (dt_drv->server_time != NULL) {
		dbshift__diag_init(&dt_diag);
		ck_assert_msg(
			dt_drv->server_time(dt_conn, &server_ms, &dt_diag) == 0,
			"%s", dt_diag.message);
		local_ms = (double)time(NULL) * 1000.0;
		ck_assert_msg((double)server_ms > local_ms - 60000 &&
				      (double)server_ms < local_ms + 60000,
			      "server clock %lld, local %.0f",
			      (long long)server_ms, local_ms);
	}
	if (dt_drv->set_lock_wait != NULL) {
		dbshift__diag_init(&dt_diag);
		ck_assert_msg(dt_drv->set_lock_wait(dt_conn, 1500, &dt_diag) ==
				      0,
			      "%s", dt_diag.message);
		ck_assert_msg(dt_drv->set_lock_wait(dt_conn, 0, &dt_diag) == 0,
			      "%s", dt_diag.message);
	}
}
END_TEST

/* ---- the suite ---- */

Suite *conformance_suite(void)
{
	Suite *s = suite_create("conformance");
	TCase *tc = tcase_create("conformance");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, NULL, dt_stop);
	tcase_add_loop_test(tc, test_conformance_descriptor, FX_SQLITE, CF_N);
	tcase_add_loop_test(tc, test_conformance_abi, FX_SQLITE, CF_N);
	tcase_add_loop_test(tc, test_conformance_slots, FX_SQLITE, CF_N);
	tcase_add_loop_test(tc, test_conformance_open_close, FX_SQLITE, CF_N);
	tcase_add_loop_test(tc, test_conformance_exec_script, FX_SQLITE, CF_N);
	tcase_add_loop_test(tc, test_conformance_exec_error_line, FX_SQLITE,
			    CF_N);
	tcase_add_loop_test(tc, test_conformance_exec_runtime_error, FX_SQLITE,
			    CF_N);
	tcase_add_loop_test(tc, test_conformance_exec_empty, FX_SQLITE, CF_N);
	tcase_add_loop_test(tc, test_conformance_exec_unterminated, FX_SQLITE,
			    CF_N);
	tcase_add_loop_test(tc, test_conformance_exec_nul, FX_SQLITE, CF_N);
	tcase_add_loop_test(tc, test_conformance_tx_rollback, FX_SQLITE, CF_N);
	tcase_add_loop_test(tc, test_conformance_tx_commit, FX_SQLITE, CF_N);
	tcase_add_loop_test(tc, test_conformance_tx_savepoint, FX_SQLITE, CF_N);
	tcase_add_loop_test(tc, test_conformance_tx_failed_script, FX_SQLITE,
			    CF_N);
	tcase_add_loop_test(tc, test_conformance_query_params, FX_SQLITE, CF_N);
	tcase_add_loop_test(tc, test_conformance_query_stop, FX_SQLITE, CF_N);
	tcase_add_loop_test(tc, test_conformance_query_errors, FX_SQLITE, CF_N);
	tcase_add_loop_test(tc, test_conformance_diagnostics, FX_SQLITE, CF_N);
	tcase_add_loop_test(tc, test_conformance_quote_ident, FX_SQLITE, CF_N);
	tcase_add_loop_test(tc, test_conformance_table_exists, FX_SQLITE, CF_N);
	tcase_add_loop_test(tc, test_conformance_lock, FX_SQLITE, CF_N);
	tcase_add_loop_test(tc, test_conformance_session, FX_SQLITE, CF_N);
	suite_add_tcase(s, tc);
	return s;
}
