/* SPDX-License-Identifier: MIT */
/*
 * check_loader.c - tests of core/loader.c: the driver search path and its
 * order, the refusal of broken modules with an error naming the file and
 * the reason (not a shared object, no entry symbol, newer ABI major or
 * minor, truncated descriptor, refusing entry), the acceptance of an old
 * ABI-minor driver and of the generic entry symbol, the cache, and
 * dbshift_drivers_list(); modules refused before they are opened (in a
 * directory anyone may write to, writable by anyone, owned by another
 * user) and modules whose descriptor names another driver.
 *
 * The broken drivers are built from tests/drivers/ into fx_test_driver_dir()
 * as driver_<name>.so; tests copy them into their own directory when they
 * need a particular layout. Every test runs in its own process, so the
 * loader's cache starts empty and environment changes stay local.
 */
#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dbshift/dbshift.h"
#include "fixture.h"
#include "loader.h"
#include "suites.h"

static void setup(void)
{
	/* make check points this at the built drivers; tests set it
	 * themselves when they want it. The configured directory is
	 * searched last again (fx_env_init() empties its replacement). */
	unsetenv("DBSHIFT_DRIVER_PATH");
	unsetenv("DBSHIFT_DRIVER_SYSTEM_DIR");
}

/* Path of test driver NAME as built. Static ring of buffers. */
static const char *test_driver(const char *name)
{
	static char ring[4][1024];
	static unsigned next;
	char *p = ring[next++ % 4];

	snprintf(p, 1024, "%s/driver_%s.so", fx_test_driver_dir(), name);
	return p;
}

/* Copy the file at src to rel in the test's directory (binary safe). */
static void copy_file(const char *src, const char *rel)
{
	char data[65536];
	const char *dst = fx_path(rel);
	FILE *in, *out;
	size_t n;

	in = fopen(src, "rb");
	ck_assert_msg(in != NULL, "open %s: %s", src, strerror(errno));
	out = fopen(dst, "wb");
	ck_assert_msg(out != NULL, "open %s: %s", dst, strerror(errno));
	while ((n = fread(data, 1, sizeof(data), in)) > 0)
		ck_assert(fwrite(data, 1, n, out) == n);
	ck_assert(!ferror(in));
	fclose(in);
	ck_assert(fclose(out) == 0);
}

/* Load NAME from driver_dir and expect failure with code; the message
 * must contain each of the NULL-terminated strings given. */
static void expect_failure(const char *name, const char *driver_dir, int code,
			   ...)
{
	const dbshift_driver *d = (const dbshift_driver *)1;
	dbshift__err err;
	const char *want;
	va_list ap;
	int rc;

	dbshift__err_init(&err);
	rc = dbshift__loader_load(&d, name, driver_dir, &err);
	ck_assert_msg(rc == code, "load %s: got %d (%s), expected %d", name, rc,
		      err.pub.message, code);
	ck_assert_ptr_null(d);
	ck_assert_int_eq(err.pub.code, code);
	ck_assert_msg(strchr(err.pub.message, '\n') == NULL, "one line");
	va_start(ap, code);
	while ((want = va_arg(ap, const char *)) != NULL)
		ck_assert_msg(strstr(err.pub.message, want) != NULL,
			      "'%s' not in '%s'", want, err.pub.message);
	va_end(ap);
}

static const dbshift_driver *expect_load(const char *name,
					 const char *driver_dir)
{
	const dbshift_driver *d = NULL;
	dbshift__err err;
	int rc;

	dbshift__err_init(&err);
	rc = dbshift__loader_load(&d, name, driver_dir, &err);
	ck_assert_msg(rc == 0, "load %s: %d %s", name, rc, err.pub.message);
	ck_assert_ptr_nonnull(d);
	return d;
}

static void check_sqlite(const dbshift_driver *d)
{
	ck_assert_str_eq(d->name, "sqlite");
	ck_assert_str_eq(d->dialect, "sqlite");
	ck_assert_uint_eq(d->abi_major, DBSHIFT_DRIVER_ABI_MAJOR);
	ck_assert_uint_le(d->abi_minor, DBSHIFT_DRIVER_ABI_MINOR);
	ck_assert_uint_ge(d->struct_size, DBSHIFT_DRIVER_MIN_SIZE);
	ck_assert_ptr_nonnull(d->open);
	ck_assert_ptr_nonnull(d->table_exists);
}

START_TEST(test_loader_sqlite_driver_dir)
{
	check_sqlite(expect_load("sqlite", fx_driver_dir()));
}
END_TEST

/* The DELIMITER property is 1.5's: a 1.4 driver's bit 10 is cleared, its
 * other properties are kept. */
START_TEST(test_loader_delimiter_bit_needs_1_5)
{
	const dbshift_driver *d =
		expect_load("prevminor", fx_test_driver_dir());

	ck_assert_uint_eq(d->abi_minor, 4);
	ck_assert_uint_eq(d->split_flags, DBSHIFT_SPLIT_BACKSLASH_ESCAPES);
	ck_assert(DBSHIFT_SPLIT_DELIMITER_COMMAND == 0x400);
}
END_TEST

START_TEST(test_loader_sqlite_env_path)
{
	char path[2048];

	/* Missing and empty elements are passed over. */
	snprintf(path, sizeof(path),
		 "/nonexistent/dbshift::%s:", fx_driver_dir());
	ck_assert_int_eq(setenv("DBSHIFT_DRIVER_PATH", path, 1), 0);
	check_sqlite(expect_load("sqlite", NULL));
}
END_TEST

