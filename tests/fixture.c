/* SPDX-License-Identifier: MIT */
/*
 * fixture.c - shared test helpers (see fixture.h). Every test runs in its
 * own forked process (CK_FORK), so the static state here is per test.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"

static char tmpdir[512];
static pid_t tmpdir_owner;

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_tmpdir(void)
{
	if (tmpdir[0] != '\0' && tmpdir_owner == getpid() &&
	    getenv("DBSHIFT_TEST_KEEP") == NULL)
		nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fx_tmpdir(void)
{
	const char *base;

	if (tmpdir[0] != '\0' && tmpdir_owner == getpid())
		return tmpdir;
	base = getenv("TMPDIR");
	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/dbshift-test-XXXXXX", base);
	ck_assert_msg(mkdtemp(tmpdir) != NULL, "mkdtemp: %s", strerror(errno));
	tmpdir_owner = getpid();
	atexit(remove_tmpdir);
	return tmpdir;
}

const char *fx_path(const char *rel)
{
	static char ring[8][1024];
	static unsigned next;
	char *p = ring[next++ % 8];

	if (rel[0] == '/')
		snprintf(p, 1024, "%s", rel);
	else
		snprintf(p, 1024, "%s/%s", fx_tmpdir(), rel);
	return p;
}

void fx_mkdir(const char *rel)
{
	char path[1024];
	char *slash;

	snprintf(path, sizeof(path), "%s", fx_path(rel));
	for (slash = path + strlen(fx_tmpdir()) + 1; *slash; slash++) {
		if (*slash != '/')
			continue;
		*slash = '\0';
		mkdir(path, 0777);
		*slash = '/';
	}
	ck_assert_msg(mkdir(path, 0777) == 0 || errno == EEXIST, "mkdir %s: %s",
		      path, strerror(errno));
}

void fx_write(const char *rel, const char *content)
{
	char dir[1024];
	char *slash;
	FILE *f;
	const char *path = fx_path(rel);

	snprintf(dir, sizeof(dir), "%s", rel);
	slash = strrchr(dir, '/');
	if (slash != NULL) {
		*slash = '\0';
		fx_mkdir(dir);
	}
	f = fopen(path, "wb");
	ck_assert_msg(f != NULL, "open %s: %s", path, strerror(errno));
	ck_assert(fwrite(content, 1, strlen(content), f) == strlen(content));
	ck_assert(fclose(f) == 0);
}

/* Copy the directory from (an absolute path) to dest inside fx_tmpdir. */
static void copy_tree(const char *from, const char *dest)
{
	DIR *d = opendir(from);
	struct dirent *e;

	ck_assert_msg(d != NULL, "open %s: %s", from, strerror(errno));
	fx_mkdir(dest);
	while ((e = readdir(d)) != NULL) {
		char src[2048], dst[2048];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(src, sizeof(src), "%s/%s", from, e->d_name);
		snprintf(dst, sizeof(dst), "%s/%s", dest, e->d_name);
		ck_assert_msg(stat(src, &st) == 0, "stat %s: %s", src,
			      strerror(errno));
		if (S_ISDIR(st.st_mode)) {
			copy_tree(src, dst);
		} else {
			char *body = fx_read(src);

			fx_write(dst, body);
			free(body);
		}
	}
	closedir(d);
}

void fx_copy_fixture(const char *name, const char *dest)
{
	char from[1024];

	snprintf(from, sizeof(from), "%s/%s", FX_FIXTURE_DIR, name);
	copy_tree(from, dest);
}

char *fx_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long size;

	ck_assert_msg(f != NULL, "open %s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)size + 1);
	ck_assert(buf != NULL);
	ck_assert(fread(buf, 1, (size_t)size, f) == (size_t)size);
	buf[size] = '\0';
	fclose(f);
	return buf;
}

void fx_env_init(void)
{
	if (setenv("DBSHIFT_DRIVER_SYSTEM_DIR", "", 1) != 0) {
		perror("setenv DBSHIFT_DRIVER_SYSTEM_DIR");
		exit(EXIT_FAILURE);
	}
}

const char *fx_test_driver_dir(void)
{
	const char *dir = getenv("DBSHIFT_TEST_DRIVERS");

	return dir != NULL ? dir : TOP_BUILDDIR "/tests/drivers/.libs";
}

const char *fx_driver_dir(void)
{
	return TOP_BUILDDIR "/drivers/.libs";
}

const char *fx_sqlite_url(const char *rel)
{
	static char url[1100];

	snprintf(url, sizeof(url), "sqlite:%s", fx_path(rel));
	return url;
}

struct collect {
	char *buf;
	size_t len;
};

