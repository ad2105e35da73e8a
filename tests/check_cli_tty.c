/* SPDX-License-Identifier: MIT */
/*
 * check_cli_tty.c - the dbshift program as a person at a terminal sees it,
 * and the corners of its output that a data case (tests/data/, run by
 * check_clidata.c) cannot reach: what stays here needs C.
 *
 * The terminal tests run the built CLI under a pseudo-terminal (stdin,
 * stdout and stderr all on it, as in an interactive shell), wait for a
 * question, type the answer and check what was asked, the exit status
 * and what the database holds afterwards; one holds a SQLite write lock
 * for a timed while. The others need bytes that are not text (file and
 * directory names that are not UTF-8, control characters in scripts) and
 * check that no raw control byte reaches the output, or need a file size
 * limit, /dev/full, /proc, generated over-long arguments or the clock.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "suites.h"

#define DB_URL "sqlite:test.db"
#define TTY_TIMEOUT_MS 8000
#define FFFD "\\ufffd"

/* ---- running the CLI on a pseudo-terminal ---- */

/* When the terminal shows expect: run action (if any), then type answer
 * (if any). */
struct tty_reply {
	const char *expect;
	const char *answer;
	void (*action)(void);
};

static const char *cli_path(void)
{
	const char *cli = getenv("DBSHIFT_CLI");

	return cli != NULL ? cli : TOP_BUILDDIR "/dbshift";
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The child: a new session whose controlling terminal is the slave, with
 * echo and output processing off so that the transcript is exactly what
 * the program wrote. Colours are left to env: NO_COLOR unset, TERM=xterm
 * unless env says otherwise.
 */
static void tty_child(int master, const char *slave, const char *dir,
		      const char *const *env, const char **args)
{
	struct termios tio;
	int fd;

	close(master);
	if (setsid() < 0 || (fd = open(slave, O_RDWR)) < 0 ||
	    tcgetattr(fd, &tio) != 0)
		_exit(126);
	tio.c_lflag &= ~(tcflag_t)ECHO;
	tio.c_oflag &= ~(tcflag_t)OPOST;
	if (tcsetattr(fd, TCSANOW, &tio) != 0 || dup2(fd, 0) < 0 ||
	    dup2(fd, 1) < 0 || dup2(fd, 2) < 0 || chdir(dir) != 0)
		_exit(126);
	if (fd > 2)
		close(fd);
	unsetenv("DBSHIFT_URL");
	unsetenv("DATABASE_URL");
	unsetenv("NO_COLOR");
	setenv("TERM", "xterm", 1);
	for (; env != NULL && *env != NULL; env++)
		putenv((char *)*env);
	execv(args[0], (char *const *)args);
	_exit(127);
}

/* Append what fd has to *buf (grown as needed); 0 at its end, -1 with
 * EIO on a terminal master once every holder of the slave has gone. */
static ssize_t read_more(int fd, char **buf, size_t *len, size_t *cap)
{
	ssize_t n;

	if (*cap - *len < 4096) {
		*cap = *cap ? *cap * 2 : 8192;
		*buf = realloc(*buf, *cap);
		ck_assert(*buf != NULL);
	}
	do
		n = read(fd, *buf + *len, *cap - *len - 1);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		*len += (size_t)n;
	(*buf)[*len] = '\0';
	return n;
}

/*
 * Run `dbshift ARGV...` on a new pseudo-terminal in the test's directory,
 * answering reply (may be NULL), until the program and every holder of
 * the terminal are gone. Returns the exit status and in out everything
 * the terminal showed (stdout and stderr as one stream; err is ""). Fails
 * the test after TTY_TIMEOUT_MS.
 */
static fx_run tty_cli(const struct tty_reply *reply, const char *const *env,
		      const char *const *argv)
{
	fx_run run = {-1, NULL, NULL};
	const char *dir = fx_tmpdir(), *args[64];
	size_t n = 0, len = 0, cap = 0;
	long long deadline = now_ms() + TTY_TIMEOUT_MS;
	int master, status, replied = 0, timed_out = 0;
	struct pollfd pfd;
	char slave[256];
	pid_t pid;

	args[n++] = cli_path();
	while (*argv != NULL && n < 63)
		args[n++] = *argv++;
	args[n] = NULL;
	master = posix_openpt(O_RDWR | O_NOCTTY);
	ck_assert_msg(master >= 0, "posix_openpt: %s", strerror(errno));
	ck_assert(grantpt(master) == 0 && unlockpt(master) == 0);
	ck_assert(ptsname_r(master, slave, sizeof(slave)) == 0);
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0)
		tty_child(master, slave, dir, env, args);
	pfd.fd = master;
	pfd.events = POLLIN;
	for (;;) {
		long long left = deadline - now_ms();

		if (left <= 0) {
			kill(pid, SIGKILL);
			timed_out = 1;
			break;
		}
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		if (read_more(master, &run.out, &len, &cap) <= 0)
			break;
		if (reply == NULL || replied || !strstr(run.out, reply->expect))
			continue;
		replied = 1;
		if (reply->action != NULL)
			reply->action();
		if (reply->answer != NULL)
			ck_assert(write(master, reply->answer,
					strlen(reply->answer)) ==
				  (ssize_t)strlen(reply->answer));
	}
	close(master);
	while (waitpid(pid, &status, 0) < 0)
		ck_assert(errno == EINTR);
	run.status = WIFEXITED(status) ? WEXITSTATUS(status) :
					 128 + WTERMSIG(status);
	if (run.out == NULL)
		run.out = calloc(1, 1);
	run.err = calloc(1, 1);
	ck_assert_msg(!timed_out,
		      "no end after %d ms; the terminal showed:\n%s",
		      TTY_TIMEOUT_MS, run.out);
	return run;
}

