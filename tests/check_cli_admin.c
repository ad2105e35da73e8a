/* SPDX-License-Identifier: MIT */
/*
 * check_cli_admin.c - integration tests of the dbshift commands that look
 * before they leap or fix the history: plan, up/down --dry-run, validate,
 * repair and baseline. Each test runs the built CLI (fx_cli) in its own
 * temporary directory against a SQLite file there and checks the exit
 * status, the output, and what the database holds afterwards - for the
 * commands that must change nothing, that the schema and the history are
 * exactly what they were before.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checksum.h"
#include "dbshift/dbshift.h"
#include "fixture.h"
#include "suites.h"

#define DB_URL "sqlite:test.db"

#define USERS_UP "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n"

/* Three migrations in migs/, each creating one table, with downs. */
static void write_three(void)
{
	fx_write("migs/001_create_users.up.sql", USERS_UP);
	fx_write("migs/001_create_users.down.sql", "DROP TABLE users;\n");
	fx_write("migs/002_create_posts.up.sql",
		 "CREATE TABLE posts (id INTEGER PRIMARY KEY, body TEXT);\n");
	fx_write("migs/002_create_posts.down.sql", "DROP TABLE posts;\n");
	fx_write("migs/003_create_tags.up.sql",
		 "CREATE TABLE tags (id INTEGER PRIMARY KEY);\n");
	fx_write("migs/003_create_tags.down.sql", "DROP TABLE tags;\n");
}

/* A no-transaction migration whose second statement fails: dirty. */
static void write_dirty_one(void)
{
	fx_write("migs/001_half.up.sql",
		 "-- dbshift:no-transaction\n"
		 "CREATE TABLE half (x INT);\n"
		 "INSERT INTO no_such_table VALUES (1);\n");
	fx_write("migs/001_half.down.sql", "DROP TABLE half;\n");
}

/* `dbshift -u sqlite:test.db -s app=migs ARGS...` (up to 4 arguments). */
static fx_run cli(const char *a, const char *b, const char *c, const char *d)
{
	return fx_cli("-u", DB_URL, "-s", "app=migs", a, b, c, d, NULL);
}

static void run_expect(int status, const char *a, const char *b, const char *c)
{
	fx_run run = cli(a, b, c, NULL);

	ck_assert_exit(run, status);
	fx_run_free(&run);
}

static int db_exists(void)
{
	struct stat st;

	return stat(fx_path("test.db"), &st) == 0;
}

static char *query(const char *sql)
{
	return fx_sqlite_query(fx_path("test.db"), sql);
}

static int has_table(const char *table)
{
	return db_exists() && fx_sqlite_has_table(fx_path("test.db"), table);
}

/* Applied ids in application order, e.g. "app/001,app/002". */
static void assert_history(const char *expected)
{
	char *ids = query("SELECT id FROM dbshift_migrations "
			  "WHERE state = 'applied' ORDER BY seq");

	ck_assert_str_eq(ids, expected);
	free(ids);
}

/*
 * Everything a command could change: the schema of every object and every
 * history row. "" for a database file that does not exist.
 */
static char *snapshot(void)
{
	char *schema, *rows = NULL, *all;
	size_t len;

	if (!db_exists())
		return calloc(1, 1);
	schema = query("SELECT type || ' ' || name || ': ' || "
		       "coalesce(sql, '') FROM sqlite_master ORDER BY name");
	if (has_table("dbshift_migrations"))
		rows = query("SELECT id || '|' || checksum || '|' || state || "
			     "'|' || seq || '|' || applied_at || '|' || "
			     "execution_ms FROM dbshift_migrations "
			     "ORDER BY seq");
	len = strlen(schema) + (rows ? strlen(rows) : 0) + 8;
	all = malloc(len);
	ck_assert_ptr_nonnull(all);
	snprintf(all, len, "%s\n--\n%s", schema, rows ? rows : "");
	free(schema);
	free(rows);
	return all;
}

static void assert_snapshot(const char *before)
{
	char *after = snapshot();

	ck_assert_str_eq(after, before);
	free(after);
}

/* Checksum of a script as the history records it. */
static void checksum_of(const char *text, char out[65])
{
	ck_assert_int_eq(dbshift__checksum_script(text, strlen(text), out), 0);
}

/* The checksum the history holds for id. */
static char *recorded_checksum(const char *id)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
		 "SELECT checksum FROM dbshift_migrations WHERE id = '%s'", id);
	return query(sql);
}

/* needle_a occurs in haystack, and before needle_b. */
static void assert_before(const char *haystack, const char *needle_a,
			  const char *needle_b)
{
	const char *a = strstr(haystack, needle_a);
	const char *b = strstr(haystack, needle_b);

	ck_assert_msg(a != NULL && b != NULL && a < b,
		      "'%s' not before '%s' in:\n%s", needle_a, needle_b,
		      haystack);
}