static int collect_row(void *payload, int ncols, char **cols, char **names)
{
	struct collect *c = payload;
	const char *v = ncols > 0 && cols[0] != NULL ? cols[0] : "NULL";
	size_t vlen = strlen(v);

	(void)names;
	c->buf = realloc(c->buf, c->len + vlen + 2);
	ck_assert(c->buf != NULL);
	if (c->len > 0)
		c->buf[c->len++] = ',';
	memcpy(c->buf + c->len, v, vlen + 1);
	c->len += vlen;
	return 0;
}

char *fx_sqlite_query(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	char *errmsg = NULL;
	struct collect c = {NULL, 0};

	ck_assert_msg(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) ==
			      SQLITE_OK,
		      "open %s", path);
	if (sqlite3_exec(db, sql, collect_row, &c, &errmsg) != SQLITE_OK)
		ck_abort_msg("query '%s' on %s: %s", sql, path, errmsg);
	sqlite3_close(db);
	if (c.buf == NULL)
		c.buf = calloc(1, 1);
	return c.buf;
}

int fx_sqlite_has_table(const char *path, const char *table)
{
	char sql[512];
	char *res;
	int has;

	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM sqlite_master WHERE type='table' AND "
		 "name='%s'",
		 table);
	res = fx_sqlite_query(path, sql);
	has = strcmp(res, "1") == 0;
	free(res);
	return has;
}

static char *slurp_fd(int fd)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;

	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
			ck_assert(buf != NULL);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

fx_run fx_cli_env(const char *const *env, const char *const *argv)
{
	const char *cli = getenv("DBSHIFT_CLI");
	size_t n = 0;
	const char **args;
	fx_run run;

	if (cli == NULL)
		cli = TOP_BUILDDIR "/dbshift";
	while (argv[n] != NULL)
		n++;
	args = calloc(n + 2, sizeof(*args));
	ck_assert(args != NULL);
	args[0] = cli;
	memcpy(args + 1, argv, n * sizeof(*args));
	run = fx_exec_env(env, args);
	free(args);
	return run;
}

fx_run fx_exec_env(const char *const *env, const char *const *args)
{
	fx_run run = {-1, NULL, NULL};
	char outpath[1100], errpath[1100];
	pid_t pid;
	int status, outfd, errfd;

	snprintf(outpath, sizeof(outpath), "%s/.cli-stdout", fx_tmpdir());
	snprintf(errpath, sizeof(errpath), "%s/.cli-stderr", fx_tmpdir());
	pid = fork(); /* the child uses tmpdir directly: it is not its owner */
	ck_assert(pid >= 0);
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);

		outfd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		errfd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (in < 0 || outfd < 0 || errfd < 0 || chdir(tmpdir) != 0)
			_exit(126);
		dup2(in, 0);
		dup2(outfd, 1);
		dup2(errfd, 2);
		unsetenv("DBSHIFT_URL");
		unsetenv("DATABASE_URL");
		setenv("NO_COLOR", "1", 1);
		for (; env != NULL && *env != NULL; env++)
			putenv((char *)*env);
		execv(args[0], (char *const *)args);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		ck_assert(errno == EINTR);
	if (WIFEXITED(status))
		run.status = WEXITSTATUS(status);
	else
		run.status = 128 + WTERMSIG(status);
	outfd = open(outpath, O_RDONLY);
	errfd = open(errpath, O_RDONLY);
	ck_assert(outfd >= 0 && errfd >= 0);
	run.out = slurp_fd(outfd);
	run.err = slurp_fd(errfd);
	close(outfd);
	close(errfd);
	return run;
}

/* Collect the NULL-terminated arguments after arg0 into argv[64]. */
static void collect_args(const char **argv, const char *arg0, va_list ap)
{
	size_t n = 0;
	const char *a;

	for (a = arg0; a != NULL && n < 63; a = va_arg(ap, const char *))
		argv[n++] = a;
	argv[n] = NULL;
}

fx_run fx_cli(const char *arg0, ...)
{
	const char *argv[64];
	va_list ap;

	va_start(ap, arg0);
	collect_args(argv, arg0, ap);
	va_end(ap);
	return fx_cli_env(NULL, argv);
}

static void expect(int status, int in_err, const char *needle,
		   const char *const *argv)
{
	fx_run run = fx_cli_env(NULL, argv);

	ck_assert_exit(run, status);
	ck_assert_has(in_err ? run.err : run.out, needle);
	fx_run_free(&run);
}

void fx_expect_err(int status, const char *needle, const char *arg0, ...)
{
	const char *argv[64];
	va_list ap;

	va_start(ap, arg0);
	collect_args(argv, arg0, ap);
	va_end(ap);
	expect(status, 1, needle, argv);
}

void fx_expect_out(int status, const char *needle, const char *arg0, ...)
{
	const char *argv[64];
	va_list ap;

	va_start(ap, arg0);
	collect_args(argv, arg0, ap);
	va_end(ap);
	expect(status, 0, needle, argv);
}

void fx_run_free(fx_run *run)
{
	free(run->out);
	free(run->err);
	run->out = run->err = NULL;
}
