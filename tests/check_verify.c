/* SPDX-License-Identifier: MIT */
/*
 * check_verify.c - schema snapshots through every driver's schema slot,
 * `verify` (a down that forgets, drops or changes an object is reported
 * naming the migration and the object) and `dump` (stable output), on
 * SQLite, PostgreSQL and MariaDB.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbshift/dbshift.h"
#include "dialects.h"
#include "fixture.h"
#include "suites.h"

/* A users table, the same on every dialect (VARCHAR so that MariaDB can
 * index it without a prefix length). */
#define USERS_UP                                                               \
	"CREATE TABLE users (id INTEGER NOT NULL PRIMARY KEY, "                \
	"email VARCHAR(100) NOT NULL, name VARCHAR(50) DEFAULT 'anon');\n"

static dbshift_runner *runner_on(const char *url, const char *dir)
{
	dbshift_runner *r = fx_open_runner(url);
	dbshift_source *src = NULL;

	ck_assert(dbshift_source_dir_new(&src, "app", fx_path(dir)) == 0);
	fx_add_source(r, src);
	return r;
}

/* Verify dir on url; fails the test unless the check itself ran. */
static dbshift_findings *verify(const char *url, const char *dir,
				unsigned int flags, int *n_checked)
{
	dbshift_runner *r = runner_on(url, dir);
	dbshift_findings *f = NULL;

	ck_assert_msg(dbshift_runner_verify(r, NULL, flags, &f, n_checked) == 0,
		      "verify: %s", dbshift_runner_error(r)->message);
	dbshift_runner_free(r);
	return f;
}

/* All findings as "kind: message" lines, for assertions and messages. */
static char *findings_text(const dbshift_findings *f)
{
	size_t i, len = 1;
	char *text, *p;

	for (i = 0; i < dbshift_findings_count(f); i++)
		len += strlen(dbshift_findings_get(f, i)->message) + 32;
	text = malloc(len);
	ck_assert_ptr_nonnull(text);
	p = text;
	*p = '\0';
	for (i = 0; i < dbshift_findings_count(f); i++) {
		const dbshift_finding *x = dbshift_findings_get(f, i);

		p += snprintf(p, len - (size_t)(p - text), "%s: %s\n",
			      dbshift_finding_kind_name(x->kind), x->message);
	}
	return text;
}

/* The issue's own example: a down that forgets an index. */
START_TEST(test_verify_forgotten_index)
{
	char url[512], *text;
	dbshift_findings *f;
	int n_checked = -1;

	FX_USE_DIALECT(url);
	fx_write("m/001_users.up.sql", USERS_UP);
	fx_write("m/001_users.down.sql", "DROP TABLE users;\n");
	fx_write("m/002_email.up.sql",
		 "CREATE INDEX users_email_idx ON users (email);\n"
		 "ALTER TABLE users ADD COLUMN nick VARCHAR(20);\n");
	fx_write("m/002_email.down.sql",
		 "ALTER TABLE users DROP COLUMN nick;\n");
	fx_write("m/003_later.up.sql", "CREATE TABLE later (id INTEGER);\n");
	fx_write("m/003_later.down.sql", "DROP TABLE later;\n");
	f = verify(url, "m", 0, &n_checked);
	text = findings_text(f);
	ck_assert_msg(dbshift_findings_count(f) == 1, "%s", text);
	ck_assert_str_eq(text, "schema: app/002: down leaves index "
			       "users_email_idx on users\n");
	ck_assert_int_eq(dbshift_findings_get(f, 0)->kind,
			 DBSHIFT_FINDING_SCHEMA);
	ck_assert_str_eq(dbshift_findings_get(f, 0)->id, "app/002");
	/* It stopped there: 003 was not checked (nor applied). */
	ck_assert_int_eq(n_checked, 2);
	ck_assert(!fx_db_has_table(url, "later"));
	free(text);
	dbshift_findings_free(f);
}
END_TEST

/* Every kind of object a driver reports, created and dropped properly:
 * verify is clean, and the snapshot holds each object (and not the
 * history table). */