START_TEST(test_loader_search_order)
{
	char env[1100];
	const dbshift_driver *d;

	/* a/ holds a good driver_oldminor.so, b/ a broken one. */
	fx_mkdir("a");
	fx_mkdir("b");
	copy_file(test_driver("oldminor"), "a/driver_oldminor.so");
	fx_write("b/driver_oldminor.so", "not a module\n");

	/* driver_dir before the environment: the good one wins. */
	snprintf(env, sizeof(env), "%s", fx_path("b"));
	ck_assert_int_eq(setenv("DBSHIFT_DRIVER_PATH", env, 1), 0);
	d = expect_load("oldminor", fx_path("a"));
	ck_assert_str_eq(d->name, "oldminor");
}
END_TEST

START_TEST(test_loader_search_order_first_broken)
{
	char env[1100];

	/* The other way round the broken one is found first, and is an
	 * error rather than a reason to look further. */
	fx_mkdir("a");
	fx_mkdir("b");
	copy_file(test_driver("oldminor"), "a/driver_oldminor.so");
	fx_write("b/driver_oldminor.so", "not a module\n");
	snprintf(env, sizeof(env), "%s", fx_path("a"));
	ck_assert_int_eq(setenv("DBSHIFT_DRIVER_PATH", env, 1), 0);
	expect_failure("oldminor", fx_path("b"), DBSHIFT_EDRIVER,
		       fx_path("b/driver_oldminor.so"), NULL);
}
END_TEST

/* A driver of another ABI found first is passed over, with a note, when a
 * compatible one follows on the path; alone it is an error. */
START_TEST(test_loader_skip_incompatible)
{
	const dbshift_driver *d;
	const char *skipped;
	char env[1100];

	/* a/ holds a newer-major driver that answers to the name oldminor
	 * (generic entry), b/ the real one. */
	fx_mkdir("a");
	fx_mkdir("b");
	copy_file(test_driver("genericnew"), "a/driver_oldminor.so");
	copy_file(test_driver("oldminor"), "b/driver_oldminor.so");
	snprintf(env, sizeof(env), "%s", fx_path("b"));
	ck_assert_int_eq(setenv("DBSHIFT_DRIVER_PATH", env, 1), 0);
	d = expect_load("oldminor", fx_path("a"));
	ck_assert_str_eq(d->name, "oldminor");
	skipped = dbshift__loader_skipped(d);
	ck_assert_ptr_nonnull(skipped);
	ck_assert_ptr_nonnull(strstr(skipped, fx_path("a/driver_oldminor.so")));
	ck_assert_ptr_nonnull(strstr(skipped, "built for driver ABI 2."));
}
END_TEST

START_TEST(test_loader_skip_incompatible_alone)
{
	fx_mkdir("a");
	copy_file(test_driver("genericnew"), "a/driver_oldminor.so");
	expect_failure("oldminor", fx_path("a"), DBSHIFT_EDRIVER,
		       fx_path("a/driver_oldminor.so"),
		       "built for driver ABI 2.", NULL);
	/* Nothing compatible follows a broken module either: it stays an
	 * error (test_loader_search_order_first_broken), and a compatible
	 * driver found first has nothing to note. */
	ck_assert_ptr_null(dbshift__loader_skipped(
		expect_load("oldminor", fx_test_driver_dir())));
}
END_TEST

START_TEST(test_loader_env_order)
{
	char env[2200];

	/* Within the environment path, left to right. */
	fx_mkdir("a");
	fx_mkdir("b");
	copy_file(test_driver("oldminor"), "a/driver_oldminor.so");
	fx_write("b/driver_oldminor.so", "not a module\n");
	snprintf(env, sizeof(env), "%s:%s", fx_path("a"), fx_path("b"));
	ck_assert_int_eq(setenv("DBSHIFT_DRIVER_PATH", env, 1), 0);
	expect_load("oldminor", NULL);
}
END_TEST

/* Relative entries of $DBSHIFT_DRIVER_PATH would name the current
 * directory: they are passed over, even when a module waits there. */
START_TEST(test_loader_env_relative_ignored)
{
	fx_mkdir("rel");
	copy_file(test_driver("oldminor"), "driver_oldminor.so");
	copy_file(test_driver("oldminor"), "rel/driver_oldminor.so");
	ck_assert_int_eq(chdir(fx_tmpdir()), 0);
	ck_assert_int_eq(setenv("DBSHIFT_DRIVER_PATH", ".:rel:./rel", 1), 0);
	expect_failure("oldminor", NULL, DBSHIFT_EURL,
		       "driver_oldminor.so not found in " DBSHIFT_DRIVER_DIR,
		       NULL);
}
END_TEST

/* $DBSHIFT_DRIVER_SYSTEM_DIR replaces the configured directory searched
 * last: a driver there is found, and when it is empty only --driver-dir
 * and $DBSHIFT_DRIVER_PATH are searched, never DBSHIFT_DRIVER_DIR; the
 * same for the CLI. */