/* `dbshift -u sqlite:test.db -s app=migs ARGS...` on a terminal, typing
 * answer when the terminal shows expect (both may be NULL). */
static fx_run tty_app(const char *expect, const char *answer, const char *arg0,
		      ...)
{
	const char *argv[32] = {"-u", DB_URL, "-s", "app=migs"};
	struct tty_reply reply = {expect, answer, NULL};
	size_t n = 4;
	const char *a;
	va_list ap;

	va_start(ap, arg0);
	for (a = arg0; a != NULL && n < 31; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	return tty_cli(expect != NULL ? &reply : NULL, NULL, argv);
}

/* ---- running the CLI with a limit or a full stdout ---- */

/*
 * Run `dbshift ARGV...` in the test's directory with stdout going to
 * stdout_path and, when fsize_limit >= 0, files limited to that many bytes
 * (SIGXFSZ ignored, so that writes fail with EFBIG as on a full disk).
 * Returns the exit status and stderr; out is "".
 */
static fx_run run_limited(const char *stdout_path, long fsize_limit,
			  const char *const *argv)
{
	fx_run run = {-1, NULL, NULL};
	const char *dir = fx_tmpdir(), *args[64];
	const char *gcov_dir = fx_path(".gcov");
	int err_pipe[2], status;
	size_t n = 0, len = 0, cap = 0;
	pid_t pid;

	args[n++] = cli_path();
	while (*argv != NULL && n < 63)
		args[n++] = *argv++;
	args[n] = NULL;
	ck_assert(pipe(err_pipe) == 0);
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		struct rlimit rl;
		int in = open("/dev/null", O_RDONLY);
		int out = open(stdout_path, O_WRONLY);

		if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
		    dup2(err_pipe[1], 2) < 0 || chdir(dir) != 0)
			_exit(126);
		close(err_pipe[0]);
		if (fsize_limit >= 0) {
			/* A coverage build could not write its data under the
			 * limit and would damage it: send it elsewhere. */
			setenv("GCOV_PREFIX", gcov_dir, 1);
			signal(SIGXFSZ, SIG_IGN);
			rl.rlim_cur = rl.rlim_max = (rlim_t)fsize_limit;
			if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
				_exit(126);
		}
		unsetenv("DBSHIFT_URL");
		unsetenv("DATABASE_URL");
		setenv("NO_COLOR", "1", 1);
		execv(args[0], (char *const *)args);
		_exit(127);
	}
	close(err_pipe[1]);
	while (read_more(err_pipe[0], &run.err, &len, &cap) > 0)
		;
	close(err_pipe[0]);
	while (waitpid(pid, &status, 0) < 0)
		ck_assert(errno == EINTR);
	run.status = WIFEXITED(status) ? WEXITSTATUS(status) :
					 128 + WTERMSIG(status);
	run.out = calloc(1, 1);
	return run;
}

/* ---- migrations and the database ---- */

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

static char *query(const char *sql)
{
	return fx_sqlite_query(fx_path("test.db"), sql);
}

static void assert_query(const char *sql, const char *expected)
{
	char *rows = query(sql);

	ck_assert_str_eq(rows, expected);
	free(rows);
}

/* Every history row as "ID STATE", in order. */
static void assert_rows(const char *expected)
{
	assert_query("SELECT id || ' ' || state FROM dbshift_migrations "
		     "ORDER BY seq",
		     expected);
}

static void assert_history(const char *expected)
{
	assert_query("SELECT id FROM dbshift_migrations WHERE state = "
		     "'applied' ORDER BY seq",
		     expected);
}

static void up_three(void)
{
	fx_copy_fixture("three", "migs");
	run_expect(0, "up", NULL, NULL);
	assert_history("app/001,app/002,app/003");
}

/* Is s free of raw control bytes (newline aside) and of bytes outside a
 * UTF-8 sequence, as JSON output must be whatever the input? */
static int clean_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, i;

	while (*p != '\0') {
		if (*p < 0x80) {
			if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
				return 0;
			p++;
			continue;
		}
		n = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc2 ? 2 : 0;
		if (n == 0 || *p > 0xf4)
			return 0;
		for (i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		p += n;
	}
	return 1;
}

#define ck_assert_clean(text)                                                  \
	ck_assert_msg(clean_text(text),                                        \
		      "raw control or invalid bytes in:\n%s", (text))

/* ---- confirmation on a terminal ---- */