START_TEST(test_verify_clean_every_kind)
{
	static const char *const triggers[FX_N_DIALECTS] = {
		"CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN "
		"UPDATE users SET name = name WHERE 0; END;\n",
		"CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS "
		"$$ BEGIN RETURN NEW; END $$;\n"
		"CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH "
		"ROW EXECUTE FUNCTION touch();\n",
		"CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH "
		"ROW SET NEW.name = NEW.name;\n"};
	static const char *const trigger_downs[FX_N_DIALECTS] = {
		"DROP TRIGGER users_touch;\n",
		"DROP TRIGGER users_touch ON users;\nDROP FUNCTION touch();\n",
		"DROP TRIGGER users_touch;\n"};
	static const char *const dialect_dirs[FX_N_DIALECTS] = {
		"sqlite", "postgres", "mysql"};
	char url[512], path[128], *text;
	const dbshift_schema_object *o;
	dbshift_schema *schema = NULL;
	dbshift_findings *f;
	dbshift_runner *r;
	int n_checked = 0;

	FX_USE_DIALECT(url);
	fx_write("m/001_users.up.sql", USERS_UP);
	fx_write("m/001_users.down.sql", "DROP TABLE users;\n");
	fx_write("m/002_teams.up.sql",
		 "CREATE TABLE teams (id INTEGER NOT NULL PRIMARY KEY, "
		 "owner INTEGER REFERENCES users (id), code VARCHAR(10) "
		 "UNIQUE, size INTEGER CHECK (size > 0));\n"
		 "CREATE UNIQUE INDEX users_email_idx ON users (email);\n"
		 "CREATE VIEW big_teams AS SELECT id FROM teams WHERE "
		 "size > 10;\n");
	/* MariaDB's DROP INDEX names the table. */
	fx_write("m/002_teams.down.sql",
		 _i == FX_MYSQL ? "DROP VIEW big_teams;\nDROP INDEX "
				  "users_email_idx ON users;\nDROP TABLE "
				  "teams;\n" :
				  "DROP VIEW big_teams;\nDROP INDEX "
				  "users_email_idx;\nDROP TABLE teams;\n");
	snprintf(path, sizeof(path), "m/003_touch/%s/up.sql", dialect_dirs[_i]);
	fx_write("m/003_touch/up.sql", "SELECT 1;\n");
	fx_write(path, triggers[_i]);
	snprintf(path, sizeof(path), "m/003_touch/%s/down.sql",
		 dialect_dirs[_i]);
	fx_write("m/003_touch/down.sql", "SELECT 1;\n");
	fx_write(path, trigger_downs[_i]);
	f = verify(url, "m", 0, &n_checked);
	text = findings_text(f);
	ck_assert_msg(dbshift_findings_count(f) == 0, "%s", text);
	ck_assert_int_eq(n_checked, 3);
	free(text);
	dbshift_findings_free(f);

	r = fx_open_runner(url);
	ck_assert_msg(dbshift_runner_schema(r, &schema) == 0, "%s",
		      dbshift_runner_error(r)->message);
	ck_assert_str_eq(dbshift_schema_dialect(schema), fx_dialect_name(_i));
	ck_assert_ptr_nonnull(dbshift_schema_find(schema, DBSHIFT_OBJECT_TABLE,
						  NULL, "users"));
	ck_assert_ptr_null(dbshift_schema_find(schema, DBSHIFT_OBJECT_TABLE,
					       NULL, "dbshift_migrations"));
	o = dbshift_schema_find(schema, DBSHIFT_OBJECT_COLUMN, "users",
				"email");
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(o->nullable, 0);
	ck_assert_int_eq(o->position, 2);
	ck_assert_ptr_null(o->default_value);
	o = dbshift_schema_find(schema, DBSHIFT_OBJECT_COLUMN, "users", "name");
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(o->nullable, 1);
	ck_assert_ptr_nonnull(o->default_value);
	ck_assert_has(o->default_value, "anon");
	o = dbshift_schema_find(schema, DBSHIFT_OBJECT_INDEX, "users",
				"users_email_idx");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->type, "unique index");
	ck_assert_has(o->detail, "email");
	ck_assert_ptr_nonnull(dbshift_schema_find(schema, DBSHIFT_OBJECT_VIEW,
						  NULL, "big_teams"));
	ck_assert_ptr_nonnull(dbshift_schema_find(
		schema, DBSHIFT_OBJECT_TRIGGER, "users", "users_touch"));
	dbshift_schema_free(schema);
	dbshift_runner_free(r);
}
END_TEST

/* A down that drops too much, or changes what was there, is named too;
 * with KEEP_GOING every faulty migration is reported in one run. */
