/* SPDX-License-Identifier: MIT */
/*
 * check_cli.c - integration tests of the dbshift program: each test runs
 * the built CLI (fx_cli) in its own temporary directory against a SQLite
 * file there, and checks the exit status, what went to stdout and stderr,
 * and what the database holds afterwards. Cases that only run the program
 * and check its exit, output and database are data files in tests/data/
 * (run by check_clidata.c); these are the ones being moved there.
 */
#include <arpa/inet.h>
#include <check.h>
#include <fcntl.h>
#include <libgen.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dbshift/dbshift.h"
#include "dialects.h"
#include "fixture.h"
#include "suites.h"

#define DB_URL "sqlite:test.db"

/* Three migrations in migs/, each creating one table. */
static void write_three(void)
{
	fx_write("migs/001_create_users.up.sql",
		 "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n");
	fx_write("migs/001_create_users.down.sql", "DROP TABLE users;\n");
	fx_write("migs/002_create_posts.up.sql",
		 "CREATE TABLE posts (id INTEGER PRIMARY KEY, body TEXT);\n");
	fx_write("migs/002_create_posts.down.sql", "DROP TABLE posts;\n");
	fx_write("migs/003_create_tags.up.sql",
		 "CREATE TABLE tags (id INTEGER PRIMARY KEY);\n");
	fx_write("migs/003_create_tags.down.sql", "DROP TABLE tags;\n");
	fx_write("migs/README", "not a migration\n");
}

/* Applied ids in application order, e.g. "app/001,app/002". */
static char *history(const char *table)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
		 "SELECT id FROM %s WHERE state = 'applied' ORDER BY seq",
		 table);
	return fx_sqlite_query(fx_path("test.db"), sql);
}

/* Does test.db exist and hold table? */
static int db_has_table(const char *table)
{
	struct stat st;

	if (stat(fx_path("test.db"), &st) != 0)
		return 0;
	return fx_sqlite_has_table(fx_path("test.db"), table);
}

static void assert_history(const char *expected)
{
	char *ids = history("dbshift_migrations");

	ck_assert_str_eq(ids, expected);
	free(ids);
}

/* `dbshift -u sqlite:test.db -s app=migs ARGS...` must succeed. */
static void run_ok(const char *a, const char *b, const char *c)
{
	fx_run run = fx_cli("-u", DB_URL, "-s", "app=migs", a, b, c, NULL);

	ck_assert_exit(run, 0);
	fx_run_free(&run);
}

/* A file size limit (ulimit -f) reached while a migration writes is a
 * failed migration with an error, not a process killed by SIGXFSZ half
 * way; the database keeps what it had. */
START_TEST(test_cli_file_size_limit)
{
	struct rlimit lim = {256 * 1024, 256 * 1024};
	fx_run run;

	fx_write("migs/001_create_users.up.sql",
		 "CREATE TABLE users (id INTEGER);\n");
	fx_write("migs/002_big.up.sql",
		 "CREATE TABLE big (b BLOB);\n"
		 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
		 "FROM n WHERE i < 64)\n"
		 "INSERT INTO big SELECT randomblob(16384) FROM n;\n");
	run = fx_cli("-u", DB_URL, "-s", "app=migs", "up", "001", NULL);
	ck_assert_exit(run, 0);
	fx_run_free(&run);
	ck_assert(setrlimit(RLIMIT_FSIZE, &lim) == 0);
	run = fx_cli("-u", DB_URL, "-s", "app=migs", "up", NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.err, "applying app/002 big ... FAILED");
	ck_assert_has(run.err, "dbshift: app/002: cannot commit transaction");
	fx_run_free(&run);
	assert_history("app/001");
	ck_assert(!fx_sqlite_has_table(fx_path("test.db"), "big"));
}
END_TEST

/* --lock-timeout 0 does not wait for a live lease (the library's own 0
 * means its default of 60 seconds; the command line maps its 0 to
 * DBSHIFT_LOCK_NO_WAIT). */
START_TEST(test_cli_lock_timeout_zero_no_wait)
{
	fx_run run;

	fx_write("migs/001_a.up.sql", "CREATE TABLE t1 (id INT);\n");
	fx_db_exec(fx_sqlite_url("test.db"),
		   "CREATE TABLE dbshift_locks (lock_key VARCHAR(255) NOT NULL "
		   "PRIMARY KEY, owner VARCHAR(255) NOT NULL, expires_at "
		   "BIGINT NOT NULL); INSERT INTO dbshift_locks VALUES "
		   "('dbshift:dbshift_migrations', 'alive:1:1', 4000000000);");
	alarm(20);
	run = fx_cli("-u", DB_URL, "-s", "app=migs", "--lock=table",
		     "--lock-timeout", "0", "up", NULL);
	alarm(0);
	ck_assert_exit(run, 1);
	ck_assert_has(run.err, "timed out after 0 s");
	fx_run_free(&run);
}
END_TEST

