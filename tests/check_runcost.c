/* SPDX-License-Identifier: MIT */
/*
 * check_runcost.c - tests of the work a run does, not of its result: a run
 * reads each script it needs once and nothing else (an up never reads a
 * down script; a down reads only the down scripts it runs, all of them
 * before it changes anything), a file is read with a single read() call,
 * the history is read once per run (and once more under the lock), and a
 * run connects once however many migrations it applies. Speed itself is
 * measured by bench/run.sh, not here.
 *
 * Reads are counted through the directory source's reader hook
 * (dbshift__dir_read_script) and through a link-time wrapper of read()
 * (-Wl,--wrap=read, like check_oom.c's allocation wrappers); driver calls
 * through the counting knobs of the flaky test driver. On PostgreSQL the
 * messages the client sends are counted through send(), which the test
 * program defines (exported with --export-dynamic-symbol, so libpq in the
 * driver module binds to it) and forwards to the C library's: a migration
 * run through the driver's exec_recorded slot must cost one message.
 */
#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dialects.h"
#include "directory.h"
#include "fixture.h"
#include "suites.h"
#include "util.h"

/* The knobs of tests/drivers/flaky.c (see its header). */
#define ENV_FAIL_AT "DBSHIFT_FLAKY_FAIL_AT"
#define ENV_FAIL_SLOT "DBSHIFT_FLAKY_FAIL_SLOT"
#define ENV_CALLS "DBSHIFT_FLAKY_CALLS"

#define MAX_READS 64

/* What the reader hook saw: the files read, in order. */
static char *reads[MAX_READS];
static int n_reads;
static const char *fail_suffix; /* a read of a file ending so fails */

/* read() calls counted by the wrapper while counting is on. */
static int count_syscalls;
static int n_syscalls;

ssize_t __real_read(int fd, void *buf, size_t count);
ssize_t __wrap_read(int fd, void *buf, size_t count);

ssize_t __wrap_read(int fd, void *buf, size_t count)
{
	if (count_syscalls)
		n_syscalls++;
	return __real_read(fd, buf, count);
}

/* send() calls counted while count_sends is set. */
static int count_sends;
static int n_sends;

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	static ssize_t (*real_send)(int, const void *, size_t, int);

	if (real_send == NULL)
		*(void **)&real_send = dlsym(RTLD_NEXT, "send");
	if (real_send == NULL) {
		errno = ENOSYS;
		return -1;
	}
	if (count_sends)
		n_sends++;
	return real_send(fd, buf, len, flags);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t len = strlen(s), n = strlen(suffix);

	return len >= n && strcmp(s + len - n, suffix) == 0;
}

/* The reader hook: record file, fail it when asked, else read it. */
static int counting_read(const char *file, char **text, size_t *len)
{
	ck_assert_int_lt(n_reads, MAX_READS);
	reads[n_reads++] = strdup(file);
	if (fail_suffix != NULL && ends_with(file, fail_suffix)) {
		*text = NULL;
		*len = 0;
		return -EACCES;
	}
	return dbshift__read_file(file, text, len);
}

static void reads_reset(void)
{
	while (n_reads > 0)
		free(reads[--n_reads]);
}

/* How many of the files read end with suffix. */
static int reads_ending(const char *suffix)
{
	int i, n = 0;

	for (i = 0; i < n_reads; i++)
		n += ends_with(reads[i], suffix);
	return n;
}

static void setup(void)
{
	dbshift__dir_read_script = counting_read;
	fail_suffix = NULL;
}

static void teardown(void)
{
	dbshift__dir_read_script = dbshift__read_file;
	reads_reset();
}

/*
 * Three migrations in both layouts: flat with a down, a folder with a
 * down and a SQLite variant of it, and a flat one without a down.
 */
static void write_migrations(void)
{
	fx_write("m/001_a.up.sql", "CREATE TABLE a (x INTEGER);\n");
	fx_write("m/001_a.down.sql", "DROP TABLE a;\n");
	fx_mkdir("m/002_b");
	fx_write("m/002_b/up.sql", "CREATE TABLE b (x INTEGER);\n");
	fx_write("m/002_b/down.sql", "DROP TABLE nonexistent_b;\n");
	fx_mkdir("m/002_b/sqlite");
	fx_write("m/002_b/sqlite/down.sql", "DROP TABLE b;\n");
	fx_write("m/003_c.up.sql", "CREATE TABLE c (x INTEGER);\n");
	fx_write("m/003_c.down.sql", "DROP TABLE c;\n");
}