START_TEST(test_cli_tty_down_yes)
{
	fx_run run;

	up_three();
	run = tty_app("[y/N] ", "y\n", "down", "2", NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "Roll back 2 migrations? [y/N] ");
	ck_assert_has(run.out, "reverting app/003 create_tags ... ");
	ck_assert_has(run.out, "rolled back 2 migrations");
	fx_run_free(&run);
	assert_history("app/001");
	ck_assert(!fx_sqlite_has_table(fx_path("test.db"), "posts"));
}
END_TEST

START_TEST(test_cli_tty_down_no)
{
	fx_run run;

	up_three();
	run = tty_app("[y/N] ", "n\n", "down", "--all", NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.out, "Roll back 3 migrations? [y/N] ");
	ck_assert_has(run.out, "dbshift: aborted; nothing rolled back");
	ck_assert_lacks(run.out, "reverting");
	fx_run_free(&run);
	assert_history("app/001,app/002,app/003");
	ck_assert(fx_sqlite_has_table(fx_path("test.db"), "tags"));

	/* End of input is no answer, so no either. */
	run = tty_app("[y/N] ", "\004", "down", "3", NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.out, "aborted");
	fx_run_free(&run);
	assert_history("app/001,app/002,app/003");
}
END_TEST

START_TEST(test_cli_tty_down_target)
{
	fx_run run;

	up_three();
	run = tty_app("[y/N] ", "yes\n", "down", "app/002", NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "Roll back app/002 and the migrations that "
			       "depend on it? [y/N] ");
	ck_assert_has(run.out, "rolled back 2 migrations");
	fx_run_free(&run);
	assert_history("app/001");
}
END_TEST

/* A count above what is applied asks only when more than one will go. */
START_TEST(test_cli_tty_down_one_left)
{
	fx_run run;

	fx_copy_fixture("three", "migs");
	run_expect(0, "up", "app/001", NULL);
	run = tty_app(NULL, NULL, "down", "5", NULL);
	ck_assert_exit(run, 0);
	ck_assert_lacks(run.out, "[y/N]");
	ck_assert_has(run.out, "rolled back 1 migration");
	fx_run_free(&run);
	assert_history("");
	run = tty_app(NULL, NULL, "down", "--all", NULL);
	ck_assert_exit(run, 0);
	ck_assert_lacks(run.out, "[y/N]");
	ck_assert_has(run.out, "nothing to roll back");
	fx_run_free(&run);
}
END_TEST

/* When the history cannot be counted, the question names the request. */
START_TEST(test_cli_tty_down_uncounted)
{
	static const char *const env[] = {
		"DBSHIFT_FLAKY_FAIL_SLOT=table_exists",
		"DBSHIFT_FLAKY_FAIL_AT=1", NULL};
	const char *argv[] = {"--driver-dir",
			      fx_test_driver_dir(),
			      "-u",
			      "flaky:test.db",
			      "-s",
			      "app=migs",
			      "down",
			      "--all",
			      NULL};
	struct tty_reply reply = {"[y/N] ", "y\n", NULL};
	fx_run run;

	fx_copy_fixture("three", "migs");
	argv[6] = "up"; /* first apply everything */
	argv[7] = NULL;
	run = tty_cli(NULL, NULL, argv);
	ck_assert_exit(run, 0);
	fx_run_free(&run);
	argv[6] = "down";
	argv[7] = "--all";
	run = tty_cli(&reply, env, argv);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "Roll back all migrations? [y/N] ");
	ck_assert_has(run.out, "rolled back 3 migrations");
	fx_run_free(&run);
	assert_history("");
}
END_TEST

START_TEST(test_cli_tty_force)
{
	fx_run run;

	fx_copy_fixture("dirty-one", "migs");
	run_expect(1, "up", NULL, NULL);
	run = tty_app("[y/N] ", "n\n", "force", "app/001", NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.out, "Record app/001 as applied without running "
			       "it? [y/N] ");
	ck_assert_has(run.out, "dbshift: aborted; nothing changed");
	fx_run_free(&run);
	assert_rows("app/001 dirty");

	run = tty_app("[y/N] ", "Y\n", "force", "app/001", NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "forced app/001: recorded as applied");
	fx_run_free(&run);
	assert_rows("app/001 applied");
}
END_TEST

START_TEST(test_cli_tty_repair)
{
	char *before;
	fx_run run;

	up_three();
	fx_write("migs/002_create_posts.up.sql", "CREATE TABLE posts (x);\n");
	before = query("SELECT checksum FROM dbshift_migrations "
		       "WHERE id = 'app/002'");

	/* What would change is listed before the question. */
	run = tty_app("[y/N] ", "no\n", "repair", NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.out, "app/002: script changed since it was applied");
	ck_assert_has(run.out, "Make these repairs to the history? [y/N] ");
	ck_assert(strstr(run.out, "app/002: script changed") <
		  strstr(run.out, "Make these repairs"));
	ck_assert_has(run.out, "dbshift: aborted; nothing changed");
	fx_run_free(&run);
	assert_query("SELECT checksum FROM dbshift_migrations "
		     "WHERE id = 'app/002'",
		     before);
	run_expect(1, "validate", NULL, NULL);

	run = tty_app("[y/N] ", "YES\n", "repair", NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "app/002: checksum ");
	ck_assert_has(run.out, "repaired the history: 1 change");
	fx_run_free(&run);
	run_expect(0, "validate", NULL, NULL);
	free(before);

	/* Nothing to repair: no question. */
	run = tty_app(NULL, NULL, "repair", NULL);
	ck_assert_exit(run, 0);
	ck_assert_lacks(run.out, "[y/N]");
	ck_assert_has(run.out, "nothing to repair");
	fx_run_free(&run);
}
END_TEST