/* Packagers' knob: DBSHIFT_TEST_SERVERS=no starts no server, marks every
 * server dialect skipped and says so; with DBSHIFT_TEST_REQUIRE_SERVERS=1
 * it is refused. */
START_TEST(test_cli_test_servers_no)
{
	char cmd[2048], out[512];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd),
		 "env DBSHIFT_TEST_SERVERS=no DBSHIFT_TEST_REQUIRE_SERVERS=0 "
		 "DBSHIFT_TEST_PG_URL=x '%s' sh -c 'echo "
		 "\"pg=$DBSHIFT_TEST_SKIP_PG "
		 "my=$DBSHIFT_TEST_SKIP_MYSQL url=${DBSHIFT_TEST_PG_URL:-}\"' "
		 "2>&1",
		 TOP_SRCDIR "/tests/with-servers.sh");
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_has(out, "DBSHIFT_TEST_SERVERS=no: PostgreSQL, MariaDB, "
			   "Galera and PgBouncer tests are SKIPPED");
	ck_assert_has(out, "pg=1 my=1 url=\n");
	snprintf(cmd, sizeof(cmd),
		 "env DBSHIFT_TEST_SERVERS=no DBSHIFT_TEST_REQUIRE_SERVERS=1 "
		 "'%s' true 2>/dev/null",
		 TOP_SRCDIR "/tests/with-servers.sh");
	ck_assert_int_ne(system(cmd), 0);
}
END_TEST

/* The bash completion offers the commands and options that the program's
 * own --help lists, so it cannot fall behind it. */
static char *complete(const char *words, int cword)
{
	char cmd[4096];
	char *cli = strdup(getenv("DBSHIFT_CLI"));
	char *dir = dirname(cli);
	FILE *p;
	char *out = malloc(4096);
	size_t n;

	snprintf(cmd, sizeof(cmd),
		 "PATH='%s':\"$PATH\" bash -c 'source \"%s\"; "
		 "COMP_WORDS=(%s); COMP_CWORD=%d; _dbshift; "
		 "echo \"${COMPREPLY[*]}\"'",
		 dir, TOP_SRCDIR "/cli/completion/dbshift", words, cword);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, 4095, p);
	out[n] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	free(cli);
	return out;
}

START_TEST(test_cli_bash_completion)
{
	char *got;

	got = complete("dbshift ''", 1);
	ck_assert_has(got, "up down redo status plan validate");
	ck_assert_has(got, "drivers");
	free(got);
	got = complete("dbshift --lock", 1);
	ck_assert_str_eq(got, "--lock-timeout --lock\n");
	free(got);
	/* Only the option column is read: a quote or parenthesis in a
	 * description would break compgen and complete nothing. */
	got = complete("dbshift -", 1);
	ck_assert_has(got, "--naming");
	ck_assert_ptr_null(strpbrk(got, "'()"));
	free(got);
	got = complete("dbshift -u sqlite:x.db st", 3);
	ck_assert_str_eq(got, "status\n");
	free(got);
	got = complete("dbshift --yes dow", 2);
	ck_assert_str_eq(got, "down\n");
	free(got);
}
END_TEST

START_TEST(test_cli_malformed_file)
{
	write_three();
	fx_write("migs/004_missing_direction.sql", "SELECT 1;\n");
	fx_expect_err(2, "004_missing_direction.sql", "-u", DB_URL, "-s",
		      "app=migs", "up", NULL);
	ck_assert(!db_has_table("users"));
}
END_TEST

START_TEST(test_cli_missing_source_dir)
{
	fx_run run = fx_cli("-u", DB_URL, "-s", "app=nowhere", "up", NULL);

	ck_assert_exit(run, 2);
	ck_assert_has(run.err, "nowhere");
	fx_run_free(&run);
}
END_TEST

START_TEST(test_cli_bad_url)
{
	write_three();
	fx_expect_err(2, "dbshift: ", "-u", "no-scheme-here", "-s", "app=migs",
		      "up", NULL);
	fx_expect_err(2, "nosuch", "-u", "nosuch://h/db", "-s", "app=migs",
		      "up", NULL);
}
END_TEST