static dbshift_runner *new_runner(const char *url, const char *driver_dir)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_runner *r = NULL;
	dbshift_source *src = NULL;

	opts.url = url;
	opts.driver_dir = driver_dir;
	opts.lock_timeout = DBSHIFT_LOCK_NO_WAIT;
	ck_assert_msg(dbshift_runner_new(&r, &opts) == 0, "%s",
		      dbshift_runner_error(r)->message);
	ck_assert_int_eq(dbshift_source_dir_new(&src, "app", fx_path("m")), 0);
	ck_assert_int_eq(dbshift_runner_add_source(r, src), 0);
	return r;
}

static void expect_ok(dbshift_runner *r, int rc)
{
	ck_assert_msg(rc == 0, "%d: %s", rc, dbshift_runner_error(r)->message);
}

/* Tables of the SQLite database rel, as "a,b," (sorted). */
static char *tables_of(const char *rel)
{
	return fx_sqlite_query(fx_path(rel),
			       "SELECT group_concat(name || ',', '') FROM "
			       "(SELECT name FROM sqlite_master WHERE type = "
			       "'table' AND name NOT LIKE 'dbshift%' ORDER BY "
			       "name)");
}

/* A SQLite runner that applied write_migrations(); the reads it made
 * are left for the caller to look at. */
static dbshift_runner *applied_runner(void)
{
	dbshift_runner *r;
	int n = -1;

	write_migrations();
	r = new_runner(fx_sqlite_url("t.db"), fx_driver_dir());
	expect_ok(r, dbshift_runner_up(r, NULL, &n));
	ck_assert_int_eq(n, 3);
	return r;
}

START_TEST(test_runcost_up_never_reads_down_scripts)
{
	dbshift_runner *r;
	int n = -1;

	r = applied_runner();
	ck_assert_int_eq(reads_ending("down.sql"), 0);
	ck_assert_int_eq(reads_ending("up.sql"), 3);
	ck_assert_int_eq(n_reads, 3);
	reads_reset();
	/* The no-op: each up script once, for its checksum; no down. */
	expect_ok(r, dbshift_runner_up(r, NULL, &n));
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(n_reads, 3);
	ck_assert_int_eq(reads_ending("down.sql"), 0);
	ck_assert_int_eq(reads_ending("m/001_a.up.sql"), 1);
	ck_assert_int_eq(reads_ending("m/002_b/up.sql"), 1);
	ck_assert_int_eq(reads_ending("m/003_c.up.sql"), 1);
	reads_reset();
	/* status does not need down scripts either. */
	{
		dbshift_status *st = NULL;

		expect_ok(r, dbshift_runner_status(r, &st));
		ck_assert_uint_eq(dbshift_status_count(st), 3);
		ck_assert_int_eq(dbshift_status_get(st, 0)->has_down, 1);
		dbshift_status_free(st);
	}
	ck_assert_int_eq(reads_ending("down.sql"), 0);
	dbshift_runner_free(r);
}
END_TEST

START_TEST(test_runcost_down_reads_only_its_scripts)
{
	dbshift_runner *r;
	char *tables;
	int n = -1;

	r = applied_runner();
	reads_reset();
	expect_ok(r, dbshift_runner_down(r, 2, NULL, &n));
	ck_assert_int_eq(n, 2);
	/* 003's down and 002's SQLite variant; never 002's generic down
	 * (it would fail) nor 001's, which is not rolled back. */
	ck_assert_int_eq(reads_ending("down.sql"), 2);
	ck_assert_int_eq(reads_ending("m/003_c.down.sql"), 1);
	ck_assert_int_eq(reads_ending("m/002_b/sqlite/down.sql"), 1);
	tables = tables_of("t.db");
	ck_assert_str_eq(tables, "a,");
	free(tables);
	dbshift_runner_free(r);
}
END_TEST