START_TEST(test_loader_system_dir)
{
	const char *sys[] = {"DBSHIFT_DRIVER_SYSTEM_DIR=", NULL};
	const char *argv[] = {"drivers", NULL};
	dbshift__err err;
	const dbshift_driver *d = NULL;
	fx_run run;

	fx_mkdir("sys");
	copy_file(test_driver("oldminor"), "sys/driver_oldminor.so");
	ck_assert_int_eq(setenv("DBSHIFT_DRIVER_SYSTEM_DIR", "", 1), 0);
	dbshift__err_init(&err);
	ck_assert_int_eq(dbshift__loader_load(&d, "oldminor", NULL, &err),
			 DBSHIFT_EURL);
	ck_assert_str_eq(err.pub.message,
			 "no driver 'oldminor': no driver directory to search "
			 "($DBSHIFT_DRIVER_SYSTEM_DIR is empty)");
	expect_failure("oldminor", fx_path("none"), DBSHIFT_EURL,
		       "driver_oldminor.so not found in ", NULL);
	ck_assert_ptr_null(strstr(err.pub.message, DBSHIFT_DRIVER_DIR));
	/* A relative one would be the current directory: not searched. */
	ck_assert_int_eq(chdir(fx_tmpdir()), 0);
	ck_assert_int_eq(setenv("DBSHIFT_DRIVER_SYSTEM_DIR", "sys", 1), 0);
	expect_failure("oldminor", NULL, DBSHIFT_EURL, "no driver directory",
		       NULL);
	run = fx_cli_env(sys, argv);
	ck_assert_exit(run, 0);
	ck_assert_has(run.err, "no drivers found");
	fx_run_free(&run);
	ck_assert_int_eq(setenv("DBSHIFT_DRIVER_SYSTEM_DIR", fx_path("sys"), 1),
			 0);
	run = fx_cli("drivers", NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, fx_path("sys/driver_oldminor.so"));
	fx_run_free(&run);
	expect_load("oldminor", NULL);
}
END_TEST

/* The environment every test runs in (fx_env_init): nothing outside the
 * build tree is searched for drivers, so an installed copy of dbshift's
 * drivers (an older version, or a driver this build left out) can never
 * take part in a test. */
START_TEST(test_loader_tests_search_build_tree_only)
{
	const char *sys = getenv("DBSHIFT_DRIVER_SYSTEM_DIR");
	const char *path = getenv("DBSHIFT_DRIVER_PATH");
	const dbshift_driver *d = NULL;
	dbshift__err err;
	fx_run run;

	ck_assert_msg(sys != NULL && sys[0] == '\0',
		      "DBSHIFT_DRIVER_SYSTEM_DIR is %s", sys ? sys : "unset");
	dbshift__err_init(&err);
	ck_assert_int_eq(
		dbshift__loader_load(&d, "nosuchdriver", fx_driver_dir(), &err),
		DBSHIFT_EURL);
	ck_assert_ptr_null(strstr(err.pub.message, DBSHIFT_DRIVER_DIR));
	ck_assert_ptr_nonnull(strstr(err.pub.message, fx_driver_dir()));
	run = fx_cli("-u", "nosuchscheme://x", "status", NULL);
	ck_assert_exit(run, 2);
	ck_assert_lacks(run.err, DBSHIFT_DRIVER_DIR);
	if (path != NULL)
		ck_assert_has(run.err, path);
	fx_run_free(&run);
}
END_TEST

START_TEST(test_loader_missing)
{
	ck_assert_int_eq(setenv("DBSHIFT_DRIVER_PATH",
				"/nonexistent/e1::/nonexistent/e2", 1),
			 0);
	expect_failure("nosuchdriver", "/nonexistent/d", DBSHIFT_EURL,
		       "driver_nosuchdriver.so not found in /nonexistent/d, "
		       "/nonexistent/e1, /nonexistent/e2, " DBSHIFT_DRIVER_DIR,
		       "no driver 'nosuchdriver'", NULL);
}
END_TEST

START_TEST(test_loader_bad_name)
{
	expect_failure("../x", fx_tmpdir(), DBSHIFT_EURL, "invalid driver name",
		       NULL);
	expect_failure("a.b", fx_tmpdir(), DBSHIFT_EURL, "invalid driver name",
		       NULL);
	expect_failure("a/b", fx_tmpdir(), DBSHIFT_EURL, "invalid driver name",
		       NULL);
	expect_failure("", fx_tmpdir(), DBSHIFT_EURL, "invalid driver name",
		       NULL);
	expect_failure("Sqlite", fx_tmpdir(), DBSHIFT_EURL,
		       "invalid driver name", NULL);
}
END_TEST

START_TEST(test_loader_not_shared_object)
{
	dbshift__err err;
	const dbshift_driver *d;

	fx_write("driver_garbage.so",
		 "This is a text file, not a shared object. It is long "
		 "enough to hold an ELF header, were it one.\n");
	expect_failure("garbage", fx_tmpdir(), DBSHIFT_EDRIVER,
		       fx_path("driver_garbage.so"), "not a loadable module",
		       NULL);
	/* The file is recorded too. */
	dbshift__err_init(&err);
	dbshift__loader_load(&d, "garbage", fx_tmpdir(), &err);
	ck_assert_str_eq(err.pub.file, fx_path("driver_garbage.so"));
}
END_TEST

START_TEST(test_loader_noentry)
{
	expect_failure("noentry", fx_test_driver_dir(), DBSHIFT_EDRIVER,
		       test_driver("noentry"),
		       "no entry symbol dbshift_driver_noentry_init or "
		       "dbshift_driver_init",
		       NULL);
}
END_TEST

START_TEST(test_loader_newmajor)
{
	char want[64];

	snprintf(want, sizeof(want),
		 "built for driver ABI %d.%d, core supports %d.x",
		 DBSHIFT_DRIVER_ABI_MAJOR + 1, DBSHIFT_DRIVER_ABI_MINOR,
		 DBSHIFT_DRIVER_ABI_MAJOR);
	expect_failure("newmajor", fx_test_driver_dir(), DBSHIFT_EDRIVER,
		       test_driver("newmajor"), want, NULL);
}
END_TEST