START_TEST(test_cli_url_password_hidden)
{
	static const char *const env[] = {
		"DBSHIFT_URL=nosuch://user:s3cret@h/db", NULL};
	static const char *const argv[] = {"-v", "-s", "app=migs", "status",
					   NULL};
	fx_run run;

	write_three();
	run = fx_cli("-v", "-u", "nosuch://user:s3cret@h/db", "-s", "app=migs",
		     "up", NULL);
	ck_assert_msg(run.status != 0, "%s", run.err);
	ck_assert_has(run.err, "dbshift: ");
	ck_assert_lacks(run.err, "s3cret");
	ck_assert_lacks(run.out, "s3cret");
	fx_run_free(&run);
	run = fx_cli_env(env, argv);
	ck_assert_msg(run.status != 0, "%s", run.err);
	ck_assert_lacks(run.err, "s3cret");
	ck_assert_lacks(run.out, "s3cret");
	fx_run_free(&run);
}
END_TEST

/* --url-file: read from a file only its owner may read; refused (naming
 * the file) when others may, when missing or empty, and beside --url. */
START_TEST(test_cli_url_file)
{
	write_three();
	fx_write("url", "sqlite:test.db\n# a comment line\n");
	ck_assert_int_eq(chmod(fx_path("url"), 0644), 0);
	fx_expect_err(2,
		      "URL file url may be read or written by others "
		      "(mode 0644)",
		      "--url-file", "url", "-s", "app=migs", "up", NULL);
	ck_assert_int_eq(chmod(fx_path("url"), 0600), 0);
	fx_expect_err(0, "applying app/003", "--url-file", "url", "-s",
		      "app=migs", "up", NULL);
	fx_expect_err(0, "url: sqlite:test.db (--url-file)", "-v", "--url-file",
		      "url", "-s", "app=migs", "status", NULL);
	ck_assert_int_eq(chmod(fx_path("url"), 0400), 0);
	fx_expect_err(0, "(--url-file)", "-v", "--url-file", "url", "-s",
		      "app=migs", "status", NULL);
	fx_expect_err(2, "cannot open URL file nofile", "--url-file", "nofile",
		      "status", NULL);
	fx_expect_err(2, "cannot be used together", "--url-file", "url", "-u",
		      "sqlite:x.db", "status", NULL);
	fx_write("empty", "\n");
	ck_assert_int_eq(chmod(fx_path("empty"), 0600), 0);
	fx_expect_err(2, "URL file empty does not begin with a URL",
		      "--url-file", "empty", "status", NULL);
}
END_TEST

/* The program overwrites the URL in its argv, so that `ps`
 * (/proc/PID/cmdline) does not show the password while it runs: here it
 * waits on a server that never answers. */
START_TEST(test_cli_url_hidden_from_ps)
{
	const char *cli = getenv("DBSHIFT_CLI");
	struct sockaddr_in addr;
	socklen_t addr_len = sizeof(addr);
	char url[256], cmdline[4096], path[64], migs[1024];
	int listener, hidden = 0, tries, fd;
	ssize_t n = 0, i;
	pid_t pid;

	FX_NEED_DRIVER(FX_POSTGRES);
	listener = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(listener, 0);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(listener, (struct sockaddr *)&addr, addr_len), 0);
	ck_assert_int_eq(listen(listener, 4), 0);
	ck_assert_int_eq(
		getsockname(listener, (struct sockaddr *)&addr, &addr_len), 0);
	snprintf(url, sizeof(url),
		 "postgres://u:Ps5ecretArgv@127.0.0.1:%d/db?connect_timeout=5",
		 ntohs(addr.sin_port));
	/* The sources are read before the connection is made. */
	write_three();
	snprintf(migs, sizeof(migs), "%s", fx_path("migs"));
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execl(cli != NULL ? cli : TOP_BUILDDIR "/dbshift", "dbshift",
		      "-u", url, "-s", migs, "status", (char *)NULL);
		_exit(127);
	}
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	for (tries = 0; tries < 100 && !hidden; tries++) {
		usleep(50000);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			break;
		n = read(fd, cmdline, sizeof(cmdline) - 1);
		close(fd);
		for (i = 0; i < n; i++)
			if (cmdline[i] == '\0')
				cmdline[i] = ' ';
		cmdline[n > 0 ? n : 0] = '\0';
		hidden = strstr(cmdline, "Ps5ecret") == NULL &&
			 strstr(cmdline, "status") != NULL;
	}
	/* Still running (not a zombie that exited early, e.g. on bad input). */
	ck_assert_msg(n > 0, "dbshift exited before connecting");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(listener);
	ck_assert_msg(hidden, "password still in %s: %s", path, cmdline);
	ck_assert_ptr_nonnull(strstr(cmdline, "-u postgres:*"));
}
END_TEST