START_TEST(test_verify_drops_changes_keep_going)
{
	dbshift_findings *f;
	char *text;
	int n_checked = 0;

	fx_write("m/001_users.up.sql",
		 USERS_UP "CREATE INDEX users_name_idx ON users (name);\n"
			  "CREATE VIEW v AS SELECT 1 AS one;\n");
	fx_write("m/001_users.down.sql", "DROP VIEW v;\nDROP TABLE users;\n");
	fx_write("m/002_nick.up.sql",
		 "ALTER TABLE users ADD COLUMN nick TEXT;\n");
	fx_write("m/002_nick.down.sql", "ALTER TABLE users DROP COLUMN nick;\n"
					"DROP INDEX users_name_idx;\n");
	fx_write("m/003_view.up.sql",
		 "DROP VIEW v;\nCREATE VIEW v AS SELECT 2 AS one;\n");
	fx_write("m/003_view.down.sql",
		 "DROP VIEW v;\nCREATE VIEW v AS SELECT 3 AS one;\n");
	fx_write("m/004_t.up.sql", "CREATE TABLE t (a INTEGER);\n");
	fx_write("m/004_t.down.sql", "DROP TABLE t;\n");

	f = verify(fx_sqlite_url("a.db"), "m", 0, &n_checked);
	text = findings_text(f);
	ck_assert_str_eq(text, "schema: app/002: down drops index "
			       "users_name_idx on users\n");
	free(text);
	dbshift_findings_free(f);

	f = verify(fx_sqlite_url("b.db"), "m", DBSHIFT_VERIFY_KEEP_GOING,
		   &n_checked);
	text = findings_text(f);
	ck_assert_str_eq(text,
			 "schema: app/002: down drops index users_name_idx on "
			 "users\n"
			 "schema: app/003: down changes view v: definition "
			 "CREATE VIEW v AS SELECT 3 AS one (was CREATE VIEW v "
			 "AS SELECT 1 AS one)\n");
	ck_assert_int_eq(n_checked, 4);
	/* Everything ended up applied. */
	ck_assert(fx_sqlite_has_table(fx_path("b.db"), "t"));
	free(text);
	dbshift_findings_free(f);
}
END_TEST

/* A failing down and an up that cannot run twice are findings; a
 * migration without a down is only a warning. */
START_TEST(test_verify_down_fails_reapply_no_down)
{
	dbshift_findings *f;
	char *text;
	int n_checked = 0;

	fx_write("m/001_a.up.sql", "CREATE TABLE a (x INTEGER);\n");
	fx_write("m/002_b.up.sql", "CREATE TABLE b (x INTEGER);\n");
	fx_write("m/002_b.down.sql", "DROP TABLE no_such_table;\n");
	f = verify(fx_sqlite_url("a.db"), "m", 0, &n_checked);
	text = findings_text(f);
	ck_assert_has(text, "no-down: app/001 has no down script: not "
			    "checked\n");
	ck_assert_has(text, "down-failed: app/002: down failed: ");
	ck_assert_has(text, "no_such_table");
	ck_assert_int_eq(dbshift_findings_count(f), 2);
	ck_assert(dbshift_findings_get(f, 0)->warning);
	ck_assert(!dbshift_findings_get(f, 1)->warning);
	ck_assert_int_eq(n_checked, 1);
	free(text);
	dbshift_findings_free(f);

	/* The down leaves the schema as it was, but the up keeps data
	 * the down does not remove, so it cannot run again. */
	fx_write("n/001_a.up.sql", "CREATE TABLE a (x INTEGER UNIQUE);\n"
				   "INSERT INTO a VALUES (1);\n");
	fx_write("n/001_a.down.sql", "DELETE FROM a WHERE 0;\n"
				     "DROP TABLE a;\n");
	fx_write("n/002_b.up.sql", "INSERT INTO a VALUES (2);\n");
	fx_write("n/002_b.down.sql", "SELECT 1;\n");
	f = verify(fx_sqlite_url("b.db"), "n", 0, &n_checked);
	text = findings_text(f);
	ck_assert_has(text, "reapply: app/002: up applied again after down "
			    "failed: up failed: ");
	ck_assert_has(text, "UNIQUE constraint failed");
	ck_assert_int_eq(dbshift_findings_count(f), 1);
	free(text);
	dbshift_findings_free(f);
}
END_TEST

/* The CLI: exit 1 naming the migration and the index, on a fresh
 * in-memory database by default (never $DBSHIFT_URL); 0 when clean;
 * --json. */
START_TEST(test_verify_cli)
{
	static const char *const env[] = {"DBSHIFT_URL=sqlite:keep.db", NULL};
	const char *argv[] = {"verify", "--driver-dir", fx_driver_dir(), NULL};
	fx_run run;

	fx_write("migrations/001_users.up.sql", USERS_UP);
	fx_write("migrations/001_users.down.sql", "DROP TABLE users;\n");
	fx_write("migrations/002_email.up.sql",
		 "CREATE INDEX users_email_idx ON users (email);\n");
	fx_write("migrations/002_email.down.sql", "SELECT 1;\n");
	run = fx_cli_env(env, argv);
	ck_assert_exit(run, 1);
	ck_assert_has(run.out, "migrations/002: down leaves index "
			       "users_email_idx on users");
	ck_assert_has(run.out, "verify failed: 1 problem (checked 2 "
			       "migrations)");
	fx_run_free(&run);
	ck_assert_int_ne(access(fx_path("keep.db"), F_OK), 0);

	run = fx_cli("verify", "--json", "--driver-dir", fx_driver_dir(), NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.out, "{\"clean\":false,\"checked\":2,\"findings\":[");
	ck_assert_has(run.out, "{\"kind\":\"schema\",\"id\":\"migrations/002\""
			       ",\"warning\":false,\"message\":\"migrations/"
			       "002: down leaves index users_email_idx on "
			       "users\"}");
	fx_run_free(&run);

	fx_write("migrations/002_email.down.sql",
		 "DROP INDEX users_email_idx;\n");
	run = fx_cli("verify", "--url", fx_sqlite_url("scratch.db"),
		     "--driver-dir", fx_driver_dir(), NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "verified 2 migrations: every down restores "
			       "the schema");
	fx_run_free(&run);
	ck_assert(fx_sqlite_has_table(fx_path("scratch.db"), "users"));

	fx_expect_err(2, "'--keep-going' is only valid with 'verify'", "up",
		      "--keep-going", NULL);
}
END_TEST