/* Bad sources are not asked about: repair reports them itself. */
START_TEST(test_cli_tty_repair_bad_source)
{
	fx_run run;

	up_three();
	fx_write("migs/004_x.up.sql", "-- dbshift:bogus\nSELECT 1;\n");
	run = tty_app(NULL, NULL, "repair", NULL);
	ck_assert_exit(run, 2);
	ck_assert_lacks(run.out, "[y/N]");
	ck_assert_has(run.out, "bogus");
	fx_run_free(&run);
	assert_history("app/001,app/002,app/003");
}
END_TEST

/* The history cannot be read for the question: nothing changes. */
START_TEST(test_cli_tty_repair_unreadable)
{
	static const char *const env[] = {
		"DBSHIFT_FLAKY_FAIL_SLOT=table_exists",
		"DBSHIFT_FLAKY_FAIL_AT=1", NULL};
	const char *argv[] = {"-v",	  "--driver-dir",  fx_test_driver_dir(),
			      "-u",	  "flaky:test.db", "-s",
			      "app=migs", "repair",	   NULL};
	fx_run run;

	up_three();
	fx_write("migs/001_create_users.up.sql", "CREATE TABLE users (x);\n");
	run = tty_cli(NULL, env, argv);
	ck_assert_exit(run, 1);
	ck_assert_lacks(run.out, "[y/N]");
	ck_assert_has(run.out, "dbshift: cannot look up the history table: "
			       "flaky: injected failure");
	ck_assert_has(run.out, "  sqlstate HY000, native code 0");
	fx_run_free(&run);
	run_expect(1, "validate", NULL, NULL);
}
END_TEST

START_TEST(test_cli_tty_baseline)
{
	struct stat st;
	fx_run run;

	fx_copy_fixture("three", "migs");
	run = tty_app("[y/N] ", "n\n", "baseline", "app/002", NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.out, "Record app/002 and the migrations it depends "
			       "on as applied without running them? [y/N] ");
	ck_assert_has(run.out, "dbshift: aborted; nothing changed");
	fx_run_free(&run);
	ck_assert(
		stat(fx_path("test.db"), &st) != 0 ||
		!fx_sqlite_has_table(fx_path("test.db"), "dbshift_migrations"));

	run = tty_app("[y/N] ", "y\n", "baseline", "app/002", NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "baselined at app/002: recorded 2 migrations");
	fx_run_free(&run);
	assert_history("app/001,app/002");
	ck_assert(!fx_sqlite_has_table(fx_path("test.db"), "users"));
}
END_TEST

/* ---- colours ---- */

#define GREEN(s) "\033[32m" s "\033[0m"
#define YELLOW(s) "\033[33m" s "\033[0m"
#define RED(s) "\033[31m" s "\033[0m"

/* app/001 changed, app/002 applied, app/003 pending. */
static void write_mixed_states(void)
{
	fx_copy_fixture("three", "migs");
	run_expect(0, "up", "app/002", NULL);
	fx_write("migs/001_create_users.up.sql", "CREATE TABLE users (x);\n");
}

START_TEST(test_cli_tty_colors)
{
	fx_run run;

	write_mixed_states();
	run = tty_app(NULL, NULL, "status", NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, RED("changed"));
	ck_assert_has(run.out, GREEN("applied"));
	ck_assert_has(run.out, YELLOW("pending"));
	ck_assert_has(run.out, "app/001: checksum ");
	fx_run_free(&run);
	run = tty_app(NULL, NULL, "validate", NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.out, RED("changed"));
	fx_run_free(&run);
	run = tty_app(NULL, NULL, "--ignore-checksums", "up", NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "applying app/003 create_tags ... " GREEN("ok"));
	fx_run_free(&run);
	fx_write("migs/004_bad.up.sql", "SELECT * FROM nowhere;\n");
	run = tty_app(NULL, NULL, "--ignore-checksums", "up", NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.out, "applying app/004 bad ... " RED("FAILED"));
	fx_run_free(&run);
}
END_TEST

/* NO_COLOR (when not empty) and TERM=dumb turn the colours off. */
START_TEST(test_cli_tty_no_color)
{
	static const char *const no_color[] = {"NO_COLOR=1", NULL};
	static const char *const empty_no_color[] = {"NO_COLOR=", NULL};
	static const char *const dumb[] = {"TERM=dumb", NULL};
	static const char *const argv[] = {"-u",       DB_URL,	 "-s",
					   "app=migs", "status", NULL};
	fx_run run;

	write_mixed_states();
	run = tty_cli(NULL, no_color, argv);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "changed");
	ck_assert_lacks(run.out, "\033[");
	fx_run_free(&run);
	run = tty_cli(NULL, dumb, argv);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "pending");
	ck_assert_lacks(run.out, "\033[");
	fx_run_free(&run);
	run = tty_cli(NULL, empty_no_color, argv);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, YELLOW("pending"));
	fx_run_free(&run);
}
END_TEST