START_TEST(test_cli_options_after_command)
{
	fx_run run;

	write_three();
	run = fx_cli("up", "--source", "app=migs", "--url", DB_URL, NULL);
	ck_assert_exit(run, 0);
	fx_run_free(&run);
	assert_history("app/001,app/002,app/003");
	fx_expect_out(0, "\"id\":\"app/003\"", "status", "-s", "app=migs", "-u",
		      DB_URL, "--json", NULL);
}
END_TEST

START_TEST(test_cli_default_source)
{
	fx_run run;

	fx_write("migrations/001_one.up.sql", "CREATE TABLE one (x);\n");
	run = fx_cli("-u", DB_URL, "up", NULL);
	ck_assert_exit(run, 0);
	fx_run_free(&run);
	assert_history("migrations/001");
}
END_TEST

START_TEST(test_cli_source_dir_name)
{
	fx_run run;

	write_three();
	run = fx_cli("-u", DB_URL, "-s", "migs", "up", "migs/001", NULL);
	ck_assert_exit(run, 0);
	fx_run_free(&run);
	assert_history("migs/001");
}
END_TEST

START_TEST(test_cli_env_url)
{
	static const char *const both[] = {"DBSHIFT_URL=sqlite:a.db",
					   "DATABASE_URL=sqlite:b.db", NULL};
	static const char *const database_only[] = {"DATABASE_URL=sqlite:b.db",
						    NULL};
	static const char *const up[] = {"-s", "app=migs", "up", NULL};
	static const char *const up_url[] = {"-u",	 "sqlite:c.db", "-s",
					     "app=migs", "up",		NULL};
	struct stat st;
	fx_run run;

	write_three();
	run = fx_cli_env(both, up);
	ck_assert_exit(run, 0);
	fx_run_free(&run);
	ck_assert(fx_sqlite_has_table(fx_path("a.db"), "users"));
	ck_assert_int_ne(stat(fx_path("b.db"), &st), 0);

	run = fx_cli_env(database_only, up);
	ck_assert_exit(run, 0);
	fx_run_free(&run);
	ck_assert(fx_sqlite_has_table(fx_path("b.db"), "users"));

	run = fx_cli_env(both, up_url);
	ck_assert_exit(run, 0);
	fx_run_free(&run);
	ck_assert(fx_sqlite_has_table(fx_path("c.db"), "users"));
}
END_TEST

START_TEST(test_cli_default_url)
{
	fx_run run;

	write_three();
	run = fx_cli("-s", "app=migs", "up", NULL);
	ck_assert_exit(run, 0);
	fx_run_free(&run);
	ck_assert(fx_sqlite_has_table(fx_path("dbshift.db"), "users"));
}
END_TEST

/* The path of a file `new` printed, checked to exist. */
static void assert_created(const char *line_start, const char *suffix)
{
	char path[1024];
	size_t len = strcspn(line_start, "\n");
	struct stat st;

	ck_assert(len < sizeof(path));
	memcpy(path, line_start, len);
	path[len] = '\0';
	ck_assert_msg(len > strlen(suffix) &&
			      strcmp(path + len - strlen(suffix), suffix) == 0,
		      "%s does not end in %s", path, suffix);
	ck_assert_msg(stat(fx_path(path), &st) == 0, "%s missing", path);
}

START_TEST(test_cli_new)
{
	fx_run run, again;
	const char *base;
	size_t i;

	run = fx_cli("new", "add_users", "-s", "db/migs", NULL);
	ck_assert_exit(run, 0);
	ck_assert_msg(strncmp(run.out, "db/migs/", 8) == 0, "%s", run.out);
	base = run.out + 8;
	for (i = 0; i < 14; i++)
		ck_assert_msg(base[i] >= '0' && base[i] <= '9', "%s", run.out);
	ck_assert_msg(strncmp(base + 14, "_add_users.up.sql\n", 18) == 0, "%s",
		      run.out);
	assert_created(run.out, "_add_users.up.sql");
	assert_created(strchr(run.out, '\n') + 1, "_add_users.down.sql");

	again = fx_cli("new", "add_users", "-s", "db/migs", NULL);
	ck_assert_exit(again, 0);
	ck_assert_str_ne(again.out, run.out);
	assert_created(again.out, "_add_users.up.sql");
	fx_run_free(&again);
	fx_run_free(&run);

	fx_expect_err(2, "bad name", "new", "bad name", NULL);
	run = fx_cli("new", NULL);
	ck_assert_exit(run, 2);
	fx_run_free(&run);
}
END_TEST