/* The line of text that contains needle, copied into buf. */
static const char *line_with(const char *text, const char *needle, char *buf,
			     size_t size)
{
	const char *hit = strstr(text, needle), *start, *end;

	ck_assert_msg(hit != NULL, "'%s' not found in:\n%s", needle, text);
	for (start = hit; start > text && start[-1] != '\n'; start--)
		;
	end = strchr(hit, '\n');
	if (end == NULL)
		end = hit + strlen(hit);
	snprintf(buf, size, "%.*s", (int)(end - start), start);
	return buf;
}

/* app/001..003, and other/001 that depends on app/002. */
static void write_two_sources(void)
{
	write_three();
	fx_write("migs/002_create_posts.up.sql",
		 "-- dbshift:no-transaction\n"
		 "CREATE TABLE posts (id INTEGER PRIMARY KEY, body TEXT);\n");
	fx_write("other/001_comments.up.sql",
		 "-- dbshift:depends-on app/002\n"
		 "CREATE TABLE comments (post INTEGER);\n");
}

START_TEST(test_cli_admin_plan_text)
{
	char line[512];
	fx_run run;

	write_two_sources();
	run = fx_cli("-u", DB_URL, "-s", "app=migs", "-s", "other", "plan",
		     NULL);
	ck_assert_exit(run, 0);
	assert_before(run.out, "app/001", "app/002");
	assert_before(run.out, "app/002", "other/001");
	assert_before(run.out, "other/001", "app/003");
	line_with(run.out, "other/001", line, sizeof(line));
	ck_assert_has(line, "comments");
	ck_assert_has(line, "depends on app/002");
	ck_assert_lacks(line, "[no-transaction]");
	line_with(run.out, "app/002", line, sizeof(line));
	ck_assert_has(line, "create_posts");
	ck_assert_has(line, "[no-transaction]");
	ck_assert_lacks(line, "[out-of-order]");
	ck_assert_has(run.out, "4 migrations to apply");
	fx_run_free(&run);
	ck_assert(!has_table("dbshift_migrations"));
	ck_assert(!has_table("users"));

	/* With a target: the target and what it depends on. */
	run = fx_cli("-u", DB_URL, "-s", "app=migs", "-s", "other", "plan",
		     "other/001", NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "app/001");
	ck_assert_has(run.out, "app/002");
	ck_assert_has(run.out, "other/001");
	ck_assert_lacks(run.out, "app/003");
	fx_run_free(&run);

	run_expect(0, "up", NULL, NULL);
	run = cli("plan", NULL, NULL, NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "up to date");
	fx_run_free(&run);
	run = cli("plan", "app/999", NULL, NULL);
	ck_assert_exit(run, 2);
	ck_assert_has(run.err, "app/999");
	fx_run_free(&run);
}
END_TEST

START_TEST(test_cli_admin_plan_json)
{
	fx_run run;

	write_two_sources();
	run = fx_cli("-u", DB_URL, "-s", "app=migs", "-s", "other", "plan",
		     "--json", NULL);
	ck_assert_exit(run, 0);
	ck_assert_msg(
		strncmp(run.out, "{\"direction\":\"up\",\"steps\":[", 27) == 0,
		"%s", run.out);
	ck_assert_has(run.out,
		      "{\"id\":\"app/001\",\"source\":\"app\",\"version\":"
		      "\"001\",\"name\":\"create_users\",\"file\":\"");
	ck_assert_has(run.out, "001_create_users.up.sql\","
			       "\"no_transaction\":false,"
			       "\"out_of_order\":false,\"depends_on\":[]}");
	ck_assert_has(run.out, "\"name\":\"create_posts\"");
	ck_assert_has(run.out, "\"no_transaction\":true");
	ck_assert_has(run.out, "{\"id\":\"other/001\",\"source\":\"other\"");
	ck_assert_has(run.out, "\"depends_on\":[\"app/002\"]}");
	assert_before(run.out, "\"app/002\",\"source\"",
		      "\"other/001\",\"source\"");
	assert_before(run.out, "\"other/001\",\"source\"",
		      "\"app/003\",\"source\"");
	ck_assert_msg(strcmp(run.out + strlen(run.out) - 3, "]}\n") == 0, "%s",
		      run.out);
	fx_run_free(&run);

	run_expect(0, "up", NULL, NULL);
	run = cli("plan", "--json", NULL, NULL);
	ck_assert_exit(run, 0);
	ck_assert_str_eq(run.out, "{\"direction\":\"up\",\"steps\":[]}\n");
	fx_run_free(&run);
}
END_TEST