/* dump: the same migrations give the same bytes; --json; -o. */
START_TEST(test_dump_stable)
{
	char *first, *second;
	fx_run run;

	fx_write("migrations/001_users.up.sql",
		 USERS_UP "CREATE INDEX users_email_idx ON users (email);\n"
			  "CREATE VIEW emails AS SELECT email FROM users;\n");
	run = fx_cli("dump", "-o", "schema.sql", "--driver-dir",
		     fx_driver_dir(), NULL);
	ck_assert_exit(run, 0);
	fx_run_free(&run);
	run = fx_cli("dump", "--url", fx_sqlite_url("other.db"), "--driver-dir",
		     fx_driver_dir(), NULL);
	ck_assert_exit(run, 0);
	first = fx_read(fx_path("schema.sql"));
	ck_assert_str_eq(first, run.out);
	ck_assert_has(first, "CREATE TABLE users (\n"
			     "    id integer NOT NULL,\n"
			     "    email varchar(100) NOT NULL,\n"
			     "    name varchar(50) DEFAULT 'anon',\n"
			     "    PRIMARY KEY (id)\n);\n");
	ck_assert_has(first, "CREATE INDEX users_email_idx ON users "
			     "(email);\n");
	ck_assert_has(first, "CREATE VIEW emails AS SELECT email FROM "
			     "users;\n");
	ck_assert_lacks(first, "dbshift_migrations");
	fx_run_free(&run);
	/* Created in another order, the dump is the same. */
	fx_write("migrations/001_users.up.sql",
		 "CREATE TABLE users (id INTEGER NOT NULL PRIMARY KEY, "
		 "email   VARCHAR(100)   NOT NULL, name VARCHAR(50) DEFAULT "
		 "'anon');\nCREATE VIEW emails AS SELECT email FROM users;\n"
		 "CREATE INDEX users_email_idx ON users(email);\n");
	run = fx_cli("dump", "--driver-dir", fx_driver_dir(), NULL);
	ck_assert_exit(run, 0);
	second = run.out;
	ck_assert_str_eq(first, second);
	fx_run_free(&run);
	free(first);

	run = fx_cli("dump", "--json", "--driver-dir", fx_driver_dir(), NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "{\"dialect\":\"sqlite\",\"objects\":[\n");
	ck_assert_has(run.out,
		      "{\"kind\":\"column\",\"table\":\"users\",\"name\":"
		      "\"email\",\"type\":\"varchar(100)\",\"nullable\":false,"
		      "\"default\":null,\"detail\":null,\"position\":2}");
	fx_run_free(&run);
}
END_TEST

/* A driver built for ABI 1.0 has no schema slot: a clear error. */
START_TEST(test_schema_old_driver)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_schema *schema = (dbshift_schema *)1;
	dbshift_runner *r = NULL;

	opts.url = "oldminor:x";
	opts.driver_dir = fx_test_driver_dir();
	ck_assert_int_eq(dbshift_runner_new(&r, &opts), 0);
	ck_assert_int_eq(dbshift_runner_schema(r, &schema), DBSHIFT_EDRIVER);
	ck_assert_ptr_null(schema);
	ck_assert_str_eq(dbshift_runner_error(r)->message,
			 "driver oldminor cannot read the schema (built for "
			 "driver ABI 1.0; schema introspection needs 1.3)");
	dbshift_runner_free(r);
}
END_TEST

Suite *verify_suite(void)
{
	Suite *s = suite_create("verify");
	TCase *tc = tcase_create("verify");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_verify_forgotten_index, 0, FX_N_DIALECTS);
	tcase_add_loop_test(tc, test_verify_clean_every_kind, 0, FX_N_DIALECTS);
	tcase_add_test(tc, test_verify_drops_changes_keep_going);
	tcase_add_test(tc, test_verify_down_fails_reapply_no_down);
	tcase_add_test(tc, test_verify_cli);
	tcase_add_test(tc, test_dump_stable);
	tcase_add_test(tc, test_schema_old_driver);
	suite_add_tcase(s, tc);
	return s;
}