START_TEST(test_loader_newminor)
{
	char want[80];

	snprintf(want, sizeof(want),
		 "built for driver ABI %d.%d, newer than the core's %d.%d",
		 DBSHIFT_DRIVER_ABI_MAJOR, DBSHIFT_DRIVER_ABI_MINOR + 1,
		 DBSHIFT_DRIVER_ABI_MAJOR, DBSHIFT_DRIVER_ABI_MINOR);
	expect_failure("newminor", fx_test_driver_dir(), DBSHIFT_EDRIVER,
		       test_driver("newminor"), want, NULL);
}
END_TEST

START_TEST(test_loader_truncated)
{
	expect_failure("truncated", fx_test_driver_dir(), DBSHIFT_EDRIVER,
		       test_driver("truncated"), "truncated descriptor", NULL);
}
END_TEST

START_TEST(test_loader_refuses)
{
	expect_failure("refuses", fx_test_driver_dir(), DBSHIFT_EDRIVER,
		       test_driver("refuses"), "refused driver ABI", NULL);
}
END_TEST

START_TEST(test_loader_missing_slot)
{
	expect_failure("noslot", fx_test_driver_dir(), DBSHIFT_EDRIVER,
		       test_driver("noslot"), "required function 'exec'", NULL);
}
END_TEST

START_TEST(test_loader_oldminor)
{
	const dbshift_driver *d = expect_load("oldminor", fx_test_driver_dir());
	dbshift_driver_conn *conn = (dbshift_driver_conn *)1;
	dbshift_diag diag;

	ck_assert_str_eq(d->name, "oldminor");
	ck_assert_str_eq(d->dialect, "fake");
	ck_assert_str_eq(d->schemes[0], "oldminor");
	ck_assert_ptr_null(d->schemes[1]);
	/* A real ABI 1.0 driver. */
	ck_assert_uint_eq(d->abi_minor, 0);
	ck_assert_uint_eq(d->struct_size, DBSHIFT_DRIVER_SIZE_1_0);
	/* Fields appended after the driver was built read as "absent";
	 * its scripts are split as standard SQL with routine bodies. */
	ck_assert_ptr_null(d->dialect_aliases);
	ck_assert(d->split_flags == DBSHIFT_SPLIT_ROUTINE_BODIES);
	ck_assert_ptr_null(d->schema);
	/* The host table reached the driver: its diagnostics work. */
	dbshift__diag_init(&diag);
	ck_assert_int_ne(d->open(&conn, "oldminor:x", &diag), 0);
	ck_assert_ptr_null(conn);
	ck_assert_str_eq(diag.message, "fake driver oldminor: open not "
				       "supported");
	ck_assert_str_eq(diag.sqlstate, "HY000");
	ck_assert_int_eq(diag.native_code, 42);
}
END_TEST

/* Load the driver of scheme from driver_dir; its name, or the error. */
static const char *by_scheme(const char *scheme, const char *driver_dir,
			     int want_rc)
{
	static char out[1024];
	const dbshift_driver *d = NULL;
	dbshift__err err;
	int rc;

	dbshift__err_init(&err);
	rc = dbshift__loader_load_scheme(&d, scheme, driver_dir, &err);
	ck_assert_msg(rc == want_rc, "scheme %s: %d %s", scheme, rc,
		      err.pub.message);
	snprintf(out, sizeof(out), "%s", rc == 0 ? d->name : err.pub.message);
	return out;
}

/* Is driver NAME built (configure may leave pg or mysql out)? */
static int built(const char *name)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/driver_%s.so", fx_driver_dir(), name);
	return access(path, F_OK) == 0;
}