START_TEST(test_cli_admin_plan_out_of_order)
{
	char line[512];
	fx_run run;

	write_three();
	remove(fx_path("migs/002_create_posts.up.sql"));
	remove(fx_path("migs/002_create_posts.down.sql"));
	run_expect(0, "up", NULL, NULL);
	assert_history("app/001,app/003");
	write_three();

	run = cli("plan", NULL, NULL, NULL);
	ck_assert_exit(run, 0);
	line_with(run.out, "app/002", line, sizeof(line));
	ck_assert_has(line, "[out-of-order]");
	ck_assert_lacks(run.out, "app/001");
	ck_assert_lacks(run.out, "app/003");
	fx_run_free(&run);

	run = cli("plan", "--json", NULL, NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "{\"id\":\"app/002\"");
	ck_assert_has(run.out, "\"out_of_order\":true");
	fx_run_free(&run);

	run = cli("plan", "--strict-order", NULL, NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.err, "app/002");
	fx_run_free(&run);
}
END_TEST

START_TEST(test_cli_admin_plan_changed_checksum)
{
	static const char edited[] = "CREATE TABLE users (id INTEGER);\n";
	char *old_sum, new_sum[65];
	fx_run run;

	write_three();
	run_expect(0, "up", "app/002", NULL);
	old_sum = recorded_checksum("app/001");
	ck_assert_int_eq(strlen(old_sum), 64);
	fx_write("migs/001_create_users.up.sql", edited);
	checksum_of(edited, new_sum);

	run = cli("plan", NULL, NULL, NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.err, "app/001");
	ck_assert_has(run.err, old_sum);
	ck_assert_has(run.err, new_sum);
	ck_assert_lacks(run.out, "app/003");
	fx_run_free(&run);

	run = cli("plan", "--ignore-checksums", NULL, NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "app/003");
	ck_assert_lacks(run.out, "app/001");
	fx_run_free(&run);
	free(old_sum);
}
END_TEST

START_TEST(test_cli_admin_up_dry_run_fresh)
{
	char *before;
	fx_run run;

	write_three();
	run = cli("up", "--dry-run", NULL, NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "-- app/001 create_users (up) from ");
	ck_assert_has(run.out, "001_create_users.up.sql\n" USERS_UP);
	ck_assert_has(run.out, "-- app/003 create_tags (up) from ");
	ck_assert_has(run.out, "CREATE TABLE tags (id INTEGER PRIMARY KEY);");
	assert_before(run.out, "-- app/001", "-- app/002");
	assert_before(run.out, "-- app/002", "-- app/003");
	ck_assert_has(run.out, "3 migrations would be applied");
	ck_assert_lacks(run.err, "applying");
	fx_run_free(&run);
	/* Not even the history table: the database holds nothing. */
	ck_assert(!has_table("dbshift_migrations"));
	before = snapshot();
	ck_assert_msg(before[0] == '\0' || strcmp(before, "\n--\n") == 0,
		      "dry run changed a fresh database:\n%s", before);
	free(before);

	/* No lock either, not even the lease table. */
	run = fx_cli("-u", DB_URL, "-s", "app=migs", "--lock=table", "up",
		     "--dry-run", "app/002", NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "-- app/002 create_posts (up)");
	ck_assert_lacks(run.out, "app/003");
	fx_run_free(&run);
	ck_assert(!has_table("dbshift_locks"));
	ck_assert(!has_table("dbshift_migrations"));
}
END_TEST

START_TEST(test_cli_admin_up_dry_run_changes_nothing)
{
	char *before;
	fx_run run;

	write_three();
	run_expect(0, "up", "app/001", NULL);
	before = snapshot();
	run = cli("--dry-run", "up", NULL, NULL);
	ck_assert_exit(run, 0);
	ck_assert_lacks(run.out, "-- app/001");
	ck_assert_has(run.out, "-- app/002 create_posts (up)");
	ck_assert_has(run.out, "-- app/003 create_tags (up)");
	ck_assert_has(run.out, "CREATE TABLE posts");
	ck_assert_has(run.out, "nothing was changed");
	fx_run_free(&run);
	assert_snapshot(before);
	assert_history("app/001");
	ck_assert(!has_table("posts"));

	/* The same checks as up: a changed script is refused. */
	fx_write("migs/001_create_users.up.sql", "CREATE TABLE users (x);\n");
	run = cli("up", "--dry-run", NULL, NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.err, "app/001");
	ck_assert_str_eq(run.out, "");
	fx_run_free(&run);
	assert_snapshot(before);
	free(before);
}
END_TEST

