/* SPDX-License-Identifier: MIT */
/*
 * check_cli.c - the tests of the dbshift program that need C. A case that
 * only runs the program and checks its exit status, its output and the
 * database is a data file in tests/data/ (format: tests/data/README, run
 * by check_clidata.c); what is left here needs a program around the run:
 * a resource limit (ulimit -f), the test-server script and the bash
 * completion run through a shell, /proc/PID/cmdline of a running process
 * waiting on a socket, and file names made from the clock (new).
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

/* Applied ids in application order, e.g. "app/001,app/002". */
static char *history(const char *table)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
		 "SELECT id FROM %s WHERE state = 'applied' ORDER BY seq",
		 table);
	return fx_sqlite_query(fx_path("test.db"), sql);
}

static void assert_history(const char *expected)
{
	char *ids = history("dbshift_migrations");

	ck_assert_str_eq(ids, expected);
	free(ids);
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
	fx_copy_fixture("three", "migs");
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

Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("cli");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_cli_file_size_limit);
	tcase_add_test(tc, test_cli_bash_completion);
	tcase_add_test(tc, test_cli_test_servers_no);
	tcase_add_test(tc, test_cli_url_hidden_from_ps);
	tcase_add_test(tc, test_cli_new);
	suite_add_tcase(s, tc);
	return s;
}