/* ---- progress durations ---- */

static sqlite3 *writer;

/* Hold the database's write lock a little over a second, then let go. */
static void release_writer_later(void)
{
	struct timespec pause = {1, 100 * 1000000L};

	nanosleep(&pause, NULL);
	ck_assert(sqlite3_exec(writer, "COMMIT", NULL, NULL, NULL) ==
		  SQLITE_OK);
}

/*
 * A migration that takes over a second (here: waiting for another writer
 * to let go of the database) has its real duration on its progress line,
 * in milliseconds below ten seconds ("1104 ms").
 */
START_TEST(test_cli_tty_slow_migration)
{
	struct tty_reply reply = {"applying app/002 create_posts ... ", NULL,
				  release_writer_later};
	static const char *const argv[] = {"-u",       DB_URL, "-s",
					   "app=migs", "up",   NULL};
	const char *ok;
	fx_run run;
	long ms;

	fx_copy_fixture("three", "migs");
	run_expect(0, "up", "app/001", NULL);
	ck_assert(sqlite3_open(fx_path("test.db"), &writer) == SQLITE_OK);
	ck_assert(sqlite3_exec(writer, "BEGIN IMMEDIATE", NULL, NULL, NULL) ==
		  SQLITE_OK);
	run = tty_cli(&reply, NULL, argv);
	sqlite3_close(writer);
	ck_assert_exit(run, 0);
	ok = strstr(run.out, "create_posts ... " GREEN("ok") " (");
	ck_assert_msg(ok != NULL, "no progress line in:\n%s", run.out);
	ms = strtol(strchr(ok, '(') + 1, NULL, 10);
	ck_assert_msg(ms >= 1100 && ms < 5000, "duration %ld ms in:\n%s", ms,
		      run.out);
	ck_assert_has(ok, " ms)\n");
	fx_run_free(&run);
	assert_history("app/001,app/002,app/003");
}
END_TEST

/* ---- JSON escaping ---- */

/*
 * A file name may hold any byte but '/' and NUL: quotes, backslashes, and
 * bytes that are not UTF-8 (a lone lead or continuation byte, overlong
 * forms, a surrogate, a code point past U+10FFFF, a cut-off sequence).
 */
#define ODD_NAME                                                               \
	"q\"b\\s"                                                              \
	"\xff"                                                                 \
	"\x80"                                                                 \
	"\xc3(\xe0\x80\x80\xed\xa0\x80\xf4\x90\x80\x80\xf0\x80\x80\x80"        \
	"_\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xe2\x82"
#define ODD_NAME_ESC                                                           \
	"q\\\"b\\\\s" FFFD FFFD FFFD "(" FFFD FFFD FFFD FFFD FFFD FFFD FFFD    \
		FFFD FFFD FFFD FFFD FFFD FFFD FFFD                             \
	"_\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" FFFD FFFD
#define ODD_NAME_JSON "\"" ODD_NAME_ESC "\""

static void write_odd_names(void)
{
	fx_write("migs/001_" ODD_NAME ".up.sql", "CREATE TABLE t1 (a INT);\n");
	fx_write("lib/1_base.up.sql", "CREATE TABLE base (a INT);\n");
	fx_write("migs/002_two_deps.up.sql",
		 "-- dbshift:depends-on app/001 lib/1\nSELECT 1;\n");
}

START_TEST(test_cli_tty_json_status_names)
{
	fx_run run;

	write_odd_names();
	run = fx_cli("-u", DB_URL, "-s", "app=migs", "-s", "lib=lib", "status",
		     "--json", NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "\"name\":" ODD_NAME_JSON ",\"state\"");
	ck_assert_has(run.out, "\"depends_on\":[\"app/001\",\"lib/1\"]");
	ck_assert_clean(run.out);
	fx_run_free(&run);
}
END_TEST

START_TEST(test_cli_tty_json_plan_names)
{
	fx_run run;

	write_odd_names();
	run = fx_cli("-u", DB_URL, "-s", "app=migs", "-s", "lib=lib", "plan",
		     "--json", NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "\"name\":" ODD_NAME_JSON ",\"file\":");
	ck_assert_has(run.out, "\"file\":\"migs/001_" ODD_NAME_ESC ".up.sql\"");
	ck_assert_has(run.out, "\"depends_on\":[\"app/001\",\"lib/1\"]");
	ck_assert_clean(run.out);
	fx_run_free(&run);
}
END_TEST