START_TEST(test_cli_admin_down_dry_run)
{
	char *before;
	fx_run run;

	write_three();
	run_expect(0, "up", NULL, NULL);
	before = snapshot();

	run = cli("down", "--dry-run", NULL, NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "-- app/003 create_tags (down) from ");
	ck_assert_has(run.out, "003_create_tags.down.sql\nDROP TABLE tags;\n");
	ck_assert_lacks(run.out, "app/002");
	ck_assert_has(run.out, "1 migration would be rolled back");
	ck_assert_lacks(run.err, "reverting");
	fx_run_free(&run);
	assert_snapshot(before);

	/* Several at once need no --yes: nothing changes. */
	run = cli("down", "--all", "--dry-run", NULL);
	ck_assert_exit(run, 0);
	assert_before(run.out, "-- app/003", "-- app/002");
	assert_before(run.out, "-- app/002", "-- app/001");
	ck_assert_has(run.out, "DROP TABLE users;");
	ck_assert_has(run.out, "3 migrations would be rolled back");
	fx_run_free(&run);
	assert_snapshot(before);

	run = cli("down", "2", "--dry-run", NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "-- app/002");
	ck_assert_lacks(run.out, "-- app/001");
	fx_run_free(&run);

	run = cli("down", "app/002", "--dry-run", NULL);
	ck_assert_exit(run, 0);
	assert_before(run.out, "-- app/003", "-- app/002");
	ck_assert_lacks(run.out, "-- app/001");
	fx_run_free(&run);
	assert_snapshot(before);
	assert_history("app/001,app/002,app/003");
	ck_assert(has_table("tags"));

	/* The same checks as down: a missing down script is refused. */
	remove(fx_path("migs/003_create_tags.down.sql"));
	run = cli("down", "--dry-run", NULL, NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.err, "app/003");
	fx_run_free(&run);
	assert_snapshot(before);
	free(before);
}
END_TEST

START_TEST(test_cli_admin_down_dry_run_empty)
{
	fx_run run;

	write_three();
	run = cli("down", "--dry-run", "--all", NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "nothing would be rolled back");
	fx_run_free(&run);
	ck_assert(!has_table("dbshift_migrations"));
}
END_TEST

START_TEST(test_cli_admin_dry_run_only_up_down)
{
	static const char *const cmds[] = {"status", "plan", "validate", "redo",
					   "repair"};
	fx_run run;
	size_t i;

	write_three();
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		run = cli(cmds[i], "--dry-run", NULL, NULL);
		ck_assert_exit(run, 2);
		ck_assert_has(run.err, "--dry-run");
		fx_run_free(&run);
	}
	ck_assert(!has_table("dbshift_migrations"));
}
END_TEST

START_TEST(test_cli_admin_validate_clean)
{
	fx_run run;

	write_three();
	run = cli("validate", NULL, NULL, NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "valid");
	fx_run_free(&run);
	run_expect(0, "up", NULL, NULL);
	run = cli("validate", NULL, NULL, NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "no problems");
	fx_run_free(&run);
	run = cli("validate", "--json", NULL, NULL);
	ck_assert_exit(run, 0);
	ck_assert_str_eq(run.out, "{\"valid\":true,\"findings\":[]}\n");
	fx_run_free(&run);
}
END_TEST

/* Files of a dialect no installed driver declares: ignored by up,
 * listed by validate (a warning: exit 0) and by plan -v. */
START_TEST(test_cli_admin_foreign_dialect)
{
	fx_run run;

	write_three();
	fx_write("migs/001_create_users.cockroach.up.sql", "NOT SQLITE;\n");
	fx_write("migs/004_crdb_only.cockroach.up.sql", "NOT SQLITE;\n");
	run = cli("validate", NULL, NULL, NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "ignored (warning)");
	ck_assert_has(run.out, "004_crdb_only.cockroach.up.sql' names dialect "
			       "'cockroach', which no installed driver "
			       "declares");
	fx_run_free(&run);
	run = cli("plan", "-v", NULL, NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.err, "ignored: app/001: ");
	ck_assert_has(run.err, "ignored: app/004: ");
	ck_assert_lacks(run.out, "004");
	fx_run_free(&run);
	run = cli("plan", NULL, NULL, NULL);
	ck_assert_exit(run, 0);
	ck_assert_lacks(run.err, "ignored");
	fx_run_free(&run);
	run_expect(0, "up", NULL, NULL);
	/* A malformed dialect name stays an error. */
	fx_write("migs/005_x.CockRoach.up.sql", "SELECT 1;\n");
	fx_expect_err(2, "invalid dialect 'CockRoach'", "-u", DB_URL, "-s",
		      "app=migs", "up", NULL);
}
END_TEST

START_TEST(test_cli_admin_validate_changed)
{
	static const char edited[] = "CREATE TABLE users (id INTEGER);\n";
	char *old_sum, new_sum[65], line[1024];
	fx_run run;

	write_three();
	run_expect(0, "up", NULL, NULL);
	old_sum = recorded_checksum("app/001");
	fx_write("migs/001_create_users.up.sql", edited);
	checksum_of(edited, new_sum);

	run = cli("validate", NULL, NULL, NULL);
	ck_assert_exit(run, 1);
	line_with(run.out, "changed", line, sizeof(line));
	ck_assert_has(line, "app/001");
	ck_assert_has(line, old_sum);
	ck_assert_has(line, new_sum);
	ck_assert_lacks(line, "warning");
	fx_run_free(&run);

	run = cli("validate", "--json", NULL, NULL);
	ck_assert_exit(run, 1);
	ck_assert_msg(strncmp(run.out, "{\"valid\":false,\"findings\":[", 27) ==
			      0,
		      "%s", run.out);
	ck_assert_has(run.out, "{\"kind\":\"changed\",\"id\":\"app/001\","
			       "\"warning\":false,\"message\":\"");
	ck_assert_has(run.out, new_sum);
	fx_run_free(&run);
	free(old_sum);
}
END_TEST