START_TEST(test_runcost_unreadable_down_stops_before_any_change)
{
	const dbshift_error *e;
	dbshift_runner *r;
	char *tables;
	int n = -1;

	r = applied_runner();
	/* The oldest of the three downs cannot be read: nothing may be
	 * rolled back, not even the two newer ones that come first. */
	fail_suffix = "001_a.down.sql";
	ck_assert_int_eq(dbshift_runner_down(r, -1, NULL, &n), DBSHIFT_ESOURCE);
	ck_assert_int_eq(n, 0);
	e = dbshift_runner_error(r);
	ck_assert_has(e->message, "001_a.down.sql");
	ck_assert_has(e->message, strerror(EACCES));
	ck_assert_has(e->file, "001_a.down.sql");
	tables = tables_of("t.db");
	ck_assert_str_eq(tables, "a,b,c,");
	free(tables);
	/* Once it can be read, the same down goes through. */
	fail_suffix = NULL;
	expect_ok(r, dbshift_runner_down(r, -1, NULL, &n));
	ck_assert_int_eq(n, 3);
	dbshift_runner_free(r);
}
END_TEST

/* A plan of down shows the scripts it would run, read when planned. */
START_TEST(test_runcost_down_plan_shows_deferred_script)
{
	dbshift_runner *r;
	dbshift_plan *plan = NULL;

	r = applied_runner();
	reads_reset();
	expect_ok(r, dbshift_runner_plan_down(r, 1, NULL, &plan));
	ck_assert_uint_eq(dbshift_plan_count(plan), 1);
	ck_assert_str_eq(dbshift_plan_get(plan, 0)->sql, "DROP TABLE c;\n");
	ck_assert_int_eq(reads_ending("down.sql"), 1);
	dbshift_plan_free(plan);
	dbshift_runner_free(r);
}
END_TEST

/* A whole file in one read(): its size is known, so is where it ends. */
START_TEST(test_runcost_read_file_is_one_read)
{
	static const size_t sizes[] = {0, 1, 4095, 4096, 70000};
	char *text, *content;
	size_t i, len;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		content = malloc(sizes[i] + 1);
		ck_assert_ptr_nonnull(content);
		memset(content, 'x', sizes[i]);
		content[sizes[i]] = '\0';
		fx_write("f.sql", content);
		n_syscalls = 0;
		count_syscalls = 1;
		ck_assert_int_eq(
			dbshift__read_file(fx_path("f.sql"), &text, &len), 0);
		count_syscalls = 0;
		ck_assert_int_eq(n_syscalls, 1);
		ck_assert_uint_eq(len, sizes[i]);
		ck_assert_str_eq(text, content);
		free(text);
		free(content);
	}
	ck_assert_int_eq(dbshift__read_file(fx_path("none.sql"), &text, &len),
			 -ENOENT);
	ck_assert_ptr_null(text);
}
END_TEST

/* Count the calls of one slot of the flaky driver from now on. */
static void count_slot(const char *slot)
{
	setenv(ENV_FAIL_AT, "1000000", 1);
	setenv(ENV_FAIL_SLOT, slot, 1);
	setenv(ENV_CALLS, "0", 1);
}

static int slot_calls(void)
{
	const char *calls = getenv(ENV_CALLS);

	return calls != NULL ? (int)strtol(calls, NULL, 10) : -1;
}

/* A runner on the flaky driver (counting, never failing) over the
 * migrations of write_migrations(). */
static dbshift_runner *flaky_runner_on(const char *driver)
{
	char url[1100];

	write_migrations();
	snprintf(url, sizeof(url), "%s:%s", driver, fx_path("f.db"));
	return new_runner(url, fx_test_driver_dir());
}

static void teardown_db(void)
{
	unsetenv(ENV_FAIL_AT);
	teardown();
}

/*
 * Apply the three migrations, run a no-op up and roll two back with one
 * runner on the flaky driver named driver, counting the calls of slot
 * during each of
 * the three commands; expected holds the three counts.
 */
static void count_calls_on(const char *driver, const char *slot,
			   const int expected[3])
{
	dbshift_runner *r = flaky_runner_on(driver);
	int n = -1;

	count_slot(slot);
	expect_ok(r, dbshift_runner_up(r, NULL, &n));
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(slot_calls(), expected[0]);
	count_slot(slot);
	expect_ok(r, dbshift_runner_up(r, NULL, &n));
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(slot_calls(), expected[1]);
	count_slot(slot);
	expect_ok(r, dbshift_runner_down(r, 2, NULL, &n));
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(slot_calls(), expected[2]);
	dbshift_runner_free(r);
}

static void count_calls(const char *slot, const int expected[3])
{
	count_calls_on("flaky", slot, expected);
}