START_TEST(test_cli_new_then_up)
{
	fx_run run;

	run = fx_cli("new", "first", NULL);
	ck_assert_exit(run, 0);
	fx_run_free(&run);
	fx_expect_out(0, "applied 1 migration", "-u", DB_URL, "up", NULL);
}
END_TEST

START_TEST(test_cli_drivers)
{
	fx_run run = fx_cli("drivers", NULL);

	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "NAME");
	ck_assert_has(run.out, "sqlite");
	ck_assert_has(run.out, "driver_sqlite");
	fx_run_free(&run);
	run = fx_cli("drivers", "--json", NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "{\"drivers\":[");
	ck_assert_has(run.out, "\"name\":\"sqlite\"");
	ck_assert_has(run.out, "\"schemes\":[\"");
	fx_run_free(&run);
}
END_TEST

START_TEST(test_cli_drivers_broken)
{
	fx_run run =
		fx_cli("--driver-dir", fx_test_driver_dir(), "drivers", NULL);

	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "driver_noentry");
	ck_assert_has(run.out, "error:");
	fx_run_free(&run);
}
END_TEST

/* A driver of another ABI early on the path is passed over with a
 * warning on stderr when a compatible one follows. */
START_TEST(test_cli_driver_skipped_warning)
{
	char target[1024], env[1100];
	const char *argv[] = {"--driver-dir", NULL,	"-u",
			      "oldminor:x",   "status", NULL};
	const char *envs[] = {env, NULL};
	fx_run run;

	fx_mkdir("new");
	snprintf(target, sizeof(target), "%s/driver_genericnew.so",
		 fx_test_driver_dir());
	ck_assert_int_eq(symlink(target, fx_path("new/driver_oldminor.so")), 0);
	argv[1] = fx_path("new");
	snprintf(env, sizeof(env), "DBSHIFT_DRIVER_PATH=%s",
		 fx_test_driver_dir());
	run = fx_cli_env(envs, argv);
	/* The run goes on (and stops at the missing migrations/). */
	ck_assert_exit(run, 2);
	ck_assert_has(run.err, "dbshift: warning: driver oldminor: skipped "
			       "incompatible ");
	ck_assert_has(run.err, "new/driver_oldminor.so (built for driver "
			       "ABI 2.");
	ck_assert_has(run.err, "migration directory 'migrations'");
	fx_run_free(&run);
}
END_TEST

START_TEST(test_cli_table)
{
	fx_run run;
	char *ids;

	write_three();
	run = fx_cli("-u", DB_URL, "-s", "app=migs", "--table", "my_history",
		     "up", NULL);
	ck_assert_exit(run, 0);
	fx_run_free(&run);
	ck_assert(fx_sqlite_has_table(fx_path("test.db"), "my_history"));
	ck_assert(
		!fx_sqlite_has_table(fx_path("test.db"), "dbshift_migrations"));
	ids = history("my_history");
	ck_assert_str_eq(ids, "app/001,app/002,app/003");
	free(ids);
	run = fx_cli("-u", DB_URL, "-s", "app=migs", "-t", "bad name;", "up",
		     NULL);
	ck_assert_exit(run, 2);
	fx_run_free(&run);
}
END_TEST

START_TEST(test_cli_lock_kind)
{
	fx_run run;

	write_three();
	run = fx_cli("-u", DB_URL, "-s", "app=migs", "--lock=table", "up",
		     NULL);
	ck_assert_exit(run, 0);
	fx_run_free(&run);
	ck_assert(fx_sqlite_has_table(fx_path("test.db"), "dbshift_locks"));
	run = fx_cli("-u", DB_URL, "-s", "app=migs", "--lock", "advisory",
		     "down", NULL);
	ck_assert_exit(run, 0);
	fx_run_free(&run);
	run = fx_cli("-u", DB_URL, "--lock=sometimes", "up", NULL);
	ck_assert_exit(run, 2);
	ck_assert_ptr_nonnull(strstr(run.err, "sometimes"));
	fx_run_free(&run);
	/* status -v says which lock commands take, and why. */
	fx_expect_err(0, "lock: session lock (auto): the sqlite driver's", "-u",
		      DB_URL, "-s", "app=migs", "status", "-v", NULL);
	fx_expect_err(0, "lock: session lock, as asked (--lock=session)", "-u",
		      DB_URL, "-s", "app=migs", "--lock=session", "status",
		      "-v", NULL);
	fx_expect_err(0, "lock: lease row in dbshift_locks, as asked", "-u",
		      DB_URL, "-s", "app=migs", "--lock=table", "status", "-v",
		      NULL);
	fx_expect_err(2, "expected auto, session or table", "-u", DB_URL,
		      "--lock=sometimes", "status", NULL);
}
END_TEST