START_TEST(test_cli_admin_validate_missing)
{
	fx_run run;

	write_three();
	run_expect(0, "up", NULL, NULL);
	remove(fx_path("migs/003_create_tags.up.sql"));
	remove(fx_path("migs/003_create_tags.down.sql"));
	run = cli("validate", "--json", NULL, NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.out, "\"valid\":false");
	ck_assert_has(run.out, "{\"kind\":\"missing\",\"id\":\"app/003\","
			       "\"warning\":false");
	fx_run_free(&run);
	run = cli("validate", NULL, NULL, NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.out, "missing");
	ck_assert_has(run.out, "app/003");
	fx_run_free(&run);
}
END_TEST

START_TEST(test_cli_admin_validate_dirty)
{
	fx_run run;

	write_dirty_one();
	run_expect(1, "up", NULL, NULL);
	run = cli("validate", "--json", NULL, NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.out, "{\"kind\":\"dirty\",\"id\":\"app/001\","
			       "\"warning\":false");
	fx_run_free(&run);
	run = cli("validate", NULL, NULL, NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.out, "dirty");
	ck_assert_has(run.out, "app/001");
	fx_run_free(&run);
}
END_TEST

START_TEST(test_cli_admin_validate_out_of_order)
{
	fx_run run;

	write_three();
	remove(fx_path("migs/002_create_posts.up.sql"));
	remove(fx_path("migs/002_create_posts.down.sql"));
	run_expect(0, "up", NULL, NULL);
	write_three();
	run = cli("validate", "--json", NULL, NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.out, "{\"kind\":\"out-of-order\",\"id\":\"app/002\","
			       "\"warning\":false");
	fx_run_free(&run);
}
END_TEST

START_TEST(test_cli_admin_validate_no_down_is_warning)
{
	char line[512];
	fx_run run;

	write_three();
	remove(fx_path("migs/002_create_posts.down.sql"));
	run_expect(0, "up", NULL, NULL);
	run = cli("validate", NULL, NULL, NULL);
	ck_assert_exit(run, 0);
	line_with(run.out, "no-down", line, sizeof(line));
	ck_assert_has(line, "warning");
	ck_assert_has(line, "app/002");
	fx_run_free(&run);
	run = cli("validate", "--json", NULL, NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "\"valid\":true");
	ck_assert_has(run.out, "{\"kind\":\"no-down\",\"id\":\"app/002\","
			       "\"warning\":true");
	ck_assert_lacks(run.out, "\"warning\":false");
	fx_run_free(&run);
}
END_TEST

START_TEST(test_cli_admin_validate_bad_source)
{
	fx_run run;

	write_three();
	fx_write("migs/004_tags.up.sql", "-- dbshift:depends-on app/999\n"
					 "SELECT 1;\n");
	run = cli("validate", "--json", NULL, NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.out, "{\"kind\":\"source\"");
	ck_assert_has(run.out, "app/999");
	fx_run_free(&run);
	ck_assert(!has_table("dbshift_migrations"));
}
END_TEST

START_TEST(test_cli_admin_repair_needs_yes)
{
	char *before;
	fx_run run;

	write_three();
	run_expect(0, "up", NULL, NULL);
	fx_write("migs/001_create_users.up.sql", "CREATE TABLE users (x);\n");
	before = snapshot();
	run = cli("repair", NULL, NULL, NULL);
	ck_assert_exit(run, 2);
	ck_assert_has(run.err, "--yes");
	ck_assert_str_eq(run.out, "");
	fx_run_free(&run);
	assert_snapshot(before);
	free(before);
}
END_TEST

START_TEST(test_cli_admin_repair_checksum)
{
	static const char edited[] = "CREATE TABLE users (id INTEGER);\n";
	char *old_sum, *sum, new_sum[65], expected[256];
	fx_run run;

	write_three();
	run_expect(0, "up", NULL, NULL);
	old_sum = recorded_checksum("app/001");
	fx_write("migs/001_create_users.up.sql", edited);
	checksum_of(edited, new_sum);
	run_expect(1, "validate", NULL, NULL);

	run = cli("repair", "--yes", NULL, NULL);
	ck_assert_exit(run, 0);
	snprintf(expected, sizeof(expected), "app/001: checksum %s -> %s\n",
		 old_sum, new_sum);
	ck_assert_has(run.out, expected);
	ck_assert_has(run.out, "1 change");
	fx_run_free(&run);
	sum = recorded_checksum("app/001");
	ck_assert_str_eq(sum, new_sum);
	free(sum);
	assert_history("app/001,app/002,app/003");

	run = cli("validate", "--json", NULL, NULL);
	ck_assert_exit(run, 0);
	ck_assert_str_eq(run.out, "{\"valid\":true,\"findings\":[]}\n");
	fx_run_free(&run);
	run_expect(0, "up", NULL, NULL);

	/* Nothing left to repair. */
	run = cli("repair", "-y", NULL, NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "nothing to repair");
	fx_run_free(&run);
	free(old_sum);
}
END_TEST