/* The runner connects once, not once per command or migration. */
START_TEST(test_runcost_one_connection_per_runner)
{
	static const int opens[3] = {1, 0, 0};

	count_calls("open", opens);
}
END_TEST

START_TEST(test_runcost_history_read_once_per_run)
{
	/* up: the table is missing (looked up, not queried), then one
	 * insert per migration; the no-op: one read and no lock; down: one
	 * read, one more under the lock, and one delete per migration. */
	static const int queries[3] = {3, 1, 2 + 2};

	count_calls("query", queries);
}
END_TEST

/* The driver with exec_recorded gets each transactional migration, up or
 * down, in one call. */
START_TEST(test_runcost_batch_one_call_per_migration)
{
	static const int batches[3] = {3, 0, 2};

	count_calls_on("flakybatch", "exec_recorded", batches);
}
END_TEST

/* The history rows of the flaky database, as "app/001,app/002," */
static char *history_of(void)
{
	return fx_sqlite_query(
		fx_path("f.db"),
		"SELECT group_concat(id || ',', '') FROM "
		"(SELECT id FROM dbshift_migrations ORDER BY id)");
}

/*
 * The second migration's batch fails: at the slot call fail_at counts
 * (slot NULL: its script fails on its own). The run stops with an error
 * naming it and saying words; neither its table nor its row is left; the
 * next run applies it.
 */