/* The core keeps no scheme list: the drivers' descriptors decide. */
START_TEST(test_loader_scheme_dispatch)
{
	static const struct {
		const char *scheme, *driver;
	} cases[] = {
		{"sqlite", "sqlite"}, {"sqlite3", "sqlite"}, {"file", "sqlite"},
		{"postgres", "pg"},   {"postgresql", "pg"},  {"mysql", "mysql"},
		{"mariadb", "mysql"}, {"SQLite", "sqlite"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (built(cases[i].driver))
			ck_assert_str_eq(
				by_scheme(cases[i].scheme, fx_driver_dir(), 0),
				cases[i].driver);
	/* Asked again, the same descriptor (cached). */
	ck_assert_str_eq(by_scheme("file", fx_driver_dir(), 0), "sqlite");
}
END_TEST

START_TEST(test_loader_scheme_unknown)
{
	const char *msg;

	/* The message lists what the drivers found do take. */
	msg = by_scheme("cockroach", fx_driver_dir(), DBSHIFT_EURL);
	ck_assert_ptr_nonnull(strstr(msg, "no driver for URL scheme "
					  "'cockroach': the drivers found "
					  "take "));
	ck_assert_ptr_nonnull(strstr(msg, "sqlite, sqlite3, file"));
	ck_assert_ptr_nonnull(strstr(msg, fx_driver_dir()));
	msg = by_scheme("cockroach", fx_tmpdir(), DBSHIFT_EURL);
	ck_assert_ptr_nonnull(strstr(msg, "no driver found in "));
	/* driver_SCHEME.so that is broken says why. */
	fx_write("driver_junk.so", "not a module\n");
	msg = by_scheme("junk", fx_tmpdir(), DBSHIFT_EDRIVER);
	ck_assert_ptr_nonnull(strstr(msg, "not a loadable module"));
}
END_TEST

/* A driver whose file is not named after the scheme is found by a search
 * (driver_sqlite.so declares file:), past broken modules on the way. */
START_TEST(test_loader_scheme_search)
{
	char sqlite[1024];

	if (!built("sqlite"))
		return;
	fx_mkdir("d");
	snprintf(sqlite, sizeof(sqlite), "%s/driver_sqlite.so",
		 fx_driver_dir());
	copy_file(sqlite, "d/driver_sqlite.so");
	fx_write("d/driver_aaa.so", "not a module\n");
	ck_assert_str_eq(by_scheme("file", fx_path("d"), 0), "sqlite");
}
END_TEST

/* Is a module at path mapped into this process? */
static int mapped(const char *path)
{
	char line[4096];
	FILE *maps = fopen("/proc/self/maps", "r");
	int found = 0;

	ck_assert_ptr_nonnull(maps);
	while (!found && fgets(line, sizeof(line), maps) != NULL)
		found = strstr(line, path) != NULL;
	fclose(maps);
	return found;
}

/* A scheme no module is named after is asked first of the modules whose
 * names abbreviate it: postgres: loads driver_pg.so and not
 * driver_mysql.so, which comes first by name (and would bring its client
 * library). A scheme nothing abbreviates (file:) asks them in name order,
 * mysql first. */
START_TEST(test_loader_scheme_abbreviation_first)
{
	char src[1024], copy[1024];
	static const char *const names[] = {"mysql", "pg", "sqlite"};
	size_t i;

	for (i = 0; i < 3; i++)
		if (!built(names[i]))
			return;
	fx_mkdir("d");
	for (i = 0; i < 3; i++) {
		snprintf(src, sizeof(src), "%s/driver_%s.so", fx_driver_dir(),
			 names[i]);
		snprintf(copy, sizeof(copy), "d/driver_%s.so", names[i]);
		copy_file(src, copy);
	}
	snprintf(copy, sizeof(copy), "%s/driver_mysql.so", fx_path("d"));
	ck_assert_str_eq(by_scheme("postgres", fx_path("d"), 0), "pg");
	ck_assert(!mapped(copy));
	ck_assert_str_eq(by_scheme("file", fx_path("d"), 0), "sqlite");
	ck_assert(mapped(copy));
}
END_TEST

START_TEST(test_loader_generic_entry)
{
	void *handle;
	const dbshift_driver *d;

	/* driver_oldminor.so exports only the generic entry ... */
	handle = dlopen(test_driver("oldminor"), RTLD_NOW | RTLD_LOCAL);
	ck_assert_ptr_nonnull(handle);
	ck_assert_ptr_null(dlsym(handle, "dbshift_driver_oldminor_init"));
	ck_assert_ptr_nonnull(dlsym(handle, DBSHIFT_DRIVER_INIT_SYMBOL));
	/* ... which serves the driver its descriptor names. */
	copy_file(test_driver("oldminor"), "driver_oldminor.so");
	d = expect_load("oldminor", fx_tmpdir());
	ck_assert_str_eq(d->name, "oldminor");
	/* '-' cannot be part of a symbol name: the generic entry it is (the
	 * descriptor is reached, and then names another driver). */
	copy_file(test_driver("oldminor"), "driver_my-db.so");
	expect_failure("my-db", fx_tmpdir(), DBSHIFT_EDRIVER,
		       "driver_my-db.so: the descriptor names the driver "
		       "'oldminor', not 'my-db'",
		       NULL);
}
END_TEST

/* A module copied under another name is refused: driver_NAME.so must
 * declare NAME, or `dbshift drivers` and the scheme search would show one
 * driver under two names. */
START_TEST(test_loader_name_mismatch)
{
	const dbshift_driver *d;
	dbshift__err err;

	copy_file(test_driver("oldminor"), "driver_other.so");
	expect_failure("other", fx_tmpdir(), DBSHIFT_EDRIVER,
		       "cannot load driver 'other' from ",
		       "driver_other.so: the descriptor names the driver "
		       "'oldminor', not 'other' as the file name "
		       "driver_other.so does",
		       NULL);
	dbshift__err_init(&err);
	ck_assert_int_eq(dbshift__loader_load_file(&d, test_driver("oldminor"),
						   "other", &err),
			 DBSHIFT_EDRIVER);
	ck_assert_ptr_nonnull(strstr(err.pub.message, "names the driver"));
}
END_TEST

/* A module in a directory anyone may write to is refused, sticky bit or
 * not, also when a symlink in a sound directory points there. */
START_TEST(test_loader_world_writable_dir)
{
	fx_mkdir("open");
	fx_mkdir("link");
	copy_file(test_driver("oldminor"), "open/driver_oldminor.so");
	ck_assert_int_eq(chmod(fx_path("open"), 0777), 0);
	expect_failure("oldminor", fx_path("open"), DBSHIFT_EDRIVER,
		       "open/driver_oldminor.so: its directory ",
		       "open is writable by anyone (mode 0777)", NULL);
	ck_assert_int_eq(chmod(fx_path("open"), 01777), 0);
	expect_failure("oldminor", fx_path("open"), DBSHIFT_EDRIVER,
		       "is writable by anyone (mode 1777)", NULL);
	ck_assert_int_eq(symlink(fx_path("open/driver_oldminor.so"),
				 fx_path("link/driver_oldminor.so")),
			 0);
	expect_failure("oldminor", fx_path("link"), DBSHIFT_EDRIVER,
		       "link/driver_oldminor.so: its directory ",
		       "open is writable by anyone", NULL);
	/* The refusal stops the search: not shadowed by a later module. */
	ck_assert_int_eq(setenv("DBSHIFT_DRIVER_PATH", fx_test_driver_dir(), 1),
			 0);
	expect_failure("oldminor", fx_path("open"), DBSHIFT_EDRIVER,
		       "writable by anyone", NULL);
	ck_assert_int_eq(chmod(fx_path("open"), 0755), 0);
	expect_load("oldminor", fx_path("link"));
}
END_TEST

/* A module anyone may write to is refused. */
START_TEST(test_loader_world_writable_module)
{
	copy_file(test_driver("oldminor"), "driver_oldminor.so");
	ck_assert_int_eq(chmod(fx_path("driver_oldminor.so"), 0666), 0);
	expect_failure("oldminor", fx_tmpdir(), DBSHIFT_EDRIVER,
		       "driver_oldminor.so: writable by anyone (mode 0666)",
		       NULL);
	ck_assert_int_eq(chmod(fx_path("driver_oldminor.so"), 0644), 0);
	expect_load("oldminor", fx_tmpdir());
}
END_TEST

/* A module owned by a user other than root and the current one is
 * refused. Only root can give a file away, so the case runs as root (as
 * CI does) and is skipped, with a note, otherwise. */
START_TEST(test_loader_foreign_owner)
{
	const uid_t nobody = 65534;

	if (geteuid() != 0) {
		fprintf(stderr, "check_loader: SKIPPED "
				"test_loader_foreign_owner: only root can "
				"chown a module to another user\n");
		return;
	}
	copy_file(test_driver("oldminor"), "driver_oldminor.so");
	ck_assert_int_eq(chown(fx_path("driver_oldminor.so"), nobody, nobody),
			 0);
	expect_failure("oldminor", fx_tmpdir(), DBSHIFT_EDRIVER,
		       "driver_oldminor.so: owned by uid 65534, neither root "
		       "nor the current user (uid 0)",
		       NULL);
	ck_assert_int_eq(chown(fx_path("driver_oldminor.so"), 0, 0), 0);
	expect_load("oldminor", fx_tmpdir());
}
END_TEST

START_TEST(test_loader_cwd_not_searched)
{
	fx_mkdir("cwd");
	copy_file(test_driver("oldminor"), "cwd/driver_oldminor.so");
	ck_assert_int_eq(chdir(fx_path("cwd")), 0);

	expect_failure("oldminor", NULL, DBSHIFT_EURL, "not found", NULL);
	expect_failure("oldminor", "", DBSHIFT_EURL, "not found", NULL);
	ck_assert_int_eq(setenv("DBSHIFT_DRIVER_PATH", "", 1), 0);
	expect_failure("oldminor", NULL, DBSHIFT_EURL, "not found", NULL);
	ck_assert_int_eq(setenv("DBSHIFT_DRIVER_PATH", "::", 1), 0);
	expect_failure("oldminor", "", DBSHIFT_EURL, "not found", NULL);
	/* Asked for explicitly, the current directory is fine. */
	expect_load("oldminor", ".");
}
END_TEST

START_TEST(test_loader_cache)
{
	const dbshift_driver *d1, *d2, *d3;
	dbshift__err err;

	copy_file(test_driver("oldminor"), "driver_oldminor.so");
	d1 = expect_load("oldminor", fx_tmpdir());
	/* The second load comes from the cache: the file is not needed. */
	ck_assert_int_eq(unlink(fx_path("driver_oldminor.so")), 0);
	d2 = expect_load("oldminor", fx_tmpdir());
	ck_assert_ptr_eq(d1, d2);
	d2 = expect_load("oldminor", NULL);
	ck_assert_ptr_eq(d1, d2);
	dbshift__err_init(&err);
	ck_assert_int_eq(
		dbshift__loader_load_file(&d3, fx_path("driver_oldminor.so"),
					  "oldminor", &err),
		0);
	ck_assert_ptr_eq(d1, d3);
}
END_TEST

START_TEST(test_loader_load_file)
{
	const dbshift_driver *d;
	dbshift__err err;

	dbshift__err_init(&err);
	ck_assert_int_eq(dbshift__loader_load_file(&d, test_driver("oldminor"),
						   "oldminor", &err),
			 0);
	ck_assert_str_eq(d->name, "oldminor");
	ck_assert_int_eq(dbshift__loader_load_file(&d, test_driver("newmajor"),
						   "newmajor", &err),
			 DBSHIFT_EDRIVER);
	ck_assert_ptr_null(d);
	ck_assert_ptr_nonnull(strstr(err.pub.message, "driver ABI"));
	ck_assert_int_eq(
		dbshift__loader_load_file(&d, fx_path("none.so"), "none", &err),
		DBSHIFT_EDRIVER);
	ck_assert_ptr_nonnull(strstr(err.pub.message, fx_path("none.so")));
}
END_TEST

START_TEST(test_loader_host)
{
	const dbshift_host *host = dbshift__loader_host();

	ck_assert_uint_eq(host->size, sizeof(dbshift_host));
	ck_assert_uint_eq(host->abi_major, DBSHIFT_DRIVER_ABI_MAJOR);
	ck_assert_uint_eq(host->abi_minor, DBSHIFT_DRIVER_ABI_MINOR);
	ck_assert(host->diag_set == dbshift__diag_set);
	/* 1.1: the splitter and the diagnostic helpers. */
	ck_assert_ptr_nonnull(host->fail);
	ck_assert_ptr_nonnull(host->split_init);
	ck_assert_ptr_nonnull(host->split_next);
	ck_assert_ptr_nonnull(host->split_token);
	ck_assert_ptr_nonnull(host->line_at);
	ck_assert_ptr_nonnull(host->url_decode);
}
END_TEST

/* 1.7: quoting names and refusing NUL bytes, as the drivers use them. */
START_TEST(test_loader_host_quoting)
{
	const dbshift_host *host = dbshift__loader_host();
	static const char nul_script[] = "SELECT 1;\nSELECT\0 2;\n";
	dbshift_diag diag;
	char buf[16], *copy;

	ck_assert_uint_ge(host->size,
			  DBSHIFT_HOST_SIZE_1_6 + 4 * sizeof(void (*)(void)));
	dbshift__diag_init(&diag);
	ck_assert_int_eq(
		host->quote_ident('"', "a\"b", buf, sizeof(buf), &diag), 0);
	ck_assert_str_eq(buf, "\"a\"\"b\"");
	ck_assert_int_eq(host->quote_ident('`', "t`x", buf, sizeof(buf), &diag),
			 0);
	ck_assert_str_eq(buf, "`t``x`");
	/* Empty, NULL, too long for buf: refused, buf left empty. */
	ck_assert_int_eq(host->quote_ident('"', "", buf, sizeof(buf), &diag),
			 -1);
	ck_assert_str_eq(diag.message, "empty identifier");
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(host->quote_ident('"', NULL, buf, sizeof(buf), &diag),
			 -1);
	ck_assert_int_eq(host->quote_ident('"', "abcdefghijklmnop", buf,
					   sizeof(buf), &diag),
			 -1);
	ck_assert_str_eq(buf, "");
	ck_assert_ptr_nonnull(strstr(diag.message, "needs 19 bytes, 16 given"));
	/* quote_into: len bytes, the size needed whether it fit or not. */
	memset(buf, 'x', sizeof(buf));
	ck_assert_uint_eq(host->quote_into('"', "ab\"cd", 2, buf, sizeof(buf)),
			  5);
	ck_assert_str_eq(buf, "\"ab\"");
	memset(buf, 'x', sizeof(buf));
	ck_assert_uint_eq(host->quote_into('"', "ab", 2, buf, 4), 5);
	ck_assert_int_eq(buf[0], 'x');
	/* A NUL byte: refused with its line and the NOT_RUN SQLSTATE. */
	ck_assert_int_eq(host->refuse_nul("SELECT 1", 8, &diag), 0);
	ck_assert_int_eq(host->refuse_nul(NULL, 0, &diag), 0);
	ck_assert_int_eq(
		host->refuse_nul(nul_script, sizeof(nul_script) - 1, &diag),
		-1);
	ck_assert_str_eq(diag.message, "script holds a NUL byte on line 2");
	ck_assert_str_eq(diag.sqlstate, DBSHIFT_SQLSTATE_NOT_RUN);
	dbshift__diag_init(&diag);
	ck_assert_ptr_null(
		host->script_dup(nul_script, sizeof(nul_script) - 1, &diag));
	ck_assert_str_eq(diag.sqlstate, DBSHIFT_SQLSTATE_NOT_RUN);
	ck_assert_int_eq(host->refuse_nul(nul_script, 5, NULL), 0);
	ck_assert_int_eq(
		host->refuse_nul(nul_script, sizeof(nul_script) - 1, NULL), -1);
	/* script_dup: a NUL-terminated copy of exactly len bytes. */
	copy = host->script_dup("SELECT 1; SELECT 2", 8, &diag);
	ck_assert_ptr_nonnull(copy);
	ck_assert_str_eq(copy, "SELECT 1");
	free(copy);
	copy = host->script_dup(NULL, 0, &diag);
	ck_assert_ptr_nonnull(copy);
	ck_assert_str_eq(copy, "");
	free(copy);
}
END_TEST

/* What dbshift_drivers_list() reported. */
struct listing {
	int n;
	char name[16][64];
	char path[16][1024];
	char error[16][1024];
	char dialect[16][32];
	char scheme0[16][32];
};

static void collect(const dbshift_driver_info *info, void *payload)
{
	struct listing *l = payload;

	ck_assert_int_lt(l->n, 16);
	ck_assert_ptr_nonnull(info->schemes);
	ck_assert_ptr_nonnull(info->error);
	ck_assert_ptr_nonnull(info->version);
	snprintf(l->name[l->n], 64, "%s", info->name);
	snprintf(l->path[l->n], 1024, "%s", info->path);
	snprintf(l->error[l->n], 1024, "%s", info->error);
	snprintf(l->dialect[l->n], 32, "%s", info->dialect);
	snprintf(l->scheme0[l->n], 32, "%s",
		 info->schemes[0] ? info->schemes[0] : "");
	l->n++;
}

static int find(const struct listing *l, const char *name)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->name[i], name) == 0)
			return i;
	ck_abort_msg("driver %s not listed", name);
	return -1;
}