START_TEST(test_cli_admin_repair_dirty)
{
	char *rows;
	fx_run run;

	write_dirty_one();
	run_expect(1, "up", NULL, NULL);
	rows = query("SELECT id || ' ' || state FROM dbshift_migrations");
	ck_assert_str_eq(rows, "app/001 dirty");
	free(rows);

	/* The operator undoes the partial change and fixes the script. */
	free(query("DROP TABLE half"));
	fx_write("migs/001_half.up.sql", "-- dbshift:no-transaction\n"
					 "CREATE TABLE half (x INT);\n");

	run = cli("repair", "-y", NULL, NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "app/001: removed dirty row");
	fx_run_free(&run);
	rows = query("SELECT count(*) FROM dbshift_migrations");
	ck_assert_str_eq(rows, "0");
	free(rows);

	run = cli("up", NULL, NULL, NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.err, "applying app/001 half ... ok");
	fx_run_free(&run);
	assert_history("app/001");
	ck_assert(has_table("half"));
	run_expect(0, "validate", NULL, NULL);
}
END_TEST

START_TEST(test_cli_admin_baseline_needs_yes)
{
	fx_run run;

	write_three();
	run = cli("baseline", "app/002", NULL, NULL);
	ck_assert_exit(run, 2);
	ck_assert_has(run.err, "--yes");
	fx_run_free(&run);
	ck_assert(!has_table("dbshift_migrations"));
	run = cli("baseline", "-y", NULL, NULL);
	ck_assert_exit(run, 2);
	fx_run_free(&run);
	run = cli("baseline", "app/999", "-y", NULL);
	ck_assert_exit(run, 2);
	ck_assert_has(run.err, "app/999");
	fx_run_free(&run);
	ck_assert(!has_table("dbshift_migrations"));
}
END_TEST

START_TEST(test_cli_admin_baseline)
{
	fx_run run;

	write_three();
	run = cli("baseline", "app/002", "--yes", NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "app/001: recorded as applied");
	ck_assert_has(run.out, "app/002: recorded as applied");
	ck_assert_lacks(run.out, "app/003");
	ck_assert_has(run.out, "2 migrations");
	ck_assert_lacks(run.err, "applying");
	fx_run_free(&run);
	assert_history("app/001,app/002");
	ck_assert(!has_table("users"));
	ck_assert(!has_table("posts"));

	/* Again: already recorded the same way, nothing written. */
	run = cli("baseline", "002", "-y", NULL);
	ck_assert_exit(run, 0);
	ck_assert_lacks(run.out, "recorded as applied");
	fx_run_free(&run);
	assert_history("app/001,app/002");

	/* up runs only what the baseline did not cover. */
	run = cli("up", NULL, NULL, NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "applied 1 migration");
	fx_run_free(&run);
	assert_history("app/001,app/002,app/003");
	ck_assert(has_table("tags"));
	ck_assert(!has_table("users"));
}
END_TEST

START_TEST(test_cli_admin_baseline_conflict)
{
	char *before;
	fx_run run;

	write_three();
	run_expect(0, "up", "app/001", NULL);
	fx_write("migs/001_create_users.up.sql", "CREATE TABLE users (x);\n");
	before = snapshot();
	run = cli("baseline", "app/002", "-y", NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.err, "app/001");
	ck_assert_lacks(run.out, "recorded as applied");
	fx_run_free(&run);
	assert_snapshot(before);
	free(before);
}
END_TEST

START_TEST(test_cli_admin_baseline_dirty_conflict)
{
	char *before;
	fx_run run;

	write_dirty_one();
	fx_write("migs/002_next.up.sql", "CREATE TABLE next (x INT);\n");
	run_expect(1, "up", NULL, NULL);
	before = snapshot();
	run = cli("baseline", "app/002", "-y", NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.err, "app/001");
	ck_assert_has(run.err, "dirty");
	fx_run_free(&run);
	assert_snapshot(before);
	free(before);
}
END_TEST

/* A golang-migrate history at version 2 (dirty as given). */
static void write_golang_migrate(int dirty)
{
	fx_run run;
	char sql[160];

	snprintf(sql, sizeof(sql),
		 "CREATE TABLE schema_migrations (version BIGINT NOT NULL "
		 "PRIMARY KEY, dirty BOOLEAN NOT NULL); "
		 "INSERT INTO schema_migrations VALUES (2, %d);",
		 dirty);
	fx_write("gm/1_gm.up.sql", sql);
	run = fx_cli("-u", DB_URL, "-s", "gm", "-t", "gm_history", "up", NULL);
	ck_assert_exit(run, 0);
	fx_run_free(&run);
}