static void batch_fails(const char *slot, const char *fail_at,
			const char *words)
{
	dbshift_runner *r = flaky_runner_on("flakybatch");
	int n = -1;
	char *text;

	if (slot != NULL) {
		setenv(ENV_FAIL_SLOT, slot, 1);
		setenv(ENV_CALLS, "0", 1);
		setenv(ENV_FAIL_AT, fail_at, 1);
	}
	ck_assert_int_ne(dbshift_runner_up(r, NULL, &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(dbshift_runner_error(r)->migration, "app/002");
	ck_assert_msg(strstr(dbshift_runner_error(r)->message, words) != NULL,
		      "%s", dbshift_runner_error(r)->message);
	dbshift_runner_free(r);
	unsetenv(ENV_FAIL_AT);
	text = tables_of("f.db");
	ck_assert_str_eq(text, "a,");
	free(text);
	text = history_of();
	ck_assert_str_eq(text, "app/001,");
	free(text);
	fx_write("m/002_b/sqlite/up.sql", "CREATE TABLE b (x INTEGER);\n");
	r = flaky_runner_on("flakybatch");
	expect_ok(r, dbshift_runner_up(r, NULL, &n));
	ck_assert_int_eq(n, 2);
	dbshift_runner_free(r);
	text = history_of();
	ck_assert_str_eq(text, "app/001,app/002,app/003,");
	free(text);
}

START_TEST(test_runcost_batch_script_fails)
{
	write_migrations();
	fx_write("m/002_b/sqlite/up.sql", "CREATE TABLE b (x INTEGER);\n"
					  "\n"
					  "INSERT INTO nowhere VALUES (1);\n");
	batch_fails(NULL, NULL, "no such table: nowhere");
}
END_TEST

START_TEST(test_runcost_batch_record_fails)
{
	/* The first up finds no table: its queries are the inserts. */
	batch_fails("query", "2", "app/002: cannot insert history row");
}
END_TEST

START_TEST(test_runcost_batch_commit_fails)
{
	batch_fails("commit", "2", "app/002: ");
}
END_TEST

/* Messages the client sent while an up on url applied expected
 * migrations (connecting included: the runner connects in its first
 * command). */
static int sends_of_up(const char *url, int expected)
{
	dbshift_runner *r = new_runner(url, fx_driver_dir());
	int n = -1;

	n_sends = 0;
	count_sends = 1;
	expect_ok(r, dbshift_runner_up(r, NULL, &n));
	count_sends = 0;
	ck_assert_int_eq(n, expected);
	dbshift_runner_free(r);
	return n_sends;
}

/*
 * On PostgreSQL a migration is one message, script and history row
 * (begin and commit too): an up of three costs two messages more than an
 * up of one, where begin, script, insert and commit one after the other
 * cost eight more. The server measures the script's time.
 */
START_TEST(test_runcost_pg_one_message_per_migration)
{
	int one, three;
	char url[512];
	char *text;

	FX_USE_DIALECT(url);
	fx_write("m/001_a.up.sql", "CREATE TABLE a (x INTEGER);\n");
	sends_of_up(url, 1);
	fx_write("m/002_b.up.sql", "CREATE TABLE b (x INTEGER);\n"
				   "INSERT INTO b VALUES (1);\n");
	one = sends_of_up(url, 1);
	fx_write("m/003_c.up.sql", "CREATE TABLE c (x INTEGER);\n");
	fx_write("m/004_d.up.sql", "SELECT pg_sleep(0.3);\n");
	fx_write("m/005_e.up.sql", "CREATE INDEX c_x ON c (x);\n");
	three = sends_of_up(url, 3);
	ck_assert_msg(three - one == 2, "up of 1: %d messages, up of 3: %d",
		      one, three);
	text = fx_db_query(url, "SELECT execution_ms >= 250 FROM "
				"dbshift_migrations WHERE id = 'app/004'");
	ck_assert_str_eq(text, "t");
	free(text);
}
END_TEST

/* A statement of the batch fails on PostgreSQL: the error names it, and
 * nothing of the migration is left, its row least of all. */
START_TEST(test_runcost_pg_batch_failure_leaves_nothing)
{
	int n = -1;
	dbshift_runner *r;
	char url[512];
	char *text;

	FX_USE_DIALECT(url);
	fx_write("m/001_a.up.sql", "CREATE TABLE a (x INTEGER);\n");
	fx_write("m/002_b.up.sql", "CREATE TABLE b (x INTEGER);\n"
				   "INSERT INTO b VALUES (1);\n"
				   "\n"
				   "INSERT INTO b VALUES (1 / 0);\n"
				   "CREATE TABLE b2 (x INTEGER);\n");
	r = new_runner(url, fx_driver_dir());
	ck_assert_int_eq(dbshift_runner_up(r, NULL, &n), DBSHIFT_EMIGRATION);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(dbshift_runner_error(r)->migration, "app/002");
	ck_assert_str_eq(dbshift_runner_error(r)->sqlstate, "22012");
	ck_assert_msg(strstr(dbshift_runner_error(r)->message,
			     "statement 3 at line 4") != NULL,
		      "%s", dbshift_runner_error(r)->message);
	ck_assert(!fx_db_has_table(url, "b"));
	text = fx_db_query(url, "SELECT id FROM dbshift_migrations");
	ck_assert_str_eq(text, "app/001");
	free(text);
	/* The connection is usable again: no transaction was left open. */
	fx_write("m/002_b.up.sql", "CREATE TABLE b (x INTEGER);\n");
	expect_ok(r, dbshift_runner_up(r, NULL, &n));
	ck_assert_int_eq(n, 1);
	dbshift_runner_free(r);
	ck_assert(fx_db_has_table(url, "b"));
}
END_TEST

Suite *runcost_suite(void)
{
	Suite *s = suite_create("runcost");
	TCase *tc = tcase_create("reads");
	TCase *tc_db = tcase_create("database");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_runcost_up_never_reads_down_scripts);
	tcase_add_test(tc, test_runcost_down_reads_only_its_scripts);
	tcase_add_test(tc,
		       test_runcost_unreadable_down_stops_before_any_change);
	tcase_add_test(tc, test_runcost_down_plan_shows_deferred_script);
	tcase_add_test(tc, test_runcost_read_file_is_one_read);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tc_db, setup, teardown_db);
	tcase_add_test(tc_db, test_runcost_one_connection_per_runner);
	tcase_add_test(tc_db, test_runcost_history_read_once_per_run);
	tcase_add_test(tc_db, test_runcost_batch_one_call_per_migration);
	tcase_add_test(tc_db, test_runcost_batch_script_fails);
	tcase_add_test(tc_db, test_runcost_batch_record_fails);
	tcase_add_test(tc_db, test_runcost_batch_commit_fails);
	/* The loop index is the dialect: PostgreSQL only. */
	tcase_add_loop_test(tc_db, test_runcost_pg_one_message_per_migration,
			    FX_POSTGRES, FX_POSTGRES + 1);
	tcase_add_loop_test(tc_db, test_runcost_pg_batch_failure_leaves_nothing,
			    FX_POSTGRES, FX_POSTGRES + 1);
	suite_add_tcase(s, tc_db);
	return s;
}