START_TEST(test_loader_list)
{
	static struct listing l;
	char env[1100];
	char want[64];
	int i;

	fx_mkdir("a");
	fx_mkdir("b");
	fx_write("a/driver_garbage.so", "not a module\n");
	copy_file(test_driver("oldminor"), "a/driver_oldminor.so");
	copy_file(test_driver("newmajor"), "a/driver_newmajor.so");
	fx_write("a/driver_.so", "ignored: no name\n");
	fx_write("a/driver_x.txt", "ignored: not .so\n");
	fx_mkdir("a/driver_dir.so");
	/* Shadowed by a/, and a driver only b/ has. */
	fx_write("b/driver_oldminor.so", "shadowed\n");
	copy_file(test_driver("noentry"), "b/driver_noentry.so");
	snprintf(env, sizeof(env), "%s", fx_path("b"));
	ck_assert_int_eq(setenv("DBSHIFT_DRIVER_PATH", env, 1), 0);

	ck_assert_int_eq(dbshift_drivers_list(fx_path("a"), collect, &l), 0);
	/* Name order (the installed directory may add others). */
	for (i = 1; i < l.n; i++)
		ck_assert_int_lt(strcmp(l.name[i - 1], l.name[i]), 0);
	ck_assert_int_lt(find(&l, "garbage"), find(&l, "newmajor"));
	ck_assert_int_lt(find(&l, "newmajor"), find(&l, "noentry"));
	ck_assert_int_lt(find(&l, "noentry"), find(&l, "oldminor"));

	i = find(&l, "oldminor");
	ck_assert_str_eq(l.error[i], "");
	ck_assert_str_eq(l.path[i], fx_path("a/driver_oldminor.so"));
	ck_assert_str_eq(l.dialect[i], "fake");
	ck_assert_str_eq(l.scheme0[i], "oldminor");

	/* Errors give the reason; name and path have fields of their own. */
	i = find(&l, "garbage");
	ck_assert_ptr_nonnull(strstr(l.error[i], "not a loadable module: "));
	ck_assert_str_eq(l.path[i], fx_path("a/driver_garbage.so"));
	i = find(&l, "newmajor");
	snprintf(want, sizeof(want),
		 "built for driver ABI %d.%d, core supports %d.x",
		 DBSHIFT_DRIVER_ABI_MAJOR + 1, DBSHIFT_DRIVER_ABI_MINOR,
		 DBSHIFT_DRIVER_ABI_MAJOR);
	ck_assert_str_eq(l.error[i], want);
	i = find(&l, "noentry");
	ck_assert_str_eq(l.error[i], "no entry symbol "
				     "dbshift_driver_noentry_init or "
				     "dbshift_driver_init");
	ck_assert_str_eq(l.path[i], fx_path("b/driver_noentry.so"));
	for (i = 0; i < l.n; i++)
		ck_assert_str_ne(l.name[i], "dir");
}
END_TEST