START_TEST(test_cli_admin_adopt)
{
	char *before, *rows;
	fx_run run;

	write_three();
	write_golang_migrate(0);
	before = snapshot();
	/* Usage: --from needed, known tool, --yes without a terminal. */
	run = cli("adopt", "--yes", NULL, NULL);
	ck_assert_exit(run, 2);
	ck_assert_has(run.err, "adopt needs --from TOOL");
	fx_run_free(&run);
	fx_expect_err(2, "unknown tool 'rails'", "-u", DB_URL, "-s", "app=migs",
		      "adopt", "--from", "rails", "--yes", NULL);
	run = cli("adopt", "--from", "golang-migrate", NULL);
	ck_assert_exit(run, 2);
	ck_assert_has(run.err, "--yes");
	fx_run_free(&run);
	run = cli("up", "--from", "golang-migrate", NULL);
	ck_assert_exit(run, 2);
	ck_assert_has(run.err, "'--from' is only valid with 'adopt'");
	fx_run_free(&run);
	/* --dry-run shows the mapping and needs no --yes. */
	run = cli("adopt", "--from", "golang-migrate", "--dry-run");
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "app/001: would record as applied "
			       "(golang-migrate version 2)");
	ck_assert_has(run.out, "app/002: would record");
	ck_assert_lacks(run.out, "app/003");
	ck_assert_has(run.out, "nothing changed");
	fx_run_free(&run);
	assert_snapshot(before);
	free(before);

	run = cli("adopt", "--from", "golang-migrate", "-y");
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "recorded 2 migrations as applied");
	fx_run_free(&run);
	assert_history("app/001,app/002");
	rows = query("SELECT version FROM schema_migrations");
	ck_assert_str_eq(rows, "2"); /* left in place */
	free(rows);
	/* Only once: the history has rows now. */
	fx_expect_err(1, "already has 2 rows", "-u", DB_URL, "-s", "app=migs",
		      "adopt", "--from", "golang-migrate", "-y", NULL);
	run_expect(0, "up", NULL, NULL);
	assert_history("app/001,app/002,app/003");
}
END_TEST

START_TEST(test_cli_admin_adopt_refused)
{
	char *before;
	fx_run run;

	write_three();
	write_golang_migrate(1);
	before = snapshot();
	run = cli("adopt", "--from", "golang-migrate", "-y");
	ck_assert_exit(run, 1);
	ck_assert_has(run.err, "golang-migrate version 2 is dirty");
	fx_run_free(&run);
	run = cli("adopt", "--from", "dbmate", "--from-table");
	ck_assert_exit(run, 2);
	fx_run_free(&run);
	run = fx_cli("-u", DB_URL, "-s", "app=migs", "adopt", "--from", "goose",
		     "--from-table", "gm_history", "-y", NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.err, "cannot read the goose history table "
			       "gm_history");
	fx_run_free(&run);
	fx_expect_err(1, "no flyway history table flyway_schema_history", "-u",
		      DB_URL, "-s", "app=migs", "adopt", "--from", "flyway",
		      "-y", NULL);
	assert_snapshot(before);
	free(before);
}
END_TEST

/* A set named for a runner that takes the whole stem as the version. */
START_TEST(test_cli_admin_naming_stem)
{
	fx_run run;

	fx_write("st/0001_create_table_a.up.sql", "CREATE TABLE a (x INT);");
	fx_write("st/0001_create_table_a.down.sql", "DROP TABLE a;");
	fx_write("st/0001_create_table_b.up.sql", "CREATE TABLE b (x INT);");
	fx_write("st/0001_create_table_b.down.sql", "DROP TABLE b;");
	fx_write("st/0002_c_up.sql", "CREATE TABLE c (x INT);");
	fx_write("st/0002_c_down.sql", "DROP TABLE c;");
	fx_write("st/0003_add_d.up.sql", "CREATE TABLE d (x INT);");
	fx_write("st/0003_add_dd.down.sql", "DROP TABLE d;");
	fx_write("st/0157.up.sql", "-- nothing\n");
	fx_write("st/0157.down.sql", "");
	/* Strict naming refuses it, naming the option that reads it. */
	fx_expect_err(2, "--naming stem", "-u", DB_URL, "-s", "st", "up", NULL);
	fx_expect_err(2, "invalid value 'loose' for '--naming'", "-u", DB_URL,
		      "-s", "st", "--naming", "loose", "up", NULL);
	ck_assert(!has_table("a"));
	run = fx_cli("-u", DB_URL, "-s", "st", "--naming", "stem", "up", NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "applied 5 migrations");
	fx_run_free(&run);
	assert_history("st/0001_create_table_a,st/0001_create_table_b,"
		       "st/0002_c,st/0003_add_d,st/0157");
	ck_assert(has_table("d"));
	run = fx_cli("-u", DB_URL, "-s", "st", "--naming", "stem", "down",
		     "--all", "-y", NULL);
	ck_assert_exit(run, 0);
	fx_run_free(&run);
	assert_history("");
	ck_assert(!has_table("a"));
	ck_assert(!has_table("d"));
	run = fx_cli("-u", DB_URL, "-s", "st", "--naming", "stem", "up", NULL);
	ck_assert_exit(run, 0);
	fx_run_free(&run);
	ck_assert(has_table("c"));
}
END_TEST

