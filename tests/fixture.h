/* SPDX-License-Identifier: MIT */
/*
 * fixture.h - shared test helpers: a fresh temporary directory per test,
 * files written into it, SQLite inspection and running the CLI.
 */
#ifndef DBSHIFT_TEST_FIXTURE_H
#define DBSHIFT_TEST_FIXTURE_H

#include <stddef.h>
#include <string.h>

/** Create a fresh temporary directory for this test (removed at exit of
 * the test process) and return its path (static storage). */
const char *fx_tmpdir(void);

/** Path inside the test's directory: fx_path("a/b.sql"). Static ring of
 * buffers, valid for a few calls. */
const char *fx_path(const char *rel);

/** Write content to rel (inside fx_tmpdir), creating parent folders. */
void fx_write(const char *rel, const char *content);

/* The migration sets of tests/fixtures/ in the source tree. */
#define FX_FIXTURE_DIR TOP_SRCDIR "/tests/fixtures"

/** Copy the fixture directory name (tests/fixtures/NAME, recursively) to
 * dest inside fx_tmpdir ("." for the directory itself). */
void fx_copy_fixture(const char *name, const char *dest);

/** Make a directory (and parents) inside fx_tmpdir. */
void fx_mkdir(const char *rel);

/** Read a whole file into a static-lifetime malloc'd string (caller frees). */
char *fx_read(const char *path);

/**
 * Once, before any test (check_main.c): set $DBSHIFT_DRIVER_SYSTEM_DIR
 * empty, so that the library and every program a test runs search only
 * the build tree for drivers ($DBSHIFT_DRIVER_PATH, --driver-dir), never
 * the installed driver directory compiled into the library.
 */
void fx_env_init(void);

/** Directory of the test drivers built by the suite (broken ones etc.). */
const char *fx_test_driver_dir(void);

/** Directory of the real built drivers. */
const char *fx_driver_dir(void);

/** sqlite URL for a database file named rel in the test's directory. */
const char *fx_sqlite_url(const char *rel);

/**
 * Run a SQL query on the SQLite file at path and return the first column
 * of every row joined with ',' (malloc'd; "" when no rows). Fails the
 * test on error.
 */
char *fx_sqlite_query(const char *path, const char *sql);

/** Does table exist in the SQLite file at path? */
int fx_sqlite_has_table(const char *path, const char *table);

/** Result of fx_cli(). */
typedef struct fx_run {
	int status; /* exit status, or 128+signal */
	char *out;  /* stdout, malloc'd */
	char *err;  /* stderr, malloc'd */
} fx_run;

/**
 * Run the dbshift CLI (path from $DBSHIFT_CLI) with the given arguments,
 * NULL-terminated, in the test's directory, with stdin from /dev/null.
 * Environment: DBSHIFT_URL and DATABASE_URL removed, NO_COLOR=1.
 */
fx_run fx_cli(const char *arg0, ...);

/** Same with extra environment entries "NAME=VALUE" (NULL-terminated
 * array) and argv array. */
fx_run fx_cli_env(const char *const *env, const char *const *argv);

/** Run the program argv[0] (a path) the way fx_cli_env() runs the CLI. */
fx_run fx_exec_env(const char *const *env, const char *const *argv);

void fx_run_free(fx_run *run);

/**
 * Run the CLI with the arguments (NULL-terminated) and fail the test
 * unless it exits with status and needle is in its stderr (fx_expect_err)
 * or stdout (fx_expect_out); both streams are shown when it fails.
 */
void fx_expect_err(int status, const char *needle, const char *arg0, ...);
void fx_expect_out(int status, const char *needle, const char *arg0, ...);

/* Assert a CLI run's exit status, showing both streams when it differs. */
#define ck_assert_exit(run, expected)                                          \
	ck_assert_msg((run).status == (expected),                              \
		      "exit %d (wanted %d)\nstdout: %s\nstderr: %s",           \
		      (run).status, (expected), (run).out, (run).err)

/* Assert that needle is (or is not) in haystack, showing haystack. */
#define ck_assert_has(haystack, needle)                                        \
	ck_assert_msg(strstr((haystack), (needle)) != NULL,                    \
		      "'%s' not found in:\n%s", (needle), (haystack))

#define ck_assert_lacks(haystack, needle)                                      \
	ck_assert_msg(strstr((haystack), (needle)) == NULL,                    \
		      "'%s' unexpectedly in:\n%s", (needle), (haystack))

#endif