START_TEST(test_loader_list_test_drivers)
{
	static struct listing l;
	static const char *const broken[] = {"newmajor", "newminor",
					     "noentry",	 "noslot",
					     "refuses",	 "truncated"};
	size_t i;

	ck_assert_int_eq(
		dbshift_drivers_list(fx_test_driver_dir(), collect, &l), 0);
	ck_assert_str_eq(l.error[find(&l, "oldminor")], "");
	for (i = 0; i < sizeof(broken) / sizeof(broken[0]); i++)
		ck_assert_str_ne(l.error[find(&l, broken[i])], "");
	ck_assert_int_eq(dbshift_drivers_list(NULL, NULL, NULL),
			 DBSHIFT_EINVAL);
}
END_TEST

START_TEST(test_loader_list_built_drivers)
{
	static struct listing l;
	size_t len = strlen(fx_driver_dir());
	int i;

	/* Every driver built in the tree opens with RTLD_NOW and passes
	 * the loader's checks. */
	ck_assert_int_eq(dbshift_drivers_list(fx_driver_dir(), collect, &l), 0);
	for (i = 0; i < l.n; i++)
		if (strncmp(l.path[i], fx_driver_dir(), len) == 0)
			ck_assert_msg(l.error[i][0] == '\0', "%s: %s",
				      l.path[i], l.error[i]);
	ck_assert_str_eq(l.error[find(&l, "sqlite")], "");
}
END_TEST