/* Error messages carry what the database said, control bytes and all. */
START_TEST(test_cli_tty_json_error_message)
{
	fx_run run;

	fx_write("migs/001_half.up.sql",
		 "-- dbshift:no-transaction\n"
		 "CREATE TABLE half (x INT);\n"
		 "SELECT * FROM \"t\\\tq\b\f\x7f\x01\";\n");
	run_expect(1, "up", NULL, NULL);
	run = cli("status", "--json", NULL, NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "\"state\":\"dirty\"");
	ck_assert_has(run.out, "no such table: t\\\\");
	ck_assert_has(run.out, "q\\b\\f\\u007f\\u0001\"}");
	ck_assert_clean(run.out);
	fx_run_free(&run);
	run = cli("validate", "--json", NULL, NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.out, "(SELECT * FROM \\\"t\\\\\\tq\\b\\f\\u007f");
	ck_assert_clean(run.out);
	fx_run_free(&run);
}
END_TEST

/* ---- terminal-safe human output ---- */

/* What a hostile script or stored error may try on a terminal: clear the
 * screen, set the window title (ended by BEL), a C1 CSI (U+009B) and a
 * lone 0x9b byte, DEL and a carriage return that would hide the line. */
#define HOSTILE                                                                \
	"\033[2J\033]0;pwned\a\xc2\x9b"                                        \
	"2J\x9b\x7f\rX"
/* As shown: the first line of it (messages are folded onto one line,
 * and a statement is shown up to its first line break). */
#define HOSTILE_SHOWN "\\x1b[2J\\x1b]0;pwned\\x07\\xc2\\x9b2J\\x9b\\x7f"

static void write_hostile(void)
{
	fx_write("migs/001_half.up.sql", "-- dbshift:no-transaction\n"
					 "CREATE TABLE half (x INT);\n"
					 "SELECT * FROM \"" HOSTILE "\";\n");
}

/* Fail unless out and err hold no raw escape, BEL, DEL, C1 or invalid
 * byte, and err shows the hostile text escaped. */
static void assert_defused(fx_run run)
{
	ck_assert_clean(run.out);
	ck_assert_clean(run.err);
}

/*
 * Control characters from a failed statement (the error, the statement
 * shown under it) and from the error a dirty history row keeps (status,
 * validate) reach the terminal escaped as \xNN; JSON escapes them its
 * own way (above).
 */
START_TEST(test_cli_tty_escapes_control_chars)
{
	fx_run run;

	write_hostile();
	run = cli("up", NULL, NULL, NULL);
	ck_assert_exit(run, 1);
	assert_defused(run);
	ck_assert_has(run.err, "no such table: " HOSTILE_SHOWN);
	ck_assert_has(run.err, "  statement 2: SELECT * FROM \"" HOSTILE_SHOWN);
	fx_run_free(&run);
	run = cli("status", NULL, NULL, NULL);
	ck_assert_exit(run, 0);
	assert_defused(run);
	ck_assert_has(run.out, HOSTILE_SHOWN);
	fx_run_free(&run);
	run = cli("validate", NULL, NULL, NULL);
	ck_assert_exit(run, 1);
	assert_defused(run);
	ck_assert_has(run.out, HOSTILE_SHOWN);
	fx_run_free(&run);
	run = cli("up", "--dry-run", NULL, NULL);
	assert_defused(run);
	fx_run_free(&run);
}
END_TEST

/* On a real terminal too, and the program's own colours still work. */
START_TEST(test_cli_tty_escapes_on_terminal)
{
	fx_run run;

	write_hostile();
	run = tty_app(NULL, NULL, "up", NULL);
	ck_assert_exit(run, 1);
	ck_assert_lacks(run.out, "\033[2J");
	ck_assert_lacks(run.out, "\033]0;");
	ck_assert_lacks(run.out, "\xc2\x9b");
	ck_assert_has(run.out, "\\x1b[2J");
	ck_assert_has(run.out, RED("FAILED"));
	fx_run_free(&run);
	run = tty_app(NULL, NULL, "status", NULL);
	ck_assert_lacks(run.out, "\033[2J");
	ck_assert_has(run.out, "\\x1b]0;pwned\\x07");
	fx_run_free(&run);
}
END_TEST

/* Valid UTF-8 is shown as it is, however the output is cut into writes. */
START_TEST(test_cli_tty_utf8_kept)
{
	char name[9000];
	size_t i, o = 0;
	fx_run run;

	/* Longer than a stdio buffer, so some sequence is cut in two. */
	for (i = 0; o + 8 < sizeof(name); i++)
		o += (size_t)snprintf(name + o, sizeof(name) - o, "%s",
				      i % 3 == 0 ? "\xc3\xa9" :
				      i % 3 == 1 ? "\xe2\x82\xac" :
						   "\xf0\x9f\x98\x80");
	fx_write("migs/001_z.up.sql", name);
	run = cli("up", "--dry-run", NULL, NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, name);
	ck_assert_lacks(run.out, "\\x");
	fx_run_free(&run);
}
END_TEST

/* A driver path holds whatever its directory's name holds. */
START_TEST(test_cli_tty_json_driver_path)
{
	static const char *const env[] = {"DBSHIFT_DRIVER_PATH=", NULL};
	const char *argv[] = {"--driver-dir", "dr\n\r\"\\\x01\xffv", "drivers",
			      "--json", NULL};
	fx_run run;

	fx_write("dr\n\r\"\\\x01\xffv/driver_bogus.so", "not a module");
	run = fx_cli_env(env, argv);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "{\"name\":\"bogus\",\"dialect\":null,"
			       "\"version\":null,\"abi\":null,\"schemes\":[],"
			       "\"path\":\"dr\\n\\r\\\"\\\\\\u0001" FFFD
			       "v/driver_bogus.so\",\"error\":\"");
	ck_assert_clean(run.out);
	fx_run_free(&run);
}
END_TEST