/* One run names every bad file: validate lists them, up prints them
 * all and exits 2 without touching the database. */
START_TEST(test_cli_admin_every_source_problem)
{
	fx_run run;

	fx_write("migs/001_ok.up.sql", "SELECT 1;");
	fx_write("migs/002_b_up.sql", "SELECT 1;");
	fx_write("migs/003_c.MySQL.up.sql", "SELECT 1;");
	fx_write("migs/004_d.up.sql", "-- dbshift:bogus\nSELECT 1;");
	run = cli("validate", NULL, NULL, NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.out, "002_b_up.sql");
	ck_assert_has(run.out, "003_c.MySQL.up.sql");
	ck_assert_has(run.out, "004_d.up.sql");
	ck_assert_has(run.out, "invalid: 3 problems");
	fx_run_free(&run);
	run = cli("up", NULL, NULL, NULL);
	ck_assert_exit(run, 2);
	ck_assert_has(run.err, "002_b_up.sql");
	ck_assert_has(run.err, "003_c.MySQL.up.sql");
	ck_assert_has(run.err, "004_d.up.sql");
	ck_assert_has(run.err, "3 problems in the sources; nothing was run");
	fx_run_free(&run);
	ck_assert(!db_exists());
}
END_TEST

START_TEST(test_cli_admin_help)
{
	static const char *const cmds[] = {"plan", "validate", "repair",
					   "baseline", "adopt"};
	char usage[64];
	fx_run run;
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		run = fx_cli(cmds[i], "--help", NULL);
		ck_assert_exit(run, 0);
		snprintf(usage, sizeof(usage), "Usage: dbshift [OPTIONS] %s",
			 cmds[i]);
		ck_assert_has(run.out, usage);
		ck_assert_has(run.out, "Exit status");
		fx_run_free(&run);
	}
	run = fx_cli("--help", NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "plan [TARGET]");
	ck_assert_has(run.out, "validate");
	ck_assert_has(run.out, "repair");
	ck_assert_has(run.out, "baseline TARGET");
	ck_assert_has(run.out, "adopt --from TOOL");
	ck_assert_has(run.out, "--dry-run");
	fx_run_free(&run);
	fx_expect_out(0, "--dry-run", "up", "--help", NULL);
	fx_expect_out(0, "--dry-run", "help", "down", NULL);
}
END_TEST

Suite *cli_admin_suite(void)
{
	Suite *s = suite_create("cli_admin");
	TCase *tc = tcase_create("cli_admin");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_cli_admin_plan_text);
	tcase_add_test(tc, test_cli_admin_plan_json);
	tcase_add_test(tc, test_cli_admin_plan_out_of_order);
	tcase_add_test(tc, test_cli_admin_plan_changed_checksum);
	tcase_add_test(tc, test_cli_admin_up_dry_run_fresh);
	tcase_add_test(tc, test_cli_admin_up_dry_run_changes_nothing);
	tcase_add_test(tc, test_cli_admin_down_dry_run);
	tcase_add_test(tc, test_cli_admin_down_dry_run_empty);
	tcase_add_test(tc, test_cli_admin_dry_run_only_up_down);
	tcase_add_test(tc, test_cli_admin_validate_clean);
	tcase_add_test(tc, test_cli_admin_validate_changed);
	tcase_add_test(tc, test_cli_admin_validate_missing);
	tcase_add_test(tc, test_cli_admin_validate_dirty);
	tcase_add_test(tc, test_cli_admin_validate_out_of_order);
	tcase_add_test(tc, test_cli_admin_validate_no_down_is_warning);
	tcase_add_test(tc, test_cli_admin_validate_bad_source);
	tcase_add_test(tc, test_cli_admin_repair_needs_yes);
	tcase_add_test(tc, test_cli_admin_repair_checksum);
	tcase_add_test(tc, test_cli_admin_repair_dirty);
	tcase_add_test(tc, test_cli_admin_baseline_needs_yes);
	tcase_add_test(tc, test_cli_admin_baseline);
	tcase_add_test(tc, test_cli_admin_baseline_conflict);
	tcase_add_test(tc, test_cli_admin_baseline_dirty_conflict);
	tcase_add_test(tc, test_cli_admin_adopt);
	tcase_add_test(tc, test_cli_admin_adopt_refused);
	tcase_add_test(tc, test_cli_admin_naming_stem);
	tcase_add_test(tc, test_cli_admin_every_source_problem);
	tcase_add_test(tc, test_cli_admin_help);
	tcase_add_test(tc, test_cli_admin_foreign_dialect);
	suite_add_tcase(s, tc);
	return s;
}