Suite *loader_suite(void)
{
	Suite *s = suite_create("loader");
	TCase *tc = tcase_create("loader");
	TCase *env;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_loader_system_dir);
	tcase_add_test(tc, test_loader_sqlite_driver_dir);
	tcase_add_test(tc, test_loader_sqlite_env_path);
	tcase_add_test(tc, test_loader_delimiter_bit_needs_1_5);
	tcase_add_test(tc, test_loader_search_order);
	tcase_add_test(tc, test_loader_search_order_first_broken);
	tcase_add_test(tc, test_loader_env_order);
	tcase_add_test(tc, test_loader_skip_incompatible);
	tcase_add_test(tc, test_loader_skip_incompatible_alone);
	tcase_add_test(tc, test_loader_env_relative_ignored);
	tcase_add_test(tc, test_loader_missing);
	tcase_add_test(tc, test_loader_bad_name);
	tcase_add_test(tc, test_loader_not_shared_object);
	tcase_add_test(tc, test_loader_noentry);
	tcase_add_test(tc, test_loader_newmajor);
	tcase_add_test(tc, test_loader_newminor);
	tcase_add_test(tc, test_loader_truncated);
	tcase_add_test(tc, test_loader_refuses);
	tcase_add_test(tc, test_loader_missing_slot);
	tcase_add_test(tc, test_loader_oldminor);
	tcase_add_test(tc, test_loader_scheme_dispatch);
	tcase_add_test(tc, test_loader_scheme_unknown);
	tcase_add_test(tc, test_loader_scheme_search);
	tcase_add_test(tc, test_loader_scheme_abbreviation_first);
	tcase_add_test(tc, test_loader_generic_entry);
	tcase_add_test(tc, test_loader_name_mismatch);
	tcase_add_test(tc, test_loader_world_writable_dir);
	tcase_add_test(tc, test_loader_world_writable_module);
	tcase_add_test(tc, test_loader_foreign_owner);
	tcase_add_test(tc, test_loader_cwd_not_searched);
	tcase_add_test(tc, test_loader_cache);
	tcase_add_test(tc, test_loader_load_file);
	tcase_add_test(tc, test_loader_host);
	tcase_add_test(tc, test_loader_host_quoting);
	tcase_add_test(tc, test_loader_list);
	tcase_add_test(tc, test_loader_list_test_drivers);
	tcase_add_test(tc, test_loader_list_built_drivers);
	suite_add_tcase(s, tc);
	/* Without setup: the environment every other test gets. */
	env = tcase_create("environment");
	tcase_add_test(env, test_loader_tests_search_build_tree_only);
	suite_add_tcase(s, env);
	return s;
}