/* An empty search path: a note, not an error. (The installed driver
 * directory is never searched by the tests: fx_env_init.) */
START_TEST(test_cli_tty_no_drivers)
{
	static const char *const env[] = {"DBSHIFT_DRIVER_PATH=", NULL};
	static const char *const argv[] = {"--driver-dir", "none", "drivers",
					   NULL};
	fx_run run;

	fx_mkdir("none");
	run = fx_cli_env(env, argv);
	ck_assert_exit(run, 0);
	ck_assert_str_eq(run.out, "");
	ck_assert_has(run.err, "dbshift: no drivers found");
	fx_run_free(&run);
}
END_TEST

/* ---- error details ---- */

/* A URL too long to redact is not shown at all. */
START_TEST(test_cli_tty_url_too_long)
{
	char url[1200];
	const char *argv[] = {"-v",	  "-u",	    url, "-s",
			      "app=migs", "status", NULL};
	fx_run run;

	memset(url, 'x', sizeof(url) - 1);
	url[sizeof(url) - 1] = '\0';
	memcpy(url, "sqlite:nodir/", strlen("sqlite:nodir/"));
	fx_mkdir("migs");
	run = fx_cli_env(NULL, argv);
	ck_assert_exit(run, 1);
	ck_assert_has(run.err, "url: (URL not shown) (--url)");
	ck_assert_has(run.err, "dbshift: cannot connect to ");
	ck_assert_lacks(run.err, url);
	fx_run_free(&run);
}
END_TEST

/* ---- nothing to do, and failures of up, down and redo ---- */

/* ---- help, options and stdout ---- */

/* Output that cannot be written is a failure, not a silent success. */
START_TEST(test_cli_tty_stdout_full)
{
	static const char *const argv[] = {"--help", NULL};
	fx_run run = run_limited("/dev/full", -1, argv);

	ck_assert_exit(run, 1);
	ck_assert_has(run.err, "dbshift: cannot write the output: ");
	fx_run_free(&run);
}
END_TEST

/* ---- new and embed cannot write ---- */

/* Count the entries of dir whose names start with prefix ("" for all),
 * "." and ".." aside. */