START_TEST(test_cli_force)
{
	fx_run run;

	fx_write("migs/001_a.up.sql", "-- dbshift:no-transaction\n"
				      "CREATE TABLE a (x INT);\n"
				      "CREATE TABLE a (x INT);\n");
	run = fx_cli("-u", DB_URL, "-s", "app=migs", "up", NULL);
	ck_assert_exit(run, 1);
	fx_run_free(&run);
	run = fx_cli("-u", DB_URL, "-s", "app=migs", "up", NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.err, "dirty");
	ck_assert_has(run.err, "dbshift force app/001");
	ck_assert_has(run.err, "dbshift repair");
	fx_run_free(&run);
	fx_expect_err(2, "--yes", "-u", DB_URL, "-s", "app=migs", "force",
		      "app/001", NULL);
	run = fx_cli("-u", DB_URL, "-s", "app=migs", "force", "app/001", "-y",
		     NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "app/001");
	fx_run_free(&run);
	run = fx_cli("-u", DB_URL, "-s", "app=migs", "up", NULL);
	ck_assert_exit(run, 0);
	fx_run_free(&run);
	run = fx_cli("-u", DB_URL, "-s", "app=migs", "force", "app/001", "-y",
		     NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.err, "not dirty");
	fx_run_free(&run);
	run = fx_cli("-u", DB_URL, "-s", "app=migs", "force", "-y", NULL);
	ck_assert_exit(run, 2);
	fx_run_free(&run);
	fx_expect_out(0, "Exit status", "force", "--help", NULL);
}
END_TEST

START_TEST(test_cli_context)
{
	fx_run run;

	fx_write("migs/001_t.up.sql", "CREATE TABLE t (a INT);\n");
	fx_write("migs/002_seed.up.sql", "-- dbshift:contexts dev\n"
					 "INSERT INTO t VALUES (1);\n");
	run_ok("up", NULL, NULL);
	run = fx_cli("-u", DB_URL, "-s", "app=migs", "status", NULL);
	ck_assert_has(run.out, "skipped");
	fx_run_free(&run);
	run = fx_cli("-u", DB_URL, "-s", "app=migs", "--context", "dev", "up",
		     NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "applied 1 migration");
	fx_run_free(&run);
}
END_TEST

Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("cli");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_cli_file_size_limit);
	tcase_add_test(tc, test_cli_bash_completion);
	tcase_add_test(tc, test_cli_lock_timeout_zero_no_wait);
	tcase_add_test(tc, test_cli_test_servers_no);
	tcase_add_test(tc, test_cli_malformed_file);
	tcase_add_test(tc, test_cli_missing_source_dir);
	tcase_add_test(tc, test_cli_bad_url);
	tcase_add_test(tc, test_cli_url_password_hidden);
	tcase_add_test(tc, test_cli_url_file);
	tcase_add_test(tc, test_cli_url_hidden_from_ps);
	tcase_add_test(tc, test_cli_options_after_command);
	tcase_add_test(tc, test_cli_default_source);
	tcase_add_test(tc, test_cli_source_dir_name);
	tcase_add_test(tc, test_cli_env_url);
	tcase_add_test(tc, test_cli_default_url);
	tcase_add_test(tc, test_cli_new);
	tcase_add_test(tc, test_cli_new_then_up);
	tcase_add_test(tc, test_cli_drivers);
	tcase_add_test(tc, test_cli_drivers_broken);
	tcase_add_test(tc, test_cli_driver_skipped_warning);
	tcase_add_test(tc, test_cli_table);
	tcase_add_test(tc, test_cli_lock_kind);
	tcase_add_test(tc, test_cli_force);
	tcase_add_test(tc, test_cli_context);
	suite_add_tcase(s, tc);
	return s;
}