static int count_entries(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *ent;
	int n = 0;

	ck_assert_msg(d != NULL, "opendir %s: %s", dir, strerror(errno));
	while ((ent = readdir(d)) != NULL)
		n += strcmp(ent->d_name, ".") != 0 &&
		     strcmp(ent->d_name, "..") != 0 &&
		     strncmp(ent->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

START_TEST(test_cli_tty_new_path_too_long)
{
	static char huge[5000];
	char dir[4085];
	size_t i;

	/* Past PATH_MAX outright. */
	memset(huge, 'h', sizeof(huge) - 1);
	fx_expect_err(2, ": path too long", "-s", huge, "new", "a", NULL);

	/* A directory that fits, but not with the new file names in it. */
	for (i = 0; i < sizeof(dir) - 1; i++)
		dir[i] = i % 200 == 199 ? '/' : 'd';
	dir[sizeof(dir) - 1] = '\0';
	fx_expect_err(2, ": path too long", "-s", dir, "new", "a", NULL);
	ck_assert(chdir(fx_tmpdir()) == 0);
	ck_assert_int_eq(count_entries(dir, ""), 0);
}
END_TEST

/*
 * Versions already taken in the next seconds - by a flat file, a folder or
 * a bare VERSION.up.sql - are skipped; a longer version that merely starts
 * with the same digits is not in the way.
 */
START_TEST(test_cli_tty_new_version_taken)
{
	char version[32], name[64], first_free[32];
	time_t now = time(NULL);
	struct tm tm;
	fx_run run;
	int i;

	for (i = 0; i < 6; i++) {
		time_t t = now + i;

		ck_assert(gmtime_r(&t, &tm) != NULL);
		strftime(version, sizeof(version), "%Y%m%d%H%M%S", &tm);
		if (i % 3 == 0)
			snprintf(name, sizeof(name), "migs/%s_x.up.sql",
				 version);
		else if (i % 3 == 1)
			snprintf(name, sizeof(name), "migs/%s/up.sql", version);
		else
			snprintf(name, sizeof(name), "migs/%s.up.sql", version);
		fx_write(name, "SELECT 1;\n");
	}
	now += 6;
	ck_assert(gmtime_r(&now, &tm) != NULL);
	strftime(first_free, sizeof(first_free), "%Y%m%d%H%M%S", &tm);
	snprintf(name, sizeof(name), "migs/%s1_longer.up.sql", first_free);
	fx_write(name, "SELECT 1;\n");

	run = fx_cli("-s", "migs", "new", "next", NULL);
	ck_assert_exit(run, 0);
	ck_assert_msg(strncmp(run.out, "migs/", 5) == 0 &&
			      strncmp(run.out + 5, first_free, 14) >= 0,
		      "%s is not at or after %s", run.out, first_free);
	ck_assert_has(run.out, "_next.up.sql\n");
	fx_run_free(&run);
}
END_TEST

/* A directory where files cannot be created (even by root). */
START_TEST(test_cli_tty_new_cannot_create)
{
	struct stat st;
	fx_run run;

	if (stat("/proc/self/fd", &st) != 0)
		return; /* no procfs here */
	run = fx_cli("-s", "/proc/self/fd", "new", "a", NULL);
	ck_assert_exit(run, 1);
	ck_assert_has(run.err, "dbshift: cannot create /proc/self/fd/");
	ck_assert_has(run.err, "_a.up.sql: ");
	fx_run_free(&run);
}
END_TEST

/* A full disk part way: neither file is left behind. */
START_TEST(test_cli_tty_new_disk_full)
{
	static const char *const argv[] = {"-s", "migs", "new", "a", NULL};
	fx_run run;

	fx_mkdir("migs");
	run = run_limited("/dev/null", 8, argv);
	ck_assert_exit(run, 1);
	ck_assert_has(run.err, "dbshift: cannot write migs/");
	ck_assert_has(run.err, "File too large");
	fx_run_free(&run);
	ck_assert_int_eq(count_entries(fx_path("migs"), ""), 0);
}
END_TEST

START_TEST(test_cli_tty_embed_output_is_directory)
{
	static const char *const argv[] = {"embed", "migs", "-o", "out.c",
					   NULL};
	fx_run run;

	fx_write("migs/001_a.up.sql", "CREATE TABLE a (x INT);\n");
	fx_mkdir("out.c");
	run = fx_cli_env(NULL, argv);
	ck_assert_exit(run, 1);
	ck_assert_has(run.err, "dbshift: cannot write out.c: ");
	fx_run_free(&run);
	ck_assert_int_eq(count_entries(fx_tmpdir(), "out.c.tmp-"), 0);
	ck_assert_int_eq(count_entries(fx_path("out.c"), ""), 0);
}
END_TEST

/* A full disk part way: the old FILE.c stays as it was, no temp file. */
START_TEST(test_cli_tty_embed_disk_full)
{
	static const char *const argv[] = {"embed", "migs", "-o", "out.c",
					   NULL};
	char *kept;
	fx_run run;

	fx_write("migs/001_a.up.sql", "CREATE TABLE a (x INT);\n");
	fx_write("out.c", "/* the previous build */\n");
	run = run_limited("/dev/null", 100, argv);
	ck_assert_exit(run, 1);
	ck_assert_has(run.err, "File too large");
	fx_run_free(&run);
	kept = fx_read(fx_path("out.c"));
	ck_assert_str_eq(kept, "/* the previous build */\n");
	free(kept);
	ck_assert_int_eq(count_entries(fx_tmpdir(), "out.c.tmp-"), 0);
}
END_TEST

Suite *cli_tty_suite(void)
{
	Suite *s = suite_create("cli_tty");
	TCase *tc = tcase_create("cli_tty");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_cli_tty_down_yes);
	tcase_add_test(tc, test_cli_tty_down_no);
	tcase_add_test(tc, test_cli_tty_down_target);
	tcase_add_test(tc, test_cli_tty_down_one_left);
	tcase_add_test(tc, test_cli_tty_down_uncounted);
	tcase_add_test(tc, test_cli_tty_force);
	tcase_add_test(tc, test_cli_tty_repair);
	tcase_add_test(tc, test_cli_tty_repair_bad_source);
	tcase_add_test(tc, test_cli_tty_repair_unreadable);
	tcase_add_test(tc, test_cli_tty_baseline);
	tcase_add_test(tc, test_cli_tty_colors);
	tcase_add_test(tc, test_cli_tty_no_color);
	tcase_add_test(tc, test_cli_tty_slow_migration);
	tcase_add_test(tc, test_cli_tty_json_status_names);
	tcase_add_test(tc, test_cli_tty_json_plan_names);
	tcase_add_test(tc, test_cli_tty_json_error_message);
	tcase_add_test(tc, test_cli_tty_json_driver_path);
	tcase_add_test(tc, test_cli_tty_escapes_control_chars);
	tcase_add_test(tc, test_cli_tty_escapes_on_terminal);
	tcase_add_test(tc, test_cli_tty_utf8_kept);
	tcase_add_test(tc, test_cli_tty_no_drivers);
	tcase_add_test(tc, test_cli_tty_url_too_long);
	tcase_add_test(tc, test_cli_tty_stdout_full);
	tcase_add_test(tc, test_cli_tty_new_path_too_long);
	tcase_add_test(tc, test_cli_tty_new_version_taken);
	tcase_add_test(tc, test_cli_tty_new_cannot_create);
	tcase_add_test(tc, test_cli_tty_new_disk_full);
	tcase_add_test(tc, test_cli_tty_embed_output_is_directory);
	tcase_add_test(tc, test_cli_tty_embed_disk_full);
	suite_add_tcase(s, tc);
	return s;
}
